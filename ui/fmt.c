/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt: numbers and strings for people (see fmt.h for the units). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "ui/fmt.h"

void fmt_count(char *out, size_t sz, double v)
{
	static const char mult[] = "kMGTPE";
	size_t i = 0;

	if (!(v >= 0) || isinf(v))
		v = 0;
	if (v < 999.5) {
		snprintf(out, sz, "%.0f", v);
		return;
	}
	/* The next multiple from where one decimal would round to 1000.0. */
	v /= 1000;
	while (v >= 999.95 && i + 1 < sizeof(mult) - 1) {
		v /= 1000;
		i++;
	}
	snprintf(out, sz, "%.1f%c", v, mult[i]);
}

void fmt_rate(char *out, size_t sz, double bytes_per_s, int bits)
{
	fmt_count(out, sz, bits ? bytes_per_s * 8 : bytes_per_s);
}

const char *fmt_rate_unit(int bits)
{
	return bits ? "bit/s" : "B/s";
}

void fmt_age(char *out, size_t sz, int64_t s)
{
	if (s < 0)
		snprintf(out, sz, "-");
	else if (s < 60)
		snprintf(out, sz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, sz, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, sz, "%" PRId64 "h%02" PRId64 "m", s / 3600,
			 s / 60 % 60);
	else if (s < 100 * 86400)
		snprintf(out, sz, "%" PRId64 "d%02" PRId64 "h", s / 86400,
			 s / 3600 % 24);
	else
		snprintf(out, sz, "%" PRId64 "d", s / 86400);
}

int64_t fmt_age_secs(uint64_t start_ns, uint64_t now_ns)
{
	if (!start_ns || start_ns > now_ns)
		return -1;
	return (int64_t)((now_ns - start_ns) / 1000000000u);
}

/* One character of s: its bytes and columns (undecodable: 1 byte, 1). */
static size_t fmt_char(const char *s, int *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, strnlen(s, 8), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cols = 1;
		return 1;
	}
	*cols = wcwidth(wc);
	if (*cols < 0)
		*cols = 1;
	return n;
}

int fmt_width(const char *s)
{
	int w = 0, c;

	while (*s) {
		s += fmt_char(s, &c);
		w += c;
	}
	return w;
}

/* Append the characters of in that fit in width columns; returns bytes
 * of in taken, *used the columns. */
static size_t fmt_head(char *out, size_t sz, size_t *at, const char *in,
		       int width, int *used)
{
	size_t i = 0;

	*used = 0;
	while (in[i]) {
		int c;
		size_t n = fmt_char(in + i, &c);

		if (*used + c > width || *at + n >= sz)
			break;
		memcpy(out + *at, in + i, n);
		*at += n;
		*used += c;
		i += n;
	}
	out[*at] = 0;
	return i;
}

/* Byte offset in in where a tail of at most width columns starts. */
static size_t fmt_tail(const char *in, int width)
{
	size_t len = strlen(in), i = 0, best = len;
	int total = fmt_width(in), skipped = 0;

	while (in[i]) {
		if (total - skipped <= width) {
			best = i;
			break;
		}
		int c;

		i += fmt_char(in + i, &c);
		skipped += c;
	}
	return in[i] ? best : len;
}

int fmt_fit(char *out, size_t sz, const char *in, int width, enum fmt_cut cut)
{
	size_t at = 0;
	int used, tail_used;

	if (sz == 0)
		return 0;
	out[0] = 0;
	if (width <= 0)
		return 0;
	if (fmt_width(in) <= width) {
		fmt_head(out, sz, &at, in, width, &used);
		return used;
	}
	if (cut == FMT_CUT_END || width < 5) {
		fmt_head(out, sz, &at, in, width - 1, &used);
		if (at + 1 < sz) {
			out[at++] = '~';
			out[at] = 0;
			used++;
		}
		return used;
	}
	/* Middle: the start and the end, the end a little longer. */
	int head = (width - 1) / 2;

	fmt_head(out, sz, &at, in, head, &used);
	if (at + 1 < sz) {
		out[at++] = '~';
		out[at] = 0;
		used++;
	}
	const char *t = in + fmt_tail(in, width - used);

	fmt_head(out, sz, &at, t, width - used, &tail_used);
	return used + tail_used;
}
