// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - inode I/O, the block map (direct + 1/2/3-level indirect blocks),
 * address space operations, truncate, setattr, eviction and the orphan list.
 */
#include "vexfs.h"
#include <linux/mpage.h>
#include <linux/writeback.h>
#include <linux/iversion.h>
#include <linux/blkdev.h>
#include <linux/namei.h>

/* ---- raw inode I/O ------------------------------------------------------ */

static struct buffer_head *vexfs_inode_bh(struct super_block *sb, u64 ino,
					  struct vexfs_inode **raw)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	u32 grp, idx;
	u64 blk;
	struct buffer_head *bh;

	if (ino < 1 || ino > g->inodes)
		return ERR_PTR(-EUCLEAN);
	grp = (u32)((ino - 1) / g->inodes_per_group);
	idx = (u32)((ino - 1) % g->inodes_per_group);
	blk = le64_to_cpu(vexfs_get_gd(sb, grp, NULL)->bg_inode_table) + idx / g->inodes_per_block;
	bh = sb_bread(sb, blk);
	if (!bh) {
		vexfs_err(sb, "cannot read inode %llu (block %llu)", ino, blk);
		return ERR_PTR(-EIO);
	}
	*raw = (struct vexfs_inode *)(bh->b_data + (idx % g->inodes_per_block) * VEXFS_INODE_SIZE);
	return bh;
}

static void vexfs_fill_raw(struct inode *inode, struct vexfs_inode *raw)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct timespec64 ts;

	memset(raw, 0, sizeof(*raw));
	raw->i_mode = vi->i_freed ? 0 : cpu_to_le16(inode->i_mode);
	raw->i_uid = cpu_to_le32(i_uid_read(inode));
	raw->i_gid = cpu_to_le32(i_gid_read(inode));
	raw->i_links = cpu_to_le32(inode->i_nlink);
	raw->i_size = cpu_to_le64(inode->i_size);
	raw->i_blocks = cpu_to_le64(inode->i_blocks >> (inode->i_blkbits - 9));
	ts = inode_get_atime(inode);
	raw->i_atime = cpu_to_le64(ts.tv_sec);
	raw->i_atime_ns = cpu_to_le32(ts.tv_nsec);
	ts = inode_get_mtime(inode);
	raw->i_mtime = cpu_to_le64(ts.tv_sec);
	raw->i_mtime_ns = cpu_to_le32(ts.tv_nsec);
	ts = inode_get_ctime(inode);
	raw->i_ctime = cpu_to_le64(ts.tv_sec);
	raw->i_ctime_ns = cpu_to_le32(ts.tv_nsec);
	raw->i_crtime = cpu_to_le64(vi->i_crtime);
	raw->i_crtime_ns = cpu_to_le32(vi->i_crtime_ns);
	raw->i_generation = cpu_to_le32(inode->i_generation);
	raw->i_flags = cpu_to_le32(vi->i_flags);
	raw->i_xattr_block = cpu_to_le64(vi->i_xattr_block);
	raw->i_parent = cpu_to_le64(vi->i_parent);
	raw->i_parent_hash = cpu_to_le32(vi->i_parent_hash);
	raw->i_orphan_next = cpu_to_le64(vi->i_orphan_next);
	raw->i_vec_head = cpu_to_le64(vi->i_vec_head);
	raw->i_vec_count = cpu_to_le32(vi->i_vec_count);
	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode))
		raw->i_rdev = cpu_to_le32(new_encode_dev(inode->i_rdev));
	memcpy(raw->i_block, vi->i_block, sizeof(raw->i_block));
}

int vexfs_mark_inode_dirty(handle_t *handle, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	int err;

	bh = vexfs_inode_bh(sb, inode->i_ino, &raw);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	err = vexfs_journal_get_write_access(handle, sb, bh);
	if (!err) {
		lock_buffer(bh);
		vexfs_fill_raw(inode, raw);
		raw->i_checksum = cpu_to_le32(vexfs_inode_csum(VEXFS_SB(sb)->s_csum_seed,
							       inode->i_ino, raw));
		unlock_buffer(bh);
		err = vexfs_journal_dirty(handle, sb, bh);
	}
	brelse(bh);
	if (!err)
		VEXFS_I(inode)->i_sync_tid = handle->h_transaction->t_tid;
	return err;
}

void vexfs_dirty_inode(struct inode *inode, int flags)
{
	handle_t *handle;

	if (sb_rdonly(inode->i_sb) || vexfs_forced_shutdown(inode->i_sb))
		return;
	handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle))
		return;
	vexfs_mark_inode_dirty(handle, inode);
	vexfs_journal_stop(handle);
}

int vexfs_write_inode(struct inode *inode, struct writeback_control *wbc)
{
	/* The inode is already in the journal; a sync writer waits for its commit. */
	if (wbc->sync_mode != WB_SYNC_ALL || (current->flags & PF_MEMALLOC))
		return 0;
	if (sb_rdonly(inode->i_sb))
		return 0;
	return jbd2_complete_transaction(VEXFS_SB(inode->i_sb)->s_journal,
					 VEXFS_I(inode)->i_sync_tid);
}

static bool vexfs_fast_symlink(struct inode *inode)
{
	return S_ISLNK(inode->i_mode) && inode->i_size < VEXFS_INLINE_SYMLINK_LEN;
}

void vexfs_set_inode_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &vexfs_file_inode_operations;
		inode->i_fop = &vexfs_file_operations;
		inode->i_mapping->a_ops = &vexfs_aops;
		break;
	case S_IFDIR:
		inode->i_op = &vexfs_dir_inode_operations;
		inode->i_fop = &vexfs_dir_operations;
		inode->i_mapping->a_ops = &vexfs_aops;
		break;
	case S_IFLNK:
		if (vexfs_fast_symlink(inode)) {
			inode->i_op = &vexfs_fast_symlink_inode_operations;
			inode->i_link = (char *)VEXFS_I(inode)->i_block;
			nd_terminate_link(inode->i_link, inode->i_size,
					  VEXFS_INLINE_SYMLINK_LEN - 1);
		} else {
			inode->i_op = &vexfs_symlink_inode_operations;
			inode_nohighmem(inode);
			inode->i_mapping->a_ops = &vexfs_aops;
		}
		break;
	default:
		inode->i_op = &vexfs_special_inode_operations;
		init_special_inode(inode, inode->i_mode, inode->i_rdev);
		break;
	}
}

static struct inode *__vexfs_iget(struct super_block *sb, u64 ino, unsigned int flags);

/* An inode named by a directory entry (or the root): it has links. */
struct inode *vexfs_iget(struct super_block *sb, u64 ino)
{
	/* the vector table (inode 2) is only for vexfs_iget_vectab() */
	return __vexfs_iget(sb, ino, 0);
}

/*
 * An inode named by a number that may be stale (a search result, later a
 * file handle): a free or unlinked inode not in memory is -ESTALE, quietly.
 */
struct inode *vexfs_iget_live(struct super_block *sb, u64 ino)
{
	return __vexfs_iget(sb, ino, VEXFS_IGET_LIVE);
}

/*
 * A file handle's inode (open_by_handle_at, NFS): as vexfs_iget_live(), but
 * an unlinked inode still in memory (open, or an O_TMPFILE) is returned, as
 * ext4 and XFS return it: the handle names a file that still exists.
 */
struct inode *vexfs_iget_handle(struct super_block *sb, u64 ino)
{
	return __vexfs_iget(sb, ino, VEXFS_IGET_LIVE | VEXFS_IGET_HANDLE);
}

struct inode *vexfs_iget_vectab(struct super_block *sb)
{
	return __vexfs_iget(sb, VEXFS_VECSTORE_INO, VEXFS_IGET_INTERNAL);
}

/* An internal inode: the vector table or the ANN index. */
struct inode *vexfs_iget_internal(struct super_block *sb, u64 ino)
{
	return __vexfs_iget(sb, ino, VEXFS_IGET_INTERNAL);
}

static bool vexfs_internal_ino(u64 ino)
{
	return ino == VEXFS_VECSTORE_INO || ino == VEXFS_ANN_INO;
}

