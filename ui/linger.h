/* SPDX-License-Identifier: GPL-2.0-only */
/* linger: flows the kernel has closed, kept for a few seconds so the short
 * connections a program opens in the background can still be seen (shown
 * dimmed). A FIFO in closing order: the oldest expire first. */
#ifndef FLOWTOP_LINGER_H
#define FLOWTOP_LINGER_H

#include <stddef.h>
#include <stdint.h>
#include "ui/flow_table.h"

/* Bound on closed flows kept; past it the oldest go early. */
#define LINGER_MAX 65536u

/* Line-aligned, as the table's entries (the screen reads the same lines
 * of each); linger.c allocates them so. */
struct linger_item {
	struct flow_entry e;      /* as it was when it closed */
	uint64_t closed_ns;       /* CLOCK_MONOTONIC */
} __attribute__((aligned(64)));

struct linger_set {
	struct linger_item *items;   /* ring of cap slots */
	size_t head, count, cap;
	uint64_t keep_ns;            /* 0: keep nothing */
	/* Flows needing any of these selection bits (enum flow_sel) that
	 * leave the table did not close: the selection left them out. */
	uint32_t muted_sel;
};

void linger_init(struct linger_set *l, uint64_t keep_ns);
void linger_free(struct linger_set *l);

/* A flow_table_gone_fn: ctx is the linger, now_ns read here. Out of
 * memory, the flow is simply not kept. */
void linger_gone(void *ctx, const struct flow_entry *e);

/* Add e as closed at now_ns (for tests and linger_gone). */
void linger_add(struct linger_set *l, const struct flow_entry *e, uint64_t now_ns);

/* Drop what closed more than keep_ns before now_ns. */
void linger_expire(struct linger_set *l, uint64_t now_ns);

size_t linger_count(const struct linger_set *l);

/* Item i, 0 oldest; NULL past the end. Valid until the next change. */
const struct linger_item *linger_at(const struct linger_set *l, size_t i);

#endif
