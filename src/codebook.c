// SPDX-License-Identifier: GPL-2.0
/*
 * codebook.c - PQ codebooks of the vector store.
 *
 * A codebook is a vq blob of kind PQ (trained in userspace, see
 * Documentation/quantization.rst) stored once per filesystem in a run of
 * contiguous blocks; the directory block s_cb_dir lists them (id = position
 * + 1). They are loaded at mount, never changed and never removed, so a
 * published codebook stays valid until unmount: readers take no lock
 * (count is published with release/acquire), CODEBOOK_ADD serializes on
 * cs->lock. An ADD is one journal handle: extent, blob bytes, directory
 * block and superblock (s_cb_dir, INCOMPAT_CODEBOOKS).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/mount.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "vector.h"
#include "vexfs/vq.h"
#include "vexfs/vexfs_ioctl.h"

struct vexfs_cbset {
	struct mutex lock;		/* CODEBOOK_ADD */
	u32 count;			/* release / acquire */
	u64 dir;			/* directory block, 0 = none yet */
	struct vexfs_cbook *cb[VEXFS_CB_MAX];
};

static void vexfs_cbook_free(struct vexfs_cbook *c)
{
	if (c) {
		kvfree(c->pq.cent_t);
		kfree(c);
	}
}

/* Parse and validate a blob into a new codebook (not yet placed on disk). */
static int vexfs_cbook_parse(const u8 *blob, u32 len, struct vexfs_cbook **out)
{
	const struct vq_blob_hdr *h = (const void *)blob;
	struct vexfs_cbook *c;
	float *cent;
	u32 d;
	int err;

	if (len < sizeof(*h))
		return -EUCLEAN;
	d = le32_to_cpu(h->dim);
	if (!d || d > VEXFS_CB_MAX_DIMS || len != vq_pq_blob_size(d))
		return -EUCLEAN;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	cent = kvmalloc_array(vq_pq_codebook_floats(d), sizeof(float), GFP_KERNEL_ACCOUNT);
	if (!c || !cent) {
		kfree(c);
		kvfree(cent);
		return -ENOMEM;
	}
	err = vq_pq_load(&c->pq, blob, len, cent, d);
	/* one subspace is one FPU section of 256 * dsub multiply-adds */
	if (!err && c->pq.dsub > VEXFS_CB_MAX_DSUB)
		err = -EUCLEAN;
	if (err) {
		kfree(c);
		kvfree(cent);
		return err == -EOVERFLOW ? -EUCLEAN : err;
	}
	c->dims = d;
	c->m = c->pq.m;
	c->crc = le32_to_cpu(h->crc);
	c->blob_len = len;
	*out = c;
	return 0;
}

/* The codebook with this id, or NULL. */
const struct vexfs_cbook *vexfs_cb_find(struct super_block *sb, u32 id)
{
	struct vexfs_cbset *cs = VEXFS_SB(sb)->s_cbset;
	/* pairs with the release in vexfs_cb_store(): cb[0..count) are set */
	u32 n = cs ? smp_load_acquire(&cs->count) : 0;

	return id && id <= n ? cs->cb[id - 1] : NULL;
}

/* The newest codebook for vectors of @dims dimensions, or NULL. */
const struct vexfs_cbook *vexfs_cb_newest(struct super_block *sb, u32 dims)
{
	struct vexfs_cbset *cs = VEXFS_SB(sb)->s_cbset;
	/* pairs with the release in vexfs_cb_store(): cb[0..count) are set */
	u32 n = cs ? smp_load_acquire(&cs->count) : 0;

	while (n--)
		if (cs->cb[n]->dims == dims)
			return cs->cb[n];
	return NULL;
}

