/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_fs.h - the VexFS on-disk format, and nothing else.
 *
 * Shared by vexfs.ko, mkfs.vexfs, fsck.vexfs and vexctl. All fields are
 * little-endian and fixed width. Documentation/vexfs-format.rst describes
 * every structure; include/vexfs/ondisk_check.h pins sizes and offsets.
 *
 * Units: "block" is a filesystem block of 1 << s_block_size_bits bytes;
 * block numbers are absolute from the start of the device (block 0 holds the
 * superblock). Inode numbers start at 1; 0 means "none".
 */
#ifndef _VEXFS_FS_H
#define _VEXFS_FS_H

#include <linux/types.h>

#define VEXFS_SUPER_MAGIC	0x56455846	/* "VEXF" */
#define VEXFS_FORMAT_VERSION	1
#define VEXFS_MIN_BLOCK_BITS	10		/* 1 KiB */
#define VEXFS_MAX_BLOCK_BITS	12		/* 4 KiB (PAGE_SIZE on x86) */
#define VEXFS_DEFAULT_BLOCK_BITS 12
#define VEXFS_SUPER_SIZE	1024		/* bytes used in block 0 */
#define VEXFS_INODE_SIZE	256
#define VEXFS_LABEL_LEN		64
#define VEXFS_NAME_LEN		255

#define VEXFS_ROOT_INO		1
#define VEXFS_VECSTORE_INO	2	/* reserved for the vector store */
#define VEXFS_ANN_INO		3	/* reserved for the graph ANN index */
#define VEXFS_FIRST_INO		8	/* first inode handed to users */

/* Per-block-type magics (first 4 bytes of every metadata block but bitmaps). */
#define VEXFS_DIRHDR_MAGIC	0x56584448	/* "VXDH" directory header */
#define VEXFS_BUCKET_MAGIC	0x56584442	/* "VXDB" directory bucket */
#define VEXFS_XATTR_MAGIC	0x56585841	/* "VXXA" xattr block */
#define VEXFS_IND_MAGIC		0x56584942	/* "VXIB" indirect block (tail) */

/* s_state */
#define VEXFS_STATE_CLEAN	0x0001	/* unmounted cleanly */
#define VEXFS_STATE_ERROR	0x0002	/* an error was recorded; run fsck */

/* s_errors: what to do on a metadata error (mount option errors= overrides) */
#define VEXFS_ERRORS_CONTINUE	1
#define VEXFS_ERRORS_RO		2
#define VEXFS_ERRORS_PANIC	3

/*
 * Feature masks. A kernel that sees an unknown INCOMPAT bit refuses to mount;
 * an unknown RO_COMPAT bit forces a read-only mount; COMPAT bits are ignored.
 */
#define VEXFS_FEATURE_COMPAT_SUPP	0ULL
#define VEXFS_FEATURE_RO_COMPAT_PARENT	0x1ULL	/* parent pointers (i_parent, xattr index 4) */
#define VEXFS_FEATURE_RO_COMPAT_SUPP	VEXFS_FEATURE_RO_COMPAT_PARENT
#define VEXFS_FEATURE_INCOMPAT_VECTORS	0x1ULL	/* vector store present */
#define VEXFS_FEATURE_INCOMPAT_CODEBOOKS 0x2ULL	/* PQ codebooks: s_cb_dir valid */
#define VEXFS_FEATURE_INCOMPAT_ANN	0x4ULL	/* graph ANN index: s_ann_ino valid, vm_ann used */
#define VEXFS_FEATURE_INCOMPAT_SUPP	(VEXFS_FEATURE_INCOMPAT_VECTORS | \
					 VEXFS_FEATURE_INCOMPAT_CODEBOOKS | \
					 VEXFS_FEATURE_INCOMPAT_ANN)

/*
 * The superblock: block 0, bytes [0, 1024). The rest of block 0 is zero.
 * s_checksum is crc32c(~0, bytes [0, 1020)).
 */
