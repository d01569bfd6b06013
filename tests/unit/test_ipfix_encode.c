/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the exporter's encoding and sending (ipfix/ix_model.c,
 * ix_enc.c, ix_out.c, ix_conn.c) over real loopback sockets: what a
 * collector receives, read back with libfixbuf's own collecting side,
 * is what was put in, v4 and v6, strings, reverse counters, flowEndReason,
 * tcpControlBits; the templates are as documented; and what can't be
 * sent (a refused UDP port, a TCP collector gone or too slow) is counted,
 * never sent as a broken stream. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/ix_url.h"
#include "ipfix/ix_conn.h"
#include "ipfix/ix_enc.h"
#include "ipfix/ix_out.h"
#include "tests/unit/ix_test.h"

#define NREC 300

/* A sending side: the socket, the counts, the encoder. */
struct side {
	struct ix_out out;
	struct ix_enc *enc;
	size_t max_len;         /* the longest message sent */
};

/* The sink in front of ix_out, noting sizes. */
static void side_sink(void *arg, const uint8_t *msg, size_t len,
		      unsigned records)
{
	struct side *s = arg;

	if (len > s->max_len)
		s->max_len = len;
	ix_out_send(&s->out, msg, len, records);
}

static void side_open(struct side *s, const char *url)
{
	struct ix_url u;
	const char *why;
	char err[300];
	int fd;

	memset(s, 0, sizeof(*s));
	assert_int_equal(ix_url_parse(url, &u, &why), 0);
	fd = ix_conn_open(&u, -1, err, sizeof(err));
	if (fd < 0)
		fail_msg("%s", err);
	assert_int_equal(ix_out_init(&s->out, fd, u.proto == IX_TCP), 0);
	s->enc = ix_enc_new(u.proto == IX_TCP ? IX_MTU_TCP : IX_MTU_UDP,
			    side_sink, s, err, sizeof(err));
	if (!s->enc)
		fail_msg("%s", err);
}

static void side_close(struct side *s)
{
	ix_enc_free(s->enc);
	close(s->out.fd);
	ix_out_free(&s->out);
}

/* Record i as the tests write it: families mixed, in runs. */
static void sample(struct ix_trec *t, unsigned i)
{
	ix_trec_sample(t, (i / 3) % 2 ? 6 : 4, i);
}

static void add(struct side *s, unsigned i)
{
	struct ix_trec t;
	struct ix_tmsg m;
	const char *strings;
	struct ix_rec r;

	/* through a real ui message, so the strings lie as they will */
	sample(&t, i);
	ix_tmsg_init(&m);
	ix_tmsg_add(&m, &t);
	ix_msg_rec(m.buf, sizeof(struct ix_msg_head), &r, &strings);
	if (ix_enc_add(s->enc, &r, strings) < 0)
		fail_msg("%s", ix_enc_error(s->enc));
}

static void send_records(struct side *s, unsigned n, unsigned flush_every)
{
	assert_int_equal(ix_enc_templates(s->enc), 0);
	for (unsigned i = 0; i < n; i++) {
		add(s, i);
		if (flush_every && (i + 1) % flush_every == 0)
			assert_int_equal(ix_enc_flush(s->enc), 0);
	}
	assert_int_equal(ix_enc_flush(s->enc), 0);
}

static void assert_all(const struct ix_dec *d, unsigned n)
{
	struct ix_trec t;

	assert_int_equal(d->n, n);
	for (unsigned i = 0; i < n; i++) {
		sample(&t, i);
		ix_assert_rec(&d->rec[i], &t);
	}
	assert_int_equal(d->seq_gaps, 0);
}

/* ---- the templates -------------------------------------------------------- */

struct capture {
	uint8_t msg[8192];
	size_t len;
	unsigned calls, records[8];
};

static void capture_sink(void *arg, const uint8_t *msg, size_t len,
			 unsigned records)
{
	struct capture *c = arg;

	assert_true(len <= sizeof(c->msg));
	memcpy(c->msg, msg, len);
	c->len = len;
	if (c->calls < 8)
		c->records[c->calls] = records;
	c->calls++;
}

#define PEN_REV 29305u
#define PEN_FT 32473u

