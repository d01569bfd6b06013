/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_play: the recording's open flows, processes, addresses and ports,
 * and the frames they make. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/options.h"
#include "common/siphash.h"
#include "replay/rp_index.h"
#include "replay/rp_play.h"

struct rp_flow {
	uint64_t key;
	struct flow_wire w;
	int sent;               /* in a frame the ui was sent */
};

struct rp_owner_ent {
	struct msg_owner m;
	int told;               /* MSG_OWNER sent for this start */
	int exited;             /* a line said so */
	int gone_told;          /* MSG_OWNERS_GONE sent */
};

struct rp_place_ent {
	uint64_t key;
	struct lookup_ans a;    /* family, addr; parts: what is known */
};

struct rp_service_ent {
	uint32_t key;           /* l4proto << 16 | port */
	char name[SERVICE_NAME_LEN];
};

struct rp_gone {
	struct flow_wire w;     /* final figures, event DESTROY */
	int sent;               /* the ui had it */
};

struct rp_play {
	struct rp_flow *flows;
	size_t nflows, flows_cap;
	struct rp_index flow_ix;
	struct rp_gone *gone, *taken;   /* this frame's, the last taken's */
	size_t ngone, ntaken, gone_cap, taken_cap;
	struct rp_owner_ent *owners;
	size_t nowners, owners_cap;
	struct rp_index owner_ix;       /* by pid */
	uint64_t owner_starts;          /* the last start made up */
	struct rp_place_ent *places;
	size_t nplaces, places_cap;
	struct rp_index place_ix;
	struct rp_service_ent *services;
	size_t nservices, services_cap;
	struct rp_index service_ix;
	int pass;                       /* a pass line was taken */
	uint64_t pass_time;             /* its time */
	uint64_t end_time;              /* the latest "end" of the frame */
	int pending;                    /* lines taken since the last frame */
	/* A start not taken yet: when the next line is that flow's end at
	 * the same time, the two are one flow that came and went between
	 * passes (ui/record.c writes its start with its end), not a pass. */
	struct rp_line hold;
	int held;
};

/* Room for one more item in an array of items of size bytes. */
static int rp_room(void *arrp, size_t n, size_t *cap, size_t size)
{
	void **arr = arrp, *m;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	m = realloc(*arr, c * size);
	if (!m)
		return -1;
	*arr = m;
	*cap = c;
	return 0;
}

struct rp_play *rp_play_new(void)
{
	return calloc(1, sizeof(struct rp_play));
}

void rp_play_rewind(struct rp_play *p)
{
	p->nflows = p->ngone = p->ntaken = p->nowners = 0;
	rp_index_clear(&p->flow_ix);
	rp_index_clear(&p->owner_ix);
	p->pass = p->pending = p->held = 0;
	p->pass_time = p->end_time = 0;
}

void rp_play_free(struct rp_play *p)
{
	if (!p)
		return;
	free(p->flows);
	free(p->gone);
	free(p->taken);
	free(p->owners);
	free(p->places);
	free(p->services);
	rp_index_free(&p->flow_ix);
	rp_index_free(&p->owner_ix);
	rp_index_free(&p->place_ix);
	rp_index_free(&p->service_ix);
	free(p);
}

/* ---- flows ---- */

/* What names a flow in the recording: its conntrack id and original
 * tuple (ids alone are reused). */
struct rp_ident {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint16_t sport, dport, zone;
	uint8_t family, l4proto, icmp_type, icmp_code;
};

static void rp_ident_of(const struct flow_wire *w, struct rp_ident *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, w->src, sizeof(k->src));
	memcpy(k->dst, w->dst, sizeof(k->dst));
	k->id = w->id;
	k->sport = w->sport;
	k->dport = w->dport;
	k->zone = w->zone;
	k->family = w->family;
	k->l4proto = w->l4proto;
	k->icmp_type = w->icmp_type;
	k->icmp_code = w->icmp_code;
}

struct rp_flow_q {
	const struct rp_play *p;
	struct rp_ident k;
};

static int rp_flow_eq(const void *ctx, uint32_t pos)
{
	const struct rp_flow_q *q = ctx;
	struct rp_ident k;

	rp_ident_of(&q->p->flows[pos].w, &k);
	return memcmp(&k, &q->k, sizeof(k)) == 0;
}

static int64_t rp_flow_find(const struct rp_play *p, const struct flow_wire *w,
			    uint64_t *key)
{
	struct rp_flow_q q = { .p = p };

	rp_ident_of(w, &q.k);
	*key = siphash13(siphash_key(), &q.k, sizeof(q.k));
	return rp_index_find(&p->flow_ix, *key, rp_flow_eq, &q);
}

