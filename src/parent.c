// SPDX-License-Identifier: GPL-2.0
/*
 * parent.c - parent pointers (feature RO_COMPAT_PARENT, layout in
 * vexfs_fs.h): every link of an inode is recorded with the inode as
 * (parent directory, bits 61..30 of the entry's name hash), changed in the
 * same jbd2 handle as the directory entry. On top of them: the subtree test
 * of a directory-scoped SEARCH and the paths of VEXFS_IOC_INO_PATHS.
 *
 * One link lives in the inode (i_parent, i_parent_hash); further links are
 * counted in the inode's xattr block (index VEXFS_XATTR_INDEX_PARENT), and
 * when that block is full, the names of one directory's links are folded
 * into a count of that directory alone (VEXFS_PPTR_HASH_ANY).
 * Every change of either bumps sbi->s_parent_lock (a seqlock) after it is
 * made, so a reader that walks pointers without locks can tell whether the
 * tree changed under it and walk again.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/hash.h>
#include "vexfs.h"
#include "vector.h"
#include "vexfs/vexfs_ioctl.h"

u32 vexfs_pptr_hash(struct inode *dir, const struct qstr *name)
{
	return VEXFS_PPTR_HASH(vexfs_name_hash(VEXFS_SB(dir->i_sb)->s_hash_key, name->name,
					       name->len));
}

static void vexfs_pptr_bump(struct super_block *sb)
{
	write_seqlock(&VEXFS_SB(sb)->s_parent_lock);
	write_sequnlock(&VEXFS_SB(sb)->s_parent_lock);
}

static void vexfs_pptr_set_inline(struct inode *inode, u64 parent, u32 hash)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(inode->i_sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	write_seqlock(&sbi->s_parent_lock);
	WRITE_ONCE(vi->i_parent, parent);
	vi->i_parent_hash = hash;
	write_sequnlock(&sbi->s_parent_lock);
}

static void vexfs_pptr_fill(struct vexfs_pptr *pp, u64 parent, u32 hash)
{
	pp->pp_parent_lo = cpu_to_le32((u32)parent);
	pp->pp_parent_hi = cpu_to_le32((u32)(parent >> 32));
	pp->pp_hash = cpu_to_le32(hash);
}

/* The link kept in the inode, read consistently. */
u64 vexfs_pptr_get(struct inode *inode, u32 *hash)
{
	seqlock_t *lock = &VEXFS_SB(inode->i_sb)->s_parent_lock;
	unsigned int seq;
	u64 parent;

	do {
		seq = read_seqbegin(lock);
		parent = READ_ONCE(VEXFS_I(inode)->i_parent);
		*hash = READ_ONCE(VEXFS_I(inode)->i_parent_hash);
	} while (read_seqretry(lock, seq));
	return parent;
}

/* A new inode's first link (@dir, @name), before the inode is written. */
void vexfs_pptr_init(struct inode *inode, struct inode *dir, const struct qstr *name)
{
	if (vexfs_has_parent(inode->i_sb))
		vexfs_pptr_set_inline(inode, dir->i_ino, vexfs_pptr_hash(dir, name));
}

/*
 * The link kept in the inode becomes (@parent, @hash) (0, 0: none), under
 * @handle; put back as (@oparent, @ohash) if the inode cannot be written.
 */
static int vexfs_pptr_inline_change(handle_t *handle, struct inode *inode, u64 parent,
				    u32 hash, u64 oparent, u32 ohash)
{
	int err;

	vexfs_pptr_set_inline(inode, parent, hash);
	err = vexfs_mark_inode_dirty(handle, inode);
	if (err)
		vexfs_pptr_set_inline(inode, oparent, ohash);
	return err;
}

/* Add @delta links (@parent, @hash) to the xattr block's count. */
static int vexfs_pptr_count(handle_t *handle, struct inode *inode, u64 parent, u32 hash,
			    int delta)
{
	struct vexfs_pptr pp;
	int err;

	vexfs_pptr_fill(&pp, parent, hash);
	err = vexfs_xattr_pptr(handle, inode, &pp, delta);
	if (!err)
		vexfs_pptr_bump(inode->i_sb);
	return err;
}

