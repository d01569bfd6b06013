/* SPDX-License-Identifier: GPL-2.0-only */
/* testhook: only in the test build (FLOWTOP_TEST_HOOKS), never installed.
 * They let the end-to-end tests provoke what a healthy run never shows:
 * FLOWTOP_TEST_SECCOMP=<role> makes that role call a syscall outside its
 * allowlist once it is confined, so the tests can watch the policy work. */
#ifndef FLOWTOP_TESTHOOK_H
#define FLOWTOP_TESTHOOK_H


#ifdef FLOWTOP_TEST_HOOKS
void testhook_seccomp(const char *role);
/* FLOWTOP_TEST_STDERR=<role> (resolver, ui, fetcher, validator) makes
 * that role, once confined, write hostile lines to its stderr: escape
 * sequences and control bytes, a line not starting with "flowtop: ", one
 * posing as the collector ("flowtop: collector: test: posing"), one
 * longer than the relay keeps, and a flood of 200 lines in the parent's
 * voice ("flowtop: test: flood N"), so the tests can watch its parent
 * relay them escaped, bounded and put behind the role's name
 * (privsep/relay.h). */
void testhook_stderr(const char *role);
/* FLOWTOP_TEST_LANDLOCK=<role>[:PORT[,PORT...]]: once confined, that
 * role connects over TCP to 127.0.0.1 on each PORT (9 when none is
 * given: nothing listens there) and says "flowtop: ROLE: test: landlock:
 * connect 127.0.0.1:PORT: RESULT" on stderr for each: EACCES only from
 * Landlock, ECONNREFUSED (or ENETUNREACH) without it, "connected" where
 * something listens and Landlock lets it through. For the roles whose
 * seccomp allowlist lets socket and connect through: the resolver (DNS
 * over TCP) and the fetcher (role_seal and gu_child_confine call it). */
void testhook_landlock(const char *role);
/* FLOWTOP_TEST_EVENT_RCVBUF=<bytes> shrinks the conntrack event socket's
 * receive buffer, so a burst of flows overflows it (ENOBUFS). */
void testhook_event_rcvbuf(int fd);
/* Prints "flowtop: test: N resyncs" and "flowtop: test: M full socket
 * refreshes" on stderr at exit. */
void testhook_counts(unsigned long long resyncs,
		     unsigned long long socket_refreshes);
/* FLOWTOP_TEST_TIMING=1: the ui prints one line per completed dump,
 * "flowtop: ui: test: dump seq=S kind=K flows=F real_ns=T", T taken when the
 * dump's end reached the ui (CLOCK_REALTIME), for the benchmarks. */
void testhook_ui_dump(unsigned long long seq, unsigned kind,
		      unsigned long long flows);
/* FLOWTOP_TEST_TIMING=1: the ui notes when a batch of records last added
 * or removed a flow (testhook_ui_changed), and says at exit "flowtop: ui:
 * test: table flows=F changed_real_ns=T" (CLOCK_REALTIME; 0: never), so
 * the benchmarks can tell when the table it holds (what the screen shows)
 * became exact after churn. */
void testhook_ui_changed(void);
void testhook_ui_table(unsigned long long flows);
/* FLOWTOP_TEST_SWEEP_MS=<ms>: in screen mode the collector sweeps the
 * whole table this far apart, whatever its cost and the screen's needs,
 * so the tests can watch the screen's rows refreshed without sweeps.
 * 0 when unset. */
unsigned testhook_sweep_ms(void);
/* FLOWTOP_TEST_BUILD_PARTS=1: the screen builds its rows in the smallest
 * parts there are (a stage, or 2048 flows, a turn of its loop), so the
 * tests can watch a build in parts on a table of a few thousand flows.
 * 0 when unset. */
int testhook_build_parts(void);
/* FLOWTOP_TEST_NO_NSDIAG=1: the namespace helper is not started, so a
 * root run shows what a start without CAP_SYS_ADMIN does (the other
 * namespaces' tables read from /proc). 0 when unset. */
int testhook_no_nsdiag(void);
/* With FLOWTOP_TEST_BUILD_PARTS=1, the screen says at exit how many
 * builds of its rows it finished and in how many steps:
 * "flowtop: ui: test: B builds in S steps". */
void testhook_ui_builds(unsigned long long builds, unsigned long long steps);
/* role_seal calls testhook_sealed() once the role is confined. With
 * FLOWTOP_TEST_PARSE=<role>, testhook_parse(role, what), called just
 * before that role reads files a user or a mirror chose, says
 * "flowtop: ROLE: test: parses WHAT sealed" on stderr, or "unsealed" when
 * it comes before role_seal. */
void testhook_sealed(void);
void testhook_parse(const char *role, const char *what);
#else
static inline unsigned testhook_sweep_ms(void)
{
	return 0;
}
static inline int testhook_build_parts(void)
{
	return 0;
}
static inline int testhook_no_nsdiag(void)
{
	return 0;
}
static inline void testhook_ui_builds(unsigned long long builds,
				      unsigned long long steps)
{
	(void)builds;
	(void)steps;
}
static inline void testhook_sealed(void)
{
}
static inline void testhook_parse(const char *role, const char *what)
{
	(void)role;
	(void)what;
}
static inline void testhook_seccomp(const char *role)
{
	(void)role;
}
static inline void testhook_stderr(const char *role)
{
	(void)role;
}
static inline void testhook_landlock(const char *role)
{
	(void)role;
}
static inline void testhook_event_rcvbuf(int fd)
{
	(void)fd;
}
static inline void testhook_counts(unsigned long long resyncs,
				   unsigned long long socket_refreshes)
{
	(void)resyncs;
	(void)socket_refreshes;
}
static inline void testhook_ui_changed(void)
{
}
static inline void testhook_ui_table(unsigned long long flows)
{
	(void)flows;
}
static inline void testhook_ui_dump(unsigned long long seq, unsigned kind,
				    unsigned long long flows)
{
	(void)seq;
	(void)kind;
	(void)flows;
}
#endif

#endif
