// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vgraph.c - native tests of the graph ANN index core (core/vgraph.c)
 * through the in-memory store (tools/lib/vgraph_mem.c): the byte-code
 * distance kernels against the reference, recall against brute force,
 * tombstones never returned, churn (delete 20% and insert as many, three
 * rounds) against a fresh build, an insert whose plan fails changing
 * nothing, the inner-product graph and the cosine code, and the parameter
 * checks.
 */
#include "vtest.h"
#include "vexfs/vq.h"
#include "core/vgraph.h"
#include "vgraph_mem.h"

static u32 rs = 4242;

static float vq_u32_as_f_test(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static u32 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

#define D	32
#define K	10

/* clustered byte codes: 40 centres, points within +-24 of theirs */
static void gen(u8 *out, u32 n)
{
	static u8 ctr[40][D];
	static bool init;
	u32 i, j;

	if (!init) {
		for (i = 0; i < 40; i++)
			for (j = 0; j < D; j++)
				ctr[i][j] = 40 + rnd() % 176;
		init = true;
	}
	for (i = 0; i < n; i++) {
		u32 c = rnd() % 40;

		for (j = 0; j < D; j++)
			out[(size_t)i * D + j] = ctr[c][j] + (int)(rnd() % 49) - 24;
	}
}

static u32 l2(const u8 *a, const u8 *b, u32 d)
{
	u32 s = 0, i;

	for (i = 0; i < d; i++)
		s += (u32)(((int)a[i] - b[i]) * ((int)a[i] - b[i]));
	return s;
}

/* the inner-product key of vq_dist_u8's VQ_U8_IP */
static u32 ipkey(const u8 *a, const u8 *b, u32 d)
{
	long long s = 0;
	u32 i;

	for (i = 0; i < d; i++)
		s += (long long)(2 * a[i] - 255) * (2 * b[i] - 255);
	return (u32)(0x80000000LL - s);
}

static void test_u8_kernels(void)
{
	static const u32 dims[] = { 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 784, 4096 };
	unsigned int feats = vq_cpu_features(), f[3] = { 0, VQ_FEAT_AVX2 | VQ_FEAT_FMA,
		VQ_FEAT_AVX2 | VQ_FEAT_FMA | VQ_FEAT_F16C | VQ_FEAT_AVX512 };
	static u8 a[4096], b[8][4096];
	const u8 *ptr[8];
	u32 out[8], t, di, i, v;

	for (t = 0; t < 3; t++) {
		if ((feats & f[t]) != f[t])
			continue;
		vq_select_impl(f[t]);
		for (di = 0; di < sizeof(dims) / sizeof(dims[0]); di++) {
			u32 d = dims[di];

			for (i = 0; i < d; i++)
				a[i] = (di & 1) ? 255 : rnd();
			for (v = 0; v < 8; v++) {
				for (i = 0; i < d; i++)
					b[v][i] = (di & 1) && v == 0 ? 0 : rnd();
				ptr[v] = b[v];
			}
			vq_l2sq_u8(a, ptr, d, 8, out);
			for (v = 0; v < 8; v++)
				VT_CHECK_MSG(out[v] == l2(a, b[v], d), "%s d %u: %u != %u",
					     vq_impl_name(), d, out[v], l2(a, b[v], d));
			vq_dist_u8(VQ_U8_IP, a, ptr, d, 8, out);
			for (v = 0; v < 8; v++)
				VT_CHECK_MSG(out[v] == ipkey(a, b[v], d), "%s ip d %u: %u != %u",
					     vq_impl_name(), d, out[v], ipkey(a, b[v], d));
		}
	}
	vq_select_impl(feats);
}

/* recall@K of slots[] (K per query) against brute force over the live codes */
static double recall(struct vgm *m, const u8 *q, u32 nq, u32 ef)
{
	u32 slots[K], dists[K], i, j, hit = 0, total = 0;
	u32 *all = malloc(sizeof(u32) * m->hiwat);

	for (i = 0; i < nq; i++) {
		const u8 *qi = q + (size_t)i * D;
		u64 best[K];
		u32 n = 0, got;
		int r = vgm_search(m, qi, ef, K, slots, dists);

		VT_CHECK(r >= 0);
		got = r < 0 ? 0 : (u32)r;
		for (j = 0; j < m->hiwat; j++) {
			u32 d;

			if (m->state[j] != VGM_LIVE)
				continue;
			d = l2(qi, m->codes + (size_t)j * D, D);
			vgraph_topk_insert(best, &n, K, (u64)d << 32 | j);
		}
		for (j = 0; j < got; j++) {
			VT_CHECK(m->state[slots[j]] == VGM_LIVE);
			VT_CHECK(dists[j] == l2(qi, m->codes + (size_t)slots[j] * D, D));
			if (dists[j] <= best[n - 1] >> 32)
				hit++;
		}
		total += VEXFS_MIN(n, K);
	}
	free(all);
	return (double)hit / total;
}

static void test_recall(void)
{
	u32 n = 4000, nq = 200;
	u8 *x = malloc((size_t)n * D), *q = malloc((size_t)nq * D);
	struct vgm m;
	double r64, r16;
	u32 i;

	gen(x, n);
	gen(q, nq);
	VT_EQ(vgm_init(&m, D, 16, 100, 64, 256, n), 0);
	VT_EQ(vgraph_search(&m.g, &m.s, q, 10), 0);	/* empty */
	for (i = 0; i < n; i++)
		VT_EQ(vgm_insert(&m, x + (size_t)i * D, i), (int)i);
	VT_EQ(vgm_insert(&m, x, 0), -ENOSPC);
	for (i = 0; i < n; i++)
		VT_CHECK(m.cnt[i] >= 1 && m.cnt[i] <= 16);
	r16 = recall(&m, q, nq, 16);
	r64 = recall(&m, q, nq, 64);
	printf("# recall@10: ef 16 %.4f, ef 64 %.4f\n", r16, r64);
	VT_CHECK(r64 >= 0.97);
	VT_CHECK(r64 >= r16);
	vgm_free(&m);
	free(x);
	free(q);
}

static void test_tombstones(void)
{
	u32 n = 2000, i, slots[K];
	u8 *x = malloc((size_t)n * D);
	struct vgm m;
	int r;

	gen(x, n);
	VT_EQ(vgm_init(&m, D, 12, 100, 48, 64, n), 0);
	for (i = 0; i < n; i++)
		vgm_insert(&m, x + (size_t)i * D, i);
	/* the nearest of a point is itself: delete it, it must not come back */
	for (i = 0; i < n; i += 3)
		vgm_delete(&m, i);
	VT_CHECK(m.state[m.g.entry] == VGM_LIVE);
	for (i = 0; i < n; i += 7) {
		u32 j, seen = 0;

		r = vgm_search(&m, x + (size_t)i * D, 32, K, slots, NULL);
		VT_EQ(r, K);
		for (j = 0; j < (u32)r; j++)
			seen += slots[j] == i;
		/* a live point finds itself first (distance 0), a deleted one never */
		if (i % 3)
			VT_CHECK(r > 0 && slots[0] == i);
		else
			VT_EQ(seen, 0);
	}
	VT_CHECK(vgm_consolidate(&m) > 0);
	VT_EQ(m.nfree, (n + 2) / 3);
	for (i = 0; i < m.hiwat; i++) {
		u32 j;

		for (j = 0; m.state[i] == VGM_LIVE && j < m.cnt[i]; j++)
			VT_CHECK(m.state[m.nbr[(size_t)i * m.g.r + j]] == VGM_LIVE);
	}
	/* delete everything: searches find nothing, the entry is gone */
	for (i = 0; i < m.hiwat; i++)
		vgm_delete(&m, i);
	VT_EQ(m.g.entry, VGRAPH_NONE);
	VT_EQ(vgm_search(&m, x, 16, K, slots, NULL), 0);
	vgm_free(&m);
	free(x);
}

/*
 * The churn test in miniature: three rounds of deleting 20% at
 * random and inserting as many new points; recall at the same ef within
 * 0.01 of a fresh build over the same final set.
 */
static void test_churn(void)
{
	u32 n = 3000, nq = 200, round, i, ef = 24;
	u8 *x = malloc((size_t)n * D), *q = malloc((size_t)nq * D), *fresh;
	struct vgm m, f;
	double rc, rf;

	gen(x, n);
	gen(q, nq);
	VT_EQ(vgm_init(&m, D, 16, 100, 64, 64, n), 0);
	for (i = 0; i < n; i++)
		vgm_insert(&m, x + (size_t)i * D, i);
	for (round = 0; round < 3; round++) {
		u32 del = 0;
		u8 *nx = malloc((size_t)(n / 5) * D);

		while (del < n / 5) {
			u32 s = rnd() % m.hiwat;

			if (m.state[s] == VGM_LIVE) {
				vgm_delete(&m, s);
				del++;
			}
		}
		VT_CHECK(vgm_consolidate(&m) >= 0);
		gen(nx, n / 5);
		for (i = 0; i < n / 5; i++)
			VT_CHECK(vgm_insert(&m, nx + (size_t)i * D, n + i) >= 0);
		free(nx);
	}
	VT_EQ(m.nlive, n);
	fresh = malloc((size_t)n * D);
	VT_EQ(vgm_init(&f, D, 16, 100, 64, 64, n), 0);
	for (i = 0; i < m.hiwat; i++)
		if (m.state[i] == VGM_LIVE)
			vgm_insert(&f, m.codes + (size_t)i * D, i);
	rc = recall(&m, q, nq, ef);
	rf = recall(&f, q, nq, ef);
	printf("# churn: recall@10 at ef %u: after 3 rounds %.4f, fresh build %.4f\n", ef, rc, rf);
	VT_CHECK(rc >= rf - 0.01);
	vgm_free(&m);
	vgm_free(&f);
	free(fresh);
	free(x);
	free(q);
}

/* an insert whose plan fails part-way changes no list */
static int fail_after;
static int (*real_nbrs)(void *ctx, u32 slot, u32 *out);

static int failing_nbrs(void *ctx, u32 slot, u32 *out)
{
	if (fail_after-- == 0)
		return -EIO;
	return real_nbrs(ctx, slot, out);
}

static void test_plan_failure(void)
{
	u32 n = 500, i, tries, unchanged = 0;
	u8 *x = malloc((size_t)(n + 1) * D);
	struct vgraph_ops ops;
	struct vgm m;
	u32 *nbr0 = malloc((size_t)n * 12 * sizeof(u32));
	u8 *cnt0 = malloc(n);

	gen(x, n + 1);
	VT_EQ(vgm_init(&m, D, 12, 100, 32, 32, n + 1), 0);
	for (i = 0; i < n; i++)
		vgm_insert(&m, x + (size_t)i * D, i);
	ops = *m.g.ops;
	real_nbrs = ops.nbrs;
	ops.nbrs = failing_nbrs;
	m.g.ops = &ops;
	for (tries = 0; tries < 60; tries++) {
		memcpy(nbr0, m.nbr, (size_t)n * 12 * sizeof(u32));
		memcpy(cnt0, m.cnt, n);
		fail_after = tries;
		if (vgm_insert(&m, x + (size_t)n * D, n) != -EIO)
			break;
		VT_EQ(m.nlive, n);
		VT_EQ(m.hiwat, n + 1);
		VT_EQ(m.nfree, 1);
		VT_CHECK(memcmp(cnt0, m.cnt, n) == 0);
		if (!memcmp(nbr0, m.nbr, (size_t)n * 12 * sizeof(u32)))
			unchanged++;
	}
	VT_CHECK(tries > 3);		/* failures at several points of the plan */
	VT_EQ(unchanged, tries);
	VT_EQ(m.nlive, n + 1);		/* the last try went through */
	vgm_free(&m);
	free(x);
	free(nbr0);
	free(cnt0);
}

/*
 * Filtered search (issue 10's filters): labels 0..999 at random, filters
 * passing 50%, 10%, 1% and 0.1% of the points: k results whenever k pass,
 * every result passes, recall@10 >= 0.95 against brute force over the
 * passing points; the rare filters go exact (vgraph_filtered_ef).
 */
static u16 *labels;

static bool below(void *arg, u32 slot)
{
	return labels[slot] < (u32)(uintptr_t)arg;
}

static void test_filtered(void)
{
	static const u32 lim[] = { 500, 100, 10, 1 };
	u32 n = 4000, nq = 100, f, i, j;
	u8 *x = malloc((size_t)n * D), *q = malloc((size_t)nq * D);
	struct vgm m;

	labels = malloc(sizeof(u16) * n);
	gen(x, n);
	gen(q, nq);
	for (i = 0; i < n; i++)
		labels[i] = rnd() % 1000;
	VT_EQ(vgm_init(&m, D, 16, 100, 64, VGRAPH_MAX_EF, n), 0);
	for (i = 0; i < n; i++)
		vgm_insert(&m, x + (size_t)i * D, i);
	for (f = 0; f < 4; f++) {
		void *arg = (void *)(uintptr_t)lim[f];
		u32 hit = 0, total = 0, npass = 0, exact = 0;

		for (i = 0; i < n; i++)
			npass += below(arg, i);
		for (i = 0; i < nq; i++) {
			const u8 *qi = q + (size_t)i * D;
			u32 slots[K], dists[K], nb = 0;
			u64 best[K];
			int r = vgm_search_filtered(&m, qi, 32, K, below, arg, slots, dists);

			exact += m.exact;
			for (j = 0; j < n; j++) {
				u32 d;

				if (!below(arg, j))
					continue;
				d = l2(qi, x + (size_t)j * D, D);
				vgraph_topk_insert(best, &nb, K, (u64)d << 32 | j);
			}
			VT_EQ(r, (int)VEXFS_MIN(npass, K));
			for (j = 0; r > 0 && j < (u32)r; j++) {
				VT_CHECK(below(arg, slots[j]));
				hit += dists[j] <= best[nb - 1] >> 32;
			}
			total += nb;
		}
		printf("# filter passing %u of %u: recall@10 %.4f, %u of %u searches exact\n",
		       npass, n, (double)hit / total, exact, nq);
		VT_CHECK((double)hit / total >= 0.95);
		VT_CHECK(f < 2 ? exact == 0 : exact == nq);
	}
	vgm_free(&m);
	free(labels);
	free(x);
	free(q);
}

/*
 * An inner-product index (an L2 graph searched by VQ_U8_IP) over codes of
 * points whose norms vary, so that the inner product's order is not L2's:
 * recall@10 against brute force over the same keys; then the extremes of
 * the key (all 0 and all 255 codes of d 4096) against the reference.
 */
static void test_ip(void)
{
	u32 n = 4000, nq = 200, i, j, hit = 0, total = 0, slots[K], dists[K];
	u8 *x = malloc((size_t)n * D), *q = malloc((size_t)nq * D);
	static u8 zero[4096], full[4096];
	const u8 *ptr[2] = { zero, full };
	struct vgm m;
	u32 out[2];

	gen(x, n);
	gen(q, nq);
	/* scale every point about the centre 127.5 by 0.25..1: norms spread */
	for (i = 0; i < n; i++) {
		u32 f = 25 + rnd() % 76;

		for (j = 0; j < D; j++) {
			u8 *c = x + (size_t)i * D + j;

			*c = (u8)((2 * (int)*c - 255) * (int)f / 200 + 128);
		}
	}
	VT_EQ(vgm_init(&m, D, 16, 110, 64, 256, n), 0);
	m.kind = VQ_U8_IP;
	for (i = 0; i < n; i++)
		VT_EQ(vgm_insert(&m, x + (size_t)i * D, i), (int)i);
	for (i = 0; i < nq; i++) {
		const u8 *qi = q + (size_t)i * D;
		u64 best[K];
		u32 nb = 0, got;
		int r = vgm_search(&m, qi, 64, K, slots, dists);

		VT_CHECK(r == K);
		got = r < 0 ? 0 : (u32)r;
		for (j = 0; j < n; j++)
			vgraph_topk_insert(best, &nb, K, (u64)ipkey(qi, x + (size_t)j * D, D) << 32 | j);
		for (j = 0; j < got; j++) {
			VT_CHECK(dists[j] == ipkey(qi, x + (size_t)slots[j] * D, D));
			hit += dists[j] <= best[nb - 1] >> 32;
		}
		total += K;
	}
	printf("# inner product recall@10, ef 64: %.4f\n", (double)hit / total);
	VT_CHECK((double)hit / total >= 0.95);
	vgm_free(&m);
	memset(full, 255, sizeof(full));
	vq_dist_u8(VQ_U8_IP, full, ptr, 4096, 2, out);
	VT_EQ(out[0], ipkey(full, zero, 4096));		/* 2^31 + 4096 * 255^2 */
	VT_EQ(out[1], ipkey(full, full, 4096));		/* 2^31 - 4096 * 255^2 */
	VT_CHECK(out[1] < out[0]);
	free(x);
	free(q);
}

/* the cosine code: x / |x| coded; a scaled copy codes the same; zero stays zero */
static void test_unit_code(void)
{
	float x[64], y[64], z[64] = { 0 };
	u32 lo = 0x7f800000, hi = 0xff800000, step, i;
	u8 cx[64], cy[64], cz[64];

	for (i = 0; i < 64; i++) {
		x[i] = (float)((int)(rnd() % 2001) - 1000) / 100.0f;
		y[i] = x[i] * 8.0f;
	}
	vq_f32_minmax_unit(x, 64, &lo, &hi);
	vq_f32_minmax_unit(z, 64, &lo, &hi);	/* no direction: no change */
	VT_CHECK(vq_u32_as_f_test(lo) >= -1.0f && vq_u32_as_f_test(hi) <= 1.0f);
	VT_CHECK(vq_u32_as_f_test(lo) < vq_u32_as_f_test(hi));
	step = vq_u8_step(lo, hi);
	vq_u8_encode_unit(x, 64, lo, step, cx);
	vq_u8_encode_unit(y, 64, lo, step, cy);
	VT_CHECK(!memcmp(cx, cy, 64));
	/* the extremes of the range code 0 and 255 */
	for (i = 0, lo = 0; i < 64; i++)
		lo |= (cx[i] == 0) | (cx[i] == 255) << 1;
	VT_EQ(lo, 3);
	lo = 0xbf800000;	/* [-1, 1] */
	vq_u8_encode_unit(z, 64, lo, vq_u8_step(lo, 0x3f800000), cz);
	/* the middle of the range: 127.5 rounded one way or the other, the same for all */
	for (i = 0; i < 64; i++)
		VT_CHECK(cz[i] == cz[0] && (cz[0] == 127 || cz[0] == 128));
	/* the IP range: symmetric about 0, as wide as the widest side */
	lo = 0xc0000000;	/* -2 */
	hi = 0x3f800000;	/* 1 */
	vq_u8_symmetric(&lo, &hi);
	VT_EQ(lo, 0xc0000000);
	VT_EQ(hi, 0x40000000);
	lo = 0x3f800000;	/* [1, 3] */
	hi = 0x40400000;
	vq_u8_symmetric(&lo, &hi);
	VT_EQ(lo, 0xc0400000);
	VT_EQ(hi, 0x40400000);
}

static void test_params(void)
{
	VT_EQ(vgraph_check_params(784, 32, 100, 200), 0);
	VT_EQ(vgraph_check_params(0, 32, 100, 200), -EINVAL);
	VT_EQ(vgraph_check_params(4097, 32, 100, 200), -EINVAL);
	VT_EQ(vgraph_check_params(16, 3, 100, 200), -EINVAL);
	VT_EQ(vgraph_check_params(16, 65, 100, 200), -EINVAL);
	VT_EQ(vgraph_check_params(16, 32, 99, 200), -EINVAL);
	VT_EQ(vgraph_check_params(16, 32, 201, 200), -EINVAL);
	VT_EQ(vgraph_check_params(16, 32, 100, 31), -EINVAL);
	VT_EQ(vgraph_check_params(16, 32, 100, VGRAPH_MAX_EF + 1), -EINVAL);
	/* the quantizer's step: positive and normal whatever the range */
	VT_EQ(vq_u8_step(0, 0x3f800000), 0x3b808081);		/* [0, 1]: 1 / 255 */
	VT_EQ(vq_u8_step(0x3f800000, 0x3f800000), 0x3f800000);	/* constant: 1 */
	VT_EQ(vq_u8_step(0x3f800000, 0), 0x3f800000);		/* inverted: 1 */
	VT_EQ(vq_u8_step(0, 1), 0x3f800000);			/* the least denormal */
	VT_EQ(vq_u8_step(0xff7fffff, 0x7f7fffff), 0x3f800000);	/* span overflows */
}

VT_MAIN("vgraph",
	VT_CASE(test_u8_kernels),
	VT_CASE(test_recall),
	VT_CASE(test_tombstones),
	VT_CASE(test_churn),
	VT_CASE(test_plan_failure),
	VT_CASE(test_filtered),
	VT_CASE(test_ip),
	VT_CASE(test_unit_code),
	VT_CASE(test_params));