struct vexfs_super_block {
	__le32 s_magic;			/*   0 VEXFS_SUPER_MAGIC */
	__le32 s_version;		/*   4 VEXFS_FORMAT_VERSION */
	__le32 s_block_size_bits;	/*   8 10..12 */
	__le32 s_inode_size;		/*  12 VEXFS_INODE_SIZE */
	__le64 s_blocks_count;		/*  16 blocks in the filesystem */
	__le64 s_inodes_count;		/*  24 = s_group_count * s_inodes_per_group */
	__le64 s_free_blocks;		/*  32 exact when the fs is clean */
	__le64 s_free_inodes;		/*  40 exact when the fs is clean */
	__le32 s_blocks_per_group;	/*  48 8 * block size (one bitmap block) */
	__le32 s_inodes_per_group;	/*  52 multiple of inodes per block, <= 8 * block size */
	__le32 s_group_count;		/*  56 ceil(s_blocks_count / s_blocks_per_group) */
	__le32 s_gdt_blocks;		/*  60 blocks of group descriptors */
	__le64 s_gdt_start;		/*  64 first block of the group descriptor table (1) */
	__le64 s_journal_start;		/*  72 first block of the jbd2 journal */
	__le32 s_journal_blocks;	/*  80 blocks in the journal */
	__le32 s_state;			/*  84 VEXFS_STATE_* */
	__le64 s_feature_compat;	/*  88 */
	__le64 s_feature_ro_compat;	/*  96 */
	__le64 s_feature_incompat;	/* 104 */
	__le64 s_orphan_head;		/* 112 first inode of the orphan list, 0 = empty */
	__le64 s_root_ino;		/* 120 VEXFS_ROOT_INO */
	__le64 s_first_ino;		/* 128 first non-reserved inode */
	__u8   s_uuid[16];		/* 136 */
	char   s_label[VEXFS_LABEL_LEN]; /* 152 NUL padded; need not be NUL terminated */
	__le64 s_hash_key[2];		/* 216 siphash key of directory name hashes */
	__le64 s_mkfs_time;		/* 232 seconds since the epoch */
	__le64 s_mount_time;		/* 240 */
	__le64 s_write_time;		/* 248 */
	__le32 s_mount_count;		/* 256 */
	__le16 s_errors;		/* 260 VEXFS_ERRORS_* default behaviour */
	__le16 s_pad0;			/* 262 zero */
	__le64 s_error_count;		/* 264 errors recorded since mkfs */
	__le64 s_last_error_time;	/* 272 */
	/* Vector store (zero unless INCOMPAT_VECTORS is set). */
	__le64 s_vec_next_id;		/* 280 next vector id (ids are never reused), >= 1 */
	__le64 s_vec_count;		/* 288 live vector records */
	__le64 s_vec_bytes;		/* 296 bytes of live records (ve_length summed) */
	__le64 s_vec_root;		/* 304 inode of the vector table (VEXFS_VECSTORE_INO) */
	__le64 s_vec_blocks;		/* 312 blocks holding vector records */
	__le64 s_cb_dir;		/* 320 codebook directory block (INCOMPAT_CODEBOOKS), else 0 */
	__le64 s_ann_ino;		/* 328 VEXFS_ANN_INO with INCOMPAT_ANN, else 0 */
	__le32 s_ann_gen;		/* 336 generation of the newest index created, 0 = none */
	__le32 s_ann_pad;		/* 340 zero */
	__le64 s_vec_reserved[8];	/* 344 zero */
	__le32 s_reserved[153];		/* 408 zero */
	__le32 s_checksum;		/* 1020 crc32c of bytes [0, 1020) */
};

/*
 * Group descriptors: s_gdt_blocks blocks starting at s_gdt_start, 64 bytes
 * each. Group g covers blocks [g * s_blocks_per_group, (g + 1) * ...) clipped
 * to s_blocks_count; bits past the end of the device are set in the last
 * group's bitmap. All block numbers are absolute.
 */
