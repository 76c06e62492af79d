// SPDX-License-Identifier: GPL-2.0
/*
 * balloc.c - block and inode allocation over per-group bitmaps.
 *
 * Every group has one block bitmap and one inode bitmap block whose CRC32C is
 * kept in the group descriptor; both change together inside one handle, under
 * the group's spinlock. Free counts are per-group in the descriptors, summed
 * into percpu counters at mount.
 */
#include <linux/random.h>
#include "vexfs.h"

struct vexfs_group_desc *vexfs_get_gd(struct super_block *sb, u32 grp,
				      struct buffer_head **bhp)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct buffer_head *bh = sbi->s_gdt_bh[grp / sbi->s_desc_per_block];

	if (bhp)
		*bhp = bh;
	return (struct vexfs_group_desc *)bh->b_data + grp % sbi->s_desc_per_block;
}

static void vexfs_gd_update_csum(struct super_block *sb, u32 grp,
				 struct vexfs_group_desc *gd)
{
	gd->bg_checksum = cpu_to_le32(vexfs_gd_csum(VEXFS_SB(sb)->s_csum_seed, grp, gd));
}

static struct buffer_head *vexfs_read_bitmap(struct super_block *sb, u32 grp,
					     bool inodes)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_group_info *gi = &sbi->s_groups[grp];
	struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, NULL);
	u64 blk = le64_to_cpu(inodes ? gd->bg_inode_bitmap : gd->bg_block_bitmap);
	bool *verified = inodes ? &gi->ibm_verified : &gi->bbm_verified;
	struct buffer_head *bh;
	u32 bytes = inodes ? sbi->s_geom.inodes_per_group / 8 : sbi->s_geom.block_size;
	u32 want, got, meta, hole;

	bh = sb_bread(sb, blk);
	if (!bh) {
		vexfs_err(sb, "cannot read %s bitmap of group %u", inodes ? "inode" : "block", grp);
		return ERR_PTR(-EIO);
	}
	if (READ_ONCE(*verified))
		return bh;
	spin_lock(&gi->lock);
	want = le32_to_cpu(inodes ? gd->bg_inode_bitmap_csum : gd->bg_block_bitmap_csum);
	got = vexfs_bitmap_csum(sbi->s_csum_seed, bh->b_data, bytes);
	/*
	 * As ext4_valid_block_bitmap(): a block bitmap that marks one of its
	 * group's fixed metadata blocks (superblock, descriptors, journal,
	 * bitmaps, inode table) free would hand it out.
	 */
	meta = inodes ? 0 : vexfs_group_overhead(&sbi->s_geom, grp);
	hole = vexfs_find_next_zero((u8 *)bh->b_data, meta, 0);
	if (want == got && hole >= meta)
		WRITE_ONCE(*verified, true);
	spin_unlock(&gi->lock);
	if (want == got && hole < meta) {
		brelse(bh);
		vexfs_err(sb, "corrupt metadata: block bitmap of group %u marks metadata block %llu free",
			  grp, (u64)grp * sbi->s_geom.blocks_per_group + hole);
		return ERR_PTR(-EUCLEAN);
	}
	if (want != got) {
		brelse(bh);
		vexfs_err(sb, "corrupt metadata: %s bitmap of group %u fails its checksum",
			  inodes ? "inode" : "block", grp);
		return ERR_PTR(-EUCLEAN);
	}
	return bh;
}

/*
 * Whether @count blocks from @start (inside one group) are all marked in use:
 * what the mount checks of extents only the vector store or the codebooks
 * know about (a chunk marked free would be allocated to a file as well).
 */
