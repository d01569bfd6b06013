/* geoip: country, city and AS of an address from MaxMind DB files.
 *
 * A database file is data from strangers (a download, a user's directory),
 * so nothing here trusts it: libmaxminddb bounds-checks every offset it
 * follows against the sizes it validated at open, and this file only ever
 * reads what the library hands back (a string with its length, a number of
 * a checked type), checks every error code, and escapes every string.
 * MMDB_get_entry_data_list is never used: a map or array that claims a
 * huge size makes it allocate far more than the record holds, on every
 * call; MMDB_aget_value walks the record in place.
 */
#include <dirent.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "privsep/flow_wire.h"
#include "resolver/geoip.h"
#include "resolver/iso3166.h"
#include "ui/escape.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What a database answers; a city database also answers the country. */
enum geo_role {
	GEO_CITY = 1u << 0,
	GEO_COUNTRY = 1u << 1,
	GEO_ASN = 1u << 2,
};

_Static_assert((unsigned)GEO_CITY == (unsigned)GEO_ROLE_CITY &&
	       (unsigned)GEO_COUNTRY == (unsigned)GEO_ROLE_COUNTRY &&
	       (unsigned)GEO_ASN == (unsigned)GEO_ROLE_ASN, "role bits of geoip.h");

struct geo_db {
	MMDB_s mmdb;           /* allocated once: entries point back at it */
	unsigned roles;
	dev_t dev;             /* the same file reached twice is opened once */
	ino_t ino;
	struct timespec mtime; /* with size: how a replaced file is noticed */
	off_t size;
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

/* database_type words -> roles; every match counts, so IPinfo's
 * "country_asn" is both. Anything else is classified by its records. */
static const struct {
	const char *word;
	unsigned roles;
} geo_types[] = {
	{ "city", GEO_CITY | GEO_COUNTRY },      /* GeoLite2-City, DBIP-City-Lite */
	{ "location", GEO_CITY | GEO_COUNTRY },  /* ipinfo standard_location */
	{ "country", GEO_COUNTRY },              /* GeoIP2-Country, dbip-country-lite */
	{ "asn", GEO_ASN },                      /* GeoLite2-ASN, DBIP-ASN-Lite */
	{ "isp", GEO_ASN },                      /* GeoIP2-ISP */
	{ "ipinfo", GEO_COUNTRY | GEO_ASN },     /* "ipinfo lite.mmdb" */
};

/* Where each field lives in the schemas in use, tried in order: MaxMind's
 * nested maps first, then the flat DB-IP / ip-location-db and IPinfo
 * names. A path that does not fit a record just fails to match. */
typedef const char *const geo_path[4];

static geo_path geo_code_paths[] = {
	{ "country", "iso_code" }, { "country_code" },
	{ "country" },  /* IPinfo country_asn: the code itself */
};
static geo_path geo_name_paths[] = {
	{ "country", "names", "en" }, { "country_name" },
	{ "country" },  /* IPinfo lite: the name */
};
static geo_path geo_city_paths[] = {
	{ "city", "names", "en" }, { "city" },
};
static geo_path geo_asn_paths[] = {
	{ "autonomous_system_number" }, { "asn" },
	{ "traits", "autonomous_system_number" },  /* GeoIP2-Enterprise */
};
static geo_path geo_org_paths[] = {
	{ "autonomous_system_organization" }, { "as_name" },
	{ "traits", "autonomous_system_organization" },
};

/* ---- reading one record ---------------------------------------------- */

/* The value at path, if the library could reach it without error. */
static int geo_get(MMDB_entry_s *e, const char *const *path,
		   MMDB_entry_data_s *d)
{
	memset(d, 0, sizeof(*d));
	if (MMDB_aget_value(e, d, path) != MMDB_SUCCESS || !d->has_data)
		return -1;
	return 0;
}

/* A UTF-8 string value; any other type is not what the schema promised. */
static int geo_string(MMDB_entry_s *e, const char *const *path,
		      const char **s, size_t *len)
{
	MMDB_entry_data_s d;

	if (geo_get(e, path, &d) < 0 || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return -1;
	*s = d.utf8_string;
	*len = d.data_size;
	return 0;
}

/* An unsigned integer value of 16, 32 or 64 bits. */
static int geo_number(const MMDB_entry_data_s *d, uint64_t *v)
{
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16: *v = d->uint16; return 0;
	case MMDB_DATA_TYPE_UINT32: *v = d->uint32; return 0;
	case MMDB_DATA_TYPE_UINT64: *v = d->uint64; return 0;
	default: return -1;
	}
}

/* IPinfo's "AS15169": "AS" then 1..10 digits. The string is not
 * NUL-terminated; only len bytes are read. */
static int geo_parse_asn(const char *s, size_t len, uint64_t *v)
{
	if (len < 3 || len > 12 || s[0] != 'A' || s[1] != 'S')
		return -1;
	*v = 0;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* An AS number, stored as a number or as "AS<digits>"; 0 (reserved, and
 * our "unknown") and anything past 32 bits are refused. */
static uint32_t geo_asn(MMDB_entry_s *e)
{
	for (size_t i = 0; i < ARRAY_LEN(geo_asn_paths); i++) {
		MMDB_entry_data_s d;
		uint64_t v;

		if (geo_get(e, geo_asn_paths[i], &d) < 0)
			continue;
		if (geo_number(&d, &v) < 0 &&
		    (d.type != MMDB_DATA_TYPE_UTF8_STRING ||
		     geo_parse_asn(d.utf8_string, d.data_size, &v) < 0))
			continue;
		if (v >= 1 && v <= UINT32_MAX)
			return (uint32_t)v;
	}
	return 0;
}

/* The first of paths that holds a string, escaped into out. */
static int geo_text(MMDB_entry_s *e, geo_path *paths, size_t n, char *out,
		    size_t outsz)
{
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;

		if (geo_string(e, paths[i], &s, &len) < 0 || len == 0)
			continue;
		esc_term(out, outsz, s, len);
		return 0;
	}
	return -1;
}

/* Two ASCII letters, stored upper case; code is untouched unless both
 * are letters. */
static int geo_code_ok(const char *s, size_t len, char code[4])
{
	char up[2];

	if (len != 2)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		up[i] = s[i];
		if (up[i] >= 'a' && up[i] <= 'z')
			up[i] = (char)(up[i] - 'a' + 'A');
		if (up[i] < 'A' || up[i] > 'Z')
			return -1;
	}
	code[0] = up[0];
	code[1] = up[1];
	code[2] = '\0';
	return 0;
}