static int rp_flow_add(struct rp_play *p, const struct flow_wire *w,
		       uint64_t key, const char **why)
{
	if (p->nflows >= RP_FLOWS_MAX) {
		*why = "more flows open at once than a replay holds";
		return -1;
	}
	if (rp_room(&p->flows, p->nflows, &p->flows_cap, sizeof(*p->flows)) < 0 ||
	    rp_index_add(&p->flow_ix, key, (uint32_t)p->nflows) < 0) {
		*why = "out of memory";
		return -1;
	}
	p->flows[p->nflows++] = (struct rp_flow){ .key = key, .w = *w };
	return 0;
}

static void rp_flow_del(struct rp_play *p, size_t pos)
{
	size_t last = p->nflows - 1;

	rp_index_del(&p->flow_ix, p->flows[pos].key, (uint32_t)pos);
	if (pos != last) {
		rp_index_move(&p->flow_ix, p->flows[last].key, (uint32_t)last,
			      (uint32_t)pos);
		p->flows[pos] = p->flows[last];
	}
	p->nflows--;
}

/* The flow at pos leaves with the figures of w. */
static int rp_flow_leave(struct rp_play *p, size_t pos,
			 const struct flow_wire *w)
{
	struct rp_gone *g;

	if (rp_room(&p->gone, p->ngone, &p->gone_cap, sizeof(*p->gone)) < 0)
		return -1;
	g = &p->gone[p->ngone++];
	g->w = *w;
	g->w.event = FLOW_EV_DESTROY;
	g->sent = p->flows[pos].sent;
	rp_flow_del(p, pos);
	return 0;
}

/* ---- processes ---- */

static int rp_owner_eq(const void *ctx, uint32_t pos)
{
	const struct rp_play *p = ((const struct rp_flow_q *)ctx)->p;
	uint32_t pid = ((const struct rp_flow_q *)ctx)->k.id;

	return p->owners[pos].m.pid == pid;
}

static int64_t rp_owner_find(const struct rp_play *p, uint32_t pid)
{
	struct rp_flow_q q = { .p = p };

	q.k.id = pid;
	return rp_index_find(&p->owner_ix, pid, rp_owner_eq, &q);
}

const struct msg_owner *rp_play_owner(const struct rp_play *p, uint32_t pid)
{
	int64_t at = rp_owner_find(p, pid);

	return at < 0 ? NULL : &p->owners[at].m;
}

/* The process a line describes, as MSG_OWNER would carry it. */
static void rp_owner_of(const struct rp_line *l, struct msg_owner *m)
{
	memset(m, 0, sizeof(*m));
	m->pid = l->w.pid;
	m->uid = l->w.uid;
	memcpy(m->comm, l->w.comm, sizeof(l->w.comm));
	memcpy(m->cmdline, l->own.cmdline, sizeof(m->cmdline));
	memcpy(m->exe, l->own.exe, sizeof(m->exe));
	memcpy(m->cgroup, l->own.cgroup, sizeof(m->cgroup));
	memcpy(m->netns, l->own.netns, sizeof(m->netns));
}

static int rp_owner_same(const struct msg_owner *a, const struct msg_owner *b)
{
	return a->uid == b->uid && !strcmp(a->comm, b->comm) &&
	       !strcmp(a->cmdline, b->cmdline) && !strcmp(a->exe, b->exe) &&
	       !strcmp(a->cgroup, b->cgroup) && !strcmp(a->netns, b->netns);
}

/* A new process under its pid: a start of its own, so that the ui tells
 * it from the one before (flow_owner_tag). */
static void rp_owner_renew(struct rp_play *p, struct rp_owner_ent *e,
			   const struct msg_owner *m)
{
	e->m = *m;
	e->m.start = ++p->owner_starts;
	e->told = e->exited = e->gone_told = 0;
}

/* The owner of line l, made or renewed; NULL past RP_OWNERS_MAX (the
 * flow then names its pid without details) or without memory. */
