/* SPDX-License-Identifier: GPL-2.0-only */
/* tui: the interactive loop. Each turn: keys first (so a key is seen on
 * the next frame whatever the churn), then either a part of the rows'
 * build or the resolver's answers and the collector's stream, each for
 * at most a time slice, then a frame if one is due. Rows are rebuilt
 * (filter, sort) when a key changed them, or at most TUI_BUILD_NS apart
 * when the data changed; frames at most TUI_FRAME_NS apart. */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "privsep/landlock.h"
#include "privsep/testhook.h"
#include "ui/alert.h"
#include "ui/ipfix_feed.h"
#include "ui/keys.h"
#include "ui/screen.h"
#include "ui/ui_int.h"
#include "ui/view.h"

#define TUI_FRAME_NS (33ull * 1000000)        /* ~30 frames a second */
#define TUI_BUILD_NS (250ull * 1000000)       /* data-driven rebuilds */
#define TUI_SLICE_NS (8ull * 1000000)         /* collector work per turn */
#define TUI_PART_NS (8ull * 1000000)          /* rebuild work per turn */
#define TUI_IDLE_NS (1000ull * 1000000)       /* ages tick every second */
#define TUI_RES_BATCH 64

struct tui {
	struct ui *u;
	struct view v;
	struct view_src src;
	struct linger_set lg;
	struct screen_info si;
	char input[VIEW_FILTER_LEN];
	char cmdline[MSG_CMDLINE_LEN];
	uint32_t asked_pid;
	int quit;
	int data_changed;     /* table or names changed since the last build */
	int rebuild_now;      /* a key changed what the rows are */
	int readings;         /* counters came since rates were last worked out */
	int redraw;
	uint64_t part_ns;     /* a build's work per turn (0: a stage, test) */
	uint64_t builds, steps;   /* finished, and the steps taken (tests) */
	uint64_t last_build, last_draw;
	uint64_t next_refresh;    /* when the rows shown are asked for again */
	uint32_t refresh_flags;   /* what the collector was last told */
	struct flow_key keys[MSG_REFRESH_MAX];
};

/* Rates are worked out at the rebuilds for new data (tui_build), from the
 * readings the sweeps and the refreshes of the rows shown bring. */
static int tui_dump_end(struct ui *u, const struct msg_dump_mark *mk)
{
	if (mk->kind == DUMP_PERIODIC)
		u->dumps++;
	if (u->tui)
		u->tui->data_changed = 1;
	return ui_ask(u) < 0 ? UI_QUIET_FAIL : UI_GO_ON;
}

static void tui_cmdline(struct ui *u, const void *payload)
{
	struct tui *t = u->tui;
	struct msg_cmdline_ans a;

	memcpy(&a, payload, sizeof(a));
	if (a.pid != t->asked_pid)
		return;     /* an answer for a flow no longer selected */
	memcpy(t->cmdline, a.text, sizeof(t->cmdline));
	t->cmdline[sizeof(t->cmdline) - 1] = 0;
	if (!a.found)
		strcpy(t->cmdline, "(gone)");
	t->si.cmdline = t->cmdline;
	t->si.cmdline_pid = a.pid;
	t->redraw = 1;
}

/* The detail pane shows the selected flow's command line: ask once per
 * pid. */
static int tui_want_cmdline(struct tui *t)
{
	int closed;
	const struct flow_entry *e;
	struct msg_cmdline_req q;

	if (!t->si.detail || t->v.tab != VIEW_FLOWS)
		return 0;
	e = view_flow(&t->v, &t->src, t->v.ts[VIEW_FLOWS].sel, &closed);
	if (!e || !e->w.pid || e->w.pid == t->asked_pid)
		return 0;
	t->asked_pid = q.pid = e->w.pid;
	t->si.cmdline = NULL;
	if (msg_send(t->u->col, MSG_CMDLINE_REQ, &q, sizeof(q)) < 0)
		return -1;
	return 0;
}

/* The rows follow the new selection at once (the view filters what the
 * table holds); the collector's dumps from the next periodic one. */
static int tui_send_sel(struct tui *t)
{
	t->rebuild_now = 1;
	return ui_send_sel(t->u, t->si.sel);
}

