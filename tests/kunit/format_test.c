// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the shared on-disk core as compiled into vexfs.ko:
 *   vexfs_sb      superblock validation table (each corruption -> its errno)
 *   vexfs_bitmap  allocation-map primitives at word and map boundaries
 *   vexfs_bmap    block-map paths at every level boundary, per block size
 *   vexfs_dir     directory buckets and linear-hash addressing
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "core/format.h"

/* ---- superblock validation ---------------------------------------------- */

struct sb_case {
	const char *name;
	void (*mutate)(struct vexfs_super_block *sb);
	bool keep_csum;		/* do not re-seal after mutating */
	int err;
	u32 flags;
};

static void m_none(struct vexfs_super_block *sb)
{
}
static void m_magic(struct vexfs_super_block *sb)
{
	sb->s_magic = cpu_to_le32(0xdeadbeef);
}
static void m_csum(struct vexfs_super_block *sb)
{
	sb->s_label[3] ^= 1;
}
static void m_version(struct vexfs_super_block *sb)
{
	sb->s_version = cpu_to_le32(2);
}
static void m_incompat(struct vexfs_super_block *sb)
{
	sb->s_feature_incompat = cpu_to_le64(1ULL << 40);
}
static void m_rocompat(struct vexfs_super_block *sb)
{
	sb->s_feature_ro_compat = cpu_to_le64(1ULL << 7);
}
static void m_compat(struct vexfs_super_block *sb)
{
	sb->s_feature_compat = cpu_to_le64(1ULL << 9);
}
static void m_bits_lo(struct vexfs_super_block *sb)
{
	sb->s_block_size_bits = cpu_to_le32(9);
}
static void m_bits_hi(struct vexfs_super_block *sb)
{
	sb->s_block_size_bits = cpu_to_le32(13);
}
static void m_isize(struct vexfs_super_block *sb)
{
	sb->s_inode_size = cpu_to_le32(128);
}
static void m_blocks0(struct vexfs_super_block *sb)
{
	sb->s_blocks_count = 0;
}
static void m_blocks_dev(struct vexfs_super_block *sb)
{
	le64_add_cpu(&sb->s_blocks_count, 1);
}
static void m_bpg(struct vexfs_super_block *sb)
{
	le32_add_cpu(&sb->s_blocks_per_group, 8);
}
static void m_ipg0(struct vexfs_super_block *sb)
{
	sb->s_inodes_per_group = 0;
}
static void m_ipg_odd(struct vexfs_super_block *sb)
{
	le32_add_cpu(&sb->s_inodes_per_group, 1);
}
static void m_ipg_big(struct vexfs_super_block *sb)
{
	sb->s_inodes_per_group = cpu_to_le32(1U << 20);
}
static void m_groups(struct vexfs_super_block *sb)
{
	le32_add_cpu(&sb->s_group_count, 1);
}
static void m_inodes(struct vexfs_super_block *sb)
{
	le64_add_cpu(&sb->s_inodes_count, 1);
}
static void m_gdt(struct vexfs_super_block *sb)
{
	sb->s_gdt_start = cpu_to_le64(5);
}
static void m_jstart(struct vexfs_super_block *sb)
{
	le64_add_cpu(&sb->s_journal_start, 1);
}
static void m_jsmall(struct vexfs_super_block *sb)
{
	sb->s_journal_blocks = cpu_to_le32(10);
}
static void m_jhuge(struct vexfs_super_block *sb)
{
	sb->s_journal_blocks = cpu_to_le32(1U << 30);
}
static void m_freeb(struct vexfs_super_block *sb)
{
	sb->s_free_blocks = cpu_to_le64(~0ULL);
}
static void m_freei(struct vexfs_super_block *sb)
{
	sb->s_free_inodes = cpu_to_le64(~0ULL);
}
static void m_root(struct vexfs_super_block *sb)
{
	sb->s_root_ino = cpu_to_le64(2);
}
static void m_first(struct vexfs_super_block *sb)
{
	sb->s_first_ino = cpu_to_le64(3);
}
static void m_orphan_lo(struct vexfs_super_block *sb)
{
	sb->s_orphan_head = cpu_to_le64(3);
}
static void m_orphan_hi(struct vexfs_super_block *sb)
{
	sb->s_orphan_head = cpu_to_le64(~0ULL);
}
static void m_errors(struct vexfs_super_block *sb)
{
	sb->s_errors = cpu_to_le16(4);
}

