// SPDX-License-Identifier: GPL-2.0
/*
 * shift.c - FALLOC_FL_COLLAPSE_RANGE and FALLOC_FL_INSERT_RANGE: the file's
 * blocks from an offset on move down (collapse) or up (insert) by a whole
 * number of blocks.
 *
 * A block map has no extents to shift, but its pointers are arrays: the
 * logical-to-physical map of a file is the inode's direct pointers followed
 * by one leaf indirect block per VEXFS ptrs-per-block logical blocks. A
 * shift by n rewrites it window by window, a window being the part of one
 * such array inside the moved range: its new pointers are read from the
 * map n blocks away (at most two arrays), written in one go, and the source
 * slots outside the window are cleared, in the same handle. So a shift
 * costs one array update per window, not one map walk per block, the data
 * blocks are neither copied nor rewritten, and no committed transaction
 * has a block mapped twice or not at all. Collapse goes through the windows
 * upwards, insert downwards, so every slot a window overwrites is either
 * one of its own sources or already empty (checked: a mapped block there is
 * corruption, and nothing is lost). Windows whose sources are holes are
 * skipped without creating leaves.
 *
 * The handle grows with jbd2_journal_extend while the running transaction
 * has room, so a shift touching up to a few hundred arrays (hundreds of MiB
 * of contiguous file with 4 KiB blocks) commits as one transaction; a
 * larger one restarts between two windows, and a crash there leaves the
 * file consistent but partly shifted, as ext4's and XFS's extent shifts do
 * (Documentation/features.rst).
 *
 * Order, as ext4's: write back and drop the page cache from the offset on;
 * collapse frees the range, moves the blocks after it down, then shrinks
 * i_size; insert grows i_size, then moves the blocks up. Indirect blocks
 * left empty in the moved range are freed at the end. Before anything
 * changes, the free blocks must cover the indirect blocks the destinations
 * may need (ENOSPC otherwise).
 */
#include "vexfs.h"

/* One window: its destination array, two source arrays, new indirect blocks. */
#define VEXFS_CREDITS_WINDOW	(VEXFS_CREDITS_BLOCK + 6)

/* The first logical block of the next block-map array after @lblk's. */
static u64 vexfs_window_end(struct super_block *sb, u64 lblk)
{
	u64 p = vexfs_ptrs_per_block(sb->s_blocksize);

	if (lblk < VEXFS_NDIR_BLOCKS)
		return VEXFS_NDIR_BLOCKS;
	/* the leaves of every indirection level start at VEXFS_NDIR_BLOCKS mod p */
	return VEXFS_NDIR_BLOCKS + ((lblk - VEXFS_NDIR_BLOCKS) / p + 1) * p;
}

static u64 vexfs_window_start(struct super_block *sb, u64 lblk)
{
	u64 p = vexfs_ptrs_per_block(sb->s_blocksize);

	if (lblk < VEXFS_NDIR_BLOCKS)
		return 0;
	return VEXFS_NDIR_BLOCKS + (lblk - VEXFS_NDIR_BLOCKS) / p * p;
}

/*
 * Read the pointers of [@lblk, @lblk + @cnt) into @out (0 for holes); the
 * range may span two arrays. Caller holds i_map_sem.
 */
static int vexfs_shift_gather(struct inode *inode, u64 lblk, u64 cnt, u64 *out)
{
	struct super_block *sb = inode->i_sb;

	while (cnt) {
		u64 k = min(cnt, vexfs_window_end(sb, lblk) - lblk), i;
		struct buffer_head *bh;
		__le64 *ptrs;
		u32 idx;
		int err;

		err = __vexfs_leaf_get(NULL, inode, lblk, false, &bh, &ptrs, &idx);
		if (err)
			return err;
		for (i = 0; i < k; i++) {
			out[i] = ptrs ? le64_to_cpu(ptrs[idx + i]) : 0;
			if (out[i] && !vexfs_data_block(&VEXFS_SB(sb)->s_geom, out[i])) {
				brelse(bh);
				return vexfs_corrupt(sb, "inode %lu: block %llu out of range",
						     inode->i_ino, out[i]);
			}
		}
		brelse(bh);
		lblk += k;
		out += k;
		cnt -= k;
	}
	return 0;
}

