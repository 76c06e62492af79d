/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vrec.h - vector records, vector-table entries and the 32-byte slot
 * allocator of vector chunks: the shared, pure-C part of the vector store
 * (vexfs.ko, fsck.vexfs, vexctl, native tests and benchmarks).
 *
 * No allocation, no locking, no I/O here: callers own the memory and the
 * locks, and the kernel does the journaled block I/O.
 */
#ifndef _VEXFS_CORE_VREC_H
#define _VEXFS_CORE_VREC_H

#include "vexfs/compat.h"
#include "vexfs/vexfs_fs.h"

/* ---- records ------------------------------------------------------------ */

/* Bytes of @dims elements of @dtype (binary: bit-packed), 0 if invalid. */
u32 vexfs_vec_raw_size(u32 dtype, u32 dims);
/* Record length (header + meta + data) for @data_size stored bytes. */
static inline u32 vexfs_vec_rec_len(u32 data_size)
{
	return VEXFS_VEC_REC_HDR + data_size;
}

/*
 * Check what a caller asks to store: dtype, compression, dims and data size.
 * Returns 0, -EINVAL (unknown dtype / compression, dims 0 or too big, size
 * not dims x dtype, flags or confidence out of range) or -EOPNOTSUPP (a known
 * compression this build does not encode). *why names the failed check.
 */
int vexfs_vec_check_args(u32 dtype, u32 compression, u32 dims, u32 data_len,
			 const struct vexfs_vec_meta *meta, const char **why);

/*
 * Bytes stored for a vector of @dims x @dtype under @compression, 0 if this
 * version does not store that compression (NONE: the raw size; F16: float32
 * vectors as IEEE binary16, 2 bytes per dimension).
 */
u32 vexfs_vec_stored_size(u32 dtype, u32 compression, u32 dims);
/*
 * Whether @len bytes at @data are a valid stored form (sizes; for sparse, the
 * code itself: count, increasing indices below dims, finite non-zero values).
 */
int vexfs_vec_stored_ok(u32 dtype, u32 compression, u32 dims, const void *data, u32 len);
/*
 * PQ stored form (struct vexfs_pq_ref + m codes) checked for shape only: the
 * codebook id (returned, > 0) is in range and m = len - 8 divides dims. The
 * codebook itself (its m, dims and CRC) is checked by who holds it. 0 = bad.
 */
int vexfs_pq_ref_ok(u32 dtype, u32 dims, const void *data, u32 len);
/*
 * Sparse form of a float32 vector (every non-zero value; lossless) into @out
 * (room for 4 + 8 * dims bytes). Returns its size, or -EINVAL for NaN / inf
 * or a form above VEXFS_VEC_MAX_DATA. Integer-only.
 */
int vexfs_vec_sparse_encode(const void *raw, u32 dims, void *out);
/* Encode raw data in place; returns the stored size. Integer-only (no FPU). */
u32 vexfs_vec_encode(u32 dtype, u32 compression, u32 dims, void *data);
/* Decode stored data to the raw form (dims x dtype bytes) in @out. */
void vexfs_vec_decode(u32 dtype, u32 compression, u32 dims, const void *in, void *out);

/*
 * Fill a record in @rec (vexfs_vec_rec_len(data_len) bytes, data already at
 * rec + VEXFS_VEC_REC_HDR) and set its checksum.
 */
void vexfs_vec_rec_init(void *rec, u32 seed, u64 id, u64 ino, u32 dtype,
			u32 compression, u32 dims, u32 original_size, u32 data_len,
			u64 created_ns, u64 modified_ns, const struct vexfs_vec_meta *meta);
u32 vexfs_vec_rec_csum(u32 seed, const void *rec, u32 len);

/*
 * Validate a record of @len bytes read for vector @id of inode @ino:
 * magic, version, id, owner, dtype, compression, dims, sizes vs dims and
 * dtype and vs @len, flags, metadata, checksum. Returns 0 or -EUCLEAN with
 * *why naming the first failed check.
 */
int vexfs_vec_rec_validate(const void *rec, u32 len, u32 seed, u64 id, u64 ino,
			   const char **why);

/* ---- vector table entries ----------------------------------------------- */

#define VEXFS_VTAB_ENTRY_SIZE	32u
static inline u32 vexfs_vtab_per_block(u32 block_size)
{
	return block_size / VEXFS_VTAB_ENTRY_SIZE;
}

u32 vexfs_vtab_csum(u32 seed, u64 id, const struct vexfs_vtab_entry *e);
bool vexfs_vtab_is_free(const struct vexfs_vtab_entry *e);

/* A decoded, validated table entry. */
struct vexfs_vloc {
	u64 ino;
	u64 chunk;		/* first block of the chunk */
	u32 offset;		/* byte offset of the record in the chunk */
	u32 length;		/* record bytes */
	u32 chunk_blocks;	/* blocks in the chunk */
};

void vexfs_vtab_encode(struct vexfs_vtab_entry *e, u32 seed, u64 id,
		       const struct vexfs_vloc *loc);
