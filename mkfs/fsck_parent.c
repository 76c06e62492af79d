// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_parent.c - parent pointers (RO_COMPAT_PARENT, vexfs_fs.h): every
 * directory entry in a reachable directory must be recorded by its inode as
 * (directory, name hash >> 30), once per entry, and nothing else may be.
 *
 * Pass 1 collects the recorded pointers (i_parent, xattr entries of index
 * VEXFS_XATTR_INDEX_PARENT), pass 2 the entries; pass_parent(), after the
 * vector store's blocks are known, compares the two multisets inode by
 * inode. -y and -p rewrite the pointers of an inode that differs from its
 * entries (the directory entries are what the kernel resolves, so they are
 * the truth): the first link goes in the inode, the rest in its xattr block,
 * which is allocated from blocks no pass found in use when the inode has
 * none. -O parent (with -y) adds the feature to an older image this way.
 */
#include <stdlib.h>
#include <string.h>
#include "fsck.h"

struct plink {
	u64 ino;
	u64 parent;
	u32 hash;
	u32 count;
};

static void plink_add(struct plink **v, u64 *n, u64 *cap, u64 ino, u64 parent, u32 hash,
		      u32 count)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	(*v)[*n] = (struct plink){ ino, parent, hash, count };
	(*n)++;
}

void pptr_inode(struct fsck *f, u64 ino, const struct vexfs_inode *raw)
{
	u64 parent = le64_to_cpu(raw->i_parent);
	u32 hash = le32_to_cpu(raw->i_parent_hash);

	if (!parent && !hash)
		return;
	/* checked against the entries in pass_parent(), which rewrites it */
	plink_add(&f->plinks, &f->nplinks, &f->capplinks, ino, parent, hash, 1);
}

/* A parent pointer entry of an xattr block: false if it is malformed. */
bool pptr_xattr(struct fsck *f, u64 ino, const struct vexfs_xattr_entry *xe)
{
	struct vexfs_pptr pp;
	u32 count;

	if (!f->pptr || xe->xe_name_len != sizeof(pp) || le16_to_cpu(xe->xe_value_len) != 4)
		return false;
	memcpy(&pp, xe->xe_name, sizeof(pp));
	memcpy(&count, xe->xe_name + sizeof(pp), 4);
	count = le32_to_cpu(count);
	if (!count)
		return false;
	plink_add(&f->plinks, &f->nplinks, &f->capplinks, ino,
		  le32_to_cpu(pp.pp_parent_lo) | (u64)le32_to_cpu(pp.pp_parent_hi) << 32,
		  le32_to_cpu(pp.pp_hash), count);
	return true;
}

void pptr_entry(struct fsck *f, u64 dir, u64 ino, u64 hash)
{
	plink_add(&f->elinks, &f->nelinks, &f->capelinks, ino, dir, VEXFS_PPTR_HASH(hash), 1);
}

static int cmp_plink(const void *a, const void *b)
{
	const struct plink *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Sort and merge equal pairs (adding their counts). */
static u64 plink_merge(struct plink *v, u64 n)
{
	u64 i, o = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_plink);
	for (i = 1; i < n; i++) {
		if (!cmp_plink(&v[o], &v[i]))
			v[o].count += v[i].count;
		else
			v[++o] = v[i];
	}
	return o + 1;
}

/* A block no pass found in use, outside the metadata; 0 if none. */
static u64 free_block(struct fsck *f)
{
	static u64 next;
	u64 b;

	if (next < f->meta_end)
		next = f->meta_end;
	for (b = next; b < f->g.blocks; b++) {
		if (tb(f->bused, b) || is_meta(f, b))
			continue;
		sbit(f->bused, b);
		next = b + 1;
		return b;
	}
	return 0;
}

/*
 * Make @l[0..n) (one inode's links, sorted by parent) fit @room bytes of
 * xattr entries after the first link (kept in the inode): fold the named
 * pairs of the directory with the most of them into one
 * VEXFS_PPTR_HASH_ANY pair, as the kernel does, until they fit. Returns the
 * new count, 0 if they cannot fit.
 */
