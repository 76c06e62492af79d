// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_avx512_simd.c - AVX-512 (F, BW, VL) scans of the quantization core:
 * float32, float16 and SQ8 distances, the scans whose speed is bounded by
 * memory bandwidth. Everything else keeps the AVX2 kernels (vq.c puts
 * these entries over the AVX2 table when the CPU and the OS support
 * AVX-512 state).
 *
 * Same rules as vq_avx2_simd.c: GCC vector types and target attributes,
 * no <immintrin.h>; in the kernel only between kernel_fpu_begin() and
 * kernel_fpu_end(). Tails are masked loads (lanes past the end read as 0
 * and never fault), so no scan reads a byte past its codes. The scans' float
 * sums use 16-lane accumulators and FMA: they differ from the scalar
 * reference (and from the AVX2 kernels) within the tolerance of
 * Documentation/quantization.rst. The multi-query f32 / f16 kernels are the
 * exception: they give the AVX2 single-query kernels' bits (see there).
 */
#include "vq_impl.h"

#if defined(__x86_64__) && !defined(__CHECKER__)

typedef float v16sf __attribute__((vector_size(64)));
typedef float v16sf_u __attribute__((vector_size(64), may_alias)) __aligned(1);
typedef float v8sf __attribute__((vector_size(32)));
typedef int v16si __attribute__((vector_size(64)));
typedef short v16hi __attribute__((vector_size(32)));
typedef float v8sf_u __attribute__((vector_size(32), may_alias)) __aligned(1);
typedef short v8hi __attribute__((vector_size(16)));
typedef short v8hi_u __attribute__((vector_size(16), may_alias)) __aligned(1);
typedef short v16hi_u __attribute__((vector_size(32), may_alias)) __aligned(1);
typedef char v16qi __attribute__((vector_size(16)));
typedef char v16qi_u __attribute__((vector_size(16), may_alias)) __aligned(1);

#define VQ_AVX512	__attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#define VQ_ROUND_CUR	4	/* _MM_FROUND_CUR_DIRECTION */

static __always_inline VQ_AVX512 v16sf vq_z16(void)
{
	return (v16sf) { 0 };
}

static __always_inline VQ_AVX512 v16sf vq_ld16(const float *p)
{
	return *(const v16sf_u *)p;
}

/* The floats at p whose bits are set in mask, zeros in the other lanes. */
static __always_inline VQ_AVX512 v16sf vq_ld16m(const float *p, u16 mask)
{
	return __builtin_ia32_loadups512_mask(p, vq_z16(), mask);
}

static __always_inline VQ_AVX512 v16sf vq_h2f(v16hi h)
{
	return __builtin_ia32_vcvtph2ps512_mask(h, vq_z16(), (u16)~0U, VQ_ROUND_CUR);
}

static __always_inline VQ_AVX512 v16sf vq_ld16h(const __le16 *p)
{
	return vq_h2f(*(const v16hi_u *)p);
}

static __always_inline VQ_AVX512 v16sf vq_ld16hm(const __le16 *p, u16 mask)
{
	return vq_h2f(__builtin_ia32_loaddquhi256_mask((const short *)p, (v16hi) { 0 }, mask));
}

static __always_inline VQ_AVX512 v16sf vq_b2f(v16qi b)
{
	return __builtin_convertvector(__builtin_ia32_pmovzxbd512_mask(b, (v16si) { 0 },
									(u16)~0U), v16sf);
}

/* 16 SQ8 codes (levels 0..255) at p -> 16 floats */
static __always_inline VQ_AVX512 v16sf vq_ld16c(const u8 *p)
{
	return vq_b2f(*(const v16qi_u *)p);
}

static __always_inline VQ_AVX512 v16sf vq_ld16cm(const u8 *p, u16 mask)
{
	return vq_b2f(__builtin_ia32_loaddquqi128_mask((const char *)p, (v16qi) { 0 }, mask));
}

/* Fixed order: the halves, then the 8-lane order of vq_avx2_simd.c. */
static __always_inline VQ_AVX512 float vq_hsum16(v16sf v)
{
	v8sf h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
		 __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);

	return ((h[0] + h[4]) + (h[1] + h[5])) + ((h[2] + h[6]) + (h[3] + h[7]));
}

static __always_inline u16 vq_tail_mask(u32 d)
{
	return (u16)((1U << (d & 15)) - 1);
}

/* ---- f32 ---------------------------------------------------------------- */

