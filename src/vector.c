// SPDX-License-Identifier: GPL-2.0
/*
 * vector.c - the vector store.
 *
 * Records live in chunks of contiguous blocks (core/vrec.c allocates their
 * 32-byte slots), the vector table (inode 2, one 32-byte entry per id) maps
 * ids to records, and two rhashtables index them in memory: vector id ->
 * record and inode -> its ids in ascending order. Every change is a journaled
 * metadata change: record bytes, table entry, superblock counters and the
 * owner's i_vec_count go into one handle.
 *
 * Locking: the owner's i_rwsem (exclusive to change a file's vectors, shared
 * to read them), then a journal handle, then vs->lock (allocator, table,
 * counters, index updates). Lookups by id are RCU reads of the rhashtable.
 */
#include <linux/rhashtable.h>
#include <linux/xarray.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mount.h>
#include <linux/xattr.h>
#include <linux/mm.h>
#include "vexfs.h"
#include "vector.h"
#include "core/vann.h"
#include "vexfs/vexfs_ioctl.h"

/* ---- the in-memory index ------------------------------------------------ */

static const struct rhashtable_params vexfs_vent_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct vexfs_vent, id),
	.head_offset = offsetof(struct vexfs_vent, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params vexfs_vfile_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct vexfs_vfile, ino),
	.head_offset = offsetof(struct vexfs_vfile, node),
	.automatic_shrinking = true,
};

int vexfs_vindex_init(struct vexfs_vindex *vx)
{
	int err = rhashtable_init(&vx->ids, &vexfs_vent_params);

	if (err)
		return err;
	err = rhashtable_init(&vx->files, &vexfs_vfile_params);
	if (err)
		rhashtable_destroy(&vx->ids);
	vx->nfiles = 0;
	vx->count = 0;
	return err;
}

static void vexfs_vent_free_cb(void *ptr, void *arg)
{
	kfree(ptr);
}

void vexfs_vindex_destroy(struct vexfs_vindex *vx)
{
	rhashtable_free_and_destroy(&vx->ids, vexfs_vent_free_cb, NULL);
	rhashtable_free_and_destroy(&vx->files, vexfs_vent_free_cb, NULL);
}

/* The entry stays valid while the caller holds rcu_read_lock() or the writer lock. */
struct vexfs_vent *vexfs_vindex_lookup(struct vexfs_vindex *vx, u64 id)
{
	return rhashtable_lookup_fast(&vx->ids, &id, vexfs_vent_params);
}

struct vexfs_vfile *vexfs_vindex_file(struct vexfs_vindex *vx, u64 ino)
{
	return rhashtable_lookup_fast(&vx->files, &ino, vexfs_vfile_params);
}

/*
 * Add @v (id, ino set) at the tail of its file's list: ids only grow, so the
 * lists stay sorted. *@spare is used (and cleared) when the file is new.
 * Writers are serialized by the caller.
 */
int vexfs_vindex_add(struct vexfs_vindex *vx, struct vexfs_vent *v,
		     struct vexfs_vfile **spare)
{
	struct vexfs_vfile *f;
	int err, tries;

	f = rhashtable_lookup_fast(&vx->files, &v->ino, vexfs_vfile_params);
	if (f && !list_empty(&f->vents) &&
	    list_last_entry(&f->vents, struct vexfs_vent, flink)->id >= v->id)
		return -EINVAL;
	/* -EBUSY / -ENOMEM are transient (a resize is due): retry a little */
	for (tries = 0; tries < 8; tries++) {
		err = rhashtable_lookup_insert_fast(&vx->ids, &v->node, vexfs_vent_params);
		if (err != -EBUSY && err != -ENOMEM)
			break;
		cond_resched();
	}
	if (err)
		return err;
	if (!f) {
		f = *spare;
		if (!f) {
			err = -ENOMEM;
			goto undo;
		}
		f->ino = v->ino;
		f->count = 0;
		INIT_LIST_HEAD(&f->vents);
		err = rhashtable_lookup_insert_fast(&vx->files, &f->node, vexfs_vfile_params);
		if (err)
			goto undo;
		*spare = NULL;
		vx->nfiles++;
	}
	list_add_tail(&v->flink, &f->vents);
	f->count++;
	vx->count++;
	return 0;
undo:
	rhashtable_remove_fast(&vx->ids, &v->node, vexfs_vent_params);
	return err;
}

/* Remove @v; frees its file entry when it was the last. @v is not freed. */
void vexfs_vindex_del(struct vexfs_vindex *vx, struct vexfs_vent *v)
{
	struct vexfs_vfile *f;

	rhashtable_remove_fast(&vx->ids, &v->node, vexfs_vent_params);
	f = rhashtable_lookup_fast(&vx->files, &v->ino, vexfs_vfile_params);
	list_del(&v->flink);
	vx->count--;
	if (f && !--f->count) {
		rhashtable_remove_fast(&vx->files, &f->node, vexfs_vfile_params);
		kfree_rcu(f, rcu);
		vx->nfiles--;
	}
}

/* ---- record I/O --------------------------------------------------------- */

/*
 * Copy @len bytes between @buf and a chunk starting at block @chunk, from
 * byte @off of the chunk. Writing is journaled; @fresh means the chunk was
 * allocated by this handle, so its blocks are not read but zeroed.
 */
int vexfs_vrec_io(handle_t *handle, struct super_block *sb, u64 chunk, u32 off,
		  void *buf, u32 len, bool write, bool fresh)
{
	u32 bs = sb->s_blocksize;
	u8 *p = buf;
	int err = 0;

	while (len) {
		u64 blk = chunk + off / bs;
		u32 boff = off % bs, n = min(len, bs - boff);
		struct buffer_head *bh;

		if (write && fresh) {
			bh = sb_getblk(sb, blk);
			if (!bh)
				return -ENOMEM;
			lock_buffer(bh);
			err = vexfs_journal_get_create_access(handle, sb, bh);
			if (!err && !buffer_uptodate(bh)) {
				memset(bh->b_data, 0, bs);
				set_buffer_uptodate(bh);
			}
			unlock_buffer(bh);
		} else {
			bh = sb_bread(sb, blk);
			if (!bh)
				return -EIO;
			if (write)
				err = vexfs_journal_get_write_access(handle, sb, bh);
		}
		if (!err) {
			if (write) {
				lock_buffer(bh);
				memcpy(bh->b_data + boff, p, n);
				unlock_buffer(bh);
				err = vexfs_journal_dirty(handle, sb, bh);
			} else {
				memcpy(p, bh->b_data + boff, n);
			}
		}
		brelse(bh);
		if (err)
			return err;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* ---- superblock counters ------------------------------------------------ */

static int vexfs_vstore_sb_update(handle_t *handle, struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	struct vexfs_super_block *es = sbi->s_es;
	int err = vexfs_journal_get_write_access(handle, sb, sbi->s_sbh);

	if (err)
		return err;
	lock_buffer(sbi->s_sbh);
	es->s_vec_next_id = cpu_to_le64(vs->next_id);
	es->s_vec_count = cpu_to_le64(vs->index.count);
	es->s_vec_bytes = cpu_to_le64(vs->bytes);
	es->s_vec_blocks = cpu_to_le64(vs->va.chunk_blocks);
	es->s_checksum = cpu_to_le32(vexfs_sb_csum(es));
	unlock_buffer(sbi->s_sbh);
	return vexfs_journal_dirty(handle, sb, sbi->s_sbh);
}

/* ---- chunks ------------------------------------------------------------- */

u32 vexfs_vchunk_blocks(struct super_block *sb, const struct vexfs_vchunk *c)
{
	return c->nslots / (sb->s_blocksize / VEXFS_VEC_ALIGN);
}

/* A new chunk of at least @need blocks (as many as VEXFS_VCHUNK_BYTES if possible). */
static int vexfs_vchunk_new(handle_t *handle, struct super_block *sb, u32 need,
			    struct vexfs_vchunk **out)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	u32 cnt = vexfs_vchunk_max_blocks(sb->s_blocksize);
	struct vexfs_vchunk *c;
	u64 start = 0;
	int err;

	c = kzalloc(sizeof(*c), GFP_NOFS | __GFP_ACCOUNT);
	if (!c)
		return -ENOMEM;
	err = vexfs_new_run(handle, vs->tab, vs->goal, need, &cnt, &start);
	if (err)
		goto out_free;
	vexfs_vchunk_init(c, start, cnt, sb->s_blocksize);
	err = xa_err(xa_store(&vs->chunks, start, c, GFP_NOFS | __GFP_ACCOUNT));
	if (err) {
		vexfs_free_blocks(handle, vs->tab, start, cnt, false);
		goto out_free;
	}
	vexfs_valloc_insert(&vs->va, c);
	vs->goal = start + cnt;
	*out = c;
	return 0;
out_free:
	kfree(c);
	return err;
}

/* Forget an empty chunk and give its blocks back (journaled: revoked). */
static void vexfs_vchunk_drop(handle_t *handle, struct super_block *sb, struct vexfs_vchunk *c)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;

	vexfs_valloc_remove(&vs->va, c);
	xa_erase(&vs->chunks, c->start);
	vexfs_free_blocks(handle, vs->tab, c->start, vexfs_vchunk_blocks(sb, c), true);
	kfree(c);
}

