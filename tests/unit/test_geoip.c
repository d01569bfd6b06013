/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of resolver/geoip.c: MaxMind's test databases, databases in
 * the DB-IP / ip-location-db and IPinfo schemas generated at test time by
 * tests/tools/mkmmdb.py, hostile and corrupt databases.
 *
 * Paths: the repository is found from $FLOWTOP_SRCDIR, the working
 * directory or this binary's place (build/unit*); MaxMind's files are its
 * tests/data/mmdb. Tests that need what is missing are skipped with a
 * message saying what, or fail with CI=true (tests/unit/skip.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "tests/unit/skip.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <maxminddb.h>

#include "privsep/flow_wire.h"
#include "privsep/lookup_wire.h"
#include "resolver/geoip.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PYTHON "/usr/bin/python3"
#define MAX_REPORTS 64

/* snprintf that fails the test rather than truncate a path. */
__attribute__((format(printf, 3, 4)))
static void xfmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("too long for %zu bytes: %s", size, fmt);
}

/* ---- guard pages around every database mapping --------------------------
 *
 * libmaxminddb mmaps a database and reads it in place, where ASan does not
 * look. These replace libc's mmap/munmap in this binary (the library binds
 * to the executable's definitions): a shared file mapping gets an
 * inaccessible page on each side, so a read before the file or past its
 * last page faults and fails the test instead of going unnoticed. Files
 * generated with "pad_to": 4096 end on a page boundary, leaving no
 * zero-filled tail for an overrun to hide in. */

#define GUARD_SLOTS 256

static struct {
	char *base;
	size_t len;
} guards[GUARD_SLOTS];
static unsigned long guarded_maps;

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd,
		      off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int raw_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + pg - 1) / pg * pg + 2 * pg;
	size_t slot = 0;
	char *base;
	void *p;

	if (fd < 0 || addr || !(flags & MAP_SHARED) || len == 0)
		return raw_mmap(addr, len, prot, flags, fd, off);
	while (slot < GUARD_SLOTS && guards[slot].base)
		slot++;
	if (slot == GUARD_SLOTS)
		return raw_mmap(addr, len, prot, flags, fd, off);
	base = raw_mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	p = raw_mmap(base + pg, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		raw_munmap(base, span);
		return MAP_FAILED;
	}
	guards[slot].base = base;
	guards[slot].len = span;
	guarded_maps++;
	return p;
}

int munmap(void *addr, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < GUARD_SLOTS; i++) {
		if (guards[i].base && (char *)addr == guards[i].base + pg) {
			int rc = raw_munmap(guards[i].base, guards[i].len);

			guards[i].base = NULL;
			return rc;
		}
	}
	return raw_munmap(addr, len);
}

/* libmaxminddb 1.7.1 leaks the metadata it parsed when MMDB_open then
 * refuses a corrupt file (reproduced with MMDB_open/MMDB_close alone);
 * that is the library's, once per refused file at start-up, and would
 * otherwise fail the sanitizer build of this test. LeakSanitizer reads
 * this hook; only libmaxminddb's own allocations are excused. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

/* ...without a table of the excused leaks after every passing run. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* ---- where things are ---------------------------------------------------- */

static char root[PATH_MAX];      /* the repository, "" if not found */
static char mmdb_dir[PATH_MAX];  /* MaxMind's test files, "" if absent */
static char tmp[PATH_MAX];       /* this run's scratch directory */

static int has_tool(const char *dir)
{
	char p[PATH_MAX];

	xfmt(p, sizeof(p), "%s/tests/tools/mkmmdb.py", dir);
	return access(p, R_OK) == 0;
}

/* build/unit/test_geoip -> the directory three levels up. */
static void root_from_exe(char *out, size_t outsz)
{
	ssize_t n = readlink("/proc/self/exe", out, outsz - 1);

	out[0] = '\0';
	if (n <= 0)
		return;
	out[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(out, '/');

		if (!slash) {
			out[0] = '\0';
			return;
		}
		*slash = '\0';
	}
}

static void find_root(void)
{
	const char *env = getenv("FLOWTOP_SRCDIR");
	char cand[PATH_MAX];

	if (env && has_tool(env)) {
		xfmt(root, sizeof(root), "%s", env);
		return;
	}
	if (getcwd(cand, sizeof(cand)) && has_tool(cand)) {
		xfmt(root, sizeof(root), "%s", cand);
		return;
	}
	root_from_exe(cand, sizeof(cand));
	if (cand[0] && has_tool(cand))
		xfmt(root, sizeof(root), "%s", cand);
}

static void find_testdata(void)
{
	char p[PATH_MAX + 64];

	if (!root[0])
		return;
	xfmt(mmdb_dir, sizeof(mmdb_dir), "%s/tests/data/mmdb", root);
	xfmt(p, sizeof(p), "%s/GeoLite2-City-Test.mmdb", mmdb_dir);
	if (access(p, R_OK) != 0)
		mmdb_dir[0] = '\0';
}

#define NEED_TESTDATA() do { \
	if (!mmdb_dir[0]) \
		skip_or_fail("MaxMind test databases not found (the " \
			     "repository's tests/data/mmdb)"); \
	} while (0)

#define NEED_MKMMDB() do { \
	if (access(PYTHON, X_OK) != 0 || !root[0]) \
		skip_or_fail("needs " PYTHON " and the repository's " \
			     "tests/tools/mkmmdb.py to generate databases"); \
	} while (0)

/* ---- scratch files ------------------------------------------------------- */

static void tpath(char *out, const char *name)
{
	xfmt(out, PATH_MAX, "%s/%s", tmp, name);
}

/* A fresh directory tmp/name; its path in out. */
static void new_dir(char *out, const char *name)
{
	tpath(out, name);
	if (mkdir(out, 0755) != 0)
		fail_msg("mkdir %s: %s", out, strerror(errno));
}

