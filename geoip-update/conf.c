/* SPDX-License-Identifier: GPL-2.0-only */
/* conf: the geoip.conf parser. Table-driven: one row per directive. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "geoip-update/conf.h"

#define CONF_MAX_WORDS (GU_MAX_DBS + 2)
#define CONF_LINE_MAX 4096

static const char *const defaults_plain[] = {
	"GeoLite2-City", "GeoLite2-Country", "GeoLite2-ASN",
};
static const char *const defaults_dbip[] = {
	"dbip-city-lite", "dbip-country-lite", "dbip-asn-lite",
};

void gu_conf_defaults(struct gu_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->layout = GU_LAYOUT_PLAIN;
	snprintf(c->ca_file, sizeof(c->ca_file), "/etc/ssl/certs/ca-certificates.crt");
	snprintf(c->mm_conf, sizeof(c->mm_conf), "/etc/GeoIP.conf");
	c->connect_timeout = 10;
	c->timeout = 600;
	c->retries = 2;
	c->retry_delay_ms = 1000;
	c->max_bytes = 1024ull << 20;
}

size_t gu_conf_dbs(const struct gu_conf *c, const char *out[GU_MAX_DBS])
{
	const char *const *d = c->layout == GU_LAYOUT_DBIP ? defaults_dbip :
		defaults_plain;
	size_t i;

	if (c->ndbs) {
		for (i = 0; i < c->ndbs; i++)
			out[i] = c->db[i];
		return c->ndbs;
	}
	for (i = 0; i < 3; i++)
		out[i] = d[i];
	return 3;
}

/* ---- mirrors ------------------------------------------------------------ */

/* host: letters, digits, '-', '.', or an [IPv6] literal; then :port. */
static const char *conf_host_end(const char *s)
{
	if (*s == '[') {
		s++;
		while (isxdigit((unsigned char)*s) || *s == ':' || *s == '.')
			s++;
		if (*s != ']')
			return NULL;
		s++;
	} else {
		const char *b = s;

		while (isalnum((unsigned char)*s) || *s == '-' || *s == '.')
			s++;
		if (s == b)
			return NULL;
	}
	if (*s == ':') {
		const char *p = ++s;

		while (isdigit((unsigned char)*s))
			s++;
		if (s == p || s - p > 5 || atoi(p) < 1 || atoi(p) > 65535)
			return NULL;
	}
	return (*s == '\0' || *s == '/') ? s : NULL;
}

/* The path part: printable ASCII, no quote, backslash or percent tricks
 * beyond what a URL needs; no ".." segment. */
static int conf_path_ok(const char *p)
{
	for (const char *q = p; *q; q++)
		if (*q <= ' ' || *q > '~' || *q == '"' || *q == '\\' || *q == '#')
			return 0;
	return strstr(p, "/../") == NULL;
}

static int conf_mirror(struct gu_conf *c, const char *w, const char **why)
{
	char url[GU_URL_MAX];
	const char *rest;
	int n;

	if (c->nmirrors == GU_MAX_MIRRORS) {
		*why = "too many mirrors";
		return -1;
	}
	if (strncmp(w, "file://", 7) == 0) {
		rest = w + 7;
		if (rest[0] != '/') {
			*why = "a file:// mirror needs an absolute path (file:///dir/)";
			return -1;
		}
		n = snprintf(url, sizeof(url), "%s", w);
	} else {
		const char *scheme = "https://", *host = w;

		if (strncmp(w, "https://", 8) == 0)
			host = w + 8;
		else if (strncmp(w, "http://", 7) == 0)
			scheme = "http://", host = w + 7;
		else if (strstr(w, "://")) {
			*why = "unsupported URL scheme (http, https or file)";
			return -1;
		}
		rest = conf_host_end(host);
		if (!rest) {
			*why = "not a mirror URL or host name";
			return -1;
		}
		n = snprintf(url, sizeof(url), "%s%s", scheme, host);
	}
	if (!conf_path_ok(rest)) {
		*why = "bad character in the mirror's path";
		return -1;
	}
	if (n < 0 || (size_t)n + 2 > sizeof(url)) {
		*why = "mirror URL too long";
		return -1;
	}
	if (url[n - 1] != '/')
		strcat(url, "/");
	memcpy(c->mirror[c->nmirrors++], url, sizeof(url));
	return 0;
}

/* ---- directives --------------------------------------------------------- */

static int conf_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static int conf_path(char *dst, const char *s, const char **why)
{
	if (s[0] != '/') {
		*why = "needs an absolute path";
		return -1;
	}
	if (strlen(s) >= GU_PATH_MAX) {
		*why = "path too long";
		return -1;
	}
	strcpy(dst, s);
	return 0;
}

/* A database name: it becomes a file name and a URL part. */
static int conf_db_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= GU_NAME_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

typedef int (*conf_fn)(struct gu_conf *c, char **arg, size_t n,
		       const char **why);

static int d_layout(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	if (strcmp(arg[0], "plain") == 0)
		c->layout = GU_LAYOUT_PLAIN;
	else if (strcmp(arg[0], "dbip") == 0)
		c->layout = GU_LAYOUT_DBIP;
	else {
		*why = "layout is plain or dbip";
		return -1;
	}
	return 0;
}

static int d_databases(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		if (!conf_db_name_ok(arg[i])) {
			*why = "bad database name (letters, digits, '-', '_', '.')";
			return -1;
		}
		if (c->ndbs == GU_MAX_DBS) {
			*why = "too many databases";
			return -1;
		}
		strcpy(c->db[c->ndbs++], arg[i]);
	}
	return 0;
}

static int d_dir(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return conf_path(c->dir, arg[0], why);
}

static int d_ca(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return conf_path(c->ca_file, arg[0], why);
}

