// SPDX-License-Identifier: GPL-2.0
/*
 * ann_index.c - VEXFS_IOC_INDEX: create (the code range, the descriptor,
 * the build over the stored vectors), drop and describe the filesystem's
 * graph ANN index. The index itself (nodes, journaled inserts, searches) is
 * ann.c's.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/buffer_head.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "vector.h"
#include "ann.h"
#include "core/vann.h"
#include "vexfs/vexfs_ioctl.h"

/* ---- INDEX: create, drop, stats ------------------------------------------------ */

/* a finite binary32 */
static bool vexfs_ann_finite(u32 bits)
{
	return ((bits >> 23) & 0xff) != 0xff;
}

/* finite binary32 @a < @b, on their bits (no FPU section needed) */
static bool vexfs_ann_f32_less(u32 a, u32 b)
{
	s64 ka = a >> 31 ? -(s64)(a & 0x7fffffff) : a;
	s64 kb = b >> 31 ? -(s64)(b & 0x7fffffff) : b;

	return ka < kb;
}

/*
 * The value range of the collection's vectors (of their unit vectors for a
 * cosine index), for the quantizer: one pass over the vectors (no lock held
 * but the store's, a record at a time).
 * -ENODATA when the collection has no vector.
 */
static int vexfs_ann_range(struct super_block *sb, struct vexfs_ann *probe, void *rec,
			   float *f32, u32 *lo, u32 *hi)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	u64 id, end = READ_ONCE(vs->next_id), seen = 0;
	int err = 0;

	*lo = 0x7f800000;	/* +inf */
	*hi = 0xff800000;	/* -inf */
	for (id = 1; id < end && !err; id++) {
		const struct vexfs_vec_header *h = rec;
		const struct vexfs_vec_meta *m = (const void *)(h + 1);
		struct vexfs_vent *v;
		u64 chunk = 0, ino = 0;
		u32 off = 0, len = 0, comp;
		const char *why = "";

		rcu_read_lock();
		v = vexfs_vindex_lookup(&vs->index, id);
		if (v) {
			chunk = READ_ONCE(v->chunk)->start;
			off = v->offset;
			len = v->length;
			ino = v->ino;
		}
		rcu_read_unlock();
		if (!v)
			continue;
		mutex_lock(&vs->lock);
		err = vexfs_vrec_io(NULL, sb, chunk, off, rec, len, false, false);
		mutex_unlock(&vs->lock);
		if (err)
			break;
		if (vexfs_vec_rec_validate(rec, len, VEXFS_SB(sb)->s_csum_seed, id, ino, &why))
			continue;	/* replaced or removed meanwhile, or bad: not counted */
		if (!vexfs_ann_wants(probe, le16_to_cpu(h->vh_dtype), le32_to_cpu(h->vh_dimensions),
				     m->vm_model))
			continue;
		comp = le16_to_cpu(h->vh_compression);
		if (comp != VEXFS_COMP_NONE) {
			err = vexfs_vec_decompress(sb, id, VEXFS_DT_F32, comp, probe->dims,
						   (u8 *)rec + VEXFS_VEC_REC_HDR,
						   le32_to_cpu(h->vh_compressed_size), f32);
			if (err)
				break;
		} else {
			memcpy(f32, (u8 *)rec + VEXFS_VEC_REC_HDR, probe->dims * sizeof(float));
		}
		kernel_fpu_begin();
		if (probe->metric == VEXFS_ANN_METRIC_COS)
			vq_f32_minmax_unit(f32, probe->dims, lo, hi);
		else
			vq_f32_minmax(f32, probe->dims, lo, hi);
		kernel_fpu_end();
		seen++;
		if (!(id % 64)) {
			cond_resched();
			if (fatal_signal_pending(current))
				err = -EINTR;
		}
	}
	if (!err && !seen)
		err = -ENODATA;
	return err;
}

