/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_line: one line of a recording, read back (see rp_line.h).
 *
 * A single pass over the bytes, never past len: the line is not
 * NUL-terminated, and it comes from whoever made the file. Known keys are
 * found in one table (their index is their bit in the mask of keys seen);
 * what depends on another key (addresses on "family", states on "proto")
 * is kept as text and settled once the object is closed, since JSON does
 * not order its keys. Unknown values are skipped, recursing at most
 * RP_DEPTH_MAX containers deep.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "replay/rp_line.h"

#define NS_PER_SEC UINT64_C(1000000000)

#define RP_KEY_MAX 24   /* decoded key bytes kept; longer keys are unknown */
#define RP_WORD_MAX 24  /* "event", "family", "proto", "state" values */
#define RP_ADDR_MAX 64  /* an address's text: INET6_ADDRSTRLEN and more */

/* The text values settled at the end (struct rp_parse's word[]). */
enum { RW_EVENT, RW_FAMILY, RW_PROTO, RW_STATE, RW_COUNT };

/* The addresses, by index in struct rp_parse's addr[]. */
enum { RA_SRC, RA_DST, RA_RSRC, RA_RDST, RA_COUNT };

struct rp_parse {
	const unsigned char *s;
	size_t len, at;
	const char *why;         /* the first failure's reason */
	struct rp_line *out;
	uint64_t seen;           /* bit n: rp_keys[n] was given */
	uint64_t age;
	int hidden;
	char word[RW_COUNT][RP_WORD_MAX];
	char addr[RA_COUNT][RP_ADDR_MAX];
};

struct rp_key;
typedef int (*rp_key_fn)(struct rp_parse *p, const struct rp_key *k);

/* A known key. off and size place its value in struct rp_line, or (text
 * kept for later) index word[] or addr[]; min and max bound integers. */
struct rp_key {
	const char *name;
	const char *missing, *twice, *bad, *range;
	rp_key_fn fn;
	size_t off, size;
	uint64_t min, max;
};

static int rp_fail(struct rp_parse *p, const char *why)
{
	if (!p->why)
		p->why = why;
	return -1;
}

/* The next byte, -1 at the end. */
static int rp_peek(const struct rp_parse *p)
{
	return p->at < p->len ? p->s[p->at] : -1;
}

static int rp_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void rp_ws(struct rp_parse *p)
{
	while (rp_is_ws(rp_peek(p)))
		p->at++;
}

/* c must come next (after blanks); a line that ends first was cut. */
static int rp_expect(struct rp_parse *p, int c, const char *why)
{
	rp_ws(p);
	if (rp_peek(p) < 0)
		return rp_fail(p, "truncated line");
	if (rp_peek(p) != c)
		return rp_fail(p, why);
	p->at++;
	return 0;
}

/* Whether word comes next: 1 (and it is read), 0 if not, -1 if the
 * line ends within it. */
static int rp_match(struct rp_parse *p, const char *word)
{
	size_t n = strlen(word), left = p->len - p->at;

	if (memcmp(p->s + p->at, word, left < n ? left : n))
		return 0;
	if (left < n)
		return -1;
	p->at += n;
	return 1;
}

/* ---- strings ---- */

/* Where a string's decoded bytes go: cap bytes at d (cap 0: nowhere,
 * the string is only checked). Once a unit does not fit, nothing more
 * is kept, so what is kept is a prefix that ends between two units. */
struct rp_sink {
	char *d;
	size_t cap, n;
	int cut;
};

static void rp_sink_put(struct rp_sink *k, const char *b, size_t n)
{
	if (k->cut || !k->cap)
		return;
	if (n >= k->cap - k->n) {
		k->cut = 1;
		return;
	}
	memcpy(k->d + k->n, b, n);
	k->n += n;
}

static int rp_hex4(struct rp_parse *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = rp_peek(p);

		if (c < 0)
			return rp_fail(p, "truncated line");
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return rp_fail(p, "bad string escape");
		*v = *v << 4 | (uint32_t)c;
		p->at++;
	}
	return 0;
}

static size_t rp_utf8(uint32_t cp, char b[4])
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | cp >> 18);
	b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The code point of a \u escape whose "\u" was read; a high surrogate
 * takes the low one that must follow it. */