/* Whether a PQ stored form names codebook @c consistently with @dims. */
bool vexfs_cb_matches(const struct vexfs_cbook *c, u32 dims, const void *data, u32 len)
{
	const struct vexfs_pq_ref *r = data;

	return c && len == sizeof(*r) + c->m && dims == c->dims &&
	       le32_to_cpu(r->pr_codebook) == c->id && le32_to_cpu(r->pr_blob_crc) == c->crc;
}

/*
 * Encode a float32 vector (little-endian bits at @x, finite) to the PQ
 * stored form at @out (8 + m bytes). The nearest-centroid search runs under
 * kernel_fpu_begin() in sections of at most ~64K multiply-adds.
 */
int vexfs_pq_encode(const struct vexfs_cbook *c, const void *x, void *out)
{
	const struct vq_pq *pq = &c->pq;
	struct vexfs_pq_ref *r = out;
	u8 *codes = (u8 *)out + sizeof(*r);
	u32 g = max(1U, 65536U / (VQ_PQ_KSUB * pq->dsub)), j, i;
	const u8 *p = x;

	for (i = 0; i < c->dims; i++)
		if ((vq_get_le32(p + 4 * i) & 0x7f800000U) == 0x7f800000U)
			return -EINVAL;		/* NaN / inf */
	for (j = 0; j < pq->m; j += g) {
		struct vq_pq sub = {
			.m = min(g, pq->m - j),
			.dsub = pq->dsub,
			.cent_t = pq->cent_t + (size_t)j * pq->dsub * VQ_PQ_KSUB,
		};

		sub.d = sub.m * sub.dsub;
		kernel_fpu_begin();
		vq_pq_encode(&sub, (const float *)x + (size_t)j * pq->dsub, codes + j, 1);
		kernel_fpu_end();
		cond_resched();
	}
	r->pr_codebook = cpu_to_le32(c->id);
	r->pr_blob_crc = cpu_to_le32(c->crc);
	return sizeof(*r) + pq->m;
}

/* Decode a PQ stored form (checked with vexfs_cb_matches) to float32. */
void vexfs_pq_decode(const struct vexfs_cbook *c, const void *in, void *x)
{
	kernel_fpu_begin();
	vq_pq_decode(&c->pq, (const u8 *)in + sizeof(struct vexfs_pq_ref), x, 1);
	kernel_fpu_end();
}

/* ---- mount -------------------------------------------------------------- */

static bool vexfs_cb_extent_ok(struct super_block *sb, u64 start, u32 blocks)
{
	const struct vexfs_geom *g = &VEXFS_SB(sb)->s_geom;
	u32 grp = (u32)(start / g->blocks_per_group);
	u32 bit = (u32)(start % g->blocks_per_group);

	return start < g->blocks && bit >= vexfs_group_overhead(g, grp) &&
	       blocks <= vexfs_group_blocks(g, grp) - bit;
}

static int vexfs_cb_load_one(struct super_block *sb, const struct vexfs_cb_entry *e, u32 id)
{
	struct vexfs_cbset *cs = VEXFS_SB(sb)->s_cbset;
	u32 len = le32_to_cpu(e->ce_length), blocks = le32_to_cpu(e->ce_blocks);
	u64 start = le64_to_cpu(e->ce_start);
	struct vexfs_cbook *c = NULL;
	u8 *blob;
	int err;

	if (!vexfs_cb_extent_ok(sb, start, blocks))
		return vexfs_corrupt(sb, "codebook %u: extent %llu+%u overlaps group metadata",
				     id, start, blocks);
	err = vexfs_blocks_in_use(sb, start, blocks, "codebook extent");
	if (err)
		return err;
	blob = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!blob)
		return -ENOMEM;
	err = vexfs_vrec_io(NULL, sb, start, 0, blob, len, false, false);
	if (!err) {
		err = vexfs_cbook_parse(blob, len, &c);
		if (err == -EUCLEAN || err == -EOPNOTSUPP)
			err = vexfs_corrupt(sb, "codebook %u: blob at block %llu is not a valid PQ codebook",
					    id, start);
	}
	kvfree(blob);
	if (err)
		return err;
	if (c->dims != le32_to_cpu(e->ce_dims) || c->m != le32_to_cpu(e->ce_m) ||
	    c->crc != le32_to_cpu(e->ce_blob_crc)) {
		vexfs_cbook_free(c);
		return vexfs_corrupt(sb, "codebook %u: directory entry does not match its blob", id);
	}
	c->id = id;
	c->start = start;
	c->blocks = blocks;
	cs->cb[id - 1] = c;
	cs->count = id;
	return 0;
}