static const struct ix_tfield v4_fields[] = {
	{ 0, 152, 8 }, { 0, 153, 8 }, { 0, 1, 8 }, { 0, 2, 8 },
	{ PEN_REV, 1, 8 }, { PEN_REV, 2, 8 }, { 0, 8, 4 }, { 0, 12, 4 },
	{ PEN_FT, 102, 4 }, { PEN_FT, 106, 4 }, { 0, 7, 2 }, { 0, 11, 2 },
	{ 0, 6, 1 }, { 0, 4, 1 }, { 0, 136, 1 },
	{ PEN_FT, 101, 65535 }, { PEN_FT, 103, 65535 },
	{ PEN_FT, 104, 65535 }, { PEN_FT, 105, 65535 },
};

static void assert_fields(const struct ix_tfield *got, size_t n,
			  const struct ix_tfield *want, size_t wn)
{
	assert_int_equal(n, wn);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got[i].pen, want[i].pen);
		assert_int_equal(got[i].id, want[i].id);
		assert_int_equal(got[i].len, want[i].len);
	}
}

/* Both templates in one message of their own, element by element:
 * tcpControlBits of length 1, no reverse element but the two counters,
 * flowtop's own under its PEN, no padding. */
static void test_templates(void **state)
{
	struct ix_tfield v6[sizeof(v4_fields) / sizeof(v4_fields[0])];
	struct ix_tfield got[32];
	struct capture c = { .len = 0 };
	char err[256];
	struct ix_enc *e = ix_enc_new(IX_MTU_UDP, capture_sink, &c, err,
				      sizeof(err));
	size_t n;

	(void)state;
	assert_non_null(e);
	assert_int_equal(ix_enc_templates(e), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.records[0], 0);
	n = ix_template_fields(c.msg, c.len, IX_TID_V4, got, 32);
	assert_fields(got, n, v4_fields, sizeof(v4_fields) / sizeof(v4_fields[0]));
	memcpy(v6, v4_fields, sizeof(v6));
	v6[6] = (struct ix_tfield){ 0, 27, 16 };
	v6[7] = (struct ix_tfield){ 0, 28, 16 };
	n = ix_template_fields(c.msg, c.len, IX_TID_V6, got, 32);
	assert_fields(got, n, v6, sizeof(v6) / sizeof(v6[0]));
	assert_int_equal(ix_template_fields(c.msg, c.len, IX_TID_INT, got, 32),
			 0);
	ix_enc_free(e);
}

/* A refresh completes the open data message first; templates go alone;
 * a flush with nothing open sends nothing. */
static void test_template_refresh(void **state)
{
	struct capture c = { .len = 0 };
	struct ix_trec t;
	struct ix_tmsg m;
	const char *s;
	struct ix_rec r;
	char err[256];
	struct ix_enc *e = ix_enc_new(IX_MTU_UDP, capture_sink, &c, err,
				      sizeof(err));

	(void)state;
	assert_non_null(e);
	assert_int_equal(ix_enc_templates(e), 0);
	for (unsigned i = 0; i < 3; i++) {
		ix_trec_sample(&t, 4, i);
		ix_tmsg_init(&m);
		ix_tmsg_add(&m, &t);
		ix_msg_rec(m.buf, sizeof(struct ix_msg_head), &r, &s);
		assert_int_equal(ix_enc_add(e, &r, s), 0);
	}
	assert_int_equal(c.calls, 1);
	assert_int_equal(ix_enc_templates(e), 0);
	assert_int_equal(c.calls, 3);
	assert_int_equal(c.records[1], 3);
	assert_int_equal(c.records[2], 0);
	assert_true(ix_template_fields(c.msg, c.len, IX_TID_V4,
				       (struct ix_tfield[32]){ { 0 } }, 32) > 0);
	assert_int_equal(ix_enc_flush(e), 0);
	assert_int_equal(c.calls, 3);
	ix_enc_free(e);
}

/* ---- UDP -------------------------------------------------------------- */

static void test_udp_roundtrip(void **state)
{
	char url[64];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct side s;
	struct ix_dec d;
	struct ix_stats st;
	size_t msgs;

	(void)state;
	side_open(&s, url);
	send_records(&s, NREC, 50);
	ix_dec_init(&d);
	msgs = ix_collect_udp(rx, &d, 200);
	assert_all(&d, NREC);
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.kind, IX_STATS);
	assert_int_equal(st.sent, NREC);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.messages, msgs);
	assert_true(msgs > 1 + NREC / 50);      /* 1420 bytes fill up */
	assert_true(s.max_len <= IX_MTU_UDP);
	ix_dec_free(&d);
	side_close(&s);
	close(rx);
}

