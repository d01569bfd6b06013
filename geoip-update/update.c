/* SPDX-License-Identifier: GPL-2.0-only */
/* update: the updater parent's run, database by database. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "geoip-update/conf.h"
#include "geoip-update/fetch.h"
#include "geoip-update/install.h"
#include "geoip-update/mmconf.h"
#include "geoip-update/plan.h"
#include "geoip-update/progress.h"
#include "geoip-update/update.h"
#include "geoip-update/validate.h"
#include "privsep/landlock.h"
#include "privsep/privdrop.h"

enum try_result {
	TRY_INSTALLED,
	TRY_CURRENT,
	TRY_NEXT_CAND,      /* not on this mirror under this name */
	TRY_NEXT_MIRROR,    /* this mirror failed for this database */
};

struct upd {
	const struct options *o;
	struct gu_conf conf;
	struct gu_mm mm;
	struct gu_plan plan;
	struct gu_inst inst;
	struct gu_fetcher fetch;
	int fetch_ok;
	struct gu_prog prog;
	char *ca;
	size_t calen;
	char last[1600];    /* why the last source failed, for the final line */
};

/* What the current source got us, handed from try to install. */
struct got_file {
	int raw, sha, sig;  /* sig: the .minisig, -1 when none is required */
	int64_t mtime;
	long mtime_ns;      /* file:// sources: the exact time, to know them again */
	const char *from;
};

/* ---- fetching over http(s) ---------------------------------------------- */

static int upd_retryable(const struct gu_got *g)
{
	return g->result == FETCH_TRANSPORT ||
		(g->result == FETCH_HTTP_ERROR &&
		 (g->http_code >= 500 || g->http_code == 408 || g->http_code == 429));
}

static void upd_describe(const struct gu_got *g, char *out, size_t len)
{
	switch (g->result) {
	case FETCH_HTTP_ERROR:
		snprintf(out, len, "HTTP %d", g->http_code);
		break;
	case FETCH_TOO_BIG:
		snprintf(out, len, "larger than max-size");
		break;
	default:
		snprintf(out, len, "%s", g->why[0] ? g->why : "failed");
	}
}

static int upd_rewind(int fd)
{
	return (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) ? -1 : 0;
}

/* url into fd, with the retry policy: backoff on 5xx, 408, 429 and
 * transport errors; any other answer is final. -1: the fetcher is gone. */
static int upd_get(struct upd *u, const char *url, int auth, int64_t ims,
		   int quiet404, int fd, struct gu_got *g)
{
	struct fetch_req q;
	char err[300], what[200];

	memset(&q, 0, sizeof(q));
	q.connect_s = u->conf.connect_timeout;
	q.total_s = u->conf.timeout;
	q.ims = ims;
	q.max_bytes = u->conf.max_bytes;
	q.flags = quiet404 ? FETCH_F_MAYBE_ABSENT : 0;
	snprintf(q.url, sizeof(q.url), "%s", url);
	if (auth)
		snprintf(q.auth, sizeof(q.auth), "%s", u->plan.auth);
	for (unsigned attempt = 0;; attempt++) {
		unsigned delay = u->conf.retry_delay_ms << (attempt < 10 ? attempt : 10);

		if (upd_rewind(fd) < 0 ||
		    gu_fetch(&u->fetch, &q, fd, quiet404 ? NULL : gu_prog_bytes,
			     &u->prog, g, err, sizeof(err)) < 0) {
			gu_prog_note(&u->prog, "%s", err);
			u->fetch_ok = 0;
			return -1;
		}
		if (!upd_retryable(g) || attempt >= u->conf.retries)
			return 0;
		upd_describe(g, what, sizeof(what));
		gu_prog_note(&u->prog, "%s: %s; retrying in %u ms", url, what, delay);
		usleep(delay * 1000u);
	}
}

