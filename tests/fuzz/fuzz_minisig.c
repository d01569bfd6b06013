/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the minisign signature parser and check
 * (geoip-update/minisig.c), which reads a mirror's .minisig in the
 * validator: the bytes as a .minisig for the fixture key of
 * tests/data/minisign (its seeds are that directory's signatures, see
 * regen.sh), verified when it parses against the fixture's data.bin; the
 * same bytes as a public key line and as base64.
 *
 * What must hold, whatever the bytes: no crash or sanitizer report; a
 * refusal has a reason; a parsed signature's trusted comment is a
 * NUL-terminated string of the length recorded, with no control
 * character but tab.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geoip-update/minisig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/data/minisign/key.pub's key line. */
static const char fixture_key[] = "RWTeQu7Ls3tPiQfP/3F138CNyIgeQi3/FP02HpJY/v1WP5AkWlHD2BOB";
static char text[GU_MS_FILE_MAX + 2];
static uint8_t out[GU_MS_FILE_MAX];
static volatile size_t fuzz_sink;

/* tests/data/minisign/data.bin, as regen.sh writes it. */
static size_t fixture_data(uint8_t *buf, size_t max)
{
	static const char line[] = "flowtop minisign fixture: a stand-in for "
		"a database file.\n";
	size_t n = 0;

	for (int i = 0; i < 8 && n + sizeof(line) - 1 <= max; i++) {
		memcpy(buf + n, line, sizeof(line) - 1);
		n += sizeof(line) - 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gu_ms_key key;
	static struct gu_ms_sig sig;
	static uint8_t file[1024];
	static size_t file_len;
	struct gu_ms_key k2;
	const char *why = NULL;

	if (!file_len) {
		file_len = fixture_data(file, sizeof(file));
		if (gu_ms_key_parse(&key, fixture_key, &why) < 0)
			abort();
	}
	if (gu_ms_sig_parse(&sig, (const char *)data, size, &key, &why) == 0) {
		if (sig.trusted_len > GU_MS_COMMENT_MAX ||
		    strlen(sig.trusted) != sig.trusted_len)
			abort();
		for (size_t i = 0; i < sig.trusted_len; i++)
			if ((unsigned char)sig.trusted[i] < ' ' &&
			    sig.trusted[i] != '\t')
				abort();
		why = NULL;
		if (gu_ms_verify(&key, &sig, file, file_len, &why) < 0 && !why)
			abort();
	} else if (!why) {
		abort();
	}
	if (size <= GU_MS_FILE_MAX) {
		memcpy(text, data, size);
		text[size] = '\0';
		why = NULL;
		if (gu_ms_key_parse(&k2, text, &why) < 0 && !why)
			abort();
		fuzz_sink += gu_ms_b64(text, size, out, size / 4 * 3) +
			gu_ms_b64(text, size, out, size >= 4 ? size / 4 * 3 - 1 : 0);
	}
	return 0;
}
