// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vgraph_test.c - KUnit suite "vexfs_vgraph": the graph ANN index core
 * (src/core/vgraph.c) inside the kernel. The byte-code distance kernels give
 * the reference's integers under kernel_fpu_begin/end; a small graph over
 * nodes in kernel memory, with the operations written the way the
 * filesystem will write them (one FPU section per distance call, nothing
 * that sleeps inside it), finds every live point first and never a
 * tombstone, repairs its lists, and an insert whose plan fails changes
 * nothing. Integer-only file: every float stays in the FPU files.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <asm/fpu/api.h>
#include "vexfs/vq.h"
#include "core/vgraph.h"
#include "vexfs.h"
#include "ktest.h"

#define VG_T_N	600
#define VG_T_D	40	/* a 32-byte step and a scalar tail */
#define VG_T_R	12

struct vg_t {
	u8 codes[VG_T_N][VG_T_D];
	u32 nbr[VG_T_N][VG_T_R];
	u8 cnt[VG_T_N], dead[VG_T_N];
	const u8 *ptrs[VG_T_R * VG_T_R + VG_T_R + VGRAPH_MAX_SEEDS + 1];
	u32 seeds[VGRAPH_MAX_SEEDS];
	int fail_after;		/* nbrs() fails when this reaches 0; < 0: never */
};

static int vg_t_dist(void *ctx, const u8 *q, const u32 *slots, u32 n, u32 *out, u8 *del)
{
	struct vg_t *t = ctx;
	u32 i;

	for (i = 0; i < n; i++) {
		if (slots[i] >= VG_T_N)
			return -EUCLEAN;
		t->ptrs[i] = t->codes[slots[i]];
		del[i] = t->dead[slots[i]];
	}
	kernel_fpu_begin();
	vq_l2sq_u8(q, t->ptrs, VG_T_D, n, out);
	kernel_fpu_end();
	return 0;
}

static int vg_t_nbrs(void *ctx, u32 slot, u32 *out)
{
	struct vg_t *t = ctx;

	if (t->fail_after >= 0 && t->fail_after-- == 0)
		return -EIO;
	memcpy(out, t->nbr[slot], t->cnt[slot] * sizeof(u32));
	return t->cnt[slot];
}

static int vg_t_code(void *ctx, u32 slot, u8 *out)
{
	struct vg_t *t = ctx;

	memcpy(out, t->codes[slot], VG_T_D);
	return 0;
}

static const struct vgraph_ops vg_t_ops = {
	.dist = vg_t_dist,
	.nbrs = vg_t_nbrs,
	.code = vg_t_code,
};

static void vg_t_apply(struct vg_t *t, const struct vgraph_plan *p)
{
	u32 i;

	if (p->n != VGRAPH_NONE) {
		memcpy(t->nbr[p->slot], p->nbr, p->n * sizeof(u32));
		t->cnt[p->slot] = p->n;
	}
	for (i = 0; i < p->nupd; i++) {
		memcpy(t->nbr[p->upd_slot[i]], p->upd + i * VG_T_R, p->upd_n[i] * sizeof(u32));
		t->cnt[p->upd_slot[i]] = p->upd_n[i];
	}
}

