/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ann.h - the mounted graph ANN index, shared by its node and journal code
 * (ann.c) and its INDEX call (ann_index.c). The rest of vexfs.ko sees it
 * through vector.h.
 */
#ifndef _VEXFS_ANN_H
#define _VEXFS_ANN_H

#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/buffer_head.h>
#include <linux/jbd2.h>
#include "core/vgraph.h"
#include "vexfs/vexfs_fs.h"

struct vexfs_ann;

/* one walk over the nodes (a search, or an insert's plan) */
struct vexfs_ann_walk {
	struct vexfs_ann *ax;
	const u8 **ptrs;		/* [nmax] */
	struct buffer_head **bhs;	/* [nmax] */
	u32 nmax;
	u32 kind;			/* its code distance, VQ_U8_* */
};

struct vexfs_ann {
	struct super_block *sb;
	struct inode *inode;		/* VEXFS_ANN_INO */
	struct rw_semaphore sem;	/* node and descriptor contents */
	struct buffer_head *dbh;	/* logical block 0, held */
	struct vexfs_ann_desc *d;	/* in dbh */
	/*
	 * Node blocks 1 .. VEXFS_ANN_BCACHE - 1, verified, kept referenced once
	 * read (installed with cmpxchg by concurrent readers): a node costs no
	 * block-map walk and no buffer lookup. A bounded cache: 64 MiB of
	 * 4 KiB blocks at most, whatever the number of nodes.
	 */
	struct buffer_head **bcache;
	/*
	 * One search's walk and scratch, kept for the next search (whose
	 * visited set is then already clear); a search that finds them taken
	 * allocates its own. Sized for ef = sef (0: none yet), at most
	 * VGRAPH_MAX_EF.
	 */
	struct mutex smutex;
	u32 sef;
	void *ssmem;
	struct vgraph_scratch ss;
	struct vexfs_ann_walk sw;
	u8 *sqc;			/* the query's code, dims bytes */
	/* fixed at creation, copied from the descriptor */
	u32 gen, dims, r, alpha, ef_c, node_size, npb, lo, step;
	u32 metric;			/* VEXFS_ANN_METRIC_* */
	/*
	 * The code distance searches walk by: VQ_U8_IP for an inner-product
	 * index, else VQ_U8_L2. Inserts and repairs walk by L2 always (the
	 * graph is an L2 graph of the codes; Documentation/ann-index.rst).
	 */
	u32 kind;
	u8 model[16];
	/* one insert or reclaim step at a time (under vs->lock): its walk, scratch and plan */
	struct vexfs_ann_walk pw;
	void *smem, *pmem;
	struct vgraph_scratch s;
	struct vgraph_plan p;
	u8 *pcode;			/* the pending node's code */
	u32 pslot;			/* its slot, VGRAPH_NONE when none */
	bool preuse;			/* the slot is a free one, ... */
	u32 pnext;			/* ... whose successor on the free list this is */
	struct buffer_head **wbh;	/* blocks the plan writes (r + 2) */
	u64 *wlblk;			/* their logical block numbers */
	u32 nwbh;
};

void vexfs_ann_desc_dirty_prep(struct vexfs_ann *ax);
int vexfs_ann_desc_dirty(handle_t *handle, struct vexfs_ann *ax);
void vexfs_ann_free(struct vexfs_ann *ax);
int vexfs_ann_setup(struct super_block *sb, struct inode *inode, struct buffer_head *dbh,
		    struct vexfs_ann **out);

#endif /* _VEXFS_ANN_H */
