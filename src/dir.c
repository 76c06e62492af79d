// SPDX-License-Identifier: GPL-2.0
/*
 * dir.c - linear-hash directories (layout in vexfs_fs.h), on top of the
 * shared bucket code in core/dir.c. The directory's i_rwsem serialises
 * modifications against lookups and readdir.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/iversion.h>
#include "vexfs.h"

#define BUCKET_HDR ((u32)sizeof(struct vexfs_bucket_header))

static u32 vexfs_dirblk_csum(struct inode *dir, const void *buf, u32 off)
{
	return vexfs_block_csum(VEXFS_SB(dir->i_sb)->s_csum_seed, dir->i_ino, buf,
				dir->i_sb->s_blocksize, off);
}

/*
 * Sealing reads only the bytes in use: the validators require the rest of a
 * header or bucket block to be zero, and every change keeps it so (entries
 * are packed, a deleted one's bytes are zeroed).
 */
static void vexfs_seal_used(struct inode *dir, struct buffer_head *bh, u32 used, u32 off)
{
	__le32 *csum = (__le32 *)(bh->b_data + off);

	*csum = cpu_to_le32(vexfs_block_csum_used(VEXFS_SB(dir->i_sb)->s_csum_seed,
						  dir->i_ino, bh->b_data, used,
						  dir->i_sb->s_blocksize, off));
}

static void vexfs_seal_header(struct inode *dir, struct buffer_head *bh)
{
	vexfs_seal_used(dir, bh, sizeof(struct vexfs_dir_header),
			offsetof(struct vexfs_dir_header, dh_checksum));
}

static void vexfs_seal_bucket(struct inode *dir, struct buffer_head *bh)
{
	struct vexfs_bucket_header *bb = (void *)bh->b_data;

	vexfs_seal_used(dir, bh, sizeof(*bb) + le16_to_cpu(bb->bb_used),
			offsetof(struct vexfs_bucket_header, bb_checksum));
}

static u32 vexfs_dir_max_buckets(struct inode *dir)
{
	return (u32)min_t(u64, (dir->i_size >> dir->i_blkbits) - 1, U32_MAX);
}

static struct buffer_head *vexfs_read_header(struct inode *dir)
{
	struct buffer_head *bh = vexfs_bread(NULL, dir, 0, false);
	struct vexfs_dir_header *dh;
	const char *why;

	if (IS_ERR(bh))
		return bh;
	if (!bh)
		return ERR_PTR(vexfs_corrupt(dir->i_sb, "directory %lu has no header block",
					     dir->i_ino));
	if (vexfs_bh_verified(bh, VEXFS_BH_DIRHDR))
		return bh;
	dh = (void *)bh->b_data;
	if (le32_to_cpu(dh->dh_checksum) != vexfs_dirblk_csum(dir, bh->b_data,
				offsetof(struct vexfs_dir_header, dh_checksum))) {
		brelse(bh);
		return ERR_PTR(vexfs_corrupt(dir->i_sb, "directory %lu header fails its checksum",
					     dir->i_ino));
	}
	if (vexfs_dirhdr_validate(dh, dir->i_sb->s_blocksize, vexfs_dir_max_buckets(dir),
				  &why)) {
		brelse(bh);
		return ERR_PTR(vexfs_corrupt(dir->i_sb, "directory %lu: %s", dir->i_ino, why));
	}
	vexfs_bh_set_verified(bh, VEXFS_BH_DIRHDR);
	return bh;
}

static int vexfs_check_bucket(struct inode *dir, struct buffer_head *bh, u32 b,
			      const struct vexfs_dir_header *dh)
{
	const struct vexfs_dirent *de = NULL;
	const char *why;
	u64 lo, hi;

	if (vexfs_bh_verified(bh, VEXFS_BH_BUCKET))
		return 0;
	if (le32_to_cpu(((struct vexfs_bucket_header *)bh->b_data)->bb_checksum) !=
	    vexfs_dirblk_csum(dir, bh->b_data, offsetof(struct vexfs_bucket_header, bb_checksum)))
		return vexfs_corrupt(dir->i_sb, "directory %lu bucket %u fails its checksum",
				     dir->i_ino, b);
	if (vexfs_bucket_validate(bh->b_data, dir->i_sb->s_blocksize, &why))
		return vexfs_corrupt(dir->i_sb, "directory %lu bucket %u: %s", dir->i_ino, b, why);
	vexfs_dir_bucket_range(b, le32_to_cpu(dh->dh_level), le32_to_cpu(dh->dh_split), &lo, &hi);
	while ((de = vexfs_bucket_next(bh->b_data, de))) {
		u64 h = le64_to_cpu(de->d_hash);

		if (h < lo || h >= hi)
			return vexfs_corrupt(dir->i_sb, "directory %lu bucket %u: entry in wrong bucket",
					     dir->i_ino, b);
		/* readdir hands d_type to userspace: one of the seven file types */
		if (de->d_type > VEXFS_FT_SOCK || de->d_type == VEXFS_FT_UNKNOWN ||
		    (de->d_type & 1 && de->d_type != VEXFS_FT_FIFO))
			return vexfs_corrupt(dir->i_sb, "directory %lu bucket %u: entry with file type %u",
					     dir->i_ino, b, de->d_type);
	}
	vexfs_bh_set_verified(bh, VEXFS_BH_BUCKET);
	return 0;
}

