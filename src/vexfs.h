/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexfs.h - private declarations of vexfs.ko, grouped by source file
 * (the fs/ext2 layout: super.c, balloc.c, ialloc.c, inode.c, dir.c, namei.c,
 * file.c, xattr.c, journal.c).
 */
#ifndef _VEXFS_H
#define _VEXFS_H

#include <linux/fs.h>
#include <linux/buffer_head.h>
#include <linux/jbd2.h>
#include <linux/percpu_counter.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/kobject.h>
#include "core/format.h"
#include "kcompat.h"

/*
 * A metadata block is verified (magic, checksum seeded with its owner,
 * structure) for one type at a time, and the verdict is cached in the
 * buffer's state: a block cross-linked on disk as, say, an indirect block
 * of one file and a directory bucket or xattr block of another is verified
 * again, as that type, before it is used as that type (and then fails).
 * Setting one type's bit clears the others. Blocks cross-linked between two
 * owners as the same type are structurally sound for both; fsck.vexfs
 * reports them (a block claimed twice).
 */
enum vexfs_bh_type {
	VEXFS_BH_IND = BH_JBDPrivateStart,	/* indirect block */
	VEXFS_BH_DIRHDR,			/* directory header (logical block 0) */
	VEXFS_BH_BUCKET,			/* directory bucket or overflow block */
	VEXFS_BH_XATTR,				/* xattr block */
	VEXFS_BH_ANN,				/* ANN index node block */
	VEXFS_BH_TYPES_END
};

static inline bool vexfs_bh_verified(struct buffer_head *bh, enum vexfs_bh_type t)
{
	return test_bit(t, &bh->b_state);
}

static inline void vexfs_bh_clear_verified(struct buffer_head *bh)
{
	int t;

	for (t = VEXFS_BH_IND; t < VEXFS_BH_TYPES_END; t++)
		clear_bit(t, &bh->b_state);
}

static inline void vexfs_bh_set_verified(struct buffer_head *bh, enum vexfs_bh_type t)
{
	int o;

	for (o = VEXFS_BH_IND; o < VEXFS_BH_TYPES_END; o++)
		if (o != t)
			clear_bit(o, &bh->b_state);
	set_bit(t, &bh->b_state);
}

/* Mount options (sbi->s_mount_opt). */
#define VEXFS_MOUNT_ERRORS_CONT		0x1
#define VEXFS_MOUNT_ERRORS_RO		0x2
#define VEXFS_MOUNT_ERRORS_PANIC	0x4
#define VEXFS_MOUNT_ERRORS_MASK		0x7

/* sbi->s_flags bits */
#define VEXFS_FLAG_SHUTDOWN		0
#define VEXFS_FLAG_ABORTED		1	/* the aborted journal was reported */

struct vexfs_group_info {
	spinlock_t lock;		/* bitmap and descriptor updates */
	bool bbm_verified;
	bool ibm_verified;
	u32 trim_start, trim_len;	/* free blocks FITRIM is discarding: not to allocate */
};

struct vexfs_sb_info {
	struct super_block *sb;
	struct buffer_head *s_sbh;		/* block 0 */
	struct vexfs_super_block *s_es;		/* points into s_sbh */
	struct buffer_head **s_gdt_bh;		/* s_geom.gdt_blocks buffers */
	struct vexfs_group_info *s_groups;
	struct vexfs_geom s_geom;
	u32 s_csum_seed;
	u64 s_hash_key[2];
	u32 s_desc_per_block;
	unsigned int s_mount_opt;
	unsigned long s_flags;
	journal_t *s_journal;
	struct percpu_counter s_free_blocks;
	struct percpu_counter s_free_inodes;
	struct percpu_counter s_dirs;
	u32 s_last_group;			/* rotor for directory placement */
	struct mutex s_orphan_lock;
	struct mutex s_trim_lock;		/* one FITRIM at a time */
	struct list_head s_orphans;		/* in-memory orphan list */
	spinlock_t s_next_gen_lock;
	seqlock_t s_parent_lock;		/* bumped on every parent pointer change */
	u32 s_next_generation;
	struct kobject s_kobj;
	struct completion s_kobj_unregister;
	atomic64_t s_stat_errors;
	atomic64_t s_stat_allocs;
	atomic64_t s_stat_frees;
	struct vexfs_vstore *s_vstore;		/* NULL without INCOMPAT_VECTORS */
	struct vexfs_cbset *s_cbset;		/* PQ codebooks, with s_vstore */
};

