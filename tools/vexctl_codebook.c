// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_codebook.c - PQ codebooks: "vexctl train" trains one on a vector
 * file (vq_pq_train of the shared core, in userspace) and installs it
 * (VEXFS_IOC_CODEBOOK_ADD); "vexctl codebooks" lists a filesystem's and
 * "vexctl codebook add|get|list|show" installs a blob file, fetches one
 * (VEXFS_IOC_CODEBOOK_GET), lists them, or checks a blob file without a
 * filesystem.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vexctl.h"

#define VC_U64_MAX	(~(u64)0)

const char vc_train_usage[] =
	"train FS-PATH --vectors FILE [options]\n"
	"Train a PQ codebook on the vectors in FILE (n x d, n >= 256, d <= 8192; read as\n"
	"f32), install it on the VexFS filesystem holding FS-PATH (CODEBOOK_ADD, needs\n"
	"CAP_SYS_ADMIN) and print its id. FS-PATH '-': install nothing (needs --out).\n"
	"  -v, --vectors FILE       training vectors ('-': standard input)\n"
	"  -f, --format FMT         npy, fvecs, text or json (default: as for attach)\n"
	"  -m, --subspaces M        subspaces = code bytes per vector; must divide d\n"
	"                           (default: sub-vectors of about 8 dimensions, d/8)\n"
	"      --iters N            k-means iterations after k-means++ (default 25)\n"
	"      --seed S             random seed (default 1): the same input, options and\n"
	"                           seed give the same codebook, byte for byte\n"
	"      --sample N           train on a seeded sample of at most N vectors\n"
	"                           (default 65536, at least 256)\n"
	"  -o, --out BLOB           also write the codebook blob to BLOB\n"
	"  -j, --json               print {\"id\", \"dims\", \"m\", \"blob_crc\", \"mse\", ...}\n"
	"Training runs here, not in the kernel: O(iters x n x 256 x d) operations.\n";

const char vc_codebooks_usage[] =
	"codebooks FS-PATH [--json]\n"
	"List the PQ codebooks of the VexFS filesystem holding FS-PATH: id, dims, m\n"
	"(code bytes per vector), blob CRC and size.\n"
	"  -j, --json               print {\"path\", \"count\", \"codebooks\": [...]}\n";

const char vc_codebook_usage[] =
	"codebook add|get|list|show ...\n"
	"  codebook add FS-PATH BLOB        install a codebook blob, print its id\n"
	"  codebook get FS-PATH ID [--out BLOB]\n"
	"                                   show a codebook, optionally save its blob\n"
	"  codebook list FS-PATH            same as 'vexctl codebooks'\n"
	"  codebook show BLOB               check a blob file (no filesystem)\n"
	"'vexctl codebook SUBCOMMAND --help' for the options.\n";

/* ---- blobs and the codebook ioctls ----------------------------------------- */

/* A PQ codebook blob (Documentation/quantization.rst, "Parameter blobs"). */
struct vc_blob {
	u8 *buf;
	size_t len;
	u32 d, m, crc;		/* set by vc_blob_check() */
};

/*
 * Check a blob as CODEBOOK_ADD will: vq_pq_load() (magic, version, kind, CRC,
 * sizes, m dividing d, every centroid finite), 1..VEXFS_CB_MAX_DIMS
 * dimensions and nothing after it. Returns NULL, or why it is not one.
 */
static const char *vc_blob_check(struct vc_blob *b)
{
	static char why[160];
	const struct vq_blob_hdr *h = (const void *)b->buf;
	struct vq_pq pq;
	float *cent;
	u32 d;
	int err;

	if (b->len < sizeof(*h)) {
		snprintf(why, sizeof(why), "%zu bytes: shorter than a blob header (%zu)", b->len,
			 sizeof(*h));
		return why;
	}
	if (le32_to_cpu(h->magic) != VQ_BLOB_MAGIC)
		return "not a vq parameter blob (bad magic)";
	if (le16_to_cpu(h->kind) != VQ_BLOB_KIND_PQ) {
		snprintf(why, sizeof(why), "a vq blob of kind %u, not a PQ codebook (kind %u)",
			 le16_to_cpu(h->kind), VQ_BLOB_KIND_PQ);
		return why;
	}
	d = le32_to_cpu(h->dim);
	if (!d || d > VEXFS_CB_MAX_DIMS) {
		snprintf(why, sizeof(why), "a codebook of %u dimensions: a filesystem keeps "
					   "codebooks of 1..%u", d, VEXFS_CB_MAX_DIMS);
		return why;
	}
	if (b->len != vq_pq_blob_size(d)) {
		snprintf(why, sizeof(why), "%zu bytes: a PQ codebook of %u dimensions has %zu",
			 b->len, d, vq_pq_blob_size(d));
		return why;
	}
	cent = vx_zalloc(vq_pq_codebook_floats(d) * sizeof(float));
	err = vq_pq_load(&pq, b->buf, b->len, cent, d);
	free(cent);
	if (err == -EOPNOTSUPP) {
		snprintf(why, sizeof(why), "unknown blob format version %u",
			 le16_to_cpu(h->version));
		return why;
	}
	if (err)
		return "corrupt PQ codebook (CRC, sizes, m, or a centroid that is NaN or "
		       "infinite)";
	b->d = d;
	b->m = pq.m;
	b->crc = le32_to_cpu(h->crc);
	return NULL;
}

