/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * format.h - the shared, pure-C VexFS core: checksums, superblock validation,
 * geometry, bitmaps, block-map paths and directory bucket code. Compiled into
 * vexfs.ko and into every userspace tool (as libxfs is in xfsprogs). No
 * allocation, no locking, no I/O: callers pass buffers.
 */
#ifndef _VEXFS_CORE_FORMAT_H
#define _VEXFS_CORE_FORMAT_H

#include "vexfs/compat.h"
#include "vexfs/vexfs_fs.h"

/* ---- checksums ---------------------------------------------------------- */

/* Seed for every metadata checksum but the superblock's: crc32c(~0, uuid). */
u32 vexfs_csum_seed(const u8 uuid[16]);
u32 vexfs_sb_csum(const struct vexfs_super_block *sb);
u32 vexfs_gd_csum(u32 seed, u32 group, const struct vexfs_group_desc *gd);
u32 vexfs_inode_csum(u32 seed, u64 ino, const struct vexfs_inode *raw);
/*
 * Checksum of a metadata block of @size bytes whose 32-bit checksum field is
 * at byte @csum_off (treated as zero), seeded with the owner inode.
 */
u32 vexfs_block_csum(u32 seed, u64 ino, const void *buf, u32 size, u32 csum_off);
/*
 * vexfs_block_csum of a block whose bytes [@used, @size) are zero, reading
 * only the first @used (csum_off + 4 <= used <= size): directory blocks,
 * whose validators require the zero tail, are sealed this way.
 */
u32 vexfs_block_csum_used(u32 seed, u64 ino, const void *buf, u32 used, u32 size,
			  u32 csum_off);
/* Are bytes [@from, @size) of @buf all zero? */
bool vexfs_zero_tail(const void *buf, u32 from, u32 size);
u32 vexfs_bitmap_csum(u32 seed, const void *buf, u32 bytes);
/*
 * vexfs_bitmap_csum of @map (@bytes long) whose bits [@first, @first + @n)
 * were just flipped, from @csum, its sum before: reads only @map's changed
 * bytes when they are few (an allocation or a free touches one or two).
 */
u32 vexfs_bitmap_csum_flip(u32 seed, u32 csum, const void *map, u32 bytes, u32 first,
			   u32 n);

/* ---- superblock --------------------------------------------------------- */

/* Derived geometry, computed once from a validated superblock. */
struct vexfs_geom {
	u32 block_bits;
	u32 block_size;
	u64 blocks;
	u32 blocks_per_group;
	u32 inodes_per_group;
	u32 groups;
	u32 gdt_blocks;
	u64 gdt_start;
	u64 journal_start;
	u32 journal_blocks;
	u32 inodes_per_block;
	u32 itable_blocks;		/* per group */
	u64 inodes;
	u64 first_ino;
};

/* Result of validation beyond "accept": which features force read-only. */
#define VEXFS_SB_RO_FEATURES	0x1

/*
 * Validate a superblock read from a device of @dev_bytes bytes (0 = unknown).
 * Returns 0 and fills @g, or -EINVAL (not a VexFS superblock: bad magic),
 * -EUCLEAN (a VexFS superblock that is corrupt or inconsistent) or
 * -EOPNOTSUPP (unknown incompat features / version). *why names the first
 * failed check. *flags gets VEXFS_SB_RO_FEATURES when unknown ro_compat bits
 * are set.
 */
int vexfs_sb_validate(const struct vexfs_super_block *sb, u64 dev_bytes,
		      struct vexfs_geom *g, const char **why, u32 *flags);

/*
 * Geometry for mkfs: lay out a filesystem of @blocks blocks of 1 << @bits bytes
 * with at least @want_inodes inodes (0 = one per 16 KiB) and a journal of
 * @journal_blocks (0 = default by size). Returns 0 or -EINVAL / -ENOSPC with
 * *why set. Block numbers of group g's metadata are given by
 * vexfs_group_meta().
 */
int vexfs_geom_plan(struct vexfs_geom *g, u32 bits, u64 blocks,
		    u64 want_inodes, u32 journal_blocks, const char **why);

/*
 * Fill a superblock for geometry @g (as mkfs does): counts, locations, UUID,
 * hash key, times; free counts as given; checksum set.
 */
void vexfs_sb_init(struct vexfs_super_block *sb, const struct vexfs_geom *g,
		   const u8 uuid[16], const u64 hash_key[2], u64 now,
		   u64 free_blocks, u64 free_inodes);

/* Where mkfs places group @grp's bitmaps and inode table. */
void vexfs_group_meta(const struct vexfs_geom *g, u32 grp, u64 *block_bitmap,
		      u64 *inode_bitmap, u64 *inode_table);
