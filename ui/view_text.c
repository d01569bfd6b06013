/* SPDX-License-Identifier: GPL-2.0-only */
/* view_text: the filter tried on every known address at once.
 *
 * When the filter changes, the screen needs its answer for every address
 * the rows show. Asking the annotation table address by address meant a
 * cache miss for each address and each of its five strings (40 ms for 91k
 * addresses). So the view keeps its own copy of what it searches, folded
 * to lower case as the filter is, in two arenas: the host names one
 * after another, and each distinct place (country, its name, city, AS)
 * once, as places come from small sets. A new filter is then a memmem
 * over a few megabytes of names and a few kilobytes of places, and a pass
 * over a byte per address.
 *
 * The copy follows the annotation table's log of answers (vt_put per
 * answered slot). A slot answered again leaves its old text behind as
 * dead; past half dead the arena is packed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/siphash.h"
#include "ui/annot.h"
#include "ui/view_int.h"

/* One arena of NUL-ended texts, each of an owner (a slot, or a place). */
struct vt_arena {
	char *buf;
	size_t len, cap, dead;
	uint32_t *off, *owner;  /* per text, in arena order */
	size_t n, ncap;
};

struct vt_text {
	unsigned char fold[256];
	int ok;                 /* 0: out of memory once; not to be used */
	struct vt_arena names, places;
	uint32_t *name_of;      /* per slot: its text in names, or NONE */
	uint32_t *place_of;     /* per slot: its place, or NONE */
	size_t slots_cap;
	uint32_t *place_idx;    /* hash index of places: place + 1, 0 empty */
	size_t idx_cap;
	uint8_t *place_hit;     /* scratch of vt_match_all, per place */
	size_t hit_cap;
};

#define VT_NONE UINT32_MAX

static void vt_arena_free(struct vt_arena *a)
{
	free(a->buf);
	free(a->off);
	free(a->owner);
	memset(a, 0, sizeof(*a));
}

void vt_free(struct vt_text *t)
{
	if (!t)
		return;
	vt_arena_free(&t->names);
	vt_arena_free(&t->places);
	free(t->name_of);
	free(t->place_of);
	free(t->place_idx);
	free(t->place_hit);
	free(t);
}

struct vt_text *vt_new(void)
{
	struct vt_text *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	/* As vf_compile folds the filter; vt_usable checks they agree. */
	for (unsigned i = 0; i < 256; i++)
		t->fold[i] = (unsigned char)tolower((int)i);
	t->ok = 1;
	return t;
}

void vt_forget(struct vt_text *t)
{
	vt_arena_free(&t->names);
	vt_arena_free(&t->places);
	if (t->idx_cap)
		memset(t->place_idx, 0, t->idx_cap * sizeof(*t->place_idx));
	if (t->slots_cap) {
		memset(t->name_of, 0xff, t->slots_cap * sizeof(*t->name_of));
		memset(t->place_of, 0xff, t->slots_cap * sizeof(*t->place_of));
	}
	t->ok = 1;
}

int vt_usable(const struct vt_text *t, const unsigned char *fold)
{
	return t && t->ok && !memcmp(t->fold, fold, sizeof(t->fold));
}

int vt_grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *n;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	n = realloc(*p, c * size);
	if (!n)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

/* Append the folded strings s[0..ns) (NULLs skipped), NUL-separated,
 * as one text of owner; its index, or VT_NONE out of memory. */
static uint32_t vt_append(struct vt_text *t, struct vt_arena *a,
			  const char *const *s, size_t ns, uint32_t owner)
{
	size_t len = 1, at = a->len;
	size_t ocap = a->ncap;

	for (size_t i = 0; i < ns; i++)
		len += s[i] ? strlen(s[i]) + 1 : 0;
	if (vt_grow((void **)&a->buf, &a->cap, a->len + len, 1, 65536) < 0 ||
	    vt_grow((void **)&a->off, &a->ncap, a->n + 1, sizeof(*a->off),
		    1024) < 0)
		return VT_NONE;
	if (a->ncap != ocap) {
		uint32_t *o = realloc(a->owner, a->ncap * sizeof(*o));

		if (!o) {
			a->ncap = ocap;
			return VT_NONE;
		}
		a->owner = o;
	}
	for (size_t i = 0; i < ns; i++) {
		for (const char *p = s[i]; p && *p; p++)
			a->buf[a->len++] = (char)t->fold[(unsigned char)*p];
		if (s[i])
			a->buf[a->len++] = 0;
	}
	a->buf[a->len++] = 0;
	a->off[a->n] = (uint32_t)at;
	a->owner[a->n] = owner;
	return (uint32_t)a->n++;
}

/* Drop the dead texts of the names arena, renumbering name_of. */
static void vt_pack(struct vt_text *t)
{
	struct vt_arena *a = &t->names;
	size_t w = 0, len = 0;

	for (size_t i = 0; i < a->n; i++) {
		size_t from = a->off[i];
		size_t end = i + 1 < a->n ? a->off[i + 1] : a->len;

		if (a->owner[i] == VT_NONE)
			continue;
		memmove(a->buf + len, a->buf + from, end - from);
		a->off[w] = (uint32_t)len;
		a->owner[w] = a->owner[i];
		t->name_of[a->owner[i]] = (uint32_t)w++;
		len += end - from;
	}
	a->n = w;
	a->len = len;
	a->dead = 0;
}

