// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_search.c - "vexctl search": exact k nearest neighbours of query
 * vectors among the vectors stored on a VexFS filesystem, through
 * VEXFS_IOC_SEARCH (vexfs_ioctl.h); with --reference the same search is
 * computed here, in userspace, with the kernel's own core (core/vsearch*.c):
 * every vector of the scope read with LIST + GET (VEXFS_VEC_GET_RAW: the
 * stored form), the kernel's filters, its PQ lookup-table plan over the
 * codebooks of CODEBOOK_GET, vsearch_dist() and vsearch_topk_push(). On the
 * same CPU (same SIMD path) both give the same ids and the same distance
 * bits; tests/vm/search.sh checks that for every stored form.
 *
 * The kernel reports inode numbers; their paths come from the kernel too
 * (VEXFS_IOC_INO_PATHS, built from the parent pointers, relative to the
 * searched directory). On an image without parent pointers (EOPNOTSUPP)
 * they are found here by walking the mounted filesystem once (nftw from its
 * mount point, the first path met for each inode).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "core/vrec.h"
#include "core/vsearch.h"
#include "util.h"
#include "vexctl.h"

const char vc_search_usage[] =
	"search PATH (--vector Q | --like FILE [--id N]) [options]\n"
	"Exact k nearest neighbours of the query vector(s) among the stored vectors\n"
	"(VEXFS_IOC_SEARCH). Scope: PATH a regular file: that file's vectors; PATH a\n"
	"directory: the files with a link under it (its subtree); any PATH with --fs:\n"
	"the whole filesystem. Only vectors of files you may read, reached through\n"
	"directories you may search, are returned.\n"
	"Compared: vectors of the query's dimensions and data type (f32 queries: f32\n"
	"vectors of every compression and f16 vectors).\n"
	"  -v, --vector Q           query vector(s): .npy (2-D: one query per row, any\n"
	"                           number, 256 per call), .fvecs, text or JSON, as for\n"
	"                           attach; f32, i8, i16 or bin (f16 queries become f32)\n"
	"  -f, --format FMT         npy, fvecs, text or json (default: from the name)\n"
	"  -t, --dtype TYPE         read the queries as f32, i8, i16 or bin (as attach)\n"
	"  -l, --like FILE          the query is a vector of FILE (its first; see --id)\n"
	"      --id N               with --like: vector N of FILE\n"
	"  -k N                     results per query, 1..4096 (default 10)\n"
	"  -M, --metric M           l2 (squared Euclidean, default), ip (inner product),\n"
	"                           cos (cosine similarity) or hamming (binary, the\n"
	"                           default for bin queries); ip and cos: best = largest\n"
	"  -m, --model NAME         only vectors whose model is NAME\n"
	"  -z, --compress LIST      only vectors stored with these compressions (comma\n"
	"                           separated: none, f16, sq8, sq4, pq, sparse)\n"
	"      --fs                 the whole filesystem, whatever PATH is\n"
	"      --reference          compute the search in userspace (LIST + GET of every\n"
	"                           vector in scope, the kernel's core): for testing\n"
	"      --exact              print distances exactly (%.9g and the float bits)\n"
	"      --no-paths           do not look paths up (inode numbers only)\n"
	"      --approx             answer from the filesystem's ANN index when it serves\n"
	"                           the query (see 'vexctl index'; else exact search)\n"
	"      --ef N               with --approx: the graph search's candidates, k..1024\n"
	"                           (default 64; more is slower and finds more)\n"
	"  -j, --json               one JSON object\n"
	"Output per query: rank, distance (or score), vector id, inode, path. Paths come\n"
	"from the kernel's parent pointers (VEXFS_IOC_INO_PATHS), under PATH (one per\n"
	"result; a hard-linked file shows its first link there); on an image without\n"
	"them, from one walk of the mounted filesystem.\n";

#define VS_BATCH	VEXFS_SEARCH_NQ_MAX

struct vs_opts {
	const char *path;	/* where the search is issued */
	const char *vpath;	/* --vector */
	const char *like;	/* --like FILE */
	u64 like_id;		/* --id (0: the first vector of FILE) */
	int fmt;
	u32 want;		/* --dtype */
	u32 k;
	int metric;		/* -1: by the query type */
	u8 model[VC_MODEL_LEN];
	u32 comp_mask;
	bool fs, json, reference, exact, no_paths, approx;
	u32 ef;			/* --ef (0: the kernel's default) */
};