static struct rp_owner_ent *rp_owner_take(struct rp_play *p,
					  const struct rp_line *l)
{
	struct msg_owner m;
	int64_t at = rp_owner_find(p, l->w.pid);
	struct rp_owner_ent *e;

	rp_owner_of(l, &m);
	if (at >= 0) {
		e = &p->owners[at];
		if (!rp_owner_same(&e->m, &m))
			rp_owner_renew(p, e, &m);
	} else {
		if (p->nowners >= RP_OWNERS_MAX ||
		    rp_room(&p->owners, p->nowners, &p->owners_cap,
			    sizeof(*p->owners)) < 0 ||
		    rp_index_add(&p->owner_ix, m.pid, (uint32_t)p->nowners) < 0)
			return NULL;
		e = &p->owners[p->nowners++];
		rp_owner_renew(p, e, &m);
	}
	if (l->own.exited)
		e->exited = 1;
	return e;
}

/* The flow of l names its owner by pid and made-up start. */
static void rp_owner_tag(struct rp_play *p, const struct rp_line *l,
			 struct flow_wire *w)
{
	struct rp_owner_ent *e;

	memset(w->owner_tag, 0, sizeof(w->owner_tag));
	if (!w->pid)
		return;
	e = rp_owner_take(p, l);
	if (e)
		flow_set_owner_tag(w, e->m.start);
}

/* ---- addresses and ports ---- */

static int rp_place_eq(const void *ctx, uint32_t pos)
{
	const struct rp_flow_q *q = ctx;
	const struct lookup_ans *a = &q->p->places[pos].a;

	return a->family == q->k.family &&
	       !memcmp(a->addr, q->k.src, sizeof(a->addr));
}

static int64_t rp_place_find(const struct rp_play *p, uint8_t family,
			     const uint8_t *addr, uint64_t *key)
{
	struct rp_flow_q q = { .p = p };

	q.k.family = family;
	memcpy(q.k.src, addr, sizeof(q.k.src));
	*key = siphash13(siphash_key(), &q.k, sizeof(q.k));
	return rp_index_find(&p->place_ix, *key, rp_place_eq, &q);
}

/* What a line says of one address, merged: a part it tells replaces
 * what was known (the last word wins, as the last frame showed it). */
static void rp_place_merge(struct lookup_ans *a, const struct rp_place *pl)
{
	if (pl->name[0]) {
		memcpy(a->name, pl->name, sizeof(a->name));
		a->parts |= LOOKUP_DNS;
	}
	if (!pl->country[0] && !pl->country_name[0] && !pl->city[0] &&
	    !pl->as_org[0] && !pl->asn)
		return;
	memcpy(a->country, pl->country, sizeof(a->country));
	memcpy(a->country_name, pl->country_name, sizeof(a->country_name));
	memcpy(a->city, pl->city, sizeof(a->city));
	memcpy(a->as_org, pl->as_org, sizeof(a->as_org));
	a->asn = pl->asn;
	a->parts |= LOOKUP_GEO;
}

static void rp_place_take(struct rp_play *p, uint8_t family,
			  const uint8_t *addr, const struct rp_place *pl)
{
	uint64_t key;
	int64_t at;
	struct rp_place_ent *e;

	if (!pl->name[0] && !pl->country[0] && !pl->country_name[0] &&
	    !pl->city[0] && !pl->as_org[0] && !pl->asn)
		return;
	at = rp_place_find(p, family, addr, &key);
	if (at < 0) {
		if (p->nplaces >= RP_PLACES_MAX ||
		    rp_room(&p->places, p->nplaces, &p->places_cap,
			    sizeof(*p->places)) < 0 ||
		    rp_index_add(&p->place_ix, key, (uint32_t)p->nplaces) < 0)
			return;
		at = (int64_t)p->nplaces++;
		e = &p->places[at];
		memset(e, 0, sizeof(*e));
		e->key = key;
		e->a.family = family;
		memcpy(e->a.addr, addr, sizeof(e->a.addr));
	}
	rp_place_merge(&p->places[at].a, pl);
}

void rp_play_answer(const struct rp_play *p, const struct lookup_req *q,
		    struct lookup_ans *a)
{
	uint64_t key;
	int64_t at = rp_place_find(p, q->family, q->addr, &key);

	memset(a, 0, sizeof(*a));
	if (at >= 0)
		*a = p->places[at].a;
	a->family = q->family;
	memcpy(a->addr, q->addr, sizeof(a->addr));
	/* Every part asked is answered: what is not known is not known. */
	if (!(a->parts & LOOKUP_DNS))
		memset(a->name, 0, sizeof(a->name));
	if (!(a->parts & LOOKUP_GEO) || !(q->parts & LOOKUP_GEO)) {
		memset(a->country, 0, sizeof(a->country));
		memset(a->country_name, 0, sizeof(a->country_name));
		memset(a->city, 0, sizeof(a->city));
		memset(a->as_org, 0, sizeof(a->as_org));
		a->asn = 0;
	}
	if (!(q->parts & LOOKUP_DNS))
		memset(a->name, 0, sizeof(a->name));
	a->parts = q->parts;
}

