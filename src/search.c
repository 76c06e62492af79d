// SPDX-License-Identifier: GPL-2.0
/*
 * search.c - VEXFS_IOC_SEARCH: exact k nearest neighbours, answered by the
 * kernel (Documentation/vexfs-ioctl.rst, "SEARCH").
 *
 * The whole-filesystem scan walks the chunks in block order. For each chunk
 * its blocks are read through the block device's page cache (with read-ahead
 * of the chunks that follow) without any lock held; then, under the store's
 * mutex and only for the time of a memcpy, the chunk's bytes and its map of
 * record starts are copied into a private buffer of one chunk (64 KiB), so
 * the scan sees every record of the chunk as it was at that moment and never
 * blocks writers for longer. Records are checked (table entry, header, CRC)
 * the first time a search meets them and the verdict is kept with the chunk
 * (vexfs_vchunk.checked / .bad, cleared when the slot is freed); records the
 * kernel wrote itself start checked.
 *
 * Distances are computed by the shared core (core/vsearch_simd.c) for a group
 * of records and every query, between kernel_fpu_begin/end in sections of a
 * bounded number of multiply-adds; then, outside the FPU section, candidates
 * that would enter a query's top-k are admitted only if the caller may read
 * their file (inode_permission, memoized per search).
 *
 * Semantics: every result existed at some moment during the search (when
 * its chunk was copied); a vector detached before the search started is
 * never returned; vectors attached during the search may or may not be.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include <linux/buffer_head.h>
#include <linux/xarray.h>
#include <linux/hash.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "vector.h"
#include "core/vsearch.h"
#include "core/vgraph.h"
#include "vexfs/vexfs_ioctl.h"

#define VEXFS_SEARCH_GROUP	256		/* records per distance pass */
#define VEXFS_SEARCH_IDS	64		/* ids per look-up of a file's vectors */
#define VEXFS_SEARCH_FPU_WORK	(1u << 18)	/* multiply-adds per FPU section */
#define VEXFS_SEARCH_FILTER_NQ	4		/* batches this large filter a group */
#define VEXFS_SEARCH_RA		16		/* chunks read ahead */
#define VEXFS_SEARCH_MEMO	1024		/* permission verdicts remembered */

struct vexfs_srec {
	const u8 *rec;		/* the record (header) in s->buf */
	u64 id;
	u64 ino;
	u32 dtype, comp, dims, len;	/* len: stored data bytes */
	bool skip;		/* vsearch_dist() refused it */
};

struct vexfs_smemo {
	u64 ino;
	u32 gen;
	u32 mark;		/* the call's epoch << 1 | 1 readable, 0 not; else stale */
};

#define VEXFS_SMEMO_EPOCH_MAX	(1U << 31)

struct vexfs_search {
	struct super_block *sb;
	struct vexfs_vstore *vs;
	struct mnt_idmap_or_ns *idmap;
	struct vexfs_ioc_search a;
	struct vsearch_query q;
	struct vsearch_topk *tk;	/* [nq] */
	struct vsearch_cand *cand;	/* [nq * k] */
	u8 *buf;			/* one chunk (or file-scope records) */
	float *dist;			/* [VEXFS_SEARCH_GROUP * nq] */
	struct vexfs_srec grp[VEXFS_SEARCH_GROUP];
	/*
	 * a group's filter (nq >= VEXFS_SEARCH_FILTER_NQ): the top-k bounds
	 * at its start, and for each record DIV_ROUND_UP(nq, 64) words of
	 * vsearch_may_row() bits; written before use, so kept as they are by
	 * vexfs_search_get()
	 */
	u32 bound[VEXFS_SEARCH_NQ_MAX];
	u64 mask[VEXFS_SEARCH_GROUP * VEXFS_SEARCH_NQ_MAX / 64];
	u32 ngrp;
	bool pq_qmajor;			/* PQ records query by query */
	struct vexfs_smemo *memo;	/* [VEXFS_SEARCH_MEMO] */
	u32 epoch;			/* this call's, in memo marks (1..) */
	u64 *ids;			/* [VGRAPH_MAX_EF] an approximate search's candidates */
	struct vexfs_scope *scope;	/* directory subtree, or NULL */
	bool any_model;
	u64 compared;
	u64 corrupt;
	/* chunk snapshot */
	u64 starts[VEXFS_VCHUNK_WORDS];
	u64 bad[VEXFS_VCHUNK_WORDS];
	struct buffer_head *bh[VEXFS_VCHUNK_BYTES / 1024];
};

/* the ABI's largest ef is the graph search's */
static_assert(VEXFS_SEARCH_EF_MAX == VGRAPH_MAX_EF);

/* ---- permissions -------------------------------------------------------- */

/* Whether the caller may read inode @ino (a linked regular file); sets *gen. */
static bool vexfs_search_may_read(struct vexfs_search *s, u64 ino, u32 *gen)
{
	struct vexfs_smemo *e = &s->memo[hash_64(ino, 10) % VEXFS_SEARCH_MEMO];
	struct inode *inode;
	bool ok = false;

	if (e->mark >> 1 == s->epoch && e->ino == ino) {
		*gen = e->gen;
		return e->mark & 1;
	}
	/* a listed subtree answers without the inode */
	if (s->scope && vexfs_scope_excludes(s->scope, ino))
		return false;
	inode = vexfs_iget_live(s->sb, ino);
	if (!IS_ERR(inode)) {
		ok = S_ISREG(inode->i_mode) && inode->i_nlink &&
		     !inode_permission(s->idmap, inode, MAY_READ);
		/* in a subtree scope, only files with a link inside it */
		if (ok && s->scope)
			ok = vexfs_scope_test(s->scope, inode) == 1;
		e->gen = inode->i_generation;
		iput(inode);
	}
	e->ino = ino;
	e->mark = s->epoch << 1 | ok;
	*gen = e->gen;
	return ok;
}

/* ---- distances and merging ---------------------------------------------- */

