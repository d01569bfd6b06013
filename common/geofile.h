/* SPDX-License-Identifier: GPL-2.0-only */
/* geofile: one MaxMind DB (mmdb) file, opened and checked as flowtop
 * trusts a database, and what its records say about an address.
 *
 * The resolver keeps a set of these (resolver/geoip.c); the updater's
 * validator checks a download with the very same code (geofile_check).
 * A file is classified by its metadata (database_type) and, failing that,
 * by the fields its first records carry, as a city, country or ASN
 * database, whatever it is called. Three schemas are read: MaxMind
 * GeoIP2/GeoLite2 (country.iso_code, country.names.en, city.names.en,
 * autonomous_system_number/_organization), the flat DB-IP lite /
 * ip-location-db one (country_code, city, ...; ASN files with
 * autonomous_system_*), and IPinfo's (country_code, asn "AS15169",
 * as_name). Country names for code-only files come from iso3166.h.
 *
 * Strings from a database are data from strangers: everything put in a
 * geo_info is escaped with esc_term() and bounded by its field.
 */
#ifndef FLOWTOP_GEOFILE_H
#define FLOWTOP_GEOFILE_H

#include <maxminddb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* Longest escaped text of a geo_info field, NUL included. */
#define GEO_TEXT_LEN 96

struct geo_info {
	char country[4];                      /* ISO code or "" */
	char country_name[GEO_TEXT_LEN];
	char city[GEO_TEXT_LEN];
	uint32_t asn;                         /* 0: unknown */
	char as_org[GEO_TEXT_LEN];
};

/* What a database answers; a city database also answers the country. */
enum geo_role_bits {
	GEO_ROLE_CITY = 1u << 0,
	GEO_ROLE_COUNTRY = 1u << 1,
	GEO_ROLE_ASN = 1u << 2,
};

struct geofile {
	MMDB_s mmdb;             /* must not move once open: entries point to it */
	unsigned roles;          /* GEO_ROLE_* */
	struct stat st;          /* the file opened (symlinks followed) */
};

/* The file behind path, if it can be a database (a regular file: not a
 * FIFO, a device or a directory). NULL, or the reason. */
const char *geofile_stat(const char *path, struct stat *st);

/* Open path, whose stat is st, and check it: the library's own checks,
 * lookups of a few well-known addresses, its first records, its roles.
 * 0; -1 when refused, with the reason in why; -2 when out of memory. */
int geofile_open(struct geofile *f, const char *path, const struct stat *st,
		 char *why, size_t whysz);
void geofile_close(struct geofile *f);

/* The address as the library wants it, from ip version 4 or 6 and the
 * address bytes (4 or 16 used). An IPv4-mapped IPv6 address is looked up
 * as the IPv4 address it is, which also lets IPv4-only databases answer
 * it. 0, or -1 for another version. */
int geofile_sockaddr(unsigned ipv, const uint8_t addr[16],
		     struct sockaddr_storage *ss);

/* Fill the fields of out that f answers and out does not know yet (the
 * first database to know a field keeps it). 1 if f has a record for sa. */
int geofile_lookup(const struct geofile *f, const struct sockaddr *sa,
		   struct geo_info *out);

/* What geofile_check tells of a file. */
struct geo_file_info {
	unsigned roles;          /* GEO_ROLE_* */
	uint64_t build_epoch;
	uint32_t node_count;
	uint16_t ip_version;
	char type[64];           /* database_type, escaped */
};

/* Open path, check it exactly as geofile_open does, close it. 0 with *fi
 * filled, or -1 with the reason in why. */
int geofile_check(const char *path, struct geo_file_info *fi, char *why,
		  size_t whysz);

#endif