static int rp_service_eq(const void *ctx, uint32_t pos)
{
	const struct rp_flow_q *q = ctx;

	return q->p->services[pos].key == q->k.id;
}

static int64_t rp_service_find(const struct rp_play *p, uint32_t key)
{
	struct rp_flow_q q = { .p = p };

	q.k.id = key;
	return rp_index_find(&p->service_ix, key, rp_service_eq, &q);
}

static void rp_service_take(struct rp_play *p, const struct rp_line *l)
{
	uint32_t key = (uint32_t)l->w.l4proto << 16 | l->w.dport;
	int64_t at;

	if (!l->service[0])
		return;
	at = rp_service_find(p, key);
	if (at < 0) {
		if (p->nservices >= RP_SERVICES_MAX ||
		    rp_room(&p->services, p->nservices, &p->services_cap,
			    sizeof(*p->services)) < 0 ||
		    rp_index_add(&p->service_ix, key,
				 (uint32_t)p->nservices) < 0)
			return;
		at = (int64_t)p->nservices++;
		p->services[at].key = key;
	}
	memcpy(p->services[at].name, l->service, sizeof(l->service));
}

void rp_play_service(const struct rp_play *p, const struct service_req *q,
		     struct service_ans *a)
{
	int64_t at = rp_service_find(p, (uint32_t)q->l4proto << 16 | q->port);

	memset(a, 0, sizeof(*a));
	a->port = q->port;
	a->l4proto = q->l4proto;
	if (at >= 0)
		memcpy(a->name, p->services[at].name, sizeof(a->name));
}

/* ---- lines and frames ---- */

/* A start or update: the flow as the line has it. */
static int rp_take_flow(struct rp_play *p, const struct rp_line *l,
			const char **why)
{
	struct flow_wire w = l->w;
	uint64_t key;
	int64_t at = rp_flow_find(p, &w, &key);

	rp_owner_tag(p, l, &w);
	if (at >= 0) {
		p->flows[at].w = w;
		return 0;
	}
	return rp_flow_add(p, &w, key, why);
}

/* An end: the flow leaves with its final figures; one never started
 * (a recording begun in a rotated file, or cut) leaves all the same. */
