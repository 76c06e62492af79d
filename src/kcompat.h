/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcompat.h - the kernel API differences between the kernels VexFS supports
 * (Debian bookworm's 6.1 and 6.12). Every version check lives here.
 */
#ifndef _VEXFS_KCOMPAT_H
#define _VEXFS_KCOMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/stat.h>
#include <linux/mm.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define mnt_idmap_or_ns mnt_idmap
#define VEXFS_NOP_IDMAP (&nop_mnt_idmap)
#define vexfs_file_idmap(f) file_mnt_idmap(f)
#else
#define mnt_idmap_or_ns user_namespace
#define VEXFS_NOP_IDMAP (&init_user_ns)
#define vexfs_file_idmap(f) file_mnt_user_ns(f)
#endif

static inline void vexfs_fillattr(struct mnt_idmap_or_ns *idmap, u32 mask,
				  struct inode *inode, struct kstat *stat)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	generic_fillattr(idmap, mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define VEXFS_XATTR_CONST const
#else
#define VEXFS_XATTR_CONST
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
static inline struct timespec64 inode_get_atime(const struct inode *inode)
{
	return inode->i_atime;
}

static inline struct timespec64 inode_get_mtime(const struct inode *inode)
{
	return inode->i_mtime;
}

static inline struct timespec64 inode_set_atime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_atime = ts;
	return ts;
}

static inline struct timespec64 inode_set_mtime_to_ts(struct inode *inode,
						      struct timespec64 ts)
{
	inode->i_mtime = ts;
	return ts;
}

static inline struct timespec64 simple_inode_init_ts(struct inode *inode)
{
	struct timespec64 ts = current_time(inode);

	inode->i_atime = ts;
	inode->i_mtime = ts;
	inode_set_ctime_to_ts(inode, ts);
	return ts;
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define vexfs_splice_read filemap_splice_read
#else
#define vexfs_splice_read generic_file_splice_read
#endif

/*
 * generic_perform_write() advances ki_pos itself since 182c25e9c157 (6.5),
 * which stable kernels carry too (Debian's 6.1.0-57 does): advance it here
 * only when it did not move, whichever kernel this is.
 */
static inline ssize_t vexfs_perform_write(struct kiocb *iocb, struct iov_iter *from)
{
	loff_t pos = iocb->ki_pos;
	ssize_t written = generic_perform_write(iocb, from);

	if (written > 0 && iocb->ki_pos == pos)
		iocb->ki_pos += written;
	return written;
}

static inline vm_fault_t vexfs_vmf_error(int err)
{
	if (!err)
		return VM_FAULT_LOCKED;
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	/* -EFAULT: the page was truncated meanwhile; the fault is retried */
	if (err == -EAGAIN || err == -EFAULT)
		return VM_FAULT_NOPAGE;
	return VM_FAULT_SIGBUS;
}

/* write_begin/write_end hand a folio since 6.12, a page before. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define VEXFS_WB_FOLIO 1
typedef struct folio *vexfs_wb_page_t;
#else
typedef struct page *vexfs_wb_page_t;
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define vexfs_set_uuid(sb, u) super_set_uuid(sb, u, 16)
#else
#define vexfs_set_uuid(sb, u) memcpy(&(sb)->s_uuid, u, 16)
#endif

/* Freezing a filesystem through its block device: bdev_freeze() since 6.8. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define vexfs_bdev_freeze(bdev) bdev_freeze(bdev)
#define vexfs_bdev_thaw(bdev) bdev_thaw(bdev)
#else
#define vexfs_bdev_freeze(bdev) freeze_bdev(bdev)
#define vexfs_bdev_thaw(bdev) thaw_bdev(bdev)
#endif

/*
 * The most credits one handle may ask for (start_this_handle() refuses more
 * with a WARN and -ENOSPC). Since 6.10 jbd2 keeps j_transaction_overhead_buffers
 * of every transaction for its own descriptor blocks.
 */
#include <linux/jbd2.h>
static inline int vexfs_jbd2_max_handle_credits(journal_t *journal)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	return journal->j_max_transaction_buffers - journal->j_transaction_overhead_buffers;
#else
	return journal->j_max_transaction_buffers;
#endif
}

#endif /* _VEXFS_KCOMPAT_H */