/*
 * Make reserved inode @ino an empty internal file (mode 0100600, one link,
 * reachable from no directory) in @handle, as mkfs.vexfs makes the vector
 * table; the inode bitmap has every reserved inode in use from mkfs.
 */
int vexfs_internal_inode_init(handle_t *handle, struct super_block *sb, u64 ino)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	u64 now = ktime_get_real_seconds();
	int err;

	if (!vexfs_internal_ino(ino))
		return -EINVAL;
	bh = vexfs_inode_bh(sb, ino, &raw);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	err = vexfs_journal_get_write_access(handle, sb, bh);
	if (!err) {
		lock_buffer(bh);
		memset(raw, 0, VEXFS_INODE_SIZE);
		raw->i_mode = cpu_to_le16(0100600);
		raw->i_links = cpu_to_le32(1);
		raw->i_atime = raw->i_mtime = raw->i_ctime = raw->i_crtime = cpu_to_le64(now);
		raw->i_checksum = cpu_to_le32(vexfs_inode_csum(sbi->s_csum_seed, ino, raw));
		unlock_buffer(bh);
		err = vexfs_journal_dirty(handle, sb, bh);
	}
	brelse(bh);
	return err;
}

/*
 * Link counts the VFS would trip over: a directory entry naming an inode with
 * no link (drop_nlink() WARNs and wraps), a directory with fewer than two
 * (rmdir frees it while still linked, mkdir in it WARNs in inc_nlink()).
 * Only an inode on the orphan list may have none.
 */
/*
 * An inode read back from disk may have been changed by the running (or
 * committing) transaction before it was last evicted (an unlink of another
 * link, then drop_caches): fsync must wait for that one, as ext4_iget says.
 */
static void vexfs_init_sync_tids(journal_t *journal, struct vexfs_inode_info *vi)
{
	transaction_t *t;
	tid_t tid;

	if (!journal)
		return;
	read_lock(&journal->j_state_lock);
	t = journal->j_running_transaction ? : journal->j_committing_transaction;
	tid = t ? t->t_tid : journal->j_commit_sequence;
	read_unlock(&journal->j_state_lock);
	vi->i_sync_tid = tid;
	vi->i_datasync_tid = tid;
}

static bool vexfs_links_valid(struct inode *inode, unsigned int flags)
{
	if (!inode->i_nlink)
		return flags & VEXFS_IGET_UNLINKED;
	return !S_ISDIR(inode->i_mode) || inode->i_nlink >= 2;
}

static struct inode *__vexfs_iget(struct super_block *sb, u64 ino, unsigned int flags)
{
	bool internal = flags & VEXFS_IGET_INTERNAL;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi;
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	struct inode *inode;
	u32 ns[4];
	u64 nblocks;
	int err = -EUCLEAN;

	if (ino != VEXFS_ROOT_INO && !(internal && vexfs_internal_ino(ino)) &&
	    (ino < VEXFS_FIRST_INO || ino > sbi->s_geom.inodes)) {
		vexfs_err(sb, "corrupt metadata: inode number %llu out of range", ino);
		return ERR_PTR(-EUCLEAN);
	}
	inode = iget_locked(sb, ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW)) {
		if (!inode->i_nlink && (flags & VEXFS_IGET_LIVE)) {
			if (flags & VEXFS_IGET_HANDLE)
				return inode;
			iput(inode);
			return ERR_PTR(-ESTALE);
		}
		if (!vexfs_links_valid(inode, flags)) {
			vexfs_err(sb, "corrupt metadata: inode %llu has %u links", ino,
				  inode->i_nlink);
			iput(inode);
			return ERR_PTR(-EUCLEAN);
		}
		return inode;
	}
	vi = VEXFS_I(inode);

	bh = vexfs_inode_bh(sb, ino, &raw);
	if (IS_ERR(bh)) {
		err = PTR_ERR(bh);
		goto bad;
	}
	if (flags & VEXFS_IGET_LIVE) {
		/*
		 * A number from userspace (a file handle, INO_PATHS): a free
		 * inode is stale, quietly, whatever its slot holds (mkfs does
		 * not zero inode tables and a freed slot keeps its bytes;
		 * found by tests/fuzz/sysfuzz.c, every such call recorded an
		 * error). The bitmap says, before the slot's checksum, as
		 * ext4 does for EXT4_IGET_HANDLE.
		 */
		err = vexfs_inode_allocated(sb, ino);
		if (err <= 0) {
			err = err ?: -ESTALE;
			goto bad_bh;
		}
		err = -EUCLEAN;
	}
	if (le32_to_cpu(raw->i_checksum) != vexfs_inode_csum(sbi->s_csum_seed, ino, raw)) {
		if ((flags & (VEXFS_IGET_LIVE | VEXFS_IGET_RETRIED)) == VEXFS_IGET_LIVE) {
			/*
			 * Allocated but not written yet: vexfs_new_inode() sets
			 * the bit before insert_inode_locked(), which waits for
			 * this I_NEW inode. Let it go, and look once more.
			 */
			brelse(bh);
			iget_failed(inode);
			schedule_timeout_uninterruptible(1);
			return __vexfs_iget(sb, ino, flags | VEXFS_IGET_RETRIED);
		}
		vexfs_err(sb, "corrupt metadata: inode %llu fails its checksum (mode 0%o, %u links)",
			  ino, le16_to_cpu(raw->i_mode), le32_to_cpu(raw->i_links));
		goto bad_bh;
	}
	if ((flags & VEXFS_IGET_LIVE) && (!raw->i_mode || !raw->i_links)) {
		err = -ESTALE;
		goto bad_bh;
	}
	inode->i_mode = le16_to_cpu(raw->i_mode);
	if (!inode->i_mode || !fs_umode_to_dtype(inode->i_mode)) {
		vexfs_err(sb, "corrupt metadata: inode %llu is not in use (mode 0%o)", ino,
			  inode->i_mode);
		goto bad_bh;
	}
	ns[0] = le32_to_cpu(raw->i_atime_ns);
	ns[1] = le32_to_cpu(raw->i_mtime_ns);
	ns[2] = le32_to_cpu(raw->i_ctime_ns);
	ns[3] = le32_to_cpu(raw->i_crtime_ns);
	if (ns[0] >= NSEC_PER_SEC || ns[1] >= NSEC_PER_SEC || ns[2] >= NSEC_PER_SEC ||
	    ns[3] >= NSEC_PER_SEC) {
		vexfs_err(sb, "corrupt metadata: inode %llu has invalid nanoseconds", ino);
		goto bad_bh;
	}
	i_uid_write(inode, le32_to_cpu(raw->i_uid));
	i_gid_write(inode, le32_to_cpu(raw->i_gid));
	set_nlink(inode, le32_to_cpu(raw->i_links));
	if (!vexfs_links_valid(inode, flags)) {
		vexfs_err(sb, "corrupt metadata: %s %llu has %u links",
			  S_ISDIR(inode->i_mode) ? "directory" : "inode", ino, inode->i_nlink);
		goto bad_bh;
	}
	inode->i_size = le64_to_cpu(raw->i_size);
	nblocks = le64_to_cpu(raw->i_blocks);
	if (inode->i_size < 0 || inode->i_size > sb->s_maxbytes ||
	    nblocks > sbi->s_geom.blocks) {
		vexfs_err(sb, "corrupt metadata: inode %llu has size %lld / %llu blocks", ino,
			  inode->i_size, nblocks);
		goto bad_bh;
	}
	/* A removed directory (nlink 0, size 0) may wait on the orphan list. */
	if (S_ISDIR(inode->i_mode) && (inode->i_size & (sb->s_blocksize - 1) ||
				       inode->i_size < 2 * (loff_t)sb->s_blocksize) &&
	    !(inode->i_nlink == 0 && inode->i_size == 0)) {
		vexfs_err(sb, "corrupt metadata: directory %llu has size %lld", ino, inode->i_size);
		goto bad_bh;
	}
	inode->i_blocks = nblocks << (sb->s_blocksize_bits - 9);
	inode_set_atime_to_ts(inode, (struct timespec64){ (s64)le64_to_cpu(raw->i_atime), ns[0] });
	inode_set_mtime_to_ts(inode, (struct timespec64){ (s64)le64_to_cpu(raw->i_mtime), ns[1] });
	inode_set_ctime_to_ts(inode, (struct timespec64){ (s64)le64_to_cpu(raw->i_ctime), ns[2] });
	vi->i_crtime = le64_to_cpu(raw->i_crtime);
	vi->i_crtime_ns = ns[3];
	inode->i_generation = le32_to_cpu(raw->i_generation);
	vi->i_flags = le32_to_cpu(raw->i_flags);
	vi->i_xattr_block = le64_to_cpu(raw->i_xattr_block);
	vi->i_parent = le64_to_cpu(raw->i_parent);
	vi->i_parent_hash = le32_to_cpu(raw->i_parent_hash);
	vi->i_orphan_next = le64_to_cpu(raw->i_orphan_next);
	vi->i_vec_head = le64_to_cpu(raw->i_vec_head);
	vi->i_vec_count = le32_to_cpu(raw->i_vec_count);
	vi->i_goal_group = (u32)((ino - 1) / sbi->s_geom.inodes_per_group);
	vexfs_init_sync_tids(sbi->s_journal, vi);
	if (vi->i_xattr_block && !vexfs_data_block(&sbi->s_geom, vi->i_xattr_block)) {
		vexfs_err(sb, "corrupt metadata: inode %llu xattr block out of range", ino);
		goto bad_bh;
	}
	if ((vi->i_parent || vi->i_parent_hash) &&
	    (!vexfs_has_parent(sb) || vi->i_parent == ino || vi->i_parent > sbi->s_geom.inodes ||
	     (vi->i_parent != VEXFS_ROOT_INO && vi->i_parent < VEXFS_FIRST_INO))) {
		vexfs_err(sb, "corrupt metadata: inode %llu parent pointer %llu is invalid",
			  ino, vi->i_parent);
		goto bad_bh;
	}
	/*
	 * Only regular files own vectors. The table is not checked against
	 * inode modes at mount (that would read every owner's inode): an
	 * owner is checked here, when it is first used.
	 */
	if (!S_ISREG(inode->i_mode) && !internal &&
	    (vi->i_vec_count || vi->i_vec_head || vexfs_vec_owned(sb, ino))) {
		vexfs_err(sb, "corrupt metadata: inode %llu (mode 0%o) owns vectors", ino,
			  inode->i_mode);
		goto bad_bh;
	}
	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode))
		inode->i_rdev = new_decode_dev(le32_to_cpu(raw->i_rdev));
	memcpy(vi->i_block, raw->i_block, sizeof(vi->i_block));
	brelse(bh);

	vexfs_set_inode_flags(inode);
	vexfs_set_inode_ops(inode);
	unlock_new_inode(inode);
	return inode;

