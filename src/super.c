// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - mount, superblock validation, statfs, sync, freeze, errors=,
 * sysfs and module init for VexFS.
 */
#include <linux/module.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/blkdev.h>
#include <linux/statfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/crc32.h>
#include <linux/crc32c.h>
#include "vexfs.h"
#include "vexfs/ondisk_check.h"

static struct kmem_cache *vexfs_inode_cachep;

u32 vexfs_crc32c(u32 crc, const void *buf, size_t len)
{
	return crc32c(crc, buf, len);
}

u32 vexfs_crc32c_zeros(u32 crc, size_t len)
{
	return __crc32c_le_shift(crc, len);
}

void vexfs_msg(struct super_block *sb, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_notice("vexfs (%s): %pV\n", sb->s_id, &vaf);
	va_end(args);
}

int __vexfs_err(struct super_block *sb, const char *func, const char *fmt, ...)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("vexfs (%s): error in %s: %pV\n", sb->s_id, func, &vaf);
	va_end(args);

	if (!sbi)
		return -EUCLEAN;
	atomic64_inc(&sbi->s_stat_errors);
	if (sb_rdonly(sb))
		return -EUCLEAN;
	if (sbi->s_mount_opt & VEXFS_MOUNT_ERRORS_PANIC)
		panic("vexfs (%s): panic forced after error\n", sb->s_id);
	if (sbi->s_mount_opt & VEXFS_MOUNT_ERRORS_RO) {
		pr_crit("vexfs (%s): remounting filesystem read-only\n", sb->s_id);
		if (sbi->s_journal)
			jbd2_journal_abort(sbi->s_journal, -EIO);
		sb->s_flags |= SB_RDONLY;
	}
	return -EUCLEAN;
}

/*
 * The journal aborted (a write it needed failed, or an error stopped it): no
 * change can be made any more, and every handle is refused with EROFS
 * (vexfs_journal_check_start). Say so once; errors=panic panics. SB_RDONLY is
 * not set here: changing it without s_umount and a remount confuses freeze
 * and thaw (6.12's ext4 stopped doing it for that reason).
 */
void vexfs_journal_aborted(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (test_and_set_bit(VEXFS_FLAG_ABORTED, &sbi->s_flags))
		return;
	atomic64_inc(&sbi->s_stat_errors);
	/* not while the system goes down: its devices may be gone already */
	if ((sbi->s_mount_opt & VEXFS_MOUNT_ERRORS_PANIC) && system_state != SYSTEM_HALT &&
	    system_state != SYSTEM_POWER_OFF && system_state != SYSTEM_RESTART)
		panic("vexfs (%s): journal aborted (%d)\n", sb->s_id, sbi->s_journal->j_errno);
	pr_crit("vexfs (%s): journal aborted (%d): no more changes (EROFS); unmount and mount again to replay it\n",
		sb->s_id, sbi->s_journal->j_errno);
}

/* ---- superblock I/O ----------------------------------------------------- */

/*
 * Write the superblock directly (not through the journal). Only called when
 * no transaction can hold the superblock buffer: during mount before the
 * first handle, and at unmount after the journal is destroyed.
 */
int vexfs_commit_super(struct super_block *sb, bool sync)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	struct buffer_head *bh = sbi->s_sbh;

	lock_buffer(bh);
	es->s_write_time = cpu_to_le64(ktime_get_real_seconds());
	es->s_free_blocks = cpu_to_le64(percpu_counter_sum_positive(&sbi->s_free_blocks));
	es->s_free_inodes = cpu_to_le64(percpu_counter_sum_positive(&sbi->s_free_inodes));
	if (atomic64_read(&sbi->s_stat_errors)) {
		es->s_state |= cpu_to_le32(VEXFS_STATE_ERROR);
		es->s_error_count = cpu_to_le64(le64_to_cpu(es->s_error_count) +
						atomic64_xchg(&sbi->s_stat_errors, 0));
		es->s_last_error_time = es->s_write_time;
	}
	es->s_checksum = cpu_to_le32(vexfs_sb_csum(es));
	set_buffer_uptodate(bh);
	unlock_buffer(bh);
	mark_buffer_dirty(bh);
	if (sync)
		return sync_dirty_buffer(bh);
	return 0;
}

