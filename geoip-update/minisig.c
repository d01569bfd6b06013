/* SPDX-License-Identifier: GPL-2.0-only */
/* minisig: minisign keys and signatures, parsed strictly and checked with
 * OpenSSL. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "geoip-update/minisig.h"

#define MS_ALG_LEN 2
#define MS_KEY_BYTES (MS_ALG_LEN + GU_MS_ID_LEN + GU_MS_PK_LEN)
#define MS_SIG_BYTES (MS_ALG_LEN + GU_MS_ID_LEN + GU_MS_SIG_LEN)
#define MS_UNTRUSTED "untrusted comment: "
#define MS_TRUSTED "trusted comment: "

static int ms_b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

int gu_ms_b64(const char *s, size_t n, uint8_t *out, size_t want)
{
	size_t groups = (want + 2) / 3, pad = groups * 3 - want, o = 0;

	if (n != groups * 4)
		return -1;
	for (size_t g = 0; g < groups; g++) {
		int last = g + 1 == groups;
		size_t digits = last ? 4 - pad : 4, bytes = last ? 3 - pad : 3;
		uint32_t v = 0;

		for (size_t i = 0; i < 4; i++) {
			unsigned char c = (unsigned char)s[g * 4 + i];
			int x = 0;

			if (i >= digits) {
				if (c != '=')
					return -1;
			} else if ((x = ms_b64_digit(c)) < 0) {
				return -1;
			}
			v = v << 6 | (uint32_t)x;
		}
		/* Canonical: the bits no byte uses are zero. */
		if ((pad == 1 && last && (v & 0xff)) ||
		    (pad == 2 && last && (v & 0xffff)))
			return -1;
		for (size_t b = 0; b < bytes; b++)
			out[o++] = (uint8_t)(v >> (16 - 8 * b));
	}
	return 0;
}

void gu_ms_id_hex(const uint8_t id[GU_MS_ID_LEN], char out[17])
{
	/* minisign prints the id as a little-endian 64-bit number. */
	for (size_t i = 0; i < GU_MS_ID_LEN; i++)
		snprintf(out + 2 * i, 3, "%02X", id[GU_MS_ID_LEN - 1 - i]);
}

int gu_ms_key_parse(struct gu_ms_key *k, const char *b64, const char **why)
{
	uint8_t raw[MS_KEY_BYTES];

	if (gu_ms_b64(b64, strlen(b64), raw, sizeof(raw)) < 0) {
		*why = "pubkey is not a minisign public key (the base64 line "
			"of minisign.pub)";
		return -1;
	}
	if (memcmp(raw, "Ed", MS_ALG_LEN) != 0) {
		*why = "pubkey: not an Ed25519 minisign key";
		return -1;
	}
	memcpy(k->id, raw + MS_ALG_LEN, GU_MS_ID_LEN);
	memcpy(k->pk, raw + MS_ALG_LEN + GU_MS_ID_LEN, GU_MS_PK_LEN);
	return 0;
}

/* The next line of text from *at: its start and length without the
 * '\n'. Only the last line may end without one. */
static int ms_next_line(const char *text, size_t len, size_t *at, int last,
			const char **line, size_t *l)
{
	const char *nl;

	if (*at >= len)
		return -1;
	*line = text + *at;
	nl = memchr(*line, '\n', len - *at);
	if (!nl && !last)
		return -1;
	*l = nl ? (size_t)(nl - *line) : len - *at;
	*at += *l + (nl != NULL);
	return 0;
}

/* Comment text: no control characters but tab (UTF-8 is fine). */
static int ms_text_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* A "PREFIX TEXT" comment line; the text in *txt, *tl. */
static int ms_comment(const char *line, size_t l, const char *prefix,
		      const char **txt, size_t *tl)
{
	size_t pl = strlen(prefix);

	if (l < pl || memcmp(line, prefix, pl) != 0 ||
	    l - pl > GU_MS_COMMENT_MAX || !ms_text_ok(line + pl, l - pl))
		return -1;
	*txt = line + pl;
	*tl = l - pl;
	return 0;
}