struct vexfs_pptr_pairs {
	u32 n, cap;
	struct { u64 parent; u32 hash, count; } *v;
};

static int vexfs_pptr_collect(void *arg, u64 parent, u32 hash, u32 count)
{
	struct vexfs_pptr_pairs *pp = arg;

	if (pp->n < pp->cap)
		pp->v[pp->n++] = (typeof(*pp->v)){ parent, hash, count };
	return 0;
}

/*
 * The xattr block has no room for another pair: fold the named pairs of one
 * directory into its VEXFS_PPTR_HASH_ANY pair (their names are then found by
 * reading that directory). @parent's own are folded when it has any, so the
 * new link joins the folded pair; else the directory with the most pairs,
 * which frees room for the new one. *folded says which directory was folded.
 * Each step keeps every count right, so the block is valid after any of
 * them. -ENOSPC when folding frees nothing (every directory has one pair).
 */
static int vexfs_pptr_fold(handle_t *handle, struct inode *inode, u64 parent, u64 *folded)
{
	struct vexfs_pptr_pairs pp = { .cap = inode->i_sb->s_blocksize / 20 };
	u32 i, j, run, best = 0, own = 0;
	u64 target = 0;
	int err;

	pp.v = kmalloc_array(pp.cap, sizeof(*pp.v), GFP_NOFS);
	if (!pp.v)
		return -ENOMEM;
	err = vexfs_xattr_pptr_walk(inode, vexfs_pptr_collect, &pp);
	if (err)
		goto out;
	/* pairs of one directory are adjacent (sorted by their bytes) */
	for (i = 0; i < pp.n; i = j) {
		for (j = i, run = 0; j < pp.n && pp.v[j].parent == pp.v[i].parent; j++)
			run++;
		if (pp.v[i].parent == parent)
			own = run;
		else if (run > best) {
			best = run;
			target = pp.v[i].parent;
		}
	}
	if (own)
		target = parent;
	else if (best < 2) {
		err = -ENOSPC;
		goto out;
	}
	for (i = 0; i < pp.n && !err; i++) {
		if (pp.v[i].parent != target || pp.v[i].hash == VEXFS_PPTR_HASH_ANY)
			continue;
		/* away first: the folded pair may need the room */
		err = vexfs_pptr_count(handle, inode, target, pp.v[i].hash, -(int)pp.v[i].count);
		if (!err)
			err = vexfs_pptr_count(handle, inode, target, VEXFS_PPTR_HASH_ANY,
					       pp.v[i].count);
	}
	*folded = target;
out:
	kfree(pp.v);
	return err;
}

/* One more link (@parent, @hash) in the xattr block, folding names when it is full. */
static int vexfs_pptr_inc(handle_t *handle, struct inode *inode, u64 parent, u32 hash)
{
	int err = vexfs_pptr_count(handle, inode, parent, hash, 1);
	u64 folded;

	if (err != -ENOSPC)
		return err;
	err = vexfs_pptr_fold(handle, inode, parent, &folded);
	if (err)
		return err;
	return vexfs_pptr_count(handle, inode, parent,
				folded == parent ? VEXFS_PPTR_HASH_ANY : hash, 1);
}

/* One link (@parent, @hash) fewer: its own pair, or else the directory's folded one. */
static int vexfs_pptr_dec(handle_t *handle, struct inode *inode, u64 parent, u32 hash)
{
	int err = vexfs_pptr_count(handle, inode, parent, hash, -1);

	if (err == -ENODATA && hash != VEXFS_PPTR_HASH_ANY)
		err = vexfs_pptr_count(handle, inode, parent, VEXFS_PPTR_HASH_ANY, -1);
	if (err == -ENODATA)
		err = vexfs_corrupt(inode->i_sb,
				    "inode %lu: no parent pointer for its link in directory %llu",
				    inode->i_ino, parent);
	return err;
}

