/* SPDX-License-Identifier: GPL-2.0-only */
/* resolver: the process that answers the ui's lookups: reverse DNS,
 * GeoIP and service names.
 *
 * Its files are opened first and read once it is confined (files.h);
 * the DNS channel is made before the sandbox (resolver_new), from the
 * system's resolv.conf; then resolver_run() serves the ui. Nothing in the
 * resolver sees the flow table: it answers about the addresses and ports
 * it is asked about.
 */
#ifndef FLOWTOP_RESOLVER_H
#define FLOWTOP_RESOLVER_H

#include "privsep/msg.h"
#include "common/options.h"
#include "privsep/seccomp.h"

struct resolver;
struct res_files;

/* A resolver with its DNS channel (none with -n, or when DNS can't work:
 * said on stderr) and, until resolver_load, no databases or service
 * names. NULL only when out of memory (said on stderr). */
struct resolver *resolver_new(const struct options *o);
void resolver_close(struct resolver *r);

/* Read the databases and service files opened in f, once confined:
 * problems with single files go to stderr as one line each. In
 * RES_ROOT_GEOIP_DIR it then watches the databases for replacement (a
 * check every 2 s). */
void resolver_load(struct resolver *r, struct res_files *f);

/* Its Landlock policy: the rules f's root needs (resolver_ll_policy in
 * landlock.c adds the name servers' TCP ports and the scopes). */
struct ll_policy;
struct ll_rule;
struct dns;
void resolver_landlock(const struct resolver *r, const struct res_files *f,
		       struct ll_policy *p);
void resolver_ll_policy(struct ll_policy *p, const struct ll_rule *rules,
			size_t nrules, const struct dns *d);

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
