/* SPDX-License-Identifier: GPL-2.0-only */
/* untracked: a sign that the kernel tracks nothing which needs no open
 * connection: packets flow while the conntrack table stays empty.
 *
 * What it offers: at each full dump, untracked_sample() reads the network
 * namespace's SNMP counters of the traffic conntrack would track if any
 * firewall rule used it -- TCP segments, UDP and UDP-Lite datagrams, ICMP
 * and ICMPv6 echoes, forwarded packets -- from /proc/net/snmp and
 * /proc/net/snmp6. When their sum rose between two dumps that both found
 * the table empty, packets went by that the kernel did not track (with
 * tracking on, each would have left an entry for tens of seconds). The sign
 * then holds until a dump finds an entry. Neighbour discovery, MLD, IGMP
 * and ICMP errors are not counted: conntrack creates no entry for them even
 * when rules use it, so they would raise the sign on a host that tracks.
 *
 * Under the collector's seccomp filter: untracked_open() opens the
 * directory before confinement; each sample opens the two files read-only
 * relative to it, reads them whole and closes them (openat with read-only
 * flags, read, close: all in the collector's allowlist; no pread or lseek).
 * A host whose table is not empty reads nothing.
 */
#ifndef FLOWTOP_UNTRACKED_H
#define FLOWTOP_UNTRACKED_H

#include <stddef.h>
#include <stdint.h>

/* The collector's own network namespace's counters. */
#define UNTRACKED_PROC_NET "/proc/self/net"

struct untracked {
	int dir_fd;          /* the directory of snmp and snmp6; -1: no sign */
	int have;            /* the last sample read the counters and found
			      * the table empty */
	int on;              /* the sign holds */
	uint64_t packets;    /* the counters' sum at the last sample */
	size_t found;        /* how many counters it added up */
};

/* Open dir (UNTRACKED_PROC_NET; a test's own directory). On failure the
 * sign is simply never given. */
void untracked_open(struct untracked *u, const char *dir);
void untracked_close(struct untracked *u);

/* After a dump that listed entries (whatever the selection): 1 while
 * packets flow untracked (see above), else 0. */
int untracked_sample(struct untracked *u, uint64_t entries);

/* Parsers, exposed for the unit tests. Each adds the counters it knows in
 * text[0..len) to *sum (modulo 2^64: only a change matters) and returns
 * how many it found.
 *   snmp:  pairs of lines "Tcp: InSegs OutSegs ..." / "Tcp: 12 34 ..."
 *   snmp6: lines "Udp6InDatagrams   12" */
size_t untracked_parse_snmp(const char *text, size_t len, uint64_t *sum);
size_t untracked_parse_snmp6(const char *text, size_t len, uint64_t *sum);

#endif
