/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of replay/rp_line.c: a recorded line read back. What
 * ui/print.c writes comes back as it was; what a hostile file holds is
 * refused with its reason, never read past its end. Every line is parsed
 * from a heap block of exactly its length, without a NUL, so that a read
 * past the end is an AddressSanitizer report in the unit-san build. */
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <cmocka.h>
#include "tests/unit/fake_users.h"

#include "replay/rp_line.h"
#include "ui/flow_table.h"
#include "ui/owners.h"
#include "ui/print.h"

#define SEC 1000000000ull
/* 2023-11-14 22:13:20.123456789 UTC; printed to the microsecond. */
#define REAL_NS (1700000000ull * SEC + 123456789ull)
#define TIME_NS (1700000000ull * SEC + 123456000ull)

/* rp_line_parse of len bytes of s, copied to a block of that size. */
static int parse_n(const char *s, size_t len, struct rp_line *l,
		   const char **why)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	*why = NULL;
	r = rp_line_parse(copy, len, l, why);
	free(copy);
	return r;
}

static int parse(const char *s, struct rp_line *l, const char **why)
{
	return parse_n(s, strlen(s), l, why);
}

static void parse_ok(const char *s, struct rp_line *l)
{
	const char *why;

	if (parse(s, l, &why) < 0)
		fail_msg("refused (%s): %s", why, s);
}

static void refused_n(const char *s, size_t len, const char *want)
{
	struct rp_line l;
	const char *why;

	if (parse_n(s, len, &l, &why) == 0)
		fail_msg("accepted: %.*s", (int)len, s);
	assert_non_null(why);
	if (strcmp(why, want))
		fail_msg("\"%s\" instead of \"%s\": %.*s", why, want,
			 (int)len, s);
}

static void refused(const char *s, const char *want)
{
	refused_n(s, strlen(s), want);
}

static int label_bit(const uint8_t labels[16], unsigned n)
{
	unsigned long words[2];
	const unsigned per = 8 * sizeof(unsigned long);

	memcpy(words, labels, sizeof(words));
	return !!(words[n / per] >> (n % per) & 1);
}

static void label_set(uint8_t labels[16], unsigned n)
{
	unsigned long words[2];
	const unsigned per = 8 * sizeof(unsigned long);

	memcpy(words, labels, sizeof(words));
	words[n / per] |= 1ul << (n % per);
	memcpy(labels, words, sizeof(words));
}

/* A line with every key flowtop writes, and a few it does not know. */
static const char full_line[] =
	"{\"event\":\"update\",\"id\":4242,\"family\":\"ipv4\","
	"\"proto\":\"tcp\",\"state\":\"TIME_WAIT\",\"src\":\"10.0.0.1\","
	"\"sport\":43210,\"dst\":\"93.184.216.34\",\"dport\":443,"
	"\"service\":\"https\",\"src_name\":\"laptop.lan\","
	"\"dst_name\":\"example.com\",\"src_country\":\"FR\","
	"\"dst_country\":\"US\",\"src_country_name\":\"France\","
	"\"dst_country_name\":\"United States\",\"src_city\":\"Paris\","
	"\"dst_city\":\"Z\\u00fcrich\",\"src_asn\":3215,\"dst_asn\":15133,"
	"\"src_as_org\":\"Orange\",\"dst_as_org\":\"Edgecast \\\"Inc\\\"\","
	"\"pid\":1234,\"process\":\"curl\",\"uid\":1000,\"user\":\"alice\","
	"\"cmdline\":\"curl -s https://example.com/\","
	"\"exe\":\"/usr/bin/curl\",\"unit\":\"session-2.scope\","
	"\"container\":\"docker:0123456789ab\",\"netns\":\"blue\","
	"\"cgroup\":\"/user.slice/session-2.scope\",\"exited\":true,"
	"\"reply_src\":\"93.184.216.35\",\"reply_sport\":8443,"
	"\"reply_dst\":\"198.51.100.7\",\"reply_dport\":61000,"
	"\"zone\":7,\"mark\":4294967295,\"labels\":[3,70],"
	"\"orig_bytes\":1536,\"orig_packets\":10,"
	"\"reply_bytes\":18446744073709551615,\"reply_packets\":2500,"
	"\"orig_rate\":1250.5,\"reply_rate\":0,\"age\":184,"
	"\"time\":1700000000.123456}";

static void test_full_line(void **state)
{
	struct rp_line l;
	const struct flow_wire *w = &l.w;
	static const uint8_t src[16] = { 10, 0, 0, 1 },
		dst[16] = { 93, 184, 216, 34 }, rsrc[16] = { 93, 184, 216, 35 },
		rdst[16] = { 198, 51, 100, 7 };

	(void)state;
	parse_ok(full_line, &l);
	assert_int_equal(l.event, RP_EV_UPDATE);
	assert_int_equal(l.time_ns, TIME_NS);
	assert_int_equal(w->id, 4242);
	assert_int_equal(w->family, FLOW_FAM_IPV4);
	assert_int_equal(w->l4proto, IPPROTO_TCP);
	assert_int_equal(w->state, TCP_CONNTRACK_TIME_WAIT);
	assert_memory_equal(w->src, src, 16);
	assert_memory_equal(w->dst, dst, 16);
	assert_memory_equal(w->rsrc, rsrc, 16);
	assert_memory_equal(w->rdst, rdst, 16);
	assert_int_equal(w->sport, 43210);
	assert_int_equal(w->dport, 443);
	assert_int_equal(w->rsport, 8443);
	assert_int_equal(w->rdport, 61000);
	assert_int_equal(w->icmp_type, 0);
	assert_int_equal(w->icmp_code, 0);
	assert_int_equal(w->icmp_id, 0);
	assert_int_equal(w->zone, 7);
	assert_int_equal(w->mark, 4294967295u);
	for (unsigned i = 0; i < FLOW_LABELS; i++)
		assert_int_equal(flow_label_bit(w, i), i == 3 || i == 70);
	assert_int_equal(w->orig_bytes, 1536);
	assert_int_equal(w->orig_packets, 10);
	assert_true(w->reply_bytes == UINT64_MAX);
	assert_int_equal(w->reply_packets, 2500);
	assert_int_equal(w->start_ns, TIME_NS - 184 * SEC);
	assert_int_equal(w->pid, 1234);
	assert_string_equal(w->comm, "curl");
	assert_int_equal(w->uid, 1000);
	assert_int_equal(w->owner, FLOW_OWNER_SOCKET);
	assert_int_equal(flow_owner_tag(w), 0);
	assert_int_equal(w->event, FLOW_EV_DUMP);
	assert_string_equal(l.service, "https");
	assert_string_equal(l.src.name, "laptop.lan");
	assert_string_equal(l.dst.name, "example.com");
	assert_string_equal(l.src.country, "FR");
	assert_string_equal(l.dst.country, "US");
	assert_string_equal(l.src.country_name, "France");
	assert_string_equal(l.dst.country_name, "United States");
	assert_string_equal(l.src.city, "Paris");
	assert_string_equal(l.dst.city, "Z\xc3\xbcrich");
	assert_int_equal(l.src.asn, 3215);
	assert_int_equal(l.dst.asn, 15133);
	assert_string_equal(l.src.as_org, "Orange");
	assert_string_equal(l.dst.as_org, "Edgecast \"Inc\"");
	assert_string_equal(l.own.cmdline, "curl -s https://example.com/");
	assert_string_equal(l.own.exe, "/usr/bin/curl");
	assert_string_equal(l.own.cgroup, "/user.slice/session-2.scope");
	assert_string_equal(l.own.netns, "blue");
	assert_int_equal(l.own.exited, 1);
}

