/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vsearch.h - exact k-nearest-neighbour search over stored vector records:
 * query checks, which records a query compares, the distance of every
 * stored form (vsearch_simd.c, FPU) and top-k selection (vsearch.c,
 * integer-only). Shared by vexfs.ko (SEARCH ioctl) and userspace (vexctl's
 * reference search, tests, benchmarks), so both compute the same numbers.
 *
 * Distances are float32. For ranking they become 32-bit keys that order
 * like the floats (vsearch_key): ascending for L2 and Hamming, descending
 * for inner product and cosine; ties are broken by the smaller vector id.
 * NaN never enters a top-k.
 */
#ifndef _VEXFS_CORE_VSEARCH_H
#define _VEXFS_CORE_VSEARCH_H

#include "vexfs/compat.h"
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"

/* Bytes of one query row of @dtype (query types: F32, I8, I16, BIN), 0 if invalid. */
u32 vsearch_row_size(u32 dtype, u32 dims);

/*
 * Check a query description: dtype, metric and their combination (Hamming
 * with binary queries only and binary queries with Hamming only), dims, nq,
 * k. Returns 0 or -EINVAL with *why set.
 */
int vsearch_check_args(u32 dtype, u32 metric, u32 dims, u32 nq, u32 k, const char **why);

/* Float32 query values must be finite (integer-only check of the bits). */
bool vsearch_query_finite(const void *q, size_t nfloats);

/* Whether a query of @qdtype / @dims compares a record of @dtype / @comp / @dims. */
static inline bool vsearch_comparable(u32 qdtype, u32 qdims, u32 dtype, u32 comp, u32 dims)
{
	if (dims != qdims)
		return false;
	if (qdtype == VEXFS_DT_F32)
		return dtype == VEXFS_DT_F32 || (dtype == VEXFS_DT_F16 && comp == VEXFS_COMP_NONE);
	return dtype == qdtype && comp == VEXFS_COMP_NONE;
}

/* ---- distances (vsearch_simd.c, FPU) ------------------------------------ */

/* A PQ codebook a search may meet, with the queries' lookup tables. */
struct vsearch_pq {
	u32 id;			/* codebook id */
	u32 crc;		/* its blob CRC (what records carry) */
	const struct vq_pq *pq;
	float *lut;		/* nq x m x 256 (ADC tables), or NULL: decode */
};

/* Bytes of PQ lookup tables a search may hold (vsearch_pq_plan). */
#define VSEARCH_LUT_BUDGET	(16u << 20)

struct vsearch_query {
	u32 dtype;		/* VEXFS_DT_F32, _I8, _I16, _BIN */
	u32 metric;		/* VEXFS_SEARCH_METRIC_* */
	u32 dims;
	u32 nq;
	u32 row;		/* bytes of one query (vsearch_row_size) */
	const void *q;		/* nq rows */
	float *qnorm;		/* [nq]: squared norms of float32 queries (vsearch_prepare) */
	float *qsum;		/* [nq]: their sums, or NULL (only with sqbuf) */
	float *scratch;		/* 3 x dims floats */
	/*
	 * Per-vector SQ8 / SQ4 records by asymmetric distance without decoding
	 * (vsearch_simd.c): each query prepared for the SQ scans with vmin 0
	 * and step 1, plus two constant queries giving sum(c) and sum(c^2);
	 * sqbuf holds vsearch_sq_floats() floats, sqq vsearch_sq_queries()
	 * entries. NULL: SQ records are decoded, then compared.
	 */
	float *sqbuf;
	struct vq_sq_query *sqq;
	u32 npq;
	struct vsearch_pq pq[VEXFS_CB_MAX];
};

static inline size_t vsearch_sq_floats(u32 dims, u32 nq)
{
	return 2 * ((size_t)nq + 3) * dims;
}

static inline size_t vsearch_sq_queries(u32 nq)
{
	return 2 * ((size_t)nq + 2);
}

/* Whether a search sets up qsum, sqbuf and sqq (float32 queries of SQ-able dims). */
static inline bool vsearch_sq_wanted(u32 dtype, u32 dims)
{
	return dtype == VEXFS_DT_F32 && dims <= VEXFS_CB_MAX_DIMS;
}

