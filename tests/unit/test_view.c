/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for the screen's model (ui/view*.c, ui/linger.c,
 * ui/country_agg.c) and cell text (ui/fmt.c): sort, filter, linger,
 * selection following, aggregates, truncation. No ncurses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <locale.h>
#include <math.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <strings.h>

#include "privsep/msg.h"
#include "privsep/lookup_wire.h"
#include "tests/unit/fake_users.h"
#include "ui/annot.h"
#include "ui/fmt.h"
#include "ui/owners.h"
#include "ui/view_int.h"

#define SEC 1000000000ull

struct fixture {
	struct flow_table *t;
	struct linger_set lg;
	struct view v;
	struct view_src src;
	struct users *users;
};

/* A stand-in passwd database: uid 2000 and 5 have no name. */
static const struct fake_user fake_users[] = {
	{ 0, "root" }, { 1, "daemon" }, { 1000, "Alice-with-a-long-name" },
	{ 1001, "alice" }, { 65534, "nobody" },
};

/* A stand-in resolver: 81.x is GB/London with a name, 2001:218:: JP. */
static void fake_annot(void *ctx, uint8_t family, const uint8_t *a,
		       struct print_annot *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	if (family == FLOW_FAM_IPV4 && a[0] == 81) {
		out->name = "london.example";
		out->country = "GB";
		out->country_name = "United Kingdom";
		out->city = "London";
		out->asn = a[3] == 1 ? 0 : 1221;
		out->as_org = a[3] == 1 ? NULL : "Telstra";
	} else if (family == FLOW_FAM_IPV6 && a[0] == 0x20 && a[1] == 0x01 &&
		   a[2] == 0x02 && a[3] == 0x18) {
		out->country = "JP";
		out->country_name = "Japan";
	}
}

static const char *fake_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	(void)ctx;
	(void)l4proto;
	return port == 443 ? "https" : NULL;
}

static struct flow_wire mk(uint32_t id, uint32_t pid, const char *comm,
			   uint8_t dst0, uint64_t ob, uint64_t rb)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.event = FLOW_EV_DUMP;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_TCP;
	w.state = 3;
	w.src[0] = 10;
	w.src[3] = 1;
	w.dst[0] = dst0;
	w.dst[3] = (uint8_t)id;
	w.sport = (uint16_t)(40000 + id);
	w.dport = 443;
	w.orig_bytes = ob;
	w.reply_bytes = rb;
	w.pid = pid;
	if (pid)
		flow_set_owner_tag(&w, 1);      /* the start own() gives */
	snprintf(w.comm, sizeof(w.comm), "%s", comm);
	return w;
}

static void put(struct fixture *f, struct flow_wire w, uint64_t seq)
{
	assert_int_equal(flow_table_apply(f->t, &w, seq * SEC, seq), 0);
}

static int in_parts;

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	in_parts = 0;   /* a test that failed in parts leaves it set */

	f->t = flow_table_new();
	linger_init(&f->lg, 5 * SEC);
	flow_table_on_gone(f->t, linger_gone, &f->lg);
	view_init(&f->v, 0);
	f->users = fake_users_load(fake_users, sizeof(fake_users) /
				   sizeof(*fake_users), USERS_MAX,
				   USERS_BYTES_MAX, NULL);
	assert_non_null(f->users);
	f->src = (struct view_src){
		.table = f->t, .linger = &f->lg, .annot = fake_annot,
		.service = fake_service, .users = f->users, .sel = SEL_ALL,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	view_free(&f->v);
	linger_free(&f->lg);
	flow_table_free(f->t);
	users_free(f->users);
	free(f);
	return 0;
}

static uint32_t row_id(struct fixture *f, size_t i)
{
	assert_true(i < f->v.nrows);
	return (uint32_t)(view_row_at(&f->v, i)->ident >> 32);
}

static void test_sort_bytes_then_id(void **state)
{
	struct fixture *f = *state;

	put(f, mk(5, 1, "a", 10, 100, 0), 1);
	put(f, mk(3, 1, "a", 10, 500, 0), 1);
	put(f, mk(9, 1, "a", 10, 100, 0), 1);
	put(f, mk(1, 1, "a", 10, 100, 0), 1);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	/* BYTES descending; equal bytes in id order. */
	assert_int_equal(row_id(f, 0), 3);
	assert_int_equal(row_id(f, 1), 1);
	assert_int_equal(row_id(f, 2), 5);
	assert_int_equal(row_id(f, 3), 9);
	view_sort_reverse(&f->v);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(row_id(f, 0), 1);
	assert_int_equal(row_id(f, 1), 5);
	assert_int_equal(row_id(f, 2), 9);
	assert_int_equal(row_id(f, 3), 3);
}

static void test_sort_columns_and_strings(void **state)
{
	struct fixture *f = *state;

	put(f, mk(1, 30, "zeta", 10, 1, 0), 1);
	put(f, mk(2, 10, "alpha-long-name", 10, 1, 0), 1);
	put(f, mk(3, 20, "alpha-long-mame", 10, 1, 0), 1);
	put(f, mk(4, 20, "Beta", 10, 1, 0), 1);
	f->v.ts[VIEW_FLOWS].sort_col = FC_PROC;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	/* Case-insensitive, whole strings past the 8-byte key prefix. */
	assert_int_equal(row_id(f, 0), 3);
	assert_int_equal(row_id(f, 1), 2);
	assert_int_equal(row_id(f, 2), 4);
	assert_int_equal(row_id(f, 3), 1);
	/* < from PROCESS is USER, then PID: ascending pid, then id. */
	view_sort_step(&f->v, -1);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sort_col, FC_USER);
	view_sort_step(&f->v, -1);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sort_col, FC_PID);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(row_id(f, 0), 2);
	assert_int_equal(row_id(f, 1), 3);
	assert_int_equal(row_id(f, 2), 4);
	assert_int_equal(row_id(f, 3), 1);
	/* SOURCE and SPORT are hidden without -s: > skips them. */
	f->v.ts[VIEW_FLOWS].sort_col = FC_AGE;
	view_sort_step(&f->v, 1);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sort_col, FC_DST);
	f->v.show_src = 1;
	f->v.ts[VIEW_FLOWS].sort_col = FC_AGE;
	view_sort_step(&f->v, 1);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sort_col, FC_SRC);
}

/* ---- the fast paths against the straightforward ones ---- */

/* The filter as first written: every field formatted and searched with
 * strcasestr, nothing remembered between flows. */
static int ref_has(const char *f, const char *s)
{
	return s && strcasestr(s, f) != NULL;
}

static int ref_annot_has(const char *f, const struct print_annot *a)
{
	return ref_has(f, a->name) || ref_has(f, a->country) ||
	       ref_has(f, a->country_name) || ref_has(f, a->city) ||
	       ref_has(f, a->as_org);
}

static int ref_filter(const struct view_src *src, const char *f,
		      const struct flow_entry *e)
{
	const struct flow_wire *w = &e->w;
	struct print_annot a;
	char buf[64];
	const uint8_t *addrs[2] = { w->src, w->dst };

	if (!f[0] || ref_has(f, w->comm))
		return 1;
	if (w->owner != FLOW_OWNER_NONE &&
	    ref_has(f, users_show(src->users, w->uid, buf, sizeof(buf))))
		return 1;
	snprintf(buf, sizeof(buf), "%u", w->sport);
	if (view_filter_numeric(f) && ref_has(f, buf))
		return 1;
	snprintf(buf, sizeof(buf), "%u", w->dport);
	if (view_filter_numeric(f) && ref_has(f, buf))
		return 1;
	for (int i = 0; i < 2; i++) {
		inet_ntop(w->family == FLOW_FAM_IPV4 ? AF_INET : AF_INET6,
			  addrs[i], buf, sizeof(buf));
		if (view_filter_addrlike(f) && ref_has(f, buf))
			return 1;
	}
	if (ref_has(f, src->service(src->ctx, w->l4proto, w->dport)))
		return 1;
	for (int i = 0; i < 2; i++) {
		src->annot(src->ctx, w->family, addrs[i], &a);
		if (ref_annot_has(f, &a))
			return 1;
	}
	return 0;
}

