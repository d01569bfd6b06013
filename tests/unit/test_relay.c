/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of privsep/relay.c: a child's stderr split into lines,
 * attributed to the child, escaped, cut and bounded on its way to its
 * parent's stderr. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "privsep/relay.h"

/* The relay writes to the write end of out[]; got() reads it back. */
static int out[2];
static char text[1 << 16];

static int setup(void **state)
{
	(void)state;
	if (pipe2(out, O_NONBLOCK) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(out[0]);
	close(out[1]);
	return 0;
}

static const char *got(void)
{
	ssize_t n = read(out[0], text, sizeof(text) - 1);

	text[n > 0 ? n : 0] = '\0';
	return text;
}

static void feed(struct relay *r, const char *s, uint64_t now)
{
	relay_input(r, s, strlen(s), now);
}

static void test_own_line_as_is(void **state)
{
	struct relay r;

	(void)state;
	relay_init(&r, -1, out[1], "resolver", 0);
	feed(&r, "flowtop: resolver: real\n", 0);
	assert_string_equal(got(), "flowtop: resolver: real\n");
}

/* A child speaks for itself only: a line that names another role, or
 * none (the parent's own words), is put behind the child's name. */
static void test_posing_attributed(void **state)
{
	struct relay r;

	(void)state;
	relay_init(&r, -1, out[1], "resolver", 0);
	feed(&r, "flowtop: collector: fake\n", 0);
	assert_string_equal(got(), "flowtop: resolver: collector: fake\n");
	feed(&r, "flowtop: resolver: real\n", 0);
	assert_string_equal(got(), "flowtop: resolver: real\n");
	/* The parent's words: "flowtop: " and no role. */
	feed(&r, "flowtop: ui killed by seccomp: syscall ptrace\n", 0);
	assert_string_equal(got(), "flowtop: resolver: ui killed by seccomp: "
			    "syscall ptrace\n");
	feed(&r, "flowtop: no reverse DNS: why\n", 0);
	assert_string_equal(got(), "flowtop: resolver: no reverse DNS: why\n");
	/* Its name must be followed by ": " to be its own. */
	feed(&r, "flowtop: resolverx: y\nflowtop: resolver:z\n"
	     "flowtop: resolver:\n", 0);
	assert_string_equal(got(), "flowtop: resolver: resolverx: y\n"
			    "flowtop: resolver: resolver:z\n"
			    "flowtop: resolver: resolver:\n");
	/* A posing line is escaped as any other. */
	feed(&r, "flowtop: ui: \033[2J\n", 0);
	assert_string_equal(got(), "flowtop: resolver: ui: \\x1b[2J\n");
	/* Another child's own line is not this one's. */
	relay_init(&r, -1, out[1], "ui", 0);
	feed(&r, "flowtop: resolver: real\nflowtop: ui: mine\n", 0);
	assert_string_equal(got(), "flowtop: ui: resolver: real\n"
			    "flowtop: ui: mine\n");
}

static void test_other_line_prefixed(void **state)
{
	struct relay r;

	(void)state;
	relay_init(&r, -1, out[1], "resolver", 0);
	feed(&r, "*** stack smashing detected ***\nflowtop:x\n", 0);
	assert_string_equal(got(), "flowtop: resolver: *** stack smashing "
			    "detected ***\nflowtop: resolver: flowtop:x\n");
}

static void test_escaped(void **state)
{
	struct relay r;

	(void)state;
	relay_init(&r, -1, out[1], "ui", 0);
	feed(&r, "flowtop: ui: \033]0;t\007\033[2J\r\xc2\x9b" "1m\xe2\x80\xae\n", 0);
	assert_string_equal(got(), "flowtop: ui: \\x1b]0;t\\x07\\x1b[2J\\x0d"
			    "\\xc2\\x9b1m\\xe2\\x80\\xae\n");
	relay_input(&r, "a\0b\n", 4, 0);
	assert_string_equal(got(), "flowtop: ui: a\\x00b\n");
}

static void test_split_reads(void **state)
{
	struct relay r;

	(void)state;
	relay_init(&r, -1, out[1], "ui", 0);
	feed(&r, "flowt", 0);
	assert_string_equal(got(), "");
	feed(&r, "op: ui: a\nflow", 0);
	assert_string_equal(got(), "flowtop: ui: a\n");
	feed(&r, "top: ui", 0);
	assert_string_equal(got(), "");
	feed(&r, ": b\n\n\n", 0);
	assert_string_equal(got(), "flowtop: ui: b\n");   /* empty lines: nothing */
}

static void test_long_line_cut(void **state)
{
	char in[3 * RELAY_LINE_MAX + 2], want[RELAY_LINE_MAX + 64];
	struct relay r;

	(void)state;
	memset(in, 'A', sizeof(in) - 2);
	in[sizeof(in) - 2] = '\n';
	in[sizeof(in) - 1] = '\0';
	relay_init(&r, -1, out[1], "ui", 0);
	feed(&r, in, 0);
	snprintf(want, sizeof(want), "flowtop: ui: %.*s [cut]\n",
		 RELAY_LINE_MAX, in);
	assert_string_equal(got(), want);
	/* The next line starts afresh. */
	feed(&r, "flowtop: ui: next\n", 0);
	assert_string_equal(got(), "flowtop: ui: next\n");
}

static unsigned count_lines(const char *s, const char *prefix)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, prefix)); p++)
		n++;
	return n;
}

