/* SPDX-License-Identifier: GPL-2.0-only */
/* print: batch output of one snapshot (see print.h).
 *
 * JSON Lines follow the field list of DESIGN.md; a field whose value is not
 * known is left out rather than printed as null. The text table is driven
 * by one column table below: each row is first rendered into cells, then
 * the cells are laid out by that table.
 *
 * The text table's numbers come from ui/fmt.c, as the screen's do (see
 * fmt.h for the units): bytes and packets in decimal multiples, rates too,
 * in the unit the rate columns' titles name (B/s, or bit/s with -b). JSON
 * keeps raw numbers: bytes, bytes/s (bits/s with -b), seconds.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/escape.h"
#include "ui/alert.h"
#include "ui/baseline.h"
#include "ui/fmt.h"
#include "ui/owners.h"
#include "ui/print.h"
#include "ui/users.h"

#define NS_PER_SEC UINT64_C(1000000000)

enum pr_align { PR_LEFT, PR_RIGHT };

enum pr_col {
	PR_PROTO,
	PR_STATE,
	PR_SRC,
	PR_DST,
	PR_SERVICE,
	PR_WHERE,
	PR_PROCESS,
	PR_USER,
	PR_ORIG,
	PR_REPLY,
	PR_ORIG_RATE,
	PR_REPLY_RATE,
	PR_AGE,
	PR_NCOLS
};

struct pr_column {
	const char *name;     /* stable identifier */
	const char *title;    /* header text */
	int width;            /* fits every value except over-long names */
	enum pr_align align;
};

/* Widths: SRC/DST fit "[" + 39-char IPv6 + "]:" + 5-digit port = 47; STATE
 * fits the longest kernel name, SCTP's SHUTDOWN_ACK_SENT; PROCESS fits a
 * 7-digit pid, "/" and a 15-byte comm; USER the usual names (a uid
 * without one is its number); ORIG/REPLY fit "999.9k/999.9k";
 * the rate titles fit "REPLY_bit/s", their cells "999.9k"; AGE fits
 * "99d23h". An escaped comm or user name may be
 * longer than its column and then pushes the rest of its row right: a name
 * is never cut. */
static const struct pr_column pr_columns[PR_NCOLS] = {
	[PR_PROTO] =      { "proto",      "PROTO",      7,  PR_LEFT },
	[PR_STATE] =      { "state",      "STATE",      17, PR_LEFT },
	[PR_SRC] =        { "src",        "SRC",        47, PR_LEFT },
	[PR_DST] =        { "dst",        "DST",        47, PR_LEFT },
	[PR_SERVICE] =    { "service",    "SERVICE",    12, PR_LEFT },
	[PR_WHERE] =      { "where",      "WHERE",      24, PR_LEFT },
	[PR_PROCESS] =    { "process",    "PROCESS",    23, PR_LEFT },
	[PR_USER] =       { "user",       "USER",       12, PR_LEFT },
	[PR_ORIG] =       { "orig",       "ORIG",       13, PR_RIGHT },
	[PR_REPLY] =      { "reply",      "REPLY",      13, PR_RIGHT },
	/* "_" and the unit are added to these two (pt_header). */
	[PR_ORIG_RATE] =  { "orig_rate",  "ORIG",       11, PR_RIGHT },
	[PR_REPLY_RATE] = { "reply_rate", "REPLY",      11, PR_RIGHT },
	[PR_AGE] =        { "age",        "AGE",        7,  PR_RIGHT },
};

/* Fits every cell: the longest is an escaped user name (4 bytes a byte). */
#define PR_CELL_MAX (4 * USERS_NAME_MAX + 1)

static int pr_is_icmp(uint8_t l4proto)
{
	return l4proto == IPPROTO_ICMP || l4proto == IPPROTO_ICMPV6;
}

static int pr_has_state(const struct flow_wire *w)
{
	return w->state != FLOW_STATE_NONE &&
	       flow_state_name(w->l4proto, w->state) != NULL;
}

/* inet_ntop of src or dst; 0, or -1 for a family flowtop doesn't know. */
static int pr_addr(char *buf, size_t sz, uint8_t family, const uint8_t *a)
{
	int af = family == FLOW_FAM_IPV4 ? AF_INET :
		 family == FLOW_FAM_IPV6 ? AF_INET6 : -1;

	if (af < 0 || !inet_ntop(af, a, buf, (socklen_t)sz)) {
		snprintf(buf, sz, "?");
		return -1;
	}
	return 0;
}

