// SPDX-License-Identifier: GPL-2.0
/*
 * iomap.c - the block map as iomap sees it: FIEMAP (and the xattr block for
 * FIEMAP_FLAG_XATTR), SEEK_DATA / SEEK_HOLE and direct I/O.
 *
 * The map is read here, never changed: iomap_begin reports a run of
 * consecutive blocks or a hole (vexfs_map_run). Blocks are allocated only by
 * the buffered path (write_begin, page_mkwrite, fallocate), which orders the
 * data before the transaction that links it. A direct write therefore goes to
 * the disk directly only where it overwrites blocks the file already has,
 * inside i_size; the part of it that would fill a hole or extend the file
 * goes through the page cache and is written back and dropped from it before
 * the call returns, as ext4 and gfs2 fall back. What the caller sees is the
 * same: the data is on the device (not necessarily its cache) when write()
 * returns, and the page cache holds no stale copy.
 */
#include "vexfs.h"
#include <linux/blkdev.h>
#include <linux/fiemap.h>
#include <linux/iomap.h>
#include <linux/uio.h>

static int vexfs_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
			     unsigned int flags, struct iomap *iomap,
			     struct iomap *srcmap)
{
	unsigned int bits = inode->i_blkbits;
	u64 lblk = pos >> bits;
	u64 last = (pos + length - 1) >> bits;
	u64 pblk, count;
	int err;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	err = vexfs_map_run(inode, lblk, last - lblk + 1, &pblk, &count);
	if (err)
		return err;
	/* a direct write that would allocate: the rest goes buffered */
	if ((flags & (IOMAP_WRITE | IOMAP_DIRECT)) == (IOMAP_WRITE | IOMAP_DIRECT) && !pblk)
		return -ENOTBLK;
	iomap->bdev = inode->i_sb->s_bdev;
	iomap->offset = (loff_t)lblk << bits;
	iomap->length = (loff_t)count << bits;
	iomap->flags = 0;
	if (pblk) {
		iomap->type = IOMAP_MAPPED;
		iomap->addr = pblk << bits;
	} else {
		iomap->type = IOMAP_HOLE;
		iomap->addr = IOMAP_NULL_ADDR;
	}
	return 0;
}

static const struct iomap_ops vexfs_iomap_ops = {
	.iomap_begin	= vexfs_iomap_begin,
};

/*
 * FIEMAP_FLAG_XATTR: where the extended attributes are, the inode's one
 * xattr block (nothing when it has none), as ext4 reports its xattr block.
 */
static int vexfs_fiemap_xattr(struct inode *inode, struct fiemap_extent_info *fieinfo,
			      u64 start, u64 len)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u64 blk;
	int err;

	err = fiemap_prep(inode, fieinfo, start, &len, FIEMAP_FLAG_XATTR);
	if (err)
		return err;
	down_read(&vi->i_map_sem);
	blk = vi->i_xattr_block;
	up_read(&vi->i_map_sem);
	if (!blk)
		return 0;
	err = fiemap_fill_next_extent(fieinfo, 0, blk << inode->i_blkbits,
				      i_blocksize(inode), FIEMAP_EXTENT_LAST);
	return err < 0 ? err : 0;
}

int vexfs_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo,
		 u64 start, u64 len)
{
	if (fieinfo->fi_flags & FIEMAP_FLAG_XATTR)
		return vexfs_fiemap_xattr(inode, fieinfo, start, len);
	return iomap_fiemap(inode, fieinfo, start, len, &vexfs_iomap_ops);
}

loff_t vexfs_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct inode *inode = file->f_mapping->host;

	switch (whence) {
	case SEEK_HOLE:
		inode_lock_shared(inode);
		offset = iomap_seek_hole(inode, offset, &vexfs_iomap_ops);
		inode_unlock_shared(inode);
		break;
	case SEEK_DATA:
		inode_lock_shared(inode);
		offset = iomap_seek_data(inode, offset, &vexfs_iomap_ops);
		inode_unlock_shared(inode);
		break;
	default:
		return generic_file_llseek(file, offset, whence);
	}
	if (offset < 0)
		return offset;
	return vfs_setpos(file, offset, inode->i_sb->s_maxbytes);
}

/*
 * Offset, buffer addresses and lengths aligned to the device's logical
 * block: checked for every direct call, also for the parts that read holes
 * or go through the page cache, so the answer never depends on the layout.
 */
static bool vexfs_dio_aligned(struct kiocb *iocb, struct iov_iter *iter)
{
	unsigned int mask = bdev_logical_block_size(file_inode(iocb->ki_filp)->i_sb->s_bdev) - 1;

	return !((iocb->ki_pos | iov_iter_alignment(iter)) & mask);
}

ssize_t vexfs_dio_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if (!vexfs_dio_aligned(iocb, to))
		return -EINVAL;
	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock_shared(inode))
			return -EAGAIN;
	} else {
		inode_lock_shared(inode);
	}
	ret = iomap_dio_rw(iocb, to, &vexfs_iomap_ops, NULL, 0, NULL, 0);
	inode_unlock_shared(inode);
	file_accessed(iocb->ki_filp);
	return ret;
}

/* The part of a direct write that allocates: buffered, then written back and dropped. */
static ssize_t vexfs_dio_write_buffered(struct kiocb *iocb, struct iov_iter *from)
{
	struct address_space *mapping = iocb->ki_filp->f_mapping;
	loff_t pos = iocb->ki_pos;
	ssize_t written;
	int err;

	iocb->ki_flags &= ~IOCB_DIRECT;
	written = vexfs_perform_write(iocb, from);
	iocb->ki_flags |= IOCB_DIRECT;
	if (written <= 0)
		return written;
	err = filemap_write_and_wait_range(mapping, pos, pos + written - 1);
	if (err)
		return err;
	invalidate_mapping_pages(mapping, pos >> PAGE_SHIFT, (pos + written - 1) >> PAGE_SHIFT);
	return written;
}

ssize_t vexfs_dio_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret, buffered;

	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock(inode))
			return -EAGAIN;
	} else {
		inode_lock(inode);
	}
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	if (!vexfs_dio_aligned(iocb, from)) {
		ret = -EINVAL;
		goto out;
	}
	ret = file_modified(iocb->ki_filp);
	if (ret)
		goto out;
	/*
	 * A write that ends past i_size changes the size: buffered, so the
	 * size commits after the data (the same order as every extension).
	 */
	if (iocb->ki_pos + iov_iter_count(from) > i_size_read(inode)) {
		if (iocb->ki_flags & IOCB_NOWAIT) {
			ret = -EAGAIN;
			goto out;
		}
		ret = vexfs_dio_write_buffered(iocb, from);
		goto out;
	}
	/* Wait for the I/O: a queued write would outlive the lock this relies on. */
	ret = iomap_dio_rw(iocb, from, &vexfs_iomap_ops, NULL, IOMAP_DIO_FORCE_WAIT, NULL, 0);
	if (ret == -ENOTBLK)
		ret = 0;
	if (ret < 0 || !iov_iter_count(from))
		goto out;
	/* stopped at a hole: the rest goes through the page cache */
	if (iocb->ki_flags & IOCB_NOWAIT)
		goto out;
	buffered = vexfs_dio_write_buffered(iocb, from);
	if (buffered < 0 && !ret)
		ret = buffered;
	else if (buffered > 0)
		ret += buffered;
out:
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}
