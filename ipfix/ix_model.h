/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_model: what flowtop exports as IPFIX, in libfixbuf's terms.
 *
 * One RFC 5103 biflow record per ix_rec the ui sends: flowStart/End-
 * Milliseconds, octet/packetDeltaCount and their reverse twins (PEN
 * 29305; no other reverse element: nfdump would read it as the forward
 * one), the addresses (a template for IPv4, one for IPv6), ports,
 * protocolIdentifier, tcpControlBits (length 1: pmacct reads no more),
 * flowEndReason, and flowtop's own elements under IX_PEN (ids from 101,
 * so that none equals a reverse element's id: pmacct tells elements
 * apart by id alone):
 *
 *   101 flowtopProcessName  string     the process's comm
 *   102 flowtopProcessId    unsigned32 0: no known process
 *   103 flowtopUserName     string     the socket's user
 *   104 flowtopSystemdUnit  string
 *   105 flowtopContainer    string
 *   106 flowtopUserId       unsigned32 4294967295: no socket uid
 *
 * struct ix_fb_rec is the internal template byte for byte; libfixbuf
 * transcodes it to either external template.
 */
#ifndef FLOWTOP_IPFIX_IX_MODEL_H
#define FLOWTOP_IPFIX_IX_MODEL_H

#include <stdint.h>
#include <fixbuf/public.h>

#include "privsep/ipfix_wire.h"

/* RFC 5612's documentation PEN: a placeholder until flowtop has a PEN
 * of its own from IANA. */
#define IX_PEN 32473

/* Template ids: the external ones go on the wire (>= 256). */
enum ix_tid { IX_TID_V4 = 256, IX_TID_V6 = 257, IX_TID_INT = 258 };

/* The internal template's record. IPv4 addresses in host byte order (as
 * libfixbuf wants endian-sensitive elements), IPv6 as on the wire. */
struct ix_fb_rec {
	uint64_t start_ms, end_ms;
	uint64_t octets, packets, rev_octets, rev_packets;
	uint8_t src6[16], dst6[16];
	uint32_t src4, dst4;
	uint32_t pid, uid;
	uint16_t sport, dport;
	uint8_t tcp_flags, proto, end_reason;
	uint8_t pad[1];                 /* paddingOctets, internal only */
	fbVarfield_t comm, user, unit, container;
};

/* libfixbuf's model with flowtop's elements added (glib aborts when
 * memory runs out, so never NULL). Freed with fbInfoModelFree() after
 * every fBuf that uses it. */
fbInfoModel_t *ix_model_new(void);

/* A new template of model: IX_TID_V4, IX_TID_V6 (external) or IX_TID_INT
 * (the struct; its size is checked against sizeof(struct ix_fb_rec)).
 * NULL with *err set. */
fbTemplate_t *ix_model_template(fbInfoModel_t *model, enum ix_tid which,
				GError **err);

/* r and its strings (as ix_msg_rec gives them) as the internal record;
 * the strings are pointed to, not copied. */
void ix_model_fill(struct ix_fb_rec *out, const struct ix_rec *r,
		   const char *strings);

#endif