/*
 * Decode and validate entry @id: checksum, owner range, chunk inside
 * [first_data, blocks), chunk size, alignment and bounds of the record.
 * Returns 0, 1 for a free entry, or -EUCLEAN with *why set.
 */
int vexfs_vtab_decode(const struct vexfs_vtab_entry *e, u32 seed, u64 id,
		      u32 block_size, u64 first_data, u64 blocks, u64 max_ino,
		      struct vexfs_vloc *loc, const char **why);

/* ---- chunk slot allocator ----------------------------------------------- */

/*
 * A chunk is a run of 1..VEXFS_VCHUNK_BYTES / block size contiguous blocks
 * whose bytes are cut in 32-byte slots; a record takes a run of slots and may
 * cross block boundaries inside its chunk. Chunks with free space sit on the
 * list of their longest free run, so picking the chunk for n slots is a best
 * fit: the chunk whose longest run is the shortest that still holds n.
 */
#define VEXFS_VCHUNK_BYTES	65536u
#define VEXFS_VCHUNK_SLOTS	(VEXFS_VCHUNK_BYTES / VEXFS_VEC_ALIGN)
#define VEXFS_VCHUNK_WORDS	(VEXFS_VCHUNK_SLOTS / 64)

struct vexfs_vchunk {
	u64 start;			/* first block */
	u32 nslots;			/* blocks * block size / 32 */
	u32 nused;			/* slots in use */
	u32 maxrun;			/* longest free run */
	u32 nrec;			/* records in the chunk */
	struct vexfs_vchunk *prev, *next;	/* list of maxrun */
	u64 map[VEXFS_VCHUNK_WORDS];	/* bit set = slot used */
	u64 starts[VEXFS_VCHUNK_WORDS];	/* bit set = a record starts at this slot */
	/*
	 * Cached verdicts of the record starting at a slot (search): checked =
	 * its header, owner and CRC were verified against its table entry (or
	 * the kernel wrote it), bad = that check failed. Cleared with the slot.
	 */
	u64 checked[VEXFS_VCHUNK_WORDS];
	u64 bad[VEXFS_VCHUNK_WORDS];
};

struct vexfs_valloc {
	u32 block_size;
	u64 chunks;			/* chunks tracked */
	u64 chunk_blocks;		/* blocks in them */
	u64 used_slots;
	u64 nonempty[VEXFS_VCHUNK_WORDS + 1];	/* lists that are not empty */
	struct vexfs_vchunk *cls[VEXFS_VCHUNK_SLOTS + 1];
};

static inline u32 vexfs_vec_slots(u32 len)
{
	return VEXFS_DIV_ROUND_UP(len, VEXFS_VEC_ALIGN);
}

static inline u32 vexfs_vchunk_max_blocks(u32 block_size)
{
	return VEXFS_VCHUNK_BYTES / block_size;
}

void vexfs_valloc_init(struct vexfs_valloc *va, u32 block_size);
/* An empty chunk of @blocks blocks at @start (not yet tracked). */
void vexfs_vchunk_init(struct vexfs_vchunk *c, u64 start, u32 blocks, u32 block_size);
/* Start / stop tracking a chunk (its map is kept). */
void vexfs_valloc_insert(struct vexfs_valloc *va, struct vexfs_vchunk *c);
void vexfs_valloc_remove(struct vexfs_valloc *va, struct vexfs_vchunk *c);
/* Best-fit chunk with a free run of @n slots, or NULL. */
struct vexfs_vchunk *vexfs_valloc_pick(const struct vexfs_valloc *va, u32 n);
/*
 * Take @n slots in tracked chunk @c (best-fit run inside the chunk). Returns
 * the first slot, or -ENOSPC if @c has no run of @n.
 */
int vexfs_vchunk_take(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 n);
/*
 * Mark slots [slot, slot + n) used in tracked chunk @c (rebuilding at mount).
 * Returns 0, or -EUCLEAN if they are out of range or already used.
 */
int vexfs_vchunk_mark(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 slot, u32 n);
/* Release slots; the caller frees the chunk when c->nrec drops to 0. */
void vexfs_vchunk_release(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 slot, u32 n);

/* ---- PQ codebook directory (block s_cb_dir) ----------------------------- */

u32 vexfs_cbdir_csum(u32 seed, const void *blk);
/* Set the magic and checksum of a directory block built in @blk. */
void vexfs_cbdir_seal(void *blk, u32 seed);
/*
 * Check a directory block (the first VEXFS_CB_DIR_BYTES bytes): magic, CRC,
 * count, every used entry (vexfs_cb_entry_check) and zero unused entries.
 * Sets *count. -EUCLEAN with *why on any problem.
 */
int vexfs_cbdir_check(const void *blk, u32 seed, u32 block_size, u64 fs_blocks,
		      u32 *count, const char **why);
/* One entry: id, d and m, length and blocks from d, extent inside the fs. */
int vexfs_cb_entry_check(const struct vexfs_cb_entry *e, u32 id, u32 block_size,
			 u64 fs_blocks, const char **why);

#endif /* _VEXFS_CORE_VREC_H */
