// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_test.c - KUnit suite "vexfs_vq": the quantization core inside the
 * kernel. This is a normal (non-FPU) file: it never touches float values.
 * Inputs are built as IEEE 754 bit patterns from an integer PRNG, integer
 * outputs are compared with memcmp, and float comparisons run in
 * vq_selftest() (an FPU file) which returns an integer verdict. Every
 * dispatched call is made between kernel_fpu_begin() and kernel_fpu_end().
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include "vexfs/vq.h"
#include "vexfs.h"
#include "ktest.h"

#define VQ_T_N		24
#define VQ_T_D		77	/* not a multiple of 8, 16 or 32 */

/* The module's own detection (src/vq_glue.c), so the test sees what it uses. */
static unsigned int vq_test_features(void)
{
	return vexfs_vq_features();
}

/* A float in +-[2^-7, 2) as its bit pattern; some specials mixed in. */
static u32 vq_t_float_bits(u32 *s)
{
	u32 r = kt_next(s);

	switch (r & 63) {
	case 0:
		return 0x7fc00000;		/* NaN */
	case 1:
		return 0xff800000;		/* -inf */
	case 2:
		return 0x80000000;		/* -0 */
	case 3:
		return 0x00000001;		/* f32 subnormal */
	}
	return (r & 0x80000000) | ((120 + (r >> 8) % 8) << 23) |
	       (kt_next(s) & 0x7fffff);
}

static void vq_test_select(struct kunit *test)
{
	unsigned int f = vq_test_features();
	unsigned int impl = vq_select_impl(f);
	const struct vq_ops *ops = vq_active_ops();

	kunit_info(test, "features 0x%x, implementation %s\n", f,
		   vq_impl_name());
	KUNIT_EXPECT_EQ(test, vq_select_impl(0), VQ_IMPL_SCALAR);
	KUNIT_EXPECT_TRUE(test, vq_active_ops()->l2sq_f32 ==
			  vq_ops_scalar.l2sq_f32);
	KUNIT_EXPECT_EQ(test, vq_select_impl(f), impl);
	ops = vq_active_ops();
	if ((f & (VQ_FEAT_AVX2 | VQ_FEAT_FMA | VQ_FEAT_F16C | VQ_FEAT_AVX512)) ==
	    (VQ_FEAT_AVX2 | VQ_FEAT_FMA | VQ_FEAT_F16C | VQ_FEAT_AVX512)) {
		/* a host with AVX-512 (QEMU guests have none) */
		KUNIT_EXPECT_EQ(test, impl, VQ_IMPL_AVX512);
		KUNIT_EXPECT_TRUE(test, ops->l2sq_f32 == vq_ops_avx2.l2sq_f32);
		KUNIT_EXPECT_TRUE(test, ops->sq8_scan == vq_ops_avx512.sq8_scan);
		KUNIT_EXPECT_TRUE(test, ops->pq_nearest == vq_ops_avx2.pq_nearest);
	} else if (boot_cpu_has(X86_FEATURE_AVX2) && boot_cpu_has(X86_FEATURE_FMA) &&
		   (f & VQ_FEAT_AVX2)) {
		KUNIT_EXPECT_EQ(test, impl, VQ_IMPL_AVX2);
		KUNIT_EXPECT_TRUE(test, ops->l2sq_f32 == vq_ops_avx2.l2sq_f32);
		KUNIT_EXPECT_TRUE(test, ops->sq8_scan == vq_ops_avx2.sq8_scan);
		KUNIT_EXPECT_TRUE(test, ops->pq_nearest == vq_ops_avx2.pq_nearest);
	} else {
		KUNIT_EXPECT_EQ(test, impl, VQ_IMPL_SCALAR);
	}
}

static const struct {
	u32 f;
	u16 h;
} vq_f16_cases[] = {
	{ 0x00000000, 0x0000 }, { 0x80000000, 0x8000 },
	{ 0x3f800000, 0x3c00 }, { 0x477fe000, 0x7bff },
	{ 0x477ff000, 0x7c00 }, { 0x7f800000, 0x7c00 },
	{ 0x7f800001, 0x7e00 }, { 0x38800000, 0x0400 },
	{ 0x387fe000, 0x0400 }, { 0x33800000, 0x0001 },
	{ 0x33000000, 0x0000 }, { 0x33c00000, 0x0002 },
	{ 0x3f801000, 0x3c00 }, { 0x3f803000, 0x3c02 },
};