static const struct sb_case sb_cases[] = {
	{ "valid", m_none, false, 0, 0 },
	{ "bad magic", m_magic, false, -EINVAL, 0 },
	{ "bad checksum", m_csum, true, -EUCLEAN, 0 },
	{ "future version", m_version, false, -EOPNOTSUPP, 0 },
	{ "unknown incompat feature", m_incompat, false, -EOPNOTSUPP, 0 },
	{ "unknown ro_compat feature -> read-only", m_rocompat, false, 0, VEXFS_SB_RO_FEATURES },
	{ "unknown compat feature ignored", m_compat, false, 0, 0 },
	{ "block size 512", m_bits_lo, false, -EUCLEAN, 0 },
	{ "block size 8192", m_bits_hi, false, -EUCLEAN, 0 },
	{ "inode size 128", m_isize, false, -EUCLEAN, 0 },
	{ "zero blocks", m_blocks0, false, -EUCLEAN, 0 },
	{ "larger than device", m_blocks_dev, false, -EUCLEAN, 0 },
	{ "blocks per group", m_bpg, false, -EUCLEAN, 0 },
	{ "zero inodes per group", m_ipg0, false, -EUCLEAN, 0 },
	{ "inodes per group not per-block multiple", m_ipg_odd, false, -EUCLEAN, 0 },
	{ "inodes per group beyond bitmap", m_ipg_big, false, -EUCLEAN, 0 },
	{ "group count mismatch", m_groups, false, -EUCLEAN, 0 },
	{ "inode count mismatch", m_inodes, false, -EUCLEAN, 0 },
	{ "gdt location", m_gdt, false, -EUCLEAN, 0 },
	{ "journal location", m_jstart, false, -EUCLEAN, 0 },
	{ "journal too small", m_jsmall, false, -EUCLEAN, 0 },
	{ "journal too large", m_jhuge, false, -EUCLEAN, 0 },
	{ "free blocks > blocks", m_freeb, false, -EUCLEAN, 0 },
	{ "free inodes > inodes", m_freei, false, -EUCLEAN, 0 },
	{ "root inode number", m_root, false, -EUCLEAN, 0 },
	{ "first inode number", m_first, false, -EUCLEAN, 0 },
	{ "orphan head reserved", m_orphan_lo, false, -EUCLEAN, 0 },
	{ "orphan head out of range", m_orphan_hi, false, -EUCLEAN, 0 },
	{ "errors behaviour", m_errors, false, -EUCLEAN, 0 },
};

