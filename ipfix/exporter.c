/* SPDX-License-Identifier: GPL-2.0-only */
/* exporter: flowtop-ipfix's start and confinement, in the fixed order:
 * the service identity, the connection and libfixbuf's state (both need
 * what the sandbox forbids: socket, connect, shared libraries, the
 * resolver's files), the seal, the word to the collector. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ix_url.h"
#include "ipfix/exporter.h"
#include "ipfix/ix_conn.h"
#include "ipfix/ix_enc.h"
#include "ipfix/ix_out.h"
#include "ipfix/ix_pump.h"

/* Everything the sealed loop needs, made now. */
static int ix_prepare(const char *url, struct ix_out *out,
		      struct ix_enc **enc, char *err, size_t errlen)
{
	struct ix_url u;
	const char *why;
	int fd;

	if (ix_url_parse(url, &u, &why) < 0) {
		snprintf(err, errlen, "%s: %s", url, why);
		return -1;
	}
	fd = ix_conn_open(&u, IX_SOCK_FD, err, errlen);
	if (fd < 0)
		return -1;
	if (ix_out_init(out, fd, u.proto == IX_TCP) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*enc = ix_enc_new(u.proto == IX_TCP ? IX_MTU_TCP : IX_MTU_UDP,
			  ix_out_send, out, err, errlen);
	return *enc ? 0 : -1;
}

int ipfix_exporter_main(const struct role_spec *self,
			const struct role_ctx *ctx)
{
	/* No file, no TCP port, no signal or abstract socket outside. */
	const struct ll_policy ll = {
		.role = "ipfix",
		.scoped = LANDLOCK_SCOPE_SIGNAL |
			  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
	};
	const char ready = IX_READY;
	struct ix_enc *enc = NULL;
	struct ix_out out = { .fd = -1 };
	struct ix_pump pump;
	char err[400];
	int rc;

	/* Its own service user (flowtop-ipfix) where install made one,
	 * else the resolver's. */
	if (priv_become(&ctx->unpriv, 0, err, sizeof(err)) < 0)
		role_die(self, err);
	if (ix_prepare(ctx->o->ipfix, &out, &enc, err, sizeof(err)) < 0 ||
	    ix_pump_init(&pump, IX_UI_FD, enc, &out) < 0)
		return role_refuse(IX_UI_FD, enc ? "out of memory" : err);
	if (role_seal(self, ctx->slot, &ll, err, sizeof(err)) < 0)
		role_die(self, err);
	if (send(IX_UI_FD, &ready, 1, MSG_NOSIGNAL) != 1)
		return 1;
	rc = ix_pump_run(&pump);
	ix_pump_free(&pump);
	ix_enc_free(enc);
	ix_out_free(&out);
	close(IX_SOCK_FD);
	return rc;
}
