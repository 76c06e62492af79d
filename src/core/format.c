// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * format.c - checksums, superblock validation and filesystem geometry,
 * shared by vexfs.ko and the userspace tools.
 */
#include "format.h"
#include "vexfs/ondisk_check.h"

u32 vexfs_csum_seed(const u8 uuid[16])
{
	return vexfs_crc32c(~0U, uuid, 16);
}

u32 vexfs_sb_csum(const struct vexfs_super_block *sb)
{
	return vexfs_crc32c(~0U, sb, offsetof(struct vexfs_super_block, s_checksum));
}

u32 vexfs_gd_csum(u32 seed, u32 group, const struct vexfs_group_desc *gd)
{
	__le32 g = cpu_to_le32(group);
	u32 crc = vexfs_crc32c(seed, &g, sizeof(g));

	return vexfs_crc32c(crc, gd, offsetof(struct vexfs_group_desc, bg_checksum));
}

u32 vexfs_inode_csum(u32 seed, u64 ino, const struct vexfs_inode *raw)
{
	__le64 i = cpu_to_le64(ino);
	u32 crc = vexfs_crc32c(seed, &i, sizeof(i));

	return vexfs_crc32c(crc, raw, offsetof(struct vexfs_inode, i_checksum));
}

u32 vexfs_block_csum(u32 seed, u64 ino, const void *buf, u32 size, u32 csum_off)
{
	return vexfs_block_csum_used(seed, ino, buf, size, size, csum_off);
}

u32 vexfs_block_csum_used(u32 seed, u64 ino, const void *buf, u32 used, u32 size,
			  u32 csum_off)
{
	static const u8 zero[4];
	__le64 i = cpu_to_le64(ino);
	const u8 *p = buf;
	u32 crc = vexfs_crc32c(seed, &i, sizeof(i));

	crc = vexfs_crc32c(crc, p, csum_off);
	crc = vexfs_crc32c(crc, zero, 4);
	crc = vexfs_crc32c(crc, p + csum_off + 4, used - csum_off - 4);
	return used < size ? vexfs_crc32c_zeros(crc, size - used) : crc;
}

bool vexfs_zero_tail(const void *buf, u32 from, u32 size)
{
	const u8 *p = buf;

	for (; from < size && (from & 7); from++)
		if (p[from])
			return false;
	for (; from + 8 <= size; from += 8)
		if (get_unaligned_le64(p + from))
			return false;
	for (; from < size; from++)
		if (p[from])
			return false;
	return true;
}

u32 vexfs_bitmap_csum(u32 seed, const void *buf, u32 bytes)
{
	return vexfs_crc32c(seed, buf, bytes);
}

u32 vexfs_bitmap_csum_flip(u32 seed, u32 csum, const void *map, u32 bytes, u32 first,
			   u32 n)
{
	u32 b0 = first / 8, b1 = (first + n - 1) / 8, b, crc = 0;

	if (!n)
		return csum;
	if (b1 - b0 >= 64)
		return vexfs_bitmap_csum(seed, map, bytes);
	/*
	 * CRC32C is linear: over two messages of one length from one seed,
	 * crc(s, A) ^ crc(s, B) = crc(0, A ^ B). A ^ B is zero but for the
	 * flipped bits; its leading zeros leave a zero register unchanged and
	 * its trailing zeros are a shift.
	 */
	for (b = b0; b <= b1; b++) {
		u32 lo = b == b0 ? first % 8 : 0;
		u32 hi = b == b1 ? (first + n - 1) % 8 : 7;
		u8 delta = (u8)((0xffU >> (7 - hi)) & (0xffU << lo));

		crc = vexfs_crc32c(crc, &delta, 1);
	}
	return csum ^ vexfs_crc32c_zeros(crc, bytes - b1 - 1);
}

/* ---- geometry ----------------------------------------------------------- */

static u32 journal_default(u32 bits, u64 blocks)
{
	u64 bytes = blocks << bits, j;

	if (bytes < (512ULL << 20))
		j = 4ULL << 20;
	else if (bytes < (4ULL << 30))
		j = 16ULL << 20;
	else if (bytes < (64ULL << 30))
		j = 64ULL << 20;
	else
		j = 128ULL << 20;
	j >>= bits;
	if (j < VEXFS_MIN_JOURNAL_BLOCKS)
		j = VEXFS_MIN_JOURNAL_BLOCKS;
	/* Leave at least half of group 0 for its own metadata and data. */
	if (j > (8ULL << bits) / 2)
		j = (8ULL << bits) / 2;
	return (u32)j;
}

