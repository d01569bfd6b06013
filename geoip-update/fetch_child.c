/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch_child: the fetcher's life: set up libcurl, TLS and names, confine,
 * then serve one FETCH_REQ after another until the parent hangs up. */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "geoip-update/fetch.h"
#include "geoip-update/fetch_child.h"
#include "geoip-update/fetch_dns.h"
#include "geoip-update/sandbox.h"

#define FC_MAX_HOPS 5
#ifndef FLOWTOP_VERSION
#define FLOWTOP_VERSION "0"
#endif

struct fc {
	CURL *h;
	struct fdns *dns;
	struct msg_chan *ch;
	struct curl_blob ca;
	const struct fetch_req *req;
	int started;           /* FETCH_START sent for this response */
	int too_big, send_failed;
	uint64_t bytes;
	unsigned char buf[MSG_MAX_PAYLOAD];
	char errbuf[CURL_ERROR_SIZE];
};

static void fc_die(const char *what)
{
	fprintf(stderr, "flowtop: fetcher: %s\n", what);
	_exit(1);
}

/* Body pieces of a 2xx answer go to the parent; other bodies (error pages)
 * are dropped. Returning less than given makes libcurl stop. */
static size_t fc_write(char *p, size_t sz, size_t n, void *ctx)
{
	struct fc *c = ctx;
	struct fetch_data_hdr h = { c->req->id };
	size_t len = sz * n, max = sizeof(c->buf) - sizeof(h);
	long code = 0;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299)
		return len;
	if (!c->started) {
		struct fetch_start s = { c->req->id, (int32_t)code, -1 };
		curl_off_t cl = -1;

		curl_easy_getinfo(c->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		s.length = cl >= 0 ? cl : -1;
		c->started = 1;
		if (msg_send(c->ch, MSG_FETCH_START, &s, sizeof(s)) < 0)
			return c->send_failed = 1, 0;
	}
	if (c->bytes + len > c->req->max_bytes)
		return c->too_big = 1, 0;
	for (size_t at = 0; at < len; at += max) {
		size_t k = len - at < max ? len - at : max;

		memcpy(c->buf, &h, sizeof(h));
		memcpy(c->buf + sizeof(h), p + at, k);
		if (msg_send(c->ch, MSG_FETCH_DATA, c->buf,
			     (uint32_t)(sizeof(h) + k)) < 0)
			return c->send_failed = 1, 0;
	}
	c->bytes += len;
	return len;
}

static void fc_options(struct fc *c, const char *url, struct curl_slist *res,
		       int with_auth)
{
	CURL *h = c->h;
	const struct fetch_req *q = c->req;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &c->ca);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(h, CURLOPT_RESOLVE, res);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)q->connect_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)q->total_s);
	/* A mirror that stops sending for a while is given up on early. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
			 (long)(q->total_s < 30 ? q->total_s : 30));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "flowtop-geoip-update/" FLOWTOP_VERSION);
	curl_easy_setopt(h, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fc_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	if (q->ims > 0) {
		curl_easy_setopt(h, CURLOPT_TIMECONDITION, (long)CURL_TIMECOND_IFMODSINCE);
		curl_easy_setopt(h, CURLOPT_TIMEVALUE_LARGE, (curl_off_t)q->ims);
	}
	if (with_auth && q->auth[0]) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, q->auth);
	}
}

static void fc_reason(struct fetch_done *d, const char *a, const char *b)
{
	size_t n = strnlen(a, sizeof(d->why) - 1);

	memcpy(d->why, a, n);
	d->why[n] = '\0';
	if (b)
		strncat(d->why, b, sizeof(d->why) - 1 - n);
	for (char *p = d->why; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
}

/* Where a 3xx points, if it may be followed: same or stronger scheme. */
static int fc_redirect(struct fc *c, const char *from, char *to, size_t tolen,
		       struct fetch_done *d)
{
	char *loc = NULL;

	curl_easy_getinfo(c->h, CURLINFO_REDIRECT_URL, &loc);
	if (!loc || strlen(loc) >= tolen ||
	    (strncmp(loc, "https://", 8) && strncmp(loc, "http://", 7))) {
		fc_reason(d, "unusable redirect", NULL);
		return -1;
	}
	if (strncmp(from, "https://", 8) == 0 && strncmp(loc, "https://", 8)) {
		fc_reason(d, "refused a redirect from https to http", NULL);
		return -1;
	}
	strcpy(to, loc);
	return 0;
}

/* One hop: resolve, perform, classify. 1 when it redirected (url set to
 * the next hop), 0 when done (d filled). */
static int fc_hop(struct fc *c, char *url, size_t urllen, int with_auth,
		  struct fetch_done *d)
{
	char line[600], err[200];
	struct curl_slist *res = NULL;
	long code = 0;
	CURLcode rc;
	int r = fdns_resolve_url(c->dns, url, 0, line, sizeof(line), err, sizeof(err));