/* ---- super_operations --------------------------------------------------- */

static struct inode *vexfs_alloc_inode(struct super_block *sb)
{
	struct vexfs_inode_info *vi = alloc_inode_sb(sb, vexfs_inode_cachep, GFP_KERNEL);

	if (!vi)
		return NULL;
	memset(vi->i_block, 0, sizeof(vi->i_block));
	vi->i_flags = 0;
	vi->i_xattr_block = 0;
	vi->i_parent = 0;
	vi->i_parent_hash = 0;
	vi->i_orphan_next = 0;
	vi->i_vec_head = 0;
	vi->i_vec_count = 0;
	vi->i_goal_group = 0;
	vi->i_freed = false;
	vi->i_sync_tid = 0;
	vi->i_datasync_tid = 0;
	INIT_LIST_HEAD(&vi->i_orphan);
	jbd2_journal_init_jbd_inode(&vi->i_jinode, &vi->vfs_inode);
	return &vi->vfs_inode;
}

static void vexfs_free_inode_mem(struct inode *inode)
{
	kmem_cache_free(vexfs_inode_cachep, VEXFS_I(inode));
}

static void vexfs_inode_init_once(void *p)
{
	struct vexfs_inode_info *vi = p;

	init_rwsem(&vi->i_map_sem);
	inode_init_once(&vi->vfs_inode);
}

static void vexfs_put_super(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u32 i;

	/* Every inode is evicted by now, and eviction takes it off the list. */
	if (WARN_ON_ONCE(!list_empty(&sbi->s_orphans)))
		vexfs_msg(sb, "inodes left on the in-memory orphan list at unmount");
	vexfs_sysfs_unregister(sb);
	vexfs_vstore_unload(sb);
	vexfs_journal_destroy(sb);
	/* After a shutdown nothing more reaches the disk: the next mount replays. */
	if (!sb_rdonly(sb) && !vexfs_forced_shutdown(sb)) {
		if (!atomic64_read(&sbi->s_stat_errors) &&
		    !(le32_to_cpu(sbi->s_es->s_state) & VEXFS_STATE_ERROR))
			sbi->s_es->s_state |= cpu_to_le32(VEXFS_STATE_CLEAN);
		vexfs_commit_super(sb, true);
	}
	for (i = 0; i < sbi->s_geom.gdt_blocks; i++)
		brelse(sbi->s_gdt_bh[i]);
	kvfree(sbi->s_gdt_bh);
	kvfree(sbi->s_groups);
	brelse(sbi->s_sbh);
	percpu_counter_destroy(&sbi->s_free_blocks);
	percpu_counter_destroy(&sbi->s_free_inodes);
	percpu_counter_destroy(&sbi->s_dirs);
	sb->s_fs_info = NULL;
	kfree(sbi);
}

static int vexfs_sync_fs(struct super_block *sb, int wait)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	journal_t *journal = sbi->s_journal;
	bool needs_barrier = false;
	tid_t target;
	int err = 0, err2;

	if (vexfs_forced_shutdown(sb))
		return 0;
	if (!journal)
		return 0;
	/*
	 * Data written back without a transaction (overwrites) is only in the
	 * device's cache: flush it unless a commit will do it (ext4_sync_fs).
	 */
	target = jbd2_get_latest_transaction(journal);
	if (wait && (journal->j_flags & JBD2_BARRIER) &&
	    !jbd2_trans_will_send_data_barrier(journal, target))
		needs_barrier = true;
	if (jbd2_journal_start_commit(journal, &target) && wait)
		err = jbd2_log_wait_commit(journal, target);
	if (needs_barrier) {
		err2 = blkdev_issue_flush(sb->s_bdev);
		if (!err)
			err = err2;
	}
	return err;
}

