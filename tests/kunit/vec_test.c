// SPDX-License-Identifier: GPL-2.0
/*
 * vec_test.c - KUnit suites for the vector store:
 *   vexfs_vrec    record header encode/decode/validate (a table of
 *                 corruptions), table entries
 *   vexfs_valloc  the chunk slot allocator: alignment, best fit, reuse,
 *                 overlap refusal, fragmentation under churn
 *   vexfs_vindex  the rhashtable index: insert, lookup, delete, growth to
 *                 100,000 entries and shrink, per-file lists
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/random.h>
#include <linux/unaligned.h>
#include "core/vrec.h"
#include "vector.h"
#include "vexfs.h"
#include "vexfs/vq.h"

#define SEED 0x12345678u

/* ---- vexfs_vrec --------------------------------------------------------- */

static void *make_rec(struct kunit *test, u32 dims, u32 *lenp)
{
	u32 dlen = dims * 4, len = vexfs_vec_rec_len(dlen), i;
	struct vexfs_vec_meta meta = { .vm_model = "bge-small" };
	u8 *rec = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	for (i = 0; i < dlen; i++)
		rec[VEXFS_VEC_REC_HDR + i] = (u8)(i * 7 + 1);
	meta.vm_confidence = cpu_to_le32(900000);
	vexfs_vec_rec_init(rec, SEED, 42, 1000, VEXFS_DT_F32, VEXFS_COMP_NONE, dims, dlen,
			   dlen, 111, 222, &meta);
	*lenp = len;
	return rec;
}

static void vrec_roundtrip(struct kunit *test)
{
	const char *why = "";
	u32 len;
	u8 *rec = make_rec(test, 128, &len);
	struct vexfs_vec_header *h = (void *)rec;

	KUNIT_EXPECT_EQ(test, len, 96u + 512u);
	KUNIT_EXPECT_EQ(test, vexfs_vec_rec_validate(rec, len, SEED, 42, 1000, &why), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(h->vh_magic), (u32)VEXFS_VEC_MAGIC);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(h->vh_dimensions), 128u);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(h->vh_created_ns), 111ull);
	KUNIT_EXPECT_EQ(test, (unsigned long)(VEXFS_VEC_REC_HDR % VEXFS_VEC_ALIGN), 0ul);
}

struct vrec_case {
	const char *name;
	u32 off;	/* byte to change */
	u8 xor;
	int len_delta;
	u64 id, ino;
};

static const struct vrec_case vrec_cases[] = {
	{ "magic", 0, 0x01, 0, 42, 1000 },
	{ "version", 4, 0x02, 0, 42, 1000 },
	{ "vector id", 8, 0x01, 0, 42, 1000 },
	{ "owner inode", 16, 0x01, 0, 42, 1000 },
	{ "dtype 0", 24, 0x01, 0, 42, 1000 },		/* F32 (1) ^ 1 = 0 */
	{ "compression", 26, 0x07, 0, 42, 1000 },
	{ "dimensions", 28, 0x01, 0, 42, 1000 },
	{ "original size", 32, 0x04, 0, 42, 1000 },
	{ "stored size", 36, 0x04, 0, 42, 1000 },
	{ "timestamp (checksum)", 40, 0x80, 0, 42, 1000 },
	{ "checksum", 56, 0x01, 0, 42, 1000 },
	{ "flags", 60, 0x01, 0, 42, 1000 },
	{ "model (checksum)", 64, 0x01, 0, 42, 1000 },
	{ "confidence range", 64 + 22, 0xff, 0, 42, 1000 },
	{ "data byte (checksum)", 200, 0x10, 0, 42, 1000 },
	{ "last data byte (checksum)", 96 + 511, 0x01, 0, 42, 1000 },
	{ "length shorter than the record", 0, 0, -32, 42, 1000 },
	{ "length below the header", 0, 0, -(96 + 512 - 50), 42, 1000 },
	{ "wrong expected id", 0, 0, 0, 43, 1000 },
	{ "wrong expected inode", 0, 0, 0, 42, 1001 },
};