static u64 fold_links(struct plink *l, u64 n, u32 room)
{
	u32 esize = VEXFS_XATTR_ENTRY_SIZE(sizeof(struct vexfs_pptr), 4);

	for (;;) {
		u64 i, j, best = 0, bi = 0, need = 0, sum = 0;

		for (i = 0; i < n; i++)
			if (l[i].count > (i == 0))
				need += esize;
		if (need <= room)
			return n;
		for (i = 1; i < n; i = j) {	/* l[0] stays: it is the inode's */
			for (j = i; j < n && l[j].parent == l[i].parent; j++)
				;
			if (j - i > best) {
				best = j - i;
				bi = i;
			}
		}
		if (best < 2)
			return 0;
		/* the run's pairs become one; hash ANY sorts last, where the run ended */
		for (i = bi; i < bi + best; i++)
			sum += l[i].count;
		l[bi].hash = VEXFS_PPTR_HASH_ANY;
		l[bi].count = (u32)sum;
		memmove(&l[bi + 1], &l[bi + best], (n - bi - best) * sizeof(*l));
		n -= best - 1;
	}
}

static int cmp_xe(const void *a, const void *b)
{
	const struct vexfs_xattr_entry *x = *(const struct vexfs_xattr_entry *const *)a;
	const struct vexfs_xattr_entry *y = *(const struct vexfs_xattr_entry *const *)b;
	u32 n = x->xe_name_len < y->xe_name_len ? x->xe_name_len : y->xe_name_len;
	int c;

	if (x->xe_index != y->xe_index)
		return x->xe_index < y->xe_index ? -1 : 1;
	c = memcmp(x->xe_name, y->xe_name, n);
	return c ? c : (int)x->xe_name_len - (int)y->xe_name_len;
}

/*
 * Rewrite the pointers of @ino to the links @l[0..n): the first in the inode,
 * the others in the xattr block (other attributes kept). False if they do
 * not fit.
 */
