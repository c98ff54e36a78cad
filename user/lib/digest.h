/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 as 64 lowercase hex digits, computed by libcrypto (OpenSSL EVP):
 * scenario and kernel-config fingerprints, import de-duplication. These
 * digests are stored in result databases: the format must not change.
 */
#ifndef MMSCOPE_DIGEST_H
#define MMSCOPE_DIGEST_H

#include <stddef.h>

struct digest;

/* Start a SHA-256; NULL (errno ENOMEM) if libcrypto cannot. */
struct digest *digest_sha256(void);
/* Add n bytes. A failure (or d NULL) is reported by digest_hex(). */
void digest_update(struct digest *d, const void *data, size_t n);
/*
 * Finish and free d: 64 lowercase hex digits + NUL into hex[65]. 0, or -1
 * (hex "") if d is NULL or any step failed.
 */
int digest_hex(struct digest *d, char hex[65]);
/* SHA-256 of a whole file into hex[65]; -1 (errno set) if unreadable. */
int digest_file_sha256(const char *path, char hex[65]);

#endif