static bool vexfs_pptr_is_inline(struct inode *inode, u64 parent, u32 hash)
{
	return VEXFS_I(inode)->i_parent == parent && VEXFS_I(inode)->i_parent_hash == hash;
}

/*
 * Record a new link (@dir, @name) of @inode under @handle (credits:
 * VEXFS_CREDITS_PPTR). Nothing is changed when it fails.
 */
int vexfs_pptr_add(handle_t *handle, struct inode *inode, struct inode *dir,
		   const struct qstr *name)
{
	u32 hash = vexfs_pptr_hash(dir, name);

	if (!vexfs_has_parent(inode->i_sb))
		return 0;
	if (!VEXFS_I(inode)->i_parent)
		return vexfs_pptr_inline_change(handle, inode, dir->i_ino, hash, 0, 0);
	return vexfs_pptr_inc(handle, inode, dir->i_ino, hash);
}

/* Forget link (@dir, @name) of @inode under @handle (VEXFS_CREDITS_PPTR). */
int vexfs_pptr_del(handle_t *handle, struct inode *inode, struct inode *dir,
		   const struct qstr *name)
{
	u32 hash = vexfs_pptr_hash(dir, name);

	if (!vexfs_has_parent(inode->i_sb))
		return 0;
	if (vexfs_pptr_is_inline(inode, dir->i_ino, hash))
		return vexfs_pptr_inline_change(handle, inode, 0, 0, dir->i_ino, hash);
	return vexfs_pptr_dec(handle, inode, dir->i_ino, hash);
}

/*
 * Link (@odir, @oname) of @inode becomes (@ndir, @nname) (rename). Nothing is
 * changed when it fails. Credits: 2 x VEXFS_CREDITS_PPTR.
 */
int vexfs_pptr_move(handle_t *handle, struct inode *inode, struct inode *odir,
		    const struct qstr *oname, struct inode *ndir, const struct qstr *nname)
{
	u32 ohash = vexfs_pptr_hash(odir, oname), nhash = vexfs_pptr_hash(ndir, nname);
	int err;

	if (!vexfs_has_parent(inode->i_sb))
		return 0;
	if (vexfs_pptr_is_inline(inode, odir->i_ino, ohash))
		return vexfs_pptr_inline_change(handle, inode, ndir->i_ino, nhash,
						odir->i_ino, ohash);
	/* a further link: count the new pair first, it may need space */
	err = vexfs_pptr_inc(handle, inode, ndir->i_ino, nhash);
	if (err)
		return err;
	err = vexfs_pptr_dec(handle, inode, odir->i_ino, ohash);
	/* the emptied block is kept by pointer changes: this needs no space */
	if (err && vexfs_pptr_dec(handle, inode, ndir->i_ino, nhash))
		vexfs_err(inode->i_sb, "inode %lu: cannot undo a parent pointer change",
			  inode->i_ino);
	return err;
}

/* ---- subtree test ------------------------------------------------------ */

#define VEXFS_SCOPE_MEMO	1024	/* directory verdicts remembered */
#define VEXFS_SCOPE_DEPTH	4096	/* deeper than PATH_MAX allows */
#define VEXFS_SCOPE_RETRY	4

struct vexfs_scope_ent {
	u64 ino;
	u32 state;		/* 0 empty, 1 inside, 2 outside */
};

struct vexfs_scope {
	struct super_block *sb;
	struct mnt_idmap_or_ns *idmap;
	u64 root;		/* the scope directory */
	unsigned int seq;	/* s_parent_lock sequence the memo is valid for */
	struct vexfs_scope_ent memo[VEXFS_SCOPE_MEMO];
	/*
	 * A small subtree is listed once at the start instead: the regular
	 * files with a link in it, reached through searchable directories
	 * (open addressing, 0 = empty; NULL when the subtree was too big).
	 */
	u64 *set;
	u32 set_mask;
};

