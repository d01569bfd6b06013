/* SPDX-License-Identifier: GPL-2.0-only */
/* view_annot: names and places of a rebuild at the cost of one look per
 * address, not per flow.
 *
 * With names on, a filter and the sorts by address or place need what
 * the resolver said about each flow's two addresses. Probing the
 * annotation table for both ends of every flow at every rebuild (and
 * scanning every string) cost 30 times a rebuild without names: the table
 * is far bigger than the cache, and flows share few addresses. So the
 * view remembers:
 *
 * - per flow, in its entry (flow_entry.annot_slot1), the slots of its
 *   two addresses: the walk reads them beside the flow, and a flow that
 *   moves in the table or closes into the linger ring takes them along;
 * - per slot, whether the filter matched and the sort key, kept across
 *   rebuilds until the filter or the sort column changes or the resolver
 *   answers more about that address (annots_each_changed);
 * - when the rows are sorted by name or place, the rank of every name
 *   or place (view_rank.c), mended as answers come, so that a row's key
 *   is a number and no strings are compared.
 *
 * A slot of the annotation table stands for one address until its
 * generation changes; then everything is forgotten. Used only over the
 * real table (src->annot is annots_get): a stand-in function (tests)
 * goes the plain way, which the tests check this against. */
#include <stdlib.h>
#include <string.h>

#include "ui/annot.h"
#include "ui/view_int.h"

struct va_key {
	uint64_t k;
	const char *s;
	uint32_t flags;
	uint32_t ok;            /* worked out for key_col */
};

/* Look-ups started ahead of the walk: a power of two over twice the
 * distance (view.c's VW_AHEAD). */
#define VA_RING 32

struct va_state {
	struct annots *an;      /* NULL: plain */
	const void *seen;       /* the table the slots are of */
	uint64_t gen;           /* the slots' generation */
	uint8_t *match;         /* per slot: 0 not worked out, 1 no, 2 yes */
	struct va_key *key;     /* per slot, for key_col */
	size_t slots_cap;
	size_t nslots;          /* the table's, at va_begin */
	char filter[VIEW_FILTER_LEN];   /* the filter match[] is for */
	int match_all;          /* match[] forgotten: work it all out */
	struct vt_text *text;   /* what a new filter searches; NULL: none */
	int key_col;
	struct vr_rank *rank[2];   /* of names, of places; NULL: not yet */
	const uint32_t *cur;    /* this rebuild's column's ranks, or NULL */
	size_t ncur;
	uint64_t cur_base;      /* a ranked key: base + (rank << shift) */
	unsigned cur_shift;
	uint32_t hash[VA_RING][2];   /* per walk position: its ends' hashes */
	uint8_t hinted[VA_RING];     /* which ends were started */
};

void va_free(struct va_state *va)
{
	if (!va)
		return;
	free(va->match);
	free(va->key);
	vt_free(va->text);
	vr_free(va->rank[0]);
	vr_free(va->rank[1]);
	free(va);
}

/* Forget every slot: match and key to work out again. */
static void va_forget(struct va_state *va)
{
	memset(va->match, 0, va->slots_cap);
	memset(va->key, 0, va->slots_cap * sizeof(*va->key));
	va->match_all = 1;
	for (int i = 0; i < 2; i++)
		if (va->rank[i])
			vr_changed(va->rank[i], ANNOT_NONE);
}

/* The searchable copy of what the table knows of slot. */
static void va_text_put(struct va_state *va, uint32_t slot)
{
	struct print_annot pa;

	if (va->text) {
		annots_slot_get(va->an, slot, &pa);
		vt_put(va->text, slot, &pa);
	}
}

static void va_on_changed(void *ctx, uint32_t slot)
{
	struct va_state *va = ctx;

	if (slot == ANNOT_NONE) {
		va_forget(va);
		if (va->text)
			vt_forget(va->text);
		for (uint32_t i = 0; i < va->nslots; i++)
			va_text_put(va, i);
	} else if (slot < va->nslots) {
		va->match[slot] = 0;
		va->key[slot].ok = 0;
		va_text_put(va, slot);
		for (int i = 0; i < 2; i++)
			if (va->rank[i])
				vr_changed(va->rank[i], slot);
	}
}

static int va_grow_slots(struct va_state *va, size_t n)
{
	size_t cap = va->slots_cap ? va->slots_cap : 1024;
	uint8_t *m;
	struct va_key *k;

	while (cap < n)
		cap *= 2;
	m = realloc(va->match, cap);
	if (!m)
		return -1;
	va->match = m;
	k = realloc(va->key, cap * sizeof(*k));
	if (!k)
		return -1;
	va->key = k;
	memset(m + va->slots_cap, 0, cap - va->slots_cap);
	memset(k + va->slots_cap, 0, (cap - va->slots_cap) * sizeof(*k));
	va->slots_cap = cap;
	return 0;
}

