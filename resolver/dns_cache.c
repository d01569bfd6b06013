/* SPDX-License-Identifier: GPL-2.0-only */
/* dns_cache: hash table of addresses with an LRU list of answered entries
 * and a FIFO queue of waiting ones (see dns_cache.h for the states). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "resolver/dns_cache.h"
#include "common/escape.h"
#include "common/siphash.h"

#define DC_BUCKETS_MIN 64

enum dc_state { DC_S_DONE, DC_S_QUEUED, DC_S_INFLIGHT };

struct dc_entry {
	struct dc_entry *hnext;          /* hash chain */
	struct dc_entry *prev, *next;    /* LRU list (done) or queue (queued) */
	uint64_t expires;                /* ms on the cache clock; done only */
	char *name;                      /* done: cleaned name, NULL negative */
	uint8_t family;
	uint8_t state;                   /* enum dc_state */
	uint8_t addr[16];
};

/* A doubly linked list; an entry is on at most one at a time. */
struct dc_list {
	struct dc_entry *head, *tail;
	size_t n;
};

struct dns_cache {
	struct dc_cfg cfg;
	struct dc_entry **buckets;
	size_t nbuckets;                 /* a power of two */
	size_t count;                    /* entries in the table, any state */
	struct dc_list lru;              /* done; head = most recently used */
	struct dc_list queue;            /* queued; head = oldest */
	size_t inflight;
	struct siphash_key key;          /* the process key, random */
};

/* ---- clock ---- */

static uint64_t dc_mono_ms(void *arg)
{
	(void)arg;
	return clock_mono_ms();
}

static uint64_t dc_now(const struct dns_cache *c)
{
	return c->cfg.clock(c->cfg.clock_arg);
}

/* ---- hashing: SipHash-2-4 under the process key (common/siphash.h),
 * because the addresses are chosen by whoever sends us packets and a
 * fixed hash could be flooded. */

static uint64_t dc_hash(const struct dns_cache *c, uint8_t family,
			const uint8_t addr[16])
{
	uint8_t buf[17] = { family };

	memcpy(buf + 1, addr, 16);
	return siphash24(&c->key, buf, sizeof(buf));
}

/* ---- lists ---- */

static void dc_list_unlink(struct dc_list *l, struct dc_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

static void dc_list_push_head(struct dc_list *l, struct dc_entry *e)
{
	e->prev = NULL;
	e->next = l->head;
	if (l->head)
		l->head->prev = e;
	else
		l->tail = e;
	l->head = e;
	l->n++;
}

static void dc_list_push_tail(struct dc_list *l, struct dc_entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

/* ---- hash table ---- */

static struct dc_entry **dc_bucket(const struct dns_cache *c, uint8_t family,
				   const uint8_t addr[16])
{
	return &c->buckets[dc_hash(c, family, addr) & (c->nbuckets - 1)];
}

static struct dc_entry *dc_find(const struct dns_cache *c, uint8_t family,
				const uint8_t addr[16])
{
	for (struct dc_entry *e = *dc_bucket(c, family, addr); e; e = e->hnext)
		if (e->family == family && memcmp(e->addr, addr, 16) == 0)
			return e;
	return NULL;
}

/* Double the bucket array once the table holds more entries than buckets,
 * keeping chains short. Failing to grow is harmless: chains get longer. */
static void dc_grow(struct dns_cache *c)
{
	size_t n = c->nbuckets * 2;
	struct dc_entry **b;

	if (c->count <= c->nbuckets || n > SIZE_MAX / sizeof(*b))
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct dc_entry *e = c->buckets[i], *next;

		for (; e; e = next) {
			size_t h = dc_hash(c, e->family, e->addr) & (n - 1);

			next = e->hnext;
			e->hnext = b[h];
			b[h] = e;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
}

static void dc_remove(struct dns_cache *c, struct dc_entry *e)
{
	struct dc_entry **pp = dc_bucket(c, e->family, e->addr);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	c->count--;
	free(e->name);
	free(e);
}

/* ---- public ---- */

struct dns_cache *dc_new(const struct dc_cfg *cfg)
{
	struct dns_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.clock)
		c->cfg.clock = dc_mono_ms;
	if (c->cfg.max == 0)
		c->cfg.max = 1;
	if (c->cfg.queue_max == 0)
		c->cfg.queue_max = 1;
	if (c->cfg.max_ttl < c->cfg.min_ttl)
		c->cfg.max_ttl = c->cfg.min_ttl;
	c->nbuckets = DC_BUCKETS_MIN;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->key = *siphash_key();
	return c;
}

void dc_free(struct dns_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct dc_entry *e = c->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			free(e->name);
			free(e);
		}
	}
	free(c->buckets);
	free(c);
}

