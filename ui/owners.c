/* SPDX-License-Identifier: GPL-2.0-only */
/* owners: see owners.h. An open-addressing table of pointers, hashed by
 * pid under the process's SipHash key, deleted by backward shift. */
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/owners.h"

struct owners {
	struct ui_owner **slot;
	size_t cap, n;         /* cap: 0 or a power of two */
	size_t exited;         /* how many are marked exited */
	uint32_t mark;
};

static size_t ow_home(const struct owners *t, uint32_t pid)
{
	return (size_t)siphash13(siphash_key(), &pid, sizeof(pid)) &
		(t->cap - 1);
}

static size_t ow_find(const struct owners *t, uint32_t pid)
{
	size_t i;

	if (!t->cap)
		return SIZE_MAX;
	for (i = ow_home(t, pid); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (t->slot[i]->pid == pid)
			return i;
	return SIZE_MAX;
}

static void ow_free_one(struct owners *t, struct ui_owner *o)
{
	t->exited -= o->exited != 0;
	free(o->cmdline);
	free(o->exe);
	free(o->cgroup);
	free(o);
}

static int ow_grow(struct owners *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	struct ui_owner **v = calloc(cap, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		struct ui_owner *o = t->slot[i];
		size_t j;

		if (!o)
			continue;
		j = (size_t)siphash13(siphash_key(), &o->pid, sizeof(o->pid)) &
			(cap - 1);
		while (v[j])
			j = (j + 1) & (cap - 1);
		v[j] = o;
	}
	free(t->slot);
	t->slot = v;
	t->cap = cap;
	return 0;
}

/* Remove slot i, shifting back the entries of its cluster that may not
 * stay behind the hole. */
static void ow_del_at(struct owners *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	ow_free_one(t, t->slot[i]);
	t->slot[i] = NULL;
	t->n--;
	for (;;) {
		size_t h;

		j = (j + 1) & mask;
		if (!t->slot[j])
			return;
		h = ow_home(t, t->slot[j]->pid);
		/* The entry at j may move to the hole at i when its home is
		 * not in the cyclic range (i, j]. */
		if ((i <= j) ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = NULL;
		i = j;
	}
}

struct owners *owners_new(void)
{
	return calloc(1, sizeof(struct owners));
}

void owners_free(struct owners *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i])
			ow_free_one(t, t->slot[i]);
	free(t->slot);
	free(t);
}

static char *ow_dup(const char *field, size_t max)
{
	return strndup(field, strnlen(field, max));
}

int owners_put(struct owners *t, const struct msg_owner *m)
{
	struct ui_owner *o = calloc(1, sizeof(*o));
	struct cgroup_info ci;
	size_t i;

	if (!o)
		return -1;
	o->pid = m->pid;
	o->uid = m->uid;
	o->start = m->start;
	o->mark = t->mark;
	memcpy(o->comm, m->comm, sizeof(o->comm));
	memcpy(o->netns, m->netns, sizeof(o->netns));
	o->netns[sizeof(o->netns) - 1] = 0;
	o->cmdline = ow_dup(m->cmdline, sizeof(m->cmdline));
	o->exe = ow_dup(m->exe, sizeof(m->exe));
	o->cgroup = ow_dup(m->cgroup, sizeof(m->cgroup));
	if (!o->cmdline || !o->exe || !o->cgroup) {
		ow_free_one(t, o);
		return -1;
	}
	if (cgroup_parse(&ci, o->cgroup, strlen(o->cgroup)) == 0) {
		cgroup_unit_text(&ci, o->unit, sizeof(o->unit));
		cgroup_container_text(&ci, o->container, sizeof(o->container));
	}
	if (o->container[0])
		snprintf(o->where, sizeof(o->where), "%s", o->container);
	else if (o->netns[0])
		snprintf(o->where, sizeof(o->where), "%s%s",
			 strncmp(o->netns, "net:[", 5) ? "netns:" : "",
			 o->netns);
	if ((i = ow_find(t, m->pid)) != SIZE_MAX) {
		ow_free_one(t, t->slot[i]);
		t->slot[i] = o;
		return 0;
	}
	if ((t->n + 1) * 4 > t->cap * 3 && ow_grow(t) < 0) {
		ow_free_one(t, o);
		return -1;
	}
	for (i = ow_home(t, o->pid); t->slot[i]; i = (i + 1) & (t->cap - 1))
		;
	t->slot[i] = o;
	t->n++;
	return 0;
}

void owners_gone(struct owners *t, uint32_t pid, uint64_t start)
{
	size_t i = ow_find(t, pid);

	if (i != SIZE_MAX && t->slot[i]->start == start &&
	    !t->slot[i]->exited) {
		t->slot[i]->exited = 1;
		t->exited++;
	}
}

const struct ui_owner *owners_get(const struct owners *t, uint32_t pid,
				  uint32_t tag)
{
	size_t i = ow_find(t, pid);

	if (i == SIZE_MAX ||
	    (t->slot[i]->start & FLOW_OWNER_TAG_MASK) != tag)
		return NULL;
	return t->slot[i];
}

void owners_sweep_begin(struct owners *t)
{
	t->mark++;
}

void owners_keep(struct owners *t, uint32_t pid)
{
	size_t i = ow_find(t, pid);

	if (i != SIZE_MAX)
		t->slot[i]->mark = t->mark;
}

void owners_sweep_end(struct owners *t)
{
	size_t i = 0;

	while (i < t->cap) {
		struct ui_owner *o = t->slot[i];

		if (o && o->exited && o->mark != t->mark)
			ow_del_at(t, i);        /* slot i may refill: look again */
		else
			i++;
	}
}

size_t owners_count(const struct owners *t)
{
	return t->n;
}

size_t owners_exited(const struct owners *t)
{
	return t->exited;
}