static void vrec_corruptions(struct kunit *test)
{
	u32 len, i;
	u8 *rec = make_rec(test, 128, &len);
	u8 *copy = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	for (i = 0; i < ARRAY_SIZE(vrec_cases); i++) {
		const struct vrec_case *c = &vrec_cases[i];
		const char *why = NULL;

		memcpy(copy, rec, len);
		copy[c->off] ^= c->xor;
		KUNIT_EXPECT_EQ_MSG(test, vexfs_vec_rec_validate(copy, len + c->len_delta, SEED,
								 c->id, c->ino, &why),
				    -EUCLEAN, "case %s", c->name);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "case %s", c->name);
	}
	/* a different seed (another filesystem) fails the checksum */
	KUNIT_EXPECT_EQ(test, vexfs_vec_rec_validate(rec, len, SEED + 1, 42, 1000,
						     (const char **)&copy), -EUCLEAN);
}

static void vrec_args(struct kunit *test)
{
	struct vexfs_vec_meta m = {};
	const char *why;

	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, 0, 768, 3072, &m, &why), 0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_BIN, 0, 65536, 8192, &m, &why), 0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_BIN, 0, 9, 2, &m, &why), 0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, 0, 0, 0, &m, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, 0, 8193, 32772, &m, &why),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_I8, 0, 65537, 65537, &m, &why),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_I16, 0, 10, 21, &m, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(0, 0, 10, 40, &m, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(6, 0, 10, 40, &m, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, 6, 10, 40, &m, &why), -EINVAL);
	/* PQ is stored now; its size depends on the codebook (vrec_pq_record) */
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, VEXFS_COMP_PQ, 10, 40, &m, &why),
			0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, VEXFS_COMP_SQ8, 10, 40, &m, &why),
			0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, VEXFS_COMP_F16, 10, 40, &m, &why),
			0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_I8, VEXFS_COMP_F16, 10, 10, &m, &why),
			-EINVAL);
	m.vm_confidence = cpu_to_le32(1000001);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, 0, 10, 40, &m, &why), -EINVAL);
}

static void vtab_entries(struct kunit *test)
{
	struct vexfs_vtab_entry e, z = {};
	struct vexfs_vloc loc = { .ino = 9, .chunk = 100, .offset = 4064, .length = 608,
				  .chunk_blocks = 16 }, out;
	const char *why;

	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&z, SEED, 5, 4096, 1, 1000, 100, &out, &why), 1);
	vexfs_vtab_encode(&e, SEED, 5, &loc);
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 1000, 100, &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.chunk, 100ull);
	KUNIT_EXPECT_EQ(test, out.offset, 4064u);
	/* the id is part of the checksum: an entry copied to another slot fails */
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 6, 4096, 1, 1000, 100, &out, &why),
			-EUCLEAN);
	/* chunk past the end of the device */
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 110, 100, &out, &why),
			-EUCLEAN);
	/* owner beyond the inode count */
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 1000, 8, &out, &why),
			-EUCLEAN);
	/* record past the end of its chunk, misaligned, chunk too long */
	loc.offset = 16 * 4096 - 96;
	vexfs_vtab_encode(&e, SEED, 5, &loc);
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 1000, 100, &out, &why),
			-EUCLEAN);
	loc.offset = 40;
	vexfs_vtab_encode(&e, SEED, 5, &loc);
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 1000, 100, &out, &why),
			-EUCLEAN);
	loc.offset = 0;
	loc.chunk_blocks = 17;
	vexfs_vtab_encode(&e, SEED, 5, &loc);
	KUNIT_EXPECT_EQ(test, vexfs_vtab_decode(&e, SEED, 5, 4096, 1, 1000, 100, &out, &why),
			-EUCLEAN);
}

