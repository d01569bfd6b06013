/* seccomp: one allowlist per role, installed with libseccomp.
 *
 * A syscall outside the list traps: the SIGSYS handler writes the syscall
 * number on a page shared with the collector (the trap board), then the
 * process dies of SIGSYS. The collector, seeing a child killed by SIGSYS,
 * reads the number and names the syscall. The collector's own handler
 * runs a last-words hook instead (restore sysctls and terminal, stop the
 * children, print the line, exit 1).
 */
#ifndef FLOWTOP_SECCOMP_H
#define FLOWTOP_SECCOMP_H

#include <stddef.h>
#include <stdint.h>
#include <seccomp.h>
#include "privsep/role.h"

/* One allowed syscall, optionally only with arguments matching args. */
struct sc_rule {
	int nr;
	unsigned argc;
	struct scmp_arg_cmp args[2];
};

struct sc_policy {
	const char *role;
	const struct sc_rule *rules;
	size_t count;
};

#define SC_CMP(argno, op, a, b) { (argno), (op), (a), (b) }
#define SC_ALLOW(name) { SCMP_SYS(name), 0, { SC_CMP(0, 0, 0, 0) } }
#define SC_ALLOW2(name, cmp0, cmp1) { SCMP_SYS(name), 2, { cmp0, cmp1 } }
#define SC_ALLOW_ARG(name, argno, op, val) \
	{ SCMP_SYS(name), 1, { { (argno), (op), (val), 0 } } }

/* The three policies, each in its own file (seccomp_<role>.c). */
extern const struct sc_policy seccomp_collector_policy;
extern const struct sc_policy seccomp_resolver_policy;
extern const struct sc_policy seccomp_ui_policy;
/* flowtop -u's children (seccomp_fetch.c, seccomp_validate.c). */
extern const struct sc_policy seccomp_fetch_policy;
extern const struct sc_policy seccomp_validate_policy;

/* Map the shared trap board; call once before forking. 0 or -1. */
int seccomp_board_init(void);

/* Syscall number the role trapped on, or -1. */
long seccomp_board_read(enum role r);

/* Install the SIGSYS handler for role r. last_words, if not NULL, runs in
 * the handler instead of dying of SIGSYS: it must be async-signal-safe and
 * end the process itself. */
int seccomp_trap_init(enum role r, void (*last_words)(long nr));

/* Load policy p (sets no_new_privs). 0, or -1 with a message in err. */
int seccomp_install(const struct sc_policy *p, char *err, size_t errlen);

/* Name of a syscall number on this architecture ("openat"), or "?" .
 * Usable from a signal handler once seccomp_names_init() has run. */
const char *seccomp_syscall_name(long nr);
void seccomp_names_init(void);

#endif