static int rp_unicode(struct rp_parse *p, uint32_t *cp)
{
	uint32_t lo;
	int m;

	if (rp_hex4(p, cp) < 0)
		return -1;
	if (*cp == 0)
		return rp_fail(p, "\\u0000 in a string");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return rp_fail(p, "lone surrogate");
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	m = rp_match(p, "\\u");
	if (m <= 0)
		return rp_fail(p, m ? "truncated line" : "lone surrogate");
	if (rp_hex4(p, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return rp_fail(p, "lone surrogate");
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* One escape, its '\\' read, decoded into b; its length, 0 on failure. */
static size_t rp_escape(struct rp_parse *p, char b[4])
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	uint32_t cp;
	int c = rp_peek(p);

	if (c < 0) {
		rp_fail(p, "truncated line");
		return 0;
	}
	p->at++;
	if (c == 'u')
		return rp_unicode(p, &cp) < 0 ? 0 : rp_utf8(cp, b);
	/* strchr would find a NUL byte: the terminator. */
	e = c ? strchr(from, c) : NULL;
	if (!e) {
		rp_fail(p, "bad string escape");
		return 0;
	}
	b[0] = to[e - from];
	return 1;
}

/* The string that starts here (its '"' not yet read) into k. */
static int rp_string(struct rp_parse *p, struct rp_sink *k)
{
	char b[4];
	size_t n;
	int c;

	p->at++;        /* the opening quote, which the caller saw */
	while ((c = rp_peek(p)) != '"') {
		if (c < 0)
			return rp_fail(p, "truncated line");
		p->at++;
		if (c == '\\') {
			if (!(n = rp_escape(p, b)))
				return -1;
		} else if (c < 0x20) {
			return rp_fail(p, "control byte in a string");
		} else {
			b[0] = (char)c;
			n = 1;
		}
		rp_sink_put(k, b, n);
	}
	p->at++;
	if (k->cap)
		k->d[k->n] = '\0';
	return 0;
}

/* A known key's string value into d (cap bytes); *cut when it was. */
static int rp_str_value(struct rp_parse *p, const struct rp_key *k,
			char *d, size_t cap, int *cut)
{
	struct rp_sink sink = { .d = d, .cap = cap };

	if (rp_peek(p) != '"')
		return rp_fail(p, k->bad);
	if (rp_string(p, &sink) < 0)
		return -1;
	if (cut)
		*cut = sink.cut;
	return 0;
}

/* ---- numbers ---- */

/* The number token here: its bytes, up to the first that no number
 * holds. *n 0 when there is none. */
static const unsigned char *rp_num_token(struct rp_parse *p, size_t *n)
{
	const unsigned char *t = p->s + p->at;
	int c;

	while ((c = rp_peek(p)) >= 0 &&
	       ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
		c == 'e' || c == 'E'))
		p->at++;
	*n = (size_t)(p->s + p->at - t);
	return t;
}

static size_t rp_digits(const unsigned char *t, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && t[j] >= '0' && t[j] <= '9')
		j++;
	return j - i;
}

/* Whether t[0..n) is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)? and nothing else. */
static int rp_num_valid(const unsigned char *t, size_t n)
{
	size_t i = n && t[0] == '-', d = rp_digits(t, n, i);

	if (!d || (d > 1 && t[i] == '0'))
		return 0;
	i += d;
	if (i < n && t[i] == '.') {
		if (!(d = rp_digits(t, n, i + 1)))
			return 0;
		i += 1 + d;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		if (!(d = rp_digits(t, n, i)))
			return 0;
		i += d;
	}
	return i == n;
}

/* A JSON number token, valid, for a known key: a '-' or an exponent is
 * out of range or bad by the key's rules, which the callers apply. */
static const unsigned char *rp_number(struct rp_parse *p,
				      const struct rp_key *k, size_t *n)
{
	const unsigned char *t = rp_num_token(p, n);

	if (!*n) {
		rp_fail(p, rp_peek(p) < 0 ? "truncated line" : k->bad);
		return NULL;
	}
	if (!rp_num_valid(t, *n)) {
		rp_fail(p, k->bad);
		return NULL;
	}
	return t;
}

