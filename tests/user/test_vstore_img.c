// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vstore_img.c - fsck.vexfs on vector-store images built without a
 * kernel. mkfs.vexfs makes an image; this program then writes, with pwrite
 * and the shared core (record, entry, bitmap, inode and directory helpers),
 * what vexfs.ko would have written: two files in the root directory, a vector
 * table (inode 2) with a hole, two chunks and six records (one crossing block
 * boundaries with 1 KiB blocks). fsck must find that image clean; then each
 * case applies one corruption, checks that fsck -n reports it by name (exit
 * 4), that the repair mode fixes it (exit 1) and that a second fsck is clean,
 * and looks at what the repair left on disk.
 *
 * A second base image adds what CODEBOOK_ADD and PQ attach would have
 * written: a codebook directory, two PQ codebooks (trained here with the
 * core's vq_pq_train) in their extents, and three PQ records in a third
 * chunk; its cases corrupt the directory, the blobs, the extents, the bitmap
 * and the records' codebook references. Codebooks cannot be rebuilt, so
 * some of those are expected to stay uncorrected (exit 4, nothing lost).
 *
 * Needs build/user/mkfs.vexfs and fsck.vexfs (VEXFS_BUILD overrides the
 * directory); images live in a temporary directory under /tmp.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "vtest.h"
#include "core/format.h"
#include "core/vrec.h"
#include "vexfs/vq.h"
#include "util.h"

#define IMG_MIB		16
#define CHUNK_BYTES	8192	/* chunk A: 8 blocks of 1 KiB, 2 of 4 KiB */
#define INO_A		8	/* "vecs": vectors 1, 2, 3, 5 */
#define INO_B		9	/* "data": one data block, vectors 4 and idB */
/* codebook images: codebook 1 (d 8, m 4), 2 (d 16, m 8); PQ vectors 7..9 of INO_A */
#define CB1_D		8
#define CB1_M		4
#define CB2_D		16
#define CB2_M		8
#define PQ_FIRST	7

static char bindir[PATH_MAX], workdir[64], out[1 << 16];

struct img {
	int fd;
	struct vexfs_super_block sb;
	struct vexfs_geom g;
	u32 bs, seed, epb;
	u64 bbm, ibm, itab;
	u64 tab[4];		/* physical block of table logical block 0..3 (0 = hole) */
	u64 chunk_a, chunk_b, data_b;
	u32 cb_a;
	u64 id_b;		/* the vector in table logical block 3 */
	u64 cbdir;		/* codebook directory (0: none) */
	u32 ncb;
	struct vexfs_cb_entry cbe[2];	/* its first two entries */
	u64 chunk_c;		/* chunk of the PQ records */
};

/* ---- raw image access ------------------------------------------------------ */

static void rd(struct img *im, u64 off, void *buf, size_t len)
{
	if (vx_pread(im->fd, buf, len, off))
		vx_die("read at %llu", (unsigned long long)off);
}

static void wr(struct img *im, u64 off, const void *buf, size_t len)
{
	if (vx_pwrite(im->fd, buf, len, off))
		vx_die("write at %llu", (unsigned long long)off);
}

static void sb_write(struct img *im)
{
	im->sb.s_checksum = cpu_to_le32(vexfs_sb_csum(&im->sb));
	wr(im, 0, &im->sb, sizeof(im->sb));
}

static void gd_update(struct img *im, int dblocks, int dinodes)
{
	struct vexfs_group_desc gd;
	u8 *bm = vx_zalloc(im->bs);
	u64 off = im->g.gdt_start * im->bs;

	rd(im, off, &gd, sizeof(gd));
	gd.bg_free_blocks = cpu_to_le32(le32_to_cpu(gd.bg_free_blocks) + dblocks);
	gd.bg_free_inodes = cpu_to_le32(le32_to_cpu(gd.bg_free_inodes) + dinodes);
	rd(im, im->bbm * im->bs, bm, im->bs);
	gd.bg_block_bitmap_csum = cpu_to_le32(vexfs_bitmap_csum(im->seed, bm, im->bs));
	rd(im, im->ibm * im->bs, bm, im->bs);
	gd.bg_inode_bitmap_csum = cpu_to_le32(vexfs_bitmap_csum(im->seed, bm,
							       im->g.inodes_per_group / 8));
	gd.bg_checksum = cpu_to_le32(vexfs_gd_csum(im->seed, 0, &gd));
	wr(im, off, &gd, sizeof(gd));
	im->sb.s_free_blocks = cpu_to_le64(le64_to_cpu(im->sb.s_free_blocks) + dblocks);
	im->sb.s_free_inodes = cpu_to_le64(le64_to_cpu(im->sb.s_free_inodes) + dinodes);
	sb_write(im);
}

/* Allocate @n contiguous blocks in group 0 as the kernel's allocator would. */
static u64 balloc(struct img *im, u32 n)
{
	u8 *bm = vx_zalloc(im->bs);
	u32 nbits = vexfs_group_blocks(&im->g, 0), i = 0, run;

	rd(im, im->bbm * im->bs, bm, im->bs);
	for (;;) {
		i = vexfs_find_next_zero(bm, nbits, i);
		if (i >= nbits)
			vx_die("no run of %u free blocks", n);
		run = vexfs_zero_run(bm, nbits, i, n);
		if (run >= n)
			break;
		i += run;
	}
	for (run = 0; run < n; run++)
		vexfs_set_bit(bm, i + run);
	wr(im, im->bbm * im->bs, bm, im->bs);
	free(bm);
	gd_update(im, -(int)n, 0);
	return i;
}

/* Flip the block bitmap bit of @blk (group 0), keeping checksums and counts right. */
static void bbm_clear(struct img *im, u64 blk)
{
	u8 *bm = vx_zalloc(im->bs);

	rd(im, im->bbm * im->bs, bm, im->bs);
	vexfs_clear_bit(bm, (u32)blk);
	wr(im, im->bbm * im->bs, bm, im->bs);
	free(bm);
	gd_update(im, 1, 0);
}

static bool bbm_test(struct img *im, u64 blk)
{
	u8 *bm = vx_zalloc(im->bs);
	bool set;

	rd(im, im->bbm * im->bs, bm, im->bs);
	set = vexfs_test_bit(bm, (u32)blk);
	free(bm);
	return set;
}

static void ialloc(struct img *im, u64 ino)
{
	u8 *bm = vx_zalloc(im->bs);

	rd(im, im->ibm * im->bs, bm, im->bs);
	vexfs_set_bit(bm, (u32)(ino - 1));
	wr(im, im->ibm * im->bs, bm, im->bs);
	free(bm);
	gd_update(im, 0, -1);
}

static u64 inode_off(struct img *im, u64 ino)
{
	return im->itab * im->bs + (ino - 1) * VEXFS_INODE_SIZE;
}

static void iget(struct img *im, u64 ino, struct vexfs_inode *raw)
{
	rd(im, inode_off(im, ino), raw, sizeof(*raw));
}

static void iput(struct img *im, u64 ino, struct vexfs_inode *raw)
{
	raw->i_checksum = cpu_to_le32(vexfs_inode_csum(im->seed, ino, raw));
	wr(im, inode_off(im, ino), raw, sizeof(*raw));
}

/* Add a regular-file entry to the root directory (one bucket after mkfs). */
static void dir_add(struct img *im, const char *name, u64 ino)
{
	struct vexfs_inode root;
	struct vexfs_dir_header *dh;
	u8 *blk = vx_zalloc(im->bs);
	u64 key[2] = { le64_to_cpu(im->sb.s_hash_key[0]), le64_to_cpu(im->sb.s_hash_key[1]) };
	u64 hb, bb;
	u32 len = (u32)strlen(name);

	iget(im, VEXFS_ROOT_INO, &root);
	hb = le64_to_cpu(root.i_block[0]);
	bb = le64_to_cpu(root.i_block[1]);
	rd(im, bb * im->bs, blk, im->bs);
	vexfs_bucket_add(blk, vexfs_name_hash(key, name, len), ino, name, len, VEXFS_FT_REG);
	{
		/* its parent pointer (RO_COMPAT_PARENT), kept in the inode */
		struct vexfs_inode t;

		iget(im, ino, &t);
		t.i_parent = cpu_to_le64(VEXFS_ROOT_INO);
		t.i_parent_hash = cpu_to_le32(VEXFS_PPTR_HASH(vexfs_name_hash(key, name, len)));
		iput(im, ino, &t);
	}
	((struct vexfs_bucket_header *)blk)->bb_checksum = cpu_to_le32(vexfs_block_csum(im->seed,
		VEXFS_ROOT_INO, blk, im->bs, offsetof(struct vexfs_bucket_header, bb_checksum)));
	wr(im, bb * im->bs, blk, im->bs);
	rd(im, hb * im->bs, blk, im->bs);
	dh = (void *)blk;
	dh->dh_entries = cpu_to_le64(le64_to_cpu(dh->dh_entries) + 1);
	dh->dh_bytes = cpu_to_le64(le64_to_cpu(dh->dh_bytes) + VEXFS_DIRENT_SIZE(len));
	dh->dh_checksum = cpu_to_le32(vexfs_block_csum(im->seed, VEXFS_ROOT_INO, blk, im->bs,
				      offsetof(struct vexfs_dir_header, dh_checksum)));
	wr(im, hb * im->bs, blk, im->bs);
	free(blk);
}

/* ---- vector store ---------------------------------------------------------- */

static u64 entry_off(struct img *im, u64 id)
{
	u64 pblk = im->tab[id / im->epb];

	if (!pblk)
		vx_die("vector %llu: no table block", (unsigned long long)id);
	return pblk * im->bs + (id % im->epb) * VEXFS_VTAB_ENTRY_SIZE;
}

static void entry_get(struct img *im, u64 id, struct vexfs_vtab_entry *e)
{
	rd(im, entry_off(im, id), e, sizeof(*e));
}

static void entry_put(struct img *im, u64 id, const struct vexfs_vloc *loc)
{
	struct vexfs_vtab_entry e;

	vexfs_vtab_encode(&e, im->seed, id, loc);
	wr(im, entry_off(im, id), &e, sizeof(e));
}

static bool entry_free(struct img *im, u64 id)
{
	struct vexfs_vtab_entry e;

	entry_get(im, id, &e);
	return vexfs_vtab_is_free(&e);
}

/*
 * Write record @id of inode @ino at byte @off of the chunk at @chunk (@cb
 * blocks) and its table entry: @dlen bytes of stored @data (NULL: a
 * pattern) under @comp. Returns the record length.
 */
static u32 put_rec(struct img *im, u64 id, u64 ino, u64 chunk, u32 cb, u32 off, u32 dtype,
		   u32 comp, u32 dims, const u8 *data, u32 dlen)
{
	u32 len = vexfs_vec_rec_len(dlen), i;
	u8 *rec = vx_zalloc(len);
	struct vexfs_vec_meta meta = { .vm_model = "test-model" };
	struct vexfs_vloc loc = { .ino = ino, .chunk = chunk, .offset = off, .length = len,
				  .chunk_blocks = cb };

	meta.vm_model_version = cpu_to_le32(3);
	meta.vm_confidence = cpu_to_le32(900000);
	for (i = 0; i < dlen; i++)
		rec[VEXFS_VEC_REC_HDR + i] = data ? data[i] : (u8)(id * 31 + i);
	vexfs_vec_rec_init(rec, im->seed, id, ino, dtype, comp, dims,
			   vexfs_vec_raw_size(dtype, dims), dlen,
			   1700000000000000000ULL, 1700000000000000000ULL + id, &meta);
	wr(im, chunk * im->bs + off, rec, len);
	entry_put(im, id, &loc);
	free(rec);
	return len;
}

/* An uncompressed record (see put_rec). */
static u32 put_vec(struct img *im, u64 id, u64 ino, u64 chunk, u32 cb, u32 off, u32 dtype,
		   u32 dims, const u8 *data)
{
	return put_rec(im, id, ino, chunk, cb, off, dtype, VEXFS_COMP_NONE, dims, data,
		       vexfs_vec_raw_size(dtype, dims));
}

static void img_open(struct img *im, const char *path)
{
	const char *why = "";
	struct vexfs_group_desc gd;
	u32 fl;

	memset(im, 0, sizeof(*im));
	im->fd = open(path, O_RDWR);
	if (im->fd < 0)
		vx_die("open %s: %m", path);
	rd(im, 0, &im->sb, sizeof(im->sb));
	if (vexfs_sb_validate(&im->sb, 0, &im->g, &why, &fl))
		vx_die("%s: %s", path, why);
	im->bs = im->g.block_size;
	im->seed = vexfs_csum_seed(im->sb.s_uuid);
	im->epb = vexfs_vtab_per_block(im->bs);
	rd(im, im->g.gdt_start * im->bs, &gd, sizeof(gd));
	im->bbm = le64_to_cpu(gd.bg_block_bitmap);
	im->ibm = le64_to_cpu(gd.bg_inode_bitmap);
	im->itab = le64_to_cpu(gd.bg_inode_table);
	/* the layout put_vec and the cases rely on, found again */
	{
		struct vexfs_inode t, b;
		struct vexfs_vtab_entry e;
		struct vexfs_vloc loc;
		int i;

		iget(im, VEXFS_VECSTORE_INO, &t);
		for (i = 0; i < 4; i++)
			im->tab[i] = le64_to_cpu(t.i_block[i]);
		iget(im, INO_B, &b);
		im->data_b = le64_to_cpu(b.i_block[0]);
		im->id_b = 3 * im->epb + 1;
		if (im->tab[0]) {
			entry_get(im, 1, &e);
			if (!vexfs_vtab_decode(&e, im->seed, 1, im->bs, 1, im->g.blocks,
					       im->g.inodes, &loc, &why)) {
				im->chunk_a = loc.chunk;
				im->cb_a = loc.chunk_blocks;
			}
		}
		if (im->tab[3]) {
			entry_get(im, im->id_b, &e);
			if (!vexfs_vtab_decode(&e, im->seed, im->id_b, im->bs, 1, im->g.blocks,
					       im->g.inodes, &loc, &why))
				im->chunk_b = loc.chunk;
		}
		if (im->tab[0]) {
			entry_get(im, PQ_FIRST, &e);
			if (!vexfs_vtab_decode(&e, im->seed, PQ_FIRST, im->bs, 1, im->g.blocks,
					       im->g.inodes, &loc, &why))
				im->chunk_c = loc.chunk;
		}
	}
	im->cbdir = le64_to_cpu(im->sb.s_cb_dir);
	if (im->cbdir && im->cbdir < im->g.blocks) {
		struct vexfs_cb_dir_header h;

		rd(im, im->cbdir * im->bs, &h, sizeof(h));
		rd(im, im->cbdir * im->bs + sizeof(h), im->cbe, sizeof(im->cbe));
		im->ncb = le32_to_cpu(h.cd_count);
	}
}

static void img_close(struct img *im)
{
	close(im->fd);
}

/* ---- running the tools ----------------------------------------------------- */

__attribute__((format(printf, 1, 2)))
static int run(const char *fmt, ...)
{
	char cmd[PATH_MAX * 3], path[96];
	va_list ap;
	int rc, fd;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 128, fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/out", workdir);
	snprintf(cmd + strlen(cmd), 128, " >%s 2>&1", path);
	rc = system(cmd);
	out[0] = 0;
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, out, sizeof(out) - 1);
		out[n > 0 ? n : 0] = 0;
		close(fd);
	}
	rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	if (getenv("VTEST_VERBOSE"))
		printf("# $ %s -> %d\n%s", cmd, rc, out);
	return rc;
}

