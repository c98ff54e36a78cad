// SPDX-License-Identifier: GPL-2.0
/* SHA-256 hex digests by libcrypto's EVP interface (digest.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "digest.h"

struct digest {
	EVP_MD_CTX *ctx;
	bool failed;
};

struct digest *digest_sha256(void)
{
	struct digest *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void digest_update(struct digest *d, const void *data, size_t n)
{
	if (d && !d->failed && !EVP_DigestUpdate(d->ctx, data, n))
		d->failed = true;
}

int digest_hex(struct digest *d, char hex[65])
{
	static const char xd[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok;

	hex[0] = '\0';
	if (!d)
		return -1;
	ok = !d->failed && EVP_DigestFinal_ex(d->ctx, md, &n) && n == 32;
	EVP_MD_CTX_free(d->ctx);
	free(d);
	if (!ok)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = xd[md[i] >> 4];
		hex[2 * i + 1] = xd[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

int digest_file_sha256(const char *path, char hex[65])
{
	struct digest *d;
	char buf[65536];
	size_t n;
	int rerr;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	d = digest_sha256();
	if (!d) {
		fclose(f);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		digest_update(d, buf, n);
	rerr = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (digest_hex(d, hex) < 0 && !rerr)
		rerr = EIO;	/* libcrypto failed */
	if (rerr) {
		hex[0] = '\0';
		errno = rerr;
		return -1;
	}
	return 0;
}
