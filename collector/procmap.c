/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap: the socket -> process cache, the matching rules and the /proc
 * walk. Where the sockets come from is procmap_src.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/siphash.h"
#include "collector/procmap_int.h"

#define PM_RATE 4.0             /* on-demand refreshes per second ... */
#define PM_BURST 4.0            /* ... and at most this many in a row */
/* A walk for new flows probes the pids handed out since the walk before
 * one by one, up to this many (more: it lists /proc instead), between
 * those the walk before left unread and the young ones (looked at,
 * alive, no known socket yet). */
#define PM_PROBE_MAX 4096
#define PM_PID_WRAP 300         /* the kernel's RESERVED_PIDS: after a wrap */
/* Exact asks (procmap_ask) per second, and in a burst: far more than the
 * issue's 1,000 new flows a second, yet a flood of new flows can't keep
 * the collector asking and walking /proc all the time. */
#define PM_ASK_RATE 5000.0
#define PM_ASK_BURST 1000.0
#define PM_HIDDEN_KEEP 2        /* periodic refreshes a hidden flow may go unseen */
#define PM_DIRBUF 16384         /* getdents64 buffer */
#define PM_STAT_MAX 1024        /* /proc/PID/stat is a few hundred bytes */
#define PM_STATUS_MAX 4096      /* /proc/PID/status: Uid and Gid come early */
#define PM_GOLDEN 0x9e3779b97f4a7c15ull

/* ------------------------------------------------------------ small helpers */

static const uint8_t pm_zero16[16];

static int pm_is_mapped(const uint8_t a[16])
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, pre, sizeof(pre)) == 0;
}

void pm_addr16(uint8_t out[16], int family, const uint8_t *in)
{
	if (family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, in, 4);
	} else {
		memcpy(out, in, 16);
	}
}

/* 0.0.0.0 (mapped) and :: both mean "any address". */
static int pm_is_any(const uint8_t a[16])
{
	return memcmp(a, pm_zero16, 16) == 0 ||
	       (pm_is_mapped(a) && memcmp(a + 12, pm_zero16, 4) == 0);
}

/* ------------------------------------------------------------ hashing */

/* What a socket is looked up by. */
struct pm_key {
	uint8_t l[16], r[16];
	uint16_t lp, rp;
	uint8_t proto;
	uint16_t ns;            /* whose socket table (pm_sock.ns) */
};

/* Tuples are partly chosen by remote hosts: SipHash under the process key
 * (common/siphash.h) keeps them from steering every socket into one
 * chain. The fields are packed first: the struct's padding is no key. */
static uint32_t pm_key_bucket(const struct procmap *m, const struct pm_key *k)
{
	uint8_t b[sizeof(k->l) + sizeof(k->r) + 7];

	memcpy(b, k->l, 16);
	memcpy(b + 16, k->r, 16);
	b[32] = (uint8_t)(k->lp >> 8);
	b[33] = (uint8_t)k->lp;
	b[34] = (uint8_t)(k->rp >> 8);
	b[35] = (uint8_t)k->rp;
	b[36] = k->proto;
	b[37] = (uint8_t)(k->ns >> 8);
	b[38] = (uint8_t)k->ns;
	return (uint32_t)(siphash13(&m->seed, b, sizeof(b)) >> 32) &
	       (m->nbuckets - 1);
}

static uint32_t pm_ino_bucket(const struct procmap *m, uint32_t ino)
{
	return (uint32_t)(((uint64_t)ino * PM_GOLDEN) >> 32) & (m->nbuckets - 1);
}

/* ------------------------------------------------------------ pm_map */

static uint32_t pm_map_home(const struct pm_map *t, uint32_t k)
{
	return (uint32_t)(((uint64_t)k * PM_GOLDEN) >> 32) & (t->cap - 1);
}

static int pm_map_find(const struct pm_map *t, uint32_t k, uint32_t *at)
{
	uint32_t i;

	if (!t->cap)
		return 0;
	for (i = pm_map_home(t, k); t->keys[i]; i = (i + 1) & (t->cap - 1)) {
		if (t->keys[i] == k) {
			*at = i;
			return 1;
		}
	}
	return 0;
}

static int pm_map_get(const struct pm_map *t, uint32_t k, uint32_t *v)
{
	uint32_t i;

	if (!pm_map_find(t, k, &i))
		return 0;
	*v = t->vals[i];
	return 1;
}

static void pm_map_set(struct pm_map *t, uint32_t k, uint32_t v)
{
	uint32_t i = pm_map_home(t, k);

	while (t->keys[i] && t->keys[i] != k)
		i = (i + 1) & (t->cap - 1);
	if (!t->keys[i]) {
		t->keys[i] = k;
		t->n++;
	}
	t->vals[i] = v;
}

static int pm_map_grow(struct pm_map *t)
{
	struct pm_map n = { .cap = t->cap ? t->cap * 2 : 16 };
	uint32_t i;

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -1;
	}
	for (i = 0; i < t->cap; i++)
		if (t->keys[i])
			pm_map_set(&n, t->keys[i], t->vals[i]);
	free(t->keys);
	free(t->vals);
	*t = n;
	return 0;
}

/* Keys are nonzero. At most half full, so probe runs stay short. */
static int pm_map_put(struct pm_map *t, uint32_t k, uint32_t v)
{
	if ((t->n + 1) * 2 > t->cap && pm_map_grow(t) < 0)
		return -1;
	pm_map_set(t, k, v);
	return 0;
}

/* Is h cyclically in (i, j]? */
static int pm_cyc_in(uint32_t i, uint32_t h, uint32_t j)
{
	return i <= j ? (h > i && h <= j) : (h > i || h <= j);
}

/* Backward-shift deletion: no tombstones, every probe run stays whole. */
static void pm_map_del_at(struct pm_map *t, uint32_t i)
{
	uint32_t mask = t->cap - 1, j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!t->keys[j])
			break;
		if (pm_cyc_in(i, pm_map_home(t, t->keys[j]), j))
			continue;
		t->keys[i] = t->keys[j];
		t->vals[i] = t->vals[j];
		i = j;
	}
	t->keys[i] = 0;
	t->n--;
}

static void pm_map_del(struct pm_map *t, uint32_t k)
{
	uint32_t i;

	if (pm_map_find(t, k, &i))
		pm_map_del_at(t, i);
}

static void pm_map_free(struct pm_map *t)
{
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ owners */

static struct pm_owner *pm_owner_at(struct procmap *m, uint32_t ref)
{
	return &m->owners[ref - 1];
}

/* A free owner slot (refs 0); its number + 1, or 0 when out of memory. */
static uint32_t pm_owner_alloc(struct procmap *m)
{
	uint32_t ref = m->owners_free;

	if (ref) {
		m->owners_free = pm_owner_at(m, ref)->pid;
		return ref;
	}
	if (m->nowners == m->owners_cap) {
		uint32_t cap = m->owners_cap ? m->owners_cap * 2 : 16;
		struct pm_owner *o = realloc(m->owners, cap * sizeof(*o));

		if (!o)
			return 0;
		m->owners = o;
		m->owners_cap = cap;
	}
	return ++m->nowners;
}

/* Free slots keep the next free slot in pid. */
static void pm_owner_free(struct procmap *m, uint32_t ref)
{
	struct pm_owner *o = pm_owner_at(m, ref);
	uint32_t cur;

	if (pm_map_get(&m->pids, o->pid, &cur) && cur == ref)
		pm_map_del(&m->pids, o->pid);
	if (o->shown_start)
		pm_news_forget(m, o->pid, o->shown_start,
			       o->start == PM_DEAD_START);
	o->shown_start = 0;
	free(o->fds);
	o->fds = NULL;
	o->nfds = 0;
	o->pid = m->owners_free;
	o->start = 0;
	o->refs = 0;
	m->owners_free = ref;
}

static void pm_owner_unref(struct procmap *m, uint32_t ref)
{
	if (--pm_owner_at(m, ref)->refs == 0)
		pm_owner_free(m, ref);
}

/* Every socket of an owner marked dead goes back to "owner not looked
 * for", so the next walk finds whoever holds it now. */
static void pm_drop_dead(struct procmap *m)
{
	uint32_t ref;

	for (ref = 1; ref <= m->slots; ref++) {
		struct pm_sock *p = &m->socks[ref - 1];

		if ((p->flags & PM_F_FREE) || !p->owner ||
		    pm_owner_at(m, p->owner)->start != PM_DEAD_START)
			continue;
		pm_owner_unref(m, p->owner);
		p->owner = 0;
		p->flags |= PM_F_PENDING;
		m->pending++;
	}
}

/* The owner record of process (pid, start): the cached one if it is the
 * same process, else a new one (refs 0: the caller takes a reference
 * right away). 0 when out of memory. */
static uint32_t pm_owner_get(struct procmap *m, uint32_t pid, uint64_t start,
			     const char comm[FLOW_COMM_LEN], int visible)
{
	struct pm_owner *o;
	uint32_t ref;

	if (pm_map_get(&m->pids, pid, &ref)) {
		o = pm_owner_at(m, ref);
		if (o->start == start) {
			memcpy(o->comm, comm, FLOW_COMM_LEN);
			o->visible = (uint8_t)visible;
			return ref;
		}
		/* The PID was reused: the old process is gone. */
		o->start = PM_DEAD_START;
		if (o->refs)
			pm_drop_dead(m);        /* frees it with its last socket */
		else
			pm_owner_free(m, ref);
	}
	ref = pm_owner_alloc(m);
	if (!ref)
		return 0;
	o = pm_owner_at(m, ref);
	o->pid = pid;
	o->fds = NULL;
	o->nfds = 0;
	if (pm_map_put(&m->pids, pid, ref) < 0) {
		o->pid = m->owners_free;
		m->owners_free = ref;
		return 0;
	}
	o->start = start;
	o->shown_start = 0;
	o->refs = 0;
	o->visible = (uint8_t)visible;
	memcpy(o->comm, comm, FLOW_COMM_LEN);
	return ref;
}

/* ------------------------------------------------------------ socket table */

static struct pm_sock *pm_slot(struct procmap *m, uint32_t ref)
{
	return &m->socks[ref - 1];
}

static int pm_proto_index(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return 0;
	case IPPROTO_UDP: return 1;
	case IPPROTO_UDPLITE: return 2;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: return 3;
	default: return 4;      /* none flowtop attributes */
	}
}

