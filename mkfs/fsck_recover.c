// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_recover.c - journal recovery (pass 0), as jbd2's fs/jbd2/recovery.c
 * does it at mount: three passes over the log from s_start. The scan finds
 * the last transaction whose commit block is intact; the revoke pass
 * collects the revoke records of those transactions; the replay pass takes
 * every logged block that no later revoke cancels, the last copy of each
 * block winning. -y and -p write the blocks and mark the journal empty, as
 * a mount would; -n keeps them in memory (an overlay every read of the
 * check goes through), so the check sees the filesystem as the replay will
 * leave it and nothing is written.
 *
 * The log (Documentation/vexfs-format.rst, "Journal"): blocks [s_first,
 * s_maxlen) of the filesystem itself, a ring. Every block of it is
 * validated before use: header magic and sequence, descriptor and revoke
 * checksums (CSUM_V3), commit checksums, tag counts, data block checksums,
 * and targets inside the filesystem and outside the journal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fsck.h"

struct jrevoke {
	u64 blk;
	u32 seq;
};

struct jrec {
	struct fsck *f;
	u32 first, last;	/* the ring: [first, last) */
	u32 start, seq0;	/* s_start, s_sequence */
	u32 end;		/* the first sequence not to replay */
	u32 incompat, cseed;
	bool csum;		/* CSUM_V3 */
	u32 tag_bytes;
	u8 *b;			/* one log block */
	struct jrevoke *rv;
	u64 nrv, caprv;
	u64 ntrans, nblocks, nrevoked, nbad;
};

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u32 jnext(const struct jrec *j, u32 blk)
{
	return blk + 1 >= j->last ? j->first : blk + 1;
}

/* Read log block @blk; false on an I/O error (reported). */
static bool jread(struct jrec *j, u32 blk)
{
	int err = vx_pread(j->f->fd, j->b, j->f->bs, (u64)blk << j->f->bits);

	if (err) {
		prob(j->f, P_NOFIX, "journal: cannot read log block %u: %s", blk, strerror(-err));
		j->f->incomplete = true;
	}
	return !err;
}

/* crc(seed, block with the 4 bytes at @at zeroed) == the value stored there */
static bool jcsum_ok(const struct jrec *j, u32 at)
{
	u32 want = be32(j->b + at), got;

	put_be32(j->b + at, 0);
	got = vexfs_crc32c(j->cseed, j->b, j->f->bs);
	put_be32(j->b + at, want);
	return got == want;
}

/* A block of this transaction: magic, type, sequence. */
static bool jheader(const struct jrec *j, u32 seq, u32 *type)
{
	if (be32(j->b) != JBD2_MAGIC || be32(j->b + 8) != seq)
		return false;
	*type = be32(j->b + 4);
	return true;
}