/* Decimal digits t[0..n) as an integer no greater than max. */
static int rp_decimal(const unsigned char *t, size_t n, uint64_t max,
		      uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = t[i] - '0';

		/* v * 10 + d > max, without computing it. */
		if (d > max || *v > (max - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	return 0;
}

/* A plain unsigned integer in k's range: no sign, fraction, exponent. */
static int rp_uint(struct rp_parse *p, const struct rp_key *k, uint64_t *v)
{
	size_t n;
	const unsigned char *t = rp_number(p, k, &n);

	if (!t)
		return -1;
	if (t[0] == '-')
		return rp_fail(p, k->range);
	if (rp_digits(t, n, 0) != n)
		return rp_fail(p, k->bad);
	if (rp_decimal(t, n, k->max, v) < 0 || *v < k->min)
		return rp_fail(p, k->range);
	return 0;
}

/* ---- unknown values ---- */

static int rp_skip(struct rp_parse *p, int depth);

static int rp_literal(struct rp_parse *p, const char *word)
{
	int m = rp_match(p, word);

	if (m < 0)
		return rp_fail(p, "truncated line");
	return m ? 0 : rp_fail(p, "bad JSON value");
}

/* A member's "key": in an object being skipped. */
static int rp_skip_key(struct rp_parse *p)
{
	struct rp_sink none = { 0 };

	rp_ws(p);
	if (rp_peek(p) < 0)
		return rp_fail(p, "truncated line");
	if (rp_peek(p) != '"')
		return rp_fail(p, "bad object key");
	if (rp_string(p, &none) < 0)
		return -1;
	return rp_expect(p, ':', "expected ':'");
}

/* The rest of an array or object whose opening bracket was read. */
static int rp_skip_items(struct rp_parse *p, int depth, int object)
{
	int close = object ? '}' : ']';

	rp_ws(p);
	if (rp_peek(p) == close) {
		p->at++;
		return 0;
	}
	for (;;) {
		if (object && rp_skip_key(p) < 0)
			return -1;
		rp_ws(p);
		if (rp_skip(p, depth) < 0)
			return -1;
		rp_ws(p);
		if (rp_peek(p) == close) {
			p->at++;
			return 0;
		}
		if (rp_expect(p, ',', object ? "expected ',' or '}'" :
			      "expected ',' or ']'") < 0)
			return -1;
	}
}

/* Any JSON value, checked and passed over; depth containers enclose it. */
static int rp_skip(struct rp_parse *p, int depth)
{
	struct rp_sink none = { 0 };
	size_t n;
	int c = rp_peek(p);

	if (c == '"')
		return rp_string(p, &none);
	if (c == '{' || c == '[') {
		if (depth >= RP_DEPTH_MAX)
			return rp_fail(p, "nesting too deep");
		p->at++;
		return rp_skip_items(p, depth + 1, c == '{');
	}
	if (c == 't')
		return rp_literal(p, "true");
	if (c == 'f')
		return rp_literal(p, "false");
	if (c == 'n')
		return rp_literal(p, "null");
	if (c < 0)
		return rp_fail(p, "truncated line");
	rp_num_token(p, &n);
	if (!n || !rp_num_valid(p->s + p->at - n, n))
		return rp_fail(p, "bad JSON value");
	return 0;
}

/* ---- the known keys' values ---- */

static void *rp_field(struct rp_parse *p, const struct rp_key *k)
{
	return (char *)p->out + k->off;
}

static void rp_store(void *at, size_t size, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (size == 1)
		memcpy(at, &v8, 1);
	else if (size == 2)
		memcpy(at, &v16, 2);
	else if (size == 4)
		memcpy(at, &v32, 4);
	else
		memcpy(at, &v, 8);
}

static int rp_k_uint(struct rp_parse *p, const struct rp_key *k)
{
	uint64_t v;

	if (rp_uint(p, k, &v) < 0)
		return -1;
	rp_store(rp_field(p, k), k->size, v);
	return 0;
}

static int rp_k_age(struct rp_parse *p, const struct rp_key *k)
{
	return rp_uint(p, k, &p->age);
}

/* Any string, cut to its field. */
static int rp_k_text(struct rp_parse *p, const struct rp_key *k)
{
	return rp_str_value(p, k, rp_field(p, k), k->size, NULL);
}

/* A string the ui derives anew or does not need: checked only. */
static int rp_k_ignore(struct rp_parse *p, const struct rp_key *k)
{
	return rp_str_value(p, k, NULL, 0, NULL);
}

/* Control bytes made '?', as the collector cleans a command line. */
static int rp_k_cmdline(struct rp_parse *p, const struct rp_key *k)
{
	unsigned char *d = rp_field(p, k);

	if (rp_str_value(p, k, (char *)d, k->size, NULL) < 0)
		return -1;
	for (; *d; d++)
		if (*d < 0x20 || *d == 0x7f)
			*d = '?';
	return 0;
}

/* Two ASCII capitals, else "": the ui takes the code for a flag. */
static int rp_k_country(struct rp_parse *p, const struct rp_key *k)
{
	char t[4];
	int cut;

	if (rp_str_value(p, k, t, sizeof(t), &cut) < 0)
		return -1;
	if (!cut && strlen(t) == 2 && t[0] >= 'A' && t[0] <= 'Z' &&
	    t[1] >= 'A' && t[1] <= 'Z')
		memcpy(rp_field(p, k), t, 3);
	return 0;
}

/* Text settled at the end: too long is never right. */
static int rp_keep(struct rp_parse *p, const struct rp_key *k, char *d,
		   size_t cap)
{
	int cut;

	if (rp_str_value(p, k, d, cap, &cut) < 0)
		return -1;
	return cut ? rp_fail(p, k->bad) : 0;
}

static int rp_k_word(struct rp_parse *p, const struct rp_key *k)
{
	return rp_keep(p, k, p->word[k->off], RP_WORD_MAX);
}

static int rp_k_addr(struct rp_parse *p, const struct rp_key *k)
{
	return rp_keep(p, k, p->addr[k->off], RP_ADDR_MAX);
}

/* "time": seconds, and up to 9 digits of fraction, in nanoseconds. */
static int rp_k_time(struct rp_parse *p, const struct rp_key *k)
{
	uint64_t sec, frac = 0;
	size_t n, d, i;
	const unsigned char *t = rp_number(p, k, &n);

	if (!t)
		return -1;
	if (t[0] == '-')
		return rp_fail(p, k->range);
	d = rp_digits(t, n, 0);
	if (d < n && (t[d] != '.' || n - d - 1 > 9 ||
		      rp_digits(t, n, d + 1) != n - d - 1))
		return rp_fail(p, k->bad);
	if (rp_decimal(t, d, UINT64_MAX / NS_PER_SEC, &sec) < 0)
		return rp_fail(p, k->range);
	for (i = d + 1; i < d + 10; i++)
		frac = frac * 10 + (i < n ? (uint64_t)(t[i] - '0') : 0);
	if (frac > UINT64_MAX - sec * NS_PER_SEC)
		return rp_fail(p, k->range);
	p->out->time_ns = sec * NS_PER_SEC + frac;
	return 0;
}

/* A rate: checked, not kept (the replay computes its own). */
static int rp_k_rate(struct rp_parse *p, const struct rp_key *k)
{
	size_t n;
	const unsigned char *t = rp_number(p, k, &n);

	if (!t)
		return -1;
	if (t[0] == '-')
		return rp_fail(p, k->range);
	if (memchr(t, 'e', n) || memchr(t, 'E', n))
		return rp_fail(p, k->bad);
	return 0;
}

static int rp_bool(struct rp_parse *p, const struct rp_key *k, int *v)
{
	int t = rp_match(p, "true"), f = t ? 0 : rp_match(p, "false");

	if (t < 0 || f < 0)
		return rp_fail(p, "truncated line");
	if (!t && !f)
		return rp_fail(p, k->bad);
	*v = t;
	return 0;
}

static int rp_k_hidden(struct rp_parse *p, const struct rp_key *k)
{
	return rp_bool(p, k, &p->hidden);
}

static int rp_k_exited(struct rp_parse *p, const struct rp_key *k)
{
	return rp_bool(p, k, &p->out->own.exited);
}

/* Label n set as flow_label_next() reads it: bit n % per of the n / per
 * th unsigned long, in the host's byte order. */
static void rp_label_set(struct flow_wire *w, unsigned n)
{
	const unsigned per = 8 * sizeof(unsigned long);
	unsigned long word;
	uint8_t *at = w->labels + n / per * sizeof(word);

	memcpy(&word, at, sizeof(word));
	word |= 1ul << (n % per);
	memcpy(at, &word, sizeof(word));
}

static int rp_label(struct rp_parse *p, const struct rp_key *k)
{
	uint64_t v;

	rp_ws(p);
	if (rp_uint(p, k, &v) < 0)
		return -1;
	rp_label_set(&p->out->w, (unsigned)v);
	return 0;
}

/* "labels": [n, ...], each 0..FLOW_LABELS - 1. */
static int rp_k_labels(struct rp_parse *p, const struct rp_key *k)
{
	if (rp_peek(p) != '[')
		return rp_fail(p, rp_peek(p) < 0 ? "truncated line" : k->bad);
	p->at++;
	rp_ws(p);
	if (rp_peek(p) == ']') {
		p->at++;
		return 0;
	}
	for (;;) {
		if (rp_label(p, k) < 0)
			return -1;
		rp_ws(p);
		if (rp_peek(p) == ']') {
			p->at++;
			return 0;
		}
		if (rp_expect(p, ',', k->bad) < 0)
			return -1;
	}
}

/* ---- the table ---- */

enum rp_key_id {
	RK_EVENT, RK_TIME, RK_ID, RK_FAMILY, RK_PROTO, RK_STATE,
	RK_SRC, RK_DST, RK_RSRC, RK_RDST,
	RK_SPORT, RK_DPORT, RK_RSPORT, RK_RDPORT, RK_ICMP_TYPE, RK_ICMP_CODE,
	RK_ZONE, RK_MARK, RK_LABELS,
	RK_ORIG_BYTES, RK_ORIG_PACKETS, RK_REPLY_BYTES, RK_REPLY_PACKETS,
	RK_ORIG_RATE, RK_REPLY_RATE, RK_AGE,
	RK_PID, RK_PROCESS, RK_UID, RK_USER, RK_HIDDEN,
	RK_CMDLINE, RK_EXE, RK_UNIT, RK_CONTAINER, RK_CGROUP, RK_NETNS,
	RK_EXITED, RK_SERVICE,
	RK_SRC_NAME, RK_DST_NAME, RK_SRC_COUNTRY, RK_DST_COUNTRY,
	RK_SRC_COUNTRY_NAME, RK_DST_COUNTRY_NAME, RK_SRC_CITY, RK_DST_CITY,
	RK_SRC_ASN, RK_DST_ASN, RK_SRC_AS_ORG, RK_DST_AS_ORG,
	RK_COUNT
};

_Static_assert(RK_COUNT <= 64, "the keys seen are bits of a uint64_t");

#define RP_BIT(id) (UINT64_C(1) << (id))

/* The reasons are literals, one set per key. */
#define RP_KEY(n, f) .name = n, .missing = "missing \"" n "\"", \
	.twice = "\"" n "\" given twice", .bad = "bad \"" n "\"", \
	.range = "\"" n "\" out of range", .fn = (f)
#define RP_AT(m) .off = offsetof(struct rp_line, m), \
	.size = sizeof(((struct rp_line *)0)->m)
/* An integer member m of the whole range of its type. */
#define RP_UINT(n, m) { RP_KEY(n, rp_k_uint), RP_AT(m), \
	.max = UINT64_MAX >> (64 - 8 * sizeof(((struct rp_line *)0)->m)) }
#define RP_TEXT(n, m, f) { RP_KEY(n, f), RP_AT(m) }

static const struct rp_key rp_keys[RK_COUNT] = {
	[RK_EVENT] = { RP_KEY("event", rp_k_word), .off = RW_EVENT },
	[RK_TIME] = { RP_KEY("time", rp_k_time) },
	[RK_ID] = RP_UINT("id", w.id),
	[RK_FAMILY] = { RP_KEY("family", rp_k_word), .off = RW_FAMILY },
	[RK_PROTO] = { RP_KEY("proto", rp_k_word), .off = RW_PROTO },
	[RK_STATE] = { RP_KEY("state", rp_k_word), .off = RW_STATE },
	[RK_SRC] = { RP_KEY("src", rp_k_addr), .off = RA_SRC },
	[RK_DST] = { RP_KEY("dst", rp_k_addr), .off = RA_DST },
	[RK_RSRC] = { RP_KEY("reply_src", rp_k_addr), .off = RA_RSRC },
	[RK_RDST] = { RP_KEY("reply_dst", rp_k_addr), .off = RA_RDST },
	[RK_SPORT] = RP_UINT("sport", w.sport),
	[RK_DPORT] = RP_UINT("dport", w.dport),
	[RK_RSPORT] = RP_UINT("reply_sport", w.rsport),
	[RK_RDPORT] = RP_UINT("reply_dport", w.rdport),
	[RK_ICMP_TYPE] = RP_UINT("icmp_type", w.icmp_type),
	[RK_ICMP_CODE] = RP_UINT("icmp_code", w.icmp_code),
	[RK_ZONE] = RP_UINT("zone", w.zone),
	[RK_MARK] = RP_UINT("mark", w.mark),
	[RK_LABELS] = { RP_KEY("labels", rp_k_labels),
			.max = FLOW_LABELS - 1 },
	[RK_ORIG_BYTES] = RP_UINT("orig_bytes", w.orig_bytes),
	[RK_ORIG_PACKETS] = RP_UINT("orig_packets", w.orig_packets),
	[RK_REPLY_BYTES] = RP_UINT("reply_bytes", w.reply_bytes),
	[RK_REPLY_PACKETS] = RP_UINT("reply_packets", w.reply_packets),
	[RK_ORIG_RATE] = { RP_KEY("orig_rate", rp_k_rate) },
	[RK_REPLY_RATE] = { RP_KEY("reply_rate", rp_k_rate) },
	[RK_AGE] = { RP_KEY("age", rp_k_age), .max = UINT64_MAX },
	[RK_PID] = { RP_KEY("pid", rp_k_uint), RP_AT(w.pid), .min = 1,
		     .max = MSG_PID_MAX },
	[RK_PROCESS] = RP_TEXT("process", w.comm, rp_k_text),
	[RK_UID] = RP_UINT("uid", w.uid),
	[RK_USER] = { RP_KEY("user", rp_k_ignore) },
	[RK_HIDDEN] = { RP_KEY("hidden", rp_k_hidden) },
	[RK_CMDLINE] = RP_TEXT("cmdline", own.cmdline, rp_k_cmdline),
	[RK_EXE] = RP_TEXT("exe", own.exe, rp_k_text),
	[RK_UNIT] = { RP_KEY("unit", rp_k_ignore) },
	[RK_CONTAINER] = { RP_KEY("container", rp_k_ignore) },
	[RK_CGROUP] = RP_TEXT("cgroup", own.cgroup, rp_k_text),
	[RK_NETNS] = RP_TEXT("netns", own.netns, rp_k_text),
	[RK_EXITED] = { RP_KEY("exited", rp_k_exited) },
	[RK_SERVICE] = RP_TEXT("service", service, rp_k_text),
	[RK_SRC_NAME] = RP_TEXT("src_name", src.name, rp_k_text),
	[RK_DST_NAME] = RP_TEXT("dst_name", dst.name, rp_k_text),
	[RK_SRC_COUNTRY] = RP_TEXT("src_country", src.country, rp_k_country),
	[RK_DST_COUNTRY] = RP_TEXT("dst_country", dst.country, rp_k_country),
	[RK_SRC_COUNTRY_NAME] = RP_TEXT("src_country_name", src.country_name,
					rp_k_text),
	[RK_DST_COUNTRY_NAME] = RP_TEXT("dst_country_name", dst.country_name,
					rp_k_text),
	[RK_SRC_CITY] = RP_TEXT("src_city", src.city, rp_k_text),
	[RK_DST_CITY] = RP_TEXT("dst_city", dst.city, rp_k_text),
	[RK_SRC_ASN] = RP_UINT("src_asn", src.asn),
	[RK_DST_ASN] = RP_UINT("dst_asn", dst.asn),
	[RK_SRC_AS_ORG] = RP_TEXT("src_as_org", src.as_org, rp_k_text),
	[RK_DST_AS_ORG] = RP_TEXT("dst_as_org", dst.as_org, rp_k_text),
};

static const struct rp_key *rp_key_find(const char *name)
{
	for (size_t i = 0; i < RK_COUNT; i++)
		if (!strcmp(rp_keys[i].name, name))
			return &rp_keys[i];
	return NULL;
}

/* ---- the object ---- */

/* "key": value, blanks before it read. */
static int rp_member(struct rp_parse *p)
{
	char name[RP_KEY_MAX];
	struct rp_sink sink = { .d = name, .cap = sizeof(name) };
	const struct rp_key *k;
	uint64_t bit;

	if (rp_peek(p) != '"')
		return rp_fail(p, rp_peek(p) < 0 ? "truncated line" :
			       "bad object key");
	if (rp_string(p, &sink) < 0 || rp_expect(p, ':', "expected ':'") < 0)
		return -1;
	rp_ws(p);
	k = sink.cut ? NULL : rp_key_find(name);
	if (!k)
		return rp_skip(p, 0);
	bit = RP_BIT(k - rp_keys);
	if (p->seen & bit)
		return rp_fail(p, k->twice);
	p->seen |= bit;
	return k->fn(p, k);
}

/* Trailing blanks: spaces and tabs. A '\r' is a stray byte (a CRLF file
 * is not one flowtop wrote), and so is a '\n' inside the line. */
static int rp_trailer(struct rp_parse *p)
{
	while (p->at < p->len && (p->s[p->at] == ' ' || p->s[p->at] == '\t'))
		p->at++;
	return p->at < p->len ? rp_fail(p, "bytes after the object") : 0;
}

static int rp_object(struct rp_parse *p)
{
	rp_ws(p);
	if (rp_peek(p) != '{')
		return rp_fail(p, "not a JSON object");
	p->at++;
	rp_ws(p);
	if (rp_peek(p) == '}') {
		p->at++;
		return rp_trailer(p);
	}
	for (;;) {
		rp_ws(p);
		if (rp_member(p) < 0)
			return -1;
		rp_ws(p);
		if (rp_peek(p) == '}') {
			p->at++;
			return rp_trailer(p);
		}
		if (rp_expect(p, ',', "expected ',' or '}'") < 0)
			return -1;
	}
}

/* ---- what the keys say together ---- */

static int rp_need(struct rp_parse *p, enum rp_key_id id)
{
	return p->seen & RP_BIT(id) ? 0 : rp_fail(p, rp_keys[id].missing);
}

static int rp_event(struct rp_parse *p)
{
	static const char *const names[] = {
		[RP_EV_START] = "start", [RP_EV_UPDATE] = "update",
		[RP_EV_END] = "end", [RP_EV_TICK] = "tick",
		[RP_EV_BEGIN] = "begin",
	};

	for (int e = RP_EV_START; e <= RP_EV_BEGIN; e++)
		if (!strcmp(p->word[RW_EVENT], names[e])) {
			p->out->event = (enum rp_event)e;
			return 0;
		}
	return rp_fail(p, rp_keys[RK_EVENT].bad);
}

static int rp_family(struct rp_parse *p)
{
	if (!strcmp(p->word[RW_FAMILY], "ipv4"))
		p->out->w.family = FLOW_FAM_IPV4;
	else if (!strcmp(p->word[RW_FAMILY], "ipv6"))
		p->out->w.family = FLOW_FAM_IPV6;
	else
		return rp_fail(p, rp_keys[RK_FAMILY].bad);
	return 0;
}

static int rp_proto(struct rp_parse *p)
{
	for (unsigned i = 0; i <= UINT8_MAX; i++) {
		const char *name = flow_proto_name((uint8_t)i);

		if (name && !strcmp(name, p->word[RW_PROTO])) {
			p->out->w.l4proto = (uint8_t)i;
			return 0;
		}
	}
	return rp_fail(p, rp_keys[RK_PROTO].bad);
}

/* The state by its name; none for a protocol without states, 0 (the
 * kernel's NONE) when a protocol with states was given none. */
static int rp_state(struct rp_parse *p)
{
	struct flow_wire *w = &p->out->w;
	unsigned n = flow_state_count(w->l4proto);
	int given = !!(p->seen & RP_BIT(RK_STATE));

	w->state = n ? 0 : FLOW_STATE_NONE;
	if (!given)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(flow_state_name(w->l4proto, (uint8_t)i),
			    p->word[RW_STATE])) {
			w->state = (uint8_t)i;
			return 0;
		}
	return rp_fail(p, rp_keys[RK_STATE].bad);
}

