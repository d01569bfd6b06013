/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target for the replay's line reader (replay/rp_line.c): the
 * whole input is one line, handed over as the block libFuzzer made of
 * exactly its size, so a read past len is an AddressSanitizer report.
 * What it accepts must be what the ui can take as it takes the
 * collector's records: a flow that passes flow_wire_check(), strings
 * that end within their fields, a country code or nothing, a command
 * line without control bytes; what it refuses, it says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replay/rp_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void fz_place(const struct rp_place *p)
{
	fz_terminated(p->name, sizeof(p->name));
	fz_terminated(p->country, sizeof(p->country));
	fz_terminated(p->country_name, sizeof(p->country_name));
	fz_terminated(p->city, sizeof(p->city));
	fz_terminated(p->as_org, sizeof(p->as_org));
	if (p->country[0] && (strlen(p->country) != 2 ||
			      p->country[0] < 'A' || p->country[0] > 'Z' ||
			      p->country[1] < 'A' || p->country[1] > 'Z'))
		abort();
}

static void fz_owner(const struct rp_owner *o)
{
	fz_terminated(o->cmdline, sizeof(o->cmdline));
	fz_terminated(o->exe, sizeof(o->exe));
	fz_terminated(o->cgroup, sizeof(o->cgroup));
	fz_terminated(o->netns, sizeof(o->netns));
	for (const unsigned char *c = (const unsigned char *)o->cmdline; *c;
	     c++)
		if (*c < 0x20 || *c == 0x7f)
			abort();
	if (o->exited != 0 && o->exited != 1)
		abort();
}

/* A tick or a begin fills its event and time, and nothing else. */
static void fz_tick(const struct rp_line *l)
{
	struct rp_line zero;

	memset(&zero, 0, sizeof(zero));
	zero.event = l->event;
	zero.time_ns = l->time_ns;
	if (memcmp(l, &zero, sizeof(zero)))
		abort();
}

static void fz_flow(const struct rp_line *l)
{
	const struct flow_wire *w = &l->w;

	if (flow_wire_check(w, NULL) < 0 || w->event != FLOW_EV_DUMP ||
	    w->icmp_id || flow_owner_tag(w))
		abort();
	if (w->start_ns > l->time_ns)
		abort();
	fz_terminated(l->service, sizeof(l->service));
	fz_place(&l->src);
	fz_place(&l->dst);
	fz_owner(&l->own);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rp_line l;
	const char *why = NULL;

	if (rp_line_parse((const char *)data, size, &l, &why) < 0) {
		if (!why || !*why)
			abort();
		return 0;
	}
	if (l.event < RP_EV_START || l.event > RP_EV_BEGIN)
		abort();
	if (l.event == RP_EV_TICK || l.event == RP_EV_BEGIN)
		fz_tick(&l);
	else
		fz_flow(&l);
	return 0;
}
