/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of resolver/services.c: the conf and /etc/services parsers,
 * their reports (exact "FILE:LINE: reason" lines), precedence between the
 * files, the protocol tables, and the shipped conf/tcp.conf and udp.conf.
 *
 * Every test works in its own temporary directory; files are written line
 * by line through a helper that numbers the lines and records the report
 * each bad line must produce, so no line number is counted by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "tests/unit/skip.h"

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netinet/in.h>

#include "privsep/lookup_wire.h"
#include "resolver/services.h"

#define MAX_LINES 64

/* Lines reported by svc_load, or expected from it. */
struct lines {
	int n;
	char *line[MAX_LINES];
};

struct fix {
	char dir[64];
	char etc[96];            /* dir/services */
	struct lines got, want;
};

/* A file being written: numbers its lines. */
struct wfile {
	FILE *f;
	char path[128];
	int line;
	struct lines *want;
};

__attribute__((format(printf, 2, 3)))
static void lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	assert_true(l->n < MAX_LINES);
	va_start(ap, fmt);
	assert_true(vasprintf(&l->line[l->n], fmt, ap) >= 0);
	va_end(ap);
	l->n++;
}

static void lines_clear(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

static void collect(void *ctx, const char *line)
{
	lines_add(ctx, "%s", line);
}

/* Prints every report only when they differ from the expected ones. */
static void check_reports(const struct fix *fx)
{
	int same = fx->got.n == fx->want.n;

	for (int i = 0; same && i < fx->got.n; i++)
		same = strcmp(fx->got.line[i], fx->want.line[i]) == 0;
	if (same)
		return;
	for (int i = 0; i < fx->got.n; i++)
		print_message("got:  %s\n", fx->got.line[i]);
	for (int i = 0; i < fx->want.n; i++)
		print_message("want: %s\n", fx->want.line[i]);
	fail_msg("reports differ");
}

/* Files, or the directory a test made in place of one. */
static void rm_entry(int dfd, const char *name)
{
	if (unlinkat(dfd, name, 0) < 0)
		unlinkat(dfd, name, AT_REMOVEDIR);
}

static int setup(void **state)
{
	struct fix *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/test_services.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->etc, sizeof(fx->etc), "%s/services", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fix *fx = *state;
	DIR *d = opendir(fx->dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_entry(dirfd(d), de->d_name);
	if (d)
		closedir(d);
	rmdir(fx->dir);
	lines_clear(&fx->got);
	lines_clear(&fx->want);
	free(fx);
	return 0;
}

static void w_open(struct wfile *w, struct fix *fx, const char *name)
{
	snprintf(w->path, sizeof(w->path), "%s/%s", fx->dir, name);
	w->f = fopen(w->path, "w");
	assert_non_null(w->f);
	w->line = 0;
	w->want = &fx->want;
}

static void w_close(struct wfile *w)
{
	assert_int_equal(fclose(w->f), 0);
}

/* Writes one line (it may hold NUL bytes) and a newline. */
static void w_line(struct wfile *w, const char *s, size_t len)
{
	assert_int_equal(fwrite(s, 1, len, w->f), len);
	assert_int_not_equal(fputc('\n', w->f), EOF);
	w->line++;
}

/* A line that must be reported with reason why. */
static void w_bad(struct wfile *w, const char *s, size_t len, const char *why)
{
	w_line(w, s, len);
	lines_add(w->want, "%s:%d: %s", w->path, w->line, why);
}

#define OK(w, lit) w_line(w, lit, sizeof(lit) - 1)
#define BAD(w, lit, why) w_bad(w, lit, sizeof(lit) - 1, why)

/* A line of exactly len bytes: head, then spaces. */
static void w_padded(struct wfile *w, const char *head, size_t len,
		     const char *why)
{
	char *s = malloc(len);

	assert_non_null(s);
	memset(s, ' ', len);
	memcpy(s, head, strlen(head));
	if (why)
		w_bad(w, s, len, why);
	else
		w_line(w, s, len);
	free(s);
}

/* A whole file of good lines. */
static void w_file(struct fix *fx, const char *name, const char *text)
{
	struct wfile w;

	w_open(&w, fx, name);
	assert_int_not_equal(fputs(text, w.f), EOF);
	w_close(&w);
}

static struct services *load(struct fix *fx)
{
	struct services *s = svc_load(fx->dir, fx->etc, collect, &fx->got);

	assert_non_null(s);
	return s;
}

static void assert_name(const struct services *s, uint8_t proto,
			uint16_t port, const char *want)
{
	const char *got = svc_name(s, proto, port);

	if (!want) {
		if (got)
			fail_msg("%u/%u: want no name, got \"%s\"", proto, port, got);
		return;
	}
	if (!got)
		fail_msg("%u/%u: want \"%s\", got none", proto, port, want);
	assert_string_equal(got, want);
}

#define T IPPROTO_TCP
#define U IPPROTO_UDP

static void test_conf_lines(void **state)
{
	struct fix *fx = *state;
	struct services *s;
	struct wfile w;

	w_open(&w, fx, "tcp.conf");
	OK(&w, "# TCP names for the test");
	OK(&w, "");
	OK(&w, "80, http");
	OK(&w, "  443 ,https  ");
	OK(&w, "\t22,\tssh\t# secure shell");
	OK(&w, "8080, http-alt#no space before the comment");
	OK(&w, "25, smtp\r");
	OK(&w, "    # indented comment");
	OK(&w, "\r");
	OK(&w, "0, zero");
	OK(&w, "65535, top");
	OK(&w, "0100,leading.zeros_ok+/-");
	BAD(&w, "8o, b1", "bad port");
	BAD(&w, "-1, b2", "bad port");
	BAD(&w, "+95, b3", "bad port");
	BAD(&w, "0x50, b4", "bad port");
	BAD(&w, "65536, b5", "port out of range");
	BAD(&w, "99999999999999999999999, b6", "port out of range");
	BAD(&w, "4294967376, wraps-to-80", "port out of range");
	BAD(&w, ", b7", "missing port");
	BAD(&w, "81 b8", "expected ',' after port");
	BAD(&w, "82", "expected ',' after port");
	BAD(&w, "83,", "missing name");
	BAD(&w, "84, # no name", "missing name");
	BAD(&w, "85, abcdefghijklmnopqrstuvwxyz012345", "name too long");
	OK(&w, "86, abcdefghijklmnopqrstuvwxyz01234");
	BAD(&w, "87, ht\x1btp", "bad character in name");
	BAD(&w, "88, a,b", "bad character in name");
	BAD(&w, "89, caf\xc3\xa9", "bad character in name");
	BAD(&w, "90, a\0b", "bad character in name");
	BAD(&w, "91, foo bar", "trailing garbage after name");
	BAD(&w, "92, foo, bar", "bad character in name");
	w_padded(&w, "93, too-long", 1025, "line longer than 1024 bytes");
	w_padded(&w, "94, just-fits", 1024, NULL);
	w_padded(&w, "97, huge", 100000, "line longer than 1024 bytes");
	OK(&w, "95, after-long");
	OK(&w, "80, duplicate");
	assert_true(fputs("96, no-newline", w.f) >= 0);
	w_close(&w);
	w_file(fx, "udp.conf", "53, domain\n");

	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, "http");          /* first wins */
	assert_name(s, T, 443, "https");
	assert_name(s, T, 22, "ssh");
	assert_name(s, T, 8080, "http-alt");
	assert_name(s, T, 25, "smtp");
	assert_name(s, T, 0, "zero");
	assert_name(s, T, 65535, "top");
	assert_name(s, T, 100, "leading.zeros_ok+/-");
	assert_name(s, T, 86, "abcdefghijklmnopqrstuvwxyz01234");
	assert_name(s, T, 94, "just-fits");
	assert_name(s, T, 95, "after-long");
	assert_name(s, T, 96, "no-newline");
	for (uint16_t p = 81; p <= 93; p++)
		if (p != 86)
			assert_name(s, T, p, NULL);
	assert_name(s, T, 97, NULL);
	assert_name(s, T, 1, NULL);
	assert_name(s, T, 50, NULL);
	assert_name(s, U, 80, NULL);            /* tcp.conf is TCP only */
	assert_name(s, U, 53, "domain");
	svc_free(s);
}

static void test_etc_services(void **state)
{
	struct fix *fx = *state;
	struct services *s;
	struct wfile w;

	w_file(fx, "tcp.conf", "# nothing\n");
	w_file(fx, "udp.conf", "");
	w_open(&w, fx, "services");
	OK(&w, "# Network services, Internet style");
	OK(&w, "");
	OK(&w, "http\t\t80/tcp\t\twww www-http\t# WorldWideWeb HTTP");
	OK(&w, "http 80/udp");
	OK(&w, "domain  53/tcp   # Domain Name Server");
	OK(&w, "domain\t53/udp");
	OK(&w, "amqp\t\t5672/sctp");
	OK(&w, "avt-profile-1 5004/dccp");
	OK(&w, "rtmp\t1/ddp\t# AppleTalk: not a protocol flowtop shows");
	OK(&w, "zero 0/tcp");
	OK(&w, "top 65535/udp");
	OK(&w, "http-dup 80/tcp");
	OK(&w, "only-udp 9999/udp aliases #and comment");
	OK(&w, "  indented 7/tcp  ");
	OK(&w, "winlf 9/tcp\r");
	BAD(&w, "lonely", "missing port");
	BAD(&w, "lonely   # comment", "missing port");
	BAD(&w, "x 81", "expected '/protocol' after port");
	BAD(&w, "x 82 /tcp", "expected '/protocol' after port");
	BAD(&w, "x 83/", "missing protocol");
	BAD(&w, "x 8o/tcp", "bad port");
	BAD(&w, "x 70000/tcp", "port out of range");
	BAD(&w, "x\x1b 84/tcp", "bad character in name");
	BAD(&w, "x\x9b[2J 85/tcp", "bad character in name");
	BAD(&w, "abcdefghijklmnopqrstuvwxyz012345 86/tcp", "name too long");
	w_padded(&w, "long 87/tcp", 2000, "line longer than 1024 bytes");
	OK(&w, "after 88/tcp");
	w_close(&w);

	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, "http");
	assert_name(s, U, 80, "http");
	assert_name(s, T, 53, "domain");
	assert_name(s, U, 53, "domain");
	assert_name(s, IPPROTO_UDPLITE, 53, "domain");
	assert_name(s, IPPROTO_SCTP, 5672, "amqp");
	assert_name(s, IPPROTO_DCCP, 5004, "avt-profile-1");
	assert_name(s, T, 5672, NULL);
	assert_name(s, IPPROTO_SCTP, 80, NULL);
	assert_name(s, T, 1, NULL);             /* ddp lines skipped quietly */
	assert_name(s, T, 0, "zero");
	assert_name(s, U, 65535, "top");
	assert_name(s, T, 65535, NULL);
	assert_name(s, U, 9999, "only-udp");
	assert_name(s, IPPROTO_UDPLITE, 9999, "only-udp");
	assert_name(s, T, 9999, NULL);
	assert_name(s, T, 7, "indented");
	assert_name(s, T, 9, "winlf");
	assert_name(s, T, 88, "after");
	for (uint16_t p = 81; p <= 87; p++)
		assert_name(s, T, p, NULL);
	/* A port named alike for TCP and UDP is stored once. */
	assert_ptr_equal(svc_name(s, T, 53), svc_name(s, U, 53));
	svc_free(s);
}

