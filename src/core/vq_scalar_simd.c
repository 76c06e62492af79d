// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_scalar_simd.c - scalar reference kernels of the quantization core.
 *
 * Plain C, one accumulator, dimensions in order: this is the reference
 * every SIMD kernel is tested against. It is float code, so in the kernel
 * it is built as an FPU file (the _simd.c suffix) and must only be called
 * between kernel_fpu_begin() and kernel_fpu_end().
 */
#include "vq_impl.h"

void vq_l2sq_f32_ref(const float *q, const float *x, u32 d, size_t n,
		     float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		float acc = 0.0f;

		for (i = 0; i < d; i++) {
			float t = q[i] - x[i];

			acc += t * t;
		}
		out[v] = acc;
	}
}

void vq_ip_f32_ref(const float *q, const float *x, u32 d, size_t n,
		   float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		float acc = 0.0f;

		for (i = 0; i < d; i++)
			acc += q[i] * x[i];
		out[v] = acc;
	}
}

void vq_cos_f32_ref(const float *q, const float *x, u32 d, size_t n,
		    float *out)
{
	float qq = 0.0f;
	size_t v;
	u32 i;

	for (i = 0; i < d; i++)
		qq += q[i] * q[i];
	for (v = 0; v < n; v++, x += d) {
		float ip = 0.0f, xx = 0.0f;

		for (i = 0; i < d; i++) {
			ip += q[i] * x[i];
			xx += x[i] * x[i];
		}
		out[v] = vq_cos_finish(ip, qq, xx);
	}
}

static inline float vq_f16_val(const __le16 *c)
{
	return vq_u32_as_f(vq_f16_to_f32_bits(le16_to_cpu(*c)));
}

void vq_l2sq_f16_ref(const float *q, const __le16 *c, u32 d, size_t n,
		     float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		float acc = 0.0f;

		for (i = 0; i < d; i++) {
			float t = q[i] - vq_f16_val(&c[i]);

			acc += t * t;
		}
		out[v] = acc;
	}
}

void vq_ip_f16_ref(const float *q, const __le16 *c, u32 d, size_t n,
		   float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		float acc = 0.0f;

		for (i = 0; i < d; i++)
			acc += q[i] * vq_f16_val(&c[i]);
		out[v] = acc;
	}
}

void vq_sq8_encode_ref(const struct vq_sq *sq, const float *x, u8 *out,
		       size_t n)
{
	u32 d = sq->d, i;
	size_t v;

	for (v = 0; v < n; v++, x += d, out += d)
		for (i = 0; i < d; i++)
			out[i] = (u8)vq_sq_level(x[i], sq->vmin[i],
						 sq->step[i], 255.0f);
}

void vq_sq4_encode_ref(const struct vq_sq *sq, const float *x, u8 *out,
		       size_t n)
{
	u32 d = sq->d, nb = (d + 1) / 2, i, lv, sh, o;
	size_t v;

	for (v = 0; v < n; v++, x += d, out += nb) {
		memset(out, 0, nb);
		for (i = 0; i < d; i++) {
			lv = vq_sq_level(x[i], sq->vmin[i], sq->step[i], 15.0f);
			o = vq_sq4_nibble(d, i, &sh);
			out[o] |= (u8)(lv << sh);
		}
	}
}

void vq_sq8_scan_ref(const struct vq_sq_query *qq, const u8 *c, size_t n,
		     float *out)
{
	const float *a = qq->a, *b = qq->b;
	u32 d = qq->d, i;
	size_t v;

	for (v = 0; v < n; v++, c += d) {
		float acc = 0.0f;

		if (qq->metric == VQ_METRIC_IP) {
			for (i = 0; i < d; i++)
				acc += a[i] * (float)c[i];
			out[v] = qq->bias + acc;
			continue;
		}
		for (i = 0; i < d; i++) {
			float t = a[i] - b[i] * (float)c[i];

			acc += t * t;
		}
		out[v] = acc;
	}
}

/*
 * Same prepared form as the AVX2 kernel (vq_sq4_slot() in vq_impl.h): the
 * first d & ~63 dimensions in slot order with the level scaled by 2^e
 * (masked, not shifted), the rest in dimension order. Every term is the
 * same number as with the unscaled level; only the order of the sum is
 * the reference's own (slots in increasing order).
 */
