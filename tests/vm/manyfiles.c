// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * manyfiles.c - one directory with N files: create (names f%07d plus a
 * suffix, 8..40 bytes, each with small distinct content), list with readdir
 * (every name exactly once, d_type DT_REG), stat every file and read a 10%
 * sample, rename 10%, list again, unlink all, check the directory is empty
 * (only . and .., nlink 2) and rmdir it. Prints the time of each phase.
 *
 *   manyfiles DIR N
 *
 * Output: "ok N - ..." / "not ok N - ...: detail" and "# vtest: P passed, F failed".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "vmtest.h"

static int dfd;
static long nfiles;
static unsigned char *renamed;
static int *seen;
static struct timespec phase_t0;

static void phase_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &phase_t0);
}

static void phase_end(const char *name, long items)
{
	struct timespec t;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t);
	s = (t.tv_sec - phase_t0.tv_sec) + (t.tv_nsec - phase_t0.tv_nsec) / 1e9;
	printf("# phase %-8s %8.2f s  (%ld items, %.0f/s)\n", name, s, items, items / (s > 0 ? s : 1e-9));
}

/* Name of file i: "f%07d" plus 0..32 suffix characters; "r" in front once renamed. */
static void name_of(long i, bool ren, char *out, size_t len)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned long h = (unsigned long)i * 2654435761u;
	int slen = (int)((unsigned long)i * 7919 % 33), k;
	char *p;

	p = out + snprintf(out, len, "%sf%07ld", ren ? "r" : "", i);
	for (k = 0; k < slen; k++) {
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
		*p++ = alpha[(h >> 33) % (sizeof(alpha) - 1)];
	}
	*p = 0;
}

static int content_of(long i, char *out, size_t len)
{
	char name[64];

	name_of(i, false, name, sizeof(name));
	return snprintf(out, len, "file %ld of %ld named %s, check %lx\n", i, nfiles, name,
			(unsigned long)i * 0x9e3779b1UL);
}

/* Parse an entry name back to its index, or -1 if it is no name of ours. */
static long index_of(const char *s, bool *ren)
{
	char want[64];
	long i;
	int k;

	*ren = s[0] == 'r';
	if (*ren)
		s++;
	if (s[0] != 'f' || strlen(s) < 8)
		return -1;
	for (i = 0, k = 1; k <= 7; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		i = i * 10 + (s[k] - '0');
	}
	if (i < 0 || i >= nfiles)
		return -1;
	name_of(i, false, want, sizeof(want));
	return strcmp(want, s) ? -1 : i;
}

/* readdir the whole directory; returns the number of names of ours. */
static long list_dir(const char *label, bool expect_renames)
{
	long i, count = 0, dups = 0, missing = 0, wrongstate = 0, badtype = 0, alien = 0, dots = 0;
	char first_alien[300] = "", first_bad[80] = "", desc[128];
	struct dirent *de;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		ck(false, "opendir", "%s", strerror(errno));
		return 0;
	}
	memset(seen, 0, nfiles * sizeof(*seen));
	errno = 0;
	while ((de = readdir(d))) {
		bool ren;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			continue;
		}
		i = index_of(de->d_name, &ren);
		if (i < 0) {
			if (!alien++)
				snprintf(first_alien, sizeof(first_alien), "%s", de->d_name);
			continue;
		}
		count++;
		seen[i]++;
		if (ren != (expect_renames && renamed[i]))
			wrongstate++;
		if (de->d_type != DT_REG && !badtype++)
			snprintf(first_bad, sizeof(first_bad), "%.40s has d_type %d", de->d_name, de->d_type);
	}
	ck(errno == 0, "readdir completes without error", "%s", strerror(errno));
	closedir(d);
	for (i = 0; i < nfiles; i++) {
		dups += seen[i] > 1;
		missing += seen[i] == 0;
	}
	snprintf(desc, sizeof(desc), "%s: every name listed exactly once", label);
	ck(!dups && !missing && count == nfiles, desc, "%ld entries for %ld files: %ld missing, %ld duplicated",
	   count, nfiles, missing, dups);
	snprintf(desc, sizeof(desc), "%s: no unexpected names", label);
	ck(!alien, desc, "%ld, first '%s'", alien, first_alien);
	snprintf(desc, sizeof(desc), "%s: names carry the right rename state", label);
	ck(!wrongstate, desc, "%ld wrong", wrongstate);
	snprintf(desc, sizeof(desc), "%s: d_type is DT_REG for every file", label);
	ck(!badtype, desc, "%ld wrong, first %s", badtype, first_bad);
	snprintf(desc, sizeof(desc), "%s: . and .. listed once each", label);
	ck(dots == 2, desc, "%ld dot entries", dots);
	return count;
}