/*
 * Which codebooks get ADC lookup tables: in the order of q->pq[], while the
 * tables (nq x m x 256 floats each) fit VSEARCH_LUT_BUDGET in total, for L2
 * and IP; the others are searched by decoding the codes. Returns the bytes
 * each entry needs in @bytes[] (0 = no table). Integer-only.
 */
void vsearch_pq_plan(const struct vsearch_query *q, size_t *bytes);

/* Squared norms of the queries and the PQ tables planned (lut != NULL). FPU. */
void vsearch_prepare(struct vsearch_query *q);
/* One query's part of vsearch_prepare (bounds an FPU section). FPU. */
void vsearch_prepare_one(struct vsearch_query *q, u32 qi);

/*
 * Distances (or scores) from queries [q0, q1) to one stored record (@dtype,
 * @comp, @dims of its header, @len bytes of stored data at @data), written
 * to out[0 .. q1 - q0). The caller checked vsearch_comparable() and the
 * record's checks. Returns 0, or -ENOENT for a PQ record whose codebook (id,
 * CRC and shape) is not in q->pq[]. FPU.
 */
int vsearch_dist(const struct vsearch_query *q, u32 dtype, u32 comp, u32 dims,
		 const void *data, u32 len, u32 q0, u32 q1, float *out);
/*
 * vsearch_dist() of two records of the same form (vsearch_paired(): the
 * same @dtype and @comp, the query's dims) at @a and @b, to @oa and @ob:
 * each query row is read once for both, the bits are vsearch_dist()'s.
 * FPU.
 */
void vsearch_dist2(const struct vsearch_query *q, u32 dtype, u32 comp, const void *a,
		   const void *b, u32 q0, u32 q1, float *oa, float *ob);

/*
 * Query @qi against n <= VSEARCH_PQ_MANY PQ records (stored data data[i] of
 * len[i] bytes): the distance for record i goes to out[i], as
 * vsearch_dist() gives it, bit for bit. The codes of records of one
 * codebook with ADC tables are gathered into q->scratch and scanned in one
 * call (several independent sums at once: a single code's sum is a chain
 * of dependent adds). Returns the mask of records vsearch_dist() would
 * refuse (bit i: no codebook for record i; out[i] untouched). FPU.
 */
#define VSEARCH_PQ_MANY	8
u32 vsearch_pq_many(const struct vsearch_query *q, const void *const *data, const u32 *len,
		    u32 n, u32 qi, float *out);

/*
 * Whether every codebook of q->pq[] has ADC tables: then a search compares
 * PQ records query by query through vsearch_pq_many(); otherwise (cosine,
 * or tables over the budget) decoding a record once for the whole batch is
 * cheaper, and PQ records go record by record like the other forms.
 */
static inline bool vsearch_pq_all_tables(const struct vsearch_query *q)
{
	u32 i;

	for (i = 0; i < q->npq; i++)
		if (!q->pq[i].lut)
			return false;
	return true;
}

/*
 * Queries per pass over a group of records: a block of float32 query rows
 * (VSEARCH_QBLOCK_BYTES) that stays in the L1 data cache while the group's
 * records stream past it, a multiple of 4 (the multi-query kernels take four
 * at a time). A batch of 64 queries at d 768 is 192 KiB: without blocks,
 * every float32 record read all of it from L2. Only the records that
 * vsearch_blocked() names go block by block; the others take the whole
 * batch in one call. Integer-only.
 */
#define VSEARCH_QBLOCK_BYTES	24576U
static inline u32 vsearch_qblock(const struct vsearch_query *q)
{
	u32 b = q->row ? VSEARCH_QBLOCK_BYTES / q->row / 4 * 4 : q->nq;

	if (b < 4)
		b = 4;
	return b < q->nq ? b : q->nq;
}

/*
 * Whether records of this form gain from blocks of queries: float32 and
 * float16 data, whose multi-query kernels read every query row for each
 * record. SQ records share per-record work across the queries of one call
 * (blocks of 4 made SQ8 batches 1.4x slower at d 768), and decoded forms
 * would be decoded once per block.
 */
