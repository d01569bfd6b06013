/* SPDX-License-Identifier: GPL-2.0-only */
/* siphash: the keyed hash of every table whose keys a remote host or the
 * user chooses (addresses, tuples, ports), so that nobody who does not
 * know the key can steer many keys into one chain or one probe run.
 *
 * SipHash-c-d (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a 128-bit key, c rounds per 8-byte block, d rounds to finish, a
 * 64-bit result; message words and the key read little-endian, so the
 * result is the same on every host. siphash24() is the PRF of the paper;
 * siphash13() is the faster variant hash tables use (Rust's HashMap, the
 * kernel's hsiphash family), enough where the output is never shown.
 *
 * The process key: every process draws its own from getrandom() with
 * siphash_seed(), before its sandbox (role_spawn does it for every role it
 * starts, the collector at its start); siphash_key() hands it out, and
 * seeds it on the first call if nobody did. A role whose seccomp table
 * lacks getrandom must therefore seed before it confines itself, or its
 * first table dies of SIGSYS, loudly. The key never leaves the process.
 */
#ifndef FLOWTOP_SIPHASH_H
#define FLOWTOP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* The key from 16 bytes, read as the paper reads them (k0 the first 8,
 * little-endian). */
void siphash_key_from_bytes(struct siphash_key *key, const uint8_t b[16]);

uint64_t siphash24(const struct siphash_key *key, const void *in, size_t len);
uint64_t siphash13(const struct siphash_key *key, const void *in, size_t len);

/* Draw a new process key from getrandom(). Returns 0, or -1 when the
 * kernel had no randomness to give: the key then comes from clocks, the
 * pid and addresses, so tables still work, only with a guessable key. */
int siphash_seed(void);

/* The process key (seeded on first use when siphash_seed was not called). */
const struct siphash_key *siphash_key(void);

#endif
