// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vq_dist.c - distances and scans: implementation selection (fails if
 * the AVX2 path silently falls back to scalar on an AVX2 CPU), edge cases,
 * seeded random agreement of SIMD and scalar within the documented
 * tolerance, and asymmetric scans against decode-then-compare.
 */
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>
#define VT_SEED 0x9e3779b97f4a7c15ULL
#include "vtest.h"
#include "vexfs/vq.h"

static unsigned int feats;


static float unif(void)
{
	return (float)((double)(vt_rnd() >> 11) / 4503599627370496.0 - 1.0);
}

/* Documented tolerance: |simd - scalar| <= 1e-5 * sum|terms|. */
static int close_rel(double got, double ref, double sum_abs)
{
	return fabs(got - ref) <= 1e-5 * sum_abs + 1e-30;
}

/*
 * Tolerance bound of an SQ scan of code c (quantization.rst): L2 sum
 * (|q_i - vmin_i| + step_i * c_i)^2 (the rounding of step_i * c_i inside
 * each difference, which FMA skips, is not relative to the distance);
 * IP |bias| + sum |q_i * step_i| * (L - 1).
 */
static double sq_bound(const struct vq_sq *sq, int metric, const float *q,
		       float bias, const u8 *c)
{
	double s = fabs(bias);
	u32 i, sh, lv;

	for (i = 0; i < sq->d; i++) {
		if (metric == VQ_METRIC_IP) {
			s += fabs(q[i] * sq->step[i]) * ((1U << sq->bits) - 1);
			continue;
		}
		lv = sq->bits == 8 ? c[i] : (c[vq_sq4_nibble(sq->d, i, &sh)] >> sh) & 15;
		s += pow(fabs(q[i] - sq->vmin[i]) + sq->step[i] * (double)lv, 2);
	}
	return s;
}

static int have_avx2(void)
{
	return (feats & (VQ_FEAT_AVX2 | VQ_FEAT_FMA)) ==
	       (VQ_FEAT_AVX2 | VQ_FEAT_FMA);
}

static int have_avx512(void)
{
	return (feats & (VQ_FEAT_AVX512 | VQ_FEAT_F16C)) ==
	       (VQ_FEAT_AVX512 | VQ_FEAT_F16C);
}

static void impl_selection(void)
{
	const struct vq_ops *ops;

	feats = vq_cpu_features();
	VT_EQ(vq_select_impl(0), VQ_IMPL_SCALAR);
	ops = vq_active_ops();
	VT_CHECK(ops->l2sq_f32 == vq_ops_scalar.l2sq_f32);
	VT_CHECK(!strcmp(vq_impl_name(), "scalar"));
#if defined(__x86_64__)
	/* AVX2 without FMA is not enough */
	VT_EQ(vq_select_impl(VQ_FEAT_AVX2 | VQ_FEAT_F16C), VQ_IMPL_SCALAR);
	/* AVX-512 alone selects nothing; without F16C its scans stay AVX2 */
	VT_EQ(vq_select_impl(VQ_FEAT_AVX512), VQ_IMPL_SCALAR);
	VT_EQ(vq_select_impl(VQ_FEAT_AVX2 | VQ_FEAT_FMA | VQ_FEAT_AVX512), VQ_IMPL_AVX2);
	/* f16 and Hamming entries fall back separately */
	VT_EQ(vq_select_impl(VQ_FEAT_AVX2 | VQ_FEAT_FMA), VQ_IMPL_AVX2);
	ops = vq_active_ops();
	VT_CHECK(ops->l2sq_f32 == vq_ops_avx2.l2sq_f32);
	VT_CHECK(ops->l2sq_f16 == vq_ops_scalar.l2sq_f16);
	VT_CHECK(ops->hamming_scan == vq_ops_scalar.hamming_scan);
#endif
	vq_select_impl(feats);
	ops = vq_active_ops();
	printf("# cpu features 0x%x, implementation %s\n", feats, vq_impl_name());
	if (have_avx2() && have_avx512()) {
#if defined(__x86_64__)
		/* AVX-512 too: its scans over the AVX2 table, the rest AVX2 */
		VT_EQ(ops->impl, VQ_IMPL_AVX512);
		VT_CHECK(ops->l2sq_f32 == vq_ops_avx2.l2sq_f32);
		VT_CHECK(ops->l2sq_f16 == vq_ops_avx2.l2sq_f16);
		VT_CHECK(ops->sq8_scan == vq_ops_avx512.sq8_scan);
		/* batches of f32 / f16 queries: AVX-512, with the AVX2 single bits */
		VT_CHECK(ops->f32_mq == vq_ops_avx512.f32_mq && ops->f32_mq);
		VT_CHECK(ops->f16_mq == vq_ops_avx512.f16_mq && ops->f16_mq);
		VT_CHECK(ops->sq4_scan == vq_ops_avx2.sq4_scan);
		VT_CHECK(ops->pq_nearest == vq_ops_avx2.pq_nearest);
		VT_CHECK(ops->f16_encode == vq_ops_avx2.f16_encode);
		VT_CHECK(!strncmp(vq_impl_name(), "avx2", 4));
		VT_CHECK(strstr(vq_impl_name(), "+avx512") != NULL);
#endif
	} else if (have_avx2()) {
#if defined(__x86_64__)
		/* The machine has AVX2+FMA: the SIMD path must be the one used. */
		VT_EQ(ops->impl, VQ_IMPL_AVX2);
		VT_CHECK(ops->l2sq_f32 == vq_ops_avx2.l2sq_f32);
		VT_CHECK(ops->l2sq_f32 != vq_ops_scalar.l2sq_f32);
		VT_CHECK(ops->sq8_scan == vq_ops_avx2.sq8_scan);
		VT_CHECK(ops->pq_nearest == vq_ops_avx2.pq_nearest);
		VT_CHECK(!strncmp(vq_impl_name(), "avx2", 4));
		if (feats & VQ_FEAT_F16C)
			VT_CHECK(ops->l2sq_f16 == vq_ops_avx2.l2sq_f16);
		if (feats & VQ_FEAT_POPCNT)
			VT_CHECK(ops->hamming_scan == vq_ops_avx2.hamming_scan);
#endif
	} else {
		VT_EQ(ops->impl, VQ_IMPL_SCALAR);
	}
}

