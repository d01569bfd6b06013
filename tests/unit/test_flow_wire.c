/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for privsep/flow_wire.c: state and protocol tables, and the
 * range check of received records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <cmocka.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nf_conntrack_sctp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_dccp.h>
#include "privsep/flow_wire.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct state_case {
	uint8_t proto;
	unsigned state;
	const char *name;
};

/* Every state as the kernel headers number it. */
static const struct state_case kernel_states[] = {
	{ IPPROTO_TCP, TCP_CONNTRACK_NONE, "NONE" },
	{ IPPROTO_TCP, TCP_CONNTRACK_SYN_SENT, "SYN_SENT" },
	{ IPPROTO_TCP, TCP_CONNTRACK_SYN_RECV, "SYN_RECV" },
	{ IPPROTO_TCP, TCP_CONNTRACK_ESTABLISHED, "ESTABLISHED" },
	{ IPPROTO_TCP, TCP_CONNTRACK_FIN_WAIT, "FIN_WAIT" },
	{ IPPROTO_TCP, TCP_CONNTRACK_CLOSE_WAIT, "CLOSE_WAIT" },
	{ IPPROTO_TCP, TCP_CONNTRACK_LAST_ACK, "LAST_ACK" },
	{ IPPROTO_TCP, TCP_CONNTRACK_TIME_WAIT, "TIME_WAIT" },
	{ IPPROTO_TCP, TCP_CONNTRACK_CLOSE, "CLOSE" },
	{ IPPROTO_TCP, TCP_CONNTRACK_SYN_SENT2, "SYN_SENT2" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_NONE, "NONE" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_CLOSED, "CLOSED" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_COOKIE_WAIT, "COOKIE_WAIT" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_COOKIE_ECHOED, "COOKIE_ECHOED" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_ESTABLISHED, "ESTABLISHED" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_SHUTDOWN_SENT, "SHUTDOWN_SENT" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_SHUTDOWN_RECD, "SHUTDOWN_RECD" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_SHUTDOWN_ACK_SENT, "SHUTDOWN_ACK_SENT" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_HEARTBEAT_SENT, "HEARTBEAT_SENT" },
	{ IPPROTO_SCTP, SCTP_CONNTRACK_HEARTBEAT_ACKED, "HEARTBEAT_ACKED" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_NONE, "NONE" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_REQUEST, "REQUEST" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_RESPOND, "RESPOND" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_PARTOPEN, "PARTOPEN" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_OPEN, "OPEN" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_CLOSEREQ, "CLOSEREQ" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_CLOSING, "CLOSING" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_TIMEWAIT, "TIMEWAIT" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_IGNORE, "IGNORE" },
	{ IPPROTO_DCCP, DCCP_CONNTRACK_INVALID, "INVALID" },
};

static void test_state_names_match_kernel(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(kernel_states); i++) {
		const struct state_case *c = &kernel_states[i];
		const char *name = flow_state_name(c->proto, (uint8_t)c->state);

		assert_non_null(name);
		assert_string_equal(name, c->name);
	}
}

/* The numbers themselves, independent of the headers: they are what the
 * kernel sends and what the record carries. */
static void test_state_numbers(void **state)
{
	(void)state;
	assert_string_equal(flow_state_name(IPPROTO_TCP, 3), "ESTABLISHED");
	assert_string_equal(flow_state_name(IPPROTO_TCP, 7), "TIME_WAIT");
	assert_string_equal(flow_state_name(IPPROTO_TCP, 9), "SYN_SENT2");
	assert_string_equal(flow_state_name(IPPROTO_SCTP, 4), "ESTABLISHED");
	assert_string_equal(flow_state_name(IPPROTO_SCTP, 9), "HEARTBEAT_ACKED");
	assert_string_equal(flow_state_name(IPPROTO_DCCP, 4), "OPEN");
	assert_string_equal(flow_state_name(IPPROTO_DCCP, 9), "INVALID");
}