static double pr_rate_value(const struct print_opts *po, double bytes_per_s)
{
	/* Rates come from counter deltas; anything else is a bug upstream,
	 * and a JSON number must stay a number. */
	if (!isfinite(bytes_per_s) || bytes_per_s < 0)
		return 0;
	return po->bits ? bytes_per_s * 8 : bytes_per_s;
}

/* ---- JSON Lines ---- */

/* Lines are built in one buffer and handed to stdio a buffer at a time:
 * one fprintf per field was a quarter of flowtop's CPU at 10k flows a
 * second. The buffer holds the largest single field (an annotation of
 * 1024 bytes escaped to 6 bytes each), so a field is never split between
 * two flushes; a line may be. */
#define PJ_BUF_SIZE 16384
#define PJ_ESC_MAX 1024       /* bytes of an outside string that are kept */
#define PJ_RATE_MAX 320       /* "%.3f" of any double: sign, 309 digits,
			       * ".000" and the NUL */
_Static_assert(PJ_BUF_SIZE >= 6 * PJ_ESC_MAX + 64, "a field fits the buffer");

struct pj_buf {
	FILE *out;
	size_t len;
	int err;
	char b[PJ_BUF_SIZE];
};

static void pj_flush(struct pj_buf *b)
{
	if (b->len && fwrite(b->b, 1, b->len, b->out) != b->len)
		b->err = 1;
	b->len = 0;
}

/* Where the next n bytes (n <= PJ_BUF_SIZE) go; the caller adds what it
 * wrote to b->len. */
static char *pj_room(struct pj_buf *b, size_t n)
{
	if (PJ_BUF_SIZE - b->len < n)
		pj_flush(b);
	return b->b + b->len;
}

static void pj_put(struct pj_buf *b, const char *s, size_t n)
{
	memcpy(pj_room(b, n), s, n);
	b->len += n;
}

/* How many decimal digits v has (1..20), without a loop: bits * 1233/4096
 * (log10(2)) is floor(log10(v)) or one more, and one compare tells which.
 * p10[0] is 0 rather than 1 so that v = 0 counts as one digit. */
static size_t pn_u64_len(uint64_t v)
{
	static const uint64_t p10[20] = {
		0, UINT64_C(10), UINT64_C(100), UINT64_C(1000),
		UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
		UINT64_C(10000000), UINT64_C(100000000),
		UINT64_C(1000000000), UINT64_C(10000000000),
		UINT64_C(100000000000), UINT64_C(1000000000000),
		UINT64_C(10000000000000), UINT64_C(100000000000000),
		UINT64_C(1000000000000000), UINT64_C(10000000000000000),
		UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
		UINT64_C(10000000000000000000),
	};
	size_t t = (size_t)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + 1 - (v < p10[t]);
}

/* Decimal digits of v at p, as PRIu64 prints them; returns how many.
 * Two digits a step: halves the divisions of counters with 10+ digits. */
static size_t pn_u64(char *p, uint64_t v)
{
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	size_t n = pn_u64_len(v), i = n;

	while (v >= 10) {
		memcpy(p + i - 2, pairs + v % 100 * 2, 2);
		v /= 100;
		i -= 2;
	}
	if (i)
		p[0] = (char)('0' + v);
	return n;
}

/* ".d", ".dd" or ".ddd" of thousandths f < 1000, trailing zeros dropped;
 * nothing for 0. */
static size_t pn_frac(char *p, unsigned f)
{
	size_t n = f % 10 ? 3 : f % 100 ? 2 : f ? 1 : 0;

	p[0] = '.';
	p[1] = (char)('0' + f / 100);
	p[2] = (char)('0' + f / 10 % 10);
	p[3] = (char)('0' + f % 10);
	return n ? n + 1 : 0;
}

/* snprintf's "%.3f", trailing zeros and point dropped, for what the fast
 * path doesn't cover. PJ_RATE_MAX fits every double, so there is no
 * second format for long ones. */