struct vexfs_group_desc {
	__le64 bg_block_bitmap;		/*  0 block of the block bitmap */
	__le64 bg_inode_bitmap;		/*  8 block of the inode bitmap */
	__le64 bg_inode_table;		/* 16 first block of the inode table */
	__le32 bg_free_blocks;		/* 24 */
	__le32 bg_free_inodes;		/* 28 */
	__le32 bg_used_dirs;		/* 32 */
	__le32 bg_flags;		/* 36 zero */
	__le32 bg_block_bitmap_csum;	/* 40 crc32c(seed, bitmap block) */
	__le32 bg_inode_bitmap_csum;	/* 44 crc32c(seed, inode bitmap bytes [0, ipg/8)) */
	__le32 bg_reserved[3];		/* 48 zero */
	__le32 bg_checksum;		/* 60 crc32c(seed, le32 group, bytes [0, 60)) */
};

/* i_block[]: direct, single, double, triple indirect block numbers. */
#define VEXFS_NDIR_BLOCKS	12
#define VEXFS_IND_BLOCK		12
#define VEXFS_DIND_BLOCK	13
#define VEXFS_TIND_BLOCK	14
#define VEXFS_N_BLOCKS		15
#define VEXFS_INLINE_SYMLINK_LEN (VEXFS_N_BLOCKS * 8)	/* fast symlink bytes */

/* i_flags */
#define VEXFS_INODE_FL_SYNC	0x00000008
#define VEXFS_INODE_FL_IMMUTABLE 0x00000010
#define VEXFS_INODE_FL_APPEND	0x00000020
#define VEXFS_INODE_FL_NODUMP	0x00000040
#define VEXFS_INODE_FL_NOATIME	0x00000080
#define VEXFS_INODE_FL_USER_MASK 0x000000f8

/*
 * Inode: 256 bytes in the inode table of its group; inode number ino lives in
 * group (ino - 1) / ipg at index (ino - 1) % ipg. A free inode is all zero
 * except possibly i_generation. i_checksum = crc32c(seed, le64 ino,
 * bytes [0, 252)).
 */
struct vexfs_inode {
	__le16 i_mode;			/*   0 S_IF* | permissions; 0 = unused */
	__le16 i_pad0;			/*   2 zero */
	__le32 i_uid;			/*   4 */
	__le32 i_gid;			/*   8 */
	__le32 i_links;			/*  12 */
	__le64 i_size;			/*  16 bytes */
	__le64 i_blocks;		/*  24 blocks allocated (data + indirect + xattr) */
	__le64 i_atime;			/*  32 seconds, signed */
	__le64 i_mtime;			/*  40 */
	__le64 i_ctime;			/*  48 */
	__le64 i_crtime;		/*  56 */
	__le32 i_atime_ns;		/*  64 nanoseconds, < 1e9 */
	__le32 i_mtime_ns;		/*  68 */
	__le32 i_ctime_ns;		/*  72 */
	__le32 i_crtime_ns;		/*  76 */
	__le32 i_generation;		/*  80 */
	__le32 i_flags;			/*  84 VEXFS_INODE_FL_* */
	__le64 i_xattr_block;		/*  88 0 or the inode's xattr block */
	__le64 i_orphan_next;		/*  96 next inode on the orphan list */
	__le64 i_vec_head;		/* 104 vector list of this inode (vector store) */
	__le32 i_vec_count;		/* 112 vectors attached to this inode */
	__le32 i_rdev;			/* 116 new_encode_dev() of a device node */
	union {				/* 120 */
		__le64 i_block[VEXFS_N_BLOCKS];
		char i_symlink[VEXFS_INLINE_SYMLINK_LEN];
	};
	__le64 i_parent;		/* 240 parent pointer: directory of one link, 0 = none */
	__le32 i_parent_hash;		/* 248 bits 61..30 of that link's name hash */
	__le32 i_checksum;		/* 252 */
};

/*
 * Indirect block: (block size / 8 - 1) block numbers, then a tail.
 * it_checksum = crc32c(seed, le64 owner ino, bytes [0, block size - 4)).
 */
