// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_journal.c - the journal superblock (pass 0): a bad one is recreated
 * empty by -y and -p; a journal that needs recovery is replayed
 * (fsck_recover.c: on disk by -y and -p, in memory by -n); a recorded
 * journal error is cleared.
 */
#include <stdio.h>
#include <string.h>
#include "fsck.h"

static void jsb_build(struct fsck *f, u8 *b)
{
	__be32 *w = (__be32 *)b;
	u32 incompat = JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_CSUM_V3;

	if (f->g.blocks > 0xffffffffULL)
		incompat |= JBD2_INCOMPAT_64BIT;
	memset(b, 0, f->bs);
	w[0] = cpu_to_be32(JBD2_MAGIC);
	w[1] = cpu_to_be32(JBD2_SB_V2);
	w[3] = cpu_to_be32(f->bs);
	w[4] = cpu_to_be32((u32)(f->g.journal_start + f->g.journal_blocks));
	w[5] = cpu_to_be32((u32)(f->g.journal_start + 1));
	w[6] = cpu_to_be32(1);
	w[10] = cpu_to_be32(incompat);
	memcpy(b + 0x30, f->sb.s_uuid, 16);
	w[0x40 / 4] = cpu_to_be32(1);
	b[0x50] = 4;
	memcpy(b + 0x100, f->sb.s_uuid, 16);
	jsb_seal(b);
}

/* Set the journal superblock's s_checksum: crc(~0, bytes [0, 1024) with it 0). */
void jsb_seal(u8 *b)
{
	((__be32 *)b)[0xfc / 4] = 0;
	((__be32 *)b)[0xfc / 4] = cpu_to_be32(vexfs_crc32c(~0U, b, 1024));
}

/* Returns false when the check cannot go on (journal needs recovery). */
bool check_journal(struct fsck *f)
{
	u8 *b = f->buf;
	const __be32 *w = (const __be32 *)b;
	u64 js = f->g.journal_start;
	u32 incompat = 0, crc, want;
	const char *bad = NULL;
	char why[96];

	if (rd(f, js, b, "journal superblock"))
		return true;
	if (be32_to_cpu(w[0]) != JBD2_MAGIC) {
		bad = "bad magic";
	} else if (be32_to_cpu(w[1]) != JBD2_SB_V1 && be32_to_cpu(w[1]) != JBD2_SB_V2) {
		bad = "bad block type";
	} else if (be32_to_cpu(w[3]) != f->bs) {
		snprintf(why, sizeof(why), "block size %u, expected %u", be32_to_cpu(w[3]), f->bs);
		bad = why;
	} else if (be32_to_cpu(w[4]) != js + f->g.journal_blocks ||
		   be32_to_cpu(w[5]) != js + 1) {
		snprintf(why, sizeof(why), "log area [%u, %u), expected [%llu, %llu)",
			 be32_to_cpu(w[5]), be32_to_cpu(w[4]), (unsigned long long)js + 1,
			 (unsigned long long)(js + f->g.journal_blocks));
		bad = why;
	} else {
		incompat = be32_to_cpu(w[10]);
		if (incompat & ~JBD2_INCOMPAT_KNOWN) {
			bad = "unknown incompatible journal features";
		} else if (!(incompat & JBD2_INCOMPAT_REVOKE)) {
			bad = "journal lacks the revoke feature";
		} else if (incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)) {
			want = be32_to_cpu(w[0xfc / 4]);
			((__be32 *)b)[0xfc / 4] = 0;
			crc = vexfs_crc32c(~0U, b, 1024);
			((__be32 *)b)[0xfc / 4] = cpu_to_be32(want);
			if (crc != want)
				bad = "journal superblock checksum mismatch";
		}
	}
	if (bad) {
		prob(f, P_FIX, "journal superblock at block %llu: %s%s", (unsigned long long)js,
		     bad, f->mode != MODE_CHECK ? "; recreating an empty journal" : "");
		if (f->mode != MODE_CHECK) {
			jsb_build(f, b);
			wr(f, js, b);
		}
		return true;
	}
	if (be32_to_cpu(w[7])) {
		f->need_recovery = true;
		return journal_recover(f, b, incompat);
	}
	if (be32_to_cpu(w[8])) {
		prob(f, P_FIX, "journal records error %d", (int)be32_to_cpu(w[8]));
		if (f->mode != MODE_CHECK) {
			((__be32 *)b)[8] = 0;
			if (incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3))
				jsb_seal(b);
			wr(f, js, b);
		}
	}
	return true;
}
