/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_url: the flow collector --ipfix names, udp://HOST:PORT or
 * tcp://HOST:PORT.
 *
 * HOST is a name or an IPv4 literal (letters, digits, '.', '-', '_'), or
 * an IPv6 literal in brackets ([2001:db8::1], a zone after '%' allowed:
 * [fe80::1%eth0]); PORT is decimal, 1 to 65535. Nothing may follow the
 * port. The parse only checks the form: the name is resolved, and the
 * collector reached, by the exporter (ipfix/exporter.h).
 */
#ifndef FLOWTOP_IX_URL_H
#define FLOWTOP_IX_URL_H

#include <stdint.h>

#define IX_HOST_MAX 253         /* a DNS name's longest text form */

enum ix_proto { IX_UDP, IX_TCP };

struct ix_url {
	enum ix_proto proto;
	char host[IX_HOST_MAX + 1];     /* NUL-terminated, brackets stripped */
	char port_str[6];               /* the port in decimal, as getaddrinfo
					 * takes it: no leading zeros */
	uint16_t port;
};

/* Parse s into *out. 0, or -1 with *why a one-line reason (a static
 * string: "the port must be a number from 1 to 65535"). */
int ix_url_parse(const char *s, struct ix_url *out, const char **why);

#endif
