/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_ioctl.h - VexFS ioctl ABI (uapi style: usable from C and, through
 * ctypes/struct, from Python). Documentation/vexfs-ioctl.rst describes it.
 *
 * VexFS-specific calls use their own magic, 0xBA (unassigned in
 * Documentation/userspace-api/ioctl/ioctl-number.rst; 'V' belongs to V4L2).
 * The shutdown call uses the number shared by xfs/ext4/f2fs/exfat so that
 * fstests' shutdown tests run unchanged.
 */
#ifndef _UAPI_VEXFS_IOCTL_H
#define _UAPI_VEXFS_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VEXFS_IOC_MAGIC			0xBA

/* Shut the filesystem down: every later operation fails with EIO. */
#define VEXFS_IOC_SHUTDOWN		_IOR('X', 125, __u32)
#define VEXFS_GOING_DOWN_FULLSYNC	0	/* sync everything first */
#define VEXFS_GOING_DOWN_METASYNC	1	/* commit the journal first */
#define VEXFS_GOING_DOWN_NOLOGFLUSH	2	/* stop at once */

/*
 * ---- Vector calls ----------------------------------------------------------
 * Issued on an open regular file of a VexFS filesystem (anything else:
 * ENOTTY). Every struct starts with a size field that the caller sets to
 * sizeof(the struct it was compiled with); the kernel accepts a larger size
 * only if the extra bytes are zero (E2BIG otherwise) and a smaller one never
 * (EINVAL). Pointers are __u64. Reserved and pad fields must be zero
 * (EINVAL). Data types and compressions are the on-disk values
 * (VEXFS_DT_*, VEXFS_COMP_* in vexfs_fs.h, repeated here).
 */
#define VEXFS_VEC_DT_F32		1
#define VEXFS_VEC_DT_F16		2
#define VEXFS_VEC_DT_I8			3
#define VEXFS_VEC_DT_I16		4
#define VEXFS_VEC_DT_BIN		5
#define VEXFS_VEC_COMP_NONE		0
#define VEXFS_VEC_COMP_SQ8		1
#define VEXFS_VEC_COMP_SQ4		2
#define VEXFS_VEC_COMP_PQ		3
#define VEXFS_VEC_COMP_F16		4
#define VEXFS_VEC_COMP_SPARSE		5
#define VEXFS_VEC_LIST_MAX		65536	/* largest LIST capacity */

/* Per-vector metadata, stored verbatim with the record. */
struct vexfs_vec_user_meta {
	__u8  model[16];	/* model name, NUL padded */
	__u32 model_version;
	__u32 confidence;	/* millionths, 0..1000000 */
	__u64 reserved;		/* zero */
};

/* ATTACH: store a vector with the file (fd open for writing). */
struct vexfs_ioc_attach {
	__u32 size;		/* in: sizeof(struct vexfs_ioc_attach) */
	__u32 flags;		/* in: zero */
	__u16 dtype;		/* in: VEXFS_VEC_DT_* */
	__u16 compression;	/* in: VEXFS_VEC_COMP_* (NONE stores as is) */
	__u32 dims;		/* in: 1..65536 */
	__u64 data;		/* in: pointer to dims elements of dtype */
	__u32 data_len;		/* in: bytes at data = dims x dtype size */
	__u32 codebook;		/* in: PQ only: codebook id, 0 = the newest of this dims */
	struct vexfs_vec_user_meta meta;	/* in */
	__u64 vector_id;	/* out: new id, unique for the filesystem's life */
};

/* What GET reports about a vector (the record header). */
struct vexfs_vec_info {
	__u64 vector_id;
	__u64 file_inode;
	__u16 dtype;
	__u16 compression;	/* of the stored data */
	__u32 dims;
	__u32 original_size;
	__u32 stored_size;	/* bytes on disk (compressed size) */
	__u64 created_ns;
	__u64 modified_ns;
	__u32 checksum;		/* the record's CRC32C */
	__u32 flags;
	struct vexfs_vec_user_meta meta;
};

/*
 * GET: a vector of this file by id (fd open for reading). The data comes back
 * decoded to dims x dtype (float16-compressed float32 vectors as float32),
 * or as stored with VEXFS_VEC_GET_RAW.
 */
