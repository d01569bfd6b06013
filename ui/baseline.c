/* SPDX-License-Identifier: GPL-2.0-only */
/* baseline: see baseline.h. The entries sit in one array, found through
 * an open-addressing index keyed by SipHash over (program id, kind,
 * value): the file and the programs' names are chosen by strangers.
 * Programs are interned in a table of their own, so the thousand
 * destinations of one program hold its name once. Entries only ever
 * leave in bulk (expiry, eviction, a load's trim), by compacting the
 * array and rebuilding both indexes: no tombstones, no backward shifts.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/siphash.h"
#include "ui/baseline.h"

#define BL_HEADER "# flowtop baseline 1"
#define BL_TIME_MAX (1ull << 40)
/* The longest value with its NUL: an IPv6 address as inet_ntop writes it. */
#define BL_VALUE_LEN INET6_ADDRSTRLEN
/* Ids are kept in 32 bits (an index slot holds id + 1), with room for a
 * load's slack of an eighth above max. */
#define BL_HARD_MAX (UINT32_MAX / 2)
#define BL_QUOTE 200            /* a field quoted in a message */

struct bl_entry {
	uint64_t seen;
	uint32_t prog;          /* index in b->p */
	uint8_t kind;
	uint8_t vlen;
	char value[BL_VALUE_LEN];       /* canonical text, NUL-terminated */
};

struct bl_prog {
	uint32_t len;
	uint32_t refs;          /* entries naming it, counted when compacting */
	uint32_t to;            /* its id after a compaction; its rank by name
				 * while formatting */
	uint32_t elen;          /* its length escaped, while formatting */
	char name[];            /* len bytes, none of them NUL, then a NUL */
};

struct bl_index {
	uint32_t *slot;         /* id + 1, 0: empty */
	size_t cap;             /* 0 or a power of two */
};

struct baseline {
	struct bl_entry *e;
	size_t n, ecap;
	struct bl_index eix;
	struct bl_prog **p;
	size_t np, pcap;
	struct bl_index pix;
	size_t max;
	uint64_t expire_s;
	uint64_t evicted;
	int dirty;
};

/* One entry as asked for or read: the program not yet interned, the
 * value already canonical. */
struct bl_item {
	const char *prog;
	size_t plen;
	enum bl_kind kind;
	char value[BL_VALUE_LEN];
	size_t vlen;
	uint64_t seen;
};

static const char *const bl_kind_names[BL_KINDS] = {
	[BL_DST] = "dst", [BL_COUNTRY] = "country", [BL_ASN] = "asn",
};

/* ---- the indexes ---- */

static void bl_ix_put(struct bl_index *ix, uint64_t h, size_t id)
{
	size_t mask = ix->cap - 1, j = (size_t)h & mask;

	while (ix->slot[j])
		j = (j + 1) & mask;
	ix->slot[j] = (uint32_t)id + 1;
}

static void bl_ix_clear(struct bl_index *ix)
{
	if (ix->cap)
		memset(ix->slot, 0, ix->cap * sizeof(*ix->slot));
}

/* Room for n ids with the index at most 3/4 full, so probe runs stay
 * short. 1 when it was replaced by a bigger, empty one that the caller
 * refills; 0 when there was room; -1 out of memory. */
static int bl_ix_room(struct bl_index *ix, size_t n)
{
	size_t cap = ix->cap ? ix->cap : 64;
	uint32_t *v;

	while (n * 4 > cap * 3)
		cap *= 2;
	if (cap == ix->cap)
		return 0;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
	free(ix->slot);
	ix->slot = v;
	ix->cap = cap;
	return 1;
}

static uint64_t bl_prog_hash(const char *name, size_t len)
{
	return siphash13(siphash_key(), name, len);
}

static uint64_t bl_entry_hash(uint32_t prog, unsigned kind, const char *v,
			      size_t vlen)
{
	uint8_t k[sizeof(prog) + 1 + BL_VALUE_LEN];

	memcpy(k, &prog, sizeof(prog));
	k[sizeof(prog)] = (uint8_t)kind;
	memcpy(k + sizeof(prog) + 1, v, vlen);
	return siphash13(siphash_key(), k, sizeof(prog) + 1 + vlen);
}

static void bl_prog_reindex(struct baseline *b)
{
	bl_ix_clear(&b->pix);
	for (size_t i = 0; i < b->np; i++)
		bl_ix_put(&b->pix, bl_prog_hash(b->p[i]->name, b->p[i]->len),
			  i);
}

