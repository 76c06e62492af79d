// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_detach.c - "vexctl detach": remove vectors from a file, one
 * VEXFS_IOC_VEC_DETACH each.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_detach_usage[] =
	"detach FILE ID...\n"
	"Remove vectors from FILE.\n";

/* vexctl detach FILE ID... */
int vc_cmd_detach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file;
	int i, fd, ret = 0;
	u64 *ids;

	while (vc_getopt(argc, argv, ":h", longs) != -1)
		;
	vc_check_args(argc - optind, 2, -1);
	file = argv[optind];
	ids = vx_zalloc((size_t)argc * sizeof(*ids));
	for (i = optind + 1; i < argc; i++)
		ids[i] = vc_parse_id("detach", argv[i]);
	fd = vc_open_file(file, true);
	for (i = optind + 1; i < argc; i++) {
		struct vexfs_ioc_detach d;

		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.vector_id = ids[i];
		if (ioctl(fd, VEXFS_IOC_VEC_DETACH, &d)) {
			int err = errno;

			fprintf(stderr, "%s: %s: vector %llu: %s\n", vx_prog, file,
				(unsigned long long)ids[i],
				vc_ioctl_msg(err, VC_OP_DETACH, fd, ids[i]));
			ret = 1;
			if (err == ENOTTY || err == EROFS || err == EOPNOTSUPP || err == EIO)
				break;	/* the others would fail the same way */
		}
	}
	close(fd);
	free(ids);
	return ret;
}
