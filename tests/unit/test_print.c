/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of ui/print.c: JSON Lines and the text table of a snapshot. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <cmocka.h>
#include "tests/unit/fake_users.h"
#include "tests/unit/skip.h"

#include "ui/print.h"

#define SEC 1000000000ull
/* 2023-11-14 22:13:20.123456789 UTC */
#define REAL_NS (1700000000ull * SEC + 123456789ull)
#define TIME_STR "1700000000.123456"

static const char hostile[] = "\x1b]0;pwned\x07";

/* The reply direction as the kernel gives it when no NAT touched the
 * flow: the original swapped. */
static void no_nat(struct flow_wire *w)
{
	memcpy(w->rsrc, w->dst, sizeof(w->rsrc));
	memcpy(w->rdst, w->src, sizeof(w->rdst));
	w->rsport = w->dport;
	w->rdport = w->sport;
}

/* TCP/IPv4 10.0.0.1:43210 -> 93.184.216.34:443 owned by 1234/curl,
 * 3 min 4 s old, with rates. */
static struct flow_entry tcp4(void)
{
	struct flow_entry e;
	static const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 93, 184, 216, 34 };

	memset(&e, 0, sizeof(e));
	e.w.id = 1;
	e.w.family = FLOW_FAM_IPV4;
	e.w.l4proto = IPPROTO_TCP;
	e.w.state = TCP_CONNTRACK_ESTABLISHED;
	memcpy(e.w.src, src, 4);
	memcpy(e.w.dst, dst, 4);
	e.w.sport = 43210;
	e.w.dport = 443;
	no_nat(&e.w);
	e.w.pid = 1234;
	strcpy(e.w.comm, "curl");
	e.w.orig_bytes = 1536;
	e.w.orig_packets = 10;
	e.w.reply_bytes = 3565158;
	e.w.reply_packets = 2500;
	e.w.start_ns = REAL_NS - 184 * SEC - 5;
	e.has_rate = 1;
	e.orig_rate = 1250.5;
	e.reply_rate = 3000;
	return e;
}

/* UDP/IPv6 2001:db8::1:5353 -> ff02::fb:5353; owner, rates, age unknown. */
static struct flow_entry udp6(void)
{
	struct flow_entry e;
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = { 0xff, 0x02, [15] = 0xfb };

	memset(&e, 0, sizeof(e));
	e.w.id = 2;
	e.w.family = FLOW_FAM_IPV6;
	e.w.l4proto = IPPROTO_UDP;
	e.w.state = FLOW_STATE_NONE;
	memcpy(e.w.src, src, 16);
	memcpy(e.w.dst, dst, 16);
	e.w.sport = 5353;
	e.w.dport = 5353;
	no_nat(&e.w);
	e.w.orig_bytes = 200;
	e.w.orig_packets = 2;
	return e;
}

/* ICMP echo 192.168.1.2 -> 8.8.8.8, 1 day 3 h old. */
static struct flow_entry icmp4(void)
{
	struct flow_entry e;
	static const uint8_t src[4] = { 192, 168, 1, 2 }, dst[4] = { 8, 8, 8, 8 };

	memset(&e, 0, sizeof(e));
	e.w.id = 3;
	e.w.family = FLOW_FAM_IPV4;
	e.w.l4proto = IPPROTO_ICMP;
	e.w.state = FLOW_STATE_NONE;
	memcpy(e.w.src, src, 4);
	memcpy(e.w.dst, dst, 4);
	e.w.icmp_type = 8;
	e.w.icmp_code = 0;
	e.w.icmp_id = 77;
	no_nat(&e.w);
	e.w.orig_bytes = 84;
	e.w.orig_packets = 1;
	e.w.reply_bytes = 84;
	e.w.reply_packets = 1;
	e.w.start_ns = REAL_NS - (86400 + 3 * 3600 + 5) * SEC;
	e.has_rate = 1;
	e.orig_rate = 0.1234;
	e.reply_rate = 0;
	return e;
}