struct ref_row {
	uint64_t k, ident;
	uint32_t id, idx, flags;
	const char *s;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref_row *a = pa, *b = pb;

	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int ref_desc;

static int ref_cmp_str(const void *pa, const void *pb)
{
	const struct ref_row *a = pa, *b = pb;
	int c = strcasecmp(a->s ? a->s : "", b->s ? b->s : "");

	if (c)
		return ref_desc ? -c : c;
	if (a->ident != b->ident)
		return a->ident < b->ident ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Every row, filtered, keyed and sorted whole with qsort; equal string
 * prefixes then ordered by the whole string. */
static size_t ref_rows(struct fixture *f, int col, int desc,
		       struct ref_row *out)
{
	size_t n = 0, nt = flow_table_count(f->t), nl = linger_count(&f->lg);

	for (size_t i = 0; i < nt + nl; i++) {
		const struct flow_entry *e = i < nt ? flow_table_at(f->t, i) :
			&linger_at(&f->lg, i - nt)->e;
		struct ref_row *r = &out[n];

		if (!ref_filter(&f->src, f->v.filter, e))
			continue;
		r->flags = 0;
		r->k = vk_flow(&f->src, e, col, &r->s, &r->flags);
		r->k = desc ? ~r->k : r->k;
		r->id = e->w.id;
		r->ident = (uint64_t)e->w.id << 32 | e->tuple_hash;
		r->idx = (uint32_t)n++;
	}
	qsort(out, n, sizeof(*out), ref_cmp);
	ref_desc = desc;
	for (size_t i = 0, j; i < n; i = j) {
		uint32_t any_long = 0;

		for (j = i; j < n && out[j].k == out[i].k; j++)
			any_long |= out[j].flags & ROW_LONG;
		if (any_long)
			qsort(out + i, j - i, sizeof(*out), ref_cmp_str);
	}
	return n;
}

static const char *const rnd_comms[] = {
	"curl", "sshd", "systemd-resolved", "systemd-networkd", "Firefox",
	"firefox-bin", "a", "",
};

/* Random flows with many ties: few byte counts, few names, shared
 * addresses (some named by fake_annot), IPv4 and IPv6, and a few closed
 * flows lingering. */
static void fill_random(struct fixture *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct flow_wire w = mk((uint32_t)(rand() % (int)(n / 2) + 1),
					(uint32_t)(rand() % 7),
					rnd_comms[rand() % 8],
					(uint8_t)(rand() % 3 ? 10 : 81),
					(uint64_t)(rand() % 5) << (rand() % 40),
					(uint64_t)(rand() % 3));

		w.src[2] = (uint8_t)(rand() % 3);
		w.dst[1] = (uint8_t)(rand() % 256);
		w.sport = (uint16_t)rand();
		w.dport = (uint16_t)(rand() % 2 ? 443 : rand() % 100);
		w.l4proto = rand() % 4 ? IPPROTO_TCP : IPPROTO_UDP;
		w.state = w.l4proto == IPPROTO_TCP ? (uint8_t)(rand() % 4) :
			FLOW_STATE_NONE;
		w.start_ns = (uint64_t)(rand() % 50) * SEC;
		/* Owners: none, a socket or a hidden one; named or not. */
		w.owner = (uint8_t)(rand() % 3);
		w.uid = w.owner == FLOW_OWNER_NONE ? 0 :
			(uint32_t[]){ 0, 1, 1000, 1001, 65534, 2000, 5 }[rand() % 7];
		if (w.owner == FLOW_OWNER_HIDDEN) {
			w.pid = 0;
			w.comm[0] = '\0';
		}
		if (rand() % 4 == 0) {
			w.family = FLOW_FAM_IPV6;
			w.dst[0] = 0x20; w.dst[1] = 0x01;
			w.dst[2] = 0x02; w.dst[3] = (uint8_t)(rand() % 2 ? 0x18 : 0x10);
		}
		if (rand() % 10 == 0)
			linger_add(&f->lg, &(struct flow_entry){
				.w = w, .tuple_hash = flow_tuple_hash(&w) }, 0);
		else
			put(f, w, 1);
	}
	f->src.now_real_ns = 60 * SEC;
}

/* check_same builds the rows in parts (view_build.c), as small as they
 * come, rather than at once (in_parts, above); the parts it took. */
static size_t parts_taken;

/* A build in the smallest parts there are: the rows shown meanwhile are
 * the last ones built, untouched. */
static void build_in_parts(struct fixture *f)
{
	size_t shown = f->v.nrows;
	uint64_t first = shown ? view_row_at(&f->v, 0)->ident : 0;
	int r;

	view_build_start(&f->v);
	while ((r = view_build_step(&f->v, &f->src, 0)) == 0) {
		parts_taken++;
		assert_true(view_building(&f->v));
		assert_int_equal(f->v.nrows, shown);
		if (shown)
			assert_true(view_row_at(&f->v, 0)->ident == first);
	}
	assert_int_equal(r, 1);
	assert_false(view_building(&f->v));
}

/* The rows built against the reference for col, reverse. */
static void check_rows(struct fixture *f, int col, int reverse,
		       struct ref_row *ref)
{
	size_t ncols;
	int desc = view_cols(VIEW_FLOWS, &ncols)[col].desc ^ reverse;
	size_t n = ref_rows(f, col, desc, ref);

