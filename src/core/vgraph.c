// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vgraph.c - search, insert and repair of the graph ANN index (vgraph.h).
 * Integer-only; the distance kernel is the caller's (struct vgraph_ops).
 */
#include "vgraph.h"

int vgraph_check_params(u32 dims, u32 r, u32 alpha, u32 ef_construction)
{
	if (!dims || dims > 4096)
		return -EINVAL;
	if (r < VGRAPH_MIN_R || r > VGRAPH_MAX_R)
		return -EINVAL;
	if (alpha < VGRAPH_MIN_ALPHA || alpha > VGRAPH_MAX_ALPHA)
		return -EINVAL;
	if (ef_construction < r || ef_construction > VGRAPH_MAX_EF)
		return -EINVAL;
	return 0;
}

struct vgraph_dims {
	u32 ef_cap, exp_max, visits, hbits, ccap;
};

static void vgraph_dims(u32 r, u32 ef, struct vgraph_dims *g)
{
	u32 h = 1;

	g->ef_cap = VEXFS_MAX(ef, r + 1);
	g->exp_max = VGRAPH_EXPAND_PER_EF * g->ef_cap + VGRAPH_EXPAND_EXTRA;
	g->visits = 1 + VGRAPH_MAX_SEEDS + g->exp_max * r;
	g->hbits = 1;
	while (h < 2 * g->visits) {
		h <<= 1;
		g->hbits++;
	}
	g->hbits--;
	/* pruning candidates: a search list, or a repair's r + r * r */
	g->ccap = VEXFS_MAX(VEXFS_MAX(g->ef_cap, r * r + r), VGRAPH_MAX_SEEDS + 1);
}

size_t vgraph_scratch_size(u32 r, u32 ef, u32 dims)
{
	struct vgraph_dims g;

	vgraph_dims(r, ef, &g);
	return sizeof(u64) * (2 * (size_t)g.ef_cap + g.ccap) +
	       sizeof(u32) * (((size_t)1 << g.hbits) + g.visits + 2 * r + 4 * (size_t)g.ccap) +
	       (size_t)g.ef_cap + r + 2 * (size_t)g.ccap + dims + 8;
}

void vgraph_scratch_init(struct vgraph_scratch *s, void *mem, u32 r, u32 ef, u32 dims)
{
	struct vgraph_dims g;
	u8 *p = mem;

	vgraph_dims(r, ef, &g);
	memset(s, 0, sizeof(*s));
	s->ef_cap = g.ef_cap;
	s->exp_max = g.exp_max;
	s->hmask = (1U << g.hbits) - 1;
	s->r = r;
	s->dims = dims;
	s->list = (u64 *)p;
	p += sizeof(u64) * g.ef_cap;
	s->res = (u64 *)p;
	p += sizeof(u64) * g.ef_cap;
	s->cand = (u64 *)p;
	p += sizeof(u64) * g.ccap;
	s->hash = (u32 *)p;
	p += sizeof(u32) * ((size_t)s->hmask + 1);
	s->hused = (u32 *)p;
	p += sizeof(u32) * g.visits;
	s->nb = (u32 *)p;
	p += sizeof(u32) * r;
	s->nd = (u32 *)p;
	p += sizeof(u32) * r;
	s->cslot = (u32 *)p;
	p += sizeof(u32) * g.ccap;
	s->cdist = (u32 *)p;
	p += sizeof(u32) * g.ccap;
	s->tslot = (u32 *)p;
	p += sizeof(u32) * g.ccap;
	s->tdist = (u32 *)p;
	p += sizeof(u32) * g.ccap;
	s->lflag = p;
	p += g.ef_cap;
	s->ndel = p;
	p += r;
	s->cdel = p;
	p += g.ccap;
	s->tdel = p;
	p += g.ccap;
	s->code = p;
	memset(s->hash, 0, sizeof(u32) * ((size_t)s->hmask + 1));
}

/* ---- the visited set: open addressing, cleared by the positions used ---- */

static void vgraph_visited_clear(struct vgraph_scratch *s)
{
	u32 i;

	for (i = 0; i < s->nused; i++)
		s->hash[s->hused[i]] = 0;
	s->nused = 0;
}