/* Keys come in any order; blanks between tokens are JSON's four. */
static void test_order_and_blanks(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(" \t{ \"time\" :\t12.5 ,\r\n\"dport\" : 53 , \"sport\":1,"
		 "\"dst\":\"::1\",\"src\":\"2001:db8::2\",\"proto\":\"udp\","
		 "\"family\":\"ipv6\",\"id\":9,\"event\":\"end\" } \t", &l);
	assert_int_equal(l.event, RP_EV_END);
	assert_int_equal(l.time_ns, 12 * SEC + 500000000);
	assert_int_equal(l.w.family, FLOW_FAM_IPV6);
	assert_int_equal(l.w.l4proto, IPPROTO_UDP);
	assert_int_equal(l.w.state, FLOW_STATE_NONE);
	assert_int_equal(l.w.src[0], 0x20);
	assert_int_equal(l.w.src[15], 2);
	assert_int_equal(l.w.dst[15], 1);
	/* No reply tuple: the original swapped. */
	assert_memory_equal(l.w.rsrc, l.w.dst, 16);
	assert_memory_equal(l.w.rdst, l.w.src, 16);
	assert_int_equal(l.w.rsport, 53);
	assert_int_equal(l.w.rdport, 1);
	assert_int_equal(l.w.owner, FLOW_OWNER_NONE);
	assert_int_equal(l.w.start_ns, 0);
}

/* ---- round trip through print_events ---- */

static const struct fake_user rt_users[] = {
	{ 0, "root" }, { 1000, "alice" }, { 1001, "bob" },
};

static const char long_name[] =
	"a-very-long-host-name-that-goes-on-and-on-and-on-and-on-and-on-"
	"a-very-long-host-name-that-goes-on-and-on-and-on-and-on-and-on-"
	"a-very-long-host-name-that-goes-on-and-on-and-on-and-on-and-on-"
	"a-very-long-host-name-that-goes-on-and-on-and-on-and-on-and-on-"
	"tail.example";

/* Names and places keyed on the address's first byte. */
static void rt_annot(void *ctx, uint8_t family, const uint8_t *addr,
		     struct print_annot *out)
{
	(void)ctx;
	(void)family;
	memset(out, 0, sizeof(*out));
	switch (addr[0]) {
	case 93:
		out->name = long_name;
		out->country = "GB";
		out->country_name = "United Kingdom";
		out->city = "Z\xc3\xbcrich\x07";
		out->as_org = "Telstra \"Pty\" Ltd";
		out->asn = 1221;
		break;
	case 10:
		out->name = "laptop.lan";
		break;
	case 0x20:
		out->name = "evil\x1b[31m.example";
		out->country = "gb";
		out->city = "Tab\there";
		out->asn = 4294967295u;
		break;
	case 8:
		out->country = "GBR";
		out->country_name = "\xf0\x9f\x87\xac\xf0\x9f\x87\xa7";
		break;
	}
}

static const char *rt_service(void *ctx, uint8_t l4proto, uint16_t port)
{
	(void)ctx;
	if (l4proto == IPPROTO_TCP && port == 443)
		return "https";
	if (l4proto == IPPROTO_UDP)
		return "a-service-name-longer-than-its-field";
	return NULL;
}

static void rt_swap(struct flow_wire *w)
{
	memcpy(w->rsrc, w->dst, sizeof(w->rsrc));
	memcpy(w->rdst, w->src, sizeof(w->rdst));
	w->rsport = w->dport;
	w->rdport = w->sport;
}

static void rt_v4(struct flow_wire *w, uint8_t l4, uint32_t s, uint32_t d)
{
	w->family = FLOW_FAM_IPV4;
	w->l4proto = l4;
	w->state = FLOW_STATE_NONE;
	s = htonl(s);
	d = htonl(d);
	memcpy(w->src, &s, 4);
	memcpy(w->dst, &d, 4);
}

static void rt_v6(struct flow_wire *w, uint8_t l4, uint8_t s0, uint8_t d0)
{
	w->family = FLOW_FAM_IPV6;
	w->l4proto = l4;
	w->state = FLOW_STATE_NONE;
	w->src[0] = s0;
	w->src[1] = 0x01;
	w->src[15] = 0x42;
	w->dst[0] = d0;
	w->dst[15] = 0x99;
}

#define RT_N 8
#define RT_OWNER_PID 1234
#define RT_OWNER_START 0x12abcdefull
#define RT_GONE_PID 77

/* TCP/IPv4 10.0.0.1:43210 -> 93.184.216.34:443, ESTABLISHED, its
 * process known (details and user), rates (one too big for a uint64),
 * 184 s old. */
static void rt_tcp4(struct flow_entry *e)
{
	rt_v4(&e->w, IPPROTO_TCP, 0x0a000001, 0x5db8d822);
	e->w.state = TCP_CONNTRACK_ESTABLISHED;
	e->w.sport = 43210;
	e->w.dport = 443;
	rt_swap(&e->w);
	e->w.owner = FLOW_OWNER_SOCKET;
	e->w.uid = 1000;
	e->w.pid = RT_OWNER_PID;
	flow_set_owner_tag(&e->w, RT_OWNER_START);
	strcpy(e->w.comm, "curl");
	e->w.orig_bytes = 1536;
	e->w.orig_packets = 10;
	e->w.reply_bytes = 3565158;
	e->w.reply_packets = 2500;
	e->w.start_ns = REAL_NS - 184 * SEC - 5;
	e->has_rate = 1;
	e->orig_rate = 1250.5;
	e->reply_rate = 1e300;
}

