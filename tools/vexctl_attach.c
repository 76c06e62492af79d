// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_attach.c - "vexctl attach": attach the vectors of a vector file
 * (read by vecio.c) to a file, one VEXFS_IOC_VEC_ATTACH each, and print their
 * ids; "vexctl parse": its dry run, the vectors parsed and printed without a
 * filesystem.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "util.h"
#include "vexctl.h"

const char vc_attach_usage[] =
	"attach FILE --vector PATH [options]\n"
	"Attach the vector(s) in PATH to FILE (one ATTACH each) and print the new ids.\n"
	"  -v, --vector PATH        vectors to attach ('-': standard input)\n"
	"  -f, --format FMT         npy, fvecs, text or json (default: from PATH's\n"
	"                           extension .npy .fvecs .txt .csv .json, or its content)\n"
	"  -t, --dtype TYPE         store as f32, f16, i8, i16 or bin (default: the\n"
	"                           array's type; f32 for fvecs, text and JSON)\n"
	"  -m, --model NAME         model name (up to 16 bytes)\n"
	"      --model-version N    model version (0..4294967295)\n"
	"  -c, --confidence X       confidence from 0 to 1 (stored in millionths)\n"
	"  -z, --compress C         store compressed: none (default), f16, sq8, sq4,\n"
	"                           sparse or pq (all but none take f32 vectors)\n"
	"      --codebook ID        with --compress pq: the codebook (default: the newest\n"
	"                           one of the vectors' dimensions; see 'vexctl codebooks')\n"
	"  -j, --json               print {\"file\": ..., \"ids\": [...]}\n"
	"Inputs: .npy 1-D (d,) is one vector, 2-D (n, d) n vectors (<f4 <f2 |i1 <i2 |b1;\n"
	"<f8 with --dtype; |u1 as packed bits with --dtype bin); .fvecs: le32 d, d float32,\n"
	"repeated; text: one vector per line, numbers separated by blanks or commas;\n"
	"JSON: [x, ...] or [[x, ...], ...]. Limits: 1..65536 dimensions, 32768 bytes each.\n";

const char vc_parse_usage[] =
	"parse PATH [--format FMT] [--dtype TYPE] [--json]\n"
	"Dry run: parse and print what would be attached, without a filesystem\n"
	"(n, d, dtype and the values).\n"
	"  -f, --format FMT         as for attach\n"
	"  -t, --dtype TYPE         as for attach\n"
	"  -j, --json               one JSON object\n";

/* vexctl parse PATH [--format F] [--dtype T] [--json] */
int vc_cmd_parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, fmt = VC_FMT_AUTO;
	bool json = false;
	struct vc_vecs vs;
	u32 want = 0;
	size_t i;

	while ((c = vc_getopt(argc, argv, ":f:t:jh", longs)) != -1) {
		if (c == 'f')
			fmt = vc_opt_format(optarg);
		else if (c == 't')
			want = vc_opt_dtype(optarg);
		else if (c == 'j')
			json = true;
	}
	vc_check_args(argc - optind, 1, 1);
	fmt = vc_load(argv[optind], fmt, want, &vs);
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, argv[optind], SIZE_MAX);
		printf(", \"format\": \"%s\", \"n\": %zu, \"d\": %u, \"dtype\": \"%s\", "
		       "\"bytes_per_vector\": %u, \"vectors\": [",
		       vc_format_name(fmt), vs.n, vs.d, vc_dtype_name(vs.dtype), vs.vbytes);
		for (i = 0; i < vs.n; i++) {
			if (i)
				printf(", ");
			vc_print_values(stdout, &vs, i, true);
		}
		printf("]}\n");
	} else {
		printf("format: %s\nn: %zu\nd: %u\ndtype: %s\nbytes per vector: %u\n",
		       vc_format_name(fmt), vs.n, vs.d, vc_dtype_name(vs.dtype), vs.vbytes);
		for (i = 0; i < vs.n; i++) {
			printf("vector %zu: ", i);
			vc_print_values(stdout, &vs, i, false);
			putchar('\n');
		}
	}
	vc_vecs_free(&vs);
	return 0;
}

