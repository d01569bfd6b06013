/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/flow_table.c: the ui's conntrack table model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <cmocka.h>

#include "ui/flow_table.h"

#define SEC 1000000000ull

/* A TCP/IPv4 record 10.0.0.1:sport -> 10.0.0.2:80. */
static struct flow_wire rec(uint32_t id, uint8_t event, uint16_t sport)
{
	struct flow_wire r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.event = event;
	r.family = FLOW_FAM_IPV4;
	r.l4proto = IPPROTO_TCP;
	r.state = TCP_CONNTRACK_ESTABLISHED;
	r.src[0] = 10;
	r.src[3] = 1;
	r.dst[0] = 10;
	r.dst[3] = 2;
	r.sport = sport;
	r.dport = 80;
	return r;
}

static struct flow_wire rec_bytes(uint32_t id, uint8_t event,
				  uint64_t orig, uint64_t reply)
{
	struct flow_wire r = rec(id, event, 40000);

	r.orig_bytes = orig;
	r.orig_packets = orig / 100;
	r.reply_bytes = reply;
	r.reply_packets = reply / 100;
	return r;
}

static void apply_ok(struct flow_table *t, struct flow_wire r,
		     uint64_t mono, uint64_t seq)
{
	assert_int_equal(flow_table_apply(t, &r, mono, seq), 0);
}

/* The entry with this id, through the public interface only. */
static const struct flow_entry *find(struct flow_table *t, uint32_t id)
{
	size_t n = flow_table_count(t);
	const struct flow_entry **v = calloc(n ? n : 1, sizeof(*v));
	const struct flow_entry *hit = NULL;

	assert_non_null(v);
	n = flow_table_sorted(t, v, n);
	for (size_t i = 0; i < n; i++)
		if (v[i]->w.id == id)
			hit = v[i];
	free(v);
	return hit;
}

static void assert_rate(double got, double want)
{
	if (fabs(got - want) > 1e-6 * (fabs(want) + 1))
		fail_msg("rate %f, expected %f", got, want);
}

static int setup(void **state)
{
	*state = flow_table_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	flow_table_free(*state);
	return 0;
}

static void test_insert_update_destroy(void **state)
{
	struct flow_table *t = *state;
	struct flow_wire r = rec_bytes(1, FLOW_EV_DUMP, 500, 700);

	assert_int_equal(flow_table_count(t), 0);
	apply_ok(t, r, 1 * SEC, 1);
	apply_ok(t, rec_bytes(2, FLOW_EV_DUMP, 1, 1), 1 * SEC, 1);
	assert_int_equal(flow_table_count(t), 2);

	const struct flow_entry *e = find(t, 1);

	assert_non_null(e);
	assert_int_equal(e->w.orig_bytes, 500);
	assert_int_equal(e->w.reply_bytes, 700);
	assert_int_equal(e->seen_seq, 1);

	r = rec(1, FLOW_EV_UPDATE, 40000);
	r.state = TCP_CONNTRACK_FIN_WAIT;
	apply_ok(t, r, 2 * SEC, 1);
	e = find(t, 1);
	assert_int_equal(e->w.state, TCP_CONNTRACK_FIN_WAIT);
	assert_int_equal(flow_table_count(t), 2);

	/* A destroy of an id we never saw changes nothing. */
	apply_ok(t, rec(99, FLOW_EV_DESTROY, 1), 3 * SEC, 1);
	assert_int_equal(flow_table_count(t), 2);

	apply_ok(t, rec_bytes(1, FLOW_EV_DESTROY, 900, 900), 3 * SEC, 1);
	assert_int_equal(flow_table_count(t), 1);
	assert_null(find(t, 1));
	assert_non_null(find(t, 2));
}

/* A hidden owner (another user's process) clears the name held before and
 * stays through records without an owner; a record naming a process again
 * brings it back. */