struct vexfs_ind_tail {
	__le32 it_magic;		/* VEXFS_IND_MAGIC */
	__le32 it_checksum;
};

/*
 * Directories are linear-hash tables over a 62-bit keyed name hash
 * h = siphash(name, s_hash_key) >> 2, stored in the directory's own blocks:
 *   logical block 0:      struct vexfs_dir_header
 *   logical block 1 + b:  bucket b, b in [0, dh_nbuckets)
 * With r = bit-reverse of the 62-bit h, a name belongs to bucket
 *   b = r mod 2^L; if b < p then b = r mod 2^(L+1)
 * (L = dh_level, p = dh_split). Each bucket therefore holds one contiguous
 * range of hash values, which makes readdir positions (the hash) stable
 * across splits. Buckets overflow into chained blocks (bb_next).
 */
struct vexfs_dir_header {
	__le32 dh_magic;		/*  0 VEXFS_DIRHDR_MAGIC */
	__le32 dh_checksum;		/*  4 crc32c(seed, le64 ino, block with this field 0) */
	__le32 dh_level;		/*  8 L */
	__le32 dh_split;		/* 12 p, < 2^L */
	__le32 dh_nbuckets;		/* 16 = 2^L + p */
	__le32 dh_pad;			/* 20 zero */
	__le64 dh_entries;		/* 24 entries, excluding . and .. */
	__le64 dh_bytes;		/* 32 bytes of all entries (for the load factor) */
	__le64 dh_parent;		/* 40 inode of .. */
};

struct vexfs_bucket_header {
	__le32 bb_magic;		/*  0 VEXFS_BUCKET_MAGIC */
	__le32 bb_checksum;		/*  4 crc32c(seed, le64 ino, block with this field 0) */
	__le64 bb_next;			/*  8 overflow block (absolute), 0 = none */
	__le16 bb_count;		/* 16 entries in this block */
	__le16 bb_used;			/* 18 bytes of entries following the header */
	__le32 bb_pad;			/* 20 zero */
};

/* Directory entry, packed after the bucket header, each 8-byte aligned. */
struct vexfs_dirent {
	__le64 d_hash;			/*  0 62-bit name hash */
	__le64 d_ino;			/*  8 */
	__u8   d_name_len;		/* 16 1..255 */
	__u8   d_type;			/* 17 VEXFS_FT_* (same values as DT_*) */
	char   d_name[];		/* 18 not NUL terminated */
};
#define VEXFS_DIRENT_SIZE(len)	(((18 + (len)) + 7) & ~7)
#define VEXFS_HASH_BITS		62
#define VEXFS_MAX_CHAIN		8	/* overflow blocks per bucket */

#define VEXFS_FT_UNKNOWN	0
#define VEXFS_FT_FIFO		1
#define VEXFS_FT_CHRDEV		2
#define VEXFS_FT_DIR		4
#define VEXFS_FT_BLKDEV		6
#define VEXFS_FT_REG		8
#define VEXFS_FT_SYMLINK	10
#define VEXFS_FT_SOCK		12

/*
 * Extended attributes: one block per inode (i_xattr_block). Entries are
 * packed after the header, each 4-byte aligned, sorted by (index, name).
 */
struct vexfs_xattr_header {
	__le32 xh_magic;		/*  0 VEXFS_XATTR_MAGIC */
	__le32 xh_checksum;		/*  4 crc32c(seed, le64 ino, block with this field 0) */
	__le16 xh_count;		/*  8 */
	__le16 xh_used;			/* 10 bytes of entries after the header */
	__le32 xh_pad;			/* 12 zero */
};

