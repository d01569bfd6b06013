/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests for privsep/msg.c: the message catalogue, the framing checks
 * (direction, type, length), every type's content check, the sender's
 * refusals, and round trips over real SOCK_SEQPACKET socketpairs,
 * including hostile datagrams and descriptors written by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <netinet/in.h>

#include "privsep/flow_wire.h"
#include "privsep/msg.h"
#include "privsep/lookup_wire.h"

#include "common/util.h"

#define HDR ((uint32_t)sizeof(struct msg_hdr))
#define FW ((uint32_t)sizeof(struct flow_wire))
/* The most records one FLOWS message may hold: as many whole records as fit
 * in the largest payload. */
#define FLOWS_MAX_RECS ((uint32_t)(MSG_MAX_PAYLOAD / sizeof(struct flow_wire)))
#define FLOWS_MAX_BYTES (FLOWS_MAX_RECS * FW)

/* Every receiving direction there is. */
static const uint32_t all_dirs[] = {
	MSG_DIR_COL_UI, MSG_DIR_UI_COL, MSG_DIR_UI_RES,
	MSG_DIR_RES_UI, MSG_DIR_FET_UPD, MSG_DIR_UPD_FET, MSG_DIR_VAL_UPD,
};

/* What the catalogue must say, written out independently of msg.c so that a
 * wrong entry there shows up here. */
struct expect {
	uint32_t type;
	const char *name;
	uint32_t dir;
	uint32_t min_len;
	uint32_t max_len;
	uint32_t unit;
};

static const struct expect catalogue[] = {
	{ MSG_HELLO, "HELLO", MSG_DIR_COL_UI,
	  sizeof(struct msg_hello), sizeof(struct msg_hello), 0 },
	{ MSG_DUMP_BEGIN, "DUMP_BEGIN", MSG_DIR_COL_UI,
	  sizeof(struct msg_dump_mark), sizeof(struct msg_dump_mark), 0 },
	{ MSG_FLOWS, "FLOWS", MSG_DIR_COL_UI, FW, FLOWS_MAX_BYTES, FW },
	{ MSG_DUMP_END, "DUMP_END", MSG_DIR_COL_UI,
	  sizeof(struct msg_dump_mark), sizeof(struct msg_dump_mark), 0 },
	{ MSG_CTL_FILTER, "CTL_FILTER", MSG_DIR_UI_COL,
	  sizeof(struct msg_filter), sizeof(struct msg_filter), 0 },
	{ MSG_PING, "PING", MSG_DIR_UI_RES, 8, 8, 0 },
	{ MSG_PONG, "PONG", MSG_DIR_RES_UI, 8, 8, 0 },
	{ MSG_LOOKUP_REQ, "LOOKUP_REQ", MSG_DIR_UI_RES, 20, 65520, 20 },
	{ MSG_LOOKUP_ANS, "LOOKUP_ANS", MSG_DIR_RES_UI, 572, 65208, 572 },
	{ MSG_SERVICE_REQ, "SERVICE_REQ", MSG_DIR_UI_RES, 4, 65528, 4 },
	{ MSG_SERVICE_ANS, "SERVICE_ANS", MSG_DIR_RES_UI, 36, 65520, 36 },
	{ MSG_FETCH_REQ, "FETCH_REQ", MSG_DIR_UPD_FET, 1248, 1248, 0 },
	{ MSG_FETCH_START, "FETCH_START", MSG_DIR_FET_UPD, 16, 16, 0 },
	{ MSG_FETCH_DATA, "FETCH_DATA", MSG_DIR_FET_UPD, 5, 65528, 0 },
	{ MSG_FETCH_DONE, "FETCH_DONE", MSG_DIR_FET_UPD, 184, 184, 0 },
	{ MSG_VAL_RESULT, "VAL_RESULT", MSG_DIR_VAL_UPD, 256, 256, 0 },
	{ MSG_CMDLINE_REQ, "CMDLINE_REQ", MSG_DIR_UI_COL, 4, 4, 0 },
	{ MSG_CMDLINE_ANS, "CMDLINE_ANS", MSG_DIR_COL_UI, 520, 520, 0 },
	{ MSG_RES_INFO, "RES_INFO", MSG_DIR_RES_UI, 8, 8, 0 },
	{ MSG_SYNC_REQ, "SYNC_REQ", MSG_DIR_UI_COL, 4, 4, 0 },
	{ MSG_SYNC_ANS, "SYNC_ANS", MSG_DIR_COL_UI, 4, 4, 0 },
	{ MSG_OWNER, "OWNER", MSG_DIR_COL_UI, sizeof(struct msg_owner),
	  sizeof(struct msg_owner), 0 },
	{ MSG_OWNERS_GONE, "OWNERS_GONE", MSG_DIR_COL_UI,
	  sizeof(struct msg_owner_gone),
	  MSG_MAX_PAYLOAD / sizeof(struct msg_owner_gone) *
	  sizeof(struct msg_owner_gone), sizeof(struct msg_owner_gone) },
	/* the flags, then up to 256 keys of 48 bytes */
	{ MSG_CTL_REFRESH, "CTL_REFRESH", MSG_DIR_UI_COL, 8, 8 + 256 * 48, 48 },
	{ MSG_CTL_REPLAY, "CTL_REPLAY", MSG_DIR_UI_COL, 8, 8, 0 },
	{ MSG_REPLAY_STATE, "REPLAY_STATE", MSG_DIR_COL_UI, 32, 32, 0 },
};

/* Big enough for any datagram the tests build, oversized ones included. */
static unsigned char dgram[2 * MSG_MAX_SIZE];

/* Write a header claiming type/len; payload bytes are a fixed pattern. */
static size_t build(uint32_t type, uint32_t hdr_len, size_t payload_bytes)
{
	struct msg_hdr h = { .type = type, .len = hdr_len };

	assert_true(HDR + payload_bytes <= sizeof(dgram));
	memcpy(dgram, &h, sizeof(h));
	for (size_t i = 0; i < payload_bytes; i++)
		dgram[HDR + i] = (unsigned char)(i * 7u + 1u);
	return HDR + payload_bytes;
}

/* The first n bytes of dgram in a heap block of exactly n bytes, so that
 * the sanitizer build catches the decoder reading past the datagram. */
static unsigned char *exact_copy(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, dgram, n);
	return p;
}

/* Frame dgram[0..n) and insist on a rejection with a reason. */
static void expect_reject(uint32_t dir, size_t n)
{
	unsigned char *buf = exact_copy(n);
	struct msg m;
	const char *why = NULL;
	int r = msg_frame(dir, buf, n, &m, &why);

	free(buf);
	assert_int_equal(r, -1);
	assert_non_null(why);
	assert_true(why[0] != '\0');
}