bad_bh:
	brelse(bh);
bad:
	iget_failed(inode);
	return ERR_PTR(err);
}

/* ---- indirect blocks ---------------------------------------------------- */

static u32 vexfs_ind_csum(struct super_block *sb, u64 ino, const void *buf)
{
	return vexfs_block_csum(VEXFS_SB(sb)->s_csum_seed, ino, buf, sb->s_blocksize,
				sb->s_blocksize - 4);
}

static void vexfs_ind_seal(struct inode *inode, struct buffer_head *bh)
{
	struct vexfs_ind_tail *t = (void *)(bh->b_data + inode->i_sb->s_blocksize - 8);

	t->it_magic = cpu_to_le32(VEXFS_IND_MAGIC);
	t->it_checksum = cpu_to_le32(vexfs_ind_csum(inode->i_sb, inode->i_ino, bh->b_data));
}

static bool vexfs_blk_valid(struct super_block *sb, u64 blk)
{
	return vexfs_data_block(&VEXFS_SB(sb)->s_geom, blk);
}

/* Read and verify an indirect block of @inode. */
static struct buffer_head *vexfs_read_ind(struct inode *inode, u64 blk)
{
	struct super_block *sb = inode->i_sb;
	struct buffer_head *bh;
	struct vexfs_ind_tail *t;

	if (!vexfs_blk_valid(sb, blk)) {
		vexfs_err(sb, "corrupt metadata: inode %lu: indirect block %llu out of range",
			  inode->i_ino, blk);
		return ERR_PTR(-EUCLEAN);
	}
	bh = sb_bread(sb, blk);
	if (!bh)
		return ERR_PTR(-EIO);
	if (vexfs_bh_verified(bh, VEXFS_BH_IND))
		return bh;
	t = (void *)(bh->b_data + sb->s_blocksize - 8);
	if (le32_to_cpu(t->it_magic) != VEXFS_IND_MAGIC ||
	    le32_to_cpu(t->it_checksum) != vexfs_ind_csum(sb, inode->i_ino, bh->b_data)) {
		brelse(bh);
		vexfs_err(sb, "corrupt metadata: inode %lu: indirect block %llu fails its checksum",
			  inode->i_ino, blk);
		return ERR_PTR(-EUCLEAN);
	}
	vexfs_bh_set_verified(bh, VEXFS_BH_IND);
	return bh;
}

/* Allocate and initialise a new, empty indirect block. */
static int vexfs_new_ind(handle_t *handle, struct inode *inode, u64 goal, u64 *out)
{
	struct super_block *sb = inode->i_sb;
	struct buffer_head *bh;
	u32 count = 1;
	int err;

	err = vexfs_new_blocks(handle, inode, goal, &count, out);
	if (err)
		return err;
	bh = sb_getblk(sb, *out);
	if (!bh) {
		vexfs_free_blocks(handle, inode, *out, 1, true);
		return -ENOMEM;
	}
	lock_buffer(bh);
	err = vexfs_journal_get_create_access(handle, sb, bh);
	if (err) {
		unlock_buffer(bh);
		brelse(bh);
		vexfs_free_blocks(handle, inode, *out, 1, true);
		return err;
	}
	memset(bh->b_data, 0, sb->s_blocksize);
	vexfs_ind_seal(inode, bh);
	set_buffer_uptodate(bh);
	vexfs_bh_set_verified(bh, VEXFS_BH_IND);
	unlock_buffer(bh);
	err = vexfs_journal_dirty(handle, sb, bh);
	brelse(bh);
	inode->i_blocks += sb->s_blocksize >> 9;
	return err;
}

/*
 * Set the @cnt pointers from slot @idx of a block-map array (the inode's
 * direct pointers when @bh is NULL, else an indirect block) to @vals (zeros
 * if NULL), inside @handle.
 */
int __vexfs_leaf_write(handle_t *handle, struct inode *inode, struct buffer_head *bh,
		       u32 idx, const u64 *vals, u32 cnt)
{
	struct super_block *sb = inode->i_sb;
	__le64 *ptrs;
	u32 i;
	int err;

	if (!bh) {
		ptrs = VEXFS_I(inode)->i_block;
		for (i = 0; i < cnt; i++)
			ptrs[idx + i] = cpu_to_le64(vals ? vals[i] : 0);
		return vexfs_mark_inode_dirty(handle, inode);
	}
	err = vexfs_journal_get_write_access(handle, sb, bh);
	if (err)
		return err;
	lock_buffer(bh);
	ptrs = (__le64 *)bh->b_data;
	for (i = 0; i < cnt; i++)
		ptrs[idx + i] = cpu_to_le64(vals ? vals[i] : 0);
	vexfs_ind_seal(inode, bh);
	unlock_buffer(bh);
	return vexfs_journal_dirty(handle, sb, bh);
}

static int vexfs_ind_set(handle_t *handle, struct inode *inode,
			 struct buffer_head *bh, u32 idx, u64 val)
{
	return __vexfs_leaf_write(handle, inode, bh, idx, &val, 1);
}

/*
 * Map logical block @lblk of @inode. Without VEXFS_MAP_CREATE a hole gives
 * *pblk = 0. With it, missing indirect blocks and the block itself are
 * allocated inside @handle; *is_new tells the caller to initialise it.
 * Caller holds i_map_sem (shared for lookups, exclusive to allocate).
 */
