/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for common/options.c: the command line of netsniff-ng's
 * flowtop plus the batch options, parsed from argv vectors. Whatever
 * options_parse prints (help, version, usage errors) is captured in
 * temporary files so the test output stays clean and can be checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privsep/msg.h"
#include "common/options.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 16

#define SEL_DEFAULT (SEL_IPV4 | SEL_IPV6 | SEL_TCP)
#define SEL_BOTH (SEL_IPV4 | SEL_IPV6)

/* What the last parse printed. */
static char cap_out[8192];
static char cap_err[8192];

static void read_back(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run options_parse on "flowtop" followed by the NULL-terminated args, with
 * stdout and stderr sent to temporary files. */
static enum opt_result parse(struct options *o, const char *const *args)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	FILE *out, *err;
	int saved_out, saved_err;
	enum opt_result r;

	argv[argc++] = (char *)"flowtop";
	for (; *args; args++) {
		assert_true(argc <= MAX_ARGS);
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;

	out = tmpfile();
	err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	assert_true(saved_out >= 0 && saved_err >= 0);
	assert_int_equal(dup2(fileno(out), STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(dup2(fileno(err), STDERR_FILENO), STDERR_FILENO);

	memset(o, 0x5a, sizeof(*o));  /* nothing may be left uninitialised */
	r = options_parse(o, argc, argv);

	fflush(stdout);
	fflush(stderr);
	assert_int_equal(dup2(saved_out, STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	read_back(out, cap_out, sizeof(cap_out));
	read_back(err, cap_err, sizeof(cap_err));
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ARGS ((const char *const[]){ NULL })

/* A parse that must succeed silently. */
static void parse_ok(struct options *o, const char *const *args)
{
	assert_int_equal(parse(o, args), OPT_RUN);
	assert_string_equal(cap_out, "");
	assert_string_equal(cap_err, "");
}

/* A parse that must fail as a usage error, with a reason on stderr. */
static void parse_usage(const char *const *args)
{
	struct options o;

	assert_int_equal(parse(&o, args), OPT_USAGE);
	assert_string_equal(cap_out, "");
	assert_true(strlen(cap_err) > 0);
	assert_non_null(strstr(cap_err, "flowtop"));
}

static void assert_defaults_except_sel(const struct options *o)
{
	assert_int_equal(o->interval_ms, 1000);
	assert_int_equal(o->show_src, 0);
	assert_int_equal(o->no_dns, 0);
	assert_int_equal(o->no_geoip, 0);
	assert_int_equal(o->bits, 0);
	assert_int_equal(o->update, 0);
	assert_int_equal(o->batch, 0);
	assert_int_equal(o->count, 0);
	assert_int_equal(o->output, OUT_TEXT);
	assert_non_null(o->conf_dir);
#ifdef SYSCONFDIR
	assert_string_equal(o->conf_dir, SYSCONFDIR);
#endif
	assert_null(o->geoip_dir);
}

static void test_defaults(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, NO_ARGS);
	assert_int_equal(o.sel, SEL_DEFAULT);
	assert_defaults_except_sel(&o);

	/* -46T spelled out is the same thing. */
	parse_ok(&o, ARGS("-46T"));
	assert_int_equal(o.sel, SEL_DEFAULT);
	assert_defaults_except_sel(&o);
	parse_ok(&o, ARGS("-4", "-6", "-T"));
	assert_int_equal(o.sel, SEL_DEFAULT);
	parse_ok(&o, ARGS("--ipv4", "--ipv6", "--tcp"));
	assert_int_equal(o.sel, SEL_DEFAULT);
	/* Loopback flows are hidden unless asked for. */
	assert_int_equal(o.sel & SEL_LOOPBACK, 0);
	/* An explicit end of options changes nothing. */
	parse_ok(&o, ARGS("--"));
	assert_int_equal(o.sel, SEL_DEFAULT);
	assert_defaults_except_sel(&o);
}

struct sel_case {
	const char *args[4];
	uint32_t sel;
};

static void test_selection(void **state)
{
	static const struct sel_case cases[] = {
		{ { "-U" }, SEL_BOTH | SEL_UDP },
		{ { "--udp" }, SEL_BOTH | SEL_UDP },
		{ { "-4" }, SEL_IPV4 | SEL_TCP },
		{ { "-6" }, SEL_IPV6 | SEL_TCP },
		{ { "-T" }, SEL_BOTH | SEL_TCP },
		{ { "-D" }, SEL_BOTH | SEL_DCCP },
		{ { "--dccp" }, SEL_BOTH | SEL_DCCP },
		{ { "-I" }, SEL_BOTH | SEL_ICMP },
		{ { "--icmp" }, SEL_BOTH | SEL_ICMP },
		{ { "-S" }, SEL_BOTH | SEL_SCTP },
		{ { "--sctp" }, SEL_BOTH | SEL_SCTP },
		{ { "-4U" }, SEL_IPV4 | SEL_UDP },
		{ { "-6", "-I" }, SEL_IPV6 | SEL_ICMP },
		{ { "-U", "-T" }, SEL_BOTH | SEL_UDP | SEL_TCP },
		{ { "--ipv6", "--udp" }, SEL_IPV6 | SEL_UDP },
		{ { "-46TUDIS" }, SEL_BOTH | SEL_TCP | SEL_UDP | SEL_DCCP |
				 SEL_ICMP | SEL_SCTP },
		{ { "-U", "-U", "-U" }, SEL_BOTH | SEL_UDP },
		{ { "--show-loopback" }, SEL_DEFAULT | SEL_LOOPBACK },
		{ { "-U", "--show-loopback" }, SEL_BOTH | SEL_UDP | SEL_LOOPBACK },
		{ { "--show-loopback", "-4" }, SEL_IPV4 | SEL_TCP | SEL_LOOPBACK },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct options o;

		parse_ok(&o, cases[i].args);
		assert_int_equal(o.sel, cases[i].sel);
		assert_defaults_except_sel(&o);
	}
}

static void test_once(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("--once"));
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 1);
	assert_int_equal(o.output, OUT_TEXT);
	assert_int_equal(o.interval_ms, 1000);
	assert_int_equal(o.sel, SEL_DEFAULT);
}

static void test_count(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("--count", "5"));
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 5);
	assert_int_equal(o.output, OUT_TEXT);

	parse_ok(&o, ARGS("--count=12"));
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 12);

	parse_ok(&o, ARGS("--count", "1"));
	assert_int_equal(o.count, 1);

	parse_ok(&o, ARGS("--count", "1000000"));
	assert_int_equal(o.count, 1000000);
}

