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

static const u32 vq_st_dims[] = { 1, 7, 8, 15, 31, 32, 33, 64, 100, 129, 136 };

struct vq_st_buf {
	float x[VQ_ST_N * VQ_ST_DMAX];
	float q[VQ_ST_DMAX];
	float vmin[VQ_ST_DMAX], step[VQ_ST_DMAX];
	float a[VQ_ST_DMAX], b[VQ_ST_DMAX];
	float r0[VQ_ST_N], r1[VQ_ST_N];
	float cent_t[VQ_ST_PQ_D * VQ_PQ_KSUB];
	float lut0[VQ_ST_PQ_M * VQ_PQ_KSUB], lut1[VQ_ST_PQ_M * VQ_PQ_KSUB];
	u8 c0[VQ_ST_N * VQ_ST_DMAX * 2], c1[VQ_ST_N * VQ_ST_DMAX * 2];
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

static int vq_st_sq(const struct vq_ops *ops, struct vq_st_buf *t, u32 d,
		    u32 bits)
{
	struct vq_sq sq = { .d = d, .bits = bits, .vmin = t->vmin,
			    .step = t->step };
	struct vq_sq_query qq = { .a = t->a, .b = t->b };
	size_t nb = vq_sq_code_size(d, bits);
	int bad = 0, metric;
	u32 v, i;

	/* Train on half the vectors so the rest also exercises clamping. */
	if (vq_sq_train(d, bits, t->x, VQ_ST_N / 2, t->vmin, t->step))
		return 1;
	(bits == 8 ? ops->sq8_encode : ops->sq4_encode)(&sq, t->x, t->c0, VQ_ST_N);
	(bits == 8 ? vq_sq8_encode_ref : vq_sq4_encode_ref)(&sq, t->x, t->c1,
							   VQ_ST_N);
	bad += memcmp(t->c0, t->c1, nb * VQ_ST_N) != 0;
	for (metric = VQ_METRIC_L2; metric <= VQ_METRIC_IP; metric++) {
		if (vq_sq_prepare(&sq, metric, t->q, &qq))
			return bad + 1;
		(bits == 8 ? ops->sq8_scan : ops->sq4_scan)(&qq, t->c1, VQ_ST_N,
							    t->r0);
		(bits == 8 ? vq_sq8_scan_ref : vq_sq4_scan_ref)(&qq, t->c1,
							       VQ_ST_N, t->r1);
		for (v = 0; v < VQ_ST_N; v++) {
			float s = vq_absf(qq.bias);

			if (metric == VQ_METRIC_L2) {
				s = t->r1[v];
			} else {
				for (i = 0; i < d; i++)
					s += vq_absf(t->a[i]) * 15.0f * 17.0f;
			}
			bad += !vq_st_close(t->r0[v], t->r1[v], s);
		}
	}
	return bad;
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
	bad += memcmp(t->r0, t->r1, sizeof(t->r0)) != 0;
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
		bad += vq_st_sq(ops, t, d, 8);
		bad += vq_st_sq(ops, t, d, 4);
	}
	for (i = 0; i < VQ_ST_N * VQ_ST_PQ_D; i++)
		t->x[i] = vq_st_uniform(&s);
	bad += vq_st_pq(ops, t, &s);
	bad += vq_st_hamming(ops, t, &s);
	return bad;
}
