/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/iso3166.c: the country-name table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "common/iso3166.h"

/* Every officially assigned ISO 3166-1 alpha-2 code, written out here
 * independently of the table so a missing or mistyped row shows up. */
static const char assigned[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
	"HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP "
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY "
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
	"NA NC NE NF NG NI NL NO NP NR NU NZ OM "
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ "
	"VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/* Printable ASCII or well-formed multi-byte UTF-8, no controls. */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

		if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && *p < 0xc2) || *p > 0xf4)
			return 0;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if (n == 2 && *p == 0xc2 && p[1] < 0xa0)
			return 0;  /* C1 */
		p += n;
	}
	return 1;
}

static void test_all_assigned_codes(void **state)
{
	size_t count = 0;

	(void)state;
	for (const char *c = assigned; *c; c += c[2] ? 3 : 2) {
		char code[3] = { c[0], c[1], 0 };
		const char *name = iso3166_name(code);

		if (!name)
			fail_msg("no name for %s", code);
		assert_true(strlen(name) > 2);
		assert_true(strlen(name) < 96);  /* fits LOOKUP_TEXT_LEN */
		assert_true(clean_utf8(name));
		count++;
	}
	assert_int_equal(count, 249);
}

static void test_known_names(void **state)
{
	static const char *const cases[][2] = {
		{ "GB", "United Kingdom" }, { "US", "United States" },
		{ "JP", "Japan" }, { "DE", "Germany" }, { "SE", "Sweden" },
		{ "CH", "Switzerland" }, { "BR", "Brazil" }, { "BT", "Bhutan" },
		{ "CI", "C\xc3\xb4te d'Ivoire" }, { "AX", "\xc3\x85land Islands" },
		{ "XK", "Kosovo" }, { "EU", "European Union" },
		{ "AD", "Andorra" }, { "ZW", "Zimbabwe" },  /* both ends */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = iso3166_name(cases[i][0]);

		assert_non_null(name);
		assert_string_equal(name, cases[i][1]);
	}
}

static void test_unknown_codes(void **state)
{
	static const char *const bad[] = {
		"", "G", "GBR", "gb", "Gb", "ZZ", "AA", "QM", "XA", "UK", "12",
		"G\x1b", "\xc3\x85", "AB", "ZX",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(iso3166_name(bad[i]));
	assert_null(iso3166_name(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_assigned_codes),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_unknown_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