static size_t pn_rate_slow(char *p, double v)
{
	int n = snprintf(p, PJ_RATE_MAX, "%.3f", v);

	if (n < 0 || n >= PJ_RATE_MAX)
		n = 0;      /* cannot happen: the buffer fits any double */
	while (n > 0 && p[n - 1] == '0')
		n--;
	if (n > 0 && p[n - 1] == '.')
		n--;
	return (size_t)n;
}

/* v = m * 2^-sh exactly, 0 < v < 2^52 (so sh >= 1). v*1000 is then
 * m*1000 / 2^sh with m*1000 < 2^63, and is rounded here exactly as glibc's
 * printf rounds in the default mode: to nearest, a tie to even. Below
 * 2^-11 (sh >= 64) v*1000 < 0.5 and rounds to 0. */
static uint64_t pn_milli(uint64_t m, int sh)
{
	uint64_t q, rest, half;

	if (sh >= 64)
		return 0;
	m *= 1000;
	q = m >> sh;
	rest = m & ((UINT64_C(1) << sh) - 1);
	half = UINT64_C(1) << (sh - 1);
	if (rest > half || (rest == half && (q & 1)))
		q++;
	return q;
}

/* A rate with at most 3 decimals, trailing zeros dropped (1250.5 and
 * 0.125, not 1250.500): byte for byte what "%.3f" and trimming gave, from
 * the bits of the double rather than through printf. */
static size_t pn_rate(char *p, double v)
{
	uint64_t bits, milli;
	int exp;
	size_t n;

	memcpy(&bits, &v, sizeof(bits));
	/* Signed (-0.0 too), NaN, infinite or past UINT64_MAX. */
	if (bits >> 63 || !(v < 0x1p64))
		return pn_rate_slow(p, v);
	if (v >= 0x1p52)           /* every double from here up is whole */
		return pn_u64(p, (uint64_t)v);
	exp = (int)(bits >> 52);   /* biased; 0: zero or subnormal, tiny */
	milli = pn_milli((bits & ((UINT64_C(1) << 52) - 1)) |
			  (UINT64_C(1) << 52), exp ? 1075 - exp : 64);
	n = pn_u64(p, milli / 1000);
	return n + pn_frac(p + n, (unsigned)(milli % 1000));
}

/* a.b.c.d, as inet_ntop writes it; returns the length. */
static size_t pn_ipv4(char *p, const uint8_t *a)
{
	size_t n = pn_u64(p, a[0]);

	for (int i = 1; i < 4; i++) {
		p[n++] = '.';
		n += pn_u64(p + n, a[i]);
	}
	return n;
}

/* ,"key": then room for n more bytes; returns where they go. Inline with
 * its two most used callers: keys are literals, and strlen then folds. */
static inline char *pj_key(struct pj_buf *b, const char *key, size_t n)
{
	size_t k = strlen(key);
	char *p = pj_room(b, k + 4 + n);

	p[0] = ',';
	p[1] = '"';
	memcpy(p + 2, key, k);
	p[k + 2] = '"';
	p[k + 3] = ':';
	b->len += k + 4;
	return p + k + 4;
}

static inline void pj_u64(struct pj_buf *b, const char *key, uint64_t v)
{
	char *p = pj_key(b, key, 20);

	b->len += pn_u64(p, v);
}

/* Only for strings known to need no escaping (names from our own tables,
 * addresses we formatted). */
static inline void pj_str(struct pj_buf *b, const char *key, const char *v)
{
	size_t n = strlen(v);
	char *p = pj_key(b, key, n + 2);

	p[0] = '"';
	memcpy(p + 1, v, n);
	p[n + 1] = '"';
	b->len += n + 2;
}

/* A JSON literal (true). */
static inline void pj_raw(struct pj_buf *b, const char *key, const char *v)
{
	size_t n = strlen(v);
	char *p = pj_key(b, key, n);

	memcpy(p, v, n);
	b->len += n;
}

static void pj_rate(struct pj_buf *b, const char *key, double v)
{
	char *p = pj_key(b, key, PJ_RATE_MAX);

	b->len += pn_rate(p, v);
}