VQ_AVX512 static void vq_l2sq_f32_avx512(const float *q, const float *x, u32 d,
					  size_t n, float *out)
{
	u16 tm = vq_tail_mask(d);
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		v16sf a0 = vq_z16(), a1 = a0, a2 = a0, a3 = a0;

		for (i = 0; i + 64 <= d; i += 64) {
			v16sf t0 = vq_ld16(q + i) - vq_ld16(x + i);
			v16sf t1 = vq_ld16(q + i + 16) - vq_ld16(x + i + 16);
			v16sf t2 = vq_ld16(q + i + 32) - vq_ld16(x + i + 32);
			v16sf t3 = vq_ld16(q + i + 48) - vq_ld16(x + i + 48);

			a0 += t0 * t0;
			a1 += t1 * t1;
			a2 += t2 * t2;
			a3 += t3 * t3;
		}
		for (; i + 16 <= d; i += 16) {
			v16sf t0 = vq_ld16(q + i) - vq_ld16(x + i);

			a0 += t0 * t0;
		}
		if (tm) {
			v16sf t1 = vq_ld16m(q + i, tm) - vq_ld16m(x + i, tm);

			a1 += t1 * t1;
		}
		out[v] = vq_hsum16((a0 + a1) + (a2 + a3));
	}
}

VQ_AVX512 static void vq_ip_f32_avx512(const float *q, const float *x, u32 d,
					size_t n, float *out)
{
	u16 tm = vq_tail_mask(d);
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		v16sf a0 = vq_z16(), a1 = a0, a2 = a0, a3 = a0;

		for (i = 0; i + 64 <= d; i += 64) {
			a0 += vq_ld16(q + i) * vq_ld16(x + i);
			a1 += vq_ld16(q + i + 16) * vq_ld16(x + i + 16);
			a2 += vq_ld16(q + i + 32) * vq_ld16(x + i + 32);
			a3 += vq_ld16(q + i + 48) * vq_ld16(x + i + 48);
		}
		for (; i + 16 <= d; i += 16)
			a0 += vq_ld16(q + i) * vq_ld16(x + i);
		if (tm)
			a1 += vq_ld16m(q + i, tm) * vq_ld16m(x + i, tm);
		out[v] = vq_hsum16((a0 + a1) + (a2 + a3));
	}
}

VQ_AVX512 static void vq_cos_f32_avx512(const float *q, const float *x, u32 d,
					 size_t n, float *out)
{
	u16 tm = vq_tail_mask(d);
	float qq;
	size_t v;
	u32 i;

	vq_ip_f32_avx512(q, q, d, 1, &qq);
	for (v = 0; v < n; v++, x += d) {
		v16sf p0 = vq_z16(), p1 = p0, s0 = p0, s1 = p0;

		for (i = 0; i + 32 <= d; i += 32) {
			v16sf x0 = vq_ld16(x + i), x1 = vq_ld16(x + i + 16);

			p0 += vq_ld16(q + i) * x0;
			p1 += vq_ld16(q + i + 16) * x1;
			s0 += x0 * x0;
			s1 += x1 * x1;
		}
		for (; i + 16 <= d; i += 16) {
			v16sf x0 = vq_ld16(x + i);

			p0 += vq_ld16(q + i) * x0;
			s0 += x0 * x0;
		}
		if (tm) {
			v16sf x1 = vq_ld16m(x + i, tm);

			p1 += vq_ld16m(q + i, tm) * x1;
			s1 += x1 * x1;
		}
		out[v] = vq_cos_finish(vq_hsum16(p0 + p1), qq, vq_hsum16(s0 + s1));
	}
}

/* ---- f16 ---------------------------------------------------------------- */

VQ_AVX512 static void vq_l2sq_f16_avx512(const float *q, const __le16 *c, u32 d,
					  size_t n, float *out)
{
	u16 tm = vq_tail_mask(d);
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		v16sf a0 = vq_z16(), a1 = a0, a2 = a0, a3 = a0;

		for (i = 0; i + 64 <= d; i += 64) {
			v16sf t0 = vq_ld16(q + i) - vq_ld16h(c + i);
			v16sf t1 = vq_ld16(q + i + 16) - vq_ld16h(c + i + 16);
			v16sf t2 = vq_ld16(q + i + 32) - vq_ld16h(c + i + 32);
			v16sf t3 = vq_ld16(q + i + 48) - vq_ld16h(c + i + 48);

			a0 += t0 * t0;
			a1 += t1 * t1;
			a2 += t2 * t2;
			a3 += t3 * t3;
		}
		for (; i + 16 <= d; i += 16) {
			v16sf t0 = vq_ld16(q + i) - vq_ld16h(c + i);

			a0 += t0 * t0;
		}
		if (tm) {
			v16sf t1 = vq_ld16m(q + i, tm) - vq_ld16hm(c + i, tm);

			a1 += t1 * t1;
		}
		out[v] = vq_hsum16((a0 + a1) + (a2 + a3));
	}
}

