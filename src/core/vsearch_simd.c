// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vsearch_simd.c - distances from queries to stored records, every stored
 * form (see vsearch.h). FPU: call between kernel_fpu_begin/end.
 *
 *  float32            the dispatched f32 kernels (L2, IP, cosine)
 *  float16 (dtype or  the f16 kernels for L2 / IP; cosine decodes first
 *   compression)
 *  SQ8 / SQ4          asymmetric distance (the query is never quantized)
 *                     from SQ scans of the codes with the record's own vmin
 *                     and step (vsearch_sqv); without the prepared buffers,
 *                     decoded, then the f32 kernels
 *  PQ                 ADC: one lookup table per query and codebook, m
 *                     lookups per record; cosine (or a codebook without a
 *                     table, see vsearch_pq_plan) decodes the centroids
 *  sparse             dot product over the stored non-zeros; L2 and cosine
 *                     from it and the two squared norms
 *  int8 / int16       exact integer sums (64-bit), then float
 *  binary             Hamming distance (popcount)
 */
#include "vsearch.h"
#include "vq_impl.h"

/* The search metrics are passed to the vq kernels as they are. */
static_assert(VEXFS_SEARCH_METRIC_L2 == VQ_METRIC_L2 && VEXFS_SEARCH_METRIC_IP == VQ_METRIC_IP &&
	      VEXFS_SEARCH_METRIC_COS == VQ_METRIC_COS, "metric numbers");

static const float *vsearch_qrow(const struct vsearch_query *q, u32 qi)
{
	return (const float *)((const u8 *)q->q + (size_t)qi * q->row);
}

/* SQ query @j (0..nq-1: the queries, nq: ones, nq + 1: zeros) of SQ@bits. */
static struct vq_sq_query *vsearch_sqq(const struct vsearch_query *q, u32 bits, u32 j)
{
	return &q->sqq[(bits == 8 ? 0 : 1) * ((size_t)q->nq + 2) + j];
}

static float *vsearch_sqa(const struct vsearch_query *q, u32 bits, u32 j)
{
	return q->sqbuf + ((bits == 8 ? 0 : 1) * ((size_t)q->nq + 3) + j) * q->dims;
}

static void vsearch_prepare_sq(struct vsearch_query *q, u32 qi)
{
	float *zero = q->scratch, *one = q->scratch + q->dims;
	struct vq_sq unit = { .d = q->dims, .vmin = zero, .step = one };
	struct vq_sq_query *qq;
	u32 i;

	for (i = 0; i < q->dims; i++) {
		zero[i] = 0.0f;
		one[i] = 1.0f;
	}
	for (unit.bits = 4; unit.bits <= 8; unit.bits += 4) {
		qq = vsearch_sqq(q, unit.bits, qi);
		qq->a = vsearch_sqa(q, unit.bits, qi);
		vq_sq_prepare(&unit, VQ_METRIC_IP, vsearch_qrow(q, qi), qq);
		if (qi)
			continue;
		qq = vsearch_sqq(q, unit.bits, q->nq);
		qq->a = vsearch_sqa(q, unit.bits, q->nq);
		vq_sq_prepare(&unit, VQ_METRIC_IP, one, qq);
		qq = vsearch_sqq(q, unit.bits, q->nq + 1);
		qq->a = vsearch_sqa(q, unit.bits, q->nq + 1);
		qq->b = vsearch_sqa(q, unit.bits, q->nq + 2);
		vq_sq_prepare(&unit, VQ_METRIC_L2, zero, qq);
	}
}

void vsearch_prepare_one(struct vsearch_query *q, u32 qi)
{
	u32 i;

	if (q->dtype != VEXFS_DT_F32)
		return;
	if (q->qnorm) {
		const float *x = vsearch_qrow(q, qi);
		float s = 0.0f, t = 0.0f;

		for (i = 0; i < q->dims; i++) {
			s += x[i] * x[i];
			t += x[i];
		}
		q->qnorm[qi] = s;
		if (q->qsum)
			q->qsum[qi] = t;
	}
	if (q->sqbuf && q->qsum)
		vsearch_prepare_sq(q, qi);
	for (i = 0; i < q->npq; i++) {
		const struct vsearch_pq *p = &q->pq[i];

		if (p->lut)
			vq_pq_lut(p->pq, q->metric, vsearch_qrow(q, qi),
				  p->lut + (size_t)qi * p->pq->m * VQ_PQ_KSUB);
	}
}

