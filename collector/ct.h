/* SPDX-License-Identifier: GPL-2.0-only */
/* ct: the kernel's conntrack table over ctnetlink.
 *
 * Offers a full dump and the NEW/UPDATE/DESTROY event stream, both turned
 * into struct flow_wire records and filtered by the flow_sel selection
 * (family, protocol, loopback). All sockets are opened by ct_open(), before
 * the collector confines itself; afterwards only recvfrom/sendto on those
 * sockets are needed.
 *
 * Netlink messages are parsed here directly, reading only what a record
 * holds; libnetfilter_conntrack objects are converted by ct_to_wire()
 * alone, which the unit tests use, and which follows the same rules.
 */
#ifndef FLOWTOP_CT_H
#define FLOWTOP_CT_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/flow_wire.h"

struct ct_source;

/* Called once per record that passes the selection. Return 0 to go on,
 * -1 to stop (the error is the callback's to report). */
typedef int (*ct_emit_fn)(const struct flow_wire *rec, void *arg);

/* Open the event socket (subscribed to NEW, UPDATE and DESTROY of IPv4 and
 * IPv6) and the dump socket. NULL with a message in err (size errlen) on
 * failure, e.g. missing CAP_NET_ADMIN. */
struct ct_source *ct_open(uint32_t sel, char *err, size_t errlen);
void ct_close(struct ct_source *s);

/* Change the selection; records already emitted are not recalled. */
void ct_set_selection(struct ct_source *s, uint32_t sel);

/* The descriptor that becomes readable when events are queued. */
int ct_event_fd(const struct ct_source *s);

/* Read every queued event without blocking and emit it. Returns 0, or 1
 * when the kernel dropped events (ENOBUFS): the caller must resynchronise
 * with ct_dump(). -1 on another error, message in err. */
int ct_read_events(struct ct_source *s, ct_emit_fn emit, void *arg,
		   char *err, size_t errlen);

/* Dump the whole table (both families), emitting FLOW_EV_DUMP records with
 * current counters and states. 0 or -1 with a message in err. When emit
 * stops, the rest of the dump is still read (and dropped) before -1 is
 * returned, so the next dump starts clean. A dump the kernel flags as
 * interrupted (NLM_F_DUMP_INTR: the table changed under it) is taken as it
 * is; the next one repairs what it missed.
 *
 * Events are read between the dump's batches and emitted with the same
 * emit, in the order read, so that a long dump neither overflows the
 * event socket nor ends with the table's changes still queued. An entry
 * whose DESTROY was read is not listed afterwards (gone_ids.h). */
int ct_dump(struct ct_source *s, ct_emit_fn emit, void *arg,
	    char *err, size_t errlen);

/* Whether the kernel dropped events during the last ct_dump (or its
 * record of destroyed ids overflowed): only another dump is exact. */
int ct_dump_lost_events(const struct ct_source *s);

/* Ask the kernel for the entries keys[0..n) name (a GET by original tuple
 * each, no dump: the cost is theirs, not the table's), emitting
 * FLOW_EV_REFRESH records with current counters for those still there
 * under the same id and in the selection; gone ones are skipped. Requests
 * go CT_GET_CHUNK at a time in one sendto; the socket is the dump's, so
 * never call it during a dump. 0 or -1 with a message in err. */
int ct_get_entries(struct ct_source *s, const struct flow_key *keys, size_t n,
		   ct_emit_fn emit, void *arg, char *err, size_t errlen);

/* The GET request for k, exposed for unit tests: written to buf (size
 * bytes), its length returned; 0 when k is not valid (flow_key_check) or
 * it does not fit. */
size_t ct_get_request(void *buf, size_t size, const struct flow_key *k,
		      uint32_t seq);

/* Entries the last complete dump listed, whatever the selection (0 also
 * before the first dump). */
uint64_t ct_dump_entries(const struct ct_source *s);

/* Pure conversion, exposed for unit tests: fill *rec from ct (a struct
 * nf_conntrack *) with the given event; returns 0 if the record passes sel,
 * 1 if filtered out, -1 if the entry is not one flowtop can show. */
int ct_to_wire(const void *ct, uint8_t event, uint32_t sel,
	       struct flow_wire *rec);

/* The direct parser, exposed for unit tests: msg holds one ctnetlink
 * conntrack message (IPCTNL_MSG_CT_NEW or _DELETE) as the kernel sends it,
 * len the bytes available there. event 0 takes the event from the message
 * (NEW, UPDATE or DESTROY, as ct_read_events does). Returns as
 * ct_to_wire(); -1 also for a message that is malformed or not one of
 * those. Never reads outside the len bytes. */
int ct_nlmsg_to_wire(const void *msg, size_t len, uint8_t event, uint32_t sel,
		     struct flow_wire *rec);

#endif
