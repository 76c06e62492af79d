// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_import.c - "vexctl import DIR --vectors X --paths P": attach row i
 * of a vector file (read by vecio.c: .npy, .fvecs, text, JSON) to the file
 * DIR/line i of P, creating missing files and directories. One ATTACH per
 * row; consecutive rows of one path share one open file.
 *
 * All or nothing: everything is checked before the first ATTACH (row and
 * path counts, every path relative and without "..", the vectors against
 * the compression); if an ATTACH fails, or SIGINT / SIGTERM arrives, the
 * vectors attached so far are detached again, the files and directories
 * created are removed, and the command fails naming the row.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_import_usage[] =
	"import DIR --vectors FILE --paths LIST [options]\n"
	"Attach row i of FILE to the file DIR/(line i of LIST), creating missing files\n"
	"and directories; rows of the same path become several vectors, in row order.\n"
	"All or nothing: on an error (or SIGINT) every vector attached and every file and\n"
	"directory created is removed again, and the row is named.\n"
	"  -v, --vectors FILE       the rows ('-': standard input): .npy 2-D, .fvecs,\n"
	"                           text or JSON, as for attach\n"
	"  -p, --paths LIST         one path per line, relative to DIR, no '..'\n"
	"  -f, --format FMT         npy, fvecs, text or json (default: from the name)\n"
	"  -t, --dtype TYPE         store as f32, f16, i8, i16 or bin (as for attach)\n"
	"  -m, --model NAME         model name of every vector (up to 16 bytes)\n"
	"  -z, --compress C         none (default), f16, sq8, sq4, sparse or pq\n"
	"      --codebook ID        with --compress pq: the codebook\n"
	"      --no-create          fail on a missing file instead of creating it\n"
	"  -q, --quiet              no progress bar (there is none unless stderr is a\n"
	"                           terminal)\n"
	"  -j, --json               print {\"rows\", \"files\", \"created\", \"seconds\",\n"
	"                           \"rows_per_s\"}\n"
	"Prints the rows, files and the rate (rows/s) at the end.\n";

static volatile sig_atomic_t vi_stop;

static void vi_on_signal(int sig)
{
	vi_stop = sig;
}

static double vi_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the import changed, to undo it. */
struct vi_undo {
	u64 *ids;		/* attached, per row */
	char **made;		/* files and directories created, in order */
	bool *made_dir;
	size_t nmade, capmade;
};

static void vi_made(struct vi_undo *u, const char *rel, bool dir)
{
	if (u->nmade == u->capmade) {
		u->capmade = u->capmade ? 2 * u->capmade : 64;
		u->made = realloc(u->made, u->capmade * sizeof(*u->made));
		u->made_dir = realloc(u->made_dir, u->capmade * sizeof(*u->made_dir));
		if (!u->made || !u->made_dir)
			vx_die("out of memory");
	}
	u->made[u->nmade] = strdup(rel);
	if (!u->made[u->nmade])
		vx_die("out of memory");
	u->made_dir[u->nmade++] = dir;
}

/*
 * Split the paths file into n lines (dies unless there are exactly n);
 * p[n] is the buffer they are in.
 */
static char **vi_paths(const char *list, size_t n)
{
	size_t len, i, lines = 0;
	char *buf = (char *)vc_read_all(list, "paths file", &len);
	char **p, *s, *nl;

	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (len && buf[len - 1] != '\n')
		lines++;
	if (lines != n)
		vx_die("%s: %zu paths for %zu rows", list, lines, n);
	p = vx_zalloc((n + 1) * sizeof(*p));
	p[n] = buf;
	for (s = buf, i = 0; i < n; i++, s = nl + 1) {
		nl = memchr(s, '\n', len - (size_t)(s - buf));
		if (!nl)
			nl = buf + len;		/* the unterminated last line */
		*nl = 0;
		p[i] = s;
		if (!*s)
			vx_die("%s: line %zu: an empty path", list, i + 1);
		if (strlen(s) != (size_t)(nl - s))
			vx_die("%s: line %zu: a NUL byte in the path", list, i + 1);
		if (*s == '/')
			vx_die("%s: line %zu: '%s' is absolute: paths are relative to DIR", list,
			       i + 1, s);
		if (nl - s >= PATH_MAX)
			vx_die("%s: line %zu: path too long", list, i + 1);
		if (!strcmp(s, "..") || !strncmp(s, "../", 3) || strstr(s, "/../") ||
		    (nl - s >= 3 && !strcmp(nl - 3, "/..")))
			vx_die("%s: line %zu: '%s' holds '..': paths stay under DIR", list, i + 1, s);
	}
	return p;
}

