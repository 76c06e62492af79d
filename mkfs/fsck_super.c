// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_super.c - the superblock and the group descriptors (pass 0): the
 * superblock is validated and gives the geometry; an invalid descriptor is
 * rebuilt from the standard layout. At the end, the descriptors changed by
 * any pass are written back, then the superblock with its free counts and
 * state.
 */
#include <stdio.h>
#include <string.h>
#include "fsck.h"

/*
 * Read and validate the superblock, and derive the geometry and what the
 * passes need from it. Returns false when the filesystem cannot be checked
 * (a corrupt superblock, reported; there is no backup).
 */
bool super_load(struct fsck *f)
{
	const char *why = "";
	u32 vflags;
	int err;

	err = fsck_pread(f, &f->sb, sizeof(f->sb), 0);
	if (err)
		vx_die_code(FSCK_ERROR, "cannot read the superblock of %s: %s", f->dev,
			    strerror(-err));
	err = vexfs_sb_validate(&f->sb, f->dev_bytes, &f->g, &why, &vflags);
	if (err == -EINVAL)
		vx_die_code(FSCK_ERROR, "%s: not a VexFS filesystem (%s)", f->dev, why);
	if (err == -EOPNOTSUPP)
		vx_die_code(FSCK_ERROR, "%s: %s; this fsck.vexfs is too old", f->dev, why);
	if (err) {
		printf("%s: superblock is corrupt: %s\n", f->dev, why);
		printf("%s: cannot check this filesystem (there is no backup superblock)\n", f->dev);
		return false;
	}
	if (vflags & VEXFS_SB_RO_FEATURES)
		vx_die_code(FSCK_ERROR, "%s: unknown read-only-compatible features %#llx",
			    f->dev, (unsigned long long)le64_to_cpu(f->sb.s_feature_ro_compat));
	f->bits = f->g.block_bits;
	f->bs = f->g.block_size;
	f->ptrs = vexfs_ptrs_per_block(f->bs);
	f->seed = vexfs_csum_seed(f->sb.s_uuid);
	f->vec = (le64_to_cpu(f->sb.s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_VECTORS) != 0;
	f->ann = (le64_to_cpu(f->sb.s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_ANN) != 0;
	f->pptr = (le64_to_cpu(f->sb.s_feature_ro_compat) & VEXFS_FEATURE_RO_COMPAT_PARENT) != 0;
	f->key[0] = le64_to_cpu(f->sb.s_hash_key[0]);
	f->key[1] = le64_to_cpu(f->sb.s_hash_key[1]);
	f->meta_end = f->g.journal_start + f->g.journal_blocks;
	f->maxbytes = vexfs_max_lblk(f->bs) << f->bits;
	if (f->maxbytes > 0x7fffffffffffffffULL)
		f->maxbytes = 0x7fffffffffffffffULL;
	return true;
}

void check_gdt(struct fsck *f)
{
	size_t bytes = (size_t)f->g.gdt_blocks << f->bits;
	u32 grp;
	u64 i;

	f->gdt_raw = xcalloc(bytes, 1);
	f->gd = (struct vexfs_group_desc *)f->gdt_raw;
	f->gbb = xcalloc(f->g.groups, sizeof(u64));
	f->gib = xcalloc(f->g.groups, sizeof(u64));
	f->git = xcalloc(f->g.groups, sizeof(u64));
	f->gd_dirty = xcalloc(f->g.groups, 1);
	f->gdirs = xcalloc(f->g.groups, sizeof(u32));
	for (i = 0; i < f->g.gdt_blocks; i++) {
		if (rd(f, f->g.gdt_start + i, f->gdt_raw + (i << f->bits), "group descriptors"))
			memset(f->gdt_raw + (i << f->bits), 0, f->bs);
	}
	for (grp = 0; grp < f->g.groups; grp++) {
		struct vexfs_group_desc *gd = &f->gd[grp];
		const char *why;
		u64 bb, ib, it;

		vexfs_group_meta(&f->g, grp, &bb, &ib, &it);
		if (vexfs_gd_validate(&f->g, grp, gd, &why)) {
			prob(f, P_FIX, "group %u: descriptor invalid (%s)%s", grp, why,
			     f->mode != MODE_CHECK ? "; rebuilding it from the standard layout" : "");
			memset(gd, 0, sizeof(*gd));
			gd->bg_block_bitmap = cpu_to_le64(bb);
			gd->bg_inode_bitmap = cpu_to_le64(ib);
			gd->bg_inode_table = cpu_to_le64(it);
			f->gd_dirty[grp] = GD_WRITE | GD_REBUILT;
		} else if (le32_to_cpu(gd->bg_checksum) != vexfs_gd_csum(f->seed, grp, gd)) {
			prob(f, P_FIX, "group %u: descriptor checksum mismatch", grp);
			f->gd_dirty[grp] = GD_WRITE;
		}
		f->gbb[grp] = le64_to_cpu(gd->bg_block_bitmap);
		f->gib[grp] = le64_to_cpu(gd->bg_inode_bitmap);
		f->git[grp] = le64_to_cpu(gd->bg_inode_table);
	}
}

void write_gdt(struct fsck *f)
{
	u32 per = f->bs / sizeof(struct vexfs_group_desc), grp;
	u64 blk, last = ~0ULL;

	if (f->mode == MODE_CHECK)
		return;
	for (grp = 0; grp < f->g.groups; grp++) {
		if (!f->gd_dirty[grp])
			continue;
		f->gd[grp].bg_checksum = cpu_to_le32(vexfs_gd_csum(f->seed, grp, &f->gd[grp]));
		blk = grp / per;
		if (blk != last && last != ~0ULL)
			wr(f, f->g.gdt_start + last, f->gdt_raw + (last << f->bits));
		last = blk;
	}
	if (last != ~0ULL)
		wr(f, f->g.gdt_start + last, f->gdt_raw + (last << f->bits));
}

/*
 * The superblock's free counts (when it was cleanly unmounted or is being
 * repaired), clean and error state; written if anything in it changed.
 * @state is s_state as found.
 */
void super_update(struct fsck *f, u32 state, u64 free_blocks, u64 free_inodes)
{
	int err;

	if (state & VEXFS_STATE_CLEAN || f->mode != MODE_CHECK) {
		if (le64_to_cpu(f->sb.s_free_blocks) != free_blocks ||
		    le64_to_cpu(f->sb.s_free_inodes) != free_inodes) {
			prob(f, P_FIX, "superblock counts %llu free blocks, %llu free inodes; counted %llu, %llu",
			     (unsigned long long)le64_to_cpu(f->sb.s_free_blocks),
			     (unsigned long long)le64_to_cpu(f->sb.s_free_inodes),
			     (unsigned long long)free_blocks, (unsigned long long)free_inodes);
			f->sb.s_free_blocks = cpu_to_le64(free_blocks);
			f->sb.s_free_inodes = cpu_to_le64(free_inodes);
			f->sb_dirty = true;
		}
	}
	if (!(state & VEXFS_STATE_CLEAN)) {
		if (f->mode == MODE_CHECK) {
			printf("%s: note: not cleanly unmounted (free counts in the superblock not checked)\n",
			       f->dev);
		} else {
			prob(f, P_FIX, "filesystem was not cleanly unmounted; marking it clean");
			state |= VEXFS_STATE_CLEAN;
			f->sb_dirty = true;
		}
	}
	if (state & VEXFS_STATE_ERROR) {
		/*
		 * The kernel records an error it met (an I/O error, corruption
		 * it found); the full check just ran. As e2fsck: with -n a note,
		 * the verdict is the check's; a repair that leaves nothing
		 * unfixed clears it.
		 */
		if (f->mode == MODE_CHECK)
			printf("%s: note: the filesystem has recorded errors (%llu since mkfs); %s\n",
			       f->dev, (unsigned long long)le64_to_cpu(f->sb.s_error_count),
			       f->nunfixed ? "see the problems above" :
			       "the check found no inconsistency, fsck -y clears the record");
		else
			prob(f, f->nunfixed ? P_NOFIX : P_FIX,
			     "filesystem has recorded errors (%llu since mkfs)",
			     (unsigned long long)le64_to_cpu(f->sb.s_error_count));
		if (!f->nunfixed && f->mode != MODE_CHECK) {
			state &= ~VEXFS_STATE_ERROR;
			f->sb_dirty = true;
		}
	}
	if (f->sb_dirty && f->mode != MODE_CHECK) {
		f->sb.s_state = cpu_to_le32(state);
		f->sb.s_checksum = cpu_to_le32(vexfs_sb_csum(&f->sb));
		err = vx_pwrite(f->fd, &f->sb, sizeof(f->sb), 0);
		if (err)
			vx_die_code(FSCK_ERROR, "cannot write the superblock: %s", strerror(-err));
	}
}