u32 vexfs_group_blocks(const struct vexfs_geom *g, u32 grp)
{
	u64 start = (u64)grp * g->blocks_per_group;

	return (u32)VEXFS_MIN((u64)g->blocks_per_group, g->blocks - start);
}

u32 vexfs_group_overhead(const struct vexfs_geom *g, u32 grp)
{
	u32 n = 2 + g->itable_blocks;

	if (grp == 0)
		n += 1 + g->gdt_blocks + g->journal_blocks;
	return n;
}

void vexfs_group_meta(const struct vexfs_geom *g, u32 grp, u64 *block_bitmap,
		      u64 *inode_bitmap, u64 *inode_table)
{
	u64 b = (u64)grp * g->blocks_per_group;

	if (grp == 0)
		b = g->journal_start + g->journal_blocks;
	*block_bitmap = b;
	*inode_bitmap = b + 1;
	*inode_table = b + 2;
}

static int geom_derive(struct vexfs_geom *g, const char **why)
{
	u64 groups;

	g->block_size = 1U << g->block_bits;
	g->inodes_per_block = g->block_size / VEXFS_INODE_SIZE;
	if (g->blocks_per_group != g->block_size * 8) {
		*why = "blocks per group is not 8 * block size";
		return -EUCLEAN;
	}
	if (!g->inodes_per_group || g->inodes_per_group > g->block_size * 8 ||
	    g->inodes_per_group % g->inodes_per_block) {
		*why = "bad inodes per group";
		return -EUCLEAN;
	}
	g->itable_blocks = g->inodes_per_group / g->inodes_per_block;
	groups = VEXFS_DIV_ROUND_UP(g->blocks, (u64)g->blocks_per_group);
	if (groups == 0 || groups > 0xffffffffULL / g->inodes_per_group) {
		*why = "group count out of range";
		return -EUCLEAN;
	}
	g->groups = (u32)groups;
	g->inodes = (u64)g->groups * g->inodes_per_group;
	g->gdt_blocks = (u32)VEXFS_DIV_ROUND_UP(groups * sizeof(struct vexfs_group_desc),
						(u64)g->block_size);
	g->gdt_start = 1;
	g->journal_start = 1 + (u64)g->gdt_blocks;
	g->first_ino = VEXFS_FIRST_INO;
	if (g->journal_blocks < VEXFS_MIN_JOURNAL_BLOCKS ||
	    g->journal_blocks > VEXFS_MAX_JOURNAL_BLOCKS) {
		*why = "journal size out of range";
		return -EUCLEAN;
	}
	if (vexfs_group_overhead(g, 0) >= vexfs_group_blocks(g, 0)) {
		*why = "group 0 metadata does not fit in group 0";
		return -EUCLEAN;
	}
	if (vexfs_group_overhead(g, g->groups - 1) >= vexfs_group_blocks(g, g->groups - 1)) {
		*why = "last group too small for its metadata";
		return -EUCLEAN;
	}
	if (g->inodes < g->first_ino) {
		*why = "too few inodes";
		return -EUCLEAN;
	}
	return 0;
}

int vexfs_geom_plan(struct vexfs_geom *g, u32 bits, u64 blocks,
		    u64 want_inodes, u32 journal_blocks, const char **why)
{
	u64 groups, ipg, ipb;
	int err;

	memset(g, 0, sizeof(*g));
	if (bits < VEXFS_MIN_BLOCK_BITS || bits > VEXFS_MAX_BLOCK_BITS) {
		*why = "block size must be 1024, 2048 or 4096";
		return -EINVAL;
	}
	g->block_bits = bits;
	g->block_size = 1U << bits;
	g->blocks_per_group = g->block_size * 8;
	if (blocks > (1ULL << 48)) {
		*why = "device too large";
		return -EINVAL;
	}
	g->journal_blocks = journal_blocks ? journal_blocks : journal_default(bits, blocks);
	ipb = g->block_size / VEXFS_INODE_SIZE;
	if (!want_inodes)
		want_inodes = (blocks << bits) / 16384;
	if (want_inodes < 64)
		want_inodes = 64;
	for (;;) {
		groups = VEXFS_DIV_ROUND_UP(blocks, (u64)g->blocks_per_group);
		if (!groups) {
			*why = "device too small";
			return -ENOSPC;
		}
		ipg = VEXFS_DIV_ROUND_UP(want_inodes, groups);
		/*
		 * Whole bitmap bytes: the inode bitmap checksum covers ipg / 8
		 * bytes, so with 1 KiB blocks (4 inodes per block) an ipg of
		 * 8n + 4 would leave four inodes outside it.
		 */
		ipg = VEXFS_ALIGN_UP(ipg, VEXFS_MAX(ipb, 8));
		if (ipg > g->blocks_per_group)
			ipg = g->blocks_per_group;
		g->inodes_per_group = (u32)ipg;
		g->blocks = blocks;
		err = geom_derive(g, why);
		if (!err)
			return 0;
		/* A runt last group is dropped rather than failing. */
		if (groups > 1 && vexfs_group_overhead(g, g->groups - 1) >=
				vexfs_group_blocks(g, g->groups - 1) &&
		    vexfs_group_overhead(g, 0) < vexfs_group_blocks(g, 0)) {
			blocks = (groups - 1) * g->blocks_per_group;
			continue;
		}
		return err == -EUCLEAN ? -ENOSPC : err;
	}
}

