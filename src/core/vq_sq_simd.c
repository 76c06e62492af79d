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

int vq_sq_prepare(const struct vq_sq *sq, unsigned int metric, const float *q,
		  struct vq_sq_query *qq)
{
	float bias = 0.0f;
	u32 i;

	qq->d = sq->d;
	qq->metric = metric;
	qq->bias = 0.0f;
	if (metric == VQ_METRIC_L2) {
		for (i = 0; i < sq->d; i++) {
			qq->a[i] = q[i] - sq->vmin[i];
			qq->b[i] = sq->step[i];
		}
		return 0;
	}
	if (metric != VQ_METRIC_IP)
		return -EINVAL;
	for (i = 0; i < sq->d; i++) {
		qq->a[i] = q[i] * sq->step[i];
		bias += q[i] * sq->vmin[i];
	}
	qq->bias = bias;
	return 0;
}
