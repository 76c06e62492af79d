// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_export.c - "vexctl export DIR --out X --paths P": every vector of
 * the files under DIR (or those of one model, dims or type) as the rows of
 * a .npy or .fvecs file, with the path of each row's file in P, the forms
 * "vexctl import", numpy and FAISS read.
 *
 * Files are taken in byte order of their paths relative to DIR, vectors in
 * id order within a file. Two passes: the first lists the vectors and
 * their headers (GET without data), so that the .npy header can give the
 * shape and no row is held in memory (headers only: GET_RAW without a
 * buffer decodes nothing); the second copies the data. Rows are
 * decoded (compressed vectors as float32; binary vectors as one bool per
 * dimension, "|b1", which attach and import read back with their exact
 * dims). The outputs are written to temporary files renamed at the end:
 * on an error, nothing is left.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vexctl.h"

const char vc_export_usage[] =
	"export DIR --out FILE [--paths LIST] [options]\n"
	"Write every vector of the files under DIR as the rows of FILE (.npy, or .fvecs\n"
	"for f32), and with --paths each row's file, relative to DIR, one per line: the\n"
	"input of 'vexctl import'. Files in byte order of their paths, vectors in id\n"
	"order; compressed vectors decoded to f32, binary ones as bools (|b1).\n"
	"  -o, --out FILE           the rows: .npy or .fvecs\n"
	"  -p, --paths LIST         the paths\n"
	"  -m, --model NAME         only vectors of this model\n"
	"  -d, --dims D             only vectors of D dimensions\n"
	"  -t, --dtype TYPE         only vectors of this type (f32, f16, i8, i16, bin)\n"
	"  -j, --json               print {\"rows\", \"files\", \"dims\", \"dtype\", \"seconds\"}\n"
	"The rows must share dimensions and type: otherwise the groups found are listed\n"
	"and nothing is written (choose one with --model, --dims or --dtype).\n";

/* One exported vector. */
struct ve_row {
	u32 file;		/* index in ve_files */
	u64 id;
};

static struct {
	char **files;		/* relative paths */
	size_t nfiles, capfiles;
	size_t skip;		/* length of "DIR/" */
} ve;

static int ve_walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (ve.nfiles == ve.capfiles) {
		ve.capfiles = ve.capfiles ? 2 * ve.capfiles : 1024;
		ve.files = realloc(ve.files, ve.capfiles * sizeof(*ve.files));
		if (!ve.files)
			vx_die("out of memory");
	}
	ve.files[ve.nfiles] = strdup(path + ve.skip);
	if (!ve.files[ve.nfiles])
		vx_die("out of memory");
	ve.nfiles++;
	return 0;
}

static int ve_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* The type a GET returns decoded. */
static u32 ve_dtype(const struct vexfs_vec_info *in)
{
	return in->compression != VEXFS_COMP_NONE ? VEXFS_DT_F32 : in->dtype;
}

/* A group of (dims, type) found, for the error listing them. */
struct ve_group {
	u32 dims, dtype;
	size_t n;
};

static void ve_count(struct ve_group *g, size_t *ng, u32 dims, u32 dtype)
{
	size_t i;

	for (i = 0; i < *ng; i++)
		if (g[i].dims == dims && g[i].dtype == dtype) {
			g[i].n++;
			return;
		}
	if (*ng < 16)
		g[(*ng)++] = (struct ve_group){ dims, dtype, 1 };
}

static FILE *ve_create(const char *path, char *tmp, size_t len)
{
	mode_t um = umask(0);
	int fd;
	FILE *f;

	umask(um);
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		vx_die("cannot create a temporary file next to %s: %s", path, strerror(errno));
	if (fchmod(fd, 0666 & ~um))
		vx_die("%s: %s", tmp, strerror(errno));
	f = fdopen(fd, "wb");
	if (!f)
		vx_die("%s: %s", tmp, strerror(errno));
	return f;
}

