/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for geoip-update/minisig.c: strict base64, minisign public
 * keys, and .minisig files made by Debian's minisign (the fixtures in
 * tests/data/minisign, remade by its regen.sh): prehashed and legacy
 * signatures verify; a changed file, another key's signature, an altered
 * trusted comment or global signature, and every break of the four-line
 * structure are refused.
 *
 * The repository is found from $FLOWTOP_SRCDIR, the working directory or
 * this binary's place (build/unit*); without the fixtures the tests are
 * skipped, or fail with CI=true (tests/unit/skip.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geoip-update/conf.h"
#include "geoip-update/minisig.h"
#include "geoip-update/plan.h"
#include "skip.h"

static char dir[PATH_MAX];
static struct gu_ms_key key;
static struct gu_ms_sig sig;
static char data[4096], prehashed[GU_MS_FILE_MAX], legacy[GU_MS_FILE_MAX],
	other[GU_MS_FILE_MAX], pub[512];
static size_t data_len;

static int try_dir(const char *root)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/tests/data/minisign/key.pub", root);
	if (access(p, R_OK) != 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/tests/data/minisign", root);
	return 1;
}

static void find_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *env = getenv("FLOWTOP_SRCDIR");

	if ((env && try_dir(env)) || try_dir("."))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {   /* build/unit/test_x -> root */
		char *s = strrchr(exe, '/');

		if (!s)
			return;
		*s = '\0';
	}
	try_dir(exe);
}

static size_t slurp(const char *name, char *buf, size_t max)
{
	char p[PATH_MAX + 64];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "rb");
	assert_non_null(f);
	n = fread(buf, 1, max - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static int setup(void **state)
{
	(void)state;
	find_dir();
	if (!dir[0])
		return 0;
	data_len = slurp("data.bin", data, sizeof(data));
	slurp("data.bin.minisig", prehashed, sizeof(prehashed));
	slurp("data.bin.legacy.minisig", legacy, sizeof(legacy));
	slurp("data.bin.other.minisig", other, sizeof(other));
	slurp("key.pub", pub, sizeof(pub));
	return 0;
}

#define NEED_FIXTURES() do { \
	if (!dir[0]) \
		skip_or_fail("minisign fixtures not found (the repository's " \
			     "tests/data/minisign)"); \
	} while (0)

