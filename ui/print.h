/* SPDX-License-Identifier: GPL-2.0-only */
/* print: batch output of one snapshot, as an aligned text table or as JSON
 * Lines (one object per flow per line, nothing else on stdout).
 */
#ifndef FLOWTOP_PRINT_H
#define FLOWTOP_PRINT_H

#include <stdio.h>
#include <stdint.h>
#include "ui/flow_table.h"

struct users;

/* What the resolver said about an address; NULL or "" where unknown. */
struct print_annot {
	const char *name;
	const char *country;
	const char *country_name;
	const char *city;
	const char *as_org;
	uint32_t asn;          /* 0: unknown */
};

typedef void (*print_annot_fn)(void *ctx, uint8_t family,
			       const uint8_t *addr, struct print_annot *out);
typedef const char *(*print_service_fn)(void *ctx, uint8_t l4proto,
					uint16_t port);

struct owners;

struct print_opts {
	int json;          /* JSON Lines instead of the text table */
	int bits;          /* rates in bits per second instead of bytes */
	int show_src;      /* text: also show the source port column (-s) */
	print_annot_fn annot;      /* NULL: no names or places */
	print_service_fn service;  /* NULL: no service names */
	void *ctx;                 /* passed to both */
	const struct users *users; /* uid -> name; NULL: uids as numbers */
	const struct owners *owners; /* NULL: no owner details */
};

/* Print entries v[0..n) of the snapshot taken at real_ns (CLOCK_REALTIME,
 * the same "time" on every JSON line). Text mode prints a header line, the
 * rows, and a blank line between snapshots. Every string that came from
 * outside (process names, host names, database fields) is escaped here,
 * whatever was done to it before. Returns 0, or -1 on a write error. */
int print_snapshot(FILE *out, const struct print_opts *po,
		   const struct flow_entry *const *v, size_t n,
		   uint64_t real_ns);

/* The same JSON lines for --record, each led by "event":event ("start",
 * "update", "end"), into out without a flush. 0, or -1 when a write
 * failed. */
int print_events(FILE *out, const struct print_opts *po, const char *event,
		 const struct flow_entry *const *v, size_t n, uint64_t real_ns);

#endif