static double ve_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* vexctl export DIR --out FILE [--paths LIST] [...] */
int vc_cmd_export(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "paths", required_argument, NULL, 'p' },
		{ "model", required_argument, NULL, 'm' },
		{ "dims", required_argument, NULL, 'd' },
		{ "dtype", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *list = NULL, *dot;
	u8 model[VC_MODEL_LEN];
	bool by_model = false;
	char dir[PATH_MAX], tmp_out[PATH_MAX + 8], tmp_list[PATH_MAX + 8];
	u32 want_dims = 0, want_dt = 0, dims = 0, dtype = 0, vbytes;
	struct ve_group groups[16];
	struct ve_row *rows = NULL;
	size_t nrows = 0, caprows = 0, ng = 0, i, j, files = 0;
	FILE *fo, *fl = NULL;
	bool json = false, fvecs;
	int c, fd = -1;
	u32 cur = UINT32_MAX;
	u8 *buf;
	double t0;

	while ((c = vc_getopt(argc, argv, ":o:p:m:d:t:jh", longs)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'p':
			list = optarg;
			break;
		case 'm':
			vc_opt_model("export", optarg, model);
			by_model = true;
			break;
		case 'd':
			want_dims = (u32)vc_opt_num("dims", optarg, 1, VEXFS_VEC_MAX_DIMS);
			break;
		case 't':
			want_dt = vc_opt_dtype(optarg);
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	if (!out)
		vc_usage_err("export", "export: --out FILE is required");
	dot = strrchr(out, '.');
	if (!dot || (strcasecmp(dot, ".npy") && strcasecmp(dot, ".fvecs")))
		vc_usage_err("export", "export: --out must name a .npy or .fvecs file");
	fvecs = !strcasecmp(dot, ".fvecs");
	snprintf(dir, sizeof(dir), "%s", argv[optind]);
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = 0;
	ve.skip = strlen(dir) + (strcmp(dir, "/") ? 1 : 0);
	t0 = ve_now();

	/* pass 1: the files, their vectors and headers */
	if (nftw(dir, ve_walk_one, 64, FTW_PHYS | FTW_MOUNT))
		vx_die("cannot walk %s: %s", dir, strerror(errno));
	qsort(ve.files, ve.nfiles, sizeof(*ve.files), ve_cmp);
	for (i = 0; i < ve.nfiles; i++) {
		char path[2 * PATH_MAX + 2];
		size_t nids;
		u64 *ids;
		long nl;
		bool any = false;

		snprintf(path, sizeof(path), "%s/%s", dir, ve.files[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			vx_die("cannot open %s: %s", path, strerror(errno));
		nl = vc_list_ids(fd, path, &ids, NULL);
		if (nl < 0)
			vx_die("%s: %s", path, vc_ioctl_msg((int)-nl, VC_OP_LIST, fd, 0));
		nids = (size_t)nl;
		for (j = 0; j < nids; j++) {
			struct vexfs_ioc_get g;

			/* the header only: RAW with no buffer, so nothing is decoded twice */
			memset(&g, 0, sizeof(g));
			g.size = sizeof(g);
			g.flags = VEXFS_VEC_GET_RAW;
			g.vector_id = ids[j];
			if (ioctl(fd, VEXFS_IOC_VEC_GET, &g))
				vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_GET, fd, ids[j]));
			if (by_model && memcmp(g.info.meta.model, model, VC_MODEL_LEN))
				continue;
			if ((want_dims && g.info.dims != want_dims) ||
			    (want_dt && g.info.dtype != want_dt))
				continue;
			if (strchr(ve.files[i], '\n'))
				vx_die("%s: a path holding a newline cannot be exported", path);
			ve_count(groups, &ng, g.info.dims, ve_dtype(&g.info));
			if (nrows == caprows) {
				caprows = caprows ? 2 * caprows : 4096;
				rows = realloc(rows, caprows * sizeof(*rows));
				if (!rows)
					vx_die("out of memory");
			}
			rows[nrows++] = (struct ve_row){ (u32)i, ids[j] };
			any = true;
		}
		files += any;
		free(ids);
		close(fd);
		fd = -1;
	}
	if (ng > 1) {
		fprintf(stderr, "%s: export: vectors of several shapes under %s:", vx_prog, dir);
		for (i = 0; i < ng; i++)
			fprintf(stderr, "%s %zu x %u-d %s", i ? "," : "", groups[i].n,
				groups[i].dims, vc_dtype_name(groups[i].dtype));
		fprintf(stderr, "; choose one with --model, --dims or --dtype\n");
		return 1;
	}
	if (ng) {
		dims = groups[0].dims;
		dtype = groups[0].dtype;
	}
	if (fvecs && ng && dtype != VEXFS_DT_F32)
		vx_die("%s: .fvecs holds f32 vectors, these are %s: use .npy", out,
		       vc_dtype_name(dtype));

	/* pass 2: the data */
	fo = ve_create(out, tmp_out, sizeof(tmp_out));
	if (list)
		fl = ve_create(list, tmp_list, sizeof(tmp_list));
	if (!fvecs) {
		char shape[48];

		snprintf(shape, sizeof(shape), "%zu, %u", nrows, dims);
		vx_npy_header(fo, ng ? vc_dtype_npy(dtype) : "<f4", shape);
	}
	vbytes = ng ? vc_vec_bytes(dtype, dims) : 0;
	buf = vx_zalloc(VEXFS_VEC_MAX_DATA + 4);
	for (i = 0; i < nrows; i++) {
		struct vexfs_ioc_get g;
		const char *rel = ve.files[rows[i].file];

		if (rows[i].file != cur) {
			char path[2 * PATH_MAX + 2];

			if (fd >= 0)
				close(fd);
			snprintf(path, sizeof(path), "%s/%s", dir, rel);
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				goto fail;
			cur = rows[i].file;
		}
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.vector_id = rows[i].id;
		g.data = (u64)(uintptr_t)buf;
		g.data_len = VEXFS_VEC_MAX_DATA;
		if (ioctl(fd, VEXFS_IOC_VEC_GET, &g))
			goto fail;
		if (g.info.dims != dims || ve_dtype(&g.info) != dtype || g.data_len != vbytes) {
			errno = ESTALE;
			goto fail;
		}
		if (fvecs) {
			u8 d[4];

			vq_put_le32(d, dims);
			fwrite(d, 1, 4, fo);
		}
		if (dtype == VEXFS_DT_BIN) {
			for (j = 0; j < dims; j++)
				fputc((int)vc_get(dtype, buf, (u32)j), fo);
		} else {
			fwrite(buf, 1, vbytes, fo);
		}
		if (fl)
			fprintf(fl, "%s\n", rel);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	if ((ferror(fo) | fclose(fo)) || (fl && (ferror(fl) | fclose(fl)))) {
		unlink(tmp_out);
		if (fl)
			unlink(tmp_list);
		vx_die("cannot write %s: %s", out, strerror(errno));
	}
	if (rename(tmp_out, out) || (fl && rename(tmp_list, list)))
		vx_die("cannot rename to %s: %s", out, strerror(errno));
	if (json)
		printf("{\"rows\": %zu, \"files\": %zu, \"dims\": %u, \"dtype\": \"%s\", "
		       "\"seconds\": %.3f}\n", nrows, files, dims,
		       ng ? vc_dtype_name(dtype) : "f32", ve_now() - t0);
	else
		printf("exported %zu rows of %u-d %s from %zu files in %.2f s\n", nrows, dims,
		       ng ? vc_dtype_name(dtype) : "f32", files, ve_now() - t0);
	for (i = 0; i < ve.nfiles; i++)
		free(ve.files[i]);
	free(ve.files);
	free(rows);
	return 0;
fail:
	fprintf(stderr, "%s: export: %s/%s: %s\n", vx_prog, dir, ve.files[rows[i].file],
		errno == ESTALE ? "the vector changed during the export" :
		errno == ENOENT ? "the vector or file went away during the export" :
		strerror(errno));
	fclose(fo);
	unlink(tmp_out);
	if (fl) {
		fclose(fl);
		unlink(tmp_list);
	}
	return 1;
}