void vexfs_cb_unload(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_cbset *cs = sbi->s_cbset;
	u32 i;

	if (!cs)
		return;
	for (i = 0; i < cs->count; i++)
		vexfs_cbook_free(cs->cb[i]);
	kfree(cs);
	sbi->s_cbset = NULL;
}

int vexfs_cb_load(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	bool feat = le64_to_cpu(es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_CODEBOOKS;
	u64 dir = le64_to_cpu(es->s_cb_dir);
	const struct vexfs_cb_entry *e;
	struct vexfs_cbset *cs;
	struct buffer_head *bh;
	const char *why = "";
	u32 n = 0, i;
	int err;

	if (!feat && dir)
		return vexfs_corrupt(sb, "codebook directory %llu without the codebooks feature", dir);
	if (feat && !vexfs_cb_extent_ok(sb, dir, 1))
		return vexfs_corrupt(sb, "codebook directory block %llu out of range", dir);
	if (feat) {
		err = vexfs_blocks_in_use(sb, dir, 1, "codebook directory");
		if (err)
			return err;
	}
	cs = kzalloc(sizeof(*cs), GFP_KERNEL_ACCOUNT);
	if (!cs)
		return -ENOMEM;
	mutex_init(&cs->lock);
	sbi->s_cbset = cs;
	if (!feat)
		return 0;
	cs->dir = dir;
	bh = sb_bread(sb, dir);
	if (!bh) {
		err = -EIO;
		goto fail;
	}
	err = vexfs_cbdir_check(bh->b_data, sbi->s_csum_seed, sb->s_blocksize,
				sbi->s_geom.blocks, &n, &why);
	if (err) {
		brelse(bh);
		err = vexfs_corrupt(sb, "codebook directory block %llu: %s", dir, why);
		goto fail;
	}
	e = (const void *)(bh->b_data + sizeof(struct vexfs_cb_dir_header));
	for (i = 0; i < n && !err; i++)
		err = vexfs_cb_load_one(sb, &e[i], i + 1);
	brelse(bh);
	if (!err)
		return 0;
fail:
	vexfs_cb_unload(sb);
	return err;
}

/* ---- CODEBOOK_ADD ------------------------------------------------------- */

/* Blocks for the blob + the directory + 8 allocation tries (bitmap, gd) + sb. */
static int vexfs_cb_credits(struct super_block *sb, u32 blocks)
{
	return blocks + 1 + 8 * 2 * 2 + 2 + 4;
}

/* @blob holds c->blocks whole blocks (zero past c->blob_len). */
static int vexfs_cb_store(handle_t *handle, struct inode *inode, struct vexfs_cbook *c,
			  const u8 *blob)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	struct vexfs_cbset *cs = sbi->s_cbset;
	struct buffer_head *dbh = NULL;
	struct vexfs_cb_entry *e;
	u64 start, dir = cs->dir;
	bool new_dir = !dir;
	u32 cnt;
	int err;

	if (cs->count >= VEXFS_CB_MAX)
		return -ENOSPC;
	c->blocks = DIV_ROUND_UP(c->blob_len, sb->s_blocksize);
	cnt = c->blocks;
	err = vexfs_new_run(handle, inode, 0, c->blocks, &cnt, &start);
	if (err)
		return err;
	if (new_dir) {
		cnt = 1;
		err = vexfs_new_run(handle, inode, 0, 1, &cnt, &dir);
		if (err)
			goto free_blob;
		dbh = sb_getblk(sb, dir);
		if (!dbh) {
			err = -ENOMEM;
			goto free_dir;
		}
		lock_buffer(dbh);
		err = vexfs_journal_get_create_access(handle, sb, dbh);
		if (!err) {
			memset(dbh->b_data, 0, sb->s_blocksize);
			set_buffer_uptodate(dbh);
		}
		unlock_buffer(dbh);
	} else {
		dbh = sb_bread(sb, dir);
		err = dbh ? vexfs_journal_get_write_access(handle, sb, dbh) : -EIO;
	}
	if (!err)
		err = vexfs_journal_get_write_access(handle, sb, sbi->s_sbh);
	if (!err)
		err = vexfs_vrec_io(handle, sb, start, 0, (void *)blob,
				    c->blocks * sb->s_blocksize, true, true);
	if (err)
		goto free_dir;

	/* nothing fails from here on */
	c->id = cs->count + 1;
	c->start = start;
	lock_buffer(dbh);
	e = (struct vexfs_cb_entry *)(dbh->b_data + sizeof(struct vexfs_cb_dir_header)) +
	    (c->id - 1);
	e->ce_id = cpu_to_le32(c->id);
	e->ce_dims = cpu_to_le32(c->dims);
	e->ce_m = cpu_to_le32(c->m);
	e->ce_blob_crc = cpu_to_le32(c->crc);
	e->ce_start = cpu_to_le64(start);
	e->ce_length = cpu_to_le32(c->blob_len);
	e->ce_blocks = cpu_to_le32(c->blocks);
	((struct vexfs_cb_dir_header *)dbh->b_data)->cd_count = cpu_to_le32(c->id);
	vexfs_cbdir_seal(dbh->b_data, sbi->s_csum_seed);
	unlock_buffer(dbh);
	err = vexfs_journal_dirty(handle, sb, dbh);
	brelse(dbh);
	lock_buffer(sbi->s_sbh);
	es->s_cb_dir = cpu_to_le64(dir);
	es->s_feature_incompat |= cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
	es->s_checksum = cpu_to_le32(vexfs_sb_csum(es));
	unlock_buffer(sbi->s_sbh);
	if (!err)
		err = vexfs_journal_dirty(handle, sb, sbi->s_sbh);
	cs->dir = dir;
	cs->cb[c->id - 1] = c;
	/* publish: readers see cb[id - 1] once they see the count */
	smp_store_release(&cs->count, c->id);
	return err;

free_dir:
	brelse(dbh);
	if (new_dir)
		vexfs_free_blocks(handle, inode, dir, 1, true);
free_blob:
	vexfs_free_blocks(handle, inode, start, c->blocks, true);
	return err;
}