static void test_hidden_owner(void **state)
{
	struct flow_table *t = *state;
	struct flow_wire r = rec(6, FLOW_EV_DUMP, 40000);
	const struct flow_entry *e;

	r.owner = FLOW_OWNER_SOCKET;
	r.uid = 1000;
	r.pid = 77;
	strcpy(r.comm, "sshd");
	apply_ok(t, r, 1 * SEC, 1);
	r = rec(6, FLOW_EV_DUMP, 40000);
	r.owner = FLOW_OWNER_HIDDEN;
	r.uid = 1001;
	apply_ok(t, r, 2 * SEC, 2);
	e = find(t, 6);
	assert_int_equal(e->w.owner, FLOW_OWNER_HIDDEN);
	assert_int_equal(e->w.uid, 1001);
	assert_int_equal(e->w.pid, 0);
	assert_string_equal(e->w.comm, "");
	/* The socket closed: no owner in the record, the hidden one stays. */
	apply_ok(t, rec(6, FLOW_EV_UPDATE, 40000), 3 * SEC, 2);
	r = rec(6, FLOW_EV_DUMP, 40000);
	r.owner = FLOW_OWNER_SOCKET;
	r.uid = 1001;
	apply_ok(t, r, 3 * SEC, 3);
	e = find(t, 6);
	assert_int_equal(e->w.owner, FLOW_OWNER_HIDDEN);
	assert_int_equal(e->w.pid, 0);
	/* Named again (the viewer may see it now). */
	r.pid = 78;
	strcpy(r.comm, "rsync");
	apply_ok(t, r, 4 * SEC, 4);
	e = find(t, 6);
	assert_int_equal(e->w.owner, FLOW_OWNER_SOCKET);
	assert_int_equal(e->w.pid, 78);
	assert_string_equal(e->w.comm, "rsync");
	assert_int_equal(e->w.uid, 1001);
}

static void test_new_does_not_clobber(void **state)
{
	struct flow_table *t = *state;
	struct flow_wire r = rec_bytes(5, FLOW_EV_DUMP, 1000, 2000);

	r.start_ns = 1234 * SEC;
	r.pid = 77;
	strcpy(r.comm, "sshd");
	apply_ok(t, r, 1 * SEC, 1);

	/* Events carry no counters; zeros must not replace known values. */
	r = rec(5, FLOW_EV_NEW, 40000);
	r.state = TCP_CONNTRACK_SYN_SENT;
	apply_ok(t, r, 2 * SEC, 1);
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.state = TCP_CONNTRACK_CLOSE_WAIT;
	apply_ok(t, r, 2 * SEC, 1);

	const struct flow_entry *e = find(t, 5);

	assert_int_equal(e->w.orig_bytes, 1000);
	assert_int_equal(e->w.orig_packets, 10);
	assert_int_equal(e->w.reply_bytes, 2000);
	assert_int_equal(e->w.reply_packets, 20);
	assert_int_equal(e->w.start_ns, 1234 * SEC);
	assert_int_equal(e->w.pid, 77);
	assert_string_equal(e->w.comm, "sshd");
	assert_int_equal(e->w.state, TCP_CONNTRACK_CLOSE_WAIT);

	/* A known owner in an event is taken, with its own comm. */
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.pid = 88;
	strcpy(r.comm, "scp");
	apply_ok(t, r, 3 * SEC, 1);
	e = find(t, 5);
	assert_int_equal(e->w.pid, 88);
	assert_string_equal(e->w.comm, "scp");
	assert_int_equal(e->w.orig_bytes, 1000);

	/* A new pid without a comm must not inherit the old process's name. */
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.pid = 99;
	apply_ok(t, r, 3 * SEC, 1);
	e = find(t, 5);
	assert_int_equal(e->w.pid, 99);
	assert_string_equal(e->w.comm, "");

	/* The same pid, another process (its start tag): taken with its own
	 * comm and tag; a record without a comm keeps them. */
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.pid = 99;
	flow_set_owner_tag(&r, 0xabcdef);
	strcpy(r.comm, "curl");
	apply_ok(t, r, 3 * SEC, 1);
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.pid = 99;
	flow_set_owner_tag(&r, 0xabcdef);
	apply_ok(t, r, 3 * SEC, 1);
	e = find(t, 5);
	assert_int_equal(flow_owner_tag(&e->w), 0xabcdef);
	assert_string_equal(e->w.comm, "curl");
	/* Yet another process with that pid, its comm not known: curl's
	 * name must not stay beside it. */
	r = rec(5, FLOW_EV_UPDATE, 40000);
	r.pid = 99;
	flow_set_owner_tag(&r, 0x111111);
	apply_ok(t, r, 3 * SEC, 1);
	e = find(t, 5);
	assert_int_equal(flow_owner_tag(&e->w), 0x111111);
	assert_string_equal(e->w.comm, "");

	/* A later dump does bring new counters, keeping the known owner. */
	r = rec_bytes(5, FLOW_EV_DUMP, 3000, 4000);
	apply_ok(t, r, 4 * SEC, 2);
	e = find(t, 5);
	assert_int_equal(e->w.orig_bytes, 3000);
	assert_int_equal(e->w.reply_bytes, 4000);
	assert_int_equal(e->w.pid, 99);
	assert_int_equal(e->w.start_ns, 1234 * SEC);
	assert_int_equal(e->counters_mono_ns, 4 * SEC);
}

