/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vq.h - VexFS quantization and distance core ("vq").
 *
 * Pure C shared by vexfs.ko and the userspace tools. No allocation, no
 * locks: every buffer, including scratch memory, is passed by the caller.
 * Encodings and the on-disk blob format are specified in
 * Documentation/quantization.rst.
 *
 * Floating point and the kernel: every function that takes or produces
 * float values (everything below except the f16 bit conversions, the
 * binary/sparse encoders, Hamming distance, the blob parsers and the
 * dispatch calls) lives in a src/core/ *_simd.c file and must be called
 * between kernel_fpu_begin() and kernel_fpu_end() in the kernel. No function
 * here passes a float by value, so this header can be included anywhere.
 *
 * Conventions:
 *  - d is the dimension (1 <= d <= VQ_MAX_DIM), n a number of vectors;
 *    vectors are stored back to back (n * d floats, n * code_size bytes).
 *  - Scans take one query and n codes and write n results to out[].
 *  - VQ_METRIC_L2 results are squared Euclidean distances (smaller is
 *    closer); VQ_METRIC_IP results are inner products and VQ_METRIC_COS
 *    cosine similarities (larger is closer).
 */
#ifndef _VEXFS_VQ_H
#define _VEXFS_VQ_H

#include "vexfs/compat.h"

#define VQ_MAX_DIM		65536U
#define VQ_PQ_KSUB		256U	/* centroids per PQ subspace */

enum vq_metric {
	VQ_METRIC_L2 = 0,
	VQ_METRIC_IP = 1,
	VQ_METRIC_COS = 2,
};

/* CPU features word for vq_select_impl(). */
#define VQ_FEAT_AVX2		(1U << 0)
#define VQ_FEAT_FMA		(1U << 1)
#define VQ_FEAT_F16C		(1U << 2)
#define VQ_FEAT_POPCNT		(1U << 3)
#define VQ_FEAT_AVX512		(1U << 4)	/* AVX-512 F+BW+VL and the OS saves ZMM state */

/* Which implementation a kernel of the dispatch table comes from. */
enum vq_impl {
	VQ_IMPL_SCALAR = 0,
	VQ_IMPL_AVX2 = 1,
	VQ_IMPL_AVX512 = 2,	/* AVX2 table with the f32, f16 and SQ8 scans in AVX-512 */
};

/*
 * Scalar quantizer parameters ("collection" parameters, one pair per
 * dimension, trained on a sample). bits is 8 (SQ8, one byte per dimension)
 * or 4 (SQ4, two dimensions per byte, see vq_sq4_nibble()).
 * level(x) = clamp(round_half_even((x - vmin[i]) / step[i]), 0, L - 1),
 * decode(c) = vmin[i] + c * step[i], L = 2^bits.
 */
struct vq_sq {
	u32 d;
	u32 bits;
	const float *vmin;	/* [d] */
	const float *step;	/* [d], >= 0 */
};

/*
 * A query prepared for asymmetric scans against SQ codes (vq_sq_prepare):
 * L2: a[i] = q[i] - vmin[i], b[i] = step[i],   dist = sum (a - b*c)^2
 * IP: a[i] = q[i] * step[i], bias = sum q[i]*vmin[i], ip = bias + sum a*c
 * (b is not written for IP). SQ8 keeps dimension order. For SQ4 the first
 * d & ~63 dimensions are stored in the order the scan reads their nibbles,
 * with b (L2) or a (IP) multiplied by the power of two that the masked
 * (unshifted) nibble carries, so the products are the same numbers; see
 * Documentation/quantization.rst. Only the vq_sq_scan kernels read it.
 */
struct vq_sq_query {
	u32 d;
	u32 metric;		/* VQ_METRIC_L2 or VQ_METRIC_IP */
	float *a;		/* [d], caller buffer */
	float *b;		/* [d], caller buffer */
	float bias;
};

/*
 * Product quantizer: m subspaces of dsub = d / m dimensions, 256 centroids
 * each. In memory the codebook is kept transposed, cent_t[(j * dsub + k) *
 * 256 + c] = coordinate k of centroid c of subspace j, so that the distances
 * from one sub-vector to all 256 centroids vectorize across centroids and
 * are bit-identical in every implementation. A code is m bytes.
 */
struct vq_pq {
	u32 d;
	u32 m;
	u32 dsub;
	float *cent_t;		/* [m * dsub * 256], caller buffer */
};

