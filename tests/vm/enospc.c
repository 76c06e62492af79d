// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * enospc.c - fill a filesystem to ENOSPC and give everything back.
 *
 *   enospc DIR
 *
 * Records statvfs (f_bfree, f_ffree) after syncfs, creates a subdirectory,
 * writes files of mixed sizes (1 KiB .. 8 MiB, content determined by the
 * file's number) until a write fails, which must be with ENOSPC (a short
 * write just before is fine), checks the filesystem then reports (almost)
 * no free blocks, syncs, reads every file back (size = bytes accepted,
 * content exact), deletes everything, removes the subdirectory, syncfs, and
 * requires f_bfree and f_ffree to equal the baseline exactly. Nothing else
 * may write to the filesystem meanwhile.
 *
 * Output: "ok N - ..." / "not ok N - ...: detail" and "# vtest: P passed, F failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include "vmtest.h"

#define CHUNK (1 << 20)
#define MAXFILES 1000000


static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Content of file number idx at offset off (a multiple of 8). */
static void gen(unsigned char *buf, long idx, off_t off, size_t len)
{
	uint64_t w = (uint64_t)idx << 40 | (uint64_t)off / 8, v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = mix(w++);
		memcpy(buf + i, &v, 8);
	}
	if (i < len) {
		v = mix(w);
		memcpy(buf + i, &v, len - i);
	}
}

/* Mixed sizes, 1 KiB .. 8 MiB, roughly log-uniform, from the file number. */
static off_t size_of(long idx)
{
	uint64_t r = mix(idx * 7 + 3);
	off_t base = 1024LL << (r % 13);		/* 1 KiB .. 4 MiB */

	return base + (off_t)((r >> 8) % base);		/* .. 8 MiB */
}

