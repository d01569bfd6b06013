/* SPDX-License-Identifier: GPL-2.0-only */
/* seccomp: one allowlist per role, installed with libseccomp.
 *
 * In the installed build a syscall outside the list kills the process at
 * once (SECCOMP_RET_KILL_PROCESS); its parent sees it die of SIGSYS and
 * says which role seccomp killed. In the test build (FLOWTOP_TEST_HOOKS)
 * it traps instead: the SIGSYS handler writes the syscall number on a page
 * shared with the collector (the trap board), then the process dies of
 * SIGSYS, and the collector names the syscall. The collector's own handler
 * runs a last-words hook instead (restore sysctls and terminal, stop the
 * children, print the line, exit 1).
 */
#ifndef FLOWTOP_SECCOMP_H
#define FLOWTOP_SECCOMP_H

#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

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

/* Groups every role's table ends with, so that each table still lists
 * all it allows: memory (never executable: mmap without PROT_EXEC, and no
 * mprotect at all, so no page can become code), and the way a process
 * dies (the SIGSYS handler sets its default action again and re-raises). */
#define SC_GROUP_MEMORY \
	SC_ALLOW(brk), \
	SC_ALLOW_ARG(mmap, 2, SCMP_CMP_MASKED_EQ, PROT_EXEC), \
	SC_ALLOW(munmap), SC_ALLOW(mremap), SC_ALLOW(madvise), SC_ALLOW(futex)
#define SC_GROUP_DYING \
	SC_ALLOW(rt_sigaction), SC_ALLOW(rt_sigprocmask), \
	SC_ALLOW(rt_sigreturn), SC_ALLOW(restart_syscall), SC_ALLOW(getpid), \
	SC_ALLOW(gettid), SC_ALLOW(tgkill), SC_ALLOW(exit), SC_ALLOW(exit_group)

/* socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol) */
#define SC_SOCKET(domain, type) SC_ALLOW2(socket,			\
	SC_CMP(0, SCMP_CMP_EQ, (domain), 0),				\
	SC_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, (type)))

/* get/setsockopt(fd, level, optname, ...) for one level/option pair. */
#define SC_SOCKOPT(name, level, opt) SC_ALLOW2(name,			\
	SC_CMP(1, SCMP_CMP_EQ, (level), 0),				\
	SC_CMP(2, SCMP_CMP_EQ, (opt), 0))

/* openat that can neither write nor create: no write access mode and
 * none of the flags that change a file. (O_TMPFILE needs write access, so
 * O_ACCMODE keeps it out too.) */
#define SC_OPEN_READONLY SC_ALLOW_ARG(openat, 2, SCMP_CMP_MASKED_EQ, \
	O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | O_EXCL)

/* Slots of the trap board: one per process a run starts. */
#define SC_BOARD_SLOTS 8

/* Map the shared trap board; call once before forking. 0 or -1. */
int seccomp_board_init(void);

/* Syscall number the process in slot trapped on, or -1. */
long seccomp_board_read(unsigned slot);

/* Install the SIGSYS handler of the process in slot (its number goes on
 * the board, if there is one). last_words, if not NULL, runs in the
 * handler instead of dying of SIGSYS: it must be async-signal-safe and
 * end the process itself. */
int seccomp_trap_init(unsigned slot, void (*last_words)(long nr));

/* Load policy p (sets no_new_privs). 0, or -1 with a message in err. */
int seccomp_install(const struct sc_policy *p, char *err, size_t errlen);

/* Name of a syscall number on this architecture ("openat"), or "?" .
 * Usable from a signal handler once seccomp_names_init() has run. */
const char *seccomp_syscall_name(long nr);
void seccomp_names_init(void);

#endif
