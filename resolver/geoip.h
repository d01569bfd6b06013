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

/* Look addr up in every database that covers its family, merging what
 * they know into *out (zeroed first). 1 if anything was found, else 0. */
int geo_lookup(const struct geo *g, uint8_t family, const uint8_t addr[16],
	       struct geo_info *out);

#endif