static bool check_content(long i, bool ren, char *why, size_t wlen)
{
	char name[64], want[160], got[200];
	int n = content_of(i, want, sizeof(want)), fd;
	ssize_t r;

	name_of(i, ren, name, sizeof(name));
	fd = openat(dfd, name, O_RDONLY);
	if (fd < 0) {
		snprintf(why, wlen, "open %s: %s", name, strerror(errno));
		return false;
	}
	r = read(fd, got, sizeof(got));
	close(fd);
	if (r != n || memcmp(got, want, n)) {
		snprintf(why, wlen, "%s: read %zd bytes, content %s", name, r,
			 r == n ? "differs" : "has the wrong length");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	char tdir[4096], name[64], name2[64], content[160], why[400] = "", w[300];
	long i, bad, first_bad, nren = 0;
	struct stat st;
	int fd, n;

	if (argc != 3 || (nfiles = strtol(argv[2], NULL, 0)) <= 0 || nfiles > 9999999) {
		fprintf(stderr, "usage: manyfiles DIR N   (1 <= N <= 9999999)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	seen = calloc(nfiles, sizeof(*seen));
	renamed = calloc(nfiles, 1);
	if (!seen || !renamed) {
		perror("calloc");
		return 2;
	}
	snprintf(tdir, sizeof(tdir), "%.4000s/manyfiles.%d", argv[1], (int)getpid());
	if (mkdir(tdir, 0755) || (dfd = open(tdir, O_RDONLY | O_DIRECTORY)) < 0) {
		fprintf(stderr, "%s: %s\n", tdir, strerror(errno));
		return 2;
	}
	printf("# manyfiles: %ld files in %s\n", nfiles, tdir);

	/* create */
	phase_start();
	for (i = 0, bad = 0, first_bad = -1; i < nfiles; i++) {
		name_of(i, false, name, sizeof(name));
		n = content_of(i, content, sizeof(content));
		fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0 || write(fd, content, n) != n || close(fd)) {
			if (!bad++) {
				first_bad = i;
				snprintf(why, sizeof(why), "%s: %s", name, strerror(errno));
			}
			if (fd >= 0)
				close(fd);
			if (bad > 100)
				break;
		}
	}
	phase_end("create", i);
	if (!ck(!bad, "create all files (O_CREAT|O_EXCL, write, close)", "%ld failures, first #%ld %s",
		bad, first_bad, why)) {
		for (; i >= 0; i--) {
			name_of(i, false, name, sizeof(name));
			unlinkat(dfd, name, 0);
		}
		rmdir(tdir);
		printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
		return 1;
	}
	fstat(dfd, &st);
	ck(st.st_nlink == 2, "directory nlink stays 2 with only files", "nlink %lu", (unsigned long)st.st_nlink);

	/* list */
	phase_start();
	list_dir("readdir after create", false);
	phase_end("readdir", nfiles);

	/* stat all, read a sample */
	phase_start();
	for (i = 0, bad = 0; i < nfiles; i++) {
		name_of(i, false, name, sizeof(name));
		n = content_of(i, content, sizeof(content));
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) || st.st_size != n ||
		    st.st_nlink != 1) {
			if (!bad++)
				snprintf(why, sizeof(why), "%s: %s, mode 0%o size %lld", name, strerror(errno),
					 st.st_mode, (long long)st.st_size);
		}
	}
	ck(!bad, "stat every file by name: regular, nlink 1, right size", "%ld bad, first %s", bad, why);
	for (i = 0, bad = 0; i < nfiles; i = (i + 10 < nfiles || i == nfiles - 1) ? i + 10 : nfiles - 1)
		if (!check_content(i, false, w, sizeof(w)) && !bad++)
			snprintf(why, sizeof(why), "%s", w);
	ck(!bad, "content of a sample of files", "%ld bad, first %s", bad, why);
	phase_end("stat", nfiles);

	/* rename 10% */
	phase_start();
	for (i = 0, bad = 0; i < nfiles; i++) {
		if ((unsigned long)i * 2654435761u % 10 != 3)
			continue;
		name_of(i, false, name, sizeof(name));
		name_of(i, true, name2, sizeof(name2));
		if (renameat(dfd, name, dfd, name2)) {
			if (!bad++)
				snprintf(why, sizeof(why), "%s: %s", name, strerror(errno));
			continue;
		}
		renamed[i] = 1;
		nren++;
	}
	phase_end("rename", nren);
	ck(!bad && nren >= nfiles / 20, "rename 10% of the files", "%ld failures (%ld renamed), first %s", bad,
	   nren, why);
	for (i = 0, bad = 0; i < nfiles; i++) {
		if (!renamed[i])
			continue;
		name_of(i, false, name, sizeof(name));
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			if (!bad++)
				snprintf(why, sizeof(why), "%s still resolves", name);
		}
	}
	ck(!bad, "old names of renamed files are gone (ENOENT)", "%ld bad, first %s", bad, why);
	for (i = 0, bad = 0; i < nfiles; i++)
		if (renamed[i] && !check_content(i, true, w, sizeof(w)) && !bad++)
			snprintf(why, sizeof(why), "%s", w);
	ck(!bad, "renamed files keep their content", "%ld bad, first %s", bad, why);
	phase_start();
	list_dir("readdir after rename", true);
	phase_end("readdir", nfiles);

	/* delete all */
	phase_start();
	for (i = 0, bad = 0; i < nfiles; i++) {
		name_of(i, renamed[i], name, sizeof(name));
		if (unlinkat(dfd, name, 0) && !bad++)
			snprintf(why, sizeof(why), "%s: %s", name, strerror(errno));
	}
	phase_end("unlink", nfiles);
	ck(!bad, "unlink every file", "%ld failures, first %s", bad, why);

	{
		struct dirent *de;
		long other = 0, dots = 0;
		DIR *d;

		fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
		d = fdopendir(fd);
		while (d && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				dots++;
			else if (!other++)
				snprintf(why, sizeof(why), "%s", de->d_name);
		}
		if (d)
			closedir(d);
		ck(!other && dots == 2, "directory lists only . and .. after deleting everything",
		   "%ld other entries (first '%s'), %ld dots", other, why, dots);
	}
	fstat(dfd, &st);
	ck(st.st_nlink == 2, "empty directory has nlink 2", "nlink %lu", (unsigned long)st.st_nlink);
	close(dfd);
	phase_start();
	ck(rmdir(tdir) == 0, "rmdir the emptied directory", "%s", strerror(errno));
	phase_end("rmdir", 1);
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