/* Print v[0..n) and return the output (free it). */
static char *print_n(const struct print_opts *po,
		     const struct flow_entry *const *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(print_snapshot(f, po, v, n, REAL_NS), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static char *print_one(const struct print_opts *po, const struct flow_entry *e)
{
	const struct flow_entry *v[1] = { e };

	return print_n(po, v, 1);
}

static void check_json(const struct flow_entry *e, int bits, const char *want)
{
	struct print_opts po = { .json = 1, .bits = bits };
	char *out = print_one(&po, e);

	assert_string_equal(out, want);
	free(out);
}

static void test_json_tcp4(void **state)
{
	struct flow_entry e = tcp4();

	(void)state;
	check_json(&e, 0,
		"{\"id\":1,\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"state\":\"ESTABLISHED\",\"src\":\"10.0.0.1\",\"sport\":43210,"
		"\"dst\":\"93.184.216.34\",\"dport\":443,\"pid\":1234,"
		"\"process\":\"curl\",\"orig_bytes\":1536,\"orig_packets\":10,"
		"\"reply_bytes\":3565158,\"reply_packets\":2500,"
		"\"orig_rate\":1250.5,\"reply_rate\":3000,\"age\":184,"
		"\"time\":" TIME_STR "}\n");
}

static void test_json_udp6_absent_fields(void **state)
{
	struct flow_entry e = udp6();

	(void)state;
	/* No state, owner, rates or age: the fields are left out. */
	check_json(&e, 0,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,"
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");

	/* A pid without a comm, and a comm without a pid. */
	e.w.pid = 42;
	check_json(&e, 0,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"pid\":42,"
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
	e.w.pid = 0;
	strcpy(e.w.comm, "avahi-daemon");
	check_json(&e, 0,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"process\":\"avahi-daemon\","
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
}

/* A passwd database of four users, one with a hostile name. */
static const struct fake_user fake_users[] = {
	{ 0, "root" }, { 1000, "alice" }, { 1001, "bob" },
	{ 1002, "\x1b[2Jmallory\"" },
};

static struct users *users_fake(void)
{
	struct users *u = fake_users_load(fake_users, sizeof(fake_users) /
					  sizeof(*fake_users), USERS_MAX,
					  USERS_BYTES_MAX, NULL);

	assert_non_null(u);
	return u;
}

static void check_json_po(const struct print_opts *po,
			  const struct flow_entry *e, const char *want)
{
	char *out = print_one(po, e);

	assert_string_equal(out, want);
	free(out);
}

/* The owner's uid follows pid and process, and its name ("user") the
 * uid; another user's process the viewer may not see is its uid and
 * user alone, in JSON and in the text table (the socket's uid is
 * everyone's to see, and so is its name). */
static void test_owner_uid_hidden(void **state)
{
	struct flow_entry e = udp6();
	struct users *users = users_fake();
	struct print_opts po = { .show_src = 1, .users = users };
	struct print_opts pj = { .json = 1, .users = users };
	char *out;

	(void)state;
	e.w.owner = FLOW_OWNER_SOCKET;
	e.w.uid = 1000;
	e.w.pid = 42;
	strcpy(e.w.comm, "avahi-daemon");
	check_json_po(&pj, &e,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"pid\":42,"
		"\"process\":\"avahi-daemon\",\"uid\":1000,\"user\":\"alice\","
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " 42/avahi-daemon         alice        "));
	assert_non_null(strstr(out, " PROCESS                 USER         "));
	free(out);
	/* Without a table (or a name for the uid): "uid" alone in JSON,
	 * the number in the text table. */
	check_json(&e, 0,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"pid\":42,"
		"\"process\":\"avahi-daemon\",\"uid\":1000,"
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
	e.w.uid = 2000;
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " 42/avahi-daemon         2000         "));
	free(out);
	/* Root's socket: uid 0 is a uid, not "unknown". */
	e.w.uid = 0;
	e.w.pid = 0;
	e.w.comm[0] = 0;
	check_json_po(&pj, &e,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"uid\":0,"
		"\"user\":\"root\","
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
	e.w.owner = FLOW_OWNER_HIDDEN;
	e.w.uid = 1001;
	check_json_po(&pj, &e,
		"{\"id\":2,\"family\":\"ipv6\",\"proto\":\"udp\","
		"\"src\":\"2001:db8::1\",\"sport\":5353,"
		"\"dst\":\"ff02::fb\",\"dport\":5353,\"hidden\":true,"
		"\"uid\":1001,\"user\":\"bob\","
		"\"orig_bytes\":200,\"orig_packets\":2,"
		"\"reply_bytes\":0,\"reply_packets\":0,"
		"\"time\":" TIME_STR "}\n");
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " (hidden) uid 1001       bob "));
	free(out);
	/* A hostile name: escaped in both. */
	e.w.uid = 1002;
	out = print_one(&pj, &e);
	assert_non_null(strstr(out, ",\"uid\":1002,"
			       "\"user\":\"\\u001b[2Jmallory\\\"\","));
	assert_null(strchr(out, 0x1b));
	free(out);
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " \\x1b[2Jmallory\" "));
	assert_null(strchr(out, 0x1b));
	free(out);
	/* No local socket: no uid, no user; "-" in the text table. */
	e.w.owner = FLOW_OWNER_NONE;
	e.w.uid = 0;
	out = print_one(&pj, &e);
	assert_null(strstr(out, "\"uid\""));
	assert_null(strstr(out, "\"user\""));
	free(out);
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " -                       -            "));
	free(out);
	users_free(users);
}

static void test_json_icmp(void **state)
{
	struct flow_entry e = icmp4();

	(void)state;
	/* No ports; type and code instead; a rate rounded to 3 decimals. */
	check_json(&e, 0,
		"{\"id\":3,\"family\":\"ipv4\",\"proto\":\"icmp\","
		"\"src\":\"192.168.1.2\",\"dst\":\"8.8.8.8\","
		"\"icmp_type\":8,\"icmp_code\":0,"
		"\"orig_bytes\":84,\"orig_packets\":1,"
		"\"reply_bytes\":84,\"reply_packets\":1,"
		"\"orig_rate\":0.123,\"reply_rate\":0,\"age\":97205,"
		"\"time\":" TIME_STR "}\n");
}

