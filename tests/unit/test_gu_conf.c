/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for geoip-update/conf.c, mmconf.c and plan.c: geoip.conf and
 * geoipupdate's GeoIP.conf parsed from strings, and the URLs planned from
 * them (plain, DB-IP monthly names with last month's as fallback, the
 * MaxMind account's download URL with basic auth). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "geoip-update/conf.h"
#include "geoip-update/mmconf.h"
#include "geoip-update/plan.h"

static struct gu_conf c;
static struct gu_mm mm;
static struct gu_plan p;
static char err[512];

static int parse(const char *text)
{
	err[0] = '\0';
	return gu_conf_parse(&c, text, strlen(text), "g.conf", err, sizeof(err));
}

static void test_conf_mirrors(void **state)
{
	(void)state;
	assert_int_equal(parse("# c\n\nhttps://a.example/x\nb.example:8443/y/\n"
			       "http://[::1]:81\nfile:///srv/geo\n"), 0);
	assert_int_equal(c.nmirrors, 4);
	assert_string_equal(c.mirror[0], "https://a.example/x/");
	assert_string_equal(c.mirror[1], "https://b.example:8443/y/");
	assert_string_equal(c.mirror[2], "http://[::1]:81/");
	assert_string_equal(c.mirror[3], "file:///srv/geo/");
}

static void test_conf_directives(void **state)
{
	(void)state;
	assert_int_equal(parse("layout dbip\ndatabases a-city b-asn\ntimeout 5\n"
			       "connect-timeout 2\nretries 0\nretry-delay 10\n"
			       "max-size 2\nca-file /x/ca.pem\n"
			       "database-directory /g\ngeoipupdate-conf none\n"), 0);
	assert_int_equal(c.layout, GU_LAYOUT_DBIP);
	assert_int_equal(c.ndbs, 2);
	assert_int_equal(c.timeout, 5);
	assert_int_equal(c.connect_timeout, 2);
	assert_int_equal(c.retries, 0);
	assert_int_equal(c.retry_delay_ms, 10);
	assert_int_equal(c.max_bytes, 2u << 20);
	assert_string_equal(c.ca_file, "/x/ca.pem");
	assert_string_equal(c.dir, "/g");
	assert_string_equal(c.mm_conf, "");
}

static void test_conf_errors(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "frob 1\n", "g.conf:1: unknown directive" },
		{ "\n\ntimeout\n", "g.conf:3: directive without an argument" },
		{ "timeout 0\n", "g.conf:1: timeout is 1 to 86400 seconds" },
		{ "ftp://x/\n", "g.conf:1: unsupported URL scheme (http, https or file)" },
		{ "file://rel/\n", "g.conf:1: a file:// mirror needs an absolute path (file:///dir/)" },
		{ "a b c\n", "g.conf:1: unknown directive" },
		{ "h!st\n", "g.conf:1: not a mirror URL or host name" },
		{ "databases ../x\n", "g.conf:1: bad database name (letters, digits, '-', '_', '.')" },
		{ "layout other\n", "g.conf:1: layout is plain or dbip" },
		{ "ca-file rel\n", "g.conf:1: needs an absolute path" },
		{ "x\001y\n", "g.conf:1: control character" },
		{ "https://h:99999/\n", "g.conf:1: not a mirror URL or host name" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].text), -1);
		assert_string_equal(err, bad[i].want);
	}
}

static void test_conf_defaults(void **state)
{
	const char *n[GU_MAX_DBS];

	(void)state;
	assert_int_equal(parse("h.example\n"), 0);
	assert_int_equal(gu_conf_dbs(&c, n), 3);
	assert_string_equal(n[0], "GeoLite2-City");
	assert_int_equal(parse("layout dbip\nh.example\n"), 0);
	assert_int_equal(gu_conf_dbs(&c, n), 3);
	assert_string_equal(n[2], "dbip-asn-lite");
}

static void test_mmconf(void **state)
{
	static const char text[] =
		"# GeoIP.conf\nAccountID 42\nLicenseKey abc_DEF-1\n"
		"EditionIDs GeoLite2-City GeoLite2-ASN\nDatabaseDirectory /var/g\n"
		"Host https://127.0.0.1:8080\nPreserveFileTimes 1\n";
	static const char clear[] = "AccountID 42\nHost http://h:80\n"
		"LicenseKey k\nEditionIDs GeoLite2-ASN\n";
	static const char twice[] = "Host http://h\nHost https://h\nLicenseKey k\n";

	(void)state;
	assert_int_equal(gu_mm_parse(&mm, text, strlen(text), "G", err, sizeof(err)), 0);
	assert_true(gu_mm_usable(&mm));
	assert_string_equal(mm.account, "42");
	assert_int_equal(mm.neditions, 2);
	assert_string_equal(mm.base, "https://127.0.0.1:8080");
	assert_string_equal(mm.dir, "/var/g");
	/* Credentials over plain http: refused, naming the Host line. */
	assert_int_equal(gu_mm_parse(&mm, clear, strlen(clear), "G", err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "G:2: Host is plain http://"));
	assert_int_equal(gu_mm_parse(&mm, twice, strlen(twice), "G", err,
				     sizeof(err)), 0);
	/* Without an account, an http:// Host carries no secret. */
	assert_int_equal(gu_mm_parse(&mm, "Host http://h\n", 14, "G", err,
				     sizeof(err)), 0);
	assert_int_equal(gu_mm_parse(&mm, "Frob 1\n", 7, "G", err, sizeof(err)), -1);
	assert_string_equal(err, "G:1: unknown key");
	assert_int_equal(gu_mm_parse(&mm, "AccountID x1\n", 13, "G", err, sizeof(err)), -1);
	assert_int_equal(gu_mm_parse(&mm, "Host x\n", 7, "G", err, sizeof(err)), 0);
	assert_string_equal(mm.base, "https://x");
	assert_false(gu_mm_usable(&mm));
}

