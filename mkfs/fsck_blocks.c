// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_blocks.c - block ownership: the fixed metadata areas, and each inode's
 * block map (indirect blocks with their tails) and xattr block, claimed in
 * the block usage bitmap f->bused (pass 1; pass 2 adds directory overflow
 * blocks); after repairs have cleared inodes, the bitmap is rebuilt from the
 * inodes that remain.
 */
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include "fsck.h"

bool is_meta(struct fsck *f, u64 blk)
{
	u32 grp;

	if (blk < f->meta_end)
		return true;
	grp = (u32)(blk / f->g.blocks_per_group);
	if (grp >= f->g.groups)
		return false;
	if (blk == f->gbb[grp] || blk == f->gib[grp])
		return true;
	return blk >= f->git[grp] && blk < f->git[grp] + f->g.itable_blocks;
}

void mark_meta(struct fsck *f)
{
	u64 b;
	u32 grp, i;

	for (b = 0; b < f->meta_end && b < f->g.blocks; b++)
		sbit(f->bused, b);
	for (grp = 0; grp < f->g.groups; grp++) {
		sbit(f->bused, f->gbb[grp]);
		sbit(f->bused, f->gib[grp]);
		for (i = 0; i < f->g.itable_blocks; i++)
			sbit(f->bused, f->git[grp] + i);
	}
}

/* Claim @blk for the inode of @w. Returns false if it must not be followed. */
bool claim(struct fsck *f, struct walk *w, u64 blk, const char *what)
{
	u64 ino = w->r->ino;

	if (blk >= f->g.blocks) {
		if (!w->quiet)
			prob(f, P_NOFIX, "inode %llu: %s block %llu is beyond the end of the filesystem",
			     (unsigned long long)ino, what, (unsigned long long)blk);
		w->errors++;
		return false;
	}
	if (is_meta(f, blk)) {
		if (!w->quiet)
			prob(f, P_NOFIX, "inode %llu: %s block %llu is in a fixed metadata area",
			     (unsigned long long)ino, what, (unsigned long long)blk);
		w->errors++;
		return false;
	}
	if (tb(f->bused, blk)) {
		if (!w->quiet)
			prob(f, P_NOFIX, "inode %llu: %s block %llu is also used by another inode",
			     (unsigned long long)ino, what, (unsigned long long)blk);
		w->errors++;
		return false;
	}
	sbit(f->bused, blk);
	if (!w->quiet)
		w->r->counted++;
	return true;
}

static void dmap_add(struct fsck *f, struct walk *w, u64 lblk, u64 pblk)
{
	if (!w->collect || w->quiet || lblk >= w->dir_blocks)
		return;
	f->dmap = xgrow(f->dmap, &f->capdmap, f->ndmap + 1, sizeof(*f->dmap));
	f->dmap[f->ndmap].lblk = lblk;
	f->dmap[f->ndmap].pblk = pblk;
	f->ndmap++;
	w->r->map_len++;
}

/* Indirect block @blk with @depth levels below it (1 = single). */
static void walk_ind(struct fsck *f, struct walk *w, u64 blk, int depth, u64 base)
{
	static const char *const names[] = { "", "indirect", "double indirect",
					     "triple indirect" };
	struct vexfs_ind_tail *t;
	u64 span = 1, c;
	u8 *buf = f->lvl[depth];
	u32 i;
	int d;

	if (!claim(f, w, blk, names[depth]))
		return;
	if (fsck_pread(f, buf, f->bs, blk << f->bits)) {
		if (!w->quiet)
			prob(f, P_NOFIX, "inode %llu: cannot read %s block %llu",
			     (unsigned long long)w->r->ino, names[depth], (unsigned long long)blk);
		f->incomplete = true;
		w->r->flags |= R_PARTIAL;
		return;
	}
	t = (struct vexfs_ind_tail *)(buf + f->bs - sizeof(*t));
	if (le32_to_cpu(t->it_magic) != VEXFS_IND_MAGIC ||
	    le32_to_cpu(t->it_checksum) !=
	    vexfs_block_csum(f->seed, w->r->ino, buf, f->bs, f->bs - 4)) {
		if (!w->quiet)
			prob(f, P_NOFIX, "inode %llu: %s block %llu has a bad %s",
			     (unsigned long long)w->r->ino, names[depth], (unsigned long long)blk,
			     le32_to_cpu(t->it_magic) != VEXFS_IND_MAGIC ? "magic" : "checksum");
		f->incomplete = true;
		w->r->flags |= R_PARTIAL;
		w->errors++;
		return;
	}
	for (d = 1; d < depth; d++)
		span *= f->ptrs;
	for (i = 0; i < f->ptrs; i++) {
		c = le64_to_cpu(((__le64 *)buf)[i]);
		if (!c)
			continue;
		if (depth == 1) {
			if (claim(f, w, c, "data"))
				dmap_add(f, w, base + i, c);
		} else {
			walk_ind(f, w, c, depth - 1, base + i * span);
			/* the recursion reused lower level buffers only */
		}
	}
}

