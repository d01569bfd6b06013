/* SPDX-License-Identifier: GPL-2.0-only */
/* stream: the collector's side of the collector -> ui channel.
 *
 * Turns conntrack dumps and events into MSG_FLOWS batches, frames every
 * full dump with DUMP_BEGIN/DUMP_END (the ui sweeps what a dump did not
 * list, so a resynchronisation after lost events needs nothing more), and
 * applies the ui's control messages.
 *
 * With a procmap set, every record gets its owning process before it is
 * batched, and flowtop's own flows (the resolver's DNS queries) are
 * dropped: the ui never sees them.
 */
#ifndef FLOWTOP_STREAM_H
#define FLOWTOP_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "collector/ct.h"
#include "collector/procmap.h"
#include "collector/untracked.h"
#include "privsep/msg.h"

#define STREAM_BATCH (MSG_MAX_PAYLOAD / sizeof(struct flow_wire))

/* How much the screen needs the counters of flows it does not show
 * (MSG_CTL_REFRESH's flags): the sweeps' budget follows. */
enum stream_need {
	STREAM_NEED_ROWS = 0,    /* the rows shown alone (they are refreshed) */
	STREAM_NEED_ORDER,       /* the order of byte totals */
	STREAM_NEED_ALL,         /* every flow's rate */
};

struct stream {
	struct ct_source *ct;
	struct msg_chan *ui;
	uint64_t seq;            /* last dump sent */
	uint64_t resyncs;        /* dumps forced by lost events */
	int resync_due;          /* events were lost during the last dump */
	uint32_t cadence_ms;     /* spacing of periodic dumps, told to the ui */
	int tracking_forced;     /* --track: an empty table is just empty */
	struct untracked unt;    /* packets flowing past an empty table */
	struct procmap *pm;      /* NULL: no process attribution */
	uint64_t pm_errors;      /* failed socket refreshes (not fatal) */
	uint64_t pm_full_mono;   /* last full socket refresh, CLOCK_MONOTONIC ns */
	uint64_t pm_full_real;   /* the same moment, CLOCK_REALTIME ns */
	uint64_t pm_full_runs;   /* full refreshes made (benchmarks) */
	uint32_t unseen_young;   /* this host's flows without a socket, started
				  * around or after pm_full_real: worth a look */
	size_t n;
	struct flow_wire batch[STREAM_BATCH];
	/* batch[i]'s owner is looked for when the batch is sent */
	uint8_t deferred[STREAM_BATCH];
	size_t ndeferred;
	uint64_t settle_due_ms;  /* CLOCK_MONOTONIC ms the held batch goes */
	size_t details_wait;     /* owners whose details wait (procmap_details) */
	/* The screen's refreshes of the flows it shows (MSG_CTL_REFRESH) */
	uint32_t interval_ms;    /* the run's interval */
	int need;                /* enum stream_need: what the screen needs */
	uint64_t refresh_window_ms; /* start of the interval counted below */
	uint32_t refresh_in_window; /* requests answered in it */
	uint64_t refreshes;      /* requests answered */
	uint64_t refresh_dropped;/* requests over STREAM_REFRESH_BURST */
	struct flow_key keys[MSG_REFRESH_MAX];
	char err[256];           /* why the last call failed */
};

/* Also opens what untracked_sample reads (before the collector confines
 * itself); it stays open for the collector's life. */
void stream_init(struct stream *s, struct ct_source *ct, struct msg_chan *ui);

/* Attribute flows to processes through pm (NULL: don't). */
void stream_set_procmap(struct stream *s, struct procmap *pm);

/* First message of the stream. 0 or -1 (err set). */
int stream_hello(struct stream *s, uint32_t interval_ms);

/* A full dump framed by DUMP_BEGIN/DUMP_END, of kind (enum dump_kind).
 * The socket table is refreshed first: before a periodic dump when the
 * last one listed a young flow of this host's with no socket yet, or when
 * the last full refresh is STREAM_SOCKETS_MAX_AGE_MS old (exits and reused
 * pids are noticed then); before other dumps within procmap's rate limit.
 * New flows between dumps get theirs on demand as their events arrive.
 * 0 or -1 (err set). */
#define STREAM_SOCKETS_MAX_AGE_MS 5000
int stream_dump(struct stream *s, uint32_t kind);

/* Events lost while a dump ran (ct_dump reads them between its batches)
 * make a resynchronising dump due: stream_resync_due() says so, and
 * stream_resync() makes it. 0 or -1 (err set). */
int stream_resync_due(const struct stream *s);
int stream_resync(struct stream *s);

/* Forward queued events; on ENOBUFS resynchronise with a dump. New flows
 * whose sockets were asked of the kernel hold the batch for up to
 * STREAM_SETTLE_MS, so that a burst of them costs one walk of /proc:
 * stream_settle_due() says until when (0: nothing held; now, while the
 * details of owners found wait, procmap_details), and stream_release()
 * sends the batch then, and the details of up to STREAM_DETAILS_IDLE
 * owners when no event was waiting (idle), else STREAM_DETAILS_BUSY. 0 or
 * -1 (err set). */
#define STREAM_SETTLE_MS 3
#define STREAM_DETAILS_IDLE 64
#define STREAM_DETAILS_BUSY 4
int stream_events(struct stream *s);
uint64_t stream_settle_due(const struct stream *s);
int stream_release(struct stream *s, int idle);

/* Apply one validated message from the ui: a new selection takes effect
 * for events at once and for dumps at the next periodic one (it makes no
 * dump); a command line request is answered; a refresh (MSG_CTL_REFRESH)
 * asks the kernel for the flows it names (ct_get_entries) and sends
 * their FLOW_EV_REFRESH records, and records how much the screen needs
 * the other flows' counters (need). At most STREAM_REFRESH_BURST refreshes
 * an interval are answered; the rest are counted and dropped, their
 * flags still taken. 0 or -1 (err set). */
#define STREAM_REFRESH_BURST 4
int stream_control(struct stream *s, const struct msg *m);

/* Refresh the socket table when the last full refresh is
 * STREAM_SOCKETS_MAX_AGE_MS old, between dumps that are spaced further
 * apart (the screen's sweeps), so that exits and reused pids are noticed
 * as often as before; what it found goes to the ui. stream_sockets_due()
 * says when (CLOCK_MONOTONIC ms; 0: never, no procmap). 0 or -1 (err
 * set). */
uint64_t stream_sockets_due(const struct stream *s);
int stream_sockets_tick(struct stream *s);

#endif