#define VEXFS_VEC_GET_RAW	0x1
struct vexfs_ioc_get {
	__u32 size;		/* in */
	__u32 flags;		/* in: 0 or VEXFS_VEC_GET_RAW */
	__u64 vector_id;	/* in */
	__u64 data;		/* in: buffer for the data, or 0 to ask the size */
	__u32 data_len;		/* in: buffer bytes; out: bytes of data */
	__u32 pad;		/* zero */
	struct vexfs_vec_info info;	/* out */
};

/* LIST: ids of this file's vectors >= start_id, ascending (fd open for reading). */
struct vexfs_ioc_list {
	__u32 size;		/* in */
	__u32 flags;		/* in: zero */
	__u64 start_id;		/* in: first id wanted (0 = from the start) */
	__u64 ids;		/* in: pointer to capacity __u64 */
	__u32 capacity;		/* in: 0..VEXFS_VEC_LIST_MAX */
	__u32 count;		/* out: ids stored */
	__u64 next_id;		/* out: start_id of the next page, 0 = no more */
	__u64 total;		/* out: vectors of this file */
};

/* DETACH: remove a vector of this file (fd open for writing). */
struct vexfs_ioc_detach {
	__u32 size;		/* in */
	__u32 flags;		/* in: zero */
	__u64 vector_id;	/* in */
};

/* STATS: the filesystem's vector store (any open file or directory). */
struct vexfs_ioc_stats {
	__u32 size;		/* in */
	__u32 flags;		/* in: zero */
	__u64 vectors;		/* live vectors */
	__u64 files;		/* files with at least one vector */
	__u64 live_bytes;	/* record bytes (headers + data) */
	__u64 alloc_bytes;	/* bytes of chunks holding them */
	__u64 chunks;
	__u64 next_id;		/* the next id to be handed out */
	__u32 max_dims;
	__u32 max_data;		/* largest stored data in bytes */
	__u32 block_size;
	__u32 pad;
};

/*
 * CODEBOOK_ADD: install a PQ codebook (a vq blob of kind PQ, see
 * Documentation/quantization.rst) for the whole filesystem. Needs
 * CAP_SYS_ADMIN; any open file or directory of the filesystem.
 */
struct vexfs_ioc_codebook_add {
	__u32 size;		/* in */
	__u32 flags;		/* in: zero */
	__u64 blob;		/* in: pointer to the blob */
	__u32 blob_len;		/* in: its bytes */
	__u32 id;		/* out: the new codebook's id (1..31) */
};

/* CODEBOOK_GET: one codebook by id (any open file or directory). */
struct vexfs_ioc_codebook_get {
	__u32 size;		/* in */
	__u32 flags;		/* in: zero */
	__u32 id;		/* in: 1..count, or 0 to ask only the count */
	__u32 count;		/* out: codebooks in the filesystem */
	__u64 blob;		/* in: buffer for the blob, or 0 to ask the size */
	__u32 blob_len;		/* in: buffer bytes; out: blob bytes */
	__u32 dims;		/* out */
	__u32 m;		/* out: subspaces (code bytes per vector) */
	__u32 blob_crc;		/* out: what PQ records of this codebook carry */
};

/*
 * SEARCH: exact k nearest neighbours among the stored vectors
 * (Documentation/vexfs-ioctl.rst, "SEARCH"). Issued on an fd of a regular
 * file (scope: that file's vectors) or a directory (scope: its subtree,
 * which needs parent pointers: this version searches only the filesystem
 * root's, EOPNOTSUPP for another directory); with VEXFS_SEARCH_FS, the
 * whole filesystem from any fd. Only vectors of files the caller may open for
 * reading are returned. Compared: records of the query's dims whose dtype
 * matches the query's (float32 queries: float32 records of every
 * compression and float16 records), whose model equals @model (all zero:
 * any) and whose compression is in @comp_mask (0: any); others are skipped.
 */
#define VEXFS_SEARCH_METRIC_L2		0	/* squared Euclidean, ascending */
#define VEXFS_SEARCH_METRIC_IP		1	/* inner product, descending */
#define VEXFS_SEARCH_METRIC_COS		2	/* cosine similarity, descending */
#define VEXFS_SEARCH_METRIC_HAMMING	3	/* binary vectors only, ascending */