long vexfs_ioc_cb_add(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file);
	struct super_block *sb = inode->i_sb;
	struct vexfs_cbset *cs = VEXFS_SB(sb)->s_cbset;
	journal_t *journal = VEXFS_SB(sb)->s_journal;
	struct vexfs_ioc_codebook_add a;
	struct vexfs_cbook *c = NULL;
	handle_t *handle;
	u8 *blob = NULL;
	u32 usize, blocks;
	long err, err2;

	err = vexfs_copy_arg(&a, sizeof(a), uarg, &usize);
	if (err)
		return err;
	if (a.flags || a.id)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (a.blob_len < sizeof(struct vq_blob_hdr) ||
	    a.blob_len > vq_pq_blob_size(VEXFS_CB_MAX_DIMS))
		return -EINVAL;
	if (!a.blob)
		return -EFAULT;
	/* fail before storing anything if the id cannot be returned */
	if (put_user(0U, (u32 __user *)((u8 __user *)uarg +
					offsetof(struct vexfs_ioc_codebook_add, id))))
		return -EFAULT;
	err = mnt_want_write_file(file);
	if (err)
		return err;
	/* whole blocks, zero past the blob: the extent is written in full */
	blob = kvzalloc(round_up(a.blob_len, sb->s_blocksize), GFP_KERNEL_ACCOUNT);
	if (!blob) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(blob, u64_to_user_ptr(a.blob), a.blob_len)) {
		err = -EFAULT;
		goto out;
	}
	err = vexfs_cbook_parse(blob, a.blob_len, &c);
	if (err) {
		if (err == -EUCLEAN)
			err = -EINVAL;
		goto out;
	}
	blocks = DIV_ROUND_UP(a.blob_len, sb->s_blocksize);
	/* jbd2 would refuse a larger handle with a warning (revokes included) */
	if (vexfs_cb_credits(sb, blocks) +
	    DIV_ROUND_UP(blocks + 1, journal->j_revoke_records_per_block) >
	    vexfs_jbd2_max_handle_credits(journal)) {
		vexfs_msg(sb, "codebook of %u bytes does not fit one journal transaction (%d blocks)",
			  a.blob_len, vexfs_jbd2_max_handle_credits(journal));
		err = -EFBIG;
		goto out;
	}
	handle = vexfs_journal_start_revoke(sb, vexfs_cb_credits(sb, blocks), blocks + 1);
	if (IS_ERR(handle)) {
		err = PTR_ERR(handle);
		goto out;
	}
	mutex_lock(&cs->lock);
	/* on success the set owns c (c->id != 0) */
	err = vexfs_forced_shutdown(sb) ? -EIO : vexfs_cb_store(handle, inode, c, blob);
	mutex_unlock(&cs->lock);
	err2 = vexfs_journal_stop(handle);
	if (!err)
		err = err2;
	if (!err && put_user(c->id, (u32 __user *)((u8 __user *)uarg +
						   offsetof(struct vexfs_ioc_codebook_add, id))))
		err = -EFAULT;
