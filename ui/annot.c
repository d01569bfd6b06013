/* SPDX-License-Identifier: GPL-2.0-only */
/* annot: open-addressing tables of addresses and ports, with the queue of
 * questions not sent yet. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "ui/annot.h"

/* An address, in the dense array of them: its index is its slot. */
struct an_addr {
	uint8_t family;
	uint8_t asked;         /* parts asked for */
	uint8_t have;          /* parts answered */
	uint8_t addr[16];
	uint32_t asn;
	char country[4];
	char *name, *country_name, *city, *as_org;   /* NULL: none */
};

/* The hash index over them: small, so a probe mostly stays in cache. */
struct an_idx {
	uint32_t hash;         /* of the address; home slot hash & mask */
	uint32_t at;           /* 0: empty, else the address's index + 1 */
};

struct an_port {
	uint8_t used;
	uint8_t answered;
	uint8_t l4proto;
	uint16_t port;
	char name[SERVICE_NAME_LEN];
};

struct annots {
	struct siphash_key key;    /* the process key */
	uint8_t parts;
	int services;
	struct an_addr *addrs;     /* addrs[0..naddrs) */
	size_t addrs_cap, naddrs;
	struct an_idx *idx;        /* idx_cap is a power of two */
	size_t idx_cap;
	struct an_port *ports;
	size_t ports_cap, nports;
	size_t outstanding;
	size_t unheard;            /* asked, no part answered yet */
	size_t stale;              /* asked before a start-over, not answered */
	uint64_t generation;       /* bumped when the table starts over */
	struct lookup_req *q;      /* queued address questions */
	size_t nq, q_cap;
	struct service_req *sq;    /* queued port questions */
	size_t nsq, sq_cap;
	size_t q_sent, sq_sent;    /* how much of each queue went out */
	struct msg_chan *res;      /* where annots_send sent, for the rest */
	int send_errno;            /* a send from annots_apply failed */
	uint32_t *chg;             /* slots answered since annots_each_changed */
	size_t nchg, chg_cap;
	int chg_lost;              /* too many, or a start-over: all of them */
};

/* Questions sent that no answer has come for yet, at most. The ui must
 * never block sending to the resolver: the resolver answers GeoIP,
 * services and failing DNS at once, blocks on a full channel when the ui
 * is not reading, and a ui blocked in its own send then never reads
 * (250k flows with names on hung both). This many fit in the channel's
 * buffer with room to spare (20 bytes a question), so a send never
 * waits. An address counts until its first answer: one whose GeoIP came
 * while its name is still looked up doesn't, so slow DNS does not hold
 * up the places of new flows. Questions go AN_BATCH at least to a
 * message (fewer only when no more wait), so that a trickle of answers
 * does not fill the channel with small messages. */
#define AN_WINDOW 2048
#define AN_BATCH 256

/* Past this many answers not drained the log gives up: everything. */
#define AN_CHG_MAX 65536u

/* Addresses and ports come from remote hosts: SipHash-1-3 under the
 * process key (common/siphash.h), so nobody can line up a run of
 * colliding keys in these linear-probing tables. */
static uint32_t an_hash_addr(const struct annots *a, uint8_t family,
			     const uint8_t *addr)
{
	uint8_t b[17];

	b[0] = family;
	memcpy(b + 1, addr, 16);
	return (uint32_t)siphash13(&a->key, b, sizeof(b));
}

static size_t an_home_port(const struct annots *a, uint8_t l4proto,
			   uint16_t port)
{
	uint8_t b[3] = { l4proto, (uint8_t)(port >> 8), (uint8_t)port };

	return (size_t)siphash13(&a->key, b, sizeof(b));
}

static void an_addr_clear(struct an_addr *e)
{
	free(e->name);
	free(e->country_name);
	free(e->city);
	free(e->as_org);
	memset(e, 0, sizeof(*e));
}

/* Start over: the simplest bound that cannot be gamed into growth. */
static size_t an_in_flight(const struct annots *a);

static void an_reset(struct annots *a)
{
	size_t i;

	/* Their answers still come, and fill the channel as before: they
	 * keep counting in the window until they do. */
	a->stale = an_in_flight(a);
	for (i = 0; i < a->naddrs; i++)
		an_addr_clear(&a->addrs[i]);
	memset(a->idx, 0, a->idx_cap * sizeof(*a->idx));
	memset(a->ports, 0, a->ports_cap * sizeof(*a->ports));
	a->naddrs = a->nports = a->outstanding = a->unheard = 0;
	a->nq = a->nsq = a->q_sent = a->sq_sent = 0;
	a->nchg = 0;
	a->chg_lost = 1;
}

/* Unique in the process, across tables too: a table freed and another
 * made at the same address is still told apart by it. */