static inline bool vsearch_blocked(u32 dtype, u32 comp)
{
	return (dtype == VEXFS_DT_F32 && (comp == VEXFS_COMP_NONE || comp == VEXFS_COMP_F16)) ||
	       dtype == VEXFS_DT_F16;
}

/*
 * Whether two records of this form may go through one vsearch_dist2():
 * float32 and float16 data compared by L2 or IP (cosine decodes float16
 * first and has no two-vector kernel). Integer-only.
 */
static inline bool vsearch_paired(const struct vsearch_query *q, u32 dtype, u32 comp)
{
	return vsearch_blocked(dtype, comp) && q->metric != VEXFS_SEARCH_METRIC_COS;
}

/* Multiply-adds one vsearch_dist() of one query costs, to bound FPU sections. */
static inline u32 vsearch_cost(u32 dims, u32 comp, u32 len)
{
	if (comp == VEXFS_COMP_PQ)
		return len;
	if (comp == VEXFS_COMP_SPARSE)
		return len / 8 + 1;
	return dims;
}

/* ---- ranking and top-k (vsearch.c, integer-only) ------------------------ */

static inline bool vsearch_similarity(u32 metric)
{
	return metric == VEXFS_SEARCH_METRIC_IP || metric == VEXFS_SEARCH_METRIC_COS;
}

static inline bool vsearch_is_nan(u32 bits)
{
	return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu);
}

/* Order-preserving key of float bits (smaller key = better result). */
static inline u32 vsearch_key(u32 bits, u32 metric)
{
	u32 k = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;

	return vsearch_similarity(metric) ? ~k : k;
}

static inline u32 vsearch_key_bits(u32 key, u32 metric)
{
	if (vsearch_similarity(metric))
		key = ~key;
	return (key & 0x80000000u) ? key & 0x7fffffffu : ~key;
}

struct vsearch_cand {
	u64 id;
	u64 ino;
	u32 key;
	u32 gen;
};

/* The k best candidates so far: a max-heap on (key, id). */
struct vsearch_topk {
	u32 k;
	u32 n;
	u32 bound;		/* the largest key that may enter (see below) */
	struct vsearch_cand *h;	/* [k], caller memory */
};

static inline void vsearch_topk_init(struct vsearch_topk *t, struct vsearch_cand *h, u32 k)
{
	t->k = k;
	t->n = 0;
	t->h = h;
	t->bound = 0xffffffffu;
}

/*
 * Whether a candidate of @key may enter the top-k: false means that
 * vsearch_topk_wants() refuses it whatever its id (the scan's first test:
 * one load and one compare; the bound is every key while the heap has
 * room, then the key of its worst entry).
 */
static inline bool vsearch_topk_may(const struct vsearch_topk *t, u32 key)
{
	return key <= t->bound;
}

static inline bool vsearch_cand_worse(u32 ka, u64 ida, u32 kb, u64 idb)
{
	return ka > kb || (ka == kb && ida > idb);
}

/* Whether (key, id) would enter the top-k now. */
static inline bool vsearch_topk_wants(const struct vsearch_topk *t, u32 key, u64 id)
{
	return t->n < t->k || vsearch_cand_worse(t->h[0].key, t->h[0].id, key, id);
}

/*
 * vsearch_topk_may() of a row of @n distances at once: bit i of
 * mask[i / 64] is set when dist[i] may enter top-k i, whose bound was
 * bound[i] (a snapshot of vsearch_topk.bound: bounds only tighten, so a
 * cleared bit is a candidate the top-k refuses now, and a set one is
 * checked in full). Words past the last distance's are not written. FPU.
 */
void vsearch_may_row(const float *dist, const u32 *bound, u32 n, u32 metric, u64 *mask);

/*
 * Offer a candidate with distance bits @bits. Returns 1 if it entered the
 * top-k, 0 if not, -EINVAL for NaN (never entered).
 */
int vsearch_topk_push(struct vsearch_topk *t, u32 bits, u32 metric, u64 id, u64 ino, u32 gen);
/* Sort the heap best first (the heap is consumed). */
void vsearch_topk_sort(struct vsearch_topk *t);

#endif /* _VEXFS_CORE_VSEARCH_H */
