/* Unit tests for collector/ct.c.
 *
 * ct_to_wire() is tested on conntrack objects built by hand. The library's
 * setters ignore counters and timestamps (only the kernel may supply them),
 * so those are added by parsing a small attribute blob laid out as the
 * kernel sends it.
 *
 * ct_open/ct_dump/ct_read_events are tested against the real kernel inside
 * a private network namespace of this process; they are skipped when the
 * namespace can't be made (not root).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* unshare() */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_sctp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_dccp.h>
#include "collector/ct.h"
#include "privsep/msg.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- building conntrack objects ------------------------------------- */

static struct nf_conntrack *mk_ct(int af, uint8_t proto, const char *src,
				  const char *dst)
{
	struct nf_conntrack *ct = nfct_new();
	unsigned char a[16];

	assert_non_null(ct);
	nfct_set_attr_u8(ct, ATTR_L3PROTO, (uint8_t)af);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, proto);
	if (af == AF_INET) {
		uint32_t v;

		assert_int_equal(inet_pton(AF_INET, src, &v), 1);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_SRC, v);
		assert_int_equal(inet_pton(AF_INET, dst, &v), 1);
		nfct_set_attr_u32(ct, ATTR_ORIG_IPV4_DST, v);
	} else {
		assert_int_equal(inet_pton(AF_INET6, src, a), 1);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_SRC, a);
		assert_int_equal(inet_pton(AF_INET6, dst, a), 1);
		nfct_set_attr(ct, ATTR_ORIG_IPV6_DST, a);
	}
	return ct;
}

static void set_ports(struct nf_conntrack *ct, uint16_t sport, uint16_t dport)
{
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_ORIG_PORT_DST, htons(dport));
}

/* Append one netlink attribute to buf at *off; returns its offset. */
static size_t put_attr(unsigned char *buf, size_t *off, uint16_t type,
		       const void *data, uint16_t len)
{
	size_t at = *off;
	uint16_t hdr[2] = { (uint16_t)(4 + len), type };

	memcpy(buf + at, hdr, sizeof(hdr));
	if (len)
		memcpy(buf + at + 4, data, len);
	*off = at + ((4u + len + 3u) & ~3u);
	return at;
}

static void end_nest(unsigned char *buf, size_t at, size_t off)
{
	uint16_t len = (uint16_t)(off - at);

	memcpy(buf + at, &len, sizeof(len));
}

static void put_be64(unsigned char *buf, size_t *off, uint16_t type,
		     uint64_t v)
{
	uint64_t be = htobe64(v);

	put_attr(buf, off, type, &be, sizeof(be));
}

static void put_counters(unsigned char *buf, size_t *off, uint16_t type,
			 uint64_t packets, uint64_t bytes)
{
	size_t nest = put_attr(buf, off, type | NLA_F_NESTED, NULL, 0);

	put_be64(buf, off, CTA_COUNTERS_PACKETS, packets);
	put_be64(buf, off, CTA_COUNTERS_BYTES, bytes);
	end_nest(buf, nest, *off);
}

/* Add counters and a start time the way nf_conntrack_acct and
 * nf_conntrack_timestamp make the kernel report them. */
static void add_acct_tstamp(struct nf_conntrack *ct, int af, uint64_t start)
{
	unsigned char buf[256] __attribute__((aligned(8)));
	size_t off = 0, nest;

	put_counters(buf, &off, CTA_COUNTERS_ORIG, 11, 0x100000001ull);
	put_counters(buf, &off, CTA_COUNTERS_REPLY, 22, 0x200000002ull);
	nest = put_attr(buf, &off, CTA_TIMESTAMP | NLA_F_NESTED, NULL, 0);
	put_be64(buf, &off, CTA_TIMESTAMP_START, start);
	end_nest(buf, nest, off);
	assert_int_equal(nfct_payload_parse(buf, off, (uint16_t)af, ct), 0);
}

/* ct_to_wire, and every record it accepts must pass the ui's check. */
static int to_wire(struct nf_conntrack *ct, uint8_t ev, uint32_t sel,
		   struct flow_wire *r)
{
	int ret = ct_to_wire(ct, ev, sel, r);
	const char *why = NULL;

	if (ret == 0)
		assert_int_equal(flow_wire_check(r, &why), 0);
	return ret;
}

static void assert_addr(const uint8_t *got, int af, const char *text)
{
	unsigned char want[16] = { 0 };

	assert_int_equal(inet_pton(af, text, want), 1);
	assert_memory_equal(got, want, 16);
}

