// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * search_test.c - KUnit suite "vexfs_search": the shared search core
 * (core/vsearch*.c) inside the kernel: top-k selection (order, ties by id,
 * k above the number of candidates, NaN refused, similarity metrics), keys,
 * query checks, and the distance of every stored form. A normal (non-FPU)
 * file: float values are IEEE bit patterns of small integers, for which
 * every distance is exact, and the FPU calls sit between kernel_fpu_begin()
 * and kernel_fpu_end().
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "core/vsearch.h"

#define F_0	0x00000000u
#define F_1	0x3f800000u
#define F_2	0x40000000u
#define F_3	0x40400000u
#define F_4	0x40800000u
#define F_9	0x41100000u
#define F_M1	0xbf800000u

/* ---- top-k -------------------------------------------------------------- */

static void search_test_topk_order(struct kunit *test)
{
	static const u32 d[] = { F_9, F_3, F_4, F_1, F_2, F_0 };
	struct vsearch_cand h[4];
	struct vsearch_topk t;
	u32 i;

	vsearch_topk_init(&t, h, 4);
	for (i = 0; i < ARRAY_SIZE(d); i++)
		vsearch_topk_push(&t, d[i], VEXFS_SEARCH_METRIC_L2, 100 + i, 7, 1);
	KUNIT_ASSERT_EQ(test, t.n, 4u);
	vsearch_topk_sort(&t);
	/* ascending: 0 (id 105), 1 (103), 2 (104), 3 (101) */
	KUNIT_EXPECT_EQ(test, h[0].id, 105ull);
	KUNIT_EXPECT_EQ(test, h[1].id, 103ull);
	KUNIT_EXPECT_EQ(test, h[2].id, 104ull);
	KUNIT_EXPECT_EQ(test, h[3].id, 101ull);
	KUNIT_EXPECT_EQ(test, vsearch_key_bits(h[3].key, VEXFS_SEARCH_METRIC_L2), F_3);
}

static void search_test_topk_ties(struct kunit *test)
{
	struct vsearch_cand h[3];
	struct vsearch_topk t;
	u64 id;

	/* ten equal distances, offered in descending id order: the 3 smallest ids win */
	vsearch_topk_init(&t, h, 3);
	KUNIT_EXPECT_TRUE(test, vsearch_topk_may(&t, vsearch_key(F_9, 0)));
	for (id = 10; id >= 1; id--)
		vsearch_topk_push(&t, F_2, VEXFS_SEARCH_METRIC_L2, id, id, 0);
	/* the scan's first test: a worse key is out, a tie goes on to the id */
	KUNIT_EXPECT_FALSE(test, vsearch_topk_may(&t, vsearch_key(F_3, 0)));
	KUNIT_EXPECT_TRUE(test, vsearch_topk_may(&t, vsearch_key(F_2, 0)));
	KUNIT_EXPECT_TRUE(test, vsearch_topk_may(&t, vsearch_key(F_1, 0)));
	vsearch_topk_sort(&t);
	KUNIT_ASSERT_EQ(test, t.n, 3u);
	KUNIT_EXPECT_EQ(test, h[0].id, 1ull);
	KUNIT_EXPECT_EQ(test, h[1].id, 2ull);
	KUNIT_EXPECT_EQ(test, h[2].id, 3ull);
	/* a tie with the worst kept entry and a larger id is refused */
	KUNIT_EXPECT_FALSE(test, vsearch_topk_wants(&t, vsearch_key(F_2, 0), 4));
}

static void search_test_topk_small(struct kunit *test)
{
	struct vsearch_cand h[8];
	struct vsearch_topk t;

	/* k above the number of candidates: all of them, in order */
	vsearch_topk_init(&t, h, 8);
	KUNIT_EXPECT_EQ(test, vsearch_topk_push(&t, F_4, 0, 5, 0, 0), 1);
	KUNIT_EXPECT_EQ(test, vsearch_topk_push(&t, F_1, 0, 6, 0, 0), 1);
	vsearch_topk_sort(&t);
	KUNIT_ASSERT_EQ(test, t.n, 2u);
	KUNIT_EXPECT_EQ(test, h[0].id, 6ull);
	KUNIT_EXPECT_EQ(test, h[1].id, 5ull);
}

