/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of collector/untracked.c: the parsing of /proc/net/snmp and
 * /proc/net/snmp6, and when the "packets flow, nothing is tracked" sign
 * is given (files in a temporary directory stand for /proc/self/net). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "collector/untracked.h"

/* As Linux 6.1 writes it; the counted fields are set to powers of two so
 * that each one's share of the sum shows. */
static const char snmp_text[] =
	"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors "
	"ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests "
	"OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails "
	"FragOKs FragFails FragCreates OutTransmits\n"
	"Ip: 2 64 562 0 0 1 0 0 562 332 0 0 0 0 0 0 0 0 0 332\n"
	"Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds "
	"InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps "
	"InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors "
	"OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds "
	"OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps "
	"OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n"
	"Icmp: 99 0 0 99 0 0 0 0 2 4 0 0 0 0 0 0 0 0 0 0 0 0 0 8 16 0 0 0 0\n"
	"IcmpMsg: InType3 OutType3\n"
	"IcmpMsg: 99 99\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens "
	"AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs "
	"OutRsts InCsumErrors\n"
	"Tcp: 1 200 120000 -1 13 2 0 0 0 32 64 0 0 2 0\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors "
	"SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
	"Udp: 128 256 7 512 0 0 0 0 0\n"
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors "
	"SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
	"UdpLite: 1024 2048 0 4096 0 0 0 0 0\n";
#define SNMP_FIELDS 13
#define SNMP_SUM 8191u

static const char snmp6_text[] =
	"Ip6InReceives                   \t900\n"
	"Ip6InDelivers                   \t900\n"
	"Ip6OutForwDatagrams             \t1\n"
	"Ip6OutRequests                  \t900\n"
	"Icmp6InMsgs                     \t900\n"
	"Icmp6InNeighborSolicits         \t300\n"
	"Icmp6OutNeighborAdvertisements  \t300\n"
	"Icmp6OutMLDv2Reports            \t300\n"
	"Icmp6InEchos                    \t2\n"
	"Icmp6InEchoReplies              \t4\n"
	"Icmp6OutEchos                   \t8\n"
	"Icmp6OutEchoReplies             \t16\n"
	"Icmp6InType135                  \t300\n"
	"Udp6InDatagrams                 \t32\n"
	"Udp6NoPorts                     \t64\n"
	"Udp6InErrors                    \t900\n"
	"Udp6OutDatagrams                \t128\n"
	"UdpLite6InDatagrams             \t256\n"
	"UdpLite6NoPorts                 \t512\n"
	"UdpLite6OutDatagrams            \t1024\n";
#define SNMP6_FIELDS 11
#define SNMP6_SUM 2047u

/* The parsers on a C string. */
static size_t snmp(const char *text, uint64_t *sum)
{
	return untracked_parse_snmp(text, strlen(text), sum);
}

static size_t snmp6(const char *text, uint64_t *sum)
{
	return untracked_parse_snmp6(text, strlen(text), sum);
}

/* Both files as the kernel writes them: every counted field, no other. */
static void test_parse_files(void **state)
{
	uint64_t sum = 0;

	(void)state;
	assert_int_equal(snmp(snmp_text, &sum), SNMP_FIELDS);
	assert_int_equal(sum, SNMP_SUM);
	/* The second adds to the first's sum. */
	assert_int_equal(snmp6(snmp6_text, &sum), SNMP6_FIELDS);
	assert_int_equal(sum, SNMP_SUM + SNMP6_SUM);
}

static void test_parse_snmp_odd(void **state)
{
	uint64_t sum = 0;
	size_t cut;

	(void)state;
	/* Nothing; names without values; values of another section. */
	assert_int_equal(snmp("", &sum), 0);
	assert_int_equal(snmp("Tcp: InSegs OutSegs\n", &sum), 0);
	assert_int_equal(snmp("Tcp: InSegs OutSegs\nUdp: 1 2\n", &sum), 0);
	/* No ':' on the section name: not snmp's format. */
	assert_int_equal(snmp("Tcp InSegs\nTcp 5\n", &sum), 0);
	assert_int_equal(sum, 0);
	/* Fewer values than names, no final newline: what is there counts. */
	assert_int_equal(snmp("Tcp: InSegs OutSegs\nTcp: 7", &sum), 1);
	assert_int_equal(sum, 7);
	/* Not a number, negative, past UINT64_MAX: left out. */
	sum = 0;
	assert_int_equal(snmp("Udp: InDatagrams NoPorts OutDatagrams\n"
			      "Udp: 12x -1 18446744073709551616\n", &sum), 0);
	assert_int_equal(snmp("Udp: OutDatagrams\n"
			      "Udp: 18446744073709551615\n", &sum), 1);
	assert_int_equal(sum, UINT64_MAX);
	/* A field of one section is not taken from another ("Udp:InSegs"),
	 * nor a prefix of a field ("InSeg"). */
	sum = 0;
	assert_int_equal(snmp("Udp: InSegs\nUdp: 3\nTcp: InSeg\nTcp: 3\n",
			      &sum), 0);
	/* A pair is two lines: the values line never names the next pair. */
	assert_int_equal(snmp("Tcp: InSegs\nTcp: 3\nTcp: 4\n", &sum), 1);
	assert_int_equal(sum, 3);
	/* Cut anywhere (a short read): never more than the whole. */
	for (cut = 0; cut <= strlen(snmp_text); cut++) {
		size_t n;

		sum = 0;
		n = untracked_parse_snmp(snmp_text, cut, &sum);
		assert_true(n <= SNMP_FIELDS);
		assert_true(sum <= SNMP_SUM);
	}
}