/* UDP/IPv6, no state, counters at their limit, its exited owner with
 * a hostile comm. */
static void rt_udp6(struct flow_entry *e)
{
	rt_v6(&e->w, IPPROTO_UDP, 0x20, 0xff);
	e->w.sport = 5353;
	e->w.dport = 65535;
	rt_swap(&e->w);
	e->w.owner = FLOW_OWNER_SOCKET;
	e->w.uid = 0;
	e->w.pid = RT_GONE_PID;
	flow_set_owner_tag(&e->w, 5);
	strcpy(e->w.comm, "a\x1b[2J\"\\b");
	e->w.orig_bytes = UINT64_MAX;
	e->w.orig_packets = UINT64_MAX;
	e->w.reply_bytes = 1;
	e->w.start_ns = REAL_NS - 1 * SEC;
}

/* ICMP echo to 8.8.8.8, no owner, no age (the echo id is not recorded). */
static void rt_icmp(struct flow_entry *e)
{
	rt_v4(&e->w, IPPROTO_ICMP, 0xc0a80102, 0x08080808);
	e->w.icmp_type = 8;
	e->w.icmp_id = 77;
	rt_swap(&e->w);
	e->w.orig_bytes = 84;
	e->w.orig_packets = 1;
}

/* ICMPv6 echo, its reply tuple changed by NAT (no ports), owner none
 * but a pid and comm (print writes them whatever the owner). */
static void rt_icmp6(struct flow_entry *e)
{
	rt_v6(&e->w, IPPROTO_ICMPV6, 0x20, 0x26);
	e->w.icmp_type = 128;
	e->w.icmp_code = 255;
	rt_swap(&e->w);
	e->w.rdst[15] = 0x07;
	e->w.pid = MSG_PID_MAX;
	strcpy(e->w.comm, "ping6-fifteen-b");
	e->w.start_ns = REAL_NS - 3 * 86400 * SEC;
}

/* DNAT'd TCP with zone, mark and labels, another user's process. */
static void rt_nat(struct flow_entry *e)
{
	static const unsigned bits[] = { 0, 63, 64, 127 };

	rt_v4(&e->w, IPPROTO_TCP, 0xc6336401, 0xcb007105);
	e->w.state = TCP_CONNTRACK_SYN_SENT;
	e->w.sport = 1;
	e->w.dport = 80;
	rt_swap(&e->w);
	e->w.rsrc[3] = 9;
	e->w.rsport = 8080;
	e->w.rdport = 61000;
	e->w.id = UINT32_MAX;
	e->w.zone = 65535;
	e->w.mark = 0xdeadbeef;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		label_set(e->w.labels, bits[i]);
	e->w.owner = FLOW_OWNER_HIDDEN;
	e->w.uid = 1001;
}

/* SCTP/IPv6 in its kernel state 0 ("NONE"), with a socket owner whose
 * process is not known. */
static void rt_sctp(struct flow_entry *e)
{
	rt_v6(&e->w, IPPROTO_SCTP, 0xfe, 0xfe);
	e->w.state = SCTP_CONNTRACK_NONE;
	e->w.sport = 0;
	e->w.dport = 0;
	rt_swap(&e->w);
	e->w.owner = FLOW_OWNER_SOCKET;
	e->w.uid = 4000000000u;
}

static void rt_dccp(struct flow_entry *e)
{
	rt_v4(&e->w, IPPROTO_DCCP, 0, 0xffffffff);
	e->w.state = 9;         /* DCCP_CONNTRACK_INVALID */
	e->w.sport = 65535;
	e->w.dport = 443;
	rt_swap(&e->w);
}

static void rt_udplite(struct flow_entry *e)
{
	rt_v4(&e->w, IPPROTO_UDPLITE, 0x7f000001, 0x7f000001);
	e->w.sport = 1000;
	e->w.dport = 1000;
	rt_swap(&e->w);
	e->w.start_ns = REAL_NS;     /* age 0 */
}

static void rt_make(struct flow_entry f[RT_N])
{
	static void (*const make[RT_N])(struct flow_entry *) = {
		rt_tcp4, rt_udp6, rt_icmp, rt_icmp6, rt_nat, rt_sctp,
		rt_dccp, rt_udplite,
	};

	memset(f, 0, RT_N * sizeof(*f));
	for (int i = 0; i < RT_N; i++) {
		f[i].w.id = 100 + (uint32_t)i;
		f[i].w.event = FLOW_EV_DUMP;
		make[i](&f[i]);
	}
}

static struct owners *rt_owners(void)
{
	struct owners *t = owners_new();
	struct msg_owner m;

	assert_non_null(t);
	memset(&m, 0, sizeof(m));
	m.pid = RT_OWNER_PID;
	m.uid = 1000;
	m.start = RT_OWNER_START;
	strcpy(m.comm, "curl");
	strcpy(m.cmdline, "curl -s https://example.com/?a=1 --header ?X?");
	strcpy(m.exe, "/usr/bin/curl");
	strcpy(m.cgroup, "/system.slice/docker-"
	       "0123456789abcdef0123456789abcdef"
	       "0123456789abcdef0123456789abcdef.scope");
	strcpy(m.netns, "net:[4026532178]");
	assert_int_equal(owners_put(t, &m), 0);
	memset(&m, 0, sizeof(m));
	m.pid = RT_GONE_PID;
	m.start = 5;
	strcpy(m.cmdline, "x");
	assert_int_equal(owners_put(t, &m), 0);
	owners_gone(t, RT_GONE_PID, 5);
	return t;
}

/* What the replay should make of w: the recorded fields as they were. */
static struct flow_wire rt_expect(const struct flow_wire *w)
{
	struct flow_wire x = *w;
	uint64_t age;

	x.icmp_id = 0;
	memset(x.owner_tag, 0, sizeof(x.owner_tag));
	x.event = FLOW_EV_DUMP;
	x.start_ns = 0;
	if (w->start_ns && w->start_ns <= REAL_NS) {
		age = (REAL_NS - w->start_ns) / SEC;
		x.start_ns = TIME_NS - age * SEC;
	}
	return x;
}

