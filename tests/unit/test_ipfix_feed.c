/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/ipfix_feed.c and ui/ipfix_rec.c: when a flow's IPFIX
 * record goes and what it says, seen as the exporter sees it. The feed
 * writes to one end of a real SOCK_SEQPACKET socketpair; the test reads
 * the other end as flowtop-ipfix would, checks every message with
 * ix_msg_check() and then parses it by hand (head, records, strings,
 * padding), so a fault in either the feed or the checker shows. The
 * flows come from a real flow_table fed dumps and DESTROY events, their
 * owners from a real owners table, their users from a made-up passwd. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "privsep/ipfix_wire.h"
#include "tests/unit/fake_users.h"
#include "ui/ipfix_feed.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

#define ACTIVE_S 30
#define IDLE_S 10
#define SEC_MS 1000ull
#define T0 1764745200000ull     /* 2025-12-03 07:00 UTC, in ms */

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10

/* One world: the feed, its channel, and the tables it reads. */
struct fx {
	int sv[2];              /* sv[0] the feed's, sv[1] the exporter's */
	struct ipfix_feed *feed;
	struct flow_table *t;
	struct owners *own;
	struct users *users;
	struct ipfix_names names;
	uint64_t seq;           /* the table's dump number */
	uint64_t now_ms;        /* what the gone callback takes as now */
	int forced;             /* what the gone callback says */
};

/* A record as a collector would get it: fields and strings. */
struct got_rec {
	struct ix_rec r;
	char comm[IX_COMM_MAX + 1];
	char user[IX_USER_MAX + 1];
	char unit[IX_UNIT_MAX + 1];
	char container[IX_CONTAINER_MAX + 1];
};

struct got {
	struct got_rec *v;
	size_t n, cap;
	size_t msgs;
};

static const struct fake_user passwd[] = {
	{ 1000, "alice" },
	{ 1001, "ev\x1bil\x7f" },       /* NSS hands over any bytes */
};

#define DOCKER_ID "0123456789abcdef0123456789abcdef" \
		  "0123456789abcdef0123456789abcdef"

/* A unit name systemd accepts (up to 255 bytes) but longer than the
 * record takes. */
static char long_unit[249];

static void put_owner(struct owners *o, uint32_t pid, uint64_t start,
		      const char *cgroup)
{
	struct msg_owner m;

	memset(&m, 0, sizeof(m));
	m.pid = pid;
	m.start = start;
	m.uid = 1000;
	snprintf(m.comm, sizeof(m.comm), "p%u", pid);
	snprintf(m.cmdline, sizeof(m.cmdline), "prog %u", pid);
	snprintf(m.exe, sizeof(m.exe), "/usr/bin/prog");
	snprintf(m.cgroup, sizeof(m.cgroup), "%s", cgroup);
	assert_int_equal(owners_put(o, &m), 0);
}

static void on_gone(void *ctx, const struct flow_entry *e)
{
	struct fx *x = ctx;

	ipfix_feed_gone(x->feed, e, &x->names, x->now_ms, x->forced);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char cg[300];

	if (!x || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, x->sv) < 0)
		return -1;
	x->feed = ipfix_feed_new(x->sv[0], ACTIVE_S, IDLE_S);
	x->t = flow_table_new();
	x->own = owners_new();
	x->users = fake_users_load(passwd, ARRAY_SIZE(passwd), USERS_MAX,
				   USERS_BYTES_MAX, NULL);
	if (!x->feed || !x->t || !x->own || !x->users)
		return -1;
	flow_table_on_gone(x->t, on_gone, x);
	put_owner(x->own, 42, 7, "/system.slice/nginx.service");
	put_owner(x->own, 43, 9, "/system.slice/docker-" DOCKER_ID ".scope");
	memset(long_unit, 'u', sizeof(long_unit) - 1 - 8);
	memcpy(long_unit + sizeof(long_unit) - 1 - 8, ".service", 9);
	snprintf(cg, sizeof(cg), "/system.slice/%s", long_unit);
	put_owner(x->own, 44, 11, cg);
	x->names = (struct ipfix_names){ .owners = x->own, .users = x->users };
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	/* A test that failed inside its deadline must not end a later one. */
	alarm(0);
	ipfix_feed_free(x->feed);
	flow_table_free(x->t);
	owners_free(x->own);
	users_free(x->users);
	for (int i = 0; i < 2; i++)
		if (x->sv[i] >= 0)
			close(x->sv[i]);
	free(x);
	return 0;
}

/* TCP/IPv4 10.0.0.1:sport -> 10.0.0.2:443, established, no owner,
 * started at start_ms. */
static struct flow_wire tcp4(uint32_t id, uint16_t sport, uint64_t start_ms)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.event = FLOW_EV_DUMP;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_TCP;
	w.state = TCP_CONNTRACK_ESTABLISHED;
	w.src[0] = 10;
	w.src[3] = 1;
	w.dst[0] = 10;
	w.dst[3] = 2;
	w.sport = sport;
	w.dport = 443;
	w.start_ns = start_ms * 1000000u;
	return w;
}

/* The feed's send buffer: the kernel caps or floors what is asked. */
static void sndbuf(struct fx *x, int bytes)
{
	assert_int_equal(setsockopt(x->sv[0], SOL_SOCKET, SO_SNDBUF, &bytes,
				    sizeof(bytes)), 0);
}

