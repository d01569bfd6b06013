/* SPDX-License-Identifier: GPL-2.0-only */
/* seccomp: filter installation, the trap board and syscall names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privsep/seccomp.h"

#define SC_NAMES 512

/* The installed build kills a process on its first call outside the
 * list: code that has taken over a role can't catch a SIGSYS and go on.
 * The test build traps instead, so that the handler can name the syscall
 * (the end-to-end tests check the name). */
#ifdef FLOWTOP_TEST_HOOKS
#define SC_DEFAULT_ACTION SCMP_ACT_TRAP
#else
#define SC_DEFAULT_ACTION SCMP_ACT_KILL_PROCESS
#endif

struct trap_board {
	volatile long nr[SC_BOARD_SLOTS];
};

static struct trap_board *board;
static unsigned trap_slot;
static void (*trap_last_words)(long nr);
static const char *sc_names[SC_NAMES];

int seccomp_board_init(void)
{
	void *p = mmap(NULL, sizeof(struct trap_board), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return -1;
	board = p;
	for (i = 0; i < SC_BOARD_SLOTS; i++)
		board->nr[i] = -1;
	return 0;
}

long seccomp_board_read(unsigned slot)
{
	long nr;

	if (!board || slot >= SC_BOARD_SLOTS)
		return -1;
	/* The child wrote it; it is only a hint, so range-check it. */
	nr = board->nr[slot];
	return nr >= 0 && nr < 100000 ? nr : -1;
}

/* Resolved once before any filter, so the handler needs no allocation. */
void seccomp_names_init(void)
{
	uint32_t arch = seccomp_arch_native();
	int i;

	for (i = 0; i < SC_NAMES; i++)
		if (!sc_names[i])
			sc_names[i] = seccomp_syscall_resolve_num_arch(arch, i);
}

const char *seccomp_syscall_name(long nr)
{
	if (nr >= 0 && nr < SC_NAMES && sc_names[nr])
		return sc_names[nr];
	return "?";
}

static void trap_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;
	long nr = si->si_syscall;

	(void)sig;
	(void)uc;
	if (board && trap_slot < SC_BOARD_SLOTS)
		board->nr[trap_slot] = nr;
	if (trap_last_words)
		trap_last_words(nr);
	/* Die of SIGSYS once the handler returns: the default action. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGSYS, &dfl, NULL);
	raise(SIGSYS);
}

int seccomp_trap_init(unsigned slot, void (*last_words)(long nr))
{
	struct sigaction sa;

	trap_slot = slot;
	trap_last_words = last_words;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

int seccomp_install(const struct sc_policy *p, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "%s: no_new_privs: %s", p->role,
			 strerror(errno));
		return -1;
	}
	ctx = seccomp_init(SC_DEFAULT_ACTION);
	if (!ctx) {
		snprintf(err, errlen, "%s: seccomp_init failed", p->role);
		return -1;
	}
	for (i = 0; i < p->count; i++) {
		const struct sc_rule *r = &p->rules[i];

		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, r->nr, r->argc,
					    r->argc ? r->args : NULL);
		if (rc < 0) {
			char *name = seccomp_syscall_resolve_num_arch(
				seccomp_arch_native(), r->nr);

			snprintf(err, errlen, "%s: seccomp rule for %s: %s",
				 p->role, name ? name : "?", strerror(-rc));
			free(name);
			seccomp_release(ctx);
			return -1;
		}
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "%s: seccomp_load: %s", p->role,
			 strerror(-rc));
		return -1;
	}
	return 0;
}