/* float16 compression in the store: encode in place, decode back exactly. */
static void vrec_f16(struct kunit *test)
{
	static const u32 in[] = { 0x3f800000, 0xc0200000, 0x477fe000, 0x00000000, 0x80000000,
				  0x7f800000, 0x3eaaaaab /* 1/3: rounds */, 0x33800000 /* 2^-24 */ };
	static const u16 want[] = { 0x3c00, 0xc100, 0x7bff, 0x0000, 0x8000, 0x7c00, 0x3555,
				    0x0001 };
	u8 buf[sizeof(in)], out[sizeof(in)];
	u32 i, n = ARRAY_SIZE(in);

	for (i = 0; i < n; i++)
		put_unaligned_le32(in[i], buf + 4 * i);
	KUNIT_EXPECT_EQ(test, vexfs_vec_encode(VEXFS_DT_F32, VEXFS_COMP_F16, n, buf), 2 * n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + 2 * i), want[i]);
	vexfs_vec_decode(VEXFS_DT_F32, VEXFS_COMP_F16, n, buf, out);
	for (i = 0; i < 6; i++)	/* exactly representable ones come back bit-exact */
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(out + 4 * i), in[i]);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(out + 4 * 6), 0x3eaaa000u);
	KUNIT_EXPECT_EQ(test, vexfs_vec_stored_size(VEXFS_DT_F32, VEXFS_COMP_PQ, 8), 0u);
	KUNIT_EXPECT_EQ(test, vexfs_vec_stored_size(VEXFS_DT_I8, VEXFS_COMP_SQ8, 8), 0u);
}

/*
 * SQ8 / SQ4 record codec through the module's FPU glue: vectors whose values
 * sit exactly on the quantization grid come back bit for bit; NaN is refused.
 */
static void vrec_sqv(struct kunit *test)
{
	u32 bits, n, i;

	for (bits = 4; bits <= 8; bits += 4) {
		u32 *x, *y;
		u8 *code;

		n = bits == 8 ? 256 : 16;
		x = kunit_kzalloc(test, n * 4, GFP_KERNEL);
		y = kunit_kzalloc(test, n * 4, GFP_KERNEL);
		code = kunit_kzalloc(test, vq_sqv_size(n, bits), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, x);
		KUNIT_ASSERT_NOT_NULL(test, y);
		KUNIT_ASSERT_NOT_NULL(test, code);
		/* x[i] = 2 * (n - 1 - i) - 6 as float bits: min -6, step 2 */
		for (i = 0; i < n; i++) {
			s32 v = 2 * (s32)(n - 1 - i) - 6;
			u32 a = v < 0 ? -v : v, e = 0, b;

			if (!a) {
				x[i] = 0;
				continue;
			}
			while ((a >> e) > 1)
				e++;
			b = ((127 + e) << 23) | ((a << (23 - e)) & 0x7fffff);
			x[i] = b | (v < 0 ? 0x80000000u : 0);
		}
		KUNIT_ASSERT_EQ(test, vexfs_vq_sqv(true, x, n, bits, code), 0);
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(code), 0xc0c00000u);	/* -6.0 */
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(code + 4), 0x40000000u);	/* 2.0 */
		KUNIT_EXPECT_EQ(test, vexfs_vec_stored_size(VEXFS_DT_F32, bits == 8 ?
				VEXFS_COMP_SQ8 : VEXFS_COMP_SQ4, n), (u32)vq_sqv_size(n, bits));
		KUNIT_ASSERT_EQ(test, vexfs_vq_sqv(false, code, n, bits, y), 0);
		KUNIT_EXPECT_EQ(test, memcmp(x, y, n * 4), 0);
		x[n / 2] = 0x7fc00000;	/* NaN */
		KUNIT_EXPECT_EQ(test, vexfs_vq_sqv(true, x, n, bits, code), -EINVAL);
	}
}