/*
 * Set the pointers of [@lblk, @lblk + @cnt) to @vals (NULL: clear them);
 * a missing array is created only to hold a block. With @vals, every slot
 * of [@z0, @z1) must be empty before. Caller holds i_map_sem for writing.
 */
static int vexfs_shift_put(handle_t *handle, struct inode *inode, u64 lblk, u64 cnt,
			   const u64 *vals, u64 z0, u64 z1)
{
	struct super_block *sb = inode->i_sb;

	while (cnt) {
		u64 k = min(cnt, vexfs_window_end(sb, lblk) - lblk), i;
		bool any = false;
		struct buffer_head *bh;
		__le64 *ptrs;
		u32 idx;
		int err;

		for (i = 0; vals && i < k && !any; i++)
			any = vals[i] != 0;
		err = __vexfs_leaf_get(handle, inode, lblk, any, &bh, &ptrs, &idx);
		if (err)
			return err;
		for (i = 0; ptrs && i < k; i++) {
			if (lblk + i >= z0 && lblk + i < z1 && ptrs[idx + i]) {
				brelse(bh);
				return vexfs_corrupt(sb, "inode %lu: block %llu is mapped where a shift moves another (%llu)",
						     inode->i_ino, le64_to_cpu(ptrs[idx + i]),
						     lblk + i);
			}
		}
		if (ptrs)
			err = __vexfs_leaf_write(handle, inode, bh, idx, vals, k);
		brelse(bh);
		if (err)
			return err;
		lblk += k;
		if (vals)
			vals += k;
		cnt -= k;
	}
	return 0;
}

/*
 * Move the pointers of [@src, @src + @cnt) to [@dst, @dst + @cnt), @dst
 * being one window, and clear the sources outside it: one all-or-nothing
 * step of a shift. Caller holds i_map_sem for writing.
 */
static int vexfs_shift_window(handle_t *handle, struct inode *inode, u64 dst, u64 src,
			      u64 cnt, u64 *buf)
{
	u64 i, c0, c1, z0, z1;
	int err;

	err = vexfs_ensure_credits(handle, inode, VEXFS_CREDITS_WINDOW);
	if (err)
		return err;
	err = vexfs_shift_gather(inode, src, cnt, buf);
	if (err)
		return err;
	for (i = 0; i < cnt && !buf[i]; i++)
		;
	if (i == cnt)
		return 0;	/* only holes: they land on holes */
	/* the window's slots that are not its own sources must be empty */
	if (src > dst) {		/* down: [dst, src) */
		z0 = dst;
		z1 = min(src, dst + cnt);
		c0 = max(dst + cnt, src);
		c1 = src + cnt;
	} else {			/* up: [src + cnt, dst + cnt) */
		z0 = max(dst, src + cnt);
		z1 = dst + cnt;
		c0 = src;
		c1 = min(dst, src + cnt);
	}
	err = vexfs_shift_put(handle, inode, dst, cnt, buf, z0, z1);
	if (!err && c0 < c1)
		err = vexfs_shift_put(handle, inode, c0, c1 - c0, NULL, 0, 0);
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
 * The indirect blocks that moving @blocks mapped blocks may create (a leaf
 * per array they land in, the levels above, margin). Refused up front, so
 * an ENOSPC normally changes nothing.
 */
static int vexfs_shift_room(struct inode *inode, u64 blocks)
{
	struct super_block *sb = inode->i_sb;
	u64 need = 2 * (blocks / vexfs_ptrs_per_block(sb->s_blocksize) + 4);

	if (percpu_counter_sum_positive(&VEXFS_SB(sb)->s_free_blocks) < need)
		return -ENOSPC;
	return 0;
}

/*
 * Write back and drop the page cache from @offset (rounded to a page) on,
 * find the mapped end of the file from @from and check the room.
 */
static int vexfs_shift_prepare(struct inode *inode, loff_t offset, u64 from, u64 *end)
{
	u64 mapped;
	int err;

	err = filemap_write_and_wait_range(inode->i_mapping, round_down(offset, PAGE_SIZE),
					   LLONG_MAX);
	if (err)
		return err;
	truncate_pagecache(inode, round_down(offset, PAGE_SIZE));
	err = vexfs_mapped_end(inode, from, end, &mapped);
	if (err)
		return err;
	return vexfs_shift_room(inode, mapped);
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

/* Move [@first + @n, @end) down by @n, window by window upwards. */
static int vexfs_collapse_blocks(handle_t *handle, struct inode *inode, u64 first, u64 end,
				 u64 n, u64 *buf)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 d0 = first, d1, pblk, hole;
	int err = 0;

	while (!err && d0 + n < end) {
		d1 = min(vexfs_window_end(sb, d0), end - n);
		/* a hole in the sources: the windows it covers land on holes */
		err = vexfs_map_run(inode, d0 + n, end - d0 - n, &pblk, &hole);
		if (err)
			break;
		if (!pblk && d0 + hole >= d1) {
			d0 = max(d1, vexfs_window_start(sb, d0 + hole));
			continue;
		}
		down_write(&vi->i_map_sem);
		err = vexfs_shift_window(handle, inode, d0, d0 + n, d1 - d0, buf);
		up_write(&vi->i_map_sem);
		d0 = d1;
		cond_resched();
	}
	return err;
}

/* Move [@first, @end) up by @n, window by window downwards. */
static int vexfs_insert_blocks(handle_t *handle, struct inode *inode, u64 first, u64 end,
			       u64 n, u64 *buf)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 d1 = end + n, d0;
	int err = 0;

	while (!err && d1 > first + n) {
		d0 = max(vexfs_window_start(sb, d1 - 1), first + n);
		down_write(&vi->i_map_sem);
		err = vexfs_shift_window(handle, inode, d0, d0 - n, d1 - d0, buf);
		up_write(&vi->i_map_sem);
		d1 = d0;
		cond_resched();
	}
	return err;
}

