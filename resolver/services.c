/* SPDX-License-Identifier: GPL-2.0-only */
/* services: port -> service name tables (see services.h).
 *
 * Layout, chosen for size: per protocol a sorted array of the ports that
 * have a name and a parallel array of offsets into one pool of
 * NUL-terminated names, searched by bisection. A port named alike for
 * several protocols (most of /etc/services names a port for both tcp and
 * udp) stores its name once.
 *
 * While loading, a scratch table per protocol indexed by port makes
 * "first wins" one look-up and spares a sort. It has two levels (256
 * blocks of 256 ports, a block made when a port in it is first named) so
 * that a small file does not pay for 65536 slots; it is freed before
 * svc_load() returns, so the loaded set costs only what it names.
 *
 * The files are root's configuration, but the parser still treats them as
 * untrusted bytes: every line is bounded, every name checked against a
 * small alphabet, so nothing odd can reach a terminal through a name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common/util.h"
#include "privsep/lookup_wire.h"
#include "resolver/services.h"

/* Longer lines are reported and skipped; no real line comes close. */
#define SVC_LINE_MAX 1024
#define SVC_PORTS 65536u
#define SVC_BLOCK 256u           /* ports per scratch block */
#define SVC_BLOCKS (SVC_PORTS / SVC_BLOCK)
#define SVC_POOL_MIN 4096u
/* Bounds what getline may allocate: the full IANA registry is ~1 MiB. */
#define SVC_FILE_MAX (16 << 20)

static const char svc_not_found[] = "not found";

enum svc_tab { TAB_TCP, TAB_UDP, TAB_SCTP, TAB_DCCP, TAB_COUNT };

struct svc_table {
	uint32_t n;
	uint16_t *ports;       /* ascending, unique */
	uint32_t *offs;        /* offs[i]: name of ports[i], offset in pool */
};

struct services {
	struct svc_table tab[TAB_COUNT];
	char *pool;
};

/* Which table answers for a kernel protocol number. */
static const struct {
	uint8_t l4proto;
	uint8_t tab;
} svc_l4[] = {
	{ IPPROTO_TCP, TAB_TCP },
	{ IPPROTO_UDP, TAB_UDP },
	{ IPPROTO_UDPLITE, TAB_UDP },  /* as upstream: same ports as UDP */
	{ IPPROTO_SCTP, TAB_SCTP },
	{ IPPROTO_DCCP, TAB_DCCP },
};

/* Protocol words of /etc/services that we keep; others (ddp) are skipped. */
static const struct {
	const char *word;
	uint8_t tab;
} svc_words[] = {
	{ "tcp", TAB_TCP },
	{ "udp", TAB_UDP },
	{ "sctp", TAB_SCTP },
	{ "dccp", TAB_DCCP },
};

/* A parsed line: tab < 0 when the line names nothing we keep. */
struct svc_entry {
	int tab;
	uint16_t port;
	const char *name;
	size_t len;
};

/* The unread rest of a line, which may hold NUL bytes. */
struct svc_cur {
	const char *p, *end;
};

typedef const char *(*svc_parse_fn)(struct svc_cur *c, int tab,
				    struct svc_entry *e);

struct svc_loader {
	struct services *s;
	/* slot[tab][port / SVC_BLOCK][port % SVC_BLOCK]: 1 + name offset,
	 * 0 unnamed; a NULL block names nothing. */
	uint32_t *slot[TAB_COUNT][SVC_BLOCKS];
	size_t pool_len, pool_cap;
	svc_report_fn report;
	void *ctx;
	const char *file;        /* for reports */
	unsigned long line;
	int oom;
};