static void test_dump_sweep(void **state)
{
	struct flow_table *t = *state;

	for (uint32_t id = 1; id <= 4; id++)
		apply_ok(t, rec_bytes(id, FLOW_EV_DUMP, id, id), 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	assert_int_equal(flow_table_count(t), 4);

	/* Dump 2 lists 1 and 3; flow 5 is born while it runs; flow 4 is
	 * not listed but an event shows it alive during the dump. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 1, 1), 2 * SEC, 2);
	apply_ok(t, rec(5, FLOW_EV_NEW, 1), 2 * SEC + 1, 2);
	apply_ok(t, rec(4, FLOW_EV_UPDATE, 40000), 2 * SEC + 2, 2);
	apply_ok(t, rec_bytes(3, FLOW_EV_DUMP, 3, 3), 2 * SEC, 2);
	flow_table_dump_end(t, 2);

	assert_int_equal(flow_table_count(t), 4);
	assert_non_null(find(t, 1));
	assert_null(find(t, 2));
	assert_non_null(find(t, 3));
	assert_non_null(find(t, 4));
	assert_non_null(find(t, 5));
	assert_int_equal(find(t, 5)->seen_seq, 2);

	/* An empty dump empties the table. */
	flow_table_dump_end(t, 3);
	assert_int_equal(flow_table_count(t), 0);
}

/* The first entry of the table with this id and source port. */
static const struct flow_entry *find_tuple(struct flow_table *t, uint32_t id,
					   uint16_t sport)
{
	for (size_t i = 0; i < flow_table_count(t); i++) {
		const struct flow_entry *e = flow_table_at(t, i);

		if (e->w.id == id && e->w.sport == sport)
			return e;
	}
	return NULL;
}

/* Kernel ids are 32-bit hashes: live flows can share one. A flow is its
 * id and its tuple together. */
static void test_shared_id_distinct_flows(void **state)
{
	struct flow_table *t = *state;
	struct flow_wire a = rec_bytes(7, FLOW_EV_DUMP, 100000, 100000);
	struct flow_wire b = rec_bytes(7, FLOW_EV_DUMP, 4000, 1000);

	b.sport = 40001;
	apply_ok(t, a, 1 * SEC, 1);
	apply_ok(t, b, 1 * SEC, 1);
	assert_int_equal(flow_table_count(t), 2);
	assert_int_equal(find_tuple(t, 7, 40000)->w.orig_bytes, 100000);
	assert_int_equal(find_tuple(t, 7, 40001)->w.orig_bytes, 4000);

	/* Each keeps its own counters and rate. */
	a.orig_bytes = 300000;
	b.orig_bytes = 6000;
	apply_ok(t, a, 2 * SEC, 2);
	apply_ok(t, b, 2 * SEC, 2);
	flow_table_dump_end(t, 2);
	flow_table_rates(t, 2 * SEC);
	assert_rate(find_tuple(t, 7, 40000)->orig_rate, 200000);
	assert_rate(find_tuple(t, 7, 40001)->orig_rate, 2000);

	/* A DESTROY names its flow by tuple: the other one stays. */
	b.event = FLOW_EV_DESTROY;
	apply_ok(t, b, 3 * SEC, 2);
	assert_int_equal(flow_table_count(t), 1);
	assert_non_null(find_tuple(t, 7, 40000));
	assert_null(find_tuple(t, 7, 40001));

	/* A flow the kernel forgot to report destroyed goes with the next
	 * dump that does not list it, even if its id lives on. */
	struct flow_wire c = rec(7, FLOW_EV_NEW, 40002);

	apply_ok(t, c, 3 * SEC, 2);
	assert_int_equal(flow_table_count(t), 2);
	c.event = FLOW_EV_DUMP;
	apply_ok(t, c, 4 * SEC, 3);
	flow_table_dump_end(t, 3);
	assert_int_equal(flow_table_count(t), 1);
	assert_non_null(find_tuple(t, 7, 40002));
	assert_int_equal(find_tuple(t, 7, 40002)->w.orig_bytes, 0);

	/* ICMP: the echo id is part of the tuple. */
	struct flow_wire icmp = rec(8, FLOW_EV_DUMP, 0);

	icmp.l4proto = IPPROTO_ICMP;
	icmp.state = FLOW_STATE_NONE;
	icmp.sport = icmp.dport = 0;
	icmp.icmp_type = 8;
	icmp.icmp_id = 1;
	icmp.orig_bytes = 84;
	apply_ok(t, icmp, 6 * SEC, 4);
	icmp.icmp_id = 2;
	icmp.orig_bytes = 168;
	apply_ok(t, icmp, 6 * SEC, 4);
	assert_int_equal(flow_table_count(t), 3);
}

static void test_rates_interval(void **state)
{
	struct flow_table *t = *state;

	/* The first dump is the base: no interval yet, so no rate. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 1000, 2000), 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	flow_table_rates(t, 1 * SEC);
	assert_false(find(t, 1)->has_rate);

	/* The first snapshot's rate covers the interval waited. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 5000, 2000), 3 * SEC, 2);
	flow_table_dump_end(t, 2);
	flow_table_rates(t, 3 * SEC);

	const struct flow_entry *e = find(t, 1);

	assert_true(e->has_rate);
	assert_rate(e->orig_rate, 2000);
	assert_rate(e->reply_rate, 0);
	assert_int_equal(e->base_orig_bytes, 5000);
	assert_int_equal(e->base_mono_ns, 3 * SEC);

	/* Then each snapshot measures from the previous one. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 5500, 3000), 3 * SEC + SEC / 2, 3);
	flow_table_rates(t, 3 * SEC + SEC / 2);
	e = find(t, 1);
	assert_rate(e->orig_rate, 1000);
	assert_rate(e->reply_rate, 2000);

	/* A snapshot with no fresh counters (a zero interval) keeps the
	 * last rate instead of dividing by zero or claiming silence. */
	flow_table_rates(t, 4 * SEC);
	e = find(t, 1);
	assert_true(e->has_rate);
	assert_rate(e->orig_rate, 1000);
	assert_rate(e->reply_rate, 2000);
	assert_true(isfinite(e->orig_rate));
}

/* The screen refreshes the flows it shows each interval and sweeps the
 * rest seldom: a flow with no fresh counters keeps its rate (it is not
 * taken for idle, nor does the next reading make it jump), and rates
 * cover the time between two readings of that flow. */
static void test_rates_partial_refresh(void **state)
{
	struct flow_table *t = *state;
	const struct flow_entry *shown, *other;
	struct flow_wire r;

	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 0, 0), 1 * SEC, 1);
	r = rec_bytes(2, FLOW_EV_DUMP, 0, 0);
	r.sport = 40001;
	apply_ok(t, r, 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	/* A sweep a second later: both at 1000 B/s. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 1000, 0), 2 * SEC, 2);
	r.orig_bytes = 1000;
	apply_ok(t, r, 2 * SEC, 2);
	flow_table_dump_end(t, 2);
	flow_table_rates_over(t, SEC / 2);
	/* Then only flow 1 is refreshed, each second, at 3000 B/s. */
	for (uint64_t s = 3; s <= 6; s++) {
		apply_ok(t, rec_bytes(1, FLOW_EV_REFRESH, 1000 + 3000 * (s - 2),
				      0), s * SEC, 2);
		flow_table_rates_over(t, SEC / 2);
		shown = find_tuple(t, 1, 40000);
		other = find_tuple(t, 2, 40001);
		assert_rate(shown->orig_rate, 3000);
		assert_rate(other->orig_rate, 1000);
		assert_true(other->has_rate);
	}
	/* The next sweep, 5 s after the last: flow 2's rate is over those
	 * 5 s (10000 bytes: 2000 B/s), not over the last interval. */
	r.orig_bytes = 11000;
	apply_ok(t, r, 7 * SEC, 3);
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 16000, 0), 7 * SEC, 3);
	flow_table_dump_end(t, 3);
	flow_table_rates_over(t, SEC / 2);
	assert_rate(find_tuple(t, 2, 40001)->orig_rate, 2000);
	assert_rate(find_tuple(t, 1, 40000)->orig_rate, 3000);
	assert_int_equal(flow_table_count(t), 2);
}