int vexfs_blocks_in_use(struct super_block *sb, u64 start, u32 count, const char *what)
{
	const struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	u32 grp = (u32)(start / g->blocks_per_group);
	u32 bit = (u32)(start % g->blocks_per_group), i;
	struct buffer_head *bh;

	bh = vexfs_read_block_bitmap(sb, grp);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	for (i = 0; i < count; i++)
		if (!vexfs_test_bit((u8 *)bh->b_data, bit + i))
			break;
	brelse(bh);
	if (i < count)
		return vexfs_corrupt(sb, "%s %llu+%u: block %llu is free in the block bitmap",
				     what, start, count, start + i);
	return 0;
}

struct buffer_head *vexfs_read_block_bitmap(struct super_block *sb, u32 grp)
{
	return vexfs_read_bitmap(sb, grp, false);
}

struct buffer_head *vexfs_read_inode_bitmap(struct super_block *sb, u32 grp)
{
	return vexfs_read_bitmap(sb, grp, true);
}

/*
 * Whether inode @ino is allocated in its group's bitmap: 1 yes, 0 no, or an
 * error. Mkfs does not zero inode tables and a freed slot keeps its bytes,
 * so for a number from userspace (a file handle, INO_PATHS) the bitmap, not
 * the slot, says whether the inode exists.
 */
int vexfs_inode_allocated(struct super_block *sb, u64 ino)
{
	const struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	u32 grp = (u32)((ino - 1) / g->inodes_per_group);
	struct buffer_head *bh = vexfs_read_inode_bitmap(sb, grp);
	int used;

	if (IS_ERR(bh))
		return PTR_ERR(bh);
	used = vexfs_test_bit((u8 *)bh->b_data, (u32)((ino - 1) % g->inodes_per_group));
	brelse(bh);
	return used;
}

/*
 * Blocks freed by a transaction that has not committed yet must not be
 * reused: after a crash the old owner would get them back with new contents,
 * and jbd2 refuses create access to a buffer still owned by the committing
 * transaction. As ext3 did, block bitmaps are taken with undo access: jbd2
 * keeps the last committed bitmap in b_committed_data, a block is allocatable
 * only if free in both, and a free also marks the committed copy.
 */
static bool vexfs_committed_busy(struct buffer_head *bh, u32 bit)
{
	struct journal_head *jh;
	bool busy = false;

	if (!buffer_jbd(bh))
		return false;
	jh = bh2jh(bh);
	spin_lock(&jh->b_state_lock);
	if (jh->b_committed_data)
		busy = vexfs_test_bit((u8 *)jh->b_committed_data, bit);
	spin_unlock(&jh->b_state_lock);
	return busy;
}

/* Free in the bitmap but not allocatable: uncommitted free, or being discarded. */
static bool vexfs_busy(struct vexfs_group_info *gi, struct buffer_head *bh, u32 bit)
{
	return bit - gi->trim_start < gi->trim_len || vexfs_committed_busy(bh, bit);
}

/* Under gi->lock. */
static u32 vexfs_find_allocatable(struct vexfs_group_info *gi, struct buffer_head *bh,
				  u32 nbits, u32 start)
{
	u32 bit = vexfs_find_next_zero((u8 *)bh->b_data, nbits, start);

	while (bit < nbits && vexfs_busy(gi, bh, bit))
		bit = vexfs_find_next_zero((u8 *)bh->b_data, nbits, bit + 1);
	return bit;
}

static u32 vexfs_allocatable_run(struct vexfs_group_info *gi, struct buffer_head *bh,
				 u32 nbits, u32 bit, u32 max)
{
	u32 n = 0;

	while (bit + n < nbits && n < max && !vexfs_test_bit((u8 *)bh->b_data, bit + n) &&
	       !vexfs_busy(gi, bh, bit + n))
		n++;
	return n;
}