out:
	if (c && !c->id)
		vexfs_cbook_free(c);
	kvfree(blob);
	mnt_drop_write_file(file);
	return err;
}

/* ---- CODEBOOK_GET ------------------------------------------------------- */

long vexfs_ioc_cb_get(struct file *file, void __user *uarg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct vexfs_cbset *cs = VEXFS_SB(sb)->s_cbset;
	const struct vexfs_cbook *c;
	struct vexfs_ioc_codebook_get g;
	u8 *blob = NULL;
	u32 usize;
	long err;

	err = vexfs_copy_arg(&g, sizeof(g), uarg, &usize);
	if (err)
		return err;
	if (g.flags)
		return -EINVAL;
	/* pairs with the release in vexfs_cb_store() */
	g.count = smp_load_acquire(&cs->count);
	if (!g.id) {
		g.blob_len = 0;
		g.dims = 0;
		g.m = 0;
		g.blob_crc = 0;
		return copy_to_user(uarg, &g, sizeof(g)) ? -EFAULT : 0;
	}
	c = vexfs_cb_find(sb, g.id);
	if (!c)
		return -ENOENT;
	if (g.blob) {
		if (g.blob_len < c->blob_len) {
			err = -ERANGE;
		} else {
			blob = kvmalloc(c->blob_len, GFP_KERNEL_ACCOUNT);
			if (!blob)
				return -ENOMEM;
			err = vexfs_vrec_io(NULL, sb, c->start, 0, blob, c->blob_len, false, false);
			if (!err && copy_to_user(u64_to_user_ptr(g.blob), blob, c->blob_len))
				err = -EFAULT;
			kvfree(blob);
		}
	}
	g.blob_len = c->blob_len;
	g.dims = c->dims;
	g.m = c->m;
	g.blob_crc = c->crc;
	if (err && err != -ERANGE)
		return err;
	if (copy_to_user(uarg, &g, sizeof(g)))
		return -EFAULT;
	return err;
}