/* The key line of key.pub (its second line), NUL-terminated in place. */
static const char *key_line(void)
{
	static char line[256];
	const char *nl = strchr(pub, '\n');

	assert_non_null(nl);
	snprintf(line, sizeof(line), "%s", nl + 1);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void load_key(void)
{
	const char *why = NULL;

	assert_int_equal(gu_ms_key_parse(&key, key_line(), &why), 0);
}

static int check(const char *text, const uint8_t *d, size_t dl,
		 const char **why)
{
	*why = NULL;
	if (gu_ms_sig_parse(&sig, text, strlen(text), &key, why) < 0)
		return -1;
	return gu_ms_verify(&key, &sig, d, dl, why);
}

static void test_b64(void **state)
{
	uint8_t out[8];

	(void)state;
	assert_int_equal(gu_ms_b64("QQ==", 4, out, 1), 0);
	assert_int_equal(out[0], 'A');
	assert_int_equal(gu_ms_b64("QUI=", 4, out, 2), 0);
	assert_memory_equal(out, "AB", 2);
	assert_int_equal(gu_ms_b64("QUJD", 4, out, 3), 0);
	assert_memory_equal(out, "ABC", 3);
	assert_int_equal(gu_ms_b64("", 0, out, 0), 0);
	assert_int_equal(gu_ms_b64("QR==", 4, out, 1), -1);   /* not canonical */
	assert_int_equal(gu_ms_b64("QUJ=", 4, out, 2), -1);
	assert_int_equal(gu_ms_b64("QQ", 2, out, 1), -1);     /* no padding */
	assert_int_equal(gu_ms_b64("QQ==", 4, out, 2), -1);   /* wrong length */
	assert_int_equal(gu_ms_b64("Q Q=", 4, out, 1), -1);
	assert_int_equal(gu_ms_b64("QUJD", 4, out, 2), -1);
	assert_int_equal(gu_ms_b64("Q=JD", 4, out, 3), -1);   /* '=' inside */
	assert_int_equal(gu_ms_b64("QUJDQQ==", 8, out, 4), 0);
	assert_int_equal(gu_ms_b64("QQ==QUJD", 8, out, 4), -1);
}

static void test_key(void **state)
{
	struct gu_ms_key k;
	const char *why = NULL;
	char hex[17], line[256], comment[64];

	(void)state;
	NEED_FIXTURES();
	load_key();
	/* The id reads as minisign prints it in the comment. */
	gu_ms_id_hex(key.id, hex);
	snprintf(comment, sizeof(comment), "minisign public key %s\n", hex);
	assert_non_null(strstr(pub, comment));
	snprintf(line, sizeof(line), "%s", key_line());
	line[10] = line[10] == 'A' ? 'B' : 'A';          /* still a key */
	assert_int_equal(gu_ms_key_parse(&k, line, &why), 0);
	line[strlen(line) - 1] = '\0';                   /* 55 characters */
	assert_int_equal(gu_ms_key_parse(&k, line, &why), -1);
	assert_non_null(why);
	snprintf(line, sizeof(line), "%s", key_line());
	line[1] = 'U';                                   /* "ED...": not a key */
	assert_int_equal(gu_ms_key_parse(&k, line, &why), -1);
	assert_int_equal(gu_ms_key_parse(&k, "", &why), -1);
	assert_int_equal(gu_ms_key_parse(&k, pub, &why), -1);  /* whole file */
}

static void test_good(void **state)
{
	const char *why;

	(void)state;
	NEED_FIXTURES();
	load_key();
	assert_int_equal(check(prehashed, (uint8_t *)data, data_len, &why), 0);
	assert_int_equal(sig.prehashed, 1);
	assert_string_equal(sig.trusted, "fixture prehashed");
	assert_int_equal(check(legacy, (uint8_t *)data, data_len, &why), 0);
	assert_int_equal(sig.prehashed, 0);
	assert_string_equal(sig.trusted, "fixture legacy");
}

static void test_tampered(void **state)
{
	const char *why;

	(void)state;
	NEED_FIXTURES();
	load_key();
	data[100] ^= 1;
	assert_int_equal(check(prehashed, (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "bad signature"));
	assert_int_equal(check(legacy, (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "bad signature"));
	data[100] ^= 1;
	assert_int_equal(check(prehashed, (uint8_t *)data, data_len - 1, &why), -1);
	assert_int_equal(check(prehashed, (uint8_t *)data, 0, &why), -1);
}

static void test_other_key(void **state)
{
	const char *why;

	(void)state;
	NEED_FIXTURES();
	load_key();
	assert_int_equal(check(other, (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "signed with key"));
	/* The same key id with another key's bytes: a bad signature. */
	key.pk[0] ^= 1;
	assert_int_equal(check(prehashed, (uint8_t *)data, data_len, &why), -1);
}

/* A copy of text with the first from replaced by to. */
static const char *edit(const char *text, const char *from, const char *to)
{
	static char buf[GU_MS_FILE_MAX * 2];
	const char *at = strstr(text, from);

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - text), text, to,
		 at + strlen(from));
	return buf;
}

static void test_trusted_comment(void **state)
{
	const char *why;

	(void)state;
	NEED_FIXTURES();
	load_key();
	assert_int_equal(check(edit(prehashed, "fixture prehashed",
				    "fixture prehashee"),
			       (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "trusted comment"));
	assert_int_equal(check(edit(legacy, "trusted comment: fixture legacy",
				    "trusted comment: "),
			       (uint8_t *)data, data_len, &why), -1);
	/* The untrusted comment is not signed. */
	assert_int_equal(check(edit(prehashed, "signature from", "sig by"),
			       (uint8_t *)data, data_len, &why), 0);
}

static void test_structure(void **state)
{
	char buf[GU_MS_FILE_MAX * 2];
	const char *why;
	size_t n;

	(void)state;
	NEED_FIXTURES();
	load_key();
	/* Without the final newline: still the four lines. */
	snprintf(buf, sizeof(buf), "%s", prehashed);
	n = strlen(buf);
	buf[n - 1] = '\0';
	assert_int_equal(check(buf, (uint8_t *)data, data_len, &why), 0);
	/* The global signature (the last line) with one character changed. */
	buf[n - 6] = buf[n - 6] == 'A' ? 'B' : 'A';
	assert_int_equal(check(buf, (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "trusted comment"));
	/* A fifth line, even an empty one. */
	snprintf(buf, sizeof(buf), "%s\n", prehashed);
	assert_int_equal(check(buf, (uint8_t *)data, data_len, &why), -1);
	assert_non_null(strstr(why, "more than four"));
	/* CRLF line ends. */
	assert_int_equal(check(edit(prehashed, "\n", "\r\n"), (uint8_t *)data,
			       data_len, &why), -1);
	/* Three lines. */
	snprintf(buf, sizeof(buf), "%s", prehashed);
	*strstr(buf, "trusted comment: fixture") = '\0';
	assert_int_equal(check(buf, (uint8_t *)data, data_len, &why), -1);
	assert_int_equal(check("", (uint8_t *)data, data_len, &why), -1);
	assert_int_equal(check("\n\n\n\n", (uint8_t *)data, data_len, &why), -1);
	/* Prefixes. */
	assert_int_equal(check(edit(prehashed, "untrusted comment: ",
				    "untrusted comment:"),
			       (uint8_t *)data, data_len, &why), -1);
	assert_int_equal(check(edit(prehashed, "\ntrusted comment: ",
				    "\nTrusted comment: "),
			       (uint8_t *)data, data_len, &why), -1);
	/* Another algorithm ("ED" -> "AD"). */
	assert_int_equal(check(edit(prehashed, "\nRU", "\nQU"), (uint8_t *)data,
			       data_len, &why), -1);
	assert_non_null(strstr(why, "algorithm"));
	/* A signature line one character short, or with a space. */
	assert_int_equal(check(edit(prehashed, "=\ntrusted", "\ntrusted"),
			       (uint8_t *)data, data_len, &why), -1);
	assert_int_equal(check(edit(prehashed, "\nRU", "\n RU"), (uint8_t *)data,
			       data_len, &why), -1);
	/* A control character in a comment, a NUL in the file. */
	assert_int_equal(check(edit(prehashed, "fixture prehashed",
				    "fixture\033prehashed"),
			       (uint8_t *)data, data_len, &why), -1);
	snprintf(buf, sizeof(buf), "%s", prehashed);
	buf[5] = '\0';
	assert_int_equal(gu_ms_sig_parse(&sig, buf, strlen(prehashed), &key,
					 &why), -1);
	/* Too large. */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(gu_ms_sig_parse(&sig, buf, GU_MS_FILE_MAX + 1, &key,
					 &why), -1);
}

static void test_conf_pubkey(void **state)
{
	static struct gu_conf c;
	static struct gu_plan p;
	char text[512], err[300];

	(void)state;
	NEED_FIXTURES();
	snprintf(text, sizeof(text), "http://m/\ndatabases GeoLite2-City\n"
		 "pubkey %s\n", key_line());
	assert_int_equal(gu_conf_parse(&c, text, strlen(text), "g.conf", err,
				       sizeof(err)), 0);
	assert_true(c.has_pubkey);
	load_key();
	assert_memory_equal(&c.pubkey, &key, sizeof(key));
	assert_int_equal(gu_plan_make(&p, &c, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(p.db[0].cand[0].sig_url,
			    "http://m/GeoLite2-City.mmdb.gz.minisig");
	/* Twice, or not a key: "FILE:LINE: reason". */
	snprintf(text, sizeof(text), "pubkey %s\npubkey %s\n", key_line(),
		 key_line());
	assert_int_equal(gu_conf_parse(&c, text, strlen(text), "g.conf", err,
				       sizeof(err)), -1);
	assert_string_equal(err, "g.conf:2: pubkey given twice");
	assert_int_equal(gu_conf_parse(&c, "\npubkey RWQ\n", 12, "g.conf", err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "g.conf:2: pubkey"));
	/* Without pubkey, no signature is asked for. */
	assert_int_equal(gu_conf_parse(&c, "http://m/\n", 10, "g.conf", err,
				       sizeof(err)), 0);
	assert_int_equal(gu_plan_make(&p, &c, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(p.db[0].cand[0].sig_url, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_trusted_comment),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_conf_pubkey),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