static void expect_accept(uint32_t dir, uint32_t type, size_t n)
{
	unsigned char *buf = exact_copy(n);
	struct msg m;
	const char *why = NULL;
	int r, at_payload;

	memset(&m, 0xa5, sizeof(m));
	r = msg_frame(dir, buf, n, &m, &why);
	at_payload = r == 0 && m.payload == buf + HDR;
	free(buf);
	assert_int_equal(r, 0);
	assert_int_equal(m.type, type);
	assert_int_equal(m.len, n - HDR);
	assert_true(at_payload);
}

/* Lengths of a type that the catalogue must accept. */
static size_t valid_lens(const struct expect *e, uint32_t *out)
{
	size_t k = 0;

	out[k++] = e->min_len;
	if (e->max_len != e->min_len)
		out[k++] = e->max_len;
	if (e->unit) {
		out[k++] = e->min_len + e->unit;
		out[k++] = e->min_len + 100 * e->unit;
		out[k++] = e->max_len - e->unit;
	}
	return k;
}

/* Lengths of a type that must be refused. */
static size_t invalid_lens(const struct expect *e, uint32_t *out)
{
	size_t k = 0;

	if (e->min_len > 0) {
		out[k++] = 0;
		out[k++] = e->min_len - 1;
	}
	out[k++] = e->max_len + 1;
	out[k++] = e->max_len + (e->unit ? e->unit : 8);
	if (e->max_len < MSG_MAX_PAYLOAD)
		out[k++] = MSG_MAX_PAYLOAD;
	out[k++] = MSG_MAX_PAYLOAD + 1;
	if (e->unit) {
		out[k++] = e->min_len + 1;
		out[k++] = e->min_len + e->unit - 1;
		out[k++] = e->max_len - 1;
		out[k++] = e->min_len / 2;
	}
	return k;
}

/* ---- catalogue ------------------------------------------------------- */

static void test_catalogue_matches(void **state)
{
	(void)state;
	/* One row here per message type: a new type needs a new row. */
	assert_int_equal(ARRAY_LEN(catalogue), MSG_TYPE_COUNT - 1);
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		const struct msg_spec *s = msg_spec(e->type);

		assert_non_null(s);
		assert_string_equal(s->name, e->name);
		assert_string_equal(msg_type_name(e->type), e->name);
		assert_int_equal(s->dirs, e->dir);
		assert_int_equal(s->min_len, e->min_len);
		assert_int_equal(s->max_len, e->max_len);
		assert_int_equal(s->unit, e->unit);
		/* Every type's contents are checked on receipt. */
		assert_non_null(s->check);
	}
	assert_int_equal(FLOWS_MAX_BYTES % FW, 0);
	assert_true(FLOWS_MAX_BYTES <= MSG_MAX_PAYLOAD);
	assert_true(FLOWS_MAX_BYTES + FW > MSG_MAX_PAYLOAD);
}

static void test_unknown_spec(void **state)
{
	(void)state;
	assert_null(msg_spec(MSG_NONE));
	assert_null(msg_spec(MSG_TYPE_COUNT));
	assert_null(msg_spec(MSG_TYPE_COUNT + 1));
	assert_null(msg_spec(0xffffffffu));
	assert_string_equal(msg_type_name(0), "unknown");
	assert_string_equal(msg_type_name(MSG_TYPE_COUNT), "unknown");
	assert_string_equal(msg_type_name(0xffffffffu), "unknown");
}

/* ---- msg_decode ------------------------------------------------------ */

static void test_decode_accepts_own_direction(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		uint32_t lens[8];
		size_t nl = valid_lens(e, lens);

		for (size_t j = 0; j < nl; j++) {
			size_t n = build(e->type, lens[j], lens[j]);

			expect_accept(e->dir, e->type, n);
		}
	}
}

static void test_decode_rejects_other_directions(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		uint32_t lens[8];
		size_t nl = valid_lens(e, lens);

		for (size_t j = 0; j < nl; j++) {
			size_t n = build(e->type, lens[j], lens[j]);

			for (size_t d = 0; d < ARRAY_LEN(all_dirs); d++) {
				if (all_dirs[d] == e->dir)
					continue;
				expect_reject(all_dirs[d], n);
			}
			/* A direction value that is no direction at all. */
			expect_reject(0, n);
			/* Every direction but the right one at once. */
			expect_reject(~e->dir, n);
		}
	}
}

static void test_decode_rejects_unknown_types(void **state)
{
	static const uint32_t bad_types[] = {
		MSG_NONE, MSG_TYPE_COUNT, MSG_TYPE_COUNT + 1, 0x100, 0x80000000u,
		0xffffffffu,
	};
	static const uint32_t lens[] = { 0, 4, 8, 24, FW };

	(void)state;
	for (size_t t = 0; t < ARRAY_LEN(bad_types); t++)
		for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
			size_t n = build(bad_types[t], lens[l], lens[l]);

			for (size_t d = 0; d < ARRAY_LEN(all_dirs); d++)
				expect_reject(all_dirs[d], n);
			/* Even a receiver that would take anything. */
			expect_reject(0xffffffffu, n);
		}
}

static void test_decode_rejects_short_header(void **state)
{
	(void)state;
	/* A complete HELLO in the buffer; only n says how much arrived. */
	build(MSG_HELLO, sizeof(struct msg_hello), sizeof(struct msg_hello));
	for (size_t n = 0; n < HDR; n++)
		for (size_t d = 0; d < ARRAY_LEN(all_dirs); d++)
			expect_reject(all_dirs[d], n);

	/* And a header whose len says 0 for a type that allows 0 bytes is
	 * still not a message when fewer than 8 bytes came. */
	memset(dgram, 0, HDR);
	for (size_t n = 0; n < HDR; n++)
		expect_reject(0xffffffffu, n);
}

static void test_decode_rejects_len_mismatch(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		const uint32_t claims[] = {
			e->min_len - 1, e->min_len + 1, 0, e->min_len + HDR,
			e->min_len ? e->min_len - HDR : 1,
			0xffffffffu, 0xffffffffu - (HDR - 1), 0x80000000u,
		};

		/* The header claims a length the datagram doesn't have. */
		for (size_t c = 0; c < ARRAY_LEN(claims); c++) {
			size_t n = build(e->type, claims[c], e->min_len);

			if (claims[c] == e->min_len)
				continue;
			expect_reject(e->dir, n);
		}
		/* The datagram is a valid size but the header says another. */
		if (e->unit) {
			size_t n = build(e->type, 2 * e->unit, 3 * e->unit);

			expect_reject(e->dir, n);
			n = build(e->type, 3 * e->unit, 2 * e->unit);
			expect_reject(e->dir, n);
		}
	}
}

