// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_sqv_simd.c - per-vector scalar quantization: the record codec of
 * VEXFS_COMP_SQ8 and VEXFS_COMP_SQ4. One vmin and one step for the whole
 * vector (step = (max - min) / 255 or / 15), stored little-endian in front of
 * the codes; the codes come from the same dispatched encoder as the trained
 * per-dimension quantizer (vq_sq_encode), so every implementation produces
 * the same bytes. Reconstruction error is at most step / 2 per dimension.
 * Float code: an FPU file in the kernel (kernel_fpu_begin/end around calls).
 */
#include "vq_impl.h"

static inline bool vq_sqv_finite(float f)
{
	return (vq_f_as_u32(f) & 0x7f800000U) != 0x7f800000U;
}

int vq_sqv_encode(const float *x, u32 d, u32 bits, float *scratch, u8 *out)
{
	struct vq_sq sq = { .d = d, .bits = bits, .vmin = scratch, .step = scratch + d };
	float lo, hi, step;
	u32 i;

	if (!d || d > VQ_MAX_DIM || (bits != 8 && bits != 4))
		return -EINVAL;
	lo = x[0];
	hi = x[0];
	for (i = 0; i < d; i++) {
		if (!vq_sqv_finite(x[i]))
			return -EINVAL;
		if (x[i] < lo)
			lo = x[i];
		if (x[i] > hi)
			hi = x[i];
	}
	step = (hi - lo) / (bits == 8 ? 255.0f : 15.0f);
	if (!vq_sqv_finite(step))
		return -ERANGE;
	for (i = 0; i < d; i++) {
		scratch[i] = lo;
		scratch[d + i] = step;
	}
	vq_put_le32(out, vq_f_as_u32(lo));
	vq_put_le32(out + 4, vq_f_as_u32(step));
	vq_sq_encode(&sq, x, out + VQ_SQV_HDR, 1);
	return 0;
}

void vq_sqv_decode(const u8 *in, u32 d, u32 bits, float *scratch, float *x)
{
	struct vq_sq sq = { .d = d, .bits = bits, .vmin = scratch, .step = scratch + d };
	float lo = vq_u32_as_f(vq_get_le32(in)), step = vq_u32_as_f(vq_get_le32(in + 4));
	u32 i;

	for (i = 0; i < d; i++) {
		scratch[i] = lo;
		scratch[d + i] = step;
	}
	vq_sq_decode(&sq, in + VQ_SQV_HDR, x, 1);
}