static void known_values(void)
{
	float q[3] = { 1, 2, 3 }, x[6] = { 4, 6, 8, -1, -2, -3 }, r[2];
	float one = 2.0f, xo[2] = { 5.0f, -1.0f };

	vq_l2sq_scan(q, x, 3, 2, r);
	VT_CHECK(r[0] == 50.0f && r[1] == 56.0f);
	vq_ip_scan(q, x, 3, 2, r);
	VT_CHECK(r[0] == 40.0f && r[1] == -14.0f);
	vq_cos_scan(q, x, 3, 2, r);
	VT_CHECK(fabsf(r[0] - 40.0f / sqrtf(14.0f * 116.0f)) < 1e-6f);
	VT_CHECK(fabsf(r[1] + 1.0f) < 1e-6f);
	/* d = 1 */
	vq_l2sq_scan(&one, xo, 1, 2, r);
	VT_CHECK(r[0] == 9.0f && r[1] == 9.0f);
	vq_cos_scan(&one, xo, 1, 2, r);
	VT_CHECK(r[0] == 1.0f && r[1] == -1.0f);
	/* n = 0 writes nothing */
	r[0] = 7.0f;
	vq_l2sq_scan(q, x, 3, 0, r);
	VT_CHECK(r[0] == 7.0f);
}

static void cosine_zero_vectors(void)
{
	static float q[37], x[2 * 37], r[2], z[37];
	u32 i;
	const struct vq_ops *impls[2] = { &vq_ops_scalar, vq_active_ops() };

	for (i = 0; i < 37; i++) {
		q[i] = unif();
		x[i] = 0.0f;
		x[37 + i] = q[i] * 3.0f;
	}
	for (i = 0; i < 2; i++) {
		impls[i]->cos_f32(q, x, 37, 2, r);
		VT_CHECK(r[0] == 0.0f);		/* zero vector -> 0 */
		VT_CHECK(fabsf(r[1] - 1.0f) < 1e-6f && r[1] <= 1.0f);
		impls[i]->cos_f32(z, x + 37, 37, 1, r);
		VT_CHECK(r[0] == 0.0f);
		impls[i]->cos_f32(z, x, 37, 1, r);
		VT_CHECK(r[0] == 0.0f);
	}
}

