/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ucompat.h - the userspace side of include/vexfs/compat.h: kernel types,
 * byte order and helpers for the shared core when it is built into mkfs,
 * fsck, vexctl, native tests and benchmarks (as xfsprogs' libxfs shims do).
 */
#ifndef _VEXFS_UCOMPAT_H
#define _VEXFS_UCOMPAT_H


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
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif

static inline u16 get_unaligned_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

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


#endif /* _VEXFS_UCOMPAT_H */
