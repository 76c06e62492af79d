// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vq_codec.c - native tests of the vq encodings: f16 (against an
 * independent double-precision oracle and against F16C), SQ8/SQ4 error
 * bounds and clamping, binary and sparse codes.
 */
#include <math.h>
#define VT_SEED 0x1234567887654321ULL
#include "vtest.h"
#include "vexfs/vq.h"

static unsigned int feats;


static float unif(void)	/* [-1, 1) */
{
	return (float)((double)(vt_rnd() >> 11) / 4503599627370496.0 - 1.0);
}

static float bf(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static u32 fb(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

/* ---- f16 oracle: decode with ldexp, encode by nearest-even search ---- */

static double h2d(u16 h)
{
	int e = (h >> 10) & 31, m = h & 1023;
	double v;

	if (e == 31)
		v = m ? NAN : INFINITY;
	else if (e == 0)
		v = ldexp(m, -24);
	else
		v = ldexp(m + 1024, e - 25);
	return (h & 0x8000) ? -v : v;
}

static u16 oracle_f32_to_f16(u32 b)
{
	double x = fabs((double)bf(b)), lo, hi;
	u16 sign = (b >> 16) & 0x8000, k, a = 0, z = 0x7c00;

	if (isnan(x))
		return sign | 0x7e00 | ((b >> 13) & 0x3ff);
	/* largest finite step: values >= 65520 go to infinity */
	if (x >= 65520.0)
		return sign | 0x7c00;
	/* binary search over the monotone positive codes 0..0x7bff */
	a = 0;
	z = 0x7bff;
	while (z - a > 1) {
		k = (a + z) / 2;
		if (h2d(k) <= x)
			a = k;
		else
			z = k;
	}
	if (h2d(z) <= x)
		a = z;
	if (a == 0x7bff)
		return sign | a;
	lo = x - h2d(a);
	hi = h2d(a + 1) - x;
	if (hi < lo || (hi == lo && (a & 1)))
		a++;
	return sign | a;
}

#if defined(__x86_64__)
__attribute__((target("f16c"))) static u16 hw_f32_to_f16(u32 b)
{
	typedef float v4sf __attribute__((vector_size(16)));
	typedef short v8hi __attribute__((vector_size(16)));
	v4sf v = { bf(b), 0, 0, 0 };
	v8hi r = __builtin_ia32_vcvtps2ph(v, 0);

	return (u16)r[0];
}

__attribute__((target("f16c"))) static u32 hw_f16_to_f32(u16 h)
{
	typedef float v4sf __attribute__((vector_size(16)));
	typedef short v8hi __attribute__((vector_size(16)));
	v8hi v = { (short)h, 0, 0, 0, 0, 0, 0, 0 };
	v4sf r = __builtin_ia32_vcvtph2ps(v);

	return fb(r[0]);
}
#endif

static void f16_table(void)
{
	static const struct { u32 f; u16 h; } t[] = {
		{ 0x00000000, 0x0000 }, { 0x80000000, 0x8000 },
		{ 0x3f800000, 0x3c00 }, { 0xc0000000, 0xc000 },
		{ 0x477fe000, 0x7bff },		/* 65504, max finite */
		{ 0x477fefff, 0x7bff },		/* just below the tie */
		{ 0x477ff000, 0x7c00 },		/* 65520 tie -> even = inf */
		{ 0x7f7fffff, 0x7c00 },		/* FLT_MAX */
		{ 0x7f800000, 0x7c00 }, { 0xff800000, 0xfc00 },
		{ 0x7fc00000, 0x7e00 },		/* qNaN */
		{ 0x7f800001, 0x7e00 },		/* sNaN made quiet */
		{ 0xffffe000, 0xffff },		/* NaN payload kept */
		{ 0x38800000, 0x0400 },		/* 2^-14, min normal */
		{ 0x387fc000, 0x03ff },		/* max subnormal, exact */
		{ 0x387fe000, 0x0400 },		/* 1023.5 ulp tie -> normal */
		{ 0x33800000, 0x0001 },		/* 2^-24, min subnormal */
		{ 0x33000000, 0x0000 },		/* 2^-25 tie -> even 0 */
		{ 0x33000001, 0x0001 },
		{ 0xb3000001, 0x8001 },
		{ 0x33c00000, 0x0002 },		/* 1.5 ulp tie -> 2 */
		{ 0x34200000, 0x0002 },		/* 2.5 ulp tie -> 2 */
		{ 0x3f801000, 0x3c00 },		/* 1 + 2^-11 tie -> even */
		{ 0x3f803000, 0x3c02 },		/* 1 + 3*2^-11 tie -> even */
		{ 0x3f801001, 0x3c01 },
		{ 0x3f800fff, 0x3c00 },
		{ 0x3e2aaaab, 0x3155 },		/* 1/6 */
		{ 0x00000001, 0x0000 },		/* f32 subnormal */
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		VT_CHECK_MSG(vq_f32_to_f16_bits(t[i].f) == t[i].h,
			     "f32 %08x -> %04x, want %04x", t[i].f,
			     vq_f32_to_f16_bits(t[i].f), t[i].h);
		VT_EQ(oracle_f32_to_f16(t[i].f), t[i].h);
	}
	VT_EQ(vq_f16_to_f32_bits(0x0001), 0x33800000);
	VT_EQ(vq_f16_to_f32_bits(0x03ff), 0x387fc000);
	VT_EQ(vq_f16_to_f32_bits(0x0200), 0x38000000);
	VT_EQ(vq_f16_to_f32_bits(0x7c00), 0x7f800000);
	VT_EQ(vq_f16_to_f32_bits(0xfc01), 0xffc02000);
	VT_EQ(vq_f16_to_f32_bits(0x7bff), 0x477fe000);
}

/* Every binary16 decodes exactly, and re-encodes to itself. */
static void f16_decode_exhaustive(void)
{
	u32 h, bad = 0, bad_hw = 0, rt = 0;

	for (h = 0; h < 0x10000; h++) {
		u32 f = vq_f16_to_f32_bits((u16)h);
		double ref = h2d((u16)h);

		if (isnan(ref)) {
			bad += !isnan(bf(f));
			rt += vq_f32_to_f16_bits(f) != (h | 0x200);
		} else {
			bad += (double)bf(f) != ref || (f >> 31) != (h >> 15);
			rt += vq_f32_to_f16_bits(f) != h;
		}
#if defined(__x86_64__)
		if (feats & VQ_FEAT_F16C)
			bad_hw += hw_f16_to_f32((u16)h) != f;
#endif
	}
	VT_EQ(bad, 0);
	VT_EQ(bad_hw, 0);
	VT_EQ(rt, 0);
}

/*
 * f32 -> f16 on every exponent with the mantissas that matter (around the
 * rounding point of each binary16 code) plus random patterns: integer
 * reference == double oracle == F16C.
 */
static void f16_encode_sweep(void)
{
	u32 bad_oracle = 0, bad_hw = 0, e, k, i, n = 0;
	static const u32 low[] = { 0, 1, 0xfff, 0x1000, 0x1001, 0x1fff, 0x2000,
				   0x2001, 0x3000, 0x7ff, 0x800 };

	for (e = 0; e < 512; e++) {
		for (k = 0; k < 1024; k += 7) {
			for (i = 0; i < ARRAY_SIZE(low); i++) {
				u32 f = (e << 23) | (k << 13) | low[i];
				u16 h = vq_f32_to_f16_bits(f);

				bad_oracle += h != oracle_f32_to_f16(f);
#if defined(__x86_64__)
				if (feats & VQ_FEAT_F16C)
					bad_hw += h != hw_f32_to_f16(f);
#endif
				n++;
			}
		}
	}
	for (i = 0; i < 1000000; i++) {
		u32 f = (u32)vt_rnd();
		u16 h = vq_f32_to_f16_bits(f);

		bad_oracle += h != oracle_f32_to_f16(f);
#if defined(__x86_64__)
		if (feats & VQ_FEAT_F16C)
			bad_hw += h != hw_f32_to_f16(f);
#endif
	}
	VT_CHECK(n > 500000);
	VT_EQ(bad_oracle, 0);
	VT_EQ(bad_hw, 0);
}

/* The array paths (F16C when active) give the reference bits. */
static void f16_arrays(void)
{
	enum { N = 4099 };
	static float x[N], y[N], y2[N];
	static __le16 h0[N], h1[N];
	u32 i;

	for (i = 0; i < N; i++)
		x[i] = bf((u32)vt_rnd());
	x[0] = 65520.0f;
	x[1] = -0.0f;
	x[2] = bf(0x33000000);
	for (i = 1; i <= N; i += 97) {
		vq_f16_encode(x, h0, i);
		vq_f16_encode_ref(x, h1, i);
		VT_CHECK(!memcmp(h0, h1, 2 * i));
	}
	vq_f16_decode(h1, y, N);
	vq_f16_decode_ref(h1, y2, N);
	VT_CHECK(!memcmp(y, y2, sizeof(y)));
	VT_EQ(le16_to_cpu(h1[0]), 0x7c00);
	VT_EQ(le16_to_cpu(h1[1]), 0x8000);
	VT_EQ(le16_to_cpu(h1[2]), 0);
}

/* ---- SQ -------------------------------------------------------------- */

static void sq_bound_one(u32 d, u32 bits, size_t n)
{
	static float x[64 * 300], y[64 * 300], vmin[300], step[300];
	static u8 c0[64 * 300], c1[64 * 300];
	struct vq_sq sq = { d, bits, vmin, step };
	double worst = 0;
	u32 i, bad = 0, bad_clamp = 0;
	size_t v;
	u32 L = 1U << bits;

	for (i = 0; i < n * d; i++)
		x[i] = unif() * (1 + (i % d)) + (float)(i % 5);
	VT_EQ(vq_sq_train(d, bits, x, n / 2, vmin, step), 0);
	vq_sq_encode(&sq, x, c0, n);
	(bits == 8 ? vq_ops_scalar.sq8_encode : vq_ops_scalar.sq4_encode)(&sq, x, c1, n);
	VT_CHECK(!memcmp(c0, c1, vq_sq_code_size(d, bits) * n));
	vq_sq_decode(&sq, c0, y, n);
	for (v = 0; v < n; v++) {
		for (i = 0; i < d; i++) {
			float xi = x[v * d + i], yi = y[v * d + i];
			float vmax = vmin[i] + (float)(L - 1) * step[i];
			double tol = step[i] / 2.0 +
				ldexp(fabs(vmin[i]) + fabs(vmax), -21);
			u32 sh, o = vq_sq4_nibble(d, i, &sh);
			u32 lv = bits == 8 ? c0[v * d + i] :
				(c0[v * ((d + 1) / 2) + o] >> sh) & 15;

			if (xi >= vmin[i] && xi <= vmax) {
				double err = fabs((double)xi - yi);

				if (err > tol)
					bad++;
				if (step[i] > 0 && err / step[i] > worst)
					worst = err / step[i];
			} else if (xi < vmin[i]) {
				bad_clamp += lv != 0;
			} else {
				bad_clamp += lv != L - 1;
			}
		}
	}
	VT_EQ(bad, 0);
	VT_EQ(bad_clamp, 0);
	VT_CHECK(worst <= 0.5 + 1e-4);
	VT_CHECK(worst > 0.4);		/* the bound is tight, not vacuous */
}

static void sq_error_bound(void)
{
	static const u32 dims[] = { 1, 3, 8, 17, 32, 33, 64, 100, 128, 257, 300 };
	u32 i;

	for (i = 0; i < ARRAY_SIZE(dims); i++) {
		sq_bound_one(dims[i], 8, 64);
		sq_bound_one(dims[i], 4, 64);
	}
}

static void sq_clamp_table(void)
{
	/* dims: [0,255] step 1 ; [-1,1] step 2/255 ; constant 5 (step 0) */
	float vmin[3] = { 0.0f, -1.0f, 5.0f };
	float step[3] = { 1.0f, 2.0f / 255.0f, 0.0f };
	struct vq_sq sq8 = { 3, 8, vmin, step };
	static const struct { float x0, x1, x2; u8 c0, c1, c2; } t[] = {
		{ 0.5f, -1.0f, 5.0f, 0, 0, 0 },		/* tie -> even 0 */
		{ 1.5f, 1.0f, 6.0f, 2, 255, 255 },	/* tie -> even 2 */
		{ 2.5f, 100.0f, 4.0f, 2, 255, 0 },
		{ -3.0f, -100.0f, 5.0f, 0, 0, 0 },
		{ 254.5f, 0.1f, 5.0f, 254, 140, 0 },
		{ 1e30f, -0.5f, 5.0f, 255, 64, 0 },
		{ INFINITY, -INFINITY, INFINITY, 255, 0, 255 },
		{ NAN, NAN, NAN, 0, 0, 0 },
		{ 254.51f, -1.0f, 5.0f, 255, 0, 0 },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		float x[3] = { t[i].x0, t[i].x1, t[i].x2 };
		u8 c[3], r[3];

		vq_sq_encode(&sq8, x, c, 1);
		vq_ops_scalar.sq8_encode(&sq8, x, r, 1);
		VT_CHECK_MSG(c[0] == t[i].c0 && c[1] == t[i].c1 &&
			     c[2] == t[i].c2, "row %u: %u %u %u", i, c[0],
			     c[1], c[2]);
		VT_CHECK(!memcmp(c, r, 3));
	}
}

static void sq4_layout(void)
{
	float vmin[5] = { 0, 0, 0, 0, 0 }, step[5] = { 1, 1, 1, 1, 1 };
	float x[5] = { 1, 2, 15, 3, 9 }, y[5];
	struct vq_sq sq = { 5, 4, vmin, step };
	u8 c[3] = { 0xee, 0xee, 0xee }, r[3];
	u32 i;

	vq_sq_encode(&sq, x, c, 1);
	VT_EQ(c[0], 0x21);
	VT_EQ(c[1], 0x3f);
	VT_EQ(c[2], 0x09);	/* odd d: high nibble of the last byte is 0 */
	vq_ops_scalar.sq4_encode(&sq, x, r, 1);
	VT_CHECK(!memcmp(c, r, 3));
	vq_sq_decode(&sq, c, y, 1);
	for (i = 0; i < 5; i++)
		VT_CHECK(y[i] == x[i]);
	VT_EQ(vq_sq_code_size(5, 4), 3);
	VT_EQ(vq_sq_code_size(5, 8), 5);
}

static void sq_train_edge(void)
{
	float x[4] = { NAN, INFINITY, -INFINITY, NAN }, vmin[2], step[2];
	float big[2] = { -3e38f, 3e38f };

	VT_EQ(vq_sq_train(2, 8, x, 2, vmin, step), 0);
	VT_CHECK(vmin[0] == 0.0f && step[0] == 0.0f);
	VT_EQ(vq_sq_train(1, 8, big, 2, vmin, step), -ERANGE);
	VT_EQ(vq_sq_train(1, 5, big, 2, vmin, step), -EINVAL);
	VT_EQ(vq_sq_train(0, 8, big, 2, vmin, step), -EINVAL);
}

/* ---- binary and sparse ---------------------------------------------- */

static void binary_layout(void)
{
	float x[10] = { 1.0f, -1.0f, 0.0f, -0.0f, INFINITY, NAN, -NAN,
			1e-45f, -INFINITY, 2.0f };
	u8 c[2] = { 0xff, 0xff };
	float one = 3.0f;
	u8 c1 = 0xff;

	vq_bin_encode(x, 10, 1, c);
	/* bits 0, 4, 7 in byte 0; bit 9 -> byte 1 bit 1 */
	VT_EQ(c[0], 0x91);
	VT_EQ(c[1], 0x02);
	vq_bin_encode(&one, 1, 1, &c1);
	VT_EQ(c1, 1);
	VT_EQ(vq_bin_code_size(1), 1);
	VT_EQ(vq_bin_code_size(8), 1);
	VT_EQ(vq_bin_code_size(9), 2);
}

static void sparse_topk(void)
{
	float x[8] = { 0.5f, -3.0f, 0.0f, 2.0f, -2.0f, NAN, 2.0f, 1.0f };
	u8 code[4 + 8 * 8];
	float q[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, dot;
	float thr = 2.0f, neg = -1.0f;
	int r;

	/* top 3: -3 (1), then the 2.0 ties: indices 3 and 4 (lowest first) */
	VT_EQ(vq_sparse_encode_topk(x, 8, 3, code), 3);
	VT_EQ(vq_get_le32(code), 3);
	VT_EQ(vq_get_le32(code + 4), 1);
	VT_EQ(vq_get_le32(code + 8), 3);
	VT_EQ(vq_get_le32(code + 12), 4);
	VT_EQ(vq_get_le32(code + 16), fb(-3.0f));
	VT_EQ(vq_get_le32(code + 24), fb(-2.0f));
	VT_EQ(vq_sparse_validate(code, sizeof(code), 8), 3);
	vq_sparse_dot(q, code, &dot);
	VT_CHECK(dot == -3.0f);
	/* k larger than the non-zero count: zeros and NaN never stored */
	VT_EQ(vq_sparse_encode_topk(x, 8, 8, code), 6);
	VT_EQ(vq_sparse_encode_topk(x, 8, 0, code), 0);
	r = vq_sparse_encode_threshold(x, 8, &thr, code);
	VT_EQ(r, 4);
	VT_EQ(vq_get_le32(code + 16), 6);
	VT_EQ(vq_sparse_encode_threshold(x, 8, &neg, code), -EINVAL);
}

static void sparse_topk_random(void)
{
	static float x[1000];
	static u8 code[4 + 8 * 1000];
	u32 k, i, nnz, bad = 0;

	for (i = 0; i < 1000; i++)
		x[i] = (float)((int)(vt_rnd() % 41) - 20);	/* many ties, zeros */
	for (k = 0; k <= 1000; k += 37) {
		u32 kth, cnt_gt = 0;
		float mags[1000];
		int j;

		nnz = vq_sparse_encode_topk(x, 1000, k, code);
		VT_EQ(vq_sparse_validate(code, sizeof(code), 1000), (int)nnz);
		/* oracle: the k-th largest magnitude by counting sort */
		for (i = 0; i < 1000; i++)
			mags[i] = fabsf(x[i]);
		kth = 0;
		for (j = 20; j >= 1; j--) {
			u32 c = 0;

			for (i = 0; i < 1000; i++)
				c += mags[i] == (float)j;
			if (cnt_gt + c >= k) {
				kth = (u32)j;
				break;
			}
			cnt_gt += c;
		}
		for (i = 0; i < nnz; i++) {
			float v = bf(vq_get_le32(code + 4 + 4 * nnz + 4 * i));

			bad += fabsf(v) < (float)kth || v == 0;
		}
		if (kth)
			VT_EQ(nnz, k);
	}
	VT_EQ(bad, 0);
}

static void sparse_validate_rejects(void)
{
	u8 c[4 + 8 * 3];

	vq_put_le32(c, 3);
	vq_put_le32(c + 4, 1);
	vq_put_le32(c + 8, 5);
	vq_put_le32(c + 12, 9);
	vq_put_le32(c + 16, fb(1.0f));
	vq_put_le32(c + 20, fb(-2.0f));
	vq_put_le32(c + 24, fb(3.0f));
	VT_EQ(vq_sparse_validate(c, sizeof(c), 10), 3);
	VT_EQ(vq_sparse_validate(c, sizeof(c), 9), -EUCLEAN);	/* idx 9 >= d */
	VT_EQ(vq_sparse_validate(c, sizeof(c) - 1, 10), -EUCLEAN);
	VT_EQ(vq_sparse_validate(c, 3, 10), -EUCLEAN);
	vq_put_le32(c + 8, 1);					/* not increasing */
	VT_EQ(vq_sparse_validate(c, sizeof(c), 10), -EUCLEAN);
	vq_put_le32(c + 8, 5);
	vq_put_le32(c + 20, 0x7fc00000);			/* NaN */
	VT_EQ(vq_sparse_validate(c, sizeof(c), 10), -EUCLEAN);
	vq_put_le32(c + 20, 0x80000000);			/* -0 */
	VT_EQ(vq_sparse_validate(c, sizeof(c), 10), -EUCLEAN);
	vq_put_le32(c, 0xffffffff);
	VT_EQ(vq_sparse_validate(c, sizeof(c), 10), -EUCLEAN);
}

static void setup(void)
{
	feats = vq_cpu_features();
	vq_select_impl(feats);
}

static void codec_setup(void)
{
	setup();
	VT_CHECK(vq_impl_name() != NULL);
}

VT_MAIN("vq_codec",
	VT_CASE(codec_setup),
	VT_CASE(f16_table),
	VT_CASE(f16_decode_exhaustive),
	VT_CASE(f16_encode_sweep),
	VT_CASE(f16_arrays),
	VT_CASE(sq_error_bound),
	VT_CASE(sq_clamp_table),
	VT_CASE(sq4_layout),
	VT_CASE(sq_train_edge),
	VT_CASE(binary_layout),
	VT_CASE(sparse_topk),
	VT_CASE(sparse_topk_random),
	VT_CASE(sparse_validate_rejects))