/* in[0..len) from outside, escaped for JSON straight into the buffer. */
static void pj_esc(struct pj_buf *b, const char *key, const char *in,
		   size_t len)
{
	/* 6 bytes per input byte at worst (\u00XX), then the NUL. */
	char *p = pj_key(b, key, 6 * len + 3);
	size_t n = esc_json(p + 1, 6 * len + 1, in, len);

	p[0] = '"';
	p[n + 1] = '"';     /* over esc_json's NUL */
	b->len += n + 2;
}

/* A string from outside, escaped; nothing when empty. */
static void pj_text(struct pj_buf *b, const char *key, const char *v)
{
	size_t len = v ? strnlen(v, PJ_ESC_MAX) : 0;

	if (len)
		pj_esc(b, key, v, len);
}

/* pj_text of a NUL-terminated field of size bytes. */
static void pj_field(struct pj_buf *b, const char *key, const char *v,
		     size_t size)
{
	size_t len = strnlen(v, size < PJ_ESC_MAX ? size : PJ_ESC_MAX);

	if (len)
		pj_esc(b, key, v, len);
}

/* The longest run of two or more zero words of an IPv6 address (the
 * first of equal ones), as inet_ntop compresses it; *len 0 when none. */
static int pn_zero_run(const uint16_t w[8], int *len)
{
	int base = -1, best = 0, run = 0;

	for (int i = 0; i < 8; i++) {
		run = w[i] ? 0 : run + 1;
		if (run > best) {
			best = run;
			base = i + 1 - run;
		}
	}
	*len = best >= 2 ? best : 0;
	return best >= 2 ? base : -1;
}

/* A word in lower-case hex without leading zeros. */
static size_t pn_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = v >> 12 ? 4 : v >> 8 ? 3 : v >> 4 ? 2 : 1;

	for (size_t i = n; i-- > 0; v >>= 4)
		p[i] = hex[v & 15];
	return n;
}

/* a as inet_ntop writes it, byte for byte (RFC 5952 zero compression, a
 * mapped or compatible IPv4 address in dotted form); returns the length.
 * inet_ntop goes through sprintf a word, which was a quarter of a JSON
 * snapshot of IPv6 flows. */
static size_t pn_ipv6(char *p, const uint8_t *a)
{
	uint16_t w[8];
	int len, base;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	base = pn_zero_run(w, &len);
	for (int i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				p[n++] = ':';
			continue;
		}
		if (i)
			p[n++] = ':';
		if (i == 6 && base == 0 &&
		    (len == 6 || (len == 5 && w[5] == 0xffff)))
			return n + pn_ipv4(p + n, a + 12);
		n += pn_hex16(p + n, w[i]);
	}
	if (base >= 0 && base + len == 8)
		p[n++] = ':';
	return n;
}

/* Addresses by hand: every flow, every snapshot. */
static void pj_addr(struct pj_buf *b, const char *key, uint8_t family,
		    const uint8_t *a)
{
	char *p = pj_key(b, key, INET6_ADDRSTRLEN + 2);
	size_t n = family == FLOW_FAM_IPV6 ? pn_ipv6(p + 1, a) :
		   pn_ipv4(p + 1, a);

	p[0] = '"';
	p[n + 1] = '"';
	b->len += n + 2;
}

static int pj_known_family(uint8_t family)
{
	return family == FLOW_FAM_IPV4 || family == FLOW_FAM_IPV6;
}

static void pj_tuple(struct pj_buf *b, const struct flow_wire *w)
{
	/* Both addresses or neither: inet_ntop fails only for a family it
	 * doesn't know. */
	int known = pj_known_family(w->family);

	if (known)
		pj_addr(b, "src", w->family, w->src);
	if (!pr_is_icmp(w->l4proto))
		pj_u64(b, "sport", w->sport);
	if (known)
		pj_addr(b, "dst", w->family, w->dst);
	if (pr_is_icmp(w->l4proto)) {
		pj_u64(b, "icmp_type", w->icmp_type);
		pj_u64(b, "icmp_code", w->icmp_code);
	} else {
		pj_u64(b, "dport", w->dport);
	}
}

static void pr_annot(const struct print_opts *po, const struct flow_wire *w,
		     struct print_annot *src, struct print_annot *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (!po->annot)
		return;
	po->annot(po->ctx, w->family, w->src, src);
	po->annot(po->ctx, w->family, w->dst, dst);
}

