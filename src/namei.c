// SPDX-License-Identifier: GPL-2.0
/*
 * namei.c - directory inode operations: lookup, create, mknod, mkdir, rmdir,
 * unlink, link, symlink, rename (NOREPLACE, EXCHANGE, WHITEOUT) and tmpfile
 * (O_TMPFILE).
 * Each operation is one jbd2 handle.
 */
#include <linux/namei.h>
#include "vexfs.h"

/* An undo of a parent pointer change failed: say so, as for corruption. */
static void vexfs_pptr_undo(struct inode *inode, int err)
{
	if (err)
		vexfs_err(inode->i_sb, "inode %lu: cannot undo a parent pointer change (%d)",
			  inode->i_ino, err);
}

static struct dentry *vexfs_lookup(struct inode *dir, struct dentry *dentry,
				   unsigned int flags)
{
	struct inode *inode = NULL;
	u64 ino;
	int err;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return ERR_PTR(-ENAMETOOLONG);
	err = vexfs_dir_find(dir, &dentry->d_name, &ino);
	if (!err) {
		inode = vexfs_iget(dir->i_sb, ino);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	} else if (err != -ENOENT) {
		return ERR_PTR(err);
	}
	return d_splice_alias(inode, dentry);
}

/* Undo a half-made inode: it has no directory entry, so it is freed at iput. */
static void vexfs_discard_new(handle_t *handle, struct inode *inode)
{
	clear_nlink(inode);
	vexfs_mark_inode_dirty(handle, inode);
	unlock_new_inode(inode);
	iput(inode);
}

static int vexfs_add_nondir(handle_t *handle, struct inode *dir,
			    struct dentry *dentry, struct inode *inode)
{
	int err = vexfs_dir_add(handle, dir, &dentry->d_name, inode->i_ino, inode->i_mode);

	if (err) {
		vexfs_discard_new(handle, inode);
		return err;
	}
	d_instantiate_new(dentry, inode);
	return 0;
}

/*
 * A new non-directory inode under @handle, written: its first link is
 * @name in @dir (NULL: none yet, O_TMPFILE); @rdev for device nodes. On
 * failure the half-made inode is discarded.
 */
static struct inode *vexfs_new_nondir(handle_t *handle, struct mnt_idmap_or_ns *idmap,
				      struct inode *dir, const struct qstr *name,
				      umode_t mode, dev_t rdev)
{
	struct inode *inode = vexfs_new_inode(handle, idmap, dir, mode);
	int err;

	if (IS_ERR(inode))
		return inode;
	if (name)
		vexfs_pptr_init(inode, dir, name);
	if (!S_ISREG(mode))
		init_special_inode(inode, inode->i_mode, rdev);
	vexfs_set_inode_ops(inode);
	err = vexfs_mark_inode_dirty(handle, inode);
	if (err) {
		vexfs_discard_new(handle, inode);
		return ERR_PTR(err);
	}
	return inode;
}

static int vexfs_mknod_common(struct mnt_idmap_or_ns *idmap, struct inode *dir,
			      struct dentry *dentry, umode_t mode, dev_t rdev)
{
	handle_t *handle;
	struct inode *inode;
	int err, err2;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_CREATE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	inode = vexfs_new_nondir(handle, idmap, dir, &dentry->d_name, mode, rdev);
	err = IS_ERR(inode) ? PTR_ERR(inode) : vexfs_add_nondir(handle, dir, dentry, inode);
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static int vexfs_create(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, bool excl)
#else
static int vexfs_create(struct user_namespace *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, bool excl)
#endif
{
	return vexfs_mknod_common(idmap, dir, dentry, mode, 0);
}

static int vexfs_mknod(struct mnt_idmap_or_ns *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return vexfs_mknod_common(idmap, dir, dentry, mode, rdev);
}

static int vexfs_symlink(struct mnt_idmap_or_ns *idmap, struct inode *dir,
			 struct dentry *dentry, const char *symname)
{
	struct super_block *sb = dir->i_sb;
	size_t len = strlen(symname);
	handle_t *handle;
	struct inode *inode;
	int err, err2;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	if (len + 1 > sb->s_blocksize)
		return -ENAMETOOLONG;
	handle = vexfs_journal_start(sb, VEXFS_CREDITS_CREATE + VEXFS_CREDITS_WRITE(1));
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	inode = vexfs_new_inode(handle, idmap, dir, S_IFLNK | 0777);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto out;
	}
	vexfs_pptr_init(inode, dir, &dentry->d_name);
	if (len < VEXFS_INLINE_SYMLINK_LEN) {
		/* fast symlink: the target lives in i_block[] */
		memcpy(VEXFS_I(inode)->i_block, symname, len);
		inode->i_size = len;
		vexfs_set_inode_ops(inode);
	} else {
		inode->i_size = len;	/* selects the page-cache symlink ops */
		vexfs_set_inode_ops(inode);
		err = page_symlink(inode, symname, len + 1);
		if (err) {
			vexfs_discard_new(handle, inode);
			goto out;
		}
	}
	err = vexfs_mark_inode_dirty(handle, inode);
	if (err) {
		vexfs_discard_new(handle, inode);
		goto out;
	}
	err = vexfs_add_nondir(handle, dir, dentry, inode);
out:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

/*
 * O_TMPFILE: a new regular inode with no link and no parent pointer, on the
 * orphan list (as an unlinked open file is) until linkat gives it a name or
 * its last close frees it; a crash before either frees it at the next mount.
 */
static int vexfs_tmpfile(struct mnt_idmap_or_ns *idmap, struct inode *dir,
			 struct file *file, umode_t mode)
{
	handle_t *handle;
	struct inode *inode;
	int err, err2;

	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_CREATE);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	inode = vexfs_new_nondir(handle, idmap, dir, NULL, mode, 0);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
	} else {
		d_tmpfile(file, inode);	/* i_nlink 1 -> 0, I_LINKABLE unless O_EXCL */
		err = vexfs_orphan_add(handle, inode);
		unlock_new_inode(inode);	/* on failure the file's dentry frees it */
	}
	err2 = vexfs_journal_stop(handle);
	return finish_open_simple(file, err ? err : err2);
}