struct vexfs_xattr_entry {
	__u8   xe_index;		/* 0 VEXFS_XATTR_INDEX_* */
	__u8   xe_name_len;		/* 1 1..255, name without the prefix */
	__le16 xe_value_len;		/* 2 */
	char   xe_name[];		/* 4 name then value, no NULs */
};
#define VEXFS_XATTR_ENTRY_SIZE(nl, vl)	(((4 + (nl) + (vl)) + 3) & ~3)
#define VEXFS_XATTR_INDEX_USER		1
#define VEXFS_XATTR_INDEX_TRUSTED	2
#define VEXFS_XATTR_INDEX_SECURITY	3
#define VEXFS_XATTR_INDEX_PARENT	4	/* parent pointers beyond i_parent */
/*
 * POSIX ACLs: name "access" or "default", value exactly the system.posix_acl_*
 * xattr form of linux/posix_acl_xattr.h (le32 version 2, then le16 tag, le16
 * perm, le32 id per entry; ids as seen from the initial user namespace).
 */
#define VEXFS_XATTR_INDEX_POSIX_ACL	5
#define VEXFS_ACL_ACCESS		0	/* name "access" */
#define VEXFS_ACL_DEFAULT		1	/* name "default" */
#define VEXFS_XATTR_INDEX_MAX		5

/*
 * Parent pointers (feature RO_COMPAT_PARENT). Every link (directory entry)
 * of an inode is recorded with the inode as (parent directory inode, bits
 * 61..30 of the entry's name hash): the pair locates the entry's bucket in
 * the parent (directories have at most 2^31 buckets) and, with the inode
 * number, the entry and so the name. One link is kept in the inode
 * (i_parent, i_parent_hash; i_parent 0 = slot empty); every further link is
 * an xattr entry of index VEXFS_XATTR_INDEX_PARENT whose 12-byte name is
 * struct vexfs_pptr and whose 4-byte value is a __le32 count >= 1 of links
 * with that pair. The root and unlinked inodes have no pointer. Never listed
 * or reachable by the xattr system calls.
 */
struct vexfs_pptr {
	__le32 pp_parent_lo;		/* 0 directory inode: le64 in two halves, */
	__le32 pp_parent_hi;		/* 4 so the struct is 12 bytes, 4-aligned */
	__le32 pp_hash;			/* 8 name hash >> 30 */
};
#define VEXFS_PPTR_HASH(h)	((__u32)((h) >> 30))
/*
 * Hash 0xffffffff in an xattr entry: links in pp_parent whose names are not
 * recorded (the block had no room for one entry per name: their pairs were
 * folded into this one). A reader finds such a link's name by reading the
 * whole directory. A link whose name hash really is 0xffffffff is counted
 * here too, which is the same thing.
 */
#define VEXFS_PPTR_HASH_ANY	0xffffffffu

/*
 * Vector store. Vector records live in "chunks": runs of 1 to 64 KiB /
 * block size contiguous blocks taken from the block allocator and cut in
 * 32-byte slots. A record takes a run of slots starting at a 32-byte boundary
 * of its chunk (it may cross block boundaries inside the chunk) and is
 *   struct vexfs_vec_header (64) | struct vexfs_vec_meta (32) | data
 * so the data starts 32-byte aligned at record offset 96. A chunk is freed
 * when its last record goes.
 *
 * The vector table is the data of inode s_vec_root (VEXFS_VECSTORE_INO,
 * a regular inode reachable from no directory): entry i, at byte offset
 * i * 32, describes vector id i. Id 0 is never used; a free entry is all
 * zero. Chunks carry no header: the table is the only map of their slots.
 */
#define VEXFS_VEC_MAGIC		0x56454354	/* "VECT" */
#define VEXFS_VEC_VERSION	1
#define VEXFS_VEC_ALIGN		32		/* slot size and data alignment */
#define VEXFS_VEC_REC_HDR	96		/* header + meta */
#define VEXFS_VEC_MAX_DIMS	65536
#define VEXFS_VEC_MAX_DATA	32768		/* bytes of (compressed) data */
#define VEXFS_VEC_MAX_PER_FILE	65536

