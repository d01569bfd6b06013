/* SPDX-License-Identifier: GPL-2.0-only */
/* dns_cache: the reverse DNS cache and the queue of lookups in progress.
 *
 * One hash table, keyed by (family, address), holds every address the
 * resolver knows about, in one of three states:
 *   done      answered; on the LRU list until it expires or is evicted
 *   queued    asked for, waiting in FIFO order for a free query slot
 *   inflight  its query is with the name server
 * Keeping queued and in-flight addresses in the same table is what merges
 * duplicate requests: a second request for a pending address finds it.
 * Only done entries count against the size bound and may be evicted (an
 * in-flight entry must survive until its answer arrives); queued entries
 * are bounded separately, and in-flight ones by the caller's slots.
 *
 * Names are cleaned on the way in (dc_complete), so nothing unsafe is ever
 * stored: a trailing root dot removed, escaped with esc_term, cut to
 * DC_NAME_MAX bytes. Times come from a clock the caller may replace, so
 * that tests can move time by hand.
 */
#ifndef FLOWTOP_DNS_CACHE_H
#define FLOWTOP_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define DC_NAME_MAX 253      /* longest name a DNS name's text form can be */

/* Milliseconds on a monotonic clock. */
typedef uint64_t (*dc_clock_fn)(void *arg);

struct dc_cfg {
	size_t max;              /* done entries kept, at least 1 */
	size_t queue_max;        /* queued entries, at least 1 */
	unsigned min_ttl, max_ttl, neg_ttl;  /* seconds */
	dc_clock_fn clock;       /* NULL: CLOCK_MONOTONIC */
	void *clock_arg;
};

enum dc_result {
	DC_HIT,      /* answered from the cache: the name was copied out */
	DC_MERGED,   /* already queued or in flight: nothing to do */
	DC_QUEUED,   /* new: appended to the queue */
	DC_FULL,     /* the queue is full: nothing changed */
};

struct dns_cache;
struct dc_entry;

struct dns_cache *dc_new(const struct dc_cfg *cfg);
void dc_free(struct dns_cache *c);

/* Look up (family, addr[16]). On DC_HIT the stored name ("" for a negative
 * entry) is copied to name (namesz >= DC_NAME_MAX + 1 holds any). An
 * expired entry is queued again, like a new one. */
enum dc_result dc_get(struct dns_cache *c, uint8_t family,
		      const uint8_t addr[16], char *name, size_t namesz);

/* Take the oldest queued entry and mark it in flight; NULL when none. The
 * entry stays valid until dc_complete. */
struct dc_entry *dc_next(struct dns_cache *c);
void dc_entry_key(const struct dc_entry *e, uint8_t *family, uint8_t addr[16]);

/* The answer to an in-flight entry: raw is the name as the DNS gave it, or
 * NULL (or a name that cleans to "") for a negative answer, kept for
 * neg_ttl; ttl is clamped to [min_ttl, max_ttl]. The entry becomes the most
 * recently used; the least recently used done entries beyond max are
 * evicted. Returns the stored, cleaned name ("" negative), valid until the
 * next call that changes the cache. */
const char *dc_complete(struct dns_cache *c, struct dc_entry *e,
			const char *raw, uint32_t ttl);

/* The cleaned form of a raw name, as dc_complete stores it: a trailing
 * root dot removed, escaped, at most DC_NAME_MAX bytes. out must hold
 * DC_NAME_MAX + 1 bytes. Returns the length. */
size_t dc_name_clean(char out[DC_NAME_MAX + 1], const char *raw);

size_t dc_done_count(const struct dns_cache *c);
size_t dc_queued_count(const struct dns_cache *c);
size_t dc_inflight_count(const struct dns_cache *c);

#endif
