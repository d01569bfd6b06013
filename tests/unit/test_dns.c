/* SPDX-License-Identifier: GPL-2.0-only */
/* End-to-end tests of resolver/dns.c against real name servers.
 *
 * Needs root: a forked child enters a private network namespace, brings
 * lo up and starts dnsmasq on 127.0.0.1:53 and [::1]:53 with PTR records
 * for the test addresses, logging every query to a file so that the tests
 * can count what reached the server. Beside it, the test process itself
 * runs two fake servers on other loopback addresses: one that reads and
 * drops every query (a dead server), and one that sends crafted, hostile
 * answers. Each test writes its own resolv.conf naming the server it
 * wants. Without root (or without dnsmasq) every test is skipped with a
 * message saying why.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/unit/skip.h"

#include "privsep/flow_wire.h"
#include "resolver/dns.h"

#define DNSMASQ_TTL 2           /* --local-ttl: TTL of every local record */
#define STR_(x) #x
#define STR(x) STR_(x)
#define SILENT_ADDR "127.0.0.2" /* reads and drops */
#define HOSTILE_ADDR "127.0.0.3"/* crafted answers */
#define CLOSED_ADDR "127.0.0.4" /* nothing listens: port unreachable */
#define MAX_GOT 64

static char tmpdir[64];
static char logpath[128];
static pid_t dnsmasq_pid = -1;
static char skip_reason[256];

/* The fake servers, served from the tests' event loop. */
struct fake {
	int fd;
	unsigned packets;
	int hostile;
};
static struct fake silent = { -1, 0, 0 }, hostile = { -1, 0, 1 };

/* What done() delivered. */
struct got {
	unsigned n;
	struct dns_answer a[MAX_GOT];
};

static void on_done(void *ctx, const struct dns_answer *a)
{
	struct got *g = ctx;

	if (g->n < MAX_GOT)
		g->a[g->n] = *a;
	g->n++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms <= 0)
		return;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- addresses ---- */

static const uint8_t *v4(const char *s)
{
	static uint8_t a[16];

	memset(a, 0, sizeof(a));
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
	return a;
}

static const uint8_t *v6(const char *s)
{
	static uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return a;
}

/* The ip6.arpa name of s, as dnsmasq's --ptr-record wants it. */
static void arpa6(const char *s, char *out, size_t outsz)
{
	const uint8_t *a = v6(s);
	size_t o = 0;

	for (int i = 15; i >= 0; i--)
		o += (size_t)snprintf(out + o, outsz - o, "%x.%x.",
				      a[i] & 0xf, a[i] >> 4);
	snprintf(out + o, outsz - o, "ip6.arpa");
}

static const struct dns_answer *find(const struct got *g, uint8_t family,
				     const uint8_t addr[16])
{
	for (unsigned i = 0; i < g->n && i < MAX_GOT; i++)
		if (g->a[i].family == family &&
		    memcmp(g->a[i].addr, addr, 16) == 0)
			return &g->a[i];
	return NULL;
}

/* The name given for an IPv4 address; a marker no name can equal when
 * none arrived, so that a failed check says so. */
static const char *name_of(const struct got *g, const char *v4s)
{
	const struct dns_answer *a = find(g, FLOW_FAM_IPV4, v4(v4s));

	return a ? a->name : "<no answer>";
}

/* ---- files ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* A resolv.conf naming the given servers (one per line, in order). */
static const char *conf(const char *servers)
{
	static char path[128];
	char text[256], line[64];
	const char *p = servers;

	text[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, " ");

		snprintf(line, sizeof(line), "nameserver %.*s\n", (int)n, p);
		strncat(text, line, sizeof(text) - strlen(text) - 1);
		p += n;
		p += strspn(p, " ");
	}
	snprintf(path, sizeof(path), "%s/resolv.conf", tmpdir);
	write_file(path, text);
	return path;
}

/* How many PTR queries for qname dnsmasq has logged. */
static unsigned logged(const char *qname)
{
	char line[512], pat[160];
	unsigned n = 0;
	FILE *f = fopen(logpath, "r");

	if (!f)
		return 0;
	snprintf(pat, sizeof(pat), "query[PTR] %s from ", qname);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, pat))
			n++;
	fclose(f);
	return n;
}