	assert_int_equal(f->v.nrows, n);
	/* Ranks asked for out of order, as scrolling and End do. */
	for (size_t i = n; i-- > 0;)
		if (view_row_at(&f->v, i)->ident != ref[i].ident)
			fail_msg("col %d rev %d filter '%s'%s: row %zu differs",
				 col, reverse, f->v.filter,
				 in_parts ? " in parts" : "", i);
}

static void check_same(struct fixture *f, int col, int reverse,
		       const char *filter, struct ref_row *ref)
{
	size_t ncols;
	int desc = view_cols(VIEW_FLOWS, &ncols)[col].desc ^ reverse;
	size_t n;

	f->v.ts[VIEW_FLOWS].sort_col = col;
	f->v.ts[VIEW_FLOWS].reverse = reverse;
	snprintf(f->v.filter, sizeof(f->v.filter), "%s", filter);
	if (in_parts)
		build_in_parts(f);
	else
		assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	n = ref_rows(f, col, desc, ref);
	assert_int_equal(f->v.nrows, n);
	/* Ranks asked for out of order, as scrolling and End do. */
	for (size_t i = n; i-- > 0;)
		if (view_row_at(&f->v, i)->ident != ref[i].ident)
			fail_msg("col %d rev %d filter '%s': row %zu differs",
				 col, reverse, filter, i);
}

static void test_order_matches_full_sort(void **state)
{
	static const char *const filters[] = {
		"", "10.", "0.1", ".2", "1", "81.5", "10.0.0.1", "2001:2",
		"::", "LONDON", "https", "SYSTEMD", "fire", "4", "443", "ab",
		"zzz", "ali", "200", "ROOT", "5",
	};
	struct fixture *f = *state;
	size_t n = 6000;
	struct ref_row *ref = malloc(n * sizeof(*ref));

	srand(11);
	fill_random(f, n);
	for (int col = 0; col < FC_COUNT; col++)
		for (int rev = 0; rev < 2; rev++)
			for (size_t i = 0; i < sizeof(filters) / sizeof(*filters); i++)
				check_same(f, col, rev, filters[i], ref);
	free(ref);
}

/* The same, the rows built in parts: each part must pick up where the
 * last left off, whatever the column and the filter. */
static void test_parts_match_full_sort(void **state)
{
	in_parts = 1;
	parts_taken = 0;
	test_order_matches_full_sort(state);
	/* 6000 flows: a part to begin, one for the filter, three to walk. */
	assert_true(parts_taken >= 4 * (FC_COUNT * 2 * 21 - 1));
}

/* While a build is under way the user moves the selection, the table and
 * the names change (which the screen's loop holds off, but the view must
 * not trust), and the tab changes. */
static void test_parts_while_moving(void **state)
{
	struct fixture *f = *state;
	size_t n = 20000;
	struct ref_row *ref = malloc(2 * n * sizeof(*ref));
	uint64_t ident;

	srand(17);
	fill_random(f, n);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	/* The selection moves on the rows shown: the new rows follow it. */
	f->v.ts[VIEW_FLOWS].sort_col = FC_PROC;
	view_build_start(&f->v);
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	view_move(&f->v, 777);
	ident = view_row_at(&f->v, f->v.ts[VIEW_FLOWS].sel)->ident;
	in_parts = 1;
	while (view_build_step(&f->v, &f->src, 0) == 0)
		;
	assert_true(view_row_at(&f->v, f->v.ts[VIEW_FLOWS].sel)->ident == ident);
	check_rows(f, FC_PROC, 0, ref);
	/* Flows come and go halfway: the walk begins again. */
	f->v.ts[VIEW_FLOWS].sort_col = FC_BYTES;
	view_build_start(&f->v);
	for (int i = 0; i < 4; i++)
		assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	for (uint32_t i = 0; i < 50; i++) {
		struct flow_wire w = flow_table_at(f->t, i)->w;

		w.event = FLOW_EV_DESTROY;
		put(f, w, 1);
		put(f, mk(900000 + i, 4, "late", 81, 1ull << 50, 0), 1);
	}
	while (view_build_step(&f->v, &f->src, 0) == 0)
		;
	check_rows(f, FC_BYTES, 0, ref);
	assert_int_equal(row_id(f, 0), 900000);
	/* Another tab: built at once, at the next step. */
	view_build_start(&f->v);
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	f->v.tab = VIEW_PROCS;
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 1);
	assert_int_equal(f->v.rows_tab, VIEW_PROCS);
	assert_int_equal(f->v.nrows, f->v.nprocs);
	/* Back to flows: the rows shown are of procs, so at once again. */
	f->v.tab = VIEW_FLOWS;
	view_build_start(&f->v);
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 1);
	check_rows(f, FC_BYTES, 0, ref);
	/* A build dropped leaves the rows shown as they are. */
	view_build_start(&f->v);
	assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	view_build_cancel(&f->v);
	assert_false(view_building(&f->v));
	check_rows(f, FC_BYTES, 0, ref);
	free(ref);
}

/* ---- names from the real annotation table: the per-address memo ---- */

static void ask_flow(void *ctx, const struct flow_entry *e)
{
	annots_want(ctx, e->w.family, e->w.src);
	annots_want(ctx, e->w.family, e->w.dst);
}

/* Answer the address of e's end (dst or src) as a resolver would; tag
 * makes names differ between answers. */
static void answer_parts(struct annots *an, const struct flow_wire *w,
			 int dst, unsigned tag, uint8_t parts);

static void answer(struct annots *an, const struct flow_wire *w, int dst,
		   unsigned tag)
{
	answer_parts(an, w, dst, tag, LOOKUP_DNS | LOOKUP_GEO);
}

/* The parts of an answer may come apart (a name, later a place). */
static void answer_parts(struct annots *an, const struct flow_wire *w,
			 int dst, unsigned tag, uint8_t parts)
{
	struct lookup_ans r;
	const uint8_t *a = dst ? w->dst : w->src;
	static const char *const cc[] = { "GB", "DE", "JP", "" };
	struct msg m = { .type = MSG_LOOKUP_ANS, .len = sizeof(r),
			 .payload = &r };

	memset(&r, 0, sizeof(r));
	r.family = w->family;
	r.parts = parts;
	memcpy(r.addr, a, sizeof(r.addr));
	/* Long shared prefixes, so the whole-string compare decides. */
	if (tag % 5)
		snprintf(r.name, sizeof(r.name), "%s-%u.example-isp.net",
			 tag % 2 ? "customer-pool" : "Customer-pool",
			 (a[1] * 7u + a[3] + tag) % 97);
	snprintf(r.country, sizeof(r.country), "%s", cc[(a[1] + tag) % 4]);
	snprintf(r.city, sizeof(r.city), "%s", tag % 3 ? "London" : "Londonderry");
	snprintf(r.as_org, sizeof(r.as_org), "AS Org %u", a[1] % 9);
	annots_apply(an, &m);
}

static void check_named(struct fixture *f, struct ref_row *ref)
{
	static const char *const filters[] = {
		"", "customer-POOL-1", "example", "derry", "de", "AS Org 3",
		"10.", "fire", "-4",
	};
	static const int cols[] = { FC_DST, FC_SRC, FC_GEO, FC_BYTES };

	for (size_t c = 0; c < sizeof(cols) / sizeof(*cols); c++)
		for (int rev = 0; rev < 2; rev++)
			for (size_t i = 0; i < sizeof(filters) / sizeof(*filters); i++)
				check_same(f, cols[c], rev, filters[i], ref);
}

/* The real annotation table behind the view, n random flows asked about
 * (the lingering ones too), nothing answered yet. */
static struct annots *named_flows(struct fixture *f, size_t n, unsigned seed)
{
	struct annots *an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 0);

	assert_non_null(an);
	f->src.annot = annots_get;
	f->src.ctx = an;
	srand(seed);
	fill_random(f, n);
	flow_table_each_new(f->t, ask_flow, an);
	for (size_t i = 0; i < linger_count(&f->lg); i++)
		ask_flow(an, &linger_at(&f->lg, i)->e);
	return an;
}

/* Over the real table the view remembers, per flow, its addresses' slots
 * and, per slot, the filter's answer and the sort key, across rebuilds.
 * Against the plain computation (every flow looked up afresh): after
 * answers arrive for addresses it has seen unanswered, when the filter and
 * the column change between rebuilds, when flows close and new ones take
 * their places in the table, and when the table starts over. */
static void test_names_memo(void **state)
{
	struct fixture *f = *state;
	size_t n = 3000, nt;
	struct ref_row *ref = malloc(2 * n * sizeof(*ref));
	struct annots *an = named_flows(f, n, 21);
	/* Nothing answered: the memo holds "no annotation" everywhere. */
	check_named(f, ref);
	nt = flow_table_count(f->t);
	/* Half the addresses answered: those must show at the next rebuild,
	 * under the same filter and column as before. */
	for (size_t i = 0; i < nt; i += 2)
		answer(an, &flow_table_at(f->t, i)->w, (int)(i / 2 % 2), 1);
	check_same(f, FC_GEO, 1, "-4", ref);
	check_named(f, ref);
	/* The rest, including the lingering flows' ends. */
	for (size_t i = 0; i < nt; i++) {
		answer(an, &flow_table_at(f->t, i)->w, 0, 2);
		answer(an, &flow_table_at(f->t, i)->w, 1, 2);
	}
	for (size_t i = 0; i < linger_count(&f->lg); i++)
		answer(an, &linger_at(&f->lg, i)->e.w, 1, 3);
	check_same(f, FC_DST, 0, "customer-pool-1", ref);
	check_named(f, ref);
	/* Flows close (others move into their places) and new ones come,
	 * some to addresses nobody has asked about yet. */
	for (size_t i = 0; i < nt / 3; i++) {
		struct flow_wire w = flow_table_at(f->t, (size_t)rand() %
						  flow_table_count(f->t))->w;

		w.event = FLOW_EV_DESTROY;
		put(f, w, 1);
		w = mk((uint32_t)(100000 + i), 3, "curl", 81, 5, 5);
		w.dst[1] = (uint8_t)rand();
		w.dst[2] = (uint8_t)(i % 7);
		put(f, w, 1);
	}
	check_named(f, ref);
	flow_table_each_new(f->t, ask_flow, an);
	for (size_t i = 0; i < flow_table_count(f->t); i += 3)
		answer(an, &flow_table_at(f->t, i)->w, 1, 4);
	check_named(f, ref);
	/* A fresh table (as after a start-over): slots mean other addresses. */
	annots_free(an);
	an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 0);
	f->src.ctx = an;
	for (size_t i = flow_table_count(f->t); i-- > 0;)
		ask_flow(an, flow_table_at(f->t, i));
	for (size_t i = 0; i < flow_table_count(f->t); i += 2)
		answer(an, &flow_table_at(f->t, i)->w, 1, 5);
	check_named(f, ref);
	view_free(&f->v);
	view_init(&f->v, 0);
	annots_free(an);
	free(ref);
}

