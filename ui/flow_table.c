/* SPDX-License-Identifier: GPL-2.0-only */
/* flow_table: the ui's model of the conntrack table (see flow_table.h).
 *
 * Layout: the entries live in one dense array (so the per-snapshot passes,
 * rates and the dump sweep, walk memory in order) and an open-addressing
 * index maps a conntrack id to its position in that array. The index uses
 * linear probing with backward-shift deletion, so it never fills with
 * tombstones however much the table churns. Removing an entry moves the
 * last entry into its hole; both operations stay O(1).
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "common/options.h"
#include "common/hash32.h"
#include "ui/flow_table.h"

#define FT_LINE 64

/* What the table knows beyond the public entry. Line-aligned: the
 * screen reads the same few fields of every entry at every rebuild (the
 * id and slots in the first line, names and ports in the third), and an
 * entry straddling lines costs it nearly twice the memory traffic. */
struct flow_item {
	struct flow_entry e;
	int base_known;      /* base_* hold a real counter reading */
} __attribute__((aligned(FT_LINE)));

/* Four lines a flow: the memory target at 1M flows counts on it. */
_Static_assert(sizeof(struct flow_item) == 4 * FT_LINE,
	       "flow_item outgrew its four cache lines");

/* A new entry, named as flow_table_find names it: positions move. */
struct flow_fresh {
	uint32_t id;
	uint32_t th;
};

/* One index slot: the id beside the position saves a trip to the entry
 * while probing. pos 0 marks an empty slot, so positions are stored + 1. */
struct flow_slot {
	uint32_t id;
	uint32_t pos1;
};

struct flow_table {
	struct flow_item *items;  /* items[0..count) */
	size_t count;
	size_t items_cap;
	struct flow_slot *slots;  /* slots_cap is a power of two */
	size_t slots_cap;
	flow_table_gone_fn gone;  /* NULL: nobody wants to know */
	void *gone_ctx;
	struct flow_fresh *fresh; /* entries added since flow_table_each_new */
	size_t nfresh, fresh_cap;
	int fresh_lost;           /* the log overflowed: every entry is new */
	uint64_t changes;         /* entries added and removed, ever */
};

#define FT_MIN_SLOTS 64u
#define FT_MIN_ITEMS 32u
/* Grow the index past 1/2 load, shrink under 1/8: the gap keeps a table
 * that hovers around one size from rebuilding over and over. */
#define FT_GROW_NUM 1u
#define FT_GROW_DEN 2u
#define FT_SHRINK_DEN 8u

/* Kernel ids are hashes already, but tests and older kernels use
 * sequential ids, which must spread too. */
static uint32_t ft_hash(uint32_t id)
{
	return hash32_fmix(id);
}

static size_t ft_home(const struct flow_table *t, uint32_t id)
{
	return ft_hash(id) & (t->slots_cap - 1);
}

static size_t ft_addr_len(uint8_t family)
{
	return family == FLOW_FAM_IPV4 ? 4 : 16;
}

static int ft_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

/* Same original-direction tuple: the kernel's 32-bit ids are hashes, so
 * live flows can share one (several at 250k flows); an id alone does not
 * name a flow. */
static int ft_same_tuple(const struct flow_wire *a, const struct flow_wire *b)
{
	if (a->family != b->family || a->l4proto != b->l4proto)
		return 0;
	size_t alen = ft_addr_len(a->family);

	if (memcmp(a->src, b->src, alen) || memcmp(a->dst, b->dst, alen))
		return 0;
	if (ft_is_icmp(a->l4proto))
		return a->icmp_type == b->icmp_type &&
		       a->icmp_code == b->icmp_code &&
		       a->icmp_id == b->icmp_id;
	return a->sport == b->sport && a->dport == b->dport;
}

/* The slot holding the flow of w (its id and tuple), or the empty slot
 * where it would go. */
static size_t ft_probe(const struct flow_table *t, const struct flow_wire *w)
{
	size_t mask = t->slots_cap - 1;
	size_t i = ft_home(t, w->id);

	while (t->slots[i].pos1 &&
	       (t->slots[i].id != w->id ||
		!ft_same_tuple(&t->items[t->slots[i].pos1 - 1].e.w, w)))
		i = (i + 1) & mask;
	return i;
}

static int ft_rehash(struct flow_table *t, size_t cap)
{
	struct flow_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	free(t->slots);
	t->slots = s;
	t->slots_cap = cap;
	for (size_t p = 0; p < t->count; p++) {
		size_t i = ft_probe(t, &t->items[p].e.w);

		t->slots[i].id = t->items[p].e.w.id;
		t->slots[i].pos1 = (uint32_t)(p + 1);
	}
	return 0;
}

