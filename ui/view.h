/* SPDX-License-Identifier: GPL-2.0-only */
/* view: the model behind the screen. For the tab shown it builds the rows
 * (flows, processes or countries) with the filter, the "active only"
 * switch and the sort applied, keeps lingering closed flows among them,
 * and keeps the selection on the same flow (or process, or country)
 * across refreshes and re-sorts. No ncurses here: the renderer
 * (screen_*.c) asks for the rows it draws and nothing else.
 *
 * Sorting is stable: rows with equal keys keep conntrack id order (then
 * pid, or country code and ASN, on the other tabs). Only the ranks looked
 * at are sorted (view_sort.c): reach rows through view_row_at.
 */
#ifndef FLOWTOP_VIEW_H
#define FLOWTOP_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "ui/country_agg.h"
#include "ui/flow_table.h"
#include "ui/group_agg.h"
#include "ui/linger.h"
#include "ui/print.h"
#include "ui/proc_agg.h"

enum view_tab { VIEW_FLOWS, VIEW_PROCS, VIEW_COUNTRIES, VIEW_TABS };

/* Columns of the flows tab. */
enum flow_col {
	FC_PID, FC_USER, FC_PROC, FC_PROTO, FC_STATE, FC_AGE, FC_SRC,
	FC_SPORT, FC_DST, FC_DPORT, FC_GEO,
	/* What NAT and the firewall made of the entry: shown with `n`. */
	FC_NAT, FC_ZONE, FC_MARK, FC_LABELS,
	FC_BYTES, FC_RATE, FC_COUNT
};
/* Columns of the processes tab: the first ones name the row, as it is
 * grouped (PID and PROCESS, USER, UNIT or CONTAINER: only those of the
 * grouping are visible), the totals follow. */
enum proc_col {
	PC_PID, PC_PROC, PC_USER, PC_UNIT, PC_CONTAINER, PC_FLOWS, PC_SENT,
	PC_RECV, PC_SENT_RATE, PC_RECV_RATE, PC_COUNT
};
/* Columns of the countries tab. */
enum country_col {
	CC_CODE, CC_NAME, CC_AS, CC_FLOWS, CC_SENT, CC_RECV, CC_SENT_RATE,
	CC_RECV_RATE, CC_COUNT
};

#define VIEW_MAX_COLS 20   /* at least the largest *_COUNT above */

/* One column: the renderer draws the title at width; flex columns share
 * what a wide terminal has left, and give back down to min on a narrow
 * one (80 columns fit the flows tab); sorting starts descending when desc. */
struct view_col {
	const char *title;
	uint8_t width;
	uint8_t min;
	uint8_t flex;
	uint8_t desc;
	uint8_t right;      /* right-aligned (numbers) */
};

const struct view_col *view_cols(enum view_tab tab, size_t *n);

/* Row flags. */
enum {
	ROW_CLOSED = 1u << 0,   /* a lingering closed flow (ref: linger index) */
	ROW_FROZEN = 1u << 1,   /* paused: ref indexes the frozen copies */
	ROW_LONG = 1u << 2,     /* string key longer than the key's prefix */
	ROW_RANK = 1u << 3,     /* a string key's rank: ties go by ident */
};

struct view_row {
	uint64_t ident;         /* flow: id << 32 | tuple hash; pid, or a
				 * group's ident; country key */
	const char *s;          /* string key in full, or NULL */
	uint32_t ref;           /* table/linger/frozen/aggregate index */
	uint32_t flags;
};

/* What a rebuild reads. */
struct view_src {
	/* Not const: the view keeps what it looked up of a flow in its
	 * entry (flow_entry.annot_slot1). */
	struct flow_table *table;
	struct linger_set *linger;
	/* NULL: no names or places. annots_get (ctx a struct annots):
	 * worked out once per address and remembered (view_annot.c);
	 * another function is asked for every flow at every rebuild. */
	print_annot_fn annot;
	print_service_fn service;
	void *ctx;
	const struct users *users;   /* uid -> name; NULL: uids as numbers */
	uint32_t sel;                /* enum flow_sel: flows outside it are hidden */
	uint64_t now_real_ns;        /* for ages */
	const struct owners *owners; /* NULL: no owner details */
};

#define VIEW_FILTER_LEN 64

struct vs_key;
struct owners;
struct vf_ctx;
struct va_state;
struct view_build;

/* The rows' order (view_sort.c): sort keys split into buckets of key
 * ranges, each sorted when a rank in it is first asked for. */
struct view_order {
	struct vs_key *key, *tmp;   /* key[rank], once its bucket is sorted */
	size_t cap;
	uint32_t *start;        /* bucket b holds ranks start[b]..start[b+1] */
	uint8_t *sorted;        /* per bucket */
	uint32_t *cnt;          /* counting scratch */
	unsigned shift;         /* the bucket digit: bits shift.. of k or id */
	int on_id;
	int desc_strings;
	uint32_t any_long;      /* some row's string key needs the full compare */
	uint32_t any_rank;      /* some row's key is a string's rank */
};

struct view_tabstate {
	int sort_col;
	int reverse;            /* the other way round from the column's default */
	uint64_t sel_ident;
	int have_sel;
	size_t sel;             /* row index */
	size_t top;             /* first row shown */
	int hscroll;            /* leading columns scrolled out of view */
};