/* A fresh view sorted by name, then a build sorted by place, stopped
 * after the given parts: the places' ranks are being sorted afresh. */
static void geo_afresh(struct fixture *f, struct ref_row *ref, int parts)
{
	view_free(&f->v);
	view_init(&f->v, 0);
	check_same(f, FC_DST, 0, "", ref);
	f->v.ts[VIEW_FLOWS].sort_col = FC_GEO;
	view_build_start(&f->v);
	for (int i = 0; i < parts; i++)
		assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
}

/* The same, built in parts; and addresses asked about halfway (the
 * annotation table grows under the walk: it begins again). */
static void test_names_memo_parts(void **state)
{
	struct fixture *f = *state;
	struct ref_row *ref = malloc(16000 * sizeof(*ref));
	struct annots *an;
	uint8_t a[16] = { 172, 16 };

	in_parts = 1;
	parts_taken = 0;
	test_names_memo(state);
	assert_true(parts_taken > 100);
	an = named_flows(f, 2000, 23);
	for (size_t i = 0; i < flow_table_count(f->t); i += 2)
		answer(an, &flow_table_at(f->t, i)->w, 1, 1);
	check_same(f, FC_DST, 0, "customer", ref);
	f->v.ts[VIEW_FLOWS].sort_col = FC_GEO;
	view_build_start(&f->v);
	for (int i = 0; i < 3; i++)
		assert_int_equal(view_build_step(&f->v, &f->src, 0), 0);
	for (uint32_t i = 0; i < 100; i++) {
		a[2] = (uint8_t)i;
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	while (view_build_step(&f->v, &f->src, 0) == 0)
		;
	check_rows(f, FC_GEO, 0, ref);
	/* Places answered while their ranks are sorted afresh (the first
	 * sort by place of a fresh view): the next build has them right. */
	view_free(&f->v);
	view_init(&f->v, 0);
	assert_true(flow_table_count(f->t) + linger_count(&f->lg) <= 16000);
	geo_afresh(f, ref, 4);
	for (size_t i = 1; i < flow_table_count(f->t); i += 4)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 6, LOOKUP_GEO);
	while (view_build_step(&f->v, &f->src, 0) == 0)
		;
	check_same(f, FC_GEO, 0, "", ref);
	check_same(f, FC_GEO, 1, "", ref);
	/* A build dropped while the places are sorted afresh, answers, and
	 * the next build: the sort under way must not keep what it read. */
	geo_afresh(f, ref, 4);
	view_build_cancel(&f->v);
	for (size_t i = 2; i < flow_table_count(f->t); i += 3)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 7, LOOKUP_GEO);
	check_same(f, FC_GEO, 0, "", ref);
	/* The same, the annotation table growing meanwhile (room for the
	 * sort under way was made for fewer slots). */
	geo_afresh(f, ref, 2);
	view_build_cancel(&f->v);
	a[1] = 17;
	for (uint32_t i = 0; i < 3000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	check_same(f, FC_GEO, 0, "", ref);
	view_free(&f->v);
	view_init(&f->v, 0);
	annots_free(an);
	free(ref);
}

static void test_name_ranks(void **state);

static void test_name_ranks_parts(void **state)
{
	in_parts = 1;
	parts_taken = 0;
	test_name_ranks(state);
	assert_true(parts_taken > 10);
}

/* What a new filter searches (view_text.c) follows the answers: a name
 * then a place for one address, each changing what a filter finds, and
 * filters going back and forth between rebuilds. */
static void test_names_in_parts(void **state)
{
	struct fixture *f = *state;
	size_t n = 2000, nt;
	struct ref_row *ref = malloc(2 * n * sizeof(*ref));
	struct annots *an = named_flows(f, n, 33);
	check_same(f, FC_DST, 0, "example", ref);
	nt = flow_table_count(f->t);
	for (size_t i = 0; i < nt; i += 2)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 1, LOOKUP_DNS);
	check_same(f, FC_DST, 0, "example", ref);
	check_same(f, FC_DST, 0, "derry", ref);
	for (size_t i = 0; i < nt; i += 3)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 3, LOOKUP_GEO);
	check_same(f, FC_DST, 0, "derry", ref);
	check_same(f, FC_DST, 1, "example", ref);
	check_same(f, FC_DST, 1, "AS ORG 2", ref);
	check_named(f, ref);
	view_free(&f->v);
	view_init(&f->v, 0);
	annots_free(an);
	free(ref);
}

/* The sorts by name and by place compare ranks the view keeps per
 * address (view_rank.c): they must follow names that change, appear and
 * go, while another column is shown, and a start-over of the same table. */
static void check_ranked(struct fixture *f, struct ref_row *ref)
{
	static const int cols[] = { FC_DST, FC_GEO, FC_SRC };

	for (size_t c = 0; c < sizeof(cols) / sizeof(*cols); c++)
		for (int rev = 0; rev < 2; rev++)
			check_same(f, cols[c], rev, "", ref);
}

static void test_name_ranks(void **state)
{
	struct fixture *f = *state;
	size_t n = 2000, nt;
	struct ref_row *ref = malloc(2 * n * sizeof(*ref));
	struct annots *an = named_flows(f, n, 41);
	uint8_t a[16] = { 172 };

	nt = flow_table_count(f->t);
	for (size_t i = 0; i < nt; i += 3)
		answer(an, &flow_table_at(f->t, i)->w, 1, 1);
	for (size_t i = 0; i < nt; i += 2)
		answer(an, &flow_table_at(f->t, i)->w, 0, 2);
	check_ranked(f, ref);
	/* More names and places come, apart, while the rows show places:
	 * the names' ranks are mended when the column comes back. */
	for (size_t i = 1; i < nt; i += 3)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 7, LOOKUP_DNS);
	check_same(f, FC_GEO, 0, "", ref);
	for (size_t i = 2; i < nt; i += 3)
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 8, LOOKUP_GEO);
	check_same(f, FC_DST, 1, "", ref);
	for (size_t i = 1; i < nt; i += 3) {
		answer_parts(an, &flow_table_at(f->t, i)->w, 1, 7, LOOKUP_GEO);
		answer_parts(an, &flow_table_at(f->t, i + 1 < nt ? i + 1 : i)->w,
			     1, 9, LOOKUP_DNS);
	}
	check_ranked(f, ref);
	/* New flows to new addresses, named as they come. */
	for (uint32_t i = 0; i < 300; i++) {
		struct flow_wire w = mk(50000 + i, 2, "curl", 81, i, 1);

		w.dst[1] = (uint8_t)(i * 13);
		w.dst[3] = (uint8_t)i;
		put(f, w, 1);
		ask_flow(an, flow_table_find(f->t, w.id, flow_tuple_hash(&w)));
		answer(an, &w, 1, i % 4 + 1);
		if (i % 100 == 99)
			check_ranked(f, ref);
	}
	/* The same table starts over: every rank is of another address. */
	for (uint32_t i = 0; i <= ANNOT_MAX; i++) {
		memcpy(a + 1, &i, sizeof(i));
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	for (size_t i = 0; i < nt; i++)
		ask_flow(an, flow_table_at(f->t, i));
	for (size_t i = 0; i < nt; i += 2)
		answer(an, &flow_table_at(f->t, i)->w, 1, 3);
	check_ranked(f, ref);
	view_free(&f->v);
	view_init(&f->v, 0);
	annots_free(an);
	free(ref);
}

