/* SPDX-License-Identifier: GPL-2.0-only */
/* lookup_wire: the fixed-size records of the ui <-> resolver lookups.
 *
 * The ui asks about addresses (reverse DNS, GeoIP) and ports (service
 * names) in batches; the resolver answers in batches. An address gets its
 * GeoIP answer at once, and its DNS answer when the name server replies,
 * so one address may be answered twice: each answer says which parts it
 * carries. Every string is NUL-terminated within its field, and the
 * resolver has already escaped it; the ui checks and escapes again.
 */
#ifndef FLOWTOP_LOOKUP_WIRE_H
#define FLOWTOP_LOOKUP_WIRE_H

#include <stdint.h>

/* What a request asks for / what an answer carries. */
enum lookup_part {
	LOOKUP_DNS = 1u << 0,
	LOOKUP_GEO = 1u << 1,
};

struct lookup_req {
	uint8_t family;        /* FLOW_FAM_IPV4 or FLOW_FAM_IPV6 */
	uint8_t parts;         /* enum lookup_part bits, at least one */
	uint8_t reserved[2];   /* zero */
	uint8_t addr[16];      /* IPv4 in the first 4 bytes, rest zero */
};
_Static_assert(sizeof(struct lookup_req) == 20, "lookup_req layout changed");

#define LOOKUP_NAME_LEN 256    /* escaped host name, NUL included */
#define LOOKUP_TEXT_LEN 96     /* escaped country name, city, AS org */

struct lookup_ans {
	uint8_t family;
	uint8_t parts;         /* which of the fields below are answered */
	uint8_t reserved[2];   /* zero */
	uint8_t addr[16];
	uint32_t asn;          /* GEO: 0 unknown */
	char name[LOOKUP_NAME_LEN];          /* DNS: "" none (negative) */
	char country[4];                     /* GEO: ISO 3166 code, "" unknown */
	char country_name[LOOKUP_TEXT_LEN];  /* GEO */
	char city[LOOKUP_TEXT_LEN];          /* GEO */
	char as_org[LOOKUP_TEXT_LEN];        /* GEO */
};
_Static_assert(sizeof(struct lookup_ans) == 572, "lookup_ans layout changed");

struct service_req {
	uint16_t port;
	uint8_t l4proto;       /* IPPROTO_TCP, _UDP, _UDPLITE, _SCTP, _DCCP */
	uint8_t reserved;      /* zero */
};
_Static_assert(sizeof(struct service_req) == 4, "service_req layout changed");

#define SERVICE_NAME_LEN 32

struct service_ans {
	uint16_t port;
	uint8_t l4proto;
	uint8_t reserved;
	char name[SERVICE_NAME_LEN];         /* "" unknown */
};
_Static_assert(sizeof(struct service_ans) == 36, "service_ans layout changed");

/* 0 if the record is well-formed, else -1 with *why naming the field. */
int lookup_req_check(const struct lookup_req *r, const char **why);
int lookup_ans_check(const struct lookup_ans *a, const char **why);
int service_req_check(const struct service_req *r, const char **why);
int service_ans_check(const struct service_ans *a, const char **why);

#endif
