/* SPDX-License-Identifier: GPL-2.0-only */
/* minisig: minisign public keys and signature files, and their check with
 * OpenSSL's Ed25519 (and BLAKE2b-512 for prehashed signatures).
 *
 * A public key is the base64 line of a minisign.pub: "Ed", an 8-byte key
 * id, the 32-byte Ed25519 key. A .minisig file is four lines:
 *   untrusted comment: TEXT
 *   BASE64("Ed" or "ED", key id, 64-byte signature)
 *   trusted comment: TEXT
 *   BASE64(64-byte Ed25519 signature of signature || trusted comment TEXT)
 * "Ed" signs the file itself, "ED" its BLAKE2b-512 digest. The parser is
 * strict (it reads a stranger's file, in the validator): exactly those
 * lines, each ending in '\n' (the last one may lack it), canonical base64
 * of exactly the right length, no control characters, the key id of the
 * key it is checked against.
 */
#ifndef FLOWTOP_GU_MINISIG_H
#define FLOWTOP_GU_MINISIG_H

#include <stddef.h>
#include <stdint.h>

#define GU_MS_ID_LEN 8
#define GU_MS_PK_LEN 32
#define GU_MS_SIG_LEN 64
#define GU_MS_COMMENT_MAX 1024       /* bytes of comment text, as minisign */
#define GU_MS_FILE_MAX 4096          /* a larger .minisig is refused */

struct gu_ms_key {
	uint8_t id[GU_MS_ID_LEN];
	uint8_t pk[GU_MS_PK_LEN];
};

struct gu_ms_sig {
	int prehashed;                   /* "ED": signs BLAKE2b-512(file) */
	uint8_t id[GU_MS_ID_LEN];
	uint8_t sig[GU_MS_SIG_LEN];
	char trusted[GU_MS_COMMENT_MAX + 1];
	size_t trusted_len;
	uint8_t global[GU_MS_SIG_LEN];
};

/* Strict base64 (RFC 4648, padded, canonical) of s[0..n) into out, which
 * must receive exactly want bytes. 0, or -1. */
int gu_ms_b64(const char *s, size_t n, uint8_t *out, size_t want);

/* The base64 line of a minisign.pub. 0, or -1 with *why. */
int gu_ms_key_parse(struct gu_ms_key *k, const char *b64, const char **why);

/* text[0..len) as a .minisig for key k (key ids must match). 0, or -1
 * with *why. */
int gu_ms_sig_parse(struct gu_ms_sig *s, const char *text, size_t len,
		    const struct gu_ms_key *k, const char **why);

/* Whether s, made by k, signs data[0..len), trusted comment included.
 * 0, or -1 with *why. */
int gu_ms_verify(const struct gu_ms_key *k, const struct gu_ms_sig *s,
		 const uint8_t *data, size_t len, const char **why);

/* The key id as minisign prints it (16 upper-case hex digits). */
void gu_ms_id_hex(const uint8_t id[GU_MS_ID_LEN], char out[17]);

#endif
