// SPDX-License-Identifier: GPL-2.0
/*
 * shift.c - FALLOC_FL_COLLAPSE_RANGE and FALLOC_FL_INSERT_RANGE: the file's
 * blocks from an offset on move down (collapse) or up (insert) by a whole
 * number of blocks.
 *
 * A block map has no extents to shift, so every mapped block moves on its
 * own: its pointer is set at the destination (creating the indirect blocks
 * on the way) and cleared at the source, in the same handle. No committed
 * transaction ever has a block mapped twice or not at all, and the data
 * blocks themselves are neither copied nor rewritten. The handle grows with
 * jbd2_journal_extend while the running transaction has room, so a shift of
 * up to a few thousand blocks commits as one transaction; a larger one
 * restarts the handle between two moves, and a crash there leaves the file
 * consistent but partly shifted, as ext4's and XFS's extent shifts do
 * (Documentation/features.rst).
 *
 * Order, as ext4's: write back and drop the page cache from the offset on;
 * collapse frees the range, moves the blocks after it down, then shrinks
 * i_size; insert grows i_size, then moves the blocks from the last one
 * down to the offset up. Destinations are always holes: collapse moves in
 * ascending order into the freed range or the places already vacated,
 * insert in descending order. Indirect blocks left empty anywhere in the
 * moved range are freed at the end. Before anything changes, the free blocks must cover the indirect
 * blocks the destinations may need (ENOSPC otherwise).
 */
#include "vexfs.h"

/* Blocks whose runs insert collects before moving them, last first. */
#define VEXFS_SHIFT_WINDOW	512
/* One move: a mapping with up to 3 new indirect blocks, one pointer cleared. */
#define VEXFS_CREDITS_MOVE	(VEXFS_CREDITS_BLOCK + 2)

struct vexfs_run {
	u64 lblk;
	u64 pblk;
	u64 count;
};

/*
 * Move the blocks of run @r by @n blocks (up if @up, last block first).
 * Each move is all or nothing inside @handle.
 */
static int vexfs_move_run(handle_t *handle, struct inode *inode,
			  const struct vexfs_run *r, bool up, u64 n)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err = 0;
	u64 i;

	down_write(&vi->i_map_sem);
	for (i = 0; i < r->count; i++) {
		u64 j = up ? r->count - 1 - i : i;
		u64 from = r->lblk + j, to = up ? from + n : from - n;
		u64 pblk = r->pblk + j, old;

		err = vexfs_ensure_credits(handle, inode, VEXFS_CREDITS_MOVE);
		if (err)
			break;
		err = __vexfs_map_block(handle, inode, to, VEXFS_MAP_SET, &pblk, NULL);
		if (err)
			break;
		err = __vexfs_map_clear(handle, inode, from, &old);
		if (!err && old != r->pblk + j)
			err = vexfs_corrupt(inode->i_sb,
					    "inode %lu: block %llu changed under a shift (%llu, was %llu)",
					    inode->i_ino, from, old, r->pblk + j);
		if (err) {
			/* the source stays: take the copy back */
			__vexfs_map_clear(handle, inode, to, &old);
			break;
		}
	}
	up_write(&vi->i_map_sem);
	return err;
}

/* The end (last mapped block + 1) of the blocks at or after @from, or @from. */
static int vexfs_mapped_end(struct inode *inode, u64 from, u64 *end, u64 *mapped)
{
	u64 maxl = vexfs_max_lblk(inode->i_sb->s_blocksize), lblk, pblk, count;
	int err;

	*end = from;
	*mapped = 0;
	for (lblk = from; lblk < maxl; lblk += count) {
		err = vexfs_map_run(inode, lblk, maxl - lblk, &pblk, &count);
		if (err)
			return err;
		if (pblk) {
			*end = lblk + count;
			*mapped += count;
		}
		cond_resched();
	}
	return 0;
}

/*
 * The indirect blocks that moving @blocks blocks may create: one leaf per
 * VEXFS_SHIFT_WINDOW-aligned span they land in and the levels above, with
 * margin. Refused up front, so an ENOSPC changes nothing.
 */
static int vexfs_shift_room(struct inode *inode, u64 blocks)
{
	struct super_block *sb = inode->i_sb;
	u64 p = vexfs_ptrs_per_block(sb->s_blocksize);
	u64 need = 2 * (blocks / p + 4);

	if (percpu_counter_sum_positive(&VEXFS_SB(sb)->s_free_blocks) < need)
		return -ENOSPC;
	return 0;
}

/* Write back and drop the page cache from @offset (rounded to a page) on. */
static int vexfs_shift_prepare(struct inode *inode, loff_t offset)
{
	loff_t ioffset = round_down(offset, PAGE_SIZE);
	int err;

	err = filemap_write_and_wait_range(inode->i_mapping, ioffset, LLONG_MAX);
	if (err)
		return err;
	truncate_pagecache(inode, ioffset);
	return 0;
}

static int vexfs_shift_finish(handle_t *handle, struct inode *inode, int err)
{
	int err2;

	if (handle->h_transaction) {
		VEXFS_I(inode)->i_datasync_tid = handle->h_transaction->t_tid;
		inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
		err2 = vexfs_mark_inode_dirty(handle, inode);
		if (!err)
			err = err2;
	}
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

/* Free the blocks of [@first, @end), or with @prune its empty indirect blocks. */
static int vexfs_shift_free(handle_t *handle, struct inode *inode, u64 first, u64 end,
			    bool prune)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	if (first >= end)
		return 0;
	down_write(&vi->i_map_sem);
	if (prune)
		err = __vexfs_prune_range(handle, inode, first, end);
	else
		err = __vexfs_free_range(handle, inode, first, end);
	up_write(&vi->i_map_sem);
	return err;
}