static void test_decode_rejects_bad_lengths(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		uint32_t lens[16];
		size_t nl = invalid_lens(e, lens);

		for (size_t j = 0; j < nl; j++) {
			/* Header and datagram agree: only the bounds are wrong. */
			size_t n = build(e->type, lens[j], lens[j]);

			expect_reject(e->dir, n);
		}
	}
}

static void test_decode_flows_bounds(void **state)
{
	(void)state;
	/* Every record count from 1 to the maximum is fine... */
	for (uint32_t k = 1; k <= FLOWS_MAX_RECS; k++) {
		size_t n = build(MSG_FLOWS, k * FW, k * FW);

		expect_accept(MSG_DIR_COL_UI, MSG_FLOWS, n);
	}
	/* ...one more is not, and neither is an empty batch. */
	expect_reject(MSG_DIR_COL_UI,
		      build(MSG_FLOWS, (FLOWS_MAX_RECS + 1) * FW,
			    (FLOWS_MAX_RECS + 1) * FW));
	expect_reject(MSG_DIR_COL_UI, build(MSG_FLOWS, 0, 0));
	/* Anything that is not a whole number of records. */
	for (uint32_t len = 1; len < 4 * FW; len++) {
		if (len % FW == 0)
			continue;
		expect_reject(MSG_DIR_COL_UI, build(MSG_FLOWS, len, len));
	}
	for (uint32_t extra = 1; extra < FW; extra++) {
		uint32_t len = FLOWS_MAX_BYTES - FW + extra;

		expect_reject(MSG_DIR_COL_UI, build(MSG_FLOWS, len, len));
	}
	/* The largest payload a datagram may have, and every byte above the
	 * largest batch up to it: not a whole record each time. */
	for (uint32_t len = FLOWS_MAX_BYTES + 1; len <= MSG_MAX_PAYLOAD + 1; len++)
		expect_reject(MSG_DIR_COL_UI, build(MSG_FLOWS, len, len));
}

/* The reasons tell the failures apart, so an error message is useful. */
static void test_decode_reasons_differ(void **state)
{
	const char *w_short = NULL, *w_type = NULL, *w_dir = NULL;
	const char *w_len = NULL, *w_mismatch = NULL;
	struct msg m;
	size_t n;

	(void)state;
	n = build(MSG_HELLO, 8, 8);
	assert_int_equal(msg_frame(MSG_DIR_COL_UI, dgram, 4, &m, &w_short), -1);
	assert_int_equal(msg_frame(MSG_DIR_UI_COL, dgram, n, &m, &w_dir), -1);
	n = build(MSG_HELLO, 8, 9);
	assert_int_equal(msg_frame(MSG_DIR_COL_UI, dgram, n, &m, &w_mismatch), -1);
	n = build(MSG_HELLO, 9, 9);
	assert_int_equal(msg_frame(MSG_DIR_COL_UI, dgram, n, &m, &w_len), -1);
	n = build(MSG_TYPE_COUNT, 8, 8);
	assert_int_equal(msg_frame(MSG_DIR_COL_UI, dgram, n, &m, &w_type), -1);

	const char *all[] = { w_short, w_type, w_dir, w_len, w_mismatch };

	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		assert_non_null(all[i]);
		for (size_t j = i + 1; j < ARRAY_LEN(all); j++)
			assert_string_not_equal(all[i], all[j]);
	}
}

/* msg_decode is the framing plus the type's content check: a HELLO of the
 * wrong protocol version frames fine and is still refused, for the
 * content's reason. */
static void test_decode_runs_content_check(void **state)
{
	struct msg_hello h = { .version = MSG_PROTO_VERSION + 1,
			       .interval_ms = 1000 };
	struct msg_hdr hd = { .type = MSG_HELLO, .len = sizeof(h) };
	const char *why = NULL;
	struct msg m;

	(void)state;
	memcpy(dgram, &hd, sizeof(hd));
	memcpy(dgram + HDR, &h, sizeof(h));
	assert_int_equal(msg_frame(MSG_DIR_COL_UI, dgram, HDR + sizeof(h), &m,
				   &why), 0);
	assert_int_equal(msg_decode(MSG_DIR_COL_UI, dgram, HDR + sizeof(h), &m,
				    &why), -1);
	assert_string_equal(why, "protocol version mismatch");
	h.version = MSG_PROTO_VERSION;
	memcpy(dgram + HDR, &h, sizeof(h));
	assert_int_equal(msg_decode(MSG_DIR_COL_UI, dgram, HDR + sizeof(h), &m,
				    &why), 0);
}

/* ---- payload validators, as the catalogue runs them ------------------ */

/* The check msg_decode runs for m's type. */
static int catalogue_check(const struct msg *m, const char **why)
{
	const struct msg_spec *s = msg_spec(m->type);

	assert_non_null(s);
	return s->check(m, why);
}

static int check_hello(uint32_t version, uint32_t interval_ms)
{
	struct msg_hello h = { .version = version, .interval_ms = interval_ms };
	struct msg m = { .type = MSG_HELLO, .len = sizeof(h), .payload = &h };
	const char *why = NULL;
	int r = catalogue_check(&m, &why);

	if (r < 0)
		assert_non_null(why);
	return r;
}

static void test_check_hello(void **state)
{
	(void)state;
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 1000), 0);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 1), 0);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 100), 0);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 3600u * 1000u), 0);

	assert_int_equal(check_hello(MSG_PROTO_VERSION, 0), -1);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 3600u * 1000u + 1), -1);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 0x80000000u), -1);
	assert_int_equal(check_hello(MSG_PROTO_VERSION, 0xffffffffu), -1);

	assert_int_equal(check_hello(0, 1000), -1);
	assert_int_equal(check_hello(MSG_PROTO_VERSION + 1, 1000), -1);
	assert_int_equal(check_hello(0xffffffffu, 1000), -1);
	assert_int_equal(check_hello(0x01000000u, 1000), -1); /* byte-swapped 1 */
}

/* catalogue_check on mk sent as type; a refusal must say why. */
static int check_mark_msg(uint32_t type, struct msg_dump_mark mk)
{
	struct msg m = { .type = type, .len = sizeof(mk),
			 .payload = &mk };
	const char *why = NULL;
	int r = catalogue_check(&m, &why);

	if (r < 0)
		assert_non_null(why);
	return r;
}

static int check_mark(uint32_t type, uint32_t kind, uint32_t cadence_ms,
		      uint64_t took_ns)
{
	struct msg_dump_mark mk = { .seq = 7, .mono_ns = 1, .real_ns = 2,
				    .kind = kind, .cadence_ms = cadence_ms,
				    .took_ns = took_ns };

	return check_mark_msg(type, mk);
}

