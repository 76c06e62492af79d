// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_format.c - native tests of the shared VexFS core (src/core/format.c,
 * src/core/dir.c and the userspace crc32c/siphash hooks): checksum and hash
 * test vectors, superblock validation (one corruption per case, each with its
 * errno), mkfs geometry over block sizes and device sizes, bitmap helpers,
 * block-map paths at every level boundary, bucket blocks and linear-hash
 * bucket addressing.
 */
#define VT_SEED 0x0123456789abcdefULL
#include "vtest.h"
#include "core/format.h"
#include "core/vann.h"
#include "core/vgraph.h"


#define HASH_LIMIT (1ULL << VEXFS_HASH_BITS)

/* ---- checksums and hashes ---------------------------------------------- */

static void test_crc32c_vector(void)
{
	/* The standard CRC-32C check value, with the conventional init and final xor. */
	VT_EQ(vexfs_crc32c(~0U, "123456789", 9) ^ ~0U, 0xE3069283U);
	/* Raw convention: no final inversion, chaining equals one call. */
	VT_EQ(vexfs_crc32c(vexfs_crc32c(~0U, "1234", 4), "56789", 5),
	      vexfs_crc32c(~0U, "123456789", 9));
	VT_EQ(vexfs_crc32c(~0U, "", 0), ~0U);
}

static void test_csum_definitions(void)
{
	u8 uuid[16], blk[1024];
	struct vexfs_super_block sb;
	struct vexfs_group_desc gd;
	struct vexfs_inode ino;
	__le32 g = cpu_to_le32(5);
	__le64 i = cpu_to_le64(42);
	u32 seed, crc;
	int k;

	for (k = 0; k < 16; k++)
		uuid[k] = (u8)(k * 7 + 1);
	seed = vexfs_csum_seed(uuid);
	VT_EQ(seed, vexfs_crc32c(~0U, uuid, 16));

	memset(&sb, 0xa5, sizeof(sb));
	VT_EQ(vexfs_sb_csum(&sb), vexfs_crc32c(~0U, &sb, 1020));

	memset(&gd, 0x3c, sizeof(gd));
	crc = vexfs_crc32c(vexfs_crc32c(seed, &g, 4), &gd, 60);
	VT_EQ(vexfs_gd_csum(seed, 5, &gd), crc);

	memset(&ino, 0x5a, sizeof(ino));
	crc = vexfs_crc32c(vexfs_crc32c(seed, &i, 8), &ino, 252);
	VT_EQ(vexfs_inode_csum(seed, 42, &ino), crc);

	/* Block checksum: the 4-byte field counts as zero, whatever it holds. */
	for (k = 0; k < 1024; k++)
		blk[k] = (u8)vt_rnd();
	crc = vexfs_block_csum(seed, 42, blk, 1024, 4);
	blk[4] ^= 0xff;
	VT_EQ(vexfs_block_csum(seed, 42, blk, 1024, 4), crc);
	memset(blk + 4, 0, 4);
	VT_EQ(crc, vexfs_crc32c(vexfs_crc32c(seed, &i, 8), blk, 1024));
	/* ... and the owner inode is part of it. */
	VT_CHECK(vexfs_block_csum(seed, 43, blk, 1024, 4) != crc);
	/* tail position (indirect blocks) */
	crc = vexfs_block_csum(seed, 42, blk, 1024, 1020);
	memset(blk + 1020, 0, 4);
	VT_EQ(crc, vexfs_crc32c(vexfs_crc32c(seed, &i, 8), blk, 1024));
	VT_EQ(vexfs_bitmap_csum(seed, blk, 100), vexfs_crc32c(seed, blk, 100));

	/* Sealed from the bytes in use: the same sum when the rest is zero. */
	for (k = 24; k <= 1024; k += 100) {
		u8 big[8192];

		memset(blk + k, 0, 1024 - k);
		VT_EQ(vexfs_block_csum_used(seed, 42, blk, k, 1024, 4),
		      vexfs_block_csum(seed, 42, blk, 1024, 4));
		VT_CHECK(vexfs_zero_tail(blk, k, 1024));
		memcpy(big, blk, 1024);
		memset(big + 1024, 0, sizeof(big) - 1024);
		VT_EQ(vexfs_block_csum_used(seed, 42, big, k, sizeof(big), 4),
		      vexfs_block_csum(seed, 42, big, sizeof(big), 4));
	}
	/* bitmap sums updated from the flipped bits alone, any run, any place */
	for (k = 0; k < 2000; k++) {
		u32 bytes = (k & 1) ? 1024 : 128, first = (u32)(vt_rnd() % (bytes * 8)), n, j;
		u32 before;

		n = 1 + (u32)(vt_rnd() % ((k % 3) ? 20 : bytes * 8 - first));
		if (first + n > bytes * 8)
			n = bytes * 8 - first;
		for (j = 0; j < bytes; j++)
			blk[j] = (u8)vt_rnd();
		before = vexfs_bitmap_csum(seed, blk, bytes);
		for (j = first; j < first + n; j++)
			blk[j / 8] ^= (u8)(1U << (j % 8));
		VT_EQ(vexfs_bitmap_csum_flip(seed, before, blk, bytes, first, n),
		      vexfs_bitmap_csum(seed, blk, bytes));
	}
	memset(blk, 0, 1024);
	blk[1023] = 1;
	VT_CHECK(!vexfs_zero_tail(blk, 1000, 1024));
	VT_CHECK(vexfs_zero_tail(blk, 1024, 1024));
	blk[1023] = 0;
	blk[1001] = 1;
	VT_CHECK(!vexfs_zero_tail(blk, 1001, 1024));
	VT_CHECK(vexfs_zero_tail(blk, 1002, 1024));
}

/* Reference SipHash-2-4 outputs: key 00..0f, message 00 01 .. (n-1). */
static const u64 sip_vectors[] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL, 0x3f2acc7f57c29bdbULL,
};

static void test_siphash_vectors(void)
{
	siphash_key_t key = { { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL } };
	u64 k2[2] = { key.key[0], key.key[1] };
	u8 msg[64];
	u32 n;

	for (n = 0; n < sizeof(msg); n++)
		msg[n] = (u8)n;
	for (n = 0; n < ARRAY_SIZE(sip_vectors); n++) {
		VT_CHECK_MSG(siphash(msg, n, &key) == sip_vectors[n], "length %u", n);
		/* VexFS name hash: the top 62 bits */
		VT_EQ(vexfs_name_hash(k2, (const char *)msg, n), sip_vectors[n] >> 2);
		VT_CHECK(vexfs_name_hash(k2, (const char *)msg, n) < HASH_LIMIT);
	}
}

/* ---- superblock validation ---------------------------------------------- */

/* A superblock as mkfs.vexfs writes it for @g (the shared initialiser). */
static void make_sb(struct vexfs_super_block *sb, const struct vexfs_geom *g)
{
	static const u64 key[2] = { 0x1122334455667788ULL, 0x99aabbccddeeff00ULL };
	u8 uuid[16];
	int k;

	for (k = 0; k < 16; k++)
		uuid[k] = (u8)(0x10 + k);
	vexfs_sb_init(sb, g, uuid, key, 0, g->blocks / 2, g->inodes - 7);
}

#define DEV_BYTES (1ULL << 30)	/* 1 GiB, 4 KiB blocks */

struct sb_case {
	const char *name;
	void (*mutate)(struct vexfs_super_block *sb, const struct vexfs_geom *g);
	int err;
	bool keep_csum;		/* do not recompute the checksum after mutate */
	u64 dev_bytes;		/* 0: DEV_BYTES */
	u32 flags;
};

#define M(name, body) \
static void mut_##name(struct vexfs_super_block *sb, const struct vexfs_geom *g) { body; }

M(none, (void)sb)
M(magic, sb->s_magic = cpu_to_le32(0x56455847))
M(csum, sb->s_checksum = cpu_to_le32(le32_to_cpu(sb->s_checksum) ^ 1))
M(csum_field, sb->s_label[3] = 'x')
M(version0, sb->s_version = 0)
M(version2, sb->s_version = cpu_to_le32(2))
M(incompat_unknown, sb->s_feature_incompat = cpu_to_le64(VEXFS_FEATURE_INCOMPAT_VECTORS | 0x8))
M(ann_ok, sb->s_feature_incompat = cpu_to_le64(VEXFS_FEATURE_INCOMPAT_VECTORS |
					       VEXFS_FEATURE_INCOMPAT_ANN);
  sb->s_ann_ino = cpu_to_le64(VEXFS_ANN_INO); sb->s_ann_gen = cpu_to_le32(3))
