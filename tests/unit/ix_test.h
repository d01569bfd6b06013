/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_test: what the IPFIX tests share. IX_RECORDS messages built as the
 * ui builds them (privsep/ipfix_wire.h), sample records, a collecting
 * side made of libfixbuf's own decoder (the templates learnt from the
 * messages themselves, the records read into ipfix/ix_model.h's struct),
 * and real loopback sockets to send through. */
#ifndef FLOWTOP_TESTS_UNIT_IX_TEST_H
#define FLOWTOP_TESTS_UNIT_IX_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "ipfix/ix_model.h"
#include "privsep/ipfix_wire.h"

/* A record as a test writes it: the fixed part, its four strings. */
struct ix_trec {
	struct ix_rec r;
	const char *comm, *user, *unit, *container;
};

/* Sample record i of family 4 or 6: every field set, and different
 * from record i + 1's. */
void ix_trec_sample(struct ix_trec *t, uint8_t family, unsigned i);

/* An IX_RECORDS message being built. */
struct ix_tmsg {
	uint8_t buf[IX_MSG_MAX + 1024];
	size_t len;
};

void ix_tmsg_init(struct ix_tmsg *m);

/* Append t, its lengths taken from its strings, and count it in the
 * head. The record's offset. */
size_t ix_tmsg_add(struct ix_tmsg *m, const struct ix_trec *t);

/* A record the decoder read, its strings copied out. */
struct ix_drec {
	struct ix_fb_rec f;
	char comm[IX_COMM_MAX + 1], user[IX_USER_MAX + 1];
	char unit[IX_UNIT_MAX + 1], container[IX_CONTAINER_MAX + 1];
};

/* The collecting side: every record of every message it is given. */
struct ix_dec {
	fbInfoModel_t *model;
	fBuf_t *fbuf;
	struct ix_drec *rec;
	size_t n, cap;
	size_t messages;
	uint32_t next_seq;      /* the sequence number the next data
				 * message should carry */
	int seq_gaps;
};

void ix_dec_init(struct ix_dec *d);

/* Decode one whole message (asserts it is one: version 10, its length
 * len). */
void ix_dec_msg(struct ix_dec *d, const uint8_t *msg, size_t len);

/* Decode a TCP stream's bytes: whole messages, back to back. */
void ix_dec_stream(struct ix_dec *d, const uint8_t *buf, size_t len);

void ix_dec_free(struct ix_dec *d);

/* The decoded record equals what t said. */
void ix_assert_rec(const struct ix_drec *d, const struct ix_trec *t);

/* A socket bound on the loopback (127.0.0.1), SOCK_DGRAM or SOCK_STREAM
 * (listening), and the URL that names it in *url. */
int ix_loopback(int type, char *url, size_t len);

/* Datagrams that arrive within ms of each other, decoded; their count. */
size_t ix_collect_udp(int fd, struct ix_dec *d, int ms);

/* What arrives on a stream until it is quiet for ms, decoded. */
size_t ix_collect_tcp(int fd, struct ix_dec *d, int ms);

/* The external template tid as sent in a template message: its
 * elements' (pen, id, length), n of them at most; how many there are. */
struct ix_tfield {
	uint32_t pen;
	uint16_t id, len;
};
size_t ix_template_fields(const uint8_t *msg, size_t len, uint16_t tid,
			  struct ix_tfield *f, size_t n);

#endif
