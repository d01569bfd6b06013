/* SPDX-License-Identifier: GPL-2.0-only */
/* resolver: the process that answers the ui's lookups: reverse DNS,
 * GeoIP and service names.
 *
 * resolver_open() opens everything it will ever need (databases, service
 * files, the DNS channel) while the process can still open files; then the
 * caller confines it and resolver_run() serves the ui. Nothing in the
 * resolver sees the flow table: it answers about the addresses and ports
 * it is asked about.
 */
#ifndef FLOWTOP_RESOLVER_H
#define FLOWTOP_RESOLVER_H

#include "privsep/msg.h"
#include "common/options.h"
#include "privsep/seccomp.h"

struct resolver;

/* Problems with single files go to stderr as one line each; NULL only
 * when the resolver cannot work at all (message on stderr). */
struct resolver *resolver_open(const struct options *o);
void resolver_close(struct resolver *r);

/* A root start (real uid 0): root named --conf-dir and --geoip-dir, so
 * root's permissions open them, as any user's own open theirs. Called as
 * root before the identity change, it opens the conf dir's service files
 * and the --geoip-dir databases (with no --geoip-dir, nothing of the
 * default directories); resolver_open_pre then reads them from those
 * descriptors under the resolver's identity, parsing nothing as root.
 * NULL only when out of memory. */
struct res_pre;
struct res_pre *resolver_preopen(const struct options *o);
struct resolver *resolver_open_pre(const struct options *o,
				   struct res_pre *pre);
void resolver_pre_free(struct res_pre *pre);

/* Between resolver_open() and the chroot: when the GeoIP directory that
 * `flowtop -u` installs into (--geoip-dir, else /var/lib/GeoIP) exists
 * and the resolver's uid may read it but not write it, stand in it, so
 * that it becomes the chroot, and watch it for replaced databases (a
 * check every 2 s). Otherwise nothing changes: the chroot is the empty
 * directory and databases are read only at start. */
void resolver_enter_root(struct resolver *r, const struct options *o);

/* Its Landlock policy, for the state resolver_enter_root left it in
 * (resolver_ll_policy in landlock.c: whether it watches its GeoIP
 * directory, the name servers' TCP ports). */
struct ll_policy;
struct dns;
void resolver_landlock(const struct resolver *r, struct ll_policy *p);
void resolver_ll_policy(struct ll_policy *p, int watch, const struct dns *d);

/* Serve the ui until it closes the channel. Returns the exit status. */
int resolver_run(struct resolver *r, struct msg_chan *ui);

/* Open and serve without any sandbox: for benchmarks and tests. */
int resolver_serve(struct msg_chan *ui, const struct options *o);

/* The resolver as a role (confine.c): confines itself, then serves the
 * ui on descriptor 3 until it closes. Returns the exit status. */
struct role_spec;
struct role_ctx;
int resolver_role_main(const struct role_spec *self, const struct role_ctx *ctx);

/* Its allowlist (seccomp.c). */
extern const struct sc_policy resolver_policy;

#endif