/* The largest record there is fits a datagram, many of them in turn. */
static void test_udp_largest(void **state)
{
	char comm[IX_COMM_MAX + 1], user[IX_USER_MAX + 1];
	char unit[IX_UNIT_MAX + 1], ctr[IX_CONTAINER_MAX + 1], url[64];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct ix_trec t;
	struct ix_tmsg m;
	struct ix_dec d;
	struct side s;
	const char *str;
	struct ix_rec r;

	(void)state;
	memset(comm, 'c', sizeof(comm) - 1);
	memset(user, 'u', sizeof(user) - 1);
	memset(unit, 'n', sizeof(unit) - 1);
	memset(ctr, 'k', sizeof(ctr) - 1);
	comm[IX_COMM_MAX] = user[IX_USER_MAX] = '\0';
	unit[IX_UNIT_MAX] = ctr[IX_CONTAINER_MAX] = '\0';
	ix_trec_sample(&t, 6, 1);
	t.comm = comm;
	t.user = user;
	t.unit = unit;
	t.container = ctr;
	ix_tmsg_init(&m);
	ix_tmsg_add(&m, &t);
	ix_msg_rec(m.buf, sizeof(struct ix_msg_head), &r, &str);
	side_open(&s, url);
	assert_int_equal(ix_enc_templates(s.enc), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(ix_enc_add(s.enc, &r, str), 0);
	assert_int_equal(ix_enc_flush(s.enc), 0);
	ix_dec_init(&d);
	ix_collect_udp(rx, &d, 200);
	assert_int_equal(d.n, 20);
	for (int i = 0; i < 20; i++)
		ix_assert_rec(&d.rec[i], &t);
	assert_true(s.max_len <= IX_MTU_UDP);
	ix_dec_free(&d);
	side_close(&s);
	close(rx);
}

/* A closed port: the kernel says ECONNREFUSED on the send after each
 * datagram, so each message but the last is counted as refused. */
static void test_udp_refused(void **state)
{
	char url[64], why[200];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct side s;
	struct ix_stats st;

	(void)state;
	side_open(&s, url);
	close(rx);
	assert_int_equal(ix_enc_templates(s.enc), 0);
	for (unsigned i = 0; i < 3; i++) {
		usleep(20000);          /* the ICMP error's time to come back */
		add(&s, i);
		add(&s, i + 10);
		assert_int_equal(ix_enc_flush(s.enc), 0);
	}
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.sent + st.dropped, 6);
	assert_int_equal(st.dropped, 4);
	assert_int_equal(s.out.dropped[IX_DROP_REFUSED], 4);
	assert_int_equal(st.lost, 0);
	assert_string_equal(ix_out_why(&s.out, why, sizeof(why)),
			    "the collector refused them");
	side_close(&s);
}

/* ---- TCP -------------------------------------------------------------- */

static int tcp_accept(int ls)
{
	int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* A TCP collector on *ls and the sender connected to it: the
 * collector's end. small > 0: both ends' buffers that small, so that
 * the sender meets a full socket soon. */
static int tcp_pair(struct side *s, int *ls, int small)
{
	char url[64];

	*ls = ix_loopback(SOCK_STREAM, url, sizeof(url));
	if (small)
		setsockopt(*ls, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	side_open(s, url);
	if (small)
		setsockopt(s->out.fd, SOL_SOCKET, SO_SNDBUF, &small,
			   sizeof(small));
	return tcp_accept(*ls);
}

static void test_tcp_roundtrip(void **state)
{
	struct side s;
	struct ix_dec d;
	struct ix_stats st;
	size_t msgs;
	int ls, rx;

	(void)state;
	rx = tcp_pair(&s, &ls, 0);
	send_records(&s, NREC, 0);
	assert_false(ix_out_pending(&s.out));
	shutdown(s.out.fd, SHUT_WR);
	ix_dec_init(&d);
	msgs = ix_collect_tcp(rx, &d, 200);
	assert_all(&d, NREC);
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.sent, NREC);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.messages, msgs);
	assert_true(s.max_len <= IX_MTU_TCP && s.max_len > IX_MTU_UDP);
	ix_dec_free(&d);
	side_close(&s);
	close(rx);
	close(ls);
}