/* A flow NAT changed shows its reply tuple; zone, mark and labels show
 * when they are not the defaults; ICMP's reply tuple has no ports. */
static void test_json_nat(void **state)
{
	struct flow_entry e = tcp4(), p = icmp4();
	static const uint8_t pub[4] = { 198, 51, 100, 7 };
	unsigned long words[2] = { 0, 0 };
	const unsigned per = 8 * sizeof(unsigned long);

	(void)state;
	memcpy(e.w.rdst, pub, 4);       /* masqueraded behind 198.51.100.7 */
	e.w.rdport = 61000;
	e.w.zone = 7;
	e.w.mark = 42;
	words[3 / per] |= 1ul << (3 % per);
	words[70 / per] |= 1ul << (70 % per);
	memcpy(e.w.labels, words, sizeof(e.w.labels));
	e.has_rate = 0;
	e.w.start_ns = 0;
	check_json(&e, 0,
		"{\"id\":1,\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"state\":\"ESTABLISHED\",\"src\":\"10.0.0.1\",\"sport\":43210,"
		"\"dst\":\"93.184.216.34\",\"dport\":443,\"pid\":1234,"
		"\"process\":\"curl\",\"reply_src\":\"93.184.216.34\","
		"\"reply_sport\":443,\"reply_dst\":\"198.51.100.7\","
		"\"reply_dport\":61000,\"zone\":7,\"mark\":42,"
		"\"labels\":[3,70],\"orig_bytes\":1536,\"orig_packets\":10,"
		"\"reply_bytes\":3565158,\"reply_packets\":2500,"
		"\"time\":" TIME_STR "}\n");
	memcpy(p.w.rdst, pub, 4);
	p.has_rate = 0;
	p.w.start_ns = 0;
	check_json(&p, 0,
		"{\"id\":3,\"family\":\"ipv4\",\"proto\":\"icmp\","
		"\"src\":\"192.168.1.2\",\"dst\":\"8.8.8.8\","
		"\"icmp_type\":8,\"icmp_code\":0,"
		"\"reply_src\":\"8.8.8.8\",\"reply_dst\":\"198.51.100.7\","
		"\"orig_bytes\":84,\"orig_packets\":1,"
		"\"reply_bytes\":84,\"reply_packets\":1,"
		"\"time\":" TIME_STR "}\n");
}

static void test_json_bits(void **state)
{
	struct flow_entry e = tcp4();

	(void)state;
	check_json(&e, 1,
		"{\"id\":1,\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"state\":\"ESTABLISHED\",\"src\":\"10.0.0.1\",\"sport\":43210,"
		"\"dst\":\"93.184.216.34\",\"dport\":443,\"pid\":1234,"
		"\"process\":\"curl\",\"orig_bytes\":1536,\"orig_packets\":10,"
		"\"reply_bytes\":3565158,\"reply_packets\":2500,"
		"\"orig_rate\":10004,\"reply_rate\":24000,\"age\":184,"
		"\"time\":" TIME_STR "}\n");
}

/* The value printed for one key of a one-flow JSON snapshot, or NULL. */
static char *json_field(const struct flow_entry *e, int bits, const char *key)
{
	struct print_opts po = { .json = 1, .bits = bits };
	char *out = print_one(&po, e), pat[64], *p, *val = NULL;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(out, pat);
	if (p) {
		p += strlen(pat);
		val = strndup(p, strcspn(p, ",}"));
	}
	free(out);
	return val;
}