M(ann_no_ino, sb->s_feature_incompat = cpu_to_le64(VEXFS_FEATURE_INCOMPAT_VECTORS |
						   VEXFS_FEATURE_INCOMPAT_ANN);
  sb->s_ann_gen = cpu_to_le32(1))
M(ann_no_vectors, sb->s_feature_incompat = cpu_to_le64(VEXFS_FEATURE_INCOMPAT_ANN);
  sb->s_ann_ino = cpu_to_le64(VEXFS_ANN_INO); sb->s_ann_gen = cpu_to_le32(1))
M(ann_fields_only, sb->s_ann_gen = cpu_to_le32(1))
M(incompat_high, sb->s_feature_incompat = cpu_to_le64(1ULL << 63))
M(ro_compat, sb->s_feature_ro_compat = cpu_to_le64(0x4))
M(compat, sb->s_feature_compat = cpu_to_le64(0x8))
M(bits9, sb->s_block_size_bits = cpu_to_le32(9))
M(bits13, sb->s_block_size_bits = cpu_to_le32(13))
M(bits10, sb->s_block_size_bits = cpu_to_le32(10))
M(isize128, sb->s_inode_size = cpu_to_le32(128))
M(isize512, sb->s_inode_size = cpu_to_le32(512))
M(blocks0, sb->s_blocks_count = 0)
M(blocks_huge, sb->s_blocks_count = cpu_to_le64((1ULL << 48) + 1))
M(blocks_more, sb->s_blocks_count = cpu_to_le64(g->blocks + 1))
M(bpg_half, sb->s_blocks_per_group = cpu_to_le32(g->blocks_per_group / 2))
M(bpg_double, sb->s_blocks_per_group = cpu_to_le32(g->blocks_per_group * 2))
M(ipg0, sb->s_inodes_per_group = 0)
M(ipg_odd, sb->s_inodes_per_group = cpu_to_le32(g->inodes_per_group + 1))
M(ipg_big, sb->s_inodes_per_group = cpu_to_le32(g->blocks_per_group + g->inodes_per_block))
M(ipg_other, sb->s_inodes_per_group = cpu_to_le32(g->inodes_per_group + g->inodes_per_block))
M(groups_more, sb->s_group_count = cpu_to_le32(g->groups + 1))
M(groups_less, sb->s_group_count = cpu_to_le32(g->groups - 1))
M(inodes_more, sb->s_inodes_count = cpu_to_le64(g->inodes + 1))
M(gdt_blocks, sb->s_gdt_blocks = cpu_to_le32(g->gdt_blocks + 1))
M(gdt_start, sb->s_gdt_start = cpu_to_le64(2))
M(journal_start, sb->s_journal_start = cpu_to_le64(g->journal_start + 1))
M(journal_small, sb->s_journal_blocks = cpu_to_le32(VEXFS_MIN_JOURNAL_BLOCKS - 1))
M(journal_big, sb->s_journal_blocks = cpu_to_le32(VEXFS_MAX_JOURNAL_BLOCKS + 1))
M(journal_group0, sb->s_journal_blocks = cpu_to_le32(g->blocks_per_group))
M(journal_min, sb->s_journal_blocks = cpu_to_le32(VEXFS_MIN_JOURNAL_BLOCKS))
M(free_blocks, sb->s_free_blocks = cpu_to_le64(g->blocks + 1))
M(free_blocks_all, sb->s_free_blocks = cpu_to_le64(g->blocks))
M(free_inodes, sb->s_free_inodes = cpu_to_le64(g->inodes + 1))
M(root2, sb->s_root_ino = cpu_to_le64(2))
M(root0, sb->s_root_ino = 0)
M(first7, sb->s_first_ino = cpu_to_le64(7))
M(first9, sb->s_first_ino = cpu_to_le64(9))
M(orphan_reserved, sb->s_orphan_head = cpu_to_le64(3))
M(orphan_root, sb->s_orphan_head = cpu_to_le64(1))
M(orphan_past, sb->s_orphan_head = cpu_to_le64(g->inodes + 1))
M(orphan_first, sb->s_orphan_head = cpu_to_le64(VEXFS_FIRST_INO))
M(orphan_last, sb->s_orphan_head = cpu_to_le64(g->inodes))
M(errors4, sb->s_errors = cpu_to_le16(4))
M(errors3, sb->s_errors = cpu_to_le16(VEXFS_ERRORS_PANIC))
M(state_error, sb->s_state = cpu_to_le32(VEXFS_STATE_ERROR))

static const struct sb_case sb_cases[] = {
	{ .name = "valid", .mutate = mut_none, .err = 0 },
	{ .name = "bad magic", .mutate = mut_magic, .err = -EINVAL, .keep_csum = true },
	{ .name = "bad magic (checksum recomputed)", .mutate = mut_magic, .err = -EINVAL },
	{ .name = "checksum flipped", .mutate = mut_csum, .err = -EUCLEAN, .keep_csum = true },
	{ .name = "field changed, stale checksum", .mutate = mut_csum_field, .err = -EUCLEAN,
	  .keep_csum = true },
	{ .name = "version 0", .mutate = mut_version0, .err = -EOPNOTSUPP },
	{ .name = "version 2", .mutate = mut_version2, .err = -EOPNOTSUPP },
	{ .name = "unknown incompat bit", .mutate = mut_incompat_unknown, .err = -EOPNOTSUPP },
	{ .name = "ANN index", .mutate = mut_ann_ok, .err = 0 },
	{ .name = "ANN index without its inode", .mutate = mut_ann_no_ino, .err = -EUCLEAN },
	{ .name = "ANN index without vectors", .mutate = mut_ann_no_vectors, .err = -EUCLEAN },
	{ .name = "ANN fields without the feature", .mutate = mut_ann_fields_only, .err = -EUCLEAN },
	{ .name = "incompat unknown bit 63", .mutate = mut_incompat_high, .err = -EOPNOTSUPP },
	{ .name = "unknown ro_compat: read-only", .mutate = mut_ro_compat, .err = 0,
	  .flags = VEXFS_SB_RO_FEATURES },
	{ .name = "unknown compat ignored", .mutate = mut_compat, .err = 0 },
	{ .name = "block bits 9", .mutate = mut_bits9, .err = -EUCLEAN },
	{ .name = "block bits 13", .mutate = mut_bits13, .err = -EUCLEAN },
	{ .name = "block bits 10 (bpg mismatch)", .mutate = mut_bits10, .err = -EUCLEAN },
	{ .name = "inode size 128", .mutate = mut_isize128, .err = -EUCLEAN },
	{ .name = "inode size 512", .mutate = mut_isize512, .err = -EUCLEAN },
	{ .name = "blocks 0", .mutate = mut_blocks0, .err = -EUCLEAN },
	{ .name = "blocks > 2^48", .mutate = mut_blocks_huge, .err = -EUCLEAN },
	{ .name = "fs larger than device", .mutate = mut_none, .err = -EUCLEAN,
	  .dev_bytes = DEV_BYTES - 4096 },
	{ .name = "device size unknown", .mutate = mut_none, .err = 0, .dev_bytes = ~0ULL },
	{ .name = "blocks + 1 (group count)", .mutate = mut_blocks_more, .err = -EUCLEAN,
	  .dev_bytes = 2 * DEV_BYTES },
	{ .name = "bpg halved", .mutate = mut_bpg_half, .err = -EUCLEAN },
	{ .name = "bpg doubled", .mutate = mut_bpg_double, .err = -EUCLEAN },
	{ .name = "ipg 0", .mutate = mut_ipg0, .err = -EUCLEAN },
	{ .name = "ipg not a multiple of inodes per block", .mutate = mut_ipg_odd, .err = -EUCLEAN },
	{ .name = "ipg > 8 * block size", .mutate = mut_ipg_big, .err = -EUCLEAN },
	{ .name = "ipg changed (inode count)", .mutate = mut_ipg_other, .err = -EUCLEAN },
	{ .name = "group count + 1", .mutate = mut_groups_more, .err = -EUCLEAN },
	{ .name = "group count - 1", .mutate = mut_groups_less, .err = -EUCLEAN },
	{ .name = "inode count + 1", .mutate = mut_inodes_more, .err = -EUCLEAN },
	{ .name = "gdt blocks + 1", .mutate = mut_gdt_blocks, .err = -EUCLEAN },
	{ .name = "gdt start 2", .mutate = mut_gdt_start, .err = -EUCLEAN },
	{ .name = "journal start + 1", .mutate = mut_journal_start, .err = -EUCLEAN },
	{ .name = "journal < min", .mutate = mut_journal_small, .err = -EUCLEAN },
	{ .name = "journal > max", .mutate = mut_journal_big, .err = -EUCLEAN },
	{ .name = "journal fills group 0", .mutate = mut_journal_group0, .err = -EUCLEAN },
	{ .name = "journal at min", .mutate = mut_journal_min, .err = 0 },
	{ .name = "free blocks > blocks", .mutate = mut_free_blocks, .err = -EUCLEAN },
	{ .name = "free blocks == blocks", .mutate = mut_free_blocks_all, .err = 0 },
	{ .name = "free inodes > inodes", .mutate = mut_free_inodes, .err = -EUCLEAN },
	{ .name = "root ino 2", .mutate = mut_root2, .err = -EUCLEAN },
	{ .name = "root ino 0", .mutate = mut_root0, .err = -EUCLEAN },
	{ .name = "first ino 7", .mutate = mut_first7, .err = -EUCLEAN },
	{ .name = "first ino 9", .mutate = mut_first9, .err = -EUCLEAN },
	{ .name = "orphan head reserved", .mutate = mut_orphan_reserved, .err = -EUCLEAN },
	{ .name = "orphan head root", .mutate = mut_orphan_root, .err = -EUCLEAN },
	{ .name = "orphan head past inodes", .mutate = mut_orphan_past, .err = -EUCLEAN },
	{ .name = "orphan head first ino", .mutate = mut_orphan_first, .err = 0 },
	{ .name = "orphan head last ino", .mutate = mut_orphan_last, .err = 0 },
	{ .name = "errors behaviour 4", .mutate = mut_errors4, .err = -EUCLEAN },
	{ .name = "errors behaviour panic", .mutate = mut_errors3, .err = 0 },
	{ .name = "state error (still mountable)", .mutate = mut_state_error, .err = 0 },
};