static void bl_entry_reindex(struct baseline *b)
{
	bl_ix_clear(&b->eix);
	for (size_t i = 0; i < b->n; i++) {
		const struct bl_entry *e = &b->e[i];
		uint64_t h = bl_entry_hash(e->prog, e->kind, e->value,
					   e->vlen);

		bl_ix_put(&b->eix, h, i);
	}
}

static size_t bl_prog_find(const struct baseline *b, const char *name,
			   size_t len)
{
	const struct bl_index *ix = &b->pix;
	size_t mask, j;

	if (!ix->cap)
		return SIZE_MAX;
	mask = ix->cap - 1;
	for (j = bl_prog_hash(name, len) & mask; ix->slot[j];
	     j = (j + 1) & mask) {
		const struct bl_prog *p = b->p[ix->slot[j] - 1];

		if (p->len == len && !memcmp(p->name, name, len))
			return ix->slot[j] - 1;
	}
	return SIZE_MAX;
}

static size_t bl_entry_find(const struct baseline *b, size_t prog,
			    const struct bl_item *it)
{
	const struct bl_index *ix = &b->eix;
	size_t mask, j;

	if (!ix->cap)
		return SIZE_MAX;
	mask = ix->cap - 1;
	j = bl_entry_hash((uint32_t)prog, it->kind, it->value, it->vlen) &
		mask;
	for (; ix->slot[j]; j = (j + 1) & mask) {
		const struct bl_entry *e = &b->e[ix->slot[j] - 1];

		if (e->prog == prog && e->kind == it->kind &&
		    e->vlen == it->vlen &&
		    !memcmp(e->value, it->value, it->vlen))
			return ix->slot[j] - 1;
	}
	return SIZE_MAX;
}

/* ---- adding and dropping ---- */

/* A load may hold an eighth more than max before it trims, so that a
 * file of many more entries costs one sort per eighth, not one per line. */
static size_t bl_load_limit(const struct baseline *b)
{
	return b->max + (b->max / 8 ? b->max / 8 : 1);
}

/* The array v of *cap elements of sz bytes, grown (at most to limit). */
static void *bl_more(void *v, size_t *cap, size_t sz, size_t limit)
{
	size_t c = *cap ? 2 * *cap : 16;
	void *nv;

	if (*cap >= limit)
		return NULL;
	if (c > limit)
		c = limit;
	nv = reallocarray(v, c, sz);
	if (nv)
		*cap = c;
	return nv;
}

static int bl_prog_add(struct baseline *b, const char *name, size_t len,
		       size_t *id)
{
	struct bl_prog *p;
	int r;

	if (b->np == b->pcap) {
		struct bl_prog **v = bl_more(b->p, &b->pcap, sizeof(*v),
					     bl_load_limit(b) + 1);

		if (!v)
			return -1;
		b->p = v;
	}
	r = bl_ix_room(&b->pix, b->np + 1);
	if (r < 0)
		return -1;
	if (r > 0)
		bl_prog_reindex(b);
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return -1;
	memset(p, 0, sizeof(*p));
	p->len = (uint32_t)len;
	memcpy(p->name, name, len);
	p->name[len] = 0;
	b->p[b->np] = p;
	bl_ix_put(&b->pix, bl_prog_hash(name, len), b->np);
	*id = b->np++;
	return 0;
}

static int bl_entry_add(struct baseline *b, size_t prog,
			const struct bl_item *it)
{
	struct bl_entry *e;
	int r;

	if (b->n == b->ecap) {
		e = bl_more(b->e, &b->ecap, sizeof(*e), bl_load_limit(b));
		if (!e)
			return -1;
		b->e = e;
	}
	r = bl_ix_room(&b->eix, b->n + 1);
	if (r < 0)
		return -1;
	if (r > 0)
		bl_entry_reindex(b);
	e = &b->e[b->n];
	memset(e, 0, sizeof(*e));
	e->seen = it->seen;
	e->prog = (uint32_t)prog;
	e->kind = (uint8_t)it->kind;
	e->vlen = (uint8_t)it->vlen;
	memcpy(e->value, it->value, it->vlen);
	bl_ix_put(&b->eix, bl_entry_hash(e->prog, e->kind, e->value, e->vlen),
		  b->n);
	b->n++;
	return 0;
}

