/* SPDX-License-Identifier: GPL-2.0-only */
/* ui_main: the ui process: its start (the screen, if any, opens once the
 * resolver has answered and the collector has relayed what was said) and
 * the choice of front-end. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "privsep/lookup_wire.h"
#include "privsep/testhook.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
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
	flow_table_on_gone(u.table, ui_flow_gone, &u);
	r = ui_started ? ui_start_rc : ui_start(u.col, u.res, 0);
	u.fe = ui_screen_on ? &ui_screen : &ui_batch;
	if (r == 0)
		r = u.fe->run(&u);
	testhook_ui_table(flow_table_count(u.table));
	flow_table_on_gone(u.table, NULL, NULL);
	record_free(u.rec);
	if (u.rec_out && fclose(u.rec_out) != 0 && r >= 0) {
		fprintf(stderr, "flowtop: ui: --record: the recorder is gone\n");
		r = -1;
	}
	flow_table_free(u.table);
	annots_free(u.annots);
	owners_free(u.owners);
	free(u.sorted);
	users_free(ui_users);
	ui_users = NULL;
	return r < 0 ? 1 : 0;
}
