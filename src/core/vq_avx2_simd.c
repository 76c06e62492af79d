// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_avx2_simd.c - AVX2/FMA/F16C/POPCNT kernels of the quantization core.
 *
 * Written with GCC vector types and target attributes (no <immintrin.h>,
 * which x86 kernel builds cannot use), so the same source builds into
 * vexfs.ko and natively. FPU file: in the kernel, call only between
 * kernel_fpu_begin() and kernel_fpu_end(), and only when the CPU has the
 * features vq_select_impl() checked.
 *
 * Integer results (codes, PQ centroid choices, Hamming distances) are
 * bit-identical to vq_scalar_simd.c. Float sums use 8-lane accumulators
 * and FMA, so they differ from the scalar reference within the tolerance
 * documented in Documentation/quantization.rst.
 */
#include "vq_impl.h"

/* sparse cannot parse GCC vector builtins: it checks everything else. */
#if defined(__x86_64__) && !defined(__CHECKER__)

typedef float v8sf __attribute__((vector_size(32)));
typedef float v8sf_u __attribute__((vector_size(32), may_alias)) __aligned(1);
typedef int v8si __attribute__((vector_size(32)));
typedef short v8hi __attribute__((vector_size(16)));
typedef short v8hi_u __attribute__((vector_size(16), may_alias)) __aligned(1);
typedef unsigned char v16qu __attribute__((vector_size(16)));
typedef unsigned char v16qu_u __attribute__((vector_size(16), may_alias)) __aligned(1);
typedef char v16qi __attribute__((vector_size(16)));
typedef char v32qi __attribute__((vector_size(32)));
typedef short v16hi __attribute__((vector_size(32)));
typedef long long v2di __attribute__((vector_size(16)));
typedef unsigned int v8su __attribute__((vector_size(32)));
typedef int v8si_u __attribute__((vector_size(32), may_alias)) __aligned(1);
typedef float v4sf __attribute__((vector_size(16)));

#define VQ_AVX2		__attribute__((target("avx2,fma")))
#define VQ_F16C		__attribute__((target("avx2,fma,f16c")))
#define VQ_POPCNT	__attribute__((target("avx2,popcnt")))

static __always_inline VQ_AVX2 v8sf vq_ld(const float *p)
{
	return *(const v8sf_u *)p;
}

static __always_inline VQ_AVX2 void vq_st(float *p, v8sf v)
{
	*(v8sf_u *)p = v;
}

static __always_inline VQ_AVX2 v8sf vq_set1(float f)
{
	v8sf v = { f, f, f, f, f, f, f, f };

	return v;
}

static __always_inline VQ_AVX2 float vq_hsum(v8sf v)
{
	return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

/* Low 8 bytes of a vector -> 8 floats (VPMOVZXBD + VCVTDQ2PS) */
static __always_inline VQ_AVX2 v8sf vq_u8x8v(v16qu b)
{
	return __builtin_convertvector(__builtin_ia32_pmovzxbd256((v16qi)b),
				       v8sf);
}

/* 8 code bytes at p -> 8 floats */
static __always_inline VQ_AVX2 v8sf vq_u8x8(const u8 *p)
{
	u64 t;
	v2di w;

	memcpy(&t, p, 8);
	w = (v2di){ (long long)t, 0 };
	return vq_u8x8v((v16qu)w);
}

/*
 * Four vectors of levels (each lane 0..255) -> 32 bytes in lane order:
 * the two packs interleave 128-bit halves, VPERMD puts them back.
 */
static __always_inline VQ_AVX2 void vq_pack32(u8 *out, v8si l0, v8si l1, v8si l2, v8si l3)
{
	v16hi p01 = __builtin_ia32_packssdw256(l0, l1);
	v16hi p23 = __builtin_ia32_packssdw256(l2, l3);
	v32qi b = __builtin_ia32_packuswb256(p01, p23);
	v8si r = __builtin_ia32_permvarsi256((v8si)b,
					     (v8si){ 0, 4, 1, 5, 2, 6, 3, 7 });

	memcpy(out, &r, 32);
}

/* ---- f32 ---------------------------------------------------------------- */

VQ_AVX2 static void vq_l2sq_f32_avx2(const float *q, const float *x, u32 d,
				      size_t n, float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		float acc;

		for (i = 0; i + 32 <= d; i += 32) {
			v8sf t0 = vq_ld(q + i) - vq_ld(x + i);
			v8sf t1 = vq_ld(q + i + 8) - vq_ld(x + i + 8);
			v8sf t2 = vq_ld(q + i + 16) - vq_ld(x + i + 16);
			v8sf t3 = vq_ld(q + i + 24) - vq_ld(x + i + 24);

			a0 += t0 * t0;
			a1 += t1 * t1;
			a2 += t2 * t2;
			a3 += t3 * t3;
		}
		for (; i + 8 <= d; i += 8) {
			v8sf t0 = vq_ld(q + i) - vq_ld(x + i);

			a0 += t0 * t0;
		}
		acc = vq_hsum((a0 + a1) + (a2 + a3));
		for (; i < d; i++) {
			float t = q[i] - x[i];

			acc += t * t;
		}
		out[v] = acc;
	}
}

VQ_AVX2 static void vq_ip_f32_avx2(const float *q, const float *x, u32 d,
				    size_t n, float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		float acc;

		for (i = 0; i + 32 <= d; i += 32) {
			a0 += vq_ld(q + i) * vq_ld(x + i);
			a1 += vq_ld(q + i + 8) * vq_ld(x + i + 8);
			a2 += vq_ld(q + i + 16) * vq_ld(x + i + 16);
			a3 += vq_ld(q + i + 24) * vq_ld(x + i + 24);
		}
		for (; i + 8 <= d; i += 8)
			a0 += vq_ld(q + i) * vq_ld(x + i);
		acc = vq_hsum((a0 + a1) + (a2 + a3));
		for (; i < d; i++)
			acc += q[i] * x[i];
		out[v] = acc;
	}
}