/* Try to allocate up to *count blocks in @grp at or after @start. */
static int vexfs_alloc_in_group(handle_t *handle, struct super_block *sb, u32 grp,
				u32 start, u32 *count, u64 *out)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_group_info *gi = &sbi->s_groups[grp];
	u32 nbits = vexfs_group_blocks(&sbi->s_geom, grp);
	struct buffer_head *bh, *gdbh;
	struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, &gdbh);
	u32 bit, run, i;
	int err;

	if (!le32_to_cpu(READ_ONCE(gd->bg_free_blocks)))
		return -ENOSPC;
	bh = vexfs_read_block_bitmap(sb, grp);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	err = jbd2_journal_get_undo_access(handle, bh);
	if (!err)
		err = vexfs_journal_get_write_access(handle, sb, gdbh);
	if (err)
		goto out;

	spin_lock(&gi->lock);
	bit = vexfs_find_allocatable(gi, bh, nbits, start);
	if (bit >= nbits && start)
		bit = vexfs_find_allocatable(gi, bh, nbits, 0);
	if (bit >= nbits) {
		spin_unlock(&gi->lock);
		if (le32_to_cpu(gd->bg_free_blocks) &&
		    vexfs_find_next_zero((u8 *)bh->b_data, nbits, 0) >= nbits)
			err = vexfs_corrupt(sb, "group %u: descriptor says %u free blocks, bitmap has none",
					    grp, le32_to_cpu(gd->bg_free_blocks));
		else
			err = -ENOSPC;	/* full, or only blocks freed by uncommitted transactions */
		goto out;
	}
	run = vexfs_allocatable_run(gi, bh, nbits, bit, *count);
	if (run > le32_to_cpu(gd->bg_free_blocks)) {
		spin_unlock(&gi->lock);
		err = vexfs_corrupt(sb, "group %u: free block count below bitmap", grp);
		goto out;
	}
	for (i = 0; i < run; i++)
		vexfs_set_bit((u8 *)bh->b_data, bit + i);
	le32_add_cpu(&gd->bg_free_blocks, -run);
	gd->bg_block_bitmap_csum =
		cpu_to_le32(vexfs_bitmap_csum_flip(sbi->s_csum_seed,
						   le32_to_cpu(gd->bg_block_bitmap_csum),
						   bh->b_data, sbi->s_geom.block_size, bit, run));
	vexfs_gd_update_csum(sb, grp, gd);
	spin_unlock(&gi->lock);

	err = vexfs_journal_dirty(handle, sb, bh);
	if (!err)
		err = vexfs_journal_dirty(handle, sb, gdbh);
	if (err)
		goto out;
	percpu_counter_sub(&sbi->s_free_blocks, run);
	atomic64_add(run, &sbi->s_stat_allocs);
	*out = (u64)grp * sbi->s_geom.blocks_per_group + bit;
	*count = run;
out:
	brelse(bh);
	return err;
}

/*
 * Allocate between 1 and *count contiguous blocks, as close to @goal as
 * possible. Returns 0 with *out / *count set, or -ENOSPC, -EIO, -EUCLEAN.
 */
int vexfs_new_blocks(handle_t *handle, struct inode *inode, u64 goal,
		     u32 *count, u64 *out)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	u32 grp, start, i;
	int err;

	if (percpu_counter_read_positive(&sbi->s_free_blocks) == 0 &&
	    percpu_counter_sum_positive(&sbi->s_free_blocks) == 0)
		return -ENOSPC;
	if (!*count)
		*count = 1;
	if (goal >= g->blocks)
		goal = (u64)VEXFS_I(inode)->i_goal_group * g->blocks_per_group;
	grp = (u32)(goal / g->blocks_per_group);
	start = (u32)(goal % g->blocks_per_group);
	for (i = 0; i < g->groups; i++) {
		err = vexfs_alloc_in_group(handle, sb, grp, start, count, out);
		if (err != -ENOSPC)
			return err;
		grp = (grp + 1) % g->groups;
		start = 0;
	}
	return -ENOSPC;
}

/*
 * A run of at least @need and at most *count contiguous blocks, at or after
 * @goal: a shorter run is given back and the search goes on past it, at most
 * 8 times, then -ENOSPC. For vector chunks and PQ codebooks.
 */
