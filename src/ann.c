// SPDX-License-Identifier: GPL-2.0
/*
 * ann.c - the graph ANN index of vexfs.ko: its nodes in the journaled
 * blocks of inode VEXFS_ANN_INO, read through the buffer cache, and the
 * shared graph logic (core/vgraph.c) over them. Documentation/ann-index.rst
 * describes the design, vexfs_fs.h the on-disk form.
 *
 * Locking. vs->ann_lock (rw_semaphore) keeps vs->ann in place: ATTACH,
 * DETACH, eviction and SEARCH hold it shared, INDEX create and drop
 * exclusive while they install or remove the index; it is taken before a
 * journal handle. ax->sem orders node and descriptor contents: searches
 * read under it shared, an insert or a deletion (under vs->lock, in the
 * handle of the vector operation) holds it exclusive from its plan to its
 * commit. A node block is verified once (VEXFS_BH_ANN) and kept valid by
 * every writer.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/buffer_head.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "vector.h"
#include "core/vann.h"
#include "core/vgraph.h"
#include "vexfs/vexfs_ioctl.h"
#include "ann.h"

/* codes compared per FPU section (at most 4096 bytes each) */
#define VEXFS_ANN_FPU_CODES	64
/* node blocks kept referenced (ax->bcache) */
#define VEXFS_ANN_BCACHE	16384
/* slots one step of the reclaim sweep visits (and node blocks it may write) */
#define VEXFS_ANN_SWEEP_SLOTS	8


/* ---- nodes ------------------------------------------------------------------ */

static u32 vexfs_ann_nslots(const struct vexfs_ann *ax)
{
	return le32_to_cpu(ax->d->ad_nslots);
}

/* Verify every slot of node block @blk (logical) once. */
static int vexfs_ann_verify(struct vexfs_ann *ax, struct buffer_head *bh, u64 blk)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(ax->sb);
	u32 i, nslots = vexfs_ann_nslots(ax);
	const char *why = "";

	if (vexfs_bh_verified(bh, VEXFS_BH_ANN))
		return 0;
	for (i = 0; i < ax->npb; i++) {
		u32 slot = (u32)(blk - 1) * ax->npb + i;

		if (vexfs_ann_node_validate(bh->b_data + i * ax->node_size, ax->node_size, ax->dims,
					    slot, ax->r, nslots, sbi->s_csum_seed, ax->gen, &why))
			return vexfs_corrupt(ax->sb, "ANN index node %u (block %llu): %s", slot,
					     (unsigned long long)bh->b_blocknr, why);
	}
	vexfs_bh_set_verified(bh, VEXFS_BH_ANN);
	return 0;
}

/* The buffer holding node @slot (verified); *node points at it. */
static struct buffer_head *vexfs_ann_node_bh(struct vexfs_ann *ax, u32 slot, void **node)
{
	u64 blk = 1 + slot / ax->npb;
	struct buffer_head *bh;
	int err;

	if (slot >= vexfs_ann_nslots(ax)) {
		vexfs_corrupt(ax->sb, "ANN index: slot %u past the last one", slot);
		return ERR_PTR(-EUCLEAN);
	}
	if (blk < VEXFS_ANN_BCACHE) {
		bh = READ_ONCE(ax->bcache[blk]);
		if (bh) {
			get_bh(bh);
			*node = bh->b_data + (slot % ax->npb) * ax->node_size;
			return bh;
		}
	}
	bh = vexfs_bread(NULL, ax->inode, blk, false);
	if (IS_ERR(bh))
		return bh;
	if (!bh) {
		vexfs_corrupt(ax->sb, "ANN index: no block for slot %u", slot);
		return ERR_PTR(-EUCLEAN);
	}
	err = vexfs_ann_verify(ax, bh, blk);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	if (blk < VEXFS_ANN_BCACHE) {
		get_bh(bh);
		if (cmpxchg(&ax->bcache[blk], NULL, bh))
			put_bh(bh);	/* another reader's is there */
	}
	*node = bh->b_data + (slot % ax->npb) * ax->node_size;
	return bh;
}

static int vexfs_ann_op_dist(void *ctx, const u8 *q, const u32 *slots, u32 n, u32 *out,
			     u8 *deleted)
{
	struct vexfs_ann_walk *w = ctx;
	struct vexfs_ann *ax = w->ax;
	u32 i, j, got = 0;
	int err = 0;

	if (WARN_ON_ONCE(n > w->nmax))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		void *node;

		w->bhs[i] = NULL;
		if (slots[i] == ax->pslot) {
			w->ptrs[i] = ax->pcode;
			deleted[i] = 0;
			continue;
		}
		w->bhs[i] = vexfs_ann_node_bh(ax, slots[i], &node);
		if (IS_ERR(w->bhs[i])) {
			err = PTR_ERR(w->bhs[i]);
			w->bhs[i] = NULL;
			break;
		}
		got = i + 1;
		w->ptrs[i] = vexfs_ann_code(node, ax->r);
		deleted[i] = ((struct vexfs_ann_node *)node)->an_state != VEXFS_ANN_NODE_LIVE;
	}
	for (i = 0; !err && i < n; i += VEXFS_ANN_FPU_CODES) {
		kernel_fpu_begin();
		vq_dist_u8(w->kind, q, w->ptrs + i, ax->dims,
			   min_t(u32, n - i, VEXFS_ANN_FPU_CODES), out + i);
		kernel_fpu_end();
	}
	for (j = 0; j < got; j++)
		brelse(w->bhs[j]);
	return err;
}

