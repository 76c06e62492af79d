// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_orphan.c - the orphan list (pass 3): inodes unlinked while open, or
 * being truncated, chained from s_orphan_head through i_orphan_next. The
 * list is bounded and cycle-checked; a bad link truncates it.
 */
#include "fsck.h"

/* Walk the orphan list: mark its inodes R_ORPHAN, cut it at the first bad link. */
void check_orphans(struct fsck *f)
{
	u64 ino = le64_to_cpu(f->sb.s_orphan_head), prev = 0, steps = 0;

	while (ino) {
		struct irec *r = rec_find(f, ino);
		const char *bad = NULL;

		if (ino < VEXFS_FIRST_INO || ino > f->g.inodes)
			bad = "is out of range";
		else if (!r)
			bad = "is not an inode in use";
		else if (r->flags & R_ORPHAN || ++steps > f->g.inodes)
			bad = "closes a cycle";
		if (bad) {
			prob(f, P_FIX, "orphan list: inode %llu (after %s%llu) %s; truncating the list",
			     (unsigned long long)ino, prev ? "inode " : "the superblock, ",
			     (unsigned long long)prev, bad);
			if (!prev) {
				f->sb.s_orphan_head = 0;
				f->sb_dirty = true;
			} else {
				inode_update(f, prev, IU_ORPHAN_NEXT, 0);
			}
			break;
		}
		r->flags |= R_ORPHAN;
		prev = ino;
		ino = r->orphan_next;
	}
}
