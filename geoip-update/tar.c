/* SPDX-License-Identifier: GPL-2.0-only */
/* tar: ustar headers, one 512-byte block each, then the file's blocks. */
#include <string.h>

#include "geoip-update/tar.h"

enum {
	TAR_NAME = 0, TAR_NAME_LEN = 100,
	TAR_SIZE = 124, TAR_SIZE_LEN = 12,
	TAR_CHKSUM = 148, TAR_CHKSUM_LEN = 8,
	TAR_TYPE = 156,
	TAR_MAGIC = 257,
	TAR_PREFIX = 345, TAR_PREFIX_LEN = 155,
};

int gu_tar_is(const uint8_t *buf, size_t len)
{
	return len >= GU_TAR_BLOCK && memcmp(buf + TAR_MAGIC, "ustar", 5) == 0;
}

/* An octal field: digits, then NUL or spaces. Base-256 numbers (for sizes
 * past 8 GiB) are refused: no database is that large. */
static int tar_octal(const uint8_t *f, size_t n, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -1;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++)
		*v = (*v << 3) | (uint64_t)(f[i] - '0');
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	return 0;
}

/* The header's checksum: the sum of its bytes, the field counted as
 * spaces. */
static int tar_checksum_ok(const uint8_t *h)
{
	uint64_t want, sum = 0;

	if (tar_octal(h + TAR_CHKSUM, TAR_CHKSUM_LEN, &want) < 0)
		return 0;
	for (size_t i = 0; i < GU_TAR_BLOCK; i++)
		sum += (i >= TAR_CHKSUM && i < TAR_CHKSUM + TAR_CHKSUM_LEN) ?
			' ' : h[i];
	return sum == want;
}

static int tar_zero_block(const uint8_t *h)
{
	for (size_t i = 0; i < GU_TAR_BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

/* Whether the header's name (prefix "/" name, each NUL-padded) ends in
 * suffix. Only the name field matters for a suffix, unless the name is
 * empty. */
static int tar_name_ends(const uint8_t *h, const char *suffix)
{
	size_t n = strnlen((const char *)h + TAR_NAME, TAR_NAME_LEN);
	size_t s = strlen(suffix);

	return n >= s && memcmp(h + TAR_NAME + n - s, suffix, s) == 0;
}

int gu_tar_find(const uint8_t *buf, size_t len, const char *suffix,
		const uint8_t **data, size_t *dlen, const char **why)
{
	size_t at = 0;

	while (len - at >= GU_TAR_BLOCK) {
		const uint8_t *h = buf + at;
		uint64_t size, blocks;

		if (tar_zero_block(h))
			return 0;    /* end of archive */
		if (!tar_checksum_ok(h) ||
		    tar_octal(h + TAR_SIZE, TAR_SIZE_LEN, &size) < 0) {
			*why = "corrupt tar header";
			return -1;
		}
		at += GU_TAR_BLOCK;
		if (size > len - at) {
			*why = "tar member runs past the end of the archive";
			return -1;
		}
		if ((h[TAR_TYPE] == '0' || h[TAR_TYPE] == '\0') &&
		    tar_name_ends(h, suffix)) {
			*data = buf + at;
			*dlen = (size_t)size;
			return 1;
		}
		blocks = (size + GU_TAR_BLOCK - 1) / GU_TAR_BLOCK;
		if (blocks * GU_TAR_BLOCK > len - at)
			return 0;    /* last member unpadded: nothing after it */
		at += (size_t)(blocks * GU_TAR_BLOCK);
	}
	return 0;
}
