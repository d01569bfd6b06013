/* SPDX-License-Identifier: GPL-2.0-only */
/* update: `flowtop -u`, the parent. It reads geoip.conf (and geoipupdate's
 * GeoIP.conf), takes the directory's lock, starts the fetcher, and for
 * each database tries its sources in order (plan.h): downloads go into
 * memory files it never parses, the validator judges them, and only what
 * passed is installed. It never touches the network itself. Exit status:
 * 0 every database updated or already current, 1 none could be (or the
 * configuration is wrong), 3 some but not all.
 */
#ifndef FLOWTOP_GU_UPDATE_H
#define FLOWTOP_GU_UPDATE_H

#include "common/options.h"

int gu_main(const struct options *o);

#endif