/* The entries' slots are of another table, or of this one before it
 * started over: look every flow up again. */
static void va_unslot(const struct view_src *src)
{
	struct flow_entry *e;

	for (size_t i = 0; (e = flow_table_at_mut(src->table, i)); i++)
		memset(e->annot_slot1, 0, sizeof(e->annot_slot1));
	/* The whole ring: places outside it now may hold flows later. */
	for (size_t i = 0; src->linger && i < src->linger->cap; i++)
		memset(src->linger->items[i].e.annot_slot1, 0,
		       sizeof(src->linger->items[i].e.annot_slot1));
}

/* The ranks of the sort column, up to date, in parts; without them
 * (another column, out of memory) keys come from the per-slot memo. */
int va_rank(struct view *v, uint64_t until_ns)
{
	struct va_state *va = v->va;
	int geo, st;
	struct vr_rank **r;
	unsigned bits;

	if (!va || !va->an)
		return 1;
	geo = va->key_col == FC_GEO;
	r = &va->rank[geo];
	va->cur = NULL;
	if (!geo && va->key_col != FC_SRC && va->key_col != FC_DST)
		return 1;
	if (!*r && !(*r = vr_new(geo)))
		return 1;
	st = vr_update(*r, va->an, va->nslots, until_ns);
	if (st == 0)
		return 0;
	if (st < 0) {
		vr_free(*r);
		*r = NULL;
		return 1;
	}
	va->cur = vr_ranks(*r, &va->ncur);
	/* Above every unnamed address (family and address), or above the
	 * empty place. A name's rank goes just below the top bit: the
	 * order splits keys into buckets by their top varying bits, and
	 * ranks at the bottom would share one bucket. */
	bits = 64 - (unsigned)__builtin_clzll(vr_count(*r) | 1);
	va->cur_base = geo ? 1 : 1ull << 63;
	va->cur_shift = geo ? 0 : 63 - bits;
	return 1;
}

int va_begin(struct view *v, const struct view_src *src)
{
	struct va_state *va = v->va;

	if (src->annot != annots_get) {
		if (va)
			va->an = NULL;
		return 0;
	}
	if (!va && !(va = v->va = calloc(1, sizeof(*va))))
		return -1;
	/* Without it (out of memory) a new filter asks slot by slot. */
	if (!va->text)
		va->text = vt_new();
	va->nslots = annots_slots(src->ctx);
	if (va->nslots > va->slots_cap && va_grow_slots(va, va->nslots) < 0) {
		va->an = NULL;
		return -1;
	}
	/* Slots of another table, or of this one before it started over,
	 * name other addresses. */
	if (src->ctx != va->seen || annots_generation(src->ctx) != va->gen) {
		va->seen = src->ctx;
		va->gen = annots_generation(src->ctx);
		va_unslot(src);
		va_forget(va);
	}
	va->an = src->ctx;
	v->strings_gen = va->gen;
	annots_each_changed(va->an, va_on_changed, va);
	if (va->key_col != v->ts[VIEW_FLOWS].sort_col) {
		memset(va->key, 0, va->slots_cap * sizeof(*va->key));
		va->key_col = v->ts[VIEW_FLOWS].sort_col;
	}
	va->cur = NULL;     /* until va_rank says the ranks are ready */
	/* No look-up started yet: the walk's first positions were not. */
	memset(va->hinted, 0, sizeof(va->hinted));
	return 0;
}

/* The rows' string keys point into the annotation table, which frees
 * them when it starts over; the rows stay until the next rebuild. */
int va_strings_ok(const struct view *v)
{
	const struct va_state *va = v->va;

	return !va || !va->an || annots_generation(va->an) == v->strings_gen;
}

int va_same(const struct view *v, const struct view_src *src)
{
	const struct va_state *va = v->va;

	if (!va || !va->an)
		return src->annot != annots_get;
	return src->ctx == va->an && annots_slots(src->ctx) == va->nslots &&
	       annots_generation(src->ctx) == va->gen;
}

int va_on(const struct view *v)
{
	/* A table that knows no address (lookups off) has nothing to
	 * remember: the plain way costs nothing then, and the walk would
	 * only start look-ups bound to fail. */
	return v->va && v->va->an && v->va->nslots;
}

