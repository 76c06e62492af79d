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
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#define vexfs_popcount32(x) hweight32(x)
#define vexfs_popcount64(x) hweight64(x)

#else /* userspace */

#define vexfs_popcount32(x) __builtin_popcount(x)
#define vexfs_popcount64(x) __builtin_popcountll(x)

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <endian.h>
#include <assert.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define le16_to_cpu(x) ((u16)le16toh((__u16)(x)))
#define le32_to_cpu(x) ((u32)le32toh((__u32)(x)))
#define le64_to_cpu(x) ((u64)le64toh((__u64)(x)))
#define cpu_to_le16(x) ((__le16)htole16((__u16)(x)))
#define cpu_to_le32(x) ((__le32)htole32((__u32)(x)))
#define cpu_to_le64(x) ((__le64)htole64((__u64)(x)))
#define be16_to_cpu(x) ((u16)be16toh((__u16)(x)))
#define be32_to_cpu(x) ((u32)be32toh((__u32)(x)))
#define be64_to_cpu(x) ((u64)be64toh((__u64)(x)))
#define cpu_to_be16(x) ((__be16)htobe16((__u16)(x)))
#define cpu_to_be32(x) ((__be32)htobe32((__u32)(x)))
#define cpu_to_be64(x) ((__be64)htobe64((__u64)(x)))

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef EUCLEAN
#define EUCLEAN 117
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Same layout and algorithm as the kernel's <linux/siphash.h>. */
typedef struct {
	u64 key[2];
} siphash_key_t;
u64 siphash(const void *data, size_t len, const siphash_key_t *key);

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

#endif /* _VEXFS_COMPAT_H */
