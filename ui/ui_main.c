/* SPDX-License-Identifier: GPL-2.0-only */
/* ui_main: the ui process: its start (the screen, if any, opens once the
 * resolver has answered and the collector has relayed what was said) and
 * the choice of front-end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "privsep/lookup_wire.h"
#include "privsep/testhook.h"
#include "ui/alert.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/ipfix_feed.h"
#include "ui/screen.h"
#include "ui/ui.h"
#include "ui/owners.h"
#include "ui/record.h"
#include "ui/ui_int.h"
#include "ui/users.h"

/* Whether ui_prepare opened the screen; whether it made the start
 * (ping and sync), and how that went. */
static int ui_screen_on, ui_started, ui_start_rc;
/* uid -> user name, read before the sandbox; NULL: uids as numbers. */
static struct users *ui_users;
/* --record: the stream to the recorder (descriptor 5), made a FILE before
 * the sandbox (fdopen asks fcntl, which the sealed ui may not). */
static FILE *ui_rec_out;
/* --alert: syslog's socket, connected before the sandbox (the sealed ui
 * makes none); -1: nothing is logged. */
static int ui_log_fd = -1;
/* Why there is none (an errno), said once the baseline is read: a bad
 * baseline is then the run's one error line. */
static int ui_log_errno;
/* --alert, --learn: the channel to the baseline's writer. */
#define UI_BASELINE_FD 6
/* --ipfix: the channel to the exporter. */
#define UI_IPFIX_FD 7

/* Where syslog(3) writes: journald's socket, or rsyslog's. */
static void ui_open_log(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX,
				  .sun_path = "/dev/log" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), e;

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		ui_log_fd = fd;
		return;
	}
	e = errno;
	if (fd >= 0)
		close(fd);
	ui_log_errno = e;
}

/* The resolver must answer before we rely on it; then the collector is
 * asked for its stream, and answers once it has relayed what the other
 * roles have said so far. */
static int ui_start(struct msg_chan *col, struct msg_chan *res, int screen)
{
	int r = ui_ping_resolver(res);

	return r < 0 ? r : ui_sync_collector(col, screen);
}

/* Not on a terminal (output to a file or a pipe, no input), flowtop
 * prints the text table every interval, as batch mode without a count.
 * The screen opens once the resolver has answered and the collector has
 * relayed what the roles said until then: what the resolver has to say
 * about its files (a database refused, a missing tcp.conf) is on the
 * terminal by then, not scribbled over the screen; what they say while it
 * runs, the collector holds until the end. */