static void test_conf_overrides_etc(void **state)
{
	struct fix *fx = *state;
	struct services *s;

	w_file(fx, "tcp.conf", "80, web\n22, secsh\n5672, amqp-tcp\n");
	w_file(fx, "udp.conf", "53, dns\n");
	w_file(fx, "services",
	       "http 80/tcp\nssh 22/tcp\ndomain 53/tcp\ndomain 53/udp\n"
	       "ntp 123/udp\namqp 5672/sctp\nsmtp 25/tcp\n"
	       "dccp-thing 5004/dccp\n");
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, "web");           /* conf wins */
	assert_name(s, T, 22, "secsh");
	assert_name(s, T, 53, "domain");        /* not in tcp.conf: fallback */
	assert_name(s, T, 25, "smtp");
	assert_name(s, U, 53, "dns");
	assert_name(s, U, 123, "ntp");
	assert_name(s, IPPROTO_UDPLITE, 53, "dns");
	assert_name(s, IPPROTO_UDPLITE, 123, "ntp");
	assert_name(s, T, 5672, "amqp-tcp");
	/* SCTP and DCCP come from /etc/services only. */
	assert_name(s, IPPROTO_SCTP, 5672, "amqp");
	assert_name(s, IPPROTO_DCCP, 5004, "dccp-thing");
	assert_name(s, IPPROTO_SCTP, 80, NULL);
	assert_name(s, IPPROTO_DCCP, 53, NULL);
	svc_free(s);
}