static const char *pr_service(const struct print_opts *po,
			      const struct flow_wire *w)
{
	if (!po->service || pr_is_icmp(w->l4proto))
		return NULL;
	return po->service(po->ctx, w->l4proto, w->dport);
}

/* DESIGN.md's order: service, then each property for src and dst. */
static void pj_annot(struct pj_buf *b, const struct print_opts *po,
		     const struct flow_wire *w)
{
	struct print_annot s, d;

	pr_annot(po, w, &s, &d);
	pj_text(b, "service", pr_service(po, w));
	pj_text(b, "src_name", s.name);
	pj_text(b, "dst_name", d.name);
	pj_text(b, "src_country", s.country);
	pj_text(b, "dst_country", d.country);
	pj_text(b, "src_country_name", s.country_name);
	pj_text(b, "dst_country_name", d.country_name);
	pj_text(b, "src_city", s.city);
	pj_text(b, "dst_city", d.city);
	if (s.asn)
		pj_u64(b, "src_asn", s.asn);
	if (d.asn)
		pj_u64(b, "dst_asn", d.asn);
	pj_text(b, "src_as_org", s.as_org);
	pj_text(b, "dst_as_org", d.as_org);
}

/* What the collector told of the flow's process (MSG_OWNER): kept after
 * it exits. */
static void pj_owner_details(struct pj_buf *b, const struct print_opts *po,
			     const struct flow_wire *w)
{
	const struct ui_owner *o = w->pid && po->owners ?
		owners_get(po->owners, w->pid, flow_owner_tag(w)) : NULL;

	if (!o)
		return;
	pj_text(b, "cmdline", o->cmdline);
	pj_text(b, "exe", o->exe);
	pj_field(b, "unit", o->unit, sizeof(o->unit));
	pj_field(b, "container", o->container, sizeof(o->container));
	pj_field(b, "netns", o->netns, sizeof(o->netns));
	pj_text(b, "cgroup", o->cgroup);
	if (o->exited)
		pj_raw(b, "exited", "true");
}

static void pj_owner(struct pj_buf *b, const struct print_opts *po,
		     const struct flow_wire *w)
{
	size_t len = strnlen(w->comm, sizeof(w->comm));
	const char *user;

	if (w->pid)
		pj_u64(b, "pid", w->pid);
	if (len)
		pj_esc(b, "process", w->comm, len);
	/* The local socket's uid and its name; a hidden owner (another
	 * user's process) has nothing else. The uid is listed to every
	 * user, and so is its name. */
	if (w->owner == FLOW_OWNER_NONE)
		return;
	/* Told apart from a socket whose process is not known (pid and
	 * process missing too): a replay shows it as the screen did. */
	if (w->owner == FLOW_OWNER_HIDDEN)
		pj_raw(b, "hidden", "true");
	pj_u64(b, "uid", w->uid);
	user = users_name(po->users, w->uid);
	if (user)
		pj_esc(b, "user", user, strnlen(user, USERS_NAME_MAX));
	pj_owner_details(b, po, w);
}

/* --alert: what was new for the flow's program, as a list of names
 * (["destination","country"]); nothing when nothing was. */
static void pj_new(struct pj_buf *b, const struct flow_entry *e)
{
	char list[64];
	size_t n = 0;

	for (unsigned k = 0; k < BL_KINDS; k++) {
		const char *name = alert_kind_json(k);

		if (!(e->alert & (1u << k)))
			continue;
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%c\"%s\"",
				      n ? ',' : '[', name);
	}
	if (!n)
		return;
	snprintf(list + n, sizeof(list) - n, "]");
	pj_raw(b, "new", list);
}

/* The labels set, as a list of their numbers ([1,70]); nothing when
 * none is. */
static void pj_labels(struct pj_buf *b, const struct flow_wire *w)
{
	/* "[" and up to 128 numbers of 3 digits with a comma, "]". */
	char list[2 + FLOW_LABELS * 4];
	size_t n = 0;

	for (int i = flow_label_next(w, 0); i >= 0;
	     i = flow_label_next(w, (unsigned)i + 1)) {
		list[n] = n ? ',' : '[';
		n++;
		n += pn_u64(list + n, (uint64_t)i);
	}
	if (!n)
		return;
	list[n++] = ']';
	list[n] = 0;
	pj_raw(b, "labels", list);
}