static void pm_key_of(const struct pm_sock *p, struct pm_key *k)
{
	memcpy(k->l, p->l, 16);
	memcpy(k->r, p->r, 16);
	k->lp = p->lp;
	k->rp = p->rp;
	k->proto = p->proto;
	k->ns = p->ns;
}

static void pm_link(struct procmap *m, uint32_t ref)
{
	struct pm_sock *p = pm_slot(m, ref);
	struct pm_key k;
	uint32_t b;

	pm_key_of(p, &k);
	b = pm_key_bucket(m, &k);
	p->knext = m->kbucket[b];
	m->kbucket[b] = ref;
	b = pm_ino_bucket(m, p->ino);
	p->inext = m->ibucket[b];
	m->ibucket[b] = ref;
}

static int pm_buckets_resize(struct procmap *m, uint32_t n)
{
	uint32_t *kb = calloc(n, sizeof(*kb)), *ib = calloc(n, sizeof(*ib));
	uint32_t ref;

	if (!kb || !ib) {
		free(kb);
		free(ib);
		return -1;
	}
	free(m->kbucket);
	free(m->ibucket);
	m->kbucket = kb;
	m->ibucket = ib;
	m->nbuckets = n;
	for (ref = 1; ref <= m->slots; ref++)
		if (!(pm_slot(m, ref)->flags & PM_F_FREE))
			pm_link(m, ref);
	return 0;
}

static uint32_t pm_slot_alloc(struct procmap *m)
{
	uint32_t ref = m->free_head;

	if (ref) {
		m->free_head = pm_slot(m, ref)->knext;
		return ref;
	}
	if (m->slots == m->slots_cap) {
		/* 1.5x: less slack than doubling at 56 bytes a slot. */
		uint32_t cap = m->slots_cap ? m->slots_cap + m->slots_cap / 2 : 64;
		struct pm_sock *s = realloc(m->socks, cap * sizeof(*s));

		if (!s)
			return 0;
		m->socks = s;
		m->slots_cap = cap;
	}
	return ++m->slots;
}

static void pm_unlink(struct procmap *m, uint32_t *pp, uint32_t ref, int ino)
{
	while (*pp && *pp != ref)
		pp = ino ? &pm_slot(m, *pp)->inext : &pm_slot(m, *pp)->knext;
	if (*pp)
		*pp = ino ? pm_slot(m, ref)->inext : pm_slot(m, ref)->knext;
}

static void pm_delete(struct procmap *m, uint32_t ref)
{
	struct pm_sock *p = pm_slot(m, ref);
	struct pm_key k;

	pm_key_of(p, &k);
	pm_unlink(m, &m->kbucket[pm_key_bucket(m, &k)], ref, 0);
	pm_unlink(m, &m->ibucket[pm_ino_bucket(m, p->ino)], ref, 1);
	p = pm_slot(m, ref);
	if (p->owner)
		pm_owner_unref(m, p->owner);
	if (p->flags & PM_F_PENDING)
		m->pending--;
	m->per_proto[pm_proto_index(p->proto)]--;
	m->live--;
	p->flags = PM_F_FREE;
	p->owner = 0;
	p->knext = m->free_head;
	m->free_head = ref;
}

static int pm_key_eq(const struct pm_sock *p, const struct pm_key *k)
{
	return p->lp == k->lp && p->rp == k->rp && p->proto == k->proto &&
	       p->ns == k->ns && memcmp(p->l, k->l, 16) == 0 && memcmp(p->r, k->r, 16) == 0;
}

/* The slot holding socket ino under key k, 0 if none. */
static uint32_t pm_find(struct procmap *m, const struct pm_key *k, uint32_t ino)
{
	uint32_t ref;

	for (ref = m->kbucket[pm_key_bucket(m, k)]; ref;
	     ref = pm_slot(m, ref)->knext) {
		const struct pm_sock *p = pm_slot(m, ref);

		if (p->ino == ino && pm_key_eq(p, k))
			return ref;
	}
	return 0;
}

/* Owner of an entry already cached for socket ino (the same socket under
 * an older key: a UDP socket that connected since), 0 if none. */
static uint32_t pm_owner_of_ino(struct procmap *m, uint32_t ino)
{
	uint32_t ref;

	for (ref = m->ibucket[pm_ino_bucket(m, ino)]; ref;
	     ref = pm_slot(m, ref)->inext)
		if (pm_slot(m, ref)->ino == ino && pm_slot(m, ref)->owner)
			return pm_slot(m, ref)->owner;
	return 0;
}

/* Normalise what the kernel listed: addresses IPv4-mapped, wildcard parts
 * zero and flagged. */
static void pm_sock_key(const struct procmap_sock *s, uint16_t ns,
			struct pm_key *k, uint8_t *flags)
{
	k->ns = ns;
	pm_addr16(k->l, s->family, s->local);
	pm_addr16(k->r, s->family, s->remote);
	k->lp = s->lport;
	k->rp = s->rport;
	k->proto = s->l4proto;
	*flags = 0;
	if (pm_is_any(k->l)) {
		/* An IPv6 socket bound to ::ffff:0.0.0.0 takes IPv4 only. */
		if (s->family == AF_INET || pm_is_mapped(k->l))
			*flags = PM_F_ANY4;
		else
			*flags = s->v6only ? PM_F_ANY6 : PM_F_ANY4 | PM_F_ANY6;
		*flags |= PM_F_LANY;
		memset(k->l, 0, 16);
	}
	if (pm_is_any(k->r) && k->rp == 0) {
		*flags |= PM_F_RANY;
		memset(k->r, 0, 16);
	}
}

static int pm_insert(struct procmap *m, const struct pm_key *k, uint8_t flags,
		     uint32_t ino, uint32_t uid, enum pm_table tbl)
{
	uint32_t ref, owner = pm_owner_of_ino(m, ino);
	struct pm_sock *p;

	if (m->live + 1 > m->nbuckets &&
	    pm_buckets_resize(m, m->nbuckets * 2) < 0)
		return -1;
	ref = pm_slot_alloc(m);
	if (!ref)
		return -1;
	p = pm_slot(m, ref);
	memset(p, 0, sizeof(*p));
	memcpy(p->l, k->l, 16);
	memcpy(p->r, k->r, 16);
	p->lp = k->lp;
	p->rp = k->rp;
	p->proto = k->proto;
	p->ns = k->ns;
	p->ino = ino;
	p->uid = uid;
	p->tbl = (uint8_t)tbl;
	p->gen = m->gen;
	p->flags = flags;
	if (owner) {
		p->owner = owner;
		pm_owner_at(m, owner)->refs++;
	} else {
		p->flags |= PM_F_PENDING;
		m->pending++;
	}
	pm_link(m, ref);
	m->live++;
	m->per_proto[pm_proto_index(k->proto)]++;
	return 0;
}

int pm_round_add(struct procmap *m, const struct procmap_sock *s,
		 enum pm_table tbl)
{
	return pm_round_add_ns(m, s, tbl, 0);
}

int pm_round_add_ns(struct procmap *m, const struct procmap_sock *s,
		    enum pm_table tbl, uint16_t ns)
{
	struct pm_key k;
	uint8_t flags;
	uint32_t ref;

