/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_pump: the sealed exporter's loop (exporter.h says what it does):
 * the ui's messages in, IPFIX out, the templates again on time, the
 * counts back to the ui. */
#ifndef FLOWTOP_IPFIX_IX_PUMP_H
#define FLOWTOP_IPFIX_IX_PUMP_H

#include <stdint.h>

#include "ipfix/ix_enc.h"
#include "ipfix/ix_out.h"

#define IX_TEMPLATE_MS 30000    /* UDP: templates again this often */
#define IX_STATS_MS 500         /* IX_STATS at most this often */
#define IX_DRAIN_MS 1000        /* TCP: the wait for a slow collector, within the
				 * collector's 2 s grace at shutdown */

struct ix_pump {
	int ui;
	struct ix_enc *enc;
	struct ix_out *out;
	uint8_t *buf;           /* one ui message, and a byte to see a
				 * longer one */
	uint64_t total;         /* records the ui sent */
	uint64_t templates_due; /* UDP: CLOCK_MONOTONIC ms */
	uint64_t stats_at;      /* when IX_STATS was last tried */
	struct ix_stats said;   /* what it last said */
};

/* Before the sandbox: the buffer. 0, or -1: out of memory. */
int ix_pump_init(struct ix_pump *p, int ui, struct ix_enc *enc,
		 struct ix_out *out);

/* Until the ui's channel ends. 0, or 1 after a bad message from the ui
 * or a failure of the encoder (said on stderr). */
int ix_pump_run(struct ix_pump *p);

void ix_pump_free(struct ix_pump *p);

#endif
