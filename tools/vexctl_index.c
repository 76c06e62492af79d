// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_index.c - "vexctl index create|drop|stats": the filesystem's graph
 * ANN index (VEXFS_IOC_INDEX; Documentation/ann-index.rst).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_index_usage[] =
	"index create|drop|stats PATH [options]\n"
	"The graph ANN index of the VexFS filesystem holding PATH: one per filesystem, over\n"
	"its float32 vectors of one dimension count (and model), for one metric. 'search\n"
	"--approx' with that metric uses it. create and drop need CAP_SYS_ADMIN; create\n"
	"indexes every vector of the collection before it returns, and ATTACH / DETACH\n"
	"keep it up to date.\n"
	"  -d, --dims N             create: the collection's dimensions (required)\n"
	"  -m, --model NAME         create: only vectors of model NAME (default: any)\n"
	"      --metric M           create: l2 (default), ip or cos\n"
	"  -R, --degree R           create: neighbours per node, 4..64 (default 32)\n"
	"  -M N                     create: as HNSW's M: --degree 2N\n"
	"      --alpha A            create: pruning alpha, 1.00..2.00 (default 1.10)\n"
	"      --ef-construction N  create: candidates per insert, degree..1024 (default 200)\n"
	"      --range LO:HI        create: the values coded 0 and 255 (default: the\n"
	"                           smallest and largest value of the vectors)\n"
	"  -j, --json               one JSON object\n";

static u32 vi_f32_bits(float f)
{
	u32 b;

	memcpy(&b, &f, sizeof(b));
	return b;
}

static float vi_bits_f32(u32 b)
{
	float f;

	memcpy(&f, &b, sizeof(f));
	return f;
}

static const char *vi_state(u32 s)
{
	return s == VEXFS_INDEX_READY ? "ready" : s == VEXFS_INDEX_BUILDING ? "building" : "none";
}

static void vi_print(const char *path, const struct vexfs_ioc_index *a, bool json, bool created)
{
	char model[VC_MODEL_LEN + 1];

	memcpy(model, a->model, VC_MODEL_LEN);
	model[VC_MODEL_LEN] = 0;
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"state\": \"%s\"", vi_state(a->state));
		if (a->state != VEXFS_INDEX_NONE) {
			printf(", \"dims\": %u, \"metric\": \"%s\", \"model\": ", a->dims,
			       vc_metric_name(a->metric));
			vc_json_str(stdout, model, SIZE_MAX);
			printf(", \"degree\": %u, \"alpha\": %.2f, \"ef_construction\": %u, "
			       "\"lo\": %.9g, \"hi\": %.9g, \"node_size\": %u, \"nodes\": %llu, "
			       "\"live\": %llu, \"bytes\": %llu",
			       a->r, a->alpha / 100.0, a->ef_construction, vi_bits_f32(a->lo),
			       vi_bits_f32(a->hi), a->node_size, (unsigned long long)a->nodes,
			       (unsigned long long)a->live, (unsigned long long)a->bytes);
		}
		if (created)
			printf(", \"indexed\": %llu", (unsigned long long)a->indexed);
		printf("}\n");
		return;
	}
	printf("state:            %s\n", vi_state(a->state));
	if (a->state == VEXFS_INDEX_NONE)
		return;
	printf("dims:             %u\n", a->dims);
	printf("metric:           %s\n", vc_metric_name(a->metric));
	printf("model:            %s\n", model[0] ? model : "(any)");
	printf("degree:           %u\n", a->r);
	printf("alpha:            %.2f\n", a->alpha / 100.0);
	printf("ef construction:  %u\n", a->ef_construction);
	printf("code range:       %.9g .. %.9g\n", vi_bits_f32(a->lo), vi_bits_f32(a->hi));
	printf("node size:        %u bytes\n", a->node_size);
	printf("nodes:            %llu (%llu live)\n", (unsigned long long)a->nodes,
	       (unsigned long long)a->live);
	printf("bytes on disk:    %llu\n", (unsigned long long)a->bytes);
	if (created)
		printf("indexed now:      %llu\n", (unsigned long long)a->indexed);
}