static void test_missing_conf_hint(void **state)
{
	struct fix *fx = *state;
	struct services *s;

	w_file(fx, "services", "http 80/tcp\ndomain 53/udp\n");
	lines_add(&fx->want, "%s/tcp.conf: not found, using %s only",
		  fx->dir, fx->etc);
	lines_add(&fx->want, "%s/udp.conf: not found, using %s only",
		  fx->dir, fx->etc);
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, "http");
	assert_name(s, U, 53, "domain");
	assert_name(s, IPPROTO_UDPLITE, 53, "domain");
	svc_free(s);
}

/* Nothing to read at all still gives a usable, empty set. */
static void test_missing_everything(void **state)
{
	struct fix *fx = *state;
	struct services *s;

	lines_add(&fx->want, "%s/tcp.conf: not found, using %s only",
		  fx->dir, fx->etc);
	lines_add(&fx->want, "%s/udp.conf: not found, using %s only",
		  fx->dir, fx->etc);
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, NULL);
	assert_name(s, U, 53, NULL);
	svc_free(s);

	/* NULL sources are skipped, and so is a NULL report function. */
	s = svc_load(NULL, NULL, NULL, NULL);
	assert_non_null(s);
	assert_name(s, T, 80, NULL);
	svc_free(s);
}

/* Only regular files are read: a directory, a FIFO (which would block the
 * start) or a device each give one report and are skipped. */
