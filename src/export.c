// SPDX-License-Identifier: GPL-2.0
/*
 * export.c - export_operations: file handles (name_to_handle_at,
 * open_by_handle_at, NFS) of 64-bit inode number + generation, and the
 * parent of a directory from its parent pointer (dh_parent / i_parent),
 * the name of a child in its parent from the child's parent pointers
 * (without them: exportfs's default, a readdir of the parent).
 */
#include <linux/exportfs.h>
#include "vexfs.h"

/* the values of FILEID_INO64_GEN(_PARENT) in <linux/exportfs.h> of 6.7+ */
#define VEXFS_FILEID_INO64_GEN		0x81
#define VEXFS_FILEID_INO64_GEN_PARENT	0x82

static struct inode *vexfs_nfs_get_inode(struct super_block *sb, u64 ino, u32 gen)
{
	struct inode *inode;

	if (ino != VEXFS_ROOT_INO &&
	    (ino < VEXFS_FIRST_INO || ino > VEXFS_SB(sb)->s_geom.inodes))
		return ERR_PTR(-ESTALE);
	inode = vexfs_iget_handle(sb, ino);
	if (IS_ERR(inode))
		return ERR_CAST(inode);
	if (gen && inode->i_generation != gen) {
		iput(inode);
		return ERR_PTR(-ESTALE);
	}
	return inode;
}

/*
 * Handles carry 64-bit inode numbers: VEXFS_FILEID_INO64_GEN is (ino low, ino
 * high, generation); VEXFS_FILEID_INO64_GEN_PARENT adds the same for the parent.
 */
static int vexfs_encode_fh(struct inode *inode, __u32 *fh, int *max_len,
			   struct inode *parent)
{
	int len = parent ? 6 : 3;

	if (*max_len < len) {
		*max_len = len;
		return FILEID_INVALID;
	}
	fh[0] = (u32)inode->i_ino;
	fh[1] = (u32)((u64)inode->i_ino >> 32);
	fh[2] = inode->i_generation;
	if (parent) {
		fh[3] = (u32)parent->i_ino;
		fh[4] = (u32)((u64)parent->i_ino >> 32);
		fh[5] = parent->i_generation;
	}
	*max_len = len;
	return parent ? VEXFS_FILEID_INO64_GEN_PARENT : VEXFS_FILEID_INO64_GEN;
}

static struct dentry *vexfs_fh_get(struct super_block *sb, const u32 *w)
{
	return d_obtain_alias(vexfs_nfs_get_inode(sb, w[0] | (u64)w[1] << 32, w[2]));
}

static struct dentry *vexfs_fh_to_dentry(struct super_block *sb, struct fid *fid,
					 int fh_len, int fh_type)
{
	if ((fh_type != VEXFS_FILEID_INO64_GEN && fh_type != VEXFS_FILEID_INO64_GEN_PARENT) || fh_len < 3)
		return NULL;
	return vexfs_fh_get(sb, fid->raw);
}

static struct dentry *vexfs_fh_to_parent(struct super_block *sb, struct fid *fid,
					 int fh_len, int fh_type)
{
	if (fh_type != VEXFS_FILEID_INO64_GEN_PARENT || fh_len < 6)
		return NULL;
	return vexfs_fh_get(sb, fid->raw + 3);
}

static struct dentry *vexfs_get_parent(struct dentry *child)
{
	struct inode *dir = d_inode(child);
	u64 parent = READ_ONCE(VEXFS_I(dir)->i_parent);

	/* a directory's one link; without parent pointers, the header's ".." */
	if (!parent) {
		int err = vexfs_dir_parent_ino(dir, &parent);

		if (err)
			return ERR_PTR(err);
	}
	/* read without locks: a directory removed meanwhile is -ESTALE, quietly */
	return d_obtain_alias(vexfs_iget_live(dir->i_sb, parent));
}

struct vexfs_name_arg {
	struct inode *dir;
	u64 ino;
	char *name;
	int err;
};

static int vexfs_name_link(void *arg, u64 parent, u32 hash, u32 count)
{
	struct vexfs_name_arg *n = arg;

	if (parent != n->dir->i_ino)
		return 0;
	inode_lock_shared(n->dir);
	n->err = vexfs_dir_name_of(n->dir, hash, n->ino, n->name);
	inode_unlock_shared(n->dir);
	return n->err != -ENOENT;	/* found, or an error: stop */
}

/*
 * The name of @child in @parent, from the child's parent pointers (one
 * bucket read) instead of the default readdir of the whole directory.
 */
static int vexfs_get_name(struct dentry *parent, char *name, struct dentry *child)
{
	struct inode *dir = d_inode(parent), *inode = d_inode(child);
	struct vexfs_name_arg n = { dir, inode->i_ino, name, -ENOENT };
	u32 hash;
	u64 p;

	if (!vexfs_has_parent(dir->i_sb))
		return -EOPNOTSUPP;	/* not in vexfs_export_ops_nopptr */
	p = vexfs_pptr_get(inode, &hash);
	if (p && vexfs_name_link(&n, p, hash, 1))
		return n.err;
	if (READ_ONCE(VEXFS_I(inode)->i_xattr_block)) {
		int err = vexfs_xattr_pptr_walk(inode, vexfs_name_link, &n);

		if (err < 0)
			return err;
	}
	return n.err;
}

/* Images without parent pointers: exportfs's get_name (readdir). */
const struct export_operations vexfs_export_ops_nopptr = {
	.encode_fh	= vexfs_encode_fh,
	.fh_to_dentry	= vexfs_fh_to_dentry,
	.fh_to_parent	= vexfs_fh_to_parent,
	.get_parent	= vexfs_get_parent,
};

const struct export_operations vexfs_export_ops = {
	.encode_fh	= vexfs_encode_fh,
	.fh_to_dentry	= vexfs_fh_to_dentry,
	.fh_to_parent	= vexfs_fh_to_parent,
	.get_parent	= vexfs_get_parent,
	.get_name	= vexfs_get_name,
};
