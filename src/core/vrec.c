// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vrec.c - vector records, vector-table entries and the chunk slot
 * allocator (see vrec.h and Documentation/vexfs-format.rst).
 */
#include "vrec.h"
#include "format.h"
#include "vexfs/vq.h"

/* ---- records ------------------------------------------------------------ */

u32 vexfs_vec_raw_size(u32 dtype, u32 dims)
{
	if (!dims || dims > VEXFS_VEC_MAX_DIMS)
		return 0;
	switch (dtype) {
	case VEXFS_DT_F32:
		return dims * 4;
	case VEXFS_DT_F16:
	case VEXFS_DT_I16:
		return dims * 2;
	case VEXFS_DT_I8:
		return dims;
	case VEXFS_DT_BIN:
		return VEXFS_DIV_ROUND_UP(dims, 8);
	}
	return 0;
}

/* vm_ann comes from disk only: a caller's metadata has it zero */
static bool vexfs_vec_meta_ok(const struct vexfs_vec_meta *m, bool from_disk)
{
	return le32_to_cpu(m->vm_confidence) <= VEXFS_VEC_CONFIDENCE_MAX &&
	       (from_disk || !m->vm_ann);
}

int vexfs_vec_check_args(u32 dtype, u32 compression, u32 dims, u32 data_len,
			 const struct vexfs_vec_meta *meta, const char **why)
{
	u32 raw;

	if (!dtype || dtype > VEXFS_DT_MAX) {
		*why = "unknown data type";
		return -EINVAL;
	}
	if (compression > VEXFS_COMP_MAX) {
		*why = "unknown compression";
		return -EINVAL;
	}
	if (!dims || dims > VEXFS_VEC_MAX_DIMS) {
		*why = "dimensions out of range";
		return -EINVAL;
	}
	raw = vexfs_vec_raw_size(dtype, dims);
	if (raw > VEXFS_VEC_MAX_DATA) {
		*why = "vector larger than the maximum record data";
		return -EINVAL;
	}
	if (data_len != raw) {
		*why = "data size does not match dimensions x data type";
		return -EINVAL;
	}
	if (meta && !vexfs_vec_meta_ok(meta, false)) {
		*why = "metadata out of range (confidence or reserved field)";
		return -EINVAL;
	}
	if (compression != VEXFS_COMP_NONE && dtype != VEXFS_DT_F32) {
		*why = "float16, quantization and sparse apply to float32 vectors only";
		return -EINVAL;
	}
	if (compression == VEXFS_COMP_PQ) {
		if (dims > VEXFS_CB_MAX_DIMS) {
			*why = "PQ codebooks have at most 8192 dimensions";
			return -EINVAL;
		}
		return 0;	/* the size depends on the codebook */
	}
	if (compression != VEXFS_COMP_SPARSE && !vexfs_vec_stored_size(dtype, compression, dims)) {
		*why = "compression not supported for storing";
		return -EOPNOTSUPP;
	}
	return 0;
}

u32 vexfs_vec_stored_size(u32 dtype, u32 compression, u32 dims)
{
	switch (compression) {
	case VEXFS_COMP_NONE:
		return vexfs_vec_raw_size(dtype, dims);
	case VEXFS_COMP_F16:
		return dtype == VEXFS_DT_F32 ? vexfs_vec_raw_size(VEXFS_DT_F16, dims) : 0;
	case VEXFS_COMP_SQ8:
		return dtype == VEXFS_DT_F32 ? vq_sqv_size(dims, 8) : 0;
	case VEXFS_COMP_SQ4:
		return dtype == VEXFS_DT_F32 ? vq_sqv_size(dims, 4) : 0;
	}
	return 0;
}

int vexfs_pq_ref_ok(u32 dtype, u32 dims, const void *data, u32 len)
{
	const struct vexfs_pq_ref *r = data;
	u32 m = len - sizeof(*r), id;

	if (dtype != VEXFS_DT_F32 || !dims || dims > VEXFS_CB_MAX_DIMS ||
	    len <= sizeof(*r) || m > dims || dims % m)
		return 0;
	id = le32_to_cpu(r->pr_codebook);
	return id && id <= VEXFS_CB_MAX ? (int)id : 0;
}

