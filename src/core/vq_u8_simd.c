// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_u8_simd.c - squared L2 distance between byte codes: the distance the
 * graph index (vgraph.c) walks with. Its nodes hold one byte per dimension
 * quantized with one collection-wide range, so the distance of two codes is
 * an exact integer, the same bits in every implementation (scalar, AVX2,
 * AVX-512), and the graph logic above it needs no float at all.
 *
 * One query code against n codes at scattered addresses (graph neighbours
 * live wherever their nodes are). d <= VQ_MAX_DIM, so a sum is below
 * 4096 * 255^2 < 2^28 and fits a u32; every 32-bit lane below sums at most
 * 2 * 255^2 per step over d / 16 steps, far from overflow.
 *
 * The inner-product key (indexes of metric IP): codes of a range symmetric
 * about 0 stand for step * (c - 127.5), so x . y is proportional to
 * D = sum (2a - 255)(2b - 255), |D| <= 4096 * 255^2 < 2^31; the key
 * 2^31 - D is a u32 that ascends as the inner product descends, the order
 * the graph walks by. The same madd lanes, on 2c - 255 instead of a - b.
 *
 * FPU file: in the kernel, call only between kernel_fpu_begin() and
 * kernel_fpu_end() (the SIMD kernels use vector registers for integers).
 */
#include "vq_impl.h"

static inline u32 vq_l2sq_u8_tail(const u8 *a, const u8 *b, u32 i, u32 d)
{
	u32 s = 0;

	for (; i < d; i++) {
		int t = (int)a[i] - (int)b[i];

		s += (u32)(t * t);
	}
	return s;
}

void vq_l2sq_u8_ref(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	u32 v;

	for (v = 0; v < n; v++)
		out[v] = vq_l2sq_u8_tail(q, c[v], 0, d);
}

/* sum (2a - 255)(2b - 255) over [i, d), as the u32 it wraps to */
static inline u32 vq_ip_u8_tail(const u8 *a, const u8 *b, u32 i, u32 d)
{
	u32 s = 0;

	for (; i < d; i++)
		s += (u32)((2 * (int)a[i] - 255) * (2 * (int)b[i] - 255));
	return s;
}

void vq_ipkey_u8_ref(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	u32 v;

	for (v = 0; v < n; v++)
		out[v] = 0x80000000U - vq_ip_u8_tail(q, c[v], 0, d);
}

#if defined(__x86_64__) && !defined(__CHECKER__)

typedef unsigned char v16qu_u __attribute__((vector_size(16), may_alias)) __aligned(1);
typedef unsigned char v16qu __attribute__((vector_size(16)));
typedef unsigned char v32qu_u __attribute__((vector_size(32), may_alias)) __aligned(1);
typedef unsigned char v32qu __attribute__((vector_size(32)));
typedef short v16hi __attribute__((vector_size(32)));
typedef short v32hi __attribute__((vector_size(64)));
typedef int v8si __attribute__((vector_size(32)));
typedef int v16si __attribute__((vector_size(64)));

#define VQ_U8_AVX2	__attribute__((target("avx2")))
#define VQ_U8_AVX512	__attribute__((target("avx512f,avx512bw,avx2")))

static __always_inline void vq_u8_prefetch(const u8 *p, u32 d)
{
	u32 i;

	for (i = 0; i < d; i += 64)
		__builtin_prefetch(p + i);
}

static __always_inline VQ_U8_AVX2 v16hi vq_u8_ld16(const u8 *p)
{
	return __builtin_convertvector(*(const v16qu_u *)p, v16hi);
}

/*
 * The madd of 16 codes of a and b: sum (a - b)^2 by pairs, or with @ip
 * sum (2a - 255)(2b - 255) (a constant: each kernel is compiled apart).
 */
static __always_inline VQ_U8_AVX2 v8si vq_u8_madd16(const u8 *a, const u8 *b, bool ip)
{
	v16hi x = ip ? vq_u8_ld16(a) * 2 - 255 : vq_u8_ld16(a) - vq_u8_ld16(b);
	v16hi y = ip ? vq_u8_ld16(b) * 2 - 255 : x;

	return __builtin_ia32_pmaddwd256(x, y);
}