/*
 * Read the whole chain of bucket @b into @bhs (at most 1 + VEXFS_MAX_CHAIN).
 * Returns the number of blocks or a negative errno.
 */
static int vexfs_read_chain(struct inode *dir, const struct vexfs_dir_header *dh, u32 b,
			    struct buffer_head **bhs)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	struct buffer_head *bh;
	int n = 0, err;
	u64 next;

	bh = vexfs_bread(NULL, dir, 1 + (u64)b, false);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	if (!bh)
		return vexfs_corrupt(sb, "directory %lu: bucket %u is a hole", dir->i_ino, b);
	for (;;) {
		bhs[n++] = bh;
		err = vexfs_check_bucket(dir, bh, b, dh);
		if (err)
			goto fail;
		next = le64_to_cpu(((struct vexfs_bucket_header *)bh->b_data)->bb_next);
		if (!next)
			return n;
		if (n > VEXFS_MAX_CHAIN || !vexfs_data_block(g, next)) {
			err = vexfs_corrupt(sb, "directory %lu bucket %u: bad overflow chain",
					    dir->i_ino, b);
			goto fail;
		}
		bh = sb_bread(sb, next);
		if (!bh) {
			err = -EIO;
			goto fail;
		}
	}
fail:
	while (n--)
		brelse(bhs[n]);
	return err;
}

static void vexfs_put_chain(struct buffer_head **bhs, int n)
{
	while (n--)
		brelse(bhs[n]);
}

int vexfs_dir_init(handle_t *handle, struct inode *dir, struct inode *parent)
{
	struct super_block *sb = dir->i_sb;
	struct buffer_head *hbh, *bbh;
	struct vexfs_dir_header *dh;
	int err;

	hbh = vexfs_bread(handle, dir, 0, true);
	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	bbh = vexfs_bread(handle, dir, 1, true);
	if (IS_ERR(bbh)) {
		brelse(hbh);
		return PTR_ERR(bbh);
	}
	lock_buffer(hbh);
	dh = (void *)hbh->b_data;
	dh->dh_magic = cpu_to_le32(VEXFS_DIRHDR_MAGIC);
	dh->dh_nbuckets = cpu_to_le32(1);
	dh->dh_parent = cpu_to_le64(parent->i_ino);
	vexfs_seal_header(dir, hbh);
	vexfs_bh_set_verified(hbh, VEXFS_BH_DIRHDR);
	unlock_buffer(hbh);
	lock_buffer(bbh);
	vexfs_bucket_init(bbh->b_data, sb->s_blocksize);
	vexfs_seal_bucket(dir, bbh);
	vexfs_bh_set_verified(bbh, VEXFS_BH_BUCKET);
	unlock_buffer(bbh);
	err = vexfs_journal_dirty(handle, sb, hbh);
	if (!err)
		err = vexfs_journal_dirty(handle, sb, bbh);
	brelse(hbh);
	brelse(bbh);
	if (err)
		return err;
	i_size_write(dir, 2 * (loff_t)sb->s_blocksize);
	return vexfs_mark_inode_dirty(handle, dir);
}

struct vexfs_dir_pos {
	struct buffer_head *hbh;
	struct buffer_head *chain[1 + VEXFS_MAX_CHAIN];
	int n;			/* blocks in chain */
	int idx;		/* block holding the entry */
	struct vexfs_dirent *de;
	u32 bucket;
	u64 hash;
};

static void vexfs_pos_release(struct vexfs_dir_pos *pos)
{
	vexfs_put_chain(pos->chain, pos->n);
	brelse(pos->hbh);
}