struct vexfs_inode_info {
	__le64 i_block[VEXFS_N_BLOCKS];
	u32 i_flags;
	u64 i_xattr_block;
	u64 i_parent;				/* parent pointer kept in the inode (parent.c) */
	u32 i_parent_hash;
	u64 i_orphan_next;
	u64 i_vec_head;
	u32 i_vec_count;
	u64 i_crtime;
	u32 i_crtime_ns;
	u32 i_goal_group;
	bool i_freed;				/* deleted: written to disk with mode 0 */
	struct list_head i_orphan;		/* on sbi->s_orphans */
	struct rw_semaphore i_map_sem;		/* block map changes vs. lookups */
	struct jbd2_inode i_jinode;
	tid_t i_sync_tid;			/* last transaction that changed the inode */
	tid_t i_datasync_tid;			/* last that changed data mapping/size */
	struct inode vfs_inode;
};

static inline struct vexfs_sb_info *VEXFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct vexfs_inode_info *VEXFS_I(struct inode *inode)
{
	return container_of(inode, struct vexfs_inode_info, vfs_inode);
}

/* ---- messages (super.c) ------------------------------------------------- */
/* Logs, counts and applies errors=; returns -EUCLEAN for convenience. */
__printf(3, 4) int __vexfs_err(struct super_block *sb, const char *func,
			       const char *fmt, ...);
__printf(2, 3) void vexfs_msg(struct super_block *sb, const char *fmt, ...);
void vexfs_journal_aborted(struct super_block *sb);
#define vexfs_err(sb, fmt, ...) __vexfs_err(sb, __func__, fmt, ##__VA_ARGS__)
/* Report corruption (applies errors=) and return -EUCLEAN. */
#define vexfs_corrupt(sb, fmt, ...) \
	__vexfs_err(sb, __func__, "corrupt metadata: " fmt, ##__VA_ARGS__)

static inline bool vexfs_forced_shutdown(struct super_block *sb)
{
	return test_bit(VEXFS_FLAG_SHUTDOWN, &VEXFS_SB(sb)->s_flags);
}

/* ---- journal.c ---------------------------------------------------------- */
/* Credits per operation kind (blocks that one handle may dirty). */
#define VEXFS_CREDITS_ALLOC	6	/* bitmap + gd + up to 3 indirect + data bh */
/*
 * Mapping one new block: its bitmap + gd, up to 3 new indirect blocks (each
 * with bitmap + gd) and the parents they are linked into.
 */
#define VEXFS_CREDITS_BLOCK	14
#define VEXFS_CREDITS_INODE	2	/* inode table block + sb */
#define VEXFS_CREDITS_DIRENT	(3 + VEXFS_MAX_CHAIN + 2 * VEXFS_CREDITS_ALLOC)
/* Directory insert may split a bucket: header + old chain + new chain. */
#define VEXFS_CREDITS_DIRADD	(2 * (2 + VEXFS_MAX_CHAIN) + 2 + 4 * VEXFS_CREDITS_ALLOC)
/* ... + the new inode's two ACLs (acl.c) */
#define VEXFS_CREDITS_CREATE	(VEXFS_CREDITS_DIRADD + 3 * VEXFS_CREDITS_INODE + \
				 4 + 2 * VEXFS_CREDITS_ALLOC + 4 + 2 * VEXFS_CREDITS_XATTR)
#define VEXFS_CREDITS_UNLINK	(VEXFS_CREDITS_DIRENT + 3 * VEXFS_CREDITS_INODE + 2)
#define VEXFS_CREDITS_RENAME	(2 * VEXFS_CREDITS_DIRADD + 2 * VEXFS_CREDITS_DIRENT + \
				 6 * VEXFS_CREDITS_INODE + 4)
#define VEXFS_CREDITS_WRITE(bpp) ((bpp) * VEXFS_CREDITS_BLOCK + VEXFS_CREDITS_INODE + 2)
#define VEXFS_CREDITS_XATTR	(4 + VEXFS_CREDITS_ALLOC + VEXFS_CREDITS_INODE)
#define VEXFS_CREDITS_PPTR	VEXFS_CREDITS_XATTR	/* one parent pointer change */
#define VEXFS_CREDITS_TRUNCATE	64	/* per restart chunk */

/* Revoke records every handle may use (freeing metadata blocks). */
#define VEXFS_REVOKE_CREDITS	(2 * VEXFS_MAX_CHAIN + 8)
handle_t *vexfs_journal_start(struct super_block *sb, int credits);
handle_t *vexfs_journal_start_revoke(struct super_block *sb, int credits, int revokes);
int vexfs_journal_stop(handle_t *handle);
int vexfs_journal_get_write_access(handle_t *handle, struct super_block *sb,
				   struct buffer_head *bh);
