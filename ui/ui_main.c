/* ui: receive the collector's stream, keep the table, print snapshots. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "privsep/lookup_wire.h"
#include "privsep/testhook.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/print.h"
#include "ui/screen.h"
#include "ui/tui.h"
#include "ui/ui.h"
#include "ui/ui_int.h"

#define UI_PING_TIMEOUT_MS 5000
/* How long a batch snapshot waits for lookups still in flight. */
#define UI_LOOKUP_WAIT_MS 1000



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

uint64_t ui_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The resolver must answer before we rely on it. */
static int ui_ping_resolver(struct msg_chan *res)
{
	uint64_t cookie = ui_mono_ns() ^ ((uint64_t)getpid() << 32), got;
	struct pollfd p = { .fd = res->fd, .events = POLLIN };
	const char *why;
	struct msg m;
	int r;

	if (msg_send(res, MSG_PING, &cookie, sizeof(cookie), -1) < 0)
		return ui_fail("cannot reach the resolver: %s",
			       strerror(errno));
	if (poll(&p, 1, UI_PING_TIMEOUT_MS) != 1)
		return ui_fail("the resolver did not answer in time");
	r = msg_recv(res, &m, &why);
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return UI_QUIET_FAIL;   /* the collector reports its end */
	if (r < 0)
		return ui_fail("bad message from the resolver: %s", why);
	memcpy(&got, m.payload, sizeof(got));
	if (m.type != MSG_PONG || got != cookie)
		return ui_fail("the resolver answered %s, not our ping",
			       msg_type_name(m.type));
	return 0;
}

static int ui_print(struct ui *u)
{
	size_t n = flow_table_count(u->table);

	if (n > u->sorted_cap) {
		const struct flow_entry **v = realloc(u->sorted, n * sizeof(*v));

		if (!v)
			return ui_fail("out of memory");
		u->sorted = v;
		u->sorted_cap = n;
	}
	n = flow_table_sorted(u->table, u->sorted, u->sorted_cap);
	u->print_due = 0;
	if (print_snapshot(stdout, &u->po, u->sorted, n, u->snap_real_ns) < 0 ||
	    fflush(stdout) == EOF) {
		/* A reader that went away (flowtop | head) is not an error. */
		if (errno == EPIPE)
			return UI_DONE;
		return ui_fail("writing to stdout: %s", strerror(errno));
	}
	u->printed++;
	return u->o->count && u->printed >= u->o->count ? UI_DONE : UI_GO_ON;
}

