/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt: the one formatter of numbers for people: the screen's cells and
 * the batch text table both call it (JSON prints raw numbers instead, see
 * print.h). Also strings fitted to a number of terminal columns (wide
 * characters counted as two). Input strings must already be escaped
 * (esc_term).
 *
 * Units, the same everywhere:
 *   counts   bytes and packets: decimal SI multiples, k = 1000, M = 10^6
 *            ... E = 10^18. Under 1000 whole; above, one decimal and the
 *            multiple: 999, 1.0k, 12.3M, 999.9G, 18.4E. At most 6 columns.
 *   rates    the same numbers, of bytes per second, or of bits per second
 *            (-b). A cell holds the number and its multiple ("12.3M"); the
 *            column title names the unit, fmt_rate_unit() ("B/s", "bit/s").
 *   ages     45s, 3m04s, 2h05m, 1d03h up to 99d23h, then days alone
 *            (123d): at most 6 columns. */
#ifndef FLOWTOP_FMT_H
#define FLOWTOP_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Buffer sizes that fit any result, the NUL included. */
#define FMT_COUNT_MAX 24
#define FMT_AGE_MAX 24

/* A count (bytes, packets); a negative, NaN or infinite v counts as 0
 * (past 999.9E, which no 64-bit counter reaches, the E stays). */
void fmt_count(char *out, size_t sz, double v);

/* A rate of bytes_per_s, in bits per second when bits: "0", "512",
 * "1.2k", "46.1M" (fmt_count's numbers; the unit is the title's). */
void fmt_rate(char *out, size_t sz, double bytes_per_s, int bits);

/* The unit fmt_rate counts in: "bit/s" when bits, else "B/s". */
const char *fmt_rate_unit(int bits);

/* Age from seconds (see above); "-" when negative (not known). */
void fmt_age(char *out, size_t sz, int64_t secs);

/* Whole seconds from start_ns to now_ns (CLOCK_REALTIME ns), the age the
 * screen, the text table and JSON give a flow; -1 when start_ns is 0 (not
 * known) or later than now_ns. */
int64_t fmt_age_secs(uint64_t start_ns, uint64_t now_ns);

enum fmt_cut { FMT_CUT_END, FMT_CUT_MIDDLE };

/* Copy in to out (size sz), at most width terminal columns. Too long, it
 * loses its end ('~' marks the cut) or, with FMT_CUT_MIDDLE (addresses:
 * an IPv6 address never loses its end), its middle. Returns the columns
 * used. */
int fmt_fit(char *out, size_t sz, const char *in, int width, enum fmt_cut cut);

/* Terminal columns of s. */
int fmt_width(const char *s);

#endif