static int __vexfs_map_block(handle_t *handle, struct inode *inode, u64 lblk,
			     unsigned int flags, u64 *pblk, bool *is_new)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u32 offsets[4];
	int depth, level, err;
	u64 blk, goal;
	struct buffer_head *bh = NULL;

	*pblk = 0;
	if (is_new)
		*is_new = false;
	depth = vexfs_block_path(sb->s_blocksize, lblk, offsets);
	if (!depth)
		return -EFBIG;

	blk = le64_to_cpu(vi->i_block[offsets[0]]);
	goal = (u64)vi->i_goal_group * VEXFS_SB(sb)->s_geom.blocks_per_group;
	if (offsets[0] > 0 && offsets[0] < VEXFS_NDIR_BLOCKS && vi->i_block[offsets[0] - 1])
		goal = le64_to_cpu(vi->i_block[offsets[0] - 1]) + 1;
	if (!blk) {
		if (!(flags & VEXFS_MAP_CREATE))
			return 0;
		if (depth == 1)
			goto alloc_data;
		err = vexfs_new_ind(handle, inode, goal, &blk);
		if (err)
			return err;
		vi->i_block[offsets[0]] = cpu_to_le64(blk);
		err = vexfs_mark_inode_dirty(handle, inode);
		if (err)
			return err;
	}
	if (depth == 1) {
		*pblk = blk;
		goto check;
	}
	for (level = 1; level < depth; level++) {
		__le64 *ptrs;

		bh = vexfs_read_ind(inode, blk);
		if (IS_ERR(bh))
			return PTR_ERR(bh);
		ptrs = (__le64 *)bh->b_data;
		goal = blk + 1;
		if (offsets[level] > 0 && ptrs[offsets[level] - 1])
			goal = le64_to_cpu(ptrs[offsets[level] - 1]) + 1;
		blk = le64_to_cpu(ptrs[offsets[level]]);
		if (!blk) {
			if (!(flags & VEXFS_MAP_CREATE)) {
				brelse(bh);
				return 0;
			}
			if (level == depth - 1)
				goto alloc_data;	/* bh is the parent */
			err = vexfs_new_ind(handle, inode, goal, &blk);
			if (err) {
				brelse(bh);
				return err;
			}
			err = vexfs_ind_set(handle, inode, bh, offsets[level], blk);
			if (err) {
				/* not linked: give the new block back */
				vexfs_free_blocks(handle, inode, blk, 1, true);
				inode->i_blocks -= sb->s_blocksize >> 9;
				brelse(bh);
				return err;
			}
		}
		if (!vexfs_blk_valid(sb, blk)) {
			brelse(bh);
			return vexfs_corrupt(sb, "inode %lu: block %llu out of range",
					     inode->i_ino, blk);
		}
		brelse(bh);
		bh = NULL;
	}
	*pblk = blk;
check:
	if (!vexfs_blk_valid(sb, *pblk))
		return vexfs_corrupt(sb, "inode %lu: block %llu out of range", inode->i_ino,
				     *pblk);
	return 0;

alloc_data:
	{
		u32 count = 1;

		err = vexfs_new_blocks(handle, inode, goal, &count, &blk);
		if (!err && bh) {
			err = vexfs_ind_set(handle, inode, bh, offsets[depth - 1], blk);
			if (err)	/* not linked: give the new block back */
				vexfs_free_blocks(handle, inode, blk, 1, false);
		} else if (!err) {
			vi->i_block[offsets[0]] = cpu_to_le64(blk);
		}
		brelse(bh);
		if (err)
			return err;
		inode->i_blocks += sb->s_blocksize >> 9;
		vi->i_datasync_tid = handle->h_transaction->t_tid;
		err = vexfs_mark_inode_dirty(handle, inode);
		if (err)
			return err;
		*pblk = blk;
		if (is_new)
			*is_new = true;
		if (!(flags & VEXFS_MAP_META))
			/* ordered mode: the data reaches disk before this transaction commits */
			err = jbd2_journal_inode_ranged_write(handle, &vi->i_jinode,
							      lblk << inode->i_blkbits,
							      sb->s_blocksize);
		return err;
	}
}

int vexfs_map_block(handle_t *handle, struct inode *inode, u64 lblk,
		    unsigned int flags, u64 *pblk, bool *is_new)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	down_read(&vi->i_map_sem);
	err = __vexfs_map_block(NULL, inode, lblk, 0, pblk, is_new);
	up_read(&vi->i_map_sem);
	if (err || *pblk || !(flags & VEXFS_MAP_CREATE))
		return err;
	down_write(&vi->i_map_sem);
	err = __vexfs_map_block(handle, inode, lblk, flags, pblk, is_new);
	up_write(&vi->i_map_sem);
	return err;
}

/*
 * The block-map array that holds logical block @lblk's pointer: the inode's
 * direct pointers (*bhp NULL) or a leaf indirect block (*bhp, referenced).
 * *ptrs is the array, *idx @lblk's slot in it. A missing leaf gives *ptrs
 * NULL, or with @create (inside @handle) is allocated empty with the
 * indirect blocks above it. Caller holds i_map_sem (for writing to create).
 */
int __vexfs_leaf_get(handle_t *handle, struct inode *inode, u64 lblk, bool create,
		     struct buffer_head **bhp, __le64 **ptrs, u32 *idx)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct buffer_head *bh = NULL;
	u32 offsets[4];
	int depth, level, err;
	u64 blk;

	*bhp = NULL;
	*ptrs = NULL;
	depth = vexfs_block_path(sb->s_blocksize, lblk, offsets);
	if (!depth)
		return -EFBIG;
	*idx = offsets[depth - 1];
	if (depth == 1) {
		*ptrs = vi->i_block;
		return 0;
	}
	blk = le64_to_cpu(vi->i_block[offsets[0]]);
	for (level = 1; level < depth; level++) {
		struct buffer_head *next;

		if (!blk) {
			u64 goal = bh ? bh->b_blocknr + 1 :
				   (u64)vi->i_goal_group * VEXFS_SB(sb)->s_geom.blocks_per_group;

			if (!create)
				goto out;
			err = vexfs_new_ind(handle, inode, goal, &blk);
			if (err)
				goto fail;
			if (bh) {
				err = vexfs_ind_set(handle, inode, bh, offsets[level - 1], blk);
			} else {
				vi->i_block[offsets[0]] = cpu_to_le64(blk);
				err = vexfs_mark_inode_dirty(handle, inode);
			}
			if (err) {
				if (bh) {	/* not linked: give it back */
					vexfs_free_blocks(handle, inode, blk, 1, true);
					inode->i_blocks -= sb->s_blocksize >> 9;
				}
				goto fail;
			}
		}
		next = vexfs_read_ind(inode, blk);
		if (IS_ERR(next)) {
			err = PTR_ERR(next);
			goto fail;
		}
		brelse(bh);
		bh = next;
		if (level < depth - 1)
			blk = le64_to_cpu(((__le64 *)bh->b_data)[offsets[level]]);
	}
	*bhp = bh;
	*ptrs = (__le64 *)bh->b_data;
	return 0;
out:
	brelse(bh);
	return 0;
fail:
	brelse(bh);
	return err;
}

/*
 * Look up the run of blocks that starts at @lblk, at most @max long: either
 * mapped to consecutive physical blocks (*pblk != 0) or a hole (*pblk == 0).
 * *count is the run's length, at least 1. A hole whose indirect block is
 * missing spans that block's whole subtree, so a sparse file is walked in
 * steps of its holes, not of its blocks. Takes i_map_sem shared.
 */
