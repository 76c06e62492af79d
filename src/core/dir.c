// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dir.c - directory hashing and bucket blocks (see vexfs_fs.h for the
 * linear-hash layout), shared by vexfs.ko, mkfs and fsck.
 */
#include "format.h"

#define HDR_SIZE ((u32)sizeof(struct vexfs_bucket_header))
#define HASH_MASK ((1ULL << VEXFS_HASH_BITS) - 1)

u64 vexfs_name_hash(const u64 key[2], const char *name, u32 len)
{
	siphash_key_t k = { .key = { key[0], key[1] } };

	return siphash(name, len, &k) >> (64 - VEXFS_HASH_BITS);
}

static u64 rev64(u64 x)
{
	x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
	x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
	x = ((x >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((x & 0x0f0f0f0f0f0f0f0fULL) << 4);
	x = ((x >> 8) & 0x00ff00ff00ff00ffULL) | ((x & 0x00ff00ff00ff00ffULL) << 8);
	x = ((x >> 16) & 0x0000ffff0000ffffULL) | ((x & 0x0000ffff0000ffffULL) << 16);
	return (x >> 32) | (x << 32);
}

u32 vexfs_dir_bucket(u64 h, u32 level, u32 split)
{
	u64 r = rev64(h & HASH_MASK) >> (64 - VEXFS_HASH_BITS);
	u64 b = r & ((1ULL << level) - 1);

	if (b < split)
		b = r & ((1ULL << (level + 1)) - 1);
	return (u32)b;
}

void vexfs_dir_bucket_range(u32 b, u32 level, u32 split, u64 *lo, u64 *hi)
{
	u32 d = (b < split || b >= (1ULL << level)) ? level + 1 : level;
	u64 top = d ? rev64(b) >> (64 - d) : 0;

	*lo = top << (VEXFS_HASH_BITS - d);
	*hi = *lo + (1ULL << (VEXFS_HASH_BITS - d));
}

int vexfs_dirhdr_validate(const void *blk, u32 block_size, u64 max_buckets,
			  const char **why)
{
	const struct vexfs_dir_header *dh = blk;
	u32 level = le32_to_cpu(dh->dh_level), split = le32_to_cpu(dh->dh_split);

	if (le32_to_cpu(dh->dh_magic) != VEXFS_DIRHDR_MAGIC) {
		*why = "bad directory header magic";
		return -EUCLEAN;
	}
	if (level > 30 || split >= (1U << level) ||
	    le32_to_cpu(dh->dh_nbuckets) != (1U << level) + split ||
	    le32_to_cpu(dh->dh_nbuckets) > max_buckets) {
		*why = "bad directory hash geometry";
		return -EUCLEAN;
	}
	if (!le64_to_cpu(dh->dh_parent)) {
		*why = "directory without parent";
		return -EUCLEAN;
	}
	if (!vexfs_zero_tail(blk, sizeof(*dh), block_size)) {
		*why = "directory header block has data past the header";
		return -EUCLEAN;
	}
	return 0;
}

static struct vexfs_dirent *ent_at(const void *blk, u32 off)
{
	return (struct vexfs_dirent *)((u8 *)blk + off);
}

int vexfs_bucket_validate(const void *blk, u32 block_size, const char **why)
{
	const struct vexfs_bucket_header *bh = blk;
	u32 used = le16_to_cpu(bh->bb_used), count = le16_to_cpu(bh->bb_count);
	u32 off = HDR_SIZE, end, n = 0, i;

	if (le32_to_cpu(bh->bb_magic) != VEXFS_BUCKET_MAGIC) {
		*why = "bad directory bucket magic";
		return -EUCLEAN;
	}
	if (used > block_size - HDR_SIZE) {
		*why = "bucket used bytes out of range";
		return -EUCLEAN;
	}
	end = HDR_SIZE + used;
	while (off < end) {
		const struct vexfs_dirent *de = ent_at(blk, off);
		u32 len;

		if (end - off < 18) {
			*why = "truncated directory entry";
			return -EUCLEAN;
		}
		len = de->d_name_len;
		if (!len || VEXFS_DIRENT_SIZE(len) > end - off) {
			*why = "directory entry overruns bucket";
			return -EUCLEAN;
		}
		if (!le64_to_cpu(de->d_ino) || le64_to_cpu(de->d_hash) > HASH_MASK) {
			*why = "bad directory entry inode or hash";
			return -EUCLEAN;
		}
		for (i = 0; i < len; i++) {
			if (de->d_name[i] == '/' || de->d_name[i] == '\0') {
				*why = "bad character in directory entry name";
				return -EUCLEAN;
			}
		}
		if ((len == 1 && de->d_name[0] == '.') ||
		    (len == 2 && de->d_name[0] == '.' && de->d_name[1] == '.')) {
			*why = "dot entry stored in a bucket";
			return -EUCLEAN;
		}
		off += VEXFS_DIRENT_SIZE(len);
		n++;
	}
	if (n != count) {
		*why = "bucket entry count mismatch";
		return -EUCLEAN;
	}
	if (!vexfs_zero_tail(blk, end, block_size)) {
		*why = "bucket has data past its entries";
		return -EUCLEAN;
	}
	return 0;
}

const struct vexfs_dirent *vexfs_bucket_next(const void *blk,
					     const struct vexfs_dirent *prev)
{
	const struct vexfs_bucket_header *bh = blk;
	u32 end = HDR_SIZE + le16_to_cpu(bh->bb_used);
	u32 off = prev ? (u32)((const u8 *)prev - (const u8 *)blk) +
			 VEXFS_DIRENT_SIZE(prev->d_name_len) : HDR_SIZE;

	return off < end ? ent_at(blk, off) : NULL;
}

struct vexfs_dirent *vexfs_bucket_find(void *blk, u64 hash, const char *name,
				       u32 len)
{
	const struct vexfs_dirent *de = NULL;

	while ((de = vexfs_bucket_next(blk, de))) {
		if (le64_to_cpu(de->d_hash) == hash && de->d_name_len == len &&
		    !memcmp(de->d_name, name, len))
			return (struct vexfs_dirent *)de;
	}
	return NULL;
}

u32 vexfs_bucket_free(const void *blk, u32 block_size)
{
	const struct vexfs_bucket_header *bh = blk;

	return block_size - HDR_SIZE - le16_to_cpu(bh->bb_used);
}

void vexfs_bucket_add(void *blk, u64 hash, u64 ino, const char *name, u32 len,
		      u8 type)
{
	struct vexfs_bucket_header *bh = blk;
	u32 used = le16_to_cpu(bh->bb_used);
	struct vexfs_dirent *de = ent_at(blk, HDR_SIZE + used);
	u32 size = VEXFS_DIRENT_SIZE(len);

	memset(de, 0, size);
	de->d_hash = cpu_to_le64(hash);
	de->d_ino = cpu_to_le64(ino);
	de->d_name_len = (u8)len;
	de->d_type = type;
	memcpy(de->d_name, name, len);
	bh->bb_used = cpu_to_le16((u16)(used + size));
	bh->bb_count = cpu_to_le16((u16)(le16_to_cpu(bh->bb_count) + 1));
}

void vexfs_bucket_remove(void *blk, struct vexfs_dirent *de)
{
	struct vexfs_bucket_header *bh = blk;
	u32 end = HDR_SIZE + le16_to_cpu(bh->bb_used);
	u32 off = (u32)((u8 *)de - (u8 *)blk);
	u32 size = VEXFS_DIRENT_SIZE(de->d_name_len);

	memmove((u8 *)blk + off, (u8 *)blk + off + size, end - off - size);
	memset((u8 *)blk + end - size, 0, size);
	bh->bb_used = cpu_to_le16((u16)(end - HDR_SIZE - size));
	bh->bb_count = cpu_to_le16((u16)(le16_to_cpu(bh->bb_count) - 1));
}

void vexfs_bucket_init(void *blk, u32 block_size)
{
	struct vexfs_bucket_header *bh = blk;

	memset(blk, 0, block_size);
	bh->bb_magic = cpu_to_le32(VEXFS_BUCKET_MAGIC);
}

u8 vexfs_mode_to_ft(u32 mode)
{
	switch (mode & 0170000) {
	case 0100000: return VEXFS_FT_REG;
	case 0040000: return VEXFS_FT_DIR;
	case 0120000: return VEXFS_FT_SYMLINK;
	case 0020000: return VEXFS_FT_CHRDEV;
	case 0060000: return VEXFS_FT_BLKDEV;
	case 0010000: return VEXFS_FT_FIFO;
	case 0140000: return VEXFS_FT_SOCK;
	}
	return VEXFS_FT_UNKNOWN;
}
