/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for collector/stream.c: what the ui's control messages make
 * the collector send. Against the real kernel's conntrack, in a private
 * network namespace (root), with the ui's end of a channel in the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "collector/stream.h"
#include "common/options.h"
#include "common/util.h"
#include "tests/unit/skip.h"

struct fixture {
	struct ct_source *ct;
	struct msg_chan col, ui;     /* the collector's end, the ui's */
	struct stream s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->col.fd = f->ui.fd = -1;
	*state = f;
	return 0;
}

/* The stream over an empty conntrack table of its own. */
static void open_stream(struct fixture *f)
{
	char err[256] = "";
	int sv[2];

	if (unshare(CLONE_NEWNET) < 0)
		skip_or_fail("no private network namespace (%s)", strerror(errno));
	f->ct = ct_open(SEL_ALL & ~SEL_LOOPBACK, err, sizeof(err));
	if (!f->ct)
		fail_msg("ct_open: %s", err);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	msg_chan_init(&f->col, sv[0], MSG_DIR_UI_COL, MSG_DIR_COL_UI, "ui");
	msg_chan_init(&f->ui, sv[1], MSG_DIR_COL_UI, MSG_DIR_UI_COL,
		      "collector");
	stream_init(&f->s, f->ct, &f->col);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ct)
		ct_close(f->ct);
	if (f->col.fd >= 0)
		close(f->col.fd);
	if (f->ui.fd >= 0)
		close(f->ui.fd);
	free(f);
	return 0;
}

/* The next message the ui has, its type; 0 when nothing is queued. */
static uint32_t ui_next(struct fixture *f, struct msg_dump_mark *mk)
{
	const char *why = NULL;
	struct msg m;
	int r = msg_recv_nb(&f->ui, &m, &why);

	if (r == -2)
		return 0;
	if (r != 1)
		fail_msg("msg_recv_nb: %d (%s)", r, why ? why : "");
	if (mk && (m.type == MSG_DUMP_BEGIN || m.type == MSG_DUMP_END))
		memcpy(mk, m.payload, sizeof(*mk));
	return m.type;
}

/* Read one whole dump; its kind. */
static uint32_t ui_dump(struct fixture *f)
{
	struct msg_dump_mark mk;
	uint32_t t;

	assert_int_equal(ui_next(f, &mk), MSG_DUMP_BEGIN);
	while ((t = ui_next(f, &mk)) == MSG_FLOWS)
		;
	assert_int_equal(t, MSG_DUMP_END);
	return mk.kind;
}

static void send_filter(struct fixture *f, uint32_t sel)
{
	struct msg_filter flt = { .sel = sel };
	struct msg m = { .type = MSG_CTL_FILTER, .len = sizeof(flt),
			 .payload = &flt };

	assert_int_equal(stream_control(&f->s, &m), 0);
}

/* A new selection from the ui makes no dump: however many arrive, only the
 * next periodic dump shows them. */
static void test_filter_makes_no_dump(void **state)
{
	struct fixture *f = *state;
	int i;

	open_stream(f);
	assert_int_equal(stream_hello(&f->s, 1000), 0);
	assert_int_equal(ui_next(f, NULL), MSG_HELLO);
	assert_int_equal(stream_dump(&f->s, DUMP_PERIODIC), 0);
	assert_int_equal(ui_dump(f), DUMP_PERIODIC);
	for (i = 0; i < 20; i++)
		send_filter(f, i % 2 ? SEL_ALL & ~SEL_LOOPBACK :
			    SEL_IPV4 | SEL_IPV6 | SEL_UDP);
	assert_int_equal(ui_next(f, NULL), 0);
	assert_int_equal(f->s.seq, 1);
	assert_int_equal(stream_dump(&f->s, DUMP_PERIODIC), 0);
	assert_int_equal(ui_dump(f), DUMP_PERIODIC);
	assert_int_equal(ui_next(f, NULL), 0);
}

