/* SPDX-License-Identifier: GPL-2.0-only */
/* geoip: country, city and AS of an address from MaxMind DB (mmdb) files.
 *
 * Every *.mmdb in the given directories is opened (mmap, symlinks
 * followed), checked and classified as common/geofile.h says, for IPv4,
 * IPv6 or both, whatever the file is called; a lookup asks the best
 * databases first (city, then country, then ASN) and merges what they
 * know.
 */
#ifndef FLOWTOP_GEOIP_H
#define FLOWTOP_GEOIP_H

#include <stddef.h>
#include <stdint.h>
#include "common/geofile.h"

struct geo;

/* Called once per refused file with one line "FILE: reason", and once with
 * a hint when no usable database was found at all. */
typedef void (*geo_report_fn)(void *ctx, const char *line);

/* Open the databases of dirs (NULL-terminated; missing directories are
 * skipped silently). Never NULL unless out of memory; a geo with no
 * databases answers nothing. */
struct geo *geo_open(const char *const *dirs, geo_report_fn report, void *ctx);
void geo_close(struct geo *g);

/* A directory a root start named, opened as root before the resolver
 * takes its identities: its *.mmdb files, each an open descriptor (or why
 * not). geo_open_pre then opens the databases from those descriptors,
 * under the resolver's identity, as geo_open would from { dir, NULL }.
 * geo_preopen: NULL only when out of memory; dir must outlive the geo. */
struct geo_pre;
struct geo_pre *geo_preopen(const char *dir);
struct geo *geo_open_pre(const struct geo_pre *p, geo_report_fn report,
			 void *ctx);
void geo_pre_free(struct geo_pre *p);

/* Number of databases in use. */
size_t geo_count(const struct geo *g);

/* Live reload: the resolver, chrooted into the GeoIP directory that
 * `flowtop -u` installs into, watches it. geo_watch() says that the
 * databases opened from abs_dir are now reached as root/NAME;
 * geo_reload() (every few seconds) stats each known name and lists the
 * directory: a changed file (inode, mtime or size) or a new *.mmdb is
 * opened and checked as at start, swapped in, the old one closed; a file
 * that fails the checks is reported once and the old database kept; a
 * removed one is dropped. Returns the number of changes made. */
void geo_watch(struct geo *g, const char *abs_dir, const char *root);
int geo_reload(struct geo *g, geo_report_fn report, void *ctx);

/* Look addr up in every database that covers its family, merging what
 * they know into *out (zeroed first). 1 if anything was found, else 0. */
int geo_lookup(const struct geo *g, uint8_t family, const uint8_t addr[16],
	       struct geo_info *out);

#endif
