// SPDX-License-Identifier: GPL-2.0 OR MIT
/* vgraph_mem.c - the graph ANN index over nodes in memory (vgraph_mem.h). */
#include <stdlib.h>
#include "vgraph_mem.h"
#include "vexfs/vq.h"

static int vgm_dist(void *ctx, const u8 *q, const u32 *slots, u32 n, u32 *out, u8 *deleted)
{
	struct vgm *m = ctx;
	u32 i;

	for (i = 0; i < n; i++) {
		m->ptrs[i] = m->codes + (size_t)slots[i] * m->g.dims;
		deleted[i] = m->state[slots[i]] != VGM_LIVE ||
			     (m->pass && !m->pass(m->pass_arg, slots[i]));
	}
	vq_dist_u8(m->cur, q, m->ptrs, m->g.dims, n, out);
	m->ndist += n;
	return 0;
}

static int vgm_nbrs(void *ctx, u32 slot, u32 *out)
{
	struct vgm *m = ctx;

	memcpy(out, m->nbr + (size_t)slot * m->g.r, m->cnt[slot] * sizeof(u32));
	return m->cnt[slot];
}

static int vgm_code(void *ctx, u32 slot, u8 *out)
{
	struct vgm *m = ctx;

	memcpy(out, m->codes + (size_t)slot * m->g.dims, m->g.dims);
	return 0;
}

static const struct vgraph_ops vgm_ops = {
	.dist = vgm_dist,
	.nbrs = vgm_nbrs,
	.code = vgm_code,
};

int vgm_init(struct vgm *m, u32 dims, u32 r, u32 alpha, u32 ef_c, u32 ef_max, u32 cap)
{
	u32 ef = VEXFS_MAX(ef_c, ef_max);
	int ret = vgraph_check_params(dims, r, alpha, ef_c);

	if (ret)
		return ret;
	if (ef_max > VGRAPH_MAX_EF)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->g.ops = &vgm_ops;
	m->g.ctx = m;
	m->g.dims = dims;
	m->g.r = r;
	m->g.alpha = alpha;
	m->g.entry = VGRAPH_NONE;
	m->g.seeds = m->seeds;
	m->cap = cap;
	m->ef_c = ef_c;
	m->codes = malloc((size_t)cap * dims);
	m->nbr = malloc((size_t)cap * r * sizeof(u32));
	m->cnt = calloc(cap, 1);
	m->state = calloc(cap, 1);
	m->id = calloc(cap, sizeof(u64));
	m->freel = malloc((size_t)cap * sizeof(u32));
	m->ptrs = malloc(sizeof(*m->ptrs) * (VEXFS_MAX(ef, r * r + r) + 1));
	m->smem = aligned_alloc(64, VEXFS_ALIGN_UP(vgraph_scratch_size(r, ef, dims), 64));
	m->pmem = malloc(vgraph_plan_size(r));
	if (!m->codes || !m->nbr || !m->cnt || !m->state || !m->id || !m->freel || !m->ptrs ||
	    !m->smem || !m->pmem) {
		vgm_free(m);
		return -ENOMEM;
	}
	vgraph_scratch_init(&m->s, m->smem, r, ef, dims);
	vgraph_plan_init(&m->p, m->pmem, r);
	return 0;
}

void vgm_free(struct vgm *m)
{
	free(m->codes);
	free(m->nbr);
	free(m->cnt);
	free(m->state);
	free(m->id);
	free(m->freel);
	free(m->ptrs);
	free(m->smem);
	free(m->pmem);
	memset(m, 0, sizeof(*m));
}

static void vgm_apply(struct vgm *m, const struct vgraph_plan *p)
{
	u32 r = m->g.r, i;

	if (p->n != VGRAPH_NONE) {
		memcpy(m->nbr + (size_t)p->slot * r, p->nbr, p->n * sizeof(u32));
		m->cnt[p->slot] = p->n;
	}
	for (i = 0; i < p->nupd; i++) {
		memcpy(m->nbr + (size_t)p->upd_slot[i] * r, p->upd + (size_t)i * r,
		       p->upd_n[i] * sizeof(u32));
		m->cnt[p->upd_slot[i]] = p->upd_n[i];
	}
}

