/* SPDX-License-Identifier: GPL-2.0-only */
/* view_rank: the order of every known host name (or place) as a number,
 * so that a sort by name compares integers.
 *
 * Sorting rows by name meant, per row, a string key from a big per-address
 * array and, for the many names sharing their first eight bytes
 * ("customer-..."), strcasecmp to finish: over 25 ms a rebuild at 250k
 * flows. Yet the names change little between rebuilds. So the view keeps
 * the known names sorted once, each with its rank (equal names, in any
 * case, share one), and mends that order when answers change a few: the
 * changed slots leave, are sorted apart and are put back by binary search.
 * Only a start-over (or a flood of changes) sorts everything again.
 *
 * The order is exactly the string compare's: by the folded 8-byte prefix,
 * then strcasecmp, as view_keys.c and view_sort.c order string keys. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/annot.h"
#include "ui/view_int.h"

struct vr_ent {
	uint64_t k;             /* the key's prefix, as view_keys.c makes it */
	const char *s;          /* the rest to compare; NULL as "" */
	uint32_t slot;
	uint32_t bits;          /* VE_* */
};

enum {
	VE_SAME = 1,            /* equal to the entry before */
	VE_FRESH = 2,           /* just put in: its equality to work out */
};

struct vr_rank {
	int geo;                /* places (FC_GEO) rather than names */
	struct vr_ent *ord;     /* ord[0..n): every ranked slot, in order */
	size_t n, cap;
	uint32_t *rank;         /* per slot: VR_NONE, VR_DIRTY or a rank */
	size_t slots_cap;
	uint8_t *lng;           /* per slot: its key was a string key */
	uint32_t *pend;         /* slots changed since the last update */
	size_t npend, pcap;
	int all;                /* rank everything afresh */
	struct vr_ent *add;     /* scratch: the changed slots' entries */
	size_t acap;
};

/* Past this many changes between updates, sorting all is cheaper. */
#define VR_PEND_MAX 65536u
#define VR_DIRTY (UINT32_MAX - 1)

struct vr_rank *vr_new(int geo)
{
	struct vr_rank *r = calloc(1, sizeof(*r));

	if (r) {
		r->geo = geo;
		r->all = 1;
	}
	return r;
}

void vr_free(struct vr_rank *r)
{
	if (!r)
		return;
	free(r->ord);
	free(r->rank);
	free(r->lng);
	free(r->pend);
	free(r->add);
	free(r);
}

void vr_changed(struct vr_rank *r, uint32_t slot)
{
	if (r->all)
		return;
	if (slot == ANNOT_NONE || r->npend >= VR_PEND_MAX) {
		r->all = 1;
		r->npend = 0;
		return;
	}
	if (r->npend == r->pcap) {
		size_t cap = r->pcap ? r->pcap * 2 : 256;
		uint32_t *p = realloc(r->pend, cap * sizeof(*p));

		if (!p) {
			r->all = 1;
			return;
		}
		r->pend = p;
		r->pcap = cap;
	}
	r->pend[r->npend++] = slot;
}

const uint32_t *vr_ranks(const struct vr_rank *r, size_t *n)
{
	*n = r->slots_cap;
	return r->rank;
}

size_t vr_count(const struct vr_rank *r)
{
	return r->n;
}

static int vr_cmp(const void *pa, const void *pb)
{
	const struct vr_ent *a = pa, *b = pb;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return strcasecmp(a->s ? a->s : "", b->s ? b->s : "");
}

/* The entry of slot, if it is ranked: a name, or a place that is not
 * the empty one (that keeps key 0, before every ranked one). */
static int vr_entry(struct vr_rank *r, const struct annots *an,
		    uint32_t slot, struct vr_ent *e)
{
	static const struct flow_wire none;
	struct print_annot pa;
	uint32_t flags = 0;

	annots_slot_get(an, slot, &pa);
	if (r->geo) {
		e->k = vk_annotated(&none, none.dst, FC_GEO, &pa, &e->s,
				    &flags);
		if (!e->k)
			return 0;
	} else {
		if (!pa.name || !pa.name[0])
			return 0;
		e->k = vk_str(pa.name, &flags);
		e->s = pa.name;
		flags |= ROW_LONG;
	}
	e->slot = slot;
	e->bits = VE_FRESH;
	/* A string key's ties go by the whole ident (view_sort.c). */
	r->lng[slot] = (flags & ROW_LONG) != 0;
	return 1;
}

static int vr_room_slots(struct vr_rank *r, size_t nslots)
{
	size_t old = r->slots_cap, cap = old;
	uint8_t *l;

	if (vt_grow((void **)&r->rank, &cap, nslots ? nslots : 1,
		    sizeof(*r->rank), 1024) < 0)
		return -1;
	if (cap != old) {
		l = realloc(r->lng, cap);
		if (!l)
			return -1;
		r->lng = l;
	}
	for (size_t i = old; i < cap; i++)
		r->rank[i] = VR_NONE;
	r->slots_cap = cap;
	return 0;
}

/* The equality of fresh entries and of those just after them; then the
 * ranks, equal entries sharing one, with the long bit in the word. */
static void vr_number(struct vr_rank *r)
{
	struct vr_ent *o = r->ord;
	uint32_t k = 0;

	for (size_t i = 1; i < r->n; i++) {
		if (!((o[i].bits | o[i - 1].bits) & VE_FRESH))
			continue;
		o[i].bits &= ~(uint32_t)VE_SAME;
		if (!vr_cmp(&o[i - 1], &o[i]))
			o[i].bits |= VE_SAME;
	}
	if (r->n)
		o[0].bits &= ~(uint32_t)VE_SAME;
	for (size_t i = 0; i < r->n; i++) {
		o[i].bits &= ~(uint32_t)VE_FRESH;
		k += i > 0 && !(o[i].bits & VE_SAME);
		r->rank[o[i].slot] = k | (r->lng[o[i].slot] ? VR_LONG : 0);
	}
}

