// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_selftest_simd.c - compares the active implementation with the scalar
 * reference on seeded pseudo-random data and returns an integer verdict, so
 * that KUnit (which cannot touch floats outside FPU files) and the native
 * tests share one check. FPU file: call under kernel_fpu_begin/end.
 */
#include "vq_impl.h"

#define VQ_ST_N		16U
#define VQ_ST_DMAX	136U
#define VQ_ST_PQ_D	32U
#define VQ_ST_PQ_M	8U
#define VQ_ST_MQ	9U	/* queries of the multi-query checks (AVX-512: 4 per pass) */

/* SQ4 reads 64-dimension chunks, then 16-dimension blocks, then pairs. */
static const u32 vq_st_dims[] = { 1, 7, 8, 15, 31, 32, 33, 63, 64, 65, 66, 67,
				  79, 80, 100, 127, 128, 129, 131, 136 };

struct vq_st_buf {
	float x[VQ_ST_N * VQ_ST_DMAX];
	float q[VQ_ST_DMAX];
	float vmin[VQ_ST_DMAX], step[VQ_ST_DMAX];
	float a[VQ_ST_DMAX], b[VQ_ST_DMAX];
	float r0[VQ_ST_N + 1], r1[2 * VQ_ST_N];	/* r1: two vectors of VQ_ST_MQ results too */
	float cent_t[VQ_ST_PQ_D * VQ_PQ_KSUB];
	float lut0[VQ_ST_PQ_M * VQ_PQ_KSUB], lut1[VQ_ST_PQ_M * VQ_PQ_KSUB];
	u8 c0[VQ_ST_N * VQ_ST_DMAX * 2], c1[VQ_ST_N * VQ_ST_DMAX * 2];
	struct vq_sq_query mq[VQ_ST_MQ];
	float mqa[VQ_ST_MQ * VQ_ST_DMAX];
};

size_t vq_selftest_scratch_size(void)
{
	return sizeof(struct vq_st_buf);
}