static void test_output(void **state)
{
	struct options o;

	(void)state;
	/* json alone: batch mode, printing until stopped. */
	parse_ok(&o, ARGS("-o", "json"));
	assert_int_equal(o.output, OUT_JSON);
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 0);

	parse_ok(&o, ARGS("--output=json"));
	assert_int_equal(o.output, OUT_JSON);
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 0);

	parse_ok(&o, ARGS("-ojson", "--once"));
	assert_int_equal(o.output, OUT_JSON);
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 1);

	parse_ok(&o, ARGS("--count", "3", "--output", "json"));
	assert_int_equal(o.output, OUT_JSON);
	assert_int_equal(o.count, 3);

	parse_ok(&o, ARGS("--once", "-o", "text"));
	assert_int_equal(o.output, OUT_TEXT);
	assert_int_equal(o.batch, 1);
	assert_int_equal(o.count, 1);
}

struct interval_case {
	const char *args[3];
	uint32_t ms;
};

static void test_interval(void **state)
{
	static const struct interval_case cases[] = {
		{ { "-t", "0.5" }, 500 },
		{ { "-t", "1" }, 1000 },
		{ { "-t", "2" }, 2000 },
		{ { "-t0.25" }, 250 },
		{ { "--interval", "0.1" }, 100 },
		{ { "--interval=10" }, 10000 },
		{ { "-t", "3600" }, 3600000 },
		{ { "-t", "1.5" }, 1500 },
		/* 1.001 * 1000 is 1000.999... in binary: rounded, not cut. */
		{ { "-t", "1.001" }, 1001 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct options o;

		parse_ok(&o, cases[i].args);
		assert_int_equal(o.interval_ms, cases[i].ms);
		assert_int_equal(o.batch, 0);
		assert_int_equal(o.sel, SEL_DEFAULT);
	}
}

static void test_linger(void **state)
{
	static const struct interval_case cases[] = {
		{ { "--linger", "0" }, 0 },
		{ { "--linger", "10" }, 10000 },
		{ { "--linger=2.5" }, 2500 },
		{ { "--linger", "3600" }, 3600000 },
	};
	struct options d;

	(void)state;
	parse_ok(&d, ARGS("-n"));
	assert_int_equal(d.linger_ms, 5000);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct options o;

		parse_ok(&o, cases[i].args);
		assert_int_equal(o.linger_ms, cases[i].ms);
		assert_int_equal(o.batch, 0);
	}
	parse_usage(ARGS("--linger", "-1"));
	parse_usage(ARGS("--linger", "3601"));
	parse_usage(ARGS("--linger", "x"));
	parse_usage(ARGS("--linger"));
}

