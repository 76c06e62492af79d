// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_ann.c - the graph ANN index (INCOMPAT_ANN), checked at the end of
 * pass 4 against the vector store: its descriptor, every node slot, and
 * the link both ways between a live node and the record that names it
 * (vm_ann), the free list. A damaged index is reported, and dropped by -y
 * (ann_drop): `vexctl index create` builds it again from the vectors, which
 * it only mirrors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/vann.h"
#include "core/vgraph.h"
#include "fsck.h"

/*
 * A damaged index is reported and, with -y, dropped (ann_drop): it only
 * mirrors the vectors, which stay intact, and `vexctl index create` builds
 * it again. Hard: -p leaves it (a rebuild takes time).
 */
static int ann_kind(struct fsck *f)
{
	return fixable(f, true) ? P_FIX : P_NOFIX;
}

/*
 * Drop the index as INDEX drop's first transaction does: size 0. The
 * blocks stay the inode's (so the block accounting holds) until the next
 * read-write mount frees them, as after a drop cut short by a crash.
 */
static void ann_drop(struct fsck *f)
{
	f->ann_ok = false;
	if (f->mode == MODE_CHECK || !fixable(f, true)) {
		prob(f, P_NOTE, "ANN index: drop it (vexctl index drop, or fsck.vexfs -y) and create it again; the vectors are intact");
		return;
	}
	inode_update(f, VEXFS_ANN_INO, IU_SIZE, 0);
	prob(f, P_NOTE, "ANN index dropped (the next mount frees its blocks): create it again with vexctl index create; the vectors are intact");
}

