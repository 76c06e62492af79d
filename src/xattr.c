// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - extended attributes (user., trusted., security., and the POSIX
 * ACLs of acl.c) stored in one block per inode (i_xattr_block), entries
 * sorted by (index, name).
 */
#include <linux/xattr.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include "vexfs.h"

#define XH_SIZE ((u32)sizeof(struct vexfs_xattr_header))

static u32 vexfs_xattr_csum(struct inode *inode, const void *buf)
{
	return vexfs_block_csum(VEXFS_SB(inode->i_sb)->s_csum_seed, inode->i_ino, buf,
				inode->i_sb->s_blocksize,
				offsetof(struct vexfs_xattr_header, xh_checksum));
}

/* Validate an xattr block: header, checksum, every entry in bounds. */
static int vexfs_xattr_check(struct inode *inode, struct buffer_head *bh)
{
	struct vexfs_xattr_header *xh = (void *)bh->b_data;
	u32 used = le16_to_cpu(xh->xh_used), off = XH_SIZE, n = 0;
	u32 bs = inode->i_sb->s_blocksize;

	if (vexfs_bh_verified(bh, VEXFS_BH_XATTR))
		return 0;
	if (le32_to_cpu(xh->xh_magic) != VEXFS_XATTR_MAGIC ||
	    le32_to_cpu(xh->xh_checksum) != vexfs_xattr_csum(inode, bh->b_data) ||
	    used > bs - XH_SIZE)
		goto bad;
	while (off < XH_SIZE + used) {
		struct vexfs_xattr_entry *xe = (void *)(bh->b_data + off);
		u32 size;

		if (XH_SIZE + used - off < 4 || !xe->xe_name_len || !xe->xe_index ||
		    xe->xe_index > VEXFS_XATTR_INDEX_MAX)
			goto bad;
		size = VEXFS_XATTR_ENTRY_SIZE(xe->xe_name_len, le16_to_cpu(xe->xe_value_len));
		if (size > XH_SIZE + used - off)
			goto bad;
		if (xe->xe_index == VEXFS_XATTR_INDEX_PARENT &&
		    (!vexfs_has_parent(inode->i_sb) ||
		     xe->xe_name_len != sizeof(struct vexfs_pptr) ||
		     le16_to_cpu(xe->xe_value_len) != 4 ||
		     !get_unaligned_le32(xe->xe_name + sizeof(struct vexfs_pptr))))
			goto bad;
		if (xe->xe_index == VEXFS_XATTR_INDEX_POSIX_ACL &&
		    vexfs_acl_entry_check((const u8 *)xe->xe_name, xe->xe_name_len,
					  (const u8 *)xe->xe_name + xe->xe_name_len,
					  le16_to_cpu(xe->xe_value_len)) < 0)
			goto bad;
		off += size;
		n++;
	}
	if (n != le16_to_cpu(xh->xh_count))
		goto bad;
	vexfs_bh_set_verified(bh, VEXFS_BH_XATTR);
	return 0;
bad:
	return vexfs_corrupt(inode->i_sb, "inode %lu: xattr block %llu is invalid",
			     inode->i_ino, (u64)bh->b_blocknr);
}

static struct buffer_head *vexfs_xattr_read(struct inode *inode)
{
	u64 blk = VEXFS_I(inode)->i_xattr_block;
	struct buffer_head *bh;
	int err;

	if (!blk)
		return NULL;
	bh = sb_bread(inode->i_sb, blk);
	if (!bh)
		return ERR_PTR(-EIO);
	err = vexfs_xattr_check(inode, bh);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	return bh;
}

#define for_each_xe(xh, xe, off)						\
	for ((off) = XH_SIZE, (xe) = (void *)((u8 *)(xh) + XH_SIZE);		\
	     (off) < XH_SIZE + le16_to_cpu((xh)->xh_used);			\
	     (off) += VEXFS_XATTR_ENTRY_SIZE((xe)->xe_name_len,			\
					    le16_to_cpu((xe)->xe_value_len)),	\
	     (xe) = (void *)((u8 *)(xh) + (off)))

