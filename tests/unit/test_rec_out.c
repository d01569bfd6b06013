/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for recorder/rec_out.c: --record's file, appended to, rotated
 * by size between whole lines, FILE.1 .. FILE.keep kept; and
 * ui/record.c: which flows get a start, an update, an end. Files live in
 * a temporary directory made and removed here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "recorder/recorder.h"
#include "ui/flow_table.h"
#include "ui/record.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ft-rec-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The contents of dir/name ("" when missing), in a static buffer. */
static const char *slurp(const char *name)
{
	static char buf[65536];
	char path[128];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static void open_at(struct rec_out *r, const char *name, uint64_t limit,
		    unsigned keep)
{
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(rec_open(r, path, limit, keep, err, sizeof(err)), 0);
}

/* An existing file is appended to; lines go in whole; the file is
 * made 0600. */
static void test_append(void **state)
{
	struct rec_out r;
	char path[128], err[256];
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/a", dir);
	f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	open_at(&r, "a", 4096, 2);
	assert_int_equal(rec_put(&r, "one\ntwo\n", 8, err, sizeof(err)), 0);
	rec_close(&r);
	assert_string_equal(slurp("a"), "old\none\ntwo\n");
	open_at(&r, "new", 4096, 2);
	rec_close(&r);
	snprintf(path, sizeof(path), "%s/new", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* Past the limit, FILE moves to FILE.1 between lines; FILE.1 to FILE.2;
 * FILE.keep is the oldest kept. */
static void test_rotate(void **state)
{
	struct rec_out r;
	char err[256], line[16];

	(void)state;
	open_at(&r, "r", 10, 2);        /* 10 bytes: two 5-byte lines */
	for (int i = 0; i < 7; i++) {
		snprintf(line, sizeof(line), "L%03d\n", i);
		assert_int_equal(rec_put(&r, line, 5, err, sizeof(err)), 0);
	}
	rec_close(&r);
	assert_string_equal(slurp("r"), "L006\n");
	assert_string_equal(slurp("r.1"), "L004\nL005\n");
	assert_string_equal(slurp("r.2"), "L002\nL003\n");
	assert_string_equal(slurp("r.3"), "");
	/* Many lines in one write split where the limit falls. */
	open_at(&r, "s", 10, 1);
	assert_int_equal(rec_put(&r, "aaaa\nbbbb\ncccc\n", 15, err,
				 sizeof(err)), 0);
	rec_close(&r);
	assert_string_equal(slurp("s"), "cccc\n");
	assert_string_equal(slurp("s.1"), "aaaa\nbbbb\n");
}

/* A line longer than the limit still goes in, alone in its file. */
static void test_long_line(void **state)
{
	struct rec_out r;
	char err[256];

	(void)state;
	open_at(&r, "l", 4, 1);
	assert_int_equal(rec_put(&r, "ab\n", 3, err, sizeof(err)), 0);
	assert_int_equal(rec_put(&r, "0123456789\n", 11, err, sizeof(err)), 0);
	assert_int_equal(rec_put(&r, "c\n", 2, err, sizeof(err)), 0);
	rec_close(&r);
	assert_string_equal(slurp("l.1"), "0123456789\n");
	assert_string_equal(slurp("l"), "c\n");
}

/* The pump writes whole lines as they come, and drops a last line
 * without its newline. */
static void test_pump(void **state)
{
	struct rec_out r;
	char err[256];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x1\nx2\nhalf", 10), 10);
	close(p[1]);
	open_at(&r, "p", 4096, 1);
	assert_int_equal(rec_pump(&r, p[0], err, sizeof(err)), 0);
	rec_close(&r);
	close(p[0]);
	assert_string_equal(slurp("p"), "x1\nx2\n");
}

/* Names that are no file: refused with the path in the message. */
static void test_refused(void **state)
{
	struct rec_out r;
	char path[128], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/", dir);
	assert_int_equal(rec_open(&r, path, 4096, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a file name"));
	snprintf(path, sizeof(path), "%s/lnk", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(rec_open(&r, path, 4096, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_non_null(strstr(err, path));
	rec_close(&r);
}

/* ---- ui/record.c ---- */

static struct flow_wire flow(uint32_t id, uint16_t sport, uint64_t bytes)
{
	struct flow_wire w;

	memset(&w, 0, sizeof(w));
	w.id = id;
	w.family = FLOW_FAM_IPV4;
	w.l4proto = 6;
	w.src[0] = 10;
	w.dst[0] = 192;
	w.sport = sport;
	w.dport = 80;
	w.orig_bytes = bytes;
	w.event = FLOW_EV_DUMP;
	return w;
}

struct rec_ctx {
	struct record *rc;
	struct print_opts po;
};

static void on_gone(void *ctx, const struct flow_entry *e)
{
	struct rec_ctx *c = ctx;

	assert_int_equal(record_end(c->rc, e, &c->po, 3000000000ull), 0);
}

/* count lines of out with "event":"kind" */
static int count(const char *text, const char *kind)
{
	char key[32];
	int n = 0;

	snprintf(key, sizeof(key), "{\"event\":\"%s\"", kind);
	for (const char *p = text; (p = strstr(p, key)); p++)
		n++;
	return n;
}

/* A flow's start once, an update only when it moved, its end when it
 * leaves; a flow that comes and goes between passes gets both. */
static void test_record_events(void **state)
{
	struct rec_ctx c = { 0 };
	struct flow_table *t = flow_table_new();
	struct flow_wire a = flow(1, 1000, 100), b = flow(2, 2000, 5);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	c.rc = record_new(out);
	flow_table_on_gone(t, on_gone, &c);
	assert_int_equal(flow_table_apply(t, &a, 1, 1), 0);
	assert_int_equal(flow_table_apply(t, &b, 1, 1), 0);
	assert_int_equal(record_pass(c.rc, t, &c.po, 1000000000ull), 0);
	assert_int_equal(count(text, "start"), 2);
	/* a moves, b does not */
	a.orig_bytes = 300;
	assert_int_equal(flow_table_apply(t, &a, 2, 2), 0);
	assert_int_equal(flow_table_apply(t, &b, 2, 2), 0);
	assert_int_equal(record_pass(c.rc, t, &c.po, 2000000000ull), 0);
	assert_int_equal(count(text, "update"), 1);
	assert_non_null(strstr(text, "\"event\":\"update\",\"id\":1,"));
	/* b closes; c comes and goes before a pass */
	b.event = FLOW_EV_DESTROY;
	assert_int_equal(flow_table_apply(t, &b, 3, 2), 0);
	{
		struct flow_wire d = flow(3, 3000, 7);

		assert_int_equal(flow_table_apply(t, &d, 3, 2), 0);
		d.event = FLOW_EV_DESTROY;
		assert_int_equal(flow_table_apply(t, &d, 3, 2), 0);
	}
	assert_int_equal(record_pass(c.rc, t, &c.po, 4000000000ull), 0);
	assert_int_equal(count(text, "start"), 3);
	assert_int_equal(count(text, "end"), 2);
	assert_int_equal(count(text, "update"), 1);
	assert_non_null(strstr(text, "{\"event\":\"start\",\"id\":3,"));
	assert_non_null(strstr(text, "{\"event\":\"end\",\"id\":3,"));
	assert_true(strstr(text, "{\"event\":\"start\",\"id\":3,") <
		    strstr(text, "{\"event\":\"end\",\"id\":3,"));
	flow_table_on_gone(t, NULL, NULL);
	record_free(c.rc);
	fclose(out);
	free(text);
	flow_table_free(t);
}

/* Many flows through the table: the written set grows and shrinks
 * (its deletes keep every other flow findable: no second start). */
static void test_record_churn(void **state)
{
	struct rec_ctx c = { 0 };
	struct flow_table *t = flow_table_new();
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	uint64_t seq = 1;

	(void)state;
	c.rc = record_new(out);
	flow_table_on_gone(t, on_gone, &c);
	for (uint32_t round = 0; round < 20; round++, seq++) {
		for (uint32_t i = 0; i < 500; i++) {
			uint32_t id = round * 250 + i + 1;
			struct flow_wire w = flow(id, (uint16_t)id, 10);

			/* each flow lives two rounds */
			assert_int_equal(flow_table_apply(t, &w, seq, seq), 0);
		}
		flow_table_dump_end(t, seq);
		assert_int_equal(record_pass(c.rc, t, &c.po, seq * 1000), 0);
	}
	flow_table_on_gone(t, NULL, NULL);
	record_free(c.rc);
	fclose(out);
	/* 20 rounds of 250 new flows after the first 500 */
	assert_int_equal(count(text, "start"), 500 + 19 * 250);
	assert_int_equal(count(text, "end"), 19 * 250);
	assert_int_equal(count(text, "update"), 0);
	free(text);
	flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_rotate),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_pump),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_record_events),
		cmocka_unit_test(test_record_churn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