static int vexfs_link(struct dentry *old_dentry, struct inode *dir,
		      struct dentry *dentry)
{
	struct inode *inode = d_inode(old_dentry);
	bool tmpfile = inode->i_nlink == 0;	/* an O_TMPFILE's first name */
	handle_t *handle;
	int err, err2;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_DIRADD + 4 * VEXFS_CREDITS_INODE +
				     2 * VEXFS_CREDITS_PPTR);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	/* the parent pointer first: it may need a block, and is undone below */
	err = vexfs_pptr_add(handle, inode, dir, &dentry->d_name);
	if (err)
		goto out;
	err = vexfs_dir_add(handle, dir, &dentry->d_name, inode->i_ino, inode->i_mode);
	if (err) {
		vexfs_pptr_undo(inode, vexfs_pptr_del(handle, inode, dir, &dentry->d_name));
		goto out;
	}
	inode_set_ctime_current(inode);
	inc_nlink(inode);
	ihold(inode);
	err = vexfs_mark_inode_dirty(handle, inode);
	/*
	 * Named now: no longer an orphan. If the list cannot be written the
	 * link stands (as in ext4): the next mount finds a linked regular file
	 * on the list and only takes it off.
	 */
	if (tmpfile && !err && vexfs_orphan_del(handle, inode))
		vexfs_msg(dir->i_sb, "inode %lu: linked, but still on the orphan list on disk",
			  inode->i_ino);
	d_instantiate(dentry, inode);
out:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

static int vexfs_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	handle_t *handle;
	int err, err2;

	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_UNLINK + 2 * VEXFS_CREDITS_PPTR);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = vexfs_pptr_del(handle, inode, dir, &dentry->d_name);
	if (err)
		goto out;
	err = vexfs_dir_delete(handle, dir, &dentry->d_name);
	if (err) {
		vexfs_pptr_undo(inode, vexfs_pptr_add(handle, inode, dir, &dentry->d_name));
		goto out;
	}
	inode_set_ctime_to_ts(inode, inode_get_ctime(dir));
	drop_nlink(inode);
	if (!inode->i_nlink)
		err = vexfs_orphan_add(handle, inode);	/* freed at last close */
	else
		err = vexfs_mark_inode_dirty(handle, inode);
out:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
static int vexfs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
#else
static int vexfs_mkdir(struct user_namespace *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
#endif
{
	handle_t *handle;
	struct inode *inode;
	int err, err2;

	if (dentry->d_name.len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_CREATE + 2 * VEXFS_CREDITS_BLOCK);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	inode = vexfs_new_inode(handle, idmap, dir, S_IFDIR | mode);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto out;
	}
	vexfs_pptr_init(inode, dir, &dentry->d_name);
	vexfs_set_inode_ops(inode);
	set_nlink(inode, 2);
	err = vexfs_dir_init(handle, inode, dir);
	if (err) {
		vexfs_discard_new(handle, inode);
		goto out;
	}
	err = vexfs_dir_add(handle, dir, &dentry->d_name, inode->i_ino, inode->i_mode);
	if (err) {
		vexfs_discard_new(handle, inode);
		goto out;
	}
	inc_nlink(dir);
	err = vexfs_mark_inode_dirty(handle, dir);
	d_instantiate_new(dentry, inode);
out:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

static int vexfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	handle_t *handle;
	int err, err2;

	err = vexfs_dir_is_empty(inode);
	if (err < 0)
		return err;
	if (!err)
		return -ENOTEMPTY;
	handle = vexfs_journal_start(dir->i_sb, VEXFS_CREDITS_UNLINK + 2 * VEXFS_CREDITS_PPTR);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = vexfs_pptr_del(handle, inode, dir, &dentry->d_name);
	if (err)
		goto out;
	err = vexfs_dir_delete(handle, dir, &dentry->d_name);
	if (err) {
		vexfs_pptr_undo(inode, vexfs_pptr_add(handle, inode, dir, &dentry->d_name));
		goto out;
	}
	inode_set_ctime_to_ts(inode, inode_get_ctime(dir));
	clear_nlink(inode);
	i_size_write(inode, 0);
	drop_nlink(dir);
	err = vexfs_mark_inode_dirty(handle, dir);
	if (!err)
		err = vexfs_orphan_add(handle, inode);
out:
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

static int vexfs_exchange(handle_t *handle, struct inode *old_dir, struct dentry *old_dentry,
			  struct inode *new_dir, struct dentry *new_dentry)
{
	struct inode *a = d_inode(old_dentry), *b = d_inode(new_dentry);
	const struct qstr *an = &old_dentry->d_name, *bn = &new_dentry->d_name;
	int err;

	err = vexfs_pptr_move(handle, a, old_dir, an, new_dir, bn);
	if (err)
		return err;
	err = vexfs_pptr_move(handle, b, new_dir, bn, old_dir, an);
	if (err) {
		vexfs_pptr_undo(a, vexfs_pptr_move(handle, a, new_dir, bn, old_dir, an));
		return err;
	}
	err = vexfs_dir_set(handle, old_dir, an, b->i_ino, b->i_mode);
	if (err) {
		vexfs_pptr_undo(b, vexfs_pptr_move(handle, b, old_dir, an, new_dir, bn));
		vexfs_pptr_undo(a, vexfs_pptr_move(handle, a, new_dir, bn, old_dir, an));
		return err;
	}
	err = vexfs_dir_set(handle, new_dir, bn, a->i_ino, a->i_mode);
	if (err || old_dir == new_dir)
		goto times;
	if (S_ISDIR(a->i_mode)) {
		err = vexfs_dir_set_parent(handle, a, new_dir->i_ino);
		if (err)
			return err;
	}
	if (S_ISDIR(b->i_mode)) {
		err = vexfs_dir_set_parent(handle, b, old_dir->i_ino);
		if (err)
			return err;
	}
	if (S_ISDIR(a->i_mode) && !S_ISDIR(b->i_mode)) {
		drop_nlink(old_dir);
		inc_nlink(new_dir);
	} else if (!S_ISDIR(a->i_mode) && S_ISDIR(b->i_mode)) {
		inc_nlink(old_dir);
		drop_nlink(new_dir);
	}
	err = vexfs_mark_inode_dirty(handle, old_dir);
	if (!err)
		err = vexfs_mark_inode_dirty(handle, new_dir);
times:
	if (err)
		return err;
	inode_set_ctime_current(a);
	inode_set_ctime_current(b);
	err = vexfs_mark_inode_dirty(handle, a);
	if (!err)
		err = vexfs_mark_inode_dirty(handle, b);
	return err;
}

static int vexfs_rename(struct mnt_idmap_or_ns *idmap, struct inode *old_dir,
			struct dentry *old_dentry, struct inode *new_dir,
			struct dentry *new_dentry, unsigned int flags)
{
	struct inode *old_inode = d_inode(old_dentry);
	struct inode *new_inode = d_inode(new_dentry);
	bool is_dir = S_ISDIR(old_inode->i_mode);
	struct inode *whiteout = NULL;
	handle_t *handle;
	int err, err2;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (new_dentry->d_name.len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	if (new_inode && S_ISDIR(new_inode->i_mode) && !(flags & RENAME_EXCHANGE)) {
		err = vexfs_dir_is_empty(new_inode);
		if (err < 0)
			return err;
		if (!err)
			return -ENOTEMPTY;
	}
	handle = vexfs_journal_start(old_dir->i_sb, VEXFS_CREDITS_RENAME + 3 * VEXFS_CREDITS_PPTR +
				     (flags & RENAME_WHITEOUT ? VEXFS_CREDITS_CREATE : 0));
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (flags & RENAME_EXCHANGE) {
		err = vexfs_exchange(handle, old_dir, old_dentry, new_dir, new_dentry);
		goto out;
	}
	/*
	 * RENAME_WHITEOUT (overlayfs): the old name ends up naming a new
	 * whiteout, a character device 0:0, in the same handle. It is made
	 * first, so a failure to make it changes nothing.
	 */
	if (flags & RENAME_WHITEOUT) {
		whiteout = vexfs_new_nondir(handle, idmap, old_dir, &old_dentry->d_name,
					    S_IFCHR | WHITEOUT_MODE, WHITEOUT_DEV);
		if (IS_ERR(whiteout)) {
			err = PTR_ERR(whiteout);
			whiteout = NULL;
			goto out;
		}
	}
	/* parent pointers first (a further link may need space), undone on failure */
	err = vexfs_pptr_move(handle, old_inode, old_dir, &old_dentry->d_name, new_dir,
			      &new_dentry->d_name);
	if (err)
		goto out;
	if (new_inode) {
		err = vexfs_pptr_del(handle, new_inode, new_dir, &new_dentry->d_name);
		if (!err) {
			err = vexfs_dir_set(handle, new_dir, &new_dentry->d_name, old_inode->i_ino,
					    old_inode->i_mode);
			if (err)
				vexfs_pptr_undo(new_inode, vexfs_pptr_add(handle, new_inode, new_dir,
									  &new_dentry->d_name));
		}
		if (err) {
			vexfs_pptr_undo(old_inode, vexfs_pptr_move(handle, old_inode, new_dir,
								   &new_dentry->d_name, old_dir,
								   &old_dentry->d_name));
			goto out;
		}
		inode_set_ctime_current(new_inode);
		if (S_ISDIR(new_inode->i_mode)) {
			clear_nlink(new_inode);
			i_size_write(new_inode, 0);
		} else {
			drop_nlink(new_inode);
		}
		if (!new_inode->i_nlink)
			err = vexfs_orphan_add(handle, new_inode);
		else
			err = vexfs_mark_inode_dirty(handle, new_inode);
		if (err)
			goto out;
		if (is_dir && S_ISDIR(new_inode->i_mode))
			drop_nlink(new_dir);	/* the replaced directory's ".." */
	} else {
		err = vexfs_dir_add(handle, new_dir, &new_dentry->d_name, old_inode->i_ino,
				    old_inode->i_mode);
		if (err) {
			vexfs_pptr_undo(old_inode, vexfs_pptr_move(handle, old_inode, new_dir,
								   &new_dentry->d_name, old_dir,
								   &old_dentry->d_name));
			goto out;
		}
	}
	if (is_dir)
		inc_nlink(new_dir);
	if (whiteout)
		err = vexfs_dir_set(handle, old_dir, &old_dentry->d_name, whiteout->i_ino,
				    whiteout->i_mode);
	else
		err = vexfs_dir_delete(handle, old_dir, &old_dentry->d_name);
	if (err)
		goto out;
	if (is_dir) {
		if (old_dir != new_dir) {
			err = vexfs_dir_set_parent(handle, old_inode, new_dir->i_ino);
			if (err)
				goto out;
		}
		drop_nlink(old_dir);
	}
	inode_set_ctime_current(old_inode);
	err = vexfs_mark_inode_dirty(handle, old_inode);
	if (!err)
		err = vexfs_mark_inode_dirty(handle, old_dir);
	if (!err && new_dir != old_dir)
		err = vexfs_mark_inode_dirty(handle, new_dir);
out:
	if (whiteout && err) {
		vexfs_discard_new(handle, whiteout);
	} else if (whiteout) {
		unlock_new_inode(whiteout);
		iput(whiteout);
	}
	err2 = vexfs_journal_stop(handle);
	return err ? err : err2;
}

const struct inode_operations vexfs_dir_inode_operations = {
	.create		= vexfs_create,
	.lookup		= vexfs_lookup,
	.link		= vexfs_link,
	.unlink		= vexfs_unlink,
	.symlink	= vexfs_symlink,
	.mkdir		= vexfs_mkdir,
	.rmdir		= vexfs_rmdir,
	.mknod		= vexfs_mknod,
	.rename		= vexfs_rename,
	.tmpfile	= vexfs_tmpfile,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	.fileattr_get	= vexfs_fileattr_get,
	.fileattr_set	= vexfs_fileattr_set,
	VEXFS_ACL_OPS
};

const struct inode_operations vexfs_special_inode_operations = {
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	VEXFS_ACL_OPS
};

const struct inode_operations vexfs_symlink_inode_operations = {
	.get_link	= page_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};

const struct inode_operations vexfs_fast_symlink_inode_operations = {
	.get_link	= simple_get_link,
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
};