static void test_state_counts(void **state)
{
	(void)state;
	assert_int_equal(flow_state_count(IPPROTO_TCP), 10);
	assert_int_equal(flow_state_count(IPPROTO_TCP), TCP_CONNTRACK_MAX);
	assert_int_equal(flow_state_count(IPPROTO_SCTP), 10);
	assert_int_equal(flow_state_count(IPPROTO_SCTP), SCTP_CONNTRACK_MAX);
	assert_int_equal(flow_state_count(IPPROTO_DCCP), 10);
	assert_int_equal(flow_state_count(IPPROTO_DCCP), DCCP_CONNTRACK_MAX);
	assert_int_equal(flow_state_count(IPPROTO_UDP), 0);
	assert_int_equal(flow_state_count(IPPROTO_UDPLITE), 0);
	assert_int_equal(flow_state_count(IPPROTO_ICMP), 0);
	assert_int_equal(flow_state_count(IPPROTO_ICMPV6), 0);
	assert_int_equal(flow_state_count(IPPROTO_GRE), 0);
	assert_int_equal(flow_state_count(255), 0);
}

static void test_state_name_out_of_range(void **state)
{
	(void)state;
	assert_null(flow_state_name(IPPROTO_TCP, 10));
	assert_null(flow_state_name(IPPROTO_TCP, FLOW_STATE_NONE));
	assert_null(flow_state_name(IPPROTO_SCTP, 10));
	assert_null(flow_state_name(IPPROTO_DCCP, 200));
	assert_null(flow_state_name(IPPROTO_UDP, 0));
	assert_null(flow_state_name(IPPROTO_UDP, FLOW_STATE_NONE));
	assert_null(flow_state_name(IPPROTO_ICMP, 3));
	assert_null(flow_state_name(IPPROTO_GRE, 0));
}

static void test_proto_names(void **state)
{
	static const struct {
		uint8_t proto;
		const char *name;
	} known[] = {
		{ IPPROTO_TCP, "tcp" }, { IPPROTO_UDP, "udp" },
		{ IPPROTO_UDPLITE, "udplite" }, { IPPROTO_SCTP, "sctp" },
		{ IPPROTO_DCCP, "dccp" }, { IPPROTO_ICMP, "icmp" },
		{ IPPROTO_ICMPV6, "icmpv6" },
	};
	unsigned named = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		assert_string_equal(flow_proto_name(known[i].proto),
				    known[i].name);
	for (unsigned p = 0; p <= UINT8_MAX; p++)
		named += flow_proto_name((uint8_t)p) != NULL;
	assert_int_equal(named, ARRAY_LEN(known));
	assert_null(flow_proto_name(IPPROTO_GRE));
	assert_null(flow_proto_name(IPPROTO_IP));
	assert_null(flow_proto_name(IPPROTO_RAW));
}

/* A valid record of the given protocol and family. */
static struct flow_wire good(uint8_t proto, uint8_t family)
{
	struct flow_wire r;

	memset(&r, 0, sizeof(r));
	r.event = FLOW_EV_DUMP;
	r.family = family;
	r.l4proto = proto;
	r.state = flow_state_count(proto) ? 3 : FLOW_STATE_NONE;
	r.id = 42;
	r.pid = 1234;
	strcpy(r.comm, "curl");
	r.src[0] = 192;
	r.dst[0] = 10;
	if (family == FLOW_FAM_IPV6) {
		r.src[15] = 1;
		r.dst[15] = 2;
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		r.icmp_type = 8;
		r.icmp_id = 99;
	} else {
		r.sport = 40000;
		r.dport = 443;
	}
	return r;
}

