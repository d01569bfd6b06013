/* SPDX-License-Identifier: GPL-2.0-only */
/* path_dir: a file the user named, as its directory, opened, and its name
 * in it. The writers that create and rename files (the recorder, the
 * baseline's keeper) open the directory before their sandbox and work
 * relative to it from then on: Landlock's rule is on that descriptor. */
#ifndef FLOWTOP_PATH_DIR_H
#define FLOWTOP_PATH_DIR_H

#include <stddef.h>

/* Split path at its last '/', put the name (at most name_max bytes, not
 * "", "." or "..") in name (name_max + 1 bytes) and open the directory
 * (".", "/", or what comes before). The directory's descriptor, or -1
 * with errno: EINVAL when path names no file, else open's. */
int path_dir_open(const char *path, char *name, size_t name_max);

#endif