/* SIMD vs scalar on random data for many dimensions (tails included). */
static void random_f32(void)
{
	enum { N = 40, DM = 800 };
	static float q[DM], x[N * DM], r0[N], r1[N];
	const struct vq_ops *a = vq_active_ops(), *s = &vq_ops_scalar;
	u32 d, v, i, bad = 0, cnt = 0;

	for (d = 1; d <= DM; d += (d < 70 ? 1 : 37)) {
		for (i = 0; i < d; i++)
			q[i] = unif() * 10;
		for (i = 0; i < N * d; i++)
			x[i] = unif() * 10;
		a->l2sq_f32(q, x, d, N, r0);
		s->l2sq_f32(q, x, d, N, r1);
		for (v = 0; v < N; v++)
			bad += !close_rel(r0[v], r1[v], r1[v]);
		a->ip_f32(q, x, d, N, r0);
		s->ip_f32(q, x, d, N, r1);
		for (v = 0; v < N; v++) {
			double sa = 0, xx = 0, qq = 0;

			for (i = 0; i < d; i++) {
				sa += fabs(q[i] * x[v * d + i]);
				xx += x[v * d + i] * x[v * d + i];
				qq += q[i] * q[i];
			}
			bad += !close_rel(r0[v], r1[v], sa);
			cnt++;
			a->cos_f32(q, x + v * d, d, 1, &r0[v]);
			s->cos_f32(q, x + v * d, d, 1, &r1[v]);
			bad += !close_rel(r0[v], r1[v], sa / sqrt(qq * xx) + 2);
		}
	}
	VT_EQ(bad, 0);
	VT_CHECK(cnt > 1000);
}

static void random_f16(void)
{
	enum { N = 30, DM = 800 };
	static float q[DM], x[N * DM], y[N * DM], r0[N], r1[N], r2[N];
	static __le16 h[N * DM];
	const struct vq_ops *a = vq_active_ops(), *s = &vq_ops_scalar;
	u32 d, v, i, bad = 0;

	for (d = 1; d <= DM; d += (d < 40 ? 1 : 53)) {
		for (i = 0; i < d; i++)
			q[i] = unif();
		for (i = 0; i < N * d; i++)
			x[i] = unif();
		vq_f16_encode(x, h, (size_t)N * d);
		vq_f16_decode(h, y, (size_t)N * d);
		a->l2sq_f16(q, h, d, N, r0);
		s->l2sq_f16(q, h, d, N, r1);
		vq_ops_scalar.l2sq_f32(q, y, d, N, r2);
		for (v = 0; v < N; v++) {
			bad += !close_rel(r0[v], r1[v], r1[v]);
			bad += r1[v] != r2[v];	/* decode is exact */
		}
		a->ip_f16(q, h, d, N, r0);
		s->ip_f16(q, h, d, N, r1);
		for (v = 0; v < N; v++) {
			double sa = 0;

			for (i = 0; i < d; i++)
				sa += fabs(q[i] * y[v * d + i]);
			bad += !close_rel(r0[v], r1[v], sa);
		}
	}
	VT_EQ(bad, 0);
}

static void random_sq(void)
{
	enum { N = 40, DM = 800 };
	static float q[DM], x[N * DM], y[N * DM], vmin[DM], step[DM];
	static float qa[DM], qb[DM], r0[N], r1[N], r2[N];
	static u8 c0[N * DM], c1[N * DM];
	const struct vq_ops *a = vq_active_ops(), *s = &vq_ops_scalar;
	u32 d, v, i, bad = 0, bad_codes = 0, bad_alg = 0, bits;
	int metric;

	for (bits = 4; bits <= 8; bits += 4) {
		for (d = 1; d <= DM; d += (d < 70 ? 1 : 41)) {
			struct vq_sq sq = { d, bits, vmin, step };
			struct vq_sq_query qq = { .a = qa, .b = qb };
			size_t nb = vq_sq_code_size(d, bits);

			for (i = 0; i < d; i++)
				q[i] = unif() * 2;
			for (i = 0; i < N * d; i++)
				x[i] = unif() * (1 + i % 3);
			vq_sq_train(d, bits, x, N - 5, vmin, step);
			(bits == 8 ? a->sq8_encode : a->sq4_encode)(&sq, x, c0, N);
			(bits == 8 ? s->sq8_encode : s->sq4_encode)(&sq, x, c1, N);
			bad_codes += memcmp(c0, c1, nb * N) != 0;
			vq_sq_decode(&sq, c1, y, N);
			for (metric = 0; metric <= 1; metric++) {
				VT_EQ(vq_sq_prepare(&sq, metric, q, &qq), 0);
				(bits == 8 ? a->sq8_scan : a->sq4_scan)(&qq, c1, N, r0);
				(bits == 8 ? s->sq8_scan : s->sq4_scan)(&qq, c1, N, r1);
				(metric ? s->ip_f32 : s->l2sq_f32)(q, y, d, N, r2);
				for (v = 0; v < N; v++) {
					double sd = 0, sa = sq_bound(&sq, metric, q, qq.bias,
								    c1 + v * nb);

					for (i = 0; i < d; i++)
						sd += fabs(q[i] * y[v * d + i]);
					bad += !close_rel(r0[v], r1[v], sa);
					if (!metric)
						sa = sd = r1[v];
					/* the prepared algebra vs decode-then-compare */
					bad_alg += fabs(r1[v] - r2[v]) >
						   1e-4 * (sa + sd) + 1e-6;
				}
			}
		}
	}
	VT_EQ(bad_codes, 0);
	VT_EQ(bad, 0);
	VT_EQ(bad_alg, 0);
	VT_EQ(vq_sq_prepare(&(struct vq_sq){ 4, 8, vmin, step }, VQ_METRIC_COS,
			    q, &(struct vq_sq_query){ .a = qa, .b = qb }), -EINVAL);
}

