/* SPDX-License-Identifier: GPL-2.0-only */
/* geofile: one mmdb file, opened, checked and read (geofile.h).
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
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/geofile.h"
#include "common/iso3166.h"
#include "common/util.h"

/* database_type words -> roles; every match counts, so IPinfo's
 * "country_asn" is both. Anything else is classified by its records. */
static const struct {
	const char *word;
	unsigned roles;
} geo_types[] = {
	/* GeoLite2-City, DBIP-City-Lite; ipinfo standard_location */
	{ "city", GEO_ROLE_CITY | GEO_ROLE_COUNTRY },
	{ "location", GEO_ROLE_CITY | GEO_ROLE_COUNTRY },
	/* GeoIP2-Country, dbip-country-lite */
	{ "country", GEO_ROLE_COUNTRY },
	/* GeoLite2-ASN, DBIP-ASN-Lite; GeoIP2-ISP */
	{ "asn", GEO_ROLE_ASN },
	{ "isp", GEO_ROLE_ASN },
	/* "ipinfo lite.mmdb" */
	{ "ipinfo", GEO_ROLE_COUNTRY | GEO_ROLE_ASN },
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
	if ((roles & GEO_ROLE_COUNTRY) && !out->country[0] &&
	    geo_code(e, out->country) == 0)
		geo_country_name(e, out);
	if ((roles & GEO_ROLE_CITY) && !out->city[0])
		geo_text(e, geo_city_paths, ARRAY_LEN(geo_city_paths), out->city,
			 sizeof(out->city));
	if ((roles & GEO_ROLE_ASN) && !out->asn)
		out->asn = geo_asn(e);
	if ((roles & GEO_ROLE_ASN) && !out->as_org[0])
		geo_text(e, geo_org_paths, ARRAY_LEN(geo_org_paths), out->as_org,
			 sizeof(out->as_org));
}

/* Roles a record shows it can answer, by the fields it has. */
static unsigned geo_record_roles(MMDB_entry_s *e)
{
	struct geo_info gi;
	unsigned roles = 0;

	memset(&gi, 0, sizeof(gi));
	geo_fill(e, GEO_ROLE_CITY | GEO_ROLE_COUNTRY | GEO_ROLE_ASN, &gi);
	if (gi.country[0])
		roles |= GEO_ROLE_COUNTRY;
	if (gi.city[0])
		roles |= GEO_ROLE_CITY | GEO_ROLE_COUNTRY;
	if (gi.asn || gi.as_org[0])
		roles |= GEO_ROLE_ASN;
	return roles;
}

int geofile_sockaddr(unsigned ipv, const uint8_t addr[16],
		     struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ipv == 6 && memcmp(addr, mapped, 12) == 0) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr + 12, 4);
	} else if (ipv == 4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else if (ipv == 6) {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	} else {
		return -1;
	}
	return 0;
}

int geofile_lookup(const struct geofile *f, const struct sockaddr *sa,
		   struct geo_info *out)
{
	MMDB_lookup_result_s r;
	int err = MMDB_SUCCESS;

	/* An IPv4 tree has no room for IPv6; an IPv6 one answers IPv4 from
	 * ::/96, which the library walks to for an AF_INET. */
	if (sa->sa_family == AF_INET6 && f->mmdb.metadata.ip_version != 6)
		return 0;
	r = MMDB_lookup_sockaddr(&f->mmdb, sa, &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		return 0;
	geo_fill(&r.entry, f->roles, out);
	return 1;
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
		unsigned ipv;
		uint8_t addr[16];
	} probes[] = {
		{ 4, { 1, 1, 1, 1 } },
		{ 4, { 8, 8, 8, 8 } },
		{ 4, { 81, 2, 69, 142 } },
		{ 4, { 223, 255, 255, 255 } },
		{ 6, { 0x20, 0x01, 0x02, 0x18, [15] = 1 } },
		{ 6, { 0x2a, 0x00, 0x14, 0x50, [15] = 1 } },
	};