int vexfs_map_run(struct inode *inode, u64 lblk, u64 max, u64 *pblk, u64 *count)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 p = vexfs_ptrs_per_block(sb->s_blocksize);
	struct buffer_head *bh = NULL;
	const __le64 *ptrs;
	u32 offsets[4], idx, limit;
	int depth, level, err = 0;
	u64 blk, n, bpg;

	*pblk = 0;
	*count = 1;
	if (!max)
		return -EINVAL;
	depth = vexfs_block_path(sb->s_blocksize, lblk, offsets);
	if (!depth) {			/* past the largest mappable block */
		*count = max;
		return 0;
	}
	down_read(&vi->i_map_sem);
	ptrs = vi->i_block;
	idx = offsets[0];
	limit = depth == 1 ? VEXFS_NDIR_BLOCKS : offsets[0] + 1;
	for (level = 1; level < depth; level++) {
		blk = le64_to_cpu(ptrs[idx]);
		if (!blk) {
			/* the subtree below ptrs[idx] is missing: one hole */
			u64 span = 1, pos = 0;
			int j;

			for (j = depth - 1; j >= level; j--) {
				pos += offsets[j] * span;
				span *= p;
			}
			*count = min(span - pos, max);
			goto out;
		}
		brelse(bh);
		bh = vexfs_read_ind(inode, blk);
		if (IS_ERR(bh)) {
			err = PTR_ERR(bh);
			bh = NULL;
			goto out;
		}
		ptrs = (const __le64 *)bh->b_data;
		idx = offsets[level];
		limit = p;
	}
	blk = le64_to_cpu(ptrs[idx]);
	max = min_t(u64, max, limit - idx);
	if (!blk) {
		for (n = 1; n < max && !ptrs[idx + n]; n++)
			;
		*count = n;
		goto out;
	}
	if (!vexfs_blk_valid(sb, blk)) {
		err = vexfs_corrupt(sb, "inode %lu: block %llu out of range", inode->i_ino, blk);
		goto out;
	}
	/* a run never crosses into the next group's bitmaps and inode table */
	bpg = VEXFS_SB(sb)->s_geom.blocks_per_group;
	max = min(max, bpg - blk % bpg);
	for (n = 1; n < max && le64_to_cpu(ptrs[idx + n]) == blk + n; n++)
		;
	if (!vexfs_blk_valid(sb, blk + n - 1)) {
		err = vexfs_corrupt(sb, "inode %lu: block %llu out of range", inode->i_ino,
				    blk + n - 1);
		goto out;
	}
	*pblk = blk;
	*count = n;
out:
	brelse(bh);
	up_read(&vi->i_map_sem);
	return err;
}

int vexfs_get_block(struct inode *inode, sector_t iblock,
		    struct buffer_head *bh_result, int create)
{
	handle_t *handle = NULL;
	bool is_new = false;
	u64 pblk;
	int err;

	if (!create) {
		/* lookups map a whole run: mpage reads it as one bio */
		u64 count;

		err = vexfs_map_run(inode, iblock,
				    max_t(u64, bh_result->b_size >> inode->i_blkbits, 1),
				    &pblk, &count);
		if (err || !pblk)
			return err;
		map_bh(bh_result, inode->i_sb, pblk);
		bh_result->b_size = count << inode->i_blkbits;
		return 0;
	}
	handle = journal_current_handle();
	err = vexfs_map_block(handle, inode, iblock, handle ? VEXFS_MAP_CREATE : 0,
			      &pblk, &is_new);
	if (err)
		return err;
	if (!pblk) {
		/*
		 * Writeback maps with create set but without a handle: fine for
		 * mapped blocks. Callers that allocate must run inside one.
		 */
		vexfs_err(inode->i_sb, "inode %lu: block %llu allocation outside a transaction",
			  inode->i_ino, (u64)iblock);
		WARN_ON_ONCE(1);
		return -EIO;
	}
	map_bh(bh_result, inode->i_sb, pblk);
	bh_result->b_size = inode->i_sb->s_blocksize;
	if (is_new)
		set_buffer_new(bh_result);
	return 0;
}

/*
 * Read (or with @create, allocate) a metadata block of a directory. A new
 * block is returned zeroed, uptodate, with create access in @handle.
 */
struct buffer_head *vexfs_bread(handle_t *handle, struct inode *inode, u64 lblk,
				bool create)
{
	struct super_block *sb = inode->i_sb;
	struct buffer_head *bh;
	bool is_new = false;
	u64 pblk;
	int err;

	err = vexfs_map_block(handle, inode, lblk,
			      create ? VEXFS_MAP_CREATE | VEXFS_MAP_META : 0, &pblk, &is_new);
	if (err)
		return ERR_PTR(err);
	if (!pblk)
		return NULL;
	if (!is_new) {
		bh = sb_bread(sb, pblk);
		return bh ? bh : ERR_PTR(-EIO);
	}
	bh = sb_getblk(sb, pblk);
	if (!bh)
		return ERR_PTR(-ENOMEM);
	lock_buffer(bh);
	err = vexfs_journal_get_create_access(handle, sb, bh);
	if (err) {
		unlock_buffer(bh);
		brelse(bh);
		return ERR_PTR(err);
	}
	memset(bh->b_data, 0, sb->s_blocksize);
	set_buffer_uptodate(bh);
	vexfs_bh_clear_verified(bh);
	unlock_buffer(bh);
	return bh;
}

/* ---- truncate ----------------------------------------------------------- */

struct vexfs_free_run {
	u64 start;
	u32 count;
};

static void vexfs_flush_run(handle_t *handle, struct inode *inode,
			    struct vexfs_free_run *run)
{
	if (!run->count)
		return;
	/* directory and internal (ANN index) blocks are metadata: revoke them */
	vexfs_free_blocks(handle, inode, run->start, run->count,
			  S_ISDIR(inode->i_mode) || vexfs_internal_ino(inode->i_ino));
	inode->i_blocks -= (u64)run->count << (inode->i_blkbits - 9);
	run->count = 0;
}

static void vexfs_queue_free(handle_t *handle, struct inode *inode,
			     struct vexfs_free_run *run, u64 blk)
{
	/* Directory blocks are revoked one by one: do not batch them. */
	if (run->count && run->start + run->count == blk && run->count < 1024 &&
	    !S_ISDIR(inode->i_mode)) {
		run->count++;
		return;
	}
	vexfs_flush_run(handle, inode, run);
	run->start = blk;
	run->count = 1;
}

/*
 * Make room in the handle for @need more blocks; before a restart log the
 * inode as it is now.
 */
static int vexfs_trunc_credits(handle_t *handle, struct inode *inode,
			       struct vexfs_free_run *run, int need)
{
	int err;

	if (jbd2_handle_buffer_credits(handle) >= need && handle->h_revoke_credits >= 8)
		return 0;
	vexfs_flush_run(handle, inode, run);
	err = jbd2_journal_extend(handle, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE);
	if (err <= 0)
		return err;
	err = vexfs_mark_inode_dirty(handle, inode);
	if (err)
		return err;
	/*
	 * The restart may wait for the commit of the running transaction,
	 * whose other handles may be waiting for i_map_sem (page_mkwrite):
	 * drop it meanwhile, as ext4 drops i_data_sem. The caller holds the
	 * invalidate lock and i_rwsem, or evicts the inode: nothing maps a
	 * block past the truncation point meanwhile.
	 */
	up_write(&VEXFS_I(inode)->i_map_sem);
	err = jbd2__journal_restart(handle, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE,
				    GFP_NOFS);
	down_write(&VEXFS_I(inode)->i_map_sem);
	if (err)	/* the handle is detached from any transaction now */
		vexfs_msg(inode->i_sb, "inode %lu: truncate stopped, journal restart failed: %d",
			  inode->i_ino, err);
	return err;
}

/*
 * Free every block of the subtree rooted at indirect block @blk (@depth
 * levels of indirection) whose logical index within the subtree is in
 * [@from, @to). *empty says whether the subtree holds no block afterwards.
 */