int vexfs_vec_stored_ok(u32 dtype, u32 compression, u32 dims, const void *data, u32 len)
{
	int nnz;

	/*
	 * The one bound of every stored form, whatever path stores it (the
	 * mount refuses a table holding a larger record): a sparse code of
	 * nnz values takes 4 + 8 nnz bytes, above the limit from ~4096 values.
	 */
	if (len > VEXFS_VEC_MAX_DATA)
		return 0;
	if (compression == VEXFS_COMP_PQ)
		return vexfs_pq_ref_ok(dtype, dims, data, len) > 0;
	if (compression != VEXFS_COMP_SPARSE)
		return len && len == vexfs_vec_stored_size(dtype, compression, dims);
	if (dtype != VEXFS_DT_F32 || !dims || dims > VEXFS_VEC_MAX_DIMS)
		return 0;
	nnz = vq_sparse_validate(data, len, dims);
	return nnz >= 0 && len == vq_sparse_code_size(nnz);
}

int vexfs_vec_sparse_encode(const void *raw, u32 dims, void *out)
{
	static const u32 zero;	/* threshold 0: keep every non-zero value */
	const u8 *p = raw;
	u32 i, nnz = 0;

	for (i = 0; i < dims; i++) {
		u32 f = vq_get_le32(p + 4 * i);

		if ((f & 0x7f800000U) == 0x7f800000U)
			return -EINVAL;		/* NaN / inf */
		nnz += (f & 0x7fffffffU) != 0;
	}
	if (vq_sparse_code_size(nnz) > VEXFS_VEC_MAX_DATA)
		return -EINVAL;
	nnz = vq_sparse_encode_threshold(raw, dims, (const float *)&zero, out);
	return (int)vq_sparse_code_size(nnz);
}

u32 vexfs_vec_encode(u32 dtype, u32 compression, u32 dims, void *data)
{
	u32 i;

	if (compression == VEXFS_COMP_F16 && dtype == VEXFS_DT_F32) {
		/* in place: element i moves from byte 4i to byte 2i, never ahead of a read */
		u8 *p = data;

		for (i = 0; i < dims; i++) {
			u16 h = vq_f32_to_f16_bits(vq_get_le32(p + 4 * i));

			p[2 * i] = h & 0xff;
			p[2 * i + 1] = h >> 8;
		}
	}
	return vexfs_vec_stored_size(dtype, compression, dims);
}

void vexfs_vec_decode(u32 dtype, u32 compression, u32 dims, const void *in, void *out)
{
	const u8 *p = in;
	u8 *o = out;
	u32 i;

	if (compression == VEXFS_COMP_SPARSE) {
		/* validated: nnz, increasing indices < dims, then the values */
		u32 nnz = vq_get_le32(p);

		memset(out, 0, (size_t)dims * 4);
		for (i = 0; i < nnz; i++)
			memcpy(o + 4 * (size_t)vq_get_le32(p + 4 + 4 * (size_t)i),
			       p + 4 + 4 * (size_t)nnz + 4 * (size_t)i, 4);
	} else if (compression == VEXFS_COMP_F16 && dtype == VEXFS_DT_F32) {
		for (i = 0; i < dims; i++)
			vq_put_le32(o + 4 * i, vq_f16_to_f32_bits(p[2 * i] | (p[2 * i + 1] << 8)));
	} else {
		memcpy(out, in, vexfs_vec_raw_size(dtype, dims));
	}
}

u32 vexfs_vec_rec_csum(u32 seed, const void *rec, u32 len)
{
	static const u8 zero[4];
	u32 off = offsetof(struct vexfs_vec_header, vh_checksum);
	u32 crc;

	crc = vexfs_crc32c(seed, rec, off);
	crc = vexfs_crc32c(crc, zero, 4);
	return vexfs_crc32c(crc, (const u8 *)rec + off + 4, len - off - 4);
}

