/* SPDX-License-Identifier: GPL-2.0-only */
/* role: how the framework starts a process of a run, knowing nothing of
 * what the process does.
 *
 * The wiring at the top (main/) fills one role_spec per process: its name
 * for messages, its comm, its seccomp policy, its limits and its entry
 * function. role_spawn() forks, names the child, resets its signals and
 * hands it exactly its channel ends (as descriptors 3 and 4); the entry
 * then confines itself, in its own folder, in the fixed order: open what
 * it needs, chroot, change identity, then role_seal(): death with the
 * parent, limits, Landlock, seccomp. (Further ends, where a role has
 * them, become descriptors 5, 6 and 7.)
 */
#ifndef FLOWTOP_ROLE_H
#define FLOWTOP_ROLE_H

#include <stddef.h>
#include <sys/types.h>

#include "common/options.h"
#include "privsep/landlock.h"
#include "privsep/privdrop.h"
#include "privsep/seccomp.h"

/* Limits a role asks for before its seccomp filter (a second lock behind
 * the allowlist). */
enum role_limit {
	ROLE_LIMIT_NO_FORK = 1u << 0,      /* RLIMIT_NPROC 0 */
	ROLE_LIMIT_NO_CORE = 1u << 1,      /* RLIMIT_CORE 0 */
};

struct role_ctx;

struct role_spec {
	const char *name;                  /* "resolver": in error messages */
	const char *comm;                  /* "flowtop-resolv": what ps shows */
	const struct sc_policy *policy;
	unsigned limits;                   /* enum role_limit bits */
	/* Runs in the child; confines itself (ending with role_seal) and
	 * returns the exit status. NULL for the process that starts the rest. */
	int (*entry)(const struct role_spec *self, const struct role_ctx *ctx);
};

#define ROLE_FDS 5

/* What the starting process hands a child. */
struct role_ctx {
	const struct options *o;
	unsigned slot;                     /* its trap board slot */
	int fd[ROLE_FDS];                  /* channel ends, or -1; become
					    * 3, 4, 5, 6, 7 */
	struct ids unpriv;                 /* the service identity (the IPFIX
					    * exporter's own where it has one) */
	struct ids user;                   /* the identity the ui runs as */
	struct ids caller;                 /* who started flowtop: the real
					    * ids, the user who typed sudo
					    * under sudo */
	const char *empty_dir;             /* an empty directory to chroot into */
};

/* Fork and start spec's entry in the child. The child's stdin and stdout
 * are its parent's; its stderr is a pipe whose read end (non-blocking,
 * close-on-exec) is put in *err_fd, for the parent to relay
 * (privsep/relay.h): no child writes to the terminal's stderr itself.
 * The child's pid, or -1 with err set. */
pid_t role_spawn(const struct role_spec *spec, const struct role_ctx *ctx,
		 int *err_fd, char *err, size_t errlen);

/* The last step of a child's confinement, after its identity change (which
 * clears the parent-death signal): die with the parent, the limits, the
 * SIGSYS handler on the board slot, the Landlock policy ll (from the role's
 * own folder; where the kernel has Landlock), the seccomp policy. Returns
 * -1 with err set; the caller ends. */
int role_seal(const struct role_spec *spec, unsigned slot,
	      const struct ll_policy *ll, char *err, size_t errlen);

/* A writer's first word to the collector when it can't start: 'E' and a
 * one-line reason (cut to what the collector reads, 511 bytes), sent on
 * fd; the collector makes it the run's error line before the screen
 * opens. Returns 1, the role's exit status. */
int role_refuse(int fd, const char *why);

/* Say "flowtop: NAME: what" on stderr and exit 1: a child's start-up
 * failure, before it has a channel to say it on. */
void role_die(const struct role_spec *spec, const char *what)
	__attribute__((noreturn));

#endif