/* When the annotation table starts over it frees its strings; rows built
 * before keep pointing at them until the next rebuild. A bucket sorted
 * in between (the user scrolls) must not compare those strings. */
static void test_start_over_rows(void **state)
{
	struct fixture *f = *state;
	struct annots *an = annots_new(LOOKUP_DNS | LOOKUP_GEO, 0);
	struct lookup_ans r;
	struct msg m = { .type = MSG_LOOKUP_ANS, .len = sizeof(r),
			 .payload = &r };
	uint8_t a[16] = { 0 };

	assert_non_null(an);
	f->src.annot = annots_get;
	f->src.ctx = an;
	/* Names with one long prefix at both ends of the order, so that the
	 * bucket of the last ranks needs whole-string compares and is not
	 * sorted by the rebuild (the selection is at rank 0). */
	for (uint32_t i = 1; i <= 200; i++) {
		struct flow_wire w = mk(i, 1, "curl", 81, i, 0);

		w.dst[2] = (uint8_t)(i % 7);
		put(f, w, 1);
		annots_want(an, w.family, w.dst);
		memset(&r, 0, sizeof(r));
		r.family = w.family;
		r.parts = LOOKUP_DNS;
		memcpy(r.addr, w.dst, sizeof(r.addr));
		snprintf(r.name, sizeof(r.name), "%s-%u.example",
			 i % 2 ? "zzzzzzzzzzzz" : "aaaaaaaaaaaa", (i * 37) % 101);
		annots_apply(an, &m);
	}
	f->v.ts[VIEW_FLOWS].sort_col = FC_DST;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	/* Start over: every string the rows point at is freed. */
	for (uint32_t i = 0; i <= ANNOT_MAX; i++) {
		a[0] = 172;
		memcpy(a + 1, &i, sizeof(i));
		annots_want(an, FLOW_FAM_IPV4, a);
	}
	for (size_t i = f->v.nrows; i-- > 0;)
		assert_non_null(view_row_at(&f->v, i));
	/* The next rebuild orders by what the new table knows (nothing). */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 200);
	view_free(&f->v);
	view_init(&f->v, 0);
	annots_free(an);
}

/* Large buckets take the radix path: few distinct keys, many flows. */
static void test_order_big_buckets(void **state)
{
	struct fixture *f = *state;
	size_t n = 40000;
	struct ref_row *ref = malloc(n * sizeof(*ref));

	srand(5);
	for (size_t i = 0; i < n; i++)
		put(f, mk((uint32_t)rand(), 1, "x", 10, (uint64_t)(rand() % 3) << 33,
			  0), 1);
	check_same(f, FC_BYTES, 0, "", ref);
	check_same(f, FC_BYTES, 1, "", ref);
	check_same(f, FC_PID, 0, "", ref);
	free(ref);
}

/* The selection stays on its flow through rebuilds and re-sorts of a big
 * table, wherever the sort puts it. */
static void test_selection_follows_big(void **state)
{
	struct fixture *f = *state;
	uint64_t ident;

	srand(3);
	fill_random(f, 20000);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	view_move(&f->v, 1234);
	ident = view_row_at(&f->v, f->v.ts[VIEW_FLOWS].sel)->ident;
	for (int col = 0; col < FC_COUNT; col++) {
		f->v.ts[VIEW_FLOWS].sort_col = col;
		assert_int_equal(view_rebuild(&f->v, &f->src), 0);
		assert_true(view_row_at(&f->v, f->v.ts[VIEW_FLOWS].sel)->ident ==
			    ident);
	}
}

/* Octet tables against writing the quad and searching it, for every
 * kind of filter that can be in one. */
static void test_ip4_tables(void **state)
{
	static const char *const filters[] = {
		"1", "12", "255", "0", "00", "1.", ".1", "10.1", "0.1", "1.2.3",
		"1.2.3.4", ".", "..", "1..2", "256", "01.2", "2.0", ".0.",
		"3.4.5.6.7", "1.2.3.4.", "99.", ".25", "a", "1:2",
	};
	struct vf_ip4 p;

	(void)state;
	srand(9);
	for (size_t i = 0; i < sizeof(filters) / sizeof(*filters); i++) {
		vf_ip4_compile(&p, filters[i]);
		for (int k = 0; k < 20000; k++) {
			uint8_t a[4];
			char buf[16];

			for (int j = 0; j < 4; j++)
				a[j] = (uint8_t)(rand() % 4 ? rand() % 256 :
						 rand() % 12);
			inet_ntop(AF_INET, a, buf, sizeof(buf));
			if (vf_ip4_match(&p, a) != (strstr(buf, filters[i]) != NULL))
				fail_msg("'%s' in %s", filters[i], buf);
		}
	}
}

static void test_filter(void **state)
{
	struct fixture *f = *state;

	put(f, mk(1, 10, "curl", 81, 1, 0), 1);
	put(f, mk(2, 11, "sshd", 10, 1, 0), 1);
	put(f, mk(3, 12, "ntpd", 10, 1, 0), 1);
	strcpy(f->v.filter, "SSH");       /* process, any case */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), 2);
	assert_int_equal(f->v.total, 3);
	strcpy(f->v.filter, "london");    /* reverse DNS name */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), 1);
	strcpy(f->v.filter, "kingdom");   /* country name */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	strcpy(f->v.filter, "10.0.0.3");  /* address */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), 3);
	strcpy(f->v.filter, "40002");     /* port */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), 2);
	strcpy(f->v.filter, "https");     /* service */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 3);
	strcpy(f->v.filter, "nomatch");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 0);
	assert_int_equal(view_match("ab", "xxAB"), 2);
	assert_int_equal(view_match("ab", NULL), -1);
}

/* w's reply direction as without NAT: the original swapped. */
static struct flow_wire no_nat(struct flow_wire w)
{
	memcpy(w.rsrc, w.dst, sizeof(w.rsrc));
	memcpy(w.rdst, w.src, sizeof(w.rdst));
	w.rsport = w.dport;
	w.rdport = w.sport;
	return w;
}

/* The ids of the rows, in order, as "1,3". */
static void row_ids(struct fixture *f, char *buf, size_t sz)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < f->v.nrows && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%u", i ? "," : "",
				      row_id(f, i));
}

/* Whole terms select by the conntrack entry: "nat" the flows whose reply
 * NAT changed (not a process named natd), "zone:N", "mark:N" (decimal or
 * 0x); anything else, a number out of range too, is text. */
static void test_filter_terms(void **state)
{
	static const struct {
		const char *filter;
		const char *ids;
	} cases[] = {
		{ "nat", "2" }, { "NAT", "2" }, { "zone:7", "2" },
		{ "Zone:0", "1,3" }, { "mark:42", "3" }, { "mark:0x2A", "3" },
		{ "mark:0", "1,2" }, { "natd", "3" }, { "mark:0x", "" },
		{ "zone:70000", "" }, { "mark:4294967296", "" },
		{ "zone:7x", "" },
	};
	struct fixture *f = *state;
	struct flow_wire w;
	char got[64];

	put(f, no_nat(mk(1, 10, "curl", 81, 3, 0)), 1);
	w = no_nat(mk(2, 11, "sshd", 10, 2, 0));
	w.rdst[0] = 198;                /* masqueraded */
	w.zone = 7;
	put(f, w, 1);
	w = no_nat(mk(3, 12, "natd", 10, 1, 0));
	w.mark = 42;
	put(f, w, 1);
	f->v.ts[VIEW_FLOWS].sort_col = FC_BYTES;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(f->v.filter, sizeof(f->v.filter), "%s",
			 cases[i].filter);
		assert_int_equal(view_rebuild(&f->v, &f->src), 0);
		row_ids(f, got, sizeof(got));
		if (strcmp(got, cases[i].ids))
			fail_msg("filter '%s': rows %s, want %s",
				 cases[i].filter, got, cases[i].ids);
	}
}