/* Sparse store form: lossless for float32, validated when read. */
static void vrec_sparse(struct kunit *test)
{
	u32 *x = kunit_kzalloc(test, 64 * 4, GFP_KERNEL), *y = kunit_kzalloc(test, 64 * 4, GFP_KERNEL);
	u8 *code = kunit_kzalloc(test, 4 + 8 * 64, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_TRUE(test, x && y && code);

	x[3] = 0x3f800000;	/* 1.0 */
	x[17] = 0xc0400000;	/* -3.0 */
	x[63] = 0x00000001;	/* smallest subnormal */
	x[40] = 0x80000000;	/* -0.0: a zero, not stored */
	len = vexfs_vec_sparse_encode(x, 64, code);
	KUNIT_EXPECT_EQ(test, len, 4 + 8 * 3);
	KUNIT_EXPECT_TRUE(test, vexfs_vec_stored_ok(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 64, code, len));
	vexfs_vec_decode(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 64, code, y);
	x[40] = 0;
	KUNIT_EXPECT_EQ(test, memcmp(x, y, 64 * 4), 0);
	/* wrong length, index out of range, indices not increasing, zero value */
	KUNIT_EXPECT_FALSE(test, vexfs_vec_stored_ok(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 64, code,
						     len + 8));
	KUNIT_EXPECT_FALSE(test, vexfs_vec_stored_ok(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 63, code, len));
	put_unaligned_le32(20, code + 4);
	KUNIT_EXPECT_FALSE(test, vexfs_vec_stored_ok(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 64, code, len));
	put_unaligned_le32(3, code + 4);
	put_unaligned_le32(0, code + 4 + 12);
	KUNIT_EXPECT_FALSE(test, vexfs_vec_stored_ok(VEXFS_DT_F32, VEXFS_COMP_SPARSE, 64, code, len));
	KUNIT_EXPECT_FALSE(test, vexfs_vec_stored_ok(VEXFS_DT_I8, VEXFS_COMP_SPARSE, 64, code, len));
	x[5] = 0x7fc00000;	/* NaN */
	KUNIT_EXPECT_EQ(test, vexfs_vec_sparse_encode(x, 64, code), -EINVAL);
}

/* PQ stored form: shape checks. */
static void vrec_pq_ref(struct kunit *test)
{
	u8 data[8 + 16] = { 0 };
	struct vexfs_pq_ref *r = (void *)data;

	r->pr_codebook = cpu_to_le32(3);
	r->pr_blob_crc = cpu_to_le32(0xdeadbeef);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 16), 3);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 8), 3);
	/* m = 12 does not divide 64; m > d; no codes; not float32; too many dims */
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 12), 0);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 8, data, 8 + 16), 0);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8), 0);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F16, 64, data, 8 + 16), 0);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, VEXFS_CB_MAX_DIMS + 16, data, 8 + 16),
			0);
	r->pr_codebook = 0;
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 16), 0);
	r->pr_codebook = cpu_to_le32(VEXFS_CB_MAX + 1);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 16), 0);
	r->pr_codebook = cpu_to_le32(VEXFS_CB_MAX);
	KUNIT_EXPECT_EQ(test, vexfs_pq_ref_ok(VEXFS_DT_F32, 64, data, 8 + 16), (int)VEXFS_CB_MAX);
}