__attribute__((format(printf, 2, 3)))
static void svc_say(const struct svc_loader *ld, const char *fmt, ...)
{
	char msg[PATH_MAX + 128];
	va_list ap;

	if (!ld->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->report(ld->ctx, msg);
}

/* ---- the line grammar ---- */

static int svc_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void svc_skip_space(struct svc_cur *c)
{
	while (c->p < c->end && svc_space(*c->p))
		c->p++;
}

/* Nothing but white space and perhaps a comment is left. */
static int svc_rest_empty(struct svc_cur *c)
{
	svc_skip_space(c);
	return c->p == c->end || *c->p == '#';
}

/* The next word: up to white space, '#', the end of the line, or the byte
 * stop (-1: none). A NUL byte is part of the word, so the name check sees
 * it instead of a C string function stopping at it. */
static size_t svc_word(struct svc_cur *c, int stop, const char **w)
{
	*w = c->p;
	while (c->p < c->end && !svc_space(*c->p) && *c->p != '#' &&
	       (unsigned char)*c->p != stop)
		c->p++;
	return (size_t)(c->p - *w);
}

/* Decimal digits only: no sign, no hex, nothing strtoul would forgive. */
static const char *svc_port(const char *w, size_t len, uint16_t *port)
{
	uint32_t v = 0;

	if (len == 0)
		return "missing port";
	for (size_t i = 0; i < len; i++) {
		if (w[i] < '0' || w[i] > '9')
			return "bad port";
		if (v <= 65535)        /* stays above once above: no overflow */
			v = v * 10 + (uint32_t)(w[i] - '0');
	}
	if (v > 65535)
		return "port out of range";
	*port = (uint16_t)v;
	return NULL;
}

/* RFC 6335 names are letters, digits and '-'; older registrations and
 * local files add . _ + /. A name may reach a terminal, so nothing else
 * passes. */
static int svc_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
	       ch == '+' || ch == '-' || ch == '/';
}

static const char *svc_check_name(const char *w, size_t len)
{
	if (len == 0)
		return "missing name";
	for (size_t i = 0; i < len; i++)
		if (!svc_name_char(w[i]))
			return "bad character in name";
	if (len >= SERVICE_NAME_LEN)
		return "name too long";
	return NULL;
}

/* netsniff-ng's tcp.conf / udp.conf: "port, name" [# comment] */
static const char *svc_parse_conf(struct svc_cur *c, int tab,
				  struct svc_entry *e)
{
	const char *w, *why;
	size_t n;

	if (svc_rest_empty(c))
		return NULL;
	n = svc_word(c, ',', &w);
	why = svc_port(w, n, &e->port);
	if (why)
		return why;
	svc_skip_space(c);
	if (c->p == c->end || *c->p != ',')
		return "expected ',' after port";
	c->p++;
	svc_skip_space(c);
	e->len = svc_word(c, -1, &e->name);
	why = svc_check_name(e->name, e->len);
	if (why)
		return why;
	if (!svc_rest_empty(c))
		return "trailing garbage after name";
	e->tab = tab;
	return NULL;
}

static int svc_word_tab(const char *w, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(svc_words); i++)
		if (strlen(svc_words[i].word) == len &&
		    memcmp(svc_words[i].word, w, len) == 0)
			return svc_words[i].tab;
	return -1;
}

/* /etc/services: "name port/proto [aliases...]" [# comment]. Aliases are
 * not used, so they are not judged either. */
static const char *svc_parse_etc(struct svc_cur *c, int tab,
				 struct svc_entry *e)
{
	const char *w, *why;
	size_t n;

	(void)tab;
	if (svc_rest_empty(c))
		return NULL;
	e->len = svc_word(c, -1, &e->name);
	why = svc_check_name(e->name, e->len);
	if (why)
		return why;
	svc_skip_space(c);
	n = svc_word(c, '/', &w);
	why = svc_port(w, n, &e->port);
	if (why)
		return why;
	if (c->p == c->end || *c->p != '/')
		return "expected '/protocol' after port";
	c->p++;
	n = svc_word(c, -1, &w);
	if (n == 0)
		return "missing protocol";
	e->tab = svc_word_tab(w, n);
	return NULL;
}

/* ---- building the tables ---- */

static uint32_t svc_slot_get(const struct svc_loader *ld, int tab,
			     uint16_t port)
{
	const uint32_t *block = ld->slot[tab][port / SVC_BLOCK];

	return block ? block[port % SVC_BLOCK] : 0;
}

static int svc_slot_set(struct svc_loader *ld, int tab, uint16_t port,
			uint32_t v)
{
	uint32_t **block = &ld->slot[tab][port / SVC_BLOCK];

	if (!*block) {
		*block = calloc(SVC_BLOCK, sizeof(**block));
		if (!*block)
			return -1;
	}
	(*block)[port % SVC_BLOCK] = v;
	return 0;
}

static void svc_slots_free(struct svc_loader *ld)
{
	for (int tab = 0; tab < TAB_COUNT; tab++)
		for (unsigned b = 0; b < SVC_BLOCKS; b++)
			free(ld->slot[tab][b]);
}

/* Offset of an equal name already stored for port by another protocol. */
static int svc_shared(struct svc_loader *ld, int tab, uint16_t port,
		      const struct svc_entry *e, uint32_t *off)
{
	for (int t = 0; t < TAB_COUNT; t++) {
		uint32_t v = svc_slot_get(ld, t, port);
		const char *name;

		if (t == tab || v == 0)
			continue;
		name = ld->s->pool + v - 1;
		if (strncmp(name, e->name, e->len) == 0 && name[e->len] == '\0') {
			*off = v - 1;
			return 1;
		}
	}
	return 0;
}