/*
 * The VFS freeze levels keep every handle out while frozen (writes, faults,
 * ioctls through mnt_want_write, eviction through sb_start_intwrite): the
 * barrier only drains the running handles for the flush, and is released
 * before returning to userspace, as ext4 does.
 */
static int vexfs_freeze(struct super_block *sb)
{
	journal_t *journal = VEXFS_SB(sb)->s_journal;
	int err;

	if (sb_rdonly(sb))
		return 0;
	jbd2_journal_lock_updates(journal);
	err = jbd2_journal_flush(journal, 0);
	jbd2_journal_unlock_updates(journal);
	return err;
}

static int vexfs_unfreeze(struct super_block *sb)
{
	return 0;
}

static int vexfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 fsid, ppb, ind;

	buf->f_type = VEXFS_SUPER_MAGIC;
	buf->f_bsize = sb->s_blocksize;
	buf->f_frsize = sb->s_blocksize;
	buf->f_blocks = sbi->s_geom.blocks;
	buf->f_bfree = percpu_counter_sum_positive(&sbi->s_free_blocks);
	/*
	 * What one file could still get: its indirect blocks come out of the
	 * same free space (one per vexfs_ptrs_per_block() data blocks, one
	 * per its square, and the two roots), so a program that preallocates
	 * "all available space" (generic/103) gets it.
	 */
	ppb = vexfs_ptrs_per_block(sb->s_blocksize);
	ind = DIV_ROUND_UP(buf->f_bfree, ppb) + DIV_ROUND_UP(buf->f_bfree, ppb * ppb) + 2;
	buf->f_bavail = buf->f_bfree > ind ? buf->f_bfree - ind : 0;
	buf->f_files = sbi->s_geom.inodes;
	buf->f_ffree = percpu_counter_sum_positive(&sbi->s_free_inodes);
	buf->f_namelen = VEXFS_NAME_LEN;
	fsid = le64_to_cpup((__le64 *)sbi->s_es->s_uuid) ^
	       le64_to_cpup((__le64 *)sbi->s_es->s_uuid + 1);
	buf->f_fsid = u64_to_fsid(fsid);
	return 0;
}

static int vexfs_show_options(struct seq_file *seq, struct dentry *root)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(root->d_sb);

	if (sbi->s_mount_opt & VEXFS_MOUNT_ERRORS_PANIC)
		seq_puts(seq, ",errors=panic");
	else if (sbi->s_mount_opt & VEXFS_MOUNT_ERRORS_RO)
		seq_puts(seq, ",errors=remount-ro");
	else
		seq_puts(seq, ",errors=continue");
	if (!sbi->s_journal)		/* only a norecovery mount has none */
		seq_puts(seq, ",norecovery");
	return 0;
}

static const struct super_operations vexfs_sops = {
	.alloc_inode	= vexfs_alloc_inode,
	.free_inode	= vexfs_free_inode_mem,
	.write_inode	= vexfs_write_inode,
	.dirty_inode	= vexfs_dirty_inode,
	.evict_inode	= vexfs_evict_inode,
	.put_super	= vexfs_put_super,
	.sync_fs	= vexfs_sync_fs,
	.freeze_fs	= vexfs_freeze,
	.unfreeze_fs	= vexfs_unfreeze,
	.statfs		= vexfs_statfs,
	.show_options	= vexfs_show_options,
};

/* ---- mount -------------------------------------------------------------- */

struct vexfs_fs_context {
	unsigned int mount_opt;
	bool errors_set;
	bool norecovery;
};

enum { Opt_errors, Opt_norecovery };

static const struct constant_table vexfs_param_errors[] = {
	{ "continue",	VEXFS_MOUNT_ERRORS_CONT },
	{ "remount-ro",	VEXFS_MOUNT_ERRORS_RO },
	{ "panic",	VEXFS_MOUNT_ERRORS_PANIC },
	{}
};

