// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vsearch.c - native tests of the shared search core (core/vsearch*.c):
 * top-k against a sort of every candidate (many ties, k above n), exact
 * float32 search against a double-precision brute force for L2, IP and
 * cosine, and the stored forms against their decoded float32 vectors.
 */
#include <math.h>
#include "vtest.h"
#include "vexfs/vq.h"
#include "core/vsearch.h"
#include "core/vrec.h"

static u32 rs = 12345;

static u32 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static float rndf(void)
{
	return (float)((int)(rnd() % 20001) - 10000) / 5000.0f;
}

static u32 fbits(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

struct ref {
	u32 key;
	u64 id;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void test_topk_vs_sort(void)
{
	static const u32 ks[] = { 1, 7, 100, 4096 };
	const u32 n = 3000;
	struct ref *all = calloc(n, sizeof(*all));
	struct vsearch_cand *h = calloc(4096, sizeof(*h));
	u32 ki, i, metric;

	for (metric = 0; metric < 2; metric++) {
		for (ki = 0; ki < 4; ki++) {
			struct vsearch_topk t;
			u32 k = ks[ki], want = k < n ? k : n, bad = 0;

			vsearch_topk_init(&t, h, k);
			for (i = 0; i < n; i++) {
				/* few distinct values: lots of ties */
				float d = (float)(rnd() % 50) - 10.0f;
				u64 id = (u64)(rnd() % 1000000) * n + i;	/* unique */

				all[i].key = vsearch_key(fbits(d), metric);
				all[i].id = id;
				vsearch_topk_push(&t, fbits(d), metric, id, i, 0);
			}
			qsort(all, n, sizeof(*all), ref_cmp);
			vsearch_topk_sort(&t);
			VT_EQ(t.n, want);
			for (i = 0; i < want; i++)
				if (h[i].id != all[i].id || h[i].key != all[i].key)
					bad++;
			VT_CHECK_MSG(!bad, "metric %u k %u: %u mismatches", metric, k, bad);
		}
	}
	free(all);
	free(h);
}

/* float32 exact search of the core vs double brute force. */
static void test_f32_exact(void)
{
	const u32 n = 2000, d = 37, k = 10;
	float *x = malloc(sizeof(float) * n * d), q[37], scratch[3 * 37], qn;
	struct vsearch_cand h[10];
	struct ref *all = calloc(n, sizeof(*all));
	u32 metric, i, j;

	for (i = 0; i < n * d; i++)
		x[i] = rndf();
	for (j = 0; j < d; j++)
		q[j] = rndf();
	for (metric = 0; metric < 3; metric++) {
		struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .metric = metric, .dims = d,
					    .nq = 1, .row = 4 * d, .q = q, .qnorm = &qn,
					    .scratch = scratch };
		struct vsearch_topk t;
		u32 same = 0;

		vsearch_prepare(&sq);
		vsearch_topk_init(&t, h, k);
		for (i = 0; i < n; i++) {
			double l2 = 0, ip = 0, xx = 0, qq = 0, v;
			float out;

			VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, 0, d, x + i * d, 4 * d, 0, 1, &out), 0);
			vsearch_topk_push(&t, fbits(out), metric, i + 1, 0, 0);
			for (j = 0; j < d; j++) {
				l2 += (q[j] - x[i * d + j]) * (double)(q[j] - x[i * d + j]);
				ip += (double)q[j] * x[i * d + j];
				xx += (double)x[i * d + j] * x[i * d + j];
				qq += (double)q[j] * q[j];
			}
			v = metric == 0 ? l2 : metric == 1 ? -ip : -ip / sqrt(xx * qq);
			/* rank by the double value: a key from its float rounding is enough here */
			all[i].key = vsearch_key(fbits((float)v), 0);
			all[i].id = i + 1;
		}
		qsort(all, n, sizeof(*all), ref_cmp);
		vsearch_topk_sort(&t);
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++)
				if (h[i].id == all[j].id)
					same++;
		VT_CHECK_MSG(same >= k - 1, "metric %u: %u of %u neighbours agree", metric, same, k);
	}
	free(x);
	free(all);
}

