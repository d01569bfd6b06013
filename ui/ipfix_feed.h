/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_feed: --ipfix's flow records, decided in the ui and handed to the
 * exporter (flowtop-ipfix, ipfix/exporter.h) over descriptor 7.
 *
 * The ui has the flows, their owners and their names, so it decides what
 * a record is and when it goes, as a NetFlow/IPFIX meter's cache would:
 *   - a flow that closes (conntrack's DESTROY, or a dump that no longer
 *     lists it) gets its last record at once, flowEndReason "end of flow";
 *   - a flow whose counters have not moved for the idle timeout gets a
 *     record of what moved since its last one ("idle timeout"), and no
 *     more until it moves again;
 *   - a flow still moving gets one every active timeout ("active
 *     timeout");
 *   - a flow never sent is sent once even when nothing moved, so the
 *     collector knows of it; the run's end sends what is left ("forced
 *     end").
 * Each record carries the deltas since the flow's last record, in both
 * directions (RFC 5103 biflows: forward is conntrack's original
 * direction). Timeouts are judged at each periodic dump's end, so their
 * resolution is the interval.
 *
 * Records leave in messages of up to IX_MSG_MAX bytes, at each periodic
 * dump's end or sooner when a message fills (an end waits for the
 * interval at most: under churn one message carries hundreds), sent
 * without waiting: when the exporter lags and its channel is full, the
 * message's records are dropped and counted here, never waited for.
 */
#ifndef FLOWTOP_UI_IPFIX_FEED_H
#define FLOWTOP_UI_IPFIX_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "privsep/ipfix_wire.h"
#include "ui/flow_table.h"
#include "ui/owners.h"
#include "ui/users.h"

struct ipfix_feed;

/* What a record's owner fields come from. */
struct ipfix_names {
	const struct owners *owners;
	const struct users *users;   /* NULL: no user names */
};

/* What the status line shows. */
struct ipfix_counts {
	uint64_t queued;        /* records handed to the exporter */
	uint64_t sent;          /* records the exporter has sent */
	uint64_t dropped;       /* records lost: here, or the exporter's */
	uint64_t handoff_dropped;  /* of those, here: its channel was full */
	int lost;               /* the TCP collector is gone */
};

/* A feed writing to fd (the exporter's channel), with the timeouts in
 * seconds. NULL when out of memory. */
struct ipfix_feed *ipfix_feed_new(int fd, uint32_t active_s, uint32_t idle_s);
void ipfix_feed_free(struct ipfix_feed *f);

/* A periodic dump ended at real_ms (CLOCK_REALTIME): every flow of t is
 * looked at for its timeouts. 0, or -1 when out of memory. */
int ipfix_feed_pass(struct ipfix_feed *f, const struct flow_table *t,
		    const struct ipfix_names *n, uint64_t real_ms);

/* e left the table at real_ms: its last record, "end of flow", or
 * "forced end" when forced (flowtop stopped showing it, not the kernel
 * ending it). */
void ipfix_feed_gone(struct ipfix_feed *f, const struct flow_entry *e,
		     const struct ipfix_names *n, uint64_t real_ms, int forced);

/* The run ends: every flow of t with something unsent gets a "forced
 * end" record, and all is sent. */
void ipfix_feed_finish(struct ipfix_feed *f, const struct flow_table *t,
		       const struct ipfix_names *n, uint64_t real_ms);

/* Read what the exporter said of its counts (without waiting), and say
 * the totals. */
void ipfix_feed_counts(struct ipfix_feed *f, struct ipfix_counts *out);

/* The conntrack TCP state's flags as tcpControlBits (FIN 1, SYN 2, RST 4,
 * ACK 16): what the state shows was sent, since conntrack keeps no
 * flags. 0 for other protocols. */
uint8_t ipfix_state_flags(uint8_t l4proto, uint8_t state);

/* Fill r and the strings after it (at most IX_MSG_MAX - sizeof(head)
 * bytes at out) from e, with the counters given; returns the bytes
 * used (ix_rec_size). Control bytes in names become '?'. */
size_t ipfix_rec_build(unsigned char *out, const struct flow_entry *e,
		       const struct ipfix_names *n, const uint64_t delta[4],
		       uint64_t start_ms, uint64_t end_ms, uint8_t flags,
		       uint8_t reason);

#endif