/* --netns: an ip netns name, a path, or pid:PID; the file each names. */
static void test_netns(void **state)
{
	static const struct {
		const char *arg, *path;
	} cases[] = {
		{ "blue", "/run/netns/blue" },
		{ "/var/run/docker/netns/abc", "/var/run/docker/netns/abc" },
		{ "./here", "./here" },
		{ "pid:1", "/proc/1/ns/net" },
		{ "pid:4194304", "/proc/4194304/ns/net" },
	};
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("-n"));
	assert_null(o.netns);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		parse_ok(&o, ARGS("--netns", cases[i].arg));
		assert_string_equal(o.netns, cases[i].arg);
		assert_string_equal(o.netns_path, cases[i].path);
	}
	parse_usage(ARGS("--netns", ""));
	parse_usage(ARGS("--netns", ".."));
	parse_usage(ARGS("--netns", "pid:0"));
	parse_usage(ARGS("--netns", "pid:-1"));
	parse_usage(ARGS("--netns", "pid:12x"));
	parse_usage(ARGS("--netns", "pid:4194305"));
	parse_usage(ARGS("--netns"));
}

/* --record and its size and count; -o none only with it. */
static void test_record(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("-n"));
	assert_null(o.record);
	assert_int_equal(o.record_size, 64 << 20);
	assert_int_equal(o.record_keep, 5);
	parse_ok(&o, ARGS("--record", "f.jsonl", "-o", "none"));
	assert_string_equal(o.record, "f.jsonl");
	assert_int_equal(o.output, OUT_NONE);
	assert_true(o.batch);
	parse_ok(&o, ARGS("--record", "f", "--record-size", "4K",
			  "--record-keep", "1"));
	assert_int_equal(o.record_size, 4096);
	assert_int_equal(o.record_keep, 1);
	parse_ok(&o, ARGS("--record", "f", "--record-size", "2g"));
	assert_int_equal(o.record_size, 2ull << 30);
	parse_ok(&o, ARGS("--record", "f", "--record-size", "1024G", "--record-keep",
			  "1000"));
	assert_int_equal(o.record_size, 1ull << 40);
	parse_usage(ARGS("--record", "f", "--record-size", "4095"));
	parse_usage(ARGS("--record", "f", "--record-size", "1025G"));
	parse_usage(ARGS("--record", "f", "--record-size", "1T"));
	parse_usage(ARGS("--record", "f", "--record-size", "4KB"));
	parse_usage(ARGS("--record", "f", "--record-size", "-4K"));
	parse_usage(ARGS("--record", "f", "--record-size", "99999999999999999999"));
	parse_usage(ARGS("--record", "f", "--record-keep", "0"));
	parse_usage(ARGS("--record", "f", "--record-keep", "1001"));
	parse_usage(ARGS("--record", ""));
	parse_usage(ARGS("-o", "none"));
	parse_usage(ARGS("--record-size", "8M"));
	parse_usage(ARGS("--record-keep", "3"));
	parse_usage(ARGS("--record", "f", "-u"));
}

