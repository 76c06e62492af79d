/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vgraph.h - the logic of the graph ANN index: one layer, fixed out-degree
 * R, Vamana's robust pruning (DiskANN), built incrementally (FreshVamana),
 * deletions as tombstones repaired in place. Shared by vexfs.ko and
 * userspace like the rest of src/core/; see Documentation/ann-index.rst for
 * the choice against HNSW and for the on-disk node this works on.
 *
 * Integer-only: a node is known by its slot (u32) and carries a byte code of
 * `dims` bytes (one collection-wide scalar quantizer); distances are exact
 * u32 squared L2 of codes (vq_l2sq_u8). Nodes are reached through the
 * caller's operations (struct vgraph_ops), which read them from memory
 * (native harness) or from the page cache (kernel), and which own the FPU
 * sections around the distance kernel. This code never allocates: the caller
 * sizes one scratch area (vgraph_scratch_size) per search or insert, so the
 * memory of a search is O(ef * R), whatever the number of vectors.
 *
 * An insert is split so that it can be all or nothing: vgraph_insert_plan()
 * only reads nodes and computes every neighbour list the insert will write
 * (the new node's and each changed neighbour's); the caller then reserves
 * what writing needs (journal credits, write access to those nodes) and
 * applies the plan, which cannot fail. A repair (after deletions) is planned
 * the same way.
 */
#ifndef _VEXFS_CORE_VGRAPH_H
#define _VEXFS_CORE_VGRAPH_H

#include "vexfs/compat.h"

#define VGRAPH_NONE		0xffffffffU
#define VGRAPH_MIN_R		4
#define VGRAPH_MAX_R		64
#define VGRAPH_MAX_EF		1024
/* a search expands at most this many nodes per ef (then ends, counted) */
#define VGRAPH_EXPAND_PER_EF	2
#define VGRAPH_EXPAND_EXTRA	16
/* alpha of robust pruning, in hundredths (Vamana's 1.2 is 120) */
/* entry nodes besides the entry: a sample that reaches every region (clusters) */
#define VGRAPH_MAX_SEEDS	64
#define VGRAPH_MIN_ALPHA	100
#define VGRAPH_MAX_ALPHA	200

/* flags of a candidate-list entry */
#define VGRAPH_F_EXPANDED	0x01
#define VGRAPH_F_DELETED	0x02

struct vgraph_ops {
	/*
	 * Distances from the code q to the nodes slots[0..n) into out[], and
	 * for each whether the node is deleted (a tombstone: walked through,
	 * never a result, never a new neighbour). 0 or -errno.
	 */
	int (*dist)(void *ctx, const u8 *q, const u32 *slots, u32 n, u32 *out, u8 *deleted);
	/* the out-neighbours of slot into out[] (at most R): their count or -errno */
	int (*nbrs)(void *ctx, u32 slot, u32 *out);
	/* a copy of slot's code (dims bytes): 0 or -errno */
	int (*code)(void *ctx, u32 slot, u8 *out);
};

struct vgraph {
	const struct vgraph_ops *ops;
	void *ctx;
	u32 dims;		/* bytes of a code */
	u32 r;			/* out-degree bound */
	u32 alpha;		/* robust-pruning alpha, hundredths */
	u32 entry;		/* entry node, VGRAPH_NONE when empty */
	/*
	 * Seeds: more entry nodes, a uniform sample of the live nodes kept by
	 * the caller (vgraph_seed_update). One entry point cannot lead a
	 * search out of a cluster the graph barely links to the others (seen
	 * in tests/user/test_vgraph.c); every search starts from all of them.
	 */
	const u32 *seeds;
	u32 nseeds;
};

/*
 * Reservoir sampling of the seeds: the slot of the n-th insert (n from 1)
 * replaces a seed with probability VGRAPH_MAX_SEEDS / n, chosen by a hash
 * of n (deterministic, so replays and the native harness agree). Returns
 * the seed index to overwrite, *nseeds grows while below the maximum, or
 * VGRAPH_NONE to leave the seeds as they are.
 */
static inline u32 vgraph_seed_pick(u64 n, u32 *nseeds)
{
	u64 h = n * 0x9E3779B97F4A7C15ULL;

	if (*nseeds < VGRAPH_MAX_SEEDS)
		return (*nseeds)++;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	/* h mod n: a 32-bit remainder is uniform enough here */
	if ((u32)h % (u32)VEXFS_MIN(n, 0xffffffffULL) < VGRAPH_MAX_SEEDS)
		return (u32)(h >> 32) % VGRAPH_MAX_SEEDS;
	return VGRAPH_NONE;
}

/* the parameter checks of index creation: 0 or -EINVAL */
int vgraph_check_params(u32 dims, u32 r, u32 alpha, u32 ef_construction);

