/* SPDX-License-Identifier: GPL-2.0-only */
/* view_int: what the view's files share (keys and filter per tab). */
#ifndef FLOWTOP_VIEW_INT_H
#define FLOWTOP_VIEW_INT_H

#include "ui/view.h"

/* A row's sort key: k (turned over when descending), the conntrack id
 * (pid, country) that breaks ties, and the row in build order. */
struct vs_key {
	uint64_t k;
	uint32_t id;
	uint32_t idx;
};

/* view.c, for view_build.c: a rebuild in parts. vw_reset starts one on
 * the rows in v; vw_flows_walk builds the flows tab's rows in stages
 * (below) until the monotonic clock passes until_ns, the first stage it
 * comes to always: 1 when they are all built, 0 while there is more, -1
 * out of memory. If the table's or the linger set's count, or the names'
 * slots, changed since it began, it begins again; other changes can cost
 * the rows built a flow or a name until the next build (every row's flow
 * is looked up again where it is used), never more. vw_build_other
 * builds another tab's rows (0 or -1); vw_finish orders the rows built
 * and puts the selection back. */
enum vw_stage { VW_BEGIN, VW_RANK, VW_FILTER, VW_WALK, VW_WALKED };

struct vw_walk {
	enum vw_stage stage;
	size_t p, n, nl;        /* position; the table's and the linger's count */
	int slots, ahead;       /* the walk reads the flows' slots; how far ahead */
	unsigned more;          /* lines of an entry it reads besides the first */
};

void vw_reset(struct view *v);
int vw_flows_walk(struct view *v, const struct view_src *src,
		  struct vw_walk *w, uint64_t until_ns);
int vw_build_other(struct view *v, const struct view_src *src);
void vw_finish(struct view *v);
/* view_build.c: what view_free frees of a rebuild in parts. */
void vb_free(struct view_build *b);

/* view_sort.c: room for n keys; the order of v->ord.key[0..nrows) given
 * which bits of k and id vary; the row index of rank i; the rank of a key
 * ((size_t)-1 if it is not there). */
int vs_reserve(struct view *v, size_t n);
void vs_free(struct view_order *o);
void vs_order(struct view *v, uint64_t vary_k, uint32_t vary_id,
	      int desc_strings);
size_t vs_row_index(struct view *v, size_t i);
size_t vs_rank_of(struct view *v, const struct vs_key *key);

uint64_t vk_str(const char *s, uint32_t *flags);
uint64_t vk_flow(const struct view_src *src, const struct flow_entry *e,
		 int col, const char **s, uint32_t *flags);
/* The key of an address column (FC_SRC, FC_DST) or FC_GEO from what is
 * known of address a. */
uint64_t vk_annotated(const struct flow_wire *w, const uint8_t *a, int col,
		      const struct print_annot *pa, const char **s,
		      uint32_t *flags);
uint64_t vk_proc(const struct proc_agg *p, int col, const char **s,
		 uint32_t *flags);
uint64_t vk_group(const struct group_agg *g, int col, const char **s,
		  uint32_t *flags);
uint64_t vk_country(const struct country_agg *c, int col, const char **s,
		    uint32_t *flags);

/* view_filter_ip.c: the filter against dotted quads, by octet tables. */
struct vf_ip4 {
	int ok;                 /* digits and at most three dots */
	unsigned dots;
	int mid[2];             /* octets between the dots */
	uint8_t first[256], last[256];
};

void vf_ip4_compile(struct vf_ip4 *p, const char *f);
int vf_ip4_match(const struct vf_ip4 *p, const uint8_t *a);

/* view_filter.c: the filter, compiled once per rebuild, and what it
 * found for strings many flows share (a process name, a port's service
 * name, a user), remembered for the rest of the rebuild. */
#define VF_MEMO 1024

struct vf_memo {
	uint32_t key;           /* uid */
	int8_t match;           /* -1: empty slot */
};

struct vf_comm_memo {
	char comm[16];          /* the process name */
	int8_t match;           /* -1: empty slot */
};

/* Every port of two protocols: room enough that a busy host's ports do
 * not push each other out. */
#define VF_SERVICE_MEMO 8192

struct vf_ctx {
	char low[VIEW_FILTER_LEN];   /* lower-cased */
	size_t len;
	unsigned char fold[256];     /* tolower of every byte */
	int numeric, addrlike;       /* could be a port, an address */
	int colon, dot;
	enum view_term term;         /* a term, not text (view_filter_term) */
	uint32_t term_val;
	struct vf_ip4 ip4;
	struct vf_comm_memo comm[VF_MEMO];
	struct vf_memo user[VF_MEMO], service[VF_SERVICE_MEMO];
	struct view *va;        /* the view_annot memo, or NULL: plain */
	uint32_t slot[2];       /* with va: the tried flow's address slots */
};

