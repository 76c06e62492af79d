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

/* codes compared per FPU section (at most 4096 bytes each) */
#define VEXFS_ANN_FPU_CODES	64

struct vexfs_ann {
	struct super_block *sb;
	struct inode *inode;		/* VEXFS_ANN_INO */
	struct rw_semaphore sem;	/* node and descriptor contents */
	struct buffer_head *dbh;	/* logical block 0, held */
	struct vexfs_ann_desc *d;	/* in dbh */
	/* fixed at creation, copied from the descriptor */
	u32 gen, dims, r, alpha, ef_c, node_size, npb, lo, step;
	u8 model[16];
	/* one insert at a time (under vs->lock): its scratch and plan */
	void *smem, *pmem;
	struct vgraph_scratch s;
	struct vgraph_plan p;
	u8 *pcode;			/* the pending node's code */
	u32 pslot;			/* its slot, VGRAPH_NONE when none */
	struct buffer_head **wbh;	/* blocks the plan writes (r + 2) */
	u64 *wlblk;			/* their logical block numbers */
	u32 nwbh;
};

/* one walk over the nodes (a search, or an insert's plan) */
struct vexfs_ann_walk {
	struct vexfs_ann *ax;
	const u8 **ptrs;		/* [nmax] */
	struct buffer_head **bhs;	/* [nmax] */
	u32 nmax;
};

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
		vq_l2sq_u8(q, w->ptrs + i, ax->dims, min_t(u32, n - i, VEXFS_ANN_FPU_CODES),
			   out + i);
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

static int vexfs_ann_walk_init(struct vexfs_ann_walk *w, struct vexfs_ann *ax, u32 ef)
{
	w->ax = ax;
	w->nmax = vexfs_ann_walk_max(ax->r, ef);
	w->ptrs = kvmalloc_array(w->nmax, sizeof(*w->ptrs), GFP_KERNEL_ACCOUNT);
	w->bhs = kvmalloc_array(w->nmax, sizeof(*w->bhs), GFP_KERNEL_ACCOUNT);
	if (!w->ptrs || !w->bhs) {
		kvfree(w->ptrs);
		kvfree(w->bhs);
		return -ENOMEM;
	}
	return 0;
}

static void vexfs_ann_walk_free(struct vexfs_ann_walk *w)
{
	kvfree(w->ptrs);
	kvfree(w->bhs);
}

/* ---- the descriptor ---------------------------------------------------------- */

static void vexfs_ann_desc_dirty_prep(struct vexfs_ann *ax)
{
	lock_buffer(ax->dbh);
}

static int vexfs_ann_desc_dirty(handle_t *handle, struct vexfs_ann *ax)
{
	vexfs_ann_desc_seal(ax->d, VEXFS_SB(ax->sb)->s_csum_seed);
	unlock_buffer(ax->dbh);
	return vexfs_journal_dirty(handle, ax->sb, ax->dbh);
}

/* ---- load, free --------------------------------------------------------------- */