/* --alert and --learn: one baseline, its size and expiry only with it. */
static void test_baseline(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("-n"));
	assert_null(o.baseline);
	assert_int_equal(o.baseline_max, 100000);
	assert_int_equal(o.baseline_expire_days, 90);
	parse_ok(&o, ARGS("--alert", "b"));
	assert_string_equal(o.baseline, "b");
	assert_true(o.alert);
	parse_ok(&o, ARGS("--learn", "b", "-o", "none"));
	assert_string_equal(o.baseline, "b");
	assert_false(o.alert);
	assert_int_equal(o.output, OUT_NONE);
	parse_ok(&o, ARGS("--alert", "b", "--baseline-size", "1",
			  "--baseline-expire", "0"));
	assert_int_equal(o.baseline_max, 1);
	assert_int_equal(o.baseline_expire_days, 0);
	parse_ok(&o, ARGS("--learn", "b", "--baseline-size", "10000000",
			  "--baseline-expire", "36500", "--record", "r"));
	assert_int_equal(o.baseline_max, 10000000);
	assert_int_equal(o.baseline_expire_days, 36500);
	parse_usage(ARGS("--alert", "b", "--learn", "b"));
	parse_usage(ARGS("--alert", "b", "--alert", "c"));
	parse_usage(ARGS("--alert", ""));
	parse_usage(ARGS("--learn", ""));
	parse_usage(ARGS("--alert", "b", "--baseline-size", "0"));
	parse_usage(ARGS("--alert", "b", "--baseline-size", "10000001"));
	parse_usage(ARGS("--alert", "b", "--baseline-size", "1k"));
	parse_usage(ARGS("--alert", "b", "--baseline-expire", "36501"));
	parse_usage(ARGS("--alert", "b", "--baseline-expire", "-1"));
	parse_usage(ARGS("--alert", "b", "--baseline-expire", "1.5"));
	parse_usage(ARGS("--baseline-size", "10"));
	parse_usage(ARGS("--baseline-expire", "10"));
	parse_usage(ARGS("--alert", "b", "-u"));
	parse_usage(ARGS("--alert", "b", "--replay", "r"));
	parse_usage(ARGS("--learn", "b", "--replay", "r"));
}

static void test_usage_errors(void **state)
{
	(void)state;
	/* Intervals out of range or not numbers. */
	parse_usage(ARGS("-t", "0"));
	parse_usage(ARGS("-t", "abc"));
	parse_usage(ARGS("-t", "1e9"));
	parse_usage(ARGS("-t", "0.05"));
	parse_usage(ARGS("-t", "3601"));
	parse_usage(ARGS("-t", "-1"));
	parse_usage(ARGS("-t", ""));
	parse_usage(ARGS("-t", "1s"));
	parse_usage(ARGS("-t", "nan"));
	parse_usage(ARGS("-t", "inf"));
	parse_usage(ARGS("--interval=0"));
	parse_usage(ARGS("-t"));
	/* Counts that are not positive integers. */
	parse_usage(ARGS("--count", "0"));
	parse_usage(ARGS("--count", "-1"));
	parse_usage(ARGS("--count", "abc"));
	parse_usage(ARGS("--count", ""));
	parse_usage(ARGS("--count", "5x"));
	parse_usage(ARGS("--count", "2.5"));
	/* strtoul would take these, the last one as 1. */
	parse_usage(ARGS("--count", " 5"));
	parse_usage(ARGS("--count", "-18446744073709551615"));
	parse_usage(ARGS("--count", "99999999999999999999999"));
	parse_usage(ARGS("--count"));
	/* Output formats. */
	parse_usage(ARGS("-o", "xml"));
	parse_usage(ARGS("-o", ""));
	parse_usage(ARGS("--output", "jsonl"));
	parse_usage(ARGS("-o"));
	/* Options that don't exist or take no argument. */
	parse_usage(ARGS("--bogus"));
	parse_usage(ARGS("-x"));
	parse_usage(ARGS("-4x"));
	parse_usage(ARGS("--once=1"));
	parse_usage(ARGS("--show-loopback=yes"));
	/* Stray arguments. */
	parse_usage(ARGS("stray"));
	parse_usage(ARGS("-4", "stray"));
	parse_usage(ARGS("stray", "-4"));
	parse_usage(ARGS("--", "stray"));
	parse_usage(ARGS("--once", "5"));
}

