/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ui/proc_agg.c and ui/group_agg.c: per-process totals,
 * and by user, unit and container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "tests/unit/fake_users.h"
#include "ui/group_agg.h"
#include "ui/proc_agg.h"

#define SEC 1000000000ull

static void add(struct flow_table *t, uint32_t id, uint32_t pid,
		const char *comm, uint64_t ob, uint64_t rb, uint64_t seq)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.event = FLOW_EV_DUMP;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_TCP;
	w.state = 3;
	w.src[0] = 10;
	w.src[3] = (uint8_t)id;
	w.dst[0] = 192;
	w.sport = (uint16_t)(40000 + id);
	w.dport = 443;
	w.orig_bytes = ob;
	w.reply_bytes = rb;
	w.pid = pid;
	snprintf(w.comm, sizeof(w.comm), "%s", comm);
	assert_int_equal(flow_table_apply(t, &w, seq * SEC, seq), 0);
}

static void test_totals(void **state)
{
	struct flow_table *t = flow_table_new();
	struct proc_agg *p;
	size_t n;

	(void)state;
	add(t, 1, 100, "curl", 1000, 5000, 1);
	add(t, 2, 100, "curl", 10, 20, 1);
	add(t, 3, 200, "sshd", 100000, 1, 1);
	add(t, 4, 0, "", 999999, 999999, 1);   /* no owner: not counted */
	add(t, 5, 300, "dig", 1, 1, 1);
	flow_table_dump_end(t, 1);
	/* Second reading one second later: rates exist. */
	add(t, 1, 100, "curl", 2000, 7000, 2);
	add(t, 2, 100, "curl", 10, 20, 2);
	add(t, 3, 200, "sshd", 100000, 1, 2);
	add(t, 4, 0, "", 999999, 999999, 2);
	add(t, 5, 300, "dig", 1, 1, 2);
	flow_table_dump_end(t, 2);
	flow_table_rates(t, 2 * SEC);

	n = proc_agg_build(t, &p);
	assert_int_equal(n, 3);
	/* sshd 100001 bytes, then curl 9030, then dig 2. */
	assert_int_equal(p[0].pid, 200);
	assert_string_equal(p[0].comm, "sshd");
	assert_int_equal(p[0].flows, 1);
	assert_int_equal(p[1].pid, 100);
	assert_string_equal(p[1].comm, "curl");
	assert_int_equal(p[1].flows, 2);
	assert_int_equal(p[1].orig_bytes, 2010);
	assert_int_equal(p[1].reply_bytes, 7020);
	assert_true(p[1].orig_rate > 999.0 && p[1].orig_rate < 1001.0);
	assert_true(p[1].reply_rate > 1999.0 && p[1].reply_rate < 2001.0);
	assert_int_equal(p[2].pid, 300);
	free(p);
	flow_table_free(t);
}

static void test_empty(void **state)
{
	struct flow_table *t = flow_table_new();
	struct proc_agg *p;

	(void)state;
	assert_int_equal(proc_agg_build(t, &p), 0);
	free(p);
	add(t, 1, 0, "", 5, 5, 1);
	assert_int_equal(proc_agg_build(t, &p), 0);
	free(p);
	flow_table_free(t);
}

/* ---- grouped by user, unit, container ---- */

#define ID64 "0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"

static const struct fake_user fake_users[] = {
	{ 0, "root" }, { 1000, "alice" }, { 1001, "bob" }, { 65534, "nobody" },
};

/* A flow of a local socket of uid, owned by pid (0: not known), or by a
 * process the viewer may not see (owner FLOW_OWNER_HIDDEN). */
static void add_owned(struct flow_table *t, uint32_t id, uint8_t owner,
		      uint32_t pid, uint32_t uid, uint64_t ob)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.event = FLOW_EV_DUMP;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_UDP;
	w.state = FLOW_STATE_NONE;
	w.src[0] = 10;
	w.src[2] = (uint8_t)(id >> 8);
	w.src[3] = (uint8_t)id;
	w.dst[0] = 192;
	w.sport = (uint16_t)(1000 + id);
	w.dport = 53;
	w.orig_bytes = ob;
	w.reply_bytes = 1;
	w.owner = owner;
	w.uid = uid;
	w.pid = pid;
	if (pid) {
		flow_set_owner_tag(&w, pid);    /* the start put_owner() gives */
		snprintf(w.comm, sizeof(w.comm), "p%u", pid);
	}
	assert_int_equal(flow_table_apply(t, &w, SEC, 1), 0);
}

