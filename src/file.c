// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - regular file operations: page-cache I/O, mmap with page_mkwrite,
 * fsync/fdatasync, fallocate and the ioctls (shutdown). Direct I/O, FIEMAP
 * and SEEK_DATA / SEEK_HOLE are in iomap.c.
 */
#include "vexfs.h"
#include <linux/falloc.h>
#include <linux/blkdev.h>
#include <linux/mman.h>
#include <linux/uio.h>
#include "vexfs/vexfs_ioctl.h"

int vexfs_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file->f_mapping->host;
	struct super_block *sb = inode->i_sb;
	journal_t *journal = VEXFS_SB(sb)->s_journal;
	bool flush;
	tid_t tid;
	int err;

	if (vexfs_forced_shutdown(sb))
		return -EIO;
	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;
	if (sb_rdonly(sb))
		return 0;
	tid = datasync ? VEXFS_I(inode)->i_datasync_tid : VEXFS_I(inode)->i_sync_tid;
	/* A commit that still has to happen flushes the cache itself. */
	flush = !jbd2_trans_will_send_data_barrier(journal, tid);
	err = jbd2_complete_transaction(journal, tid);
	if (!err && flush)
		err = blkdev_issue_flush(sb->s_bdev);
	return err;
}

static ssize_t vexfs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	if (vexfs_forced_shutdown(file_inode(iocb->ki_filp)->i_sb))
		return -EIO;
	if (iocb->ki_flags & IOCB_DIRECT)
		return vexfs_dio_read(iocb, to);
	return generic_file_read_iter(iocb, to);
}

static ssize_t vexfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	/* made immutable after this file was opened for writing (as ext4) */
	if (IS_IMMUTABLE(inode))
		return -EPERM;
	if (iocb->ki_flags & IOCB_DIRECT)
		return vexfs_dio_write(iocb, from);
	return generic_file_write_iter(iocb, from);
}

static vm_fault_t vexfs_page_mkwrite(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	handle_t *handle;
	vm_fault_t ret;
	int err;

	if (vexfs_forced_shutdown(sb))
		return VM_FAULT_SIGBUS;
	sb_start_pagefault(sb);
	file_update_time(file);
	filemap_invalidate_lock_shared(inode->i_mapping);
	handle = vexfs_journal_start(sb, VEXFS_CREDITS_WRITE(PAGE_SIZE >> inode->i_blkbits));
	if (IS_ERR(handle)) {
		ret = VM_FAULT_SIGBUS;
	} else {
		err = block_page_mkwrite(vmf->vma, vmf, vexfs_get_block);
		vexfs_journal_stop(handle);
		ret = vexfs_vmf_error(err);
	}
	filemap_invalidate_unlock_shared(inode->i_mapping);
	sb_end_pagefault(sb);
	return ret;
}

static const struct vm_operations_struct vexfs_file_vm_ops = {
	.fault		= filemap_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= vexfs_page_mkwrite,
};

static int vexfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vexfs_forced_shutdown(file_inode(file)->i_sb))
		return -EIO;
	file_accessed(file);
	vma->vm_ops = &vexfs_file_vm_ops;
	return 0;
}

/*
 * Zero [pos, pos + len), inside one block, through the page cache; a hole
 * reads as zeros already, and so does a block past EOF (allocated zeroed,
 * or its tail zeroed by the truncate that left it there). The page goes
 * through write_begin/write_end, so only this block's buffer is dirtied: a
 * dirty page without buffers would be mapped whole at writeback, holes
 * included, when blocks are smaller than pages.
 */
static int vexfs_zero_partial(struct inode *inode, loff_t pos, unsigned int len)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t size = i_size_read(inode);
	vexfs_wb_page_t page;
	u64 pblk, count;
	int err;

	if (pos >= size)
		return 0;
	len = min_t(loff_t, len, size - pos);
	err = vexfs_map_run(inode, pos >> inode->i_blkbits, 1, &pblk, &count);
	if (err || !pblk)
		return err;
	/* a mapped block: write_begin allocates nothing, no handle is needed */
	err = block_write_begin(mapping, pos, len, &page, vexfs_get_block);
	if (err)
		return err;
#ifdef VEXFS_WB_FOLIO
	folio_zero_range(page, offset_in_folio(page, pos), len);
