// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - jbd2 glue. The journal is a fixed region of the filesystem's
 * own device written by mkfs.vexfs; every metadata change runs inside a jbd2
 * handle. File data is in ordered mode: newly allocated data blocks are
 * written before the transaction that maps them commits.
 */
#include <linux/blkdev.h>
#include "vexfs.h"

/* Whether a handle may start: not shut down, not read-only, journal alive. */
static int vexfs_journal_check_start(struct super_block *sb)
{
	if (unlikely(vexfs_forced_shutdown(sb)))
		return -EIO;
	if (sb_rdonly(sb) || !VEXFS_SB(sb)->s_journal)
		return -EROFS;
	if (unlikely(is_journal_aborted(VEXFS_SB(sb)->s_journal))) {
		vexfs_journal_aborted(sb);	/* jbd2 would only say EROFS */
		return -EROFS;
	}
	return 0;
}

handle_t *vexfs_journal_start(struct super_block *sb, int credits)
{
	return vexfs_journal_start_revoke(sb, credits, VEXFS_REVOKE_CREDITS);
}

/* As vexfs_journal_start(), with room to revoke @revokes freed metadata blocks. */
handle_t *vexfs_journal_start_revoke(struct super_block *sb, int credits, int revokes)
{
	int err = vexfs_journal_check_start(sb);

	if (err)
		return ERR_PTR(err);
	return jbd2__journal_start(VEXFS_SB(sb)->s_journal, credits, 0, revokes, GFP_NOFS, 0, 0);
}

int vexfs_journal_stop(handle_t *handle)
{
	return jbd2_journal_stop(handle);
}

static int vexfs_journal_err(struct super_block *sb, const char *what, int err)
{
	if (err)
		vexfs_err(sb, "journal %s failed: %d", what, err);
	return err;
}

int vexfs_journal_get_write_access(handle_t *handle, struct super_block *sb,
				   struct buffer_head *bh)
{
	return vexfs_journal_err(sb, "get_write_access",
				 jbd2_journal_get_write_access(handle, bh));
}

int vexfs_journal_get_create_access(handle_t *handle, struct super_block *sb,
				    struct buffer_head *bh)
{
	return vexfs_journal_err(sb, "get_create_access",
				 jbd2_journal_get_create_access(handle, bh));
}

int vexfs_journal_dirty(handle_t *handle, struct super_block *sb,
			struct buffer_head *bh)
{
	return vexfs_journal_err(sb, "dirty_metadata",
				 jbd2_journal_dirty_metadata(handle, bh));
}

/*
 * A metadata block is being freed: drop it from the running transaction and
 * revoke it so that replay never writes stale metadata over the block's next
 * user.
 */
int vexfs_journal_forget(handle_t *handle, struct super_block *sb,
			 struct buffer_head *bh, u64 blocknr)
{
	int err;

	if (bh) {
		/* jbd2_journal_revoke() consumes one reference of bh */
		get_bh(bh);
		err = jbd2_journal_revoke(handle, blocknr, bh);
	} else {
		err = jbd2_journal_revoke(handle, blocknr, NULL);
	}
	return vexfs_journal_err(sb, "revoke", err);
}

static int vexfs_submit_inode_data(struct jbd2_inode *jinode)
{
	struct inode *inode = jinode->i_vfs_inode;
	int err = filemap_fdatawrite_range(inode->i_mapping, jinode->i_dirty_start,
					   jinode->i_dirty_end);

	if (err)
		vexfs_err(inode->i_sb, "inode %lu: ordered data writeback failed: %d",
			  inode->i_ino, err);
	return err;
}

static int vexfs_finish_inode_data(struct jbd2_inode *jinode)
{
	int err = jbd2_journal_finish_inode_data_buffers(jinode);

	if (err)
		vexfs_err(jinode->i_vfs_inode->i_sb, "inode %lu: ordered data wait failed: %d",
			  jinode->i_vfs_inode->i_ino, err);
	return err;
}

/*
 * jbd2 takes the bounds of the log from its own superblock, and those of a
 * device journal are absolute block numbers: an s_first of 1 would have
 * commits overwrite the group descriptors. Refuse a log that is not inside
 * the journal region, [journal_start + 1, journal_start + journal_blocks).
 */
static int vexfs_journal_check_bounds(struct super_block *sb)
{
	struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	u64 end = g->journal_start + g->journal_blocks;
	journal_superblock_t *js;
	struct buffer_head *bh;
	u64 first, maxlen;
	int err = 0;

	bh = sb_bread(sb, g->journal_start);
	if (!bh) {
		vexfs_msg(sb, "cannot read the journal superblock at block %llu",
			  g->journal_start);
		return -EIO;
	}
	js = (journal_superblock_t *)bh->b_data;
	first = be32_to_cpu(js->s_first);
	maxlen = be32_to_cpu(js->s_maxlen);
	if (js->s_header.h_magic != cpu_to_be32(JBD2_MAGIC_NUMBER)) {
		vexfs_msg(sb, "no journal superblock at block %llu", g->journal_start);
		err = -EUCLEAN;
	} else if (first <= g->journal_start || first >= maxlen || maxlen > end) {
		vexfs_msg(sb, "journal log [%llu, %llu) is not inside the journal region [%llu, %llu)",
			  first, maxlen, g->journal_start + 1, end);
		err = -EUCLEAN;
	}
	brelse(bh);
	return err;
}