/*
 * The dispatch table. Float kernels may differ between implementations
 * within the tolerance of Documentation/quantization.rst; integer outputs
 * (codes, Hamming distances, PQ nearest-centroid choices) are bit-identical.
 */
struct vq_ops {
	const char *name;
	unsigned int impl;		/* enum vq_impl of the distance kernels */
	void (*l2sq_f32)(const float *q, const float *x, u32 d, size_t n, float *out);
	void (*ip_f32)(const float *q, const float *x, u32 d, size_t n, float *out);
	void (*cos_f32)(const float *q, const float *x, u32 d, size_t n, float *out);
	void (*f16_encode)(const float *x, __le16 *out, size_t cnt);
	void (*f16_decode)(const __le16 *in, float *x, size_t cnt);
	void (*l2sq_f16)(const float *q, const __le16 *c, u32 d, size_t n, float *out);
	void (*ip_f16)(const float *q, const __le16 *c, u32 d, size_t n, float *out);
	void (*sq8_encode)(const struct vq_sq *sq, const float *x, u8 *out, size_t n);
	void (*sq4_encode)(const struct vq_sq *sq, const float *x, u8 *out, size_t n);
	void (*sq8_scan)(const struct vq_sq_query *qq, const u8 *c, size_t n, float *out);
	void (*sq4_scan)(const struct vq_sq_query *qq, const u8 *c, size_t n, float *out);
	void (*pq_l2_256)(const float *x, const float *ct, u32 dsub, float *out);
	void (*pq_ip_256)(const float *x, const float *ct, u32 dsub, float *out);
	void (*pq_nearest)(const float *x, const float *ct, u32 dsub, u32 *best, float *bestd);
	void (*pq_adc_scan)(const float *lut, u32 m, const u8 *c, size_t n, float *out);
	void (*hamming_scan)(const u8 *q, const u8 *c, u32 nbytes, size_t n, u32 *out);
	/* squared L2 of byte codes, one query code against n codes (exact) */
	void (*l2sq_u8)(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
	/* inner-product keys of byte codes (vq_dist_u8's VQ_U8_IP, exact) */
	void (*ipkey_u8)(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
	/*
	 * Many queries against one vector (see vq_f32_mq_scan): optional, NULL
	 * means one single-query call per query. Each result has the bits of
	 * the single-query kernel of the same table.
	 */
	void (*f32_mq)(const float *q, size_t row, u32 nq, const float *x, u32 d,
		       unsigned int metric, float *out);
	void (*f16_mq)(const float *q, size_t row, u32 nq, const __le16 *c, u32 d,
		       unsigned int metric, float *out);
	void (*sq8_ip_mq)(const struct vq_sq_query *qq, u32 nq, const u8 *c, float *out);
	void (*sq4_ip_mq)(const struct vq_sq_query *qq, u32 nq, const u8 *c, float *out);
	/*
	 * Many queries against two vectors x and y (vq_f32_mq2_scan): optional,
	 * NULL means one f32_mq / f16_mq call for each; L2 and IP only, the
	 * bits of f32_mq / f16_mq.
	 */
	void (*f32_mq2)(const float *q, size_t row, u32 nq, const float *x, const float *y,
			u32 d, unsigned int metric, float *ox, float *oy);
	void (*f16_mq2)(const float *q, size_t row, u32 nq, const __le16 *x, const __le16 *y,
			u32 d, unsigned int metric, float *ox, float *oy);
};

extern const struct vq_ops vq_ops_scalar;
#if defined(__x86_64__)
extern const struct vq_ops vq_ops_avx2;	/* needs AVX2+FMA+F16C+POPCNT */
/* f32, f16 and SQ8 scan entries only; needs AVX512 with AVX2+FMA+F16C */
extern const struct vq_ops vq_ops_avx512;
#endif

/* ---- dispatch (vq.c, integer-only) ------------------------------------ */

/*
 * Choose the implementation once, before any other call (module init /
 * program start). Kernel: features from boot_cpu_has(); userspace:
 * vq_cpu_features(). The AVX2 kernels need VQ_FEAT_AVX2 | VQ_FEAT_FMA; the
 * f16 and Hamming entries additionally use F16C / POPCNT when present. With
 * VQ_FEAT_AVX512 and F16C as well, the f32, f16 and SQ8 scans are AVX-512.
 * Returns the enum vq_impl chosen for the float distance kernels.
 */
unsigned int vq_select_impl(unsigned int features);
const struct vq_ops *vq_active_ops(void);
const char *vq_impl_name(void);
#ifndef __KERNEL__
unsigned int vq_cpu_features(void);
#endif

/* ---- f16 (vq_f16.c, integer-only, bit-exact) --------------------------- */

u16 vq_f32_to_f16_bits(u32 f);		/* round to nearest even */
u32 vq_f16_to_f32_bits(u16 h);		/* exact */
void vq_f16_encode_ref(const float *x, __le16 *out, size_t cnt);
void vq_f16_decode_ref(const __le16 *in, float *x, size_t cnt);

/* ---- binary and sparse (vq_bin.c, integer-only) ------------------------ */

static inline u32 vq_bin_code_size(u32 d)
{
	return (d + 7) / 8;
}

/* bit i of code = (x[i] > 0), LSB first; pad bits are zero. */
void vq_bin_encode(const float *x, u32 d, size_t n, u8 *out);
void vq_hamming_scan_ref(const u8 *q, const u8 *c, u32 nbytes, size_t n, u32 *out);

static inline u32 vq_get_le32(const u8 *p)
{
	__le32 v;

	memcpy(&v, p, 4);
	return le32_to_cpu(v);
}

static inline void vq_put_le32(u8 *p, u32 x)
{
	__le32 v = cpu_to_le32(x);

	memcpy(p, &v, 4);
}

/*
 * Sparse code: __le32 nnz, nnz * __le32 index (strictly increasing, < d),
 * nnz * __le32 value (IEEE binary32 bits). Size: 4 + 8 * nnz bytes.
 * Zeros and NaNs are never stored.
 */
static inline size_t vq_sparse_code_size(u32 nnz)
{
	return 4 + 8 * (size_t)nnz;
}

/* Keep the k largest |x[i]| (ties: lower index first). Returns nnz. */
u32 vq_sparse_encode_topk(const float *x, u32 d, u32 k, u8 *out);
/* Keep every |x[i]| >= *threshold; returns nnz, -EINVAL if *threshold < 0. */
int vq_sparse_encode_threshold(const float *x, u32 d, const float *threshold,
			       u8 *out);
/* Checks a sparse code read from disk; returns nnz or -EUCLEAN. */
int vq_sparse_validate(const u8 *code, size_t len, u32 d);

/* ---- dispatched kernels (vq.c) ----------------------------------------- */

void vq_l2sq_scan(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_ip_scan(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_cos_scan(const float *q, const float *x, u32 d, size_t n, float *out);
void vq_f16_encode(const float *x, __le16 *out, size_t cnt);
void vq_f16_decode(const __le16 *in, float *x, size_t cnt);
void vq_f16_scan(const float *q, const __le16 *c, u32 d, size_t n,
		 unsigned int metric, float *out);
void vq_sq_encode(const struct vq_sq *sq, const float *x, u8 *out, size_t n);
void vq_sq_scan(const struct vq_sq *sq, const struct vq_sq_query *qq,
		const u8 *c, size_t n, float *out);

/*
 * Multi-query forms, for batches: nq queries against ONE vector, out[j]
 * for query j. Each result is bit-identical to the single-query call
 * (vq_l2sq_scan / vq_ip_scan / vq_cos_scan, vq_f16_scan, vq_sq_scan with
 * n = 1) of the same implementation; the kernels only share the loads and
 * conversions of the vector between queries. Float32 queries sit @row
 * floats apart; the SQ queries are the array qq[0..nq-1] (same d).
 */
void vq_f32_mq_scan(const float *q, size_t row, u32 nq, const float *x, u32 d,
		    unsigned int metric, float *out);
void vq_f16_mq_scan(const float *q, size_t row, u32 nq, const __le16 *c, u32 d,
		    unsigned int metric, float *out);
/* the same queries against x and y: outputs ox, oy as two calls above give */
void vq_f32_mq2_scan(const float *q, size_t row, u32 nq, const float *x, const float *y,
		     u32 d, unsigned int metric, float *ox, float *oy);
void vq_f16_mq2_scan(const float *q, size_t row, u32 nq, const __le16 *x, const __le16 *y,
		     u32 d, unsigned int metric, float *ox, float *oy);
void vq_sq_mq_scan(const struct vq_sq *sq, const struct vq_sq_query *qq, u32 nq,
		   const u8 *c, float *out);
void vq_pq_adc_scan(const float *lut, u32 m, const u8 *c, size_t n, float *out);
void vq_hamming_scan(const u8 *q, const u8 *c, u32 nbytes, size_t n, u32 *out);
/*
 * Squared L2 distances of the byte code q (d bytes) to the n codes at c[i]:
 * integers, identical in every implementation (vq_u8_simd.c). FPU call.
 */
void vq_l2sq_u8(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
/*
 * The graph index's distance of byte codes by kind: VQ_U8_L2 is
 * vq_l2sq_u8; VQ_U8_IP, for codes of a range symmetric about 0, is
 * 2^31 - sum (2a - 255)(2b - 255), a key that ascends as the inner product
 * of the coded vectors descends. Integers, identical in every
 * implementation. FPU call.
 */
#define VQ_U8_L2	0
#define VQ_U8_IP	1
void vq_dist_u8(unsigned int kind, const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out);
/*
 * The graph index's byte code (FPU: in the kernel between kernel_fpu_begin /
 * end). Bounds and step travel as binary32 bit patterns, since the kernel's
 * non-FPU code has no float type: vq_u8_encode codes x[i] as
 * clamp(round((x[i] - lo) / step), 0, 255); vq_f32_minmax widens [*lo, *hi]
 * to the finite values of x (start with lo = +inf, hi = -inf: 0x7f800000,
 * 0xff800000); vq_u8_step is the step that spreads [lo, hi] over 255 codes.
 */
void vq_u8_encode(const float *x, u32 d, u32 lo_bits, u32 step_bits, u8 *out);
void vq_f32_minmax(const float *x, u32 d, u32 *lo_bits, u32 *hi_bits);
/*
 * The same for a cosine index, on x / |x| (the zero vector as it is): its
 * codes' squared L2 orders the vectors as their cosine does.
 */
void vq_u8_encode_unit(const float *x, u32 d, u32 lo_bits, u32 step_bits, u8 *out);
void vq_f32_minmax_unit(const float *x, u32 d, u32 *lo_bits, u32 *hi_bits);
/* [lo, hi] widened to [-m, m], m = max(-lo, hi): the range of an IP index */
void vq_u8_symmetric(u32 *lo_bits, u32 *hi_bits);
u32 vq_u8_step(u32 lo_bits, u32 hi_bits);
u32 vq_u8_hi(u32 lo_bits, u32 step_bits);	/* the value coded 255 */

static inline size_t vq_sq_code_size(u32 d, u32 bits)
{
	return bits == 4 ? (d + 1) / 2 : d;
}

/*
 * SQ4 layout: dimensions come in blocks of 16; in block k (bytes 8k..8k+7)
 * byte 8k + j holds dimension 16k + j in its low nibble and 16k + 8 + j in
 * its high nibble. The last d % 16 dimensions (r of them, starting at
 * t = d - r) are paired: byte t/2 + j holds t + 2j (low) and t + 2j + 1
 * (high). Returns the byte index of dimension i; *shift is 0 or 4.
 */
static inline u32 vq_sq4_nibble(u32 d, u32 i, u32 *shift)
{
	u32 t = d & ~15U;

	if (i < t) {
		*shift = (i & 8) >> 1;
		return ((i >> 4) << 3) + (i & 7);
	}
	*shift = ((i - t) & 1) << 2;
	return (t >> 1) + ((i - t) >> 1);
}

/* ---- scalar quantizer (vq_sq_simd.c, FPU) ------------------------------ */

/* Per-dimension min/max over n sample vectors: writes vmin[d], step[d]. */
int vq_sq_train(u32 d, u32 bits, const float *x, size_t n, float *vmin,
		float *step);
void vq_sq_decode(const struct vq_sq *sq, const u8 *c, float *x, size_t n);
int vq_sq_prepare(const struct vq_sq *sq, unsigned int metric, const float *q,
		  struct vq_sq_query *qq);

/*
 * Per-vector SQ (vq_sqv_simd.c, FPU): the stored form of a record compressed
 * with SQ8 / SQ4 is le32 vmin bits, le32 step bits, then the codes of
 * vq_sq_encode with that vmin and step in every dimension. @scratch holds
 * 2 * d floats. Encode refuses NaN / inf (-EINVAL).
 */
#define VQ_SQV_HDR	8
static inline size_t vq_sqv_size(u32 d, u32 bits)
{
	return VQ_SQV_HDR + vq_sq_code_size(d, bits);
}
int vq_sqv_encode(const float *x, u32 d, u32 bits, float *scratch, u8 *out);
void vq_sqv_decode(const u8 *in, u32 d, u32 bits, float *scratch, float *x);

/* ---- product quantizer (vq_pq_simd.c, FPU) ----------------------------- */

static inline int vq_pq_check_dims(u32 d, u32 m)
{
	if (d == 0 || d > VQ_MAX_DIM || m == 0 || m > d || d % m)
		return -EINVAL;
	return 0;
}

static inline size_t vq_pq_codebook_floats(u32 d)
{
	return (size_t)d * VQ_PQ_KSUB;
}

/* Scratch bytes vq_pq_train() needs for n training vectors. */
size_t vq_pq_train_scratch_size(u32 d, u32 m, size_t n);
/*
 * k-means++ initialisation then iters Lloyd iterations per subspace, fully
 * deterministic for a given seed (and identical in every implementation).
 * Needs n >= 256. Fills pq->cent_t. Meant for userspace (mkfs, vexctl).
 */
int vq_pq_train(struct vq_pq *pq, const float *x, size_t n, u32 iters,
		u64 seed, void *scratch, size_t scratch_len);
void vq_pq_encode(const struct vq_pq *pq, const float *x, u8 *out, size_t n);
void vq_pq_decode(const struct vq_pq *pq, const u8 *c, float *x, size_t n);
/* Lookup table lut[j * 256 + c] for the query; metric L2 or IP. */
int vq_pq_lut(const struct vq_pq *pq, unsigned int metric, const float *q,
	      float *lut);

/* ---- reference (scalar) float kernels (vq_scalar_simd.c, FPU) ---------- */

void vq_sparse_dot(const float *q, const u8 *code, float *out);

/*
 * Self check for KUnit and the native tests: runs every float kernel of
 * the active implementation against the scalar reference on seeded
 * pseudo-random data and returns the number of mismatches (0 = pass).
 * scratch must hold vq_selftest_scratch_size() bytes. FPU.
 */
size_t vq_selftest_scratch_size(void);
int vq_selftest(u32 seed, void *scratch, size_t len);
/*
 * The SQ8 / SQ4 scan part of vq_selftest() alone (random data, several n,
 * and edge cases: on-grid data that must match bit for bit, extreme levels,
 * zero steps). Same scratch and return convention. FPU.
 */
int vq_selftest_sq(u32 seed, void *scratch, size_t len);

/* ---- on-disk parameter blobs (vq_blob.c, integer-only) ----------------- */

#define VQ_BLOB_MAGIC		0x51565856U	/* "VXVQ" read as __le32 */
#define VQ_BLOB_VERSION		1
#define VQ_BLOB_KIND_SQ8	1
#define VQ_BLOB_KIND_SQ4	2
#define VQ_BLOB_KIND_PQ		3

struct vq_blob_hdr {
	__le32 magic;		/* VQ_BLOB_MAGIC */
	__le16 version;		/* VQ_BLOB_VERSION */
	__le16 kind;		/* VQ_BLOB_KIND_* */
	__le32 dim;		/* d */
	__le32 m;		/* PQ: subspaces; SQ: 0 */
	__le32 ksub;		/* PQ: 256; SQ: 2^bits levels */
	__le32 payload_len;	/* bytes after this header */
	__le32 reserved;	/* 0 */
	__le32 crc;		/* crc32c over header (crc = 0) and payload */
};

size_t vq_sq_blob_size(u32 d);
int vq_sq_store(const struct vq_sq *sq, u8 *buf, size_t len);
/* Fills vmin[d] and step[d] and sets sq; -EUCLEAN on any corruption. */
int vq_sq_load(struct vq_sq *sq, const u8 *buf, size_t len, float *vmin,
	       float *step, u32 max_d);

size_t vq_pq_blob_size(u32 d);
int vq_pq_store(const struct vq_pq *pq, u8 *buf, size_t len);
/*
 * Parses a PQ codebook blob into pq (cent_t must hold max_d * 256 floats).
 * -EUCLEAN on bad magic, CRC, sizes or non-finite centroids; -EOPNOTSUPP on
 * an unknown version.
 */
int vq_pq_load(struct vq_pq *pq, const u8 *buf, size_t len, float *cent_t,
	       u32 max_d);

#endif /* _VEXFS_VQ_H */