/* SQ8 / SQ4 / f16 / sparse records: the distance of the decoded vector. */
static void test_forms_decode(void)
{
	const u32 d = 70;
	float x[70], q[70], dec[70], scratch[3 * 70], qn;
	u8 code[8 + 70 + 16];
	__le16 h16[70];
	u32 metric, bits, i;

	for (i = 0; i < d; i++) {
		x[i] = rndf();
		q[i] = rndf();
	}
	for (metric = 0; metric < 3; metric++) {
		struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .metric = metric, .dims = d,
					    .nq = 1, .row = 4 * d, .q = q, .qnorm = &qn,
					    .scratch = scratch };
		float a, b;

		vsearch_prepare(&sq);
		for (bits = 4; bits <= 8; bits += 4) {
			VT_EQ(vq_sqv_encode(x, d, bits, scratch, code), 0);
			vq_sqv_decode(code, d, bits, scratch, dec);
			VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, bits == 8 ? VEXFS_COMP_SQ8 :
					   VEXFS_COMP_SQ4, d, code, vq_sqv_size(d, bits), 0, 1, &a), 0);
			vsearch_dist(&sq, VEXFS_DT_F32, 0, d, dec, 4 * d, 0, 1, &b);
			VT_CHECK_MSG(fbits(a) == fbits(b), "SQ%u metric %u: %g vs %g", bits, metric,
				     a, b);
			/* the asymmetric SQ path (no decoding) gives the same numbers, rounded */
			{
				static float sqbuf[2 * 4 * 70], qs;
				static struct vq_sq_query sqq[2 * 3];
				struct vsearch_query s2 = sq;

				s2.qsum = &qs;
				s2.sqbuf = sqbuf;
				s2.sqq = sqq;
				VT_CHECK(vsearch_sq_floats(d, 1) <= sizeof(sqbuf) / 4);
				VT_CHECK(vsearch_sq_queries(1) <= 6);
				vsearch_prepare(&s2);
				vsearch_dist(&s2, VEXFS_DT_F32, bits == 8 ? VEXFS_COMP_SQ8 :
					     VEXFS_COMP_SQ4, d, code, vq_sqv_size(d, bits), 0, 1, &a);
				VT_CHECK_MSG(fabsf(a - b) <= 2e-5f * (qn + fabsf(b) + d),
					     "SQ%u asymmetric metric %u: %g vs %g", bits, metric, a, b);
				vsearch_prepare(&sq);
			}
		}
		vq_f16_encode(x, h16, d);
		vq_f16_decode(h16, dec, d);
		vsearch_dist(&sq, VEXFS_DT_F32, VEXFS_COMP_F16, d, h16, 2 * d, 0, 1, &a);
		vsearch_dist(&sq, VEXFS_DT_F32, 0, d, dec, 4 * d, 0, 1, &b);
		VT_CHECK_MSG(fabsf(a - b) <= 1e-4f * (1 + fabsf(b)), "f16 metric %u: %g vs %g",
			     metric, a, b);
		/* sparse: keep every other value */
		for (i = 0; i < d; i++)
			dec[i] = i % 2 ? 0.0f : x[i];
		{
			u8 sp[4 + 8 * 70];
			int len = vexfs_vec_sparse_encode(dec, d, sp);

			VT_CHECK(len == 4 + 8 * 35);
			vsearch_dist(&sq, VEXFS_DT_F32, VEXFS_COMP_SPARSE, d, sp, len, 0, 1, &a);
			vsearch_dist(&sq, VEXFS_DT_F32, 0, d, dec, 4 * d, 0, 1, &b);
			VT_CHECK_MSG(fabsf(a - b) <= 1e-4f * (1 + fabsf(b)),
				     "sparse metric %u: %g vs %g", metric, a, b);
		}
	}
}

/*
 * vsearch_qblock(): blocks of queries that fit VSEARCH_QBLOCK_BYTES, whole
 * fours, at least 4, at most the batch; and a batch run block by block (as
 * the kernel's distance pass and the benchmark do) gives the bits of the
 * whole batch at once and of each query alone, for float32 and float16
 * records (the multi-query kernels) at d 768.
 */