int vexfs_new_run(handle_t *handle, struct inode *inode, u64 goal, u32 need,
		  u32 *count, u64 *out)
{
	u32 max = *count;
	int tries, err;

	for (tries = 0; tries < 8; tries++) {
		*count = max;
		err = vexfs_new_blocks(handle, inode, goal, count, out);
		if (err)
			return err;
		if (*count >= need)
			return 0;
		vexfs_free_blocks(handle, inode, *out, *count, false);
		goal = *out + *count + 1;
	}
	return -ENOSPC;
}

void vexfs_free_blocks(handle_t *handle, struct inode *inode, u64 block,
		       u32 count, bool metadata)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;

	while (count) {
		u32 grp = (u32)(block / g->blocks_per_group);
		u32 bit = (u32)(block % g->blocks_per_group);
		u32 n = min_t(u32, count, vexfs_group_blocks(g, grp) - bit), i;
		struct buffer_head *bh, *gdbh;
		struct vexfs_group_desc *gd;
		struct vexfs_group_info *gi;
		int err;

		if (block >= g->blocks || bit < vexfs_group_overhead(g, grp) ||
		    n == 0 || bit + n > vexfs_group_blocks(g, grp)) {
			vexfs_corrupt(sb, "inode %lu: freeing blocks %llu+%u outside the data area",
				      inode->i_ino, block, count);
			return;
		}
		gi = &sbi->s_groups[grp];
		gd = vexfs_get_gd(sb, grp, &gdbh);
		bh = vexfs_read_block_bitmap(sb, grp);
		if (IS_ERR(bh))
			return;
		err = jbd2_journal_get_undo_access(handle, bh);
		if (!err)
			err = vexfs_journal_get_write_access(handle, sb, gdbh);
		if (err) {
			brelse(bh);
			return;
		}
		spin_lock(&gi->lock);
		for (i = 0; i < n; i++) {
			if (!vexfs_test_bit((u8 *)bh->b_data, bit + i)) {
				spin_unlock(&gi->lock);
				brelse(bh);
				vexfs_corrupt(sb, "inode %lu: freeing free block %llu",
					      inode->i_ino, block + i);
				return;
			}
		}
		{
			struct journal_head *jh = bh2jh(bh);

			/* keep them busy in the committed copy until this commits */
			spin_lock(&jh->b_state_lock);
			for (i = 0; i < n; i++) {
				vexfs_clear_bit((u8 *)bh->b_data, bit + i);
				if (jh->b_committed_data)
					vexfs_set_bit((u8 *)jh->b_committed_data, bit + i);
			}
			spin_unlock(&jh->b_state_lock);
		}
		le32_add_cpu(&gd->bg_free_blocks, n);
		gd->bg_block_bitmap_csum =
			cpu_to_le32(vexfs_bitmap_csum_flip(sbi->s_csum_seed,
							   le32_to_cpu(gd->bg_block_bitmap_csum),
							   bh->b_data, g->block_size, bit, n));
		vexfs_gd_update_csum(sb, grp, gd);
		spin_unlock(&gi->lock);
		vexfs_journal_dirty(handle, sb, bh);
		vexfs_journal_dirty(handle, sb, gdbh);
		brelse(bh);
		percpu_counter_add(&sbi->s_free_blocks, n);
		atomic64_add(n, &sbi->s_stat_frees);
		if (metadata) {
			for (i = 0; i < n; i++) {
				struct buffer_head *mbh = sb_find_get_block(sb, block + i);

				if (mbh)
					vexfs_bh_clear_verified(mbh);
				vexfs_journal_forget(handle, sb, mbh, block + i);
				brelse(mbh);
			}
		}
		block += n;
		count -= n;
	}
}

/* ---- FITRIM -------------------------------------------------------------- */

#define VEXFS_TRIM_MAX	2048	/* blocks held out of allocation per discard */