/* PQ arguments: float32 only, up to 8192 dims; a PQ record validates. */
static void vrec_pq_record(struct kunit *test)
{
	u8 data[8 + 16] = { 0 };
	struct vexfs_pq_ref *r = (void *)data;
	struct vexfs_vec_header *h;
	const char *why = "";
	u8 *rec;
	u32 len;

	/* arguments: PQ for float32 only, up to 8192 dims, size from the codebook */
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, VEXFS_COMP_PQ, 64, 256, NULL,
						   &why), 0);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_I8, VEXFS_COMP_PQ, 64, 64, NULL, &why),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_check_args(VEXFS_DT_F32, VEXFS_COMP_PQ, 8193, 8193 * 4,
						   NULL, &why), -EINVAL);

	/* a whole PQ record */
	len = vexfs_vec_rec_len(sizeof(data));
	rec = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	h = (void *)rec;
	r->pr_codebook = cpu_to_le32(1);
	memcpy(rec + VEXFS_VEC_REC_HDR, data, sizeof(data));
	vexfs_vec_rec_init(rec, SEED, 7, 1000, VEXFS_DT_F32, VEXFS_COMP_PQ, 64, 256, sizeof(data),
			   1, 2, NULL);
	KUNIT_EXPECT_EQ(test, vexfs_vec_rec_validate(rec, len, SEED, 7, 1000, &why), 0);
	/* 16 codes for 60 dims: invalid even with a good checksum */
	h->vh_dimensions = cpu_to_le32(60);
	h->vh_original_size = cpu_to_le32(240);
	h->vh_checksum = cpu_to_le32(vexfs_vec_rec_csum(SEED, rec, len));
	KUNIT_EXPECT_EQ(test, vexfs_vec_rec_validate(rec, len, SEED, 7, 1000, &why), -EUCLEAN);
}

#define CB_BAD(stmt) do {						\
		memcpy(bad, blk, bs);					\
		bh = (void *)bad;					\
		be = (void *)(bh + 1);					\
		stmt;							\
		vexfs_cbdir_seal(bad, seed);				\
		KUNIT_EXPECT_EQ_MSG(test, vexfs_cbdir_check(bad, seed, bs, blocks, &n, &why), \
				    -EUCLEAN, "%s", #stmt);		\
	} while (0)