static int fsck(const char *opt, const char *img)
{
	return run("%s/fsck.vexfs %s %s", bindir, opt, img);
}

/* fsck -n must exit @want and say @pat. */
#define EXPECT_FSCK(img, want, pat) do {					\
	int rc_ = fsck("-n", img);						\
	VT_CHECK_MSG(rc_ == (want) && strstr(out, pat),				\
		     "fsck -n exit %d (want %d), pattern '%s'; output:\n%s",	\
		     rc_, want, pat, out);					\
} while (0)

/* fsck @opt repairs (exit 1), then fsck -n is clean. */
#define EXPECT_REPAIR(img, opt) do {						\
	int rc_ = fsck(opt, img);						\
	VT_CHECK_MSG(rc_ == 1, "fsck %s exit %d; output:\n%s", opt, rc_, out);	\
	rc_ = fsck("-n", img);							\
	VT_CHECK_MSG(rc_ == 0, "fsck -n after repair exit %d; output:\n%s",	\
		     rc_, out);							\
} while (0)

static bool same_file(const char *a, const char *b)
{
	return run("cmp -s %s %s", a, b) == 0;
}

/* ---- the base image -------------------------------------------------------- */

static const u32 sizes[] = { 1024, 4096 };

static char *base_path(u32 bs)
{
	static char p[2][96];
	int i = bs == 1024 ? 0 : 1;

	snprintf(p[i], sizeof(p[i]), "%s/base%u.img", workdir, bs);
	return p[i];
}