/* --- conversion ----------------------------------------------------- */

static void test_tcp_v4(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET, IPPROTO_TCP, "192.0.2.1",
					"198.51.100.7");
	struct flow_wire r;

	(void)state;
	set_ports(ct, 0x1234, 443);
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_set_attr_u32(ct, ATTR_ID, 0xdeadbeef);
	assert_int_equal(to_wire(ct, FLOW_EV_NEW, SEL_ALL, &r), 0);
	assert_int_equal(r.event, FLOW_EV_NEW);
	assert_int_equal(r.family, FLOW_FAM_IPV4);
	assert_int_equal(r.l4proto, IPPROTO_TCP);
	assert_addr(r.src, AF_INET, "192.0.2.1");
	assert_addr(r.dst, AF_INET, "198.51.100.7");
	assert_int_equal(r.sport, 0x1234);
	assert_int_equal(r.dport, 443);
	assert_int_equal(r.state, TCP_CONNTRACK_ESTABLISHED);
	assert_int_equal(r.id, 0xdeadbeef);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.icmp_id, 0);
	assert_int_equal(r.pid, 0);
	assert_string_equal(r.comm, "");
	nfct_destroy(ct);
}

static void test_tcp_v6(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET6, IPPROTO_TCP, "2001:db8::1",
					"2001:db8:ffff::abcd");
	struct flow_wire r;

	(void)state;
	set_ports(ct, 50000, 22);
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_SYN_SENT2);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.family, FLOW_FAM_IPV6);
	assert_addr(r.src, AF_INET6, "2001:db8::1");
	assert_addr(r.dst, AF_INET6, "2001:db8:ffff::abcd");
	assert_int_equal(r.sport, 50000);
	assert_int_equal(r.dport, 22);
	assert_int_equal(r.state, TCP_CONNTRACK_SYN_SENT2);
	assert_int_equal(r.event, FLOW_EV_DUMP);
	nfct_destroy(ct);
}

static void test_udp_and_udplite(void **state)
{
	struct nf_conntrack *udp = mk_ct(AF_INET, IPPROTO_UDP, "10.0.0.1",
					 "10.0.0.53");
	struct nf_conntrack *lite = mk_ct(AF_INET6, IPPROTO_UDPLITE,
					  "fe80::1", "fe80::2");
	struct flow_wire r;

	(void)state;
	set_ports(udp, 5353, 53);
	assert_int_equal(to_wire(udp, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_UDP);
	assert_int_equal(r.state, FLOW_STATE_NONE);
	assert_int_equal(r.sport, 5353);
	assert_int_equal(r.dport, 53);

	set_ports(lite, 1, 65535);
	assert_int_equal(to_wire(lite, FLOW_EV_DESTROY, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_UDPLITE);
	assert_int_equal(r.family, FLOW_FAM_IPV6);
	assert_int_equal(r.state, FLOW_STATE_NONE);
	assert_int_equal(r.sport, 1);
	assert_int_equal(r.dport, 65535);
	nfct_destroy(udp);
	nfct_destroy(lite);
}

static void test_icmp(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET, IPPROTO_ICMP, "10.0.0.1",
					"10.0.0.2");
	struct flow_wire r;

	(void)state;
	nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, 8);
	nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 0);
	nfct_set_attr_u16(ct, ATTR_ICMP_ID, htons(0xbeef));
	assert_int_equal(to_wire(ct, FLOW_EV_NEW, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_ICMP);
	assert_int_equal(r.icmp_type, 8);
	assert_int_equal(r.icmp_code, 0);
	assert_int_equal(r.icmp_id, 0xbeef);
	assert_int_equal(r.sport, 0);
	assert_int_equal(r.dport, 0);
	assert_int_equal(r.state, FLOW_STATE_NONE);
	nfct_destroy(ct);
}

static void test_icmpv6(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET6, IPPROTO_ICMPV6,
					"2001:db8::1", "2001:db8::2");
	struct flow_wire r;

	(void)state;
	nfct_set_attr_u8(ct, ATTR_ICMP_TYPE, 128);
	nfct_set_attr_u8(ct, ATTR_ICMP_CODE, 3);
	nfct_set_attr_u16(ct, ATTR_ICMP_ID, htons(7));
	assert_int_equal(to_wire(ct, FLOW_EV_UPDATE, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_ICMPV6);
	assert_int_equal(r.family, FLOW_FAM_IPV6);
	assert_int_equal(r.icmp_type, 128);
	assert_int_equal(r.icmp_code, 3);
	assert_int_equal(r.icmp_id, 7);
	assert_int_equal(r.event, FLOW_EV_UPDATE);
	nfct_destroy(ct);
}

