/* SPDX-License-Identifier: GPL-2.0-only */
/* stream: batching conntrack records to the ui. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "collector/cmdline.h"
#include "collector/stream.h"

void stream_init(struct stream *s, struct ct_source *ct, struct msg_chan *ui)
{
	memset(s, 0, sizeof(*s));
	s->ct = ct;
	s->ui = ui;
	untracked_open(&s->unt, UNTRACKED_PROC_NET);
}

static int stream_send(struct stream *s, uint32_t type, const void *p,
		       uint32_t len)
{
	if (msg_send(s->ui, type, p, len) < 0) {
		snprintf(s->err, sizeof(s->err), "sending %s to the ui: %s",
			 msg_type_name(type), strerror(errno));
		return -1;
	}
	return 0;
}

/* The records whose socket procmap_ask found: one walk of /proc for all
 * of them, then their owners; flowtop's own are dropped from the batch. */
static void stream_settle(struct stream *s)
{
	size_t i, out = 0;

	s->settle_due_ms = 0;
	if (!s->ndeferred)
		return;
	procmap_walk_pending(s->pm);
	s->details_wait = procmap_details(s->pm, 0);
	for (i = 0; i < s->n; i++) {
		struct flow_wire *w = &s->batch[i];

		if (s->deferred[i] && procmap_fill(s->pm, w) == PROCMAP_HIDE)
			continue;
		if (out != i)
			s->batch[out] = *w;
		out++;
	}
	memset(s->deferred, 0, s->n);
	s->ndeferred = 0;
	s->n = out;
}

static int stream_send_gone(void *ctx, const struct msg_owner_gone *g,
			    size_t n)
{
	return stream_send(ctx, MSG_OWNERS_GONE, g,
			   (uint32_t)(n * sizeof(*g)));
}

static int stream_send_owner(void *ctx, const struct msg_owner *o)
{
	return stream_send(ctx, MSG_OWNER, o, sizeof(*o));
}

static int stream_flush(struct stream *s)
{
	uint32_t len;

	stream_settle(s);
	/* The owners first: the ui links the flows that name them. */
	if (s->pm && procmap_news(s->pm, stream_send_gone, stream_send_owner,
				  s) < 0)
		return -1;
	if (s->n == 0)
		return 0;
	len = (uint32_t)(s->n * sizeof(struct flow_wire));
	s->n = 0;
	return stream_send(s, MSG_FLOWS, s->batch, len);
}

void stream_set_procmap(struct stream *s, struct procmap *pm)
{
	s->pm = pm;
}

/* A socket opened a moment before its flow began (an accepted TCP socket
 * appears only once the handshake is done): a flow that started this long
 * before the last full refresh and had no socket then never will. */
#define STREAM_YOUNG_NS (2ull * 1000000000ull)

/* Whether a flow of this host's with no socket may still get one: it
 * started late enough, or its start is not known. */
static int stream_young(const struct stream *s, const struct flow_wire *w)
{
	return !w->start_ns || !s->pm_full_real ||
	       w->start_ns + STREAM_YOUNG_NS > s->pm_full_real;
}

/* The owner of a flow. A NEW flow to or from this host that no known
 * socket matches was most likely opened a moment ago: its socket is asked
 * of the kernel by its exact tuple at once, while it exists, and its
 * process looked for when the batch is sent (stream_settle: one walk for
 * a burst), so that short-lived processes, flowtop's own DNS queries
 * among them, are caught. Where the kernel can't be asked so (ping), the
 * socket table is dumped again instead (procmap limits how often). A
 * flow of an address another network namespace holds waits for that
 * namespace's table, read once for the batch (procmap_ask). */
static int stream_owner(struct stream *s, struct flow_wire *w, int *defer)
{
	int r, q;

	*defer = 0;
	/* A container just started: its namespace first, so that its flow
	 * is not taken for one from outside. */
	procmap_find_ns(s->pm, w);
	r = procmap_fill(s->pm, w);
	if (r == PROCMAP_UNSEEN && w->event == FLOW_EV_NEW) {
		q = procmap_ask(s->pm, w);
		if (q > 0) {
			*defer = 1;
			return procmap_fill(s->pm, w);
		}
		if (q < 0 &&
		    procmap_refresh(s->pm, PROCMAP_ON_DEMAND, w->l4proto) != 0)
			r = procmap_fill(s->pm, w);
	}
	if (r == PROCMAP_UNSEEN && stream_young(s, w))
		s->unseen_young++;
	return r;
}

static int stream_emit(const struct flow_wire *rec, void *arg)
{
	struct stream *s = arg;
	struct flow_wire *w = &s->batch[s->n];
	int defer = 0;

	*w = *rec;
	if (s->pm && stream_owner(s, w, &defer) == PROCMAP_HIDE)
		return 0;
	s->deferred[s->n] = (uint8_t)defer;
	s->ndeferred += (size_t)defer;
	if (++s->n == STREAM_BATCH)
		return stream_flush(s);
	return 0;
}