void vexfs_sb_init(struct vexfs_super_block *sb, const struct vexfs_geom *g,
		   const u8 uuid[16], const u64 hash_key[2], u64 now,
		   u64 free_blocks, u64 free_inodes)
{
	memset(sb, 0, sizeof(*sb));
	sb->s_magic = cpu_to_le32(VEXFS_SUPER_MAGIC);
	sb->s_version = cpu_to_le32(VEXFS_FORMAT_VERSION);
	sb->s_block_size_bits = cpu_to_le32(g->block_bits);
	sb->s_inode_size = cpu_to_le32(VEXFS_INODE_SIZE);
	sb->s_blocks_count = cpu_to_le64(g->blocks);
	sb->s_inodes_count = cpu_to_le64(g->inodes);
	sb->s_free_blocks = cpu_to_le64(free_blocks);
	sb->s_free_inodes = cpu_to_le64(free_inodes);
	sb->s_blocks_per_group = cpu_to_le32(g->blocks_per_group);
	sb->s_inodes_per_group = cpu_to_le32(g->inodes_per_group);
	sb->s_group_count = cpu_to_le32(g->groups);
	sb->s_gdt_blocks = cpu_to_le32(g->gdt_blocks);
	sb->s_gdt_start = cpu_to_le64(g->gdt_start);
	sb->s_journal_start = cpu_to_le64(g->journal_start);
	sb->s_journal_blocks = cpu_to_le32(g->journal_blocks);
	sb->s_state = cpu_to_le32(VEXFS_STATE_CLEAN);
	sb->s_root_ino = cpu_to_le64(VEXFS_ROOT_INO);
	sb->s_first_ino = cpu_to_le64(VEXFS_FIRST_INO);
	memcpy(sb->s_uuid, uuid, 16);
	sb->s_hash_key[0] = cpu_to_le64(hash_key[0]);
	sb->s_hash_key[1] = cpu_to_le64(hash_key[1]);
	sb->s_mkfs_time = cpu_to_le64(now);
	sb->s_write_time = cpu_to_le64(now);
	sb->s_errors = cpu_to_le16(VEXFS_ERRORS_CONTINUE);
	sb->s_vec_next_id = cpu_to_le64(1);
	sb->s_checksum = cpu_to_le32(vexfs_sb_csum(sb));
}

int vexfs_sb_validate(const struct vexfs_super_block *sb, u64 dev_bytes,
		      struct vexfs_geom *g, const char **why, u32 *flags)
{
	u64 incompat, ro_compat, orphan;
	u32 bits;
	int err;

