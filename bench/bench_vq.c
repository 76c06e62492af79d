// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_vq.c - native throughput benchmark of the vq core.
 *
 *   bench_vq gen DIR    write the data sets (N x d f32, queries, PQ codebook
 *                       blob and PQ codes) that bench/faiss_ref.py also reads
 *   bench_vq run DIR    memory bandwidth probe, encode and scan throughput;
 *                       prints "vexfs <what> <d> <kind> <ms> <GB/s>" lines
 *
 * Single thread. Scans are one query against N codes writing N results,
 * timed per query; the median over the queries is reported. GB/s counts
 * bytes of codes scanned (encode: bytes of f32 input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vexfs/vq.h"
#include "util.h"

#define NVEC	100000
#define NQ	9
#define NTRAIN	10000
#define PQ_ITERS 8

static const u32 dims[] = { 128, 768 };


static void *xalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (!p) {
		perror("alloc");
		exit(1);
	}
	return p;
}

static void path(char *buf, const char *dir, const char *name, u32 d)
{
	snprintf(buf, 512, "%s/%s%u", dir, name, d);
}

static void write_file(const char *dir, const char *name, u32 d,
		       const void *p, size_t len)
{
	char fn[512];
	FILE *f;

	path(fn, dir, name, d);
	f = fopen(fn, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(fn);
		exit(1);
	}
}

static void *read_file(const char *dir, const char *name, u32 d, size_t len)
{
	char fn[512];
	void *p = xalloc(len);
	FILE *f;

	path(fn, dir, name, d);
	f = fopen(fn, "rb");
	if (!f || fread(p, 1, len, f) != len) {
		fprintf(stderr, "%s: missing or short (run bench_vq gen)\n", fn);
		exit(1);
	}
	fclose(f);
	return p;
}

