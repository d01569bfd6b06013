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
 * skipped silently), as geo_preopen and geo_open_pre do, in one step
 * (tests, tools). Never NULL unless out of memory; a geo with no
 * databases answers nothing. */
struct geo *geo_open(const char *const *dirs, geo_report_fn report, void *ctx);
void geo_close(struct geo *g);

/* Opened first, read once confined. geo_preopen opens the *.mmdb files
 * of dirs, with the permissions of whoever calls it, and reads nothing of
 * them; geo_open_pre later opens each file as a database through
 * FD_DIR/N, N its descriptor: "/proc/self/fd" unconfined, "" for a
 * process whose root is its /proc/self/fd. Between the two, once the
 * process has its last identity, geo_pre_reach makes every file
 * reachable that way: one the identity may not open again (root's
 * private directory) is copied into a memfd, read from the descriptor,
 * which needs no permission. geo_pre_files lists the descriptors of the
 * files that are not copies (for the Landlock rules that let them be
 * opened again). dirs must outlive p and the geo made from it.
 * geo_preopen: NULL only when out of memory. */
struct geo_pre;
struct geo_pre *geo_preopen(const char *const *dirs);
void geo_pre_reach(struct geo_pre *p, const char *fd_dir);
size_t geo_pre_files(const struct geo_pre *p, int *fds, size_t max);
/* 1 when any file of p could be opened. */
int geo_pre_any(const struct geo_pre *p);
/* 1 when every file found is in dir (or there are none) and is the file
 * its name leads to with dir as the root (a symbolic link out of dir
 * leads elsewhere in a chroot there). */
int geo_pre_only_in(const struct geo_pre *p, const char *dir);
struct geo *geo_open_pre(const struct geo_pre *p, const char *fd_dir,
			 geo_report_fn report, void *ctx);
void geo_pre_free(struct geo_pre *p);

/* The databases of dir reached as root/NAME (a process chrooted in dir),
 * opened as a reload finds them, and watched (geo_watch). hint_dirs: the
 * directories the hint names when there is none. */
struct geo *geo_open_watched(const char *dir, const char *root,
			     const char *const *hint_dirs,
			     geo_report_fn report, void *ctx);

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