/* The reason names the value that was refused. */
static void test_usage_names_value(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, ARGS("-t", "abc")), OPT_USAGE);
	assert_non_null(strstr(cap_err, "abc"));
	assert_int_equal(parse(&o, ARGS("--count", "-7")), OPT_USAGE);
	assert_non_null(strstr(cap_err, "-7"));
	assert_int_equal(parse(&o, ARGS("-o", "xml")), OPT_USAGE);
	assert_non_null(strstr(cap_err, "xml"));
	assert_int_equal(parse(&o, ARGS("strayarg")), OPT_USAGE);
	assert_non_null(strstr(cap_err, "strayarg"));
	assert_int_equal(parse(&o, ARGS("--bogus")), OPT_USAGE);
	assert_non_null(strstr(cap_err, "bogus"));
}

static void test_display_flags(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("-s", "-n", "-G", "-b"));
	assert_int_equal(o.show_src, 1);
	assert_int_equal(o.no_dns, 1);
	assert_int_equal(o.no_geoip, 1);
	assert_int_equal(o.bits, 1);
	assert_int_equal(o.update, 0);
	assert_int_equal(o.batch, 0);
	assert_int_equal(o.sel, SEL_DEFAULT);

	parse_ok(&o, ARGS("--show-src", "--no-dns", "--no-geoip", "--bits"));
	assert_int_equal(o.show_src, 1);
	assert_int_equal(o.no_dns, 1);
	assert_int_equal(o.no_geoip, 1);
	assert_int_equal(o.bits, 1);

	/* Each one alone sets only itself. */
	parse_ok(&o, ARGS("-s"));
	assert_true(o.show_src && !o.no_dns && !o.no_geoip && !o.bits);
	parse_ok(&o, ARGS("-n"));
	assert_true(!o.show_src && o.no_dns && !o.no_geoip && !o.bits);
	parse_ok(&o, ARGS("-G"));
	assert_true(!o.show_src && !o.no_dns && o.no_geoip && !o.bits);
	parse_ok(&o, ARGS("-b"));
	assert_true(!o.show_src && !o.no_dns && !o.no_geoip && o.bits);

	parse_ok(&o, ARGS("-snGbU"));
	assert_true(o.show_src && o.no_dns && o.no_geoip && o.bits);
	assert_int_equal(o.sel, SEL_BOTH | SEL_UDP);

	parse_ok(&o, ARGS("-u"));
	assert_int_equal(o.update, 1);
	parse_ok(&o, ARGS("--update"));
	assert_int_equal(o.update, 1);
	assert_int_equal(o.force, 0);
	parse_ok(&o, ARGS("-u", "--force"));
	assert_int_equal(o.force, 1);
}