void vq_sq4_scan_ref(const struct vq_sq_query *qq, const u8 *c, size_t n,
		     float *out)
{
	const float *a = qq->a, *b = qq->b;
	u32 d = qq->d, nb = (d + 1) / 2, t = d & ~63U, i, sh, o;
	bool ip = qq->metric == VQ_METRIC_IP;
	size_t v;

	for (v = 0; v < n; v++, c += nb) {
		float acc = 0.0f;

		for (i = 0; i < d; i++) {
			float lv;

			if (i < t) {
				lv = (float)vq_sq4_scaled(c, i);
			} else {
				o = vq_sq4_nibble(d, i, &sh);
				lv = (float)((c[o] >> sh) & 15);
			}
			if (ip) {
				acc += a[i] * lv;
			} else {
				float r = a[i] - b[i] * lv;

				acc += r * r;
			}
		}
		out[v] = ip ? qq->bias + acc : acc;
	}
}

/*
 * PQ kernels: per centroid, the sum runs over the sub-vector coordinates
 * in order with separate multiply and add. The AVX2 versions do exactly
 * the same per lane, so codes and lookup tables are bit-identical.
 */
void vq_pq_l2_256_ref(const float *x, const float *ct, u32 dsub, float *out)
{
	u32 k, c;

	for (c = 0; c < VQ_PQ_KSUB; c++)
		out[c] = 0.0f;
	for (k = 0; k < dsub; k++, ct += VQ_PQ_KSUB) {
		for (c = 0; c < VQ_PQ_KSUB; c++) {
			float t = x[k] - ct[c];

			t = t * t;
			VQ_NOCONTRACT(t);
			out[c] += t;
		}
	}
}

void vq_pq_ip_256_ref(const float *x, const float *ct, u32 dsub, float *out)
{
	u32 k, c;

	for (c = 0; c < VQ_PQ_KSUB; c++)
		out[c] = 0.0f;
	for (k = 0; k < dsub; k++, ct += VQ_PQ_KSUB) {
		for (c = 0; c < VQ_PQ_KSUB; c++) {
			float t = x[k] * ct[c];

			VQ_NOCONTRACT(t);
			out[c] += t;
		}
	}
}

void vq_pq_nearest_ref(const float *x, const float *ct, u32 dsub, u32 *best,
		       float *bestd)
{
	float bd = vq_u32_as_f(0x7f800000U);	/* +inf */
	u32 bi = 0, k, c;

	for (c = 0; c < VQ_PQ_KSUB; c++) {
		float acc = 0.0f;

		for (k = 0; k < dsub; k++) {
			float t = x[k] - ct[k * VQ_PQ_KSUB + c];

			t = t * t;
			VQ_NOCONTRACT(t);
			acc += t;
		}
		if (acc < bd) {
			bd = acc;
			bi = c;
		}
	}
	*best = bi;
	*bestd = bd;
}

void vq_pq_adc_scan_ref(const float *lut, u32 m, const u8 *c, size_t n,
			float *out)
{
	size_t v;
	u32 j;

	for (v = 0; v < n; v++, c += m) {
		float acc = 0.0f;

		for (j = 0; j < m; j++)
			acc += lut[j * VQ_PQ_KSUB + c[j]];
		out[v] = acc;
	}
}

void vq_sparse_dot(const float *q, const u8 *code, float *out)
{
	u32 nnz = vq_get_le32(code), i;
	const u8 *idx = code + 4, *val = idx + 4 * (size_t)nnz;
	float acc = 0.0f;

	for (i = 0; i < nnz; i++)
		acc += q[vq_get_le32(idx + 4 * (size_t)i)] *
		       vq_u32_as_f(vq_get_le32(val + 4 * (size_t)i));
	*out = acc;
}

const struct vq_ops vq_ops_scalar = {
	.name = "scalar",
	.impl = VQ_IMPL_SCALAR,
	.l2sq_f32 = vq_l2sq_f32_ref,
	.l2sq_u8 = vq_l2sq_u8_ref,
	.ipkey_u8 = vq_ipkey_u8_ref,
	.ip_f32 = vq_ip_f32_ref,
	.cos_f32 = vq_cos_f32_ref,
	.f16_encode = vq_f16_encode_ref,
	.f16_decode = vq_f16_decode_ref,
	.l2sq_f16 = vq_l2sq_f16_ref,
	.ip_f16 = vq_ip_f16_ref,
	.sq8_encode = vq_sq8_encode_ref,
	.sq4_encode = vq_sq4_encode_ref,
	.sq8_scan = vq_sq8_scan_ref,
	.sq4_scan = vq_sq4_scan_ref,
	.pq_l2_256 = vq_pq_l2_256_ref,
	.pq_ip_256 = vq_pq_ip_256_ref,
	.pq_nearest = vq_pq_nearest_ref,
	.pq_adc_scan = vq_pq_adc_scan_ref,
	.hamming_scan = vq_hamming_scan_ref,
};