static void send_refresh(struct fixture *f, uint32_t flags)
{
	struct {
		struct msg_refresh h;
		struct flow_key k;
	} q;
	struct flow_wire w;
	struct msg m = { .type = MSG_CTL_REFRESH, .len = sizeof(q),
			 .payload = &q };

	memset(&q, 0, sizeof(q));
	memset(&w, 0, sizeof(w));
	w.family = FLOW_FAM_IPV4;
	w.l4proto = IPPROTO_TCP;
	w.id = 7;
	w.sport = 40000;
	w.dport = 80;
	w.src[0] = w.dst[0] = 10;
	flow_key_of(&w, &q.k);
	q.h.flags = flags;
	assert_int_equal(stream_control(&f->s, &m), 0);
}

/* What the screen says it needs sets the sweeps' budget, whether or not
 * the request is answered: the burst limit drops the lookups past
 * STREAM_REFRESH_BURST an interval, never the flags. An entry the kernel
 * does not hold sends nothing, no dump mark either. */
static void test_refresh_needs(void **state)
{
	static const struct {
		uint32_t flags;
		int need;
	} cases[] = {
		{ 0, STREAM_NEED_ROWS },
		{ REFRESH_F_ORDER, STREAM_NEED_ORDER },
		{ REFRESH_F_ALL, STREAM_NEED_ALL },
		{ REFRESH_F_ALL | REFRESH_F_ORDER, STREAM_NEED_ALL },
	};
	struct fixture *f = *state;

	open_stream(f);
	/* Before the stream starts there is no interval to count in: no
	 * refresh is answered, whatever the rate. */
	send_refresh(f, 0);
	assert_int_equal(f->s.refreshes, 0);
	assert_int_equal(f->s.refresh_dropped, 1);
	assert_int_equal(stream_hello(&f->s, 60000), 0);
	assert_int_equal(ui_next(f, NULL), MSG_HELLO);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
			send_refresh(f, cases[i].flags);
			assert_int_equal(f->s.need, cases[i].need);
		}
	assert_int_equal(f->s.refreshes, STREAM_REFRESH_BURST);
	assert_int_equal(f->s.refresh_dropped,
			 1 + 3 * ARRAY_LEN(cases) - STREAM_REFRESH_BURST);
	assert_int_equal(ui_next(f, NULL), 0);
}

/* n UDP entries in the kernel's table, made over ctnetlink. */
static void kernel_fill(unsigned n)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);

	assert_non_null(h);
	for (unsigned i = 0; i < n; i++) {
		struct nf_conntrack *ct = nfct_new();

		assert_non_null(ct);
		nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
		nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC,
				  htonl(0x0a090000u + i + 1));
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, htonl(0x0a080001u));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(1024));
		nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(53));
		nfct_set_attr_u32(ct, ATTR_TIMEOUT, 300);
		nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
		assert_int_equal(nfct_query(h, NFCT_Q_CREATE, ct), 0);
		nfct_destroy(ct);
	}
	nfct_close(h);
}

/* Events the kernel dropped, found while a dump read them between its
 * batches, make a resync due: the next call makes it, as a DUMP_RESYNC,
 * counted; a dump that lost nothing makes none due. */
static void test_lost_during_dump(void **state)
{
	struct fixture *f = *state;
	int small = 1024;

	open_stream(f);
	assert_int_equal(stream_hello(&f->s, 1000), 0);
	assert_int_equal(ui_next(f, NULL), MSG_HELLO);
	assert_int_equal(setsockopt(ct_event_fd(f->ct), SOL_SOCKET, SO_RCVBUF,
				    &small, sizeof(small)), 0);
	kernel_fill(600);
	assert_int_equal(stream_dump(&f->s, DUMP_PERIODIC), 0);
	assert_int_equal(ui_dump(f), DUMP_PERIODIC);
	assert_true(stream_resync_due(&f->s));
	assert_int_equal(stream_resync(&f->s), 0);
	assert_int_equal(ui_dump(f), DUMP_RESYNC);
	assert_int_equal(f->s.resyncs, 1);
	assert_false(stream_resync_due(&f->s));
	assert_int_equal(ui_next(f, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_filter_makes_no_dump,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_needs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_during_dump,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