/* true when slot was not in the set (and now is) */
static bool vgraph_visit(struct vgraph_scratch *s, u32 slot)
{
	u32 h = (slot * 2654435761U) & s->hmask;

	while (s->hash[h]) {
		if (s->hash[h] == slot + 1)
			return false;
		h = (h + 1) & s->hmask;
	}
	s->hash[h] = slot + 1;
	s->hused[s->nused++] = h;
	return true;
}

/* ---- sorting small arrays of (dist << 32 | slot) keys --------------------- */

static void vgraph_sift(u64 *a, u32 i, u32 n)
{
	u64 v = a[i];
	u32 c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[c] <= v)
			break;
		a[i] = a[c];
		i = c;
	}
	a[i] = v;
}

static void vgraph_sort(u64 *a, u32 n)
{
	u32 i;
	u64 t;

	for (i = n / 2; i-- > 0;)
		vgraph_sift(a, i, n);
	for (i = n; i-- > 1;) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		vgraph_sift(a, 0, i);
	}
}

/* ---- search ------------------------------------------------------------------ */

static u32 vgraph_upper(const u64 *a, u32 n, u64 key)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;

		if (a[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

u32 vgraph_topk_insert(u64 *a, u32 *n, u32 cap, u64 key)
{
	u32 pos, move;

	if (*n == cap && (!cap || key >= a[cap - 1]))
		return cap;
	pos = vgraph_upper(a, *n, key);
	move = (*n == cap ? *n - 1 : *n) - pos;
	memmove(a + pos + 1, a + pos, move * sizeof(u64));
	a[pos] = key;
	if (*n < cap)
		(*n)++;
	return pos;
}

/* the nodes slots[0..m) (unvisited before) as candidates of the list */
static int vgraph_consider(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q,
			   const u32 *slots, u32 m, u32 *dist, u8 *del, u32 ef, u32 *n, u32 *cur)
{
	u32 i;
	int ret;

	if (!m)
		return 0;
	ret = g->ops->dist(g->ctx, q, slots, m, dist, del);
	if (ret)
		return ret;
	s->ndist += m;
	for (i = 0; i < m; i++) {
		u64 key = (u64)dist[i] << 32 | slots[i];
		u32 pos, was = *n;

		/* the k best results among every node whose distance was computed */
		if (!del[i])
			vgraph_topk_insert(s->res, &s->nres, s->kres, key);
		pos = vgraph_topk_insert(s->list, n, ef, key);
		if (pos == ef)
			continue;
		memmove(s->lflag + pos + 1, s->lflag + pos, (was == ef ? was - 1 : was) - pos);
		s->lflag[pos] = del[i] ? VGRAPH_F_DELETED : 0;
		if (pos < *cur)
			*cur = pos;
	}
	return 0;
}

static int vgraph_walk(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q, u32 ef)
{
	u32 n = 0, cur = 0, i, m;
	int ret;

	vgraph_visited_clear(s);
	s->nres = 0;
	s->ndist = 0;
	s->nexpand = 0;
	s->capped = false;
	if (!ef)
		return -EINVAL;
	ef = VEXFS_MIN(ef, s->ef_cap);
	if (g->entry == VGRAPH_NONE)
		return 0;
	/* start from the entry and the seeds */
	m = 0;
	if (vgraph_visit(s, g->entry))
		s->tslot[m++] = g->entry;
	for (i = 0; i < g->nseeds && i < VGRAPH_MAX_SEEDS; i++)
		if (vgraph_visit(s, g->seeds[i]))
			s->tslot[m++] = g->seeds[i];
	ret = vgraph_consider(g, s, q, s->tslot, m, s->tdist, s->tdel, ef, &n, &cur);
	if (ret)
		return ret;
	while (cur < n) {
		if (s->nexpand >= s->exp_max) {
			s->capped = true;
			break;
		}
		s->lflag[cur] |= VGRAPH_F_EXPANDED;
		s->nexpand++;
		ret = g->ops->nbrs(g->ctx, vgraph_list_slot(s, cur), s->nb);
		if (ret < 0)
			return ret;
		for (i = 0, m = 0; i < (u32)ret; i++)
			if (vgraph_visit(s, s->nb[i]))
				s->nb[m++] = s->nb[i];
		ret = vgraph_consider(g, s, q, s->nb, m, s->nd, s->ndel, ef, &n, &cur);
		if (ret)
			return ret;
		while (cur < n && (s->lflag[cur] & VGRAPH_F_EXPANDED))
			cur++;
	}
	return n;
}

int vgraph_search(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q, u32 ef)
{
	s->kres = 0;
	return vgraph_walk(g, s, q, ef);
}

int vgraph_search_k(const struct vgraph *g, struct vgraph_scratch *s, const u8 *q, u32 ef, u32 k)
{
	int ret;

	if (!k || k > ef || k > s->ef_cap)
		return -EINVAL;
	s->kres = k;
	ret = vgraph_walk(g, s, q, ef);
	s->kres = 0;
	return ret < 0 ? ret : (int)s->nres;
}

u32 vgraph_filtered_ef(u32 ef, u32 k, u64 npass, u64 nlive)
{
	u64 want;

	if (!npass || !nlive || npass >= nlive)
		return npass ? ef : 0;
	/* a list of ef holds about ef * npass / nlive passing nodes: want k of them, twice */
	want = VEXFS_DIV_ROUND_UP(2 * (u64)VEXFS_MAX(ef, k) * nlive, npass);
	if (want > VGRAPH_MAX_EF)
		return 0;
	return VEXFS_MAX((u32)want, ef);
}

/* ---- robust pruning ------------------------------------------------------------ */

/*
 * Vamana's RobustPrune around a point p: the candidates s->cand[0..nc)
 * (dist to p << 32 | slot, live, sorted, without p) are taken nearest
 * first; each one taken removes every remaining candidate c it covers,
 * alpha * d(taken, c) <= d(p, c) (on squared distances: alpha^2). Up to r
 * slots into out (their distances to p into outd); the count or -errno.
 */
static int vgraph_prune(const struct vgraph *g, struct vgraph_scratch *s, u32 nc,
			u32 *out, u32 *outd)
{
	u64 a2 = (u64)g->alpha * g->alpha;
	u32 i, j, m, sel = 0;
	int ret;

	for (i = 0; i < nc; i++) {
		s->cslot[i] = (u32)s->cand[i];
		s->cdist[i] = (u32)(s->cand[i] >> 32);
		s->cdel[i] = 0;
	}
	for (i = 0; i < nc && sel < s->r; i++) {
		if (s->cdel[i])
			continue;
		out[sel] = s->cslot[i];
		if (outd)
			outd[sel] = s->cdist[i];
		sel++;
		if (sel == s->r)
			break;
		for (j = i + 1, m = 0; j < nc; j++)
			if (!s->cdel[j])
				s->tslot[m++] = s->cslot[j];
		if (!m)
			break;
		ret = g->ops->code(g->ctx, s->cslot[i], s->code);
		if (ret)
			return ret;
		ret = g->ops->dist(g->ctx, s->code, s->tslot, m, s->tdist, s->tdel);
		if (ret)
			return ret;
		s->ndist += m;
		for (j = i + 1, m = 0; j < nc; j++) {
			if (s->cdel[j])
				continue;
			if (a2 * s->tdist[m] <= (u64)s->cdist[j] * 10000)
				s->cdel[j] = 1;
			m++;
		}
	}
	return sel;
}

/* ---- insert ---------------------------------------------------------------------- */

size_t vgraph_plan_size(u32 r)
{
	return sizeof(u32) * (3 * (size_t)r + (size_t)r * r);
}

void vgraph_plan_init(struct vgraph_plan *p, void *mem, u32 r)
{
	u32 *w = mem;

	memset(p, 0, sizeof(*p));
	p->nbr = w;
	p->upd_slot = w + r;
	p->upd_n = w + 2 * r;
	p->upd = w + 3 * r;
}

/*
 * The back edge j -> slot (d = their distance): j's list with slot added,
 * pruned when full, into p's next update. Nothing when slot is there.
 */
static int vgraph_back_edge(const struct vgraph *g, struct vgraph_scratch *s, u32 j, u32 slot,
			    u32 d, struct vgraph_plan *p)
{
	u32 *upd = p->upd + p->nupd * s->r;
	u32 i, nc;
	int cnt, ret;

	cnt = g->ops->nbrs(g->ctx, j, s->nb);
	if (cnt < 0)
		return cnt;
	for (i = 0; i < (u32)cnt; i++)
		if (s->nb[i] == slot)
			return 0;
	if ((u32)cnt < s->r) {
		memcpy(upd, s->nb, cnt * sizeof(u32));
		upd[cnt] = slot;
		p->upd_n[p->nupd] = cnt + 1;
		p->upd_slot[p->nupd++] = j;
		return 0;
	}
	ret = g->ops->code(g->ctx, j, s->code);
	if (ret)
		return ret;
	ret = g->ops->dist(g->ctx, s->code, s->nb, cnt, s->nd, s->ndel);
	if (ret)
		return ret;
	s->ndist += cnt;
	for (i = 0, nc = 0; i < (u32)cnt; i++)
		if (!s->ndel[i] && s->nb[i] != j)
			s->cand[nc++] = (u64)s->nd[i] << 32 | s->nb[i];
	s->cand[nc++] = (u64)d << 32 | slot;
	vgraph_sort(s->cand, nc);
	ret = vgraph_prune(g, s, nc, upd, NULL);
	if (ret < 0)
		return ret;
	p->upd_n[p->nupd] = ret;
	p->upd_slot[p->nupd++] = j;
	return 0;
}

int vgraph_insert_plan(const struct vgraph *g, struct vgraph_scratch *s, u32 slot, const u8 *q,
		       u32 ef_construction, struct vgraph_plan *p)
{
	u32 i, nc, nd[VGRAPH_MAX_R];
	int n, ret;

	p->slot = slot;
	p->n = 0;
	p->nupd = 0;
	n = vgraph_search(g, s, q, ef_construction);
	if (n <= 0)
		return n;
	for (i = 0, nc = 0; i < (u32)n; i++)
		if (!(s->lflag[i] & VGRAPH_F_DELETED) && vgraph_list_slot(s, i) != slot)
			s->cand[nc++] = s->list[i];
	ret = vgraph_prune(g, s, nc, p->nbr, nd);
	if (ret < 0)
		return ret;
	p->n = ret;
	for (i = 0; i < p->n; i++) {
		ret = vgraph_back_edge(g, s, p->nbr[i], slot, nd[i], p);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- repair after deletions ---------------------------------------------------------- */

int vgraph_repair_plan(const struct vgraph *g, struct vgraph_scratch *s, u32 slot,
		       struct vgraph_plan *p)
{
	u32 i, j, nc = 0, ndead = 0, nt;
	u32 own[VGRAPH_MAX_R];
	u8 owndel[VGRAPH_MAX_R];
	int cnt, c2, ret;

	p->slot = slot;
	p->n = VGRAPH_NONE;
	p->nupd = 0;
	s->ndist = 0;
	cnt = g->ops->nbrs(g->ctx, slot, own);
	if (cnt <= 0)
		return cnt;
	ret = g->ops->code(g->ctx, slot, s->code);
	if (ret)
		return ret;
	ret = g->ops->dist(g->ctx, s->code, own, cnt, s->nd, owndel);
	if (ret)
		return ret;
	for (i = 0; i < (u32)cnt; i++)
		ndead += owndel[i];
	if (!ndead)
		return 0;
	/* candidates: own live neighbours and the live neighbours of the dead */
	vgraph_visited_clear(s);
	vgraph_visit(s, slot);
	for (i = 0; i < (u32)cnt; i++)
		if (vgraph_visit(s, own[i]) && !owndel[i])
			s->cand[nc++] = (u64)s->nd[i] << 32 | own[i];
	for (i = 0, nt = 0; i < (u32)cnt; i++) {
		if (!owndel[i])
			continue;
		c2 = g->ops->nbrs(g->ctx, own[i], s->nb);
		if (c2 < 0)
			return c2;
		for (j = 0; j < (u32)c2; j++)
			if (vgraph_visit(s, s->nb[j]))
				s->cslot[nt++] = s->nb[j];
	}
	if (nt) {
		/* the node's code again: s->code holds it still */
		ret = g->ops->dist(g->ctx, s->code, s->cslot, nt, s->cdist, s->cdel);
		if (ret)
			return ret;
		for (j = 0; j < nt; j++)
			if (!s->cdel[j])
				s->cand[nc++] = (u64)s->cdist[j] << 32 | s->cslot[j];
	}
	vgraph_visited_clear(s);
	vgraph_sort(s->cand, nc);
	ret = vgraph_prune(g, s, nc, p->nbr, NULL);
	if (ret < 0)
		return ret;
	p->n = ret;
	return 0;
}