int vexfs_xattr_get(struct inode *inode, int index, const char *name,
		    void *buffer, size_t size)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	size_t nlen = strlen(name);
	struct vexfs_xattr_header *xh;
	struct vexfs_xattr_entry *xe;
	struct buffer_head *bh;
	u32 off;
	int ret = -ENODATA;

	if (nlen > 255)
		return -ERANGE;
	down_read(&vi->i_map_sem);
	bh = vexfs_xattr_read(inode);
	if (IS_ERR_OR_NULL(bh)) {
		up_read(&vi->i_map_sem);
		return bh ? PTR_ERR(bh) : -ENODATA;
	}
	xh = (void *)bh->b_data;
	for_each_xe(xh, xe, off) {
		u32 vlen = le16_to_cpu(xe->xe_value_len);

		if (xe->xe_index != index || xe->xe_name_len != nlen ||
		    memcmp(xe->xe_name, name, nlen))
			continue;
		ret = vlen;
		if (buffer) {
			if (vlen > size)
				ret = -ERANGE;
			else
				memcpy(buffer, xe->xe_name + nlen, vlen);
		}
		break;
	}
	brelse(bh);
	up_read(&vi->i_map_sem);
	return ret;
}

static int vexfs_xe_cmp(u8 ia, const char *na, u32 la, u8 ib, const char *nb, u32 lb)
{
	int c;

	if (ia != ib)
		return ia < ib ? -1 : 1;
	c = memcmp(na, nb, min(la, lb));
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

/* Append one entry to the block image in @buf; counts it in the header. */
static int vexfs_xe_append(u8 *buf, u32 *out, u32 bs, u8 index, const char *name,
			   u32 nlen, const void *value, u32 vlen)
{
	struct vexfs_xattr_entry *xe = (void *)(buf + *out);
	u32 size = VEXFS_XATTR_ENTRY_SIZE(nlen, vlen);

	if (*out + size > bs)
		return -ENOSPC;
	xe->xe_index = index;
	xe->xe_name_len = nlen;
	xe->xe_value_len = cpu_to_le16(vlen);
	memcpy(xe->xe_name, name, nlen);
	memcpy(xe->xe_name + nlen, value, vlen);
	*out += size;
	le16_add_cpu(&((struct vexfs_xattr_header *)buf)->xh_count, 1);
	return 0;
}

/*
 * Replace, add or remove (@value NULL) attribute (@index, @name) under
 * @handle; @nbuf is a scratch block. With @delta, the attribute is a link
 * count (VEXFS_XATTR_INDEX_PARENT): @delta is added to it and it is removed
 * at 0 (@value ignored).
 */
static int __vexfs_xattr_update(handle_t *handle, struct inode *inode, u8 *nbuf, int index,
				const char *name, u32 nlen, const void *value, size_t vlen,
				int flags, int delta)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	u32 bs = sb->s_blocksize, off, out = XH_SIZE;
	struct vexfs_xattr_header *xh = NULL, *nh;
	struct vexfs_xattr_entry *xe;
	struct buffer_head *bh = NULL, *nbh = NULL;
	bool found = false, placed = false;
	__le32 count;
	int err;

	memset(nbuf, 0, bs);
	down_write(&vi->i_map_sem);
	bh = vexfs_xattr_read(inode);
	if (IS_ERR(bh)) {
		err = PTR_ERR(bh);
		bh = NULL;
		goto out;
	}
	if (delta) {
		u32 old = 0;

		if (bh) {
			xh = (void *)bh->b_data;
			for_each_xe(xh, xe, off)
				if (!vexfs_xe_cmp(xe->xe_index, xe->xe_name, xe->xe_name_len,
						  index, name, nlen))
					old = get_unaligned_le32(xe->xe_name + nlen);
		}
		if (!old && delta < 0) {
			err = -ENODATA;	/* no such pair: the caller tries the folded one */
			goto out;
		}
		if ((s64)old + delta < 0 || (u64)old + delta > U32_MAX) {
			err = vexfs_corrupt(sb, "inode %lu: parent pointer count %u%+d",
					    inode->i_ino, old, delta);
			goto out;
		}
		count = cpu_to_le32(old + delta);
		value = old + delta ? &count : NULL;
		vlen = sizeof(count);
	}
	/* Build the new block in nbuf: old entries in order, new one inserted. */
	nh = (void *)nbuf;
	if (bh) {
		xh = (void *)bh->b_data;
		for_each_xe(xh, xe, off) {
			int c = vexfs_xe_cmp(xe->xe_index, xe->xe_name, xe->xe_name_len,
					     index, name, nlen);

			if (c == 0) {
				found = true;
				continue;	/* replaced or removed */
			}
			if (c > 0 && value && !placed) {
				if (vexfs_xe_append(nbuf, &out, bs, index, name, nlen, value, vlen))
					goto nospc;
				placed = true;
			}
			if (vexfs_xe_append(nbuf, &out, bs, xe->xe_index, xe->xe_name,
					    xe->xe_name_len, xe->xe_name + xe->xe_name_len,
					    le16_to_cpu(xe->xe_value_len)))
				goto nospc;
		}
	}
	if ((flags & XATTR_CREATE) && found) {
		err = -EEXIST;
		goto out;
	}
	if ((flags & XATTR_REPLACE) && !found) {
		err = -ENODATA;
		goto out;
	}
	if (!value && !found) {
		err = -ENODATA;
		goto out;
	}
	if (value && !placed &&
	    vexfs_xe_append(nbuf, &out, bs, index, name, nlen, value, vlen))
		goto nospc;

	/*
	 * Last attribute gone: the block is freed, except by a parent pointer
	 * change, whose undo (the same pair back) must never need a block.
	 */
	if (!nh->xh_count && !delta) {
		if (bh) {
			vexfs_free_blocks(handle, inode, bh->b_blocknr, 1, true);
			inode->i_blocks -= bs >> 9;
			vi->i_xattr_block = 0;
		}
		err = 0;
		goto dirty_inode;
	}
	if (bh) {
		nbh = bh;
		get_bh(nbh);
		err = vexfs_journal_get_write_access(handle, sb, nbh);
	} else {
		u32 count = 1;
		u64 blk;

		err = vexfs_new_blocks(handle, inode,
				       (u64)vi->i_goal_group * VEXFS_SB(sb)->s_geom.blocks_per_group,
				       &count, &blk);
		if (err)
			goto out;
		nbh = sb_getblk(sb, blk);
		if (!nbh) {
			vexfs_free_blocks(handle, inode, blk, 1, true);
			err = -ENOMEM;
			goto out;
		}
		lock_buffer(nbh);	/* jbd2 wants new buffers locked for create access */
		err = vexfs_journal_get_create_access(handle, sb, nbh);
		unlock_buffer(nbh);
		if (!err) {
			vi->i_xattr_block = blk;
			inode->i_blocks += bs >> 9;
		} else {
			vexfs_free_blocks(handle, inode, blk, 1, true);
		}
	}
	if (err)
		goto out;
	lock_buffer(nbh);
	nh->xh_magic = cpu_to_le32(VEXFS_XATTR_MAGIC);
	nh->xh_used = cpu_to_le16(out - XH_SIZE);
	memcpy(nbh->b_data, nbuf, bs);
	((struct vexfs_xattr_header *)nbh->b_data)->xh_checksum =
		cpu_to_le32(vexfs_xattr_csum(inode, nbh->b_data));
	set_buffer_uptodate(nbh);
	vexfs_bh_set_verified(nbh, VEXFS_BH_XATTR);
	unlock_buffer(nbh);
	err = vexfs_journal_dirty(handle, sb, nbh);
	if (err)
		goto out;
dirty_inode:
	inode_set_ctime_current(inode);
	err = vexfs_mark_inode_dirty(handle, inode);
	goto out;
nospc:
	err = -ENOSPC;
out:
	up_write(&vi->i_map_sem);
	brelse(nbh);
	brelse(bh);
	return err;
}