void vexfs_vec_rec_init(void *rec, u32 seed, u64 id, u64 ino, u32 dtype,
			u32 compression, u32 dims, u32 original_size, u32 data_len,
			u64 created_ns, u64 modified_ns, const struct vexfs_vec_meta *meta)
{
	struct vexfs_vec_header *h = rec;
	struct vexfs_vec_meta *m = (struct vexfs_vec_meta *)(h + 1);

	memset(h, 0, sizeof(*h));
	h->vh_magic = cpu_to_le32(VEXFS_VEC_MAGIC);
	h->vh_version = cpu_to_le32(VEXFS_VEC_VERSION);
	h->vh_vector_id = cpu_to_le64(id);
	h->vh_file_inode = cpu_to_le64(ino);
	h->vh_dtype = cpu_to_le16(dtype);
	h->vh_compression = cpu_to_le16(compression);
	h->vh_dimensions = cpu_to_le32(dims);
	h->vh_original_size = cpu_to_le32(original_size);
	h->vh_compressed_size = cpu_to_le32(data_len);
	h->vh_created_ns = cpu_to_le64(created_ns);
	h->vh_modified_ns = cpu_to_le64(modified_ns);
	if (meta)
		memcpy(m, meta, sizeof(*m));
	else
		memset(m, 0, sizeof(*m));
	h->vh_checksum = cpu_to_le32(vexfs_vec_rec_csum(seed, rec,
							vexfs_vec_rec_len(data_len)));
}

int vexfs_vec_rec_validate(const void *rec, u32 len, u32 seed, u64 id, u64 ino,
			   const char **why)
{
	const struct vexfs_vec_header *h = rec;
	const struct vexfs_vec_meta *m = (const struct vexfs_vec_meta *)(h + 1);
	u32 dtype, comp, dims, osize, csize;

	if (len < VEXFS_VEC_REC_HDR) {
		*why = "record shorter than its header";
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->vh_magic) != VEXFS_VEC_MAGIC) {
		*why = "bad record magic";
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->vh_version) != VEXFS_VEC_VERSION) {
		*why = "unknown record version";
		return -EUCLEAN;
	}
	if (le64_to_cpu(h->vh_vector_id) != id) {
		*why = "record belongs to another vector id";
		return -EUCLEAN;
	}
	if (le64_to_cpu(h->vh_file_inode) != ino) {
		*why = "record belongs to another inode";
		return -EUCLEAN;
	}
	dtype = le16_to_cpu(h->vh_dtype);
	comp = le16_to_cpu(h->vh_compression);
	dims = le32_to_cpu(h->vh_dimensions);
	osize = le32_to_cpu(h->vh_original_size);
	csize = le32_to_cpu(h->vh_compressed_size);
	if (!dtype || dtype > VEXFS_DT_MAX || comp > VEXFS_COMP_MAX) {
		*why = "unknown data type or compression";
		return -EUCLEAN;
	}
	if (!dims || dims > VEXFS_VEC_MAX_DIMS || osize != vexfs_vec_raw_size(dtype, dims)) {
		*why = "dimensions do not match the original size";
		return -EUCLEAN;
	}
	if (!csize || csize > VEXFS_VEC_MAX_DATA || len < VEXFS_VEC_REC_HDR + csize ||
	    !vexfs_vec_stored_ok(dtype, comp, dims, (const u8 *)rec + VEXFS_VEC_REC_HDR, csize)) {
		*why = "stored size does not match dimensions, data type and compression";
		return -EUCLEAN;
	}
	if (vexfs_vec_rec_len(csize) != len) {
		*why = "stored size does not match the table entry";
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->vh_flags) & ~VEXFS_VEC_FL_KNOWN) {
		*why = "unknown record flags";
		return -EUCLEAN;
	}
	if (!vexfs_vec_meta_ok(m, true)) {
		*why = "metadata out of range";
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->vh_checksum) != vexfs_vec_rec_csum(seed, rec, len)) {
		*why = "record checksum mismatch";
		return -EUCLEAN;
	}
	return 0;
}

/* ---- vector table entries ----------------------------------------------- */