static void test_sb_validate_table(void)
{
	struct vexfs_geom plan, g;
	struct vexfs_super_block sb;
	const char *why;
	u32 flags, i;
	int err;

	err = vexfs_geom_plan(&plan, 12, DEV_BYTES >> 12, 0, 0, &why);
	VT_EQ(err, 0);
	for (i = 0; i < ARRAY_SIZE(sb_cases); i++) {
		const struct sb_case *c = &sb_cases[i];
		u64 dev = c->dev_bytes == ~0ULL ? 0 : (c->dev_bytes ? c->dev_bytes : DEV_BYTES);

		make_sb(&sb, &plan);
		c->mutate(&sb, &plan);
		if (!c->keep_csum)
			sb.s_checksum = cpu_to_le32(vexfs_sb_csum(&sb));
		why = NULL;
		flags = 0xdead;
		err = vexfs_sb_validate(&sb, dev, &g, &why, &flags);
		VT_CHECK_MSG(err == c->err, "case '%s': got %d (%s), want %d", c->name, err,
			     why ? why : "-", c->err);
		VT_CHECK_MSG(err == 0 || why, "case '%s': no reason given", c->name);
		if (!c->err) {
			VT_CHECK_MSG(flags == c->flags, "case '%s': flags %#x", c->name, flags);
			VT_EQ(g.blocks, plan.blocks);
			VT_EQ(g.groups, plan.groups);
			VT_EQ(g.inodes, plan.inodes);
			VT_EQ(g.itable_blocks, plan.itable_blocks);
			VT_EQ(g.gdt_blocks, plan.gdt_blocks);
			VT_EQ(g.journal_start, plan.journal_start);
		}
	}
}

/* ---- geometry ------------------------------------------------------------ */

static u32 want_journal(u32 bits, u64 blocks)
{
	u64 bytes = blocks << bits, j;

	j = bytes < (512ULL << 20) ? 4 : bytes < (4ULL << 30) ? 16 : bytes < (64ULL << 30) ? 64 : 128;
	j = (j << 20) >> bits;
	if (j < VEXFS_MIN_JOURNAL_BLOCKS)
		j = VEXFS_MIN_JOURNAL_BLOCKS;
	if (j > (4ULL << bits))		/* half of group 0 */
		j = 4ULL << bits;
	return (u32)j;
}

static void check_plan(u32 bits, u64 bytes)
{
	u64 blocks = bytes >> bits, want_inodes = bytes / 16384;
	struct vexfs_super_block sb;
	struct vexfs_geom g, v;
	const char *why = NULL;
	u32 grp, fl;
	int err;

	err = vexfs_geom_plan(&g, bits, blocks, 0, 0, &why);
	VT_CHECK_MSG(!err, "bits %u bytes %llu: %d %s", bits, (unsigned long long)bytes, err,
		     why ? why : "");
	if (err)
		return;
	VT_EQ(g.block_size, 1U << bits);
	VT_EQ(g.blocks_per_group, 8U << bits);
	VT_EQ(g.inodes_per_block, (1U << bits) / VEXFS_INODE_SIZE);
	VT_CHECK(g.blocks <= blocks && blocks - g.blocks < g.blocks_per_group);
	VT_EQ(g.groups, VEXFS_DIV_ROUND_UP(g.blocks, (u64)g.blocks_per_group));
	VT_EQ(g.gdt_start, 1);
	VT_EQ(g.gdt_blocks, VEXFS_DIV_ROUND_UP((u64)g.groups * 64, (u64)g.block_size));
	VT_EQ(g.journal_start, 1 + g.gdt_blocks);
	VT_EQ(g.journal_blocks, want_journal(bits, blocks));
	VT_EQ(g.inodes, (u64)g.groups * g.inodes_per_group);
	VT_EQ(g.inodes_per_group % g.inodes_per_block, 0);
	VT_CHECK(g.inodes_per_group <= g.blocks_per_group);
	VT_CHECK(g.inodes >= VEXFS_MIN(want_inodes, (u64)g.groups * g.blocks_per_group));
	VT_EQ(g.itable_blocks, g.inodes_per_group / g.inodes_per_block);
	/* every group's metadata fits, with room for data */
	for (grp = 0; grp < g.groups; grp++) {
		u64 bb, ib, it, start = (u64)grp * g.blocks_per_group;
		u32 n = vexfs_group_blocks(&g, grp);

		vexfs_group_meta(&g, grp, &bb, &ib, &it);
		if (vexfs_group_overhead(&g, grp) >= n) {
			VT_CHECK_MSG(0, "bits %u bytes %llu group %u: overhead %u >= %u", bits,
				     (unsigned long long)bytes, grp, vexfs_group_overhead(&g, grp), n);
			break;
		}
		if (grp) {
			VT_EQ(bb, start);
		} else {
			VT_EQ(bb, g.journal_start + g.journal_blocks);
			VT_EQ(it + g.itable_blocks, vexfs_group_overhead(&g, 0));
		}
		VT_EQ(ib, bb + 1);
		VT_EQ(it, bb + 2);
		VT_CHECK(it + g.itable_blocks <= start + n);
	}
	/* the runt rule: a last group too small for its metadata is dropped */
	if (g.blocks < blocks) {
		struct vexfs_geom t = g;

		t.blocks = blocks;
		t.groups++;
		VT_CHECK(vexfs_group_overhead(&t, t.groups - 1) >= vexfs_group_blocks(&t, t.groups - 1));
	}
	/* what mkfs writes from the plan validates */
	make_sb(&sb, &g);
	VT_EQ(vexfs_sb_validate(&sb, bytes, &v, &why, &fl), 0);
	VT_EQ(v.groups, g.groups);
}

