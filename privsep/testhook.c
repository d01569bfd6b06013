/* testhook: see testhook.h. Compiles to nothing in the product. */
#include "privsep/testhook.h"

#ifdef FLOWTOP_TEST_HOOKS
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

void testhook_seccomp(enum role r)
{
	const char *want = getenv("FLOWTOP_TEST_SECCOMP");

	if (want && strcmp(want, role_name(r)) == 0)
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int testhook_empty;
#endif
