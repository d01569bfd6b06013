/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_feed: when each flow's IPFIX record goes (ipfix_feed.h), and the
 * messages that carry them to the exporter. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ui/flow_slots.h"
#include "ui/ipfix_feed.h"

/* What was sent of a flow: its counters as of its last record, and when
 * its next record's span starts. */
struct ixf_slot {
	uint64_t key;           /* flow_slots.h */
	uint64_t sent[4];       /* orig bytes, packets, reply bytes, packets */
	uint64_t span_ms;       /* the next record's flowStartMilliseconds */
	uint64_t moved_ms;      /* when its counters last moved */
	uint64_t seen;          /* their sum at the last look */
	uint64_t looked_ms;     /* when that look was */
	uint8_t flags;          /* tcpControlBits seen since its last record */
	uint8_t once;           /* a record was sent */
};

struct ipfix_feed {
	int fd;
	uint64_t active_ms, idle_ms;
	struct flow_slots sent;  /* struct ixf_slot a flow */
	unsigned char msg[IX_MSG_MAX];
	size_t len;             /* bytes in msg; 0: no head yet */
	uint32_t count;         /* records in msg */
	uint64_t queued, dropped;
	struct ix_stats said;   /* the exporter's last IX_STATS */
};

struct ipfix_feed *ipfix_feed_new(int fd, uint32_t active_s, uint32_t idle_s)
{
	struct ipfix_feed *f = calloc(1, sizeof(*f));

	if (!f || flow_slots_init(&f->sent, sizeof(struct ixf_slot)) < 0) {
		free(f);
		return NULL;
	}
	f->fd = fd;
	f->active_ms = (uint64_t)active_s * 1000u;
	f->idle_ms = (uint64_t)idle_s * 1000u;
	return f;
}

void ipfix_feed_free(struct ipfix_feed *f)
{
	if (!f)
		return;
	flow_slots_free(&f->sent);
	free(f);
}

/* sendmsg and recvmsg, the calls the ui's seccomp table has for its
 * channels, never waiting. */
static ssize_t ixf_send(int fd, void *buf, size_t len)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };

	return sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static ssize_t ixf_recv(int fd, void *buf, size_t len)
{
	struct iovec v = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };

	return recvmsg(fd, &m, MSG_DONTWAIT);
}

/* The message so far goes; a full channel (the exporter lags) or an
 * exporter gone costs its records, counted. */
static void ixf_flush(struct ipfix_feed *f)
{
	struct ix_msg_head h = { .kind = IX_RECORDS, .count = f->count };

	if (!f->count)
		return;
	memcpy(f->msg, &h, sizeof(h));
	if (ixf_send(f->fd, f->msg, f->len) == (ssize_t)f->len)
		f->queued += f->count;
	else
		f->dropped += f->count;
	f->len = 0;
	f->count = 0;
}

/* Room for one more record of the most it can take. */
#define IXF_REC_MAX (sizeof(struct ix_rec) + IX_COMM_MAX + IX_USER_MAX + \
		     IX_UNIT_MAX + IX_CONTAINER_MAX + 8)

static void ixf_emit(struct ipfix_feed *f, struct ixf_slot *s,
		     const struct flow_entry *e, const struct ipfix_names *n,
		     uint64_t end_ms, uint8_t reason)
{
	const struct flow_wire *w = &e->w;
	const uint64_t now[4] = { w->orig_bytes, w->orig_packets,
				  w->reply_bytes, w->reply_packets };
	uint64_t delta[4];

	for (int i = 0; i < 4; i++)
		delta[i] = now[i] >= s->sent[i] ? now[i] - s->sent[i] : now[i];
	if (f->len + IXF_REC_MAX > sizeof(f->msg))
		ixf_flush(f);
	if (!f->len)
		f->len = sizeof(struct ix_msg_head);
	f->len += ipfix_rec_build(f->msg + f->len, e, n, delta, s->span_ms,
				  end_ms, s->flags, reason);
	f->count++;
	memcpy(s->sent, now, sizeof(now));
	s->span_ms = end_ms > s->span_ms ? end_ms : s->span_ms;
	s->flags = ipfix_state_flags(w->l4proto, w->state);
	s->once = 1;
}

/* A slot for e as first seen: its span from the flow's start when the
 * kernel said it (else from now), and nothing sent. */
static void ixf_fresh(struct ixf_slot *s, const struct flow_entry *e,
		      uint64_t now_ms)
{
	uint64_t start = e->w.start_ns ? e->w.start_ns / 1000000u : now_ms;

	memset(s, 0, sizeof(*s));
	s->key = flow_slots_key(e);
	s->span_ms = start < now_ms ? start : now_ms;
	s->moved_ms = s->span_ms;
}