VQ_AVX512 static void vq_ip_f16_avx512(const float *q, const __le16 *c, u32 d,
					size_t n, float *out)
{
	u16 tm = vq_tail_mask(d);
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		v16sf a0 = vq_z16(), a1 = a0, a2 = a0, a3 = a0;

		for (i = 0; i + 64 <= d; i += 64) {
			a0 += vq_ld16(q + i) * vq_ld16h(c + i);
			a1 += vq_ld16(q + i + 16) * vq_ld16h(c + i + 16);
			a2 += vq_ld16(q + i + 32) * vq_ld16h(c + i + 32);
			a3 += vq_ld16(q + i + 48) * vq_ld16h(c + i + 48);
		}
		for (; i + 16 <= d; i += 16)
			a0 += vq_ld16(q + i) * vq_ld16h(c + i);
		if (tm)
			a1 += vq_ld16m(q + i, tm) * vq_ld16hm(c + i, tm);
		out[v] = vq_hsum16((a0 + a1) + (a2 + a3));
	}
}

/* ---- multi-query f32 / f16 ---------------------------------------------- */

/*
 * Many queries against one vector (vq_f32_mq_scan, vq_f16_mq_scan), with the
 * bits of the AVX2 single-query kernels that single queries use
 * (vq_l2sq_f32_avx2 and the others of vq_avx2_simd.c). Those keep four
 * 8-lane sums a0..a3 over 32 floats per step; here a0|a1 and a2|a3 are the
 * halves of two 16-lane sums, so every lane makes the same operations in
 * the same order, in half the instructions. After the 32-float steps the
 * halves go on as the AVX2 kernel's a0..a3: 8-float steps into a0, the same
 * reduction, the same tail. VQ_MQ4 queries share each load of the vector.
 */
#define VQ_MQ4	4U

static __always_inline VQ_AVX512 v8sf vq_lo8(v16sf v)
{
	return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
}

static __always_inline VQ_AVX512 v8sf vq_hi8(v16sf v)
{
	return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}

static __always_inline VQ_AVX512 v8sf vq_ld8(const float *p)
{
	return *(const v8sf_u *)p;
}

static __always_inline VQ_AVX512 v8sf vq_ld8h(const __le16 *p)
{
	return __builtin_ia32_vcvtph2ps256(*(const v8hi_u *)p);
}

/* vq_hsum() of vq_avx2_simd.c */
static __always_inline VQ_AVX512 float vq_hsum8(v8sf v)
{
	return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

/*
 * (a0 + a1) + (a2 + a3) of two queries j, k (A = a0|a1, B = a2|a3 of each),
 * the eight lanes of j then those of k: the first step of a finish with no
 * 8-float steps left.
 */
static __always_inline VQ_AVX512 v16sf vq_sum01_23(v16sf Aj, v16sf Bj, v16sf Ak, v16sf Bk)
{
	return (__builtin_shufflevector(Aj, Ak, 0, 1, 2, 3, 4, 5, 6, 7,
					16, 17, 18, 19, 20, 21, 22, 23) +
		__builtin_shufflevector(Aj, Ak, 8, 9, 10, 11, 12, 13, 14, 15,
					24, 25, 26, 27, 28, 29, 30, 31)) +
	       (__builtin_shufflevector(Bj, Bk, 0, 1, 2, 3, 4, 5, 6, 7,
					16, 17, 18, 19, 20, 21, 22, 23) +
		__builtin_shufflevector(Bj, Bk, 8, 9, 10, 11, 12, 13, 14, 15,
					24, 25, 26, 27, 28, 29, 30, 31));
}

/*
 * The finish of two queries j, k with no 8-float steps left, the lanes of
 * both in one register: s[0], s[1] get vq_hsum8((a0 + a1) + (a2 + a3)) of
 * A = a0|a1, B = a2|a3 of each, every add with the operands of the scalar
 * order (v0 + v4, then (v0 + v4) + (v1 + v5), ...), a third of the work.
 */
static __always_inline VQ_AVX512 void vq_hsum8x2(v16sf Aj, v16sf Bj, v16sf Ak, v16sf Bk,
						  float *s)
{
	v16sf v = vq_sum01_23(Aj, Bj, Ak, Bk);	/* v of j | v of k */

	v = v + __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3,
					12, 13, 14, 15, 8, 9, 10, 11);
	v = v + __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6,
					9, 8, 11, 10, 13, 12, 15, 14);
	v = v + __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5,
					10, 11, 8, 9, 14, 15, 12, 13);
	s[0] = v[0];
	s[1] = v[8];
}

