/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_ioctl.h - VexFS ioctl ABI (uapi style: usable from C and, through
 * ctypes/struct, from Python). Documentation/vexfs-ioctl.rst describes it.
 *
 * VexFS-specific calls use their own magic, 0xBA (unassigned in
 * Documentation/userspace-api/ioctl/ioctl-number.rst; 'V' belongs to V4L2).
 * The shutdown call uses the number shared by xfs/ext4/f2fs/exfat so that
 * fstests' shutdown tests run unchanged.
 */
#ifndef _UAPI_VEXFS_IOCTL_H
#define _UAPI_VEXFS_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VEXFS_IOC_MAGIC			0xBA

/* Shut the filesystem down: every later operation fails with EIO. */
#define VEXFS_IOC_SHUTDOWN		_IOR('X', 125, __u32)
#define VEXFS_GOING_DOWN_FULLSYNC	0	/* sync everything first */
#define VEXFS_GOING_DOWN_METASYNC	1	/* commit the journal first */
#define VEXFS_GOING_DOWN_NOLOGFLUSH	2	/* stop at once */

#endif /* _UAPI_VEXFS_IOCTL_H */