VQ_AVX2 static void vq_cos_f32_avx2(const float *q, const float *x, u32 d,
				     size_t n, float *out)
{
	float qq;
	size_t v;
	u32 i;

	vq_ip_f32_avx2(q, q, d, 1, &qq);
	for (v = 0; v < n; v++, x += d) {
		v8sf p0 = vq_set1(0), p1 = p0, s0 = p0, s1 = p0;
		float ip, xx;

		for (i = 0; i + 16 <= d; i += 16) {
			v8sf x0 = vq_ld(x + i), x1 = vq_ld(x + i + 8);

			p0 += vq_ld(q + i) * x0;
			p1 += vq_ld(q + i + 8) * x1;
			s0 += x0 * x0;
			s1 += x1 * x1;
		}
		for (; i + 8 <= d; i += 8) {
			v8sf x0 = vq_ld(x + i);

			p0 += vq_ld(q + i) * x0;
			s0 += x0 * x0;
		}
		ip = vq_hsum(p0 + p1);
		xx = vq_hsum(s0 + s1);
		for (; i < d; i++) {
			ip += q[i] * x[i];
			xx += x[i] * x[i];
		}
		out[v] = vq_cos_finish(ip, qq, xx);
	}
}

/* ---- f16 ---------------------------------------------------------------- */

static __always_inline VQ_F16C v8sf vq_ld_f16(const __le16 *p)
{
	return __builtin_ia32_vcvtph2ps256(*(const v8hi_u *)p);
}

VQ_F16C static void vq_f16_encode_avx2(const float *x, __le16 *out, size_t cnt)
{
	size_t i;

	for (i = 0; i + 8 <= cnt; i += 8)
		*(v8hi_u *)(out + i) = __builtin_ia32_vcvtps2ph256(vq_ld(x + i), 0);
	if (i < cnt)
		vq_f16_encode_ref(x + i, out + i, cnt - i);
}

VQ_F16C static void vq_f16_decode_avx2(const __le16 *in, float *x, size_t cnt)
{
	size_t i;

	for (i = 0; i + 8 <= cnt; i += 8)
		vq_st(x + i, vq_ld_f16(in + i));
	if (i < cnt)
		vq_f16_decode_ref(in + i, x + i, cnt - i);
}

VQ_F16C static void vq_l2sq_f16_avx2(const float *q, const __le16 *c, u32 d,
				      size_t n, float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		float acc;

		for (i = 0; i + 32 <= d; i += 32) {
			v8sf t0 = vq_ld(q + i) - vq_ld_f16(c + i);
			v8sf t1 = vq_ld(q + i + 8) - vq_ld_f16(c + i + 8);
			v8sf t2 = vq_ld(q + i + 16) - vq_ld_f16(c + i + 16);
			v8sf t3 = vq_ld(q + i + 24) - vq_ld_f16(c + i + 24);

			a0 += t0 * t0;
			a1 += t1 * t1;
			a2 += t2 * t2;
			a3 += t3 * t3;
		}
		for (; i + 8 <= d; i += 8) {
			v8sf t0 = vq_ld(q + i) - vq_ld_f16(c + i);

			a0 += t0 * t0;
		}
		acc = vq_hsum((a0 + a1) + (a2 + a3));
		if (i < d) {
			float tail;

			vq_l2sq_f16_ref(q + i, c + i, d - i, 1, &tail);
			acc += tail;
		}
		out[v] = acc;
	}
}

VQ_F16C static void vq_ip_f16_avx2(const float *q, const __le16 *c, u32 d,
				    size_t n, float *out)
{
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, c += d) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		float acc;

		for (i = 0; i + 32 <= d; i += 32) {
			a0 += vq_ld(q + i) * vq_ld_f16(c + i);
			a1 += vq_ld(q + i + 8) * vq_ld_f16(c + i + 8);
			a2 += vq_ld(q + i + 16) * vq_ld_f16(c + i + 16);
			a3 += vq_ld(q + i + 24) * vq_ld_f16(c + i + 24);
		}
		for (; i + 8 <= d; i += 8)
			a0 += vq_ld(q + i) * vq_ld_f16(c + i);
		acc = vq_hsum((a0 + a1) + (a2 + a3));
		if (i < d) {
			float tail;

			vq_ip_f16_ref(q + i, c + i, d - i, 1, &tail);
			acc += tail;
		}
		out[v] = acc;
	}
}

/*
 * Multi-query kernels (vq_f32_mq_scan): two queries per pass against one
 * vector, each query with exactly the operations of its single-query
 * kernel above, in the same order, so the bits are equal; the vector's
 * loads (and f16 conversions) are shared by the two.
 */
#define VQ_MQ_ACC(ip, acc, qv, xv) do {					\
	if (ip) {							\
		acc += (qv) * (xv);					\
	} else {							\
		v8sf t_ = (qv) - (xv);					\
									\
		acc += t_ * t_;						\
	}								\
} while (0)

/*
 * The vector part shared by the f32 and f16 kernels: queries p and r
 * against the vector whose 8 floats at dimension k LD(k) loads, over the
 * dimensions up to the last multiple of 8 (i ends there); s and t get the
 * reduced sums, the caller adds the tail.
 */
#define VQ_MQ_PAIR(LD, ip, p, r, d, i, s, t) do {			\
	v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;		\
	v8sf b0 = a0, b1 = a0, b2 = a0, b3 = a0;			\
									\
	for (i = 0; i + 32 <= (d); i += 32) {				\
		v8sf x0 = LD(i), x1 = LD(i + 8);			\
		v8sf x2 = LD(i + 16), x3 = LD(i + 24);			\
									\
		VQ_MQ_ACC(ip, a0, vq_ld((p) + i), x0);			\
		VQ_MQ_ACC(ip, a1, vq_ld((p) + i + 8), x1);		\
		VQ_MQ_ACC(ip, a2, vq_ld((p) + i + 16), x2);		\
		VQ_MQ_ACC(ip, a3, vq_ld((p) + i + 24), x3);		\
		VQ_MQ_ACC(ip, b0, vq_ld((r) + i), x0);			\
		VQ_MQ_ACC(ip, b1, vq_ld((r) + i + 8), x1);		\
		VQ_MQ_ACC(ip, b2, vq_ld((r) + i + 16), x2);		\
		VQ_MQ_ACC(ip, b3, vq_ld((r) + i + 24), x3);		\
	}								\
	for (; i + 8 <= (d); i += 8) {					\
		v8sf x0 = LD(i);					\
									\
		VQ_MQ_ACC(ip, a0, vq_ld((p) + i), x0);			\
		VQ_MQ_ACC(ip, b0, vq_ld((r) + i), x0);			\
	}								\
	s = vq_hsum((a0 + a1) + (a2 + a3));				\
	t = vq_hsum((b0 + b1) + (b2 + b3));				\
} while (0)