/*
 * vq_hsum8x2() of four pairs of queries at once, the finish of VQ_MQ4X2_BODY:
 * v0..v3 are vq_sum01_23() of x's queries 0, 1 and 2, 3 and of y's; each of
 * vq_hsum8()'s three levels then runs for four, eight and sixteen lanes of
 * results a register, with the operands of the scalar order (so the same
 * bits); sx[0..4) and sy[0..4) get the sums.
 */
static __always_inline VQ_AVX512 void vq_hsum8x8(v16sf v0, v16sf v1, v16sf v2, v16sf v3,
						  float *sx, float *sy)
{
	/* v_i + v_(i+4), i = 0..3, of four queries a register */
	v16sf w0 = __builtin_shufflevector(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11,
					   16, 17, 18, 19, 24, 25, 26, 27) +
		   __builtin_shufflevector(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15,
					   20, 21, 22, 23, 28, 29, 30, 31);
	v16sf w1 = __builtin_shufflevector(v2, v3, 0, 1, 2, 3, 8, 9, 10, 11,
					   16, 17, 18, 19, 24, 25, 26, 27) +
		   __builtin_shufflevector(v2, v3, 4, 5, 6, 7, 12, 13, 14, 15,
					   20, 21, 22, 23, 28, 29, 30, 31);
	/* (w0 + w1), (w2 + w3) of eight */
	v16sf u = __builtin_shufflevector(w0, w1, 0, 2, 4, 6, 8, 10, 12, 14,
					  16, 18, 20, 22, 24, 26, 28, 30) +
		  __builtin_shufflevector(w0, w1, 1, 3, 5, 7, 9, 11, 13, 15,
					  17, 19, 21, 23, 25, 27, 29, 31);
	/* their sum */
	v8sf r = __builtin_shufflevector(u, u, 0, 2, 4, 6, 8, 10, 12, 14) +
		 __builtin_shufflevector(u, u, 1, 3, 5, 7, 9, 11, 13, 15);

	memcpy(sx, &r, 4 * sizeof(float));
	memcpy(sy, (const float *)&r + 4, 4 * sizeof(float));
}

#define VQ_MQ_ACC(ip, acc, qv, xv) do {					\
	if (ip) {							\
		acc += (qv) * (xv);					\
	} else {							\
		typeof(acc) t_ = (qv) - (xv);				\
									\
		acc += t_ * t_;						\
	}								\
} while (0)

/* One query's finish: 8-float steps into a0, the reduction (s gets it). */
#define VQ_MQ_FINISH(LD8, x, ip, p, A, B, i, d, s) do {			\
	v8sf a0_ = vq_lo8(A), a1_ = vq_hi8(A);				\
	v8sf a2_ = vq_lo8(B), a3_ = vq_hi8(B);				\
	u32 k_;								\
									\
	for (k_ = (i); k_ + 8 <= (d); k_ += 8)				\
		VQ_MQ_ACC(ip, a0_, vq_ld8((p) + k_), LD8((x) + k_));	\
	s = vq_hsum8((a0_ + a1_) + (a2_ + a3_));			\
} while (0)

/*
 * The vector part of four queries (p0..p3) against the vector at x, whose
 * 16 / 8 floats at a pointer LD16 / LD8 load, spelled out so that the sums
 * stay in registers: the 32-float steps, then each query's finish up to the
 * last multiple of 8 of d; returns where the steps ended.
 */