void vsearch_prepare(struct vsearch_query *q)
{
	u32 qi;

	for (qi = 0; qi < q->nq; qi++)
		vsearch_prepare_one(q, qi);
}

/*
 * Queries q0..q1-1 against a float32 vector at @x: one multi-query call
 * (the vector's loads shared by the batch, the bits of single queries).
 */
static void vsearch_f32(const struct vsearch_query *q, const float *x, u32 q0, u32 q1, float *out)
{
	vq_f32_mq_scan(vsearch_qrow(q, q0), q->row / 4, q1 - q0, x, q->dims, q->metric, out);
}

static void vsearch_f16(const struct vsearch_query *q, const __le16 *c, u32 q0, u32 q1,
			float *out)
{
	if (q->metric == VEXFS_SEARCH_METRIC_COS) {
		vq_f16_decode(c, q->scratch, q->dims);
		vsearch_f32(q, q->scratch, q0, q1, out);
		return;
	}
	vq_f16_mq_scan(vsearch_qrow(q, q0), q->row / 4, q1 - q0, c, q->dims, q->metric, out);
}

static const struct vsearch_pq *vsearch_pq_find(const struct vsearch_query *q,
						 const void *data, u32 len)
{
	u32 id = vq_get_le32(data), crc = vq_get_le32((const u8 *)data + 4), i;

	for (i = 0; i < q->npq; i++) {
		const struct vsearch_pq *p = &q->pq[i];

		if (p->id == id && p->crc == crc && p->pq->d == q->dims &&
		    p->pq->m + sizeof(struct vexfs_pq_ref) == len)
			return p;
	}
	return NULL;
}

static int vsearch_pq(const struct vsearch_query *q, const void *data, u32 len, u32 q0, u32 q1,
		      float *out)
{
	const struct vsearch_pq *p = vsearch_pq_find(q, data, len);
	const u8 *codes = (const u8 *)data + sizeof(struct vexfs_pq_ref);
	u32 qi;

	if (!p)
		return -ENOENT;
	if (!p->lut) {
		vq_pq_decode(p->pq, codes, q->scratch, 1);
		vsearch_f32(q, q->scratch, q0, q1, out);
		return 0;
	}
	for (qi = q0; qi < q1; qi++)
		vq_pq_adc_scan(p->lut + (size_t)qi * p->pq->m * VQ_PQ_KSUB, p->pq->m, codes, 1,
			       out++);
	return 0;
}

u32 vsearch_pq_many(const struct vsearch_query *q, const void *const *data, const u32 *len,
		    u32 n, u32 qi, float *out)
{
	const struct vsearch_pq *p[VSEARCH_PQ_MANY];
	u8 *gather = (u8 *)q->scratch;	/* 12 x dims bytes >= 8 x m */
	u32 bad = 0, todo = 0, i, j;

	for (i = 0; i < n; i++) {
		p[i] = vsearch_pq_find(q, data[i], len[i]);
		if (!p[i])
			bad |= 1u << i;
		else if (!p[i]->lut)	/* decoded: uses scratch, so before any gather */
			vsearch_pq(q, data[i], len[i], qi, qi + 1, out + i);
		else
			todo |= 1u << i;
	}
	for (i = 0; i < n; i++) {
		u32 at[VSEARCH_PQ_MANY], cnt = 0, m;
		float d[VSEARCH_PQ_MANY];

		if (!(todo & (1u << i)))
			continue;
		m = p[i]->pq->m;
		for (j = i; j < n; j++) {
			if (!(todo & (1u << j)) || p[j] != p[i])
				continue;
			memcpy(gather + (size_t)cnt * m,
			       (const u8 *)data[j] + sizeof(struct vexfs_pq_ref), m);
			at[cnt++] = j;
			todo &= ~(1u << j);
		}
		vq_pq_adc_scan(p[i]->lut + (size_t)qi * m * VQ_PQ_KSUB, m, gather, cnt, d);
		for (j = 0; j < cnt; j++)
			out[at[j]] = d[j];
	}
	return bad;
}

/*
 * A per-vector SQ record (vmin, step, codes c): with the query prepared at
 * vmin 0 / step 1, dot = sum q c, and sc = sum c, scc = sum c^2,
 *   IP  = vmin sum q + step dot
 *   L2  = |q|^2 - 2 vmin sum q + d vmin^2 - 2 step (dot - vmin sc) + step^2 scc
 *   |x|^2 = d vmin^2 + 2 vmin step sc + step^2 scc
 * the same numbers as decoding x = vmin + step c, without writing x.
 */