	*flags = 0;
	memset(g, 0, sizeof(*g));
	if (le32_to_cpu(sb->s_magic) != VEXFS_SUPER_MAGIC) {
		*why = "bad magic";
		return -EINVAL;
	}
	if (le32_to_cpu(sb->s_checksum) != vexfs_sb_csum(sb)) {
		*why = "superblock checksum mismatch";
		return -EUCLEAN;
	}
	if (le32_to_cpu(sb->s_version) != VEXFS_FORMAT_VERSION) {
		*why = "unsupported format version";
		return -EOPNOTSUPP;
	}
	incompat = le64_to_cpu(sb->s_feature_incompat);
	if (incompat & ~VEXFS_FEATURE_INCOMPAT_SUPP) {
		*why = "unknown incompatible features";
		return -EOPNOTSUPP;
	}
	ro_compat = le64_to_cpu(sb->s_feature_ro_compat);
	if (ro_compat & ~VEXFS_FEATURE_RO_COMPAT_SUPP)
		*flags |= VEXFS_SB_RO_FEATURES;
	bits = le32_to_cpu(sb->s_block_size_bits);
	if (bits < VEXFS_MIN_BLOCK_BITS || bits > VEXFS_MAX_BLOCK_BITS) {
		*why = "block size out of range";
		return -EUCLEAN;
	}
	if (le32_to_cpu(sb->s_inode_size) != VEXFS_INODE_SIZE) {
		*why = "unsupported inode size";
		return -EUCLEAN;
	}
	g->block_bits = bits;
	g->blocks = le64_to_cpu(sb->s_blocks_count);
	if (g->blocks == 0 || g->blocks > (1ULL << 48)) {
		*why = "block count out of range";
		return -EUCLEAN;
	}
	if (dev_bytes && g->blocks > (dev_bytes >> bits)) {
		*why = "filesystem is larger than the device";
		return -EUCLEAN;
	}
	g->blocks_per_group = le32_to_cpu(sb->s_blocks_per_group);
	g->inodes_per_group = le32_to_cpu(sb->s_inodes_per_group);
	g->journal_blocks = le32_to_cpu(sb->s_journal_blocks);
	err = geom_derive(g, why);
	if (err)
		return err;
	if (le32_to_cpu(sb->s_group_count) != g->groups) {
		*why = "group count does not match block count";
		return -EUCLEAN;
	}
	if (le64_to_cpu(sb->s_inodes_count) != g->inodes) {
		*why = "inode count does not match groups";
		return -EUCLEAN;
	}
	if (le32_to_cpu(sb->s_gdt_blocks) != g->gdt_blocks ||
	    le64_to_cpu(sb->s_gdt_start) != g->gdt_start) {
		*why = "group descriptor table location mismatch";
		return -EUCLEAN;
	}
	if (le64_to_cpu(sb->s_journal_start) != g->journal_start) {
		*why = "journal location mismatch";
		return -EUCLEAN;
	}
	if (le64_to_cpu(sb->s_free_blocks) > g->blocks ||
	    le64_to_cpu(sb->s_free_inodes) > g->inodes) {
		*why = "free counts exceed totals";
		return -EUCLEAN;
	}
	if (le64_to_cpu(sb->s_root_ino) != VEXFS_ROOT_INO ||
	    le64_to_cpu(sb->s_first_ino) != VEXFS_FIRST_INO) {
		*why = "bad root or first inode number";
		return -EUCLEAN;
	}
	orphan = le64_to_cpu(sb->s_orphan_head);
	if (orphan && (orphan < VEXFS_FIRST_INO || orphan > g->inodes)) {
		*why = "orphan list head out of range";
		return -EUCLEAN;
	}
	if (le16_to_cpu(sb->s_errors) > VEXFS_ERRORS_PANIC) {
		*why = "bad errors behaviour";
		return -EUCLEAN;
	}
	if (incompat & VEXFS_FEATURE_INCOMPAT_ANN ?
	    !(incompat & VEXFS_FEATURE_INCOMPAT_VECTORS) ||
	    le64_to_cpu(sb->s_ann_ino) != VEXFS_ANN_INO || !le32_to_cpu(sb->s_ann_gen) :
	    sb->s_ann_ino || sb->s_ann_gen) {
		*why = "ANN index feature and fields disagree";
		return -EUCLEAN;
	}
	return 0;
}

int vexfs_gd_validate(const struct vexfs_geom *g, u32 grp,
		      const struct vexfs_group_desc *gd, const char **why)
{
	u64 start = (u64)grp * g->blocks_per_group;
	u64 end = start + vexfs_group_blocks(g, grp);
	u64 bb = le64_to_cpu(gd->bg_block_bitmap);
	u64 ib = le64_to_cpu(gd->bg_inode_bitmap);
	u64 it = le64_to_cpu(gd->bg_inode_table);
	u64 lo = grp ? start : g->journal_start + g->journal_blocks;

	if (bb < lo || bb >= end || ib < lo || ib >= end || it < lo ||
	    it + g->itable_blocks > end || it + g->itable_blocks < it) {
		*why = "group metadata outside its group";
		return -EUCLEAN;
	}
	if (bb == ib || (bb >= it && bb < it + g->itable_blocks) ||
	    (ib >= it && ib < it + g->itable_blocks)) {
		*why = "group metadata overlaps";
		return -EUCLEAN;
	}
	{
		/* Format v1 places group metadata at fixed spots (vexfs_group_meta). */
		u64 xbb, xib, xit;

		vexfs_group_meta(g, grp, &xbb, &xib, &xit);
		if (bb != xbb || ib != xib || it != xit) {
			*why = "group metadata not at its standard location";
			return -EUCLEAN;
		}
	}
	if (le32_to_cpu(gd->bg_free_blocks) > vexfs_group_blocks(g, grp) ||
	    le32_to_cpu(gd->bg_free_inodes) > g->inodes_per_group ||
	    le32_to_cpu(gd->bg_used_dirs) > g->inodes_per_group) {
		*why = "group counters out of range";
		return -EUCLEAN;
	}
	return 0;
}

