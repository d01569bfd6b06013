/* SPDX-License-Identifier: GPL-2.0-only */
/* relay: a child's stderr, brought to the user by its parent.
 *
 * No child writes to the terminal itself: its descriptor 2 is the write
 * end of a pipe whose read end its parent holds (role_spawn for a run,
 * the updater for its fetcher and validator). The parent reads it in its
 * loop and writes each line to its own stderr:
 *   - escaped with esc_term, so no control byte or escape sequence from a
 *     child that has been taken over reaches the terminal;
 *   - attributed to the child NAME it came from: as the child wrote it
 *     only when it starts with "flowtop: NAME: " (the child's own
 *     messages); a line that starts with "flowtop: " but not with that
 *     (a child posing as another role or as the parent: "flowtop:
 *     collector: ..." from the resolver) becomes "flowtop: NAME: " and
 *     what followed "flowtop: " ("flowtop: resolver: collector: ...");
 *     any other line (a library's or the C library's own words) is
 *     prefixed with "flowtop: NAME: ";
 *   - cut at RELAY_LINE_MAX bytes (" [cut]" appended);
 *   - at most RELAY_BURST lines at once and RELAY_PER_SEC a second after
 *     that; the lines over the bound are dropped and counted, and the
 *     count is said once lines may pass again, or at the end.
 * The parent never blocks on a child: the read end is non-blocking and
 * each read takes at most RELAY_READ_MAX bytes.
 *
 * While a full screen covers the terminal, a line written there would be
 * drawn over it and lost when it closes. The relays of a run then share a
 * hold: the lines they would write are kept, in the order they came, up
 * to RELAY_HOLD_MAX bytes (the first ones; the rest are counted), and
 * written once the screen has closed.
 */
#ifndef FLOWTOP_RELAY_H
#define FLOWTOP_RELAY_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_LINE_MAX 512
#define RELAY_BURST 40
#define RELAY_PER_SEC 10
#define RELAY_READ_MAX 4096
#define RELAY_HOLD_MAX (16u * 1024u)

struct relay_hold {
	int on;                    /* lines are kept, not written */
	size_t len;
	unsigned long lost;        /* lines that did not fit */
	char buf[RELAY_HOLD_MAX];
};

struct relay {
	int fd;                    /* the pipe's read end; -1 once closed */
	int out;                   /* where the lines go (2) */
	char name[24];             /* "resolver": whose the lines are */
	char line[RELAY_LINE_MAX]; /* the line being read */
	size_t len;
	int cut;                   /* it went over RELAY_LINE_MAX */
	uint64_t credit;           /* lines that may pass, in 1/1000 of a line */
	uint64_t last_ms;          /* when credit was last topped up */
	unsigned long dropped;     /* lines dropped since the last notice */
	struct relay_hold *hold;   /* NULL: lines are always written */
};

/* Start relaying fd (-1: nothing to relay) to out under name. */
void relay_init(struct relay *r, int fd, int out, const char *name,
		uint64_t now_ms);

/* Bytes the child wrote, split into lines, escaped, bounded, written. */
void relay_input(struct relay *r, const char *buf, size_t n, uint64_t now_ms);

/* Read what is waiting (at most RELAY_READ_MAX bytes) and relay it. At
 * the end of the pipe, the line left without a newline is said too, and
 * the descriptor closed. 1 while open, 0 once closed. */
int relay_read(struct relay *r, uint64_t now_ms);

/* The child is gone: relay what it left in the pipe, then close. Bounded
 * by the pipe's size and by the line budget, like any read. */
void relay_drain(struct relay *r, uint64_t now_ms);

/* Relay what is waiting in the pipe now, bounded like relay_drain, but
 * keep the pipe open unless it has ended. */
void relay_pending(struct relay *r, uint64_t now_ms);

/* Share h (zeroed by the caller) between relays: set r->hold = h. Start
 * keeping lines in it; write what it kept to out, and the count of lines
 * that did not fit, then write lines again. */
void relay_hold_start(struct relay_hold *h);
void relay_hold_release(struct relay_hold *h, int out);

/* Close without reading more: the partial line and the count of dropped
 * lines are still said. */
void relay_close(struct relay *r);

/* Wait until fd is readable or hung up (timeout_ms, -1 for ever),
 * relaying r meanwhile. poll's result for fd: 1, 0 on timeout, -1 with
 * errno. */
int relay_wait(struct relay *r, int fd, int timeout_ms);

/* A pipe for a child's stderr: the read end (non-blocking) in *rd, the
 * write end in *wr, both close-on-exec. 0, or -1 with errno. */
int relay_pipe(int *rd, int *wr);

#endif