/* A reading less than min_ns after the last (a sweep just after a
 * refresh) changes no rate; the next one measures over both. */
static void test_rates_min_window(void **state)
{
	struct flow_table *t = *state;

	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 0, 0), 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	apply_ok(t, rec_bytes(1, FLOW_EV_REFRESH, 1000, 0), 2 * SEC, 1);
	flow_table_rates_over(t, SEC / 2);
	assert_rate(find(t, 1)->orig_rate, 1000);
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 1900, 0), 2 * SEC + SEC / 10, 2);
	flow_table_dump_end(t, 2);
	flow_table_rates_over(t, SEC / 2);
	assert_rate(find(t, 1)->orig_rate, 1000);
	assert_int_equal(find(t, 1)->base_mono_ns, 2 * SEC);
	apply_ok(t, rec_bytes(1, FLOW_EV_REFRESH, 3000, 0), 3 * SEC, 2);
	flow_table_rates_over(t, SEC / 2);
	assert_rate(find(t, 1)->orig_rate, 2000);
}

/* A refresh answers for a flow the table no longer holds (its DESTROY
 * crossed the question): it is not brought back, and sweeps nothing. */
static void test_refresh_adds_nothing(void **state)
{
	struct flow_table *t = *state;

	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 10, 0), 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	apply_ok(t, rec_bytes(7, FLOW_EV_REFRESH, 500, 0), 2 * SEC, 1);
	assert_int_equal(flow_table_count(t), 1);
	assert_null(find(t, 7));
	apply_ok(t, rec_bytes(1, FLOW_EV_REFRESH, 900, 0), 2 * SEC, 1);
	assert_int_equal(find(t, 1)->w.orig_bytes, 900);
	assert_int_equal(find(t, 1)->counters_mono_ns, 2 * SEC);
}

