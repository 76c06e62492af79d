// SPDX-License-Identifier: GPL-2.0
/*
 * fsck.vexfs - check and repair a VexFS filesystem.
 *
 * Passes (as e2fsck):
 *   0  superblock, journal superblock, group descriptors
 *   1  every inode marked in use: checksum and fields, block map (indirect
 *      blocks with their tails), xattr block; block ownership is recorded in
 *      a bitmap of 1 bit per block
 *   2  directories, from the root: header, buckets, overflow chains, every
 *      entry; then directories nothing reaches (for their blocks)
 *   3  orphan list, reachability, link counts, i_blocks
 *   4  vector store (INCOMPAT_VECTORS): PQ codebooks (INCOMPAT_CODEBOOKS: the
 *      directory block s_cb_dir, every codebook's extent and blob), the table
 *      (inode 2), every entry and record (PQ records: their codebook
 *      reference), chunk extents (marked in the block usage bitmap),
 *      i_vec_count of every inode, the superblock's vector counters
 *   5  block and inode bitmaps, group and superblock counters
 *
 * Everything read from the device is bounds-checked before use; every walk is
 * bounded (each indirect block and chain block is visited once, chains are at
 * most 1 + VEXFS_MAX_CHAIN blocks, the orphan list is cycle-checked).
 *
 * Repairs (-y, -p) are conservative: bits are only cleared from the bitmaps,
 * link counts only lowered and unreachable inodes only cleared when every
 * piece of metadata could be traversed, so no block still in use can ever be
 * freed by a repair. Vector table entries whose entry, owner or record is
 * unusable are cleared by -y and -p; entries that claim space another entry
 * or an inode also claims are cleared by -y only.
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
 *
 * Exit codes follow e2fsck: 0 clean, 1 errors corrected, 4 errors left
 * uncorrected, 8 operational error, 16 usage error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <ext2fs/ext2fs.h>
#include "core/format.h"
#include "core/vrec.h"
#include "vexfs/vq.h"
#include "util.h"

#include "fsck.h"


static struct fsck F;

__attribute__((format(printf, 3, 4)))
void prob(struct fsck *f, int kind, const char *fmt, ...)
{
	va_list ap;
	bool fixing = kind == P_FIX && f->mode != MODE_CHECK;

	if (kind == P_FIX && f->mode == MODE_CHECK)
		kind = P_NOFIX;
	if (kind == P_FIX)
		f->nfixed++;
	else if (kind == P_NOFIX)
		f->nunfixed++;
	if (++f->printed > MAX_PRINTED) {
		if (f->printed == MAX_PRINTED + 1)
			printf("%s: too many problems, not printing any more\n", f->dev);
		return;
	}
	printf("%s: ", f->dev);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", fixing ? " (fixed)" : "");
}

void verbose(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* ---- bitmaps over u64 indexes ------------------------------------------ */

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

int rd(struct fsck *f, u64 blk, void *buf, const char *what)
{
	int err;

	if (blk >= f->g.blocks)
		return -ERANGE;
	err = vx_pread(f->fd, buf, f->bs, blk << f->bits);
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

/* ---- block ownership ---------------------------------------------------- */

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

static void mark_meta(struct fsck *f)
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

/* Walk context: one inode's block map. */

/* Claim @blk for the inode of @w. Returns false if it must not be followed. */
static bool claim(struct fsck *f, struct walk *w, u64 blk, const char *what)
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
	if (vx_pread(f->fd, buf, f->bs, blk << f->bits)) {
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
		    xe->xe_index > VEXFS_XATTR_INDEX_PARENT) {
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

static bool fast_symlink(u16 mode, u64 size)
{
	return (mode & S_IFMT) == S_IFLNK && size < VEXFS_INLINE_SYMLINK_LEN;
}

static bool has_blockmap(u16 mode, u64 size)
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
static void walk_inode(struct fsck *f, struct irec *r, const struct vexfs_inode *raw, bool quiet)
{
	struct walk w = { .r = r, .quiet = quiet };
	u64 blk, xb;
	u32 i;

	if (!quiet)
		r->counted = 0;
	if ((S_ISDIR(r->mode) || (r->flags & R_VTAB)) && !quiet) {
		/* directories and the vector table: remember the block map */
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

static const char *type_name(u16 mode)
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

/* ---- pass 0: superblock, journal, group descriptors --------------------- */

static u64 device_bytes(int fd)
{
	struct stat st;
	u64 n = 0;

	if (fstat(fd, &st))
		return 0;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &n))
			return 0;
		return n;
	}
	return (u64)st.st_size;
}

static void jsb_build(struct fsck *f, u8 *b)
{
	__be32 *w = (__be32 *)b;
	u32 incompat = JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_CSUM_V3;

	if (f->g.blocks > 0xffffffffULL)
		incompat |= JBD2_INCOMPAT_64BIT;
	memset(b, 0, f->bs);
	w[0] = cpu_to_be32(JBD2_MAGIC);
	w[1] = cpu_to_be32(JBD2_SB_V2);
	w[3] = cpu_to_be32(f->bs);
	w[4] = cpu_to_be32((u32)(f->g.journal_start + f->g.journal_blocks));
	w[5] = cpu_to_be32((u32)(f->g.journal_start + 1));
	w[6] = cpu_to_be32(1);
	w[10] = cpu_to_be32(incompat);
	memcpy(b + 0x30, f->sb.s_uuid, 16);
	w[0x40 / 4] = cpu_to_be32(1);
	b[0x50] = 4;
	memcpy(b + 0x100, f->sb.s_uuid, 16);
	w[0xfc / 4] = cpu_to_be32(vexfs_crc32c(~0U, b, 1024));
}

/* Returns false when the check cannot go on (journal needs recovery). */
static bool check_journal(struct fsck *f)
{
	u8 *b = f->buf;
	const __be32 *w = (const __be32 *)b;
	u64 js = f->g.journal_start;
	u32 incompat = 0, crc, want;
	const char *bad = NULL;
	char why[96];

	if (rd(f, js, b, "journal superblock"))
		return true;
	if (be32_to_cpu(w[0]) != JBD2_MAGIC) {
		bad = "bad magic";
	} else if (be32_to_cpu(w[1]) != JBD2_SB_V1 && be32_to_cpu(w[1]) != JBD2_SB_V2) {
		bad = "bad block type";
	} else if (be32_to_cpu(w[3]) != f->bs) {
		snprintf(why, sizeof(why), "block size %u, expected %u", be32_to_cpu(w[3]), f->bs);
		bad = why;
	} else if (be32_to_cpu(w[4]) != js + f->g.journal_blocks ||
		   be32_to_cpu(w[5]) != js + 1) {
		snprintf(why, sizeof(why), "log area [%u, %u), expected [%llu, %llu)",
			 be32_to_cpu(w[5]), be32_to_cpu(w[4]), (unsigned long long)js + 1,
			 (unsigned long long)(js + f->g.journal_blocks));
		bad = why;
	} else {
		incompat = be32_to_cpu(w[10]);
		if (incompat & ~JBD2_INCOMPAT_KNOWN) {
			bad = "unknown incompatible journal features";
		} else if (!(incompat & JBD2_INCOMPAT_REVOKE)) {
			bad = "journal lacks the revoke feature";
		} else if (incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)) {
			want = be32_to_cpu(w[0xfc / 4]);
			((__be32 *)b)[0xfc / 4] = 0;
			crc = vexfs_crc32c(~0U, b, 1024);
			((__be32 *)b)[0xfc / 4] = cpu_to_be32(want);
			if (crc != want)
				bad = "journal superblock checksum mismatch";
		}
	}
	if (bad) {
		prob(f, P_FIX, "journal superblock at block %llu: %s%s", (unsigned long long)js,
		     bad, f->mode != MODE_CHECK ? "; recreating an empty journal" : "");
		if (f->mode != MODE_CHECK) {
			jsb_build(f, b);
			wr(f, js, b);
		}
		return true;
	}
	if (be32_to_cpu(w[7])) {
		f->need_recovery = true;
		printf("%s: journal needs recovery (mount the filesystem to replay it)\n", f->dev);
		f->nunfixed++;
		return false;
	}
	if (be32_to_cpu(w[8])) {
		prob(f, P_FIX, "journal records error %d", (int)be32_to_cpu(w[8]));
		if (f->mode != MODE_CHECK) {
			((__be32 *)b)[8] = 0;
			if (incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)) {
				((__be32 *)b)[0xfc / 4] = 0;
				((__be32 *)b)[0xfc / 4] = cpu_to_be32(vexfs_crc32c(~0U, b, 1024));
			}
			wr(f, js, b);
		}
	}
	return true;
}

