/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * compat.h - the one place that knows whether the shared VexFS core is built
 * into the kernel module or into userspace (mkfs.vexfs, fsck.vexfs, vexctl,
 * native tests and benchmarks). Everything under src/core/ includes only this
 * header and the format headers, never kernel or libc headers directly.
 */
#ifndef _VEXFS_COMPAT_H
#define _VEXFS_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/build_bug.h>
#include <linux/bitops.h>
#include <linux/siphash.h>
#include <linux/bitops.h>
#include <asm/byteorder.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#define vexfs_popcount32(x) hweight32(x)
#define vexfs_popcount64(x) hweight64(x)

#else /* userspace: the shim lives with the tools */

#include "ucompat.h"

#endif /* __KERNEL__ */

#define VEXFS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VEXFS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define VEXFS_DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define VEXFS_ALIGN_UP(n, a) (((n) + (a) - 1) & ~((__typeof__(n))(a) - 1))

/*
 * CRC32C hook: the raw (unreflected-seed, no final xor) Castagnoli update
 * function. Kernel: crc32c() from libcrc32c. Userspace: ext2fs_crc32c_le()
 * from libext2fs, which computes the same function. VexFS checksums are
 * vexfs_crc32c(~0U, buf, len) with no final inversion (as ext4 metadata).
 */
u32 vexfs_crc32c(u32 crc, const void *buf, size_t len);
/* vexfs_crc32c(crc, @len zero bytes), in time logarithmic in @len (kernel) */
u32 vexfs_crc32c_zeros(u32 crc, size_t len);

#endif /* _VEXFS_COMPAT_H */