#else
	zero_user(page, offset_in_page(pos), len);
#endif
	err = generic_write_end(NULL, mapping, pos, len, len, page, NULL);
	return err < 0 ? err : 0;
}

/*
 * FALLOC_FL_PUNCH_HOLE: zero the partial blocks at both ends, drop the
 * range from the page cache, free the whole blocks in between. Blocks past
 * EOF (KEEP_SIZE preallocation) are punched too. Caller holds i_rwsem.
 */
static int vexfs_punch_hole(struct inode *inode, loff_t offset, loff_t len)
{
	struct super_block *sb = inode->i_sb;
	struct address_space *mapping = inode->i_mapping;
	loff_t end = min_t(loff_t, offset + len, sb->s_maxbytes);
	loff_t bs = sb->s_blocksize;
	u64 first = DIV_ROUND_UP(offset, bs), last = end >> sb->s_blocksize_bits;
	int err;

	if (offset >= end)
		return 0;
	inode_dio_wait(inode);
	filemap_invalidate_lock(mapping);
	err = filemap_write_and_wait_range(mapping, offset, end - 1);
	if (err)
		goto out;
	if (offset & (bs - 1)) {
		err = vexfs_zero_partial(inode, offset,
					 min(end, round_up(offset, bs)) - offset);
		if (err)
			goto out;
	}
	if ((end & (bs - 1)) && round_down(end, bs) >= round_up(offset, bs)) {
		err = vexfs_zero_partial(inode, round_down(end, bs), end & (bs - 1));
		if (err)
			goto out;
	}
	truncate_pagecache_range(inode, offset, end - 1);
	if (first < last)
		err = vexfs_free_range(inode, first, last);
out:
	filemap_invalidate_unlock(mapping);
	return err;
}

/*
 * Allocate and zero the holes of [offset, offset + len), 16 blocks per
 * transaction: each new block is zeroed on disk before the mapping that
 * exposes it commits.
 */
static int vexfs_alloc_range(struct inode *inode, int mode, loff_t offset, loff_t len)
{
	struct super_block *sb = inode->i_sb;
	loff_t new_size = offset + len;
	u64 first, last, lblk;
	int err = 0;

	first = offset >> sb->s_blocksize_bits;
	last = (new_size - 1) >> sb->s_blocksize_bits;
	for (lblk = first; lblk <= last && !err;) {
		handle_t *handle = vexfs_journal_start(sb, 16 * VEXFS_CREDITS_BLOCK + 4);
		u64 run_start = 0;
		u32 run = 0, n;

		if (IS_ERR(handle))
			return PTR_ERR(handle);
		for (n = 0; n < 16 && lblk <= last; n++, lblk++) {
			bool is_new;
			u64 pblk;

			err = vexfs_map_block(handle, inode, lblk, VEXFS_MAP_CREATE, &pblk, &is_new);
			if (err)
				break;
			if (!is_new)
				continue;
			/* New blocks hold stale data: zero them before the mapping commits. */
			if (run && run_start + run == pblk) {
				run++;
				continue;
			}
			if (run)
				err = sb_issue_zeroout(sb, run_start, run, GFP_NOFS);
			if (err)
				break;
			run_start = pblk;
			run = 1;
		}
		if (!err && run)
			err = sb_issue_zeroout(sb, run_start, run, GFP_NOFS);
		if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && lblk > last &&
		    new_size > i_size_read(inode))
			i_size_write(inode, new_size);
		if (!err) {
			inode_set_ctime_current(inode);
			err = vexfs_mark_inode_dirty(handle, inode);
		}
		vexfs_journal_stop(handle);
	}
	return err;
}

/*
 * fallocate: mode 0 and KEEP_SIZE allocate; PUNCH_HOLE frees; ZERO_RANGE
 * punches and then allocates zeroed blocks, so the range reads zeros and
 * stays allocated. COLLAPSE_RANGE and INSERT_RANGE move the blocks after
 * the offset (shift.c).
 */
