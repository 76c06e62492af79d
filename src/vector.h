/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vector.h - the in-memory vector index of vexfs.ko (vector.c), exposed for
 * the KUnit suite vexfs_vindex.
 */
#ifndef _VEXFS_VECTOR_H
#define _VEXFS_VECTOR_H

#include <linux/rhashtable.h>
#include <linux/list.h>
#include "core/vrec.h"

/* One vector: where its record is. Freed with kfree_rcu(). */
struct vexfs_vent {
	u64 id;
	u64 ino;
	struct rhash_head node;		/* in vexfs_vindex.ids */
	struct list_head flink;		/* on its vexfs_vfile's list, ascending ids */
	struct vexfs_vchunk *chunk;
	u32 offset;			/* byte offset of the record in the chunk */
	u32 length;			/* record bytes */
	struct rcu_head rcu;
};

/* One file with vectors. */
struct vexfs_vfile {
	u64 ino;
	struct rhash_head node;		/* in vexfs_vindex.files */
	struct list_head vents;
	u32 count;
	struct rcu_head rcu;
};

struct vexfs_vindex {
	struct rhashtable ids;		/* vector id -> vexfs_vent */
	struct rhashtable files;	/* inode -> vexfs_vfile */
	u64 nfiles;
	u64 count;
};

int vexfs_vindex_init(struct vexfs_vindex *vx);
void vexfs_vindex_destroy(struct vexfs_vindex *vx);
struct vexfs_vent *vexfs_vindex_lookup(struct vexfs_vindex *vx, u64 id);
struct vexfs_vfile *vexfs_vindex_file(struct vexfs_vindex *vx, u64 ino);
int vexfs_vindex_add(struct vexfs_vindex *vx, struct vexfs_vent *v,
		     struct vexfs_vfile **spare);
void vexfs_vindex_del(struct vexfs_vindex *vx, struct vexfs_vent *v);

#endif /* _VEXFS_VECTOR_H */
