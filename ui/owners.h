/* SPDX-License-Identifier: GPL-2.0-only */
/* owners: the processes that own flows, as the collector described them
 * (MSG_OWNER: read when first found), kept after they exit (MSG_OWNERS_GONE
 * marks them) for as long as a flow names them.
 *
 * Keyed by pid: a flow names its owner by pid, and the record for a pid is
 * the last process announced with it. A flow also carries 24 bits of its
 * owner's start time (flow_owner_tag): when the pid was taken by another
 * process while flows of the old one are still listed, those find no
 * record rather than the new process's details.
 */
#ifndef FLOWTOP_UI_OWNERS_H
#define FLOWTOP_UI_OWNERS_H

#include <stddef.h>
#include <stdint.h>

#include "common/cgroup.h"
#include "privsep/flow_wire.h"
#include "privsep/msg.h"

struct ui_owner {
	uint32_t pid;
	uint32_t uid;
	uint64_t start;
	int exited;            /* MSG_OWNERS_GONE named it */
	char comm[16];
	/* Each "" when not known; bytes as the kernel gave them (escape
	 * before drawing). */
	char *cmdline, *exe, *cgroup;
	char netns[MSG_NETNS_LEN];  /* "" the host's (msg_owner) */
	/* Where it runs, for grouping: its container, else "netns:NAME" or
	 * "net:[INODE]", else "" (the host). */
	char where[CGROUP_CONTAINER_TEXT_LEN + MSG_NETNS_LEN + 8];
	char unit[CGROUP_UNIT_TEXT_LEN];           /* cgroup_unit_text */
	char container[CGROUP_CONTAINER_TEXT_LEN]; /* cgroup_container_text */
	uint32_t mark;         /* owners_sweep's */
};

struct owners;

struct owners *owners_new(void);
void owners_free(struct owners *t);

/* The process in m (its check passed): added, or replacing the pid's
 * record. 0, or -1 when out of memory. */
int owners_put(struct owners *t, const struct msg_owner *m);

/* Process (pid, start) has exited; another start is another process. */
void owners_gone(struct owners *t, uint32_t pid, uint64_t start);

/* The record for pid if its start time matches tag (flow_owner_tag of
 * the flow that names it), or NULL. */
const struct ui_owner *owners_get(const struct owners *t, uint32_t pid,
				  uint32_t tag);

/* Forget the exited processes no flow names: owners_keep() every pid the
 * table's flows name, between owners_sweep_begin() and owners_sweep_end(). */
void owners_sweep_begin(struct owners *t);
void owners_keep(struct owners *t, uint32_t pid);
void owners_sweep_end(struct owners *t);

size_t owners_count(const struct owners *t);
/* How many of them have exited (a sweep has nothing to do when none). */
size_t owners_exited(const struct owners *t);

#endif
