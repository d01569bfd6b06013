/* role: names of the processes. */
#include "privsep/role.h"

static const struct {
	const char *name;
	const char *comm;
} roles[ROLE_COUNT] = {
	[ROLE_COLLECTOR] = { "collector", "flowtop" },
	[ROLE_RESOLVER] = { "resolver", "flowtop-resolv" },
	[ROLE_UI] = { "ui", "flowtop-ui" },
};

const char *role_name(enum role r)
{
	return r < ROLE_COUNT ? roles[r].name : "?";
}

const char *role_comm(enum role r)
{
	return r < ROLE_COUNT ? roles[r].comm : "?";
}