static const struct fs_parameter_spec vexfs_param_spec[] = {
	fsparam_enum("errors", Opt_errors, vexfs_param_errors),
	fsparam_flag("norecovery", Opt_norecovery),
	fsparam_flag("noload", Opt_norecovery),		/* ext4's name */
	{}
};

static int vexfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct vexfs_fs_context *ctx = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, vexfs_param_spec, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case Opt_errors:
		ctx->mount_opt = (ctx->mount_opt & ~VEXFS_MOUNT_ERRORS_MASK) | result.uint_32;
		ctx->errors_set = true;
		break;
	case Opt_norecovery:
		ctx->norecovery = true;
		break;
	}
	return 0;
}

static int vexfs_load_gdt(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_geom *g = &sbi->s_geom;
	u32 i, grp;

	sbi->s_desc_per_block = g->block_size / sizeof(struct vexfs_group_desc);
	sbi->s_gdt_bh = kvcalloc(g->gdt_blocks, sizeof(*sbi->s_gdt_bh), GFP_KERNEL);
	sbi->s_groups = kvcalloc(g->groups, sizeof(*sbi->s_groups), GFP_KERNEL);
	if (!sbi->s_gdt_bh || !sbi->s_groups)
		return -ENOMEM;
	for (i = 0; i < g->gdt_blocks; i++) {
		sbi->s_gdt_bh[i] = sb_bread(sb, g->gdt_start + i);
		if (!sbi->s_gdt_bh[i]) {
			vexfs_msg(sb, "cannot read group descriptor block %u", i);
			return -EIO;
		}
	}
	for (grp = 0; grp < g->groups; grp++) {
		struct vexfs_group_desc *gd = vexfs_get_gd(sb, grp, NULL);
		const char *why;

		spin_lock_init(&sbi->s_groups[grp].lock);
		if (le32_to_cpu(gd->bg_checksum) != vexfs_gd_csum(sbi->s_csum_seed, grp, gd)) {
			vexfs_msg(sb, "group descriptor %u checksum mismatch", grp);
			return -EUCLEAN;
		}
		if (vexfs_gd_validate(g, grp, gd, &why)) {
			vexfs_msg(sb, "group descriptor %u: %s", grp, why);
			return -EUCLEAN;
		}
	}
	return 0;
}

/*
 * What the mount was set up from before journal replay (block size, journal,
 * checksum seed, hash key) must not change with the replayed superblock.
 * INCOMPAT_CODEBOOKS is the one feature a transaction sets (the first
 * CODEBOOK_ADD); the vector store checks it after replay.
 */
static bool vexfs_sb_same_fs(const struct vexfs_geom *a, const struct vexfs_geom *b,
			     const struct vexfs_super_block *ea,
			     const struct vexfs_super_block *eb)
{
	return a->block_bits == b->block_bits && a->block_size == b->block_size &&
	       a->blocks == b->blocks && a->blocks_per_group == b->blocks_per_group &&
	       a->inodes_per_group == b->inodes_per_group && a->groups == b->groups &&
	       a->gdt_blocks == b->gdt_blocks && a->gdt_start == b->gdt_start &&
	       a->journal_start == b->journal_start &&
	       a->journal_blocks == b->journal_blocks &&
	       a->inodes_per_block == b->inodes_per_block &&
	       a->itable_blocks == b->itable_blocks && a->inodes == b->inodes &&
	       a->first_ino == b->first_ino &&
	       ea->s_feature_compat == eb->s_feature_compat &&
	       ea->s_feature_ro_compat == eb->s_feature_ro_compat &&
	       /* features a journaled call sets (CODEBOOK_ADD, INDEX create) */
	       !((ea->s_feature_incompat ^ eb->s_feature_incompat) &
		 ~cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS | VEXFS_FEATURE_INCOMPAT_ANN)) &&
	       ea->s_root_ino == eb->s_root_ino && ea->s_vec_root == eb->s_vec_root &&
	       !memcmp(ea->s_uuid, eb->s_uuid, sizeof(ea->s_uuid)) &&
	       !memcmp(ea->s_hash_key, eb->s_hash_key, sizeof(ea->s_hash_key));
}