static void tui_prompt_key(struct tui *t, int ch)
{
	size_t n = strlen(t->input);

	if (ch == 27) {
		t->si.prompt = 0;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->si.prompt = 0;
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			t->input[n - 1] = 0;
	} else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof(t->input)) {
		t->input[n] = (char)ch;
		t->input[n + 1] = 0;
	} else {
		return;
	}
	/* The rows follow what is typed, as it is typed. */
	memcpy(t->v.filter, t->input, sizeof(t->v.filter));
	t->rebuild_now = 1;
}

static int tui_toggle(struct tui *t, uint32_t bit)
{
	t->si.sel ^= bit;
	return tui_send_sel(t);
}

static void tui_pause(struct tui *t)
{
	t->si.paused = !t->si.paused;
	if (t->si.paused)
		(void)view_freeze(&t->v, &t->src);
	else
		t->rebuild_now = 1;
}

/* --replay: pause, step and speed are the replay's; the screen shows
 * what it sends. A live screen has no use for these keys. */
static int tui_replay_key(struct tui *t, uint32_t op)
{
	if (!t->u->o->replay) {
		if (op == REPLAY_OP_PAUSE)
			tui_pause(t);
		return 0;
	}
	return ui_send_replay(t->u, op);
}

/* What the screen takes for now: the clock, or in a replay the recorded
 * time of the frame shown (a flow's age is then as it was). */
static uint64_t tui_now_real(const struct tui *t)
{
	return t->u->o->replay ? t->u->last_mark.real_ns : clock_real_ns();
}

static void tui_clear(struct tui *t)
{
	if (t->si.detail) {
		t->si.detail = 0;
		t->asked_pid = 0;
		return;
	}
	t->v.filter[0] = t->input[0] = 0;
	t->rebuild_now = 1;
}

/* Keys that move the selection or the columns. 1 if it was one. */
static int tui_move_key(struct tui *t, enum key_action a)
{
	long page = screen_page(&t->si);

	switch (a) {
	case KA_UP: view_move(&t->v, -1); break;
	case KA_DOWN: view_move(&t->v, 1); break;
	case KA_PGUP: view_move(&t->v, -page); break;
	case KA_PGDN: view_move(&t->v, page); break;
	case KA_HOME: view_home(&t->v); break;
	case KA_END: view_end(&t->v); break;
	case KA_LEFT: t->v.ts[t->v.tab].hscroll--; break;
	case KA_RIGHT: t->v.ts[t->v.tab].hscroll++; break;
	default: return 0;
	}
	return 1;
}

static int tui_action(struct tui *t, enum key_action a)
{
	if (tui_move_key(t, a))
		return 0;
	switch (a) {
	case KA_TAB:
		t->v.tab = (enum view_tab)((t->v.tab + 1) % VIEW_TABS);
		t->rebuild_now = 1;
		break;
	case KA_GROUP:
		view_group_key(&t->v);
		t->rebuild_now = 1;
		break;
	case KA_DETAIL:
		t->si.detail = !t->si.detail;
		t->asked_pid = 0;   /* ask again: the pid may be another's now */
		break;
	case KA_HELP: t->si.help = 1; break;
	case KA_QUIT: t->quit = 1; break;
	case KA_BITS: t->si.bits = !t->si.bits; break;
	case KA_ACTIVE: t->v.active_only = !t->v.active_only; t->rebuild_now = 1; break;
	case KA_SRC: t->v.show_src = !t->v.show_src; break;
	case KA_NAT: t->v.show_nat = !t->v.show_nat; break;
	case KA_TCP: return tui_toggle(t, SEL_TCP);
	case KA_UDP: return tui_toggle(t, SEL_UDP);
	case KA_DCCP: return tui_toggle(t, SEL_DCCP);
	case KA_ICMP: return tui_toggle(t, SEL_ICMP);
	case KA_SCTP: return tui_toggle(t, SEL_SCTP);
	case KA_SORT_PREV: view_sort_step(&t->v, -1); t->rebuild_now = 1; break;
	case KA_SORT_NEXT: view_sort_step(&t->v, 1); t->rebuild_now = 1; break;
	case KA_REVERSE: view_sort_reverse(&t->v); t->rebuild_now = 1; break;
	case KA_FILTER:
		t->si.prompt = 1;
		memcpy(t->input, t->v.filter, sizeof(t->input));
		break;
	case KA_CLEAR: tui_clear(t); break;
	case KA_PAUSE: return tui_replay_key(t, REPLAY_OP_PAUSE);
	case KA_STEP: return tui_replay_key(t, REPLAY_OP_STEP);
	case KA_FASTER: return tui_replay_key(t, REPLAY_OP_FASTER);
	case KA_SLOWER: return tui_replay_key(t, REPLAY_OP_SLOWER);
	default: break;
	}
	return 0;
}