static void test_geom_plan_sizes(void)
{
	static const u64 sizes[] = { 16ULL << 20, 1ULL << 30, 100ULL << 30, 1ULL << 40 };
	struct vexfs_geom g;
	const char *why;
	u32 bits, i;

	for (bits = VEXFS_MIN_BLOCK_BITS; bits <= VEXFS_MAX_BLOCK_BITS; bits++)
		for (i = 0; i < ARRAY_SIZE(sizes); i++)
			if (bits > 10 || sizes[i] < (1ULL << 40))
				check_plan(bits, sizes[i]);
	/*
	 * Format limit: the group descriptor table lives in group 0 (no
	 * meta_bg), so with 1 KiB blocks it fills group 0 at about 495 GiB.
	 */
	check_plan(10, 495ULL << 30);
	VT_EQ(vexfs_geom_plan(&g, 10, (1ULL << 40) >> 10, 0, 0, &why), -ENOSPC);
	VT_EQ(vexfs_geom_plan(&g, 10, (496ULL << 30) >> 10, 0, 0, &why), -ENOSPC);
	/* 2 KiB blocks: the table fills group 0 at about 7.7 TiB */
	check_plan(11, 7ULL << 40);
	VT_EQ(vexfs_geom_plan(&g, 11, (8ULL << 40) >> 11, 0, 0, &why), -ENOSPC);
	/* 4 KiB blocks: 2^32 inodes at the default density (16 KiB each) */
	check_plan(12, (64ULL << 40) - (128ULL << 20));
	VT_EQ(vexfs_geom_plan(&g, 12, (64ULL << 40) >> 12, 0, 0, &why), -ENOSPC);
	VT_EQ(vexfs_geom_plan(&g, 12, (64ULL << 40) >> 12, 1 << 20, 0, &why), 0);
}

static void test_geom_plan_edges(void)
{
	struct vexfs_geom g;
	const char *why;
	u32 bits;

	for (bits = 10; bits <= 12; bits++) {
		u64 bpg = 8ULL << bits;

		/* a 10-block runt after two full groups is dropped */
		VT_EQ(vexfs_geom_plan(&g, bits, 2 * bpg + 10, 0, 0, &why), 0);
		VT_EQ(g.blocks, 2 * bpg);
		VT_EQ(g.groups, 2);
		/* a runt big enough for its metadata is kept */
		VT_EQ(vexfs_geom_plan(&g, bits, 2 * bpg + bpg / 2, 0, 0, &why), 0);
		VT_EQ(g.blocks, 2 * bpg + bpg / 2);
		VT_EQ(g.groups, 3);
		/* explicit inode count and journal size are honoured */
		VT_EQ(vexfs_geom_plan(&g, bits, 4 * bpg, 10000, 2048, &why), 0);
		VT_CHECK(g.inodes >= 10000);
		VT_EQ(g.journal_blocks, 2048);
		/* a journal too large for group 0 */
		VT_EQ(vexfs_geom_plan(&g, bits, 4 * bpg, 0, (u32)bpg, &why), -ENOSPC);
		/* too small for group 0's metadata */
		VT_EQ(vexfs_geom_plan(&g, bits, 1024, 0, 0, &why), -ENOSPC);
		VT_EQ(vexfs_geom_plan(&g, bits, 0, 0, 0, &why), -ENOSPC);
	}
	/* ipg is a whole number of bitmap bytes (1 KiB blocks: 4 inodes per block) */
	VT_EQ(vexfs_geom_plan(&g, 10, 65536, 4100, 0, &why), 0);
	VT_EQ(g.inodes_per_group % 8, 0);
	VT_CHECK(g.inodes >= 4100);
	VT_EQ(vexfs_geom_plan(&g, 9, 1 << 20, 0, 0, &why), -EINVAL);
	VT_EQ(vexfs_geom_plan(&g, 13, 1 << 20, 0, 0, &why), -EINVAL);
	VT_EQ(vexfs_geom_plan(&g, 12, (1ULL << 48) + 1, 0, 0, &why), -EINVAL);
	VT_EQ(vexfs_geom_plan(&g, 12, 1 << 20, 0, 100, &why), -ENOSPC);
}

static void test_gd_validate(void)
{
	struct vexfs_group_desc gd;
	struct vexfs_geom g;
	const char *why;
	u64 bb, ib, it;
	u32 grp;

	VT_EQ(vexfs_geom_plan(&g, 12, 100000, 0, 0, &why), 0);
	for (grp = 0; grp < g.groups; grp++) {
		memset(&gd, 0, sizeof(gd));
		vexfs_group_meta(&g, grp, &bb, &ib, &it);
		gd.bg_block_bitmap = cpu_to_le64(bb);
		gd.bg_inode_bitmap = cpu_to_le64(ib);
		gd.bg_inode_table = cpu_to_le64(it);
		gd.bg_free_blocks = cpu_to_le32(vexfs_group_blocks(&g, grp));
		gd.bg_free_inodes = cpu_to_le32(g.inodes_per_group);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), 0);
		gd.bg_free_blocks = cpu_to_le32(vexfs_group_blocks(&g, grp) + 1);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
		gd.bg_free_blocks = 0;
		gd.bg_used_dirs = cpu_to_le32(g.inodes_per_group + 1);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
		gd.bg_used_dirs = 0;
		gd.bg_inode_bitmap = cpu_to_le64(bb);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
		gd.bg_inode_bitmap = cpu_to_le64(it);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
		gd.bg_inode_bitmap = cpu_to_le64(ib);
		gd.bg_inode_table = cpu_to_le64(grp ? bb - 1 : g.journal_start);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
		gd.bg_inode_table = cpu_to_le64(~0ULL - 2);
		VT_EQ(vexfs_gd_validate(&g, grp, &gd, &why), -EUCLEAN);
	}
}

/* ---- bitmaps ------------------------------------------------------------- */

static void test_bitmap_helpers(void)
{
	u8 map[64];
	u32 i;

	memset(map, 0xff, sizeof(map));
	VT_EQ(vexfs_find_next_zero(map, 512, 0), 512);
	VT_EQ(vexfs_find_next_zero(map, 500, 3), 500);
	VT_EQ(vexfs_count_zero(map, 512), 0);
	VT_EQ(vexfs_zero_run(map, 512, 0, 100), 0);

	vexfs_clear_bit(map, 200);
	VT_CHECK(!vexfs_test_bit(map, 200) && vexfs_test_bit(map, 199) && vexfs_test_bit(map, 201));
	VT_EQ(vexfs_find_next_zero(map, 512, 0), 200);
	VT_EQ(vexfs_find_next_zero(map, 512, 64), 200);
	VT_EQ(vexfs_find_next_zero(map, 512, 199), 200);
	VT_EQ(vexfs_find_next_zero(map, 512, 200), 200);
	VT_EQ(vexfs_find_next_zero(map, 512, 201), 512);
	VT_EQ(vexfs_find_next_zero(map, 200, 0), 200);	/* outside nbits */
	VT_EQ(vexfs_count_zero(map, 512), 1);
	VT_EQ(vexfs_count_zero(map, 200), 0);
	VT_EQ(vexfs_count_zero(map, 201), 1);

	/* word boundaries: bits 63, 64, 127, 128 and a tail not multiple of 64 */
	memset(map, 0xff, sizeof(map));
	vexfs_clear_bit(map, 63);
	vexfs_clear_bit(map, 64);
	vexfs_clear_bit(map, 127);
	vexfs_clear_bit(map, 128);
	vexfs_clear_bit(map, 298);
	VT_EQ(vexfs_find_next_zero(map, 512, 0), 63);
	VT_EQ(vexfs_find_next_zero(map, 512, 64), 64);
	VT_EQ(vexfs_find_next_zero(map, 512, 65), 127);
	VT_EQ(vexfs_find_next_zero(map, 512, 129), 298);
	VT_EQ(vexfs_find_next_zero(map, 300, 129), 298);
	VT_EQ(vexfs_find_next_zero(map, 298, 129), 298);
	VT_EQ(vexfs_zero_run(map, 512, 63, 10), 2);
	VT_EQ(vexfs_zero_run(map, 512, 127, 10), 2);
	VT_EQ(vexfs_zero_run(map, 512, 127, 1), 1);
	VT_EQ(vexfs_zero_run(map, 128, 127, 10), 1);
	VT_EQ(vexfs_count_zero(map, 512), 5);
	VT_EQ(vexfs_count_zero(map, 299), 5);
	VT_EQ(vexfs_count_zero(map, 298), 4);

	/* long zero runs across words */
	memset(map, 0, sizeof(map));
	vexfs_set_bit(map, 400);
	VT_EQ(vexfs_zero_run(map, 512, 5, 1000), 395);
	VT_EQ(vexfs_zero_run(map, 512, 401, 1000), 111);
	VT_EQ(vexfs_zero_run(map, 512, 0, 64), 64);
	VT_EQ(vexfs_count_zero(map, 512), 511);
	VT_EQ(vexfs_find_next_zero(map, 512, 400), 401);
	for (i = 0; i < 512; i++)
		vexfs_set_bit(map, i);
	VT_EQ(vexfs_count_zero(map, 512), 0);
	for (i = 0; i < 512; i += 3)
		vexfs_clear_bit(map, i);
	VT_EQ(vexfs_count_zero(map, 512), 171);
	VT_EQ(vexfs_find_next_zero(map, 512, 1), 3);
	VT_EQ(vexfs_find_next_zero(map, 512, 509), 510);
}

