/* resolver: request loop. */
#include <stdio.h>
#include <string.h>

#include "resolver/resolver.h"

static int resolver_dispatch(struct msg_chan *ui, const struct msg *m)
{
	uint64_t cookie;

	switch (m->type) {
	case MSG_PING:
		memcpy(&cookie, m->payload, sizeof(cookie));
		return msg_send(ui, MSG_PONG, &cookie, sizeof(cookie), -1);
	default:
		/* msg_recv only lets through what the ui may send. */
		return -1;
	}
}

int resolver_main(struct msg_chan *ui)
{
	struct msg m;
	const char *why;
	int r;

	for (;;) {
		r = msg_recv(ui, &m, &why);
		if (r == 0)
			return 0;
		if (r < 0) {
			fprintf(stderr, "flowtop: resolver: bad message from the "
				"ui: %s\n", why);
			return 1;
		}
		if (resolver_dispatch(ui, &m) < 0) {
			fprintf(stderr, "flowtop: resolver: cannot answer %s\n",
				msg_type_name(m.type));
			return 1;
		}
	}
}