/* Free the programs no entry names any more and number the others
 * afresh, in place: a compaction must not need memory. */
static void bl_prog_compact(struct baseline *b)
{
	size_t i, j = 0;

	for (i = 0; i < b->np; i++)
		b->p[i]->refs = 0;
	for (i = 0; i < b->n; i++)
		b->p[b->e[i].prog]->refs++;
	for (i = 0; i < b->np; i++)
		if (b->p[i]->refs)
			b->p[i]->to = (uint32_t)j++;
	for (i = 0; i < b->n; i++)
		b->e[i].prog = b->p[b->e[i].prog]->to;
	for (i = 0, j = 0; i < b->np; i++) {
		if (b->p[i]->refs)
			b->p[j++] = b->p[i];
		else
			free(b->p[i]);
	}
	b->np = j;
}

/* After entries left the array: the programs, then both indexes. */
static void bl_compact(struct baseline *b)
{
	bl_prog_compact(b);
	bl_prog_reindex(b);
	bl_entry_reindex(b);
}

static int bl_seen_cmp(const void *x, const void *y)
{
	const struct bl_entry *a = x, *c = y;

	return (a->seen > c->seen) - (a->seen < c->seen);
}

/* Drop the k least recently seen entries in one go: one sort pays for
 * the next k additions, where finding the oldest each time would scan
 * the whole array per addition. */
static void bl_drop_oldest(struct baseline *b, size_t k)
{
	qsort(b->e, b->n, sizeof(*b->e), bl_seen_cmp);
	memmove(b->e, b->e + k, (b->n - k) * sizeof(*b->e));
	b->n -= k;
	b->evicted += k;
	bl_compact(b);
}

static uint64_t bl_cutoff(const struct baseline *b, uint64_t now)
{
	return b->expire_s && now > b->expire_s ? now - b->expire_s : 0;
}

static void bl_expire(struct baseline *b, uint64_t now)
{
	uint64_t cut = bl_cutoff(b, now);
	size_t i, j = 0;

	for (i = 0; i < b->n; i++)
		if (b->e[i].seen >= cut)
			b->e[j++] = b->e[i];
	if (j == b->n)
		return;
	b->n = j;
	bl_compact(b);
}

#define BL_DIRTY_SECS 3600

/* Known: its last-seen moves up. New: added, after dropping down to
 * keep entries when there are limit already. 1 new, 0 known, -1. */
static int bl_upsert(struct baseline *b, const struct bl_item *it,
		     size_t limit, size_t keep)
{
	size_t prog = bl_prog_find(b, it->prog, it->plen), i = SIZE_MAX;

	if (prog != SIZE_MAX)
		i = bl_entry_find(b, prog, it);
	if (i != SIZE_MAX) {
		if (it->seen > b->e[i].seen) {
			/* Into a new hour: the file is out of date. Within
			 * one, not: expiry counts days, and a host that
			 * talks all day need not rewrite it each minute. */
			if (it->seen / BL_DIRTY_SECS != b->e[i].seen / BL_DIRTY_SECS)
				b->dirty = 1;
			b->e[i].seen = it->seen;
		}
		return 0;
	}
	if (b->n >= limit) {
		bl_drop_oldest(b, b->n - keep);
		prog = bl_prog_find(b, it->prog, it->plen); /* renumbered */
	}
	if (prog == SIZE_MAX && bl_prog_add(b, it->prog, it->plen, &prog) < 0)
		return -1;
	if (bl_entry_add(b, prog, it) < 0)
		return -1;
	b->dirty = 1;
	return 1;
}

static void bl_reset(struct baseline *b)
{
	for (size_t i = 0; i < b->np; i++)
		free(b->p[i]);
	free(b->p);
	free(b->e);
	free(b->pix.slot);
	free(b->eix.slot);
	b->p = NULL;
	b->e = NULL;
	b->np = b->pcap = b->n = b->ecap = 0;
	b->pix = (struct bl_index){ NULL, 0 };
	b->eix = (struct bl_index){ NULL, 0 };
	b->dirty = 0;
}

/* ---- values ---- */

enum bl_num { BL_NUM_OK, BL_NUM_BAD, BL_NUM_ZERO, BL_NUM_BIG };