static int vexfs_xattr_set(struct inode *inode, int index, const char *name,
			   const void *value, size_t vlen, int flags)
{
	struct super_block *sb = inode->i_sb;
	u32 nlen = strlen(name);
	handle_t *handle;
	u8 *nbuf;
	int err, err2;

	if (nlen > 255 || !nlen)
		return -ERANGE;
	if (value && VEXFS_XATTR_ENTRY_SIZE(nlen, vlen) > sb->s_blocksize - XH_SIZE)
		return -ENOSPC;
	nbuf = kmalloc(sb->s_blocksize, GFP_KERNEL);
	if (!nbuf)
		return -ENOMEM;
	handle = vexfs_journal_start(sb, VEXFS_CREDITS_XATTR);
	if (IS_ERR(handle)) {
		kfree(nbuf);
		return PTR_ERR(handle);
	}
	err = __vexfs_xattr_update(handle, inode, nbuf, index, name, nlen, value, vlen, flags, 0);
	err2 = vexfs_journal_stop(handle);
	kfree(nbuf);
	return err ? err : err2;
}

/*
 * Set or remove (@value NULL) attribute (@index, @name) under @handle
 * (VEXFS_CREDITS_XATTR more credits); removing a missing one gives -ENODATA.
 */
int vexfs_xattr_update(handle_t *handle, struct inode *inode, int index, const char *name,
		       const void *value, size_t vlen)
{
	struct super_block *sb = inode->i_sb;
	u32 nlen = strlen(name);
	u8 *nbuf;
	int err;

	if (value && VEXFS_XATTR_ENTRY_SIZE(nlen, vlen) > sb->s_blocksize - XH_SIZE)
		return -ENOSPC;
	nbuf = kmalloc(sb->s_blocksize, GFP_NOFS);
	if (!nbuf)
		return -ENOMEM;
	err = __vexfs_xattr_update(handle, inode, nbuf, index, name, nlen, value, vlen, 0, 0);
	kfree(nbuf);
	return err;
}