/*
 * The journal superblock as it is on disk, without jbd2: 1 if it holds
 * transactions (s_start set), 0 if not, or -EIO; *magic: whether it has
 * jbd2's magic.
 */
static int vexfs_journal_peek(struct super_block *sb, bool *magic)
{
	struct buffer_head *jbh = sb_bread(sb, VEXFS_SB(sb)->s_geom.journal_start);
	journal_superblock_t *jsb;
	int dirty;

	if (!jbh)
		return -EIO;
	jsb = (journal_superblock_t *)jbh->b_data;
	*magic = jsb->s_header.h_magic == cpu_to_be32(JBD2_MAGIC_NUMBER);
	dirty = jsb->s_start != 0;
	brelse(jbh);
	return dirty;
}

int vexfs_journal_init(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	journal_t *journal;
	int err;

	err = vexfs_journal_check_bounds(sb);
	if (err)
		return err;
	/*
	 * As ext4: a journal that needs recovery on a read-only device cannot
	 * be replayed; refuse up front instead of failing the replay's writes.
	 */
	if (bdev_read_only(sb->s_bdev)) {
		bool magic;

		err = vexfs_journal_peek(sb, &magic);
		if (err < 0)
			return err;
		if (err) {
			vexfs_msg(sb, "the journal needs recovery and the device is read-only: not mounted");
			return -EROFS;
		}
	}

	/*
	 * A device journal's log block numbers are absolute device blocks
	 * (jbd2_journal_bmap() adds no offset): the journal superblock sits at
	 * journal_start and the log spans up to journal_start + journal_blocks.
	 */
	journal = jbd2_journal_init_dev(sb->s_bdev, sb->s_bdev, g->journal_start,
					(int)(g->journal_start + g->journal_blocks),
					g->block_size);
	if (IS_ERR_OR_NULL(journal)) {
		vexfs_msg(sb, "cannot set up the journal at block %llu",
			  g->journal_start);
		return journal ? PTR_ERR(journal) : -EINVAL;
	}
	journal->j_private = sb;
	journal->j_submit_inode_data_buffers = vexfs_submit_inode_data;
	journal->j_finish_inode_data_buffers = vexfs_finish_inode_data;
	journal->j_commit_interval = 5 * HZ;

	err = jbd2_journal_load(journal);
	if (err) {
		vexfs_msg(sb, "cannot load or replay the journal: %d", err);
		goto out_destroy;
	}
	journal->j_flags |= JBD2_BARRIER;	/* commits flush the device cache */
	if (!jbd2_journal_check_used_features(journal, 0, 0,
					      JBD2_FEATURE_INCOMPAT_REVOKE)) {
		vexfs_msg(sb, "journal lacks the revoke feature");
		err = -EUCLEAN;
		goto out_destroy;
	}
	if (g->blocks > 0xffffffffULL &&
	    !jbd2_journal_set_features(journal, 0, 0, JBD2_FEATURE_INCOMPAT_64BIT)) {
		err = -EINVAL;
		goto out_destroy;
	}
	sbi->s_journal = journal;
	return 0;

out_destroy:
	jbd2_journal_destroy(journal);
	return err;
}

/*
 * A norecovery mount: the journal is neither replayed nor opened, so a
 * damaged journal does not stop it (it is reported, as is a journal that
 * holds transactions: the mount shows the state before them).
 */
int vexfs_journal_skip(struct super_block *sb)
{
	bool magic;
	int dirty = vexfs_journal_peek(sb, &magic);

	if (dirty < 0)
		return dirty;
	if (!magic)
		vexfs_msg(sb, "norecovery: the journal superblock is not valid (not used)");
	else if (dirty)
		vexfs_msg(sb, "norecovery: the journal holds transactions that are not replayed; the filesystem may look inconsistent");
	return 0;
}

void vexfs_journal_destroy(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (!sbi->s_journal)
		return;
	/* A journal aborted by the shutdown ioctl is not a filesystem error. */
	if (jbd2_journal_destroy(sbi->s_journal) < 0 && !vexfs_forced_shutdown(sb))
		vexfs_err(sb, "journal was aborted");
	sbi->s_journal = NULL;
}

int vexfs_force_commit(struct super_block *sb)
{
	journal_t *journal = VEXFS_SB(sb)->s_journal;

	if (!journal || sb_rdonly(sb))
		return 0;
	return jbd2_journal_force_commit(journal);
}