static void vexfs_ann_free(struct vexfs_ann *ax)
{
	if (!ax)
		return;
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
static int vexfs_ann_setup(struct super_block *sb, struct inode *inode, struct buffer_head *dbh,
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
	if (!ax->smem || !ax->pmem || !ax->pcode || !ax->wbh || !ax->wlblk) {
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

/*
 * The code of a float32 vector of the collection, stored as @len bytes at
 * @data under compression @comp, into @code; @f32 holds dims floats for the
 * decompressed vector (unused for COMP_NONE).
 */
int vexfs_ann_code_of(struct vexfs_ann *ax, u64 id, u32 comp, const void *data, u32 len,
		      float *f32, u8 *code)
{
	const float *x = data;
	int err;

	if (comp != VEXFS_COMP_NONE) {
		err = vexfs_vec_decompress(ax->sb, id, VEXFS_DT_F32, comp, ax->dims, data, len, f32);
		if (err)
			return err;
		x = f32;
	}
	kernel_fpu_begin();
	vq_u8_encode(x, ax->dims, ax->lo, ax->step, code);
	kernel_fpu_end();
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
	return ax ? ax->r + 3 + VEXFS_CREDITS_BLOCK + VEXFS_CREDITS_INODE : 0;
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
 * Plan inserting the code in ax->pcode as a new node, and take write access
 * to every block the insert changes: the first half of an all-or-nothing
 * insert. Nothing is changed but, at most, a new zero block mapped at the
 * end of the index. On success ax->sem is held exclusive and *slot is the
 * new node's, until vexfs_ann_insert_commit() or _cancel(). Caller holds
 * vs->lock.
 */
int vexfs_ann_insert_prepare(handle_t *handle, struct vexfs_ann *ax, u32 *slot)
{
	struct vexfs_ann_walk w = { .ax = ax };
	u32 seeds[VGRAPH_MAX_SEEDS], i, nslots;
	struct vgraph g;
	int err;

	/* ptrs / bhs of a plan: at most ef_c, or r * r + r nodes */
	err = vexfs_ann_walk_init(&w, ax, ax->ef_c);
	if (err)
		return err;
	down_write(&ax->sem);
	nslots = vexfs_ann_nslots(ax);
	if (nslots >= VEXFS_ANN_MAX_SLOTS) {
		err = -ENOSPC;
		goto fail;
	}
	ax->pslot = nslots;
	vexfs_ann_graph(ax, &w, &g, seeds);
	err = vgraph_insert_plan(&g, &ax->s, nslots, ax->pcode, ax->ef_c, &ax->p);
	if (err)
		goto fail;
	err = vexfs_ann_want_block(handle, ax, nslots, true);
	for (i = 0; !err && i < ax->p.nupd; i++)
		err = vexfs_ann_want_block(handle, ax, ax->p.upd_slot[i], false);
	if (!err)
		err = vexfs_journal_get_write_access(handle, ax->sb, ax->dbh);
	if (err)
		goto fail;
	vexfs_ann_walk_free(&w);
	*slot = nslots;
	return 0;
fail:
	vexfs_ann_release(ax);
	up_write(&ax->sem);
	vexfs_ann_walk_free(&w);
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
	le32_add_cpu(&d->ad_nslots, 1);
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
	if (le64_to_cpu(n->an_vid) != vid || n->an_state != VEXFS_ANN_NODE_LIVE) {
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

/* ---- search ------------------------------------------------------------------- */

/*
 * Whether the index answers a search of float32 queries of @dims with model
 * filter @model (all zero: any), L2: its collection is exactly the vectors
 * such a search compares, and it is built.
 */
bool vexfs_ann_serves(const struct vexfs_ann *ax, u32 dims, const u8 *model)
{
	return ax && ax->dims == dims && !memcmp(ax->model, model, sizeof(ax->model)) &&
	       le32_to_cpu(READ_ONCE(ax->d->ad_state)) == VEXFS_ANN_READY;
}

/*
 * The ids of up to @kk vectors nearest by code to float32 query @q, the
 * graph searched with @ef (kk <= ef), into @ids: their count or -errno.
 * Caller holds vs->ann_lock shared.
 */
int vexfs_ann_candidates(struct vexfs_ann *ax, const float *q, u32 ef, u32 kk, u64 *ids)
{
	struct vexfs_ann_walk w;
	u32 seeds[VGRAPH_MAX_SEEDS], i;
	struct vgraph_scratch s;
	struct vgraph g;
	void *smem;
	u8 *qc;
	int n, err;

	err = vexfs_ann_walk_init(&w, ax, ef);
	if (err)
		return err;
	smem = kvmalloc(vgraph_scratch_size(ax->r, ef, ax->dims), GFP_KERNEL_ACCOUNT);
	qc = kmalloc(ax->dims, GFP_KERNEL_ACCOUNT);
	if (!smem || !qc) {
		n = -ENOMEM;
		goto out;
	}
	vgraph_scratch_init(&s, smem, ax->r, ef, ax->dims);
	kernel_fpu_begin();
	vq_u8_encode(q, ax->dims, ax->lo, ax->step, qc);
	kernel_fpu_end();
	down_read(&ax->sem);
	vexfs_ann_graph(ax, &w, &g, seeds);
	n = vgraph_search_k(&g, &s, qc, ef, kk);
	for (i = 0; n > 0 && i < (u32)n; i++) {
		struct buffer_head *bh;
		struct vexfs_ann_node *node;

		bh = vexfs_ann_node_bh(ax, vgraph_res_slot(&s, i), (void **)&node);
		if (IS_ERR(bh)) {
			n = PTR_ERR(bh);
			break;
		}
		ids[i] = le64_to_cpu(node->an_vid);
		brelse(bh);
	}
	up_read(&ax->sem);
out:
	kfree(qc);
	kvfree(smem);
	vexfs_ann_walk_free(&w);
	return n;
}

u8 *vexfs_ann_pcode(struct vexfs_ann *ax)
{
	return ax->pcode;
}

u32 vexfs_ann_gen(const struct vexfs_ann *ax)
{
	return ax->gen;
}

/* ---- INDEX: create, drop, stats ------------------------------------------------ */

/* a finite binary32 */
static bool vexfs_ann_finite(u32 bits)
{
	return ((bits >> 23) & 0xff) != 0xff;
}

/*
 * The value range of the collection's vectors, for the quantizer: one pass
 * over the vectors (no lock held but the store's, a record at a time).
 * -ENODATA when the collection has no vector.
 */
static int vexfs_ann_range(struct super_block *sb, struct vexfs_ann *probe, void *rec,
			   float *f32, u32 *lo, u32 *hi)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	u64 id, end = READ_ONCE(vs->next_id), seen = 0;
	int err = 0;

	*lo = 0x7f800000;	/* +inf */
	*hi = 0xff800000;	/* -inf */
	for (id = 1; id < end && !err; id++) {
		const struct vexfs_vec_header *h = rec;
		const struct vexfs_vec_meta *m = (const void *)(h + 1);
		struct vexfs_vent *v;
		u64 chunk = 0, ino = 0;
		u32 off = 0, len = 0, comp;
		const char *why = "";

		rcu_read_lock();
		v = vexfs_vindex_lookup(&vs->index, id);
		if (v) {
			chunk = READ_ONCE(v->chunk)->start;
			off = v->offset;
			len = v->length;
			ino = v->ino;
		}
		rcu_read_unlock();
		if (!v)
			continue;
		mutex_lock(&vs->lock);
		err = vexfs_vrec_io(NULL, sb, chunk, off, rec, len, false, false);
		mutex_unlock(&vs->lock);
		if (err)
			break;
		if (vexfs_vec_rec_validate(rec, len, VEXFS_SB(sb)->s_csum_seed, id, ino, &why))
			continue;	/* replaced or removed meanwhile, or bad: not counted */
		if (!vexfs_ann_wants(probe, le16_to_cpu(h->vh_dtype), le32_to_cpu(h->vh_dimensions),
				     m->vm_model))
			continue;
		comp = le16_to_cpu(h->vh_compression);
		if (comp != VEXFS_COMP_NONE) {
			err = vexfs_vec_decompress(sb, id, VEXFS_DT_F32, comp, probe->dims,
						   (u8 *)rec + VEXFS_VEC_REC_HDR,
						   le32_to_cpu(h->vh_compressed_size), f32);
			if (err)
				break;
		} else {
			memcpy(f32, (u8 *)rec + VEXFS_VEC_REC_HDR, probe->dims * sizeof(float));
		}
		kernel_fpu_begin();
		vq_f32_minmax(f32, probe->dims, lo, hi);
		kernel_fpu_end();
		seen++;
		if (!(id % 64)) {
			cond_resched();
			if (fatal_signal_pending(current))
				err = -EINTR;
		}
	}
	if (!err && !seen)
		err = -ENODATA;
	return err;
}

static int vexfs_ann_sb_update(handle_t *handle, struct super_block *sb, u32 gen)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	int err = vexfs_journal_get_write_access(handle, sb, sbi->s_sbh);

	if (err)
		return err;
	lock_buffer(sbi->s_sbh);
	es->s_feature_incompat |= cpu_to_le64(VEXFS_FEATURE_INCOMPAT_ANN);
	es->s_ann_ino = cpu_to_le64(VEXFS_ANN_INO);
	es->s_ann_gen = cpu_to_le32(gen);
	es->s_checksum = cpu_to_le32(vexfs_sb_csum(es));
	unlock_buffer(sbi->s_sbh);
	return vexfs_journal_dirty(handle, sb, sbi->s_sbh);
}

/*
 * Start an index: the inode (the first time), the superblock's generation
 * and the descriptor, in one handle. Caller holds vs->ann_lock exclusive.
 */
static int vexfs_ann_begin(struct super_block *sb, const struct vexfs_ioc_index *a, u32 lo,
			   u32 step, struct vexfs_ann **out)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	u32 gen = le32_to_cpu(sbi->s_es->s_ann_gen) + 1, i;
	struct vexfs_ann_desc *d;
	struct buffer_head *dbh = NULL;
	struct inode *inode = NULL;
	handle_t *handle;
	int err, err2;

	if (!gen)
		return -ENOSPC;		/* 2^32 indexes made: generations ran out */
	handle = vexfs_journal_start(sb, 2 + VEXFS_CREDITS_INODE + VEXFS_CREDITS_BLOCK + 2);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = 0;
	if (!(le64_to_cpu(sbi->s_es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_ANN))
		err = vexfs_internal_inode_init(handle, sb, VEXFS_ANN_INO);
	if (!err)
		err = vexfs_ann_sb_update(handle, sb, gen);
	if (err)
		goto stop;
	inode = vexfs_iget_internal(sb, VEXFS_ANN_INO);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		inode = NULL;
		goto stop;
	}
	if (!S_ISREG(inode->i_mode) || inode->i_nlink != 1 || i_size_read(inode) ||
	    inode->i_blocks) {
		err = vexfs_corrupt(sb, "ANN index inode is not an empty internal file");
		goto stop;
	}
	dbh = vexfs_bread(handle, inode, 0, true);
	if (IS_ERR_OR_NULL(dbh)) {
		err = dbh ? PTR_ERR(dbh) : -EIO;
		dbh = NULL;
		goto stop;
	}
	lock_buffer(dbh);
	d = (void *)dbh->b_data;
	d->ad_magic = cpu_to_le32(VEXFS_ANN_MAGIC);
	d->ad_version = cpu_to_le32(VEXFS_ANN_VERSION);
	d->ad_gen = cpu_to_le32(gen);
	d->ad_state = cpu_to_le32(VEXFS_ANN_BUILDING);
	d->ad_dims = cpu_to_le32(a->dims);
	d->ad_dtype = cpu_to_le16(VEXFS_DT_F32);
	d->ad_r = cpu_to_le16(a->r);
	d->ad_alpha = cpu_to_le16(a->alpha);
	d->ad_ef_construction = cpu_to_le16(a->ef_construction);
	d->ad_node_size = cpu_to_le16(vexfs_ann_node_size(a->r, a->dims));
	d->ad_lo = cpu_to_le32(lo);
	d->ad_step = cpu_to_le32(step);
	d->ad_entry = cpu_to_le32(VGRAPH_NONE);
	memcpy(d->ad_model, a->model, sizeof(d->ad_model));
	d->ad_build_next = cpu_to_le64(1);
	d->ad_build_end = cpu_to_le64(READ_ONCE(vs->next_id));
	for (i = 0; i < VEXFS_ANN_MAX_SEEDS; i++)
		d->ad_seeds[i] = 0;
	vexfs_ann_desc_seal(d, sbi->s_csum_seed);
	unlock_buffer(dbh);
	err = vexfs_journal_dirty(handle, sb, dbh);
	if (!err) {
		i_size_write(inode, sb->s_blocksize);
		err = vexfs_mark_inode_dirty(handle, inode);
	}
stop:
	err2 = vexfs_journal_stop(handle);
	err = err ? err : err2;
	if (!err) {
		err = vexfs_ann_setup(sb, inode, dbh, out);
		dbh = NULL;	/* taken, or released on failure */
		if (!err)
			inode = NULL;
	}
	brelse(dbh);
	iput(inode);
	return err;
}

/*
 * Insert vector @id into @ax if it belongs to the collection and is not
 * indexed yet: one handle. 1 when inserted, 0 when not, or -errno.
 */
static int vexfs_ann_build_one(struct super_block *sb, struct vexfs_ann *ax, u64 id, void *rec,
			       float *f32)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	struct vexfs_vec_header *h = rec;
	struct vexfs_vec_meta *m = (void *)(h + 1);
	u32 len, slot, bs = sb->s_blocksize;
	struct vexfs_vent *v;
	const char *why = "";
	handle_t *handle;
	u64 chunk;
	int err, err2, ret = 0;

	handle = vexfs_journal_start(sb, vexfs_ann_credits(ax) + 2 +
				     DIV_ROUND_UP(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, bs) + 1);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	mutex_lock(&vs->lock);
	v = vexfs_vindex_lookup(&vs->index, id);
	if (!v)
		goto unlock;
	chunk = v->chunk->start;
	len = v->length;
	err = vexfs_vrec_io(NULL, sb, chunk, v->offset, rec, len, false, false);
	if (err)
		goto fail;
	if (vexfs_vec_rec_validate(rec, len, sbi->s_csum_seed, id, v->ino, &why)) {
		err = vexfs_corrupt(sb, "vector %llu (chunk %llu + %u): %s: not indexed", id, chunk,
				    v->offset, why);
		goto unlock;	/* reported; the rest of the index is built */
	}
	if (!vexfs_ann_wants(ax, le16_to_cpu(h->vh_dtype), le32_to_cpu(h->vh_dimensions),
			     m->vm_model) ||
	    vexfs_ann_ref_slot(le64_to_cpu(m->vm_ann), ax->gen) != VEXFS_ANN_NO_SLOT)
		goto unlock;
	err = vexfs_ann_code_of(ax, id, le16_to_cpu(h->vh_compression),
				(u8 *)rec + VEXFS_VEC_REC_HDR, le32_to_cpu(h->vh_compressed_size),
				f32, ax->pcode);
	if (err)
		goto fail;
	err = vexfs_ann_insert_prepare(handle, ax, &slot);
	if (err)
		goto fail;
	/* the record names its node: rewritten in place, in the same handle */
	m->vm_ann = cpu_to_le64(vexfs_ann_ref(ax->gen, slot));
	h->vh_checksum = cpu_to_le32(vexfs_vec_rec_csum(sbi->s_csum_seed, rec, len));
	err = vexfs_vrec_io(handle, sb, chunk, v->offset, rec, len, true, false);
	if (err) {
		vexfs_ann_insert_cancel(ax);
		goto fail;
	}
	err = vexfs_ann_insert_commit(handle, ax, id);
	if (!err) {
		vexfs_ann_desc_dirty_prep(ax);
		ax->d->ad_build_next = cpu_to_le64(id + 1);
		err = vexfs_ann_desc_dirty(handle, ax);
	}
	if (err)
		goto fail;
	ret = 1;
	goto unlock;
fail:
	ret = err;
unlock:
	mutex_unlock(&vs->lock);
	err2 = vexfs_journal_stop(handle);
	return ret < 0 ? ret : err2 ? err2 : ret;
}

/*
 * Index every vector of the collection stored before the index began (ids
 * below @end), then mark it ready. Each step checks that @ax is still the
 * index under vs->ann_lock (a drop may come at any time).
 */
static int vexfs_ann_build(struct super_block *sb, struct vexfs_ann *ax, u32 dims, u64 end,
			   u64 *indexed)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	handle_t *handle;
	void *rec;
	float *f32;
	int err = 0, ret;
	u64 id;

	rec = kvmalloc(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, GFP_KERNEL_ACCOUNT);
	f32 = kvmalloc_array(dims, sizeof(float), GFP_KERNEL_ACCOUNT);
	if (!rec || !f32) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id <= end && !err; id++) {
		down_read(&vs->ann_lock);
		if (vs->ann != ax) {
			err = -ECANCELED;	/* dropped meanwhile */
		} else if (id < end) {
			ret = vexfs_ann_build_one(sb, ax, id, rec, f32);
			if (ret < 0)
				err = ret;
			else
				*indexed += ret;
		} else {
			/* done: ready for searches */
			handle = vexfs_journal_start(sb, 1);
			if (IS_ERR(handle)) {
				err = PTR_ERR(handle);
			} else {
				err = vexfs_journal_get_write_access(handle, sb, ax->dbh);
				if (!err) {
					down_write(&ax->sem);
					vexfs_ann_desc_dirty_prep(ax);
					ax->d->ad_state = cpu_to_le32(VEXFS_ANN_READY);
					ax->d->ad_build_next = 0;
					ax->d->ad_build_end = 0;
					err = vexfs_ann_desc_dirty(handle, ax);
					up_write(&ax->sem);
				}
				ret = vexfs_journal_stop(handle);
				err = err ? err : ret;
			}
		}
		up_read(&vs->ann_lock);
		cond_resched();
		if (!err && id < end && fatal_signal_pending(current))
			err = -EINTR;
	}
out:
	kvfree(rec);
	kvfree(f32);
	return err;
}

