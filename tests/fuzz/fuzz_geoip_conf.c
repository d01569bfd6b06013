/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the updater's text parsers: geoip.conf
 * (geoip-update/conf.c) and geoipupdate's GeoIP.conf (mmconf.c), and the
 * plan made from what they accept (plan.c), plus the ustar reader
 * (tar.c) on the same bytes.
 *
 * What must hold, whatever the bytes: no crash or sanitizer report; a
 * refusal says "g.conf:LINE: reason"; an accepted file gives mirrors that
 * are NUL-terminated URLs ending in '/', and a plan whose URLs fit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geoip-update/conf.h"
#include "geoip-update/mmconf.h"
#include "geoip-update/plan.h"
#include "geoip-update/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gu_conf c;
static struct gu_mm mm;
static struct gu_plan p;
static volatile size_t fuzz_sink;

static void fuzz_conf(const char *text, size_t size)
{
	char err[512];

	if (gu_conf_parse(&c, text, size, "g.conf", err, sizeof(err)) < 0) {
		if (strncmp(err, "g.conf:", 7) != 0)
			abort();
		return;
	}
	for (size_t i = 0; i < c.nmirrors; i++) {
		size_t n = strnlen(c.mirror[i], GU_URL_MAX);

		if (n == 0 || n == GU_URL_MAX || c.mirror[i][n - 1] != '/')
			abort();
	}
	memset(&mm, 0, sizeof(mm));
	if (gu_plan_make(&p, &c, &mm, NULL, 1767225600, err, sizeof(err)) == 0)
		for (size_t i = 0; i < p.ndbs; i++)
			for (size_t k = 0; k < p.db[i].ncand; k++)
				fuzz_sink += strnlen(p.db[i].cand[k].url, GU_URL_MAX);
}

static void fuzz_mm(const char *text, size_t size)
{
	char err[512];

	if (gu_mm_parse(&mm, text, size, "G", err, sizeof(err)) < 0) {
		if (strncmp(err, "G:", 2) != 0)
			abort();
		return;
	}
	fuzz_sink += strnlen(mm.base, sizeof(mm.base)) + mm.neditions;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d;
	size_t n;
	const char *why;
	int r;

	fuzz_conf((const char *)data, size);
	fuzz_mm((const char *)data, size);
	r = gu_tar_find(data, size, ".mmdb", &d, &n, &why);
	if (r == 1 && (d < data || d + n > data + size))
		abort();
	return 0;
}