static int geo_code(MMDB_entry_s *e, char code[4])
{
	for (size_t i = 0; i < ARRAY_LEN(geo_code_paths); i++) {
		const char *s;
		size_t len;

		if (geo_string(e, geo_code_paths[i], &s, &len) == 0 &&
		    geo_code_ok(s, len, code) == 0)
			return 0;
	}
	return -1;
}

/* The country's name from the record; where the record only has the
 * code in that field (IPinfo's "country"), or nothing, from ISO 3166. */
static void geo_country_name(MMDB_entry_s *e, struct geo_info *out)
{
	for (size_t i = 0; i < ARRAY_LEN(geo_name_paths); i++) {
		const char *s;
		size_t len;
		char code[4];

		if (geo_string(e, geo_name_paths[i], &s, &len) < 0 || len == 0 ||
		    geo_code_ok(s, len, code) == 0)
			continue;
		esc_term(out->country_name, sizeof(out->country_name), s, len);
		return;
	}
	const char *name = iso3166_name(out->country);

	if (name)
		esc_term(out->country_name, sizeof(out->country_name), name,
			 strlen(name));
}

/* Fill what this database answers and out does not know yet: the first
 * database to know a field keeps it. */
static void geo_fill(MMDB_entry_s *e, unsigned roles, struct geo_info *out)
{
	if ((roles & GEO_COUNTRY) && !out->country[0] &&
	    geo_code(e, out->country) == 0)
		geo_country_name(e, out);
	if ((roles & GEO_CITY) && !out->city[0])
		geo_text(e, geo_city_paths, ARRAY_LEN(geo_city_paths), out->city,
			 sizeof(out->city));
	if ((roles & GEO_ASN) && !out->asn)
		out->asn = geo_asn(e);
	if ((roles & GEO_ASN) && !out->as_org[0])
		geo_text(e, geo_org_paths, ARRAY_LEN(geo_org_paths), out->as_org,
			 sizeof(out->as_org));
}

/* Roles a record shows it can answer, by the fields it has. */
static unsigned geo_record_roles(MMDB_entry_s *e)
{
	struct geo_info gi;
	unsigned roles = 0;

	memset(&gi, 0, sizeof(gi));
	geo_fill(e, GEO_CITY | GEO_COUNTRY | GEO_ASN, &gi);
	if (gi.country[0])
		roles |= GEO_COUNTRY;
	if (gi.city[0])
		roles |= GEO_CITY | GEO_COUNTRY;
	if (gi.asn || gi.as_org[0])
		roles |= GEO_ASN;
	return roles;
}