static int vexfs_ann_op_nbrs(void *ctx, u32 slot, u32 *out)
{
	struct vexfs_ann_walk *w = ctx;
	struct vexfs_ann *ax = w->ax;
	struct buffer_head *bh;
	const __le32 *nb;
	void *node;
	u32 i, n;

	if (slot == ax->pslot)
		return 0;
	bh = vexfs_ann_node_bh(ax, slot, &node);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	n = ((struct vexfs_ann_node *)node)->an_count;
	nb = vexfs_ann_nbrs(node);
	for (i = 0; i < n; i++)
		out[i] = le32_to_cpu(nb[i]);
	brelse(bh);
	return n;
}

static int vexfs_ann_op_code(void *ctx, u32 slot, u8 *out)
{
	struct vexfs_ann_walk *w = ctx;
	struct vexfs_ann *ax = w->ax;
	struct buffer_head *bh;
	void *node;

	if (slot == ax->pslot) {
		memcpy(out, ax->pcode, ax->dims);
		return 0;
	}
	bh = vexfs_ann_node_bh(ax, slot, &node);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	memcpy(out, vexfs_ann_code(node, ax->r), ax->dims);
	brelse(bh);
	return 0;
}

static const struct vgraph_ops vexfs_ann_ops = {
	.dist = vexfs_ann_op_dist,
	.nbrs = vexfs_ann_op_nbrs,
	.code = vexfs_ann_op_code,
};

/* The graph as the descriptor has it now (caller holds ax->sem). */
static void vexfs_ann_graph(struct vexfs_ann *ax, struct vexfs_ann_walk *w, struct vgraph *g,
			    u32 *seeds)
{
	u32 i;

	g->ops = &vexfs_ann_ops;
	g->ctx = w;
	g->dims = ax->dims;
	g->r = ax->r;
	g->alpha = ax->alpha;
	g->entry = le32_to_cpu(ax->d->ad_entry);
	g->nseeds = le32_to_cpu(ax->d->ad_nseeds);
	for (i = 0; i < g->nseeds; i++)
		seeds[i] = le32_to_cpu(ax->d->ad_seeds[i]);
	g->seeds = seeds;
}

/* Largest number of nodes one dist() call gets (vgraph.c). */
static u32 vexfs_ann_walk_max(u32 r, u32 ef)
{
	return max(ef, r * r + r) + VGRAPH_MAX_SEEDS + 1;
}

static void vexfs_ann_walk_free(struct vexfs_ann_walk *w)
{
	kvfree(w->ptrs);
	kvfree(w->bhs);
	w->ptrs = NULL;
	w->bhs = NULL;
}

/* a walk by code distance @kind (VQ_U8_*) with lists up to ef */
static int vexfs_ann_walk_init(struct vexfs_ann_walk *w, struct vexfs_ann *ax, u32 ef, u32 kind)
{
	w->ax = ax;
	w->kind = kind;
	w->nmax = vexfs_ann_walk_max(ax->r, ef);
	w->ptrs = kvmalloc_array(w->nmax, sizeof(*w->ptrs), GFP_KERNEL_ACCOUNT);
	w->bhs = kvmalloc_array(w->nmax, sizeof(*w->bhs), GFP_KERNEL_ACCOUNT);
	if (!w->ptrs || !w->bhs) {
		vexfs_ann_walk_free(w);
		return -ENOMEM;
	}
	return 0;
}

/* ---- the descriptor ---------------------------------------------------------- */

void vexfs_ann_desc_dirty_prep(struct vexfs_ann *ax)
{
	lock_buffer(ax->dbh);
}

int vexfs_ann_desc_dirty(handle_t *handle, struct vexfs_ann *ax)
{
	vexfs_ann_desc_seal(ax->d, VEXFS_SB(ax->sb)->s_csum_seed);
	unlock_buffer(ax->dbh);
	return vexfs_journal_dirty(handle, ax->sb, ax->dbh);
}

/* ---- load, free --------------------------------------------------------------- */

