// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_list.c - "vexctl list": the ids of a file's vectors, read page by
 * page with VEXFS_IOC_VEC_LIST.
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
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_list_usage[] =
	"list FILE [--json]\n"
	"Print the ids of FILE's vectors, one per line.\n"
	"  -j, --json               print {\"file\": ..., \"total\": N, \"ids\": [...]}\n";

/* vexctl list FILE [--json] */
int vc_cmd_list(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	u64 *ids = NULL, total = 0;
	size_t n, i;
	long nl;
	bool json = false;
	const char *file;
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	file = argv[optind];
	fd = vc_open_file(file, false);
	nl = vc_list_ids(fd, file, &ids, &total);
	if (nl < 0)
		vx_die("%s: %s", file, vc_ioctl_msg((int)-nl, VC_OP_LIST, fd, 0));
	n = (size_t)nl;
	close(fd);
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"total\": %llu, \"ids\": [", (unsigned long long)total);
		for (i = 0; i < n; i++)
			printf("%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
		printf("]}\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%llu\n", (unsigned long long)ids[i]);
	}
	free(ids);
	return 0;
}