static void test_check_dump_mark(void **state)
{
	const uint32_t B = MSG_DUMP_BEGIN, E = MSG_DUMP_END;

	(void)state;
	assert_int_equal(check_mark(B, DUMP_PERIODIC, 1000, 0), 0);
	assert_int_equal(check_mark(B, DUMP_RESYNC, 1000, 0), 0);
	/* 3 was DUMP_FILTER: a new selection makes no dump any more. */
	assert_int_equal(check_mark(B, DUMP_KIND_LAST, 1000, 0), 0);
	assert_int_equal(check_mark(B, 3, 1000, 0), -1);
	assert_int_equal(check_mark(E, DUMP_PERIODIC, 1000, 5), 0);

	assert_int_equal(check_mark(B, 0, 1000, 0), -1);
	assert_int_equal(check_mark(B, DUMP_KIND_LAST + 1, 1000, 0), -1);
	assert_int_equal(check_mark(B, 0x80000000u, 1000, 0), -1);
	assert_int_equal(check_mark(B, 0xffffffffu, 1000, 0), -1);
	assert_int_equal(check_mark(B, 0x01000000u, 1000, 0), -1);
	/* The cadence is the interval or longer, never zero or absurd. */
	assert_int_equal(check_mark(B, DUMP_PERIODIC, 0, 0), -1);
	assert_int_equal(check_mark(B, DUMP_PERIODIC, MSG_CADENCE_MAX_MS, 0), 0);
	assert_int_equal(check_mark(B, DUMP_PERIODIC, MSG_CADENCE_MAX_MS + 1, 0),
			 -1);
	/* A dump's duration is known only at its end. */
	assert_int_equal(check_mark(B, DUMP_PERIODIC, 1000, 5), -1);
}

static int check_mark_flags(uint32_t type, uint32_t flags, uint32_t reserved)
{
	struct msg_dump_mark mk = { .seq = 7, .kind = DUMP_PERIODIC,
				    .cadence_ms = 1000, .flags = flags,
				    .reserved = reserved,
				    .took_ns = type == MSG_DUMP_END };

	return check_mark_msg(type, mk);
}

static void test_check_dump_mark_flags(void **state)
{
	(void)state;
	assert_int_equal(check_mark_flags(MSG_DUMP_END, 0, 0), 0);
	assert_int_equal(check_mark_flags(MSG_DUMP_END, DUMP_F_UNTRACKED, 0), 0);
	/* Known only once the dump is read. */
	assert_int_equal(check_mark_flags(MSG_DUMP_BEGIN, DUMP_F_UNTRACKED, 0),
			 -1);
	assert_int_equal(check_mark_flags(MSG_DUMP_END, DUMP_F_ALL + 1, 0), -1);
	assert_int_equal(check_mark_flags(MSG_DUMP_END, 0x80000000u, 0), -1);
	assert_int_equal(check_mark_flags(MSG_DUMP_END, 0, 1), -1);
}

static int check_filter(uint32_t sel)
{
	struct msg_filter f = { .sel = sel };
	struct msg m = { .type = MSG_CTL_FILTER, .len = sizeof(f),
			 .payload = &f };
	const char *why = NULL;
	int r = catalogue_check(&m, &why);

	if (r < 0)
		assert_non_null(why);
	return r;
}

static void test_check_filter(void **state)
{
	(void)state;
	assert_int_equal(SEL_ALL, 0xff);
	for (uint32_t bit = 0; bit < 8; bit++)
		assert_int_equal(check_filter(1u << bit), 0);
	assert_int_equal(check_filter(SEL_ALL), 0);
	assert_int_equal(check_filter(SEL_IPV4 | SEL_IPV6 | SEL_TCP), 0);
	assert_int_equal(check_filter(SEL_IPV6 | SEL_UDP | SEL_LOOPBACK), 0);

	for (uint32_t bit = 8; bit < 32; bit++) {
		assert_int_equal(check_filter(1u << bit), -1);
		assert_int_equal(check_filter(SEL_ALL | (1u << bit)), -1);
	}
	assert_int_equal(check_filter(0xffffffffu), -1);
	assert_int_equal(check_filter(0x100), -1);
}

static int check_payload(uint32_t type, const void *p, size_t len,
			 int (*check)(const struct msg *, const char **))
{
	unsigned char *copy = malloc(len);
	struct msg m = { .type = type, .len = (uint32_t)len, .payload = copy };
	const char *why = NULL;
	int r;

	assert_non_null(copy);
	memcpy(copy, p, len);
	r = check(&m, &why);
	if (r < 0)
		assert_true(why && why[0]);
	free(copy);
	return r;
}

static void test_check_cmdline(void **state)
{
	struct msg_cmdline_req q = { .pid = 1 };
	struct msg_cmdline_ans a;

	(void)state;
	assert_int_equal(check_payload(MSG_CMDLINE_REQ, &q, sizeof(q),
				       catalogue_check), 0);
	q.pid = MSG_PID_MAX;
	assert_int_equal(check_payload(MSG_CMDLINE_REQ, &q, sizeof(q),
				       catalogue_check), 0);
	q.pid = 0;
	assert_int_equal(check_payload(MSG_CMDLINE_REQ, &q, sizeof(q),
				       catalogue_check), -1);
	q.pid = MSG_PID_MAX + 1;
	assert_int_equal(check_payload(MSG_CMDLINE_REQ, &q, sizeof(q),
				       catalogue_check), -1);

	memset(&a, 0, sizeof(a));
	a.pid = 42;
	a.found = 1;
	strcpy(a.text, "python3 -c print(1)");
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), 0);
	a.text[3] = 0x1b;   /* an escape sequence may not travel */
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
	a.text[3] = 0x7f;
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
	memset(a.text, 'x', sizeof(a.text));   /* no NUL */
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
	memset(a.text, 0, sizeof(a.text));
	a.found = 0;
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), 0);
	strcpy(a.text, "x");   /* text for a process not found */
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
	a.found = 2;
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
	a.found = 1;
	a.pid = 0;
	assert_int_equal(check_payload(MSG_CMDLINE_ANS, &a, sizeof(a),
				       catalogue_check), -1);
}