static void test_rates_first_seen_new(void **state)
{
	struct flow_table *t = *state;

	/* Born at 10 s with nothing sent; listed at 12 s with 4000 bytes.
	 * Counters in the event itself are not trusted: dumps bring them. */
	apply_ok(t, rec_bytes(1, FLOW_EV_NEW, 60, 0), 10 * SEC, 1);
	assert_int_equal(find(t, 1)->w.orig_bytes, 0);
	assert_int_equal(find(t, 1)->base_mono_ns, 10 * SEC);
	flow_table_rates(t, 10 * SEC);
	assert_false(find(t, 1)->has_rate);
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 4000, 600), 12 * SEC, 2);
	flow_table_rates(t, 12 * SEC);

	const struct flow_entry *e = find(t, 1);

	assert_true(e->has_rate);
	assert_rate(e->orig_rate, 2000);
	assert_rate(e->reply_rate, 300);

	/* A flow first met through an UPDATE predates us: its counters
	 * are unknown (whatever the event says), so the first dump is only
	 * its base. */
	apply_ok(t, rec_bytes(2, FLOW_EV_UPDATE, 777, 888), 12 * SEC, 2);
	assert_int_equal(find(t, 2)->w.orig_bytes, 0);
	assert_int_equal(find(t, 2)->w.reply_packets, 0);
	apply_ok(t, rec_bytes(2, FLOW_EV_DUMP, 9000000, 9000000), 13 * SEC, 3);
	flow_table_rates(t, 13 * SEC);
	assert_false(find(t, 2)->has_rate);
	apply_ok(t, rec_bytes(2, FLOW_EV_DUMP, 9001000, 9000000), 14 * SEC, 4);
	flow_table_rates(t, 14 * SEC);
	assert_true(find(t, 2)->has_rate);
	assert_rate(find(t, 2)->orig_rate, 1000);
}