static u32 vq_st_next(u32 *s)
{
	/* xorshift32: tiny, deterministic, the same in KUnit and userspace */
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static float vq_st_uniform(u32 *s)		/* [-1, 1) */
{
	return (float)(s32)vq_st_next(s) * (1.0f / 2147483648.0f);
}

static float vq_absf(float f)
{
	return f < 0.0f ? -f : f;
}

/* Tolerance policy of Documentation/quantization.rst. */
static int vq_st_close(float got, float ref, float sum_abs)
{
	return vq_absf(got - ref) <= 1e-5f * sum_abs + 1e-30f;
}

static int vq_st_f32(const struct vq_ops *ops, struct vq_st_buf *t, u32 d)
{
	const float *q = t->q;
	int bad = 0;
	u32 v, i;
	float qq = 0.0f;

	for (i = 0; i < d; i++)
		qq += q[i] * q[i];
	ops->l2sq_f32(q, t->x, d, VQ_ST_N, t->r0);
	vq_l2sq_f32_ref(q, t->x, d, VQ_ST_N, t->r1);
	for (v = 0; v < VQ_ST_N; v++)
		bad += !vq_st_close(t->r0[v], t->r1[v], t->r1[v]);
	ops->ip_f32(q, t->x, d, VQ_ST_N, t->r0);
	vq_ip_f32_ref(q, t->x, d, VQ_ST_N, t->r1);
	for (v = 0; v < VQ_ST_N; v++) {
		float s = 0.0f, xx = 0.0f;

		for (i = 0; i < d; i++) {
			s += vq_absf(q[i] * t->x[v * d + i]);
			xx += t->x[v * d + i] * t->x[v * d + i];
		}
		t->a[v] = s;
		t->b[v] = s / (vq_sqrtf(qq) * vq_sqrtf(xx)) + 2.0f;
		bad += !vq_st_close(t->r0[v], t->r1[v], s);
	}
	ops->cos_f32(q, t->x, d, VQ_ST_N, t->r0);
	vq_cos_f32_ref(q, t->x, d, VQ_ST_N, t->r1);
	for (v = 0; v < VQ_ST_N; v++)
		bad += !vq_st_close(t->r0[v], t->r1[v], t->b[v]);
	return bad;
}

static int vq_st_f16(const struct vq_ops *ops, struct vq_st_buf *t, u32 d)
{
	__le16 *h0 = (__le16 *)t->c0, *h1 = (__le16 *)t->c1;
	int bad = 0;
	u32 v, i;

	ops->f16_encode(t->x, h0, (size_t)VQ_ST_N * d);
	vq_f16_encode_ref(t->x, h1, (size_t)VQ_ST_N * d);
	bad += memcmp(h0, h1, (size_t)VQ_ST_N * d * 2) != 0;
	ops->l2sq_f16(t->q, h1, d, VQ_ST_N, t->r0);
	vq_l2sq_f16_ref(t->q, h1, d, VQ_ST_N, t->r1);
	for (v = 0; v < VQ_ST_N; v++)
		bad += !vq_st_close(t->r0[v], t->r1[v], t->r1[v]);
	ops->ip_f16(t->q, h1, d, VQ_ST_N, t->r0);
	vq_ip_f16_ref(t->q, h1, d, VQ_ST_N, t->r1);
	for (v = 0; v < VQ_ST_N; v++) {
		float s = 0.0f;

		for (i = 0; i < d; i++)
			s += vq_absf(t->q[i] * t->x[v * d + i]);
		bad += !vq_st_close(t->r0[v], t->r1[v], 1.01f * s);
	}
	return bad;
}

/*
 * r1[0..nq) and r1[VQ_ST_MQ..+nq) of a two-vector call (the vector at q, or
 * f16 codes at @h, and the next one) against one-vector calls of each.
 */
static int vq_st_mq2_check(struct vq_st_buf *t, u32 d, u32 nq, u32 m, const void *h, bool f16)
{
	int bad = 0;
	u32 v, j;

	for (v = 0; v < 2; v++) {
		if (f16)
			vq_f16_mq_scan(t->x, d, nq, (const __le16 *)h + v * d, d, m, t->r0);
		else
			vq_f32_mq_scan(t->x, d, nq, v ? t->x : t->q, d, m, t->r0);
		for (j = 0; j < nq; j++)
			bad += vq_f_as_u32(t->r0[j]) != vq_f_as_u32(t->r1[v * VQ_ST_MQ + j]);
	}
	return bad;
}

/*
 * The multi-query forms give every query the bits of its single-query
 * call: the rows of x are the queries, q the vector; nq 1..VQ_ST_MQ covers
 * the pairs and the odd last query.
 */
static int vq_st_mq(struct vq_st_buf *t, u32 d)
{
	__le16 *h = (__le16 *)t->c0;
	int bad = 0;
	u32 nq, j, m;

	vq_f16_encode(t->q, h, d);
	for (nq = 1; nq <= VQ_ST_MQ; nq++) {
		for (m = VQ_METRIC_L2; m <= VQ_METRIC_COS; m++) {
			t->r0[nq] = 12345.0f;	/* must stay untouched */
			vq_f32_mq_scan(t->x, d, nq, t->q, d, m, t->r0);
			for (j = 0; j < nq; j++) {
				(m == VQ_METRIC_L2 ? vq_l2sq_scan : m == VQ_METRIC_IP ?
				 vq_ip_scan : vq_cos_scan)(t->x + j * d, t->q, d, 1, t->r1 + j);
				bad += vq_f_as_u32(t->r0[j]) != vq_f_as_u32(t->r1[j]);
			}
			bad += t->r0[nq] != 12345.0f;
			/* two vectors at once (q, and row 0 of x): both as alone */
			vq_f32_mq2_scan(t->x, d, nq, t->q, t->x, d, m, t->r1,
					t->r1 + VQ_ST_MQ);
			bad += vq_st_mq2_check(t, d, nq, m, t->x, false);
			if (m == VQ_METRIC_COS)
				continue;
			vq_f16_mq_scan(t->x, d, nq, h, d, m, t->r0);
			for (j = 0; j < nq; j++) {
				vq_f16_scan(t->x + j * d, h, d, 1, m, t->r1 + j);
				bad += vq_f_as_u32(t->r0[j]) != vq_f_as_u32(t->r1[j]);
			}
			bad += t->r0[nq] != 12345.0f;
			vq_f16_encode(t->x, h + d, d);
			vq_f16_mq2_scan(t->x, d, nq, h, h + d, d, m, t->r1, t->r1 + VQ_ST_MQ);
			bad += vq_st_mq2_check(t, d, nq, m, h, true);
		}
	}
	return bad;
}

/* The same for SQ IP scans: prepared queries from rows of x, codes c1. */
static int vq_st_sq_mq(struct vq_st_buf *t, const struct vq_sq *sq)
{
	size_t nb = vq_sq_code_size(sq->d, sq->bits);
	int bad = 0;
	u32 nq, j, v;

	for (j = 0; j < VQ_ST_MQ; j++) {
		t->mq[j].a = t->mqa + j * VQ_ST_DMAX;
		t->mq[j].b = NULL;
		if (vq_sq_prepare(sq, VQ_METRIC_IP, t->x + j * sq->d, &t->mq[j]))
			return bad + 1;
	}
	for (v = 0; v < 3; v++) {
		const u8 *c = t->c1 + v * nb;

		for (nq = 1; nq <= VQ_ST_MQ; nq++) {
			t->r0[nq] = 12345.0f;
			vq_sq_mq_scan(sq, t->mq, nq, c, t->r0);
			for (j = 0; j < nq; j++) {
				vq_sq_scan(sq, &t->mq[j], c, 1, t->r1 + j);
				bad += vq_f_as_u32(t->r0[j]) != vq_f_as_u32(t->r1[j]);
			}
			bad += t->r0[nq] != 12345.0f;
		}
	}
	return bad;
}

/*
 * Tolerance bound of an SQ scan result (Documentation/quantization.rst):
 * L2: sum (|q_i - vmin_i| + step_i * c_i)^2, which is the distance unless
 * q_i - vmin_i and step_i * c_i nearly cancel: one rounding (FMA) or two
 * of a_i - b_i * c_i then differ by up to 2^-24 * step_i * c_i, however
 * small the difference. IP: |bias| + sum |q_i * step_i| * (L - 1).
 */
static float vq_st_sq_bound(const struct vq_sq *sq, unsigned int metric,
			    const float *q, float bias, const u8 *code)
{
	float s = vq_absf(bias), lmax = sq->bits == 8 ? 255.0f : 15.0f;
	u32 i, sh, o;

	for (i = 0; i < sq->d; i++) {
		if (metric == VQ_METRIC_IP) {
			s += vq_absf(q[i] * sq->step[i]) * lmax;
		} else {
			float lv, t;

			if (sq->bits == 8) {
				lv = (float)code[i];
			} else {
				o = vq_sq4_nibble(sq->d, i, &sh);
				lv = (float)((code[o] >> sh) & 15);
			}
			t = vq_absf(q[i] - sq->vmin[i]) + sq->step[i] * lv;
			s += t * t;
		}
	}
	return s;
}

/* Active SQ scan vs the reference on n codes; returns the mismatches. */
static int vq_st_sq_scan(const struct vq_ops *ops, struct vq_st_buf *t,
			 const struct vq_sq *sq, const u8 *codes, size_t n,
			 bool exact)
{
	struct vq_sq_query qq = { .a = t->a, .b = t->b };
	size_t v, nb = vq_sq_code_size(sq->d, sq->bits);
	int bad = 0, metric;

	for (metric = VQ_METRIC_L2; metric <= VQ_METRIC_IP; metric++) {
		if (vq_sq_prepare(sq, metric, t->q, &qq))
			return bad + 1;
		t->r0[n] = 12345.0f;	/* must stay untouched */
		(sq->bits == 8 ? ops->sq8_scan : ops->sq4_scan)(&qq, codes, n,
								t->r0);
		(sq->bits == 8 ? vq_sq8_scan_ref : vq_sq4_scan_ref)(&qq, codes,
								   n, t->r1);
		bad += t->r0[n] != 12345.0f;
		for (v = 0; v < n; v++) {
			if (exact)
				bad += vq_f_as_u32(t->r0[v]) !=
				       vq_f_as_u32(t->r1[v]);
			else
				bad += !vq_st_close(t->r0[v], t->r1[v],
					vq_st_sq_bound(sq, metric, t->q,
						       qq.bias,
						       codes + v * nb));
		}
	}
	return bad;
}

static int vq_st_sq(const struct vq_ops *ops, struct vq_st_buf *t, u32 d,
		    u32 bits)
{
	static const u8 ns[] = { 1, 2, 3, 15, VQ_ST_N };
	struct vq_sq sq = { .d = d, .bits = bits, .vmin = t->vmin,
			    .step = t->step };
	size_t nb = vq_sq_code_size(d, bits);
	int bad = 0;
	u32 k;

	/* Train on half the vectors so the rest also exercises clamping. */
	if (vq_sq_train(d, bits, t->x, VQ_ST_N / 2, t->vmin, t->step))
		return 1;
	(bits == 8 ? ops->sq8_encode : ops->sq4_encode)(&sq, t->x, t->c0, VQ_ST_N);
	(bits == 8 ? vq_sq8_encode_ref : vq_sq4_encode_ref)(&sq, t->x, t->c1,
							   VQ_ST_N);
	bad += memcmp(t->c0, t->c1, nb * VQ_ST_N) != 0;
	/* Several n: odd counts and other pairings (v with v + n/2). */
	for (k = 0; k < ARRAY_SIZE(ns); k++)
		bad += vq_st_sq_scan(ops, t, &sq, t->c1, ns[k], false);
	bad += vq_st_sq_mq(t, &sq);
	return bad;
}

/*
 * SQ scan edge cases, for every dimension of the list and both widths:
 *  - on-grid data (vmin and q multiples of 1/4, steps 0 or powers of two):
 *    every term and partial sum is exact in f32, so the active kernel
 *    must give the reference's bits and both the decoded vectors' exact
 *    distance; this pins the prepared layout (slots, 2^-e scales);
 *  - all levels maximal (0xff bytes) or zero with large weights, and all
 *    steps 0, within the tolerance.
 */
static int vq_st_sq_edge(const struct vq_ops *ops, struct vq_st_buf *t,
			 u32 *seed, u32 d, u32 bits)
{
	struct vq_sq sq = { .d = d, .bits = bits, .vmin = t->vmin,
			    .step = t->step };
	size_t nb = vq_sq_code_size(d, bits), n = VQ_ST_N, v, k;
	int bad = 0;
	u32 i, r;

	/*
	 * On grid: steps 1/4 .. 2 (SQ8: .. 1, levels < 32) keep every term a
	 * multiple of 1/16 and every sum below 2^20, so nothing rounds.
	 */
	for (i = 0; i < d; i++) {
		r = vq_st_next(seed);
		t->vmin[i] = (float)((s32)(r % 25) - 12) * 0.25f;
		t->step[i] = (r >> 8) % 7 == 0 ? 0.0f :
			     vq_u32_as_f((125U + (r >> 12) % (bits == 8 ? 3 : 4))
					 << 23);
		t->q[i] = (float)((s32)((r >> 16) % 129) - 64) * 0.25f;
	}
	for (k = 0; k < n * nb; k++)
		t->c1[k] = (u8)vq_st_next(seed) & (bits == 8 ? 31 : 0xff);
	bad += vq_st_sq_scan(ops, t, &sq, t->c1, n, true);
	bad += vq_st_sq_scan(ops, t, &sq, t->c1, n - 1, true);
	/* the reference against the decoded vectors (exact here too) */
	vq_sq_decode(&sq, t->c1, t->x, n);
	{
		struct vq_sq_query qq = { .a = t->a, .b = t->b };

		vq_sq_prepare(&sq, VQ_METRIC_L2, t->q, &qq);
		(bits == 8 ? vq_sq8_scan_ref : vq_sq4_scan_ref)(&qq, t->c1, n,
								t->r1);
		vq_l2sq_f32_ref(t->q, t->x, d, n, t->r0);
		for (v = 0; v < n; v++)
			bad += vq_f_as_u32(t->r0[v]) != vq_f_as_u32(t->r1[v]);
		vq_sq_prepare(&sq, VQ_METRIC_IP, t->q, &qq);
		(bits == 8 ? vq_sq8_scan_ref : vq_sq4_scan_ref)(&qq, t->c1, n,
								t->r1);
		vq_ip_f32_ref(t->q, t->x, d, n, t->r0);
		for (v = 0; v < n; v++)
			bad += vq_f_as_u32(t->r0[v]) != vq_f_as_u32(t->r1[v]);
	}

	/* extreme levels, large weights */
	for (i = 0; i < d; i++) {
		t->vmin[i] = vq_st_uniform(seed) * 1000.0f;
		t->step[i] = vq_absf(vq_st_uniform(seed)) * 100.0f;
		t->q[i] = vq_st_uniform(seed) * 3000.0f;
	}
	for (k = 0; k < n * nb; k++)
		t->c1[k] = (k / nb) & 1 ? 0xff : 0;
	bad += vq_st_sq_scan(ops, t, &sq, t->c1, n, false);
	bad += vq_st_sq_scan(ops, t, &sq, t->c1, 3, false);
	/* constant dimensions everywhere */
	for (i = 0; i < d; i++)
		t->step[i] = 0.0f;
	bad += vq_st_sq_scan(ops, t, &sq, t->c1, n, false);
	return bad;
}

static int vq_st_sq_all(const struct vq_ops *ops, struct vq_st_buf *t,
			u32 *seed)
{
	int bad = 0;
	u32 k, i;

	for (k = 0; k < ARRAY_SIZE(vq_st_dims); k++) {
		u32 d = vq_st_dims[k];

		for (i = 0; i < VQ_ST_N * d; i++)
			t->x[i] = vq_st_uniform(seed) * 4.0f;
		for (i = 0; i < d; i++)
			t->q[i] = vq_st_uniform(seed) * 4.0f;
		bad += vq_st_sq(ops, t, d, 8);
		bad += vq_st_sq(ops, t, d, 4);
		bad += vq_st_sq_edge(ops, t, seed, d, 8);
		bad += vq_st_sq_edge(ops, t, seed, d, 4);
	}
	return bad;
}

int vq_selftest_sq(u32 seed, void *scratch, size_t len)
{
	u32 s = seed | 1;

	if (len < sizeof(struct vq_st_buf))
		return -ENOSPC;
	return vq_st_sq_all(vq_active_ops(), scratch, &s);
}

static int vq_st_pq(const struct vq_ops *ops, struct vq_st_buf *t, u32 *seed)
{
	struct vq_pq pq = { .d = VQ_ST_PQ_D, .m = VQ_ST_PQ_M,
			    .dsub = VQ_ST_PQ_D / VQ_ST_PQ_M,
			    .cent_t = t->cent_t };
	u32 j, v, b0, b1;
	float d0, d1;
	int bad = 0;

	for (j = 0; j < VQ_ST_PQ_D * VQ_PQ_KSUB; j++)
		t->cent_t[j] = vq_st_uniform(seed);
	/* A duplicate centroid: ties must go to the lower index everywhere. */
	for (j = 0; j < VQ_ST_PQ_D; j++)	/* every row of every subspace */
		t->cent_t[j * VQ_PQ_KSUB + 200] = t->cent_t[j * VQ_PQ_KSUB + 9];
	for (v = 0; v < VQ_ST_N; v++) {
		for (j = 0; j < pq.m; j++) {
			const float *x = t->x + v * VQ_ST_PQ_D + j * pq.dsub;
			const float *ct = t->cent_t + j * pq.dsub * VQ_PQ_KSUB;

			ops->pq_nearest(x, ct, pq.dsub, &b0, &d0);
			vq_pq_nearest_ref(x, ct, pq.dsub, &b1, &d1);
			bad += b0 != b1 || vq_f_as_u32(d0) != vq_f_as_u32(d1);
			t->c0[v * pq.m + j] = (u8)b1;
		}
	}
	for (j = 0; j < pq.m; j++) {
		const float *ct = t->cent_t + j * pq.dsub * VQ_PQ_KSUB;
		float tmp[4];
		u32 k;

		for (k = 0; k < pq.dsub; k++)
			tmp[k] = ct[k * VQ_PQ_KSUB + 200];
		ops->pq_nearest(tmp, ct, pq.dsub, &b0, &d0);
		bad += b0 != 9;
		ops->pq_l2_256(t->q + j * pq.dsub, ct, pq.dsub, t->lut0 + j * VQ_PQ_KSUB);
		vq_pq_l2_256_ref(t->q + j * pq.dsub, ct, pq.dsub, t->lut1 + j * VQ_PQ_KSUB);
	}
	bad += memcmp(t->lut0, t->lut1, sizeof(t->lut0)) != 0;
	for (j = 0; j < pq.m; j++) {
		const float *ct = t->cent_t + j * pq.dsub * VQ_PQ_KSUB;

		ops->pq_ip_256(t->q + j * pq.dsub, ct, pq.dsub, t->lut0 + j * VQ_PQ_KSUB);
		vq_pq_ip_256_ref(t->q + j * pq.dsub, ct, pq.dsub, t->lut1 + j * VQ_PQ_KSUB);
	}
	bad += memcmp(t->lut0, t->lut1, sizeof(t->lut0)) != 0;
	ops->pq_adc_scan(t->lut1, pq.m, t->c0, VQ_ST_N, t->r0);
	vq_pq_adc_scan_ref(t->lut1, pq.m, t->c0, VQ_ST_N, t->r1);
	bad += memcmp(t->r0, t->r1, VQ_ST_N * sizeof(float)) != 0;
	return bad;
}

static int vq_st_hamming(const struct vq_ops *ops, struct vq_st_buf *t,
			 u32 *seed)
{
	u32 nbytes, i, h0[VQ_ST_N], h1[VQ_ST_N];
	int bad = 0;

	for (i = 0; i < sizeof(t->c0); i++)
		t->c0[i] = (u8)vq_st_next(seed);
	for (nbytes = 1; nbytes <= 40; nbytes += 3) {
		ops->hamming_scan(t->c0, t->c0 + 64, nbytes, VQ_ST_N, h0);
		vq_hamming_scan_ref(t->c0, t->c0 + 64, nbytes, VQ_ST_N, h1);
		bad += memcmp(h0, h1, sizeof(h0)) != 0;
	}
	ops->hamming_scan(t->c0, t->c0 + 64, 16, VQ_ST_N, h0);
	vq_hamming_scan_ref(t->c0, t->c0 + 64, 16, VQ_ST_N, h1);
	bad += memcmp(h0, h1, sizeof(h0)) != 0;
	return bad;
}

int vq_selftest(u32 seed, void *scratch, size_t len)
{
	const struct vq_ops *ops = vq_active_ops();
	struct vq_st_buf *t = scratch;
	u32 s = seed | 1, k, i;
	int bad = 0;

	if (len < sizeof(*t))
		return -ENOSPC;
	for (k = 0; k < ARRAY_SIZE(vq_st_dims); k++) {
		u32 d = vq_st_dims[k];

		for (i = 0; i < VQ_ST_N * d; i++)
			t->x[i] = vq_st_uniform(&s) * 4.0f;
		for (i = 0; i < d; i++)
			t->q[i] = vq_st_uniform(&s) * 4.0f;
		bad += vq_st_f32(ops, t, d);
		bad += vq_st_f16(ops, t, d);
		bad += vq_st_mq(t, d);
	}
	bad += vq_st_sq_all(ops, t, &s);
	for (i = 0; i < VQ_ST_N * VQ_ST_PQ_D; i++)
		t->x[i] = vq_st_uniform(&s);
	bad += vq_st_pq(ops, t, &s);
	bad += vq_st_hamming(ops, t, &s);
	return bad;
}
