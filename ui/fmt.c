/* fmt: numbers and strings for screen cells. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "ui/fmt.h"

void fmt_size(char *out, size_t sz, double v)
{
	static const char units[] = "KMGTPE";
	int u = -1;

	if (!(v >= 0))
		v = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, sz, "%.0f", v);
	else
		snprintf(out, sz, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void fmt_rate(char *out, size_t sz, double bytes_per_s, int bits)
{
	char n[16];
	double v = bits ? bytes_per_s * 8 : bytes_per_s;

	if (!(v > 0)) {
		snprintf(out, sz, "0");
		return;
	}
	fmt_size(n, sizeof(n), v);
	snprintf(out, sz, "%s%s", n, bits ? "b/s" : "B/s");
}

void fmt_age(char *out, size_t sz, int64_t s)
{
	if (s < 0)
		snprintf(out, sz, "-");
	else if (s < 60)
		snprintf(out, sz, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(out, sz, "%lldm%02lld", (long long)(s / 60),
			 (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, sz, "%lldh%02lld", (long long)(s / 3600),
			 (long long)(s / 60 % 60));
	else
		snprintf(out, sz, "%lldd%02lldh", (long long)(s / 86400),
			 (long long)(s / 3600 % 24));
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