static void put_owner(struct owners *o, uint32_t pid, uint32_t uid,
		      const char *cgroup)
{
	struct msg_owner m;

	memset(&m, 0, sizeof(m));
	m.pid = pid;
	m.uid = uid;
	m.start = pid;
	snprintf(m.comm, sizeof(m.comm), "p%u", pid);
	snprintf(m.cgroup, sizeof(m.cgroup), "%s", cgroup);
	assert_int_equal(owners_put(o, &m), 0);
}

struct gfix {
	struct flow_table *t;
	struct owners *o;
	struct users *u;
};

/* pid 100 (alice, nginx.service, 2 flows), 200 (nobody, docker), 300
 * (alice, no record), 400 (uid 5, cgroup "/"), 500 (bob, user@1000's
 * dbus.service); a hidden owner of bob's; a socket of root's whose
 * process is not known; a flow without a socket. */
static int gsetup(void **state)
{
	struct gfix *f = calloc(1, sizeof(*f));

	f->t = flow_table_new();
	f->o = owners_new();
	f->u = fake_users_load(fake_users, sizeof(fake_users) /
			       sizeof(*fake_users), USERS_MAX,
			       USERS_BYTES_MAX, NULL);
	assert_non_null(f->u);
	put_owner(f->o, 100, 1000, "/system.slice/nginx.service");
	put_owner(f->o, 200, 65534, "/system.slice/docker-" ID64 ".scope");
	put_owner(f->o, 400, 5, "/");
	put_owner(f->o, 500, 1001, "/user.slice/user-1000.slice/"
		  "user@1000.service/app.slice/dbus.service");
	add_owned(f->t, 1, FLOW_OWNER_SOCKET, 100, 1000, 1000);
	add_owned(f->t, 2, FLOW_OWNER_SOCKET, 100, 1000, 2000);
	add_owned(f->t, 3, FLOW_OWNER_SOCKET, 200, 65534, 50000);
	add_owned(f->t, 4, FLOW_OWNER_SOCKET, 300, 1000, 10);
	add_owned(f->t, 5, FLOW_OWNER_SOCKET, 400, 5, 20);
	add_owned(f->t, 6, FLOW_OWNER_SOCKET, 500, 1001, 30);
	add_owned(f->t, 7, FLOW_OWNER_HIDDEN, 0, 1001, 700);
	add_owned(f->t, 8, FLOW_OWNER_SOCKET, 0, 0, 40);
	add_owned(f->t, 9, FLOW_OWNER_NONE, 0, 0, 999999);
	*state = f;
	return 0;
}

static int gteardown(void **state)
{
	struct gfix *f = *state;

	flow_table_free(f->t);
	owners_free(f->o);
	users_free(f->u);
	free(f);
	return 0;
}

static const struct group_agg *find(const struct group_agg *g, size_t n,
				    const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].label, label))
			return &g[i];
	return NULL;
}

/* label's row has flows flows and orig bytes, of kind. */
static void want(const struct group_agg *g, size_t n, const char *label,
		 uint32_t flows, uint64_t orig, uint8_t kind)
{
	const struct group_agg *r = find(g, n, label);

	if (!r)
		fail_msg("no row \"%s\"", label);
	assert_int_equal(r->sum.flows, flows);
	assert_int_equal(r->sum.orig_bytes, orig);
	assert_int_equal(r->kind, kind);
	assert_int_equal(r->sum.pid, 0);
}

static void test_by_user(void **state)
{
	struct gfix *f = *state;
	struct group_agg *g;
	size_t n = group_agg_build(f->t, f->o, f->u, GROUP_USER, &g);

	/* alice 3 flows, nobody, bob (his own and a hidden one: the uid is
	 * everyone's to see), uid 5 unnamed, root (socket, no process). */
	assert_int_equal(n, 5);
	want(g, n, "alice", 3, 3010, GROUP_NAMED);
	want(g, n, "nobody", 1, 50000, GROUP_NAMED);
	want(g, n, "bob", 2, 730, GROUP_NAMED);
	want(g, n, "5", 1, 20, GROUP_NAMED);
	want(g, n, "root", 1, 40, GROUP_NAMED);
	assert_int_equal(find(g, n, "bob")->uid, 1001);
	assert_int_equal(find(g, n, "bob")->ident, (uint64_t)1001 << 32);
	/* By bytes both ways, descending. */
	assert_string_equal(g[0].label, "nobody");
	assert_string_equal(g[1].label, "alice");
	assert_string_equal(g[4].label, "5");
	free(g);
	/* Without a users table: numbers. */
	n = group_agg_build(f->t, f->o, NULL, GROUP_USER, &g);
	assert_int_equal(n, 5);
	want(g, n, "1000", 3, 3010, GROUP_NAMED);
	free(g);
}