static void join(char *out, const char *dir, const char *name)
{
	xfmt(out, PATH_MAX, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* dir/name -> MaxMind's test file mm (a symlink, or a copy). */
static void link_mm(const char *dir, const char *name, const char *mm)
{
	char src[PATH_MAX + 64], dst[PATH_MAX];

	xfmt(src, sizeof(src), "%s/%s", mmdb_dir, mm);
	join(dst, dir, name);
	if (symlink(src, dst) != 0)
		fail_msg("symlink %s: %s", dst, strerror(errno));
}

static void copy_mm(const char *dir, const char *name, const char *mm)
{
	char src[PATH_MAX + 64], dst[PATH_MAX];
	size_t len;
	void *buf;

	xfmt(src, sizeof(src), "%s/%s", mmdb_dir, mm);
	join(dst, dir, name);
	buf = read_file(src, &len);
	write_file(dst, buf, len);
	free(buf);
}

/* Generate dir/name from a JSON description. The JSON is written with
 * single quotes, which become double quotes here, so it reads in C; an
 * apostrophe in the data is \u0027. */
static void gen(const char *dir, const char *name, const char *json)
{
	static unsigned seq;
	char src[PATH_MAX], dst[PATH_MAX], cmd[3 * PATH_MAX + 64];
	char *text = strdup(json);

	assert_non_null(text);
	for (char *c = text; *c; c++)
		if (*c == '\'')
			*c = '"';
	xfmt(cmd, sizeof(cmd), "src-%u.json", seq++);
	tpath(src, cmd);
	write_file(src, text, strlen(text));
	free(text);
	join(dst, dir, name);
	if (strchr(root, '\'') || strchr(tmp, '\''))
		fail_msg("a quote in a path: %s", root);
	xfmt(cmd, sizeof(cmd), PYTHON " '%s/tests/tools/mkmmdb.py' '%s' '%s'",
		 root, src, dst);
	if (system(cmd) != 0)
		fail_msg("mkmmdb.py failed for %s", src);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ---- opening and looking up ---------------------------------------------- */

struct reports {
	size_t n;
	char line[MAX_REPORTS][1200];
};

static struct reports rep;

static void collect(void *ctx, const char *line)
{
	struct reports *r = ctx;

	if (r->n < MAX_REPORTS)
		snprintf(r->line[r->n], sizeof(r->line[0]), "%s", line);
	r->n++;
}

static struct geo *open_dirs(const char *const *dirs)
{
	struct geo *g;

	memset(&rep, 0, sizeof(rep));
	g = geo_open(dirs, collect, &rep);
	assert_non_null(g);
	return g;
}

static struct geo *open1(const char *dir)
{
	const char *dirs[] = { dir, NULL };

	return open_dirs(dirs);
}

/* Well-formed UTF-8 with no C0, DEL or C1 control in it. */
static int clean_text(const char *s, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = memchr(s, '\0', size);

	if (!end)
		return 0;
	while (p < end) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

		if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && *p < 0xc2) ||
		    *p > 0xf4 || p + n > end)
			return 0;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return 0;
		p += n;
	}
	return 1;
}

/* Whatever a database held, what comes out is fit for the wire and the
 * terminal: the ui's own check of an answer accepts it. */
static void assert_clean(const struct geo_info *gi, uint8_t family,
			 const uint8_t addr[16])
{
	struct lookup_ans a;
	const char *why = NULL;

	assert_true(clean_text(gi->country, sizeof(gi->country)));
	assert_true(clean_text(gi->country_name, sizeof(gi->country_name)));
	assert_true(clean_text(gi->city, sizeof(gi->city)));
	assert_true(clean_text(gi->as_org, sizeof(gi->as_org)));
	memset(&a, 0, sizeof(a));
	a.family = family;
	a.parts = LOOKUP_GEO;
	memcpy(a.addr, addr, 16);
	a.asn = gi->asn;
	memcpy(a.country, gi->country, sizeof(a.country));
	memcpy(a.country_name, gi->country_name, sizeof(a.country_name));
	memcpy(a.city, gi->city, sizeof(a.city));
	memcpy(a.as_org, gi->as_org, sizeof(a.as_org));
	if (lookup_ans_check(&a, &why) != 0)
		fail_msg("answer refused by lookup_ans_check: %s", why);
}

static int look(const struct geo *g, const char *ip, struct geo_info *gi)
{
	uint8_t addr[16] = { 0 };
	uint8_t family = FLOW_FAM_IPV4;
	int found;

	if (inet_pton(AF_INET, ip, addr) != 1) {
		family = FLOW_FAM_IPV6;
		assert_int_equal(inet_pton(AF_INET6, ip, addr), 1);
	}
	memset(gi, 0x5a, sizeof(*gi));  /* geo_lookup must zero it */
	found = geo_lookup(g, family, addr, gi);
	assert_clean(gi, family, addr);
	assert_int_equal(found, gi->country[0] || gi->city[0] || gi->asn ||
				gi->as_org[0]);
	return found;
}

/* One address's expected answer; NULL strings are expected empty. */
struct want {
	const char *ip;
	const char *country, *country_name, *city;
	uint32_t asn;
	const char *as_org;
};

static void check(const struct geo *g, const struct want *w)
{
	struct geo_info gi;
	int found = look(g, w->ip, &gi);

	assert_string_equal(gi.country, w->country ? w->country : "");
	assert_string_equal(gi.country_name, w->country_name ? w->country_name : "");
	assert_string_equal(gi.city, w->city ? w->city : "");
	assert_int_equal(gi.asn, w->asn);
	assert_string_equal(gi.as_org, w->as_org ? w->as_org : "");
	assert_int_equal(found, w->country || w->city || w->asn || w->as_org);
}

static void check_all(const struct geo *g, const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check(g, &w[i]);
}

static void assert_no_reports(void)
{
	for (size_t i = 0; i < rep.n && i < MAX_REPORTS; i++)
		print_message("unexpected report: %s\n", rep.line[i]);
	assert_int_equal(rep.n, 0);
}

/* ---- MaxMind's test databases -------------------------------------------- */

