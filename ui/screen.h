/* SPDX-License-Identifier: GPL-2.0-only */
/* screen: the ncurses renderer. Draws the header, the rows of the view
 * that fit (and only those), the status line, the key hints, and the help
 * and detail panes. Every string that came from outside is escaped with
 * esc_term() before it is drawn. */
#ifndef FLOWTOP_SCREEN_H
#define FLOWTOP_SCREEN_H

#include <stdint.h>
#include <stdio.h>
#include "privsep/msg.h"
#include "ui/view.h"

/* What the status line and the panes say besides the rows. */
struct screen_info {
	uint32_t interval_ms;
	uint64_t others_age_ms;  /* age of the off-screen flows' figures when
				  * over an interval and a half; else 0 */
	uint64_t resyncs;
	int untracked;           /* the kernel tracks nothing (DUMP_F_UNTRACKED) */
	int recording;           /* --record is on */
	int replay;              /* --replay: a recording is shown */
	int alert;               /* 2 --alert, 1 --learn, 0 neither */
	uint64_t alert_new;      /* flows marked new */
	uint64_t alert_lost;     /* their syslog lines not sent */
	int alert_nolog;         /* no syslog socket */
	size_t alert_entries;    /* in the baseline */
	int ipfix;               /* --ipfix is on */
	uint64_t ipfix_sent;     /* records the exporter sent */
	uint64_t ipfix_dropped;  /* records lost on the way */
	int ipfix_lost;          /* its TCP collector is gone */
	struct msg_replay_state replay_state;   /* what it said last */
	int res_known;           /* the resolver said what it can do */
	uint32_t geo_dbs;
	int dns_on;
	int no_geoip;            /* -G */
	int landlock_abi;        /* the kernel's; below LL_ABI_WANTED: said */
	int paused;
	int bits;
	uint32_t sel;            /* protocol selection */
	int prompt;              /* the filter prompt is open */
	const char *input;       /* what is typed at it */
	int help;
	int detail;
	uint32_t cmdline_pid;    /* the command line below is this pid's */
	const char *cmdline;     /* NULL: not known (yet) */
	uint64_t now_real_ns;
};

/* Set up ncurses on the terminal (setlocale first, colours unless
 * NO_COLOR). Before seccomp: terminfo is read here. 0, or -1 with a
 * message on stderr. */
int screen_open(FILE *out, FILE *in);
void screen_close(void);

/* Rows of the list area on the current screen (for paging). */
int screen_page(const struct screen_info *si);

/* Draw everything; nothing reaches the terminal until screen_flush. */
void screen_draw(struct view *v, const struct view_src *src,
		 const struct screen_info *si);
void screen_flush(void);

/* Internal to the screen_*.c files. */
enum scr_pair {
	SP_TCP = 1, SP_UDP, SP_ICMP, SP_OTHER, SP_GOOD, SP_SETUP, SP_CLOSING,
	SP_TITLE, SP_MATCH, SP_COUNT
};
int scr_attr(enum scr_pair p);
void scr_table(struct view *v, const struct view_src *src,
	       const struct screen_info *si, int y0, int rows);
void scr_help(void);
void scr_detail(struct view *v, const struct view_src *src,
		const struct screen_info *si, int y0, int rows);
/* Write s (escaped here) at y, x in exactly width columns (padded), the
 * filter's match (if any) highlighted. flags: CELL_RIGHT aligns right,
 * CELL_MID cuts a long text in the middle (addresses) not at the end. */
enum { CELL_RIGHT = 1, CELL_MID = 2 };
void scr_cell(int y, int x, int width, const char *s, int flags, int attr,
	      const char *filter);

#endif