/* Codebook directory: a valid block, then one corruption at a time. */
static void cbdir_checks(struct kunit *test)
{
	const u32 bs = 4096, seed = SEED;
	const u64 blocks = 1 << 20;
	u8 *blk = kunit_kzalloc(test, bs, GFP_KERNEL), *bad = kunit_kzalloc(test, bs, GFP_KERNEL);
	struct vexfs_cb_dir_header *h = (void *)blk, *bh;
	struct vexfs_cb_entry *e = (void *)(h + 1), *be;
	const char *why = "";
	u32 n = 99, i;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	vexfs_cbdir_seal(blk, seed);
	KUNIT_EXPECT_EQ(test, vexfs_cbdir_check(blk, seed, bs, blocks, &n, &why), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	/* two codebooks: 64-d m=8 (65568 bytes, 17 blocks), 768-d m=96 */
	for (i = 0; i < 2; i++) {
		u32 d = i ? 768 : 64;

		e[i].ce_id = cpu_to_le32(i + 1);
		e[i].ce_dims = cpu_to_le32(d);
		e[i].ce_m = cpu_to_le32(i ? 96 : 8);
		e[i].ce_blob_crc = cpu_to_le32(0x1234 + i);
		e[i].ce_start = cpu_to_le64(1000 + 1000 * i);
		e[i].ce_length = cpu_to_le32(32 + 1024 * d);
		e[i].ce_blocks = cpu_to_le32(DIV_ROUND_UP(32 + 1024 * d, bs));
	}
	h->cd_count = cpu_to_le32(2);
	vexfs_cbdir_seal(blk, seed);
	KUNIT_EXPECT_EQ(test, vexfs_cbdir_check(blk, seed, bs, blocks, &n, &why), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(e[0].ce_blocks), 17U);

	CB_BAD(be[1].ce_id = cpu_to_le32(1));
	CB_BAD(be[0].ce_dims = 0);
	CB_BAD(be[0].ce_dims = cpu_to_le32(VEXFS_CB_MAX_DIMS + 1));
	CB_BAD(be[0].ce_m = cpu_to_le32(7));
	CB_BAD(be[0].ce_m = 0);
	CB_BAD(be[0].ce_length = cpu_to_le32(32 + 1024 * 64 + 1));
	CB_BAD(be[0].ce_blocks = cpu_to_le32(16));
	CB_BAD(be[0].ce_start = 0);
	CB_BAD(be[1].ce_start = cpu_to_le64(blocks - 10));
	CB_BAD(bh->cd_count = cpu_to_le32(VEXFS_CB_MAX + 1));
	CB_BAD(bh->cd_count = cpu_to_le32(1));		/* entry 2 is not zero */
	CB_BAD(bh->cd_count = cpu_to_le32(3));		/* entry 3 is empty */
	CB_BAD(bh->cd_pad[2] = cpu_to_le32(1));
	CB_BAD(be[5].ce_blob_crc = cpu_to_le32(1));
	/* checksum, seed and magic (not resealed) */
	memcpy(bad, blk, bs);
	bad[100] ^= 1;
	KUNIT_EXPECT_EQ(test, vexfs_cbdir_check(bad, seed, bs, blocks, &n, &why), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, vexfs_cbdir_check(blk, seed + 1, bs, blocks, &n, &why), -EUCLEAN);
	memcpy(bad, blk, bs);
	bad[0] ^= 1;
	KUNIT_EXPECT_EQ(test, vexfs_cbdir_check(bad, seed, bs, blocks, &n, &why), -EUCLEAN);
}

#undef CB_BAD

static struct kunit_case vrec_cases_k[] = {
	KUNIT_CASE(vrec_f16),
	KUNIT_CASE(vrec_pq_ref),
	KUNIT_CASE(vrec_pq_record),
	KUNIT_CASE(cbdir_checks),
	KUNIT_CASE(vrec_sparse),
	KUNIT_CASE(vrec_sqv),
	KUNIT_CASE(vrec_roundtrip),
	KUNIT_CASE(vrec_corruptions),
	KUNIT_CASE(vrec_args),
	KUNIT_CASE(vtab_entries),
	{}
};

static struct kunit_suite vexfs_vrec_suite = {
	.name = "vexfs_vrec",
	.test_cases = vrec_cases_k,
};

/* ---- vexfs_valloc ------------------------------------------------------- */

static void valloc_basic(struct kunit *test)
{
	struct vexfs_valloc *va = kunit_kzalloc(test, sizeof(*va), GFP_KERNEL);
	struct vexfs_vchunk *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int s1, s2, s3;

	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_NOT_NULL(test, c);
	vexfs_valloc_init(va, 4096);
	KUNIT_EXPECT_NULL(test, vexfs_valloc_pick(va, 1));
	vexfs_vchunk_init(c, 500, 16, 4096);
	vexfs_valloc_insert(va, c);
	KUNIT_EXPECT_EQ(test, c->nslots, 2048u);
	KUNIT_EXPECT_PTR_EQ(test, vexfs_valloc_pick(va, 2048), c);
	KUNIT_EXPECT_NULL(test, vexfs_valloc_pick(va, 2049));
	s1 = vexfs_vchunk_take(va, c, 19);	/* 608-byte record */
	s2 = vexfs_vchunk_take(va, c, 131);	/* 4192 bytes: crosses a block */
	s3 = vexfs_vchunk_take(va, c, 1);
	KUNIT_EXPECT_EQ(test, s1, 0);
	KUNIT_EXPECT_EQ(test, s2, 19);
	KUNIT_EXPECT_EQ(test, s3, 150);
	KUNIT_EXPECT_EQ(test, c->maxrun, 2048u - 151);
	/* freed space is reused, best fit: a 19-slot hole takes a 19-slot record */
	vexfs_vchunk_release(va, c, s1, 19);
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_take(va, c, 10), 0);
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_take(va, c, 9), 10);
	/* overlap refused */
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_mark(va, c, 5, 2), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_mark(va, c, 2047, 2), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_mark(va, c, 2000, 48), 0);
	KUNIT_EXPECT_EQ(test, c->nrec, 5u);
	KUNIT_EXPECT_EQ(test, va->used_slots, (u64)(19 + 131 + 1 + 48));
	vexfs_valloc_remove(va, c);
	KUNIT_EXPECT_EQ(test, va->chunks, 0ull);
	KUNIT_EXPECT_NULL(test, vexfs_valloc_pick(va, 1));
}