static void test_check_owner(void **state)
{
	struct msg_owner o;
	struct msg_owner_gone g[2] = { { .pid = 7, .start = 99 },
				       { .pid = MSG_PID_MAX, .start = 1 } };

	(void)state;
	memset(&o, 0, sizeof(o));
	o.pid = 42;
	strcpy(o.comm, "curl");
	strcpy(o.cmdline, "curl -s https://example.org/");
	strcpy(o.exe, "/usr/bin/curl\033[2J (deleted)");  /* any bytes */
	strcpy(o.cgroup, "/system.slice/x.service");
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), 0);
	o.cmdline[4] = 0x1b;       /* cleaned by the collector: never */
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);
	o.cmdline[4] = ' ';
	memset(o.cgroup, 'x', sizeof(o.cgroup));        /* no NUL */
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);
	o.cgroup[0] = 0;
	memset(o.netns, 'n', sizeof(o.netns));          /* no NUL */
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);
	strcpy(o.netns, "net:[4026532178]");
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), 0);
	memset(o.comm, 'c', sizeof(o.comm));
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);
	o.comm[0] = 0;
	o.pid = 0;
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);
	o.pid = MSG_PID_MAX + 1;
	assert_int_equal(check_payload(MSG_OWNER, &o, sizeof(o),
				       catalogue_check), -1);

	assert_int_equal(check_payload(MSG_OWNERS_GONE, g, sizeof(g),
				       catalogue_check), 0);
	g[1].reserved = 1;
	assert_int_equal(check_payload(MSG_OWNERS_GONE, g, sizeof(g),
				       catalogue_check), -1);
	g[1].reserved = 0;
	g[1].pid = 0;
	assert_int_equal(check_payload(MSG_OWNERS_GONE, g, sizeof(g),
				       catalogue_check), -1);
}

/* The screen's refresh: flags known, reserved zero, every key one the
 * kernel could be asked about; none at all is fine (flags alone). */
static void test_check_refresh(void **state)
{
	struct {
		struct msg_refresh h;
		struct flow_key k[2];
	} q;
	struct flow_wire w;

	(void)state;
	memset(&q, 0, sizeof(q));
	memset(&w, 0, sizeof(w));
	w.family = FLOW_FAM_IPV6;
	w.l4proto = IPPROTO_TCP;
	w.id = 9;
	w.sport = 1;
	w.dport = 22;
	w.src[15] = 1;
	flow_key_of(&w, &q.k[0]);
	flow_key_of(&w, &q.k[1]);
	q.h.flags = REFRESH_F_ALL;
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), 0);
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q.h),
				       catalogue_check), 0);
	q.h.flags = REFRESH_F_ORDER;
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), 0);
	q.h.flags = 4;
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), -1);
	q.h.flags = 0;
	q.h.reserved = 1;
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), -1);
	q.h.reserved = 0;
	q.k[1].l4proto = IPPROTO_ICMP;      /* not over IPv6 */
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), -1);
	q.k[1].l4proto = IPPROTO_TCP;
	q.k[1].family = FLOW_FAM_IPV4;      /* bytes past an IPv4 address */
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), -1);
	q.k[1].family = FLOW_FAM_IPV6;
	q.k[1].zone = 9;                    /* any zone */
	assert_int_equal(check_payload(MSG_CTL_REFRESH, &q, sizeof(q),
				       catalogue_check), 0);
}

static void test_check_replay(void **state)
{
	struct msg_replay_ctl c = { .op = REPLAY_OP_PAUSE };
	struct msg_replay_state st = { .real_ns = 1, .frame = 2, .frames = 2,
				       .speed = REPLAY_SPEED_ONE,
				       .flags = REPLAY_F_ALL };

	(void)state;
	for (c.op = REPLAY_OP_PAUSE; c.op <= REPLAY_OP_LAST; c.op++)
		assert_int_equal(check_payload(MSG_CTL_REPLAY, &c, sizeof(c),
					       catalogue_check), 0);
	assert_int_equal(check_payload(MSG_CTL_REPLAY, &c, sizeof(c),
				       catalogue_check), -1);
	c.op = 0;
	assert_int_equal(check_payload(MSG_CTL_REPLAY, &c, sizeof(c),
				       catalogue_check), -1);
	c.op = REPLAY_OP_STEP;
	c.reserved = 1;
	assert_int_equal(check_payload(MSG_CTL_REPLAY, &c, sizeof(c),
				       catalogue_check), -1);
	assert_int_equal(check_payload(MSG_REPLAY_STATE, &st, sizeof(st),
				       catalogue_check), 0);
	st.speed = REPLAY_SPEED_MAX + 1;
	assert_int_equal(check_payload(MSG_REPLAY_STATE, &st, sizeof(st),
				       catalogue_check), -1);
	st.speed = 0;
	assert_int_equal(check_payload(MSG_REPLAY_STATE, &st, sizeof(st),
				       catalogue_check), -1);
	st.speed = REPLAY_SPEED_MIN;
	st.flags = 4;
	assert_int_equal(check_payload(MSG_REPLAY_STATE, &st, sizeof(st),
				       catalogue_check), -1);
	st.flags = 0;
	st.frame = 3;
	assert_int_equal(check_payload(MSG_REPLAY_STATE, &st, sizeof(st),
				       catalogue_check), -1);
}

static void test_check_res_info(void **state)
{
	struct msg_res_info ri = { .geo_dbs = 3, .flags = RES_INFO_DNS };

	(void)state;
	assert_int_equal(check_payload(MSG_RES_INFO, &ri, sizeof(ri),
				       catalogue_check), 0);
	ri.geo_dbs = MSG_GEO_DBS_MAX + 1;
	assert_int_equal(check_payload(MSG_RES_INFO, &ri, sizeof(ri),
				       catalogue_check), -1);
	ri.geo_dbs = 0;
	ri.flags = 2;
	assert_int_equal(check_payload(MSG_RES_INFO, &ri, sizeof(ri),
				       catalogue_check), -1);
}

static void test_check_sync(void **state)
{
	static const uint32_t types[] = { MSG_SYNC_REQ, MSG_SYNC_ANS };
	struct msg_sync y;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(types); i++) {
		y.screen = 0;
		assert_int_equal(check_payload(types[i], &y, sizeof(y),
					       catalogue_check), 0);
		y.screen = 1;
		assert_int_equal(check_payload(types[i], &y, sizeof(y),
					       catalogue_check), 0);
		y.screen = 2;
		assert_int_equal(check_payload(types[i], &y, sizeof(y),
					       catalogue_check), -1);
		y.screen = 0xffffffffu;
		assert_int_equal(check_payload(types[i], &y, sizeof(y),
					       catalogue_check), -1);
	}
}

/* ---- channels over real sockets -------------------------------------- */

struct pair {
	struct msg_chan *a;    /* receives dir_a, sends dir_b */
	struct msg_chan *b;    /* receives dir_b, sends dir_a */
};

static void pair_open(struct pair *p, uint32_t dir_a, uint32_t dir_b)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	p->a = calloc(1, sizeof(*p->a));
	p->b = calloc(1, sizeof(*p->b));
	assert_non_null(p->a);
	assert_non_null(p->b);
	msg_chan_init(p->a, sv[0], dir_a, dir_b, "b");
	msg_chan_init(p->b, sv[1], dir_b, dir_a, "a");
}

/* ui end (a) and collector end (b). */
static void pair_ui_col(struct pair *p)
{
	pair_open(p, MSG_DIR_COL_UI, MSG_DIR_UI_COL);
}