static void vsearch_sqv(const struct vsearch_query *q, const u8 *data, u32 bits, u32 q0, u32 q1,
			float *out)
{
	struct vq_sq unit = { .d = q->dims, .bits = bits };
	float vmin = vq_u32_as_f(vq_get_le32(data)), step = vq_u32_as_f(vq_get_le32(data + 4));
	const u8 *c = data + VQ_SQV_HDR;
	float sc, scc, dv = (float)q->dims, xx;
	u32 qi;

	vq_sq_scan(&unit, vsearch_sqq(q, bits, q->nq), c, 1, &sc);
	vq_sq_scan(&unit, vsearch_sqq(q, bits, q->nq + 1), c, 1, &scc);
	xx = dv * vmin * vmin + 2.0f * vmin * step * sc + step * step * scc;
	/* the dot products of the queries with the codes first, in place */
	vq_sq_mq_scan(&unit, vsearch_sqq(q, bits, q0), q1 - q0, c, out);
	for (qi = q0; qi < q1; qi++) {
		float dot = *out, ip, l2;

		ip = vmin * q->qsum[qi] + step * dot;
		if (q->metric == VEXFS_SEARCH_METRIC_IP) {
			*out++ = ip;
		} else if (q->metric == VEXFS_SEARCH_METRIC_L2) {
			l2 = q->qnorm[qi] - 2.0f * ip + xx;
			*out++ = l2 > 0.0f ? l2 : 0.0f;
		} else {
			*out++ = vq_cos_finish(ip, q->qnorm[qi], xx);
		}
	}
}

static void vsearch_sparse(const struct vsearch_query *q, const u8 *code, u32 q0, u32 q1,
			   float *out)
{
	u32 nnz = vq_get_le32(code), i, qi;
	const u8 *val = code + 4 + 4 * (size_t)nnz;
	float xx = 0.0f;

	for (i = 0; i < nnz; i++) {
		float v = vq_u32_as_f(vq_get_le32(val + 4 * (size_t)i));

		xx += v * v;
	}
	for (qi = q0; qi < q1; qi++) {
		float dot;

		vq_sparse_dot(vsearch_qrow(q, qi), code, &dot);
		if (q->metric == VEXFS_SEARCH_METRIC_IP)
			*out++ = dot;
		else if (q->metric == VEXFS_SEARCH_METRIC_L2)
			*out++ = q->qnorm[qi] - 2.0f * dot + xx;
		else
			*out++ = vq_cos_finish(dot, q->qnorm[qi], xx);
	}
}

/* int8 / int16: exact 64-bit sums. */
static void vsearch_int(const struct vsearch_query *q, const void *data, u32 q0, u32 q1,
			float *out)
{
	bool i8 = q->dtype == VEXFS_DT_I8;
	const s8 *x8 = data;
	const u8 *x16 = data;
	s64 xx = 0;
	u32 i, qi;

	if (q->metric == VEXFS_SEARCH_METRIC_COS) {
		for (i = 0; i < q->dims; i++) {
			s64 b = i8 ? x8[i] : (s16)get_unaligned_le16(x16 + 2 * i);

			xx += b * b;
		}
	}
	for (qi = q0; qi < q1; qi++) {
		const u8 *r = (const u8 *)q->q + (size_t)qi * q->row;
		s64 l2 = 0, ip = 0, qq = 0;

		for (i = 0; i < q->dims; i++) {
			s64 a = i8 ? (s8)r[i] : (s16)get_unaligned_le16(r + 2 * i);
			s64 b = i8 ? x8[i] : (s16)get_unaligned_le16(x16 + 2 * i);

			l2 += (a - b) * (a - b);
			ip += a * b;
			qq += a * a;
		}
		if (q->metric == VEXFS_SEARCH_METRIC_L2)
			*out++ = (float)l2;
		else if (q->metric == VEXFS_SEARCH_METRIC_IP)
			*out++ = (float)ip;
		else
			*out++ = vq_cos_finish((float)ip, (float)qq, (float)xx);
	}
}

/*
 * Four keys at once, as signed integers (vsearch_key() ^ 0x80000000, the
 * order SSE2's signed compare knows): a negative float's magnitude bits
 * flipped, all bits flipped again for a similarity. sparse knows neither
 * vector initializers nor the builtin: it checks the scalar loop only.
 */
