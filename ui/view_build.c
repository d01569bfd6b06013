/* SPDX-License-Identifier: GPL-2.0-only */
/* view_build: a rebuild of the flows tab in parts, over several turns of
 * the screen's loop.
 *
 * With names on, a rebuild walks every flow and reads four lines of each:
 * over 60 ms at a million flows, so a screen that rebuilt in one go froze
 * for that long at every new filter letter, sort key or refresh. Built in
 * parts, each turn does at most a slice of it and the loop still reads
 * keys and draws between them. The rows shown meanwhile are the last
 * ones built, so the view keeps two sets of rows: the one shown, and the
 * one being built (or spare), swapped into the view while a part runs,
 * so the building code knows nothing of it, and kept there when done. */
#include <stdlib.h>

#include "common/clock.h"
#include "ui/view_int.h"

/* The fields of struct view that make up one set of rows. */
struct view_set {
	struct view_row *rows;
	size_t nrows, cap, total;
	struct view_order ord;
	int building_desc;
	uint64_t k_or, k_and;
	uint32_t id_or, id_and;
	uint64_t follow_ident;
	size_t follow_idx;
	uint64_t follow_k;
	uint64_t strings_gen;
	int rows_tab;
};

struct view_build {
	struct view_set other;  /* not shown: being built, or spare */
	struct vw_walk w;
	int pending;
};

#define VB_SWAP(a, b) do {                      \
		__typeof__(a) vb_t_ = (a);      \
		(a) = (b);                      \
		(b) = vb_t_;                    \
	} while (0)

static void vb_swap(struct view *v, struct view_set *s)
{
	VB_SWAP(v->rows, s->rows);
	VB_SWAP(v->nrows, s->nrows);
	VB_SWAP(v->cap, s->cap);
	VB_SWAP(v->total, s->total);
	VB_SWAP(v->ord, s->ord);
	VB_SWAP(v->building_desc, s->building_desc);
	VB_SWAP(v->k_or, s->k_or);
	VB_SWAP(v->k_and, s->k_and);
	VB_SWAP(v->id_or, s->id_or);
	VB_SWAP(v->id_and, s->id_and);
	VB_SWAP(v->follow_ident, s->follow_ident);
	VB_SWAP(v->follow_idx, s->follow_idx);
	VB_SWAP(v->follow_k, s->follow_k);
	VB_SWAP(v->strings_gen, s->strings_gen);
	VB_SWAP(v->rows_tab, s->rows_tab);
}

void vb_free(struct view_build *b)
{
	if (!b)
		return;
	free(b->other.rows);
	vs_free(&b->other.ord);
	free(b);
}

void view_build_start(struct view *v)
{
	/* Without room for it, the first step rebuilds in one go. */
	if (!v->b && !(v->b = calloc(1, sizeof(*v->b))))
		return;
	v->b->other.rows_tab = -1;
	v->b->w = (struct vw_walk){ .stage = VW_BEGIN };
	v->b->pending = 1;
}

int view_building(const struct view *v)
{
	return v->b && v->b->pending;
}

void view_build_cancel(struct view *v)
{
	if (v->b)
		v->b->pending = 0;
}

int view_build_step(struct view *v, const struct view_src *src,
		    uint64_t until_ns)
{
	struct view_build *b = v->b;
	int r, walked;

	/* Another tab, or no rows of this one to show meanwhile. */
	if (!view_building(v) || v->tab != VIEW_FLOWS ||
	    v->rows_tab != VIEW_FLOWS)
		return view_rebuild(v, src) < 0 ? -1 : 1;
	/* Ordering the rows is a part of its own, unless time is left. */
	walked = b->w.stage == VW_WALKED;
	vb_swap(v, &b->other);
	r = vw_flows_walk(v, src, &b->w, until_ns);
	if (r == 1 && (walked || clock_mono_ns() < until_ns)) {
		vw_finish(v);
		b->pending = 0;
		return 1;       /* the new rows stay in the view */
	}
	vb_swap(v, &b->other);
	if (r < 0) {
		b->pending = 0;
		return -1;
	}
	return 0;
}