/*
 * Discard the free runs of at least @minlen blocks in [@first, @end) of group
 * @grp. A run is free in the bitmap and in jbd2's committed copy (so no
 * transaction, running or committed, has it in use: a crash cannot give it
 * back to a file); while it is discarded the allocator skips it (the group's
 * trim window), so nothing is written to it meanwhile.
 */
static int vexfs_trim_group(struct super_block *sb, u32 grp, u32 first, u32 end, u32 minlen,
			    u64 *trimmed)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_group_info *gi = &sbi->s_groups[grp];
	u64 base = (u64)grp * sbi->s_geom.blocks_per_group;
	struct buffer_head *bh = vexfs_read_block_bitmap(sb, grp);
	u32 bit = first, run;
	int err = 0;

	if (IS_ERR(bh))
		return PTR_ERR(bh);
	while (bit < end) {
		spin_lock(&gi->lock);
		bit = vexfs_find_allocatable(gi, bh, end, bit);
		run = bit < end ? vexfs_allocatable_run(gi, bh, end, bit, VEXFS_TRIM_MAX) : 0;
		if (run >= minlen) {
			gi->trim_start = bit;
			gi->trim_len = run;
		}
		spin_unlock(&gi->lock);
		if (!run)
			break;
		if (run >= minlen) {
			err = sb_issue_discard(sb, base + bit, run, GFP_NOFS, 0);
			spin_lock(&gi->lock);
			gi->trim_len = 0;
			spin_unlock(&gi->lock);
			if (err)
				break;
			*trimmed += run;
		}
		bit += run;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	brelse(bh);
	return err;
}

/*
 * FITRIM: discard the free blocks of byte range [start, start + len), in
 * free runs of at least minlen bytes; on return len is the bytes discarded.
 * Allocation and frees go on meanwhile (see vexfs_trim_group).
 */
int vexfs_trim_fs(struct super_block *sb, struct fstrim_range *r)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	unsigned int bits = sb->s_blocksize_bits;
	u64 start = r->start >> bits, end, trimmed = 0;
	u64 minlen = max_t(u64, DIV_ROUND_UP(r->minlen, sb->s_blocksize), 1);
	u32 grp;
	int err = 0;

	if (start >= g->blocks || r->len < sb->s_blocksize || minlen > g->blocks_per_group)
		return -EINVAL;
	end = r->len >> bits >= g->blocks - start ? g->blocks : start + (r->len >> bits);
	mutex_lock(&sbi->s_trim_lock);
	for (grp = start / g->blocks_per_group; !err && (u64)grp * g->blocks_per_group < end;
	     grp++) {
		u64 base = (u64)grp * g->blocks_per_group;
		u32 first = max_t(u64, start, base) - base;
		u32 last = min_t(u64, end, base + vexfs_group_blocks(g, grp)) - base;

		first = max(first, vexfs_group_overhead(g, grp));
		if (first < last)
			err = vexfs_trim_group(sb, grp, first, last, (u32)minlen, &trimmed);
	}
	mutex_unlock(&sbi->s_trim_lock);
	r->len = trimmed << bits;
	return err;
}

/* ---- inodes ------------------------------------------------------------- */

static u32 vexfs_pick_group(struct super_block *sb, struct inode *dir, bool is_dir)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u32 groups = sbi->s_geom.groups, start, i;
	u64 avg_inodes = percpu_counter_read_positive(&sbi->s_free_inodes) / groups;
	u64 avg_blocks = percpu_counter_read_positive(&sbi->s_free_blocks) / groups;

	if (is_dir) {
		/* Spread directories: next group with above-average free space. */
		start = (READ_ONCE(sbi->s_last_group) + 1) % groups;
		for (i = 0; i < groups; i++) {
			u32 grp = (start + i) % groups;
			struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, NULL);

			if (le32_to_cpu(gd->bg_free_inodes) >= avg_inodes &&
			    le32_to_cpu(gd->bg_free_blocks) >= avg_blocks) {
				WRITE_ONCE(sbi->s_last_group, grp);
				return grp;
			}
		}
		return start;
	}
	return (u32)((dir->i_ino - 1) / sbi->s_geom.inodes_per_group);
}

