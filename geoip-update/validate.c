/* SPDX-License-Identifier: GPL-2.0-only */
/* validate: the validator process and its parent's side. */
#include <errno.h>
#include <maxminddb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/geofile.h"
#include "geoip-update/sandbox.h"
#include "geoip-update/unpack.h"
#include "geoip-update/validate.h"
#include "privsep/msg.h"
#include "privsep/relay.h"

/* A build more than this far in the future is a wrong clock or a lie. */
#define VAL_FUTURE_SLACK (2 * 86400)

enum gu_kind gu_kind_of_roles(unsigned roles)
{
	if (roles & GEO_ROLE_CITY)
		return GU_KIND_CITY;
	if (roles & GEO_ROLE_COUNTRY)
		return GU_KIND_COUNTRY;
	return (roles & GEO_ROLE_ASN) ? GU_KIND_ASN : 0;
}

const char *gu_kind_name(enum gu_kind k)
{
	switch (k) {
	case GU_KIND_CITY: return "city";
	case GU_KIND_COUNTRY: return "country";
	case GU_KIND_ASN: return "ASN";
	default: return "unknown";
	}
}

static int val_refuse(struct val_result *v, const char *why)
{
	size_t n = strnlen(why, sizeof(v->why) - 1);

	v->verdict = VAL_REFUSED;
	memcpy(v->why, why, n);
	v->why[n] = '\0';
	for (char *p = v->why; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	return -1;
}

static int val_write_all(int fd, const uint8_t *p, size_t n)
{
	off_t at = 0;

	while (n) {
		ssize_t w = pwrite(fd, p, n, at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		at += w;
		n -= (size_t)w;
	}
	return 0;
}

static int val_sha(const struct gu_val_req *q, const uint8_t *raw, size_t len,
		   struct val_result *v)
{
	char text[4096];
	const char *why;
	ssize_t n;

	if (q->sha_fd < 0)
		return 0;
	n = pread(q->sha_fd, text, sizeof(text), 0);
	if (n < 0)
		return val_refuse(v, "cannot read the .sha256 file");
	if (gu_sha256_check(raw, len, text, (size_t)n, &why) < 0)
		return val_refuse(v, why);
	return 0;
}

/* The minisign signature, when a key is set: a download without one, or
 * with one that does not verify, is refused. */
static int val_sig(const struct gu_val_req *q, const uint8_t *raw, size_t len,
		   struct val_result *v)
{
	static char text[GU_MS_FILE_MAX + 1];
	struct gu_ms_sig s;
	const char *why;
	char msg[FETCH_WHY_MAX];
	ssize_t n;

	if (!q->key)
		return 0;
	if (q->sig_fd < 0)
		return val_refuse(v, "unsigned: no .minisig beside it and "
				  "geoip.conf sets a pubkey");
	n = pread(q->sig_fd, text, sizeof(text), 0);
	if (n < 0)
		return val_refuse(v, "cannot read the .minisig file");
	if (gu_ms_sig_parse(&s, text, (size_t)n, q->key, &why) < 0 ||
	    gu_ms_verify(q->key, &s, raw, len, &why) < 0) {
		snprintf(msg, sizeof(msg), "minisign: %s", why);
		return val_refuse(v, msg);
	}
	return 0;
}

/* build_epoch of the installed database, 0 when it can't be read. */
static uint64_t val_installed_epoch(int fd)
{
	char path[64];
	MMDB_s m;
	uint64_t e;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (MMDB_open(path, MMDB_MODE_MMAP, &m) != MMDB_SUCCESS)
		return 0;
	e = m.metadata.build_epoch;
	MMDB_close(&m);
	return e;
}

static int val_database(const struct gu_val_req *q, size_t size,
			struct val_result *v)
{
	struct geo_file_info fi;
	char path[64], why[256];
	uint64_t old;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", q->out_fd);
	if (geofile_check(path, &fi, why, sizeof(why)) < 0)
		return val_refuse(v, why);
	v->epoch = fi.build_epoch;
	v->node_count = fi.node_count;
	v->ip_version = fi.ip_version;
	v->size = size;
	snprintf(v->type, sizeof(v->type), "%s", fi.type);
	if (gu_kind_of_roles(fi.roles) != q->kind) {
		snprintf(why, sizeof(why), "wrong database type: a %s database "
			 "(\"%s\"), not the %s database asked for",
			 gu_kind_name(gu_kind_of_roles(fi.roles)), fi.type,
			 gu_kind_name(q->kind));
		return val_refuse(v, why);
	}
	if (fi.build_epoch == 0 ||
	    fi.build_epoch > (uint64_t)time(NULL) + VAL_FUTURE_SLACK)
		return val_refuse(v, "build_epoch missing or in the future");
	old = val_installed_epoch(q->inst_fd);
	if (fi.build_epoch < old && !q->force)
		return val_refuse(v, "older than the installed database "
				  "(build_epoch); --force installs it anyway");
	v->verdict = (fi.build_epoch == old && !q->force) ? VAL_CURRENT : VAL_OK;
	return 0;
}

static void val_work(const struct gu_val_req *q, struct val_result *v)
{
	struct gu_unpacked u;
	struct stat st;
	const char *why;
	void *raw;
	int rc;

	if (fstat(q->raw_fd, &st) < 0 || st.st_size <= 0 ||
	    (uint64_t)st.st_size > q->max_bytes) {
		val_refuse(v, "empty or oversized download");
		return;
	}
	raw = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, q->raw_fd, 0);
	if (raw == MAP_FAILED) {
		val_refuse(v, "cannot map the download");
		return;
	}
	if (val_sig(q, raw, (size_t)st.st_size, v) < 0 ||
	    val_sha(q, raw, (size_t)st.st_size, v) < 0) {
		munmap(raw, (size_t)st.st_size);
		return;
	}
	if (gu_unpack(raw, (size_t)st.st_size, q->max_bytes, &u, &why) < 0) {
		val_refuse(v, why);
		return;
	}
	rc = u.len ? val_write_all(q->out_fd, u.mmdb, u.len) : -1;
	if (rc < 0) {
		char w[200];

		snprintf(w, sizeof(w), "writing the database: %s",
			 u.len ? strerror(errno) : "empty file");
		val_refuse(v, w);
	} else {
		val_database(q, u.len, v);
	}
	gu_unpacked_free(&u);
	munmap(raw, (size_t)st.st_size);
}

static int val_child(const struct gu_val_req *q, int sock)
{
	struct msg_chan *ch = malloc(sizeof(*ch));
	struct val_result v;
	struct ll_policy ll;
	struct ll_rule rules[2];
	char err[300];

	gu_child_name("flowtop-valid");
	if (!ch)
		return 1;
	msg_chan_init(ch, sock, 0, MSG_DIR_VAL_UPD, "updater");
	gu_validate_landlock(&ll, rules, q->out_fd, q->inst_fd);
	if (gu_child_confine("flowtop-valid", &validate_policy, &ll, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "flowtop: validator: %s\n", err);
		return 1;
	}
	memset(&v, 0, sizeof(v));
	val_work(q, &v);
	return msg_send(ch, MSG_VAL_RESULT, &v, sizeof(v)) < 0;
}

/* Keep stdio, the channel and the five descriptors; close the rest. */
static void val_close_others(const struct gu_val_req *q, int sock)
{
	int keep[6] = { sock, q->raw_fd, q->sha_fd, q->sig_fd, q->out_fd,
			q->inst_fd };

	for (int fd = 3; fd < 1024; fd++) {
		int k = 0;

		for (int i = 0; i < 6; i++)
			k |= keep[i] == fd;
		if (!k)
			close(fd);
	}
}

static int val_wait(pid_t pid, char *err, size_t errlen)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			if (err)
				snprintf(err, errlen, "validator: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (err && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		snprintf(err, errlen, "validator killed by seccomp: a system "
			 "call outside its allowlist");
	else if (err)
		snprintf(err, errlen, "validator %s %d", WIFSIGNALED(st) ?
		 "killed by signal" : "exited with status",
		 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return -1;
}

static int val_read(struct msg_chan *ch, struct relay *rel,
		    struct val_result *res, char *err, size_t errlen)
{
	const char *why = "no answer";
	struct msg m;
	int r;

	/* Its stderr is relayed while the verdict is awaited. */
	if (relay_wait(rel, ch->fd, -1) < 0) {
		snprintf(err, errlen, "validator: poll: %s", strerror(errno));
		return -1;
	}
	r = msg_recv(ch, &m, &why);

	if (r == 1) {
		memcpy(res, m.payload, sizeof(*res));
		return 0;
	}
	snprintf(err, errlen, "validator: %s", r == 0 ? "no answer" : why);
	return -1;
}

int gu_validate(const struct gu_val_req *q, struct val_result *res, char *err,
		size_t errlen)
{
	struct msg_chan *ch = malloc(sizeof(*ch));
	struct relay rel;
	int sv[2], rc, erd, ewr;
	pid_t pid;

	if (!ch || relay_pipe(&erd, &ewr) < 0) {
		free(ch);
		snprintf(err, errlen, "validator stderr: %s", strerror(errno));
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(ch);
		close(erd);
		close(ewr);
		snprintf(err, errlen, "validator channel: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		/* Its stderr is the pipe, relayed by the parent; the pipe's
		 * own descriptors go with the others. */
		if (dup2(ewr, STDERR_FILENO) < 0)
			_exit(1);
		val_close_others(q, sv[1]);
		_exit(val_child(q, sv[1]));
	}
	close(sv[1]);
	close(ewr);
	if (pid < 0) {
		close(sv[0]);
		close(erd);
		free(ch);
		snprintf(err, errlen, "cannot start the validator: %s", strerror(errno));
		return -1;
	}
	relay_init(&rel, erd, STDERR_FILENO, "validator", clock_mono_ms());
	msg_chan_init(ch, sv[0], MSG_DIR_VAL_UPD, 0, "validator");
	rc = val_read(ch, &rel, res, err, errlen);
	close(sv[0]);
	free(ch);
	/* The output file is installed only once its writer is gone. */
	if (rc < 0) {
		/* Its own stderr line, if any, says more than "no answer". */
		kill(pid, SIGKILL);
		val_wait(pid, NULL, 0);
		relay_drain(&rel, clock_mono_ms());
		return -1;
	}
	rc = val_wait(pid, err, errlen);
	relay_drain(&rel, clock_mono_ms());
	return rc;
}
