/* SPDX-License-Identifier: GPL-2.0-only */
/* clock: the one way every process reads time. Monotonic time measures
 * intervals (rates, cadence, timeouts); real time stamps snapshots. */
#ifndef FLOWTOP_CLOCK_H
#define FLOWTOP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in nanoseconds and milliseconds. */
static inline uint64_t clock_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000u;
}

/* CLOCK_REALTIME in nanoseconds. */
static inline uint64_t clock_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

#endif