/* What NAT made of the reply direction (only where it changed it), and
 * the zone, mark and labels other than the defaults. */
static void pj_nat(struct pj_buf *b, const struct flow_wire *w)
{
	int ports = !pr_is_icmp(w->l4proto);

	if (pj_known_family(w->family) && flow_is_nat(w)) {
		pj_addr(b, "reply_src", w->family, w->rsrc);
		if (ports)
			pj_u64(b, "reply_sport", w->rsport);
		pj_addr(b, "reply_dst", w->family, w->rdst);
		if (ports)
			pj_u64(b, "reply_dport", w->rdport);
	}
	if (w->zone)
		pj_u64(b, "zone", w->zone);
	if (w->mark)
		pj_u64(b, "mark", w->mark);
	pj_labels(b, w);
}

/* The snapshot's "time", formatted once for all its lines. */
struct pj_time {
	char s[48];
	size_t len;
};

/* One flow's line; event, when not NULL, its first key (--record's
 * "start", "update", "end"). */
static void pj_flow(struct pj_buf *b, const struct print_opts *po,
		    const struct flow_entry *e, uint64_t real_ns,
		    const struct pj_time *t, const char *event)
{
	const struct flow_wire *w = &e->w;
	const char *proto = flow_proto_name(w->l4proto);
	int64_t age = fmt_age_secs(w->start_ns, real_ns);
	char *p;

	if (event) {
		pj_put(b, "{\"event\":\"", 10);
		pj_put(b, event, strlen(event));
		pj_put(b, "\",\"id\":", 7);
	} else {
		pj_put(b, "{\"id\":", 6);
	}
	p = pj_room(b, 10);                /* a uint32 */
	b->len += pn_u64(p, w->id);
	if (pj_known_family(w->family))
		pj_str(b, "family", w->family == FLOW_FAM_IPV4 ? "ipv4" : "ipv6");
	if (proto)
		pj_str(b, "proto", proto);
	if (pr_has_state(w))
		pj_str(b, "state", flow_state_name(w->l4proto, w->state));
	pj_tuple(b, w);
	pj_annot(b, po, w);
	pj_owner(b, po, w);
	pj_new(b, e);
	pj_nat(b, w);
	pj_u64(b, "orig_bytes", w->orig_bytes);
	pj_u64(b, "orig_packets", w->orig_packets);
	pj_u64(b, "reply_bytes", w->reply_bytes);
	pj_u64(b, "reply_packets", w->reply_packets);
	if (e->has_rate) {
		pj_rate(b, "orig_rate", pr_rate_value(po, e->orig_rate));
		pj_rate(b, "reply_rate", pr_rate_value(po, e->reply_rate));
	}
	if (age >= 0)
		pj_u64(b, "age", (uint64_t)age);
	pj_put(b, ",\"time\":", 8);
	pj_put(b, t->s, t->len);
	pj_put(b, "}\n", 2);
}

/* 0, or -1 when a write failed. */
static int pj_snapshot(FILE *out, const struct print_opts *po,
		       const struct flow_entry *const *v, size_t n,
		       uint64_t real_ns, const char *event)
{
	struct pj_buf b = { .out = out };
	struct pj_time t;
	int len = snprintf(t.s, sizeof(t.s), "%" PRIu64 ".%06" PRIu64,
			   real_ns / NS_PER_SEC, real_ns % NS_PER_SEC / 1000);

	t.len = len > 0 ? (size_t)len : 0;
	for (size_t i = 0; i < n; i++)
		pj_flow(&b, po, v[i], real_ns, &t, event);
	pj_flush(&b);
	return b.err ? -1 : 0;
}

int print_events(FILE *out, const struct print_opts *po, const char *event,
		 const struct flow_entry *const *v, size_t n, uint64_t real_ns)
{
	return pj_snapshot(out, po, v, n, real_ns, event);
}

/* ---- text table ---- */

/* "bytes/packets" of one direction. */
static void pt_counters(char *buf, size_t sz, uint64_t bytes, uint64_t pkts)
{
	char b[FMT_COUNT_MAX], p[FMT_COUNT_MAX];

	fmt_count(b, sizeof(b), (double)bytes);
	fmt_count(p, sizeof(p), (double)pkts);
	snprintf(buf, sz, "%s/%s", b, p);
}

