/* SPDX-License-Identifier: GPL-2.0-only */
/* geoip: the resolver's set of GeoIP databases: which directories, in
 * which order they answer, live reload. Reading one file, and every check
 * of its contents, is common/geofile.c's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/escape.h"
#include "common/util.h"
#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "resolver/geoip.h"

_Static_assert(GEO_TEXT_LEN == LOOKUP_TEXT_LEN,
	       "a geo_info field fits a lookup answer's");

/* st in f: the same file reached twice is opened once, and a replaced
 * file is noticed by its inode, mtime and size. */
struct geo_db {
	struct geofile f;      /* allocated once: entries point back at it */
	const char *dir;       /* the directory it was found in (caller's) */
	char name[256];        /* its name there */
};

/* A file refused during a reload, so it is reported only once. */
struct geo_seen_bad {
	char name[256];
	ino_t ino;
	struct timespec mtime;
	off_t size;
};

#define GEO_BAD_MAX 16

struct geo {
	struct geo_db **db;    /* city first, then country, then ASN */
	size_t n;
	const char *watch_dir; /* geo_watch(): databases of this dir... */
	const char *watch_root;  /* ...are now found here */
	struct geo_seen_bad bad[GEO_BAD_MAX];
	size_t nbad;
};

struct geo_rep {
	geo_report_fn fn;
	void *ctx;
};

/* ---- reporting --------------------------------------------------------- */

static void geo_say(const struct geo_rep *r, const char *what,
		    const char *reason)
{
	char safe[1024], line[1200];

	if (!r->fn)
		return;
	/* A file name is as untrusted as its contents. */
	esc_term(safe, sizeof(safe), what, strlen(what));
	snprintf(line, sizeof(line), "%s: %s", safe, reason);
	r->fn(r->ctx, line);
}

static void geo_hint(const struct geo_rep *r, const char *const *dirs)
{
	char list[1024] = "", safe[512], line[1200];
	size_t at = 0;

	if (!r->fn)
		return;
	for (size_t i = 0; dirs && dirs[i]; i++) {
		esc_term(safe, sizeof(safe), dirs[i], strlen(dirs[i]));
		int n = snprintf(list + at, sizeof(list) - at, "%s%s",
				 i ? ", " : " in ", safe);
		if (n < 0 || (size_t)n >= sizeof(list) - at)
			break;
		at += (size_t)n;
	}
	snprintf(line, sizeof(line),
		 "no GeoIP database found%s: run 'flowtop -u' to download them",
		 list);
	r->fn(r->ctx, line);
}

/* ---- opening ----------------------------------------------------------- */

static int geo_rank(unsigned roles)
{
	if (roles & GEO_ROLE_CITY)
		return 0;
	return (roles & GEO_ROLE_COUNTRY) ? 1 : 2;
}

/* Insert behind every database of the same or better rank, so the order
 * is by rank, then directory, then file name. */
static int geo_add(struct geo *g, struct geo_db *db)
{
	struct geo_db **v = realloc(g->db, (g->n + 1) * sizeof(*v));
	size_t at = g->n;

	if (!v)
		return -1;
	g->db = v;
	while (at > 0 && geo_rank(v[at - 1]->f.roles) > geo_rank(db->f.roles))
		at--;
	memmove(v + at + 1, v + at, (g->n - at) * sizeof(*v));
	v[at] = db;
	g->n++;
	return 0;
}

static int geo_seen(const struct geo *g, const struct stat *st)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->db[i]->f.st.st_dev == st->st_dev &&
		    g->db[i]->f.st.st_ino == st->st_ino)
			return 1;
	return 0;
}

/* Open and check one database. NULL with *bad set (in why) when refused,
 * NULL with *bad NULL when out of memory. */
static struct geo_db *geo_db_open(const char *path, const struct stat *st,
				  const char **bad, char *why, size_t whysz)
{
	struct geo_db *db = calloc(1, sizeof(*db));
	int rc;

	*bad = NULL;
	if (!db)
		return NULL;
	rc = geofile_open(&db->f, path, st, why, whysz);
	if (rc == 0)
		return db;
	if (rc == -1)
		*bad = why;
	free(db);
	return NULL;
}

/* One more database: the file shown as path in messages, opened through
 * at (the same path, or a descriptor's /proc/self/fd/N), whose stat is
 * st. -1 only when out of memory. */
static int geo_add_file(struct geo *g, const char *path, const char *at,
			const struct stat *st, const char *dir, const char *name,
			const struct geo_rep *r)
{
	struct geo_db *db;
	const char *bad;
	char why[256];

	if (geo_seen(g, st))
		return 0;
	if (!(db = geo_db_open(at, st, &bad, why, sizeof(why)))) {
		if (!bad)
			return -1;
		geo_say(r, path, bad);
		return 0;
	}
	db->dir = dir;
	snprintf(db->name, sizeof(db->name), "%s", name);
	if (geo_add(g, db) == 0)
		return 0;
	geofile_close(&db->f);
	free(db);
	return -1;
}