static int vexfs_free_subtree(handle_t *handle, struct inode *inode, u64 blk,
			      int depth, u64 from, u64 to, struct vexfs_free_run *run,
			      bool prune, bool *empty)
{
	struct super_block *sb = inode->i_sb;
	u32 p = vexfs_ptrs_per_block(sb->s_blocksize), i, start, last;
	u64 span = 1;
	struct buffer_head *bh;
	__le64 *ptrs;
	int err = 0, d;

	for (d = 1; d < depth; d++)
		span *= p;
	bh = vexfs_read_ind(inode, blk);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	ptrs = (__le64 *)bh->b_data;
	start = (u32)(from / span);
	last = (u32)min_t(u64, (to - 1) / span, p - 1);
	/* pruning looks at the leaves' pointers only to see whether they are empty */
	for (i = last + 1; !(prune && depth == 1) && i-- > start;) {
		u64 c = le64_to_cpu(ptrs[i]);

		if (!c)
			continue;
		err = vexfs_trunc_credits(handle, inode, run, 8);
		if (err)
			break;
		if (depth > 1) {
			u64 cfrom = i == start ? from % span : 0;
			u64 cto = i == last && (to - 1) / span == i ? (to - 1) % span + 1 : span;
			bool child_empty;

			err = vexfs_free_subtree(handle, inode, c, depth - 1, cfrom, cto, run,
						 prune, &child_empty);
			if (err)
				break;
			if (!child_empty)
				continue;
			vexfs_flush_run(handle, inode, run);
			vexfs_free_blocks(handle, inode, c, 1, true);
			inode->i_blocks -= sb->s_blocksize >> 9;
		} else {
			if (prune)	/* data stays: only empty indirect blocks go */
				continue;
			if (!vexfs_blk_valid(sb, c)) {
				err = vexfs_corrupt(sb, "inode %lu: block %llu out of range",
						    inode->i_ino, c);
				break;
			}
			vexfs_queue_free(handle, inode, run, c);
		}
		err = vexfs_ind_set(handle, inode, bh, i, 0);
		if (err)
			break;
	}
	*empty = true;
	for (i = 0; i < p; i++) {
		if (ptrs[i]) {
			*empty = false;
			break;
		}
	}
	brelse(bh);
	return err;
}

/*
 * Free the blocks of logical range [@first, @end), from the end backwards;
 * indirect blocks left empty are freed too. With @prune, only the indirect
 * blocks that map nothing are. Caller holds i_map_sem for writing (dropped
 * around journal restarts, see vexfs_trunc_credits).
 */
static int vexfs_free_range_locked(handle_t *handle, struct inode *inode, u64 first, u64 end,
				   bool prune)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 p = vexfs_ptrs_per_block(sb->s_blocksize);
	u64 lo[3] = { VEXFS_NDIR_BLOCKS, VEXFS_NDIR_BLOCKS + p,
		      VEXFS_NDIR_BLOCKS + p + p * p };
	u64 hi[3] = { lo[1], lo[2], lo[2] + p * p * p };
	struct vexfs_free_run run = { 0, 0 };
	int k, err = 0;

	for (k = 2; k >= 0; k--) {
		u64 blk = le64_to_cpu(vi->i_block[VEXFS_IND_BLOCK + k]);
		bool empty;

		if (!blk || first >= hi[k] || end <= lo[k])
			continue;
		err = vexfs_free_subtree(handle, inode, blk, k + 1,
					 first > lo[k] ? first - lo[k] : 0,
					 min(end, hi[k]) - lo[k], &run, prune, &empty);
		if (err)
			goto out;
		if (empty) {
			vexfs_flush_run(handle, inode, &run);
			vexfs_free_blocks(handle, inode, blk, 1, true);
			inode->i_blocks -= sb->s_blocksize >> 9;
			vi->i_block[VEXFS_IND_BLOCK + k] = 0;
		}
	}
	for (k = min_t(u64, end, VEXFS_NDIR_BLOCKS); !prune && k-- > 0 && (u64)k >= first;) {
		u64 blk = le64_to_cpu(vi->i_block[k]);

		if (!blk)
			continue;
		err = vexfs_trunc_credits(handle, inode, &run, 8);
		if (err)
			goto out;
		if (!vexfs_blk_valid(sb, blk)) {
			err = vexfs_corrupt(sb, "inode %lu: block %llu out of range",
					    inode->i_ino, blk);
			goto out;
		}
		vexfs_queue_free(handle, inode, &run, blk);
		vi->i_block[k] = 0;
	}
out:
	vexfs_flush_run(handle, inode, &run);
	return err;
}

int __vexfs_free_range(handle_t *handle, struct inode *inode, u64 first, u64 end)
{
	return vexfs_free_range_locked(handle, inode, first, end, false);
}

/* Free the indirect blocks of [@first, @end) that map no block. */
int __vexfs_prune_range(handle_t *handle, struct inode *inode, u64 first, u64 end)
{
	return vexfs_free_range_locked(handle, inode, first, end, true);
}

/*
 * Room for @need more blocks in a handle started by
 * vexfs_journal_start_revoke(sb, VEXFS_CREDITS_TRUNCATE, ...), restarting
 * it when the transaction is full; i_map_sem is held for writing and
 * dropped around the restart.
 */
int vexfs_ensure_credits(handle_t *handle, struct inode *inode, int need)
{
	struct vexfs_free_run run = { 0, 0 };

	return vexfs_trunc_credits(handle, inode, &run, need);
}

static int __vexfs_truncate_blocks(handle_t *handle, struct inode *inode, u64 first)
{
	return __vexfs_free_range(handle, inode, first, vexfs_max_lblk(inode->i_sb->s_blocksize));
}

/*
 * Free the blocks of [@first, @end) inside the file (FALLOC_FL_PUNCH_HOLE),
 * in as many transactions as it takes; a crash between them leaves a part
 * of the range freed, never a block both freed and mapped. The caller holds
 * i_rwsem and the invalidate lock and has dropped the range's page cache.
 */
int vexfs_free_range(struct inode *inode, u64 first, u64 end)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	handle_t *handle;
	int err;

	handle = vexfs_journal_start_revoke(inode->i_sb, VEXFS_CREDITS_TRUNCATE,
					    VEXFS_CREDITS_TRUNCATE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	down_write(&vi->i_map_sem);
	err = __vexfs_free_range(handle, inode, first, end);
	up_write(&vi->i_map_sem);
	return vexfs_map_change_stop(handle, inode, err);
}

/*
 * End a change of @inode's block map (punch, collapse, insert) begun with
 * @err so far: unless a restart failed, the data sync tid, mtime and ctime
 * are updated and the inode logged; then the handle is stopped.
 */
int vexfs_map_change_stop(handle_t *handle, struct inode *inode, int err)
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

/*
 * Free the blocks of @inode beyond @new_size. i_size must already be
 * @new_size. The caller holds the invalidate lock (page faults must not map
 * blocks meanwhile), or evicts the inode. Runs in as many transactions as
 * needed; the inode sits on the orphan list meanwhile (if it still has
 * links) so a crash resumes it.
 */
int vexfs_truncate_blocks(struct inode *inode, loff_t new_size)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 first = DIV_ROUND_UP((u64)new_size, sb->s_blocksize);
	handle_t *handle;
	/* an internal inode (a dropped ANN index) is finished by the next mount */
	bool orphan = inode->i_nlink && list_empty(&vi->i_orphan) &&
		      !vexfs_internal_ino(inode->i_ino);
	int err, err2;

	handle = vexfs_journal_start_revoke(sb, VEXFS_CREDITS_TRUNCATE, VEXFS_CREDITS_TRUNCATE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (orphan) {
		err = vexfs_orphan_add(handle, inode);
		if (err)
			goto stop;
	}
	down_write(&vi->i_map_sem);
	err = __vexfs_truncate_blocks(handle, inode, first);
	up_write(&vi->i_map_sem);
	if (!handle->h_transaction)
		goto stop;	/* a restart failed: nothing more can be logged */
	vi->i_datasync_tid = handle->h_transaction->t_tid;
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	err2 = vexfs_mark_inode_dirty(handle, inode);
	if (!err)
		err = err2;
	if (orphan) {
		err2 = vexfs_orphan_del(handle, inode);
		if (!err)
			err = err2;
	}
stop:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

/* ---- orphan list -------------------------------------------------------- */

static int vexfs_sb_write_orphan_head(handle_t *handle, struct super_block *sb, u64 ino)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err = vexfs_journal_get_write_access(handle, sb, sbi->s_sbh);

	if (err)
		return err;
	lock_buffer(sbi->s_sbh);
	sbi->s_es->s_orphan_head = cpu_to_le64(ino);
	sbi->s_es->s_checksum = cpu_to_le32(vexfs_sb_csum(sbi->s_es));
	unlock_buffer(sbi->s_sbh);
	return vexfs_journal_dirty(handle, sb, sbi->s_sbh);
}