static int vexfs_ann_sb_update(handle_t *handle, struct super_block *sb, u32 gen)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *es = sbi->s_es;
	int err = vexfs_journal_get_write_access(handle, sb, sbi->s_sbh);

	if (err)
		return err;
	lock_buffer(sbi->s_sbh);
	es->s_feature_incompat |= cpu_to_le64(VEXFS_FEATURE_INCOMPAT_ANN);
	es->s_ann_ino = cpu_to_le64(VEXFS_ANN_INO);
	es->s_ann_gen = cpu_to_le32(gen);
	es->s_checksum = cpu_to_le32(vexfs_sb_csum(es));
	unlock_buffer(sbi->s_sbh);
	return vexfs_journal_dirty(handle, sb, sbi->s_sbh);
}

/*
 * Start an index: the inode (the first time), the superblock's generation
 * and the descriptor, in one handle. Caller holds vs->ann_lock exclusive.
 */
static int vexfs_ann_begin(struct super_block *sb, const struct vexfs_ioc_index *a, u32 lo,
			   u32 step, struct vexfs_ann **out)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	u32 gen = le32_to_cpu(sbi->s_es->s_ann_gen) + 1, i;
	struct vexfs_ann_desc *d;
	struct buffer_head *dbh = NULL;
	struct inode *inode = NULL;
	handle_t *handle;
	int err, err2;

	if (!gen)
		return -ENOSPC;		/* 2^32 indexes made: generations ran out */
	handle = vexfs_journal_start(sb, 2 + VEXFS_CREDITS_INODE + VEXFS_CREDITS_BLOCK + 2);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	err = 0;
	if (!(le64_to_cpu(sbi->s_es->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_ANN))
		err = vexfs_internal_inode_init(handle, sb, VEXFS_ANN_INO);
	if (!err)
		err = vexfs_ann_sb_update(handle, sb, gen);
	if (err)
		goto stop;
	inode = vexfs_iget_internal(sb, VEXFS_ANN_INO);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		inode = NULL;
		goto stop;
	}
	if (!S_ISREG(inode->i_mode) || inode->i_nlink != 1 || i_size_read(inode) ||
	    inode->i_blocks) {
		err = vexfs_corrupt(sb, "ANN index inode is not an empty internal file");
		goto stop;
	}
	dbh = vexfs_bread(handle, inode, 0, true);
	if (IS_ERR_OR_NULL(dbh)) {
		err = dbh ? PTR_ERR(dbh) : -EIO;
		dbh = NULL;
		goto stop;
	}
	lock_buffer(dbh);
	d = (void *)dbh->b_data;
	d->ad_magic = cpu_to_le32(VEXFS_ANN_MAGIC);
	d->ad_version = cpu_to_le32(VEXFS_ANN_VERSION);
	d->ad_gen = cpu_to_le32(gen);
	d->ad_state = cpu_to_le32(VEXFS_ANN_BUILDING);
	d->ad_dims = cpu_to_le32(a->dims);
	d->ad_metric = cpu_to_le16(a->metric);
	d->ad_dtype = cpu_to_le16(VEXFS_DT_F32);
	d->ad_r = cpu_to_le16(a->r);
	d->ad_alpha = cpu_to_le16(a->alpha);
	d->ad_ef_construction = cpu_to_le16(a->ef_construction);
	d->ad_node_size = cpu_to_le16(vexfs_ann_node_size(a->r, a->dims));
	d->ad_lo = cpu_to_le32(lo);
	d->ad_step = cpu_to_le32(step);
	d->ad_entry = cpu_to_le32(VGRAPH_NONE);
	d->ad_free = cpu_to_le32(VGRAPH_NONE);
	memcpy(d->ad_model, a->model, sizeof(d->ad_model));
	d->ad_build_next = cpu_to_le64(1);
	d->ad_build_end = cpu_to_le64(READ_ONCE(vs->next_id));
	for (i = 0; i < VEXFS_ANN_MAX_SEEDS; i++)
		d->ad_seeds[i] = 0;
	vexfs_ann_desc_seal(d, sbi->s_csum_seed);
	unlock_buffer(dbh);
	err = vexfs_journal_dirty(handle, sb, dbh);
	if (!err) {
		i_size_write(inode, sb->s_blocksize);
		err = vexfs_mark_inode_dirty(handle, inode);
	}