/* Places come from the resolver's answers, which databases and remote
 * hosts choose: keyed, as every such table is (common/siphash.h), so
 * nobody can line up colliding places into one long probe run. */
static uint32_t vt_hash(const char *s, size_t n)
{
	return (uint32_t)siphash13(siphash_key(), s, n);
}

/* The place of the folded text just appended at places' end, shared with
 * an equal one known before (the new copy then taken back). */
static uint32_t vt_intern(struct vt_text *t, uint32_t p)
{
	struct vt_arena *a = &t->places;
	const char *s = a->buf + a->off[p];
	size_t n = a->len - a->off[p], mask;
	uint32_t h = vt_hash(s, n);

	if ((a->n * 2 > t->idx_cap)) {
		size_t cap = t->idx_cap ? t->idx_cap * 2 : 1024;
		uint32_t *x = calloc(cap, sizeof(*x));

		if (!x)
			return VT_NONE;
		free(t->place_idx);
		t->place_idx = x;
		t->idx_cap = cap;
		/* Rehash every place but the new one, then look it up. */
		for (size_t i = 0; i + 1 < a->n; i++) {
			size_t e = i + 1 < a->n ? a->off[i + 1] : a->len;
			size_t j = vt_hash(a->buf + a->off[i], e - a->off[i]);

			while (x[j & (cap - 1)])
				j++;
			x[j & (cap - 1)] = (uint32_t)i + 1;
		}
	}
	mask = t->idx_cap - 1;
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		uint32_t q = t->place_idx[j];

		if (!q) {
			t->place_idx[j] = p + 1;
			return p;
		}
		q--;
		size_t qn = a->off[q + 1] - a->off[q];

		if (qn == n && !memcmp(a->buf + a->off[q], s, n)) {
			a->len = a->off[p];
			a->n--;
			return q;
		}
	}
}

static int vt_room_slots(struct vt_text *t, uint32_t slot)
{
	size_t old = t->slots_cap, cap = old;

	if (slot < old)
		return 0;
	if (vt_grow((void **)&t->name_of, &cap, (size_t)slot + 1,
		    sizeof(*t->name_of), 1024) < 0)
		return -1;
	uint32_t *p = realloc(t->place_of, cap * sizeof(*p));

	if (!p)
		return -1;
	t->place_of = p;
	memset(t->name_of + old, 0xff, (cap - old) * sizeof(*t->name_of));
	memset(t->place_of + old, 0xff, (cap - old) * sizeof(*p));
	t->slots_cap = cap;
	return 0;
}

void vt_put(struct vt_text *t, uint32_t slot, const struct print_annot *pa)
{
	const char *place[4] = { pa->country, pa->country_name, pa->city,
				 pa->as_org };
	uint32_t was, p;

	if (!t->ok)
		return;
	if (vt_room_slots(t, slot) < 0)
		goto oom;
	was = t->name_of[slot];
	if (was != VT_NONE) {
		t->names.owner[was] = VT_NONE;
		t->names.dead += (was + 1 < t->names.n ?
				  t->names.off[was + 1] : t->names.len) -
				 t->names.off[was];
		t->name_of[slot] = VT_NONE;
	}
	if (pa->name && pa->name[0]) {
		t->name_of[slot] = vt_append(t, &t->names, &pa->name, 1, slot);
		if (t->name_of[slot] == VT_NONE)
			goto oom;
	}
	p = vt_append(t, &t->places, place, 4, 0);
	if (p == VT_NONE || (p = vt_intern(t, p)) == VT_NONE)
		goto oom;
	t->place_of[slot] = p;
	if (t->names.dead > 1u << 20 && t->names.dead * 2 > t->names.len)
		vt_pack(t);
	return;
oom:
	t->ok = 0;
}

/* hit[owner] = 2 for every text of a holding the folded filter f. */
static void vt_search(const struct vt_arena *a, const char *f, size_t fl,
		      uint8_t *hit, size_t nhit)
{
	const char *p = a->buf, *end = a->buf + a->len, *q;
	size_t e = 0;

	while (p < end && (q = memmem(p, (size_t)(end - p), f, fl))) {
		uint32_t at = (uint32_t)(q - a->buf);

		/* Hits come in arena order: the text moves forward only. */
		while (e + 1 < a->n && a->off[e + 1] <= at)
			e++;
		if (a->owner[e] < nhit)
			hit[a->owner[e]] = 2;
		p = e + 1 < a->n ? a->buf + a->off[e + 1] : end;
	}
}

int vt_match_all(struct vt_text *t, const struct vf_ctx *c, uint8_t *match,
		 size_t nslots)
{
	size_t np = t->places.n;

	if (!vt_usable(t, c->fold) ||
	    vt_grow((void **)&t->place_hit, &t->hit_cap, np ? np : 1, 1, 256) < 0)
		return -1;
	/* Places own themselves: their index is the owner to mark. */
	for (size_t i = 0; i < np; i++)
		t->places.owner[i] = (uint32_t)i;
	memset(t->place_hit, 1, np);
	vt_search(&t->places, c->low, c->len, t->place_hit, np);
	memset(match, 1, nslots);
	for (size_t s = 0; s < nslots && s < t->slots_cap; s++) {
		uint32_t p = t->place_of[s];

		if (p != VT_NONE && t->place_hit[p] == 2)
			match[s] = 2;
	}
	vt_search(&t->names, c->low, c->len, match, nslots);
	return 0;
}
