/* SPDX-License-Identifier: GPL-2.0-only */
/* track: turn connection tracking on for flowtop's own run (--track).
 *
 * On a host where no firewall rule uses conntrack, the kernel tracks
 * nothing and the table stays empty. track_start() adds one nftables table
 * of flowtop's own, "flowtop_track_<pid>" in the inet family, holding a
 * base chain (output hook, policy accept) with one rule that reads the
 * conntrack state: a ct expression is what makes the kernel start
 * tracking, and a rule that only reads changes no packet's fate. No other
 * table is read or touched.
 *
 * The table carries the "owner" flag (Linux 5.12 and later): the kernel
 * ties it to the netlink socket that made it and deletes it when that
 * socket closes -- when the collector exits, however it exits, SIGKILL
 * included. The socket is kept open for the run and nothing else is
 * sent on it; the children never have it (spawn closes every other fd).
 */
#ifndef FLOWTOP_TRACK_H
#define FLOWTOP_TRACK_H

#include <stddef.h>

struct track;

/* Add the table; NULL with a one-line reason in err on failure. */
struct track *track_start(char *err, size_t errlen);

/* The table's name, for messages. */
const char *track_table(const struct track *t);

/* Close the socket: the kernel deletes the table. */
void track_stop(struct track *t);

#endif
