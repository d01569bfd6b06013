/* fmt: cell text for the screen: sizes, rates, ages, and strings fitted to
 * a number of terminal columns (wide characters counted as two). Input
 * strings must already be escaped (esc_term). */
#ifndef FLOWTOP_FMT_H
#define FLOWTOP_FMT_H

#include <stddef.h>
#include <stdint.h>

/* 1023, 1.0K, 12.3M, 1.1G: at most 6 characters. */
void fmt_size(char *out, size_t sz, double v);

/* Bytes or bits per second: "12.3KB/s", "98.4Kb/s"; "0" for none. */
void fmt_rate(char *out, size_t sz, double bytes_per_s, int bits);

/* Age from seconds: 45s, 12m05, 3h12, 2d03h (5 columns up to 99 days); "-" when negative. */
void fmt_age(char *out, size_t sz, int64_t secs);

enum fmt_cut { FMT_CUT_END, FMT_CUT_MIDDLE };

/* Copy in to out (size sz), at most width terminal columns. Too long, it
 * loses its end ('~' marks the cut) or, with FMT_CUT_MIDDLE (addresses:
 * an IPv6 address never loses its end), its middle. Returns the columns
 * used. */
int fmt_fit(char *out, size_t sz, const char *in, int width, enum fmt_cut cut);

/* Terminal columns of s. */
int fmt_width(const char *s);

#endif