static void assert_rejected(const struct flow_wire *r, const char *field)
{
	const char *why = NULL;

	assert_int_equal(flow_wire_check(r, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, field);
}

static void assert_accepted(const struct flow_wire *r)
{
	const char *why = NULL;

	assert_int_equal(flow_wire_check(r, &why), 0);
	assert_null(why);
}

static void test_check_accepts_valid(void **state)
{
	static const struct {
		uint8_t proto, family;
	} ok[] = {
		{ IPPROTO_TCP, FLOW_FAM_IPV4 }, { IPPROTO_TCP, FLOW_FAM_IPV6 },
		{ IPPROTO_UDP, FLOW_FAM_IPV4 }, { IPPROTO_UDP, FLOW_FAM_IPV6 },
		{ IPPROTO_UDPLITE, FLOW_FAM_IPV4 },
		{ IPPROTO_SCTP, FLOW_FAM_IPV6 }, { IPPROTO_DCCP, FLOW_FAM_IPV4 },
		{ IPPROTO_ICMP, FLOW_FAM_IPV4 },
		{ IPPROTO_ICMPV6, FLOW_FAM_IPV6 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		for (uint8_t ev = FLOW_EV_DUMP; ev <= FLOW_EV_REFRESH; ev++) {
			struct flow_wire r = good(ok[i].proto, ok[i].family);

			r.event = ev;
			assert_accepted(&r);
		}
	}
}

static void test_check_state_bounds(void **state)
{
	struct flow_wire r = good(IPPROTO_TCP, FLOW_FAM_IPV4);

	(void)state;
	r.state = 0;
	assert_accepted(&r);
	r.state = 9;
	assert_accepted(&r);
	r.state = 10;
	assert_rejected(&r, "state");
	r.state = FLOW_STATE_NONE;
	assert_rejected(&r, "state");

	r = good(IPPROTO_SCTP, FLOW_FAM_IPV4);
	r.state = 10;
	assert_rejected(&r, "state");
	r = good(IPPROTO_DCCP, FLOW_FAM_IPV6);
	r.state = 77;
	assert_rejected(&r, "state");

	/* Stateless protocols carry FLOW_STATE_NONE and nothing else. */
	r = good(IPPROTO_UDP, FLOW_FAM_IPV4);
	r.state = 0;
	assert_rejected(&r, "state");
	r = good(IPPROTO_ICMPV6, FLOW_FAM_IPV6);
	r.state = 3;
	assert_rejected(&r, "state");
}

static void test_check_event_family_proto(void **state)
{
	struct flow_wire r;

	(void)state;
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.event = 0;
	assert_rejected(&r, "event");
	r.event = FLOW_EV_REFRESH + 1;
	assert_rejected(&r, "event");
	r.event = 255;
	assert_rejected(&r, "event");

	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.family = 0;
	assert_rejected(&r, "family");
	r.family = 5;
	assert_rejected(&r, "family");
	r.family = AF_INET6;   /* the socket constant is not the wire value */
	assert_rejected(&r, "family");

	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.l4proto = IPPROTO_GRE;
	r.state = FLOW_STATE_NONE;
	assert_rejected(&r, "l4proto");
	r.l4proto = 0;
	assert_rejected(&r, "l4proto");

	/* ICMP belongs to IPv4, ICMPv6 to IPv6. */
	r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);
	r.family = FLOW_FAM_IPV6;
	assert_rejected(&r, "l4proto");
	r = good(IPPROTO_ICMPV6, FLOW_FAM_IPV6);
	r.family = FLOW_FAM_IPV4;
	memset(r.src + 4, 0, 12);
	memset(r.dst + 4, 0, 12);
	assert_rejected(&r, "l4proto");
}

static void test_check_comm(void **state)
{
	struct flow_wire r = good(IPPROTO_UDP, FLOW_FAM_IPV4);

	(void)state;
	memset(r.comm, 'A', sizeof(r.comm));
	assert_rejected(&r, "comm");
	r.comm[FLOW_COMM_LEN - 1] = '\0';
	assert_accepted(&r);
	memset(r.comm, 0, sizeof(r.comm));
	assert_accepted(&r);
}

static void test_check_ipv4_padding(void **state)
{
	struct flow_wire r;

	(void)state;
	for (size_t i = 4; i < 16; i++) {
		r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
		r.src[i] = 1;
		assert_rejected(&r, "src");
		r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
		r.dst[i] = 0x80;
		assert_rejected(&r, "dst");
		r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
		r.rsrc[i] = 1;
		assert_rejected(&r, "rsrc");
		r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
		r.rdst[i] = 1;
		assert_rejected(&r, "rdst");
	}
	/* An owner's start tag only with its pid. */
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.pid = 0;
	r.comm[0] = 0;
	r.owner_tag[2] = 1;
	assert_rejected(&r, "owner tag");
	r.pid = 42;
	assert_accepted(&r);
	/* The same bytes are address bytes in IPv6. */
	r = good(IPPROTO_TCP, FLOW_FAM_IPV6);
	r.src[4] = 1;
	r.dst[12] = 1;
	assert_accepted(&r);
}

static void test_check_icmp_ports(void **state)
{
	struct flow_wire r;

	(void)state;
	r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);
	r.sport = 1;
	assert_rejected(&r, "sport");
	r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);
	r.dport = 80;
	assert_rejected(&r, "dport");
	r = good(IPPROTO_ICMPV6, FLOW_FAM_IPV6);
	r.dport = 1;
	assert_rejected(&r, "dport");
	r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);
	r.rsport = 1;
	assert_rejected(&r, "reply ports");
	r = good(IPPROTO_ICMPV6, FLOW_FAM_IPV6);
	r.rdport = 1;
	assert_rejected(&r, "reply ports");
	/* Port 0 is fine for protocols with ports. */
	r = good(IPPROTO_UDP, FLOW_FAM_IPV4);
	r.sport = 0;
	assert_accepted(&r);
}