static uint64_t an_next_generation(void)
{
	static uint64_t last;

	return ++last;
}

struct annots *annots_new(uint8_t parts, int services)
{
	struct annots *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->generation = an_next_generation();
	a->key = *siphash_key();
	a->chg_lost = 1;    /* a first reader knows nothing yet */
	a->parts = parts;
	a->services = services;
	a->idx_cap = 1024;
	a->ports_cap = 256;
	a->idx = calloc(a->idx_cap, sizeof(*a->idx));
	a->ports = calloc(a->ports_cap, sizeof(*a->ports));
	if (!a->idx || !a->ports) {
		annots_free(a);
		return NULL;
	}
	return a;
}

void annots_free(struct annots *a)
{
	if (!a)
		return;
	if (a->idx)
		an_reset(a);
	free(a->addrs);
	free(a->idx);
	free(a->ports);
	free(a->q);
	free(a->sq);
	free(a->chg);
	free(a);
}

/* The index slot of an address, or the free one where it would go. */
static struct an_idx *an_find(const struct annots *a, uint8_t family,
			      const uint8_t *addr, uint32_t h)
{
	size_t mask = a->idx_cap - 1, i;

	for (i = h & mask; a->idx[i].at; i = (i + 1) & mask) {
		const struct an_idx *x = &a->idx[i];
		const struct an_addr *e = &a->addrs[x->at - 1];

		if (x->hash == h && e->family == family &&
		    !memcmp(e->addr, addr, 16))
			break;
	}
	return &a->idx[i];
}

static struct an_port *an_find_port(const struct annots *a, uint8_t l4proto,
				    uint16_t port)
{
	size_t mask = a->ports_cap - 1;
	size_t i = an_home_port(a, l4proto, port);

	for (i &= mask; a->ports[i].used; i = (i + 1) & mask) {
		struct an_port *e = &a->ports[i];

		if (e->l4proto == l4proto && e->port == port)
			return e;
	}
	return &a->ports[i];
}

/* Double the index at half load, from the hashes it keeps. */
static int an_grow_idx(struct annots *a)
{
	struct an_idx *old = a->idx;
	size_t i, cap = a->idx_cap, mask = cap * 2 - 1;

	a->idx = calloc(cap * 2, sizeof(*a->idx));
	if (!a->idx) {
		a->idx = old;
		return -1;
	}
	a->idx_cap = cap * 2;
	for (i = 0; i < cap; i++) {
		size_t j = old[i].hash & mask;

		if (!old[i].at)
			continue;
		while (a->idx[j].at)
			j = (j + 1) & mask;
		a->idx[j] = old[i];
	}
	free(old);
	return 0;
}

/* Room for one more address; entries move, pointers into them die. */
static int an_room(struct annots *a)
{
	if ((a->naddrs + 1) * 2 > a->idx_cap && an_grow_idx(a) < 0)
		return -1;
	if (a->naddrs == a->addrs_cap) {
		size_t cap = a->addrs_cap ? a->addrs_cap * 2 : 512;
		struct an_addr *n = realloc(a->addrs, cap * sizeof(*n));

		if (!n)
			return -1;
		a->addrs = n;
		a->addrs_cap = cap;
	}
	return 0;
}

static int an_grow_ports(struct annots *a)
{
	struct an_port *old = a->ports;
	size_t i, cap = a->ports_cap;

	a->ports = calloc(cap * 2, sizeof(*a->ports));
	if (!a->ports) {
		a->ports = old;
		return -1;
	}
	a->ports_cap = cap * 2;
	for (i = 0; i < cap; i++)
		if (old[i].used)
			*an_find_port(a, old[i].l4proto, old[i].port) = old[i];
	free(old);
	return 0;
}

/* Append to a queue of fixed-size records, growing it. */
static void *an_push(void **q, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *p = realloc(*q, nc * size);

		if (!p)
			return NULL;
		*q = p;
		*cap = nc;
	}
	return (unsigned char *)*q + (*n)++ * size;
}

void annots_want(struct annots *a, uint8_t family, const uint8_t *addr)
{
	uint32_t h;
	struct an_idx *x;
	struct an_addr *e;
	struct lookup_req *r;

	if (!a->parts)
		return;
	h = an_hash_addr(a, family, addr);
	if (an_find(a, family, addr, h)->at)
		return;
	if (a->naddrs >= ANNOT_MAX) {
		an_reset(a);
		a->generation = an_next_generation();
	}
	if (an_room(a) < 0)
		return;
	r = an_push((void **)&a->q, &a->nq, &a->q_cap, sizeof(*r));
	if (!r)
		return;
	x = an_find(a, family, addr, h);
	e = &a->addrs[a->naddrs++];
	memset(e, 0, sizeof(*e));
	x->hash = h;
	x->at = (uint32_t)a->naddrs;
	e->family = family;
	memcpy(e->addr, addr, 16);
	e->asked = a->parts;
	a->outstanding++;
	a->unheard++;
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->parts = a->parts;
	memcpy(r->addr, addr, 16);
}