static int rp_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

/* Ports or ICMP fields, whichever the protocol has, and not the other. */
static int rp_ports(struct rp_parse *p)
{
	const uint64_t ports = RP_BIT(RK_SPORT) | RP_BIT(RK_DPORT) |
			       RP_BIT(RK_RSPORT) | RP_BIT(RK_RDPORT);
	const uint64_t icmp = RP_BIT(RK_ICMP_TYPE) | RP_BIT(RK_ICMP_CODE);

	if (rp_is_icmp(p->out->w.l4proto) && (p->seen & ports))
		return rp_fail(p, "ports on an ICMP flow");
	if (rp_is_icmp(p->out->w.l4proto))
		return 0;
	if (p->seen & icmp)
		return rp_fail(p, "ICMP fields on a flow with ports");
	if (rp_need(p, RK_SPORT) < 0 || rp_need(p, RK_DPORT) < 0)
		return -1;
	if (!(p->seen & RP_BIT(RK_RSPORT)))
		p->out->w.rsport = p->out->w.dport;
	if (!(p->seen & RP_BIT(RK_RDPORT)))
		p->out->w.rdport = p->out->w.sport;
	return 0;
}

/* The text of address key id into a, as the family reads it. */
static int rp_addr(struct rp_parse *p, enum rp_key_id id, uint8_t *a)
{
	int af = p->out->w.family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6;

	memset(a, 0, 16);
	if (inet_pton(af, p->addr[rp_keys[id].off], a) != 1)
		return rp_fail(p, rp_keys[id].bad);
	return 0;
}

