/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for what the updater's validator does with downloaded
 * bytes before libmaxminddb sees them: gunzip and the ustar reader
 * (geoip-update/unpack.c and tar.c), and the .sha256 file's parser.
 *
 * Input: a download, copied to a heap block of exactly its size, so a
 * read past its end is an AddressSanitizer report.
 *
 * What must hold: no crash, leak or sanitizer report; the output of
 * gunzip never grows past the bound it is given; what gu_tar_find and
 * gu_unpack return lies inside the bytes they were given (the input or
 * the inflated buffer), and a refusal says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geoip-update/tar.h"
#include "geoip-update/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough to keep runs fast, large enough for the seeds. */
#define FUZZ_MAX_OUT (256u << 10)

static volatile size_t fuzz_sink;

static int fuzz_inside(const uint8_t *p, size_t n, const uint8_t *buf,
		       size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void fuzz_find(const uint8_t *buf, size_t len)
{
	const uint8_t *d = NULL;
	const char *why = NULL;
	size_t n = 0;
	int r = gu_tar_find(buf, len, ".mmdb", &d, &n, &why);

	if (r == 1 && !fuzz_inside(d, n, buf, len))
		abort();
	if (r == -1 && !why)
		abort();
	if (r < -1 || r > 1)
		abort();
	fuzz_sink += (size_t)gu_tar_is(buf, len);
}

static void fuzz_unpack(const uint8_t *in, size_t size)
{
	struct gu_unpacked u;
	const char *why = NULL;

	if (gu_unpack(in, size, FUZZ_MAX_OUT, &u, &why) < 0) {
		if (!why || u.buf || u.mmdb || u.len)
			abort();
		return;
	}
	if (u.buf) {
		/* Inflated: the result lies in what gunzip made, within the
		 * bound; the reader gets the inflated bytes too. */
		if (!fuzz_inside(u.mmdb, u.len, u.buf, FUZZ_MAX_OUT))
			abort();
	} else if (!fuzz_inside(u.mmdb, u.len, in, size)) {
		abort();
	}
	if (u.len)
		fuzz_sink += u.mmdb[0] + u.mmdb[u.len - 1];
	gu_unpacked_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size ? size : 1);
	const char *why = NULL;

	if (!in)
		return 0;
	memcpy(in, data, size);
	fuzz_find(in, size);
	fuzz_unpack(in, size);
	/* The same bytes as a .sha256 file, checked against themselves. */
	if (gu_sha256_check(in, size, (const char *)in, size, &why) < 0 && !why)
		abort();
	free(in);
	return 0;
}