int gu_ms_sig_parse(struct gu_ms_sig *s, const char *text, size_t len,
		    const struct gu_ms_key *k, const char **why)
{
	uint8_t raw[MS_SIG_BYTES];
	const char *line, *txt;
	size_t at = 0, l, tl;

	memset(s, 0, sizeof(*s));
	if (len > GU_MS_FILE_MAX) {
		*why = "signature file too large";
		return -1;
	}
	if (ms_next_line(text, len, &at, 0, &line, &l) < 0 ||
	    ms_comment(line, l, MS_UNTRUSTED, &txt, &tl) < 0) {
		*why = "signature file: no 'untrusted comment:' first line";
		return -1;
	}
	if (ms_next_line(text, len, &at, 0, &line, &l) < 0 ||
	    gu_ms_b64(line, l, raw, sizeof(raw)) < 0) {
		*why = "signature file: the signature line is not base64 of "
			"74 bytes";
		return -1;
	}
	if (memcmp(raw, "ED", MS_ALG_LEN) == 0)
		s->prehashed = 1;
	else if (memcmp(raw, "Ed", MS_ALG_LEN) != 0) {
		*why = "signature file: unknown signature algorithm";
		return -1;
	}
	memcpy(s->id, raw + MS_ALG_LEN, GU_MS_ID_LEN);
	memcpy(s->sig, raw + MS_ALG_LEN + GU_MS_ID_LEN, GU_MS_SIG_LEN);
	if (ms_next_line(text, len, &at, 0, &line, &l) < 0 ||
	    ms_comment(line, l, MS_TRUSTED, &txt, &tl) < 0) {
		*why = "signature file: no valid 'trusted comment:' third line";
		return -1;
	}
	memcpy(s->trusted, txt, tl);
	s->trusted[tl] = '\0';
	s->trusted_len = tl;
	if (ms_next_line(text, len, &at, 1, &line, &l) < 0 ||
	    gu_ms_b64(line, l, s->global, sizeof(s->global)) < 0) {
		*why = "signature file: the global signature line is not "
			"base64 of 64 bytes";
		return -1;
	}
	if (at != len) {
		*why = "signature file: more than four lines";
		return -1;
	}
	if (memcmp(s->id, k->id, GU_MS_ID_LEN) != 0) {
		static char msg[120];
		char got[17], want[17];

		gu_ms_id_hex(s->id, got);
		gu_ms_id_hex(k->id, want);
		snprintf(msg, sizeof(msg), "signed with key %s, not the "
			 "pubkey's %s", got, want);
		*why = msg;
		return -1;
	}
	return 0;
}

/* Whether sig is pk's Ed25519 signature of msg[0..len). */
static int ms_ed25519(const uint8_t *pk, const uint8_t *sig,
		      const uint8_t *msg, size_t len)
{
	static const uint8_t empty[1];
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
						    GU_MS_PK_LEN);
	EVP_MD_CTX *ctx = key ? EVP_MD_CTX_new() : NULL;
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
		EVP_DigestVerify(ctx, sig, GU_MS_SIG_LEN, len ? msg : empty,
				 len) == 1;

	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ok ? 0 : -1;
}

int gu_ms_verify(const struct gu_ms_key *k, const struct gu_ms_sig *s,
		 const uint8_t *data, size_t len, const char **why)
{
	uint8_t h[EVP_MAX_MD_SIZE], g[GU_MS_SIG_LEN + GU_MS_COMMENT_MAX];
	unsigned int hl = 0;

	if (memcmp(s->id, k->id, GU_MS_ID_LEN) != 0) {
		*why = "signed with another key";
		return -1;
	}
	if (s->prehashed) {
		if (!EVP_Digest(data, len, h, &hl, EVP_blake2b512(), NULL) ||
		    hl != 64) {
			ERR_clear_error();
			*why = "cannot compute BLAKE2b-512";
			return -1;
		}
		data = h;
		len = hl;
	}
	if (ms_ed25519(k->pk, s->sig, data, len) < 0) {
		*why = "bad signature: the file is not what the key signed "
			"(tampered or another file's .minisig)";
		return -1;
	}
	if (s->trusted_len > GU_MS_COMMENT_MAX) {
		*why = "trusted comment too long";
		return -1;
	}
	memcpy(g, s->sig, GU_MS_SIG_LEN);
	memcpy(g + GU_MS_SIG_LEN, s->trusted, s->trusted_len);
	if (ms_ed25519(k->pk, s->global, g, GU_MS_SIG_LEN + s->trusted_len) < 0) {
		*why = "bad signature of the trusted comment (altered comment)";
		return -1;
	}
	return 0;
}