static void name_of(long idx, char *out, size_t len)
{
	snprintf(out, len, "e%06ld", idx);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned char *buf, *want;
	char tdir[4096], name[32], why[300] = "";
	struct statvfs s0, sfull, s1;
	off_t *written;
	long nfiles = 0, i, bad, other_err = 0;
	int dfd, fd, err = 0, full_at_create = 0;
	double t0;
	off_t total = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: enospc DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	buf = malloc(CHUNK);
	want = malloc(CHUNK);
	written = calloc(MAXFILES, sizeof(*written));
	if (!buf || !want || !written) {
		perror("malloc");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	syncfs(fd);
	if (fstatvfs(fd, &s0)) {
		fprintf(stderr, "statvfs %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	close(fd);
	printf("# enospc %s: baseline f_bfree %llu f_ffree %llu (f_frsize %lu, f_blocks %llu)\n", argv[1],
	       (unsigned long long)s0.f_bfree, (unsigned long long)s0.f_ffree, s0.f_frsize,
	       (unsigned long long)s0.f_blocks);
	snprintf(tdir, sizeof(tdir), "%.4000s/enospc.%d", argv[1], (int)getpid());
	if (mkdir(tdir, 0755) || (dfd = open(tdir, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "%s: %s\n", tdir, strerror(errno));
		return 2;
	}

	/* fill */
	t0 = now();
	while (!err && nfiles < MAXFILES) {
		off_t size = size_of(nfiles), pos = 0;

		name_of(nfiles, name, sizeof(name));
		fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			err = errno;
			if (err == ENOSPC)
				full_at_create = 1;	/* no room even for the inode or entry */
			else
				snprintf(why, sizeof(why), "create %s: %s", name, strerror(err));
			break;
		}
		nfiles++;
		while (pos < size) {
			size_t len = size - pos > CHUNK ? CHUNK : size - pos;
			ssize_t r;

			gen(buf, nfiles - 1, pos, len);
			r = pwrite(fd, buf, len, pos);
			if (r < 0) {
				err = errno;
				if (err != ENOSPC)
					snprintf(why, sizeof(why), "write %s at %lld: %s", name, (long long)pos,
						 strerror(err));
				break;
			}
			if (r == 0) {
				err = -1;
				snprintf(why, sizeof(why), "write %s at %lld returned 0", name, (long long)pos);
				break;
			}
			pos += r;	/* a short write is retried: the next one must fail */
		}
		written[nfiles - 1] = pos;
		total += pos;
		if (close(fd) && !err) {
			err = errno;
			snprintf(why, sizeof(why), "close %s: %s", name, strerror(err));
		}
	}
	printf("# filled: %ld files, %lld bytes in %.1f s%s\n", nfiles, (long long)total, now() - t0,
	       full_at_create ? " (ENOSPC at create)" : "");
	other_err = err != ENOSPC;
	ck(!other_err, "writing until the filesystem is full fails with ENOSPC", "%s",
	   err == 0 ? "never ran out of space" : why);
	fstatvfs(dfd, &sfull);
	ck(sfull.f_bfree * (double)sfull.f_frsize <= 0.02 * s0.f_blocks * s0.f_frsize + 4.0 * CHUNK,
	   "statvfs reports (almost) no free blocks at ENOSPC", "f_bfree %llu of %llu blocks",
	   (unsigned long long)sfull.f_bfree, (unsigned long long)sfull.f_blocks);
	ck(syncfs(dfd) == 0 || errno == ENOSPC, "syncfs on the full filesystem", "%s", strerror(errno));

	/* read back */
	t0 = now();
	for (i = 0, bad = 0; i < nfiles; i++) {
		struct stat st;
		off_t pos = 0;

		name_of(i, name, sizeof(name));
		fd = openat(dfd, name, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) || st.st_size != written[i]) {
			if (!bad++)
				snprintf(why, sizeof(why), "%s: %s, size %lld, expected %lld", name,
					 fd < 0 ? strerror(errno) : "open", fd < 0 ? -1LL : (long long)st.st_size,
					 (long long)written[i]);
			if (fd >= 0)
				close(fd);
			continue;
		}
		while (pos < written[i]) {
			size_t len = written[i] - pos > CHUNK ? CHUNK : written[i] - pos;
			ssize_t r = pread(fd, buf, len, pos);

			gen(want, i, pos, len);
			if (r != (ssize_t)len || memcmp(buf, want, len)) {
				if (!bad++)
					snprintf(why, sizeof(why), "%s: data differs in [%lld, %lld)", name,
						 (long long)pos, (long long)(pos + len));
				break;
			}
			pos += len;
		}
		close(fd);
	}
	printf("# read back %ld files in %.1f s\n", nfiles, now() - t0);
	ck(bad == 0, "every file reads back with the accepted size and content", "%ld bad, first %s", bad, why);

	/* give everything back */
	for (i = 0, bad = 0; i < nfiles; i++) {
		name_of(i, name, sizeof(name));
		if (unlinkat(dfd, name, 0) && !bad++)
			snprintf(why, sizeof(why), "%s: %s", name, strerror(errno));
	}
	ck(bad == 0, "unlink every file", "%ld failures, first %s", bad, why);
	close(dfd);
	ck(rmdir(tdir) == 0, "rmdir the subdirectory", "%s", strerror(errno));
	fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	ck(syncfs(fd) == 0, "syncfs", "%s", strerror(errno));
	fstatvfs(fd, &s1);
	close(fd);
	ck(s1.f_bfree == s0.f_bfree, "f_bfree back to the baseline exactly", "%llu, baseline %llu (%+lld)",
	   (unsigned long long)s1.f_bfree, (unsigned long long)s0.f_bfree,
	   (long long)(s1.f_bfree - s0.f_bfree));
	ck(s1.f_ffree == s0.f_ffree, "f_ffree back to the baseline exactly", "%llu, baseline %llu (%+lld)",
	   (unsigned long long)s1.f_ffree, (unsigned long long)s0.f_ffree,
	   (long long)(s1.f_ffree - s0.f_ffree));
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