/* The database and, when the mirror has one, its .sha256. */
static enum try_result upd_try_http(struct upd *u, const struct gu_cand *k,
				    int64_t ims, struct got_file *f)
{
	struct gu_got g;
	char what[200];

	if (!u->fetch_ok || upd_get(u, k->url, k->auth, ims, 0, f->raw, &g) < 0) {
		snprintf(u->last, sizeof(u->last), "the fetcher failed");
		return TRY_NEXT_MIRROR;
	}
	if (g.result == FETCH_NOT_MODIFIED)
		return TRY_CURRENT;
	if (g.result != FETCH_OK) {
		upd_describe(&g, what, sizeof(what));
		snprintf(u->last, sizeof(u->last), "%s: %s", k->url, what);
		if (g.result == FETCH_HTTP_ERROR && g.http_code == 404)
			return TRY_NEXT_CAND;
		gu_prog_note(&u->prog, "%s", u->last);
		return TRY_NEXT_MIRROR;
	}
	f->mtime = g.filetime;
	if (upd_get(u, k->sha_url, k->auth, 0, 1, f->sha, &g) < 0)
		return TRY_NEXT_MIRROR;
	if (g.result != FETCH_OK) {
		close(f->sha);
		f->sha = -1;
		if (g.result != FETCH_HTTP_ERROR || g.http_code < 400 ||
		    g.http_code >= 500) {
			upd_describe(&g, what, sizeof(what));
			snprintf(u->last, sizeof(u->last), "%s: %s", k->sha_url, what);
			gu_prog_note(&u->prog, "%s", u->last);
			return TRY_NEXT_MIRROR;
		}
		/* else no checksum published */
	}
	if (!k->sig_url[0])
		return TRY_INSTALLED;   /* meaning: go on to validation */
	if (upd_get(u, k->sig_url, 0, 0, 1, f->sig, &g) < 0)
		return TRY_NEXT_MIRROR;
	if (g.result == FETCH_OK)
		return TRY_INSTALLED;
	upd_describe(&g, what, sizeof(what));
	snprintf(u->last, sizeof(u->last), "%s: refused: unsigned (geoip.conf "
		 "sets a pubkey): %s: %s", k->url, k->sig_url, what);
	gu_prog_note(&u->prog, "%s", u->last);
	return TRY_NEXT_MIRROR;
}

/* ---- file:// mirrors ---------------------------------------------------- */

/* A file of a file:// mirror, opened with the permissions of whoever ran
 * flowtop -u (a setuid or file-capability start must not read what the
 * user could not), not through a symbolic link as its last component, and
 * checked by fstat: a regular file owned by root or by that user. fd, or
 * -1 with errno (ENOENT: not there) and "path: reason" in why. */