/*
 * PQ records are compared query by query, VSEARCH_PQ_MANY records at once:
 * one code's ADC sum is a chain of dependent adds, so several codes in one
 * scan run several times faster (vsearch_pq_many); and each query of a
 * batch has its own ADC tables (m x 1 KiB), which going through all the
 * batch's tables for every record evicts from the cache (a batch of 64 at
 * d 768, m 96 was 2.7x slower per query than single queries; groups of 256
 * records, not 64, left it at 0.6x). Every other form is compared record by
 * record, all queries of the batch in one multi-query call (the record
 * loaded once); so are PQ records when a codebook has no tables
 * (vsearch_pq_all_tables: decoded once for the batch).
 */
static bool vexfs_search_query_major(const struct vexfs_search *s, const struct vexfs_srec *g)
{
	return g->comp == VEXFS_COMP_PQ && s->pq_qmajor;
}

/* End a bounded FPU section of the distance pass: yield, stop on a fatal signal. */
static int vexfs_search_fpu_end(void)
{
	kernel_fpu_end();
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/*
 * Whether records r and r + 1 of the group take queries [qb, qb + n) in one
 * vsearch_dist2(): the same paired form and size, neither skipped, and both
 * within the FPU section's @budget.
 */
static bool vexfs_search_pair(const struct vexfs_search *s, u32 r, u32 budget, u32 n)
{
	const struct vexfs_srec *a = &s->grp[r], *b = a + 1;

	return r + 1 < s->ngrp && !b->skip && b->dtype == a->dtype && b->comp == a->comp &&
	       b->dims == a->dims && b->len == a->len &&
	       vsearch_paired(&s->q, a->dtype, a->comp) &&
	       2 * (u64)n * vsearch_cost(a->dims, a->comp, a->len) <= budget;
}

/*
 * Offer record @r's distances to the queries whose bits vsearch_may_row()
 * set (to every query of a smaller call): each is tested in full
 * against its top-k as it is now, and the file's permission is checked
 * once, for the first that would enter.
 */
static void vexfs_search_offer_row(struct vexfs_search *s, u32 r, u32 mw)
{
	const struct vexfs_srec *g = &s->grp[r];
	const u32 nq = s->q.nq;
	bool checked = false;
	u32 w, gen = 0;

	for (w = 0; w < mw; w++) {
		u64 m = nq >= VEXFS_SEARCH_FILTER_NQ ? s->mask[(size_t)r * mw + w] :
			(1ull << nq) - 1;

		while (m) {
			u32 qi = w * 64 + __ffs64(m), bits, key;

			m &= m - 1;
			memcpy(&bits, s->dist + (size_t)r * nq + qi, 4);
			key = vsearch_key(bits, s->q.metric);
			if (!vsearch_topk_may(&s->tk[qi], key) || vsearch_is_nan(bits) ||
			    !vsearch_topk_wants(&s->tk[qi], key, g->id))
				continue;
			if (!checked) {
				if (!vexfs_search_may_read(s, g->ino, &gen))
					return;
				checked = true;
			}
			vsearch_topk_push(&s->tk[qi], bits, s->q.metric, g->id, g->ino, gen);
		}
	}
}

/* Distances of the group's records to every query, in bounded FPU sections. */
static int vexfs_search_group(struct vexfs_search *s)
{
	u32 nq = s->q.nq, blk = vsearch_qblock(&s->q), qb, qe, r, qi, i;
	u32 mw = DIV_ROUND_UP(nq, 64);
	bool qmajor = false;
	int err = 0;

	/*
	 * record-major: every record but the query-major ones; float32 and
	 * float16 records against one block of queries (vsearch_qblock: it
	 * stays in the L1 cache) at a time, the others against the whole
	 * batch in the first pass; the distances are the same bits in any
	 * order
	 */
	for (qb = 0; qb < nq; qb = qe) {
		qe = nq - qb < blk ? nq : qb + blk;
		r = 0;
		qi = qb;
		while (r < s->ngrp) {
			u32 budget = VEXFS_SEARCH_FPU_WORK;

			kernel_fpu_begin();
			while (r < s->ngrp && budget) {
				struct vexfs_srec *g = &s->grp[r];
				u32 cost = vsearch_cost(g->dims, g->comp, g->len);
				bool blocked = vsearch_blocked(g->dtype, g->comp);
				bool qm = vexfs_search_query_major(s, g);
				u32 hi = blocked ? qe : nq, q1 = hi;

				if (g->skip || qm || (!blocked && qb)) {
					qmajor |= qm && !g->skip;
					r++;
					continue;
				}
				if (qi == qb && blocked && vexfs_search_pair(s, r, budget, hi - qi)) {
					/* two records, each query row read once for both */
					vsearch_dist2(&s->q, g->dtype, g->comp,
						      g->rec + VEXFS_VEC_REC_HDR,
						      g[1].rec + VEXFS_VEC_REC_HDR, qi, hi,
						      s->dist + (size_t)r * nq + qi,
						      s->dist + (size_t)(r + 1) * nq + qi);
					budget -= 2 * (hi - qi) * cost;
					r += 2;
					continue;
				}
				if ((u64)(hi - qi) * cost > budget)
					q1 = qi + max(1u, budget / cost);
				if (vsearch_dist(&s->q, g->dtype, g->comp, g->dims,
						 g->rec + VEXFS_VEC_REC_HDR, g->len, qi, q1,
						 s->dist + (size_t)r * nq + qi))
					g->skip = true;
				budget -= min(budget, (q1 - qi) * cost);
				qi = q1;
				if (qi == hi || g->skip) {
					qi = qb;
					r++;
				}
			}
			err = vexfs_search_fpu_end();
			if (err)
				return err;
		}
	}

	/* query-major: one query against the group's PQ records, then the next */
	r = 0;
	qi = 0;
	while (qmajor && qi < nq) {
		u32 budget = VEXFS_SEARCH_FPU_WORK;

		kernel_fpu_begin();
		while (qi < nq && budget) {
			const void *data[VSEARCH_PQ_MANY];
			u32 len[VSEARCH_PQ_MANY], at[VSEARCH_PQ_MANY], n = 0, bad, k;
			float d[VSEARCH_PQ_MANY];

			for (; r < s->ngrp && n < VSEARCH_PQ_MANY; r++) {
				struct vexfs_srec *g = &s->grp[r];

				if (!vexfs_search_query_major(s, g) || g->skip)
					continue;
				data[n] = g->rec + VEXFS_VEC_REC_HDR;
				len[n] = g->len;
				at[n++] = r;
				budget -= min(budget, vsearch_cost(g->dims, g->comp, g->len));
			}
			bad = vsearch_pq_many(&s->q, data, len, n, qi, d);
			for (k = 0; k < n; k++) {
				if (bad & (1u << k))
					s->grp[at[k]].skip = true;
				else
					s->dist[(size_t)at[k] * nq + qi] = d[k];
			}
			if (r == s->ngrp) {
				r = 0;
				qi++;
			}
		}
		err = vexfs_search_fpu_end();
		if (err)
			return err;
	}

	/*
	 * batches: which distances may enter their top-k, compared with a
	 * snapshot of the bounds four at a time (VEXFS_SEARCH_GROUP x nq
	 * compares, the cost of a few records' distances); fewer queries are
	 * tested one by one in vexfs_search_offer_row()
	 */
	if (nq >= VEXFS_SEARCH_FILTER_NQ) {
		for (qi = 0; qi < nq; qi++)
			s->bound[qi] = s->tk[qi].bound;
		kernel_fpu_begin();
		for (r = 0; r < s->ngrp; r++)
			if (!s->grp[r].skip)
				vsearch_may_row(s->dist + (size_t)r * nq, s->bound, nq,
						s->q.metric, s->mask + (size_t)r * mw);
		err = vexfs_search_fpu_end();
		if (err)
			return err;
	}

	for (r = 0; r < s->ngrp; r++) {
		struct vexfs_srec *g = &s->grp[r];

		if (g->skip) {
			const u8 *data = g->rec + VEXFS_VEC_REC_HDR;
			u32 id = get_unaligned_le32(data);
			const struct vexfs_cbook *cb = vexfs_cb_find(s->sb, id);

			/* a codebook added during the search is not an error */
			if (!vexfs_cb_matches(cb, g->dims, data, g->len)) {
				s->corrupt++;
				vexfs_corrupt(s->sb, "vector %llu: PQ codebook %u missing or not the one it was encoded with",
					      g->id, id);
			}
			continue;
		}
		s->compared++;
		vexfs_search_offer_row(s, r, mw);
	}
	s->ngrp = 0;
	for (i = 0; i < VEXFS_SEARCH_GROUP; i++)
		s->grp[i].skip = false;
	return err;
}

/* Add the record at @rec to the group if the query compares it. */
static int vexfs_search_offer(struct vexfs_search *s, const u8 *rec)
{
	const struct vexfs_vec_header *h = (const void *)rec;
	const struct vexfs_vec_meta *m = (const void *)(h + 1);
	struct vexfs_srec *g;
	u32 dtype = le16_to_cpu(h->vh_dtype), comp = le16_to_cpu(h->vh_compression);
	u32 dims = le32_to_cpu(h->vh_dimensions);

	if (!vsearch_comparable(s->q.dtype, s->q.dims, dtype, comp, dims))
		return 0;
	if (s->a.comp_mask && !(s->a.comp_mask & (1u << comp)))
		return 0;
	if (!s->any_model && memcmp(m->vm_model, s->a.model, sizeof(s->a.model)))
		return 0;
	g = &s->grp[s->ngrp++];
	g->rec = rec;
	g->id = le64_to_cpu(h->vh_vector_id);
	g->ino = le64_to_cpu(h->vh_file_inode);
	g->dtype = dtype;
	g->comp = comp;
	g->dims = dims;
	g->len = le32_to_cpu(h->vh_compressed_size);
	return s->ngrp == VEXFS_SEARCH_GROUP ? vexfs_search_group(s) : 0;
}

/* ---- whole-filesystem scan ---------------------------------------------- */

/*
 * Under vs->lock: copy chunk @c (its blocks are in s->bh) and its record
 * starts, and check the records no search has checked yet. Returns the id
 * of a record found bad now (to report after the lock), else 0.
 */
static u64 vexfs_search_snap(struct vexfs_search *s, struct vexfs_vchunk *c, u32 nblk,
			     u32 *bad_off)
{
	struct super_block *sb = s->sb;
	u32 bs = sb->s_blocksize, w, i;
	u64 bad_id = 0;

	for (i = 0; i < nblk; i++)
		memcpy(s->buf + (size_t)i * bs, s->bh[i]->b_data, bs);
	for (w = 0; w < VEXFS_VCHUNK_WORDS; w++) {
		u64 todo = c->starts[w] & ~c->checked[w] & ~c->bad[w];

		while (todo) {
			u32 slot = w * 64 + __ffs64(todo), off = slot * VEXFS_VEC_ALIGN;
			const struct vexfs_vec_header *h = (const void *)(s->buf + off);
			u64 id = le64_to_cpu(h->vh_vector_id);
			struct vexfs_vent *v = vexfs_vindex_lookup(&s->vs->index, id);
			const char *why = "";

			todo &= todo - 1;
			if (v && v->chunk == c && v->offset == off &&
			    !vexfs_vec_rec_validate(h, v->length, VEXFS_SB(sb)->s_csum_seed, id,
						    v->ino, &why)) {
				c->checked[w] |= 1ULL << (slot % 64);
				continue;
			}
			c->bad[w] |= 1ULL << (slot % 64);
			bad_id = id;
			*bad_off = off;
		}
		s->starts[w] = c->starts[w];
		s->bad[w] = c->bad[w];
	}
	return bad_id;
}

static void vexfs_search_readahead(struct vexfs_search *s, unsigned long *ra)
{
	struct super_block *sb = s->sb;
	u64 start[VEXFS_SEARCH_RA];
	u32 nblk[VEXFS_SEARCH_RA], n = 0, i, b;
	struct vexfs_vchunk *c;

	mutex_lock(&s->vs->lock);
	while (n < VEXFS_SEARCH_RA) {
		c = xa_find(&s->vs->chunks, ra, ULONG_MAX, XA_PRESENT);
		if (!c)
			break;
		start[n] = c->start;
		nblk[n++] = vexfs_vchunk_blocks(sb, c);
		(*ra)++;
	}
	mutex_unlock(&s->vs->lock);
	for (i = 0; i < n; i++)
		for (b = 0; b < nblk[i]; b++)
			sb_breadahead(sb, start[i] + b);
}

static int vexfs_search_fs(struct vexfs_search *s)
{
	struct super_block *sb = s->sb;
	struct vexfs_vstore *vs = s->vs;
	unsigned long pos = 0, ra = 0;
	u32 i, w, nblk, bad_off = 0, since_ra = 0;
	int err = 0;

	for (;;) {
		struct vexfs_vchunk *c;
		bool ioerr = false;
		u64 start, bad_id = 0;

		mutex_lock(&vs->lock);
		c = xa_find(&vs->chunks, &pos, ULONG_MAX, XA_PRESENT);
		if (c) {
			start = c->start;
			nblk = vexfs_vchunk_blocks(sb, c);
		}
		mutex_unlock(&vs->lock);
		if (!c)
			break;
		if (ra <= pos || since_ra++ >= VEXFS_SEARCH_RA / 2) {
			if (ra <= pos)
				ra = pos + 1;
			vexfs_search_readahead(s, &ra);
			since_ra = 0;
		}
		if (nblk > ARRAY_SIZE(s->bh))
			nblk = ARRAY_SIZE(s->bh);	/* cannot happen: chunks are <= 64 KiB */
		for (i = 0; i < nblk; i++) {
			s->bh[i] = sb_bread(sb, start + i);
			if (!s->bh[i])
				ioerr = true;
		}
		mutex_lock(&vs->lock);
		c = ioerr ? NULL : xa_load(&vs->chunks, start);
		for (i = 0; c && i < nblk; i++)
			if (!buffer_uptodate(s->bh[i]))
				ioerr = true;
		if (c && !ioerr && vexfs_vchunk_blocks(sb, c) == nblk)
			bad_id = vexfs_search_snap(s, c, nblk, &bad_off);
		else
			c = NULL;
		mutex_unlock(&vs->lock);
		for (i = 0; i < nblk; i++)
			brelse(s->bh[i]);
		if (ioerr) {
			vexfs_err(sb, "vector chunk %llu: read error, skipped by a search", start);
			s->corrupt++;
		}
		if (bad_id)
			vexfs_corrupt(sb, "vector %llu (chunk %llu + %u): record fails its checks, skipped by searches",
				      bad_id, start, bad_off);
		/* a chunk that went away or changed size has none of our records now */
		for (w = 0; c && w < VEXFS_VCHUNK_WORDS && !err; w++) {
			u64 bits = s->starts[w];

			while (bits && !err) {
				u32 slot = w * 64 + __ffs64(bits);

				bits &= bits - 1;
				if (s->bad[w] & (1ULL << (slot % 64))) {
					s->corrupt++;
					continue;
				}
				err = vexfs_search_offer(s, s->buf + (size_t)slot * VEXFS_VEC_ALIGN);
			}
		}
		/* the group points into s->buf: finish it before the next copy */
		if (!err && s->ngrp)
			err = vexfs_search_group(s);
		if (err)
			return err;
		pos = start + 1;
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* ---- one file ----------------------------------------------------------- */

static int vexfs_search_file(struct vexfs_search *s, struct inode *inode)
{
	u64 ids[VEXFS_SEARCH_IDS], after = 0;
	u32 n, i, gen = inode->i_generation;
	int err = 0;

	/* the caller holds the file open for reading */
	s->memo[hash_64(inode->i_ino, 10) % VEXFS_SEARCH_MEMO] =
		(struct vexfs_smemo){ .ino = inode->i_ino, .gen = gen, .mark = s->epoch << 1 | 1 };
	for (;;) {
		size_t used = 0;

		n = vexfs_vec_ids_after(inode, after, ids, ARRAY_SIZE(ids));
		if (!n)
			break;
		inode_lock_shared(inode);
		for (i = 0; i < n && !err; i++) {
			u32 len;
			u8 *rec = vexfs_vec_read(inode, ids[i], &len);

			after = ids[i];
			if (IS_ERR(rec)) {
				if (PTR_ERR(rec) == -EUCLEAN)
					s->corrupt++;
				else if (PTR_ERR(rec) != -ENOENT)
					err = PTR_ERR(rec);
				continue;
			}
			if (used + len > VEXFS_VCHUNK_BYTES) {
				err = vexfs_search_group(s);
				used = 0;
			}
			if (!err) {
				memcpy(s->buf + used, rec, len);
				err = vexfs_search_offer(s, s->buf + used);
				used += ALIGN(len, VEXFS_VEC_ALIGN);
			}
			kvfree(rec);
		}
		inode_unlock_shared(inode);
		if (!err && s->ngrp)
			err = vexfs_search_group(s);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* ---- approximate: candidates from the ANN index --------------------------- */

/*
 * Read the records of the candidates ids[0..n) into s->buf, one after the
 * other under one hold of the store's lock, as many as the buffer and the
 * group (s->grp) hold: each is checked as the exact scan checks it (or
 * known good), a removed one is skipped. *used: the ids consumed.
 */
static int vexfs_search_cand_read(struct vexfs_search *s, const u64 *ids, u32 n, u32 *used)
{
	u32 seed = VEXFS_SB(s->sb)->s_csum_seed, at = 0, i;
	int err = 0;

	s->ngrp = 0;
	mutex_lock(&s->vs->lock);
	for (i = 0; i < n && s->ngrp < VEXFS_SEARCH_GROUP; i++) {
		struct vexfs_vent *v = vexfs_vindex_lookup(&s->vs->index, ids[i]);
		const struct vexfs_vec_header *h;
		struct vexfs_srec *g;
		const char *why = "";
		u64 *chk, bit;

		if (!v)
			continue;	/* removed since the graph was walked */
		if (at + v->length > VEXFS_VCHUNK_BYTES) {
			if (!at)
				continue;	/* cannot be: a chunk holds it */
			break;		/* the next batch */
		}
		err = vexfs_vrec_io(NULL, s->sb, v->chunk->start, v->offset, s->buf + at,
				    v->length, false, false);
		if (err)
			break;
		/* the verdict of an earlier check stands, as for the exact scan */
		chk = &v->chunk->checked[v->offset / VEXFS_VEC_ALIGN / 64];
		bit = 1ULL << (v->offset / VEXFS_VEC_ALIGN % 64);
		if (!(*chk & bit)) {
			if (vexfs_vec_rec_validate(s->buf + at, v->length, seed, ids[i], v->ino,
						   &why)) {
				s->corrupt++;
				vexfs_corrupt(s->sb, "vector %llu (chunk %llu + %u): %s", ids[i],
					      v->chunk->start, v->offset, why);
				continue;
			}
			*chk |= bit;
		}
		h = (const void *)(s->buf + at);
		g = &s->grp[s->ngrp++];
		g->rec = s->buf + at;
		g->id = ids[i];
		g->ino = v->ino;
		g->dtype = le16_to_cpu(h->vh_dtype);
		g->comp = le16_to_cpu(h->vh_compression);
		g->dims = le32_to_cpu(h->vh_dimensions);
		g->len = le32_to_cpu(h->vh_compressed_size);
		at = ALIGN(at + v->length, 8);
	}
	mutex_unlock(&s->vs->lock);
	*used = i;
	return err;
}

/*
 * Compare the candidates read (s->grp[0..ngrp)) with query @qi only,
 * exactly, in bounded FPU sections. One that would enter the top-k is
 * checked against the scope and the caller's permission (counted in
 * *checked), and offered if it passes (counted in *passed).
 */
static void vexfs_search_cand_cmp(struct vexfs_search *s, u32 qi, u32 *checked, u32 *passed)
{
	u32 r = 0, bits, key, gen = 0;

	while (r < s->ngrp) {
		u32 budget = VEXFS_SEARCH_FPU_WORK;

		kernel_fpu_begin();
		for (; r < s->ngrp && budget; r++) {
			struct vexfs_srec *g = &s->grp[r];
			const struct vexfs_vec_meta *m = (const void *)(g->rec + sizeof(struct vexfs_vec_header));

			g->skip = !vsearch_comparable(s->q.dtype, s->q.dims, g->dtype, g->comp,
						      g->dims) ||
				  (s->a.comp_mask && !(s->a.comp_mask & (1u << g->comp))) ||
				  (!s->any_model &&
				   memcmp(m->vm_model, s->a.model, sizeof(s->a.model))) ||
				  /* a PQ codebook missing: the exact scan reports it */
				  vsearch_dist(&s->q, g->dtype, g->comp, g->dims,
					       g->rec + VEXFS_VEC_REC_HDR, g->len, qi, qi + 1,
					       s->dist + r);
			budget -= min(budget, vsearch_cost(g->dims, g->comp, g->len));
		}
		kernel_fpu_end();
	}
	for (r = 0; r < s->ngrp; r++) {
		struct vexfs_srec *g = &s->grp[r];

		if (g->skip) {
			g->skip = false;
			continue;
		}
		s->compared++;
		memcpy(&bits, s->dist + r, sizeof(bits));
		key = vsearch_key(bits, s->q.metric);
		if (!vsearch_topk_may(&s->tk[qi], key) || vsearch_is_nan(bits) ||
		    !vsearch_topk_wants(&s->tk[qi], key, g->id))
			continue;
		(*checked)++;
		if (!vexfs_search_may_read(s, g->ino, &gen))
			continue;
		(*passed)++;
		vsearch_topk_push(&s->tk[qi], bits, s->q.metric, g->id, g->ino, gen);
	}
	s->ngrp = 0;
}

/* Query @qi through the index with @ef: its candidates compared; 1: no index. */
static int vexfs_search_walk(struct vexfs_search *s, u32 qi, u32 ef, u64 *ids, u32 *n,
			     u32 *checked, u32 *passed)
{
	struct vexfs_vstore *vs = s->vs;
	u32 i, used;
	int ret, err = 0;

	*n = *checked = *passed = 0;
	vsearch_topk_init(&s->tk[qi], s->cand + (size_t)qi * s->a.k, s->a.k);
	down_read(&vs->ann_lock);
	if (!vexfs_ann_serves(vs->ann, s->q.dims, s->q.metric, s->a.model)) {
		up_read(&vs->ann_lock);
		return 1;		/* dropped meanwhile: exact */
	}
	ret = vexfs_ann_candidates(vs->ann, (const float *)s->q.q + (size_t)qi * s->q.dims,
				   ef, ef, ids);
	up_read(&vs->ann_lock);
	if (ret < 0)
		return ret;
	*n = ret;
	for (i = 0; i < *n && !err; i += used) {
		err = vexfs_search_cand_read(s, ids + i, *n - i, &used);
		if (!err)
			vexfs_search_cand_cmp(s, qi, checked, passed);
	}
	return err;
}

/*
 * Every query through the ANN index: its nearest candidates by code (ef of
 * them), compared exactly. The scope and the permissions filter the
 * candidates during the search: when they rejected some, the pass rate seen
 * estimates how many nodes pass, and the graph is walked again with the ef
 * that holds about twice max(ef, k) passing ones (vgraph_filtered_ef). *full
 * is false when the index does not serve the search, when that ef passes
 * VGRAPH_MAX_EF (too few vectors pass: a scan of them is the better plan),
 * or when a query still ends with fewer than k results: the caller then
 * searches exactly, so k results come back whenever k vectors match.
 *
 * vs->ann_lock is held only while the graph is walked, never while
 * candidates are compared: the permission check takes inodes (iget), which
 * waits for an inode being evicted, and eviction takes vs->ann_lock shared:
 * behind a queued INDEX create or drop, that would be a deadlock.
 */
static int vexfs_search_approx(struct vexfs_search *s, u32 ef, bool *full)
{
	u32 qi, n, checked, passed, ef2;
	u64 *ids;
	int err = 0;

	*full = false;
	if (!s->ids)	/* kept with the context */
		s->ids = kvmalloc_array(VGRAPH_MAX_EF, sizeof(*s->ids), GFP_KERNEL_ACCOUNT);
	ids = s->ids;
	if (!ids)
		return -ENOMEM;
	for (qi = 0; qi < s->q.nq && !err; qi++) {
		err = vexfs_search_walk(s, qi, ef, ids, &n, &checked, &passed);
		if (!err && passed < checked) {
			/* of n candidates, about n * passed / checked pass */
			ef2 = vgraph_filtered_ef(ef, s->a.k, div_u64((u64)n * passed, checked), n);
			if (!ef2)
				goto out;	/* too selective: exact */
			if (ef2 > ef)
				err = vexfs_search_walk(s, qi, ef2, ids, &n, &checked, &passed);
		}
		if (err == 1 || (!err && s->tk[qi].n < s->a.k)) {
			err = 0;
			goto out;
		}
		cond_resched();
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
	}
	*full = !err;
out:
	return err;
}

/* ---- the call ----------------------------------------------------------- */

/* The LIKE form: vector a->like_id, readable by the caller, becomes the query. */
static int vexfs_search_like(struct vexfs_search *s, void **qbuf)
{
	struct vexfs_vent *v;
	struct inode *inode;
	const struct vexfs_vec_header *h;
	u32 len, dtype, comp, dims, raw;
	u64 ino = 0;
	void *rec, *out;
	int err;

	rcu_read_lock();
	v = vexfs_vindex_lookup(&s->vs->index, s->a.like_id);
	if (v)
		ino = v->ino;
	rcu_read_unlock();
	if (!ino)
		return -ENOENT;
	inode = vexfs_iget_live(s->sb, ino);
	if (IS_ERR(inode))
		return PTR_ERR(inode) == -ESTALE ? -ENOENT : PTR_ERR(inode);
	err = inode_permission(s->idmap, inode, MAY_READ);
	if (err) {
		iput(inode);
		return err;
	}
	inode_lock_shared(inode);
	rec = vexfs_vec_read(inode, s->a.like_id, &len);
	inode_unlock_shared(inode);
	if (IS_ERR(rec)) {
		iput(inode);
		return PTR_ERR(rec);
	}
	h = rec;
	dtype = le16_to_cpu(h->vh_dtype);
	comp = le16_to_cpu(h->vh_compression);
	dims = le32_to_cpu(h->vh_dimensions);
	raw = vexfs_vec_raw_size(dtype, dims);
	err = -EINVAL;
	if (s->a.dims && s->a.dims != dims)
		goto out;
	out = kvmalloc(dtype == VEXFS_DT_F16 ? 4 * (size_t)dims : raw, GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!out)
		goto out;
	if (dtype == VEXFS_DT_F16) {
		vq_f16_decode_ref((const void *)((u8 *)rec + VEXFS_VEC_REC_HDR), out, dims);
		dtype = VEXFS_DT_F32;
		err = 0;
	} else if (comp == VEXFS_COMP_NONE) {
		memcpy(out, (u8 *)rec + VEXFS_VEC_REC_HDR, raw);
		err = 0;
	} else {
		err = vexfs_vec_decompress(s->sb, s->a.like_id, dtype, comp, dims,
					   (u8 *)rec + VEXFS_VEC_REC_HDR, len - VEXFS_VEC_REC_HDR,
					   out);
	}
	if (err) {
		kvfree(out);
		goto out;
	}
	s->a.dtype = dtype;
	s->a.dims = dims;
	*qbuf = out;
out:
	kvfree(rec);
	iput(inode);
	return err;
}

/*
 * A search context: the one kept by the last call, or a new one. Most
 * calls are one query: the context's fixed parts (the struct, its 64 KiB
 * record buffer, its permission memo, an approximate search's candidate
 * ids) cost more to allocate and clear than the search itself
 * (bench/README.md), so one is kept per mount. Its
 * memo is not cleared: entries of earlier calls carry an older epoch.
 */
static struct vexfs_search *vexfs_search_get(struct vexfs_vstore *vs)
{
	struct vexfs_smemo *memo;
	struct vexfs_search *s;
	u32 epoch, i;
	u64 *ids;
	u8 *buf;

	spin_lock(&vs->kept_lock);
	s = vs->kept;
	vs->kept = NULL;
	spin_unlock(&vs->kept_lock);
	if (!s) {
		s = kvzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
		if (s)
			s->epoch = 1;
		return s;
	}
	memo = s->memo;
	buf = s->buf;
	ids = s->ids;
	epoch = s->epoch + 1;
	/* everything but the group's records, which are set before use */
	memset(s, 0, offsetof(struct vexfs_search, grp));
	memset((u8 *)s + offsetof(struct vexfs_search, ngrp), 0,
	       sizeof(*s) - offsetof(struct vexfs_search, ngrp));
	for (i = 0; i < VEXFS_SEARCH_GROUP; i++)
		s->grp[i].skip = false;
	if (epoch == VEXFS_SMEMO_EPOCH_MAX) {
		memset(memo, 0, VEXFS_SEARCH_MEMO * sizeof(*memo));
		epoch = 1;
	}
	s->memo = memo;
	s->buf = buf;
	s->ids = ids;
	s->epoch = epoch;
	return s;
}

/* A context's own parts and the context */
static void vexfs_search_destroy(struct vexfs_search *s)
{
	kvfree(s->memo);
	kvfree(s->buf);
	kvfree(s->ids);
	kvfree(s);
}

/* The end of a call: its own allocations freed, the context kept or freed. */
static void vexfs_search_put(struct vexfs_search *s)
{
	struct vexfs_vstore *vs = s->vs;
	u32 i;

	for (i = 0; i < s->q.npq; i++)
		kvfree(s->q.pq[i].lut);
	kvfree(s->q.qnorm);
	kvfree(s->q.qsum);
	kvfree(s->q.sqbuf);
	kvfree(s->q.sqq);
	kvfree(s->q.scratch);
	kvfree(s->tk);
	kvfree(s->cand);
	kvfree(s->dist);
	if (s->scope)
		vexfs_scope_free(s->scope);
	if (s->memo && s->buf) {
		spin_lock(&vs->kept_lock);
		if (!vs->kept) {
			vs->kept = s;
			s = NULL;
		}
		spin_unlock(&vs->kept_lock);
		if (!s)
			return;
	}
	vexfs_search_destroy(s);
}

void vexfs_search_kept_free(struct vexfs_vstore *vs)
{
	struct vexfs_search *s = vs->kept;

	vs->kept = NULL;
	if (s)
		vexfs_search_destroy(s);
}

/* Allocate what the scan needs and prepare the queries (PQ tables, norms). */
static int vexfs_search_setup(struct vexfs_search *s)
{
	struct vsearch_query *q = &s->q;
	size_t lut[VEXFS_CB_MAX];
	u32 nq = q->nq, i, id;
	const gfp_t gfp = GFP_KERNEL_ACCOUNT;

	s->tk = kvcalloc(nq, sizeof(*s->tk), gfp);
	s->cand = kvmalloc_array((size_t)nq * s->a.k, sizeof(*s->cand), gfp);
	s->dist = kvmalloc_array((size_t)VEXFS_SEARCH_GROUP * nq, sizeof(float), gfp);
	if (!s->memo)
		s->memo = kvcalloc(VEXFS_SEARCH_MEMO, sizeof(*s->memo), gfp);
	if (!s->buf)
		s->buf = kvmalloc(VEXFS_VCHUNK_BYTES, gfp);
	q->qnorm = kvcalloc(nq, sizeof(float), gfp);
	q->scratch = kvmalloc_array(3 * (size_t)q->dims, sizeof(float), gfp);
	if (!s->tk || !s->cand || !s->dist || !s->memo || !s->buf || !q->qnorm || !q->scratch)
		return -ENOMEM;
	if (vsearch_sq_wanted(q->dtype, q->dims)) {
		q->qsum = kvcalloc(nq, sizeof(float), gfp);
		q->sqbuf = kvmalloc_array(vsearch_sq_floats(q->dims, nq), sizeof(float), gfp);
		q->sqq = kvcalloc(vsearch_sq_queries(nq), sizeof(*q->sqq), gfp);
		if (!q->qsum || !q->sqbuf || !q->sqq)
			return -ENOMEM;
	}
	for (i = 0; i < nq; i++)
		vsearch_topk_init(&s->tk[i], s->cand + (size_t)i * s->a.k, s->a.k);

	if (q->dtype == VEXFS_DT_F32) {
		for (id = 1; id <= VEXFS_CB_MAX; id++) {
			const struct vexfs_cbook *cb = vexfs_cb_find(s->sb, id);

			if (!cb)
				break;
			if (cb->dims != q->dims)
				continue;
			q->pq[q->npq++] = (struct vsearch_pq){ .id = cb->id, .crc = cb->crc,
							      .pq = &cb->pq };
		}
	}
	vsearch_pq_plan(q, lut);
	for (i = 0; i < q->npq; i++) {
		if (!lut[i])
			continue;
		q->pq[i].lut = kvmalloc(lut[i], gfp);
		if (!q->pq[i].lut)
			return -ENOMEM;
	}
	s->pq_qmajor = vsearch_pq_all_tables(q);
	for (i = 0; i < nq; i++) {
		kernel_fpu_begin();
		vsearch_prepare_one(q, i);
		kernel_fpu_end();
		cond_resched();
	}
	return 0;
}

/* Results, best first per query; unused entries are zero. */
static int vexfs_search_copy_out(struct vexfs_search *s, void __user *uarg)
{
	struct vexfs_search_result __user *ures = u64_to_user_ptr(s->a.results);
	struct vexfs_search_result *r = (void *)s->buf;
	const u32 per = VEXFS_VCHUNK_BYTES / sizeof(*r);
	size_t done = 0;
	u32 qi, j, n = 0;

	for (qi = 0; qi < s->q.nq; qi++) {
		struct vsearch_topk *t = &s->tk[qi];

		vsearch_topk_sort(t);
		for (j = 0; j < s->a.k; j++) {
			memset(&r[n], 0, sizeof(*r));
			if (j < t->n) {
				r[n].vector_id = t->h[j].id;
				r[n].inode = t->h[j].ino;
				r[n].generation = t->h[j].gen;
				r[n].distance = vsearch_key_bits(t->h[j].key, s->q.metric);
			}
			if (++n == per || (qi == s->q.nq - 1 && j == s->a.k - 1)) {
				if (copy_to_user(ures + done, r, n * sizeof(*r)))
					return -EFAULT;
				done += n;
				n = 0;
			}
		}
	}
	if (put_user(s->compared, (u64 __user *)(uarg + offsetof(struct vexfs_ioc_search, compared))) ||
	    put_user(s->corrupt, (u64 __user *)(uarg + offsetof(struct vexfs_ioc_search, corrupt))))
		return -EFAULT;
	return 0;
}

long vexfs_ioc_search(struct file *file, void __user *uarg)
{
	struct inode *inode = file_inode(file), *top = NULL;
	struct super_block *sb = inode->i_sb;
	struct vexfs_search *s;
	struct vexfs_ioc_search *a;
	const char *why = "";
	void *qbuf = NULL;
	bool whole;
	u32 usize;
	u64 need;
	long err;

	s = vexfs_search_get(VEXFS_SB(sb)->s_vstore);
	if (!s)
		return -ENOMEM;
	a = &s->a;
	s->sb = sb;
	s->vs = VEXFS_SB(sb)->s_vstore;
	s->idmap = vexfs_file_idmap(file);
	err = vexfs_copy_arg_min(a, sizeof(*a), VEXFS_SEARCH_SIZE_V0, uarg, &usize);
	if (err)
		goto out;
	err = -EINVAL;
	if ((a->flags & ~VEXFS_SEARCH_FLAGS) || a->pad ||
	    (a->comp_mask & ~((2u << VEXFS_COMP_MAX) - 1)) ||
	    (a->ef && !(a->flags & VEXFS_SEARCH_APPROX)) || a->ef > VEXFS_SEARCH_EF_MAX || a->approx ||
	    (a->ef && a->ef < a->k))
		goto out;
	if (S_ISREG(inode->i_mode)) {
		if (a->flags & VEXFS_SEARCH_FS) {
			whole = true;
		} else {
			whole = false;
			if (!(file->f_mode & FMODE_READ)) {
				err = -EBADF;
				goto out;
			}
		}
	} else if (S_ISDIR(inode->i_mode)) {
		whole = true;
		/* a directory subtree is decided by the parent pointers */
		if (!(a->flags & VEXFS_SEARCH_FS) && inode != d_inode(sb->s_root) &&
		    !vexfs_has_parent(sb)) {
			err = -EOPNOTSUPP;	/* said at mount */
			goto out;
		}
	} else {
		err = -ENOTTY;
		goto out;
	}
	if (whole && vexfs_has_parent(sb)) {
		/*
		 * The subtree of the directory, or of the root (--fs): results
		 * only from files reached through directories the caller may
		 * search.
		 */
		top = S_ISDIR(inode->i_mode) && !(a->flags & VEXFS_SEARCH_FS) ?
		      inode : d_inode(sb->s_root);
		/*
		 * The whole filesystem, for a caller that may search every
		 * directory (generic_permission's CAP_DAC_READ_SEARCH, no
		 * idmapping): every linked file is reached, and may_read
		 * checks each result as it would. No subtree to list.
		 */
		if (top == d_inode(sb->s_root) && s->idmap == VEXFS_NOP_IDMAP &&
		    ns_capable_noaudit(&init_user_ns, CAP_DAC_READ_SEARCH))
			top = NULL;
	}
	if (top) {
		/* list the subtree when it has under 1/8 as many entries as vectors */
		s->scope = vexfs_scope_new(sb, top, s->idmap,
					   READ_ONCE(s->vs->index.count) / 8);
		if (IS_ERR(s->scope)) {
			err = PTR_ERR(s->scope);
			s->scope = NULL;
			goto out;
		}
	}
	if (!a->results || (a->results & 7))
		goto out;
	if (a->flags & VEXFS_SEARCH_LIKE) {
		if (a->nq != 1 || a->queries || a->queries_len || !a->like_id || a->dtype)
			goto out;
		if (a->metric > VEXFS_SEARCH_METRIC_HAMMING || !a->k || a->k > VEXFS_SEARCH_K_MAX)
			goto out;
		need = (u64)a->k * sizeof(struct vexfs_search_result);
		if (a->results_len < need)
			goto out;
		err = vexfs_search_like(s, &qbuf);
		if (err)
			goto out;
	}
	err = vsearch_check_args(a->dtype, a->metric, a->dims, a->nq, a->k, &why);
	if (err)
		goto out;
	s->q.dtype = a->dtype;
	s->q.metric = a->metric;
	s->q.dims = a->dims;
	s->q.nq = a->nq;
	s->q.row = vsearch_row_size(a->dtype, a->dims);
	err = -EINVAL;
	need = (u64)a->nq * a->k * sizeof(struct vexfs_search_result);
	if (a->results_len < need)
		goto out;
	if (!qbuf) {
		if (!a->queries || a->queries_len != (u64)a->nq * s->q.row)
			goto out;
		qbuf = vmemdup_user(u64_to_user_ptr(a->queries), a->queries_len);
		if (IS_ERR(qbuf)) {
			err = PTR_ERR(qbuf);
			qbuf = NULL;
			goto out;
		}
	}
	if (a->dtype == VEXFS_DT_F32 &&
	    !vsearch_query_finite(qbuf, (size_t)a->nq * a->dims)) {
		err = -EINVAL;
		goto out;
	}
	s->q.q = qbuf;
	s->any_model = !memchr_inv(a->model, 0, sizeof(a->model));
	err = vexfs_search_setup(s);
	if (err)
		goto out;
	if (whole && (a->flags & VEXFS_SEARCH_APPROX) && a->metric <= VEXFS_ANN_METRIC_MAX &&
	    a->dtype == VEXFS_DT_F32 && !a->comp_mask) {
		u32 ef = max(a->ef ? a->ef : VEXFS_SEARCH_EF_DEFAULT, a->k);
		bool full = false;

		if (ef <= VGRAPH_MAX_EF) {
			err = vexfs_search_approx(s, ef, &full);
			a->approx = full;
		}
		if (err)
			goto out;
	}
	if (!a->approx) {
		u32 qi;

		/* exact: also when the index left a query short of k results */
		for (qi = 0; qi < s->q.nq; qi++)
			vsearch_topk_init(&s->tk[qi], s->cand + (size_t)qi * a->k, a->k);
		if (whole)
			err = vexfs_search_fs(s);
		else
			err = vexfs_search_file(s, inode);
	}
	if (!err)
		err = vexfs_search_copy_out(s, uarg);
	if (!err && usize >= offsetofend(struct vexfs_ioc_search, approx) &&
	    put_user(a->approx, (u32 __user *)(uarg + offsetof(struct vexfs_ioc_search, approx))))
		err = -EFAULT;
out:
	kvfree(qbuf);
	vexfs_search_put(s);
	return err;
}