/* the physical block of logical block @lblk of internal inode @r, or 0 */
static u64 ann_pblk(const struct fsck *f, const struct irec *r, u64 lblk)
{
	u64 lo = r->map_start, hi = r->map_start + r->map_len;

	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;

		if (f->dmap[mid].lblk < lblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->map_start + r->map_len && f->dmap[lo].lblk == lblk ? f->dmap[lo].pblk : 0;
}

/* Read the descriptor, before the records are checked (they are matched to it). */
void ann_begin(struct fsck *f)
{
	const struct irec *r = rec_find(f, VEXFS_ANN_INO);
	const char *why = "";
	u64 pblk;

	f->ann_ok = false;
	if (!f->ann)
		return;
	if (!r || !(r->flags & R_ANN) || (r->flags & R_PARTIAL)) {
		f->incomplete = true;	/* reported in pass 1 */
		return;
	}
	if (!r->size)
		return;		/* no index: dropped */
	pblk = ann_pblk(f, r, 0);
	if (!pblk || rd(f, pblk, f->buf, "ANN index descriptor")) {
		prob(f, ann_kind(f), "ANN index: no descriptor block");
		ann_drop(f);
		return;
	}
	memcpy(&f->annd, f->buf, sizeof(f->annd));
	if (vexfs_ann_desc_validate(&f->annd, f->seed, f->bs, le32_to_cpu(f->sb.s_ann_gen), &why)) {
		prob(f, ann_kind(f), "ANN index descriptor: %s", why);
		ann_drop(f);
		return;
	}
	f->ann_ok = true;
}

/* Note what record @rec (valid) says about the index, in @v. */
void ann_note(struct fsck *f, struct vent *v, const void *rec)
{
	const struct vexfs_vec_header *h = rec;
	const struct vexfs_vec_meta *m = (const void *)(h + 1);
	const struct vexfs_ann_desc *d = &f->annd;
	static const u8 zero[16];

	v->ann = le64_to_cpu(m->vm_ann);
	v->ann_member = f->ann_ok && le16_to_cpu(h->vh_dtype) == VEXFS_DT_F32 &&
			le32_to_cpu(h->vh_dimensions) == le32_to_cpu(d->ad_dims) &&
			(!memcmp(d->ad_model, zero, sizeof(zero)) ||
			 !memcmp(d->ad_model, m->vm_model, sizeof(d->ad_model)));
	if (v->ann && !f->ann)
		prob(f, P_NOFIX, "vector %llu: its record names an ANN index node, but the filesystem has no ANN index feature",
		     (unsigned long long)v->id);
}

static int cmp_vent_ptr_id(const void *a, const void *b)
{
	const struct vent *x = *(const struct vent *const *)a, *y = *(const struct vent *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct vent *ann_vent(struct vent **byid, u64 n, u64 id)
{
	u64 lo = 0, hi = n;

	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;

		if (byid[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && byid[lo]->id == id ? byid[lo] : NULL;
}

/*
 * Whether node @slot (< ad_nslots; its block read and its nodes valid
 * already) is free: 1, 0, or -1 when its block cannot be read.
 */
static int ann_is_free(struct fsck *f, const struct irec *r, u32 npb, u32 slot)
{
	u32 nsize = le16_to_cpu(f->annd.ad_node_size);
	u64 pblk;

	if (slot == VGRAPH_NONE)
		return 0;
	pblk = ann_pblk(f, r, 1 + slot / npb);
	if (!pblk || rd(f, pblk, f->buf, "ANN index nodes"))
		return -1;
	return ((const struct vexfs_ann_node *)(f->buf + (size_t)(slot % npb) * nsize))->an_state ==
	       VEXFS_ANN_NODE_FREE;
}

/*
 * The free list: ad_nfree links from ad_free, each to a free node, and then
 * the end (a list that gets there in ad_nfree steps has no cycle; with as
 * many free nodes as the descriptor counts, it holds every one). Problems.
 */
static u32 ann_free_list(struct fsck *f, const struct irec *r, u32 npb)
{
	u32 nsize = le16_to_cpu(f->annd.ad_node_size), slot = le32_to_cpu(f->annd.ad_free);
	u32 nfree = le32_to_cpu(f->annd.ad_nfree), k;

	for (k = 0; k < nfree; k++) {
		const struct vexfs_ann_node *hd;

		if (ann_is_free(f, r, npb, slot) != 1) {
			prob(f, ann_kind(f), "ANN index: free list entry %u, node %u, is not a free node",
			     k, slot);
			return 1;
		}
		hd = (const void *)(f->buf + (size_t)(slot % npb) * nsize);
		slot = (u32)le64_to_cpu(hd->an_vid);	/* valid: < nslots or none */
	}
	if (slot != VGRAPH_NONE) {
		prob(f, ann_kind(f), "ANN index: the free list is longer than its %u nodes (a cycle?)",
		     nfree);
		return 1;
	}
	return 0;
}

/* After the records: every node slot, and the nodes against the records. */
void ann_check(struct fsck *f)
{
	const struct vexfs_ann_desc *d = &f->annd;
	const struct irec *r = rec_find(f, VEXFS_ANN_INO);
	u32 gen = le32_to_cpu(d->ad_gen), dims = le32_to_cpu(d->ad_dims), rr = le16_to_cpu(d->ad_r);
	u32 nsize = le16_to_cpu(d->ad_node_size), nslots = le32_to_cpu(d->ad_nslots);
	u32 npb, slot, i, bad = 0;
	u64 live = 0, nfree = 0, n = 0, lblk, nblocks;
	bool ready = le32_to_cpu(d->ad_state) == VEXFS_ANN_READY;
	struct vent **byid;
	const char *why = "";

	/* only a validated descriptor: its node size is a block's divisor then */
	if (!f->ann_ok)
		return;
	npb = vexfs_ann_per_block(f->bs, nsize);
	nblocks = 1 + VEXFS_DIV_ROUND_UP((u64)nslots, npb);
	verbose(f, "Pass 4: checking the ANN index (%u nodes)\n", nslots);
	byid = xcalloc(f->nvents + 1, sizeof(*byid));
	for (i = 0; i < f->nvents; i++)
		if (f->vents[i].state != V_CLEAR)
			byid[n++] = &f->vents[i];
	if (n)
		qsort(byid, n, sizeof(*byid), cmp_vent_ptr_id);
	if ((u64)r->size < nblocks * f->bs) {
		prob(f, ann_kind(f), "ANN index: %u nodes need %llu blocks, the inode's size covers %llu",
		     nslots, (unsigned long long)nblocks, (unsigned long long)(r->size / f->bs));
		bad++;
	}
	for (lblk = 1; lblk < nblocks && bad < 20; lblk++) {
		u64 pblk = ann_pblk(f, r, lblk);

		if (!pblk || rd(f, pblk, f->buf, "ANN index nodes")) {
			prob(f, ann_kind(f), "ANN index: node block %llu missing or unreadable",
			     (unsigned long long)lblk);
			bad++;
			continue;
		}
		for (i = 0; i < npb; i++) {
			u8 *node = f->buf + (size_t)i * nsize;
			const struct vexfs_ann_node *hd = (const void *)node;
			struct vent *v;
			u64 vid;

			slot = (u32)(lblk - 1) * npb + i;
			if (vexfs_ann_node_validate(node, nsize, dims, slot, rr, nslots, f->seed, gen,
						    &why)) {
				prob(f, ann_kind(f), "ANN index node %u: %s", slot, why);
				bad++;
				continue;
			}
			nfree += slot < nslots && hd->an_state == VEXFS_ANN_NODE_FREE;
			if (slot >= nslots || hd->an_state != VEXFS_ANN_NODE_LIVE)
				continue;
			live++;
			vid = le64_to_cpu(hd->an_vid);
			v = ann_vent(byid, n, vid);
			if (!v) {
				prob(f, ann_kind(f), "ANN index node %u: its vector %llu does not exist",
				     slot, (unsigned long long)vid);
				bad++;
			} else if (vexfs_ann_ref_slot(v->ann, gen) != slot) {
				prob(f, ann_kind(f), "ANN index node %u: the record of vector %llu names another node",
				     slot, (unsigned long long)vid);
				bad++;
			} else {
				v->ann_seen = true;
			}
		}
	}
	if (!bad && live != le32_to_cpu(d->ad_nlive)) {
		prob(f, ann_kind(f), "ANN index: the descriptor counts %u live nodes, found %llu",
		     le32_to_cpu(d->ad_nlive), (unsigned long long)live);
		bad++;
	}
	if (!bad && nfree != le32_to_cpu(d->ad_nfree)) {
		prob(f, ann_kind(f), "ANN index: the descriptor counts %u free nodes, found %llu",
		     le32_to_cpu(d->ad_nfree), (unsigned long long)nfree);
		bad++;
	}
	if (!bad)
		bad += ann_free_list(f, r, npb);
	if (!bad && ann_is_free(f, r, npb, le32_to_cpu(d->ad_entry)) == 1) {
		prob(f, ann_kind(f), "ANN index: the entry node is a free one");
		bad++;
	}
	for (i = 0; i < n && bad < 20; i++) {
		struct vent *v = byid[i];
		u32 s = vexfs_ann_ref_slot(v->ann, gen);

		if (s != VEXFS_ANN_NO_SLOT && !v->ann_seen) {
			prob(f, ann_kind(f), "vector %llu: its record names ANN index node %u, which is not its live node",
			     (unsigned long long)v->id, s);
			bad++;
		} else if (s == VEXFS_ANN_NO_SLOT && v->ann_member && ready) {
			prob(f, ann_kind(f), "vector %llu: in the ANN index's collection but not in the index",
			     (unsigned long long)v->id);
			bad++;
		}
	}
	if (bad)
		ann_drop(f);
	free(byid);
}