/* vh_dtype */
#define VEXFS_DT_F32		1
#define VEXFS_DT_F16		2
#define VEXFS_DT_I8		3
#define VEXFS_DT_I16		4
#define VEXFS_DT_BIN		5	/* bit-packed, dimension i = bit i % 8 of byte i / 8 */
#define VEXFS_DT_MAX		5

/* vh_compression */
#define VEXFS_COMP_NONE		0
#define VEXFS_COMP_SQ8		1
#define VEXFS_COMP_SQ4		2
#define VEXFS_COMP_PQ		3
#define VEXFS_COMP_F16		4
#define VEXFS_COMP_SPARSE	5
#define VEXFS_COMP_MAX		5

/* vh_flags: none defined yet; a record with an unknown flag is corrupt. */
#define VEXFS_VEC_FL_KNOWN	0x0

/*
 * vh_checksum = crc32c(seed, the whole record [0, ve_length) with
 * vh_checksum taken as zero): header, metadata and data.
 */
struct vexfs_vec_header {
	__le32 vh_magic;		/*  0 VEXFS_VEC_MAGIC */
	__le32 vh_version;		/*  4 VEXFS_VEC_VERSION */
	__le64 vh_vector_id;		/*  8 */
	__le64 vh_file_inode;		/* 16 owner inode */
	__le16 vh_dtype;		/* 24 VEXFS_DT_* of the original vector */
	__le16 vh_compression;		/* 26 VEXFS_COMP_* of the stored data */
	__le32 vh_dimensions;		/* 28 1..VEXFS_VEC_MAX_DIMS */
	__le32 vh_original_size;	/* 32 bytes of dims x dtype */
	__le32 vh_compressed_size;	/* 36 bytes of stored data (= original for NONE) */
	__le64 vh_created_ns;		/* 40 ns since the epoch */
	__le64 vh_modified_ns;		/* 48 */
	__le32 vh_checksum;		/* 56 */
	__le32 vh_flags;		/* 60 VEXFS_VEC_FL_* */
};

/* Per-vector metadata: opaque to the filesystem except confidence's range. */
struct vexfs_vec_meta {
	__u8   vm_model[16];		/*  0 model name, NUL padded */
	__le32 vm_model_version;	/* 16 */
	__le32 vm_confidence;		/* 20 millionths, 0..1000000 */
	__le64 vm_ann;			/* 24 zero, or with INCOMPAT_ANN its index node (below) */
};
#define VEXFS_VEC_CONFIDENCE_MAX 1000000

/* ve_checksum = crc32c(seed, le64 vector id, bytes [0, 28)). */
struct vexfs_vtab_entry {
	__le64 ve_ino;			/*  0 owner inode, 0 = free entry */
	__le64 ve_chunk;		/*  8 first block of the record's chunk */
	__le32 ve_offset;		/* 16 byte offset in the chunk, multiple of 32 */
	__le32 ve_length;		/* 20 96 + vh_compressed_size */
	__le16 ve_chunk_blocks;		/* 24 blocks in the chunk */
	__le16 ve_flags;		/* 26 zero */
	__le32 ve_checksum;		/* 28 */
};

/*
 * PQ codebooks (INCOMPAT_CODEBOOKS, set by the first CODEBOOK_ADD): the block
 * s_cb_dir holds, in its first 1024 bytes, a header and up to VEXFS_CB_MAX
 * entries; codebook k (1-based id) is entry k - 1. Each codebook is a vq
 * blob (Documentation/quantization.rst, "Parameter blobs": kind PQ) stored
 * in ce_blocks contiguous blocks from ce_start, zero padded. Codebooks are
 * never changed or removed: a PQ record names its codebook by id and CRC.
 *
 * cd_checksum = crc32c(seed, bytes [0, 1024) of the block with this field 0).
 */
#define VEXFS_CBDIR_MAGIC	0x56584342	/* "VXCB" */
#define VEXFS_CB_MAX		31
#define VEXFS_CB_DIR_BYTES	1024
#define VEXFS_CB_MAX_DIMS	8192		/* float32 vectors fit VEXFS_VEC_MAX_DATA */
#define VEXFS_CB_MAX_DSUB	256		/* dims / m: bounds one FPU section */

