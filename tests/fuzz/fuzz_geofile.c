/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for a GeoIP database as the resolver and the updater's
 * validator take it (common/geofile.c): geofile_open (libmaxminddb's own
 * checks, the sanity lookups, the probe of the first records, the
 * classification), geofile_lookup of a few addresses, and geofile_check.
 *
 * Input: the bytes of a .mmdb file. libmaxminddb opens by path, so each
 * input is written to one memfd made at the first run and opened as
 * /proc/self/fd/N; no file is left behind. Seeds: MaxMind's test
 * databases and the corrupt ones of tests/data/mmdb (links), and three
 * small files written by tests/tools/mkmmdb.py: a DB-IP city schema and an
 * IPinfo country_asn one with a terminal escape, a bidi override and a C1
 * control in their strings, and one whose type and records name no role.
 *
 * What must hold: no crash, leak, timeout or sanitizer report; a refusal
 * says why; an accepted database has a role, and geofile_check agrees
 * with geofile_open; every text field a lookup fills is NUL-terminated in
 * its field, holds no control byte, DEL or UTF-8 C1 control, and a
 * country code is two upper-case letters.
 *
 * Leaks inside libmaxminddb itself are not counted: the Debian 12 library
 * (1.7.1) leaks its metadata decoder's pool when MMDB_open refuses some
 * corrupt metadata, which no caller can free; flowtop opens a refused
 * file once (a reload skips it until it changes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/geofile.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

static int fuzz_fd = -1;
static char fuzz_path[64];

/* A field of cap bytes: NUL-terminated within it, and safe. */
static void fuzz_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	fuzz_text_safe(s, n);
}

static void fuzz_info(const struct geo_info *gi)
{
	size_t n = strnlen(gi->country, sizeof(gi->country));

	if (n != 0 && (n != 2 || gi->country[0] < 'A' || gi->country[0] > 'Z' ||
		       gi->country[1] < 'A' || gi->country[1] > 'Z'))
		abort();
	fuzz_text(gi->country_name, sizeof(gi->country_name));
	fuzz_text(gi->city, sizeof(gi->city));
	fuzz_text(gi->as_org, sizeof(gi->as_org));
	if (gi->country_name[0] && !gi->country[0])
		abort();
}

static void fuzz_lookups(const struct geofile *f)
{
	static const struct {
		unsigned ipv;
		uint8_t addr[16];
	} probes[] = {
		{ 4, { 81, 2, 69, 142 } },
		{ 4, { 1, 1, 1, 1 } },
		{ 4, { 1, 128, 0, 1 } },
		{ 4, { 8, 8, 8, 8 } },
		{ 4, { 0, 0, 0, 0 } },
		{ 4, { 255, 255, 255, 255 } },
		{ 6, { 0x20, 0x01, 0x02, 0x18, [15] = 1 } },
		{ 6, { [10] = 0xff, [11] = 0xff, 81, 2, 69, 142 } },
		{ 6, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct sockaddr_storage ss;
		struct geo_info gi;

		if (geofile_sockaddr(probes[i].ipv, probes[i].addr, &ss) < 0)
			abort();
		memset(&gi, 0, sizeof(gi));
		geofile_lookup(f, (const struct sockaddr *)&ss, &gi);
		fuzz_info(&gi);
	}
}

static int fuzz_write(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (fuzz_fd < 0) {
		fuzz_fd = memfd_create("fuzz_geofile", MFD_CLOEXEC);
		if (fuzz_fd < 0)
			abort();
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d",
			 fuzz_fd);
	}
	if (ftruncate(fuzz_fd, 0) < 0)
		abort();
	while (off < size) {
		ssize_t w = pwrite(fuzz_fd, data + off, size - off, (off_t)off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geofile *f = malloc(sizeof(*f));
	struct geo_file_info fi;
	const char *bad;
	struct stat st;
	char why[256], why2[256];
	int rc, rc2;

	if (!f)
		return 0;
	fuzz_write(data, size);
	if ((bad = geofile_stat(fuzz_path, &st)) != NULL)
		abort();   /* a memfd is a regular file */
	why[0] = '\0';
	rc = geofile_open(f, fuzz_path, &st, why, sizeof(why));
	if (rc == 0) {
		if (!f->roles || (f->roles & ~(unsigned)(GEO_ROLE_CITY |
		    GEO_ROLE_COUNTRY | GEO_ROLE_ASN)))
			abort();
		fuzz_lookups(f);
		geofile_close(f);
	} else if (rc == -1 && (!why[0] || strnlen(why, sizeof(why)) ==
				sizeof(why))) {
		abort();
	} else if (rc != -1 && rc != -2) {
		abort();
	}
	free(f);

	why2[0] = '\0';
	rc2 = geofile_check(fuzz_path, &fi, why2, sizeof(why2));
	if (rc != -2 && (rc2 == 0) != (rc == 0))
		abort();
	if (rc2 == 0)
		fuzz_text(fi.type, sizeof(fi.type));
	return 0;
}