/* Locate @name: fills @pos (caller releases it); pos->de is NULL if absent. */
static int vexfs_dir_locate(struct inode *dir, const struct qstr *name,
			    struct vexfs_dir_pos *pos)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(dir->i_sb);
	struct vexfs_dir_header *dh;
	int i;

	memset(pos, 0, sizeof(*pos));
	if (name->len > VEXFS_NAME_LEN)
		return -ENAMETOOLONG;
	pos->hbh = vexfs_read_header(dir);
	if (IS_ERR(pos->hbh)) {
		int err = PTR_ERR(pos->hbh);

		pos->hbh = NULL;
		return err;
	}
	dh = (void *)pos->hbh->b_data;
	pos->hash = vexfs_name_hash(sbi->s_hash_key, name->name, name->len);
	pos->bucket = vexfs_dir_bucket(pos->hash, le32_to_cpu(dh->dh_level),
				       le32_to_cpu(dh->dh_split));
	pos->n = vexfs_read_chain(dir, dh, pos->bucket, pos->chain);
	if (pos->n < 0) {
		int err = pos->n;

		pos->n = 0;
		brelse(pos->hbh);
		pos->hbh = NULL;
		return err;
	}
	for (i = 0; i < pos->n; i++) {
		pos->de = vexfs_bucket_find(pos->chain[i]->b_data, pos->hash, name->name,
					    name->len);
		if (pos->de) {
			pos->idx = i;
			break;
		}
	}
	return 0;
}

int vexfs_dir_find(struct inode *dir, const struct qstr *name, u64 *ino)
{
	struct vexfs_dir_pos pos;
	int err = vexfs_dir_locate(dir, name, &pos);

	if (err)
		return err;
	if (pos.de)
		*ino = le64_to_cpu(pos.de->d_ino);
	else
		err = -ENOENT;
	vexfs_pos_release(&pos);
	return err;
}

/* The directory's ".." as its header records it. */
int vexfs_dir_parent_ino(struct inode *dir, u64 *parent)
{
	struct buffer_head *hbh = vexfs_read_header(dir);

	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	*parent = le64_to_cpu(((struct vexfs_dir_header *)hbh->b_data)->dh_parent);
	brelse(hbh);
	return 0;
}

/*
 * The name of the entry naming inode @ino whose hash has bits 61..30 equal
 * to @phash (a parent pointer, parent.c), copied NUL-terminated into @name
 * (VEXFS_NAME_LEN + 1 bytes). The caller holds @dir's i_rwsem, at least
 * shared. -ENOENT if the directory has no such entry.
 */
int vexfs_dir_name_of(struct inode *dir, u32 phash, u64 ino, char *name)
{
	struct buffer_head *hbh, *chain[1 + VEXFS_MAX_CHAIN];
	struct vexfs_dir_header *dh;
	int n, i, err = -ENOENT;
	u32 b, end;

	hbh = vexfs_read_header(dir);
	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	dh = (void *)hbh->b_data;
	/* VEXFS_PPTR_HASH_ANY: the name was not recorded, look in every bucket */
	if (phash == VEXFS_PPTR_HASH_ANY) {
		b = 0;
		end = le32_to_cpu(dh->dh_nbuckets);
	} else {
		b = vexfs_dir_bucket((u64)phash << 30, le32_to_cpu(dh->dh_level),
				     le32_to_cpu(dh->dh_split));
		end = b + 1;
	}
	for (; b < end && err == -ENOENT; b++) {
		n = vexfs_read_chain(dir, dh, b, chain);
		if (n < 0) {
			err = n;
			break;
		}
		for (i = 0; i < n && err == -ENOENT; i++) {
			const struct vexfs_dirent *de = NULL;

			while ((de = vexfs_bucket_next(chain[i]->b_data, de))) {
				if ((phash != VEXFS_PPTR_HASH_ANY &&
				     VEXFS_PPTR_HASH(le64_to_cpu(de->d_hash)) != phash) ||
				    le64_to_cpu(de->d_ino) != ino)
					continue;
				memcpy(name, de->d_name, de->d_name_len);
				name[de->d_name_len] = '\0';
				err = 0;
				break;
			}
		}
		vexfs_put_chain(chain, n);
		cond_resched();
	}
	brelse(hbh);
	return err;
}

/* A directory's entries changed: times, i_version, and the inode to the journal. */
static int vexfs_dir_touch(handle_t *handle, struct inode *dir)
{
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	inode_inc_iversion(dir);
	return vexfs_mark_inode_dirty(handle, dir);
}