/*
 * The prepared SQ query: every slot is written exactly once, SQ4 weights
 * carry exactly 2^-4(k & 3) for the first d & ~63 dimensions (one of four
 * scales per 8-slot group, in the order of vq_sq4_slot()), SQ8 and the
 * remaining SQ4 dimensions are in dimension order and unscaled.
 */
static void sq_prepared_layout(void)
{
	enum { DM = 300 };
	static const u32 dims[] = { 1, 15, 16, 63, 64, 65, 127, 128, 130, 200, 256, 300 };
	static float q[DM], vmin[DM], step[DM], qa[DM], qb[DM];
	u32 k, i, bits, bad = 0;

	for (i = 0; i < DM; i++) {
		q[i] = (float)(i + 1);
		vmin[i] = 0.0f;
		step[i] = 1.0f;
	}
	for (bits = 4; bits <= 8; bits += 4) {
		for (k = 0; k < sizeof(dims) / sizeof(dims[0]); k++) {
			u32 d = dims[k], t = bits == 4 ? d & ~63U : 0;
			struct vq_sq sq = { d, bits, vmin, step };
			struct vq_sq_query qq = { .a = qa, .b = qb };
			static u8 seen[DM];

			memset(seen, 0, sizeof(seen));
			for (i = 0; i < d; i++)
				qa[i] = qb[i] = -1.0f;
			VT_EQ(vq_sq_prepare(&sq, VQ_METRIC_L2, q, &qq), 0);
			for (i = 0; i < d; i++) {
				u32 dim = (u32)qa[i] - 1;
				float want = i < t ? ldexpf(1.0f, -4 * (int)((i >> 3) & 3)) : 1.0f;

				bad += qa[i] < 1.0f || dim >= d || seen[dim]++;
				bad += qb[i] != want;
				bad += i >= t && dim != i;
			}
		}
	}
	VT_EQ(bad, 0);
}

/*
 * Scans must not read past the n codes they are given (the SQ4 kernel
 * reads 2 bytes past a 64-dimension chunk when more bytes of the array
 * follow): codes end at a page boundary with an inaccessible page after
 * it. Also agreement with the reference for larger n.
 */