/* Remove the index (caller holds vs->ann_lock exclusive). */
static int vexfs_ann_drop(struct super_block *sb)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ann *ax = vs->ann;
	struct inode *inode;
	handle_t *handle;
	int err, err2;

	if (!ax)
		return -ENOENT;
	inode = igrab(ax->inode);
	if (!inode)
		return -EIO;
	/* one handle makes the index gone (size 0); its blocks follow */
	handle = vexfs_journal_start(sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle)) {
		iput(inode);
		return PTR_ERR(handle);
	}
	i_size_write(inode, 0);
	err = vexfs_mark_inode_dirty(handle, inode);
	err2 = vexfs_journal_stop(handle);
	err = err ? err : err2;
	if (err) {
		iput(inode);
		return err;
	}
	vs->ann = NULL;
	vexfs_ann_free(ax);
	err = vexfs_truncate_blocks(inode, 0);
	iput(inode);
	return err;
}

static void vexfs_ann_stats(struct vexfs_ann *ax, struct vexfs_ioc_index *a)
{
	struct vexfs_ann_desc *d = ax->d;
	u32 step = ax->step;

	down_read(&ax->sem);
	a->state = le32_to_cpu(d->ad_state);
	a->dims = ax->dims;
	a->metric = VEXFS_SEARCH_METRIC_L2;
	a->r = ax->r;
	a->alpha = ax->alpha;
	a->ef_construction = ax->ef_c;
	a->lo = ax->lo;
	kernel_fpu_begin();
	a->hi = vq_u8_hi(ax->lo, step);
	kernel_fpu_end();
	memcpy(a->model, ax->model, sizeof(a->model));
	a->node_size = ax->node_size;
	a->nodes = le32_to_cpu(d->ad_nslots);
	a->live = le32_to_cpu(d->ad_nlive);
	a->bytes = (u64)ax->inode->i_blocks << 9;
	up_read(&ax->sem);
}