struct vexfs_cb_dir_header {
	__le32 cd_magic;		/*  0 VEXFS_CBDIR_MAGIC */
	__le32 cd_checksum;		/*  4 */
	__le32 cd_count;		/*  8 codebooks, 0..VEXFS_CB_MAX */
	__le32 cd_pad[5];		/* 12 zero */
};

struct vexfs_cb_entry {
	__le32 ce_id;			/*  0 1-based position (entry k - 1 has id k) */
	__le32 ce_dims;			/*  4 d of the codebook, 1..VEXFS_CB_MAX_DIMS */
	__le32 ce_m;			/*  8 subspaces; d % m == 0 */
	__le32 ce_blob_crc;		/* 12 the blob header's crc field */
	__le64 ce_start;		/* 16 first block of the blob */
	__le32 ce_length;		/* 24 blob bytes = 32 + 1024 * d */
	__le32 ce_blocks;		/* 28 ceil(ce_length / block size) */
};

/*
 * A PQ record's data: struct vexfs_pq_ref then m code bytes (the nearest
 * centroid of each subspace), so vh_compressed_size = 8 + m.
 */
struct vexfs_pq_ref {
	__le32 pr_codebook;		/* 0 codebook id */
	__le32 pr_blob_crc;		/* 4 = its ce_blob_crc */
};

/*
 * Graph ANN index (INCOMPAT_ANN; Documentation/ann-index.rst). One index per
 * filesystem, over the collection of its float32 vectors of one (dims,
 * model), whatever their compression. It is the data of inode s_ann_ino
 * (VEXFS_ANN_INO, reachable from no directory; size 0 = no index). Logical
 * block 0 starts with struct vexfs_ann_desc; node slot s is at logical block
 * 1 + s / npb, byte (s % npb) * ad_node_size, npb = block size / node size.
 * A node is struct vexfs_ann_node, ad_r __le32 neighbour slots (the first
 * an_count used, the rest zero), ad_dims code bytes, zero padding. A slot at
 * or past ad_nslots is all zero.
 *
 * Deletion and reclaim: a node whose vector goes becomes DEAD (a tombstone,
 * an_died = ad_pass then). A sweep visits ad_sweep and the slots after it, a
 * few per change of the index (wrapping to 0 at ad_nslots, ad_pass + 1): a
 * live node whose list names a dead or free node gets its list repaired; a
 * dead node gets FREE (all zero but an_vid = the next free slot or
 * 0xffffffff, an_state, an_checksum) once (u16)(ad_pass - an_died) >= 2,
 * when a whole sweep that began after its death has repaired every live
 * list that named it; the entry node is never freed (the sweep moves the
 * entry to a live node first) and a freed seed leaves the seeds. Inserts
 * take the free slots first (ad_free, ad_nfree), then ad_nslots.
 *
 * Each indexed record names its node: vm_ann = (u64)ad_gen << 32 | (slot + 1).
 * A record whose vm_ann names another generation is not in the index. Code
 * byte i of a vector x is clamp(round((x[i] - lo) / step), 0, 255); of a
 * cosine index (ad_metric 2), the same of x / |x| (x as it is when zero).
 * The graph is built by the squared L2 distance of codes, sum (a[i] - b[i])^2,
 * and searched by it for metrics L2 and cosine; for inner product (ad_metric
 * 1, whose range is symmetric about 0) searches walk by the key
 * 2^31 - sum (2 q[i] - 255)(2 c[i] - 255), as a u32.
 *
 * ad_checksum = crc32c(seed, bytes [0, 512) with this field 0);
 * an_checksum = crc32c(seed, le32 ad_gen, the node slot with this field 0).
 */
#define VEXFS_ANN_MAGIC		0x56584149	/* "VXAI" */
#define VEXFS_ANN_VERSION	1
#define VEXFS_ANN_DESC_BYTES	512
#define VEXFS_ANN_MAX_SEEDS	64
#define VEXFS_ANN_MAX_SLOTS	0x7fffffffU