/* Give back a record's slots; a chunk left empty goes back to the free space. */
static void vexfs_vrec_free(handle_t *handle, struct super_block *sb, struct vexfs_vchunk *c,
			    u32 offset, u32 length)
{
	vexfs_vchunk_release(&VEXFS_SB(sb)->s_vstore->va, c, offset / VEXFS_VEC_ALIGN,
			     vexfs_vec_slots(length));
	if (!c->nrec)
		vexfs_vchunk_drop(handle, sb, c);
}

/* ---- table entries ------------------------------------------------------ */

static struct buffer_head *vexfs_vtab_bh(handle_t *handle, struct super_block *sb,
					 u64 id, bool create)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	u32 epb = vexfs_vtab_per_block(sb->s_blocksize);
	struct buffer_head *bh;
	int err;

	bh = vexfs_bread(handle, vs->tab, id / epb, create);
	if (IS_ERR(bh))
		return bh;
	if (!bh) {
		vexfs_corrupt(sb, "vector %llu: no table block", id);
		return ERR_PTR(-EUCLEAN);
	}
	err = vexfs_journal_get_write_access(handle, sb, bh);
	/*
	 * A block just mapped is zero only in memory: put it in the handle now,
	 * so that a later failure of the same call cannot leave it mapped with
	 * stale contents on disk.
	 */
	if (!err && create)
		err = vexfs_journal_dirty(handle, sb, bh);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	return bh;
}

static void vexfs_vtab_put(handle_t *handle, struct super_block *sb, struct buffer_head *bh,
			   u64 id, const struct vexfs_vloc *loc)
{
	u32 epb = vexfs_vtab_per_block(sb->s_blocksize);
	struct vexfs_vtab_entry *e = (struct vexfs_vtab_entry *)bh->b_data + id % epb;

	lock_buffer(bh);
	if (loc)
		vexfs_vtab_encode(e, VEXFS_SB(sb)->s_csum_seed, id, loc);
	else
		memset(e, 0, sizeof(*e));
	unlock_buffer(bh);
}

/* ---- store, remove ------------------------------------------------------ */

/* Journal credits of one store (record up to VEXFS_VEC_MAX_DATA + header). */
static int vexfs_vec_store_credits(struct super_block *sb)
{
	u32 bs = sb->s_blocksize;

	return VEXFS_CREDITS_BLOCK + 3 * VEXFS_CREDITS_INODE + 1 + 16 +
	       DIV_ROUND_UP(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, bs) + 1;
}

/* table block, chunk, superblock, inode; ANN node and descriptor */
#define VEXFS_VEC_REMOVE_CREDITS	(1 + 4 + 1 + VEXFS_CREDITS_INODE + 2)

/*
 * Store a record for @inode (caller holds its i_rwsem exclusively): a new
 * vector (*id == 0: gets the next id) or new data for an existing one (*id).
 * @rec holds the data at VEXFS_VEC_REC_HDR; the header is filled here.
 */
