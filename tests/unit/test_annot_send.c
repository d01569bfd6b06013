/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for ui/annot.c's sending (test_annot.c has its slots): a
 * table with far more addresses than the channel to the resolver holds is
 * asked in full without the ui ever blocking in a send, over a real
 * SOCK_SEQPACKET socketpair whose ui end is non-blocking (a send that
 * would wait fails instead), while the "resolver" end reads only when the
 * test says so. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "ui/annot.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Far more than fit in the channel's buffer at 20 bytes a question. */
#define N_ADDRS 100000

struct pair {
	struct msg_chan ui, res;
};

static void pair_open(struct pair *p)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	msg_chan_init(&p->ui, sv[0], MSG_DIR_RES_UI, MSG_DIR_UI_RES, "resolver");
	msg_chan_init(&p->res, sv[1], MSG_DIR_UI_RES, MSG_DIR_RES_UI, "ui");
}

static void addr_of(uint32_t i, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 198;
	a[1] = (uint8_t)(18 + (i >> 16));
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

/* N_ADDRS distinct addresses to be asked about. */
static void want_many(struct annots *a)
{
	uint8_t addr[16];

	for (uint32_t i = 0; i < N_ADDRS; i++) {
		addr_of(i, addr);
		annots_want(a, FLOW_FAM_IPV4, addr);
	}
}

/* Everything queued at the resolver's end: the questions, answered as
 * the resolver would when it knows nothing (DNS asked, no name), are
 * handed back to the ui through a message as msg_recv makes it. */
static size_t answer_all(struct pair *p, struct annots *a, uint8_t parts)
{
	static struct lookup_ans ans[MSG_MAX_PAYLOAD / sizeof(struct lookup_ans)];
	size_t asked = 0;
	struct msg m, back;
	const char *why;

	while (msg_recv_nb(&p->res, &m, &why) == 1) {
		const struct lookup_req *q = m.payload;
		size_t n = m.len / sizeof(*q), i = 0;

		assert_int_equal(m.type, MSG_LOOKUP_REQ);
		asked += n;
		while (i < n) {
			size_t k = 0;

			memset(ans, 0, sizeof(ans));
			for (; i < n && k < ARRAY_SIZE(ans); i++, k++) {
				ans[k].family = q[i].family;
				ans[k].parts = q[i].parts & parts;
				memcpy(ans[k].addr, q[i].addr, 16);
			}
			back.type = MSG_LOOKUP_ANS;
			back.len = (uint32_t)(k * sizeof(ans[0]));
			back.payload = ans;
			annots_apply(a, &back);
		}
	}
	return asked;
}

/* N_ADDRS addresses asked about parts, over a channel nobody reads until
 * the first send is done (a send that had to wait would fail: EAGAIN),
 * then answered with the parts answered, message by message as the
 * questions come: every question goes out, without a send ever waiting
 * (a failure in annots_apply would be reported by the last annots_send),
 * and outstanding are left unanswered. */
static void ask_all(uint8_t parts, uint8_t answered, size_t outstanding)
{
	struct annots *a = annots_new(parts, 0);
	struct pair p;
	size_t asked = 0, got;

	assert_non_null(a);
	pair_open(&p);
	want_many(a);
	assert_int_equal(annots_outstanding(a), N_ADDRS);
	assert_int_equal(annots_send(a, &p.ui), 0);
	while ((got = answer_all(&p, a, answered)) > 0)
		asked += got;
	assert_int_equal(asked, N_ADDRS);
	assert_int_equal(annots_outstanding(a), outstanding);
	assert_int_equal(annots_send(a, &p.ui), 0);
	close(p.ui.fd);
	close(p.res.fd);
	annots_free(a);
}

/* Questions at the resolver's end, read and dropped (not answered). */
static size_t drain(struct pair *p)
{
	struct msg m;
	const char *why;
	size_t n = 0;

	while (msg_recv_nb(&p->res, &m, &why) == 1)
		n += m.len / sizeof(struct lookup_req);
	return n;
}

/* The table starts over (past ANNOT_MAX addresses) while a window of
 * questions is out and unanswered: those are still due, so nothing more
 * goes until their answers come, and then the new table's questions do. */
static void test_start_over_keeps_window(void **state)
{
	struct annots *a = annots_new(LOOKUP_DNS, 0);
	uint8_t addr[16];
	size_t first;
	struct pair p;

	(void)state;
	assert_non_null(a);
	pair_open(&p);
	want_many(a);
	assert_int_equal(annots_send(a, &p.ui), 0);
	first = drain(&p);
	assert_true(first > 0 && first < N_ADDRS);
	for (uint32_t i = N_ADDRS; i <= ANNOT_MAX; i++) {
		addr_of(i, addr);
		annots_want(a, FLOW_FAM_IPV4, addr);
	}
	assert_int_equal(annots_send(a, &p.ui), 0);
	assert_int_equal(drain(&p), 0);
	close(p.ui.fd);
	close(p.res.fd);
	annots_free(a);
}

/* The rest goes as answers come back, a window at a time. */
static void test_many_addresses_never_block(void **state)
{
	(void)state;
	ask_all(LOOKUP_DNS, LOOKUP_DNS, 0);
}

/* Slow DNS: the places of every address come at once, their names not
 * yet. An address whose GeoIP is in no longer holds a place in the
 * window, so every question goes out without waiting for a name, and
 * every name is still due. */
static void test_places_not_held_by_names(void **state)
{
	(void)state;
	ask_all(LOOKUP_DNS | LOOKUP_GEO, LOOKUP_GEO, N_ADDRS);
}

/* A resolver that went away: the failure of a send made while answers
 * were merged is reported by the next annots_send, not lost. */
static void test_send_failure_reported(void **state)
{
	struct annots *a = annots_new(LOOKUP_DNS, 0);
	struct lookup_ans ans;
	struct msg back = { .type = MSG_LOOKUP_ANS, .len = sizeof(ans),
			    .payload = &ans };
	struct pair p;

	(void)state;
	assert_non_null(a);
	pair_open(&p);
	want_many(a);
	assert_int_equal(annots_send(a, &p.ui), 0);
	close(p.res.fd);
	memset(&ans, 0, sizeof(ans));
	ans.family = FLOW_FAM_IPV4;
	ans.parts = LOOKUP_DNS;
	/* The first questions sent, answered: room for a batch more, whose
	 * send fails. */
	for (uint32_t i = 0; i < 1000; i++) {
		addr_of(i, ans.addr);
		annots_apply(a, &back);
	}
	errno = 0;
	assert_int_equal(annots_send(a, &p.ui), -1);
	assert_int_not_equal(errno, 0);
	close(p.ui.fd);
	annots_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_addresses_never_block),
		cmocka_unit_test(test_start_over_keeps_window),
		cmocka_unit_test(test_places_not_held_by_names),
		cmocka_unit_test(test_send_failure_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