void annots_want_service(struct annots *a, uint8_t l4proto, uint16_t port)
{
	struct an_port *e;
	struct service_req *r;

	if (!a->services || l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6)
		return;
	e = an_find_port(a, l4proto, port);
	if (e->used)
		return;
	if ((a->nports + 1) * 2 > a->ports_cap && an_grow_ports(a) < 0)
		return;
	r = an_push((void **)&a->sq, &a->nsq, &a->sq_cap, sizeof(*r));
	if (!r)
		return;
	e = an_find_port(a, l4proto, port);
	e->used = 1;
	e->l4proto = l4proto;
	e->port = port;
	a->nports++;
	a->outstanding++;
	a->unheard++;
	memset(r, 0, sizeof(*r));
	r->l4proto = l4proto;
	r->port = port;
}

static size_t an_unsent(const struct annots *a)
{
	return (a->nq - a->q_sent) + (a->nsq - a->sq_sent);
}

static size_t an_in_flight(const struct annots *a)
{
	size_t unsent = an_unsent(a), asked = a->unheard + a->stale;

	return asked > unsent ? asked - unsent : 0;
}

/* Send up to room records of q[*sent..n) of size bytes as batches of type;
 * a queue sent to its end starts over. Returns how many went, or -1. */
static long an_send_queue(struct msg_chan *res, uint32_t type, void *q,
			  size_t *n, size_t *sent, size_t size, size_t room)
{
	size_t per = MSG_MAX_PAYLOAD / size, done = 0;

	while (*sent < *n && done < room) {
		size_t k = *n - *sent;

		if (k > per)
			k = per;
		if (k > room - done)
			k = room - done;
		if (msg_send(res, type, (const unsigned char *)q + *sent * size,
			     (uint32_t)(k * size)) < 0)
			return -1;
		*sent += k;
		done += k;
	}
	if (*sent == *n)
		*n = *sent = 0;
	return (long)done;
}

/* Send what the window has room for. 0, or -1 with errno. */
static int an_send_some(struct annots *a)
{
	size_t busy = an_in_flight(a), room;
	long k;

	if (busy >= AN_WINDOW)
		return 0;
	room = AN_WINDOW - busy;
	if (room < AN_BATCH && an_unsent(a) > room)
		return 0;
	k = an_send_queue(a->res, MSG_LOOKUP_REQ, a->q, &a->nq, &a->q_sent,
			  sizeof(*a->q), room);
	if (k < 0)
		return -1;
	if ((size_t)k < room &&
	    an_send_queue(a->res, MSG_SERVICE_REQ, a->sq, &a->nsq,
			  &a->sq_sent, sizeof(*a->sq), room - (size_t)k) < 0)
		return -1;
	return 0;
}

int annots_send(struct annots *a, struct msg_chan *res)
{
	a->res = res;
	if (a->send_errno) {
		errno = a->send_errno;
		return -1;
	}
	return an_send_some(a);
}

static char *an_dup(const char *s)
{
	return *s ? strdup(s) : NULL;
}

/* Log slot as changed for annots_each_changed. */
static void an_changed(struct annots *a, uint32_t slot)
{
	uint32_t *c;

	if (a->chg_lost)
		return;
	if (a->nchg >= AN_CHG_MAX) {
		a->chg_lost = 1;
		return;
	}
	c = an_push((void **)&a->chg, &a->nchg, &a->chg_cap, sizeof(*c));
	if (!c)
		a->chg_lost = 1;
	else
		*c = slot;
}

static void an_merge(struct annots *a, const struct lookup_ans *r)
{
	const struct an_idx *x = an_find(a, r->family, r->addr,
					 an_hash_addr(a, r->family, r->addr));
	struct an_addr *e;
	uint8_t before;

	if (!x->at) {
		/* Never asked, or before a start-over: nothing to merge. (A
		 * second part of an old answer counts again: the window is
		 * then a little wider, never stuck.) */
		if (a->stale)
			a->stale--;
		return;
	}
	e = &a->addrs[x->at - 1];
	before = e->have;
	if (!(before & e->asked) && (r->parts & e->asked))
		a->unheard--;
	if ((r->parts & LOOKUP_DNS) && !(e->have & LOOKUP_DNS))
		e->name = an_dup(r->name);
	if ((r->parts & LOOKUP_GEO) && !(e->have & LOOKUP_GEO)) {
		memcpy(e->country, r->country, sizeof(e->country));
		e->country_name = an_dup(r->country_name);
		e->city = an_dup(r->city);
		e->as_org = an_dup(r->as_org);
		e->asn = r->asn;
	}
	if ((r->parts & e->asked & ~e->have))
		an_changed(a, x->at - 1);
	e->have |= r->parts & e->asked;
	if ((before & e->asked) != e->asked && (e->have & e->asked) == e->asked)
		a->outstanding--;
}