VQ_AVX2 static void vq_f32_mq_avx2(const float *q, size_t row, u32 nq,
				    const float *x, u32 d, unsigned int metric,
				    float *out)
{
	bool ip = metric == VQ_METRIC_IP;
	u32 j, i, k;

#define VQ_LD_X(k)	vq_ld(x + (k))
	for (j = 0; j + 2 <= nq; j += 2, q += 2 * row) {
		const float *p = q, *r = q + row;
		float s, t;

		VQ_MQ_PAIR(VQ_LD_X, ip, p, r, d, i, s, t);
		/* the tails as the single kernels write them (same contraction) */
		if (ip) {
			for (k = i; k < d; k++)
				s += p[k] * x[k];
			for (k = i; k < d; k++)
				t += r[k] * x[k];
		} else {
			for (k = i; k < d; k++) {
				float u = p[k] - x[k];

				s += u * u;
			}
			for (k = i; k < d; k++) {
				float w = r[k] - x[k];

				t += w * w;
			}
		}
		out[j] = s;
		out[j + 1] = t;
	}
#undef VQ_LD_X
	if (j < nq)
		(ip ? vq_ip_f32_avx2 : vq_l2sq_f32_avx2)(q, x, d, 1, out + j);
}

VQ_F16C static void vq_f16_mq_avx2(const float *q, size_t row, u32 nq,
				    const __le16 *c, u32 d, unsigned int metric,
				    float *out)
{
	bool ip = metric == VQ_METRIC_IP;
	void (*tail)(const float *q, const __le16 *c, u32 d, size_t n, float *out) =
		ip ? vq_ip_f16_ref : vq_l2sq_f16_ref;
	u32 j, i;

#define VQ_LD_C(k)	vq_ld_f16(c + (k))
	for (j = 0; j + 2 <= nq; j += 2, q += 2 * row) {
		const float *p = q, *r = q + row;
		float s, t;

		VQ_MQ_PAIR(VQ_LD_C, ip, p, r, d, i, s, t);
		if (i < d) {
			float u, w;

			tail(p + i, c + i, d - i, 1, &u);
			tail(r + i, c + i, d - i, 1, &w);
			s += u;
			t += w;
		}
		out[j] = s;
		out[j + 1] = t;
	}
#undef VQ_LD_C
	if (j < nq)
		(ip ? vq_ip_f16_avx2 : vq_l2sq_f16_avx2)(q, c, d, 1, out + j);
}
#undef VQ_MQ_PAIR
#undef VQ_MQ_ACC

/* ---- SQ8 / SQ4 ---------------------------------------------------------- */

/* Same operations as vq_sq_level(): MAXPS/MINPS keep NaN handling equal. */
static __always_inline VQ_AVX2 v8si vq_sq_level8(v8sf x, v8sf vmin, v8sf step, v8sf maxl)
{
	v8sf t = (x - vmin) / step;

	t = __builtin_ia32_maxps256(t, vq_set1(0.0f));
	t = __builtin_ia32_minps256(t, maxl);
	t += vq_set1(VQ_RND_MAGIC);
	return (v8si)t - (v8si){ VQ_RND_MAGIC_BITS, VQ_RND_MAGIC_BITS,
		VQ_RND_MAGIC_BITS, VQ_RND_MAGIC_BITS, VQ_RND_MAGIC_BITS,
		VQ_RND_MAGIC_BITS, VQ_RND_MAGIC_BITS, VQ_RND_MAGIC_BITS };
}

VQ_AVX2 static void vq_sq8_encode_avx2(const struct vq_sq *sq, const float *x,
					u8 *out, size_t n)
{
	const float *vmin = sq->vmin, *step = sq->step;
	v8sf maxl = vq_set1(255.0f);
	u32 d = sq->d, i;
	size_t v;

	for (v = 0; v < n; v++, x += d, out += d) {
		for (i = 0; i + 32 <= d; i += 32) {
			v8si l[4];
			u32 u;

			for (u = 0; u < 4; u++)
				l[u] = vq_sq_level8(vq_ld(x + i + 8 * u),
						    vq_ld(vmin + i + 8 * u),
						    vq_ld(step + i + 8 * u), maxl);
			vq_pack32(out + i, l[0], l[1], l[2], l[3]);
		}
		for (; i < d; i++)
			out[i] = (u8)vq_sq_level(x[i], vmin[i], step[i], 255.0f);
	}
}

VQ_AVX2 static void vq_sq4_encode_avx2(const struct vq_sq *sq, const float *x,
					u8 *out, size_t n)
{
	const float *vmin = sq->vmin, *step = sq->step;
	v8sf maxl = vq_set1(15.0f);
	u32 d = sq->d, nb = (d + 1) / 2, t = d & ~15U, i, u;
	struct vq_sq tail = *sq;
	size_t v;

	/* Full blocks of 16: byte j = level(j) | level(j + 8) << 4. */
	tail.d = d - t;
	tail.vmin = vmin + t;
	tail.step = step + t;
	for (v = 0; v < n; v++, x += d, out += nb) {
		for (i = 0; i < t; i += 64) {
			v8si b[4] = { { 0 }, { 0 }, { 0 }, { 0 } };
			u8 tmp[32];

			for (u = 0; u < 4 && i + 16 * u < t; u++) {
				u32 o = i + 16 * u;
				v8si l0 = vq_sq_level8(vq_ld(x + o), vq_ld(vmin + o),
						       vq_ld(step + o), maxl);
				v8si l1 = vq_sq_level8(vq_ld(x + o + 8),
						       vq_ld(vmin + o + 8),
						       vq_ld(step + o + 8), maxl);

				b[u] = l0 | (l1 << 4);
			}
			if (u == 4) {
				vq_pack32(out + i / 2, b[0], b[1], b[2], b[3]);
			} else {
				vq_pack32(tmp, b[0], b[1], b[2], b[3]);
				memcpy(out + i / 2, tmp, 8 * u);
			}
		}
		if (t < d)
			vq_sq4_encode_ref(&tail, x + t, out + t / 2, 1);
	}
}

/*
 * SQ8 and SQ4 scans take two codes per pass so that the weight loads are
 * shared (with one code per pass, three loads per 8 dimensions were the
 * limit), and pair code v with code v + n/2: two sequential streams that
 * the hardware prefetchers follow (adjacent codes as pairs made them
 * restart at every pair). A pass leaves one vector of partial sums per
 * code; eight passes are reduced together (vq_hsum8), because reducing
 * each pass at once exposed the reduction latency (about 15 cycles per
 * code). The terms are those of the reference, summed in another order.
 */
