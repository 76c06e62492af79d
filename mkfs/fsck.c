// SPDX-License-Identifier: GPL-2.0
/*
 * fsck.vexfs - check and repair a VexFS filesystem.
 *
 * Passes (as e2fsck):
 *   0  superblock, journal superblock, group descriptors
 *   1  every inode marked in use: checksum and fields, block map (indirect
 *      blocks with their tails), xattr block; block ownership is recorded in
 *      a bitmap of 1 bit per block
 *   2  directories, from the root: header, buckets, overflow chains, every
 *      entry; then directories nothing reaches (for their blocks)
 *   3  orphan list, reachability, link counts, i_blocks
 *   4  vector store (INCOMPAT_VECTORS): PQ codebooks (INCOMPAT_CODEBOOKS: the
 *      directory block s_cb_dir, every codebook's extent and blob), the table
 *      (inode 2), every entry and record (PQ records: their codebook
 *      reference), chunk extents (marked in the block usage bitmap),
 *      i_vec_count of every inode, the superblock's vector counters
 *   5  block and inode bitmaps, group and superblock counters
 *
 * Everything read from the device is bounds-checked before use; every walk is
 * bounded (each indirect block and chain block is visited once, chains are at
 * most 1 + VEXFS_MAX_CHAIN blocks, the orphan list is cycle-checked).
 *
 * Repairs (-y, -p) are conservative: bits are only cleared from the bitmaps,
 * link counts only lowered and unreachable inodes only cleared when every
 * piece of metadata could be traversed, so no block still in use can ever be
 * freed by a repair. Vector table entries whose entry, owner or record is
 * unusable are cleared by -y and -p; entries that claim space another entry
 * or an inode also claims are cleared by -y only.
 *
 * The PQ codebooks and what is repaired there: fsck_codebooks.c.
 *
 * Exit codes follow e2fsck: 0 clean, 1 errors corrected, 4 errors left
 * uncorrected, 8 operational error, 16 usage error.
 *
 * Files: fsck.c options, opening the device, the passes in order, exit code;
 * fsck_problem.c reporting and repair policy; fsck_util.c allocation, block
 * and inode I/O; fsck_super.c superblock and group descriptors;
 * fsck_journal.c journal superblock; fsck_blocks.c block ownership (block
 * maps, xattr blocks); fsck_inodes.c pass 1; fsck_dirs.c pass 2;
 * fsck_orphan.c orphan list and fsck_links.c connectivity and counts (pass
 * 3); fsck_codebooks.c and fsck_vectors.c pass 4; fsck_parent.c parent
 * pointers; fsck_bitmaps.c pass 5. State shared by them: fsck.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <ext2fs/ext2fs.h>
#include "fsck.h"

static struct fsck F;

/* ---- main --------------------------------------------------------------- */

static u64 device_bytes(int fd)
{
	struct stat st;
	u64 n = 0;

	if (fstat(fd, &st))
		return 0;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &n))
			return 0;
		return n;
	}
	return (u64)st.st_size;
}

__attribute__((noreturn)) static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: fsck.vexfs [-n|-y|-p] [-f] [-v] [-C fd] [-O parent] device\n"
		"  -n  check only, open read-only, change nothing\n"
		"  -y  repair everything that can be repaired\n"
		"  -p  preen: repair what is safe without questions; skip a clean filesystem\n"
		"  -f  force a full check of a clean filesystem (with -p)\n"
		"  -v  verbose\n"
		"  -C  fd: progress to file descriptor fd (\"pass cur max device\" lines), 0: a bar\n"
		"  -O  parent: with -y, add parent pointers to an image made without them\n"
		"  -h  this help\n"
		"Exit: 0 clean, 1 errors corrected, 4 errors left, 8 operational error, 16 usage\n");
	exit(code);
}