/* Decimal, digits only, no leading zero but "0" itself, at most max. */
static enum bl_num bl_num(const char *s, size_t len, uint64_t max,
			  uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!len)
		return BL_NUM_BAD;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return BL_NUM_BAD;
	if (s[0] == '0' && len > 1)
		return BL_NUM_ZERO;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (x > (max - d) / 10)
			return BL_NUM_BIG;
		x = x * 10 + d;
	}
	*v = x;
	return BL_NUM_OK;
}

static int bl_value_dst(const char *in, size_t len, char *out)
{
	char s[BL_VALUE_LEN];
	unsigned char a[16];
	int af = AF_INET;

	if (len >= sizeof(s) || memchr(in, 0, len))
		return -1;
	memcpy(s, in, len);
	s[len] = 0;
	if (inet_pton(AF_INET, s, a) != 1) {
		af = AF_INET6;
		if (inet_pton(AF_INET6, s, a) != 1)
			return -1;
	}
	return inet_ntop(af, a, out, BL_VALUE_LEN) ? 0 : -1;
}

/* A country as GeoIP databases name it: nothing else is normalised to
 * it, so that one country is one entry. */
static int bl_value_country(const char *in, size_t len, char *out)
{
	if (len != 2 || in[0] < 'A' || in[0] > 'Z' || in[1] < 'A' ||
	    in[1] > 'Z')
		return -1;
	memcpy(out, in, 2);
	out[2] = 0;
	return 0;
}

static int bl_value_asn(const char *in, size_t len, char *out)
{
	uint64_t v;

	if (bl_num(in, len, UINT32_MAX, &v) != BL_NUM_OK || !v)
		return -1;
	memcpy(out, in, len);
	out[len] = 0;
	return 0;
}

/* in[0..len) as a value of kind k: its canonical text to it->value. */
static int bl_value(struct bl_item *it, const char *in, size_t len)
{
	int r = -1;

	if (it->kind == BL_DST)
		r = bl_value_dst(in, len, it->value);
	else if (it->kind == BL_COUNTRY)
		r = bl_value_country(in, len, it->value);
	else if (it->kind == BL_ASN)
		r = bl_value_asn(in, len, it->value);
	if (r == 0)
		it->vlen = strlen(it->value);
	return r;
}

/* A caller's (program, kind, value), checked, to it. */
static int bl_item_set(struct bl_item *it, const char *program,
		       enum bl_kind kind, const char *value)
{
	if (!program || !value || (unsigned)kind >= BL_KINDS)
		return -1;
	it->prog = program;
	it->plen = strnlen(program, BL_PROGRAM_MAX + 1);
	it->kind = kind;
	it->seen = 0;
	if (!it->plen || it->plen > BL_PROGRAM_MAX)
		return -1;
	return bl_value(it, value, strnlen(value, BL_VALUE_LEN));
}

/* ---- the file's text ---- */

static int bl_needs_esc(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '%';
}

/* s[0..len) escaped to out, or only measured when out is NULL. */
static size_t bl_esc(char *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!bl_needs_esc(c)) {
			if (out)
				out[o] = (char)c;
			o++;
			continue;
		}
		if (out) {
			out[o] = '%';
			out[o + 1] = hex[c >> 4];
			out[o + 2] = hex[c & 15];
		}
		o += 3;
	}
	return o;
}

enum bl_unesc { BL_UE_OK, BL_UE_RAW, BL_UE_BAD, BL_UE_NUL, BL_UE_LONG };

static int bl_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A field of the file, in[0..len), unescaped to out (at most max bytes,
 * then a NUL) and its length to *olen. A raw byte that should have been
 * escaped is refused (*raw says which): a file with one is not one this
 * module wrote, and a program read from it could never be written back
 * the same. */
static enum bl_unesc bl_unesc(const char *in, size_t len, char *out,
			      size_t max, size_t *olen, unsigned char *raw)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		int hi, lo;

		if (c == '%') {
			if (len - i < 3 || (hi = bl_hex(in[i + 1])) < 0 ||
			    (lo = bl_hex(in[i + 2])) < 0)
				return BL_UE_BAD;
			c = (unsigned char)(hi << 4 | lo);
			if (!c)
				return BL_UE_NUL;
			i += 3;
		} else if (bl_needs_esc(c)) {
			*raw = c;
			return BL_UE_RAW;
		} else {
			i++;
		}
		if (o == max)
			return BL_UE_LONG;
		out[o++] = (char)c;
	}
	out[o] = 0;
	*olen = o;
	return BL_UE_OK;
}