/* vexctl attach FILE --vector PATH [...] */
int vc_cmd_attach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ "model-version", required_argument, NULL, 'M' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "compress", required_argument, NULL, 'z' },
		{ "codebook", required_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_vec_user_meta meta;
	const char *vpath = NULL, *file;
	int c, fd, fmt = VC_FMT_AUTO, ret = 0;
	bool json = false;
	struct vc_vecs vs;
	u64 *ids;
	u32 want = 0, comp = VEXFS_COMP_NONE, codebook = 0;
	size_t i, done = 0;

	memset(&meta, 0, sizeof(meta));
	while ((c = vc_getopt(argc, argv, ":v:f:t:m:M:c:z:jh", longs)) != -1) {
		char *end;

		switch (c) {
		case 'v':
			vpath = optarg;
			break;
		case 'f':
			fmt = vc_opt_format(optarg);
			break;
		case 't':
			want = vc_opt_dtype(optarg);
			break;
		case 'm':
			vc_opt_model("attach", optarg, meta.model);
			break;
		case 'M': {
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !isdigit((unsigned char)*optarg) || v > 0xffffffffULL)
				vc_usage_err("attach", "invalid model version '%s' (0..4294967295)",
					     optarg);
			meta.model_version = (u32)v;
			break;
		}
		case 'c': {
			double x;

			errno = 0;
			x = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(x >= 0 && x <= 1))
				vc_usage_err("attach",
					     "invalid confidence '%s' (a number from 0 to 1)",
					     optarg);
			meta.confidence = (u32)llround(x * VEXFS_VEC_CONFIDENCE_MAX);
			break;
		}
		case 'z':
			comp = vc_opt_comp(optarg);
			break;
		case 'K':
			codebook = (u32)vc_opt_num("codebook id", optarg, 1, VEXFS_CB_MAX);
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	if (!vpath)
		vc_usage_err("attach", "attach: --vector PATH is required");
	if (codebook && comp != VEXFS_COMP_PQ)
		vc_usage_err("attach", "attach: --codebook needs --compress pq");
	file = argv[optind];

	vc_load(vpath, fmt, want, &vs);
	if (vs.n > VEXFS_VEC_MAX_PER_FILE)
		vx_die("%s: %zu vectors: a file holds at most %u", vpath, vs.n,
		       VEXFS_VEC_MAX_PER_FILE);
	vc_check_comp(vpath, comp, vs.dtype);
	fd = vc_open_file(file, true);
	ids = vx_zalloc(vs.n * sizeof(*ids));
	for (i = 0; i < vs.n; i++) {
		u64 id;
		int err = vc_attach_one(fd, &vs, i, comp, codebook, &meta, &id);

		if (err) {

			if (vs.n > 1 && (i || err == EINVAL))
				fprintf(stderr, "%s: %s: vector %zu of %zu from %s: %s\n", vx_prog,
					file, i, vs.n, vpath,
					vc_ioctl_msg(err, VC_OP_ATTACH, fd, codebook));
			else
				fprintf(stderr, "%s: %s: %s\n", vx_prog, file,
					vc_ioctl_msg(err, VC_OP_ATTACH, fd, codebook));
			if (done)
				fprintf(stderr, "%s: %s: %zu vector%s attached before the error\n",
					vx_prog, file, done, done == 1 ? " was" : "s were");
			ret = 1;
			break;
		}
		ids[done++] = id;
		if (!json) {
			printf("%llu\n", (unsigned long long)id);
			fflush(stdout);
		}
	}
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"ids\": [");
		for (i = 0; i < done; i++)
			printf("%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
		printf("]}\n");
	}
	free(ids);
	close(fd);
	vc_vecs_free(&vs);
	return ret;
}
