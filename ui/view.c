/* SPDX-License-Identifier: GPL-2.0-only */
/* view: building a tab's rows, the selection and the sort column. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "common/clock.h"
#include "privsep/msg.h"
#include "ui/view_int.h"

void view_init(struct view *v, int show_src)
{
	memset(v, 0, sizeof(*v));
	v->show_src = show_src;
	v->ts[VIEW_FLOWS].sort_col = FC_BYTES;
	v->ts[VIEW_PROCS].sort_col = PC_SENT;
	v->ts[VIEW_COUNTRIES].sort_col = CC_SENT;
	v->rows_tab = -1;
}

void view_free(struct view *v)
{
	free(v->rows);
	free(v->frozen);
	free(v->procs);
	free(v->groups);
	free(v->countries);
	vs_free(&v->ord);
	free(v->vf);
	va_free(v->va);
	vb_free(v->b);
	memset(v, 0, sizeof(*v));
}

static int vw_reserve(struct view *v, size_t n)
{
	if (!v->vf && !(v->vf = malloc(sizeof(*v->vf))))
		return -1;
	if (n <= v->cap)
		return vs_reserve(v, n);
	/* A quarter to spare, not double: the screen keeps two sets of
	 * rows (view_build.c), 56 bytes a flow each. */
	size_t cap = n + n / 4 > 256 ? n + n / 4 : 256;
	struct view_row *r = realloc(v->rows, cap * sizeof(*r));

	if (!r)
		return -1;
	v->rows = r;
	v->cap = cap;
	return vs_reserve(v, cap);
}

static int vw_desc(const struct view *v)
{
	size_t n;
	const struct view_tabstate *t = &v->ts[v->tab];
	const struct view_col *c = view_cols(v->tab, &n);

	return c[t->sort_col].desc ^ t->reverse;
}

static void vw_add(struct view *v, uint64_t k, uint64_t ident, const char *s,
		   uint32_t ref, uint32_t flags)
{
	size_t i = v->nrows++;
	struct view_row *r = &v->rows[i];
	struct vs_key *key = &v->ord.key[i];

	/* Descending: the key turned over; ties stay in id order. */
	key->k = v->building_desc ? ~k : k;
	key->id = (uint32_t)(ident >> 32);
	key->idx = (uint32_t)i;
	/* Which bits vary tells the order where to split the keys. */
	v->k_or |= key->k;
	v->k_and &= key->k;
	v->id_or |= key->id;
	v->id_and &= key->id;
	v->ord.any_long |= flags & ROW_LONG;
	v->ord.any_rank |= flags & ROW_RANK;
	r->ident = ident;
	r->s = s;
	r->ref = ref;
	r->flags = flags;
	if (ident == v->follow_ident) {
		v->follow_idx = i;
		v->follow_k = key->k;
	}
}

/* Is a flow of w's kind in the protocol selection? */
static int vw_selected(uint32_t sel, const struct flow_wire *w)
{
	uint32_t bits = flow_sel_bits(w);

	return (sel & bits) == bits;
}

static int vw_flow_shown(const struct view *v, const struct view_src *src,
			 struct vf_ctx *c, const struct flow_entry *e)
{
	if (v->active_only && !(e->orig_rate + e->reply_rate > 0))
		return 0;
	return !v->filter[0] || vf_flow(c, src, e);
}

static int vw_addr_col(int col)
{
	return col == FC_SRC || col == FC_DST || col == FC_GEO;
}

/* Flow e, entry i of the table, or of the linger set when closed; p of
 * the walk. */
static void vw_try_flow(struct view *v, const struct view_src *src,
			struct flow_entry *e, size_t i, int closed, size_t p)
{
	struct vf_ctx *c = v->vf;
	int col = v->ts[VIEW_FLOWS].sort_col;
	uint32_t flags = closed ? ROW_CLOSED : 0;
	const char *s;
	uint64_t k;

	/* A new selection shows at once: the collector's dumps follow it
	 * only from the next one on. */
	if (!vw_selected(src->sel, &e->w))
		return;
	v->total++;
	if (c->va && (v->filter[0] || vw_addr_col(col)))
		va_slots(v, e, c->slot, p);
	if (!vw_flow_shown(v, src, c, e))
		return;
	if (c->va && vw_addr_col(col))
		k = va_key(v, &e->w, col, c->slot, &s, &flags);
	else
		k = vk_flow(src, e, col, &s, &flags);
	vw_add(v, k, (uint64_t)e->w.id << 32 | e->tuple_hash, s, (uint32_t)i,
	       flags);
}