/* dnsmasq writes its log asynchronously: wait (bounded) for want lines. */
static unsigned logged_wait(const char *qname, unsigned want)
{
	long end = now_ms() + 1000;
	unsigned n;

	while ((n = logged(qname)) < want && now_ms() < end)
		sleep_ms(10);
	return n;
}

/* ---- the fake servers ---- */

struct mb {
	uint8_t b[512];
	size_t n;
};

static void put8(struct mb *m, unsigned v)
{
	if (m->n < sizeof(m->b))
		m->b[m->n++] = (uint8_t)v;
}

static void put16(struct mb *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct mb *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* A name from labels separated by '|' (so a label may hold a dot). */
static void put_name(struct mb *m, const char *labels)
{
	while (*labels) {
		size_t n = strcspn(labels, "|");

		put8(m, (unsigned)n);
		for (size_t i = 0; i < n; i++)
			put8(m, (unsigned char)labels[i]);
		labels += n;
		labels += *labels == '|';
	}
	put8(m, 0);
}

/* The question name of query q[0..n) in dotted form; the offset just past
 * the question, 0 when it is not one. */
static size_t question(const uint8_t *q, size_t n, char *out, size_t outsz)
{
	size_t pos = 12, o = 0;

	if (n < 12 || outsz == 0)
		return 0;
	while (pos < n && q[pos] != 0) {
		size_t l = q[pos];

		if (l > 63 || pos + 1 + l >= n || o + l + 2 > outsz)
			return 0;
		memcpy(out + o, q + pos + 1, l);
		o += l;
		out[o++] = '.';
		pos += 1 + l;
	}
	if (pos + 5 > n)
		return 0;
	out[o ? o - 1 : 0] = '\0';
	return pos + 5;
}

/* The answer record the hostile server gives for qname. */
static void hostile_answer(struct mb *m, const char *qname)
{
	size_t rd;

	if (strncmp(qname, "9.", 2) == 0) {   /* the owner is another name */
		put_name(m, "9|9|9|9|in-addr|arpa");
	} else {
		put16(m, 0xc00c);
	}
	put16(m, 12);
	put16(m, 1);
	put32(m, strncmp(qname, "3.", 2) == 0 ? 0xffffffffu : 600);
	if (strncmp(qname, "5.", 2) == 0) {   /* rdlength past the end */
		put16(m, 0xffff);
		put_name(m, "x");
		return;
	}
	rd = m->n;
	put16(m, 0);
	if (strncmp(qname, "1.", 2) == 0)
		put_name(m, "ev\x1b[31mil|example");
	else if (strncmp(qname, "2.", 2) == 0)
		put16(m, 0xc000 | (unsigned)(rd + 2));   /* points at itself */
	else if (strncmp(qname, "3.", 2) == 0)
		put_name(m, "big-ttl|example");
	else
		put_name(m, "other|example");
	m->b[rd] = (uint8_t)((m->n - rd - 2) >> 8);
	m->b[rd + 1] = (uint8_t)(m->n - rd - 2);
}

/* Answer query q[0..n): every name under 3.0.192.in-addr.arpa gets a
 * crafted answer, anything else NXDOMAIN. */
static void hostile_reply(int fd, const uint8_t *q, size_t n,
			  const struct sockaddr *from, socklen_t fromlen)
{
	char qname[256];
	size_t qend = question(q, n, qname, sizeof(qname));
	int ours = qend && strstr(qname, ".3.0.192.in-addr.arpa") != NULL;
	struct mb m = { .n = 0 };

	if (!qend)
		return;
	put16(&m, (unsigned)(q[0] << 8 | q[1]));
	put16(&m, ours ? 0x8580 : 0x8583);
	put16(&m, 1);
	put16(&m, ours ? 1 : 0);
	put32(&m, 0);
	for (size_t i = 12; i < qend; i++)
		put8(&m, q[i]);
	if (ours)
		hostile_answer(&m, qname);
	(void)sendto(fd, m.b, m.n, 0, from, fromlen);
}

static void fake_serve(struct fake *f)
{
	uint8_t buf[1500];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while ((n = recvfrom(f->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl)) >= 0) {
		f->packets++;
		if (f->hostile)
			hostile_reply(f->fd, buf, (size_t)n,
				      (struct sockaddr *)&from, fl);
		fl = sizeof(from);
	}
}

static int fake_open(const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- the event loop ---- */

struct loop_stats {
	long worst_ms;       /* longest dns_process call */
	unsigned turns;      /* poll wake-ups */
	int max_timeout;     /* largest dns_timeout_ms seen */
};

/* Run d (and the fake servers) until g holds want answers or ms passed. */
static void run(struct dns *d, struct got *g, unsigned want, long ms,
		struct loop_stats *st)
{
	long end = now_ms() + ms;
	struct loop_stats dummy;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	while (g->n < want && now_ms() < end) {
		struct pollfd p[18];
		int n = dns_pollfds(d, p, 16);
		int t = dns_timeout_ms(d);
		long left = end - now_ms(), t0;

		if (t > st->max_timeout)
			st->max_timeout = t;
		if (t < 0 || t > left)
			t = left > 0 ? (int)left : 0;
		p[n] = (struct pollfd){ .fd = silent.fd, .events = POLLIN };
		p[n + 1] = (struct pollfd){ .fd = hostile.fd, .events = POLLIN };
		assert_true(poll(p, (nfds_t)n + 2, t) >= 0);
		st->turns++;
		fake_serve(&silent);
		fake_serve(&hostile);
		t0 = now_ms();
		dns_process(d, p, n);
		if (now_ms() - t0 > st->worst_ms)
			st->worst_ms = now_ms() - t0;
	}
}

static struct dns *open_dns(const char *servers, struct dns_cfg *cfg,
			    struct got *g)
{
	struct dns_cfg def = { .min_ttl = 1, .timeout_ms = 500, .tries = 2 };
	char err[256] = "";
	struct dns *d;

	if (!cfg)
		cfg = &def;
	cfg->resolv_conf = conf(servers);
	memset(g, 0, sizeof(*g));
	d = dns_open(cfg, on_done, g, err, sizeof(err));
	if (!d)
		print_message("dns_open: %s\n", err);
	assert_non_null(d);
	return d;
}

static void lookup4(struct dns *d, const char *s)
{
	assert_int_equal(dns_lookup(d, FLOW_FAM_IPV4, v4(s)), 0);
}

/* ---- tests ---- */

static void need_world(void)
{
	if (skip_reason[0])
		skip_or_fail("test_dns: %s", skip_reason);
}

#define LONDON "81.2.69.142"
#define LONDON_Q "142.69.2.81.in-addr.arpa"
#define TOKYO "2001:218::1"

static void test_names_arrive(void **state)
{
	struct got g;
	struct dns *d;
	const struct dns_answer *a;

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	lookup4(d, LONDON);
	assert_int_equal(dns_lookup(d, FLOW_FAM_IPV6, v6(TOKYO)), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(dns_pending(d), 2);
	run(d, &g, 2, 3000, NULL);
	assert_int_equal(g.n, 2);
	assert_string_equal(name_of(&g, LONDON), "london.example");
	a = find(&g, FLOW_FAM_IPV6, v6(TOKYO));
	assert_non_null(a);
	assert_string_equal(a->name, "tokyo.example");
	assert_int_equal(dns_pending(d), 0);
	dns_close(d);
}

static void test_nxdomain_nodata(void **state)
{
	struct got g;
	struct dns *d;

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	lookup4(d, "192.0.2.9");   /* NXDOMAIN */
	lookup4(d, "192.0.2.2");   /* a TXT record only: NODATA */
	run(d, &g, 2, 3000, NULL);
	assert_int_equal(g.n, 2);
	assert_string_equal(name_of(&g, "192.0.2.9"), "");
	assert_string_equal(name_of(&g, "192.0.2.2"), "");
	assert_int_equal(logged_wait("9.2.0.192.in-addr.arpa", 1), 1);
	dns_close(d);
}

/* Answers come from the cache, with no query, for as long as the record's
 * TTL (2 s, above min_ttl 1 s: so the TTL was read from the answer), then
 * the address is asked again. Failures are cached as well. */
static void test_cache_and_ttl(void **state)
{
	struct got g;
	struct dns *d;
	unsigned q0 = logged(LONDON_Q), nx0 = logged("8.2.0.192.in-addr.arpa");
	long t_answer;

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	lookup4(d, LONDON);
	lookup4(d, "192.0.2.8");
	run(d, &g, 2, 3000, NULL);
	t_answer = now_ms();
	assert_int_equal(g.n, 2);
	assert_int_equal(logged_wait(LONDON_Q, q0 + 1), q0 + 1);

	lookup4(d, LONDON);                /* answered before it returns */
	lookup4(d, "192.0.2.8");
	assert_int_equal(g.n, 4);
	assert_string_equal(g.a[2].name, "london.example");
	assert_string_equal(g.a[3].name, "");
	assert_int_equal(dns_pending(d), 0);

	sleep_ms(1300 - (now_ms() - t_answer));
	lookup4(d, LONDON);                /* past min_ttl, within the TTL */
	assert_int_equal(g.n, 5);
	assert_int_equal(logged(LONDON_Q), q0 + 1);
	assert_int_equal(logged("8.2.0.192.in-addr.arpa"), nx0 + 1);

	sleep_ms(DNSMASQ_TTL * 1000 + 200 - (now_ms() - t_answer));
	lookup4(d, LONDON);                /* expired: asked again */
	assert_int_equal(g.n, 5);
	assert_int_equal(dns_pending(d), 1);
	run(d, &g, 6, 3000, NULL);
	assert_string_equal(g.a[5].name, "london.example");
	assert_int_equal(logged_wait(LONDON_Q, q0 + 2), q0 + 2);
	dns_close(d);
}

/* Asking again for an address in flight sends no second query and gives
 * one answer. */
static void test_duplicates_merged(void **state)
{
	struct got g;
	struct dns *d;
	unsigned q0 = logged(LONDON_Q);

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	for (int i = 0; i < 5; i++)
		lookup4(d, LONDON);
	assert_int_equal(dns_pending(d), 1);
	run(d, &g, 1, 3000, NULL);
	run(d, &g, 2, 300, NULL);          /* a second answer would show now */
	assert_int_equal(g.n, 1);
	assert_int_equal(logged_wait(LONDON_Q, q0 + 1), q0 + 1);
	sleep_ms(100);
	assert_int_equal(logged(LONDON_Q), q0 + 1);
	dns_close(d);
}

/* A name of exactly 253 bytes arrives whole. */
static void test_long_name(void **state)
{
	struct got g;
	struct dns *d;
	const char *n;

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	lookup4(d, "192.0.2.3");
	run(d, &g, 1, 3000, NULL);
	n = name_of(&g, "192.0.2.3");
	assert_non_null(n);
	assert_int_equal(strlen(n), 253);
	assert_int_equal(strspn(n, "a"), 63);
	assert_int_equal(n[252], 'b');
	dns_close(d);
}

/* An answer too big for UDP comes truncated; c-ares asks again over TCP
 * and the name arrives. */
static void test_truncated_over_tcp(void **state)
{
	struct got g;
	struct dns *d;
	const char *n;
	unsigned q0 = logged("7.2.0.192.in-addr.arpa");

	(void)state;
	need_world();
	d = open_dns("127.0.0.1", NULL, &g);
	lookup4(d, "192.0.2.7");
	run(d, &g, 1, 3000, NULL);
	n = name_of(&g, "192.0.2.7");
	assert_non_null(n);
	assert_true(strncmp(n, "host", 4) == 0);
	assert_non_null(strstr(n, "-xxxx"));
	/* Once over UDP, once over TCP. */
	assert_int_equal(logged_wait("7.2.0.192.in-addr.arpa", q0 + 2), q0 + 2);
	dns_close(d);
}

static void test_ipv6_server(void **state)
{
	struct got g;
	struct dns *d;

	(void)state;
	need_world();
	d = open_dns("::1", NULL, &g);
	lookup4(d, LONDON);
	run(d, &g, 1, 3000, NULL);
	assert_string_equal(name_of(&g, LONDON), "london.example");
	dns_close(d);
}

/* The first server refuses (port unreachable): the second answers. */
static void test_failover(void **state)
{
	struct got g;
	struct dns *d;

	(void)state;
	need_world();
	d = open_dns(CLOSED_ADDR " 127.0.0.1", NULL, &g);
	lookup4(d, LONDON);
	run(d, &g, 1, 3000, NULL);
	assert_string_equal(name_of(&g, LONDON), "london.example");
	dns_close(d);
}

/* Servers that refuse (port unreachable): once 4 queries in a row found
 * that out, the lookups of the next second fail at once, inside dns_lookup, without
 * a socket each; after it, a query goes out again (its answer comes
 * later, from the loop) and would find a server back. */
static void test_refused_fail_fast(void **state)
{
	struct got g;
	struct dns *d;
	char a[32];

	(void)state;
	need_world();
	d = open_dns(CLOSED_ADDR, NULL, &g);
	/* Refusals in a row (4, DNS_DOWN_AFTER) before the servers count as
	 * down: one refused query does not make the next ones fail. */
	for (int i = 1; i <= 4; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", i);
		lookup4(d, a);
		assert_int_equal(g.n, i - 1);
		run(d, &g, i, 3000, NULL);
		assert_int_equal(g.n, i);
		assert_string_equal(name_of(&g, a), "");
	}
	for (int i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "198.51.100.%d", i);
		lookup4(d, a);
	}
	assert_int_equal(g.n, 204);
	assert_int_equal(dns_pending(d), 0);
	assert_string_equal(name_of(&g, "198.51.100.7"), "");
	sleep_ms(1100);
	lookup4(d, "192.0.2.9");
	assert_int_equal(g.n, 204);
	assert_int_equal(dns_pending(d), 1);
	run(d, &g, 205, 3000, NULL);
	assert_int_equal(g.n, 205);
	dns_close(d);
}

/* With a dead server, at most max_inflight queries are out at once; the
 * rest wait, then go as slots free up, and every address gets "". */
static void test_max_inflight(void **state)
{
	struct dns_cfg cfg = { .max_inflight = 3, .timeout_ms = 300, .tries = 1 };
	struct got g;
	struct dns *d;
	char a[32];
	long t0;

	(void)state;
	need_world();
	silent.packets = 0;
	d = open_dns(SILENT_ADDR, &cfg, &g);
	for (int i = 0; i < 8; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", 100 + i);
		lookup4(d, a);
	}
	t0 = now_ms();
	assert_int_equal(dns_pending(d), 8);
	run(d, &g, 1, 150, NULL);
	assert_int_equal(g.n, 0);
	assert_int_equal(silent.packets, 3);
	run(d, &g, 8, 3000, NULL);
	assert_int_equal(g.n, 8);
	assert_int_equal(silent.packets, 8);
	/* Three rounds of 300 ms: 3 + 3 + 2 queries. */
	assert_true(now_ms() - t0 >= 850);
	assert_true(now_ms() - t0 <= 900 + 300);
	for (unsigned i = 0; i < 8; i++)
		assert_string_equal(g.a[i].name, "");
	assert_int_equal(dns_pending(d), 0);
	dns_close(d);
}

/* A dead server: "" within c-ares's retry schedule (tries = 2 with one
 * server: timeout, then twice the timeout), and meanwhile the loop never
 * blocks: every call returns at once and poll sleeps until a timeout is
 * due rather than spinning. The failure is then cached. */
static void test_dead_server(void **state)
{
	struct dns_cfg cfg = { .timeout_ms = 200, .tries = 2 };
	struct loop_stats st;
	struct got g;
	struct dns *d;
	long t0, t;

	(void)state;
	need_world();
	silent.packets = 0;
	d = open_dns(SILENT_ADDR, &cfg, &g);
	t0 = now_ms();
	lookup4(d, "192.0.2.50");
	for (int i = 51; i < 60; i++) {
		char a[32];

		snprintf(a, sizeof(a), "192.0.2.%d", i);
		lookup4(d, a);
	}
	assert_true(now_ms() - t0 < 50);
	run(d, &g, 10, 3000, &st);
	t = now_ms() - t0;
	assert_int_equal(g.n, 10);
	assert_string_equal(name_of(&g, "192.0.2.50"), "");
	assert_true(t >= 200 * 3 - 50);
	assert_true(t <= 200 * 3 + 300);
	assert_int_equal(silent.packets, 20);
	assert_true(st.worst_ms < 50);
	assert_true(st.max_timeout <= 400 + 1);
	assert_true(st.turns < 40);
	t0 = now_ms();
	lookup4(d, "192.0.2.50");
	assert_int_equal(g.n, 11);
	assert_true(now_ms() - t0 < 50);
	dns_close(d);
}

/* Hostile answers: a name with an escape sequence never comes out raw, a
 * compression loop, a lying length and an answer about another name give
 * no name, an absurd TTL is survived. */
static void test_hostile_server(void **state)
{
	struct got g;
	struct dns *d;
	const char *n;

	(void)state;
	need_world();
	d = open_dns(HOSTILE_ADDR, NULL, &g);
	lookup4(d, "192.0.3.1");
	lookup4(d, "192.0.3.2");
	lookup4(d, "192.0.3.3");
	lookup4(d, "192.0.3.5");
	lookup4(d, "192.0.3.9");
	run(d, &g, 5, 5000, NULL);
	assert_int_equal(g.n, 5);
	/* c-ares 1.18 refuses a PTR that is not a host name (""); were one
	 * let through, it would arrive escaped. Never raw. */
	n = name_of(&g, "192.0.3.1");
	assert_true(strcmp(n, "") == 0 || strstr(n, "\\x1b") != NULL);
	for (const char *p = n; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_string_equal(name_of(&g, "192.0.3.2"), "");
	assert_string_equal(name_of(&g, "192.0.3.3"), "big-ttl.example");
	assert_string_equal(name_of(&g, "192.0.3.5"), "");
	assert_string_equal(name_of(&g, "192.0.3.9"), "");
	dns_close(d);
}

/* The queue is bounded; closing with queries in flight and queued frees
 * everything and calls done() no more. */
static void test_queue_full_and_close(void **state)
{
	struct dns_cfg cfg = { .max_inflight = 1, .queue_max = 2 };
	struct got g;
	struct dns *d;

	(void)state;
	need_world();
	d = open_dns(SILENT_ADDR, &cfg, &g);
	lookup4(d, "192.0.2.70");
	lookup4(d, "192.0.2.71");
	lookup4(d, "192.0.2.72");
	assert_int_equal(dns_lookup(d, FLOW_FAM_IPV4, v4("192.0.2.73")), -1);
	assert_int_equal(dns_lookup(d, FLOW_FAM_IPV4, v4("192.0.2.71")), 0);
	assert_int_equal(dns_lookup(d, 5, v4("192.0.2.74")), -1);
	assert_int_equal(dns_pending(d), 3);
	dns_close(d);
	assert_int_equal(g.n, 0);
}

static void test_open_errors(void **state)
{
	struct dns_cfg cfg = { .resolv_conf = "/nonexistent/resolv.conf" };
	char err[256] = "";
	struct got g;

	(void)state;
	assert_null(dns_open(&cfg, on_done, &g, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/resolv.conf"));
	err[0] = '\0';
	assert_null(dns_open(NULL, NULL, &g, err, sizeof(err)));
	assert_true(err[0] != '\0');
}

/* ---- no file after dns_open ---- */

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef TEST_AUDIT_ARCH
/* What the resolver's sandbox will forbid once DNS is open. */
static const unsigned forbidden[] = {
	__NR_openat, __NR_execve, __NR_execveat, __NR_bind, __NR_listen,
	__NR_accept4,
#ifdef __NR_open
	__NR_open,
#endif
#ifdef __NR_creat
	__NR_creat,
#endif
#ifdef __NR_openat2
	__NR_openat2,
#endif
#ifdef __NR_accept
	__NR_accept,
#endif
};

#define NFORBID (sizeof(forbidden) / sizeof(forbidden[0]))
#define KILL BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* Kill the process on any forbidden call, and on socket() of any domain
 * but AF_INET and AF_INET6. */
static int sandbox(void)
{
	struct sock_filter f[4 + 2 * NFORBID + 7];
	struct sock_fprog prog = { .filter = f };
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		TEST_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)KILL;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < NFORBID; i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			forbidden[i], 0, 1);
		f[n++] = (struct sock_filter)KILL;
	}
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		__NR_socket, 1, 0);
	f[n++] = (struct sock_filter)ALLOW;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, args[0]));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		AF_INET, 1, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		AF_INET6, 0, 1);
	f[n++] = (struct sock_filter)ALLOW;
	f[n++] = (struct sock_filter)KILL;
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* s equals want (its first n bytes when n > 0); NULL never does. */
static int same(const char *s, const char *want, size_t n)
{
	if (!s)
		return 0;
	return n ? strncmp(s, want, n) == 0 : strcmp(s, want) == 0;
}

