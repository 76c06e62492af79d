// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_blob.c - on-disk parameter blobs of the quantization core: SQ
 * per-dimension parameters and PQ codebooks. A 32-byte little-endian
 * header (struct vq_blob_hdr) followed by IEEE binary32 values stored as
 * __le32; crc32c over the header (crc field zero) and the payload.
 * Integer-only: float values are moved as bit patterns.
 */
#include "vexfs/vq.h"

#define VQ_BLOB_HDR_SIZE	32

static_assert(sizeof(struct vq_blob_hdr) == VQ_BLOB_HDR_SIZE,
	      "vq_blob_hdr is 32 bytes on disk");
static_assert(offsetof(struct vq_blob_hdr, crc) == 28,
	      "vq_blob_hdr.crc offset");

static inline u32 vq_bits(const float *f)
{
	u32 b;

	memcpy(&b, f, 4);
	return b;
}

static inline bool vq_bits_finite(u32 b)
{
	return (b & 0x7f800000U) != 0x7f800000U;
}

static u32 vq_blob_crc(const u8 *buf, size_t total)
{
	struct vq_blob_hdr h;
	u32 crc;

	memcpy(&h, buf, sizeof(h));
	h.crc = 0;
	crc = vexfs_crc32c(~0U, &h, sizeof(h));
	return vexfs_crc32c(crc, buf + sizeof(h), total - sizeof(h));
}

static void vq_blob_seal(u8 *buf, u16 kind, u32 d, u32 m, u32 ksub,
			 u32 payload)
{
	struct vq_blob_hdr h = {
		.magic = cpu_to_le32(VQ_BLOB_MAGIC),
		.version = cpu_to_le16(VQ_BLOB_VERSION),
		.kind = cpu_to_le16(kind),
		.dim = cpu_to_le32(d),
		.m = cpu_to_le32(m),
		.ksub = cpu_to_le32(ksub),
		.payload_len = cpu_to_le32(payload),
	};

	memcpy(buf, &h, sizeof(h));
	h.crc = cpu_to_le32(vq_blob_crc(buf, sizeof(h) + payload));
	memcpy(buf, &h, sizeof(h));
}

/* Common header checks: returns the payload length or a negative errno. */
static int vq_blob_check(const u8 *buf, size_t len, struct vq_blob_hdr *h,
			 u16 *kind, u32 *d)
{
	u32 payload;

	if (len < sizeof(*h))
		return -EUCLEAN;
	memcpy(h, buf, sizeof(*h));
	if (le32_to_cpu(h->magic) != VQ_BLOB_MAGIC)
		return -EUCLEAN;
	payload = le32_to_cpu(h->payload_len);
	if (payload > len - sizeof(*h))
		return -EUCLEAN;
	if (le32_to_cpu(h->crc) != vq_blob_crc(buf, sizeof(*h) + payload))
		return -EUCLEAN;
	if (le16_to_cpu(h->version) != VQ_BLOB_VERSION)
		return -EOPNOTSUPP;
	if (h->reserved)
		return -EUCLEAN;
	*kind = le16_to_cpu(h->kind);
	*d = le32_to_cpu(h->dim);
	if (*d == 0 || *d > VQ_MAX_DIM)
		return -EUCLEAN;
	return (int)payload;
}

size_t vq_sq_blob_size(u32 d)
{
	return VQ_BLOB_HDR_SIZE + 8 * (size_t)d;
}

int vq_sq_store(const struct vq_sq *sq, u8 *buf, size_t len)
{
	u32 i, d = sq->d;
	u8 *p = buf + VQ_BLOB_HDR_SIZE;

	if (d == 0 || d > VQ_MAX_DIM || (sq->bits != 8 && sq->bits != 4))
		return -EINVAL;
	if (len < vq_sq_blob_size(d))
		return -ENOSPC;
	for (i = 0; i < d; i++)
		vq_put_le32(p + 4 * i, vq_bits(&sq->vmin[i]));
	for (i = 0; i < d; i++)
		vq_put_le32(p + 4 * ((size_t)d + i), vq_bits(&sq->step[i]));
	vq_blob_seal(buf, sq->bits == 8 ? VQ_BLOB_KIND_SQ8 : VQ_BLOB_KIND_SQ4,
		     d, 0, 1U << sq->bits, 8 * d);
	return (int)vq_sq_blob_size(d);
}

