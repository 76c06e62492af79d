// SPDX-License-Identifier: GPL-2.0
/*
 * fsck_progress.c - progress reports, as e2fsck's -C: with -C 0 a bar on
 * standard output ("dev: |=====     |  45.2%"), redrawn at most 8 times a
 * second and erased at the end; with -C N > 0, lines "PASS CUR MAX DEVICE"
 * written to file descriptor N (the form util-linux fsck and other front
 * ends read), at most 10 a second plus the end of every pass. Passes weigh
 * in the overall percentage roughly as their work does on a large
 * filesystem: pass 1 (inode tables) 55%, 2 (directories) 15%, 3 (links)
 * 3%, 4 (the vector store's chunks) 22%, 5 (bitmaps) 5%.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fsck.h"

static const double pass_weight[6] = { 0, 55, 15, 3, 22, 5 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress(struct fsck *f, int pass, u64 cur, u64 max)
{
	double t, pct = 0;
	bool end = cur >= max;
	int i;

	if (f->progress_fd < 0 || pass < 1 || pass > 5)
		return;
	if (cur > max)
		cur = max;
	t = now();
	if (!end && t - f->progress_last < (f->progress_fd ? 0.1 : 0.125))
		return;
	f->progress_last = t;
	if (f->progress_fd) {
		dprintf(f->progress_fd, "%d %llu %llu %s\n", pass, (unsigned long long)cur,
			(unsigned long long)max, f->dev);
		return;
	}
	for (i = 1; i < pass; i++)
		pct += pass_weight[i];
	pct += pass_weight[pass] * (max ? (double)cur / (double)max : 1.0);
	{
		char bar[41];
		int fill = (int)(pct * 40 / 100);

		memset(bar, '=', (size_t)fill);
		memset(bar + fill, ' ', (size_t)(40 - fill));
		bar[40] = 0;
		printf("\r%s: |%s| %5.1f%%", f->dev, bar, pct);
		fflush(stdout);
		f->progress_shown = true;
	}
}

/* Erase the bar before other output and at the end. */
void progress_clear(struct fsck *f)
{
	if (f->progress_fd == 0 && f->progress_shown) {
		printf("\r%*s\r", (int)strlen(f->dev) + 52, "");
		fflush(stdout);
		f->progress_shown = false;
	}
}
