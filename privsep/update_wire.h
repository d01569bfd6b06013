/* SPDX-License-Identifier: GPL-2.0-only */
/* update_wire: the records of the GeoIP updater's channels (flowtop -u).
 *
 * updater parent -> fetcher: FETCH_REQ, one download at a time.
 * fetcher -> parent: FETCH_START (status and announced length), FETCH_DATA
 * (the body in pieces, each led by the request id), FETCH_DONE.
 * validator -> parent: VAL_RESULT, once.
 * The parent trusts neither child: every field is range-checked here, and
 * the parent counts the body bytes itself.
 */
#ifndef FLOWTOP_UPDATE_WIRE_H
#define FLOWTOP_UPDATE_WIRE_H

#include <stdint.h>

#define FETCH_URL_MAX 1024
#define FETCH_AUTH_MAX 192
#define FETCH_WHY_MAX 160

struct fetch_req {
	uint32_t id;
	uint32_t connect_s;      /* 1..300 */
	uint32_t total_s;        /* 1..86400 */
	uint32_t flags;          /* FETCH_F_* */
	int64_t ims;             /* If-Modified-Since (Unix time), 0: none */
	uint64_t max_bytes;      /* stop past this many body bytes */
	char url[FETCH_URL_MAX]; /* http:// or https://, NUL-terminated */
	char auth[FETCH_AUTH_MAX]; /* "user:password" for basic auth, or "" */
};
#define FETCH_F_MAYBE_ABSENT 1u  /* a 404 is expected (a .sha256 probe) */

struct fetch_start {
	uint32_t id;
	int32_t http_code;       /* 200..299 */
	int64_t length;          /* announced body length, -1 unknown */
};

struct fetch_data_hdr {
	uint32_t id;             /* followed by 1.. bytes of body */
};

enum fetch_result {
	FETCH_OK = 1,            /* the body is complete */
	FETCH_NOT_MODIFIED,      /* 304 to an If-Modified-Since */
	FETCH_HTTP_ERROR,        /* an HTTP status other than 2xx/304 */
	FETCH_TRANSPORT,         /* connect, TLS, timeout, reset... */
	FETCH_TOO_BIG,           /* past max_bytes */
	FETCH_REFUSED,           /* the fetcher would not (bad URL, redirect) */
};

struct fetch_done {
	uint32_t id;
	uint32_t result;         /* enum fetch_result */
	int32_t http_code;       /* 0 when none */
	uint32_t pad;
	int64_t filetime;        /* Last-Modified, -1 unknown */
	char why[FETCH_WHY_MAX]; /* printable ASCII, NUL-terminated */
};

enum val_verdict {
	VAL_OK = 1,              /* valid, newer: install */
	VAL_CURRENT,             /* valid, same build as the installed one */
	VAL_REFUSED,             /* why says why */
};

struct val_result {
	uint32_t verdict;        /* enum val_verdict */
	uint32_t ip_version;     /* 4 or 6 */
	uint64_t epoch;          /* build_epoch */
	uint64_t size;           /* bytes written to the output file */
	uint32_t node_count;
	uint32_t pad;
	char type[64];           /* database_type, escaped */
	char why[FETCH_WHY_MAX];
};

/* 0, or -1 with *why: the checks a receiver makes. */
int fetch_req_check(const struct fetch_req *r, const char **why);
int fetch_start_check(const struct fetch_start *s, const char **why);
int fetch_done_check(const struct fetch_done *d, const char **why);
int val_result_check(const struct val_result *v, const char **why);

#endif