static void pt_rate(char *buf, size_t sz, const struct print_opts *po,
		    const struct flow_entry *e, double rate)
{
	if (!e->has_rate)
		snprintf(buf, sz, "-");
	else
		fmt_rate(buf, sz, rate, po->bits);
}

/* addr, addr:port, or [addr]:port for IPv6 so the port stands apart; a
 * host name, when known, instead of the address, cut to the column. */
static void pt_endpoint(char *buf, size_t sz, const struct flow_wire *w,
			const uint8_t *addr, uint16_t port, int with_port,
			const char *name)
{
	char a[64];     /* an address, or a name cut to the column */
	int v6 = w->family == FLOW_FAM_IPV6 && !(name && *name);

	if (name && *name)
		esc_term(a, pr_columns[PR_SRC].width - 6 + 1, name,
			 strnlen(name, 1024));
	else
		pr_addr(a, sizeof(a), w->family, addr);
	if (!with_port || pr_is_icmp(w->l4proto))
		snprintf(buf, sz, "%s", a);
	else if (v6)
		snprintf(buf, sz, "[%s]:%u", a, port);
	else
		snprintf(buf, sz, "%s:%u", a, port);
}

/* "GB London AS1221": what is known of where the destination is. */
static void pt_where(char *buf, size_t sz, const struct print_annot *d)
{
	char city[20] = "", as[16] = "";   /* city cut to 15 bytes */

	if (d->city && *d->city)
		esc_term(city, 16, d->city, strnlen(d->city, 1024));
	if (d->asn)
		snprintf(as, sizeof(as), "AS%" PRIu32, d->asn);
	snprintf(buf, sz, "%s%s%s%s%s", d->country ? d->country : "",
		 d->country && *d->country && *city ? " " : "", city,
		 *as && ((d->country && *d->country) || *city) ? " " : "", as);
	if (!*buf)
		snprintf(buf, sz, "-");
}

static void pt_service(char *buf, size_t sz, const char *svc)
{
	if (svc && *svc)
		esc_term(buf, sz, svc, strnlen(svc, 64));
	else
		snprintf(buf, sz, "-");
}

/* pid/comm, either alone when only one is known, "-" when neither is;
 * "(hidden) uid N" for another user's process; led by "NEW " when
 * --alert found something new for it, as on the screen. */
static void pt_process(char *buf, size_t sz, const struct flow_entry *e)
{
	const struct flow_wire *w = &e->w;
	const char *mark = e->alert & ALERT_NEW_BITS ? "NEW " : "";
	char esc[sizeof(w->comm) * 4 + 1];
	size_t len = strnlen(w->comm, sizeof(w->comm));

	esc_term(esc, sizeof(esc), w->comm, len);
	if (w->owner == FLOW_OWNER_HIDDEN)
		snprintf(buf, sz, "(hidden) uid %" PRIu32, w->uid);
	else if (w->pid && len)
		snprintf(buf, sz, "%s%" PRIu32 "/%s", mark, w->pid, esc);
	else if (w->pid)
		snprintf(buf, sz, "%s%" PRIu32, mark, w->pid);
	else if (len)
		snprintf(buf, sz, "%s%s", mark, esc);
	else
		snprintf(buf, sz, "-");
}

/* The socket's user as the screen shows it: its name, else its uid; "-"
 * without a local socket. Escaped: names come from the passwd database. */
static void pt_user(char *buf, size_t sz, const struct print_opts *po,
		    const struct flow_wire *w)
{
	char num[USERS_SHOW_MIN];
	const char *user;

	if (w->owner == FLOW_OWNER_NONE) {
		snprintf(buf, sz, "-");
		return;
	}
	user = users_show(po->users, w->uid, num, sizeof(num));
	esc_term(buf, sz, user, strnlen(user, USERS_NAME_MAX));
}

