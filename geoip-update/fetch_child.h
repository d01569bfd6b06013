/* SPDX-License-Identifier: GPL-2.0-only */
/* fetch_child: the fetcher process's main (see fetch.h). */
#ifndef FLOWTOP_GU_FETCH_CHILD_H
#define FLOWTOP_GU_FETCH_CHILD_H

#include <stddef.h>
#include "privsep/msg.h"

/* Runs in the forked child; returns its exit status. */
int gu_fetch_child(struct msg_chan *ch, const char *const *urls, size_t n,
		   const void *ca, size_t calen);

#endif