/* The address as the library wants it. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is looked up as the IPv4 address it is, which also
 * lets IPv4-only databases answer it. Returns 0, or -1 for no family. */
static int geo_sockaddr(uint8_t family, const uint8_t addr[16],
			struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == FLOW_FAM_IPV6 && memcmp(addr, mapped, 12) == 0) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr + 12, 4);
	} else if (family == FLOW_FAM_IPV4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else if (family == FLOW_FAM_IPV6) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	} else {
		return -1;
	}
	return 0;
}

/* ---- checking a database at open --------------------------------------- */

/* A record the library cannot decode means a corrupt data section. One
 * that decodes to something other than a map is merely useless: lookups
 * find no field in it. */
static int geo_record_ok(MMDB_entry_s *e)
{
	static const char *const root[] = { NULL };
	MMDB_entry_data_s d;

	memset(&d, 0, sizeof(d));
	if (MMDB_aget_value(e, &d, root) != MMDB_SUCCESS || !d.has_data)
		return -1;
	return 0;
}

/* Bounds of the walk that looks at a database's first records: enough to
 * classify it and catch a broken tree, cheap even for a large file. A
 * corrupt tree may loop; the node budget ends that too. */
#define GEO_PROBE_NODES 4096
#define GEO_PROBE_RECORDS 16
#define GEO_PROBE_STACK 160   /* a valid tree is at most 128 deep */

struct geo_probe {
	uint32_t stack[GEO_PROBE_STACK];   /* nodes still to visit */
	size_t top;
	unsigned roles;                    /* what the records seen can answer */
	unsigned records;
	const char *why;                   /* set when the database is refused */
};

/* One record of a node: a node to visit later, nothing, or data to look
 * at. MMDB_read_node has typed it by the bounds it validated. */
static void geo_probe_record(struct geo_probe *p, uint8_t type, uint64_t rec,
			     MMDB_entry_s e)
{
	switch (type) {
	case MMDB_RECORD_TYPE_SEARCH_NODE:
		if (p->top < GEO_PROBE_STACK)
			p->stack[p->top++] = (uint32_t)rec;
		break;
	case MMDB_RECORD_TYPE_EMPTY:
		break;
	case MMDB_RECORD_TYPE_DATA:
		if (geo_record_ok(&e) < 0) {
			p->why = "corrupt data section";
			break;
		}
		p->roles |= geo_record_roles(&e);
		p->records++;
		break;
	default:
		p->why = "corrupt search tree";
		break;
	}
}

/* Depth first from the root, left before right (pushed last). */
static void geo_probe(const MMDB_s *m, struct geo_probe *p)
{
	p->stack[p->top++] = 0;
	for (unsigned visits = 0; p->top > 0 && visits < GEO_PROBE_NODES &&
	     p->records < GEO_PROBE_RECORDS && !p->why; visits++) {
		MMDB_search_node_s sn;

		if (MMDB_read_node(m, p->stack[--p->top], &sn) != MMDB_SUCCESS) {
			p->why = "corrupt search tree";
			return;
		}
		geo_probe_record(p, sn.right_record_type, sn.right_record,
				 sn.right_record_entry);
		if (!p->why)
			geo_probe_record(p, sn.left_record_type, sn.left_record,
					 sn.left_record_entry);
	}
}

/* Look a few well-known addresses up as flowtop will: any error from the
 * library, in the tree or in decoding what it finds, refuses the file. */
static const char *geo_sanity(const MMDB_s *m)
{
	static const struct {
		uint8_t family;
		uint8_t addr[16];
	} probes[] = {
		{ FLOW_FAM_IPV4, { 1, 1, 1, 1 } },
		{ FLOW_FAM_IPV4, { 8, 8, 8, 8 } },
		{ FLOW_FAM_IPV4, { 81, 2, 69, 142 } },
		{ FLOW_FAM_IPV4, { 223, 255, 255, 255 } },
		{ FLOW_FAM_IPV6, { 0x20, 0x01, 0x02, 0x18, [15] = 1 } },
		{ FLOW_FAM_IPV6, { 0x2a, 0x00, 0x14, 0x50, [15] = 1 } },
	};

	for (size_t i = 0; i < ARRAY_LEN(probes); i++) {
		struct sockaddr_storage ss;
		MMDB_lookup_result_s r;
		int err = MMDB_SUCCESS;

		if (probes[i].family == FLOW_FAM_IPV6 && m->metadata.ip_version != 6)
			continue;
		geo_sockaddr(probes[i].family, probes[i].addr, &ss);
		r = MMDB_lookup_sockaddr(m, (const struct sockaddr *)&ss, &err);
		if (err != MMDB_SUCCESS)
			return MMDB_strerror(err);
		if (r.found_entry && geo_record_ok(&r.entry) < 0)
			return "corrupt data section";
	}
	return NULL;
}