int stream_hello(struct stream *s, uint32_t interval_ms)
{
	struct msg_hello h = {
		.version = MSG_PROTO_VERSION, .interval_ms = interval_ms,
	};

	s->cadence_ms = interval_ms;
	s->interval_ms = interval_ms;

	return stream_send(s, MSG_HELLO, &h, sizeof(h));
}

/* Sockets first, so the dump's records find their owners; a failure
 * only leaves owners as they were. An idle table skips the periodic
 * socket dump: it walks the kernel's whole socket hash, a cost that does
 * not shrink with the table and bought nothing when every flow of this
 * host's already had its socket (see stream.h). */
static void stream_refresh_sockets(struct stream *s, uint32_t kind)
{
	uint64_t now = clock_mono_ns();
	int r;

	if (!s->pm)
		return;
	if (kind != DUMP_PERIODIC) {
		r = procmap_refresh(s->pm, PROCMAP_ON_DEMAND, 0);
	} else if (s->pm_full_mono && !s->unseen_young &&
		   !procmap_pending(s->pm) && now - s->pm_full_mono <
		   STREAM_SOCKETS_MAX_AGE_MS * 1000000ull) {
		r = 0;
	} else {
		r = procmap_refresh(s->pm, PROCMAP_PERIODIC, 0);
		s->pm_full_mono = now;
		s->pm_full_real = clock_real_ns();
		s->pm_full_runs++;
	}
	if (r < 0)
		s->pm_errors++;
	if (kind == DUMP_PERIODIC)
		s->unseen_young = 0;    /* this dump counts afresh */
}

/* Not one entry in the kernel's table (whatever the selection) while the
 * host holds established TCP connections, or while packets flow
 * (untracked.h): they would be tracked if any rule used conntrack. The
 * counters are sampled at every dump, so that "between dumps" holds. */
static int stream_untracked(struct stream *s)
{
	uint64_t entries = ct_dump_entries(s->ct);
	int flowing;

	if (s->tracking_forced)
		return 0;
	flowing = untracked_sample(&s->unt, entries);
	return entries == 0 &&
	       (flowing || (s->pm && procmap_tcp_established(s->pm) > 0));
}

int stream_dump(struct stream *s, uint32_t kind)
{
	struct msg_dump_mark mk;
	char err[200];

	stream_refresh_sockets(s, kind);
	memset(&mk, 0, sizeof(mk));
	mk.seq = s->seq + 1;
	mk.kind = kind;
	mk.cadence_ms = s->cadence_ms;
	mk.resyncs = s->resyncs;
	mk.mono_ns = clock_mono_ns();
	mk.real_ns = clock_real_ns();
	s->err[0] = 0;
	if (stream_flush(s) < 0 ||
	    stream_send(s, MSG_DUMP_BEGIN, &mk, sizeof(mk)) < 0)
		return -1;
	if (ct_dump(s->ct, stream_emit, s, err, sizeof(err)) < 0) {
		/* A failed send already said why; else conntrack did. */
		if (!s->err[0])
			snprintf(s->err, sizeof(s->err), "%s", err);
		return -1;
	}
	mk.took_ns = clock_mono_ns() - mk.mono_ns;
	if (mk.took_ns == 0)
		mk.took_ns = 1;
	if (stream_untracked(s))
		mk.flags |= DUMP_F_UNTRACKED;
	if (stream_flush(s) < 0 ||
	    stream_send(s, MSG_DUMP_END, &mk, sizeof(mk)) < 0)
		return -1;
	s->seq = mk.seq;
	s->resync_due = ct_dump_lost_events(s->ct);
	return 0;
}

int stream_resync_due(const struct stream *s)
{
	return s->resync_due;
}

int stream_resync(struct stream *s)
{
	s->err[0] = 0;
	s->resyncs++;
	return stream_dump(s, DUMP_RESYNC);
}

uint64_t stream_settle_due(const struct stream *s)
{
	uint64_t ns;

	if (!s->settle_due_ms && s->details_wait)
		return clock_mono_ms();
	/* New flows of another namespace wait for its table, which was
	 * read a moment ago and is read again a few ms later. */
	if (s->settle_due_ms && s->pm &&
	    (ns = procmap_hold_until_ms(s->pm)) > s->settle_due_ms)
		return ns;
	return s->settle_due_ms;
}

int stream_release(struct stream *s, int idle)
{
	s->err[0] = 0;
	/* Events first: they tell of more new flows, whose sockets and pids
	 * must be found while they exist; the details of owners found wait
	 * (a few are read anyway, so that a busy table can't starve them). */
	if (s->pm)
		s->details_wait = procmap_details(s->pm, idle ?
			STREAM_DETAILS_IDLE : STREAM_DETAILS_BUSY);
	return stream_flush(s);
}