int vexfs_orphan_add(handle_t *handle, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	mutex_lock(&sbi->s_orphan_lock);
	if (!list_empty(&vi->i_orphan)) {
		mutex_unlock(&sbi->s_orphan_lock);
		return 0;
	}
	vi->i_orphan_next = le64_to_cpu(sbi->s_es->s_orphan_head);
	err = vexfs_mark_inode_dirty(handle, inode);
	if (!err)
		err = vexfs_sb_write_orphan_head(handle, sb, inode->i_ino);
	if (!err)
		list_add(&vi->i_orphan, &sbi->s_orphans);
	mutex_unlock(&sbi->s_orphan_lock);
	return err;
}

int vexfs_orphan_del(handle_t *handle, struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	mutex_lock(&sbi->s_orphan_lock);
	if (list_empty(&vi->i_orphan)) {
		mutex_unlock(&sbi->s_orphan_lock);
		return 0;
	}
	if (vi->i_orphan.prev == &sbi->s_orphans) {
		err = vexfs_sb_write_orphan_head(handle, sb, vi->i_orphan_next);
	} else {
		struct vexfs_inode_info *prev = list_prev_entry(vi, i_orphan);

		prev->i_orphan_next = vi->i_orphan_next;
		err = vexfs_mark_inode_dirty(handle, &prev->vfs_inode);
	}
	list_del_init(&vi->i_orphan);
	vi->i_orphan_next = 0;
	if (!err && inode->i_nlink)
		err = vexfs_mark_inode_dirty(handle, inode);
	mutex_unlock(&sbi->s_orphan_lock);
	return err;
}

/* Finish what a crash interrupted: free unlinked inodes, finish truncates. */
void vexfs_orphan_cleanup(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 ino = le64_to_cpu(sbi->s_es->s_orphan_head), n = 0;
	struct vexfs_inode_info *vi, *tmp;
	LIST_HEAD(todo);

	/* Load the on-disk list into memory, in order, guarding against cycles. */
	while (ino) {
		struct inode *inode;

		if (++n > sbi->s_geom.inodes) {
			vexfs_err(sb, "corrupt metadata: orphan list has a cycle");
			break;
		}
		inode = __vexfs_iget(sb, ino, VEXFS_IGET_UNLINKED);
		if (IS_ERR(inode)) {
			vexfs_err(sb, "orphan inode %llu unreadable: %ld", ino, PTR_ERR(inode));
			break;
		}
		vi = VEXFS_I(inode);
		if (!list_empty(&vi->i_orphan)) {
			vexfs_err(sb, "corrupt metadata: inode %llu twice on the orphan list", ino);
			iput(inode);
			break;
		}
		list_add_tail(&vi->i_orphan, &sbi->s_orphans);
		ino = vi->i_orphan_next;
	}
	if (n)
		vexfs_msg(sb, "processing %llu orphan inode(s)", n);
	list_for_each_entry_safe(vi, tmp, &sbi->s_orphans, i_orphan)
		list_add_tail(&vi->vfs_inode.i_lru, &todo);
	while (!list_empty(&todo)) {
		struct inode *inode = list_first_entry(&todo, struct inode, i_lru);

		list_del_init(&inode->i_lru);
		if (inode->i_nlink) {
			handle_t *handle;

			/*
			 * Only a regular file's truncate puts an inode with links
			 * on the list (a fast symlink's i_block is its target).
			 */
			if (S_ISREG(inode->i_mode)) {
				truncate_inode_pages(inode->i_mapping, inode->i_size);
				vexfs_truncate_blocks(inode, inode->i_size);
			} else {
				vexfs_corrupt(sb, "inode %lu (mode 0%o) with links on the orphan list: dropped from it",
					      inode->i_ino, inode->i_mode);
			}
			handle = vexfs_journal_start(sb, VEXFS_CREDITS_INODE * 2);
			if (!IS_ERR(handle)) {
				vexfs_orphan_del(handle, inode);
				vexfs_journal_stop(handle);
			}
		}
		iput(inode);	/* nlink == 0: eviction frees it */
	}
}

/* ---- eviction ----------------------------------------------------------- */

void vexfs_evict_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	handle_t *handle;
	bool want_delete = !inode->i_nlink && !is_bad_inode(inode) && !sb_rdonly(sb);
	bool freeze_protected = false;
	int err;

	truncate_inode_pages_final(&inode->i_data);
	/*
	 * Deleting writes: wait while the filesystem is frozen. Inside a
	 * running handle (a half-made inode's iput) freezing already waits for
	 * us, and taking the protection again would invert the lock order.
	 */
	if (want_delete && !journal_current_handle()) {
		sb_start_intwrite(sb);
		freeze_protected = true;
	}
	if (want_delete) {
		/*
		 * An unlinked inode is on the orphan list until this completes.
		 * A fast symlink's i_block holds its target, not block numbers.
		 */
		err = vexfs_vec_evict(inode);
		if (err) {
			/*
			 * The inode cannot be freed while vectors name it. Take it
			 * off the on-disk orphan list as well, so that the list
			 * on disk stays the one in memory; it stays allocated with
			 * no link, which fsck.vexfs reclaims (the error is recorded).
			 * Without a handle (read-only, shut down) it stays on the
			 * list on disk for the next mount.
			 */
			vexfs_err(sb, "inode %lu: cannot free its vectors (%d): not deleted",
				  inode->i_ino, err);
			handle = vexfs_journal_start(sb, VEXFS_CREDITS_INODE * 3);
			if (!IS_ERR(handle)) {
				vexfs_orphan_del(handle, inode);
				vexfs_mark_inode_dirty(handle, inode);
				vexfs_journal_stop(handle);
			}
			goto keep;
		}
		if (!vexfs_fast_symlink(inode)) {
			inode->i_size = 0;
			vexfs_truncate_blocks(inode, 0);
		}
		handle = vexfs_journal_start(sb, VEXFS_CREDITS_XATTR + VEXFS_CREDITS_INODE * 3 + 4);
		if (!IS_ERR(handle)) {
			vexfs_xattr_free(handle, inode);
			vexfs_orphan_del(handle, inode);
			/*
			 * Mode 0 on disk marks the inode unused. i_mode itself
			 * stays: evict() still needs it (cd_forget() of a char
			 * device inode: with mode 0 the freed inode stayed on the
			 * device's list, a use-after-free seen under KASAN).
			 * The slot is written before its bit is freed, as in
			 * ext4: once the bit is clear, another task may allocate
			 * the number and write the slot, and two writers tore it
			 * (a checksum failure seen by sysfuzz under KASAN).
			 */
			vi->i_freed = true;
			inode->i_blocks = 0;
			memset(vi->i_block, 0, sizeof(vi->i_block));
			vexfs_mark_inode_dirty(handle, inode);
			vexfs_free_inode(handle, inode);
			vexfs_journal_stop(handle);
		}
	}
keep:
	/*
	 * Still on the in-memory list: read-only, bad, or the deletion could
	 * not run (the truncate turned the filesystem read-only, the journal
	 * aborted). Nothing more reaches the disk, whose orphan list keeps the
	 * inode for the next read-write mount; the memory is freed below.
	 */
	if (!list_empty(&vi->i_orphan)) {
		mutex_lock(&sbi->s_orphan_lock);
		list_del_init(&vi->i_orphan);
		mutex_unlock(&sbi->s_orphan_lock);
	}
	if (freeze_protected)
		sb_end_intwrite(sb);
	if (sbi->s_journal)
		jbd2_journal_release_jbd_inode(sbi->s_journal, &vi->i_jinode);
	clear_inode(inode);
}

/* ---- address space ------------------------------------------------------ */

/*
 * -ENOSPC while the free count says otherwise means the free blocks were
 * released by a transaction that has not committed: commit and retry once.
 */
bool vexfs_should_retry_alloc(struct super_block *sb, int err, int *retries)
{
	if (err != -ENOSPC || (*retries)++ ||
	    !percpu_counter_sum_positive(&VEXFS_SB(sb)->s_free_blocks))
		return false;
	return jbd2_journal_force_commit_nested(VEXFS_SB(sb)->s_journal) >= 0;
}

static int vexfs_read_folio(struct file *file, struct folio *folio)
{
	return mpage_read_folio(folio, vexfs_get_block);
}