static void test_budget(void **state)
{
	struct relay r;
	char line[64];

	(void)state;
	relay_init(&r, -1, out[1], "resolver", 1000);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "flowtop: resolver: flood %d\n", i);
		feed(&r, line, 1000);
	}
	assert_int_equal(count_lines(got(), "flowtop: resolver: flood "),
			 RELAY_BURST);
	assert_int_equal(r.dropped, 100 - RELAY_BURST);
	/* A second later RELAY_PER_SEC lines may pass; the count is said
	 * first. */
	for (int i = 0; i < 2 * RELAY_PER_SEC; i++)
		feed(&r, "flowtop: resolver: later\n", 2000);
	assert_int_equal(count_lines(text, "later"), 0);
	got();
	assert_non_null(strstr(text, "flowtop: resolver: 60 lines of its "
			       "messages dropped (more than 10 a second)\n"
			       "flowtop: resolver: later\n"));
	assert_int_equal(count_lines(text, "flowtop: resolver: later"),
			 RELAY_PER_SEC);
	/* The credit never grows past the burst. */
	for (int i = 0; i < 100; i++)
		feed(&r, "flowtop: resolver: much later\n", 1000000);
	assert_int_equal(count_lines(got(), "flowtop: resolver: much later"),
			 RELAY_BURST);
	relay_close(&r);
	assert_non_null(strstr(got(), "flowtop: resolver: 60 lines"));
	assert_int_equal(r.fd, -1);
}

static void test_read_to_end(void **state)
{
	struct relay r;
	int rd, wr;

	(void)state;
	assert_int_equal(relay_pipe(&rd, &wr), 0);
	relay_init(&r, rd, out[1], "fetcher", 0);
	assert_int_equal(relay_read(&r, 0), 1);     /* nothing yet: still open */
	assert_int_equal(write(wr, "flowtop: fetcher: one\nlast words", 32), 32);
	assert_int_equal(relay_read(&r, 0), 1);
	assert_string_equal(got(), "flowtop: fetcher: one\n");
	close(wr);
	/* The end of the pipe says the line left without its newline. */
	assert_int_equal(relay_read(&r, 0), 0);
	assert_string_equal(got(), "flowtop: fetcher: last words\n");
	assert_int_equal(r.fd, -1);
	assert_int_equal(relay_read(&r, 0), 0);
}

static void test_drain(void **state)
{
	char big[3 * RELAY_READ_MAX];
	struct relay r;
	int rd, wr;

	(void)state;
	assert_int_equal(relay_pipe(&rd, &wr), 0);
	relay_init(&r, rd, out[1], "validator", 0);
	/* More than one read's worth, then the child is gone. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(write(wr, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(write(wr, "flowtop: validator: bye", 23), 23);
	close(wr);
	relay_drain(&r, 0);
	got();
	assert_non_null(strstr(text, " [cut]\nflowtop: validator: bye\n"));
	assert_int_equal(r.fd, -1);
}

static void test_drain_writer_left(void **state)
{
	struct relay r;
	int rd, wr;

	(void)state;
	assert_int_equal(relay_pipe(&rd, &wr), 0);
	relay_init(&r, rd, out[1], "ui", 0);
	assert_int_equal(write(wr, "flowtop: x\n", 11), 11);
	/* A writer still open: drain takes what is there and gives up. */
	relay_drain(&r, 0);
	assert_string_equal(got(), "flowtop: ui: x\n");
	assert_int_equal(r.fd, -1);
	close(wr);
}