static int svc_pool_put(struct svc_loader *ld, const struct svc_entry *e,
			uint32_t *off)
{
	if (ld->pool_cap - ld->pool_len < e->len + 1) {
		size_t cap = ld->pool_cap ? ld->pool_cap * 2 : SVC_POOL_MIN;
		char *p = realloc(ld->s->pool, cap);

		if (!p)
			return -1;
		ld->s->pool = p;
		ld->pool_cap = cap;
	}
	memcpy(ld->s->pool + ld->pool_len, e->name, e->len);
	ld->s->pool[ld->pool_len + e->len] = '\0';
	*off = (uint32_t)ld->pool_len;
	ld->pool_len += e->len + 1;
	return 0;
}

/* First wins: conf files are read before /etc/services, so they override it. */
static int svc_add(struct svc_loader *ld, const struct svc_entry *e)
{
	uint32_t off;

	if (svc_slot_get(ld, e->tab, e->port))
		return 0;
	if (!svc_shared(ld, e->tab, e->port, e, &off) &&
	    svc_pool_put(ld, e, &off) < 0)
		return -1;
	if (svc_slot_set(ld, e->tab, e->port, off + 1) < 0)
		return -1;
	ld->s->tab[e->tab].n++;
	return 0;
}

/* Walking the slots in port order gives the sorted arrays directly. */
static int svc_finish_table(struct svc_loader *ld, int tab)
{
	struct svc_table *t = &ld->s->tab[tab];
	uint32_t i = 0;

	if (t->n == 0)
		return 0;
	t->ports = malloc(t->n * sizeof(*t->ports));
	t->offs = malloc(t->n * sizeof(*t->offs));
	if (!t->ports || !t->offs)
		return -1;
	for (unsigned b = 0; b < SVC_BLOCKS; b++) {
		const uint32_t *block = ld->slot[tab][b];

		for (unsigned k = 0; block && k < SVC_BLOCK; k++) {
			if (block[k] == 0)
				continue;
			t->ports[i] = (uint16_t)(b * SVC_BLOCK + k);
			t->offs[i] = block[k] - 1;
			i++;
		}
	}
	return 0;
}

static int svc_finish(struct svc_loader *ld)
{
	for (int tab = 0; tab < TAB_COUNT; tab++)
		if (svc_finish_table(ld, tab) < 0)
			return -1;
	/* Give back the pool's growth slack; failing to is harmless. */
	if (ld->pool_len && ld->pool_len < ld->pool_cap) {
		char *p = realloc(ld->s->pool, ld->pool_len);

		if (p)
			ld->s->pool = p;
	}
	return 0;
}

/* ---- reading the files ---- */

static void svc_line(struct svc_loader *ld, const char *line, size_t len,
		     svc_parse_fn parse, int tab)
{
	struct svc_entry e = { .tab = -1 };
	struct svc_cur c;
	const char *why;

	if (len && line[len - 1] == '\n')
		len--;
	if (len > SVC_LINE_MAX) {
		svc_say(ld, "%s:%lu: line longer than %d bytes", ld->file,
			ld->line, SVC_LINE_MAX);
		return;
	}
	c.p = line;
	c.end = line + len;
	why = parse(&c, tab, &e);
	if (why)
		svc_say(ld, "%s:%lu: %s", ld->file, ld->line, why);
	else if (e.tab >= 0 && svc_add(ld, &e) < 0)
		ld->oom = 1;
}

static void svc_read(struct svc_loader *ld, FILE *f, svc_parse_fn parse,
		     int tab)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	ld->line = 0;
	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		ld->line++;
		svc_line(ld, line, (size_t)len, parse, tab);
		if (ld->oom)
			break;
	}
	if (len < 0 && errno == ENOMEM)
		ld->oom = 1;
	else if (ferror(f))
		svc_say(ld, "%s: read error: %s", ld->file, strerror(errno));
	free(line);
}

/* Regular files only, opened without blocking: --conf-dir is the user's
 * choice, and a FIFO there would hang the start, a device like /dev/zero
 * would make getline grow without end. fd is the open file (taken), or
 * -errno of the open that failed. NULL, or why the file is not read. */