static void test_rates_counters_backwards(void **state)
{
	struct flow_table *t = *state;

	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 50000, 50000), 1 * SEC, 1);
	/* conntrack -Z zeroed the counters: no negative or huge rate. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 1000, 60000), 2 * SEC, 2);
	flow_table_rates(t, 2 * SEC);

	const struct flow_entry *e = find(t, 1);

	assert_true(e->has_rate);
	assert_rate(e->orig_rate, 0);
	assert_rate(e->reply_rate, 10000);

	/* Measuring goes on from the lower reading. */
	apply_ok(t, rec_bytes(1, FLOW_EV_DUMP, 3000, 60000), 3 * SEC, 3);
	flow_table_rates(t, 3 * SEC);
	e = find(t, 1);
	assert_rate(e->orig_rate, 2000);
	assert_rate(e->reply_rate, 0);
}

#define MANY 300000u

/* A sequential run like older kernels' ids, then ids spread like the
 * hashed ones of newer kernels; the top bit keeps the two sets apart and
 * an odd multiplier keeps the spread ones distinct. */
static uint32_t many_id(uint32_t i)
{
	return i <= MANY / 2 ? i : 0x80000000u | (i * 2654435761u);
}

static void test_growth_and_removal(void **state)
{
	struct flow_table *t = *state;
	const struct flow_entry **v = calloc(MANY, sizeof(*v));
	unsigned char *seen = calloc(MANY + 1, 1);

	assert_non_null(v);
	assert_non_null(seen);
	for (uint32_t i = 1; i <= MANY; i++)
		apply_ok(t, rec_bytes(many_id(i), FLOW_EV_DUMP, i, 0), 1 * SEC, 1);
	flow_table_dump_end(t, 1);
	assert_int_equal(flow_table_count(t), MANY);

	/* Every id is there exactly once. */
	assert_int_equal(flow_table_sorted(t, v, MANY), MANY);
	for (uint32_t i = 0; i < MANY; i++) {
		uint64_t k = v[i]->w.orig_bytes;

		assert_true(k >= 1 && k <= MANY);
		assert_false(seen[k]);
		seen[k] = 1;
	}
	/* Sorted by bytes descending. */
	assert_int_equal(v[0]->w.orig_bytes, MANY);
	assert_int_equal(v[MANY - 1]->w.orig_bytes, 1);

	/* Destroy every odd one, then the next dump lists none. */
	for (uint32_t i = 1; i <= MANY; i += 2)
		apply_ok(t, rec(many_id(i), FLOW_EV_DESTROY, 40000), 2 * SEC, 1);
	assert_int_equal(flow_table_count(t), MANY / 2);
	assert_null(find(t, 1));
	assert_non_null(find(t, 2));
	assert_non_null(find(t, many_id(MANY)));
	assert_null(find(t, many_id(MANY - 1)));
	flow_table_dump_end(t, 2);
	assert_int_equal(flow_table_count(t), 0);
	assert_null(find(t, 2));

	/* The emptied table still works. */
	apply_ok(t, rec_bytes(42, FLOW_EV_DUMP, 1, 1), 3 * SEC, 3);
	assert_int_equal(flow_table_count(t), 1);
	assert_non_null(find(t, 42));
	free(v);
	free(seen);
}