static void test_not_regular(void **state)
{
	struct fix *fx = *state;
	struct services *s;
	char path[128];

	snprintf(path, sizeof(path), "%s/tcp.conf", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/udp.conf", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(symlink("/dev/zero", fx->etc), 0);
	lines_add(&fx->want, "%s/tcp.conf: not a regular file, using %s only",
		  fx->dir, fx->etc);
	lines_add(&fx->want, "%s/udp.conf: not a regular file, using %s only",
		  fx->dir, fx->etc);
	lines_add(&fx->want, "%s: not a regular file", fx->etc);
	s = load(fx);
	check_reports(fx);
	assert_name(s, U, 53, NULL);
	svc_free(s);
}

/* A file too big to be a services list is not read: getline would take
 * it whole if it had no newline. Sparse, so the test costs no disk. */
static void test_huge_file(void **state)
{
	struct fix *fx = *state;
	struct services *s;
	char path[128];

	snprintf(path, sizeof(path), "%s/tcp.conf", fx->dir);
	w_file(fx, "tcp.conf", "80, http\n");
	assert_int_equal(truncate(path, (16 << 20) + 1), 0);
	w_file(fx, "udp.conf", "53, domain\n");
	lines_add(&fx->want, "%s: larger than 16 MiB, using %s only",
		  path, fx->etc);
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, NULL);
	assert_name(s, U, 53, "domain");
	svc_free(s);
}

/* An unreadable /etc/services is reported; a missing one is not. */
static void test_etc_unreadable(void **state)
{
	struct fix *fx = *state;
	struct services *s;

	w_file(fx, "tcp.conf", "80, http\n");
	w_file(fx, "udp.conf", "53, domain\n");
	assert_int_equal(mkdir(fx->etc, 0700), 0);
	lines_add(&fx->want, "%s: not a regular file", fx->etc);
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 80, "http");
	assert_name(s, U, 53, "domain");
	svc_free(s);
}

