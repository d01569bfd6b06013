/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the baseline of --alert and --learn
 * (ui/baseline.c): the input is the file, handed over as the block
 * libFuzzer made of exactly its size, so a read past its end is an
 * AddressSanitizer report. What it refuses, it says why, in one
 * printable line that names the line. What it takes, it writes back as
 * text that loads again to as many entries and formats to the same
 * bytes: a baseline flowtop saves is never one the next run refuses or
 * reads differently. A small max makes a load's trim and a see's
 * eviction happen often.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_text.h"
#include "ui/baseline.h"

#define FZ_MAX 16
#define FZ_EXPIRE (90 * 86400ull)
#define FZ_NOW 1764745200ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_refused(const struct baseline *b, const char *err)
{
	if (strncmp(err, "line ", 5) || baseline_count(b) || baseline_dirty(b))
		abort();
	fuzz_text_safe(err, strlen(err));
}

/* text[0..len), as formatted, loads into a fresh baseline with count
 * entries and formats to the same bytes. */
static void fz_again(const char *text, size_t len, size_t count)
{
	struct baseline *b = baseline_new(FZ_MAX, FZ_EXPIRE);
	char err[256], *out;
	size_t olen;

	if (!b)
		return;
	if (baseline_load(b, text, len, FZ_NOW, err, sizeof(err)) < 0 ||
	    baseline_count(b) != count || baseline_dirty(b))
		abort();
	if (baseline_format(b, FZ_NOW, &out, &olen) == 0) {
		if (olen != len || memcmp(out, text, len))
			abort();
		free(out);
	}
	baseline_free(b);
}

/* A new entry on what was loaded: added (evicting when full), known
 * after, and the baseline dirty. */
static void fz_see(struct baseline *b)
{
	static const char prog[] = "exe:/fuzz/new entry";

	if (baseline_see(b, prog, BL_DST, "2001:db8::f", FZ_NOW) != 1 ||
	    baseline_see(b, prog, BL_DST, "2001:DB8::F", FZ_NOW) != 0 ||
	    !baseline_has(b, prog, BL_DST, "2001:db8:0::f") ||
	    !baseline_dirty(b) || baseline_count(b) > FZ_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline *b = baseline_new(FZ_MAX, FZ_EXPIRE);
	char err[256], *out;
	size_t len;

	if (!b)
		return 0;
	if (baseline_load(b, (const char *)data, size, FZ_NOW, err,
			  sizeof(err)) < 0) {
		fz_refused(b, err);
		baseline_free(b);
		return 0;
	}
	if (baseline_count(b) > FZ_MAX || baseline_dirty(b))
		abort();
	if (baseline_format(b, FZ_NOW, &out, &len) == 0) {
		fz_again(out, len, baseline_count(b));
		free(out);
	}
	fz_see(b);
	baseline_free(b);
	return 0;
}