/* ---- block map ----------------------------------------------------------- */

struct path_case {
	u64 lblk;	/* relative to a level start, see test */
	int depth;
	u32 off[4];
};

static void check_path(u32 bs, u64 lblk, int depth, u32 o0, u32 o1, u32 o2, u32 o3)
{
	u32 off[4] = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, want[4] = { o0, o1, o2, o3 };
	int d = vexfs_block_path(bs, lblk, off), i;

	VT_CHECK_MSG(d == depth, "bs %u lblk %llu: depth %d want %d", bs, (unsigned long long)lblk,
		     d, depth);
	for (i = 0; i < d && d == depth; i++)
		VT_CHECK_MSG(off[i] == want[i], "bs %u lblk %llu: off[%d] %u want %u", bs,
			     (unsigned long long)lblk, i, off[i], want[i]);
}

static void test_block_path(void)
{
	u32 bs;

	for (bs = 1024; bs <= 4096; bs *= 2) {
		u64 p = vexfs_ptrs_per_block(bs), ind = 12, dind = ind + p, tind = dind + p * p;
		u64 max = tind + p * p * p;
		u32 q = (u32)p;

		VT_EQ(p, bs / 8 - 1);
		VT_EQ(vexfs_max_lblk(bs), max);
		check_path(bs, 0, 1, 0, 0, 0, 0);
		check_path(bs, 11, 1, 11, 0, 0, 0);
		check_path(bs, ind, 2, VEXFS_IND_BLOCK, 0, 0, 0);
		check_path(bs, ind + 1, 2, VEXFS_IND_BLOCK, 1, 0, 0);
		check_path(bs, dind - 1, 2, VEXFS_IND_BLOCK, q - 1, 0, 0);
		check_path(bs, dind, 3, VEXFS_DIND_BLOCK, 0, 0, 0);
		check_path(bs, dind + p, 3, VEXFS_DIND_BLOCK, 1, 0, 0);
		check_path(bs, dind + p + 3, 3, VEXFS_DIND_BLOCK, 1, 3, 0);
		check_path(bs, tind - 1, 3, VEXFS_DIND_BLOCK, q - 1, q - 1, 0);
		check_path(bs, tind, 4, VEXFS_TIND_BLOCK, 0, 0, 0);
		check_path(bs, tind + p * p + p + 1, 4, VEXFS_TIND_BLOCK, 1, 1, 1);
		check_path(bs, max - 1, 4, VEXFS_TIND_BLOCK, q - 1, q - 1, q - 1);
		check_path(bs, max, 0, 0, 0, 0, 0);
		check_path(bs, ~0ULL, 0, 0, 0, 0, 0);
	}
	/* maximum file sizes */
	VT_EQ(vexfs_max_lblk(1024), 12ULL + 127 + 127 * 127 + 127ULL * 127 * 127);
	VT_EQ(vexfs_max_lblk(4096), 12ULL + 511 + 511 * 511 + 511ULL * 511 * 511);
}

/* ---- directory buckets --------------------------------------------------- */

#define BS 4096
#define HDR ((u32)sizeof(struct vexfs_bucket_header))

static u8 blk[BS];

static void add_name(void *b, const char *name, u64 ino)
{
	static const u64 key[2] = { 1, 2 };

	vexfs_bucket_add(b, vexfs_name_hash(key, name, (u32)strlen(name)), ino, name,
			 (u32)strlen(name), VEXFS_FT_REG);
}

static struct vexfs_dirent *find_name(void *b, const char *name)
{
	static const u64 key[2] = { 1, 2 };

	return vexfs_bucket_find(b, vexfs_name_hash(key, name, (u32)strlen(name)), name,
				 (u32)strlen(name));
}

static void test_bucket_ops(void)
{
	struct vexfs_bucket_header *bh = (void *)blk;
	struct vexfs_dirent *de;
	const char *why;
	u32 used, n;
	char nm[32];

	memset(blk, 0x77, BS);
	vexfs_bucket_init(blk, BS);
	VT_EQ(le32_to_cpu(bh->bb_magic), VEXFS_BUCKET_MAGIC);
	VT_EQ(bh->bb_count, 0);
	VT_EQ(bh->bb_used, 0);
	VT_EQ(bh->bb_next, 0);
	VT_EQ(blk[BS - 1], 0);
	VT_EQ(vexfs_bucket_free(blk, BS), BS - HDR);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	VT_CHECK(vexfs_bucket_next(blk, NULL) == NULL);

	add_name(blk, "a", 10);				/* 24 bytes */
	add_name(blk, "hello-world", 11);		/* 18 + 11 = 29 -> 32 */
	add_name(blk, "xyzzy", 12);			/* 23 -> 24 */
	VT_EQ(VEXFS_DIRENT_SIZE(1), 24);
	VT_EQ(VEXFS_DIRENT_SIZE(6), 24);
	VT_EQ(VEXFS_DIRENT_SIZE(7), 32);
	VT_EQ(VEXFS_DIRENT_SIZE(255), 280);
	VT_EQ(le16_to_cpu(bh->bb_count), 3);
	VT_EQ(le16_to_cpu(bh->bb_used), 24 + 32 + 24);
	VT_EQ(vexfs_bucket_free(blk, BS), BS - HDR - 80);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	de = find_name(blk, "hello-world");
	VT_CHECK(de && le64_to_cpu(de->d_ino) == 11 && de->d_type == VEXFS_FT_REG);
	VT_CHECK(find_name(blk, "hello-worl") == NULL);
	VT_CHECK(find_name(blk, "b") == NULL);
	/* same hash, different name: no match */
	de = find_name(blk, "a");
	VT_CHECK(de != NULL);
	VT_CHECK(vexfs_bucket_find(blk, le64_to_cpu(de->d_hash), "b", 1) == NULL);

	/* iteration order is insertion order */
	de = (void *)vexfs_bucket_next(blk, NULL);
	VT_CHECK(de && de->d_name_len == 1);
	de = (void *)vexfs_bucket_next(blk, de);
	VT_CHECK(de && de->d_name_len == 11);
	de = (void *)vexfs_bucket_next(blk, de);
	VT_CHECK(de && de->d_name_len == 5);
	VT_CHECK(vexfs_bucket_next(blk, de) == NULL);

	/* remove the middle one: the rest is compacted, the tail zeroed */
	vexfs_bucket_remove(blk, find_name(blk, "hello-world"));
	VT_EQ(le16_to_cpu(bh->bb_count), 2);
	VT_EQ(le16_to_cpu(bh->bb_used), 48);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	VT_CHECK(find_name(blk, "hello-world") == NULL);
	de = find_name(blk, "xyzzy");
	VT_CHECK(de && le64_to_cpu(de->d_ino) == 12 && (u8 *)de == blk + HDR + 24);
	for (n = HDR + 48; n < HDR + 80; n++)
		VT_CHECK_MSG(blk[n] == 0, "byte %u not zeroed", n);
	/* a byte past the entries is refused: buckets are sealed without it */
	blk[BS - 1] = 1;
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	VT_CHECK(!strcmp(why, "bucket has data past its entries"));
	blk[BS - 1] = 0;
	vexfs_bucket_remove(blk, find_name(blk, "a"));
	vexfs_bucket_remove(blk, find_name(blk, "xyzzy"));
	VT_EQ(bh->bb_count, 0);
	VT_EQ(bh->bb_used, 0);
	VT_EQ(vexfs_bucket_free(blk, BS), BS - HDR);

	/* fill: exact accounting until no room is left */
	n = 0;
	for (;;) {
		snprintf(nm, sizeof(nm), "name%06u", n);	/* 10 chars -> 32 bytes */
		if (vexfs_bucket_free(blk, BS) < VEXFS_DIRENT_SIZE(strlen(nm)))
			break;
		add_name(blk, nm, 100 + n);
		n++;
	}
	VT_EQ(n, (BS - HDR) / 32);
	VT_EQ(le16_to_cpu(bh->bb_used), n * 32);
	VT_EQ(vexfs_bucket_free(blk, BS), (BS - HDR) % 32);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	used = le16_to_cpu(bh->bb_used);
	vexfs_bucket_remove(blk, find_name(blk, "name000000"));
	VT_EQ(le16_to_cpu(bh->bb_used), used - 32);
	de = find_name(blk, "name000005");
	VT_CHECK(de && le64_to_cpu(de->d_ino) == 105);
	de = find_name(blk, "name000126");
	VT_CHECK(!de || le64_to_cpu(de->d_ino) == 226);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
}

