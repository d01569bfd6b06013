/* SPDX-License-Identifier: GPL-2.0-only */
/* dns_ttl: read the TTL of an answer from a raw DNS message (RFC 1035
 * section 4). Written for hostile input: no read happens before a bounds
 * check, and name decompression provably ends (see dt_name_read).
 */
#include <string.h>

#include "resolver/dns_ttl.h"

#define DT_HDR_LEN 12        /* id, flags, four counts */
#define DT_NAME_MAX 255      /* wire form of a name, length bytes included */
#define DT_MAX_HOPS 64       /* compression pointers followed in one name */
#define DT_TYPE_CNAME 5
#define DT_CLASS_IN 1

/* A name in wire form, lower-cased so that names compare with memcmp. */
struct dt_name {
	size_t len;
	uint8_t b[DT_NAME_MAX];
};

/* The fixed part of a resource record and where its data lies. */
struct dt_rr {
	struct dt_name owner;
	uint16_t type, rclass;
	uint32_t ttl;
	size_t rdata, rdend;     /* rdata spans msg[rdata..rdend) */
};

static int dt_rd16(const uint8_t *msg, size_t len, size_t off, uint16_t *v)
{
	if (off > len || len - off < 2)
		return -1;
	*v = (uint16_t)(msg[off] << 8 | msg[off + 1]);
	return 0;
}

static int dt_rd32(const uint8_t *msg, size_t len, size_t off, uint32_t *v)
{
	uint16_t hi, lo;

	if (dt_rd16(msg, len, off, &hi) < 0 || dt_rd16(msg, len, off + 2, &lo) < 0)
		return -1;
	*v = (uint32_t)hi << 16 | lo;
	return 0;
}

/* Append the label msg[pos..pos+n) to out, lower-cased (DNS names compare
 * case-insensitively in ASCII only, RFC 4343). */
static int dt_name_add(struct dt_name *out, const uint8_t *label, size_t n)
{
	/* Room for the length byte, the label, and the root's zero byte. */
	if (out->len + 1 + n + 1 > DT_NAME_MAX)
		return -1;
	out->b[out->len++] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = label[i];
		out->b[out->len++] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
	}
	return 0;
}

/* Read the (possibly compressed) name at *off into out and move *off past
 * the bytes the name occupies in place.
 *
 * Why this ends: a pointer must point before the start of the stretch of
 * labels it was found in. Any pointer into that stretch (or later) would
 * lead back to itself, so refusing it costs no valid message, and the start
 * of the stretch strictly decreases at every jump. The hop limit is a
 * second, independent bound. */
static int dt_name_read(const uint8_t *msg, size_t len, size_t *off,
			struct dt_name *out)
{
	size_t pos = *off, seg = *off, end = 0;
	unsigned hops = 0;

	out->len = 0;
	for (;;) {
		if (pos >= len)
			return -1;
		uint8_t c = msg[pos];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > DT_MAX_HOPS)
				return -1;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[pos + 1];
			if (target >= seg)
				return -1;
			if (end == 0)
				end = pos + 2;
			pos = seg = target;
			continue;
		}
		if (c & 0xc0)          /* 0x40, 0x80: obsolete/unknown label types */
			return -1;
		if (len - pos - 1 < c || dt_name_add(out, msg + pos + 1, c) < 0)
			return -1;
		pos += 1 + (size_t)c;
	}
	out->b[out->len++] = 0;
	*off = end ? end : pos + 1;
	return 0;
}

static int dt_name_eq(const struct dt_name *a, const struct dt_name *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

/* Read the resource record at *off and move *off past it. */
static int dt_rr_read(const uint8_t *msg, size_t len, size_t *off,
		      struct dt_rr *rr)
{
	uint16_t rdlen;
	size_t pos = *off;

	if (dt_name_read(msg, len, &pos, &rr->owner) < 0 ||
	    dt_rd16(msg, len, pos, &rr->type) < 0 ||
	    dt_rd16(msg, len, pos + 2, &rr->rclass) < 0 ||
	    dt_rd32(msg, len, pos + 4, &rr->ttl) < 0 ||
	    dt_rd16(msg, len, pos + 8, &rdlen) < 0)
		return -1;
	rr->rdata = pos + 10;
	if (len - rr->rdata < rdlen)   /* rd16 proved rdata <= len */
		return -1;
	rr->rdend = rr->rdata + rdlen;
	if (rr->ttl > DNS_TTL_LIMIT)   /* RFC 2181 section 8 */
		rr->ttl = 0;
	*off = rr->rdend;
	return 0;
}

/* Read the question section; the first question's name starts the chain. */
static int dt_questions(const uint8_t *msg, size_t len, uint16_t qdcount,
			size_t *off, struct dt_name *qname)
{
	struct dt_name skip;

	if (qdcount == 0)
		return -1;
	for (unsigned i = 0; i < qdcount; i++) {
		if (dt_name_read(msg, len, off, i == 0 ? qname : &skip) < 0)
			return -1;
		if (len - *off < 4)   /* qtype, qclass */
			return -1;
		*off += 4;
	}
	return 0;
}

/* A CNAME on the chain: its target becomes the name to look for. The
 * target must lie within the record's data. */
static int dt_follow_cname(const uint8_t *msg, const struct dt_rr *rr,
			   struct dt_name *cur)
{
	size_t pos = rr->rdata;

	if (dt_name_read(msg, rr->rdend, &pos, cur) < 0 || pos != rr->rdend)
		return -1;
	return 0;
}

enum dns_ttl_result dns_answer_ttl(const uint8_t *msg, size_t len,
				   uint16_t qtype, uint32_t *ttl)
{
	struct dt_name cur;
	struct dt_rr rr;
	uint16_t qdcount, ancount;
	uint32_t min = DNS_TTL_LIMIT;
	size_t off = DT_HDR_LEN;
	int found = 0;

	if (!msg || len < DT_HDR_LEN ||
	    dt_rd16(msg, len, 4, &qdcount) < 0 || dt_rd16(msg, len, 6, &ancount) < 0 ||
	    dt_questions(msg, len, qdcount, &off, &cur) < 0)
		return DNS_TTL_BAD;
	for (unsigned i = 0; i < ancount; i++) {
		if (dt_rr_read(msg, len, &off, &rr) < 0)
			return DNS_TTL_BAD;
		if (rr.rclass != DT_CLASS_IN || !dt_name_eq(&rr.owner, &cur))
			continue;
		if (rr.type == qtype) {
			found = 1;
		} else if (rr.type == DT_TYPE_CNAME) {
			if (dt_follow_cname(msg, &rr, &cur) < 0)
				return DNS_TTL_BAD;
		} else {
			continue;
		}
		if (rr.ttl < min)
			min = rr.ttl;
	}
	if (!found)
		return DNS_TTL_NONE;
	*ttl = min;
	return DNS_TTL_OK;
}
