/* SPDX-License-Identifier: GPL-2.0-only */
/* country_agg: group flows by the remote end's country and AS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/country_agg.h"

struct ca_map {
	const struct siphash_key *key;  /* the process key */
	struct country_agg *v;
	size_t n, cap;
	uint32_t *slots;          /* index + 1 into v; power-of-two size */
	size_t slots_cap;
};

uint64_t country_agg_key(const struct country_agg *c)
{
	return (uint64_t)(uint8_t)c->cc[0] << 56 |
	       (uint64_t)(uint8_t)c->cc[1] << 48 | c->asn;
}

/* The AS numbers of remote ends (through the GeoIP database, which the
 * user may pick) choose the keys: SipHash-1-3 under the process key. */
static size_t ca_home(const struct ca_map *m, uint64_t k, size_t cap)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(k >> (8 * i));
	return (size_t)siphash13(m->key, b, sizeof(b)) & (cap - 1);
}

static int ca_rehash(struct ca_map *m, size_t cap)
{
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	free(m->slots);
	m->slots = s;
	m->slots_cap = cap;
	for (size_t i = 0; i < m->n; i++) {
		uint64_t k = country_agg_key(&m->v[i]);
		size_t j = ca_home(m, k, cap);

		while (m->slots[j])
			j = (j + 1) & (cap - 1);
		m->slots[j] = (uint32_t)(i + 1);
	}
	return 0;
}

/* The row of (cc, asn), made when new; NULL when out of memory. */
static struct country_agg *ca_get(struct ca_map *m, const char *cc,
				  uint32_t asn)
{
	struct country_agg probe = { .asn = asn };

	snprintf(probe.cc, sizeof(probe.cc), "%s", cc);
	uint64_t k = country_agg_key(&probe);
	size_t j = ca_home(m, k, m->slots_cap);

	for (; m->slots[j]; j = (j + 1) & (m->slots_cap - 1))
		if (country_agg_key(&m->v[m->slots[j] - 1]) == k)
			return &m->v[m->slots[j] - 1];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct country_agg *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n] = probe;
	m->slots[j] = (uint32_t)(++m->n);
	if (m->n * 2 > m->slots_cap && ca_rehash(m, m->slots_cap * 2) < 0)
		return NULL;
	return &m->v[m->n - 1];
}

static int ca_known(const struct print_annot *a)
{
	return (a->country && a->country[0]) || a->asn;
}

static void ca_text(char *dst, const char *src)
{
	if (!dst[0] && src)
		snprintf(dst, COUNTRY_TEXT_LEN, "%s", src);
}

static int ca_add(struct ca_map *m, const struct flow_entry *e,
		  print_annot_fn annot, void *ctx)
{
	struct print_annot s = { 0 }, d = { 0 };
	const struct print_annot *r = &d;
	int remote_is_src = 0;

	if (annot) {
		annot(ctx, e->w.family, e->w.src, &s);
		annot(ctx, e->w.family, e->w.dst, &d);
	}
	if (!ca_known(&d) && ca_known(&s)) {
		r = &s;
		remote_is_src = 1;
	}
	struct country_agg *c = ca_get(m, r->country ? r->country : "", r->asn);

	if (!c)
		return -1;
	ca_text(c->name, r->country_name);
	ca_text(c->as_org, r->as_org);
	c->flows++;
	c->sent_bytes += remote_is_src ? e->w.reply_bytes : e->w.orig_bytes;
	c->recv_bytes += remote_is_src ? e->w.orig_bytes : e->w.reply_bytes;
	c->sent_rate += remote_is_src ? e->reply_rate : e->orig_rate;
	c->recv_rate += remote_is_src ? e->orig_rate : e->reply_rate;
	return 0;
}

size_t country_agg_build(const struct flow_table *t, print_annot_fn annot,
			 void *ctx, struct country_agg **out)
{
	struct ca_map m = { .key = siphash_key() };
	size_t n = flow_table_count(t);

	*out = NULL;
	if (ca_rehash(&m, 64) < 0)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (ca_add(&m, flow_table_at(t, i), annot, ctx) < 0) {
			free(m.v);
			free(m.slots);
			return (size_t)-1;
		}
	}
	free(m.slots);
	*out = m.v;
	return m.n;
}