static int vexfs_vec_store(struct inode *inode, u64 *id, u32 dtype, u32 comp, u32 dims,
			   void *rec, u32 data_len, const struct vexfs_vec_meta *meta,
			   u64 created, u64 modified)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	u32 reclen = vexfs_vec_rec_len(data_len), nslots = vexfs_vec_slots(reclen);
	struct vexfs_vent *v = NULL, *old = NULL;
	struct vexfs_vfile *spare = NULL, *f;
	struct vexfs_vchunk *c = NULL;
	struct buffer_head *tbh = NULL;
	struct vexfs_vloc loc;
	struct vexfs_vec_meta m2 = {};
	bool fresh = false, added = false, indexed;
	u32 oslot = VEXFS_ANN_NO_SLOT;
	struct vexfs_ann *ax;
	float *f32 = NULL;
	handle_t *handle;
	u64 vid;
	int slot, err, err2;

	if (meta)
		m2 = *meta;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
	if (!v || !spare) {
		err = -ENOMEM;
		goto out_free;
	}
	/* the ANN index stays in place until this store is done (ann.c) */
	down_read(&vs->ann_lock);
	ax = vs->ann;
	indexed = vexfs_ann_wants(ax, dtype, dims, m2.vm_model);
	if (indexed && comp != VEXFS_COMP_NONE) {
		f32 = kvmalloc_array(dims, sizeof(float), GFP_KERNEL_ACCOUNT);
		if (!f32) {
			err = -ENOMEM;
			goto out_ann;
		}
	}
	handle = vexfs_journal_start_revoke(sb, vexfs_vec_store_credits(sb) +
					    vexfs_ann_credits(ax) + 2,
					    vexfs_vchunk_max_blocks(sb->s_blocksize));
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out_ann;
	}
	mutex_lock(&vs->lock);
	if (*id) {
		old = vexfs_vindex_lookup(&vs->index, *id);
		if (!old || old->ino != inode->i_ino) {
			err = -ENOENT;
			goto out_unlock;
		}
		vid = *id;
		/* the node of the data replaced, which dies with it */
		err = vexfs_ann_slot_of(ax, old->chunk->start, old->offset, &oslot);
		if (err)
			goto out_unlock;
	} else {
		f = vexfs_vindex_file(&vs->index, inode->i_ino);
		if (f && f->count >= VEXFS_VEC_MAX_PER_FILE) {
			err = -ENOSPC;
			goto out_unlock;
		}
		vid = vs->next_id;
	}

	/*
	 * Everything that can fail comes before the first byte is changed. The
	 * chunk comes first: a fresh one is given back whole when the table
	 * block cannot be had, while a table block, once mapped, stays.
	 */
	c = vexfs_valloc_pick(&vs->va, nslots);
	if (!c) {
		err = vexfs_vchunk_new(handle, sb, DIV_ROUND_UP(reclen, sb->s_blocksize), &c);
		if (err)
			goto out_unlock;
		fresh = true;
	}
	tbh = vexfs_vtab_bh(handle, sb, vid, true);
	if (IS_ERR(tbh)) {
		err = PTR_ERR(tbh);
		tbh = NULL;
		goto out_chunk;
	}
	slot = vexfs_vchunk_take(&vs->va, c, nslots);
	if (slot < 0) {
		err = vexfs_corrupt(sb, "vector allocator: chunk %llu lost its free run", c->start);
		goto out_chunk;
	}
	if (!old) {
		v->id = vid;
		v->ino = inode->i_ino;
		v->chunk = c;
		v->offset = (u32)slot * VEXFS_VEC_ALIGN;
		v->length = reclen;
		err = vexfs_vindex_add(&vs->index, v, &spare);
		if (err)
			goto out_slot;
		added = true;
	}
	if (indexed) {
		/* the node is planned and its blocks reserved before the record */
		u64 ref;

		err = vexfs_ann_insert_prepare(handle, ax, vid, comp, (u8 *)rec + VEXFS_VEC_REC_HDR,
					       data_len, f32, &ref);
		if (err)
			goto out_index;
		m2.vm_ann = cpu_to_le64(ref);
	}
	vexfs_vec_rec_init(rec, sbi->s_csum_seed, vid, inode->i_ino, dtype, comp, dims,
			   vexfs_vec_raw_size(dtype, dims), data_len, created, modified, &m2);
	err = vexfs_vrec_io(handle, sb, c->start, (u32)slot * VEXFS_VEC_ALIGN, rec, reclen,
			    true, fresh);
	if (err) {
		if (indexed)
			vexfs_ann_insert_cancel(ax);
		goto out_index;
	}
	if (indexed)
		err = vexfs_ann_insert_commit(handle, ax, vid);
	if (!err && oslot != VEXFS_ANN_NO_SLOT)
		err = vexfs_ann_kill(handle, ax, oslot, vid);
	if (!err && (indexed || oslot != VEXFS_ANN_NO_SLOT))
		err = vexfs_ann_reclaim(handle, ax);

	/* Committed to this handle from here on. */
	loc.ino = inode->i_ino;
	loc.chunk = c->start;
	loc.offset = (u32)slot * VEXFS_VEC_ALIGN;
	loc.length = reclen;
	loc.chunk_blocks = vexfs_vchunk_blocks(sb, c);
	/* written here, so already checked for searches */
	c->checked[slot / 64] |= 1ULL << (slot % 64);
	vexfs_vtab_put(handle, sb, tbh, vid, &loc);
	err2 = vexfs_journal_dirty(handle, sb, tbh);
	err = err ? err : err2;
	if (old) {
		struct vexfs_vchunk *oldc = old->chunk;
		u32 oldoff = old->offset, oldlen = old->length;

		old->chunk = c;
		old->offset = loc.offset;
		old->length = reclen;
		vs->bytes += reclen;
		vs->bytes -= oldlen;
		vexfs_vrec_free(handle, sb, oldc, oldoff, oldlen);
	} else {
		vs->next_id++;
		vs->bytes += reclen;
		VEXFS_I(inode)->i_vec_count++;
	}
	if (!err && i_size_read(vs->tab) < (loff_t)(vid + 1) * VEXFS_VTAB_ENTRY_SIZE) {
		i_size_write(vs->tab, (loff_t)(vid + 1) * VEXFS_VTAB_ENTRY_SIZE);
		err = vexfs_mark_inode_dirty(handle, vs->tab);
	}
	if (!err)
		err = vexfs_vstore_sb_update(handle, sb);
	inode_set_ctime_current(inode);
	err2 = vexfs_mark_inode_dirty(handle, inode);
	err = err ? err : err2;
	*id = vid;
	if (added)
		v = NULL;	/* now owned by the index */
	goto out_unlock;

out_index:
	if (added) {
		vexfs_vindex_del(&vs->index, v);
		kfree_rcu(v, rcu);
		v = NULL;
	}
out_slot:
	/* a chunk allocated by this call is empty again: freed */
	vexfs_vrec_free(handle, sb, c, (u32)slot * VEXFS_VEC_ALIGN, reclen);
	goto out_unlock;
out_chunk:
	if (fresh && !c->nrec)
		vexfs_vchunk_drop(handle, sb, c);
out_unlock:
	mutex_unlock(&vs->lock);
	brelse(tbh);
	err2 = vexfs_journal_stop(handle);
	if (!err)
		err = err2;
out_ann:
	up_read(&vs->ann_lock);
	kvfree(f32);
out_free:
	kfree(v);
	kfree(spare);
	return err;
}

/* Remove vector @v (caller holds vs->lock and a handle). */
static int vexfs_vec_remove(handle_t *handle, struct super_block *sb, struct vexfs_vent *v)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct buffer_head *tbh;
	int err;

	u32 aslot;

	tbh = vexfs_vtab_bh(handle, sb, v->id, false);
	if (IS_ERR(tbh))
		return PTR_ERR(tbh);
	/* its ANN index node dies with it (the caller holds vs->ann_lock) */
	err = vexfs_ann_slot_of(vs->ann, v->chunk->start, v->offset, &aslot);
	if (!err && aslot != VEXFS_ANN_NO_SLOT)
		err = vexfs_ann_kill(handle, vs->ann, aslot, v->id);
	if (err) {
		brelse(tbh);
		return err;
	}
	vexfs_vtab_put(handle, sb, tbh, v->id, NULL);
	err = vexfs_journal_dirty(handle, sb, tbh);
	brelse(tbh);
	if (err)
		return err;
	vexfs_vrec_free(handle, sb, v->chunk, v->offset, v->length);
	vs->bytes -= v->length;
	vexfs_vindex_del(&vs->index, v);
	kfree_rcu(v, rcu);
	return vexfs_vstore_sb_update(handle, sb);
}

static int vexfs_vec_detach(struct inode *inode, u64 id)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_vent *v;
	handle_t *handle;
	int err, err2;

	down_read(&vs->ann_lock);
	handle = vexfs_journal_start_revoke(sb, VEXFS_VEC_REMOVE_CREDITS + 2 +
					    vexfs_ann_reclaim_credits(vs->ann),
					    vexfs_vchunk_max_blocks(sb->s_blocksize));
	if (IS_ERR(handle)) {
		up_read(&vs->ann_lock);
		return PTR_ERR(handle);
	}
	mutex_lock(&vs->lock);
	v = vexfs_vindex_lookup(&vs->index, id);
	if (!v || v->ino != inode->i_ino) {
		err = -ENOENT;
	} else {
		err = vexfs_vec_remove(handle, sb, v);
		if (!err) {
			VEXFS_I(inode)->i_vec_count--;
			inode_set_ctime_current(inode);
			err = vexfs_mark_inode_dirty(handle, inode);
			/* the record is gone in this handle whatever the step does */
			err2 = vexfs_ann_reclaim(handle, vs->ann);
			err = err ? err : err2;
		}
	}
	mutex_unlock(&vs->lock);
	err2 = vexfs_journal_stop(handle);
	up_read(&vs->ann_lock);
	return err ? err : err2;
}

/* Whether the vector table lists vectors of inode @ino (iget's owner check). */
bool vexfs_vec_owned(struct super_block *sb, u64 ino)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;

	/* only the answer is used: the lookup's own RCU section is enough */
	return vs && vexfs_vindex_file(&vs->index, ino);
}

