/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Pins the size and key offsets of every on-disk structure (as
 * fs/xfs/libxfs/xfs_ondisk.h does). Included by the kernel module and by
 * every userspace tool, so a layout change fails every build.
 */
#ifndef _VEXFS_ONDISK_CHECK_H
#define _VEXFS_ONDISK_CHECK_H

#include "vexfs/compat.h"
#include "vexfs/vexfs_fs.h"

#define VEXFS_CHECK_SIZE(s, n) static_assert(sizeof(struct s) == (n), #s " size")
#define VEXFS_CHECK_OFF(s, f, n) \
	static_assert(offsetof(struct s, f) == (n), #s "." #f " offset")

VEXFS_CHECK_SIZE(vexfs_super_block, VEXFS_SUPER_SIZE);
VEXFS_CHECK_OFF(vexfs_super_block, s_blocks_count, 16);
VEXFS_CHECK_OFF(vexfs_super_block, s_blocks_per_group, 48);
VEXFS_CHECK_OFF(vexfs_super_block, s_gdt_start, 64);
VEXFS_CHECK_OFF(vexfs_super_block, s_feature_compat, 88);
VEXFS_CHECK_OFF(vexfs_super_block, s_orphan_head, 112);
VEXFS_CHECK_OFF(vexfs_super_block, s_uuid, 136);
VEXFS_CHECK_OFF(vexfs_super_block, s_label, 152);
VEXFS_CHECK_OFF(vexfs_super_block, s_hash_key, 216);
VEXFS_CHECK_OFF(vexfs_super_block, s_mount_count, 256);
VEXFS_CHECK_OFF(vexfs_super_block, s_vec_next_id, 280);
VEXFS_CHECK_OFF(vexfs_super_block, s_vec_reserved, 312);
VEXFS_CHECK_OFF(vexfs_super_block, s_reserved, 408);
VEXFS_CHECK_OFF(vexfs_super_block, s_checksum, 1020);

VEXFS_CHECK_SIZE(vexfs_group_desc, 64);
VEXFS_CHECK_OFF(vexfs_group_desc, bg_free_blocks, 24);
VEXFS_CHECK_OFF(vexfs_group_desc, bg_block_bitmap_csum, 40);
VEXFS_CHECK_OFF(vexfs_group_desc, bg_checksum, 60);

VEXFS_CHECK_SIZE(vexfs_inode, VEXFS_INODE_SIZE);
VEXFS_CHECK_OFF(vexfs_inode, i_size, 16);
VEXFS_CHECK_OFF(vexfs_inode, i_atime_ns, 64);
VEXFS_CHECK_OFF(vexfs_inode, i_xattr_block, 88);
VEXFS_CHECK_OFF(vexfs_inode, i_vec_head, 104);
VEXFS_CHECK_OFF(vexfs_inode, i_block, 120);
VEXFS_CHECK_OFF(vexfs_inode, i_checksum, 252);

VEXFS_CHECK_SIZE(vexfs_ind_tail, 8);
VEXFS_CHECK_SIZE(vexfs_dir_header, 48);
VEXFS_CHECK_SIZE(vexfs_bucket_header, 24);
VEXFS_CHECK_OFF(vexfs_dirent, d_name, 18);
VEXFS_CHECK_SIZE(vexfs_xattr_header, 16);
VEXFS_CHECK_OFF(vexfs_xattr_entry, xe_name, 4);

#endif /* _VEXFS_ONDISK_CHECK_H */
