/* SPDX-License-Identifier: GPL-2.0-only */
/* progress: what `flowtop -u` shows while it works. On a terminal, one
 * bar per database redrawn in place (bytes, percent, rate); otherwise one
 * line per database when it is done. Problems with single attempts go to
 * stderr as they happen; the summary line comes last.
 */
#ifndef FLOWTOP_GU_PROGRESS_H
#define FLOWTOP_GU_PROGRESS_H

#include <stdint.h>

struct gu_prog {
	int tty;
	const char *name;
	uint64_t start_ms, last_ms;
	int drawn;               /* a bar is on the line */
};

void gu_prog_init(struct gu_prog *p);
void gu_prog_begin(struct gu_prog *p, const char *name);
/* gu_progress_fn (fetch.h): ctx is the gu_prog. */
void gu_prog_bytes(void *ctx, uint64_t bytes, int64_t length);
/* The database's final line: "NAME: what". */
void gu_prog_done(struct gu_prog *p, const char *what);
/* A note on stderr about one attempt, clearing a bar first. */
void gu_prog_note(struct gu_prog *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gu_prog_summary(unsigned updated, unsigned current, unsigned failed);

#endif