/* Header counters change together with the bucket: one helper. */
static int vexfs_header_update(handle_t *handle, struct inode *dir,
			       struct buffer_head *hbh, s64 entries, s64 bytes)
{
	struct vexfs_dir_header *dh = (void *)hbh->b_data;
	int err = vexfs_journal_get_write_access(handle, dir->i_sb, hbh);

	if (err)
		return err;
	lock_buffer(hbh);
	dh->dh_entries = cpu_to_le64(le64_to_cpu(dh->dh_entries) + entries);
	dh->dh_bytes = cpu_to_le64(le64_to_cpu(dh->dh_bytes) + bytes);
	vexfs_seal_header(dir, hbh);
	unlock_buffer(hbh);
	return vexfs_journal_dirty(handle, dir->i_sb, hbh);
}

/* Allocate a fresh overflow bucket block owned by @dir. */
static struct buffer_head *vexfs_new_overflow(handle_t *handle, struct inode *dir, u64 goal)
{
	struct super_block *sb = dir->i_sb;
	struct buffer_head *bh;
	u32 count = 1;
	u64 blk;
	int err;

	err = vexfs_new_blocks(handle, dir, goal, &count, &blk);
	if (err)
		return ERR_PTR(err);
	bh = sb_getblk(sb, blk);
	if (!bh) {
		vexfs_free_blocks(handle, dir, blk, 1, true);
		return ERR_PTR(-ENOMEM);
	}
	lock_buffer(bh);
	err = vexfs_journal_get_create_access(handle, sb, bh);
	if (err) {
		unlock_buffer(bh);
		brelse(bh);
		vexfs_free_blocks(handle, dir, blk, 1, true);
		return ERR_PTR(err);
	}
	vexfs_bucket_init(bh->b_data, sb->s_blocksize);
	set_buffer_uptodate(bh);
	vexfs_bh_set_verified(bh, VEXFS_BH_BUCKET);
	unlock_buffer(bh);
	dir->i_blocks += sb->s_blocksize >> 9;
	return bh;
}

/* Modify a chain block: write access, caller edits, then seal + dirty. */
static int vexfs_bucket_begin(handle_t *handle, struct inode *dir, struct buffer_head *bh)
{
	return vexfs_journal_get_write_access(handle, dir->i_sb, bh);
}

static int vexfs_bucket_end(handle_t *handle, struct inode *dir, struct buffer_head *bh)
{
	vexfs_seal_bucket(dir, bh);
	return vexfs_journal_dirty(handle, dir->i_sb, bh);
}

struct vexfs_tmp_ent {
	u64 hash;
	u64 ino;
	u8 type;
	u8 len;
	char name[VEXFS_NAME_LEN];
};

/*
 * Split bucket p (linear hashing): its entries are redistributed between p
 * and the new bucket 2^L + p by the next hash bit. Skipped (not an error)
 * when the handle cannot be extended for it. All or nothing: every block the
 * new bucket needs is allocated before any block is rewritten.
 */