static const char *vi_msg(int err, u32 op)
{
	switch (err) {
	case EEXIST:
		return "the filesystem has an index already (EEXIST): drop it first";
	case ENOENT:
		return "the filesystem has no index (ENOENT)";
	case ENODATA:
		return "no vector of the collection to take the code range from (ENODATA): give --range";
	case EPERM:
		return "creating or dropping the index needs CAP_SYS_ADMIN (EPERM)";
	case EINVAL:
		return op == VEXFS_INDEX_CREATE ?
		       "invalid parameters (EINVAL): dims 1..4096, degree 4..64, alpha 1.00..2.00, "
		       "ef-construction degree..1024, and a node (16 + 4 degree + dims bytes) must "
		       "fit a block" :
		       "invalid argument (EINVAL)";
	case EINTR:
		return "interrupted (EINTR): the index was dropped";
	}
	return strerror(err);
}

/* vexctl index create|drop|stats PATH [options] */
int vc_cmd_index(int argc, char **argv)
{
	enum { O_ALPHA = 256, O_EFC, O_RANGE, O_METRIC };
	static const struct option longs[] = {
		{ "dims", required_argument, NULL, 'd' },
		{ "model", required_argument, NULL, 'm' },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "degree", required_argument, NULL, 'R' },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "ef-construction", required_argument, NULL, O_EFC },
		{ "range", required_argument, NULL, O_RANGE },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_index a;
	const char *op, *path;
	bool json = false, create;
	char *end;
	double alpha;
	float lo, hi;
	int c, fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	while ((c = vc_getopt(argc, argv, ":d:m:R:M:jh", longs)) != -1) {
		switch (c) {
		case 'd':
			a.dims = (u32)vc_opt_num("dims", optarg, 1, 4096);
			break;
		case 'm':
			vc_opt_model("index", optarg, a.model);
			break;
		case O_METRIC:
			a.metric = (u16)vc_metric_parse("index", optarg);
			if (a.metric == VEXFS_SEARCH_METRIC_HAMMING)
				vc_usage_err("index", "index: no ANN index for hamming (binary vectors)");
			break;
		case 'R':
			a.r = (u16)vc_opt_num("degree", optarg, 4, 64);
			break;
		case 'M':
			a.r = (u16)(2 * vc_opt_num("M", optarg, 2, 32));
			break;
		case O_ALPHA:
			alpha = strtod(optarg, &end);
			if (*end || !(alpha >= 1.0 && alpha <= 2.0))
				vc_usage_err("index", "index: --alpha: 1.00..2.00, not '%s'", optarg);
			a.alpha = (u16)lround(alpha * 100);
			break;
		case O_EFC:
			a.ef_construction = (u16)vc_opt_num("ef-construction", optarg, 1, 1024);
			break;
		case O_RANGE:
			if (sscanf(optarg, "%f:%f", &lo, &hi) != 2 || !isfinite(lo) || !isfinite(hi) ||
			    !(hi > lo))
				vc_usage_err("index", "index: --range LO:HI with LO < HI, not '%s'",
					     optarg);
			a.flags |= VEXFS_INDEX_RANGE;
			a.lo = vi_f32_bits(lo);
			a.hi = vi_f32_bits(hi);
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 2, 2);
	op = argv[optind];
	path = argv[optind + 1];
	create = !strcmp(op, "create");
	if (create)
		a.op = VEXFS_INDEX_CREATE;
	else if (!strcmp(op, "drop"))
		a.op = VEXFS_INDEX_DROP;
	else if (!strcmp(op, "stats"))
		a.op = VEXFS_INDEX_STATS;
	else
		vc_usage_err("index", "index: create, drop or stats, not '%s'", op);
	if (create && !a.dims)
		vc_usage_err("index", "index create: --dims is required");
	if (!create && (a.dims || a.r || a.alpha || a.ef_construction || a.flags ||
			a.model[0] || a.metric))
		vc_usage_err("index", "index %s: the options are for create", op);
	fd = vc_open_fs(path);
	if (ioctl(fd, VEXFS_IOC_INDEX, &a))
		vx_die("%s: index %s: %s", path, op,
		       errno == ENOTTY ? vc_ioctl_msg(errno, VC_OP_STATS, fd, 0) : vi_msg(errno, a.op));
	close(fd);
	if (a.op == VEXFS_INDEX_DROP) {
		if (json)
			printf("{\"path\": \"%s\", \"dropped\": true}\n", path);
		return 0;
	}
	vi_print(path, &a, json, create);
	return 0;
}