static void rt_check_wire(const struct flow_wire *got,
			  const struct flow_wire *w)
{
	struct flow_wire x = rt_expect(w);

	assert_int_equal(got->orig_bytes, x.orig_bytes);
	assert_int_equal(got->orig_packets, x.orig_packets);
	assert_int_equal(got->reply_bytes, x.reply_bytes);
	assert_int_equal(got->reply_packets, x.reply_packets);
	assert_int_equal(got->start_ns, x.start_ns);
	assert_int_equal(got->id, x.id);
	assert_int_equal(got->pid, x.pid);
	assert_int_equal(got->mark, x.mark);
	assert_memory_equal(got->src, x.src, 16);
	assert_memory_equal(got->dst, x.dst, 16);
	assert_memory_equal(got->rsrc, x.rsrc, 16);
	assert_memory_equal(got->rdst, x.rdst, 16);
	assert_int_equal(got->sport, x.sport);
	assert_int_equal(got->dport, x.dport);
	assert_int_equal(got->rsport, x.rsport);
	assert_int_equal(got->rdport, x.rdport);
	assert_int_equal(got->icmp_id, 0);
	assert_int_equal(got->icmp_type, x.icmp_type);
	assert_int_equal(got->icmp_code, x.icmp_code);
	assert_int_equal(got->event, FLOW_EV_DUMP);
	assert_int_equal(got->family, x.family);
	assert_int_equal(got->l4proto, x.l4proto);
	assert_int_equal(got->state, x.state);
	assert_memory_equal(got->comm, x.comm, sizeof(x.comm));
	assert_int_equal(got->uid, x.uid);
	assert_int_equal(got->owner, x.owner);
	assert_memory_equal(got->owner_tag, x.owner_tag, 3);
	assert_int_equal(got->zone, x.zone);
	assert_memory_equal(got->labels, x.labels, 16);
	assert_int_equal(flow_wire_check(got, NULL), 0);
}

/* s cut to n - 1 bytes, as a field of n bytes holds it (ASCII only). */
static void assert_cut(const char *got, const char *s, size_t n)
{
	char want[1100];
	size_t len = s ? strlen(s) : 0;

	assert_true(n <= sizeof(want));
	if (len > n - 1)
		len = n - 1;
	memcpy(want, s ? s : "", len);
	want[len] = '\0';
	assert_string_equal(got, want);
}

static void assert_country(const char *got, const char *s)
{
	int ok = s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' &&
		 s[1] >= 'A' && s[1] <= 'Z';

	assert_string_equal(got, ok ? s : "");
}

static void rt_check_place(const struct rp_place *got,
			   const struct flow_wire *w, const uint8_t *addr)
{
	struct print_annot a;

	rt_annot(NULL, w->family, addr, &a);
	assert_cut(got->name, a.name, sizeof(got->name));
	assert_country(got->country, a.country);
	assert_cut(got->country_name, a.country_name,
		   sizeof(got->country_name));
	assert_cut(got->city, a.city, sizeof(got->city));
	assert_cut(got->as_org, a.as_org, sizeof(got->as_org));
	assert_int_equal(got->asn, a.asn);
}

static void rt_check_owner(const struct rp_owner *got,
			   const struct flow_wire *w, const struct owners *t)
{
	/* print.c's rule: details of a known process of a local socket. */
	const struct ui_owner *o = w->owner != FLOW_OWNER_NONE && w->pid ?
		owners_get(t, w->pid, flow_owner_tag(w)) : NULL;

	assert_string_equal(got->cmdline, o ? o->cmdline : "");
	assert_string_equal(got->exe, o ? o->exe : "");
	assert_string_equal(got->cgroup, o ? o->cgroup : "");
	assert_string_equal(got->netns, o ? o->netns : "");
	assert_int_equal(got->exited, o ? o->exited : 0);
}

static void rt_check(const char *line, size_t len, const struct flow_entry *e,
		     const struct owners *t)
{
	struct rp_line l;
	const char *why;

	if (parse_n(line, len, &l, &why) < 0)
		fail_msg("refused (%s): %.*s", why, (int)len, line);
	assert_int_equal(l.event, RP_EV_START);
	assert_int_equal(l.time_ns, TIME_NS);
	rt_check_wire(&l.w, &e->w);
	assert_cut(l.service, rt_service(NULL, e->w.l4proto, e->w.dport),
		   sizeof(l.service));
	rt_check_place(&l.src, &e->w, e->w.src);
	rt_check_place(&l.dst, &e->w, e->w.dst);
	rt_check_owner(&l.own, &e->w, t);
}

static void test_round_trip(void **state)
{
	struct flow_entry f[RT_N];
	const struct flow_entry *v[RT_N];
	struct users *users = fake_users_load(rt_users, 3, USERS_MAX,
					      USERS_BYTES_MAX, NULL);
	struct owners *t = rt_owners();
	struct print_opts po = { .json = 1, .annot = rt_annot,
				 .service = rt_service, .users = users,
				 .owners = t };
	char *buf = NULL, *line, *nl;
	size_t len = 0, n = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(users);
	assert_non_null(out);
	rt_make(f);
	for (int i = 0; i < RT_N; i++) {
		const char *why = NULL;

		if (flow_wire_check(&f[i].w, &why) < 0)
			fail_msg("flow %d: %s", i, why);
		v[i] = &f[i];
	}
	assert_int_equal(print_events(out, &po, "start", v, RT_N, REAL_NS), 0);
	assert_int_equal(fclose(out), 0);
	/* The owners' details were written, so they are read back. */
	assert_non_null(strstr(buf, "\"cmdline\":"));
	assert_non_null(strstr(buf, "\"exited\":true"));
	assert_non_null(strstr(buf, "\"hidden\":true"));
	assert_non_null(strstr(buf, "\"container\":"));
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1)
		rt_check(line, (size_t)(nl - line), &f[n++], t);
	assert_int_equal(n, RT_N);
	assert_int_equal(*line, '\0');
	free(buf);
	owners_free(t);
	users_free(users);
}

/* ---- what is refused ---- */

#define TICK "{\"event\":\"tick\",\"time\":1,"
#define FLOW4 "{\"event\":\"start\",\"time\":1,\"id\":1,\"family\":\"ipv4\"," \
	"\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
#define FLOW4_END "\"sport\":1,\"dport\":2}"
#define ICMP4 "{\"event\":\"end\",\"time\":1,\"id\":1,\"family\":\"ipv4\"," \
	"\"proto\":\"icmp\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\""

