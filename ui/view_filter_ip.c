/* SPDX-License-Identifier: GPL-2.0-only */
/* view_filter_ip: does the filter occur in an IPv4 address's dotted quad?
 * Answered from tables made once per filter, without writing the quad:
 * an address filter is tried on two addresses of every flow, and writing
 * and scanning 600k quads costs several frames.
 *
 * A filter with no dot lies inside one octet's digits. One with dots
 * "s0.s1...sm" lies across m + 1 consecutive octets: s0 ends the first
 * octet's text, each middle part is a whole octet, sm starts the last. */
#include <stdio.h>
#include <string.h>

#include "ui/view_int.h"

/* The middle part as an octet's canonical text ("7", not "07"); -1 if no
 * octet is written so. */
static int vi_octet(const char *s, size_t n)
{
	char buf[4];
	unsigned v = 0;

	if (n == 0 || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v > 255)
		return -1;
	snprintf(buf, sizeof(buf), "%u", v);
	return strlen(buf) == n && !memcmp(buf, s, n) ? (int)v : -1;
}

/* Tables for the parts at either end: first[o] when octet o's text ends
 * with the first part, last[o] when it starts with the last (or holds
 * the whole filter, when it has no dot). */
static void vi_ends(struct vf_ip4 *p, const char *f, size_t first_len,
		    const char *last, size_t last_len)
{
	for (unsigned o = 0; o < 256; o++) {
		char t[4];
		size_t n = (size_t)snprintf(t, sizeof(t), "%u", o);

		if (p->dots == 0) {
			p->first[o] = strstr(t, f) != NULL;
			continue;
		}
		p->first[o] = first_len <= n &&
			!memcmp(t + n - first_len, f, first_len);
		p->last[o] = last_len <= n && !memcmp(t, last, last_len);
	}
}

void vf_ip4_compile(struct vf_ip4 *p, const char *f)
{
	const char *seg = f, *dot;
	unsigned j = 0;

	memset(p, 0, sizeof(*p));
	p->ok = f[0] && strspn(f, "0123456789.") == strlen(f);
	for (const char *c = f; *c; c++)
		p->dots += *c == '.';
	if (!p->ok || p->dots > 3) {
		p->ok = 0;
		return;
	}
	/* Middle parts: the whole octets between the first and last dot. */
	dot = strchr(f, '.');
	while (dot && (seg = dot + 1, dot = strchr(seg, '.')) != NULL) {
		p->mid[j] = vi_octet(seg, (size_t)(dot - seg));
		if (p->mid[j++] < 0)
			p->ok = 0;
	}
	vi_ends(p, f, p->dots ? (size_t)(strchr(f, '.') - f) : 0,
		seg, strlen(seg));
}

int vf_ip4_match(const struct vf_ip4 *p, const uint8_t *a)
{
	if (!p->ok)
		return 0;
	if (p->dots == 0)
		return p->first[a[0]] | p->first[a[1]] | p->first[a[2]] |
		       p->first[a[3]];
	for (unsigned i = 0; i + p->dots <= 3; i++) {
		unsigned j = 1;

		if (!p->first[a[i]])
			continue;
		while (j < p->dots && a[i + j] == p->mid[j - 1])
			j++;
		if (j == p->dots && p->last[a[i + p->dots]])
			return 1;
	}
	return 0;
}
