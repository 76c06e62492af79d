// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_problem.c - problem reporting and the repair policy of fsck.vexfs.
 * prob() prints a problem (up to MAX_PRINTED lines), counts it as corrected
 * or left (the exit code comes from these counters) and, with -n, turns a
 * repair into a problem left; fixable() says which problems -p leaves to -y.
 */
#include <stdio.h>
#include <stdarg.h>
#include "fsck.h"

__attribute__((format(printf, 3, 4)))
void prob(struct fsck *f, int kind, const char *fmt, ...)
{
	va_list ap;
	bool fixing = kind == P_FIX && f->mode != MODE_CHECK;

	if (kind == P_FIX && f->mode == MODE_CHECK)
		kind = P_NOFIX;
	if (kind == P_FIX)
		f->nfixed++;
	else if (kind == P_NOFIX)
		f->nunfixed++;
	if (++f->printed > MAX_PRINTED) {
		if (f->printed == MAX_PRINTED + 1)
			printf("%s: too many problems, not printing any more\n", f->dev);
		return;
	}
	progress_clear(f);
	printf("%s: ", f->dev);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", fixing ? " (fixed)" : "");
}

void verbose(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->verbose)
		return;
	progress_clear(f);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * Whether a problem is one to repair in this mode (P_FIX; -n still reports it
 * as left, see prob()): all of them with -y, only the soft ones with -p. Hard
 * problems are those whose repair destroys what may still be wanted (two live
 * claims on the same space, the data of an inode no directory reaches).
 */
bool fixable(struct fsck *f, bool hard)
{
	return !hard || f->mode != MODE_PREEN;
}
