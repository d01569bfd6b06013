/* SPDX-License-Identifier: GPL-2.0-only */
/* procmap: which process owns the socket at this host's end of a flow.
 *
 * Sockets come from the kernel's socket diagnostics (NETLINK_SOCK_DIAG,
 * inet_diag) for TCP, UDP and UDP-Lite, and from /proc/net/icmp and
 * /proc/net/icmp6 for ping sockets (inet_diag lists no ping sockets: asked
 * for IPPROTO_ICMP it answers with an empty dump). Each gives the full
 * tuple and the socket's inode; the owner of an inode is found by reading
 * the links in /proc/PID/fd ("socket:[N]"), its comm and start time in
 * /proc/PID/stat.
 *
 * A flow matches a socket on the full tuple, never on a port alone:
 *   1. a connected socket whose (local, remote) is the flow's original
 *      (src, dst): this host opened the flow;
 *   2. a connected socket whose (local, remote) is the reply direction's
 *      (src, dst) -- the original (dst, src) unless DNAT sent the flow
 *      elsewhere, as a port forward or REDIRECT to a local service does:
 *      this host accepted it (for TCP the accepted socket, never the
 *      listener);
 *   3. UDP, UDP-Lite and ping only, when no connected socket matched: an
 *      unconnected socket bound to the flow's src (then the reply's src)
 *      address and port;
 *   4. as 3, for a socket bound to the wildcard address (0.0.0.0 or ::),
 *      and only when the flow's address on that side is one of this host's
 *      own: a forwarded flow never matches a local wildcard socket that
 *      happens to use the same port.
 * This is the order in which the kernel itself prefers sockets when it
 * delivers a datagram. IPv4 addresses are kept IPv4-mapped (::ffff:a.b.c.d),
 * so a dual-stack IPv6 socket matches IPv4 flows; a wildcard IPv6 socket
 * serves IPv4 flows only without IPV6_V6ONLY. ICMP flows match ping sockets
 * by echo id (the socket's "port"), in the direction this host sent the
 * echo request only.
 *
 * Cost: procmap_refresh() dumps the sockets (one request per protocol and
 * family) and walks /proc only when the dump shows an inode it has not
 * seen before. A new flow between dumps costs one sock_diag request for
 * its exact tuple (procmap_ask, at most 5,000 a second) and a share of
 * one short walk per batch of events (procmap_walk_pending). The cache
 * (inode -> owner) survives across refreshes; an entry goes when its
 * socket leaves the dump. A periodic refresh also
 * rereads /proc/PID/stat of each owner once, so an exited process or a
 * reused PID (other start time) is noticed and its sockets looked up again.
 *
 * What it can't know: a socket handed to another process (fork, SCM_RIGHTS)
 * stays with the process it was found in first, until that one exits;
 * a flow whose socket closed before its NEW event was read (ping: before
 * a refresh saw it) has no owner; one whose process exited before a walk
 * got to it has its socket's uid only.
 *
 * Flows owned by the hidden pid (flowtop's resolver) are reported as
 * PROCMAP_HIDE, and remembered by conntrack id, so they stay hidden after
 * the resolver closed the socket.
 *
 * Who sees which process. The collector reads /proc with CAP_SYS_PTRACE
 * and CAP_DAC_READ_SEARCH, for a caller who may have neither: it must not
 * tell them what /proc would not. A flow's socket uid is always told (the
 * kernel lists it to every user: /proc/net/tcp, ss -e), its process's pid
 * and comm (and command line, procmap_pid_dir) only when the viewer could
 * read that process's /proc entry under any hidepid mode and ptrace rule
 * (procmap_may_see), else the flow is FLOW_OWNER_HIDDEN. The viewer is the
 * collector's real user: the caller of a file-capability or setuid start,
 * root under sudo (root sees every process).
 */
#ifndef FLOWTOP_PROCMAP_H
#define FLOWTOP_PROCMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "privsep/flow_wire.h"

struct procmap;

enum procmap_owner {
	PROCMAP_UNKNOWN = 0,    /* no socket of this host matches */
	PROCMAP_KNOWN = 1,      /* rec->pid and rec->comm set */
	PROCMAP_HIDE = 2,       /* flowtop's own: drop the record */
	/* No socket matches, but an end of the flow is one of this host's
	 * addresses: a socket opened since the last refresh may own it. */
	PROCMAP_UNSEEN = 3,
	/* Another user's process the viewer may not see: rec->uid set,
	 * rec->owner FLOW_OWNER_HIDDEN, no pid, no comm. */
	PROCMAP_OTHERS = 4,
};

enum procmap_refresh_kind {
	/* Before each periodic dump: always runs; also rechecks owners and
	 * forgets hidden flows no longer seen. */
	PROCMAP_PERIODIC,
	/* On demand (a NEW event with an unknown tuple, a resync): runs at
	 * most a few times per second, skipped otherwise. */
	PROCMAP_ON_DEMAND,
};