static void an_merge_service(struct annots *a, const struct service_ans *r)
{
	struct an_port *e = an_find_port(a, r->l4proto, r->port);

	if (!e->used) {
		if (a->stale)
			a->stale--;     /* asked before a start-over */
		return;
	}
	if (e->answered)
		return;
	memcpy(e->name, r->name, sizeof(e->name));
	e->answered = 1;
	a->outstanding--;
	a->unheard--;
}

void annots_apply(struct annots *a, const struct msg *m)
{
	size_t i;

	if (m->type == MSG_LOOKUP_ANS) {
		for (i = 0; i < m->len / sizeof(struct lookup_ans); i++) {
			struct lookup_ans r;

			memcpy(&r, (const unsigned char *)m->payload + i * sizeof(r),
			       sizeof(r));
			an_merge(a, &r);
		}
	} else {
		for (i = 0; i < m->len / sizeof(struct service_ans); i++) {
			struct service_ans r;

			memcpy(&r, (const unsigned char *)m->payload + i * sizeof(r),
			       sizeof(r));
			an_merge_service(a, &r);
		}
	}
	/* Answers made room in the window: ask the next questions. */
	if (a->res && !a->send_errno && an_send_some(a) < 0)
		a->send_errno = errno;
}

uint64_t annots_generation(const struct annots *a)
{
	return a->generation;
}

size_t annots_outstanding(const struct annots *a)
{
	return a->outstanding;
}

uint32_t annots_slot(const struct annots *a, uint8_t family,
		     const uint8_t *addr)
{
	return annots_slot_h(a, family, addr, annots_slot_hint(a, family, addr));
}

uint32_t annots_slot_hint(const struct annots *a, uint8_t family,
			  const uint8_t *addr)
{
	uint32_t h;

	if (!a->naddrs)
		return 0;
	h = an_hash_addr(a, family, addr);
	__builtin_prefetch(&a->idx[h & (a->idx_cap - 1)]);
	return h;
}

void annots_slot_warm(const struct annots *a, uint32_t h)
{
	uint32_t at;

	if (!a->naddrs)
		return;
	at = a->idx[h & (a->idx_cap - 1)].at;
	if (at)
		__builtin_prefetch(&a->addrs[at - 1]);
}

uint32_t annots_slot_h(const struct annots *a, uint8_t family,
		       const uint8_t *addr, uint32_t h)
{
	/* Lookups off (or nothing asked yet): the screen asks for every
	 * flow's two addresses on every filtered rebuild, so skip the probe. */
	if (!a->naddrs)
		return ANNOT_NONE;
	/* An empty index slot holds 0: not there. */
	return an_find(a, family, addr, h)->at - 1;
}

void annots_each_changed(struct annots *a, annots_changed_fn fn, void *ctx)
{
	if (a->chg_lost)
		fn(ctx, ANNOT_NONE);
	else
		for (size_t i = 0; i < a->nchg; i++)
			fn(ctx, a->chg[i]);
	a->nchg = 0;
	a->chg_lost = 0;
}

size_t annots_slots(const struct annots *a)
{
	return a->naddrs;
}

void annots_slot_get(const struct annots *a, uint32_t slot,
		     struct print_annot *out)
{
	const struct an_addr *e;

	/* A slot of an older generation is a caller's bug: never read
	 * past the table for it. */
	if (slot >= a->naddrs) {
		memset(out, 0, sizeof(*out));
		return;
	}
	e = &a->addrs[slot];
	out->name = e->name;
	out->country = e->country;
	out->country_name = e->country_name;
	out->city = e->city;
	out->as_org = e->as_org;
	out->asn = e->asn;
}

int annots_answered(const struct annots *a, uint8_t family,
		    const uint8_t *addr, uint8_t parts)
{
	uint32_t slot = annots_slot(a, family, addr);
	const struct an_addr *e;

	if (slot == ANNOT_NONE)
		return 0;
	e = &a->addrs[slot];
	parts &= e->asked;
	return (e->have & parts) == parts;
}

void annots_get(void *ctx, uint8_t family, const uint8_t *addr,
		struct print_annot *out)
{
	const struct annots *a = ctx;
	uint32_t slot = annots_slot(a, family, addr);

	memset(out, 0, sizeof(*out));
	if (slot != ANNOT_NONE)
		annots_slot_get(a, slot, out);
}

const char *annots_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	const struct annots *a = ctx;
	const struct an_port *e = an_find_port(a, l4proto, port);

	return e->used && e->answered && e->name[0] ? e->name : NULL;
}
