/* ct: the kernel's conntrack table through libnetfilter_conntrack.
 *
 * Offers a full dump and the NEW/UPDATE/DESTROY event stream, both turned
 * into struct flow_wire records and filtered by the flow_sel selection
 * (family, protocol, loopback). All sockets are opened by ct_open(), before
 * the collector confines itself; afterwards only recv/send on those sockets
 * are needed.
 */
#ifndef FLOWTOP_CT_H
#define FLOWTOP_CT_H

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
 * current counters and states. 0 or -1 with a message in err. */
int ct_dump(struct ct_source *s, ct_emit_fn emit, void *arg,
	    char *err, size_t errlen);

/* Pure conversion, exposed for unit tests: fill *rec from ct (a struct
 * nf_conntrack *) with the given event; returns 0 if the record passes sel,
 * 1 if filtered out, -1 if the entry is not one flowtop can show. */
int ct_to_wire(const void *ct, uint8_t event, uint32_t sel,
	       struct flow_wire *rec);

#endif