static void test_wait(void **state)
{
	struct relay r;
	int rd, wr, ch[2];

	(void)state;
	assert_int_equal(relay_pipe(&rd, &wr), 0);
	assert_int_equal(pipe(ch), 0);
	relay_init(&r, rd, out[1], "fetcher", 0);
	assert_int_equal(write(wr, "flowtop: fetcher: waiting\n", 26), 26);
	/* Nothing on the channel: times out, having relayed the line. */
	assert_int_equal(relay_wait(&r, ch[0], 50), 0);
	assert_string_equal(got(), "flowtop: fetcher: waiting\n");
	assert_int_equal(write(ch[1], "m", 1), 1);
	assert_int_equal(relay_wait(&r, ch[0], -1), 1);
	close(wr);
	relay_close(&r);
	close(ch[0]);
	close(ch[1]);
}

static void test_pending(void **state)
{
	struct relay r;
	int rd, wr;

	(void)state;
	assert_int_equal(relay_pipe(&rd, &wr), 0);
	relay_init(&r, rd, out[1], "resolver", 0);
	relay_pending(&r, 0);                       /* nothing there yet */
	assert_int_equal(r.fd, rd);
	assert_int_equal(write(wr, "flowtop: resolver: a\nflowtop: b\nhalf", 36),
			 36);
	/* What is there is said; the pipe stays open, the half line kept. */
	relay_pending(&r, 0);
	assert_string_equal(got(), "flowtop: resolver: a\nflowtop: resolver: b\n");
	assert_int_equal(r.fd, rd);
	assert_int_equal(write(wr, " line\n", 6), 6);
	relay_pending(&r, 0);
	assert_string_equal(got(), "flowtop: resolver: half line\n");
	close(wr);
	relay_pending(&r, 0);                       /* the end: closed */
	assert_int_equal(r.fd, -1);
}

static void test_hold(void **state)
{
	static struct relay_hold h;
	struct relay a, b;

	(void)state;
	memset(&h, 0, sizeof(h));
	relay_init(&a, -1, out[1], "resolver", 0);
	relay_init(&b, -1, out[1], "ui", 0);
	a.hold = b.hold = &h;
	feed(&a, "flowtop: resolver: before\n", 0);  /* not held yet */
	assert_string_equal(got(), "flowtop: resolver: before\n");
	relay_hold_start(&h);
	feed(&a, "flowtop: resolver: one\n", 0);
	feed(&b, "two\n", 0);
	feed(&a, "flowtop: three\n", 0);
	assert_string_equal(got(), "");
	/* Released in the order the lines came, from both relays. */
	relay_hold_release(&h, out[1]);
	assert_string_equal(got(), "flowtop: resolver: one\nflowtop: ui: two\n"
			    "flowtop: resolver: three\n");
	feed(&b, "flowtop: ui: after\n", 0);        /* written again */
	assert_string_equal(got(), "flowtop: ui: after\n");
	relay_hold_release(&h, out[1]);             /* nothing kept */
	assert_string_equal(got(), "");
}

static void test_hold_full(void **state)
{
	static struct relay_hold h;
	char line[RELAY_LINE_MAX / 2];
	struct relay r;
	size_t kept = 0, n;
	uint64_t t = 0;

	(void)state;
	memset(&h, 0, sizeof(h));
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	relay_init(&r, -1, out[1], "resolver", 0);
	r.hold = &h;
	relay_hold_start(&h);
	/* Lines of 256 bytes with their prefix and newline, a second apart
	 * (the rate bound is not what is tested here). */
	while (kept + sizeof(line) + 19 <= RELAY_HOLD_MAX) {
		relay_input(&r, line, sizeof(line), t += 1000);
		kept += sizeof(line) + 19;
	}
	assert_int_equal(h.len, kept);
	relay_input(&r, line, sizeof(line), t += 1000);  /* does not fit */
	feed(&r, "flowtop: resolver: s\n", t += 1000);  /* would, but is later */
	assert_int_equal(h.len, kept);
	assert_int_equal(h.lost, 2);
	relay_hold_release(&h, out[1]);
	n = strlen(got());
	assert_int_equal(n, kept + strlen("flowtop: 2 lines of the children's "
		"messages dropped while the screen was open\n"));
	assert_non_null(strstr(text, "\nflowtop: 2 lines of the children's "
			       "messages dropped while the screen was open\n"));
	assert_int_equal(h.len, 0);
	assert_int_equal(h.lost, 0);
	assert_int_equal(h.on, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_line_as_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posing_attributed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_line_prefixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_to_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_writer_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_full, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