static void check_field(const struct flow_entry *e, int bits, const char *key,
			const char *want)
{
	char *got = json_field(e, bits, key);

	if (!want) {
		if (got)
			fail_msg("%s present as %s", key, got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_json_numbers(void **state)
{
	struct flow_entry e = tcp4();

	(void)state;
	e.orig_rate = 1.0 / 3;
	e.reply_rate = 1e6;
	check_field(&e, 0, "orig_rate", "0.333");
	check_field(&e, 0, "reply_rate", "1000000");
	e.orig_rate = 2.25;
	e.reply_rate = 0.0004;
	check_field(&e, 0, "orig_rate", "2.25");
	check_field(&e, 0, "reply_rate", "0");
	check_field(&e, 1, "orig_rate", "18");

	/* Age: whole seconds, absent before timestamps or in the future. */
	e.w.start_ns = REAL_NS;
	check_field(&e, 0, "age", "0");
	e.w.start_ns = REAL_NS - SEC + 1;
	check_field(&e, 0, "age", "0");
	e.w.start_ns = REAL_NS + 1;
	check_field(&e, 0, "age", NULL);
	e.w.start_ns = 0;
	check_field(&e, 0, "age", NULL);

	/* Rates wait for their first interval. */
	e.has_rate = 0;
	check_field(&e, 0, "orig_rate", NULL);
	check_field(&e, 0, "reply_rate", NULL);

	/* Counters past 2^53 stay exact. */
	e.w.orig_bytes = UINT64_MAX;
	check_field(&e, 0, "orig_bytes", "18446744073709551615");
}

static void test_json_snapshot(void **state)
{
	struct flow_entry a = tcp4(), b = udp6(), c = icmp4();
	const struct flow_entry *v[3] = { &a, &b, &c };
	struct print_opts po = { .json = 1 };
	char *out = print_n(&po, v, 3), *line, *save = NULL;
	int lines = 0;

	(void)state;
	/* One object per line, each with the same time, nothing else. */
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);

		assert_true(line[0] == '{' && line[len - 1] == '}');
		assert_non_null(strstr(line, ",\"time\":" TIME_STR "}"));
		lines++;
	}
	assert_int_equal(lines, 3);
	free(out);

	out = print_n(&po, v, 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_hostile_comm(void **state)
{
	struct flow_entry e = tcp4();
	struct print_opts po = { 0 };
	char *out;

	(void)state;
	strcpy(e.w.comm, hostile);
	po.json = 1;
	out = print_one(&po, &e);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_non_null(strstr(out, "\"process\":\"\\u001b]0;pwned\\u0007\","));
	free(out);

	po.json = 0;
	out = print_one(&po, &e);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_non_null(strstr(out, " 1234/\\x1b]0;pwned\\x07 "));
	free(out);

	/* C1 CSI in UTF-8 form, a quote and invalid UTF-8. */
	strcpy(e.w.comm, "\xc2\x9b" "2J\"\xff");
	out = print_one(&po, &e);
	assert_non_null(strstr(out, " 1234/\\xc2\\x9b2J\"\\xff "));
	free(out);
	po.json = 1;
	out = print_one(&po, &e);
	assert_non_null(strstr(out, "\"process\":\"\\u009b2J\\\"\xef\xbf\xbd\","));
	free(out);
}

/* The documented layout: widths 7 17 47 47 12 24 23 12 13 13 11 11 7,
 * one space between columns, the first eight left-aligned, the rest
 * right-aligned. */
static void layout(char *buf, size_t sz, const char *const c[13])
{
	snprintf(buf, sz, "%-7s %-17s %-47s %-47s %-12s %-24s %-23s %-12s "
		 "%13s %13s %11s %11s %7s\n", c[0], c[1], c[2], c[3], c[4],
		 c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12]);
}

static void test_text_table(void **state)
{
	struct flow_entry a = tcp4(), b = udp6(), c = icmp4();
	const struct flow_entry *v[3] = { &a, &b, &c };
	struct users *users = users_fake();
	struct print_opts po = { .show_src = 1, .users = users };
	static const char *const rows[4][13] = {
		{ "PROTO", "STATE", "SRC", "DST", "SERVICE", "WHERE", "PROCESS",
		  "USER", "ORIG", "REPLY", "ORIG_B/s", "REPLY_B/s", "AGE" },
		{ "tcp", "ESTABLISHED", "10.0.0.1:43210", "93.184.216.34:443",
		  "-", "-", "1234/curl", "alice", "1.5k/10", "3.6M/2.5k",
		  "1.3k", "3.0k", "3m04s" },
		{ "udp", "-", "[2001:db8::1]:5353", "[ff02::fb]:5353", "-", "-",
		  "-", "-", "200/2", "0/0", "-", "-", "-" },
		{ "icmp", "-", "192.168.1.2", "8.8.8.8", "-", "-", "-", "-",
		  "84/1", "84/1", "0", "0", "1d03h" },
	};
	char want[2048] = "", line[512];
	char *out;

	(void)state;
	for (int r = 0; r < 4; r++) {
		layout(line, sizeof(line), rows[r]);
		strcat(want, line);
	}
	strcat(want, "\n");
	a.w.owner = FLOW_OWNER_SOCKET;
	a.w.uid = 1000;
	out = print_n(&po, v, 3);
	assert_string_equal(out, want);
	free(out);
	users_free(users);
}

static void test_text_aligned(void **state)
{
	struct flow_entry a = tcp4(), b = udp6(), c = icmp4();
	static const uint8_t wide[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
		0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78 };
	const struct flow_entry *v[3] = { &a, &b, &c };
	struct print_opts po = { .show_src = 1, .bits = 1 };
	char *out, *line, *save = NULL;
	size_t width = 0;
	int lines = 0;

	(void)state;
	/* The widest endpoints: a full IPv6 address with a 5-digit port. */
	memcpy(b.w.src, wide, 16);
	memcpy(b.w.dst, wide, 16);
	b.w.sport = b.w.dport = 65535;
	out = print_n(&po, v, 3);
	assert_non_null(strstr(out, "[2001:db8:1234:5678:9abc:def0:1234:5678]:65535 "));
	/* Every line as wide as the header, and the DST column starts at
	 * the same place on each. */
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!width) {
			width = strlen(line);
			assert_memory_equal(line + 74, "DST ", 4);
		}
		assert_int_equal(strlen(line), width);
		assert_true(line[73] == ' ' && line[74] != ' ');
		lines++;
	}
	assert_int_equal(lines, 4);
	free(out);
}