/* The walk reads a few fields of every flow; the entries are big, so it
 * waits on memory more than it computes. Asking for an entry a few
 * ahead overlaps those waits (the hardware's own prefetch loses the
 * stream at every page). With names, a new flow's addresses are looked
 * up (two misses each) in steps started ahead too (va_hint, va_warm). */
#define VW_AHEAD 8
#define VW_AHEAD_NAMED 32

/* Lines of an entry a rebuild may read besides those every one reads. */
enum { VW_RATES = 1, VW_ADDRS = 2 };

static void vw_prefetch(const struct flow_entry *e, unsigned more)
{
	/* Name the lines of the fields read (the id and slots, the name and
	 * owner), wherever they fall: the table's entries are line-aligned,
	 * a copy need not be. The others only when the rebuild reads them. */
	if (!e)
		return;
	__builtin_prefetch(e);
	__builtin_prefetch(&e->w.pid);
	__builtin_prefetch(e->w.comm);
	__builtin_prefetch(&e->w.owner);
	if (more & VW_RATES)
		__builtin_prefetch(&e->orig_rate);
	if (more & VW_ADDRS) {
		__builtin_prefetch(e->w.src);
		__builtin_prefetch(e->w.dst + 15);
	}
}

/* Flow p of the walk: the table's entries, then the lingering ones
 * (writable: the view keeps slots in them); NULL past the end. */
static struct flow_entry *vw_walk_at(const struct view_src *src, size_t n,
				     size_t nl, size_t p)
{
	struct linger_set *l = src->linger;

	if (p < n)
		return flow_table_at_mut(src->table, p);
	size_t at;

	if (p - n >= nl)
		return NULL;
	/* A ring: head + i wraps at most once (no division per flow). */
	at = l->head + (p - n);
	return &l->items[at < l->cap ? at : at - l->cap].e;
}

/* The slots of the flows a few ahead: those in the entry (asked for a
 * while ago) and what they lead to, and the steps of the look-ups of
 * those not known yet. */
static void vw_slots_ahead(struct view *v, const struct view_src *src,
			   size_t n, size_t nl, size_t p)
{
	size_t h = p + VW_AHEAD, w = p + VW_AHEAD / 2;

	va_need(v, vw_walk_at(src, n, nl, p + 2 * VW_AHEAD));
	va_hint(v, vw_walk_at(src, n, nl, h), h);
	va_warm(v, w);
	va_prefetch(v, vw_walk_at(src, n, nl, w));
}

/* What the walk reads besides what every walk reads, and the filter's
 * answers for every slot when the filter changed. */
static void vw_flows_filter(struct view *v, const struct view_src *src,
			    struct vw_walk *w)
{
	struct vf_ctx *c = v->vf;
	int named;

	vf_compile(c, v->filter);
	named = va_on(v);
	/* A term asks nothing of names and places. */
	c->va = named && !c->term ? v : NULL;
	if (c->va)
		va_filter(v, c);
	/* The flows' slots are wanted (the walk reads them then). */
	w->slots = named && (v->filter[0] ||
			     vw_addr_col(v->ts[VIEW_FLOWS].sort_col));
	w->ahead = w->slots ? VW_AHEAD_NAMED : VW_AHEAD;
	w->more = 0;
	if (v->active_only || v->ts[VIEW_FLOWS].sort_col == FC_RATE)
		w->more |= VW_RATES;
	if (v->filter[0] && c->addrlike)
		w->more |= VW_ADDRS;
	v->total = 0;
	w->p = 0;
	w->n = flow_table_count(src->table);
	w->nl = src->linger ? linger_count(src->linger) : 0;
}

/* Looked at every so many flows: a clock read costs little beside them. */
#define VW_CHUNK 2048

static int vw_walk_part(struct view *v, const struct view_src *src,
			struct vw_walk *w, uint64_t until_ns)
{
	size_t n = w->n, nl = w->nl, stop = w->p;