static void ctr(struct flow_wire *w, uint64_t ob, uint64_t op, uint64_t rb,
		uint64_t rp)
{
	w->orig_bytes = ob;
	w->orig_packets = op;
	w->reply_bytes = rb;
	w->reply_packets = rp;
}

/* A periodic dump at now_ms listing v[0..n), its sweep, then the feed's
 * pass, as ui/proto.c orders them. */
static void dump(struct fx *x, const struct flow_wire *v, size_t n,
		 uint64_t now_ms)
{
	x->seq++;
	x->now_ms = now_ms;
	for (size_t i = 0; i < n; i++) {
		struct flow_wire w = v[i];

		w.event = FLOW_EV_DUMP;
		assert_int_equal(flow_table_apply(x->t, &w, now_ms * 1000000u,
						  x->seq), 0);
	}
	flow_table_dump_end(x->t, x->seq);
	assert_int_equal(ipfix_feed_pass(x->feed, x->t, &x->names, now_ms), 0);
}

/* A conntrack event between dumps. */
static void event(struct fx *x, struct flow_wire w, uint8_t ev,
		  uint64_t now_ms)
{
	x->now_ms = now_ms;
	w.event = ev;
	assert_int_equal(flow_table_apply(x->t, &w, now_ms * 1000000u, x->seq),
			 0);
}

static void got_add(struct got *g, const struct got_rec *r)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->v = realloc(g->v, g->cap * sizeof(*g->v));
		assert_non_null(g->v);
	}
	g->v[g->n++] = *r;
}

static void take_str(char *out, const unsigned char **p, size_t n)
{
	memcpy(out, *p, n);
	out[n] = 0;
	*p += n;
}

/* One IX_RECORDS message read on its own terms, after the checker's. */
static void parse(struct got *g, const unsigned char *m, size_t len)
{
	struct ix_msg_head h;
	const char *why = NULL;
	size_t off = sizeof(h);

	assert_true(len <= IX_MSG_MAX);
	if (ix_msg_check(m, len, &why) < 0)
		fail_msg("ix_msg_check refused a message: %s", why);
	assert_true(len >= sizeof(h));
	memcpy(&h, m, sizeof(h));
	assert_int_equal(h.kind, IX_RECORDS);
	assert_int_equal(h.pad[0] | h.pad[1] | h.pad[2], 0);
	assert_true(h.count >= 1);
	for (uint32_t i = 0; i < h.count; i++) {
		struct got_rec r;
		const unsigned char *p;
		size_t size;

		assert_true(len - off >= sizeof(r.r));
		memcpy(&r.r, m + off, sizeof(r.r));
		size = ix_rec_size(&r.r);
		assert_true(len - off >= size);
		assert_true(r.r.comm_len <= IX_COMM_MAX);
		assert_true(r.r.user_len <= IX_USER_MAX);
		assert_true(r.r.unit_len <= IX_UNIT_MAX);
		assert_true(r.r.container_len <= IX_CONTAINER_MAX);
		p = m + off + sizeof(r.r);
		take_str(r.comm, &p, r.r.comm_len);
		take_str(r.user, &p, r.r.user_len);
		take_str(r.unit, &p, r.r.unit_len);
		take_str(r.container, &p, r.r.container_len);
		for (; p < m + off + size; p++)
			assert_int_equal(*p, 0);
		got_add(g, &r);
		off += size;
	}
	assert_int_equal(off, len);
	g->msgs++;
}

/* Everything the exporter's end holds now, without waiting. */
static void drain(struct fx *x, struct got *g)
{
	static unsigned char buf[IX_MSG_MAX + 64];
	ssize_t n;

	memset(g, 0, sizeof(*g));
	/* MSG_TRUNC: a message over the limit says its real length. */
	while ((n = recv(x->sv[1], buf, sizeof(buf),
			 MSG_DONTWAIT | MSG_TRUNC)) >= 0) {
		assert_true(n > 0);
		parse(g, buf, (size_t)n);
	}
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void want_none(struct fx *x)
{
	struct got g;

	drain(x, &g);
	if (g.n)
		fail_msg("%zu records where none was due (first: reason %u, "
			 "start %llu, end %llu)", g.n, g.v[0].r.end_reason,
			 (unsigned long long)g.v[0].r.start_ms,
			 (unsigned long long)g.v[0].r.end_ms);
	free(g.v);
}

static struct got_rec want_one(struct fx *x)
{
	struct got g;
	struct got_rec r;

	drain(x, &g);
	assert_int_equal(g.n, 1);
	r = g.v[0];
	free(g.v);
	return r;
}

static void want_rec(const struct got_rec *g, uint8_t reason,
		     uint64_t start_ms, uint64_t end_ms, uint64_t ob,
		     uint64_t op, uint64_t rb, uint64_t rp)
{
	assert_int_equal(g->r.end_reason, reason);
	assert_int_equal(g->r.start_ms, start_ms);
	assert_int_equal(g->r.end_ms, end_ms);
	assert_int_equal(g->r.octets, ob);
	assert_int_equal(g->r.packets, op);
	assert_int_equal(g->r.rev_octets, rb);
	assert_int_equal(g->r.rev_packets, rp);
}

/* The first record with this source port, or the test fails. */
static const struct got_rec *by_sport(const struct got *g, uint16_t sport,
				      uint8_t proto)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].r.sport == sport && g->v[i].r.proto == proto)
			return &g->v[i];
	fail_msg("no record from port %u proto %u", sport, proto);
	return NULL;
}

