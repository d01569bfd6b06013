/* SPDX-License-Identifier: GPL-2.0-only */
/* plan: which databases to fetch, where each is installed, and the URLs
 * to try for it, in order.
 *
 * geoip.conf's databases come from its mirrors, with the names of its
 * layout (plain: NAME.mmdb.gz, NAME.tar.gz, NAME.mmdb; dbip:
 * NAME-YYYY-MM.mmdb.gz for this month, then last month's). The editions of
 * a usable GeoIP.conf come from its Host the way geoipupdate asks for them
 * (/geoip/databases/EDITION/download?suffix=tar.gz, HTTP basic auth with
 * AccountID:LicenseKey), then from geoip.conf's mirrors. Every candidate
 * has a checksum URL beside it, fetched when the file was found. With a
 * geoip.conf "pubkey", every candidate from geoip.conf's mirrors also has
 * a signature URL (URL.minisig) that must be there and must verify; the
 * account's downloads from MaxMind (https, its credentials) are not
 * minisign-signed and need none.
 */
#ifndef FLOWTOP_GU_PLAN_H
#define FLOWTOP_GU_PLAN_H

#include <stddef.h>
#include <time.h>
#include "geoip-update/conf.h"
#include "geoip-update/mmconf.h"

#define GU_MAX_CANDS 64
#define GU_AUTH_MAX 192

/* What a database must be, by its name (city/country/asn/isp in it). */
enum gu_kind { GU_KIND_CITY = 1, GU_KIND_COUNTRY, GU_KIND_ASN };

struct gu_cand {
	char url[GU_URL_MAX];
	char sha_url[GU_URL_MAX];
	char sig_url[GU_URL_MAX];  /* "" when no signature is required */
	unsigned mirror;         /* index: a non-404 client error skips the rest */
	int auth;                /* send the account's basic auth */
};

struct gu_db {
	char name[GU_NAME_MAX];  /* installed as name.mmdb */
	enum gu_kind kind;
	struct gu_cand cand[GU_MAX_CANDS];
	size_t ncand;
};

struct gu_plan {
	struct gu_db db[GU_MAX_DBS * 2];
	size_t ndbs;
	char auth[GU_AUTH_MAX];  /* "account:key" or "" */
	char dir[GU_PATH_MAX];   /* where to install */
};

/* The kind a database name says, or 0 when it names none. */
enum gu_kind gu_kind_of(const char *name);

/* "YYYY-MM" of the month `back` months before the one holding now (UTC). */
void gu_month(time_t now, unsigned back, char out[8]);

/* Build the plan. dir_opt: --geoip-dir or NULL. 0, or -1 with err. */
int gu_plan_make(struct gu_plan *p, const struct gu_conf *c,
		 const struct gu_mm *mm, const char *dir_opt, time_t now,
		 char *err, size_t errlen);

#endif
