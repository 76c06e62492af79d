// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * search_bench.c - the SEARCH ioctl against the same core in userspace.
 *
 *   search_bench DIR N D COMP [NFILES]     (run in the VM, DIR on VexFS)
 *   search_bench --native N D COMP         (no VexFS: the batch loop only)
 *
 * Attaches N seeded random D-dimensional float32 vectors (stored with COMP:
 * none, sq8, sq4, f16 or pq: a codebook of D/8 subspaces trained by the core
 * on the first 10,000 vectors and installed with CODEBOOK_ADD) to NFILES
 * files under DIR, then, warm, times:
 *  - the kernel: one query at a time (k = 10) and batches of 64;
 *  - userspace: the same vectors as one contiguous array of stored forms,
 *    searched with the kernel's distance loop (native_pass: the same core
 *    calls, in groups of 256 records, then top-k), and for float32 also
 *    the bulk scan vq_l2sq_scan.
 * --native times the kernel's distance loop itself over records held in
 * memory (groups of VEXFS_SEARCH_GROUP records, every query of the batch
 * against a record before the next; src/search.c), one query at a time
 * against batches of 64, to show the batch speedup on the host CPU.
 * With SEARCH_BENCH_DUMP=PREFIX set, the vectors and the queries are also
 * written as PREFIX.x.npy / PREFIX.q.npy (bench/faiss_search.py times FAISS
 * on them in the same guest).
 * Prints medians and the ratio kernel / userspace. Ratios, not absolute
 * numbers, are what carries from one machine (or QEMU) to another.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "core/vsearch.h"
#include "core/vrec.h"
#include "util.h"

#define NQ	64
#define K	10
#define REPS	3

static u32 rs = 4242;

static float rndf(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return (float)(rs % 20001) / 10000.0f - 1.0f;
}


static int ksearch(int fd, const float *q, u32 nq, u32 d, struct vexfs_search_result *res,
		   u64 *compared)
{
	struct vexfs_ioc_search a = {
		.size = sizeof(a), .flags = VEXFS_SEARCH_FS, .dtype = VEXFS_VEC_DT_F32,
		.metric = VEXFS_SEARCH_METRIC_L2, .dims = d, .nq = nq, .k = K,
		.queries = (u64)(uintptr_t)q, .queries_len = nq * d * 4,
		.results = (u64)(uintptr_t)res, .results_len = nq * K * sizeof(*res),
	};

	if (ioctl(fd, VEXFS_IOC_SEARCH, &a)) {
		perror("SEARCH");
		exit(1);
	}
	*compared = a.compared;
	return 0;
}

#define GROUP	256	/* VEXFS_SEARCH_GROUP in src/search.c */

static struct vq_pq pq;
static u32 pq_id = 1, pq_crc;
static float *pq_lut;

static int dump_npy(const char *prefix, const char *suffix, const float *v, u32 rows, u32 cols)
{
	char path[4096], shape[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", prefix, suffix);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	snprintf(shape, sizeof(shape), "%u, %u", rows, cols);
	vx_npy_header(f, "<f4", shape);
	fwrite(v, 4, (size_t)rows * cols, f);
	return fclose(f) ? 1 : 0;
}

/*
 * A PQ codebook of d/8 subspaces trained on the first @ns vectors; with a
 * VexFS @dir (not "--native"), installed there, its id and record CRC read
 * back, so that the records built here equal the kernel's.
 */
static int pq_setup(struct vq_pq *p, const float *x, u32 ns, const char *dir)
{
	size_t sl = vq_pq_train_scratch_size(p->d, p->m, ns), bl = vq_pq_blob_size(p->d);
	void *sc = malloc(sl);
	u8 *blob = malloc(bl);
	int fd;

	p->cent_t = malloc(vq_pq_codebook_floats(p->d) * 4);
	pq_lut = malloc((size_t)NQ * p->m * VQ_PQ_KSUB * 4);
	if (!sc || !blob || !p->cent_t || !pq_lut || vq_pq_train(p, x, ns, 10, 1, sc, sl) ||
	    vq_pq_store(p, blob, bl) < 0)
		return 1;
	free(sc);
	pq_crc = 7;
	if (!strcmp(dir, "--native"))
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 1;
	{
		struct vexfs_ioc_codebook_add a = { .size = sizeof(a), .blob = (u64)(uintptr_t)blob,
						    .blob_len = bl };
		struct vexfs_ioc_codebook_get g = { .size = sizeof(g) };

		if (ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a)) {
			perror("CODEBOOK_ADD");
			return 1;
		}
		g.id = pq_id = a.id;
		if (ioctl(fd, VEXFS_IOC_CODEBOOK_GET, &g)) {
			perror("CODEBOOK_GET");
			return 1;
		}
		pq_crc = g.blob_crc;
	}
	close(fd);
	free(blob);
	return 0;
}

