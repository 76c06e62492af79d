// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ann_native.c - the graph ANN index core (src/core/vgraph.c, the code the
 * module will run) over memory (tools/lib/vgraph_mem.c), natively, on the
 * data bench/ann_prep.py writes (Fashion-MNIST as ann-benchmarks uses it).
 *
 *   ann_native DIR [-r R] [-a ALPHA%] [-c EF_CONSTRUCTION] [-e EF,EF,...] [-q NQ] [-R N]
 *              [-m l2|ip|cos]
 *
 * Quantizes the base vectors to byte codes with one range over the whole
 * collection (for Fashion-MNIST's 0..255 pixels that is exact), builds the
 * graph one insert at a time, then for each ef searches every query one at a
 * time, single thread, and prints one line per ef:
 *   vexfs ef=EF recall=R qps=Q
 * With -R N the N nearest by code (at most ef) are re-ranked by their exact
 * float32 distances, timed (what data that is not bytes needs).
 * Recall counted as ann-benchmarks does: a result counts when its Euclidean
 * distance is within the true 10th neighbour's + 1e-3. Query quantization
 * is timed with the search; the recall check is not.
 *
 * -m ip / -m cos: the index of that metric, as the module builds it (codes
 * of a range symmetric about 0 walked by the inner-product key; codes of
 * the unit vectors walked by L2), every candidate (ef) re-ranked by its
 * exact float32 score, as the kernel's SEARCH does. The ground truth is
 * brute force here (the core's float32 kernels); a result counts when its
 * score is at least the true 10th's - 1e-3 (cosine: ann-benchmarks'
 * angular rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <unistd.h>
#include "vexfs/vq.h"
#include "vgraph_mem.h"
#include "core/vsearch.h"
#include "util.h"

#define K	10
#define D	784
#define NB	60000

static void *load(const char *dir, const char *name, size_t bytes)
{
	char path[4096];
	void *p = malloc(bytes);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || !p || fread(p, 1, bytes, f) != bytes) {
		fprintf(stderr, "ann_native: cannot read %s (run bench/ann_prep.py %s)\n", path, dir);
		exit(2);
	}
	fclose(f);
	return p;
}

static float lo, step;
static int metric = VQ_METRIC_L2;

/* exact scores of q against n base rows at x (ip and cos: higher is nearer) */
static void score(const float *q, const float *x, size_t n, float *out)
{
	if (metric == VQ_METRIC_IP)
		vq_ip_scan(q, x, D, n, out);
	else if (metric == VQ_METRIC_COS)
		vq_cos_scan(q, x, D, n, out);
	else
		vq_l2sq_scan(q, x, D, n, out);
}

/* the byte code of a base row or query, as the module codes it for the metric */
static void encode(const float *x, u8 *c)
{
	u32 lb, sb;

	memcpy(&lb, &lo, 4);
	memcpy(&sb, &step, 4);
	if (metric == VQ_METRIC_COS)
		vq_u8_encode_unit(x, D, lb, sb, c);
	else
		vq_u8_encode(x, D, lb, sb, c);
}

/*
 * -m ip / cos: the true 10th score of each query, by brute force over the
 * base (float32, the core's kernels), into gt[] (nq floats).
 */
static void truth(const float *x, const float *q, u32 nq, float *gt)
{
	float *s = malloc(sizeof(float) * NB);
	u32 j, i, n, bits;
	u64 best[K];

	for (j = 0; j < nq; j++) {
		score(q + (size_t)j * D, x, NB, s);
		/* the K best by the search's own key (descending score), as the kernel ranks */
		for (i = 0, n = 0; i < NB; i++) {
			memcpy(&bits, &s[i], 4);
			vgraph_topk_insert(best, &n, K, (u64)vsearch_key(bits, metric) << 32 | i);
		}
		bits = vsearch_key_bits(best[K - 1] >> 32, metric);
		memcpy(&gt[j], &bits, 4);
	}
	free(s);
}

static void quantize(const float *x, u8 *c)
{
	u32 i;

	for (i = 0; i < D; i++) {
		float t = (x[i] - lo) / step + 0.5f;

		c[i] = t <= 0 ? 0 : t >= 255 ? 255 : (u8)t;
	}
}

/*
 * Re-rank the n candidates by their exact float32 distances (the stored
 * vectors): the first K of slots[] become the K nearest of them.
 */
static int rerank_f32(struct vgm *m, const float *x, const float *q, u32 *slots, int n)
{
	float d[VGRAPH_MAX_EF], t;
	int i, j, u;

	for (i = 0; i < n; i++) {
		score(q, x + (size_t)m->id[slots[i]] * D, 1, &d[i]);
		if (metric != VQ_METRIC_L2)
			d[i] = -d[i];	/* the highest score first */
	}
	for (i = 0; i < n && i < K; i++) {
		for (j = i + 1, u = i; j < n; j++)
			if (d[j] < d[u] || (d[j] == d[u] && slots[j] < slots[u]))
				u = j;
		t = d[i];
		d[i] = d[u];
		d[u] = t;
		j = slots[i];
		slots[i] = slots[u];
		slots[u] = j;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/var/tmp/vexfs-ann";
	u32 r = 32, alpha = 110, efc = 200, nq = 10000, rerank = 0, i, j, e;
	char efs[256] = "10,16,24,32,48,64,96,128,192,256,384,512";
	float *x, *q, *gtd, hi;
	u8 *codes, qc[D];
	struct vgm m;
	double t0, tb;
	char *tok;
	int opt;

	optind = 2;
	while ((opt = getopt(argc, argv, "r:a:c:e:q:R:m:")) != -1) {
		switch (opt) {
		case 'r': r = atoi(optarg); break;
		case 'a': alpha = atoi(optarg); break;
		case 'c': efc = atoi(optarg); break;
		case 'e': snprintf(efs, sizeof(efs), "%s", optarg); break;
		case 'q': nq = atoi(optarg); break;
		case 'R': rerank = atoi(optarg); break;
		case 'm':
			metric = !strcmp(optarg, "ip") ? VQ_METRIC_IP :
				 !strcmp(optarg, "cos") ? VQ_METRIC_COS : VQ_METRIC_L2;
			break;
		default: return 2;
		}
	}
	vq_select_impl(vq_cpu_features());
	x = load(dir, "base.f32", (size_t)NB * D * 4);
	q = load(dir, "query.f32", (size_t)nq * D * 4);
	if (metric == VQ_METRIC_L2) {
		gtd = load(dir, "gt.f32", (size_t)nq * K * 4);
		lo = hi = x[0];
		for (i = 0; i < (u32)NB * D; i++) {
			lo = x[i] < lo ? x[i] : lo;
			hi = x[i] > hi ? x[i] : hi;
		}
		step = (hi - lo) / 255.0f;
		if (!(step > 0))
			step = 1;
	} else {
		u32 lb = 0x7f800000, hb = 0xff800000;

		gtd = malloc(sizeof(float) * nq);
		t0 = vx_now();
		truth(x, q, nq, gtd);
		printf("# %s: ground truth of %u queries by brute force in %.1f s\n",
		       metric == VQ_METRIC_IP ? "ip" : "cos", nq, vx_now() - t0);
		for (i = 0; i < NB; i++)
			(metric == VQ_METRIC_COS ? vq_f32_minmax_unit : vq_f32_minmax)
				(x + (size_t)i * D, D, &lb, &hb);
		if (metric == VQ_METRIC_IP)
			vq_u8_symmetric(&lb, &hb);
		memcpy(&lo, &lb, 4);
		lb = vq_u8_step(lb, hb);
		memcpy(&step, &lb, 4);
		rerank = VGRAPH_MAX_EF;	/* every candidate, as the kernel */
	}
	codes = malloc((size_t)NB * D);
	for (i = 0; i < NB; i++)
		(metric == VQ_METRIC_L2 ? quantize : encode)(x + (size_t)i * D,
							      codes + (size_t)i * D);
	if (vgm_init(&m, D, r, alpha, efc, VGRAPH_MAX_EF, NB)) {
		fprintf(stderr, "ann_native: bad parameters\n");
		return 2;
	}
	m.kind = metric == VQ_METRIC_IP ? VQ_U8_IP : VQ_U8_L2;	/* searches; builds by L2 */
	t0 = vx_now();
	for (i = 0; i < NB; i++)
		if (vgm_insert(&m, codes + (size_t)i * D, i) < 0)
			return 1;
	tb = vx_now() - t0;
	{
		double deg = 0;

		for (i = 0; i < NB; i++)
			deg += m.cnt[i];
		printf("# vexfs: metric %s, vq %s, R %u, alpha %.2f, ef_construction %u: build %.1f s, "
		       "mean out-degree %.1f, node %u bytes (code %u + list %u + id 8 + count, state 2)\n",
		       metric == VQ_METRIC_IP ? "ip" : metric == VQ_METRIC_COS ? "cos" : "l2",
		       vq_impl_name(), r, alpha / 100.0, efc, tb, deg / NB, D + 4 * r + 10, D, 4 * r);
		printf("vexfs-build seconds=%.2f bytes_per_vector=%u\n", tb, D + 4 * r + 10);
	}
	for (tok = strtok(efs, ","); tok; tok = strtok(NULL, ",")) {
		u32 ef = atoi(tok), slots[VGRAPH_MAX_EF], cd[VGRAPH_MAX_EF], hit = 0;
		u32 *res = malloc(sizeof(u32) * K * nq), *cnt = calloc(nq, sizeof(u32));
		double dt, nd = 0;
		u32 capped = 0;

		if (ef < K || ef > VGRAPH_MAX_EF)
			continue;
		t0 = vx_now();
		for (j = 0; j < nq; j++) {
			int n;

			(metric == VQ_METRIC_L2 ? quantize : encode)(q + (size_t)j * D, qc);
			n = vgm_search(&m, qc, ef, VEXFS_MIN(VEXFS_MAX(rerank, K), ef), slots, cd);
			nd += m.s.ndist;
			capped += m.s.capped;
			if (n > 0 && rerank)
				n = rerank_f32(&m, x, q + (size_t)j * D, slots, n);
			cnt[j] = n < 0 ? 0 : VEXFS_MIN(n, K);
			memcpy(res + (size_t)j * K, slots, cnt[j] * sizeof(u32));
		}
		dt = vx_now() - t0;
		for (j = 0; j < nq; j++) {
			const float *qj = q + (size_t)j * D;

			for (e = 0; e < cnt[j]; e++) {
				const float *xv = x + (size_t)m.id[res[j * K + e]] * D;
				double s = 0;
				float f;

				if (metric != VQ_METRIC_L2) {
					score(qj, xv, 1, &f);
					hit += f >= gtd[j] - 1e-3f;
					continue;
				}
				for (i = 0; i < D; i++)
					s += (double)(qj[i] - xv[i]) * (qj[i] - xv[i]);
				if (sqrt(s) <= gtd[j * K + K - 1] + 1e-3)
					hit++;
			}
		}
		printf("vexfs ef=%u recall=%.4f qps=%.1f distances=%.0f capped=%u\n", ef,
		       (double)hit / ((double)nq * K), nq / dt, nd / nq, capped);
		fflush(stdout);
		free(res);
		free(cnt);
	}
	vgm_free(&m);
	return 0;
}