	/* No inode: TIME_WAIT, or not accepted yet. No process holds it. */
	if (!s->inode || pm_proto_index(s->l4proto) == 4)
		return 0;
	pm_sock_key(s, ns, &k, &flags);
	ref = pm_find(m, &k, s->inode);
	if (ref) {
		pm_slot(m, ref)->gen = m->gen;
		return 0;
	}
	return pm_insert(m, &k, flags, s->inode, s->uid, tbl);
}

void pm_sweep_ns(struct procmap *m, unsigned done, uint16_t ns)
{
	uint32_t ref;

	for (ref = 1; done && ref <= m->slots; ref++) {
		const struct pm_sock *p = pm_slot(m, ref);

		if (!(p->flags & PM_F_FREE) && p->ns == ns &&
		    (done & 1u << p->tbl) && p->gen != m->gen)
			pm_delete(m, ref);
	}
}

static int pm_addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

int pm_set_local(struct procmap *m, const uint8_t (*a)[16], size_t n)
{
	size_t i, k = 0;

	if (n > m->local_cap) {
		uint8_t (*v)[16] = realloc(m->local, n * sizeof(*v));

		if (!v)
			return -1;
		m->local = v;
		m->local_cap = n;
	}
	if (n) {
		memcpy(m->local, a, n * sizeof(*a));
		qsort(m->local, n, sizeof(*m->local), pm_addr_cmp);
	}
	for (i = 0; i < n; i++)
		if (!k || memcmp(m->local[k - 1], m->local[i], 16))
			memcpy(m->local[k++], m->local[i], 16);
	m->nlocal = k;
	return 0;
}

/* One of this host's addresses? The whole of 127/8 is, as is ::1. */
static int pm_is_local(const struct procmap *m, const uint8_t a[16])
{
	static const uint8_t lo6[16] = { [15] = 1 };

	if (memcmp(a, lo6, 16) == 0 || (pm_is_mapped(a) && a[12] == 127))
		return 1;
	return m->nlocal &&
	       bsearch(a, m->local, m->nlocal, sizeof(*m->local),
		       pm_addr_cmp) != NULL;
}

/* This host's, or another namespace's here. */
static int pm_held(const struct procmap *m, const uint8_t a[16])
{
	return pm_is_local(m, a) || pm_ns_of(m, a, NULL, 0) > 0;
}

/* ------------------------------------------------------------ parsers */