/* Case 1: a new flow is not sent at once; it goes when its counters have
 * stood still for the idle timeout, dated to the pass they last moved,
 * and then not again while they stay. */
static void test_idle(void **state)
{
	struct fx *x = *state;
	struct flow_wire w = tcp4(1, 40000, T0 - SEC_MS);

	ctr(&w, 1000, 10, 5000, 8);
	dump(x, &w, 1, T0);
	want_none(x);
	dump(x, &w, 1, T0 + 1 * SEC_MS);
	ctr(&w, 1500, 14, 7000, 11);
	dump(x, &w, 1, T0 + 2 * SEC_MS);
	/* Idle counts from the last movement (T0 + 2 s), not the first. */
	for (uint64_t s = 3; s <= 11; s++) {
		dump(x, &w, 1, T0 + s * SEC_MS);
		want_none(x);
	}
	dump(x, &w, 1, T0 + 12 * SEC_MS);
	struct got_rec r = want_one(x);

	want_rec(&r, IX_END_IDLE, T0 - SEC_MS, T0 + 2 * SEC_MS,
		 1500, 14, 7000, 11);
	/* Past the active timeout too: nothing moved, nothing goes. */
	for (uint64_t s = 13; s <= 3 * ACTIVE_S; s += 3) {
		dump(x, &w, 1, T0 + s * SEC_MS);
		want_none(x);
	}
}

/* Case 2: a flow moving at every pass gets a record every active
 * timeout; each carries what moved since the one before and starts
 * where it ended. */
static void test_active(void **state)
{
	struct fx *x = *state;
	struct flow_wire w = tcp4(2, 40001, T0 - SEC_MS);
	struct got_rec r;

	for (uint64_t k = 0; k <= 62; k++) {
		ctr(&w, 100 * (k + 1), k + 1, 50 * (k + 1), 2 * (k + 1));
		dump(x, &w, 1, T0 + k * SEC_MS);
		if (k == 29) {
			/* T0 + 29 s is 30 s after its start. */
			r = want_one(x);
			want_rec(&r, IX_END_ACTIVE, T0 - SEC_MS,
				 T0 + 29 * SEC_MS, 3000, 30, 1500, 60);
		} else if (k == 59) {
			r = want_one(x);
			want_rec(&r, IX_END_ACTIVE, T0 + 29 * SEC_MS,
				 T0 + 59 * SEC_MS, 3000, 30, 1500, 60);
		} else {
			want_none(x);
		}
	}
}

/* Case 3: a DESTROY sends what moved since the last record, at the next
 * pass; a later flow with the same id and tuple is a stranger. */
static void test_destroy(void **state)
{
	struct fx *x = *state;
	struct flow_wire w = tcp4(3, 40002, T0 - SEC_MS);
	struct got_rec r;

	ctr(&w, 1000, 10, 2000, 20);
	for (uint64_t s = 0; s <= IDLE_S; s++)
		dump(x, &w, 1, T0 + s * SEC_MS);
	r = want_one(x);
	want_rec(&r, IX_END_IDLE, T0 - SEC_MS, T0, 1000, 10, 2000, 20);

	ctr(&w, 1500, 15, 2600, 26);
	dump(x, &w, 1, T0 + 11 * SEC_MS);
	ctr(&w, 1700, 17, 3000, 30);
	event(x, w, FLOW_EV_DESTROY, T0 + 11 * SEC_MS + 500);
	assert_int_equal(flow_table_count(x->t), 0);
	/* Held for the pass: ends are batched, not sent one by one. */
	want_none(x);
	dump(x, NULL, 0, T0 + 12 * SEC_MS);
	r = want_one(x);
	want_rec(&r, IX_END_FLOW, T0 + IDLE_S * SEC_MS, T0 + 11 * SEC_MS + 500,
		 700, 7, 1000, 10);

	/* The id comes back for a new flow on the same tuple, bigger than
	 * the old one: all of it is its own, from its own start. */
	w = tcp4(3, 40002, T0 + 11 * SEC_MS + 800);
	ctr(&w, 2000, 20, 4000, 40);
	dump(x, &w, 1, T0 + 13 * SEC_MS);
	want_none(x);
	for (uint64_t s = 14; s <= 23; s++)
		dump(x, &w, 1, T0 + s * SEC_MS);
	r = want_one(x);
	want_rec(&r, IX_END_IDLE, T0 + 11 * SEC_MS + 800, T0 + 13 * SEC_MS,
		 2000, 20, 4000, 40);
}

/* Case 4: NEW and DESTROY between two dumps: the feed never saw it at a
 * pass, yet it gets its one record, all its counters. */