/*
 * Free every vector of an inode being deleted, in bounded transactions (the
 * inode stays on the orphan list until all is gone, so a crash resumes it).
 */
int vexfs_vec_evict(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	const int batch = 16;

	/*
	 * A file without vectors takes no lock: a half-made inode is put
	 * inside its creator's handle, where vs->ann_lock must not be taken.
	 */
	if (!vs || !vexfs_vec_owned(sb, inode->i_ino))
		return 0;
	for (;;) {
		struct vexfs_vfile *f;
		handle_t *handle;
		int i, err = 0, err2, rerr = 0;

		down_read(&vs->ann_lock);
		handle = vexfs_journal_start_revoke(sb, batch * VEXFS_VEC_REMOVE_CREDITS + 2 +
						    vexfs_ann_reclaim_credits(vs->ann),
						    batch * vexfs_vchunk_max_blocks(sb->s_blocksize));
		if (IS_ERR(handle)) {
			up_read(&vs->ann_lock);
			return PTR_ERR(handle);
		}
		mutex_lock(&vs->lock);
		for (i = 0; i < batch && !err; i++) {
			f = vexfs_vindex_file(&vs->index, inode->i_ino);
			if (!f)
				break;
			err = vexfs_vec_remove(handle, sb,
					       list_first_entry(&f->vents, struct vexfs_vent, flink));
			if (!err && VEXFS_I(inode)->i_vec_count)
				VEXFS_I(inode)->i_vec_count--;
		}
		if (i && !err)
			rerr = vexfs_ann_reclaim(handle, vs->ann);	/* once a handle */
		f = vexfs_vindex_file(&vs->index, inode->i_ino);
		mutex_unlock(&vs->lock);
		if (i && !err)
			err = vexfs_mark_inode_dirty(handle, inode);
		err = err ? err : rerr;
		err2 = vexfs_journal_stop(handle);
		up_read(&vs->ann_lock);
		if (err || err2)
			return err ? err : err2;
		if (!f)
			return 0;
	}
}

/* ---- reading ------------------------------------------------------------ */

struct vexfs_vref {
	u64 chunk;
	u32 offset;
	u32 length;
};

/* Where vector @id of @inode is, or -ENOENT. */
static int vexfs_vec_find(struct inode *inode, u64 id, struct vexfs_vref *ref)
{
	struct vexfs_vstore *vs = VEXFS_SB(inode->i_sb)->s_vstore;
	struct vexfs_vent *v;
	int err = -ENOENT;

	rcu_read_lock();
	v = vexfs_vindex_lookup(&vs->index, id);
	if (v && v->ino == inode->i_ino) {
		ref->chunk = READ_ONCE(v->chunk)->start;
		ref->offset = v->offset;
		ref->length = v->length;
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/* Read and validate a record into a new buffer (caller kvfree()s it). */
void *vexfs_vec_read(struct inode *inode, u64 id, u32 *lenp)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_vref ref;
	const char *why = "";
	void *rec;
	int err;

	err = vexfs_vec_find(inode, id, &ref);
	if (err)
		return ERR_PTR(err);
	rec = kvmalloc(ref.length, GFP_KERNEL_ACCOUNT);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	err = vexfs_vrec_io(NULL, sb, ref.chunk, ref.offset, rec, ref.length, false, false);
	if (!err && vexfs_vec_rec_validate(rec, ref.length, VEXFS_SB(sb)->s_csum_seed, id,
					   inode->i_ino, &why))
		err = vexfs_corrupt(sb, "vector %llu of inode %lu (chunk %llu + %u): %s",
				    id, inode->i_ino, ref.chunk, ref.offset, why);
	if (err) {
		kvfree(rec);
		return ERR_PTR(err);
	}
	*lenp = ref.length;
	return rec;
}

/* The id at position @pos of the file's list, or 0. */
static u64 vexfs_vec_at(struct inode *inode, u32 pos, u32 *count)
{
	struct vexfs_vstore *vs = VEXFS_SB(inode->i_sb)->s_vstore;
	struct vexfs_vfile *f;
	struct vexfs_vent *v;
	u64 id = 0;
	u32 i = 0;

	mutex_lock(&vs->lock);
	f = vexfs_vindex_file(&vs->index, inode->i_ino);
	*count = f ? f->count : 0;
	if (f && pos < f->count) {
		list_for_each_entry(v, &f->vents, flink) {
			if (i++ == pos) {
				id = v->id;
				break;
			}
		}
	}
	mutex_unlock(&vs->lock);
	return id;
}

/*
 * Up to @max ids of @inode's vectors above @after, ascending, into @ids.
 * Returns how many.
 */
u32 vexfs_vec_ids_after(struct inode *inode, u64 after, u64 *ids, u32 max)
{
	struct vexfs_vstore *vs = VEXFS_SB(inode->i_sb)->s_vstore;
	struct vexfs_vfile *f;
	struct vexfs_vent *v;
	u32 n = 0;

	mutex_lock(&vs->lock);
	f = vexfs_vindex_file(&vs->index, inode->i_ino);
	if (f) {
		list_for_each_entry(v, &f->vents, flink) {
			if (v->id <= after)
				continue;
			if (n == max)
				break;
			ids[n++] = v->id;
		}
	}
	mutex_unlock(&vs->lock);
	return n;
}

/* ---- codecs ------------------------------------------------------------- */

/*
 * Encode raw data at @data in place; returns the stored size or -errno.
 * PQ uses codebook @cb (checked by the caller against @dims).
 */
static int vexfs_vec_compress(u32 dtype, u32 comp, u32 dims, void *data,
			      const struct vexfs_cbook *cb)
{
	u32 stored = vexfs_vec_stored_size(dtype, comp, dims);
	void *enc;
	int err;

	if (comp == VEXFS_COMP_PQ) {
		enc = kmalloc(sizeof(struct vexfs_pq_ref) + cb->m, GFP_KERNEL_ACCOUNT);
		if (!enc)
			return -ENOMEM;
		err = vexfs_pq_encode(cb, data, enc);
		if (err > 0)
			memcpy(data, enc, err);
		kfree(enc);
		return err;
	}

	if (comp == VEXFS_COMP_SPARSE) {
		/* @data has room for VEXFS_VEC_MAX_DATA bytes */
		enc = kvmalloc(4 + 8 * (size_t)dims, GFP_KERNEL_ACCOUNT);
		if (!enc)
			return -ENOMEM;
		err = vexfs_vec_sparse_encode(data, dims, enc);
		if (err > 0)
			memcpy(data, enc, err);
		kvfree(enc);
		return err;
	}
	if (comp != VEXFS_COMP_SQ8 && comp != VEXFS_COMP_SQ4)
		return vexfs_vec_encode(dtype, comp, dims, data);
	enc = kvmalloc(stored, GFP_KERNEL_ACCOUNT);
	if (!enc)
		return -ENOMEM;
	err = vexfs_vq_sqv(true, data, dims, comp == VEXFS_COMP_SQ8 ? 8 : 4, enc);
	if (!err)
		memcpy(data, enc, stored);
	kvfree(enc);
	if (err == -ERANGE)
		err = -EINVAL;	/* max - min overflows float32 */
	return err ? err : stored;
}

/* Decode @len stored bytes to dims x dtype bytes in @out. */
int vexfs_vec_decompress(struct super_block *sb, u64 id, u32 dtype, u32 comp, u32 dims,
			 const void *in, u32 len, void *out)
{
	if (comp == VEXFS_COMP_PQ) {
		const struct vexfs_pq_ref *r = in;
		const struct vexfs_cbook *cb = vexfs_cb_find(sb, le32_to_cpu(r->pr_codebook));

		if (!vexfs_cb_matches(cb, dims, in, len))
			return vexfs_corrupt(sb, "vector %llu: PQ codebook %u missing or not the one it was encoded with",
					     id, le32_to_cpu(r->pr_codebook));
		vexfs_pq_decode(cb, in, out);
		return 0;
	}
	if (comp == VEXFS_COMP_SQ8 || comp == VEXFS_COMP_SQ4)
		return vexfs_vq_sqv(false, in, dims, comp == VEXFS_COMP_SQ8 ? 8 : 4, out);
	vexfs_vec_decode(dtype, comp, dims, in, out);
	return 0;
}

/* ---- ioctls ------------------------------------------------------------- */

/* Copy in a struct whose first member is its __u32 size. */
int vexfs_copy_arg(void *dst, size_t ksize, const void __user *uarg, u32 *usize)
{
	return vexfs_copy_arg_min(dst, ksize, ksize, uarg, usize);
}

/* The same for a struct that grew: a caller's from @min bytes (the rest zero). */
int vexfs_copy_arg_min(void *dst, size_t ksize, size_t min, const void __user *uarg, u32 *usize)
{
	int err;

	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < min)
		return -EINVAL;
	/* a newer caller's struct may be larger, but not past a page */
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(dst, ksize, uarg, *usize);
	return err;
}

