/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vann.h - the on-disk form of the graph ANN index (vexfs_fs.h: struct
 * vexfs_ann_desc, struct vexfs_ann_node): sizes, checksums and the checks of
 * every field read from disk, shared by vexfs.ko and fsck.vexfs. The graph
 * logic over these nodes is vgraph.h's.
 */
#ifndef _VEXFS_CORE_VANN_H
#define _VEXFS_CORE_VANN_H

#include "vexfs/compat.h"
#include "vexfs/vexfs_fs.h"

/* bytes of one node slot: header, r neighbour slots, dims code bytes */
static inline u32 vexfs_ann_node_size(u32 r, u32 dims)
{
	return VEXFS_ALIGN_UP((u32)sizeof(struct vexfs_ann_node) + 4 * r + dims, 8);
}

/* node slots per block */
static inline u32 vexfs_ann_per_block(u32 block_size, u32 node_size)
{
	return block_size / node_size;
}

static inline __le32 *vexfs_ann_nbrs(void *node)
{
	return (__le32 *)((struct vexfs_ann_node *)node + 1);
}

static inline u8 *vexfs_ann_code(void *node, u32 r)
{
	return (u8 *)(vexfs_ann_nbrs(node) + r);
}

/* vm_ann of a record that is node @slot of index generation @gen */
static inline u64 vexfs_ann_ref(u32 gen, u32 slot)
{
	return (u64)gen << 32 | (slot + 1);
}

/* the slot vm_ann names in generation @gen, or VEXFS_ANN_NO_SLOT */
#define VEXFS_ANN_NO_SLOT	0xffffffffU
static inline u32 vexfs_ann_ref_slot(u64 ref, u32 gen)
{
	if ((u32)(ref >> 32) != gen || !(u32)ref)
		return VEXFS_ANN_NO_SLOT;
	return (u32)ref - 1;
}

u32 vexfs_ann_desc_csum(u32 seed, const struct vexfs_ann_desc *d);
void vexfs_ann_desc_seal(struct vexfs_ann_desc *d, u32 seed);
/*
 * Check a descriptor read from disk for a filesystem of @block_size bytes
 * whose superblock says generation @gen: 0 or -EUCLEAN with *why set.
 */
int vexfs_ann_desc_validate(const struct vexfs_ann_desc *d, u32 seed, u32 block_size,
			    u32 gen, const char **why);

u32 vexfs_ann_node_csum(u32 seed, u32 gen, const void *node, u32 node_size);
void vexfs_ann_node_seal(void *node, u32 node_size, u32 seed, u32 gen);
/*
 * Check node slot @slot (node_size bytes at @node) of an index with
 * out-degree @r and @nslots slots: a slot in use is live or dead with a
 * vector id, at most r neighbours, each a slot in use other than itself,
 * the unused ones zero; a slot past nslots is all zero.
 */
int vexfs_ann_node_validate(const void *node, u32 node_size, u32 dims, u32 slot, u32 r,
			    u32 nslots, u32 seed, u32 gen, const char **why);

#endif /* _VEXFS_CORE_VANN_H */
