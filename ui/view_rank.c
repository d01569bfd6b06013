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
 * Only a start-over (or a flood of changes) sorts everything again. An
 * update goes in parts (vr_update's until_ns): sorting all of a million
 * flows' places at once took over 80 ms, a frozen screen.
 *
 * The order is exactly the string compare's: by the folded 8-byte prefix,
 * then strcasecmp, as view_keys.c and view_sort.c order string keys. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
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

/* The parts of an update: everything afresh (collect every slot's entry,
 * sort by prefix a digit at a time, finish the runs of one prefix), or
 * a mend in one go; then the equality of neighbours and the numbering. */
enum vr_stage {
	VS_IDLE, VS_COLLECT, VS_RADIX, VS_RUNS, VS_SAME, VS_NUMBER,
};

/* Entries (or slots) a part goes through between looks at the clock. */
#define VR_CHUNK 4096

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
	/* An update in parts (vr_update): where it is. */
	enum vr_stage stage;
	size_t at;              /* the stage's cursor */
	unsigned digit;         /* the radix sort's next digit */
	int in_add;             /* the radix sort's data is in add, not ord */
	uint32_t k;             /* numbering: the rank reached */
	uint32_t cnt[8][256];   /* the radix sort's counts */
	size_t pass_slots;      /* the slots the pass under way is for */
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
	/* A pass under way may have read that slot already: start over. */
	if (r->stage != VS_IDLE) {
		r->stage = VS_IDLE;
		r->all = 1;
		r->npend = 0;
	}
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

/* The equality of fresh entries and of those just after them, from at
 * to stop. */
static void vr_same(struct vr_rank *r, size_t stop)
{
	struct vr_ent *o = r->ord;

	for (size_t i = r->at ? r->at : 1; i < stop; i++) {
		if (!((o[i].bits | o[i - 1].bits) & VE_FRESH))
			continue;
		o[i].bits &= ~(uint32_t)VE_SAME;
		if (!vr_cmp(&o[i - 1], &o[i]))
			o[i].bits |= VE_SAME;
	}
}

/* The ranks from at to stop, equal entries sharing one, with the long
 * bit in the word; the first entry is never the same as one before. */
static void vr_number(struct vr_rank *r, size_t stop)
{
	struct vr_ent *o = r->ord;

	if (r->at == 0 && r->n) {
		o[0].bits &= ~(uint32_t)VE_SAME;
		r->k = 0;
	}
	for (size_t i = r->at; i < stop; i++) {
		o[i].bits &= ~(uint32_t)VE_FRESH;
		r->k += i > 0 && !(o[i].bits & VE_SAME);
		r->rank[o[i].slot] = r->k | (r->lng[o[i].slot] ? VR_LONG : 0);
	}
}

/* Stable LSD radix sort of ord[0..n) by k alone, add as scratch, a digit
 * a part: the prefixes order most entries without a string compare.
 * vr_count_digits first; 1 when the digits are done and the data is in ord. */
static void vr_count_digits(struct vr_rank *r)
{
	const struct vr_ent *in = r->ord;

	memset(r->cnt, 0, sizeof(r->cnt));
	for (size_t i = 0; i < r->n; i++)
		for (unsigned d = 0; d < 8; d++)
			r->cnt[d][(in[i].k >> (8 * d)) & 0xff]++;
	r->digit = 0;
	r->in_add = 0;
}

static int vr_radix_digit(struct vr_rank *r)
{
	struct vr_ent *in = r->in_add ? r->add : r->ord;
	struct vr_ent *out = r->in_add ? r->ord : r->add;
	uint32_t *cnt, sum = 0;
	unsigned d = r->digit;

	if (d == 8 || !r->n) {
		if (r->in_add)
			memcpy(r->ord, r->add, r->n * sizeof(*r->ord));
		r->in_add = 0;
		return 1;
	}
	r->digit++;
	cnt = r->cnt[d];
	if (cnt[(in[0].k >> (8 * d)) & 0xff] == r->n)
		return 0;   /* one value: nothing to move */
	for (unsigned b = 0; b < 256; b++) {
		uint32_t c = cnt[b];

		cnt[b] = sum;
		sum += c;
	}
	for (size_t i = 0; i < r->n; i++)
		out[cnt[(in[i].k >> (8 * d)) & 0xff]++] = in[i];
	r->in_add = !r->in_add;
	return 0;
}

/* Runs of one prefix from at, until past stop: most hold one string (one
 * city, one name) and need only a pass; the others a sort by the whole
 * string. A run of one string is numbered here; VS_SAME works out the
 * rest. Returns where it stopped (a run's end). */
static size_t vr_runs(struct vr_rank *r, size_t stop)
{
	struct vr_ent *o = r->ord;
	size_t i, j;

	for (i = r->at; i < r->n && i < stop; i = j) {
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
	return i;
}

/* Everything afresh: room for every slot's entry, none ranked yet. */
static int vr_all_begin(struct vr_rank *r, size_t nslots)
{
	size_t n = nslots ? nslots : 1;

	if (vt_grow((void **)&r->ord, &r->cap, n, sizeof(*r->ord), 1024) < 0 ||
	    vt_grow((void **)&r->add, &r->acap, n, sizeof(*r->add), 256) < 0)
		return -1;
	r->n = 0;
	for (size_t s = 0; s < r->slots_cap; s++)
		r->rank[s] = VR_NONE;
	return 0;
}

static void vr_all_end(struct vr_rank *r)
{
	/* Scratch as big as the order: a mend needs a few entries. */
	free(r->add);
	r->add = NULL;
	r->acap = 0;
	r->all = 0;
	r->npend = 0;
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

/* What starts an update: 1 when there is nothing to do. */
static int vr_start(struct vr_rank *r, const struct annots *an,
		    size_t nslots)
{
	if (vr_room_slots(r, nslots) < 0)
		return -1;
	if (r->all) {
		if (vr_all_begin(r, nslots) < 0)
			return -1;
		r->stage = VS_COLLECT;
	} else if (!r->npend) {
		return 1;
	} else {
		if (vr_mend(r, an, nslots) < 0)
			return -1;
		r->stage = VS_SAME;
	}
	r->at = 0;
	return 0;
}

/* One part of the stage the update is at. */
static void vr_part(struct vr_rank *r, const struct annots *an,
		    size_t nslots)
{
	size_t stop = r->at + VR_CHUNK;

	switch (r->stage) {
	case VS_COLLECT:
		for (; r->at < nslots && r->at < stop; r->at++)
			r->n += (size_t)vr_entry(r, an, (uint32_t)r->at,
						 &r->ord[r->n]);
		if (r->at >= nslots) {
			vr_count_digits(r);
			r->stage = VS_RADIX;
		}
		break;
	case VS_RADIX:
		if (vr_radix_digit(r)) {
			r->stage = VS_RUNS;
			r->at = 0;
		}
		break;
	case VS_RUNS:
		r->at = vr_runs(r, stop);
		if (r->at >= r->n) {
			vr_all_end(r);
			r->stage = VS_SAME;
			r->at = 0;
		}
		break;
	case VS_SAME:
		stop = stop < r->n ? stop : r->n;
		vr_same(r, stop);
		r->at = stop;
		if (r->at >= r->n) {
			r->stage = VS_NUMBER;
			r->at = 0;
		}
		break;
	default:
		stop = stop < r->n ? stop : r->n;
		vr_number(r, stop);
		r->at = stop;
		if (r->at >= r->n)
			r->stage = VS_IDLE;
		break;
	}
}

int vr_update(struct vr_rank *r, const struct annots *an, size_t nslots,
	      uint64_t until_ns)
{
	/* More slots since the pass began: its room is too small. */
	if (r->stage != VS_IDLE && nslots != r->pass_slots) {
		r->stage = VS_IDLE;
		r->all = 1;
		r->npend = 0;
	}
	if (r->stage == VS_IDLE) {
		r->pass_slots = nslots;
		int st = vr_start(r, an, nslots);

		if (st != 0)
			return st < 0 ? -1 : 1;
	}
	do
		vr_part(r, an, nslots);
	while (r->stage != VS_IDLE && clock_mono_ns() < until_ns);
	return r->stage == VS_IDLE;
}