/* A copy of the base image of block size @bs to corrupt. */
static const char *work_copy(u32 bs)
{
	static char p[96];

	snprintf(p, sizeof(p), "%s/work.img", workdir);
	if (run("cp --sparse=always %s %s", base_path(bs), p))
		vx_die("cp failed: %s", out);
	return p;
}

static int make_base(u32 bs)
{
	const char *path = base_path(bs);
	struct vexfs_inode ino;
	struct img im;
	u64 bytes = 0, count = 0;
	u32 cnt_a = 0, cnt_b = 0;
	u8 *blk;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)IMG_MIB << 20))
		return -1;
	close(fd);
	if (run("%s/mkfs.vexfs -q -f -b %u %s", bindir, bs, path)) {
		fprintf(stderr, "mkfs failed: %s\n", out);
		return -1;
	}
	img_open(&im, path);
	blk = vx_zalloc(im.bs);

	/* two regular files in the root directory; the second has a data block */
	ialloc(&im, INO_A);
	ialloc(&im, INO_B);
	memset(&ino, 0, sizeof(ino));
	ino.i_mode = cpu_to_le16(0100644);
	ino.i_links = cpu_to_le32(1);
	iput(&im, INO_A, &ino);
	im.data_b = balloc(&im, 1);
	memset(blk, 'x', im.bs);
	wr(&im, im.data_b * im.bs, blk, im.bs);
	ino.i_size = cpu_to_le64(im.bs);
	ino.i_blocks = cpu_to_le64(1);
	ino.i_block[0] = cpu_to_le64(im.data_b);
	iput(&im, INO_B, &ino);
	dir_add(&im, "vecs", INO_A);
	dir_add(&im, "data", INO_B);

	/* table: logical blocks 0 and 3, holes at 1 and 2 */
	im.tab[0] = balloc(&im, 1);
	im.tab[3] = balloc(&im, 1);
	memset(blk, 0, im.bs);
	wr(&im, im.tab[0] * im.bs, blk, im.bs);
	wr(&im, im.tab[3] * im.bs, blk, im.bs);
	im.id_b = 3 * im.epb + 1;
	iget(&im, VEXFS_VECSTORE_INO, &ino);
	ino.i_block[0] = cpu_to_le64(im.tab[0]);
	ino.i_block[3] = cpu_to_le64(im.tab[3]);
	ino.i_blocks = cpu_to_le64(2);
	ino.i_size = cpu_to_le64((im.id_b + 1) * VEXFS_VTAB_ENTRY_SIZE);
	iput(&im, VEXFS_VECSTORE_INO, &ino);

	/* chunks and records */
	im.cb_a = CHUNK_BYTES / im.bs;
	im.chunk_a = balloc(&im, im.cb_a);
	im.chunk_b = balloc(&im, 1);
	bytes += put_vec(&im, 1, INO_A, im.chunk_a, im.cb_a, 0, VEXFS_DT_F32, 100, NULL);
	bytes += put_vec(&im, 2, INO_A, im.chunk_a, im.cb_a, 768, VEXFS_DT_I8, 2000, NULL);
	bytes += put_vec(&im, 3, INO_A, im.chunk_a, im.cb_a, 3072, VEXFS_DT_BIN, 1000, NULL);
	bytes += put_vec(&im, 4, INO_B, im.chunk_a, im.cb_a, 4096, VEXFS_DT_F16, 64, NULL);
	bytes += put_vec(&im, 5, INO_A, im.chunk_a, im.cb_a, 4352, VEXFS_DT_I16, 10, NULL);
	bytes += put_vec(&im, im.id_b, INO_B, im.chunk_b, 1, 0, VEXFS_DT_F32, 8, NULL);
	count = 6;
	cnt_a = 4;
	cnt_b = 2;
	iget(&im, INO_A, &ino);
	ino.i_vec_count = cpu_to_le32(cnt_a);
	iput(&im, INO_A, &ino);
	iget(&im, INO_B, &ino);
	ino.i_vec_count = cpu_to_le32(cnt_b);
	iput(&im, INO_B, &ino);
	im.sb.s_vec_next_id = cpu_to_le64(im.id_b + 1);
	im.sb.s_vec_count = cpu_to_le64(count);
	im.sb.s_vec_bytes = cpu_to_le64(bytes);
	im.sb.s_vec_blocks = cpu_to_le64(im.cb_a + 1);
	sb_write(&im);
	free(blk);
	img_close(&im);
	return 0;
}

static u32 vec_count(struct img *im, u64 ino)
{
	struct vexfs_inode raw;

	iget(im, ino, &raw);
	return le32_to_cpu(raw.i_vec_count);
}

/* ---- cases ----------------------------------------------------------------- */

static void test_mkfs_vector_store(void)
{
	struct vexfs_inode t;
	struct img im;
	char path[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(path, sizeof(path), "%s/fresh.img", workdir);
		VT_EQ(run("rm -f %s && truncate -s %uM %s && %s/mkfs.vexfs -q -b %u %s", path,
			  IMG_MIB, path, bindir, sizes[i], path), 0);
		img_open(&im, path);
		VT_EQ(le64_to_cpu(im.sb.s_feature_incompat), VEXFS_FEATURE_INCOMPAT_VECTORS);
		VT_EQ(le64_to_cpu(im.sb.s_vec_root), VEXFS_VECSTORE_INO);
		VT_EQ(le64_to_cpu(im.sb.s_vec_next_id), 1);
		VT_EQ(im.sb.s_vec_count | im.sb.s_vec_bytes | im.sb.s_vec_blocks, 0);
		iget(&im, VEXFS_VECSTORE_INO, &t);
		VT_EQ(le16_to_cpu(t.i_mode), 0100600);
		VT_EQ(le32_to_cpu(t.i_links), 1);
		VT_EQ(t.i_size | t.i_blocks | t.i_block[0] | t.i_uid | t.i_gid, 0);
		VT_EQ(le32_to_cpu(t.i_checksum), vexfs_inode_csum(im.seed, VEXFS_VECSTORE_INO, &t));
		img_close(&im);
		VT_EQ(fsck("-n", path), 0);
	}
}

