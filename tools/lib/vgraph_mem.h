/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vgraph_mem.h - the graph ANN index (src/core/vgraph.c) over nodes held in
 * memory: the userspace harness of its tests and benchmarks. Slots hold a
 * byte code, a neighbour list and a state; deletions are tombstones until
 * vgm_consolidate() repairs every live list that names one and frees them.
 */
#ifndef _VEXFS_TOOLS_VGRAPH_MEM_H
#define _VEXFS_TOOLS_VGRAPH_MEM_H

#include "vexfs/compat.h"
#include "core/vgraph.h"

enum { VGM_FREE = 0, VGM_LIVE = 1, VGM_DEAD = 2 };

struct vgm {
	struct vgraph g;
	/*
	 * The code distance of searches: VQ_U8_L2 (vgm_init's) or VQ_U8_IP.
	 * Inserts and repairs walk by L2 whatever it is (cur: the walk's).
	 */
	u32 kind, cur;
	u32 cap, hiwat, nlive, ndead, ef_c;
	u8 *codes;		/* cap * dims */
	u32 *nbr;		/* cap * r */
	u8 *cnt, *state;	/* cap each */
	u64 *id;		/* cap */
	u32 *freel, nfree;	/* freed slots, reused first */
	const u8 **ptrs;	/* gathered code addresses for one distance call */
	struct vgraph_scratch s;
	struct vgraph_plan p;
	void *smem, *pmem;
	u64 ndist;		/* distances computed, all calls */
	u64 ninsert;		/* inserts so far (the seeds' reservoir) */
	/* a search filter: results only where pass(arg, slot) */
	bool (*pass)(void *arg, u32 slot);
	void *pass_arg;
	bool exact;		/* the last filtered search scanned exactly */
	u32 seeds[VGRAPH_MAX_SEEDS];
};

/* 0, -EINVAL (parameters) or -ENOMEM; ef_max bounds vgm_search's ef */
int vgm_init(struct vgm *m, u32 dims, u32 r, u32 alpha, u32 ef_c, u32 ef_max, u32 cap);
void vgm_free(struct vgm *m);
/* insert a node: its slot, or -ENOSPC / -errno */
int vgm_insert(struct vgm *m, const u8 *code, u64 id);
/* make a live slot a tombstone */
void vgm_delete(struct vgm *m, u32 slot);
/* repair every live list that names a tombstone, then free the tombstones: lists changed */
int vgm_consolidate(struct vgm *m);
/* up to k live nearest (by code distance) into slots / dists: their count or -errno */
int vgm_search(struct vgm *m, const u8 *q, u32 ef, u32 k, u32 *slots, u32 *dists);
/*
 * The same, results only where pass(arg, slot): the graph with the ef of
 * vgraph_filtered_ef, or an exact scan of the passing nodes when that says
 * so (m->exact tells which).
 */
int vgm_search_filtered(struct vgm *m, const u8 *q, u32 ef, u32 k,
			bool (*pass)(void *arg, u32 slot), void *arg, u32 *slots, u32 *dists);

#endif