static void search_test_topk_nan(struct kunit *test)
{
	struct vsearch_cand h[2];
	struct vsearch_topk t;

	vsearch_topk_init(&t, h, 2);
	KUNIT_EXPECT_EQ(test, vsearch_topk_push(&t, 0x7fc00000u, 0, 1, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_topk_push(&t, 0xffc00001u, 0, 2, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, t.n, 0u);
	/* infinities are ordered, not refused */
	KUNIT_EXPECT_EQ(test, vsearch_topk_push(&t, 0x7f800000u, 0, 3, 0, 0), 1);
}

static void search_test_topk_similarity(struct kunit *test)
{
	static const u32 d[] = { F_M1, F_3, F_0, F_9, F_1 };
	struct vsearch_cand h[3];
	struct vsearch_topk t;
	u32 i;

	/* inner product: larger is better, negative scores rank last */
	vsearch_topk_init(&t, h, 3);
	for (i = 0; i < ARRAY_SIZE(d); i++)
		vsearch_topk_push(&t, d[i], VEXFS_SEARCH_METRIC_IP, i + 1, 0, 0);
	vsearch_topk_sort(&t);
	KUNIT_EXPECT_EQ(test, vsearch_key_bits(h[0].key, VEXFS_SEARCH_METRIC_IP), F_9);
	KUNIT_EXPECT_EQ(test, vsearch_key_bits(h[1].key, VEXFS_SEARCH_METRIC_IP), F_3);
	KUNIT_EXPECT_EQ(test, vsearch_key_bits(h[2].key, VEXFS_SEARCH_METRIC_IP), F_1);
	/* keys order like the floats across zero and the sign */
	KUNIT_EXPECT_LT(test, vsearch_key(F_M1, 0), vsearch_key(0x80000000u, 0));
	KUNIT_EXPECT_LT(test, vsearch_key(0x80000000u, 0), vsearch_key(F_0, 0));
	KUNIT_EXPECT_LT(test, vsearch_key(F_0, 0), vsearch_key(F_1, 0));
	KUNIT_EXPECT_EQ(test, vsearch_key_bits(vsearch_key(F_M1, 2), 2), F_M1);
}

static void search_test_args(struct kunit *test)
{
	const char *why = "";

	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 128, 1, 10, &why), 0);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 128, 1, 0, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 128, 1, 4097, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 128, 0, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 128, 257, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 0, 0, 1, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 3, 8, 1, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F32, 4, 8, 1, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_BIN, 0, 8, 1, 1, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_BIN, 3, 8, 1, 1, &why), 0);
	KUNIT_EXPECT_EQ(test, vsearch_check_args(VEXFS_DT_F16, 0, 8, 1, 1, &why), -EINVAL);
	KUNIT_EXPECT_TRUE(test, vsearch_comparable(VEXFS_DT_F32, 4, VEXFS_DT_F16, 0, 4));
	KUNIT_EXPECT_TRUE(test, vsearch_comparable(VEXFS_DT_F32, 4, VEXFS_DT_F32, 3, 4));
	KUNIT_EXPECT_FALSE(test, vsearch_comparable(VEXFS_DT_F32, 4, VEXFS_DT_F32, 0, 5));
	KUNIT_EXPECT_FALSE(test, vsearch_comparable(VEXFS_DT_I8, 4, VEXFS_DT_I16, 0, 4));
	KUNIT_EXPECT_FALSE(test, vsearch_comparable(VEXFS_DT_F32, 4, VEXFS_DT_I8, 0, 4));
}

static void search_test_finite(struct kunit *test)
{
	u32 q[3] = { F_1, F_M1, F_0 };

	KUNIT_EXPECT_TRUE(test, vsearch_query_finite(q, 3));
	q[1] = 0x7f800000u;
	KUNIT_EXPECT_FALSE(test, vsearch_query_finite(q, 3));
	q[1] = 0x7fc00000u;
	KUNIT_EXPECT_FALSE(test, vsearch_query_finite(q, 3));
}

/* ---- distances of every stored form ------------------------------------- */

/*
 * Query q = (1, 2, 0, -1), stored vector x = (3, 0, 1, -1) in each form:
 * L2 = 9, IP = 4 exactly. Binary: q = 1011b, x = 0110b, Hamming 3.
 */
struct search_form {
	const char *name;
	u32 dtype, comp, len;
	u8 data[32];
};

static const struct search_form search_forms[] = {
	{ "f32", VEXFS_DT_F32, VEXFS_COMP_NONE, 16,
	  { 0x00, 0x00, 0x40, 0x40, 0, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x80, 0xbf } },
	{ "f16 compression", VEXFS_DT_F32, VEXFS_COMP_F16, 8,
	  { 0x00, 0x42, 0x00, 0x00, 0x00, 0x3c, 0x00, 0xbc } },
	{ "f16 dtype", VEXFS_DT_F16, VEXFS_COMP_NONE, 8,
	  { 0x00, 0x42, 0x00, 0x00, 0x00, 0x3c, 0x00, 0xbc } },
	/* vmin -1, step 1, codes x + 1 */
	{ "sq8", VEXFS_DT_F32, VEXFS_COMP_SQ8, 12,
	  { 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x80, 0x3f, 4, 1, 2, 0 } },
	{ "sq4", VEXFS_DT_F32, VEXFS_COMP_SQ4, 10,
	  { 0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x80, 0x3f, 0x14, 0x02 } },
	/* codebook 1, CRC 0x1234, codes (0, 0): centroids (3, 0) and (1, -1) */
	{ "pq", VEXFS_DT_F32, VEXFS_COMP_PQ, 10,
	  { 1, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0 } },
	/* nnz 3: indices 0, 2, 3, values 3, 1, -1 */
	{ "sparse", VEXFS_DT_F32, VEXFS_COMP_SPARSE, 28,
	  { 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
	    0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x80, 0xbf } },
	{ "int8", VEXFS_DT_I8, VEXFS_COMP_NONE, 4, { 3, 0, 1, 0xff } },
	{ "int16", VEXFS_DT_I16, VEXFS_COMP_NONE, 8, { 3, 0, 0, 0, 1, 0, 0xff, 0xff } },
};

