/* The resolver's allowlist, once it has opened its databases and service
 * files and built its DNS channel. No write access to any file, no
 * execve, ptrace, bind, listen or accept: it serves no one; the one kind
 * of open it may make is read-only, inside its chroot (see below). The only new
 * descriptors it may make are the UDP and TCP sockets of DNS queries to
 * the name servers c-ares read from resolv.conf before the sandbox. */
#include <fcntl.h>
#include <sys/socket.h>
#include "privsep/seccomp.h"

/* socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol) */
#define SC_SOCKET(domain, type) SC_ALLOW2(socket,			\
	SC_CMP(0, SCMP_CMP_EQ, (domain), 0),				\
	SC_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, (type)))

static const struct sc_rule resolver_rules[] = {
	/* the channel to the ui */
	SC_ALLOW(recvmsg),
	SC_ALLOW(sendmsg),
	SC_ALLOW(poll),
	SC_ALLOW(ppoll),
	SC_ALLOW(close),
	/* DNS over UDP and TCP (c-ares) */
	SC_SOCKET(AF_INET, SOCK_DGRAM),
	SC_SOCKET(AF_INET, SOCK_STREAM),
	SC_SOCKET(AF_INET6, SOCK_DGRAM),
	SC_SOCKET(AF_INET6, SOCK_STREAM),
	SC_ALLOW(connect),
	SC_ALLOW(sendto),
	SC_ALLOW(recvfrom),
	SC_ALLOW(writev),	/* queries over TCP */
	SC_ALLOW(getsockopt),	/* SO_ERROR of a TCP connect */
	SC_ALLOW(setsockopt),	/* TCP_NODELAY */
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_GETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFL),
	SC_ALLOW_ARG(fcntl, 1, SCMP_CMP_EQ, F_SETFD),
	/* Live GeoIP reload (resolver_enter_root): the chroot is then the
	 * GeoIP directory, which its uid cannot write, so read-only opens
	 * there reach the databases and nothing else. stat and a listing
	 * notice a replaced file; libmaxminddb opens, fstats and maps it. */
	/* (O_TMPFILE needs write access, which the mask refuses) */
	SC_ALLOW_ARG(openat, 2, SCMP_CMP_MASKED_EQ,
		     O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND),
	SC_ALLOW(newfstatat),
	SC_ALLOW(fstat),
	SC_ALLOW(getdents64),
	/* error messages on stderr */
	SC_ALLOW(write),
	SC_ALLOW(clock_gettime),
	/* memory */
	SC_ALLOW(brk),
	SC_ALLOW(mmap),
	SC_ALLOW(munmap),
	SC_ALLOW(mremap),
	SC_ALLOW(madvise),
	SC_ALLOW(futex),
	/* signals and dying (the SIGSYS handler re-raises) */
	SC_ALLOW(rt_sigaction),
	SC_ALLOW(rt_sigprocmask),
	SC_ALLOW(rt_sigreturn),
	SC_ALLOW(restart_syscall),
	SC_ALLOW(getpid),
	SC_ALLOW(gettid),
	SC_ALLOW(tgkill),
	SC_ALLOW(exit),
	SC_ALLOW(exit_group),
};

const struct sc_policy seccomp_resolver_policy = {
	"resolver", resolver_rules,
	sizeof(resolver_rules) / sizeof(resolver_rules[0]),
};