#define VEXFS_SEARCH_FS			0x1	/* scope: the whole filesystem */
#define VEXFS_SEARCH_LIKE		0x2	/* the query is vector @like_id */
#define VEXFS_SEARCH_APPROX		0x4	/* answer from the ANN index when it serves the query */
#define VEXFS_SEARCH_FLAGS		(VEXFS_SEARCH_FS | VEXFS_SEARCH_LIKE | VEXFS_SEARCH_APPROX)
#define VEXFS_SEARCH_EF_DEFAULT		64	/* ef of an approximate search given 0 */
#define VEXFS_SEARCH_EF_MAX		1024	/* the largest ef (k..this) */

#define VEXFS_SEARCH_NQ_MAX		256	/* queries per call */
#define VEXFS_SEARCH_K_MAX		4096	/* results per query */

/* One result. distance: IEEE-754 binary32 bits (L2, Hamming) or score (IP, COS). */
struct vexfs_search_result {
	__u64 vector_id;	/* 0: no more results for this query */
	__u64 inode;
	__u32 generation;	/* the inode's i_generation */
	__u32 distance;
};

struct vexfs_ioc_search {
	__u32 size;		/* in: sizeof(struct vexfs_ioc_search) */
	__u32 flags;		/* in: VEXFS_SEARCH_* */
	__u16 dtype;		/* in: query type: VEXFS_VEC_DT_F32, _I8, _I16, _BIN */
	__u16 metric;		/* in: VEXFS_SEARCH_METRIC_* */
	__u32 dims;		/* in: 1..65536 */
	__u32 nq;		/* in: 1..VEXFS_SEARCH_NQ_MAX queries */
	__u32 k;		/* in: 1..VEXFS_SEARCH_K_MAX */
	__u64 queries;		/* in: nq x dims x dtype bytes (binary: nq x ceil(dims / 8)) */
	__u32 queries_len;	/* in: bytes at queries */
	__u32 comp_mask;	/* in: bit (1 << VEXFS_VEC_COMP_*) per compression, 0 = any */
	__u64 like_id;		/* in: with VEXFS_SEARCH_LIKE (nq 1, no queries, dtype 0) */
	__u8  model[16];	/* in: model filter, all zero = any */
	__u64 results;		/* in: nq x k struct vexfs_search_result, 8-byte aligned */
	__u32 results_len;	/* in: bytes at results */
	__u32 pad;		/* zero */
	__u64 compared;		/* out: vectors compared with the queries */
	__u64 corrupt;		/* out: records skipped because they failed their checks */
	/* added with the ANN index (size 104; callers of size 96 are served) */
	__u32 ef;		/* in: with VEXFS_SEARCH_APPROX, the graph's candidate list (0: 64) */
	__u32 approx;		/* out: 1 when the ANN index answered, 0 when the search was exact */
};
#define VEXFS_SEARCH_SIZE_V0	96	/* without ef and approx */

/*
 * INO_PATHS: the paths of inode @inode (a search result) that lie under the
 * directory the call is issued on, relative to it (no leading '/'), built
 * from the parent pointers (feature RO_COMPAT_PARENT) and packed in @buf as
 * NUL-terminated strings. One path, or with VEXFS_PATHS_ALL one per link.
 * Names are revealed only along directories the caller may search (exec),
 * and only for an inode it may read.
 */
#define VEXFS_PATHS_ALL		0x1
#define VEXFS_PATHS_FLAGS	VEXFS_PATHS_ALL

struct vexfs_ioc_paths {
	__u32 size;		/* in: sizeof(struct vexfs_ioc_paths) */
	__u32 flags;		/* in: VEXFS_PATHS_* */
	__u64 inode;		/* in */
	__u32 generation;	/* in: the inode's i_generation (ESTALE if another) */
	__u32 count;		/* out: paths stored in buf */
	__u64 buf;		/* in: buffer for the paths */
	__u32 buf_len;		/* in: its size */
	__u32 needed;		/* out: bytes all paths found need (ERANGE if > buf_len) */
};

/*
 * INDEX: create, drop or describe the filesystem's graph ANN index
 * (Documentation/vexfs-ioctl.rst, "INDEX"). On any fd of the filesystem;
 * CREATE and DROP need CAP_SYS_ADMIN. One index per filesystem, over its
 * float32 vectors of @dims and @model (all zero: of every model).
 */