static bool vexfs_vec_meta_from_user(struct vexfs_vec_meta *m, const struct vexfs_vec_user_meta *u)
{
	memcpy(m->vm_model, u->model, sizeof(m->vm_model));
	m->vm_model_version = cpu_to_le32(u->model_version);
	m->vm_confidence = cpu_to_le32(u->confidence);
	m->vm_ann = cpu_to_le64(u->reserved);
	return true;
}

static void vexfs_vec_meta_to_user(struct vexfs_vec_user_meta *u, const struct vexfs_vec_meta *m)
{
	memcpy(u->model, m->vm_model, sizeof(u->model));
	u->model_version = le32_to_cpu(m->vm_model_version);
	u->confidence = le32_to_cpu(m->vm_confidence);
	u->reserved = 0;
}

static void vexfs_vec_info_fill(struct vexfs_vec_info *info, const void *rec)
{
	const struct vexfs_vec_header *h = rec;

	memset(info, 0, sizeof(*info));
	info->vector_id = le64_to_cpu(h->vh_vector_id);
	info->file_inode = le64_to_cpu(h->vh_file_inode);
	info->dtype = le16_to_cpu(h->vh_dtype);
	info->compression = le16_to_cpu(h->vh_compression);
	info->dims = le32_to_cpu(h->vh_dimensions);
	info->original_size = le32_to_cpu(h->vh_original_size);
	info->stored_size = le32_to_cpu(h->vh_compressed_size);
	info->created_ns = le64_to_cpu(h->vh_created_ns);
	info->modified_ns = le64_to_cpu(h->vh_modified_ns);
	info->checksum = le32_to_cpu(h->vh_checksum);
	info->flags = le32_to_cpu(h->vh_flags);
	vexfs_vec_meta_to_user(&info->meta, (const void *)(h + 1));
}

static long vexfs_ioc_attach(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	const struct vexfs_cbook *cb = NULL;
	struct vexfs_ioc_attach a;
	struct vexfs_vec_meta meta;
	const char *why = "";
	void *rec = NULL;
	u64 id = 0, now;
	u32 usize, stored, pq_size = 0;
	long err;

	err = vexfs_copy_arg(&a, sizeof(a), uarg, &usize);
	if (err)
		return err;
	if (a.flags)
		return -EINVAL;
	vexfs_vec_meta_from_user(&meta, &a.meta);
	err = vexfs_vec_check_args(a.dtype, a.compression, a.dims, a.data_len, &meta, &why);
	if (err)
		return err;
	if (a.compression == VEXFS_COMP_PQ) {
		cb = a.codebook ? vexfs_cb_find(sb, a.codebook) : vexfs_cb_newest(sb, a.dims);
		if (!cb)
			return -ENOENT;
		if (cb->dims != a.dims)
			return -EINVAL;
		pq_size = sizeof(struct vexfs_pq_ref) + cb->m;
	} else if (a.codebook) {
		return -EINVAL;
	}
	if (!a.data)
		return -EFAULT;
	/* fail before storing anything if the id cannot be returned */
	if (put_user(0ULL, (u64 __user *)((u8 __user *)uarg +
					   offsetof(struct vexfs_ioc_attach, vector_id))))
		return -EFAULT;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE)) {
		err = -EBADF;
		goto out_drop;
	}
	if (IS_IMMUTABLE(inode) || IS_APPEND(inode)) {
		err = -EPERM;
		goto out_drop;
	}
	/* the stored form can be longer than the input (SQ of 1 or 2 dims) */
	rec = kvmalloc(vexfs_vec_rec_len(max3(a.data_len, pq_size,
					      a.compression == VEXFS_COMP_SPARSE ?
					      VEXFS_VEC_MAX_DATA :
					      vexfs_vec_stored_size(a.dtype, a.compression,
								    a.dims))), GFP_KERNEL_ACCOUNT);
	if (!rec) {
		err = -ENOMEM;
		goto out_drop;
	}
	if (copy_from_user((u8 *)rec + VEXFS_VEC_REC_HDR, u64_to_user_ptr(a.data), a.data_len)) {
		err = -EFAULT;
		goto out_drop;
	}
	err = vexfs_vec_compress(a.dtype, a.compression, a.dims, (u8 *)rec + VEXFS_VEC_REC_HDR, cb);
	if (err < 0)
		goto out_drop;
	stored = err;
	err = 0;
	now = ktime_get_real_ns();
	inode_lock(inode);
	if (vexfs_forced_shutdown(sb))
		err = -EIO;
	else
		err = vexfs_vec_store(inode, &id, a.dtype, a.compression, a.dims, rec,
				      stored, &meta, now, now);
	inode_unlock(inode);
	if (!err && put_user(id, (u64 __user *)((u8 __user *)uarg +
						 offsetof(struct vexfs_ioc_attach, vector_id))))
		err = -EFAULT;
out_drop:
	kvfree(rec);
	mnt_drop_write_file(file);
	return err;
}

static long vexfs_ioc_get(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_ioc_get g;
	u32 usize, len = 0, dlen;
	void *rec, *raw = NULL, *data;
	long err;

	err = vexfs_copy_arg(&g, sizeof(g), uarg, &usize);
	if (err)
		return err;
	if ((g.flags & ~VEXFS_VEC_GET_RAW) || g.pad)
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	inode_lock_shared(inode);
	rec = vexfs_vec_read(inode, g.vector_id, &len);
	inode_unlock_shared(inode);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	vexfs_vec_info_fill(&g.info, rec);
	data = (u8 *)rec + VEXFS_VEC_REC_HDR;
	dlen = len - VEXFS_VEC_REC_HDR;
	if (!(g.flags & VEXFS_VEC_GET_RAW) && g.info.compression != VEXFS_COMP_NONE) {
		dlen = g.info.original_size;
		raw = kvmalloc(dlen, GFP_KERNEL_ACCOUNT);
		if (!raw) {
			kvfree(rec);
			return -ENOMEM;
		}
		err = vexfs_vec_decompress(inode->i_sb, g.vector_id, g.info.dtype,
					   g.info.compression, g.info.dims, data, len - VEXFS_VEC_REC_HDR,
					   raw);
		data = raw;
	}
	if (err) {
		/* decoding failed: nothing is returned */
	} else if (g.data) {
		if (g.data_len < dlen)
			err = -ERANGE;
		else if (copy_to_user(u64_to_user_ptr(g.data), data, dlen))
			err = -EFAULT;
	}
	g.data_len = dlen;
	kvfree(raw);
	kvfree(rec);
	if (err && err != -ERANGE)
		return err;
	if (copy_to_user(uarg, &g, sizeof(g)))
		return -EFAULT;
	return err;
}