static size_t bl_dec_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static size_t bl_put_dec(char *out, uint64_t v)
{
	size_t n = bl_dec_len(v), i = n;

	do {
		out[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (i);
	return n;
}

static size_t bl_line_len(const struct baseline *b, const struct bl_entry *e)
{
	return strlen(bl_kind_names[e->kind]) + 1 + bl_dec_len(e->seen) + 1 +
		b->p[e->prog]->elen + 1 + bl_esc(NULL, e->value, e->vlen) + 1;
}

static char *bl_put_line(const struct baseline *b, const struct bl_entry *e,
			 char *o)
{
	const struct bl_prog *p = b->p[e->prog];
	const char *k = bl_kind_names[e->kind];
	size_t kl = strlen(k);

	memcpy(o, k, kl);
	o += kl;
	*o++ = ' ';
	o += bl_put_dec(o, e->seen);
	*o++ = ' ';
	o += bl_esc(o, p->name, p->len);
	*o++ = ' ';
	o += bl_esc(o, e->value, e->vlen);
	*o++ = '\n';
	return o;
}

static int bl_prog_cmp(const void *x, const void *y)
{
	const struct bl_prog *a = *(const struct bl_prog *const *)x;
	const struct bl_prog *c = *(const struct bl_prog *const *)y;
	int r = memcmp(a->name, c->name, a->len < c->len ? a->len : c->len);

	if (r)
		return r;
	return (a->len > c->len) - (a->len < c->len);
}

/* Each program's rank by name, and its escaped length: the sort of the
 * entries then compares integers where it can, not names. */
static int bl_prog_rank(struct baseline *b)
{
	struct bl_prog **v;

	if (!b->np)
		return 0;
	v = malloc(b->np * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v, b->p, b->np * sizeof(*v));
	qsort(v, b->np, sizeof(*v), bl_prog_cmp);
	for (size_t i = 0; i < b->np; i++) {
		v[i]->to = (uint32_t)i;
		v[i]->elen = (uint32_t)bl_esc(NULL, v[i]->name, v[i]->len);
	}
	free(v);
	return 0;
}

static int bl_order_cmp(const void *x, const void *y, void *ctx)
{
	const struct baseline *b = ctx;
	const struct bl_entry *e = &b->e[*(const uint32_t *)x];
	const struct bl_entry *f = &b->e[*(const uint32_t *)y];
	uint32_t re = b->p[e->prog]->to, rf = b->p[f->prog]->to;

	if (re != rf)
		return re < rf ? -1 : 1;
	if (e->kind != f->kind)
		return e->kind < f->kind ? -1 : 1;
	return strcmp(e->value, f->value);
}

/* The entries' indexes in the file's order (the array itself stays as
 * the index has it). NULL when out of memory. */
static uint32_t *bl_order(struct baseline *b)
{
	uint32_t *ord = malloc((b->n ? b->n : 1) * sizeof(*ord));

	if (!ord || bl_prog_rank(b) < 0) {
		free(ord);
		return NULL;
	}
	for (size_t i = 0; i < b->n; i++)
		ord[i] = (uint32_t)i;
	qsort_r(ord, b->n, sizeof(*ord), bl_order_cmp, b);
	return ord;
}

/* ---- the parser ---- */

struct bl_parse {
	struct baseline *b;
	char *err;
	size_t errlen;
	size_t line;
	uint64_t cutoff;
	char prog[BL_PROGRAM_MAX + 1];
};

struct bl_fields {
	const char *s[4];
	size_t len[4];
};

__attribute__((format(printf, 2, 3)))
static int bl_fail(struct bl_parse *ps, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!ps->err || !ps->errlen)
		return -1;
	k = snprintf(ps->err, ps->errlen, "line %zu: ", ps->line);
	if (k < 0 || (size_t)k >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* A field of the file for a message: escaped for a terminal, and cut,
 * since it may be anything but a space or a newline. */
static const char *bl_quote(char *out, size_t outsz, const char *s,
			    size_t len)
{
	size_t show = len < 40 ? len : 40;
	size_t n = esc_term(out, outsz - 4, s, show);

	if (show < len)
		memcpy(out + n, "...", 4);
	return out;
}

static int bl_header(struct bl_parse *ps, const char *s, size_t len)
{
	if (len == strlen(BL_HEADER) && !memcmp(s, BL_HEADER, len))
		return 0;
	return bl_fail(ps, "not a flowtop baseline (the first line must be \""
		       BL_HEADER "\")");
}

static int bl_split(struct bl_parse *ps, const char *s, size_t len,
		    struct bl_fields *f)
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (i == start)
			return bl_fail(ps, "empty field (fields are separated "
				       "by single spaces)");
		if (k < 4) {
			f->s[k] = s + start;
			f->len[k] = i - start;
		}
		k++;
		start = i + 1;
	}
	if (k != 4)
		return bl_fail(ps, "expected 4 fields, found %zu", k);
	return 0;
}

static int bl_parse_kind(struct bl_parse *ps, const char *s, size_t len,
			 struct bl_item *it)
{
	char q[BL_QUOTE];

	for (unsigned k = 0; k < BL_KINDS; k++) {
		if (strlen(bl_kind_names[k]) == len &&
		    !memcmp(bl_kind_names[k], s, len)) {
			it->kind = (enum bl_kind)k;
			return 0;
		}
	}
	return bl_fail(ps, "unknown kind \"%s\"",
		       bl_quote(q, sizeof(q), s, len));
}

static int bl_parse_time(struct bl_parse *ps, const char *s, size_t len,
			 struct bl_item *it)
{
	enum bl_num r = bl_num(s, len, BL_TIME_MAX, &it->seen);
	char q[BL_QUOTE];

	if (r == BL_NUM_OK)
		return 0;
	bl_quote(q, sizeof(q), s, len);
	if (r == BL_NUM_ZERO)
		return bl_fail(ps, "time \"%s\" has a leading zero", q);
	if (r == BL_NUM_BIG)
		return bl_fail(ps, "time \"%s\" is past 2^40", q);
	return bl_fail(ps, "bad time \"%s\" (decimal seconds, no sign)", q);
}

static int bl_unesc_fail(struct bl_parse *ps, enum bl_unesc r,
			 unsigned char raw, const char *what)
{
	if (r == BL_UE_RAW)
		return bl_fail(ps, "byte 0x%02x in the %s must be written "
			       "%%%02X", raw, what, raw);
	if (r == BL_UE_BAD)
		return bl_fail(ps, "bad escape in the %s (%%XX, two hex "
			       "digits)", what);
	if (r == BL_UE_NUL)
		return bl_fail(ps, "escaped NUL (%%00) in the %s", what);
	return bl_fail(ps, "%s longer than %d bytes", what, BL_PROGRAM_MAX);
}

static int bl_parse_prog(struct bl_parse *ps, const char *s, size_t len,
			 struct bl_item *it)
{
	unsigned char raw = 0;
	enum bl_unesc r = bl_unesc(s, len, ps->prog, BL_PROGRAM_MAX,
				   &it->plen, &raw);

	if (r != BL_UE_OK)
		return bl_unesc_fail(ps, r, raw, "program");
	it->prog = ps->prog;
	return 0;
}

static int bl_parse_value(struct bl_parse *ps, const char *s, size_t len,
			  struct bl_item *it)
{
	static const char *const what[BL_KINDS] = {
		[BL_DST] = "address (IPv4 or IPv6)",
		[BL_COUNTRY] = "country (two upper-case letters)",
		[BL_ASN] = "AS number (1 to 4294967295, no leading zero)",
	};
	char v[BL_VALUE_LEN], q[BL_QUOTE];
	unsigned char raw = 0;
	size_t vlen = 0;
	enum bl_unesc r = bl_unesc(s, len, v, sizeof(v) - 1, &vlen, &raw);

	if (r != BL_UE_OK && r != BL_UE_LONG)
		return bl_unesc_fail(ps, r, raw, "value");
	if (r == BL_UE_OK && bl_value(it, v, vlen) == 0)
		return 0;
	return bl_fail(ps, "bad %s: \"%s\"", what[it->kind],
		       bl_quote(q, sizeof(q), s, len));
}

static int bl_entry_line(struct bl_parse *ps, const char *s, size_t len)
{
	struct bl_fields f;
	struct bl_item it;

	memset(&it, 0, sizeof(it));
	if (bl_split(ps, s, len, &f) < 0 ||
	    bl_parse_kind(ps, f.s[0], f.len[0], &it) < 0 ||
	    bl_parse_time(ps, f.s[1], f.len[1], &it) < 0 ||
	    bl_parse_prog(ps, f.s[2], f.len[2], &it) < 0 ||
	    bl_parse_value(ps, f.s[3], f.len[3], &it) < 0)
		return -1;
	if (it.seen < ps->cutoff)
		return 0;
	if (bl_upsert(ps->b, &it, bl_load_limit(ps->b), ps->b->max) < 0)
		return bl_fail(ps, "out of memory");
	return 0;
}

static int bl_line(struct bl_parse *ps, const char *s, size_t len)
{
	if (memchr(s, '\0', len))
		return bl_fail(ps, "NUL byte");
	if (memchr(s, '\r', len))
		return bl_fail(ps, "carriage return (\\r)");
	if (ps->line == 1)
		return bl_header(ps, s, len);
	if (!len || s[0] == '#')
		return 0;
	return bl_entry_line(ps, s, len);
}

static int bl_parse_all(struct bl_parse *ps, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		const char *s = buf + off;
		size_t room = n - off, len;
		const char *nl = memchr(s, '\n', room < BL_LINE_MAX + 1 ?
					room : BL_LINE_MAX + 1);

		ps->line++;
		len = nl ? (size_t)(nl - s) : room;
		if (len > BL_LINE_MAX)
			return bl_fail(ps, "longer than %d bytes", BL_LINE_MAX);
		off += len + (nl != NULL);
		if (bl_line(ps, s, len) < 0)
			return -1;
	}
	return 0;
}