static void test_qblock(void)
{
	const u32 d = 768, nq = 64, n = 5;
	float *q = malloc(sizeof(float) * nq * d), *x = malloc(sizeof(float) * n * d);
	float *whole = malloc(sizeof(float) * nq), *blocked = malloc(sizeof(float) * nq);
	float *qn = malloc(sizeof(float) * nq), scratch[3 * 768], one;
	__le16 *h = malloc(2 * n * d);
	struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .dims = d, .nq = nq, .row = 4 * d,
				    .q = q, .qnorm = qn, .scratch = scratch };
	u32 metric, i, j, r, blk, q0, q1, same = 0, total = 0;
	VT_EQ(vsearch_qblock(&sq), VSEARCH_QBLOCK_BYTES / (4 * d) / 4 * 4);
	VT_CHECK(vsearch_blocked(VEXFS_DT_F32, VEXFS_COMP_NONE));
	VT_CHECK(vsearch_blocked(VEXFS_DT_F32, VEXFS_COMP_F16));
	VT_CHECK(vsearch_blocked(VEXFS_DT_F16, VEXFS_COMP_NONE));
	VT_CHECK(!vsearch_blocked(VEXFS_DT_F32, VEXFS_COMP_SQ8));
	VT_CHECK(!vsearch_blocked(VEXFS_DT_I8, VEXFS_COMP_NONE));
	sq.row = 4 * 16;
	VT_EQ(vsearch_qblock(&sq), nq);
	sq.row = 4 * 65536;
	VT_EQ(vsearch_qblock(&sq), 4);
	sq.nq = 3;
	VT_EQ(vsearch_qblock(&sq), 3);
	sq.nq = nq;
	sq.row = 4 * d;

	for (i = 0; i < nq * d; i++)
		q[i] = rndf();
	for (i = 0; i < n * d; i++)
		x[i] = rndf();
	vq_f16_encode_ref(x, h, n * d);
	blk = vsearch_qblock(&sq);
	VT_CHECK(blk < nq);
	for (metric = 0; metric < 3; metric++) {
		sq.metric = metric;
		vsearch_prepare(&sq);
		for (r = 0; r < n; r++) {
			u32 comp = r % 2 ? VEXFS_COMP_F16 : VEXFS_COMP_NONE;
			const void *data = comp ? (const void *)(h + r * d) : (const void *)(x + r * d);
			u32 len = comp ? 2 * d : 4 * d;

			VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, comp, d, data, len, 0, nq, whole), 0);
			for (q0 = 0; q0 < nq; q0 = q1) {
				q1 = nq - q0 < blk ? nq : q0 + blk;
				VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, comp, d, data, len, q0, q1,
						   blocked + q0), 0);
			}
			for (j = 0; j < nq; j++) {
				VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, comp, d, data, len, j, j + 1,
						   &one), 0);
				same += fbits(whole[j]) == fbits(blocked[j]) &&
					fbits(one) == fbits(whole[j]);
				total++;
			}
		}
	}
	VT_CHECK_MSG(same == total, "%u of %u distances differ between whole, blocked and single",
		     total - same, total);

	/* two records of one form in one call (vsearch_dist2): each one's bits */
	VT_CHECK(!vsearch_paired(&sq, VEXFS_DT_F32, VEXFS_COMP_SQ8));
	same = total = 0;
	for (metric = 0; metric < 3; metric++) {
		sq.metric = metric;
		vsearch_prepare(&sq);
		VT_EQ(vsearch_paired(&sq, VEXFS_DT_F32, VEXFS_COMP_F16), metric != 2);
		for (r = 0; r + 2 < n && metric != 2; r++) {
			u32 comp = r % 2 ? VEXFS_COMP_F16 : VEXFS_COMP_NONE;
			const void *a = comp ? (const void *)(h + r * d) : (const void *)(x + r * d);
			const void *b = comp ? (const void *)(h + (r + 2) * d) :
					       (const void *)(x + (r + 2) * d);
			u32 len = comp ? 2 * d : 4 * d;

			/* an odd range: 4-query passes, then the rest */
			vsearch_dist2(&sq, VEXFS_DT_F32, comp, a, b, 1, nq, whole, blocked);
			for (j = 1; j < nq; j++) {
				VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, comp, d, a, len, j, j + 1,
						   &one), 0);
				same += fbits(one) == fbits(whole[j - 1]);
				VT_EQ(vsearch_dist(&sq, VEXFS_DT_F32, comp, d, b, len, j, j + 1,
						   &one), 0);
				same += fbits(one) == fbits(blocked[j - 1]);
				total += 2;
			}
		}
	}
	VT_CHECK(total > 0);
	VT_CHECK_MSG(same == total, "%u of %u distances of two-record calls differ from single",
		     total - same, total);
	free(q);
	free(x);
	free(whole);
	free(blocked);
	free(qn);
	free(h);
}

/*
 * vsearch_may_row() against vsearch_topk_may() one by one: signs, zeros,
 * infinities, NaN, equal keys, every row length up to three mask words.
 */
static void test_may_row(void)
{
	static const u32 special[] = { 0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u,
				       0x7fc00000u, 0xffc00001u, 0x3f800000u, 0xbf800000u };
	float dist[150];
	u32 bound[150], n, i, metric, bad = 0, set = 0, total = 0;
	u64 mask[4];

	for (n = 1; n <= 150; n++) {
		for (metric = 0; metric < 2; metric++) {
			for (i = 0; i < n; i++) {
				u32 b = rnd() % 4 ? fbits(rndf()) : special[rnd() % 8];

				memcpy(&dist[i], &b, 4);
				/* a bound at the distance's own key now and then */
				bound[i] = rnd() % 5 ? rnd() : vsearch_key(b, metric * 2);
				if (rnd() % 9 == 0)
					bound[i] = 0xffffffffu;
			}
			memset(mask, 0x5a, sizeof(mask));
			vsearch_may_row(dist, bound, n, metric * 2, mask);
			for (i = 0; i < n; i++) {
				struct vsearch_topk t = { .bound = bound[i] };
				u32 b;
				bool want, got = mask[i / 64] >> (i % 64) & 1;

				memcpy(&b, &dist[i], 4);
				want = vsearch_topk_may(&t, vsearch_key(b, metric * 2));
				bad += want != got;
				set += got;
				total++;
			}
			/* the last word's bits past the row are clear */
			for (i = n; i % 64; i++)
				bad += mask[i / 64] >> (i % 64) & 1;
		}
	}
	VT_CHECK_MSG(bad == 0, "%u of %u filter bits wrong", bad, total);
	VT_CHECK(set > total / 8 && set < total - total / 8);
}

static void test_select(void)
{
	vq_select_impl(vq_cpu_features());
	printf("# impl %s\n", vq_impl_name());
}

VT_MAIN("vsearch",
	VT_CASE(test_select),
	VT_CASE(test_topk_vs_sort),
	VT_CASE(test_f32_exact),
	VT_CASE(test_forms_decode),
	VT_CASE(test_qblock),
	VT_CASE(test_may_row));
