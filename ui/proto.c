/* SPDX-License-Identifier: GPL-2.0-only */
/* proto: the ui's side of its two channels: the collector's stream of
 * flows and dump marks, the resolver's answers, the questions put to it.
 * It keeps the flow table and calls the front-end (batch.c or tui.c)
 * through struct ui_frontend only; no front-end is known here. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "privsep/testhook.h"
#include "ui/alert.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/ipfix_feed.h"
#include "ui/owners.h"
#include "ui/linger.h"
#include "ui/record.h"
#include "ui/ui_int.h"

/* How long the resolver may take to answer a ping, the collector a sync. */
#define UI_ANSWER_TIMEOUT_MS 5000

__attribute__((format(printf, 1, 2)))
int ui_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("flowtop: ui: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return UI_FAIL;
}

/* Send one request on c and wait (bounded) for the next message, in *m.
 * 0, or a UI_* failure code, reported. A peer gone is the collector's to
 * report. */
static int ui_request(struct msg_chan *c, uint32_t type, const void *p,
		      uint32_t len, struct msg *m)
{
	struct pollfd pf = { .fd = c->fd, .events = POLLIN };
	const char *why;
	int r;

	if (msg_send(c, type, p, len) < 0)
		return errno == EPIPE || errno == ECONNRESET ? UI_QUIET_FAIL :
			ui_fail("cannot reach the %s: %s", c->peer,
				strerror(errno));
	if (poll(&pf, 1, UI_ANSWER_TIMEOUT_MS) != 1)
		return ui_fail("the %s did not answer in time", c->peer);
	r = msg_recv(c, m, &why);
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return UI_QUIET_FAIL;
	if (r < 0)
		return ui_fail("bad message from the %s: %s", c->peer, why);
	return 0;
}

/* The resolver must answer before we rely on it. */
int ui_ping_resolver(struct msg_chan *res)
{
	uint64_t cookie = clock_mono_ns() ^ ((uint64_t)getpid() << 32), got;
	struct msg m;
	int r = ui_request(res, MSG_PING, &cookie, sizeof(cookie), &m);

	if (r < 0)
		return r;
	memcpy(&got, m.payload, sizeof(got));
	if (m.type != MSG_PONG || got != cookie)
		return ui_fail("the resolver answered %s, not our ping",
			       msg_type_name(m.type));
	return 0;
}

/* Ask the collector for the stream; its answer is the first message it
 * sends, once it has relayed what the other roles said so far
 * (privsep/msg.h, struct msg_sync). */
int ui_sync_collector(struct msg_chan *col, int screen)
{
	struct msg_sync y = { .screen = screen ? 1 : 0 }, got;
	struct msg m;
	int r = ui_request(col, MSG_SYNC_REQ, &y, sizeof(y), &m);

	if (r < 0)
		return r;
	if (m.type != MSG_SYNC_ANS)
		return ui_fail("%s before SYNC_ANS from the collector",
			       msg_type_name(m.type));
	memcpy(&got, m.payload, sizeof(got));
	if (got.screen != y.screen)
		return ui_fail("the collector answered another sync");
	return 0;
}

static void ui_ask_flow(void *ctx, const struct flow_entry *e)
{
	struct annots *a = ctx;
	const struct flow_wire *w = &e->w;

	annots_want(a, w->family, w->src);
	annots_want(a, w->family, w->dst);
	annots_want_service(a, w->l4proto, w->dport);
}

/* Exited processes that no listed or lingering flow names are
 * forgotten, once a dump has said which flows are left. */
static void ui_owners_sweep(struct ui *u)
{
	const struct flow_entry *e;

	if (!owners_exited(u->owners))
		return;
	owners_sweep_begin(u->owners);
	for (size_t i = 0; (e = flow_table_at(u->table, i)); i++)
		if (e->w.pid)
			owners_keep(u->owners, e->w.pid);
	for (size_t i = 0; u->linger && i < linger_count(u->linger); i++)
		owners_keep(u->owners, linger_at(u->linger, i)->e.w.pid);
	owners_sweep_end(u->owners);
}

/* Ask the resolver about every address and port in the table that it
 * has not been asked about yet. Only flows new since the last ask can
 * hold such a thing (the rest were asked for then), unless the answers
 * were dropped since: walking 250k flows after every dump costs some
 * 30 ms, which the screen would feel. */
int ui_ask(struct ui *u)
{
	uint64_t gen = annots_generation(u->annots);

	if (gen != u->asked_gen) {
		for (size_t i = 0; i < flow_table_count(u->table); i++)
			ui_ask_flow(u->annots, flow_table_at(u->table, i));
	}
	/* Drained either way, so the log starts afresh. */
	flow_table_each_new(u->table, ui_ask_flow, u->annots);
	/* A start-over during these asks wiped some of them: next time,
	 * everything again. */
	u->asked_gen = gen;
	return annots_send(u->annots, u->res);
}

