/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch_dns: name resolution for the fetcher, with c-ares, so that libcurl
 * never resolves a name itself.
 *
 * Why: libcurl's resolver (a thread calling getaddrinfo) opens
 * /etc/hosts, /etc/nsswitch.conf and NSS modules at query time, which a
 * process that may open no file cannot do. So the fetcher resolves every
 * mirror host before its sandbox (hosts file, then DNS), and a redirect's
 * host inside it with a second c-ares channel set to DNS only (resolv.conf
 * was read when both channels were made, before the sandbox). Every
 * request then hands libcurl the addresses with CURLOPT_RESOLVE; a host
 * that could not be resolved this way is never given to libcurl.
 */
#ifndef FLOWTOP_GU_FETCH_DNS_H
#define FLOWTOP_GU_FETCH_DNS_H

#include <stddef.h>

#define FDNS_MAX_HOSTS 32
#define FDNS_ADDRS_MAX 256

struct fdns;

/* Make both channels (reads resolv.conf). NULL with err. */
struct fdns *fdns_open(char *err, size_t errlen);
void fdns_close(struct fdns *d);

/* The "host:port:addr,addr" line for CURLOPT_RESOLVE of url's host,
 * resolving it (hosts file allowed only when files_ok) unless known.
 * 0, 1 when the host is an address literal (no line needed), -1 with
 * err. */
int fdns_resolve_url(struct fdns *d, const char *url, int files_ok,
		     char *line, size_t linelen, char *err, size_t errlen);

#endif