stop:
	err2 = vexfs_journal_stop(handle);
	err = err ? err : err2;
	if (!err) {
		err = vexfs_ann_setup(sb, inode, dbh, out);
		dbh = NULL;	/* taken, or released on failure */
		if (!err)
			inode = NULL;
	}
	brelse(dbh);
	iput(inode);
	return err;
}

/*
 * Insert vector @id into @ax if it belongs to the collection and is not
 * indexed yet: one handle. 1 when inserted, 0 when not, or -errno.
 */
static int vexfs_ann_build_one(struct super_block *sb, struct vexfs_ann *ax, u64 id, void *rec,
			       float *f32)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_vstore *vs = sbi->s_vstore;
	struct vexfs_vec_header *h = rec;
	struct vexfs_vec_meta *m = (void *)(h + 1);
	u32 len, bs = sb->s_blocksize;
	struct vexfs_vent *v;
	const char *why = "";
	handle_t *handle;
	u64 chunk, ref;
	int err, err2, ret = 0;

	handle = vexfs_journal_start(sb, vexfs_ann_credits(ax) + 2 +
				     DIV_ROUND_UP(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, bs) + 1);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	mutex_lock(&vs->lock);
	v = vexfs_vindex_lookup(&vs->index, id);
	if (!v)
		goto unlock;
	chunk = v->chunk->start;
	len = v->length;
	err = vexfs_vrec_io(NULL, sb, chunk, v->offset, rec, len, false, false);
	if (err)
		goto fail;
	if (vexfs_vec_rec_validate(rec, len, sbi->s_csum_seed, id, v->ino, &why)) {
		err = vexfs_corrupt(sb, "vector %llu (chunk %llu + %u): %s: not indexed", id, chunk,
				    v->offset, why);
		goto unlock;	/* reported; the rest of the index is built */
	}
	if (!vexfs_ann_wants(ax, le16_to_cpu(h->vh_dtype), le32_to_cpu(h->vh_dimensions),
			     m->vm_model) ||
	    vexfs_ann_ref_slot(le64_to_cpu(m->vm_ann), ax->gen) != VEXFS_ANN_NO_SLOT)
		goto unlock;
	err = vexfs_ann_insert_prepare(handle, ax, id, le16_to_cpu(h->vh_compression),
				       (u8 *)rec + VEXFS_VEC_REC_HDR,
				       le32_to_cpu(h->vh_compressed_size), f32, &ref);
	if (err)
		goto fail;
	/* the record names its node: rewritten in place, in the same handle */
	m->vm_ann = cpu_to_le64(ref);
	h->vh_checksum = cpu_to_le32(vexfs_vec_rec_csum(sbi->s_csum_seed, rec, len));
	err = vexfs_vrec_io(handle, sb, chunk, v->offset, rec, len, true, false);
	if (err) {
		vexfs_ann_insert_cancel(ax);
		goto fail;
	}
	err = vexfs_ann_insert_commit(handle, ax, id);
	if (!err)
		err = vexfs_ann_reclaim(handle, ax);
	if (!err) {
		vexfs_ann_desc_dirty_prep(ax);
		ax->d->ad_build_next = cpu_to_le64(id + 1);
		err = vexfs_ann_desc_dirty(handle, ax);
	}
	if (err)
		goto fail;
	ret = 1;
	goto unlock;
fail:
	ret = err;
unlock:
	mutex_unlock(&vs->lock);
	err2 = vexfs_journal_stop(handle);
	return ret < 0 ? ret : err2 ? err2 : ret;
}

/*
 * Index every vector of the collection stored before the index began (ids
 * below @end), then mark it ready. Each step checks that @ax is still the
 * index under vs->ann_lock (a drop may come at any time).
 */