static void bucket_with(const char *name, u32 len)
{
	vexfs_bucket_init(blk, BS);
	vexfs_bucket_add(blk, 5, 9, name, len, VEXFS_FT_REG);
}

static void test_bucket_validate_rejects(void)
{
	struct vexfs_bucket_header *bh = (void *)blk;
	struct vexfs_dirent *de = (void *)(blk + HDR);
	const char *why;

	bucket_with("ok", 2);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	/* bad magic */
	bh->bb_magic = cpu_to_le32(VEXFS_DIRHDR_MAGIC);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* used beyond the block */
	bucket_with("ok", 2);
	bh->bb_used = cpu_to_le16(BS - HDR + 1);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bh->bb_used = cpu_to_le16(0xffff);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* used cuts an entry: truncated header and overrun name */
	bucket_with("ok", 2);
	bh->bb_used = cpu_to_le16(16);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bucket_with("abcdefghijkl", 12);	/* 30 -> 32 bytes */
	bh->bb_used = cpu_to_le16(24);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* name length past the end of the block */
	bucket_with("ok", 2);
	de->d_name_len = 255;
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* zero-length name */
	bucket_with("ok", 2);
	de->d_name_len = 0;
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* '/' and NUL in names */
	bucket_with("a/b", 3);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bucket_with("a\0b", 3);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* "." and ".." are never stored; "..." and ".x" are fine */
	bucket_with(".", 1);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bucket_with("..", 2);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bucket_with("...", 3);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	bucket_with(".x", 2);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	/* count mismatch, both ways */
	bucket_with("ok", 2);
	bh->bb_count = cpu_to_le16(2);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bh->bb_count = 0;
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	/* inode 0 and a hash wider than 62 bits */
	bucket_with("ok", 2);
	de->d_ino = 0;
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	bucket_with("ok", 2);
	de->d_hash = cpu_to_le64(HASH_LIMIT);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), -EUCLEAN);
	de->d_hash = cpu_to_le64(HASH_LIMIT - 1);
	VT_EQ(vexfs_bucket_validate(blk, BS, &why), 0);
	/* a maximal name exactly filling the rest of a 1 KiB block */
	vexfs_bucket_init(blk, 1024);
	{
		char name[255];

		memset(name, 'n', sizeof(name));
		vexfs_bucket_add(blk, 1, 9, name, 255, VEXFS_FT_REG);
		vexfs_bucket_add(blk, 2, 9, name, 255, VEXFS_FT_REG);
		vexfs_bucket_add(blk, 3, 9, name, 255, VEXFS_FT_REG);
		VT_EQ(vexfs_bucket_validate(blk, 1024, &why), 0);
		VT_EQ(vexfs_bucket_free(blk, 1024), 1024 - HDR - 3 * 280);
	}
}

static void test_dirhdr_validate(void)
{
	union {
		struct vexfs_dir_header dh;
		u8 b[1024];
	} u;
	struct vexfs_dir_header *dhp = &u.dh;
	const char *why;

	memset(&u, 0, sizeof(u));
#define dh (*dhp)
	dh.dh_magic = cpu_to_le32(VEXFS_DIRHDR_MAGIC);
	dh.dh_nbuckets = cpu_to_le32(1);
	dh.dh_parent = cpu_to_le64(1);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 1, &why), 0);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 0, &why), -EUCLEAN);	/* beyond i_size */
	dh.dh_level = cpu_to_le32(3);
	dh.dh_split = cpu_to_le32(5);
	dh.dh_nbuckets = cpu_to_le32(13);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 13, &why), 0);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 12, &why), -EUCLEAN);
	dh.dh_nbuckets = cpu_to_le32(12);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 100, &why), -EUCLEAN);
	dh.dh_split = cpu_to_le32(8);				/* split must be < 2^L */
	dh.dh_nbuckets = cpu_to_le32(16);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, 100, &why), -EUCLEAN);
	dh.dh_level = cpu_to_le32(31);
	dh.dh_split = 0;
	dh.dh_nbuckets = cpu_to_le32(1U << 31);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), -EUCLEAN);
	dh.dh_level = cpu_to_le32(30);
	dh.dh_nbuckets = cpu_to_le32(1U << 30);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), 0);
	dh.dh_parent = 0;
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), -EUCLEAN);
	dh.dh_parent = cpu_to_le64(1);
	dh.dh_magic = cpu_to_le32(VEXFS_BUCKET_MAGIC);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), -EUCLEAN);
	/* the rest of the block is zero (it is sealed without being read) */
	dh.dh_magic = cpu_to_le32(VEXFS_DIRHDR_MAGIC);
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), 0);
	u.b[1023] = 1;
	VT_EQ(vexfs_dirhdr_validate(&u, 1024, ~0ULL, &why), -EUCLEAN);
	VT_CHECK(!strcmp(why, "directory header block has data past the header"));
#undef dh
}

/* ---- linear-hash addressing ---------------------------------------------- */

static bool range_has(u32 b, u32 level, u32 split, u64 h)
{
	u64 lo, hi;

	vexfs_dir_bucket_range(b, level, split, &lo, &hi);
	return h >= lo && h < hi;
}

static void check_addressing(u32 level, u32 split, int samples)
{
	u32 nb = (1U << level) + split;
	int i;

	for (i = 0; i < samples; i++) {
		u64 h = vt_rnd() >> 2;
		u32 b = vexfs_dir_bucket(h, level, split);

		if (b >= nb || !range_has(b, level, split, h)) {
			VT_CHECK_MSG(0, "L %u p %u h %#llx -> bucket %u of %u", level, split,
				     (unsigned long long)h, b, nb);
			return;
		}
	}
	/* the edges of the hash space */
	VT_CHECK(range_has(vexfs_dir_bucket(0, level, split), level, split, 0));
	VT_CHECK(range_has(vexfs_dir_bucket(HASH_LIMIT - 1, level, split), level, split,
			   HASH_LIMIT - 1));
}

struct rng {
	u64 lo, hi;
};

