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
 * asked before must be asked again. Never the same for two tables of the
 * process, either. */
uint64_t annots_generation(const struct annots *a);

/* Questions asked and not answered yet. */
size_t annots_outstanding(const struct annots *a);

/* An address's slot: a number below annots_slots() that stands for it
 * until annots_generation() changes (the table never drops one address
 * alone), or ANNOT_NONE when it was never asked about. One probe of the
 * table; annots_slot_get then reads what is known of it without another,
 * so a caller that works something out once per address (the screen's
 * filter and sort) can remember it by slot. The strings stay valid until
 * the generation changes. */
#define ANNOT_NONE UINT32_MAX
uint32_t annots_slot(const struct annots *a, uint8_t family,
		     const uint8_t *addr);
size_t annots_slots(const struct annots *a);
/* annots_slot in three steps, for a caller that looks many addresses up
 * and can start each a while before it needs it: a probe misses the cache
 * twice (the index, then the address), which the first two steps ask for
 * ahead. hint: the address's hash, its index line fetched; warm (later):
 * the first address it may be fetched; slot_h (later still): the slot. */
uint32_t annots_slot_hint(const struct annots *a, uint8_t family,
			  const uint8_t *addr);
void annots_slot_warm(const struct annots *a, uint32_t h);
uint32_t annots_slot_h(const struct annots *a, uint8_t family,
		       const uint8_t *addr, uint32_t h);
void annots_slot_get(const struct annots *a, uint32_t slot,
		     struct print_annot *out);

/* Whether the resolver has answered the parts (LOOKUP_DNS, LOOKUP_GEO)
 * of the address that were asked: 1, or 0 when it was not asked yet or
 * is still being looked up. */
int annots_answered(const struct annots *a, uint8_t family,
		    const uint8_t *addr, uint8_t parts);

/* Call fn on the slot of every address answered since the last call, or
 * once with ANNOT_NONE when that is not known (the first call, a
 * start-over, too many answers in between): then every slot may have
 * changed. For one caller that keeps what it worked out per slot across
 * rebuilds (the screen's view). */
typedef void (*annots_changed_fn)(void *ctx, uint32_t slot);
void annots_each_changed(struct annots *a, annots_changed_fn fn, void *ctx);

/* print_annot_fn and print_service_fn over an annots (ctx). */
void annots_get(void *ctx, uint8_t family, const uint8_t *addr,
		struct print_annot *out);
const char *annots_service(void *ctx, uint8_t l4proto, uint16_t port);

#endif