static void vc_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		vx_die("cannot create %s: %s", path, strerror(errno));
	fwrite(buf, 1, len, f);
	if (ferror(f) | fclose(f))
		vx_die("cannot write %s: %s", path, strerror(errno));
}

/*
 * CODEBOOK_GET of codebook @id (0: only the count). With @blob, the blob
 * too (allocated; its length in g->blob_len). Dies on any error.
 */
void vc_cb_get(int fd, const char *path, u32 id, struct vexfs_ioc_codebook_get *g,
		      u8 **blob)
{
	size_t max = vq_pq_blob_size(VEXFS_CB_MAX_DIMS);
	u32 cap = 0;
	u8 *buf = NULL;
	int tries;

	for (tries = 0;; tries++) {
		memset(g, 0, sizeof(*g));
		g->size = sizeof(*g);
		g->id = id;
		g->blob = (u64)(uintptr_t)buf;
		g->blob_len = cap;
		if (!ioctl(fd, VEXFS_IOC_CODEBOOK_GET, g)) {
			if (!blob || buf)
				break;
		} else if (errno != ERANGE || !blob) {
			if (id)
				vx_die("%s: codebook %u: %s", path, id,
				       vc_ioctl_msg(errno, VC_OP_CB_GET, fd, id));
			vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_GET, fd, id));
		}
		/* the size is known now: ask again with room for it */
		if (!g->blob_len || g->blob_len > max || g->blob_len <= cap || tries == 4)
			vx_die("%s: codebook %u: the kernel reported a blob of %u bytes", path, id,
			       g->blob_len);
		cap = g->blob_len;
		free(buf);
		buf = vx_zalloc(cap);
	}
	if (blob) {
		if (g->blob_len != cap)
			vx_die("%s: codebook %u: the kernel returned %u bytes for a %u-byte blob",
			       path, id, g->blob_len, cap);
		*blob = buf;
	}
}

/* Install a checked blob; returns its id. Dies on any error. */
static u32 vc_cb_add(int fd, const char *path, const struct vc_blob *b)
{
	struct vexfs_ioc_codebook_add a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.blob = (u64)(uintptr_t)b->buf;
	a.blob_len = (u32)b->len;
	if (ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_ADD, fd, 0));
	if (!a.id || a.id > VEXFS_CB_MAX)
		vx_die("%s: the kernel returned codebook id %u", path, a.id);
	return a.id;
}

/*
 * Before training for minutes: is PATH on VexFS, with room for a codebook
 * and the right to add one? An ADD without a blob fails with EPERM before
 * its length is checked (EINVAL), so it tells without storing anything.
 */
static void vc_cb_probe(int fd, const char *path)
{
	struct vexfs_ioc_codebook_get g;
	struct vexfs_ioc_codebook_add a;

	vc_cb_get(fd, path, 0, &g, NULL);
	if (g.count >= VEXFS_CB_MAX)
		vx_die("%s: the filesystem already has the maximum %u codebooks", path,
		       VEXFS_CB_MAX);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	if (ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a) && (errno == EPERM || errno == EROFS))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_ADD, fd, 0));
}

static void vc_json_blob(const struct vc_blob *b)
{
	printf("\"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", \"bytes\": %zu", b->d, b->m,
	       b->crc, b->len);
}

/* ---- train ----------------------------------------------------------------- */

static u64 vc_splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int vc_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Default subspaces: the divisor m of d whose sub-vectors (d / m dimensions)
 * are closest to 8 (m = d / 8 when 8 divides d); ties go to the larger m.
 */
static u32 vc_default_m(u32 d)
{
	u32 m, best = d, bestdist = ~0U;

	for (m = d; m >= 1; m--) {
		u32 ds = d / m, dist = ds > 8 ? ds - 8 : 8 - ds;

		if (d % m == 0 && dist < bestdist) {
			bestdist = dist;
			best = m;
		}
	}
	return best;
}