/* Open the netlink sockets (sock_diag, rtnetlink for the local addresses)
 * and /proc; call before the collector confines itself. NULL with a
 * message in err on failure. */
struct procmap *procmap_open(char *err, size_t errlen);
void procmap_close(struct procmap *m);

/* The channel to the namespace helper (nsdiag/nsdiag.h), -1 for none:
 * with it, a namespace a flow names gets a sock_diag socket of its own,
 * and its new flows are asked of the kernel by exact tuple, as this
 * namespace's are, instead of read from its /proc/PID/net tables. */
void procmap_set_ns_helper(struct procmap *m, int chan);

/* Flows whose socket belongs to pid are PROCMAP_HIDE from now on. */
void procmap_set_hidden_pid(struct procmap *m, pid_t pid);

/* Bring the socket table and the owners up to date. l4proto, for an
 * on-demand refresh, limits the dump to that protocol (0: all). Returns 1
 * if it ran, 0 if an on-demand refresh was skipped by the rate limit,
 * -1 on an error (the cache stays as it was). */
int procmap_refresh(struct procmap *m, enum procmap_refresh_kind kind,
		    uint8_t l4proto);

/* Who looks: processes are shown to uid/gid as procmap_may_see() rules
 * (uid 0: all of them). procmap_open*() start with the real uid and gid of
 * the calling process. Applies from the next refresh on. */
void procmap_set_viewer(struct procmap *m, uint32_t uid, uint32_t gid);

/* Set rec->uid, rec->owner and, where the viewer may see it, rec->pid and
 * rec->comm from the cache; enum procmap_owner. */
int procmap_fill(struct procmap *m, struct flow_wire *rec);

/* A NEW flow that procmap_fill found PROCMAP_UNSEEN: ask the kernel for
 * the socket of its exact tuple (sock_diag without a dump, for each side
 * that is this host's), and add it, its owner still to be looked for.
 * TCP, UDP and UDP-Lite only. 1 when a socket was found (call
 * procmap_walk_pending, then procmap_fill again: the uid is known even
 * when the process is gone), 0 when the kernel has none, -1 when it
 * can't be asked (another protocol, no sock_diag): fall back to
 * procmap_refresh. A flow of an address another network namespace holds
 * gets that namespace's table for its protocol read by the next
 * procmap_walk_pending, once for all the flows waiting for it (any
 * protocol; 1). */
int procmap_ask(struct procmap *m, const struct flow_wire *rec);

/* Before procmap_fill, for a NEW flow whose source no namespace known
 * here holds (unless it came in to this namespace's own address), or
 * whose destination DNAT sent to an address none holds: look for
 * network namespaces again (a container just started; at most about once
 * a second). 1 when one of them now holds either address, else 0. */
int procmap_find_ns(struct procmap *m, const struct flow_wire *rec);

/* Read the namespaces' tables procmap_ask asked for, then look for the
 * owners of the sockets procmap_ask added, in one short walk
 * of /proc, oldest first (the first to exit): flowtop's own processes,
 * the pids the walk before did not look at, the pids handed out since
 * (ns_last_pid; pid_max wraps), then the young ones (looked at, alive, no
 * known socket); past PM_PROBE_MAX new pids, the processes started since
 * the last full walk, from a listing of /proc. In each pid the links at
 * the descriptor numbers of the last sockets found are read first (one
 * call each: one program's processes hold theirs at the same numbers);
 * only the pids this leaves are walked in full. A new socket of another
 * process stays pending: procmap_pending() says so, and the next
 * procmap_refresh(PROCMAP_PERIODIC) finds it. */
void procmap_walk_pending(struct procmap *m);
int procmap_pending(const struct procmap *m);
/* Until when (CLOCK_MONOTONIC ms) the batch is best held: a namespace's
 * table that its new flows wait for was read less than a few ms ago
 * (each is read at most once every PM_NS_READ_GAP_NS); 0 for no wait. */
uint64_t procmap_hold_until_ms(const struct procmap *m);
/* An owner procmap_walk_pending found is told of (procmap_news) only once
 * its command line, executable and cgroup are read, which costs more
 * than finding it: that waits, its /proc/PID open (at most 256), while
 * events of more new flows are to be read. Read those of the first max
 * owners waiting; how many still wait. A process that exits before its
 * turn keeps its pid, comm and uid on its flows, without the rest. */
size_t procmap_details(struct procmap *m, size_t max);

/* What the ui is to be told of owners since the last call, before the
 * flows that name them go out: the owners found (procmap_owner.c: each
 * visible owner once, read when first found), then those found gone.
 * Either callback's -1 ends the call with -1; the queues are emptied
 * regardless. */