static void sq_scan_bounds(void)
{
	static const u32 dims[] = { 64, 65, 66, 67, 68, 80, 100, 128, 129, 131, 132, 768 };
	static const u32 ns[] = { 1, 2, 3, 16, 17, 18, 33, 101 };
	long pg = sysconf(_SC_PAGESIZE);
	size_t maplen = 64 * (size_t)pg;
	u8 *map = mmap(NULL, maplen + pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static float q[768], vmin[768], step[768], qa[768], qb[768];
	static float r0[101], r1[101];
	const struct vq_ops *a = vq_active_ops(), *s = &vq_ops_scalar;
	u32 k, j, i, bits, bad = 0, cnt = 0;
	int metric;

	VT_CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	VT_EQ(mprotect(map + maplen, pg, PROT_NONE), 0);
	for (i = 0; i < maplen; i++)
		map[i] = (u8)vt_rnd();
	for (i = 0; i < 768; i++) {
		q[i] = unif() * 3;
		vmin[i] = unif();
		step[i] = fabsf(unif()) * 0.2f;
	}
	for (bits = 4; bits <= 8; bits += 4) {
		for (k = 0; k < sizeof(dims) / sizeof(dims[0]); k++) {
			u32 d = dims[k];
			size_t nb = vq_sq_code_size(d, bits);
			struct vq_sq sq = { d, bits, vmin, step };
			struct vq_sq_query qq = { .a = qa, .b = qb };

			for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
				u32 n = ns[j], v;
				const u8 *c = map + maplen - n * nb;

				for (metric = 0; metric <= 1; metric++) {
					VT_EQ(vq_sq_prepare(&sq, metric, q, &qq), 0);
					(bits == 8 ? a->sq8_scan : a->sq4_scan)(&qq, c, n, r0);
					(bits == 8 ? s->sq8_scan : s->sq4_scan)(&qq, c, n, r1);
					for (v = 0; v < n; v++) {
						double sb = sq_bound(&sq, metric, q,
								     qq.bias, c + v * nb);

						bad += !close_rel(r0[v], r1[v], sb);
						cnt++;
					}
				}
			}
		}
	}
	munmap(map, maplen + pg);
	VT_EQ(bad, 0);
	VT_CHECK(cnt > 1000);
}

static void hamming(void)
{
	enum { N = 100, NB = 200 };
	static u8 q[NB], c[N * NB];
	static u32 h0[N], h1[N];
	u32 nb, v, i, bad = 0, naive;

	for (i = 0; i < NB; i++)
		q[i] = (u8)vt_rnd();
	for (i = 0; i < N * NB; i++)
		c[i] = (u8)vt_rnd();
	for (nb = 1; nb <= NB; nb += (nb < 40 ? 1 : 13)) {
		vq_hamming_scan(q, c, nb, N, h0);
		vq_hamming_scan_ref(q, c, nb, N, h1);
		bad += memcmp(h0, h1, sizeof(h0)) != 0;
		for (v = 0; v < N; v += 17) {
			naive = 0;
			for (i = 0; i < nb * 8; i++)
				naive += ((q[i / 8] ^ c[v * nb + i / 8]) >> (i % 8)) & 1;
			bad += naive != h1[v];
		}
	}
	VT_EQ(bad, 0);
	/* binary codes of opposite vectors differ in every non-zero dim */
	{
		float x[2 * 9];
		u8 b[4];

		for (i = 0; i < 9; i++) {
			x[i] = (float)i - 4.0f;		/* one exact zero */
			x[9 + i] = -x[i];
		}
		vq_bin_encode(x, 9, 2, b);
		vq_hamming_scan(b, b + 2, 2, 1, h0);
		VT_EQ(h0[0], 8);
	}
}

/*
 * f32 and f16 scans read nothing past their vectors (the AVX-512 tails are
 * masked loads): the vectors end at a page with no access after it.
 */
