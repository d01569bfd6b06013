/* SPDX-License-Identifier: GPL-2.0-only */
/* proc_agg: per-process totals of the flow table, for the processes view:
 * how many flows each process owns, bytes and rates each way. */
#ifndef FLOWTOP_PROC_AGG_H
#define FLOWTOP_PROC_AGG_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/flow_wire.h"
#include "ui/flow_table.h"

struct proc_agg {
	uint32_t pid;
	char comm[FLOW_COMM_LEN];
	uint32_t flows;
	uint64_t orig_bytes, reply_bytes;
	double orig_rate, reply_rate;   /* bytes/s, summed over its flows */
};

/* Totals of every process that owns a flow in t, sorted by bytes both ways
 * descending, then pid. *out is malloc'ed (free it); returns the count, or
 * (size_t)-1 when out of memory. Flows without an owner are not counted. */
size_t proc_agg_build(const struct flow_table *t, struct proc_agg **out);

/* Add flow e to p's totals (flows, bytes, rates); the processes tab's
 * other groupings (group_agg.h) sum the same way. */
void proc_agg_add(struct proc_agg *p, const struct flow_entry *e);

#endif
