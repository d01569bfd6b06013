/* SPDX-License-Identifier: GPL-2.0-only */
/* baseline: flowtop's memory for --alert and --learn (first-seen alerts).
 * For each program ("exe:/usr/bin/curl", "unit:nginx.service": a key the
 * ui makes), the destinations (remote addresses), countries (ISO 3166
 * codes) and AS numbers it was seen talking to, each with when it was
 * last seen (Unix seconds).
 *
 * The module reads and writes no file: the ui, sealed, parses the bytes
 * the baseline's writer hands it (baseline/writer.h), and formats the
 * whole baseline to text that the writer puts in place atomically. The
 * file is text, one entry a line, sorted, so an admin can grep and diff
 * it:
 *
 *   # flowtop baseline 1
 *   dst 1764745200 exe:/usr/bin/curl 81.2.69.142
 *   country 1764745200 unit:nginx.service GB
 *   asn 1764745200 exe:/usr/bin/curl 1221
 *
 * Fields are separated by single spaces: kind, last seen (decimal, at
 * most 2^40), program, value. In program and value, every byte <= 0x20,
 * >= 0x7f and '%' is written %XX. Lines starting with '#' after the
 * first are comments; empty lines are skipped. The file may have been
 * edited or damaged: anything else is refused with the line and why.
 *
 * Memory is bounded: at most max entries (the least recently seen go
 * first), and only the programs those entries name.
 */
#ifndef FLOWTOP_UI_BASELINE_H
#define FLOWTOP_UI_BASELINE_H

#include <stddef.h>
#include <stdint.h>

enum bl_kind { BL_DST = 0, BL_COUNTRY = 1, BL_ASN = 2, BL_KINDS };

#define BL_NEW_DST (1u << BL_DST)
#define BL_NEW_COUNTRY (1u << BL_COUNTRY)
#define BL_NEW_ASN (1u << BL_ASN)

#define BL_PROGRAM_MAX 1024     /* bytes of a program key */
#define BL_LINE_MAX 4096        /* a line of the file, escapes included */

struct baseline;

/* max: entries kept (>= 1, else NULL); expire_s: an entry not seen for
 * this long is dropped (0: never). NULL when out of memory. */
struct baseline *baseline_new(uint32_t max, uint64_t expire_s);
void baseline_free(struct baseline *b);

/* Parse the file's bytes buf[0..n), which need not end in a NUL (n may be
 * 0: an empty or new file is an empty baseline). Whatever b held is
 * replaced. Entries last seen before now - expire_s are dropped; past
 * max, the most recently seen are kept (the others count as evicted).
 * 0, or -1 with a one-line reason in err (safe to print) that starts
 * "line N: " (N from 1; "line N: out of memory" too). On failure b is
 * left empty. Either way b is not dirty afterwards. */
int baseline_load(struct baseline *b, const char *buf, size_t n, uint64_t now,
		  char *err, size_t errlen);

/* Whether (program, kind, value) was known; when not, it is added (on a
 * full baseline, after dropping the least recently seen eighth). Either
 * way its last-seen becomes now (never moves back; a now past 2^40 counts
 * as 2^40, so the file stays readable). A dst value may be any form
 * inet_pton takes: it is kept in inet_ntop's. 1 when it was new, 0 when
 * known, -1 out of memory or bad arguments (empty or too long program,
 * value not valid for the kind). */
int baseline_see(struct baseline *b, const char *program, enum bl_kind kind,
		 const char *value, uint64_t now);

/* Whether known, without changing anything: 1/0 (0 for bad arguments). */
int baseline_has(const struct baseline *b, const char *program,
		 enum bl_kind kind, const char *value);

size_t baseline_count(const struct baseline *b);

/* Something was added, or a last-seen moved into another hour, since the
 * last baseline_format (or load): the file is out of date. (A last-seen
 * that moved within its hour is saved with the next change.) */
int baseline_dirty(const struct baseline *b);

/* Entries evicted because the baseline was full, in all (by see, and by
 * loads of files holding more than max). */
uint64_t baseline_evicted(const struct baseline *b);

/* Drop entries not seen since now - expire_s, then the whole baseline as
 * the file's text in *out (malloc'ed, *len bytes, no NUL; the caller
 * frees), sorted by program, then kind (dst, country, asn), then value,
 * bytes compared unsigned; clears dirty. 0, or -1 out of memory (*out
 * NULL, dirty kept). */
int baseline_format(struct baseline *b, uint64_t now, char **out,
		    size_t *len);

/* For messages: the kind's name as in the file ("dst", "country", "asn");
 * "?" for none. */
const char *baseline_kind_name(enum bl_kind k);

#endif
