// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ann_kernel.c - the kernel's graph ANN search against the same core code in
 * userspace, over the same on-disk index (issue 10's VM comparison).
 *
 *   ann_kernel MNT DEV N D [NQ [EF]]   (in the VM; MNT is DEV's VexFS mount)
 *
 * Attaches N seeded clustered float32 vectors of D dims (100 a file) under
 * MNT, creates the filesystem's index (degree 16, ef_construction 64), then
 * with NQ queries near stored vectors (default 200), k 10, ef EF (default
 * 32), warm, median of 3 rounds:
 *  - kernel: SEARCH with VEXFS_SEARCH_APPROX over the filesystem, one query
 *    a call (the call also checks each candidate's record, model and
 *    permission);
 *  - userspace: after syncfs, the index is read from DEV (through the block
 *    device's page cache, which holds the filesystem's buffers): inode 3's
 *    block map, the descriptor and every node checked with core/vann.c; each
 *    query is coded with vq_u8_encode and the descriptor's quantizer, walked
 *    with vgraph_search_k over the nodes held in memory, as src/ann.c does,
 *    and its candidates compared with vsearch_dist and kept in a
 *    vsearch_topk, as src/search.c does.
 * Prints whether both gave the same ids for every query, recall@10 of both
 * against brute force, the time per query of each and the ratio kernel /
 * userspace (issue 10: within 1.5x), with the SIMD path of the core.
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
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "core/vann.h"
#include "core/vgraph.h"
#include "core/vsearch.h"
#include "util.h"

#define K	10
#define PER	100	/* vectors a file */
#define REPS	3

static u64 rs = 0x9e3779b97f4a7c15ULL;

static float rndf(void)	/* uniform in [-1, 1) */
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (float)(rs >> 40) / (float)(1 << 23) - 1.0f;
}

/* ---- the index, read from the device -------------------------------------- */

struct img {
	int fd;
	u32 bs;
	u8 *ino3;			/* struct vexfs_inode */
	struct vexfs_ann_desc d;
	u32 r, dims, nsize, npb, nslots;
	u8 *nodes;			/* every node slot, nslots x nsize */
	u64 *vids;			/* slot -> vector id, 0 unless live */
};

static void img_read(struct img *im, u64 blk, void *buf)
{
	if (pread(im->fd, buf, im->bs, (off_t)(blk * im->bs)) != (ssize_t)im->bs)
		vx_die("pread: %m");
}

/* physical block of logical block @lb of inode 3 (direct, single, double) */
static u64 img_bmap(struct img *im, u64 lb)
{
	const __le64 *ib = (const __le64 *)(im->ino3 + 120);
	u64 p = im->bs / 8 - 1, blk;
	__le64 *ind = malloc(im->bs);

	if (!ind)
		vx_die("malloc: %m");
	if (lb < VEXFS_NDIR_BLOCKS) {
		blk = le64_to_cpu(ib[lb]);
	} else if ((lb -= VEXFS_NDIR_BLOCKS) < p) {
		img_read(im, le64_to_cpu(ib[VEXFS_IND_BLOCK]), ind);
		blk = le64_to_cpu(ind[lb]);
	} else if ((lb -= p) < p * p) {
		img_read(im, le64_to_cpu(ib[VEXFS_DIND_BLOCK]), ind);
		img_read(im, le64_to_cpu(ind[lb / p]), ind);
		blk = le64_to_cpu(ind[lb % p]);
	} else {
		fprintf(stderr, "index past double indirect blocks\n");
		exit(1);
	}
	free(ind);
	return blk;
}

static void img_load(struct img *im, const char *dev)
{
	struct vexfs_super_block sb;
	u8 *buf;
	u64 gd, itable, s, lb;
	u32 seed;
	const char *why = "";

	im->fd = open(dev, O_RDONLY);
	if (im->fd < 0 || pread(im->fd, &sb, sizeof(sb), 0) != sizeof(sb))
		vx_die("%s: %m", dev);
	im->bs = 1u << le32_to_cpu(sb.s_block_size_bits);
	seed = vexfs_crc32c(~0U, sb.s_uuid, sizeof(sb.s_uuid));
	buf = malloc(im->bs);
	im->ino3 = malloc(im->bs);
	if (!buf || !im->ino3)
		vx_die("malloc: %m");
	/* inode 3: group 0, index 2 */
	gd = le64_to_cpu(sb.s_gdt_start);
	img_read(im, gd, buf);
	itable = le64_to_cpu(((struct vexfs_group_desc *)buf)->bg_inode_table);
	img_read(im, itable + (2 * VEXFS_INODE_SIZE) / im->bs, buf);
	memcpy(im->ino3, buf + (2 * VEXFS_INODE_SIZE) % im->bs, VEXFS_INODE_SIZE);
	img_read(im, img_bmap(im, 0), buf);
	memcpy(&im->d, buf, sizeof(im->d));
	if (vexfs_ann_desc_validate(&im->d, seed, im->bs, le32_to_cpu(sb.s_ann_gen), &why)) {
		fprintf(stderr, "ANN descriptor: %s\n", why);
		exit(1);
	}
	im->r = le16_to_cpu(im->d.ad_r);
	im->dims = le32_to_cpu(im->d.ad_dims);
	im->nsize = le16_to_cpu(im->d.ad_node_size);
	im->npb = vexfs_ann_per_block(im->bs, im->nsize);
	im->nslots = le32_to_cpu(im->d.ad_nslots);
	im->nodes = malloc((size_t)im->nslots * im->nsize + 1);
	im->vids = calloc(im->nslots + 1, sizeof(*im->vids));
	if (!im->nodes || !im->vids)
		vx_die("malloc: %m");
	for (lb = 1, s = 0; s < im->nslots; lb++) {
		u32 i;

		img_read(im, img_bmap(im, lb), buf);
		for (i = 0; i < im->npb && s < im->nslots; i++, s++) {
			u8 *n = buf + (size_t)i * im->nsize;

			if (vexfs_ann_node_validate(n, im->nsize, im->dims, (u32)s, im->r, im->nslots,
						    seed, le32_to_cpu(im->d.ad_gen), &why)) {
				fprintf(stderr, "ANN node %llu: %s\n", (unsigned long long)s, why);
				exit(1);
			}
			memcpy(im->nodes + s * im->nsize, n, im->nsize);
			if (((struct vexfs_ann_node *)n)->an_state == VEXFS_ANN_NODE_LIVE)
				im->vids[s] = le64_to_cpu(((struct vexfs_ann_node *)n)->an_vid);
		}
	}
	free(buf);
}

/* struct vgraph_ops over the nodes in memory: what src/ann.c does over buffers */
static u8 *img_node(struct img *im, u32 slot)
{
	return im->nodes + (size_t)slot * im->nsize;
}

static int op_dist(void *ctx, const u8 *q, const u32 *slots, u32 n, u32 *out, u8 *deleted)
{
	struct img *im = ctx;
	const u8 *ptrs[64];
	u32 i, j;

	for (i = 0; i < n; i += 64) {
		u32 c = n - i < 64 ? n - i : 64;

		for (j = 0; j < c; j++) {
			u8 *node = img_node(im, slots[i + j]);

			ptrs[j] = vexfs_ann_code(node, im->r);
			deleted[i + j] = ((struct vexfs_ann_node *)node)->an_state !=
					 VEXFS_ANN_NODE_LIVE;
		}
		vq_l2sq_u8(q, ptrs, im->dims, c, out + i);
	}
	return 0;
}

static int op_nbrs(void *ctx, u32 slot, u32 *out)
{
	struct img *im = ctx;
	u8 *node = img_node(im, slot);
	const __le32 *nb = vexfs_ann_nbrs(node);
	u32 i, n = ((struct vexfs_ann_node *)node)->an_count;

	for (i = 0; i < n; i++)
		out[i] = le32_to_cpu(nb[i]);
	return n;
}

static int op_code(void *ctx, u32 slot, u8 *out)
{
	struct img *im = ctx;

	memcpy(out, vexfs_ann_code(img_node(im, slot), im->r), im->dims);
	return 0;
}

static const struct vgraph_ops img_ops = { .dist = op_dist, .nbrs = op_nbrs, .code = op_code };

/* ---- the searches ----------------------------------------------------------- */

static u32 *id_row;	/* vector id -> row of x, or ~0 */
static u64 max_id;

static void ksearch(int fd, const float *q, u32 d, u32 ef, struct vexfs_search_result *res)
{
	struct vexfs_ioc_search a = {
		.size = sizeof(a), .flags = VEXFS_SEARCH_FS | VEXFS_SEARCH_APPROX,
		.dtype = VEXFS_VEC_DT_F32, .metric = VEXFS_SEARCH_METRIC_L2, .dims = d, .nq = 1,
		.k = K, .queries = (u64)(uintptr_t)q, .queries_len = d * 4,
		.results = (u64)(uintptr_t)res, .results_len = K * sizeof(*res), .ef = ef,
	};

	if (ioctl(fd, VEXFS_IOC_SEARCH, &a))
		vx_die("SEARCH: %m");
	if (!a.approx) {
		fprintf(stderr, "the kernel did not answer with the index\n");
		exit(1);
	}
}

/* src/ann.c's vexfs_ann_candidates, then src/search.c's vexfs_search_cand */
static void usearch(struct img *im, struct vgraph_scratch *s, const float *x, const float *q,
		    u32 ef, u64 *out)
{
	static float qnorm[1], scratch[3 * 4096];
	u32 seeds[VGRAPH_MAX_SEEDS], i, d = im->dims;
	struct vsearch_query sq = { .dtype = VEXFS_DT_F32, .metric = VEXFS_SEARCH_METRIC_L2,
				    .dims = d, .nq = 1, .row = 4 * d, .q = q, .qnorm = qnorm,
				    .scratch = scratch };
	struct vsearch_cand cand[K];
	struct vsearch_topk t;
	struct vgraph g = { .ops = &img_ops, .ctx = im, .dims = d, .r = im->r,
			    .alpha = le16_to_cpu(im->d.ad_alpha),
			    .entry = le32_to_cpu(im->d.ad_entry),
			    .nseeds = le32_to_cpu(im->d.ad_nseeds), .seeds = seeds };
	u8 qc[4096];
	int n;

	for (i = 0; i < g.nseeds; i++)
		seeds[i] = le32_to_cpu(im->d.ad_seeds[i]);
	vq_u8_encode(q, d, le32_to_cpu(im->d.ad_lo), le32_to_cpu(im->d.ad_step), qc);
	n = vgraph_search_k(&g, s, qc, ef, ef);
	vsearch_prepare(&sq);
	vsearch_topk_init(&t, cand, K);
	for (i = 0; n > 0 && i < (u32)n; i++) {
		u64 id = im->vids[vgraph_res_slot(s, i)];
		u32 bits;
		float dist;

		if (!id || id > max_id || id_row[id] == ~0U)
			continue;
		vsearch_dist(&sq, VEXFS_DT_F32, VEXFS_COMP_NONE, d, x + (size_t)id_row[id] * d,
			     4 * d, 0, 1, &dist);
		memcpy(&bits, &dist, 4);
		vsearch_topk_push(&t, bits, VEXFS_SEARCH_METRIC_L2, id, 0, 0);
	}
	vsearch_topk_sort(&t);
	for (i = 0; i < K; i++)
		out[i] = i < t.n ? t.h[i].id : 0;
}

/* brute force: the true 10 nearest ids */
static void exact(const float *x, u32 n, u32 d, const u64 *ids, const float *q, u64 *out)
{
	float best[K];
	u32 i, j, m = 0;

	for (i = 0; i < n; i++) {
		float s = 0;

		for (j = 0; j < d; j++) {
			float t = x[(size_t)i * d + j] - q[j];

			s += t * t;
		}
		if (m < K || s < best[m - 1]) {
			j = m < K ? m++ : K - 1;
			while (j && best[j - 1] > s) {
				best[j] = best[j - 1];
				out[j] = out[j - 1];
				j--;
			}
			best[j] = s;
			out[j] = ids[i];
		}
	}
}

static u32 overlap(const u64 *a, const u64 *b)
{
	u32 i, j, c = 0;

	for (i = 0; i < K; i++)
		for (j = 0; j < K; j++)
			c += a[i] && a[i] == b[j];
	return c;
}

int main(int argc, char **argv)
{
	u32 n, d, nq, ef, i, j, r, same = 0, hk = 0, hu = 0;
	double tk[REPS], tu[REPS], t0;
	struct vexfs_search_result *res;
	struct vgraph_scratch s;
	struct img im = { 0 };
	u64 *ids, *ku, *uu, *ex;
	float *x, *q, *cent;
	char path[4096];
	int dfd, fd = -1;

	if (argc < 5) {
		fprintf(stderr, "usage: ann_kernel MNT DEV N D [NQ [EF]]\n");
		return 2;
	}
	n = atoi(argv[3]);
	d = atoi(argv[4]);
	nq = argc > 5 ? atoi(argv[5]) : 200;
	ef = argc > 6 ? atoi(argv[6]) : 32;
	if (!n || !d || d > 4096 || !nq || ef < K || ef > VGRAPH_MAX_EF)
		return 2;
	vq_select_impl(vq_cpu_features());
	x = malloc((size_t)n * d * 4);
	q = malloc((size_t)nq * d * 4);
	cent = malloc((size_t)32 * d * 4);
	ids = malloc((size_t)n * 8);
	ku = calloc((size_t)nq * K, 8);
	uu = calloc((size_t)nq * K, 8);
	ex = calloc((size_t)nq * K, 8);
	res = calloc(K, sizeof(*res));
	if (!x || !q || !cent || !ids || !ku || !uu || !ex || !res)
		vx_die("malloc: %m");
	/* 32 clusters; the queries: stored vectors moved a little */
	for (i = 0; i < 32 * d; i++)
		cent[i] = 4 * rndf();
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[(size_t)i * d + j] = cent[(i % 32) * d + j] + rndf();
	for (i = 0; i < nq; i++)
		for (j = 0; j < d; j++)
			q[(size_t)i * d + j] = x[(size_t)((i * 7919) % n) * d + j] + 0.3f * rndf();

	snprintf(path, sizeof(path), "%s/annk", argv[1]);
	mkdir(path, 0755);
	t0 = vx_now();
	for (i = 0; i < n; i++) {
		struct vexfs_ioc_attach a = {
			.size = sizeof(a), .dtype = VEXFS_VEC_DT_F32, .dims = d,
			.data = (u64)(uintptr_t)(x + (size_t)i * d), .data_len = 4 * d,
		};

		if (i % PER == 0) {
			if (fd >= 0)
				close(fd);
			snprintf(path, sizeof(path), "%s/annk/f%05u", argv[1], i / PER);
			fd = open(path, O_CREAT | O_RDWR, 0644);
			if (fd < 0)
				vx_die("%s: %m", path);
		}
		if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a))
			vx_die("ATTACH: %m");
		ids[i] = a.vector_id;
		max_id = ids[i] > max_id ? ids[i] : max_id;
	}
	close(fd);
	printf("# attached %u vectors of %u dims in %.1f s\n", n, d, vx_now() - t0);
	id_row = malloc((max_id + 1) * sizeof(*id_row));
	if (!id_row)
		vx_die("malloc: %m");
	memset(id_row, 0xff, (max_id + 1) * sizeof(*id_row));
	for (i = 0; i < n; i++)
		id_row[ids[i]] = i;

	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		vx_die("%s: %m", argv[1]);
	{
		struct vexfs_ioc_index a = { .size = sizeof(a), .op = VEXFS_INDEX_CREATE, .dims = d,
					     .r = 16, .ef_construction = 64 };

		t0 = vx_now();
		if (ioctl(dfd, VEXFS_IOC_INDEX, &a))
			vx_die("INDEX create: %m");
		printf("# index built in %.1f s: %llu nodes of %u bytes, degree %u\n", vx_now() - t0,
		       (unsigned long long)a.nodes, a.node_size, a.r);
	}
	if (syncfs(dfd))
		vx_die("syncfs: %m");
	img_load(&im, argv[2]);
	{
		void *mem = malloc(vgraph_scratch_size(im.r, ef, im.dims));

		if (!mem)
			vx_die("malloc: %m");
		vgraph_scratch_init(&s, mem, im.r, ef, im.dims);
	}
	printf("# read the index from %s: %u slots, entry %u, %u seeds\n", argv[2], im.nslots,
	       le32_to_cpu(im.d.ad_entry), le32_to_cpu(im.d.ad_nseeds));

	/* warm both, then time */
	for (i = 0; i < nq; i++) {
		ksearch(dfd, q + (size_t)i * d, d, ef, res);
		for (j = 0; j < K; j++)
			ku[(size_t)i * K + j] = res[j].vector_id;
		usearch(&im, &s, x, q + (size_t)i * d, ef, uu + (size_t)i * K);
		exact(x, n, d, ids, q + (size_t)i * d, ex + (size_t)i * K);
		same += !memcmp(ku + (size_t)i * K, uu + (size_t)i * K, K * 8);
		hk += overlap(ku + (size_t)i * K, ex + (size_t)i * K);
		hu += overlap(uu + (size_t)i * K, ex + (size_t)i * K);
	}
	for (r = 0; r < REPS; r++) {
		u64 tmp[K];

		t0 = vx_now();
		for (i = 0; i < nq; i++)
			ksearch(dfd, q + (size_t)i * d, d, ef, res);
		tk[r] = (vx_now() - t0) / nq;
		t0 = vx_now();
		for (i = 0; i < nq; i++)
			usearch(&im, &s, x, q + (size_t)i * d, ef, tmp);
		tu[r] = (vx_now() - t0) / nq;
	}
	printf("# core SIMD path: %s; n %u, d %u, k %u, ef %u, %u queries\n", vq_impl_name(), n,
	       d, K, ef, nq);
	printf("same ids, kernel and userspace: %u of %u queries\n", same, nq);
	printf("recall@10 against brute force: kernel %.4f, userspace %.4f\n",
	       (double)hk / (nq * K), (double)hu / (nq * K));
	printf("per query: kernel %.1f us, userspace %.1f us, ratio %.2f\n",
	       vx_median(tk, REPS) * 1e6, vx_median(tu, REPS) * 1e6,
	       vx_median(tk, REPS) / vx_median(tu, REPS));
	return same == nq ? 0 : 1;
}