static void sb_case_desc(const struct sb_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(sb, sb_cases, sb_case_desc);

static void vexfs_sb_table_test(struct kunit *test)
{
	const struct sb_case *c = test->param_value;
	static const u8 uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const u64 key[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	const u64 dev_bytes = 1ULL << 30;
	struct vexfs_super_block *sb;
	struct vexfs_geom g, out;
	const char *why = "";
	u32 flags = 0;
	int err;

	sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, vexfs_geom_plan(&g, 12, dev_bytes >> 12, 0, 0, &why), 0);
	vexfs_sb_init(sb, &g, uuid, key, 1700000000, 1000, 1000);
	c->mutate(sb);
	if (!c->keep_csum)
		sb->s_checksum = cpu_to_le32(vexfs_sb_csum(sb));
	err = vexfs_sb_validate(sb, dev_bytes, &out, &why, &flags);
	KUNIT_EXPECT_EQ_MSG(test, err, c->err, "case '%s': %s", c->name, err ? why : "accepted");
	KUNIT_EXPECT_EQ(test, flags, c->flags);
	if (!err) {
		KUNIT_EXPECT_EQ(test, out.groups, g.groups);
		KUNIT_EXPECT_EQ(test, out.inodes, g.inodes);
	}
}

/* Geometry: every group's metadata is inside the group, for several sizes. */
static void vexfs_geom_test(struct kunit *test)
{
	static const u64 sizes[] = { 16ULL << 20, 129ULL << 20, 1ULL << 30, 100ULL << 30, 1ULL << 40 };
	u32 bits, i, grp;

	for (bits = 10; bits <= 12; bits++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			struct vexfs_geom g;
			const char *why = "";
			int err = vexfs_geom_plan(&g, bits, sizes[i] >> bits, 0, 0, &why);

			if (bits == 10 && sizes[i] >= (1ULL << 40)) {
				/* documented limit: 1 KiB blocks stop short of 1 TiB */
				KUNIT_EXPECT_EQ(test, err, -ENOSPC);
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "bits %u size %llu: %s", bits, sizes[i], why);
			KUNIT_EXPECT_LE(test, g.blocks, sizes[i] >> bits);
			KUNIT_EXPECT_GE(test, g.journal_blocks, (u32)VEXFS_MIN_JOURNAL_BLOCKS);
			for (grp = 0; grp < g.groups; grp += g.groups > 64 ? g.groups / 64 : 1) {
				u64 bb, ib, it, start = (u64)grp * g.blocks_per_group;

				vexfs_group_meta(&g, grp, &bb, &ib, &it);
				KUNIT_EXPECT_GE(test, bb, start);
				KUNIT_EXPECT_LT(test, it + g.itable_blocks,
						start + vexfs_group_blocks(&g, grp));
				KUNIT_EXPECT_LT(test, vexfs_group_overhead(&g, grp),
						vexfs_group_blocks(&g, grp));
			}
		}
	}
}

static struct kunit_case vexfs_sb_cases[] = {
	KUNIT_CASE_PARAM(vexfs_sb_table_test, sb_gen_params),
	KUNIT_CASE(vexfs_geom_test),
	{}
};

static struct kunit_suite vexfs_sb_suite = {
	.name = "vexfs_sb",
	.test_cases = vexfs_sb_cases,
};

/* ---- allocation maps ---------------------------------------------------- */

static void vexfs_bitmap_find_test(struct kunit *test)
{
	u8 *map = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u32 nbits = 4096 * 8, i;

	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, 0), 0U);
	KUNIT_EXPECT_EQ(test, vexfs_count_zero(map, nbits), nbits);
	memset(map, 0xff, 4096);
	KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, 0), nbits);	/* exhausted */
	KUNIT_EXPECT_EQ(test, vexfs_count_zero(map, nbits), 0U);
	/* single holes at word boundaries and at the very end */
	for (i = 0; i < nbits; i += 63) {
		vexfs_clear_bit(map, i);
		KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, 0), i);
		KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, i), i);
		KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, i + 1), nbits);
		vexfs_set_bit(map, i);
	}
	vexfs_clear_bit(map, nbits - 1);
	KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits, 5), nbits - 1);
	/* a limit that cuts a word: bits past nbits are never returned */
	KUNIT_EXPECT_EQ(test, vexfs_find_next_zero(map, nbits - 1, 0), nbits - 1);
}