static void test_text_show_src(void **state)
{
	struct flow_entry a = tcp4(), b = udp6();
	struct print_opts po = { 0 };
	char *out;

	(void)state;
	/* Upstream hides the source port by default. */
	out = print_one(&po, &a);
	assert_non_null(strstr(out, " 10.0.0.1 "));
	assert_null(strstr(out, "43210"));
	assert_non_null(strstr(out, " 93.184.216.34:443 "));
	free(out);
	out = print_one(&po, &b);
	assert_non_null(strstr(out, " 2001:db8::1 "));
	assert_non_null(strstr(out, " [ff02::fb]:5353 "));
	free(out);

	po.show_src = 1;
	out = print_one(&po, &b);
	assert_non_null(strstr(out, " [2001:db8::1]:5353 "));
	free(out);
}

/* The tokens of the single row of a one-flow text snapshot. */
static int row_tokens(const struct print_opts *po, const struct flow_entry *e,
		      char tok[13][64])
{
	char *out = print_one(po, e), *save = NULL, *row, *t;
	int n = 0;

	row = strchr(out, '\n') + 1;
	row[strcspn(row, "\n")] = '\0';
	for (t = strtok_r(row, " ", &save); t && n < 13;
	     t = strtok_r(NULL, " ", &save))
		snprintf(tok[n++], 64, "%s", t);
	free(out);
	return n;
}

static void test_text_units(void **state)
{
	struct flow_entry e = tcp4();
	struct print_opts po = { 0 };
	char tok[13][64];
	static const struct {
		uint64_t bytes, pkts;
		const char *want;
	} counters[] = {
		{ 0, 0, "0/0" },
		{ 999, 999, "999/999" },
		{ 1023, 1000, "1.0k/1.0k" },
		{ 1024, 1500, "1.0k/1.5k" },
		{ 1536, 999999, "1.5k/1.0M" },
		{ 999949, 999950, "999.9k/1.0M" },
		{ 1048524, 12345678, "1.0M/12.3M" },
		{ 5ull << 30, 7000000000ull, "5.4G/7.0G" },
		{ UINT64_MAX, UINT64_MAX, "18.4E/18.4E" },
	};
	/* One of each shape: the screen's formatter, whose every case
	 * test_view.c checks. */
	static const struct {
		int64_t age;
		const char *want;
	} ages[] = {
		{ 12, "12s" }, { 184, "3m04s" }, { 7500, "2h05m" },
		{ 97200, "1d03h" }, { 8640000, "100d" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		e.w.orig_bytes = counters[i].bytes;
		e.w.orig_packets = counters[i].pkts;
		assert_int_equal(row_tokens(&po, &e, tok), 13);
		assert_string_equal(tok[8], counters[i].want);
	}
	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		e.w.start_ns = REAL_NS - (uint64_t)ages[i].age * SEC;
		row_tokens(&po, &e, tok);
		assert_string_equal(tok[12], ages[i].want);
	}
	e.w.start_ns = 0;
	row_tokens(&po, &e, tok);
	assert_string_equal(tok[12], "-");

	/* Rates: decimal multiples of bytes, or (-b) of bits, a second; the
	 * unit is the title's. */
	e.orig_rate = 512;
	e.reply_rate = 5.5 * 1024 * 1024;
	row_tokens(&po, &e, tok);
	assert_string_equal(tok[10], "512");
	assert_string_equal(tok[11], "5.8M");
	po.bits = 1;
	row_tokens(&po, &e, tok);
	assert_string_equal(tok[10], "4.1k");
	assert_string_equal(tok[11], "46.1M");
	{
		char *out = print_one(&po, &e);

		/* The titles say which unit. */
		assert_non_null(strstr(out, "  ORIG_bit/s REPLY_bit/s "));
		assert_null(strstr(out, "B/s"));
		free(out);
	}
	e.has_rate = 0;
	row_tokens(&po, &e, tok);
	assert_string_equal(tok[10], "-");
	assert_string_equal(tok[11], "-");
}

static void test_text_snapshots_separated(void **state)
{
	struct flow_entry a = tcp4();
	const struct flow_entry *v[1] = { &a };
	struct print_opts po = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(print_snapshot(f, &po, v, 1, REAL_NS), 0);
	assert_int_equal(print_snapshot(f, &po, v, 0, REAL_NS), 0);
	assert_int_equal(fclose(f), 0);
	/* header, row, blank line; then an empty snapshot: header, blank. */
	char *p = buf;
	int nl = 0;

	assert_true(strncmp(p, "PROTO ", 6) == 0);
	p = strchr(p, '\n') + 1;
	assert_true(strncmp(p, "tcp ", 4) == 0);
	p = strchr(p, '\n') + 1;
	assert_true(*p == '\n');
	p++;
	assert_true(strncmp(p, "PROTO ", 6) == 0);
	p = strchr(p, '\n') + 1;
	assert_string_equal(p, "\n");
	for (p = buf; *p; p++)
		nl += *p == '\n';
	assert_int_equal(nl, 5);
	free(buf);
}