#if defined(__x86_64__) && !defined(__CHECKER__)
typedef int v4si __attribute__((vector_size(16)));
typedef int v4si_u __attribute__((vector_size(16), may_alias)) __aligned(1);
typedef float v4sf __attribute__((vector_size(16)));

static u32 vsearch_may_row4(const float *dist, const u32 *bound, u32 n, u32 metric, u64 *mask)
{
	const int f = vsearch_similarity(metric) ? -1 : 0, lo = 0x7fffffff, hi = -lo - 1;
	const v4si flip = { f, f, f, f }, sign = { hi, hi, hi, hi }, low = { lo, lo, lo, lo };
	u32 i;

	for (i = 0; i + 4 <= n; i += 4) {
		v4si b = *(const v4si_u *)(dist + i);
		v4si key = (b ^ ((b >> 31) & low)) ^ flip;
		v4si lim = *(const v4si_u *)(bound + i) ^ sign;
		v4si out = key > lim;		/* refused: -1 */
		u64 m = ~__builtin_ia32_movmskps((v4sf)out) & 0xf;

		mask[i / 64] |= m << (i % 64);
	}
	return i;
}
#else
static u32 vsearch_may_row4(const float *dist, const u32 *bound, u32 n, u32 metric, u64 *mask)
{
	return 0;
}
#endif

void vsearch_may_row(const float *dist, const u32 *bound, u32 n, u32 metric, u64 *mask)
{
	u32 i, w;

	for (w = 0; w * 64 < n; w++)
		mask[w] = 0;
	for (i = vsearch_may_row4(dist, bound, n, metric, mask); i < n; i++) {
		u32 bits;

		memcpy(&bits, dist + i, 4);
		if (vsearch_key(bits, metric) <= bound[i])
			mask[i / 64] |= 1ull << (i % 64);
	}
}

void vsearch_dist2(const struct vsearch_query *q, u32 dtype, u32 comp, const void *a,
		   const void *b, u32 q0, u32 q1, float *oa, float *ob)
{
	if (dtype == VEXFS_DT_F32 && comp == VEXFS_COMP_NONE)
		vq_f32_mq2_scan(vsearch_qrow(q, q0), q->row / 4, q1 - q0, a, b, q->dims,
				q->metric, oa, ob);
	else
		vq_f16_mq2_scan(vsearch_qrow(q, q0), q->row / 4, q1 - q0, a, b, q->dims,
				q->metric, oa, ob);
}

int vsearch_dist(const struct vsearch_query *q, u32 dtype, u32 comp, u32 dims,
		 const void *data, u32 len, u32 q0, u32 q1, float *out)
{
	u32 qi;

	switch (dtype) {
	case VEXFS_DT_F32:
		switch (comp) {
		case VEXFS_COMP_NONE:
			vsearch_f32(q, data, q0, q1, out);
			return 0;
		case VEXFS_COMP_F16:
			vsearch_f16(q, data, q0, q1, out);
			return 0;
		case VEXFS_COMP_SQ8:
		case VEXFS_COMP_SQ4:
			if (q->sqbuf && q->qsum) {
				vsearch_sqv(q, data, comp == VEXFS_COMP_SQ8 ? 8 : 4, q0, q1, out);
				return 0;
			}
			vq_sqv_decode(data, dims, comp == VEXFS_COMP_SQ8 ? 8 : 4,
				      q->scratch + dims, q->scratch);
			vsearch_f32(q, q->scratch, q0, q1, out);
			return 0;
		case VEXFS_COMP_PQ:
			return vsearch_pq(q, data, len, q0, q1, out);
		case VEXFS_COMP_SPARSE:
			vsearch_sparse(q, data, q0, q1, out);
			return 0;
		}
		return -ENOENT;
	case VEXFS_DT_F16:
		vsearch_f16(q, data, q0, q1, out);
		return 0;
	case VEXFS_DT_I8:
	case VEXFS_DT_I16:
		vsearch_int(q, data, q0, q1, out);
		return 0;
	case VEXFS_DT_BIN:
		for (qi = q0; qi < q1; qi++) {
			u32 h;

			vq_hamming_scan((const u8 *)q->q + (size_t)qi * q->row, data, q->row, 1, &h);
			*out++ = (float)h;
		}
		return 0;
	}
	return -ENOENT;
}