/*
 * Open DIR/rel for writing; with create, make the missing directories and
 * the file, recording them. Returns the fd or -errno.
 */
static int vi_open(int dfd, const char *rel, bool create, struct vi_undo *u)
{
	char tmp[PATH_MAX], *sl;
	int fd = openat(dfd, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : -errno;
	snprintf(tmp, sizeof(tmp), "%s", rel);
	for (sl = strchr(tmp, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = 0;
		if (*tmp && mkdirat(dfd, tmp, 0777) == 0)
			vi_made(u, tmp, true);
		else if (errno != EEXIST)
			return -errno;
		*sl = '/';
	}
	fd = openat(dfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0)
		return -errno;
	vi_made(u, rel, false);
	return fd;
}

/* Undo rows [0, done): detach their vectors, remove what was created. */
static void vi_undo(int dfd, char **paths, size_t done, struct vi_undo *u)
{
	size_t i, bad = 0;
	int fd = -1;

	for (i = done; i-- > 0;) {
		struct vexfs_ioc_detach d;

		if (i + 1 == done || strcmp(paths[i], paths[i + 1])) {
			if (fd >= 0)
				close(fd);
			fd = openat(dfd, paths[i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		}
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.vector_id = u->ids[i];
		if (fd < 0 || ioctl(fd, VEXFS_IOC_VEC_DETACH, &d))
			bad++;
	}
	if (fd >= 0)
		close(fd);
	for (i = u->nmade; i-- > 0;)
		if (unlinkat(dfd, u->made[i], u->made_dir[i] ? AT_REMOVEDIR : 0))
			bad++;
	if (bad)
		fprintf(stderr, "%s: import: %zu vector(s) or file(s) could not be removed again\n",
			vx_prog, bad);
	else
		fprintf(stderr, "%s: import: the %zu row(s) attached before were undone\n",
			vx_prog, done);
}

static void vi_progress(size_t i, size_t n, double t0, bool end)
{
	double dt = vi_now() - t0;

	fprintf(stderr, "\rimport: %zu/%zu rows (%3.0f%%), %.0f rows/s%s", i, n,
		n ? 100.0 * (double)i / (double)n : 100.0, dt > 0 ? (double)i / dt : 0.0,
		end ? "\n" : "");
}

/* vexctl import DIR --vectors FILE --paths LIST [...] */
int vc_cmd_import(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "vectors", required_argument, NULL, 'v' },
		{ "paths", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ "compress", required_argument, NULL, 'z' },
		{ "codebook", required_argument, NULL, 'K' },
		{ "no-create", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *vpath = NULL, *list = NULL, *dir;
	struct vexfs_vec_user_meta meta;
	u32 want = 0, comp = VEXFS_COMP_NONE, codebook = 0;
	bool create = true, quiet = false, json = false, tty;
	struct sigaction sa, old_int, old_term;
	int c, fmt = VC_FMT_AUTO, dfd, fd = -1, err = 0;
	size_t i, files = 0, created;
	struct vi_undo u;
	struct vc_vecs vs;
	double t0, last = 0, dt;
	char **paths;

	memset(&meta, 0, sizeof(meta));
	memset(&u, 0, sizeof(u));
	while ((c = vc_getopt(argc, argv, ":v:p:f:t:m:z:qjh", longs)) != -1) {
		switch (c) {
		case 'v':
			vpath = optarg;
			break;
		case 'p':
			list = optarg;
			break;
		case 'f':
			fmt = vc_opt_format(optarg);
			break;
		case 't':
			want = vc_opt_dtype(optarg);
			break;
		case 'm':
			vc_opt_model("import", optarg, meta.model);
			break;
		case 'z':
			comp = vc_opt_comp(optarg);
			break;
		case 'K':
			codebook = (u32)vc_opt_num("codebook id", optarg, 1, VEXFS_CB_MAX);
			break;
		case 'N':
			create = false;
			break;
		case 'q':
			quiet = true;
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	if (!vpath || !list)
		vc_usage_err("import", "import: --vectors FILE and --paths LIST are required");
	if (codebook && comp != VEXFS_COMP_PQ)
		vc_usage_err("import", "import: --codebook needs --compress pq");
	if (!strcmp(vpath, "-") && !strcmp(list, "-"))
		vc_usage_err("import", "import: --vectors and --paths cannot both be '-'");
	dir = argv[optind];

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		vx_die("cannot open directory %s: %s", dir, strerror(errno));
	vc_load(vpath, fmt, want, &vs);
	vc_check_comp(vpath, comp, vs.dtype);
	paths = vi_paths(list, vs.n);
	u.ids = vx_zalloc((vs.n + 1) * sizeof(*u.ids));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vi_on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	tty = !quiet && isatty(STDERR_FILENO);
	t0 = vi_now();
	for (i = 0; i < vs.n; i++) {
		if (vi_stop) {
			fprintf(stderr, "%s: import: interrupted at row %zu\n", vx_prog, i);
			err = -EINTR;
			break;
		}
		if (!i || strcmp(paths[i], paths[i - 1])) {
			if (fd >= 0)
				close(fd);
			fd = vi_open(dfd, paths[i], create, &u);
			if (fd < 0) {
				fprintf(stderr, "%s: import: row %zu: cannot open %s/%s%s: %s\n",
					vx_prog, i, dir, paths[i], create ? "" : " (--no-create)",
					strerror(-fd));
				err = fd;
				break;
			}
			files++;
		}
		err = vc_attach_one(fd, &vs, i, comp, codebook, &meta, &u.ids[i]);
		if (err) {
			fprintf(stderr, "%s: import: row %zu (%s/%s): %s\n", vx_prog, i, dir,
				paths[i], vc_ioctl_msg(err, VC_OP_ATTACH, fd, codebook));
			err = -err;
			break;
		}
		if (tty && !(i & 255) && vi_now() - last > 0.2) {
			last = vi_now();
			vi_progress(i, vs.n, t0, false);
		}
	}
	if (fd >= 0)
		close(fd);
	dt = vi_now() - t0;
	if (tty)
		vi_progress(i, vs.n, t0, true);
	if (err)
		vi_undo(dfd, paths, i, &u);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	created = 0;
	for (size_t j = 0; j < u.nmade; j++)
		created += !u.made_dir[j];
	if (!err && json)
		printf("{\"rows\": %zu, \"files\": %zu, \"created\": %zu, \"seconds\": %.3f, "
		       "\"rows_per_s\": %.0f}\n", vs.n, files, created, dt,
		       dt > 0 ? (double)vs.n / dt : 0.0);
	else if (!err)
		printf("imported %zu rows into %zu files (%zu created) in %.2f s: %.0f rows/s\n",
		       vs.n, files, created, dt, dt > 0 ? (double)vs.n / dt : 0.0);
	for (i = 0; i < u.nmade; i++)
		free(u.made[i]);
	free(u.made);
	free(u.made_dir);
	free(u.ids);
	free(paths[vs.n]);
	free(paths);
	vc_vecs_free(&vs);
	close(dfd);
	return err ? 1 : 0;
}