/* In the child: open DNS, forbid files, then resolve over UDP, over TCP
 * (the truncated answer), a failure and a cached answer. The exit status
 * says how it went; cmocka is not used here, as it belongs to the parent. */
static void sandboxed_child(const char *servers)
{
	struct dns_cfg cfg = { .resolv_conf = servers };
	char err[256];
	struct got g;
	struct dns *d;

	memset(&g, 0, sizeof(g));
	d = dns_open(&cfg, on_done, &g, err, sizeof(err));
	if (!d)
		_exit(10);
	if (sandbox() < 0)
		_exit(11);
	dns_lookup(d, FLOW_FAM_IPV4, v4(LONDON));
	dns_lookup(d, FLOW_FAM_IPV4, v4("192.0.2.7"));
	dns_lookup(d, FLOW_FAM_IPV4, v4("192.0.2.9"));
	dns_lookup(d, FLOW_FAM_IPV6, v6(TOKYO));
	run(d, &g, 4, 3000, NULL);
	dns_lookup(d, FLOW_FAM_IPV4, v4(LONDON));
	if (g.n != 5 || !same(name_of(&g, LONDON), "london.example", 0) ||
	    !same(name_of(&g, "192.0.2.7"), "host", 4) ||
	    !same(g.a[4].name, "london.example", 0))
		_exit(12);
	dns_close(d);
	_exit(0);
}
#endif