/* Every key waiting. -1 when the collector can't be told. */
static int tui_keys(struct tui *t)
{
	int ch;

	while ((ch = getch()) != ERR) {
		t->redraw = 1;
		if (ch == KEY_RESIZE)
			continue;
		if (t->si.prompt) {
			tui_prompt_key(t, ch);
		} else if (t->si.help) {
			t->si.help = 0;     /* any key closes the help */
		} else if (tui_action(t, keys_action(ch)) < 0) {
			return -1;
		}
		if (t->quit)
			break;
	}
	return 0;
}

static int tui_drain_resolver(struct tui *t)
{
	for (int i = 0; i < TUI_RES_BATCH; i++) {
		int r = ui_from_resolver(t->u);

		if (r == UI_AGAIN)
			break;
		if (r != UI_GO_ON)
			return r;
	}
	if (t->u->annots_changed) {
		t->u->annots_changed = 0;
		t->data_changed = 1;
	}
	return UI_GO_ON;
}

/* At most one time slice of the stream, so keys never wait behind it. */
static int tui_drain_collector(struct tui *t)
{
	uint64_t until = clock_mono_ns() + TUI_SLICE_NS;

	do {
		int r = ui_from_collector(t->u);

		if (r == UI_AGAIN)
			break;
		if (r != UI_GO_ON)
			return r;
		t->data_changed = 1;
	} while (clock_mono_ns() < until);
	/* Events carry no counters: only new readings make rates due. */
	t->readings |= t->u->readings;
	t->u->readings = 0;
	return UI_GO_ON;
}

/* Readings closer together than half an interval (a sweep just after a
 * refresh) are measured with the next one. */
static void tui_rates(struct tui *t)
{
	flow_table_rates_over(t->u->table,
			      (uint64_t)t->u->o->interval_ms * 500000ull);
}

/* Whether the rows are to be built again: a key changed them, or the
 * data did (closed flows must fade on time too). */
static int tui_build_due(struct tui *t, uint64_t now)
{
	if (linger_count(&t->lg) && now - t->last_build >= TUI_BUILD_NS)
		t->data_changed = 1;
	return t->rebuild_now || (t->data_changed && !t->si.paused &&
				  now - t->last_build >= TUI_BUILD_NS);
}

/* A new build of the rows, after the rates when new readings came (in
 * a turn of their own: a walk of every flow too). */
static int tui_build_begin(struct tui *t, uint64_t now)
{
	/* Rates change only with new readings: a key's rebuild leaves them
	 * to the rebuild for data that follows within TUI_BUILD_NS, so the
	 * key is answered sooner. */
	if (t->readings && !t->rebuild_now) {
		tui_rates(t);
		t->readings = 0;
		return 0;
	}
	linger_expire(&t->lg, now);
	t->src.now_real_ns = t->si.now_real_ns = tui_now_real(t);
	t->src.sel = t->si.sel;
	view_build_start(&t->v);
	t->data_changed = t->readings;
	t->rebuild_now = 0;
	t->last_build = now;
	return 1;
}

/* A part of the rows' build, until the turn's time is up. While one is
 * under way the table and the names stay as they are (the stream and
 * the answers wait), so the parts fit together. */
static void tui_build(struct tui *t, uint64_t turn_ns)
{
	uint64_t now = clock_mono_ns();
	uint64_t until = t->part_ns ? turn_ns + t->part_ns : 0;
	int r;

	if (t->rebuild_now)
		view_build_cancel(&t->v);   /* what it builds is out of date */
	if (!view_building(&t->v) && !tui_build_begin(t, now))
		return;
	r = view_build_step(&t->v, &t->src, until);
	t->steps++;
	if (r == 0)
		return;
	t->builds += r == 1;
	if (r == 1 && t->si.paused)
		(void)view_freeze(&t->v, &t->src);
	t->redraw = 1;
}

/* How old the last sweep's figures are, when the flows off the screen
 * have nothing newer: 0 while they are about one interval old. */
