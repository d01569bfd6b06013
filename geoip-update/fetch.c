/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch: the parent's side of the fetcher: fork it, ask, take the bytes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "geoip-update/fetch.h"
#include "geoip-update/fetch_child.h"

void gu_fetch_init(struct gu_fetcher *f)
{
	memset(f, 0, sizeof(f[0]));
	f->pid = -1;
	relay_init(&f->err, -1, STDERR_FILENO, "fetcher", 0);
}

int gu_fetch_start(struct gu_fetcher *f, const char *const *urls, size_t nurls,
		   const void *ca, size_t calen, char *err, size_t errlen)
{
	int sv[2], erd, ewr;

	gu_fetch_init(f);
	f->ch = malloc(sizeof(*f->ch));
	if (!f->ch || relay_pipe(&erd, &ewr) < 0) {
		snprintf(err, errlen, "cannot make the fetcher's stderr: %s",
			 strerror(errno));
		free(f->ch);
		f->ch = NULL;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "cannot make the fetcher's channel: %s",
			 strerror(errno));
		close(erd);
		close(ewr);
		free(f->ch);
		f->ch = NULL;
		return -1;
	}
	fflush(NULL);
	f->pid = fork();
	if (f->pid == 0) {
		struct msg_chan *c = malloc(sizeof(*c));

		close(sv[0]);
		/* Its stderr is the pipe, relayed by the parent (the close
		 * below takes both of the pipe's own descriptors). */
		if (!c || dup2(ewr, STDERR_FILENO) < 0)
			_exit(1);
		msg_chan_init(c, sv[1], MSG_DIR_UPD_FET, MSG_DIR_FET_UPD, "updater");
		/* Nothing but stdio and the channel crosses into the child. */
		if (close_range(3, (unsigned)sv[1] - 1, 0) < 0 ||
		    close_range((unsigned)sv[1] + 1, ~0u, 0) < 0)
			_exit(1);
		_exit(gu_fetch_child(c, urls, nurls, ca, calen));
	}
	close(sv[1]);
	close(ewr);
	if (f->pid < 0) {
		snprintf(err, errlen, "cannot start the fetcher: %s", strerror(errno));
		close(sv[0]);
		close(erd);
		return -1;
	}
	relay_init(&f->err, erd, STDERR_FILENO, "fetcher", clock_mono_ms());
	msg_chan_init(f->ch, sv[0], MSG_DIR_FET_UPD, MSG_DIR_UPD_FET, "fetcher");
	return 0;
}

void gu_fetch_stop(struct gu_fetcher *f)
{
	if (f->ch) {
		close(f->ch->fd);
		free(f->ch);
		f->ch = NULL;
	}
	if (f->pid > 0) {
		int st;

		/* It may be stuck in a download: a closed channel is noticed
		 * only between two. */
		kill(f->pid, SIGKILL);
		while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
			;
		f->pid = -1;
	}
	relay_drain(&f->err, clock_mono_ms());
}

/* Why the fetcher's channel closed: it is dying, so wait a moment for
 * its status. The installed build's seccomp filter kills it outright, and
 * only its SIGSYS tells that apart from a crash. */
static const char *fetch_end_cause(struct gu_fetcher *f)
{
	for (int i = 0; i < 50; i++) {
		int st;
		pid_t p = waitpid(f->pid, &st, WNOHANG);

		if (p == f->pid) {
			f->pid = -1;
			/* Its last words before ours. */
			relay_drain(&f->err, clock_mono_ms());
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
				return "killed by seccomp: a system call "
					"outside its allowlist";
			return "exited during a download";
		}
		if (p < 0 && errno != EINTR)
			break;
		usleep(10000);
	}
	return "exited during a download";
}

static int fetch_write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One message of the answer. 1 when DONE came, 0 to go on, -1 on error. */
static int fetch_one(struct gu_fetcher *f, const struct fetch_req *req, int fd,
		     const struct msg *m, struct gu_got *got, const char **why)
{
	struct fetch_data_hdr h;
	struct fetch_start s;
	struct fetch_done d;

	switch (m->type) {
	case MSG_FETCH_START:
		memcpy(&s, m->payload, sizeof(s));
		got->length = s.length;
		return s.id == req->id ? 0 : (*why = "answer to another request", -1);
	case MSG_FETCH_DATA:
		memcpy(&h, m->payload, sizeof(h));
		if (h.id != req->id) {
			*why = "data of another request";
			return -1;
		}
		got->bytes += m->len - sizeof(h);
		if (got->bytes > req->max_bytes) {
			*why = "sent more than the size limit";
			return -1;
		}
		if (fetch_write_all(fd, (const unsigned char *)m->payload + sizeof(h),
				    m->len - sizeof(h)) < 0) {
			*why = strerror(errno);
			return -1;
		}
		return 0;
	case MSG_FETCH_DONE:
		memcpy(&d, m->payload, sizeof(d));
		if (d.id != req->id) {
			*why = "answer to another request";
			return -1;
		}
		got->result = d.result;
		got->http_code = d.http_code;
		got->filetime = d.filetime;
		memcpy(got->why, d.why, sizeof(got->why));
		(void)f;
		return 1;
	default:
		*why = "unexpected message";
		return -1;
	}
}

int gu_fetch(struct gu_fetcher *f, struct fetch_req *req, int fd,
	     gu_progress_fn progress, void *ctx, struct gu_got *got,
	     char *err, size_t errlen)
{
	const char *why = NULL;
	int r = 0;

	memset(got, 0, sizeof(*got));
	got->length = -1;
	got->filetime = -1;
	req->id = ++f->next_id;
	if (!f->ch || msg_send(f->ch, MSG_FETCH_REQ, req, sizeof(*req)) < 0) {
		snprintf(err, errlen, "fetcher: %s", f->ch ? strerror(errno) :
			 "not running");
		return -1;
	}
	while (r == 0) {
		struct msg m;
		int rc;

		/* Its stderr is relayed while the answer is awaited. */
		if (relay_wait(&f->err, f->ch->fd, -1) < 0) {
			snprintf(err, errlen, "fetcher: poll: %s", strerror(errno));
			return -1;
		}
		rc = msg_recv(f->ch, &m, &why);
		if (rc <= 0) {
			snprintf(err, errlen, "fetcher: %s", rc == 0 ?
				 fetch_end_cause(f) : why);
			return -1;
		}
		r = fetch_one(f, req, fd, &m, got, &why);
		if (r < 0) {
			snprintf(err, errlen, "fetcher: %s", why);
			return -1;
		}
		if (progress && m.type == MSG_FETCH_DATA)
			progress(ctx, got->bytes, got->length);
	}
	return 0;
}
