// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_common.c - what vexctl's commands share (vexctl.h): the command
 * being run and its help, option parsing (vc_getopt, vc_check_args,
 * vc_opt_*) and usage errors, vector ids, compression names, JSON strings,
 * opening the file or filesystem a call applies to, and what a failed
 * vector or codebook ioctl means (vc_ioctl_msg).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

/* ---- compression names ----------------------------------------------------- */

const char * const vc_comp_names[VEXFS_COMP_MAX + 1] = {
	[VEXFS_COMP_NONE] = "none",
	[VEXFS_COMP_SQ8] = "sq8",
	[VEXFS_COMP_SQ4] = "sq4",
	[VEXFS_COMP_PQ] = "pq",
	[VEXFS_COMP_F16] = "f16",
	[VEXFS_COMP_SPARSE] = "sparse",
};

static const char * const vc_metric_names[] = {
	[VEXFS_SEARCH_METRIC_L2] = "l2",
	[VEXFS_SEARCH_METRIC_IP] = "ip",
	[VEXFS_SEARCH_METRIC_COS] = "cos",
	[VEXFS_SEARCH_METRIC_HAMMING] = "hamming",
};

const char *vc_metric_name(u32 metric)
{
	return metric <= VEXFS_SEARCH_METRIC_HAMMING ? vc_metric_names[metric] : "unknown";
}

int vc_metric_parse(const char *cmd, const char *s)
{
	if (!strcasecmp(s, "l2") || !strcasecmp(s, "euclidean"))
		return VEXFS_SEARCH_METRIC_L2;
	if (!strcasecmp(s, "ip") || !strcasecmp(s, "dot"))
		return VEXFS_SEARCH_METRIC_IP;
	if (!strcasecmp(s, "cos") || !strcasecmp(s, "cosine"))
		return VEXFS_SEARCH_METRIC_COS;
	if (!strcasecmp(s, "hamming"))
		return VEXFS_SEARCH_METRIC_HAMMING;
	vc_usage_err(cmd, "unknown metric '%s' (l2, ip, cos, hamming)", s);
}

const char *vc_comp_name(u32 c)
{
	static char buf[24];

	if (c <= VEXFS_COMP_MAX)
		return vc_comp_names[c];
	snprintf(buf, sizeof(buf), "unknown(%u)", c);
	return buf;
}

/* ---- small helpers --------------------------------------------------------- */

__attribute__((format(printf, 2, 3), noreturn))
void vc_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vx_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s%s--help' for more information.\n", vx_prog,
		cmd ? cmd : "", cmd ? " " : "");
	exit(VC_EXIT_USAGE);
}

