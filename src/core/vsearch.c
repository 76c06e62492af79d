// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vsearch.c - the integer half of exact search: query checks, PQ table
 * planning and top-k selection (see vsearch.h). No floating point here.
 */
#include "vsearch.h"
#include "vrec.h"

u32 vsearch_row_size(u32 dtype, u32 dims)
{
	if (!dims || dims > VEXFS_VEC_MAX_DIMS)
		return 0;
	switch (dtype) {
	case VEXFS_DT_F32:
	case VEXFS_DT_I8:
	case VEXFS_DT_I16:
	case VEXFS_DT_BIN:
		return vexfs_vec_raw_size(dtype, dims);
	}
	return 0;
}

int vsearch_check_args(u32 dtype, u32 metric, u32 dims, u32 nq, u32 k, const char **why)
{
	if (metric > VEXFS_SEARCH_METRIC_HAMMING) {
		*why = "unknown metric";
		return -EINVAL;
	}
	if (!vsearch_row_size(dtype, dims)) {
		*why = "query type or dimensions invalid";
		return -EINVAL;
	}
	if ((dtype == VEXFS_DT_BIN) != (metric == VEXFS_SEARCH_METRIC_HAMMING)) {
		*why = "Hamming distance is for binary vectors, and binary vectors use it";
		return -EINVAL;
	}
	if (!nq || nq > VEXFS_SEARCH_NQ_MAX) {
		*why = "query count out of range";
		return -EINVAL;
	}
	if (!k || k > VEXFS_SEARCH_K_MAX) {
		*why = "k out of range";
		return -EINVAL;
	}
	return 0;
}

bool vsearch_query_finite(const void *q, size_t nfloats)
{
	const u8 *p = q;
	size_t i;

	for (i = 0; i < nfloats; i++)
		if ((vq_get_le32(p + 4 * i) & 0x7f800000u) == 0x7f800000u)
			return false;
	return true;
}

void vsearch_pq_plan(const struct vsearch_query *q, size_t *bytes)
{
	size_t total = 0, b;
	u32 i;

	for (i = 0; i < q->npq; i++) {
		bytes[i] = 0;
		if (q->metric != VEXFS_SEARCH_METRIC_L2 && q->metric != VEXFS_SEARCH_METRIC_IP)
			continue;
		b = (size_t)q->nq * q->pq[i].pq->m * VQ_PQ_KSUB * sizeof(float);
		if (total + b > VSEARCH_LUT_BUDGET)
			continue;
		total += b;
		bytes[i] = b;
	}
}

/* ---- top-k -------------------------------------------------------------- */

static void vsearch_sift_down(struct vsearch_cand *h, u32 n, u32 i)
{
	struct vsearch_cand x = h[i];

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && vsearch_cand_worse(h[c + 1].key, h[c + 1].id, h[c].key, h[c].id))
			c++;
		if (!vsearch_cand_worse(h[c].key, h[c].id, x.key, x.id))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

int vsearch_topk_push(struct vsearch_topk *t, u32 bits, u32 metric, u64 id, u64 ino, u32 gen)
{
	struct vsearch_cand *h = t->h;
	u32 key, i;

	if (vsearch_is_nan(bits))
		return -EINVAL;
	key = vsearch_key(bits, metric);
	if (!vsearch_topk_wants(t, key, id))
		return 0;
	if (t->n < t->k) {
		/* sift up */
		i = t->n++;
		while (i) {
			u32 p = (i - 1) / 2;

			if (!vsearch_cand_worse(key, id, h[p].key, h[p].id))
				break;
			h[i] = h[p];
			i = p;
		}
		h[i] = (struct vsearch_cand){ .id = id, .ino = ino, .key = key, .gen = gen };
		if (t->n == t->k)
			t->bound = h[0].key;
		return 1;
	}
	h[0] = (struct vsearch_cand){ .id = id, .ino = ino, .key = key, .gen = gen };
	vsearch_sift_down(h, t->n, 0);
	t->bound = h[0].key;
	return 1;
}

void vsearch_topk_sort(struct vsearch_topk *t)
{
	u32 n = t->n;

	/* heap sort: the worst goes to the end, so the array ends best first */
	while (n > 1) {
		struct vsearch_cand x = t->h[0];

		t->h[0] = t->h[--n];
		t->h[n] = x;
		vsearch_sift_down(t->h, n, 0);
	}
}