/* Best fit across chunks: the fullest chunk that still fits is chosen. */
static void valloc_bestfit(struct kunit *test)
{
	struct vexfs_valloc *va = kunit_kzalloc(test, sizeof(*va), GFP_KERNEL);
	struct vexfs_vchunk *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct vexfs_vchunk *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	vexfs_valloc_init(va, 1024);
	vexfs_vchunk_init(a, 100, 64, 1024);
	vexfs_vchunk_init(b, 200, 2, 1024);	/* a short chunk: 64 slots */
	vexfs_valloc_insert(va, a);
	vexfs_valloc_insert(va, b);
	KUNIT_EXPECT_PTR_EQ(test, vexfs_valloc_pick(va, 30), b);
	KUNIT_EXPECT_PTR_EQ(test, vexfs_valloc_pick(va, 65), a);
	KUNIT_EXPECT_EQ(test, vexfs_vchunk_take(va, b, 60), 0);
	KUNIT_EXPECT_PTR_EQ(test, vexfs_valloc_pick(va, 4), b);
	KUNIT_EXPECT_PTR_EQ(test, vexfs_valloc_pick(va, 5), a);
}

/*
 * Churn: 20,000 records of mixed sizes, half freed at random, refilled;
 * allocated chunk bytes stay within 1.25x of live record bytes.
 */
#define CHURN_N 20000
static void valloc_churn(struct kunit *test)
{
	static const u32 sizes[] = { 96 + 64, 96 + 512, 96 + 1536, 96 + 3072, 96 + 4096, 96 + 6144 };
	struct vexfs_valloc *va = kunit_kzalloc(test, sizeof(*va), GFP_KERNEL);
	struct vexfs_vchunk **chunks;
	struct { struct vexfs_vchunk *c; int slot; u32 len; } *rec;
	u32 nchunks = 0, i, round;
	u64 live = 0, next_block = 1000;
	u32 state = 1;

	KUNIT_ASSERT_NOT_NULL(test, va);
	chunks = vzalloc(sizeof(*chunks) * CHURN_N);
	rec = vzalloc(sizeof(*rec) * CHURN_N);
	KUNIT_ASSERT_NOT_NULL(test, chunks);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	vexfs_valloc_init(va, 4096);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < CHURN_N; i++) {
			struct vexfs_vchunk *c;
			u32 n;

			if (rec[i].c)
				continue;
			state = state * 1103515245 + 12345;
			rec[i].len = sizes[(state >> 16) % ARRAY_SIZE(sizes)];
			n = vexfs_vec_slots(rec[i].len);
			c = vexfs_valloc_pick(va, n);
			if (!c) {
				c = kzalloc(sizeof(*c), GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, c);
				vexfs_vchunk_init(c, next_block, 16, 4096);
				next_block += 16;
				vexfs_valloc_insert(va, c);
				chunks[nchunks++] = c;
			}
			rec[i].slot = vexfs_vchunk_take(va, c, n);
			KUNIT_ASSERT_GE(test, rec[i].slot, 0);
			rec[i].c = c;
			live += rec[i].len;
		}
		if (round)
			break;
		for (i = 0; i < CHURN_N; i++) {
			state = state * 1103515245 + 12345;
			if ((state >> 16) & 1) {
				vexfs_vchunk_release(va, rec[i].c, rec[i].slot,
						     vexfs_vec_slots(rec[i].len));
				live -= rec[i].len;
				rec[i].c = NULL;
			}
		}
	}
	kunit_info(test, "churn: %llu bytes in %llu chunks for %llu live bytes (%llu.%02llux)\n",
		   va->chunk_blocks * 4096, va->chunks, live,
		   va->chunk_blocks * 4096 / live, va->chunk_blocks * 4096 * 100 / live % 100);
	KUNIT_EXPECT_LE(test, va->chunk_blocks * 4096 * 100, live * 125);
	for (i = 0; i < nchunks; i++)
		kfree(chunks[i]);
	vfree(chunks);
	vfree(rec);
}