/* Lane j of the result = sum of the lanes of v[j]. */
static __always_inline VQ_AVX2 v8sf vq_hsum8(const v8sf *v)
{
	v8sf t0 = __builtin_ia32_haddps256(v[0], v[1]);
	v8sf t1 = __builtin_ia32_haddps256(v[2], v[3]);
	v8sf t2 = __builtin_ia32_haddps256(v[4], v[5]);
	v8sf t3 = __builtin_ia32_haddps256(v[6], v[7]);
	v8sf u0 = __builtin_ia32_haddps256(t0, t1);	/* 0 1 2 3 | 0 1 2 3 */
	v8sf u1 = __builtin_ia32_haddps256(t2, t3);	/* 4 5 6 7 | 4 5 6 7 */

	return __builtin_ia32_vperm2f128_ps256(u0, u1, 0x20) +
	       __builtin_ia32_vperm2f128_ps256(u0, u1, 0x31);
}

static __always_inline VQ_AVX2 float vq_hsum1(v8sf x)
{
	v4sf l = __builtin_ia32_vextractf128_ps256(x, 0);
	v4sf u = __builtin_ia32_vextractf128_ps256(x, 1);

	l += u;
	return (l[0] + l[1]) + (l[2] + l[3]);
}

/* One group of 8 dimensions of two SQ8 codes (weights at a/b + j). */
#define VQ_SQ8_STEP(j, xa, ya) do {					\
	v8sf av_ = vq_ld(a + (j));					\
	v8sf f0_ = vq_u8x8(c0 + (j)), f1_ = vq_u8x8(c1 + (j));		\
									\
	if (ip) {							\
		xa += av_ * f0_;					\
		ya += av_ * f1_;					\
	} else {							\
		v8sf bv_ = vq_ld(b + (j));				\
		v8sf t0_ = av_ - bv_ * f0_, t1_ = av_ - bv_ * f1_;	\
									\
		xa += t0_ * t0_;					\
		ya += t1_ * t1_;					\
	}								\
} while (0)

/* Partial sums of two SQ8 codes (lanes of *x, *y add up to the sums). */
static __always_inline VQ_AVX2 void vq_sq8_2(const float *a, const float *b,
					      u32 d, const u8 *c0,
					      const u8 *c1, bool ip, v8sf *x,
					      v8sf *y)
{
	v8sf x0 = vq_set1(0), x1 = x0, x2 = x0, x3 = x0;
	v8sf y0 = x0, y1 = x0, y2 = x0, y3 = x0;
	float s0 = 0.0f, s1 = 0.0f;
	u32 i;

	for (i = 0; i + 32 <= d; i += 32) {
		VQ_SQ8_STEP(i, x0, y0);
		VQ_SQ8_STEP(i + 8, x1, y1);
		VQ_SQ8_STEP(i + 16, x2, y2);
		VQ_SQ8_STEP(i + 24, x3, y3);
	}
	for (; i + 8 <= d; i += 8)
		VQ_SQ8_STEP(i, x0, y0);
	for (; i < d; i++) {
		float l0 = (float)c0[i], l1 = (float)c1[i];

		if (ip) {
			s0 += a[i] * l0;
			s1 += a[i] * l1;
		} else {
			float t0 = a[i] - b[i] * l0, t1 = a[i] - b[i] * l1;

			s0 += t0 * t0;
			s1 += t1 * t1;
		}
	}
	{
		v8sf e0 = { s0 }, e1 = { s1 };

		x0 += e0;
		y0 += e1;
	}
	*x = (x0 + x1) + (x2 + x3);
	*y = (y0 + y1) + (y2 + y3);
}

/* 8 code bytes of an SQ4 block -> levels of dimensions 0..7 and 8..15 */
static __always_inline VQ_AVX2 void vq_sq4_block(const u8 *c, v8sf *lo,
						  v8sf *hi)
{
	u64 t;
	v2di w;
	v8si b;

	memcpy(&t, c, 8);
	w = (v2di){ (long long)t, 0 };
	b = __builtin_ia32_pmovzxbd256((v16qi)w);
	*lo = __builtin_convertvector(b & 15, v8sf);
	*hi = __builtin_convertvector(b >> 4, v8sf);
}

static __always_inline VQ_AVX2 v8si vq_set1i(int x)
{
	v8si v = { x, x, x, x, x, x, x, x };

	return v;
}

/*
 * One step of a 64-dimension chunk of two SQ4 codes: w0, w1 hold the code
 * words (for k >= 4, the words 2 bytes further on); m is 0xF << 4(k & 3),
 * so (w & m) is the level times 2^(4(k & 3)) and the weights at ap/bp + 8k
 * carry 2^-4(k & 3) (vq_sq4_slot()). Per 8 dimensions and code: AND,
 * convert, and one FMA (IP) or two (L2); no shifts.
 */
#define VQ_SQ4_STEP(k, m, xa, ya) do {					\
	v8sf av_ = vq_ld(ap + 8 * (k));					\
	v8sf f0_ = __builtin_convertvector(w0 & (m), v8sf);		\
	v8sf f1_ = __builtin_convertvector(w1 & (m), v8sf);		\
									\
	if (ip) {							\
		xa += av_ * f0_;					\
		ya += av_ * f1_;					\
	} else {							\
		v8sf bv_ = vq_ld(bp + 8 * (k));				\
		v8sf t0_ = av_ - bv_ * f0_, t1_ = av_ - bv_ * f1_;	\
									\
		xa += t0_ * t0_;					\
		ya += t1_ * t1_;					\
	}								\
} while (0)

/*
 * Partial sums of two SQ4 codes. The weight loads and the four masks are
 * shared, three accumulators per code cover the FMA latency. The high
 * half of each chunk comes from a second load 2 bytes on (a shift costs
 * more here), which reads up to 2 bytes past the last chunk: the caller
 * passes safe = true when that would leave the code array.
 */
