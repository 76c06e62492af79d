// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_sq_simd.c - scalar quantizer training, decoding and query preparation.
 * Float code: an FPU file in the kernel (kernel_fpu_begin/end around calls).
 */
#include "vq_impl.h"

static inline bool vq_finite(float f)
{
	return (vq_f_as_u32(f) & 0x7f800000U) != 0x7f800000U;
}

int vq_sq_train(u32 d, u32 bits, const float *x, size_t n, float *vmin,
		float *step)
{
	float levels;
	size_t v;
	u32 i;

	if (d == 0 || d > VQ_MAX_DIM || (bits != 8 && bits != 4))
		return -EINVAL;
	levels = bits == 8 ? 255.0f : 15.0f;
	for (i = 0; i < d; i++) {
		float lo = vq_u32_as_f(0x7f800000U), hi = -lo;

		for (v = 0; v < n; v++) {
			float t = x[v * d + i];

			if (!vq_finite(t))
				continue;
			if (t < lo)
				lo = t;
			if (t > hi)
				hi = t;
		}
		if (!(lo <= hi)) {		/* no finite sample */
			lo = 0.0f;
			hi = 0.0f;
		}
		vmin[i] = lo;
		step[i] = (hi - lo) / levels;
		if (!vq_finite(step[i]))
			return -ERANGE;
	}
	return 0;
}

void vq_sq_decode(const struct vq_sq *sq, const u8 *c, float *x, size_t n)
{
	u32 d = sq->d, i, lv, sh;
	size_t v, nb = vq_sq_code_size(d, sq->bits);

	for (v = 0; v < n; v++, c += nb, x += d) {
		for (i = 0; i < d; i++) {
			if (sq->bits == 4)
				lv = (c[vq_sq4_nibble(d, i, &sh)] >> sh) & 15;
			else
				lv = c[i];
			x[i] = sq->vmin[i] + (float)lv * sq->step[i];
		}
	}
}

/* 2^-e as f32, 0 <= e <= 24 */
static inline float vq_pow2_neg(u32 e)
{
	return vq_u32_as_f((127U - e) << 23);
}

int vq_sq_prepare(const struct vq_sq *sq, unsigned int metric, const float *q,
		  struct vq_sq_query *qq)
{
	float bias = 0.0f;
	u32 i, s, e;

	qq->d = sq->d;
	qq->metric = metric;
	qq->bias = 0.0f;
	if (metric != VQ_METRIC_L2 && metric != VQ_METRIC_IP)
		return -EINVAL;
	/*
	 * SQ8: slot i, no scaling. SQ4: slots and power-of-two scales of
	 * vq_sq4_slot() (vq_impl.h), so that the scan multiplies masked code
	 * words without shifting them; the products are the same numbers.
	 */
	for (i = 0; i < sq->d; i++) {
		s = i;
		e = 0;
		if (sq->bits == 4)
			s = vq_sq4_slot(sq->d, i, &e);
		if (metric == VQ_METRIC_L2) {
			qq->a[s] = q[i] - sq->vmin[i];
			qq->b[s] = sq->step[i] * vq_pow2_neg(e);
		} else {
			qq->a[s] = q[i] * sq->step[i] * vq_pow2_neg(e);
			bias += q[i] * sq->vmin[i];
		}
	}
	qq->bias = bias;
	return 0;
}
