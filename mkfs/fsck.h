/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fsck.h - state and helpers shared by the passes of fsck.vexfs (mkfs/fsck*.c;
 * fsck.c says which file holds what).
 */
#ifndef _VEXFS_FSCK_H
#define _VEXFS_FSCK_H

#include <stdio.h>
#include "core/format.h"
#include "util.h"

#define FSCK_OK		0
#define FSCK_FIXED	1
#define FSCK_UNCORR	4
#define FSCK_ERROR	8
#define FSCK_USAGE	16

#define MAX_PRINTED	2000	/* problem lines printed before going quiet */
#define MAX_DIR_ERRORS	32	/* per directory, then the rest is skipped */

enum { MODE_CHECK, MODE_YES, MODE_PREEN };

/* gd_dirty[] flags */
#define GD_WRITE	0x1	/* descriptor must be written */
#define GD_REBUILT	0x2	/* rebuilt from the layout: stored bitmap checksums unknown */
#define GD_IBM_BAD	0x4	/* inode bitmap failed its checksum */

/* Per-inode record, only for inodes that validated. */
#define R_REACHABLE	0x01
#define R_ORPHAN	0x02
#define R_SCANNED	0x04	/* directory contents scanned */
#define R_CLEARED	0x08
#define R_KEPT		0x10
#define R_LATE		0x20	/* in use but not marked in the inode bitmap */
#define R_PARTIAL	0x40	/* some of its metadata could not be traversed */
#define R_VTAB		0x80	/* the vector table inode */
#define R_VHEAD		0x100	/* i_vec_head is not 0 */
#define R_ANN		0x200	/* the ANN index inode */
#define R_INTERNAL	(R_VTAB | R_ANN)

struct irec {
	u64 ino;
	u64 size;
	u64 iblocks;		/* on disk */
	u64 counted;		/* blocks found */
	u64 orphan_next;
	u64 parent;		/* directory whose entry reached it first */
	u64 map_start;		/* directories: index into f->dmap */
	u32 map_len;
	u32 links;		/* on disk */
	u32 refs;		/* entries in reachable directories */
	u32 subdirs;
	u32 vec_disk;		/* i_vec_count on disk */
	u32 vec_found;		/* live vector table entries it owns */
	u16 mode;
	u16 flags;
};

struct dmap_ent {
	u64 lblk;
	u64 pblk;
};

struct ovf_ent {
	u64 rec;
	u64 blk;
};

/* A vector table entry that is not free. */
struct vent {
	u64 id;
	u64 ino;
	u64 chunk;
	u32 offset;
	u32 length;
	u16 cblocks;
	u8 state;		/* V_* */
	bool ann_member;	/* of the ANN index's collection */
	bool ann_seen;		/* its live node was found */
	u64 ann;		/* the record's vm_ann */
};

enum { V_OK, V_CLEAR, V_REWRITE };

/* A codebook of the directory. */
struct cbk {
	u64 start;
	u32 blocks, length, dims, m, crc;
	bool marked;		/* its blocks are counted in bused */
	bool bad;		/* blob unusable: records naming it are not checked */
	bool pad;		/* non-zero bytes after the blob (fixed after the chunks) */
};

struct tmp_ent {
	u64 hash;
	u8 len;
	char name[VEXFS_NAME_LEN];
};

struct plink;

struct fsck {
	const char *dev;
	int fd;
	int mode;
	int force, verbose;
	int progress_fd;	/* -C: -1 none, 0 a bar on stdout, N lines to fd N */
	double progress_last;
	bool progress_shown;
	u64 dev_bytes;
	struct vexfs_super_block sb;
	struct vexfs_geom g;
	u32 bs, bits, ptrs, seed;
	u64 key[2];
	u64 meta_end;		/* first block after the journal */
	u64 maxbytes;

	u8 *gdt_raw;
	struct vexfs_group_desc *gd;
	u64 *gbb, *gib, *git;	/* effective metadata locations per group */
	u8 *gd_dirty;
	u32 *gdirs;		/* directories per group, computed */