static __always_inline VQ_AVX2 void vq_sq4_2(const struct vq_sq_query *qq,
					      const float *a, const float *b,
					      u32 d, const u8 *c0, const u8 *c1,
					      bool ip, bool safe, v8sf *x,
					      v8sf *y)
{
	const float *ap = a, *bp = b;
	u32 t64 = d & ~63U, t16 = d & ~15U, i;
	const u8 *p0 = c0, *p1 = c1, *end = c0 + t64 / 2;
	v8si m0 = vq_set1i(0xf), m1 = vq_set1i(0xf0);
	v8si m2 = vq_set1i(0xf00), m3 = vq_set1i(0xf000);
	v8sf x0 = vq_set1(0), x1 = x0, x2 = x0, y0 = x0, y1 = x0, y2 = x0;

	for (; p0 < end; p0 += 32, p1 += 32, ap += 64, bp += 64) {
		v8si w0 = *(const v8si_u *)p0;
		v8si w1 = *(const v8si_u *)p1;

		VQ_SQ4_STEP(0, m0, x0, y0);
		VQ_SQ4_STEP(1, m1, x1, y1);
		VQ_SQ4_STEP(2, m2, x2, y2);
		VQ_SQ4_STEP(3, m3, x0, y0);
		if (safe) {
			w0 = (v8si)((v8su)w0 >> 16);
			w1 = (v8si)((v8su)w1 >> 16);
		} else {
			w0 = *(const v8si_u *)(p0 + 2);
			w1 = *(const v8si_u *)(p1 + 2);
		}
		VQ_SQ4_STEP(4, m0, x1, y1);
		VQ_SQ4_STEP(5, m1, x2, y2);
		VQ_SQ4_STEP(6, m2, x0, y0);
		VQ_SQ4_STEP(7, m3, x1, y1);
	}
	/* whole 16-dimension blocks after the chunks: natural slot order */
	for (i = t64; i < t16; i += 16) {
		v8sf a0 = vq_ld(a + i), a1 = vq_ld(a + i + 8);
		v8sf l0, h0, l1, h1;

		vq_sq4_block(c0 + i / 2, &l0, &h0);
		vq_sq4_block(c1 + i / 2, &l1, &h1);
		if (ip) {
			x0 += a0 * l0;
			x1 += a1 * h0;
			y0 += a0 * l1;
			y1 += a1 * h1;
		} else {
			v8sf b0 = vq_ld(b + i), b1 = vq_ld(b + i + 8);
			v8sf t0 = a0 - b0 * l0, t1 = a1 - b1 * h0;
			v8sf u0 = a0 - b0 * l1, u1 = a1 - b1 * h1;

			x0 += t0 * t0;
			x1 += t1 * t1;
			y0 += u0 * u0;
			y1 += u1 * u1;
		}
	}
	if (t16 < d) {		/* the paired last d % 16 dimensions */
		struct vq_sq_query tq = *qq;
		float r0, r1;

		tq.d = d - t16;
		tq.a = qq->a + t16;
		tq.b = qq->b + t16;
		tq.bias = 0.0f;
		vq_sq4_scan_ref(&tq, c0 + t16 / 2, 1, &r0);
		vq_sq4_scan_ref(&tq, c1 + t16 / 2, 1, &r1);
		{
			v8sf e0 = { r0 }, e1 = { r1 };

			x2 += e0;
			y2 += e1;
		}
	}
	*x = (x0 + x1) + x2;
	*y = (y0 + y1) + y2;
}

/*
 * The scan loop shared by SQ8 (bits 8) and SQ4: pairs (v, v + n/2) in
 * batches of eight, then single pairs, then the odd last code. For SQ4
 * only the pair holding code n - 1 can need the safe form, and only if
 * fewer than 2 bytes follow its last chunk.
 */
static __always_inline VQ_AVX2 void vq_sq_scan_pairs(const struct vq_sq_query *qq,
						      const u8 *c, size_t n,
						      float *out, u32 bits,
						      bool ip, v8sf *xs,
						      v8sf *ys)
{
	const float *a = qq->a, *b = qq->b;
	u32 d = qq->d;
	size_t nb = vq_sq_code_size(d, bits), h = n / 2, v, j;
	bool last_safe = bits == 4 && nb < (d & ~63U) / 2 + 2;
	size_t fast = h - (h && last_safe && !(n & 1));
	const u8 *c1 = c + h * nb;
	v8sf bias = vq_set1(ip ? qq->bias : 0.0f);

#define VQ_PAIR(p0, p1, safe, x, y) do {				\
	if (bits == 8)							\
		vq_sq8_2(a, b, d, p0, p1, ip, x, y);			\
	else								\
		vq_sq4_2(qq, a, b, d, p0, p1, ip, safe, x, y);		\
} while (0)

	for (v = 0; v + 8 <= fast; v += 8) {
		for (j = 0; j < 8; j++)
			VQ_PAIR(c + (v + j) * nb, c1 + (v + j) * nb, false,
				&xs[j], &ys[j]);
		vq_st(out + v, vq_hsum8(xs) + bias);
		vq_st(out + h + v, vq_hsum8(ys) + bias);
	}
	for (; v < h; v++) {
		VQ_PAIR(c + v * nb, c1 + v * nb, v >= fast, &xs[0], &ys[0]);
		out[v] = bias[0] + vq_hsum1(xs[0]);
		out[h + v] = bias[0] + vq_hsum1(ys[0]);
	}
	if (n & 1) {
		VQ_PAIR(c + (n - 1) * nb, c + (n - 1) * nb, last_safe,
			&xs[0], &ys[0]);
		out[n - 1] = bias[0] + vq_hsum1(xs[0]);
	}
#undef VQ_PAIR
}

/*
 * One instance per code width and metric, each its own (not inlined)
 * function: xs, ys hold the partial sums of eight passes, and keeping the
 * instances apart keeps every stack frame small (under 1 KiB even with
 * KASAN's redzones) for the kernel.
 */
#define VQ_SQ_SCAN_FN(name, bits, ip)					\
VQ_AVX2 static noinline void name(const struct vq_sq_query *qq,	\
				  const u8 *c, size_t n, float *out)	\
{									\
	v8sf xs[8], ys[8];						\
									\
	vq_sq_scan_pairs(qq, c, n, out, bits, ip, xs, ys);		\
}
VQ_SQ_SCAN_FN(vq_sq8_scan_l2_avx2, 8, false)
VQ_SQ_SCAN_FN(vq_sq8_scan_ip_avx2, 8, true)
VQ_SQ_SCAN_FN(vq_sq4_scan_l2_avx2, 4, false)
VQ_SQ_SCAN_FN(vq_sq4_scan_ip_avx2, 4, true)
#undef VQ_SQ_SCAN_FN