int vexfs_journal_get_create_access(handle_t *handle, struct super_block *sb,
				    struct buffer_head *bh);
int vexfs_journal_dirty(handle_t *handle, struct super_block *sb,
			struct buffer_head *bh);
int vexfs_journal_forget(handle_t *handle, struct super_block *sb,
			 struct buffer_head *bh, u64 blocknr);
int vexfs_journal_init(struct super_block *sb);
int vexfs_journal_skip(struct super_block *sb);
void vexfs_journal_destroy(struct super_block *sb);
int vexfs_force_commit(struct super_block *sb);

/* ---- balloc.c / ialloc.c ------------------------------------------------ */
struct buffer_head *vexfs_read_block_bitmap(struct super_block *sb, u32 grp);
int vexfs_blocks_in_use(struct super_block *sb, u64 start, u32 count, const char *what);
struct buffer_head *vexfs_read_inode_bitmap(struct super_block *sb, u32 grp);
int vexfs_inode_allocated(struct super_block *sb, u64 ino);
struct vexfs_group_desc *vexfs_get_gd(struct super_block *sb, u32 grp,
				      struct buffer_head **bhp);
int vexfs_new_blocks(handle_t *handle, struct inode *inode, u64 goal,
		     u32 *count, u64 *out);
int vexfs_new_run(handle_t *handle, struct inode *inode, u64 goal, u32 need,
		  u32 *count, u64 *out);
void vexfs_free_blocks(handle_t *handle, struct inode *inode, u64 block,
		       u32 count, bool metadata);
struct inode *vexfs_new_inode(handle_t *handle, struct mnt_idmap_or_ns *idmap,
			      struct inode *dir, umode_t mode);
void vexfs_free_inode(handle_t *handle, struct inode *inode);
void vexfs_count_groups(struct super_block *sb, u64 *free_blocks, u64 *free_inodes,
			u64 *dirs);

/* ---- inode.c ------------------------------------------------------------ */
struct inode *vexfs_iget(struct super_block *sb, u64 ino);
struct inode *vexfs_iget_vectab(struct super_block *sb);
struct inode *vexfs_iget_internal(struct super_block *sb, u64 ino);
int vexfs_internal_inode_init(handle_t *handle, struct super_block *sb, u64 ino);
struct inode *vexfs_iget_live(struct super_block *sb, u64 ino);
struct inode *vexfs_iget_handle(struct super_block *sb, u64 ino);
#define VEXFS_IGET_INTERNAL	0x1	/* the vector table (inode 2) may be asked for */
#define VEXFS_IGET_LIVE		0x2	/* free / unlinked: -ESTALE, quietly */
#define VEXFS_IGET_UNLINKED	0x4	/* from the orphan list: may have no link */
#define VEXFS_IGET_RETRIED	0x8	/* internal: a live lookup's second try */
#define VEXFS_IGET_HANDLE	0x10	/* with LIVE: an unlinked inode in memory is returned */
int vexfs_mark_inode_dirty(handle_t *handle, struct inode *inode);
int vexfs_write_inode(struct inode *inode, struct writeback_control *wbc);
void vexfs_dirty_inode(struct inode *inode, int flags);
void vexfs_evict_inode(struct inode *inode);
int vexfs_get_block(struct inode *inode, sector_t iblock,
		    struct buffer_head *bh_result, int create);
int vexfs_free_range(struct inode *inode, u64 first, u64 end);
struct fstrim_range;
int vexfs_trim_fs(struct super_block *sb, struct fstrim_range *r);
int vexfs_map_run(struct inode *inode, u64 lblk, u64 max, u64 *pblk, u64 *count);
#define VEXFS_MAP_CREATE	0x1	/* allocate a block for a hole */
#define VEXFS_MAP_META		0x2	/* the block is metadata (directory) */
int vexfs_map_block(handle_t *handle, struct inode *inode, u64 lblk,
		    unsigned int flags, u64 *pblk, bool *is_new);
struct buffer_head *vexfs_bread(handle_t *handle, struct inode *inode,
				u64 lblk, bool create);
int vexfs_truncate_blocks(struct inode *inode, loff_t new_size);
/* under i_map_sem held for writing (shift.c) */
int __vexfs_leaf_get(handle_t *handle, struct inode *inode, u64 lblk, bool create,
		     struct buffer_head **bhp, __le64 **ptrs, u32 *idx);
int __vexfs_leaf_write(handle_t *handle, struct inode *inode, struct buffer_head *bh,
		       u32 idx, const u64 *vals, u32 cnt);