static int upd_open_source(const char *path, char *why, size_t whylen)
{
	struct stat st;
	int fd = -1;

	if (getuid() == geteuid() || faccessat(AT_FDCWD, path, R_OK, 0) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
			  O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;

		snprintf(why, whylen, "%s: %s", path, e == ELOOP ?
			 "a symbolic link, refused" : strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
	} else if (st.st_uid != 0 && st.st_uid != getuid()) {
		snprintf(why, whylen, "%s: owned by uid %u, neither root nor "
			 "the user running flowtop -u", path, (unsigned)st.st_uid);
	} else {
		return fd;
	}
	close(fd);
	errno = EPERM;
	return -1;
}

static enum try_result upd_try_file(struct upd *u, const struct gu_cand *k,
				    const struct stat *inst, struct got_file *f)
{
	const char *path = k->url + strlen("file://");
	char sha[GU_URL_MAX + 8], why[GU_URL_MAX + 200];
	struct stat st;
	int fd = upd_open_source(path, why, sizeof(why));

	if (fd < 0) {
		snprintf(u->last, sizeof(u->last), "%s", why);
		if (errno == ENOENT)
			return TRY_NEXT_CAND;
		gu_prog_note(&u->prog, "%s", u->last);
		return TRY_NEXT_MIRROR;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		snprintf(u->last, sizeof(u->last), "%s: %s", path, strerror(errno));
		return TRY_NEXT_MIRROR;
	}
	/* Installed from this very file before: same size and time, to the
	 * nanosecond (the install gave it the source's). */
	if (inst && inst->st_size == st.st_size &&
	    inst->st_mtim.tv_sec == st.st_mtim.tv_sec &&
	    inst->st_mtim.tv_nsec == st.st_mtim.tv_nsec) {
		close(fd);
		return TRY_CURRENT;
	}
	close(f->raw);
	f->raw = fd;
	f->mtime = st.st_mtim.tv_sec;
	f->mtime_ns = st.st_mtim.tv_nsec;
	close(f->sha);
	snprintf(sha, sizeof(sha), "%s.sha256", path);
	f->sha = upd_open_source(sha, why, sizeof(why));
	if (f->sha < 0 && errno != ENOENT) {
		snprintf(u->last, sizeof(u->last), "%s", why);
		gu_prog_note(&u->prog, "%s", u->last);
		return TRY_NEXT_MIRROR;
	}
	if (!k->sig_url[0])
		return TRY_INSTALLED;
	close(f->sig);
	f->sig = upd_open_source(k->sig_url + strlen("file://"), why, sizeof(why));
	if (f->sig < 0) {
		snprintf(u->last, sizeof(u->last), "%s: refused: unsigned (geoip.conf "
			 "sets a pubkey): %s", path, why);
		gu_prog_note(&u->prog, "%s", u->last);
		return TRY_NEXT_MIRROR;
	}
	return TRY_INSTALLED;
}

/* ---- validation and install --------------------------------------------- */

static enum try_result upd_install(struct upd *u, const struct gu_db *d,
				   const struct gu_cand *k, struct got_file *f,
				   int inst_fd)
{
	struct gu_val_req q = { f->raw, f->sha, f->sig, NULL, -1, inst_fd,
				d->kind, u->o->force, u->conf.max_bytes };
	struct val_result v;
	struct stat st;
	char tmp[300], err[400];
	int rc;

	/* The account's downloads from MaxMind carry no minisign signature;
	 * everything from geoip.conf's mirrors does when it sets a pubkey. */
	if (k->sig_url[0])
		q.key = &u->conf.pubkey;
	q.out_fd = gu_inst_temp(&u->inst, d->name, tmp, sizeof(tmp), err, sizeof(err));
	if (q.out_fd < 0) {
		snprintf(u->last, sizeof(u->last), "%s", err);
		return TRY_NEXT_MIRROR;
	}
	rc = gu_validate(&q, &v, err, sizeof(err));
	if (rc == 0 && v.verdict == VAL_OK &&
	    (fstat(q.out_fd, &st) < 0 || (uint64_t)st.st_size != v.size)) {
		rc = -1;
		snprintf(err, sizeof(err), "validator: size of the output does not match");
	}
	if (rc == 0 && v.verdict == VAL_OK) {
		rc = gu_inst_commit(&u->inst, q.out_fd, tmp, d->name,
				    f->mtime > 0 ? f->mtime : (int64_t)time(NULL),
				    f->mtime_ns, err, sizeof(err));
		close(q.out_fd);
		if (rc == 0) {
			snprintf(u->last, sizeof(u->last), "updated from %s (%s, %llu bytes)",
				 f->from, v.type, (unsigned long long)v.size);
			return TRY_INSTALLED;
		}
	} else {
		close(q.out_fd);
		gu_inst_discard(&u->inst, tmp);
	}
	if (rc == 0 && v.verdict == VAL_CURRENT) {
		gu_inst_touch(&u->inst, d->name, f->mtime);
		return TRY_CURRENT;
	}
	snprintf(u->last, sizeof(u->last), "%s: refused: %s", f->from,
		 rc < 0 ? err : v.why);
	gu_prog_note(&u->prog, "%s", u->last);
	return TRY_NEXT_MIRROR;
}

/* ---- one database ------------------------------------------------------- */

static enum try_result upd_cand(struct upd *u, const struct gu_db *d,
				const struct gu_cand *k, int inst_fd,
				const struct stat *inst)
{
	struct got_file f = { -1, -1, -1, -1, 0, k->url };
	enum try_result r;

	f.raw = memfd_create("flowtop-download", MFD_CLOEXEC);
	f.sha = memfd_create("flowtop-sha256", MFD_CLOEXEC);
	if (k->sig_url[0])
		f.sig = memfd_create("flowtop-minisig", MFD_CLOEXEC);
	if (f.raw < 0 || f.sha < 0 || (k->sig_url[0] && f.sig < 0)) {
		snprintf(u->last, sizeof(u->last), "memfd: %s", strerror(errno));
		r = TRY_NEXT_MIRROR;
	} else if (strncmp(k->url, "file://", 7) == 0) {
		r = upd_try_file(u, k, inst_fd >= 0 ? inst : NULL, &f);
	} else {
		r = upd_try_http(u, k, inst_fd >= 0 ? (int64_t)inst->st_mtime : 0, &f);
	}
	if (r == TRY_INSTALLED)
		r = upd_install(u, d, k, &f, inst_fd);
	if (f.sig >= 0)
		close(f.sig);
	if (f.raw >= 0)
		close(f.raw);
	if (f.sha >= 0)
		close(f.sha);
	return r;
}

static enum try_result upd_db(struct upd *u, const struct gu_db *d)
{
	struct stat st;
	char err[400];
	int inst_fd = gu_inst_current(&u->inst, d->name, &st, err, sizeof(err));
	unsigned skip = ~0u;
	enum try_result r = TRY_NEXT_MIRROR;

	if (inst_fd == -2) {
		snprintf(u->last, sizeof(u->last), "%s", err);
		gu_prog_note(&u->prog, "%s", u->last);
		return TRY_NEXT_MIRROR;
	}

	snprintf(u->last, sizeof(u->last), "no source has it");
	for (size_t i = 0; i < d->ncand; i++) {
		if (d->cand[i].mirror == skip)
			continue;
		r = upd_cand(u, d, &d->cand[i], inst_fd, &st);
		if (r == TRY_INSTALLED || r == TRY_CURRENT)
			break;
		if (r == TRY_NEXT_MIRROR)
			skip = d->cand[i].mirror;
	}
	if (inst_fd >= 0)
		close(inst_fd);
	return r;
}

/* ---- the run ------------------------------------------------------------ */

static int upd_setup(struct upd *u, char *err, size_t errlen)
{
	char path[GU_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/geoip.conf", u->o->conf_dir);
	if (gu_conf_load(&u->conf, path, err, errlen) < 0 ||
	    gu_mm_load(&u->mm, u->conf.mm_conf, err, errlen) < 0 ||
	    gu_plan_make(&u->plan, &u->conf, &u->mm, u->o->geoip_dir, time(NULL),
			 err, errlen) < 0)
		return -1;
	return gu_inst_open(&u->inst, u->plan.dir, err, errlen);
}

/* Start the fetcher when some source is http(s), with the CA bundle. */
static void upd_start_fetcher(struct upd *u)
{
	const char *urls[GU_MAX_DBS * 2 * GU_MAX_CANDS];
	size_t n = 0;
	char err[300];

	for (size_t i = 0; i < u->plan.ndbs; i++)
		for (size_t k = 0; k < u->plan.db[i].ncand; k++)
			if (strncmp(u->plan.db[i].cand[k].url, "file://", 7))
				urls[n++] = u->plan.db[i].cand[k].url;
	if (n == 0)
		return;
	u->ca = gu_read_small(u->conf.ca_file, 16 << 20, &u->calen, err, sizeof(err));
	if (!u->ca)
		fprintf(stderr, "flowtop: CA bundle: %s (https mirrors will fail)\n", err);
	if (gu_fetch_start(&u->fetch, urls, n, u->ca, u->ca ? u->calen : 0, err,
			   sizeof(err)) < 0)
		fprintf(stderr, "flowtop: %s\n", err);
	else
		u->fetch_ok = 1;
}

static int upd_run(struct upd *u)
{
	unsigned updated = 0, current = 0, failed = 0;

	gu_prog_init(&u->prog);
	upd_start_fetcher(u);
	for (size_t i = 0; i < u->plan.ndbs; i++) {
		const struct gu_db *d = &u->plan.db[i];
		enum try_result r;

		gu_prog_begin(&u->prog, d->name);
		r = upd_db(u, d);
		if (r == TRY_INSTALLED)
			updated++;
		else if (r == TRY_CURRENT)
			current++, snprintf(u->last, sizeof(u->last), "already current");
		else
			failed++;
		gu_prog_done(&u->prog, r == TRY_INSTALLED || r == TRY_CURRENT ?
			     u->last : "FAILED, the installed database is kept");
		/* Other failures were told as they happened. */
		if (r == TRY_NEXT_CAND)
			fprintf(stderr, "flowtop: %s: not on any mirror (last tried: "
				"%s)\n", d->name, u->last);
	}
	gu_fetch_stop(&u->fetch);
	gu_prog_summary(updated, current, failed);
	if (failed == 0)
		return 0;
	return updated + current ? 3 : 1;
}

int gu_main(const struct options *o)
{
	static struct upd u;
	char err[600];
	int rc;

	/* Started with file capabilities or setuid, the environment is the
	 * caller's to choose: let none of it steer libcurl or OpenSSL. */
	if (getauxval(AT_SECURE))
		clearenv();
	umask(022);
	/* The terminal's codeset, for escaping what the children say. */
	esc_term_from_locale();
	if (priv_nodump() < 0) {
		fprintf(stderr, "flowtop: PR_SET_DUMPABLE: %s\n", strerror(errno));
		return 1;
	}
	/* Only root (sudo flowtop -u) writes as root; anyone else reads the
	 * conf dir, the files it names and the GeoIP dir as themselves. */
	if (getuid() != 0 && priv_drop_to_caller(err, sizeof(err)) < 0) {
		fprintf(stderr, "flowtop: %s\n", err);
		return 1;
	}
	if (geteuid() != 0 && priv_drop_all(err, sizeof(err)) < 0) {
		fprintf(stderr, "flowtop: %s\n", err);
		return 1;
	}
	/* The identity change reset it to fs.suid_dumpable. */
	if (priv_nodump() < 0) {
		fprintf(stderr, "flowtop: PR_SET_DUMPABLE: %s\n", strerror(errno));
		return 1;
	}
	/* Once per run: the kernel lacks Landlock or some of its rights. */
	landlock_report();
	u.o = o;
	u.inst.dirfd = u.inst.lockfd = -1;
	gu_fetch_init(&u.fetch);
	if (upd_setup(&u, err, sizeof(err)) < 0) {
		fprintf(stderr, "flowtop: %s\n", err);
		return 1;
	}
	rc = upd_run(&u);
	gu_inst_close(&u.inst);
	free(u.ca);
	return rc;
}