static bool pptr_rewrite(struct fsck *f, u64 ino, const struct plink *l, u64 n)
{
	u32 hsz = sizeof(struct vexfs_xattr_header), out = hsz, cnt = 0, i, k;
	struct vexfs_inode raw;
	struct vexfs_xattr_header *xh;
	u8 *old, *nb;
	u64 xblk, blk, j;
	u32 off;
	bool need = false, ok = true;
	struct plink *fl = NULL;

	if (inode_loc(f, ino, &blk, &off) || read_inode(f, ino, &raw))
		return false;
	need = n > 1 || (n == 1 && l[0].count > 1);
	xblk = le64_to_cpu(raw.i_xattr_block);
	old = xcalloc(f->bs, 1);
	nb = xcalloc(f->bs, 1);
	if (xblk && rd(f, xblk, old, "xattr block")) {
		ok = false;
		goto out;
	}
	if (xblk) {
		const struct vexfs_xattr_header *oh = (const void *)old;
		u32 used = le16_to_cpu(oh->xh_used), p = hsz;

		/*
		 * Pass 1 reports a bad block but leaves it: check it again
		 * before copying anything out of it, and keep a bad one as it is.
		 */
		if (le32_to_cpu(oh->xh_magic) != VEXFS_XATTR_MAGIC ||
		    le32_to_cpu(oh->xh_checksum) != vexfs_block_csum(f->seed, ino, old, f->bs,
				offsetof(struct vexfs_xattr_header, xh_checksum)) ||
		    used > f->bs - hsz) {
			ok = false;
			goto out;
		}
		/* copy every attribute that is not a pointer */
		while (p < hsz + used) {
			const struct vexfs_xattr_entry *xe = (const void *)(old + p);
			u32 size;

			if (hsz + used - p < 4) {
				ok = false;
				goto out;
			}
			size = VEXFS_XATTR_ENTRY_SIZE(xe->xe_name_len, le16_to_cpu(xe->xe_value_len));
			if (size > hsz + used - p || out + size > f->bs) {
				ok = false;
				goto out;
			}

			if (xe->xe_index != VEXFS_XATTR_INDEX_PARENT) {
				memcpy(nb + out, xe, size);
				out += size;
				cnt++;
			}
			p += size;
		}
	}
	/* links after the first (the first one's extra count included) */
	if (n) {
		fl = xcalloc(n, sizeof(*fl));
		memcpy(fl, l, n * sizeof(*fl));
		n = fold_links(fl, n, f->bs - out);
		if (!n) {
			ok = false;
			goto out;
		}
		l = fl;
	}
	for (j = 0; j < n; j++) {
		u32 c = l[j].count - (j == 0);
		struct vexfs_xattr_entry *xe = (void *)(nb + out);
		struct vexfs_pptr pp = { cpu_to_le32((u32)l[j].parent),
					 cpu_to_le32((u32)(l[j].parent >> 32)),
					 cpu_to_le32(l[j].hash) };
		u32 size = VEXFS_XATTR_ENTRY_SIZE(sizeof(pp), 4), lc = cpu_to_le32(c);

		if (!c)
			continue;
		if (out + size > f->bs) {
			ok = false;
			goto out;
		}
		xe->xe_index = VEXFS_XATTR_INDEX_PARENT;
		xe->xe_name_len = sizeof(pp);
		xe->xe_value_len = cpu_to_le16(4);
		memcpy(xe->xe_name, &pp, sizeof(pp));
		memcpy(xe->xe_name + sizeof(pp), &lc, 4);
		out += size;
		cnt++;
	}
	if (need || xblk) {
		/* entries sorted by (index, name), as the kernel keeps them */
		const struct vexfs_xattr_entry **ents = xcalloc(cnt ? cnt : 1, sizeof(*ents));
		u8 *sorted = xcalloc(f->bs, 1);
		u32 p = hsz, q = hsz;

		for (i = 0; i < cnt; i++) {
			ents[i] = (const void *)(nb + p);
			p += VEXFS_XATTR_ENTRY_SIZE(ents[i]->xe_name_len,
						    le16_to_cpu(ents[i]->xe_value_len));
		}
		qsort(ents, cnt, sizeof(*ents), cmp_xe);
		for (i = 0; i < cnt; i++) {
			k = VEXFS_XATTR_ENTRY_SIZE(ents[i]->xe_name_len,
						   le16_to_cpu(ents[i]->xe_value_len));
			memcpy(sorted + q, ents[i], k);
			q += k;
		}
		free(ents);
		if (!xblk) {
			xblk = free_block(f);
			if (!xblk) {
				free(sorted);
				ok = false;
				goto out;
			}
			raw.i_xattr_block = cpu_to_le64(xblk);
			raw.i_blocks = cpu_to_le64(le64_to_cpu(raw.i_blocks) + 1);
		}
		xh = (void *)sorted;
		xh->xh_magic = cpu_to_le32(VEXFS_XATTR_MAGIC);
		xh->xh_count = cpu_to_le16(cnt);
		xh->xh_used = cpu_to_le16(q - hsz);
		xh->xh_checksum = cpu_to_le32(vexfs_block_csum(f->seed, ino, sorted, f->bs,
					offsetof(struct vexfs_xattr_header, xh_checksum)));
		wr(f, xblk, sorted);
		free(sorted);
	}
	raw.i_parent = cpu_to_le64(n ? l[0].parent : 0);
	raw.i_parent_hash = cpu_to_le32(n ? l[0].hash : 0);
	raw.i_checksum = cpu_to_le32(vexfs_inode_csum(f->seed, ino, &raw));
	{
		u8 *it = xcalloc(f->bs, 1);

		if (!rd(f, blk, it, "inode table")) {
			memcpy(it + off, &raw, sizeof(raw));
			wr(f, blk, it);
		}
		free(it);
	}
out:
	free(fl);
	free(old);
	free(nb);
	return ok;
}