static int vexfs_dir_split(handle_t *handle, struct inode *dir, struct buffer_head *hbh)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_dir_header *dh = (void *)hbh->b_data;
	u32 level = le32_to_cpu(dh->dh_level), split = le32_to_cpu(dh->dh_split);
	u32 nb = (1U << level) + split, newlevel = level, newsplit = split + 1;
	struct buffer_head *old[1 + VEXFS_MAX_CHAIN], *nbh[1 + VEXFS_MAX_CHAIN];
	struct buffer_head *dst[2][1 + VEXFS_MAX_CHAIN], *spare[VEXFS_MAX_CHAIN];
	int nold, nnew[2] = { 1, 1 }, nspare = 0, used_spare = 0, i, k, err;
	u32 cnt = 0, c, used = 0, need = 1;
	struct vexfs_tmp_ent *ents;

	if (level >= 30 || (u64)nb + 2 > vexfs_max_lblk(sb->s_blocksize))
		return 0;
	if (jbd2_handle_buffer_credits(handle) < 2 * (2 + VEXFS_MAX_CHAIN) + 2 * VEXFS_CREDITS_BLOCK &&
	    jbd2_journal_extend(handle, 2 * (2 + VEXFS_MAX_CHAIN) + 2 * VEXFS_CREDITS_BLOCK, 0))
		return 0;
	nold = vexfs_read_chain(dir, dh, split, old);
	if (nold < 0)
		return nold;
	ents = kvmalloc_array((size_t)nold * (sb->s_blocksize / VEXFS_DIRENT_SIZE(1)),
			      sizeof(*ents), GFP_KERNEL);
	if (!ents) {
		vexfs_put_chain(old, nold);
		return -ENOMEM;
	}
	for (i = 0; i < nold; i++) {
		const struct vexfs_dirent *de = NULL;

		while ((de = vexfs_bucket_next(old[i]->b_data, de))) {
			ents[cnt].hash = le64_to_cpu(de->d_hash);
			ents[cnt].ino = le64_to_cpu(de->d_ino);
			ents[cnt].type = de->d_type;
			ents[cnt].len = de->d_name_len;
			memcpy(ents[cnt].name, de->d_name, de->d_name_len);
			cnt++;
		}
	}
	if (newsplit == (1U << level)) {
		newlevel = level + 1;
		newsplit = 0;
	}
	/*
	 * The blocks of the new bucket's chain, packed as the loop below packs
	 * them. The old chain keeps a subset of its entries: its own blocks do.
	 */
	for (c = 0; c < cnt; c++) {
		u32 size = VEXFS_DIRENT_SIZE(ents[c].len);

		if (vexfs_dir_bucket(ents[c].hash, newlevel, newsplit) == split)
			continue;
		if (sb->s_blocksize - BUCKET_HDR - used < size) {
			need++;
			used = 0;
		}
		used += size;
	}
	err = -ENOSPC;
	if (need > 1 + VEXFS_MAX_CHAIN)
		goto out;	/* cannot happen: split halves a chain */
	for (nspare = 0; nspare < (int)need - 1; nspare++) {
		spare[nspare] = vexfs_new_overflow(handle, dir, old[0]->b_blocknr + 1);
		if (IS_ERR(spare[nspare])) {
			err = PTR_ERR(spare[nspare]);
			goto out_spare;
		}
	}
	/* The new bucket block: logical block 1 + nb. */
	nbh[0] = vexfs_bread(handle, dir, 1 + (u64)nb, true);
	if (IS_ERR_OR_NULL(nbh[0])) {
		err = nbh[0] ? PTR_ERR(nbh[0]) : -EIO;
		goto out_spare;
	}
	err = vexfs_bucket_begin(handle, dir, nbh[0]);
	if (err) {
		brelse(nbh[0]);
		goto out_spare;
	}
	lock_buffer(nbh[0]);
	vexfs_bucket_init(nbh[0]->b_data, sb->s_blocksize);
	vexfs_bh_set_verified(nbh[0], VEXFS_BH_BUCKET);
	unlock_buffer(nbh[0]);
	for (i = 0; i < nold; i++) {
		err = vexfs_bucket_begin(handle, dir, old[i]);
		if (err)
			goto out_new;
	}
	/* Rewrite: old chain keeps its head, reuses overflow blocks in order. */
	dst[0][0] = old[0];
	dst[1][0] = nbh[0];
	lock_buffer(old[0]);
	vexfs_bucket_init(old[0]->b_data, sb->s_blocksize);
	unlock_buffer(old[0]);
	for (c = 0; c < cnt; c++) {
		u32 to = vexfs_dir_bucket(ents[c].hash, newlevel, newsplit) == split ? 0 : 1;
		struct buffer_head *tb = dst[to][nnew[to] - 1];
		u32 size = VEXFS_DIRENT_SIZE(ents[c].len);

		if (vexfs_bucket_free(tb->b_data, sb->s_blocksize) < size) {
			struct buffer_head *fresh;

			if (nnew[to] > VEXFS_MAX_CHAIN) {
				err = -ENOSPC;	/* cannot happen: split halves a chain */
				goto out_new;
			}
			if (to == 0 && nnew[0] < nold) {
				fresh = old[nnew[0]];
				get_bh(fresh);
				lock_buffer(fresh);
				vexfs_bucket_init(fresh->b_data, sb->s_blocksize);
				unlock_buffer(fresh);
			} else if (to == 1 && used_spare < nspare) {
				fresh = spare[used_spare];
				spare[used_spare++] = NULL;	/* dst[1] holds it now */
			} else {
				err = -ENOSPC;	/* cannot happen: counted above */
				goto out_new;
			}
			((struct vexfs_bucket_header *)tb->b_data)->bb_next =
				cpu_to_le64(fresh->b_blocknr);
			dst[to][nnew[to]++] = fresh;
			tb = fresh;
		}
		vexfs_bucket_add(tb->b_data, ents[c].hash, ents[c].ino, ents[c].name,
				 ents[c].len, ents[c].type);
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < nnew[k]; i++) {
			err = vexfs_bucket_end(handle, dir, dst[k][i]);
			if (err)
				goto out_new;
		}
	}
	/* Old overflow blocks no longer used are freed. */
	for (i = nnew[0]; i < nold; i++) {
		vexfs_free_blocks(handle, dir, old[i]->b_blocknr, 1, true);
		dir->i_blocks -= sb->s_blocksize >> 9;
	}
	err = vexfs_journal_get_write_access(handle, sb, hbh);
	if (err)
		goto out_new;
	lock_buffer(hbh);
	dh->dh_level = cpu_to_le32(newlevel);
	dh->dh_split = cpu_to_le32(newsplit);
	dh->dh_nbuckets = cpu_to_le32(nb + 1);
	vexfs_seal_header(dir, hbh);
	unlock_buffer(hbh);
	err = vexfs_journal_dirty(handle, sb, hbh);
	if (!err && i_size_read(dir) < (loff_t)(2 + (u64)nb) << dir->i_blkbits)
		i_size_write(dir, (loff_t)(2 + (u64)nb) << dir->i_blkbits);
	if (!err)
		err = vexfs_mark_inode_dirty(handle, dir);