static int ui_flows(struct ui *u, const struct msg *m)
{
	size_t i, n = m->len / sizeof(struct flow_wire);
	uint64_t now = clock_mono_ns();
	uint64_t changes = flow_table_changes(u->table);

	for (i = 0; i < n; i++) {
		struct flow_wire r;
		uint64_t at;

		memcpy(&r, (const unsigned char *)m->payload + i * sizeof(r),
		       sizeof(r));
		at = r.event == FLOW_EV_DUMP ? u->dump.mono_ns : now;
		if (r.event == FLOW_EV_DUMP && !u->in_dump)
			return ui_fail("dump record outside a dump");
		if (flow_table_apply(u->table, &r, at, u->dump.seq) < 0)
			return ui_fail("out of memory");
		u->readings |= r.event == FLOW_EV_DUMP ||
			       r.event == FLOW_EV_REFRESH;
	}
	if (flow_table_changes(u->table) != changes)
		testhook_ui_changed();
	return UI_GO_ON;
}

int ui_send_refresh(struct ui *u, const struct flow_key *keys, size_t n,
		    uint32_t flags)
{
	unsigned char buf[sizeof(struct msg_refresh) +
			  MSG_REFRESH_MAX * sizeof(struct flow_key)];
	struct msg_refresh h = { .flags = flags };

	if (n > MSG_REFRESH_MAX)
		n = MSG_REFRESH_MAX;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), keys, n * sizeof(*keys));
	return msg_send(u->col, MSG_CTL_REFRESH, buf,
			(uint32_t)(sizeof(h) + n * sizeof(*keys)));
}

int ui_send_replay(struct ui *u, uint32_t op)
{
	struct msg_replay_ctl c = { .op = op };

	return msg_send(u->col, MSG_CTL_REPLAY, &c, sizeof(c));
}

int ui_send_sel(struct ui *u, uint32_t sel)
{
	struct msg_filter f = { .sel = sel };

	u->sel_moved |= u->sel ^ sel;
	u->sel = sel;
	return msg_send(u->col, MSG_CTL_FILTER, &f, sizeof(f));
}

static int ui_dump_mark(struct ui *u, const struct msg *m)
{
	struct msg_dump_mark mk;
	uint64_t changes;

	memcpy(&mk, m->payload, sizeof(mk));
	if (m->type == MSG_DUMP_BEGIN) {
		if (u->in_dump || mk.seq != u->dump.seq + 1)
			return ui_fail("dump %s out of order", "start");
		u->in_dump = 1;
		u->dump = mk;
		u->sel_moved_before = u->sel_moved;
		u->sel_moved = 0;
		return UI_GO_ON;
	}
	if (!u->in_dump || mk.seq != u->dump.seq || mk.kind != u->dump.kind)
		return ui_fail("dump %s out of order", "end");
	u->in_dump = 0;
	/* A new selection drops flows that did not close: they don't linger.
	 * The dump followed a selection asked for before its start, or the
	 * one before that (a request may cross a dump on the way): flows of
	 * the bits that changed since then, or that are off now, are not
	 * taken for closed. */
	u->muted_sel = ~u->sel | u->sel_moved | u->sel_moved_before;
	if (u->linger)
		u->linger->muted_sel = u->muted_sel;
	changes = flow_table_changes(u->table);
	flow_table_dump_end(u->table, mk.seq);
	if (flow_table_changes(u->table) != changes)
		testhook_ui_changed();
	u->muted_sel = 0;
	if (u->linger)
		u->linger->muted_sel = 0;
	ui_owners_sweep(u);
	u->last_mark = mk;
	if (u->rec && mk.kind == DUMP_PERIODIC &&
	    record_pass(u->rec, u->table, &u->po, mk.real_ns) < 0)
		return ui_fail("--record: the recorder is gone");
	if (ui_alert_pass(u, UI_ALERT_DUMP) < 0)
		return UI_FAIL;
	if (u->ipfix && mk.kind == DUMP_PERIODIC) {
		struct ipfix_names n = ui_ipfix_names(u);

		if (ipfix_feed_pass(u->ipfix, u->table, &n,
				    mk.real_ns / 1000000u) < 0)
			return ui_fail("out of memory");
	}
	return u->fe->dump_end(u, &mk);
}

static struct alert_ctx ui_alert_ctx(struct ui *u)
{
	int geo = !u->o->no_geoip && (!u->res_known || u->res_info.geo_dbs);

	return (struct alert_ctx){ .table = u->table, .owners = u->owners,
				   .annots = u->annots, .geo = geo };
}