static int geo_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "*.mmdb", not hidden: an updater's half-written file starts with a dot
 * or ends otherwise. */
static int geo_wanted(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".mmdb") == 0;
}

static void geo_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The *.mmdb names of dir, sorted bytewise (not by locale) so the order,
 * and so which database wins a field, is the same everywhere. */
static int geo_list(DIR *d, char ***names, size_t *n)
{
	struct dirent *de;

	*names = NULL;
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		char **v;

		if (!geo_wanted(de->d_name))
			continue;
		if (!(v = realloc(*names, (*n + 1) * sizeof(*v))) ||
		    !(v[*n] = strdup(de->d_name))) {
			if (v)
				*names = v;
			geo_free_names(*names, *n);
			*names = NULL;
			*n = 0;
			return -1;
		}
		*names = v;
		(*n)++;
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), geo_cmp_names);
	return 0;
}

static struct geo *geo_new(void)
{
	return calloc(1, sizeof(struct geo));
}

/* ---- opened first, read once confined ------------------------------------ */

struct geo_pre_file {
	const char *dir;       /* one of the directories given */
	char *name;
	int fd;                /* the open file, or -errno of its open */
	int copied;            /* fd is a memfd copy of it */
};

struct geo_pre {
	const char *const *dirs;
	int *dir_err;          /* each directory's opendir errno, or 0 */
	struct geo_pre_file *f;
	size_t n;
};

void geo_pre_free(struct geo_pre *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		if (p->f[i].fd >= 0)
			close(p->f[i].fd);
		free(p->f[i].name);
	}
	free(p->f);
	free(p->dir_err);
	free(p);
}

/* dir's *.mmdb files, each opened (symbolic links followed, as the
 * reload does; a FIFO must not block), appended to p. -1 when out of
 * memory. */
static int geo_pre_dir(struct geo_pre *p, size_t k)
{
	DIR *d = opendir(p->dirs[k]);
	char **names;
	size_t n;

	if (!d) {
		p->dir_err[k] = errno;
		return 0;
	}
	if (geo_list(d, &names, &n) < 0) {
		closedir(d);
		return -1;
	}
	struct geo_pre_file *v = n ? realloc(p->f, (p->n + n) * sizeof(*v)) : p->f;

	if (n && !v) {
		closedir(d);
		geo_free_names(names, n);
		return -1;
	}
	p->f = v;
	for (size_t i = 0; i < n; i++) {
		int fd = openat(dirfd(d), names[i],
				O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

		v[p->n++] = (struct geo_pre_file){
			.dir = p->dirs[k], .name = names[i],
			.fd = fd < 0 ? -errno : fd,
		};
	}
	free(names);   /* the strings now belong to p->f */
	closedir(d);
	return 0;
}

struct geo_pre *geo_preopen(const char *const *dirs)
{
	struct geo_pre *p = calloc(1, sizeof(*p));
	size_t nd = 0;

	if (!p)
		return NULL;
	while (dirs && dirs[nd])
		nd++;
	p->dirs = dirs;
	if (nd && !(p->dir_err = calloc(nd, sizeof(*p->dir_err)))) {
		free(p);
		return NULL;
	}
	for (size_t k = 0; k < nd; k++) {
		if (geo_pre_dir(p, k) < 0) {
			geo_pre_free(p);
			return NULL;
		}
	}
	return p;
}

/* Whether name, resolved with dfd as the root (as a process chrooted
 * there would resolve it: an absolute symbolic link stays inside), is the
 * file fd has open. */
static int geo_same_in_root(int dfd, const char *name, int fd)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT,
	};
	struct stat a, b;
	int t = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	int same;

	if (t < 0)
		return 0;
	same = fstat(t, &a) == 0 && fstat(fd, &b) == 0 &&
		a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	close(t);
	return same;
}

int geo_pre_only_in(const struct geo_pre *p, const char *dir)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), ok = dfd >= 0;

	for (size_t i = 0; ok && i < p->n; i++)
		ok = strcmp(p->f[i].dir, dir) == 0 &&
			(p->f[i].fd < 0 || geo_same_in_root(dfd, p->f[i].name,
							     p->f[i].fd));
	if (dfd >= 0)
		close(dfd);
	return ok;
}

/* A copy of the file behind fd in memory, for a file the resolver's
 * identity may not open itself: fd is read, which needs no permission.
 * The memfd, or -1. */