static int vexfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vexfs_fs_context *ctx = fc->fs_private;
	struct vexfs_sb_info *sbi;
	struct vexfs_super_block *es, *es0 = NULL;
	struct vexfs_geom g0;
	struct buffer_head *bh;
	struct inode *root;
	const char *why = "", *mode;
	u32 vflags;
	int err;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sb->s_fs_info = sbi;
	sbi->sb = sb;
	mutex_init(&sbi->s_orphan_lock);
	mutex_init(&sbi->s_trim_lock);
	INIT_LIST_HEAD(&sbi->s_orphans);
	spin_lock_init(&sbi->s_next_gen_lock);
	seqlock_init(&sbi->s_parent_lock);
	get_random_bytes(&sbi->s_next_generation, sizeof(u32));
	err = percpu_counter_init(&sbi->s_free_blocks, 0, GFP_KERNEL);
	if (!err)
		err = percpu_counter_init(&sbi->s_free_inodes, 0, GFP_KERNEL);
	if (!err)
		err = percpu_counter_init(&sbi->s_dirs, 0, GFP_KERNEL);
	if (err)
		goto out_counters;

	/* Read the 1 KiB superblock with the smallest block size first. */
	if (!sb_set_blocksize(sb, 1 << VEXFS_MIN_BLOCK_BITS)) {
		vexfs_msg(sb, "cannot set the device block size");
		err = -EINVAL;
		goto out_counters;
	}
	bh = sb_bread(sb, 0);
	if (!bh) {
		vexfs_msg(sb, "cannot read the superblock");
		err = -EIO;
		goto out_counters;
	}
	es = (struct vexfs_super_block *)bh->b_data;
	err = vexfs_sb_validate(es, bdev_nr_bytes(sb->s_bdev), &sbi->s_geom, &why, &vflags);
	brelse(bh);
	if (err) {
		if (err == -EINVAL && !(fc->sb_flags & SB_SILENT))
			vexfs_msg(sb, "not a VexFS filesystem (%s)", why);
		else if (err != -EINVAL)
			vexfs_msg(sb, "refusing to mount: %s", why);
		goto out_counters;
	}
	if (sbi->s_geom.block_bits > PAGE_SHIFT ||
	    !sb_set_blocksize(sb, sbi->s_geom.block_size)) {
		vexfs_msg(sb, "unsupported block size %u", sbi->s_geom.block_size);
		err = -EINVAL;
		goto out_counters;
	}
	if ((vflags & VEXFS_SB_RO_FEATURES) && !(fc->sb_flags & SB_RDONLY)) {
		vexfs_msg(sb, "unknown read-only-compatible features: mounting read-only");
		sb->s_flags |= SB_RDONLY;
	}

	sbi->s_sbh = sb_bread(sb, 0);
	if (!sbi->s_sbh) {
		err = -EIO;
		goto out_counters;
	}
	sbi->s_es = (struct vexfs_super_block *)sbi->s_sbh->b_data;
	sbi->s_csum_seed = vexfs_csum_seed(sbi->s_es->s_uuid);
	sbi->s_hash_key[0] = le64_to_cpu(sbi->s_es->s_hash_key[0]);
	sbi->s_hash_key[1] = le64_to_cpu(sbi->s_es->s_hash_key[1]);
	if (ctx->errors_set) {
		sbi->s_mount_opt = ctx->mount_opt;
	} else {
		switch (le16_to_cpu(sbi->s_es->s_errors)) {
		case VEXFS_ERRORS_RO:
			sbi->s_mount_opt = VEXFS_MOUNT_ERRORS_RO;
			break;
		case VEXFS_ERRORS_PANIC:
			sbi->s_mount_opt = VEXFS_MOUNT_ERRORS_PANIC;
			break;
		default:
			sbi->s_mount_opt = VEXFS_MOUNT_ERRORS_CONT;
		}
	}

	sb->s_magic = VEXFS_SUPER_MAGIC;
	sb->s_op = &vexfs_sops;
	sb->s_xattr = vexfs_xattr_handlers;