static void test_sctp_and_dccp(void **state)
{
	struct nf_conntrack *sctp = mk_ct(AF_INET, IPPROTO_SCTP, "10.1.1.1",
					  "10.2.2.2");
	struct nf_conntrack *dccp = mk_ct(AF_INET6, IPPROTO_DCCP,
					  "2001:db8::a", "2001:db8::b");
	struct flow_wire r;

	(void)state;
	set_ports(sctp, 2905, 2905);
	nfct_set_attr_u8(sctp, ATTR_SCTP_STATE, SCTP_CONNTRACK_HEARTBEAT_SENT);
	assert_int_equal(to_wire(sctp, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_SCTP);
	assert_int_equal(r.state, SCTP_CONNTRACK_HEARTBEAT_SENT);
	assert_int_equal(r.sport, 2905);

	set_ports(dccp, 5004, 5005);
	nfct_set_attr_u8(dccp, ATTR_DCCP_STATE, DCCP_CONNTRACK_OPEN);
	assert_int_equal(to_wire(dccp, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.l4proto, IPPROTO_DCCP);
	assert_int_equal(r.state, DCCP_CONNTRACK_OPEN);
	assert_int_equal(r.dport, 5005);
	nfct_destroy(sctp);
	nfct_destroy(dccp);
}

/* The state attribute of one protocol is not read for another. */
static void test_state_attr_per_protocol(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET, IPPROTO_SCTP, "10.1.1.1",
					"10.2.2.2");
	struct flow_wire r;

	(void)state;
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_TIME_WAIT);
	nfct_set_attr_u8(ct, ATTR_SCTP_STATE, SCTP_CONNTRACK_COOKIE_WAIT);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.state, SCTP_CONNTRACK_COOKIE_WAIT);
	nfct_destroy(ct);
}

static void test_counters_and_timestamp(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET6, IPPROTO_TCP, "2001:db8::1",
					"2001:db8::2");
	struct flow_wire r;

	(void)state;
	set_ports(ct, 1000, 80);
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	add_acct_tstamp(ct, AF_INET6, 1700000000123456789ull);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.orig_packets, 11);
	assert_int_equal(r.orig_bytes, 0x100000001ull);
	assert_int_equal(r.reply_packets, 22);
	assert_int_equal(r.reply_bytes, 0x200000002ull);
	assert_int_equal(r.start_ns, 1700000000123456789ull);
	/* The parsed blob left the tuple alone. */
	assert_int_equal(r.sport, 1000);
	assert_addr(r.dst, AF_INET6, "2001:db8::2");
	nfct_destroy(ct);
}

static void test_counters_absent(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET, IPPROTO_UDP, "10.0.0.1",
					"10.0.0.2");
	struct flow_wire r;

	(void)state;
	set_ports(ct, 1, 2);
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), 0);
	assert_int_equal(r.orig_bytes, 0);
	assert_int_equal(r.orig_packets, 0);
	assert_int_equal(r.reply_bytes, 0);
	assert_int_equal(r.reply_packets, 0);
	assert_int_equal(r.start_ns, 0);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.pid, 0);
	assert_int_equal(r.comm[0], '\0');
	nfct_destroy(ct);
}

/* --- state missing from the kernel's message ------------------------- */

