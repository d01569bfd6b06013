/* SPDX-License-Identifier: GPL-2.0-only */
/* The Landlock rules of the updater's children, beside their seccomp
 * tables. Neither may signal or reach an abstract unix socket outside
 * itself, nor bind a TCP port.
 *
 * fetcher: opens no file (the CA bundle is in memory, names resolved
 * before the sandbox). It connects over TCP to ports 80 and 443, to every
 * port a configured mirror URL names (computed before the sandbox, so a
 * mirror on another port, as the tests' are, still works), and to the DNS
 * port 53 (c-ares asks again over TCP when an answer was truncated, for a
 * redirect's host). A redirect to another port fails as a network error.
 *
 * validator: opens only the two files it is handed as descriptors, by
 * their "/proc/self/fd/N" names (libmaxminddb opens by path): the
 * unpacked database and the installed one, read-only. */
#include <curl/curl.h>
#include <stdlib.h>

#include "geoip-update/sandbox.h"

#define GU_LL_PORTS 32

static const uint16_t gu_fixed_ports[] = { 53, 80, 443 };

static void gu_port_add(uint16_t *ports, size_t *n, long p)
{
	size_t i;

	if (p <= 0 || p > 65535)
		return;
	for (i = 0; i < *n; i++)
		if (ports[i] == p)
			return;
	if (*n < GU_LL_PORTS)
		ports[(*n)++] = (uint16_t)p;
}

/* The port url names, or its scheme's; 0 when it can't be parsed. */
static long gu_url_port(const char *url)
{
	CURLU *u = curl_url();
	char *p = NULL;
	long port = 0;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK)
		port = strtol(p, NULL, 10);
	curl_free(p);
	curl_url_cleanup(u);
	return port;
}

void gu_fetch_landlock(struct ll_policy *p, const char *const *urls,
		       size_t n)
{
	static uint16_t ports[GU_LL_PORTS];
	size_t np = 0, i;

	for (i = 0; i < sizeof(gu_fixed_ports) / sizeof(gu_fixed_ports[0]); i++)
		gu_port_add(ports, &np, gu_fixed_ports[i]);
	for (i = 0; i < n; i++)
		gu_port_add(ports, &np, gu_url_port(urls[i]));
	p->role = "fetcher";
	p->rules = NULL;
	p->nrules = 0;
	p->ports = ports;
	p->nports = np;
	p->scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}

void gu_validate_landlock(struct ll_policy *p, struct ll_rule rules[2],
			  int out_fd, int inst_fd)
{
	size_t n = 0;

	if (out_fd >= 0)
		rules[n++] = (struct ll_rule){ NULL, out_fd,
					       LANDLOCK_ACCESS_FS_READ_FILE };
	if (inst_fd >= 0)
		rules[n++] = (struct ll_rule){ NULL, inst_fd,
					       LANDLOCK_ACCESS_FS_READ_FILE };
	p->role = "validator";
	p->rules = rules;
	p->nrules = n;
	p->ports = NULL;
	p->nports = 0;
	p->scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
}