#ifdef CONFIG_FS_POSIX_ACL
	sb->s_flags |= SB_POSIXACL;	/* always on, as ext4's default "acl" */
#endif
	sb->s_maxbytes = min_t(u64, vexfs_max_lblk(sbi->s_geom.block_size) <<
			       sbi->s_geom.block_bits, MAX_LFS_FILESIZE);
	sb->s_max_links = 65000;
	sb->s_time_gran = 1;
	sb->s_time_min = S64_MIN;
	sb->s_time_max = S64_MAX;
	vexfs_set_uuid(sb, sbi->s_es->s_uuid);

	/* Replay the journal before trusting any other metadata. */
	es0 = kmemdup(sbi->s_es, sizeof(*es0), GFP_KERNEL);
	if (!es0) {
		err = -ENOMEM;
		goto out_sbh;
	}
	g0 = sbi->s_geom;
	/*
	 * norecovery (XFS's name; ext4's noload): a read-only mount that
	 * neither replays nor opens the journal, to look at a filesystem whose
	 * replay fails or must not happen. No handle can start on it
	 * (SB_RDONLY, and it cannot be remounted read-write).
	 */
	if (ctx->norecovery) {
		/* what was asked, not SB_RDONLY forced by unknown features above */
		if (!(fc->sb_flags & SB_RDONLY)) {
			vexfs_msg(sb, "norecovery needs a read-only mount");
			err = -EINVAL;
			goto out_sbh;
		}
		err = vexfs_journal_skip(sb);
	} else {
		err = vexfs_journal_init(sb);
	}
	if (err)
		goto out_sbh;
	/* The superblock itself may have been replayed: validate it again. */
	brelse(sbi->s_sbh);
	sbi->s_sbh = sb_bread(sb, 0);
	if (!sbi->s_sbh) {
		err = -EIO;
		goto out_journal;
	}
	sbi->s_es = (struct vexfs_super_block *)sbi->s_sbh->b_data;
	err = vexfs_sb_validate(sbi->s_es, bdev_nr_bytes(sb->s_bdev), &sbi->s_geom,
				&why, &vflags);
	if (err) {
		vexfs_msg(sb, "superblock invalid after journal replay: %s", why);
		goto out_journal;
	}
	if (!vexfs_sb_same_fs(&g0, &sbi->s_geom, es0, sbi->s_es)) {
		vexfs_msg(sb, "journal replay changed the filesystem's geometry or features: refusing to mount");
		err = -EUCLEAN;
		goto out_journal;
	}
	kfree(es0);
	es0 = NULL;

	err = vexfs_load_gdt(sb);
	if (err)
		goto out_gdt;
	{
		u64 fb, fi, nd;

		vexfs_count_groups(sb, &fb, &fi, &nd);
		percpu_counter_set(&sbi->s_free_blocks, fb);
		percpu_counter_set(&sbi->s_free_inodes, fi);
		percpu_counter_set(&sbi->s_dirs, nd);
	}

	root = vexfs_iget(sb, VEXFS_ROOT_INO);
	if (IS_ERR(root)) {
		err = PTR_ERR(root);
		vexfs_msg(sb, "cannot read the root inode: %d", err);
		goto out_gdt;
	}
	if (!S_ISDIR(root->i_mode) || !root->i_nlink) {
		iput(root);
		vexfs_msg(sb, "root inode is not a directory");
		err = -EUCLEAN;
		goto out_gdt;
	}
	if (VEXFS_I(root)->i_parent) {
		iput(root);
		vexfs_msg(sb, "root inode has a parent pointer");
		err = -EUCLEAN;
		goto out_gdt;
	}
	sb->s_export_op = vexfs_has_parent(sb) ? &vexfs_export_ops : &vexfs_export_ops_nopptr;
	if (!vexfs_has_parent(sb))
		vexfs_msg(sb, "no parent pointers (made by an older mkfs.vexfs): directory-scoped search and INO_PATHS are unavailable; fsck.vexfs -y -O parent adds them");
	sb->s_root = d_make_root(root);
	if (!sb->s_root) {
		err = -ENOMEM;
		goto out_gdt;
	}
	/* Before orphan cleanup: deleting an orphan frees its vectors. */
	err = vexfs_vstore_load(sb);
	if (err) {
		vexfs_msg(sb, "cannot load the vector store: %d", err);
		goto out_root;
	}

	if (!sb_rdonly(sb)) {
		struct vexfs_super_block *s = sbi->s_es;

		if (!(le32_to_cpu(s->s_state) & VEXFS_STATE_CLEAN))
			vexfs_msg(sb, "was not cleanly unmounted; journal replayed");
		if (le32_to_cpu(s->s_state) & VEXFS_STATE_ERROR)
			vexfs_msg(sb, "has recorded errors: run fsck.vexfs");
		s->s_state &= ~cpu_to_le32(VEXFS_STATE_CLEAN);
		s->s_mount_time = cpu_to_le64(ktime_get_real_seconds());
		le32_add_cpu(&s->s_mount_count, 1);
		err = vexfs_commit_super(sb, true);
		if (err)
			goto out_root;
		vexfs_orphan_cleanup(sb);
	}
	err = vexfs_sysfs_register(sb);
	if (err)
		goto out_root;
	if (!sbi->s_journal)
		mode = "ro, norecovery";
	else
		mode = sb_rdonly(sb) ? "ro" : "rw";
	vexfs_msg(sb, "mounted filesystem %pU (%s), %llu blocks of %u bytes",
		  sbi->s_es->s_uuid, mode,
		  sbi->s_geom.blocks, sbi->s_geom.block_size);
	return 0;