/* vexctl train FS-PATH --vectors FILE [options] */
int vc_cmd_train(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "vectors", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "subspaces", required_argument, NULL, 'm' },
		{ "iters", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "sample", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *vpath = NULL, *out = NULL, *path;
	u64 seed = 1, sample = 65536, rng;
	u32 m = 0, iters = 25, d, j, id = 0;
	int c, fd = -1, fmt = VC_FMT_AUTO, err;
	size_t n, ns, i, *idx, scratch_len;
	struct vq_pq pq;
	struct vc_blob b;
	struct vc_vecs vs;
	bool json = false;
	double mse = 0;
	void *scratch;
	float *x;

	while ((c = vc_getopt(argc, argv, ":v:f:m:o:jh", longs)) != -1) {
		switch (c) {
		case 'v':
			vpath = optarg;
			break;
		case 'f':
			fmt = vc_opt_format(optarg);
			break;
		case 'm':
			m = (u32)vc_opt_num("number of subspaces", optarg, 1, VEXFS_CB_MAX_DIMS);
			break;
		case 'i':
			iters = (u32)vc_opt_num("iteration count", optarg, 0, 10000);
			break;
		case 's':
			seed = vc_opt_num("seed", optarg, 0, VC_U64_MAX);
			break;
		case 'S':
			sample = vc_opt_num("sample size", optarg, VQ_PQ_KSUB, 0x7fffffff);
			break;
		case 'o':
			out = optarg;
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	if (!vpath)
		vc_usage_err("train", "train: --vectors FILE is required");
	if (!strcmp(path, "-") && !out)
		vc_usage_err("train", "train: with FS-PATH '-' nothing is installed: give --out "
			     "BLOB");
	if (strcmp(path, "-")) {
		fd = vc_open_fs(path);
		vc_cb_probe(fd, path);
	}

	vc_load(vpath, fmt, VEXFS_DT_F32, &vs);
	d = vs.d;
	if (d > VEXFS_CB_MAX_DIMS)
		vx_die("%s: %u dimensions: codebooks have at most %u", vpath, d,
		       VEXFS_CB_MAX_DIMS);
	if (!m)
		m = vc_default_m(d);
	else if (vq_pq_check_dims(d, m))
		vc_usage_err("train", "train: %u subspaces do not divide the %u dimensions of %s",
			     m, d, vpath);
	if (vs.n < VQ_PQ_KSUB)
		vx_die("%s: %zu vector%s: PQ training needs at least %u (one per centroid)", vpath,
		       vs.n, vs.n == 1 ? "" : "s", VQ_PQ_KSUB);
	n = vs.n;

	/* a seeded sample of at most --sample vectors, in file order */
	ns = n < sample ? n : (size_t)sample;
	idx = vx_zalloc(n * sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = i;
	rng = seed;
	for (i = 0; ns < n && i < ns; i++) {
		size_t k = i + (size_t)(vc_splitmix64(&rng) % (n - i)), t = idx[i];

		idx[i] = idx[k];
		idx[k] = t;
	}
	qsort(idx, ns, sizeof(*idx), vc_cmp_size);
	x = vx_zalloc(ns * d * sizeof(float));
	for (i = 0; i < ns; i++) {
		const u8 *v = vc_vec(&vs, idx[i]);

		for (j = 0; j < d; j++)
			x[i * d + j] = vc_bits_f32(vq_get_le32(v + 4 * (size_t)j));
	}
	free(idx);
	vc_vecs_free(&vs);

	pq.d = d;
	pq.m = m;
	pq.dsub = d / m;
	pq.cent_t = vx_zalloc(vq_pq_codebook_floats(d) * sizeof(float));
	scratch_len = vq_pq_train_scratch_size(d, m, ns);
	scratch = vx_zalloc(scratch_len);
	err = vq_pq_train(&pq, x, ns, iters, seed, scratch, scratch_len);
	if (err)
		vx_die("%s: PQ training failed: %s", vpath, strerror(-err));
	free(scratch);

	/* mean squared reconstruction error over the sample, 256 vectors at a time */
	{
		u8 *codes = vx_zalloc((size_t)VQ_PQ_KSUB * m);
		float *y = vx_zalloc((size_t)VQ_PQ_KSUB * d * sizeof(float));
		size_t k, cnt;

		for (i = 0; i < ns; i += cnt) {
			cnt = ns - i < VQ_PQ_KSUB ? ns - i : VQ_PQ_KSUB;
			vq_pq_encode(&pq, x + i * d, codes, cnt);
			vq_pq_decode(&pq, codes, y, cnt);
			for (k = 0; k < cnt * d; k++) {
				double e = (double)x[i * d + k] - y[k];

				mse += e * e;
			}
		}
		mse /= (double)ns;
		free(codes);
		free(y);
	}
	free(x);

	b.len = vq_pq_blob_size(d);
	b.buf = vx_zalloc(b.len);
	err = vq_pq_store(&pq, b.buf, b.len);
	if (err < 0 || (size_t)err != b.len)
		vx_die("%s: cannot write the codebook blob: %s", vpath, strerror(-err));
	free(pq.cent_t);
	if (vc_blob_check(&b))
		vx_die("%s: the trained codebook is not valid (%s): are the values too large "
		       "for float32?",
		       vpath, vc_blob_check(&b));
	if (out)
		vc_write_file(out, b.buf, b.len);
	if (fd >= 0) {
		id = vc_cb_add(fd, path, &b);
		close(fd);
	}
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		if (id)
			printf(", \"id\": %u", id);
		else
			printf(", \"id\": null");
		printf(", \"out\": ");
		if (out)
			vc_json_str(stdout, out, SIZE_MAX);
		else
			printf("null");
		printf(", \"vectors\": %zu, \"trained_on\": %zu, \"iters\": %u, \"seed\": %llu, "
		       "\"mse\": %.9g, ",
		       n, ns, iters, (unsigned long long)seed, mse);
		vc_json_blob(&b);
		printf("}\n");
	} else if (id) {
		printf("%u\n", id);
	}
	free(b.buf);
	return 0;
}

/* ---- codebooks, codebook add|get|list|show --------------------------------- */

/* vexctl codebook add FS-PATH BLOB [--json] */
static int vc_cmd_cb_add(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path, *bpath, *why;
	bool json = false;
	struct vc_blob b;
	int c, fd;
	u32 id;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 2, 2);
	path = argv[optind];
	bpath = argv[optind + 1];
	b.buf = vc_read_all(bpath, "codebook blob", &b.len);
	why = vc_blob_check(&b);
	if (why)
		vx_die("%s: %s", bpath, why);
	fd = vc_open_fs(path);
	id = vc_cb_add(fd, path, &b);
	close(fd);
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"blob\": ");
		vc_json_str(stdout, bpath, SIZE_MAX);
		printf(", \"id\": %u, ", id);
		vc_json_blob(&b);
		printf("}\n");
	} else {
		printf("%u\n", id);
	}
	free(b.buf);
	return 0;
}

