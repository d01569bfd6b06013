/* SPDX-License-Identifier: GPL-2.0-only */
/* ipfix_wire: the exporter's check of the ui's IX_RECORDS messages, and
 * the walk over a message it has accepted. Records are copied out, not
 * cast: the check makes no demand on the buffer's alignment. */
#include <string.h>

#include "privsep/ipfix_wire.h"

static const uint8_t ix_zero[16];

static int ix_fail(const char **why, const char *what)
{
	*why = what;
	return -1;
}

static int ix_head_check(const unsigned char *p, size_t len, uint32_t *count,
			 const char **why)
{
	struct ix_msg_head h;

	if (len < sizeof(h))
		return ix_fail(why, "shorter than its head");
	if (len > IX_MSG_MAX)
		return ix_fail(why, "longer than 64 KiB");
	memcpy(&h, p, sizeof(h));
	if (h.kind != IX_RECORDS)
		return ix_fail(why, "not a records message");
	if (memcmp(h.pad, ix_zero, sizeof(h.pad)) != 0)
		return ix_fail(why, "the head's padding is not zero");
	if (h.count == 0)
		return ix_fail(why, "no records");
	*count = h.count;
	return 0;
}

/* The record's own fields, strings aside. */
static int ix_rec_fields(const struct ix_rec *r, const char **why)
{
	if (r->family != 4 && r->family != 6)
		return ix_fail(why, "a record's family is not 4 or 6");
	if (r->family == 4 && (memcmp(r->src + 4, ix_zero, 12) != 0 ||
			       memcmp(r->dst + 4, ix_zero, 12) != 0))
		return ix_fail(why, "an IPv4 record's addresses go past 4 bytes");
	if (r->end_reason < IX_END_IDLE || r->end_reason > IX_END_FORCED)
		return ix_fail(why, "a record's end reason is not 1 to 4");
	if (r->end_ms < r->start_ms)
		return ix_fail(why, "a record ends before it starts");
	if (r->comm_len > IX_COMM_MAX || r->user_len > IX_USER_MAX ||
	    r->unit_len > IX_UNIT_MAX || r->container_len > IX_CONTAINER_MAX)
		return ix_fail(why, "a record's string is over its limit");
	if (memcmp(r->pad, ix_zero, sizeof(r->pad)) != 0)
		return ix_fail(why, "a record's padding is not zero");
	return 0;
}

/* The strings, then the zeros up to the next multiple of 8. */
static int ix_rec_tail(const struct ix_rec *r, const unsigned char *s,
		       size_t room, const char **why)
{
	size_t n = (size_t)r->comm_len + r->user_len + r->unit_len +
		   r->container_len;
	size_t pad = ix_rec_size(r) - sizeof(*r) - n;

	if (room < n + pad)
		return ix_fail(why, "a record's strings are cut short");
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return ix_fail(why, "a record's string holds a "
				       "control byte");
	if (memcmp(s + n, ix_zero, pad) != 0)
		return ix_fail(why, "the padding after a record's strings is "
			       "not zero");
	return 0;
}

int ix_msg_check(const void *msg, size_t len, const char **why)
{
	const unsigned char *p = msg;
	size_t off = sizeof(struct ix_msg_head);
	uint32_t count;
	struct ix_rec r;

	if (ix_head_check(p, len, &count, why) < 0)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		if (len - off < sizeof(r))
			return ix_fail(why, "a record is cut short");
		memcpy(&r, p + off, sizeof(r));
		if (ix_rec_fields(&r, why) < 0 ||
		    ix_rec_tail(&r, p + off + sizeof(r),
				len - off - sizeof(r), why) < 0)
			return -1;
		off += ix_rec_size(&r);
	}
	if (off != len)
		return ix_fail(why, "bytes left over after the records");
	return 0;
}

size_t ix_msg_rec(const void *msg, size_t off, struct ix_rec *r,
		  const char **strings)
{
	const unsigned char *p = msg;

	memcpy(r, p + off, sizeof(*r));
	*strings = (const char *)p + off + sizeof(*r);
	return off + ix_rec_size(r);
}