/* The columns of `n` show only with it, and sort by what they show: no
 * NAT first, then a translated destination, then a source; zone and mark
 * by number; labels by the lowest set. */
static void test_nat_columns(void **state)
{
	static const struct {
		int col, reverse;
		const char *ids;
	} cases[] = {
		{ FC_NAT, 0, "1,3,2" }, { FC_ZONE, 0, "1,3,2" },
		{ FC_ZONE, 1, "2,3,1" }, { FC_MARK, 0, "1,2,3" },
		{ FC_LABELS, 0, "1,3,2" },
	};
	struct fixture *f = *state;
	struct flow_wire w;
	char got[64];

	put(f, no_nat(mk(1, 10, "curl", 81, 3, 0)), 1);
	w = no_nat(mk(2, 11, "sshd", 10, 2, 0));
	w.rdst[0] = 198;                /* masqueraded */
	w.zone = 7;
	w.mark = 7;
	w.labels[sizeof(unsigned long)] = 1;    /* label 64 */
	put(f, w, 1);
	w = no_nat(mk(3, 12, "natd", 10, 1, 0));
	w.rsrc[0] = 172;                /* a published port */
	w.zone = 3;
	w.mark = 42;
	w.labels[0] = 2;                /* label 1 */
	put(f, w, 1);
	assert_false(view_col_visible(&f->v, VIEW_FLOWS, FC_NAT));
	f->v.show_nat = 1;
	for (int c = FC_NAT; c <= FC_LABELS; c++)
		assert_true(view_col_visible(&f->v, VIEW_FLOWS, c));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f->v.ts[VIEW_FLOWS].sort_col = cases[i].col;
		f->v.ts[VIEW_FLOWS].reverse = cases[i].reverse;
		assert_int_equal(view_rebuild(&f->v, &f->src), 0);
		row_ids(f, got, sizeof(got));
		if (strcmp(got, cases[i].ids))
			fail_msg("col %d rev %d: rows %s, want %s",
				 cases[i].col, cases[i].reverse, got,
				 cases[i].ids);
	}
}

/* The filter leaves the one flow id. */
static void filter_finds_one(struct fixture *f, const char *filter,
			     uint32_t id)
{
	snprintf(f->v.filter, sizeof(f->v.filter), "%s", filter);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), id);
}

/* USER: the socket's user, named where the database names it. Sorted
 * with no local socket first, then nameless uids by number, then names
 * (case-insensitive, whole names); the filter finds it as shown. */
static void test_user_column(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint32_t id;
		uint8_t owner;
		uint32_t uid;
	} fl[] = {
		{ 1, FLOW_OWNER_SOCKET, 65534 }, { 2, FLOW_OWNER_NONE, 0 },
		{ 3, FLOW_OWNER_SOCKET, 2000 }, { 4, FLOW_OWNER_HIDDEN, 1000 },
		{ 5, FLOW_OWNER_SOCKET, 1001 }, { 6, FLOW_OWNER_SOCKET, 5 },
		{ 7, FLOW_OWNER_SOCKET, 1 }, { 8, FLOW_OWNER_SOCKET, 0 },
	};
	static const uint32_t asc[] = { 2, 6, 3, 5, 4, 7, 1, 8 };
	size_t ncols;
	const struct view_col *c = view_cols(VIEW_FLOWS, &ncols);

	for (size_t i = 0; i < sizeof(fl) / sizeof(*fl); i++) {
		struct flow_wire w = mk(fl[i].id, 100 + fl[i].id, "proc", 10, 1, 0);

		w.owner = fl[i].owner;
		w.uid = fl[i].uid;
		if (w.owner == FLOW_OWNER_HIDDEN) {
			w.pid = 0;
			w.comm[0] = '\0';
		}
		put(f, w, 1);
	}
	assert_string_equal(c[FC_USER].title, "USER");
	assert_int_equal(c[FC_USER].desc, 0);
	f->v.ts[VIEW_FLOWS].sort_col = FC_USER;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	for (size_t i = 0; i < sizeof(asc) / sizeof(*asc); i++)
		assert_int_equal(row_id(f, i), asc[i]);
	view_sort_reverse(&f->v);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	for (size_t i = 0; i < sizeof(asc) / sizeof(*asc); i++)
		assert_int_equal(row_id(f, i), asc[sizeof(asc) / sizeof(*asc) - 1 - i]);
	/* The filter: a name, a hidden owner's name, a nameless uid; root's
	 * uid 0 is named, and no local socket is nobody's (no "0"). */
	filter_finds_one(f, "NOBO", 1);
	filter_finds_one(f, "long-name", 4);
	filter_finds_one(f, "2000", 3);
	filter_finds_one(f, "root", 8);
	/* Without a table: every uid a number. */
	f->src.users = NULL;
	f->v.filter[0] = '\0';
	view_sort_reverse(&f->v);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(row_id(f, 0), 2);
	assert_int_equal(row_id(f, 1), 8);     /* uid 0 */
	assert_int_equal(row_id(f, 2), 7);     /* uid 1 */
	assert_int_equal(row_id(f, 7), 1);     /* uid 65534 */
}

/* 80 columns fit the flows tab as it starts (no SOURCE, SPORT): the
 * flex columns at their minimum, the others at their width. */
static void test_flows_fit_80(void **state)
{
	struct view v;
	size_t n;
	const struct view_col *c = view_cols(VIEW_FLOWS, &n);
	int used = -1;

	(void)state;
	view_init(&v, 0);
	for (size_t i = 0; i < n; i++)
		if (view_col_visible(&v, VIEW_FLOWS, (int)i))
			used += (c[i].flex ? c[i].min : c[i].width) + 1;
	assert_true(used <= 80);
	assert_true(view_col_visible(&v, VIEW_FLOWS, FC_USER));
	view_free(&v);
}

static void test_active_only(void **state)
{
	struct fixture *f = *state;

	put(f, mk(1, 10, "a", 10, 100, 0), 1);
	put(f, mk(2, 10, "a", 10, 100, 0), 1);
	flow_table_dump_end(f->t, 1);
	put(f, mk(1, 10, "a", 10, 200, 0), 2);
	put(f, mk(2, 10, "a", 10, 100, 0), 2);
	flow_table_dump_end(f->t, 2);
	flow_table_rates(f->t, 2 * SEC);
	f->v.active_only = 1;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(row_id(f, 0), 1);
}

static void test_linger(void **state)
{
	struct fixture *f = *state;
	struct flow_wire d = mk(7, 10, "bg", 10, 0, 0);
	int closed = 0;

	put(f, mk(1, 10, "a", 10, 5, 0), 1);
	put(f, d, 1);
	d.event = FLOW_EV_DESTROY;
	d.orig_bytes = 999;          /* DESTROY brings the final counters */
	linger_add(&f->lg, &(struct flow_entry){ .w = mk(8, 1, "x", 10, 0, 0) },
		   0);
	linger_expire(&f->lg, 6 * SEC);   /* that one is too old */
	assert_int_equal(flow_table_apply(f->t, &d, 2 * SEC, 1), 0);
	assert_int_equal(linger_count(&f->lg), 1);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 2);
	/* The closed flow sorts by its final bytes and says it is closed. */
	assert_int_equal(row_id(f, 0), 7);
	const struct flow_entry *e = view_flow(&f->v, &f->src, 0, &closed);

	assert_non_null(e);
	assert_int_equal(closed, 1);
	assert_int_equal(e->w.orig_bytes, 999);
	/* Hidden when its protocol is deselected, as the live one is. */
	f->src.sel = SEL_ALL & ~SEL_TCP;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 0);
	f->src.sel = SEL_ALL;
	/* A new selection's sweep is not a close: flows of muted bits
	 * don't linger. */
	f->lg.muted_sel = SEL_TCP;
	flow_table_dump_end(f->t, 5);
	f->lg.muted_sel = 0;
	assert_int_equal(flow_table_count(f->t), 0);
	assert_int_equal(linger_count(&f->lg), 1);
	/* linger_gone stamps the real monotonic clock: far later, gone. */
	linger_expire(&f->lg, UINT64_MAX / 2);
	assert_int_equal(linger_count(&f->lg), 0);
}

