/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Small userspace helpers shared by mkfs.vexfs, fsck.vexfs and vexctl. */
#ifndef _VEXFS_TOOLS_UTIL_H
#define _VEXFS_TOOLS_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include "vexfs/compat.h"

extern const char *vx_prog;

__attribute__((format(printf, 1, 2), noreturn))
void vx_die(const char *fmt, ...);
__attribute__((format(printf, 2, 3), noreturn))
void vx_die_code(int code, const char *fmt, ...);
/* pread/pwrite exactly @len bytes at @off; return 0 or -errno. */
int vx_pread(int fd, void *buf, size_t len, u64 off);
int vx_pwrite(int fd, const void *buf, size_t len, u64 off);
void *vx_zalloc(size_t n);
/* Parse a size with optional K/M/G/T suffix (binary). Returns 0 or -EINVAL. */
int vx_parse_size(const char *s, u64 *out);
/*
 * Write a NumPy .npy version 1.0 header for C-order data of @descr (e.g.
 * "<f4") and @shape (the tuple's inside, e.g. "3, 128" or "128,"), padded
 * so that the data starts at a multiple of 64 bytes; the data follows.
 */
void vx_npy_header(FILE *f, const char *descr, const char *shape);
/* The benchmarks' clock: CLOCK_MONOTONIC, in seconds. */
double vx_now(void);
/* The median of @n > 0 values, sorted in place (even n: the middle two's mean). */
double vx_median(double *v, int n);

#endif