struct flow_table *flow_table_new(void)
{
	struct flow_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (ft_rehash(t, FT_MIN_SLOTS) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	free(t->items);
	free(t->slots);
	free(t->fresh);
	free(t);
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

/* Room for cap items (at least count), line-aligned as realloc's are
 * not; 0, or -1 with the items as they were. */
static int ft_items_resize(struct flow_table *t, size_t cap)
{
	struct flow_item *n = aligned_alloc(FT_LINE, cap * sizeof(*n));

	if (!n)
		return -1;
	if (t->count)
		memcpy(n, t->items, t->count * sizeof(*n));
	free(t->items);
	t->items = n;
	t->items_cap = cap;
	return 0;
}

/* Make room for one more entry before anything changes, so a failed
 * allocation leaves the table as it was. */
static int ft_reserve_one(struct flow_table *t)
{
	size_t need = t->count + 1;

	/* Positions are stored as uint32_t + 1. */
	if (need >= UINT32_MAX)
		return -1;
	if (need > t->items_cap &&
	    ft_items_resize(t, t->items_cap ? t->items_cap * 2 :
			    FT_MIN_ITEMS) < 0)
		return -1;
	if (need * FT_GROW_DEN > t->slots_cap * FT_GROW_NUM)
		return ft_rehash(t, t->slots_cap * 2);
	return 0;
}

/* Shrinking is an optimisation: when memory is short, keep the big arrays.
 * The index lands at a quarter load, halfway between its two limits. */
static void ft_maybe_shrink(struct flow_table *t)
{
	if (t->slots_cap > FT_MIN_SLOTS &&
	    t->count * FT_SHRINK_DEN < t->slots_cap) {
		size_t cap = FT_MIN_SLOTS;

		while (cap < t->count * 4)
			cap *= 2;
		(void)ft_rehash(t, cap);
	}
	size_t icap = t->items_cap;

	while (icap > FT_MIN_ITEMS && t->count * 4 < icap)
		icap /= 2;
	if (icap != t->items_cap)
		(void)ft_items_resize(t, icap);
}

/* Empty slot i and pull later members of its probe run back, so lookups
 * never need tombstones. */
static void ft_slot_clear(struct flow_table *t, size_t i)
{
	size_t mask = t->slots_cap - 1;
	size_t j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!t->slots[j].pos1)
			break;
		size_t home = ft_home(t, t->slots[j].id);

		/* The member at j may fill the hole at i only if its home
		 * is not inside (i, j]: otherwise it would land before its
		 * home and lookups would miss it. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].pos1 = 0;
	t->slots[i].id = 0;
}

/* Remove items[pos] whose index slot is si; the last item takes its place. */
static void ft_remove_at(struct flow_table *t, size_t pos, size_t si)
{
	size_t last = t->count - 1;

	ft_slot_clear(t, si);
	if (pos != last) {
		t->items[pos] = t->items[last];
		/* items[last] still holds the same flow, so the probe finds
		 * its slot, which then points here. */
		t->slots[ft_probe(t, &t->items[pos].e.w)].pos1 =
			(uint32_t)(pos + 1);
	}
	t->count--;
}

static void ft_take_counters(struct flow_entry *e, const struct flow_wire *r,
			     uint64_t mono_ns)
{
	e->w.orig_bytes = r->orig_bytes;
	e->w.orig_packets = r->orig_packets;
	e->w.reply_bytes = r->reply_bytes;
	e->w.reply_packets = r->reply_packets;
	e->counters_mono_ns = mono_ns;
}

/* The owner travels as a pair: a new pid (or the same pid with another
 * start: a new process) brings its own comm (possibly unknown) so a stale
 * name is never shown next to another process's pid.
 * A record without an owner keeps the one known (the socket closed); a
 * hidden owner (another user's process) clears any name held before, and
 * stays until a record names a process again. */
static void ft_take_owner(struct flow_entry *e, const struct flow_wire *r)
{
	if (r->owner != FLOW_OWNER_NONE)
		e->w.side = r->side;
	if (r->owner == FLOW_OWNER_HIDDEN) {
		e->w.owner = FLOW_OWNER_HIDDEN;
		e->w.uid = r->uid;
		e->w.pid = 0;
		memset(e->w.owner_tag, 0, sizeof(e->w.owner_tag));
		memset(e->w.comm, 0, sizeof(e->w.comm));
		return;
	}
	if (r->owner == FLOW_OWNER_SOCKET) {
		e->w.uid = r->uid;
		if (e->w.owner == FLOW_OWNER_NONE)
			e->w.owner = FLOW_OWNER_SOCKET;
	}
	if (e->w.owner == FLOW_OWNER_HIDDEN) {
		if (!r->pid)
			return;
		e->w.owner = r->owner;
	}
	if (r->pid && (r->pid != e->w.pid ||
		       flow_owner_tag(r) != flow_owner_tag(&e->w))) {
		e->w.pid = r->pid;
		memcpy(e->w.owner_tag, r->owner_tag, sizeof(e->w.owner_tag));
		memcpy(e->w.comm, r->comm, sizeof(e->w.comm));
	} else if (r->comm[0]) {
		memcpy(e->w.comm, r->comm, sizeof(e->w.comm));
	}
}

/* A record for a flow the table already holds under the same tuple. */
static void ft_update(struct flow_item *it, const struct flow_wire *r,
		      uint64_t mono_ns, uint64_t seq)
{
	struct flow_entry *e = &it->e;

	if (r->event == FLOW_EV_DUMP || r->event == FLOW_EV_REFRESH) {
		ft_take_counters(e, r, mono_ns);
		e->w.state = r->state;
		if (!it->base_known) {
			/* First counters of a flow met through an UPDATE:
			 * the rate starts here. */
			e->base_orig_bytes = r->orig_bytes;
			e->base_reply_bytes = r->reply_bytes;
			e->base_mono_ns = mono_ns;
			it->base_known = 1;
		}
	} else if (r->state != FLOW_STATE_NONE) {
		e->w.state = r->state;
	}
	if (r->start_ns)
		e->w.start_ns = r->start_ns;
	ft_take_owner(e, r);
	e->w.event = r->event;
	/* Any record proves the flow lives after the dump began. */
	if (seq > e->seen_seq)
		e->seen_seq = seq;
}

/* Fill a fresh item for a flow met for the first time. */
static void ft_init(struct flow_item *it, const struct flow_wire *r,
		    uint64_t mono_ns, uint64_t seq)
{
	memset(it, 0, sizeof(*it));
	it->e.w = *r;
	it->e.seen_seq = seq;
	it->e.tuple_hash = flow_tuple_hash(r);
	if (r->event == FLOW_EV_DUMP) {
		/* Counters since before we looked: the rate starts now. */
		it->e.base_orig_bytes = r->orig_bytes;
		it->e.base_reply_bytes = r->reply_bytes;
		it->e.base_mono_ns = mono_ns;
		it->e.counters_mono_ns = mono_ns;
		it->base_known = 1;
		return;
	}
	/* Events carry state, not counters (header contract): counters
	 * come from dumps only. */
	it->e.w.orig_bytes = it->e.w.orig_packets = 0;
	it->e.w.reply_bytes = it->e.w.reply_packets = 0;
	if (r->event == FLOW_EV_NEW) {
		/* A new flow had moved no bytes when it began. */
		it->e.base_mono_ns = mono_ns;
		it->e.counters_mono_ns = mono_ns;
		it->base_known = 1;
	}
	/* An UPDATE for a flow that predates us: its counters are unknown
	 * until a dump lists it, which then sets the base. */
}

void flow_table_on_gone(struct flow_table *t, flow_table_gone_fn fn,
			void *ctx)
{
	t->gone = fn;
	t->gone_ctx = ctx;
}

/* A DESTROY carries the final counters: the closed flow shows them. */
static void ft_tell_gone(struct flow_table *t, const struct flow_entry *e,
			 const struct flow_wire *r, uint64_t mono_ns)
{
	struct flow_entry last = *e;

	ft_take_counters(&last, r, mono_ns);
	if (r->state != FLOW_STATE_NONE)
		last.w.state = r->state;
	last.w.event = FLOW_EV_DESTROY;
	t->gone(t->gone_ctx, &last);
}

static uint32_t ft_mix(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = k << 15 | k >> 17;
	k *= 0x1b873593u;
	h ^= k;
	h = h << 13 | h >> 19;
	return h * 5 + 0xe6546b64u;
}

uint32_t flow_tuple_hash(const struct flow_wire *w)
{
	size_t words = ft_addr_len(w->family) / 4;
	uint16_t a = ft_is_icmp(w->l4proto) ? w->icmp_id : w->sport;
	uint16_t b = ft_is_icmp(w->l4proto) ?
		(uint16_t)(w->icmp_type << 8 | w->icmp_code) : w->dport;
	uint32_t h = (uint32_t)w->family << 8 | w->l4proto, k;

	/* murmur3's body over what ft_same_tuple compares, a word a step:
	 * the screen hashes every flow on every rebuild. */
	h = ft_mix(h, (uint32_t)a << 16 | b);
	for (size_t i = 0; i < words; i++) {
		memcpy(&k, w->src + 4 * i, 4);
		h = ft_mix(h, k);
		memcpy(&k, w->dst + 4 * i, 4);
		h = ft_mix(h, k);
	}
	return ft_hash(h);
}

const struct flow_entry *flow_table_find(const struct flow_table *t,
					 uint32_t id, uint32_t th)
{
	size_t mask = t->slots_cap - 1;

	for (size_t i = ft_home(t, id); t->slots[i].pos1; i = (i + 1) & mask) {
		const struct flow_entry *e = &t->items[t->slots[i].pos1 - 1].e;

		if (t->slots[i].id == id && e->tuple_hash == th)
			return e;
	}
	return NULL;
}

struct flow_entry *flow_table_find_mut(struct flow_table *t, uint32_t id,
				       uint32_t th)
{
	return (struct flow_entry *)flow_table_find(t, id, th);
}

/* Past this many unread, the log is dropped for one walk of the table:
 * nobody is reading it, and the walk is as cheap as the log by then. */
#define FT_FRESH_MAX(t) ((t)->count + 4096)

static void ft_log_fresh(struct flow_table *t, const struct flow_entry *e)
{
	if (t->fresh_lost)
		return;
	if (t->nfresh >= FT_FRESH_MAX(t)) {
		t->fresh_lost = 1;
		return;
	}
	if (t->nfresh == t->fresh_cap) {
		size_t cap = t->fresh_cap ? t->fresh_cap * 2 : 256;
		struct flow_fresh *f = realloc(t->fresh, cap * sizeof(*f));

		if (!f) {
			t->fresh_lost = 1;
			return;
		}
		t->fresh = f;
		t->fresh_cap = cap;
	}
	t->fresh[t->nfresh++] = (struct flow_fresh){ e->w.id, e->tuple_hash };
}

void flow_table_each_new(struct flow_table *t, flow_table_each_fn fn,
			 void *ctx)
{
	if (t->fresh_lost) {
		for (size_t pos = 0; pos < t->count; pos++)
			fn(ctx, &t->items[pos].e);
	} else {
		for (size_t i = 0; i < t->nfresh; i++) {
			const struct flow_entry *e =
				flow_table_find(t, t->fresh[i].id, t->fresh[i].th);

			if (e)
				fn(ctx, e);
		}
	}
	t->nfresh = 0;
	t->fresh_lost = 0;
	/* A first dump's worth of log is not kept for the churn after it. */
	if (t->fresh_cap > 65536) {
		free(t->fresh);
		t->fresh = NULL;
		t->fresh_cap = 0;
	}
}

int flow_table_apply(struct flow_table *t, const struct flow_wire *r,
		     uint64_t mono_ns, uint64_t seq)
{
	size_t si = ft_probe(t, r);
	uint32_t pos1 = t->slots[si].pos1;

	if (r->event == FLOW_EV_DESTROY) {
		if (pos1 && t->gone)
			ft_tell_gone(t, &t->items[pos1 - 1].e, r, mono_ns);
		if (pos1) {
			ft_remove_at(t, pos1 - 1, si);
			ft_maybe_shrink(t);
			t->changes++;
		}
		return 0;
	}
	if (pos1) {
		ft_update(&t->items[pos1 - 1], r, mono_ns, seq);
		return 0;
	}
	/* Asked about by the screen and gone from the table since (a
	 * DESTROY crossed the question): not brought back. */
	if (r->event == FLOW_EV_REFRESH)
		return 0;
	if (ft_reserve_one(t) < 0)
		return -1;
	/* The index may have been rebuilt: find the empty slot again. */
	si = ft_probe(t, r);
	ft_init(&t->items[t->count], r, mono_ns, seq);
	ft_log_fresh(t, &t->items[t->count].e);
	t->slots[si].id = r->id;
	t->slots[si].pos1 = (uint32_t)(t->count + 1);
	t->count++;
	t->changes++;
	return 0;
}

void flow_table_dump_end(struct flow_table *t, uint64_t seq)
{
	size_t pos = 0, had = t->count;

	while (pos < t->count) {
		if (t->items[pos].e.seen_seq < seq) {
			if (t->gone)
				t->gone(t->gone_ctx, &t->items[pos].e);
			/* The last item moves here: look at pos again. */
			ft_remove_at(t, pos, ft_probe(t, &t->items[pos].e.w));
		} else {
			pos++;
		}
	}
	t->changes += had - t->count;
	ft_maybe_shrink(t);
}

uint64_t flow_table_changes(const struct flow_table *t)
{
	return t->changes;
}

static double ft_rate(uint64_t now, uint64_t base, double secs)
{
	/* A counter that went back (zeroed by conntrack -Z) moved nothing
	 * we can measure. */
	return now > base ? (double)(now - base) / secs : 0.0;
}

/* The interval ends when the counters were read, not at the snapshot:
 * a dump of a big table takes a while, and the screen refreshes the
 * flows it shows between sweeps of the rest. A flow whose counters were
 * not read again since its base keeps its rate (it is not taken for
 * idle), as does one read again less than min_ns after its base (a
 * sweep right after a refresh: too short to measure). */
static void ft_entry_rates(struct flow_item *it, uint64_t min_ns)
{
	struct flow_entry *e = &it->e;

	if (!it->base_known || e->counters_mono_ns <= e->base_mono_ns ||
	    e->counters_mono_ns - e->base_mono_ns < min_ns)
		return;
	double secs = (double)(e->counters_mono_ns - e->base_mono_ns) / 1e9;

	e->orig_rate = ft_rate(e->w.orig_bytes, e->base_orig_bytes, secs);
	e->reply_rate = ft_rate(e->w.reply_bytes, e->base_reply_bytes, secs);
	e->has_rate = 1;
	e->base_orig_bytes = e->w.orig_bytes;
	e->base_reply_bytes = e->w.reply_bytes;
	e->base_mono_ns = e->counters_mono_ns;
}

void flow_table_rates(struct flow_table *t, uint64_t mono_ns)
{
	/* Counters carry their own reading time; see ft_entry_rates. */
	(void)mono_ns;
	flow_table_rates_over(t, 0);
}

void flow_table_rates_over(struct flow_table *t, uint64_t min_ns)
{
	for (size_t pos = 0; pos < t->count; pos++)
		ft_entry_rates(&t->items[pos], min_ns);
}

static uint64_t ft_total(const struct flow_entry *e)
{
	uint64_t s = e->w.orig_bytes + e->w.reply_bytes;

	/* Saturate rather than wrap, so huge flows still sort first. */
	return s < e->w.orig_bytes ? UINT64_MAX : s;
}

static int ft_cmp(const void *pa, const void *pb)
{
	const struct flow_entry *a = *(const struct flow_entry *const *)pa;
	const struct flow_entry *b = *(const struct flow_entry *const *)pb;
	uint64_t ta = ft_total(a), tb = ft_total(b);

	if (ta != tb)
		return ta > tb ? -1 : 1;
	if (a->w.id != b->w.id)
		return a->w.id < b->w.id ? -1 : 1;
	return 0;
}

/* Keep the cap best entries in a heap whose root is the worst of them:
 * the top of a huge table costs O(n log cap) and no allocation. */
static void ft_heap_down(const struct flow_entry **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;

		if (l < n && ft_cmp(&h[l], &h[w]) > 0)
			w = l;
		if (r < n && ft_cmp(&h[r], &h[w]) > 0)
			w = r;
		if (w == i)
			return;
		const struct flow_entry *tmp = h[i];

		h[i] = h[w];
		h[w] = tmp;
		i = w;
	}
}

static void ft_top(struct flow_table *t, const struct flow_entry **out,
		   size_t cap)
{
	for (size_t pos = 0; pos < cap; pos++)
		out[pos] = &t->items[pos].e;
	for (size_t i = cap / 2; i-- > 0;)
		ft_heap_down(out, cap, i);
	for (size_t pos = cap; pos < t->count; pos++) {
		const struct flow_entry *e = &t->items[pos].e;

		if (ft_cmp(&e, &out[0]) < 0) {
			out[0] = e;
			ft_heap_down(out, cap, 0);
		}
	}
}

size_t flow_table_sorted(struct flow_table *t, const struct flow_entry **out,
			 size_t cap)
{
	size_t n = t->count < cap ? t->count : cap;

	if (n == 0)
		return 0;
	if (n == t->count) {
		for (size_t pos = 0; pos < n; pos++)
			out[pos] = &t->items[pos].e;
	} else {
		ft_top(t, out, n);
	}
	qsort(out, n, sizeof(*out), ft_cmp);
	return n;
}

const struct flow_entry *flow_table_at(const struct flow_table *t, size_t i)
{
	return i < t->count ? &t->items[i].e : NULL;
}

struct flow_entry *flow_table_at_mut(struct flow_table *t, size_t i)
{
	return i < t->count ? &t->items[i].e : NULL;
}