/* Stable LSD radix sort of ord[0..n) by k alone, add as scratch: the
 * prefixes order most entries without a string compare. */
static void vr_radix(struct vr_rank *r)
{
	uint32_t cnt[8][256];
	struct vr_ent *in = r->ord, *out = r->add, *t;
	size_t n = r->n;

	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < 8; d++)
			cnt[d][(in[i].k >> (8 * d)) & 0xff]++;
	for (unsigned d = 0; d < 8; d++) {
		uint32_t sum = 0;

		if (cnt[d][(in[0].k >> (8 * d)) & 0xff] == n)
			continue;   /* one value: nothing to move */
		for (unsigned b = 0; b < 256; b++) {
			uint32_t c = cnt[d][b];

			cnt[d][b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			out[cnt[d][(in[i].k >> (8 * d)) & 0xff]++] = in[i];
		t = in;
		in = out;
		out = t;
	}
	if (in != r->ord)
		memcpy(r->ord, in, n * sizeof(*in));
}

/* Runs of one prefix: most hold one string (one city, one name) and need
 * only a pass; the others a sort by the whole string. A run of one
 * string is numbered here; vr_number works out the rest. */
static void vr_runs(struct vr_rank *r)
{
	struct vr_ent *o = r->ord;

	for (size_t i = 0, j; i < r->n; i = j) {
		int one = 1;

		for (j = i + 1; j < r->n && o[j].k == o[i].k; j++)
			one &= !vr_cmp(&o[i], &o[j]);
		if (!one) {
			qsort(o + i, j - i, sizeof(*o), vr_cmp);
			continue;
		}
		o[i].bits = 0;
		for (size_t x = i + 1; x < j; x++)
			o[x].bits = VE_SAME;
	}
}

/* Everything afresh: every slot's entry, one sort. */
static int vr_all(struct vr_rank *r, const struct annots *an, size_t nslots)
{
	size_t n = nslots ? nslots : 1;

	if (vt_grow((void **)&r->ord, &r->cap, n, sizeof(*r->ord), 1024) < 0 ||
	    vt_grow((void **)&r->add, &r->acap, n, sizeof(*r->add), 256) < 0)
		return -1;
	r->n = 0;
	for (size_t s = 0; s < r->slots_cap; s++)
		r->rank[s] = VR_NONE;
	for (uint32_t s = 0; s < nslots; s++)
		r->n += (size_t)vr_entry(r, an, s, &r->ord[r->n]);
	if (r->n) {
		vr_radix(r);
		vr_runs(r);
	}
	/* Scratch as big as the order: a mend needs a few entries. */
	free(r->add);
	r->add = NULL;
	r->acap = 0;
	r->all = 0;
	r->npend = 0;
	return 0;
}

/* Take the changed slots out of the order; a removed entry's equality
 * passes to the next kept one (equal to both, it was equal to the one
 * before). */
static void vr_drop_changed(struct vr_rank *r, size_t nslots)
{
	size_t w = 0;
	uint32_t same = VE_SAME;

	for (size_t i = 0; i < r->npend; i++)
		if (r->pend[i] < nslots)
			r->rank[r->pend[i]] = VR_DIRTY;
	for (size_t i = 0; i < r->n; i++) {
		struct vr_ent e = r->ord[i];

		if (r->rank[e.slot] == VR_DIRTY) {
			same &= e.bits;
			continue;
		}
		e.bits &= same | ~(uint32_t)VE_SAME;
		r->ord[w++] = e;
		same = VE_SAME;
	}
	r->n = w;
}

/* Where e goes among ord[0..n): after every entry not above it. */
static size_t vr_place(const struct vr_ent *o, size_t n, const struct vr_ent *e)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vr_cmp(&o[mid], e) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Merge the m sorted entries of add into ord, from the back. */
static void vr_merge(struct vr_rank *r, size_t m)
{
	size_t i = r->n, out = r->n + m;

	for (size_t j = m; j-- > 0;) {
		size_t at = vr_place(r->ord, r->n, &r->add[j]);

		while (i > at)
			r->ord[--out] = r->ord[--i];
		r->ord[--out] = r->add[j];
	}
	r->n += m;
}

/* The changed slots out, their new entries in. */
static int vr_mend(struct vr_rank *r, const struct annots *an, size_t nslots)
{
	size_t m = 0;

	if (vt_grow((void **)&r->add, &r->acap, r->npend, sizeof(*r->add),
		    256) < 0 ||
	    vt_grow((void **)&r->ord, &r->cap, r->n + r->npend,
		    sizeof(*r->ord), 1024) < 0)
		return -1;
	vr_drop_changed(r, nslots);
	for (size_t i = 0; i < r->npend; i++) {
		uint32_t s = r->pend[i];

		/* Twice in the log: once is enough. */
		if (s >= nslots || r->rank[s] != VR_DIRTY)
			continue;
		r->rank[s] = VR_NONE;
		m += (size_t)vr_entry(r, an, s, &r->add[m]);
	}
	r->npend = 0;
	qsort(r->add, m, sizeof(*r->add), vr_cmp);
	vr_merge(r, m);
	return 0;
}

int vr_update(struct vr_rank *r, const struct annots *an, size_t nslots)
{
	if (vr_room_slots(r, nslots) < 0)
		return -1;
	if (r->all) {
		if (vr_all(r, an, nslots) < 0)
			return -1;
	} else if (!r->npend) {
		return 0;
	} else if (vr_mend(r, an, nslots) < 0) {
		return -1;
	}
	vr_number(r);
	return 0;
}