static long vexfs_ioc_list(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_vstore *vs = VEXFS_SB(inode->i_sb)->s_vstore;
	struct vexfs_ioc_list l;
	struct vexfs_vfile *f;
	struct vexfs_vent *v;
	u64 *ids = NULL;
	u32 usize, n = 0;
	long err;

	err = vexfs_copy_arg(&l, sizeof(l), uarg, &usize);
	if (err)
		return err;
	if (l.flags || l.capacity > VEXFS_VEC_LIST_MAX)
		return -EINVAL;
	if (l.capacity && !l.ids)
		return -EFAULT;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (l.capacity) {
		ids = kvmalloc_array(l.capacity, sizeof(u64), GFP_KERNEL_ACCOUNT);
		if (!ids)
			return -ENOMEM;
	}
	l.next_id = 0;
	l.total = 0;
	mutex_lock(&vs->lock);
	f = vexfs_vindex_file(&vs->index, inode->i_ino);
	if (f) {
		l.total = f->count;
		list_for_each_entry(v, &f->vents, flink) {
			if (v->id < l.start_id)
				continue;
			if (n == l.capacity) {
				l.next_id = v->id;
				break;
			}
			ids[n++] = v->id;
		}
	}
	mutex_unlock(&vs->lock);
	l.count = n;
	if (n && copy_to_user(u64_to_user_ptr(l.ids), ids, n * sizeof(u64)))
		err = -EFAULT;
	else if (copy_to_user(uarg, &l, sizeof(l)))
		err = -EFAULT;
	kvfree(ids);
	return err;
}

static long vexfs_ioc_detach(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct vexfs_ioc_detach d;
	u32 usize;
	long err;

	err = vexfs_copy_arg(&d, sizeof(d), uarg, &usize);
	if (err)
		return err;
	if (d.flags)
		return -EINVAL;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE)) {
		err = -EBADF;
	} else if (IS_IMMUTABLE(inode) || IS_APPEND(inode)) {
		err = -EPERM;
	} else {
		inode_lock(inode);
		err = vexfs_forced_shutdown(inode->i_sb) ? -EIO : vexfs_vec_detach(inode, d.vector_id);
		inode_unlock(inode);
	}
	mnt_drop_write_file(file);
	return err;
}

static long vexfs_ioc_stats(struct file *file, void __user *uarg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ioc_stats s;
	u32 usize;
	long err;

	err = vexfs_copy_arg(&s, sizeof(s), uarg, &usize);
	if (err)
		return err;
	if (s.flags)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	mutex_lock(&vs->lock);
	s.vectors = vs->index.count;
	s.files = vs->index.nfiles;
	s.live_bytes = vs->bytes;
	s.alloc_bytes = vs->va.chunk_blocks * sb->s_blocksize;
	s.chunks = vs->va.chunks;
	s.next_id = vs->next_id;
	mutex_unlock(&vs->lock);
	s.max_dims = VEXFS_VEC_MAX_DIMS;
	s.max_data = VEXFS_VEC_MAX_DATA;
	s.block_size = sb->s_blocksize;
	return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
}

static const unsigned int vexfs_vec_cmds[] = {
	[_IOC_NR(VEXFS_IOC_VEC_ATTACH)] = VEXFS_IOC_VEC_ATTACH,
	[_IOC_NR(VEXFS_IOC_VEC_GET)] = VEXFS_IOC_VEC_GET,
	[_IOC_NR(VEXFS_IOC_VEC_LIST)] = VEXFS_IOC_VEC_LIST,
	[_IOC_NR(VEXFS_IOC_VEC_DETACH)] = VEXFS_IOC_VEC_DETACH,
	[_IOC_NR(VEXFS_IOC_VEC_STATS)] = VEXFS_IOC_VEC_STATS,
	[_IOC_NR(VEXFS_IOC_CODEBOOK_ADD)] = VEXFS_IOC_CODEBOOK_ADD,
	[_IOC_NR(VEXFS_IOC_CODEBOOK_GET)] = VEXFS_IOC_CODEBOOK_GET,
	[_IOC_NR(VEXFS_IOC_SEARCH)] = VEXFS_IOC_SEARCH,
	[_IOC_NR(VEXFS_IOC_INO_PATHS)] = VEXFS_IOC_INO_PATHS,
	[_IOC_NR(VEXFS_IOC_INDEX)] = VEXFS_IOC_INDEX,
};

/* the smallest struct a call accepts: its first version's */
static unsigned int vexfs_vec_min_size(unsigned int nr)
{
	if (nr == _IOC_NR(VEXFS_IOC_SEARCH))
		return VEXFS_SEARCH_SIZE_V0;
	return _IOC_SIZE(vexfs_vec_cmds[nr]);
}

long vexfs_vec_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct inode *inode = file_inode(file);
	void __user *uarg = (void __user *)arg;

	unsigned int nr = _IOC_NR(cmd);

	/*
	 * Match the number and direction, not the size encoded in @cmd: the
	 * structs may grow, and their size field says which version came in.
	 */
	if (nr < _IOC_NR(VEXFS_IOC_VEC_ATTACH) || nr > _IOC_NR(VEXFS_IOC_INDEX) ||
	    _IOC_DIR(cmd) != _IOC_DIR(vexfs_vec_cmds[nr]) ||
	    _IOC_SIZE(cmd) < vexfs_vec_min_size(nr))
		return -ENOTTY;
	/* the per-filesystem calls work on any file or directory */
	if (nr < _IOC_NR(VEXFS_IOC_VEC_STATS) && !S_ISREG(inode->i_mode))
		return -ENOTTY;
	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (nr == _IOC_NR(VEXFS_IOC_INO_PATHS))
		return vexfs_ioc_ino_paths(file, uarg);
	if (!VEXFS_SB(inode->i_sb)->s_vstore)
		return -EOPNOTSUPP;
	switch (nr) {
	case _IOC_NR(VEXFS_IOC_VEC_ATTACH):
		return vexfs_ioc_attach(file, uarg);
	case _IOC_NR(VEXFS_IOC_VEC_GET):
		return vexfs_ioc_get(file, uarg);
	case _IOC_NR(VEXFS_IOC_VEC_LIST):
		return vexfs_ioc_list(file, uarg);
	case _IOC_NR(VEXFS_IOC_VEC_DETACH):
		return vexfs_ioc_detach(file, uarg);
	case _IOC_NR(VEXFS_IOC_VEC_STATS):
		return vexfs_ioc_stats(file, uarg);
	case _IOC_NR(VEXFS_IOC_CODEBOOK_ADD):
		return vexfs_ioc_cb_add(file, uarg);
	case _IOC_NR(VEXFS_IOC_CODEBOOK_GET):
		return vexfs_ioc_cb_get(file, uarg);
	case _IOC_NR(VEXFS_IOC_SEARCH):
		return vexfs_ioc_search(file, uarg);
	case _IOC_NR(VEXFS_IOC_INDEX):
		return vexfs_ioc_index(file, uarg);
	}
	return -ENOTTY;
}