	u8 *bused;		/* computed block usage, 1 bit per block */
	u8 *idisk;		/* inode bitmap bits as found, 1 bit per inode */
	u8 *ibad;		/* marked in use but unusable */
	u8 *ikeep;		/* computed inode usage */
	u8 *iwarned;		/* a dangling entry to it was reported */

	struct irec *rec;
	u64 nrec, caprec;
	u64 *hidx;		/* open addressing: ino -> index + 1 */
	u64 hcap;
	struct dmap_ent *dmap;
	u64 ndmap, capdmap;
	struct ovf_ent *ovf;
	u64 novf, capovf;
	struct tmp_ent *tmp;
	u32 captmp;
	u64 *queue;		/* directories to scan (record indexes) */
	u64 nqueue, capqueue;
	struct vent *vents;
	u64 nvents, capvents;
	u8 *cbuf;		/* one vector chunk */
	struct cbk cb[VEXFS_CB_MAX];
	u32 ncb;		/* codebooks in the directory */
	u64 cb_dir;		/* directory block counted in bused, 0 = none */
	bool cb_unknown;	/* directory unusable: PQ references not checked */
	bool cb_dir_pad;	/* non-zero bytes after its entries */

	u8 *buf, *lvl[4], *itbuf;
	u64 itblk;		/* block cached in itbuf, 0 = none */

	u64 printed, nfixed, nunfixed;
	bool incomplete;	/* some metadata could not be traversed */
	bool sb_dirty, need_recovery;
	bool vec;		/* INCOMPAT_VECTORS */
	bool ann;		/* INCOMPAT_ANN */
	bool ann_ok;		/* an index whose descriptor is sound: annd */
	struct vexfs_ann_desc annd;
	bool pptr;		/* RO_COMPAT_PARENT */
	bool upgrade;		/* -O parent: add the feature, build every pointer */
	struct plink *elinks;	/* links found as directory entries */
	u64 nelinks, capelinks;
	struct plink *plinks;	/* links recorded as parent pointers */
	u64 nplinks, capplinks;
	u64 ndirs, nfiles;
	struct ovl *ov;		/* -n: blocks as the journal replay leaves them */
	u64 nov, capov;
};

struct ovl {
	u64 blk;
	u64 order;		/* the replay's order: the last copy of a block wins */
	u8 *data;
};

enum { P_FIX, P_NOFIX, P_NOTE };

struct walk {
	struct irec *r;
	bool quiet;		/* rebuilding usage after repairs: no reports, no counts */
	bool collect;		/* directory: remember (lblk, pblk) */
	u64 dir_blocks;		/* directory: logical blocks by i_size */
	u32 errors;
};

enum { IU_LINKS, IU_BLOCKS, IU_ORPHAN_NEXT, IU_CLEAR, IU_SIZE, IU_VEC_COUNT, IU_VEC_HEAD };

/* ---- bitmaps over u64 indexes ------------------------------------------ */

static inline bool tb(const u8 *m, u64 n)
{
	return m[n >> 3] & (1U << (n & 7));
}

static inline void sbit(u8 *m, u64 n)
{
	m[n >> 3] |= 1U << (n & 7);
}

static inline void cbit(u8 *m, u64 n)
{
	m[n >> 3] &= ~(1U << (n & 7));
}