static int cmp_rng(const void *a, const void *b)
{
	const struct rng *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void check_partition(u32 level, u32 split)
{
	u32 nb = (1U << level) + split, b;
	struct rng *r = calloc(nb, sizeof(*r));

	for (b = 0; b < nb; b++) {
		vexfs_dir_bucket_range(b, level, split, &r[b].lo, &r[b].hi);
		/* a bucket's own bounds address it */
		VT_EQ(vexfs_dir_bucket(r[b].lo, level, split), b);
		VT_EQ(vexfs_dir_bucket(r[b].hi - 1, level, split), b);
	}
	qsort(r, nb, sizeof(*r), cmp_rng);
	VT_EQ(r[0].lo, 0);
	for (b = 1; b < nb; b++)
		VT_CHECK_MSG(r[b].lo == r[b - 1].hi, "L %u p %u: gap or overlap at %u", level,
			     split, b);
	VT_EQ(r[nb - 1].hi, HASH_LIMIT);
	free(r);
}

static void test_bucket_addressing(void)
{
	u32 level, split;

	for (level = 0; level <= 8; level++)
		for (split = 0; split < (1U << level); split++) {
			check_addressing(level, split, 64);
			check_partition(level, split);
		}
	for (level = 9; level <= 30; level++) {
		u32 ps[] = { 0, 1, (1U << level) / 3, (1U << level) - 1 };
		u32 i;

		for (i = 0; i < ARRAY_SIZE(ps); i++)
			check_addressing(level, ps[i], 2000);
	}
	check_partition(12, 1000);
	/* level 0: one bucket holding everything */
	{
		u64 lo, hi;

		vexfs_dir_bucket_range(0, 0, 0, &lo, &hi);
		VT_EQ(lo, 0);
		VT_EQ(hi, HASH_LIMIT);
	}
}

static void test_bucket_split_rule(void)
{
	u32 level, split, i;

	/* Splitting bucket p moves its hashes to p or 2^L + p, never elsewhere. */
	for (level = 0; level <= 6; level++) {
		for (split = 0; split < (1U << level); split++) {
			u32 nl = split + 1 == (1U << level) ? level + 1 : level;
			u32 ns = split + 1 == (1U << level) ? 0 : split + 1;

			for (i = 0; i < 200; i++) {
				u64 h = vt_rnd() >> 2;
				u32 before = vexfs_dir_bucket(h, level, split);
				u32 after = vexfs_dir_bucket(h, nl, ns);

				if (before != split)
					VT_EQ(after, before);
				else
					VT_CHECK(after == split || after == (1U << level) + split);
			}
		}
	}
	/* readdir positions: a bucket's range is a contiguous interval of hashes */
	{
		u64 lo, hi;

		vexfs_dir_bucket_range(1, 1, 0, &lo, &hi);
		VT_EQ(lo, HASH_LIMIT / 2);
		VT_EQ(hi, HASH_LIMIT);
		vexfs_dir_bucket_range(0, 1, 1, &lo, &hi);
		VT_EQ(lo, 0);
		VT_EQ(hi, HASH_LIMIT / 4);
		vexfs_dir_bucket_range(2, 1, 1, &lo, &hi);
		VT_EQ(lo, HASH_LIMIT / 4);
		VT_EQ(hi, HASH_LIMIT / 2);
	}
}

static void test_mode_to_ft(void)
{
	VT_EQ(vexfs_mode_to_ft(0100644), VEXFS_FT_REG);
	VT_EQ(vexfs_mode_to_ft(0040755), VEXFS_FT_DIR);
	VT_EQ(vexfs_mode_to_ft(0120777), VEXFS_FT_SYMLINK);
	VT_EQ(vexfs_mode_to_ft(0020600), VEXFS_FT_CHRDEV);
	VT_EQ(vexfs_mode_to_ft(0060600), VEXFS_FT_BLKDEV);
	VT_EQ(vexfs_mode_to_ft(0010600), VEXFS_FT_FIFO);
	VT_EQ(vexfs_mode_to_ft(0140600), VEXFS_FT_SOCK);
	VT_EQ(vexfs_mode_to_ft(0), VEXFS_FT_UNKNOWN);
	VT_EQ(vexfs_mode_to_ft(0030000), VEXFS_FT_UNKNOWN);
	VT_EQ(vexfs_mode_to_ft(0170000), VEXFS_FT_UNKNOWN);
}

/* ---- the ANN index's descriptor and nodes (core/vann.c) ---------------------- */

#define ANN_SEED	0x1234abcdU
#define ANN_GEN		5
#define ANN_BS		4096

static void ann_desc_ok(struct vexfs_ann_desc *d)
{
	float lo = -1.0f, step = 0.01f;
	u32 i;

	memset(d, 0, sizeof(*d));
	d->ad_magic = cpu_to_le32(VEXFS_ANN_MAGIC);
	d->ad_version = cpu_to_le32(VEXFS_ANN_VERSION);
	d->ad_gen = cpu_to_le32(ANN_GEN);
	d->ad_state = cpu_to_le32(VEXFS_ANN_READY);
	d->ad_dims = cpu_to_le32(32);
	d->ad_dtype = cpu_to_le16(VEXFS_DT_F32);
	d->ad_r = cpu_to_le16(16);
	d->ad_alpha = cpu_to_le16(110);
	d->ad_ef_construction = cpu_to_le16(64);
	d->ad_node_size = cpu_to_le16(vexfs_ann_node_size(16, 32));
	memcpy(&d->ad_lo, &lo, 4);
	memcpy(&d->ad_step, &step, 4);
	d->ad_nslots = cpu_to_le32(100);
	d->ad_nlive = cpu_to_le32(90);
	d->ad_entry = cpu_to_le32(3);
	d->ad_inserted = cpu_to_le64(100);
	d->ad_nseeds = cpu_to_le32(4);
	for (i = 0; i < 4; i++)
		d->ad_seeds[i] = cpu_to_le32(i * 10);
	/* 90 live, 5 dead, 5 free from slot 7; the sweep at 50 in its third pass */
	d->ad_sweep = cpu_to_le32(50);
	d->ad_pass = cpu_to_le32(3);
	d->ad_free = cpu_to_le32(7);
	d->ad_nfree = cpu_to_le32(5);
	vexfs_ann_desc_seal(d, ANN_SEED);
}

static void test_ann_desc_validate(void)
{
	static const struct {
		const char *name;
		u32 off, size;
		u64 val;
		bool reseal;
	} cases[] = {
		{ "checksum", 4, 4, 1, false },
		{ "magic", 0, 4, 1, true },
		{ "version", 8, 4, 2, true },
		{ "generation", 12, 4, 4, true },
		{ "state", 16, 4, 3, true },
		{ "dims 0", 20, 4, 0, true },
		{ "metric hamming", 24, 2, 3, true },
		{ "dtype", 26, 2, VEXFS_DT_F16, true },
		{ "r 3", 28, 2, 3, true },
		{ "alpha 99", 30, 2, 99, true },
		{ "ef_construction below r", 32, 2, 8, true },
		{ "node size", 34, 2, 160, true },
		{ "lo infinite", 36, 4, 0x7f800000, true },
		{ "step 0", 40, 4, 0, true },
		{ "step negative", 40, 4, 0xbf800000, true },
		{ "step NaN", 40, 4, 0x7fc00000, true },
		{ "nlive > nslots", 48, 4, 101, true },
		{ "entry past nslots", 52, 4, 100, true },
		{ "no entry with slots", 52, 4, VGRAPH_NONE, true },
		{ "inserted < nslots", 72, 8, 99, true },
		{ "build cursor when ready", 80, 8, 1, true },
		{ "nseeds 65", 96, 4, 65, true },
		{ "seed past nslots", 104, 4, 100, true },
		{ "unused seed", 104 + 4 * 4, 4, 1, true },
		{ "pad", 100, 4, 1, true },
		{ "sweep past nslots", 360, 4, 100, true },
		{ "free head past nslots", 368, 4, 100, true },
		{ "no free head with free nodes", 368, 4, VGRAPH_NONE, true },
		{ "a free head with no free nodes", 372, 4, 0, true },
		{ "nfree > nslots - nlive", 372, 4, 11, true },
		{ "reserved", 376, 1, 1, true },
		{ "reserved end", 511, 1, 1, true },
	};
	struct vexfs_ann_desc d;
	const char *why = "";
	u32 i;

	ann_desc_ok(&d);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED + 1, ANN_BS, ANN_GEN, &why), -EUCLEAN);
	/* a node of 16 + 4 * 64 + 4000 bytes does not fit 4 KiB */
	d.ad_r = cpu_to_le16(64);
	d.ad_dims = cpu_to_le32(4000);
	d.ad_node_size = cpu_to_le16(vexfs_ann_node_size(64, 4000));
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), -EUCLEAN);
	/* the other metrics: cosine, inner product */
	ann_desc_ok(&d);
	d.ad_metric = cpu_to_le16(VEXFS_ANN_METRIC_COS);
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	d.ad_metric = cpu_to_le16(VEXFS_ANN_METRIC_IP);
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	/* building: the cursor may be set, within its end */
	ann_desc_ok(&d);
	d.ad_state = cpu_to_le32(VEXFS_ANN_BUILDING);
	d.ad_build_next = cpu_to_le64(7);
	d.ad_build_end = cpu_to_le64(9);
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	d.ad_build_next = cpu_to_le64(10);
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), -EUCLEAN);
	/* empty: no entry */
	ann_desc_ok(&d);
	d.ad_nslots = d.ad_nlive = d.ad_nseeds = 0;
	d.ad_inserted = 0;
	memset(d.ad_seeds, 0, sizeof(d.ad_seeds));
	d.ad_entry = cpu_to_le32(VGRAPH_NONE);
	d.ad_free = cpu_to_le32(VGRAPH_NONE);
	d.ad_nfree = d.ad_sweep = 0;
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	/* every slot not live is free */
	ann_desc_ok(&d);
	d.ad_nfree = cpu_to_le32(10);
	vexfs_ann_desc_seal(&d, ANN_SEED);
	VT_EQ(vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 *b = (u8 *)&d;
		u64 v = cases[i].val;
		int err;

		ann_desc_ok(&d);
		memcpy(b + cases[i].off, &v, cases[i].size);	/* little-endian host */
		if (cases[i].reseal)
			vexfs_ann_desc_seal(&d, ANN_SEED);
		err = vexfs_ann_desc_validate(&d, ANN_SEED, ANN_BS, ANN_GEN, &why);
		VT_CHECK_MSG(err == -EUCLEAN, "%s: %d", cases[i].name, err);
	}
}