static void pt_cells(char cells[PR_NCOLS][PR_CELL_MAX],
		     const struct print_opts *po, const struct flow_entry *e,
		     uint64_t real_ns)
{
	const struct flow_wire *w = &e->w;
	const char *proto = flow_proto_name(w->l4proto);
	struct print_annot src, dst;

	pr_annot(po, w, &src, &dst);
	if (proto)
		snprintf(cells[PR_PROTO], PR_CELL_MAX, "%s", proto);
	else
		snprintf(cells[PR_PROTO], PR_CELL_MAX, "%u", w->l4proto);
	snprintf(cells[PR_STATE], PR_CELL_MAX, "%s", pr_has_state(w) ?
		 flow_state_name(w->l4proto, w->state) : "-");
	/* Upstream flowtop hides the (usually ephemeral) source port
	 * unless asked for it. */
	pt_endpoint(cells[PR_SRC], PR_CELL_MAX, w, w->src, w->sport,
		    po->show_src, src.name);
	pt_endpoint(cells[PR_DST], PR_CELL_MAX, w, w->dst, w->dport, 1,
		    dst.name);
	pt_service(cells[PR_SERVICE], PR_CELL_MAX, pr_service(po, w));
	pt_where(cells[PR_WHERE], PR_CELL_MAX, &dst);
	pt_process(cells[PR_PROCESS], PR_CELL_MAX, e);
	pt_user(cells[PR_USER], PR_CELL_MAX, po, w);
	pt_counters(cells[PR_ORIG], PR_CELL_MAX, w->orig_bytes,
		    w->orig_packets);
	pt_counters(cells[PR_REPLY], PR_CELL_MAX, w->reply_bytes,
		    w->reply_packets);
	pt_rate(cells[PR_ORIG_RATE], PR_CELL_MAX, po, e, e->orig_rate);
	pt_rate(cells[PR_REPLY_RATE], PR_CELL_MAX, po, e, e->reply_rate);
	fmt_age(cells[PR_AGE], PR_CELL_MAX, fmt_age_secs(w->start_ns, real_ns));
}

/* One line laid out by pr_columns; no trailing blanks. */
static void pt_line(FILE *out, const char *const cells[PR_NCOLS])
{
	for (int c = 0; c < PR_NCOLS; c++) {
		const struct pr_column *col = &pr_columns[c];

		if (c > 0)
			fputc(' ', out);
		if (col->align == PR_RIGHT)
			fprintf(out, "%*s", col->width, cells[c]);
		else if (c == PR_NCOLS - 1)
			fputs(cells[c], out);
		else
			fprintf(out, "%-*s", col->width, cells[c]);
	}
	fputc('\n', out);
}

/* The rate columns' titles name their unit: ORIG_B/s, REPLY_bit/s. */
static void pt_header(FILE *out, const struct print_opts *po)
{
	const char *titles[PR_NCOLS];
	char orig[32], reply[32];

	for (int c = 0; c < PR_NCOLS; c++)
		titles[c] = pr_columns[c].title;
	snprintf(orig, sizeof(orig), "%s_%s", pr_columns[PR_ORIG_RATE].title,
		 fmt_rate_unit(po->bits));
	snprintf(reply, sizeof(reply), "%s_%s", pr_columns[PR_REPLY_RATE].title,
		 fmt_rate_unit(po->bits));
	titles[PR_ORIG_RATE] = orig;
	titles[PR_REPLY_RATE] = reply;
	pt_line(out, titles);
}

static void pt_row(FILE *out, const struct print_opts *po,
		   const struct flow_entry *e, uint64_t real_ns)
{
	char cells[PR_NCOLS][PR_CELL_MAX];
	const char *p[PR_NCOLS];

	pt_cells(cells, po, e, real_ns);
	for (int c = 0; c < PR_NCOLS; c++)
		p[c] = cells[c];
	pt_line(out, p);
}

int print_snapshot(FILE *out, const struct print_opts *po,
		   const struct flow_entry *const *v, size_t n,
		   uint64_t real_ns)
{
	int r = 0;

	if (po->json) {
		r = pj_snapshot(out, po, v, n, real_ns, NULL);
	} else {
		pt_header(out, po);
		for (size_t i = 0; i < n; i++)
			pt_row(out, po, v[i], real_ns);
		/* The blank line that separates this snapshot from the next. */
		fputc('\n', out);
	}
	/* Flush per snapshot: a reader of --count output sees each one as it
	 * is taken, and a full disk or closed pipe shows up here. */
	if (fflush(out) != 0 || ferror(out) || r < 0)
		return -1;
	return 0;
}