/* ad_metric: VEXFS_SEARCH_METRIC_* of vexfs_ioctl.h, Hamming excepted */
#define VEXFS_ANN_METRIC_L2	0
#define VEXFS_ANN_METRIC_IP	1
#define VEXFS_ANN_METRIC_COS	2
#define VEXFS_ANN_METRIC_MAX	2

/* ad_state */
#define VEXFS_ANN_BUILDING	1	/* being built: searches do not use it */
#define VEXFS_ANN_READY		2

/* an_state */
#define VEXFS_ANN_NODE_LIVE	1
#define VEXFS_ANN_NODE_DEAD	2	/* its vector is gone: walked, never returned */
#define VEXFS_ANN_NODE_FREE	3	/* reclaimed: no list, no code, on the free list */

struct vexfs_ann_desc {
	__le32 ad_magic;		/*   0 VEXFS_ANN_MAGIC */
	__le32 ad_checksum;		/*   4 */
	__le32 ad_version;		/*   8 VEXFS_ANN_VERSION */
	__le32 ad_gen;			/*  12 = s_ann_gen */
	__le32 ad_state;		/*  16 VEXFS_ANN_BUILDING or _READY */
	__le32 ad_dims;			/*  20 */
	__le16 ad_metric;		/*  24 VEXFS_ANN_METRIC_* */
	__le16 ad_dtype;		/*  26 VEXFS_DT_F32 */
	__le16 ad_r;			/*  28 out-degree, 4..64 */
	__le16 ad_alpha;		/*  30 robust pruning alpha, hundredths, 100..200 */
	__le16 ad_ef_construction;	/*  32 1..1024 */
	__le16 ad_node_size;		/*  34 = round_up(16 + 4 r + dims, 8), <= block size */
	__le32 ad_lo;			/*  36 IEEE-754 binary32: the value coded 0 */
	__le32 ad_step;			/*  40 binary32 > 0: one code step */
	__le32 ad_nslots;		/*  44 slots in use (0..VEXFS_ANN_MAX_SLOTS) */
	__le32 ad_nlive;		/*  48 live nodes */
	__le32 ad_entry;		/*  52 entry slot, 0xffffffff when empty */
	__u8   ad_model[16];		/*  56 the collection's model, NUL padded */
	__le64 ad_inserted;		/*  72 inserts ever (the seed reservoir's count) */
	__le64 ad_build_next;		/*  80 while building: next vector id to index */
	__le64 ad_build_end;		/*  88 while building: s_vec_next_id when it began */
	__le32 ad_nseeds;		/*  96 0..VEXFS_ANN_MAX_SEEDS */
	__le32 ad_pad;			/* 100 zero */
	__le32 ad_seeds[VEXFS_ANN_MAX_SEEDS]; /* 104 slots, the first ad_nseeds used */
	__le32 ad_sweep;		/* 360 next slot the reclaim sweep visits (< nslots, or 0) */
	__le32 ad_pass;			/* 364 sweeps completed (wraps) */
	__le32 ad_free;			/* 368 first free slot, 0xffffffff when none */
	__le32 ad_nfree;		/* 372 free slots */
	__u8   ad_reserved[136];	/* 376 zero */
};

struct vexfs_ann_node {
	__le64 an_vid;			/*  0 vector id; free: the next free slot */
	__le32 an_checksum;		/*  8 */
	__u8   an_state;		/* 12 VEXFS_ANN_NODE_* */
	__u8   an_count;		/* 13 neighbours used, 0..ad_r */
	__le16 an_died;			/* 14 dead: low 16 bits of ad_pass at death; else 0 */
};

/* jbd2 journal limits (jbd2 itself requires at least 1024 blocks). */
#define VEXFS_MIN_JOURNAL_BLOCKS	1024
#define VEXFS_MAX_JOURNAL_BLOCKS	(1U << 18)

#endif /* _VEXFS_FS_H */