void vc_json_str(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

u64 vc_parse_id(const char *cmd, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		vc_usage_err(cmd, "invalid vector id '%s'", s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		vc_usage_err(cmd, "invalid vector id '%s'", s);
	return v;
}

/*
 * What a failed vector or codebook ioctl means, for people. id: the vector
 * id (GET, DETACH), the codebook id (CB_GET; ATTACH: --codebook, 0 = the
 * newest of the vector's dimensions).
 */
const char *vc_ioctl_msg(int err, enum vc_op op, int fd, u64 id)
{
	static char buf[256];
	struct statfs sfs;
	bool write = op == VC_OP_ATTACH || op == VC_OP_DETACH;
	bool cb = op == VC_OP_CB_ADD || op == VC_OP_CB_GET;

	switch (err) {
	case ENOTTY:
		if (fstatfs(fd, &sfs) || sfs.f_type != VEXFS_SUPER_MAGIC)
			return op == VC_OP_STATS || cb ? "not a VexFS filesystem (ENOTTY)" :
			       "not a VexFS file (ENOTTY: it is not on a VexFS filesystem)";
		if (cb)
			return "this vexfs module has no PQ codebook calls (ENOTTY): module older "
			       "than vexctl?";
		return "this vexfs module does not know the call (ENOTTY): module older than "
		       "vexctl?";
	case EINVAL:
		if (op == VC_OP_ATTACH)
			return "the kernel rejected the vector (EINVAL: data type, dimensions, "
			       "size or metadata; sq8, sq4, f16, sparse and pq take f32 vectors "
			       "only, without NaN or infinity for sq and pq; a PQ codebook must "
			       "have the vector's dimensions)";
		if (op == VC_OP_CB_ADD)
			return "the kernel rejected the codebook (EINVAL: not a valid PQ codebook "
			       "blob, or more than 8192 dimensions)";
		return "invalid request (EINVAL)";
	case EOPNOTSUPP:
		if (op == VC_OP_CB_ADD)
			return "operation not supported (EOPNOTSUPP): the filesystem has no vector "
			       "store, or the blob's format version is unknown to this kernel";
		return "operation not supported (EOPNOTSUPP): the filesystem has no vector "
		       "store, or this kernel does not store that data type or compression";
	case EBADF:
		return write ? "file not open for writing (EBADF)" :
			       "file not open for reading (EBADF)";
	case EROFS:
		return "read-only filesystem (EROFS)";
	case ENOSPC:
		if (op == VC_OP_CB_ADD) {
			snprintf(buf, sizeof(buf), "no room for the codebook (ENOSPC): the "
						   "filesystem has the maximum %u codebooks, or no "
						   "run of contiguous free blocks that holds it",
				 VEXFS_CB_MAX);
			return buf;
		}
		snprintf(buf, sizeof(buf), "no space for the vector (ENOSPC): the filesystem is "
					   "full or the file has the maximum %u vectors",
			 VEXFS_VEC_MAX_PER_FILE);
		return buf;
	case EFBIG:
		if (op == VC_OP_CB_ADD)
			return "codebook too large for one journal transaction (EFBIG): train one "
			       "for fewer dimensions, or make the filesystem with a larger journal "
			       "(mkfs.vexfs -J)";
		break;
	case ENOENT:
		if (op == VC_OP_ATTACH && id)
			snprintf(buf, sizeof(buf), "no PQ codebook with id %llu (ENOENT): see "
						   "'vexctl codebooks'",
				 (unsigned long long)id);
		else if (op == VC_OP_ATTACH)
			snprintf(buf, sizeof(buf), "no PQ codebook for vectors of these dimensions "
						   "(ENOENT): install one with 'vexctl train'");
		else if (op == VC_OP_CB_GET)
			snprintf(buf, sizeof(buf), "no codebook with id %llu (ENOENT)",
				 (unsigned long long)id);
		else
			snprintf(buf, sizeof(buf), "no vector with id %llu on this file (ENOENT)",
				 (unsigned long long)id);
		return buf;
	case E2BIG:
		return "the kernel does not understand the request (E2BIG: ioctl structure size "
		       "mismatch between vexctl and vexfs.ko)";
	case EUCLEAN:
		if (cb)
			return "corrupt codebook (run fsck.vexfs)";
		return "corrupt vector record (run fsck.vexfs)";
	case EPERM:
		if (op == VC_OP_CB_ADD)
			return "operation not permitted (EPERM: installing a codebook needs "
			       "CAP_SYS_ADMIN)";
		return "operation not permitted (EPERM: immutable or append-only file)";
	case EIO:
		return "I/O error (EIO: the filesystem may have been shut down)";
	case EFAULT:
		return "bad address (EFAULT)";
	}
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	return buf;
}

/* Open the file a vector call applies to: a regular file. */
int vc_open_file(const char *path, bool rw)
{
	int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0 && errno == EISDIR)
		vx_die("%s: is a directory (vectors belong to regular files)", path);
	if (fd < 0)
		vx_die("cannot open %s%s: %s", path, rw ? " for writing" : "", strerror(errno));
	if (fstat(fd, &st))
		vx_die("cannot stat %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		vx_die("%s: is a directory (vectors belong to regular files)", path);
	if (!S_ISREG(st.st_mode))
		vx_die("%s: not a regular file (vectors belong to regular files)", path);
	return fd;
}

/* Open what a filesystem-wide call applies to: a regular file or a directory. */
int vc_open_fs(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		vx_die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st))
		vx_die("cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		vx_die("%s: not a regular file or directory", path);
	return fd;
}

/* ---- the command being run and its options --------------------------------- */

const struct vc_cmd *vc_cur_cmd;

void vc_cmd_help(const struct vc_cmd *c, int code)
{
	fprintf(code ? stderr : stdout, "Usage: %s %s", vx_prog, c->usage);
	exit(code);
}

/*
 * getopt_long over a command's arguments (argv[0] is the command). Returns
 * the option, -1 at the end; usage errors and --help do not return.
 */
int vc_getopt(int argc, char **argv, const char *shorts, const struct option *longs)
{
	int c = getopt_long(argc, argv, shorts, longs, NULL);

	if (c == 'h')
		vc_cmd_help(vc_cur_cmd, 0);
	if (c == '?') {
		if (optopt)
			vc_usage_err(vc_cur_cmd->name, "%s: unknown option '-%c'",
				     vc_cur_cmd->name, optopt);
		vc_usage_err(vc_cur_cmd->name, "%s: unknown option '%s'", vc_cur_cmd->name,
			     argv[optind - 1]);
	}
	if (c == ':')
		vc_usage_err(vc_cur_cmd->name, "%s: option '%s' needs an argument",
			     vc_cur_cmd->name, argv[optind - 1]);
	return c;
}

void vc_check_args(int have, int want_min, int want_max)
{
	if (have < want_min)
		vc_usage_err(vc_cur_cmd->name, "%s: missing argument", vc_cur_cmd->name);
	if (want_max >= 0 && have > want_max)
		vc_usage_err(vc_cur_cmd->name, "%s: too many arguments", vc_cur_cmd->name);
}

u32 vc_opt_dtype(const char *s)
{
	int dt = vc_dtype_parse(s);

	if (!dt)
		vc_usage_err(vc_cur_cmd->name, "unknown data type '%s' (f32, f16, i8, i16, bin)",
			     s);
	return (u32)dt;
}

int vc_opt_format(const char *s)
{
	int f = vc_format_parse(s);

	if (f < 0)
		vc_usage_err(vc_cur_cmd->name, "unknown format '%s' (npy, fvecs, text, json)", s);
	return f;
}

u32 vc_opt_comp(const char *s)
{
	u32 c;

	for (c = 0; c <= VEXFS_COMP_MAX; c++)
		if (!strcasecmp(s, vc_comp_names[c]))
			return c;
	vc_usage_err(vc_cur_cmd->name, "unknown compression '%s' (none, f16, sq8, sq4, pq, "
		     "sparse)", s);
}

/* A number option in [lo, hi]; name is the option as written, for messages. */
u64 vc_opt_num(const char *name, const char *s, u64 lo, u64 hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*s) || v < lo || v > hi)
		vc_usage_err(vc_cur_cmd->name, "invalid %s '%s' (%llu..%llu)", name, s,
			     (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

/*
 * Every vector id of the file open at fd, ascending (LIST, 1024 per call):
 * *idsp (malloc'd), *total the file's count as the first page said. Returns
 * the number of ids, or -errno of the failed call. A kernel that returns
 * more ids than asked for, or whose pages do not advance, is fatal (file,
 * if not NULL, prefixes the message).
 */
long vc_list_ids(int fd, const char *file, u64 **idsp, u64 *total)
{
	const char *pre = file ? file : "", *sep = file ? ": " : "";
	u64 *ids = NULL, start = 0;
	size_t n = 0, cap = 0;

	for (;;) {
		struct vexfs_ioc_list l;

		if (n + VC_LIST_PAGE > cap) {
			cap = cap ? 2 * cap : VC_LIST_PAGE;
			ids = realloc(ids, cap * sizeof(*ids));
			if (!ids)
				vx_die("out of memory");
		}
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.start_id = start;
		l.ids = (u64)(uintptr_t)(ids + n);
		l.capacity = VC_LIST_PAGE;
		if (ioctl(fd, VEXFS_IOC_VEC_LIST, &l)) {
			long err = -errno;

			free(ids);
			return err;
		}
		if (l.count > VC_LIST_PAGE)
			vx_die("%s%sthe kernel returned %u ids for room for %u", pre, sep, l.count,
			       VC_LIST_PAGE);
		n += l.count;
		if (!start && total)
			*total = l.total;
		if (!l.next_id)
			break;
		if (l.next_id <= start || (n && l.next_id <= ids[n - 1]))
			vx_die("%s%sthe kernel's list does not advance (next id %llu)", pre, sep,
			       (unsigned long long)l.next_id);
		start = l.next_id;
	}
	*idsp = ids;
	return (long)n;
}

/* ATTACH vector i of vs to the file open at fd: 0 and *id, or the errno. */
int vc_attach_one(int fd, const struct vc_vecs *vs, size_t i, u32 comp, u32 codebook,
		  const struct vexfs_vec_user_meta *meta, u64 *id)
{
	struct vexfs_ioc_attach a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.dtype = (u16)vs->dtype;
	a.compression = (u16)comp;
	a.dims = vs->d;
	a.data = (u64)(uintptr_t)vc_vec(vs, i);
	a.data_len = vs->vbytes;
	a.codebook = codebook;
	a.meta = *meta;
	if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a))
		return errno;
	*id = a.vector_id;
	return 0;
}

_Static_assert(VC_MODEL_LEN == sizeof(((struct vexfs_vec_user_meta *)0)->model),
	       "VC_MODEL_LEN is the ABI's model name size");

/* A --model NAME option: at most 16 bytes, stored NUL-padded in model. */
void vc_opt_model(const char *cmd, const char *s, u8 model[VC_MODEL_LEN])
{
	if (strlen(s) > VC_MODEL_LEN)
		vc_usage_err(cmd, "model name '%s' is longer than %d bytes", s, VC_MODEL_LEN);
	memset(model, 0, VC_MODEL_LEN);
	memcpy(model, s, strlen(s));
}

/* Compressed forms take f32 vectors only (the kernel says EINVAL otherwise). */
void vc_check_comp(const char *vpath, u32 comp, u32 dtype)
{
	if (comp != VEXFS_COMP_NONE && dtype != VEXFS_DT_F32)
		vx_die("%s: %s compression takes f32 vectors, these are %s (--dtype f32 "
		       "converts them)", vpath, vc_comp_name(comp), vc_dtype_name(dtype));
}