#define VQ_MQ4_BODY(LD16, LD8, x, ip, p0, p1, p2, p3, d, s) ({		\
	v16sf A0 = vq_z16(), A1 = A0, A2 = A0, A3 = A0;			\
	v16sf B0 = A0, B1 = A0, B2 = A0, B3 = A0;			\
	u32 i_;								\
									\
	for (i_ = 0; i_ + 32 <= (d); i_ += 32) {			\
		v16sf x0_ = LD16((x) + i_), x1_ = LD16((x) + i_ + 16);	\
									\
		VQ_MQ_ACC(ip, A0, vq_ld16((p0) + i_), x0_);		\
		VQ_MQ_ACC(ip, B0, vq_ld16((p0) + i_ + 16), x1_);	\
		VQ_MQ_ACC(ip, A1, vq_ld16((p1) + i_), x0_);		\
		VQ_MQ_ACC(ip, B1, vq_ld16((p1) + i_ + 16), x1_);	\
		VQ_MQ_ACC(ip, A2, vq_ld16((p2) + i_), x0_);		\
		VQ_MQ_ACC(ip, B2, vq_ld16((p2) + i_ + 16), x1_);	\
		VQ_MQ_ACC(ip, A3, vq_ld16((p3) + i_), x0_);		\
		VQ_MQ_ACC(ip, B3, vq_ld16((p3) + i_ + 16), x1_);	\
	}								\
	if ((d) - i_ < 8) {						\
		vq_hsum8x2(A0, B0, A1, B1, (s));			\
		vq_hsum8x2(A2, B2, A3, B3, (s) + 2);			\
	} else {							\
		VQ_MQ_FINISH(LD8, x, ip, p0, A0, B0, i_, d, (s)[0]);	\
		VQ_MQ_FINISH(LD8, x, ip, p1, A1, B1, i_, d, (s)[1]);	\
		VQ_MQ_FINISH(LD8, x, ip, p2, A2, B2, i_, d, (s)[2]);	\
		VQ_MQ_FINISH(LD8, x, ip, p3, A3, B3, i_, d, (s)[3]);	\
	}								\
	i_ + ((d) - i_) / 8 * 8;					\
})

/* the tails as the single kernels write them (same contraction) */
static __always_inline VQ_AVX512 void vq_f32_tail(const float *p, const float *x, u32 i,
						  u32 d, bool ip, float *acc)
{
	for (; i < d; i++) {
		if (ip) {
			*acc += p[i] * x[i];
		} else {
			float t = p[i] - x[i];

			*acc += t * t;
		}
	}
}

static __always_inline VQ_AVX512 void vq_f16_tail(const float *p, const __le16 *c, u32 i,
						  u32 d, bool ip, float *acc)
{
	float tail;

	if (i < d) {
		(ip ? vq_ip_f16_ref : vq_l2sq_f16_ref)(p + i, c + i, d - i, 1, &tail);
		*acc += tail;
	}
}

/*
 * NAME(q, row, nq, x, d, metric, out), XDECL declaring x (f32 or f16): four
 * queries at a time, the metric a constant in each copy of the body; the
 * 1..3 left (and single queries) go to the AVX2 pairs, as fast there.
 */
#define VQ_MQ_FN(NAME, XDECL, LD16, LD8, TAIL, AVX2)			\
static __always_inline VQ_AVX512 void NAME##_m(const float *q, size_t row, u32 nq,	\
					       XDECL, u32 d, const bool ip,		\
					       float *out)				\
{										\
	u32 i, j, k;								\
										\
	for (j = 0; j + VQ_MQ4 <= nq; j += VQ_MQ4, q += VQ_MQ4 * row, out += VQ_MQ4) { \
		i = VQ_MQ4_BODY(LD16, LD8, x, ip, q, q + row, q + 2 * row,	\
				q + 3 * row, d, out);				\
		for (k = 0; k < VQ_MQ4; k++)					\
			TAIL(q + k * row, x, i, d, ip, out + k);		\
	}									\
	if (j < nq)								\
		AVX2(q, row, nq - j, x, d, ip ? VQ_METRIC_IP : VQ_METRIC_L2, out);	\
}										\
										\
VQ_AVX512 static void NAME(const float *q, size_t row, u32 nq, XDECL, u32 d,	\
			   unsigned int metric, float *out)			\
{										\
	if (metric == VQ_METRIC_IP)						\
		NAME##_m(q, row, nq, x, d, true, out);				\
	else									\
		NAME##_m(q, row, nq, x, d, false, out);				\
}

VQ_MQ_FN(vq_f32_mq_avx512, const float *x, vq_ld16, vq_ld8, vq_f32_tail, vq_ops_avx2.f32_mq)
VQ_MQ_FN(vq_f16_mq_avx512, const __le16 *x, vq_ld16h, vq_ld8h, vq_f16_tail, vq_ops_avx2.f16_mq)
#undef VQ_MQ_FN

/*
 * Two vectors x, y and four queries: each query load serves both vectors,
 * 12 loads for 16 multiply-adds where VQ_MQ4_BODY needs 20, so that the
 * pass is bound by the arithmetic instead of the loads (measured 2026-12-07
 * on Zen 5: 13% less time a pair at d 768). Every pair's sums are those of
 * VQ_MQ4_BODY, so its bits too.
 */