static void search_form_desc(const struct search_form *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(search_form, search_forms, search_form_desc);

static const u32 search_qf[4] = { F_1, F_2, F_0, F_M1 };
static const s8 search_q8[4] = { 1, 2, 0, -1 };
static const u8 search_q16[8] = { 1, 0, 2, 0, 0, 0, 0xff, 0xff };

/*
 * vsearch_pq_many: a good, a refused (other CRC) and a good record, with
 * and without ADC tables, give the single-record bits and the refusal mask.
 */
static void search_test_pq_many(struct kunit *test, struct vsearch_query *qp,
				const struct search_form *f)
{
	u8 bad[32];
	const void *data[3] = { f->data, bad, f->data };
	u32 len[3] = { f->len, f->len, f->len }, out[3], one, mask, metric;
	float *lut = qp->pq[0].lut;
	int lut_on;

	memcpy(bad, f->data, sizeof(bad));
	bad[4] ^= 1;
	qp->pq[0].crc = 0x1234;
	for (metric = VEXFS_SEARCH_METRIC_L2; metric <= VEXFS_SEARCH_METRIC_IP; metric++) {
		for (lut_on = 0; lut_on < 2; lut_on++) {
			qp->metric = metric;
			qp->pq[0].lut = lut_on ? lut : NULL;
			out[0] = out[1] = out[2] = 7;
			kernel_fpu_begin();
			vsearch_prepare(qp);
			vsearch_dist(qp, f->dtype, f->comp, 4, f->data, f->len, 0, 1, (float *)&one);
			mask = vsearch_pq_many(qp, data, len, 3, 0, (float *)out);
			kernel_fpu_end();
			KUNIT_EXPECT_EQ(test, mask, 2u);
			KUNIT_EXPECT_EQ(test, out[0], one);
			KUNIT_EXPECT_EQ(test, out[1], 7u);
			KUNIT_EXPECT_EQ(test, out[2], one);
		}
	}
}

static void search_test_forms(struct kunit *test)
{
	const struct search_form *f = test->param_value;
	struct vsearch_query *qp = kunit_kzalloc(test, sizeof(*qp), GFP_KERNEL);
	u32 *cent, *lut, *scratch, out = 0, metric, qnorm = 0;
	struct vq_pq pq = { .d = 4, .m = 2, .dsub = 2 };
	static const u32 want[2] = { F_9, F_4 };

	cent = kunit_kzalloc(test, 4 * 256 * 4, GFP_KERNEL);
	lut = kunit_kzalloc(test, 2 * 256 * 4, GFP_KERNEL);
	scratch = kunit_kzalloc(test, 3 * 4 * 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cent);
	KUNIT_ASSERT_NOT_NULL(test, lut);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	KUNIT_ASSERT_NOT_NULL(test, qp);
	qp->dims = 4;
	qp->nq = 1;
	/* cent_t[(j * dsub + k) * 256 + c]: centroid 0 of subspace 0 = (3, 0), of 1 = (1, -1) */
	cent[0 * 256] = F_3;
	cent[2 * 256] = F_1;
	cent[3 * 256] = F_M1;
	pq.cent_t = (float *)cent;

	qp->dtype = f->dtype == VEXFS_DT_I8 || f->dtype == VEXFS_DT_I16 ? f->dtype : VEXFS_DT_F32;
	qp->row = vsearch_row_size(qp->dtype, 4);
	qp->q = qp->dtype == VEXFS_DT_I8 ? (const void *)search_q8 :
	      qp->dtype == VEXFS_DT_I16 ? (const void *)search_q16 : (const void *)search_qf;
	qp->qnorm = (float *)&qnorm;
	qp->scratch = (float *)scratch;
	KUNIT_ASSERT_TRUE(test, vsearch_comparable(qp->dtype, 4, f->dtype, f->comp, 4));

	for (metric = VEXFS_SEARCH_METRIC_L2; metric <= VEXFS_SEARCH_METRIC_IP; metric++) {
		int lut_on, err;

		for (lut_on = 0; lut_on < 2; lut_on++) {
			qp->metric = metric;
			qp->npq = 1;
			qp->pq[0] = (struct vsearch_pq){ .id = 1, .crc = 0x1234, .pq = &pq,
						       .lut = lut_on ? (float *)lut : NULL };
			kernel_fpu_begin();
			vsearch_prepare(qp);
			err = vsearch_dist(qp, f->dtype, f->comp, 4, f->data, f->len, 0, 1,
					   (float *)&out);
			kernel_fpu_end();
			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_EQ_MSG(test, out, want[metric], "%s metric %u table %d",
					    f->name, metric, lut_on);
			if (f->comp != VEXFS_COMP_PQ)
				break;
		}
	}
	if (f->comp == VEXFS_COMP_PQ) {
		/* another CRC than the codebook's: refused */
		qp->pq[0].crc = 0x1235;
		kernel_fpu_begin();
		KUNIT_EXPECT_EQ(test, vsearch_dist(qp, f->dtype, f->comp, 4, f->data, f->len, 0, 1,
						   (float *)&out), -ENOENT);
		kernel_fpu_end();
		search_test_pq_many(test, qp, f);
	}
}

static void search_test_hamming(struct kunit *test)
{
	struct vsearch_query *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	static const u8 qs[2] = { 0x0b, 0x06 }, x = 0x06;
	u32 out[2] = { 1, 1 };

	KUNIT_ASSERT_NOT_NULL(test, q);
	*q = (struct vsearch_query){ .dtype = VEXFS_DT_BIN, .metric = VEXFS_SEARCH_METRIC_HAMMING,
				     .dims = 4, .nq = 2, .row = 1, .q = qs };
	kernel_fpu_begin();
	KUNIT_EXPECT_EQ(test, vsearch_dist(q, VEXFS_DT_BIN, 0, 4, &x, 1, 0, 2, (float *)out), 0);
	kernel_fpu_end();
	KUNIT_EXPECT_EQ(test, out[0], F_3);
	KUNIT_EXPECT_EQ(test, out[1], F_0);
}

/*
 * The SSE2 filter of a group's rows, built with the module's FPU flags:
 * vsearch_topk_may() of each distance, for L2 and IP, over two mask words.
 */
static void search_test_may_row(struct kunit *test)
{
	static const u32 d[] = { F_0, 0x80000000u, F_1, F_M1, F_9, 0x7f800000u, 0xff800000u,
				 0x7fc00000u, F_3, F_2, F_4 };
	u32 *dist = kunit_kzalloc(test, 70 * sizeof(u32), GFP_KERNEL);
	u32 *bound = kunit_kzalloc(test, 70 * sizeof(u32), GFP_KERNEL);
	u64 mask[2];
	u32 metric, i;

	KUNIT_ASSERT_NOT_NULL(test, dist);
	KUNIT_ASSERT_NOT_NULL(test, bound);
	for (metric = VEXFS_SEARCH_METRIC_L2; metric <= VEXFS_SEARCH_METRIC_IP; metric++) {
		for (i = 0; i < 70; i++) {
			dist[i] = d[i % ARRAY_SIZE(d)];
			/* bounds at, below and above the keys, and "room left" */
			bound[i] = i % 7 == 6 ? U32_MAX : vsearch_key(d[(i * 5) % ARRAY_SIZE(d)], metric);
		}
		kernel_fpu_begin();
		vsearch_may_row((const float *)dist, bound, 70, metric, mask);
		kernel_fpu_end();
		for (i = 0; i < 70; i++) {
			struct vsearch_topk t = { .bound = bound[i] };

			KUNIT_EXPECT_EQ_MSG(test, (bool)(mask[i / 64] >> (i % 64) & 1),
					    vsearch_topk_may(&t, vsearch_key(dist[i], metric)),
					    "metric %u distance %u", metric, i);
		}
		KUNIT_EXPECT_EQ(test, mask[1] >> 6, 0ull);
	}
}

static struct kunit_case search_test_cases[] = {
	KUNIT_CASE(search_test_topk_order),
	KUNIT_CASE(search_test_topk_ties),
	KUNIT_CASE(search_test_topk_small),
	KUNIT_CASE(search_test_topk_nan),
	KUNIT_CASE(search_test_topk_similarity),
	KUNIT_CASE(search_test_args),
	KUNIT_CASE(search_test_finite),
	KUNIT_CASE_PARAM(search_test_forms, search_form_gen_params),
	KUNIT_CASE(search_test_hamming),
	KUNIT_CASE(search_test_may_row),
	{}
};

static struct kunit_suite search_test_suite = {
	.name = "vexfs_search",
	.test_cases = search_test_cases,
};

kunit_test_suites(&search_test_suite);