static void vexfs_bitmap_run_test(struct kunit *test)
{
	u8 map[16] = { 0 };

	vexfs_set_bit(map, 10);
	KUNIT_EXPECT_EQ(test, vexfs_zero_run(map, 128, 0, 100), 10U);
	KUNIT_EXPECT_EQ(test, vexfs_zero_run(map, 128, 11, 1000), 117U);
	KUNIT_EXPECT_EQ(test, vexfs_zero_run(map, 128, 11, 5), 5U);
	KUNIT_EXPECT_EQ(test, vexfs_zero_run(map, 128, 10, 5), 0U);
	KUNIT_EXPECT_EQ(test, vexfs_count_zero(map, 128), 127U);
	KUNIT_EXPECT_EQ(test, vexfs_count_zero(map, 13), 12U);
	KUNIT_EXPECT_TRUE(test, vexfs_test_bit(map, 10));
	vexfs_clear_bit(map, 10);
	KUNIT_EXPECT_FALSE(test, vexfs_test_bit(map, 10));
}

static struct kunit_case vexfs_bitmap_cases[] = {
	KUNIT_CASE(vexfs_bitmap_find_test),
	KUNIT_CASE(vexfs_bitmap_run_test),
	{}
};

static struct kunit_suite vexfs_bitmap_suite = {
	.name = "vexfs_bitmap",
	.test_cases = vexfs_bitmap_cases,
};

/* ---- block map ---------------------------------------------------------- */

static void vexfs_bmap_path_test(struct kunit *test)
{
	u32 bs, off[4];

	for (bs = 1024; bs <= 4096; bs *= 2) {
		u64 p = vexfs_ptrs_per_block(bs);
		u64 ind = VEXFS_NDIR_BLOCKS, dind = ind + p, tind = dind + p * p;

		KUNIT_EXPECT_EQ(test, p, (u64)bs / 8 - 1);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, 0, off), 1);
		KUNIT_EXPECT_EQ(test, off[0], 0U);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, 11, off), 1);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, ind, off), 2);
		KUNIT_EXPECT_EQ(test, off[0], (u32)VEXFS_IND_BLOCK);
		KUNIT_EXPECT_EQ(test, off[1], 0U);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, dind - 1, off), 2);
		KUNIT_EXPECT_EQ(test, off[1], (u32)(p - 1));
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, dind, off), 3);
		KUNIT_EXPECT_EQ(test, off[0], (u32)VEXFS_DIND_BLOCK);
		KUNIT_EXPECT_EQ(test, off[1] + off[2], 0U);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, tind - 1, off), 3);
		KUNIT_EXPECT_EQ(test, off[1], (u32)(p - 1));
		KUNIT_EXPECT_EQ(test, off[2], (u32)(p - 1));
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, tind, off), 4);
		KUNIT_EXPECT_EQ(test, off[0], (u32)VEXFS_TIND_BLOCK);
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, vexfs_max_lblk(bs) - 1, off), 4);
		KUNIT_EXPECT_EQ(test, off[3], (u32)(p - 1));
		KUNIT_EXPECT_EQ(test, vexfs_block_path(bs, vexfs_max_lblk(bs), off), 0);
	}
	/* 4 KiB blocks map files well past 16 GiB */
	KUNIT_EXPECT_GT(test, vexfs_max_lblk(4096) << 12, 16ULL << 30);
}

static struct kunit_case vexfs_bmap_cases[] = {
	KUNIT_CASE(vexfs_bmap_path_test),
	{}
};

static struct kunit_suite vexfs_bmap_suite = {
	.name = "vexfs_bmap",
	.test_cases = vexfs_bmap_cases,
};

/* ---- directories -------------------------------------------------------- */