	while (w->p < n + nl) {
		stop = stop + VW_CHUNK < n + nl ? stop + VW_CHUNK : n + nl;
		for (size_t p = w->p; p < stop; p++) {
			vw_prefetch(vw_walk_at(src, n, nl, p + w->ahead),
				    w->more);
			if (w->slots)
				vw_slots_ahead(v, src, n, nl, p);
			vw_try_flow(v, src, vw_walk_at(src, n, nl, p),
				    p < n ? p : p - n, p >= n, p);
		}
		w->p = stop;
		if (w->p < n + nl && clock_mono_ns() >= until_ns)
			return 0;
	}
	w->stage = VW_WALKED;
	return 1;
}

/* Did what the walk began on change under it? */
static int vw_moved(const struct view *v, const struct view_src *src,
		    const struct vw_walk *w)
{
	size_t nl = src->linger ? linger_count(src->linger) : 0;

	return flow_table_count(src->table) != w->n || nl != w->nl ||
	       !va_same(v, src);
}

int vw_flows_walk(struct view *v, const struct view_src *src,
		  struct vw_walk *w, uint64_t until_ns)
{
	int first = 1;

	if (w->stage == VW_WALK && vw_moved(v, src, w))
		w->stage = VW_BEGIN;
	for (;; first = 0) {
		if (w->stage == VW_WALKED)
			return 1;
		if (!first && clock_mono_ns() >= until_ns)
			return 0;
		switch (w->stage) {
		case VW_BEGIN:
			vw_reset(v);
			if (vw_reserve(v, flow_table_count(src->table) +
				       (src->linger ?
					linger_count(src->linger) : 0)) < 0 ||
			    va_begin(v, src) < 0)
				return -1;
			w->stage = VW_RANK;
			break;
		case VW_RANK:
			/* The names' ranks, sorted whole at times: in
			 * parts too. */
			if (va_rank(v, until_ns))
				w->stage = VW_FILTER;
			break;
		case VW_FILTER:
			vw_flows_filter(v, src, w);
			w->stage = VW_WALK;
			break;
		default:
			if (!vw_walk_part(v, src, w, until_ns))
				return 0;
			break;
		}
	}
}

/* The n rows an aggregate built (n is (size_t)-1 when it ran out of
 * memory, rows then NULL): room for them and the filter compiled, or -1
 * with rows freed. */
static int vw_agg_start(struct view *v, size_t n, void *rows)
{
	if (n == (size_t)-1 || vw_reserve(v, n) < 0) {
		free(rows);
		return -1;
	}
	v->total = n;
	vf_compile(v->vf, v->filter);
	return 0;
}

static int vw_build_procs(struct view *v, const struct view_src *src)
{
	struct proc_agg *p;
	size_t n = proc_agg_build(src->table, &p);

	if (vw_agg_start(v, n, p) < 0)
		return -1;
	free(v->procs);
	v->procs = p;
	v->nprocs = n;
	for (size_t i = 0; i < n; i++) {
		uint32_t flags = 0;
		const char *s;
		uint64_t k;

		if (v->active_only && !(p[i].orig_rate + p[i].reply_rate > 0))
			continue;
		if (v->filter[0] && !vf_proc(v->vf, &p[i]))
			continue;
		k = vk_proc(&p[i], v->ts[VIEW_PROCS].sort_col, &s, &flags);
		vw_add(v, k, (uint64_t)p[i].pid << 32, s, (uint32_t)i, flags);
	}
	return 0;
}

static int vw_build_groups(struct view *v, const struct view_src *src)
{
	struct group_agg *g;
	size_t n = group_agg_build(src->table, src->owners, src->users,
				   v->group, &g);

	if (vw_agg_start(v, n, g) < 0)
		return -1;
	free(v->groups);
	v->groups = g;
	v->ngroups = n;
	for (size_t i = 0; i < n; i++) {
		uint32_t flags = 0;
		const char *s;
		uint64_t k;

		if (v->active_only &&
		    !(g[i].sum.orig_rate + g[i].sum.reply_rate > 0))
			continue;
		if (v->filter[0] && !vf_group(v->vf, v->group, &g[i]))
			continue;
		k = vk_group(&g[i], v->ts[VIEW_PROCS].sort_col, &s, &flags);
		vw_add(v, k, g[i].ident, s, (uint32_t)i, flags);
	}
	return 0;
}