int main(int argc, char **argv)
{
	struct fsck *f = &F;
	u64 free_blocks = 0, free_inodes = 0, used_inodes;
	u32 state;
	int c, modes = 0, mflags = 0;
	errcode_t e;
	struct stat st;

	vx_prog = "fsck.vexfs";
	f->mode = MODE_CHECK;
	f->progress_fd = -1;
	while ((c = getopt(argc, argv, "nyapfvVO:C:h")) != -1) {
		switch (c) {
		case 'C': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 0 || v > 1024)
				usage(FSCK_USAGE);
			f->progress_fd = (int)v;
			break;
		}
		case 'h':
			usage(FSCK_OK);
		case 'O':
			if (strcmp(optarg, "parent"))
				usage(FSCK_USAGE);
			f->upgrade = true;
			break;
		case 'n':
			f->mode = MODE_CHECK;
			modes++;
			break;
		case 'y':
			f->mode = MODE_YES;
			modes++;
			break;
		case 'a':
		case 'p':
			f->mode = MODE_PREEN;
			modes++;
			break;
		case 'f':
			f->force = 1;
			break;
		case 'v':
			f->verbose = 1;
			break;
		case 'V':
			printf("fsck.vexfs (VexFS format %d)\n", VEXFS_FORMAT_VERSION);
			return 0;
		default:
			usage(FSCK_USAGE);
		}
	}
	if (modes > 1) {
		fprintf(stderr, "fsck.vexfs: only one of -n, -y and -p may be given\n");
		usage(FSCK_USAGE);
	}
	if (optind != argc - 1)
		usage(FSCK_USAGE);
	f->dev = argv[optind];

	if (stat(f->dev, &st))
		vx_die_code(FSCK_ERROR, "cannot stat %s: %m", f->dev);
	e = ext2fs_check_if_mounted(f->dev, &mflags);
	if (e)
		vx_die_code(FSCK_ERROR, "cannot determine whether %s is mounted: %s", f->dev,
			    error_message(e));
	if (mflags & EXT2_MF_MOUNTED) {
		if (f->mode != MODE_CHECK)
			vx_die_code(FSCK_ERROR, "%s is mounted; will not repair a mounted filesystem",
				    f->dev);
		printf("%s: warning: the filesystem is mounted; results may be inaccurate\n",
		       f->dev);
	}
	f->fd = open(f->dev, f->mode == MODE_CHECK ? O_RDONLY :
		     (O_RDWR | (S_ISBLK(st.st_mode) ? O_EXCL : 0)));
	if (f->fd < 0)
		vx_die_code(FSCK_ERROR, "cannot open %s: %m", f->dev);
	f->dev_bytes = device_bytes(f->fd);

	/* ---- pass 0 ---- */
	if (!super_load(f))
		return FSCK_UNCORR;
	if (f->upgrade) {
		if (f->mode != MODE_YES)
			vx_die_code(FSCK_USAGE, "-O parent needs -y");
		if (f->pptr) {
			printf("%s: already has parent pointers\n", f->dev);
			f->upgrade = false;
		} else {
			f->pptr = true;
			f->force = 1;
		}
	}
	f->buf = xcalloc(f->bs, 1);
	f->itbuf = xcalloc(f->bs, 1);
	for (c = 0; c < 4; c++)
		f->lvl[c] = xcalloc(f->bs, 1);
	state = le32_to_cpu(f->sb.s_state);

	if (!check_journal(f)) {
		if (f->mode != MODE_CHECK)
			printf("%s: refusing to repair: mount the filesystem to replay the journal, then run fsck.vexfs again\n",
			       f->dev);
		return FSCK_UNCORR;
	}
	if (f->need_recovery) {
		/* the replayed superblock: its geometry must be the one the log was written for */
		struct vexfs_geom g = f->g;

		if (!super_load(f))
			return FSCK_UNCORR;
		if (memcmp(&g, &f->g, sizeof(g))) {
			printf("%s: the journal replay changes the filesystem's geometry: the kernel refuses to mount it; cannot check\n",
			       f->dev);
			return FSCK_UNCORR;
		}
		state = le32_to_cpu(f->sb.s_state);
		f->force = 1;
	}
	if (f->mode == MODE_PREEN && !f->force && (state & VEXFS_STATE_CLEAN) &&
	    !(state & VEXFS_STATE_ERROR) && !f->nfixed && !f->nunfixed) {
		printf("%s: clean, %llu/%llu files, %llu/%llu blocks\n", f->dev,
		       (unsigned long long)(f->g.inodes - le64_to_cpu(f->sb.s_free_inodes)),
		       (unsigned long long)f->g.inodes,
		       (unsigned long long)(f->g.blocks - le64_to_cpu(f->sb.s_free_blocks)),
		       (unsigned long long)f->g.blocks);
		return FSCK_OK;
	}
	verbose(f, "Pass 0: checking the superblock and group descriptors\n");
	check_gdt(f);

	f->bused = xcalloc((size_t)((f->g.blocks + 7) / 8) + 8, 1);
	f->idisk = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->ibad = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->ikeep = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	f->iwarned = xcalloc((size_t)((f->g.inodes + 7) / 8) + 8, 1);
	mark_meta(f);

	pass1(f);
	pass2(f);
	pass3(f);
	if (f->mode != MODE_CHECK && !f->incomplete) {
		u64 i;
		bool cleared = false;

		for (i = 0; i < f->nrec; i++)
			cleared |= (f->rec[i].flags & R_CLEARED) != 0;
		if (cleared)
			rebuild_usage(f);
	}
	pass4(f);
	progress(f, 4, 1, 1);
	pass_parent(f);
	if (f->upgrade && !f->nunfixed) {
		f->sb.s_feature_ro_compat |= cpu_to_le64(VEXFS_FEATURE_RO_COMPAT_PARENT);
		f->sb_dirty = true;
	}
	pass5(f, &free_blocks, &free_inodes);
	progress(f, 5, 1, 1);
	progress_clear(f);
	write_gdt(f);

	super_update(f, state, free_blocks, free_inodes);
	if (f->mode != MODE_CHECK && fsync(f->fd))
		vx_die_code(FSCK_ERROR, "fsync %s: %m", f->dev);
	close(f->fd);

	used_inodes = f->g.inodes - free_inodes;
	printf("%s: %llu/%llu files (%llu directories), %llu/%llu blocks\n", f->dev,
	       (unsigned long long)used_inodes, (unsigned long long)f->g.inodes,
	       (unsigned long long)f->ndirs,
	       (unsigned long long)(f->g.blocks - free_blocks), (unsigned long long)f->g.blocks);
	if (f->nunfixed) {
		printf("%s: ********** %llu problem(s) left uncorrected%s **********\n", f->dev,
		       (unsigned long long)f->nunfixed,
		       f->mode == MODE_CHECK ? " (checked with -n)" : "");
		return FSCK_UNCORR;
	}
	if (f->nfixed) {
		printf("%s: ***** %llu problem(s) corrected *****\n", f->dev,
		       (unsigned long long)f->nfixed);
		return FSCK_FIXED;
	}
	return FSCK_OK;
}