static int vexfs_ann_build(struct super_block *sb, struct vexfs_ann *ax, u32 dims, u64 end,
			   u64 *indexed)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	handle_t *handle;
	void *rec;
	float *f32;
	int err = 0, ret;
	u64 id;

	rec = kvmalloc(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, GFP_KERNEL_ACCOUNT);
	f32 = kvmalloc_array(dims, sizeof(float), GFP_KERNEL_ACCOUNT);
	if (!rec || !f32) {
		err = -ENOMEM;
		goto out;
	}
	for (id = 1; id <= end && !err; id++) {
		down_read(&vs->ann_lock);
		if (vs->ann != ax) {
			err = -ECANCELED;	/* dropped meanwhile */
		} else if (id < end) {
			ret = vexfs_ann_build_one(sb, ax, id, rec, f32);
			if (ret < 0)
				err = ret;
			else
				*indexed += ret;
		} else {
			/* done: ready for searches */
			handle = vexfs_journal_start(sb, 1);
			if (IS_ERR(handle)) {
				err = PTR_ERR(handle);
			} else {
				err = vexfs_journal_get_write_access(handle, sb, ax->dbh);
				if (!err) {
					down_write(&ax->sem);
					vexfs_ann_desc_dirty_prep(ax);
					ax->d->ad_state = cpu_to_le32(VEXFS_ANN_READY);
					ax->d->ad_build_next = 0;
					ax->d->ad_build_end = 0;
					err = vexfs_ann_desc_dirty(handle, ax);
					up_write(&ax->sem);
				}
				ret = vexfs_journal_stop(handle);
				err = err ? err : ret;
			}
		}
		up_read(&vs->ann_lock);
		cond_resched();
		if (!err && id < end && fatal_signal_pending(current))
			err = -EINTR;
	}
out:
	kvfree(rec);
	kvfree(f32);
	return err;
}

/* Remove the index (caller holds vs->ann_lock exclusive). */
static int vexfs_ann_drop(struct super_block *sb)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ann *ax = vs->ann;
	struct inode *inode;
	handle_t *handle;
	int err, err2;

	if (!ax)
		return -ENOENT;
	inode = igrab(ax->inode);
	if (!inode)
		return -EIO;
	/* one handle makes the index gone (size 0); its blocks follow */
	handle = vexfs_journal_start(sb, VEXFS_CREDITS_INODE);
	if (IS_ERR(handle)) {
		iput(inode);
		return PTR_ERR(handle);
	}
	i_size_write(inode, 0);
	err = vexfs_mark_inode_dirty(handle, inode);
	err2 = vexfs_journal_stop(handle);
	err = err ? err : err2;
	if (err) {
		iput(inode);
		return err;
	}
	vs->ann = NULL;
	vexfs_ann_free(ax);
	err = vexfs_truncate_blocks(inode, 0);
	iput(inode);
	return err;
}

static void vexfs_ann_stats(struct vexfs_ann *ax, struct vexfs_ioc_index *a)
{
	struct vexfs_ann_desc *d = ax->d;
	u32 step = ax->step;

	down_read(&ax->sem);
	a->state = le32_to_cpu(d->ad_state);
	a->dims = ax->dims;
	a->metric = ax->metric;
	a->r = ax->r;
	a->alpha = ax->alpha;
	a->ef_construction = ax->ef_c;
	a->lo = ax->lo;
	kernel_fpu_begin();
	a->hi = vq_u8_hi(ax->lo, step);
	kernel_fpu_end();
	memcpy(a->model, ax->model, sizeof(a->model));
	a->node_size = ax->node_size;
	a->nodes = le32_to_cpu(d->ad_nslots) - le32_to_cpu(d->ad_nfree);
	a->live = le32_to_cpu(d->ad_nlive);
	a->bytes = (u64)ax->inode->i_blocks << 9;
	up_read(&ax->sem);
}

