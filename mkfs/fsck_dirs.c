// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_dirs.c - pass 2: directories, breadth first from the root: header,
 * buckets, overflow chains, every entry (hash, bucket, duplicates, target
 * inode and type); entries in reachable directories are counted as links and
 * recorded for the parent pointer check. Then directories nothing reaches,
 * for their blocks.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fsck.h"

u64 dir_map(struct fsck *f, const struct irec *r, u64 lblk)
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

	if (f->mode == MODE_CHECK || fsck_pread(f, f->buf, f->bs, blk << f->bits))
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
	if (vexfs_dirhdr_validate(f->buf, f->bs, (d->size >> f->bits) - 1, &why)) {
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

void pass2(struct fsck *f)
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
		while (qhead < f->nqueue) {
			progress(f, 2, qhead, f->ndirs > f->nqueue ? f->ndirs : f->nqueue);
			scan_dir(f, f->queue[qhead++], true);
		}
	}
	/*
	 * Directories nothing reaches: check them too (their overflow blocks
	 * count). A removed directory waiting on the orphan list has size 0.
	 */
	for (i = 0; i < f->nrec; i++) {
		if (S_ISDIR(f->rec[i].mode) && !(f->rec[i].flags & R_SCANNED) && f->rec[i].size)
			scan_dir(f, i, false);
	}
	progress(f, 2, 1, 1);
}
