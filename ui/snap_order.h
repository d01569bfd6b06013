/* SPDX-License-Identifier: GPL-2.0-only */
/* snap_order: every flow of the table in the order of a batch snapshot,
 * the order of flow_table_sorted (total bytes, orig + reply, saturated,
 * descending; then id ascending), found by a radix sort of compact keys.
 * A qsort of pointers into the table (a cache miss a compare) was a
 * tenth of a --once run at 250k flows. */
#ifndef FLOWTOP_SNAP_ORDER_H
#define FLOWTOP_SNAP_ORDER_H

#include <stddef.h>
#include "ui/flow_table.h"

/* Fill out (room for flow_table_count(t) pointers) with every entry of t
 * in that order. The keys live in memory mapped for the call and given
 * back before it returns: 32 bytes a flow, not kept between snapshots.
 * Returns the count, or -1 when that memory could not be had (errno). */
long snap_order(const struct flow_table *t, const struct flow_entry **out);

#endif