static void test_clean(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);

		VT_CHECK_MSG(fsck("-n", c) == 0, "[%u] fsck -n: %s", sizes[i], out);
		VT_CHECK_MSG(fsck("-fp", c) == 0, "[%u] fsck -fp: %s", sizes[i], out);
		VT_CHECK_MSG(fsck("-y", c) == 0, "[%u] fsck -y: %s", sizes[i], out);
		VT_CHECK(same_file(c, base_path(sizes[i])));
	}
}

static void test_record_csum(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;
		u8 b;

		img_open(&im, c);
		/* a data byte of vector 3 (binary, at chunk offset 3072) */
		rd(&im, im.chunk_a * im.bs + 3072 + 100, &b, 1);
		b ^= 0x10;
		wr(&im, im.chunk_a * im.bs + 3072 + 100, &b, 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 3 (inode 8): record at chunk");
		VT_CHECK(strstr(out, "record checksum mismatch") != NULL);
		EXPECT_REPAIR(c, "-fp");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 3));
		VT_CHECK(!entry_free(&im, 2));
		VT_EQ(vec_count(&im, INO_A), 3);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 5);
		img_close(&im);
	}
}

static void test_entry_csum(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;
		u8 b;

		img_open(&im, c);
		rd(&im, entry_off(&im, 2) + 16, &b, 1);		/* ve_offset */
		b ^= 0x20;
		wr(&im, entry_off(&im, 2) + 16, &b, 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector table entry 2: table entry checksum mismatch");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 2));
		VT_EQ(vec_count(&im, INO_A), 3);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 5);
		img_close(&im);
	}
}

static void test_owner_missing(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;
		struct vexfs_vloc loc = { .ino = 100, .chunk = 0, .offset = 0,
					  .length = vexfs_vec_rec_len(400) };

		img_open(&im, c);
		loc.chunk = im.chunk_a;
		loc.chunk_blocks = im.cb_a;
		entry_put(&im, 1, &loc);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 1: owner inode 100 is not in use");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 1));
		VT_EQ(vec_count(&im, INO_A), 3);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 5);
		img_close(&im);
	}
}

static void test_owner_not_regular(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;

		img_open(&im, c);
		iget(&im, INO_A, &raw);
		raw.i_mode = cpu_to_le16(010644);	/* a FIFO */
		iput(&im, INO_A, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 1: owner inode 8 is not a regular file");
		/* the FIFO's entry type no longer matches: -y cannot fix that part */
		VT_EQ(fsck("-y", c), 4);
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 1) && entry_free(&im, 2) && entry_free(&im, 3) &&
			 entry_free(&im, 5));
		VT_CHECK(!entry_free(&im, 4));
		VT_EQ(vec_count(&im, INO_A), 0);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 2);
		img_close(&im);
	}
}

/*
 * Vector 6 at chunk offset 512 (288 bytes) whose data ends with the first 32
 * bytes of vector 2 (at 768): both records validate, yet they share a slot.
 */
static void test_overlapping_records(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		u8 data[192];
		struct vexfs_inode raw;
		struct img im;
		u32 len;
		int rc;

		img_open(&im, c);
		memset(data, 0x5a, sizeof(data));
		rd(&im, im.chunk_a * im.bs + 768, data + 160, 32);
		len = put_vec(&im, 6, INO_A, im.chunk_a, im.cb_a, 512, VEXFS_DT_I8, 192, data);
		VT_EQ(len, 288);
		iget(&im, INO_A, &raw);
		raw.i_vec_count = cpu_to_le32(5);
		iput(&im, INO_A, &raw);
		im.sb.s_vec_count = cpu_to_le64(7);
		im.sb.s_vec_bytes = cpu_to_le64(le64_to_cpu(im.sb.s_vec_bytes) + len);
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 6 (inode 8): record at chunk");
		VT_CHECK(strstr(out, "overlaps vector 2 at offset 768") != NULL);
		/* two live claims: preen leaves it to -y */
		rc = fsck("-fp", c);
		VT_CHECK_MSG(rc == 4, "fsck -p exit %d: %s", rc, out);
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 6));
		VT_CHECK(!entry_free(&im, 2));
		VT_EQ(vec_count(&im, INO_A), 4);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 6);
		img_close(&im);
	}
}

static void test_chunk_crosslink(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;

		img_open(&im, c);
		iget(&im, INO_B, &raw);
		raw.i_block[0] = cpu_to_le64(im.chunk_a + 1);	/* file block inside chunk A */
		iput(&im, INO_B, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "with an inode or metadata");
		VT_CHECK(strstr(out, "vector chunk") != NULL);
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 1) && entry_free(&im, 2) && entry_free(&im, 3) &&
			 entry_free(&im, 4) && entry_free(&im, 5));
		VT_CHECK(!entry_free(&im, im.id_b));
		VT_EQ(vec_count(&im, INO_A), 0);
		VT_EQ(vec_count(&im, INO_B), 1);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 1);
		VT_EQ(le64_to_cpu(im.sb.s_vec_blocks), 1);
		img_close(&im);
	}
}

static void test_chunk_overlaps_chunk(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;
		u32 len;

		img_open(&im, c);
		/* vector 7 in a one-block "chunk" at chunk A's last block */
		len = put_vec(&im, 7, INO_B, im.chunk_a + im.cb_a - 1, 1, 512, VEXFS_DT_I8, 16, NULL);
		im.sb.s_vec_count = cpu_to_le64(7);
		im.sb.s_vec_bytes = cpu_to_le64(le64_to_cpu(im.sb.s_vec_bytes) + len);
		im.sb.s_vec_blocks = cpu_to_le64(im.cb_a + 2);
		sb_write(&im);
		{
			struct vexfs_inode raw;

			iget(&im, INO_B, &raw);
			raw.i_vec_count = cpu_to_le32(3);
			iput(&im, INO_B, &raw);
		}
		img_close(&im);
		EXPECT_FSCK(c, 4, "overlaps vector chunk");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 7));
		VT_CHECK(!entry_free(&im, 5));
		VT_EQ(vec_count(&im, INO_B), 2);
		img_close(&im);
	}
}

static void test_chunk_length(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_vtab_entry e;
		struct vexfs_vloc loc;
		const char *why;
		struct img im;

		img_open(&im, c);
		loc = (struct vexfs_vloc){ .ino = INO_A, .chunk = im.chunk_a, .offset = 3072,
					   .length = vexfs_vec_rec_len(125),
					   .chunk_blocks = im.cb_a - 1 };
		entry_put(&im, 3, &loc);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 3: entry says chunk");
		EXPECT_REPAIR(c, "-fp");
		img_open(&im, c);
		entry_get(&im, 3, &e);
		VT_EQ(vexfs_vtab_decode(&e, im.seed, 3, im.bs, 1, im.g.blocks, im.g.inodes,
					&loc, &why), 0);
		VT_EQ(loc.chunk_blocks, im.cb_a);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 6);
		img_close(&im);
	}
}

