// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vsearch_simd.c - distances from queries to stored records, every stored
 * form (see vsearch.h). FPU: call between kernel_fpu_begin/end.
 *
 *  float32            the dispatched f32 kernels (L2, IP, cosine)
 *  float16 (dtype or  the f16 kernels for L2 / IP; cosine decodes first
 *   compression)
 *  SQ8 / SQ4          decoded with the record's own vmin / step, then the
 *                     f32 kernels: the asymmetric distance (the query is
 *                     never quantized)
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

static const float *vsearch_qrow(const struct vsearch_query *q, u32 qi)
{
	return (const float *)((const u8 *)q->q + (size_t)qi * q->row);
}

void vsearch_prepare_one(struct vsearch_query *q, u32 qi)
{
	u32 i;

	if (q->dtype != VEXFS_DT_F32)
		return;
	if (q->qnorm) {
		const float *x = vsearch_qrow(q, qi);
		float s = 0.0f;

		for (i = 0; i < q->dims; i++)
			s += x[i] * x[i];
		q->qnorm[qi] = s;
	}
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

/* A float32 query against a float32 vector at @x. */
static void vsearch_f32(const struct vsearch_query *q, const float *x, u32 q0, u32 q1, float *out)
{
	u32 qi;

	for (qi = q0; qi < q1; qi++) {
		const float *r = vsearch_qrow(q, qi);

		if (q->metric == VEXFS_SEARCH_METRIC_L2)
			vq_l2sq_scan(r, x, q->dims, 1, out++);
		else if (q->metric == VEXFS_SEARCH_METRIC_IP)
			vq_ip_scan(r, x, q->dims, 1, out++);
		else
			vq_cos_scan(r, x, q->dims, 1, out++);
	}
}

static void vsearch_f16(const struct vsearch_query *q, const __le16 *c, u32 q0, u32 q1,
			float *out)
{
	u32 qi;

	if (q->metric == VEXFS_SEARCH_METRIC_COS) {
		vq_f16_decode(c, q->scratch, q->dims);
		vsearch_f32(q, q->scratch, q0, q1, out);
		return;
	}
	for (qi = q0; qi < q1; qi++)
		vq_f16_scan(vsearch_qrow(q, qi), c, q->dims, 1, q->metric, out++);
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