#define VQ_MQ4X2_BODY(LD16, LD8, x, y, ip, p0, p1, p2, p3, d, sx, sy) ({	\
	v16sf A0 = vq_z16(), A1 = A0, A2 = A0, A3 = A0;			\
	v16sf B0 = A0, B1 = A0, B2 = A0, B3 = A0;			\
	v16sf C0 = A0, C1 = A0, C2 = A0, C3 = A0;			\
	v16sf D0 = A0, D1 = A0, D2 = A0, D3 = A0;			\
	u32 i_;								\
									\
	for (i_ = 0; i_ + 32 <= (d); i_ += 32) {			\
		v16sf x0_ = LD16((x) + i_), x1_ = LD16((x) + i_ + 16);	\
		v16sf y0_ = LD16((y) + i_), y1_ = LD16((y) + i_ + 16);	\
		v16sf r_;						\
									\
		r_ = vq_ld16((p0) + i_);				\
		VQ_MQ_ACC(ip, A0, r_, x0_);				\
		VQ_MQ_ACC(ip, C0, r_, y0_);				\
		r_ = vq_ld16((p0) + i_ + 16);				\
		VQ_MQ_ACC(ip, B0, r_, x1_);				\
		VQ_MQ_ACC(ip, D0, r_, y1_);				\
		r_ = vq_ld16((p1) + i_);				\
		VQ_MQ_ACC(ip, A1, r_, x0_);				\
		VQ_MQ_ACC(ip, C1, r_, y0_);				\
		r_ = vq_ld16((p1) + i_ + 16);				\
		VQ_MQ_ACC(ip, B1, r_, x1_);				\
		VQ_MQ_ACC(ip, D1, r_, y1_);				\
		r_ = vq_ld16((p2) + i_);				\
		VQ_MQ_ACC(ip, A2, r_, x0_);				\
		VQ_MQ_ACC(ip, C2, r_, y0_);				\
		r_ = vq_ld16((p2) + i_ + 16);				\
		VQ_MQ_ACC(ip, B2, r_, x1_);				\
		VQ_MQ_ACC(ip, D2, r_, y1_);				\
		r_ = vq_ld16((p3) + i_);				\
		VQ_MQ_ACC(ip, A3, r_, x0_);				\
		VQ_MQ_ACC(ip, C3, r_, y0_);				\
		r_ = vq_ld16((p3) + i_ + 16);				\
		VQ_MQ_ACC(ip, B3, r_, x1_);				\
		VQ_MQ_ACC(ip, D3, r_, y1_);				\
	}								\
	if ((d) - i_ < 8) {						\
		vq_hsum8x8(vq_sum01_23(A0, B0, A1, B1),			\
			   vq_sum01_23(A2, B2, A3, B3),			\
			   vq_sum01_23(C0, D0, C1, D1),			\
			   vq_sum01_23(C2, D2, C3, D3), (sx), (sy));	\
	} else {							\
		VQ_MQ_FINISH(LD8, x, ip, p0, A0, B0, i_, d, (sx)[0]);	\
		VQ_MQ_FINISH(LD8, x, ip, p1, A1, B1, i_, d, (sx)[1]);	\
		VQ_MQ_FINISH(LD8, x, ip, p2, A2, B2, i_, d, (sx)[2]);	\
		VQ_MQ_FINISH(LD8, x, ip, p3, A3, B3, i_, d, (sx)[3]);	\
		VQ_MQ_FINISH(LD8, y, ip, p0, C0, D0, i_, d, (sy)[0]);	\
		VQ_MQ_FINISH(LD8, y, ip, p1, C1, D1, i_, d, (sy)[1]);	\
		VQ_MQ_FINISH(LD8, y, ip, p2, C2, D2, i_, d, (sy)[2]);	\
		VQ_MQ_FINISH(LD8, y, ip, p3, C3, D3, i_, d, (sy)[3]);	\
	}								\
	i_ + ((d) - i_) / 8 * 8;					\
})