#define VEXFS_SCOPE_SET_MAX	(1u << 16)	/* entries listed at most */

struct vexfs_scope_list {
	struct vexfs_scope *sc;
	u64 *dirs;		/* directories still to list (a queue) */
	u32 ndirs, head, cap;
	u32 entries, budget;
};

static bool vexfs_scope_set_has(const struct vexfs_scope *sc, u64 ino)
{
	u32 i = hash_64(ino, 32) & sc->set_mask;

	while (sc->set[i]) {
		if (sc->set[i] == ino)
			return true;
		i = (i + 1) & sc->set_mask;
	}
	return false;
}

static int vexfs_scope_list_ent(void *arg, u64 ino, u8 type)
{
	struct vexfs_scope_list *l = arg;
	struct vexfs_scope *sc = l->sc;
	u32 i;

	if (++l->entries > l->budget)
		return -E2BIG;
	if (type == VEXFS_FT_DIR) {
		if (l->ndirs == l->cap)
			return -E2BIG;
		l->dirs[l->ndirs++] = ino;
		return 0;
	}
	if (type != VEXFS_FT_REG)
		return 0;
	for (i = hash_64(ino, 32) & sc->set_mask; sc->set[i]; i = (i + 1) & sc->set_mask)
		if (sc->set[i] == ino)
			return 0;	/* another link of it */
	sc->set[i] = ino;
	return 0;
}

/*
 * List the subtree of @root into sc->set if it has at most @budget entries
 * (0 on success, -E2BIG when bigger, another errno on failure). Directories
 * the caller may not search are not entered.
 */
static int vexfs_scope_list(struct vexfs_scope *sc, struct inode *root, u32 budget)
{
	struct vexfs_scope_list l = { .sc = sc, .budget = budget, .cap = budget + 1 };
	u32 size = roundup_pow_of_two(2 * (budget + 1));
	int err = 0;

	sc->set = kvcalloc(size, sizeof(u64), GFP_KERNEL_ACCOUNT);
	l.dirs = kvmalloc_array(l.cap, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!sc->set || !l.dirs) {
		err = -ENOMEM;
		goto out;
	}
	sc->set_mask = size - 1;
	l.dirs[l.ndirs++] = root->i_ino;
	while (!err && l.head < l.ndirs) {
		u64 ino = l.dirs[l.head++];
		struct inode *dir = ino == root->i_ino ? igrab(root) : vexfs_iget_live(sc->sb, ino);

		if (IS_ERR_OR_NULL(dir)) {
			/* removed meanwhile, or damaged (reported): not in the scope */
			if (dir && (PTR_ERR(dir) == -ENOMEM || PTR_ERR(dir) == -EIO))
				err = PTR_ERR(dir);
			continue;
		}
		if (S_ISDIR(dir->i_mode) && (dir == root ||
					     !inode_permission(sc->idmap, dir, MAY_EXEC))) {
			inode_lock_shared(dir);
			if (dir->i_nlink)
				err = vexfs_dir_walk(dir, vexfs_scope_list_ent, &l);
			inode_unlock_shared(dir);
		}
		iput(dir);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
	}
out:
	kvfree(l.dirs);
	if (err) {
		kvfree(sc->set);
		sc->set = NULL;
	}
	return err;
}

/*
 * A scope: the files with a link under directory @root (which the caller
 * may search) reached through directories the caller may search, as
 * @idmap says. -EACCES if @root itself may not be searched.
 */
struct vexfs_scope *vexfs_scope_new(struct super_block *sb, struct inode *root,
				    struct mnt_idmap_or_ns *idmap, u64 budget)
{
	struct vexfs_scope *sc;
	int err = inode_permission(idmap, root, MAY_EXEC);