static void test_missing_state(void **state)
{
	struct nf_conntrack *ct = mk_ct(AF_INET, IPPROTO_TCP, "10.0.0.1",
					"10.0.0.2");
	struct flow_wire r;

	(void)state;
	set_ports(ct, 1, 2);
	/* An UPDATE about something else than the state says nothing. */
	assert_int_equal(to_wire(ct, FLOW_EV_UPDATE, SEL_ALL, &r), 1);
	/* Other records still describe the flow, in the kernel's NONE. */
	assert_int_equal(to_wire(ct, FLOW_EV_NEW, SEL_ALL, &r), 0);
	assert_int_equal(r.state, TCP_CONNTRACK_NONE);
	assert_int_equal(to_wire(ct, FLOW_EV_DESTROY, SEL_ALL, &r), 0);
	assert_int_equal(r.state, TCP_CONNTRACK_NONE);
	nfct_destroy(ct);

	/* Stateless protocols have nothing to miss. */
	ct = mk_ct(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2");
	assert_int_equal(to_wire(ct, FLOW_EV_UPDATE, SEL_ALL, &r), 0);
	assert_int_equal(r.state, FLOW_STATE_NONE);
	nfct_destroy(ct);
}

/* --- what flowtop can't show ----------------------------------------- */

static void test_unsupported(void **state)
{
	struct nf_conntrack *ct;
	struct flow_wire r;

	(void)state;
	ct = mk_ct(AF_INET, IPPROTO_GRE, "10.0.0.1", "10.0.0.2");
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);

	ct = mk_ct(AF_INET, IPPROTO_ESP, "10.0.0.1", "10.0.0.2");
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);

	/* ICMP over the wrong family. */
	ct = mk_ct(AF_INET6, IPPROTO_ICMP, "2001:db8::1", "2001:db8::2");
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);
	ct = mk_ct(AF_INET, IPPROTO_ICMPV6, "10.0.0.1", "10.0.0.2");
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);

	/* A state number this build does not know. */
	ct = mk_ct(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2");
	nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_MAX);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);

	/* No usable network layer or addresses. */
	ct = nfct_new();
	assert_non_null(ct);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_UDP);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET6);
	assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), -1);
	nfct_destroy(ct);
}

/* --- selection -------------------------------------------------------- */

struct sel_case {
	int af;
	uint8_t proto;
	uint32_t bit;
};

static const struct sel_case sel_cases[] = {
	{ AF_INET, IPPROTO_TCP, SEL_TCP },
	{ AF_INET6, IPPROTO_TCP, SEL_TCP },
	{ AF_INET, IPPROTO_UDP, SEL_UDP },
	{ AF_INET6, IPPROTO_UDPLITE, SEL_UDP },
	{ AF_INET, IPPROTO_SCTP, SEL_SCTP },
	{ AF_INET6, IPPROTO_DCCP, SEL_DCCP },
	{ AF_INET, IPPROTO_ICMP, SEL_ICMP },
	{ AF_INET6, IPPROTO_ICMPV6, SEL_ICMP },
};

static struct nf_conntrack *mk_sel_ct(const struct sel_case *c)
{
	struct nf_conntrack *ct = c->af == AF_INET ?
		mk_ct(AF_INET, c->proto, "192.0.2.1", "192.0.2.2") :
		mk_ct(AF_INET6, c->proto, "2001:db8::1", "2001:db8::2");

	nfct_set_attr_u8(ct, ATTR_TCP_STATE, 1);
	nfct_set_attr_u8(ct, ATTR_SCTP_STATE, 1);
	nfct_set_attr_u8(ct, ATTR_DCCP_STATE, 1);
	return ct;
}

static void test_selection_protocol_bits(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sel_cases); i++) {
		const struct sel_case *c = &sel_cases[i];
		uint32_t fam = c->af == AF_INET ? SEL_IPV4 : SEL_IPV6;
		struct nf_conntrack *ct = mk_sel_ct(c);
		struct flow_wire r;

		assert_int_equal(to_wire(ct, FLOW_EV_DUMP, fam | c->bit, &r), 0);
		assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL & ~c->bit,
					 &r), 1);
		assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL & ~fam, &r),
				 1);
		assert_int_equal(to_wire(ct, FLOW_EV_DUMP, 0, &r), 1);
		nfct_destroy(ct);
	}
}

/* The default selection of netsniff-ng flowtop: -46T. */
static void test_selection_default(void **state)
{
	const uint32_t sel = SEL_IPV4 | SEL_IPV6 | SEL_TCP;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sel_cases); i++) {
		struct nf_conntrack *ct = mk_sel_ct(&sel_cases[i]);
		struct flow_wire r;
		int want = sel_cases[i].proto == IPPROTO_TCP ? 0 : 1;

		assert_int_equal(to_wire(ct, FLOW_EV_NEW, sel, &r), want);
		nfct_destroy(ct);
	}
}

struct lo_case {
	int af;
	const char *src, *dst;
	int loopback;
};

static const struct lo_case lo_cases[] = {
	{ AF_INET, "127.0.0.1", "127.0.0.1", 1 },
	{ AF_INET, "10.0.0.1", "127.0.0.53", 1 },
	{ AF_INET, "127.255.255.254", "10.0.0.1", 1 },
	{ AF_INET, "126.255.255.255", "128.0.0.1", 0 },
	{ AF_INET, "10.0.0.1", "10.0.0.2", 0 },
	{ AF_INET6, "::1", "::1", 1 },
	{ AF_INET6, "2001:db8::1", "::1", 1 },
	{ AF_INET6, "::ffff:127.0.0.1", "2001:db8::1", 1 },
	{ AF_INET6, "2001:db8::1", "::ffff:127.1.2.3", 1 },
	{ AF_INET6, "::ffff:10.0.0.1", "::ffff:128.0.0.1", 0 },
	{ AF_INET6, "::2", "::", 0 },
	{ AF_INET6, "::127.0.0.1", "2001:db8::1", 0 },
	{ AF_INET6, "fe80::1", "ff02::1", 0 },
};