static uint64_t tui_others_age(const struct ui *u)
{
	uint64_t now = clock_mono_ns(), at = u->last_mark.mono_ns;
	uint64_t age = now > at ? (now - at) / 1000000 : 0;

	/* A replay's dumps are whole, and their times are recorded ones. */
	if (u->o->replay || !u->dumps || 2 * age <= 3ull * u->o->interval_ms)
		return 0;
	return age;
}

static void tui_status(struct tui *t)
{
	const struct ui *u = t->u;

	t->si.resyncs = u->last_mark.resyncs;
	t->si.untracked = !!(u->last_mark.flags & DUMP_F_UNTRACKED);
	t->si.others_age_ms = tui_others_age(u);
	if (u->alert) {
		t->si.alert_new = alert_marked(u->alert);
		t->si.alert_lost = alert_lost(u->alert);
		t->si.alert_nolog = !alert_logs(u->alert);
		t->si.alert_entries = alert_entries(u->alert);
	}
	if (u->ipfix) {
		struct ipfix_counts c;

		ipfix_feed_counts(u->ipfix, &c);
		t->si.ipfix_sent = c.sent;
		t->si.ipfix_dropped = c.dropped;
		t->si.ipfix_lost = c.lost;
	}
	t->si.res_known = u->res_known;
	t->si.geo_dbs = u->res_info.geo_dbs;
	t->si.dns_on = u->res_known ? (u->res_info.flags & RES_INFO_DNS) != 0 :
		!u->o->no_dns;
	t->si.replay_state = u->replay;
}

static int tui_frame(struct tui *t)
{
	uint64_t now = clock_mono_ns();

	if (now - t->last_draw >= TUI_IDLE_NS)
		t->redraw = 1;
	if (!t->redraw || now - t->last_draw < TUI_FRAME_NS)
		return 0;
	if (tui_want_cmdline(t) < 0)
		return -1;
	tui_status(t);
	if (!t->si.paused)
		t->si.now_real_ns = tui_now_real(t);
	screen_draw(&t->v, &t->src, &t->si);
	screen_flush();
	t->redraw = 0;
	t->last_draw = now;
	return 0;
}

/* How long poll may sleep before the next frame or rebuild is due. */
static int tui_timeout(const struct tui *t)
{
	uint64_t now = clock_mono_ns(), due = t->last_draw + TUI_IDLE_NS;

	if (view_building(&t->v))
		return 0;
	if (t->redraw && t->last_draw + TUI_FRAME_NS < due)
		due = t->last_draw + TUI_FRAME_NS;
	if ((t->data_changed || linger_count(&t->lg)) && !t->si.paused &&
	    t->last_build + TUI_BUILD_NS < due)
		due = t->last_build + TUI_BUILD_NS;
	if (t->next_refresh < due)
		due = t->next_refresh;
	return due <= now ? 0 : (int)((due - now) / 1000000) + 1;
}

/* The flow of row i of the flows tab, to be asked for; 1 if added. */
static int tui_key_row(struct tui *t, size_t i, size_t n)
{
	const struct flow_entry *e;
	int closed;

	if (n >= MSG_REFRESH_MAX || i >= t->v.nrows)
		return 0;
	e = view_flow(&t->v, &t->src, i, &closed);
	if (!e || closed)
		return 0;
	flow_key_of(&e->w, &t->keys[n]);
	return 1;
}

/* The flows the screen shows: the rows in view and the selected one. */
static size_t tui_shown_keys(struct tui *t)
{
	const struct view_tabstate *ts = &t->v.ts[VIEW_FLOWS];
	size_t page = (size_t)screen_page(&t->si), n = 0;

	if (t->v.tab != VIEW_FLOWS)
		return 0;
	/* The selection first: a page taller than a message holds must
	 * not crowd it out. */
	n += (size_t)tui_key_row(t, ts->sel, n);
	for (size_t i = ts->top; i < ts->top + page; i++)
		if (i != ts->sel)
			n += (size_t)tui_key_row(t, i, n);
	return n;
}

/* How much what is shown needs every flow's counters: their rates for a
 * sort by rate, "active only" and the totals of the other tabs; the
 * order of their byte totals for a sort by bytes. */
static uint32_t tui_refresh_flags(const struct tui *t)
{
	int col = t->v.ts[VIEW_FLOWS].sort_col;

	if (t->v.tab != VIEW_FLOWS || t->v.active_only || col == FC_RATE)
		return REFRESH_F_ALL;
	return col == FC_BYTES ? REFRESH_F_ORDER : 0;
}