static void test_refused_json(void **state)
{
	(void)state;
	refused("", "not a JSON object");
	refused("[1]", "not a JSON object");
	refused("{\"event\":\"start\",\"ti", "truncated line");
	refused("{\"event\":\"tick\",\"time\":1", "truncated line");
	refused("{\"event\":\"tick\",\"time\":1,", "truncated line");
	refused("{\"event\":\"tick\",\"time\":", "truncated line");
	refused(TICK "\"x\":\"\\", "truncated line");
	refused(TICK "\"x\":\"\\u12", "truncated line");
	refused(TICK "\"x\":\"\\ud800", "truncated line");
	refused(TICK "\"x\":[1,{\"a\":tr", "truncated line");
	refused(TICK "\"hidden\":fals", "truncated line");
	refused(TICK "\"x\":\"\\q\"}", "bad string escape");
	refused(TICK "\"x\":\"\\u12g4\"}", "bad string escape");
	refused(TICK "\"x\":\"\\u1\"}", "bad string escape");
	refused(TICK "\"x\":\"\\ud800\\", "truncated line");
	refused(TICK "\"x\":\"\\ud800\\u", "truncated line");
	refused(TICK "\"x\":\"\\ud800\\udc0", "truncated line");
	refused(TICK "\"x\":\"\\ud800\"}", "lone surrogate");
	refused(TICK "\"x\":\"\\udc00\"}", "lone surrogate");
	refused(TICK "\"x\":\"\\ud800\\u0041\"}", "lone surrogate");
	refused(TICK "\"x\":\"\\ud800\\n\"}", "lone surrogate");
	refused(TICK "\"x\":\"\\u0000\"}", "\\u0000 in a string");
	refused(TICK "\"x\":\"a\tb\"}", "control byte in a string");
	refused(TICK "\"service\":\"a\nb\"}", "control byte in a string");
	refused(TICK "\"x\\u0000\":1}", "\\u0000 in a string");
	refused(TICK "\"x\":1,}", "bad object key");
	refused(TICK "x:1}", "bad object key");
	refused(TICK "\"x\" 1}", "expected ':'");
	refused(TICK "\"x\":1 \"y\":2}", "expected ',' or '}'");
	refused(TICK "\"x\":[1 2]}", "expected ',' or ']'");
	refused(TICK "\"x\":{\"a\":1,}}", "bad object key");
	refused(TICK "\"x\":[1,]}", "bad JSON value");
	refused(TICK "\"x\":01}", "bad JSON value");
	refused(TICK "\"x\":1.}", "bad JSON value");
	refused(TICK "\"x\":.5}", "bad JSON value");
	refused(TICK "\"x\":+1}", "bad JSON value");
	refused(TICK "\"x\":1e}", "bad JSON value");
	refused(TICK "\"x\":--1}", "bad JSON value");
	refused(TICK "\"x\":nul}", "bad JSON value");
	refused(TICK "\"x\":True}", "bad JSON value");
	refused(TICK "\"x\":'a'}", "bad JSON value");
	refused(TICK "\"x\":1}x", "bytes after the object");
	refused(TICK "\"x\":1}{}", "bytes after the object");
	refused(TICK "\"x\":1}\r", "bytes after the object");
	refused(TICK "\"x\":1}\n", "bytes after the object");
	refused_n(TICK "\"x\":1}\0", sizeof(TICK "\"x\":1}"),
		  "bytes after the object");
	refused_n(TICK "\"x\":\"a\0b\"}", sizeof(TICK "\"x\":\"a\0b\"}") - 1,
		  "control byte in a string");
}

static void test_refused_keys(void **state)
{
	(void)state;
	refused("{\"event\":\"tick\"}", "missing \"time\"");
	refused("{\"time\":1}", "missing \"event\"");
	refused("{}", "missing \"event\"");
	refused("{\"event\":\"pause\",\"time\":1}", "bad \"event\"");
	refused("{\"event\":\"Tick\",\"time\":1}", "bad \"event\"");
	refused("{\"event\":1,\"time\":1}", "bad \"event\"");
	refused("{\"event\":\"tick\",\"time\":\"1\"}", "bad \"time\"");
	refused(TICK "\"time\":2}", "\"time\" given twice");
	refused(FLOW4 "\"sport\":1,\"dport\":2,\"id\":1}",
		"\"id\" given twice");
	refused(FLOW4 "\"sport\":65536,\"dport\":2}", "\"sport\" out of range");
	refused(FLOW4 "\"sport\":1,\"dport\":99999999999999999999999}",
		"\"dport\" out of range");
	refused(FLOW4 "\"sport\":-1,\"dport\":2}", "\"sport\" out of range");
	refused(FLOW4 "\"sport\":-0,\"dport\":2}", "\"sport\" out of range");
	refused(FLOW4 "\"sport\":080,\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"sport\":00,\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"sport\":1.0,\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"sport\":1e2,\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"sport\":\"1\",\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"sport\":null,\"dport\":2}", "bad \"sport\"");
	refused(FLOW4 "\"pid\":0," FLOW4_END, "\"pid\" out of range");
	refused(FLOW4 "\"pid\":4194305," FLOW4_END, "\"pid\" out of range");
	refused(FLOW4 "\"uid\":4294967296," FLOW4_END, "\"uid\" out of range");
	refused(FLOW4 "\"zone\":65536," FLOW4_END, "\"zone\" out of range");
	refused(FLOW4 "\"orig_bytes\":18446744073709551616," FLOW4_END,
		"\"orig_bytes\" out of range");
	refused(FLOW4 "\"age\":-5," FLOW4_END, "\"age\" out of range");
	refused(FLOW4 "\"labels\":[128]," FLOW4_END, "\"labels\" out of range");
	refused(FLOW4 "\"labels\":[1,-1]," FLOW4_END,
		"\"labels\" out of range");
	refused(FLOW4 "\"labels\":[1,\"2\"]," FLOW4_END, "bad \"labels\"");
	refused(FLOW4 "\"labels\":5," FLOW4_END, "bad \"labels\"");
	refused(FLOW4 "\"labels\":[1 2]," FLOW4_END, "bad \"labels\"");
	refused(FLOW4 "\"orig_rate\":-1," FLOW4_END,
		"\"orig_rate\" out of range");
	refused(FLOW4 "\"orig_rate\":1e3," FLOW4_END, "bad \"orig_rate\"");
	refused(FLOW4 "\"reply_rate\":\"1\"," FLOW4_END, "bad \"reply_rate\"");
	refused(FLOW4 "\"hidden\":1," FLOW4_END, "bad \"hidden\"");
	refused(FLOW4 "\"exited\":null," FLOW4_END, "bad \"exited\"");
	refused(FLOW4 "\"process\":5," FLOW4_END, "bad \"process\"");
	refused(FLOW4 "\"user\":[]," FLOW4_END, "bad \"user\"");
	refused(FLOW4 "\"src_country\":{}," FLOW4_END, "bad \"src_country\"");
}

