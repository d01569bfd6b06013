/* SPDX-License-Identifier: GPL-2.0-only */
/* hash32: murmur3's 32-bit finaliser, for open-addressed tables keyed by
 * numbers that may come in sequence (conntrack ids of older kernels and
 * tests): every input bit moves every output bit. A bijection, so
 * distinct inputs stay distinct. */
#ifndef FLOWTOP_HASH32_H
#define FLOWTOP_HASH32_H

#include <stdint.h>

static inline uint32_t hash32_fmix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

#endif