/* Roles named by database_type, 0 if it names none we know. */
static unsigned geo_type_roles(const char *type)
{
	unsigned roles = 0;

	if (!type)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(geo_types); i++)
		if (strcasestr(type, geo_types[i].word))
			roles |= geo_types[i].roles;
	return roles;
}

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
	if (roles & GEO_CITY)
		return 0;
	return (roles & GEO_COUNTRY) ? 1 : 2;
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
	while (at > 0 && geo_rank(v[at - 1]->roles) > geo_rank(db->roles))
		at--;
	memmove(v + at + 1, v + at, (g->n - at) * sizeof(*v));
	v[at] = db;
	g->n++;
	return 0;
}

static int geo_seen(const struct geo *g, const struct stat *st)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->db[i]->dev == st->st_dev && g->db[i]->ino == st->st_ino)
			return 1;
	return 0;
}

/* Checks after MMDB_open: the sanity lookups, the first records, then
 * the roles. NULL if usable, else the reason (possibly in why). */
static const char *geo_check(struct geo_db *db, char *why, size_t whysz)
{
	const MMDB_metadata_s *md = &db->mmdb.metadata;
	const char *type = md->database_type ? md->database_type : "";
	struct geo_probe p;
	const char *bad;
	char safe[128];

	if (md->ip_version != 4 && md->ip_version != 6)
		return "unsupported ip_version";
	if ((bad = geo_sanity(&db->mmdb)) != NULL)
		return bad;
	memset(&p, 0, sizeof(p));
	geo_probe(&db->mmdb, &p);
	if (p.why)
		return p.why;
	db->roles = geo_type_roles(type);
	if (!db->roles)
		db->roles = p.roles;
	if (db->roles)
		return NULL;
	esc_term(safe, sizeof(safe), type, strlen(type));
	snprintf(why, whysz, "no country, city or AS data (database_type \"%s\")",
		 safe);
	return why;
}

/* The file behind path (symlinks followed), if it can be a database. */
static const char *geo_stat(const char *path, struct stat *st)
{
	if (stat(path, st) < 0)
		return strerror(errno);
	/* Not a FIFO (opening one would block), a device or a directory. */
	return S_ISREG(st->st_mode) ? NULL : "not a regular file";
}

/* MMDB_open's failure in words: the system's for a file that could not
 * be read, the library's for one it could not parse. */
static const char *geo_open_error(int err, int saved_errno, char *why,
				  size_t whysz)
{
	if ((err == MMDB_FILE_OPEN_ERROR || err == MMDB_IO_ERROR) && saved_errno)
		return strerror(saved_errno);
	snprintf(why, whysz, "not a valid MaxMind DB: %s", MMDB_strerror(err));
	return why;
}

/* Open and check one database. NULL with *bad set when refused, NULL with
 * *bad NULL when out of memory. */
static struct geo_db *geo_db_open(const char *path, const struct stat *st,
				  const char **bad, char *why, size_t whysz)
{
	struct geo_db *db = calloc(1, sizeof(*db));
	int err;

	*bad = NULL;
	if (!db)
		return NULL;
	errno = 0;
	err = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (err != MMDB_SUCCESS) {
		if (err != MMDB_OUT_OF_MEMORY_ERROR)
			*bad = geo_open_error(err, errno, why, whysz);
		free(db);
		return NULL;
	}
	if ((*bad = geo_check(db, why, whysz)) != NULL) {
		MMDB_close(&db->mmdb);
		free(db);
		return NULL;
	}
	db->dev = st->st_dev;
	db->ino = st->st_ino;
	db->mtime = st->st_mtim;
	db->size = st->st_size;
	return db;
}

