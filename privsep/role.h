/* role: the processes of a flowtop run and what the supervisor knows of
 * them. */
#ifndef FLOWTOP_ROLE_H
#define FLOWTOP_ROLE_H

enum role {
	ROLE_COLLECTOR,
	ROLE_RESOLVER,
	ROLE_UI,
	ROLE_COUNT
};

/* "collector", "resolver", "ui": the names used in error messages. */
const char *role_name(enum role r);

/* The comm each role sets: "flowtop", "flowtop-resolv", "flowtop-ui". */
const char *role_comm(enum role r);

#endif