static void test_parse_snmp6_odd(void **state)
{
	uint64_t sum = 0;

	(void)state;
	/* Names alone, names of snmp, odd values. */
	assert_int_equal(snmp6("Udp6InDatagrams\n", &sum), 0);
	assert_int_equal(snmp6("InDatagrams 5\n", &sum), 0);
	assert_int_equal(snmp6("Udp6InDatagrams -5\n", &sum), 0);
	assert_int_equal(sum, 0);
	assert_int_equal(snmp6("Udp6InDatagrams 5\r\nUdp6OutDatagrams 6", &sum),
			 2);
	assert_int_equal(sum, 11);
}

/* A directory standing for /proc/self/net. */
struct dir {
	char path[64];
};

static void put(const struct dir *d, const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", d->path, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void drop(const struct dir *d, const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", d->path, name);
	unlink(p);
}

/* Counters in the snmp format: Udp InDatagrams and OutDatagrams. */
static void put_udp(const struct dir *d, unsigned in, unsigned out)
{
	char text[128];

	snprintf(text, sizeof(text),
		 "Udp: InDatagrams NoPorts OutDatagrams\nUdp: %u 0 %u\n", in, out);
	put(d, "snmp", text);
}

static int setup_dir(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/ft-untracked.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	struct dir *d = *state;

	drop(d, "snmp");
	drop(d, "snmp6");
	rmdir(d->path);
	free(d);
	return 0;
}

static void test_sample(void **state)
{
	const struct dir *d = *state;
	struct untracked u;

	untracked_open(&u, d->path);
	assert_true(u.dir_fd >= 0);
	put_udp(d, 10, 10);
	/* The first empty dump is the baseline. */
	assert_int_equal(untracked_sample(&u, 0), 0);
	/* Nothing went by: nothing to say. */
	assert_int_equal(untracked_sample(&u, 0), 0);
	/* Packets, the table still empty: the sign. */
	put_udp(d, 11, 12);
	assert_int_equal(untracked_sample(&u, 0), 1);
	/* It holds while the table stays empty, traffic or not. */
	assert_int_equal(untracked_sample(&u, 0), 1);
	/* An entry: tracking works after all. */
	put_udp(d, 20, 20);
	assert_int_equal(untracked_sample(&u, 3), 0);
	/* Packets between a dump with entries and an empty one say nothing
	 * (the entries may just have ended); two empty ones are needed. */
	put_udp(d, 30, 30);
	assert_int_equal(untracked_sample(&u, 0), 0);
	assert_int_equal(untracked_sample(&u, 0), 0);
	put_udp(d, 31, 30);
	assert_int_equal(untracked_sample(&u, 0), 1);
	untracked_close(&u);
	assert_int_equal(u.dir_fd, -1);
	assert_int_equal(untracked_sample(&u, 0), 0);
}

static void test_sample_files(void **state)
{
	const struct dir *d = *state;
	struct untracked u;

	/* snmp6 alone (IPv4 counters unreadable) still gives the sign. */
	untracked_open(&u, d->path);
	put(d, "snmp6", "Icmp6OutEchos 1\nIcmp6InEchoReplies 1\n");
	assert_int_equal(untracked_sample(&u, 0), 0);
	put(d, "snmp6", "Icmp6OutEchos 2\nIcmp6InEchoReplies 2\n");
	assert_int_equal(untracked_sample(&u, 0), 1);
	untracked_close(&u);

	/* A file that comes or goes changes how many counters add up: no
	 * comparison across that, so no sign from it. */
	untracked_open(&u, d->path);
	assert_int_equal(untracked_sample(&u, 0), 0);
	put_udp(d, 1000, 1000);
	assert_int_equal(untracked_sample(&u, 0), 0);
	drop(d, "snmp");
	assert_int_equal(untracked_sample(&u, 0), 0);
	/* Neither file: never a sign. */
	drop(d, "snmp6");
	assert_int_equal(untracked_sample(&u, 0), 0);
	assert_int_equal(untracked_sample(&u, 0), 0);
	untracked_close(&u);

	/* No such directory: no sign, no error. */
	untracked_open(&u, "/nonexistent/flowtop-untracked");
	assert_int_equal(u.dir_fd, -1);
	assert_int_equal(untracked_sample(&u, 0), 0);
	untracked_close(&u);
}

/* The real files of this host parse, with every counted field there. */
static void test_proc(void **state)
{
	struct untracked u;

	(void)state;
	untracked_open(&u, UNTRACKED_PROC_NET);
	if (u.dir_fd < 0) {
		untracked_close(&u);
		skip();
	}
	assert_int_equal(untracked_sample(&u, 0), 0);
	assert_true(u.found == SNMP_FIELDS ||                /* no IPv6 */
		    u.found == SNMP_FIELDS + SNMP6_FIELDS);
	untracked_close(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_files),
		cmocka_unit_test(test_parse_snmp_odd),
		cmocka_unit_test(test_parse_snmp6_odd),
		cmocka_unit_test_setup_teardown(test_sample, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_sample_files, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
