/* SPDX-License-Identifier: GPL-2.0-only */
/* unpack: gzip (zlib), tar (tar.c), sha256 (libcrypto). */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "geoip-update/tar.h"
#include "geoip-update/unpack.h"

#define UNPACK_CHUNK (1u << 20)

static int unpack_grow(struct gu_unpacked *u, size_t *cap, uint64_t max_out)
{
	size_t want = *cap ? *cap * 2 : UNPACK_CHUNK;
	uint8_t *b;

	if (*cap >= max_out)
		return -1;
	if (want > max_out)
		want = (size_t)max_out;
	b = realloc(u->buf, want);
	if (!b)
		return -1;
	u->buf = b;
	*cap = want;
	return 0;
}

/* gzip members one after another, as gunzip reads them. */
static int unpack_gunzip(const uint8_t *in, size_t inlen, uint64_t max_out,
			 struct gu_unpacked *u, const char **why)
{
	z_stream z;
	size_t cap = 0, have = 0;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "zlib: cannot start";
		return -1;
	}
	z.next_in = (Bytef *)in;
	while (rc != Z_STREAM_END || z.avail_in) {
		if (rc == Z_STREAM_END && inflateReset(&z) != Z_OK)
			break;
		if (have == cap && unpack_grow(u, &cap, max_out) < 0) {
			*why = "decompressed database too large (max-size)";
			goto fail;
		}
		z.avail_in = (uInt)(inlen - (size_t)(z.next_in - in) > UINT32_MAX ?
				    UINT32_MAX : inlen - (size_t)(z.next_in - in));
		z.next_out = u->buf + have;
		z.avail_out = (uInt)(cap - have);
		rc = inflate(&z, Z_NO_FLUSH);
		have = cap - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END) {
			*why = rc == Z_BUF_ERROR ? "truncated gzip data" :
				"corrupt gzip data";
			goto fail;
		}
		if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			*why = "truncated gzip data";
			goto fail;
		}
	}
	inflateEnd(&z);
	u->mmdb = u->buf;
	u->len = have;
	return 0;
fail:
	inflateEnd(&z);
	return -1;
}

int gu_unpack(const uint8_t *in, size_t inlen, uint64_t max_out,
	      struct gu_unpacked *out, const char **why)
{
	const uint8_t *d;
	size_t dlen;
	int found;

	memset(out, 0, sizeof(*out));
	out->mmdb = in;
	out->len = inlen;
	if (inlen >= 2 && in[0] == 0x1f && in[1] == 0x8b &&
	    unpack_gunzip(in, inlen, max_out, out, why) < 0) {
		gu_unpacked_free(out);
		return -1;
	}
	if (!gu_tar_is(out->mmdb, out->len))
		return 0;
	found = gu_tar_find(out->mmdb, out->len, ".mmdb", &d, &dlen, why);
	if (found <= 0) {
		if (found == 0)
			*why = "no .mmdb file in the tar archive";
		gu_unpacked_free(out);
		return -1;
	}
	out->mmdb = d;
	out->len = dlen;
	return 0;
}

void gu_unpacked_free(struct gu_unpacked *u)
{
	free(u->buf);
	memset(u, 0, sizeof(*u));
}

static int unpack_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int gu_sha256_check(const uint8_t *data, size_t len, const char *text,
		    size_t textlen, const char **why)
{
	unsigned char want[32], got[EVP_MAX_MD_SIZE];
	unsigned int gotlen = 0;
	size_t i = 0;

	while (i < textlen && isspace((unsigned char)text[i]))
		i++;
	if (textlen - i < 64 ||
	    (textlen - i > 64 && !isspace((unsigned char)text[i + 64]))) {
		*why = "the .sha256 file holds no SHA-256 digest";
		return -1;
	}
	for (size_t k = 0; k < 32; k++) {
		int hi = unpack_hex((unsigned char)text[i + 2 * k]);
		int lo = unpack_hex((unsigned char)text[i + 2 * k + 1]);

		if (hi < 0 || lo < 0) {
			*why = "the .sha256 file holds no SHA-256 digest";
			return -1;
		}
		want[k] = (unsigned char)(hi << 4 | lo);
	}
	if (!EVP_Digest(data, len, got, &gotlen, EVP_sha256(), NULL) ||
	    gotlen != 32) {
		*why = "cannot compute SHA-256";
		return -1;
	}
	if (memcmp(want, got, 32) != 0) {
		*why = "SHA-256 mismatch: the download is not the file the "
			"mirror's .sha256 describes";
		return -1;
	}
	return 0;
}
