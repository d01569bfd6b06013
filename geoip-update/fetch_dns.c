/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch_dns: c-ares lookups for the fetcher, blocking, bounded in time. */
#include <ares.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geoip-update/fetch_dns.h"

struct fdns_host {
	char key[300];                 /* "host:port" */
	char addrs[FDNS_ADDRS_MAX];    /* "a,b,[c]" */
};

struct fdns {
	ares_channel files;            /* hosts file, then DNS: before the sandbox */
	ares_channel dns;              /* DNS only: inside it */
	int lib;
	struct fdns_host host[FDNS_MAX_HOSTS];
	size_t n;
};

struct fdns_wait {
	int done;
	int status;
	char *out;
	size_t outlen;
};

static int fdns_channel(ares_channel *ch, const char *lookups)
{
	struct ares_options o;

	memset(&o, 0, sizeof(o));
	o.lookups = (char *)lookups;
	o.timeout = 3000;
	o.tries = 2;
	return ares_init_options(ch, &o, ARES_OPT_LOOKUPS | ARES_OPT_TIMEOUTMS |
				 ARES_OPT_TRIES);
}

struct fdns *fdns_open(char *err, size_t errlen)
{
	struct fdns *d = calloc(1, sizeof(*d));
	int rc;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc == ARES_SUCCESS) {
		d->lib = 1;
		rc = fdns_channel(&d->files, "fb");
	}
	if (rc == ARES_SUCCESS && (rc = fdns_channel(&d->dns, "b")) != ARES_SUCCESS)
		ares_destroy(d->files);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		if (d->lib)
			ares_library_cleanup();
		free(d);
		return NULL;
	}
	return d;
}

void fdns_close(struct fdns *d)
{
	if (!d)
		return;
	ares_destroy(d->files);
	ares_destroy(d->dns);
	ares_library_cleanup();
	free(d);
}

/* Append every address of the answer, IPv6 in brackets, as CURLOPT_RESOLVE
 * wants them. */
static void fdns_on_answer(void *arg, int status, int timeouts,
			   struct ares_addrinfo *ai)
{
	struct fdns_wait *w = arg;
	size_t at = 0;

	(void)timeouts;
	w->done = 1;
	w->status = status;
	w->out[0] = '\0';
	for (struct ares_addrinfo_node *n = ai ? ai->nodes : NULL; n; n = n->ai_next) {
		char a[INET6_ADDRSTRLEN];
		const void *src = n->ai_family == AF_INET6 ?
			(const void *)&((struct sockaddr_in6 *)n->ai_addr)->sin6_addr :
			(const void *)&((struct sockaddr_in *)n->ai_addr)->sin_addr;
		int k;

		if (!inet_ntop(n->ai_family, src, a, sizeof(a)))
			continue;
		k = snprintf(w->out + at, w->outlen - at, n->ai_family == AF_INET6 ?
			     "%s[%s]" : "%s%s", at ? "," : "", a);
		if (k < 0 || (size_t)k >= w->outlen - at)
			break;
		at += (size_t)k;
	}
	if (status == ARES_SUCCESS && at == 0)
		w->status = ARES_ENODATA;
	if (ai)
		ares_freeaddrinfo(ai);
}

/* Drive ch until the one query is answered (c-ares bounds its time). */
static void fdns_run(ares_channel ch, struct fdns_wait *w)
{
	while (!w->done) {
		ares_socket_t s[ARES_GETSOCK_MAXNUM];
		struct pollfd p[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		int bits = ares_getsock(ch, s, ARES_GETSOCK_MAXNUM), n = 0;

		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			if (!ARES_GETSOCK_READABLE(bits, i) &&
			    !ARES_GETSOCK_WRITABLE(bits, i))
				continue;
			p[n].fd = s[i];
			p[n].events = (short)((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
					      (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
			p[n++].revents = 0;
		}
		tvp = ares_timeout(ch, NULL, &tv);
		poll(p, (nfds_t)n, tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000);
		if (n == 0)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		for (int i = 0; i < n; i++)
			ares_process_fd(ch, (p[i].revents & (POLLIN | POLLERR | POLLHUP)) ?
					p[i].fd : ARES_SOCKET_BAD,
					(p[i].revents & POLLOUT) ? p[i].fd : ARES_SOCKET_BAD);
	}
}

/* host and port of url (libcurl's parser: pure string work). */
static int fdns_split(const char *url, char *host, size_t hostlen, long *port)
{
	CURLU *u = curl_url();
	char *h = NULL, *p = NULL;
	int rc = -1;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    strlen(h) < hostlen) {
		strcpy(host, h);
		*port = strtol(p, NULL, 10);
		rc = 0;
	}
	curl_free(h);
	curl_free(p);
	curl_url_cleanup(u);
	return rc;
}

static int fdns_literal(const char *host)
{
	unsigned char buf[16];
	char h[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	if (host[0] == '[' && n >= 2 && n - 2 < sizeof(h)) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, buf) == 1;
	}
	return inet_pton(AF_INET, host, buf) == 1;
}

static int fdns_lookup(struct fdns *d, const char *host, int files_ok,
		       char *addrs, size_t addrslen, char *err, size_t errlen)
{
	struct ares_addrinfo_hints hints;
	struct fdns_wait w = { 0, 0, addrs, addrslen };
	ares_channel ch = files_ok ? d->files : d->dns;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	ares_getaddrinfo(ch, host, NULL, &hints, fdns_on_answer, &w);
	fdns_run(ch, &w);
	if (w.status != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
			 ares_strerror(w.status));
		return -1;
	}
	return 0;
}

int fdns_resolve_url(struct fdns *d, const char *url, int files_ok,
		     char *line, size_t linelen, char *err, size_t errlen)
{
	char host[256], key[300];
	struct fdns_host *h;
	long port;

	if (fdns_split(url, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "cannot parse the URL");
		return -1;
	}
	if (fdns_literal(host))
		return 1;
	snprintf(key, sizeof(key), "%s:%ld", host, port);
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->host[i].key, key) == 0) {
			snprintf(line, linelen, "%s:%s", key, d->host[i].addrs);
			return 0;
		}
	}
	if (d->n == FDNS_MAX_HOSTS) {
		snprintf(err, errlen, "too many hosts");
		return -1;
	}
	h = &d->host[d->n];
	if (fdns_lookup(d, host, files_ok, h->addrs, sizeof(h->addrs), err,
			errlen) < 0)
		return -1;
	memcpy(h->key, key, sizeof(key));
	d->n++;
	snprintf(line, linelen, "%s:%s", key, h->addrs);
	return 0;
}