static void f_scan_bounds(void)
{
	static const u32 dims[] = { 1, 7, 15, 16, 17, 31, 33, 63, 65, 100, 129, 768 };
	long pg = sysconf(_SC_PAGESIZE);
	size_t maplen = 16 * (size_t)pg;
	u8 *map = mmap(NULL, maplen + pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const struct vq_ops *a = vq_active_ops(), *s = &vq_ops_scalar;
	static float q[768], r0[3], r1[3];
	u32 k, i, v, bad = 0;

	VT_CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	VT_EQ(mprotect(map + maplen, pg, PROT_NONE), 0);
	for (i = 0; i < maplen / 4; i++)
		((float *)map)[i] = unif();
	for (i = 0; i < 768; i++)
		q[i] = unif();
	for (k = 0; k < sizeof(dims) / sizeof(dims[0]); k++) {
		u32 d = dims[k];
		const float *x = (const float *)(map + maplen) - 3 * d;
		const __le16 *h = (const __le16 *)(map + maplen) - 3 * d;

		a->l2sq_f32(q, x, d, 3, r0);
		s->l2sq_f32(q, x, d, 3, r1);
		for (v = 0; v < 3; v++)
			bad += !close_rel(r0[v], r1[v], r1[v]);
		a->ip_f32(q, x, d, 3, r0);
		a->cos_f32(q, x, d, 3, r0);
		/* f16 codes: random bits may be NaN; only the reads matter here */
		a->l2sq_f16(q, h, d, 3, r0);
		a->ip_f16(q, h, d, 3, r0);
	}
	munmap(map, maplen + pg);
	VT_EQ(bad, 0);
}

/*
 * On an AVX-512 machine the AVX2 kernels are what QEMU guests (and older
 * hosts) run: check them against the reference as well.
 */
/* The AVX-512 f32 and f16 kernels (not dispatched, see vq.c) vs the reference. */
static void avx512_float(void)
{
#if defined(__x86_64__)
	enum { N = 20, DM = 800 };
	static float q[DM], x[N * DM], r0[N], r1[N];
	static __le16 h[N * DM];
	u32 d, v, i, bad = 0;

	if (!have_avx512()) {
		printf("# no AVX-512 here\n");
		return;
	}
	for (d = 1; d <= DM; d += (d < 70 ? 1 : 37)) {
		for (i = 0; i < d; i++)
			q[i] = unif();
		for (i = 0; i < N * d; i++)
			x[i] = unif();
		vq_f16_encode_ref(x, h, (size_t)N * d);
		vq_ops_avx512.l2sq_f32(q, x, d, N, r0);
		vq_ops_scalar.l2sq_f32(q, x, d, N, r1);
		for (v = 0; v < N; v++)
			bad += !close_rel(r0[v], r1[v], r1[v]);
		vq_ops_avx512.ip_f32(q, x, d, N, r0);
		vq_ops_scalar.ip_f32(q, x, d, N, r1);
		for (v = 0; v < N; v++)
			bad += !close_rel(r0[v], r1[v], d);
		vq_ops_avx512.cos_f32(q, x, d, N, r0);
		vq_ops_scalar.cos_f32(q, x, d, N, r1);
		for (v = 0; v < N; v++)
			bad += fabsf(r0[v] - r1[v]) > 1e-4f;
		vq_ops_avx512.l2sq_f16(q, h, d, N, r0);
		vq_ops_scalar.l2sq_f16(q, h, d, N, r1);
		for (v = 0; v < N; v++)
			bad += !close_rel(r0[v], r1[v], r1[v]);
		vq_ops_avx512.ip_f16(q, h, d, N, r0);
		vq_ops_scalar.ip_f16(q, h, d, N, r1);
		for (v = 0; v < N; v++)
			bad += !close_rel(r0[v], r1[v], d);
	}
	VT_EQ(bad, 0);
#endif
}

static void avx2_path(void)
{
	if (!have_avx2() || !have_avx512()) {
		printf("# no AVX-512 here: the AVX2 path was the one checked above\n");
		return;
	}
	VT_EQ(vq_select_impl(feats & ~VQ_FEAT_AVX512), VQ_IMPL_AVX2);
	random_f32();
	random_f16();
	random_sq();
	sq_scan_bounds();
	f_scan_bounds();
	vq_select_impl(feats);
	VT_EQ(vq_active_ops()->impl, VQ_IMPL_AVX512);
}

/* The shared self check (what KUnit runs) passes for several seeds. */
static void selftest(void)
{
	static unsigned char scratch[1 << 20];
	u32 seed;

	VT_CHECK(vq_selftest_scratch_size() <= sizeof(scratch));
	for (seed = 1; seed < 40; seed++)
		VT_EQ(vq_selftest(seed, scratch, sizeof(scratch)), 0);
	for (seed = 100; seed < 140; seed++)
		VT_EQ(vq_selftest_sq(seed, scratch, sizeof(scratch)), 0);
	VT_EQ(vq_selftest(1, scratch, 16), -ENOSPC);
	VT_EQ(vq_selftest_sq(1, scratch, 16), -ENOSPC);
}

VT_MAIN("vq_dist",
	VT_CASE(impl_selection),
	VT_CASE(known_values),
	VT_CASE(cosine_zero_vectors),
	VT_CASE(random_f32),
	VT_CASE(random_f16),
	VT_CASE(random_sq),
	VT_CASE(sq_prepared_layout),
	VT_CASE(sq_scan_bounds),
	VT_CASE(f_scan_bounds),
	VT_CASE(hamming),
	VT_CASE(selftest),
	VT_CASE(avx512_float),
	VT_CASE(avx2_path))