/*
 * Count one more (@delta 1) or one fewer (-1) link @pp in the inode's xattr
 * block, under @handle (VEXFS_CREDITS_XATTR more credits).
 */
int vexfs_xattr_pptr(handle_t *handle, struct inode *inode, const struct vexfs_pptr *pp,
		     int delta)
{
	u8 *nbuf = kmalloc(inode->i_sb->s_blocksize, GFP_NOFS);
	int err;

	if (!nbuf)
		return -ENOMEM;
	err = __vexfs_xattr_update(handle, inode, nbuf, VEXFS_XATTR_INDEX_PARENT,
				   (const char *)pp, sizeof(*pp), NULL, 0, 0, delta);
	kfree(nbuf);
	return err;
}

/*
 * Call @fn for every link recorded in the xattr block (with its count),
 * from a copy taken under i_map_sem and with no lock held, so @fn may take
 * directory locks; stops at the first non-zero return, which is returned.
 */
int vexfs_xattr_pptr_walk(struct inode *inode,
			  int (*fn)(void *arg, u64 parent, u32 hash, u32 count), void *arg)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_xattr_header *xh;
	struct vexfs_xattr_entry *xe;
	struct buffer_head *bh;
	struct { u64 parent; u32 hash, count; } *links;
	u32 off, n = 0, i;
	int ret = 0;

	/* an entry takes at least 20 bytes */
	links = kmalloc_array(inode->i_sb->s_blocksize / 20, sizeof(*links), GFP_KERNEL);
	if (!links)
		return -ENOMEM;
	down_read(&vi->i_map_sem);
	bh = vexfs_xattr_read(inode);
	if (IS_ERR_OR_NULL(bh)) {
		up_read(&vi->i_map_sem);
		kfree(links);
		return PTR_ERR_OR_ZERO(bh);
	}
	xh = (void *)bh->b_data;
	for_each_xe(xh, xe, off) {
		const struct vexfs_pptr *pp = (const void *)xe->xe_name;

		if (xe->xe_index != VEXFS_XATTR_INDEX_PARENT)
			continue;
		links[n].parent = get_unaligned_le32(&pp->pp_parent_lo) |
				  (u64)get_unaligned_le32(&pp->pp_parent_hi) << 32;
		links[n].hash = get_unaligned_le32(&pp->pp_hash);
		links[n].count = get_unaligned_le32(xe->xe_name + sizeof(*pp));
		n++;
	}
	brelse(bh);
	up_read(&vi->i_map_sem);
	for (i = 0; i < n && !ret; i++)
		ret = fn(arg, links[i].parent, links[i].hash, links[i].count);
	kfree(links);
	return ret;
}

int vexfs_xattr_free(handle_t *handle, struct inode *inode)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	if (!vi->i_xattr_block)
		return 0;
	vexfs_free_blocks(handle, inode, vi->i_xattr_block, 1, true);
	inode->i_blocks -= inode->i_sb->s_blocksize >> 9;
	vi->i_xattr_block = 0;
	return 0;
}