static void vq_test_f16_vectors(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vq_f16_cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, vq_f32_to_f16_bits(vq_f16_cases[i].f),
				    vq_f16_cases[i].h, "f32 0x%08x",
				    vq_f16_cases[i].f);
	}
	KUNIT_EXPECT_EQ(test, vq_f16_to_f32_bits(0x0001), 0x33800000U);
	KUNIT_EXPECT_EQ(test, vq_f16_to_f32_bits(0x7bff), 0x477fe000U);
	KUNIT_EXPECT_EQ(test, vq_f16_to_f32_bits(0xfc00), 0xff800000U);
}

/* SIMD codes are bit-identical to the scalar reference. */
static void vq_test_codes_bitexact(struct kunit *test)
{
	const struct vq_ops *ops;
	u32 *x, *vmin, *step, s = 0x2545f491, i;
	u8 *c0, *c1;
	__le16 *h0, *h1;
	struct vq_sq sq;
	size_t nx = VQ_T_N * VQ_T_D;

	vq_select_impl(vq_test_features());
	ops = vq_active_ops();
	x = kunit_kcalloc(test, nx, 4, GFP_KERNEL);
	vmin = kunit_kcalloc(test, VQ_T_D, 4, GFP_KERNEL);
	step = kunit_kcalloc(test, VQ_T_D, 4, GFP_KERNEL);
	c0 = kunit_kzalloc(test, nx, GFP_KERNEL);
	c1 = kunit_kzalloc(test, nx, GFP_KERNEL);
	h0 = kunit_kcalloc(test, nx, 2, GFP_KERNEL);
	h1 = kunit_kcalloc(test, nx, 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, vmin);
	KUNIT_ASSERT_NOT_NULL(test, step);
	KUNIT_ASSERT_NOT_NULL(test, c0);
	KUNIT_ASSERT_NOT_NULL(test, c1);
	KUNIT_ASSERT_NOT_NULL(test, h0);
	KUNIT_ASSERT_NOT_NULL(test, h1);
	for (i = 0; i < nx; i++)
		x[i] = vq_t_float_bits(&s);
	for (i = 0; i < VQ_T_D; i++) {
		vmin[i] = 0xbf800000;		/* -1.0 */
		step[i] = 0x3c008081;		/* ~2/255 */
	}
	step[5] = 0;				/* a constant dimension */
	sq.d = VQ_T_D;
	sq.vmin = (const float *)vmin;
	sq.step = (const float *)step;

	kernel_fpu_begin();
	sq.bits = 8;
	ops->sq8_encode(&sq, (const float *)x, c0, VQ_T_N);
	vq_ops_scalar.sq8_encode(&sq, (const float *)x, c1, VQ_T_N);
	kernel_fpu_end();
	KUNIT_EXPECT_EQ(test, memcmp(c0, c1, nx), 0);

	kernel_fpu_begin();
	sq.bits = 4;
	ops->sq4_encode(&sq, (const float *)x, c0, VQ_T_N);
	vq_ops_scalar.sq4_encode(&sq, (const float *)x, c1, VQ_T_N);
	kernel_fpu_end();
	KUNIT_EXPECT_EQ(test, memcmp(c0, c1, vq_sq_code_size(VQ_T_D, 4) * VQ_T_N), 0);

	kernel_fpu_begin();
	ops->f16_encode((const float *)x, h0, nx);
	kernel_fpu_end();
	vq_f16_encode_ref((const float *)x, h1, nx);	/* integer-only */
	KUNIT_EXPECT_EQ(test, memcmp(h0, h1, nx * 2), 0);

	/* Hamming on the binary codes of the same data */
	vq_bin_encode((const float *)x, VQ_T_D, VQ_T_N, c0);
	kernel_fpu_begin();
	ops->hamming_scan(c0, c0, vq_bin_code_size(VQ_T_D), VQ_T_N,
			  (u32 *)h0);
	kernel_fpu_end();
	vq_hamming_scan_ref(c0, c0, vq_bin_code_size(VQ_T_D), VQ_T_N,
			    (u32 *)h1);
	KUNIT_EXPECT_EQ(test, memcmp(h0, h1, VQ_T_N * 4), 0);
}

