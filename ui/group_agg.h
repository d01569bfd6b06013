/* SPDX-License-Identifier: GPL-2.0-only */
/* group_agg: the processes tab's totals grouped other than by process:
 * by the user of the local socket, by the owner's systemd unit, or by its
 * container (proc_agg.h has the one row per pid).
 *
 * Which flows count: every flow with a local socket (owner not
 * FLOW_OWNER_NONE), as in the USER column.
 *  - by user: one row per socket uid, named as the USER column names it
 *    (users_show); a hidden owner (another user's process) counts under
 *    its uid, which everyone may see.
 *  - by unit, by container: one row per unit or container text of the
 *    owner record (ui/owners.h). Flows of hidden owners all go to one
 *    row "(hidden)", which tells nothing of them but their number and
 *    bytes; flows whose process is not known (socket found, process not,
 *    or no record of it) to "(unknown)"; a known process outside any unit
 *    to "(no unit)", outside any container to "(host)". When its cgroup
 *    could not be read either is "(unknown)".
 * Those rows are kept apart from names (their kind is part of the key),
 * so no unit or container can pass for one.
 *
 * Units and containers come from cgroup paths, which users can choose
 * (delegated subtrees): the table of rows is hashed with SipHash-1-3
 * under the process key (common/siphash.h).
 */
#ifndef FLOWTOP_GROUP_AGG_H
#define FLOWTOP_GROUP_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/cgroup.h"
#include "ui/flow_table.h"
#include "ui/owners.h"
#include "ui/proc_agg.h"
#include "ui/users.h"

/* What a row of the processes tab stands for; the `g` key cycles. */
enum group_by {
	GROUP_PROCESS, GROUP_USER, GROUP_UNIT, GROUP_CONTAINER, GROUP_BY_COUNT
};

/* A row: a name, or one of the rows that stand for no name. */
enum group_kind {
	GROUP_NAMED, GROUP_HIDDEN, GROUP_UNKNOWN, GROUP_NONE
};

/* The longest label: a unit with its sub-unit. */
#define GROUP_LABEL_LEN CGROUP_UNIT_TEXT_LEN
_Static_assert(GROUP_LABEL_LEN >= CGROUP_CONTAINER_TEXT_LEN &&
	       GROUP_LABEL_LEN > USERS_NAME_MAX, "GROUP_LABEL_LEN too small");

struct group_agg {
	struct proc_agg sum;    /* flows, bytes, rates (pid 0, comm "") */
	uint64_t ident;         /* the row across rebuilds: uid, or label */
	uint32_t uid;           /* by user */
	uint8_t kind;           /* enum group_kind */
	char label[GROUP_LABEL_LEN];   /* as shown: raw bytes, escape to draw */
};

/* The rows of t grouped by `by` (not GROUP_PROCESS), sorted by bytes both
 * ways descending, then label. owners and users may be NULL (no records:
 * every process "(unknown)"; uids as numbers). *out is malloc'ed (free
 * it); returns the count, or (size_t)-1 when out of memory. */
size_t group_agg_build(const struct flow_table *t, const struct owners *o,
		       const struct users *u, enum group_by by,
		       struct group_agg **out);

/* "process", "user", "unit", "container"; plural: "processes", ... */
const char *group_by_name(enum group_by by, int plural);

#endif