static void test_refused_flow(void **state)
{
	(void)state;
	refused("{\"event\":\"start\",\"time\":1}", "missing \"id\"");
	refused("{\"event\":\"start\",\"time\":1,\"id\":1}",
		"missing \"family\"");
	refused("{\"event\":\"update\",\"time\":1,\"id\":1,\"family\":\"ipv4\","
		"\"proto\":\"tcp\",\"dst\":\"10.0.0.2\",\"sport\":1,"
		"\"dport\":2}", "missing \"src\"");
	refused(FLOW4 "\"sport\":1}", "missing \"dport\"");
	refused(FLOW4 "\"dport\":1}", "missing \"sport\"");
	refused("{\"event\":\"start\",\"time\":1,\"id\":1,\"family\":\"ipv5\","
		"\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
		FLOW4_END, "bad \"family\"");
	refused("{\"event\":\"start\",\"time\":1,\"id\":1,\"family\":\"ipv4\","
		"\"proto\":\"gre\",\"src\":\"10.0.0.1\",\"dst\":\"10.0.0.2\","
		FLOW4_END, "bad \"proto\"");
	/* An address of the other family. */
	refused("{\"event\":\"start\",\"time\":1,\"id\":1,\"family\":\"ipv4\","
		"\"proto\":\"tcp\",\"src\":\"2001:db8::1\","
		"\"dst\":\"10.0.0.2\"," FLOW4_END, "bad \"src\"");
	refused("{\"event\":\"start\",\"time\":1,\"id\":1,\"family\":\"ipv6\","
		"\"proto\":\"tcp\",\"src\":\"::1\",\"dst\":\"10.0.0.2\","
		FLOW4_END, "bad \"dst\"");
	refused(FLOW4 "\"reply_src\":\"10.0.0.256\"," FLOW4_END,
		"bad \"reply_src\"");
	refused(FLOW4 "\"reply_dst\":\" 10.0.0.1\"," FLOW4_END,
		"bad \"reply_dst\"");
	refused(FLOW4 "\"state\":\"BOGUS\"," FLOW4_END, "bad \"state\"");
	refused(FLOW4 "\"state\":\"established\"," FLOW4_END, "bad \"state\"");
	refused(ICMP4 ",\"state\":\"NONE\"}", "bad \"state\"");
	refused(ICMP4 ",\"sport\":1}", "ports on an ICMP flow");
	refused(ICMP4 ",\"reply_dport\":1}", "ports on an ICMP flow");
	refused(FLOW4 "\"icmp_type\":8," FLOW4_END,
		"ICMP fields on a flow with ports");
	refused(ICMP4 ",\"icmp_type\":256}", "\"icmp_type\" out of range");
	/* ICMP over IPv6, ICMPv6 over IPv4: flow_wire_check's reason. */
	refused("{\"event\":\"end\",\"time\":1,\"id\":1,\"family\":\"ipv6\","
		"\"proto\":\"icmp\",\"src\":\"::1\",\"dst\":\"::2\"}",
		"l4proto");
	refused(FLOW4 "\"hidden\":true,\"pid\":5," FLOW4_END,
		"hidden owner with a process");
	refused(FLOW4 "\"hidden\":true,\"process\":\"x\"," FLOW4_END,
		"hidden owner with a process");
}

/* An unknown key holding depth containers, objects and arrays in turn:
 * {"k":[{"k":[...0...]}]}. */
static void nested(char *line, size_t cap, int depth)
{
	size_t n = (size_t)snprintf(line, cap, TICK "\"x\":");

	for (int i = 0; i < depth; i++)
		n += (size_t)snprintf(line + n, cap - n, "%s",
				      i % 2 ? "[" : "{\"k\":");
	n += (size_t)snprintf(line + n, cap - n, "0");
	for (int i = depth - 1; i >= 0; i--)
		n += (size_t)snprintf(line + n, cap - n, "%s",
				      i % 2 ? "]" : "}");
	snprintf(line + n, cap - n, "}");
}

/* Nesting to RP_DEPTH_MAX inside an unknown key is read; one more is not. */
static void test_nesting(void **state)
{
	char line[256];
	struct rp_line l;
	size_t n;

	(void)state;
	nested(line, sizeof(line), RP_DEPTH_MAX);
	parse_ok(line, &l);
	nested(line, sizeof(line), RP_DEPTH_MAX + 1);
	refused(line, "nesting too deep");
	memset(line, 0, sizeof(line));
	n = (size_t)snprintf(line, sizeof(line), TICK "\"x\":");
	memset(line + n, '[', RP_DEPTH_MAX);
	memset(line + n + RP_DEPTH_MAX, ']', RP_DEPTH_MAX);
	strcat(line, "}");
	parse_ok(line, &l);
	memset(line + n, '[', RP_DEPTH_MAX + 1);
	memset(line + n + RP_DEPTH_MAX + 1, ']', RP_DEPTH_MAX + 1);
	strcpy(line + n + 2 * RP_DEPTH_MAX + 2, "}");
	refused(line, "nesting too deep");
	/* Deep and never closed: refused at the limit, not read on. */
	memset(line, 0, sizeof(line));
	n = (size_t)snprintf(line, sizeof(line), TICK "\"x\":");
	memset(line + n, '[', 100);
	refused(line, "nesting too deep");
}

/* What a newer flowtop might add: every kind of JSON value, skipped. */
static void test_unknown_keys(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(TICK "\"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\","
		 "\"n0\":0,\"n1\":-0,\"n2\":-12.5e+10,\"n3\":1E-3,\"n4\":0.0,"
		 "\"n5\":123456789012345678901234567890e999,"
		 "\"t\":true,\"f\":false,\"z\":null,\"a\":[],\"o\":{},"
		 "\"a2\":[1,\"x\",[true,{\"k\":null}],{}],"
		 "\"o2\":{\"k\":{\"k2\":[-1]},\"event\":\"start\"},"
		 "\"a very long key that no flowtop knows of\":1,"
		 "\"\\u0074ime2\":1}", &l);
	assert_int_equal(l.event, RP_EV_TICK);
	assert_int_equal(l.time_ns, SEC);
	/* A known key spelt with escapes is that key. */
	refused(TICK "\"\\u0074ime\":1}", "\"time\" given twice");
}

