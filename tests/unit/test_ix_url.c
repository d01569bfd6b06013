/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/ix_url.c: the collector --ipfix names. What it
 * takes comes out as getaddrinfo wants it (brackets gone, the port
 * without leading zeros); what it refuses, it says why, one rule a
 * reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/ix_url.h"

static void ok(const char *s, enum ix_proto proto, const char *host,
	       const char *port_str, uint16_t port)
{
	struct ix_url u;
	const char *why = NULL;

	if (ix_url_parse(s, &u, &why) < 0)
		fail_msg("refused %s: %s", s, why);
	assert_int_equal(u.proto, proto);
	assert_string_equal(u.host, host);
	assert_string_equal(u.port_str, port_str);
	assert_int_equal(u.port, port);
}

static void bad(const char *s, const char *want)
{
	struct ix_url u;
	const char *why = NULL;

	if (ix_url_parse(s, &u, &why) == 0)
		fail_msg("accepted %s", s);
	assert_non_null(why);
	assert_string_equal(why, want);
}

#define NO_SCHEME "it must begin with udp:// or tcp://"
#define NO_PORT "no port: end with :PORT (IPFIX's is 4739)"
#define BAD_PORT "the port must be a number from 1 to 65535"
#define BAD_CHARS "the host may hold only letters, digits, '.', '-' and '_'"
#define NOT_V6 "not an IPv6 address between the brackets"

static void test_accepted(void **state)
{
	(void)state;
	ok("udp://127.0.0.1:4739", IX_UDP, "127.0.0.1", "4739", 4739);
	ok("tcp://collector.example.org:4739", IX_TCP,
	   "collector.example.org", "4739", 4739);
	ok("udp://[2001:db8::1]:2055", IX_UDP, "2001:db8::1", "2055", 2055);
	ok("tcp://[::1]:1", IX_TCP, "::1", "1", 1);
	ok("udp://[fe80::1%eth0]:4739", IX_UDP, "fe80::1%eth0", "4739", 4739);
	ok("udp://[::ffff:192.0.2.1]:9", IX_UDP, "::ffff:192.0.2.1", "9", 9);
	ok("udp://a_b-c.d.:65535", IX_UDP, "a_b-c.d.", "65535", 65535);
	ok("udp://localhost:04739", IX_UDP, "localhost", "4739", 4739);
}

/* 253 bytes of host pass, 254 do not. */
static void test_host_length(void **state)
{
	char host[256], url[300];

	(void)state;
	memset(host, 'a', 253);
	host[253] = '\0';
	snprintf(url, sizeof(url), "udp://%s:4739", host);
	ok(url, IX_UDP, host, "4739", 4739);
	snprintf(url, sizeof(url), "udp://%sa:4739", host);
	bad(url, "the host is longer than 253 bytes");
}

static void test_scheme(void **state)
{
	(void)state;
	bad("", NO_SCHEME);
	bad("udp:/x:1", NO_SCHEME);
	bad("UDP://x:1", NO_SCHEME);
	bad("sctp://x:1", NO_SCHEME);
	bad("http://x:1", NO_SCHEME);
	bad(" udp://x:1", NO_SCHEME);
}

static void test_port(void **state)
{
	(void)state;
	bad("udp://host", NO_PORT);
	bad("udp://host:", BAD_PORT);
	bad("udp://host:0", BAD_PORT);
	bad("udp://host:00000", BAD_PORT);
	bad("udp://host:65536", BAD_PORT);
	bad("udp://host:99999", BAD_PORT);
	bad("udp://host:123456", BAD_PORT);
	bad("udp://host:47a9", BAD_PORT);
	bad("udp://host:+4739", BAD_PORT);
	bad("udp://host:-1", BAD_PORT);
	bad("udp://host:4739/", BAD_PORT);
	bad("udp://host:4739 ", BAD_PORT);
	bad("udp://[::1]:4739x", BAD_PORT);
	bad("udp://[::1]", NO_PORT);
	bad("udp://[::1]4739", NO_PORT);
}

static void test_host(void **state)
{
	(void)state;
	bad("udp://:4739", "no host");
	bad("udp://[]:4739", "no host");
	bad("udp://ho st:4739", BAD_CHARS);
	bad("udp://host\n:4739", BAD_CHARS);
	bad("udp://host\x01:4739", BAD_CHARS);
	bad("udp://host\x7f:4739", BAD_CHARS);
	bad("udp://h\xc3\xa9:4739", BAD_CHARS);
	bad("udp://user@host:4739", BAD_CHARS);
	bad("udp://host/x:4739", BAD_CHARS);
	bad("udp://2001:db8::1:4739", "an IPv6 address goes in brackets: "
	    "udp://[2001:db8::1]:4739");
}

static void test_ipv6(void **state)
{
	(void)state;
	bad("udp://[2001:db8::1:4739", "no ']' after the IPv6 address");
	bad("udp://[not-v6]:4739", NOT_V6);
	bad("udp://[192.0.2.1]:4739", NOT_V6);
	bad("udp://[2001:db8::1::2]:4739", NOT_V6);
	bad("udp://[fe80::1%]:4739", "the IPv6 zone after '%' must be an "
	    "interface name");
	bad("udp://[fe80::1%e th]:4739", "the IPv6 zone after '%' must be an "
	    "interface name");
	bad("udp://[fe80::1%abcdefghijklmnop]:4739", "the IPv6 zone after "
	    "'%' must be an interface name");
	bad("udp://[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1]:4739",
	    NOT_V6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_host_length),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
