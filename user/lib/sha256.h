/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4), for scenario and kernel-config fingerprints. */
#ifndef MMSCOPE_SHA256_H
#define MMSCOPE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* Finish and write 64 lowercase hex digits + NUL into hex[65]. */
void sha256_hex(struct sha256 *c, char hex[65]);
/* Hash of a whole file into hex[65]; -1 (errno set) if unreadable. */
int sha256_file(const char *path, char hex[65]);

#endif