int __vexfs_free_range(handle_t *handle, struct inode *inode, u64 first, u64 end);
int __vexfs_prune_range(handle_t *handle, struct inode *inode, u64 first, u64 end);
int vexfs_ensure_credits(handle_t *handle, struct inode *inode, int need);
int vexfs_map_change_stop(handle_t *handle, struct inode *inode, int err);
/* ---- shift.c ------------------------------------------------------------ */
int vexfs_shift_range(struct inode *inode, loff_t offset, loff_t len, bool insert);
bool vexfs_should_retry_alloc(struct super_block *sb, int err, int *retries);
int vexfs_setattr(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		  struct iattr *attr);
int vexfs_getattr(struct mnt_idmap_or_ns *idmap, const struct path *path,
		  struct kstat *stat, u32 request_mask, unsigned int flags);
void vexfs_set_inode_ops(struct inode *inode);
int vexfs_orphan_add(handle_t *handle, struct inode *inode);
int vexfs_orphan_del(handle_t *handle, struct inode *inode);
void vexfs_orphan_cleanup(struct super_block *sb);
extern const struct address_space_operations vexfs_aops;

/* ---- dir.c -------------------------------------------------------------- */
int vexfs_dir_init(handle_t *handle, struct inode *dir, struct inode *parent);
int vexfs_dir_find(struct inode *dir, const struct qstr *name, u64 *ino);
int vexfs_dir_add(handle_t *handle, struct inode *dir, const struct qstr *name,
		  u64 ino, umode_t mode);
int vexfs_dir_delete(handle_t *handle, struct inode *dir, const struct qstr *name);
int vexfs_dir_set(handle_t *handle, struct inode *dir, const struct qstr *name,
		  u64 ino, umode_t mode);
int vexfs_dir_set_parent(handle_t *handle, struct inode *dir, u64 parent);
int vexfs_dir_name_of(struct inode *dir, u32 phash, u64 ino, char *name);
int vexfs_dir_parent_ino(struct inode *dir, u64 *parent);
int vexfs_dir_walk(struct inode *dir, int (*fn)(void *arg, u64 ino, u8 type), void *arg);

/* ---- export.c ----------------------------------------------------------- */
extern const struct export_operations vexfs_export_ops;
extern const struct export_operations vexfs_export_ops_nopptr;
int vexfs_dir_is_empty(struct inode *dir);
extern const struct file_operations vexfs_dir_operations;

/* ---- namei.c ------------------------------------------------------------ */
extern const struct inode_operations vexfs_dir_inode_operations;
extern const struct inode_operations vexfs_special_inode_operations;
extern const struct inode_operations vexfs_symlink_inode_operations;
extern const struct inode_operations vexfs_fast_symlink_inode_operations;

/* ---- file.c ------------------------------------------------------------- */
/* acl.c */
struct posix_acl;
#ifdef CONFIG_FS_POSIX_ACL
struct posix_acl *vexfs_get_acl(struct inode *inode, int type, bool rcu);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
int vexfs_set_acl(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		  struct posix_acl *acl, int type);
#define VEXFS_ACL_OPS	.get_inode_acl = vexfs_get_acl, .set_acl = vexfs_set_acl,
#else
int vexfs_set_acl(struct user_namespace *idmap, struct inode *inode,
		  struct posix_acl *acl, int type);
#define VEXFS_ACL_OPS	.get_acl = vexfs_get_acl, .set_acl = vexfs_set_acl,
#endif
int vexfs_acl_chmod(struct mnt_idmap_or_ns *idmap, struct dentry *dentry);
int vexfs_acl_prepare(struct inode *dir, umode_t *mode, struct posix_acl **dacl,
		      struct posix_acl **acl);
int vexfs_acl_init(handle_t *handle, struct inode *inode, struct posix_acl *dacl,
		   struct posix_acl *acl);
void vexfs_acl_release(struct posix_acl *dacl, struct posix_acl *acl);
#else
#define VEXFS_ACL_OPS
static inline int vexfs_acl_chmod(struct mnt_idmap_or_ns *idmap, struct dentry *dentry)
{
	return 0;
}

static inline int vexfs_acl_prepare(struct inode *dir, umode_t *mode,
				    struct posix_acl **dacl, struct posix_acl **acl)
{
	*dacl = NULL;
	*acl = NULL;
	return 0;
}

static inline int vexfs_acl_init(handle_t *handle, struct inode *inode,
				 struct posix_acl *dacl, struct posix_acl *acl)
{
	return 0;
}

static inline void vexfs_acl_release(struct posix_acl *dacl, struct posix_acl *acl)
{
}
#endif