static void ui_ask_flow(void *ctx, const struct flow_entry *e)
{
	struct annots *a = ctx;
	const struct flow_wire *w = &e->w;

	annots_want(a, w->family, w->src);
	annots_want(a, w->family, w->dst);
	annots_want_service(a, w->l4proto, w->dport);
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

/* Print the snapshot due once every answer is in or the wait is over. */
static int ui_print_if_ready(struct ui *u)
{
	if (!u->print_due)
		return UI_GO_ON;
	if (annots_outstanding(u->annots) && ui_mono_ns() < u->print_deadline)
		return UI_GO_ON;
	return ui_print(u);
}

static int ui_flows(struct ui *u, const struct msg *m)
{
	size_t i, n = m->len / sizeof(struct flow_wire);
	uint64_t now = ui_mono_ns();

	for (i = 0; i < n; i++) {
		struct flow_wire r;
		const char *why;
		uint64_t at;

		memcpy(&r, (const unsigned char *)m->payload + i * sizeof(r),
		       sizeof(r));
		if (flow_wire_check(&r, &why) < 0)
			return ui_fail("bad flow record from the collector: %s",
				       why);
		at = r.event == FLOW_EV_DUMP ? u->dump.mono_ns : now;
		if (r.event == FLOW_EV_DUMP && !u->in_dump)
			return ui_fail("dump record outside a dump");
		if (flow_table_apply(u->table, &r, at, u->dump.seq) < 0)
			return ui_fail("out of memory");
	}
	return UI_GO_ON;
}

/* A slower refresh than asked for must not go unnoticed: say so on stderr
 * (stdout stays the data) each time the collector changes its cadence. */
static void ui_note_cadence(struct ui *u, const struct msg_dump_mark *mk)
{
	uint32_t want = u->o->interval_ms;

	if (mk->cadence_ms == (u->cadence_ms ? u->cadence_ms : want))
		return;
	u->cadence_ms = mk->cadence_ms;
	if (mk->cadence_ms == want)
		fprintf(stderr, "flowtop: refreshing every %.1f s again\n",
			want / 1000.0);
	else
		fprintf(stderr, "flowtop: a full table dump takes over half "
			"the %.1f s interval: refreshing every %.1f s\n",
			want / 1000.0, mk->cadence_ms / 1000.0);
}

/* An empty table is most often a kernel that tracks nothing: say why and
 * what helps, once, and when that changes. */
static void ui_note_tracking(struct ui *u, const struct msg_dump_mark *mk)
{
	int untracked = !!(mk->flags & DUMP_F_UNTRACKED);

	if (untracked == u->untracked)
		return;
	u->untracked = untracked;
	if (untracked)
		fputs("flowtop: the kernel tracks no flows here (no firewall "
		      "rule uses conntrack, yet packets flow or TCP "
		      "connections are open): try flowtop --track\n", stderr);
	else
		fputs("flowtop: the kernel tracks flows now\n", stderr);
}

static int ui_dump_mark(struct ui *u, const struct msg *m)
{
	struct msg_dump_mark mk;
	const char *why;

	if (msg_check_dump_mark(m, &why) < 0)
		return ui_fail("bad dump mark from the collector: %s", why);
	memcpy(&mk, m->payload, sizeof(mk));
	if (m->type == MSG_DUMP_BEGIN) {
		if (u->in_dump || mk.seq != u->dump.seq + 1)
			return ui_fail("dump %s out of order", "start");
		u->in_dump = 1;
		u->dump = mk;
		return UI_GO_ON;
	}
	if (!u->in_dump || mk.seq != u->dump.seq || mk.kind != u->dump.kind)
		return ui_fail("dump %s out of order", "end");
	u->in_dump = 0;
	/* A new selection drops flows that did not close: they don't linger. */
	if (u->linger)
		u->linger->muted = mk.kind == DUMP_FILTER;
	flow_table_dump_end(u->table, mk.seq);
	if (u->linger)
		u->linger->muted = 0;
	u->last_mark = mk;
	if (u->tui)
		return tui_dump_end(u, &mk);
	ui_note_cadence(u, &mk);
	ui_note_tracking(u, &mk);
	testhook_ui_dump(mk.seq, mk.kind, flow_table_count(u->table));
	if (ui_ask(u) < 0)
		return UI_QUIET_FAIL;   /* the resolver is gone */
	/* Only periodic dumps are snapshots. The first is the baseline;
	 * rates exist from the second on. */
	if (mk.kind != DUMP_PERIODIC || u->dumps++ == 0)
		return UI_GO_ON;
	/* A snapshot still waiting for names goes out now, as it is. */
	if (u->print_due) {
		int r = ui_print(u);

		if (r != UI_GO_ON)
			return r;
	}
	flow_table_rates(u->table, mk.mono_ns);
	u->snap_real_ns = mk.real_ns;
	u->print_due = 1;
	u->print_deadline = ui_mono_ns() + UI_LOOKUP_WAIT_MS * 1000000ull;
	return ui_print_if_ready(u);
}

static int ui_dispatch(struct ui *u, const struct msg *m)
{
	const char *why;

	if (!u->hello && m->type != MSG_HELLO)
		return ui_fail("%s before HELLO from the collector",
			       msg_type_name(m->type));
	switch (m->type) {
	case MSG_HELLO:
		if (u->hello || msg_check_hello(m, &why) < 0)
			return ui_fail("bad HELLO from the collector: %s",
				       u->hello ? "repeated" : why);
		u->hello = 1;
		return UI_GO_ON;
	case MSG_DUMP_BEGIN:
	case MSG_DUMP_END:
		return ui_dump_mark(u, m);
	case MSG_FLOWS:
		return ui_flows(u, m);
	case MSG_CMDLINE_ANS:
		if (!u->tui)
			break;
		if (msg_check_cmdline_ans(m, &why) < 0)
			return ui_fail("bad command line from the collector: %s",
				       why);
		tui_cmdline(u, m->payload);
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
		if (msg_check_res_info(&m, &why) < 0)
			return ui_fail("bad resolver info: %s", why);
		memcpy(&u->res_info, m.payload, sizeof(u->res_info));
		u->res_known = 1;
		return UI_GO_ON;
	}
	if (r == 1) {
		u->annots_changed = 1;
		if (annots_apply(u->annots, &m, &why) < 0)
			return ui_fail("bad answer from the resolver: %s", why);
		return ui_print_if_ready(u);
	}
	if (r < 0 && errno != ECONNRESET)
		return ui_fail("bad message from the resolver: %s", why);
	return UI_QUIET_FAIL;
}

static int ui_loop(struct ui *u)
{
	struct pollfd p[2] = {
		{ .fd = u->col->fd, .events = POLLIN },
		{ .fd = u->res->fd, .events = POLLIN },
	};
	int r = UI_GO_ON;

	while (r == UI_GO_ON) {
		int timeout = -1;

		if (u->print_due) {
			uint64_t now = ui_mono_ns();

			timeout = now >= u->print_deadline ? 0 :
				(int)((u->print_deadline - now) / 1000000u) + 1;
		}
		if (poll(p, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return ui_fail("poll: %s", strerror(errno));
		}
		if (p[1].revents)
			r = ui_from_resolver(u);
		if (r == UI_GO_ON && p[0].revents)
			r = ui_from_collector(u);
		if (r == UI_AGAIN)
			r = UI_GO_ON;
		if (r == UI_GO_ON)
			r = ui_print_if_ready(u);
	}
	return r;
}

/* Whether ui_prepare opened the screen; its ping's outcome. */
static int ui_screen_on, ui_pinged, ui_ping_rc;

/* Not on a terminal (output to a file or a pipe, no input), flowtop
 * prints the text table every interval, as batch mode without a count.
 * The screen opens once the resolver has answered: what it has to say
 * about its files (a database refused, a missing tcp.conf) is on the
 * terminal by then, not scribbled over the screen. */
int ui_prepare(const struct options *o, struct msg_chan *res)
{
	if (o->batch || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return 0;
	ui_pinged = 1;
	ui_ping_rc = ui_ping_resolver(res);
	if (ui_ping_rc < 0)
		return 0;       /* ui_main reports nothing more: it ends */
	if (screen_open(stdout, stdin) < 0)
		return -1;
	ui_screen_on = 1;
	return 0;
}

int ui_main(const struct options *o, struct msg_chan *col,
	    struct msg_chan *res)
{
	struct ui u = {
		.o = o, .col = col, .res = res,
		.po = { .json = o->output == OUT_JSON, .bits = o->bits,
			.show_src = o->show_src, .annot = annots_get,
			.service = annots_service },
	};
	uint8_t parts = (o->no_dns ? 0 : LOOKUP_DNS) |
			(o->no_geoip ? 0 : LOOKUP_GEO);
	int r;

	u.table = flow_table_new();
	u.annots = annots_new(parts, 1);
	u.po.ctx = u.annots;
	if (!u.table || !u.annots) {
		fprintf(stderr, "flowtop: ui: out of memory\n");
		return 1;
	}
	r = ui_pinged ? ui_ping_rc : ui_ping_resolver(u.res);
	if (r == 0)
		r = ui_screen_on ? tui_run(&u) : ui_loop(&u);
	flow_table_free(u.table);
	annots_free(u.annots);
	free(u.sorted);
	return r < 0 ? 1 : 0;
}