/* ---- fsck_problem.c: reporting, repair policy --------------------------- */
__attribute__((format(printf, 3, 4)))
void prob(struct fsck *f, int kind, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void verbose(struct fsck *f, const char *fmt, ...);
bool fixable(struct fsck *f, bool hard);

/* ---- fsck_progress.c: -C progress reports -------------------------------- */
void progress(struct fsck *f, int pass, u64 cur, u64 max);
void progress_clear(struct fsck *f);

/* ---- fsck_util.c: allocation, block and inode I/O ----------------------- */
void *xcalloc(size_t n, size_t sz);
void *xgrow(void *p, u64 *cap, u64 need, size_t sz);
int rd(struct fsck *f, u64 blk, void *buf, const char *what);
void wr(struct fsck *f, u64 blk, const void *buf);
int inode_loc(struct fsck *f, u64 ino, u64 *blk, u32 *off);
int read_inode(struct fsck *f, u64 ino, struct vexfs_inode *raw);
void inode_update(struct fsck *f, u64 ino, int what, u64 val);

/* ---- fsck_super.c: superblock, group descriptors (pass 0) --------------- */
bool super_load(struct fsck *f);
void check_gdt(struct fsck *f);
void write_gdt(struct fsck *f);
void super_update(struct fsck *f, u32 state, u64 free_blocks, u64 free_inodes);

/* ---- fsck_journal.c: journal superblock (pass 0) ------------------------ */
/* jbd2 (big-endian on disk): the journal superblock and the log's blocks */
#define JBD2_MAGIC		0xc03b3998U
#define JBD2_DESCRIPTOR		1
#define JBD2_COMMIT		2
#define JBD2_SB_V1		3
#define JBD2_SB_V2		4
#define JBD2_REVOKE		5
#define JBD2_INCOMPAT_REVOKE	0x1
#define JBD2_INCOMPAT_64BIT	0x2
#define JBD2_INCOMPAT_CSUM_V2	0x8
#define JBD2_INCOMPAT_CSUM_V3	0x10
#define JBD2_INCOMPAT_KNOWN	0x3f
#define JBD2_FLAG_ESCAPE	1
#define JBD2_FLAG_SAME_UUID	2
#define JBD2_FLAG_LAST_TAG	8

bool check_journal(struct fsck *f);
void jsb_seal(u8 *b);
bool journal_recover(struct fsck *f, u8 *jsb, u32 incompat);
void overlay_put(struct fsck *f, u64 blk, u8 *data);
void overlay_finish(struct fsck *f);
void overlay_free(struct fsck *f);
int fsck_pread(struct fsck *f, void *buf, size_t len, u64 off);

/* ---- fsck_blocks.c: block ownership ------------------------------------- */
bool is_meta(struct fsck *f, u64 blk);
void mark_meta(struct fsck *f);
bool claim(struct fsck *f, struct walk *w, u64 blk, const char *what);
bool fast_symlink(u16 mode, u64 size);
bool has_blockmap(u16 mode, u64 size);
void walk_inode(struct fsck *f, struct irec *r, const struct vexfs_inode *raw, bool quiet);
void rebuild_usage(struct fsck *f);

/* ---- fsck_inodes.c: inode records, pass 1 ------------------------------- */
struct irec *rec_find(struct fsck *f, u64 ino);

/* fsck_ann.c */
void ann_begin(struct fsck *f);
void ann_note(struct fsck *f, struct vent *v, const void *rec);
void ann_check(struct fsck *f);
const char *type_name(u16 mode);
struct irec *take_inode(struct fsck *f, u64 ino, const struct vexfs_inode *raw, bool report);
void pass1(struct fsck *f);

/* ---- fsck_dirs.c: directories (pass 2) ---------------------------------- */
u64 dir_map(struct fsck *f, const struct irec *r, u64 lblk);
void pass2(struct fsck *f);

/* ---- fsck_orphan.c, fsck_links.c: pass 3 -------------------------------- */
void check_orphans(struct fsck *f);
void pass3(struct fsck *f);

/* ---- fsck_codebooks.c: PQ codebooks (pass 4) ---------------------------- */
void cb_check(struct fsck *f);
const char *cb_owner(struct fsck *f, u64 blk);
void cb_fix_padding(struct fsck *f);
bool pq_ref_bad(struct fsck *f, const u8 *rec, char *buf, size_t len);

/* ---- fsck_vectors.c: the vector store (pass 4) -------------------------- */
void pass4(struct fsck *f);

/* ---- fsck_bitmaps.c: bitmaps and counters (pass 5) ---------------------- */
void pass5(struct fsck *f, u64 *free_blocks, u64 *free_inodes);

/* ---- fsck_parent.c: parent pointers (RO_COMPAT_PARENT) ------------------ */
void pptr_inode(struct fsck *f, u64 ino, const struct vexfs_inode *raw);
bool pptr_xattr(struct fsck *f, u64 ino, const struct vexfs_xattr_entry *xe);
void pptr_entry(struct fsck *f, u64 dir, u64 ino, u64 hash);
void pass_parent(struct fsck *f);

#endif /* _VEXFS_FSCK_H */