void vexfs_ann_free(struct vexfs_ann *ax)
{
	u32 i;

	if (!ax)
		return;
	for (i = 0; ax->bcache && i < VEXFS_ANN_BCACHE; i++)
		brelse(ax->bcache[i]);
	kvfree(ax->bcache);
	kvfree(ax->ssmem);
	vexfs_ann_walk_free(&ax->sw);
	vexfs_ann_walk_free(&ax->pw);
	kvfree(ax->sqc);
	brelse(ax->dbh);
	iput(ax->inode);
	kvfree(ax->smem);
	kvfree(ax->pmem);
	kvfree(ax->pcode);
	kvfree(ax->wbh);
	kvfree(ax->wlblk);
	kfree(ax);
}

/* Set up the in-memory index over inode @inode whose block 0 is @dbh (taken). */
int vexfs_ann_setup(struct super_block *sb, struct inode *inode, struct buffer_head *dbh,
			   struct vexfs_ann **out)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_ann_desc *d = (void *)dbh->b_data;
	u32 gen = le32_to_cpu(sbi->s_es->s_ann_gen), nslots, npb;
	const char *why = "";
	struct vexfs_ann *ax;
	u64 need;

	if (vexfs_ann_desc_validate(d, sbi->s_csum_seed, sb->s_blocksize, gen, &why)) {
		brelse(dbh);
		return vexfs_corrupt(sb, "ANN index descriptor: %s", why);
	}
	nslots = le32_to_cpu(d->ad_nslots);
	npb = vexfs_ann_per_block(sb->s_blocksize, le16_to_cpu(d->ad_node_size));
	need = (1 + DIV_ROUND_UP((u64)nslots, npb)) << sb->s_blocksize_bits;
	if (i_size_read(inode) < need) {
		brelse(dbh);
		return vexfs_corrupt(sb, "ANN index: %u nodes need %llu bytes, the inode has %lld",
				     nslots, need, i_size_read(inode));
	}
	ax = kzalloc(sizeof(*ax), GFP_KERNEL);
	if (!ax) {
		brelse(dbh);
		return -ENOMEM;
	}
	ax->sb = sb;
	ax->inode = inode;
	ax->dbh = dbh;
	ax->d = d;
	init_rwsem(&ax->sem);
	ax->gen = gen;
	ax->dims = le32_to_cpu(d->ad_dims);
	ax->r = le16_to_cpu(d->ad_r);
	ax->alpha = le16_to_cpu(d->ad_alpha);
	ax->metric = le16_to_cpu(d->ad_metric);
	ax->kind = ax->metric == VEXFS_ANN_METRIC_IP ? VQ_U8_IP : VQ_U8_L2;
	ax->ef_c = le16_to_cpu(d->ad_ef_construction);
	ax->node_size = le16_to_cpu(d->ad_node_size);
	ax->npb = npb;
	ax->lo = le32_to_cpu(d->ad_lo);
	ax->step = le32_to_cpu(d->ad_step);
	memcpy(ax->model, d->ad_model, sizeof(ax->model));
	ax->pslot = VGRAPH_NONE;
	ax->smem = kvmalloc(vgraph_scratch_size(ax->r, ax->ef_c, ax->dims), GFP_KERNEL);
	ax->pmem = kvmalloc(vgraph_plan_size(ax->r), GFP_KERNEL);
	ax->pcode = kvmalloc(ax->dims, GFP_KERNEL);
	ax->wbh = kvmalloc_array(ax->r + 2, sizeof(*ax->wbh), GFP_KERNEL);
	ax->wlblk = kvmalloc_array(ax->r + 2, sizeof(*ax->wlblk), GFP_KERNEL);
	ax->bcache = kvcalloc(VEXFS_ANN_BCACHE, sizeof(*ax->bcache), GFP_KERNEL);
	ax->sqc = kvmalloc(ax->dims, GFP_KERNEL);
	mutex_init(&ax->smutex);
	ax->sw.ax = ax;
	/* ptrs / bhs of a plan or a repair: at most ef_c, or r * r + r nodes */
	if (!ax->smem || !ax->pmem || !ax->pcode || !ax->wbh || !ax->wlblk || !ax->bcache ||
	    !ax->sqc || vexfs_ann_walk_init(&ax->pw, ax, ax->ef_c, VQ_U8_L2)) {
		ax->inode = NULL;	/* the caller's */
		vexfs_ann_free(ax);
		return -ENOMEM;
	}
	vgraph_scratch_init(&ax->s, ax->smem, ax->r, ax->ef_c, ax->dims);
	vgraph_plan_init(&ax->p, ax->pmem, ax->r);
	*out = ax;
	return 0;
}