	for (size_t i = 0; i < ARRAY_LEN(probes); i++) {
		struct sockaddr_storage ss;
		MMDB_lookup_result_s r;
		int err = MMDB_SUCCESS;

		if (probes[i].ipv == 6 && m->metadata.ip_version != 6)
			continue;
		geofile_sockaddr(probes[i].ipv, probes[i].addr, &ss);
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

/* ---- opening ---------------------------------------------------------- */

/* Checks after MMDB_open: the sanity lookups, the first records, then
 * the roles. 0 if usable, else -1 with the reason in why. */
static int geo_check(struct geofile *f, char *why, size_t whysz)
{
	const MMDB_metadata_s *md = &f->mmdb.metadata;
	const char *type = md->database_type ? md->database_type : "";
	struct geo_probe p;
	const char *bad = NULL;
	char safe[128];

	if (md->ip_version != 4 && md->ip_version != 6)
		bad = "unsupported ip_version";
	else
		bad = geo_sanity(&f->mmdb);
	if (!bad) {
		memset(&p, 0, sizeof(p));
		geo_probe(&f->mmdb, &p);
		bad = p.why;
	}
	if (bad) {
		snprintf(why, whysz, "%s", bad);
		return -1;
	}
	f->roles = geo_type_roles(type);
	if (!f->roles)
		f->roles = p.roles;
	if (f->roles)
		return 0;
	esc_term(safe, sizeof(safe), type, strlen(type));
	snprintf(why, whysz, "no country, city or AS data (database_type \"%s\")",
		 safe);
	return -1;
}

const char *geofile_stat(const char *path, struct stat *st)
{
	if (stat(path, st) < 0)
		return strerror(errno);
	return S_ISREG(st->st_mode) ? NULL : "not a regular file";
}

/* MMDB_open's failure in words: the system's for a file that could not
 * be read, the library's for one it could not parse. */
static void geo_open_error(int err, int saved_errno, char *why, size_t whysz)
{
	if ((err == MMDB_FILE_OPEN_ERROR || err == MMDB_IO_ERROR) && saved_errno)
		snprintf(why, whysz, "%s", strerror(saved_errno));
	else
		snprintf(why, whysz, "not a valid MaxMind DB: %s",
			 MMDB_strerror(err));
}

int geofile_open(struct geofile *f, const char *path, const struct stat *st,
		 char *why, size_t whysz)
{
	int err;

	memset(f, 0, sizeof(*f));
	errno = 0;
	err = MMDB_open(path, MMDB_MODE_MMAP, &f->mmdb);
	if (err == MMDB_OUT_OF_MEMORY_ERROR)
		return -2;
	if (err != MMDB_SUCCESS) {
		geo_open_error(err, errno, why, whysz);
		return -1;
	}
	if (geo_check(f, why, whysz) < 0) {
		MMDB_close(&f->mmdb);
		return -1;
	}
	f->st = *st;
	return 0;
}

void geofile_close(struct geofile *f)
{
	MMDB_close(&f->mmdb);
}

/* ---- checking one file (the updater's validator) ----------------------- */

int geofile_check(const char *path, struct geo_file_info *fi, char *why,
		  size_t whysz)
{
	struct geofile *f = malloc(sizeof(*f));
	struct stat st;
	const char *bad, *type;
	int rc;

	memset(fi, 0, sizeof(*fi));
	if (!f) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	if ((bad = geofile_stat(path, &st)) != NULL) {
		snprintf(why, whysz, "%s", bad);
		free(f);
		return -1;
	}
	rc = geofile_open(f, path, &st, why, whysz);
	if (rc < 0) {
		if (rc == -2)
			snprintf(why, whysz, "out of memory");
		free(f);
		return -1;
	}
	type = f->mmdb.metadata.database_type ? f->mmdb.metadata.database_type : "";
	fi->roles = f->roles;
	fi->build_epoch = f->mmdb.metadata.build_epoch;
	fi->node_count = f->mmdb.metadata.node_count;
	fi->ip_version = f->mmdb.metadata.ip_version;
	esc_term(fi->type, sizeof(fi->type), type, strlen(type));
	geofile_close(f);
	free(f);
	return 0;
}