/* Ids that collide in a small index, inserted and removed in an order
 * that exercises the backward shift of the probe runs. */
static void test_churn_keeps_lookups(void **state)
{
	struct flow_table *t = *state;
	enum { N = 5000 };

	for (uint32_t round = 0; round < 4; round++) {
		for (uint32_t i = 0; i < N; i++)
			apply_ok(t, rec_bytes(i * 64 + round, FLOW_EV_DUMP,
					      i, round), SEC, 1);
		for (uint32_t i = 0; i < N; i += 3)
			apply_ok(t, rec(i * 64 + round, FLOW_EV_DESTROY, 40000),
				 SEC, 1);
	}
	size_t n = flow_table_count(t);
	const struct flow_entry **v = calloc(n, sizeof(*v));

	assert_non_null(v);
	assert_int_equal(n, 4 * (N - (N + 2) / 3));
	assert_int_equal(flow_table_sorted(t, v, n), n);
	for (size_t i = 0; i < n; i++) {
		uint32_t id = v[i]->w.id;

		assert_int_not_equal((id / 64) % 3, 0);
		/* An update reaches the same entry, not a duplicate. */
		struct flow_wire r = rec(id, FLOW_EV_UPDATE, 40000);

		r.state = TCP_CONNTRACK_TIME_WAIT;
		apply_ok(t, r, SEC, 1);
	}
	assert_int_equal(flow_table_count(t), n);
	assert_int_equal(flow_table_sorted(t, v, n), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i]->w.state, TCP_CONNTRACK_TIME_WAIT);
	free(v);
}

static void test_sorting(void **state)
{
	struct flow_table *t = *state;
	const struct flow_entry *v[8];

	apply_ok(t, rec_bytes(30, FLOW_EV_DUMP, 100, 100), SEC, 1);   /* 200 */
	apply_ok(t, rec_bytes(10, FLOW_EV_DUMP, 50, 150), SEC, 1);    /* 200 */
	apply_ok(t, rec_bytes(20, FLOW_EV_DUMP, 0, 1000), SEC, 1);    /* 1000 */
	apply_ok(t, rec_bytes(40, FLOW_EV_DUMP, 1, 0), SEC, 1);       /* 1 */
	apply_ok(t, rec_bytes(5, FLOW_EV_DUMP, 150, 50), SEC, 1);     /* 200 */
	apply_ok(t, rec_bytes(6, FLOW_EV_DUMP, UINT64_MAX, 2), SEC, 1);

	assert_int_equal(flow_table_sorted(t, v, 8), 6);
	/* A sum past 2^64 still sorts as the largest. */
	assert_int_equal(v[0]->w.id, 6);
	assert_int_equal(v[1]->w.id, 20);
	/* Equal totals: id ascending. */
	assert_int_equal(v[2]->w.id, 5);
	assert_int_equal(v[3]->w.id, 10);
	assert_int_equal(v[4]->w.id, 30);
	assert_int_equal(v[5]->w.id, 40);

	/* Fewer places than entries: the top ones, in order. */
	assert_int_equal(flow_table_sorted(t, v, 3), 3);
	assert_int_equal(v[0]->w.id, 6);
	assert_int_equal(v[1]->w.id, 20);
	assert_int_equal(v[2]->w.id, 5);
	assert_int_equal(flow_table_sorted(t, v, 0), 0);
}