out_root:
	vexfs_vstore_unload(sb);
	dput(sb->s_root);
	sb->s_root = NULL;
out_gdt:
	if (sbi->s_gdt_bh) {
		u32 i;

		for (i = 0; i < sbi->s_geom.gdt_blocks; i++)
			brelse(sbi->s_gdt_bh[i]);
	}
	kvfree(sbi->s_gdt_bh);
	kvfree(sbi->s_groups);
out_journal:
	vexfs_journal_destroy(sb);
out_sbh:
	kfree(es0);
	brelse(sbi->s_sbh);
out_counters:
	percpu_counter_destroy(&sbi->s_free_blocks);
	percpu_counter_destroy(&sbi->s_free_inodes);
	percpu_counter_destroy(&sbi->s_dirs);
	sb->s_fs_info = NULL;
	kfree(sbi);
	return err;
}

static int vexfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, vexfs_fill_super);
}

/* rw -> ro: everything committed and checkpointed, mark clean. */
static int vexfs_remount_ro(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err = jbd2_journal_flush(sbi->s_journal, 0);

	if (err)
		return err;
	sbi->s_es->s_state |= cpu_to_le32(VEXFS_STATE_CLEAN);
	return vexfs_commit_super(sb, true);
}

static int vexfs_remount_rw(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	const char *why;
	struct vexfs_geom g;
	u32 vflags;
	int err;

	if (!sbi->s_journal) {
		vexfs_msg(sb, "mounted with norecovery: cannot remount read-write");
		return -EINVAL;
	}
	if (vexfs_forced_shutdown(sb) || is_journal_aborted(sbi->s_journal)) {
		vexfs_msg(sb, "cannot remount read-write after an abort or shutdown");
		return -EROFS;
	}
	err = vexfs_sb_validate(sbi->s_es, bdev_nr_bytes(sb->s_bdev), &g, &why, &vflags);
	if (err)
		return err;
	if (vflags & VEXFS_SB_RO_FEATURES) {
		vexfs_msg(sb, "unknown read-only-compatible features: cannot remount rw");
		return -EROFS;
	}
	err = jbd2_journal_flush(sbi->s_journal, 0);
	if (err)
		return err;
	sbi->s_es->s_state &= ~cpu_to_le32(VEXFS_STATE_CLEAN);
	return vexfs_commit_super(sb, true);
}