/* ---- xattr view: user.vexfs.vec.NNNNN ----------------------------------- */

#define VEXFS_VEC_XNAME_LEN	(sizeof(VEXFS_VEC_XATTR_PREFIX) - 1 + 5)

/* "user.vexfs.*" belongs to VexFS: only the vector names below exist there. */
bool vexfs_vec_xattr_name(const char *name)
{
	return !strncmp(name, "vexfs.", 6);
}

/* Position from "vexfs.vec.NNNNN" (exactly five digits), or -EINVAL. */
static int vexfs_vec_xattr_pos(const char *name)
{
	const char *p = name + sizeof(VEXFS_VEC_XATTR_PREFIX) - 1;
	int i, pos = 0;

	if (strlen(name) != VEXFS_VEC_XNAME_LEN ||
	    strncmp(name, VEXFS_VEC_XATTR_PREFIX, sizeof(VEXFS_VEC_XATTR_PREFIX) - 1))
		return -EINVAL;
	for (i = 0; i < 5; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		pos = pos * 10 + (p[i] - '0');
	}
	return pos < VEXFS_VEC_MAX_PER_FILE ? pos : -EINVAL;
}

int vexfs_vec_xattr_get(struct inode *inode, const char *name, void *buf, size_t size)
{
	struct vexfs_vec_xattr *x;
	const struct vexfs_vec_header *h;
	int pos = vexfs_vec_xattr_pos(name), ret;
	u32 count, len, dlen;
	void *rec;
	u64 id;

	if (!VEXFS_SB(inode->i_sb)->s_vstore)
		return -EOPNOTSUPP;
	if (pos < 0)
		return -ENODATA;
	inode_lock_shared(inode);
	id = vexfs_vec_at(inode, pos, &count);
	rec = id ? vexfs_vec_read(inode, id, &len) : ERR_PTR(-ENODATA);
	inode_unlock_shared(inode);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	h = rec;
	dlen = len - VEXFS_VEC_REC_HDR;
	ret = sizeof(*x) + dlen;
	if (buf) {
		if (size < (size_t)ret) {
			ret = -ERANGE;
		} else {
			x = buf;
			memset(x, 0, sizeof(*x));
			x->vx_magic = cpu_to_le32(VEXFS_VEC_XATTR_MAGIC);
			x->vx_dtype = h->vh_dtype;
			x->vx_compression = h->vh_compression;
			x->vx_dims = h->vh_dimensions;
			x->vx_data_len = h->vh_compressed_size;
			x->vx_created_ns = h->vh_created_ns;
			x->vx_modified_ns = h->vh_modified_ns;
			memcpy(&x->vx_meta, (const u8 *)rec + sizeof(*h), sizeof(x->vx_meta));
			/* the record's ANN index node is the filesystem's own */
			x->vx_meta.reserved = 0;
			memcpy(x + 1, (u8 *)rec + VEXFS_VEC_REC_HDR, dlen);
		}
	}
	kvfree(rec);
	return ret;
}

/* Caller (the VFS) holds the inode's i_rwsem exclusively. */
int vexfs_vec_xattr_set(struct inode *inode, const char *name, const void *value,
			size_t size, int flags)
{
	const struct vexfs_vec_xattr *x = value;
	struct vexfs_vec_meta meta;
	const char *why = "";
	int pos = vexfs_vec_xattr_pos(name), err;
	u32 count, dlen;
	void *rec;
	u64 id;

	if (!VEXFS_SB(inode->i_sb)->s_vstore)
		return -EOPNOTSUPP;
	if (pos < 0)
		return -EINVAL;
	if (!S_ISREG(inode->i_mode))
		return -EPERM;
	id = vexfs_vec_at(inode, pos, &count);
	if (!value) {		/* removexattr */
		if (!id)
			return -ENODATA;
		return vexfs_vec_detach(inode, id);
	}
	if ((flags & XATTR_CREATE) && id)
		return -EEXIST;
	if ((flags & XATTR_REPLACE) && !id)
		return -ENODATA;
	if (!id && pos != count)
		return -EINVAL;		/* positions are dense: only the next one is new */
	if (size < sizeof(*x) || le32_to_cpu(x->vx_magic) != VEXFS_VEC_XATTR_MAGIC)
		return -EINVAL;
	dlen = le32_to_cpu(x->vx_data_len);
	if (size != sizeof(*x) + dlen)
		return -EINVAL;
	memcpy(&meta, &x->vx_meta, sizeof(meta));
	/* the value carries the data as stored (encoded) */
	err = vexfs_vec_check_args(le16_to_cpu(x->vx_dtype), le16_to_cpu(x->vx_compression),
				   le32_to_cpu(x->vx_dims),
				   vexfs_vec_raw_size(le16_to_cpu(x->vx_dtype),
						      le32_to_cpu(x->vx_dims)), &meta, &why);
	if (err)
		return err;
	if (!vexfs_vec_stored_ok(le16_to_cpu(x->vx_dtype), le16_to_cpu(x->vx_compression),
				 le32_to_cpu(x->vx_dims), x + 1, dlen))
		return -EINVAL;
	/* PQ codes only mean something with the very codebook they were made with */
	if (le16_to_cpu(x->vx_compression) == VEXFS_COMP_PQ &&
	    !vexfs_cb_matches(vexfs_cb_find(inode->i_sb,
					    le32_to_cpu(((const struct vexfs_pq_ref *)(x + 1))->pr_codebook)),
			      le32_to_cpu(x->vx_dims), x + 1, dlen))
		return -EINVAL;
	rec = kvmalloc(vexfs_vec_rec_len(dlen), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return -ENOMEM;
	memcpy((u8 *)rec + VEXFS_VEC_REC_HDR, x + 1, dlen);
	err = vexfs_vec_store(inode, &id, le16_to_cpu(x->vx_dtype),
			      le16_to_cpu(x->vx_compression), le32_to_cpu(x->vx_dims), rec, dlen,
			      &meta, le64_to_cpu(x->vx_created_ns),
			      id ? ktime_get_real_ns() : le64_to_cpu(x->vx_modified_ns));
	kvfree(rec);
	return err;
}

/* Append the names of the file's vectors to a listxattr buffer. */
ssize_t vexfs_vec_xattr_list(struct inode *inode, char *buf, size_t size)
{
	const size_t len = sizeof("user.") - 1 + VEXFS_VEC_XNAME_LEN + 1;
	struct vexfs_vstore *vs = VEXFS_SB(inode->i_sb)->s_vstore;
	struct vexfs_vfile *f;
	u32 count, i;

	if (!vs)
		return 0;
	mutex_lock(&vs->lock);
	f = vexfs_vindex_file(&vs->index, inode->i_ino);
	count = f ? f->count : 0;
	mutex_unlock(&vs->lock);
	if (!buf)
		return count * len;
	if (count * len > size)
		return -ERANGE;
	for (i = 0; i < count; i++)
		snprintf(buf + i * len, len, "user." VEXFS_VEC_XATTR_PREFIX "%05u", i % 100000);
	return count * len;
}

/* ---- mount / unmount ---------------------------------------------------- */

static int vexfs_vstore_add_entry(struct super_block *sb, u64 id, const struct vexfs_vloc *loc,
				  struct vexfs_vfile **spare)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	const struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	u32 grp = (u32)(loc->chunk / g->blocks_per_group);
	u32 bit = (u32)(loc->chunk % g->blocks_per_group);
	struct vexfs_vchunk *c;
	struct vexfs_vent *v;
	int err;

	if (bit < vexfs_group_overhead(g, grp) ||
	    bit + loc->chunk_blocks > vexfs_group_blocks(g, grp))
		return vexfs_corrupt(sb, "vector %llu: chunk %llu+%u overlaps group metadata",
				     id, loc->chunk, loc->chunk_blocks);
	c = xa_load(&vs->chunks, loc->chunk);
	if (!c) {
		err = vexfs_blocks_in_use(sb, loc->chunk, loc->chunk_blocks, "vector chunk");
		if (err)
			return err;
		c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
		if (!c)
			return -ENOMEM;
		vexfs_vchunk_init(c, loc->chunk, loc->chunk_blocks, sb->s_blocksize);
		err = xa_err(xa_store(&vs->chunks, loc->chunk, c, GFP_KERNEL_ACCOUNT));
		if (err) {
			kfree(c);
			return err;
		}
		vexfs_valloc_insert(&vs->va, c);
	} else if (vexfs_vchunk_blocks(sb, c) != loc->chunk_blocks) {
		return vexfs_corrupt(sb, "vector %llu: chunk %llu is %u blocks, earlier entries say %u",
				     id, loc->chunk, loc->chunk_blocks, vexfs_vchunk_blocks(sb, c));
	}
	if (vexfs_vchunk_mark(&vs->va, c, loc->offset / VEXFS_VEC_ALIGN,
			      vexfs_vec_slots(loc->length)))
		return vexfs_corrupt(sb, "vector %llu: record overlaps another in chunk %llu",
				     id, loc->chunk);
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->id = id;
	v->ino = loc->ino;
	v->chunk = c;
	v->offset = loc->offset;
	v->length = loc->length;
	if (!*spare)
		*spare = kzalloc(sizeof(**spare), GFP_KERNEL_ACCOUNT);
	err = vexfs_vindex_add(&vs->index, v, spare);
	if (err) {
		kfree(v);
		return err == -EEXIST || err == -EINVAL ?
			vexfs_corrupt(sb, "vector %llu listed twice", id) : err;
	}
	vs->bytes += loc->length;
	return 0;
}

