/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexctl.h - what the files of vexctl share: the command table's entry type
 * and each command's run function and usage (vexctl.c dispatches to them);
 * option parsing, usage errors, ioctl error messages and opening files
 * (vexctl_common.c); codebook fetching (vexctl_codebook.c). Vector files
 * are read and written by tools/lib/vecio.c (vecio.h).
 */
#ifndef _VEXFS_TOOLS_VEXCTL_H
#define _VEXFS_TOOLS_VEXCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <getopt.h>
#include "vexfs/compat.h"
#include "vexfs/vexfs_ioctl.h"
#include "vecio.h"

#define VC_EXIT_USAGE	2

enum vc_op {
	VC_OP_ATTACH, VC_OP_GET, VC_OP_LIST, VC_OP_DETACH, VC_OP_STATS,
	VC_OP_CB_ADD, VC_OP_CB_GET,
};

struct vc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

/* vexctl_common.c */
extern const struct vc_cmd *vc_cur_cmd;
extern const char * const vc_comp_names[];

const char *vc_comp_name(u32 c);
/* VEXFS_SEARCH_METRIC_* by name (l2, ip, cos, hamming; also euclidean, dot, cosine) and back */
const char *vc_metric_name(u32 metric);
int vc_metric_parse(const char *cmd, const char *s);
void vc_json_str(FILE *f, const char *s, size_t max);
__attribute__((format(printf, 2, 3), noreturn))
void vc_usage_err(const char *cmd, const char *fmt, ...);
/* A command's usage on stdout (code 0) or stderr, then exit(code). */
__attribute__((noreturn))
void vc_cmd_help(const struct vc_cmd *c, int code);
u64 vc_parse_id(const char *cmd, const char *s);
const char *vc_ioctl_msg(int err, enum vc_op op, int fd, u64 id);
/* Open a regular file (vector calls) or a file or directory (filesystem-wide calls). */
int vc_open_file(const char *path, bool rw);
int vc_open_fs(const char *path);
#define VC_LIST_PAGE	1024	/* ids per LIST call */
long vc_list_ids(int fd, const char *file, u64 **idsp, u64 *total);
int vc_attach_one(int fd, const struct vc_vecs *vs, size_t i, u32 comp, u32 codebook,
		  const struct vexfs_vec_user_meta *meta, u64 *id);
int vc_getopt(int argc, char **argv, const char *shorts, const struct option *longs);
void vc_check_args(int have, int want_min, int want_max);
u32 vc_opt_dtype(const char *s);
int vc_opt_format(const char *s);
u32 vc_opt_comp(const char *s);
#define VC_MODEL_LEN	16	/* sizeof(struct vexfs_vec_user_meta.model) */
void vc_opt_model(const char *cmd, const char *s, u8 model[VC_MODEL_LEN]);
void vc_check_comp(const char *vpath, u32 comp, u32 dtype);
u64 vc_opt_num(const char *name, const char *s, u64 lo, u64 hi);

/* vexctl_codebook.c */
/* CODEBOOK_GET of codebook @id (0: the count only), the blob too with @blob. */
void vc_cb_get(int fd, const char *path, u32 id, struct vexfs_ioc_codebook_get *g, u8 **blob);
/* The subcommand of "codebook" named @sub (add, get, list, show), or NULL. */
const struct vc_cmd *vc_cb_find(const char *sub);

/* The commands, vexctl_COMMAND.c: vc_cmd_NAME runs "vexctl NAME", vc_NAME_usage is its help. */
int vc_cmd_attach(int argc, char **argv);	/* vexctl_attach.c */
int vc_cmd_parse(int argc, char **argv);
int vc_cmd_get(int argc, char **argv);		/* vexctl_get.c */
int vc_cmd_list(int argc, char **argv);		/* vexctl_list.c */
int vc_cmd_detach(int argc, char **argv);	/* vexctl_detach.c */
int vc_cmd_stats(int argc, char **argv);	/* vexctl_stats.c */
int vc_cmd_search(int argc, char **argv);	/* vexctl_search.c */
int vc_cmd_import(int argc, char **argv);	/* vexctl_import.c */
int vc_cmd_export(int argc, char **argv);	/* vexctl_export.c */
int vc_cmd_train(int argc, char **argv);	/* vexctl_codebook.c */
int vc_cmd_codebooks(int argc, char **argv);
int vc_cmd_codebook(int argc, char **argv);
int vc_cmd_index(int argc, char **argv);		/* vexctl_index.c */
extern const char vc_attach_usage[], vc_parse_usage[], vc_get_usage[], vc_list_usage[],
	vc_detach_usage[], vc_stats_usage[], vc_search_usage[], vc_train_usage[],
	vc_codebooks_usage[], vc_codebook_usage[], vc_import_usage[], vc_export_usage[],
	vc_index_usage[];

#endif
