// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_codebooks.c - PQ codebooks (INCOMPAT_CODEBOOKS), checked in pass 4
 * before the vector chunks: the directory block s_cb_dir, every codebook's
 * extent and blob, the codebook reference of PQ records, the padding after
 * the directory's entries and after each blob.
 *
 * PQ codebooks cannot be rebuilt (they are trained from data the filesystem
 * does not keep), and their ids and CRCs are what PQ records name. So a
 * codebook directory that fails its checks, a blob that fails vq_pq_load()
 * or does not match its entry, and an extent outside one group's data area
 * or overlapping metadata, an inode or another codebook are reported and left
 * as they are (exit 4; the kernel will not mount the filesystem until, e.g.,
 * the blob is restored from a copy saved with "vexctl codebook get"), and no
 * block is freed in that run (where a damaged codebook really lies is not
 * sure). While the directory is unusable, PQ records are not checked against
 * codebooks; records naming a codebook whose blob is damaged are kept (they
 * decode again once it is restored). A PQ record whose reference does not
 * match a sound codebook (no such id, another blob CRC, dims or m) can never
 * be decoded: like any unusable record, -y and -p clear its entry. A vector
 * chunk that overlaps a codebook is cleared by -y, as one that overlaps an
 * inode. s_cb_dir set without the codebooks feature: a directory that passes
 * every check keeps its codebooks (the feature is set again), anything else
 * is dropped (s_cb_dir cleared; PQ records then name missing codebooks).
 * Non-zero bytes after the directory's entries or after a blob are zeroed,
 * unless a vector chunk still claims that block.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/vrec.h"
#include "vexfs/vq.h"
#include "fsck.h"

/* Why the extent [s, s + n) is not inside one group's data area, or NULL. */
static const char *extent_place(struct fsck *f, u64 s, u64 n)
{
	u64 blk;

	if (!s || !n || s >= f->g.blocks || n > f->g.blocks - s)
		return "lies outside the filesystem";
	if ((s + n - 1) / f->g.blocks_per_group != s / f->g.blocks_per_group)
		return "crosses a block group boundary";
	for (blk = s; blk < s + n; blk++)
		if (is_meta(f, blk))
			return "lies in a fixed metadata area";
	return NULL;
}

/* The codebook directory or codebook (counted so far) holding @blk, or NULL. */
const char *cb_owner(struct fsck *f, u64 blk)
{
	static char buf[48];
	u32 i;

	if (f->cb_dir && blk == f->cb_dir)
		return "the codebook directory";
	for (i = 0; i < f->ncb; i++) {
		const struct cbk *c = &f->cb[i];

		if (c->marked && blk >= c->start && blk - c->start < c->blocks) {
			snprintf(buf, sizeof(buf), "codebook %u", i + 1);
			return buf;
		}
	}
	return NULL;
}

/* Whether @n bytes at @p are all zero. */
static bool all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/*
 * Codebook @id's blob: vq_pq_load() (magic, version, CRC, sizes, finite
 * centroids) and its header against the entry; zero padding after it.
 */
static void cb_blob_check(struct fsck *f, struct cbk *c, u32 id)
{
	size_t tot = (size_t)c->blocks << f->bits;
	u8 *buf = xcalloc(tot, 1);
	float *cent = xcalloc(vq_pq_codebook_floats(c->dims), sizeof(float));
	const char *why = NULL;
	struct vq_pq pq;
	int err;

	err = fsck_pread(f, buf, tot, c->start << f->bits);
	if (err) {
		prob(f, P_NOFIX, "cannot read codebook %u (blocks %llu+%u): %s", id,
		     (unsigned long long)c->start, c->blocks, strerror(-err));
		c->bad = true;
		goto out;
	}
	err = vq_pq_load(&pq, buf, c->length, cent, c->dims);
	if (err == -EOPNOTSUPP)
		why = "has an unknown format version";
	else if (err == -EOVERFLOW)
		why = "has more dimensions than its directory entry";
	else if (err)
		why = "is corrupt (magic, CRC, sizes or a centroid that is not finite)";
	else if (pq.d != c->dims || pq.m != c->m ||
		 vq_get_le32(buf + offsetof(struct vq_blob_hdr, crc)) != c->crc)
		why = "does not match its directory entry (dims, m or CRC)";
	if (why) {
		prob(f, P_NOFIX, "codebook %u (blocks %llu+%u): its blob %s; %s", id,
		     (unsigned long long)c->start, c->blocks, why,
		     err ? "a codebook cannot be rebuilt: restore the blob (as saved by vexctl codebook get) to these blocks" :
		     "the entry or the blob is wrong, and neither can be rebuilt");
		c->bad = true;
		goto out;
	}
	c->pad = !all_zero(buf + c->length, tot - c->length);
out:
	free(cent);
	free(buf);
}