static void check_gdt(struct fsck *f)
{
	size_t bytes = (size_t)f->g.gdt_blocks << f->bits;
	u32 grp;
	u64 i;

	f->gdt_raw = xcalloc(bytes, 1);
	f->gd = (struct vexfs_group_desc *)f->gdt_raw;
	f->gbb = xcalloc(f->g.groups, sizeof(u64));
	f->gib = xcalloc(f->g.groups, sizeof(u64));
	f->git = xcalloc(f->g.groups, sizeof(u64));
	f->gd_dirty = xcalloc(f->g.groups, 1);
	f->gdirs = xcalloc(f->g.groups, sizeof(u32));
	for (i = 0; i < f->g.gdt_blocks; i++) {
		if (rd(f, f->g.gdt_start + i, f->gdt_raw + (i << f->bits), "group descriptors"))
			memset(f->gdt_raw + (i << f->bits), 0, f->bs);
	}
	for (grp = 0; grp < f->g.groups; grp++) {
		struct vexfs_group_desc *gd = &f->gd[grp];
		const char *why;
		u64 bb, ib, it;

		vexfs_group_meta(&f->g, grp, &bb, &ib, &it);
		if (vexfs_gd_validate(&f->g, grp, gd, &why)) {
			prob(f, P_FIX, "group %u: descriptor invalid (%s)%s", grp, why,
			     f->mode != MODE_CHECK ? "; rebuilding it from the standard layout" : "");
			memset(gd, 0, sizeof(*gd));
			gd->bg_block_bitmap = cpu_to_le64(bb);
			gd->bg_inode_bitmap = cpu_to_le64(ib);
			gd->bg_inode_table = cpu_to_le64(it);
			f->gd_dirty[grp] = GD_WRITE | GD_REBUILT;
		} else if (le32_to_cpu(gd->bg_checksum) != vexfs_gd_csum(f->seed, grp, gd)) {
			prob(f, P_FIX, "group %u: descriptor checksum mismatch", grp);
			f->gd_dirty[grp] = GD_WRITE;
		}
		f->gbb[grp] = le64_to_cpu(gd->bg_block_bitmap);
		f->gib[grp] = le64_to_cpu(gd->bg_inode_bitmap);
		f->git[grp] = le64_to_cpu(gd->bg_inode_table);
	}
}

/* ---- pass 1: inodes ----------------------------------------------------- */

/* Validate inode @ino (raw already read); add a record and walk it. */
static struct irec *take_inode(struct fsck *f, u64 ino, const struct vexfs_inode *raw,
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
	pptr_inode(f, ino, raw);
	walk_inode(f, r, raw, false);
	if (S_ISDIR(mode))
		f->ndirs++;
	else
		f->nfiles++;
	return r;
}

/*
 * The vector table inode of a filesystem with INCOMPAT_VECTORS: a regular
 * file that no directory reaches. Without it the store cannot be checked.
 */
static void take_vtab(struct fsck *f, const struct vexfs_inode *raw)
{
	u64 ino = VEXFS_VECSTORE_INO;
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
		prob(f, P_NOFIX, "vector table inode %d: %s; the vector store is not checked",
		     VEXFS_VECSTORE_INO, bad);
		sbit(f->ibad, ino - 1);
		f->incomplete = true;
		return;
	}
	take_inode(f, ino, raw, true);
}