/*
 * Multi-query SQ IP scans (vq_sq_mq_scan): two prepared queries against
 * one code per pass, sharing the code's loads and conversions. Per query
 * the terms and their order are those of the n = 1 scan above (a code
 * paired with itself, the x half): the same bits.
 */
VQ_AVX2 static noinline void vq_sq8_ip_mq_avx2(const struct vq_sq_query *qq,
						u32 nq, const u8 *c, float *out)
{
	u32 d = qq->d, j, i;

	for (j = 0; j + 2 <= nq; j += 2) {
		const float *a = qq[j].a, *b = qq[j + 1].a;
		v8sf x0 = vq_set1(0), x1 = x0, x2 = x0, x3 = x0;
		v8sf y0 = x0, y1 = x0, y2 = x0, y3 = x0;
		float s0 = 0.0f, s1 = 0.0f;

#define VQ_SQ8_MQ(k, xa, ya) do {					\
	v8sf f_ = vq_u8x8(c + (k));					\
									\
	xa += vq_ld(a + (k)) * f_;					\
	ya += vq_ld(b + (k)) * f_;					\
} while (0)
		for (i = 0; i + 32 <= d; i += 32) {
			VQ_SQ8_MQ(i, x0, y0);
			VQ_SQ8_MQ(i + 8, x1, y1);
			VQ_SQ8_MQ(i + 16, x2, y2);
			VQ_SQ8_MQ(i + 24, x3, y3);
		}
		for (; i + 8 <= d; i += 8)
			VQ_SQ8_MQ(i, x0, y0);
#undef VQ_SQ8_MQ
		for (; i < d; i++) {
			float l = (float)c[i];

			s0 += a[i] * l;
			s1 += b[i] * l;
		}
		{
			v8sf e0 = { s0 }, e1 = { s1 };

			x0 += e0;
			y0 += e1;
		}
		out[j] = qq[j].bias + vq_hsum1((x0 + x1) + (x2 + x3));
		out[j + 1] = qq[j + 1].bias + vq_hsum1((y0 + y1) + (y2 + y3));
	}
	if (j < nq)
		vq_sq8_scan_ip_avx2(qq + j, c, 1, out + j);
}

VQ_AVX2 static noinline void vq_sq4_ip_mq_avx2(const struct vq_sq_query *qq,
						u32 nq, const u8 *c, float *out)
{
	u32 d = qq->d, t64 = d & ~63U, t16 = d & ~15U, j, i;
	v8si m0 = vq_set1i(0xf), m1 = vq_set1i(0xf0);
	v8si m2 = vq_set1i(0xf00), m3 = vq_set1i(0xf000);

	for (j = 0; j + 2 <= nq; j += 2) {
		const float *ap = qq[j].a, *bp = qq[j + 1].a;
		const u8 *p = c, *end = c + t64 / 2;
		v8sf x0 = vq_set1(0), x1 = x0, x2 = x0, y0 = x0, y1 = x0, y2 = x0;

		/*
		 * The high half of a chunk by shifting the words: the same
		 * levels the single scan reads 2 bytes further on.
		 */
#define VQ_SQ4_MQ(k, m, xa, ya) do {					\
	v8sf f_ = __builtin_convertvector(w & (m), v8sf);		\
									\
	xa += vq_ld(ap + 8 * (k)) * f_;					\
	ya += vq_ld(bp + 8 * (k)) * f_;					\
} while (0)
		for (; p < end; p += 32, ap += 64, bp += 64) {
			v8si w = *(const v8si_u *)p;

			VQ_SQ4_MQ(0, m0, x0, y0);
			VQ_SQ4_MQ(1, m1, x1, y1);
			VQ_SQ4_MQ(2, m2, x2, y2);
			VQ_SQ4_MQ(3, m3, x0, y0);
			w = (v8si)((v8su)w >> 16);
			VQ_SQ4_MQ(4, m0, x1, y1);
			VQ_SQ4_MQ(5, m1, x2, y2);
			VQ_SQ4_MQ(6, m2, x0, y0);
			VQ_SQ4_MQ(7, m3, x1, y1);
		}
#undef VQ_SQ4_MQ
		ap = qq[j].a;
		bp = qq[j + 1].a;
		for (i = t64; i < t16; i += 16) {
			v8sf l0, h0;

			vq_sq4_block(c + i / 2, &l0, &h0);
			x0 += vq_ld(ap + i) * l0;
			x1 += vq_ld(ap + i + 8) * h0;
			y0 += vq_ld(bp + i) * l0;
			y1 += vq_ld(bp + i + 8) * h0;
		}
		if (t16 < d) {
			struct vq_sq_query ta = qq[j], tb = qq[j + 1];
			float r0, r1;

			ta.d = tb.d = d - t16;
			ta.a += t16;
			tb.a += t16;
			ta.b = ta.b ? ta.b + t16 : NULL;
			tb.b = tb.b ? tb.b + t16 : NULL;
			ta.bias = tb.bias = 0.0f;
			vq_sq4_scan_ref(&ta, c + t16 / 2, 1, &r0);
			vq_sq4_scan_ref(&tb, c + t16 / 2, 1, &r1);
			{
				v8sf e0 = { r0 }, e1 = { r1 };

				x2 += e0;
				y2 += e1;
			}
		}
		out[j] = qq[j].bias + vq_hsum1((x0 + x1) + x2);
		out[j + 1] = qq[j + 1].bias + vq_hsum1((y0 + y1) + y2);
	}
	if (j < nq)
		vq_sq4_scan_ip_avx2(qq + j, c, 1, out + j);
}

VQ_AVX2 static void vq_sq8_scan_avx2(const struct vq_sq_query *qq, const u8 *c,
				      size_t n, float *out)
{
	if (qq->metric == VQ_METRIC_IP)
		vq_sq8_scan_ip_avx2(qq, c, n, out);
	else
		vq_sq8_scan_l2_avx2(qq, c, n, out);
}

VQ_AVX2 static void vq_sq4_scan_avx2(const struct vq_sq_query *qq, const u8 *c,
				      size_t n, float *out)
{
	if (qq->metric == VQ_METRIC_IP)
		vq_sq4_scan_ip_avx2(qq, c, n, out);
	else
		vq_sq4_scan_l2_avx2(qq, c, n, out);
}

/* ---- PQ ----------------------------------------------------------------- */

