/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vector.h - the in-memory vector index of vexfs.ko (vector.c), exposed for
 * the KUnit suite vexfs_vindex.
 */
#ifndef _VEXFS_VECTOR_H
#define _VEXFS_VECTOR_H

#include <linux/rhashtable.h>
#include <linux/list.h>
#include <linux/xarray.h>
#include <linux/mutex.h>
#include <linux/jbd2.h>
#include "core/vrec.h"
#include "vexfs/vq.h"

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

/* The mounted vector store (vector.c; searched by search.c). */
struct vexfs_vstore {
	struct mutex lock;
	struct inode *tab;		/* the vector table inode */
	struct vexfs_vindex index;
	struct xarray chunks;		/* chunk start block -> struct vexfs_vchunk */
	u64 next_id;
	u64 bytes;
	u64 goal;			/* where the next chunk is looked for */
	struct rw_semaphore ann_lock;	/* keeps ann in place (ann.c) */
	struct vexfs_ann *ann;		/* the graph ANN index, or NULL */
	/* one SEARCH context kept for the next call (search.c), under kept_lock */
	spinlock_t kept_lock;
	void *kept;
	struct vexfs_valloc va;		/* large: the vstore is vmalloc'ed */
};

int vexfs_vindex_init(struct vexfs_vindex *vx);
void vexfs_vindex_destroy(struct vexfs_vindex *vx);
struct vexfs_vent *vexfs_vindex_lookup(struct vexfs_vindex *vx, u64 id);
struct vexfs_vfile *vexfs_vindex_file(struct vexfs_vindex *vx, u64 ino);
int vexfs_vindex_add(struct vexfs_vindex *vx, struct vexfs_vent *v,
		     struct vexfs_vfile **spare);
void vexfs_vindex_del(struct vexfs_vindex *vx, struct vexfs_vent *v);

/* ---- PQ codebooks (codebook.c) ------------------------------------------ */

/* A loaded codebook: immutable once published, freed at unmount. */
struct vexfs_cbook {
	u32 id;
	u32 dims;
	u32 m;
	u32 crc;			/* the blob header's crc */
	u32 blob_len;
	u32 blocks;
	u64 start;			/* first block of the blob */
	struct vq_pq pq;		/* cent_t: kvmalloc'ed */
};

struct super_block;
struct file;
int vexfs_cb_load(struct super_block *sb);
void vexfs_cb_unload(struct super_block *sb);
const struct vexfs_cbook *vexfs_cb_find(struct super_block *sb, u32 id);
const struct vexfs_cbook *vexfs_cb_newest(struct super_block *sb, u32 dims);
bool vexfs_cb_matches(const struct vexfs_cbook *c, u32 dims, const void *data, u32 len);
int vexfs_pq_encode(const struct vexfs_cbook *c, const void *x, void *out);
void vexfs_pq_decode(const struct vexfs_cbook *c, const void *in, void *x);
long vexfs_ioc_cb_add(struct file *file, void __user *uarg);
long vexfs_ioc_cb_get(struct file *file, void __user *uarg);

/* reading records (vector.c) */
void *vexfs_vec_read(struct inode *inode, u64 id, u32 *lenp);
int vexfs_vec_decompress(struct super_block *sb, u64 id, u32 dtype, u32 comp, u32 dims,
			 const void *in, u32 len, void *out);
u32 vexfs_vec_ids_after(struct inode *inode, u64 after, u64 *ids, u32 max);
u32 vexfs_vchunk_blocks(struct super_block *sb, const struct vexfs_vchunk *c);

/* SEARCH (search.c) */
long vexfs_ioc_search(struct file *file, void __user *uarg);
void vexfs_search_kept_free(struct vexfs_vstore *vs);	/* at unmount */

/* ---- the graph ANN index (ann.c) ---------------------------------------- */
struct vexfs_ann;
int vexfs_ann_load(struct super_block *sb);
void vexfs_ann_unload(struct super_block *sb);
long vexfs_ioc_index(struct file *file, void __user *uarg);
bool vexfs_ann_wants(const struct vexfs_ann *ax, u32 dtype, u32 dims, const u8 *model);
int vexfs_ann_slot_of(struct vexfs_ann *ax, u64 chunk, u32 off, u32 *slot);
int vexfs_ann_credits(const struct vexfs_ann *ax);
int vexfs_ann_insert_prepare(handle_t *handle, struct vexfs_ann *ax, u64 id, u32 comp,
			     const void *data, u32 len, float *f32, u64 *ref);
void vexfs_ann_insert_cancel(struct vexfs_ann *ax);
int vexfs_ann_insert_commit(handle_t *handle, struct vexfs_ann *ax, u64 vid);
int vexfs_ann_kill(handle_t *handle, struct vexfs_ann *ax, u32 slot, u64 vid);
int vexfs_ann_reclaim_credits(const struct vexfs_ann *ax);
int vexfs_ann_reclaim(handle_t *handle, struct vexfs_ann *ax);
bool vexfs_ann_serves(const struct vexfs_ann *ax, u32 dims, u32 metric, const u8 *model);
int vexfs_ann_candidates(struct vexfs_ann *ax, const float *q, u32 ef, u32 kk, u64 *ids);

/* shared with vector.c */
int vexfs_copy_arg(void *dst, size_t ksize, const void __user *uarg, u32 *usize);
int vexfs_copy_arg_min(void *dst, size_t ksize, size_t min, const void __user *uarg, u32 *usize);
int vexfs_vrec_io(handle_t *handle, struct super_block *sb, u64 chunk, u32 off,
		  void *buf, u32 len, bool write, bool fresh);

#endif /* _VEXFS_VECTOR_H */