static void test_between_dumps(void **state)
{
	struct fx *x = *state;
	struct flow_wire w = tcp4(4, 40003, T0 + 400);
	struct got_rec r;

	dump(x, NULL, 0, T0);
	want_none(x);
	event(x, w, FLOW_EV_NEW, T0 + 400);
	ctr(&w, 300, 3, 400, 4);
	event(x, w, FLOW_EV_DESTROY, T0 + 800);
	dump(x, NULL, 0, T0 + SEC_MS);
	r = want_one(x);
	want_rec(&r, IX_END_FLOW, T0 + 400, T0 + 800, 300, 3, 400, 4);
	for (uint64_t s = 2; s <= 40; s += 2) {
		dump(x, NULL, 0, T0 + s * SEC_MS);
		want_none(x);
	}
}

/* Case 5: a flow that never moved, older than the idle timeout, is made
 * known once, with nothing in it, and not again. */
static void test_quiet_once(void **state)
{
	struct fx *x = *state;
	struct flow_wire w = tcp4(5, 40004, T0 - 20 * SEC_MS);
	struct got_rec r;

	dump(x, &w, 1, T0);
	r = want_one(x);
	want_rec(&r, IX_END_IDLE, T0 - 20 * SEC_MS, T0 - 20 * SEC_MS,
		 0, 0, 0, 0);
	assert_int_equal(r.r.tcp_flags, SYN | ACK);
	for (uint64_t s = 1; s <= 2 * ACTIVE_S; s++) {
		dump(x, &w, 1, T0 + s * SEC_MS);
		want_none(x);
	}
	ipfix_feed_finish(x->feed, x->t, &x->names, T0 + 61 * SEC_MS);
	want_none(x);
}

/* Case 6: the run's end sends what is unsent, at once, and only that. */
static void test_finish(void **state)
{
	struct fx *x = *state;
	struct flow_wire v[3] = {
		tcp4(61, 41001, T0 - SEC_MS),   /* moves after its record */
		tcp4(62, 41002, T0 - SEC_MS),   /* sent, then still */
		tcp4(63, 41003, T0 + 10 * SEC_MS + 500), /* never sent */
	};
	struct got g;
	const struct got_rec *r;

	ctr(&v[0], 100, 1, 200, 2);
	ctr(&v[1], 300, 3, 400, 4);
	for (uint64_t s = 0; s <= IDLE_S; s++)
		dump(x, v, 2, T0 + s * SEC_MS);
	drain(x, &g);
	assert_int_equal(g.n, 2);
	free(g.v);

	ctr(&v[0], 150, 2, 260, 3);
	ctr(&v[2], 7, 1, 9, 1);
	dump(x, v, 3, T0 + 11 * SEC_MS);
	want_none(x);
	ipfix_feed_finish(x->feed, x->t, &x->names, T0 + 11 * SEC_MS + 500);
	drain(x, &g);
	assert_int_equal(g.n, 2);
	r = by_sport(&g, 41001, IPPROTO_TCP);
	want_rec(r, IX_END_FORCED, T0 + IDLE_S * SEC_MS, T0 + 11 * SEC_MS + 500,
		 50, 1, 60, 1);
	r = by_sport(&g, 41003, IPPROTO_TCP);
	want_rec(r, IX_END_FORCED, T0 + 10 * SEC_MS + 500,
		 T0 + 11 * SEC_MS + 500, 7, 1, 9, 1);
	free(g.v);
}

/* Case 7: a flow flowtop stops showing (the ui says forced) ends
 * "forced"; one the sweep finds gone, "end of flow". */
static void test_gone_forced(void **state)
{
	struct fx *x = *state;
	struct flow_wire v[2] = { tcp4(71, 42001, T0 - SEC_MS),
				  tcp4(72, 42002, T0 - SEC_MS) };
	struct got_rec r;

	ctr(&v[0], 10, 1, 20, 2);
	ctr(&v[1], 30, 3, 40, 4);
	dump(x, v, 2, T0);
	dump(x, v, 2, T0 + SEC_MS);
	want_none(x);
	x->forced = 1;
	dump(x, &v[1], 1, T0 + 2 * SEC_MS);
	r = want_one(x);
	assert_int_equal(r.r.sport, 42001);
	want_rec(&r, IX_END_FORCED, T0 - SEC_MS, T0 + 2 * SEC_MS,
		 10, 1, 20, 2);
	x->forced = 0;
	dump(x, NULL, 0, T0 + 3 * SEC_MS);
	r = want_one(x);
	assert_int_equal(r.r.sport, 42002);
	want_rec(&r, IX_END_FLOW, T0 - SEC_MS, T0 + 3 * SEC_MS,
		 30, 3, 40, 4);
}

static void addr4(uint8_t a[16], uint8_t b0, uint8_t b1, uint8_t b2,
		  uint8_t b3)
{
	memset(a, 0, 16);
	a[0] = b0;
	a[1] = b1;
	a[2] = b2;
	a[3] = b3;
}

static void addr6(uint8_t a[16], uint8_t last)
{
	static const uint8_t net[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0, 0, 0xfe, 0xdc, 0xba, 0 };

	memcpy(a, net, 16);
	a[15] = last;
}

/* The tuple as the flow has it, with the ports the record should say
 * (ICMP's type and code in dport). */
static void want_tuple(const struct got_rec *g, const struct flow_wire *w,
		       uint16_t sport, uint16_t dport)
{
	assert_int_equal(g->r.family, w->family == FLOW_FAM_IPV4 ? 4 : 6);
	assert_int_equal(g->r.proto, w->l4proto);
	assert_memory_equal(g->r.src, w->src, 16);
	assert_memory_equal(g->r.dst, w->dst, 16);
	assert_int_equal(g->r.sport, sport);
	assert_int_equal(g->r.dport, dport);
}