#define VEXFS_INDEX_CREATE	1
#define VEXFS_INDEX_DROP	2
#define VEXFS_INDEX_STATS	3

#define VEXFS_INDEX_RANGE	0x1	/* create: lo and hi given (else taken from the vectors) */
#define VEXFS_INDEX_FLAGS	VEXFS_INDEX_RANGE

/* state */
#define VEXFS_INDEX_NONE	0
#define VEXFS_INDEX_BUILDING	1	/* cut short by a crash: drop it and create it again */
#define VEXFS_INDEX_READY	2

struct vexfs_ioc_index {
	__u32 size;		/* in: sizeof(struct vexfs_ioc_index) */
	__u32 op;		/* in: VEXFS_INDEX_* */
	__u32 flags;		/* in: VEXFS_INDEX_RANGE (create) */
	__u32 dims;		/* create: in; stats: out */
	__u16 metric;		/* create: in, VEXFS_SEARCH_METRIC_L2, _IP or _COS; stats: out */
	__u16 r;		/* out-degree, 4..64 (create: 0 = 32) */
	__u16 alpha;		/* robust pruning alpha, hundredths, 100..200 (0 = 110) */
	__u16 ef_construction;	/* r..1024 (0 = 200) */
	__u32 lo;		/* binary32: the value coded 0 (in with RANGE; out) */
	__u32 hi;		/* binary32: the value coded 255 (in with RANGE; out) */
	__u8  model[16];	/* create: in; stats: out */
	__u32 state;		/* out: VEXFS_INDEX_NONE, _BUILDING or _READY */
	__u32 node_size;	/* out: bytes per node on disk */
	__u64 nodes;		/* out: live and deleted nodes (not free slots) */
	__u64 live;		/* out: live nodes */
	__u64 bytes;		/* out: bytes the index takes on disk */
	__u64 indexed;		/* create: out: vectors the build inserted */
};

#define VEXFS_IOC_VEC_ATTACH	_IOWR(VEXFS_IOC_MAGIC, 1, struct vexfs_ioc_attach)
#define VEXFS_IOC_VEC_GET	_IOWR(VEXFS_IOC_MAGIC, 2, struct vexfs_ioc_get)
#define VEXFS_IOC_VEC_LIST	_IOWR(VEXFS_IOC_MAGIC, 3, struct vexfs_ioc_list)
#define VEXFS_IOC_VEC_DETACH	_IOW(VEXFS_IOC_MAGIC, 4, struct vexfs_ioc_detach)
#define VEXFS_IOC_VEC_STATS	_IOWR(VEXFS_IOC_MAGIC, 5, struct vexfs_ioc_stats)
#define VEXFS_IOC_CODEBOOK_ADD	_IOWR(VEXFS_IOC_MAGIC, 6, struct vexfs_ioc_codebook_add)
#define VEXFS_IOC_CODEBOOK_GET	_IOWR(VEXFS_IOC_MAGIC, 7, struct vexfs_ioc_codebook_get)
#define VEXFS_IOC_SEARCH	_IOWR(VEXFS_IOC_MAGIC, 8, struct vexfs_ioc_search)
#define VEXFS_IOC_INO_PATHS	_IOWR(VEXFS_IOC_MAGIC, 9, struct vexfs_ioc_paths)
#define VEXFS_IOC_INDEX		_IOWR(VEXFS_IOC_MAGIC, 10, struct vexfs_ioc_index)

/*
 * xattr view: vector k (0-based, in id order) of a file is the extended
 * attribute "user.vexfs.vec.%05u" whose value is this header then the data.
 * Setting position k < count replaces that vector's data (its id stays),
 * k == count attaches a new one, removing it detaches.
 */
#define VEXFS_VEC_XATTR_PREFIX	"vexfs.vec."	/* after "user." */
#define VEXFS_VEC_XATTR_MAGIC	0x31415856	/* "VXA1" */
struct vexfs_vec_xattr {
	__le32 vx_magic;
	__le16 vx_dtype;
	__le16 vx_compression;
	__le32 vx_dims;
	__le32 vx_data_len;
	__le64 vx_created_ns;
	__le64 vx_modified_ns;
	struct vexfs_vec_user_meta vx_meta;	/* little-endian integers */
};

#endif /* _UAPI_VEXFS_IOCTL_H */