/* Per lane: sum over k in order of (x[k] - ct)^2, no FMA (as the ref). */
VQ_AVX2 static void vq_pq_l2_256_avx2(const float *x, const float *ct, u32 dsub,
				       float *out)
{
	u32 c, k;

	for (c = 0; c < VQ_PQ_KSUB; c += 32) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		const float *p = ct + c;

		for (k = 0; k < dsub; k++, p += VQ_PQ_KSUB) {
			v8sf xk = vq_set1(x[k]);
			v8sf t0 = xk - vq_ld(p), t1 = xk - vq_ld(p + 8);
			v8sf t2 = xk - vq_ld(p + 16), t3 = xk - vq_ld(p + 24);

			t0 *= t0;
			t1 *= t1;
			t2 *= t2;
			t3 *= t3;
			VQ_NOCONTRACT(t0);
			VQ_NOCONTRACT(t1);
			VQ_NOCONTRACT(t2);
			VQ_NOCONTRACT(t3);
			a0 += t0;
			a1 += t1;
			a2 += t2;
			a3 += t3;
		}
		vq_st(out + c, a0);
		vq_st(out + c + 8, a1);
		vq_st(out + c + 16, a2);
		vq_st(out + c + 24, a3);
	}
}

VQ_AVX2 static void vq_pq_ip_256_avx2(const float *x, const float *ct, u32 dsub,
				       float *out)
{
	u32 c, k;

	for (c = 0; c < VQ_PQ_KSUB; c += 32) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		const float *p = ct + c;

		for (k = 0; k < dsub; k++, p += VQ_PQ_KSUB) {
			v8sf xk = vq_set1(x[k]);
			v8sf t0 = xk * vq_ld(p), t1 = xk * vq_ld(p + 8);
			v8sf t2 = xk * vq_ld(p + 16), t3 = xk * vq_ld(p + 24);

			VQ_NOCONTRACT(t0);
			VQ_NOCONTRACT(t1);
			VQ_NOCONTRACT(t2);
			VQ_NOCONTRACT(t3);
			a0 += t0;
			a1 += t1;
			a2 += t2;
			a3 += t3;
		}
		vq_st(out + c, a0);
		vq_st(out + c + 8, a1);
		vq_st(out + c + 16, a2);
		vq_st(out + c + 24, a3);
	}
}

static __always_inline VQ_AVX2 void vq_argmin_upd(v8sf acc, v8si idx, v8sf *bv, v8si *bi)
{
	v8si m = acc < *bv;

	*bv = (v8sf)(((v8si)acc & m) | ((v8si)*bv & ~m));
	*bi = (idx & m) | (*bi & ~m);
}

VQ_AVX2 static void vq_pq_nearest_avx2(const float *x, const float *ct,
					u32 dsub, u32 *best, float *bestd)
{
	v8sf bv = vq_set1(vq_u32_as_f(0x7f800000U));
	v8si bi = { 0, 0, 0, 0, 0, 0, 0, 0 };
	v8si lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
	float fv[8];
	int fi[8];
	u32 c, k, j, r = 0;
	float rd;

	for (c = 0; c < VQ_PQ_KSUB; c += 32) {
		v8sf a0 = vq_set1(0), a1 = a0, a2 = a0, a3 = a0;
		const float *p = ct + c;
		v8si base = lane + (int)c;

		for (k = 0; k < dsub; k++, p += VQ_PQ_KSUB) {
			v8sf xk = vq_set1(x[k]);
			v8sf t0 = xk - vq_ld(p), t1 = xk - vq_ld(p + 8);
			v8sf t2 = xk - vq_ld(p + 16), t3 = xk - vq_ld(p + 24);

			t0 *= t0;
			t1 *= t1;
			t2 *= t2;
			t3 *= t3;
			VQ_NOCONTRACT(t0);
			VQ_NOCONTRACT(t1);
			VQ_NOCONTRACT(t2);
			VQ_NOCONTRACT(t3);
			a0 += t0;
			a1 += t1;
			a2 += t2;
			a3 += t3;
		}
		vq_argmin_upd(a0, base, &bv, &bi);
		vq_argmin_upd(a1, base + 8, &bv, &bi);
		vq_argmin_upd(a2, base + 16, &bv, &bi);
		vq_argmin_upd(a3, base + 24, &bv, &bi);
	}
	memcpy(fv, &bv, sizeof(fv));
	memcpy(fi, &bi, sizeof(fi));
	rd = fv[0];
	r = (u32)fi[0];
	for (j = 1; j < 8; j++) {
		if (fv[j] < rd || (fv[j] == rd && (u32)fi[j] < r)) {
			rd = fv[j];
			r = (u32)fi[j];
		}
	}
	*best = r;
	*bestd = rd;
}

/*
 * PQ ADC. Every code's distance is lut[code[0]] + lut[256 + code[1]] + ...
 * summed from 0.0 in order of the subspace, exactly as the reference does;
 * only the interleaving of independent codes changes, so results are
 * bit-identical. The sums are chains of dependent adds, so speed comes from
 * running many chains at once and from keeping the table in L1:
 *  - m % 4 == 0 and the table fits L1 (m <= 32, 32 KiB): eight codes at a
 *    time, their code bytes read four at a time;
 *  - larger tables: blocks of VQ_ADC_BLOCK codes, and for each block the
 *    subspaces in groups of VQ_ADC_GROUP (a 16 KiB slice of the table), the
 *    running sums kept in out[] between groups (storing and reloading a
 *    float does not change it, so the order of additions is the same).
 */
#define VQ_ADC_BLOCK	512
#define VQ_ADC_GROUP	16

/* Subspaces [j0, j1) of four codes (stride m) added to s[0..4). */
static inline void vq_adc4(const float *lut, u32 m, const u8 *c, u32 j0, u32 j1, float *s)
{
	const u8 *c0 = c, *c1 = c + m, *c2 = c + 2 * (size_t)m, *c3 = c + 3 * (size_t)m;
	float s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
	const float *t = lut + (size_t)j0 * VQ_PQ_KSUB;
	u32 j;

	for (j = j0; j < j1; j++, t += VQ_PQ_KSUB) {
		s0 += t[c0[j]];
		s1 += t[c1[j]];
		s2 += t[c2[j]];
		s3 += t[c3[j]];
		asm("" : "+x" (s0), "+x" (s1), "+x" (s2), "+x" (s3));	/* see vq_adc8() */
	}
	s[0] = s0;
	s[1] = s1;
	s[2] = s2;
	s[3] = s3;
}

