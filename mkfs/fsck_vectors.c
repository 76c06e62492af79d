// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_vectors.c - pass 4: the vector store (INCOMPAT_VECTORS): the table
 * (inode 2), every entry and record, chunk extents (marked in the block usage
 * bitmap), i_vec_count and i_vec_head of every inode, the superblock's
 * vector fields and counters. The codebooks are checked first
 * (fsck_codebooks.c). Without the feature, the superblock's vector and
 * codebook fields must be clear.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/vrec.h"
#include "fsck.h"

/*
 * A problem with table entry @v. Soft problems (the entry, its owner or its
 * record is unusable) are repaired by -y and -p by clearing the entry; hard
 * ones (two live claims on the same space) by -y only. Returns true if the
 * entry is (to be) cleared.
 */
__attribute__((format(printf, 4, 5)))
static bool vbad(struct fsck *f, struct vent *v, bool hard, const char *fmt, ...)
{
	bool fix = fixable(f, hard);
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
	bool fix = fixable(f, hard);
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
			if (o && S_ISREG(o->mode) && !(o->flags & (R_CLEARED | R_INTERNAL)))
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
	err = fsck_pread(f, f->cbuf, (size_t)len << f->bits, s << f->bits);
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
		ann_note(f, x, f->cbuf + x->offset);
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
		if (!pblk || fsck_pread(f, f->buf, f->bs, pblk << f->bits)) {
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

void pass4(struct fsck *f)
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
	ann_begin(f);
	vs.complete = vtab_read(f, t);
	if (!vs.complete)
		f->incomplete = true;

	if (f->nvents)	/* qsort(NULL, 0) is undefined (UBSan) */
		qsort(f->vents, f->nvents, sizeof(*f->vents), cmp_vent_loc);
	for (a = 0; a < f->nvents && f->vents[a].state != V_CLEAR; a = b) {
		for (b = a + 1; b < f->nvents && f->vents[b].state != V_CLEAR &&
		     f->vents[b].chunk == f->vents[a].chunk; b++)
			;
		progress(f, 4, a, f->nvents);
		vchunk_check(f, &f->vents[a], b - a, &vs);
	}
	cb_fix_padding(f);
	if (vs.complete)
		ann_check(f);

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