static void test_dirs(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("--conf-dir", "/tmp/conf", "--geoip-dir", "/tmp/geo"));
	assert_string_equal(o.conf_dir, "/tmp/conf");
	assert_string_equal(o.geoip_dir, "/tmp/geo");
	assert_int_equal(o.sel, SEL_DEFAULT);

	parse_ok(&o, ARGS("--conf-dir=/a b/c"));
	assert_string_equal(o.conf_dir, "/a b/c");
	assert_null(o.geoip_dir);

	/* Relative directories become absolute: the resolver opens them
	 * from inside the empty directory it has moved into. */
	parse_ok(&o, ARGS("--geoip-dir=rel/dir"));
	{
		char cwd[4096], want[4200];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(want, sizeof(want), "%s/rel/dir", cwd);
		assert_string_equal(o.geoip_dir, want);
	}
#ifdef SYSCONFDIR
	assert_string_equal(o.conf_dir, SYSCONFDIR);
#endif
	parse_usage(ARGS("--conf-dir"));
	parse_usage(ARGS("--geoip-dir"));
}

static void test_help_version(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, ARGS("-h")), OPT_EXIT_OK);
	assert_non_null(strstr(cap_out, "Usage: flowtop"));
	assert_non_null(strstr(cap_out, "--once"));
	assert_string_equal(cap_err, "");

	assert_int_equal(parse(&o, ARGS("--help")), OPT_EXIT_OK);
	assert_non_null(strstr(cap_out, "Usage: flowtop"));
	assert_string_equal(cap_err, "");

	assert_int_equal(parse(&o, ARGS("-v")), OPT_EXIT_OK);
	assert_non_null(strstr(cap_out, "flowtop"));
#ifdef FLOWTOP_VERSION
	assert_non_null(strstr(cap_out, FLOWTOP_VERSION));
#endif
	assert_string_equal(cap_err, "");

	assert_int_equal(parse(&o, ARGS("--version")), OPT_EXIT_OK);
	assert_non_null(strstr(cap_out, "flowtop"));
	/* DB-IP's licence asks for the attribution. */
	assert_non_null(strstr(cap_out, "CC BY 4.0"));
	assert_string_equal(cap_err, "");

	/* Help wins over what follows it. */
	assert_int_equal(parse(&o, ARGS("-h", "--bogus")), OPT_EXIT_OK);
}

/* Parsing twice starts from scratch: nothing of the first parse leaks. */
static void test_reparse(void **state)
{
	struct options o;

	(void)state;
	parse_ok(&o, ARGS("-U", "-n", "-t", "2", "--once", "--geoip-dir", "/g"));
	assert_int_equal(o.sel, SEL_BOTH | SEL_UDP);
	parse_ok(&o, ARGS("-6"));
	assert_int_equal(o.sel, SEL_IPV6 | SEL_TCP);
	assert_defaults_except_sel(&o);
	parse_ok(&o, NO_ARGS);
	assert_int_equal(o.sel, SEL_DEFAULT);
	assert_defaults_except_sel(&o);
}

/* A parse that stops in the middle of a cluster of short options (-h
 * before n, or an unknown letter before 4) leaves the C library's getopt
 * with the rest of that cluster pending; the next parse must not pick it
 * up. */
static void test_reparse_after_partial_cluster(void **state)
{
	struct options o;

	(void)state;
	assert_int_equal(parse(&o, ARGS("-hn")), OPT_EXIT_OK);
	parse_ok(&o, ARGS("-U"));
	assert_int_equal(o.sel, SEL_BOTH | SEL_UDP);
	assert_int_equal(o.no_dns, 0);

	assert_int_equal(parse(&o, ARGS("-x4")), OPT_USAGE);
	parse_ok(&o, ARGS("-U"));
	assert_int_equal(o.sel, SEL_BOTH | SEL_UDP);
}

/* Whatever the test above left behind, start getopt afresh. */
static int reset_getopt(void **state)
{
	char *argv[] = { (char *)"reset", NULL };
	int saved = opterr;

	(void)state;
	opterr = 0;
	optind = 0;
	while (getopt(1, argv, "") != -1)
		;
	opterr = saved;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_linger),
		cmocka_unit_test(test_netns),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_usage_names_value),
		cmocka_unit_test(test_display_flags),
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test_teardown(test_reparse_after_partial_cluster,
					  reset_getopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