/* The tags of the descriptor in j->b: count them, or with @fn visit them. */
static u32 jtags(struct jrec *j, u32 seq, u32 blk,
		 void (*fn)(struct jrec *j, u32 seq, u32 logblk, u64 target, u32 flags, u32 csum))
{
	u32 size = j->f->bs - (j->csum ? 4 : 0), off = 12, n = 0;

	while (off + j->tag_bytes <= size) {
		const u8 *t = j->b + off;
		u32 flags = j->csum ? be32(t + 4) : (u32)t[6] << 8 | t[7];
		u64 target = be32(t);

		if (j->incompat & JBD2_INCOMPAT_64BIT)
			target |= (u64)be32(t + 8) << 32;
		n++;
		blk = jnext(j, blk);
		if (fn)
			fn(j, seq, blk, target, flags, j->csum ? be32(t + 12) : 0);
		off += j->tag_bytes;
		if (!(flags & JBD2_FLAG_SAME_UUID))
			off += 16;
		if (flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	return n;
}

/*
 * Pass 1: from s_start, follow the transactions while their blocks carry
 * the expected sequence; the last one counted is the last with an intact
 * commit block. Sets j->end.
 */
static void jscan(struct jrec *j)
{
	u32 blk = j->start, seq = j->seq0, type, seen = 0, ring = j->last - j->first;

	while (seen < ring && jread(j, blk) && jheader(j, seq, &type)) {
		if (type == JBD2_DESCRIPTOR) {
			u32 n;

			if (j->csum && !jcsum_ok(j, j->f->bs - 4)) {
				prob(j->f, P_NOTE,
				     "journal: descriptor block %u of transaction %u fails its checksum: the log ends there (an unfinished transaction)",
				     blk, seq);
				break;
			}
			n = jtags(j, seq, blk, NULL);
			seen += n + 1;
			while (n--)
				blk = jnext(j, blk);
		} else if (type == JBD2_COMMIT) {
			if (j->csum && !jcsum_ok(j, 16))
				break;	/* a torn commit: the transaction never committed */
			j->ntrans++;
			seq++;
			seen++;
		} else if (type == JBD2_REVOKE) {
			if (j->csum && !jcsum_ok(j, j->f->bs - 4)) {
				prob(j->f, P_NOTE,
				     "journal: revoke block %u of transaction %u fails its checksum: the log ends there (an unfinished transaction)",
				     blk, seq);
				break;
			}
			seen++;
		} else {
			break;
		}
		blk = jnext(j, blk);
	}
	j->end = seq;
}

static int rv_cmp(const void *a, const void *b)
{
	const struct jrevoke *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The latest sequence that revokes @blk, or false. */
static bool jrevoked(const struct jrec *j, u64 blk, u32 *seq)
{
	u64 lo = 0, hi = j->nrv;

	while (lo < hi) {
		u64 mid = (lo + hi) / 2;

		if (j->rv[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= j->nrv || j->rv[lo].blk != blk)
		return false;
	while (lo + 1 < j->nrv && j->rv[lo + 1].blk == blk)
		lo++;		/* sorted by sequence too: the last is the latest */
	*seq = j->rv[lo].seq;
	return true;
}

/* A target jbd2 could write: inside the filesystem, not in the journal. */
static bool jtarget_ok(const struct jrec *j, u64 target)
{
	const struct fsck *f = j->f;

	return target < f->g.blocks &&
	       (target < f->g.journal_start || target >= f->g.journal_start + f->g.journal_blocks);
}

static void jreplay_tag(struct jrec *j, u32 seq, u32 logblk, u64 target, u32 flags, u32 csum)
{
	struct fsck *f = j->f;
	u32 rseq, got;
	u8 *data;
	int err;

	if (jrevoked(j, target, &rseq) && rseq >= seq) {
		j->nrevoked++;
		return;
	}
	if (!jtarget_ok(j, target)) {
		prob(f, P_FIX, "journal: transaction %u logs block %llu, outside the filesystem's data: not replayed",
		     seq, (unsigned long long)target);
		j->nbad++;
		return;
	}
	data = xcalloc(f->bs, 1);
	err = vx_pread(f->fd, data, f->bs, (u64)logblk << f->bits);
	if (err) {
		prob(f, P_NOFIX, "journal: cannot read log block %u: %s", logblk, strerror(-err));
		f->incomplete = true;
		free(data);
		return;
	}
	if (j->csum) {
		u8 s[4];

		put_be32(s, seq);
		got = vexfs_crc32c(vexfs_crc32c(j->cseed, s, 4), data, f->bs);
		if (got != csum) {
			prob(f, P_FIX, "journal: the copy of block %llu in transaction %u fails its checksum: not replayed",
			     (unsigned long long)target, seq);
			j->nbad++;
			free(data);
			return;
		}
	}
	if (flags & JBD2_FLAG_ESCAPE)
		put_be32(data, JBD2_MAGIC);
	overlay_put(f, target, data);
	j->nblocks++;
}

/*
 * Passes 2 and 3 over the transactions [seq0, end): with @replay false
 * collect the revoke records, else replay the tags.
 */
static void jwalk(struct jrec *j, bool replay)
{
	u32 blk = j->start, seq = j->seq0, type;

	while (seq < j->end && jread(j, blk) && jheader(j, seq, &type)) {
		if (type == JBD2_DESCRIPTOR) {
			u32 n = jtags(j, seq, blk, replay ? jreplay_tag : NULL);

			while (n--)
				blk = jnext(j, blk);
		} else if (type == JBD2_COMMIT) {
			seq++;
		} else if (type == JBD2_REVOKE && !replay) {
			u32 rsz = j->incompat & JBD2_INCOMPAT_64BIT ? 8 : 4;
			u32 used = be32(j->b + 12), off;
			u32 lim = j->f->bs - (j->csum ? 4 : 0);

			if (used > lim)
				used = lim;
			for (off = 16; off + rsz <= used; off += rsz) {
				u64 r = rsz == 8 ? (u64)be32(j->b + off) << 32 | be32(j->b + off + 4) :
					be32(j->b + off);

				j->rv = xgrow(j->rv, &j->caprv, j->nrv + 1, sizeof(*j->rv));
				j->rv[j->nrv].blk = r;
				j->rv[j->nrv++].seq = seq;
			}
		}
		blk = jnext(j, blk);
	}
	if (!replay && j->nrv)
		qsort(j->rv, j->nrv, sizeof(*j->rv), rv_cmp);
}

/*
 * The journal superblock @jsb (in f->buf's format, already validated) says
 * the log needs recovery: replay it. Returns false when the check cannot go
 * on (the log could not be read).
 */
bool journal_recover(struct fsck *f, u8 *jsb, u32 incompat)
{
	struct jrec j = { .f = f };
	u64 i;

	j.first = be32(jsb + 20);
	j.last = be32(jsb + 16);
	j.seq0 = be32(jsb + 24);
	j.start = be32(jsb + 28);
	j.incompat = incompat;
	j.csum = (incompat & JBD2_INCOMPAT_CSUM_V3) != 0;
	if (incompat & JBD2_INCOMPAT_CSUM_V2) {
		printf("%s: the journal uses CSUM_V2 tags, which this fsck.vexfs cannot replay: mount the filesystem to replay it\n",
		       f->dev);
		f->nunfixed++;
		return false;
	}
	j.tag_bytes = j.csum ? 16 : (incompat & JBD2_INCOMPAT_64BIT) ? 12 : 8;
	j.cseed = vexfs_crc32c(~0U, jsb + 0x30, 16);
	if (j.start < j.first || j.start >= j.last) {
		prob(f, P_FIX, "journal: s_start %u is outside the log [%u, %u)%s", j.start, j.first,
		     j.last, f->mode != MODE_CHECK ? "; emptying the journal" : "");
		j.end = j.seq0;
		goto empty;
	}
	j.b = xcalloc(f->bs, 1);
	jscan(&j);
	jwalk(&j, false);
	jwalk(&j, true);
	overlay_finish(f);
	free(j.b);
	free(j.rv);
	printf("%s: journal needs recovery: %llu transaction(s), %llu block(s) to replay (%llu revoked)%s\n",
	       f->dev, (unsigned long long)j.ntrans, (unsigned long long)j.nblocks,
	       (unsigned long long)j.nrevoked,
	       f->mode == MODE_CHECK ? "; checking the filesystem as the replay leaves it, nothing written" :
	       "");
	if (f->mode == MODE_CHECK)
		return true;
	for (i = 0; i < f->nov; i++)
		wr(f, f->ov[i].blk, f->ov[i].data);
	if (fsync(f->fd))
		vx_die_code(FSCK_ERROR, "fsync %s: %m", f->dev);
	overlay_free(f);
	printf("%s: journal replayed\n", f->dev);
	f->nfixed++;		/* the filesystem was modified: exit 1, as e2fsck */
empty:
	if (f->mode == MODE_CHECK)
		return true;
	/* as jbd2 after a recovery: nothing to replay, sequences go on */
	put_be32(jsb + 28, 0);
	put_be32(jsb + 24, j.end + 1);
	if (incompat & JBD2_INCOMPAT_CSUM_V3)
		jsb_seal(jsb);
	wr(f, f->g.journal_start, jsb);
	if (fsync(f->fd))
		vx_die_code(FSCK_ERROR, "fsync %s: %m", f->dev);
	return true;
}
