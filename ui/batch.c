/* SPDX-License-Identifier: GPL-2.0-only */
/* batch: the front-end that prints snapshots on stdout (--once, --count,
 * or not on a terminal): the text table or JSON Lines, one snapshot per
 * periodic dump once its lookups are answered or a bounded wait is over. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "privsep/testhook.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/print.h"
#include "ui/snap_order.h"
#include "ui/ui_int.h"

/* How long a batch snapshot waits for lookups still in flight. */
#define UI_LOOKUP_WAIT_MS 1000

static int batch_print(struct ui *u)
{
	size_t n = flow_table_count(u->table);

	/* -o none: a snapshot is only counted (--record writes the flows). */
	if (u->o->output == OUT_NONE) {
		u->print_due = 0;
		u->printed++;
		return u->o->count && u->printed >= u->o->count ? UI_DONE :
			UI_GO_ON;
	}

	if (n > u->sorted_cap) {
		const struct flow_entry **v = realloc(u->sorted, n * sizeof(*v));

		if (!v)
			return ui_fail("out of memory");
		u->sorted = v;
		u->sorted_cap = n;
	}
	u->print_due = 0;
	/* Flows whose places just came in are judged before they print. */
	if (ui_alert_pass(u, UI_ALERT_SETTLE) < 0)
		return UI_FAIL;
	/* Without room for the radix sort's keys, qsort needs none. */
	if (snap_order(u->table, u->sorted) < 0)
		(void)flow_table_sorted(u->table, u->sorted, n);
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

/* Print the snapshot due once every answer is in or the wait is over. */
static int batch_print_if_ready(struct ui *u)
{
	if (!u->print_due)
		return UI_GO_ON;
	if (annots_outstanding(u->annots) && clock_mono_ns() < u->print_deadline)
		return UI_GO_ON;
	return batch_print(u);
}

/* A slower refresh than asked for must not go unnoticed: say so on stderr
 * (stdout stays the data) each time the collector changes its cadence. */
static void batch_note_cadence(struct ui *u, const struct msg_dump_mark *mk)
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
static void batch_note_tracking(struct ui *u, const struct msg_dump_mark *mk)
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

/* A dump ended: tell what changed, ask about new flows, and make the
 * snapshot due when it is a periodic one. */
static int batch_dump_end(struct ui *u, const struct msg_dump_mark *mk)
{
	u->replay_owed = u->o->replay && mk->kind == DUMP_PERIODIC;
	batch_note_cadence(u, mk);
	batch_note_tracking(u, mk);
	testhook_ui_dump(mk->seq, mk->kind, flow_table_count(u->table));
	if (ui_ask(u) < 0)
		return UI_QUIET_FAIL;   /* the resolver is gone */
	/* Only periodic dumps are snapshots. The first is the baseline;
	 * rates exist from the second on. */
	if (mk->kind != DUMP_PERIODIC || u->dumps++ == 0)
		return UI_GO_ON;
	/* A snapshot still waiting for names goes out now, as it is. */
	if (u->print_due) {
		int r = batch_print(u);

		if (r != UI_GO_ON)
			return r;
	}
	flow_table_rates(u->table, mk->mono_ns);
	u->snap_real_ns = mk->real_ns;
	u->print_due = 1;
	u->print_deadline = clock_mono_ns() + UI_LOOKUP_WAIT_MS * 1000000ull;
	return batch_print_if_ready(u);
}

/* --replay: the next frame once this one is printed (so each is
 * printed once, with its names), and the end once the last one is. */
static int batch_replay(struct ui *u)
{
	if (!u->o->replay || u->print_due)
		return UI_GO_ON;
	if (u->replay.flags & REPLAY_F_END)
		return UI_DONE;
	if (!u->replay_owed)
		return UI_GO_ON;
	u->replay_owed = 0;
	return ui_send_replay(u, REPLAY_OP_NEXT) < 0 ? UI_QUIET_FAIL :
		UI_GO_ON;
}

static int batch_run(struct ui *u)
{
	struct pollfd p[2] = {
		{ .fd = u->col->fd, .events = POLLIN },
		{ .fd = u->res->fd, .events = POLLIN },
	};
	int r = UI_GO_ON;

	while (r == UI_GO_ON) {
		int timeout = -1;

		if (u->print_due) {
			uint64_t now = clock_mono_ns();

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
			r = batch_print_if_ready(u);
		if (r == UI_GO_ON)
			r = batch_replay(u);
	}
	return r;
}

const struct ui_frontend ui_batch = {
	.run = batch_run,
	.dump_end = batch_dump_end,
	.cmdline = NULL,
	.answers = batch_print_if_ready,
};
