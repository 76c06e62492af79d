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
#include "vexfs/vexfs_ioctl.h"

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
VEXFS_CHECK_OFF(vexfs_super_block, s_vec_blocks, 312);
VEXFS_CHECK_OFF(vexfs_super_block, s_cb_dir, 320);
VEXFS_CHECK_OFF(vexfs_super_block, s_ann_ino, 328);
VEXFS_CHECK_OFF(vexfs_super_block, s_ann_gen, 336);
VEXFS_CHECK_OFF(vexfs_super_block, s_vec_reserved, 344);
VEXFS_CHECK_SIZE(vexfs_cb_dir_header, 32);
VEXFS_CHECK_SIZE(vexfs_cb_entry, 32);
VEXFS_CHECK_OFF(vexfs_cb_entry, ce_start, 16);
VEXFS_CHECK_OFF(vexfs_cb_entry, ce_blocks, 28);
VEXFS_CHECK_SIZE(vexfs_pq_ref, 8);
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
VEXFS_CHECK_OFF(vexfs_inode, i_parent, 240);
VEXFS_CHECK_OFF(vexfs_inode, i_parent_hash, 248);
VEXFS_CHECK_OFF(vexfs_inode, i_checksum, 252);
VEXFS_CHECK_SIZE(vexfs_pptr, 12);

VEXFS_CHECK_SIZE(vexfs_ind_tail, 8);
VEXFS_CHECK_SIZE(vexfs_dir_header, 48);
VEXFS_CHECK_SIZE(vexfs_bucket_header, 24);
VEXFS_CHECK_OFF(vexfs_dirent, d_name, 18);
VEXFS_CHECK_SIZE(vexfs_xattr_header, 16);
VEXFS_CHECK_OFF(vexfs_xattr_entry, xe_name, 4);

VEXFS_CHECK_SIZE(vexfs_vec_header, 64);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_vector_id, 8);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_file_inode, 16);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_dtype, 24);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_dimensions, 28);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_compressed_size, 36);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_created_ns, 40);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_checksum, 56);
VEXFS_CHECK_OFF(vexfs_vec_header, vh_flags, 60);
VEXFS_CHECK_SIZE(vexfs_vec_meta, 32);
VEXFS_CHECK_OFF(vexfs_vec_meta, vm_model_version, 16);
VEXFS_CHECK_OFF(vexfs_vec_meta, vm_confidence, 20);
VEXFS_CHECK_OFF(vexfs_vec_meta, vm_ann, 24);
VEXFS_CHECK_SIZE(vexfs_ann_desc, VEXFS_ANN_DESC_BYTES);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_model, 56);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_nseeds, 96);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_seeds, 104);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_sweep, 360);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_pass, 364);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_free, 368);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_nfree, 372);
VEXFS_CHECK_OFF(vexfs_ann_desc, ad_reserved, 376);
VEXFS_CHECK_SIZE(vexfs_ann_node, 16);
VEXFS_CHECK_OFF(vexfs_ann_node, an_died, 14);
VEXFS_CHECK_SIZE(vexfs_vtab_entry, 32);
VEXFS_CHECK_OFF(vexfs_vtab_entry, ve_chunk, 8);
VEXFS_CHECK_OFF(vexfs_vtab_entry, ve_chunk_blocks, 24);
VEXFS_CHECK_OFF(vexfs_vtab_entry, ve_offset, 16);
VEXFS_CHECK_OFF(vexfs_vtab_entry, ve_checksum, 28);

/* ioctl ABI: fixed sizes, 8-byte aligned 64-bit fields. */
VEXFS_CHECK_SIZE(vexfs_vec_user_meta, 32);
VEXFS_CHECK_SIZE(vexfs_ioc_attach, 72);
VEXFS_CHECK_OFF(vexfs_ioc_attach, data, 16);
VEXFS_CHECK_OFF(vexfs_ioc_attach, meta, 32);
VEXFS_CHECK_OFF(vexfs_ioc_attach, vector_id, 64);
VEXFS_CHECK_SIZE(vexfs_vec_info, 88);
VEXFS_CHECK_OFF(vexfs_vec_info, meta, 56);
VEXFS_CHECK_SIZE(vexfs_ioc_get, 120);
VEXFS_CHECK_OFF(vexfs_ioc_get, info, 32);
VEXFS_CHECK_SIZE(vexfs_ioc_list, 48);
VEXFS_CHECK_OFF(vexfs_ioc_list, next_id, 32);
VEXFS_CHECK_SIZE(vexfs_ioc_detach, 16);
VEXFS_CHECK_SIZE(vexfs_ioc_stats, 72);
VEXFS_CHECK_SIZE(vexfs_ioc_codebook_add, 24);
VEXFS_CHECK_SIZE(vexfs_ioc_codebook_get, 40);
VEXFS_CHECK_SIZE(vexfs_vec_xattr, 64);
VEXFS_CHECK_SIZE(vexfs_search_result, 24);
VEXFS_CHECK_SIZE(vexfs_ioc_search, 104);
VEXFS_CHECK_OFF(vexfs_ioc_search, ef, VEXFS_SEARCH_SIZE_V0);
VEXFS_CHECK_OFF(vexfs_ioc_search, results, 64);
VEXFS_CHECK_SIZE(vexfs_ioc_paths, 40);
VEXFS_CHECK_SIZE(vexfs_ioc_index, 88);
VEXFS_CHECK_OFF(vexfs_ioc_index, model, 32);
VEXFS_CHECK_OFF(vexfs_ioc_index, nodes, 56);
VEXFS_CHECK_OFF(vexfs_ioc_paths, buf, 24);

#endif /* _VEXFS_ONDISK_CHECK_H */