static void test_write_error(void **state)
{
	struct flow_entry a = tcp4();
	const struct flow_entry *v[1] = { &a };
	struct print_opts po = { 0 };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip_or_fail("cannot open /dev/full: %s", strerror(errno));
	assert_int_equal(print_snapshot(f, &po, v, 1, REAL_NS), -1);
	fclose(f);
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	po.json = 1;
	assert_int_equal(print_snapshot(f, &po, v, 1, REAL_NS), -1);
	fclose(f);
}

/* ---- the hand-written number and address writers against printf ---- */

/* xorshift64: the same values on every run. */
static uint64_t test_rng(void)
{
	static uint64_t x = 0x2545f4914f6cdd1dull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* What the JSON writer printed before it stopped using printf. */
static void ref_rate(char *buf, size_t sz, double v)
{
	int n = snprintf(buf, sz, "%.3f", v);

	assert_true(n > 0 && (size_t)n < sz);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

/* The value of key in one JSON line, up to the next , or }. */
static void line_field(const char *line, const char *key, char *out,
		       size_t sz)
{
	char pat[64];
	const char *p;
	size_t len;

	snprintf(pat, sizeof(pat), ",\"%s\":", key);
	p = strstr(line, pat);
	assert_non_null(p);
	p += strlen(pat);
	len = strcspn(p, ",}");
	assert_true(len < sz);
	memcpy(out, p, len);
	out[len] = '\0';
}

#define RATE_BATCH 500

/* Print the rates v[0..n), n <= 2 * RATE_BATCH, two to a flow, and check
 * each against ref_rate. */
static void check_rates(const double *v, size_t n)
{
	static struct flow_entry f[RATE_BATCH];
	const struct flow_entry *pf[RATE_BATCH];
	struct print_opts po = { .json = 1 };
	char *out, *line, *save = NULL, got[400], want[400];
	size_t flows = (n + 1) / 2, i = 0;

	for (size_t k = 0; k < flows; k++) {
		f[k] = tcp4();
		f[k].orig_rate = v[2 * k];
		f[k].reply_rate = 2 * k + 1 < n ? v[2 * k + 1] : 0;
		pf[k] = &f[k];
	}
	out = print_n(&po, pf, flows);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i += 2) {
		for (size_t j = 0; j < 2 && i + j < n; j++) {
			line_field(line, j ? "reply_rate" : "orig_rate", got,
				   sizeof(got));
			ref_rate(want, sizeof(want), v[i + j]);
			if (strcmp(got, want))
				fail_msg("rate %a: got %s, printf says %s",
					 v[i + j], got, want);
		}
	}
	assert_int_equal(i, 2 * flows);
	free(out);
}

/* A random double for the rate test: anywhere from subnormal to DBL_MAX,
 * mostly where rates live, and often a tie or near-tie at 3 decimals. */
static double random_rate(void)
{
	uint64_t r = test_rng(), bits;
	double mant = (double)(test_rng() >> 11) / 0x1p53, v;

	switch (r % 5) {
	case 0:         /* any finite positive double */
		do {
			bits = test_rng() >> 1;
			memcpy(&v, &bits, sizeof(v));
		} while (!isfinite(v));
		return v;
	case 1:         /* 2^-20 .. 2^70 */
		return ldexp(mant, (int)(r >> 8) % 90 - 20);
	case 2:         /* exact ties: odd sixteenths, any integer part */
		return (double)(test_rng() >> (r >> 8) % 64 | 1) / 16;
	case 3:         /* next to a decimal tie k + 0.0005 */
		v = (double)(test_rng() % 100000000) / 1000 + 0.0005;
		return r >> 8 & 1 ? nextafter(v, 0) : nextafter(v, INFINITY);
	default:        /* a byte count over an interval near 1 s */
		return (double)(test_rng() % 10000000000ull) / (0.9 + mant / 5);
	}
}

static void test_json_rate_matches_printf(void **state)
{
	static const double edge[] = {
		0.0, -0.0, 0.0005, 0.0015, 0.0025, 999.9995, 0.0004999,
		0.00049999999999999999, 0.0625, 0.1875, 2.0625, 1.0005, 0.001,
		0.999, 0.9995, 0.99949999, 1.0 / 3, 2.0 / 3, 1e-3, 1e-300,
		4.9406564584124654e-324, 2.2250738585072014e-308,
		0x1p-11, 0x1.0000000000001p-11, 0x1.fffffffffffffp-12,
		1e15, 1e15 + 0.5, 1e300, 1.7976931348623157e308,
		0x1p52 - 0.5, 0x1p52, 0x1p52 + 1, 0x1p53, 9007199254740993.0,
		0x1p53 + 2, 0x1p63, 0x1.fffffffffffffp63, 0x1p64, 0x1p64 * 3,
		18446744073709551615.0, 4503599627370495.5,
	};
	double v[2 * RATE_BATCH];

	(void)state;
	check_rates(edge, sizeof(edge) / sizeof(edge[0]));
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < 2 * RATE_BATCH; i++)
			v[i] = random_rate();
		check_rates(v, 2 * RATE_BATCH);
	}
}