static int rp_take_end(struct rp_play *p, const struct rp_line *l,
		       const char **why)
{
	struct flow_wire w = l->w;
	uint64_t key;
	int64_t at = rp_flow_find(p, &w, &key);

	rp_owner_tag(p, l, &w);
	if (l->time_ns > p->end_time)
		p->end_time = l->time_ns;
	if (at < 0 && rp_flow_add(p, &w, key, why) < 0)
		return -1;
	if (at < 0)
		at = (int64_t)p->nflows - 1;
	if (rp_flow_leave(p, (size_t)at, &w) < 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

/* Another run began recording: what the last one left open ends. */
static int rp_take_begin(struct rp_play *p, const struct rp_line *l,
			 const char **why)
{
	while (p->nflows) {
		struct flow_wire w = p->flows[p->nflows - 1].w;

		if (rp_flow_leave(p, p->nflows - 1, &w) < 0) {
			*why = "out of memory";
			return -1;
		}
	}
	if (l->time_ns > p->end_time)
		p->end_time = l->time_ns;
	return 0;
}

/* Whether l starts the next frame: a pass line of another time, or an
 * end or a begin after this frame's pass. */
static int rp_next_frame(const struct rp_play *p, const struct rp_line *l)
{
	if (!p->pass)
		return 0;
	if (l->event == RP_EV_END || l->event == RP_EV_BEGIN)
		return 1;
	return l->time_ns != p->pass_time;
}

static int rp_take(struct rp_play *p, const struct rp_line *l,
		   const char **why)
{
	switch (l->event) {
	case RP_EV_END:
		return rp_take_end(p, l, why);
	case RP_EV_BEGIN:
		return rp_take_begin(p, l, why);
	case RP_EV_START:
	case RP_EV_UPDATE:
		if (rp_take_flow(p, l, why) < 0)
			return -1;
		break;
	case RP_EV_TICK:
		break;
	}
	p->pass = 1;
	p->pass_time = l->time_ns;
	return 0;
}

static int rp_apply(struct rp_play *p, const struct rp_line *l,
		    const char **why)
{
	if (rp_next_frame(p, l))
		return 1;
	if (l->event != RP_EV_BEGIN && l->event != RP_EV_TICK) {
		rp_place_take(p, l->w.family, l->w.src, &l->src);
		rp_place_take(p, l->w.family, l->w.dst, &l->dst);
		rp_service_take(p, l);
	}
	if (rp_take(p, l, why) < 0)
		return -1;
	p->pending = 1;
	return 0;
}

/* l is the end of the start held, written with it. */
static int rp_pair(const struct rp_play *p, const struct rp_line *l)
{
	struct rp_ident a, b;

	if (l->event != RP_EV_END || l->time_ns != p->hold.time_ns)
		return 0;
	rp_ident_of(&p->hold.w, &a);
	rp_ident_of(&l->w, &b);
	return !memcmp(&a, &b, sizeof(a));
}

int rp_play_line(struct rp_play *p, const struct rp_line *l,
		 const char **why)
{
	if (p->held && rp_pair(p, l)) {
		/* The end tells all the start did, and more. */
		p->held = 0;
	} else if (p->held) {
		int rc = rp_apply(p, &p->hold, why);

		if (rc)
			return rc;      /* held on until l comes again */
		p->held = 0;
	}
	/* A start of the pass under way is one; any other waits a line. */
	if (l->event == RP_EV_START &&
	    !(p->pass && l->time_ns == p->pass_time)) {
		p->hold = *l;
		p->held = 1;
		return 0;
	}
	return rp_apply(p, l, why);
}

int rp_play_end(struct rp_play *p, const char **why)
{
	if (p->held) {
		int rc = rp_apply(p, &p->hold, why);

		if (rc)
			return rc;
		p->held = 0;
	}
	return p->pending;
}

int rp_play_pending(const struct rp_play *p)
{
	return p->pending || p->held;
}

uint64_t rp_play_take(struct rp_play *p)
{
	struct rp_gone *g = p->taken;
	size_t cap = p->taken_cap;
	uint64_t t = p->pass ? p->pass_time : p->end_time;

	p->taken = p->gone;
	p->taken_cap = p->gone_cap;
	p->ntaken = p->ngone;
	p->gone = g;
	p->gone_cap = cap;
	p->ngone = 0;
	p->pass = p->pending = 0;
	p->end_time = 0;
	return t;
}

int rp_play_owners(struct rp_play *p, const struct rp_sink *s)
{
	for (size_t i = 0; i < p->nowners; i++) {
		struct rp_owner_ent *e = &p->owners[i];

		if (!e->told && s->owner(s->ctx, &e->m) < 0)
			return -1;
		e->told = 1;
	}
	for (size_t i = 0; i < p->nowners; i++) {
		struct rp_owner_ent *e = &p->owners[i];
		struct msg_owner_gone g = { .pid = e->m.pid,
					    .start = e->m.start };

		if (e->exited && !e->gone_told &&
		    s->owner_gone(s->ctx, &g) < 0)
			return -1;
		e->gone_told |= e->exited;
	}
	return 0;
}

/* Both a family and a protocol of the flow's selected. */
static int rp_selected(const struct flow_wire *w, uint32_t sel)
{
	uint32_t bits = flow_sel_bits(w) & sel;

	return (bits & (SEL_IPV4 | SEL_IPV6)) &&
	       (bits & ~(uint32_t)(SEL_IPV4 | SEL_IPV6));
}

int rp_play_gone(struct rp_play *p, uint32_t sel, const struct rp_sink *s)
{
	for (size_t i = 0; i < p->ntaken; i++) {
		struct flow_wire w = p->taken[i].w;

		if (!rp_selected(&w, sel))
			continue;
		if (!p->taken[i].sent) {
			w.event = FLOW_EV_NEW;
			if (s->flow(s->ctx, &w) < 0)
				return -1;
			w.event = FLOW_EV_DESTROY;
		}
		if (s->flow(s->ctx, &w) < 0)
			return -1;
	}
	return 0;
}

int rp_play_open(struct rp_play *p, uint32_t sel, const struct rp_sink *s)
{
	for (size_t i = 0; i < p->nflows; i++) {
		struct rp_flow *f = &p->flows[i];

		if (!rp_selected(&f->w, sel))
			continue;
		f->w.event = FLOW_EV_DUMP;
		if (s->flow(s->ctx, &f->w) < 0)
			return -1;
		f->sent = 1;
	}
	return 0;
}

size_t rp_play_count(const struct rp_play *p)
{
	return p->nflows;
}