/* vexctl codebook get FS-PATH ID [--out BLOB] [--json] */
static int vc_cmd_cb_get(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_codebook_get g;
	const char *path, *out = NULL, *why;
	struct vc_blob b = { 0 };
	bool json = false;
	int c, fd;
	u32 id;

	while ((c = vc_getopt(argc, argv, ":o:jh", longs)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'o')
			out = optarg;
	}
	vc_check_args(argc - optind, 2, 2);
	path = argv[optind];
	id = (u32)vc_opt_num("codebook id", argv[optind + 1], 1, VEXFS_CB_MAX);
	fd = vc_open_fs(path);
	vc_cb_get(fd, path, id, &g, out ? &b.buf : NULL);
	close(fd);
	if (out) {
		b.len = g.blob_len;
		why = vc_blob_check(&b);
		if (why)
			vx_die("%s: codebook %u: the kernel returned a bad blob: %s", path, id,
			       why);
		if (b.d != g.dims || b.m != g.m || b.crc != g.blob_crc)
			vx_die("%s: codebook %u: the blob (%u dims, m %u, crc 0x%08x) does not "
			       "match what the kernel reports (%u, %u, 0x%08x)",
			       path, id, b.d, b.m, b.crc, g.dims, g.m, g.blob_crc);
		vc_write_file(out, b.buf, b.len);
		free(b.buf);
	}
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"id\": %u, \"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", "
		       "\"bytes\": %u, \"out\": ",
		       id, g.dims, g.m, g.blob_crc, g.blob_len);
		if (out)
			vc_json_str(stdout, out, SIZE_MAX);
		else
			printf("null");
		printf("}\n");
		return 0;
	}
	printf("id:              %u\n", id);
	printf("dims:            %u\n", g.dims);
	printf("m:               %u\n", g.m);
	printf("blob crc:        0x%08x\n", g.blob_crc);
	printf("bytes:           %u\n", g.blob_len);
	if (out)
		printf("written to:      %s\n", out);
	return 0;
}