out_new:
	for (i = 1; i < nnew[0]; i++)
		brelse(dst[0][i]);
	for (i = 0; i < nnew[1]; i++)
		brelse(dst[1][i]);
out_spare:
	/* Allocated but not linked (a failure before the rewrite): give back. */
	for (i = used_spare; i < nspare; i++) {
		vexfs_free_blocks(handle, dir, spare[i]->b_blocknr, 1, true);
		dir->i_blocks -= sb->s_blocksize >> 9;
		brelse(spare[i]);
	}
out:
	vexfs_put_chain(old, nold);
	kvfree(ents);
	return err;
}

int vexfs_dir_add(handle_t *handle, struct inode *dir, const struct qstr *name,
		  u64 ino, umode_t mode)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_dir_pos pos;
	struct vexfs_dir_header *dh;
	u32 size = VEXFS_DIRENT_SIZE(name->len);
	struct buffer_head *tb = NULL;
	u64 load, cap;
	int err, i;

	if (!name->len)
		return -ENOENT;
	err = vexfs_dir_locate(dir, name, &pos);
	if (err)
		return err;
	if (pos.de) {
		err = -EEXIST;
		goto out;
	}
	for (i = 0; i < pos.n; i++) {
		if (vexfs_bucket_free(pos.chain[i]->b_data, sb->s_blocksize) >= size) {
			tb = pos.chain[i];
			break;
		}
	}
	if (!tb) {
		struct buffer_head *last = pos.chain[pos.n - 1];

		if (pos.n > VEXFS_MAX_CHAIN) {
			vexfs_msg(sb, "directory %lu: bucket %u is full", dir->i_ino, pos.bucket);
			err = -ENOSPC;
			goto out;
		}
		tb = vexfs_new_overflow(handle, dir, last->b_blocknr + 1);
		if (IS_ERR(tb)) {
			err = PTR_ERR(tb);
			goto out;
		}
		err = vexfs_bucket_begin(handle, dir, last);
		if (err) {
			/* not linked into the chain: give the new block back */
			vexfs_free_blocks(handle, dir, tb->b_blocknr, 1, true);
			dir->i_blocks -= sb->s_blocksize >> 9;
			brelse(tb);
			goto out;
		}
		lock_buffer(last);
		((struct vexfs_bucket_header *)last->b_data)->bb_next =
			cpu_to_le64(tb->b_blocknr);
		unlock_buffer(last);
		err = vexfs_bucket_end(handle, dir, last);
		pos.chain[pos.n++] = tb;
		if (err)
			goto out;
	} else {
		err = vexfs_bucket_begin(handle, dir, tb);
		if (err)
			goto out;
	}
	lock_buffer(tb);
	vexfs_bucket_add(tb->b_data, pos.hash, ino, name->name, name->len,
			 vexfs_mode_to_ft(mode));
	unlock_buffer(tb);
	err = vexfs_bucket_end(handle, dir, tb);
	if (!err)
		err = vexfs_header_update(handle, dir, pos.hbh, 1, size);
	if (err)
		goto out;
	err = vexfs_dir_touch(handle, dir);
	if (err)
		goto out;

	/*
	 * Keep the load factor under 3/4: split one bucket when above. The
	 * entry is in: a split that cannot run (no space) changes nothing and
	 * only leaves the load higher, so it does not fail the insertion
	 * (the caller would free the inode the new entry names).
	 */
	dh = (void *)pos.hbh->b_data;
	load = le64_to_cpu(dh->dh_bytes);
	cap = (u64)le32_to_cpu(dh->dh_nbuckets) * (sb->s_blocksize - BUCKET_HDR);
	if (load * 4 > cap * 3) {
		vexfs_put_chain(pos.chain, pos.n);
		pos.n = 0;
		vexfs_dir_split(handle, dir, pos.hbh);
	}
