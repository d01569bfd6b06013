/* SPDX-License-Identifier: GPL-2.0-only */
/* util: small helpers every folder may use. */
#ifndef FLOWTOP_UTIL_H
#define FLOWTOP_UTIL_H

/* Elements of an array (not of a pointer). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
