/* stream: the collector's side of the collector -> ui channel.
 *
 * Turns conntrack dumps and events into MSG_FLOWS batches, frames every
 * full dump with DUMP_BEGIN/DUMP_END (the ui sweeps what a dump did not
 * list, so a resynchronisation after lost events needs nothing more), and
 * applies the ui's control messages.
 */
#ifndef FLOWTOP_STREAM_H
#define FLOWTOP_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "collector/ct.h"
#include "privsep/msg.h"

#define STREAM_BATCH (MSG_MAX_PAYLOAD / sizeof(struct flow_wire))

struct stream {
	struct ct_source *ct;
	struct msg_chan *ui;
	uint64_t seq;            /* last dump sent */
	uint64_t resyncs;        /* dumps forced by lost events */
	size_t n;
	struct flow_wire batch[STREAM_BATCH];
	char err[256];           /* why the last call failed */
};

void stream_init(struct stream *s, struct ct_source *ct, struct msg_chan *ui);

/* First message of the stream. 0 or -1 (err set). */
int stream_hello(struct stream *s, uint32_t interval_ms);

/* A full dump framed by DUMP_BEGIN/DUMP_END, of kind (enum dump_kind).
 * 0 or -1 (err set). */
int stream_dump(struct stream *s, uint32_t kind);

/* Forward queued events; on ENOBUFS resynchronise with a dump. */
int stream_events(struct stream *s);

/* Apply one validated message from the ui. 0 or -1 (err set). */
int stream_control(struct stream *s, const struct msg *m);

#endif
