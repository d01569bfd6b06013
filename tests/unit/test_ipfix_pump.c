/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ipfix/ix_pump.c, the exporter's loop, driven as the ui
 * drives it: IX_RECORDS messages on a SOCK_SEQPACKET pair, the channel
 * then closed, and the loop run to its end against a real loopback
 * collector. What arrives is every record, the templates first; the last
 * IX_STATS on the channel has the final counts; a bad message ends the
 * loop with its reason; drops are said on stderr in one line. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ix_url.h"
#include "ipfix/ix_conn.h"
#include "ipfix/ix_pump.h"
#include "tests/unit/ix_test.h"

struct rig {
	int ui[2];              /* [0] the test's (the ui), [1] the pump's */
	struct ix_out out;
	struct ix_enc *enc;
	struct ix_pump pump;
};

static void rig_open(struct rig *g, const char *url)
{
	struct ix_url u;
	const char *why;
	char err[300];
	int fd;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
				    0, g->ui), 0);
	assert_int_equal(ix_url_parse(url, &u, &why), 0);
	fd = ix_conn_open(&u, -1, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(ix_out_init(&g->out, fd, u.proto == IX_TCP), 0);
	g->enc = ix_enc_new(u.proto == IX_TCP ? IX_MTU_TCP : IX_MTU_UDP,
			    ix_out_send, &g->out, err, sizeof(err));
	assert_non_null(g->enc);
	assert_int_equal(ix_pump_init(&g->pump, g->ui[1], g->enc, &g->out), 0);
}

static void rig_close(struct rig *g)
{
	ix_pump_free(&g->pump);
	ix_enc_free(g->enc);
	close(g->out.fd);
	ix_out_free(&g->out);
	close(g->ui[0]);
	close(g->ui[1]);
}

/* A TCP collector on *ls and the rig connected to it: the collector's
 * end. */
static int rig_tcp(struct rig *g, int *ls)
{
	char url[64];
	int rx;

	*ls = ix_loopback(SOCK_STREAM, url, sizeof(url));
	rig_open(g, url);
	rx = accept4(*ls, NULL, NULL, SOCK_CLOEXEC);
	assert_true(rx >= 0);
	return rx;
}

/* The ui's side: send m, as the ui does. */
static void ui_send(struct rig *g, const struct ix_tmsg *m)
{
	assert_int_equal(send(g->ui[0], m->buf, m->len, 0), (ssize_t)m->len);
}

/* The last IX_STATS the pump sent; 0 when there was none. */
static int ui_last_stats(struct rig *g, struct ix_stats *s)
{
	struct ix_stats got;
	int n = 0;

	while (recv(g->ui[0], &got, sizeof(got), MSG_DONTWAIT) ==
	       (ssize_t)sizeof(got)) {
		assert_int_equal(got.kind, IX_STATS);
		*s = got;
		n++;
	}
	return n;
}

/* Run the pump to its end with stderr in a file; what it said there. */
static int run_quoted(struct rig *g, char *said, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2), rc;
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), 2) == 2);
	rc = ix_pump_run(&g->pump);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(said, 1, len - 1, f);
	said[n] = '\0';
	fclose(f);
	return rc;
}

/* Three ui messages of mixed families: each message's v4 records leave
 * before its v6 ones, in their order, and nothing is lost. */
static void test_udp_run(void **state)
{
	struct ix_trec t[3][20], *want[60];
	char url[64], said[512];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct ix_stats st;
	struct ix_tmsg m;
	struct ix_dec d;
	struct rig g;
	size_t k = 0, msgs;

	(void)state;
	rig_open(&g, url);
	for (unsigned b = 0; b < 3; b++) {
		ix_tmsg_init(&m);
		for (unsigned i = 0; i < 20; i++) {
			ix_trec_sample(&t[b][i], (i * 7 + b) % 3 ? 4 : 6,
				       b * 20 + i);
			ix_tmsg_add(&m, &t[b][i]);
		}
		ui_send(&g, &m);
		for (uint8_t f = 4; f <= 6; f += 2)
			for (unsigned i = 0; i < 20; i++)
				if (t[b][i].r.family == f)
					want[k++] = &t[b][i];
	}
	shutdown(g.ui[0], SHUT_WR);
	assert_int_equal(run_quoted(&g, said, sizeof(said)), 0);
	assert_string_equal(said, "");
	ix_dec_init(&d);
	msgs = ix_collect_udp(rx, &d, 200);
	assert_int_equal(d.n, 60);
	for (size_t i = 0; i < 60; i++)
		ix_assert_rec(&d.rec[i], want[i]);
	assert_int_equal(d.seq_gaps, 0);
	assert_true(ui_last_stats(&g, &st) >= 1);
	assert_int_equal(st.sent, 60);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.messages, msgs);
	assert_int_equal(st.lost, 0);
	ix_dec_free(&d);
	rig_close(&g);
	close(rx);
}

