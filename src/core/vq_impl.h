/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vq_impl.h - private helpers shared by the FPU files of the quantization
 * core (src/core/vq_*_simd.c). Contains float code: include it from FPU
 * files only.
 */
#ifndef _VEXFS_VQ_IMPL_H
#define _VEXFS_VQ_IMPL_H

#include "vexfs/vq.h"

/* 1.5 * 2^23: t + VQ_RND_MAGIC rounds t in [0, 2^22) to nearest even. */
#define VQ_RND_MAGIC		12582912.0f
#define VQ_RND_MAGIC_BITS	0x4b400000U

/*
 * Keep a product from being fused into an FMA: the PQ kernels must give
 * the same bits with and without FMA hardware.
 */
#define VQ_NOCONTRACT(v)	__asm__("" : "+x"(v))

static inline float vq_u32_as_f(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static inline u32 vq_f_as_u32(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

/*
 * SQ level of one value: clamp((x - vmin) / step, 0, maxl) rounded to
 * nearest even. NaN and -inf go to 0, +inf to maxl; step 0 sends x > vmin
 * to maxl and everything else to 0. The ternaries are MAXPS/MINPS, which
 * the AVX2 kernels use, so both give the same bits.
 */
static inline u32 vq_sq_level(float x, float vmin, float step, float maxl)
{
	float t = (x - vmin) / step;

	t = t > 0.0f ? t : 0.0f;
	t = t < maxl ? t : maxl;
	return vq_f_as_u32(t + VQ_RND_MAGIC) - VQ_RND_MAGIC_BITS;
}

static inline float vq_sqrtf(float x)
{
#if defined(__CHECKER__)
	return x;	/* sparse parses this file but knows no sqrt builtin */
#elif defined(__x86_64__)
	typedef float v4sf __attribute__((vector_size(16)));
	v4sf v = { x, 0.0f, 0.0f, 0.0f };

	v = __builtin_ia32_sqrtss(v);
	return v[0];
#else
	return __builtin_sqrtf(x);
#endif
}

/* Cosine similarity from the three sums; 0 when a vector is zero. */
static inline float vq_cos_finish(float ip, float qq, float xx)
{
	float r;

	if (!(qq > 0.0f) || !(xx > 0.0f))
		return 0.0f;
	r = ip / (vq_sqrtf(qq) * vq_sqrtf(xx));
	if (r > 1.0f)
		r = 1.0f;
	if (r < -1.0f)
		r = -1.0f;
	return r;
}

/*
 * Prepared SQ4 queries (struct vq_sq_query, bits 4): the first T = d & ~63
 * dimensions are read in chunks of 64 (32 code bytes = eight le32 words).
 * Word L (0..7) of chunk h holds nibbles k = 0..7 at bits 4k..4k+3, that is
 * code byte 32h + 4L + k/2, low nibble for even k. The scan takes
 * word & (0xF << 4k) for k < 4 and (word >> 16) & (0xF << 4(k - 4)) for
 * k >= 4: the level times 2^e with e = 4 * (k & 3). The prepared weights of
 * that dimension sit at slot 64h + 8k + L, multiplied by 2^-e (exact unless
 * the weight falls into the f32 subnormal range). Dimensions >= T keep
 * slot = i and e = 0. Returns the slot of dimension i, *e its exponent.
 */
static inline u32 vq_sq4_slot(u32 d, u32 i, u32 *e)
{
	u32 o, sh, k;

	*e = 0;
	if (i >= (d & ~63U))
		return i;
	o = vq_sq4_nibble(d, i, &sh);
	k = 2 * (o & 3) + sh / 4;
	*e = 4 * (k & 3);
	return (o >> 5) * 64 + 8 * k + ((o & 31) >> 2);
}

/* The scaled level the scan multiplies for slot s < T (see above). */
static inline u32 vq_sq4_scaled(const u8 *c, u32 s)
{
	u32 w = vq_get_le32(c + (s >> 6) * 32 + 4 * (s & 7));
	u32 k = (s >> 3) & 7;

	if (k >= 4)
		w >>= 16;
	return w & (15U << (4 * (k & 3)));
}

/* Scalar reference kernels (vq_scalar_simd.c), also used for tails. */
void vq_l2sq_f32_ref(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_ip_f32_ref(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_cos_f32_ref(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_l2sq_f16_ref(const float *q, const __le16 *c, u32 d, size_t n, float *out);
void vq_ip_f16_ref(const float *q, const __le16 *c, u32 d, size_t n, float *out);
void vq_sq8_encode_ref(const struct vq_sq *sq, const float *x, u8 *out, size_t n);
void vq_sq4_encode_ref(const struct vq_sq *sq, const float *x, u8 *out, size_t n);
void vq_sq8_scan_ref(const struct vq_sq_query *qq, const u8 *c, size_t n, float *out);
void vq_sq4_scan_ref(const struct vq_sq_query *qq, const u8 *c, size_t n, float *out);
void vq_pq_l2_256_ref(const float *x, const float *ct, u32 dsub, float *out);
void vq_pq_ip_256_ref(const float *x, const float *ct, u32 dsub, float *out);
void vq_pq_nearest_ref(const float *x, const float *ct, u32 dsub, u32 *best,
		       float *bestd);
void vq_l2sq_u8_ref(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
void vq_ipkey_u8_ref(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
#if defined(__x86_64__)
void vq_l2sq_u8_avx2(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
void vq_l2sq_u8_avx512(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
void vq_ipkey_u8_avx2(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
void vq_ipkey_u8_avx512(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
#endif
void vq_pq_adc_scan_ref(const float *lut, u32 m, const u8 *c, size_t n, float *out);

#endif /* _VEXFS_VQ_IMPL_H */