uint32_t procmap_parse_socket_link(const char *link, size_t len)
{
	static const char pre[] = "socket:[";
	uint64_t v = 0;
	size_t i;

	if (len < sizeof(pre) + 1 || memcmp(link, pre, sizeof(pre) - 1) ||
	    link[len - 1] != ']')
		return 0;
	for (i = sizeof(pre) - 1; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(link[i] - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

/* Skip one space-separated field of [p, end); NULL at the end. */
static const char *pm_next_field(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return NULL;
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* The comm is between the first '(' and the last ')': it may hold both,
 * and spaces. Field 3 (the state) is the first after it. */
int procmap_parse_stat(const char *buf, size_t len, char comm[16],
		       uint64_t *start)
{
	const char *open = memchr(buf, '(', len), *end = buf + len, *p;
	const char *close = memrchr(buf, ')', len);
	uint64_t v = 0;
	size_t n;
	int field;

	if (!open || !close || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	n = n > 15 ? 15 : n;
	memcpy(comm, open + 1, n);
	comm[n] = 0;
	p = close + 1;
	for (field = 3; field < 22 && p; field++)
		p = pm_next_field(p, end);
	if (!p)
		return -1;
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	*start = v;
	return 0;
}

/* ------------------------------------------------------------ the /proc walk */

/* Room for any entry in a getdents64 buffer: a name of NAME_MAX bytes. */
#define PM_DIRENT_MAX ((long)(offsetof(struct dirent64, d_name) + 256 + 7))

/* Next entry name of a directory read with getdents64 (no opendir: it
 * would want fstat and a heap buffer per call); NULL at the end. /proc
 * fills the buffer while entries fit, so a read that left room for one
 * more was the last: that saves a getdents64 per process walked. */
const char *pm_dir_next(struct pm_dir *d)
{
	for (;;) {
		const struct dirent64 *e;

		if (d->pos >= d->len) {
			if (d->end)
				return NULL;
			d->len = (long)getdents64(d->fd, d->buf, PM_DIRBUF);
			d->pos = 0;
			if (d->len <= 0)
				return NULL;
			d->end = d->len <= PM_DIRBUF - PM_DIRENT_MAX;
		}
		e = (const struct dirent64 *)(d->buf + d->pos);
		d->pos += e->d_reclen;
		if (e->d_name[0] != '.')
			return e->d_name;
	}
}

/* A decimal PID, 0 for any other name. */
uint32_t pm_pid_of(const char *name)
{
	uint64_t v = 0;

	for (; *name; name++) {
		if (*name < '0' || *name > '9')
			return 0;
		v = v * 10 + (uint64_t)(*name - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

ssize_t pm_read_file(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	/* A file of /proc gives all it holds in one read when it fits: a
	 * short read is its end, and saves the read that would return 0. */
	while (got < cap && (n = read(fd, buf + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got < cap)
			break;
	}
	close(fd);
	return n < 0 ? -1 : (ssize_t)got;
}

/* ------------------------------------------------------------ who sees what */

/* "Uid:" or "Gid:" at the start of a line of /proc/PID/status: its four
 * numbers. */
static int pm_status_ids(const char *buf, size_t len, const char *key,
			 uint32_t out[4])
{
	size_t klen = strlen(key), i = 0;
	const char *p = buf, *end = buf + len;

	/* p is at the start of a line. */
	while ((size_t)(end - p) > klen && memcmp(p, key, klen)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return -1;
		p = nl + 1;
	}
	if ((size_t)(end - p) <= klen)
		return -1;
	for (p += klen; i < 4; i++) {
		uint64_t v = 0;
		const char *d;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (d = p; p < end && *p >= '0' && *p <= '9'; p++) {
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > UINT32_MAX)
				return -1;
		}
		if (p == d)
			return -1;
		out[i] = (uint32_t)v;
	}
	return p == end || *p == '\n' ? 0 : -1;
}

int procmap_parse_status(const char *buf, size_t len, struct procmap_cred *c)
{
	if (pm_status_ids(buf, len, "Uid:", c->uid) < 0 ||
	    pm_status_ids(buf, len, "Gid:", c->gid) < 0)
		return -1;
	return 0;
}

/* The rule, and why this one. flowtop must not show a caller more of
 * another user's process than /proc would, and it must be checked with
 * the caller's credentials, not the collector's. Those are gone once it
 * runs: it can't open /proc as the caller (setfsuid needs CAP_SETUID,
 * dropped after start-up; a second /proc mount would need a mount
 * namespace the caller's hidepid choice does not follow). So it compares
 * ids, as the kernel does: /proc/PID under hidepid=invisible (and
 * noaccess) is shown to a caller that ptrace_may_access() in
 * PTRACE_MODE_READ_FSCREDS, which without CAP_SYS_PTRACE asks that the
 * caller's fsuid be the target's real, effective and saved uid, the
 * caller's fsgid its real, effective and saved gid, and the target be
 * dumpable. The fs ids of the target are held to the same too (they
 * follow the effective ones unless setfsuid moved them). Not modelled, so
 * left hidden: hidepid's gid= exemption, LSM rules (which can only
 * refuse), capabilities in user namespaces. Root (uid 0: sudo, or root
 * itself) sees all, as it could read all of /proc. */
int procmap_may_see(uint32_t uid, uint32_t gid, const struct procmap_cred *c)
{
	int i;

	if (uid == 0)
		return 1;
	for (i = 0; i < 4; i++)
		if (c->uid[i] != uid || c->gid[i] != gid)
			return 0;
	/* Not dumpable (prctl, or a change of credentials such as a daemon
	 * dropping from root to this user): the kernel makes /proc/PID
	 * root's and refuses ptrace. */
	return c->dir_uid == uid && c->dir_gid == gid;
}

/* The ids of the process whose /proc/PID is open as dfd into c: its
 * status, and the directory's owner. 0, or -1 when gone. */
int pm_proc_cred(int dfd, struct procmap_cred *c)
{
	char buf[PM_STATUS_MAX];
	struct stat st;
	ssize_t n;

	if (fstat(dfd, &st) < 0)
		return -1;
	c->dir_uid = (uint32_t)st.st_uid;
	c->dir_gid = (uint32_t)st.st_gid;
	n = pm_read_file(dfd, "status", buf, sizeof(buf));
	if (n <= 0 || procmap_parse_status(buf, (size_t)n, c) < 0)
		return -1;
	return 0;
}

/* Whether the viewer may see the process whose /proc/PID is open as dfd. */
static int pm_dir_visible(const struct procmap *m, int dfd)
{
	struct procmap_cred c;

	if (m->viewer_uid == 0)
		return 1;
	return pm_proc_cred(dfd, &c) == 0 &&
	       procmap_may_see(m->viewer_uid, m->viewer_gid, &c);
}

int pm_proc_dir(const struct procmap *m, uint32_t pid)
{
	char path[16];

	snprintf(path, sizeof(path), "%u", pid);
	return openat(m->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int pm_proc_read(const struct procmap *m, int dfd, struct pm_proc *p)
{
	char buf[PM_STAT_MAX];
	ssize_t n = pm_read_file(dfd, "stat", buf, sizeof(buf));

	if (n <= 0 || procmap_parse_stat(buf, (size_t)n, p->comm,
					 &p->start) < 0)
		return -1;
	p->has_cred = 0;
	p->visible = 1;
	if (m->viewer_uid == 0)
		return 0;       /* the ids only when asked for (pm_news_owner) */
	p->has_cred = pm_proc_cred(dfd, &p->cred) == 0;
	p->visible = p->has_cred &&
		     procmap_may_see(m->viewer_uid, m->viewer_gid, &p->cred);
	return 0;
}

int pm_read_stat(struct procmap *m, uint32_t pid, char comm[16],
		 uint64_t *start, int *visible)
{
	struct pm_proc p;
	int dfd = pm_proc_dir(m, pid), rc;

	if (dfd < 0)
		return -1;
	rc = pm_proc_read(m, dfd, &p);
	close(dfd);
	if (rc == 0) {
		memcpy(comm, p.comm, FLOW_COMM_LEN);
		*start = p.start;
		*visible = p.visible;
	}
	return rc;
}

/* The process being walked; its owner record is made on its first socket. */
struct pm_walker {
	uint32_t pid;
	uint32_t ref;
	int gone;
};

/* The walked process's owner record, and what the ui is to be told of
 * it, read through one /proc/PID descriptor. */
static int pm_walker_owner(struct procmap *m, struct pm_walker *w)
{
	struct pm_proc p;
	int dfd = pm_proc_dir(m, w->pid);

	if (dfd < 0 || pm_proc_read(m, dfd, &p) < 0) {
		if (dfd >= 0)
			close(dfd);
		w->gone = 1;
		return -1;
	}
	w->ref = pm_owner_get(m, w->pid, p.start, p.comm, p.visible);
	if (w->ref && pm_news_later(m, w->ref, dfd, &p))
		return 0;
	if (w->ref)
		pm_news_owner(m, w->ref, dfd, &p);
	close(dfd);
	return w->ref ? 0 : -1;
}

/* Socket ino is held by the walked process: it owns every entry of ino
 * that has no owner yet. */
static int pm_claim(struct procmap *m, struct pm_walker *w, uint32_t ino)
{
	uint32_t ref;
	int found = 0;

	for (ref = m->ibucket[pm_ino_bucket(m, ino)]; ref;
	     ref = pm_slot(m, ref)->inext) {
		struct pm_sock *p = pm_slot(m, ref);

		if (p->ino != ino || p->owner)
			continue;
		if (!w->ref && pm_walker_owner(m, w) < 0)
			return found;
		p = pm_slot(m, ref);
		p->owner = w->ref;
		pm_owner_at(m, w->ref)->refs++;
		if (p->flags & PM_F_PENDING) {
			p->flags &= (uint8_t)~PM_F_PENDING;
			m->pending--;
			found = 1;
		}
	}
	return found;
}

/* Descriptor fd just held a pending socket: the next walk for new flows
 * tries that number first (pm_walk_hot). */
static void pm_hot_note(struct procmap *m, uint32_t fd)
{
	size_t i = 0;

	while (i < m->nhot && m->hot[i] != fd)
		i++;
	if (i == PM_HOT_FDS)
		i--;
	else if (i == m->nhot)
		m->nhot++;
	memmove(m->hot + 1, m->hot, i * sizeof(*m->hot));
	m->hot[0] = fd;
}

/* A descriptor number: its name in /proc/PID/fd. */
static int pm_fd_of(const char *name, uint32_t *fd)
{
	*fd = pm_pid_of(name);
	return *fd || (name[0] == '0' && !name[1]);
}

/* Descriptor fd of owner ref held socket ino when last read. */
static void pm_fd_note(struct procmap *m, uint32_t ref, uint32_t fd,
		       uint32_t ino)
{
	struct pm_owner *o = pm_owner_at(m, ref);

	if (fd >= o->nfds) {
		uint32_t n = fd < 64 ? 64 : fd + fd / 2 + 1;
		uint32_t *v = realloc(o->fds, n * sizeof(*v));

		if (!v)
			return;         /* the link is just read again next time */
		memset(v + o->nfds, 0, (n - o->nfds) * sizeof(*v));
		o->fds = v;
		o->nfds = n;
	}
	o->fds[fd] = ino;
}

/* May a fast walk skip descriptor fd of owner ref? Yes while the socket
 * it held last time still lives and is still attributed to ref: closing
 * the descriptor would have closed the socket. (Unless another process
 * shares the socket: the thorough walk is there for that.) */
static int pm_fd_known(struct procmap *m, uint32_t ref, uint32_t fd)
{
	const struct pm_owner *o = pm_owner_at(m, ref);
	uint32_t ino, r;

	if (fd >= o->nfds || !(ino = o->fds[fd]))
		return 0;
	for (r = m->ibucket[pm_ino_bucket(m, ino)]; r; r = pm_slot(m, r)->inext)
		if (pm_slot(m, r)->ino == ino && pm_slot(m, r)->owner == ref)
			return 1;
	return 0;
}

/* Read every descriptor link of pid (in a fast walk, those not known to
 * hold a live socket of its own) and claim the sockets. -1 when pid is
 * gone (or a kernel thread), or has no descriptors left. */
static int pm_walk_pid(struct procmap *m, uint32_t pid, int fast)
{
	struct pm_walker w = { .pid = pid };
	struct pm_dir d = { .buf = m->dirbuf[1] };
	char path[24], link[64];
	const char *name;
	uint32_t known = 0, fd, nfds = 0;

	pm_map_get(&m->pids, pid, &known);
	snprintf(path, sizeof(path), "%u/fd", pid);
	d.fd = openat(m->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0)
		return -1;      /* gone, or a kernel thread */
	while (!w.gone && (name = pm_dir_next(&d))) {
		ssize_t n;
		uint32_t ino;

		nfds++;
		if (!pm_fd_of(name, &fd) ||
		    (fast && known && pm_fd_known(m, known, fd)))
			continue;
		n = readlinkat(d.fd, name, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link))
			continue;
		ino = procmap_parse_socket_link(link, (size_t)n);
		if (!ino)
			continue;
		if (pm_claim(m, &w, ino))
			pm_hot_note(m, fd);
		if (w.ref)
			pm_fd_note(m, w.ref, fd, ino);
	}
	close(d.fd);
	/* No descriptor at all: exiting, or a zombie its parent has not
	 * reaped yet; not worth another look. */
	return nfds || w.ref ? 0 : -1;
}

/* Processes that own sockets already open most of the new ones: walk
 * them before the rest, so a walk usually ends early. */
static void pm_walk_owners(struct procmap *m, int fast)
{
	uint32_t ref, n = m->nowners;   /* owners made on the way were walked */

	for (ref = 1; m->pending && ref <= n; ref++) {
		uint32_t pid = pm_owner_at(m, ref)->pid;

		if (pm_owner_at(m, ref)->refs && pid != m->hidden_pid)
			pm_walk_pid(m, pid, fast);
	}
}

/* A number in a file under /proc, 0 when it can't be read. */
static uint32_t pm_read_u32(struct procmap *m, const char *path)
{
	char buf[16];
	ssize_t n = pm_read_file(m->root_fd, path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = 0;
	return (uint32_t)strtoul(buf, NULL, 10);
}

/* The last pid the kernel handed out in this pid namespace, and the pid
 * numbers' bound; 0 when not known. */
static uint32_t pm_last_pid(struct procmap *m)
{
	return pm_read_u32(m, "sys/kernel/ns_last_pid");
}

static uint32_t pm_pid_max(struct procmap *m)
{
	return pm_read_u32(m, "sys/kernel/pid_max");
}

/* How long ago pid was handed out, in pids, with last the newest: pids
 * wrap at pid_max, and a pid above last is older than any below it. */
static uint32_t pm_pid_age(uint32_t pid, uint32_t last)
{
	return last - pid;      /* modulo 2^32 */
}

static int pm_pid_cmp_newest(const void *a, const void *b, void *lastp)
{
	uint32_t last = *(const uint32_t *)lastp;
	uint32_t x = pm_pid_age(*(const uint32_t *)a, last);
	uint32_t y = pm_pid_age(*(const uint32_t *)b, last);

	return x < y ? -1 : x > y;
}

/* Room for need pids in m->pidlist: 0, or -1 when out of memory. */
static int pm_pidlist_room(struct procmap *m, size_t need)
{
	uint32_t *v;

	if (need <= m->pidlist_cap)
		return 0;
	if (!(v = realloc(m->pidlist, need * sizeof(*v))))
		return -1;
	m->pidlist = v;
	m->pidlist_cap = need;
	return 0;
}

/* A full walk: the young ones handed out before the full walk before
 * (prev: its last pid) have gone a whole period without a socket and
 * leave the list; the others stay, as they may open one in a moment (a
 * walk for new flows looked at them before they did: a full walk in the
 * middle of a burst must not make them wait for the next). */
static void pm_young_prune(struct procmap *m, uint32_t prev, uint32_t last)
{
	size_t i, out = 0, carry = 0;

	for (i = 0; i < m->nyoung; i++) {
		if (prev && pm_pid_age(m->young[i], last) > pm_pid_age(prev, last))
			continue;
		carry += i < m->ncarry;
		m->young[out++] = m->young[i];
	}
	m->nyoung = out;
	m->ncarry = carry;
}

/* The pids of /proc that own no known socket, newest first (counting
 * from the last pid handed out, across a wrap at pid_max): a socket just
 * opened is most likely a process's just started. since, when not 0:
 * only the pids handed out after it. -1 when /proc can't be listed or
 * out of memory. */
static ssize_t pm_list_pids(struct procmap *m, uint32_t since)
{
	struct pm_dir d = { .buf = m->dirbuf[0] };
	const char *name;
	uint32_t dummy, last = pm_last_pid(m);
	size_t n = 0;

	d.fd = openat(m->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0)
		return -1;
	while ((name = pm_dir_next(&d))) {
		uint32_t pid = pm_pid_of(name);

		if (!pid || pid == m->hidden_pid ||
		    (since && last &&
		     pm_pid_age(pid, last) >= pm_pid_age(since, last)) ||
		    pm_map_get(&m->pids, pid, &dummy))
			continue;
		if (n == m->pidlist_cap &&
		    pm_pidlist_room(m, n ? 2 * n : 1024) < 0) {
			close(d.fd);
			return -1;
		}
		m->pidlist[n++] = pid;
	}
	close(d.fd);
	if (!since && last != m->pid_last) {   /* once, not per pass */
		pm_young_prune(m, m->pid_last, last);
		m->pid_last = last;
	}
	qsort_r(m->pidlist, n, sizeof(*m->pidlist), pm_pid_cmp_newest, &last);
	return (ssize_t)n;
}

/* The hidden process first (its flows must not leak), then the known
 * owners, then every other process, newest first, until no socket is
 * pending. */
static void pm_walk_all(struct procmap *m, int fast)
{
	ssize_t n;

	if (m->hidden_pid)
		pm_walk_pid(m, m->hidden_pid, fast);
	pm_walk_owners(m, fast);
	if (!m->pending || (n = pm_list_pids(m, 0)) < 0)
		return;
	for (ssize_t i = 0; i < n && m->pending; i++)
		pm_walk_pid(m, m->pidlist[i], fast);
}

/* Look for the owners of the pending sockets: a fast walk, then, if some
 * socket was not found, a thorough one. What no process holds stays
 * without owner until it goes. */
static void pm_walk(struct procmap *m)
{
	uint32_t ref;

	pm_walk_all(m, 1);
	if (m->pending)
		pm_walk_all(m, 0);
	pm_news_settle(m, SIZE_MAX);
	for (ref = 1; m->pending && ref <= m->slots; ref++) {
		struct pm_sock *p = pm_slot(m, ref);

		if (!(p->flags & PM_F_FREE) && (p->flags & PM_F_PENDING)) {
			p->flags &= (uint8_t)~PM_F_PENDING;
			m->pending--;
		}
	}
}

/* Once per period: is each owner still the process we found (same start
 * time), what is its comm now (prctl may have changed it), and may the
 * viewer see it now (setuid, exec of a setuid program)? */
static void pm_check_owners(struct procmap *m)
{
	char comm[FLOW_COMM_LEN];
	uint32_t ref, dead = 0;
	uint64_t start;
	int visible;

	for (ref = 1; ref <= m->nowners; ref++) {
		struct pm_owner *o = pm_owner_at(m, ref);

		if (!o->refs)
			continue;
		if (pm_read_stat(m, o->pid, comm, &start, &visible) < 0 ||
		    start != o->start) {
			o->start = PM_DEAD_START;
			dead++;
		} else {
			memcpy(o->comm, comm, FLOW_COMM_LEN);
			o->visible = (uint8_t)visible;
			pm_news_owner(m, ref, -1, NULL);
		}
	}
	if (dead)
		pm_drop_dead(m);
	pm_news_check(m);
}

/* Forget hidden flows not seen for PM_HIDDEN_KEEP periods. */
static void pm_hidden_sweep(struct procmap *m)
{
	struct pm_map *t = &m->hidden;
	uint32_t i = 0;

	m->hidden_gen++;
	while (i < t->cap) {
		if (t->keys[i] && m->hidden_gen - t->vals[i] > PM_HIDDEN_KEEP)
			pm_map_del_at(t, i);    /* slot i may refill: look again */
		else
			i++;
	}
}

/* The end of a round of this namespace's tables done; a periodic one
 * reads the other namespaces' tables too (each a round of its own). */
static void pm_finish(struct procmap *m, unsigned done, int periodic)
{
	pm_sweep_ns(m, done, 0);
	if (periodic) {
		pm_ns_refresh(m, PM_ALL_TABLES, 0);
		pm_check_owners(m);
		pm_hidden_sweep(m);
	}
	if (m->pending)
		pm_walk(m);
}

/* ------------------------------------------------------------ matching */

/* The flow as matching sees it. */
struct pm_flow {
	uint8_t s[16], d[16];       /* original direction */
	uint16_t sp, dp;
	uint8_t rs[16], rd[16];     /* reply direction: rs answers */
	uint16_t rsp, rdp;
	uint8_t proto;
	uint8_t any;            /* PM_F_ANY4 or PM_F_ANY6 */
	uint16_t zone;          /* conntrack zone */
	uint8_t dnat;           /* the destination was translated */
};

/* PM_AMBIGUOUS: sockets of two namespaces match and nothing tells which
 * is meant. */
enum pm_hit { PM_MISS, PM_NO_OWNER, PM_OWNED, PM_AMBIGUOUS };

/* Sockets under key k whose wildcard flags are exactly want (and, bound to
 * the wildcard address, serve the flow's family). One with an owner wins
 * (SO_REUSEPORT groups share a key); *sock is the slot that decided. */
static int pm_probe(struct procmap *m, const struct pm_key *k, uint8_t want,
		    uint8_t any, uint32_t *sock)
{
	int hit = PM_MISS;
	uint32_t ref;

	for (ref = m->kbucket[pm_key_bucket(m, k)]; ref;
	     ref = pm_slot(m, ref)->knext) {
		const struct pm_sock *p = pm_slot(m, ref);

		if (!pm_key_eq(p, k) ||
		    (p->flags & (PM_F_LANY | PM_F_RANY)) != want ||
		    ((want & PM_F_LANY) && !(p->flags & any)))
			continue;
		if (p->owner) {
			*sock = ref;
			return PM_OWNED;
		}
		if (hit == PM_MISS)
			*sock = ref;
		hit = PM_NO_OWNER;
	}
	return hit;
}

enum pm_probe_kind { PM_CONNECTED, PM_BOUND, PM_WILDCARD };

/* One probe from one side: out (this host sent the flow's first packet)
 * puts the original source on the socket's local side; otherwise this host
 * answers, and its socket is the reply's source (after any DNAT, which is
 * why the reply tuple is used and not the original one swapped). */
static int pm_try(struct procmap *m, const struct pm_flow *f, int out,
		  enum pm_probe_kind kind, uint16_t ns, uint32_t *sock)
{
	static const uint8_t want[] = {
		[PM_CONNECTED] = 0,
		[PM_BOUND] = PM_F_RANY,
		[PM_WILDCARD] = PM_F_LANY | PM_F_RANY,
	};
	struct pm_key k = { .proto = f->proto, .ns = ns };

	memcpy(k.l, out ? f->s : f->rs, 16);
	k.lp = out ? f->sp : f->rsp;
	if (kind == PM_CONNECTED) {
		memcpy(k.r, out ? f->d : f->rd, 16);
		k.rp = out ? f->dp : f->rdp;
	}
	if (kind == PM_WILDCARD) {
		/* Only for an address of this host (or of namespace ns):
		 * never a forwarded flow. */
		if (ns ? !pm_ns_holds(m, ns, k.l) : !pm_is_local(m, k.l))
			return PM_MISS;
		memset(k.l, 0, 16);
	}
	return pm_probe(m, &k, want[kind], f->any, sock);
}

#define PM_NS_CAND 8    /* namespaces one address is looked for in */

/* The namespaces holding either end of a flow are in use (their tables
 * are read at periodic refreshes). */
static void pm_ns_flow_used(struct procmap *m, const struct pm_flow *f)
{
	uint16_t cand[PM_NS_CAND];
	size_t n;

	for (int side = 0; side < 2; side++) {
		n = pm_ns_of(m, side ? f->rs : f->s, cand, PM_NS_CAND);
		for (size_t i = 0; i < n && i < PM_NS_CAND; i++)
			pm_ns_used(m, cand[i]);
	}
}

/* A flow DNAT sent into another namespace: the answering side first. */
static int pm_in_first(const struct procmap *m, const struct pm_flow *f,
		       int both_ways)
{
	return both_ways && f->dnat && m->nnsaddr &&
	       pm_ns_of(m, f->rs, NULL, 0) > 0;
}

/* Is the answering side looked for in the other namespaces (pm_match)? */
static int pm_answer_ns(const struct procmap *m, const struct pm_flow *f,
			int both_ways)
{
	return both_ways && m->nnsaddr &&
	       (pm_in_first(m, f, both_ways) || !pm_held(m, f->s));
}

/* The probe of pm_try in the other namespaces that hold the flow's
 * address on that side. A socket in one of them decides, unless another
 * of them is known to use the flow's conntrack zone; sockets in several
 * are told apart by the zone alone (PM_AMBIGUOUS when it can't). */
static int pm_try_ns(struct procmap *m, const struct pm_flow *f, int out,
		     enum pm_probe_kind kind, uint32_t *sock)
{
	uint16_t cand[PM_NS_CAND], ns[PM_NS_CAND];
	uint32_t at[PM_NS_CAND];
	int hit[PM_NS_CAND];
	size_t n = pm_ns_of(m, out ? f->s : f->rs, cand, PM_NS_CAND), nh = 0;
	size_t i, pick = PM_NS_CAND, zoned = 0;

	n = n < PM_NS_CAND ? n : PM_NS_CAND;
	for (i = 0; i < n; i++) {
		int h = pm_try(m, f, out, kind, cand[i], &at[nh]);

		if (h != PM_MISS) {
			hit[nh] = h;
			ns[nh++] = cand[i];
		}
		zoned += (size_t)pm_ns_zone(m, cand[i], f->zone);
	}
	if (!nh)
		return PM_MISS;
	if (nh == 1 && (!zoned || pm_ns_zone(m, ns[0], f->zone))) {
		pick = 0;
		if (n > 1 || !zoned)
			pm_ns_learn(m, ns[0], f->zone);
	} else {
		for (i = 0; i < nh; i++)
			if (pm_ns_zone(m, ns[i], f->zone))
				pick = pick == PM_NS_CAND ? i : PM_NS_CAND + 1;
	}
	if (pick >= nh)
		return PM_AMBIGUOUS;
	*sock = at[pick];
	return hit[pick];
}

/* Rules 1-4 of procmap.h, in order, in this namespace: its processes own
 * the flows that end here. Then the same in the others, for a flow the
 * host forwards: the first socket that matches decides, even when its
 * owner is not known. A flow to a port published by DNAT into another
 * namespace looks at the answering side first: that namespace's server
 * is what was published, whoever connects. Otherwise the answering side
 * is looked for in the other namespaces only when the flow came from
 * outside this machine: a flow that a process here opened stays that
 * process's (the ui keeps it after the process exits) rather than
 * passing to the server once the client's socket is gone. *sock: its
 * slot. */
static int pm_match(struct procmap *m, const struct pm_flow *f, int both_ways,
		    uint32_t *sock, int *out_side)
{
	static const enum pm_probe_kind kinds[] = {
		PM_CONNECTED, PM_BOUND, PM_WILDCARD,
	};
	unsigned n = f->proto == IPPROTO_TCP ? 1 : 3, i, d;
	int in_first, answer_ns, out, hit;

	for (i = 0; i < n; i++) {
		for (out = 1; out >= (both_ways ? 0 : 1); out--) {
			hit = pm_try(m, f, out, kinds[i], 0, sock);
			*out_side = out;
			if (hit != PM_MISS)
				return hit;
		}
	}
	if (!m->nnsaddr)
		return PM_MISS;
	in_first = pm_in_first(m, f, both_ways);
	answer_ns = pm_answer_ns(m, f, both_ways);
	for (i = 0; i < n; i++) {
		for (d = 0; d < (both_ways ? 2u : 1u); d++) {
			out = in_first ? (int)d : !d;
			if (!out && !answer_ns)
				continue;
			hit = pm_try_ns(m, f, out, kinds[i], sock);
			*out_side = out;
			if (hit != PM_MISS)
				return hit;
		}
	}
	return PM_MISS;
}

/* The flow's tuple for matching; 0 when flowtop does not attribute its
 * protocol. ICMP: only echo requests, by echo id, sent by this host. */
static int pm_flow_of(const struct flow_wire *w, struct pm_flow *f,
		      int *both_ways)
{
	int fam = w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;

	pm_addr16(f->s, fam, w->src);
	pm_addr16(f->d, fam, w->dst);
	f->proto = w->l4proto;
	f->any = fam == AF_INET ? PM_F_ANY4 : PM_F_ANY6;
	f->sp = w->sport;
	f->dp = w->dport;
	/* ct always fills the reply tuple (the original swapped when the
	 * kernel sent none). */
	pm_addr16(f->rs, fam, w->rsrc);
	pm_addr16(f->rd, fam, w->rdst);
	f->rsp = w->rsport;
	f->rdp = w->rdport;
	f->zone = w->zone;
	f->dnat = (flow_nat(w) & FLOW_NAT_DST) != 0;
	*both_ways = 1;
	switch (w->l4proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return 1;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (w->icmp_type != (w->l4proto == IPPROTO_ICMP ? 8 : 128))
			return 0;
		f->sp = w->icmp_id;
		f->dp = 0;
		*both_ways = 0;
		return 1;
	default:
		return 0;
	}
}

/* A flow already known to be flowtop's own keeps being hidden, after its
 * socket closed too. */
static int pm_hidden_flow(struct procmap *m, const struct flow_wire *rec)
{
	uint32_t g;

	if (!rec->id || !m->hidden.n || !pm_map_get(&m->hidden, rec->id, &g))
		return 0;
	if (rec->event == FLOW_EV_DESTROY)
		pm_map_del(&m->hidden, rec->id);
	else
		pm_map_put(&m->hidden, rec->id, m->hidden_gen);
	return 1;
}

int procmap_fill(struct procmap *m, struct flow_wire *rec)
{
	struct pm_flow f;
	uint32_t ref = 0;
	int both, hit, idx, out = 1;
	const struct pm_owner *o;
	const struct pm_sock *p;

	if (pm_hidden_flow(m, rec))
		return PROCMAP_HIDE;
	if (rec->event == FLOW_EV_DESTROY || !pm_flow_of(rec, &f, &both))
		return PROCMAP_UNKNOWN;
	if (m->nnsaddr)
		pm_ns_flow_used(m, &f);
	idx = pm_proto_index(f.proto);
	hit = m->per_proto[idx] ? pm_match(m, &f, both, &ref, &out) : PM_MISS;
	if (hit == PM_AMBIGUOUS)
		return PROCMAP_UNKNOWN;
	if (hit == PM_MISS)
		return pm_held(m, f.s) || (both && (pm_is_local(m, f.d) ||
						     pm_held(m, f.rs))) ?
			PROCMAP_UNSEEN : PROCMAP_UNKNOWN;
	p = pm_slot(m, ref);
	rec->owner = FLOW_OWNER_SOCKET;
	rec->side = out ? FLOW_SIDE_ORIG : FLOW_SIDE_REPLY;
	rec->uid = p->uid;
	if (hit == PM_NO_OWNER)
		return PROCMAP_UNKNOWN;
	o = pm_owner_at(m, p->owner);
	if (m->hidden_pid && o->pid == m->hidden_pid) {
		if (rec->id)
			pm_map_put(&m->hidden, rec->id, m->hidden_gen);
		return PROCMAP_HIDE;
	}
	if (!o->visible) {
		rec->owner = FLOW_OWNER_HIDDEN;
		return PROCMAP_OTHERS;
	}
	rec->pid = o->pid;
	flow_set_owner_tag(rec, o->start);
	memcpy(rec->comm, o->comm, FLOW_COMM_LEN);
	return PROCMAP_KNOWN;
}

int pm_bucket_take(struct pm_bucket *b, double rate, double burst)
{
	uint64_t now = clock_mono_ns();

	b->tokens += (double)(now - b->ns) / 1e9 * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->ns = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

static int pm_take_token(struct procmap *m)
{
	return pm_bucket_take(&m->refresh_budget, PM_RATE, PM_BURST);
}

/* One direction of a flow (out: the original, else the reply) asked of
 * the kernel through sock_diag socket fd, made in namespace ns. */
static int pm_ask_in(struct procmap *m, const struct flow_wire *rec, int out,
		     int fd, uint16_t ns)
{
	int fam = rec->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;

	return pm_src_exact_in(m, fd, ns, fam, rec->l4proto,
			       out ? rec->src : rec->rsrc,
			       out ? rec->sport : rec->rsport,
			       out ? rec->dst : rec->rdst,
			       out ? rec->dport : rec->rdport);
}

/* One direction of a flow asked of the kernel, when its local end is one
 * of this host's addresses (or the list is not known yet). */
static int pm_ask_side(struct procmap *m, const struct flow_wire *rec, int out)
{
	int fam = rec->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;
	uint8_t l16[16];

	pm_addr16(l16, fam, out ? rec->src : rec->rsrc);
	if (m->nlocal && !pm_is_local(m, l16))
		return 0;
	return pm_ask_in(m, rec, out, m->diag_fd, 0);
}

/* Namespace ns holds the flow's address on side out: ask its kernel for
 * the exact tuple through its own sock_diag socket (the helper's), else
 * have its table read before the batch's walk. 1 when a socket was found
 * or a read is to come, 0 when its kernel has none. */
static int pm_ask_one_ns(struct procmap *m, const struct flow_wire *rec,
			 int out, uint16_t ns, enum pm_table t)
{
	int fd = t == PM_ICMP4 || t == PM_ICMP6 ? -1 : pm_ns_diag(m, ns);

	if (fd >= 0 && pm_bucket_take(&m->ask_budget, PM_ASK_RATE,
				      PM_ASK_BURST)) {
		int r;

		m->asked++;
		pm_ns_used(m, ns);
		r = pm_ask_in(m, rec, out, fd, ns);
		if (r >= 0)
			return r;
	}
	pm_ns_want(m, ns, 1u << t);
	return 1;
}

/* The sides of a flow that pm_match looks for in the namespaces holding
 * its address (the new socket is most likely there): each asked of that
 * namespace (pm_ask_one_ns). 1 when a socket was found or a table is to
 * be read, 0 when the namespaces asked have none, -1 when no namespace
 * holds such an address. */
static int pm_ask_ns(struct procmap *m, const struct flow_wire *rec)
{
	int fam = rec->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;
	enum pm_table t = pm_table_of(fam, rec->l4proto);
	uint16_t cand[PM_NS_CAND];
	int held = 0, found = 0, out, both;
	struct pm_flow f;

	if (t == PM_TABLES || !m->nnsaddr || !pm_flow_of(rec, &f, &both))
		return -1;
	for (out = 1; out >= (pm_answer_ns(m, &f, both) ? 0 : 1); out--) {
		size_t n = pm_ns_of(m, out ? f.s : f.rs, cand, PM_NS_CAND);

		for (size_t i = 0; i < n && i < PM_NS_CAND; i++) {
			held = 1;
			found |= pm_ask_one_ns(m, rec, out, cand[i], t) == 1;
		}
	}
	return found ? 1 : held ? 0 : -1;
}

int procmap_ask(struct procmap *m, const struct flow_wire *rec)
{
	int a, b;

	if (rec->event == FLOW_EV_DESTROY)
		return -1;
	/* A namespace that holds the flow's address and has no socket
	 * for it leaves the host's own to be asked (a local server that
	 * accepted it). */
	a = pm_ask_ns(m, rec);
	if (a == 1 || m->diag_fd < 0)
		return a;
	switch (rec->l4proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		break;
	default:
		return -1;      /* ping sockets: /proc/net/icmp only */
	}
	if (!pm_bucket_take(&m->ask_budget, PM_ASK_RATE, PM_ASK_BURST))
		return 0;       /* over budget: the next refresh finds it */
	m->asked++;
	a = pm_ask_side(m, rec, 1);
	b = a == 1 ? 0 : pm_ask_side(m, rec, 0);
	if (a < 0 && b < 0)
		return -1;
	return a == 1 || b == 1;
}

int procmap_find_ns(struct procmap *m, const struct flow_wire *rec)
{
	int fam = rec->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;
	uint8_t a[16], b[16];

	if (rec->event != FLOW_EV_NEW)
		return 0;
	pm_addr16(a, fam, rec->src);
	pm_addr16(b, fam, rec->rsrc);
	/* Opened from an address held nowhere here, unless it came in to
	 * this namespace's own; or sent by DNAT to one held nowhere. */
	if ((pm_held(m, a) || pm_is_local(m, b)) &&
	    (!(flow_nat(rec) & FLOW_NAT_DST) || pm_held(m, b)))
		return 0;
	pm_ns_refresh(m, 0, 1);
	return pm_ns_of(m, a, NULL, 0) > 0 || pm_ns_of(m, b, NULL, 0) > 0;
}

/* The pids of a walk for new flows into m->pidlist, oldest first (the
 * first to exit): those the walk before did not look at, the pids handed
 * out after since up to last, then the young ones (looked at, alive, no
 * known socket). The numbers wrap at pid_max, to PM_PID_WRAP. -1 when out
 * of memory. */
static ssize_t pm_probe_list(struct procmap *m, uint32_t since, uint32_t last,
			     uint32_t span)
{
	size_t n = 0, i, need = (size_t)span + m->nyoung;
	uint32_t p;

	if (pm_pidlist_room(m, need) < 0)
		return -1;
	for (i = 0; i < m->ncarry; i++)
		m->pidlist[n++] = m->young[i];
	for (p = since; p != last && n < m->ncarry + span; ) {
		p = p + 1 < m->pid_max ? p + 1 : PM_PID_WRAP;
		m->pidlist[n++] = p;
	}
	for (i = m->ncarry; i < m->nyoung; i++)
		m->pidlist[n++] = m->young[i];
	return (ssize_t)n;
}

/* As pm_probe_list, from a listing of the processes started since the
 * last full walk instead of pid numbers. */
static ssize_t pm_listed_list(struct procmap *m, uint32_t last)
{
	ssize_t n = pm_list_pids(m, m->pid_last);
	size_t i, need;

	if (n < 0)
		return -1;
	need = (size_t)n + m->nyoung;
	if (pm_pidlist_room(m, need) < 0)
		return -1;
	for (i = 0; i < (size_t)n / 2; i++) {       /* oldest first */
		uint32_t t = m->pidlist[i];

		m->pidlist[i] = m->pidlist[n - 1 - i];
		m->pidlist[n - 1 - i] = t;
	}
	/* The young the listing left out: started before the last full
	 * walk. */
	for (i = 0; i < m->nyoung; i++)
		if (!last || !m->pid_last || pm_pid_age(m->young[i], last) >=
					     pm_pid_age(m->pid_last, last))
			m->pidlist[n++] = m->young[i];
	return n;
}

/* What a walk for new flows leaves to the next: the pids it did not look
 * at, then the young. The list is bounded: the oldest young go first (the
 * next full walk sees them). */
struct pm_carry {
	uint32_t skipped[PM_YOUNG_MAX], young[PM_YOUNG_MAX];
	size_t nskipped, nyoung;
};

static void pm_carry_keep(uint32_t *v, size_t *n, uint32_t pid)
{
	if (*n < PM_YOUNG_MAX)
		v[(*n)++] = pid;
}

static void pm_carry_store(struct procmap *m, const struct pm_carry *c)
{
	size_t ny = c->nyoung;

	if (c->nskipped + ny > PM_YOUNG_MAX)
		ny = PM_YOUNG_MAX - c->nskipped;
	memcpy(m->young, c->skipped, c->nskipped * sizeof(*m->young));
	memcpy(m->young + c->nskipped, c->young + (c->nyoung - ny),
	       ny * sizeof(*m->young));
	m->ncarry = c->nskipped;
	m->nyoung = c->nskipped + ny;
}

/* Socket links of pid at the hot descriptor numbers only: one call each,
 * where reading all of a pid's descriptors takes seven. */
static void pm_walk_hot_pid(struct procmap *m, uint32_t pid)
{
	struct pm_walker w = { .pid = pid };
	char path[32], link[64];

	for (size_t h = 0; h < m->nhot && m->pending && !w.gone; h++) {
		uint32_t fd = m->hot[h], ino;
		ssize_t n;

		snprintf(path, sizeof(path), "%u/fd/%u", pid, fd);
		n = readlinkat(m->root_fd, path, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    !(ino = procmap_parse_socket_link(link, (size_t)n)))
			continue;
		pm_claim(m, &w, ino);
		if (w.ref)
			pm_fd_note(m, w.ref, fd, ino);
	}
}

/* A burst of one program's processes holds its sockets at the same
 * descriptor numbers: look there first in each pid of the walk, so that
 * the walk proper reads all the descriptors of fewer processes. A pid
 * found so is not walked in full this time: a second new socket of it
 * waits for the next periodic refresh. */
static void pm_walk_hot(struct procmap *m, const uint32_t *pids, size_t n)
{
	uint32_t ref;

	for (size_t i = 0; i < n && m->pending; i++)
		if (pids[i] != m->hidden_pid &&
		    !pm_map_get(&m->pids, pids[i], &ref))
			pm_walk_hot_pid(m, pids[i]);
}

void procmap_walk_pending(struct procmap *m)
{
	static struct pm_carry c;       /* 8 KiB: not on the stack */
	uint32_t last, span, ref;
	ssize_t n, i;

	pm_ns_read_wanted(m);
	if (!m->pending)
		return;
	/* flowtop's own first: its flows must not leak. */
	if (m->hidden_pid)
		pm_walk_pid(m, m->hidden_pid, 1);
	if (!m->pending)
		return;
	last = pm_last_pid(m);
	span = m->pid_max ? (last + m->pid_max - m->probe_last) % m->pid_max : 0;
	/* Too many to probe one by one (or nothing to count from): the
	 * listing, since the last full walk. */
	if (!last || !m->pid_max || !m->probe_last || span > PM_PROBE_MAX)
		n = pm_listed_list(m, last);
	else
		n = pm_probe_list(m, m->probe_last, last, span);
	if (n < 0)
		return;
	pm_walk_hot(m, m->pidlist, (size_t)n);
	c.nskipped = c.nyoung = 0;
	for (i = 0; i < n; i++) {
		uint32_t pid = m->pidlist[i];

		if (pid == m->hidden_pid || pm_map_get(&m->pids, pid, &ref))
			continue;       /* an owner already */
		if (!m->pending) {
			pm_carry_keep(c.skipped, &c.nskipped, pid);
			continue;
		}
		if (pm_walk_pid(m, pid, 1) == 0 && !pm_map_get(&m->pids, pid, &ref))
			pm_carry_keep(c.young, &c.nyoung, pid);
	}
	pm_carry_store(m, &c);
	m->probe_last = last;
}

size_t procmap_details(struct procmap *m, size_t max)
{
	return pm_news_settle(m, max);
}

int procmap_pending(const struct procmap *m)
{
	return m->pending != 0;
}

uint64_t procmap_hold_until_ms(const struct procmap *m)
{
	uint64_t t = pm_ns_wait_ns(m);

	return t ? (t + 999999) / 1000000 : 0;
}

/* ------------------------------------------------------------ the API */

static unsigned pm_tables_of(uint8_t proto)
{
	switch (proto) {
	case 0: return PM_ALL_TABLES;
	case IPPROTO_TCP: return 1u << PM_TCP4 | 1u << PM_TCP6;
	case IPPROTO_UDP: return 1u << PM_UDP4 | 1u << PM_UDP6;
	case IPPROTO_UDPLITE: return 1u << PM_UDPLITE4 | 1u << PM_UDPLITE6;
	case IPPROTO_ICMP: return 1u << PM_ICMP4;
	case IPPROTO_ICMPV6: return 1u << PM_ICMP6;
	default: return 0;
	}
}

int procmap_refresh(struct procmap *m, enum procmap_refresh_kind kind,
		    uint8_t l4proto)
{
	unsigned want = kind == PROCMAP_PERIODIC ? PM_ALL_TABLES :
		pm_tables_of(l4proto), done = 0, t;
	int rc = 0, r;

	want &= ~m->unsupported;
	if (!want || (kind == PROCMAP_ON_DEMAND && !pm_take_token(m)))
		return 0;
	if (pm_src_local(m) < 0)
		rc = -1;        /* the old list stays */
	m->gen++;
	for (t = 0; t < PM_TABLES; t++) {
		if (!(want & 1u << t))
			continue;
		r = pm_src_table(m, (enum pm_table)t);
		if (r == 1)
			m->unsupported |= 1u << t;
		else if (r < 0)
			rc = -1;        /* not swept: nothing is lost */
		else if (r == 0)
			done |= 1u << t;
		/* r == 2, an inconsistent dump: kept, not swept */
	}
	pm_finish(m, done, kind == PROCMAP_PERIODIC);
	return rc < 0 ? -1 : 1;
}

int procmap_refresh_with(struct procmap *m, const struct procmap_sock *socks,
			 size_t n, const uint8_t (*local)[16], size_t nlocal)
{
	size_t i;
	int rc = 0;

	if (pm_set_local(m, local, nlocal) < 0)
		return -1;
	m->gen++;
	for (i = 0; i < n && rc == 0; i++) {
		enum pm_table t = pm_table_of(socks[i].family,
					      socks[i].l4proto);

		if (t != PM_TABLES)
			rc = pm_round_add(m, &socks[i], t);
	}
	/* A failed round sweeps nothing: the cache stays as it was. */
	pm_finish(m, rc == 0 ? PM_ALL_TABLES : 0, 1);
	return rc < 0 ? -1 : 1;
}

void procmap_set_hidden_pid(struct procmap *m, pid_t pid)
{
	m->hidden_pid = pid > 0 ? (uint32_t)pid : 0;
}

void procmap_set_viewer(struct procmap *m, uint32_t uid, uint32_t gid)
{
	m->viewer_uid = uid;
	m->viewer_gid = gid;
}

int procmap_pid_dir(struct procmap *m, uint32_t pid)
{
	char path[16];
	uint32_t ref;
	int dfd;

	if (!pid || !pm_map_get(&m->pids, pid, &ref) ||
	    !pm_owner_at(m, ref)->refs || !pm_owner_at(m, ref)->visible)
		return -1;
	snprintf(path, sizeof(path), "%u", pid);
	dfd = openat(m->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	/* Asked now, on this descriptor: the process may have changed ids
	 * since the last refresh, or the pid may be another's by now. */
	if (!pm_dir_visible(m, dfd)) {
		close(dfd);
		return -1;
	}
	return dfd;
}

uint32_t procmap_tcp_established(const struct procmap *m)
{
	return m->established[PM_TCP4] + m->established[PM_TCP6];
}

void procmap_stats(const struct procmap *m, size_t *sockets, size_t *owners,
		   size_t *bytes)
{
	size_t fds = 0;
	uint32_t ref, n = 0;

	for (ref = 1; ref <= m->nowners; ref++) {
		n += m->owners[ref - 1].refs != 0;
		fds += m->owners[ref - 1].nfds * sizeof(uint32_t);
	}
	*sockets = m->live;
	*owners = n;
	*bytes = sizeof(*m) + fds + m->slots_cap * sizeof(*m->socks) +
		2 * m->nbuckets * sizeof(uint32_t) +
		m->owners_cap * sizeof(*m->owners) +
		(m->pids.cap + m->hidden.cap) * 2 * sizeof(uint32_t) +
		m->local_cap * sizeof(*m->local) + m->buflen + 2 * PM_DIRBUF +
		m->nss_cap * sizeof(*m->nss) +
		m->nsaddr_cap * sizeof(*m->nsaddr);
}

struct procmap *procmap_open_root(const char *proc_root, int netlink,
				  char *err, size_t errlen)
{
	struct procmap *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->diag_fd = m->rt_fd = -1;
	m->nsd_chan = -1;
	m->root_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->root_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", proc_root,
			 strerror(errno));
		procmap_close(m);
		return NULL;
	}
	m->seed = *siphash_key();
	m->buflen = 65536;
	m->buf = malloc(m->buflen);
	m->dirbuf[0] = malloc(PM_DIRBUF);
	m->dirbuf[1] = malloc(PM_DIRBUF);
	if (!m->buf || !m->dirbuf[0] || !m->dirbuf[1] ||
	    pm_buckets_resize(m, 256) < 0) {
		snprintf(err, errlen, "out of memory");
		procmap_close(m);
		return NULL;
	}
	m->refresh_budget = (struct pm_bucket){ PM_BURST, clock_mono_ns() };
	m->ask_budget = (struct pm_bucket){ PM_ASK_BURST, clock_mono_ns() };
	pm_ns_budgets(m);
	m->self_ns = pm_ns_self(m);
	procmap_set_viewer(m, (uint32_t)getuid(), (uint32_t)getgid());
	m->pid_max = pm_pid_max(m);
	if (netlink && pm_src_open(m, err, errlen) < 0) {
		procmap_close(m);
		return NULL;
	}
	return m;
}

struct procmap *procmap_open(char *err, size_t errlen)
{
	return procmap_open_root("/proc", 1, err, errlen);
}

void procmap_close(struct procmap *m)
{
	uint32_t ref;

	if (!m)
		return;
	pm_src_close(m);
	if (m->root_fd >= 0)
		close(m->root_fd);
	free(m->socks);
	free(m->kbucket);
	free(m->ibucket);
	for (ref = 1; ref <= m->nowners; ref++)
		free(m->owners[ref - 1].fds);
	free(m->owners);
	pm_map_free(&m->pids);
	pm_map_free(&m->hidden);
	free(m->local);
	free(m->buf);
	free(m->dirbuf[0]);
	free(m->dirbuf[1]);
	free(m->pidlist);
	pm_ns_free(m);
	pm_news_free(m);
	free(m);
}