bool vexfs_data_block(const struct vexfs_geom *g, u64 blk)
{
	u32 grp;

	if (blk >= g->blocks)
		return false;
	grp = (u32)(blk / g->blocks_per_group);
	return blk % g->blocks_per_group >= vexfs_group_overhead(g, grp);
}

/* ---- bitmaps ------------------------------------------------------------ */

u32 vexfs_find_next_zero(const u8 *map, u32 nbits, u32 start)
{
	u32 i = start;

	while (i < nbits) {
		if ((i & 63) == 0 && i + 64 <= nbits) {
			u64 w = get_unaligned_le64(map + (i >> 3));

			if (w == ~0ULL) {
				i += 64;
				continue;
			}
			return i + (u32)__builtin_ctzll(~w);
		}
		if (!vexfs_test_bit(map, i))
			return i;
		i++;
	}
	return nbits;
}

u32 vexfs_zero_run(const u8 *map, u32 nbits, u32 start, u32 max)
{
	u32 n = 0;

	while (start + n < nbits && n < max && !vexfs_test_bit(map, start + n))
		n++;
	return n;
}

u32 vexfs_count_zero(const u8 *map, u32 nbits)
{
	u32 i, n = 0;

	for (i = 0; i + 8 <= nbits; i += 8)
		n += 8 - (u32)vexfs_popcount32(map[i >> 3]);
	for (; i < nbits; i++)
		n += !vexfs_test_bit(map, i);
	return n;
}

/* ---- block map ---------------------------------------------------------- */

int vexfs_block_path(u32 block_size, u64 lblk, u32 offsets[4])
{
	u64 p = vexfs_ptrs_per_block(block_size);

	if (lblk < VEXFS_NDIR_BLOCKS) {
		offsets[0] = (u32)lblk;
		return 1;
	}
	lblk -= VEXFS_NDIR_BLOCKS;
	if (lblk < p) {
		offsets[0] = VEXFS_IND_BLOCK;
		offsets[1] = (u32)lblk;
		return 2;
	}
	lblk -= p;
	if (lblk < p * p) {
		offsets[0] = VEXFS_DIND_BLOCK;
		offsets[1] = (u32)(lblk / p);
		offsets[2] = (u32)(lblk % p);
		return 3;
	}
	lblk -= p * p;
	if (lblk < p * p * p) {
		offsets[0] = VEXFS_TIND_BLOCK;
		offsets[1] = (u32)(lblk / (p * p));
		offsets[2] = (u32)((lblk / p) % p);
		offsets[3] = (u32)(lblk % p);
		return 4;
	}
	return 0;
}

u64 vexfs_max_lblk(u32 block_size)
{
	u64 p = vexfs_ptrs_per_block(block_size);

	return VEXFS_NDIR_BLOCKS + p + p * p + p * p * p;
}

int vexfs_acl_entry_check(const u8 *name, u32 name_len, const u8 *value, u32 value_len)
{
	int type;
	u32 i;

	if (name_len == 6 && !memcmp(name, "access", 6))
		type = VEXFS_ACL_ACCESS;
	else if (name_len == 7 && !memcmp(name, "default", 7))
		type = VEXFS_ACL_DEFAULT;
	else
		return -1;
	if (value_len < 4 || (value_len - 4) % 8 || get_unaligned_le32(value) != 2)
		return -1;
	for (i = 4; i < value_len; i += 8) {
		switch (get_unaligned_le16(value + i)) {
		case 0x01: case 0x02: case 0x04: case 0x08: case 0x10: case 0x20:
			continue;	/* USER_OBJ USER GROUP_OBJ GROUP MASK OTHER */
		}
		return -1;
	}
	return type;
}