static int vexfs_vstore_scan(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	u32 epb = vexfs_vtab_per_block(sb->s_blocksize);
	u64 nblk = DIV_ROUND_UP(vs->next_id, epb), lblk, last = 0;
	u64 tblocks = min_t(u64, nblk, DIV_ROUND_UP(i_size_read(vs->tab), sb->s_blocksize));
	struct vexfs_vfile *spare = NULL;
	int err = 0;

	for (lblk = 0; lblk < tblocks && !err; lblk++) {
		struct buffer_head *bh;
		bool is_new;
		u64 pblk, ra;
		u32 i;

		err = vexfs_map_block(NULL, vs->tab, lblk, 0, &pblk, &is_new);
		if (err || !pblk)
			continue;
		/* read ahead the next mapped table blocks once in a while */
		if (lblk >= last) {
			for (ra = lblk + 1; ra < tblocks && ra < lblk + 64; ra++) {
				u64 rb;

				if (!vexfs_map_block(NULL, vs->tab, ra, 0, &rb, &is_new) && rb)
					sb_breadahead(sb, rb);
			}
			last = lblk + 64;
		}
		bh = sb_bread(sb, pblk);
		if (!bh) {
			err = -EIO;
			break;
		}
		for (i = 0; i < epb && !err; i++) {
			const struct vexfs_vtab_entry *e = (const void *)bh->b_data + i * 32;
			u64 id = lblk * epb + i;
			struct vexfs_vloc loc;
			const char *why = "";
			int r;

			r = vexfs_vtab_decode(e, sbi->s_csum_seed, id, sb->s_blocksize, 1,
					      sbi->s_geom.blocks, sbi->s_geom.inodes, &loc, &why);
			if (r == 1)
				continue;
			if (r < 0 || !id || id >= vs->next_id || lblk >= nblk) {
				err = vexfs_corrupt(sb, "vector table entry %llu: %s", id,
						    r < 0 ? why : "id beyond the next id");
				break;
			}
			err = vexfs_vstore_add_entry(sb, id, &loc, &spare);
		}
		brelse(bh);
	}
	kfree(spare);
	return err;
}

static void vexfs_vstore_free(struct vexfs_vstore *vs)
{
	struct vexfs_vchunk *c;
	unsigned long idx;

	vexfs_search_kept_free(vs);
	vexfs_vindex_destroy(&vs->index);
	xa_for_each(&vs->chunks, idx, c)
		kfree(c);
	xa_destroy(&vs->chunks);
	iput(vs->tab);
	kvfree(vs);
}

int vexfs_vstore_load(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	struct vexfs_vstore *vs;
	struct inode *tab;
	int err;

	if (!(le64_to_cpu(es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_VECTORS)) {
		if ((le64_to_cpu(es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_CODEBOOKS) ||
		    es->s_cb_dir)
			return vexfs_corrupt(sb, "codebooks without a vector store");
		return 0;
	}
	if (le64_to_cpu(es->s_vec_root) != VEXFS_VECSTORE_INO || !le64_to_cpu(es->s_vec_next_id))
		return vexfs_corrupt(sb, "vector store root %llu / next id %llu invalid",
				     le64_to_cpu(es->s_vec_root), le64_to_cpu(es->s_vec_next_id));
	tab = vexfs_iget_vectab(sb);
	if (IS_ERR(tab))
		return PTR_ERR(tab);
	if (!S_ISREG(tab->i_mode) || tab->i_nlink != 1) {
		iput(tab);
		return vexfs_corrupt(sb, "vector table inode is not a regular file");
	}
	vs = kvzalloc(sizeof(*vs), GFP_KERNEL);
	if (!vs) {
		iput(tab);
		return -ENOMEM;
	}
	mutex_init(&vs->lock);
	spin_lock_init(&vs->kept_lock);
	xa_init(&vs->chunks);
	vexfs_valloc_init(&vs->va, sb->s_blocksize);
	vs->tab = tab;
	vs->next_id = le64_to_cpu(es->s_vec_next_id);
	err = vexfs_vindex_init(&vs->index);
	if (err) {
		iput(tab);
		kvfree(vs);
		return err;
	}
	sbi->s_vstore = vs;
	err = vexfs_vstore_scan(sb);
	if (!err)
		err = vexfs_cb_load(sb);
	if (!err) {
		err = vexfs_ann_load(sb);
		if (err)
			vexfs_cb_unload(sb);
	}
	if (err) {
		sbi->s_vstore = NULL;
		vexfs_vstore_free(vs);
		return err;
	}
	if (vs->index.count != le64_to_cpu(es->s_vec_count) || vs->bytes != le64_to_cpu(es->s_vec_bytes) ||
	    vs->va.chunk_blocks != le64_to_cpu(es->s_vec_blocks))
		vexfs_msg(sb, "vector counters in the superblock differ from the table; using the table's");
	return 0;
}

void vexfs_vstore_unload(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (!sbi->s_vstore)
		return;
	vexfs_ann_unload(sb);
	vexfs_cb_unload(sb);
	vexfs_vstore_free(sbi->s_vstore);
	sbi->s_vstore = NULL;
}