/* The reply direction is the original swapped where the line is silent. */
static int rp_addrs(struct rp_parse *p)
{
	struct flow_wire *w = &p->out->w;

	if (rp_addr(p, RK_SRC, w->src) < 0 || rp_addr(p, RK_DST, w->dst) < 0)
		return -1;
	if (p->seen & RP_BIT(RK_RSRC)) {
		if (rp_addr(p, RK_RSRC, w->rsrc) < 0)
			return -1;
	} else {
		memcpy(w->rsrc, w->dst, sizeof(w->rsrc));
	}
	if (p->seen & RP_BIT(RK_RDST)) {
		if (rp_addr(p, RK_RDST, w->rdst) < 0)
			return -1;
	} else {
		memcpy(w->rdst, w->src, sizeof(w->rdst));
	}
	return 0;
}

static int rp_owner(struct rp_parse *p)
{
	struct flow_wire *w = &p->out->w;

	if (p->hidden) {
		if (p->seen & (RP_BIT(RK_PID) | RP_BIT(RK_PROCESS)))
			return rp_fail(p, "hidden owner with a process");
		w->owner = FLOW_OWNER_HIDDEN;
	} else if (p->seen & RP_BIT(RK_UID)) {
		w->owner = FLOW_OWNER_SOCKET;
	} else {
		w->owner = FLOW_OWNER_NONE;
	}
	return 0;
}

