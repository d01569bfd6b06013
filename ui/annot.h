/* SPDX-License-Identifier: GPL-2.0-only */
/* annot: what the resolver has told the ui about addresses (host name,
 * country, city, AS) and ports (service names).
 *
 * The ui says which addresses and ports it is about to show (annots_want*);
 * those it has not asked about yet are queued and sent in batches. Answers
 * are merged as they come; an answer for something never asked is ignored,
 * so a misbehaving resolver cannot grow the table. The table is bounded:
 * past ANNOT_MAX addresses it starts over.
 */
#ifndef FLOWTOP_ANNOT_H
#define FLOWTOP_ANNOT_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/msg.h"
#include "ui/print.h"

#define ANNOT_MAX (1u << 20)

struct annots;

/* parts: the LOOKUP_DNS / LOOKUP_GEO bits to ask for (0: ask nothing);
 * services: whether to ask for service names. */
struct annots *annots_new(uint8_t parts, int services);
void annots_free(struct annots *a);

void annots_want(struct annots *a, uint8_t family, const uint8_t *addr);
void annots_want_service(struct annots *a, uint8_t l4proto, uint16_t port);

/* Send what is queued, as far as a window of unanswered questions allows
 * (the rest goes as answers come in, from annots_apply, to the same res).
 * 0, or -1 with errno from msg_send (also one that failed in
 * annots_apply). */
int annots_send(struct annots *a, struct msg_chan *res);

/* Merge a LOOKUP_ANS or SERVICE_ANS message (checked by msg_decode), then
 * send the questions the window has room for again. */
void annots_apply(struct annots *a, const struct msg *m);

/* Changes each time the table starts over (past ANNOT_MAX): what was
 * asked before must be asked again. */
uint64_t annots_generation(const struct annots *a);

/* Questions asked and not answered yet. */
size_t annots_outstanding(const struct annots *a);

/* print_annot_fn and print_service_fn over an annots (ctx). */
void annots_get(void *ctx, uint8_t family, const uint8_t *addr,
		struct print_annot *out);
const char *annots_service(void *ctx, uint8_t l4proto, uint16_t port);

#endif
