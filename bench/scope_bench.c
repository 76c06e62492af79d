// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * scope_bench.c - the cost of a directory-scoped SEARCH against the same
 * search of the whole filesystem.
 *
 *   scope_bench DIR N D NFILES     (run in the VM, DIR on VexFS)
 *
 * Makes a tree DIR/t/aXX/bYY/fZZZZ of NFILES files (10 x 10 directories),
 * attaches N seeded random D-dimensional float32 vectors round-robin, then,
 * warm, times single queries (k = 10; 9 rounds of 4 queries each, the four
 * searches interleaved in every round) of: the whole filesystem
 * (VEXFS_SEARCH_FS), the subtree of DIR/t (every file), of DIR/t/a03 (a
 * tenth) and of DIR/t/a03/b07 (a hundredth). Every search reads every
 * vector; the scope decides which candidates may enter the top-k. Prints
 * median times and the median per-round ratio to the whole-filesystem one.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "vexfs/vexfs_ioctl.h"
#include "util.h"

#define K	10
#define ROUNDS	9
#define PER	4

static unsigned int rs = 777;

static float rndf(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return (float)(rs % 20001) / 10000.0f - 1.0f;
}

static unsigned long long ksearch(int fd, unsigned int flags, const float *q, unsigned int d,
				  unsigned int *nres)
{
	static struct vexfs_search_result res[K];
	struct vexfs_ioc_search a = {
		.size = sizeof(a), .flags = flags, .dtype = VEXFS_VEC_DT_F32,
		.metric = VEXFS_SEARCH_METRIC_L2, .dims = d, .nq = 1, .k = K,
		.queries = (__u64)(uintptr_t)q, .queries_len = d * 4,
		.results = (__u64)(uintptr_t)res, .results_len = sizeof(res),
	};
	unsigned int i;

	if (ioctl(fd, VEXFS_IOC_SEARCH, &a)) {
		perror("SEARCH");
		exit(1);
	}
	for (i = 0; i < K && res[i].vector_id; i++)
		;
	*nres = i;
	return a.compared;
}

/* Median-of-rounds time of PER single queries on @fd. */
static double one_round(int fd, unsigned int flags, const float *q, unsigned int d,
			unsigned int *nres)
{
	double t0 = vx_now();
	int i;

	for (i = 0; i < PER; i++)
		ksearch(fd, flags, q + (size_t)i * d, d, nres);
	return (vx_now() - t0) / PER;
}

int main(int argc, char **argv)
{
	static const char *const scopes[] = { "t", "t/a03", "t/a03/b07" };
	unsigned int n, d, nfiles, i, j, r, nres[4];
	double t[4][ROUNDS], ratio[4][ROUNDS], t0;
	char path[4096];
	float *x, *q;
	int fd, fds[4];

	if (argc < 5) {
		fprintf(stderr, "usage: %s DIR N D NFILES\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[2], NULL, 0);
	d = strtoul(argv[3], NULL, 0);
	nfiles = strtoul(argv[4], NULL, 0);
	if (!n || !d || d > 4096 || nfiles < 100)
		return 2;
	x = malloc((size_t)n * d * 4);
	q = malloc((size_t)PER * d * 4);
	if (!x || !q)
		return 1;
	for (i = 0; i < n * d; i++)
		x[i] = rndf();
	for (i = 0; i < PER * d; i++)
		q[i] = rndf();
	t0 = vx_now();
	snprintf(path, sizeof(path), "%s/t", argv[1]);
	mkdir(path, 0755);
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/t/a%02u", argv[1], i);
		mkdir(path, 0755);
		for (j = 0; j < 10; j++) {
			snprintf(path, sizeof(path), "%s/t/a%02u/b%02u", argv[1], i, j);
			mkdir(path, 0755);
		}
	}
	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/t/a%02u/b%02u/f%05u", argv[1], i % 10,
			 (i / 10) % 10, i);
		fd = open(path, O_CREAT | O_RDWR, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		for (j = i; j < n; j += nfiles) {
			struct vexfs_ioc_attach a = {
				.size = sizeof(a), .dtype = VEXFS_VEC_DT_F32, .dims = d,
				.data = (__u64)(uintptr_t)(x + (size_t)j * d), .data_len = 4 * d,
			};

			if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a)) {
				perror("ATTACH");
				return 1;
			}
		}
		close(fd);
	}
	sync();
	printf("# %u vectors (d %u) on %u files in a 10 x 10 tree, made in %.1f s\n", n, d, nfiles,
	       vx_now() - t0);
	/*
	 * Rounds interleave the four searches (the whole filesystem, then each
	 * scope), so drift of the host or of TCG hits them alike; each scope's
	 * ratio is the median of its per-round ratios to that round's whole.
	 */
	fds[0] = open(argv[1], O_RDONLY | O_DIRECTORY);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], scopes[i]);
		fds[i + 1] = open(path, O_RDONLY | O_DIRECTORY);
	}
	for (i = 0; i < 4; i++) {
		if (fds[i] < 0) {
			perror("open");
			return 1;
		}
		one_round(fds[i], i ? 0 : VEXFS_SEARCH_FS, q, d, &nres[i]);	/* warm */
	}
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < 4; i++)
			t[i][r] = one_round(fds[i], i ? 0 : VEXFS_SEARCH_FS, q, d, &nres[i]);
		for (i = 1; i < 4; i++)
			ratio[i][r] = t[i][r] / t[0][r];
	}
	for (i = 0; i < 4; i++) {
		printf("| %s%s | %u | %.2f | %.2fx |\n", i ? "subtree " : "whole filesystem",
		       i ? scopes[i - 1] : "", i < 2 ? nfiles : i == 2 ? nfiles / 10 : nfiles / 100,
		       vx_median(t[i], ROUNDS) * 1e3, i ? vx_median(ratio[i], ROUNDS) : 1.0);
		if (nres[i] != K)
			printf("# search %u: %u results, not %u\n", i, nres[i], K);
		close(fds[i]);
	}
	return 0;
}
