/* flowtop: parse the command line, then run as the collector. */
#include <stdio.h>

#include "geoip-update/update.h"
#include "privsep/options.h"
#include "privsep/run.h"

int main(int argc, char **argv)
{
	struct options o;

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
	return run_main(&o);
}
