/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_enc: see ix_enc.h. libfixbuf in manual mode answers "end of
 * message" (FB_ERROR_EOM) where automatic mode would emit by itself:
 * when a record does not fit, before templates (always) and before the
 * first record after them. Each of those is met the same way: complete
 * the message, hand it to the sink, try again. */
#include <stdio.h>
#include <stdlib.h>

#include "ipfix/ix_enc.h"
#include "ipfix/ix_model.h"

/* A call meets at most two ends of message: the one before templates
 * or after them, and a full message's. */
#define IX_ENC_TRIES 3

struct ix_enc {
	fbInfoModel_t *model;
	fbSession_t *session;   /* owned by fbuf once there is one */
	fBuf_t *fbuf;
	uint8_t *msg;           /* the buffer exporter's: one message */
	unsigned records;       /* data records in the open message */
	ix_sink_fn sink;
	void *arg;
	char err[256];
};

/* Keep libfixbuf's words as the reason; the GError is spent. */
static int enc_fail(struct ix_enc *e, const char *what, GError *gerr)
{
	snprintf(e->err, sizeof(e->err), "%s: %s", what,
		 gerr ? gerr->message : "failed");
	g_clear_error(&gerr);
	return -1;
}

static int enc_eom(GError **gerr)
{
	if (!g_error_matches(*gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM))
		return 0;
	g_clear_error(gerr);
	return 1;
}

/* Hand the open message to the sink. An emit with no message open does
 * nothing and leaves the previous message in the buffer: the version
 * bytes, zeroed first, tell the two apart. */
static int enc_emit(struct ix_enc *e)
{
	GError *gerr = NULL;
	unsigned records = e->records;
	size_t len;

	e->msg[0] = e->msg[1] = 0;
	if (!fBufEmit(e->fbuf, &gerr))
		return enc_fail(e, "fBufEmit", gerr);
	e->records = 0;
	if (e->msg[0] != 0x00 || e->msg[1] != 0x0a)
		return 0;
	len = (size_t)e->msg[2] << 8 | e->msg[3];
	e->sink(e->arg, e->msg, len, records);
	return 0;
}

/* The internal template and both external ones, before any fBuf: a
 * template added later would be written into the buffer at once. */
static int enc_templates_add(struct ix_enc *e, GError **gerr)
{
	static const enum ix_tid tids[] = { IX_TID_INT, IX_TID_V4, IX_TID_V6 };

	for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++) {
		fbTemplate_t *t = ix_model_template(e->model, tids[i], gerr);

		if (!t)
			return -1;
		if (!fbSessionAddTemplate(e->session, tids[i] == IX_TID_INT,
					  tids[i], t, gerr)) {
			fbTemplateFreeUnused(t);
			return -1;
		}
	}
	return 0;
}

static int enc_build(struct ix_enc *e, uint16_t mtu)
{
	GError *gerr = NULL;

	e->model = ix_model_new();
	e->session = fbSessionAlloc(e->model);
	fbSessionSetDomain(e->session, 0);
	if (enc_templates_add(e, &gerr) < 0)
		return enc_fail(e, "IPFIX templates", gerr);
	e->fbuf = fBufAllocForExport(e->session,
				     fbExporterAllocBuffer(e->msg, mtu));
	fBufSetAutomaticMode(e->fbuf, FALSE);
	if (!fBufSetInternalTemplate(e->fbuf, IX_TID_INT, &gerr))
		return enc_fail(e, "fBufSetInternalTemplate", gerr);
	return 0;
}

struct ix_enc *ix_enc_new(uint16_t mtu, ix_sink_fn sink, void *arg,
			  char *err, size_t errlen)
{
	struct ix_enc *e = calloc(1, sizeof(*e));

	if (!e || !(e->msg = calloc(1, mtu))) {
		snprintf(err, errlen, "out of memory");
		free(e);
		return NULL;
	}
	e->sink = sink;
	e->arg = arg;
	if (enc_build(e, mtu) < 0) {
		snprintf(err, errlen, "%s", e->err);
		ix_enc_free(e);
		return NULL;
	}
	return e;
}

/* One libfixbuf call that may meet an end of message. */
typedef gboolean (*enc_call_fn)(struct ix_enc *e, void *arg, GError **gerr);

/* fn, again after completing the message each time it meets the end of
 * one. 0, or -1 with e->err set. */
static int enc_retry(struct ix_enc *e, enc_call_fn fn, void *arg,
		     const char *what)
{
	GError *gerr = NULL;

	for (int i = 0; i < IX_ENC_TRIES; i++) {
		if (fn(e, arg, &gerr))
			return 0;
		if (!enc_eom(&gerr))
			return enc_fail(e, what, gerr);
		if (enc_emit(e) < 0)
			return -1;
	}
	snprintf(e->err, sizeof(e->err), "%s: it does not fit a message",
		 what);
	return -1;
}

static gboolean enc_append(struct ix_enc *e, void *rec, GError **gerr)
{
	return fBufAppend(e->fbuf, rec, sizeof(struct ix_fb_rec), gerr);
}

static gboolean enc_export(struct ix_enc *e, void *unused, GError **gerr)
{
	(void)unused;
	return fbSessionExportTemplates(e->session, gerr);
}

int ix_enc_add(struct ix_enc *e, const struct ix_rec *r, const char *strings)
{
	struct ix_fb_rec rec;
	GError *gerr = NULL;

	ix_model_fill(&rec, r, strings);
	/* the same template again costs nothing; a change starts a set */
	if (!fBufSetExportTemplate(e->fbuf, r->family == 6 ? IX_TID_V6 :
				   IX_TID_V4, &gerr))
		return enc_fail(e, "fBufSetExportTemplate", gerr);
	if (enc_retry(e, enc_append, &rec, "fBufAppend") < 0)
		return -1;
	e->records++;
	return 0;
}

int ix_enc_flush(struct ix_enc *e)
{
	return enc_emit(e);
}

int ix_enc_templates(struct ix_enc *e)
{
	if (enc_retry(e, enc_export, NULL, "fbSessionExportTemplates") < 0)
		return -1;
	return enc_emit(e);
}

const char *ix_enc_error(const struct ix_enc *e)
{
	return e->err;
}

void ix_enc_free(struct ix_enc *e)
{
	if (!e)
		return;
	if (e->fbuf)
		fBufFree(e->fbuf);
	else if (e->session)
		fbSessionFree(e->session);
	if (e->model)
		fbInfoModelFree(e->model);
	free(e->msg);
	free(e);
}