static void vgraph_test_u8_kernel(struct kunit *test)
{
	static const u32 dims[] = { 1, 16, 31, 32, 33, 64, 100, 784 };
	u8 *a = kunit_kzalloc(test, 784, GFP_KERNEL), *b = kunit_kzalloc(test, 4 * 784, GFP_KERNEL);
	const u8 *ptr[4];
	u32 out[4], ref[4], s = 99, i, k;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (k = 0; k < ARRAY_SIZE(dims); k++) {
		for (i = 0; i < dims[k]; i++)
			a[i] = k & 1 ? 255 : kt_next(&s);
		for (i = 0; i < 4 * dims[k]; i++)
			b[i] = k & 1 && i < dims[k] ? 0 : kt_next(&s);
		for (i = 0; i < 4; i++)
			ptr[i] = b + i * dims[k];
		kernel_fpu_begin();
		vq_l2sq_u8(a, ptr, dims[k], 4, out);
		kernel_fpu_end();
		for (i = 0; i < 4; i++) {
			u32 l;

			for (l = 0, ref[i] = 0; l < dims[k]; l++)
				ref[i] += (a[l] - ptr[i][l]) * (a[l] - ptr[i][l]);
		}
		KUNIT_EXPECT_EQ_MSG(test, memcmp(out, ref, sizeof(out)), 0, "d %u (%s)", dims[k],
				    vq_impl_name());
		/* the inner-product key: 2^31 - sum (2a - 255)(2b - 255) */
		kernel_fpu_begin();
		vq_dist_u8(VQ_U8_IP, a, ptr, dims[k], 4, out);
		kernel_fpu_end();
		for (i = 0; i < 4; i++) {
			u32 l;

			for (l = 0, ref[i] = 0x80000000U; l < dims[k]; l++)
				ref[i] -= (u32)((2 * a[l] - 255) * (2 * ptr[i][l] - 255));
		}
		KUNIT_EXPECT_EQ_MSG(test, memcmp(out, ref, sizeof(out)), 0, "ip d %u (%s)",
				    dims[k], vq_impl_name());
	}
}

struct vg_t_ctx {
	struct vg_t *t;
	struct vgraph g;
	struct vgraph_scratch s;
	struct vgraph_plan p;
};

static int vg_t_setup(struct kunit *test, struct vg_t_ctx *c)
{
	void *smem, *pmem;
	u32 s = 7, i, j;
	u8 ctr[8][VG_T_D];

	c->t = kvzalloc(sizeof(*c->t), GFP_KERNEL);
	smem = kunit_kzalloc(test, vgraph_scratch_size(VG_T_R, 48, VG_T_D), GFP_KERNEL);
	pmem = kunit_kzalloc(test, vgraph_plan_size(VG_T_R), GFP_KERNEL);
	if (!c->t || !smem || !pmem)
		return -ENOMEM;
	c->t->fail_after = -1;
	/* 8 clusters of points within +-20 of their centre */
	for (i = 0; i < 8; i++)
		for (j = 0; j < VG_T_D; j++)
			ctr[i][j] = 40 + kt_next(&s) % 176;
	for (i = 0; i < VG_T_N; i++) {
		u32 k = kt_next(&s) % 8;

		for (j = 0; j < VG_T_D; j++)
			c->t->codes[i][j] = ctr[k][j] + kt_next(&s) % 41 - 20;
	}
	c->g.ops = &vg_t_ops;
	c->g.ctx = c->t;
	c->g.dims = VG_T_D;
	c->g.r = VG_T_R;
	c->g.alpha = 100;
	c->g.entry = VGRAPH_NONE;
	c->g.seeds = c->t->seeds;
	c->g.nseeds = 0;
	vgraph_scratch_init(&c->s, smem, VG_T_R, 48, VG_T_D);
	vgraph_plan_init(&c->p, pmem, VG_T_R);
	return 0;
}

static int vg_t_insert(struct vg_t_ctx *c, u32 slot)
{
	u32 seed;
	int ret = vgraph_insert_plan(&c->g, &c->s, slot, c->t->codes[slot], 48, &c->p);

	if (ret)
		return ret;
	vg_t_apply(c->t, &c->p);
	if (c->g.entry == VGRAPH_NONE)
		c->g.entry = slot;
	seed = vgraph_seed_pick(slot + 1, &c->g.nseeds);
	if (seed != VGRAPH_NONE)
		c->t->seeds[seed] = slot;
	return 0;
}

/* the first live list entry of a search for slot's own code */
static u32 vg_t_first(struct vg_t_ctx *c, u32 slot, u32 ef)
{
	int n = vgraph_search(&c->g, &c->s, c->t->codes[slot], ef), i;

	for (i = 0; i < n; i++)
		if (!(c->s.lflag[i] & VGRAPH_F_DELETED))
			return vgraph_list_slot(&c->s, i);
	return VGRAPH_NONE;
}