/* ---- strings ---- */

static void test_string_escapes(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(FLOW4 "\"service\":\"\\\"\\\\\\/\\u0041\\u00e9\\u20ac"
		 "\\uD83D\\uDE00\\u007f\"," FLOW4_END, &l);
	assert_string_equal(l.service, "\"\\/A\xc3\xa9\xe2\x82\xac"
			    "\xf0\x9f\x98\x80\x7f");
	/* Bytes of 0x80 and up, valid UTF-8 or not, pass as they are. */
	parse_ok(FLOW4 "\"exe\":\"\xff\xfe/\xc3\xa9\x80\"," FLOW4_END, &l);
	assert_string_equal(l.own.exe, "\xff\xfe/\xc3\xa9\x80");
	/* Control bytes in an escape are kept, but not in a cmdline. */
	parse_ok(FLOW4 "\"cgroup\":\"a\\tb\\u001b\\u007f\","
		 "\"cmdline\":\"a\\tb\\u001b[2J\\u007f\\u0080\","
		 FLOW4_END, &l);
	assert_string_equal(l.own.cgroup, "a\tb\x1b\x7f");
	assert_string_equal(l.own.cmdline, "a?b?[2J?\xc2\x80");
}

static void test_country(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(FLOW4 "\"src_country\":\"gb\",\"dst_country\":\"GBR\","
		 FLOW4_END, &l);
	assert_string_equal(l.src.country, "");
	assert_string_equal(l.dst.country, "");
	parse_ok(FLOW4 "\"src_country\":\"G\",\"dst_country\":\"\\u0047B\","
		 FLOW4_END, &l);
	assert_string_equal(l.src.country, "");
	assert_string_equal(l.dst.country, "GB");
	parse_ok(FLOW4 "\"src_country\":\"G1\",\"dst_country\":"
		 "\"GBRGBRGBRGBR\"," FLOW4_END, &l);
	assert_string_equal(l.src.country, "");
	assert_string_equal(l.dst.country, "");
	parse_ok(FLOW4 "\"src_country\":\"\",\"dst_country\":\"\xc3\x89" "U\","
		 FLOW4_END, &l);
	assert_string_equal(l.src.country, "");
	assert_string_equal(l.dst.country, "");
}

/* A string longer than its field: cut, NUL-terminated, never between
 * the bytes of one escape. */
static void test_cut(void **state)
{
	char line[2048], want[64];
	struct rp_line l;
	size_t n;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line), FLOW4 "\"service\":\"");
	memset(line + n, 'x', 100);
	snprintf(line + n + 100, sizeof(line) - n - 100, "\"," FLOW4_END);
	parse_ok(line, &l);
	memset(want, 'x', SERVICE_NAME_LEN - 1);
	want[SERVICE_NAME_LEN - 1] = 0;
	assert_string_equal(l.service, want);
	/* 30 bytes, then a 2-byte character: it does not fit the 31st. */
	n = (size_t)snprintf(line, sizeof(line), FLOW4 "\"service\":\"");
	memset(line + n, 'y', 30);
	snprintf(line + n + 30, sizeof(line) - n - 30,
		 "\\u00e9zz\"," FLOW4_END);
	parse_ok(line, &l);
	assert_int_equal(strlen(l.service), 30);
	/* ... and a 4-byte pair after 28 bytes does not either. */
	n = (size_t)snprintf(line, sizeof(line), FLOW4 "\"service\":\"");
	memset(line + n, 'z', 28);
	snprintf(line + n + 28, sizeof(line) - n - 28,
		 "\\ud83d\\ude00\"," FLOW4_END);
	parse_ok(line, &l);
	assert_int_equal(strlen(l.service), 28);
	/* A comm: FLOW_COMM_LEN - 1 bytes; a country name of its field. */
	parse_ok(FLOW4 "\"process\":\"0123456789abcdefghij\","
		 "\"dst_country_name\":\""
		 "0123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789\"," FLOW4_END, &l);
	assert_string_equal(l.w.comm, "0123456789abcde");
	assert_int_equal(strlen(l.dst.country_name), LOOKUP_TEXT_LEN - 1);
	/* A value settled later is not cut into a right one. */
	refused(FLOW4 "\"state\":\"ESTABLISHEDESTABLISHEDESTABLISHED\","
		FLOW4_END, "bad \"state\"");
}

/* ---- numbers ---- */

static void test_time(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(TICK "\"x\":0}", &l);
	assert_int_equal(l.time_ns, SEC);
	parse_ok("{\"event\":\"tick\",\"time\":0}", &l);
	assert_int_equal(l.time_ns, 0);
	parse_ok("{\"event\":\"tick\",\"time\":0.000000001}", &l);
	assert_int_equal(l.time_ns, 1);
	parse_ok("{\"event\":\"tick\",\"time\":1.5}", &l);
	assert_int_equal(l.time_ns, SEC + SEC / 2);
	parse_ok("{\"event\":\"tick\",\"time\":1700000000.123456789}", &l);
	assert_int_equal(l.time_ns, REAL_NS);
	/* The largest time a uint64 of nanoseconds holds. */
	parse_ok("{\"event\":\"tick\",\"time\":18446744073.709551615}", &l);
	assert_true(l.time_ns == UINT64_MAX);
	refused("{\"event\":\"tick\",\"time\":18446744073.709551616}",
		"\"time\" out of range");
	refused("{\"event\":\"tick\",\"time\":18446744074}",
		"\"time\" out of range");
	refused("{\"event\":\"tick\",\"time\":99999999999999999999999}",
		"\"time\" out of range");
	refused("{\"event\":\"tick\",\"time\":1.1234567891}", "bad \"time\"");
	refused("{\"event\":\"tick\",\"time\":1e9}", "bad \"time\"");
	refused("{\"event\":\"tick\",\"time\":1.5e1}", "bad \"time\"");
	refused("{\"event\":\"tick\",\"time\":01.5}", "bad \"time\"");
	refused("{\"event\":\"tick\",\"time\":1.}", "bad \"time\"");
	refused("{\"event\":\"tick\",\"time\":-1}", "\"time\" out of range");
	refused("{\"event\":\"tick\",\"time\":true}", "bad \"time\"");
}

