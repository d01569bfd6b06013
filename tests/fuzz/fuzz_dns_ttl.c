/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for what the resolver does with a name server's bytes
 * on its own: the TTL reader (resolver/dns_ttl.c) and the name cleaner
 * (dc_name_clean in resolver/dns_cache.c).
 *
 * Input: the DNS message, as a name server would send it. It is copied to
 * a heap block of exactly its size, so any read past its end is an
 * AddressSanitizer report. The same bytes, NUL-terminated, are also given
 * to the name cleaner as if c-ares had returned them as a host name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolver/dns_cache.h"
#include "resolver/dns_ttl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t fuzz_sink;

static void fuzz_ttl(const uint8_t *msg, size_t n)
{
	/* PTR as the resolver asks; CNAME and A reach the other branches. */
	static const uint16_t types[] = { 12, 5, 1 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint32_t ttl = 0;
		enum dns_ttl_result r = dns_answer_ttl(msg, n, types[i], &ttl);

		if (r != DNS_TTL_OK && r != DNS_TTL_BAD && r != DNS_TTL_NONE)
			abort();
		if (r == DNS_TTL_OK && ttl > DNS_TTL_LIMIT)
			abort();
		fuzz_sink += ttl;
	}
}

/* A cleaned name is bounded and holds no byte a terminal acts on. */
static void fuzz_clean(const uint8_t *data, size_t size)
{
	char *raw = malloc(size + 1), out[DC_NAME_MAX + 1];
	size_t n;

	if (!raw)
		return;
	memcpy(raw, data, size);
	raw[size] = '\0';
	n = dc_name_clean(out, raw);
	if (n > DC_NAME_MAX || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 || c == 0x7f)
			abort();
	}
	free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *msg = malloc(size ? size : 1);

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	fuzz_ttl(msg, size);
	free(msg);
	fuzz_clean(data, size);
	return 0;
}
