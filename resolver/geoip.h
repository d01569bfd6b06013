/* geoip: country, city and AS of an address from MaxMind DB (mmdb) files.
 *
 * Every *.mmdb in the given directories is opened (mmap, symlinks
 * followed) and classified by its metadata (database_type and the fields
 * its records carry) as a city, country or ASN database, for IPv4, IPv6 or
 * both, whatever the file is called. Three schemas are read: MaxMind
 * GeoIP2/GeoLite2 (country.iso_code, country.names.en, city.names.en,
 * autonomous_system_number/_organization), the flat DB-IP lite /
 * ip-location-db one (country_code, city, ...; ASN files with
 * autonomous_system_*), and IPinfo's (country_code, asn "AS15169",
 * as_name). Country names for code-only files come from iso3166.h.
 *
 * Strings from a database are data from strangers: everything put in a
 * geo_info is escaped with esc_term() and bounded by its field.
 */
#ifndef FLOWTOP_GEOIP_H
#define FLOWTOP_GEOIP_H

#include <stddef.h>
#include <stdint.h>
#include "privsep/lookup_wire.h"

struct geo_info {
	char country[4];                      /* ISO code or "" */
	char country_name[LOOKUP_TEXT_LEN];
	char city[LOOKUP_TEXT_LEN];
	uint32_t asn;                         /* 0: unknown */
	char as_org[LOOKUP_TEXT_LEN];
};

struct geo;

/* Called once per refused file with one line "FILE: reason", and once with
 * a hint when no usable database was found at all. */
typedef void (*geo_report_fn)(void *ctx, const char *line);

/* Open the databases of dirs (NULL-terminated; missing directories are
 * skipped silently). Never NULL unless out of memory; a geo with no
 * databases answers nothing. */
struct geo *geo_open(const char *const *dirs, geo_report_fn report, void *ctx);
void geo_close(struct geo *g);

/* Number of databases in use. */
size_t geo_count(const struct geo *g);

/* Live reload: the resolver, chrooted into the GeoIP directory that
 * `flowtop -u` installs into, watches it. geo_watch() says that the
 * databases opened from abs_dir are now reached as root/NAME;
 * geo_reload() (every few seconds) stats each known name and lists the
 * directory: a changed file (inode, mtime or size) or a new *.mmdb is
 * opened and checked as at start, swapped in, the old one closed; a file
 * that fails the checks is reported once and the old database kept; a
 * removed one is dropped. Returns the number of changes made. */
void geo_watch(struct geo *g, const char *abs_dir, const char *root);
int geo_reload(struct geo *g, geo_report_fn report, void *ctx);

/* What a database answers (geo_check_file). */
enum geo_role_bits {
	GEO_ROLE_CITY = 1u << 0,
	GEO_ROLE_COUNTRY = 1u << 1,
	GEO_ROLE_ASN = 1u << 2,
};

struct geo_file_info {
	unsigned roles;          /* GEO_ROLE_* */
	uint64_t build_epoch;
	uint32_t node_count;
	uint16_t ip_version;
	char type[64];           /* database_type, escaped */
};

/* Open path and check it exactly as geo_open would (the updater's
 * validator uses this). 0 with *fi filled, or -1 with the reason in why. */
int geo_check_file(const char *path, struct geo_file_info *fi, char *why,
		   size_t whysz);

/* Look addr up in every database that covers its family, merging what
 * they know into *out (zeroed first). 1 if anything was found, else 0. */
int geo_lookup(const struct geo *g, uint8_t family, const uint8_t addr[16],
	       struct geo_info *out);

#endif
