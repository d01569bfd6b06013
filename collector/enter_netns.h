/* SPDX-License-Identifier: GPL-2.0-only */
/* enter_netns: --netns, the collector moved into another network
 * namespace before it opens anything there. */
#ifndef FLOWTOP_ENTER_NETNS_H
#define FLOWTOP_ENTER_NETNS_H

#include <stddef.h>

/* Enter the network namespace of the file path (options_netns_path's,
 * spec as the user wrote it, for messages). Root only: setns takes
 * CAP_SYS_ADMIN, which no group install of flowtop hands out, and a
 * setuid start must not open any path a caller names. -1 with a message
 * in err. */
int enter_netns(const char *spec, const char *path, char *err, size_t errlen);

#endif