struct inode *vexfs_new_inode(handle_t *handle, struct mnt_idmap_or_ns *idmap,
			      struct inode *dir, umode_t mode)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	struct posix_acl *dacl, *acl;
	struct inode *inode;
	struct vexfs_inode_info *vi;
	u32 grp, i, bit = 0;
	u64 ino = 0;
	int err = -ENOSPC;

	if (percpu_counter_sum_positive(&sbi->s_free_inodes) == 0)
		return ERR_PTR(-ENOSPC);
	/* The directory's default ACL (or the umask) shapes the mode first. */
	err = vexfs_acl_prepare(dir, &mode, &dacl, &acl);
	if (err)
		return ERR_PTR(err);
	/* Before the bitmap: a failure past it would leak the inode's bit. */
	inode = new_inode(sb);
	if (!inode) {
		vexfs_acl_release(dacl, acl);
		return ERR_PTR(-ENOMEM);
	}
	err = -ENOSPC;
	grp = vexfs_pick_group(sb, dir, S_ISDIR(mode));
	for (i = 0; i < g->groups; i++, grp = (grp + 1) % g->groups) {
		struct vexfs_group_info *gi = &sbi->s_groups[grp];
		struct buffer_head *bh, *gdbh;
		struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, &gdbh);

		if (!le32_to_cpu(READ_ONCE(gd->bg_free_inodes)))
			continue;
		bh = vexfs_read_inode_bitmap(sb, grp);
		if (IS_ERR(bh)) {
			err = PTR_ERR(bh);
			goto fail;
		}
		err = vexfs_journal_get_write_access(handle, sb, bh);
		if (!err)
			err = vexfs_journal_get_write_access(handle, sb, gdbh);
		if (err) {
			brelse(bh);
			goto fail;
		}
		spin_lock(&gi->lock);
		bit = vexfs_find_next_zero((u8 *)bh->b_data, g->inodes_per_group, 0);
		if (bit >= g->inodes_per_group || !le32_to_cpu(gd->bg_free_inodes)) {
			spin_unlock(&gi->lock);
			brelse(bh);
			err = -ENOSPC;
			continue;
		}
		vexfs_set_bit((u8 *)bh->b_data, bit);
		le32_add_cpu(&gd->bg_free_inodes, -1);
		if (S_ISDIR(mode))
			le32_add_cpu(&gd->bg_used_dirs, 1);
		gd->bg_inode_bitmap_csum =
			cpu_to_le32(vexfs_bitmap_csum_flip(sbi->s_csum_seed,
							   le32_to_cpu(gd->bg_inode_bitmap_csum),
							   bh->b_data, g->inodes_per_group / 8,
							   bit, 1));
		vexfs_gd_update_csum(sb, grp, gd);
		spin_unlock(&gi->lock);
		err = vexfs_journal_dirty(handle, sb, bh);
		if (!err)
			err = vexfs_journal_dirty(handle, sb, gdbh);
		brelse(bh);
		if (err)
			goto fail;
		ino = (u64)grp * g->inodes_per_group + bit + 1;
		break;
	}
	if (!ino)
		goto fail;
	if (ino < VEXFS_FIRST_INO) {
		err = vexfs_corrupt(sb, "reserved inode %llu was free in the bitmap", ino);
		goto fail;
	}
	percpu_counter_dec(&sbi->s_free_inodes);
	if (S_ISDIR(mode))
		percpu_counter_inc(&sbi->s_dirs);

	inode_init_owner(idmap, inode, dir, mode);
	inode->i_ino = ino;
	inode->i_blocks = 0;
	simple_inode_init_ts(inode);
	vi = VEXFS_I(inode);
	vi->i_crtime = inode_get_mtime(inode).tv_sec;
	vi->i_crtime_ns = inode_get_mtime(inode).tv_nsec;
	vi->i_flags = VEXFS_I(dir)->i_flags & VEXFS_INODE_FL_USER_MASK &
		      ~(VEXFS_INODE_FL_IMMUTABLE | VEXFS_INODE_FL_APPEND);
	vexfs_set_inode_flags(inode);
	vi->i_goal_group = grp;
	spin_lock(&sbi->s_next_gen_lock);
	inode->i_generation = sbi->s_next_generation++;
	spin_unlock(&sbi->s_next_gen_lock);
	if (insert_inode_locked(inode) < 0) {
		make_bad_inode(inode);
		iput(inode);
		vexfs_acl_release(dacl, acl);
		return ERR_PTR(vexfs_corrupt(sb, "inode %llu allocated twice", ino));
	}
	err = vexfs_mark_inode_dirty(handle, inode);
	if (!err)
		err = vexfs_acl_init(handle, inode, dacl, acl);
	vexfs_acl_release(dacl, acl);
	if (err) {
		clear_nlink(inode);
		unlock_new_inode(inode);
		iput(inode);
		return ERR_PTR(err);
	}
	return inode;

