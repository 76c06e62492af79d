// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_bin.c - binary (sign bit) and sparse encodings and the reference
 * Hamming distance. Integer operations only: floats are inspected through
 * their IEEE 754 bit patterns, so this file needs no FPU in the kernel.
 */
#include "vexfs/vq.h"

static inline u32 vq_fbits(const float *x)
{
	u32 b;

	memcpy(&b, x, 4);
	return b;
}

/* x > 0 (including +inf, excluding +0 and NaN), on the bit pattern. */
static inline u32 vq_positive(u32 b)
{
	return b - 1U < 0x7f800000U;
}

void vq_bin_encode(const float *x, u32 d, size_t n, u8 *out)
{
	u32 nb = vq_bin_code_size(d);
	size_t v;
	u32 i;

	for (v = 0; v < n; v++, x += d, out += nb) {
		memset(out, 0, nb);
		for (i = 0; i < d; i++)
			out[i >> 3] |= vq_positive(vq_fbits(&x[i])) << (i & 7);
	}
}

static inline u32 vq_popcount64(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (u32)((x * 0x0101010101010101ULL) >> 56);
}

void vq_hamming_scan_ref(const u8 *q, const u8 *c, u32 nbytes, size_t n,
			 u32 *out)
{
	size_t v;
	u32 i, acc;
	u64 a, b;

	for (v = 0; v < n; v++, c += nbytes) {
		acc = 0;
		for (i = 0; i + 8 <= nbytes; i += 8) {
			memcpy(&a, q + i, 8);
			memcpy(&b, c + i, 8);
			acc += vq_popcount64(a ^ b);
		}
		for (; i < nbytes; i++)
			acc += vq_popcount64((u64)(q[i] ^ c[i]));
		out[v] = acc;
	}
}

/*
 * Magnitude key of a float: |x| bits, which order like the magnitudes.
 * 0 for zeros and NaNs (never stored).
 */
static inline u32 vq_mag_key(const float *x)
{
	u32 k = vq_fbits(x) & 0x7fffffffU;

	return k > 0x7f800000U ? 0 : k;
}

static u32 vq_sparse_emit(const float *x, u32 d, u32 tkey, u32 n_eq,
			  u8 *out)
{
	u32 i, key, nnz = 0, cnt = 0;
	u8 *idx, *val;

	/* First pass counts, second writes: nnz precedes the arrays. */
	for (i = 0; i < d; i++) {
		key = vq_mag_key(&x[i]);
		if (key && key > tkey)
			cnt++;
	}
	cnt += n_eq;
	idx = out + 4;
	val = idx + 4 * (size_t)cnt;
	for (i = 0; i < d && nnz < cnt; i++) {
		key = vq_mag_key(&x[i]);
		if (!key || key < tkey)
			continue;
		if (key == tkey) {
			if (!n_eq)
				continue;
			n_eq--;
		}
		vq_put_le32(idx + 4 * (size_t)nnz, i);
		vq_put_le32(val + 4 * (size_t)nnz, vq_fbits(&x[i]));
		nnz++;
	}
	vq_put_le32(out, nnz);
	return nnz;
}

/*
 * Radix select of the k-th largest magnitude key, 4 bits per pass (the
 * histogram stays small on the kernel stack). Keys equal to the threshold
 * key are taken lowest index first.
 */
u32 vq_sparse_encode_topk(const float *x, u32 d, u32 k, u8 *out)
{
	u32 hist[16];
	u32 prefix = 0, mask = 0, need = k, valid = 0;
	u32 i, key;
	int shift, dg;

	for (i = 0; i < d; i++)
		valid += vq_mag_key(&x[i]) != 0;
	if (k == 0) {
		vq_put_le32(out, 0);
		return 0;
	}
	if (valid <= k)		/* everything non-zero, threshold key 0 */
		return vq_sparse_emit(x, d, 0, 0, out);

	for (shift = 28; shift >= 0; shift -= 4) {
		memset(hist, 0, sizeof(hist));
		for (i = 0; i < d; i++) {
			key = vq_mag_key(&x[i]);
			if (key && (key & mask) == prefix)
				hist[(key >> shift) & 15]++;
		}
		for (dg = 15; dg >= 0; dg--) {
			if (hist[dg] >= need)
				break;
			need -= hist[dg];
		}
		/* valid > k guarantees the digit exists */
		prefix |= (u32)dg << shift;
		mask |= 15U << shift;
	}
	/* prefix is now the k-th largest key; need of its copies are taken. */
	return vq_sparse_emit(x, d, prefix, need, out);
}

int vq_sparse_encode_threshold(const float *x, u32 d, const float *threshold,
			       u8 *out)
{
	u32 t = vq_fbits(threshold);
	u32 i, n_eq = 0;

	if (t == 0x80000000U)	/* -0 */
		t = 0;
	if (t > 0x7f800000U)	/* negative or NaN */
		return -EINVAL;
	if (t == 0)
		return (int)vq_sparse_emit(x, d, 0, 0, out);
	for (i = 0; i < d; i++)
		n_eq += vq_mag_key(&x[i]) == t;
	return (int)vq_sparse_emit(x, d, t, n_eq, out);
}

int vq_sparse_validate(const u8 *code, size_t len, u32 d)
{
	u32 nnz, i, idx, prev = 0, v;

	if (len < 4)
		return -EUCLEAN;
	nnz = vq_get_le32(code);
	if (nnz > d || nnz > VQ_MAX_DIM || vq_sparse_code_size(nnz) > len)
		return -EUCLEAN;
	for (i = 0; i < nnz; i++) {
		idx = vq_get_le32(code + 4 + 4 * (size_t)i);
		if (idx >= d || (i && idx <= prev))
			return -EUCLEAN;
		prev = idx;
		v = vq_get_le32(code + 4 + 4 * (size_t)nnz + 4 * (size_t)i);
		v &= 0x7fffffffU;
		if (v == 0 || v > 0x7f800000U)
			return -EUCLEAN;
	}
	return (int)nnz;
}