static void owned(struct flow_wire *w, uint32_t pid, uint64_t start,
		  uint32_t uid, const char *comm)
{
	w->owner = FLOW_OWNER_SOCKET;
	w->pid = pid;
	w->uid = uid;
	flow_set_owner_tag(w, start);
	snprintf(w->comm, sizeof(w->comm), "%s", comm);
}

/* Case 8: what a record says of the flow: tuple, ICMP's type and code,
 * the owner's names, cleaned and cut as the wire allows. */
static void test_tuple_names(void **state)
{
	struct fx *x = *state;
	uint64_t old = T0 - 20 * SEC_MS;    /* due at the first pass */
	struct flow_wire v[8];
	struct got g;
	const struct got_rec *r;

	/* TCP/IPv4 of nginx, a control byte in its comm. */
	v[0] = tcp4(81, 50001, old);
	addr4(v[0].src, 192, 0, 2, 10);
	addr4(v[0].dst, 198, 51, 100, 7);
	v[0].dport = 8443;
	owned(&v[0], 42, 7, 1000, "ngi\x01nx");
	/* UDP/IPv6 in a docker container. */
	memset(&v[1], 0, sizeof(v[1]));
	v[1].id = 82;
	v[1].family = FLOW_FAM_IPV6;
	v[1].l4proto = IPPROTO_UDP;
	v[1].state = FLOW_STATE_NONE;
	addr6(v[1].src, 1);
	addr6(v[1].dst, 0x53);
	v[1].sport = 50002;
	v[1].dport = 53;
	v[1].start_ns = old * 1000000u;
	owned(&v[1], 43, 9, 1000, "resolved");
	/* ICMP host unreachable, type 3 code 1: two different bytes, so
	 * their order shows. */
	v[2] = v[0];
	v[2].id = 83;
	v[2].l4proto = IPPROTO_ICMP;
	v[2].state = FLOW_STATE_NONE;
	v[2].sport = v[2].dport = 0;
	v[2].icmp_type = 3;
	v[2].icmp_code = 1;
	v[2].icmp_id = 777;
	v[2].owner = FLOW_OWNER_NONE;
	v[2].pid = 0;
	v[2].uid = 0;
	memset(v[2].owner_tag, 0, sizeof(v[2].owner_tag));
	memset(v[2].comm, 0, sizeof(v[2].comm));
	/* ICMPv6 echo request. */
	v[3] = v[1];
	v[3].id = 84;
	v[3].l4proto = IPPROTO_ICMPV6;
	v[3].sport = v[3].dport = 0;
	v[3].icmp_type = 128;
	v[3].icmp_code = 0;
	v[3].icmp_id = 9;
	/* A hidden owner: its uid, with the user's odd name, but no
	 * process. */
	v[4] = tcp4(85, 50005, old);
	v[4].owner = FLOW_OWNER_HIDDEN;
	v[4].uid = 1001;
	/* No owner at all: the uid field means nothing then. */
	v[5] = tcp4(86, 50006, old);
	v[5].uid = 1000;
	/* A unit longer than the record's limit. */
	v[6] = tcp4(87, 50007, old);
	owned(&v[6], 44, 11, 4242, "longunit");
	/* Pid 42 taken by another process since: not nginx's names. */
	v[7] = tcp4(88, 50008, old);
	owned(&v[7], 42, 8, 1000, "other");

	dump(x, v, ARRAY_SIZE(v), T0);
	drain(x, &g);
	assert_int_equal(g.n, ARRAY_SIZE(v));

	r = by_sport(&g, 50001, IPPROTO_TCP);
	want_tuple(r, &v[0], 50001, 8443);
	assert_int_equal(r->r.pid, 42);
	assert_int_equal(r->r.uid, 1000);
	assert_string_equal(r->comm, "ngi?nx");
	assert_string_equal(r->user, "alice");
	assert_string_equal(r->unit, "nginx.service");
	assert_string_equal(r->container, "");
	want_rec(r, IX_END_IDLE, old, old, 0, 0, 0, 0);

	r = by_sport(&g, 50002, IPPROTO_UDP);
	want_tuple(r, &v[1], 50002, 53);
	assert_int_equal(r->r.tcp_flags, 0);
	assert_string_equal(r->comm, "resolved");
	assert_string_equal(r->container, "docker:0123456789ab");
	assert_string_equal(r->unit, owners_get(x->own, 43, 9)->unit);

	r = by_sport(&g, 0, IPPROTO_ICMP);
	want_tuple(r, &v[2], 0, 3 << 8 | 1);
	assert_int_equal(r->r.tcp_flags, 0);
	assert_int_equal(r->r.uid, UINT32_MAX);
	assert_int_equal(r->r.pid, 0);
	assert_int_equal(r->r.comm_len + r->r.user_len + r->r.unit_len +
			 r->r.container_len, 0);

	r = by_sport(&g, 0, IPPROTO_ICMPV6);
	want_tuple(r, &v[3], 0, 128 << 8);

	r = by_sport(&g, 50005, IPPROTO_TCP);
	assert_int_equal(r->r.uid, 1001);
	assert_int_equal(r->r.pid, 0);
	assert_string_equal(r->user, "ev?il?");
	assert_string_equal(r->comm, "");
	assert_string_equal(r->unit, "");

	r = by_sport(&g, 50006, IPPROTO_TCP);
	assert_int_equal(r->r.uid, UINT32_MAX);
	assert_string_equal(r->user, "");

	r = by_sport(&g, 50007, IPPROTO_TCP);
	assert_int_equal(r->r.uid, 4242);
	assert_string_equal(r->user, "");     /* not in the passwd */
	assert_int_equal(r->r.unit_len, IX_UNIT_MAX);
	assert_memory_equal(r->unit, long_unit, IX_UNIT_MAX);

	r = by_sport(&g, 50008, IPPROTO_TCP);
	assert_int_equal(r->r.pid, 42);
	assert_string_equal(r->comm, "other");
	assert_string_equal(r->unit, "");
	free(g.v);
}