static int geo_copy(int fd, off_t size)
{
	char buf[65536];
	off_t at = 0;
	int m = memfd_create("flowtop-geoip", MFD_CLOEXEC);

	if (m < 0)
		return -1;
	while (at < size) {
		ssize_t n = pread(fd, buf, sizeof(buf), at);

		if (n <= 0 || write(m, buf, (size_t)n) != n) {
			close(m);
			return -1;
		}
		at += n;
	}
	return m;
}

void geo_pre_reach(struct geo_pre *p, const char *fd_dir)
{
	for (size_t i = 0; i < p->n; i++) {
		struct geo_pre_file *f = &p->f[i];
		struct stat st;
		char at[64];
		int t, copy;

		if (f->fd < 0 || fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;   /* said when the files are read */
		snprintf(at, sizeof(at), "%s/%d", fd_dir, f->fd);
		t = open(at, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (t >= 0) {
			close(t);
			continue;
		}
		if (errno != EACCES)
			continue;
		copy = geo_copy(f->fd, st.st_size);
		if (copy < 0) {
			f->fd = -errno;
			continue;
		}
		close(f->fd);
		f->fd = copy;
		f->copied = 1;
	}
}

int geo_pre_any(const struct geo_pre *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].fd >= 0)
			return 1;
	return 0;
}

size_t geo_pre_files(const struct geo_pre *p, int *fds, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n && n < max; i++)
		if (p->f[i].fd >= 0 && !p->f[i].copied)
			fds[n++] = p->f[i].fd;
	return n;
}

/* The i-th file of p as one more database, read through fd_dir/N. -1
 * only when out of memory. */
static int geo_open_pre_file(struct geo *g, const struct geo_pre *p, size_t i,
			     const char *fd_dir, const struct geo_rep *r)
{
	const struct geo_pre_file *f = &p->f[i];
	struct stat st;
	char *path, at[64];
	int rc = 0;

	if (asprintf(&path, "%s/%s", f->dir, f->name) < 0)
		return -1;
	if (f->fd < 0)
		geo_say(r, path, strerror(-f->fd));
	else if (fstat(f->fd, &st) < 0)
		geo_say(r, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		geo_say(r, path, "not a regular file");
	else {
		snprintf(at, sizeof(at), "%s/%d", fd_dir, f->fd);
		rc = geo_add_file(g, path, at, &st, f->dir, f->name, r);
	}
	free(path);
	return rc;
}

struct geo *geo_open_pre(const struct geo_pre *p, const char *fd_dir,
			 geo_report_fn report, void *ctx)
{
	struct geo_rep r = { report, ctx };
	struct geo *g = geo_new();

	if (!g)
		return NULL;
	for (size_t k = 0; p->dirs && p->dirs[k]; k++) {
		int e = p->dir_err[k];

		if (e && e != ENOENT && e != ENOTDIR)
			geo_say(&r, p->dirs[k], strerror(e));
	}
	for (size_t i = 0; i < p->n; i++) {
		if (geo_open_pre_file(g, p, i, fd_dir, &r) < 0) {
			geo_close(g);
			return NULL;
		}
	}
	if (g->n == 0)
		geo_hint(&r, p->dirs);
	return g;
}

struct geo *geo_open(const char *const *dirs, geo_report_fn report, void *ctx)
{
	struct geo_pre *p = geo_preopen(dirs);
	struct geo *g;

	if (!p)
		return NULL;
	g = geo_open_pre(p, "/proc/self/fd", report, ctx);
	geo_pre_free(p);
	return g;
}

struct geo *geo_open_watched(const char *dir, const char *root,
			     const char *const *hint_dirs,
			     geo_report_fn report, void *ctx)
{
	struct geo_rep r = { report, ctx };
	struct geo *g = geo_new();

	if (!g)
		return NULL;
	geo_watch(g, dir, root);
	geo_reload(g, report, ctx);
	if (g->n == 0)
		geo_hint(&r, hint_dirs);
	return g;
}

void geo_close(struct geo *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		geofile_close(&g->db[i]->f);
		free(g->db[i]);
	}
	free(g->db);
	free(g);
}

size_t geo_count(const struct geo *g)
{
	return g ? g->n : 0;
}

/* ---- live reload --------------------------------------------------------- */

void geo_watch(struct geo *g, const char *abs_dir, const char *root)
{
	if (!g)
		return;
	g->watch_dir = abs_dir;
	g->watch_root = root;
}

static int geo_watched(const struct geo *g, const struct geo_db *db)
{
	return db->dir && strcmp(db->dir, g->watch_dir) == 0;
}

static int geo_same_file(const struct stat *st, ino_t ino,
			 struct timespec mtime, off_t size)
{
	return st->st_ino == ino && st->st_size == size &&
		st->st_mtim.tv_sec == mtime.tv_sec &&
		st->st_mtim.tv_nsec == mtime.tv_nsec;
}