	if (r < 0) {
		d->result = FETCH_TRANSPORT;
		fc_reason(d, err, NULL);
		return 0;
	}
	if (r == 0 && !(res = curl_slist_append(NULL, line)))
		fc_die("out of memory");
	fc_options(c, url, res, with_auth);
	c->errbuf[0] = '\0';
	rc = curl_easy_perform(c->h);
	curl_slist_free_all(res);
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	d->http_code = (int32_t)(code >= 0 && code <= 999 ? code : 0);
	if (c->send_failed)
		_exit(0);   /* the parent is gone */
	if (c->too_big)
		d->result = FETCH_TOO_BIG;
	else if (rc != CURLE_OK) {
		d->result = FETCH_TRANSPORT;
		fc_reason(d, c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc), NULL);
	} else if (code >= 300 && code < 400 && code != 304)
		return fc_redirect(c, url, url, urllen, d) == 0 ? 1 :
			(d->result = FETCH_REFUSED, 0);
	else if (code == 304)
		d->result = FETCH_NOT_MODIFIED;
	else if (code >= 200 && code < 300)
		d->result = FETCH_OK;
	else
		d->result = FETCH_HTTP_ERROR;
	return 0;
}

static void fc_serve(struct fc *c, const struct fetch_req *q)
{
	struct fetch_done d;
	char url[FETCH_URL_MAX], first[FETCH_URL_MAX];
	curl_off_t ft = -1;
	int hop = 0, r;

	memset(&d, 0, sizeof(d));
	d.id = q->id;
	c->req = q;
	c->started = c->too_big = 0;
	c->bytes = 0;
	strcpy(url, q->url);
	strcpy(first, q->url);
	/* Credentials never travel in clear (the parent refuses such a
	 * configuration already; this holds even if it did not). */
	if (q->auth[0] && strncmp(q->url, "https://", 8) != 0) {
		d.result = FETCH_REFUSED;
		fc_reason(&d, "credentials are sent over https only", NULL);
		msg_send(c->ch, MSG_FETCH_DONE, &d, sizeof(d));
		return;
	}
	do {
		/* Basic auth only while still on the URL it was given for. */
		r = fc_hop(c, url, sizeof(url), strcmp(url, first) == 0, &d);
	} while (r == 1 && ++hop <= FC_MAX_HOPS);
	if (r == 1) {
		d.result = FETCH_REFUSED;
		fc_reason(&d, "too many redirects", NULL);
	}
	curl_easy_getinfo(c->h, CURLINFO_FILETIME_T, &ft);
	d.filetime = ft >= 0 ? ft : -1;
	if (msg_send(c->ch, MSG_FETCH_DONE, &d, sizeof(d)) < 0)
		_exit(0);
}

/* Before the sandbox: TLS configuration read, mirror hosts resolved. */
static void fc_setup(struct fc *c, const char *const *urls, size_t n)
{
	char line[600], err[200];
	SSL_CTX *warm;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(c->h = curl_easy_init()))
		fc_die("cannot start libcurl");
	/* OpenSSL reads its configuration and sets up its providers on first
	 * use: make that happen now, while files can still be read. */
	warm = SSL_CTX_new(TLS_client_method());
	if (warm)
		SSL_CTX_free(warm);
	/* glibc reads /etc/localtime on the first time conversion, which
	 * If-Modified-Since and Last-Modified need. */
	tzset();
	{
		time_t t = 0;
		struct tm tm;

		gmtime_r(&t, &tm);
		localtime_r(&t, &tm);
	}
	if (!(c->dns = fdns_open(err, sizeof(err))))
		fc_die(err);
	for (size_t i = 0; i < n; i++)
		if (fdns_resolve_url(c->dns, urls[i], 1, line, sizeof(line), err,
				     sizeof(err)) < 0)
			fprintf(stderr, "flowtop: fetcher: %s\n", err);
}

int gu_fetch_child(struct msg_chan *ch, const char *const *urls, size_t n,
		   const void *ca, size_t calen)
{
	static struct fc c;
	struct ll_policy ll;
	char err[300];

	gu_child_name("flowtop-fetch");
	c.ch = ch;
	c.ca.data = (void *)ca;
	c.ca.len = calen;
	c.ca.flags = CURL_BLOB_NOCOPY;
	fc_setup(&c, urls, n);
	gu_fetch_landlock(&ll, urls, n);
	if (gu_child_confine("flowtop-fetch", &fetch_policy, &ll, err,
			     sizeof(err)) < 0)
		fc_die(err);
	for (;;) {
		struct fetch_req q;
		struct msg m;
		const char *why;
		int r = msg_recv(ch, &m, &why);

		if (r == 0)
			return 0;
		if (r < 0)
			fc_die(why);
		memcpy(&q, m.payload, sizeof(q));
		fc_serve(&c, &q);
	}
}