static int vw_build_countries(struct view *v, const struct view_src *src)
{
	struct country_agg *c;
	size_t n = country_agg_build(src->table, src->annot, src->ctx, &c);

	if (vw_agg_start(v, n, c) < 0)
		return -1;
	free(v->countries);
	v->countries = c;
	v->ncountries = n;
	v->have_asn = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t flags = 0;
		const char *s;
		uint64_t k, key = country_agg_key(&c[i]);

		v->have_asn |= c[i].asn != 0;
		if (v->active_only && !(c[i].sent_rate + c[i].recv_rate > 0))
			continue;
		if (v->filter[0] && !vf_country(v->vf, &c[i]))
			continue;
		k = vk_country(&c[i], v->ts[VIEW_COUNTRIES].sort_col, &s, &flags);
		/* The sort's tie-break reads the high half: code first. */
		vw_add(v, k, key >> 16 << 32 | (key & 0xffffffffu), s,
		       (uint32_t)i, flags);
	}
	return 0;
}

/* The selection moved while the rows were built in parts: find its row
 * among the keys (the order's buckets hold every row). */
static void vw_find_sel(struct view *v, uint64_t ident)
{
	v->follow_idx = (size_t)-1;
	for (size_t i = 0; i < v->nrows; i++) {
		const struct vs_key *key = &v->ord.key[i];

		if (key->id == (uint32_t)(ident >> 32) &&
		    v->rows[key->idx].ident == ident) {
			v->follow_idx = key->idx;
			v->follow_k = key->k;
			return;
		}
	}
}

/* Put the selection back on the row it was on, wherever it went. */
static void vw_follow(struct view *v)
{
	struct view_tabstate *t = &v->ts[v->tab];

	if (v->nrows == 0) {
		t->sel = t->top = 0;
		return;
	}
	if (t->have_sel && t->sel_ident != v->follow_ident)
		vw_find_sel(v, t->sel_ident);
	if (t->have_sel && v->follow_idx < v->nrows) {
		/* The build saw it go by: only its part of the order sorts. */
		struct vs_key key = {
			.k = v->follow_k, .idx = (uint32_t)v->follow_idx,
			.id = (uint32_t)(t->sel_ident >> 32),
		};
		size_t at = vs_rank_of(v, &key);

		if (at < v->nrows) {
			t->sel = at;
			return;
		}
	}
	/* Gone (or nothing chosen yet): stay at the same place. */
	if (t->sel >= v->nrows)
		t->sel = v->nrows - 1;
	t->sel_ident = view_row_at(v, t->sel)->ident;
	t->have_sel = 1;
}

void vw_reset(struct view *v)
{
	v->nrows = 0;
	v->building_desc = vw_desc(v);
	v->follow_ident = v->ts[v->tab].have_sel ? v->ts[v->tab].sel_ident : 0;
	v->follow_idx = (size_t)-1;
	v->k_or = v->id_or = 0;
	v->k_and = UINT64_MAX;
	v->id_and = UINT32_MAX;
	v->ord.any_long = v->ord.any_rank = 0;
}

int vw_build_other(struct view *v, const struct view_src *src)
{
	if (v->tab == VIEW_PROCS && v->group != GROUP_PROCESS)
		return vw_build_groups(v, src);
	if (v->tab == VIEW_PROCS)
		return vw_build_procs(v, src);
	return vw_build_countries(v, src);
}

void vw_finish(struct view *v)
{
	vs_order(v, v->k_or ^ v->k_and, v->id_or ^ v->id_and,
		 v->building_desc);
	free(v->frozen);
	v->frozen = NULL;
	v->nfrozen = 0;
	vw_follow(v);
	v->rows_tab = (int)v->tab;
}

int view_rebuild(struct view *v, const struct view_src *src)
{
	int r;

	view_build_cancel(v);
	if (v->tab == VIEW_FLOWS) {
		struct vw_walk w = { .stage = VW_BEGIN };

		r = vw_flows_walk(v, src, &w, UINT64_MAX);
	} else {
		vw_reset(v);
		r = vw_build_other(v, src);
	}
	if (r < 0) {
		v->nrows = 0;
		return -1;
	}
	vw_finish(v);
	return 0;
}

static int vw_is(const struct flow_entry *e, uint64_t ident)
{
	return e && ((uint64_t)e->w.id << 32 | e->tuple_hash) == ident;
}

