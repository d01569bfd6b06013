/* SPDX-License-Identifier: GPL-2.0-only */
/* mmconf: the keys of geoipupdate's GeoIP.conf that flowtop -u uses, so
 * that users with a MaxMind account keep their one configuration file:
 * AccountID (UserId), LicenseKey, EditionIDs (ProductIds),
 * DatabaseDirectory and Host. geoipupdate's other keys are accepted and
 * ignored; an unknown key is an error ("FILE:LINE: reason").
 */
#ifndef FLOWTOP_GU_MMCONF_H
#define FLOWTOP_GU_MMCONF_H

#include <stddef.h>
#include "geoip-update/conf.h"

#define GU_MM_HOST_DEFAULT "updates.maxmind.com"

struct gu_mm {
	char account[32];                       /* digits; "" when not given */
	char key[128];
	char edition[GU_MAX_DBS][GU_NAME_MAX];
	size_t neditions;
	char dir[GU_PATH_MAX];
	char base[GU_URL_MAX];                  /* "https://host" (no '/') */
};

/* Parse text as GeoIP.conf file fname. 0, or -1 with "fname:line: why". */
int gu_mm_parse(struct gu_mm *m, const char *text, size_t len,
		const char *fname, char *err, size_t errlen);

/* Read path; a missing file leaves *m empty and returns 0. */
int gu_mm_load(struct gu_mm *m, const char *path, char *err, size_t errlen);

/* Whether *m names an account with editions to fetch. */
int gu_mm_usable(const struct gu_mm *m);

#endif
