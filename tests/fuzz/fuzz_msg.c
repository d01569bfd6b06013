/* libFuzzer target for the message decoder (privsep/msg.c) and the checks
 * every receiver runs on a decoded message's payload.
 *
 * Input layout:
 *   byte 0   the receiving direction: MSG_DIR_* number (byte % 7), in the
 *            order of enum msg_dir (0 collector->ui, 1 ui->collector,
 *            2 ui->resolver, 3 resolver->ui, 4 fetcher->updater,
 *            5 updater->fetcher, 6 validator->updater)
 *   byte 1   bit 0: a file descriptor came with the datagram
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
			if (check(&r_, &why_) < 0) {			\
				if (!why_)				\
					abort();			\
				continue;				\
			}						\
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
		if (check(&r_, &why_) < 0 && !why_)			\
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
		if (flow_wire_check(&r, &why) < 0) {
			if (!why)
				abort();
			fuzz_sink += strlen(why);
			continue;
		}
		/* Accepted: everything the ui then does with it must hold. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m;
	const char *why = NULL;
	unsigned char *dgram;
	uint32_t dir;
	int has_fd, r;
	size_t n;

	if (size < 2)
		return 0;
	dir = fuzz_dirs[data[0] % (sizeof(fuzz_dirs) / sizeof(fuzz_dirs[0]))];
	has_fd = data[1] & 1;
	n = size - 2;

	dgram = malloc(n ? n : 1);
	if (!dgram)
		return 0;
	memcpy(dgram, data + 2, n);

	memset(&m, 0, sizeof(m));
	r = msg_decode(dir, dgram, n, has_fd, &m, &why);
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

	/* Accepted: it must be what the catalogue allows on dir. */
	{
		const struct msg_spec *s = msg_spec(m.type);

		if (!s || !(s->dirs & dir) || has_fd > s->fd_allowed ||
		    m.len != n - sizeof(struct msg_hdr) ||
		    m.len < s->min_len || m.len > s->max_len ||
		    m.payload != dgram + sizeof(struct msg_hdr) || m.fd != -1)
			abort();
		fuzz_sink += strlen(msg_type_name(m.type));
	}

	switch (m.type) {
	case MSG_HELLO:
		why = NULL;
		if (msg_check_hello(&m, &why) < 0 && !why)
			abort();
		break;
	case MSG_DUMP_BEGIN:
	case MSG_DUMP_END:
		why = NULL;
		if (msg_check_dump_mark(&m, &why) < 0 && !why)
			abort();
		break;
	case MSG_CTL_FILTER:
		why = NULL;
		if (msg_check_filter(&m, &why) < 0 && !why)
			abort();
		break;
	case MSG_CMDLINE_REQ:
		why = NULL;
		if (msg_check_cmdline_req(&m, &why) < 0 && !why)
			abort();
		break;
	case MSG_CMDLINE_ANS:
		why = NULL;
		if (msg_check_cmdline_ans(&m, &why) < 0) {
			if (!why)
				abort();
			break;
		}
		/* Accepted: NUL-terminated text without a control byte. */
		{
			const char *text = (const char *)m.payload +
				offsetof(struct msg_cmdline_ans, text);
			size_t tl = strnlen(text, MSG_CMDLINE_LEN);

			if (tl == MSG_CMDLINE_LEN)
				abort();
			for (size_t i = 0; i < tl; i++)
				if ((unsigned char)text[i] < 0x20)
					abort();
		}
		break;
	case MSG_RES_INFO:
		why = NULL;
		if (msg_check_res_info(&m, &why) < 0 && !why)
			abort();
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
