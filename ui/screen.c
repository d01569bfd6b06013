/* SPDX-License-Identifier: GPL-2.0-only */
/* screen: set-up, frame layout, status line and footer. */
#include <curses.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "privsep/landlock.h"
#include "privsep/msg.h"
#include "common/escape.h"
#include "ui/fmt.h"
#include "ui/screen.h"

#ifndef FLOWTOP_VERSION
#define FLOWTOP_VERSION "0"
#endif

/* Rows above and below the list: header, titles; status, footer. */
#define SCR_TOP 2
#define SCR_BOTTOM 2
#define SCR_DETAIL_ROWS 16   /* the box: 11 lines always, 3 of the owner */

static int scr_colors;
static SCREEN *scr_term;

/* Foregrounds only, on the terminal's own background (-1): readable on
 * dark and light themes alike (no yellow, no white). */
static const struct {
	enum scr_pair pair;
	short fg;
	int mono;        /* the attribute without colour (NO_COLOR) */
} scr_scheme[] = {
	{ SP_TCP, COLOR_GREEN, A_NORMAL },
	{ SP_UDP, COLOR_BLUE, A_NORMAL },
	{ SP_ICMP, COLOR_MAGENTA, A_NORMAL },
	{ SP_OTHER, COLOR_CYAN, A_NORMAL },
	{ SP_GOOD, COLOR_GREEN, A_NORMAL },
	{ SP_SETUP, COLOR_CYAN, A_NORMAL },
	{ SP_CLOSING, COLOR_RED, A_NORMAL },
	{ SP_TITLE, -1, A_REVERSE },
	{ SP_MATCH, COLOR_RED, A_UNDERLINE },
};

int scr_attr(enum scr_pair p)
{
	for (size_t i = 0; i < ARRAY_LEN(scr_scheme); i++) {
		if (scr_scheme[i].pair != p)
			continue;
		if (p == SP_TITLE)
			return (int)A_REVERSE;
		if (p == SP_MATCH)
			return (int)(A_BOLD | A_UNDERLINE) |
				(scr_colors ? (int)COLOR_PAIR(p) : 0);
		return scr_colors ? (int)COLOR_PAIR(p) : scr_scheme[i].mono;
	}
	return A_NORMAL;
}