static int vexfs_reconfigure(struct fs_context *fc)
{
	struct vexfs_fs_context *ctx = fc->fs_private;
	struct super_block *sb = fc->root->d_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	sync_filesystem(sb);
	if (ctx->norecovery && sbi->s_journal) {
		vexfs_msg(sb, "norecovery is a mount option, not a remount one");
		return -EINVAL;
	}
	/* SB_RDONLY counts only where the caller set it in the mask (fsconfig) */
	if ((fc->sb_flags_mask & SB_RDONLY) &&
	    !!(fc->sb_flags & SB_RDONLY) != sb_rdonly(sb)) {
		err = (fc->sb_flags & SB_RDONLY) ? vexfs_remount_ro(sb) : vexfs_remount_rw(sb);
		if (err)
			return err;
	}
	if (ctx->errors_set)
		sbi->s_mount_opt = (sbi->s_mount_opt & ~VEXFS_MOUNT_ERRORS_MASK) | ctx->mount_opt;
	return 0;
}

static void vexfs_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations vexfs_context_ops = {
	.parse_param	= vexfs_parse_param,
	.get_tree	= vexfs_get_tree,
	.reconfigure	= vexfs_reconfigure,
	.free		= vexfs_free_fc,
};

static int vexfs_init_fs_context(struct fs_context *fc)
{
	struct vexfs_fs_context *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->mount_opt = VEXFS_MOUNT_ERRORS_CONT;
	fc->fs_private = ctx;
	fc->ops = &vexfs_context_ops;
	return 0;
}

static struct file_system_type vexfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "vexfs",
	.init_fs_context = vexfs_init_fs_context,
	.parameters	= vexfs_param_spec,
	.kill_sb	= kill_block_super,
	.fs_flags	= FS_REQUIRES_DEV,
};

static int __init vexfs_init(void)
{
	int err;

	vexfs_vq_init();
	/* i_block holds fast symlink targets that readlink copies to userspace */
	vexfs_inode_cachep = kmem_cache_create_usercopy("vexfs_inode_cache",
				sizeof(struct vexfs_inode_info), 0,
				SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
				offsetof(struct vexfs_inode_info, i_block),
				sizeof_field(struct vexfs_inode_info, i_block),
				vexfs_inode_init_once);
	if (!vexfs_inode_cachep)
		return -ENOMEM;
	err = vexfs_sysfs_init();
	if (err)
		goto out_cache;
	err = register_filesystem(&vexfs_fs_type);
	if (err)
		goto out_sysfs;
	return 0;

out_sysfs:
	vexfs_sysfs_exit();
out_cache:
	kmem_cache_destroy(vexfs_inode_cachep);
	return err;
}

static void __exit vexfs_exit(void)
{
	unregister_filesystem(&vexfs_fs_type);
	vexfs_sysfs_exit();
	rcu_barrier();	/* inodes freed by RCU must be gone before the cache */
	kmem_cache_destroy(vexfs_inode_cachep);
}

module_init(vexfs_init);
module_exit(vexfs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VexFS: a vector-native journaling filesystem");
MODULE_ALIAS_FS("vexfs");
MODULE_SOFTDEP("pre: jbd2 crc32c");