static void geo_remove(struct geo *g, size_t i)
{
	geofile_close(&g->db[i]->f);
	free(g->db[i]);
	memmove(g->db + i, g->db + i + 1, (g->n - i - 1) * sizeof(g->db[0]));
	g->n--;
}

/* Whether this very file was refused before; if not, remember it. */
static int geo_bad_once(struct geo *g, const char *name, const struct stat *st)
{
	struct geo_seen_bad *b;

	for (size_t i = 0; i < g->nbad; i++)
		if (strcmp(g->bad[i].name, name) == 0 &&
		    geo_same_file(st, g->bad[i].ino, g->bad[i].mtime, g->bad[i].size))
			return 1;
	b = &g->bad[g->nbad < GEO_BAD_MAX ? g->nbad++ : GEO_BAD_MAX - 1];
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->ino = st->st_ino;
	b->mtime = st->st_mtim;
	b->size = st->st_size;
	return 0;
}

/* Open name anew if it is new or changed. 1 when a database was swapped
 * in or added. */
static int geo_reload_one(struct geo *g, const char *name,
			  const struct geo_rep *r)
{
	struct geo_db *old = NULL, *db;
	struct stat st;
	const char *bad;
	char path[512], why[256];
	size_t at = 0;

	snprintf(path, sizeof(path), "%s/%s",
		 strcmp(g->watch_root, "/") ? g->watch_root : "", name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	for (at = 0; at < g->n; at++)
		if (geo_watched(g, g->db[at]) && strcmp(g->db[at]->name, name) == 0)
			break;
	if (at < g->n) {
		old = g->db[at];
		if (old->f.st.st_dev == st.st_dev &&
		    geo_same_file(&st, old->f.st.st_ino, old->f.st.st_mtim,
				  old->f.st.st_size))
			return 0;
	} else if (geo_seen(g, &st)) {
		return 0;
	}
	db = geo_db_open(path, &st, &bad, why, sizeof(why));
	if (!db) {
		if (bad && !geo_bad_once(g, name, &st)) {
			char line[400], shown[768];

			snprintf(line, sizeof(line), "%s%s", bad,
				 old ? "; keeping the database in use" : "");
			snprintf(shown, sizeof(shown), "%s/%s", g->watch_dir, name);
			geo_say(r, shown, line);
		}
		return 0;
	}
	db->dir = g->watch_dir;
	snprintf(db->name, sizeof(db->name), "%s", name);
	if (old)
		geo_remove(g, at);
	if (geo_add(g, db) < 0) {
		geofile_close(&db->f);
		free(db);
		return 0;
	}
	return 1;
}

static int geo_listed(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int geo_reload(struct geo *g, geo_report_fn report, void *ctx)
{
	struct geo_rep r = { report, ctx };
	char **names;
	size_t n;
	int changes = 0;
	DIR *d;

	if (!g || !g->watch_root || !(d = opendir(g->watch_root)))
		return 0;
	if (geo_list(d, &names, &n) < 0) {
		closedir(d);
		return 0;
	}
	closedir(d);
	for (size_t i = g->n; i-- > 0;) {
		if (geo_watched(g, g->db[i]) && !geo_listed(names, n, g->db[i]->name)) {
			geo_remove(g, i);
			changes++;
		}
	}
	for (size_t i = 0; i < n; i++)
		changes += geo_reload_one(g, names[i], &r);
	geo_free_names(names, n);
	return changes;
}

/* ---- looking up -------------------------------------------------------- */

/* Whether db could still add a field out lacks. */
static int geo_useful(unsigned roles, const struct geo_info *out)
{
	if ((roles & GEO_ROLE_COUNTRY) && !out->country[0])
		return 1;
	if ((roles & GEO_ROLE_CITY) && !out->city[0])
		return 1;
	return (roles & GEO_ROLE_ASN) && (!out->asn || !out->as_org[0]);
}

int geo_lookup(const struct geo *g, uint8_t family, const uint8_t addr[16],
	       struct geo_info *out)
{
	struct sockaddr_storage ss;

	memset(out, 0, sizeof(*out));
	if (!g || geofile_sockaddr(family == FLOW_FAM_IPV4 ? 4 :
				   family == FLOW_FAM_IPV6 ? 6 : 0, addr, &ss) < 0)
		return 0;
	for (size_t i = 0; i < g->n; i++)
		if (geo_useful(g->db[i]->f.roles, out))
			geofile_lookup(&g->db[i]->f, (const struct sockaddr *)&ss,
				       out);
	return out->country[0] || out->city[0] || out->asn || out->as_org[0];
}