static void vexfs_dir_bucket_ops_test(struct kunit *test)
{
	u8 *blk = kunit_kzalloc(test, 4096, GFP_KERNEL);
	const char *why = "";
	struct vexfs_dirent *de;
	char name[32];
	u32 i, n = 0, free0;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	vexfs_bucket_init(blk, 4096);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 4096, &why), 0);
	free0 = vexfs_bucket_free(blk, 4096);
	KUNIT_EXPECT_EQ(test, free0, 4096U - 24);
	for (i = 0; ; i++) {
		u32 len = scnprintf(name, sizeof(name), "file-%u", i);

		if (vexfs_bucket_free(blk, 4096) < VEXFS_DIRENT_SIZE(len))
			break;
		vexfs_bucket_add(blk, i + 1, 100 + i, name, len, VEXFS_FT_REG);
		n++;
	}
	KUNIT_EXPECT_GT(test, n, 100U);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 4096, &why), 0);
	de = vexfs_bucket_find(blk, 6, "file-5", 6);
	KUNIT_ASSERT_NOT_NULL(test, de);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(de->d_ino), 105ULL);
	KUNIT_EXPECT_NULL(test, vexfs_bucket_find(blk, 7, "file-5", 6));	/* hash must match */
	vexfs_bucket_remove(blk, de);
	KUNIT_EXPECT_NULL(test, vexfs_bucket_find(blk, 6, "file-5", 6));
	de = vexfs_bucket_find(blk, 7, "file-6", 6);
	KUNIT_ASSERT_NOT_NULL(test, de);	/* entries after the hole moved down */
	KUNIT_EXPECT_EQ(test, le64_to_cpu(de->d_ino), 106ULL);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 4096, &why), 0);
	for (i = 0; i < n; i++) {
		u32 len = scnprintf(name, sizeof(name), "file-%u", i);

		de = vexfs_bucket_find(blk, i + 1, name, len);
		if (de)
			vexfs_bucket_remove(blk, de);
	}
	KUNIT_EXPECT_EQ(test, vexfs_bucket_free(blk, 4096), free0);
}

static void vexfs_dir_bucket_corrupt_test(struct kunit *test)
{
	u8 *blk = kunit_kzalloc(test, 1024, GFP_KERNEL);
	struct vexfs_bucket_header *bh = (void *)blk;
	struct vexfs_dirent *de = (void *)(blk + 24);
	const char *why = "";

	KUNIT_ASSERT_NOT_NULL(test, blk);
	vexfs_bucket_init(blk, 1024);
	vexfs_bucket_add(blk, 5, 9, "abc", 3, VEXFS_FT_REG);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), 0);
	de->d_name_len = 200;		/* overruns the used bytes */
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	de->d_name_len = 0;
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	de->d_name_len = 3;
	de->d_name[1] = '/';
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	de->d_name[1] = 'b';
	de->d_ino = 0;
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	de->d_ino = cpu_to_le64(9);
	bh->bb_count = cpu_to_le16(2);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	bh->bb_count = cpu_to_le16(1);
	bh->bb_used = cpu_to_le16(2000);
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
	bh->bb_used = cpu_to_le16(VEXFS_DIRENT_SIZE(3));
	bh->bb_magic = 0;
	KUNIT_EXPECT_EQ(test, vexfs_bucket_validate(blk, 1024, &why), -EUCLEAN);
}

/* Every hash lands in a bucket whose range holds it; ranges tile the space. */
static void vexfs_dir_linear_hash_test(struct kunit *test)
{
	static const u32 geo[][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 3, 5 }, { 7, 100 },
				      { 12, 4095 }, { 20, 1 } };
	u32 i, b, j;
	u64 x = 0x9e3779b97f4a7c15ULL;

	for (i = 0; i < ARRAY_SIZE(geo); i++) {
		u32 level = geo[i][0], split = geo[i][1];
		u32 nb = (1U << level) + split;
		u64 covered = 0, lo, hi;

		for (j = 0; j < 2000; j++) {
			u64 h;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			h = x >> 2;
			b = vexfs_dir_bucket(h, level, split);
			KUNIT_ASSERT_LT(test, b, nb);
			vexfs_dir_bucket_range(b, level, split, &lo, &hi);
			KUNIT_EXPECT_TRUE(test, h >= lo && h < hi);
		}
		if (nb > 5000)
			continue;
		for (b = 0; b < nb; b++) {
			vexfs_dir_bucket_range(b, level, split, &lo, &hi);
			covered += hi - lo;
			KUNIT_EXPECT_EQ(test, vexfs_dir_bucket(lo, level, split), b);
			KUNIT_EXPECT_EQ(test, vexfs_dir_bucket(hi - 1, level, split), b);
		}
		KUNIT_EXPECT_EQ(test, covered, 1ULL << VEXFS_HASH_BITS);
	}
}

