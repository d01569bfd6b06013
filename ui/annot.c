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

struct an_addr {
	uint8_t used;
	uint8_t family;
	uint8_t asked;         /* parts asked for */
	uint8_t have;          /* parts answered */
	uint8_t addr[16];
	uint32_t asn;
	char country[4];
	char *name, *country_name, *city, *as_org;   /* NULL: none */
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
	struct an_addr *addrs;     /* addrs_cap is a power of two */
	size_t addrs_cap, naddrs;
	struct an_port *ports;
	size_t ports_cap, nports;
	size_t outstanding;
	size_t unheard;            /* asked, no part answered yet */
	uint64_t generation;       /* bumped when the table starts over */
	struct lookup_req *q;      /* queued address questions */
	size_t nq, q_cap;
	struct service_req *sq;    /* queued port questions */
	size_t nsq, sq_cap;
	size_t q_sent, sq_sent;    /* how much of each queue went out */
	struct msg_chan *res;      /* where annots_send sent, for the rest */
	int send_errno;            /* a send from annots_apply failed */
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

/* Addresses and ports come from remote hosts: SipHash-1-3 under the
 * process key (common/siphash.h), so nobody can line up a run of
 * colliding keys in these linear-probing tables. */
static size_t an_home_addr(const struct annots *a, uint8_t family,
			   const uint8_t *addr)
{
	uint8_t b[17];

	b[0] = family;
	memcpy(b + 1, addr, 16);
	return (size_t)siphash13(&a->key, b, sizeof(b));
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
static void an_reset(struct annots *a)
{
	size_t i;

	for (i = 0; i < a->addrs_cap; i++)
		if (a->addrs[i].used)
			an_addr_clear(&a->addrs[i]);
	memset(a->ports, 0, a->ports_cap * sizeof(*a->ports));
	a->naddrs = a->nports = a->outstanding = a->unheard = 0;
	a->nq = a->nsq = a->q_sent = a->sq_sent = 0;
}

struct annots *annots_new(uint8_t parts, int services)
{
	struct annots *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->key = *siphash_key();
	a->parts = parts;
	a->services = services;
	a->addrs_cap = 1024;
	a->ports_cap = 256;
	a->addrs = calloc(a->addrs_cap, sizeof(*a->addrs));
	a->ports = calloc(a->ports_cap, sizeof(*a->ports));
	if (!a->addrs || !a->ports) {
		annots_free(a);
		return NULL;
	}
	return a;
}

void annots_free(struct annots *a)
{
	if (!a)
		return;
	if (a->addrs)
		an_reset(a);
	free(a->addrs);
	free(a->ports);
	free(a->q);
	free(a->sq);
	free(a);
}

static struct an_addr *an_find(const struct annots *a, uint8_t family,
			       const uint8_t *addr)
{
	size_t mask = a->addrs_cap - 1;
	size_t i = an_home_addr(a, family, addr);

	for (i &= mask; a->addrs[i].used; i = (i + 1) & mask) {
		struct an_addr *e = &a->addrs[i];

		if (e->family == family && !memcmp(e->addr, addr, 16))
			return e;
	}
	return &a->addrs[i];    /* the free slot where it would go */
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

/* Double a table at half load; entries move, pointers into it die. */
static int an_grow_addrs(struct annots *a)
{
	struct an_addr *old = a->addrs;
	size_t i, cap = a->addrs_cap;

	a->addrs = calloc(cap * 2, sizeof(*a->addrs));
	if (!a->addrs) {
		a->addrs = old;
		return -1;
	}
	a->addrs_cap = cap * 2;
	for (i = 0; i < cap; i++)
		if (old[i].used)
			*an_find(a, old[i].family, old[i].addr) = old[i];
	free(old);
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
	struct an_addr *e;
	struct lookup_req *r;

	if (!a->parts)
		return;
	e = an_find(a, family, addr);
	if (e->used)
		return;
	if (a->naddrs >= ANNOT_MAX) {
		an_reset(a);
		a->generation++;
	}
	if ((a->naddrs + 1) * 2 > a->addrs_cap && an_grow_addrs(a) < 0)
		return;
	r = an_push((void **)&a->q, &a->nq, &a->q_cap, sizeof(*r));
	if (!r)
		return;
	e = an_find(a, family, addr);
	e->used = 1;
	e->family = family;
	memcpy(e->addr, addr, 16);
	e->asked = a->parts;
	a->naddrs++;
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
	size_t unsent = an_unsent(a);

	return a->unheard > unsent ? a->unheard - unsent : 0;
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

static void an_merge(struct annots *a, const struct lookup_ans *r)
{
	struct an_addr *e = an_find(a, r->family, r->addr);
	uint8_t before;

	if (!e->used)
		return;      /* never asked: nothing to merge into */
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
	e->have |= r->parts & e->asked;
	if ((before & e->asked) != e->asked && (e->have & e->asked) == e->asked)
		a->outstanding--;
}

static void an_merge_service(struct annots *a, const struct service_ans *r)
{
	struct an_port *e = an_find_port(a, r->l4proto, r->port);

	if (!e->used || e->answered)
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

void annots_get(void *ctx, uint8_t family, const uint8_t *addr,
		struct print_annot *out)
{
	const struct annots *a = ctx;
	const struct an_addr *e;

	memset(out, 0, sizeof(*out));
	/* Lookups off (or nothing asked yet): the screen asks for every
	 * flow's two addresses on every filtered rebuild, so skip the probe. */
	if (!a->naddrs)
		return;
	e = an_find(a, family, addr);
	if (!e->used)
		return;
	out->name = e->name;
	out->country = e->country;
	out->country_name = e->country_name;
	out->city = e->city;
	out->as_org = e->as_org;
	out->asn = e->asn;
}

const char *annots_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	const struct annots *a = ctx;
	const struct an_port *e = an_find_port(a, l4proto, port);

	return e->used && e->answered && e->name[0] ? e->name : NULL;
}