static void test_inode_vec_count(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;

		img_open(&im, c);
		iget(&im, INO_A, &raw);
		raw.i_vec_count = cpu_to_le32(7);
		iput(&im, INO_A, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 8 (file): i_vec_count is 7, counted 4");
		EXPECT_REPAIR(c, "-fp");
		img_open(&im, c);
		VT_EQ(vec_count(&im, INO_A), 4);
		img_close(&im);
	}
}

static void test_sb_counters(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;
		u64 bytes;

		img_open(&im, c);
		bytes = le64_to_cpu(im.sb.s_vec_bytes);
		im.sb.s_vec_count = cpu_to_le64(9);
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "superblock vector counters say 9 vectors");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 6);
		VT_EQ(le64_to_cpu(im.sb.s_vec_bytes), bytes);
		VT_EQ(le64_to_cpu(im.sb.s_vec_blocks), im.cb_a + 1);
		img_close(&im);

		c = work_copy(sizes[i]);
		img_open(&im, c);
		im.sb.s_vec_next_id = cpu_to_le64(3);
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "superblock: next vector id is 3");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_EQ(le64_to_cpu(im.sb.s_vec_next_id), im.id_b + 1);
		img_close(&im);
	}
}

static void test_table_inode(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;

		/* size short of the last entry */
		img_open(&im, c);
		iget(&im, VEXFS_VECSTORE_INO, &raw);
		raw.i_size = cpu_to_le64(4 * VEXFS_VTAB_ENTRY_SIZE);
		iput(&im, VEXFS_VECSTORE_INO, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector table inode 2: size 128 does not cover vector");
		EXPECT_REPAIR(c, "-y");

		/* i_blocks of the table counted as a regular file's */
		c = work_copy(sizes[i]);
		img_open(&im, c);
		iget(&im, VEXFS_VECSTORE_INO, &raw);
		raw.i_blocks = cpu_to_le64(5);
		iput(&im, VEXFS_VECSTORE_INO, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 2 (file): i_blocks is 5, counted 2");
		EXPECT_REPAIR(c, "-y");

		/* link count */
		c = work_copy(sizes[i]);
		img_open(&im, c);
		iget(&im, VEXFS_VECSTORE_INO, &raw);
		raw.i_links = cpu_to_le32(2);
		iput(&im, VEXFS_VECSTORE_INO, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 2 (file): link count is 2, should be 1");
		EXPECT_REPAIR(c, "-y");

		/* unreadable table: reported, nothing freed, not repairable */
		c = work_copy(sizes[i]);
		img_open(&im, c);
		iget(&im, VEXFS_VECSTORE_INO, &raw);
		raw.i_checksum ^= cpu_to_le32(1);
		wr(&im, inode_off(&im, VEXFS_VECSTORE_INO), &raw, sizeof(raw));
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector table inode 2: fails its checksum");
		VT_EQ(fsck("-y", c), 4);
		img_open(&im, c);
		VT_CHECK(bbm_test(&im, im.tab[0]) && bbm_test(&im, im.tab[3]));
		VT_CHECK(bbm_test(&im, im.chunk_a) && bbm_test(&im, im.chunk_a + im.cb_a - 1) &&
			 bbm_test(&im, im.chunk_b));
		img_close(&im);
	}
}

static void test_chunk_bit_clear(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;

		img_open(&im, c);
		bbm_clear(&im, im.chunk_a + im.cb_a - 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "1 blocks in use but marked free");
		EXPECT_REPAIR(c, "-y");
	}
}

static void test_feature_off(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct img im;

		/* without the feature inode 2 is just a reserved inode in use */
		img_open(&im, c);
		im.sb.s_feature_incompat = 0;
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "reserved inode 2 is in use");
		VT_CHECK(strstr(out, "i_vec_count is 4, counted 0") != NULL);
	}
}

/* ---- PQ codebooks ----------------------------------------------------------- */

static char *cb_base_path(u32 bs)
{
	static char p[2][96];
	int i = bs == 1024 ? 0 : 1;

	snprintf(p[i], sizeof(p[i]), "%s/cbbase%u.img", workdir, bs);
	return p[i];
}

/* A copy of the codebook image of block size @bs to corrupt. */
static const char *cb_work_copy(u32 bs)
{
	static char p[96];

	snprintf(p, sizeof(p), "%s/work.img", workdir);
	if (run("cp --sparse=always %s %s", cb_base_path(bs), p))
		vx_die("cp failed: %s", out);
	return p;
}

