/* SPDX-License-Identifier: GPL-2.0-only */
/* rp_play: a recording's lines made into frames as the ui is sent them.
 * The lines are parsed by rp_line_parse, as the reader does; the sink
 * records what the ui would get. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/options.h"
#include "replay/rp_line.h"
#include "replay/rp_play.h"

#define MAXREC 64

struct got {
	struct flow_wire flows[MAXREC];
	size_t nflows;
	struct msg_owner owners[8];
	size_t nowners;
	struct msg_owner_gone gone[8];
	size_t ngone;
};

static int g_flow(void *ctx, const struct flow_wire *w)
{
	struct got *g = ctx;

	assert_true(g->nflows < MAXREC);
	g->flows[g->nflows++] = *w;
	return 0;
}

static int g_owner(void *ctx, const struct msg_owner *o)
{
	struct got *g = ctx;

	assert_true(g->nowners < 8);
	g->owners[g->nowners++] = *o;
	return 0;
}

static int g_gone(void *ctx, const struct msg_owner_gone *o)
{
	struct got *g = ctx;

	assert_true(g->ngone < 8);
	g->gone[g->ngone++] = *o;
	return 0;
}

/* Feed one line; 1 when it completes the frame before it (the caller
 * takes that frame, then feeds the line again). */
static int feed(struct rp_play *p, const char *s)
{
	struct rp_line l;
	const char *why = NULL;
	int rc;

	if (rp_line_parse(s, strlen(s), &l, &why) < 0)
		fail_msg("refused: %s: %s", s, why);
	rc = rp_play_line(p, &l, &why);
	assert_true(rc >= 0);
	return rc;
}

/* Take the frame and hand it to a fresh sink: its time. */
static uint64_t take(struct rp_play *p, uint32_t sel, struct got *g)
{
	const struct rp_sink s = { g, g_owner, g_gone, g_flow };
	uint64_t t = rp_play_take(p);

	memset(g, 0, sizeof(*g));
	assert_int_equal(rp_play_owners(p, &s), 0);
	assert_int_equal(rp_play_gone(p, sel, &s), 0);
	assert_int_equal(rp_play_open(p, sel, &s), 0);
	return t;
}

/* Feed lines[] in order, taking each frame as it completes, the way
 * the reader does; each frame's sink in g[] (at most 8), and the count. */
static int play(struct rp_play *p, const char *const *lines, size_t n,
		uint32_t sel, struct got *g)
{
	const char *why;
	int frames = 0;

	for (size_t i = 0; i < n; i++) {
		if (feed(p, lines[i]) == 1) {
			assert_true(frames < 8);
			take(p, sel, &g[frames++]);
			assert_int_equal(feed(p, lines[i]), 0);
		}
	}
	while (rp_play_end(p, &why) == 1) {
		assert_true(frames < 8);
		take(p, sel, &g[frames++]);
	}
	return frames;
}

#define TCP(ev, id, sport, bytes, t) \
	"{\"event\":\"" ev "\",\"id\":" #id ",\"family\":\"ipv4\"," \
	"\"proto\":\"tcp\",\"state\":\"ESTABLISHED\",\"src\":\"192.0.2.1\"," \
	"\"sport\":" #sport ",\"dst\":\"192.0.2.2\",\"dport\":80," \
	"\"orig_bytes\":" #bytes ",\"time\":" t "}"

/* A frame is a pass: its start/update/tick lines share one time; the
 * ends before them belong to it. A flow not updated keeps its figures. */