static struct dc_entry *dc_insert(struct dns_cache *c, uint8_t family,
				  const uint8_t addr[16])
{
	struct dc_entry *e = calloc(1, sizeof(*e)), **b;

	if (!e)
		return NULL;
	e->family = family;
	memcpy(e->addr, addr, 16);
	b = dc_bucket(c, family, addr);
	e->hnext = *b;
	*b = e;
	c->count++;
	dc_grow(c);
	return e;
}

/* A done entry past its time goes back to the queue, as a new one would. */
static enum dc_result dc_requeue(struct dns_cache *c, struct dc_entry *e)
{
	if (c->queue.n >= c->cfg.queue_max)
		return DC_FULL;
	dc_list_unlink(&c->lru, e);
	free(e->name);
	e->name = NULL;
	e->state = DC_S_QUEUED;
	dc_list_push_tail(&c->queue, e);
	return DC_QUEUED;
}

static enum dc_result dc_hit(struct dns_cache *c, struct dc_entry *e,
			     char *name, size_t namesz)
{
	const char *s = e->name ? e->name : "";
	size_t n = strlen(s);

	dc_list_unlink(&c->lru, e);
	dc_list_push_head(&c->lru, e);
	if (namesz == 0)
		return DC_HIT;
	/* Callers pass DC_NAME_MAX + 1; a shorter buffer gets no name rather
	 * than one cut inside an escape. */
	if (n >= namesz)
		n = 0;
	memcpy(name, s, n);
	name[n] = '\0';
	return DC_HIT;
}

enum dc_result dc_get(struct dns_cache *c, uint8_t family,
		      const uint8_t addr[16], char *name, size_t namesz)
{
	struct dc_entry *e = dc_find(c, family, addr);

	if (e && e->state != DC_S_DONE)
		return DC_MERGED;
	if (e && dc_now(c) < e->expires)
		return dc_hit(c, e, name, namesz);
	if (e)
		return dc_requeue(c, e);
	if (c->queue.n >= c->cfg.queue_max)
		return DC_FULL;
	e = dc_insert(c, family, addr);
	if (!e)
		return DC_FULL;
	e->state = DC_S_QUEUED;
	dc_list_push_tail(&c->queue, e);
	return DC_QUEUED;
}

struct dc_entry *dc_next(struct dns_cache *c)
{
	struct dc_entry *e = c->queue.head;

	if (!e)
		return NULL;
	dc_list_unlink(&c->queue, e);
	e->state = DC_S_INFLIGHT;
	c->inflight++;
	return e;
}

void dc_entry_key(const struct dc_entry *e, uint8_t *family, uint8_t addr[16])
{
	*family = e->family;
	memcpy(addr, e->addr, 16);
}

/* An escaped dot is part of a label, not the root: c-ares writes a dot
 * inside a label as "\.", so count the backslashes in front of it. */
static size_t dc_strip_root(const char *s, size_t n)
{
	size_t bs = 0;

	if (n == 0 || s[n - 1] != '.')
		return n;
	while (bs < n - 1 && s[n - 2 - bs] == '\\')
		bs++;
	return bs % 2 ? n : n - 1;
}

size_t dc_name_clean(char out[DC_NAME_MAX + 1], const char *raw)
{
	size_t n;

	if (!raw) {
		out[0] = '\0';
		return 0;
	}
	n = dc_strip_root(raw, strlen(raw));
	/* Escape first, then bound: esc_term cuts between whole escapes. */
	return esc_term(out, DC_NAME_MAX + 1, raw, n);
}

static void dc_evict(struct dns_cache *c)
{
	while (c->lru.n > c->cfg.max) {
		struct dc_entry *e = c->lru.tail;

		dc_list_unlink(&c->lru, e);
		dc_remove(c, e);
	}
}

static uint32_t dc_clamp(const struct dns_cache *c, uint32_t ttl)
{
	if (ttl < c->cfg.min_ttl)
		return c->cfg.min_ttl;
	if (ttl > c->cfg.max_ttl)
		return c->cfg.max_ttl;
	return ttl;
}

const char *dc_complete(struct dns_cache *c, struct dc_entry *e,
			const char *raw, uint32_t ttl)
{
	char clean[DC_NAME_MAX + 1];
	uint32_t keep;

	if (e->state != DC_S_INFLIGHT)   /* not ours to answer */
		return "";
	c->inflight--;
	free(e->name);
	e->name = NULL;
	if (dc_name_clean(clean, raw) > 0)
		e->name = strdup(clean);
	/* Out of memory for the name: kept as a negative answer. */
	keep = e->name ? dc_clamp(c, ttl) : c->cfg.neg_ttl;
	e->expires = dc_now(c) + (uint64_t)keep * 1000u;
	e->state = DC_S_DONE;
	dc_list_push_head(&c->lru, e);
	dc_evict(c);
	return e->name ? e->name : "";
}

size_t dc_done_count(const struct dns_cache *c)
{
	return c->lru.n;
}

size_t dc_queued_count(const struct dns_cache *c)
{
	return c->queue.n;
}

size_t dc_inflight_count(const struct dns_cache *c)
{
	return c->inflight;
}
