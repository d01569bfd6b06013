/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_enc: the ui's records encoded as IPFIX messages (ix_model.h says
 * what a record holds), by libfixbuf, which never touches a descriptor
 * here: its exporter is a buffer (fbExporterAllocBuffer, manual mode),
 * and each message it completes goes to the caller's sink, which sends
 * it. So all of libfixbuf's set-up runs before the sandbox and nothing
 * of it needs a syscall after.
 *
 * A message is completed when the next record does not fit, when the
 * templates are to go (always in a message of their own), and at
 * ix_enc_flush(). libfixbuf numbers the data records in the message
 * headers (the sequence number), sent or not, so a collector sees a
 * message that never arrived as a gap.
 */
#ifndef FLOWTOP_IPFIX_IX_ENC_H
#define FLOWTOP_IPFIX_IX_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/ipfix_wire.h"

#define IX_MTU_UDP 1420         /* a datagram no path fragments */
#define IX_MTU_TCP 8192         /* libfixbuf's own; nfacctd reads 10000 */

/* A completed message: msg[0..len) holding records data records (0 for
 * templates), valid until the next call into the encoder. */
typedef void (*ix_sink_fn)(void *arg, const uint8_t *msg, size_t len,
			   unsigned records);

struct ix_enc;

/* An encoder of messages of at most mtu bytes, observation domain 0,
 * handing them to sink(arg, ...). NULL with a one-line reason in err. */
struct ix_enc *ix_enc_new(uint16_t mtu, ix_sink_fn sink, void *arg,
			  char *err, size_t errlen);

/* Append the record r with its strings (as ix_msg_rec gives them),
 * completing the open message first when it is full. 0, or -1 with
 * ix_enc_error() saying why (libfixbuf refused: a bug, not the data's
 * fault, once ix_msg_check has passed it). */
int ix_enc_add(struct ix_enc *e, const struct ix_rec *r, const char *strings);

/* Complete the open message, if any. 0 or -1. */
int ix_enc_flush(struct ix_enc *e);

/* Complete the open message, then send both templates in one of their
 * own. 0 or -1. */
int ix_enc_templates(struct ix_enc *e);

const char *ix_enc_error(const struct ix_enc *e);

void ix_enc_free(struct ix_enc *e);

#endif