/*
 * FALLOC_FL_COLLAPSE_RANGE (@insert false): remove [@offset, @offset + @len)
 * from the file, what follows moves down. FALLOC_FL_INSERT_RANGE: insert a
 * hole of @len bytes at @offset, what follows moves up. Caller holds i_rwsem.
 */
int vexfs_shift_range(struct inode *inode, loff_t offset, loff_t len, bool insert)
{
	struct super_block *sb = inode->i_sb;
	struct address_space *mapping = inode->i_mapping;
	u64 first = offset >> sb->s_blocksize_bits, n = len >> sb->s_blocksize_bits, end;
	loff_t size = i_size_read(inode);
	handle_t *handle;
	u64 *buf;
	int err;

	if ((offset | len) & (sb->s_blocksize - 1))
		return -EINVAL;
	if (insert ? offset >= size : offset + len >= size)
		return -EINVAL;
	if (insert && len > sb->s_maxbytes - size)
		return -EFBIG;
	buf = kmalloc_array(vexfs_ptrs_per_block(sb->s_blocksize), sizeof(u64),
			    GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	inode_dio_wait(inode);
	filemap_invalidate_lock(mapping);
	err = vexfs_shift_prepare(inode, offset, insert ? first : first + n, &end);
	if (err)
		goto out;
	/* blocks preallocated past EOF move too: they must stay mappable */
	if (insert && end + n > vexfs_max_lblk(sb->s_blocksize)) {
		err = -EFBIG;
		goto out;
	}
	handle = vexfs_journal_start_revoke(sb, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out;
	}
	if (insert) {
		/* first, so that every block moved past the old EOF is inside the file */
		i_size_write(inode, size + len);
		err = vexfs_mark_inode_dirty(handle, inode);
		if (!err)
			err = vexfs_insert_blocks(handle, inode, first, end, n, buf);
		if (!err)
			err = vexfs_shift_free(handle, inode, first, end + n, true);
	} else {
		err = vexfs_shift_free(handle, inode, first, first + n, false);
		if (!err)
			err = vexfs_collapse_blocks(handle, inode, first, end, n, buf);
		if (!err)
			err = vexfs_shift_free(handle, inode, first, end, true);
		if (!err && handle->h_transaction)
			i_size_write(inode, size - len);
	}
	err = vexfs_map_change_stop(handle, inode, err);
out:
	filemap_invalidate_unlock(mapping);
	kfree(buf);
	return err;
}