static void test_by_unit(void **state)
{
	struct gfix *f = *state;
	struct group_agg *g;
	size_t n = group_agg_build(f->t, f->o, f->u, GROUP_UNIT, &g);

	assert_int_equal(n, 6);
	want(g, n, "nginx.service", 2, 3000, GROUP_NAMED);
	want(g, n, "user@1000.service/dbus.service", 1, 30, GROUP_NAMED);
	/* pid 300 has no record, root's socket no process: unknown. */
	want(g, n, "(unknown)", 2, 50, GROUP_UNKNOWN);
	want(g, n, "(no unit)", 1, 20, GROUP_NONE);
	/* The hidden owner: its own row, no uid, nothing else. */
	want(g, n, "(hidden)", 1, 700, GROUP_HIDDEN);
	assert_int_equal(find(g, n, "(hidden)")->uid, 0);
	/* docker's scope is a unit too. */
	assert_string_equal(g[0].label, "docker-" ID64 ".scope");
	free(g);
	/* Without owner records every process is unknown. */
	n = group_agg_build(f->t, NULL, f->u, GROUP_UNIT, &g);
	assert_int_equal(n, 2);
	want(g, n, "(unknown)", 7, 53100, GROUP_UNKNOWN);
	want(g, n, "(hidden)", 1, 700, GROUP_HIDDEN);
	free(g);
}

static void test_by_container(void **state)
{
	struct gfix *f = *state;
	struct group_agg *g;
	size_t n = group_agg_build(f->t, f->o, f->u, GROUP_CONTAINER, &g);

	assert_int_equal(n, 4);
	want(g, n, "docker:0123456789ab", 1, 50000, GROUP_NAMED);
	want(g, n, "(host)", 4, 3050, GROUP_NONE);
	want(g, n, "(unknown)", 2, 50, GROUP_UNKNOWN);
	want(g, n, "(hidden)", 1, 700, GROUP_HIDDEN);
	free(g);
	/* By process is proc_agg_build's. */
	assert_int_equal(group_agg_build(f->t, f->o, f->u, GROUP_PROCESS, &g),
			 (size_t)-1);
	assert_null(g);
}

/* Identities hold across builds; many rows (the table grows), and many
 * flows of one process (the memo) still add up. */
static void test_grow_and_ident(void **state)
{
	struct gfix *f = *state;
	struct group_agg *g, *h;
	size_t n, m;
	uint64_t total = 0;

	for (uint32_t i = 0; i < 300; i++)
		add_owned(f->t, 100 + i, FLOW_OWNER_SOCKET, 0, 2000 + i % 150, 1);
	for (uint32_t i = 0; i < 600; i++)
		add_owned(f->t, 1000 + i, FLOW_OWNER_SOCKET, 100 + 256 * (i % 3),
			  1000, 1);
	n = group_agg_build(f->t, f->o, f->u, GROUP_USER, &g);
	assert_int_equal(n, 155);
	want(g, n, "2149", 2, 2, GROUP_NAMED);
	want(g, n, "alice", 603, 3610, GROUP_NAMED);
	for (size_t i = 0; i < n; i++)
		total += g[i].sum.flows;
	assert_int_equal(total, 8 + 300 + 600);
	free(g);
	n = group_agg_build(f->t, f->o, f->u, GROUP_UNIT, &g);
	m = group_agg_build(f->t, f->o, f->u, GROUP_UNIT, &h);
	assert_int_equal(n, m);
	/* pids 356 and 612 share pid 100's memo slot but have no record;
	 * the 300 sockets of no known process are unknown too. */
	want(g, n, "nginx.service", 202, 3200, GROUP_NAMED);
	want(g, n, "(unknown)", 702, 750, GROUP_UNKNOWN);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(g[i].label, h[i].label);
		assert_true(g[i].ident == h[i].ident);
		for (size_t j = 0; j < i; j++)
			assert_true(g[i].ident != g[j].ident);
	}
	free(g);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_empty),
		cmocka_unit_test_setup_teardown(test_by_user, gsetup, gteardown),
		cmocka_unit_test_setup_teardown(test_by_unit, gsetup, gteardown),
		cmocka_unit_test_setup_teardown(test_by_container, gsetup,
						gteardown),
		cmocka_unit_test_setup_teardown(test_grow_and_ident, gsetup,
						gteardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