/* ---- the interface ---- */

struct baseline *baseline_new(uint32_t max, uint64_t expire_s)
{
	struct baseline *b;

	if (!max)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->max = max < BL_HARD_MAX ? max : BL_HARD_MAX;
	b->expire_s = expire_s;
	return b;
}

void baseline_free(struct baseline *b)
{
	if (!b)
		return;
	bl_reset(b);
	free(b);
}

int baseline_load(struct baseline *b, const char *buf, size_t n, uint64_t now,
		  char *err, size_t errlen)
{
	struct bl_parse ps = {
		.b = b, .err = err, .errlen = errlen,
		.cutoff = bl_cutoff(b, now),
	};
	uint64_t evicted = b->evicted;

	bl_reset(b);
	if (err && errlen)
		err[0] = 0;
	if (bl_parse_all(&ps, buf, n) < 0) {
		bl_reset(b);
		b->evicted = evicted;
		return -1;
	}
	if (b->n > b->max)
		bl_drop_oldest(b, b->n - b->max);
	b->dirty = 0;
	return 0;
}

int baseline_see(struct baseline *b, const char *program, enum bl_kind kind,
		 const char *value, uint64_t now)
{
	struct bl_item it;
	size_t drop;

	if (!b || bl_item_set(&it, program, kind, value) < 0)
		return -1;
	it.seen = now < BL_TIME_MAX ? now : BL_TIME_MAX;
	drop = b->max / 8 ? b->max / 8 : 1;
	return bl_upsert(b, &it, b->max, b->max - drop);
}