/*
 * The codebook directory and every codebook (see the comment at the top for
 * what is repaired). Their blocks are counted in bused, before the vector
 * chunks, so a chunk overlapping one is found by vchunk_check().
 */
void cb_check(struct fsck *f)
{
	struct vexfs_super_block *sb = &f->sb;
	u64 dir = le64_to_cpu(sb->s_cb_dir);
	bool feat = (le64_to_cpu(sb->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_CODEBOOKS) != 0;
	const struct vexfs_cb_entry *e;
	const char *why = "";
	u8 *blk = xcalloc(f->bs, 1);
	u32 n = 0, i;

	f->ncb = 0;
	f->cb_dir = 0;
	f->cb_unknown = false;
	if (!feat && dir) {
		bool sound = !extent_place(f, dir, 1) && !tb(f->bused, dir) &&
			     !rd(f, dir, blk, "codebook directory") &&
			     !vexfs_cbdir_check(blk, f->seed, f->bs, f->g.blocks, &n, &why);

		prob(f, P_FIX, "superblock: codebook directory block %llu is set but the codebooks feature is not%s",
		     (unsigned long long)dir,
		     sound ? "; the directory is sound: setting the feature" :
		     "; clearing it");
		if (sound) {
			sb->s_feature_incompat |= cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
			feat = true;
		} else {
			sb->s_cb_dir = 0;
		}
		f->sb_dirty = true;
	}
	if (!feat)
		goto out;	/* no codebooks: every PQ record names a missing one */

	why = extent_place(f, dir, 1);
	if (why) {
		prob(f, P_NOFIX, "superblock: codebook directory block %llu %s; codebooks and PQ vectors are not checked",
		     (unsigned long long)dir, why);
		goto unknown;
	}
	if (tb(f->bused, dir)) {
		prob(f, P_NOFIX, "codebook directory block %llu is also used by an inode",
		     (unsigned long long)dir);
		f->incomplete = true;
	}
	sbit(f->bused, dir);
	f->cb_dir = dir;
	if (rd(f, dir, blk, "codebook directory"))
		goto unknown;
	if (vexfs_cbdir_check(blk, f->seed, f->bs, f->g.blocks, &n, &why)) {
		prob(f, P_NOFIX, "codebook directory (block %llu): %s; it cannot be rebuilt: codebooks and PQ vectors are not checked, no block is freed",
		     (unsigned long long)dir, why);
		goto unknown;
	}
	f->cb_dir_pad = !all_zero(blk + VEXFS_CB_DIR_BYTES, f->bs - VEXFS_CB_DIR_BYTES);

	e = (const void *)(blk + sizeof(struct vexfs_cb_dir_header));
	f->ncb = n;
	for (i = 0; i < n; i++) {
		struct cbk *c = &f->cb[i];
		u64 b, cross = 0, first = 0;
		const char *owner = NULL;

		memset(c, 0, sizeof(*c));
		c->start = le64_to_cpu(e[i].ce_start);
		c->blocks = le32_to_cpu(e[i].ce_blocks);
		c->length = le32_to_cpu(e[i].ce_length);
		c->dims = le32_to_cpu(e[i].ce_dims);
		c->m = le32_to_cpu(e[i].ce_m);
		c->crc = le32_to_cpu(e[i].ce_blob_crc);
		why = extent_place(f, c->start, c->blocks);
		if (why) {
			prob(f, P_NOFIX, "codebook %u: extent %llu+%u %s", i + 1,
			     (unsigned long long)c->start, c->blocks, why);
			f->incomplete = true;
		}
		/* vexfs_cbdir_check() kept the extent inside the filesystem */
		for (b = c->start; b < c->start + c->blocks; b++) {
			if (is_meta(f, b))
				continue;
			if (tb(f->bused, b)) {
				if (!cross++) {
					first = b;
					owner = cb_owner(f, b);
				}
				continue;
			}
			sbit(f->bused, b);
		}
		c->marked = true;
		if (cross) {
			prob(f, P_NOFIX, "codebook %u: extent %llu+%u shares %llu block%s (first %llu) with %s; it cannot be moved",
			     i + 1, (unsigned long long)c->start, c->blocks,
			     (unsigned long long)cross, cross == 1 ? "" : "s",
			     (unsigned long long)first, owner ? owner : "an inode");
			f->incomplete = true;
		}
		cb_blob_check(f, c, i + 1);
		/* a misplaced or damaged codebook: where its real blocks are is unsure */
		if (c->bad)
			f->incomplete = true;
	}
	goto out;
unknown:
	f->cb_unknown = true;
	f->incomplete = true;	/* extents unknown: nothing may be freed */
out:
	free(blk);
}

/* Whether a live vector chunk (kept after vchunk_check) holds block @blk. */
static bool vchunk_holds(struct fsck *f, u64 blk)
{
	u64 i;

	for (i = 0; i < f->nvents; i++)
		if (f->vents[i].state != V_CLEAR && blk >= f->vents[i].chunk &&
		    blk - f->vents[i].chunk < f->vents[i].cblocks)
			return true;
	return false;
}

/*
 * Zero what follows the directory's entries and each sound blob in its last
 * block. Done after the chunks: a chunk that overlaps the block and was kept
 * (-n, -p) may have records there, which zeroing would destroy.
 */
void cb_fix_padding(struct fsck *f)
{
	u8 *blk = xcalloc(f->bs, 1);
	u32 i, off;
	u64 b;

	for (i = 0; i <= f->ncb; i++) {
		char what[96];

		if (i == f->ncb) {
			if (!f->cb_dir_pad)
				break;
			b = f->cb_dir;
			off = VEXFS_CB_DIR_BYTES;
			snprintf(what, sizeof(what), "codebook directory (block %llu): bytes after its entries",
				 (unsigned long long)b);
		} else {
			const struct cbk *c = &f->cb[i];

			if (!c->pad || c->bad)
				continue;
			b = c->start + (c->length >> f->bits);
			off = c->length & (f->bs - 1);
			snprintf(what, sizeof(what), "codebook %u (blocks %llu+%u): bytes after its blob",
				 i + 1, (unsigned long long)c->start, c->blocks);
		}
		if (vchunk_holds(f, b)) {
			prob(f, P_NOFIX, "%s are not zero, and a vector chunk claims block %llu",
			     what, (unsigned long long)b);
			continue;
		}
		prob(f, P_FIX, "%s are not zero%s", what,
		     f->mode != MODE_CHECK ? "; zeroing them" : "");
		if (f->mode == MODE_CHECK || rd(f, b, blk, "codebook block"))
			continue;
		memset(blk + off, 0, f->bs - off);
		wr(f, b, blk);
	}
	free(blk);
}

/*
 * Whether the record at @rec (valid) is a PQ record whose codebook reference
 * does not match a sound codebook; writes why to @buf.
 */
bool pq_ref_bad(struct fsck *f, const u8 *rec, char *buf, size_t len)
{
	const struct vexfs_vec_header *h = (const void *)rec;
	const struct vexfs_pq_ref *r = (const void *)(rec + VEXFS_VEC_REC_HDR);
	u32 id, crc, dims, m;
	const struct cbk *c;

	if (le16_to_cpu(h->vh_compression) != VEXFS_COMP_PQ || f->cb_unknown)
		return false;
	id = le32_to_cpu(r->pr_codebook);
	crc = le32_to_cpu(r->pr_blob_crc);
	dims = le32_to_cpu(h->vh_dimensions);
	m = le32_to_cpu(h->vh_compressed_size) - (u32)sizeof(*r);
	if (!id || id > f->ncb) {
		snprintf(buf, len, "PQ codebook %u does not exist (the filesystem has %u)", id,
			 f->ncb);
		return true;
	}
	c = &f->cb[id - 1];
	if (c->bad)
		return false;	/* kept until the blob is restored */
	if (crc != c->crc)
		snprintf(buf, len, "names PQ codebook %u with blob CRC 0x%08x, the codebook's is 0x%08x",
			 id, crc, c->crc);
	else if (dims != c->dims)
		snprintf(buf, len, "has %u dimensions, PQ codebook %u is for %u", dims, id,
			 c->dims);
	else if (m != c->m)
		snprintf(buf, len, "has %u PQ codes, codebook %u has m = %u", m, id, c->m);
	else
		return false;
	return true;
}