struct msg_owner;
struct msg_owner_gone;
typedef int (*procmap_gone_fn)(void *ctx, const struct msg_owner_gone *g,
			       size_t n);
typedef int (*procmap_owner_fn)(void *ctx, const struct msg_owner *o);
int procmap_news(struct procmap *m, procmap_gone_fn gone,
		 procmap_owner_fn owner, void *ctx);

/* An open /proc/PID directory of pid, if pid owns a socket procmap knows
 * (the processes flowtop names) and the viewer may see it now (the check
 * is made again, on this descriptor); -1 otherwise. Close it. */
int procmap_pid_dir(struct procmap *m, uint32_t pid);

/* ESTABLISHED TCP sockets (either family) at the last refresh that
 * listed them: with an empty conntrack table, a sign that the kernel
 * tracks nothing here. */
uint32_t procmap_tcp_established(const struct procmap *m);

/* Sockets and owners held, for the status line and benchmarks. */
void procmap_stats(const struct procmap *m, size_t *sockets, size_t *owners,
		   size_t *bytes);

/* ---- for unit tests ----------------------------------------------------
 * A procmap without netlink that reads the /proc tree at proc_root (a fake
 * tree in tests), fed by hand instead of by the kernel's dumps. */

struct procmap_sock {
	int family;             /* the socket's: AF_INET or AF_INET6 */
	uint8_t l4proto;
	uint8_t v6only;
	uint8_t local[16];      /* AF_INET: the first 4 bytes */
	uint8_t remote[16];
	uint16_t lport, rport;  /* host byte order; ping: lport is the echo id */
	uint32_t inode;
	uint32_t uid;           /* who opened it */
};

struct procmap *procmap_open_root(const char *proc_root, int netlink,
				  char *err, size_t errlen);

/* A periodic refresh with socks as the whole socket dump and local
 * (nlocal addresses, IPv4-mapped or IPv6, 16 bytes each) as this host's
 * addresses. 1, or -1 on an error. */
int procmap_refresh_with(struct procmap *m, const struct procmap_sock *socks,
			 size_t n, const uint8_t (*local)[16], size_t nlocal);

/* Pure parsers. */
/* "socket:[N]" -> N; 0 if the link is anything else. */
uint32_t procmap_parse_socket_link(const char *link, size_t len);
/* /proc/PID/stat -> comm (NUL-terminated, at most 15 bytes) and field 22
 * (start time, clock ticks after boot); 0 or -1. */
int procmap_parse_stat(const char *buf, size_t len, char comm[16],
		       uint64_t *start);
/* What decides who may see a process. */
struct procmap_cred {
	uint32_t uid[4], gid[4];        /* real, effective, saved, filesystem */
	uint32_t dir_uid, dir_gid;      /* owner of /proc/PID: the effective
					 * ids, root's when not dumpable */
};
/* The Uid: and Gid: lines of /proc/PID/status into c (dir_* untouched);
 * 0, or -1 when either is missing or malformed. */
int procmap_parse_status(const char *buf, size_t len,
			 struct procmap_cred *c);
/* May the user uid, primary group gid, see the process with credentials
 * c? Root may; anyone else only a process whose uids and gids are all
 * theirs and that is dumpable (its /proc/PID theirs): what ptrace's
 * PTRACE_MODE_READ asks of a caller without capabilities, and so what
 * hidepid=invisible asks before it shows /proc/PID. Stricter than
 * hidepid=0 (which shows everyone's comm and command line): another
 * user's process is hidden unless the viewer is root. */
int procmap_may_see(uint32_t uid, uint32_t gid, const struct procmap_cred *c);
/* One line of /proc/net/icmp (family AF_INET) or icmp6 (AF_INET6) into s;
 * 0, or -1 for the header or anything malformed. */
int procmap_parse_icmp_line(const char *line, int family,
			    struct procmap_sock *s);
/* The same for /proc/net/{tcp,udp,udplite,icmp}{,6}, whose lines have one
 * layout: the socket of protocol proto into s, its state (TCP_ESTABLISHED
 * ...) into *state; 0 or -1. */
int procmap_parse_net_line(const char *line, int family, uint8_t proto,
			   struct procmap_sock *s, unsigned *state);
/* /proc/PID/net/fib_trie: the IPv4 addresses the namespace holds (its
 * "/32 host LOCAL" leaves), IPv4-mapped, the first max of them into out
 * (NULL when max is 0); how many there are, duplicates included. */
int procmap_parse_fib_trie(const char *text, uint8_t (*out)[16], size_t max);
/* One line of /proc/PID/net/if_inet6: its address; 0 or -1. */
int procmap_parse_if_inet6(const char *line, uint8_t out[16]);

#endif