void va_need(const struct view *v, const struct flow_entry *e)
{
	(void)v;
	/* The addresses' line, read by va_hint for a flow not looked up. */
	if (e && !(e->annot_slot1[0] && e->annot_slot1[1])) {
		__builtin_prefetch(e->w.src);
		__builtin_prefetch(e->w.dst + 15);
	}
}

void va_hint(struct view *v, const struct flow_entry *e, size_t p)
{
	struct va_state *va = v->va;
	const uint8_t *addr[2];
	uint8_t *h = &va->hinted[p % VA_RING];

	*h = 0;
	if (!e)
		return;
	addr[0] = e->w.src;
	addr[1] = e->w.dst;
	for (int k = 0; k < 2; k++) {
		if (e->annot_slot1[k])
			continue;
		va->hash[p % VA_RING][k] =
			annots_slot_hint(va->an, e->w.family, addr[k]);
		*h |= (uint8_t)(1u << k);
	}
}

void va_warm(struct view *v, size_t p)
{
	struct va_state *va = v->va;

	for (int k = 0; k < 2; k++)
		if (va->hinted[p % VA_RING] & (1u << k))
			annots_slot_warm(va->an, va->hash[p % VA_RING][k]);
}

void va_slots(struct view *v, struct flow_entry *e, uint32_t slot[2],
	      size_t p)
{
	struct va_state *va = v->va;
	const uint8_t *addr[2] = { e->w.src, e->w.dst };

	for (int k = 0; k < 2; k++) {
		/* Not asked yet (or lookups off, when this costs no probe):
		 * look again next time. */
		if (!e->annot_slot1[k]) {
			uint32_t h = va->hinted[p % VA_RING] & (1u << k) ?
				va->hash[p % VA_RING][k] :
				annots_slot_hint(va->an, e->w.family, addr[k]);

			e->annot_slot1[k] = annots_slot_h(va->an, e->w.family,
							  addr[k], h) + 1;
		}
		slot[k] = e->annot_slot1[k] - 1;   /* 0: ANNOT_NONE */
	}
}

void va_prefetch(const struct view *v, const struct flow_entry *e)
{
	const struct va_state *va = v->va;
	uint32_t s = e ? e->annot_slot1[1] - 1 : ANNOT_NONE;

	if (s >= va->nslots)
		return;
	/* What the walk reads of the slot: the filter's answer, the key. */
	if (va->filter[0])
		__builtin_prefetch(&va->match[s]);
	if (va->cur && s < va->ncur)
		__builtin_prefetch(&va->cur[s]);
	else if (va->key_col == FC_SRC || va->key_col == FC_DST ||
		 va->key_col == FC_GEO)
		__builtin_prefetch(&va->key[s]);
}

void va_filter(struct view *v, const struct vf_ctx *c)
{
	struct va_state *va = v->va;

	if (!va->match_all && !strcmp(va->filter, v->filter))
		return;
	snprintf(va->filter, sizeof(va->filter), "%s", v->filter);
	if (!v->filter[0])
		return;   /* match[] unused; the next filter differs */
	va->match_all = 0;
	if (vt_match_all(va->text, c, va->match, va->nslots) < 0)
		memset(va->match, 0, va->slots_cap);
}

int va_match(struct view *v, const struct vf_ctx *c, uint32_t slot)
{
	struct va_state *va = v->va;
	struct print_annot pa;

	if (slot == ANNOT_NONE)
		return 0;
	if (!va->match[slot]) {
		annots_slot_get(va->an, slot, &pa);
		va->match[slot] = (uint8_t)(1 + vf_annot(c, &pa));
	}
	return va->match[slot] - 1;
}

uint64_t va_key(struct view *v, const struct flow_wire *w, int col,
		const uint32_t slot[2], const char **s, uint32_t *flags)
{
	struct va_state *va = v->va;
	uint32_t at = col == FC_SRC ? slot[0] : slot[1];
	const uint8_t *addr = col == FC_SRC ? w->src : w->dst;
	struct print_annot pa = { 0 };
	struct va_key *k;

	if (at == ANNOT_NONE)
		return vk_annotated(w, addr, col, &pa, s, flags);
	if (va->cur && at < va->ncur && va->cur[at] != VR_NONE) {
		uint32_t r = va->cur[at];

		*s = NULL;
		*flags |= r & VR_LONG ? ROW_RANK : 0;
		return va->cur_base +
		       ((uint64_t)(r & VR_RANK) << va->cur_shift);
	}
	k = &va->key[at];
	if (!k->ok) {
		annots_slot_get(va->an, at, &pa);
		k->flags = 0;
		k->k = vk_annotated(w, addr, col, &pa, &k->s, &k->flags);
		k->ok = 1;
	}
	*s = k->s;
	*flags |= k->flags;
	return k->k;
}