/*
 * FALLOC_FL_COLLAPSE_RANGE: remove [@offset, @offset + @len) from the file;
 * what follows moves down. Caller holds i_rwsem.
 */
int vexfs_collapse_range(struct inode *inode, loff_t offset, loff_t len)
{
	struct super_block *sb = inode->i_sb;
	struct address_space *mapping = inode->i_mapping;
	u64 first = offset >> sb->s_blocksize_bits, n = len >> sb->s_blocksize_bits;
	u64 lblk, end, mapped, count;
	loff_t size = i_size_read(inode);
	handle_t *handle;
	int err;

	if ((offset | len) & (sb->s_blocksize - 1))
		return -EINVAL;
	if (offset + len >= size)
		return -EINVAL;
	inode_dio_wait(inode);
	filemap_invalidate_lock(mapping);
	err = vexfs_shift_prepare(inode, offset);
	if (err)
		goto out;
	err = vexfs_mapped_end(inode, first + n, &end, &mapped);
	if (err)
		goto out;
	err = vexfs_shift_room(inode, mapped);
	if (err)
		goto out;
	handle = vexfs_journal_start_revoke(sb, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out;
	}
	err = vexfs_shift_free(handle, inode, first, first + n, false);
	for (lblk = first + n; !err && lblk < end; lblk += count) {
		struct vexfs_run r = { .lblk = lblk };

		err = vexfs_map_run(inode, lblk, end - lblk, &r.pblk, &count);
		if (err)
			break;
		r.count = count;
		if (r.pblk)
			err = vexfs_move_run(handle, inode, &r, false, n);
		cond_resched();
	}
	if (!err)
		err = vexfs_shift_free(handle, inode, first, end, true);
	if (!err && handle->h_transaction)
		i_size_write(inode, size - len);
	err = vexfs_shift_finish(handle, inode, err);
out:
	filemap_invalidate_unlock(mapping);
	return err;
}

/*
 * Move the blocks of [@first, @end) up by @n, the last first: the runs of
 * one window of blocks are collected, then moved in reverse.
 */
static int vexfs_insert_blocks(handle_t *handle, struct inode *inode, u64 first, u64 end,
			       u64 n)
{
	struct vexfs_run *runs;
	u64 hi, lo, lblk, count;
	int err = 0, nr;

	runs = kmalloc_array(VEXFS_SHIFT_WINDOW, sizeof(*runs), GFP_KERNEL_ACCOUNT);
	if (!runs)
		return -ENOMEM;
	for (hi = end; !err && hi > first; hi = lo) {
		lo = max(first, round_down(hi - 1, VEXFS_SHIFT_WINDOW));
		nr = 0;
		for (lblk = lo; lblk < hi; lblk += count) {
			struct vexfs_run *r = &runs[nr];

			err = vexfs_map_run(inode, lblk, hi - lblk, &r->pblk, &count);
			if (err)
				break;
			r->lblk = lblk;
			r->count = count;
			if (r->pblk)
				nr++;	/* at most one run per block of the window */
		}
		while (!err && nr-- > 0)
			err = vexfs_move_run(handle, inode, &runs[nr], true, n);
		cond_resched();
	}
	kfree(runs);
	return err;
}

/*
 * FALLOC_FL_INSERT_RANGE: insert a hole of @len bytes at @offset; what
 * follows moves up. Caller holds i_rwsem.
 */
int vexfs_insert_range(struct inode *inode, loff_t offset, loff_t len)
{
	struct super_block *sb = inode->i_sb;
	struct address_space *mapping = inode->i_mapping;
	u64 first = offset >> sb->s_blocksize_bits, n = len >> sb->s_blocksize_bits;
	u64 end, mapped;
	loff_t size = i_size_read(inode);
	handle_t *handle;
	int err;

	if ((offset | len) & (sb->s_blocksize - 1))
		return -EINVAL;
	if (offset >= size)
		return -EINVAL;
	if (len > sb->s_maxbytes - size)
		return -EFBIG;
	inode_dio_wait(inode);
	filemap_invalidate_lock(mapping);
	err = vexfs_shift_prepare(inode, offset);
	if (err)
		goto out;
	err = vexfs_mapped_end(inode, first, &end, &mapped);
	if (err)
		goto out;
	/* blocks preallocated past EOF move too: they must stay mappable */
	if (end + n > vexfs_max_lblk(sb->s_blocksize)) {
		err = -EFBIG;
		goto out;
	}
	err = vexfs_shift_room(inode, mapped);
	if (err)
		goto out;
	handle = vexfs_journal_start_revoke(sb, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out;
	}
	/* first, so that every block moved past the old EOF is inside the file */
	i_size_write(inode, size + len);
	err = vexfs_mark_inode_dirty(handle, inode);
	if (!err)
		err = vexfs_insert_blocks(handle, inode, first, end, n);
	if (!err)
		err = vexfs_shift_free(handle, inode, first, end + n, true);
	err = vexfs_shift_finish(handle, inode, err);
out:
	filemap_invalidate_unlock(mapping);
	return err;
}
