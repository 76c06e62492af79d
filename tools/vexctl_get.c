// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl_get.c - "vexctl get": one vector of a file (VEXFS_IOC_VEC_GET), its
 * header and its values, printed or written to a vector file (vecio.c);
 * stored forms the kernel did not decode are decoded here where they can be
 * (f16, sparse); with --raw, a PQ vector's codebook and codes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vexctl.h"

const char vc_get_usage[] =
	"get FILE ID [--json] [--out PATH] [--raw]\n"
	"Show vector ID of FILE: its header and its values (compressed vectors decoded by\n"
	"the kernel; PQ vectors as their centroids).\n"
	"  -j, --json               one JSON object\n"
	"  -o, --out PATH           write the vector to PATH (.npy, .fvecs, .txt or .json)\n"
	"                           instead of printing its values\n"
	"  -r, --raw                the stored form (GET_RAW): for PQ the codebook id, its\n"
	"                           blob CRC and the m codes\n";

static void vc_iso8601(u64 ns, char *out, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&s, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%09lluZ", (unsigned long long)(ns % 1000000000ULL));
}

/*
 * The values of a vector as GET returned them. GET without
 * VEXFS_VEC_GET_RAW decodes compressed vectors to dims x dtype; data still
 * in its stored form (a module that does not decode) is decoded here for
 * f16 and sparse compression. Returns 1 if it cannot be (SQ; PQ codes,
 * which need their codebook, are shown by the caller).
 */
static int vc_decode(const struct vexfs_vec_info *in, const u8 *data, u32 len,
		     struct vc_vecs *vs, const char *file)
{
	u32 j;

	memset(vs, 0, sizeof(*vs));
	if (in->dims == 0 || in->dims > VEXFS_VEC_MAX_DIMS || !vc_dtype_ok(in->dtype))
		vx_die("%s: vector %llu: the kernel reported %u dimensions of data type %u",
		       file, (unsigned long long)in->vector_id, in->dims, in->dtype);
	vs->d = in->dims;
	vs->n = 1;
	if (in->compression == VEXFS_COMP_NONE ||
	    len == vc_vec_bytes(in->dtype, in->dims)) {
		vs->dtype = in->dtype;
		vs->vbytes = vc_vec_bytes(in->dtype, in->dims);
		if (len != vs->vbytes)
			vx_die("%s: vector %llu: %u bytes of data for %u dimensions of %s "
			       "(expected %u)",
			       file, (unsigned long long)in->vector_id, len, in->dims,
			       vc_dtype_name(in->dtype), vs->vbytes);
		vs->data = vx_zalloc(len);
		memcpy(vs->data, data, len);
		return 0;
	}
	if (in->compression != VEXFS_COMP_F16 && in->compression != VEXFS_COMP_SPARSE)
		return 1;
	vs->dtype = VEXFS_DT_F32;
	vs->vbytes = 4 * in->dims;
	vs->data = vx_zalloc(vs->vbytes);
	if (in->compression == VEXFS_COMP_F16) {
		if (len != 2 * in->dims)
			vx_die("%s: vector %llu: %u bytes of f16-compressed data for %u dimensions",
			       file, (unsigned long long)in->vector_id, len, in->dims);
		for (j = 0; j < in->dims; j++)
			vq_put_le32(vs->data + 4 * j, vq_f16_to_f32_bits(vc_get16(data + 2 * j)));
	} else {
		int nnz = vq_sparse_validate(data, len, in->dims);

		if (nnz < 0)
			vx_die("%s: vector %llu: invalid sparse data", file,
			       (unsigned long long)in->vector_id);
		for (j = 0; j < (u32)nnz; j++)
			vq_put_le32(vs->data + 4 * vq_get_le32(data + 4 + 4 * j),
				    vq_get_le32(data + 4 + 4 * (u32)nnz + 4 * j));
	}
	return 0;
}

/* The codes of a PQ stored form (GET_RAW): "c0 c1 ..." or a JSON array. */
static void vc_print_codes(FILE *f, const u8 *codes, u32 m, bool json)
{
	u32 j;

	if (json)
		fputc('[', f);
	for (j = 0; j < m; j++)
		fprintf(f, "%s%u", j ? (json ? ", " : " ") : "", codes[j]);
	if (json)
		fputc(']', f);
}

