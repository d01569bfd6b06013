/* SPDX-License-Identifier: GPL-2.0-only */
/* mmconf: geoipupdate's GeoIP.conf, the keys flowtop -u uses. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "geoip-update/mmconf.h"

#define MM_MAX_WORDS (GU_MAX_DBS + 1)

/* geoipupdate's keys that do not concern us (its proxy, lock, parallel
 * downloads...): valid in the file, so accepted, and ignored. */
static const char *const mm_ignored[] = {
	"Proxy", "ProxyUserPassword", "PreserveFileTimes", "LockFile",
	"RetryFor", "Parallelism", "Protocol", "SkipHostnameVerification",
	"SkipPeerVerification",
};

static int mm_token_ok(const char *s, const char *extra)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

static int mm_set(char *dst, size_t sz, const char *v, const char *extra,
		  const char **why, const char *msg)
{
	if (strlen(v) >= sz || !mm_token_ok(v, extra)) {
		*why = msg;
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

/* Host is "host[:port]" (https implied) or a full http(s):// URL, as in
 * geoipupdate 6 and later. */
static int mm_host(struct gu_mm *m, const char *v, const char **why)
{
	const char *scheme = "https://", *h = v;

	if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		scheme = "http://", h = v + 7;
	if (!mm_token_ok(h, "-.:[]") ||
	    (size_t)snprintf(m->base, sizeof(m->base), "%s%s", scheme, h) >=
	    sizeof(m->base)) {
		*why = "bad Host";
		return -1;
	}
	return 0;
}

static int mm_editions(struct gu_mm *m, char **w, size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		if (m->neditions == GU_MAX_DBS) {
			*why = "too many EditionIDs";
			return -1;
		}
		if (mm_set(m->edition[m->neditions], GU_NAME_MAX, w[i], "-_",
			   why, "bad edition ID") < 0)
			return -1;
		m->neditions++;
	}
	return 0;
}

static int mm_key(struct gu_mm *m, char **w, size_t n, const char **why)
{
	const char *k = w[0];

	if (strcmp(k, "EditionIDs") == 0 || strcmp(k, "ProductIds") == 0)
		return mm_editions(m, w + 1, n - 1, why);
	for (size_t i = 0; i < ARRAY_LEN(mm_ignored); i++)
		if (strcmp(k, mm_ignored[i]) == 0)
			return 0;
	if (n != 2) {
		*why = n < 2 ? "key without a value" : "unknown key or extra words";
		return -1;
	}
	if ((strcmp(k, "AccountID") == 0 || strcmp(k, "UserId") == 0) &&
	    strspn(w[1], "0123456789") != strlen(w[1])) {
		*why = "AccountID is a number";
		return -1;
	}
	if (strcmp(k, "AccountID") == 0 || strcmp(k, "UserId") == 0)
		return mm_set(m->account, sizeof(m->account), w[1], "", why,
			      "AccountID is a number");
	if (strcmp(k, "LicenseKey") == 0)
		return mm_set(m->key, sizeof(m->key), w[1], "_-", why,
			      "bad LicenseKey");
	if (strcmp(k, "DatabaseDirectory") == 0) {
		if (w[1][0] != '/' || strlen(w[1]) >= sizeof(m->dir)) {
			*why = "DatabaseDirectory needs an absolute path";
			return -1;
		}
		strcpy(m->dir, w[1]);
		return 0;
	}
	if (strcmp(k, "Host") == 0)
		return mm_host(m, w[1], why);
	*why = "unknown key";
	return -1;
}

static int mm_line(struct gu_mm *m, char *line, const char **why)
{
	char *w[MM_MAX_WORDS], *p = strchr(line, '#');
	size_t n = 0;

	if (p)
		*p = '\0';
	for (p = line; *p; p++)
		if ((unsigned char)*p < ' ' && *p != '\t' && *p != '\r') {
			*why = "control character";
			return -1;
		}
	for (p = strtok(line, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (n == MM_MAX_WORDS) {
			*why = "too many words";
			return -1;
		}
		w[n++] = p;
	}
	return n ? mm_key(m, w, n, why) : 0;
}

int gu_mm_parse(struct gu_mm *m, const char *text, size_t len,
		const char *fname, char *err, size_t errlen)
{
	char line[4096];
	size_t at = 0, lineno = 0, host_line = 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->base, sizeof(m->base), "https://%s", GU_MM_HOST_DEFAULT);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (text + at)) : len - at;
		const char *why = NULL;

		lineno++;
		if (l >= sizeof(line) || memchr(text + at, '\0', l))
			why = "line too long or NUL byte";
		else {
			memcpy(line, text + at, l);
			line[l] = '\0';
			/* strtok left the first word NUL-terminated. */
			if (mm_line(m, line, &why) == 0 &&
			    strcmp(line + strspn(line, " \t\r"), "Host") == 0)
				host_line = lineno;
		}
		if (why) {
			snprintf(err, errlen, "%s:%zu: %s", fname, lineno, why);
			return -1;
		}
		at += l + 1;
	}
	/* The account's AccountID:LicenseKey go as basic auth to Host. */
	if (host_line && strncmp(m->base, "http://", 7) == 0 &&
	    (m->key[0] || m->account[0])) {
		snprintf(err, errlen, "%s:%zu: Host is plain http://, which would "
			 "send the AccountID and LicenseKey in clear: use https://",
			 fname, host_line);
		return -1;
	}
	return 0;
}

int gu_mm_load(struct gu_mm *m, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!path || !path[0] || (access(path, F_OK) < 0 && errno == ENOENT))
		return 0;
	text = gu_read_small(path, 64 << 10, &len, err, errlen);
	if (!text)
		return -1;
	rc = gu_mm_parse(m, text, len, path, err, errlen);
	free(text);
	return rc;
}

int gu_mm_usable(const struct gu_mm *m)
{
	return m->account[0] && m->key[0] && m->neditions > 0;
}