static const char *const vexfs_xattr_prefix[] = {
	[VEXFS_XATTR_INDEX_USER]	= XATTR_USER_PREFIX,
	[VEXFS_XATTR_INDEX_TRUSTED]	= XATTR_TRUSTED_PREFIX,
	[VEXFS_XATTR_INDEX_SECURITY]	= XATTR_SECURITY_PREFIX,
	/* "access" and "default" make XATTR_NAME_POSIX_ACL_ACCESS / _DEFAULT */
	[VEXFS_XATTR_INDEX_POSIX_ACL]	= XATTR_SYSTEM_PREFIX "posix_acl_",
};

ssize_t vexfs_listxattr(struct dentry *dentry, char *buf, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct vexfs_xattr_header *xh;
	struct vexfs_xattr_entry *xe;
	struct buffer_head *bh;
	ssize_t total = 0;
	u32 off;

	down_read(&vi->i_map_sem);
	bh = vexfs_xattr_read(inode);
	if (IS_ERR_OR_NULL(bh)) {
		up_read(&vi->i_map_sem);
		if (bh)
			return PTR_ERR(bh);
		return vexfs_vec_xattr_list(inode, buf, size);
	}
	xh = (void *)bh->b_data;
	for_each_xe(xh, xe, off) {
		const char *prefix;
		size_t plen, len;

		if (xe->xe_index == VEXFS_XATTR_INDEX_PARENT)
			continue;	/* parent pointers are not attributes */
		prefix = vexfs_xattr_prefix[xe->xe_index];
		plen = strlen(prefix);
		len = plen + xe->xe_name_len + 1;
		if (xe->xe_index == VEXFS_XATTR_INDEX_TRUSTED && !capable(CAP_SYS_ADMIN))
			continue;
		if (buf) {
			if (total + len > size) {
				total = -ERANGE;
				break;
			}
			memcpy(buf + total, prefix, plen);
			memcpy(buf + total + plen, xe->xe_name, xe->xe_name_len);
			buf[total + len - 1] = '\0';
		}
		total += len;
	}
	brelse(bh);
	up_read(&vi->i_map_sem);
	if (total >= 0) {
		ssize_t v = vexfs_vec_xattr_list(inode, buf ? buf + total : NULL,
						 buf ? size - total : 0);

		total = v < 0 ? v : total + v;
	}
	return total;
}

static int vexfs_xattr_handler_get(const struct xattr_handler *handler,
				   struct dentry *unused, struct inode *inode,
				   const char *name, void *buffer, size_t size)
{
	if (handler->flags == VEXFS_XATTR_INDEX_USER && vexfs_vec_xattr_name(name))
		return vexfs_vec_xattr_get(inode, name, buffer, size);
	return vexfs_xattr_get(inode, handler->flags, name, buffer, size);
}

static int vexfs_xattr_handler_set(const struct xattr_handler *handler,
				   struct mnt_idmap_or_ns *idmap,
				   struct dentry *unused, struct inode *inode,
				   const char *name, const void *value,
				   size_t size, int flags)
{
	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	if (handler->flags == VEXFS_XATTR_INDEX_USER && vexfs_vec_xattr_name(name))
		return vexfs_vec_xattr_set(inode, name, value, size, flags);
	return vexfs_xattr_set(inode, handler->flags, name, value, size, flags);
}

static const struct xattr_handler vexfs_xattr_user_handler = {
	.prefix	= XATTR_USER_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_USER,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

static const struct xattr_handler vexfs_xattr_trusted_handler = {
	.prefix	= XATTR_TRUSTED_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_TRUSTED,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

static const struct xattr_handler vexfs_xattr_security_handler = {
	.prefix	= XATTR_SECURITY_PREFIX,
	.flags	= VEXFS_XATTR_INDEX_SECURITY,
	.get	= vexfs_xattr_handler_get,
	.set	= vexfs_xattr_handler_set,
};

const struct xattr_handler *VEXFS_XATTR_CONST vexfs_xattr_handlers[] = {
	&vexfs_xattr_user_handler,
	&vexfs_xattr_trusted_handler,
	&vexfs_xattr_security_handler,
#if defined(CONFIG_FS_POSIX_ACL) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	/* since 6.2 the VFS routes system.posix_acl_* to ->get/set_acl itself */
	&posix_acl_access_xattr_handler,
	&posix_acl_default_xattr_handler,
#endif
	NULL
};