/* A protocol switched off on the screen hides its flows at once, before
 * the collector's next dump leaves them out; switched on, they are back. */
static void test_deselected_hidden_at_once(void **state)
{
	struct fixture *f = *state;
	struct flow_wire u = mk(2, 10, "dns", 10, 50, 0);

	u.l4proto = IPPROTO_UDP;
	put(f, mk(1, 10, "a", 10, 100, 0), 1);
	put(f, u, 1);
	f->src.sel = SEL_ALL & ~SEL_UDP;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(f->v.total, 1);
	assert_int_equal(row_id(f, 0), 1);
	f->src.sel = SEL_ALL;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 2);
}

static void test_selection_follows(void **state)
{
	struct fixture *f = *state;

	put(f, mk(1, 10, "a", 10, 300, 0), 1);
	put(f, mk(2, 10, "a", 10, 200, 0), 1);
	put(f, mk(3, 10, "a", 10, 100, 0), 1);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	view_move(&f->v, 1);
	assert_int_equal(row_id(f, f->v.ts[VIEW_FLOWS].sel), 2);
	/* Flow 2 moves to the top: the selection goes with it. */
	put(f, mk(2, 10, "a", 10, 900, 0), 2);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sel, 0);
	assert_int_equal(row_id(f, 0), 2);
	view_sort_reverse(&f->v);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sel, 2);
	/* Paging and the ends stay in range; scrolling keeps it visible. */
	view_move(&f->v, -100);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sel, 0);
	view_end(&f->v);
	assert_int_equal(f->v.ts[VIEW_FLOWS].sel, 2);
	view_scroll(&f->v, 2);
	assert_int_equal(f->v.ts[VIEW_FLOWS].top, 1);
	view_home(&f->v);
	view_scroll(&f->v, 2);
	assert_int_equal(f->v.ts[VIEW_FLOWS].top, 0);
}

static void test_freeze(void **state)
{
	struct fixture *f = *state;
	int closed;

	put(f, mk(1, 10, "a", 10, 300, 0), 1);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(view_freeze(&f->v, &f->src), 0);
	put(f, mk(1, 10, "a", 10, 5000, 0), 2);
	assert_int_equal(view_flow(&f->v, &f->src, 0, &closed)->w.orig_bytes, 300);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(view_flow(&f->v, &f->src, 0, &closed)->w.orig_bytes, 5000);
}

static void test_procs_tab(void **state)
{
	struct fixture *f = *state;

	put(f, mk(1, 10, "curl", 10, 100, 1), 1);
	put(f, mk(2, 10, "curl", 10, 100, 1), 1);
	put(f, mk(3, 20, "sshd", 10, 5000, 1), 1);
	f->v.tab = VIEW_PROCS;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 2);
	assert_int_equal(f->v.procs[view_row_at(&f->v, 0)->ref].pid, 20);
	assert_int_equal(f->v.procs[view_row_at(&f->v, 1)->ref].flows, 2);
	strcpy(f->v.filter, "cur");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
}

/* The label of row i of the processes tab grouped otherwise. */
static const char *group_label(struct fixture *f, size_t i)
{
	assert_true(i < f->v.nrows);
	return f->v.groups[view_row_at(&f->v, i)->ref].label;
}

static void put_owned(struct fixture *f, uint32_t id, uint32_t pid,
		      uint32_t uid, uint64_t ob)
{
	struct flow_wire w = mk(id, pid, pid ? "proc" : "", 10, ob, 1);

	w.owner = pid ? FLOW_OWNER_SOCKET : FLOW_OWNER_HIDDEN;
	w.uid = uid;
	put(f, w, 1);
}

static void own(struct owners *o, uint32_t pid, const char *cgroup)
{
	struct msg_owner m;

	memset(&m, 0, sizeof(m));
	m.pid = pid;
	m.start = 1;
	snprintf(m.comm, sizeof(m.comm), "proc");
	snprintf(m.cgroup, sizeof(m.cgroup), "%s", cgroup);
	assert_int_equal(owners_put(o, &m), 0);
}

/* g: from another tab it shows the processes tab; there it cycles
 * process -> user -> unit -> container -> process, the naming columns
 * follow, a sort by name follows them, the filter matches the label. */
static void test_group_key(void **state)
{
	struct fixture *f = *state;
	struct owners *o = owners_new();
	size_t n;

	own(o, 10, "/system.slice/nginx.service");
	own(o, 11, "/system.slice/nginx.service");
	own(o, 20, "/user.slice/user-1001.slice/session-3.scope");
	put_owned(f, 1, 10, 65534, 100);
	put_owned(f, 2, 11, 65534, 200);
	put_owned(f, 3, 20, 1001, 5000);
	put_owned(f, 4, 0, 2000, 50);          /* hidden, uid 2000 */
	f->src.owners = o;

	view_group_key(&f->v);
	assert_int_equal(f->v.tab, VIEW_PROCS);
	assert_int_equal(f->v.group, GROUP_PROCESS);
	assert_true(view_col_visible(&f->v, VIEW_PROCS, PC_PID));
	assert_true(view_col_visible(&f->v, VIEW_PROCS, PC_PROC));
	assert_false(view_col_visible(&f->v, VIEW_PROCS, PC_USER));
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 3);      /* the hidden owner: no pid */

	/* By user: the hidden owner's uid counts; sorted by SENT. */
	f->v.ts[VIEW_PROCS].sort_col = PC_PROC;
	view_group_key(&f->v);
	assert_int_equal(f->v.group, GROUP_USER);
	assert_int_equal(f->v.ts[VIEW_PROCS].sort_col, PC_USER);
	assert_false(view_col_visible(&f->v, VIEW_PROCS, PC_PID));
	assert_false(view_col_visible(&f->v, VIEW_PROCS, PC_PROC));
	assert_true(view_col_visible(&f->v, VIEW_PROCS, PC_USER));
	assert_true(view_col_visible(&f->v, VIEW_PROCS, PC_FLOWS));
	assert_string_equal(view_cols(VIEW_PROCS, &n)[PC_USER].title, "USER");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 3);
	assert_string_equal(group_label(f, 0), "2000");
	assert_string_equal(group_label(f, 1), "alice");
	assert_string_equal(group_label(f, 2), "nobody");
	assert_int_equal(f->v.groups[view_row_at(&f->v, 2)->ref].sum.flows, 2);
	f->v.ts[VIEW_PROCS].sort_col = PC_SENT;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_string_equal(group_label(f, 0), "alice");
	/* The selection follows its row across rebuilds. */
	view_home(&f->v);
	view_move(&f->v, 1);
	assert_string_equal(group_label(f, f->v.ts[VIEW_PROCS].sel), "nobody");
	put_owned(f, 5, 10, 65534, 90000);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_string_equal(group_label(f, 0), "nobody");
	assert_int_equal(f->v.ts[VIEW_PROCS].sel, 0);
	strcpy(f->v.filter, "NOB");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	strcpy(f->v.filter, "65534");            /* the uid, too */
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);

	/* By unit: the hidden owner under "(hidden)", nothing of its uid. */
	f->v.filter[0] = 0;
	view_group_key(&f->v);
	assert_int_equal(f->v.group, GROUP_UNIT);
	assert_true(view_col_visible(&f->v, VIEW_PROCS, PC_UNIT));
	assert_false(view_col_visible(&f->v, VIEW_PROCS, PC_USER));
	f->v.ts[VIEW_PROCS].sort_col = PC_UNIT;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 3);
	assert_string_equal(group_label(f, 0), "(hidden)");
	assert_string_equal(group_label(f, 1), "nginx.service");
	assert_string_equal(group_label(f, 2), "session-3.scope");
	strcpy(f->v.filter, "2000");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 0);
	strcpy(f->v.filter, "nginx");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_int_equal(f->v.groups[view_row_at(&f->v, 0)->ref].sum.flows, 3);

	/* By container: none here, all on the host but the hidden one. */
	f->v.filter[0] = 0;
	view_group_key(&f->v);
	assert_int_equal(f->v.group, GROUP_CONTAINER);
	assert_int_equal(f->v.ts[VIEW_PROCS].sort_col, PC_CONTAINER);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 2);
	assert_string_equal(group_label(f, 0), "(hidden)");
	assert_string_equal(group_label(f, 1), "(host)");

	/* And round: by process, sorted by its name. */
	view_group_key(&f->v);
	assert_int_equal(f->v.group, GROUP_PROCESS);
	assert_int_equal(f->v.ts[VIEW_PROCS].sort_col, PC_PROC);
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 3);
	assert_int_equal(f->v.procs[view_row_at(&f->v, 0)->ref].pid, 10);
	f->src.owners = NULL;
	owners_free(o);
}

