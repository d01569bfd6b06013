/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for what the IPFIX exporter takes from the ui
 * (privsep/ipfix_wire.c): the input is one IX_RECORDS message, handed
 * over as the block libFuzzer made of exactly its size, so a read past
 * its end is an AddressSanitizer report. What ix_msg_check refuses, it
 * says why in a printable line. What it takes goes through the real
 * encoder (ipfix/ix_enc.c, libfixbuf; no socket): every record is
 * appended, and every message that comes out is a whole IPFIX message
 * of at most the MTU, holding all the records between them. The last
 * byte picks the UDP or the TCP message size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix/ix_enc.h"
#include "privsep/ipfix_wire.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_sink {
	size_t mtu;
	uint64_t records;
};

static void fz_sink(void *arg, const uint8_t *msg, size_t len,
		    unsigned records)
{
	struct fz_sink *s = arg;

	if (len < 16 || len > s->mtu || msg[0] != 0 || msg[1] != 10 ||
	    ((size_t)msg[2] << 8 | msg[3]) != len)
		abort();
	s->records += records;
}

/* One encoder of each size for the whole run: libfixbuf's set-up is
 * the slow part, and a long-lived encoder is what the exporter has. */
static struct ix_enc *fz_encoder(int tcp, struct fz_sink **sink)
{
	static struct fz_sink sinks[2] = { { IX_MTU_UDP, 0 },
					   { IX_MTU_TCP, 0 } };
	static struct ix_enc *enc[2];
	char err[256];

	if (!enc[tcp]) {
		enc[tcp] = ix_enc_new((uint16_t)sinks[tcp].mtu, fz_sink,
				      &sinks[tcp], err, sizeof(err));
		if (!enc[tcp] || ix_enc_templates(enc[tcp]) < 0)
			abort();
	}
	*sink = &sinks[tcp];
	return enc[tcp];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ix_msg_head h;
	struct fz_sink *sink;
	struct ix_enc *enc;
	const char *why = NULL, *strings;
	struct ix_rec r;
	size_t off = sizeof(h);
	uint64_t before;

	if (ix_msg_check(data, size, &why) < 0) {
		if (!why || !*why)
			abort();
		fuzz_text_safe(why, strlen(why));
		return 0;
	}
	memcpy(&h, data, sizeof(h));
	enc = fz_encoder(data[size - 1] & 1, &sink);
	before = sink->records;
	for (uint32_t i = 0; i < h.count; i++) {
		off = ix_msg_rec(data, off, &r, &strings);
		if (ix_enc_add(enc, &r, strings) < 0)
			abort();
	}
	if (off != size || ix_enc_flush(enc) < 0 ||
	    sink->records - before != h.count)
		abort();
	return 0;
}