int ui_prepare(const struct options *o, struct msg_chan *col,
	       struct msg_chan *res)
{
	/* The codeset the screen's setlocale(LC_ALL, "") takes (and the
	 * batch text table is read in); before the sandbox. */
	esc_term_from_locale();
	/* A replay shows recorded times in the local zone: its file is
	 * read now (the sealed ui opens none). */
	tzset();
	if (o->record && !(ui_rec_out = fdopen(5, "w"))) {
		fprintf(stderr, "flowtop: ui: --record: no stream to the "
			"recorder\n");
		return -1;
	}
	if (o->baseline && o->alert)
		ui_open_log();
	/* The passwd database (NSS: files, maybe sockets), as the user; the
	 * sealed ui could open none of it. Said while it reaches the
	 * terminal: before the sync, so before the screen. */
	ui_users = users_load_system();
	if (users_truncated(ui_users))
		fprintf(stderr, "flowtop: ui: the user table holds its first %zu "
			"users; the others show as uids\n",
			users_count(ui_users));
	if (o->batch || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return 0;
	ui_started = 1;
	ui_start_rc = ui_start(col, res, 1);
	if (ui_start_rc < 0)
		return 0;       /* ui_main reports nothing more: it ends */
	if (screen_open(stdout, stdin) < 0)
		return -1;
	ui_screen_on = 1;
	return 0;
}

/* --alert, --learn: the baseline, read whole before the flows come. */
static int ui_alert_start(struct ui *u)
{
	char err[700];

	u->alert = alert_new(u->o, UI_BASELINE_FD, ui_log_fd);
	if (!u->alert) {
		fprintf(stderr, "flowtop: ui: out of memory\n");
		return -1;
	}
	if (alert_load(u->alert, err, sizeof(err)) < 0) {
		ui_fail("%s", err);
		return -1;
	}
	if (ui_log_errno)
		fprintf(stderr, "flowtop: ui: --alert: no syslog at /dev/log "
			"(%s): new flows are marked, not logged\n",
			strerror(ui_log_errno));
	return 0;
}

/* --ipfix: the last records, and what never reached the exporter said
 * once (the exporter says what it could not send). */
static void ui_ipfix_finish(struct ui *u)
{
	struct ipfix_names n = ui_ipfix_names(u);
	struct ipfix_counts c;

	ipfix_feed_finish(u->ipfix, u->table, &n, clock_real_ns() / 1000000u);
	ipfix_feed_counts(u->ipfix, &c);
	if (c.handoff_dropped)
		fprintf(stderr, "flowtop: ui: --ipfix: %llu records dropped: the "
			"exporter fell behind\n",
			(unsigned long long)c.handoff_dropped);
}

int ui_main(const struct options *o, struct msg_chan *col,
	    struct msg_chan *res)
{
	struct ui u = {
		.o = o, .col = col, .res = res, .sel = o->sel,
		.po = { .json = o->output == OUT_JSON, .bits = o->bits,
			.show_src = o->show_src, .annot = annots_get,
			.service = annots_service, .users = ui_users },
	};
	uint8_t parts = (o->no_dns ? 0 : LOOKUP_DNS) |
			(o->no_geoip ? 0 : LOOKUP_GEO);
	int r;

	u.table = flow_table_new();
	u.annots = annots_new(parts, 1);
	u.owners = owners_new();
	u.po.ctx = u.annots;
	u.po.owners = u.owners;
	if (!u.table || !u.annots || !u.owners) {
		fprintf(stderr, "flowtop: ui: out of memory\n");
		return 1;
	}
	/* Nothing was asked of this table yet, nor wiped. */
	u.asked_gen = annots_generation(u.annots);
	/* --record: the stream to the recorder is descriptor 5. */
	if (o->record) {
		u.rec_out = ui_rec_out;
		u.rec = u.rec_out ? record_new(u.rec_out) : NULL;
		if (!u.rec) {
			fprintf(stderr, "flowtop: ui: --record: out of memory\n");
			return 1;
		}
	}
	if (o->baseline && ui_alert_start(&u) < 0)
		return 1;
	if (o->ipfix && !(u.ipfix = ipfix_feed_new(UI_IPFIX_FD,
						   o->ipfix_active_s,
						   o->ipfix_idle_s))) {
		fprintf(stderr, "flowtop: ui: out of memory\n");
		return 1;
	}
	flow_table_on_gone(u.table, ui_flow_gone, &u);
	r = ui_started ? ui_start_rc : ui_start(u.col, u.res, 0);
	u.fe = ui_screen_on ? &ui_screen : &ui_batch;
	if (r == 0)
		r = u.fe->run(&u);
	/* What was learnt is kept, however the run ended. */
	if (u.alert && ui_alert_pass(&u, UI_ALERT_FINAL) < 0)
		r = -1;
	/* What moved since the flows' last records is sent, too. */
	if (u.ipfix)
		ui_ipfix_finish(&u);
	testhook_ui_table(flow_table_count(u.table));
	flow_table_on_gone(u.table, NULL, NULL);
	record_free(u.rec);
	if (u.rec_out && fclose(u.rec_out) != 0 && r >= 0) {
		fprintf(stderr, "flowtop: ui: --record: the recorder is gone\n");
		r = -1;
	}
	alert_free(u.alert);
	ipfix_feed_free(u.ipfix);
	flow_table_free(u.table);
	annots_free(u.annots);
	owners_free(u.owners);
	free(u.sorted);
	users_free(ui_users);
	ui_users = NULL;
	return r < 0 ? 1 : 0;
}