/* The queries: n rows of row bytes, dtype F32, I8, I16 or BIN. */
struct vs_query {
	u32 dtype, dims, row;
	size_t n;
	u8 *rows;
	bool like;
	u64 like_id;
	u64 like_ino;
};

/* ---- the files of a filesystem (nftw) ------------------------------------- */

struct vs_file {
	u64 ino;
	size_t order;		/* found order: the first path of an inode wins */
	char *path;
};

static struct {
	dev_t dev;
	struct vs_file *f;
	size_t n, cap;
} vs_walk;

static int vs_walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct vs_file *f;

	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_dev != vs_walk.dev)
		return 0;
	if (vs_walk.n == vs_walk.cap) {
		vs_walk.cap = vs_walk.cap ? 2 * vs_walk.cap : 1024;
		vs_walk.f = realloc(vs_walk.f, vs_walk.cap * sizeof(*vs_walk.f));
		if (!vs_walk.f)
			vx_die("out of memory");
	}
	f = &vs_walk.f[vs_walk.n];
	f->ino = st->st_ino;
	f->order = vs_walk.n++;
	f->path = strdup(path);
	if (!f->path)
		vx_die("out of memory");
	return 0;
}

static int vs_file_cmp(const void *a, const void *b)
{
	const struct vs_file *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every regular file under @root on its filesystem, one per inode, by inode. */
static void vs_walk_fs(const char *root)
{
	struct stat st;
	size_t i, n = 0;

	if (vs_walk.f)
		return;
	if (stat(root, &st))
		vx_die("cannot stat %s: %s", root, strerror(errno));
	vs_walk.dev = st.st_dev;
	if (nftw(root, vs_walk_one, 32, FTW_PHYS | FTW_MOUNT))
		vx_die("cannot walk %s: %s", root, strerror(errno));
	if (vs_walk.n)
		qsort(vs_walk.f, vs_walk.n, sizeof(*vs_walk.f), vs_file_cmp);
	for (i = 0; i < vs_walk.n; i++) {
		if (n && vs_walk.f[n - 1].ino == vs_walk.f[i].ino) {
			free(vs_walk.f[i].path);
			continue;
		}
		vs_walk.f[n++] = vs_walk.f[i];
	}
	vs_walk.n = n;
}

/* Paths from the kernel (INO_PATHS on the searched directory, or the root). */
static struct {
	int fd;
	const char *base;
	const char *root;	/* the mount point, for the walk */
	bool walk;		/* no parent pointers: nftw instead */
	char out[2 * PATH_MAX + 2];	/* base/relative */
	char rel[PATH_MAX + 1];		/* from the kernel */
} vs_paths = { .fd = -1 };

static const char *vs_path_walk(u64 ino);

static const char *vs_path_of(u64 ino, u32 gen)
{
	struct vexfs_ioc_paths a;

	if (vs_paths.walk)
		return vs_path_walk(ino);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.inode = ino;
	a.generation = gen;
	a.buf = (u64)(uintptr_t)vs_paths.rel;
	a.buf_len = sizeof(vs_paths.rel);
	if (ioctl(vs_paths.fd, VEXFS_IOC_INO_PATHS, &a)) {
		if (errno == EOPNOTSUPP) {
			vs_paths.walk = true;
			return vs_path_walk(ino);
		}
		return NULL;	/* gone, moved out, or not visible to us */
	}
	snprintf(vs_paths.out, sizeof(vs_paths.out), "%s/%s", vs_paths.base, vs_paths.rel);
	return vs_paths.out;
}

static const char *vs_path_walk(u64 ino)
{
	size_t lo = 0, hi;

	vs_walk_fs(vs_paths.root);
	hi = vs_walk.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vs_walk.f[mid].ino == ino)
			return vs_walk.f[mid].path;
		if (vs_walk.f[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The mount point of the filesystem holding @path (the topmost directory of its st_dev). */
static char *vs_mount_root(const char *path)
{
	char *p = realpath(path, NULL), *slash;
	struct stat st, up;

	if (!p)
		vx_die("cannot resolve %s: %s", path, strerror(errno));
	if (stat(p, &st))
		vx_die("cannot stat %s: %s", p, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		slash = strrchr(p, '/');
		if (slash == p)
			slash[1] = 0;
		else
			*slash = 0;
	}
	for (;;) {
		char saved;

		if (!strcmp(p, "/"))
			return p;
		slash = strrchr(p, '/');
		saved = slash == p ? p[1] : *slash;
		if (slash == p)
			p[1] = 0;
		else
			*slash = 0;
		if (stat(p, &up) || up.st_dev != st.st_dev) {
			/* undo: the child was the top */
			if (slash == p)
				p[1] = saved;
			else
				*slash = saved;
			return p;
		}
	}
}

/* ---- ioctl helpers ---------------------------------------------------------- */

/* GET of vector @id (flags: 0 or VEXFS_VEC_GET_RAW) into *buf (grown as needed). */
static int vs_get(int fd, u64 id, u32 flags, struct vexfs_ioc_get *g, u8 **buf, u32 *cap)
{
	int tries;

	for (tries = 0;; tries++) {
		memset(g, 0, sizeof(*g));
		g->size = sizeof(*g);
		g->flags = flags;
		g->vector_id = id;
		g->data = (u64)(uintptr_t)*buf;
		g->data_len = *cap;
		if (!ioctl(fd, VEXFS_IOC_VEC_GET, g)) {
			if (g->data_len > *cap)
				vx_die("vector %llu: the kernel reported %u bytes for a %u-byte buffer",
				       (unsigned long long)id, g->data_len, *cap);
			return 0;
		}
		if (errno == ERANGE && tries < 4 && g->data_len > *cap) {
			*cap = g->data_len;
			free(*buf);
			*buf = vx_zalloc(*cap);
			continue;
		}
		return errno;
	}
}

/* What a failed SEARCH means. */
static const char *vs_msg(int err, int fd, const struct vs_opts *o, const struct vs_query *q)
{
	static char buf[320];
	struct stat st;

	switch (err) {
	case EINVAL:
		return "invalid search (EINVAL: k 1..4096, dimensions 1..65536, finite f32 "
		       "values, hamming for bin queries only and bin queries with hamming only, "
		       "a --like vector of another size than asked)";
	case EOPNOTSUPP:
		if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
			return "this filesystem has no parent pointers, which searching the subtree "
			       "of a directory other than the root needs (EOPNOTSUPP: made by an older "
			       "mkfs.vexfs; fsck.vexfs -y -O parent adds them); "
			       "--fs searches the whole filesystem";
		break;
	case EACCES:
		if (q->like)
			return "the --like vector's file may not be read (EACCES)";
		if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
			return "the directory may not be searched (EACCES: no exec permission)";
		break;
	case ENOENT:
		if (q->like) {
			snprintf(buf, sizeof(buf), "no vector with id %llu (ENOENT)",
				 (unsigned long long)q->like_id);
			return buf;
		}
		break;
	case EBADF:
		return "file not open for reading (EBADF)";
	case EINTR:
		return "interrupted (EINTR)";
	case ENOMEM:
		return "out of memory (ENOMEM)";
	}
	(void)o;
	return vc_ioctl_msg(err, VC_OP_STATS, fd, 0);
}

/* ---- the queries ------------------------------------------------------------ */

static void vs_queries_from_file(const struct vs_opts *o, struct vs_query *q)
{
	struct vc_vecs vs;
	size_t i;

	vc_load(o->vpath, o->fmt, o->want, &vs);
	if (!vs.n)
		vx_die("%s: no vectors", o->vpath);
	q->dims = vs.d;
	q->n = vs.n;
	if (vs.dtype == VEXFS_DT_F16) {
		/* float16 queries are searched as the float32 values they are */
		q->dtype = VEXFS_DT_F32;
		q->row = 4 * vs.d;
		q->rows = vx_zalloc(q->n * q->row);
		for (i = 0; i < vs.n; i++)
			vq_f16_decode_ref((const __le16 *)(vs.data + i * vs.vbytes),
					  (float *)(q->rows + i * q->row), vs.d);
		vc_vecs_free(&vs);
		return;
	}
	q->dtype = vs.dtype;
	q->row = vs.vbytes;
	q->rows = vs.data;
}

/* --like FILE [--id N]: that vector, decoded as the kernel decodes it. */
static void vs_queries_like(const struct vs_opts *o, struct vs_query *q)
{
	struct vexfs_ioc_get g;
	u32 cap = VEXFS_VEC_MAX_DATA, raw;
	u8 *buf = vx_zalloc(cap);
	int fd = vc_open_file(o->like, false), err;
	u64 id = o->like_id;

	if (!id) {
		u64 *ids;
		long n = vc_list_ids(fd, NULL, &ids, NULL);

		if (n < 0)
			vx_die("%s: %s", o->like, vc_ioctl_msg((int)-n, VC_OP_LIST, fd, 0));
		if (!n)
			vx_die("%s: has no vectors (--like takes its first)", o->like);
		id = ids[0];
		free(ids);
	}
	err = vs_get(fd, id, 0, &g, &buf, &cap);
	if (err)
		vx_die("%s: vector %llu: %s", o->like, (unsigned long long)id,
		       vc_ioctl_msg(err, VC_OP_GET, fd, id));
	close(fd);
	q->like = true;
	q->like_id = id;
	q->like_ino = g.info.file_inode;
	q->dims = g.info.dims;
	q->n = 1;
	raw = vexfs_vec_raw_size(g.info.dtype, g.info.dims);
	if (!raw || g.data_len != raw)
		vx_die("%s: vector %llu: %u bytes of data for %u dimensions of %s", o->like,
		       (unsigned long long)id, g.data_len, g.info.dims, vc_dtype_name(g.info.dtype));
	if (g.info.dtype == VEXFS_DT_F16) {
		q->dtype = VEXFS_DT_F32;
		q->row = 4 * q->dims;
		q->rows = vx_zalloc(q->row);
		vq_f16_decode_ref((const __le16 *)buf, (float *)q->rows, q->dims);
		free(buf);
	} else {
		q->dtype = g.info.dtype;
		q->row = raw;
		q->rows = buf;
	}
}

/* ---- the kernel's search ------------------------------------------------------ */

/* One SEARCH of queries [q0, q0 + nq); returns 0 or errno. */
static int vs_kernel(int fd, const struct vs_opts *o, const struct vs_query *q, u32 metric,
		     size_t q0, u32 nq, struct vexfs_search_result *res, u64 *compared,
		     u64 *corrupt, u32 *approx)
{
	struct vexfs_ioc_search a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = o->fs ? VEXFS_SEARCH_FS : 0;
	if (o->approx) {
		a.flags |= VEXFS_SEARCH_APPROX;
		a.ef = o->ef;
	}
	a.metric = (u16)metric;
	a.k = o->k;
	a.nq = nq;
	a.comp_mask = o->comp_mask;
	memcpy(a.model, o->model, sizeof(a.model));
	a.results = (u64)(uintptr_t)res;
	a.results_len = (u32)((size_t)nq * o->k * sizeof(*res));
	if (q->like) {
		a.flags |= VEXFS_SEARCH_LIKE;
		a.like_id = q->like_id;
	} else {
		a.dtype = (u16)q->dtype;
		a.dims = q->dims;
		a.queries = (u64)(uintptr_t)(q->rows + q0 * q->row);
		a.queries_len = nq * q->row;
	}
	if (ioctl(fd, VEXFS_IOC_SEARCH, &a))
		return errno;
	*compared += a.compared;
	*corrupt += a.corrupt;
	*approx += a.approx;
	return 0;
}

/* ---- the reference search (userspace, the same core) ------------------------- */

/* A stored vector the query compares: its stored form. */
struct vs_rec {
	u64 id, ino;
	u32 dtype, comp, dims, len;
	u8 *data;
};

struct vs_ref {
	struct vs_rec *r;
	size_t n, cap;
	u64 corrupt;
	/* codebooks of the query's dims, in id order */
	u32 npq;
	struct vsearch_pq pq[VEXFS_CB_MAX];
	struct vq_pq pqs[VEXFS_CB_MAX];
};

/* Read the vectors of one file that the query compares (the kernel's filters). */
static void vs_ref_file(struct vs_ref *R, const struct vs_opts *o, const struct vs_query *q,
			int fd, const char *path, bool skip_gone)
{
	struct vexfs_ioc_get g;
	u32 cap = VEXFS_VEC_MAX_DATA;
	u8 *buf = vx_zalloc(cap);
	u64 *ids = NULL;
	long n = vc_list_ids(fd, NULL, &ids, NULL), i;
	bool any_model = true;
	size_t j;

	for (j = 0; j < sizeof(o->model); j++)
		if (o->model[j])
			any_model = false;
	if (n < 0) {
		/* a file of the scope must list; in a walk, one that went away may not */
		if (!skip_gone || n != -ENOENT)
			vx_die("%s: %s", path, vc_ioctl_msg((int)-n, VC_OP_LIST, fd, 0));
		free(buf);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct vexfs_vec_info *in = &g.info;
		struct vs_rec *r;
		int err = vs_get(fd, ids[i], VEXFS_VEC_GET_RAW, &g, &buf, &cap);

		if (err == ENOENT)
			continue;	/* detached meanwhile */
		if (err == EUCLEAN) {
			R->corrupt++;
			continue;
		}
		if (err)
			vx_die("%s: vector %llu: %s", path, (unsigned long long)ids[i],
			       vc_ioctl_msg(err, VC_OP_GET, fd, ids[i]));
		if (!vsearch_comparable(q->dtype, q->dims, in->dtype, in->compression, in->dims))
			continue;
		if (o->comp_mask && !(o->comp_mask & (1u << in->compression)))
			continue;
		if (!any_model && memcmp(in->meta.model, o->model, sizeof(o->model)))
			continue;
		if (R->n == R->cap) {
			R->cap = R->cap ? 2 * R->cap : 256;
			R->r = realloc(R->r, R->cap * sizeof(*R->r));
			if (!R->r)
				vx_die("out of memory");
		}
		r = &R->r[R->n++];
		r->id = in->vector_id;
		r->ino = in->file_inode;
		r->dtype = in->dtype;
		r->comp = in->compression;
		r->dims = in->dims;
		r->len = g.data_len;
		r->data = vx_zalloc(g.data_len + 1);
		memcpy(r->data, buf, g.data_len);
	}
	free(ids);
	free(buf);
}

/* Load the records in scope and the codebooks of the query's dims. */
static void vs_ref_load(struct vs_ref *R, const struct vs_opts *o, const struct vs_query *q,
			int sfd, bool whole, const char *root)
{
	struct vexfs_ioc_codebook_get g;
	size_t i;
	u32 id;

	memset(R, 0, sizeof(*R));
	if (q->dtype == VEXFS_DT_F32) {
		vc_cb_get(sfd, o->path, 0, &g, NULL);
		for (id = 1; id <= g.count && id <= VEXFS_CB_MAX; id++) {
			struct vexfs_ioc_codebook_get c;
			u8 *blob;
			float *cent;
			int err;

			vc_cb_get(sfd, o->path, id, &c, &blob);
			if (c.dims != q->dims) {
				free(blob);
				continue;
			}
			cent = vx_zalloc(vq_pq_codebook_floats(c.dims) * sizeof(float));
			err = vq_pq_load(&R->pqs[R->npq], blob, c.blob_len, cent, c.dims);
			free(blob);
			if (err)
				vx_die("%s: codebook %u: the kernel returned a blob vq_pq_load() "
				       "refuses (%d)", o->path, id, err);
			R->pq[R->npq] = (struct vsearch_pq){ .id = id, .crc = c.blob_crc,
							     .pq = &R->pqs[R->npq] };
			R->npq++;
		}
	}
	if (!whole) {
		vs_ref_file(R, o, q, sfd, o->path, false);
		return;
	}
	vs_walk_fs(root);
	for (i = 0; i < vs_walk.n; i++) {
		const char *p = vs_walk.f[i].path;
		int fd = open(p, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		struct stat st;

		if (fd < 0) {
			/* the kernel returns only files the caller may read */
			if (errno != EACCES && errno != EPERM && errno != ENOENT)
				fprintf(stderr, "%s: cannot open %s: %s (skipped)\n", vx_prog, p,
					strerror(errno));
			continue;
		}
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_ino == vs_walk.f[i].ino)
			vs_ref_file(R, o, q, fd, p, true);
		close(fd);
	}
}

/* Queries [q0, q0 + nq) against the loaded records, as vexfs_ioc_search() does. */
static int vs_ref_search(struct vs_ref *R, const struct vs_opts *o, const struct vs_query *q,
			 u32 metric, size_t q0, u32 nq, struct vexfs_search_result *res,
			 u64 *compared, u64 *corrupt)
{
	struct vsearch_query Q;
	struct vsearch_topk *tk = vx_zalloc(nq * sizeof(*tk));
	struct vsearch_cand *cand = vx_zalloc((size_t)nq * o->k * sizeof(*cand));
	float *dist = vx_zalloc(nq * sizeof(float));
	size_t lut[VEXFS_CB_MAX], i;
	const char *why = "";
	u32 qi, j;

	if (vsearch_check_args(q->dtype, metric, q->dims, nq, o->k, &why))
		vx_die("%s: invalid search (EINVAL: %s)", o->path, why);
	if (q->dtype == VEXFS_DT_F32 &&
	    !vsearch_query_finite(q->rows + q0 * q->row, (size_t)nq * q->dims))
		vx_die("%s: invalid search (EINVAL: a query value is NaN or infinite)", o->path);
	memset(&Q, 0, sizeof(Q));
	Q.dtype = q->dtype;
	Q.metric = metric;
	Q.dims = q->dims;
	Q.nq = nq;
	Q.row = vsearch_row_size(q->dtype, q->dims);
	Q.q = q->rows + q0 * q->row;
	Q.qnorm = vx_zalloc(nq * sizeof(float));
	Q.scratch = vx_zalloc(3 * (size_t)q->dims * sizeof(float));
	if (vsearch_sq_wanted(Q.dtype, Q.dims)) {	/* as the kernel does */
		Q.qsum = vx_zalloc(nq * sizeof(float));
		Q.sqbuf = vx_zalloc(vsearch_sq_floats(Q.dims, Q.nq) * sizeof(float));
		Q.sqq = vx_zalloc(vsearch_sq_queries(Q.nq) * sizeof(*Q.sqq));
	}
	Q.npq = R->npq;
	memcpy(Q.pq, R->pq, sizeof(Q.pq));
	vsearch_pq_plan(&Q, lut);
	for (i = 0; i < Q.npq; i++)
		Q.pq[i].lut = lut[i] ? vx_zalloc(lut[i]) : NULL;
	vsearch_prepare(&Q);
	for (qi = 0; qi < nq; qi++)
		vsearch_topk_init(&tk[qi], cand + (size_t)qi * o->k, o->k);

	for (i = 0; i < R->n; i++) {
		const struct vs_rec *r = &R->r[i];

		if (vsearch_dist(&Q, r->dtype, r->comp, r->dims, r->data, r->len, 0, nq, dist)) {
			(*corrupt)++;	/* a PQ record without its codebook */
			continue;
		}
		(*compared)++;
		for (qi = 0; qi < nq; qi++) {
			u32 bits;

			memcpy(&bits, &dist[qi], 4);
			vsearch_topk_push(&tk[qi], bits, metric, r->id, r->ino, 0);
		}
	}
	*corrupt += R->corrupt;

	for (qi = 0; qi < nq; qi++) {
		vsearch_topk_sort(&tk[qi]);
		for (j = 0; j < o->k; j++) {
			struct vexfs_search_result *e = &res[(size_t)qi * o->k + j];

			memset(e, 0, sizeof(*e));
			if (j < tk[qi].n) {
				e->vector_id = tk[qi].h[j].id;
				e->inode = tk[qi].h[j].ino;
				e->generation = tk[qi].h[j].gen;
				e->distance = vsearch_key_bits(tk[qi].h[j].key, metric);
			}
		}
	}
	for (i = 0; i < Q.npq; i++)
		free(Q.pq[i].lut);
	free(Q.qnorm);
	free(Q.qsum);
	free(Q.sqbuf);
	free(Q.sqq);
	free(Q.scratch);
	free(tk);
	free(cand);
	free(dist);
	return 0;
}

/* ---- printing ------------------------------------------------------------------ */

static void vs_print_dist(u32 bits, bool json, bool exact)
{
	float f;

	memcpy(&f, &bits, 4);
	if (json) {
		if (isfinite(f))
			printf("%.9g", f);
		else
			printf("null");
		printf(", \"bits\": \"0x%08x\"", bits);
	} else if (exact) {
		printf("%-15.9g 0x%08x", f, bits);
	} else {
		printf("%-12.6g", f);
	}
}

static void vs_print(const struct vs_opts *o, const struct vs_query *q, u32 metric, bool whole,
		     u64 path_ino, const struct vexfs_search_result *res, u64 compared,
		     u64 corrupt, bool approx)
{
	size_t qi;
	u32 j;

	if (o->json) {
		printf("{\"path\": ");
		vc_json_str(stdout, o->path, SIZE_MAX);
		printf(", \"scope\": \"%s\", \"reference\": %s, \"metric\": \"%s\", \"k\": %u, "
		       "\"dtype\": \"%s\", \"dims\": %u, \"nq\": %zu",
		       !whole ? "file" : o->fs ? "filesystem" : "subtree", o->reference ? "true" : "false",
		       vc_metric_name(metric), o->k, vc_dtype_name(q->dtype), q->dims, q->n);
		if (q->like)
			printf(", \"like\": %llu", (unsigned long long)q->like_id);
		printf(", \"approx\": %s, \"compared\": %llu, \"corrupt\": %llu, \"queries\": [",
		       approx ? "true" : "false", (unsigned long long)compared,
		       (unsigned long long)corrupt);
	} else {
		printf("%-5s %-*s %-10s %-10s %s\n", "rank", o->exact ? 26 : 12,
		       vsearch_similarity(metric) ? "score" : "distance", "id", "inode", "path");
	}
	for (qi = 0; qi < q->n; qi++) {
		const struct vexfs_search_result *r = res + qi * o->k;

		if (o->json)
			printf("%s[", qi ? ", " : "");
		else if (q->n > 1)
			printf("# query %zu\n", qi);
		for (j = 0; j < o->k && r[j].vector_id; j++) {
			const char *p = NULL;

			if (!whole && r[j].inode == path_ino)
				p = o->path;
			else if (!o->no_paths)
				p = vs_path_of(r[j].inode, r[j].generation);
			if (o->json) {
				printf("%s{\"rank\": %u, \"id\": %llu, \"inode\": %llu", j ? ", " : "",
				       j + 1, (unsigned long long)r[j].vector_id,
				       (unsigned long long)r[j].inode);
				if (!o->reference)
					printf(", \"generation\": %u", r[j].generation);
				printf(", \"distance\": ");
				vs_print_dist(r[j].distance, true, true);
				printf(", \"path\": ");
				if (p)
					vc_json_str(stdout, p, SIZE_MAX);
				else
					printf("null");
				printf("}");
			} else {
				printf("%-5u ", j + 1);
				vs_print_dist(r[j].distance, false, o->exact);
				printf(" %-10llu %-10llu %s\n", (unsigned long long)r[j].vector_id,
				       (unsigned long long)r[j].inode, p ? p : "?");
			}
		}
		if (o->json)
			printf("]");
	}
	if (o->json)
		printf("]}\n");
}

/* ---- the command ----------------------------------------------------------------- */

static u32 vs_comp_list(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;
	u32 mask = 0;

	if (!copy)
		vx_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		mask |= 1u << vc_opt_comp(tok);
	free(copy);
	if (!mask)
		vc_usage_err("search", "--compress: empty list");
	return mask;
}

/* vexctl search PATH (--vector Q | --like FILE [--id N]) [options] */
int vc_cmd_search(int argc, char **argv)
{
	enum { O_ID = 256, O_FS, O_REF, O_EXACT, O_NOPATHS, O_APPROX, O_EF };
	static const struct option longs[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "like", required_argument, NULL, 'l' },
		{ "id", required_argument, NULL, O_ID },
		{ "metric", required_argument, NULL, 'M' },
		{ "model", required_argument, NULL, 'm' },
		{ "compress", required_argument, NULL, 'z' },
		{ "fs", no_argument, NULL, O_FS },
		{ "reference", no_argument, NULL, O_REF },
		{ "exact", no_argument, NULL, O_EXACT },
		{ "no-paths", no_argument, NULL, O_NOPATHS },
		{ "approx", no_argument, NULL, O_APPROX },
		{ "ef", required_argument, NULL, O_EF },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vs_opts o;
	struct vs_query q;
	struct vexfs_search_result *res;
	struct vs_ref R;
	struct stat st;
	char *root = NULL;
	u64 compared = 0, corrupt = 0;
	u32 approx = 0, calls = 0;
	bool whole, have_id = false;
	u32 metric;
	size_t q0;
	int c, fd;

	memset(&o, 0, sizeof(o));
	memset(&q, 0, sizeof(q));
	o.k = 10;
	o.metric = -1;
	while ((c = vc_getopt(argc, argv, ":v:f:t:l:k:M:m:z:jh", longs)) != -1) {
		switch (c) {
		case 'v':
			o.vpath = optarg;
			break;
		case 'f':
			o.fmt = vc_opt_format(optarg);
			break;
		case 't':
			o.want = vc_opt_dtype(optarg);
			break;
		case 'l':
			o.like = optarg;
			break;
		case O_ID:
			o.like_id = vc_parse_id("search", optarg);
			have_id = true;
			break;
		case 'k':
			o.k = (u32)vc_opt_num("k", optarg, 1, VEXFS_SEARCH_K_MAX);
			break;
		case 'M':
			o.metric = vc_metric_parse("search", optarg);
			break;
		case 'm':
			vc_opt_model("search", optarg, o.model);
			break;
		case 'z':
			o.comp_mask = vs_comp_list(optarg);
			break;
		case O_FS:
			o.fs = true;
			break;
		case O_REF:
			o.reference = true;
			break;
		case O_EXACT:
			o.exact = true;
			break;
		case O_NOPATHS:
			o.no_paths = true;
			break;
		case O_APPROX:
			o.approx = true;
			break;
		case O_EF:
			o.ef = (u32)vc_opt_num("ef", optarg, 1, VEXFS_SEARCH_EF_MAX);
			break;
		case 'j':
			o.json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	o.path = argv[optind];
	if (!o.vpath == !o.like)
		vc_usage_err("search", "search: give one of --vector Q and --like FILE");
	if (have_id && !o.like)
		vc_usage_err("search", "search: --id needs --like");
	if (have_id && !o.like_id)
		vc_usage_err("search", "search: vector ids start at 1");
	if (o.like && (o.fmt || o.want))
		vc_usage_err("search", "search: --format and --dtype are for --vector");
	if (o.ef && !o.approx)
		vc_usage_err("search", "search: --ef needs --approx");
	if (o.ef && o.ef < o.k)
		vc_usage_err("search", "search: --ef %u is below -k %u", o.ef, o.k);
	if (o.approx && o.reference)
		vc_usage_err("search", "search: --reference is exact; --approx is the kernel's index");

	fd = open(o.path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		vx_die("cannot open %s: %s", o.path, strerror(errno));
	if (fstat(fd, &st))
		vx_die("cannot stat %s: %s", o.path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		vx_die("%s: not a regular file or directory", o.path);
	whole = o.fs || S_ISDIR(st.st_mode);

	if (o.like)
		vs_queries_like(&o, &q);
	else
		vs_queries_from_file(&o, &q);
	if (q.dtype != VEXFS_DT_F32 && q.dtype != VEXFS_DT_I8 && q.dtype != VEXFS_DT_I16 &&
	    q.dtype != VEXFS_DT_BIN)
		vx_die("%s: %s queries cannot be searched (f32, i8, i16, bin)",
		       o.like ? o.like : o.vpath, vc_dtype_name(q.dtype));
	if (o.metric < 0)
		metric = q.dtype == VEXFS_DT_BIN ? VEXFS_SEARCH_METRIC_HAMMING :
						   VEXFS_SEARCH_METRIC_L2;
	else
		metric = (u32)o.metric;
	if ((metric == VEXFS_SEARCH_METRIC_HAMMING) != (q.dtype == VEXFS_DT_BIN))
		vx_die("%s: the hamming metric is for bin queries, and bin queries use it "
		       "(these are %s, metric %s)", o.path, vc_dtype_name(q.dtype),
		       vc_metric_name(metric));
	if ((size_t)o.k * VS_BATCH * sizeof(*res) > SIZE_MAX / 2)
		vx_die("too many results");
	res = vx_zalloc(q.n * o.k * sizeof(*res));

	if (whole)
		root = vs_mount_root(o.path);
	if (o.reference) {
		struct statfs sfs;

		if (fstatfs(fd, &sfs) || sfs.f_type != VEXFS_SUPER_MAGIC)
			vx_die("%s: %s", o.path, vc_ioctl_msg(ENOTTY, VC_OP_STATS, fd, 0));
		/*
		 * As the kernel: a directory (without --fs) stands for its subtree,
		 * the files with a link under it, which is what nftw from it finds.
		 */
		vs_ref_load(&R, &o, &q, fd, whole, whole && !o.fs ? o.path : root);
	}
	for (q0 = 0; q0 < q.n; q0 += VS_BATCH) {
		u32 nq = (u32)(q.n - q0 < VS_BATCH ? q.n - q0 : VS_BATCH);
		struct vexfs_search_result *r = res + q0 * o.k;
		int err;

		if (o.reference)
			err = vs_ref_search(&R, &o, &q, metric, q0, nq, r, &compared, &corrupt);
		else
			err = vs_kernel(fd, &o, &q, metric, q0, nq, r, &compared, &corrupt,
					&approx);
		calls++;
		if (err) {
			if (q.n > VS_BATCH)
				vx_die("%s: queries %zu..%zu: %s", o.path, q0, q0 + nq - 1,
				       vs_msg(err, fd, &o, &q));
			vx_die("%s: %s", o.path, vs_msg(err, fd, &o, &q));
		}
	}
	if (whole && !o.no_paths) {
		int pfd = o.fs ? open(root, O_RDONLY | O_DIRECTORY) : dup(fd);

		if (pfd < 0)
			vx_die("cannot open %s: %s", root, strerror(errno));
		vs_paths.fd = pfd;
		vs_paths.base = o.fs ? root : o.path;
		vs_paths.root = root;
		/* the reference has no generations to ask with: the walk's paths */
		vs_paths.walk = o.reference;
	}
	vs_print(&o, &q, metric, whole, st.st_ino, res, compared, corrupt,
		 calls && approx == calls);
	if (o.reference) {
		size_t i;

		for (i = 0; i < R.n; i++)
			free(R.r[i].data);
		free(R.r);
		for (i = 0; i < R.npq; i++)
			free(R.pqs[i].cent_t);
	}
	free(res);
	free(q.rows);
	free(root);
	close(fd);
	return 0;
}