	if (err)
		return ERR_PTR(err);
	sc = kvzalloc(sizeof(*sc), GFP_KERNEL_ACCOUNT);
	if (!sc)
		return ERR_PTR(-ENOMEM);
	sc->sb = sb;
	sc->idmap = idmap;
	sc->root = root->i_ino;
	sc->seq = read_seqbegin(&VEXFS_SB(sb)->s_parent_lock);
	/*
	 * Worth listing when it is small beside the vectors to compare (the
	 * caller's @budget): then each candidate is one lookup, where asking
	 * the parent pointers costs an inode lookup per file first met.
	 */
	if (budget && root->i_ino != VEXFS_ROOT_INO) {
		err = vexfs_scope_list(sc, root, min_t(u64, budget, VEXFS_SCOPE_SET_MAX));
		if (err && err != -E2BIG) {
			kvfree(sc);
			return ERR_PTR(err);
		}
	}
	return sc;
}

void vexfs_scope_free(struct vexfs_scope *sc)
{
	kvfree(sc->set);
	kvfree(sc);
}

static struct vexfs_scope_ent *vexfs_scope_slot(struct vexfs_scope *sc, u64 ino)
{
	return &sc->memo[hash_64(ino, 10) % VEXFS_SCOPE_MEMO];
}

/*
 * The directory a directory's one link is in, or 0 when it has none or the
 * caller may not search it (nothing below it is visible), or a negative
 * errno.
 */
static s64 vexfs_dir_parent(struct vexfs_scope *sc, u64 ino)
{
	struct super_block *sb = sc->sb;
	struct inode *dir = vexfs_iget_live(sb, ino);
	s64 parent;

	if (IS_ERR(dir)) {
		/* a directory removed meanwhile, or damaged (reported): outside */
		parent = PTR_ERR(dir);
		return parent == -ENOMEM || parent == -EIO ? parent : 0;
	}
	/*
	 * Not a directory: the pointer was read without locks and the
	 * directory it named was removed and its number reused meanwhile (on
	 * a damaged image, fsck reports it). Outside, quietly.
	 */
	if (!S_ISDIR(dir->i_mode))
		parent = 0;
	else if (!dir->i_nlink || inode_permission(sc->idmap, dir, MAY_EXEC))
		parent = 0;
	else
		parent = READ_ONCE(VEXFS_I(dir)->i_parent);
	iput(dir);
	return parent;
}

/* Whether directory @ino is @sc->root or below it: 1, 0 or a negative errno. */
static int vexfs_scope_dir(struct vexfs_scope *sc, u64 ino)
{
	u64 seen[16], cur = ino;
	u32 n = 0, depth = 0, i;
	int in;

	for (;;) {
		struct vexfs_scope_ent *e;
		s64 up;

		if (cur == sc->root) {
			in = 1;
			break;
		}
		if (cur == VEXFS_ROOT_INO) {
			in = 0;
			break;
		}
		e = vexfs_scope_slot(sc, cur);
		if (e->state && e->ino == cur) {
			in = e->state == 1;
			break;
		}
		if (++depth > VEXFS_SCOPE_DEPTH)
			return vexfs_corrupt(sc->sb, "directory %llu: parent pointers loop", ino);
		if (n < ARRAY_SIZE(seen))
			seen[n++] = cur;
		up = vexfs_dir_parent(sc, cur);
		if (up < 0)
			return up;
		if (!up) {		/* removed, or not searchable by the caller */
			in = 0;
			break;
		}
		cur = up;
		cond_resched();
	}
	for (i = 0; i < n; i++) {
		struct vexfs_scope_ent *e = vexfs_scope_slot(sc, seen[i]);

		e->ino = seen[i];
		e->state = in ? 1 : 2;
	}
	return in;
}

static int vexfs_scope_link(void *arg, u64 parent, u32 hash, u32 count)
{
	int in = vexfs_scope_dir(arg, parent);

	return in;	/* 1 (found) or an error stops the walk */
}

/* True when the scope's listing shows inode @ino has no link in it. */
bool vexfs_scope_excludes(const struct vexfs_scope *sc, u64 ino)
{
	return sc->set && !vexfs_scope_set_has(sc, ino);
}