/* A comm that fills its field (no NUL: flow_wire_check would refuse it,
 * but the builder must still stop) is cut to the wire's limit. */
static void test_rec_build_cuts(void **state)
{
	struct fx *x = *state;
	struct flow_entry e;
	const uint64_t delta[4] = { 1, 2, 3, 4 };
	unsigned char out[1024];
	struct ix_rec r;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.w = tcp4(89, 50009, T0);
	owned(&e.w, 42, 7, 1000, "");
	memset(e.w.comm, 'c', sizeof(e.w.comm));
	memset(out, 0xa5, sizeof(out));
	n = ipfix_rec_build(out, &e, &x->names, delta, T0, T0 + 5,
			    SYN, IX_END_ACTIVE);
	memcpy(&r, out, sizeof(r));
	assert_int_equal(n, ix_rec_size(&r));
	assert_int_equal(r.comm_len, IX_COMM_MAX);
	for (size_t i = 0; i < IX_COMM_MAX; i++)
		assert_int_equal(out[sizeof(r) + i], 'c');
	assert_int_equal(r.octets, 1);
	assert_int_equal(r.packets, 2);
	assert_int_equal(r.rev_octets, 3);
	assert_int_equal(r.rev_packets, 4);
	assert_int_equal(r.start_ms, T0);
	assert_int_equal(r.end_ms, T0 + 5);
	assert_int_equal(r.tcp_flags, SYN);
	/* The bytes up to the next multiple of 8 are zero, none past. */
	for (size_t i = sizeof(r) + r.comm_len + r.user_len + r.unit_len +
		 r.container_len; i < n; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[n], 0xa5);
}

/* The states' flags, as conntrack's own enum numbers them. */
static void test_state_flags(void **state)
{
	(void)state;
	assert_int_equal(ipfix_state_flags(IPPROTO_TCP,
					   TCP_CONNTRACK_SYN_SENT), SYN);
	assert_int_equal(ipfix_state_flags(IPPROTO_TCP,
					   TCP_CONNTRACK_ESTABLISHED),
			 SYN | ACK);
	assert_int_equal(ipfix_state_flags(IPPROTO_TCP,
					   TCP_CONNTRACK_TIME_WAIT),
			 SYN | ACK | FIN);
	assert_int_equal(ipfix_state_flags(IPPROTO_TCP, TCP_CONNTRACK_CLOSE),
			 RST);
	assert_int_equal(ipfix_state_flags(IPPROTO_TCP, TCP_CONNTRACK_NONE),
			 0);
	/* SCTP and DCCP number their states alike: not TCP's flags. */
	assert_int_equal(ipfix_state_flags(IPPROTO_UDP, FLOW_STATE_NONE), 0);
	assert_int_equal(ipfix_state_flags(IPPROTO_SCTP,
					   TCP_CONNTRACK_ESTABLISHED), 0);
}

/* Case 8's flags: a record carries every state seen over its span; the
 * next span starts from the state the flow was in, not the old ones. */
static void test_flags_span(void **state)
{
	struct fx *x = *state;
	/* Its active timeout falls at T0 + 2 s. */
	struct flow_wire w = tcp4(90, 50010, T0 + 2 * SEC_MS -
				  ACTIVE_S * SEC_MS);
	static const uint8_t states[3] = { TCP_CONNTRACK_SYN_SENT,
					   TCP_CONNTRACK_CLOSE,
					   TCP_CONNTRACK_ESTABLISHED };
	struct got_rec r;
	uint64_t k;

	for (k = 0; k < 3; k++) {
		w.state = states[k];
		ctr(&w, 10 * (k + 1), k + 1, 0, 0);
		dump(x, &w, 1, T0 + k * SEC_MS);
	}
	r = want_one(x);
	assert_int_equal(r.r.end_reason, IX_END_ACTIVE);
	assert_int_equal(r.r.tcp_flags, SYN | RST | ACK);
	for (; k <= 2 + ACTIVE_S; k++) {
		ctr(&w, 10 * (k + 1), k + 1, 0, 0);
		dump(x, &w, 1, T0 + k * SEC_MS);
	}
	r = want_one(x);
	assert_int_equal(r.r.end_reason, IX_END_ACTIVE);
	assert_int_equal(r.r.start_ms, T0 + 2 * SEC_MS);
	assert_int_equal(r.r.tcp_flags, SYN | ACK);
	/* It closes in TIME_WAIT: FIN joins. */
	w.state = TCP_CONNTRACK_TIME_WAIT;
	ctr(&w, 10 * (k + 1), k + 1, 5, 1);
	event(x, w, FLOW_EV_DESTROY, T0 + k * SEC_MS);
	dump(x, NULL, 0, T0 + (k + 1) * SEC_MS);
	r = want_one(x);
	assert_int_equal(r.r.end_reason, IX_END_FLOW);
	assert_int_equal(r.r.tcp_flags, SYN | ACK | FIN);
	assert_int_equal(r.r.octets, 10);
	assert_int_equal(r.r.rev_octets, 5);
}

