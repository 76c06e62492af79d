// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * recall_fmnist.c - recall@10 of every stored form on real data.
 *
 *   recall_fmnist [NQ]        (Debian's dataset-fashion-mnist; NQ test queries, default 1000)
 *
 * The 60,000 training images (784 pixels / 255 as float32) are stored in
 * each form exactly as the kernel stores them (float16, per-vector SQ8 and
 * SQ4, PQ with codebooks trained by the core's vq_pq_train as `vexctl
 * train` does, binary sign bits of x - 0.5), and searched with the path
 * the kernel's SEARCH uses (vsearch_dist per record, top-k with id ties).
 * Recall@10 = |top-10 of the form  intersect  exact float32 top-10| / 10,
 * averaged over the queries. The kernel gives the same ids as this code
 * (tests/vm/search.sh checks kernel == the same core, bit for bit), so these
 * are the kernel's recalls. bench/faiss_recall.py prints FAISS's for its
 * quantizers on the same data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vexfs/vq.h"
#include "core/vsearch.h"
#include "core/vrec.h"
#include "util.h"

#define D	784
#define K	10
#define DATA	"/usr/share/datasets/fashion-mnist/"

static u8 *load_idx(const char *name, size_t want)
{
	char cmd[512];
	u8 *buf = malloc(want + 16);
	FILE *f;
	size_t got, hdr;

	snprintf(cmd, sizeof(cmd), "zcat %s%s", DATA, name);
	f = popen(cmd, "r");
	if (!f || !buf)
		return NULL;
	got = fread(buf, 1, want + 16, f);
	pclose(f);
	hdr = 4 + 4 * buf[3];
	if (got < hdr + want)
		return NULL;
	memmove(buf, buf + hdr, want);
	return buf;
}

/* top-10 ids (0-based) of query @q over @n records of @stride bytes. */
static void search(struct vsearch_query *sq, u32 dtype, u32 comp, const u8 *codes, size_t stride,
		   u32 len, size_t n, u64 *ids)
{
	struct vsearch_cand h[K];
	struct vsearch_topk t;
	size_t v;
	u32 i;

	vsearch_topk_init(&t, h, K);
	for (v = 0; v < n; v++) {
		float dist;
		u32 bits;

		vsearch_dist(sq, dtype, comp, D, codes + v * stride, len, 0, 1, &dist);
		memcpy(&bits, &dist, 4);
		vsearch_topk_push(&t, bits, sq->metric, v + 1, 0, 0);
	}
	vsearch_topk_sort(&t);
	for (i = 0; i < K; i++)
		ids[i] = i < t.n ? h[i].id - 1 : ~0ULL;
}

int main(int argc, char **argv)
{
	const size_t n = 60000;
	u32 nq = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000, qi, f;
	u8 *tr = load_idx("train-images-idx3-ubyte.gz", n * D);
	u8 *te = load_idx("t10k-images-idx3-ubyte.gz", 10000 * D);
	float *x = malloc(n * D * 4), *q = malloc((size_t)nq * D * 4);
	float scratch[3 * D], qn;
	u64 *exact = malloc((size_t)nq * K * 8), ids[K];
	size_t i;
	static const struct { const char *name; u32 comp, m; } forms[] = {
		{ "float32 (exact)", VEXFS_COMP_NONE, 0 },
		{ "float16", VEXFS_COMP_F16, 0 },
		{ "SQ8 (per-vector)", VEXFS_COMP_SQ8, 0 },
		{ "SQ4 (per-vector)", VEXFS_COMP_SQ4, 0 },
		{ "PQ m=16 (49-d subspaces)", VEXFS_COMP_PQ, 16 },
		{ "PQ m=98 (8-d subspaces)", VEXFS_COMP_PQ, 98 },
		{ "binary (x > 0.5), Hamming", 99, 0 },
	};

	if (!tr || !te || !x || !q || !exact || nq > 10000) {
		fprintf(stderr, "recall_fmnist: cannot load %s (apt install dataset-fashion-mnist)\n",
			DATA);
		return 1;
	}
	vq_select_impl(vq_cpu_features());
	for (i = 0; i < n * D; i++)
		x[i] = tr[i] / 255.0f;
	for (i = 0; i < (size_t)nq * D; i++)
		q[i] = te[i] / 255.0f;
	printf("# Fashion-MNIST: %zu train vectors x %u dims, %u test queries, k = %u; vq %s\n",
	       n, D, nq, K, vq_impl_name());
	printf("| stored form | bytes/vector | recall@10 | ms/query |\n|---|---|---|---|\n");

	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		u32 comp = forms[f].comp, dtype = VEXFS_DT_F32, len, hits = 0;
		struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .metric = VEXFS_SEARCH_METRIC_L2,
					    .dims = D, .nq = 1, .row = 4 * D, .qnorm = &qn,
					    .scratch = scratch };
		struct vq_pq pq = { 0 };
		u8 *codes, *qbin = NULL;
		size_t stride;
		double t0;

		if (comp == VEXFS_COMP_PQ) {
			size_t ns = 20000, sl;
			void *sc;

			pq.d = D;
			pq.m = forms[f].m;
			pq.dsub = D / pq.m;
			pq.cent_t = malloc(vq_pq_codebook_floats(D) * 4);
			sl = vq_pq_train_scratch_size(D, pq.m, ns);
			sc = malloc(sl);
			/* the first ns training vectors as the sample, 10 iterations */
			if (vq_pq_train(&pq, x, ns, 10, 1, sc, sl))
				return 1;
			free(sc);
			len = 8 + pq.m;
			sq.npq = 1;
			sq.pq[0] = (struct vsearch_pq){ .id = 1, .crc = 7, .pq = &pq,
						       .lut = malloc((size_t)pq.m * 256 * 4) };
		} else if (comp == 99) {
			dtype = VEXFS_DT_BIN;
			comp = VEXFS_COMP_NONE;
			len = D / 8;
			sq.dtype = VEXFS_DT_BIN;
			sq.metric = VEXFS_SEARCH_METRIC_HAMMING;
			sq.row = len;
			qbin = malloc((size_t)nq * len);
		} else {
			len = vexfs_vec_stored_size(VEXFS_DT_F32, comp, D);
		}
		if (vsearch_sq_wanted(sq.dtype, D)) {	/* as the kernel sets it up */
			sq.qsum = malloc(4);
			sq.sqbuf = malloc(vsearch_sq_floats(D, 1) * 4);
			sq.sqq = malloc(vsearch_sq_queries(1) * sizeof(*sq.sqq));
		}
		stride = VEXFS_ALIGN_UP(len, 32u);
		codes = aligned_alloc(64, n * stride);
		for (i = 0; i < n; i++) {
			const float *xi = x + i * D;
			u8 *c = codes + i * stride;
			float tmp[D];
			u32 j;

			switch (forms[f].comp) {
			case VEXFS_COMP_NONE:
				memcpy(c, xi, 4 * D);
				break;
			case VEXFS_COMP_F16:
				vq_f16_encode(xi, (__le16 *)c, D);
				break;
			case VEXFS_COMP_SQ8:
			case VEXFS_COMP_SQ4:
				vq_sqv_encode(xi, D, comp == VEXFS_COMP_SQ8 ? 8 : 4, scratch, c);
				break;
			case VEXFS_COMP_PQ:
				vq_put_le32(c, 1);
				vq_put_le32(c + 4, 7);
				vq_pq_encode(&pq, xi, c + 8, 1);
				break;
			default:
				for (j = 0; j < D; j++)
					tmp[j] = xi[j] - 0.5f;
				vq_bin_encode(tmp, D, 1, c);
			}
		}
		if (qbin) {
			for (qi = 0; qi < nq; qi++) {
				float tmp[D];
				u32 j;

				for (j = 0; j < D; j++)
					tmp[j] = q[(size_t)qi * D + j] - 0.5f;
				vq_bin_encode(tmp, D, 1, qbin + (size_t)qi * len);
			}
		}
		t0 = vx_now();
		for (qi = 0; qi < nq; qi++) {
			u32 a, b;

			sq.q = qbin ? (const void *)(qbin + (size_t)qi * len) :
			       (const void *)(q + (size_t)qi * D);
			vsearch_prepare(&sq);
			search(&sq, dtype, comp, codes, stride, len, n, ids);
			if (f == 0) {
				memcpy(exact + (size_t)qi * K, ids, sizeof(ids));
				continue;
			}
			for (a = 0; a < K; a++)
				for (b = 0; b < K; b++)
					hits += ids[a] == exact[(size_t)qi * K + b];
		}
		printf("| %s | %u | %.4f | %.2f |\n", forms[f].name, len,
		       f == 0 ? 1.0 : (double)hits / ((double)nq * K), (vx_now() - t0) * 1e3 / nq);
		fflush(stdout);
		free(codes);
		free(qbin);
		free(sq.qsum);
		free(sq.sqbuf);
		free(sq.sqq);
		if (sq.npq) {
			free(sq.pq[0].lut);
			free(pq.cent_t);
		}
	}
	return 0;
}