/* "age": the start in the line's time; unknown when before the epoch. */
static void test_age(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok("{\"event\":\"start\",\"time\":100.25,\"id\":1,"
		 "\"family\":\"ipv4\",\"proto\":\"tcp\",\"src\":\"10.0.0.1\","
		 "\"dst\":\"10.0.0.2\",\"age\":40," FLOW4_END, &l);
	assert_int_equal(l.w.start_ns, 60 * SEC + SEC / 4);
	parse_ok("{\"event\":\"start\",\"time\":100.25,\"id\":1,"
		 "\"family\":\"ipv4\",\"proto\":\"tcp\",\"src\":\"10.0.0.1\","
		 "\"dst\":\"10.0.0.2\",\"age\":101," FLOW4_END, &l);
	assert_int_equal(l.w.start_ns, 0);
	parse_ok("{\"event\":\"start\",\"time\":100.25,\"id\":1,"
		 "\"family\":\"ipv4\",\"proto\":\"tcp\",\"src\":\"10.0.0.1\","
		 "\"dst\":\"10.0.0.2\",\"age\":18446744073709551615,"
		 FLOW4_END, &l);
	assert_int_equal(l.w.start_ns, 0);
}

/* Labels land where flow_label_next() finds them, the edges included. */
static void test_labels(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(FLOW4 "\"labels\":[ 0 , 63,64,127,64 ]," FLOW4_END, &l);
	assert_int_equal(flow_label_next(&l.w, 0), 0);
	assert_int_equal(flow_label_next(&l.w, 1), 63);
	assert_int_equal(flow_label_next(&l.w, 64), 64);
	assert_int_equal(flow_label_next(&l.w, 65), 127);
	for (unsigned i = 0; i < FLOW_LABELS; i++)
		assert_int_equal(label_bit(l.w.labels, i),
				 i == 0 || i == 63 || i == 64 || i == 127);
	parse_ok(FLOW4 "\"labels\":[]," FLOW4_END, &l);
	assert_int_equal(flow_label_next(&l.w, 0), -1);
}

/* State, owner and the ICMP fields, by protocol. */
static void test_flow_rules(void **state)
{
	struct rp_line l;

	(void)state;
	parse_ok(FLOW4 FLOW4_END, &l);
	assert_int_equal(l.w.state, 0);            /* TCP, none given */
	assert_int_equal(l.w.owner, FLOW_OWNER_NONE);
	parse_ok(ICMP4 ",\"icmp_type\":3,\"icmp_code\":1}", &l);
	assert_int_equal(l.w.state, FLOW_STATE_NONE);
	assert_int_equal(l.w.icmp_type, 3);
	assert_int_equal(l.w.icmp_code, 1);
	assert_int_equal(l.w.sport, 0);
	assert_int_equal(l.w.rsport, 0);
	parse_ok(ICMP4 "}", &l);
	assert_int_equal(l.w.icmp_type, 0);
	parse_ok(FLOW4 "\"hidden\":true,\"uid\":5," FLOW4_END, &l);
	assert_int_equal(l.w.owner, FLOW_OWNER_HIDDEN);
	assert_int_equal(l.w.uid, 5);
	parse_ok(FLOW4 "\"hidden\":false,\"uid\":0,\"pid\":3," FLOW4_END, &l);
	assert_int_equal(l.w.owner, FLOW_OWNER_SOCKET);
	assert_int_equal(l.w.pid, 3);
	parse_ok(FLOW4 "\"pid\":3,\"process\":\"x\"," FLOW4_END, &l);
	assert_int_equal(l.w.owner, FLOW_OWNER_NONE);
	assert_int_equal(l.w.uid, 0);
	assert_string_equal(l.w.comm, "x");
	parse_ok(FLOW4 "\"state\":\"SYN_SENT2\",\"exited\":false," FLOW4_END,
		 &l);
	assert_int_equal(l.w.state, TCP_CONNTRACK_SYN_SENT2);
	assert_int_equal(l.own.exited, 0);
}

/* A tick: event and time, and nothing else filled. */
static void test_tick(void **state)
{
	struct rp_line l, zero;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	parse_ok("{\"event\":\"tick\",\"time\":1700000000.123456}", &l);
	assert_int_equal(l.event, RP_EV_TICK);
	assert_int_equal(l.time_ns, TIME_NS);
	zero.event = RP_EV_TICK;
	zero.time_ns = TIME_NS;
	assert_memory_equal(&l, &zero, sizeof(l));
	parse_ok("{\"time\":2,\"event\":\"tick\",\"id\":3,\"service\":\"x\"}",
		 &l);
	assert_int_equal(l.w.id, 0);
	assert_string_equal(l.service, "");
	/* A begin likewise. */
	parse_ok("{\"event\":\"begin\",\"time\":1700000000.123456,\"id\":3}",
		 &l);
	zero.event = RP_EV_BEGIN;
	assert_memory_equal(&l, &zero, sizeof(l));
}

/* The line's length bounds it, not a NUL; RP_LINE_MAX bytes at most. */
static void test_length(void **state)
{
	static const char head[] = "{\"event\":\"tick\",\"time\":1,\"pad\":\"";
	size_t max = RP_LINE_MAX, n = strlen(head);
	char *line = malloc(max + 2);
	struct rp_line l;
	const char *why;

	(void)state;
	assert_non_null(line);
	memcpy(line, head, n);
	memset(line + n, 'p', max - n - 2);
	memcpy(line + max - 2, "\"}", 2);
	assert_int_equal(parse_n(line, max, &l, &why), 0);
	memcpy(line + max - 2, "p\"}", 3);
	refused_n(line, max + 1, "line too long");
	free(line);
	/* What follows len is not read. */
	parse_ok("{\"event\":\"tick\",\"time\":12}", &l);
	assert_int_equal(parse_n("{\"event\":\"tick\",\"time\":12}3",
				 strlen("{\"event\":\"tick\",\"time\":12}"),
				 &l, &why), 0);
	assert_int_equal(l.time_ns, 12 * SEC);
	refused_n("{\"event\":\"tick\",\"time\":12}", 25, "truncated line");
	/* Refused: nothing of it is left in *out; why may be NULL. */
	parse_ok(FLOW4 FLOW4_END, &l);
	assert_int_equal(l.w.id, 1);
	assert_int_equal(rp_line_parse(FLOW4 "\"sport\":1}",
				       strlen(FLOW4 "\"sport\":1}"), &l, NULL),
			 -1);
	assert_int_equal(l.w.id, 0);
	assert_int_equal(l.event, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_order_and_blanks),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_json),
		cmocka_unit_test(test_refused_keys),
		cmocka_unit_test(test_refused_flow),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_flow_rules),
		cmocka_unit_test(test_tick),
		cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
