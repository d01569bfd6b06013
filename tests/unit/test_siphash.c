/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of common/siphash.c: the published test vectors of
 * SipHash-2-4 (the paper's appendix and the reference code's table) and of
 * SipHash-1-3 (the table Rust's core library tests SipHasher13 against),
 * both with key 00 01 .. 0f and message 00 01 .. (n-1); and the process
 * key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "common/siphash.h"

/* A vector: the message length and the result as its 8 little-endian
 * bytes, written as the tables print them. */
struct sip_vec {
	size_t len;
	const char *le_hex;
};

/* Every tail length 0..7, block edges, and the longest of the table. */
static const struct sip_vec sip24_vecs[] = {
	{ 0, "310e0edd47db6f72" }, { 1, "fd67dc93c539f874" },
	{ 2, "5a4fa9d909806c0d" }, { 3, "2d7efbd796666785" },
	{ 4, "b7877127e09427cf" }, { 5, "8da699cd64557618" },
	{ 6, "cee3fe586e46c9cb" }, { 7, "37d1018bf50002ab" },
	{ 8, "6224939a79f5f593" },
	{ 15, "e545be4961ca29a1" },   /* the paper's: a129ca6149be45e5 */
	{ 16, "db9bc2577fcc2a3f" }, { 31, "42c341d8fa92d832" },
	{ 32, "ce7cf2722f512771" }, { 63, "724506eb4c328a95" },
};

static const struct sip_vec sip13_vecs[] = {
	{ 0, "dcc40f055801acab" }, { 1, "93ca577df39bf4c9" },
	{ 2, "4dd4c74d029bcb82" }, { 3, "fbf7dde7b80af88b" },
	{ 4, "2883d388605775cf" }, { 5, "673b53492fd5f9de" },
	{ 6, "a7229fc5502b0dc5" }, { 7, "4011b19b987d92d3" },
	{ 8, "8e9a298d11959036" }, { 15, "5699512a6dd820d3" },
	{ 16, "668b907d1add4fcc" }, { 17, "0cd8db639068f29c" },
	{ 32, "0db6a7166c7b1581" }, { 63, "a8b3bbb76290199d" },
};

static uint64_t le_hex(const char *s)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		unsigned b = 0;

		for (int j = 0; j < 2; j++) {
			char c = s[2 * i + j];

			b = b << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		v = v << 8 | b;
	}
	return v;
}

static void ref_key(struct siphash_key *k, uint8_t msg[64])
{
	uint8_t kb[16];

	for (int i = 0; i < 16; i++)
		kb[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	siphash_key_from_bytes(k, kb);
}

static void test_siphash24_vectors(void **state)
{
	struct siphash_key k;
	uint8_t msg[64];

	(void)state;
	ref_key(&k, msg);
	assert_true(k.k0 == 0x0706050403020100ull);
	assert_true(k.k1 == 0x0f0e0d0c0b0a0908ull);
	/* The paper's appendix, as it prints the result. */
	assert_true(siphash24(&k, msg, 15) == 0xa129ca6149be45e5ull);
	for (size_t i = 0; i < sizeof(sip24_vecs) / sizeof(sip24_vecs[0]); i++)
		assert_true(siphash24(&k, msg, sip24_vecs[i].len) ==
			    le_hex(sip24_vecs[i].le_hex));
}

static void test_siphash13_vectors(void **state)
{
	struct siphash_key k;
	uint8_t msg[64];

	(void)state;
	ref_key(&k, msg);
	for (size_t i = 0; i < sizeof(sip13_vecs) / sizeof(sip13_vecs[0]); i++)
		assert_true(siphash13(&k, msg, sip13_vecs[i].len) ==
			    le_hex(sip13_vecs[i].le_hex));
}

/* The input is read byte by byte: an unaligned start hashes the same. */
static void test_siphash_unaligned(void **state)
{
	struct siphash_key k;
	uint8_t msg[64], buf[80];

	(void)state;
	ref_key(&k, msg);
	for (size_t off = 1; off < 8; off++) {
		memcpy(buf + off, msg, 63);
		assert_true(siphash24(&k, buf + off, 63) == le_hex("724506eb4c328a95"));
		assert_true(siphash13(&k, buf + off, 17) == le_hex("0cd8db639068f29c"));
	}
}

/* The process key: drawn once, kept, drawn anew by siphash_seed; and it
 * changes what a table sees. */
static void test_siphash_process_key(void **state)
{
	const struct siphash_key *k = siphash_key();
	struct siphash_key first = *k;
	uint8_t addr[17] = { 4, 192, 0, 2, 1 };

	(void)state;
	assert_false(first.k0 == 0 && first.k1 == 0);
	assert_true(siphash_key() == k);
	assert_memory_equal(siphash_key(), &first, sizeof(first));
	uint64_t h = siphash13(k, addr, sizeof(addr));

	assert_int_equal(siphash_seed(), 0);
	assert_true(siphash_key()->k0 != first.k0 || siphash_key()->k1 != first.k1);
	assert_true(siphash13(siphash_key(), addr, sizeof(addr)) != h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash24_vectors),
		cmocka_unit_test(test_siphash13_vectors),
		cmocka_unit_test(test_siphash_unaligned),
		cmocka_unit_test(test_siphash_process_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