/* the sum of one code pair (see vq_u8_madd16), as the u32 it wraps to */
static __always_inline VQ_U8_AVX2 u32 vq_u8_one_avx2(const u8 *a, const u8 *b, u32 d, bool ip)
{
	v8si acc0 = { 0 }, acc1 = { 0 };
	u32 i = 0, s = 0, l;

	for (; i + 32 <= d; i += 32) {
		acc0 += vq_u8_madd16(a + i, b + i, ip);
		acc1 += vq_u8_madd16(a + i + 16, b + i + 16, ip);
	}
	if (i + 16 <= d) {
		acc0 += vq_u8_madd16(a + i, b + i, ip);
		i += 16;
	}
	acc0 += acc1;
	for (l = 0; l < 8; l++)
		s += (u32)acc0[l];
	return s + (ip ? vq_ip_u8_tail(a, b, i, d) : vq_l2sq_u8_tail(a, b, i, d));
}

static __always_inline VQ_U8_AVX2 void vq_u8_scan_avx2(const u8 *q, const u8 *const *c, u32 d,
						       u32 n, u32 *out, bool ip)
{
	u32 v;

	for (v = 0; v < n; v++) {
		/* graph neighbours are scattered: fetch the next code meanwhile */
		if (v + 1 < n)
			vq_u8_prefetch(c[v + 1], d);
		out[v] = ip ? 0x80000000U - vq_u8_one_avx2(q, c[v], d, true) :
			      vq_u8_one_avx2(q, c[v], d, false);
	}
}

VQ_U8_AVX2 void vq_l2sq_u8_avx2(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	vq_u8_scan_avx2(q, c, d, n, out, false);
}

VQ_U8_AVX2 void vq_ipkey_u8_avx2(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	vq_u8_scan_avx2(q, c, d, n, out, true);
}

static __always_inline VQ_U8_AVX512 v32hi vq_u8_ld32(const u8 *p)
{
	return __builtin_convertvector(*(const v32qu_u *)p, v32hi);
}

/* the madd of 32 codes of a and b (see vq_u8_madd16) */
static __always_inline VQ_U8_AVX512 v16si vq_u8_madd32(const u8 *a, const u8 *b, bool ip)
{
	v32hi x = ip ? vq_u8_ld32(a) * 2 - 255 : vq_u8_ld32(a) - vq_u8_ld32(b);
	v32hi y = ip ? vq_u8_ld32(b) * 2 - 255 : x;
	v16si z = { 0 };

	return __builtin_ia32_pmaddwd512_mask(x, y, z, (u16)~0U);
}

static __always_inline VQ_U8_AVX512 u32 vq_u8_one_avx512(const u8 *a, const u8 *b, u32 d,
							 bool ip)
{
	v16si acc0 = { 0 }, acc1 = { 0 };
	u32 i = 0, s = 0, l;

	for (; i + 64 <= d; i += 64) {
		acc0 += vq_u8_madd32(a + i, b + i, ip);
		acc1 += vq_u8_madd32(a + i + 32, b + i + 32, ip);
	}
	if (i + 32 <= d) {
		acc0 += vq_u8_madd32(a + i, b + i, ip);
		i += 32;
	}
	if (i + 16 <= d) {
		v8si h = vq_u8_madd16(a + i, b + i, ip);

		for (l = 0; l < 8; l++)
			s += (u32)h[l];
		i += 16;
	}
	acc0 += acc1;
	for (l = 0; l < 16; l++)
		s += (u32)acc0[l];
	return s + (ip ? vq_ip_u8_tail(a, b, i, d) : vq_l2sq_u8_tail(a, b, i, d));
}

static __always_inline VQ_U8_AVX512 void vq_u8_scan_avx512(const u8 *q, const u8 *const *c,
							   u32 d, u32 n, u32 *out, bool ip)
{
	u32 v;

	for (v = 0; v < n; v++) {
		/* graph neighbours are scattered: fetch the next code meanwhile */
		if (v + 1 < n)
			vq_u8_prefetch(c[v + 1], d);
		out[v] = ip ? 0x80000000U - vq_u8_one_avx512(q, c[v], d, true) :
			      vq_u8_one_avx512(q, c[v], d, false);
	}
}

VQ_U8_AVX512 void vq_l2sq_u8_avx512(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	vq_u8_scan_avx512(q, c, d, n, out, false);
}

VQ_U8_AVX512 void vq_ipkey_u8_avx512(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	vq_u8_scan_avx512(q, c, d, n, out, true);
}