static void test_frames(void **state)
{
	static const char *const lines[] = {
		"{\"event\":\"begin\",\"time\":10.000000}",
		TCP("start", 1, 1000, 100, "10.000000"),
		TCP("start", 2, 1001, 200, "10.000000"),
		TCP("update", 1, 1000, 150, "11.000000"),
		TCP("end", 2, 1001, 250, "11.400000"),
		"{\"event\":\"tick\",\"time\":12.000000}",
	};
	struct rp_play *p = rp_play_new();
	struct got g;

	(void)state;
	assert_int_equal(feed(p, lines[0]), 0);
	assert_int_equal(feed(p, lines[1]), 0);
	assert_int_equal(feed(p, lines[2]), 0);
	/* Another time: the first frame is complete. */
	assert_int_equal(feed(p, lines[3]), 1);
	assert_int_equal(take(p, SEL_ALL, &g), 10000000000ull);
	assert_int_equal(g.nflows, 2);
	assert_int_equal(g.flows[0].event, FLOW_EV_DUMP);
	assert_int_equal(feed(p, lines[3]), 0);
	/* An end after the frame's pass starts the next frame. */
	assert_int_equal(feed(p, lines[4]), 1);
	assert_int_equal(take(p, SEL_ALL, &g), 11000000000ull);
	assert_int_equal(g.nflows, 2);
	assert_int_equal(g.flows[0].orig_bytes + g.flows[1].orig_bytes, 350);
	assert_int_equal(feed(p, lines[4]), 0);
	assert_int_equal(feed(p, lines[5]), 0);
	assert_true(rp_play_pending(p));
	assert_int_equal(take(p, SEL_ALL, &g), 12000000000ull);
	/* The end: its DESTROY with the final figures, then the one left,
	 * with the figures of its last update. */
	assert_int_equal(g.nflows, 2);
	assert_int_equal(g.flows[0].event, FLOW_EV_DESTROY);
	assert_int_equal(g.flows[0].id, 2);
	assert_int_equal(g.flows[0].orig_bytes, 250);
	assert_int_equal(g.flows[1].event, FLOW_EV_DUMP);
	assert_int_equal(g.flows[1].id, 1);
	assert_int_equal(g.flows[1].orig_bytes, 150);
	assert_false(rp_play_pending(p));
	rp_play_free(p);
}

/* A flow that came and went between two passes (its start written with
 * its end, at the end's time) makes no frame of its own: a NEW before its
 * DESTROY in the next one, so the ui shows it closed. A begin ends what an
 * earlier run left open. */
static void test_new_destroy_and_begin(void **state)
{
	static const char *const lines[] = {
		TCP("start", 1, 1000, 100, "10.000000"),
		TCP("start", 3, 1003, 5, "10.500000"),
		TCP("end", 3, 1003, 9, "10.500000"),
		"{\"event\":\"tick\",\"time\":11.000000}",
		"{\"event\":\"begin\",\"time\":50.000000}",
		TCP("start", 4, 1004, 1, "50.000000"),
	};
	struct rp_play *p = rp_play_new();
	struct got g[8];

	(void)state;
	assert_int_equal(play(p, lines, 6, SEL_ALL, g), 3);
	assert_int_equal(g[0].nflows, 1);
	assert_int_equal(g[1].nflows, 3);
	assert_int_equal(g[1].flows[0].event, FLOW_EV_NEW);
	assert_int_equal(g[1].flows[0].id, 3);
	assert_int_equal(g[1].flows[1].event, FLOW_EV_DESTROY);
	assert_int_equal(g[1].flows[1].orig_bytes, 9);
	assert_int_equal(g[1].flows[2].id, 1);
	/* Flow 1 of the earlier run left; flow 4 is open. */
	assert_int_equal(g[2].nflows, 2);
	assert_int_equal(g[2].flows[0].event, FLOW_EV_DESTROY);
	assert_int_equal(g[2].flows[0].id, 1);
	assert_int_equal(g[2].flows[1].id, 4);
	assert_int_equal(rp_play_count(p), 1);
	rp_play_free(p);
}

static void test_never_sent_gets_new(void **state)
{
	static const char *const lines[] = {
		TCP("start", 1, 1000, 100, "10.000000"),
		TCP("end", 5, 1005, 7, "10.200000"),
		TCP("update", 1, 1000, 110, "11.000000"),
	};
	struct rp_play *p = rp_play_new();
	struct got g[8];

	(void)state;
	assert_int_equal(play(p, lines, 3, SEL_ALL, g), 2);
	assert_int_equal(g[1].nflows, 3);
	assert_int_equal(g[1].flows[0].event, FLOW_EV_NEW);
	assert_int_equal(g[1].flows[0].id, 5);
	assert_int_equal(g[1].flows[1].event, FLOW_EV_DESTROY);
	assert_int_equal(g[1].flows[1].id, 5);
	assert_int_equal(g[1].flows[2].event, FLOW_EV_DUMP);
	rp_play_free(p);
}

/* The selection: a UDP flow is not sent while only TCP is selected. */
static void test_selection(void **state)
{
	static const char *const lines[] = {
		TCP("start", 1, 1000, 100, "10.000000"),
		"{\"event\":\"start\",\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5,\"dst\":\"2001:db8::2\","
		"\"dport\":53,\"time\":10.000000}",
	};
	struct rp_play *p = rp_play_new();
	struct got g[8];

	(void)state;
	assert_int_equal(play(p, lines, 2, SEL_IPV4 | SEL_IPV6 | SEL_TCP, g), 1);
	assert_int_equal(g[0].nflows, 1);
	assert_int_equal(g[0].flows[0].l4proto, 6);
	rp_play_free(p);
}

