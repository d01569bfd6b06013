/* SPDX-License-Identifier: GPL-2.0-only */
/* update_wire: range checks of the updater's records. */
#include <string.h>

#include "privsep/update_wire.h"

/* NUL-terminated within n, printable ASCII before it. */
static int wire_text_ok(const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);

	if (!end)
		return 0;
	for (; s < end; s++)
		if (*s < ' ' || *s > '~')
			return 0;
	return 1;
}

int fetch_req_check(const struct fetch_req *r, const char **why)
{
	if (!wire_text_ok(r->url, sizeof(r->url)) ||
	    !wire_text_ok(r->auth, sizeof(r->auth)))
		*why = "unterminated or unprintable URL or auth";
	else if (strncmp(r->url, "http://", 7) && strncmp(r->url, "https://", 8))
		*why = "not an http(s) URL";
	else if (r->connect_s < 1 || r->connect_s > 300 || r->total_s < 1 ||
		 r->total_s > 86400)
		*why = "timeout out of range";
	else if (r->flags & ~FETCH_F_MAYBE_ABSENT)
		*why = "unknown flags";
	else if (r->max_bytes == 0 || r->ims < 0)
		*why = "bad size limit or time";
	else
		return 0;
	return -1;
}

int fetch_start_check(const struct fetch_start *s, const char **why)
{
	if (s->http_code < 200 || s->http_code > 299 || s->length < -1) {
		*why = "bad status or length in FETCH_START";
		return -1;
	}
	return 0;
}

int fetch_done_check(const struct fetch_done *d, const char **why)
{
	if (d->result < FETCH_OK || d->result > FETCH_REFUSED)
		*why = "unknown fetch result";
	else if (d->http_code < 0 || d->http_code > 999)
		*why = "HTTP status out of range";
	else if (!wire_text_ok(d->why, sizeof(d->why)))
		*why = "unterminated or unprintable reason";
	else if (d->filetime < -1)
		*why = "bad file time";
	else
		return 0;
	return -1;
}

int val_result_check(const struct val_result *v, const char **why)
{
	if (v->verdict < VAL_OK || v->verdict > VAL_REFUSED)
		*why = "unknown verdict";
	else if (!wire_text_ok(v->why, sizeof(v->why)) ||
		 !wire_text_ok(v->type, sizeof(v->type)))
		*why = "unterminated or unprintable text";
	else if (v->verdict != VAL_REFUSED &&
		 ((v->ip_version != 4 && v->ip_version != 6) || v->size == 0 ||
		  v->node_count == 0))
		*why = "metadata out of range";
	else
		return 0;
	return -1;
}
