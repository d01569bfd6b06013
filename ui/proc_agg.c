/* SPDX-License-Identifier: GPL-2.0-only */
/* proc_agg: gather owned flows, sort by pid, fold runs into totals. */
#include <stdlib.h>
#include <string.h>

#include "ui/proc_agg.h"

static int pa_by_pid(const void *a, const void *b)
{
	const struct flow_entry *x = *(const struct flow_entry *const *)a;
	const struct flow_entry *y = *(const struct flow_entry *const *)b;

	return (x->w.pid > y->w.pid) - (x->w.pid < y->w.pid);
}

static int pa_by_bytes(const void *a, const void *b)
{
	const struct proc_agg *x = a, *y = b;
	uint64_t tx = x->orig_bytes + x->reply_bytes;
	uint64_t ty = y->orig_bytes + y->reply_bytes;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

void proc_agg_add(struct proc_agg *p, const struct flow_entry *e)
{
	p->flows++;
	p->orig_bytes += e->w.orig_bytes;
	p->reply_bytes += e->w.reply_bytes;
	if (e->has_rate) {
		p->orig_rate += e->orig_rate;
		p->reply_rate += e->reply_rate;
	}
}

size_t proc_agg_build(const struct flow_table *t, struct proc_agg **out)
{
	size_t i, n = flow_table_count(t), owned = 0, np = 0;
	const struct flow_entry **v = malloc((n ? n : 1) * sizeof(*v));
	struct proc_agg *p = NULL;

	*out = NULL;
	if (!v)
		return (size_t)-1;
	for (i = 0; i < n; i++) {
		const struct flow_entry *e = flow_table_at(t, i);

		if (e->w.pid)
			v[owned++] = e;
	}
	qsort(v, owned, sizeof(*v), pa_by_pid);
	p = calloc(owned ? owned : 1, sizeof(*p));
	if (!p) {
		free(v);
		return (size_t)-1;
	}
	for (i = 0; i < owned; i++) {
		if (!np || p[np - 1].pid != v[i]->w.pid) {
			p[np].pid = v[i]->w.pid;
			memcpy(p[np].comm, v[i]->w.comm, sizeof(p[np].comm));
			np++;
		}
		proc_agg_add(&p[np - 1], v[i]);
	}
	free(v);
	qsort(p, np, sizeof(*p), pa_by_bytes);
	*out = p;
	return np;
}