/* Processes: announced once before the flows that name them, a new one
 * under the same pid gets a new start (the flow's tag follows), an
 * exited one is said gone once; the command line is asked for by pid. */
static void test_owners(void **state)
{
#define OWN(id, sport, cmd, exited, t) \
	"{\"event\":\"start\",\"id\":" #id ",\"family\":\"ipv4\",\"proto\":\"udp\"," \
	"\"src\":\"192.0.2.1\",\"sport\":" #sport ",\"dst\":\"192.0.2.2\"," \
	"\"dport\":53,\"pid\":77,\"process\":\"dig\",\"uid\":1000," \
	"\"cmdline\":\"" cmd "\"" exited ",\"time\":" t "}"
	static const char *const lines[] = {
		OWN(1, 1000, "dig a", "", "10.000000"),
		OWN(2, 1001, "dig b", "", "11.000000"),
		OWN(3, 1002, "dig b", ",\"exited\":true", "12.000000"),
	};
	struct rp_play *p = rp_play_new();
	struct got g[8];

	(void)state;
	assert_int_equal(play(p, lines, 3, SEL_ALL, g), 3);
	assert_int_equal(g[0].nowners, 1);
	assert_string_equal(g[0].owners[0].cmdline, "dig a");
	assert_int_equal(flow_owner_tag(&g[0].flows[0]),
			 g[0].owners[0].start & 0xffffff);
	/* Another command line under pid 77: another process. */
	assert_int_equal(g[1].nowners, 1);
	assert_int_not_equal(g[1].owners[0].start, g[0].owners[0].start);
	assert_int_equal(flow_owner_tag(&g[1].flows[1]),
			 g[1].owners[0].start & 0xffffff);
	assert_string_equal(rp_play_owner(p, 77)->cmdline, "dig b");
	/* Said gone once. */
	assert_int_equal(g[2].nowners, 0);
	assert_int_equal(g[2].ngone, 1);
	assert_int_equal(g[2].gone[0].pid, 77);
	assert_null(rp_play_owner(p, 78));
	rp_play_free(p);
#undef OWN
}

/* Names and places: the last a line told of the address, whichever
 * flow's line, kept across a rewind; only the parts asked are answered;
 * services by port. */
static void test_answers(void **state)
{
	static const char *const lines[] = {
		"{\"event\":\"start\",\"id\":1,\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"state\":\"SYN_SENT\",\"src\":\"192.0.2.1\",\"sport\":1,"
		"\"dst\":\"81.2.69.142\",\"dport\":443,\"time\":1}",
		"{\"event\":\"start\",\"id\":2,\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"state\":\"SYN_SENT\",\"src\":\"192.0.2.1\",\"sport\":2,"
		"\"dst\":\"81.2.69.142\",\"dport\":443,\"service\":\"https\","
		"\"dst_name\":\"london.example\",\"dst_country\":\"GB\","
		"\"dst_city\":\"London\",\"dst_asn\":64500,\"time\":2}",
	};
	struct rp_play *p = rp_play_new();
	struct lookup_req q = { .family = FLOW_FAM_IPV4,
				.parts = LOOKUP_DNS | LOOKUP_GEO,
				.addr = { 81, 2, 69, 142 } };
	struct service_req sq = { .port = 443, .l4proto = 6 };
	struct lookup_ans a;
	struct service_ans sa;
	struct got g[8];

	(void)state;
	play(p, lines, 2, SEL_ALL, g);
	rp_play_rewind(p);
	assert_int_equal(rp_play_count(p), 0);
	rp_play_answer(p, &q, &a);
	assert_int_equal(a.parts, LOOKUP_DNS | LOOKUP_GEO);
	assert_string_equal(a.name, "london.example");
	assert_string_equal(a.country, "GB");
	assert_string_equal(a.city, "London");
	assert_int_equal(a.asn, 64500);
	q.parts = LOOKUP_DNS;
	rp_play_answer(p, &q, &a);
	assert_int_equal(a.parts, LOOKUP_DNS);
	assert_string_equal(a.country, "");
	q.addr[3] = 1;          /* never recorded: a negative answer */
	q.parts = LOOKUP_DNS | LOOKUP_GEO;
	rp_play_answer(p, &q, &a);
	assert_int_equal(a.parts, LOOKUP_DNS | LOOKUP_GEO);
	assert_string_equal(a.name, "");
	rp_play_service(p, &sq, &sa);
	assert_string_equal(sa.name, "https");
	sq.port = 444;
	rp_play_service(p, &sq, &sa);
	assert_string_equal(sa.name, "");
	rp_play_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_new_destroy_and_begin),
		cmocka_unit_test(test_never_sent_gets_new),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_owners),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