static long vexfs_ann_create(struct super_block *sb, struct vexfs_ioc_index *a)
{
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ann probe = { .sb = sb };
	struct vexfs_ann *ax = NULL;
	u32 lo = a->lo, hi = a->hi, step;
	void *rec = NULL;
	float *f32 = NULL;
	u64 indexed = 0, end = 0;
	long err;

	if (!a->r)
		a->r = 32;
	if (!a->alpha)
		a->alpha = 110;	/* Documentation/ann-index.rst, "Parameters" */
	if (!a->ef_construction)
		a->ef_construction = 200;
	if (a->flags & ~VEXFS_INDEX_FLAGS || a->metric > VEXFS_ANN_METRIC_MAX ||
	    vgraph_check_params(a->dims, a->r, a->alpha, a->ef_construction) ||
	    vexfs_ann_node_size(a->r, a->dims) > sb->s_blocksize)
		return -EINVAL;
	if (a->flags & VEXFS_INDEX_RANGE) {
		if (!vexfs_ann_finite(lo) || !vexfs_ann_finite(hi) || !vexfs_ann_f32_less(lo, hi))
			return -EINVAL;
	} else {
		probe.dims = a->dims;
		probe.metric = a->metric;
		memcpy(probe.model, a->model, sizeof(probe.model));
		rec = kvmalloc(VEXFS_VEC_REC_HDR + VEXFS_VEC_MAX_DATA, GFP_KERNEL_ACCOUNT);
		f32 = kvmalloc_array(a->dims, sizeof(float), GFP_KERNEL_ACCOUNT);
		err = rec && f32 ? vexfs_ann_range(sb, &probe, rec, f32, &lo, &hi) : -ENOMEM;
		kvfree(rec);
		kvfree(f32);
		if (err)
			return err;
	}
	kernel_fpu_begin();
	if (a->metric == VEXFS_ANN_METRIC_IP)
		vq_u8_symmetric(&lo, &hi);	/* the code's inner-product key needs it */
	step = vq_u8_step(lo, hi);
	kernel_fpu_end();

	down_write(&vs->ann_lock);
	err = vs->ann ? -EEXIST : vexfs_ann_begin(sb, a, lo, step, &ax);
	if (!err) {
		vs->ann = ax;
		end = le64_to_cpu(ax->d->ad_build_end);
	}
	up_write(&vs->ann_lock);
	if (err)
		return err;
	err = vexfs_ann_build(sb, ax, a->dims, end, &indexed);
	down_write(&vs->ann_lock);
	if (vs->ann != ax) {
		err = -ECANCELED;	/* dropped by another caller */
	} else if (err) {
		/* all or nothing: a build cut short takes its index with it */
		long err2 = vexfs_ann_drop(sb);

		if (err2)
			vexfs_msg(sb, "ANN index: the build failed (%ld) and so did its drop (%ld)",
				  err, err2);
	} else {
		vexfs_ann_stats(ax, a);
		a->indexed = indexed;
	}
	up_write(&vs->ann_lock);
	return err;
}

long vexfs_ioc_index(struct file *file, void __user *uarg)
{
	struct super_block *sb = file_inode(file)->i_sb;
	struct vexfs_vstore *vs = VEXFS_SB(sb)->s_vstore;
	struct vexfs_ioc_index a;
	u32 usize;
	long err;

	err = vexfs_copy_arg(&a, sizeof(a), uarg, &usize);
	if (err)
		return err;
	switch (a.op) {
	case VEXFS_INDEX_STATS:
		if (a.flags)
			return -EINVAL;
		/* every field but size and op is an answer */
		a = (struct vexfs_ioc_index){ .size = a.size, .op = a.op };
		down_read(&vs->ann_lock);
		if (vs->ann)
			vexfs_ann_stats(vs->ann, &a);
		up_read(&vs->ann_lock);
		break;
	case VEXFS_INDEX_CREATE:
	case VEXFS_INDEX_DROP:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (a.op == VEXFS_INDEX_DROP && a.flags)
			return -EINVAL;
		err = mnt_want_write_file(file);
		if (err)
			return err;
		if (a.op == VEXFS_INDEX_CREATE) {
			err = vexfs_ann_create(sb, &a);
		} else {
			down_write(&vs->ann_lock);
			err = vexfs_ann_drop(sb);
			up_write(&vs->ann_lock);
		}
		mnt_drop_write_file(file);
		if (err)
			return err;
		break;
	default:
		return -EINVAL;
	}
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}