static u64 rs = 0x243f6a8885a308d3ULL;
static u64 rnd(void)
{
	u64 z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Synthetic vectors: a low-rank mix plus noise, so that dimensions are
 * correlated and PQ/SQ have something to learn (throughput does not depend
 * on the values).
 */
static void gen_vectors(float *x, size_t n, u32 d, const float *basis)
{
	size_t v;
	u32 i, k;

	for (v = 0; v < n; v++) {
		float z[8];

		for (k = 0; k < 8; k++)
			z[k] = (float)((double)(rnd() >> 11) / 9007199254740992.0 * 2 - 1);
		for (i = 0; i < d; i++) {
			float s = 0.1f * (float)((double)(rnd() >> 11) /
						 9007199254740992.0 * 2 - 1);

			for (k = 0; k < 8; k++)
				s += z[k] * basis[k * d + i];
			x[v * d + i] = s;
		}
	}
}

static int gen(const char *dir)
{
	size_t k;
	u32 di;

	vq_select_impl(vq_cpu_features());
	for (di = 0; di < ARRAY_SIZE(dims); di++) {
		u32 d = dims[di], m = d / 8;
		float *basis = xalloc(8 * d * 4), *x = xalloc((size_t)NVEC * d * 4);
		float *q = xalloc((size_t)NQ * d * 4), *cent = xalloc((size_t)d * 256 * 4);
		size_t sl = vq_pq_train_scratch_size(d, m, NTRAIN);
		void *scratch = xalloc(sl);
		u8 *blob = xalloc(vq_pq_blob_size(d)), *codes = xalloc((size_t)NVEC * m);
		struct vq_pq pq = { .d = d, .m = m, .cent_t = cent };
		double t0;

		for (k = 0; k < 8 * (size_t)d; k++)
			basis[k] = (float)((double)(rnd() >> 11) / 9007199254740992.0 - 0.5);
		gen_vectors(x, NVEC, d, basis);
		gen_vectors(q, NQ, d, basis);
		t0 = vx_now();
		if (vq_pq_train(&pq, x, NTRAIN, PQ_ITERS, 1, scratch, sl)) {
			fprintf(stderr, "pq train failed\n");
			return 1;
		}
		fprintf(stderr, "# d=%u: PQ m=%u trained on %u vectors, %u iterations in %.2f s\n",
			d, m, NTRAIN, PQ_ITERS, vx_now() - t0);
		vq_pq_store(&pq, blob, vq_pq_blob_size(d));
		t0 = vx_now();
		vq_pq_encode(&pq, x, codes, NVEC);
		fprintf(stderr, "# d=%u: PQ encoded %u vectors in %.2f s\n", d, NVEC,
			vx_now() - t0);
		write_file(dir, "x", d, x, (size_t)NVEC * d * 4);
		write_file(dir, "q", d, q, (size_t)NQ * d * 4);
		write_file(dir, "pqblob", d, blob, vq_pq_blob_size(d));
		write_file(dir, "pqcodes", d, codes, (size_t)NVEC * m);
		free(basis);
		free(x);
		free(q);
		free(cent);
		free(scratch);
		free(blob);
		free(codes);
	}
	return 0;
}

#if defined(__x86_64__)
typedef long long v8di __attribute__((vector_size(64)));
typedef long long v4di __attribute__((vector_size(32)));

/* The widest sum the CPU has, four accumulators: as fast as loads go. */
__attribute__((target("avx512f"))) static u64 sum_avx512(const u64 *p, size_t n)
{
	v8di a0 = { 0 }, a1 = a0, a2 = a0, a3 = a0, t;
	size_t i;

	for (i = 0; i + 32 <= n; i += 32) {
		a0 += *(const v8di *)(p + i);
		a1 += *(const v8di *)(p + i + 8);
		a2 += *(const v8di *)(p + i + 16);
		a3 += *(const v8di *)(p + i + 24);
	}
	t = (a0 + a1) + (a2 + a3);
	return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}

__attribute__((target("avx2"))) static u64 sum_avx2(const u64 *p, size_t n)
{
	v4di a0 = { 0 }, a1 = a0, a2 = a0, a3 = a0, t;
	size_t i;

	for (i = 0; i + 16 <= n; i += 16) {
		a0 += *(const v4di *)(p + i);
		a1 += *(const v4di *)(p + i + 4);
		a2 += *(const v4di *)(p + i + 8);
		a3 += *(const v4di *)(p + i + 12);
	}
	t = (a0 + a1) + (a2 + a3);
	return t[0] + t[1] + t[2] + t[3];
}
#endif

static u64 sum_plain(const u64 *p, size_t n)
{
	u64 s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += p[i];
	return s;
}

/*
 * One thread summing a 1 GiB buffer: the scan roofline. Two probes: the
 * compiler's loop (-O3 -march=native) and the widest explicit SIMD sum
 * (AVX-512 where the CPU has it); the faster one is the reference.
 */
static void bandwidth(double *plain, double *simd, const char **simd_name)
{
	size_t n = (1UL << 30) / 8, i;
	u64 *p = aligned_alloc(64, n * 8);
	double t[5], u[5];
	volatile u64 sink;
	int r;

	if (!p)
		abort();
	*simd_name = "none";
	for (i = 0; i < n; i++)
		p[i] = i;
	for (r = 0; r < 5; r++) {
		double t0 = vx_now();

		sink = sum_plain(p, n);
		t[r] = vx_now() - t0;
		t0 = vx_now();
#if defined(__x86_64__)
		if (vq_cpu_features() & VQ_FEAT_AVX512) {
			sink = sum_avx512(p, n);
			*simd_name = "avx512";
		} else if (vq_cpu_features() & VQ_FEAT_AVX2) {
			sink = sum_avx2(p, n);
			*simd_name = "avx2";
		} else {
			sink = sum_plain(p, n);
		}
#else
		sink = sum_plain(p, n);
#endif
		u[r] = vx_now() - t0;
	}
	(void)sink;
	free(p);
	*plain = (double)(n * 8) / vx_median(t, 5) / 1e9;
	*simd = (double)(n * 8) / vx_median(u, 5) / 1e9;
}

static const char *who = "vexfs";	/* "vexfs-avx2": the AVX2 kernels on an AVX-512 CPU */

static void report(const char *what, u32 d, const char *kind, double sec,
		   double bytes)
{
	printf("%s %s %u %s %.4f %.3f\n", who, what, d, kind, sec * 1e3,
	       bytes / sec / 1e9);
	fflush(stdout);
}

enum { K_F32, K_F16, K_SQ8, K_SQ4, K_SQ8IP, K_SQ4IP, K_PQ, K_BIN, K_N };
static const char *const kname[K_N] = { "f32", "f16", "sq8", "sq4", "sq8-ip",
					"sq4-ip", "pq", "bin" };

static int run(const char *dir)
{
	double bw, bws, tt[NQ], t0;
	unsigned int feats = vq_cpu_features();
	const char *probe;
	char cpu[128] = "unknown";
	u32 di, qi, i;
	int r, k, pass;
	FILE *ci = fopen("/proc/cpuinfo", "r");

	while (ci && fgets(cpu, sizeof(cpu), ci))
		if (!strncmp(cpu, "model name", 10))
			break;
	if (ci)
		fclose(ci);
	cpu[strcspn(cpu, "\n")] = 0;
	vq_select_impl(feats);
	printf("# cpu: %s\n# vq implementation: %s\n", strchr(cpu, ':') ? strchr(cpu, ':') + 2 : cpu,
	       vq_impl_name());
	fprintf(stderr, "# vq implementation: %s\n", vq_impl_name());
	bandwidth(&bw, &bws, &probe);
	printf("vexfs bw 0 mem 0 %.3f\nvexfs bw 0 %s 0 %.3f\n", bw, probe, bws);
	for (di = 0; di < ARRAY_SIZE(dims); di++) {
		u32 d = dims[di], m = d / 8, nb = vq_bin_code_size(d);
		size_t nd = (size_t)NVEC * d;
		float *x = read_file(dir, "x", d, nd * 4);
		float *q = read_file(dir, "q", d, (size_t)NQ * d * 4);
		u8 *blob = read_file(dir, "pqblob", d, vq_pq_blob_size(d));
		u8 *pqc = read_file(dir, "pqcodes", d, (size_t)NVEC * m);
		float *cent = xalloc((size_t)d * 256 * 4), *out = xalloc(NVEC * 4);
		float *vmin = xalloc(d * 4), *step = xalloc(d * 4);
		float *qa = xalloc(d * 4), *qb = xalloc(d * 4), *lut = xalloc(m * 256 * 4);
		__le16 *h = xalloc(nd * 2);
		u8 *s8 = xalloc(nd), *s4 = xalloc(nd / 2), *bin = xalloc((size_t)NVEC * nb);
		u8 *qbin = xalloc(nb), *pqc2 = xalloc((size_t)NVEC * m);
		u32 *hout = xalloc(NVEC * 4);
		struct vq_sq sq8 = { d, 8, vmin, step }, sq4 = { d, 4, vmin, step };
		struct vq_sq_query qq = { .a = qa, .b = qb };
		struct vq_pq pq;
		size_t npq = 4000;

		if (vq_pq_load(&pq, blob, vq_pq_blob_size(d), cent, d)) {
			fprintf(stderr, "bad codebook\n");
			return 1;
		}
		vq_sq_train(d, 8, x, NTRAIN, vmin, step);

		/* encode throughput, median of 3 */
		for (k = 0; k < 5; k++) {
			double te[3];
			size_t cnt = k == 4 ? npq : NVEC;

			for (r = 0; r < 3; r++) {
				t0 = vx_now();
				switch (k) {
				case 0:
					vq_f16_encode(x, h, nd);
					break;
				case 1:
					vq_sq_encode(&sq8, x, s8, NVEC);
					break;
				case 2:
					vq_sq_encode(&sq4, x, s4, NVEC);
					break;
				case 3:
					vq_bin_encode(x, d, NVEC, bin);
					break;
				default:
					vq_pq_encode(&pq, x, pqc2, npq);
					break;
				}
				te[r] = vx_now() - t0;
			}
			report("encode", d, k == 0 ? "f16" : k == 1 ? "sq8" : k == 2 ? "sq4" :
			       k == 3 ? "bin" : "pq", vx_median(te, 3), (double)cnt * d * 4);
		}
		if (memcmp(pqc, pqc2, npq * m))
			fprintf(stderr, "warning: PQ codes differ from gen's\n");

		/*
		 * scans: one query vs NVEC codes, median over the queries; on an
		 * AVX-512 CPU a second pass runs the AVX2 kernels of the scans
		 * that have both (what QEMU guests and older CPUs run)
		 */
		for (pass = 0; pass < 2; pass++)
		for (k = 0; k < K_N; k++) {
			double bytes = 0;

			if (pass && (!(feats & VQ_FEAT_AVX512) ||
				     (k != K_F32 && k != K_F16 && k != K_SQ8 && k != K_SQ8IP)))
				continue;
			vq_select_impl(pass ? feats & ~VQ_FEAT_AVX512 : feats);
			who = pass ? "vexfs-avx2" : "vexfs";

			for (qi = 0; qi < NQ; qi++) {
				const float *qv = q + (size_t)qi * d;

				t0 = vx_now();
				switch (k) {
				case K_F32:
					vq_l2sq_scan(qv, x, d, NVEC, out);
					bytes = (double)nd * 4;
					break;
				case K_F16:
					vq_f16_scan(qv, h, d, NVEC, VQ_METRIC_L2, out);
					bytes = (double)nd * 2;
					break;
				case K_SQ8:
					vq_sq_prepare(&sq8, VQ_METRIC_L2, qv, &qq);
					vq_sq_scan(&sq8, &qq, s8, NVEC, out);
					bytes = (double)nd;
					break;
				case K_SQ4:
					vq_sq_prepare(&sq4, VQ_METRIC_L2, qv, &qq);
					vq_sq_scan(&sq4, &qq, s4, NVEC, out);
					bytes = (double)nd / 2;
					break;
				case K_SQ8IP:
					vq_sq_prepare(&sq8, VQ_METRIC_IP, qv, &qq);
					vq_sq_scan(&sq8, &qq, s8, NVEC, out);
					bytes = (double)nd;
					break;
				case K_SQ4IP:
					vq_sq_prepare(&sq4, VQ_METRIC_IP, qv, &qq);
					vq_sq_scan(&sq4, &qq, s4, NVEC, out);
					bytes = (double)nd / 2;
					break;
				case K_PQ:
					vq_pq_lut(&pq, VQ_METRIC_L2, qv, lut);
					vq_pq_adc_scan(lut, m, pqc, NVEC, out);
					bytes = (double)NVEC * m;
					break;
				default:
					vq_bin_encode(qv, d, 1, qbin);
					vq_hamming_scan(qbin, bin, nb, NVEC, hout);
					bytes = (double)NVEC * nb;
					break;
				}
				tt[qi] = vx_now() - t0;
			}
			report("scan", d, kname[k], vx_median(tt, NQ), bytes);
		}
		vq_select_impl(feats);
		who = "vexfs";
		/* keep the compiler honest */
		for (i = 0, t0 = 0; i < NVEC; i += 997)
			t0 += out[i] + hout[i];
		fprintf(stderr, "# d=%u checksum %g\n", d, t0);
		free(x); free(q); free(blob); free(pqc); free(cent); free(out);
		free(vmin); free(step); free(qa); free(qb); free(lut); free(h);
		free(s8); free(s4); free(bin); free(qbin); free(pqc2); free(hout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "gen"))
		return gen(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "run"))
		return run(argv[2]);
	fprintf(stderr, "usage: %s gen|run DIR\n", argv[0]);
	return 2;
}