static void test_loopback_hidden(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(lo_cases); i++) {
		const struct lo_case *c = &lo_cases[i];
		struct nf_conntrack *ct = mk_ct(c->af, IPPROTO_UDP, c->src,
						c->dst);
		struct flow_wire r;

		set_ports(ct, 1, 2);
		assert_int_equal(to_wire(ct, FLOW_EV_DUMP,
					 SEL_ALL & ~SEL_LOOPBACK, &r),
				 c->loopback ? 1 : 0);
		assert_int_equal(to_wire(ct, FLOW_EV_DUMP, SEL_ALL, &r), 0);
		nfct_destroy(ct);
	}
}

/* --- against the kernel, in a private network namespace --------------- */

struct sink {
	size_t calls;
	size_t stop_after;      /* 0: never stop */
	size_t n;
	struct flow_wire rec[16];
};

static int sink_emit(const struct flow_wire *r, void *arg)
{
	struct sink *k = arg;
	const char *why = NULL;

	assert_int_equal(flow_wire_check(r, &why), 0);
	k->calls++;
	if (k->n < ARRAY_LEN(k->rec))
		k->rec[k->n++] = *r;
	return k->stop_after && k->calls >= k->stop_after ? -1 : 0;
}

static const struct flow_wire *sink_find(const struct sink *k, uint8_t ev,
					 uint8_t proto)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->rec[i].event == ev && k->rec[i].l4proto == proto)
			return &k->rec[i];
	return NULL;
}

/* A fresh network namespace, hence an empty conntrack table, for each
 * test; skips when this process may not make one. */
static void enter_private_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		print_message("no private network namespace (%s): skipped\n",
			      strerror(errno));
		skip();
	}
}

/* Insert (NFCT_Q_CREATE) or remove (NFCT_Q_DESTROY) an entry as
 * `conntrack -I` and `-D` do. */
static int kernel_query(struct nfct_handle *h, enum nf_conntrack_query q,
			int af, uint8_t proto, const char *src,
			const char *dst, uint16_t sport)
{
	struct nf_conntrack *ct = mk_ct(af, proto, src, dst);
	int r;

	if (proto != IPPROTO_GRE)
		set_ports(ct, sport, 80);
	if (proto == IPPROTO_TCP)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, 300);
	nfct_setobjopt(ct, NFCT_SOPT_SETUP_REPLY);
	r = nfct_query(h, q, ct);
	nfct_destroy(ct);
	return r;
}

static int kernel_add(struct nfct_handle *h, int af, uint8_t proto,
		      const char *src, const char *dst, uint16_t sport)
{
	return kernel_query(h, NFCT_Q_CREATE, af, proto, src, dst, sport);
}

static void kernel_add_many(struct nfct_handle *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.9.%u.%u", i / 250, i % 250 + 1);
		assert_int_equal(kernel_add(h, AF_INET, IPPROTO_UDP, src,
					    "10.8.0.1", (uint16_t)(1024 + i)), 0);
	}
}

static struct ct_source *kernel_open(uint32_t sel, struct nfct_handle **h)
{
	char err[256] = "";
	struct ct_source *s;

	enter_private_netns();
	s = ct_open(sel, err, sizeof(err));
	if (!s)
		fail_msg("ct_open: %s", err);
	*h = nfct_open(CONNTRACK, 0);
	assert_non_null(*h);
	return s;
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 2000), 1);
}