int vgm_insert(struct vgm *m, const u8 *code, u64 id)
{
	u32 slot, seed;
	int ret;

	if (m->nfree)
		slot = m->freel[--m->nfree];
	else if (m->hiwat < m->cap)
		slot = m->hiwat++;
	else
		return -ENOSPC;
	/* the pending node must answer code() and dist() for its own slot */
	memcpy(m->codes + (size_t)slot * m->g.dims, code, m->g.dims);
	m->cnt[slot] = 0;
	m->state[slot] = VGM_LIVE;
	ret = vgraph_insert_plan(&m->g, &m->s, slot, code, m->ef_c, &m->p);
	if (ret) {
		m->state[slot] = VGM_FREE;
		m->freel[m->nfree++] = slot;
		return ret;
	}
	vgm_apply(m, &m->p);
	m->id[slot] = id;
	m->nlive++;
	if (m->g.entry == VGRAPH_NONE)
		m->g.entry = slot;
	seed = vgraph_seed_pick(++m->ninsert, &m->g.nseeds);
	if (seed != VGRAPH_NONE)
		m->seeds[seed] = slot;
	return slot;
}

void vgm_delete(struct vgm *m, u32 slot)
{
	u32 i, e;

	if (m->state[slot] != VGM_LIVE)
		return;
	m->state[slot] = VGM_DEAD;
	m->nlive--;
	m->ndead++;
	for (i = 0; i < m->g.nseeds; i++) {
		if (m->seeds[i] == slot) {
			m->seeds[i] = m->seeds[--m->g.nseeds];
			break;
		}
	}
	if (m->g.entry != slot)
		return;
	/* a live neighbour of the old entry, or any live node */
	e = VGRAPH_NONE;
	for (i = 0; i < m->cnt[slot] && e == VGRAPH_NONE; i++)
		if (m->state[m->nbr[(size_t)slot * m->g.r + i]] == VGM_LIVE)
			e = m->nbr[(size_t)slot * m->g.r + i];
	for (i = 0; i < m->hiwat && e == VGRAPH_NONE; i++)
		if (m->state[i] == VGM_LIVE)
			e = i;
	m->g.entry = e;
}

int vgm_consolidate(struct vgm *m)
{
	u32 i, changed = 0;
	int ret;

	if (!m->ndead)
		return 0;
	for (i = 0; i < m->hiwat; i++) {
		if (m->state[i] != VGM_LIVE)
			continue;
		ret = vgraph_repair_plan(&m->g, &m->s, i, &m->p);
		if (ret)
			return ret;
		if (m->p.n != VGRAPH_NONE) {
			vgm_apply(m, &m->p);
			changed++;
		}
	}
	for (i = 0; i < m->hiwat; i++) {
		if (m->state[i] != VGM_DEAD)
			continue;
		m->state[i] = VGM_FREE;
		m->cnt[i] = 0;
		m->freel[m->nfree++] = i;
	}
	m->ndead = 0;
	return changed;
}

int vgm_search(struct vgm *m, const u8 *q, u32 ef, u32 k, u32 *slots, u32 *dists)
{
	u32 i;
	int n;

	m->cur = m->kind;
	n = vgraph_search_k(&m->g, &m->s, q, VEXFS_MAX(ef, k), k);
	m->cur = VQ_U8_L2;

	for (i = 0; n > 0 && i < (u32)n; i++) {
		slots[i] = vgraph_res_slot(&m->s, i);
		if (dists)
			dists[i] = vgraph_res_dist(&m->s, i);
	}
	return n;
}

int vgm_search_filtered(struct vgm *m, const u8 *q, u32 ef, u32 k,
			bool (*pass)(void *arg, u32 slot), void *arg, u32 *slots, u32 *dists)
{
	u64 npass = 0, *best;
	u32 i, ef2, nb = 0, d;
	int n;

	for (i = 0; i < m->hiwat; i++)
		npass += m->state[i] == VGM_LIVE && pass(arg, i);
	ef2 = vgraph_filtered_ef(ef, k, npass, m->nlive);
	m->exact = !ef2;
	if (ef2) {
		m->pass = pass;
		m->pass_arg = arg;
		n = vgm_search(m, q, ef2, k, slots, dists);
		m->pass = NULL;
		return n;
	}
	/* exact: every passing node, k best by (distance, slot) */
	best = malloc(sizeof(u64) * (k + 1));
	if (!best)
		return -ENOMEM;
	for (i = 0; i < m->hiwat; i++) {
		const u8 *c = m->codes + (size_t)i * m->g.dims;
		u64 key;

		if (m->state[i] != VGM_LIVE || !pass(arg, i))
			continue;
		vq_dist_u8(m->kind, q, &c, m->g.dims, 1, &d);
		key = (u64)d << 32 | i;
		vgraph_topk_insert(best, &nb, k, key);
	}
	for (i = 0; i < nb; i++) {
		slots[i] = (u32)best[i];
		if (dists)
			dists[i] = (u32)(best[i] >> 32);
	}
	free(best);
	return nb;
}