#define VQ_ADC8_STEP(b) do {						\
		const float *tb = t + (b) * VQ_PQ_KSUB;			\
		s0 += tb[(w0 >> (8 * (b))) & 0xff];			\
		s1 += tb[(w1 >> (8 * (b))) & 0xff];			\
		s2 += tb[(w2 >> (8 * (b))) & 0xff];			\
		s3 += tb[(w3 >> (8 * (b))) & 0xff];			\
		s4 += tb[(w4 >> (8 * (b))) & 0xff];			\
		s5 += tb[(w5 >> (8 * (b))) & 0xff];			\
		s6 += tb[(w6 >> (8 * (b))) & 0xff];			\
		s7 += tb[(w7 >> (8 * (b))) & 0xff];			\
	} while (0)

/*
 * Eight codes (stride m, m % 4 == 0), all m subspaces, into out[0..8).
 * Written out (no arrays, one walking pointer) so that -O2 keeps the sums
 * and words in registers.
 */
static inline void vq_adc8(const float *lut, u32 m, const u8 *c, float *out)
{
	float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
	float s4 = 0.0f, s5 = 0.0f, s6 = 0.0f, s7 = 0.0f;
	const float *t = lut;
	u32 j, w0, w1, w2, w3, w4, w5, w6, w7;

	for (j = 0; j < m; j += 4, t += 4 * VQ_PQ_KSUB) {
		const u8 *p = c + j;

		w0 = vq_get_le32(p);
		p += m;
		w1 = vq_get_le32(p);
		p += m;
		w2 = vq_get_le32(p);
		p += m;
		w3 = vq_get_le32(p);
		p += m;
		w4 = vq_get_le32(p);
		p += m;
		w5 = vq_get_le32(p);
		p += m;
		w6 = vq_get_le32(p);
		p += m;
		w7 = vq_get_le32(p);
		VQ_ADC8_STEP(0);
		VQ_ADC8_STEP(1);
		VQ_ADC8_STEP(2);
		VQ_ADC8_STEP(3);
		/*
		 * Keep each sum a scalar in its own register: GCC's SLP
		 * vectorizer would otherwise gather the eight table entries
		 * into one vector with seven inserts per step (1.4x slower).
		 */
		asm("" : "+x" (s0), "+x" (s1), "+x" (s2), "+x" (s3),
		    "+x" (s4), "+x" (s5), "+x" (s6), "+x" (s7));
	}
	out[0] = s0;
	out[1] = s1;
	out[2] = s2;
	out[3] = s3;
	out[4] = s4;
	out[5] = s5;
	out[6] = s6;
	out[7] = s7;
}

VQ_AVX2 static void vq_pq_adc_scan_avx2(const float *lut, u32 m, const u8 *c,
					 size_t n, float *out)
{
	size_t v = 0, b, nb, i;
	u32 j0;

	if (m <= 32 && m % 4 == 0) {
		for (; v + 8 <= n; v += 8)
			vq_adc8(lut, m, c + v * m, out + v);
	} else {
		for (; v + 4 <= n; v += nb) {
			nb = (n - v) & ~(size_t)3;
			if (nb > VQ_ADC_BLOCK)
				nb = VQ_ADC_BLOCK;
			for (i = 0; i < nb; i++)
				out[v + i] = 0.0f;
			for (j0 = 0; j0 < m; j0 += VQ_ADC_GROUP) {
				u32 j1 = m - j0 < VQ_ADC_GROUP ? m : j0 + VQ_ADC_GROUP;

				for (b = 0; b < nb; b += 4)
					vq_adc4(lut, m, c + (v + b) * m, j0, j1, out + v + b);
			}
		}
	}
	if (v < n)
		vq_pq_adc_scan_ref(lut, m, c + v * m, n - v, out + v);
}

/* ---- Hamming ------------------------------------------------------------ */

VQ_POPCNT static void vq_hamming_scan_popcnt(const u8 *q, const u8 *c,
					     u32 nbytes, size_t n, u32 *out)
{
	size_t v;
	u32 i, acc;
	u64 a, b;

	if (nbytes == 16) {
		u64 q0, q1, c0, c1;

		memcpy(&q0, q, 8);
		memcpy(&q1, q + 8, 8);
		for (v = 0; v < n; v++, c += 16) {
			memcpy(&c0, c, 8);
			memcpy(&c1, c + 8, 8);
			out[v] = (u32)(__builtin_popcountll(q0 ^ c0) +
				       __builtin_popcountll(q1 ^ c1));
		}
		return;
	}
	for (v = 0; v < n; v++, c += nbytes) {
		acc = 0;
		for (i = 0; i + 8 <= nbytes; i += 8) {
			memcpy(&a, q + i, 8);
			memcpy(&b, c + i, 8);
			acc += (u32)__builtin_popcountll(a ^ b);
		}
		for (; i < nbytes; i++)
			acc += (u32)__builtin_popcount((u32)(q[i] ^ c[i]));
		out[v] = acc;
	}
}

const struct vq_ops vq_ops_avx2 = {
	.name = "avx2",
	.impl = VQ_IMPL_AVX2,
	.l2sq_f32 = vq_l2sq_f32_avx2,
	.ip_f32 = vq_ip_f32_avx2,
	.cos_f32 = vq_cos_f32_avx2,
	.f16_encode = vq_f16_encode_avx2,
	.f16_decode = vq_f16_decode_avx2,
	.l2sq_f16 = vq_l2sq_f16_avx2,
	.ip_f16 = vq_ip_f16_avx2,
	.sq8_encode = vq_sq8_encode_avx2,
	.sq4_encode = vq_sq4_encode_avx2,
	.sq8_scan = vq_sq8_scan_avx2,
	.sq4_scan = vq_sq4_scan_avx2,
	.pq_l2_256 = vq_pq_l2_256_avx2,
	.pq_ip_256 = vq_pq_ip_256_avx2,
	.pq_nearest = vq_pq_nearest_avx2,
	.pq_adc_scan = vq_pq_adc_scan_avx2,
	.hamming_scan = vq_hamming_scan_popcnt,
	.l2sq_u8 = vq_l2sq_u8_avx2,
	.ipkey_u8 = vq_ipkey_u8_avx2,
	.f32_mq = vq_f32_mq_avx2,
	.f16_mq = vq_f16_mq_avx2,
	.sq8_ip_mq = vq_sq8_ip_mq_avx2,
	.sq4_ip_mq = vq_sq4_ip_mq_avx2,
};

#endif /* __x86_64__ */