/* After dns_open, resolving needs no file, no bind/listen/accept, no
 * exec, and sockets of the Internet families only: checked by running
 * the lookups under a seccomp filter that kills the process otherwise. */
static void test_no_file_after_open(void **state)
{
	const char *servers;
	pid_t pid;
	int st;

	(void)state;
	need_world();
#ifndef TEST_AUDIT_ARCH
	skip_or_fail("test_dns: no seccomp test on this architecture");
#else
	servers = conf("127.0.0.1 ::1");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		sandboxed_child(servers);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		print_message("child killed by signal %d%s\n", WTERMSIG(st),
			      WTERMSIG(st) == SIGSYS ? " (a forbidden call)" : "");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
#endif
}

/* ---- the world: namespace, dnsmasq, fake servers ---- */

static int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	r = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (r == 0)
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return r;
}

/* dnsmasq's arguments: local records only, every query logged. Kept in
 * the foreground (so its PID is ours to kill) but not --no-daemon: in that
 * debug mode it serves a TCP client inline and hears no UDP query until
 * the client hangs up, and c-ares keeps its TCP connection while any
 * query is pending. */
static void dnsmasq_args(char **argv, size_t max)
{
	static char logarg[160], tokyo[160], longname[320], many[12][128];
	char a63[64], b61[62], arpa[80];
	const char *fixed[] = {
		"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
		"--no-hosts", "--user=root", "--pid-file=",
		"--listen-address=127.0.0.1,::1", "--bind-interfaces", "--port=53",
		"--local=/in-addr.arpa/", "--local=/ip6.arpa/",
		"--local-ttl=" STR(DNSMASQ_TTL), "--log-queries", logarg,
		"--ptr-record=" LONDON_Q ",london.example", tokyo, longname,
		"--txt-record=2.2.0.192.in-addr.arpa,nodata",
	};
	size_t n = 0;

	memset(a63, 'a', 63);
	a63[63] = '\0';
	memset(b61, 'b', 61);
	b61[61] = '\0';
	snprintf(logarg, sizeof(logarg), "--log-facility=%s", logpath);
	arpa6(TOKYO, arpa, sizeof(arpa));
	snprintf(tokyo, sizeof(tokyo), "--ptr-record=%s,tokyo.example", arpa);
	snprintf(longname, sizeof(longname),
		 "--ptr-record=3.2.0.192.in-addr.arpa,%s.%s.%s.%s",
		 a63, a63, a63, b61);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
		argv[n++] = (char *)fixed[i];
	/* Twelve long PTRs for one address: more than 512 bytes, so the UDP
	 * answer is truncated. */
	for (int i = 0; i < 12 && n < max; i++) {
		snprintf(many[i], sizeof(many[i]),
			 "--ptr-record=7.2.0.192.in-addr.arpa,host%d-%s.example",
			 i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		argv[n++] = many[i];
	}
	argv[n] = NULL;
}

static pid_t dnsmasq_start(void)
{
	char *argv[40], errpath[160];
	pid_t pid;

	dnsmasq_args(argv, 38);
	snprintf(errpath, sizeof(errpath), "%s/dnsmasq.out", tmpdir);
	fflush(NULL);   /* else freopen below would write our buffer twice */
	pid = fork();
	if (pid != 0)
		return pid;
	/* Dies with the test, whatever way the test ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!freopen(errpath, "w", stdout) || dup2(1, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

/* Ready once it accepts TCP on both addresses. */
static int dnsmasq_ready(void)
{
	const char *addrs[] = { "127.0.0.1", "::1" };

	for (int i = 0; i < 2; i++) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
		struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(53) };
		int v6a = strchr(addrs[i], ':') != NULL;
		int s = socket(v6a ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int r;

		if (v6a)
			inet_pton(AF_INET6, addrs[i], &s6.sin6_addr);
		else
			inet_pton(AF_INET, addrs[i], &s4.sin_addr);
		r = v6a ? connect(s, (struct sockaddr *)&s6, sizeof(s6))
			: connect(s, (struct sockaddr *)&s4, sizeof(s4));
		close(s);
		if (r < 0)
			return 0;
	}
	return 1;
}

static int world_fail(const char *what)
{
	snprintf(skip_reason, sizeof(skip_reason), "%s", what);
	return 0;
}

/* dnsmasq exited: say why, with the first line it printed (its output
 * file goes with the temp dir). */
static int dnsmasq_failed(int st)
{
	char path[192], line[160] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/dnsmasq.out", tmpdir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return world_fail("dnsmasq not found (Debian: dnsmasq-base)");
	snprintf(skip_reason, sizeof(skip_reason),
		 "dnsmasq did not start (status %d): %s", st, line);
	return 0;
}

/* Build the world; on failure every test skips, naming the reason. */
static int world_up(void **state)
{
	long end;
	int st;

	(void)state;
	if (skip_reason[0])
		return 0;
	if (unshare(CLONE_NEWNET) < 0)
		return world_fail("cannot make a network namespace");
	if (lo_up() < 0)
		return world_fail("cannot bring lo up");
	silent.fd = fake_open(SILENT_ADDR);
	hostile.fd = fake_open(HOSTILE_ADDR);
	if (silent.fd < 0 || hostile.fd < 0)
		return world_fail("cannot bind the fake servers");
	dnsmasq_pid = dnsmasq_start();
	if (dnsmasq_pid < 0)
		return world_fail("cannot fork dnsmasq");
	for (end = now_ms() + 5000; now_ms() < end; sleep_ms(20)) {
		if (dnsmasq_ready())
			return 0;
		if (waitpid(dnsmasq_pid, &st, WNOHANG) == dnsmasq_pid) {
			dnsmasq_pid = -1;
			return dnsmasq_failed(st);
		}
	}
	return world_fail("dnsmasq did not listen within 5 s");
}

static int world_down(void **state)
{
	char path[192];

	(void)state;
	if (dnsmasq_pid > 0) {
		kill(dnsmasq_pid, SIGTERM);
		waitpid(dnsmasq_pid, NULL, 0);
		dnsmasq_pid = -1;
	}
	if (silent.fd >= 0)
		close(silent.fd);
	if (hostile.fd >= 0)
		close(hostile.fd);
	if (getenv("TEST_DNS_KEEP"))   /* leave the log for a post-mortem */
		return 0;
	unlink(logpath);
	snprintf(path, sizeof(path), "%s/dnsmasq.out", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/resolv.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

static int run_suite(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_names_arrive),
		cmocka_unit_test(test_nxdomain_nodata),
		cmocka_unit_test(test_cache_and_ttl),
		cmocka_unit_test(test_duplicates_merged),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_truncated_over_tcp),
		cmocka_unit_test(test_ipv6_server),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_refused_fail_fast),
		cmocka_unit_test(test_max_inflight),
		cmocka_unit_test(test_dead_server),
		cmocka_unit_test(test_hostile_server),
		cmocka_unit_test(test_queue_full_and_close),
		cmocka_unit_test(test_no_file_after_open),
	};

	return cmocka_run_group_tests(tests, world_up, world_down);
}

/* The tests run in a child, so that the namespace, dnsmasq and the fake
 * servers vanish with it and this process's network is never touched. */
int main(void)
{
	pid_t pid;
	int st;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/flowtop-test-dns-XXXXXX");
	if (geteuid() != 0)
		snprintf(skip_reason, sizeof(skip_reason),
			 "needs root (network namespace, dnsmasq on port 53)");
	else if (!mkdtemp(tmpdir))
		snprintf(skip_reason, sizeof(skip_reason), "mkdtemp: %s",
			 strerror(errno));
	snprintf(logpath, sizeof(logpath), "%s/dnsmasq.log", tmpdir);
	if (skip_reason[0])
		return run_suite();
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		exit(run_suite());   /* exit, not _exit: flush cmocka's output */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "test_dns: killed by signal %d\n", WTERMSIG(st));
		return 1;
	}
	return WEXITSTATUS(st);
}
