/* SPDX-License-Identifier: GPL-2.0-only */
/* flowtop: parse the command line, then run as the collector with the
 * roles of main/roles.c, as the GeoIP updater (-u), or as a replay of a
 * recording (--replay). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geoip-update/update.h"
#include "common/options.h"
#include "collector/run.h"
#include "main/roles.h"
#include "privsep/secure_env.h"

/* A privileged program must not let whatever it opens first become its
 * stdin, stdout or stderr because the caller closed them: an error
 * message would then land in that file. Each closed one is made
 * /dev/null before anything else runs. */
static int main_std_fds(void)
{
	struct stat st;

	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fstat(fd, &st) == 0)
			continue;
		n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n != fd)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;

	if (main_std_fds() < 0)
		return 1;       /* nowhere to say why */
	if (secure_env_apply() < 0) {
		fprintf(stderr, "flowtop: cannot set a safe environment\n");
		return 1;
	}
	switch (options_parse(&o, argc, argv)) {
	case OPT_EXIT_OK:
		return 0;
	case OPT_USAGE:
		return 2;
	case OPT_RUN:
		break;
	}
	if (o.update)
		return gu_main(&o);
	if (o.replay)
		return replay_main(&o, &replay_roles);
	return run_main(&o, &flowtop_roles);
}