static const char *svc_take(int fd, FILE **fp)
{
	const char *why = NULL;
	struct stat st;

	if (fd < 0)
		return fd == -ENOENT ? svc_not_found : strerror(-fd);
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > SVC_FILE_MAX)
		why = "larger than 16 MiB";
	else if (!(*fp = fdopen(fd, "r")))
		why = strerror(errno);
	if (why)
		close(fd);
	return why;
}

int svc_open_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	return fd < 0 ? -errno : fd;
}

static const char *svc_open(const char *path, FILE **fp)
{
	return svc_take(svc_open_file(path), fp);
}

/* A conf file that can't be read is a hint, not an error: upstream
 * installs lack them too, and /etc/services still names the common ports.
 * fd: the file opened already (or -errno), SVC_BY_PATH to open it here. */
static void svc_load_conf(struct svc_loader *ld, const char *conf_dir,
			  const char *base, int tab, const char *etc, int fd)
{
	const char *why;
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", conf_dir, base) < 0) {
		if (fd >= 0)
			close(fd);
		ld->oom = 1;
		return;
	}
	ld->file = path;
	why = fd == SVC_BY_PATH ? svc_open(path, &f) : svc_take(fd, &f);
	if (why && etc)
		svc_say(ld, "%s: %s, using %s only", path, why, etc);
	else if (why)
		svc_say(ld, "%s: %s", path, why);
	else {
		svc_read(ld, f, svc_parse_conf, tab);
		fclose(f);
	}
	free(path);
}

/* A missing /etc/services is quietly no names (minimal containers).
 * fd as for svc_load_conf. */
static void svc_load_etc(struct svc_loader *ld, const char *etc, int fd)
{
	FILE *f;
	const char *why = fd == SVC_BY_PATH ? svc_open(etc, &f) : svc_take(fd, &f);

	ld->file = etc;
	if (why) {
		if (why != svc_not_found)
			svc_say(ld, "%s: %s", etc, why);
		return;
	}
	svc_read(ld, f, svc_parse_etc, -1);
	fclose(f);
}

/* conf_dir or etc_services NULL: that source is skipped (tests, fuzzing). */
struct services *svc_load_fds(const char *conf_dir, const int conf_fd[2],
			      const char *etc_services, int etc_fd,
			      svc_report_fn report, void *ctx)
{
	struct svc_loader ld = { .report = report, .ctx = ctx };
	int fd[3] = { SVC_BY_PATH, SVC_BY_PATH, etc_fd };

	if (conf_fd) {
		fd[0] = conf_fd[0];
		fd[1] = conf_fd[1];
	}
	ld.s = calloc(1, sizeof(*ld.s));
	if (!ld.s)
		goto oom;
	if (conf_dir) {
		svc_load_conf(&ld, conf_dir, "tcp.conf", TAB_TCP, etc_services,
			      fd[0]);
		fd[0] = SVC_BY_PATH;
		if (!ld.oom)
			svc_load_conf(&ld, conf_dir, "udp.conf", TAB_UDP,
				      etc_services, fd[1]);
		fd[1] = SVC_BY_PATH;
	}
	if (etc_services && !ld.oom) {
		svc_load_etc(&ld, etc_services, fd[2]);
		fd[2] = SVC_BY_PATH;
	}
	if (ld.oom || svc_finish(&ld) < 0)
		goto oom;
	svc_slots_free(&ld);
	return ld.s;
oom:
	for (int i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	svc_slots_free(&ld);
	svc_free(ld.s);
	return NULL;
}

struct services *svc_load(const char *conf_dir, const char *etc_services,
			  svc_report_fn report, void *ctx)
{
	return svc_load_fds(conf_dir, NULL, etc_services, SVC_BY_PATH, report,
			    ctx);
}

void svc_free(struct services *s)
{
	if (!s)
		return;
	for (int tab = 0; tab < TAB_COUNT; tab++) {
		free(s->tab[tab].ports);
		free(s->tab[tab].offs);
	}
	free(s->pool);
	free(s);
}

static int svc_tab_of(uint8_t l4proto)
{
	for (size_t i = 0; i < ARRAY_LEN(svc_l4); i++)
		if (svc_l4[i].l4proto == l4proto)
			return svc_l4[i].tab;
	return -1;
}

const char *svc_name(const struct services *s, uint8_t l4proto, uint16_t port)
{
	const struct svc_table *t;
	uint32_t lo = 0, hi;
	int tab = svc_tab_of(l4proto);

	if (!s || tab < 0)
		return NULL;
	t = &s->tab[tab];
	hi = t->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && t->ports[lo] == port)
		return s->pool + t->offs[lo];
	return NULL;
}
