// SPDX-License-Identifier: GPL-2.0
/*
 * vec-churn.c - fragmentation of the vector chunk allocator (src/core/vrec.c,
 * the code vexfs.ko runs) under churn: attach N records of mixed sizes,
 * detach 50% at random, refill, repeat; print bytes allocated in chunks vs
 * bytes of live records after each phase.
 *
 *   vec-churn [N=1000000] [block size=4096] [rounds=3]
 *
 * Sizes: header (96) + data of common embeddings: 64-d int8, 128/384/768/
 * 1024/1536-d float32, 768-d float16, 1024-bit binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "core/vrec.h"

static const unsigned int sizes[] = {
	96 + 64, 96 + 512, 96 + 1536, 96 + 3072, 96 + 4096, 96 + 6144, 96 + 1536, 96 + 128,
};

struct rec {
	struct vexfs_vchunk *c;
	int slot;
	unsigned int len;
};

static unsigned long long rs = 88172645463325252ULL;
static unsigned long long xs(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static struct vexfs_valloc va;

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	unsigned int bs = argc > 2 ? strtoul(argv[2], NULL, 0) : 4096;
	unsigned int rounds = argc > 3 ? strtoul(argv[3], NULL, 0) : 3, r;
	unsigned int cblocks = vexfs_vchunk_max_blocks(bs);
	struct rec *recs = calloc(n, sizeof(*recs));
	unsigned long long live = 0, next_block = 1, ops = 0, i;
	double t0, t;

	if (!recs)
		return 1;
	vexfs_valloc_init(&va, bs);
	printf("# vec-churn: %lu records, block size %u, chunks of %u blocks\n", n, bs, cblocks);
	printf("%-26s %14s %14s %8s %10s\n", "phase", "live bytes", "alloc bytes", "ratio",
	       "ns/op");
	t0 = now();
	for (r = 0; r <= rounds; r++) {
		for (i = 0; i < n; i++) {
			struct vexfs_vchunk *c;
			unsigned int s;

			if (recs[i].c)
				continue;
			recs[i].len = sizes[xs() % (sizeof(sizes) / sizeof(sizes[0]))];
			s = vexfs_vec_slots(recs[i].len);
			c = vexfs_valloc_pick(&va, s);
			if (!c) {
				c = malloc(sizeof(*c));
				vexfs_vchunk_init(c, next_block, cblocks, bs);
				next_block += cblocks;
				vexfs_valloc_insert(&va, c);
			}
			recs[i].slot = vexfs_vchunk_take(&va, c, s);
			if (recs[i].slot < 0)
				return 2;
			recs[i].c = c;
			live += recs[i].len;
			ops++;
		}
		t = now();
		printf("%-26s %14llu %14llu %8.3f %10.0f\n", r ? "refill" : "attach all", live,
		       (unsigned long long)va.chunk_blocks * bs,
		       (double)va.chunk_blocks * bs / live, (t - t0) * 1e9 / ops);
		if (r == rounds)
			break;
		t0 = now();
		ops = 0;
		for (i = 0; i < n; i++) {
			if (xs() & 1) {
				struct vexfs_vchunk *c = recs[i].c;

				vexfs_vchunk_release(&va, c, recs[i].slot, vexfs_vec_slots(recs[i].len));
				live -= recs[i].len;
				recs[i].c = NULL;
				ops++;
				if (!c->nrec) {
					vexfs_valloc_remove(&va, c);
					free(c);
				}
			}
		}
		t = now();
		printf("%-26s %14llu %14llu %8.3f %10.0f\n", "detach 50% at random", live,
		       (unsigned long long)va.chunk_blocks * bs,
		       (double)va.chunk_blocks * bs / live, (t - t0) * 1e9 / ops);
		t0 = now();
		ops = 0;
	}
	return 0;
}
