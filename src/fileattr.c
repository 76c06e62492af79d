// SPDX-License-Identifier: GPL-2.0
/*
 * fileattr.c - inode flags as chattr and lsattr see them: FS_IOC_GETFLAGS /
 * SETFLAGS and FS_IOC_FSGETXATTR / FSSETXATTR, through the VFS's fileattr
 * operations (which check ownership, CAP_LINUX_IMMUTABLE and the flags'
 * consistency, and hold i_rwsem).
 *
 * The on-disk bits are the FS_*_FL values (include/vexfs/vexfs_fs.h):
 * sync (S), immutable (i), append only (a), no dump (d), no atime (A).
 * Anything else (compression, extents, project ids, DAX, ...) is refused
 * with EOPNOTSUPP rather than accepted and forgotten.
 */
#include "vexfs.h"
#include <linux/fileattr.h>

static_assert(VEXFS_INODE_FL_SYNC == FS_SYNC_FL);
static_assert(VEXFS_INODE_FL_IMMUTABLE == FS_IMMUTABLE_FL);
static_assert(VEXFS_INODE_FL_APPEND == FS_APPEND_FL);
static_assert(VEXFS_INODE_FL_NODUMP == FS_NODUMP_FL);
static_assert(VEXFS_INODE_FL_NOATIME == FS_NOATIME_FL);

/* Mirror the on-disk flags in the VFS inode's S_* flags. */
void vexfs_set_inode_flags(struct inode *inode)
{
	u32 fl = VEXFS_I(inode)->i_flags;
	unsigned int s = 0;

	if (fl & VEXFS_INODE_FL_SYNC)
		s |= S_SYNC;
	if (fl & VEXFS_INODE_FL_IMMUTABLE)
		s |= S_IMMUTABLE;
	if (fl & VEXFS_INODE_FL_APPEND)
		s |= S_APPEND;
	if (fl & VEXFS_INODE_FL_NOATIME)
		s |= S_NOATIME;
	inode_set_flags(inode, s, S_SYNC | S_IMMUTABLE | S_APPEND | S_NOATIME);
}

int vexfs_fileattr_get(struct dentry *dentry, struct fileattr *fa)
{
	fileattr_fill_flags(fa, VEXFS_I(d_inode(dentry))->i_flags & VEXFS_INODE_FL_USER_MASK);
	return 0;
}

int vexfs_fileattr_set(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		       struct fileattr *fa)
{
	struct inode *inode = d_inode(dentry);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	handle_t *handle;
	u32 old;
	int err;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (fileattr_has_fsx(fa) || (fa->flags & ~VEXFS_INODE_FL_USER_MASK))
		return -EOPNOTSUPP;
	handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	old = vi->i_flags;
	vi->i_flags = (old & ~VEXFS_INODE_FL_USER_MASK) | fa->flags;
	inode_set_ctime_current(inode);
	err = vexfs_mark_inode_dirty(handle, inode);
	if (err)
		vi->i_flags = old;
	else
		vexfs_set_inode_flags(inode);
	if (!err && IS_SYNC(inode))
		handle->h_sync = 1;
	vexfs_journal_stop(handle);
	return err;
}