#define MANY 2000

/* Case 9: a pass with more records than a message holds splits them,
 * each message within the limit, every flow once. */
static void test_many(void **state)
{
	struct fx *x = *state;
	struct flow_wire *v = calloc(MANY, sizeof(*v));
	unsigned char *seen = calloc(MANY, 1);
	uint32_t total = 0;
	struct got g;

	assert_non_null(v);
	assert_non_null(seen);
	/* Room for the whole pass unread: the point is the split, not
	 * back-pressure (test_full_channel). */
	sndbuf(x, 1 << 20);
	for (uint32_t i = 0; i < MANY; i++) {
		v[i] = tcp4(1000 + i, (uint16_t)(10000 + i), T0 - SEC_MS);
		ctr(&v[i], 1000 + i, 1 + i % 7, 2 * i, i % 5);
		owned(&v[i], 42, 7, 1000, "worker");
	}
	for (uint64_t s = 0; s <= IDLE_S; s++)
		dump(x, v, MANY, T0 + s * SEC_MS);
	drain(x, &g);
	assert_int_equal(g.n, MANY);
	assert_true(g.msgs >= 2);
	for (size_t i = 0; i < g.n; i++) {
		uint32_t k = (uint32_t)g.v[i].r.sport - 10000;

		assert_true(k < MANY);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		want_rec(&g.v[i], IX_END_IDLE, T0 - SEC_MS, T0,
			 1000 + k, 1 + k % 7, 2 * k, k % 5);
		assert_string_equal(g.v[i].unit, "nginx.service");
		total++;
	}
	assert_int_equal(total, MANY);
	struct ipfix_counts c;

	ipfix_feed_counts(x->feed, &c);
	assert_int_equal(c.queued, MANY);
	assert_int_equal(c.dropped, 0);
	free(g.v);
	free(seen);
	free(v);
}

/* Many ends among many flows: the feed's table forgets each ended flow
 * without losing the others' state (a lost one would be taken for new:
 * all its counters again, from its start). */
static void test_churn(void **state)
{
	struct fx *x = *state;
	struct flow_wire *v = calloc(MANY, sizeof(*v));
	size_t kept = 0;
	struct got g;

	assert_non_null(v);
	sndbuf(x, 1 << 20);
	for (uint32_t i = 0; i < MANY; i++) {
		v[i] = tcp4(5000 + i, (uint16_t)(30000 + i), T0 - SEC_MS);
		ctr(&v[i], 100 + i, 3, 200 + i, 4);
	}
	for (uint64_t s = 0; s <= IDLE_S; s++)
		dump(x, v, MANY, T0 + s * SEC_MS);
	drain(x, &g);
	assert_int_equal(g.n, MANY);
	free(g.v);
	/* Two of three end, each one byte on. */
	for (uint32_t i = 0; i < MANY; i++) {
		if (i % 3 == 0) {
			v[kept++] = v[i];
			continue;
		}
		v[i].orig_bytes++;
		event(x, v[i], FLOW_EV_DESTROY, T0 + 11 * SEC_MS);
	}
	for (size_t i = 0; i < kept; i++)
		v[i].reply_bytes += 5;
	dump(x, v, kept, T0 + 12 * SEC_MS);
	drain(x, &g);
	assert_int_equal(g.n, MANY - kept);
	for (size_t i = 0; i < g.n; i++) {
		uint32_t k = (uint32_t)g.v[i].r.sport - 30000;

		assert_int_not_equal(k % 3, 0);
		want_rec(&g.v[i], IX_END_FLOW, T0 + IDLE_S * SEC_MS, T0 + 11 * SEC_MS,
			 1, 0, 0, 0);
	}
	free(g.v);
	for (uint64_t s = 13; s <= 12 + IDLE_S; s++)
		dump(x, v, kept, T0 + s * SEC_MS);
	drain(x, &g);
	assert_int_equal(g.n, kept);
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(((uint32_t)g.v[i].r.sport - 30000) % 3, 0);
		want_rec(&g.v[i], IX_END_IDLE, T0 + IDLE_S * SEC_MS, T0 + 12 * SEC_MS,
			 0, 0, 5, 0);
	}
	free(g.v);
	free(v);
}

