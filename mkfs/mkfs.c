// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mkfs.vexfs - make a VexFS filesystem on a block device or an image file.
 *
 * Writes only metadata: the superblock, group descriptors, two bitmap blocks
 * per group, the journal superblock, the first inode table block (the root
 * directory and the empty vector table, inode 2) and the root directory's two
 * blocks. The vector store (INCOMPAT_VECTORS) is always enabled: its table
 * starts empty (no blocks, next id 1). Inode tables are never zeroed: a free inode is
 * defined by its bitmap bit and an inode is fully initialised when allocated;
 * checksums are seeded with the new UUID so stale inodes from an older
 * filesystem can never validate. A 100 GiB sparse image therefore gets a few
 * MiB of writes.
 *
 * Exit codes follow mke2fs: 0 success, 1 any failure (including refusals).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <arpa/inet.h>
#include <blkid/blkid.h>
#include <ext2fs/ext2fs.h>
#include <uuid/uuid.h>
#include "core/format.h"
#include "util.h"

struct opts {
	u32 block_bits;
	const char *label;
	const char *uuid;
	u64 inodes;
	u64 journal_bytes;
	u64 fs_blocks;		/* 0 = whole device */
	int force, quiet, dry_run;
	int no_parent;		/* -O ^parent: an image without parent pointers */
	const char *dev;
};

__attribute__((noreturn)) static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: mkfs.vexfs [-b block-size] [-L label] [-U uuid] [-N inodes]\n"
		"                  [-J size-MiB|size=MiB] [-O ^parent] [-f] [-q] [-n] device [blocks]\n"
		"  -b  block size: 1024, 2048 or 4096 (default 4096)\n"
		"  -L  volume label (up to %d bytes)\n"
		"  -U  UUID, or 'random' (default), 'time', 'clear'\n"
		"  -N  minimum number of inodes (default: one per 16 KiB)\n"
		"  -J  journal size in MiB (default: 4..128 MiB by device size)\n"
		"  -O  ^parent: no parent pointers (the format of older releases)\n"
		"  -f  force: format even if the device holds a filesystem or partition table\n"
		"  -q  quiet\n"
		"  -n  dry run: print what would be done, write nothing\n"
		"  -V  print version\n", VEXFS_LABEL_LEN);
	exit(code);
}

static void wr(int fd, const void *buf, size_t len, u64 off, u64 *written)
{
	int err = vx_pwrite(fd, buf, len, off);

	if (err)
		vx_die("write at byte %llu: %s", (unsigned long long)off, strerror(-err));
	*written += len;
}

/* Refuse mounted devices and devices with a known signature (unless -f). */
static void check_device(struct opts *o)
{
	int mflags = 0;
	errcode_t e;
	blkid_probe pr;

	e = ext2fs_check_if_mounted(o->dev, &mflags);
	if (e)
		vx_die("cannot determine whether %s is mounted: %s", o->dev, error_message(e));
	if (mflags & EXT2_MF_MOUNTED)
		vx_die("%s is mounted; will not make a filesystem here!", o->dev);
	if (mflags & EXT2_MF_BUSY)
		vx_die("%s is apparently in use by the system; will not make a filesystem here!",
		       o->dev);

	{
		struct vexfs_super_block old;
		int fd = open(o->dev, O_RDONLY);

		if (fd >= 0 && !vx_pread(fd, &old, sizeof(old), 0) &&
		    le32_to_cpu(old.s_magic) == VEXFS_SUPER_MAGIC && !o->force)
			vx_die("%s already contains a VexFS filesystem; use -f to overwrite it",
			       o->dev);
		if (fd >= 0)
			close(fd);
	}
	pr = blkid_new_probe_from_filename(o->dev);
	if (!pr)
		return;		/* empty or unreadable: nothing to protect */
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	if (blkid_do_safeprobe(pr) == 0) {
		const char *type = NULL, *pttype = NULL;

		blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "PTTYPE", &pttype, NULL);
		if (!o->force) {
			if (pttype)
				vx_die("%s contains a partition table (%s); use -f to overwrite it",
				       o->dev, pttype);
			vx_die("%s contains a %s filesystem; use -f to overwrite it",
			       o->dev, type ? type : "unknown");
		}
		if (!o->quiet)
			printf("%s contains a %s %s; overwriting (-f)\n", o->dev,
			       pttype ? pttype : (type ? type : "unknown"),
			       pttype ? "partition table" : "filesystem");
	}
	blkid_free_probe(pr);
}

