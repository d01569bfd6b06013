/* SPDX-License-Identifier: GPL-2.0-only */
/* path_dir: a path split into its directory and its name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "privsep/path_dir.h"

int path_dir_open(const char *path, char *name, size_t name_max)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	char dir[4096];

	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") ||
	    strlen(base) > name_max || dlen >= sizeof(dir)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(name, base, strlen(base) + 1);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (dlen == 0)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, path);
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}
