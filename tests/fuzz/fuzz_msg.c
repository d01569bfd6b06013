/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the message decoder (privsep/msg.c): the framing
 * and the content check of every type, as the receive path runs them.
 * What it accepts must hold up: the per-record checks agree, strings end
 * within their fields, names exist for what the ui will print.
 *
 * Input layout:
 *   byte 0   the receiving direction: MSG_DIR_* number (byte % 7), in the
 *            order of enum msg_dir (0 collector->ui, 1 ui->collector,
 *            2 ui->resolver, 3 resolver->ui, 4 fetcher->updater,
 *            5 updater->fetcher, 6 validator->updater)
 *   byte 1   unused (it once said a descriptor came along; no message
 *            carries one now, and the seed corpus keeps the layout)
 *   rest     the datagram, header included
 *
 * The datagram is copied into a heap block of exactly its size, so any
 * read past its end is an AddressSanitizer report, as it would be a read
 * past what recvmsg() returned.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "privsep/msg.h"
#include "privsep/update_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t fuzz_dirs[] = {
	MSG_DIR_COL_UI, MSG_DIR_UI_COL, MSG_DIR_UI_RES,
	MSG_DIR_RES_UI, MSG_DIR_FET_UPD, MSG_DIR_UPD_FET, MSG_DIR_VAL_UPD,
};

/* Keeps the compiler from dropping the reads. */
static volatile size_t fuzz_sink;

/* Each record of a lookup batch through its checker; an accepted one
 * must have its strings terminated within their fields. */
#define FUZZ_RECORDS(m, type, check, strings)				\
	do {								\
		size_t n_ = (m)->len / sizeof(type);			\
		if ((m)->len == 0 || (m)->len % sizeof(type))		\
			abort();					\
		for (size_t i_ = 0; i_ < n_; i_++) {			\
			type r_;					\
			const char *why_ = NULL;			\
			memcpy(&r_, (const unsigned char *)(m)->payload +	\
			       i_ * sizeof(r_), sizeof(r_));		\
			/* msg_decode accepted the batch. */		\
			if (check(&r_, &why_) < 0)			\
				abort();				\
			strings;					\
		}							\
	} while (0)

/* The updater's fixed-size records through their checks. */
#define FUZZ_ONE(m, type, check)					\
	do {								\
		type r_;						\
		const char *why_ = NULL;				\
		if ((m)->len != sizeof(r_))				\
			abort();					\
		memcpy(&r_, (m)->payload, sizeof(r_));			\
		if (check(&r_, &why_) < 0)				\
			abort();					\
	} while (0)

static void fuzz_update(const struct msg *m)
{
	switch (m->type) {
	case MSG_FETCH_REQ:
		FUZZ_ONE(m, struct fetch_req, fetch_req_check);
		break;
	case MSG_FETCH_START:
		FUZZ_ONE(m, struct fetch_start, fetch_start_check);
		break;
	case MSG_FETCH_DONE:
		FUZZ_ONE(m, struct fetch_done, fetch_done_check);
		break;
	case MSG_VAL_RESULT:
		FUZZ_ONE(m, struct val_result, val_result_check);
		break;
	case MSG_FETCH_DATA:
		if (m->len <= sizeof(struct fetch_data_hdr))
			abort();
		break;
	default:
		break;
	}
}

static void fuzz_lookups(const struct msg *m)
{
	switch (m->type) {
	case MSG_LOOKUP_REQ:
		FUZZ_RECORDS(m, struct lookup_req, lookup_req_check, (void)0);
		break;
	case MSG_LOOKUP_ANS:
		FUZZ_RECORDS(m, struct lookup_ans, lookup_ans_check,
			     fuzz_sink += strlen(r_.name) + strlen(r_.country) +
			     strlen(r_.country_name) + strlen(r_.city) +
			     strlen(r_.as_org));
		break;
	case MSG_SERVICE_REQ:
		FUZZ_RECORDS(m, struct service_req, service_req_check, (void)0);
		break;
	case MSG_SERVICE_ANS:
		FUZZ_RECORDS(m, struct service_ans, service_ans_check,
			     fuzz_sink += strlen(r_.name));
		break;
	default:
		break;
	}
}

