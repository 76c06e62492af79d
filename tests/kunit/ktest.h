/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktest.h - helpers shared by the KUnit suites of vexfs.ko.
 */
#ifndef _VEXFS_KTEST_H
#define _VEXFS_KTEST_H

#include <linux/types.h>

/* xorshift32: the suites' reproducible random numbers (*s must not be 0) */
static inline u32 kt_next(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

#endif /* _VEXFS_KTEST_H */