int vq_sq_load(struct vq_sq *sq, const u8 *buf, size_t len, float *vmin,
	       float *step, u32 max_d)
{
	struct vq_blob_hdr h;
	const u8 *p = buf + VQ_BLOB_HDR_SIZE;
	u32 d, i, b, bits;
	u16 kind;
	int ret;

	ret = vq_blob_check(buf, len, &h, &kind, &d);
	if (ret < 0)
		return ret;
	if (kind == VQ_BLOB_KIND_SQ8)
		bits = 8;
	else if (kind == VQ_BLOB_KIND_SQ4)
		bits = 4;
	else
		return -EUCLEAN;
	if (le32_to_cpu(h.m) != 0 || le32_to_cpu(h.ksub) != 1U << bits ||
	    (u32)ret != 8 * d)
		return -EUCLEAN;
	if (d > max_d)
		return -EOVERFLOW;
	for (i = 0; i < d; i++) {
		b = vq_get_le32(p + 4 * i);
		if (!vq_bits_finite(b))
			return -EUCLEAN;
		memcpy(&vmin[i], &b, 4);
		b = vq_get_le32(p + 4 * ((size_t)d + i));
		if (!vq_bits_finite(b) || (b & 0x80000000U))
			return -EUCLEAN;
		memcpy(&step[i], &b, 4);
	}
	sq->d = d;
	sq->bits = bits;
	sq->vmin = vmin;
	sq->step = step;
	return 0;
}

size_t vq_pq_blob_size(u32 d)
{
	return VQ_BLOB_HDR_SIZE + 4 * vq_pq_codebook_floats(d);
}

/* On disk: centroid c of subspace j at ((j * 256 + c) * dsub + k) * 4. */
int vq_pq_store(const struct vq_pq *pq, u8 *buf, size_t len)
{
	u32 d = pq->d, m = pq->m, dsub, j, c, k;
	u8 *p = buf + VQ_BLOB_HDR_SIZE;

	if (vq_pq_check_dims(d, m) || pq->dsub != d / m)
		return -EINVAL;
	if (len < vq_pq_blob_size(d))
		return -ENOSPC;
	dsub = d / m;
	for (j = 0; j < m; j++) {
		for (c = 0; c < VQ_PQ_KSUB; c++) {
			for (k = 0; k < dsub; k++, p += 4) {
				size_t o = ((size_t)j * dsub + k) * VQ_PQ_KSUB + c;

				vq_put_le32(p, vq_bits(&pq->cent_t[o]));
			}
		}
	}
	vq_blob_seal(buf, VQ_BLOB_KIND_PQ, d, m, VQ_PQ_KSUB,
		     4 * (u32)vq_pq_codebook_floats(d));
	return (int)vq_pq_blob_size(d);
}

int vq_pq_load(struct vq_pq *pq, const u8 *buf, size_t len, float *cent_t,
	       u32 max_d)
{
	struct vq_blob_hdr h;
	const u8 *p = buf + VQ_BLOB_HDR_SIZE;
	u32 d, m, dsub, j, c, k, b;
	u16 kind;
	int ret;

	ret = vq_blob_check(buf, len, &h, &kind, &d);
	if (ret < 0)
		return ret;
	m = le32_to_cpu(h.m);
	if (kind != VQ_BLOB_KIND_PQ || vq_pq_check_dims(d, m) ||
	    le32_to_cpu(h.ksub) != VQ_PQ_KSUB ||
	    (size_t)ret != 4 * vq_pq_codebook_floats(d))
		return -EUCLEAN;
	if (d > max_d)
		return -EOVERFLOW;
	dsub = d / m;
	for (j = 0; j < m; j++) {
		for (c = 0; c < VQ_PQ_KSUB; c++) {
			for (k = 0; k < dsub; k++, p += 4) {
				b = vq_get_le32(p);
				if (!vq_bits_finite(b))
					return -EUCLEAN;
				memcpy(&cent_t[((size_t)j * dsub + k) * VQ_PQ_KSUB + c],
				       &b, 4);
			}
		}
	}
	pq->d = d;
	pq->m = m;
	pq->dsub = dsub;
	pq->cent_t = cent_t;
	return 0;
}