/* vexctl get FILE ID [--json] [--out PATH] [--raw] */
int vc_cmd_get(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file, *out = NULL;
	struct vexfs_ioc_get g;
	struct vexfs_vec_info *in = &g.info;
	char created[48], modified[48], model[sizeof(in->meta.model) + 1];
	struct vc_vecs vs;
	bool json = false, raw = false, pq;
	u32 cap = VEXFS_VEC_MAX_DATA;
	int c, fd, tries, undecoded;
	u8 *buf;
	u64 id;

	while ((c = vc_getopt(argc, argv, ":jo:rh", longs)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'o')
			out = optarg;
		else if (c == 'r')
			raw = true;
	}
	vc_check_args(argc - optind, 2, 2);
	file = argv[optind];
	id = vc_parse_id("get", argv[optind + 1]);
	fd = vc_open_file(file, false);
	buf = vx_zalloc(cap);
	for (tries = 0;; tries++) {
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.flags = raw ? VEXFS_VEC_GET_RAW : 0;
		g.vector_id = id;
		g.data = (u64)(uintptr_t)buf;
		g.data_len = cap;
		if (!ioctl(fd, VEXFS_IOC_VEC_GET, &g))
			break;
		if (errno == ERANGE && tries < 4 && g.data_len > cap) {
			cap = g.data_len;	/* it grew: ask again with room for it */
			free(buf);
			buf = vx_zalloc(cap);
			continue;
		}
		vx_die("%s: vector %llu: %s", file, (unsigned long long)id,
		       vc_ioctl_msg(errno, VC_OP_GET, fd, id));
	}
	close(fd);
	if (g.data_len > cap)
		vx_die("%s: vector %llu: the kernel reported %u bytes of data for a %u-byte buffer",
		       file, (unsigned long long)id, g.data_len, cap);
	/* raw PQ: struct vexfs_pq_ref then m codes; decoding needs the codebook */
	pq = raw && in->compression == VEXFS_COMP_PQ;
	if (pq && g.data_len <= sizeof(struct vexfs_pq_ref))
		vx_die("%s: vector %llu: %u bytes of PQ data (at least %zu expected)", file,
		       (unsigned long long)id, g.data_len, sizeof(struct vexfs_pq_ref) + 1);
	undecoded = pq ? 1 : vc_decode(in, buf, g.data_len, &vs, file);
	if (out && undecoded)
		vx_die("%s: vector %llu is stored %s-compressed and cannot be decoded here%s",
		       file, (unsigned long long)id, vc_comp_name(in->compression),
		       raw ? " (without --raw the kernel decodes it)" : "");
	if (out)
		vc_write_out(out, &vs);

	vc_iso8601(in->created_ns, created, sizeof(created));
	vc_iso8601(in->modified_ns, modified, sizeof(modified));
	memcpy(model, in->meta.model, sizeof(in->meta.model));
	model[sizeof(in->meta.model)] = 0;
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"id\": %llu, \"inode\": %llu, \"dtype\": \"%s\", \"compression\": "
		       "\"%s\", \"dims\": %u, \"original_size\": %u, \"stored_size\": %u, ",
		       (unsigned long long)in->vector_id, (unsigned long long)in->file_inode,
		       vc_dtype_name(in->dtype), vc_comp_name(in->compression), in->dims,
		       in->original_size, in->stored_size);
		printf("\"created\": \"%s\", \"created_ns\": %llu, \"modified\": \"%s\", "
		       "\"modified_ns\": %llu, \"checksum\": \"0x%08x\", \"flags\": %u, "
		       "\"model\": ",
		       created, (unsigned long long)in->created_ns, modified,
		       (unsigned long long)in->modified_ns, in->checksum, in->flags);
		vc_json_str(stdout, model, sizeof(in->meta.model));
		printf(", \"model_version\": %u, \"confidence\": %.6f",
		       in->meta.model_version, in->meta.confidence / 1e6);
		if (pq) {
			printf(", \"codebook\": %u, \"blob_crc\": \"0x%08x\", \"codes\": ",
			       vq_get_le32(buf), vq_get_le32(buf + 4));
			vc_print_codes(stdout, buf + 8, g.data_len - 8, true);
		} else if (out) {
			printf(", \"out\": ");
			vc_json_str(stdout, out, SIZE_MAX);
		} else if (!undecoded) {
			printf(", \"values\": ");
			vc_print_values(stdout, &vs, 0, true);
		}
		printf("}\n");
	} else {
		size_t i;

		printf("id:              %llu\n", (unsigned long long)in->vector_id);
		printf("inode:           %llu\n", (unsigned long long)in->file_inode);
		printf("dtype:           %s\n", vc_dtype_name(in->dtype));
		printf("compression:     %s\n", vc_comp_name(in->compression));
		printf("dims:            %u\n", in->dims);
		printf("original size:   %u bytes\n", in->original_size);
		printf("stored size:     %u bytes\n", in->stored_size);
		printf("created:         %s\n", created);
		printf("modified:        %s\n", modified);
		printf("checksum:        0x%08x\n", in->checksum);
		if (in->flags)
			printf("flags:           0x%x\n", in->flags);
		printf("model:           ");
		for (i = 0; model[i]; i++) {
			unsigned char ch = (unsigned char)model[i];

			if (ch >= 0x20 && ch < 0x7f && ch != '\\')
				putchar(ch);
			else
				printf("\\x%02x", ch);
		}
		printf("\nmodel version:   %u\n", in->meta.model_version);
		printf("confidence:      %.6f\n", in->meta.confidence / 1e6);
		if (pq) {
			printf("codebook:        %u (blob crc 0x%08x)\n", vq_get_le32(buf),
			       vq_get_le32(buf + 4));
			printf("codes:           ");
			vc_print_codes(stdout, buf + 8, g.data_len - 8, false);
			putchar('\n');
		} else if (out) {
			printf("written to:      %s\n", out);
		} else if (undecoded) {
			printf("values:          (%s-compressed, %u bytes: not decoded here)\n",
			       vc_comp_name(in->compression), g.data_len);
		} else {
			printf("values:          ");
			vc_print_values(stdout, &vs, 0, false);
			putchar('\n');
		}
	}
	if (!undecoded)
		vc_vecs_free(&vs);
	free(buf);
	return 0;
}