fail:
	iput(inode);	/* not hashed, no inode number: nothing on disk to free */
	vexfs_acl_release(dacl, acl);
	return ERR_PTR(err);
}

void vexfs_free_inode(handle_t *handle, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	u64 ino = inode->i_ino;
	u32 grp = (u32)((ino - 1) / g->inodes_per_group);
	u32 bit = (u32)((ino - 1) % g->inodes_per_group);
	struct vexfs_group_info *gi = &sbi->s_groups[grp];
	struct buffer_head *bh, *gdbh;
	struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, &gdbh);
	bool is_dir = S_ISDIR(inode->i_mode);

	bh = vexfs_read_inode_bitmap(sb, grp);
	if (IS_ERR(bh))
		return;
	if (vexfs_journal_get_write_access(handle, sb, bh) ||
	    vexfs_journal_get_write_access(handle, sb, gdbh)) {
		brelse(bh);
		return;
	}
	spin_lock(&gi->lock);
	if (!vexfs_test_bit((u8 *)bh->b_data, bit)) {
		spin_unlock(&gi->lock);
		brelse(bh);
		vexfs_corrupt(sb, "freeing free inode %llu", ino);
		return;
	}
	vexfs_clear_bit((u8 *)bh->b_data, bit);
	le32_add_cpu(&gd->bg_free_inodes, 1);
	if (is_dir && le32_to_cpu(gd->bg_used_dirs))
		le32_add_cpu(&gd->bg_used_dirs, -1);
	gd->bg_inode_bitmap_csum =
		cpu_to_le32(vexfs_bitmap_csum_flip(sbi->s_csum_seed,
						   le32_to_cpu(gd->bg_inode_bitmap_csum),
						   bh->b_data, g->inodes_per_group / 8, bit, 1));
	vexfs_gd_update_csum(sb, grp, gd);
	spin_unlock(&gi->lock);
	vexfs_journal_dirty(handle, sb, bh);
	vexfs_journal_dirty(handle, sb, gdbh);
	brelse(bh);
	percpu_counter_inc(&sbi->s_free_inodes);
	if (is_dir)
		percpu_counter_dec(&sbi->s_dirs);
}

/* Sum the group descriptors' counters in one pass (at mount). */
void vexfs_count_groups(struct super_block *sb, u64 *free_blocks, u64 *free_inodes,
			u64 *dirs)
{
	u32 grp;

	*free_blocks = *free_inodes = *dirs = 0;
	for (grp = 0; grp < VEXFS_SB(sb)->s_geom.groups; grp++) {
		struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, NULL);

		*free_blocks += le32_to_cpu(gd->bg_free_blocks);
		*free_inodes += le32_to_cpu(gd->bg_free_inodes);
		*dirs += le32_to_cpu(gd->bg_used_dirs);
	}
}