/* Print flows whose counters are v[0..n), n <= RATE_BATCH, and check them
 * against PRIu64; the addresses against inet_ntop. */
static void check_counters(const uint64_t *v, size_t n)
{
	static struct flow_entry f[RATE_BATCH];
	const struct flow_entry *pf[RATE_BATCH];
	struct print_opts po = { .json = 1 };
	char *out, *line, *save = NULL, got[64], want[64];
	size_t i = 0;

	for (size_t k = 0; k < n; k++) {
		f[k] = tcp4();
		f[k].w.orig_bytes = v[k];
		f[k].w.reply_packets = ~v[k];
		f[k].w.id = (uint32_t)v[k];
		memcpy(f[k].w.dst, &v[k], 4);
		pf[k] = &f[k];
	}
	out = print_n(&po, pf, n);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		line_field(line, "orig_bytes", got, sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		assert_string_equal(got, want);
		line_field(line, "reply_packets", got, sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, ~v[i]);
		assert_string_equal(got, want);
		snprintf(want, sizeof(want), "{\"id\":%" PRIu32 ",",
			 (uint32_t)v[i]);
		assert_true(strncmp(line, want, strlen(want)) == 0);
		line_field(line, "dst", got, sizeof(got));
		want[0] = '"';
		inet_ntop(AF_INET, f[i].w.dst, want + 1, sizeof(want) - 2);
		strcat(want, "\"");
		assert_string_equal(got, want);
	}
	assert_int_equal(i, n);
	free(out);
}

static void test_json_integers_match_printf(void **state)
{
	uint64_t v[RATE_BATCH];
	size_t n = 0;

	(void)state;
	/* Every length boundary: 10^k and 2^k, and one less. */
	for (uint64_t p = 1; ; p *= 10) {
		v[n++] = p;
		v[n++] = p - 1;
		if (p > UINT64_MAX / 10)
			break;
	}
	for (int k = 0; k < 64; k++) {
		v[n++] = UINT64_C(1) << k;
		v[n++] = (UINT64_C(1) << k) - 1;
	}
	v[n++] = 9;
	v[n++] = 10;
	v[n++] = UINT64_MAX;
	v[n++] = UINT64_MAX - 1;
	v[n++] = 0x0a6409ff;       /* 255.9.100.10 */
	check_counters(v, n);
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < RATE_BATCH; i++)
			v[i] = test_rng() >> test_rng() % 64;
		check_counters(v, RATE_BATCH);
	}
}

/* The JSON of an IPv6 flow from src to dst gives both as inet_ntop
 * writes them, byte for byte. */
static void check_ipv6_pair(const uint8_t *src, const uint8_t *dst)
{
	struct flow_entry e = udp6();
	const struct flow_entry *pe = &e;
	struct print_opts po = { .json = 1 };
	char got[64], want[64], *out;

	memcpy(e.w.src, src, 16);
	memcpy(e.w.dst, dst, 16);
	out = print_n(&po, &pe, 1);
	for (int d = 0; d < 2; d++) {
		line_field(out, d ? "dst" : "src", got, sizeof(got));
		want[0] = '"';
		inet_ntop(AF_INET6, d ? dst : src, want + 1, sizeof(want) - 2);
		strcat(want, "\"");
		assert_string_equal(got, want);
	}
	free(out);
}

/* Each address of a[0..n) as a source, and as the destination of the
 * address n - 1 places back. */
static void check_ipv6(const uint8_t (*a)[16], size_t n)
{
	for (size_t k = 0; k < n; k++)
		check_ipv6_pair(a[k], a[n - 1 - k]);
}

/* Every pattern of zero and non-zero words (the compression), with the
 * non-zero words 1, ffff or random (the mapped and compatible IPv4
 * forms, leading zeros), then random addresses. */
static void test_json_ipv6_matches_inet_ntop(void **state)
{
	static uint8_t a[RATE_BATCH][16];
	size_t n = 0;

	(void)state;
	for (int round = 0; round < 3; round++) {
		for (unsigned mask = 0; mask < 256; mask++) {
			for (int i = 0; i < 8; i++) {
				unsigned v = round == 0 ? 1 : round == 1 ?
					0xffff : (unsigned)test_rng() & 0xffff;

				v = mask >> i & 1 ? v : 0;
				a[n][2 * i] = (uint8_t)(v >> 8);
				a[n][2 * i + 1] = (uint8_t)v;
			}
			if (++n == RATE_BATCH) {
				check_ipv6((const uint8_t (*)[16])a, n);
				n = 0;
			}
		}
	}
	for (int round = 0; round < 4 * RATE_BATCH; round++) {
		for (int i = 0; i < 16; i++)
			a[n][i] = (uint8_t)(test_rng() >> (test_rng() % 2 * 60));
		if (++n == RATE_BATCH) {
			check_ipv6((const uint8_t (*)[16])a, n);
			n = 0;
		}
	}
	if (n)
		check_ipv6((const uint8_t (*)[16])a, n);
}