int vexfs_ann_load(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	struct buffer_head *dbh;
	struct inode *inode;
	int err;

	init_rwsem(&vs->ann_lock);
	if (!(le64_to_cpu(sbi->s_es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_ANN))
		return 0;
	inode = vexfs_iget_internal(sb, VEXFS_ANN_INO);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	if (!S_ISREG(inode->i_mode) || inode->i_nlink != 1) {
		iput(inode);
		return vexfs_corrupt(sb, "ANN index inode is not a regular file");
	}
	if (!i_size_read(inode)) {
		/* no index (dropped): a drop cut short leaves blocks to free */
		if (inode->i_blocks && !sb_rdonly(sb)) {
			err = vexfs_truncate_blocks(inode, 0);
			if (err)
				vexfs_msg(sb, "cannot free the blocks of a dropped ANN index: %d", err);
		}
		iput(inode);
		return 0;
	}
	dbh = vexfs_bread(NULL, inode, 0, false);
	if (IS_ERR_OR_NULL(dbh)) {
		iput(inode);
		return dbh ? PTR_ERR(dbh) : vexfs_corrupt(sb, "ANN index: no descriptor block");
	}
	err = vexfs_ann_setup(sb, inode, dbh, &vs->ann);
	if (err)
		iput(inode);
	return err;
}

void vexfs_ann_unload(struct super_block *sb)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;

	vexfs_ann_free(vs->ann);
	vs->ann = NULL;
}

/* ---- which vectors are indexed, and their codes ---------------------------------- */

/* Whether vectors of (@dtype, @dims, @model) belong to the index's collection. */
bool vexfs_ann_wants(const struct vexfs_ann *ax, u32 dtype, u32 dims, const u8 *model)
{
	return ax && dtype == VEXFS_DT_F32 && dims == ax->dims &&
	       (!memchr_inv(ax->model, 0, sizeof(ax->model)) ||
		!memcmp(model, ax->model, sizeof(ax->model)));
}

/* The byte code of float32 vector @x (dims floats) in @ax's quantizer, into @out */
static void vexfs_ann_encode(struct vexfs_ann *ax, const float *x, u8 *out)
{
	kernel_fpu_begin();
	if (ax->metric == VEXFS_ANN_METRIC_COS)
		vq_u8_encode_unit(x, ax->dims, ax->lo, ax->step, out);
	else
		vq_u8_encode(x, ax->dims, ax->lo, ax->step, out);
	kernel_fpu_end();
}

/*
 * The code of a float32 vector of the collection, stored as @len bytes at
 * @data under compression @comp, into ax->pcode (the pending insert's);
 * @f32 holds dims floats for the decompressed vector (unused for COMP_NONE).
 */
static int vexfs_ann_code_of(struct vexfs_ann *ax, u64 id, u32 comp, const void *data,
			     u32 len, float *f32)
{
	const float *x = data;
	int err;

	if (comp != VEXFS_COMP_NONE) {
		err = vexfs_vec_decompress(ax->sb, id, VEXFS_DT_F32, comp, ax->dims, data, len, f32);
		if (err)
			return err;
		x = f32;
	}
	vexfs_ann_encode(ax, x, ax->pcode);
	return 0;
}

/* vm_ann of the record at (@chunk, @off): the slot it names in @ax, or none */
int vexfs_ann_slot_of(struct vexfs_ann *ax, u64 chunk, u32 off, u32 *slot)
{
	__le64 ref;
	int err;

	*slot = VEXFS_ANN_NO_SLOT;
	if (!ax)
		return 0;
	err = vexfs_vrec_io(NULL, ax->sb, chunk,
			    off + sizeof(struct vexfs_vec_header) + offsetof(struct vexfs_vec_meta, vm_ann),
			    &ref, sizeof(ref), false, false);
	if (!err)
		*slot = vexfs_ann_ref_slot(le64_to_cpu(ref), ax->gen);
	return err;
}

/* ---- insert and delete (in the vector operation's handle) ------------------------- */

int vexfs_ann_credits(const struct vexfs_ann *ax)
{
	/* the plan's node blocks (r + 1), the new node's, its mapping, the descriptor */
	return ax ? ax->r + 3 + VEXFS_CREDITS_BLOCK + VEXFS_CREDITS_INODE +
		    vexfs_ann_reclaim_credits(ax) : 0;
}

/* what one vexfs_ann_reclaim() step writes: node blocks and the descriptor */
int vexfs_ann_reclaim_credits(const struct vexfs_ann *ax)
{
	return ax ? VEXFS_ANN_SWEEP_SLOTS + 1 : 0;
}

static void vexfs_ann_release(struct vexfs_ann *ax)
{
	u32 i;

	for (i = 0; i < ax->nwbh; i++)
		brelse(ax->wbh[i]);
	ax->nwbh = 0;
	ax->pslot = VGRAPH_NONE;
}

/*
 * Get write access to the block of @slot, once per block; with @create, map
 * it if it is a hole (the inode's size then covers it: a zero block holds
 * only unused slots, which is valid).
 */