/* The collector resets the connection: lost for good, every record from
 * then on dropped, and said so. */
static void test_tcp_lost(void **state)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd p;
	char why[200];
	struct side s;
	struct ix_stats st;
	int ls, rx;

	(void)state;
	rx = tcp_pair(&s, &ls, 0);
	assert_int_equal(setsockopt(rx, SOL_SOCKET, SO_LINGER, &now,
				    sizeof(now)), 0);
	close(rx);
	p = (struct pollfd){ .fd = s.out.fd, .events = POLLRDHUP };
	assert_int_equal(poll(&p, 1, 1000), 1);
	send_records(&s, 10, 5);
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.dropped, 10);
	assert_int_equal(s.out.dropped[IX_DROP_LOST], 10);
	assert_false(ix_out_pending(&s.out));
	assert_string_equal(ix_out_why(&s.out, why, sizeof(why)),
			    "the connection was lost: Connection reset by peer");
	side_close(&s);
	close(ls);
}

/* ix_out_closed: the collector closed it while nothing was sent. */
static void test_tcp_closed(void **state)
{
	char why[200];
	struct side s;
	int ls;

	(void)state;
	close(tcp_pair(&s, &ls, 0));
	ix_out_closed(&s.out);
	send_records(&s, 4, 0);
	assert_int_equal(s.out.lost, 1);
	assert_int_equal(s.out.dropped[IX_DROP_LOST], 4);
	assert_string_equal(ix_out_why(&s.out, why, sizeof(why)),
			    "the connection was lost");
	side_close(&s);
	close(ls);
}

/* Pull what the collector's socket holds while the sender finishes what
 * waits. */
static size_t tcp_pump(struct side *s, int rx, uint8_t *buf, size_t cap,
		       size_t len)
{
	for (int idle = 0; idle < 50;) {
		ssize_t n = recv(rx, buf + len, cap - len, MSG_DONTWAIT);

		if (n > 0) {
			len += (size_t)n;
			idle = 0;
		} else {
			usleep(1000);
			idle++;
		}
		ix_out_write(&s->out);
		if (!ix_out_pending(&s->out) && n <= 0)
			break;
	}
	return len;
}

/* libfixbuf's collecting side says so when the numbering jumps: here
 * that is the point, not news. */
static void quiet(const gchar *domain, GLogLevelFlags level,
		  const gchar *msg, gpointer seen)
{
	(void)domain;
	(void)level;
	if (strstr(msg, "out of sequence"))
		(*(int *)seen)++;
	else
		fprintf(stderr, "%s\n", msg);
}

/* A collector that does not read: past IX_PEND_LIMIT waiting, whole
 * messages are dropped, and what was queued still arrives whole, in
 * order, once it reads: the stream never carries half a message. */
static void test_tcp_slow(void **state)
{
	const unsigned n = 40000;
	size_t cap = 16u << 20, len = 0;
	unsigned handler;
	int seen = 0;
	uint8_t *buf = malloc(cap);
	char why[200];
	struct side s;
	struct ix_dec d;
	struct ix_stats st;
	int ls, rx;

	(void)state;
	assert_non_null(buf);
	rx = tcp_pair(&s, &ls, 4096);
	send_records(&s, n, 100);
	assert_true(ix_out_pending(&s.out));
	assert_true(s.out.dropped[IX_DROP_SLOW] > 0);
	assert_true(s.out.tail - s.out.head <= IX_PEND_LIMIT + IX_MTU_TCP);
	len = tcp_pump(&s, rx, buf, cap, len);
	assert_false(ix_out_pending(&s.out));
	/* what follows the drops goes, with a gap in the numbering */
	for (unsigned i = 0; i < 10; i++)
		add(&s, i);
	assert_int_equal(ix_enc_flush(s.enc), 0);
	len = tcp_pump(&s, rx, buf, cap, len);
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.sent + st.dropped, n + 10);
	assert_int_equal(st.lost, 0);
	ix_dec_init(&d);
	handler = g_log_set_handler(NULL, G_LOG_LEVEL_WARNING, quiet, &seen);
	ix_dec_stream(&d, buf, len);
	g_log_remove_handler(NULL, handler);
	assert_int_equal(d.n, st.sent);
	assert_true(d.seq_gaps > 0);    /* the collector sees the gap */
	assert_true(seen > 0);
	assert_string_equal(ix_out_why(&s.out, why, sizeof(why)),
			    "the collector is slow");
	ix_dec_free(&d);
	side_close(&s);
	close(rx);
	close(ls);
	free(buf);
}

