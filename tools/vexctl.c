// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl - attach, show, list and detach the vectors of files on a VexFS
 * filesystem, through the VEXFS_IOC_VEC_* ioctls of vexfs_ioctl.h; search
 * them (VEXFS_IOC_SEARCH); train PQ codebooks (vq_pq_train of the shared
 * core, in userspace) and install, list and fetch them
 * (VEXFS_IOC_CODEBOOK_ADD / _GET).
 *
 * This file is the dispatcher: the command table, the help and the version.
 * Each command has a file of its own, vexctl_COMMAND.c (attach and its dry
 * run parse, get, list, detach, stats, search, import, export; codebook:
 * train, codebooks and codebook ...); what they share is in vexctl_common.c (vexctl.h), the
 * vector file readers and writers in tools/lib/vecio.c (vecio.h).
 *
 * Exit status: 0 success, 1 error, 2 usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vexctl.h"

static const struct vc_cmd vc_cmds[] = {
	{ "attach", vc_cmd_attach, vc_attach_usage },
	{ "get", vc_cmd_get, vc_get_usage },
	{ "list", vc_cmd_list, vc_list_usage },
	{ "detach", vc_cmd_detach, vc_detach_usage },
	{ "stats", vc_cmd_stats, vc_stats_usage },
	{ "parse", vc_cmd_parse, vc_parse_usage },
	{ "train", vc_cmd_train, vc_train_usage },
	{ "search", vc_cmd_search, vc_search_usage },
	{ "import", vc_cmd_import, vc_import_usage },
	{ "export", vc_cmd_export, vc_export_usage },
	{ "codebooks", vc_cmd_codebooks, vc_codebooks_usage },
	{ "codebook", vc_cmd_codebook, vc_codebook_usage },
	{ "index", vc_cmd_index, vc_index_usage },
};

__attribute__((noreturn))
static void vc_help(int code)
{
	FILE *f = code ? stderr : stdout;

	fprintf(f,
		"Usage: vexctl COMMAND [ARGS] [OPTIONS]\n"
		"Manage the vectors attached to files of a VexFS filesystem and its PQ codebooks.\n"
		"\n"
		"Commands:\n"
		"  attach FILE --vector PATH   attach the vector(s) in PATH to FILE and print\n"
		"                              their ids\n"
		"  get FILE ID                 show a vector's header and values\n"
		"  list FILE                   ids of FILE's vectors\n"
		"  detach FILE ID...           remove vectors from FILE\n"
		"  stats PATH                  the filesystem's vector store\n"
		"  parse PATH                  dry run: parse and print what would be attached,\n"
		"                              without a filesystem\n"
		"  train FS-PATH --vectors F   train a PQ codebook on F and install it\n"
		"  search PATH --vector Q      exact k nearest neighbours of Q among the stored\n"
		"                              vectors (of a file, or the whole filesystem);\n"
		"                              --approx: from the ANN index\n"
		"  import DIR --vectors F --paths P\n"
		"                              attach row i of F to DIR/(line i of P)\n"
		"  export DIR --out F --paths P\n"
		"                              every vector under DIR as rows of F, paths in P\n"
		"  codebooks FS-PATH           the filesystem's PQ codebooks\n"
		"  codebook add|get|list|show  install, fetch, list a codebook; check a blob\n"
		"  index create|drop|stats PATH\n"
		"                              the filesystem's graph ANN index\n"
		"\n"
		"  -h, --help                  this help ('vexctl COMMAND --help': a command's)\n"
		"  -V, --version               print the version\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
	exit(code);
}

int main(int argc, char **argv)
{
	const char *name;
	size_t i;

	vx_prog = "vexctl";
	vq_select_impl(vq_cpu_features());
	if (argc < 2)
		vc_help(VC_EXIT_USAGE);
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		vc_help(0);
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("vexctl (VexFS format %d)\n", VEXFS_FORMAT_VERSION);
		return 0;
	}
	if (!strcmp(name, "help")) {
		const struct vc_cmd *sub;

		if (argc < 3)
			vc_help(0);
		name = argv[2];
		sub = argc > 3 && !strcmp(name, "codebook") ? vc_cb_find(argv[3]) : NULL;
		if (sub)
			vc_cmd_help(sub, 0);
		for (i = 0; i < ARRAY_SIZE(vc_cmds); i++)
			if (!strcmp(name, vc_cmds[i].name))
				vc_cmd_help(&vc_cmds[i], 0);
		vc_usage_err(NULL, "unknown command '%s'", name);
	}
	for (i = 0; i < ARRAY_SIZE(vc_cmds); i++) {
		if (strcmp(name, vc_cmds[i].name))
			continue;
		vc_cur_cmd = &vc_cmds[i];
		optind = 1;
		return vc_cmds[i].run(argc - 1, argv + 1);
	}
	if (name[0] == '-')
		vc_usage_err(NULL, "unknown option '%s'", name);
	vc_usage_err(NULL, "unknown command '%s'", name);
}