/*
 * Whether the recorded links @p (merged) match the entries @e (merged), both
 * of one inode, sorted by (parent, hash). A recorded pair of hash
 * VEXFS_PPTR_HASH_ANY counts the links of its directory whose names were
 * folded: per directory, each named pair may record at most the entries of
 * its hash, and the folded count must be exactly the rest.
 */
static bool same_links(const struct plink *e, u64 ne, const struct plink *p, u64 np)
{
	u64 ie = 0, ip = 0;

	while (ie < ne || ip < np) {
		u64 dir = ie < ne && (ip >= np || e[ie].parent <= p[ip].parent) ?
			  e[ie].parent : p[ip].parent;
		u64 left = 0, folded = 0;

		while (ip < np && p[ip].parent == dir) {
			if (p[ip].hash == VEXFS_PPTR_HASH_ANY) {
				folded += p[ip].count;
			} else {
				u64 have = 0;

				while (ie < ne && e[ie].parent == dir && e[ie].hash < p[ip].hash)
					left += e[ie++].count;
				if (ie < ne && e[ie].parent == dir && e[ie].hash == p[ip].hash)
					have = e[ie++].count;
				if (p[ip].count > have)
					return false;	/* records a link that is not there */
				left += have - p[ip].count;
			}
			ip++;
		}
		while (ie < ne && e[ie].parent == dir)
			left += e[ie++].count;
		if (left != folded)
			return false;
	}
	return true;
}

void pass_parent(struct fsck *f)
{
	u64 ne, np, ie = 0, ip = 0, rewritten = 0, bad = 0;

	if (!f->pptr) {
		/* only i_parent can be set here: pass 1 refused index 4 entries */
		for (ie = 0; ie < f->nplinks; ie++) {
			prob(f, P_FIX, "inode %llu: parent pointer set but the filesystem has no parent pointer feature",
			     (unsigned long long)f->plinks[ie].ino);
			if (f->mode != MODE_CHECK)
				pptr_rewrite(f, f->plinks[ie].ino, NULL, 0);
		}
		return;
	}
	verbose(f, "Pass 3p: checking parent pointers against directory entries\n");
	if (f->incomplete) {
		prob(f, P_NOTE, "some metadata could not be read: parent pointers not checked");
		return;
	}
	ne = plink_merge(f->elinks, f->nelinks);
	np = plink_merge(f->plinks, f->nplinks);
	while (ie < ne || ip < np) {
		u64 ino, e0 = ie, p0 = ip;
		struct irec *r;

		if (ip >= np || (ie < ne && f->elinks[ie].ino < f->plinks[ip].ino))
			ino = f->elinks[ie].ino;
		else
			ino = f->plinks[ip].ino;
		while (ie < ne && f->elinks[ie].ino == ino)
			ie++;
		while (ip < np && f->plinks[ip].ino == ino)
			ip++;
		if (same_links(f->elinks + e0, ie - e0, f->plinks + p0, ip - p0))
			continue;
		r = rec_find(f, ino);
		if (!r || (r->flags & R_CLEARED))
			continue;	/* not an inode kept in use */
		bad++;
		if (!f->upgrade)
			prob(f, P_FIX, "inode %llu: parent pointers (%llu) do not match its directory entries (%llu)",
			     (unsigned long long)ino, (unsigned long long)(ip - p0),
			     (unsigned long long)(ie - e0));
		if (f->mode == MODE_CHECK)
			continue;
		if (pptr_rewrite(f, ino, f->elinks + e0, ie - e0))
			rewritten++;
		else
			prob(f, P_NOFIX, "inode %llu: cannot record its %llu links as parent pointers",
			     (unsigned long long)ino, (unsigned long long)(ie - e0));
	}
	if (f->upgrade)
		printf("%s: parent pointers added to %llu inodes\n", f->dev,
		       (unsigned long long)rewritten);
	(void)bad;
}