static void vexfs_dir_hash_test(struct kunit *test)
{
	static const u64 key[2] = { 1, 2 }, key2[2] = { 1, 3 };
	u64 a = vexfs_name_hash(key, "hello", 5);

	KUNIT_EXPECT_LT(test, a, 1ULL << VEXFS_HASH_BITS);
	KUNIT_EXPECT_EQ(test, a, vexfs_name_hash(key, "hello", 5));
	KUNIT_EXPECT_NE(test, a, vexfs_name_hash(key, "hellp", 5));
	KUNIT_EXPECT_NE(test, a, vexfs_name_hash(key2, "hello", 5));	/* keyed */
}

/*
 * Directory blocks are sealed from their bytes in use and the kernel's
 * __crc32c_le_shift for the zero rest: the same sum as over the whole block.
 */
static void vexfs_dir_seal_test(struct kunit *test)
{
	u8 *blk = kunit_kzalloc(test, 4096, GFP_KERNEL);
	u32 used, k;

	KUNIT_ASSERT_NOT_NULL(test, blk);
	for (used = 24; used <= 4096; used += 509) {
		memset(blk, 0, 4096);
		for (k = 0; k < used; k++)
			blk[k] = (u8)(k * 31 + used);
		KUNIT_EXPECT_EQ(test, vexfs_block_csum_used(0x1234567, 77, blk, used, 4096, 4),
				vexfs_block_csum(0x1234567, 77, blk, 4096, 4));
		KUNIT_EXPECT_EQ(test, vexfs_block_csum_used(0x1234567, 77, blk, used, 1024 > used ?
							    1024 : used, 4),
				vexfs_block_csum(0x1234567, 77, blk, 1024 > used ? 1024 : used, 4));
		KUNIT_EXPECT_TRUE(test, vexfs_zero_tail(blk, used, 4096));
	}
	blk[4095] = 1;
	KUNIT_EXPECT_FALSE(test, vexfs_zero_tail(blk, 0, 4096));

	/* bitmap sums updated from the flipped bits alone */
	for (k = 0; k < 300; k++) {
		u32 first = (k * 977) % 32768, n = 1 + k % 40, before, j;

		if (first + n > 32768)
			n = 32768 - first;
		blk[(k * 13) % 4096] ^= (u8)k;
		before = vexfs_bitmap_csum(0x55, blk, 4096);
		for (j = first; j < first + n; j++)
			blk[j / 8] ^= (u8)(1U << (j % 8));
		KUNIT_EXPECT_EQ(test, vexfs_bitmap_csum_flip(0x55, before, blk, 4096, first, n),
				vexfs_bitmap_csum(0x55, blk, 4096));
	}
}

static struct kunit_case vexfs_dir_cases[] = {
	KUNIT_CASE(vexfs_dir_seal_test),
	KUNIT_CASE(vexfs_dir_bucket_ops_test),
	KUNIT_CASE(vexfs_dir_bucket_corrupt_test),
	KUNIT_CASE(vexfs_dir_linear_hash_test),
	KUNIT_CASE(vexfs_dir_hash_test),
	{}
};

static struct kunit_suite vexfs_dir_suite = {
	.name = "vexfs_dir",
	.test_cases = vexfs_dir_cases,
};

kunit_test_suites(&vexfs_sb_suite, &vexfs_bitmap_suite, &vexfs_bmap_suite, &vexfs_dir_suite);