/* scratch of one search or insert with lists up to ef (>= r + 1 for inserts) */
struct vgraph_scratch {
	u32 ef_cap, exp_max, hmask, nused, r, dims;
	u64 *list;		/* sorted (dist << 32 | slot), ef_cap entries */
	u64 *res;		/* vgraph_search_k's results, the same keys */
	u32 nres, kres;
	u8 *lflag;		/* VGRAPH_F_* of each list entry */
	u32 *hash;		/* visited set: slot + 1, 0 = empty */
	u32 *hused;		/* hash positions in use (to clear them) */
	u32 *nb, *nd;		/* a neighbour list and its distances */
	u8 *ndel;
	u64 *cand;		/* pruning candidates (dist << 32 | slot) */
	u32 *cslot, *cdist;	/* the same, unpacked for a distance call */
	u8 *cdel;
	u32 *tslot, *tdist;	/* the candidates left, for one distance call */
	u8 *tdel;
	u8 *code;		/* a node's code, for pruning around it */
	/* counters of the last call */
	u32 ndist, nexpand;
	bool capped;		/* the search hit exp_max */
};

/*
 * Insert @key into the ascending a[0..*n), which keeps the @cap smallest keys;
 * returns its position, or @cap when it is not among them.
 */
u32 vgraph_topk_insert(u64 *a, u32 *n, u32 cap, u64 key);

size_t vgraph_scratch_size(u32 r, u32 ef, u32 dims);
/* mem: vgraph_scratch_size(r, ef, dims) bytes, 8-byte aligned, any content */
void vgraph_scratch_init(struct vgraph_scratch *s, void *mem, u32 r, u32 ef, u32 dims);

/*
 * Best-first search from the entry node with a list of ef (<= the scratch's
 * capacity): the number of list entries (sorted by distance, then slot; some
 * may be tombstones, flagged VGRAPH_F_DELETED), or -errno from an operation.
 */
int vgraph_search(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q, u32 ef);

/*
 * The same walk, keeping the k nearest nodes that are results (live, and
 * passing whatever filter the caller's dist() folds into its deleted
 * flags) among every node whose distance it computed, not only those left
 * in the list: a filter that rejects most nodes fills the list with them,
 * and the results it met on the way are kept. Their count (<= k) in
 * s->res[0..), sorted, or -errno. 1 <= k <= ef.
 */
int vgraph_search_k(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q, u32 ef, u32 k);

/*
 * Filtered search, the ef to use when npass of nlive live nodes pass the
 * filter (an estimate will do): ef scaled so that the list should meet
 * about 2k passing nodes, or 0 when that exceeds VGRAPH_MAX_EF (or nothing
 * passes): then the caller searches the passing nodes exactly, so that a
 * filter matching few vectors still returns k whenever k match.
 */
u32 vgraph_filtered_ef(u32 ef, u32 k, u64 npass, u64 nlive);

static inline u32 vgraph_res_slot(const struct vgraph_scratch *s, u32 i)
{
	return (u32)s->res[i];
}

static inline u32 vgraph_res_dist(const struct vgraph_scratch *s, u32 i)
{
	return (u32)(s->res[i] >> 32);
}

static inline u32 vgraph_list_slot(const struct vgraph_scratch *s, u32 i)
{
	return (u32)s->list[i];
}

static inline u32 vgraph_list_dist(const struct vgraph_scratch *s, u32 i)
{
	return (u32)(s->list[i] >> 32);
}

/* the neighbour lists one insert or repair writes */
struct vgraph_plan {
	u32 slot, n;		/* the node itself and its new list */
	u32 *nbr;		/* r */
	u32 nupd;		/* neighbours whose lists change */
	u32 *upd_slot;		/* r */
	u32 *upd_n;		/* r */
	u32 *upd;		/* r * r: list i at upd + i * r */
};

size_t vgraph_plan_size(u32 r);
void vgraph_plan_init(struct vgraph_plan *p, void *mem, u32 r);

/*
 * Plan inserting the node at slot (not yet reachable) with code q: search
 * with ef_construction (the scratch's capacity bounds it), prune its list,
 * and the back edge into each neighbour (pruned when that list is full).
 * Reads only. 0 or -errno.
 */
int vgraph_insert_plan(const struct vgraph *g, struct vgraph_scratch *s, u32 slot, const u8 *q,
		       u32 ef_construction, struct vgraph_plan *p);

/*
 * Plan the repair of a live node whose list has tombstones: its list
 * becomes the robust pruning of its live neighbours and of the live
 * neighbours of its deleted ones. p->n = VGRAPH_NONE when nothing changes.
 */
int vgraph_repair_plan(const struct vgraph *g, struct vgraph_scratch *s, u32 slot,
		       struct vgraph_plan *p);

#endif /* _VEXFS_CORE_VGRAPH_H */