#endif /* __x86_64__ */

/* ---- the byte code of a float32 vector (graph index nodes and queries) ---- */

/* the code of value v: clamp(round((v - lo) * inv), 0, 255) */
static inline u8 vq_u8_code(float v, float lo, float inv)
{
	float t = (v - lo) * inv;

	VQ_NOCONTRACT(t);	/* the same code with and without FMA */
	t += 0.5f;
	/* NaN and below the range: 0; above: 255 */
	return t >= 255.0f ? 255 : t >= 1.0f ? (u8)(int)t : 0;
}

void vq_u8_encode(const float *x, u32 d, u32 lo_bits, u32 step_bits, u8 *out)
{
	float lo = vq_u32_as_f(lo_bits), inv = 1.0f / vq_u32_as_f(step_bits);
	u32 i;

	for (i = 0; i < d; i++)
		out[i] = vq_u8_code(x[i], lo, inv);
}

/*
 * 1 / |x| (each square rounded apart, never fused), or 0 for the zero
 * vector and one too large for binary32's squares: no direction.
 */
static float vq_unit_scale(const float *x, u32 d)
{
	float nn = 0.0f;
	u32 i;

	for (i = 0; i < d; i++) {
		float t = x[i] * x[i];

		VQ_NOCONTRACT(t);
		nn += t;
	}
	return nn > 0.0f && nn - nn == 0.0f ? 1.0f / vq_sqrtf(nn) : 0.0f;
}

void vq_u8_encode_unit(const float *x, u32 d, u32 lo_bits, u32 step_bits, u8 *out)
{
	float lo = vq_u32_as_f(lo_bits), inv = 1.0f / vq_u32_as_f(step_bits);
	float s = vq_unit_scale(x, d);
	u32 i;

	if (s == 0.0f)
		s = 1.0f;	/* no direction: the vector as it is */
	for (i = 0; i < d; i++) {
		float t = x[i] * s;

		VQ_NOCONTRACT(t);
		out[i] = vq_u8_code(t, lo, inv);
	}
}

void vq_f32_minmax_unit(const float *x, u32 d, u32 *lo_bits, u32 *hi_bits)
{
	float lo = vq_u32_as_f(*lo_bits), hi = vq_u32_as_f(*hi_bits), s = vq_unit_scale(x, d);
	u32 i;

	if (s == 0.0f)
		return;		/* no direction: nothing to widen the range with */
	for (i = 0; i < d; i++) {
		float t = x[i] * s;

		if (!(t - t == 0.0f))
			continue;
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	*lo_bits = vq_f_as_u32(lo);
	*hi_bits = vq_f_as_u32(hi);
}

void vq_f32_minmax(const float *x, u32 d, u32 *lo_bits, u32 *hi_bits)
{
	float lo = vq_u32_as_f(*lo_bits), hi = vq_u32_as_f(*hi_bits);
	u32 i;

	for (i = 0; i < d; i++) {
		/* NaN and infinities are left out of the range */
		if (!(x[i] - x[i] == 0.0f))
			continue;
		if (x[i] < lo)
			lo = x[i];
		if (x[i] > hi)
			hi = x[i];
	}
	*lo_bits = vq_f_as_u32(lo);
	*hi_bits = vq_f_as_u32(hi);
}

u32 vq_u8_step(u32 lo_bits, u32 hi_bits)
{
	float span = vq_u32_as_f(hi_bits) - vq_u32_as_f(lo_bits);
	float step = span / 255.0f;

	/*
	 * one code per 1/255 of the range; a constant collection, a range too
	 * wide for binary32 or one so narrow that its step is no longer a
	 * positive normal number gets step 1
	 */
	return vq_f_as_u32(span > 0.0f && span - span == 0.0f && step >= 1.17549435e-38f ?
			   step : 1.0f);
}

void vq_u8_symmetric(u32 *lo_bits, u32 *hi_bits)
{
	float lo = vq_u32_as_f(*lo_bits), hi = vq_u32_as_f(*hi_bits);
	float m = -lo > hi ? -lo : hi;

	*lo_bits = vq_f_as_u32(-m);
	*hi_bits = vq_f_as_u32(m);
}

u32 vq_u8_hi(u32 lo_bits, u32 step_bits)
{
	return vq_f_as_u32(vq_u32_as_f(lo_bits) + 255.0f * vq_u32_as_f(step_bits));
}