/* A TCP collector gets the templates once, then the records. */
static void test_tcp_run(void **state)
{
	char said[512];
	struct ix_trec t;
	struct ix_tmsg m;
	struct ix_dec d;
	struct rig g;
	int ls, rx;

	(void)state;
	rx = rig_tcp(&g, &ls);
	ix_tmsg_init(&m);
	for (unsigned i = 0; i < 100; i++) {
		ix_trec_sample(&t, 4, i);
		ix_tmsg_add(&m, &t);
	}
	ui_send(&g, &m);
	shutdown(g.ui[0], SHUT_WR);
	assert_int_equal(run_quoted(&g, said, sizeof(said)), 0);
	assert_string_equal(said, "");
	close(g.out.fd);
	g.out.fd = -1;
	ix_dec_init(&d);
	ix_collect_tcp(rx, &d, 200);
	assert_int_equal(d.n, 100);
	for (unsigned i = 0; i < 100; i++) {
		ix_trec_sample(&t, 4, i);
		ix_assert_rec(&d.rec[i], &t);
	}
	ix_dec_free(&d);
	rig_close(&g);
	close(rx);
	close(ls);
}

/* A message ix_msg_check refuses ends the loop with status 1 and the
 * reason; what came before it went out. */
static void test_bad_message(void **state)
{
	char url[64], said[512];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct ix_trec t;
	struct ix_tmsg m;
	struct ix_dec d;
	struct rig g;

	(void)state;
	rig_open(&g, url);
	ix_tmsg_init(&m);
	ix_trec_sample(&t, 6, 1);
	ix_tmsg_add(&m, &t);
	ui_send(&g, &m);
	ix_tmsg_init(&m);
	ui_send(&g, &m);                /* no records */
	ix_tmsg_init(&m);
	ix_tmsg_add(&m, &t);
	ui_send(&g, &m);                /* never read */
	assert_int_equal(run_quoted(&g, said, sizeof(said)), 1);
	assert_string_equal(said, "flowtop: ipfix: bad message from the ui: "
			    "no records\n");
	ix_dec_init(&d);
	ix_collect_udp(rx, &d, 200);
	assert_int_equal(d.n, 1);
	ix_assert_rec(&d.rec[0], &t);
	ix_dec_free(&d);
	rig_close(&g);
	close(rx);
}

/* Longer than IX_MSG_MAX: refused, not cut to size. */
static void test_long_message(void **state)
{
	char url[64], said[512];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url)), big = 1 << 20;
	struct ix_tmsg *m = malloc(sizeof(*m));
	struct rig g;

	(void)state;
	assert_non_null(m);
	rig_open(&g, url);
	setsockopt(g.ui[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	ix_tmsg_init(m);
	m->len = IX_MSG_MAX + 8;
	ui_send(&g, m);
	assert_int_equal(run_quoted(&g, said, sizeof(said)), 1);
	assert_string_equal(said, "flowtop: ipfix: bad message from the ui: "
			    "longer than 64 KiB\n");
	rig_close(&g);
	close(rx);
	free(m);
}

/* The collector gone before the first record: every record dropped, the
 * ui told the connection is lost, and one line says it all. */
static void test_drops_said(void **state)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };
	char said[512];
	struct pollfd p;
	struct ix_stats st;
	struct ix_trec t;
	struct ix_tmsg m;
	struct rig g;
	int ls, rx;

	(void)state;
	rx = rig_tcp(&g, &ls);
	setsockopt(rx, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
	close(rx);
	p = (struct pollfd){ .fd = g.out.fd, .events = POLLRDHUP };
	assert_int_equal(poll(&p, 1, 1000), 1);
	for (unsigned b = 0; b < 2; b++) {
		ix_tmsg_init(&m);
		for (unsigned i = 0; i < 5; i++) {
			ix_trec_sample(&t, 4, i);
			ix_tmsg_add(&m, &t);
		}
		ui_send(&g, &m);
	}
	shutdown(g.ui[0], SHUT_WR);
	assert_int_equal(run_quoted(&g, said, sizeof(said)), 0);
	assert_string_equal(said, "flowtop: ipfix: 10 of 10 records dropped "
			    "(the connection was lost: Connection reset by "
			    "peer)\n");
	assert_true(ui_last_stats(&g, &st) >= 1);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.dropped, 10);
	assert_int_equal(st.sent, 0);
	rig_close(&g);
	close(ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_run),
		cmocka_unit_test(test_tcp_run),
		cmocka_unit_test(test_bad_message),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_drops_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