static void pair_close(struct pair *p)
{
	if (p->a->fd >= 0)
		close(p->a->fd);
	if (p->b->fd >= 0)
		close(p->b->fd);
	free(p->a);
	free(p->b);
}

/* Nothing is waiting on fd. */
static void assert_nothing_queued(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT);

	assert_int_equal(r, -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void raw_send(int fd, const void *buf, size_t n)
{
	ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);

	assert_int_equal(r, (ssize_t)n);
}

/* Receive on c and insist on a refusal with a reason. */
static void expect_recv_refused(struct msg_chan *c)
{
	struct msg m;
	const char *why = NULL;

	assert_int_equal(msg_recv(c, &m, &why), -1);
	assert_non_null(why);
	assert_true(why[0] != '\0');
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The number the kernel gives the next descriptor it installs. */
static int next_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void assert_fd_closed(int fd)
{
	errno = 0;
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* sendmsg by hand: n bytes of dgram plus nfds descriptors in SCM_RIGHTS. */
static void raw_send_fds(int sock, size_t n, const int *fds, size_t nfds)
{
	struct iovec iov = { .iov_base = dgram, .iov_len = n };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} cm;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = CMSG_SPACE(sizeof(int) * nfds),
	};
	struct cmsghdr *ch;

	assert_true(nfds >= 1 && nfds <= 8);
	memset(&cm, 0, sizeof(cm));
	ch = CMSG_FIRSTHDR(&mh);
	ch->cmsg_level = SOL_SOCKET;
	ch->cmsg_type = SCM_RIGHTS;
	ch->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(ch), fds, sizeof(int) * nfds);
	assert_int_equal(sendmsg(sock, &mh, MSG_NOSIGNAL), (ssize_t)n);
}

static void test_send_refuses_wrong_direction(void **state)
{
	struct pair p;
	struct msg_hello h = { MSG_PROTO_VERSION, 1000 };
	struct msg_filter f = { SEL_TCP };
	uint64_t cookie = 42;

	(void)state;
	pair_ui_col(&p);
	/* The ui end (sends UI_COL) may not send what the collector sends. */
	errno = 0;
	assert_int_equal(msg_send(p.a, MSG_HELLO, &h, sizeof(h)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(msg_send(p.a, MSG_PING, &cookie, sizeof(cookie)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(msg_send(p.a, MSG_PONG, &cookie, sizeof(cookie)), -1);
	assert_int_equal(errno, EINVAL);
	/* The collector end may not send a filter. */
	errno = 0;
	assert_int_equal(msg_send(p.b, MSG_CTL_FILTER, &f, sizeof(f)), -1);
	assert_int_equal(errno, EINVAL);
	/* Unknown types. */
	errno = 0;
	assert_int_equal(msg_send(p.b, MSG_NONE, NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(msg_send(p.b, MSG_TYPE_COUNT, &h, sizeof(h)), -1);
	assert_int_equal(errno, EINVAL);
	/* Nothing reached either end. */
	assert_nothing_queued(p.a->fd);
	assert_nothing_queued(p.b->fd);

	/* Each type on each direction that may not carry it. */
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++)
		for (size_t d = 0; d < ARRAY_LEN(all_dirs); d++) {
			const struct expect *e = &catalogue[i];

			if (all_dirs[d] == e->dir)
				continue;
			p.b->tx_dir = all_dirs[d];
			memset(dgram, 0, e->min_len);
			errno = 0;
			assert_int_equal(msg_send(p.b, e->type, dgram,
						  e->min_len), -1);
			assert_int_equal(errno, EINVAL);
		}
	assert_nothing_queued(p.a->fd);
	pair_close(&p);
}

static void test_send_refuses_bad_length(void **state)
{
	struct pair p;

	(void)state;
	pair_ui_col(&p);
	memset(dgram, 0, sizeof(dgram));
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++) {
		const struct expect *e = &catalogue[i];
		uint32_t lens[16];
		size_t nl = invalid_lens(e, lens);

		p.b->tx_dir = e->dir;
		for (size_t j = 0; j < nl; j++) {
			errno = 0;
			assert_int_equal(msg_send(p.b, e->type, dgram, lens[j]), -1);
			assert_int_equal(errno, EINVAL);
		}
	}
	assert_nothing_queued(p.a->fd);
	pair_close(&p);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void test_send_to_closed_peer(void **state)
{
	struct pair p;
	uint64_t cookie = 7;

	struct sigaction sa, old;
	int err, r;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigpipe;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGPIPE, &sa, &old), 0);
	sigpipes = 0;

	pair_open(&p, MSG_DIR_RES_UI, MSG_DIR_UI_RES);
	close(p.b->fd);
	p.b->fd = -1;
	/* EPIPE, and no SIGPIPE (which would kill a role). */
	errno = 0;
	r = msg_send(p.a, MSG_PING, &cookie, sizeof(cookie));
	err = errno;
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
	assert_int_equal(r, -1);
	assert_int_equal(err, EPIPE);
	assert_int_equal(sigpipes, 0);
	pair_close(&p);
}

static void test_roundtrip_hello(void **state)
{
	struct pair p;
	struct msg_hello h = { MSG_PROTO_VERSION, 250 }, got;
	struct msg m;
	const char *why = NULL;

	(void)state;
	pair_ui_col(&p);
	assert_int_equal(msg_send(p.b, MSG_HELLO, &h, sizeof(h)), 0);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_HELLO);
	assert_int_equal(m.len, sizeof(h));
	assert_ptr_equal(m.payload, p.a->buf + HDR);
	memcpy(&got, m.payload, sizeof(got));
	assert_int_equal(got.version, MSG_PROTO_VERSION);
	assert_int_equal(got.interval_ms, 250);
	assert_int_equal(catalogue_check(&m, &why), 0);
	assert_nothing_queued(p.a->fd);
	pair_close(&p);
}

static void fill_record(struct flow_wire *r, uint32_t i)
{
	memset(r, 0, sizeof(*r));
	r->orig_bytes = 1000u + i;
	r->orig_packets = i;
	r->reply_bytes = 0x1122334455667788ull ^ i;
	r->reply_packets = 3u * i;
	r->start_ns = 1700000000000000000ull + i;
	r->id = 0x10000u + i;
	r->pid = i % 7 ? 100u + i : 0;
	r->family = FLOW_FAM_IPV4;
	r->src[0] = 10;
	r->src[3] = (uint8_t)i;
	r->dst[0] = 192;
	r->dst[3] = (uint8_t)(i >> 8);
	r->sport = (uint16_t)(40000u + i);
	r->dport = 443;
	r->event = FLOW_EV_DUMP;
	r->l4proto = IPPROTO_TCP;
	r->state = 3; /* ESTABLISHED */
	snprintf(r->comm, sizeof(r->comm), "proc%u", (unsigned)i);
}

static void test_roundtrip_flows_max(void **state)
{
	static struct flow_wire batch[FLOWS_MAX_RECS + 1];
	struct pair p;
	struct msg m;
	const char *why = NULL;

	(void)state;
	for (uint32_t i = 0; i < FLOWS_MAX_RECS + 1; i++)
		fill_record(&batch[i], i);
	pair_ui_col(&p);

	/* One record more than the maximum is refused by the sender. */
	errno = 0;
	assert_int_equal(msg_send(p.b, MSG_FLOWS, batch,
				  (FLOWS_MAX_RECS + 1) * FW), -1);
	assert_int_equal(errno, EINVAL);

	assert_int_equal(msg_send(p.b, MSG_FLOWS, batch, FLOWS_MAX_BYTES), 0);
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_FLOWS);
	assert_int_equal(m.len, FLOWS_MAX_BYTES);
	assert_memory_equal(m.payload, batch, FLOWS_MAX_BYTES);
	for (uint32_t i = 0; i < m.len / FW; i++) {
		struct flow_wire r;

		memcpy(&r, (const unsigned char *)m.payload + i * FW, sizeof(r));
		assert_int_equal(flow_wire_check(&r, &why), 0);
		assert_int_equal(r.id, 0x10000u + i);
	}

	/* A single record too. */
	assert_int_equal(msg_send(p.b, MSG_FLOWS, &batch[5], FW), 0);
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_FLOWS);
	assert_int_equal(m.len, FW);
	assert_memory_equal(m.payload, &batch[5], FW);
	assert_nothing_queued(p.a->fd);
	pair_close(&p);
}