/*
 * Whether @inode has a link inside the scope: 1, 0, or a negative errno.
 * The answer holds for one moment: if any parent pointer changed while the
 * pointers were walked, the memo is dropped and the walk repeated.
 */
int vexfs_scope_test(struct vexfs_scope *sc, struct inode *inode)
{
	seqlock_t *lock = &VEXFS_SB(sc->sb)->s_parent_lock;
	int tries = 0, in;

	if (sc->set)	/* listed at the start of the search */
		return vexfs_scope_set_has(sc, inode->i_ino);
	for (;;) {
		unsigned int seq = read_seqbegin(lock);
		u64 p;

		if (seq != sc->seq) {
			memset(sc->memo, 0, sizeof(sc->memo));
			sc->seq = seq;
		}
		p = READ_ONCE(VEXFS_I(inode)->i_parent);
		in = p ? vexfs_scope_dir(sc, p) : 0;
		/* further links (or the only one, when the slot was emptied) */
		if (!in && READ_ONCE(VEXFS_I(inode)->i_xattr_block))
			in = vexfs_xattr_pptr_walk(inode, vexfs_scope_link, sc);
		if (in < 0 || !read_seqretry(lock, seq) || ++tries >= VEXFS_SCOPE_RETRY)
			return in;
	}
}

/* ---- INO_PATHS --------------------------------------------------------- */

struct vexfs_paths {
	struct super_block *sb;
	struct mnt_idmap_or_ns *idmap;
	u64 root;
	u64 ino;
	bool all;
	char *path;		/* PATH_MAX, built from the end */
	char *name;		/* VEXFS_NAME_LEN + 1 */
	char __user *ubuf;
	u32 buf_len, used, needed, count;
};

/*
 * The path from @p->root to link (@parent, @hash) of inode @ino, in
 * p->path + returned offset, or a negative errno: -ENOENT when the link is
 * not under the root, -EACCES when a directory on the way may not be
 * searched by the caller.
 */
