/* SPDX-License-Identifier: GPL-2.0-only */
/* siphash: SipHash-2-4 and SipHash-1-3 over a byte string, and the
 * process's random key (see siphash.h). */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/siphash.h"

static uint64_t sip_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t sip_rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/* One SipRound over the state v0..v3. */
static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = sip_rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = sip_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = sip_rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = sip_rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = sip_rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = sip_rotl(v[2], 32);
}

static inline void sip_block(uint64_t v[4], uint64_t m, int c)
{
	v[3] ^= m;
	for (int i = 0; i < c; i++)
		sip_round(v);
	v[0] ^= m;
}

/* SipHash-c-d; inlined into each variant so c and d are constants. */
static inline uint64_t sip_hash(const struct siphash_key *key, const void *in,
				size_t len, int c, int d)
{
	const uint8_t *p = in;
	uint64_t v[4] = {
		key->k0 ^ 0x736f6d6570736575ull, key->k1 ^ 0x646f72616e646f6dull,
		key->k0 ^ 0x6c7967656e657261ull, key->k1 ^ 0x7465646279746573ull,
	};
	uint64_t last = (uint64_t)len << 56;
	size_t left = len;

	for (; left >= 8; p += 8, left -= 8)
		sip_block(v, sip_le64(p), c);
	/* The tail, 0..7 bytes, under the length's low byte in the top. */
	for (size_t i = 0; i < left; i++)
		last |= (uint64_t)p[i] << (8 * i);
	sip_block(v, last, c);
	v[2] ^= 0xff;
	for (int i = 0; i < d; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t siphash24(const struct siphash_key *key, const void *in, size_t len)
{
	return sip_hash(key, in, len, 2, 4);
}

uint64_t siphash13(const struct siphash_key *key, const void *in, size_t len)
{
	return sip_hash(key, in, len, 1, 3);
}

void siphash_key_from_bytes(struct siphash_key *key, const uint8_t b[16])
{
	key->k0 = sip_le64(b);
	key->k1 = sip_le64(b + 8);
}

static struct siphash_key sip_process_key;
static int sip_seeded;

/* getrandom() may return less than asked only past 256 bytes or on a
 * signal; both are retried. */
static int sip_random(uint8_t *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, GRND_NONBLOCK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int siphash_seed(void)
{
	uint8_t b[16];
	int rc = 0;

	if (sip_random(b, sizeof(b)) < 0) {
		/* Early at boot, or no getrandom: a key nobody far away
		 * can read, though one on the host could guess it. */
		uint64_t w[4] = {
			clock_ns(CLOCK_REALTIME), clock_mono_ns(),
			(uint64_t)getpid(), (uint64_t)(uintptr_t)&w,
		};
		struct siphash_key fixed = { (uint64_t)(uintptr_t)&sip_process_key,
					     (uint64_t)(uintptr_t)siphash_seed };
		uint64_t k0 = siphash24(&fixed, w, sizeof(w));

		w[0] ^= k0;
		fixed.k0 = siphash24(&fixed, w, sizeof(w));
		memcpy(b, &k0, 8);
		memcpy(b + 8, &fixed.k0, 8);
		rc = -1;
	}
	siphash_key_from_bytes(&sip_process_key, b);
	sip_seeded = 1;
	return rc;
}

const struct siphash_key *siphash_key(void)
{
	if (!sip_seeded)
		(void)siphash_seed();
	return &sip_process_key;
}
