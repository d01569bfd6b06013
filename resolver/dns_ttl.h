/* SPDX-License-Identifier: GPL-2.0-only */
/* dns_ttl: the TTL of an answer, read from the raw DNS message.
 *
 * c-ares 1.18 has no PTR parser that reports the TTL (ares_parse_ptr_reply
 * gives only the name), so this small parser reads it from the message the
 * name server sent. The message comes from a stranger: every read is
 * bounds-checked, compression pointers may only point backwards and are
 * followed a bounded number of times, and names longer than 255 bytes are
 * refused.
 */
#ifndef FLOWTOP_DNS_TTL_H
#define FLOWTOP_DNS_TTL_H

#include <stddef.h>
#include <stdint.h>

enum dns_ttl_result {
	DNS_TTL_BAD = -1,   /* malformed message */
	DNS_TTL_OK = 0,     /* *ttl set */
	DNS_TTL_NONE = 1,   /* well-formed, but no record of that type */
};

/* Highest TTL RFC 2181 allows; a TTL with the top bit set counts as 0. */
#define DNS_TTL_LIMIT 0x7fffffffu

/* Find the records of type qtype (class IN) that answer the first
 * question of msg[0..len), following CNAMEs from the question name in the
 * answer section, and set *ttl to the smallest TTL of the records on that
 * chain (the CNAMEs count: the answer is only as fresh as its weakest
 * link). */
enum dns_ttl_result dns_answer_ttl(const uint8_t *msg, size_t len,
				   uint16_t qtype, uint32_t *ttl);

#endif