u32 vexfs_vtab_csum(u32 seed, u64 id, const struct vexfs_vtab_entry *e)
{
	__le64 lid = cpu_to_le64(id);
	u32 crc = vexfs_crc32c(seed, &lid, sizeof(lid));

	return vexfs_crc32c(crc, e, offsetof(struct vexfs_vtab_entry, ve_checksum));
}

bool vexfs_vtab_is_free(const struct vexfs_vtab_entry *e)
{
	static const struct vexfs_vtab_entry zero;

	return !memcmp(e, &zero, sizeof(zero));
}

void vexfs_vtab_encode(struct vexfs_vtab_entry *e, u32 seed, u64 id,
		       const struct vexfs_vloc *loc)
{
	e->ve_ino = cpu_to_le64(loc->ino);
	e->ve_chunk = cpu_to_le64(loc->chunk);
	e->ve_offset = cpu_to_le32(loc->offset);
	e->ve_length = cpu_to_le32(loc->length);
	e->ve_chunk_blocks = cpu_to_le16(loc->chunk_blocks);
	e->ve_flags = 0;
	e->ve_checksum = cpu_to_le32(vexfs_vtab_csum(seed, id, e));
}

int vexfs_vtab_decode(const struct vexfs_vtab_entry *e, u32 seed, u64 id,
		      u32 block_size, u64 first_data, u64 blocks, u64 max_ino,
		      struct vexfs_vloc *loc, const char **why)
{
	u32 cb;

	if (vexfs_vtab_is_free(e))
		return 1;
	if (le32_to_cpu(e->ve_checksum) != vexfs_vtab_csum(seed, id, e)) {
		*why = "table entry checksum mismatch";
		return -EUCLEAN;
	}
	loc->ino = le64_to_cpu(e->ve_ino);
	loc->chunk = le64_to_cpu(e->ve_chunk);
	loc->offset = le32_to_cpu(e->ve_offset);
	loc->length = le32_to_cpu(e->ve_length);
	loc->chunk_blocks = cb = le16_to_cpu(e->ve_chunk_blocks);
	if (loc->ino < VEXFS_FIRST_INO || loc->ino > max_ino || e->ve_flags) {
		*why = "table entry owner or flags out of range";
		return -EUCLEAN;
	}
	if (!cb || cb > vexfs_vchunk_max_blocks(block_size) || loc->chunk < first_data ||
	    loc->chunk >= blocks || blocks - loc->chunk < cb) {
		*why = "table entry chunk outside the filesystem";
		return -EUCLEAN;
	}
	if (loc->offset % VEXFS_VEC_ALIGN || loc->length <= VEXFS_VEC_REC_HDR ||
	    loc->length > vexfs_vec_rec_len(VEXFS_VEC_MAX_DATA) ||
	    loc->offset >= cb * block_size || cb * block_size - loc->offset < loc->length) {
		*why = "table entry record outside its chunk";
		return -EUCLEAN;
	}
	return 0;
}

/* ---- chunk slot allocator ----------------------------------------------- */

static inline bool vc_test(const struct vexfs_vchunk *c, u32 i)
{
	return (c->map[i / 64] >> (i % 64)) & 1;
}

/* Longest run of clear bits in the chunk's map; *at gets a best-fit start for @n. */
static u32 vc_scan(const struct vexfs_vchunk *c, u32 n, u32 *at)
{
	u32 i = 0, best = 0, fit = ~0u;

	*at = ~0u;
	while (i < c->nslots) {
		u32 w = i / 64, b = i % 64, start, len;
		u64 word = c->map[w] >> b;

		if (word & 1) {
			/* skip used slots a word at a time */
			u64 inv = ~word;

			if (!inv) {
				i += 64 - b;
				continue;
			}
			i += __builtin_ctzll(inv);
			continue;
		}
		start = i;
		while (i < c->nslots) {
			w = i / 64;
			b = i % 64;
			word = c->map[w] >> b;
			if (!word) {
				i += 64 - b;
				continue;
			}
			i += __builtin_ctzll(word);
			break;
		}
		if (i > c->nslots)
			i = c->nslots;
		len = i - start;
		if (len > best)
			best = len;
		if (n && len >= n && len < fit) {
			fit = len;
			*at = start;
		}
	}
	return best;
}

