// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_bitmaps.c - pass 5: block and inode bitmaps against the usage the
 * other passes computed (f->bused, f->ikeep), their checksums, the padding
 * bits past the end of the filesystem, and the group counters.
 */
#include <stdlib.h>
#include <string.h>
#include "fsck.h"

void pass5(struct fsck *f, u64 *free_blocks, u64 *free_inodes)
{
	bool can_free = !f->incomplete;
	u8 *disk = xcalloc(f->bs, 1), *want = xcalloc(f->bs, 1);
	u32 grp, i, ipg = f->g.inodes_per_group;

	verbose(f, "Pass 5: checking block and inode bitmaps, group summaries\n");
	*free_blocks = 0;
	*free_inodes = 0;
	for (grp = 0; grp < f->g.groups; grp++) {
		struct vexfs_group_desc *gd = &f->gd[grp];
		u64 base = (u64)grp * f->g.blocks_per_group, ibase = (u64)grp * ipg;
		u32 nblk = vexfs_group_blocks(&f->g, grp);
		u32 plus = 0, minus = 0, pad = 0, fb = 0, fi = 0;
		u64 first_plus = 0, first_minus = 0;
		bool bad_csum, write = false;

		progress(f, 5, grp, f->g.groups);
		/* block bitmap */
		if (rd(f, f->gbb[grp], disk, "block bitmap"))
			memset(disk, 0, f->bs);
		bad_csum = !(f->gd_dirty[grp] & GD_REBUILT) &&
			   le32_to_cpu(gd->bg_block_bitmap_csum) !=
			   vexfs_bitmap_csum(f->seed, disk, f->bs);
		if (bad_csum)
			prob(f, P_FIX, "group %u: block bitmap fails its checksum", grp);
		memset(want, 0, f->bs);
		for (i = 0; i < nblk; i++) {
			bool u = tb(f->bused, base + i), d = vexfs_test_bit(disk, i);

			if (u)
				vexfs_set_bit(want, i);
			if (u && !d) {
				if (!plus++)
					first_plus = base + i;
			} else if (!u && d) {
				if (!minus++)
					first_minus = base + i;
				if (!can_free)
					vexfs_set_bit(want, i);
			}
		}
		for (i = nblk; i < f->bs * 8; i++) {
			vexfs_set_bit(want, i);
			if (!vexfs_test_bit(disk, i))
				pad++;
		}
		if (plus)
			prob(f, P_FIX, "group %u: %u blocks in use but marked free (first %llu)", grp,
			     plus, (unsigned long long)first_plus);
		if (minus)
			prob(f, can_free ? P_FIX : P_NOFIX,
			     "group %u: %u blocks marked in use but not used (first %llu)", grp,
			     minus, (unsigned long long)first_minus);
		if (pad)
			prob(f, P_FIX, "group %u: %u bits past the end of the filesystem are not set",
			     grp, pad);
		fb = vexfs_count_zero(want, nblk);
		if (f->mode != MODE_CHECK && (bad_csum || plus || pad || (minus && can_free) ||
					     (f->gd_dirty[grp] & GD_REBUILT))) {
			wr(f, f->gbb[grp], want);
			write = true;
		}
		if (write) {
			gd->bg_block_bitmap_csum = cpu_to_le32(vexfs_bitmap_csum(f->seed, want, f->bs));
			f->gd_dirty[grp] |= GD_WRITE;
		}

		/* inode bitmap */
		plus = minus = 0;
		write = false;
		if (rd(f, f->gib[grp], disk, "inode bitmap"))
			memset(disk, 0, f->bs);
		bad_csum = (f->gd_dirty[grp] & GD_IBM_BAD) != 0;
		memset(want, 0, f->bs);
		for (i = 0; i < ipg; i++) {
			u64 ino = ibase + i + 1;
			bool u = tb(f->ikeep, ino - 1) || ino < VEXFS_FIRST_INO;
			bool d = vexfs_test_bit(disk, i);

			if (u)
				vexfs_set_bit(want, i);
			if (u && !d) {
				if (!plus++)
					first_plus = ino;
			} else if (!u && d) {
				if (!minus++)
					first_minus = ino;
				if (!can_free)
					vexfs_set_bit(want, i);
			}
		}
		for (i = ipg; i < f->bs * 8; i++)
			vexfs_set_bit(want, i);
		if (plus)
			prob(f, P_FIX, "group %u: %u inodes in use but marked free (first %llu)", grp,
			     plus, (unsigned long long)first_plus);
		if (minus)
			prob(f, can_free ? P_FIX : P_NOFIX,
			     "group %u: %u inodes marked in use but not in use (first %llu)", grp,
			     minus, (unsigned long long)first_minus);
		fi = vexfs_count_zero(want, ipg);
		if (f->mode != MODE_CHECK && (bad_csum || plus || (minus && can_free) ||
					     (f->gd_dirty[grp] & GD_REBUILT))) {
			wr(f, f->gib[grp], want);
			write = true;
		}
		if (write) {
			gd->bg_inode_bitmap_csum =
				cpu_to_le32(vexfs_bitmap_csum(f->seed, want, ipg / 8));
			f->gd_dirty[grp] |= GD_WRITE;
		}

		/* counters */
		if (le32_to_cpu(gd->bg_free_blocks) != fb || le32_to_cpu(gd->bg_free_inodes) != fi ||
		    le32_to_cpu(gd->bg_used_dirs) != f->gdirs[grp]) {
			if (!(f->gd_dirty[grp] & GD_REBUILT))
				prob(f, P_FIX, "group %u: counters say %u free blocks, %u free inodes, %u directories; counted %u, %u, %u",
				     grp, le32_to_cpu(gd->bg_free_blocks),
				     le32_to_cpu(gd->bg_free_inodes), le32_to_cpu(gd->bg_used_dirs),
				     fb, fi, f->gdirs[grp]);
			gd->bg_free_blocks = cpu_to_le32(fb);
			gd->bg_free_inodes = cpu_to_le32(fi);
			gd->bg_used_dirs = cpu_to_le32(f->gdirs[grp]);
			f->gd_dirty[grp] |= GD_WRITE;
		}
		*free_blocks += fb;
		*free_inodes += fi;
	}
	free(disk);
	free(want);
}