out:
	vexfs_pos_release(&pos);
	return err;
}

int vexfs_dir_delete(handle_t *handle, struct inode *dir, const struct qstr *name)
{
	struct super_block *sb = dir->i_sb;
	struct vexfs_dir_pos pos;
	struct buffer_head *bh;
	u32 size;
	int err;

	err = vexfs_dir_locate(dir, name, &pos);
	if (err)
		return err;
	if (!pos.de) {
		err = -ENOENT;
		goto out;
	}
	bh = pos.chain[pos.idx];
	size = VEXFS_DIRENT_SIZE(pos.de->d_name_len);
	err = vexfs_bucket_begin(handle, dir, bh);
	if (err)
		goto out;
	lock_buffer(bh);
	vexfs_bucket_remove(bh->b_data, pos.de);
	unlock_buffer(bh);
	err = vexfs_bucket_end(handle, dir, bh);
	if (err)
		goto out;
	/* An emptied overflow block leaves the chain and is freed. */
	if (pos.idx > 0 && !((struct vexfs_bucket_header *)bh->b_data)->bb_count) {
		struct buffer_head *prev = pos.chain[pos.idx - 1];

		err = vexfs_bucket_begin(handle, dir, prev);
		if (err)
			goto out;
		lock_buffer(prev);
		((struct vexfs_bucket_header *)prev->b_data)->bb_next =
			((struct vexfs_bucket_header *)bh->b_data)->bb_next;
		unlock_buffer(prev);
		err = vexfs_bucket_end(handle, dir, prev);
		if (err)
			goto out;
		vexfs_free_blocks(handle, dir, bh->b_blocknr, 1, true);
		dir->i_blocks -= sb->s_blocksize >> 9;
	}
	err = vexfs_header_update(handle, dir, pos.hbh, -1, -(s64)size);
	if (err)
		goto out;
	err = vexfs_dir_touch(handle, dir);
out:
	vexfs_pos_release(&pos);
	return err;
}

int vexfs_dir_set(handle_t *handle, struct inode *dir, const struct qstr *name,
		  u64 ino, umode_t mode)
{
	struct vexfs_dir_pos pos;
	struct buffer_head *bh;
	int err;

	err = vexfs_dir_locate(dir, name, &pos);
	if (err)
		return err;
	if (!pos.de) {
		err = -ENOENT;
		goto out;
	}
	bh = pos.chain[pos.idx];
	err = vexfs_bucket_begin(handle, dir, bh);
	if (err)
		goto out;
	lock_buffer(bh);
	pos.de->d_ino = cpu_to_le64(ino);
	pos.de->d_type = vexfs_mode_to_ft(mode);
	unlock_buffer(bh);
	err = vexfs_bucket_end(handle, dir, bh);
	if (err)
		goto out;
	err = vexfs_dir_touch(handle, dir);
out:
	vexfs_pos_release(&pos);
	return err;
}

int vexfs_dir_set_parent(handle_t *handle, struct inode *dir, u64 parent)
{
	struct buffer_head *hbh = vexfs_read_header(dir);
	int err;

	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	err = vexfs_journal_get_write_access(handle, dir->i_sb, hbh);
	if (!err) {
		lock_buffer(hbh);
		((struct vexfs_dir_header *)hbh->b_data)->dh_parent = cpu_to_le64(parent);
		vexfs_seal_header(dir, hbh);
		unlock_buffer(hbh);
		err = vexfs_journal_dirty(handle, dir->i_sb, hbh);
	}
	brelse(hbh);
	return err;
}

int vexfs_dir_is_empty(struct inode *dir)
{
	struct buffer_head *hbh = vexfs_read_header(dir);
	int empty;

	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	empty = ((struct vexfs_dir_header *)hbh->b_data)->dh_entries == 0;
	brelse(hbh);
	return empty;
}

/*
 * Call @fn(@arg, ino, d_type) for every entry of @dir (not . and ..), in
 * bucket order; stops at the first non-zero return, which is returned. The
 * caller holds @dir's i_rwsem, at least shared.
 */
