/* SPDX-License-Identifier: GPL-2.0-only */
/* ix_url: see ix_url.h. A strict parse: what it accepts is a host
 * getaddrinfo takes as it is and a port in range, so a typo is refused
 * at the start with its reason, not met as a lookup failure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/ix_url.h"

#define IX_ZONE_MAX 15          /* IF_NAMESIZE - 1 */

static int url_fail(const char **why, const char *what)
{
	*why = what;
	return -1;
}

/* The characters of a host name, of an IPv4 literal and of a zone:
 * nothing a shell, a terminal or a resolver would read otherwise. */
static int url_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static int url_all_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!url_name_char(s[i]))
			return 0;
	return 1;
}

/* "udp://" or "tcp://": what follows, or NULL. */
static const char *url_scheme(const char *s, struct ix_url *out)
{
	if (strncmp(s, "udp://", 6) == 0)
		out->proto = IX_UDP;
	else if (strncmp(s, "tcp://", 6) == 0)
		out->proto = IX_TCP;
	else
		return NULL;
	return s + 6;
}

/* p: what follows the host's ':'; the rest of the string. */
static int url_port(const char *p, struct ix_url *out, const char **why)
{
	static const char bad[] = "the port must be a number from 1 to 65535";
	size_t n = strlen(p);
	unsigned v = 0;

	if (n == 0 || n > 5)
		return url_fail(why, bad);
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return url_fail(why, bad);
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return url_fail(why, bad);
	out->port = (uint16_t)v;
	snprintf(out->port_str, sizeof(out->port_str), "%u", v);
	return 0;
}

/* An IPv6 literal, with an optional %zone: s[0..n), brackets gone. */
static int url_ipv6(const char *s, size_t n, const char **why)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *zone = memchr(s, '%', n);
	size_t alen = zone ? (size_t)(zone - s) : n;

	if (alen >= sizeof(addr))
		return url_fail(why, "not an IPv6 address between the brackets");
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return url_fail(why, "not an IPv6 address between the brackets");
	if (zone && (n - alen - 1 == 0 || n - alen - 1 > IX_ZONE_MAX ||
		     !url_all_name(zone + 1, n - alen - 1)))
		return url_fail(why, "the IPv6 zone after '%' must be an "
				"interface name");
	return 0;
}

/* "[v6]:port": the host is what the brackets hold. */
static int url_bracketed(const char *h, struct ix_url *out, const char **why)
{
	const char *close = strchr(h, ']');
	size_t n;

	if (!close)
		return url_fail(why, "no ']' after the IPv6 address");
	n = (size_t)(close - h - 1);
	if (n == 0)
		return url_fail(why, "no host");
	if (url_ipv6(h + 1, n, why) < 0)
		return -1;
	if (close[1] != ':')
		return url_fail(why, "no port: end with :PORT (IPFIX's is 4739)");
	memcpy(out->host, h + 1, n);
	out->host[n] = '\0';
	return url_port(close + 2, out, why);
}

/* "name:port" or "1.2.3.4:port". */
static int url_plain(const char *h, struct ix_url *out, const char **why)
{
	const char *colon = strrchr(h, ':');
	size_t n;

	if (!colon)
		return url_fail(why, "no port: end with :PORT (IPFIX's is 4739)");
	n = (size_t)(colon - h);
	if (memchr(h, ':', n))
		return url_fail(why, "an IPv6 address goes in brackets: "
				"udp://[2001:db8::1]:4739");
	if (n == 0)
		return url_fail(why, "no host");
	if (n > IX_HOST_MAX)
		return url_fail(why, "the host is longer than 253 bytes");
	if (!url_all_name(h, n))
		return url_fail(why, "the host may hold only letters, digits, "
				"'.', '-' and '_'");
	memcpy(out->host, h, n);
	out->host[n] = '\0';
	return url_port(colon + 1, out, why);
}

int ix_url_parse(const char *s, struct ix_url *out, const char **why)
{
	const char *h;

	memset(out, 0, sizeof(*out));
	h = url_scheme(s, out);
	if (!h)
		return url_fail(why, "it must begin with udp:// or tcp://");
	return h[0] == '[' ? url_bracketed(h, out, why) :
			     url_plain(h, out, why);
}
