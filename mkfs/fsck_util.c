// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_util.c - helpers of every pass of fsck.vexfs: allocation (exit 8 when
 * memory runs out), block reads and writes, inodes read from and updated in
 * the inode tables.
 */
#include <stdlib.h>
#include <string.h>
#include "fsck.h"

/* ---- memory ------------------------------------------------------------- */

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		vx_die_code(FSCK_ERROR, "out of memory (%zu x %zu bytes)", n, sz);
	return p;
}

void *xgrow(void *p, u64 *cap, u64 need, size_t sz)
{
	u64 n = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n * sz);
	if (!p)
		vx_die_code(FSCK_ERROR, "out of memory (%llu records)", (unsigned long long)n);
	*cap = n;
	return p;
}

/* ---- I/O ---------------------------------------------------------------- */

/* Take @data (malloc'ed) as the content of block @blk (journal replay, -n). */
void overlay_put(struct fsck *f, u64 blk, u8 *data)
{
	f->ov = xgrow(f->ov, &f->capov, f->nov + 1, sizeof(*f->ov));
	f->ov[f->nov].blk = blk;
	f->ov[f->nov].order = f->nov;
	f->ov[f->nov++].data = data;
}

static int ovl_cmp(const void *a, const void *b)
{
	const struct ovl *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort by block and keep the last copy of each. */
void overlay_finish(struct fsck *f)
{
	u64 i, n = 0;

	if (!f->nov)
		return;
	qsort(f->ov, f->nov, sizeof(*f->ov), ovl_cmp);
	for (i = 0; i < f->nov; i++) {
		if (i + 1 < f->nov && f->ov[i + 1].blk == f->ov[i].blk) {
			free(f->ov[i].data);
			continue;
		}
		f->ov[n++] = f->ov[i];
	}
	f->nov = n;
}

void overlay_free(struct fsck *f)
{
	u64 i;

	for (i = 0; i < f->nov; i++)
		free(f->ov[i].data);
	free(f->ov);
	f->ov = NULL;
	f->nov = f->capov = 0;
}

/* pread through the overlay: what the check reads is what the replay leaves. */
int fsck_pread(struct fsck *f, void *buf, size_t len, u64 off)
{
	u64 lo = 0, hi = f->nov, first = off >> f->bits;
	int err = vx_pread(f->fd, buf, len, off);

	if (err || !f->nov)
		return err;
	while (lo < hi) {	/* the first overlay block at or after first */
		u64 mid = (lo + hi) / 2;

		if (f->ov[mid].blk < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nov && (f->ov[lo].blk << f->bits) < off + len; lo++) {
		u64 b0 = f->ov[lo].blk << f->bits, s = b0 > off ? b0 : off;
		u64 e = b0 + f->bs < off + len ? b0 + f->bs : off + len;

		memcpy((u8 *)buf + (s - off), f->ov[lo].data + (s - b0), e - s);
	}
	return 0;
}

int rd(struct fsck *f, u64 blk, void *buf, const char *what)
{
	int err;

	if (blk >= f->g.blocks)
		return -ERANGE;
	err = fsck_pread(f, buf, f->bs, blk << f->bits);
	if (err) {
		prob(f, P_NOFIX, "cannot read %s (block %llu): %s", what,
		     (unsigned long long)blk, strerror(-err));
		f->incomplete = true;
	}
	return err;
}

void wr(struct fsck *f, u64 blk, const void *buf)
{
	int err = vx_pwrite(f->fd, buf, f->bs, blk << f->bits);

	if (err)
		vx_die_code(FSCK_ERROR, "write of block %llu failed: %s",
			    (unsigned long long)blk, strerror(-err));
	if (f->itblk == blk)
		f->itblk = 0;
}

/* ---- inodes on disk ----------------------------------------------------- */

int inode_loc(struct fsck *f, u64 ino, u64 *blk, u32 *off)
{
	u32 grp, idx;

	if (ino < 1 || ino > f->g.inodes)
		return -ERANGE;
	grp = (u32)((ino - 1) / f->g.inodes_per_group);
	idx = (u32)((ino - 1) % f->g.inodes_per_group);
	*blk = f->git[grp] + idx / f->g.inodes_per_block;
	*off = (idx % f->g.inodes_per_block) * VEXFS_INODE_SIZE;
	return 0;
}

int read_inode(struct fsck *f, u64 ino, struct vexfs_inode *raw)
{
	u64 blk;
	u32 off;

	if (inode_loc(f, ino, &blk, &off))
		return -ERANGE;
	if (f->itblk != blk) {
		f->itblk = 0;
		if (rd(f, blk, f->itbuf, "inode table"))
			return -EIO;
		f->itblk = blk;
	}
	memcpy(raw, f->itbuf + off, sizeof(*raw));
	return 0;
}

/* Update inode @ino on disk as @what (IU_*) says, with its checksum; not with -n. */
void inode_update(struct fsck *f, u64 ino, int what, u64 val)
{
	struct vexfs_inode *raw;
	u64 blk;
	u32 off, gen;

	if (f->mode == MODE_CHECK || inode_loc(f, ino, &blk, &off))
		return;
	f->itblk = 0;
	if (rd(f, blk, f->itbuf, "inode table"))
		return;
	raw = (struct vexfs_inode *)(f->itbuf + off);
	switch (what) {
	case IU_LINKS:
		raw->i_links = cpu_to_le32((u32)val);
		break;
	case IU_BLOCKS:
		raw->i_blocks = cpu_to_le64(val);
		break;
	case IU_ORPHAN_NEXT:
		raw->i_orphan_next = cpu_to_le64(val);
		break;
	case IU_SIZE:
		raw->i_size = cpu_to_le64(val);
		break;
	case IU_VEC_COUNT:
		raw->i_vec_count = cpu_to_le32((u32)val);
		break;
	case IU_VEC_HEAD:
		raw->i_vec_head = cpu_to_le64(val);
		break;
	case IU_CLEAR:
		gen = le32_to_cpu(raw->i_generation);
		memset(raw, 0, sizeof(*raw));
		raw->i_generation = cpu_to_le32(gen);
		break;
	}
	raw->i_checksum = cpu_to_le32(vexfs_inode_csum(f->seed, ino, raw));
	wr(f, blk, f->itbuf);
}