int vexfs_dir_walk(struct inode *dir, int (*fn)(void *arg, u64 ino, u8 type), void *arg)
{
	struct buffer_head *hbh, *chain[1 + VEXFS_MAX_CHAIN];
	struct vexfs_dir_header *dh;
	u32 b, nb;
	int n, i, ret = 0;

	hbh = vexfs_read_header(dir);
	if (IS_ERR(hbh))
		return PTR_ERR(hbh);
	dh = (void *)hbh->b_data;
	nb = le32_to_cpu(dh->dh_nbuckets);
	for (b = 0; b < nb && !ret; b++) {
		n = vexfs_read_chain(dir, dh, b, chain);
		if (n < 0) {
			ret = n;
			break;
		}
		for (i = 0; i < n && !ret; i++) {
			const struct vexfs_dirent *de = NULL;

			while (!ret && (de = vexfs_bucket_next(chain[i]->b_data, de)))
				ret = fn(arg, le64_to_cpu(de->d_ino), de->d_type);
		}
		vexfs_put_chain(chain, n);
		cond_resched();
	}
	brelse(hbh);
	return ret;
}

/* ---- readdir: positions are 2 + hash, so they survive bucket splits ----- */

static int vexfs_cmp_ent(const void *a, const void *b)
{
	const struct vexfs_tmp_ent *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

#define VEXFS_POS_END (2 + (1ULL << VEXFS_HASH_BITS))

static int vexfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct inode *dir = file_inode(file);
	struct super_block *sb = dir->i_sb;
	struct buffer_head *hbh, *chain[1 + VEXFS_MAX_CHAIN];
	struct vexfs_dir_header *dh;
	struct vexfs_tmp_ent *ents;
	size_t max_ents;
	int err = 0;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (ctx->pos >= VEXFS_POS_END)
		return 0;
	max_ents = (size_t)(1 + VEXFS_MAX_CHAIN) * (sb->s_blocksize / VEXFS_DIRENT_SIZE(1));
	ents = kvmalloc_array(max_ents, sizeof(*ents), GFP_KERNEL);
	if (!ents)
		return -ENOMEM;
	hbh = vexfs_read_header(dir);
	if (IS_ERR(hbh)) {
		kvfree(ents);
		return PTR_ERR(hbh);
	}
	dh = (void *)hbh->b_data;
	while (ctx->pos < VEXFS_POS_END) {
		u64 h = ctx->pos - 2, lo, hi;
		u32 b = vexfs_dir_bucket(h, le32_to_cpu(dh->dh_level), le32_to_cpu(dh->dh_split));
		size_t cnt = 0, i;
		int n;

		vexfs_dir_bucket_range(b, le32_to_cpu(dh->dh_level), le32_to_cpu(dh->dh_split),
				       &lo, &hi);
		n = vexfs_read_chain(dir, dh, b, chain);
		if (n < 0) {
			err = n;
			break;
		}
		for (i = 0; i < (size_t)n; i++) {
			const struct vexfs_dirent *de = NULL;

			while ((de = vexfs_bucket_next(chain[i]->b_data, de))) {
				if (le64_to_cpu(de->d_hash) < h || cnt >= max_ents)
					continue;
				ents[cnt].hash = le64_to_cpu(de->d_hash);
				ents[cnt].ino = le64_to_cpu(de->d_ino);
				ents[cnt].type = de->d_type;
				ents[cnt].len = de->d_name_len;
				memcpy(ents[cnt].name, de->d_name, de->d_name_len);
				cnt++;
			}
		}
		vexfs_put_chain(chain, n);
		sort(ents, cnt, sizeof(*ents), vexfs_cmp_ent, NULL);
		for (i = 0; i < cnt; i++) {
			ctx->pos = 2 + ents[i].hash;
			if (!dir_emit(ctx, ents[i].name, ents[i].len, ents[i].ino, ents[i].type))
				goto out;
		}
		ctx->pos = 2 + hi;
	}
out:
	brelse(hbh);
	kvfree(ents);
	return err;
}

static loff_t vexfs_dir_llseek(struct file *file, loff_t offset, int whence)
{
	return generic_file_llseek_size(file, offset, whence, VEXFS_POS_END, VEXFS_POS_END);
}

const struct file_operations vexfs_dir_operations = {
	.llseek		= vexfs_dir_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= vexfs_readdir,
	.fsync		= vexfs_sync_file,
	.unlocked_ioctl	= vexfs_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