static bool check_xattr(struct fsck *f, struct walk *w, u64 blk)
{
	const struct vexfs_xattr_header *xh;
	u32 used, off = sizeof(*xh), n = 0;
	u64 ino = w->r->ino;

	if (!claim(f, w, blk, "xattr"))
		return false;
	if (w->quiet)
		return true;
	if (rd(f, blk, f->buf, "xattr block"))
		return false;
	xh = (const void *)f->buf;
	if (le32_to_cpu(xh->xh_magic) != VEXFS_XATTR_MAGIC) {
		prob(f, P_NOFIX, "inode %llu: xattr block %llu has a bad magic",
		     (unsigned long long)ino, (unsigned long long)blk);
		return false;
	}
	if (le32_to_cpu(xh->xh_checksum) != vexfs_block_csum(f->seed, ino, f->buf, f->bs,
			offsetof(struct vexfs_xattr_header, xh_checksum))) {
		prob(f, P_NOFIX, "inode %llu: xattr block %llu fails its checksum",
		     (unsigned long long)ino, (unsigned long long)blk);
		return false;
	}
	used = le16_to_cpu(xh->xh_used);
	if (used > f->bs - sizeof(*xh)) {
		prob(f, P_NOFIX, "inode %llu: xattr block %llu: used bytes %u out of range",
		     (unsigned long long)ino, (unsigned long long)blk, used);
		return false;
	}
	while (off < sizeof(*xh) + used) {
		const struct vexfs_xattr_entry *xe = (const void *)(f->buf + off);
		u32 size, left = (u32)sizeof(*xh) + used - off;

		if (left < 4 || !xe->xe_name_len || !xe->xe_index ||
		    xe->xe_index > VEXFS_XATTR_INDEX_MAX) {
			prob(f, P_NOFIX, "inode %llu: xattr block %llu: bad entry at offset %u",
			     (unsigned long long)ino, (unsigned long long)blk, off);
			return false;
		}
		size = VEXFS_XATTR_ENTRY_SIZE(xe->xe_name_len, le16_to_cpu(xe->xe_value_len));
		if (size > left) {
			prob(f, P_NOFIX, "inode %llu: xattr block %llu: entry at offset %u overruns the block",
			     (unsigned long long)ino, (unsigned long long)blk, off);
			return false;
		}
		if (xe->xe_index == VEXFS_XATTR_INDEX_POSIX_ACL &&
		    vexfs_acl_entry_check((const u8 *)xe->xe_name, xe->xe_name_len,
					  (const u8 *)xe->xe_name + xe->xe_name_len,
					  le16_to_cpu(xe->xe_value_len)) < 0) {
			prob(f, P_NOFIX, "inode %llu: xattr block %llu: bad POSIX ACL at offset %u",
			     (unsigned long long)ino, (unsigned long long)blk, off);
			return false;
		}
		if (xe->xe_index == VEXFS_XATTR_INDEX_PARENT && !pptr_xattr(f, ino, xe)) {
			prob(f, P_NOFIX, "inode %llu: xattr block %llu: bad parent pointer at offset %u",
			     (unsigned long long)ino, (unsigned long long)blk, off);
			return false;
		}
		off += size;
		n++;
	}
	if (n != le16_to_cpu(xh->xh_count)) {
		prob(f, P_NOFIX, "inode %llu: xattr block %llu: count %u but %u entries",
		     (unsigned long long)ino, (unsigned long long)blk,
		     le16_to_cpu(xh->xh_count), n);
		return false;
	}
	return true;
}

bool fast_symlink(u16 mode, u64 size)
{
	return (mode & S_IFMT) == S_IFLNK && size < VEXFS_INLINE_SYMLINK_LEN;
}

bool has_blockmap(u16 mode, u64 size)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
		return true;
	case S_IFLNK:
		return !fast_symlink(mode, size);
	}
	return false;
}

/* Walk the whole block map and the xattr block of a validated inode. */
void walk_inode(struct fsck *f, struct irec *r, const struct vexfs_inode *raw, bool quiet)
{
	struct walk w = { .r = r, .quiet = quiet };
	u64 blk, xb;
	u32 i;

	if (!quiet)
		r->counted = 0;
	if ((S_ISDIR(r->mode) || (r->flags & R_INTERNAL)) && !quiet) {
		/* directories, vector table, ANN index: remember the block map */
		w.collect = true;
		w.dir_blocks = S_ISDIR(r->mode) ? r->size >> f->bits : ~0ULL;
		r->map_start = f->ndmap;
		r->map_len = 0;
	}
	if (has_blockmap(r->mode, r->size)) {
		for (i = 0; i < VEXFS_NDIR_BLOCKS; i++) {
			blk = le64_to_cpu(raw->i_block[i]);
			if (blk && claim(f, &w, blk, "data"))
				dmap_add(f, &w, i, blk);
		}
		blk = le64_to_cpu(raw->i_block[VEXFS_IND_BLOCK]);
		if (blk)
			walk_ind(f, &w, blk, 1, VEXFS_NDIR_BLOCKS);
		blk = le64_to_cpu(raw->i_block[VEXFS_DIND_BLOCK]);
		if (blk)
			walk_ind(f, &w, blk, 2, VEXFS_NDIR_BLOCKS + (u64)f->ptrs);
		blk = le64_to_cpu(raw->i_block[VEXFS_TIND_BLOCK]);
		if (blk)
			walk_ind(f, &w, blk, 3,
				 VEXFS_NDIR_BLOCKS + (u64)f->ptrs + (u64)f->ptrs * f->ptrs);
	}
	xb = le64_to_cpu(raw->i_xattr_block);
	if (xb)
		check_xattr(f, &w, xb);
}

/* Recompute block usage from the inodes that remain after clearing some. */
void rebuild_usage(struct fsck *f)
{
	struct vexfs_inode raw;
	u64 i;

	memset(f->bused, 0, (size_t)((f->g.blocks + 7) / 8));
	mark_meta(f);
	for (i = 0; i < f->nrec; i++) {
		struct irec *r = &f->rec[i];

		if (!(r->flags & R_KEPT))
			continue;
		if (read_inode(f, r->ino, &raw))
			continue;
		walk_inode(f, r, &raw, true);
	}
	for (i = 0; i < f->novf; i++)
		if (f->rec[f->ovf[i].rec].flags & R_KEPT)
			sbit(f->bused, f->ovf[i].blk);
}