/* The top-k path against a full sort over many entries. */
static void test_sorting_top_matches_full(void **state)
{
	struct flow_table *t = *state;
	enum { N = 2000, K = 37 };
	const struct flow_entry *all[N], *top[K];

	srand(1);
	for (uint32_t id = 1; id <= N; id++)
		apply_ok(t, rec_bytes(id, FLOW_EV_DUMP,
				      (uint64_t)(rand() % 50), 0), SEC, 1);
	assert_int_equal(flow_table_sorted(t, all, N), N);
	assert_int_equal(flow_table_sorted(t, top, K), K);
	for (int i = 0; i < K; i++)
		assert_ptr_equal(top[i], all[i]);
	for (int i = 1; i < N; i++) {
		uint64_t a = all[i - 1]->w.orig_bytes, b = all[i]->w.orig_bytes;

		assert_true(a > b || (a == b && all[i - 1]->w.id < all[i]->w.id));
	}
}

/* Each new entry is told once, gone ones never; an unread log that grew
 * too long gives every entry instead. */
static void count_new(void *ctx, const struct flow_entry *e)
{
	uint32_t *seen = ctx;

	seen[e->w.id]++;
}

static void test_each_new(void **state)
{
	struct flow_table *t = *state;
	static uint32_t seen[20000];
	struct flow_wire d = rec(3, FLOW_EV_DESTROY, 3);

	for (uint32_t id = 1; id <= 5; id++)
		apply_ok(t, rec(id, FLOW_EV_NEW, (uint16_t)id), SEC, 0);
	apply_ok(t, d, SEC, 0);
	flow_table_each_new(t, count_new, seen);
	assert_int_equal(seen[1] + seen[2] + seen[4] + seen[5], 4);
	assert_int_equal(seen[3], 0);
	/* Updates are not new; a new id is. */
	apply_ok(t, rec(1, FLOW_EV_UPDATE, 1), SEC, 0);
	apply_ok(t, rec(6, FLOW_EV_NEW, 6), SEC, 0);
	flow_table_each_new(t, count_new, seen);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[6], 1);
	/* Nobody read it while 10k flows came and went: every entry. */
	memset(seen, 0, sizeof(seen));
	for (uint32_t id = 100; id < 15000; id++) {
		struct flow_wire w = rec(id, FLOW_EV_NEW, (uint16_t)id);

		apply_ok(t, w, SEC, 0);
		if (id % 2) {
			w.event = FLOW_EV_DESTROY;
			apply_ok(t, w, SEC, 0);
		}
	}
	flow_table_each_new(t, count_new, seen);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[100], 1);
	assert_int_equal(seen[101], 0);
}

/* Every flow added or removed counts, by a record or by a dump's end;
 * a record of a flow already there does not, nor a DESTROY of one not. */
static void test_changes(void **state)
{
	struct flow_table *t = *state;

	assert_int_equal(flow_table_changes(t), 0);
	apply_ok(t, rec(1, FLOW_EV_DUMP, 1000), SEC, 1);
	apply_ok(t, rec(2, FLOW_EV_NEW, 1001), SEC, 1);
	apply_ok(t, rec(1, FLOW_EV_UPDATE, 1000), SEC, 1);
	assert_int_equal(flow_table_changes(t), 2);
	apply_ok(t, rec(2, FLOW_EV_DESTROY, 1001), SEC, 1);
	apply_ok(t, rec(9, FLOW_EV_DESTROY, 1009), SEC, 1);
	assert_int_equal(flow_table_changes(t), 3);
	apply_ok(t, rec(3, FLOW_EV_DUMP, 1002), 2 * SEC, 2);
	flow_table_dump_end(t, 2);      /* 1 was not listed */
	assert_int_equal(flow_table_count(t), 1);
	assert_int_equal(flow_table_changes(t), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_update_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_does_not_clobber, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_id_distinct_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_partial_refresh,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_min_window,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_adds_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_first_seen_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates_counters_backwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_and_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_churn_keeps_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sorting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sorting_top_matches_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_new, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