static int vexfs_ann_want_block(handle_t *handle, struct vexfs_ann *ax, u32 slot, bool create)
{
	u64 blk = 1 + slot / ax->npb;
	loff_t end = (loff_t)(blk + 1) << ax->sb->s_blocksize_bits;
	struct buffer_head *bh;
	u32 i;
	int err;

	bh = vexfs_bread(handle, ax->inode, blk, create);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	if (!bh)
		return vexfs_corrupt(ax->sb, "ANN index: no block for slot %u", slot);
	for (i = 0; i < ax->nwbh; i++) {
		if (ax->wbh[i] == bh) {
			brelse(bh);
			return 0;
		}
	}
	err = vexfs_ann_verify(ax, bh, blk);
	if (!err)
		err = vexfs_journal_get_write_access(handle, ax->sb, bh);
	if (!err && i_size_read(ax->inode) < end) {
		i_size_write(ax->inode, end);
		err = vexfs_mark_inode_dirty(handle, ax->inode);
	}
	if (err) {
		brelse(bh);
		return err;
	}
	ax->wlblk[ax->nwbh] = blk;
	ax->wbh[ax->nwbh++] = bh;
	return 0;
}

/* the node of @slot in a block taken by vexfs_ann_want_block */
static void *vexfs_ann_wnode(struct vexfs_ann *ax, u32 slot)
{
	u64 blk = 1 + slot / ax->npb;
	u32 i;

	for (i = 0; i < ax->nwbh; i++) {
		struct buffer_head *bh = ax->wbh[i];

		if (ax->wlblk[i] == blk)
			return bh->b_data + (slot % ax->npb) * ax->node_size;
	}
	return NULL;
}

/*
 * Code vector @id (stored as vexfs_ann_code_of() says), plan inserting it as
 * a new node, and take write access to every block the insert changes: the
 * first half of an all-or-nothing insert. Nothing is changed but, at most, a
 * new zero block mapped at the end of the index. On success ax->sem is held
 * exclusive and *ref is the vm_ann naming the new node, until
 * vexfs_ann_insert_commit() or _cancel(). Caller holds vs->lock.
 */
int vexfs_ann_insert_prepare(handle_t *handle, struct vexfs_ann *ax, u64 id, u32 comp,
			     const void *data, u32 len, float *f32, u64 *ref)
{
	u32 seeds[VGRAPH_MAX_SEEDS], i, slot;
	struct vgraph g;
	int err;

	err = vexfs_ann_code_of(ax, id, comp, data, len, f32);
	if (err)
		return err;
	down_write(&ax->sem);
	/* a free slot first, else a new one at the end */
	slot = le32_to_cpu(ax->d->ad_free);
	ax->preuse = slot != VGRAPH_NONE;
	if (ax->preuse) {
		struct vexfs_ann_node *n;
		struct buffer_head *bh;

		if (!le32_to_cpu(ax->d->ad_nfree)) {
			err = vexfs_corrupt(ax->sb, "ANN index: the free list is longer than it counts");
			goto fail;
		}
		bh = vexfs_ann_node_bh(ax, slot, (void **)&n);
		if (IS_ERR(bh)) {
			err = PTR_ERR(bh);
			goto fail;
		}
		if (n->an_state == VEXFS_ANN_NODE_FREE)
			ax->pnext = (u32)le64_to_cpu(n->an_vid);	/* validated */
		else
			err = vexfs_corrupt(ax->sb, "ANN index: free list names node %u, not free",
					    slot);
		brelse(bh);
		if (err)
			goto fail;
	} else {
		slot = vexfs_ann_nslots(ax);
		if (slot >= VEXFS_ANN_MAX_SLOTS) {
			err = -ENOSPC;
			goto fail;
		}
	}
	ax->pslot = slot;
	vexfs_ann_graph(ax, &ax->pw, &g, seeds);
	err = vgraph_insert_plan(&g, &ax->s, slot, ax->pcode, ax->ef_c, &ax->p);
	if (err)
		goto fail;
	err = vexfs_ann_want_block(handle, ax, slot, !ax->preuse);
	for (i = 0; !err && i < ax->p.nupd; i++)
		err = vexfs_ann_want_block(handle, ax, ax->p.upd_slot[i], false);
	if (!err)
		err = vexfs_journal_get_write_access(handle, ax->sb, ax->dbh);
	if (err)
		goto fail;
	*ref = vexfs_ann_ref(ax->gen, slot);
	return 0;
fail:
	vexfs_ann_release(ax);
	up_write(&ax->sem);
	return err;
}

void vexfs_ann_insert_cancel(struct vexfs_ann *ax)
{
	vexfs_ann_release(ax);
	up_write(&ax->sem);
}

static void vexfs_ann_set_list(void *node, const u32 *nbr, u32 n, u32 r)
{
	__le32 *nb = vexfs_ann_nbrs(node);
	u32 i;

	for (i = 0; i < r; i++)
		nb[i] = cpu_to_le32(i < n ? nbr[i] : 0);
	((struct vexfs_ann_node *)node)->an_count = n;
}