static const struct flow_entry *vw_row_flow(const struct view *v,
					    const struct view_src *src,
					    const struct view_row *r)
{
	const struct flow_entry *e;

	if (r->flags & ROW_FROZEN)
		return r->ref < v->nfrozen ? &v->frozen[r->ref] : NULL;
	if (r->flags & ROW_CLOSED) {
		const struct linger_item *it = src->linger ?
			linger_at(src->linger, r->ref) : NULL;

		return it && vw_is(&it->e, r->ident) ? &it->e : NULL;
	}
	/* The table moves entries as it changes: check, else look it up. */
	e = flow_table_at(src->table, r->ref);
	if (vw_is(e, r->ident))
		return e;
	return flow_table_find(src->table, (uint32_t)(r->ident >> 32),
			       (uint32_t)r->ident);
}

/* Copies in build order: which flows there are does not depend on the
 * order, and the rows keep their ranks. */
int view_freeze(struct view *v, const struct view_src *src)
{
	struct flow_entry *f;
	size_t n = 0;

	if (v->tab != VIEW_FLOWS || v->frozen)
		return 0;   /* the other tabs hold copies already */
	f = malloc((v->nrows ? v->nrows : 1) * sizeof(*f));
	if (!f)
		return -1;
	for (size_t i = 0; i < v->nrows; i++) {
		const struct flow_entry *e = vw_row_flow(v, src, &v->rows[i]);

		if (!e)
			continue;
		f[n] = *e;
		v->rows[i].ref = (uint32_t)n++;
		v->rows[i].flags |= ROW_FROZEN;
	}
	/* Rows whose flow vanished since the last build keep a blank copy. */
	for (size_t i = 0; i < v->nrows; i++) {
		if (!(v->rows[i].flags & ROW_FROZEN)) {
			memset(&f[n], 0, sizeof(f[n]));
			v->rows[i].ref = (uint32_t)n++;
			v->rows[i].flags |= ROW_FROZEN | ROW_CLOSED;
		}
	}
	v->frozen = f;
	v->nfrozen = n;
	return 0;
}

const struct view_row *view_row_at(struct view *v, size_t i)
{
	return &v->rows[vs_row_index(v, i)];
}

const struct flow_entry *view_flow(struct view *v,
				   const struct view_src *src, size_t i,
				   int *closed)
{
	const struct view_row *r;

	if (i >= v->nrows)
		return NULL;
	r = view_row_at(v, i);
	*closed = (r->flags & ROW_CLOSED) != 0;
	return vw_row_flow(v, src, r);
}

/* ---- selection ---- */

static void vw_select(struct view *v, size_t i)
{
	struct view_tabstate *t = &v->ts[v->tab];

	if (v->nrows == 0)
		return;
	t->sel = i < v->nrows ? i : v->nrows - 1;
	t->sel_ident = view_row_at(v, t->sel)->ident;
	t->have_sel = 1;
}

void view_move(struct view *v, long delta)
{
	long to = (long)v->ts[v->tab].sel + delta;

	vw_select(v, to < 0 ? 0 : (size_t)to);
}

void view_home(struct view *v)
{
	vw_select(v, 0);
}

void view_end(struct view *v)
{
	vw_select(v, v->nrows ? v->nrows - 1 : 0);
}

void view_scroll(struct view *v, size_t page)
{
	struct view_tabstate *t = &v->ts[v->tab];

	if (page == 0)
		page = 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + page)
		t->top = t->sel - page + 1;
	if (v->nrows <= page)
		t->top = 0;
	else if (t->top > v->nrows - page)
		t->top = v->nrows - page;
}

void view_sort_step(struct view *v, int dir)
{
	size_t n;
	struct view_tabstate *t = &v->ts[v->tab];
	int c = t->sort_col;

	view_cols(v->tab, &n);
	for (size_t tries = 0; tries < n; tries++) {
		c = (c + dir + (int)n) % (int)n;
		if (view_col_visible(v, v->tab, c))
			break;
	}
	t->sort_col = c;
	t->reverse = 0;
}

void view_sort_reverse(struct view *v)
{
	v->ts[v->tab].reverse ^= 1;
}

void view_group_key(struct view *v)
{
	struct view_tabstate *t = &v->ts[VIEW_PROCS];

	if (v->tab != VIEW_PROCS) {
		v->tab = VIEW_PROCS;
		return;
	}
	if (t->sort_col == view_group_col(v->group) || t->sort_col == PC_PID)
		t->sort_col = view_group_col((v->group + 1) % GROUP_BY_COUNT);
	v->group = (enum group_by)((v->group + 1) % GROUP_BY_COUNT);
	t->have_sel = 0;
	t->sel = t->top = 0;
	t->hscroll = 0;
}
