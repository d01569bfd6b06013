/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the whole way from a name server's answer to the
 * name the resolver hands the ui: dns_ptr_parse (resolver/dns.c: c-ares'
 * ares_parse_ptr_reply, then flowtop's TTL reader), then the cache's
 * dc_complete, which cleans and stores the name (dns_cache.c).
 *
 * Input: the DNS message as a server would send it for the PTR query of
 * 142.69.2.81.in-addr.arpa (81.2.69.142) and, the same bytes again, of the
 * IPv6 address 2001:db8::1. It is copied to a heap block of exactly its
 * size, so a read past its end is an AddressSanitizer report.
 *
 * What must hold: no crash, leak or sanitizer report; a TTL only with a
 * name and never past DNS_TTL_LIMIT; the stored name is what
 * dc_name_clean makes of the parsed one, at most DC_NAME_MAX bytes, with
 * no byte below 0x20, no DEL and no C1 byte encoded in UTF-8 (U+0080 to
 * U+009F) in it; the cache answers it back unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privsep/flow_wire.h"
#include "resolver/dns.h"
#include "resolver/dns_cache.h"
#include "resolver/dns_ttl.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_cache *fuzz_cache;
static uint64_t fuzz_now;

static uint64_t fuzz_clock(void *arg)
{
	(void)arg;
	return fuzz_now;
}

static void fuzz_safe(const char *s, size_t n)
{
	if (n > DC_NAME_MAX)
		abort();
	fuzz_text_safe(s, n);
}

static void fuzz_one(const uint8_t *msg, size_t n, uint8_t family,
		     const uint8_t addr[16])
{
	char clean[DC_NAME_MAX + 1], got[DC_NAME_MAX + 1];
	struct dc_entry *e;
	uint32_t ttl = 1;
	const char *stored;
	size_t len;
	char *raw;

	raw = dns_ptr_parse(msg, n, family, addr, &ttl);
	if (!raw && ttl != 0)
		abort();
	if (ttl > DNS_TTL_LIMIT)
		abort();
	len = dc_name_clean(clean, raw);
	fuzz_safe(clean, len);

	/* The same answer through the cache, as dns_store does it. */
	if (dc_get(fuzz_cache, family, addr, got, sizeof(got)) != DC_QUEUED ||
	    !(e = dc_next(fuzz_cache)))
		abort();
	stored = dc_complete(fuzz_cache, e, raw, ttl);
	if (strcmp(stored, clean) != 0)
		abort();
	fuzz_safe(stored, strlen(stored));
	if (dc_get(fuzz_cache, family, addr, got, sizeof(got)) != DC_HIT ||
	    strcmp(got, clean) != 0)
		abort();
	free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t v4[16] = { 81, 2, 69, 142 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct dc_cfg cfg = {
		.max = 4, .queue_max = 4, .min_ttl = 60, .max_ttl = 86400,
		.neg_ttl = 300, .clock = fuzz_clock,
	};
	uint8_t *msg = malloc(size ? size : 1);

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	if (!fuzz_cache && !(fuzz_cache = dc_new(&cfg)))
		abort();
	/* Each answer finds the cache expired: a new entry, queued again. */
	fuzz_now += (uint64_t)cfg.max_ttl * 1000u + 1000u;
	fuzz_one(msg, size, FLOW_FAM_IPV4, v4);
	fuzz_one(msg, size, FLOW_FAM_IPV6, v6);
	free(msg);
	return 0;
}