static void test_roundtrip_ping_pong(void **state)
{
	struct pair p;   /* a: ui (receives RES_UI), b: resolver */
	uint64_t cookie = 0xdeadbeefcafef00dull, got;
	struct msg m;
	const char *why = NULL;

	(void)state;
	pair_open(&p, MSG_DIR_RES_UI, MSG_DIR_UI_RES);
	assert_int_equal(msg_send(p.a, MSG_PING, &cookie, sizeof(cookie)), 0);
	assert_int_equal(msg_recv(p.b, &m, &why), 1);
	assert_int_equal(m.type, MSG_PING);
	assert_int_equal(m.len, sizeof(cookie));
	memcpy(&got, m.payload, sizeof(got));
	assert_true(got == cookie);

	assert_int_equal(msg_send(p.b, MSG_PONG, &got, sizeof(got)), 0);
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_PONG);
	memcpy(&got, m.payload, sizeof(got));
	assert_true(got == cookie);

	/* A ui that misbehaves and sends a PONG: the resolver end, which
	 * receives only UI_RES, refuses it. */
	p.a->tx_dir = MSG_DIR_RES_UI;
	assert_int_equal(msg_send(p.a, MSG_PONG, &cookie, sizeof(cookie)), 0);
	expect_recv_refused(p.b);
	pair_close(&p);
}

static void test_roundtrip_in_order(void **state)
{
	struct pair p;
	struct msg_dump_mark mark = { 1, 2, 3, DUMP_PERIODIC, 1000, 0, 0, 0, 0 }, got;
	struct flow_wire r;
	struct msg m;
	const char *why = NULL;

	(void)state;
	fill_record(&r, 9);
	pair_ui_col(&p);
	assert_int_equal(msg_send(p.b, MSG_DUMP_BEGIN, &mark, sizeof(mark)), 0);
	assert_int_equal(msg_send(p.b, MSG_FLOWS, &r, sizeof(r)), 0);
	mark.seq = 2;
	assert_int_equal(msg_send(p.b, MSG_DUMP_END, &mark, sizeof(mark)), 0);

	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_DUMP_BEGIN);
	memcpy(&got, m.payload, sizeof(got));
	assert_true(got.seq == 1 && got.mono_ns == 2 && got.real_ns == 3);
	assert_int_equal(got.kind, DUMP_PERIODIC);
	assert_int_equal(catalogue_check(&m, &why), 0);
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_FLOWS);
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_DUMP_END);
	memcpy(&got, m.payload, sizeof(got));
	assert_true(got.seq == 2);
	pair_close(&p);
}

static void test_recv_eof(void **state)
{
	struct pair p;
	struct msg m;
	const char *why = NULL;

	(void)state;
	pair_ui_col(&p);
	close(p.b->fd);
	p.b->fd = -1;
	assert_int_equal(msg_recv(p.a, &m, &why), 0);
	assert_int_equal(msg_recv_nb(p.a, &m, &why), 0);
	pair_close(&p);
}

static void test_recv_eof_after_data(void **state)
{
	struct pair p;
	struct msg_hello h = { MSG_PROTO_VERSION, 1000 };
	struct msg m;
	const char *why = NULL;

	(void)state;
	pair_ui_col(&p);
	assert_int_equal(msg_send(p.b, MSG_HELLO, &h, sizeof(h)), 0);
	close(p.b->fd);
	p.b->fd = -1;
	/* What was sent before the close still arrives, then EOF. */
	assert_int_equal(msg_recv(p.a, &m, &why), 1);
	assert_int_equal(m.type, MSG_HELLO);
	assert_int_equal(msg_recv(p.a, &m, &why), 0);
	pair_close(&p);
}

static void test_recv_nb(void **state)
{
	struct pair p;
	uint64_t cookie = 5;
	struct msg m;
	const char *why = NULL;

	(void)state;
	pair_open(&p, MSG_DIR_RES_UI, MSG_DIR_UI_RES);
	assert_int_equal(msg_recv_nb(p.b, &m, &why), -2);
	assert_int_equal(msg_send(p.a, MSG_PING, &cookie, sizeof(cookie)), 0);
	assert_int_equal(msg_recv_nb(p.b, &m, &why), 1);
	assert_int_equal(m.type, MSG_PING);
	assert_int_equal(msg_recv_nb(p.b, &m, &why), -2);

	/* A blocking receive on a socket someone made non-blocking must not
	 * report "nothing queued" as if it were a message or EOF. */
	assert_int_equal(fcntl(p.b->fd, F_SETFL, O_NONBLOCK), 0);
	why = NULL;
	assert_int_equal(msg_recv(p.b, &m, &why), -1);
	assert_non_null(why);
	pair_close(&p);
}