/* The query's PQ plan, as the kernel sets it up (one codebook, ADC tables). */
static void pq_query(struct vsearch_query *sq, struct vq_pq *p)
{
	if (!p->cent_t)
		return;
	sq->npq = 1;
	sq->pq[0] = (struct vsearch_pq){ .id = pq_id, .crc = pq_crc, .pq = p, .lut = pq_lut };
}

/* SEARCH_BENCH_QBLOCK: queries per block instead of vsearch_qblock()'s */
static u32 qblock_override;
static int no_pairs;	/* SEARCH_BENCH_PAIRS=0: one record per call (the pass before pairs) */

/* The kernel's distance pass (vexfs_search_group) over n records in memory. */
static void native_pass(struct vsearch_query *sq, u32 comp, u32 d, const u8 *codes, u32 rec,
			u32 stored, u32 n, struct vsearch_topk *t, float *dist)
{
	u32 v0, r, qi, nq = sq->nq, bound[256];
	static u64 mask[GROUP * 4];

	for (v0 = 0; v0 < n; v0 += GROUP) {
		u32 g = n - v0 < GROUP ? n - v0 : GROUP;

		if (comp == VEXFS_COMP_PQ && vsearch_pq_all_tables(sq)) {	/* as the kernel */
			for (qi = 0; qi < nq; qi++)
				for (r = 0; r < g; r += VSEARCH_PQ_MANY) {
					const void *data[VSEARCH_PQ_MANY];
					u32 len[VSEARCH_PQ_MANY], k, c;
					float o[VSEARCH_PQ_MANY];

					c = g - r < VSEARCH_PQ_MANY ? g - r : VSEARCH_PQ_MANY;
					for (k = 0; k < c; k++) {
						data[k] = codes + (size_t)(v0 + r + k) * rec;
						len[k] = stored;
					}
					vsearch_pq_many(sq, data, len, c, qi, o);
					for (k = 0; k < c; k++)
						dist[(size_t)(r + k) * nq + qi] = o[k];
				}
		} else {
			u32 blk = qblock_override ? qblock_override : vsearch_qblock(sq), q0, q1;

			if (!vsearch_blocked(VEXFS_DT_F32, comp))	/* as the kernel */
				blk = nq;

			for (q0 = 0; q0 < nq; q0 = q1) {
				q1 = nq - q0 < blk ? nq : q0 + blk;
				for (r = 0; r < g; r++) {
					const u8 *x = codes + (size_t)(v0 + r) * rec;

					if (r + 1 < g && vsearch_paired(sq, VEXFS_DT_F32, comp) &&
					    !no_pairs) {	/* as the kernel */
						vsearch_dist2(sq, VEXFS_DT_F32, comp, x, x + rec, q0,
							      q1, dist + (size_t)r * nq + q0,
							      dist + (size_t)(r + 1) * nq + q0);
						r++;
						continue;
					}
					vsearch_dist(sq, VEXFS_DT_F32, comp, d, x, stored, q0, q1,
						     dist + (size_t)r * nq + q0);
				}
			}
		}
		/* as the kernel: the group's rows filtered, then the bits offered */
		for (qi = 0; qi < nq; qi++)
			bound[qi] = t[qi].bound;
		for (r = 0; r < g; r++)
			vsearch_may_row(dist + (size_t)r * nq, bound, nq, 0, mask + r * 4);
		for (r = 0; r < g; r++) {
			const u32 *row = (const u32 *)(dist + (size_t)r * nq);
			u32 w;

			for (w = 0; w * 64 < nq; w++) {
				u64 m = mask[r * 4 + w];

				while (m) {
					qi = w * 64 + __builtin_ctzll(m);
					m &= m - 1;
					if (vsearch_topk_may(&t[qi], vsearch_key(row[qi], 0)))
						vsearch_topk_push(&t[qi], row[qi], 0, v0 + r + 1, 0, 0);
				}
			}
		}
	}
}