static void test_kernel_events_and_dump(void **state)
{
	struct nfct_handle *h;
	struct ct_source *s = kernel_open(SEL_ALL & ~SEL_LOOPBACK, &h);
	struct sink k = { 0 };
	const struct flow_wire *r;
	char err[256] = "";

	(void)state;
	assert_int_equal(kernel_add(h, AF_INET, IPPROTO_TCP, "10.0.0.1",
				    "10.0.0.2", 4321), 0);
	assert_int_equal(kernel_add(h, AF_INET6, IPPROTO_UDP, "2001:db8::1",
				    "2001:db8::2", 5353), 0);
	assert_int_equal(kernel_add(h, AF_INET, IPPROTO_GRE, "10.0.0.1",
				    "10.0.0.3", 0), 0);
	assert_int_equal(kernel_add(h, AF_INET, IPPROTO_TCP, "127.0.0.1",
				    "127.0.0.1", 999), 0);

	wait_readable(ct_event_fd(s));
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)), 0);
	/* GRE is not shown, loopback is hidden. */
	assert_int_equal(k.calls, 2);
	r = sink_find(&k, FLOW_EV_NEW, IPPROTO_TCP);
	assert_non_null(r);
	assert_addr(r->src, AF_INET, "10.0.0.1");
	assert_int_equal(r->sport, 4321);
	assert_int_equal(r->dport, 80);
	assert_int_equal(r->state, TCP_CONNTRACK_ESTABLISHED);
	assert_true(r->id != 0);
	r = sink_find(&k, FLOW_EV_NEW, IPPROTO_UDP);
	assert_non_null(r);
	assert_int_equal(r->family, FLOW_FAM_IPV6);
	assert_int_equal(r->sport, 5353);

	/* Nothing more queued: returns at once. */
	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 0);

	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 2);
	assert_non_null(sink_find(&k, FLOW_EV_DUMP, IPPROTO_TCP));
	assert_non_null(sink_find(&k, FLOW_EV_DUMP, IPPROTO_UDP));

	/* A new selection applies to the next dump. */
	ct_set_selection(s, SEL_ALL);
	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 3);
	ct_set_selection(s, SEL_IPV6 | SEL_UDP);
	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(k.rec[0].l4proto, IPPROTO_UDP);

	/* Removal arrives as DESTROY. */
	ct_set_selection(s, SEL_ALL);
	assert_int_equal(kernel_query(h, NFCT_Q_DESTROY, AF_INET6, IPPROTO_UDP,
				      "2001:db8::1", "2001:db8::2", 5353), 0);
	wait_readable(ct_event_fd(s));
	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 1);
	assert_non_null(sink_find(&k, FLOW_EV_DESTROY, IPPROTO_UDP));

	nfct_close(h);
	ct_close(s);
}

/* A consumer that stops a dump sees no more records, and the next dump is
 * whole: the rest of the stopped one must not leak into it. */
static void test_kernel_dump_stop(void **state)
{
	struct nfct_handle *h;
	struct ct_source *s = kernel_open(SEL_ALL, &h);
	struct sink k = { .stop_after = 2 };
	char err[256] = "";

	(void)state;
	kernel_add_many(h, 500);
	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), -1);
	assert_int_equal(k.calls, 2);
	assert_true(err[0] != '\0');

	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 500);

	/* Events: a stop ends the read, the rest stays queued. */
	memset(&k, 0, sizeof(k));
	k.stop_after = 1;
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)),
			 -1);
	assert_int_equal(k.calls, 1);
	nfct_close(h);
	ct_close(s);
}

/* Events lost to a full queue are reported, not fatal. */
static void test_kernel_enobufs(void **state)
{
	struct nfct_handle *h;
	struct ct_source *s = kernel_open(SEL_ALL, &h);
	struct sink k = { 0 };
	char err[256] = "";
	int small = 1024;

	(void)state;
	assert_int_equal(setsockopt(ct_event_fd(s), SOL_SOCKET, SO_RCVBUF,
				    &small, sizeof(small)), 0);
	kernel_add_many(h, 300);
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)), 1);
	/* The socket goes on working: what is still queued is read. */
	assert_int_equal(ct_read_events(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_true(k.calls < 300);
	memset(&k, 0, sizeof(k));
	assert_int_equal(ct_dump(s, sink_emit, &k, err, sizeof(err)), 0);
	assert_int_equal(k.calls, 300);
	nfct_close(h);
	ct_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_v4),
		cmocka_unit_test(test_tcp_v6),
		cmocka_unit_test(test_udp_and_udplite),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_icmpv6),
		cmocka_unit_test(test_sctp_and_dccp),
		cmocka_unit_test(test_state_attr_per_protocol),
		cmocka_unit_test(test_counters_and_timestamp),
		cmocka_unit_test(test_counters_absent),
		cmocka_unit_test(test_missing_state),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_selection_protocol_bits),
		cmocka_unit_test(test_selection_default),
		cmocka_unit_test(test_loopback_hidden),
		cmocka_unit_test(test_kernel_events_and_dump),
		cmocka_unit_test(test_kernel_dump_stop),
		cmocka_unit_test(test_kernel_enobufs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