/* NAME(q, row, nq, x, y, d, metric, ox, oy): VQ_MQ_FN's NAME for x and y */
#define VQ_MQ2_FN(NAME, XDECL, YDECL, LD16, LD8, TAIL, ONE)				\
static __always_inline VQ_AVX512 void NAME##_m(const float *q, size_t row, u32 nq,	\
					       XDECL, YDECL, u32 d,		\
					       const bool ip, float *ox, float *oy)	\
{										\
	u32 i, j, k;								\
										\
	for (j = 0; j + VQ_MQ4 <= nq; j += VQ_MQ4, q += VQ_MQ4 * row) {		\
		i = VQ_MQ4X2_BODY(LD16, LD8, x, y, ip, q, q + row, q + 2 * row,	\
				  q + 3 * row, d, ox + j, oy + j);		\
		for (k = 0; k < VQ_MQ4; k++) {					\
			TAIL(q + k * row, x, i, d, ip, ox + j + k);		\
			TAIL(q + k * row, y, i, d, ip, oy + j + k);		\
		}								\
	}									\
	if (j < nq) {								\
		ONE(q, row, nq - j, x, d, ip ? VQ_METRIC_IP : VQ_METRIC_L2, ox + j);	\
		ONE(q, row, nq - j, y, d, ip ? VQ_METRIC_IP : VQ_METRIC_L2, oy + j);	\
	}									\
}										\
										\
VQ_AVX512 static void NAME(const float *q, size_t row, u32 nq, XDECL, YDECL,	\
			   u32 d, unsigned int metric, float *ox, float *oy)	\
{										\
	if (metric == VQ_METRIC_IP)						\
		NAME##_m(q, row, nq, x, y, d, true, ox, oy);			\
	else									\
		NAME##_m(q, row, nq, x, y, d, false, ox, oy);			\
}

VQ_MQ2_FN(vq_f32_mq2_avx512, const float *x, const float *y, vq_ld16, vq_ld8, vq_f32_tail, vq_f32_mq_avx512)
VQ_MQ2_FN(vq_f16_mq2_avx512, const __le16 *x, const __le16 *y, vq_ld16h, vq_ld8h, vq_f16_tail, vq_f16_mq_avx512)
#undef VQ_MQ2_FN
#undef VQ_MQ4X2_BODY
#undef VQ_MQ4_BODY
#undef VQ_MQ_FINISH
#undef VQ_MQ_ACC

/* ---- SQ8 ---------------------------------------------------------------- */

/*
 * Two codes at once (c0, c1: far apart, as in the AVX2 kernel, so that
 * the two streams keep the hardware prefetchers going) share the loads of
 * the prepared query: L2 sums (a - b c)^2, IP sums a c (plus the bias).
 */
#define VQ_SQ8_STEP16(av, bv, f0, f1, xa, ya) do {			\
	v16sf av_ = (av), f0_ = (f0), f1_ = (f1);			\
									\
	if (ip) {							\
		xa += av_ * f0_;					\
		ya += av_ * f1_;					\
	} else {							\
		v16sf bv_ = (bv);					\
		v16sf t0_ = av_ - bv_ * f0_, t1_ = av_ - bv_ * f1_;	\
									\
		xa += t0_ * t0_;					\
		ya += t1_ * t1_;					\
	}								\
} while (0)
#define VQ_SQ8_FULL(j, xa, ya)						\
	VQ_SQ8_STEP16(vq_ld16(a + (j)), vq_ld16(b + (j)), vq_ld16c(c0 + (j)),	\
		      vq_ld16c(c1 + (j)), xa, ya)

static __always_inline VQ_AVX512 void vq_sq8_2_avx512(const float *a, const float *b,
						       u32 d, const u8 *c0, const u8 *c1,
						       bool ip, float bias, float *r0,
						       float *r1)
{
	v16sf x0 = vq_z16(), x1 = x0, x2 = x0, x3 = x0;
	v16sf y0 = x0, y1 = x0, y2 = x0, y3 = x0;
	u16 tm = vq_tail_mask(d);
	u32 i;

	for (i = 0; i + 64 <= d; i += 64) {
		VQ_SQ8_FULL(i, x0, y0);
		VQ_SQ8_FULL(i + 16, x1, y1);
		VQ_SQ8_FULL(i + 32, x2, y2);
		VQ_SQ8_FULL(i + 48, x3, y3);
	}
	for (; i + 16 <= d; i += 16)
		VQ_SQ8_FULL(i, x0, y0);
	if (tm)
		VQ_SQ8_STEP16(vq_ld16m(a + i, tm), vq_ld16m(b + i, tm), vq_ld16cm(c0 + i, tm),
			      vq_ld16cm(c1 + i, tm), x1, y1);
	*r0 = bias + vq_hsum16((x0 + x1) + (x2 + x3));
	*r1 = bias + vq_hsum16((y0 + y1) + (y2 + y3));
}
#undef VQ_SQ8_FULL
#undef VQ_SQ8_STEP16

