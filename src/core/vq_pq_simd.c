// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_pq_simd.c - product quantizer: k-means training, encoding, decoding
 * and ADC lookup tables. Float code: an FPU file in the kernel.
 *
 * Training is O(n * 256 * d) per iteration and is meant for userspace
 * (mkfs.vexfs / vexctl write the codebook, the kernel only loads it); it is
 * still plain C without allocation so that it builds everywhere.
 */
#include "vq_impl.h"

static inline u64 vq_splitmix64(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Same per-coordinate order and no FMA, like the pq_nearest kernels. */
static float vq_pq_dist1(const float *x, const float *ct, u32 c, u32 dsub)
{
	float acc = 0.0f;
	u32 k;

	for (k = 0; k < dsub; k++) {
		float t = x[k] - ct[k * VQ_PQ_KSUB + c];

		t = t * t;
		VQ_NOCONTRACT(t);
		acc += t;
	}
	return acc;
}

static void vq_pq_set_centroid(float *ct, u32 c, const float *x, u32 dsub)
{
	u32 k;

	for (k = 0; k < dsub; k++)
		ct[k * VQ_PQ_KSUB + c] = x[k];
}

size_t vq_pq_train_scratch_size(u32 d, u32 m, size_t n)
{
	u32 dsub;

	if (vq_pq_check_dims(d, m))
		return 0;
	dsub = d / m;
	return (size_t)VQ_PQ_KSUB * dsub * sizeof(double) +
	       (size_t)VQ_PQ_KSUB * sizeof(u32) + n * sizeof(u32) +
	       n * sizeof(float);
}

static void vq_pq_kmeanspp(const float *x, size_t n, u32 d, u32 dsub,
			   float *ct, float *mind, u64 *rng)
{
	size_t i, pick;
	u32 c;

	pick = vq_splitmix64(rng) % n;
	vq_pq_set_centroid(ct, 0, x + pick * d, dsub);
	for (i = 0; i < n; i++)
		mind[i] = vq_pq_dist1(x + i * d, ct, 0, dsub);
	for (c = 1; c < VQ_PQ_KSUB; c++) {
		double total = 0.0, r, cum = 0.0;

		for (i = 0; i < n; i++)
			total += mind[i];
		r = (double)(vq_splitmix64(rng) >> 11) * (1.0 / 9007199254740992.0);
		if (total > 0.0) {
			r *= total;
			pick = n;
			for (i = 0; i < n; i++) {
				if (mind[i] <= 0.0f)
					continue;
				pick = i;	/* last positive one on rounding */
				cum += mind[i];
				if (cum > r)
					break;
			}
		} else {
			pick = vq_splitmix64(rng) % n;
		}
		vq_pq_set_centroid(ct, c, x + pick * d, dsub);
		for (i = 0; i < n; i++) {
			float t = vq_pq_dist1(x + i * d, ct, c, dsub);

			if (t < mind[i])
				mind[i] = t;
		}
	}
}

int vq_pq_train(struct vq_pq *pq, const float *x, size_t n, u32 iters,
		u64 seed, void *scratch, size_t scratch_len)
{
	const struct vq_ops *ops = vq_active_ops();
	u32 d = pq->d, m = pq->m, dsub, j, c, k, it;
	double *sums;
	u32 *counts, *assign;
	float *mind;
	size_t i;

	if (vq_pq_check_dims(d, m) || n < VQ_PQ_KSUB || n > 0x7fffffffU)
		return -EINVAL;
	if (scratch_len < vq_pq_train_scratch_size(d, m, n))
		return -ENOSPC;
	dsub = d / m;
	pq->dsub = dsub;
	sums = scratch;
	counts = (u32 *)(sums + (size_t)VQ_PQ_KSUB * dsub);
	assign = counts + VQ_PQ_KSUB;
	mind = (float *)(assign + n);

	for (j = 0; j < m; j++) {
		const float *xs = x + (size_t)j * dsub;
		float *ct = pq->cent_t + (size_t)j * dsub * VQ_PQ_KSUB;
		u64 rng = seed ^ ((u64)(j + 1) * 0xd1b54a32d192ed03ULL);

		vq_pq_kmeanspp(xs, n, d, dsub, ct, mind, &rng);
		for (it = 0; it < iters; it++) {
			for (i = 0; i < n; i++)
				ops->pq_nearest(xs + i * d, ct, dsub, &assign[i],
						&mind[i]);
			memset(sums, 0, sizeof(double) * VQ_PQ_KSUB * dsub);
			memset(counts, 0, sizeof(u32) * VQ_PQ_KSUB);
			for (i = 0; i < n; i++) {
				double *s = sums + (size_t)assign[i] * dsub;

				counts[assign[i]]++;
				for (k = 0; k < dsub; k++)
					s[k] += xs[i * d + k];
			}
			for (c = 0; c < VQ_PQ_KSUB; c++) {
				size_t far = 0;

				if (counts[c]) {
					for (k = 0; k < dsub; k++)
						ct[k * VQ_PQ_KSUB + c] = (float)
							(sums[(size_t)c * dsub + k] / counts[c]);
					continue;
				}
				/* Empty cluster: move it to the worst-fit point. */
				for (i = 1; i < n; i++)
					if (mind[i] > mind[far])
						far = i;
				if (!(mind[far] > 0.0f))
					continue;
				vq_pq_set_centroid(ct, c, xs + far * d, dsub);
				mind[far] = 0.0f;
			}
		}
	}
	return 0;
}

void vq_pq_encode(const struct vq_pq *pq, const float *x, u8 *out, size_t n)
{
	const struct vq_ops *ops = vq_active_ops();
	u32 j, dsub = pq->dsub, best;
	size_t v;
	float bd;

	for (v = 0; v < n; v++, x += pq->d, out += pq->m) {
		for (j = 0; j < pq->m; j++) {
			ops->pq_nearest(x + j * dsub,
					pq->cent_t + (size_t)j * dsub * VQ_PQ_KSUB,
					dsub, &best, &bd);
			out[j] = (u8)best;
		}
	}
}

void vq_pq_decode(const struct vq_pq *pq, const u8 *c, float *x, size_t n)
{
	u32 j, k, dsub = pq->dsub;
	size_t v;

	for (v = 0; v < n; v++, c += pq->m, x += pq->d)
		for (j = 0; j < pq->m; j++)
			for (k = 0; k < dsub; k++)
				x[j * dsub + k] = pq->cent_t[((size_t)j * dsub + k) *
							     VQ_PQ_KSUB + c[j]];
}

int vq_pq_lut(const struct vq_pq *pq, unsigned int metric, const float *q,
	      float *lut)
{
	const struct vq_ops *ops = vq_active_ops();
	u32 j, dsub = pq->dsub;

	if (metric != VQ_METRIC_L2 && metric != VQ_METRIC_IP)
		return -EINVAL;
	for (j = 0; j < pq->m; j++) {
		const float *ct = pq->cent_t + (size_t)j * dsub * VQ_PQ_KSUB;

		if (metric == VQ_METRIC_L2)
			ops->pq_l2_256(q + j * dsub, ct, dsub, lut + j * VQ_PQ_KSUB);
		else
			ops->pq_ip_256(q + j * dsub, ct, dsub, lut + j * VQ_PQ_KSUB);
	}
	return 0;
}