/* Each interval, the rows shown are asked for (their counters are never
 * older than that); at once when the needs change, so that the collector
 * sweeps as they say. -1 when the collector can't be told. */
static int tui_refresh(struct tui *t)
{
	uint64_t now = clock_mono_ns();
	/* A paused screen shows frozen copies: it needs nothing swept. */
	uint32_t flags = t->si.paused ? 0 : tui_refresh_flags(t);
	size_t n;

	if (now < t->next_refresh && flags == t->refresh_flags)
		return 0;
	n = t->si.paused ? 0 : tui_shown_keys(t);
	t->next_refresh = now + (uint64_t)t->u->o->interval_ms * 1000000ull;
	t->refresh_flags = flags;
	return ui_send_refresh(t->u, t->keys, n, flags);
}

static int tui_turn(struct tui *t)
{
	struct pollfd p[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = t->u->res->fd, .events = POLLIN },
		{ .fd = t->u->col->fd, .events = POLLIN },
	};
	uint64_t start;
	int r;

	/* EINTR is a resize (ncurses' SIGWINCH handler): getch tells. */
	if (poll(p, 3, tui_timeout(t)) < 0 && errno != EINTR)
		return ui_fail("poll: %s", strerror(errno));
	start = clock_mono_ns();
	if (tui_keys(t) < 0)
		return UI_QUIET_FAIL;   /* the collector is gone; it says why */
	if (t->quit)
		return UI_DONE;
	/* A turn builds rows or takes in data, not both: each is a slice. */
	if (view_building(&t->v) || tui_build_due(t, start)) {
		tui_build(t, start);
	} else {
		if (p[1].revents && (r = tui_drain_resolver(t)) != UI_GO_ON)
			return r;
		if (p[2].revents && (r = tui_drain_collector(t)) != UI_GO_ON)
			return r;
	}
	/* A replay's flows are all current: no rows to ask for. */
	if (tui_frame(t) < 0 || (t->u->hello && !t->u->o->replay &&
				 tui_refresh(t) < 0))
		return UI_QUIET_FAIL;   /* the collector is gone; it says why */
	return UI_GO_ON;
}

static void tui_init(struct tui *t, struct ui *u)
{
	const struct options *o = u->o;

	memset(t, 0, sizeof(*t));
	t->u = u;
	view_init(&t->v, o->show_src);
	linger_init(&t->lg, (uint64_t)o->linger_ms * 1000000ull);
	t->src = (struct view_src){
		.table = u->table, .linger = &t->lg, .annot = annots_get,
		.service = annots_service, .ctx = u->annots,
		.users = u->po.users, .sel = o->sel, .owners = u->owners,
	};
	t->si.input = t->input;
	t->si.interval_ms = o->interval_ms;
	t->si.no_geoip = o->no_geoip;
	/* Asked before the sandbox (role_seal), remembered since. */
	t->si.landlock_abi = landlock_abi();
	t->si.bits = o->bits;
	t->si.recording = o->record != NULL;
	t->si.ipfix = o->ipfix != NULL;
	t->si.alert = !o->baseline ? 0 : o->alert ? 2 : 1;
	t->si.replay = o->replay != NULL;
	t->si.sel = o->sel;
	t->redraw = t->rebuild_now = 1;
	t->part_ns = testhook_build_parts() ? 0 : TUI_PART_NS;
	t->next_refresh = clock_mono_ns() + (uint64_t)o->interval_ms * 1000000ull;
	u->tui = t;
	u->linger = &t->lg;
}

static int tui_run(struct ui *u)
{
	static struct tui t;
	int r = UI_GO_ON;

	tui_init(&t, u);
	while (r == UI_GO_ON)
		r = tui_turn(&t);
	testhook_ui_builds(t.builds, t.steps);
	u->tui = NULL;
	u->linger = NULL;
	screen_close();
	view_free(&t.v);
	linger_free(&t.lg);
	return r == UI_DONE ? UI_GO_ON : r;
}

const struct ui_frontend ui_screen = {
	.run = tui_run,
	.dump_end = tui_dump_end,
	.cmdline = tui_cmdline,
	.answers = NULL,        /* the frame loop looks at annots_changed */
};