static void test_ann_node_validate(void)
{
	enum { R = 8, DIMS = 20 };
	u32 size = vexfs_ann_node_size(R, DIMS), i;
	u8 node[256], zero[256] = { 0 };
	struct vexfs_ann_node *n = (void *)node;
	__le32 *nb;
	const char *why = "";

	VT_EQ(size, 72);
	/* a live node of slot 4 among 10, neighbours 1, 2, 9 */
	memset(node, 0, sizeof(node));
	n->an_vid = cpu_to_le64(77);
	n->an_state = VEXFS_ANN_NODE_LIVE;
	n->an_count = 3;
	nb = vexfs_ann_nbrs(node);
	nb[0] = cpu_to_le32(1);
	nb[1] = cpu_to_le32(2);
	nb[2] = cpu_to_le32(9);
	for (i = 0; i < DIMS; i++)
		vexfs_ann_code(node, R)[i] = (u8)(i * 11);
	vexfs_ann_node_seal(node, size, ANN_SEED, ANN_GEN);
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 4, R, 10, ANN_SEED, ANN_GEN, &why), 0);
	/* the checksum covers the generation */
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 4, R, 10, ANN_SEED, ANN_GEN + 1, &why),
	      -EUCLEAN);
	/* slot 9 named, so 9 slots in use is too few */
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 4, R, 9, ANN_SEED, ANN_GEN, &why),
	      -EUCLEAN);
	/* its own slot as neighbour */
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 2, R, 10, ANN_SEED, ANN_GEN, &why),
	      -EUCLEAN);
	/* past nslots a slot must be zero */
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 12, R, 10, ANN_SEED, ANN_GEN, &why),
	      -EUCLEAN);
	VT_EQ(vexfs_ann_node_validate(zero, size, DIMS, 12, R, 10, ANN_SEED, ANN_GEN, &why), 0);
	{
		static const struct { const char *name; u32 off; u8 val; } bad[] = {
			{ "state 0", 12, 0 }, { "state 4", 12, 4 },
			{ "free with neighbours", 12, VEXFS_ANN_NODE_FREE }, { "count > r", 13, R + 1 },
			{ "died while live", 14, 1 }, { "unused neighbour", 16 + 4 * 3, 1 },
			{ "padding after the code", 16 + 4 * R + DIMS, 1 },
		};
		u8 copy[256];

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			memcpy(copy, node, sizeof(copy));
			copy[bad[i].off] = bad[i].val;
			vexfs_ann_node_seal(copy, size, ANN_SEED, ANN_GEN);
			VT_CHECK_MSG(vexfs_ann_node_validate(copy, size, DIMS, 4, R, 10, ANN_SEED,
							     ANN_GEN, &why) == -EUCLEAN, "%s", bad[i].name);
		}
		memcpy(copy, node, sizeof(copy));
		memset(copy, 0, 8);		/* vector id 0 */
		vexfs_ann_node_seal(copy, size, ANN_SEED, ANN_GEN);
		VT_EQ(vexfs_ann_node_validate(copy, size, DIMS, 4, R, 10, ANN_SEED, ANN_GEN, &why),
		      -EUCLEAN);
	}
	/* dead: its pass of death kept */
	n->an_state = VEXFS_ANN_NODE_DEAD;
	n->an_died = cpu_to_le16(0xfffe);
	vexfs_ann_node_seal(node, size, ANN_SEED, ANN_GEN);
	VT_EQ(vexfs_ann_node_validate(node, size, DIMS, 4, R, 10, ANN_SEED, ANN_GEN, &why), 0);
	/* free: nothing but the next free slot (or none) */
	{
		static const struct { const char *name; u64 next; u32 off; u8 val; int err; } fr[] = {
			{ "free, last", VGRAPH_NONE, 0, 0, 0 },
			{ "free, next 9", 9, 0, 0, 0 },
			{ "free, next itself", 4, 0, 0, -EUCLEAN },
			{ "free, next past nslots", 10, 0, 0, -EUCLEAN },
			{ "free, next 2^32", 1ULL << 32, 0, 0, -EUCLEAN },
			{ "free with a death pass", 9, 14, 1, -EUCLEAN },
			{ "free with a code byte", 9, 16 + 4 * R, 1, -EUCLEAN },
			{ "free with padding", 9, 16 + 4 * R + DIMS, 1, -EUCLEAN },
		};

		for (i = 0; i < ARRAY_SIZE(fr); i++) {
			memset(node, 0, sizeof(node));
			n->an_state = VEXFS_ANN_NODE_FREE;
			n->an_vid = cpu_to_le64(fr[i].next);
			if (fr[i].off)
				node[fr[i].off] = fr[i].val;
			vexfs_ann_node_seal(node, size, ANN_SEED, ANN_GEN);
			VT_CHECK_MSG(vexfs_ann_node_validate(node, size, DIMS, 4, R, 10, ANN_SEED,
							     ANN_GEN, &why) == fr[i].err, "%s",
				     fr[i].name);
		}
	}
	/* vm_ann both ways */
	VT_EQ(vexfs_ann_ref_slot(vexfs_ann_ref(ANN_GEN, 4), ANN_GEN), 4);
	VT_EQ(vexfs_ann_ref_slot(vexfs_ann_ref(ANN_GEN, 4), ANN_GEN + 1), VEXFS_ANN_NO_SLOT);
	VT_EQ(vexfs_ann_ref_slot(0, ANN_GEN), VEXFS_ANN_NO_SLOT);
	VT_EQ(vexfs_ann_ref_slot((u64)ANN_GEN << 32, ANN_GEN), VEXFS_ANN_NO_SLOT);
}

VT_MAIN("format",
	VT_CASE(test_crc32c_vector),
	VT_CASE(test_csum_definitions),
	VT_CASE(test_siphash_vectors),
	VT_CASE(test_sb_validate_table),
	VT_CASE(test_geom_plan_sizes),
	VT_CASE(test_geom_plan_edges),
	VT_CASE(test_gd_validate),
	VT_CASE(test_bitmap_helpers),
	VT_CASE(test_block_path),
	VT_CASE(test_bucket_ops),
	VT_CASE(test_bucket_validate_rejects),
	VT_CASE(test_dirhdr_validate),
	VT_CASE(test_bucket_addressing),
	VT_CASE(test_bucket_split_rule),
	VT_CASE(test_mode_to_ft),
	VT_CASE(test_ann_desc_validate),
	VT_CASE(test_ann_node_validate))
