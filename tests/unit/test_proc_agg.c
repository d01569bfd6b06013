/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ui/proc_agg.c: per-process totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