static void vgraph_test_build_search(struct kunit *test)
{
	struct vg_t_ctx c;
	u32 i, j, found = 0, seen = 0;

	KUNIT_ASSERT_EQ(test, vg_t_setup(test, &c), 0);
	KUNIT_EXPECT_EQ(test, vgraph_search(&c.g, &c.s, c.t->codes[0], 16), 0);
	for (i = 0; i < VG_T_N; i++)
		KUNIT_ASSERT_EQ(test, vg_t_insert(&c, i), 0);
	for (i = 0; i < VG_T_N; i++) {
		KUNIT_EXPECT_GE(test, c.t->cnt[i], 1);
		for (j = 0; j < c.t->cnt[i]; j++)
			KUNIT_EXPECT_LT(test, c.t->nbr[i][j], VG_T_N);
		found += vg_t_first(&c, i, 24) == i;
	}
	/* exact self-match: the graph must find (almost) every point */
	KUNIT_EXPECT_GE(test, found, VG_T_N - VG_T_N / 100);
	/* tombstones: every third point deleted is never a result */
	for (i = 0; i < VG_T_N; i += 3)
		c.t->dead[i] = 1;
	for (i = 0; i < VG_T_N; i += 3) {
		int n = vgraph_search(&c.g, &c.s, c.t->codes[i], 24), k;

		for (k = 0; k < n; k++)
			if (!(c.s.lflag[k] & VGRAPH_F_DELETED))
				seen += vgraph_list_slot(&c.s, k) % 3 == 0;
	}
	KUNIT_EXPECT_EQ(test, seen, 0);
	/* repair every live list: no live node names a tombstone afterwards */
	for (i = 0; i < VG_T_N; i++) {
		if (c.t->dead[i])
			continue;
		KUNIT_ASSERT_EQ(test, vgraph_repair_plan(&c.g, &c.s, i, &c.p), 0);
		vg_t_apply(c.t, &c.p);
	}
	for (i = 0, seen = 0; i < VG_T_N; i++)
		for (j = 0; !c.t->dead[i] && j < c.t->cnt[i]; j++)
			seen += c.t->dead[c.t->nbr[i][j]];
	KUNIT_EXPECT_EQ(test, seen, 0);
	kvfree(c.t);
}

static void vgraph_test_plan_failure(struct kunit *test)
{
	struct vg_t_ctx c;
	u8 *cnt0 = kunit_kzalloc(test, VG_T_N, GFP_KERNEL);
	u32 *nbr0 = kunit_kzalloc(test, sizeof(c.t->nbr), GFP_KERNEL);
	int tries, ret = -EIO;

	KUNIT_ASSERT_NOT_NULL(test, cnt0);
	KUNIT_ASSERT_NOT_NULL(test, nbr0);
	KUNIT_ASSERT_EQ(test, vg_t_setup(test, &c), 0);
	for (tries = 0; tries < VG_T_N - 1; tries++)
		KUNIT_ASSERT_EQ(test, vg_t_insert(&c, tries), 0);
	memcpy(cnt0, c.t->cnt, VG_T_N);
	memcpy(nbr0, c.t->nbr, sizeof(c.t->nbr));
	for (tries = 0; tries < 100 && ret == -EIO; tries++) {
		c.t->fail_after = tries;
		ret = vgraph_insert_plan(&c.g, &c.s, VG_T_N - 1, c.t->codes[VG_T_N - 1], 48, &c.p);
		if (ret == -EIO) {
			KUNIT_EXPECT_EQ(test, memcmp(cnt0, c.t->cnt, VG_T_N), 0);
			KUNIT_EXPECT_EQ(test, memcmp(nbr0, c.t->nbr, sizeof(c.t->nbr)), 0);
		}
	}
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_GT(test, tries, 3);
	kvfree(c.t);
}

static struct kunit_case vgraph_test_cases[] = {
	KUNIT_CASE(vgraph_test_u8_kernel),
	KUNIT_CASE(vgraph_test_build_search),
	KUNIT_CASE(vgraph_test_plan_failure),
	{}
};

static struct kunit_suite vgraph_test_suite = {
	.name = "vexfs_vgraph",
	.test_cases = vgraph_test_cases,
};

kunit_test_suites(&vgraph_test_suite);