static void test_recv_malformed_raw(void **state)
{
	struct pair p;
	size_t n;

	(void)state;
	pair_ui_col(&p);

	/* A well-formed CTL_FILTER, but the ui end does not receive those. */
	n = build(MSG_CTL_FILTER, sizeof(struct msg_filter), sizeof(struct msg_filter));
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* PING and PONG belong to another channel. */
	n = build(MSG_PING, 8, 8);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* HELLO one byte short, header and datagram agreeing. */
	n = build(MSG_HELLO, 7, 7);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* HELLO whose header lies about the length. */
	n = build(MSG_HELLO, 8, 12);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* A header cut short. */
	n = build(MSG_HELLO, 8, 8);
	raw_send(p.b->fd, dgram, 5);
	expect_recv_refused(p.a);

	/* A FLOWS batch with half a record. */
	n = build(MSG_FLOWS, FW + FW / 2, FW + FW / 2);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* An unknown type. */
	n = build(MSG_TYPE_COUNT, 8, 8);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* Larger than any message: truncated on receive, refused. */
	n = build(MSG_FLOWS, 70000 - HDR, 70000 - HDR);
	assert_int_equal(n, 70000);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* Exactly one byte over the largest datagram. */
	n = build(MSG_FLOWS, MSG_MAX_PAYLOAD + 1, MSG_MAX_PAYLOAD + 1);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* A FLOWS batch of the right size whose record is not a flow: the
	 * content check in the receive path refuses it. */
	n = build(MSG_FLOWS, FW, FW);
	memset(dgram + HDR, 0, FW);
	raw_send(p.b->fd, dgram, n);
	expect_recv_refused(p.a);

	/* After all that, a good message still comes through intact. */
	{
		struct msg_hello h = { MSG_PROTO_VERSION, 1000 };

		n = build(MSG_HELLO, 8, 0);
		memcpy(dgram + HDR, &h, sizeof(h));
		n += sizeof(h);
	}
	raw_send(p.b->fd, dgram, n);
	{
		struct msg m;
		const char *why = NULL;

		assert_int_equal(msg_recv(p.a, &m, &why), 1);
		assert_int_equal(m.type, MSG_HELLO);
		assert_memory_equal(m.payload, dgram + HDR, 8);
	}
	pair_close(&p);
}

/* A descriptor on a message that may not carry one: refused, and the copy
 * the kernel installed in the receiver is closed again. */
static void test_recv_fd_refused_and_closed(void **state)
{
	struct pair p;
	struct msg_hello h = { MSG_PROTO_VERSION, 1000 };
	int passed, expect_fd, before;

	(void)state;
	pair_ui_col(&p);
	passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(passed >= 0);

	build(MSG_HELLO, sizeof(h), 0);
	memcpy(dgram + HDR, &h, sizeof(h));
	raw_send_fds(p.b->fd, HDR + sizeof(h), &passed, 1);

	expect_fd = next_free_fd();
	before = count_fds();
	expect_recv_refused(p.a);
	assert_fd_closed(expect_fd);
	assert_int_equal(count_fds(), before);

	/* The same on the resolver channel with a PING. */
	pair_close(&p);
	pair_open(&p, MSG_DIR_RES_UI, MSG_DIR_UI_RES);
	build(MSG_PING, 8, 8);
	raw_send_fds(p.a->fd, HDR + 8, &passed, 1);
	expect_fd = next_free_fd();
	before = count_fds();
	expect_recv_refused(p.b);
	assert_fd_closed(expect_fd);
	assert_int_equal(count_fds(), before);

	close(passed);
	pair_close(&p);
}

static void test_recv_two_fds_refused_and_closed(void **state)
{
	struct pair p;
	int fds[2], before, first;

	(void)state;
	pair_ui_col(&p);
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fds[0] >= 0 && fds[1] >= 0);

	build(MSG_HELLO, 8, 8);
	memcpy(dgram + HDR, &(struct msg_hello){ MSG_PROTO_VERSION, 1000 }, 8);
	raw_send_fds(p.b->fd, HDR + 8, fds, 2);

	first = next_free_fd();
	before = count_fds();
	expect_recv_refused(p.a);
	assert_int_equal(count_fds(), before);
	assert_fd_closed(first);

	/* Many of them at once, more than the receiver has room for. */
	{
		int many[8];

		for (size_t i = 0; i < ARRAY_LEN(many); i++)
			many[i] = fds[i % 2];
		raw_send_fds(p.b->fd, HDR + 8, many, ARRAY_LEN(many));
		before = count_fds();
		expect_recv_refused(p.a);
		assert_int_equal(count_fds(), before);
	}

	close(fds[0]);
	close(fds[1]);
	pair_close(&p);
}

/* A descriptor with no bytes at all is not an orderly EOF. */
static void test_recv_fd_without_data(void **state)
{
	struct pair p;
	int passed, before;

	(void)state;
	pair_ui_col(&p);
	passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(passed >= 0);
	raw_send_fds(p.b->fd, 0, &passed, 1);
	before = count_fds();
	expect_recv_refused(p.a);
	assert_int_equal(count_fds(), before);
	close(passed);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_matches),
		cmocka_unit_test(test_unknown_spec),
		cmocka_unit_test(test_decode_accepts_own_direction),
		cmocka_unit_test(test_decode_rejects_other_directions),
		cmocka_unit_test(test_decode_rejects_unknown_types),
		cmocka_unit_test(test_decode_rejects_short_header),
		cmocka_unit_test(test_decode_rejects_len_mismatch),
		cmocka_unit_test(test_decode_rejects_bad_lengths),
		cmocka_unit_test(test_decode_flows_bounds),
		cmocka_unit_test(test_decode_reasons_differ),
		cmocka_unit_test(test_decode_runs_content_check),
		cmocka_unit_test(test_check_hello),
		cmocka_unit_test(test_check_dump_mark),
		cmocka_unit_test(test_check_dump_mark_flags),
		cmocka_unit_test(test_check_filter),
		cmocka_unit_test(test_check_cmdline),
		cmocka_unit_test(test_check_owner),
		cmocka_unit_test(test_check_refresh),
		cmocka_unit_test(test_check_res_info),
		cmocka_unit_test(test_check_sync),
		cmocka_unit_test(test_send_refuses_wrong_direction),
		cmocka_unit_test(test_send_refuses_bad_length),
		cmocka_unit_test(test_send_to_closed_peer),
		cmocka_unit_test(test_roundtrip_hello),
		cmocka_unit_test(test_roundtrip_flows_max),
		cmocka_unit_test(test_roundtrip_ping_pong),
		cmocka_unit_test(test_roundtrip_in_order),
		cmocka_unit_test(test_recv_eof),
		cmocka_unit_test(test_recv_eof_after_data),
		cmocka_unit_test(test_check_replay),
		cmocka_unit_test(test_recv_nb),
		cmocka_unit_test(test_recv_malformed_raw),
		cmocka_unit_test(test_recv_fd_refused_and_closed),
		cmocka_unit_test(test_recv_two_fds_refused_and_closed),
		cmocka_unit_test(test_recv_fd_without_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