int stream_events(struct stream *s)
{
	char err[200];
	int r;

	s->err[0] = 0;
	r = ct_read_events(s->ct, stream_emit, s, err, sizeof(err));
	if (r < 0) {
		if (!s->err[0])
			snprintf(s->err, sizeof(s->err), "%s", err);
		return -1;
	}
	/* Held a moment for more of a burst, unless the kernel dropped
	 * events (the dump below sends it first). */
	if (r != 1 && s->ndeferred) {
		if (!s->settle_due_ms)
			s->settle_due_ms = clock_mono_ms() + STREAM_SETTLE_MS;
		return 0;
	}
	if (stream_flush(s) < 0)
		return -1;
	if (r == 1)     /* the kernel dropped events: only a dump is exact */
		return stream_resync(s);
	return 0;
}

/* Whether one more refresh may be answered in this interval. */
static int stream_refresh_allowed(struct stream *s)
{
	uint64_t now = clock_mono_ms();

	if (!s->interval_ms) {          /* before the stream's HELLO */
		s->refresh_dropped++;
		return 0;
	}
	if (now - s->refresh_window_ms >= s->interval_ms) {
		s->refresh_window_ms = now;
		s->refresh_in_window = 0;
	}
	if (s->refresh_in_window >= STREAM_REFRESH_BURST) {
		s->refresh_dropped++;
		return 0;
	}
	s->refresh_in_window++;
	return 1;
}

/* The flows the screen shows, fresh from the kernel; what events are
 * batched goes first, so the ui sees them in order. */
static int stream_refresh(struct stream *s, const struct msg *m)
{
	const unsigned char *p = m->payload;
	struct msg_refresh h;
	size_t n = (m->len - sizeof(h)) / sizeof(struct flow_key);
	char err[200];

	memcpy(&h, p, sizeof(h));
	s->need = h.flags & REFRESH_F_ALL ? STREAM_NEED_ALL :
		  h.flags & REFRESH_F_ORDER ? STREAM_NEED_ORDER : STREAM_NEED_ROWS;
	if (!n || !stream_refresh_allowed(s))
		return 0;
	memcpy(s->keys, p + sizeof(h), n * sizeof(struct flow_key));
	if (stream_flush(s) < 0)
		return -1;
	if (ct_get_entries(s->ct, s->keys, n, stream_emit, s, err,
			   sizeof(err)) < 0) {
		if (!s->err[0])
			snprintf(s->err, sizeof(s->err), "%s", err);
		return -1;
	}
	s->refreshes++;
	return stream_flush(s);
}

uint64_t stream_sockets_due(const struct stream *s)
{
	if (!s->pm)
		return 0;
	/* Rounded up: stream_sockets_tick counts in ns, and a due time a
	 * fraction of a ms early would make the loop spin until then. */
	return (s->pm_full_mono + 999999ull) / 1000000ull +
	       STREAM_SOCKETS_MAX_AGE_MS;
}

int stream_sockets_tick(struct stream *s)
{
	uint64_t now = clock_mono_ns();

	s->err[0] = 0;
	if (!s->pm || now - s->pm_full_mono <
	    STREAM_SOCKETS_MAX_AGE_MS * 1000000ull)
		return 0;
	if (procmap_refresh(s->pm, PROCMAP_PERIODIC, 0) < 0)
		s->pm_errors++;
	s->pm_full_mono = now;
	s->pm_full_real = clock_real_ns();
	s->pm_full_runs++;
	/* The owners found gone go to the ui now. */
	return stream_flush(s);
}

int stream_control(struct stream *s, const struct msg *m)
{
	struct msg_filter f;

	s->err[0] = 0;
	switch (m->type) {
	case MSG_CTL_REFRESH:
		return stream_refresh(s, m);
	case MSG_CTL_FILTER:
		memcpy(&f, m->payload, sizeof(f));
		/* Events follow it at once, dumps from the next periodic one:
		 * never a dump of its own, or a ui (a key held down) could
		 * have dumps made back to back. The screen filters what it
		 * holds meanwhile. */
		ct_set_selection(s->ct, f.sel);
		return 0;
	case MSG_CMDLINE_REQ: {
		struct msg_cmdline_req q;
		struct msg_cmdline_ans a;
		int dfd;

		memcpy(&q, m->payload, sizeof(q));
		/* Only a process flowtop names to this user, checked again
		 * now (procmap_pid_dir): the collector reads /proc with
		 * privilege, the user may not see other users' processes. */
		dfd = s->pm ? procmap_pid_dir(s->pm, q.pid) : -1;
		cmdline_read(dfd, q.pid, &a);
		if (dfd >= 0)
			close(dfd);
		return stream_send(s, MSG_CMDLINE_ANS, &a, sizeof(a));
	}
	default:
		snprintf(s->err, sizeof(s->err), "unexpected %s from the ui",
			 msg_type_name(m->type));
		return -1;
	}
}
