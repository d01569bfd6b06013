/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch: the fetcher, a child that downloads with libcurl and streams what
 * it receives to the parent, and the parent's side of that channel.
 *
 * Before its sandbox the fetcher reads nothing but what the parent hands
 * it at fork: the CA bundle, already in memory (CURLOPT_CAINFO_BLOB), and
 * the mirror URLs, whose hosts it resolves then (fetch_dns.h). Then it
 * takes the unprivileged uid, drops every capability and installs its
 * seccomp list (seccomp_fetch.c): sockets and the channel only.
 * Redirects are followed by hand, so every host is resolved by c-ares and
 * an https -> http downgrade or a sixth hop is refused; basic auth goes
 * only to the host it was given for. No proxy: environment variables do
 * not steer it.
 */
#ifndef FLOWTOP_GU_FETCH_H
#define FLOWTOP_GU_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "privsep/msg.h"
#include "privsep/relay.h"
#include "privsep/update_wire.h"

struct gu_fetcher {
	pid_t pid;
	struct msg_chan *ch;
	uint32_t next_id;
	struct relay err;        /* its stderr, relayed to ours */
};

/* Before anything else: nothing started, nothing to relay. */
void gu_fetch_init(struct gu_fetcher *f);

/* What one download gives the parent. */
struct gu_got {
	uint32_t result;         /* enum fetch_result */
	int http_code;
	int64_t filetime;
	int64_t length;          /* announced, -1 unknown */
	uint64_t bytes;          /* counted by the parent */
	char why[FETCH_WHY_MAX];
};

/* Progress callback: bytes so far, announced length (-1 unknown). */
typedef void (*gu_progress_fn)(void *ctx, uint64_t bytes, int64_t length);

/* Fork the fetcher. urls: the http(s) URLs to resolve before the sandbox.
 * ca: the CA bundle (may be NULL with calen 0). 0, or -1 with err. */
int gu_fetch_start(struct gu_fetcher *f, const char *const *urls, size_t nurls,
		   const void *ca, size_t calen, char *err, size_t errlen);

/* Download req->url into fd (written from its current offset). 0 with *got
 * filled (any result), -1 when the fetcher misbehaved or died (err). */
int gu_fetch(struct gu_fetcher *f, struct fetch_req *req, int fd,
	     gu_progress_fn progress, void *ctx, struct gu_got *got,
	     char *err, size_t errlen);

/* Close the channel and reap the fetcher. */
void gu_fetch_stop(struct gu_fetcher *f);

#endif