/* Deterministic training data: 300 vectors of d dims around 30 centres. */
static u64 cb_rng = 1;
static float cb_unif(void)
{
	u64 z = (cb_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (float)((double)(z >> 11) / 9007199254740992.0);
}

static void cb_data(float *x, u32 n, u32 d)
{
	u32 i, k;

	for (i = 0; i < n; i++) {
		u32 c = (u32)(cb_unif() * 30);

		for (k = 0; k < d; k++)
			x[i * d + k] = (float)((c * 5 + k * 3) % 13) - 6.0f + 0.2f * cb_unif();
	}
}

/* Train a codebook (d, m) into @pq (cent_t allocated) and its blob into @blob. */
static size_t cb_train(struct vq_pq *pq, u32 d, u32 m, u8 **blob)
{
	float *x = vx_zalloc((size_t)300 * d * sizeof(float));
	size_t sl = vq_pq_train_scratch_size(d, m, 300), len = vq_pq_blob_size(d);
	void *scratch = vx_zalloc(sl);

	cb_data(x, 300, d);
	pq->d = d;
	pq->m = m;
	pq->cent_t = vx_zalloc(vq_pq_codebook_floats(d) * sizeof(float));
	if (vq_pq_train(pq, x, 300, 4, d, scratch, sl))
		vx_die("vq_pq_train failed");
	*blob = vx_zalloc(len);
	if (vq_pq_store(pq, *blob, len) != (int)len)
		vx_die("vq_pq_store failed");
	free(scratch);
	free(x);
	return len;
}

/* The PQ stored form of one vector: struct vexfs_pq_ref, then m codes. */
static u32 pq_form(const struct vq_pq *pq, u32 id, u32 crc, const float *x, u8 *out)
{
	struct vexfs_pq_ref r = { cpu_to_le32(id), cpu_to_le32(crc) };

	memcpy(out, &r, sizeof(r));
	vq_pq_encode(pq, x, out + sizeof(r), 1);
	return (u32)sizeof(r) + pq->m;
}

static u32 blob_crc(const u8 *blob)
{
	return vq_get_le32(blob + offsetof(struct vq_blob_hdr, crc));
}

/* Reseal the directory after editing an entry (so only the edit is wrong). */
static void cbdir_put(struct img *im, const struct vexfs_cb_entry *e, u32 k)
{
	u8 *blk = vx_zalloc(im->bs);

	rd(im, im->cbdir * im->bs, blk, im->bs);
	memcpy(blk + sizeof(struct vexfs_cb_dir_header) + k * sizeof(*e), e, sizeof(*e));
	vexfs_cbdir_seal(blk, im->seed);
	wr(im, im->cbdir * im->bs, blk, im->bs);
	free(blk);
}

/*
 * The base image plus: directory block, codebooks 1 and 2 (each blob zero
 * padded to its blocks), INCOMPAT_CODEBOOKS and s_cb_dir, and vectors 7
 * (codebook 1), 8 (codebook 2), 9 (codebook 1) of INO_A in chunk C.
 */
static int make_cb_base(u32 bs)
{
	static const u32 dims[2] = { CB1_D, CB2_D }, ms[2] = { CB1_M, CB2_M };
	const char *path = cb_base_path(bs);
	struct vexfs_cb_dir_header *h;
	struct vexfs_cb_entry *e;
	struct vexfs_inode ino;
	struct vq_pq pq[2];
	float x[CB2_D];
	u8 *blob[2], *blk, data[64];
	u32 k, len, nb, bytes = 0;
	struct img im;

	if (run("cp --sparse=always %s %s", base_path(bs), path))
		return -1;
	img_open(&im, path);
	blk = vx_zalloc(im.bs);
	h = (void *)blk;
	e = (void *)(blk + sizeof(*h));
	im.cbdir = balloc(&im, 1);
	for (k = 0; k < 2; k++) {
		u8 *ext;
		u64 start;

		len = (u32)cb_train(&pq[k], dims[k], ms[k], &blob[k]);
		nb = (len + im.bs - 1) / im.bs;
		start = balloc(&im, nb);
		ext = vx_zalloc((size_t)nb * im.bs);
		memcpy(ext, blob[k], len);
		wr(&im, start * im.bs, ext, (size_t)nb * im.bs);
		free(ext);
		e[k].ce_id = cpu_to_le32(k + 1);
		e[k].ce_dims = cpu_to_le32(dims[k]);
		e[k].ce_m = cpu_to_le32(ms[k]);
		e[k].ce_blob_crc = cpu_to_le32(blob_crc(blob[k]));
		e[k].ce_start = cpu_to_le64(start);
		e[k].ce_length = cpu_to_le32(len);
		e[k].ce_blocks = cpu_to_le32(nb);
	}
	h->cd_count = cpu_to_le32(2);
	vexfs_cbdir_seal(blk, im.seed);
	wr(&im, im.cbdir * im.bs, blk, im.bs);
	im.sb.s_feature_incompat |= cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
	im.sb.s_cb_dir = cpu_to_le64(im.cbdir);

	/* PQ records: vectors 7, 8, 9 of INO_A in a one-block chunk */
	im.chunk_c = balloc(&im, 1);
	for (k = 0; k < 3; k++) {
		u32 c = k == 1;		/* vector 8 uses codebook 2 */

		cb_data(x, 1, dims[c]);
		len = pq_form(&pq[c], c + 1, blob_crc(blob[c]), x, data);
		bytes += put_rec(&im, PQ_FIRST + k, INO_A, im.chunk_c, 1, 128 * k, VEXFS_DT_F32,
				 VEXFS_COMP_PQ, dims[c], data, len);
	}
	iget(&im, INO_A, &ino);
	ino.i_vec_count = cpu_to_le32(le32_to_cpu(ino.i_vec_count) + 3);
	iput(&im, INO_A, &ino);
	im.sb.s_vec_count = cpu_to_le64(le64_to_cpu(im.sb.s_vec_count) + 3);
	im.sb.s_vec_bytes = cpu_to_le64(le64_to_cpu(im.sb.s_vec_bytes) + bytes);
	im.sb.s_vec_blocks = cpu_to_le64(le64_to_cpu(im.sb.s_vec_blocks) + 1);
	sb_write(&im);
	for (k = 0; k < 2; k++) {
		free(pq[k].cent_t);
		free(blob[k]);
	}
	free(blk);
	img_close(&im);
	return 0;
}

static u64 cb_start(const struct img *im, u32 k)
{
	return le64_to_cpu(im->cbe[k].ce_start);
}

static u32 cb_blocks(const struct img *im, u32 k)
{
	return le32_to_cpu(im->cbe[k].ce_blocks);
}

/*
 * Every PQ vector and both codebooks (as in the base image of block size
 * @bs) are still there, after a repair that had to leave them alone.
 */
static void cb_all_kept(const char *c, u32 bs)
{
	struct img im, base;
	u32 k;

	img_open(&base, cb_base_path(bs));
	img_close(&base);
	img_open(&im, c);
	VT_CHECK(!entry_free(&im, PQ_FIRST) && !entry_free(&im, PQ_FIRST + 1) &&
		 !entry_free(&im, PQ_FIRST + 2));
	VT_EQ(le64_to_cpu(im.sb.s_feature_incompat) & VEXFS_FEATURE_INCOMPAT_CODEBOOKS,
	      VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
	VT_EQ(im.cbdir, base.cbdir);
	VT_CHECK(bbm_test(&im, base.cbdir));
	for (k = 0; k < 2; k++)
		VT_CHECK(bbm_test(&im, cb_start(&base, k)) &&
			 bbm_test(&im, cb_start(&base, k) + cb_blocks(&base, k) - 1));
	img_close(&im);
}

static void test_cb_clean(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;

		img_open(&im, c);
		VT_EQ(im.ncb, 2);
		VT_CHECK(im.chunk_c && bbm_test(&im, im.cbdir) && bbm_test(&im, im.chunk_c));
		VT_EQ(le64_to_cpu(im.sb.s_vec_count), 9);
		img_close(&im);
		VT_CHECK_MSG(fsck("-n", c) == 0, "[%u] fsck -n: %s", sizes[i], out);
		VT_CHECK_MSG(fsck("-fp", c) == 0, "[%u] fsck -fp: %s", sizes[i], out);
		VT_CHECK_MSG(fsck("-y", c) == 0, "[%u] fsck -y: %s", sizes[i], out);
		VT_CHECK(same_file(c, cb_base_path(sizes[i])));
	}
}

/* A corrupt directory: reported, nothing changed, nothing freed or dropped. */
static void test_cb_dir_csum(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;
		u8 b;

		img_open(&im, c);
		rd(&im, im.cbdir * im.bs + 32 + 12, &b, 1);	/* entry 1's ce_blob_crc */
		b ^= 0x40;
		wr(&im, im.cbdir * im.bs + 32 + 12, &b, 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "codebook directory checksum mismatch; it cannot be rebuilt");
		VT_EQ(fsck("-y", c), 4);
		cb_all_kept(c, sizes[i]);
	}
}

static void test_cb_entry_extent(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct vexfs_cb_entry e;
		struct img im;
		char pat[160];

		/* beyond the end of the filesystem (the directory itself is sealed) */
		img_open(&im, c);
		e = im.cbe[1];
		e.ce_start = cpu_to_le64(im.g.blocks - 1);
		cbdir_put(&im, &e, 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "codebook extent beyond the filesystem");
		VT_EQ(fsck("-y", c), 4);
		cb_all_kept(c, sizes[i]);

		/* in the inode table */
		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		e = im.cbe[0];
		e.ce_start = cpu_to_le64(im.itab);
		cbdir_put(&im, &e, 0);
		img_close(&im);
		snprintf(pat, sizeof(pat), "codebook 1: extent %llu+%u lies in a fixed metadata area",
			 (unsigned long long)im.itab, cb_blocks(&im, 0));
		EXPECT_FSCK(c, 4, pat);
		VT_CHECK(strstr(out, "codebook 1 (blocks") && strstr(out, "its blob is corrupt"));
		VT_EQ(fsck("-y", c), 4);

		/* overlapping codebook 1 */
		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		e = im.cbe[1];
		e.ce_start = cpu_to_le64(cb_start(&im, 0) + 1);
		cbdir_put(&im, &e, 1);
		img_close(&im);
		snprintf(pat, sizeof(pat), "(first %llu) with codebook 1; it cannot be moved",
			 (unsigned long long)cb_start(&im, 0) + 1);
		EXPECT_FSCK(c, 4, pat);
		VT_EQ(fsck("-y", c), 4);

		/* the entry's m is not the blob's */
		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		e = im.cbe[0];
		e.ce_m = cpu_to_le32(2);
		cbdir_put(&im, &e, 0);
		img_close(&im);
		EXPECT_FSCK(c, 4, "codebook 1 (blocks");
		VT_CHECK(strstr(out, "its blob does not match its directory entry") != NULL);
		/* records of codebook 1 are kept: its blob may come back */
		VT_CHECK(strstr(out, "vector 7") == NULL);
		VT_EQ(fsck("-y", c), 4);
		cb_all_kept(c, sizes[i]);
	}
}