static void vc_set(struct vexfs_vchunk *c, u32 slot, u32 n, bool used)
{
	u32 i;

	for (i = slot; i < slot + n; i++) {
		if (used)
			c->map[i / 64] |= 1ULL << (i % 64);
		else
			c->map[i / 64] &= ~(1ULL << (i % 64));
	}
}

static void va_unlink(struct vexfs_valloc *va, struct vexfs_vchunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		va->cls[c->maxrun] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!va->cls[c->maxrun])
		va->nonempty[c->maxrun / 64] &= ~(1ULL << (c->maxrun % 64));
	c->prev = c->next = NULL;
}

static void va_link(struct vexfs_valloc *va, struct vexfs_vchunk *c)
{
	c->prev = NULL;
	c->next = va->cls[c->maxrun];
	if (c->next)
		c->next->prev = c;
	va->cls[c->maxrun] = c;
	va->nonempty[c->maxrun / 64] |= 1ULL << (c->maxrun % 64);
}

void vexfs_valloc_init(struct vexfs_valloc *va, u32 block_size)
{
	memset(va, 0, sizeof(*va));
	va->block_size = block_size;
}

void vexfs_vchunk_init(struct vexfs_vchunk *c, u64 start, u32 blocks, u32 block_size)
{
	memset(c, 0, sizeof(*c));
	c->start = start;
	c->nslots = blocks * (block_size / VEXFS_VEC_ALIGN);
	c->maxrun = c->nslots;
}

void vexfs_valloc_insert(struct vexfs_valloc *va, struct vexfs_vchunk *c)
{
	u32 at;

	c->maxrun = vc_scan(c, 0, &at);
	va_link(va, c);
	va->chunks++;
	va->chunk_blocks += c->nslots / (va->block_size / VEXFS_VEC_ALIGN);
	va->used_slots += c->nused;
}

void vexfs_valloc_remove(struct vexfs_valloc *va, struct vexfs_vchunk *c)
{
	va_unlink(va, c);
	va->chunks--;
	va->chunk_blocks -= c->nslots / (va->block_size / VEXFS_VEC_ALIGN);
	va->used_slots -= c->nused;
}

struct vexfs_vchunk *vexfs_valloc_pick(const struct vexfs_valloc *va, u32 n)
{
	u32 w;

	if (!n || n > VEXFS_VCHUNK_SLOTS)
		return NULL;
	for (w = n / 64; w <= VEXFS_VCHUNK_WORDS; w++) {
		u64 word = va->nonempty[w];

		if (w == n / 64)
			word &= ~0ULL << (n % 64);
		if (word)
			return va->cls[w * 64 + __builtin_ctzll(word)];
	}
	return NULL;
}

/* Set (@used) or clear slots [slot, slot + n) and requeue the chunk by its new longest run. */
static void vc_update(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 slot, u32 n,
		      bool used)
{
	u32 at;

	va_unlink(va, c);
	vc_set(c, slot, n, used);
	if (used) {
		c->nused += n;
		c->nrec++;
		va->used_slots += n;
	} else {
		c->nused -= n;
		c->nrec--;
		va->used_slots -= n;
	}
	c->maxrun = vc_scan(c, 0, &at);
	va_link(va, c);
}

int vexfs_vchunk_take(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 n)
{
	u32 slot;

	if (!n || c->maxrun < n)
		return -ENOSPC;
	vc_scan(c, n, &slot);
	if (slot == ~0u)
		return -ENOSPC;
	vc_update(va, c, slot, n, true);
	c->starts[slot / 64] |= 1ULL << (slot % 64);
	return (int)slot;
}

int vexfs_vchunk_mark(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 slot, u32 n)
{
	u32 i;

	if (!n || slot >= c->nslots || c->nslots - slot < n)
		return -EUCLEAN;
	for (i = slot; i < slot + n; i++)
		if (vc_test(c, i))
			return -EUCLEAN;
	vc_update(va, c, slot, n, true);
	c->starts[slot / 64] |= 1ULL << (slot % 64);
	return 0;
}