static int vexfs_paths_one(struct vexfs_paths *p, u64 ino, u64 parent, u32 hash)
{
	int pos = PATH_MAX - 1, depth = 0;

	p->path[pos] = '\0';
	for (;;) {
		struct inode *dir;
		int err, len;
		u64 up = 0;
		u32 uphash = 0;

		if (++depth > VEXFS_SCOPE_DEPTH)
			return vexfs_corrupt(p->sb, "inode %llu: parent pointers loop", p->ino);
		dir = vexfs_iget_live(p->sb, parent);
		if (IS_ERR(dir))	/* removed meanwhile: a rename raced */
			return PTR_ERR(dir) == -ESTALE ? -EAGAIN : PTR_ERR(dir);
		if (!S_ISDIR(dir->i_mode)) {	/* removed and reused meanwhile */
			iput(dir);
			return -EAGAIN;
		}
		err = inode_permission(p->idmap, dir, MAY_EXEC);
		if (!err) {
			inode_lock_shared(dir);
			err = dir->i_nlink ? vexfs_dir_name_of(dir, hash, ino, p->name) : -ENOENT;
			up = vexfs_pptr_get(dir, &uphash);
			inode_unlock_shared(dir);
		}
		iput(dir);
		if (err == -ENOENT)	/* the entry went away: a rename raced */
			return -EAGAIN;
		if (err)
			return err;
		len = strlen(p->name);
		if (pos < len + 1)
			return -ENAMETOOLONG;
		if (pos != PATH_MAX - 1)
			p->path[--pos] = '/';
		pos -= len;
		memcpy(p->path + pos, p->name, len);
		if (parent == p->root)
			return pos;
		if (parent == VEXFS_ROOT_INO || !up)
			return -ENOENT;
		ino = parent;
		parent = up;
		hash = uphash;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

static int vexfs_paths_link(void *arg, u64 parent, u32 hash, u32 count)
{
	struct vexfs_paths *p = arg;
	int pos, tries = 0, len;

	do {
		pos = vexfs_paths_one(p, p->ino, parent, hash);
	} while (pos == -EAGAIN && ++tries < VEXFS_SCOPE_RETRY);
	if (pos == -ENOENT || pos == -EAGAIN || pos == -EACCES)
		return 0;	/* not under the root (now), or not visible */
	if (pos < 0)
		return pos;
	len = PATH_MAX - pos;	/* with the NUL */
	p->needed += len;
	if (p->used + len <= p->buf_len) {
		if (copy_to_user(p->ubuf + p->used, p->path + pos, len))
			return -EFAULT;
		p->used += len;
		p->count++;
	}
	return p->all ? 0 : 1;
}

long vexfs_ioc_ino_paths(struct file *file, void __user *uarg)
{
	struct inode *sdir = file_inode(file), *inode;
	struct super_block *sb = sdir->i_sb;
	struct vexfs_ioc_paths a;
	struct vexfs_paths p = {};
	u32 usize;
	long err;

	err = vexfs_copy_arg(&a, sizeof(a), uarg, &usize);
	if (err)
		return err;
	if ((a.flags & ~VEXFS_PATHS_FLAGS) || a.count || a.needed || !a.buf)
		return -EINVAL;
	if (!S_ISDIR(sdir->i_mode))
		return -ENOTDIR;
	if (!vexfs_has_parent(sb))
		return -EOPNOTSUPP;
	/* the root has no path, inodes 2..7 are internal */
	if (a.inode < VEXFS_FIRST_INO || a.inode > VEXFS_SB(sb)->s_geom.inodes)
		return -EINVAL;
	err = inode_permission(vexfs_file_idmap(file), sdir, MAY_EXEC);
	if (err)
		return err;
	inode = vexfs_iget_live(sb, a.inode);
	if (IS_ERR(inode))
		return PTR_ERR(inode) == -EUCLEAN ? -EUCLEAN : -ESTALE;
	err = -ESTALE;
	if (inode->i_generation != a.generation || !inode->i_nlink)
		goto out;
	err = inode_permission(vexfs_file_idmap(file), inode,
			       S_ISDIR(inode->i_mode) ? MAY_EXEC : MAY_READ);
	if (err)
		goto out;
	err = -ENOMEM;
	p.path = kmalloc(PATH_MAX, GFP_KERNEL);
	p.name = kmalloc(VEXFS_NAME_LEN + 1, GFP_KERNEL);
	if (!p.path || !p.name)
		goto out;
	p.sb = sb;
	p.idmap = vexfs_file_idmap(file);
	p.root = sdir->i_ino;
	p.ino = inode->i_ino;
	p.all = a.flags & VEXFS_PATHS_ALL;
	p.ubuf = u64_to_user_ptr(a.buf);
	p.buf_len = a.buf_len;
	/*
	 * No lock on @inode: directory locks are taken below, and they come
	 * before a child's in the VFS order. A link that moves meanwhile is
	 * found again (-EAGAIN) or reported where it was.
	 */
	err = 0;
	{
		u32 hash;
		u64 parent = vexfs_pptr_get(inode, &hash);

		if (parent)
			err = vexfs_paths_link(&p, parent, hash, 1);
	}
	if (!err && READ_ONCE(VEXFS_I(inode)->i_xattr_block))
		err = vexfs_xattr_pptr_walk(inode, vexfs_paths_link, &p);
	if (err > 0)
		err = 0;
	if (err)
		goto out;
	if (!p.needed)
		err = -ENOENT;
	else if (p.needed > p.buf_len)
		err = -ERANGE;
	if (put_user(p.count, (u32 __user *)(uarg + offsetof(struct vexfs_ioc_paths, count))) ||
	    put_user(p.needed, (u32 __user *)(uarg + offsetof(struct vexfs_ioc_paths, needed))))
		err = -EFAULT;
out:
	kfree(p.path);
	kfree(p.name);
	iput(inode);
	return err;
}
