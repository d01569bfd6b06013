/* SPDX-License-Identifier: GPL-2.0-only */
/* unpack: from downloaded bytes to the bytes of one .mmdb file, run only
 * in the validator (the bytes are a stranger's): gunzip when they start
 * like gzip (bounded output), then take NAME.mmdb out when the result is a
 * tar archive, else the bytes are the database itself. And the check of a
 * .sha256 file's digest against the download.
 */
#ifndef FLOWTOP_GU_UNPACK_H
#define FLOWTOP_GU_UNPACK_H

#include <stddef.h>
#include <stdint.h>

struct gu_unpacked {
	uint8_t *buf;            /* malloc'ed inflate output, or NULL */
	const uint8_t *mmdb;     /* the database: into buf or into the input */
	size_t len;
};

/* 0, or -1 with *why. max_out bounds the inflated size. */
int gu_unpack(const uint8_t *in, size_t inlen, uint64_t max_out,
	      struct gu_unpacked *out, const char **why);
void gu_unpacked_free(struct gu_unpacked *u);

/* text is a .sha256 file ("HEX" or "HEX  name"); 0 when the digest of
 * data matches, -1 with *why otherwise. */
int gu_sha256_check(const uint8_t *data, size_t len, const char *text,
		    size_t textlen, const char **why);

#endif