/* The owner: a uid only with a socket, and a hidden owner names nothing
 * but its uid. */
static void test_check_owner(void **state)
{
	struct flow_wire r;

	(void)state;
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.owner = FLOW_OWNER_SOCKET;
	r.uid = 1000;
	r.pid = 42;
	memcpy(r.comm, "curl", 5);
	assert_accepted(&r);
	r.uid = 0;              /* root's socket */
	assert_accepted(&r);
	r.pid = 0;              /* the socket's process not found */
	r.comm[0] = 0;
	assert_accepted(&r);
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.owner = FLOW_OWNER_HIDDEN;
	r.uid = 1001;
	r.pid = 0;
	memset(r.comm, 0, sizeof(r.comm));
	assert_accepted(&r);
	r.uid = 0;
	assert_accepted(&r);
	r.pid = 42;
	assert_rejected(&r, "hidden owner");
	r.pid = 0;
	memcpy(r.comm, "sshd", 5);
	assert_rejected(&r, "hidden owner");
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.owner = FLOW_OWNER_HIDDEN + 1;
	assert_rejected(&r, "owner");
	r.owner = 0xff;
	assert_rejected(&r, "owner");
	/* No socket, no uid. */
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.uid = 1000;
	assert_rejected(&r, "uid");
	/* The socket's side, only with a socket; the spare byte 0. */
	r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	r.side = FLOW_SIDE_ORIG;
	assert_rejected(&r, "side");
	r.owner = FLOW_OWNER_SOCKET;
	assert_accepted(&r);
	r.side = FLOW_SIDE_REPLY;
	assert_accepted(&r);
	r.owner = FLOW_OWNER_HIDDEN;
	r.pid = 0;
	memset(r.comm, 0, sizeof(r.comm));
	assert_accepted(&r);
	r.side = FLOW_SIDE_REPLY + 1;
	assert_rejected(&r, "side");
	r.side = FLOW_SIDE_NONE;
	r.reserved = 1;
	assert_rejected(&r, "side");
}

static void test_check_reports_first_bad_field(void **state)
{
	struct flow_wire r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);

	(void)state;
	r.sport = 1;
	memset(r.comm, 'x', sizeof(r.comm));
	assert_rejected(&r, "comm");
	r.event = 9;
	assert_rejected(&r, "event");
}

static void assert_key(const struct flow_key *k, const char *field)
{
	const char *why = NULL;

	assert_int_equal(flow_key_check(k, &why), field ? -1 : 0);
	if (field)
		assert_string_equal(why, field);
}