static void test_cb_blob_crc(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;
		char pat[160];
		u8 b;

		img_open(&im, c);
		rd(&im, cb_start(&im, 1) * im.bs + 32 + 1000, &b, 1);	/* a centroid */
		b ^= 0x01;
		wr(&im, cb_start(&im, 1) * im.bs + 32 + 1000, &b, 1);
		img_close(&im);
		snprintf(pat, sizeof(pat), "codebook 2 (blocks %llu+%u): its blob is corrupt",
			 (unsigned long long)cb_start(&im, 1), cb_blocks(&im, 1));
		EXPECT_FSCK(c, 4, pat);
		VT_CHECK(strstr(out, "restore the blob") != NULL);
		VT_EQ(fsck("-y", c), 4);
		cb_all_kept(c, sizes[i]);
		VT_EQ(fsck("-n", c), 4);	/* still reported, nothing else */
	}
}

/* Padding after a blob and after the directory's entries is zeroed. */
static void test_cb_padding(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;
		u8 b = 0x77;

		img_open(&im, c);
		wr(&im, cb_start(&im, 0) * im.bs + le32_to_cpu(im.cbe[0].ce_length) + 5, &b, 1);
		if (im.bs > VEXFS_CB_DIR_BYTES)
			wr(&im, im.cbdir * im.bs + VEXFS_CB_DIR_BYTES + 7, &b, 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "codebook 1 (blocks");
		VT_CHECK(strstr(out, "bytes after its blob are not zero") != NULL);
		VT_CHECK(im.bs == VEXFS_CB_DIR_BYTES ||
			 strstr(out, "bytes after its entries are not zero") != NULL);
		EXPECT_REPAIR(c, "-fp");
		VT_CHECK(same_file(c, cb_base_path(sizes[i])));
	}
}

/* Record @id rewritten with a PQ stored form from @form (id, crc, m codes). */
static u32 put_pq(struct img *im, u64 id, u32 dims, u32 cb, u32 crc, u32 m)
{
	u8 data[8 + 64];
	struct vexfs_pq_ref r = { cpu_to_le32(cb), cpu_to_le32(crc) };
	u32 j;

	memcpy(data, &r, sizeof(r));
	for (j = 0; j < m; j++)
		data[8 + j] = (u8)(j * 17);
	return put_rec(im, id, INO_A, im->chunk_c, 1, 128 * (u32)(id - PQ_FIRST), VEXFS_DT_F32,
		       VEXFS_COMP_PQ, dims, data, 8 + m);
}

static void test_cb_pq_refs(void)
{
	static const struct {
		const char *opt;
		u64 id;
		u32 dims, cb, crc_xor, m;
		const char *pat;
	} cases[] = {
		{ "-y", 7, CB1_D, 5, 0, CB1_M,
		  "vector 7 (inode 8): PQ codebook 5 does not exist (the filesystem has 2)" },
		{ "-fp", 8, CB2_D, 2, 0x100, CB2_M, "vector 8 (inode 8): names PQ codebook 2 with blob CRC" },
		{ "-y", 9, CB1_D, 1, 0, 2, "vector 9 (inode 8): has 2 PQ codes, codebook 1 has m = 4" },
		{ "-fp", 9, 16, 1, 0, CB1_M,
		  "vector 9 (inode 8): has 16 dimensions, PQ codebook 1 is for 8" },
	};
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < ARRAY_SIZE(cases); k++) {
			const char *c = cb_work_copy(sizes[i]);
			u32 crc;
			struct img im;
			u64 bytes;

			img_open(&im, c);
			crc = le32_to_cpu(im.cbe[cases[k].cb == 2 ? 1 : 0].ce_blob_crc) ^
			      cases[k].crc_xor;
			put_pq(&im, cases[k].id, cases[k].dims, cases[k].cb, crc, cases[k].m);
			img_close(&im);
			EXPECT_FSCK(c, 4, cases[k].pat);
			EXPECT_REPAIR(c, cases[k].opt);
			img_open(&im, c);
			VT_CHECK(entry_free(&im, cases[k].id));
			VT_EQ(vec_count(&im, INO_A), 6);
			VT_EQ(le64_to_cpu(im.sb.s_vec_count), 8);
			bytes = le64_to_cpu(im.sb.s_vec_bytes);
			img_close(&im);
			img_open(&im, cb_base_path(sizes[i]));
			VT_CHECK(bytes < le64_to_cpu(im.sb.s_vec_bytes));
			img_close(&im);
		}
	}
}

/* No codebooks at all: the PQ records name missing codebooks and are dropped. */
static void test_cb_feature(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;
		u64 dir, chunk_c;

		/* feature lost, directory sound: the feature is set again */
		img_open(&im, c);
		im.sb.s_feature_incompat &= ~cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "is set but the codebooks feature is not; the directory is sound: setting the feature");
		EXPECT_REPAIR(c, "-y");
		VT_CHECK(same_file(c, cb_base_path(sizes[i])));

		/* feature and directory gone: PQ vectors dropped, codebook blocks freed */
		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		dir = im.cbdir;
		chunk_c = im.chunk_c;
		im.sb.s_feature_incompat &= ~cpu_to_le64(VEXFS_FEATURE_INCOMPAT_CODEBOOKS);
		im.sb.s_cb_dir = 0;
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "vector 7 (inode 8): PQ codebook 1 does not exist (the filesystem has 0)");
		VT_CHECK(strstr(out, "blocks marked in use but not used") != NULL);
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 7) && entry_free(&im, 8) && entry_free(&im, 9));
		VT_CHECK(!entry_free(&im, 1));
		VT_CHECK(!bbm_test(&im, dir) && !bbm_test(&im, chunk_c));
		VT_EQ(vec_count(&im, INO_A), 4);
		img_close(&im);

		/* feature set, no directory: unfixable */
		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		im.sb.s_cb_dir = 0;
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "superblock: codebook directory block 0 lies outside the filesystem");
		VT_EQ(fsck("-y", c), 4);
		img_open(&im, c);
		VT_CHECK(!entry_free(&im, 7) && bbm_test(&im, dir));
		img_close(&im);

		/* s_cb_dir without the feature, pointing at garbage: cleared */
		c = work_copy(sizes[i]);
		img_open(&im, c);
		im.sb.s_cb_dir = cpu_to_le64(im.chunk_b);
		sb_write(&im);
		img_close(&im);
		EXPECT_FSCK(c, 4, "is set but the codebooks feature is not; clearing it");
		EXPECT_REPAIR(c, "-y");
		VT_CHECK(same_file(c, base_path(sizes[i])));
	}
}

/*
 * A vector chunk on a codebook's last block, its record in the blob's zero
 * padding: the chunk loses (-y only), then the padding is zeroed again.
 */