/* Float kernels: SIMD vs scalar within tolerance, judged in an FPU file. */
static void vq_test_selftest(struct kunit *test)
{
	size_t len = vq_selftest_scratch_size();
	void *scratch = kunit_kzalloc(test, len, GFP_KERNEL);
	u32 seed;
	int bad;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	vq_select_impl(vq_test_features());
	for (seed = 1; seed <= 4; seed++) {
		kernel_fpu_begin();
		bad = vq_selftest(seed, scratch, len);
		kernel_fpu_end();
		KUNIT_EXPECT_EQ_MSG(test, bad, 0, "seed %u, impl %s", seed,
				    vq_impl_name());
	}
}

/*
 * SQ8 / SQ4 scans: SIMD vs scalar on seeded random codes for several n
 * (odd counts, pairings), and edge cases: on-grid data where the active
 * kernel must give the reference's bits and the exact distance of the
 * decoded vectors (this pins the SQ4 prepared layout), maximal / zero
 * levels with large weights, zero steps, and the output after n left
 * untouched. The float checks run in vq_selftest_sq() (an FPU file).
 */
static void vq_test_sq_scan(struct kunit *test)
{
	size_t len = vq_selftest_scratch_size();
	void *scratch = kunit_kzalloc(test, len, GFP_KERNEL);
	u32 seed;
	int bad;

	KUNIT_ASSERT_NOT_NULL(test, scratch);
	vq_select_impl(vq_test_features());
	for (seed = 100; seed < 108; seed++) {
		kernel_fpu_begin();
		bad = vq_selftest_sq(seed, scratch, len);
		kernel_fpu_end();
		KUNIT_EXPECT_EQ_MSG(test, bad, 0, "seed %u, impl %s", seed,
				    vq_impl_name());
	}
	kernel_fpu_begin();
	bad = vq_selftest_sq(1, scratch, 16);
	kernel_fpu_end();
	KUNIT_EXPECT_EQ(test, bad, -ENOSPC);
}

/* Codebook blobs: round trip and -EUCLEAN on corruption (integer-only). */
static void vq_test_blob(struct kunit *test)
{
	const u32 d = 16, m = 4;
	size_t len = vq_pq_blob_size(d);
	u32 *cent = kunit_kcalloc(test, d * VQ_PQ_KSUB, 4, GFP_KERNEL);
	u32 *back = kunit_kcalloc(test, d * VQ_PQ_KSUB, 4, GFP_KERNEL);
	u8 *blob = kunit_kzalloc(test, len, GFP_KERNEL);
	struct vq_pq pq, pq2;
	u32 s = 77, i;

	KUNIT_ASSERT_NOT_NULL(test, cent);
	KUNIT_ASSERT_NOT_NULL(test, back);
	KUNIT_ASSERT_NOT_NULL(test, blob);
	for (i = 0; i < d * VQ_PQ_KSUB; i++)
		cent[i] = vq_t_float_bits(&s) & ~0x40000000U;	/* finite */
	pq.d = d;
	pq.m = m;
	pq.dsub = d / m;
	pq.cent_t = (float *)cent;
	KUNIT_ASSERT_EQ(test, vq_pq_store(&pq, blob, len), (int)len);
	KUNIT_EXPECT_EQ(test, vq_pq_load(&pq2, blob, len, (float *)back, d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(cent, back, d * VQ_PQ_KSUB * 4), 0);
	KUNIT_EXPECT_EQ(test, pq2.m, m);
	blob[40] ^= 0x10;
	KUNIT_EXPECT_EQ(test, vq_pq_load(&pq2, blob, len, (float *)back, d),
			-EUCLEAN);
	blob[40] ^= 0x10;
	blob[8] ^= 1;					/* dim */
	KUNIT_EXPECT_EQ(test, vq_pq_load(&pq2, blob, len, (float *)back, d),
			-EUCLEAN);
	blob[8] ^= 1;
	KUNIT_EXPECT_EQ(test, vq_pq_load(&pq2, blob, len - 1, (float *)back, d),
			-EUCLEAN);
}

static struct kunit_case vq_test_cases[] = {
	KUNIT_CASE(vq_test_select),
	KUNIT_CASE(vq_test_f16_vectors),
	KUNIT_CASE(vq_test_codes_bitexact),
	KUNIT_CASE(vq_test_selftest),
	KUNIT_CASE(vq_test_sq_scan),
	KUNIT_CASE(vq_test_blob),
	{}
};

static struct kunit_suite vq_test_suite = {
	.name = "vexfs_vq",
	.test_cases = vq_test_cases,
};

kunit_test_suites(&vq_test_suite);