static int d_mmconf(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	if (strcmp(arg[0], "none") == 0) {
		c->mm_conf[0] = '\0';
		return 0;
	}
	return conf_path(c->mm_conf, arg[0], why);
}

static int d_number(unsigned *dst, const char *s, unsigned lo, unsigned hi,
		    const char *msg, const char **why)
{
	if (conf_uint(s, lo, hi, dst) == 0)
		return 0;
	*why = msg;
	return -1;
}

static int d_connect(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return d_number(&c->connect_timeout, arg[0], 1, 300,
			"connect-timeout is 1 to 300 seconds", why);
}

static int d_timeout(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return d_number(&c->timeout, arg[0], 1, 86400,
			"timeout is 1 to 86400 seconds", why);
}

static int d_retries(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return d_number(&c->retries, arg[0], 0, 10, "retries is 0 to 10", why);
}

static int d_delay(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	return d_number(&c->retry_delay_ms, arg[0], 0, 60000,
			"retry-delay is 0 to 60000 milliseconds", why);
}

static int d_maxsize(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	unsigned mib;

	(void)n;
	if (d_number(&mib, arg[0], 1, 16384, "max-size is 1 to 16384 MiB", why) < 0)
		return -1;
	c->max_bytes = (uint64_t)mib << 20;
	return 0;
}

static int d_pubkey(struct gu_conf *c, char **arg, size_t n, const char **why)
{
	(void)n;
	if (c->has_pubkey) {
		*why = "pubkey given twice";
		return -1;
	}
	if (gu_ms_key_parse(&c->pubkey, arg[0], why) < 0)
		return -1;
	c->has_pubkey = 1;
	return 0;
}

static const struct {
	const char *name;
	size_t min, max;     /* arguments */
	conf_fn fn;
} directives[] = {
	{ "layout", 1, 1, d_layout },
	{ "databases", 1, GU_MAX_DBS, d_databases },
	{ "database-directory", 1, 1, d_dir },
	{ "ca-file", 1, 1, d_ca },
	{ "geoipupdate-conf", 1, 1, d_mmconf },
	{ "connect-timeout", 1, 1, d_connect },
	{ "timeout", 1, 1, d_timeout },
	{ "retries", 1, 1, d_retries },
	{ "retry-delay", 1, 1, d_delay },
	{ "max-size", 1, 1, d_maxsize },
	{ "pubkey", 1, 1, d_pubkey },
};

static int conf_directive(struct gu_conf *c, char **w, size_t n,
			  const char **why)
{
	for (size_t i = 0; i < ARRAY_LEN(directives); i++) {
		if (strcmp(directives[i].name, w[0]) != 0)
			continue;
		if (n - 1 < directives[i].min || n - 1 > directives[i].max) {
			*why = "wrong number of arguments";
			return -1;
		}
		return directives[i].fn(c, w + 1, n - 1, why);
	}
	*why = "unknown directive";
	return -1;
}

static int conf_is_directive(const char *w)
{
	for (size_t i = 0; i < ARRAY_LEN(directives); i++)
		if (strcmp(directives[i].name, w) == 0)
			return 1;
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

/* Split line (modified) into words; drops a '#' comment. -1: too many. */
static int conf_words(char *line, char **w, size_t *n)
{
	char *p = strchr(line, '#');

	if (p)
		*p = '\0';
	*n = 0;
	for (p = strtok(line, " \t\r"); p; p = strtok(NULL, " \t\r")) {
		if (*n == CONF_MAX_WORDS)
			return -1;
		w[(*n)++] = p;
	}
	return 0;
}

static int conf_line(struct gu_conf *c, char *line, const char **why)
{
	char *w[CONF_MAX_WORDS];
	size_t n;

	for (char *p = line; *p; p++) {
		if ((unsigned char)*p < ' ' && *p != '\t' && *p != '\r') {
			*why = "control character";
			return -1;
		}
	}
	if (conf_words(line, w, &n) < 0) {
		*why = "too many words";
		return -1;
	}
	if (n == 0)
		return 0;
	if (n == 1 && conf_is_directive(w[0])) {
		*why = "directive without an argument";
		return -1;
	}
	return n == 1 ? conf_mirror(c, w[0], why) : conf_directive(c, w, n, why);
}

int gu_conf_parse(struct gu_conf *c, const char *text, size_t len,
		  const char *fname, char *err, size_t errlen)
{
	char line[CONF_LINE_MAX];
	size_t at = 0, lineno = 0;

	gu_conf_defaults(c);
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (text + at)) : len - at;
		const char *why = NULL;

		lineno++;
		if (l >= sizeof(line))
			why = "line too long";
		else if (memchr(text + at, '\0', l))
			why = "NUL byte";
		if (!why) {
			memcpy(line, text + at, l);
			line[l] = '\0';
			conf_line(c, line, &why);
		}
		if (why) {
			snprintf(err, errlen, "%s:%zu: %s", fname, lineno, why);
			return -1;
		}
		at += l + 1;
	}
	return 0;
}

char *gu_read_small(const char *path, size_t max, size_t *len, char *err,
		    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	ssize_t r;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max)
		snprintf(err, errlen, "%s: not a regular file of at most %zu bytes",
			 path, max);
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		snprintf(err, errlen, "%s: out of memory", path);
	else if ((r = read(fd, buf, (size_t)st.st_size)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		buf[r] = '\0';
		*len = (size_t)r;
	}
	close(fd);
	return buf;
}

int gu_conf_load(struct gu_conf *c, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text;
	int rc;

	text = gu_read_small(path, 64 << 10, &len, err, errlen);
	if (!text)
		return -1;
	rc = gu_conf_parse(c, text, len, path, err, errlen);
	free(text);
	return rc;
}