static int ixf_moved(const struct ixf_slot *s, const struct flow_wire *w)
{
	return w->orig_bytes != s->sent[0] || w->orig_packets != s->sent[1] ||
	       w->reply_bytes != s->sent[2] || w->reply_packets != s->sent[3];
}

static uint64_t ixf_sent_sum(const struct ixf_slot *s)
{
	return s->sent[0] + s->sent[1] + s->sent[2] + s->sent[3];
}

/* A flow that had nothing unsent (its idle record went) and moves
 * again starts its next span at the last look before it moved, not at
 * that record's end: its bytes are not spread over the quiet time. */
static void ixf_wake(struct ixf_slot *s)
{
	if (s->once && s->seen == ixf_sent_sum(s) &&
	    s->looked_ms > s->span_ms)
		s->span_ms = s->looked_ms;
}

/* One flow at a dump's end: note what moved, send what is due. */
static int ixf_look(struct ipfix_feed *f, const struct flow_entry *e,
		    const struct ipfix_names *n, uint64_t now_ms)
{
	int fresh;
	struct ixf_slot *s = flow_slots_put(&f->sent, flow_slots_key(e),
					    &fresh);
	uint64_t sum;

	if (!s)
		return -1;
	if (fresh)
		ixf_fresh(s, e, now_ms);
	s->flags |= ipfix_state_flags(e->w.l4proto, e->w.state);
	/* Counters that moved since the last look moved now, as far as
	 * the dump's resolution tells. */
	sum = e->w.orig_bytes + e->w.orig_packets + e->w.reply_bytes +
	      e->w.reply_packets;
	if (sum != s->seen) {
		ixf_wake(s);
		s->seen = sum;
		s->moved_ms = now_ms;
	}
	s->looked_ms = now_ms;
	if (s->once && !ixf_moved(s, &e->w))
		return 0;
	if (now_ms - s->moved_ms >= f->idle_ms)
		ixf_emit(f, s, e, n, s->moved_ms, IX_END_IDLE);
	else if (now_ms - s->span_ms >= f->active_ms)
		ixf_emit(f, s, e, n, now_ms, IX_END_ACTIVE);
	return 0;
}

int ipfix_feed_pass(struct ipfix_feed *f, const struct flow_table *t,
		    const struct ipfix_names *n, uint64_t real_ms)
{
	for (size_t k = 0; k < flow_table_count(t); k++)
		if (ixf_look(f, flow_table_at(t, k), n, real_ms) < 0)
			return -1;
	ixf_flush(f);
	return 0;
}

void ipfix_feed_gone(struct ipfix_feed *f, const struct flow_entry *e,
		     const struct ipfix_names *n, uint64_t real_ms, int forced)
{
	struct ixf_slot one, *s = flow_slots_get(&f->sent, flow_slots_key(e));

	if (!s) {
		/* Came and went between two dumps. */
		s = &one;
		ixf_fresh(s, e, real_ms);
	}
	s->flags |= ipfix_state_flags(e->w.l4proto, e->w.state);
	if (ixf_moved(s, &e->w))
		ixf_wake(s);
	if (!s->once || ixf_moved(s, &e->w))
		ixf_emit(f, s, e, n, real_ms,
			 forced ? IX_END_FORCED : IX_END_FLOW);
	if (s != &one)
		flow_slots_del(&f->sent, s);
}

void ipfix_feed_finish(struct ipfix_feed *f, const struct flow_table *t,
		       const struct ipfix_names *n, uint64_t real_ms)
{
	for (size_t k = 0; k < flow_table_count(t); k++) {
		const struct flow_entry *e = flow_table_at(t, k);
		struct ixf_slot one, *s = flow_slots_get(&f->sent,
							 flow_slots_key(e));

		if (!s) {
			s = &one;
			ixf_fresh(s, e, real_ms);
		}
		if (ixf_moved(s, &e->w))
			ixf_wake(s);
		if (!s->once || ixf_moved(s, &e->w))
			ixf_emit(f, s, e, n, real_ms, IX_END_FORCED);
	}
	ixf_flush(f);
}

void ipfix_feed_counts(struct ipfix_feed *f, struct ipfix_counts *out)
{
	union {
		struct ix_stats st;
		unsigned char raw[sizeof(struct ix_stats) + 1];
	} m;
	ssize_t got;

	/* Only a message of the right size and kind counts. */
	while ((got = ixf_recv(f->fd, &m, sizeof(m))) > 0)
		if (got == (ssize_t)sizeof(m.st) && m.st.kind == IX_STATS)
			f->said = m.st;
	*out = (struct ipfix_counts){
		.queued = f->queued, .sent = f->said.sent,
		.dropped = f->dropped + f->said.dropped,
		.handoff_dropped = f->dropped,
		.lost = f->said.lost != 0,
	};
}