static long vexfs_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	loff_t new_size = offset + len;
	long err;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
		     FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if (!S_ISREG(inode->i_mode))
		return -ENODEV;
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (new_size > sb->s_maxbytes || new_size < offset)
		return -EFBIG;
	inode_lock(inode);
	/* RLIMIT_FSIZE: EFBIG and SIGXFSZ, as a write would get */
	if (!(mode & (FALLOC_FL_KEEP_SIZE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) &&
	    new_size > i_size_read(inode)) {
		err = inode_newsize_ok(inode, new_size);
		if (err)
			goto out;
	}
	err = file_modified(file);
	if (err)
		goto out;
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
		err = vexfs_shift_range(inode, offset, len, mode & FALLOC_FL_INSERT_RANGE);
		goto sync;
	}
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		err = vexfs_punch_hole(inode, offset, len);
		if (err || (mode & FALLOC_FL_PUNCH_HOLE))
			goto sync;
	}
	err = vexfs_alloc_range(inode, mode, offset, len);
sync:
	if (!err && (file->f_flags & O_SYNC || IS_SYNC(inode)))
		err = vexfs_force_commit(sb);
out:
	inode_unlock(inode);
	return err;
}

static int vexfs_shutdown(struct super_block *sb, unsigned long arg)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u32 flags;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(flags, (__u32 __user *)arg))
		return -EFAULT;
	if (flags > VEXFS_GOING_DOWN_NOLOGFLUSH)
		return -EINVAL;
	if (vexfs_forced_shutdown(sb))
		return 0;
	vexfs_msg(sb, "shut down by ioctl (flags %u)", flags);
	switch (flags) {
	case VEXFS_GOING_DOWN_FULLSYNC:
		/*
		 * Sync by freezing (as ext4 and XFS do): sync_filesystem()
		 * wants s_umount, which an ioctl does not hold (it WARNed,
		 * found by tests/fuzz/sysfuzz.c), and the freeze keeps
		 * writers out until the flag is set.
		 */
		err = vexfs_bdev_freeze(sb->s_bdev);
		if (err)
			return err;
		set_bit(VEXFS_FLAG_SHUTDOWN, &sbi->s_flags);
		vexfs_bdev_thaw(sb->s_bdev);
		break;
	case VEXFS_GOING_DOWN_METASYNC:
		vexfs_force_commit(sb);
		break;
	}
	set_bit(VEXFS_FLAG_SHUTDOWN, &sbi->s_flags);
	if (sbi->s_journal && !is_journal_aborted(sbi->s_journal))
		jbd2_journal_abort(sbi->s_journal, -ESHUTDOWN);
	return 0;
}

static int vexfs_fitrim(struct super_block *sb, void __user *arg)
{
	struct fstrim_range r;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!bdev_max_discard_sectors(sb->s_bdev))
		return -EOPNOTSUPP;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (sb_rdonly(sb))
		return -EROFS;
	r.minlen = max_t(u64, r.minlen, bdev_discard_granularity(sb->s_bdev));
	err = vexfs_trim_fs(sb, &r);
	if (err)
		return err;
	return copy_to_user(arg, &r, sizeof(r)) ? -EFAULT : 0;
}

long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct inode *inode = file_inode(file);

	switch (cmd) {
	case VEXFS_IOC_SHUTDOWN:
		return vexfs_shutdown(inode->i_sb, arg);
	case FITRIM:
		return vexfs_fitrim(inode->i_sb, (void __user *)arg);
	}
	if (_IOC_TYPE(cmd) == VEXFS_IOC_MAGIC)
		return vexfs_vec_ioctl(file, cmd, arg);
	return -ENOTTY;
}

const struct file_operations vexfs_file_operations = {
	.llseek		= vexfs_file_llseek,
	.read_iter	= vexfs_file_read_iter,
	.write_iter	= vexfs_file_write_iter,
	.mmap		= vexfs_file_mmap,
	.open		= generic_file_open,
	.fsync		= vexfs_sync_file,
	.splice_read	= vexfs_splice_read,
	.splice_write	= iter_file_splice_write,
	.fallocate	= vexfs_fallocate,
	.unlocked_ioctl	= vexfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

const struct inode_operations vexfs_file_inode_operations = {
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	.fiemap		= vexfs_fiemap,
	.fileattr_get	= vexfs_fileattr_get,
	.fileattr_set	= vexfs_fileattr_set,
	VEXFS_ACL_OPS
};
