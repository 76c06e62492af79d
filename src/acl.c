// SPDX-License-Identifier: GPL-2.0
/*
 * acl.c - POSIX ACLs (system.posix_acl_access / _default) through the
 * kernel's posix_acl helpers: the VFS checks permissions with them, caches
 * them and converts them from and to the xattr form; VexFS stores that form
 * in the inode's xattr block (VEXFS_XATTR_INDEX_POSIX_ACL) and keeps the
 * mode in step, in the same jbd2 handle.
 */
#include "vexfs.h"
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>

#ifdef CONFIG_FS_POSIX_ACL

static const char *vexfs_acl_name(int type)
{
	return type == ACL_TYPE_ACCESS ? "access" : "default";
}

struct posix_acl *vexfs_get_acl(struct inode *inode, int type, bool rcu)
{
	const char *name = vexfs_acl_name(type);
	struct posix_acl *acl;
	void *value;
	int len;

	if (rcu)
		return ERR_PTR(-ECHILD);
	len = vexfs_xattr_get(inode, VEXFS_XATTR_INDEX_POSIX_ACL, name, NULL, 0);
	if (len == -ENODATA)
		return NULL;
	if (len < 0)
		return ERR_PTR(len);
	value = kmalloc(len, GFP_NOFS);
	if (!value)
		return ERR_PTR(-ENOMEM);
	len = vexfs_xattr_get(inode, VEXFS_XATTR_INDEX_POSIX_ACL, name, value, len);
	if (len == -ENODATA)
		acl = NULL;
	else if (len < 0)
		acl = ERR_PTR(len);
	else
		acl = posix_acl_from_xattr(&init_user_ns, value, len);
	kfree(value);
	if (IS_ERR(acl) && PTR_ERR(acl) == -EINVAL)
		return ERR_PTR(vexfs_corrupt(inode->i_sb, "inode %lu: malformed %s ACL",
					     inode->i_ino, name));
	return acl;
}

/* Store (@acl NULL: remove) the ACL of @type under @handle. */
static int vexfs_acl_store(handle_t *handle, struct inode *inode, int type,
			   struct posix_acl *acl)
{
	void *value = NULL;
	size_t size = 0;
	int err;

	if (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode))
		return acl ? -EACCES : 0;
	if (acl) {
		size = posix_acl_xattr_size(acl->a_count);
		/* one entry of the xattr block: (block size - 31) / 8 ACL entries */
		if (VEXFS_XATTR_ENTRY_SIZE(strlen(vexfs_acl_name(type)), size) >
		    inode->i_sb->s_blocksize - sizeof(struct vexfs_xattr_header))
			return -E2BIG;
		value = kmalloc(size, GFP_NOFS);
		if (!value)
			return -ENOMEM;
		err = posix_acl_to_xattr(&init_user_ns, acl, value, size);
		if (err < 0)
			goto out;
	}
	err = vexfs_xattr_update(handle, inode, VEXFS_XATTR_INDEX_POSIX_ACL,
				 vexfs_acl_name(type), value, size);
	if (err == -ENODATA && !acl)
		err = 0;
	if (!err)
		set_cached_acl(inode, type, acl);
out:
	kfree(value);
	return err;
}

static int __vexfs_set_acl(struct mnt_idmap_or_ns *idmap, struct inode *inode,
			   struct posix_acl *acl, int type)
{
	umode_t mode = inode->i_mode;
	handle_t *handle;
	int err, err2;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (type == ACL_TYPE_ACCESS && acl) {
		/* may drop an ACL the mode says all of, and clears SGID as chmod would */
		err = posix_acl_update_mode(idmap, inode, &mode, &acl);
		if (err)
			return err;
	}
	handle = vexfs_journal_start(inode->i_sb, VEXFS_CREDITS_XATTR + VEXFS_CREDITS_INODE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = vexfs_acl_store(handle, inode, type, acl);
	if (!err) {
		inode->i_mode = mode;
		inode_set_ctime_current(inode);
		err = vexfs_mark_inode_dirty(handle, inode);
	}
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
int vexfs_set_acl(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		  struct posix_acl *acl, int type)
{
	return __vexfs_set_acl(idmap, d_inode(dentry), acl, type);
}

int vexfs_acl_chmod(struct mnt_idmap_or_ns *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, dentry, d_inode(dentry)->i_mode);
}
#else
int vexfs_set_acl(struct user_namespace *idmap, struct inode *inode,
		  struct posix_acl *acl, int type)
{
	return __vexfs_set_acl(idmap, inode, acl, type);
}

int vexfs_acl_chmod(struct mnt_idmap_or_ns *idmap, struct dentry *dentry)
{
	return posix_acl_chmod(idmap, d_inode(dentry), d_inode(dentry)->i_mode);
}
#endif

/*
 * The ACLs of a new inode, from its directory's default ACL: @mode is
 * adjusted first (vexfs_acl_prepare, before the inode exists: it applies the
 * umask when there is no default ACL), then stored (vexfs_acl_init).
 */
int vexfs_acl_prepare(struct inode *dir, umode_t *mode, struct posix_acl **dacl,
		      struct posix_acl **acl)
{
	return posix_acl_create(dir, mode, dacl, acl);
}

int vexfs_acl_init(handle_t *handle, struct inode *inode, struct posix_acl *dacl,
		   struct posix_acl *acl)
{
	int err = 0;

	if (dacl)
		err = vexfs_acl_store(handle, inode, ACL_TYPE_DEFAULT, dacl);
	if (!err && acl)
		err = vexfs_acl_store(handle, inode, ACL_TYPE_ACCESS, acl);
	return err;
}

void vexfs_acl_release(struct posix_acl *dacl, struct posix_acl *acl)
{
	posix_acl_release(dacl);
	posix_acl_release(acl);
}

#endif /* CONFIG_FS_POSIX_ACL */