static void vexfs_readahead(struct readahead_control *rac)
{
	mpage_readahead(rac, vexfs_get_block);
}

static int vexfs_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	return mpage_writepages(mapping, wbc, vexfs_get_block);
}

#ifndef VEXFS_WB_FOLIO
static int vexfs_writepage(struct page *page, struct writeback_control *wbc)
{
	return block_write_full_page(page, vexfs_get_block, wbc);
}
#endif

static void vexfs_write_failed(struct address_space *mapping, loff_t to)
{
	struct inode *inode = mapping->host;

	/*
	 * Regular files only: page_symlink() gets here inside symlink()'s
	 * handle, where the invalidate lock must not be taken (page_mkwrite
	 * takes it before its handle); a symlink is never mapped.
	 */
	bool reg = S_ISREG(inode->i_mode);

	if (to > inode->i_size) {
		if (reg)
			filemap_invalidate_lock(mapping);
		truncate_pagecache(inode, inode->i_size);
		vexfs_truncate_blocks(inode, inode->i_size);
		if (reg)
			filemap_invalidate_unlock(mapping);
	}
}

/* fsdata of a write_begin that started a handle */
#define VEXFS_WB_HANDLE	((void *)1)

static int vexfs_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len, vexfs_wb_page_t *pagep,
			     void **fsdata)
{
	struct inode *inode = mapping->host;
	unsigned int bits = inode->i_blkbits;
	u64 first = pos >> bits, n = ((pos + len - 1) >> bits) - first + 1, pblk, count;
	handle_t *handle;
	int err, retries = 0;

	/*
	 * An overwrite of blocks the file has changes no metadata: no
	 * transaction (the size, if it grows inside the last block, gets one
	 * in write_end). i_rwsem keeps truncate and hole punching away.
	 */
	*fsdata = NULL;
	if (!vexfs_map_run(inode, first, n, &pblk, &count) && pblk && count >= n)
		return block_write_begin(mapping, pos, len, pagep, vexfs_get_block);
	*fsdata = VEXFS_WB_HANDLE;
retry:
	handle = vexfs_journal_start(inode->i_sb,
				     VEXFS_CREDITS_WRITE(PAGE_SIZE >> inode->i_blkbits));
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = block_write_begin(mapping, pos, len, pagep, vexfs_get_block);
	if (err) {
		vexfs_journal_stop(handle);
		vexfs_write_failed(mapping, pos + len);
		if (vexfs_should_retry_alloc(inode->i_sb, err, &retries))
			goto retry;
	}
	return err;
}

static int vexfs_write_end(struct file *file, struct address_space *mapping,
			   loff_t pos, unsigned int len, unsigned int copied,
			   vexfs_wb_page_t page, void *fsdata)
{
	struct inode *inode = mapping->host;
	/* write_begin's handle, or none for an overwrite */
	handle_t *handle = fsdata == VEXFS_WB_HANDLE ? journal_current_handle() : NULL;
	loff_t old_size = inode->i_size;
	int ret, err;

	ret = generic_write_end(file, mapping, pos, len, copied, page, fsdata);
	if (inode->i_size != old_size) {
		if (!handle) {
			handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_INODE);
			if (IS_ERR(handle)) {
				if (ret >= 0)
					ret = PTR_ERR(handle);
				return ret;
			}
		}
		VEXFS_I(inode)->i_datasync_tid = handle->h_transaction->t_tid;
		err = vexfs_mark_inode_dirty(handle, inode);
		if (err && ret >= 0)
			ret = err;
	}
	if (handle) {
		err = vexfs_journal_stop(handle);
		if (err && ret >= 0)
			ret = err;
	}
	/* a short copy into blocks write_begin allocated: give back those past EOF */
	if (fsdata == VEXFS_WB_HANDLE && ret < (int)len)
		vexfs_write_failed(mapping, pos + len);
	return ret;
}

static sector_t vexfs_bmap(struct address_space *mapping, sector_t block)
{
	return generic_block_bmap(mapping, block, vexfs_get_block);
}

const struct address_space_operations vexfs_aops = {
	.dirty_folio		= block_dirty_folio,
	.invalidate_folio	= block_invalidate_folio,
	.read_folio		= vexfs_read_folio,
	.readahead		= vexfs_readahead,
#ifndef VEXFS_WB_FOLIO
	.writepage		= vexfs_writepage,
#endif
	.writepages		= vexfs_writepages,
	.write_begin		= vexfs_write_begin,
	.write_end		= vexfs_write_end,
	.bmap			= vexfs_bmap,
	.direct_IO		= noop_direct_IO,	/* O_DIRECT: read_iter/write_iter, iomap.c */
	.migrate_folio		= buffer_migrate_folio,
	.is_partially_uptodate	= block_is_partially_uptodate,
};

/* ---- attributes --------------------------------------------------------- */

static int vexfs_setsize(struct inode *inode, loff_t newsize)
{
	handle_t *handle;
	loff_t oldsize = inode->i_size;
	int err;

	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (IS_APPEND(inode) || IS_IMMUTABLE(inode))
		return -EPERM;
	inode_dio_wait(inode);
	if (newsize < oldsize) {
		/* Zero the tail of the new last block so a later extension reads zeros. */
		handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_WRITE(1));
		if (IS_ERR(handle))
			return PTR_ERR(handle);
		err = block_truncate_page(inode->i_mapping, newsize, vexfs_get_block);
		/*
		 * Ordered, as ext4 does: the zeroed tail reaches the disk before
		 * the transaction that commits the new size (this one or a later
		 * one), or a crash and an extension bring the old bytes back.
		 */
		if (!err && (newsize & (inode->i_sb->s_blocksize - 1)))
			err = jbd2_journal_inode_ranged_write(handle, &VEXFS_I(inode)->i_jinode,
							      newsize,
							      inode->i_sb->s_blocksize -
							      (newsize & (inode->i_sb->s_blocksize - 1)));
		vexfs_journal_stop(handle);
		if (err)
			return err;
	}
	/* Faults (page_mkwrite) wait until the blocks are freed. */
	filemap_invalidate_lock(inode->i_mapping);
	truncate_setsize(inode, newsize);
	if (newsize < oldsize) {
		err = vexfs_truncate_blocks(inode, newsize);
		filemap_invalidate_unlock(inode->i_mapping);
		return err;
	}
	filemap_invalidate_unlock(inode->i_mapping);
	handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
	VEXFS_I(inode)->i_datasync_tid = handle->h_transaction->t_tid;
	err = vexfs_mark_inode_dirty(handle, inode);
	vexfs_journal_stop(handle);
	return err;
}

int vexfs_setattr(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	handle_t *handle;
	int err;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	err = setattr_prepare(idmap, dentry, attr);
	if (err)
		return err;
	if ((attr->ia_valid & ATTR_SIZE) && attr->ia_size != inode->i_size) {
		err = vexfs_setsize(inode, attr->ia_size);
		if (err)
			return err;
	}
	handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	setattr_copy(idmap, inode, attr);
	err = vexfs_mark_inode_dirty(handle, inode);
	vexfs_journal_stop(handle);
	if (!err && (attr->ia_valid & ATTR_MODE))
		err = vexfs_acl_chmod(idmap, dentry);	/* the ACL follows the new mode */
	return err;
}

int vexfs_getattr(struct mnt_idmap_or_ns *idmap, const struct path *path,
		  struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	if (request_mask & STATX_BTIME) {
		stat->result_mask |= STATX_BTIME;
		stat->btime.tv_sec = vi->i_crtime;
		stat->btime.tv_nsec = vi->i_crtime_ns;
	}
	if (vi->i_flags & VEXFS_INODE_FL_APPEND)
		stat->attributes |= STATX_ATTR_APPEND;
	if (vi->i_flags & VEXFS_INODE_FL_IMMUTABLE)
		stat->attributes |= STATX_ATTR_IMMUTABLE;
	if (vi->i_flags & VEXFS_INODE_FL_NODUMP)
		stat->attributes |= STATX_ATTR_NODUMP;
	stat->attributes_mask |= STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP;
	vexfs_fillattr(idmap, request_mask, inode, stat);
	return 0;
}