/* Write the prepared insert as node of vector @vid. */
int vexfs_ann_insert_commit(handle_t *handle, struct vexfs_ann *ax, u64 vid)
{
	u32 seed_csum = VEXFS_SB(ax->sb)->s_csum_seed, slot = ax->pslot, i, pick, nseeds;
	struct vexfs_ann_node *n;
	struct vexfs_ann_desc *d = ax->d;
	int err = 0, err2;

	for (i = 0; i < ax->nwbh; i++)
		lock_buffer(ax->wbh[i]);
	n = vexfs_ann_wnode(ax, slot);
	memset(n, 0, ax->node_size);
	n->an_vid = cpu_to_le64(vid);
	n->an_state = VEXFS_ANN_NODE_LIVE;
	vexfs_ann_set_list(n, ax->p.nbr, ax->p.n, ax->r);
	memcpy(vexfs_ann_code(n, ax->r), ax->pcode, ax->dims);
	vexfs_ann_node_seal(n, ax->node_size, seed_csum, ax->gen);
	for (i = 0; i < ax->p.nupd; i++) {
		void *u = vexfs_ann_wnode(ax, ax->p.upd_slot[i]);

		vexfs_ann_set_list(u, ax->p.upd + (size_t)i * ax->r, ax->p.upd_n[i], ax->r);
		vexfs_ann_node_seal(u, ax->node_size, seed_csum, ax->gen);
	}
	for (i = 0; i < ax->nwbh; i++) {
		unlock_buffer(ax->wbh[i]);
		err2 = vexfs_journal_dirty(handle, ax->sb, ax->wbh[i]);
		err = err ? err : err2;
	}

	vexfs_ann_desc_dirty_prep(ax);
	if (ax->preuse) {
		d->ad_free = cpu_to_le32(ax->pnext);
		le32_add_cpu(&d->ad_nfree, -1);
	} else {
		le32_add_cpu(&d->ad_nslots, 1);
	}
	le32_add_cpu(&d->ad_nlive, 1);
	le64_add_cpu(&d->ad_inserted, 1);
	if (le32_to_cpu(d->ad_entry) == VGRAPH_NONE)
		d->ad_entry = cpu_to_le32(slot);
	nseeds = le32_to_cpu(d->ad_nseeds);
	pick = vgraph_seed_pick(le64_to_cpu(d->ad_inserted), &nseeds);
	d->ad_nseeds = cpu_to_le32(nseeds);
	if (pick != VGRAPH_NONE)
		d->ad_seeds[pick] = cpu_to_le32(slot);
	err2 = vexfs_ann_desc_dirty(handle, ax);
	err = err ? err : err2;
	/* the blocks written hold valid nodes (the verdict stays) */
	vexfs_ann_release(ax);
	up_write(&ax->sem);
	return err;
}

/*
 * Vector @vid, node @slot, is gone: its node becomes a tombstone (walked,
 * never returned). Caller holds vs->lock, in the handle that removes it.
 */
int vexfs_ann_kill(handle_t *handle, struct vexfs_ann *ax, u32 slot, u64 vid)
{
	struct buffer_head *bh;
	struct vexfs_ann_node *n;
	int err, err2;

	down_write(&ax->sem);
	bh = vexfs_ann_node_bh(ax, slot, (void **)&n);
	if (IS_ERR(bh)) {
		up_write(&ax->sem);
		return PTR_ERR(bh);
	}
	if (le64_to_cpu(n->an_vid) != vid || n->an_state != VEXFS_ANN_NODE_LIVE ||
	    !le32_to_cpu(ax->d->ad_nlive)) {
		err = vexfs_corrupt(ax->sb, "ANN index node %u is not the live node of vector %llu",
				    slot, vid);
		goto out;
	}
	err = vexfs_journal_get_write_access(handle, ax->sb, bh);
	if (!err)
		err = vexfs_journal_get_write_access(handle, ax->sb, ax->dbh);
	if (err)
		goto out;
	lock_buffer(bh);
	n->an_state = VEXFS_ANN_NODE_DEAD;
	n->an_died = cpu_to_le16((u16)le32_to_cpu(ax->d->ad_pass));
	vexfs_ann_node_seal(n, ax->node_size, VEXFS_SB(ax->sb)->s_csum_seed, ax->gen);
	unlock_buffer(bh);
	err = vexfs_journal_dirty(handle, ax->sb, bh);
	vexfs_ann_desc_dirty_prep(ax);
	le32_add_cpu(&ax->d->ad_nlive, -1);
	err2 = vexfs_ann_desc_dirty(handle, ax);
	err = err ? err : err2;
out:
	brelse(bh);
	up_write(&ax->sem);
	return err;
}

/* ---- reclaim: the sweep that repairs lists and frees dead nodes ------------------ */

/* the descriptor fields a sweep step changes, written once at its end */
struct vexfs_ann_sweep {
	u32 pass, head, nfree, entry, nseeds;
	u32 notlive;			/* slots - live nodes: nfree stays below */
	bool entry_live;
	u32 seeds[VEXFS_ANN_MAX_SEEDS];
};