/* vexctl codebooks FS-PATH [--json] (also "codebook list") */
int vc_cmd_codebooks(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_codebook_get g[VEXFS_CB_MAX + 1];
	const char *path;
	bool json = false;
	u32 n, id;
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	fd = vc_open_fs(path);
	vc_cb_get(fd, path, 0, &g[0], NULL);
	n = g[0].count;
	if (n > VEXFS_CB_MAX)
		vx_die("%s: the kernel reported %u codebooks (at most %u exist)", path, n,
		       VEXFS_CB_MAX);
	for (id = 1; id <= n; id++)
		vc_cb_get(fd, path, id, &g[id], NULL);
	close(fd);
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"count\": %u, \"codebooks\": [", n);
		for (id = 1; id <= n; id++)
			printf("%s{\"id\": %u, \"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", "
			       "\"bytes\": %u}",
			       id > 1 ? ", " : "", id, g[id].dims, g[id].m, g[id].blob_crc,
			       g[id].blob_len);
		printf("]}\n");
		return 0;
	}
	printf("%-3s %6s %6s  %-10s  %9s\n", "id", "dims", "m", "blob crc", "bytes");
	for (id = 1; id <= n; id++)
		printf("%-3u %6u %6u  0x%08x  %9u\n", id, g[id].dims, g[id].m, g[id].blob_crc,
		       g[id].blob_len);
	return 0;
}

/* vexctl codebook show BLOB [--json]: a blob file, without a filesystem */
static int vc_cmd_cb_show(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bpath, *why;
	bool json = false;
	struct vc_blob b;
	int c;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	bpath = argv[optind];
	b.buf = vc_read_all(bpath, "codebook blob", &b.len);
	why = vc_blob_check(&b);
	if (why)
		vx_die("%s: %s", bpath, why);
	if (json) {
		printf("{\"blob\": ");
		vc_json_str(stdout, bpath, SIZE_MAX);
		printf(", ");
		vc_json_blob(&b);
		printf(", \"dsub\": %u, \"ksub\": %u}\n", b.d / b.m, VQ_PQ_KSUB);
	} else {
		printf("dims:            %u\n", b.d);
		printf("m:               %u (%u dimensions each, %u centroids)\n", b.m, b.d / b.m,
		       VQ_PQ_KSUB);
		printf("blob crc:        0x%08x\n", b.crc);
		printf("bytes:           %zu\n", b.len);
	}
	free(b.buf);
	return 0;
}

static const struct vc_cmd vc_cb_cmds[] = {
	{ "codebook add", vc_cmd_cb_add,
	  "codebook add FS-PATH BLOB [--json]\n"
	  "Install the PQ codebook in the file BLOB (as written by 'vexctl train --out') on\n"
	  "the VexFS filesystem holding FS-PATH and print its id. Needs CAP_SYS_ADMIN.\n"
	  "Codebooks cannot be removed; a filesystem holds up to 31.\n"
	  "  -j, --json               print {\"path\", \"blob\", \"id\", \"dims\", \"m\", ...}\n" },
	{ "codebook get", vc_cmd_cb_get,
	  "codebook get FS-PATH ID [--out BLOB] [--json]\n"
	  "Show codebook ID of the filesystem holding FS-PATH: dims, m, blob CRC, bytes.\n"
	  "  -o, --out BLOB           also write its blob to BLOB\n"
	  "  -j, --json               one JSON object\n" },
	{ "codebook list", vc_cmd_codebooks,
	  "codebook list FS-PATH [--json]\n"
	  "Same as 'vexctl codebooks FS-PATH'.\n" },
	{ "codebook show", vc_cmd_cb_show,
	  "codebook show BLOB [--json]\n"
	  "Check a codebook blob file as CODEBOOK_ADD would and print its dims, m, CRC and\n"
	  "size, without a filesystem.\n" },
};

const struct vc_cmd *vc_cb_find(const char *sub)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vc_cb_cmds); i++)
		if (!strcmp(sub, vc_cb_cmds[i].name + strlen("codebook ")))
			return &vc_cb_cmds[i];
	return NULL;
}

/* vexctl codebook add|get|list|show ... */
int vc_cmd_codebook(int argc, char **argv)
{
	const struct vc_cmd *self = vc_cur_cmd, *sub;

	if (argc < 2)
		vc_usage_err("codebook", "codebook: missing subcommand (add, get, list, show)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		vc_cmd_help(self, 0);
	sub = vc_cb_find(argv[1]);
	if (!sub)
		vc_usage_err("codebook", "codebook: unknown subcommand '%s' (add, get, list, show)",
			     argv[1]);
	vc_cur_cmd = sub;
	optind = 1;
	return sub->run(argc - 1, argv + 1);
}