void vexfs_vchunk_release(struct vexfs_valloc *va, struct vexfs_vchunk *c, u32 slot, u32 n)
{
	u64 bit = 1ULL << (slot % 64);

	vc_update(va, c, slot, n, false);
	c->starts[slot / 64] &= ~bit;
	c->checked[slot / 64] &= ~bit;
	c->bad[slot / 64] &= ~bit;
}

/* ---- PQ codebook directory ---------------------------------------------- */

u32 vexfs_cbdir_csum(u32 seed, const void *blk)
{
	static const u8 zero[4];
	u32 off = offsetof(struct vexfs_cb_dir_header, cd_checksum);
	u32 crc = vexfs_crc32c(seed, blk, off);

	crc = vexfs_crc32c(crc, zero, 4);
	return vexfs_crc32c(crc, (const u8 *)blk + off + 4, VEXFS_CB_DIR_BYTES - off - 4);
}

void vexfs_cbdir_seal(void *blk, u32 seed)
{
	struct vexfs_cb_dir_header *h = blk;

	h->cd_magic = cpu_to_le32(VEXFS_CBDIR_MAGIC);
	h->cd_checksum = cpu_to_le32(vexfs_cbdir_csum(seed, blk));
}

int vexfs_cbdir_check(const void *blk, u32 seed, u32 block_size, u64 fs_blocks,
		      u32 *count, const char **why)
{
	const struct vexfs_cb_dir_header *h = blk;
	const struct vexfs_cb_entry *e = (const void *)(h + 1);
	static const struct vexfs_cb_entry zero;
	u32 i, n, k;

	if (le32_to_cpu(h->cd_magic) != VEXFS_CBDIR_MAGIC) {
		*why = "bad codebook directory magic";
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->cd_checksum) != vexfs_cbdir_csum(seed, blk)) {
		*why = "codebook directory checksum mismatch";
		return -EUCLEAN;
	}
	n = le32_to_cpu(h->cd_count);
	for (k = 0; k < ARRAY_SIZE(h->cd_pad); k++)
		if (h->cd_pad[k])
			n = VEXFS_CB_MAX + 1;
	if (n > VEXFS_CB_MAX) {
		*why = "codebook directory count or padding out of range";
		return -EUCLEAN;
	}
	for (i = 0; i < VEXFS_CB_MAX; i++) {
		if (i >= n) {
			if (memcmp(&e[i], &zero, sizeof(zero))) {
				*why = "codebook directory entry beyond the count is not zero";
				return -EUCLEAN;
			}
			continue;
		}
		if (vexfs_cb_entry_check(&e[i], i + 1, block_size, fs_blocks, why))
			return -EUCLEAN;
	}
	*count = n;
	return 0;
}

int vexfs_cb_entry_check(const struct vexfs_cb_entry *e, u32 id, u32 block_size,
			 u64 fs_blocks, const char **why)
{
	u32 d = le32_to_cpu(e->ce_dims), m = le32_to_cpu(e->ce_m);
	u32 len = le32_to_cpu(e->ce_length), nb = le32_to_cpu(e->ce_blocks);
	u64 start = le64_to_cpu(e->ce_start);

	if (le32_to_cpu(e->ce_id) != id) {
		*why = "codebook entry id does not match its position";
		return -EUCLEAN;
	}
	if (!d || d > VEXFS_CB_MAX_DIMS || vq_pq_check_dims(d, m) || d / m > VEXFS_CB_MAX_DSUB) {
		*why = "codebook dimensions or subspaces out of range";
		return -EUCLEAN;
	}
	if (len != vq_pq_blob_size(d) || nb != VEXFS_DIV_ROUND_UP(len, block_size)) {
		*why = "codebook length does not match its dimensions";
		return -EUCLEAN;
	}
	if (!start || start >= fs_blocks || nb > fs_blocks - start) {
		*why = "codebook extent beyond the filesystem";
		return -EUCLEAN;
	}
	return 0;
}