/* A start the line's age puts after the epoch, else unknown. */
static void rp_start(struct rp_parse *p)
{
	uint64_t t = p->out->time_ns;

	if (p->seen & RP_BIT(RK_AGE) && p->age <= t / NS_PER_SEC)
		p->out->w.start_ns = t - p->age * NS_PER_SEC;
}

static int rp_flow(struct rp_parse *p)
{
	static const enum rp_key_id need[] = {
		RK_ID, RK_FAMILY, RK_PROTO, RK_SRC, RK_DST,
	};
	const char *why;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (rp_need(p, need[i]) < 0)
			return -1;
	if (rp_family(p) < 0 || rp_proto(p) < 0 || rp_state(p) < 0 ||
	    rp_ports(p) < 0 || rp_addrs(p) < 0 || rp_owner(p) < 0)
		return -1;
	rp_start(p);
	p->out->w.event = FLOW_EV_DUMP;
	if (flow_wire_check(&p->out->w, &why) < 0)
		return rp_fail(p, why);
	return 0;
}

static int rp_finish(struct rp_parse *p)
{
	enum rp_event e;
	uint64_t t;

	if (rp_need(p, RK_EVENT) < 0 || rp_need(p, RK_TIME) < 0 ||
	    rp_event(p) < 0)
		return -1;
	if (p->out->event != RP_EV_TICK && p->out->event != RP_EV_BEGIN)
		return rp_flow(p);
	/* A tick or a begin says when, and nothing else. */
	t = p->out->time_ns;
	e = p->out->event;
	memset(p->out, 0, sizeof(*p->out));
	p->out->event = e;
	p->out->time_ns = t;
	return 0;
}

int rp_line_parse(const char *s, size_t len, struct rp_line *out,
		  const char **why)
{
	struct rp_parse p;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *)s;
	p.len = len;
	p.out = out;
	if (len > RP_LINE_MAX)
		rp_fail(&p, "line too long");
	else if (rp_object(&p) == 0)
		rp_finish(&p);
	if (!p.why)
		return 0;
	memset(out, 0, sizeof(*out));
	if (why)
		*why = p.why;
	return -1;
}
