// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_inodes.c - pass 1: every inode marked in use in the inode bitmaps is
 * read and validated (checksum and fields) and gets a record (struct irec,
 * found by rec_find()); its block map and xattr block are walked
 * (fsck_blocks.c). The vector table inode is checked as such.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fsck.h"

/* ---- records ------------------------------------------------------------ */

static u64 hslot(u64 ino, u64 cap)
{
	return (ino * 0x9e3779b97f4a7c15ULL) >> 7 & (cap - 1);
}

struct irec *rec_find(struct fsck *f, u64 ino)
{
	u64 i;

	if (!f->hcap)
		return NULL;
	for (i = hslot(ino, f->hcap); f->hidx[i]; i = (i + 1) & (f->hcap - 1))
		if (f->rec[f->hidx[i] - 1].ino == ino)
			return &f->rec[f->hidx[i] - 1];
	return NULL;
}

static void hinsert(struct fsck *f, u64 ino, u64 idx)
{
	u64 i;

	for (i = hslot(ino, f->hcap); f->hidx[i]; i = (i + 1) & (f->hcap - 1))
		;
	f->hidx[i] = idx + 1;
}

static struct irec *rec_add(struct fsck *f, u64 ino)
{
	struct irec *r;

	if ((f->nrec + 1) * 2 > f->hcap) {
		u64 ncap = f->hcap ? f->hcap * 2 : 1024, i;

		free(f->hidx);
		f->hidx = xcalloc(ncap, sizeof(*f->hidx));
		f->hcap = ncap;
		for (i = 0; i < f->nrec; i++)
			hinsert(f, f->rec[i].ino, i);
	}
	f->rec = xgrow(f->rec, &f->caprec, f->nrec + 1, sizeof(*f->rec));
	r = &f->rec[f->nrec];
	memset(r, 0, sizeof(*r));
	r->ino = ino;
	hinsert(f, ino, f->nrec);
	f->nrec++;
	return r;
}

/* ---- pass 1: inodes ----------------------------------------------------- */

const char *type_name(u16 mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	}
	return "unknown";
}

/*
 * Field checks of an inode whose checksum matched, as vexfs_iget() does and
 * more. Returns NULL or what is wrong.
 */
static const char *inode_fields_bad(struct fsck *f, const struct vexfs_inode *raw, char *why,
				    size_t len)
{
	u16 mode = le16_to_cpu(raw->i_mode);
	u64 size = le64_to_cpu(raw->i_size);
	u32 i;

	if (vexfs_mode_to_ft(mode) == VEXFS_FT_UNKNOWN) {
		snprintf(why, len, "bad mode 0%o", mode);
		return why;
	}
	if (le32_to_cpu(raw->i_atime_ns) >= 1000000000U ||
	    le32_to_cpu(raw->i_mtime_ns) >= 1000000000U ||
	    le32_to_cpu(raw->i_ctime_ns) >= 1000000000U ||
	    le32_to_cpu(raw->i_crtime_ns) >= 1000000000U)
		return "nanoseconds out of range";
	if (size > f->maxbytes) {
		snprintf(why, len, "size %llu exceeds the maximum file size",
			 (unsigned long long)size);
		return why;
	}
	if (le64_to_cpu(raw->i_blocks) > f->g.blocks)
		return "block count exceeds the filesystem size";
	if (S_ISDIR(mode) && ((size & (f->bs - 1)) || size < 2ULL * f->bs) &&
	    !(size == 0 && raw->i_links == 0)) {
		snprintf(why, len, "directory size %llu is not a multiple of the block size (min 2 blocks)",
			 (unsigned long long)size);
		return why;
	}
	if (S_ISLNK(mode) && (size == 0 || size >= f->bs)) {
		snprintf(why, len, "symlink size %llu out of range", (unsigned long long)size);
		return why;
	}
	if (fast_symlink(mode, size) && le64_to_cpu(raw->i_blocks) >
	    (raw->i_xattr_block ? 1ULL : 0ULL))
		return "fast symlink has blocks";
	if (!has_blockmap(mode, size) && !fast_symlink(mode, size)) {
		for (i = 0; i < VEXFS_N_BLOCKS; i++)
			if (raw->i_block[i])
				return "special file has block pointers";
	}
	return NULL;
}