static void on_alarm(int sig)
{
	static const char m[] = "test_ipfix_feed: the feed did not return "
				"(blocked or looped)\n";

	(void)sig;
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* A feed that waits would hang the test: fail it instead. */
static void deadline(unsigned s)
{
	signal(SIGALRM, on_alarm);
	alarm(s);
}

#define FULL 200

/* Case 10: the exporter reads nothing and the channel is small: a pass
 * after it fills drops its records, counted, and never waits; once read,
 * records go again. */
static void test_full_channel(void **state)
{
	struct fx *x = *state;
	struct flow_wire v[FULL + 1];
	struct ipfix_counts c;
	struct got g;

	sndbuf(x, 0);
	deadline(20);
	/* One new flow due at each pass: one small message a pass. */
	for (uint32_t i = 0; i <= FULL; i++)
		v[i] = tcp4(2000 + i, (uint16_t)(20000 + i), T0 - 60 * SEC_MS);
	for (uint32_t i = 0; i < FULL; i++)
		dump(x, v, i + 1, T0 + i * SEC_MS);
	ipfix_feed_counts(x->feed, &c);
	assert_int_equal(c.queued + c.dropped, FULL);
	assert_true(c.dropped > 0);
	assert_true(c.queued > 0);
	drain(x, &g);
	assert_int_equal(g.n, c.queued);
	for (size_t i = 0; i < g.n; i++)
		assert_true(i == 0 || g.v[i].r.sport > g.v[i - 1].r.sport);
	free(g.v);
	/* Read: room again. */
	dump(x, v, FULL + 1, T0 + FULL * SEC_MS);
	ipfix_feed_counts(x->feed, &c);
	assert_int_equal(c.queued + c.dropped, FULL + 1);
	struct got_rec r = want_one(x);

	assert_int_equal(r.r.sport, 20000 + FULL);
	alarm(0);
}

static void say_stats(struct fx *x, const void *m, size_t len)
{
	assert_int_equal(send(x->sv[1], m, len, 0), (ssize_t)len);
}

static void stats_are(struct fx *x, uint64_t queued, uint64_t sent,
		      uint64_t dropped, int lost)
{
	struct ipfix_counts c;

	ipfix_feed_counts(x->feed, &c);
	assert_int_equal(c.queued, queued);
	assert_int_equal(c.sent, sent);
	assert_int_equal(c.dropped, dropped);
	assert_int_equal(c.lost, lost);
}

/* Case 11: the exporter's counts as the status line shows them; the ui's
 * own drops added to its; a message of another size or kind ignored. */
static void test_counts(void **state)
{
	struct fx *x = *state;
	struct flow_wire v[3] = { tcp4(111, 51001, T0 - 60 * SEC_MS),
				  tcp4(112, 51002, T0 - 60 * SEC_MS),
				  tcp4(113, 51003, T0 - 60 * SEC_MS) };
	struct ix_stats st = { .kind = IX_STATS, .sent = 5, .dropped = 7,
			       .messages = 2 };
	unsigned char junk[sizeof(st) + 1];
	struct got g;

	stats_are(x, 0, 0, 0, 0);
	/* One record through. */
	dump(x, v, 1, T0);
	stats_are(x, 1, 0, 0, 0);
	drain(x, &g);
	assert_int_equal(g.n, 1);
	free(g.v);
	/* The channel full, as when the exporter lags: the next two are
	 * the ui's drops. */
	sndbuf(x, 0);
	memset(junk, 0, sizeof(junk));
	while (send(x->sv[0], junk, 8, MSG_DONTWAIT) == 8)
		;
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	dump(x, v, 3, T0 + SEC_MS);
	stats_are(x, 1, 0, 2, 0);
	while (recv(x->sv[1], junk, sizeof(junk), MSG_DONTWAIT) >= 0)
		;

	say_stats(x, &st, sizeof(st));
	stats_are(x, 1, 5, 2 + 7, 0);
	/* Too long, too short, another kind: none counts. */
	st.sent = 99;
	memcpy(junk, &st, sizeof(st));
	say_stats(x, junk, sizeof(st) + 1);
	say_stats(x, junk, sizeof(st) - 1);
	st.kind = IX_READY;
	say_stats(x, &st, sizeof(st));
	stats_are(x, 1, 5, 2 + 7, 0);
	/* Two in a row: the later is the truth. */
	st = (struct ix_stats){ .kind = IX_STATS, .sent = 6, .dropped = 8 };
	say_stats(x, &st, sizeof(st));
	st = (struct ix_stats){ .kind = IX_STATS, .lost = 1, .sent = 6,
				.dropped = 11 };
	say_stats(x, &st, sizeof(st));
	stats_are(x, 1, 6, 2 + 11, 1);
	/* Said once, kept: no new message changes nothing. */
	stats_are(x, 1, 6, 2 + 11, 1);
}

/* The exporter died: records go nowhere, counted, with no SIGPIPE, and
 * asking for the counts returns. */
static void test_exporter_gone(void **state)
{
	struct fx *x = *state;
	struct flow_wire v[2] = { tcp4(121, 52001, T0 - 60 * SEC_MS),
				  tcp4(122, 52002, T0 - 60 * SEC_MS) };
	struct ipfix_counts c;

	close(x->sv[1]);
	x->sv[1] = -1;
	deadline(10);
	dump(x, v, 2, T0);
	ipfix_feed_counts(x->feed, &c);
	alarm(0);
	assert_int_equal(c.queued, 0);
	assert_int_equal(c.dropped, 2);
	assert_int_equal(c.lost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_between_dumps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_quiet_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_forced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tuple_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rec_build_cuts, setup,
						teardown),
		cmocka_unit_test(test_state_flags),
		cmocka_unit_test_setup_teardown(test_flags_span, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_channel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exporter_gone, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