/* fileattr.c */
struct fileattr;
void vexfs_set_inode_flags(struct inode *inode);
int vexfs_fileattr_get(struct dentry *dentry, struct fileattr *fa);
int vexfs_fileattr_set(struct mnt_idmap_or_ns *idmap, struct dentry *dentry,
		       struct fileattr *fa);

/* iomap.c */
int vexfs_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo,
		 u64 start, u64 len);
loff_t vexfs_file_llseek(struct file *file, loff_t offset, int whence);
ssize_t vexfs_dio_read(struct kiocb *iocb, struct iov_iter *to);
ssize_t vexfs_dio_write(struct kiocb *iocb, struct iov_iter *from);

extern const struct file_operations vexfs_file_operations;
extern const struct inode_operations vexfs_file_inode_operations;
int vexfs_sync_file(struct file *file, loff_t start, loff_t end, int datasync);
long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* ---- xattr.c ------------------------------------------------------------ */
extern const struct xattr_handler *VEXFS_XATTR_CONST vexfs_xattr_handlers[];
ssize_t vexfs_listxattr(struct dentry *dentry, char *buf, size_t size);
int vexfs_xattr_get(struct inode *inode, int index, const char *name,
		    void *buffer, size_t size);
int vexfs_xattr_update(handle_t *handle, struct inode *inode, int index, const char *name,
		       const void *value, size_t vlen);
int vexfs_xattr_free(handle_t *handle, struct inode *inode);
int vexfs_xattr_pptr(handle_t *handle, struct inode *inode, const struct vexfs_pptr *pp,
		     int delta);
int vexfs_xattr_pptr_walk(struct inode *inode,
			  int (*fn)(void *arg, u64 parent, u32 hash, u32 count), void *arg);

/* ---- parent.c ----------------------------------------------------------- */
static inline bool vexfs_has_parent(struct super_block *sb)
{
	return le64_to_cpu(VEXFS_SB(sb)->s_es->s_feature_ro_compat) &
	       VEXFS_FEATURE_RO_COMPAT_PARENT;
}

u32 vexfs_pptr_hash(struct inode *dir, const struct qstr *name);
u64 vexfs_pptr_get(struct inode *inode, u32 *hash);
void vexfs_pptr_init(struct inode *inode, struct inode *dir, const struct qstr *name);
int vexfs_pptr_add(handle_t *handle, struct inode *inode, struct inode *dir,
		   const struct qstr *name);
int vexfs_pptr_del(handle_t *handle, struct inode *inode, struct inode *dir,
		   const struct qstr *name);
int vexfs_pptr_move(handle_t *handle, struct inode *inode, struct inode *odir,
		    const struct qstr *oname, struct inode *ndir, const struct qstr *nname);
struct vexfs_scope;
struct vexfs_scope *vexfs_scope_new(struct super_block *sb, struct inode *root,
				    struct mnt_idmap_or_ns *idmap, u64 budget);
void vexfs_scope_free(struct vexfs_scope *sc);
int vexfs_scope_test(struct vexfs_scope *sc, struct inode *inode);
bool vexfs_scope_excludes(const struct vexfs_scope *sc, u64 ino);
long vexfs_ioc_ino_paths(struct file *file, void __user *uarg);

/* ---- vector.c ---------------------------------------------------------- */
struct vexfs_vstore;
int vexfs_vstore_load(struct super_block *sb);
void vexfs_vstore_unload(struct super_block *sb);
long vexfs_vec_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
int vexfs_vec_evict(struct inode *inode);
bool vexfs_vec_owned(struct super_block *sb, u64 ino);
bool vexfs_vec_xattr_name(const char *name);
int vexfs_vec_xattr_get(struct inode *inode, const char *name, void *buf, size_t size);
int vexfs_vec_xattr_set(struct inode *inode, const char *name, const void *value,
			size_t size, int flags);
ssize_t vexfs_vec_xattr_list(struct inode *inode, char *buf, size_t size);

/* ---- vq_glue.c ---------------------------------------------------------- */
unsigned int vexfs_vq_features(void);
void vexfs_vq_init(void);
int vexfs_vq_sqv(bool encode, const void *in, u32 dims, u32 bits, void *out);

/* ---- super.c ------------------------------------------------------------ */
int vexfs_commit_super(struct super_block *sb, bool sync);
int vexfs_sysfs_init(void);
void vexfs_sysfs_exit(void);
int vexfs_sysfs_register(struct super_block *sb);
void vexfs_sysfs_unregister(struct super_block *sb);

#endif /* _VEXFS_H */