struct view {
	enum view_tab tab;
	struct view_tabstate ts[VIEW_TABS];
	char filter[VIEW_FILTER_LEN];   /* "" none; matched case-insensitively */
	int active_only;
	int show_src;
	int show_nat;           /* the NAT, ZONE, MARK and LABELS columns */
	int have_asn;           /* some country row has an AS: show the column */
	struct view_row *rows;  /* in build order; ranks go through ord */
	size_t nrows, cap;
	size_t total;           /* rows of the tab before filter and "active" */
	struct flow_entry *frozen;   /* paused flows tab: copies */
	size_t nfrozen;
	enum group_by group;    /* what a row of the processes tab is */
	struct proc_agg *procs; /* its rows by process */
	size_t nprocs;
	struct group_agg *groups;   /* its rows grouped otherwise */
	size_t ngroups;
	struct country_agg *countries;
	size_t ncountries;
	struct view_order ord;
	struct vf_ctx *vf;      /* the filter, compiled at each rebuild */
	struct va_state *va;    /* names and places per address (view_annot.c) */
	int building_desc;      /* the rebuild's sort is descending */
	uint64_t k_or, k_and;   /* of every key built: which bits vary */
	uint32_t id_or, id_and;
	uint64_t follow_ident;  /* the selection the build looks out for */
	size_t follow_idx;      /* its row in build order; past the end: none */
	uint64_t follow_k;      /* and its sort key */
	uint64_t strings_gen;   /* the names' generation the rows' strings are of */
	int rows_tab;           /* the tab the rows are of; -1 before the first */
	struct view_build *b;   /* a rebuild under way (view_build.c), or NULL */
};

void view_init(struct view *v, int show_src);
void view_free(struct view *v);

/* Build the rows of the current tab from src. 0, or -1 out of memory
 * (the previous rows stay). */
int view_rebuild(struct view *v, const struct view_src *src);

/* The same, spread over several turns of the loop so that no turn waits
 * on a whole walk of the table (a million flows take over 60 ms): the
 * rows shown stay as they are until the new ones are ready, then change
 * at once. view_build_start sets one up (dropping one under way);
 * view_build_step works on it until the monotonic clock passes until_ns
 * (and always a little): 1 when the new rows are in place, 0 while there
 * is more to do, -1 out of memory (the rows shown stay, nothing is under
 * way). The table, the linger set and the names are best left as they
 * are while a rebuild is under way (view_int.h says what a change does);
 * the selection and scrolling may move. Only the flows tab is built in
 * steps, and only when the rows shown are of it: other builds are done
 * at the first step. */
void view_build_start(struct view *v);
int view_build_step(struct view *v, const struct view_src *src,
		    uint64_t until_ns);
int view_building(const struct view *v);
void view_build_cancel(struct view *v);

/* Pause: copy the flows the rows point at, so the screen holds still
 * while the table moves on; view_rebuild thaws. 0 or -1. */
int view_freeze(struct view *v, const struct view_src *src);

/* Row of rank i (i < nrows): sorts the part of the order it is in if
 * that was not done yet. */
const struct view_row *view_row_at(struct view *v, size_t i);

/* The flow of row i of the flows tab; NULL when it is gone. *closed says
 * whether it is a lingering closed flow. */
const struct flow_entry *view_flow(struct view *v,
				   const struct view_src *src, size_t i,
				   int *closed);

/* Selection and scrolling; page is the number of rows on screen. */
void view_move(struct view *v, long delta);
void view_home(struct view *v);
void view_end(struct view *v);
void view_scroll(struct view *v, size_t page);

/* Sort column: the next/previous visible one (dir +1/-1), or reverse. */
void view_sort_step(struct view *v, int dir);
void view_sort_reverse(struct view *v);

/* The `g` key: on the processes tab, group its rows by the next of
 * process, user, unit, container (and round); on another tab, show the
 * processes tab as it is grouped. The selection starts afresh, a sort
 * by the naming column moves to the new naming column. Rebuild after. */
void view_group_key(struct view *v);
int view_col_visible(const struct view *v, enum view_tab tab, int col);
/* The processes tab's column that names a row grouped by `by`. */
int view_group_col(enum group_by by);

/* Case-insensitive substring search of the filter in s (s may be NULL);
 * position or -1. Also what the renderer highlights. */
long view_match(const char *filter, const char *s);

/* Flags of the filter that decide which fields it can match: only digits
 * can be a port, only hex digits, dots and colons an address. */
int view_filter_numeric(const char *filter);
int view_filter_addrlike(const char *filter);

/* A filter that is a whole term selects flows by a property of their
 * conntrack entry instead of by text: "nat" (NAT changed the reply
 * direction), "zone:N", "mark:N" (N decimal, or hexadecimal after 0x).
 * Any case. On the processes and countries tabs it is text as any
 * other. The term, *val its number. */
enum view_term { VIEW_TERM_NONE, VIEW_TERM_NAT, VIEW_TERM_ZONE,
		 VIEW_TERM_MARK };
enum view_term view_filter_term(const char *filter, uint32_t *val);

#endif
