/* SPDX-License-Identifier: GPL-2.0-only */
/* files: the files the resolver reads (GeoIP databases, --conf-dir's
 * tcp.conf and udp.conf, /etc/services), opened before it confines itself
 * and read only after, so that nothing in them is parsed outside the
 * sandbox.
 *
 *   res_files_open    opens them, with the permissions of whoever calls it
 *                     (root for a root start, else the user who started
 *                     flowtop); reads nothing;
 *   res_files_place   once the identity is the resolver's last, picks the
 *                     root it will chroot into, by changing the working
 *                     directory (see enum res_root), and the Landlock rules
 *                     that let it read them there;
 *   res_files_geo,
 *   res_files_services
 *                     once confined: read and check them.
 */
#ifndef FLOWTOP_RESOLVER_FILES_H
#define FLOWTOP_RESOLVER_FILES_H

#include <stddef.h>

#include "common/options.h"
#include "privsep/landlock.h"
#include "resolver/geoip.h"
#include "resolver/services.h"

/* At most this many databases get a Landlock rule each. */
#define RES_LL_FILES 64

enum res_root {
	/* The empty directory the resolver started in: it reads no file. */
	RES_ROOT_EMPTY,
	/* The directory flowtop -u installs into, when every database found
	 * is there and the resolver may read it but not write it: it reads
	 * the databases by name and watches them for replacement. */
	RES_ROOT_GEOIP_DIR,
	/* Its own /proc/self/fd: the databases are reached as /N through
	 * the descriptors opened before (a file its identity may not open
	 * again is a memfd copy), and no other file at all; there must be no
	 * directory among its descriptors. No reload. */
	RES_ROOT_FDS,
};

struct res_files;

/* NULL only when out of memory. */
struct res_files *res_files_open(const struct options *o);
void res_files_free(struct res_files *f);

/* 0, or -1 with err set (the resolver can't start). */
int res_files_place(struct res_files *f, char *err, size_t errlen);
enum res_root res_files_root(const struct res_files *f);
/* The directory watched in RES_ROOT_GEOIP_DIR: --geoip-dir, else the
 * one flowtop -u installs into. */
const char *res_files_update_dir(const struct res_files *f);
/* The path-beneath rules for the root res_files_place chose; they stay
 * f's. */
void res_files_ll_rules(const struct res_files *f, const struct ll_rule **rules,
			size_t *n);

/* Read them. res_files_geo: NULL with -G or when out of memory. The
 * service files are taken (read once). */
struct geo *res_files_geo(struct res_files *f, geo_report_fn report, void *ctx);
struct services *res_files_services(struct res_files *f, svc_report_fn report,
				    void *ctx);

#endif