/* Open path (dir/name) as one more database. -1 only when out of memory. */
static int geo_open_file(struct geo *g, const char *path, const char *dir,
			 const char *name, const struct geo_rep *r)
{
	struct geo_db *db;
	struct stat st;
	const char *bad;
	char why[256];

	if ((bad = geo_stat(path, &st)) != NULL) {
		geo_say(r, path, bad);
		return 0;
	}
	if (geo_seen(g, &st))
		return 0;
	if (!(db = geo_db_open(path, &st, &bad, why, sizeof(why)))) {
		if (!bad)
			return -1;
		geo_say(r, path, bad);
		return 0;
	}
	db->dir = dir;
	snprintf(db->name, sizeof(db->name), "%s", name);
	if (geo_add(g, db) == 0)
		return 0;
	MMDB_close(&db->mmdb);
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

static int geo_open_dir(struct geo *g, const char *dir,
			const struct geo_rep *r)
{
	DIR *d = opendir(dir);
	char **names;
	size_t n;
	int rc = 0;

	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR)
			geo_say(r, dir, strerror(errno));
		return 0;
	}
	rc = geo_list(d, &names, &n);
	closedir(d);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *path;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = -1;
			break;
		}
		rc = geo_open_file(g, path, dir, names[i], r);
		free(path);
	}
	geo_free_names(names, n);
	return rc;
}

struct geo *geo_open(const char *const *dirs, geo_report_fn report, void *ctx)
{
	struct geo_rep r = { report, ctx };
	struct geo *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	for (size_t i = 0; dirs && dirs[i]; i++) {
		if (geo_open_dir(g, dirs[i], &r) < 0) {
			geo_close(g);
			return NULL;
		}
	}
	if (g->n == 0)
		geo_hint(&r, dirs);
	return g;
}

void geo_close(struct geo *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		MMDB_close(&g->db[i]->mmdb);
		free(g->db[i]);
	}
	free(g->db);
	free(g);
}

size_t geo_count(const struct geo *g)
{
	return g ? g->n : 0;
}

/* ---- checking one file (the updater's validator) ----------------------- */

int geo_check_file(const char *path, struct geo_file_info *fi, char *why,
		   size_t whysz)
{
	struct geo_db *db;
	struct stat st;
	const char *bad, *type;
	char w[256];

	memset(fi, 0, sizeof(*fi));
	if ((bad = geo_stat(path, &st)) != NULL) {
		snprintf(why, whysz, "%s", bad);
		return -1;
	}
	if (!(db = geo_db_open(path, &st, &bad, w, sizeof(w)))) {
		snprintf(why, whysz, "%s", bad ? bad : "out of memory");
		return -1;
	}
	type = db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type : "";
	fi->roles = db->roles;
	fi->build_epoch = db->mmdb.metadata.build_epoch;
	fi->node_count = db->mmdb.metadata.node_count;
	fi->ip_version = db->mmdb.metadata.ip_version;
	esc_term(fi->type, sizeof(fi->type), type, strlen(type));
	MMDB_close(&db->mmdb);
	free(db);
	return 0;
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
	MMDB_close(&g->db[i]->mmdb);
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
		if (old->dev == st.st_dev &&
		    geo_same_file(&st, old->ino, old->mtime, old->size))
			return 0;
	} else if (geo_seen(g, &st)) {
		return 0;
	}
	db = geo_db_open(path, &st, &bad, why, sizeof(why));
	if (!db) {
		if (bad && !geo_bad_once(g, name, &st)) {
			char line[400];

			snprintf(line, sizeof(line), "%s%s", bad,
				 old ? "; keeping the database in use" : "");
			geo_say(r, name, line);
		}
		return 0;
	}
	db->dir = g->watch_dir;
	snprintf(db->name, sizeof(db->name), "%s", name);
	if (old)
		geo_remove(g, at);
	if (geo_add(g, db) < 0) {
		MMDB_close(&db->mmdb);
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
	if ((roles & GEO_COUNTRY) && !out->country[0])
		return 1;
	if ((roles & GEO_CITY) && !out->city[0])
		return 1;
	return (roles & GEO_ASN) && (!out->asn || !out->as_org[0]);
}

int geo_lookup(const struct geo *g, uint8_t family, const uint8_t addr[16],
	       struct geo_info *out)
{
	struct sockaddr_storage ss;

	memset(out, 0, sizeof(*out));
	if (!g || geo_sockaddr(family, addr, &ss) < 0)
		return 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct geo_db *db = g->db[i];
		MMDB_lookup_result_s r;
		int err = MMDB_SUCCESS;

		/* An IPv4 tree has no room for IPv6; an IPv6 one answers IPv4
		 * from ::/96, which the library walks to for an AF_INET. */
		if (ss.ss_family == AF_INET6 && db->mmdb.metadata.ip_version != 6)
			continue;
		if (!geo_useful(db->roles, out))
			continue;
		r = MMDB_lookup_sockaddr(&db->mmdb, (const struct sockaddr *)&ss,
					 &err);
		if (err != MMDB_SUCCESS || !r.found_entry)
			continue;
		geo_fill(&r.entry, db->roles, out);
	}
	return out->country[0] || out->city[0] || out->asn || out->as_org[0];
}
