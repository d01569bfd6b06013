/* SPDX-License-Identifier: GPL-2.0-only */
/* users: the uid -> name table (see users.h). Entries are gathered in
 * the order the source gives them, then put in a linear-probing table
 * of twice their number or more, so that a probe run stays short. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/users.h"

#define US_EMPTY UINT32_MAX    /* a slot's off when it holds nothing */

struct us_slot {
	uint32_t uid;
	uint32_t off;              /* the name's offset in names */
};

struct users {
	struct siphash_key key;    /* the process key */
	struct us_slot *slots;     /* cap slots, cap a power of two */
	size_t cap, count;
	char *names;               /* NUL-terminated names, one after another */
	size_t names_len;
	int truncated;
};

/* What the source gave, before the table is built. */
struct us_list {
	struct us_slot *e;
	size_t n, cap;
	char *names;
	size_t len, names_cap;
};

static size_t us_home(const struct users *u, uint32_t uid)
{
	uint8_t b[4] = { (uint8_t)uid, (uint8_t)(uid >> 8),
			 (uint8_t)(uid >> 16), (uint8_t)(uid >> 24) };

	return (size_t)siphash13(&u->key, b, sizeof(b)) & (u->cap - 1);
}

/* Append one entry; 0, or -1 out of memory. */
static int us_list_add(struct us_list *l, uint32_t uid, const char *name,
		       size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct us_slot *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return -1;
		l->e = e;
		l->cap = cap;
	}
	if (l->names_cap - l->len < len + 1) {
		size_t cap = l->names_cap ? 2 * l->names_cap : 4096;
		char *p;

		while (cap - l->len < len + 1)
			cap *= 2;
		p = realloc(l->names, cap);
		if (!p)
			return -1;
		l->names = p;
		l->names_cap = cap;
	}
	memcpy(l->names + l->len, name, len);
	l->names[l->len + len] = '\0';
	l->e[l->n].uid = uid;
	l->e[l->n].off = (uint32_t)l->len;
	l->n++;
	l->len += len + 1;
	return 0;
}

/* The table of l's entries, the first name of a uid kept. 0 or -1. */
static int us_build(struct users *u, const struct us_list *l)
{
	size_t cap = 16;

	while (cap < 2 * l->n)
		cap *= 2;
	u->slots = malloc(cap * sizeof(*u->slots));
	if (!u->slots)
		return -1;
	u->cap = cap;
	for (size_t i = 0; i < cap; i++)
		u->slots[i].off = US_EMPTY;
	for (size_t i = 0; i < l->n; i++) {
		size_t h = us_home(u, l->e[i].uid);

		while (u->slots[h].off != US_EMPTY &&
		       u->slots[h].uid != l->e[i].uid)
			h = (h + 1) & (cap - 1);
		if (u->slots[h].off == US_EMPTY) {
			u->slots[h] = l->e[i];
			u->count++;
		}
	}
	return 0;
}

struct users *users_load(users_next_fn next, void *ctx, size_t max,
			 size_t max_bytes)
{
	struct users *u = calloc(1, sizeof(*u));
	struct us_list l = { 0 };
	uint32_t uid;
	const char *name;

	if (!u)
		return NULL;
	u->key = *siphash_key();
	if (max > USERS_MAX)
		max = USERS_MAX;
	if (max_bytes > USERS_BYTES_MAX)
		max_bytes = USERS_BYTES_MAX;
	while (next(ctx, &uid, &name) > 0) {
		size_t len = name ? strnlen(name, USERS_NAME_MAX + 1) : 0;

		if (len == 0 || len > USERS_NAME_MAX)
			continue;
		if (l.n >= max || max_bytes - l.len < len + 1) {
			u->truncated = 1;
			break;
		}
		if (us_list_add(&l, uid, name, len) < 0)
			goto fail;
	}
	if (us_build(u, &l) < 0)
		goto fail;
	free(l.e);
	u->names = l.names;
	u->names_len = l.len;
	return u;
fail:
	free(l.e);
	free(l.names);
	users_free(u);
	return NULL;
}

/* getpwent as a source. */
static int us_next_pw(void *ctx, uint32_t *uid, const char **name)
{
	struct passwd *pw = getpwent();

	(void)ctx;
	if (!pw)
		return 0;
	*uid = (uint32_t)pw->pw_uid;
	*name = pw->pw_name;
	return 1;
}

struct users *users_load_system(void)
{
	struct users *u;

	setpwent();
	u = users_load(us_next_pw, NULL, USERS_MAX, USERS_BYTES_MAX);
	/* Closes what NSS opened (the files; a module's socket, if it
	 * keeps none for later). */
	endpwent();
	return u;
}

void users_free(struct users *u)
{
	if (!u)
		return;
	free(u->slots);
	free(u->names);
	free(u);
}

const char *users_name(const struct users *u, uint32_t uid)
{
	size_t h;

	if (!u || !u->count)
		return NULL;
	for (h = us_home(u, uid); u->slots[h].off != US_EMPTY;
	     h = (h + 1) & (u->cap - 1))
		if (u->slots[h].uid == uid)
			return u->names + u->slots[h].off;
	return NULL;
}

size_t users_count(const struct users *u)
{
	return u ? u->count : 0;
}

int users_truncated(const struct users *u)
{
	return u ? u->truncated : 0;
}

const char *users_show(const struct users *u, uint32_t uid, char *buf,
		       size_t sz)
{
	const char *name = users_name(u, uid);

	if (name)
		return name;
	snprintf(buf, sz, "%u", uid);
	return buf;
}