static void scr_init_colors(void)
{
	const char *nc = getenv("NO_COLOR");

	/* https://no-color.org: set and not empty means no colour. */
	if ((nc && nc[0]) || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	for (size_t i = 0; i < ARRAY_LEN(scr_scheme); i++)
		init_pair((short)scr_scheme[i].pair, scr_scheme[i].fg, -1);
	scr_colors = 1;
}

int screen_open(FILE *out, FILE *in)
{
	setlocale(LC_ALL, "");
	scr_term = newterm(NULL, out, in);
	if (!scr_term) {
		fprintf(stderr, "flowtop: ui: cannot open the terminal "
			"(TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	set_term(scr_term);
	cbreak();          /* Ctrl+C stays a signal: the collector's to act on */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	scr_init_colors();
	return 0;
}

void screen_close(void)
{
	if (!scr_term)
		return;
	endwin();
	delscreen(scr_term);
	scr_term = NULL;
}

void screen_flush(void)
{
	doupdate();
}

int screen_page(const struct screen_info *si)
{
	int rows = LINES - SCR_TOP - SCR_BOTTOM;

	if (si->detail && rows > SCR_DETAIL_ROWS + 3)
		rows -= SCR_DETAIL_ROWS;
	return rows > 1 ? rows : 1;
}

static const char *const scr_tab_names[VIEW_TABS] = {
	"Flows", "Processes", "Countries",
};

/* A tab's name in the header; the processes tab names its grouping
 * ("Processes by unit") when it is not by process. */
static void scr_tab_name(char *buf, size_t sz, const struct view *v, int t)
{
	if (t == VIEW_PROCS && v->group != GROUP_PROCESS)
		snprintf(buf, sz, "%s by %s", scr_tab_names[t],
			 group_by_name(v->group, 0));
	else
		snprintf(buf, sz, "%s", scr_tab_names[t]);
}

static void scr_header(const struct view *v)
{
	char name[40];
	int x;

	move(0, 0);
	clrtoeol();
	attron(A_BOLD);
	mvprintw(0, 0, "flowtop %s", FLOWTOP_VERSION);
	attroff(A_BOLD);
	x = COLS;
	for (int t = VIEW_TABS - 1; t >= 0; t--) {
		int w;

		scr_tab_name(name, sizeof(name), v, t);
		w = (int)strlen(name) + 2;
		x -= w + 1;
		if (x < 16)
			break;
		if (t == (int)v->tab)
			attron(A_REVERSE | A_BOLD);
		mvprintw(0, x, " %s ", name);
		attroff(A_REVERSE | A_BOLD);
	}
}

/* "TCP UDP ..." of the protocols selected. */
static void scr_sel(char *buf, size_t sz, uint32_t sel)
{
	static const struct { uint32_t bit; const char *name; } p[] = {
		{ SEL_TCP, "TCP" }, { SEL_UDP, "UDP" }, { SEL_DCCP, "DCCP" },
		{ SEL_ICMP, "ICMP" }, { SEL_SCTP, "SCTP" },
	};
	size_t at = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_LEN(p); i++)
		if (sel & p[i].bit)
			at += (size_t)snprintf(buf + at, sz - at, "%s%s",
					       at ? " " : "", p[i].name);
	if (!at)
		snprintf(buf, sz, "none");
}

static void scr_geo_state(char *buf, size_t sz, const struct screen_info *si)
{
	if (si->no_geoip)
		snprintf(buf, sz, "GeoIP off");
	else if (!si->res_known)
		snprintf(buf, sz, "GeoIP ?");
	else if (si->geo_dbs == 0)
		snprintf(buf, sz, "GeoIP: no database (run flowtop -u)");
	else
		snprintf(buf, sz, "GeoIP %u db", si->geo_dbs);
}

/* printf at the end of line, never past its size. */
__attribute__((format(printf, 3, 4)))
static void scr_append(char *line, size_t sz, const char *fmt, ...)
{
	size_t at = strlen(line);
	va_list ap;

	if (at + 1 >= sz)
		return;
	va_start(ap, fmt);
	vsnprintf(line + at, sz - at, fmt, ap);
	va_end(ap);
}

/* --replay: "REPLAY 2026-12-03 14:02:11 frame 120/3000 x2", in the
 * local time zone (read before the sandbox: ui_prepare). */
static void scr_replay(char *buf, size_t sz, const struct screen_info *si)
{
	const struct msg_replay_state *st = &si->replay_state;
	time_t secs = (time_t)(st->real_ns / 1000000000u);
	char when[32] = "-";
	struct tm tm;

	if (st->real_ns && localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (st->speed >= REPLAY_SPEED_ONE)
		snprintf(buf, sz, "REPLAY %s frame %llu/%llu x%u", when,
			 (unsigned long long)st->frame,
			 (unsigned long long)st->frames,
			 st->speed / REPLAY_SPEED_ONE);
	else
		snprintf(buf, sz, "REPLAY %s frame %llu/%llu x1/%u", when,
			 (unsigned long long)st->frame,
			 (unsigned long long)st->frames,
			 REPLAY_SPEED_ONE / (st->speed ? st->speed : 1));
}

/* The badge at the right of the status line, NULL: none. */
static const char *scr_badge(const struct screen_info *si)
{
	if (si->replay && (si->replay_state.flags & REPLAY_F_END))
		return " END ";
	if (si->replay)
		return si->replay_state.flags & REPLAY_F_PAUSED ? " PAUSED " :
			NULL;
	return si->paused ? " PAUSED " : NULL;
}

/* --ipfix: what reached the exporter, and what was lost; a lost TCP
 * collector, since nothing more will reach it. */
static void scr_ipfix(char *line, size_t sz, const struct screen_info *si)
{
	scr_append(line, sz, " | IPFIX %llu sent",
		   (unsigned long long)si->ipfix_sent);
	if (si->ipfix_dropped)
		scr_append(line, sz, ", %llu dropped",
			   (unsigned long long)si->ipfix_dropped);
	if (si->ipfix_lost)
		scr_append(line, sz, " (collector lost)");
}


static void scr_status(const struct view *v, const struct screen_info *si)
{
	char sel[40], geo[64], ll[32], line[512];
	const char *badge = scr_badge(si);

	scr_sel(sel, sizeof(sel), si->sel);
	scr_geo_state(geo, sizeof(geo), si);
	snprintf(line, sizeof(line), " %zu/%zu %s | %s | ",
		 v->nrows, v->total,
		 v->tab == VIEW_FLOWS ? "flows" : v->tab == VIEW_PROCS ?
		 group_by_name(v->group, 1) : "countries", sel);
	/* A replay's names and places are the recording's. */
	if (si->replay)
		scr_replay(line + strlen(line), sizeof(line) - strlen(line), si);
	else
		scr_append(line, sizeof(line), "%s | DNS %s", geo,
			   si->dns_on ? "on" : "off");
	/* The rows shown are refreshed every interval; the rest wait for
	 * the next sweep of the table (spaced by its cost). */
	if (si->others_age_ms)
		scr_append(line, sizeof(line), " | others %.0f s old",
			   si->others_age_ms / 1000.0);
	if (si->resyncs)
		scr_append(line, sizeof(line), " | %llu resyncs (events lost)",
			   (unsigned long long)si->resyncs);
	if (si->untracked)
		scr_append(line, sizeof(line),
			   " | kernel tracks nothing: try --track");
	if (si->recording)
		scr_append(line, sizeof(line), " | REC");
	if (si->alert == 2)
		scr_append(line, sizeof(line), " | ALERT %llu new",
			   (unsigned long long)si->alert_new);
	if (si->alert == 2 && si->alert_nolog)
		scr_append(line, sizeof(line), " (no syslog)");
	else if (si->alert == 2 && si->alert_lost)
		scr_append(line, sizeof(line), ", %llu not logged",
			   (unsigned long long)si->alert_lost);
	if (si->alert == 1)
		scr_append(line, sizeof(line), " | LEARN %zu known",
			   si->alert_entries);
	if (si->ipfix)
		scr_ipfix(line, sizeof(line), si);
	if (landlock_status(si->landlock_abi, ll, sizeof(ll))[0])
		scr_append(line, sizeof(line), " | %s", ll);
	if (v->active_only)
		scr_append(line, sizeof(line), " | active");
	move(LINES - 2, 0);
	clrtoeol();
	scr_cell(LINES - 2, 0, COLS, line, 0, A_NORMAL, NULL);
	if (badge) {
		int w = (int)strlen(badge);

		attron(A_BOLD | A_REVERSE);
		mvaddstr(LINES - 2, COLS > w ? COLS - w : 0, badge);
		attroff(A_BOLD | A_REVERSE);
	}
}

static void scr_footer(const struct view *v, const struct screen_info *si)
{
	char line[256], esc[3 * VIEW_FILTER_LEN + 8];

	move(LINES - 1, 0);
	clrtoeol();
	if (si->prompt) {
		esc_term(esc, sizeof(esc), si->input, strlen(si->input));
		snprintf(line, sizeof(line), "Filter: %s_", esc);
		scr_cell(LINES - 1, 0, COLS, line, 0, A_BOLD, NULL);
		return;
	}
	if (v->filter[0]) {
		esc_term(esc, sizeof(esc), v->filter, strlen(v->filter));
		snprintf(line, sizeof(line), "Filter: %s  (Esc clears) ", esc);
	} else {
		line[0] = 0;
	}
	/* The details are the flows tab's; the grouping the processes tab's. */
	strncat(line, "q Quit  ? Help  Tab View  / Filter  < > Sort  "
		"r Reverse  p Pause  ", sizeof(line) - strlen(line) - 1);
	if (si->replay)
		strncat(line, ". Step  + - Speed  ",
			sizeof(line) - strlen(line) - 1);
	strncat(line, v->tab == VIEW_PROCS ? "g Group" : "Enter Details",
		sizeof(line) - strlen(line) - 1);
	scr_cell(LINES - 1, 0, COLS, line, 0, A_REVERSE, NULL);
}

void screen_draw(struct view *v, const struct view_src *src,
		 const struct screen_info *si)
{
	int rows = screen_page(si);

	erase();
	scr_header(v);
	view_scroll(v, (size_t)rows);
	scr_table(v, src, si, 1, rows);
	if (si->detail && v->tab == VIEW_FLOWS)
		scr_detail(v, src, si, SCR_TOP + rows,
			   LINES - SCR_TOP - SCR_BOTTOM - rows);
	scr_status(v, si);
	scr_footer(v, si);
	if (si->help)
		scr_help();
	wnoutrefresh(stdscr);
}