/* Visit @slot: repair a live node's list, or free a dead node old enough. */
static int vexfs_ann_sweep_one(handle_t *handle, struct vexfs_ann *ax, struct vgraph *g,
			       struct vexfs_ann_sweep *sw, u32 slot)
{
	u32 seed_csum = VEXFS_SB(ax->sb)->s_csum_seed, i;
	struct vexfs_ann_node *n;
	struct buffer_head *bh;
	u16 died;
	u8 state;
	int err;

	bh = vexfs_ann_node_bh(ax, slot, (void **)&n);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	state = n->an_state;
	died = le16_to_cpu(n->an_died);
	brelse(bh);
	if (state == VEXFS_ANN_NODE_LIVE) {
		if (!sw->entry_live) {
			/* a dead entry is walked through, never freed: move it */
			sw->entry = slot;
			sw->entry_live = true;
		}
		err = vgraph_repair_plan(g, &ax->s, slot, &ax->p);
		if (err || ax->p.n == VGRAPH_NONE)
			return err;
		err = vexfs_ann_want_block(handle, ax, slot, false);
		if (err)
			return err;
		n = vexfs_ann_wnode(ax, slot);
		lock_buffer(ax->wbh[0]);
		vexfs_ann_set_list(n, ax->p.nbr, ax->p.n, ax->r);
	} else if (state == VEXFS_ANN_NODE_DEAD && slot != sw->entry &&
		   (u16)(sw->pass - died) >= 2) {
		/* a whole sweep since its death repaired every live list naming it */
		if (sw->nfree >= sw->notlive)
			return vexfs_corrupt(ax->sb, "ANN index: more dead nodes than it counts");
		err = vexfs_ann_want_block(handle, ax, slot, false);
		if (err)
			return err;
		n = vexfs_ann_wnode(ax, slot);
		lock_buffer(ax->wbh[0]);
		memset(n, 0, ax->node_size);
		n->an_state = VEXFS_ANN_NODE_FREE;
		n->an_vid = cpu_to_le64(sw->head);
		sw->head = slot;
		sw->nfree++;
		for (i = 0; i < sw->nseeds; i++) {
			if (sw->seeds[i] != slot)
				continue;
			/* the inserts' reservoir fills the seeds again */
			sw->seeds[i--] = sw->seeds[--sw->nseeds];
			sw->seeds[sw->nseeds] = 0;
		}
	} else {
		return 0;
	}
	vexfs_ann_node_seal(n, ax->node_size, seed_csum, ax->gen);
	unlock_buffer(ax->wbh[0]);
	err = vexfs_journal_dirty(handle, ax->sb, ax->wbh[0]);
	vexfs_ann_release(ax);
	return err;
}

/*
 * One step of the reclaim sweep (vexfs_fs.h), in the handle of an
 * operation that changed the index, with vexfs_ann_reclaim_credits() for it:
 * the next VEXFS_ANN_SWEEP_SLOTS slots, while dead nodes exist. A node that
 * cannot be read ends the step (reported) and the operation stands; the
 * error returned is the journal's, when it refuses the step's changes (and
 * so the operation's). Caller holds vs->ann_lock shared and vs->lock.
 */
int vexfs_ann_reclaim(handle_t *handle, struct vexfs_ann *ax)
{
	struct vexfs_ann_desc *d;
	struct vexfs_ann_sweep sw;
	u32 seeds[VGRAPH_MAX_SEEDS], nslots, slot, i;
	struct vgraph g;
	int err;

	if (!ax)
		return 0;
	d = ax->d;
	/* the counts change under vs->lock only, which the caller holds */
	nslots = vexfs_ann_nslots(ax);
	if (nslots == le32_to_cpu(d->ad_nlive) + le32_to_cpu(d->ad_nfree))
		return 0;	/* no dead node */
	down_write(&ax->sem);
	err = vexfs_journal_get_write_access(handle, ax->sb, ax->dbh);
	if (err)
		goto out;
	sw.pass = le32_to_cpu(d->ad_pass);
	sw.head = le32_to_cpu(d->ad_free);
	sw.nfree = le32_to_cpu(d->ad_nfree);
	sw.notlive = nslots - le32_to_cpu(d->ad_nlive);
	sw.entry = le32_to_cpu(d->ad_entry);
	sw.nseeds = le32_to_cpu(d->ad_nseeds);
	for (i = 0; i < VEXFS_ANN_MAX_SEEDS; i++)
		sw.seeds[i] = le32_to_cpu(d->ad_seeds[i]);
	sw.entry_live = true;
	if (sw.entry != VGRAPH_NONE) {
		struct vexfs_ann_node *n;
		struct buffer_head *bh = vexfs_ann_node_bh(ax, sw.entry, (void **)&n);

		if (IS_ERR(bh))
			goto out;	/* reported */
		sw.entry_live = n->an_state == VEXFS_ANN_NODE_LIVE;
		brelse(bh);
	}
	vexfs_ann_graph(ax, &ax->pw, &g, seeds);
	slot = le32_to_cpu(d->ad_sweep);
	for (i = 0; i < VEXFS_ANN_SWEEP_SLOTS; i++) {
		if (vexfs_ann_sweep_one(handle, ax, &g, &sw, slot))
			break;	/* reported; what the step did stays */
		if (++slot >= nslots) {
			slot = 0;
			sw.pass++;
		}
	}
	vexfs_ann_desc_dirty_prep(ax);
	d->ad_sweep = cpu_to_le32(slot);
	d->ad_pass = cpu_to_le32(sw.pass);
	d->ad_free = cpu_to_le32(sw.head);
	d->ad_nfree = cpu_to_le32(sw.nfree);
	d->ad_entry = cpu_to_le32(sw.entry);
	d->ad_nseeds = cpu_to_le32(sw.nseeds);
	for (i = 0; i < VEXFS_ANN_MAX_SEEDS; i++)
		d->ad_seeds[i] = cpu_to_le32(sw.seeds[i]);
	err = vexfs_ann_desc_dirty(handle, ax);
out:
	up_write(&ax->sem);
	return err;
}