/* Blocks at the start of group @grp used by fixed metadata (sb, gdt, journal, bitmaps, itable). */
u32 vexfs_group_overhead(const struct vexfs_geom *g, u32 grp);
/* Blocks in group @grp (the last one may be short). */
u32 vexfs_group_blocks(const struct vexfs_geom *g, u32 grp);

/* Validate a group descriptor against the geometry (bounds, counts). */
int vexfs_gd_validate(const struct vexfs_geom *g, u32 grp,
		      const struct vexfs_group_desc *gd, const char **why);

/* True if @blk lies in a group's data area (not sb, gdt, journal, bitmaps, itable). */
bool vexfs_data_block(const struct vexfs_geom *g, u64 blk);

/* ---- bitmaps (little-endian bit order, as ext2) ------------------------- */

static inline bool vexfs_test_bit(const u8 *map, u32 nr)
{
	return map[nr >> 3] & (1U << (nr & 7));
}

static inline void vexfs_set_bit(u8 *map, u32 nr)
{
	map[nr >> 3] |= 1U << (nr & 7);
}

static inline void vexfs_clear_bit(u8 *map, u32 nr)
{
	map[nr >> 3] &= ~(1U << (nr & 7));
}

/* First zero bit in [start, nbits), or nbits. */
u32 vexfs_find_next_zero(const u8 *map, u32 nbits, u32 start);
/* Length of the run of zero bits starting at @start, at most @max. */
u32 vexfs_zero_run(const u8 *map, u32 nbits, u32 start, u32 max);
/* Count of zero bits in [0, nbits). */
u32 vexfs_count_zero(const u8 *map, u32 nbits);

/* ---- block map (direct / single / double / triple indirect) ------------- */

/* Pointers per indirect block (the last slot holds the tail). */
static inline u32 vexfs_ptrs_per_block(u32 block_size)
{
	return block_size / 8 - 1;
}

/*
 * Translate logical block @lblk into a path: offsets[0] indexes i_block[],
 * offsets[1..depth-1] index indirect blocks. Returns depth (1..4), or 0 if
 * @lblk is beyond the largest mappable block.
 */
int vexfs_block_path(u32 block_size, u64 lblk, u32 offsets[4]);
/* One past the largest mappable logical block. */
u64 vexfs_max_lblk(u32 block_size);

/* ---- xattr entries ------------------------------------------------------ */

/*
 * A POSIX ACL entry (index VEXFS_XATTR_INDEX_POSIX_ACL): VEXFS_ACL_ACCESS or
 * VEXFS_ACL_DEFAULT from its name, or -1 when the name is neither or the
 * value is not the system.posix_acl_* form (version 2, 8-byte entries with
 * known tags). The kernel's posix_acl_from_xattr checks entry order and ids.
 */
int vexfs_acl_entry_check(const u8 *name, u32 name_len, const u8 *value, u32 value_len);

/* ---- directories -------------------------------------------------------- */

u64 vexfs_name_hash(const u64 key[2], const char *name, u32 len);
/* Bucket of hash @h for a directory with level @level and split pointer @split. */
u32 vexfs_dir_bucket(u64 h, u32 level, u32 split);
/* Hash range [*lo, *hi) covered by bucket @b. */
void vexfs_dir_bucket_range(u32 b, u32 level, u32 split, u64 *lo, u64 *hi);

/*
 * Validate a bucket block (header, every entry in bounds, names sane, hashes
 * belong to bucket @b when @b != U32_MAX). Returns 0 or -EUCLEAN with *why.
 */
int vexfs_bucket_validate(const void *blk, u32 block_size, const char **why);
/* Validate a directory header block (the header, zeros after it). */
int vexfs_dirhdr_validate(const void *blk, u32 block_size, u64 max_buckets,
			  const char **why);

/* Iterate entries of a validated bucket: returns NULL after the last. */
const struct vexfs_dirent *vexfs_bucket_next(const void *blk,
					     const struct vexfs_dirent *prev);
/* Find @name in a validated bucket block. */
struct vexfs_dirent *vexfs_bucket_find(void *blk, u64 hash, const char *name,
				       u32 len);
/* Free bytes in a bucket block. */
u32 vexfs_bucket_free(const void *blk, u32 block_size);
/* Append an entry (caller checked the space). */
void vexfs_bucket_add(void *blk, u64 hash, u64 ino, const char *name, u32 len,
		      u8 type);
/* Remove the entry @de from the block, compacting the rest. */
void vexfs_bucket_remove(void *blk, struct vexfs_dirent *de);
/* Initialise an empty bucket block. */
void vexfs_bucket_init(void *blk, u32 block_size);

/* Mode bits to VEXFS_FT_*. */
u8 vexfs_mode_to_ft(u32 mode);

#endif /* _VEXFS_CORE_FORMAT_H */