static void pass1(struct fsck *f)
{
	struct vexfs_inode raw;
	u32 grp, ipg = f->g.inodes_per_group, ipb = f->g.inodes_per_block, k, j;
	u8 *ibm = xcalloc(f->bs, 1);

	verbose(f, "Pass 1: checking inodes, blocks and sizes\n");
	for (grp = 0; grp < f->g.groups; grp++) {
		u64 base = (u64)grp * ipg;

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
				    !(ino == VEXFS_VECSTORE_INO && f->vec))
					continue;
				if (read_inode(f, ino, &raw))
					break;
				if (ino == VEXFS_VECSTORE_INO && f->vec) {
					take_vtab(f, &raw);
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
}

/* ---- pass 2: directories ------------------------------------------------ */

static u64 dir_map(struct fsck *f, const struct irec *r, u64 lblk)
{
	u64 lo = r->map_start, hi = r->map_start + r->map_len;

	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;

		if (f->dmap[mid].lblk == lblk)
			return f->dmap[mid].pblk;
		if (f->dmap[mid].lblk < lblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_tmp(const void *a, const void *b)
{
	const struct tmp_ent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->name, y->name, x->len);
}

static void print_name(char *out, size_t outlen, const char *name, u32 len)
{
	size_t o = 0;
	u32 i;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, outlen - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
}

/* Late record for an inode some entry references but the bitmap says free. */
static struct irec *late_inode(struct fsck *f, u64 ino)
{
	struct vexfs_inode raw;
	struct irec *r;

	if (tb(f->idisk, ino - 1) || tb(f->ibad, ino - 1))
		return NULL;
	if (read_inode(f, ino, &raw))
		return NULL;
	if (!raw.i_mode || le32_to_cpu(raw.i_checksum) != vexfs_inode_csum(f->seed, ino, &raw))
		return NULL;
	r = take_inode(f, ino, &raw, false);
	if (r)
		r->flags |= R_LATE;
	return r;
}

static void dir_entry_target(struct fsck *f, struct irec **dp, const struct vexfs_dirent *de,
			     bool reachable, const char *nm, u32 *errs)
{
	struct irec *d = *dp, *t;
	u64 ino = le64_to_cpu(de->d_ino);
	u64 dino = d->ino, didx = (u64)(d - f->rec);

	if (ino < 1 || ino > f->g.inodes || (ino < VEXFS_FIRST_INO && ino != VEXFS_ROOT_INO)) {
		prob(f, P_NOFIX, "directory %llu: entry '%s' has bad inode number %llu",
		     (unsigned long long)dino, nm, (unsigned long long)ino);
		(*errs)++;
		return;
	}
	if (ino == VEXFS_ROOT_INO) {
		prob(f, P_NOFIX, "directory %llu: entry '%s' links to the root directory",
		     (unsigned long long)dino, nm);
		(*errs)++;
		return;
	}
	t = rec_find(f, ino);
	if (!t) {
		t = late_inode(f, ino);
		*dp = d = &f->rec[didx];	/* the record array may have moved */
		if (t) {
			prob(f, P_NOTE, "directory %llu: entry '%s' points to inode %llu, which is in use but marked free",
			     (unsigned long long)dino, nm, (unsigned long long)ino);
		} else {
			if (tb(f->iwarned, ino - 1)) {
				f->nunfixed++;	/* reported once per inode */
			} else {
				sbit(f->iwarned, ino - 1);
				prob(f, P_NOFIX, "directory %llu: entry '%s' points to %s inode %llu",
				     (unsigned long long)dino, nm,
				     tb(f->ibad, ino - 1) ? "a corrupt" : "an unused",
				     (unsigned long long)ino);
				(*errs)++;
			}
			if (tb(f->ibad, ino - 1))
				f->incomplete = true;
			return;
		}
	}
	if (de->d_type != vexfs_mode_to_ft(t->mode)) {
		prob(f, P_NOFIX, "directory %llu: entry '%s' has type %u but inode %llu is a %s",
		     (unsigned long long)dino, nm, de->d_type, (unsigned long long)ino,
		     type_name(t->mode));
		(*errs)++;
	}
	if (!reachable)
		return;		/* unreachable directory: no link counting */
	t->refs++;
	pptr_entry(f, dino, ino, le64_to_cpu(de->d_hash));
	if (!S_ISDIR(t->mode)) {
		t->flags |= R_REACHABLE;
		return;
	}
	d->subdirs++;
	if (t->flags & R_REACHABLE) {
		prob(f, P_NOFIX, "directory %llu is linked from directory %llu ('%s') and from directory %llu",
		     (unsigned long long)ino, (unsigned long long)dino, nm,
		     (unsigned long long)t->parent);
		(*errs)++;
		return;
	}
	t->flags |= R_REACHABLE;
	t->parent = dino;
	f->queue = xgrow(f->queue, &f->capqueue, f->nqueue + 1, sizeof(*f->queue));
	f->queue[f->nqueue++] = (u64)(t - f->rec);
}

static void rewrite_dirhdr(struct fsck *f, u64 ino, u64 blk, u64 parent, u64 entries,
			   u64 bytes)
{
	struct vexfs_dir_header *dh = (void *)f->buf;

	if (f->mode == MODE_CHECK || vx_pread(f->fd, f->buf, f->bs, blk << f->bits))
		return;
	dh->dh_parent = cpu_to_le64(parent);
	dh->dh_entries = cpu_to_le64(entries);
	dh->dh_bytes = cpu_to_le64(bytes);
	dh->dh_checksum = cpu_to_le32(vexfs_block_csum(f->seed, ino, f->buf, f->bs,
			offsetof(struct vexfs_dir_header, dh_checksum)));
	wr(f, blk, f->buf);
}

/*
 * Scan directory @idx: header, every bucket and chain, every entry. In a
 * @reachable directory entries are counted as links and subdirectories are
 * queued.
 */
static void scan_dir(struct fsck *f, u64 idx, bool reachable)
{
	struct irec *d = &f->rec[idx];
	u64 ino = d->ino, hblk, want_parent, level, split, nb, b, entries = 0, bytes = 0;
	struct vexfs_dir_header dh;
	struct walk w = { .r = d };
	const char *why;
	u32 errs = 0, chain_errs = 0;
	char nm[VEXFS_NAME_LEN * 4 + 1];

	d->flags |= R_SCANNED;
	hblk = dir_map(f, d, 0);
	if (!hblk) {
		prob(f, P_NOFIX, "directory %llu has no header block", (unsigned long long)ino);
		f->incomplete = true;
		d->flags |= R_PARTIAL;
		return;
	}
	if (rd(f, hblk, f->buf, "directory header")) {
		d->flags |= R_PARTIAL;
		return;
	}
	memcpy(&dh, f->buf, sizeof(dh));
	if (le32_to_cpu(dh.dh_checksum) != vexfs_block_csum(f->seed, ino, f->buf, f->bs,
			offsetof(struct vexfs_dir_header, dh_checksum))) {
		prob(f, P_NOFIX, "directory %llu: header block %llu fails its checksum",
		     (unsigned long long)ino, (unsigned long long)hblk);
		f->incomplete = true;
		d->flags |= R_PARTIAL;
		return;
	}
	if (vexfs_dirhdr_validate(&dh, (d->size >> f->bits) - 1, &why)) {
		prob(f, P_NOFIX, "directory %llu: %s", (unsigned long long)ino, why);
		f->incomplete = true;
		d->flags |= R_PARTIAL;
		return;
	}
	level = le32_to_cpu(dh.dh_level);
	split = le32_to_cpu(dh.dh_split);
	nb = le32_to_cpu(dh.dh_nbuckets);
	for (b = 0; b < nb; b++) {
		u64 blk = dir_map(f, d, 1 + b), lo, hi;
		u32 n = 0, ntmp = 0, i;

		if (errs > MAX_DIR_ERRORS) {
			prob(f, P_NOFIX, "directory %llu: too many errors, rest of the directory not checked",
			     (unsigned long long)ino);
			f->incomplete = true;
			f->rec[idx].flags |= R_PARTIAL;
			return;
		}
		if (!blk) {
			prob(f, P_NOFIX, "directory %llu: bucket %llu is a hole",
			     (unsigned long long)ino, (unsigned long long)b);
			f->incomplete = true;
			chain_errs++;
			errs++;
			continue;
		}
		vexfs_dir_bucket_range((u32)b, (u32)level, (u32)split, &lo, &hi);
		while (blk) {
			const struct vexfs_bucket_header *bh = (const void *)f->buf;
			const struct vexfs_dirent *de = NULL;
			u64 next;

			if (n > 0) {
				w.r = &f->rec[idx];
				if (!claim(f, &w, blk, "directory overflow")) {
					f->incomplete = true;
					chain_errs++;
					errs++;
					break;
				}
				f->ovf = xgrow(f->ovf, &f->capovf, f->novf + 1, sizeof(*f->ovf));
				f->ovf[f->novf].rec = idx;
				f->ovf[f->novf].blk = blk;
				f->novf++;
			}
			if (rd(f, blk, f->buf, "directory bucket")) {
				chain_errs++;
				break;
			}
			if (le32_to_cpu(bh->bb_checksum) != vexfs_block_csum(f->seed, ino, f->buf,
					f->bs, offsetof(struct vexfs_bucket_header, bb_checksum))) {
				prob(f, P_NOFIX, "directory %llu: bucket %llu block %llu fails its checksum",
				     (unsigned long long)ino, (unsigned long long)b,
				     (unsigned long long)blk);
				f->incomplete = true;
				chain_errs++;
				errs++;
				break;
			}
			if (vexfs_bucket_validate(f->buf, f->bs, &why)) {
				prob(f, P_NOFIX, "directory %llu: bucket %llu block %llu: %s",
				     (unsigned long long)ino, (unsigned long long)b,
				     (unsigned long long)blk, why);
				f->incomplete = true;
				chain_errs++;
				errs++;
				break;
			}
			while ((de = vexfs_bucket_next(f->buf, de))) {
				u64 h = le64_to_cpu(de->d_hash);

				print_name(nm, sizeof(nm), de->d_name, de->d_name_len);
				entries++;
				bytes += VEXFS_DIRENT_SIZE(de->d_name_len);
				if (h != vexfs_name_hash(f->key, de->d_name, de->d_name_len)) {
					prob(f, P_NOFIX, "directory %llu: entry '%s' has a wrong hash",
					     (unsigned long long)ino, nm);
					errs++;
				} else if (h < lo || h >= hi) {
					prob(f, P_NOFIX, "directory %llu: entry '%s' is in bucket %llu but hashes elsewhere",
					     (unsigned long long)ino, nm, (unsigned long long)b);
					errs++;
				}
				if (ntmp < f->captmp) {
					f->tmp[ntmp].hash = h;
					f->tmp[ntmp].len = de->d_name_len;
					memcpy(f->tmp[ntmp].name, de->d_name, de->d_name_len);
					ntmp++;
				}
				dir_entry_target(f, &d, de, reachable, nm, &errs);
			}
			next = le64_to_cpu(bh->bb_next);
			n++;
			if (next && n > VEXFS_MAX_CHAIN) {
				prob(f, P_NOFIX, "directory %llu: bucket %llu overflow chain is longer than %d blocks",
				     (unsigned long long)ino, (unsigned long long)b,
				     VEXFS_MAX_CHAIN + 1);
				f->incomplete = true;
				chain_errs++;
				errs++;
				break;
			}
			blk = next;
		}
		qsort(f->tmp, ntmp, sizeof(*f->tmp), cmp_tmp);
		for (i = 1; i < ntmp; i++) {
			if (!cmp_tmp(&f->tmp[i - 1], &f->tmp[i])) {
				print_name(nm, sizeof(nm), f->tmp[i].name, f->tmp[i].len);
				prob(f, P_NOFIX, "directory %llu: duplicate entry '%s'",
				     (unsigned long long)ino, nm);
				errs++;
			}
		}
	}
	d = &f->rec[idx];
	if (chain_errs) {
		d->flags |= R_PARTIAL;
		return;
	}
	want_parent = reachable ? (ino == VEXFS_ROOT_INO ? VEXFS_ROOT_INO : d->parent) :
		      le64_to_cpu(dh.dh_parent);
	if (le64_to_cpu(dh.dh_entries) != entries || le64_to_cpu(dh.dh_bytes) != bytes ||
	    le64_to_cpu(dh.dh_parent) != want_parent) {
		if (le64_to_cpu(dh.dh_parent) != want_parent)
			prob(f, P_FIX, "directory %llu: parent is %llu, should be %llu",
			     (unsigned long long)ino, (unsigned long long)le64_to_cpu(dh.dh_parent),
			     (unsigned long long)want_parent);
		if (le64_to_cpu(dh.dh_entries) != entries || le64_to_cpu(dh.dh_bytes) != bytes)
			prob(f, P_FIX, "directory %llu: header counts %llu entries / %llu bytes, found %llu / %llu",
			     (unsigned long long)ino, (unsigned long long)le64_to_cpu(dh.dh_entries),
			     (unsigned long long)le64_to_cpu(dh.dh_bytes),
			     (unsigned long long)entries, (unsigned long long)bytes);
		rewrite_dirhdr(f, ino, hblk, want_parent, entries, bytes);
	}
}

static void pass2(struct fsck *f)
{
	struct irec *root = rec_find(f, VEXFS_ROOT_INO);
	u64 qhead = 0, i;

	verbose(f, "Pass 2: checking directory structure\n");
	f->captmp = (1 + VEXFS_MAX_CHAIN) * (f->bs / VEXFS_DIRENT_SIZE(1)) + 1;
	f->tmp = xcalloc(f->captmp, sizeof(*f->tmp));
	if (!root || !S_ISDIR(root->mode)) {
		prob(f, P_NOFIX, "root inode %d is %s", VEXFS_ROOT_INO,
		     root ? "not a directory" : "missing or corrupt");
		f->incomplete = true;
	} else {
		/* Breadth first; a directory is queued once (R_REACHABLE), so no loops. */
		root->flags |= R_REACHABLE;
		f->queue = xgrow(f->queue, &f->capqueue, 1, sizeof(*f->queue));
		f->queue[f->nqueue++] = (u64)(root - f->rec);
		while (qhead < f->nqueue)
			scan_dir(f, f->queue[qhead++], true);
	}
	/*
	 * Directories nothing reaches: check them too (their overflow blocks
	 * count). A removed directory waiting on the orphan list has size 0.
	 */
	for (i = 0; i < f->nrec; i++) {
		if (S_ISDIR(f->rec[i].mode) && !(f->rec[i].flags & R_SCANNED) && f->rec[i].size)
			scan_dir(f, i, false);
	}
}

/* ---- pass 3: orphans, connectivity, link counts, i_blocks --------------- */

static void pass3(struct fsck *f)
{
	u64 ino = le64_to_cpu(f->sb.s_orphan_head), prev = 0, steps = 0, i;
	bool can_free;

	verbose(f, "Pass 3: checking the orphan list, connectivity and reference counts\n");
	while (ino) {
		struct irec *r = rec_find(f, ino);
		const char *bad = NULL;

		if (ino < VEXFS_FIRST_INO || ino > f->g.inodes)
			bad = "is out of range";
		else if (!r)
			bad = "is not an inode in use";
		else if (r->flags & R_ORPHAN || ++steps > f->g.inodes)
			bad = "closes a cycle";
		if (bad) {
			prob(f, P_FIX, "orphan list: inode %llu (after %s%llu) %s; truncating the list",
			     (unsigned long long)ino, prev ? "inode " : "the superblock, ",
			     (unsigned long long)prev, bad);
			if (!prev) {
				f->sb.s_orphan_head = 0;
				f->sb_dirty = true;
			} else {
				inode_update(f, prev, IU_ORPHAN_NEXT, 0);
			}
			break;
		}
		r->flags |= R_ORPHAN;
		prev = ino;
		ino = r->orphan_next;
	}

	can_free = !f->incomplete;
	for (i = 0; i < f->nrec; i++) {
		struct irec *r = &f->rec[i];
		bool isdir = S_ISDIR(r->mode);
		u64 want;

		if (!(r->flags & (R_REACHABLE | R_ORPHAN | R_VTAB))) {
			bool clear = can_free &&
				     !(f->mode == MODE_PREEN && (r->size || r->counted));

			prob(f, clear ? P_FIX : P_NOFIX,
			     "inode %llu (%s, %llu bytes, %u links) is not in any directory nor on the orphan list%s",
			     (unsigned long long)r->ino, type_name(r->mode),
			     (unsigned long long)r->size, r->links,
			     clear && f->mode != MODE_CHECK ? "; clearing it" : "");
			if (clear && f->mode != MODE_CHECK) {
				r->flags |= R_CLEARED;
				inode_update(f, r->ino, IU_CLEAR, 0);
				continue;
			}
		}
		r->flags |= R_KEPT;
		sbit(f->ikeep, r->ino - 1);
		if (isdir)
			f->gdirs[(r->ino - 1) / f->g.inodes_per_group]++;
		if (r->flags & R_VTAB)
			want = 1;	/* the vector table: one link, no directory */
		else if (!(r->flags & R_REACHABLE))
			want = 0;	/* unlinked, on the orphan list */
		else if (isdir)
			want = (r->ino == VEXFS_ROOT_INO ? 2 : r->refs + 1) + r->subdirs;
		else
			want = r->refs;
		if (r->flags & (R_REACHABLE | R_ORPHAN | R_VTAB) && r->links != want) {
			int kind = (want > r->links || can_free) ? P_FIX : P_NOFIX;

			prob(f, kind, "inode %llu (%s): link count is %u, should be %llu",
			     (unsigned long long)r->ino, type_name(r->mode), r->links,
			     (unsigned long long)want);
			if (kind == P_FIX) {
				inode_update(f, r->ino, IU_LINKS, want);
				r->links = (u32)want;
			}
		}
		if (r->iblocks != r->counted && !(r->flags & R_PARTIAL)) {
			prob(f, P_FIX, "inode %llu (%s): i_blocks is %llu, counted %llu",
			     (unsigned long long)r->ino, type_name(r->mode),
			     (unsigned long long)r->iblocks, (unsigned long long)r->counted);
			inode_update(f, r->ino, IU_BLOCKS, r->counted);
		}
	}
}

/* Recompute block usage from the inodes that remain after clearing some. */
static void rebuild_usage(struct fsck *f)
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

/* ---- pass 4: PQ codebooks ----------------------------------------------- */

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
static const char *cb_owner(struct fsck *f, u64 blk)
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

	err = vx_pread(f->fd, buf, tot, c->start << f->bits);
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
static void cb_check(struct fsck *f)
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
static void cb_fix_padding(struct fsck *f)
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
static bool pq_ref_bad(struct fsck *f, const u8 *rec, char *buf, size_t len)
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

/* ---- pass 4: the vector store ------------------------------------------- */

/*
 * A problem with table entry @v. Soft problems (the entry, its owner or its
 * record is unusable) are repaired by -y and -p by clearing the entry; hard
 * ones (two live claims on the same space) by -y only. Returns true if the
 * entry is (to be) cleared.
 */
__attribute__((format(printf, 4, 5)))
static bool vbad(struct fsck *f, struct vent *v, bool hard, const char *fmt, ...)
{
	bool fix = !hard || f->mode != MODE_PREEN;
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	prob(f, fix ? P_FIX : P_NOFIX, "%s%s", msg,
	     fix && f->mode != MODE_CHECK ? "; clearing the entry" : "");
	if (fix)
		v->state = V_CLEAR;
	return fix;
}

/* As vbad() for every live entry of a chunk (one report). */
__attribute__((format(printf, 5, 6)))
static bool vchunk_bad(struct fsck *f, struct vent *v, u64 n, bool hard, const char *fmt, ...)
{
	bool fix = !hard || f->mode != MODE_PREEN;
	char msg[320];
	u64 i, live = 0;
	va_list ap;

	for (i = 0; i < n; i++)
		live += v[i].state != V_CLEAR;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	prob(f, fix ? P_FIX : P_NOFIX, "%s%s%llu entr%s", msg,
	     fix && f->mode != MODE_CHECK ? "; clearing its " : "; it has ",
	     (unsigned long long)live, live == 1 ? "y" : "ies");
	if (fix)
		for (i = 0; i < n; i++)
			v[i].state = V_CLEAR;
	return fix;
}

static int cmp_vent_loc(const void *a, const void *b)
{
	const struct vent *x = a, *y = b;

	if ((x->state == V_CLEAR) != (y->state == V_CLEAR))
		return x->state == V_CLEAR ? 1 : -1;
	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_vent_id(const void *a, const void *b)
{
	const struct vent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Read every block of the vector table; collect the entries that are not free. */
static bool vtab_read(struct fsck *f, const struct irec *t)
{
	u32 epb = vexfs_vtab_per_block(f->bs), j;
	bool complete = true;
	u64 i;

	for (i = t->map_start; i < t->map_start + t->map_len; i++) {
		u64 lblk = f->dmap[i].lblk;

		if (rd(f, f->dmap[i].pblk, f->buf, "vector table")) {
			complete = false;
			continue;
		}
		for (j = 0; j < epb; j++) {
			const struct vexfs_vtab_entry *e = (const void *)(f->buf + j * sizeof(*e));
			u64 id = lblk * epb + j;
			struct vexfs_vloc loc;
			const char *why = "";
			struct irec *o;
			struct vent *v;
			int r;

			r = vexfs_vtab_decode(e, f->seed, id, f->bs, 1, f->g.blocks, f->g.inodes,
					      &loc, &why);
			if (r == 1)
				continue;
			f->vents = xgrow(f->vents, &f->capvents, f->nvents + 1, sizeof(*f->vents));
			v = &f->vents[f->nvents++];
			memset(v, 0, sizeof(*v));
			v->id = id;
			if (r < 0) {
				vbad(f, v, false, "vector table entry %llu: %s", (unsigned long long)id,
				     why);
				continue;
			}
			v->ino = loc.ino;
			v->chunk = loc.chunk;
			v->offset = loc.offset;
			v->length = loc.length;
			v->cblocks = (u16)loc.chunk_blocks;
			if (!id) {
				vbad(f, v, false, "vector table entry 0 is in use (id 0 is never issued)");
				continue;
			}
			o = rec_find(f, loc.ino);
			if (o && S_ISREG(o->mode) && !(o->flags & (R_CLEARED | R_VTAB)))
				continue;
			if (!o && tb(f->ibad, loc.ino - 1) && f->incomplete) {
				/* the owner may come back once the rest is repaired */
				prob(f, P_NOFIX, "vector %llu: owner inode %llu is corrupt",
				     (unsigned long long)id, (unsigned long long)loc.ino);
				continue;
			}
			vbad(f, v, false, "vector %llu: owner inode %llu is %s",
			     (unsigned long long)id, (unsigned long long)loc.ino,
			     !o ? (tb(f->ibad, loc.ino - 1) ? "corrupt" : "not in use") :
			     (o->flags & R_CLEARED) ? "being cleared" : "not a regular file");
		}
	}
	return complete;
}

/* Running totals of the live vector store. */
struct vsum {
	u64 count, bytes, blocks, maxid;
	u64 prev_start, prev_end;	/* the chunk that ends last so far */
	u32 prev_len;
	bool complete;
};

/*
 * Check the chunk named by the live entries @v[0..n) (same start, sorted by
 * offset): its length, place, overlaps with other chunks and with blocks in
 * use, and every record in it. Marks its blocks in use if a record remains.
 */
static void vchunk_check(struct fsck *f, struct vent *v, u64 n, struct vsum *vs)
{
	u32 cnt[VEXFS_VCHUNK_BYTES / 1024 + 1] = { 0 }, maxb = vexfs_vchunk_max_blocks(f->bs);
	u32 len = 0, k, grp;
	u64 s = v[0].chunk, blk, i, cross = 0, first_cross = 0, live = 0, last_end = 0;
	struct vent *last = NULL;
	const char *why = NULL, *owner;
	bool overlap_kept = false;
	char pqwhy[160];
	int err;

	/* length: what most of its entries say (decode bounded it by maxb) */
	for (i = 0; i < n; i++)
		cnt[v[i].cblocks]++;
	for (k = 1; k <= maxb; k++)
		if (cnt[k] > cnt[len])
			len = k;
	for (i = 0; i < n && cnt[len] != n; i++) {
		if (v[i].cblocks == len)
			continue;
		if (v[i].offset + v[i].length > len * f->bs) {
			vbad(f, &v[i], false,
			     "vector %llu: entry says chunk %llu has length %u, %u other entries say %u, and the record does not fit",
			     (unsigned long long)v[i].id, (unsigned long long)s, v[i].cblocks,
			     cnt[len], len);
			continue;
		}
		prob(f, P_FIX, "vector %llu: entry says chunk %llu has length %u, %u other entries say %u%s",
		     (unsigned long long)v[i].id, (unsigned long long)s, v[i].cblocks, cnt[len],
		     len, f->mode != MODE_CHECK ? "; correcting the entry" : "");
		v[i].state = V_REWRITE;
		v[i].cblocks = (u16)len;
	}

	/* place: inside one group's data area */
	grp = (u32)(s / f->g.blocks_per_group);
	if ((s + len - 1) / f->g.blocks_per_group != grp) {
		why = "crosses a block group boundary";
	} else {
		for (blk = s; blk < s + len && !why; blk++)
			if (is_meta(f, blk))
				why = "lies in a fixed metadata area";
	}
	if (why && vchunk_bad(f, v, n, false, "vector chunk %llu+%u %s",
			      (unsigned long long)s, len, why))
		return;

	/* other chunks: sorted by start, so only the one that ends last can overlap */
	if (s < vs->prev_end) {
		if (vchunk_bad(f, v, n, true, "vector chunk %llu+%u overlaps vector chunk %llu+%u",
			       (unsigned long long)s, len, (unsigned long long)vs->prev_start,
			       vs->prev_len))
			return;
		overlap_kept = true;
	}

	/* blocks of inodes and metadata */
	for (blk = s; blk < s + len; blk++) {
		if (tb(f->bused, blk) && !(overlap_kept && blk < vs->prev_end)) {
			if (!cross++)
				first_cross = blk;
		}
	}
	owner = cross ? cb_owner(f, first_cross) : NULL;
	if (cross && vchunk_bad(f, v, n, true,
				"vector chunk %llu+%u shares %llu block%s (first %llu) with %s",
				(unsigned long long)s, len, (unsigned long long)cross,
				cross == 1 ? "" : "s", (unsigned long long)first_cross,
				owner ? owner : "an inode or metadata"))
		return;

	/* records, by offset */
	err = vx_pread(f->fd, f->cbuf, (size_t)len << f->bits, s << f->bits);
	if (err) {
		prob(f, P_NOFIX, "cannot read vector chunk %llu+%u: %s",
		     (unsigned long long)s, len, strerror(-err));
		vs->complete = false;
		f->incomplete = true;
	}
	for (i = 0; i < n && !err; i++) {
		struct vent *x = &v[i];
		u64 end = (u64)x->offset + x->length;

		if (x->state == V_CLEAR)
			continue;
		if (vexfs_vec_rec_validate(f->cbuf + x->offset, x->length, f->seed, x->id, x->ino,
					   &why)) {
			vbad(f, x, false, "vector %llu (inode %llu): record at chunk %llu offset %u: %s",
			     (unsigned long long)x->id, (unsigned long long)x->ino,
			     (unsigned long long)s, x->offset, why);
			continue;
		}
		if (pq_ref_bad(f, f->cbuf + x->offset, pqwhy, sizeof(pqwhy))) {
			vbad(f, x, false, "vector %llu (inode %llu): %s", (unsigned long long)x->id,
			     (unsigned long long)x->ino, pqwhy);
			continue;
		}
		if (last && x->offset < last_end) {
			/* keep the older id: the newer write is the suspect one */
			struct vent *lose = x->id > last->id ? x : last, *keep = lose == x ? last : x;

			if (vbad(f, lose, true,
				 "vector %llu (inode %llu): record at chunk %llu offset %u (%u bytes) overlaps vector %llu at offset %u",
				 (unsigned long long)lose->id, (unsigned long long)lose->ino,
				 (unsigned long long)s, lose->offset, lose->length,
				 (unsigned long long)keep->id, keep->offset)) {
				if (lose == x)
					continue;
				last = x;
				last_end = end;
				continue;
			}
		}
		if (end > last_end) {
			last = x;
			last_end = end;
		}
	}

	for (i = 0; i < n; i++) {
		struct irec *o;

		if (v[i].state == V_CLEAR)
			continue;
		live++;
		vs->count++;
		vs->bytes += v[i].length;
		if (v[i].id > vs->maxid)
			vs->maxid = v[i].id;
		o = rec_find(f, v[i].ino);
		if (o)
			o->vec_found++;
	}
	if (!live)
		return;		/* no record left: the chunk is free */
	vs->blocks += len;
	for (blk = s; blk < s + len; blk++)
		sbit(f->bused, blk);
	if (s + len > vs->prev_end) {
		vs->prev_start = s;
		vs->prev_len = len;
		vs->prev_end = s + len;
	}
}

/* Write the entries cleared or corrected (sorted by id: one write per table block). */
static void vtab_write(struct fsck *f, const struct irec *t)
{
	u32 epb = vexfs_vtab_per_block(f->bs);
	u64 i = 0, lblk, pblk;

	if (f->mode == MODE_CHECK)
		return;
	if (f->nvents)
		qsort(f->vents, f->nvents, sizeof(*f->vents), cmp_vent_id);
	while (i < f->nvents) {
		bool dirty = false;

		if (f->vents[i].state == V_OK) {
			i++;
			continue;
		}
		lblk = f->vents[i].id / epb;
		pblk = dir_map(f, t, lblk);
		if (!pblk || vx_pread(f->fd, f->buf, f->bs, pblk << f->bits)) {
			prob(f, P_NOFIX, "cannot rewrite vector table block %llu",
			     (unsigned long long)lblk);
			while (i < f->nvents && f->vents[i].id / epb == lblk)
				i++;
			continue;
		}
		for (; i < f->nvents && f->vents[i].id / epb == lblk; i++) {
			struct vent *v = &f->vents[i];
			struct vexfs_vtab_entry *e = (struct vexfs_vtab_entry *)f->buf + v->id % epb;
			struct vexfs_vloc loc = {
				.ino = v->ino, .chunk = v->chunk, .offset = v->offset,
				.length = v->length, .chunk_blocks = v->cblocks,
			};

			if (v->state == V_CLEAR)
				memset(e, 0, sizeof(*e));
			else if (v->state == V_REWRITE)
				vexfs_vtab_encode(e, f->seed, v->id, &loc);
			else
				continue;
			dirty = true;
		}
		if (dirty)
			wr(f, pblk, f->buf);
	}
}

/* i_vec_count and i_vec_head of every inode kept. */
static void vec_inodes(struct fsck *f)
{
	u64 i;

	for (i = 0; i < f->nrec; i++) {
		struct irec *r = &f->rec[i];

		if (!(r->flags & R_KEPT))
			continue;
		if (r->vec_found > VEXFS_VEC_MAX_PER_FILE)
			prob(f, P_NOFIX, "inode %llu (%s) has %u vectors, more than %u",
			     (unsigned long long)r->ino, type_name(r->mode), r->vec_found,
			     VEXFS_VEC_MAX_PER_FILE);
		if (r->vec_disk != r->vec_found) {
			prob(f, P_FIX, "inode %llu (%s): i_vec_count is %u, counted %u",
			     (unsigned long long)r->ino, type_name(r->mode), r->vec_disk,
			     r->vec_found);
			inode_update(f, r->ino, IU_VEC_COUNT, r->vec_found);
		}
		if (r->flags & R_VHEAD) {
			prob(f, P_FIX, "inode %llu (%s): i_vec_head is not 0",
			     (unsigned long long)r->ino, type_name(r->mode));
			inode_update(f, r->ino, IU_VEC_HEAD, 0);
		}
	}
}

static void pass4(struct fsck *f)
{
	struct vexfs_super_block *sb = &f->sb;
	struct vsum vs = { .complete = true };
	struct irec *t = rec_find(f, VEXFS_VECSTORE_INO);
	u64 a, b, next;

	if (!f->vec) {
		if (sb->s_vec_count || sb->s_vec_bytes || sb->s_vec_root || sb->s_vec_blocks) {
			prob(f, P_FIX, "superblock: vector store fields are set but the vectors feature is not");
			sb->s_vec_count = sb->s_vec_bytes = sb->s_vec_root = sb->s_vec_blocks = 0;
			f->sb_dirty = true;
		}
		/* codebooks serve only vectors: without the store nothing uses them */
		if ((le64_to_cpu(sb->s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_CODEBOOKS) ||
		    sb->s_cb_dir) {
			prob(f, P_FIX, "superblock: PQ codebooks are set up but the vectors feature is not; dropping them");
			sb->s_feature_incompat &= ~cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
			sb->s_cb_dir = 0;
			f->sb_dirty = true;
		}
		vec_inodes(f);
		return;
	}
	verbose(f, "Pass 4: checking the vector store\n");
	if (le64_to_cpu(sb->s_vec_root) != VEXFS_VECSTORE_INO) {
		prob(f, P_FIX, "superblock: vector table inode is %llu, should be %d",
		     (unsigned long long)le64_to_cpu(sb->s_vec_root), VEXFS_VECSTORE_INO);
		sb->s_vec_root = cpu_to_le64(VEXFS_VECSTORE_INO);
		f->sb_dirty = true;
	}
	cb_check(f);
	if (!t || !(t->flags & R_VTAB) || (t->flags & R_PARTIAL)) {
		/* reported in pass 1; chunks unknown, so nothing may be freed */
		if (t && (t->flags & R_PARTIAL))
			prob(f, P_NOFIX, "vector table inode %d: block map incomplete; the vector store is not fully checked",
			     VEXFS_VECSTORE_INO);
		f->incomplete = true;
		return;
	}
	f->cbuf = xcalloc(VEXFS_VCHUNK_BYTES, 1);
	vs.complete = vtab_read(f, t);
	if (!vs.complete)
		f->incomplete = true;

	if (f->nvents)	/* qsort(NULL, 0) is undefined (UBSan) */
		qsort(f->vents, f->nvents, sizeof(*f->vents), cmp_vent_loc);
	for (a = 0; a < f->nvents && f->vents[a].state != V_CLEAR; a = b) {
		for (b = a + 1; b < f->nvents && f->vents[b].state != V_CLEAR &&
		     f->vents[b].chunk == f->vents[a].chunk; b++)
			;
		vchunk_check(f, &f->vents[a], b - a, &vs);
	}
	cb_fix_padding(f);

	next = le64_to_cpu(sb->s_vec_next_id);
	if (!next || vs.maxid >= next) {
		prob(f, P_FIX, "superblock: next vector id is %llu but %s; setting it to %llu",
		     (unsigned long long)next, next ? "a higher id is in use" : "ids start at 1",
		     (unsigned long long)(vs.maxid + 1));
		sb->s_vec_next_id = cpu_to_le64(vs.maxid + 1);
		f->sb_dirty = true;
	}
	if (vs.maxid && t->size < (vs.maxid + 1) * VEXFS_VTAB_ENTRY_SIZE) {
		prob(f, P_FIX, "vector table inode %d: size %llu does not cover vector %llu; setting it to %llu",
		     VEXFS_VECSTORE_INO, (unsigned long long)t->size, (unsigned long long)vs.maxid,
		     (unsigned long long)((vs.maxid + 1) * VEXFS_VTAB_ENTRY_SIZE));
		t->size = (vs.maxid + 1) * VEXFS_VTAB_ENTRY_SIZE;
		inode_update(f, t->ino, IU_SIZE, t->size);
	}
	vtab_write(f, t);
	if (!vs.complete)
		return;
	if (le64_to_cpu(sb->s_vec_count) != vs.count || le64_to_cpu(sb->s_vec_bytes) != vs.bytes ||
	    le64_to_cpu(sb->s_vec_blocks) != vs.blocks) {
		prob(f, P_FIX, "superblock vector counters say %llu vectors, %llu bytes, %llu chunk blocks; counted %llu, %llu, %llu",
		     (unsigned long long)le64_to_cpu(sb->s_vec_count),
		     (unsigned long long)le64_to_cpu(sb->s_vec_bytes),
		     (unsigned long long)le64_to_cpu(sb->s_vec_blocks),
		     (unsigned long long)vs.count, (unsigned long long)vs.bytes,
		     (unsigned long long)vs.blocks);
		sb->s_vec_count = cpu_to_le64(vs.count);
		sb->s_vec_bytes = cpu_to_le64(vs.bytes);
		sb->s_vec_blocks = cpu_to_le64(vs.blocks);
		f->sb_dirty = true;
	}
	vec_inodes(f);
}

/* ---- pass 5: bitmaps and counters --------------------------------------- */

static void pass5(struct fsck *f, u64 *free_blocks, u64 *free_inodes)
{
	bool can_free = !f->incomplete;
	u8 *disk = xcalloc(f->bs, 1), *want = xcalloc(f->bs, 1);
	u32 grp, i, ipg = f->g.inodes_per_group;

	verbose(f, "Pass 5: checking block and inode bitmaps, group summaries\n");
	*free_blocks = 0;
	*free_inodes = 0;
	for (grp = 0; grp < f->g.groups; grp++) {
		struct vexfs_group_desc *gd = &f->gd[grp];
		u64 base = (u64)grp * f->g.blocks_per_group, ibase = (u64)grp * ipg;
		u32 nblk = vexfs_group_blocks(&f->g, grp);
		u32 plus = 0, minus = 0, pad = 0, fb = 0, fi = 0;
		u64 first_plus = 0, first_minus = 0;
		bool bad_csum, write = false;

		/* block bitmap */
		if (rd(f, f->gbb[grp], disk, "block bitmap"))
			memset(disk, 0, f->bs);
		bad_csum = !(f->gd_dirty[grp] & GD_REBUILT) &&
			   le32_to_cpu(gd->bg_block_bitmap_csum) !=
			   vexfs_bitmap_csum(f->seed, disk, f->bs);
		if (bad_csum)
			prob(f, P_FIX, "group %u: block bitmap fails its checksum", grp);
		memset(want, 0, f->bs);
		for (i = 0; i < nblk; i++) {
			bool u = tb(f->bused, base + i), d = vexfs_test_bit(disk, i);

			if (u)
				vexfs_set_bit(want, i);
			if (u && !d) {
				if (!plus++)
					first_plus = base + i;
			} else if (!u && d) {
				if (!minus++)
					first_minus = base + i;
				if (!can_free)
					vexfs_set_bit(want, i);
			}
		}
		for (i = nblk; i < f->bs * 8; i++) {
			vexfs_set_bit(want, i);
			if (!vexfs_test_bit(disk, i))
				pad++;
		}
		if (plus)
			prob(f, P_FIX, "group %u: %u blocks in use but marked free (first %llu)", grp,
			     plus, (unsigned long long)first_plus);
		if (minus)
			prob(f, can_free ? P_FIX : P_NOFIX,
			     "group %u: %u blocks marked in use but not used (first %llu)", grp,
			     minus, (unsigned long long)first_minus);
		if (pad)
			prob(f, P_FIX, "group %u: %u bits past the end of the filesystem are not set",
			     grp, pad);
		fb = vexfs_count_zero(want, nblk);
		if (f->mode != MODE_CHECK && (bad_csum || plus || pad || (minus && can_free) ||
					     (f->gd_dirty[grp] & GD_REBUILT))) {
			wr(f, f->gbb[grp], want);
			write = true;
		}
		if (write) {
			gd->bg_block_bitmap_csum = cpu_to_le32(vexfs_bitmap_csum(f->seed, want, f->bs));
			f->gd_dirty[grp] |= GD_WRITE;
		}

		/* inode bitmap */
		plus = minus = 0;
		write = false;
		if (rd(f, f->gib[grp], disk, "inode bitmap"))
			memset(disk, 0, f->bs);
		bad_csum = (f->gd_dirty[grp] & GD_IBM_BAD) != 0;
		memset(want, 0, f->bs);
		for (i = 0; i < ipg; i++) {
			u64 ino = ibase + i + 1;
			bool u = tb(f->ikeep, ino - 1) || ino < VEXFS_FIRST_INO;
			bool d = vexfs_test_bit(disk, i);

			if (u)
				vexfs_set_bit(want, i);
			if (u && !d) {
				if (!plus++)
					first_plus = ino;
			} else if (!u && d) {
				if (!minus++)
					first_minus = ino;
				if (!can_free)
					vexfs_set_bit(want, i);
			}
		}
		for (i = ipg; i < f->bs * 8; i++)
			vexfs_set_bit(want, i);
		if (plus)
			prob(f, P_FIX, "group %u: %u inodes in use but marked free (first %llu)", grp,
			     plus, (unsigned long long)first_plus);
		if (minus)
			prob(f, can_free ? P_FIX : P_NOFIX,
			     "group %u: %u inodes marked in use but not in use (first %llu)", grp,
			     minus, (unsigned long long)first_minus);
		fi = vexfs_count_zero(want, ipg);
		if (f->mode != MODE_CHECK && (bad_csum || plus || (minus && can_free) ||
					     (f->gd_dirty[grp] & GD_REBUILT))) {
			wr(f, f->gib[grp], want);
			write = true;
		}
		if (write) {
			gd->bg_inode_bitmap_csum =
				cpu_to_le32(vexfs_bitmap_csum(f->seed, want, ipg / 8));
			f->gd_dirty[grp] |= GD_WRITE;
		}

		/* counters */
		if (le32_to_cpu(gd->bg_free_blocks) != fb || le32_to_cpu(gd->bg_free_inodes) != fi ||
		    le32_to_cpu(gd->bg_used_dirs) != f->gdirs[grp]) {
			if (!(f->gd_dirty[grp] & GD_REBUILT))
				prob(f, P_FIX, "group %u: counters say %u free blocks, %u free inodes, %u directories; counted %u, %u, %u",
				     grp, le32_to_cpu(gd->bg_free_blocks),
				     le32_to_cpu(gd->bg_free_inodes), le32_to_cpu(gd->bg_used_dirs),
				     fb, fi, f->gdirs[grp]);
			gd->bg_free_blocks = cpu_to_le32(fb);
			gd->bg_free_inodes = cpu_to_le32(fi);
			gd->bg_used_dirs = cpu_to_le32(f->gdirs[grp]);
			f->gd_dirty[grp] |= GD_WRITE;
		}
		*free_blocks += fb;
		*free_inodes += fi;
	}
	free(disk);
	free(want);
}

static void write_gdt(struct fsck *f)
{
	u32 per = f->bs / sizeof(struct vexfs_group_desc), grp;
	u64 blk, last = ~0ULL;

	if (f->mode == MODE_CHECK)
		return;
	for (grp = 0; grp < f->g.groups; grp++) {
		if (!f->gd_dirty[grp])
			continue;
		f->gd[grp].bg_checksum = cpu_to_le32(vexfs_gd_csum(f->seed, grp, &f->gd[grp]));
		blk = grp / per;
		if (blk != last && last != ~0ULL)
			wr(f, f->g.gdt_start + last, f->gdt_raw + (last << f->bits));
		last = blk;
	}
	if (last != ~0ULL)
		wr(f, f->g.gdt_start + last, f->gdt_raw + (last << f->bits));
}

/* ---- main --------------------------------------------------------------- */

__attribute__((noreturn)) static void usage(void)
{
	fprintf(stderr,
		"Usage: fsck.vexfs [-n|-y|-p] [-f] [-v] [-O parent] device\n"
		"  -n  check only, open read-only, change nothing\n"
		"  -y  repair everything that can be repaired\n"
		"  -p  preen: repair what is safe without questions; skip a clean filesystem\n"
		"  -f  force a full check of a clean filesystem (with -p)\n"
		"  -v  verbose\n"
		"  -O  parent: with -y, add parent pointers to an image made without them\n"
		"Exit: 0 clean, 1 errors corrected, 4 errors left, 8 operational error, 16 usage\n");
	exit(FSCK_USAGE);
}

int main(int argc, char **argv)
{
	struct fsck *f = &F;
	const char *why = "";
	u64 free_blocks = 0, free_inodes = 0, used_inodes;
	u32 vflags, state;
	int c, err, modes = 0, mflags = 0;
	errcode_t e;
	struct stat st;

	vx_prog = "fsck.vexfs";
	f->mode = MODE_CHECK;
	while ((c = getopt(argc, argv, "nyapfvVO:")) != -1) {
		switch (c) {
		case 'O':
			if (strcmp(optarg, "parent"))
				usage();
			f->upgrade = true;
			break;
		case 'n':
			f->mode = MODE_CHECK;
			modes++;
			break;
		case 'y':
			f->mode = MODE_YES;
			modes++;
			break;
		case 'a':
		case 'p':
			f->mode = MODE_PREEN;
			modes++;
			break;
		case 'f':
			f->force = 1;
			break;
		case 'v':
			f->verbose = 1;
			break;
		case 'V':
			printf("fsck.vexfs (VexFS format %d)\n", VEXFS_FORMAT_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (modes > 1) {
		fprintf(stderr, "fsck.vexfs: only one of -n, -y and -p may be given\n");
		usage();
	}
	if (optind != argc - 1)
		usage();
	f->dev = argv[optind];

	if (stat(f->dev, &st))
		vx_die_code(FSCK_ERROR, "cannot stat %s: %m", f->dev);
	e = ext2fs_check_if_mounted(f->dev, &mflags);
	if (e)
		vx_die_code(FSCK_ERROR, "cannot determine whether %s is mounted: %s", f->dev,
			    error_message(e));
	if (mflags & EXT2_MF_MOUNTED) {
		if (f->mode != MODE_CHECK)
			vx_die_code(FSCK_ERROR, "%s is mounted; will not repair a mounted filesystem",
				    f->dev);
		printf("%s: warning: the filesystem is mounted; results may be inaccurate\n",
		       f->dev);
	}
	f->fd = open(f->dev, f->mode == MODE_CHECK ? O_RDONLY :
		     (O_RDWR | (S_ISBLK(st.st_mode) ? O_EXCL : 0)));
	if (f->fd < 0)
		vx_die_code(FSCK_ERROR, "cannot open %s: %m", f->dev);
	f->dev_bytes = device_bytes(f->fd);

	/* ---- pass 0 ---- */
	err = vx_pread(f->fd, &f->sb, sizeof(f->sb), 0);
	if (err)
		vx_die_code(FSCK_ERROR, "cannot read the superblock of %s: %s", f->dev,
			    strerror(-err));
	err = vexfs_sb_validate(&f->sb, f->dev_bytes, &f->g, &why, &vflags);
	if (err == -EINVAL)
		vx_die_code(FSCK_ERROR, "%s: not a VexFS filesystem (%s)", f->dev, why);
	if (err == -EOPNOTSUPP)
		vx_die_code(FSCK_ERROR, "%s: %s; this fsck.vexfs is too old", f->dev, why);
	if (err) {
		printf("%s: superblock is corrupt: %s\n", f->dev, why);
		printf("%s: cannot check this filesystem (there is no backup superblock)\n", f->dev);
		return FSCK_UNCORR;
	}
	if (vflags & VEXFS_SB_RO_FEATURES)
		vx_die_code(FSCK_ERROR, "%s: unknown read-only-compatible features %#llx",
			    f->dev, (unsigned long long)le64_to_cpu(f->sb.s_feature_ro_compat));
	f->bits = f->g.block_bits;
	f->bs = f->g.block_size;
	f->ptrs = vexfs_ptrs_per_block(f->bs);
	f->seed = vexfs_csum_seed(f->sb.s_uuid);
	f->vec = (le64_to_cpu(f->sb.s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_VECTORS) != 0;
	f->pptr = (le64_to_cpu(f->sb.s_feature_ro_compat) & VEXFS_FEATURE_RO_COMPAT_PARENT) != 0;
	if (f->upgrade) {
		if (f->mode != MODE_YES)
			vx_die_code(FSCK_USAGE, "-O parent needs -y");
		if (f->pptr) {
			printf("%s: already has parent pointers\n", f->dev);
			f->upgrade = false;
		} else {
			f->pptr = true;
			f->force = 1;
		}
	}
	f->key[0] = le64_to_cpu(f->sb.s_hash_key[0]);
	f->key[1] = le64_to_cpu(f->sb.s_hash_key[1]);
	f->meta_end = f->g.journal_start + f->g.journal_blocks;
	f->maxbytes = vexfs_max_lblk(f->bs) << f->bits;
	if (f->maxbytes > 0x7fffffffffffffffULL)
		f->maxbytes = 0x7fffffffffffffffULL;
	f->buf = xcalloc(f->bs, 1);
	f->itbuf = xcalloc(f->bs, 1);
	for (c = 0; c < 4; c++)
		f->lvl[c] = xcalloc(f->bs, 1);
	state = le32_to_cpu(f->sb.s_state);

	if (!check_journal(f)) {
		if (f->mode != MODE_CHECK)
			printf("%s: refusing to repair: mount the filesystem to replay the journal, then run fsck.vexfs again\n",
			       f->dev);
		return FSCK_UNCORR;
	}
	if (f->mode == MODE_PREEN && !f->force && (state & VEXFS_STATE_CLEAN) &&
	    !(state & VEXFS_STATE_ERROR) && !f->nfixed && !f->nunfixed) {
		printf("%s: clean, %llu/%llu files, %llu/%llu blocks\n", f->dev,
		       (unsigned long long)(f->g.inodes - le64_to_cpu(f->sb.s_free_inodes)),
		       (unsigned long long)f->g.inodes,
		       (unsigned long long)(f->g.blocks - le64_to_cpu(f->sb.s_free_blocks)),
		       (unsigned long long)f->g.blocks);
		return FSCK_OK;
	}
	verbose(f, "Pass 0: checking the superblock and group descriptors\n");
	check_gdt(f);

	f->bused = xcalloc((size_t)((f->g.blocks + 7) / 8) + 8, 1);
	f->idisk = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->ibad = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->ikeep = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->iwarned = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	mark_meta(f);

	pass1(f);
	pass2(f);
	pass3(f);
	if (f->mode != MODE_CHECK && !f->incomplete) {
		u64 i;
		bool cleared = false;

		for (i = 0; i < f->nrec; i++)
			cleared |= (f->rec[i].flags & R_CLEARED) != 0;
		if (cleared)
			rebuild_usage(f);
	}
	pass4(f);
	pass_parent(f);
	if (f->upgrade && !f->nunfixed) {
		f->sb.s_feature_ro_compat |= cpu_to_le64(VEXFS_FEATURE_RO_COMPAT_PARENT);
		f->sb_dirty = true;
	}
	pass5(f, &free_blocks, &free_inodes);
	write_gdt(f);

	/* superblock */
	if (state & VEXFS_STATE_CLEAN || f->mode != MODE_CHECK) {
		if (le64_to_cpu(f->sb.s_free_blocks) != free_blocks ||
		    le64_to_cpu(f->sb.s_free_inodes) != free_inodes) {
			prob(f, P_FIX, "superblock counts %llu free blocks, %llu free inodes; counted %llu, %llu",
			     (unsigned long long)le64_to_cpu(f->sb.s_free_blocks),
			     (unsigned long long)le64_to_cpu(f->sb.s_free_inodes),
			     (unsigned long long)free_blocks, (unsigned long long)free_inodes);
			f->sb.s_free_blocks = cpu_to_le64(free_blocks);
			f->sb.s_free_inodes = cpu_to_le64(free_inodes);
			f->sb_dirty = true;
		}
	}
	if (!(state & VEXFS_STATE_CLEAN)) {
		if (f->mode == MODE_CHECK) {
			printf("%s: note: not cleanly unmounted (free counts in the superblock not checked)\n",
			       f->dev);
		} else {
			prob(f, P_FIX, "filesystem was not cleanly unmounted; marking it clean");
			state |= VEXFS_STATE_CLEAN;
			f->sb_dirty = true;
		}
	}
	if (state & VEXFS_STATE_ERROR) {
		prob(f, f->nunfixed ? P_NOFIX : P_FIX,
		     "filesystem has recorded errors (%llu since mkfs)",
		     (unsigned long long)le64_to_cpu(f->sb.s_error_count));
		if (!f->nunfixed && f->mode != MODE_CHECK) {
			state &= ~VEXFS_STATE_ERROR;
			f->sb_dirty = true;
		}
	}
	if (f->sb_dirty && f->mode != MODE_CHECK) {
		f->sb.s_state = cpu_to_le32(state);
		f->sb.s_checksum = cpu_to_le32(vexfs_sb_csum(&f->sb));
		err = vx_pwrite(f->fd, &f->sb, sizeof(f->sb), 0);
		if (err)
			vx_die_code(FSCK_ERROR, "cannot write the superblock: %s", strerror(-err));
	}
	if (f->mode != MODE_CHECK && fsync(f->fd))
		vx_die_code(FSCK_ERROR, "fsync %s: %m", f->dev);
	close(f->fd);

	used_inodes = f->g.inodes - free_inodes;
	printf("%s: %llu/%llu files (%llu directories), %llu/%llu blocks\n", f->dev,
	       (unsigned long long)used_inodes, (unsigned long long)f->g.inodes,
	       (unsigned long long)f->ndirs,
	       (unsigned long long)(f->g.blocks - free_blocks), (unsigned long long)f->g.blocks);
	if (f->nunfixed) {
		printf("%s: ********** %llu problem(s) left uncorrected%s **********\n", f->dev,
		       (unsigned long long)f->nunfixed,
		       f->mode == MODE_CHECK ? " (checked with -n)" : "");
		return FSCK_UNCORR;
	}
	if (f->nfixed) {
		printf("%s: ***** %llu problem(s) corrected *****\n", f->dev,
		       (unsigned long long)f->nfixed);
		return FSCK_FIXED;
	}
	return FSCK_OK;
}