int ui_alert_pass(struct ui *u, int how)
{
	struct alert_ctx c = ui_alert_ctx(u);
	uint64_t now = clock_mono_ns();

	if (!u->alert)
		return 0;
	if (how == UI_ALERT_FINAL)
		alert_flush(u->alert, &c);
	else if (how == UI_ALERT_SETTLE)
		alert_settle(u->alert, &c, now);
	else
		alert_pass(u->alert, &c, now);
	if (alert_save(u->alert, now, how == UI_ALERT_FINAL) < 0)
		return ui_fail("%s: the baseline's writer is gone",
			       u->o->alert ? "--alert" : "--learn");
	return 0;
}

void ui_flow_gone(void *ctx, const struct flow_entry *e)
{
	struct ui *u = ctx;
	int muted;

	if (u->alert) {
		struct alert_ctx c = ui_alert_ctx(u);

		alert_gone(u->alert, &c, e);
	}
	if (u->linger)
		linger_gone(u->linger, e);
	muted = (flow_sel_bits(&e->w) & u->muted_sel) != 0;
	if (u->ipfix) {
		struct ipfix_names n = ui_ipfix_names(u);

		ipfix_feed_gone(u->ipfix, e, &n, clock_real_ns() / 1000000u,
				muted);
	}
	if (!u->rec)
		return;
	if (muted)
		record_forget(u->rec, e);
	else
		(void)record_end(u->rec, e, &u->po, clock_real_ns());
}

struct ipfix_names ui_ipfix_names(const struct ui *u)
{
	return (struct ipfix_names){ .owners = u->owners,
				     .users = u->po.users };
}

static int ui_owner_msg(struct ui *u, const struct msg *m)
{
	if (m->type == MSG_OWNER) {
		struct msg_owner o;

		memcpy(&o, m->payload, sizeof(o));
		if (owners_put(u->owners, &o) < 0)
			return ui_fail("out of memory");
		return UI_GO_ON;
	}
	for (size_t i = 0; i < m->len / sizeof(struct msg_owner_gone); i++) {
		struct msg_owner_gone g;

		memcpy(&g, (const char *)m->payload + i * sizeof(g), sizeof(g));
		owners_gone(u->owners, g.pid, g.start);
	}
	return UI_GO_ON;
}

/* m's contents passed the catalogue's check (msg_decode); what is left
 * is whether it may come now. */
static int ui_dispatch(struct ui *u, const struct msg *m)
{
	if (!u->hello && m->type != MSG_HELLO)
		return ui_fail("%s before HELLO from the collector",
			       msg_type_name(m->type));
	switch (m->type) {
	case MSG_HELLO:
		if (u->hello)
			return ui_fail("repeated HELLO from the collector");
		u->hello = 1;
		return UI_GO_ON;
	case MSG_DUMP_BEGIN:
	case MSG_DUMP_END:
		return ui_dump_mark(u, m);
	case MSG_FLOWS:
		return ui_flows(u, m);
	case MSG_OWNER:
	case MSG_OWNERS_GONE:
		return ui_owner_msg(u, m);
	case MSG_CMDLINE_ANS:
		if (!u->fe->cmdline)
			break;          /* asked for only by the screen */
		u->fe->cmdline(u, m->payload);
		return UI_GO_ON;
	case MSG_REPLAY_STATE:
		if (!u->o->replay)
			break;          /* only a replay says it */
		memcpy(&u->replay, m->payload, sizeof(u->replay));
		return UI_GO_ON;
	default:
		break;
	}
	return ui_fail("unexpected %s from the collector",
		       msg_type_name(m->type));
}

int ui_from_collector(struct ui *u)
{
	const char *why;
	struct msg m;
	int r = msg_recv_nb(u->col, &m, &why);

	if (r == -2)
		return UI_AGAIN;
	/* The collector closes the channel to stop us, and reports why. */
	if (r == 0)
		return UI_QUIET_FAIL;
	if (r < 0)
		return ui_fail("bad message from the collector: %s", why);
	return ui_dispatch(u, &m);
}

/* Answers to lookups; a PONG now was never asked for. The resolver's
 * end, the collector sees and reports. */
int ui_from_resolver(struct ui *u)
{
	const char *why;
	struct msg m;
	int r = msg_recv_nb(u->res, &m, &why);

	if (r == -2)
		return UI_AGAIN;
	if (r == 1 && m.type == MSG_PONG)
		return ui_fail("the resolver sent an unrequested %s",
			       msg_type_name(m.type));
	if (r == 1 && m.type == MSG_RES_INFO) {
		memcpy(&u->res_info, m.payload, sizeof(u->res_info));
		u->res_known = 1;
		return UI_GO_ON;
	}
	if (r == 1) {
		u->annots_changed = 1;
		annots_apply(u->annots, &m);
		return u->fe->answers ? u->fe->answers(u) : UI_GO_ON;
	}
	if (r < 0 && errno != ECONNRESET)
		return ui_fail("bad message from the resolver: %s", why);
	return UI_QUIET_FAIL;
}