static void test_cb_chunk_overlap(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;
		char pat[160];
		u64 blk;
		u32 len;

		img_open(&im, c);
		blk = cb_start(&im, 0) + cb_blocks(&im, 0) - 1;
		len = put_vec(&im, 10, INO_B, blk, 1, 512, VEXFS_DT_I8, 16, NULL);
		im.sb.s_vec_count = cpu_to_le64(10);
		im.sb.s_vec_bytes = cpu_to_le64(le64_to_cpu(im.sb.s_vec_bytes) + len);
		im.sb.s_vec_blocks = cpu_to_le64(le64_to_cpu(im.sb.s_vec_blocks) + 1);
		sb_write(&im);
		iget(&im, INO_B, &raw);
		raw.i_vec_count = cpu_to_le32(3);
		iput(&im, INO_B, &raw);
		img_close(&im);
		snprintf(pat, sizeof(pat), "vector chunk %llu+1 shares 1 block (first %llu) with codebook 1",
			 (unsigned long long)blk, (unsigned long long)blk);
		EXPECT_FSCK(c, 4, pat);
		VT_CHECK(strstr(out, "codebook 1 (blocks") &&
			 strstr(out, "bytes after its blob are not zero"));
		/* two claims: preen leaves both, the record in the padding too */
		VT_EQ(fsck("-fp", c), 4);
		VT_CHECK(strstr(out, "bytes after its blob are not zero, and a vector chunk claims") != NULL);
		img_open(&im, c);
		VT_CHECK(!entry_free(&im, 10));
		img_close(&im);
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		VT_CHECK(entry_free(&im, 10));
		VT_EQ(vec_count(&im, INO_B), 2);
		VT_CHECK(bbm_test(&im, blk));
		img_close(&im);
		cb_all_kept(c, sizes[i]);
	}
}

/* A file block inside a codebook: reported, neither side is changed. */
static void test_cb_inode_overlap(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;
		char pat[160];

		img_open(&im, c);
		iget(&im, INO_B, &raw);
		raw.i_block[0] = cpu_to_le64(cb_start(&im, 1) + 1);
		iput(&im, INO_B, &raw);
		img_close(&im);
		snprintf(pat, sizeof(pat), "codebook 2: extent %llu+%u shares 1 block (first %llu) with an inode",
			 (unsigned long long)cb_start(&im, 1), cb_blocks(&im, 1),
			 (unsigned long long)cb_start(&im, 1) + 1);
		EXPECT_FSCK(c, 4, pat);
		VT_EQ(fsck("-y", c), 4);
		cb_all_kept(c, sizes[i]);
	}
}

static void test_cb_bitmap(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = cb_work_copy(sizes[i]);
		struct img im;

		img_open(&im, c);
		bbm_clear(&im, cb_start(&im, 1) + 1);
		img_close(&im);
		EXPECT_FSCK(c, 4, "1 blocks in use but marked free");
		EXPECT_REPAIR(c, "-fp");
		VT_CHECK(same_file(c, cb_base_path(sizes[i])));

		c = cb_work_copy(sizes[i]);
		img_open(&im, c);
		bbm_clear(&im, im.cbdir);
		img_close(&im);
		EXPECT_FSCK(c, 4, "1 blocks in use but marked free");
		EXPECT_REPAIR(c, "-y");
		VT_CHECK(same_file(c, cb_base_path(sizes[i])));
	}
}

/* ---- setup ----------------------------------------------------------------- */

static void cleanup(void)
{
	run("rm -rf %s", workdir);
}

static void setup(void)
{
	const char *env = getenv("VEXFS_BUILD");
	char self[PATH_MAX];
	ssize_t n;
	unsigned int i;

	vx_prog = "test_vstore_img";
	if (env) {
		snprintf(bindir, sizeof(bindir), "%s", env);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			vx_die("readlink /proc/self/exe: %m");
		self[n] = 0;
		*strrchr(self, '/') = 0;		/* .../build/user/tests */
		*strrchr(self, '/') = 0;		/* .../build/user */
		snprintf(bindir, sizeof(bindir), "%s", self);
	}
	snprintf(workdir, sizeof(workdir), "/tmp/vexfs-vstore.XXXXXX");
	if (!mkdtemp(workdir))
		vx_die("mkdtemp: %m");
	atexit(cleanup);
	printf("# images in %s, tools from %s\n", workdir, bindir);
	vq_select_impl(vq_cpu_features());
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (make_base(sizes[i]) || make_cb_base(sizes[i]))
			vx_die("cannot build the base images (%u)", sizes[i]);
}


/*
 * Parent pointers: a pointer to the wrong directory, none at all, and a
 * second link the inode does not record (fsck must allocate it an xattr
 * block and count it in i_blocks); -y rebuilds, then fsck is clean.
 */
static void test_parent_pointers(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		const char *c = work_copy(sizes[i]);
		struct vexfs_inode raw;
		struct img im;

		img_open(&im, c);
		iget(&im, INO_A, &raw);
		raw.i_parent = cpu_to_le64(INO_B);
		iput(&im, INO_A, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 8: parent pointers (1) do not match its directory entries (1)");
		EXPECT_REPAIR(c, "-y");
		VT_CHECK(same_file(c, base_path(sizes[i])));

		c = work_copy(sizes[i]);
		img_open(&im, c);
		iget(&im, INO_B, &raw);
		raw.i_parent = 0;
		raw.i_parent_hash = 0;
		iput(&im, INO_B, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 9: parent pointers (0) do not match its directory entries (1)");
		EXPECT_REPAIR(c, "-fp");
		VT_CHECK(same_file(c, base_path(sizes[i])));

		/* a hard link "data2" of inode 9 that no pointer records */
		c = work_copy(sizes[i]);
		img_open(&im, c);
		iget(&im, INO_B, &raw);
		raw.i_links = cpu_to_le32(2);
		iput(&im, INO_B, &raw);
		dir_add(&im, "data2", INO_B);
		iget(&im, INO_B, &raw);
		raw.i_parent = cpu_to_le64(VEXFS_ROOT_INO);	/* dir_add set the new one */
		raw.i_parent_hash = cpu_to_le32(VEXFS_PPTR_HASH(vexfs_name_hash(
			(u64[2]){ le64_to_cpu(im.sb.s_hash_key[0]), le64_to_cpu(im.sb.s_hash_key[1]) },
			"data", 4)));
		iput(&im, INO_B, &raw);
		img_close(&im);
		EXPECT_FSCK(c, 4, "inode 9: parent pointers (1) do not match its directory entries (2)");
		EXPECT_REPAIR(c, "-y");
		img_open(&im, c);
		iget(&im, INO_B, &raw);
		VT_CHECK(raw.i_xattr_block != 0);
		VT_EQ(le64_to_cpu(raw.i_blocks), 2);
		img_close(&im);
	}
}

static const struct vt_case cases[] = {
	VT_CASE(test_mkfs_vector_store),
	VT_CASE(test_parent_pointers),
	VT_CASE(test_clean),
	VT_CASE(test_record_csum),
	VT_CASE(test_entry_csum),
	VT_CASE(test_owner_missing),
	VT_CASE(test_owner_not_regular),
	VT_CASE(test_overlapping_records),
	VT_CASE(test_chunk_crosslink),
	VT_CASE(test_chunk_overlaps_chunk),
	VT_CASE(test_chunk_length),
	VT_CASE(test_inode_vec_count),
	VT_CASE(test_sb_counters),
	VT_CASE(test_table_inode),
	VT_CASE(test_chunk_bit_clear),
	VT_CASE(test_feature_off),
	VT_CASE(test_cb_clean),
	VT_CASE(test_cb_dir_csum),
	VT_CASE(test_cb_entry_extent),
	VT_CASE(test_cb_blob_crc),
	VT_CASE(test_cb_padding),
	VT_CASE(test_cb_pq_refs),
	VT_CASE(test_cb_feature),
	VT_CASE(test_cb_chunk_overlap),
	VT_CASE(test_cb_inode_overlap),
	VT_CASE(test_cb_bitmap),
};

int main(void)
{
	int rc;

	setup();
	rc = vt_run("vstore_img", cases, (int)ARRAY_SIZE(cases));
	return rc;
}