/* Validate inode @ino (raw already read); add a record and walk it. */
struct irec *take_inode(struct fsck *f, u64 ino, const struct vexfs_inode *raw,
			       bool report)
{
	char whybuf[128];
	const char *why;
	struct irec *r;
	u16 mode = le16_to_cpu(raw->i_mode);

	if (le32_to_cpu(raw->i_checksum) != vexfs_inode_csum(f->seed, ino, raw)) {
		if (report)
			prob(f, P_NOTE, "inode %llu: marked in use but fails its checksum",
			     (unsigned long long)ino);
		sbit(f->ibad, ino - 1);
		return NULL;
	}
	if (!mode) {
		if (report)
			prob(f, P_NOTE, "inode %llu: marked in use but free (mode 0)",
			     (unsigned long long)ino);
		sbit(f->ibad, ino - 1);
		return NULL;
	}
	why = inode_fields_bad(f, raw, whybuf, sizeof(whybuf));
	if (why) {
		prob(f, P_NOTE, "inode %llu: %s", (unsigned long long)ino, why);
		sbit(f->ibad, ino - 1);
		return NULL;
	}
	r = rec_add(f, ino);
	r->mode = mode;
	r->size = le64_to_cpu(raw->i_size);
	r->iblocks = le64_to_cpu(raw->i_blocks);
	r->links = le32_to_cpu(raw->i_links);
	r->orphan_next = le64_to_cpu(raw->i_orphan_next);
	r->vec_disk = le32_to_cpu(raw->i_vec_count);
	if (raw->i_vec_head)
		r->flags |= R_VHEAD;
	if (ino == VEXFS_VECSTORE_INO && f->vec)
		r->flags |= R_VTAB;
	if (ino == VEXFS_ANN_INO && f->ann)
		r->flags |= R_ANN;
	pptr_inode(f, ino, raw);
	walk_inode(f, r, raw, false);
	if (S_ISDIR(mode))
		f->ndirs++;
	else
		f->nfiles++;
	return r;
}

/*
 * An internal inode: the vector table of a filesystem with INCOMPAT_VECTORS,
 * the ANN index of one with INCOMPAT_ANN. A regular file that no directory
 * reaches; without it, what it holds cannot be checked.
 */
static bool internal_ino(const struct fsck *f, u64 ino)
{
	return (ino == VEXFS_VECSTORE_INO && f->vec) || (ino == VEXFS_ANN_INO && f->ann);
}

static void take_internal(struct fsck *f, u64 ino, const struct vexfs_inode *raw)
{
	const char *what = ino == VEXFS_ANN_INO ? "ANN index" : "vector table";
	const char *lost = ino == VEXFS_ANN_INO ? "the index" : "the vector store";
	u16 mode = le16_to_cpu(raw->i_mode);
	const char *bad = NULL;
	char whybuf[128];

	if (le32_to_cpu(raw->i_checksum) != vexfs_inode_csum(f->seed, ino, raw)) {
		bad = "fails its checksum";
	} else if (!S_ISREG(mode)) {
		snprintf(whybuf, sizeof(whybuf), "has mode 0%o, not a regular file", mode);
		bad = whybuf;
	} else {
		bad = inode_fields_bad(f, raw, whybuf, sizeof(whybuf));
	}
	if (bad) {
		prob(f, P_NOFIX, "%s inode %llu: %s; %s is not checked", what,
		     (unsigned long long)ino, bad, lost);
		sbit(f->ibad, ino - 1);
		f->incomplete = true;
		return;
	}
	take_inode(f, ino, raw, true);
}

void pass1(struct fsck *f)
{
	struct vexfs_inode raw;
	u32 grp, ipg = f->g.inodes_per_group, ipb = f->g.inodes_per_block, k, j;
	u8 *ibm = xcalloc(f->bs, 1);

	verbose(f, "Pass 1: checking inodes, blocks and sizes\n");
	for (grp = 0; grp < f->g.groups; grp++) {
		u64 base = (u64)grp * ipg;

		progress(f, 1, grp, f->g.groups);
		if (rd(f, f->gib[grp], ibm, "inode bitmap")) {
			memset(ibm, 0, f->bs);
		} else if (!(f->gd_dirty[grp] & GD_REBUILT) &&
			   le32_to_cpu(f->gd[grp].bg_inode_bitmap_csum) !=
			   vexfs_bitmap_csum(f->seed, ibm, ipg / 8)) {
			prob(f, P_FIX, "group %u: inode bitmap fails its checksum", grp);
			f->gd_dirty[grp] |= GD_IBM_BAD;
		}
		for (j = 0; j < ipg; j++)
			if (vexfs_test_bit(ibm, j))
				sbit(f->idisk, base + j);
		for (k = 0; k < f->g.itable_blocks; k++) {
			bool any = grp == 0 && k == 0;	/* the root inode is always read */

			for (j = k * ipb; j < (k + 1) * ipb && !any; j++)
				any = vexfs_test_bit(ibm, j);
			if (!any)
				continue;
			for (j = k * ipb; j < (k + 1) * ipb; j++) {
				u64 ino = base + j + 1;

				if (ino != VEXFS_ROOT_INO && !vexfs_test_bit(ibm, j) &&
				    !internal_ino(f, ino))
					continue;
				if (read_inode(f, ino, &raw))
					break;
				if (internal_ino(f, ino)) {
					take_internal(f, ino, &raw);
					continue;
				}
				if (ino > VEXFS_ROOT_INO && ino < VEXFS_FIRST_INO) {
					if (raw.i_mode && le32_to_cpu(raw.i_checksum) ==
					    vexfs_inode_csum(f->seed, ino, &raw))
						prob(f, P_NOFIX, "reserved inode %llu is in use (mode 0%o)",
						     (unsigned long long)ino, le16_to_cpu(raw.i_mode));
					continue;
				}
				take_inode(f, ino, &raw, true);
			}
		}
	}
	free(ibm);
	progress(f, 1, f->g.groups, f->g.groups);
}