/* Lines far longer than the writer's buffer come out whole: a snapshot
 * is the same bytes as its flows printed one at a time. */
static const char *long_text;

static void long_annot(void *ctx, uint8_t family, const uint8_t *addr,
		       struct print_annot *out)
{
	(void)ctx;
	(void)family;
	(void)addr;
	memset(out, 0, sizeof(*out));
	out->name = out->country = out->country_name = long_text;
	out->city = out->as_org = long_text;
	out->asn = 64512;
}

static const char *long_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	(void)ctx;
	(void)l4proto;
	(void)port;
	return long_text;
}

static void test_json_long_lines(void **state)
{
	struct flow_entry f[20];
	const struct flow_entry *v[20];
	struct print_opts po = { .json = 1, .annot = long_annot,
				 .service = long_service };
	char text[1100], want[6 * 1024 + 32], *all, *one, *joined;
	size_t len = 0;

	(void)state;
	/* Each byte escaped to 6; only the first 1024 are kept. */
	memset(text, '\x01', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	long_text = text;
	strcpy(want, ",\"service\":\"");
	for (int i = 0; i < 1024; i++)
		strcat(want, "\\u0001");
	strcat(want, "\",");
	joined = calloc(20, 12 * sizeof(want));
	assert_non_null(joined);
	for (int i = 0; i < 20; i++) {
		f[i] = i % 2 ? udp6() : tcp4();
		f[i].w.id = (uint32_t)i;
		v[i] = &f[i];
		one = print_one(&po, &f[i]);
		assert_non_null(strstr(one, want));
		memcpy(joined + len, one, strlen(one) + 1);
		len += strlen(one);
		free(one);
	}
	assert_true(len > 20 * 11 * 6 * 1024);   /* 11 long fields a line */
	all = print_n(&po, v, 20);
	assert_string_equal(all, joined);
	free(all);
	free(joined);
}

/* A stand-in for the ui's annotation table: what a hostile resolver
 * might say about 93.184.216.34, the destination of tcp4(). */
static void fake_annot(void *ctx, uint8_t family, const uint8_t *addr,
		       struct print_annot *out)
{
	static const uint8_t dst[4] = { 93, 184, 216, 34 };

	(void)ctx;
	memset(out, 0, sizeof(*out));
	if (family != FLOW_FAM_IPV4 || memcmp(addr, dst, 4))
		return;
	out->name = "evil\x1b[31m.example";
	out->country = "GB";
	out->country_name = "United Kingdom";
	out->city = "Z\xc3\xbcrich\x07";
	out->asn = 1221;
	out->as_org = "Telstra \"Pty\" Ltd";
}

static const char *fake_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	(void)ctx;
	return l4proto == IPPROTO_TCP && port == 443 ? "https" : NULL;
}

static void test_annotations(void **state)
{
	struct flow_entry a = tcp4();
	const struct flow_entry *v[1] = { &a };
	struct print_opts po = { .json = 1, .annot = fake_annot,
				 .service = fake_service };
	char *out;

	(void)state;
	out = print_n(&po, v, 1);
	/* DESIGN.md's order; every string escaped for JSON. */
	assert_non_null(strstr(out, "\"dport\":443,\"service\":\"https\","
		"\"dst_name\":\"evil\\u001b[31m.example\",\"dst_country\":\"GB\","
		"\"dst_country_name\":\"United Kingdom\","
		"\"dst_city\":\"Z\xc3\xbcrich\\u0007\",\"dst_asn\":1221,"
		"\"dst_as_org\":\"Telstra \\\"Pty\\\" Ltd\""));
	assert_null(strstr(out, "src_name"));
	assert_null(strchr(out, 0x1b));
	free(out);

	po.json = 0;
	out = print_n(&po, v, 1);
	assert_non_null(strstr(out, "evil\\x1b[31m.example:443 "));
	assert_non_null(strstr(out, " https "));
	assert_non_null(strstr(out, " GB Z\xc3\xbcrich\\x07 AS1221 "));
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_tcp4),
		cmocka_unit_test(test_json_udp6_absent_fields),
		cmocka_unit_test(test_json_icmp),
		cmocka_unit_test(test_json_nat),
		cmocka_unit_test(test_json_bits),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_json_snapshot),
		cmocka_unit_test(test_json_rate_matches_printf),
		cmocka_unit_test(test_json_integers_match_printf),
		cmocka_unit_test(test_json_ipv6_matches_inet_ntop),
		cmocka_unit_test(test_json_long_lines),
		cmocka_unit_test(test_owner_uid_hidden),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_text_aligned),
		cmocka_unit_test(test_text_show_src),
		cmocka_unit_test(test_text_units),
		cmocka_unit_test(test_text_snapshots_separated),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