static void test_countries_tab(void **state)
{
	struct fixture *f = *state;
	struct flow_wire in = mk(4, 0, "", 10, 7, 70), jp = mk(5, 9, "x", 10, 3, 4);

	put(f, mk(11, 10, "curl", 81, 100, 1000), 1);  /* GB, AS1221 */
	put(f, mk(12, 10, "curl", 81, 50, 500), 1);    /* GB, AS1221 */
	/* From outside to us: the source is the remote end. */
	in.src[0] = 81;
	in.src[3] = 1;                                 /* GB, no AS */
	put(f, in, 1);
	jp.family = FLOW_FAM_IPV6;
	memset(jp.dst, 0, 16);
	jp.dst[0] = 0x20; jp.dst[1] = 0x01; jp.dst[2] = 0x02; jp.dst[3] = 0x18;
	put(f, jp, 1);
	put(f, mk(6, 9, "x", 10, 1, 1), 1);            /* nowhere */
	f->v.tab = VIEW_COUNTRIES;
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 4);
	assert_true(f->v.have_asn);
	const struct country_agg *c = &f->v.countries[view_row_at(&f->v, 0)->ref];

	assert_string_equal(c->cc, "GB");
	assert_int_equal(c->asn, 1221);
	assert_int_equal(c->flows, 2);
	assert_int_equal(c->sent_bytes, 150);
	assert_int_equal(c->recv_bytes, 1500);
	c = &f->v.countries[view_row_at(&f->v, 1)->ref];
	assert_string_equal(c->cc, "GB");
	assert_int_equal(c->asn, 0);
	assert_int_equal(c->sent_bytes, 70);   /* the reply went to them */
	assert_int_equal(c->recv_bytes, 7);
	strcpy(f->v.filter, "japan");
	assert_int_equal(view_rebuild(&f->v, &f->src), 0);
	assert_int_equal(f->v.nrows, 1);
	assert_string_equal(f->v.countries[view_row_at(&f->v, 0)->ref].cc, "JP");
}

static void test_fmt(void **state)
{
	char b[64];

	(void)state;
	/* IPv6 loses its middle, never its end. */
	assert_int_equal(fmt_fit(b, sizeof(b), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
				 16, FMT_CUT_MIDDLE), 16);
	assert_string_equal(b, "2001:db~d:eeee:1");
	assert_int_equal(fmt_fit(b, sizeof(b), "a-very-long-name", 8, FMT_CUT_END), 8);
	assert_string_equal(b, "a-very-~");
	assert_int_equal(fmt_fit(b, sizeof(b), "short", 8, FMT_CUT_MIDDLE), 5);
	assert_string_equal(b, "short");
	/* Wide characters count two columns and are never split. */
	assert_int_equal(fmt_fit(b, sizeof(b), "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 5,
				 FMT_CUT_END), 5);
	assert_string_equal(b, "\xe6\x9d\xb1\xe4\xba\xac~");
	assert_int_equal(fmt_fit(b, sizeof(b), "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", 4,
				 FMT_CUT_END), 3);
}

/* The one formatter of counts, rates and ages (ui/fmt.h): decimal
 * multiples, at most 6 columns, the unit of a rate in its title. */
static void test_fmt_numbers(void **state)
{
	static const struct {
		double v;
		const char *want;
	} counts[] = {
		{ 0, "0" }, { 999, "999" }, { 999.4, "999" }, { 999.5, "1.0k" },
		{ 1000, "1.0k" }, { 1024, "1.0k" }, { 1536, "1.5k" },
		{ 12345, "12.3k" }, { 999949, "999.9k" }, { 999950, "1.0M" },
		{ 46.1e6, "46.1M" }, { 5e9, "5.0G" }, { 7e12, "7.0T" },
		{ 8e15, "8.0P" }, { 18446744073709551615.0, "18.4E" },
		{ -1, "0" }, { NAN, "0" }, { INFINITY, "0" },
	};
	static const struct {
		int64_t s;
		const char *want;
	} ages[] = {
		{ -1, "-" }, { 0, "0s" }, { 59, "59s" }, { 60, "1m00s" },
		{ 184, "3m04s" }, { 3599, "59m59s" }, { 3725, "1h02m" },
		{ 86399, "23h59m" }, { 97200, "1d03h" },
		{ 100 * 86400 - 1, "99d23h" }, { 100 * 86400, "100d" },
		{ INT64_MAX, "106751991167300d" },
	};
	char b[FMT_COUNT_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		fmt_count(b, sizeof(b), counts[i].v);
		assert_string_equal(b, counts[i].want);
		assert_true(strlen(b) <= 6);
	}
	/* Rates: the same numbers, of bytes or (bits) of bits a second. */
	fmt_rate(b, sizeof(b), 0, 0);
	assert_string_equal(b, "0");
	fmt_rate(b, sizeof(b), 512, 0);
	assert_string_equal(b, "512");
	fmt_rate(b, sizeof(b), 512, 1);
	assert_string_equal(b, "4.1k");
	fmt_rate(b, sizeof(b), 1250, 0);
	assert_string_equal(b, "1.2k");
	fmt_rate(b, sizeof(b), 125000, 1);
	assert_string_equal(b, "1.0M");
	fmt_rate(b, sizeof(b), -3, 1);
	assert_string_equal(b, "0");
	assert_string_equal(fmt_rate_unit(0), "B/s");
	assert_string_equal(fmt_rate_unit(1), "bit/s");
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		fmt_age(b, sizeof(b), ages[i].s);
		assert_string_equal(b, ages[i].want);
		if (ages[i].s < 10000 * 86400)
			assert_true(strlen(b) <= 6);
	}
	/* A flow's age: unknown start, a start in the future. */
	assert_int_equal(fmt_age_secs(0, 5000000000u), -1);
	assert_int_equal(fmt_age_secs(6000000000u, 5000000000u), -1);
	assert_int_equal(fmt_age_secs(1000000000u, 5999999999u), 4);
	/* A short buffer cuts, never overflows. */
	fmt_count(b, 3, 12345);
	assert_string_equal(b, "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sort_bytes_then_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_columns_and_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_matches_full_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parts_match_full_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parts_while_moving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_memo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_memo_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_ranks_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_over_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_ranks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_in_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_big_buckets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection_follows_big, setup, teardown),
		cmocka_unit_test(test_ip4_tables),
		cmocka_unit_test(test_fmt_numbers),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_terms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nat_columns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_user_column, setup, teardown),
		cmocka_unit_test(test_flows_fit_80),
		cmocka_unit_test_setup_teardown(test_active_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deselected_hidden_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_freeze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procs_tab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_countries_tab, setup, teardown),
		cmocka_unit_test(test_fmt),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