static struct kunit_case valloc_cases[] = {
	KUNIT_CASE(valloc_basic),
	KUNIT_CASE(valloc_bestfit),
	KUNIT_CASE(valloc_churn),
	{}
};

static struct kunit_suite vexfs_valloc_suite = {
	.name = "vexfs_valloc",
	.test_cases = valloc_cases,
};

/* ---- vexfs_vindex ------------------------------------------------------- */

#define VX_N 100000

static void vindex_ops(struct kunit *test)
{
	struct vexfs_vindex *vx = kunit_kzalloc(test, sizeof(*vx), GFP_KERNEL);
	struct vexfs_vent *v;
	struct vexfs_vfile *spare = NULL, *f;
	u32 i, found = 0;

	KUNIT_ASSERT_NOT_NULL(test, vx);
	KUNIT_ASSERT_EQ(test, vexfs_vindex_init(vx), 0);
	v = vzalloc(sizeof(*v) * VX_N);
	KUNIT_ASSERT_NOT_NULL(test, v);
	for (i = 0; i < VX_N; i++) {
		v[i].id = i + 1;
		v[i].ino = 100 + i % 1000;	/* 1000 files of 100 vectors */
		if (!spare)
			spare = kzalloc(sizeof(*spare), GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, vexfs_vindex_add(vx, &v[i], &spare), 0);
	}
	KUNIT_EXPECT_EQ(test, vx->count, (u64)VX_N);
	KUNIT_EXPECT_EQ(test, vx->nfiles, 1000ull);
	for (i = 0; i < VX_N; i++)
		found += vexfs_vindex_lookup(vx, i + 1) == &v[i];
	KUNIT_EXPECT_EQ(test, found, (u32)VX_N);
	KUNIT_EXPECT_NULL(test, vexfs_vindex_lookup(vx, VX_N + 1));
	KUNIT_EXPECT_NULL(test, vexfs_vindex_lookup(vx, 0));
	/* duplicates and out-of-order ids for a file are refused */
	KUNIT_EXPECT_NE(test, vexfs_vindex_add(vx, &v[5], &spare), 0);
	f = vexfs_vindex_file(vx, 105);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, f->count, 100u);
	KUNIT_EXPECT_EQ(test, list_first_entry(&f->vents, struct vexfs_vent, flink)->id, 6ull);
	/* delete 90% (the table shrinks), the rest still found */
	for (i = 0; i < VX_N; i++)
		if (i % 10)
			vexfs_vindex_del(vx, &v[i]);
	KUNIT_EXPECT_EQ(test, vx->count, (u64)VX_N / 10);
	for (i = 0, found = 0; i < VX_N; i++) {
		struct vexfs_vent *e = vexfs_vindex_lookup(vx, i + 1);

		found += (i % 10) ? e == NULL : e == &v[i];
	}
	KUNIT_EXPECT_EQ(test, found, (u32)VX_N);
	/* a file with no vectors left disappears from the file table */
	KUNIT_EXPECT_EQ(test, vx->nfiles, 100ull);
	KUNIT_EXPECT_NULL(test, vexfs_vindex_file(vx, 101));
	KUNIT_EXPECT_NOT_NULL(test, vexfs_vindex_file(vx, 110));
	for (i = 0; i < VX_N; i += 10)
		vexfs_vindex_del(vx, &v[i]);
	KUNIT_EXPECT_EQ(test, vx->nfiles, 0ull);
	rcu_barrier();		/* file entries are freed with kfree_rcu() */
	kfree(spare);
	vexfs_vindex_destroy(vx);
	vfree(v);
}

static struct kunit_case vindex_cases[] = {
	KUNIT_CASE(vindex_ops),
	{}
};

static struct kunit_suite vexfs_vindex_suite = {
	.name = "vexfs_vindex",
	.test_cases = vindex_cases,
};

kunit_test_suites(&vexfs_vrec_suite, &vexfs_valloc_suite, &vexfs_vindex_suite);