/* Erase every signature libblkid knows about (as wipefs -a does). */
static void wipe_signatures(const char *dev, int fd)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		if (pr)
			blkid_free_probe(pr);
		return;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	while (blkid_do_probe(pr) == 0) {
		if (blkid_do_wipe(pr, 0))
			vx_die("cannot wipe old signature on %s", dev);
	}
	blkid_free_probe(pr);
}

static void set_uuid(struct opts *o, u8 out[16])
{
	if (!o->uuid || !strcmp(o->uuid, "random"))
		uuid_generate(out);
	else if (!strcmp(o->uuid, "time"))
		uuid_generate_time(out);
	else if (!strcmp(o->uuid, "clear"))
		memset(out, 0, 16);
	else if (uuid_parse(o->uuid, out))
		vx_die("invalid UUID '%s'", o->uuid);
}

static void write_journal_sb(int fd, const struct vexfs_geom *g, const u8 uuid[16],
			     u64 *written)
{
	/* jbd2 on-disk superblock (big-endian), Documentation/filesystems/ext4/journal.rst */
	u8 *b = vx_zalloc(g->block_size);
	__be32 *w = (__be32 *)b;
	u32 incompat = 0x1 /* REVOKE */ | 0x10 /* CSUM_V3 */;
	u32 crc;

	if (g->blocks > 0xffffffffULL)
		incompat |= 0x2;	/* 64BIT block numbers */
	w[0] = htonl(0xc03b3998);	/* h_magic */
	w[1] = htonl(4);		/* h_blocktype: superblock v2 */
	w[2] = 0;			/* h_sequence */
	w[3] = htonl(g->block_size);	/* s_blocksize */
	/*
	 * jbd2 maps log blocks of a device journal 1:1 to device blocks, so
	 * s_first and s_maxlen are absolute: the log is [start + 1, start + len).
	 */
	w[4] = htonl((u32)(g->journal_start + g->journal_blocks)); /* s_maxlen */
	w[5] = htonl((u32)(g->journal_start + 1));	/* s_first */
	w[6] = htonl(1);		/* s_sequence */
	w[7] = 0;			/* s_start: 0 = clean, nothing to replay */
	w[8] = 0;			/* s_errno */
	w[9] = 0;			/* s_feature_compat */
	w[10] = htonl(incompat);	/* s_feature_incompat */
	w[11] = 0;			/* s_feature_ro_compat */
	memcpy(b + 0x30, uuid, 16);	/* s_uuid */
	w[0x40 / 4] = htonl(1);		/* s_nr_users */
	b[0x50] = 4;			/* s_checksum_type: crc32c */
	memcpy(b + 0x100, uuid, 16);	/* s_users[0] */
	crc = vexfs_crc32c(~0U, b, 1024);	/* s_checksum (at 0xfc) is zero here */
	w[0xfc / 4] = htonl(crc);
	wr(fd, b, g->block_size, g->journal_start << g->block_bits, written);
	free(b);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .block_bits = VEXFS_DEFAULT_BLOCK_BITS };
	struct vexfs_geom g;
	struct vexfs_super_block *sb;
	struct vexfs_group_desc *gdt;
	struct vexfs_inode *root;
	u8 uuid[16], *bbm, *ibm, *blk;
	u64 dev_bytes = 0, written = 0, free_blocks = 0, free_inodes = 0, now;
	u64 root_blocks[2], data_start;
	u32 grp, seed, i;
	const char *why = "";
	char uuid_str[40];
	int fd, c, err;
	struct stat st;

	vx_prog = "mkfs.vexfs";
	while ((c = getopt_long(argc, argv, "b:L:U:N:J:O:fqnVh", lopts, NULL)) != -1) {
		u64 v;

		switch (c) {
		case 'b':
			if (vx_parse_size(optarg, &v) || (v != 1024 && v != 2048 && v != 4096))
				vx_die("invalid block size '%s' (1024, 2048 or 4096)", optarg);
			o.block_bits = (u32)__builtin_ctzll(v);
			break;
		case 'L':
			if (strlen(optarg) > VEXFS_LABEL_LEN)
				vx_die("label '%s' is longer than %d bytes", optarg, VEXFS_LABEL_LEN);
			o.label = optarg;
			break;
		case 'U':
			o.uuid = optarg;
			break;
		case 'N':
			if (vx_parse_size(optarg, &o.inodes) || !o.inodes)
				vx_die("invalid inode count '%s'", optarg);
			break;
		case 'J': {
			const char *s = strncmp(optarg, "size=", 5) ? optarg : optarg + 5;

			if (vx_parse_size(s, &v) || !v || v > (1ULL << 20))
				vx_die("invalid journal size '%s' (MiB)", optarg);
			o.journal_bytes = v << 20;
			break;
		}
		case 'O':
			if (strcmp(optarg, "^parent") && strcmp(optarg, "parent"))
				vx_die("unknown feature '%s' (parent or ^parent)", optarg);
			o.no_parent = optarg[0] == '^';
			break;
		case 'f':
			o.force++;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'V':
			printf("mkfs.vexfs (VexFS format %d)\n", VEXFS_FORMAT_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind >= argc || argc - optind > 2)
		usage(1);
	o.dev = argv[optind];
	if (argc - optind == 2 && (vx_parse_size(argv[optind + 1], &o.fs_blocks) || !o.fs_blocks))
		vx_die("invalid block count '%s'", argv[optind + 1]);

	if (stat(o.dev, &st))
		vx_die("cannot stat %s: %m", o.dev);
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		vx_die("%s is neither a block device nor a regular file", o.dev);
	check_device(&o);

	fd = open(o.dev, (o.dry_run ? O_RDONLY : O_RDWR) | (S_ISBLK(st.st_mode) ? O_EXCL : 0));
	if (fd < 0)
		vx_die("cannot open %s: %m", o.dev);
	{
		blk64_t nblk;
		errcode_t e = ext2fs_get_device_size2(o.dev, 1 << o.block_bits, &nblk);

		if (e)
			vx_die("cannot determine the size of %s: %s", o.dev, error_message(e));
		dev_bytes = (u64)nblk << o.block_bits;
	}
	if (!o.fs_blocks)
		o.fs_blocks = dev_bytes >> o.block_bits;
	else if (o.fs_blocks > dev_bytes >> o.block_bits)
		vx_die("%llu blocks requested but %s has only %llu",
		       (unsigned long long)o.fs_blocks, o.dev,
		       (unsigned long long)(dev_bytes >> o.block_bits));

	err = vexfs_geom_plan(&g, o.block_bits, o.fs_blocks, o.inodes,
			      (u32)(o.journal_bytes >> o.block_bits), &why);
	if (err)
		vx_die("cannot lay out %llu blocks of %u bytes: %s",
		       (unsigned long long)o.fs_blocks, 1U << o.block_bits, why);
	if (g.inodes < o.inodes)
		vx_die("%llu inodes requested, at most %llu fit",
		       (unsigned long long)o.inodes, (unsigned long long)g.inodes);

	set_uuid(&o, uuid);
	uuid_unparse(uuid, uuid_str);
	seed = vexfs_csum_seed(uuid);
	now = (u64)time(NULL);

	sb = vx_zalloc(g.block_size);
	gdt = vx_zalloc((size_t)g.gdt_blocks << g.block_bits);
	bbm = vx_zalloc(g.block_size);
	ibm = vx_zalloc(g.block_size);
	blk = vx_zalloc(g.block_size);

	/* Root directory: header + bucket 0, the first two data blocks of group 0. */
	data_start = g.journal_start + g.journal_blocks + 2 + g.itable_blocks;
	root_blocks[0] = data_start;
	root_blocks[1] = data_start + 1;

	if (!o.dry_run)
		wipe_signatures(o.dev, fd);

	for (grp = 0; grp < g.groups; grp++) {
		u32 nblocks = vexfs_group_blocks(&g, grp), used = vexfs_group_overhead(&g, grp);
		u32 iused = 0;
		u64 bb, ib, it;

		vexfs_group_meta(&g, grp, &bb, &ib, &it);
		memset(bbm, 0, g.block_size);
		memset(ibm, 0, g.block_size);
		if (grp == 0)
			used += 2;	/* root directory blocks */
		for (i = 0; i < used; i++)
			vexfs_set_bit(bbm, i);
		for (i = nblocks; i < g.block_size * 8; i++)
			vexfs_set_bit(bbm, i);
		if (grp == 0) {
			iused = VEXFS_FIRST_INO - 1;	/* root + reserved inodes */
			for (i = 0; i < iused; i++)
				vexfs_set_bit(ibm, i);
		}
		for (i = g.inodes_per_group; i < g.block_size * 8; i++)
			vexfs_set_bit(ibm, i);

		gdt[grp].bg_block_bitmap = cpu_to_le64(bb);
		gdt[grp].bg_inode_bitmap = cpu_to_le64(ib);
		gdt[grp].bg_inode_table = cpu_to_le64(it);
		gdt[grp].bg_free_blocks = cpu_to_le32(nblocks - used);
		gdt[grp].bg_free_inodes = cpu_to_le32(g.inodes_per_group - iused);
		gdt[grp].bg_used_dirs = cpu_to_le32(grp == 0 ? 1 : 0);
		gdt[grp].bg_block_bitmap_csum = cpu_to_le32(vexfs_bitmap_csum(seed, bbm, g.block_size));
		gdt[grp].bg_inode_bitmap_csum =
			cpu_to_le32(vexfs_bitmap_csum(seed, ibm, g.inodes_per_group / 8));
		gdt[grp].bg_checksum = cpu_to_le32(vexfs_gd_csum(seed, grp, &gdt[grp]));
		free_blocks += nblocks - used;
		free_inodes += g.inodes_per_group - iused;
		if (!o.dry_run) {
			wr(fd, bbm, g.block_size, bb << g.block_bits, &written);
			wr(fd, ibm, g.block_size, ib << g.block_bits, &written);
		}
	}

	{
		u64 key[2];

		uuid_generate_random((u8 *)key);	/* 122 random bits for the hash key */
		vexfs_sb_init(sb, &g, uuid, key, now, free_blocks, free_inodes);
		sb->s_feature_incompat = cpu_to_le64(VEXFS_FEATURE_INCOMPAT_VECTORS);
		if (!o.no_parent)
			sb->s_feature_ro_compat = cpu_to_le64(VEXFS_FEATURE_RO_COMPAT_PARENT);
		sb->s_vec_root = cpu_to_le64(VEXFS_VECSTORE_INO);
		sb->s_vec_next_id = cpu_to_le64(1);
		sb->s_checksum = cpu_to_le32(vexfs_sb_csum(sb));
	}
	if (o.label) {
		memcpy(sb->s_label, o.label, strlen(o.label));
		sb->s_checksum = cpu_to_le32(vexfs_sb_csum(sb));
	}

	/* Self-check: what we are about to write must pass the kernel's validation. */
	{
		struct vexfs_geom chk;
		u32 fl;

		err = vexfs_sb_validate(sb, dev_bytes, &chk, &why, &fl);
		if (err)
			vx_die("internal error: new superblock fails validation: %s", why);
	}

	if (!o.dry_run) {
		struct vexfs_dir_header *dh = (void *)blk;
		u64 it = le64_to_cpu(gdt[0].bg_inode_table);

		wr(fd, gdt, (size_t)g.gdt_blocks << g.block_bits, g.gdt_start << g.block_bits,
		   &written);
		write_journal_sb(fd, &g, uuid, &written);

		/* Root inode: first slot of group 0's inode table. */
		memset(blk, 0, g.block_size);
		root = (struct vexfs_inode *)blk;
		root->i_mode = cpu_to_le16(040755);
		root->i_uid = cpu_to_le32(getuid());
		root->i_gid = cpu_to_le32(getgid());
		root->i_links = cpu_to_le32(2);
		root->i_size = cpu_to_le64(2ULL << g.block_bits);
		root->i_blocks = cpu_to_le64(2);
		root->i_atime = root->i_mtime = root->i_ctime = root->i_crtime = cpu_to_le64(now);
		root->i_block[0] = cpu_to_le64(root_blocks[0]);
		root->i_block[1] = cpu_to_le64(root_blocks[1]);
		root->i_checksum = cpu_to_le32(vexfs_inode_csum(seed, VEXFS_ROOT_INO, root));
		/* Inode 2, next to it: the (empty) vector table, reachable from no directory. */
		{
			struct vexfs_inode *vt = root + (VEXFS_VECSTORE_INO - VEXFS_ROOT_INO);

			vt->i_mode = cpu_to_le16(0100600);
			vt->i_links = cpu_to_le32(1);
			vt->i_atime = vt->i_mtime = vt->i_ctime = vt->i_crtime = cpu_to_le64(now);
			vt->i_checksum = cpu_to_le32(vexfs_inode_csum(seed, VEXFS_VECSTORE_INO, vt));
		}
		wr(fd, blk, g.block_size, it << g.block_bits, &written);

		memset(blk, 0, g.block_size);
		dh->dh_magic = cpu_to_le32(VEXFS_DIRHDR_MAGIC);
		dh->dh_nbuckets = cpu_to_le32(1);
		dh->dh_parent = cpu_to_le64(VEXFS_ROOT_INO);
		dh->dh_checksum = cpu_to_le32(vexfs_block_csum(seed, VEXFS_ROOT_INO, blk,
				g.block_size, offsetof(struct vexfs_dir_header, dh_checksum)));
		wr(fd, blk, g.block_size, root_blocks[0] << g.block_bits, &written);

		vexfs_bucket_init(blk, g.block_size);
		((struct vexfs_bucket_header *)blk)->bb_checksum =
			cpu_to_le32(vexfs_block_csum(seed, VEXFS_ROOT_INO, blk, g.block_size,
				offsetof(struct vexfs_bucket_header, bb_checksum)));
		wr(fd, blk, g.block_size, root_blocks[1] << g.block_bits, &written);

		/* Superblock last: block 0, rest of the block zero. */
		wr(fd, sb, g.block_size, 0, &written);
		if (fsync(fd))
			vx_die("fsync %s: %m", o.dev);
	}
	close(fd);

	if (!o.quiet) {
		printf("%s%s: VexFS format %d, %llu blocks of %u bytes (%.1f MiB)\n",
		       o.dry_run ? "[dry run] " : "", o.dev, VEXFS_FORMAT_VERSION,
		       (unsigned long long)g.blocks, g.block_size,
		       (double)(g.blocks << g.block_bits) / (1 << 20));
		printf("  %u groups of %u blocks, %llu inodes (%u per group), %llu free blocks\n",
		       g.groups, g.blocks_per_group, (unsigned long long)g.inodes,
		       g.inodes_per_group, (unsigned long long)free_blocks);
		printf("  journal: %u blocks (%.1f MiB) at block %llu\n", g.journal_blocks,
		       (double)((u64)g.journal_blocks << g.block_bits) / (1 << 20),
		       (unsigned long long)g.journal_start);
		printf("  UUID: %s%s%s\n", uuid_str, o.label ? "  label: " : "",
		       o.label ? o.label : "");
		printf("  features: vectors (vector table: inode %d)%s\n", VEXFS_VECSTORE_INO,
		       o.no_parent ? "" : ", parent pointers");
		if (!o.dry_run)
			printf("  metadata written: %llu bytes\n", (unsigned long long)written);
	}
	free(sb);
	free(gdt);
	free(bbm);
	free(ibm);
	free(blk);
	return 0;
}
