/* SPDX-License-Identifier: GPL-2.0-only */
/* conf: geoip.conf, the updater's own configuration (in --conf-dir).
 *
 * One item a line, '#' starts a comment:
 *   https://host/path/, http://..., file:///dir/   a mirror (tried in order)
 *   host[:port][/path]                             a mirror, https://host/...
 *   DIRECTIVE ARGUMENT...                          a setting (see below)
 * A line of one word is a mirror, a line of several words a directive; an
 * unknown directive is an error. Errors read "FILE:LINE: reason".
 *
 * Directives: layout plain|dbip, databases NAME..., database-directory DIR,
 * ca-file FILE, connect-timeout SEC, timeout SEC, retries N, retry-delay MS,
 * max-size MIB, geoipupdate-conf FILE|none, pubkey KEY (the base64 line of
 * a minisign.pub: every file from this file's mirrors must then come with
 * a good NAME.minisig beside it, see minisig.h).
 */
#ifndef FLOWTOP_GU_CONF_H
#define FLOWTOP_GU_CONF_H

#include <stddef.h>
#include <stdint.h>
#include "geoip-update/minisig.h"

#define GU_MAX_MIRRORS 16
#define GU_MAX_DBS 16
#define GU_URL_MAX 1024
#define GU_NAME_MAX 64
#define GU_PATH_MAX 1024

/* How a mirror names its files. */
enum gu_layout {
	GU_LAYOUT_PLAIN,   /* NAME.mmdb.gz, NAME.tar.gz or NAME.mmdb */
	GU_LAYOUT_DBIP,    /* NAME-YYYY-MM.mmdb.gz, this month or the last */
};

struct gu_conf {
	char mirror[GU_MAX_MIRRORS][GU_URL_MAX];  /* normalised, ends in '/' */
	size_t nmirrors;
	enum gu_layout layout;
	char db[GU_MAX_DBS][GU_NAME_MAX];         /* "databases"; none: defaults */
	size_t ndbs;
	char dir[GU_PATH_MAX];                    /* "" when not set */
	char ca_file[GU_PATH_MAX];
	char mm_conf[GU_PATH_MAX];                /* geoipupdate's GeoIP.conf; "" none */
	unsigned connect_timeout;                 /* seconds */
	unsigned timeout;                         /* seconds for one whole download */
	unsigned retries;                         /* extra tries on a retryable error */
	unsigned retry_delay_ms;                  /* first backoff, doubled each time */
	uint64_t max_bytes;                       /* largest download or database */
	int has_pubkey;                           /* "pubkey": mirrors must sign */
	struct gu_ms_key pubkey;
};

/* Defaults: no mirror, layout plain, the GeoLite2 names, Debian's CA
 * bundle, /etc/GeoIP.conf, 10 s connect, 600 s total, 2 retries from 1 s. */
void gu_conf_defaults(struct gu_conf *c);

/* Parse text[0..len) as file fname into *c (defaults first). 0, or -1 with
 * "fname:line: reason" in err. */
int gu_conf_parse(struct gu_conf *c, const char *text, size_t len,
		  const char *fname, char *err, size_t errlen);

/* Read and parse path (at most 64 KiB). */
int gu_conf_load(struct gu_conf *c, const char *path, char *err, size_t errlen);

/* The names to fetch: "databases" if given, else the layout's three. */
size_t gu_conf_dbs(const struct gu_conf *c, const char *out[GU_MAX_DBS]);

/* Read a whole small file into a NUL-terminated malloc'ed buffer. */
char *gu_read_small(const char *path, size_t max, size_t *len, char *err,
		    size_t errlen);

#endif