static void test_month(void **state)
{
	char m[8];
	time_t jan = 1767225600 + 86400 * 3;   /* 2026-01-04 */

	(void)state;
	gu_month(jan, 0, m);
	assert_string_equal(m, "2026-01");
	gu_month(jan, 1, m);
	assert_string_equal(m, "2025-12");
	gu_month(jan, 13, m);
	assert_string_equal(m, "2024-12");
}

static void test_plan_plain_and_dbip(void **state)
{
	time_t jan = 1767225600 + 86400 * 3;

	(void)state;
	assert_int_equal(parse("http://m1/\nfile:///m2\ndatabases GeoLite2-City\n"), 0);
	memset(&mm, 0, sizeof(mm));
	assert_int_equal(gu_plan_make(&p, &c, &mm, NULL, jan, err, sizeof(err)), 0);
	assert_string_equal(p.dir, "/var/lib/GeoIP");
	assert_int_equal(p.ndbs, 1);
	assert_int_equal(p.db[0].kind, GU_KIND_CITY);
	assert_int_equal(p.db[0].ncand, 6);
	assert_string_equal(p.db[0].cand[0].url, "http://m1/GeoLite2-City.mmdb.gz");
	assert_string_equal(p.db[0].cand[0].sha_url, "http://m1/GeoLite2-City.mmdb.gz.sha256");
	assert_string_equal(p.db[0].cand[1].url, "http://m1/GeoLite2-City.tar.gz");
	assert_string_equal(p.db[0].cand[2].url, "http://m1/GeoLite2-City.mmdb");
	assert_string_equal(p.db[0].cand[3].url, "file:///m2/GeoLite2-City.mmdb.gz");
	assert_int_equal(p.db[0].cand[3].mirror, 2);
	assert_int_equal(parse("layout dbip\nhttps://d/free/\n"), 0);
	assert_int_equal(gu_plan_make(&p, &c, &mm, "/g", jan, err, sizeof(err)), 0);
	assert_string_equal(p.dir, "/g");
	assert_int_equal(p.ndbs, 3);
	assert_string_equal(p.db[0].cand[0].url, "https://d/free/dbip-city-lite-2026-01.mmdb.gz");
	assert_string_equal(p.db[0].cand[1].url, "https://d/free/dbip-city-lite-2025-12.mmdb.gz");
	assert_int_equal(p.db[2].kind, GU_KIND_ASN);
}

static void test_plan_account(void **state)
{
	static const char text[] = "AccountID 7\nLicenseKey k\nEditionIDs GeoLite2-ASN\n"
		"DatabaseDirectory /mm\n";

	(void)state;
	assert_int_equal(parse("geoipupdate-conf none\n"), 0);
	assert_int_equal(gu_mm_parse(&mm, text, strlen(text), "G", err, sizeof(err)), 0);
	assert_int_equal(gu_plan_make(&p, &c, &mm, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(p.dir, "/mm");
	assert_string_equal(p.auth, "7:k");
	assert_int_equal(p.ndbs, 1);
	assert_int_equal(p.db[0].cand[0].auth, 1);
	assert_string_equal(p.db[0].cand[0].url,
		"https://updates.maxmind.com/geoip/databases/GeoLite2-ASN/download?suffix=tar.gz");
	assert_string_equal(p.db[0].cand[0].sha_url,
		"https://updates.maxmind.com/geoip/databases/GeoLite2-ASN/download?suffix=tar.gz.sha256");
	/* No mirror and no account: an error, not an empty run. */
	memset(&mm, 0, sizeof(mm));
	assert_int_equal(gu_plan_make(&p, &c, &mm, NULL, 0, err, sizeof(err)), -1);
	/* A name that says nothing of its kind. */
	assert_int_equal(parse("h\ndatabases Foo\n"), 0);
	assert_int_equal(gu_plan_make(&p, &c, &mm, NULL, 0, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_mirrors),
		cmocka_unit_test(test_conf_directives),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_mmconf),
		cmocka_unit_test(test_month),
		cmocka_unit_test(test_plan_plain_and_dbip),
		cmocka_unit_test(test_plan_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