/* A key made from a good record passes, for every protocol and family;
 * it carries what the kernel's GET needs and nothing else. */
static void test_key_of(void **state)
{
	struct flow_wire r = good(IPPROTO_TCP, FLOW_FAM_IPV4);
	struct flow_key k;

	(void)state;
	r.orig_bytes = 12345;
	r.pid = 77;
	flow_key_of(&r, &k);
	assert_key(&k, NULL);
	assert_int_equal(k.id, r.id);
	assert_int_equal(k.sport, 40000);
	assert_int_equal(k.dport, 443);
	assert_memory_equal(k.src, r.src, 4);
	assert_memory_equal(k.dst, r.dst, 4);
	assert_int_equal(k.family, FLOW_FAM_IPV4);
	assert_int_equal(k.l4proto, IPPROTO_TCP);

	r = good(IPPROTO_ICMPV6, FLOW_FAM_IPV6);
	flow_key_of(&r, &k);
	assert_key(&k, NULL);
	assert_int_equal(k.icmp_id, 99);
	assert_int_equal(k.sport, 0);
	assert_memory_equal(k.dst, r.dst, 16);
}

/* The collector asks the kernel with what the ui names: nothing out of
 * range passes. */
static void test_key_check(void **state)
{
	struct flow_wire r = good(IPPROTO_UDP, FLOW_FAM_IPV4);
	struct flow_key k, ok;

	(void)state;
	flow_key_of(&r, &ok);
	k = ok;
	k.family = AF_INET6;
	assert_key(&k, "family");
	k = ok;
	k.l4proto = IPPROTO_GRE;
	assert_key(&k, "l4proto");
	k.l4proto = IPPROTO_ICMPV6;     /* over IPv4 */
	assert_key(&k, "l4proto");
	k = ok;
	k.src[4] = 1;
	assert_key(&k, "address");
	k = ok;
	k.icmp_type = 8;
	assert_key(&k, "icmp fields");
	k = ok;
	k.zone = 65535;                 /* any zone is one */
	assert_int_equal(flow_key_check(&k, NULL), 0);
	r = good(IPPROTO_ICMP, FLOW_FAM_IPV4);
	flow_key_of(&r, &k);
	k.dport = 1;
	assert_key(&k, "ports");
}

/* Labels found a word at a time, at the edges of the words too. */
static void test_label_next(void **state)
{
	static const unsigned set[] = { 0, 63, 64, 127 };
	const unsigned per = 8 * sizeof(unsigned long);
	struct flow_wire w;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(flow_label_next(&w, 0), -1);
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		unsigned long word;
		uint8_t *at = w.labels + set[i] / per * sizeof(word);

		memcpy(&word, at, sizeof(word));
		word |= 1ul << (set[i] % per);
		memcpy(at, &word, sizeof(word));
	}
	assert_int_equal(flow_label_next(&w, 0), 0);
	assert_int_equal(flow_label_next(&w, 1), 63);
	assert_int_equal(flow_label_next(&w, 64), 64);
	assert_int_equal(flow_label_next(&w, 65), 127);
	assert_int_equal(flow_label_next(&w, 128), -1);
	for (unsigned n = 0; n < FLOW_LABELS; n++)
		assert_int_equal(flow_label_bit(&w, n),
				 n == 0 || n == 63 || n == 64 || n == 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names_match_kernel),
		cmocka_unit_test(test_label_next),
		cmocka_unit_test(test_state_numbers),
		cmocka_unit_test(test_state_counts),
		cmocka_unit_test(test_state_name_out_of_range),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_check_accepts_valid),
		cmocka_unit_test(test_check_state_bounds),
		cmocka_unit_test(test_check_event_family_proto),
		cmocka_unit_test(test_check_comm),
		cmocka_unit_test(test_check_ipv4_padding),
		cmocka_unit_test(test_check_icmp_ports),
		cmocka_unit_test(test_check_owner),
		cmocka_unit_test(test_check_reports_first_bad_field),
		cmocka_unit_test(test_key_of),
		cmocka_unit_test(test_key_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