/* ---- search ------------------------------------------------------------------- */

/*
 * Whether the index answers a search of float32 queries of @dims with model
 * filter @model (all zero: any) by @metric (VEXFS_SEARCH_METRIC_*): its
 * collection is exactly the vectors such a search compares, its graph is
 * that metric's, and it is built.
 */
bool vexfs_ann_serves(const struct vexfs_ann *ax, u32 dims, u32 metric, const u8 *model)
{
	return ax && ax->dims == dims && ax->metric == metric &&
	       !memcmp(ax->model, model, sizeof(ax->model)) &&
	       le32_to_cpu(READ_ONCE(ax->d->ad_state)) == VEXFS_ANN_READY;
}

/* Size the kept search scratch for @ef (caller holds ax->smutex): 0 or -ENOMEM. */
static int vexfs_ann_kept_scratch(struct vexfs_ann *ax, u32 ef)
{
	if (ax->sef >= ef)
		return 0;
	kvfree(ax->ssmem);
	vexfs_ann_walk_free(&ax->sw);
	ax->sef = 0;
	ax->ssmem = kvmalloc(vgraph_scratch_size(ax->r, ef, ax->dims), GFP_KERNEL);
	if (!ax->ssmem || vexfs_ann_walk_init(&ax->sw, ax, ef, ax->kind)) {
		kvfree(ax->ssmem);
		ax->ssmem = NULL;
		return -ENOMEM;
	}
	vgraph_scratch_init(&ax->ss, ax->ssmem, ax->r, ef, ax->dims);
	ax->sef = ef;
	return 0;
}

/*
 * The ids of up to @kk vectors nearest by code to float32 query @q, the
 * graph searched with @ef (kk <= ef), into @ids: their count or -errno.
 * Caller holds vs->ann_lock shared.
 */
int vexfs_ann_candidates(struct vexfs_ann *ax, const float *q, u32 ef, u32 kk, u64 *ids)
{
	struct vexfs_ann_walk w = { .ax = ax }, *wp = &w;
	u32 seeds[VGRAPH_MAX_SEEDS], i;
	struct vgraph_scratch s, *sp = &s;
	bool kept = mutex_trylock(&ax->smutex);
	void *smem = NULL;
	struct vgraph g;
	u8 *qc = NULL;
	int n;

	if (kept && !vexfs_ann_kept_scratch(ax, ef)) {
		wp = &ax->sw;
		sp = &ax->ss;
		qc = ax->sqc;
	} else {
		if (kept)
			mutex_unlock(&ax->smutex);
		kept = false;
		n = vexfs_ann_walk_init(&w, ax, ef, ax->kind);
		if (n)
			return n;
		smem = kvmalloc(vgraph_scratch_size(ax->r, ef, ax->dims), GFP_KERNEL_ACCOUNT);
		qc = kmalloc(ax->dims, GFP_KERNEL_ACCOUNT);
		if (!smem || !qc) {
			n = -ENOMEM;
			goto out;
		}
		vgraph_scratch_init(&s, smem, ax->r, ef, ax->dims);
	}
	vexfs_ann_encode(ax, q, qc);
	down_read(&ax->sem);
	vexfs_ann_graph(ax, wp, &g, seeds);
	n = vgraph_search_k(&g, sp, qc, ef, kk);
	for (i = 0; n > 0 && i < (u32)n; i++) {
		struct buffer_head *bh;
		struct vexfs_ann_node *node;

		bh = vexfs_ann_node_bh(ax, vgraph_res_slot(sp, i), (void **)&node);
		if (IS_ERR(bh)) {
			n = PTR_ERR(bh);
			break;
		}
		ids[i] = le64_to_cpu(node->an_vid);
		brelse(bh);
	}
	up_read(&ax->sem);
out:
	if (kept) {
		mutex_unlock(&ax->smutex);
		return n;
	}
	kfree(qc);
	kvfree(smem);
	vexfs_ann_walk_free(&w);
	return n;
}
