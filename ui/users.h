/* SPDX-License-Identifier: GPL-2.0-only */
/* users: the uid -> user name table of the USER column, the detail pane,
 * the text table and JSON's "user".
 *
 * The ui loads it once, before it confines itself (ui_prepare): the
 * passwd database is read with getpwent(), NSS included (files, systemd,
 * sss, ldap: whatever nsswitch.conf names), as the user; once sealed the
 * ui opens nothing, so a uid the table lacks stays a number for the whole
 * run. The loader takes its entries from a callback, so that tests feed
 * it without /etc/passwd.
 *
 * Bounded: at most USERS_MAX entries and USERS_BYTES_MAX bytes of names;
 * a name longer than USERS_NAME_MAX bytes, or empty, is not kept. What
 * is not kept shows as its uid. A uid listed twice keeps its first name,
 * as getpwuid() would answer.
 *
 * Names are kept as the bytes the database holds, unchecked: whoever
 * shows one escapes it (esc_term, esc_json) like any stranger's string.
 *
 * Lookup: an open-addressing table (linear probing, at most half full)
 * hashed with SipHash-1-3 under the process key: O(1), one or two probes.
 * The uids are chosen by whoever writes the database (a directory server
 * through NSS, too), so they are keyed like every other table of keys
 * others choose (common/siphash.h). The table is read-only once loaded.
 */
#ifndef FLOWTOP_USERS_H
#define FLOWTOP_USERS_H

#include <stddef.h>
#include <stdint.h>

#define USERS_MAX 65536                 /* entries kept at most */
#define USERS_BYTES_MAX (1u << 20)      /* bytes of names, NULs counted */
#define USERS_NAME_MAX 32               /* bytes of one name (useradd's bound) */
/* The text of a uid without a name: up to 10 digits and the NUL. */
#define USERS_SHOW_MIN 11

struct users;

/* A source of entries: puts the next one's uid and name (NUL-terminated,
 * valid until the next call) and returns 1, or returns 0 at the end. */
typedef int (*users_next_fn)(void *ctx, uint32_t *uid, const char **name);

/* Load from next(ctx) until it ends, or max entries or max_bytes of
 * names (NULs counted) are kept; both are capped at USERS_MAX and
 * USERS_BYTES_MAX. NULL when out of memory. */
struct users *users_load(users_next_fn next, void *ctx, size_t max,
			 size_t max_bytes);

/* Load the passwd database with setpwent/getpwent/endpwent, bounded as
 * above. Opens files and maybe sockets (NSS): before the sandbox. NULL
 * when out of memory. */
struct users *users_load_system(void);

void users_free(struct users *u);

/* The name of uid as the database spells it, or NULL (u may be NULL). */
const char *users_name(const struct users *u, uint32_t uid);

/* Entries kept; whether the source had more than the bounds let in
 * (a name too long or empty does not count). */
size_t users_count(const struct users *u);
int users_truncated(const struct users *u);

/* What the USER column shows: the name (raw: the caller escapes it),
 * else the uid in decimal, written to buf (sz >= USERS_SHOW_MIN). */
const char *users_show(const struct users *u, uint32_t uid, char *buf,
		       size_t sz);

#endif
