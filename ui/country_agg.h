/* SPDX-License-Identifier: GPL-2.0-only */
/* country_agg: per remote country (and AS) totals of the flow table, for
 * the countries view: "to which countries am I sending data?".
 *
 * The remote end of a flow is the destination of its original direction
 * (the side the flow was opened to), unless that address has no country
 * and the source has one: then it is a connection from outside to this
 * host (or a flow forwarded from a private network), and the source is
 * remote. Sent is what went towards the remote end, received what came
 * back. Flows with neither end in a database count under country "". */
#ifndef FLOWTOP_COUNTRY_AGG_H
#define FLOWTOP_COUNTRY_AGG_H

#include <stddef.h>
#include <stdint.h>
#include "ui/flow_table.h"
#include "ui/print.h"

#define COUNTRY_TEXT_LEN 64

struct country_agg {
	char cc[4];                         /* ISO code, "" unknown */
	uint32_t asn;                       /* 0: unknown or no ASN database */
	char name[COUNTRY_TEXT_LEN];        /* country name, as the resolver said */
	char as_org[COUNTRY_TEXT_LEN];
	uint32_t flows;
	uint64_t sent_bytes, recv_bytes;
	double sent_rate, recv_rate;        /* bytes/s */
};

/* One row per (country, AS) of the flows in t, in no particular order.
 * *out is malloc'ed (free it); returns the count, (size_t)-1 when out of
 * memory. */
size_t country_agg_build(const struct flow_table *t, print_annot_fn annot,
			 void *ctx, struct country_agg **out);

/* The identity of a row, stable across rebuilds (code and ASN). */
uint64_t country_agg_key(const struct country_agg *c);

#endif
