// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vann.c - on-disk checks of the graph ANN index (vann.h).
 */
#include "vann.h"
#include "vgraph.h"

u32 vexfs_ann_desc_csum(u32 seed, const struct vexfs_ann_desc *d)
{
	static const u8 zero[4];
	u32 off = offsetof(struct vexfs_ann_desc, ad_checksum);
	u32 crc = vexfs_crc32c(seed, d, off);

	crc = vexfs_crc32c(crc, zero, 4);
	return vexfs_crc32c(crc, (const u8 *)d + off + 4, sizeof(*d) - off - 4);
}

void vexfs_ann_desc_seal(struct vexfs_ann_desc *d, u32 seed)
{
	d->ad_checksum = cpu_to_le32(vexfs_ann_desc_csum(seed, d));
}

static bool vexfs_ann_zero(const void *p, u32 len)
{
	const u8 *b = p;
	u32 i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* a positive, finite binary32 */
static bool vexfs_ann_f32_positive(u32 bits)
{
	return !(bits >> 31) && bits && ((bits >> 23) & 0xff) != 0xff;
}

int vexfs_ann_desc_validate(const struct vexfs_ann_desc *d, u32 seed, u32 block_size,
			    u32 gen, const char **why)
{
	u32 r = le16_to_cpu(d->ad_r), dims = le32_to_cpu(d->ad_dims);
	u32 nslots = le32_to_cpu(d->ad_nslots), entry = le32_to_cpu(d->ad_entry);
	u32 nseeds = le32_to_cpu(d->ad_nseeds), state = le32_to_cpu(d->ad_state), i;
	u32 nlive = le32_to_cpu(d->ad_nlive), nfree = le32_to_cpu(d->ad_nfree);
	u32 sweep = le32_to_cpu(d->ad_sweep), head = le32_to_cpu(d->ad_free);

	*why = NULL;
	if (le32_to_cpu(d->ad_magic) != VEXFS_ANN_MAGIC)
		*why = "bad magic";
	else if (le32_to_cpu(d->ad_checksum) != vexfs_ann_desc_csum(seed, d))
		*why = "checksum mismatch";
	else if (le32_to_cpu(d->ad_version) != VEXFS_ANN_VERSION)
		*why = "unknown version";
	else if (le32_to_cpu(d->ad_gen) != gen)
		*why = "generation differs from the superblock's";
	else if (state != VEXFS_ANN_BUILDING && state != VEXFS_ANN_READY)
		*why = "unknown state";
	else if (le16_to_cpu(d->ad_metric) > VEXFS_ANN_METRIC_MAX ||
		 le16_to_cpu(d->ad_dtype) != VEXFS_DT_F32)
		*why = "unsupported metric or data type";
	else if (vgraph_check_params(dims, r, le16_to_cpu(d->ad_alpha),
				     le16_to_cpu(d->ad_ef_construction)))
		*why = "graph parameters out of range";
	else if (le16_to_cpu(d->ad_node_size) != vexfs_ann_node_size(r, dims) ||
		 vexfs_ann_node_size(r, dims) > block_size)
		*why = "node size does not match the parameters or the block size";
	else if (!vexfs_ann_f32_positive(le32_to_cpu(d->ad_step)) ||
		 ((le32_to_cpu(d->ad_lo) >> 23) & 0xff) == 0xff)
		*why = "quantizer out of range";
	else if (nslots > VEXFS_ANN_MAX_SLOTS || nlive > nslots || nfree > nslots - nlive)
		*why = "node counts out of range";
	else if (entry == VGRAPH_NONE ? nslots != 0 : entry >= nslots)
		*why = "entry node out of range";
	else if (head == VGRAPH_NONE ? nfree != 0 : head >= nslots || !nfree)
		*why = "free list out of range";
	else if (sweep >= nslots && sweep)
		*why = "reclaim sweep out of range";
	else if (nseeds > VEXFS_ANN_MAX_SEEDS || nseeds > nslots ||
		 le64_to_cpu(d->ad_inserted) < nslots)
		*why = "seed counts out of range";
	else if (state == VEXFS_ANN_BUILDING ?
		 le64_to_cpu(d->ad_build_next) > le64_to_cpu(d->ad_build_end) :
		 d->ad_build_next || d->ad_build_end)
		*why = "build cursor out of range";
	else if (d->ad_pad || !vexfs_ann_zero(d->ad_reserved, sizeof(d->ad_reserved)))
		*why = "reserved bytes not zero";
	if (*why)
		return -EUCLEAN;
	for (i = 0; i < VEXFS_ANN_MAX_SEEDS; i++) {
		u32 s = le32_to_cpu(d->ad_seeds[i]);

		if (i < nseeds ? s >= nslots : s != 0) {
			*why = "seed out of range";
			return -EUCLEAN;
		}
	}
	return 0;
}

u32 vexfs_ann_node_csum(u32 seed, u32 gen, const void *node, u32 node_size)
{
	static const u8 zero[4];
	__le32 lgen = cpu_to_le32(gen);
	u32 off = offsetof(struct vexfs_ann_node, an_checksum);
	u32 crc = vexfs_crc32c(seed, &lgen, sizeof(lgen));

	crc = vexfs_crc32c(crc, node, off);
	crc = vexfs_crc32c(crc, zero, 4);
	return vexfs_crc32c(crc, (const u8 *)node + off + 4, node_size - off - 4);
}

void vexfs_ann_node_seal(void *node, u32 node_size, u32 seed, u32 gen)
{
	struct vexfs_ann_node *n = node;

	n->an_checksum = cpu_to_le32(vexfs_ann_node_csum(seed, gen, node, node_size));
}

int vexfs_ann_node_validate(const void *node, u32 node_size, u32 dims, u32 slot, u32 r,
			    u32 nslots, u32 seed, u32 gen, const char **why)
{
	const struct vexfs_ann_node *n = node;
	const __le32 *nb = vexfs_ann_nbrs((void *)node);
	u32 i, cnt = n->an_count;

	if (slot >= nslots) {
		if (vexfs_ann_zero(node, node_size))
			return 0;
		*why = "slot past the last one in use is not zero";
		return -EUCLEAN;
	}
	if (le32_to_cpu(n->an_checksum) != vexfs_ann_node_csum(seed, gen, node, node_size)) {
		*why = "node checksum mismatch";
		return -EUCLEAN;
	}
	if (n->an_state == VEXFS_ANN_NODE_FREE) {
		u64 next = le64_to_cpu(n->an_vid);

		/* nothing but the link to the next free slot */
		if ((next >= nslots && next != VGRAPH_NONE) || next == slot || cnt || n->an_died ||
		    !vexfs_ann_zero((const u8 *)node + sizeof(*n), node_size - sizeof(*n))) {
			*why = "free node out of range";
			return -EUCLEAN;
		}
		return 0;
	}
	if ((n->an_state != VEXFS_ANN_NODE_LIVE && n->an_state != VEXFS_ANN_NODE_DEAD) ||
	    !le64_to_cpu(n->an_vid) || (n->an_state == VEXFS_ANN_NODE_LIVE && n->an_died) ||
	    cnt > r) {
		*why = "node header out of range";
		return -EUCLEAN;
	}
	for (i = 0; i < r; i++) {
		u32 s = le32_to_cpu(nb[i]);

		if (i < cnt ? s >= nslots || s == slot : s != 0) {
			*why = "neighbour out of range";
			return -EUCLEAN;
		}
	}
	if (!vexfs_ann_zero((const u8 *)node + sizeof(*n) + 4 * r + dims,
			    node_size - sizeof(*n) - 4 * r - dims)) {
		*why = "node padding not zero";
		return -EUCLEAN;
	}
	return 0;
}
