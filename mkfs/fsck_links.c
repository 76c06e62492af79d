// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_links.c - pass 3: connectivity and reference counts. After the orphan
 * list (fsck_orphan.c), an inode that no directory reaches and that is not on
 * the list is cleared (when every piece of metadata could be traversed);
 * link counts are set from the entries found in pass 2 and i_blocks from the
 * blocks found in pass 1. The inodes kept are marked in f->ikeep.
 */
#include <sys/stat.h>
#include "fsck.h"

void pass3(struct fsck *f)
{
	u64 i;
	bool can_free;

	verbose(f, "Pass 3: checking the orphan list, connectivity and reference counts\n");
	check_orphans(f);

	can_free = !f->incomplete;
	for (i = 0; i < f->nrec; i++) {
		struct irec *r = &f->rec[i];
		bool isdir = S_ISDIR(r->mode);

		progress(f, 3, i, f->nrec);
		u64 want;

		if (!(r->flags & (R_REACHABLE | R_ORPHAN | R_INTERNAL))) {
			bool clear = can_free && fixable(f, r->size || r->counted);

			prob(f, clear ? P_FIX : P_NOFIX,
			     "inode %llu (%s, %llu bytes, %u links) is not in any directory nor on the orphan list%s",
			     (unsigned long long)r->ino, type_name(r->mode),
			     (unsigned long long)r->size, r->links,
			     clear && f->mode != MODE_CHECK ? "; clearing it" : "");
			if (clear && f->mode != MODE_CHECK) {
				r->flags |= R_CLEARED;
				inode_update(f, r->ino, IU_CLEAR, 0);
				continue;
			}
		}
		r->flags |= R_KEPT;
		sbit(f->ikeep, r->ino - 1);
		if (isdir)
			f->gdirs[(r->ino - 1) / f->g.inodes_per_group]++;
		if (r->flags & R_INTERNAL)
			want = 1;	/* vector table, ANN index: one link, no directory */
		else if (!(r->flags & R_REACHABLE))
			want = 0;	/* unlinked, on the orphan list */
		else if (isdir)
			want = (r->ino == VEXFS_ROOT_INO ? 2 : r->refs + 1) + r->subdirs;
		else
			want = r->refs;
		if (r->flags & (R_REACHABLE | R_ORPHAN | R_INTERNAL) && r->links != want) {
			int kind = (want > r->links || can_free) ? P_FIX : P_NOFIX;

			prob(f, kind, "inode %llu (%s): link count is %u, should be %llu",
			     (unsigned long long)r->ino, type_name(r->mode), r->links,
			     (unsigned long long)want);
			if (kind == P_FIX) {
				inode_update(f, r->ino, IU_LINKS, want);
				r->links = (u32)want;
			}
		}
		if (r->iblocks != r->counted && !(r->flags & R_PARTIAL)) {
			prob(f, P_FIX, "inode %llu (%s): i_blocks is %llu, counted %llu",
			     (unsigned long long)r->ino, type_name(r->mode),
			     (unsigned long long)r->iblocks, (unsigned long long)r->counted);
			inode_update(f, r->ino, IU_BLOCKS, r->counted);
		}
	}
	progress(f, 3, 1, 1);
}