void vf_compile(struct vf_ctx *c, const char *f);
int vf_annot(const struct vf_ctx *c, const struct print_annot *a);
int vf_flow(struct vf_ctx *c, const struct view_src *src,
	    const struct flow_entry *e);
int vf_proc(const struct vf_ctx *c, const struct proc_agg *p);
int vf_group(const struct vf_ctx *c, enum group_by by,
	     const struct group_agg *g);
int vf_country(const struct vf_ctx *c, const struct country_agg *cn);

/* view_annot.c: per address, not per flow (see there). va_begin at the
 * start of a flows rebuild (-1: out of memory); the rest only when va_on:
 * va_slots of flow e at walk position p (remembered in it); the filter's
 * answer for the annotations of a slot, a sort key as vk_annotated;
 * va_prefetch of what the walk reads of the slot of a flow it comes to
 * soon; va_strings_ok below. */
struct va_state;
int va_begin(struct view *v, const struct view_src *src);
/* After va_begin: the ranks of the sort column's names or places brought
 * up to date, in parts as vr_update; 1 when done (also when they can't be:
 * out of memory, the keys come from the per-slot memo then), 0 while there
 * is more to do. */
int va_rank(struct view *v, uint64_t until_ns);
int va_on(const struct view *v);
void va_free(struct va_state *va);
void va_slots(struct view *v, struct flow_entry *e, uint32_t slot[2],
	      size_t p);
/* The look-ups of flow e's addresses not known yet, started for va_slots
 * at walk position p: va_need (e may be NULL), va_hint (the same), then
 * va_warm. */
void va_need(const struct view *v, const struct flow_entry *e);
void va_hint(struct view *v, const struct flow_entry *e, size_t p);
void va_warm(struct view *v, size_t p);
void va_prefetch(const struct view *v, const struct flow_entry *e);
/* After vf_compile: the filter's answer for every slot at once when the
 * filter (or what is known) changed since the last rebuild. */
void va_filter(struct view *v, const struct vf_ctx *c);
/* 0 when the rows' string keys may be freed (the annotation table
 * started over since the rebuild): order by prefix and id alone then. */
int va_strings_ok(const struct view *v);
/* 1 while the annotation table holds the slots va_begin saw, no more and
 * no others: a rebuild in parts may go on with what it worked out. */
int va_same(const struct view *v, const struct view_src *src);
int va_match(struct view *v, const struct vf_ctx *c, uint32_t slot);
uint64_t va_key(struct view *v, const struct flow_wire *w, int col,
		const uint32_t slot[2], const char **s, uint32_t *flags);

/* view_rank.c: the rank of every known name (geo: place) in the order
 * of the string keys, so that the sort by name compares integers. vr_new
 * ranks everything at its first vr_update; vr_changed says a slot was
 * answered (ANNOT_NONE: any may have been); vr_update brings the ranks up
 * to date for nslots slots, in parts until the monotonic clock passes
 * until_ns (a part at least): 1 when they are, 0 while there is more to
 * do (a slot changed meanwhile starts it over), -1 out of memory (free
 * it). The ranks are for reading only once it says 1. vr_ranks: per
 * slot, VR_NONE (not ranked: no name, no place) or the rank, with VR_LONG
 * when its key was a string key; vr_count bounds the ranks. */
#define VR_NONE UINT32_MAX
#define VR_LONG 0x80000000u
#define VR_RANK 0x7fffffffu
struct vr_rank;
struct annots;
struct vr_rank *vr_new(int geo);
void vr_free(struct vr_rank *r);
void vr_changed(struct vr_rank *r, uint32_t slot);
int vr_update(struct vr_rank *r, const struct annots *an, size_t nslots,
	      uint64_t until_ns);
const uint32_t *vr_ranks(const struct vr_rank *r, size_t *n);
size_t vr_count(const struct vr_rank *r);   /* ranks are below it */

/* view_text.c: the folded text of every answered slot, searched for a
 * new filter at once (see there). vt_new NULL out of memory; vt_put the
 * annotations of a slot (again: replaces); vt_match_all match[s] = 1 + the
 * filter's answer for every s < nslots, or -1 (out of memory once, or
 * another case folding): then ask slot by slot. */
struct vt_text;
struct vt_text *vt_new(void);
void vt_free(struct vt_text *t);
void vt_forget(struct vt_text *t);
void vt_put(struct vt_text *t, uint32_t slot, const struct print_annot *pa);
int vt_usable(const struct vt_text *t, const unsigned char *fold);
/* Grow array *p of *cap items of size to hold need (at least first,
 * doubling); 0 or -1 (then unchanged). */
int vt_grow(void **p, size_t *cap, size_t need, size_t size, size_t first);
int vt_match_all(struct vt_text *t, const struct vf_ctx *c, uint8_t *match,
		 size_t nslots);

#endif
