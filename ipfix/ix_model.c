/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_model: see ix_model.h. */
#include <arpa/inet.h>
#include <string.h>

#include "ipfix/ix_model.h"

/* The spec flags: which templates an element is in (libfixbuf takes a
 * spec when all its flag bits are in the template's). */
#define IX_F_V4 1u
#define IX_F_V6 2u
#define IX_F_INT 4u

/* Integers are host order in the struct: FB_IE_F_ENDIAN has libfixbuf
 * swap them. Not reversible: no reverse twins in the model. */
#define IX_IE_U32 (FB_IE_IDENTIFIER | FB_IE_F_ENDIAN)

static fbInfoElement_t ix_elements[] = {
	FB_IE_INIT_FULL("flowtopProcessName", IX_PEN, 101, FB_IE_VARLEN,
			FB_IE_DEFAULT, 0, 0, FB_STRING,
			"the flow's process: its comm"),
	FB_IE_INIT_FULL("flowtopProcessId", IX_PEN, 102, 4, IX_IE_U32, 0, 0,
			FB_UINT_32, "the flow's process id, 0 when not known"),
	FB_IE_INIT_FULL("flowtopUserName", IX_PEN, 103, FB_IE_VARLEN,
			FB_IE_DEFAULT, 0, 0, FB_STRING,
			"the user who owns the flow's socket"),
	FB_IE_INIT_FULL("flowtopSystemdUnit", IX_PEN, 104, FB_IE_VARLEN,
			FB_IE_DEFAULT, 0, 0, FB_STRING,
			"the systemd unit of the flow's process"),
	FB_IE_INIT_FULL("flowtopContainer", IX_PEN, 105, FB_IE_VARLEN,
			FB_IE_DEFAULT, 0, 0, FB_STRING,
			"the container of the flow's process"),
	FB_IE_INIT_FULL("flowtopUserId", IX_PEN, 106, 4, IX_IE_U32, 0, 0,
			FB_UINT_32, "the socket's uid, 4294967295 when none"),
	FB_IE_NULL,
};

/* In struct ix_fb_rec's order: the internal template must describe it
 * byte for byte, padding included. */
static fbInfoElementSpec_t ix_spec[] = {
	{ "flowStartMilliseconds", 8, 0 },
	{ "flowEndMilliseconds", 8, 0 },
	{ "octetDeltaCount", 8, 0 },
	{ "packetDeltaCount", 8, 0 },
	{ "reverseOctetDeltaCount", 8, 0 },
	{ "reversePacketDeltaCount", 8, 0 },
	{ "sourceIPv6Address", 16, IX_F_V6 },
	{ "destinationIPv6Address", 16, IX_F_V6 },
	{ "sourceIPv4Address", 4, IX_F_V4 },
	{ "destinationIPv4Address", 4, IX_F_V4 },
	{ "flowtopProcessId", 4, 0 },
	{ "flowtopUserId", 4, 0 },
	{ "sourceTransportPort", 2, 0 },
	{ "destinationTransportPort", 2, 0 },
	{ "tcpControlBits", 1, 0 },
	{ "protocolIdentifier", 1, 0 },
	{ "flowEndReason", 1, 0 },
	{ "paddingOctets", 1, IX_F_INT },
	{ "flowtopProcessName", FB_IE_VARLEN, 0 },
	{ "flowtopUserName", FB_IE_VARLEN, 0 },
	{ "flowtopSystemdUnit", FB_IE_VARLEN, 0 },
	{ "flowtopContainer", FB_IE_VARLEN, 0 },
	FB_IESPEC_NULL,
};

fbInfoModel_t *ix_model_new(void)
{
	fbInfoModel_t *m = fbInfoModelAlloc();

	fbInfoModelAddElementArray(m, ix_elements);
	return m;
}

static uint32_t ix_flags(enum ix_tid which)
{
	switch (which) {
	case IX_TID_V4:
		return IX_F_V4;
	case IX_TID_V6:
		return IX_F_V6;
	case IX_TID_INT:
		break;
	}
	return IX_F_V4 | IX_F_V6 | IX_F_INT;
}

fbTemplate_t *ix_model_template(fbInfoModel_t *model, enum ix_tid which,
				GError **err)
{
	fbTemplate_t *t = fbTemplateAlloc(model);
	uint16_t len;

	if (!fbTemplateAppendSpecArray(t, ix_spec, ix_flags(which), err)) {
		fbTemplateFreeUnused(t);
		return NULL;
	}
	if (which != IX_TID_INT)
		return t;
	len = fbTemplateGetIELenOfMemBuffer(t);
	if (len != sizeof(struct ix_fb_rec)) {
		/* libfixbuf would read past the record, or miss fields */
		g_set_error(err, FB_ERROR_DOMAIN, FB_ERROR_IMPL,
			    "the internal template is %u bytes, its struct %zu",
			    len, sizeof(struct ix_fb_rec));
		fbTemplateFreeUnused(t);
		return NULL;
	}
	return t;
}

static void ix_varfield(fbVarfield_t *v, const char *s, size_t len)
{
	v->len = len;
	v->buf = (uint8_t *)(uintptr_t)s;
}

static uint32_t ix_ipv4(const uint8_t a[16])
{
	uint32_t v;

	memcpy(&v, a, sizeof(v));
	return ntohl(v);
}

void ix_model_fill(struct ix_fb_rec *out, const struct ix_rec *r,
		   const char *strings)
{
	const char *s = strings;

	memset(out, 0, sizeof(*out));
	out->start_ms = r->start_ms;
	out->end_ms = r->end_ms;
	out->octets = r->octets;
	out->packets = r->packets;
	out->rev_octets = r->rev_octets;
	out->rev_packets = r->rev_packets;
	if (r->family == 6) {
		memcpy(out->src6, r->src, 16);
		memcpy(out->dst6, r->dst, 16);
	} else {
		out->src4 = ix_ipv4(r->src);
		out->dst4 = ix_ipv4(r->dst);
	}
	out->pid = r->pid;
	out->uid = r->uid;
	out->sport = r->sport;
	out->dport = r->dport;
	out->tcp_flags = r->tcp_flags;
	out->proto = r->proto;
	out->end_reason = r->end_reason;
	ix_varfield(&out->comm, s, r->comm_len);
	s += r->comm_len;
	ix_varfield(&out->user, s, r->user_len);
	s += r->user_len;
	ix_varfield(&out->unit, s, r->unit_len);
	s += r->unit_len;
	ix_varfield(&out->container, s, r->container_len);
}
