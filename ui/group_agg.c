/* SPDX-License-Identifier: GPL-2.0-only */
/* group_agg: one pass over the flows into a keyed table of rows, with a
 * small memo so that a process's (or a uid's) flows find their row
 * without hashing its label again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/group_agg.h"

#define GA_MEMO 256

struct ga_memo {
	uint32_t key;       /* uid by user, else pid */
	uint32_t row;       /* index + 1 into v; 0: empty */
};

struct ga_map {
	enum group_by by;
	const struct owners *owners;
	const struct users *users;
	struct group_agg *v;
	size_t n, cap;
	uint32_t *slots;    /* index + 1 into v; power-of-two size */
	size_t slots_cap;
	struct ga_memo memo[GA_MEMO];
};

const char *group_by_name(enum group_by by, int plural)
{
	static const char *const one[GROUP_BY_COUNT] = {
		"process", "user", "unit", "container",
	};
	static const char *const many[GROUP_BY_COUNT] = {
		"processes", "users", "units", "containers",
	};

	if ((unsigned)by >= GROUP_BY_COUNT)
		by = GROUP_PROCESS;
	return plural ? many[by] : one[by];
}

/* The kind is hashed with the label, so "(hidden)" as a unit's name is
 * another row than the hidden owners'. */
static uint64_t ga_hash(uint8_t kind, uint32_t uid, const char *label)
{
	uint8_t b[5 + GROUP_LABEL_LEN];
	size_t len = strnlen(label, GROUP_LABEL_LEN - 1);

	b[0] = kind;
	for (int i = 0; i < 4; i++)
		b[1 + i] = (uint8_t)(uid >> (8 * i));
	memcpy(b + 5, label, len);
	return siphash13(siphash_key(), b, 5 + len);
}

/* A row's identity across rebuilds. Its high half breaks sort ties
 * (view.h): the uid, or the label's first four bytes. */
static uint64_t ga_ident(enum group_by by, uint32_t uid, const char *label,
			 uint64_t hash)
{
	uint64_t hi = 0;

	if (by == GROUP_USER)
		return (uint64_t)uid << 32;
	for (int i = 0; i < 4 && label[i]; i++)
		hi |= (uint64_t)(unsigned char)label[i] << (56 - 8 * i);
	return hi | (uint32_t)hash;
}

static int ga_rehash(struct ga_map *m, size_t cap)
{
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -1;
	free(m->slots);
	m->slots = s;
	m->slots_cap = cap;
	for (size_t i = 0; i < m->n; i++) {
		const struct group_agg *g = &m->v[i];
		size_t j = ga_hash(g->kind, g->uid, g->label) & (cap - 1);

		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = (uint32_t)(i + 1);
	}
	return 0;
}

/* A new row at the end of v, zeroed; NULL when out of memory. */
static struct group_agg *ga_append(struct ga_map *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct group_agg *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	return &m->v[m->n];
}

/* The row of (kind, uid, label), made when new: its index, or -1 when
 * out of memory. */
static long ga_get(struct ga_map *m, uint8_t kind, uint32_t uid,
		   const char *label)
{
	uint64_t h = ga_hash(kind, uid, label);
	size_t mask = m->slots_cap - 1, j = h & mask;
	struct group_agg *g;

	for (; m->slots[j]; j = (j + 1) & mask) {
		g = &m->v[m->slots[j] - 1];
		if (g->kind == kind && g->uid == uid && !strcmp(g->label, label))
			return (long)m->slots[j] - 1;
	}
	if (!(g = ga_append(m)))
		return -1;
	g->kind = kind;
	g->uid = uid;
	snprintf(g->label, sizeof(g->label), "%s", label);
	g->ident = ga_ident(m->by, uid, g->label, h);
	m->slots[j] = (uint32_t)++m->n;
	if (m->n * 2 > m->slots_cap && ga_rehash(m, m->slots_cap * 2) < 0)
		return -1;
	return (long)m->n - 1;
}

/* By unit or container: what the flow's row is called, and its kind.
 * A hidden owner's flow tells nothing: no record is looked up for it. */
static uint8_t ga_owner_label(const struct ga_map *m,
			      const struct flow_wire *w, const char **label)
{
	const struct ui_owner *o;

	if (w->owner == FLOW_OWNER_HIDDEN) {
		*label = "(hidden)";
		return GROUP_HIDDEN;
	}
	o = w->pid && m->owners ?
		owners_get(m->owners, w->pid, flow_owner_tag(w)) : NULL;
	if (!o || (!o->cgroup[0] && !o->netns[0])) {
		*label = "(unknown)";
		return GROUP_UNKNOWN;
	}
	*label = m->by == GROUP_UNIT ? o->unit : o->where;
	if ((*label)[0])
		return GROUP_NAMED;
	*label = m->by == GROUP_UNIT ? "(no unit)" : "(host)";
	return GROUP_NONE;
}

static long ga_lookup(struct ga_map *m, const struct flow_wire *w)
{
	char num[USERS_SHOW_MIN];
	const char *label;
	uint8_t kind;

	if (m->by == GROUP_USER)
		return ga_get(m, GROUP_NAMED, w->uid,
			      users_show(m->users, w->uid, num, sizeof(num)));
	kind = ga_owner_label(m, w, &label);
	return ga_get(m, kind, 0, label);
}

/* The row of a flow with a local socket: through the memo when the flow
 * names a uid (by user) or a process (by unit, container). */
static long ga_row(struct ga_map *m, const struct flow_wire *w)
{
	int by_user = m->by == GROUP_USER;
	uint32_t key = by_user ? w->uid : w->pid;
	struct ga_memo *me = &m->memo[key % GA_MEMO];
	long r;

	if (!by_user && (!w->pid || w->owner != FLOW_OWNER_SOCKET))
		return ga_lookup(m, w);
	if (me->row && me->key == key)
		return (long)me->row - 1;
	r = ga_lookup(m, w);
	if (r >= 0) {
		me->key = key;
		me->row = (uint32_t)r + 1;
	}
	return r;
}

static int ga_by_bytes(const void *a, const void *b)
{
	const struct group_agg *x = a, *y = b;
	uint64_t tx = x->sum.orig_bytes + x->sum.reply_bytes;
	uint64_t ty = y->sum.orig_bytes + y->sum.reply_bytes;
	int c;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	if ((c = strcmp(x->label, y->label)))
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->uid > y->uid) - (x->uid < y->uid);
}

size_t group_agg_build(const struct flow_table *t, const struct owners *o,
		       const struct users *u, enum group_by by,
		       struct group_agg **out)
{
	struct ga_map *m;
	size_t n = flow_table_count(t), rows;

	*out = NULL;
	if (by == GROUP_PROCESS || (unsigned)by >= GROUP_BY_COUNT)
		return (size_t)-1;      /* proc_agg_build's */
	if (!(m = calloc(1, sizeof(*m))))
		return (size_t)-1;
	m->by = by;
	m->owners = o;
	m->users = u;
	if (ga_rehash(m, 64) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct flow_entry *e = flow_table_at(t, i);
		long r;

		if (e->w.owner == FLOW_OWNER_NONE)
			continue;
		if ((r = ga_row(m, &e->w)) < 0)
			goto fail;
		proc_agg_add(&m->v[r].sum, e);
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), ga_by_bytes);
	*out = m->v;
	rows = m->n;
	free(m->slots);
	free(m);
	return rows;
fail:
	free(m->v);
	free(m->slots);
	free(m);
	return (size_t)-1;
}
