/* SPDX-License-Identifier: GPL-2.0-only */
/* record: --record's lines, made in the ui, where the flows, their owners
 * and their names are: a flow's "start" when it is first written, an
 * "update" at each periodic dump when its counters, state or owner moved
 * since its last line, and its "end" when it leaves the table (a DESTROY
 * or a dump that no longer lists it), with the final counters, owner,
 * names and places known then. Each line is the JSON of -o json with
 * "event" first (ui/print.h). Two lines carry "event" and "time" alone:
 * "begin", the first a run writes, and "tick", for a pass where no flow
 * moved, so that --replay (replay/replay.h) knows every pass. They go to the recorder (flowtop-rec,
 * recorder/recorder.h) over a stream it reads whole lines from; the ui
 * opens no file.
 *
 * What was written of each live flow is kept in a table of its own,
 * keyed by the flow's conntrack id and tuple hash with the process's
 * SipHash key (remote hosts choose tuples): 24 bytes a flow at half load,
 * only while recording.
 */
#ifndef FLOWTOP_RECORD_H
#define FLOWTOP_RECORD_H

#include <stdint.h>
#include <stdio.h>

#include "ui/flow_table.h"
#include "ui/print.h"

struct record;

/* Lines go to out (the stream to the recorder, made fully buffered
 * here). NULL when out of memory. */
struct record *record_new(FILE *out);
/* Flush and free; out is the caller's to close. */
void record_free(struct record *rc);

/* At a periodic dump's end: "start" for flows not written yet, "update"
 * for flows that moved since their last line; flushed. 0, or -1 when a
 * write failed (the recorder is gone). */
int record_pass(struct record *rc, struct flow_table *t,
		const struct print_opts *po, uint64_t real_ns);

/* e leaves the table: its "end" (its "start" first if it never had one),
 * not flushed until the next pass. 0 or -1. */
int record_end(struct record *rc, const struct flow_entry *e,
	       const struct print_opts *po, uint64_t real_ns);

/* e leaves the table without having ended (the protocol selection
 * changed): no line, and it starts again if it comes back. */
void record_forget(struct record *rc, const struct flow_entry *e);

#endif