/* At the end a collector that does not read is given ms, then what
 * waits is dropped. */
static void test_tcp_drain_gives_up(void **state)
{
	struct side s;
	struct ix_stats st;
	uint64_t t0;
	int ls, rx;

	(void)state;
	rx = tcp_pair(&s, &ls, 4096);
	send_records(&s, 3000, 100);
	assert_true(ix_out_pending(&s.out));
	t0 = clock_mono_ms();
	ix_out_drain(&s.out, 300);
	assert_true(clock_mono_ms() - t0 >= 290);
	assert_false(ix_out_pending(&s.out));
	ix_out_stats(&s.out, &st);
	assert_int_equal(st.sent + st.dropped, 3000);
	assert_true(s.out.dropped[IX_DROP_SLOW] > 0);
	side_close(&s);
	close(rx);
	close(ls);
}

/* ---- connecting --------------------------------------------------------- */

static void test_connect_refused(void **state)
{
	char url[64], err[300], want[400];
	int ls = ix_loopback(SOCK_STREAM, url, sizeof(url));
	struct ix_url u;
	const char *why;

	(void)state;
	close(ls);
	assert_int_equal(ix_url_parse(url, &u, &why), 0);
	assert_int_equal(ix_conn_open(&u, -1, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: Connection refused", url);
	assert_string_equal(err, want);
}

/* A listener whose queue is full drops the SYN: the connect is given up
 * after IX_CONNECT_MS. */
static void test_connect_timeout(void **state)
{
	char url[64], err[300], want[400];
	int ls = ix_loopback(SOCK_STREAM, url, sizeof(url));
	struct ix_url u;
	const char *why;
	uint64_t t0, took;
	int first;

	(void)state;
	assert_int_equal(listen(ls, 0), 0);
	assert_int_equal(ix_url_parse(url, &u, &why), 0);
	first = ix_conn_open(&u, -1, err, sizeof(err));
	assert_true(first >= 0);
	t0 = clock_mono_ms();
	assert_int_equal(ix_conn_open(&u, -1, err, sizeof(err)), -1);
	took = clock_mono_ms() - t0;
	snprintf(want, sizeof(want), "%s: no answer within 3 s", url);
	assert_string_equal(err, want);
	assert_true(took >= IX_CONNECT_MS - 50 && took < IX_CONNECT_MS + 500);
	close(first);
	close(ls);
}

/* The socket lands on the descriptor asked for, close-on-exec. */
static void test_connect_moves(void **state)
{
	char url[64], err[300];
	int rx = ix_loopback(SOCK_DGRAM, url, sizeof(url));
	struct ix_url u;
	const char *why;
	int type;
	socklen_t tlen = sizeof(type);

	(void)state;
	assert_int_equal(ix_url_parse(url, &u, &why), 0);
	assert_int_equal(ix_conn_open(&u, 77, err, sizeof(err)), 77);
	assert_int_equal(getsockopt(77, SOL_SOCKET, SO_TYPE, &type, &tlen), 0);
	assert_int_equal(type, SOCK_DGRAM);
	assert_int_equal(fcntl(77, F_GETFD), FD_CLOEXEC);
	close(77);
	close(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_template_refresh),
		cmocka_unit_test(test_udp_roundtrip),
		cmocka_unit_test(test_udp_largest),
		cmocka_unit_test(test_udp_refused),
		cmocka_unit_test(test_tcp_roundtrip),
		cmocka_unit_test(test_tcp_lost),
		cmocka_unit_test(test_tcp_closed),
		cmocka_unit_test(test_tcp_slow),
		cmocka_unit_test(test_tcp_drain_gives_up),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_connect_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