static void test_unknown(void **state)
{
	struct fix *fx = *state;
	struct services *s;

	w_file(fx, "tcp.conf", "80, http\n");
	w_file(fx, "udp.conf", "53, domain\n");
	w_file(fx, "services", "echo 7/tcp\necho 7/udp\n");
	s = load(fx);
	check_reports(fx);
	assert_name(s, T, 81, NULL);
	assert_name(s, T, 79, NULL);
	assert_name(s, T, 0, NULL);
	assert_name(s, T, 65535, NULL);
	assert_name(s, IPPROTO_ICMP, 80, NULL);
	assert_name(s, IPPROTO_ICMPV6, 7, NULL);
	assert_name(s, 0, 80, NULL);
	assert_name(s, 255, 80, NULL);
	assert_null(svc_name(NULL, T, 80));
	svc_free(s);
	svc_free(NULL);
}

/* Every name that comes out is within the wire field and printable. */
static void assert_sane(const char *name)
{
	size_t len = strlen(name);

	assert_true(len > 0 && len < SERVICE_NAME_LEN);
	for (size_t i = 0; i < len; i++)
		assert_true(name[i] > ' ' && name[i] < 0x7f);
}

/* The system's /etc/services (Debian: netbase), for the tests that read it. */
static void need_etc_services(void)
{
	if (access("/etc/services", R_OK) != 0)
		skip_or_fail("no readable /etc/services (Debian: netbase)");
}

static void test_shipped_conf(void **state)
{
	struct lines got = { 0 };
	struct services *s;
	int named = 0;

	(void)state;
	s = svc_load("conf", "/nonexistent/services", collect, &got);
	assert_non_null(s);
	for (int i = 0; i < got.n; i++)
		print_message("unexpected report: %s\n", got.line[i]);
	assert_int_equal(got.n, 0);
	assert_name(s, T, 80, "http");
	assert_name(s, U, 53, "domain");
	assert_name(s, T, 443, "https");
	assert_name(s, T, 22, "ssh");
	assert_name(s, IPPROTO_UDPLITE, 53, "domain");
	for (uint32_t p = 0; p < 65536; p++) {
		const char *n = svc_name(s, T, (uint16_t)p);

		if (n) {
			assert_sane(n);
			named++;
		}
	}
	assert_true(named > 100);
	svc_free(s);

	/* The system's own file, which the conf files were made from, passes
	 * the same checks without a report. */
	need_etc_services();
	s = svc_load("conf", "/etc/services", collect, &got);
	assert_non_null(s);
	for (int i = 0; i < got.n; i++)
		print_message("unexpected report: %s\n", got.line[i]);
	assert_int_equal(got.n, 0);
	assert_name(s, T, 80, "http");
	svc_free(s);
	lines_clear(&got);
}

/* The loaded set must stay small: it lives in the resolver for the whole
 * run. Measured with glibc's mallinfo2, which the sanitizers' allocator
 * does not feed, so the check runs in the plain build only. mallinfo2
 * counts chunks parked in the per-thread cache as in use, so a load served
 * from there would look free: the cache is drained first by holding
 * DRAIN chunks of every cached size. Not a test of the sanitizer build. */
#if !defined(__SANITIZE_ADDRESS__)
#define DRAIN 16
#define DRAIN_SIZES 64

static void test_memory(void **state)
{
	static void *held[DRAIN_SIZES][DRAIN];
	struct mallinfo2 before, after;
	struct services *s;
	size_t used;

	(void)state;
	need_etc_services();
	for (int i = 0; i < DRAIN_SIZES; i++)
		for (int j = 0; j < DRAIN; j++)
			held[i][j] = malloc((size_t)i * 16 + 8);
	before = mallinfo2();
	s = svc_load("conf", "/etc/services", NULL, NULL);
	after = mallinfo2();
	assert_non_null(s);
	used = after.uordblks + after.hblkhd - before.uordblks - before.hblkhd;
	print_message("loaded set (conf/ + /etc/services): %zu bytes\n", used);
	assert_true(used > 1024);       /* the drain worked: something is seen */
	assert_true(used < 16 * 1024);
	svc_free(s);
	for (int i = 0; i < DRAIN_SIZES; i++)
		for (int j = 0; j < DRAIN; j++)
			free(held[i][j]);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conf_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_etc_services, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_overrides_etc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_conf_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_etc_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test(test_shipped_conf),
#if !defined(__SANITIZE_ADDRESS__)
		cmocka_unit_test(test_memory),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
