/* testhook: only in the test build (FLOWTOP_TEST_HOOKS), never installed.
 * FLOWTOP_TEST_SECCOMP=<role> makes that role call a syscall outside its
 * allowlist once it is confined, so the tests can watch the policy work. */
#ifndef FLOWTOP_TESTHOOK_H
#define FLOWTOP_TESTHOOK_H

#include "privsep/role.h"

#ifdef FLOWTOP_TEST_HOOKS
void testhook_seccomp(enum role r);
#else
static inline void testhook_seccomp(enum role r)
{
	(void)r;
}
#endif

#endif