static long vexfs_ann_create(struct super_block *sb, struct vexfs_ioc_index *a)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ann probe = { .sb = sb };
	struct vexfs_ann *ax = NULL;
	u32 lo = a->lo, hi = a->hi, step;
	void *rec = NULL;
	float *f32 = NULL;
	u64 indexed = 0, end = 0;
	long err;

	if (!a->r)
		a->r = 32;
	if (!a->alpha)
		a->alpha = 110;	/* Documentation/ann-index.rst, "Parameters" */
	if (!a->ef_construction)
		a->ef_construction = 200;
	if (a->flags & ~VEXFS_INDEX_FLAGS || a->metric != VEXFS_SEARCH_METRIC_L2 ||
	    vgraph_check_params(a->dims, a->r, a->alpha, a->ef_construction) ||
	    vexfs_ann_node_size(a->r, a->dims) > sb->s_blocksize)
		return -EINVAL;
	if (a->flags & VEXFS_INDEX_RANGE) {
		if (!vexfs_ann_finite(lo) || !vexfs_ann_finite(hi))
			return -EINVAL;
	} else {
		probe.dims = a->dims;
		memcpy(probe.model, a->model, sizeof(probe.model));
		rec = kvmalloc(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, GFP_KERNEL_ACCOUNT);
		f32 = kvmalloc_array(a->dims, sizeof(float), GFP_KERNEL_ACCOUNT);
		err = rec && f32 ? vexfs_ann_range(sb, &probe, rec, f32, &lo, &hi) : -ENOMEM;
		kvfree(rec);
		kvfree(f32);
		if (err)
			return err;
	}
	kernel_fpu_begin();
	step = vq_u8_step(lo, hi);
	kernel_fpu_end();

	down_write(&vs->ann_lock);
	err = vs->ann ? -EEXIST : vexfs_ann_begin(sb, a, lo, step, &ax);
	if (!err) {
		vs->ann = ax;
		end = le64_to_cpu(ax->d->ad_build_end);
	}
	up_write(&vs->ann_lock);
	if (err)
		return err;
	err = vexfs_ann_build(sb, ax, a->dims, end, &indexed);
	down_write(&vs->ann_lock);
	if (vs->ann != ax) {
		err = -ECANCELED;	/* dropped by another caller */
	} else if (err) {
		/* all or nothing: a build cut short takes its index with it */
		long err2 = vexfs_ann_drop(sb);

		if (err2)
			vexfs_msg(sb, "ANN index: the build failed (%ld) and so did its drop (%ld)",
				  err, err2);
	} else {
		vexfs_ann_stats(ax, a);
		a->indexed = indexed;
	}
	up_write(&vs->ann_lock);
	return err;
}

long vexfs_ioc_index(struct file *file, void __user *uarg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ioc_index a;
	u32 usize;
	long err;

	err = vexfs_copy_arg(&a, sizeof(a), uarg, &usize);
	if (err)
		return err;
	switch (a.op) {
	case VEXFS_INDEX_STATS:
		if (a.flags)
			return -EINVAL;
		/* every field but size and op is an answer */
		a = (struct vexfs_ioc_index){ .size = a.size, .op = a.op };
		down_read(&vs->ann_lock);
		if (vs->ann)
			vexfs_ann_stats(vs->ann, &a);
		up_read(&vs->ann_lock);
		break;
	case VEXFS_INDEX_CREATE:
	case VEXFS_INDEX_DROP:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (a.op == VEXFS_INDEX_DROP && a.flags)
			return -EINVAL;
		err = mnt_want_write_file(file);
		if (err)
			return err;
		if (a.op == VEXFS_INDEX_CREATE) {
			err = vexfs_ann_create(sb, &a);
		} else {
			down_write(&vs->ann_lock);
			err = vexfs_ann_drop(sb);
			up_write(&vs->ann_lock);
		}
		mnt_drop_write_file(file);
		if (err)
			return err;
		break;
	default:
		return -EINVAL;
	}
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}
