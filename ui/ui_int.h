/* SPDX-License-Identifier: GPL-2.0-only */
/* ui_int: the ui process's state and the two halves that share it: the
 * protocol with the other roles (proto.c), and a front-end that shows the
 * table (batch.c prints snapshots, tui.c runs the screen). The protocol
 * calls the front-end through struct ui_frontend alone; a front-end calls
 * the protocol's functions below. */
#ifndef FLOWTOP_UI_INT_H
#define FLOWTOP_UI_INT_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/msg.h"
#include "common/options.h"
#include "ui/annot.h"
#include "ui/flow_table.h"
#include "ui/linger.h"
#include "ui/print.h"

struct tui;
struct ui;

/* What a front-end offers the protocol. */
struct ui_frontend {
	/* Its loop, until done or failed: a UI_* code. */
	int (*run)(struct ui *u);
	/* A dump ended and the table holds it (rates not yet computed). */
	int (*dump_end)(struct ui *u, const struct msg_dump_mark *mk);
	/* The collector's answer to a command line request (a checked
	 * MSG_CMDLINE_ANS payload); NULL when it never asks. */
	void (*cmdline)(struct ui *u, const void *payload);
	/* Lookup answers were merged; NULL when it looks by itself. */
	int (*answers)(struct ui *u);
};

extern const struct ui_frontend ui_batch;    /* batch.c */
extern const struct ui_frontend ui_screen;   /* tui.c */

struct ui {
	const struct options *o;
	struct msg_chan *col;
	struct msg_chan *res;
	struct flow_table *table;
	struct print_opts po;
	int hello;              /* HELLO received */
	int in_dump;            /* between DUMP_BEGIN and DUMP_END */
	struct msg_dump_mark dump;
	struct msg_dump_mark last_mark;   /* the last DUMP_END */
	uint64_t dumps;         /* completed dumps */
	int readings;           /* records with counters (a dump's, a
				 * refresh's) came since the screen took
				 * them: rates are due */
	uint32_t cadence_ms;    /* last cadence told on stderr */
	int untracked;          /* last DUMP_F_UNTRACKED told on stderr */
	uint32_t printed;       /* snapshots printed */
	struct annots *annots;
	struct owners *owners;  /* the processes flows name (MSG_OWNER) */
	int annots_changed;     /* an answer arrived since the screen looked */
	uint64_t asked_gen;     /* annots_generation when ui_ask last asked */
	struct msg_res_info res_info;
	int res_known;          /* res_info arrived */
	int print_due;          /* a snapshot waits for lookups */
	uint64_t print_deadline;/* CLOCK_MONOTONIC ns */
	uint64_t snap_real_ns;  /* the "time" of the snapshot due */
	const struct flow_entry **sorted;
	size_t sorted_cap;
	const struct ui_frontend *fe;
	struct tui *tui;        /* the screen's state; NULL in batch mode */
	struct linger_set *linger;  /* NULL in batch mode */
	struct record *rec;     /* --record's lines; NULL: not recording */
	struct alert *alert;    /* --alert, --learn; NULL: neither */
	struct ipfix_feed *ipfix;  /* --ipfix's records; NULL: no export */
	FILE *rec_out;          /* their stream to the recorder */
	/* Selection bits whose flows leave the table without closing (a
	 * new selection): no linger, no "end" line. */
	uint32_t muted_sel;
	uint32_t sel;           /* the selection last asked of the collector */
	uint32_t sel_moved;     /* its bits changed since the last DUMP_BEGIN */
	uint32_t sel_moved_before;  /* ... between the two before */
	/* --replay: what the replay said last (MSG_REPLAY_STATE) */
	struct msg_replay_state replay;
	int replay_owed;        /* batch: a frame came, NEXT not sent yet */
};

/* UI_AGAIN: nothing was waiting. */
enum { UI_GO_ON = 0, UI_DONE = 1, UI_AGAIN = 2, UI_FAIL = -1,
       UI_QUIET_FAIL = -2 };

__attribute__((format(printf, 1, 2)))
int ui_fail(const char *fmt, ...);

/* Send the resolver a PING and wait (bounded) for its PONG. 0 or a UI_*
 * failure code, reported. */
int ui_ping_resolver(struct msg_chan *res);

/* Ask the collector for its stream (SYNC_REQ; screen: the ui opens the
 * screen next) and wait (bounded) for its SYNC_ANS, which comes before
 * anything else it sends. 0 or a UI_* failure code, reported. */
int ui_sync_collector(struct msg_chan *col, int screen);

/* Ask the collector for a new protocol selection; its dumps follow it
 * from the next periodic one on. 0 or -1 (errno set). */
int ui_send_sel(struct ui *u, uint32_t sel);

/* Ask the collector for the current counters of the flows keys[0..n)
 * name (at most MSG_REFRESH_MAX are sent), and tell it what the screen
 * needs (enum refresh_flags). 0 or -1 (errno set). */
int ui_send_refresh(struct ui *u, const struct flow_key *keys, size_t n,
		    uint32_t flags);

/* --replay: a key for the replay (enum replay_op). 0 or -1 (errno). */
int ui_send_replay(struct ui *u, uint32_t op);

/* One message from the collector / the resolver, without blocking. */
int ui_from_collector(struct ui *u);
int ui_from_resolver(struct ui *u);

/* Ask the resolver about what the table shows. 0 or -1. */
int ui_ask(struct ui *u);

/* --alert, --learn: judge the flows whose owner and places came in
 * (ui/alert.h), and save the baseline when due. UI_ALERT_DUMP: a dump
 * ended (the table is walked for owners found); UI_ALERT_SETTLE: answers
 * came (only the flows handed over); UI_ALERT_FINAL: the run ends (all,
 * and saved now). 0, or a UI_* failure code, reported. */
enum { UI_ALERT_DUMP, UI_ALERT_SETTLE, UI_ALERT_FINAL };
int ui_alert_pass(struct ui *u, int how);

/* --ipfix: the names a record's owner fields come from. */
struct ipfix_names ui_ipfix_names(const struct ui *u);

/* The table's gone callback (ctx: the ui): the screen's lingering closed
 * flows, --record's "end" lines, --alert's last look at a flow, --ipfix's
 * last record of it. */
void ui_flow_gone(void *ctx, const struct flow_entry *e);

#endif