static void test_maxmind_city(void **state)
{
	static const struct want w[] = {
		{ "81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "216.160.83.56", "US", "United States", "Milton", 0, NULL },
		{ "89.160.20.113", "SE", "Sweden", "Link\xc3\xb6ping", 0, NULL },
		{ "::ffff:81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "2001:218::1", "JP", "Japan", NULL, 0, NULL },
		{ "10.0.0.1", NULL, NULL, NULL, 0, NULL },
		{ "2001:db8::1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX];
	struct geo *g;
	unsigned long maps = guarded_maps;

	(void)state;
	NEED_TESTDATA();
	new_dir(dir, "mm-city");
	link_mm(dir, "x.mmdb", "GeoLite2-City-Test.mmdb");
	g = open1(dir);
	assert_no_reports();
	assert_int_equal(geo_count(g), 1);
	/* The database was mapped through the guarded mmap above. */
	assert_true(guarded_maps > maps);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

/* Called "GeoLite2-City.mmdb" but a country database: the metadata, not
 * the name, decides, so no city is read from it. */
static void test_maxmind_country(void **state)
{
	static const struct want w[] = {
		{ "2001:218::1", "JP", "Japan", NULL, 0, NULL },
		{ "::ffff:10.0.0.1", NULL, NULL, NULL, 0, NULL },
	};
	static const char *const files[] = {
		"GeoIP2-Country-Test.mmdb", "GeoLite2-Country-Test.mmdb",
	};
	char dir[PATH_MAX];

	(void)state;
	NEED_TESTDATA();
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char name[32];
		struct geo *g;

		xfmt(name, sizeof(name), "mm-country-%zu", i);
		new_dir(dir, name);
		copy_mm(dir, "GeoLite2-City.mmdb", files[i]);
		g = open1(dir);
		assert_no_reports();
		assert_int_equal(geo_count(g), 1);
		check_all(g, w, ARRAY_LEN(w));
		geo_close(g);
	}
}

static void test_maxmind_asn(void **state)
{
	static const struct want w[] = {
		{ "1.128.0.1", NULL, NULL, NULL, 1221, "Telstra Pty Ltd" },
		{ "::ffff:1.128.0.1", NULL, NULL, NULL, 1221, "Telstra Pty Ltd" },
		{ "2001:1700::1", NULL, NULL, NULL, 6730, "Sunrise Communications AG" },
		{ "216.160.83.56", NULL, NULL, NULL, 209, NULL },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_TESTDATA();
	new_dir(dir, "mm-asn");
	copy_mm(dir, "city.mmdb", "GeoLite2-ASN-Test.mmdb");
	g = open1(dir);
	assert_no_reports();
	assert_int_equal(geo_count(g), 1);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

static void test_merge_city_asn(void **state)
{
	static const struct want w[] = {
		{ "89.160.20.113", "SE", "Sweden", "Link\xc3\xb6ping", 29518, "Bredband2 AB" },
		{ "216.160.83.56", "US", "United States", "Milton", 209, NULL },
		{ "81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "1.128.0.1", NULL, NULL, NULL, 1221, "Telstra Pty Ltd" },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_TESTDATA();
	new_dir(dir, "mm-merge");
	link_mm(dir, "a.mmdb", "GeoLite2-ASN-Test.mmdb");
	link_mm(dir, "b.mmdb", "GeoLite2-City-Test.mmdb");
	g = open1(dir);
	assert_no_reports();
	assert_int_equal(geo_count(g), 2);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

/* Symlinks are followed (the same file twice counts once); what is not a
 * regular file is reported and skipped, a FIFO without blocking; hidden
 * and non-.mmdb names are not opened. */
static void test_symlinks_and_odd_entries(void **state)
{
	static const struct want w[] = {
		{ "81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "1.128.0.1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX], p[PATH_MAX], want[PATH_MAX + 64];
	struct geo *g;

	(void)state;
	NEED_TESTDATA();
	new_dir(dir, "odd");
	link_mm(dir, "link.mmdb", "GeoLite2-City-Test.mmdb");
	join(p, dir, "link.mmdb");
	join(want, dir, "chain.mmdb");
	assert_int_equal(symlink(p, want), 0);
	join(p, dir, "dangling.mmdb");
	assert_int_equal(symlink("/nonexistent/flowtop/x.mmdb", p), 0);
	join(p, dir, "sub.mmdb");
	assert_int_equal(mkdir(p, 0755), 0);
	join(p, dir, "pipe.mmdb");
	assert_int_equal(mkfifo(p, 0644), 0);
	copy_mm(dir, ".hidden.mmdb", "GeoLite2-ASN-Test.mmdb");
	copy_mm(dir, "asn.mmdb.tmp", "GeoLite2-ASN-Test.mmdb");
	copy_mm(dir, "asn.txt", "GeoLite2-ASN-Test.mmdb");

	g = open1(dir);
	assert_int_equal(geo_count(g), 1);
	assert_int_equal(rep.n, 3);
	xfmt(want, sizeof(want), "%s/dangling.mmdb: No such file or directory", dir);
	assert_string_equal(rep.line[0], want);
	xfmt(want, sizeof(want), "%s/pipe.mmdb: not a regular file", dir);
	assert_string_equal(rep.line[1], want);
	xfmt(want, sizeof(want), "%s/sub.mmdb: not a regular file", dir);
	assert_string_equal(rep.line[2], want);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

static void test_no_database_hint(void **state)
{
	char empty[PATH_MAX], missing[PATH_MAX], want[3 * PATH_MAX];
	const char *dirs[] = { NULL, NULL, NULL };
	struct geo_info gi;
	struct geo *g;

	(void)state;
	new_dir(empty, "empty");
	tpath(missing, "missing");
	dirs[0] = empty;
	dirs[1] = missing;
	g = open_dirs(dirs);
	assert_int_equal(geo_count(g), 0);
	assert_int_equal(rep.n, 1);
	xfmt(want, sizeof(want), "no GeoIP database found in %s, %s: run "
		 "'flowtop -u' to download them", empty, missing);
	assert_string_equal(rep.line[0], want);
	for (int i = 0; i < 100; i++)
		assert_int_equal(look(g, "81.2.69.142", &gi), 0);
	assert_int_equal(look(g, "2001:218::1", &gi), 0);
	assert_int_equal(rep.n, 1);  /* no report per lookup */
	geo_close(g);

	g = open_dirs(NULL);
	assert_int_equal(geo_count(g), 0);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.line[0], "no GeoIP database found: run 'flowtop "
			    "-u' to download them");
	geo_close(g);

	/* No report function: silent. */
	g = geo_open(dirs, NULL, NULL);
	assert_non_null(g);
	geo_close(g);
}

static void test_null_and_bad_arguments(void **state)
{
	uint8_t addr[16] = { 81, 2, 69, 142 };
	struct geo_info gi;
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	memset(&gi, 0x5a, sizeof(gi));
	assert_int_equal(geo_lookup(NULL, FLOW_FAM_IPV4, addr, &gi), 0);
	assert_int_equal(gi.country[0], 0);
	assert_int_equal(geo_count(NULL), 0);
	geo_close(NULL);
	NEED_TESTDATA();
	new_dir(dir, "badfamily");
	link_mm(dir, "x.mmdb", "GeoLite2-City-Test.mmdb");
	g = open1(dir);
	memset(&gi, 0x5a, sizeof(gi));
	assert_int_equal(geo_lookup(g, 0, addr, &gi), 0);
	assert_int_equal(gi.city[0], 0);
	assert_int_equal(geo_lookup(g, 5, addr, &gi), 0);
	assert_int_equal(geo_lookup(g, FLOW_FAM_IPV4, addr, &gi), 1);
	geo_close(g);
}

/* ---- corrupt files --------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted; *n of them. */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		assert_non_null(v);
		v[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Addresses a corrupt database is asked about: the ones the test files
 * hold, the ends of both address spaces, and a spread of others. */
static void probe_nothing(const struct geo *g, const char *name)
{
	static const char *const fixed[] = {
		"1.1.1.1", "81.2.69.142", "1.128.0.1", "216.160.83.56",
		"0.0.0.0", "255.255.255.255", "127.0.0.1", "128.0.0.1",
		"2001:218::1", "::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"::ffff:81.2.69.142", "2001:1700::1",
	};
	struct geo_info gi;
	char ip[32];

	for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
		if (look(g, fixed[i], &gi))
			fail_msg("%s answers %s", name, fixed[i]);
	for (unsigned i = 0; i < 4096; i++) {
		uint32_t a = i * 2654435761u;

		xfmt(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			 (a >> 8) & 255, a & 255);
		if (look(g, ip, &gi))
			fail_msg("%s answers %s", name, ip);
	}
}

/* The library's own bounds, checked directly: for a file MMDB_open
 * accepts, every lookup and every path geoip.c reads either fails or
 * yields a string that lies wholly inside the mapped file. */
static void lib_value_in_file(const MMDB_s *m, MMDB_entry_s *e,
			      const char *const *path)
{
	const uint8_t *lo = m->file_content, *hi = lo + m->file_size;
	MMDB_entry_data_s d;

	memset(&d, 0, sizeof(d));
	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
		return;
	if (d.type == MMDB_DATA_TYPE_UTF8_STRING || d.type == MMDB_DATA_TYPE_BYTES) {
		const uint8_t *p = (const uint8_t *)d.utf8_string;

		assert_true(p >= lo && p <= hi);
		assert_true(d.data_size <= (size_t)(hi - p));
	}
}

/* Lookups of a spread of addresses straight through libmaxminddb;
 * returns how many found a record. */
static unsigned lib_bounds(const char *path)
{
	static const char *const paths[][4] = {
		{ NULL }, { "country", "iso_code" }, { "country_code" },
		{ "country" }, { "country", "names", "en" }, { "country_name" },
		{ "city", "names", "en" }, { "city" }, { "asn" }, { "as_name" },
		{ "autonomous_system_number" }, { "autonomous_system_organization" },
		{ "ip" }, { "0" }, { "a", "0", "b" },
	};
	unsigned found = 0;
	MMDB_s m;

	if (MMDB_open(path, MMDB_MODE_MMAP, &m) != MMDB_SUCCESS)
		return 0;
	for (unsigned i = 0; i < 2048; i++) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
		struct sockaddr_in sin = { .sin_family = AF_INET };
		const struct sockaddr *sa = (const struct sockaddr *)&sin;
		uint32_t a = i * 2654435761u;
		MMDB_lookup_result_s r;
		int err = MMDB_SUCCESS;

		memcpy(&sin.sin_addr, &a, 4);
		if ((i & 1) && m.metadata.ip_version == 6) {
			memcpy(&sin6.sin6_addr, &a, 4);
			sa = (const struct sockaddr *)&sin6;
		}
		r = MMDB_lookup_sockaddr(&m, sa, &err);
		if (err != MMDB_SUCCESS || !r.found_entry)
			continue;
		found++;
		for (size_t k = 0; k < ARRAY_LEN(paths); k++)
			lib_value_in_file(&m, &r.entry, paths[k]);
	}
	MMDB_close(&m);
	return found;
}

/* One bad file alone: refused with one line naming it (plus the hint),
 * or opened and answering nothing. */
static void try_bad_file(const char *name, size_t idx)
{
	char dir[PATH_MAX], sub[32], src[PATH_MAX + 64], link[PATH_MAX];
	unsigned found;
	struct geo *g;

	xfmt(sub, sizeof(sub), "bad-%zu", idx);
	new_dir(dir, sub);
	xfmt(src, sizeof(src), "%s/bad/%s", mmdb_dir, name);
	join(link, dir, "x.mmdb");
	assert_int_equal(symlink(src, link), 0);
	found = lib_bounds(link);
	g = open1(dir);
	if (geo_count(g) == 0) {
		assert_int_equal(rep.n, 2);
		assert_int_equal(strncmp(rep.line[0], link, strlen(link)), 0);
		assert_int_equal(strncmp(rep.line[1], "no GeoIP database found", 23), 0);
		print_message("    %-46s refused (library lookups found %u): %s\n",
			      name, found, rep.line[0] + strlen(link) + 2);
	} else {
		assert_int_equal(rep.n, 0);
		probe_nothing(g, name);
		print_message("    %-48s opens, answers nothing\n", name);
	}
	geo_close(g);
}

static void test_bad_files(void **state)
{
	char bad[PATH_MAX + 64], dir[PATH_MAX], src[PATH_MAX + 128], dst[PATH_MAX];
	size_t n;
	char **names;
	struct geo *g;
	static const struct want london = {
		"81.2.69.142", "GB", "United Kingdom", "London", 0, NULL
	};

	(void)state;
	NEED_TESTDATA();
	xfmt(bad, sizeof(bad), "%s/bad", mmdb_dir);
	names = list_dir(bad, &n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++)
		try_bad_file(names[i], i);

	/* All of them beside a good one: one line each, flowtop runs on. */
	new_dir(dir, "bad-all");
	for (size_t i = 0; i < n; i++) {
		xfmt(src, sizeof(src), "%s/%s", bad, names[i]);
		join(dst, dir, names[i]);
		assert_int_equal(symlink(src, dst), 0);
	}
	link_mm(dir, "zz-good.mmdb", "GeoLite2-City-Test.mmdb");
	g = open1(dir);
	assert_int_equal(geo_count(g), 1);
	assert_int_equal(rep.n, n);
	for (size_t i = 0; i < n; i++) {
		join(dst, dir, names[i]);
		assert_int_equal(strncmp(rep.line[i], dst, strlen(dst)), 0);
	}
	check(g, &london);
	geo_close(g);
	free_list(names, n);
}

/* A valid generated database, damaged byte by byte, cut short inside the
 * data section and inside the metadata: every variant is refused at open
 * or answers only clean text, and nothing reads outside the file (the
 * guard pages above fault on that). */
static const char mutant_json[] =
	"{'metadata': {'database_type': 'Custom-City-ASN', 'ip_version': 6},"
	" 'pad_to': 4096, 'networks': ["
	"['81.2.69.0/24', {'country': {'iso_code': 'GB', 'names': {'en': 'United Kingdom'}},"
	"  'city': {'names': {'en': 'London'}}}],"
	"['216.160.83.56/29', {'country': {'iso_code': 'US', 'names': {'en': 'United States'}},"
	"  'city': {'names': {'en': 'Milton'}}, 'autonomous_system_number': 209}],"
	"['2001:218::/32', {'country': {'iso_code': 'JP', 'names': {'en': 'Japan'}}}],"
	"['1.128.0.0/11', {'country_code': 'AU', 'autonomous_system_number': 1221,"
	"  'autonomous_system_organization': 'Telstra Pty Ltd'}],"
	"['2a00::/16', {'country_code': 'CH', 'city': 'Z\\u00fcrich', 'asn': 'AS3303',"
	"  'as_name': 'Swisscom'}]]}";

static const char *const mutant_ips[] = {
	"81.2.69.142", "216.160.83.57", "2001:218::1", "1.128.0.1",
	"2a00:1::1", "8.8.8.8", "::", "ffff::1",
};

struct mutants {
	char dir[PATH_MAX];
	char file[PATH_MAX];
	unsigned opened, refused, lib_found;
};

static void try_variant(struct mutants *m, const uint8_t *buf, size_t len)
{
	struct geo_info gi;
	struct geo *g;

	write_file(m->file, buf, len);
	g = open1(m->dir);
	if (geo_count(g)) {
		m->opened++;
		m->lib_found += lib_bounds(m->file);
		for (size_t i = 0; i < ARRAY_LEN(mutant_ips); i++)
			look(g, mutant_ips[i], &gi);
	} else {
		m->refused++;
		assert_true(rep.n >= 1);
	}
	geo_close(g);
}

/* Where the metadata marker starts (its last copy), and where the zero
 * padding before it starts. */
static void find_sections(const uint8_t *buf, size_t len, size_t *marker,
			  size_t *pad)
{
	static const uint8_t mark[] = "\xab\xcd\xefMaxMind.com";
	size_t mlen = sizeof(mark) - 1;

	*marker = 0;
	for (size_t i = 0; i + mlen <= len; i++)
		if (memcmp(buf + i, mark, mlen) == 0)
			*marker = i;
	assert_true(*marker > 0);
	*pad = *marker;
	while (*pad > 0 && buf[*pad - 1] == 0)
		(*pad)--;
}

static void test_corrupt_variants(void **state)
{
	static const uint8_t values[] = { 0x00, 0xff, 0x7f, 0x80 };
	struct mutants m = { .opened = 0 };
	uint8_t *buf, *work;
	size_t len, marker, pad;
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(m.dir, "mutant");
	gen(m.dir, "x.mmdb", mutant_json);
	join(m.file, m.dir, "x.mmdb");
	buf = read_file(m.file, &len);
	assert_int_equal(len % 4096, 0);
	g = open1(m.dir);  /* the undamaged file works */
	assert_int_equal(geo_count(g), 1);
	geo_close(g);
	find_sections(buf, len, &marker, &pad);
	work = malloc(len);
	assert_non_null(work);

	for (size_t i = 0; i < len; i++) {
		if (i >= pad && i < marker)
			continue;  /* the padding is never read */
		for (size_t v = 0; v < ARRAY_LEN(values); v++) {
			memcpy(work, buf, len);
			work[i] = values[v] == work[i] ? (uint8_t)~values[v] : values[v];
			try_variant(&m, work, len);
		}
	}
	/* Cut k bytes from the end of the data section (and the padding):
	 * records now point past it. */
	for (size_t k = 1; k <= pad; k++) {
		memcpy(work, buf, pad - k);
		memcpy(work + pad - k, buf + marker, len - marker);
		try_variant(&m, work, pad - k + len - marker);
	}
	/* Metadata cut short. */
	for (size_t cut = marker; cut < len; cut++)
		try_variant(&m, buf, cut);
	print_message("    %u variants opened, %u refused; %u records found "
		      "and read directly\n", m.opened, m.refused, m.lib_found);
	assert_true(m.opened > 0 && m.refused > 0);
	free(work);
	free(buf);
}

/* ---- generated databases: DB-IP, ip-location-db, IPinfo ------------------ */

static const char dbip_city_v4[] =
	"{'metadata': {'database_type': 'DBIP-City-Lite', 'ip_version': 4,"
	" 'languages': ['en'], 'description': {'en': 'dbip-city-lite-ipv4'}},"
	" 'networks': ["
	"['81.2.69.0/24', {'country_code': 'GB', 'city': 'London', 'state1': 'England',"
	"  'latitude': 51.5085, 'longitude': -0.1257}],"
	"['216.160.83.56/29', {'country_code': 'US', 'city': 'Milton',"
	"  'state1': 'Washington', 'latitude': 47.2513, 'longitude': -122.3149}],"
	"['175.16.199.0/24', {'country_code': 'CN', 'state1': 'Jilin',"
	"  'latitude': 43.88, 'longitude': 125.3228}]]}";

static const char dbip_city_v6[] =
	"{'metadata': {'database_type': 'DBIP-City-Lite', 'ip_version': 6},"
	" 'networks': ["
	"['2001:218::/32', {'country_code': 'JP', 'city': 'Tokyo', 'state1': 'Tokyo',"
	"  'latitude': 35.6895, 'longitude': 139.6917}],"
	"['2a02:1234::/32', {'country_code': 'CH', 'city': 'Z\\u00fcrich',"
	"  'state1': 'Zurich', 'latitude': 47.3667, 'longitude': 8.55}]]}";

static void test_dbip_city_split_files(void **state)
{
	static const struct want w[] = {
		{ "81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "216.160.83.60", "US", "United States", "Milton", 0, NULL },
		{ "175.16.199.1", "CN", "China", NULL, 0, NULL },
		{ "2001:218::1", "JP", "Japan", "Tokyo", 0, NULL },
		{ "2a02:1234:5::1", "CH", "Switzerland", "Z\xc3\xbcrich", 0, NULL },
		{ "::ffff:81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "10.1.1.1", NULL, NULL, NULL, 0, NULL },
		{ "2001:db8::1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "dbip-city");
	gen(dir, "one.mmdb", dbip_city_v6);
	gen(dir, "two.mmdb", dbip_city_v4);
	g = open1(dir);
	assert_no_reports();
	assert_int_equal(geo_count(g), 2);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

static void test_flat_asn(void **state)
{
	static const char asn_v4[] =
		"{'metadata': {'database_type': 'DBIP-ASN-Lite', 'ip_version': 4},"
		" 'networks': ["
		"['1.128.0.0/11', {'autonomous_system_number': 1221,"
		"  'autonomous_system_organization': 'Telstra Pty Ltd'}],"
		"['81.2.69.0/24', {'autonomous_system_number': 20712,"
		"  'autonomous_system_organization': 'Andrews & Arnold Ltd'}]]}";
	/* No database_type we know: classified by its records. */
	static const char asn_v6[] =
		"{'metadata': {'database_type': 'iptoasn-mmdb', 'ip_version': 6},"
		" 'networks': ["
		"['2001:218::/32', {'autonomous_system_number': 2914,"
		"  'autonomous_system_organization': 'NTT America, Inc.'}]]}";
	static const struct want w[] = {
		{ "1.128.0.1", NULL, NULL, NULL, 1221, "Telstra Pty Ltd" },
		{ "81.2.69.142", "GB", "United Kingdom", "London", 20712, "Andrews & Arnold Ltd" },
		{ "2001:218::1", "JP", "Japan", "Tokyo", 2914, "NTT America, Inc." },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "flat-asn");
	gen(dir, "asn4.mmdb", asn_v4);
	gen(dir, "asn6.mmdb", asn_v6);
	gen(dir, "city4.mmdb", dbip_city_v4);
	gen(dir, "city6.mmdb", dbip_city_v6);
	g = open1(dir);
	assert_no_reports();
	assert_int_equal(geo_count(g), 4);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

static void test_ipinfo(void **state)
{
	static const char lite[] =
		"{'metadata': {'database_type': 'ipinfo lite.mmdb', 'ip_version': 6},"
		" 'networks': ["
		"['8.8.8.0/24', {'asn': 'AS15169', 'as_name': 'Google LLC',"
		"  'as_domain': 'google.com', 'country_code': 'US',"
		"  'country': 'United States', 'continent_code': 'NA',"
		"  'continent': 'North America'}],"
		"['2001:4860::/32', {'asn': 'AS15169', 'as_name': 'Google LLC',"
		"  'as_domain': 'google.com', 'country_code': 'US',"
		"  'country': 'United States', 'continent_code': 'NA',"
		"  'continent': 'North America'}],"
		"['1.0.0.0/24', {'country_code': 'AU', 'country': 'Australia'}]]}";
	static const char country_asn[] =
		"{'metadata': {'database_type': 'ipinfo country_asn.mmdb', 'ip_version': 6},"
		" 'networks': ["
		"['1.1.1.0/24', {'country': 'AU', 'country_name': 'Australia',"
		"  'continent': 'OC', 'continent_name': 'Oceania', 'asn': 'AS13335',"
		"  'as_name': 'Cloudflare, Inc.', 'as_domain': 'cloudflare.com'}],"
		"['5.0.0.0/16', {'country': 'DE', 'asn': 'AS3320',"
		"  'as_name': 'Deutsche Telekom AG'}]]}";
	static const struct want w_lite[] = {
		{ "8.8.8.8", "US", "United States", NULL, 15169, "Google LLC" },
		{ "2001:4860::8888", "US", "United States", NULL, 15169, "Google LLC" },
		{ "1.0.0.1", "AU", "Australia", NULL, 0, NULL },
	};
	static const struct want w_casn[] = {
		{ "1.1.1.1", "AU", "Australia", NULL, 13335, "Cloudflare, Inc." },
		{ "5.0.1.2", "DE", "Germany", NULL, 3320, "Deutsche Telekom AG" },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "ipinfo-lite");
	gen(dir, "ipinfo_lite.mmdb", lite);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w_lite, ARRAY_LEN(w_lite));
	geo_close(g);

	new_dir(dir, "ipinfo-casn");
	gen(dir, "data.mmdb", country_asn);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w_casn, ARRAY_LEN(w_casn));
	geo_close(g);
}

/* Unknown database_type: the records decide; with none of our fields the
 * file is refused, and its (hostile) type is escaped in the message. */
static void test_classify_by_records(void **state)
{
	static const char custom_city[] =
		"{'metadata': {'database_type': 'Acme-Geo', 'ip_version': 6},"
		" 'networks': [['81.2.69.0/24', {'country': {'iso_code': 'GB',"
		"  'names': {'en': 'United Kingdom'}}, 'city': {'names': {'en': 'London'}}}]]}";
	static const char not_geo[] =
		"{'metadata': {'database_type': '\\u001b]0;pwned\\u0007\\u009b2J', 'ip_version': 4},"
		" 'networks': [['81.2.69.0/24', {'risk': 99, 'tags': ['x']}]]}";
	static const char enterprise[] =
		"{'metadata': {'database_type': 'GeoIP2-Enterprise', 'ip_version': 6},"
		" 'networks': [['81.2.69.0/24', {'country': {'iso_code': 'GB'},"
		"  'city': {'names': {'en': 'London'}}, 'traits': {"
		"  'autonomous_system_number': 20712,"
		"  'autonomous_system_organization': 'Andrews & Arnold Ltd'}}]]}";
	static const struct want w = {
		"81.2.69.142", "GB", "United Kingdom", "London", 0, NULL
	};
	static const struct want we = {
		"81.2.69.142", "GB", "United Kingdom", "London", 20712,
		"Andrews & Arnold Ltd"
	};
	char dir[PATH_MAX], want[PATH_MAX + 128];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "acme");
	gen(dir, "x.mmdb", custom_city);
	g = open1(dir);
	assert_no_reports();
	check(g, &w);
	geo_close(g);

	new_dir(dir, "enterprise");
	gen(dir, "x.mmdb", enterprise);
	g = open1(dir);
	assert_no_reports();
	check(g, &we);
	geo_close(g);

	new_dir(dir, "notgeo");
	gen(dir, "x.mmdb", not_geo);
	g = open1(dir);
	assert_int_equal(geo_count(g), 0);
	assert_int_equal(rep.n, 2);
	xfmt(want, sizeof(want), "%s/x.mmdb: no country, city or AS data "
		 "(database_type \"\\x1b]0;pwned\\x07\\xc2\\x9b2J\")", dir);
	assert_string_equal(rep.line[0], want);
	geo_close(g);
}

static void test_utf8_names(void **state)
{
	static const char json[] =
		"{'metadata': {'database_type': 'DBIP-City-Lite', 'ip_version': 6},"
		" 'networks': ["
		"['195.0.0.0/24', {'country_code': 'CH', 'city': 'Z\\u00fcrich'}],"
		"['200.0.0.0/24', {'country_code': 'BR', 'city': 'S\\u00e3o Paulo'}],"
		"['41.0.0.0/24', {'country_code': 'CI', 'city': 'Abidjan'}],"
		"['2.0.0.0/24', {'country': {'iso_code': 'RE', 'names': {'en': 'R\\u00e9union'}},"
		"  'city': {'names': {'en': 'Saint-Denis'}}}],"
		"['3.0.0.0/24', {'country_code': 'JP', 'city': '\\u6771\\u4eac'}],"
		"['4.0.0.0/24', {'country_code': 'DE', 'city': 'K\\u00f6ln \\ud83c\\udf7a'}]]}";
	static const struct want w[] = {
		{ "195.0.0.1", "CH", "Switzerland", "Z\xc3\xbcrich", 0, NULL },
		{ "200.0.0.1", "BR", "Brazil", "S\xc3\xa3o Paulo", 0, NULL },
		{ "41.0.0.1", "CI", "C\xc3\xb4te d'Ivoire", "Abidjan", 0, NULL },
		{ "2.0.0.1", "RE", "R\xc3\xa9union", "Saint-Denis", 0, NULL },
		{ "3.0.0.1", "JP", "Japan", "\xe6\x9d\xb1\xe4\xba\xac", 0, NULL },
		{ "4.0.0.1", "DE", "Germany", "K\xc3\xb6ln \xf0\x9f\x8d\xba", 0, NULL },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "utf8");
	gen(dir, "u.mmdb", json);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

/* ---- hostile databases ------------------------------------------------------ */

static const char hostile_city[] =
	"{'metadata': {'database_type': 'GeoLite2-City', 'ip_version': 6}, 'networks': ["
	/* ESC sequences in a city, a C1 CSI (U+009B) in a country name */
	"['10.0.0.0/24', {'country': {'iso_code': 'GB', 'names': {'en': '\\u009b31mred'}},"
	"  'city': {'names': {'en': '\\u001b[2J\\u001b]0;owned\\u0007x'}}}],"
	/* raw C1 byte, invalid bytes, an overlong '/' */
	"['10.0.1.0/24', {'country_code': 'DE', 'city': 'a\\udc9bb\\udcffc\\udcc0\\udcafd'}],"
	/* 10 kB, with an ESC far beyond what fits */
	"['10.0.2.0/24', {'country_code': 'FR', 'city': '%s\\u001b[31m'}],"
	/* wrong types everywhere */
	"['10.0.3.0/24', {'country_code': 7, 'country': {'iso_code': ['G', 'B']},"
	"  'city': 42}],"
	"['10.0.4.0/24', {'country_code': 'G\\u001b', 'city': {'names': {'en': {'x': 1}}}}],"
	"['10.0.5.0/24', {'country_code': 'gbr', 'city': {'names': ['London']}}],"
	"['10.0.6.0/24', {'country_code': 'us', 'city': ''}],"
	"['10.0.7.0/24', {'country_code': 'NL', 'city': 'a\\u0000b\\u007fc\\u0085d'}],"
	/* a truncated UTF-8 sequence at the very end */
	"['10.0.8.0/24', {'country_code': 'AT', 'city': 'Wien\\udcc3'}],"
	/* strings as bytes, not utf8_string */
	"['10.0.9.0/24', {'country_code': {'$type': 'bytes', 'value': '4742'},"
	"  'city': {'$type': 'bytes', 'value': '4c6f6e646f6e'}}],"
	/* a record that is not a map at all */
	"['10.0.10.0/24', 'just a string'],"
	"['10.0.11.0/24', [1, 2, 3]]]}";

static const char hostile_asn[] =
	"{'metadata': {'database_type': 'GeoLite2-ASN', 'ip_version': 4}, 'networks': ["
	"['10.0.0.0/24', {'autonomous_system_number': 'AS99999999999',"
	"  'autonomous_system_organization': '\\u001b[31mEvil\\u001b[0m'}],"
	"['10.0.1.0/24', {'autonomous_system_number': {'$type': 'uint64', 'value': 99999999999},"
	"  'autonomous_system_organization': 12345}],"
	"['10.0.2.0/24', {'autonomous_system_number': -5,"
	"  'autonomous_system_organization': '%s'}],"
	"['10.0.3.0/24', {'autonomous_system_number': 1.5}],"
	"['10.0.4.0/24', {'autonomous_system_number': {'$type': 'uint16', 'value': 65535},"
	"  'autonomous_system_organization': 'ok'}],"
	"['10.0.5.0/24', {'autonomous_system_number': 0}],"
	"['10.0.6.0/24', {'autonomous_system_number': 4294967295}],"
	"['10.0.7.0/24', {'autonomous_system_number': {'$type': 'uint128', 'value': 7}}],"
	"['10.0.8.0/24', {'autonomous_system_number': true}]]}";

static const char hostile_ipinfo[] =
	"{'metadata': {'database_type': 'ipinfo lite.mmdb', 'ip_version': 6}, 'networks': ["
	"['10.0.0.0/24', {'asn': 'AS99999999999', 'as_name': '\\u009dEvil\\u009c',"
	"  'country_code': 'US', 'country': '\\u001b[5mBlink'}],"
	"['10.0.1.0/24', {'asn': 'AS4294967296', 'country_code': 'US', 'country': 'US'}],"
	"['10.0.2.0/24', {'asn': 'as15169'}],"
	"['10.0.3.0/24', {'asn': 'AS 15169'}],"
	"['10.0.4.0/24', {'asn': 'AS0'}],"
	"['10.0.5.0/24', {'asn': 'AS'}],"
	"['10.0.6.0/24', {'asn': 'AS15169\\u0000'}],"
	"['10.0.7.0/24', {'asn': 'AS4294967295'}],"
	"['10.0.8.0/24', {'asn': 15169}],"
	"['10.0.9.0/24', {'asn': 'AS-1'}]]}";

/* Fill a template's %s with n copies of c. */
static char *with_long(const char *tmpl, size_t n, char c)
{
	char *fill = malloc(n + 1), *out;

	assert_non_null(fill);
	memset(fill, c, n);
	fill[n] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	assert_true(asprintf(&out, tmpl, fill) > 0);
#pragma GCC diagnostic pop
	free(fill);
	return out;
}

static void assert_all_of(const char *s, char c, size_t min)
{
	size_t n = strlen(s);

	assert_true(n >= min);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(s[i], c);
}

static void test_hostile_city(void **state)
{
	static const struct want w[] = {
		{ "10.0.0.1", "GB", "\\xc2\\x9b31mred", "\\x1b[2J\\x1b]0;owned\\x07x", 0, NULL },
		{ "10.0.1.1", "DE", "Germany", "a\\x9bb\\xffc\\xc0\\xafd", 0, NULL },
		{ "10.0.3.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.4.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.5.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.6.1", "US", "United States", NULL, 0, NULL },
		{ "10.0.7.1", "NL", "Netherlands", "a\\x00b\\x7fc\\xc2\\x85d", 0, NULL },
		{ "10.0.8.1", "AT", "Austria", "Wien\\xc3", 0, NULL },
		{ "10.0.9.1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX], *json = with_long(hostile_city, 10000, 'A');
	struct geo_info gi;
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "hostile-city");
	gen(dir, "h.mmdb", json);
	free(json);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w, ARRAY_LEN(w));
	assert_int_equal(look(g, "10.0.2.1", &gi), 1);
	assert_string_equal(gi.country, "FR");
	assert_all_of(gi.city, 'A', LOOKUP_TEXT_LEN - 1);
	/* Records that are not maps answer nothing. */
	assert_int_equal(look(g, "10.0.10.1", &gi), 0);
	assert_int_equal(look(g, "10.0.11.1", &gi), 0);
	geo_close(g);
}

static void test_hostile_asn(void **state)
{
	static const struct want w[] = {
		{ "10.0.0.1", NULL, NULL, NULL, 0, "\\x1b[31mEvil\\x1b[0m" },
		{ "10.0.1.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.3.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.4.1", NULL, NULL, NULL, 65535, "ok" },
		{ "10.0.5.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.6.1", NULL, NULL, NULL, 4294967295u, NULL },
		{ "10.0.7.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.8.1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX], *json = with_long(hostile_asn, 10000, 'B');
	struct geo_info gi;
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "hostile-asn");
	gen(dir, "h.mmdb", json);
	free(json);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w, ARRAY_LEN(w));
	assert_int_equal(look(g, "10.0.2.1", &gi), 1);
	assert_int_equal(gi.asn, 0);
	assert_all_of(gi.as_org, 'B', LOOKUP_TEXT_LEN - 1);
	geo_close(g);
}

static void test_hostile_ipinfo(void **state)
{
	static const struct want w[] = {
		{ "10.0.0.1", "US", "\\x1b[5mBlink", NULL, 0, "\\xc2\\x9dEvil\\xc2\\x9c" },
		{ "10.0.1.1", "US", "United States", NULL, 0, NULL },
		{ "10.0.2.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.3.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.4.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.5.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.6.1", NULL, NULL, NULL, 0, NULL },
		{ "10.0.7.1", NULL, NULL, NULL, 4294967295u, NULL },
		{ "10.0.8.1", NULL, NULL, NULL, 15169, NULL },
		{ "10.0.9.1", NULL, NULL, NULL, 0, NULL },
	};
	char dir[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(dir, "hostile-ipinfo");
	gen(dir, "h.mmdb", hostile_ipinfo);
	g = open1(dir);
	assert_no_reports();
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);
}

/* ---- tree shapes, address families, precedence -------------------------- */

static void test_record_sizes_and_pointers(void **state)
{
	static const char tmpl[] =
		"{'metadata': {'database_type': 'GeoIP2-City', 'ip_version': 6},"
		" 'record_size': %d, 'pointers': %s, 'networks': ["
		"['81.2.0.0/16', {'country': {'iso_code': 'GB', 'names': {'en': 'United Kingdom'}},"
		"  'city': {'names': {'en': 'Somewhere'}}}],"
		"['81.2.69.0/24', {'country': {'iso_code': 'GB', 'names': {'en': 'United Kingdom'}},"
		"  'city': {'names': {'en': 'London'}}}],"
		"['2001:218::/32', {'country': {'iso_code': 'JP', 'names': {'en': 'Japan'}}}]]}";
	static const struct want w[] = {
		{ "81.2.69.142", "GB", "United Kingdom", "London", 0, NULL },
		{ "81.2.1.1", "GB", "United Kingdom", "Somewhere", 0, NULL },
		{ "2001:218::1", "JP", "Japan", NULL, 0, NULL },
		{ "81.3.0.1", NULL, NULL, NULL, 0, NULL },
	};
	static const int sizes[] = { 24, 28, 32 };

	(void)state;
	NEED_MKMMDB();
	for (size_t i = 0; i < 2 * ARRAY_LEN(sizes); i++) {
		char dir[PATH_MAX], name[32], json[2048];
		struct geo *g;

		xfmt(name, sizeof(name), "rs-%zu", i);
		new_dir(dir, name);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		xfmt(json, sizeof(json), tmpl, sizes[i % 3], i < 3 ? "true" : "false");
#pragma GCC diagnostic pop
		gen(dir, "x.mmdb", json);
		g = open1(dir);
		assert_no_reports();
		check_all(g, w, ARRAY_LEN(w));
		geo_close(g);
	}
}

/* IPv4 in an IPv4 tree and in the ::/96 of an IPv6 tree; IPv6 never in
 * an IPv4 tree; ::ffff:a.b.c.d as the IPv4 address it maps. */
static void test_ipv4_in_both_kinds(void **state)
{
	static const char v4[] =
		"{'metadata': {'database_type': 'DBIP-City-Lite', 'ip_version': 4},"
		" 'networks': [['10.1.0.0/16', {'country_code': 'DE', 'city': 'Four'}]]}";
	static const char v6[] =
		"{'metadata': {'database_type': 'DBIP-City-Lite', 'ip_version': 6},"
		" 'networks': [['10.1.0.0/16', {'country_code': 'FR', 'city': 'Six'}],"
		"  ['2001:db8::/32', {'country_code': 'NL', 'city': 'SixOnly'}]]}";
	static const struct want w4[] = {
		{ "10.1.2.3", "DE", "Germany", "Four", 0, NULL },
		{ "::ffff:10.1.2.3", "DE", "Germany", "Four", 0, NULL },
		{ "2001:db8::1", NULL, NULL, NULL, 0, NULL },
		{ "::10.1.2.3", NULL, NULL, NULL, 0, NULL },
		{ "10.2.0.1", NULL, NULL, NULL, 0, NULL },
	};
	static const struct want w6[] = {
		{ "10.1.2.3", "FR", "France", "Six", 0, NULL },
		{ "::ffff:10.1.2.3", "FR", "France", "Six", 0, NULL },
		{ "2001:db8::1", "NL", "Netherlands", "SixOnly", 0, NULL },
		{ "10.2.0.1", NULL, NULL, NULL, 0, NULL },
	};
	static const struct want both[] = {
		{ "10.1.2.3", "DE", "Germany", "Four", 0, NULL },
		{ "2001:db8::1", "NL", "Netherlands", "SixOnly", 0, NULL },
	};
	char d4[PATH_MAX], d6[PATH_MAX], db[PATH_MAX];
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(d4, "fam4");
	gen(d4, "x.mmdb", v4);
	new_dir(d6, "fam6");
	gen(d6, "x.mmdb", v6);
	new_dir(db, "fam46");
	gen(db, "a.mmdb", v4);
	gen(db, "b.mmdb", v6);

	g = open1(d4);
	check_all(g, w4, ARRAY_LEN(w4));
	geo_close(g);
	g = open1(d6);
	check_all(g, w6, ARRAY_LEN(w6));
	geo_close(g);
	g = open1(db);
	assert_int_equal(geo_count(g), 2);
	check_all(g, both, ARRAY_LEN(both));
	geo_close(g);
}

/* City databases first, then country, then ASN; within a rank, directory
 * order then byte order of names; not the order files were made in. */
static void test_precedence(void **state)
{
	static const char paris[] =
		"{'metadata': {'database_type': 'GeoLite2-City', 'ip_version': 6},"
		" 'networks': [['10.2.0.0/16', {'country': {'iso_code': 'FR'},"
		"  'city': {'names': {'en': 'Paris'}}}]]}";
	static const char london[] =
		"{'metadata': {'database_type': 'GeoLite2-City', 'ip_version': 6},"
		" 'networks': [['10.2.0.0/16', {'country': {'iso_code': 'GB'},"
		"  'city': {'names': {'en': 'London'}}}],"
		"  ['10.4.0.0/16', {'city': {'names': {'en': 'Nowhere'}}}]]}";
	static const char country[] =
		"{'metadata': {'database_type': 'GeoLite2-Country', 'ip_version': 6},"
		" 'networks': [['10.2.0.0/15', {'country': {'iso_code': 'DE'}}],"
		"  ['10.4.0.0/16', {'country': {'iso_code': 'AT'}}]]}";
	static const char asn[] =
		"{'metadata': {'database_type': 'GeoLite2-ASN', 'ip_version': 4},"
		" 'networks': [['10.0.0.0/8', {'autonomous_system_number': 64512,"
		"  'autonomous_system_organization': 'Private'}]]}";
	static const struct want w[] = {
		{ "10.2.0.1", "GB", "United Kingdom", "London", 64512, "Private" },
		{ "10.3.0.1", "DE", "Germany", NULL, 64512, "Private" },
		{ "10.4.0.1", "AT", "Austria", "Nowhere", 64512, "Private" },
		{ "10.5.0.1", NULL, NULL, NULL, 64512, "Private" },
	};
	static const struct want w2[] = {
		{ "10.2.0.1", "FR", "France", "Paris", 64512, "Private" },
	};
	char d1[PATH_MAX], d2[PATH_MAX];
	const char *dirs[] = { d2, d1, NULL };
	struct geo *g;

	(void)state;
	NEED_MKMMDB();
	new_dir(d1, "prec1");
	gen(d1, "0-asn.mmdb", asn);
	gen(d1, "1-country.mmdb", country);
	gen(d1, "b.mmdb", paris);
	gen(d1, "a.mmdb", london);
	g = open1(d1);
	assert_int_equal(geo_count(g), 4);
	check_all(g, w, ARRAY_LEN(w));
	geo_close(g);

	/* An earlier directory wins over a later one. */
	new_dir(d2, "prec2");
	gen(d2, "z.mmdb", paris);
	g = open_dirs(dirs);
	assert_int_equal(geo_count(g), 5);
	check_all(g, w2, ARRAY_LEN(w2));
	geo_close(g);
}

/* ---- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	find_root();
	find_testdata();
	xfmt(tmp, sizeof(tmp), "%s/flowtop-geoip-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (!root[0])
		fprintf(stderr, "test_geoip: repository not found; the tests "
			"of its databases and generated ones cannot run\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (tmp[0])
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maxmind_city),
		cmocka_unit_test(test_maxmind_country),
		cmocka_unit_test(test_maxmind_asn),
		cmocka_unit_test(test_merge_city_asn),
		cmocka_unit_test(test_symlinks_and_odd_entries),
		cmocka_unit_test(test_no_database_hint),
		cmocka_unit_test(test_null_and_bad_arguments),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_corrupt_variants),
		cmocka_unit_test(test_dbip_city_split_files),
		cmocka_unit_test(test_flat_asn),
		cmocka_unit_test(test_ipinfo),
		cmocka_unit_test(test_classify_by_records),
		cmocka_unit_test(test_utf8_names),
		cmocka_unit_test(test_hostile_city),
		cmocka_unit_test(test_hostile_asn),
		cmocka_unit_test(test_hostile_ipinfo),
		cmocka_unit_test(test_record_sizes_and_pointers),
		cmocka_unit_test(test_ipv4_in_both_kinds),
		cmocka_unit_test(test_precedence),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
