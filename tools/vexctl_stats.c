// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_stats.c - "vexctl stats": the vector store of a VexFS filesystem
 * (VEXFS_IOC_VEC_STATS): counts, and bytes live against allocated.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_stats_usage[] =
	"stats PATH [--json]\n"
	"Show the vector store of the VexFS filesystem holding PATH (a file or directory).\n"
	"  -j, --json               one JSON object\n";

/* vexctl stats PATH [--json] */
int vc_cmd_stats(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_stats s;
	bool json = false;
	const char *path;
	char ratio[32];
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	fd = vc_open_fs(path);
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	if (ioctl(fd, VEXFS_IOC_VEC_STATS, &s))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_STATS, fd, 0));
	close(fd);
	if (s.live_bytes)
		snprintf(ratio, sizeof(ratio), "%.3f",
			 (double)s.alloc_bytes / (double)s.live_bytes);
	else
		snprintf(ratio, sizeof(ratio), json ? "null" : "-");
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"vectors\": %llu, \"files\": %llu, \"live_bytes\": %llu, "
		       "\"alloc_bytes\": %llu, \"chunks\": %llu, \"next_id\": %llu, "
		       "\"max_dims\": %u, \"max_data\": %u, \"block_size\": %u, \"ratio\": %s}\n",
		       (unsigned long long)s.vectors, (unsigned long long)s.files,
		       (unsigned long long)s.live_bytes, (unsigned long long)s.alloc_bytes,
		       (unsigned long long)s.chunks, (unsigned long long)s.next_id,
		       s.max_dims, s.max_data, s.block_size, ratio);
		return 0;
	}
	printf("vectors:          %llu\n", (unsigned long long)s.vectors);
	printf("files:            %llu\n", (unsigned long long)s.files);
	printf("live bytes:       %llu\n", (unsigned long long)s.live_bytes);
	printf("allocated bytes:  %llu\n", (unsigned long long)s.alloc_bytes);
	printf("chunks:           %llu\n", (unsigned long long)s.chunks);
	printf("next id:          %llu\n", (unsigned long long)s.next_id);
	printf("max dims:         %u\n", s.max_dims);
	printf("max data:         %u bytes\n", s.max_data);
	printf("block size:       %u\n", s.block_size);
	printf("allocated/live:   %s\n", ratio);
	return 0;
}
