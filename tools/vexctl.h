/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexctl.h - what vexctl.c shares with the commands kept in their own files
 * (vexctl_search.c): vector loading, option parsing, ioctl error messages,
 * codebook fetching and the command table's entry type.
 */
#ifndef _VEXFS_TOOLS_VEXCTL_H
#define _VEXFS_TOOLS_VEXCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <getopt.h>
#include "vexfs/compat.h"
#include "vexfs/vexfs_ioctl.h"

#define VC_EXIT_USAGE	2

enum vc_format {
	VC_FMT_AUTO = 0,
	VC_FMT_NPY,
	VC_FMT_FVECS,
	VC_FMT_TEXT,
	VC_FMT_JSON,
};

/* A set of parsed vectors. */
struct vc_vecs {
	size_t n;		/* vectors */
	u32 d;			/* dimensions of each (0 until known) */
	u32 dtype;		/* VEXFS_DT_* */
	u32 vbytes;		/* bytes of one vector */
	u8 *data;		/* n * vbytes */
	size_t cap;		/* vectors allocated */
	char err[384];		/* why parsing failed */
};

enum vc_op {
	VC_OP_ATTACH, VC_OP_GET, VC_OP_LIST, VC_OP_DETACH, VC_OP_STATS,
	VC_OP_CB_ADD, VC_OP_CB_GET,
};

struct vc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

extern const struct vc_cmd *vc_cur_cmd;
extern const char * const vc_comp_names[];

const char *vc_dtype_name(u32 dt);
const char *vc_comp_name(u32 c);
void vc_vecs_free(struct vc_vecs *vs);
/* Read and parse a vector file (dies on errors); returns the format. */
int vc_load(const char *path, int fmt, u32 want, struct vc_vecs *vs);
void vc_json_str(FILE *f, const char *s, size_t max);
__attribute__((format(printf, 2, 3), noreturn))
void vc_usage_err(const char *cmd, const char *fmt, ...);
u64 vc_parse_id(const char *cmd, const char *s);
const char *vc_ioctl_msg(int err, enum vc_op op, int fd, u64 id);
int vc_open_file(const char *path, bool rw);
int vc_getopt(int argc, char **argv, const char *shorts, const struct option *longs);
void vc_check_args(int have, int want_min, int want_max);
u32 vc_opt_dtype(const char *s);
int vc_opt_format(const char *s);
u32 vc_opt_comp(const char *s);
u64 vc_opt_num(const char *name, const char *s, u64 lo, u64 hi);
/* CODEBOOK_GET of codebook @id (0: the count only), the blob too with @blob. */
void vc_cb_get(int fd, const char *path, u32 id, struct vexfs_ioc_codebook_get *g, u8 **blob);

/* vexctl_search.c */
int vc_cmd_search(int argc, char **argv);
extern const char vc_search_usage[];

#endif