static int native(u32 n, u32 d, u32 comp, const char *comps, const u8 *codes, u32 rec,
		  u32 stored, const float *q)
{
	static float qn[NQ], qs[NQ], scratch[3 * 4096];
	static struct vq_sq_query sqq[2 * (NQ + 2)];
	static struct vsearch_cand cand[NQ * K];
	struct vsearch_topk t[NQ];
	double t1[REPS], t64[REPS];
	float *sqbuf = malloc(vsearch_sq_floats(d, NQ) * 4);
	float *dist = malloc((size_t)GROUP * NQ * 4);
	u32 r, i, nq;

	if (!sqbuf || !dist)
		return 1;
	for (r = 0; r < REPS; r++) {
		for (nq = 1; nq <= NQ; nq += NQ - 1) {
			struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .dims = d, .nq = nq,
						    .row = 4 * d, .qnorm = qn, .qsum = qs,
						    .scratch = scratch, .sqbuf = sqbuf, .sqq = sqq };

			pq_query(&sq, &pq);
			u32 reps = nq == 1 ? 8 : 1;
			double t0 = vx_now();

			for (i = 0; i < reps; i++) {
				u32 j;

				sq.q = q + (size_t)(nq == 1 ? i : 0) * d;
				vsearch_prepare(&sq);
				for (j = 0; j < nq; j++)
					vsearch_topk_init(&t[j], cand + j * K, K);
				native_pass(&sq, comp, d, codes, rec, stored, n, t, dist);
			}
			if (nq == 1)
				t1[r] = (vx_now() - t0) / reps;
			else
				t64[r] = (vx_now() - t0) / nq;
		}
	}
	printf("# vq implementation: %s\n", vq_impl_name());
	printf("| %u | %u | %s | %.3f | %.3f | %.1fx |\n", n, d, comps, vx_median(t1, REPS) * 1e3,
	       vx_median(t64, REPS) * 1e3, vx_median(t1, REPS) / vx_median(t64, REPS));
	free(sqbuf);
	free(dist);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir, *comps, *impl;
	u32 n, d, nfiles, comp, i, j, r, stored, rec;
	float *x, *q, scratch[3 * 4096], qn[NQ];
	u8 *codes;
	struct vexfs_search_result *res;
	struct vsearch_cand cand[K];
	double tk1[REPS], tk64[REPS], tu1[REPS], tb1[REPS];
	char path[4096];
	int dfd;
	u64 compared = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: %s DIR|--native N D none|f16|sq8|sq4|pq [NFILES]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	n = strtoul(argv[2], NULL, 0);
	d = strtoul(argv[3], NULL, 0);
	comps = argv[4];
	nfiles = argc > 5 ? strtoul(argv[5], NULL, 0) : 1000;
	comp = !strcmp(comps, "sq8") ? VEXFS_COMP_SQ8 : !strcmp(comps, "sq4") ? VEXFS_COMP_SQ4 :
	       !strcmp(comps, "f16") ? VEXFS_COMP_F16 : !strcmp(comps, "pq") ? VEXFS_COMP_PQ :
	       VEXFS_COMP_NONE;
	if (d > 4096 || !n || !nfiles || (comp == VEXFS_COMP_PQ && (d % 8 || d > VEXFS_CB_MAX_DIMS)))
		return 2;
	/*
	 * SEARCH_BENCH_IMPL=scalar: the userspace side on the scalar kernels;
	 * =avx2: without AVX-512 (what a CPU without it, or a QEMU guest, runs)
	 */
	if (getenv("SEARCH_BENCH_QBLOCK"))
		qblock_override = atoi(getenv("SEARCH_BENCH_QBLOCK"));
	if (getenv("SEARCH_BENCH_PAIRS"))
		no_pairs = !atoi(getenv("SEARCH_BENCH_PAIRS"));
	impl = getenv("SEARCH_BENCH_IMPL");
	vq_select_impl(impl && !strcmp(impl, "scalar") ? 0 :
		       impl && !strcmp(impl, "avx2") ? vq_cpu_features() & ~VQ_FEAT_AVX512 :
		       vq_cpu_features());
	pq.d = d;
	pq.m = d / 8;
	pq.dsub = 8;
	stored = comp == VEXFS_COMP_PQ ? 8 + pq.m : vexfs_vec_stored_size(VEXFS_DT_F32, comp, d);
	rec = VEXFS_ALIGN_UP(stored, 32u);
	x = malloc((size_t)n * d * 4);
	codes = aligned_alloc(64, (size_t)n * rec);
	/* 64-byte aligned, as the kernel's copy (kvmalloc of a power-of-two size) */
	q = aligned_alloc(64, VEXFS_ALIGN_UP((size_t)NQ * d * 4, 64));
	res = calloc((size_t)NQ * K, sizeof(*res));
	if (!x || !codes || !q || !res)
		return 1;
	for (i = 0; i < n * d; i++)
		x[i] = rndf();
	for (i = 0; i < NQ * d; i++)
		q[i] = rndf();
	if (getenv("SEARCH_BENCH_DUMP") && (dump_npy(getenv("SEARCH_BENCH_DUMP"), ".x.npy", x, n, d) ||
					    dump_npy(getenv("SEARCH_BENCH_DUMP"), ".q.npy", q, NQ, d)))
		return 1;
	if (comp == VEXFS_COMP_PQ && pq_setup(&pq, x, n < 10000 ? n : 10000, dir))
		return 1;

	/* the stored forms, as the kernel stores them, back to back */
	for (i = 0; i < n; i++) {
		u8 *c = codes + (size_t)i * rec;

		if (comp == VEXFS_COMP_NONE) {
			memcpy(c, x + (size_t)i * d, 4 * d);
		} else if (comp == VEXFS_COMP_PQ) {
			vq_put_le32(c, pq_id);
			vq_put_le32(c + 4, pq_crc);
			vq_pq_encode(&pq, x + (size_t)i * d, c + 8, 1);
		} else if (comp == VEXFS_COMP_F16)
			vq_f16_encode(x + (size_t)i * d, (__le16 *)c, d);
		else
			vq_sqv_encode(x + (size_t)i * d, d, comp == VEXFS_COMP_SQ8 ? 8 : 4,
				      scratch, c);
	}

	if (!strcmp(dir, "--native"))
		return native(n, d, comp, comps, codes, rec, stored, q);
	if (getenv("SEARCH_BENCH_DUMP"))	/* for FAISS: the same queries in the same order */
		printf("# dumped to %s.{x,q}.npy\n", getenv("SEARCH_BENCH_DUMP"));

	/* attach */
	snprintf(path, sizeof(path), "%s/bench", dir);
	mkdir(path, 0755);
	{
		double t0 = vx_now();

		for (i = 0; i < nfiles; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/bench/f%05u", dir, i);
			fd = open(path, O_CREAT | O_RDWR, 0644);
			if (fd < 0) {
				perror(path);
				return 1;
			}
			for (j = i; j < n; j += nfiles) {
				struct vexfs_ioc_attach a = {
					.size = sizeof(a), .dtype = VEXFS_VEC_DT_F32,
					.compression = comp, .dims = d,
					.codebook = comp == VEXFS_COMP_PQ ? pq_id : 0,
					.data = (u64)(uintptr_t)(x + (size_t)j * d),
					.data_len = 4 * d,
				};

				if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a)) {
					perror("ATTACH");
					return 1;
				}
			}
			close(fd);
		}
		printf("# attached %u vectors (d %u, %s) to %u files in %.1f s\n", n, d, comps,
		       nfiles, vx_now() - t0);
	}
	sync();
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		perror(dir);
		return 1;
	}
	ksearch(dfd, q, 1, d, res, &compared);	/* warm the cache and the verdicts */
	printf("# kernel compared %llu vectors; impl %s\n", (unsigned long long)compared,
	       vq_impl_name());

	for (r = 0; r < REPS; r++) {
		static float qs[1], sqbuf[2 * 4 * 4096], gdist[GROUP];
		static struct vq_sq_query sqq[6];
		struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .metric = 0, .dims = d,
					    .nq = 1, .row = 4 * d, .qnorm = qn, .qsum = qs,
					    .scratch = scratch, .sqbuf = sqbuf, .sqq = sqq };

		pq_query(&sq, &pq);
		double t0;
		float *out = malloc((size_t)n * 4);

		/* kernel, single queries (8 of them) */
		t0 = vx_now();
		for (i = 0; i < 8; i++)
			ksearch(dfd, q + (size_t)i * d, 1, d, res, &compared);
		tk1[r] = (vx_now() - t0) / 8;
		/* kernel, a batch of 64 */
		t0 = vx_now();
		ksearch(dfd, q, NQ, d, res, &compared);
		tk64[r] = (vx_now() - t0) / NQ;
		/* userspace, the kernel's loop over the same records (native_pass) */
		t0 = vx_now();
		for (i = 0; i < 8; i++) {
			struct vsearch_topk t;

			sq.q = q + (size_t)i * d;
			vsearch_prepare(&sq);
			vsearch_topk_init(&t, cand, K);
			native_pass(&sq, comp, d, codes, rec, stored, n, &t, gdist);
		}
		tu1[r] = (vx_now() - t0) / 8;
		/* userspace bulk scan (float32 only) */
		t0 = vx_now();
		for (i = 0; comp == VEXFS_COMP_NONE && i < 8; i++) {
			struct vsearch_topk t;
			u32 v;

			vq_l2sq_scan(q + (size_t)i * d, x, d, n, out);
			vsearch_topk_init(&t, cand, K);
			for (v = 0; v < n; v++) {
				u32 bits;

				memcpy(&bits, &out[v], 4);
				vsearch_topk_push(&t, bits, 0, v + 1, 0, 0);
			}
		}
		tb1[r] = (vx_now() - t0) / 8;
		free(out);
	}
	{
		double k1 = vx_median(tk1, REPS), k64 = vx_median(tk64, REPS), u1 = vx_median(tu1, REPS);
		double b1 = vx_median(tb1, REPS);

		printf("| %u | %u | %s | %.2f | %.2f | %.2fx | %.2f | %.2f | %.1fx |\n", n, d, comps,
		       k1 * 1e3, u1 * 1e3, k1 / u1,
		       comp == VEXFS_COMP_NONE ? b1 * 1e3 : 0.0, k64 * 1e3, k1 / k64);
	}
	close(dfd);
	return 0;
}