int baseline_has(const struct baseline *b, const char *program,
		 enum bl_kind kind, const char *value)
{
	struct bl_item it;
	size_t prog;

	if (!b || bl_item_set(&it, program, kind, value) < 0)
		return 0;
	prog = bl_prog_find(b, it.prog, it.plen);
	return prog != SIZE_MAX && bl_entry_find(b, prog, &it) != SIZE_MAX;
}

size_t baseline_count(const struct baseline *b)
{
	return b->n;
}

int baseline_dirty(const struct baseline *b)
{
	return b->dirty;
}

uint64_t baseline_evicted(const struct baseline *b)
{
	return b->evicted;
}

int baseline_format(struct baseline *b, uint64_t now, char **out,
		    size_t *len)
{
	static const char head[] = BL_HEADER "\n";
	uint32_t *ord;
	size_t total = sizeof(head) - 1;
	char *s, *o;

	*out = NULL;
	*len = 0;
	bl_expire(b, now);
	ord = bl_order(b);
	if (!ord)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		total += bl_line_len(b, &b->e[i]);
	s = malloc(total);
	if (!s) {
		free(ord);
		return -1;
	}
	memcpy(s, head, sizeof(head) - 1);
	o = s + sizeof(head) - 1;
	for (size_t i = 0; i < b->n; i++)
		o = bl_put_line(b, &b->e[ord[i]], o);
	free(ord);
	*out = s;
	*len = total;
	b->dirty = 0;
	return 0;
}

const char *baseline_kind_name(enum bl_kind k)
{
	return (unsigned)k < BL_KINDS ? bl_kind_names[k] : "?";
}