static void fuzz_flows(const struct msg *m)
{
	size_t n = m->len / sizeof(struct flow_wire);

	for (size_t i = 0; i < n; i++) {
		struct flow_wire r;
		const char *why = NULL;
		const char *name;

		memcpy(&r, (const unsigned char *)m->payload + i * sizeof(r),
		       sizeof(r));
		if (flow_wire_check(&r, &why) < 0)
			abort();   /* msg_decode accepted the batch */
		/* Everything the ui then does with it must hold. */
		name = flow_proto_name(r.l4proto);
		if (!name)
			abort();
		fuzz_sink += strlen(name);
		name = flow_state_name(r.l4proto, r.state);
		if (name)
			fuzz_sink += strlen(name);
		else if (flow_state_count(r.l4proto) != 0)
			abort();   /* a stateful protocol with a nameless state */
		fuzz_sink += strlen(r.comm);
	}
}

/* A CMDLINE_ANS that passed: NUL-terminated text without a control byte. */
static void fuzz_cmdline_ans(const struct msg *m)
{
	const char *text = (const char *)m->payload +
		offsetof(struct msg_cmdline_ans, text);
	size_t tl = strnlen(text, MSG_CMDLINE_LEN);

	if (tl == MSG_CMDLINE_LEN)
		abort();
	for (size_t i = 0; i < tl; i++)
		if ((unsigned char)text[i] < 0x20)
			abort();
}

/* A CTL_REFRESH that passed: whole keys after the flags, each one the
 * collector may put in a conntrack GET as it is. */
static void fuzz_refresh(const struct msg *m)
{
	size_t off = sizeof(struct msg_refresh);

	if (m->len < off || (m->len - off) % sizeof(struct flow_key) ||
	    (m->len - off) / sizeof(struct flow_key) > MSG_REFRESH_MAX)
		abort();
	for (; off < m->len; off += sizeof(struct flow_key)) {
		struct flow_key k;

		memcpy(&k, (const unsigned char *)m->payload + off, sizeof(k));
		if (flow_key_check(&k, NULL) < 0 || !flow_proto_name(k.l4proto))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	const char *why = NULL;
	const struct msg_spec *s;
	unsigned char *dgram;
	uint32_t dir;
	size_t n;
	int r;

	if (size < 2)
		return 0;
	dir = fuzz_dirs[data[0] % (sizeof(fuzz_dirs) / sizeof(fuzz_dirs[0]))];
	n = size - 2;

	dgram = malloc(n ? n : 1);
	if (!dgram)
		return 0;
	memcpy(dgram, data + 2, n);

	memset(&m, 0, sizeof(m));
	r = msg_decode(dir, dgram, n, &m, &why);
	if (r < 0) {
		/* Every refusal has a reason to show. */
		if (!why)
			abort();
		fuzz_sink += strlen(why);
		free(dgram);
		return 0;
	}
	if (r != 0)
		abort();

	/* Accepted: it must be what the catalogue allows on dir, and its
	 * check must say yes again. */
	s = msg_spec(m.type);
	if (!s || !(s->dirs & dir) || !s->check ||
	    m.len != n - sizeof(struct msg_hdr) ||
	    m.len < s->min_len || m.len > s->max_len ||
	    m.payload != dgram + sizeof(struct msg_hdr) || s->check(&m, &why) < 0)
		abort();
	fuzz_sink += strlen(msg_type_name(m.type));

	switch (m.type) {
	case MSG_CMDLINE_ANS:
		fuzz_cmdline_ans(&m);
		break;
	case MSG_CTL_REFRESH:
		fuzz_refresh(&m);
		break;
	case MSG_FLOWS:
		if (m.len == 0 || m.len % sizeof(struct flow_wire))
			abort();
		fuzz_flows(&m);
		break;
	default:
		fuzz_lookups(&m);
		fuzz_update(&m);
		break;
	}
	free(dgram);
	return 0;
}