static __always_inline VQ_AVX512 void vq_sq8_scan_pairs_avx512(const struct vq_sq_query *qq,
								const u8 *c, size_t n,
								float *out, bool ip)
{
	size_t nb = qq->d, h = n / 2, v;
	float bias = ip ? qq->bias : 0.0f, spare;
	const u8 *c1 = c + h * nb;

	for (v = 0; v < h; v++)
		vq_sq8_2_avx512(qq->a, qq->b, qq->d, c + v * nb, c1 + v * nb, ip, bias,
				&out[v], &out[h + v]);
	if (n & 1)
		vq_sq8_2_avx512(qq->a, qq->b, qq->d, c + (n - 1) * nb, c + (n - 1) * nb, ip,
				bias, &out[n - 1], &spare);
}

VQ_AVX512 static noinline void vq_sq8_scan_l2_avx512(const struct vq_sq_query *qq,
						      const u8 *c, size_t n, float *out)
{
	vq_sq8_scan_pairs_avx512(qq, c, n, out, false);
}

VQ_AVX512 static noinline void vq_sq8_scan_ip_avx512(const struct vq_sq_query *qq,
						      const u8 *c, size_t n, float *out)
{
	vq_sq8_scan_pairs_avx512(qq, c, n, out, true);
}

/*
 * Two prepared IP queries against one code (vq_sq_mq_scan): per query the
 * terms and order of the n = 1 scan (vq_sq8_2_avx512's x half, the code
 * paired with itself), the code's loads and conversions shared.
 */
VQ_AVX512 static noinline void vq_sq8_ip_mq_avx512(const struct vq_sq_query *qq, u32 nq,
						    const u8 *c, float *out)
{
	u32 d = qq->d, i, j;
	u16 tm = vq_tail_mask(d);

	for (j = 0; j + 2 <= nq; j += 2) {
		const float *a = qq[j].a, *b = qq[j + 1].a;
		v16sf x0 = vq_z16(), x1 = x0, x2 = x0, x3 = x0;
		v16sf y0 = x0, y1 = x0, y2 = x0, y3 = x0;

#define VQ_SQ8_MQ16(k, xa, ya) do {					\
	v16sf f_ = vq_ld16c(c + (k));					\
									\
	xa += vq_ld16(a + (k)) * f_;					\
	ya += vq_ld16(b + (k)) * f_;					\
} while (0)
		for (i = 0; i + 64 <= d; i += 64) {
			VQ_SQ8_MQ16(i, x0, y0);
			VQ_SQ8_MQ16(i + 16, x1, y1);
			VQ_SQ8_MQ16(i + 32, x2, y2);
			VQ_SQ8_MQ16(i + 48, x3, y3);
		}
		for (; i + 16 <= d; i += 16)
			VQ_SQ8_MQ16(i, x0, y0);
#undef VQ_SQ8_MQ16
		if (tm) {
			v16sf f = vq_ld16cm(c + i, tm);

			x1 += vq_ld16m(a + i, tm) * f;
			y1 += vq_ld16m(b + i, tm) * f;
		}
		out[j] = qq[j].bias + vq_hsum16((x0 + x1) + (x2 + x3));
		out[j + 1] = qq[j + 1].bias + vq_hsum16((y0 + y1) + (y2 + y3));
	}
	if (j < nq)
		vq_sq8_scan_ip_avx512(qq + j, c, 1, out + j);
}

VQ_AVX512 static void vq_sq8_scan_avx512(const struct vq_sq_query *qq, const u8 *c,
					  size_t n, float *out)
{
	if (qq->metric == VQ_METRIC_IP)
		vq_sq8_scan_ip_avx512(qq, c, n, out);
	else
		vq_sq8_scan_l2_avx512(qq, c, n, out);
}

/* Only the entries this file has; vq_select_impl() takes the rest from AVX2. */
const struct vq_ops vq_ops_avx512 = {
	.name = "avx512",
	.impl = VQ_IMPL_AVX512,
	.l2sq_f32 = vq_l2sq_f32_avx512,
	.ip_f32 = vq_ip_f32_avx512,
	.cos_f32 = vq_cos_f32_avx512,
	.l2sq_f16 = vq_l2sq_f16_avx512,
	.ip_f16 = vq_ip_f16_avx512,
	.sq8_scan = vq_sq8_scan_avx512,
	.l2sq_u8 = vq_l2sq_u8_avx512,
	.ipkey_u8 = vq_ipkey_u8_avx512,
	.sq8_ip_mq = vq_sq8_ip_mq_avx512,
	.f32_mq = vq_f32_mq_avx512,
	.f16_mq = vq_f16_mq_avx512,
	.f32_mq2 = vq_f32_mq2_avx512,
	.f16_mq2 = vq_f16_mq2_avx512,
};

#endif /* __x86_64__ */
