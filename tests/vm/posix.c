// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * posix.c - POSIX/Linux behaviour of one mounted filesystem, checked the way
 * a user sees it: every operation with its exact result or errno, inside a
 * fresh subdirectory of DIR.
 *
 *   posix DIR [--no-root-checks] [--other DIR2] [--keep]
 *
 * --other DIR2  a directory on another filesystem (EXDEV checks)
 * --no-root-checks  skip checks that need root (mknod chr/blk, chown,
 *               trusted.* xattrs, setgid inheritance, permission checks)
 * --keep        leave the test directory behind
 *
 * Output: "ok N - what" / "not ok N - what: detail" per check, optional
 * "ok N - what # SKIP why" when the filesystem lacks an optional capability
 * (detected at run time, never by filesystem name), and a final line
 * "# vtest: P passed, F failed". Exit 0 only when nothing failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>

static int n_pass, n_fail, n_test;
static int dfd = -1;			/* the fresh test directory */
static char tdir[PATH_MAX - 512];
static bool root_checks;
static const char *other_dir;
static long pagesz;
static unsigned long fs_bsize;

/* ---- reporting ------------------------------------------------------------ */

static void pass(const char *desc)
{
	n_pass++;
	printf("ok %d - %s\n", ++n_test, desc);
	fflush(stdout);
}

static void skip(const char *desc, const char *why)
{
	n_pass++;
	printf("ok %d - %s # SKIP %s\n", ++n_test, desc, why);
	fflush(stdout);
}

static void __attribute__((format(printf, 2, 3))) fail(const char *desc, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	printf("not ok %d - %s: ", ++n_test, desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static bool __attribute__((format(printf, 3, 4))) ck(bool cond, const char *desc, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		pass(desc);
		return true;
	}
	n_fail++;
	printf("not ok %d - %s: ", ++n_test, desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return false;
}

/* rc >= 0 expected; errno is read before anything else runs. */
static bool ck_ok(long rc, const char *desc)
{
	int e = errno;

	if (rc >= 0) {
		pass(desc);
		return true;
	}
	fail(desc, "returned %ld: %s", rc, strerror(e));
	return false;
}

/* rc == -1 with errno == want expected. */
static bool ck_err(long rc, int want, const char *desc)
{
	int e = errno;

	if (rc == -1 && e == want) {
		pass(desc);
		return true;
	}
	if (rc == -1)
		fail(desc, "errno %s (%d), expected %s", strerrorname_np(e) ? strerrorname_np(e) : "?",
		     e, strerrorname_np(want));
	else
		fail(desc, "succeeded (returned %ld), expected %s", rc, strerrorname_np(want));
	return false;
}

static bool ck_eq(long long got, long long want, const char *desc)
{
	return ck(got == want, desc, "got %lld, expected %lld", got, want);
}

static bool ck_mem(const void *got, const void *want, size_t n, const char *desc)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	for (i = 0; i < n; i++)
		if (g[i] != w[i])
			break;
	return ck(i == n, desc, "first difference at byte %zu of %zu (got 0x%02x, expected 0x%02x)",
		  i, n, i < n ? g[i] : 0, i < n ? w[i] : 0);
}

static bool ck_zero(const void *buf, size_t n, const char *desc)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			break;
	return ck(i == n, desc, "byte %zu of %zu is 0x%02x, expected 0", i, n, i < n ? b[i] : 0);
}

/* ---- helpers -------------------------------------------------------------- */

static void fill(void *buf, size_t len, uint32_t seed)
{
	unsigned char *b = buf;
	uint32_t x = seed * 2654435761u + 12345;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)(x >> 7);
	}
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

static ssize_t write_all(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, off + done);

		if (r <= 0)
			return r < 0 ? -1 : (ssize_t)done;
		done += r;
	}
	return done;
}

static ssize_t read_all(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done, off + done);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

/* Create (or truncate) name in dir with len bytes of pattern seed. */
static int mkfile(int dir, const char *name, size_t len, uint32_t seed)
{
	void *buf = xmalloc(len);
	int fd, rc = 0;

	fill(buf, len, seed);
	fd = openat(dir, name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	if (write_all(fd, buf, len, 0) != (ssize_t)len)
		rc = -1;
	if (close(fd))
		rc = -1;
	free(buf);
	return rc;
}

/* Does name hold exactly len bytes of pattern seed? */
static bool file_is(int dir, const char *name, size_t len, uint32_t seed, char *why, size_t whylen)
{
	unsigned char *want = xmalloc(len + 1), *got = xmalloc(len + 1);
	ssize_t r;
	size_t i;
	bool ok = false;
	int fd = openat(dir, name, O_RDONLY);

	if (fd < 0) {
		snprintf(why, whylen, "open: %s", strerror(errno));
		goto out;
	}
	fill(want, len, seed);
	r = read_all(fd, got, len + 1, 0);
	close(fd);
	if (r != (ssize_t)len) {
		snprintf(why, whylen, "read %zd bytes, expected %zu", r, len);
		goto out;
	}
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i < len) {
		snprintf(why, whylen, "first difference at byte %zu", i);
		goto out;
	}
	ok = true;
out:
	free(want);
	free(got);
	return ok;
}

static void ck_file_is(int dir, const char *name, size_t len, uint32_t seed, const char *desc)
{
	char why[256] = "";

	ck(file_is(dir, name, len, seed, why, sizeof(why)), desc, "%s", why);
}

static int xstat(int dir, const char *name, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	return fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW);
}

static nlink_t nlink_of(int dir, const char *name)
{
	struct stat st;

	if (xstat(dir, name, &st))
		return (nlink_t)-1;
	return st.st_nlink;
}

static bool exists(int dir, const char *name)
{
	struct stat st;

	return xstat(dir, name, &st) == 0;
}

/* A fresh subdirectory of the test directory, returned as an fd. */
static int subdir(const char *name)
{
	int fd;

	if (mkdirat(dfd, name, 0755)) {
		fprintf(stderr, "mkdir %s: %s\n", name, strerror(errno));
		exit(2);
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", name, strerror(errno));
		exit(2);
	}
	return fd;
}

/* A fresh DIR stream (own file offset) on a directory fd. */
static DIR *opendir_at(int dir)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		fprintf(stderr, "opendir: %s\n", strerror(errno));
		exit(2);
	}
	return d;
}

static bool ts_eq(struct timespec a, long long sec, long nsec)
{
	return a.tv_sec == sec && a.tv_nsec == nsec;
}

static bool ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = 0;
	return s;
}

/* ---- open / creat ------------------------------------------------------- */

static void test_open_creat(void)
{
	struct stat st;
	char path[PATH_MAX];
	int fd, fd2;

	fd = openat(dfd, "oc", O_CREAT | O_EXCL | O_RDWR, 0644);
	ck_ok(fd, "open O_CREAT|O_EXCL creates a new file");
	ck_ok(fstat(fd, &st), "fstat new file");
	ck(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644, "new file is regular, mode 0644",
	   "mode 0%o", st.st_mode);
	ck(st.st_size == 0 && st.st_nlink == 1, "new file: size 0, nlink 1", "size %lld nlink %lu",
	   (long long)st.st_size, (unsigned long)st.st_nlink);
	ck(st.st_uid == geteuid() && st.st_gid == getegid(), "new file owned by euid/egid",
	   "uid %u gid %u", st.st_uid, st.st_gid);
	ck(st.st_blksize > 0, "st_blksize positive", "st_blksize %ld", (long)st.st_blksize);
	close(fd);

	ck_err(openat(dfd, "oc", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
	       "O_CREAT|O_EXCL on existing file -> EEXIST");
	fd = openat(dfd, "oc", O_CREAT | O_RDWR, 0600);
	ck_ok(fd, "O_CREAT without O_EXCL opens existing file");
	fstat(fd, &st);
	ck((st.st_mode & 07777) == 0644, "O_CREAT on existing file keeps its mode", "mode 0%o",
	   st.st_mode & 07777);
	write_all(fd, "hello", 5, 0);
	close(fd);

	snprintf(path, sizeof(path), "%s/oc", tdir);
	fd = creat(path, 0644);
	ck_ok(fd, "creat() on existing file");
	fstat(fd, &st);
	ck_eq(st.st_size, 0, "creat() truncates existing file");
	close(fd);

	ck_err(openat(dfd, "oc_missing", O_RDONLY), ENOENT, "open missing file -> ENOENT");
	ck_err(openat(dfd, "oc", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file -> ENOTDIR");
	mkdirat(dfd, "oc_dir", 0755);
	ck_err(openat(dfd, "oc_dir", O_WRONLY), EISDIR, "open directory O_WRONLY -> EISDIR");
	ck_err(openat(dfd, "oc_dir", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
	       "O_CREAT|O_EXCL on existing directory -> EEXIST");
	symlinkat("oc_nowhere", dfd, "oc_dangling");
	ck_err(openat(dfd, "oc_dangling", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST,
	       "O_CREAT|O_EXCL on dangling symlink -> EEXIST");
	ck(!exists(dfd, "oc_nowhere"), "O_CREAT|O_EXCL did not create the symlink target", "it exists");
	fd = openat(dfd, "oc_dangling", O_CREAT | O_RDWR, 0644);
	ck(fd >= 0 && exists(dfd, "oc_nowhere"), "O_CREAT through dangling symlink creates target",
	   "fd %d: %s", fd, strerror(errno));
	if (fd >= 0)
		close(fd);

	/* Two descriptors of one file share the data. */
	fd = openat(dfd, "oc2", O_CREAT | O_RDWR, 0644);
	fd2 = openat(dfd, "oc2", O_RDONLY);
	if (fd >= 0 && fd2 >= 0) {
		char b[8] = "";

		write_all(fd, "shared", 6, 0);
		ck(pread(fd2, b, 8, 0) == 6 && !memcmp(b, "shared", 6), "second fd sees written data",
		   "read '%.6s'", b);
	} else {
		fail("second fd sees written data", "open: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

/* ---- read / write / lseek ---------------------------------------------------- */

static void test_read_write(void)
{
	size_t n = 10000;
	unsigned char *w = xmalloc(n), *r = xmalloc(n + 100);
	struct stat st;
	char c;
	int fd;

	fill(w, n, 1);
	fd = openat(dfd, "rw", O_CREAT | O_RDWR, 0644);
	ck_eq(write(fd, w, 3000), 3000, "write 3000 bytes");
	ck_eq(write(fd, w + 3000, n - 3000), n - 3000, "write 7000 more bytes");
	ck_eq(lseek(fd, 0, SEEK_CUR), n, "offset after writes = 10000");
	ck_eq(lseek(fd, 0, SEEK_END), n, "SEEK_END = size");
	ck_eq(read(fd, &c, 1), 0, "read at EOF returns 0");
	ck_eq(lseek(fd, 0, SEEK_SET), 0, "SEEK_SET 0");
	ck_eq(read(fd, r, n + 100), n, "read whole file returns its size");
	ck_mem(r, w, n, "read back matches written data");
	ck_eq(pread(fd, r, 100, n + 5), 0, "pread past EOF returns 0");
	ck_eq(pread(fd, r, 100, n - 40), 40, "pread across EOF is short");
	lseek(fd, 123, SEEK_SET);
	ck_eq(pwrite(fd, "XY", 2, 5000), 2, "pwrite 2 bytes");
	ck_eq(lseek(fd, 0, SEEK_CUR), 123, "pwrite does not move the offset");
	memcpy(w + 5000, "XY", 2);
	ck_eq(pread(fd, r, n, 0), n, "pread whole file");
	ck_mem(r, w, n, "pwrite landed at its offset only");
	ck_eq(lseek(fd, -5, SEEK_END), n - 5, "SEEK_END -5");
	ck_eq(lseek(fd, 10, SEEK_CUR), n + 5, "SEEK_CUR past EOF allowed");
	ck_err(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to negative offset -> EINVAL");
	ck_err(lseek(fd, 0, 12345), EINVAL, "lseek with bad whence -> EINVAL");

	/* Write past EOF leaves a hole that reads as zeros. */
	ck_eq(pwrite(fd, "Z", 1, n + 20000), 1, "write 20000 bytes past EOF");
	fstat(fd, &st);
	ck_eq(st.st_size, n + 20001, "size after write past EOF");
	free(r);
	r = xmalloc(20000);
	ck_eq(pread(fd, r, 20000, n), 20000, "read the hole");
	ck_zero(r, 20000, "hole reads as zeros");
	ck_err(write(-1, "x", 1), EBADF, "write to bad fd -> EBADF");
	close(fd);

	fd = openat(dfd, "rw", O_RDONLY);
	ck_err(write(fd, "x", 1), EBADF, "write to O_RDONLY fd -> EBADF");
	close(fd);
	fd = openat(dfd, "rw", O_WRONLY);
	ck_err(read(fd, r, 1), EBADF, "read from O_WRONLY fd -> EBADF");
	close(fd);
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
	ck_err(read(fd, r, 1), EISDIR, "read() on a directory -> EISDIR");
	close(fd);
	free(w);
	free(r);
}

static void test_seek_data_hole(void)
{
	off_t mib = 1 << 20, size = mib + 4096, o;
	char buf[4096];
	int fd = openat(dfd, "sdh", O_CREAT | O_RDWR, 0644);

	fill(buf, sizeof(buf), 2);
	write_all(fd, buf, 4096, 0);
	write_all(fd, buf, 4096, mib);
	o = lseek(fd, 0, SEEK_DATA);
	if (o < 0 && errno == EINVAL) {
		skip("SEEK_DATA/SEEK_HOLE", "not supported");
		close(fd);
		return;
	}
	ck_eq(o, 0, "SEEK_DATA from 0 -> 0");
	o = lseek(fd, 0, SEEK_HOLE);
	ck_eq(o, fs_bsize > 4096 ? (off_t)fs_bsize : 4096, "SEEK_HOLE from 0 -> end of the first data");
	o = lseek(fd, 8192, SEEK_DATA);
	ck_eq(o, mib, "SEEK_DATA from inside the hole -> the next data, 1 MiB");
	ck_eq(lseek(fd, 8192, SEEK_HOLE), 8192, "SEEK_HOLE inside the hole -> same offset");
	ck_eq(lseek(fd, mib + 100, SEEK_DATA), mib + 100, "SEEK_DATA inside data -> same offset");
	ck_eq(lseek(fd, size - 1, SEEK_HOLE), size, "SEEK_HOLE in last data -> EOF");
	ck_err(lseek(fd, size, SEEK_DATA), ENXIO, "SEEK_DATA at EOF -> ENXIO");
	ck_err(lseek(fd, size + 10, SEEK_HOLE), ENXIO, "SEEK_HOLE past EOF -> ENXIO");
	close(fd);
}

/* FALLOC_FL_PUNCH_HOLE and FALLOC_FL_ZERO_RANGE: exact bytes, blocks, holes. */
static void test_punch_zero(void)
{
	off_t bs = fs_bsize, size = 1 << 20, off = 2 * bs + 100, len = 5 * bs;
	off_t hole0 = 3 * bs, hole1 = (off + len) / bs * bs;	/* the whole blocks freed */
	unsigned char *w = xmalloc(size), *r = xmalloc(size);
	struct stat st0, st;
	int fd = openat(dfd, "punch", O_CREAT | O_RDWR, 0644), rc;

	fill(w, size, 61);
	write_all(fd, w, size, 0);
	fsync(fd);
	fstat(fd, &st0);
	rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	if (!ck_ok(rc, "PUNCH_HOLE across partial and whole blocks"))
		goto out;
	fstat(fd, &st);
	ck_eq(st.st_size, size, "PUNCH_HOLE keeps the size");
	ck_eq(st0.st_blocks - st.st_blocks, (hole1 - hole0) / 512, "PUNCH_HOLE frees exactly the whole blocks");
	ck_eq(read_all(fd, r, size, 0), size, "read the punched file");
	ck_mem(r, w, off, "bytes before the hole unchanged");
	ck_zero(r + off, len, "the punched range reads zeros");
	ck_mem(r + off + len, w + off + len, size - off - len, "bytes after the hole unchanged");
	ck_eq(lseek(fd, 0, SEEK_HOLE), hole0, "SEEK_HOLE finds the punched blocks");
	ck_eq(lseek(fd, hole0, SEEK_DATA), hole1, "SEEK_DATA skips them");

	ck_ok(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len), "PUNCH_HOLE again is a no-op");
	ck_err(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, bs), EOPNOTSUPP, "PUNCH_HOLE without KEEP_SIZE -> EOPNOTSUPP");

	/* ZERO_RANGE: zeros, allocated, inside and past EOF */
	fstat(fd, &st0);
	ck_ok(fallocate(fd, FALLOC_FL_ZERO_RANGE, 100 * bs + 10, 10 * bs), "ZERO_RANGE inside the file");
	fstat(fd, &st);
	ck_eq(st.st_blocks, st0.st_blocks, "ZERO_RANGE over data keeps it allocated");
	ck_eq(read_all(fd, r, size, 0), size, "read after ZERO_RANGE");
	ck_zero(r + 100 * bs + 10, 10 * bs, "the zeroed range reads zeros");
	ck_mem(r + 110 * bs + 10, w + 110 * bs + 10, size - 110 * bs - 10, "bytes after it unchanged");
	ck_mem(r + off + len, w + off + len, 100 * bs + 10 - off - len, "bytes before it unchanged");
	ck_ok(fallocate(fd, FALLOC_FL_ZERO_RANGE, hole0, hole1 - hole0), "ZERO_RANGE over a hole");
	fstat(fd, &st0);
	/* (ext4 may add an extent block) */
	ck(st0.st_blocks >= st.st_blocks + (hole1 - hole0) / 512 &&
	   st0.st_blocks <= st.st_blocks + (hole1 - hole0 + bs) / 512, "ZERO_RANGE allocates the hole",
	   "st_blocks %lld -> %lld", (long long)st.st_blocks, (long long)st0.st_blocks);
	ck_ok(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, size, 4 * bs),
	      "ZERO_RANGE KEEP_SIZE past EOF");
	fstat(fd, &st);
	ck_eq(st.st_size, size, "KEEP_SIZE keeps the size");
	ck_ok(fallocate(fd, FALLOC_FL_ZERO_RANGE, size, 2 * bs + 7), "ZERO_RANGE past EOF");
	fstat(fd, &st);
	ck_eq(st.st_size, size + 2 * bs + 7, "ZERO_RANGE past EOF sets the size");
	ck_eq(pread(fd, r, 2 * bs + 7, size), 2 * bs + 7, "read the new tail");
	ck_zero(r, 2 * bs + 7, "the new tail reads zeros");

	/* a punch that empties a triple-indirect subtree */
	ck_ok(ftruncate(fd, 0), "truncate to 0");
	write_all(fd, w, bs, 0);
	write_all(fd, w, bs, (off_t)3 << 30);
	fstat(fd, &st0);
	ck_ok(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, bs, ((off_t)4 << 30) - bs),
	      "PUNCH_HOLE of 4 GiB over a block at 3 GiB");
	fstat(fd, &st);
	ck_eq(st.st_blocks, bs / 512, "the block at 3 GiB and its indirect blocks are freed");
	ck_eq(lseek(fd, bs, SEEK_DATA), -1, "no data after the first block");
	ck_eq(pread(fd, r, bs, (off_t)3 << 30), bs, "read where the block was");
	ck_zero(r, bs, "it reads zeros");
	ck_ok(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, st.st_size), "punch everything");
	fstat(fd, &st);
	ck_eq(st.st_blocks, 0, "a fully punched file holds no block");
out:
	close(fd);
	free(w);
	free(r);
}

/* Drop the clean page cache (root only; a no-op otherwise) so reads come from disk. */
static void drop_caches(int fd)
{
	int dc;

	fsync(fd);
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc >= 0) {
		if (write(dc, "3", 1) != 1)
			fprintf(stderr, "# drop_caches: %s\n", strerror(errno));
		close(dc);
	}
}

/*
 * FALLOC_FL_COLLAPSE_RANGE and FALLOC_FL_INSERT_RANGE: the bytes after the
 * offset move by whole blocks, nothing is allocated or lost, a round trip
 * through a double-indirect offset gives the file and its block count back.
 */
static void test_collapse_insert(void)
{
	off_t bs = fs_bsize, size = 256 * bs, big = 300000 * bs;
	unsigned char *w = xmalloc(size + 64 * bs), *m = xmalloc(size + 64 * bs);
	unsigned char *r = xmalloc(size + 64 * bs);
	struct stat st0, st;
	int fd = openat(dfd, "shift", O_CREAT | O_RDWR | O_TRUNC, 0644), rc;

	if (!ck(fd >= 0, "create shift", "%s", strerror(errno)))
		goto out;
	fill(w, size, 71);
	write_all(fd, w, size, 0);
	fsync(fd);
	fstat(fd, &st0);

	/* collapse 24 blocks at block 8 */
	if (!ck_ok(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 8 * bs, 24 * bs),
		   "COLLAPSE_RANGE of 24 blocks at block 8"))
		goto out;
	memcpy(m, w, size);
	memmove(m + 8 * bs, m + 32 * bs, size - 32 * bs);
	fstat(fd, &st);
	ck_eq(st.st_size, size - 24 * bs, "COLLAPSE_RANGE shrinks the size by the range");
	ck_eq(st0.st_blocks - st.st_blocks, 24 * bs / 512, "COLLAPSE_RANGE frees exactly the range");
	ck_eq(read_all(fd, r, size, 0), size - 24 * bs, "read the collapsed file");
	ck_mem(r, m, size - 24 * bs, "the bytes after the range moved down");
	drop_caches(fd);
	ck_eq(read_all(fd, r, size, 0), size - 24 * bs, "read it again from disk");
	ck_mem(r, m, size - 24 * bs, "the moved bytes are on disk");

	/* insert 40 blocks at block 5: direct blocks move into the indirect ones */
	fstat(fd, &st0);
	if (!ck_ok(fallocate(fd, FALLOC_FL_INSERT_RANGE, 5 * bs, 40 * bs),
		   "INSERT_RANGE of 40 blocks at block 5"))
		goto out;
	memmove(m + 45 * bs, m + 5 * bs, size - 29 * bs);
	memset(m + 5 * bs, 0, 40 * bs);
	fstat(fd, &st);
	ck_eq(st.st_size, size + 16 * bs, "INSERT_RANGE grows the size by the range");
	/* (with blocks smaller than 4 KiB the moved tail may need a new indirect block) */
	ck(st.st_blocks >= st0.st_blocks && st.st_blocks <= st0.st_blocks + 2 * bs / 512,
	   "INSERT_RANGE allocates no data block", "st_blocks %lld -> %lld",
	   (long long)st0.st_blocks, (long long)st.st_blocks);
	drop_caches(fd);
	ck_eq(read_all(fd, r, size + 16 * bs, 0), size + 16 * bs, "read the file after the insert");
	ck_mem(r, m, size + 16 * bs, "the inserted range reads zeros, the rest moved up");
	ck_eq(lseek(fd, 0, SEEK_HOLE), 5 * bs, "SEEK_HOLE finds the inserted hole");
	ck_eq(lseek(fd, 5 * bs, SEEK_DATA), 45 * bs, "SEEK_DATA skips it");

	/* bad calls change nothing */
	ck_err(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 1, bs), EINVAL, "COLLAPSE_RANGE unaligned -> EINVAL");
	ck_err(fallocate(fd, FALLOC_FL_INSERT_RANGE, bs, bs + 1), EINVAL, "INSERT_RANGE unaligned length -> EINVAL");
	ck_err(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, bs, size + 15 * bs), EINVAL,
	       "COLLAPSE_RANGE reaching EOF -> EINVAL");
	ck_err(fallocate(fd, FALLOC_FL_INSERT_RANGE, size + 16 * bs, bs), EINVAL,
	       "INSERT_RANGE at EOF -> EINVAL");
	/* refused by the VFS: EINVAL on 6.1 and 6.12, EOPNOTSUPP on newer kernels */
	rc = fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, bs);
	ck(rc == -1 && (errno == EINVAL || errno == EOPNOTSUPP), "COLLAPSE_RANGE with KEEP_SIZE -> EINVAL",
	   "rc %d errno %d", rc, errno);
	ck_err(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, (off_t)1 << 62), EFBIG,
	       "INSERT_RANGE past the largest file -> EFBIG");
	fstat(fd, &st0);
	ck_eq(st0.st_size, size + 16 * bs, "the refused calls keep the size");
	ck_eq(st0.st_blocks, st.st_blocks, "the refused calls keep the blocks");
	ck_eq(read_all(fd, r, size + 16 * bs, 0), size + 16 * bs, "read after the refused calls");
	ck_mem(r, m, size + 16 * bs, "the refused calls keep the bytes");

	/* a sparse file across indirection levels, there and back */
	ck_ok(ftruncate(fd, 0), "truncate to 0");
	write_all(fd, w, bs, 0);
	write_all(fd, w + bs, bs, 10 * bs);
	write_all(fd, w + 2 * bs, bs, 600 * bs);
	write_all(fd, w + 3 * bs, bs, big);
	ck_ok(fallocate(fd, FALLOC_FL_KEEP_SIZE, big + 2 * bs, 2 * bs), "preallocate past EOF");
	fsync(fd);
	fstat(fd, &st0);
	if (!ck_ok(fallocate(fd, FALLOC_FL_INSERT_RANGE, bs, 100000 * bs),
		   "INSERT_RANGE of 100000 blocks into a sparse file"))
		goto out;
	fstat(fd, &st);
	ck_eq(st.st_size, big + bs + 100000 * bs, "the sparse file grew by the range");
	drop_caches(fd);
	ck_eq(pread(fd, r, bs, 100010 * bs), bs, "read the block moved from 10");
	ck_mem(r, w + bs, bs, "block 10 is at 100010");
	ck_eq(pread(fd, r, bs, 100600 * bs), bs, "read the block moved from 600");
	ck_mem(r, w + 2 * bs, bs, "block 600 is at 100600");
	ck_eq(pread(fd, r, bs, big + 100000 * bs), bs, "read the far block moved");
	ck_mem(r, w + 3 * bs, bs, "the block at 300000 is at 400000");
	ck_eq(lseek(fd, bs, SEEK_DATA), 100010 * bs, "the inserted range is a hole");
	ck_ok(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, bs, 100000 * bs), "COLLAPSE_RANGE it again");
	fstat(fd, &st);
	ck_eq(st.st_size, big + bs, "the size is back");
	ck_eq(st.st_blocks, st0.st_blocks, "the blocks are back (no indirect block left behind)");
	drop_caches(fd);
	ck_eq(pread(fd, r, bs, 600 * bs), bs, "read block 600");
	ck_mem(r, w + 2 * bs, bs, "block 600 is back");
	ck_eq(pread(fd, r, bs, big), bs, "read block 300000");
	ck_mem(r, w + 3 * bs, bs, "block 300000 is back");
	ck_eq(lseek(fd, 11 * bs, SEEK_DATA), 600 * bs, "the holes are back");
out:
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, "shift", 0);
	free(w);
	free(m);
	free(r);
}

/* chattr/lsattr: FS_IOC_GETFLAGS/SETFLAGS, FS_IOC_FSGETXATTR/FSSETXATTR, and what i and a forbid. */
static void test_inode_flags(void)
{
	struct fsxattr fx;
	int fd, dfd2, fl = 0, rc;

	if (!root_checks) {
		skip("inode flags", "needs root (CAP_LINUX_IMMUTABLE)");
		return;
	}
	fd = openat(dfd, "flags", O_CREAT | O_RDWR, 0644);
	rc = ioctl(fd, FS_IOC_GETFLAGS, &fl);
	if (rc && errno == ENOTTY) {
		skip("inode flags", "FS_IOC_GETFLAGS not supported");
		close(fd);
		return;
	}
	ck_ok(rc, "FS_IOC_GETFLAGS");
	ck(!(fl & (FS_IMMUTABLE_FL | FS_APPEND_FL)), "a new file is neither immutable nor append-only",
	   "flags %#x", fl);
	write_all(fd, "abc", 3, 0);

	fl |= FS_IMMUTABLE_FL;
	ck_ok(ioctl(fd, FS_IOC_SETFLAGS, &fl), "chattr +i");
	fl = 0;
	ioctl(fd, FS_IOC_GETFLAGS, &fl);
	ck(fl & FS_IMMUTABLE_FL, "lsattr shows i", "flags %#x", fl);
	ck_err(pwrite(fd, "x", 1, 0), EPERM, "write to an immutable file through an open fd -> EPERM");
	ck_err(openat(dfd, "flags", O_WRONLY), EPERM, "open an immutable file for writing -> EPERM");
	ck_err(unlinkat(dfd, "flags", 0), EPERM, "unlink an immutable file -> EPERM");
	ck_err(renameat(dfd, "flags", dfd, "flags2"), EPERM, "rename an immutable file -> EPERM");
	ck_err(linkat(dfd, "flags", dfd, "flags3", 0), EPERM, "link to an immutable file -> EPERM");
	ck_err(fchmod(fd, 0600), EPERM, "chmod an immutable file -> EPERM");
	ck_err(ftruncate(fd, 0), EPERM, "truncate an immutable file -> EPERM");
	ck_err(fsetxattr(fd, "user.x", "1", 1, 0), EPERM, "setxattr on an immutable file -> EPERM");
	ck_err(fallocate(fd, 0, 0, 4096), EPERM, "fallocate on an immutable file -> EPERM");
	memset(&fx, 0, sizeof(fx));
	ck_ok(ioctl(fd, FS_IOC_FSGETXATTR, &fx), "FS_IOC_FSGETXATTR");
	ck(fx.fsx_xflags & FS_XFLAG_IMMUTABLE, "FSGETXATTR shows the immutable xflag", "xflags %#x",
	   fx.fsx_xflags);
	fl &= ~FS_IMMUTABLE_FL;
	ck_ok(ioctl(fd, FS_IOC_SETFLAGS, &fl), "chattr -i");
	ck_eq(pwrite(fd, "x", 1, 0), 1, "writable again after chattr -i");

	fl |= FS_APPEND_FL;
	ck_ok(ioctl(fd, FS_IOC_SETFLAGS, &fl), "chattr +a");
	ck_err(openat(dfd, "flags", O_WRONLY), EPERM, "open an append-only file without O_APPEND -> EPERM");
	rc = openat(dfd, "flags", O_WRONLY | O_APPEND);
	ck(rc >= 0 && write(rc, "yz", 2) == 2, "O_APPEND write to an append-only file", "%s",
	   strerror(errno));
	if (rc >= 0)
		close(rc);
	ck_err(ftruncate(fd, 0), EPERM, "truncate an append-only file -> EPERM");
	ck_err(unlinkat(dfd, "flags", 0), EPERM, "unlink an append-only file -> EPERM");
	fl &= ~FS_APPEND_FL;
	ck_ok(ioctl(fd, FS_IOC_SETFLAGS, &fl), "chattr -a");
	{
		struct stat st;

		fstat(fd, &st);
		ck_eq(st.st_size, 5, "the appended bytes are there");
	}

	/* flags VexFS does not have are refused, not dropped */
	rc = fl | FS_NOCOW_FL;
	ck_err(ioctl(fd, FS_IOC_SETFLAGS, &rc), EOPNOTSUPP, "chattr +C (no copy-on-write) -> EOPNOTSUPP");
	memset(&fx, 0, sizeof(fx));
	ioctl(fd, FS_IOC_FSGETXATTR, &fx);
	fx.fsx_xflags |= FS_XFLAG_NODUMP;
	ck_ok(ioctl(fd, FS_IOC_FSSETXATTR, &fx), "FSSETXATTR sets the nodump xflag");
	fl = 0;
	ioctl(fd, FS_IOC_GETFLAGS, &fl);
	ck(fl & FS_NODUMP_FL, "... seen as d by lsattr", "flags %#x", fl);
	{
		/* statx reports the flags it knows, and that it knows them (generic/424) */
		struct statx stx;

		ck_ok(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), "statx of the flagged file");
		ck(stx.stx_attributes & STATX_ATTR_NODUMP, "statx attributes show nodump",
		   "attributes %#llx", (unsigned long long)stx.stx_attributes);
		ck((stx.stx_attributes_mask & (STATX_ATTR_NODUMP | STATX_ATTR_APPEND |
					       STATX_ATTR_IMMUTABLE)) ==
		   (STATX_ATTR_NODUMP | STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE),
		   "statx attributes_mask has nodump, append and immutable", "mask %#llx",
		   (unsigned long long)stx.stx_attributes_mask);
		ck(!(stx.stx_attributes & (STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE)),
		   "statx shows no append or immutable once cleared", "attributes %#llx",
		   (unsigned long long)stx.stx_attributes);
	}
	fx.fsx_projid = 5;
	ck_err(ioctl(fd, FS_IOC_FSSETXATTR, &fx), EOPNOTSUPP, "FSSETXATTR of a project id -> EOPNOTSUPP");
	close(fd);

	/* a directory's A and S pass to what is created in it */
	ck_ok(mkdirat(dfd, "flagdir", 0755), "mkdir flagdir");
	dfd2 = openat(dfd, "flagdir", O_RDONLY | O_DIRECTORY);
	fl = 0;
	ioctl(dfd2, FS_IOC_GETFLAGS, &fl);
	fl |= FS_NOATIME_FL | FS_SYNC_FL;
	ck_ok(ioctl(dfd2, FS_IOC_SETFLAGS, &fl), "chattr +AS on a directory");
	fd = openat(dfd2, "child", O_CREAT | O_RDWR, 0644);
	fl = 0;
	ioctl(fd, FS_IOC_GETFLAGS, &fl);
	ck((fl & (FS_NOATIME_FL | FS_SYNC_FL)) == (FS_NOATIME_FL | FS_SYNC_FL),
	   "a new file inherits A and S", "flags %#x", fl);
	close(fd);
	close(dfd2);
}

/* ---- POSIX ACLs (raw system.posix_acl_* values: no libacl in the static guest) ---- */

struct acl_ent {
	uint16_t tag, perm;
	uint32_t id;
};

static size_t acl_value(unsigned char *buf, const struct acl_ent *e, int n)
{
	uint32_t v = 2;		/* POSIX_ACL_XATTR_VERSION, little-endian on x86 */
	int i;

	memcpy(buf, &v, 4);
	for (i = 0; i < n; i++)
		memcpy(buf + 4 + 8 * i, &e[i], 8);
	return 4 + 8 * (size_t)n;
}

/* In a child as uid/gid 1000: 0 when open(@path, @flags) works, else errno. */
static int open_as(int dir, const char *path, int flags)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(99);
		fd = openat(dir, path, flags, 0666);
		_exit(fd < 0 ? errno : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

static void test_posix_acl(void)
{
	const uint32_t none = 0xffffffffu;
	struct acl_ent access[] = {
		{ 0x01, 6, none }, { 0x02, 4, 1000 }, { 0x04, 0, none }, { 0x10, 4, none },
		{ 0x20, 0, none },
	};
	struct acl_ent dflt[] = {
		{ 0x01, 7, none }, { 0x02, 7, 1000 }, { 0x04, 5, none }, { 0x10, 7, none },
		{ 0x20, 0, none },
	};
	unsigned char val[64], got[64], list[512];
	size_t len;
	ssize_t n;
	struct stat st;
	int fd, sd;

	if (!root_checks) {
		skip("POSIX ACLs", "needs root (another uid)");
		return;
	}
	fd = openat(dfd, "acl", O_CREAT | O_RDWR, 0600);
	write_all(fd, "secret", 6, 0);
	len = acl_value(val, access, 5);
	if (fsetxattr(fd, "system.posix_acl_access", val, len, 0) && errno == EOPNOTSUPP) {
		skip("POSIX ACLs", "not supported");
		close(fd);
		return;
	}
	ck_eq(open_as(dfd, ".", O_RDONLY), 0, "uid 1000 can search the test directory");
	ck_eq(open_as(dfd, "acl", O_RDONLY), 0, "an ACL entry lets uid 1000 read a 0600 file");
	ck_eq(open_as(dfd, "acl", O_WRONLY), EACCES, "... but not write it (the entry says r)");
	fstat(fd, &st);
	ck_eq(st.st_mode & 07777, 0640, "the mode's group bits show the ACL mask");
	n = fgetxattr(fd, "system.posix_acl_access", got, sizeof(got));
	ck(n == (ssize_t)len && !memcmp(got, val, len), "getxattr returns the ACL as set", "%zd bytes", n);
	n = flistxattr(fd, (char *)list, sizeof(list));
	ck(n > 0 && memmem(list, n, "system.posix_acl_access", 24), "listxattr names the ACL",
	   "%zd bytes", n);

	ck_ok(fchmod(fd, 0600), "chmod 0600");
	ck_eq(open_as(dfd, "acl", O_RDONLY), EACCES, "chmod's group bits mask the ACL entry");
	n = fgetxattr(fd, "system.posix_acl_access", got, sizeof(got));
	ck(n == (ssize_t)len && got[4 + 3 * 8 + 2] == 0, "the stored mask follows chmod", "%zd bytes", n);
	ck_ok(fremovexattr(fd, "system.posix_acl_access"), "remove the ACL");
	ck_err(fgetxattr(fd, "system.posix_acl_access", got, sizeof(got)), ENODATA, "the ACL is gone");
	ck_err(fsetxattr(fd, "system.posix_acl_default", val, len, 0), EACCES,
	       "a default ACL on a file -> EACCES");
	memcpy(got, val, len);
	got[4] = 0x40;		/* an unknown tag */
	ck_err(fsetxattr(fd, "system.posix_acl_access", got, len, 0), EINVAL, "a malformed ACL -> EINVAL");
	close(fd);

	/* default ACLs: inherited by what is created in the directory, umask ignored */
	ck_ok(mkdirat(dfd, "acldir", 0755), "mkdir acldir");
	sd = openat(dfd, "acldir", O_RDONLY | O_DIRECTORY);
	len = acl_value(val, dflt, 5);
	ck_ok(fsetxattr(sd, "system.posix_acl_default", val, len, 0), "set a default ACL on a directory");
	fd = openat(sd, "f", O_CREAT | O_RDWR, 0666);
	fstat(fd, &st);
	ck_eq(st.st_mode & 07777, 0660, "a new file's mode comes from the default ACL, not the umask");
	n = fgetxattr(fd, "system.posix_acl_access", got, sizeof(got));
	ck(n == (ssize_t)len && got[4 + 8 + 2] == 7 && got[4 + 3 * 8 + 2] == 6,
	   "the new file has the inherited access ACL (mask rw- from the mode)", "%zd bytes", n);
	ck_err(fgetxattr(fd, "system.posix_acl_default", got, sizeof(got)), ENODATA,
	       "a file inherits no default ACL");
	close(fd);
	ck_eq(open_as(sd, "f", O_WRONLY), 0, "the inherited entry lets uid 1000 write the new file");
	ck_ok(mkdirat(sd, "sub", 0777), "mkdir in it");
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/acldir/sub", tdir);
		n = getxattr(p, "system.posix_acl_default", got, sizeof(got));
		ck(n == (ssize_t)len && !memcmp(got, val, len), "a new directory inherits the default ACL",
		   "%zd bytes", n);
	}
	close(sd);
}

/* FITRIM: free space discarded, data kept, bad ranges refused. */
/* fallocate that would grow a file past RLIMIT_FSIZE: EFBIG, nothing allocated */
static void test_fallocate_rlimit(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct stat st;
	pid_t pid;
	int status, fd;

	fd = openat(dfd, "falloc_rlimit", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (!ck(fd >= 0, "create falloc_rlimit", "%s", strerror(errno)))
		return;
	pid = fork();
	if (pid == 0) {
		int r = 0;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(99);
		if (!(fallocate(fd, 0, 0, 2 << 20) < 0 && errno == EFBIG))
			r |= 1;
		if (!(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 2 << 20) < 0 && errno == EFBIG))
			r |= 2;
		if (fallocate(fd, 0, 0, 512 << 10))
			r |= 4;
		_exit(r);
	}
	waitpid(pid, &status, 0);
	if (!ck(WIFEXITED(status) && WEXITSTATUS(status) != 99, "fallocate under RLIMIT_FSIZE ran",
		"status 0x%x", status)) {
		close(fd);
		return;
	}
	status = WEXITSTATUS(status);
	ck(!(status & 1), "fallocate past RLIMIT_FSIZE -> EFBIG", "allowed");
	ck(!(status & 2), "ZERO_RANGE past RLIMIT_FSIZE -> EFBIG", "allowed");
	ck(!(status & 4), "fallocate inside RLIMIT_FSIZE works", "refused");
	fstat(fd, &st);
	ck(st.st_size == 512 << 10 && st.st_blocks <= (1 << 20) / 512,
	   "the refused calls allocated nothing", "size %lld, %lld sectors",
	   (long long)st.st_size, (long long)st.st_blocks);
	close(fd);
}

static void test_fitrim(void)
{
	struct fstrim_range r = { 0, UINT64_MAX, 0 };
	unsigned char w[65536], rd[65536];
	struct statvfs sv;
	int fd, rc;

	if (!root_checks) {
		skip("FITRIM", "needs CAP_SYS_ADMIN");
		return;
	}
	fd = openat(dfd, "trimmed", O_CREAT | O_RDWR, 0644);
	fill(w, sizeof(w), 71);
	write_all(fd, w, sizeof(w), 0);
	fsync(fd);
	rc = ioctl(dfd, FITRIM, &r);
	if (rc && (errno == EOPNOTSUPP || errno == ENOTTY)) {
		skip("FITRIM", "no discard on this device");
		close(fd);
		return;
	}
	ck_ok(rc, "FITRIM of the whole filesystem");
	fstatvfs(dfd, &sv);
	ck(r.len > 0 && r.len <= (uint64_t)sv.f_blocks * sv.f_frsize, "FITRIM reports the bytes it trimmed",
	   "%llu of %llu", (unsigned long long)r.len,
	   (unsigned long long)sv.f_blocks * sv.f_frsize);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	ck_eq(pread(fd, rd, sizeof(rd), 0), sizeof(rd), "read the file after FITRIM");
	ck_mem(rd, w, sizeof(rd), "FITRIM left the file's data");
	r = (struct fstrim_range){ 1ULL << 62, UINT64_MAX, 0 };
	ck_err(ioctl(dfd, FITRIM, &r), EINVAL, "FITRIM starting past the end -> EINVAL");
	r = (struct fstrim_range){ 0, 100, 0 };
	ck_err(ioctl(dfd, FITRIM, &r), EINVAL, "FITRIM shorter than a block -> EINVAL");
	r = (struct fstrim_range){ 0, UINT64_MAX, UINT64_MAX / 2 };
	ck_err(ioctl(dfd, FITRIM, &r), EINVAL, "FITRIM with a minimum run larger than a group -> EINVAL");
	close(fd);
}

/* O_DIRECT: aligned I/O through the block device, coherent with the page cache. */
static void test_direct_io(void)
{
	size_t len = 64 << 10;
	unsigned char *w, *r, *p;
	struct stat st0, st;
	int fd, bfd, flags;

	fd = openat(dfd, "dio", O_CREAT | O_RDWR | O_DIRECT, 0644);
	if (!ck(fd >= 0, "open O_DIRECT", "%s", strerror(errno)))
		return;
	bfd = openat(dfd, "dio", O_RDWR);
	if (posix_memalign((void **)&w, 4096, len + 4096) ||
	    posix_memalign((void **)&r, 4096, len + 4096))
		abort();
	fill(w, len, 41);
	ck_eq(pwrite(fd, w, len, 0), len, "O_DIRECT write extending an empty file");
	memset(r, 0, len);
	ck_eq(pread(fd, r, len, 0), len, "O_DIRECT read back");
	ck_mem(r, w, len, "O_DIRECT read returns what O_DIRECT wrote");

	/* a cached copy must not hide a direct overwrite */
	ck_eq(pread(bfd, r, len, 0), len, "buffered read caches the file");
	fill(w, 8192, 42);
	ck_eq(pwrite(fd, w, 8192, 16384), 8192, "O_DIRECT overwrite of allocated blocks");
	ck_eq(pread(bfd, r, 8192, 16384), 8192, "buffered read after the overwrite");
	ck_mem(r, w, 8192, "the page cache sees the direct overwrite");

	/* dirty cached data must reach a direct read */
	fill(w, 4096, 43);
	ck_eq(pwrite(bfd, w, 4096, 32768), 4096, "buffered write, not synced");
	ck_eq(pread(fd, r, 4096, 32768), 4096, "O_DIRECT read of a dirty range");
	ck_mem(r, w, 4096, "O_DIRECT read sees the dirty page cache data");

	/* holes: read as zeros, filled by a direct write */
	ck_ok(ftruncate(bfd, 1 << 20), "extend to 1 MiB (a hole)");
	ck_eq(pread(fd, r, 8192, 512 << 10), 8192, "O_DIRECT read of a hole");
	ck_zero(r, 8192, "a hole reads as zeros through O_DIRECT");
	fstat(fd, &st0);
	fill(w, 8192, 44);
	ck_eq(pwrite(fd, w, 8192, 512 << 10), 8192, "O_DIRECT write into a hole");
	fstat(fd, &st);
	ck(st.st_blocks >= st0.st_blocks + 16, "the hole is allocated", "st_blocks %lld -> %lld",
	   (long long)st0.st_blocks, (long long)st.st_blocks);
	ck_eq(pread(bfd, r, 8192, 512 << 10), 8192, "buffered read of the filled hole");
	ck_mem(r, w, 8192, "the filled hole holds the direct write");
	ck_eq(st.st_size, 1 << 20, "a write inside the file keeps its size");

	/* a write that spans allocated blocks and a hole */
	fill(w, 16384, 45);
	ck_eq(pwrite(fd, w, 16384, (512 << 10) - 8192), 16384, "O_DIRECT write over data then hole");
	ck_eq(pread(fd, r, 16384, (512 << 10) - 8192), 16384, "read it back");
	ck_mem(r, w, 16384, "data and filled hole both hold the write");

	/* EOF */
	ck_eq(pread(fd, r, 4096, 1 << 20), 0, "O_DIRECT read at EOF returns 0");
	ck_ok(ftruncate(bfd, (1 << 20) + 1000), "size not block aligned");
	ck_eq(pread(fd, r, 8192, 1 << 20), 1000, "O_DIRECT read past EOF is short, to EOF");

	/* alignment: the device's logical block size */
	ck_err(pwrite(fd, w, 4096, 100), EINVAL, "O_DIRECT write at an unaligned offset -> EINVAL");
	ck_err(pwrite(fd, w + 1, 4096, 0), EINVAL, "O_DIRECT write from an unaligned buffer -> EINVAL");
	ck_err(pwrite(fd, w, 100, 0), EINVAL, "O_DIRECT write of an unaligned length -> EINVAL");
	ck_err(pread(fd, r, 4096, 100), EINVAL, "O_DIRECT read at an unaligned offset -> EINVAL");
	p = r + 1;
	ck_err(pread(fd, p, 4096, 0), EINVAL, "O_DIRECT read into an unaligned buffer -> EINVAL");

	ck_eq(pwrite(fd, w, 4096, 4 << 20), 4096, "O_DIRECT write past EOF extends the file");
	fstat(fd, &st);
	ck_eq(st.st_size, (4 << 20) + 4096, "size after the extending direct write");
	ck_eq(pread(fd, r, 4096, 2 << 20), 4096, "the gap it left reads");
	ck_zero(r, 4096, "the gap reads as zeros");

	/* write() moves the position by what it wrote, also where it went buffered */
	{
		int fd2 = openat(dfd, "dio2", O_CREAT | O_RDWR | O_DIRECT | O_TRUNC, 0644);

		ck_eq(write(fd2, w, 8192), 8192, "O_DIRECT write() extending a file");
		ck_eq(write(fd2, w, 8192), 8192, "a second one");
		ck_eq(lseek(fd2, 0, SEEK_CUR), 16384, "the file position moved by the bytes written");
		fstat(fd2, &st);
		ck_eq(st.st_size, 16384, "the size is what was written");
		close(fd2);
	}

	/* fcntl can turn it on */
	flags = fcntl(bfd, F_GETFL);
	ck_ok(fcntl(bfd, F_SETFL, flags | O_DIRECT), "fcntl F_SETFL O_DIRECT");
	ck(fcntl(bfd, F_GETFL) & O_DIRECT, "O_DIRECT set by fcntl", "flags %#x", fcntl(bfd, F_GETFL));
	close(bfd);
	close(fd);
	free(w);
	free(r);
}

/* FS_IOC_FIEMAP: the extents of a file with a hole, in order, the last flagged. */
static void test_fiemap(void)
{
	size_t sz = sizeof(struct fiemap) + 32 * sizeof(struct fiemap_extent);
	struct fiemap *fm = xmalloc(sz);
	off_t mib = 1 << 20;
	unsigned long long covered = 0, end = 0;
	unsigned char buf[65536];
	unsigned int i;
	bool order = true, inside = true;
	struct stat st;
	int fd = openat(dfd, "fiemap", O_CREAT | O_RDWR, 0644);

	fill(buf, sizeof(buf), 51);
	write_all(fd, buf, sizeof(buf), 0);
	write_all(fd, buf, 4096, mib);
	memset(fm, 0, sz);
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = 32;
	if (!ck_ok(ioctl(fd, FS_IOC_FIEMAP, fm), "FS_IOC_FIEMAP"))
		goto out;
	ck(fm->fm_mapped_extents >= 2, "FIEMAP finds both data regions", "%u extents",
	   fm->fm_mapped_extents);
	for (i = 0; i < fm->fm_mapped_extents && i < 32; i++) {
		struct fiemap_extent *e = &fm->fm_extents[i];

		order &= e->fe_logical >= end && e->fe_physical && e->fe_length;
		end = e->fe_logical + e->fe_length;
		inside &= (e->fe_logical + e->fe_length <= sizeof(buf)) ||
			  (e->fe_logical == (unsigned long long)mib && e->fe_length == 4096);
		covered += e->fe_length;
	}
	ck(order, "FIEMAP extents ascend, mapped, not empty", "at extent %u", i);
	ck(inside, "FIEMAP reports no extent in the hole", "%u extents", fm->fm_mapped_extents);
	ck_eq(covered, sizeof(buf) + 4096, "FIEMAP extents cover exactly the written bytes");
	if (fm->fm_mapped_extents)
		ck(fm->fm_extents[fm->fm_mapped_extents - 1].fe_flags & FIEMAP_EXTENT_LAST,
		   "the last extent is flagged LAST", "flags %#x",
		   fm->fm_extents[fm->fm_mapped_extents - 1].fe_flags);
	/* the count alone */
	i = fm->fm_mapped_extents;
	memset(fm, 0, sizeof(*fm));
	fm->fm_length = FIEMAP_MAX_OFFSET;
	ck_ok(ioctl(fd, FS_IOC_FIEMAP, fm), "FS_IOC_FIEMAP with no room counts extents");
	ck_eq(fm->fm_mapped_extents, i, "the count matches the listing");
	fm->fm_flags = 0x80000000u;
	ck_err(ioctl(fd, FS_IOC_FIEMAP, fm), EBADR, "FIEMAP with an unknown flag -> EBADR");

	/* FIEMAP_FLAG_XATTR: no extent without xattrs, then the xattr block (generic/425) */
	memset(fm, 0, sz);
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = FIEMAP_FLAG_XATTR;
	fm->fm_extent_count = 32;
	ck_ok(ioctl(fd, FS_IOC_FIEMAP, fm), "FIEMAP_FLAG_XATTR of a file without xattrs");
	ck_eq(fm->fm_mapped_extents, 0, "... no xattr extent");
	ck_ok(fsetxattr(fd, "user.fiemap", "v", 1, 0), "setxattr user.fiemap");
	fstat(fd, &st);
	memset(fm, 0, sz);
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = FIEMAP_FLAG_XATTR | FIEMAP_FLAG_SYNC;
	fm->fm_extent_count = 32;
	ck_ok(ioctl(fd, FS_IOC_FIEMAP, fm), "FIEMAP_FLAG_XATTR with an xattr");
	ck(fm->fm_mapped_extents == 1 && fm->fm_extents[0].fe_physical &&
	   fm->fm_extents[0].fe_length == (unsigned long long)st.st_blksize &&
	   (fm->fm_extents[0].fe_flags & FIEMAP_EXTENT_LAST),
	   "... one block-sized extent, flagged LAST", "%u extents", fm->fm_mapped_extents);
	fremovexattr(fd, "user.fiemap");
out:
	close(fd);
	free(fm);
}

/* Writes at offsets crossing block, indirect-level and 4 GiB boundaries. */
static void test_large_offsets(void)
{
	static const off_t offs[] = {
		0, 4095, 12 * 4096 - 3, (12 + 1024) * 4096LL - 3, (12 + 256) * 1024LL - 3,
		(12 + 256 + 65536) * 1024LL - 3, (1LL << 32) - 3, (1LL << 33) - 5,
	};
	char w[8], r[8], zero[4096], big[4096];
	struct stat st;
	unsigned int i;
	bool all = true, holes = true;
	int fd = openat(dfd, "large", O_CREAT | O_RDWR, 0644);
	off_t end = 0;

	memset(zero, 0, sizeof(zero));
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		fill(w, sizeof(w), 100 + i);
		if (write_all(fd, w, sizeof(w), offs[i]) != sizeof(w)) {
			fail("write at large offsets", "offset %lld: %s", (long long)offs[i], strerror(errno));
			close(fd);
			return;
		}
		if (offs[i] + 8 > end)
			end = offs[i] + 8;
	}
	pass("write 8 bytes at offsets up to 8 GiB");
	fsync(fd);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		fill(w, sizeof(w), 100 + i);
		if (pread(fd, r, 8, offs[i]) != 8 || memcmp(r, w, 8)) {
			all = false;
			fail("read back at large offsets", "offset %lld differs", (long long)offs[i]);
			break;
		}
		/* The 4 KiB before and after each write (if not another write) are zero. */
		if (i > 0 && offs[i] - offs[i - 1] > 8192 + 8) {
			if (pread(fd, big, 4096, offs[i] - 4096) != 4096 || memcmp(big, zero, 4096))
				holes = false;
		}
		if (i + 1 < sizeof(offs) / sizeof(offs[0]) && offs[i + 1] - offs[i] > 8192 + 8) {
			if (pread(fd, big, 4096, offs[i] + 8) != 4096 || memcmp(big, zero, 4096))
				holes = false;
		}
	}
	if (all)
		pass("read back at large offsets");
	ck(holes, "holes next to large-offset writes read as zeros", "non-zero byte found");
	fstat(fd, &st);
	ck_eq(st.st_size, end, "size after large-offset writes");
	ck((unsigned long long)st.st_blocks * 512 <= 64ULL * (fs_bsize > 4096 ? fs_bsize : 4096),
	   "sparse file uses few blocks", "st_blocks %llu", (unsigned long long)st.st_blocks);
	ck_ok(ftruncate(fd, 0), "truncate the large sparse file to 0");
	fstat(fd, &st);
	ck(st.st_size == 0 && st.st_blocks == 0, "truncated sparse file has no blocks",
	   "size %lld blocks %llu", (long long)st.st_size, (unsigned long long)st.st_blocks);
	close(fd);
}

/* ---- truncate / ftruncate ---------------------------------------------------- */

static void test_truncate(void)
{
	unsigned char w[8192], r[20000];
	char path[PATH_MAX];
	struct stat st, st0;
	int fd = openat(dfd, "trunc", O_CREAT | O_RDWR, 0644);

	fill(w, sizeof(w), 3);
	write_all(fd, w, sizeof(w), 0);
	fsync(fd);
	ck_ok(ftruncate(fd, 3000), "ftruncate shrink to 3000");
	fstat(fd, &st);
	ck_eq(st.st_size, 3000, "size after shrink");
	ck_eq(read_all(fd, r, sizeof(r), 0), 3000, "read after shrink returns 3000 bytes");
	ck_mem(r, w, 3000, "data below the new size preserved");
	ck_ok(ftruncate(fd, 20000), "ftruncate grow to 20000");
	fstat(fd, &st);
	ck_eq(st.st_size, 20000, "size after grow");
	ck_eq(read_all(fd, r, sizeof(r), 0), 20000, "read after grow returns 20000 bytes");
	ck_mem(r, w, 3000, "data preserved after grow");
	ck_zero(r + 3000, 17000, "grown region (incl. old data past the cut) reads zeros");

	snprintf(path, sizeof(path), "%s/trunc", tdir);
	ck_ok(truncate(path, 100), "truncate() by path to 100");
	fstat(fd, &st);
	ck_eq(st.st_size, 100, "size after truncate()");
	ck_eq(read_all(fd, r, sizeof(r), 0), 100, "read after truncate()");
	ck_mem(r, w, 100, "data below 100 preserved");
	ck_err(ftruncate(fd, -1), EINVAL, "ftruncate negative -> EINVAL");

	fstat(fd, &st0);
	ck_ok(ftruncate(fd, 1LL << 30), "ftruncate grow to 1 GiB (sparse)");
	fstat(fd, &st);
	ck(st.st_size == 1LL << 30 && st.st_blocks == st0.st_blocks,
	   "sparse grow allocates no blocks", "size %lld blocks %llu -> %llu", (long long)st.st_size,
	   (unsigned long long)st0.st_blocks, (unsigned long long)st.st_blocks);
	ck_eq(pread(fd, r, 4096, (1LL << 30) - 4096), 4096, "read end of 1 GiB sparse file");
	ck_zero(r, 4096, "end of sparse file reads zeros");
	ck_ok(ftruncate(fd, 0), "ftruncate to 0");
	fstat(fd, &st);
	ck(st.st_size == 0 && st.st_blocks == 0, "empty file after ftruncate 0 has no blocks",
	   "size %lld blocks %llu", (long long)st.st_size, (unsigned long long)st.st_blocks);
	close(fd);

	fd = openat(dfd, "trunc", O_RDONLY);
	ck_err(ftruncate(fd, 10), EINVAL, "ftruncate on O_RDONLY fd -> EINVAL");
	close(fd);
	mkdirat(dfd, "trunc_dir", 0755);
	snprintf(path, sizeof(path), "%s/trunc_dir", tdir);
	ck_err(truncate(path, 0), EISDIR, "truncate() a directory -> EISDIR");
	snprintf(path, sizeof(path), "%s/trunc_missing", tdir);
	ck_err(truncate(path, 0), ENOENT, "truncate() missing file -> ENOENT");
}

/* ---- fallocate -------------------------------------------------------------------- */

static void test_fallocate(void)
{
	off_t mib = 1 << 20;
	unsigned char *r = xmalloc(mib), w[4096];
	struct stat st, st0;
	int fd = openat(dfd, "falloc", O_CREAT | O_RDWR, 0644);
	int rc;

	rc = fallocate(fd, 0, 0, mib);
	if (rc && (errno == EOPNOTSUPP || errno == ENOSYS)) {
		skip("fallocate", "not supported by this filesystem");
		goto out;
	}
	ck_ok(rc, "fallocate mode 0, 1 MiB on empty file");
	fstat(fd, &st);
	ck_eq(st.st_size, mib, "fallocate mode 0 sets size");
	ck(st.st_blocks * 512 >= mib, "fallocate mode 0 allocates blocks", "st_blocks %llu",
	   (unsigned long long)st.st_blocks);
	ck_eq(read_all(fd, r, mib, 0), mib, "read the preallocated range");
	ck_zero(r, mib, "preallocated range reads zeros");

	fill(w, sizeof(w), 4);
	write_all(fd, w, sizeof(w), 8192);
	ck_ok(fallocate(fd, 0, 0, mib), "fallocate over existing data");
	pread(fd, r, 4096, 8192);
	ck_mem(r, w, 4096, "fallocate keeps existing data");

	fstat(fd, &st0);
	ck_ok(fallocate(fd, FALLOC_FL_KEEP_SIZE, mib, mib), "fallocate KEEP_SIZE past EOF");
	fstat(fd, &st);
	ck_eq(st.st_size, mib, "KEEP_SIZE leaves size unchanged");
	ck(st.st_blocks - st0.st_blocks >= mib / 512, "KEEP_SIZE allocates blocks",
	   "st_blocks %llu -> %llu", (unsigned long long)st0.st_blocks,
	   (unsigned long long)st.st_blocks);
	ck_eq(pread(fd, r, 4096, mib), 0, "read beyond EOF after KEEP_SIZE returns 0");
	ck_ok(ftruncate(fd, 2 * mib), "grow into the KEEP_SIZE range");
	fstat(fd, &st0);
	ck_eq(st0.st_blocks, st.st_blocks, "growing into preallocated range allocates nothing new");
	ck_eq(read_all(fd, r, mib, mib), mib, "read the KEEP_SIZE range after grow");
	ck_zero(r, mib, "KEEP_SIZE range reads zeros");

	ck_ok(fallocate(fd, 0, 3 * mib, 4096), "fallocate mode 0 beyond EOF");
	fstat(fd, &st);
	ck_eq(st.st_size, 3 * mib + 4096, "fallocate beyond EOF extends size to offset+len");
	ck_err(fallocate(fd, 0, 0, 0), EINVAL, "fallocate len 0 -> EINVAL");
	ck_err(fallocate(fd, 0, -1, 10), EINVAL, "fallocate negative offset -> EINVAL");

	/* Optional: punching holes. */
	write_all(fd, w, sizeof(w), 8192);
	rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8192, 4096);
	if (rc && errno == EOPNOTSUPP) {
		skip("fallocate PUNCH_HOLE", "not supported");
	} else {
		ck_ok(rc, "fallocate PUNCH_HOLE");
		fstat(fd, &st0);
		ck_eq(st0.st_size, st.st_size, "PUNCH_HOLE keeps size");
		pread(fd, r, 4096, 8192);
		ck_zero(r, 4096, "punched range reads zeros");
	}
out:
	close(fd);
	free(r);
}

/* ---- unlink / mkdir / rmdir --------------------------------------------------- */

static void test_unlink(void)
{
	mkfile(dfd, "ul", 10, 5);
	mkdirat(dfd, "ul_dir", 0755);
	ck_ok(unlinkat(dfd, "ul", 0), "unlink a file");
	ck(!exists(dfd, "ul"), "unlinked file is gone", "still exists");
	ck_err(unlinkat(dfd, "ul", 0), ENOENT, "unlink missing file -> ENOENT");
	ck_err(unlinkat(dfd, "ul_dir", 0), EISDIR, "unlink a directory -> EISDIR");
	ck(exists(dfd, "ul_dir"), "directory survives unlink attempt", "gone");
	mkfile(dfd, "ul_f", 1, 5);
	ck_err(unlinkat(dfd, "ul_f/x", 0), ENOTDIR, "unlink file/x -> ENOTDIR");
	ck_err(unlinkat(dfd, "ul_nodir/x", 0), ENOENT, "unlink missing/x -> ENOENT");
	ck_err(unlinkat(dfd, "ul_f", AT_REMOVEDIR), ENOTDIR, "rmdir on a file -> ENOTDIR");
}

static void test_mkdir_rmdir(void)
{
	struct stat st, pst0, pst;
	int sd = subdir("md");

	fstat(sd, &pst0);
	ck_eq(pst0.st_nlink, 2, "empty directory has nlink 2");
	ck_ok(mkdirat(sd, "a", 0755), "mkdir");
	xstat(sd, "a", &st);
	ck(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755 && st.st_nlink == 2,
	   "new directory: S_IFDIR, mode 0755, nlink 2", "mode 0%o nlink %lu", st.st_mode,
	   (unsigned long)st.st_nlink);
	fstat(sd, &pst);
	ck_eq(pst.st_nlink, 3, "parent nlink +1 after mkdir");
	ck_err(mkdirat(sd, "a", 0755), EEXIST, "mkdir existing directory -> EEXIST");
	mkfile(sd, "f", 1, 6);
	ck_err(mkdirat(sd, "f", 0755), EEXIST, "mkdir over existing file -> EEXIST");
	ck_err(mkdirat(sd, "nodir/x", 0755), ENOENT, "mkdir with missing parent -> ENOENT");
	ck_err(mkdirat(sd, "f/x", 0755), ENOTDIR, "mkdir under a file -> ENOTDIR");
	ck_ok(mkdirat(sd, "m700", 0700), "mkdir mode 0700");
	xstat(sd, "m700", &st);
	ck_eq(st.st_mode & 07777, 0700, "mkdir mode honoured");
	unlinkat(sd, "m700", AT_REMOVEDIR);

	mkdirat(sd, "a/sub", 0755);
	ck_err(unlinkat(sd, "a", AT_REMOVEDIR), ENOTEMPTY, "rmdir non-empty directory -> ENOTEMPTY");
	ck_err(unlinkat(sd, "f", AT_REMOVEDIR), ENOTDIR, "rmdir a file -> ENOTDIR");
	ck_err(unlinkat(sd, ".", AT_REMOVEDIR), EINVAL, "rmdir \".\" -> EINVAL");
	ck_err(unlinkat(sd, "a/sub/.", AT_REMOVEDIR), EINVAL, "rmdir \"a/sub/.\" -> EINVAL");
	ck_err(unlinkat(sd, "missing", AT_REMOVEDIR), ENOENT, "rmdir missing -> ENOENT");
	ck_ok(unlinkat(sd, "a/sub", AT_REMOVEDIR), "rmdir empty subdirectory");
	ck_eq(nlink_of(sd, "a"), 2, "parent nlink back to 2 after rmdir of child");
	mkfile(sd, "a/file", 1, 6);
	ck_err(unlinkat(sd, "a", AT_REMOVEDIR), ENOTEMPTY, "rmdir directory with a file -> ENOTEMPTY");
	unlinkat(sd, "a/file", 0);
	ck_ok(unlinkat(sd, "a", AT_REMOVEDIR), "rmdir emptied directory");
	ck(!exists(sd, "a"), "removed directory is gone", "still there");
	fstat(sd, &pst);
	ck_eq(pst.st_nlink, 2, "parent nlink back to 2");
	close(sd);
}

/* A directory keeps an open fd after rmdir: reading it gives nothing, creating fails. */
static void test_rmdir_open(void)
{
	struct stat st;
	int fd;

	mkdirat(dfd, "rmo", 0755);
	fd = openat(dfd, "rmo", O_RDONLY | O_DIRECTORY);
	ck_ok(unlinkat(dfd, "rmo", AT_REMOVEDIR), "rmdir a directory held open");
	fstat(fd, &st);
	ck_eq(st.st_nlink, 0, "removed open directory has nlink 0");
	ck_err(openat(fd, "x", O_CREAT | O_RDWR, 0644), ENOENT, "create in removed directory -> ENOENT");
	close(fd);
}

/* ---- rename ------------------------------------------------------------------- */

static void test_rename_files(void)
{
	struct stat st, st_old;
	int sd = subdir("rn"), fd;

	mkfile(sd, "a", 100, 7);
	mkfile(sd, "b", 200, 8);
	fd = openat(sd, "b", O_RDONLY);
	xstat(sd, "a", &st_old);
	ck_ok(renameat(sd, "a", sd, "b"), "rename file over file");
	ck(!exists(sd, "a"), "source name gone", "still there");
	ck_file_is(sd, "b", 100, 7, "target has the source's content");
	xstat(sd, "b", &st);
	ck_eq(st.st_ino, st_old.st_ino, "target name now refers to the source inode");
	fstat(fd, &st);
	ck_eq(st.st_nlink, 0, "replaced inode has nlink 0 (still open)");
	close(fd);

	ck_ok(renameat(sd, "b", sd, "b"), "rename to the same name");
	ck_file_is(sd, "b", 100, 7, "rename to the same name is a no-op");
	linkat(sd, "b", sd, "b2", 0);
	ck_ok(renameat(sd, "b", sd, "b2"), "rename over a hard link of the same inode");
	ck(exists(sd, "b") && exists(sd, "b2") && nlink_of(sd, "b") == 2,
	   "rename between links of one inode is a no-op", "b %d b2 %d nlink %lu", exists(sd, "b"),
	   exists(sd, "b2"), (unsigned long)nlink_of(sd, "b"));
	unlinkat(sd, "b2", 0);

	ck_ok(renameat(sd, "b", sd, "c"), "rename to a new name");
	ck(!exists(sd, "b") && exists(sd, "c"), "old name gone, new name present", "b %d c %d",
	   exists(sd, "b"), exists(sd, "c"));
	ck_err(renameat(sd, "missing", sd, "x"), ENOENT, "rename missing source -> ENOENT");
	ck_err(renameat(sd, "c", sd, "nodir/x"), ENOENT, "rename into missing directory -> ENOENT");
	mkfile(sd, "f", 1, 9);
	ck_err(renameat(sd, "c", sd, "f/x"), ENOTDIR, "rename into file/x -> ENOTDIR");
	close(sd);
}

static void test_rename_dirs(void)
{
	struct stat st, p1, p2, sub;
	int sd = subdir("rd");

	mkdirat(sd, "p1", 0755);
	mkdirat(sd, "p2", 0755);
	mkdirat(sd, "p1/d", 0755);
	mkdirat(sd, "p1/d/inner", 0755);
	mkdirat(sd, "p2/empty", 0755);
	mkdirat(sd, "p2/full", 0755);
	mkfile(sd, "p2/full/x", 1, 10);
	mkfile(sd, "p2/file", 1, 10);

	ck_err(renameat(sd, "p1/d", sd, "p2/full"), ENOTEMPTY, "rename dir over non-empty dir -> ENOTEMPTY");
	ck_err(renameat(sd, "p2/file", sd, "p2/empty"), EISDIR, "rename file over dir -> EISDIR");
	ck_err(renameat(sd, "p1/d", sd, "p2/file"), ENOTDIR, "rename dir over file -> ENOTDIR");
	ck_err(renameat(sd, "p1/d", sd, "p1/d/inner/x"), EINVAL, "rename dir into own subdir -> EINVAL");
	ck_err(renameat(sd, "p1", sd, "p1/d"), EINVAL, "rename dir over own descendant -> EINVAL");

	xstat(sd, "p1/d", &sub);
	ck_ok(renameat(sd, "p1/d", sd, "p2/empty"), "rename dir over empty dir in another parent");
	xstat(sd, "p2/empty", &st);
	ck_eq(st.st_ino, sub.st_ino, "target name refers to the moved directory");
	xstat(sd, "p1", &p1);
	xstat(sd, "p2", &p2);
	ck_eq(p1.st_nlink, 2, "old parent nlink decremented");
	ck_eq(p2.st_nlink, 4, "new parent nlink: replaced dir not counted twice");
	xstat(sd, "p2/empty/..", &st);
	ck_eq(st.st_ino, p2.st_ino, "moved dir's .. points to the new parent");
	ck(exists(sd, "p2/empty/inner"), "moved dir keeps its children", "inner missing");
	ck_ok(renameat(sd, "p2/empty", sd, "p1/back"), "rename dir to a new name in another parent");
	xstat(sd, "p1", &p1);
	xstat(sd, "p2", &p2);
	ck(p1.st_nlink == 3 && p2.st_nlink == 3, "parent nlinks after moving dir back",
	   "p1 %lu p2 %lu", (unsigned long)p1.st_nlink, (unsigned long)p2.st_nlink);
	xstat(sd, "p1/back/..", &st);
	ck_eq(st.st_ino, p1.st_ino, "moved-back dir's .. points to p1");
	ck_ok(renameat(sd, "p1/back", sd, "p1/back2"), "rename dir within its parent");
	xstat(sd, "p1", &p1);
	ck_eq(p1.st_nlink, 3, "parent nlink unchanged by same-parent dir rename");
	close(sd);
}

/* RENAME_WHITEOUT (what overlayfs does in its upper layer): the old name becomes a 0:0 char device. */
static void test_rename_whiteout(void)
{
	struct stat st, f_st, d_st;
	int sd, rc;

	if (!root_checks) {
		skip("RENAME_WHITEOUT", "needs CAP_MKNOD");
		return;
	}
	sd = subdir("wh");
	mkfile(sd, "f", 10, 21);
	mkdirat(sd, "d", 0755);
	mkfile(sd, "target", 5, 22);
	xstat(sd, "f", &f_st);
	rc = renameat2(sd, "f", sd, "g", RENAME_WHITEOUT);
	if (!ck_ok(rc, "RENAME_WHITEOUT of a file to a free name"))
		goto out;
	ck_file_is(sd, "g", 10, 21, "the file moved with its content");
	xstat(sd, "g", &st);
	ck_eq(st.st_ino, f_st.st_ino, "the moved name is the same inode");
	xstat(sd, "f", &st);
	ck(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) && st.st_nlink == 1 &&
	   st.st_ino != f_st.st_ino, "the old name is a whiteout: char device 0:0, one link",
	   "mode 0%o rdev %u:%u nlink %lu", st.st_mode, major(st.st_rdev), minor(st.st_rdev),
	   (unsigned long)st.st_nlink);
	ck_ok(renameat2(sd, "g", sd, "target", RENAME_WHITEOUT), "RENAME_WHITEOUT over an existing file");
	ck_file_is(sd, "target", 10, 21, "the target was replaced");
	xstat(sd, "g", &st);
	ck(S_ISCHR(st.st_mode) && st.st_rdev == 0, "the second old name is a whiteout too", "mode 0%o",
	   st.st_mode);
	xstat(sd, "d", &d_st);
	xstat(sd, ".", &st);
	ck_ok(renameat2(sd, "d", sd, "e", RENAME_WHITEOUT), "RENAME_WHITEOUT of a directory");
	xstat(sd, "e", &f_st);
	ck_eq(f_st.st_ino, d_st.st_ino, "the directory moved");
	xstat(sd, ".", &d_st);
	ck_eq(d_st.st_nlink, st.st_nlink, "the parent's link count is unchanged");
	ck_err(renameat2(sd, "e", sd, "target", RENAME_WHITEOUT | RENAME_EXCHANGE), EINVAL,
	       "WHITEOUT|EXCHANGE -> EINVAL");
	ck_ok(unlinkat(sd, "f", 0), "a whiteout unlinks");
	ck_ok(unlinkat(sd, "g", 0), "the other whiteout unlinks");
	ck_ok(unlinkat(sd, "d", 0), "the directory's whiteout unlinks");
out:
	close(sd);
}

static void test_renameat2(void)
{
	struct stat a, b, st, f_st, d_st;
	int sd = subdir("r2");
	int rc;

	mkfile(sd, "a", 10, 11);
	mkfile(sd, "b", 20, 12);
	rc = renameat2(sd, "a", sd, "b", RENAME_NOREPLACE);
	if (rc && errno == EINVAL) {
		fail("renameat2 RENAME_NOREPLACE supported", "EINVAL");
		close(sd);
		return;
	}
	ck(rc == -1 && errno == EEXIST, "RENAME_NOREPLACE onto existing -> EEXIST", "rc %d errno %s", rc,
	   strerror(errno));
	ck_file_is(sd, "b", 20, 12, "target untouched by failed NOREPLACE");
	ck_ok(renameat2(sd, "a", sd, "c", RENAME_NOREPLACE), "RENAME_NOREPLACE to a free name");
	ck(!exists(sd, "a") && exists(sd, "c"), "NOREPLACE moved the file", "a %d c %d",
	   exists(sd, "a"), exists(sd, "c"));

	xstat(sd, "b", &b);
	xstat(sd, "c", &st);
	ck_ok(renameat2(sd, "b", sd, "c", RENAME_EXCHANGE), "RENAME_EXCHANGE two files");
	xstat(sd, "b", &a);
	ck_eq(a.st_ino, st.st_ino, "exchange: b now has c's inode");
	ck_file_is(sd, "b", 10, 11, "exchange: b has c's content");
	ck_file_is(sd, "c", 20, 12, "exchange: c has b's content");
	ck_err(renameat2(sd, "b", sd, "nothere", RENAME_EXCHANGE), ENOENT,
	       "RENAME_EXCHANGE with missing target -> ENOENT");
	ck_err(renameat2(sd, "b", sd, "c", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL,
	       "EXCHANGE|NOREPLACE -> EINVAL");

	/* file <-> dir across directories */
	mkdirat(sd, "A", 0755);
	mkdirat(sd, "B", 0755);
	mkfile(sd, "A/f", 30, 13);
	mkdirat(sd, "B/d", 0755);
	mkfile(sd, "B/d/inside", 5, 14);
	xstat(sd, "A/f", &f_st);
	xstat(sd, "B/d", &d_st);
	ck_ok(renameat2(sd, "A/f", sd, "B/d", RENAME_EXCHANGE), "RENAME_EXCHANGE file<->dir across directories");
	xstat(sd, "A/f", &st);
	ck(S_ISDIR(st.st_mode) && st.st_ino == d_st.st_ino, "A/f is now the directory", "mode 0%o",
	   st.st_mode);
	xstat(sd, "B/d", &st);
	ck(S_ISREG(st.st_mode) && st.st_ino == f_st.st_ino, "B/d is now the file", "mode 0%o", st.st_mode);
	ck_file_is(sd, "B/d", 30, 13, "exchanged file content intact");
	ck_file_is(sd, "A/f/inside", 5, 14, "exchanged directory content intact");
	xstat(sd, "A", &a);
	xstat(sd, "B", &b);
	ck_eq(a.st_nlink, 3, "A gained a subdirectory: nlink 3");
	ck_eq(b.st_nlink, 2, "B lost its subdirectory: nlink 2");
	xstat(sd, "A/f/..", &st);
	ck_eq(st.st_ino, a.st_ino, "exchanged directory's .. points to A");
	close(sd);
}

/* ---- link --------------------------------------------------------------------- */

static void test_link(void)
{
	struct stat st1, st2;
	char name[32];
	int sd = subdir("ln"), i;
	bool ok = true;

	mkfile(sd, "a", 50, 15);
	ck_ok(linkat(sd, "a", sd, "b", 0), "link a -> b");
	xstat(sd, "a", &st1);
	xstat(sd, "b", &st2);
	ck(st1.st_ino == st2.st_ino && st1.st_nlink == 2 && st2.st_nlink == 2,
	   "both names: same inode, nlink 2", "ino %llu/%llu nlink %lu/%lu",
	   (unsigned long long)st1.st_ino, (unsigned long long)st2.st_ino,
	   (unsigned long)st1.st_nlink, (unsigned long)st2.st_nlink);
	ck_err(linkat(sd, "a", sd, "b", 0), EEXIST, "link onto existing name -> EEXIST");
	mkdirat(sd, "d", 0755);
	ck_err(linkat(sd, "d", sd, "d2", 0), EPERM, "link a directory -> EPERM");
	ck_err(linkat(sd, "missing", sd, "x", 0), ENOENT, "link missing source -> ENOENT");
	ck_err(linkat(sd, "a", sd, "nodir/x", 0), ENOENT, "link into missing directory -> ENOENT");
	ck_ok(linkat(sd, "a", sd, "d/c", 0), "link into a subdirectory");
	ck_eq(nlink_of(sd, "a"), 3, "nlink 3 with three names");
	ck_ok(unlinkat(sd, "a", 0), "unlink the first name");
	ck_eq(nlink_of(sd, "b"), 2, "nlink 2 after unlinking one name");
	ck_file_is(sd, "d/c", 50, 15, "content reachable through remaining link");
	unlinkat(sd, "b", 0);
	ck_eq(nlink_of(sd, "d/c"), 1, "nlink 1 with one name left");

	for (i = 0; i < 100 && ok; i++) {
		snprintf(name, sizeof(name), "many%03d", i);
		ok = linkat(sd, "d/c", sd, name, 0) == 0;
	}
	ck(ok, "100 more hard links", "link %d: %s", i, strerror(errno));
	ck_eq(nlink_of(sd, "d/c"), 101, "nlink 101");
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "many%03d", i);
		unlinkat(sd, name, 0);
	}
	ck_eq(nlink_of(sd, "d/c"), 1, "nlink back to 1 after unlinking them");

	symlinkat("d/c", sd, "sl");
	ck_ok(linkat(sd, "sl", sd, "sl_hard", 0), "link a symlink (no follow)");
	xstat(sd, "sl_hard", &st1);
	ck(S_ISLNK(st1.st_mode) && st1.st_nlink == 2, "hard link to a symlink is a symlink with nlink 2",
	   "mode 0%o nlink %lu", st1.st_mode, (unsigned long)st1.st_nlink);
	close(sd);
}

/* ---- symlink ------------------------------------------------------------------ */

static void check_symlink_len(int sd, size_t len)
{
	char *target = xmalloc(len + 1), *buf = xmalloc(len + 16), name[32], desc[96];
	struct stat st;
	size_t i;
	ssize_t r;

	for (i = 0; i < len; i++)
		target[i] = (i % 64 == 63) ? '/' : 'a' + (i * 7 + len) % 26;
	target[len] = 0;
	snprintf(name, sizeof(name), "sym%zu", len);
	snprintf(desc, sizeof(desc), "symlink with %zu-byte target", len);
	if (!ck_ok(symlinkat(target, sd, name), desc))
		goto out;
	r = readlinkat(sd, name, buf, len + 16);
	snprintf(desc, sizeof(desc), "readlink %zu-byte target exact", len);
	ck(r == (ssize_t)len && !memcmp(buf, target, len), desc, "returned %zd", r);
	xstat(sd, name, &st);
	snprintf(desc, sizeof(desc), "lstat %zu-byte symlink: S_IFLNK, size %zu", len, len);
	ck(S_ISLNK(st.st_mode) && st.st_size == (off_t)len, desc, "mode 0%o size %lld", st.st_mode,
	   (long long)st.st_size);
out:
	free(target);
	free(buf);
}

static void test_symlink(void)
{
	static const size_t lens[] = { 1, 59, 60, 61, 100, 200, 1000 };
	char buf[64];
	struct stat st;
	int sd = subdir("sl"), fd;
	unsigned int i;
	char *t;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_symlink_len(sd, lens[i]);
	if (fs_bsize >= 4096) {
		check_symlink_len(sd, 4000);
		check_symlink_len(sd, 4095);
	} else {
		skip("symlinks with 4000/4095-byte targets", "block size < 4096");
	}
	t = repeat('x', 4096);
	ck_err(symlinkat(t, sd, "toolong"), ENAMETOOLONG, "symlink target of 4096 bytes -> ENAMETOOLONG");
	free(t);
	ck_err(symlinkat("", sd, "empty"), ENOENT, "symlink with empty target -> ENOENT");

	mkfile(sd, "target", 40, 16);
	ck_ok(symlinkat("target", sd, "link"), "symlink to a file");
	ck_err(symlinkat("target", sd, "link"), EEXIST, "symlink onto existing name -> EEXIST");
	ck_file_is(sd, "link", 40, 16, "reading through the symlink gives the target's data");
	fstatat(sd, "link", &st, 0);
	ck(S_ISREG(st.st_mode) && st.st_size == 40, "stat follows the symlink", "mode 0%o",
	   st.st_mode);
	ck_err(openat(sd, "link", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink -> ELOOP");
	ck_eq(readlinkat(sd, "link", buf, 3), 3, "readlink into a short buffer truncates");
	ck_err(readlinkat(sd, "target", buf, sizeof(buf)), EINVAL, "readlink a regular file -> EINVAL");
	mkdirat(sd, "dir", 0755);
	symlinkat("dir", sd, "dirlink");
	mkfile(sd, "dirlink/through", 3, 17);
	ck(exists(sd, "dir/through"), "path resolution through a symlink to a directory", "missing");
	symlinkat("loop2", sd, "loop1");
	symlinkat("loop1", sd, "loop2");
	ck_err(openat(sd, "loop1", O_RDONLY), ELOOP, "symlink loop -> ELOOP");
	fd = openat(sd, "dangling_target", O_RDONLY);
	ck(fd < 0 && errno == ENOENT, "missing target -> ENOENT", "fd %d", fd);
	symlinkat("nowhere", sd, "dangling");
	ck_err(openat(sd, "dangling", O_RDONLY), ENOENT, "open dangling symlink -> ENOENT");
	ck_ok(unlinkat(sd, "link", 0), "unlink a symlink");
	ck(exists(sd, "target"), "unlinking a symlink keeps its target", "target gone");
	close(sd);
}

/* ---- mknod -------------------------------------------------------------------- */

static void test_mknod(void)
{
	struct stat st;
	char c = 0;
	int sd = subdir("mk"), fd;

	ck_ok(mkfifoat(sd, "fifo", 0644), "mkfifo");
	xstat(sd, "fifo", &st);
	ck(S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644 && st.st_size == 0,
	   "fifo: S_IFIFO, mode 0644, size 0", "mode 0%o size %lld", st.st_mode, (long long)st.st_size);
	fd = openat(sd, "fifo", O_RDWR | O_NONBLOCK);
	if (ck_ok(fd, "open fifo O_RDWR")) {
		ck(write(fd, "p", 1) == 1 && read(fd, &c, 1) == 1 && c == 'p', "data passes through the fifo",
		   "got '%c'", c);
		close(fd);
	}
	ck_err(mkfifoat(sd, "fifo", 0644), EEXIST, "mkfifo over existing -> EEXIST");
	ck_ok(mknodat(sd, "sock", S_IFSOCK | 0600, 0), "mknod S_IFSOCK");
	xstat(sd, "sock", &st);
	ck(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600, "socket node: S_IFSOCK, mode 0600",
	   "mode 0%o", st.st_mode);
	ck_ok(mknodat(sd, "reg", S_IFREG | 0640, 0), "mknod S_IFREG");
	xstat(sd, "reg", &st);
	ck(S_ISREG(st.st_mode) && st.st_size == 0, "mknod S_IFREG makes an empty file", "mode 0%o",
	   st.st_mode);

	if (!root_checks) {
		skip("character and block device nodes", "root checks disabled");
		close(sd);
		return;
	}
	ck_ok(mknodat(sd, "chr", S_IFCHR | 0666, makedev(1, 3)), "mknod char device 1:3");
	xstat(sd, "chr", &st);
	ck(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3), "char device st_rdev 1:3",
	   "mode 0%o rdev %u:%u", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	fd = openat(sd, "chr", O_RDONLY);
	if (fd >= 0) {
		ck_eq(read(fd, &c, 1), 0, "char device node 1:3 behaves as /dev/null");
		close(fd);
	} else {
		/* A nodev mount refuses device opens: that is not a filesystem failure. */
		ck(errno == EACCES, "char device node opens (or nodev: EACCES)", "%s", strerror(errno));
	}
	ck_ok(mknodat(sd, "blk", S_IFBLK | 0600, makedev(7, 200)), "mknod block device 7:200");
	xstat(sd, "blk", &st);
	ck(S_ISBLK(st.st_mode) && st.st_rdev == makedev(7, 200), "block device st_rdev 7:200",
	   "rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
	ck_ok(mknodat(sd, "bigdev", S_IFCHR | 0600, makedev(4000, 1000000)), "mknod char device 4000:1000000");
	xstat(sd, "bigdev", &st);
	ck(st.st_rdev == makedev(4000, 1000000), "large major/minor preserved", "rdev %u:%u",
	   major(st.st_rdev), minor(st.st_rdev));
	close(sd);
}

/* ---- chmod / chown / setgid / permissions ------------------------------------------- */

static void test_chmod_chown(void)
{
	struct stat st;
	int fd;

	mkfile(dfd, "cm", 10, 18);
	ck_ok(fchmodat(dfd, "cm", 0600, 0), "chmod 0600");
	xstat(dfd, "cm", &st);
	ck_eq(st.st_mode & 07777, 0600, "mode reads back 0600");
	fd = openat(dfd, "cm", O_RDONLY);
	ck_ok(fchmod(fd, 04711), "fchmod 04711");
	fstat(fd, &st);
	ck_eq(st.st_mode & 07777, 04711, "mode reads back 04711");
	ck(S_ISREG(st.st_mode), "file type unchanged by chmod", "mode 0%o", st.st_mode);
	close(fd);

	if (!root_checks) {
		skip("chown", "root checks disabled");
		return;
	}
	ck_ok(fchownat(dfd, "cm", 1234, 5678, 0), "chown 1234:5678");
	xstat(dfd, "cm", &st);
	ck(st.st_uid == 1234 && st.st_gid == 5678, "owner reads back 1234:5678", "%u:%u", st.st_uid,
	   st.st_gid);
	ck_eq(st.st_mode & 07777, 0711, "chown clears the setuid bit");
	ck_ok(fchownat(dfd, "cm", -1, -1, 0), "chown -1:-1");
	xstat(dfd, "cm", &st);
	ck(st.st_uid == 1234 && st.st_gid == 5678, "chown -1:-1 changes nothing", "%u:%u", st.st_uid,
	   st.st_gid);
	ck_ok(fchownat(dfd, "cm", 70000, -1, 0), "chown uid 70000 (above 16 bits)");
	xstat(dfd, "cm", &st);
	ck(st.st_uid == 70000 && st.st_gid == 5678, "32-bit uid reads back", "%u:%u", st.st_uid,
	   st.st_gid);
	symlinkat("cm", dfd, "cm_link");
	ck_ok(fchownat(dfd, "cm_link", 4321, 8765, AT_SYMLINK_NOFOLLOW), "lchown a symlink");
	xstat(dfd, "cm_link", &st);
	ck(st.st_uid == 4321 && st.st_gid == 8765, "symlink owner changed", "%u:%u", st.st_uid,
	   st.st_gid);
	xstat(dfd, "cm", &st);
	ck_eq(st.st_uid, 70000, "lchown left the target alone");
}

static void test_setgid_dir(void)
{
	struct stat st;

	if (!root_checks) {
		skip("setgid directory inheritance", "root checks disabled");
		return;
	}
	mkdirat(dfd, "sg", 0755);
	fchownat(dfd, "sg", -1, 4242, 0);
	fchmodat(dfd, "sg", 02775, 0);
	xstat(dfd, "sg", &st);
	ck_eq(st.st_mode & 07777, 02775, "setgid directory mode 02775");
	mkfile(dfd, "sg/f", 1, 19);
	xstat(dfd, "sg/f", &st);
	ck_eq(st.st_gid, 4242, "file in setgid directory inherits the group");
	mkdirat(dfd, "sg/d", 0755);
	xstat(dfd, "sg/d", &st);
	ck(st.st_gid == 4242 && (st.st_mode & S_ISGID), "subdirectory inherits group and setgid bit",
	   "gid %u mode 0%o", st.st_gid, st.st_mode);
}

static void test_permissions(void)
{
	pid_t pid;
	int status;

	if (!root_checks || geteuid() != 0) {
		skip("permission checks as another user", "root checks disabled");
		return;
	}
	mkfile(dfd, "perm600", 4, 20);
	fchmodat(dfd, "perm600", 0600, 0);
	mkfile(dfd, "perm644", 4, 20);
	fchmodat(dfd, "perm644", 0644, 0);
	fchmodat(dfd, ".", 0755, 0);
	pid = fork();
	if (pid == 0) {
		int r = 0, fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(99);
		fd = openat(dfd, "perm600", O_RDONLY);
		if (!(fd < 0 && errno == EACCES))
			r |= 1;
		fd = openat(dfd, "perm644", O_RDONLY);
		if (fd < 0)
			r |= 2;
		fd = openat(dfd, "perm644", O_WRONLY);
		if (!(fd < 0 && errno == EACCES))
			r |= 4;
		if (!(openat(dfd, "perm_new", O_CREAT | O_WRONLY, 0644) < 0 && errno == EACCES))
			r |= 8;
		if (!(unlinkat(dfd, "perm644", 0) < 0 && errno == EACCES))
			r |= 16;
		if (!(fchmodat(dfd, "perm644", 0777, 0) < 0 && errno == EPERM))
			r |= 32;
		{
			struct fstrim_range tr = { 0, UINT64_MAX, 0 };

			if (!(ioctl(dfd, FITRIM, &tr) < 0 && errno == EPERM))
				r |= 64;
		}
		_exit(r);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 99) {
		fail("permission checks as uid 65534", "could not switch user (status 0x%x)", status);
		return;
	}
	status = WEXITSTATUS(status);
	ck(!(status & 1), "other user: open 0600 root file -> EACCES", "allowed");
	ck(!(status & 2), "other user: open 0644 file for reading works", "denied");
	ck(!(status & 4), "other user: open 0644 file for writing -> EACCES", "allowed");
	ck(!(status & 8), "other user: create in 0755 root dir -> EACCES", "allowed");
	ck(!(status & 16), "other user: unlink in 0755 root dir -> EACCES", "allowed");
	ck(!(status & 32), "other user: chmod someone else's file -> EPERM", "allowed");
	ck(!(status & 64), "other user: FITRIM -> EPERM", "allowed");
}

/* ---- timestamps --------------------------------------------------------------- */

static void test_utimensat(void)
{
	struct timespec ts[2], t0, t1;
	struct stat st;
	int fd;

	mkfile(dfd, "ut", 10, 21);
	ts[0] = (struct timespec){ 1234567890, 123456789 };
	ts[1] = (struct timespec){ 1500000000, 999999999 };
	ck_ok(utimensat(dfd, "ut", ts, 0), "utimensat explicit times");
	xstat(dfd, "ut", &st);
	ck(ts_eq(st.st_atim, 1234567890, 123456789), "atime exact to the nanosecond", "%lld.%09ld",
	   (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	ck(ts_eq(st.st_mtim, 1500000000, 999999999), "mtime exact to the nanosecond", "%lld.%09ld",
	   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	ts[0] = (struct timespec){ 0, UTIME_OMIT };
	ts[1] = (struct timespec){ 1600000000, 42 };
	ck_ok(utimensat(dfd, "ut", ts, 0), "utimensat UTIME_OMIT atime");
	xstat(dfd, "ut", &st);
	ck(ts_eq(st.st_atim, 1234567890, 123456789) && ts_eq(st.st_mtim, 1600000000, 42),
	   "UTIME_OMIT keeps atime, mtime set", "atime %lld.%09ld mtime %lld.%09ld",
	   (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec,
	   st.st_mtim.tv_nsec);

	ts[0] = (struct timespec){ -86400LL * 365 * 3 - 1, 5 };	/* 1966-12-31 */
	ts[1] = (struct timespec){ 4102444800LL, 1 };			/* 2100-01-01 */
	ck_ok(utimensat(dfd, "ut", ts, 0), "utimensat pre-1970 atime, post-2038 mtime");
	xstat(dfd, "ut", &st);
	ck(ts_eq(st.st_atim, ts[0].tv_sec, 5), "pre-1970 atime exact", "%lld.%09ld",
	   (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	ck(ts_eq(st.st_mtim, 4102444800LL, 1), "post-2038 mtime exact", "%lld.%09ld",
	   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	clock_gettime(CLOCK_REALTIME, &t0);
	ts[0] = (struct timespec){ 0, UTIME_NOW };
	ts[1] = (struct timespec){ 0, UTIME_NOW };
	ck_ok(utimensat(dfd, "ut", ts, 0), "utimensat UTIME_NOW");
	clock_gettime(CLOCK_REALTIME, &t1);
	xstat(dfd, "ut", &st);
	ck(st.st_atim.tv_sec >= t0.tv_sec - 1 && st.st_atim.tv_sec <= t1.tv_sec + 1 &&
	   st.st_mtim.tv_sec >= t0.tv_sec - 1 && st.st_mtim.tv_sec <= t1.tv_sec + 1,
	   "UTIME_NOW sets atime and mtime to now", "atime %lld mtime %lld now %lld",
	   (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec, (long long)t1.tv_sec);
	ck(st.st_ctim.tv_sec >= t0.tv_sec - 1, "utimensat updates ctime", "ctime %lld",
	   (long long)st.st_ctim.tv_sec);

	fd = openat(dfd, "ut", O_RDWR);
	ts[0] = (struct timespec){ 1000000000, 1 };
	ts[1] = (struct timespec){ 1000000001, 2 };
	ck_ok(futimens(fd, ts), "futimens");
	fstat(fd, &st);
	ck(ts_eq(st.st_atim, 1000000000, 1) && ts_eq(st.st_mtim, 1000000001, 2), "futimens times exact",
	   "atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	close(fd);
	ck_err(utimensat(dfd, "ut", (struct timespec[]){ { 0, 1000000000 }, { 0, 0 } }, 0), EINVAL,
	       "utimensat with tv_nsec 1e9 -> EINVAL");

	symlinkat("ut", dfd, "ut_link");
	ts[0] = (struct timespec){ 1111111111, 111 };
	ts[1] = (struct timespec){ 1222222222, 222 };
	ck_ok(utimensat(dfd, "ut_link", ts, AT_SYMLINK_NOFOLLOW), "utimensat AT_SYMLINK_NOFOLLOW");
	xstat(dfd, "ut_link", &st);
	ck(ts_eq(st.st_mtim, 1222222222, 222), "symlink's own mtime set", "%lld.%09ld",
	   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	xstat(dfd, "ut", &st);
	ck(ts_eq(st.st_mtim, 1000000001, 2), "target's mtime untouched", "%lld.%09ld",
	   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	mkdirat(dfd, "ut_dir", 0755);
	ck_ok(utimensat(dfd, "ut_dir", ts, 0), "utimensat on a directory");
	xstat(dfd, "ut_dir", &st);
	ck(ts_eq(st.st_atim, 1111111111, 111) && ts_eq(st.st_mtim, 1222222222, 222),
	   "directory times exact", "mtime %lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void test_statx_btime(void)
{
	struct statx stx, stx2;
	struct timespec t0, t1;
	struct timespec ts[2] = { { 946684800, 0 }, { 946684800, 0 } };

	clock_gettime(CLOCK_REALTIME, &t0);
	mkfile(dfd, "bt", 1, 22);
	clock_gettime(CLOCK_REALTIME, &t1);
	if (!ck_ok(statx(dfd, "bt", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &stx), "statx"))
		return;
	ck((stx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, "statx returns the basic stats",
	   "mask 0x%x", stx.stx_mask);
	if (!ck(stx.stx_mask & STATX_BTIME, "statx btime present", "mask 0x%x", stx.stx_mask))
		return;
	ck(stx.stx_btime.tv_sec >= t0.tv_sec - 1 && stx.stx_btime.tv_sec <= t1.tv_sec + 1,
	   "btime is the creation time", "btime %lld, created %lld", (long long)stx.stx_btime.tv_sec,
	   (long long)t0.tv_sec);
	ck(stx.stx_btime.tv_nsec < 1000000000, "btime nsec in range", "%u", stx.stx_btime.tv_nsec);
	utimensat(dfd, "bt", ts, 0);
	fchmodat(dfd, "bt", 0600, 0);
	statx(dfd, "bt", AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx2);
	ck(stx2.stx_btime.tv_sec == stx.stx_btime.tv_sec && stx2.stx_btime.tv_nsec == stx.stx_btime.tv_nsec,
	   "btime unchanged by utimensat and chmod", "%lld.%u -> %lld.%u",
	   (long long)stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec, (long long)stx2.stx_btime.tv_sec,
	   stx2.stx_btime.tv_nsec);
	mkdirat(dfd, "bt_dir", 0755);
	statx(dfd, "bt_dir", 0, STATX_BTIME, &stx2);
	ck(stx2.stx_mask & STATX_BTIME, "directory btime present", "mask 0x%x", stx2.stx_mask);
}

/*
 * ctime/mtime updates by each operation: one sleep, then every operation,
 * then every check (works with any timestamp granularity up to 1 s).
 */
static void test_time_updates(void)
{
	enum { F_WRITE, F_TRUNC, F_CHMOD, F_LINK, F_RENAME, F_XATTR, F_UNLINK, F_MMAP, NF };
	static const char *const names[NF] = { "t_write", "t_trunc", "t_chmod", "t_link",
					       "t_rename", "t_xattr", "t_unlink", "t_mmap" };
	struct stat before[NF], after, dir0, dir1, sub0, sub1;
	struct timespec old = { 946684800, 0 };
	struct timespec ts[2] = { old, old };
	bool xattr_ok;
	int i, fd, sd = subdir("tu");
	char *m;

	for (i = 0; i < NF; i++) {
		mkfile(sd, names[i], 8192, 23 + i);
		utimensat(sd, names[i], ts, 0);
		xstat(sd, names[i], &before[i]);
	}
	linkat(sd, "t_unlink", sd, "t_unlink2", 0);
	xstat(sd, "t_unlink", &before[F_UNLINK]);
	mkdirat(sd, "sub", 0755);
	xstat(sd, "sub", &sub0);
	fstat(sd, &dir0);
	fd = openat(sd, "t_xattr", O_RDWR);
	xattr_ok = fsetxattr(fd, "user.probe", "1", 1, 0) == 0;
	close(fd);
	usleep(1100000);

	fd = openat(sd, "t_write", O_RDWR);
	write_all(fd, "W", 1, 100);
	close(fd);
	fd = openat(sd, "t_trunc", O_RDWR);
	ftruncate(fd, 100);
	close(fd);
	fchmodat(sd, "t_chmod", 0600, 0);
	linkat(sd, "t_link", sd, "t_link2", 0);
	renameat(sd, "t_rename", sd, "t_renamed");
	if (xattr_ok) {
		fd = openat(sd, "t_xattr", O_RDWR);
		fsetxattr(fd, "user.probe", "2", 1, 0);
		close(fd);
	}
	unlinkat(sd, "t_unlink2", 0);
	fd = openat(sd, "t_mmap", O_RDWR);
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED) {
		m[10] = 'M';
		msync(m, 8192, MS_SYNC);
		munmap(m, 8192);
	}
	close(fd);
	mkfile(sd, "sub/newfile", 1, 30);

	xstat(sd, "t_write", &after);
	ck(ts_after(after.st_mtim, before[F_WRITE].st_mtim) && ts_after(after.st_ctim, before[F_WRITE].st_ctim),
	   "write updates mtime and ctime", "mtime %lld ctime %lld", (long long)after.st_mtim.tv_sec,
	   (long long)after.st_ctim.tv_sec);
	xstat(sd, "t_trunc", &after);
	ck(ts_after(after.st_mtim, before[F_TRUNC].st_mtim) && ts_after(after.st_ctim, before[F_TRUNC].st_ctim),
	   "ftruncate updates mtime and ctime", "mtime %lld ctime %lld", (long long)after.st_mtim.tv_sec,
	   (long long)after.st_ctim.tv_sec);
	xstat(sd, "t_chmod", &after);
	ck(ts_after(after.st_ctim, before[F_CHMOD].st_ctim) &&
	   ts_eq(after.st_mtim, old.tv_sec, old.tv_nsec), "chmod updates ctime, not mtime",
	   "mtime %lld ctime %lld", (long long)after.st_mtim.tv_sec, (long long)after.st_ctim.tv_sec);
	xstat(sd, "t_link", &after);
	ck(ts_after(after.st_ctim, before[F_LINK].st_ctim), "link updates the inode's ctime",
	   "ctime %lld", (long long)after.st_ctim.tv_sec);
	xstat(sd, "t_renamed", &after);
	ck(ts_after(after.st_ctim, before[F_RENAME].st_ctim) &&
	   ts_eq(after.st_mtim, old.tv_sec, old.tv_nsec), "rename updates the inode's ctime, not mtime",
	   "ctime %lld", (long long)after.st_ctim.tv_sec);
	if (xattr_ok) {
		xstat(sd, "t_xattr", &after);
		ck(ts_after(after.st_ctim, before[F_XATTR].st_ctim), "setxattr updates ctime", "ctime %lld",
		   (long long)after.st_ctim.tv_sec);
	} else {
		skip("setxattr updates ctime", "user xattrs not supported");
	}
	xstat(sd, "t_unlink", &after);
	ck(ts_after(after.st_ctim, before[F_UNLINK].st_ctim), "unlink of another name updates ctime",
	   "ctime %lld", (long long)after.st_ctim.tv_sec);
	xstat(sd, "t_mmap", &after);
	ck(ts_after(after.st_mtim, before[F_MMAP].st_mtim) && ts_after(after.st_ctim, before[F_MMAP].st_ctim),
	   "write through a shared mapping + msync updates mtime and ctime", "mtime %lld ctime %lld",
	   (long long)after.st_mtim.tv_sec, (long long)after.st_ctim.tv_sec);
	fstat(sd, &dir1);
	ck(ts_after(dir1.st_mtim, dir0.st_mtim) && ts_after(dir1.st_ctim, dir0.st_ctim),
	   "directory mtime and ctime updated by entry changes", "mtime %lld -> %lld",
	   (long long)dir0.st_mtim.tv_sec, (long long)dir1.st_mtim.tv_sec);
	xstat(sd, "sub", &sub1);
	ck(ts_after(sub1.st_mtim, sub0.st_mtim), "create updates the parent's mtime", "mtime %lld -> %lld",
	   (long long)sub0.st_mtim.tv_sec, (long long)sub1.st_mtim.tv_sec);
	close(sd);
}

/* ---- names and path errors ------------------------------------------------------- */

static void test_names(void)
{
	char *n255 = repeat('n', 255), *n256 = repeat('n', 256), u255[256], odd[64];
	char path[600];
	struct dirent *de;
	struct stat st;
	bool seen255 = false, seenu = false, seenodd = false;
	int sd = subdir("names"), fd, i;
	DIR *d;

	fd = openat(sd, n255, O_CREAT | O_EXCL | O_RDWR, 0644);
	ck_ok(fd, "create a 255-byte name");
	if (fd >= 0)
		close(fd);
	ck_ok(xstat(sd, n255, &st), "stat a 255-byte name");
	ck_err(openat(sd, n256, O_CREAT | O_RDWR, 0644), ENAMETOOLONG, "create a 256-byte name -> ENAMETOOLONG");
	ck_err(xstat(sd, n256, &st), ENAMETOOLONG, "lookup a 256-byte name -> ENAMETOOLONG");
	ck_err(mkdirat(sd, n256, 0755), ENAMETOOLONG, "mkdir 256-byte name -> ENAMETOOLONG");
	ck_err(symlinkat("x", sd, n256), ENAMETOOLONG, "symlink 256-byte name -> ENAMETOOLONG");
	ck_err(linkat(sd, n255, sd, n256, 0), ENAMETOOLONG, "link to 256-byte name -> ENAMETOOLONG");
	ck_err(renameat(sd, n255, sd, n256), ENAMETOOLONG, "rename to 256-byte name -> ENAMETOOLONG");
	snprintf(path, sizeof(path), "%s/x", n256);
	ck_err(xstat(sd, path, &st), ENAMETOOLONG, "256-byte directory component -> ENAMETOOLONG");
	ck_ok(mkdirat(sd, "d255", 0755), "mkdir for long names");
	snprintf(path, sizeof(path), "d255/%s", n255);
	ck_ok(mkdirat(sd, path, 0755), "mkdir with a 255-byte name");

	/* 127 two-byte UTF-8 characters plus one byte = 255 bytes. */
	for (i = 0; i < 127; i++) {
		u255[2 * i] = (char)0xc3;
		u255[2 * i + 1] = (char)0xa9;
	}
	u255[254] = 'u';
	u255[255] = 0;
	ck_ok(mkfile(sd, u255, 3, 31), "create a 255-byte UTF-8 name");
	snprintf(odd, sizeof(odd), "sp ace\ttab\nnl\x01\x7f\xff%c.", '\\');
	ck_ok(mkfile(sd, odd, 3, 32), "create a name with control and high bytes");
	ck_file_is(sd, odd, 3, 32, "odd-byte name reads back");
	ck_ok(mkfile(sd, "...", 1, 33), "create a file named \"...\"");

	d = opendir_at(sd);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, n255))
			seen255 = true;
		if (!strcmp(de->d_name, u255))
			seenu = true;
		if (!strcmp(de->d_name, odd))
			seenodd = true;
	}
	closedir(d);
	ck(seen255 && seenu && seenodd, "readdir returns long and odd names byte-exact",
	   "255 %d utf8 %d odd %d", seen255, seenu, seenodd);
	ck_ok(unlinkat(sd, n255, 0), "unlink a 255-byte name");
	ck_ok(unlinkat(sd, u255, 0), "unlink the UTF-8 name");
	free(n255);
	free(n256);
	close(sd);
}

static void test_path_errors(void)
{
	struct stat st;

	mkfile(dfd, "pe_file", 1, 34);
	ck_err(xstat(dfd, "pe_missing/x", &st), ENOENT, "stat missing/x -> ENOENT");
	ck_err(openat(dfd, "pe_missing/x", O_CREAT | O_RDWR, 0644), ENOENT, "create missing/x -> ENOENT");
	ck_err(xstat(dfd, "pe_file/x", &st), ENOTDIR, "stat file/x -> ENOTDIR");
	ck_err(openat(dfd, "pe_file/x", O_CREAT | O_RDWR, 0644), ENOTDIR, "create file/x -> ENOTDIR");
	ck_err(xstat(dfd, "pe_file/", &st), ENOTDIR, "stat file/ -> ENOTDIR");
	ck_err(openat(dfd, "pe_file/.", O_RDONLY), ENOTDIR, "open file/. -> ENOTDIR");
	ck_err(xstat(dfd, "", &st), ENOENT, "stat empty path -> ENOENT");
}

static void test_exdev(void)
{
	char other[PATH_MAX];
	struct stat a, b;
	int ofd;

	if (!other_dir) {
		skip("EXDEV across filesystems", "no --other DIR given");
		return;
	}
	if (stat(other_dir, &b) || fstat(dfd, &a)) {
		fail("EXDEV across filesystems", "stat %s: %s", other_dir, strerror(errno));
		return;
	}
	if (a.st_dev == b.st_dev) {
		fail("EXDEV across filesystems", "%s is on the same filesystem", other_dir);
		return;
	}
	snprintf(other, sizeof(other), "%s/vexfs-posix-exdev.%d", other_dir, (int)getpid());
	mkfile(dfd, "xd", 10, 35);
	ck_err(renameat(dfd, "xd", AT_FDCWD, other), EXDEV, "rename to another filesystem -> EXDEV");
	ck_err(linkat(dfd, "xd", AT_FDCWD, other, 0), EXDEV, "link to another filesystem -> EXDEV");
	ck(exists(dfd, "xd") && access(other, F_OK) != 0, "failed cross-fs rename changed nothing",
	   "state changed");
	ofd = open(other, O_CREAT | O_WRONLY, 0644);
	close(ofd);
	ck_err(renameat(AT_FDCWD, other, dfd, "xd_in"), EXDEV, "rename from another filesystem -> EXDEV");
	ck_err(linkat(AT_FDCWD, other, dfd, "xd_in", 0), EXDEV, "link from another filesystem -> EXDEV");
	unlink(other);
}

/* ---- xattrs --------------------------------------------------------------------- */

static bool list_has(const char *list, ssize_t len, const char *name)
{
	ssize_t i = 0;

	while (i < len) {
		if (!strcmp(list + i, name))
			return true;
		i += strlen(list + i) + 1;
	}
	return false;
}

static int list_count_prefix(const char *list, ssize_t len, const char *prefix)
{
	ssize_t i = 0;
	int n = 0;

	while (i < len) {
		if (!strncmp(list + i, prefix, strlen(prefix)))
			n++;
		i += strlen(list + i) + 1;
	}
	return n;
}

static void test_xattr_user(void)
{
	char big[3000], got[4096], list[4096], name[64], val[32], desc[80];
	ssize_t n;
	char *longname;
	/* One xattr block holds everything (as ext4): scale to the block size. */
	size_t bigsz = fs_bsize >= 4096 ? 3000 : fs_bsize / 2;
	int many = fs_bsize >= 4096 ? 40 : (int)(fs_bsize - 128) / 64;
	int fd, i, rc;
	bool ok;

	mkfile(dfd, "xa", 10, 36);
	fd = openat(dfd, "xa", O_RDWR);
	rc = fsetxattr(fd, "user.probe", "1", 1, 0);
	if (rc && errno == EOPNOTSUPP) {
		skip("user.* extended attributes", "not supported by this filesystem");
		close(fd);
		return;
	}
	fremovexattr(fd, "user.probe");
	ck_ok(fsetxattr(fd, "user.one", "x", 1, XATTR_CREATE), "set a 1-byte user xattr (XATTR_CREATE)");
	ck(fgetxattr(fd, "user.one", got, sizeof(got)) == 1 && got[0] == 'x', "get the 1-byte value",
	   "%s", strerror(errno));
	fill(big, sizeof(big), 37);
	snprintf(desc, sizeof(desc), "set a %zu-byte user xattr", bigsz);
	ck_ok(fsetxattr(fd, "user.big", big, bigsz, 0), desc);
	ck_eq(fgetxattr(fd, "user.big", NULL, 0), bigsz, "size query returns the value length");
	n = fgetxattr(fd, "user.big", got, sizeof(got));
	ck(n == (ssize_t)bigsz && !memcmp(got, big, bigsz), "large value reads back exactly", "returned %zd", n);
	ck_err(fgetxattr(fd, "user.big", got, 100), ERANGE, "get into a small buffer -> ERANGE");
	ck_err(fsetxattr(fd, "user.one", "y", 1, XATTR_CREATE), EEXIST, "XATTR_CREATE on existing -> EEXIST");
	ck_err(fsetxattr(fd, "user.none", "y", 1, XATTR_REPLACE), ENODATA, "XATTR_REPLACE on missing -> ENODATA");
	ck_ok(fsetxattr(fd, "user.one", "zz", 2, XATTR_REPLACE), "XATTR_REPLACE existing");
	n = fgetxattr(fd, "user.one", got, sizeof(got));
	ck(n == 2 && !memcmp(got, "zz", 2), "replaced value reads back", "returned %zd", n);
	ck_err(fgetxattr(fd, "user.none", got, sizeof(got)), ENODATA, "get missing xattr -> ENODATA");
	ck_ok(fsetxattr(fd, "user.empty", "", 0, 0), "set an empty value");
	ck_eq(fgetxattr(fd, "user.empty", got, sizeof(got)), 0, "empty value reads back with length 0");

	n = flistxattr(fd, NULL, 0);
	ck(n > 0, "listxattr size query", "returned %zd", n);
	n = flistxattr(fd, list, sizeof(list));
	ck(n > 0 && list_has(list, n, "user.one") && list_has(list, n, "user.big") &&
	   list_has(list, n, "user.empty") && list_count_prefix(list, n, "user.") == 3,
	   "listxattr lists exactly the three user xattrs", "returned %zd", n);
	ck_err(flistxattr(fd, list, 3), ERANGE, "listxattr into a small buffer -> ERANGE");

	ck_ok(fremovexattr(fd, "user.one"), "removexattr");
	ck_err(fgetxattr(fd, "user.one", got, sizeof(got)), ENODATA, "removed xattr -> ENODATA");
	ck_err(fremovexattr(fd, "user.one"), ENODATA, "remove missing xattr -> ENODATA");
	n = fgetxattr(fd, "user.big", got, sizeof(got));
	ck(n == (ssize_t)bigsz && !memcmp(got, big, bigsz), "other xattr intact after removal", "returned %zd", n);
	fremovexattr(fd, "user.big");
	fremovexattr(fd, "user.empty");
	n = flistxattr(fd, list, sizeof(list));
	ck(n >= 0 && list_count_prefix(list, n, "user.") == 0, "no user xattrs left", "returned %zd", n);

	for (i = 0, ok = true; i < many && ok; i++) {
		snprintf(name, sizeof(name), "user.many%02d", i);
		fill(val, sizeof(val), 100 + i);
		ok = fsetxattr(fd, name, val, sizeof(val), XATTR_CREATE) == 0;
	}
	snprintf(desc, sizeof(desc), "set %d xattrs", many);
	ck(ok, desc, "xattr %d: %s", i - 1, strerror(errno));
	n = flistxattr(fd, list, sizeof(list));
	ck_eq(list_count_prefix(list, n, "user.many"), many, "listxattr shows all of them");
	for (i = 0, ok = true; i < many && ok; i++) {
		char v[64];

		snprintf(name, sizeof(name), "user.many%02d", i);
		fill(val, sizeof(val), 100 + i);
		ok = fgetxattr(fd, name, v, sizeof(v)) == sizeof(val) && !memcmp(v, val, sizeof(val));
	}
	ck(ok, "all their values read back", "xattr %d wrong", i - 1);
	for (i = 0, ok = true; i < many && ok; i++) {
		snprintf(name, sizeof(name), "user.many%02d", i);
		ok = fremovexattr(fd, name) == 0;
	}
	ck(ok, "remove all of them", "xattr %d: %s", i - 1, strerror(errno));
	close(fd);

	longname = repeat('k', 300);
	memcpy(longname, "user.", 5);
	ck_err(setxattr(tdir, longname, "v", 1, 0), ERANGE, "xattr name over 255 bytes -> ERANGE");
	free(longname);

	mkdirat(dfd, "xa_dir", 0755);
	fd = openat(dfd, "xa_dir", O_RDONLY | O_DIRECTORY);
	ck_ok(fsetxattr(fd, "user.d", "dirval", 6, 0), "user xattr on a directory");
	n = fgetxattr(fd, "user.d", got, sizeof(got));
	ck(n == 6 && !memcmp(got, "dirval", 6), "directory xattr reads back", "returned %zd", n);
	close(fd);
	symlinkat("xa", dfd, "xa_link");
	snprintf(list, sizeof(list), "%s/xa_link", tdir);
	ck_err(lsetxattr(list, "user.s", "v", 1, 0), EPERM, "user xattr on a symlink -> EPERM");

	fd = openat(dfd, "xa", O_RDWR);
	fsetxattr(fd, "user.keep", "kept", 4, 0);
	close(fd);
	renameat(dfd, "xa", dfd, "xa_renamed");
	linkat(dfd, "xa_renamed", dfd, "xa_linked", 0);
	snprintf(list, sizeof(list), "%s/xa_linked", tdir);
	n = getxattr(list, "user.keep", got, sizeof(got));
	ck(n == 4 && !memcmp(got, "kept", 4), "xattr survives rename and link", "returned %zd", n);
}

static void test_xattr_trusted(void)
{
	char val[200], got[256], list[1024], path[PATH_MAX];
	ssize_t n;
	int fd, rc;

	if (!root_checks) {
		skip("trusted.* extended attributes", "root checks disabled");
		return;
	}
	mkfile(dfd, "xt", 1, 38);
	fd = openat(dfd, "xt", O_RDWR);
	fill(val, sizeof(val), 39);
	rc = fsetxattr(fd, "trusted.t", val, sizeof(val), 0);
	if (rc && errno == EOPNOTSUPP) {
		skip("trusted.* extended attributes", "not supported by this filesystem");
		close(fd);
		return;
	}
	ck_ok(rc, "set a trusted xattr");
	n = fgetxattr(fd, "trusted.t", got, sizeof(got));
	ck(n == sizeof(val) && !memcmp(got, val, sizeof(val)), "trusted xattr reads back", "returned %zd", n);
	n = flistxattr(fd, list, sizeof(list));
	ck(n > 0 && list_has(list, n, "trusted.t"), "listxattr shows the trusted xattr", "returned %zd", n);
	ck_err(fsetxattr(fd, "trusted.t", "v", 1, XATTR_CREATE), EEXIST, "trusted XATTR_CREATE on existing -> EEXIST");
	ck_ok(fremovexattr(fd, "trusted.t"), "remove trusted xattr");
	ck_err(fgetxattr(fd, "trusted.t", got, sizeof(got)), ENODATA, "removed trusted xattr -> ENODATA");
	close(fd);
	symlinkat("xt", dfd, "xt_link");
	snprintf(path, sizeof(path), "%s/xt_link", tdir);
	ck_ok(lsetxattr(path, "trusted.s", "sym", 3, 0), "trusted xattr on a symlink");
	n = lgetxattr(path, "trusted.s", got, sizeof(got));
	ck(n == 3 && !memcmp(got, "sym", 3), "symlink trusted xattr reads back", "returned %zd", n);
	snprintf(path, sizeof(path), "%s/xt", tdir);
	ck_err(getxattr(path, "trusted.s", got, sizeof(got)), ENODATA, "symlink xattr not on its target");
}

/* ---- sync calls and space accounting --------------------------------------------- */

static void test_sync_calls(void)
{
	struct stat st;
	int fd, rfd;

	mkfile(dfd, "sync", 5000, 40);
	fd = openat(dfd, "sync", O_RDWR);
	write_all(fd, "s", 1, 6000);
	ck_eq(fsync(fd), 0, "fsync returns 0");
	write_all(fd, "t", 1, 7000);
	ck_eq(fdatasync(fd), 0, "fdatasync returns 0");
	ck_eq(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			      SYNC_FILE_RANGE_WAIT_AFTER), 0, "sync_file_range returns 0");
	ck_eq(syncfs(fd), 0, "syncfs returns 0");
	ck_eq(fsync(dfd), 0, "fsync of a directory returns 0");
	rfd = openat(dfd, "sync", O_RDONLY);
	ck_eq(fsync(rfd), 0, "fsync of an O_RDONLY fd returns 0");
	close(rfd);
	close(fd);
	fd = openat(dfd, "sync", O_RDONLY);
	fstat(fd, &st);
	ck_eq(st.st_size, 7001, "size after the synced writes");
	close(fd);
}

static void test_statfs_accounting(void)
{
	struct statvfs s0, s1, s2, s3, s4;
	size_t mib = 1 << 20;
	char *buf = xmalloc(mib);
	unsigned long long need;
	int fd;

	fill(buf, mib, 41);
	syncfs(dfd);
	ck_ok(fstatvfs(dfd, &s0), "statvfs");
	ck(s0.f_frsize > 0 && s0.f_blocks > 0 && s0.f_bfree <= s0.f_blocks && s0.f_bavail <= s0.f_bfree,
	   "statvfs fields consistent", "frsize %lu blocks %llu bfree %llu bavail %llu", s0.f_frsize,
	   (unsigned long long)s0.f_blocks, (unsigned long long)s0.f_bfree,
	   (unsigned long long)s0.f_bavail);
	ck_eq(s0.f_namemax, 255, "f_namemax is 255");
	fd = openat(dfd, "space", O_CREAT | O_EXCL | O_RDWR, 0644);
	syncfs(fd);
	fstatvfs(dfd, &s1);
	if (s0.f_files)
		ck_eq(s1.f_ffree, (long long)s0.f_ffree - 1, "f_ffree drops by one after create");
	ck_eq(write_all(fd, buf, mib, 0), mib, "write 1 MiB");
	fsync(fd);
	syncfs(fd);
	fstatvfs(dfd, &s2);
	need = mib / s0.f_frsize;
	ck(s1.f_bfree - s2.f_bfree >= need && s1.f_bfree - s2.f_bfree <= need + 64,
	   "f_bfree drops by 1 MiB (+ little metadata) after write+fsync", "dropped %lld blocks, expected %llu",
	   (long long)(s1.f_bfree - s2.f_bfree), need);
	ck_ok(unlinkat(dfd, "space", 0), "unlink the 1 MiB file while open");
	syncfs(fd);
	fstatvfs(dfd, &s3);
	ck_eq(s3.f_bfree, s2.f_bfree, "blocks of an unlinked open file stay allocated");
	close(fd);
	syncfs(dfd);
	fstatvfs(dfd, &s4);
	ck_eq(s4.f_bfree, s1.f_bfree, "f_bfree returns exactly after close+syncfs");
	if (s0.f_files)
		ck_eq(s4.f_ffree, s0.f_ffree, "f_ffree returns exactly after close+syncfs");
	free(buf);
}

static void test_unlinked_open(void)
{
	char buf[8192], got[8192];
	struct stat st;
	int fd = openat(dfd, "uo", O_CREAT | O_RDWR, 0644), fd2;

	fill(buf, sizeof(buf), 42);
	write_all(fd, buf, 4096, 0);
	fd2 = openat(dfd, "uo", O_RDONLY);
	ck_ok(unlinkat(dfd, "uo", 0), "unlink an open file");
	ck(!exists(dfd, "uo"), "name gone after unlink", "still there");
	fstat(fd, &st);
	ck_eq(st.st_nlink, 0, "open unlinked file has nlink 0");
	ck_eq(write_all(fd, buf + 4096, 4096, 4096), 4096, "write to the unlinked file");
	ck_eq(read_all(fd2, got, sizeof(got), 0), 8192, "read the unlinked file through another fd");
	ck_mem(got, buf, sizeof(got), "unlinked file data intact");
	ck_ok(ftruncate(fd, 100), "ftruncate the unlinked file");
	ck_eq(read_all(fd2, got, sizeof(got), 0), 100, "truncation visible through the other fd");
	ck_eq(fsync(fd), 0, "fsync the unlinked file");
	close(fd);
	ck_eq(read_all(fd2, got, sizeof(got), 0), 100, "still readable after the first fd closes");
	close(fd2);
	fd = openat(dfd, "uo", O_CREAT | O_EXCL | O_RDWR, 0644);
	ck_ok(fd, "the name can be reused");
	fstat(fd, &st);
	ck_eq(st.st_size, 0, "reused name is a new empty file");
	close(fd);
}

/* ---- directories: nlink, readdir, seekdir --------------------------------------------- */

static void test_dir_nlink(void)
{
	char name[16];
	int sd = subdir("nl"), i;

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		mkdirat(sd, name, 0755);
	}
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		mkfile(sd, name, 1, 43);
	}
	symlinkat("d0", sd, "sl");
	ck_eq(nlink_of(dfd, "nl"), 7, "directory nlink = 2 + 5 subdirectories (files not counted)");
	unlinkat(sd, "d0", AT_REMOVEDIR);
	unlinkat(sd, "d1", AT_REMOVEDIR);
	ck_eq(nlink_of(dfd, "nl"), 5, "nlink 5 after removing two subdirectories");
	unlinkat(sd, "f0", 0);
	ck_eq(nlink_of(dfd, "nl"), 5, "removing a file leaves nlink alone");
	close(sd);
}

struct expect {
	const char *name;
	unsigned char type;
	ino_t ino;
	int seen;
};

static void test_readdir(void)
{
	struct expect ex[] = {
		{ "file", DT_REG, 0, 0 }, { "dir", DT_DIR, 0, 0 }, { "link", DT_LNK, 0, 0 }, { "fifo", DT_FIFO, 0, 0 },
		{ "sock", DT_SOCK, 0, 0 }, { "second_file", DT_REG, 0, 0 }, { ".hidden", DT_REG, 0, 0 },
	};
	unsigned int nex = sizeof(ex) / sizeof(ex[0]), i;
	struct stat st, self, parent;
	struct dirent *de;
	int sd = subdir("rdd"), dots = 0, extra = 0, badtype = 0, badino = 0;
	char extra_name[256] = "", bad_name[300] = "";
	DIR *d;

	mkfile(sd, "file", 1, 44);
	mkdirat(sd, "dir", 0755);
	symlinkat("file", sd, "link");
	mkfifoat(sd, "fifo", 0644);
	mknodat(sd, "sock", S_IFSOCK | 0644, 0);
	mkfile(sd, "second_file", 1, 44);
	mkfile(sd, ".hidden", 1, 44);
	mkfile(sd, "removed", 1, 44);
	unlinkat(sd, "removed", 0);
	for (i = 0; i < nex; i++) {
		xstat(sd, ex[i].name, &st);
		ex[i].ino = st.st_ino;
	}
	fstat(sd, &self);
	xstat(dfd, ".", &parent);

	d = opendir_at(sd);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
				badtype++;
			if (!strcmp(de->d_name, ".") && de->d_ino != self.st_ino)
				badino++;
			if (!strcmp(de->d_name, "..") && de->d_ino != parent.st_ino)
				badino++;
			continue;
		}
		for (i = 0; i < nex; i++)
			if (!strcmp(de->d_name, ex[i].name))
				break;
		if (i == nex) {
			extra++;
			snprintf(extra_name, sizeof(extra_name), "%s", de->d_name);
			continue;
		}
		ex[i].seen++;
		if (de->d_type != ex[i].type) {
			badtype++;
			snprintf(bad_name, sizeof(bad_name), "%s (d_type %d)", de->d_name, de->d_type);
		}
		if (de->d_ino != ex[i].ino)
			badino++;
	}
	closedir(d);
	for (i = 0; i < nex; i++)
		if (ex[i].seen != 1)
			break;
	ck(i == nex, "readdir returns every created name exactly once", "%s seen %d times",
	   i < nex ? ex[i].name : "", i < nex ? ex[i].seen : 0);
	ck(extra == 0, "readdir returns no other names", "unexpected '%s'", extra_name);
	ck_eq(dots, 2, "readdir returns . and .. once each");
	ck(badtype == 0, "d_type correct for file, dir, symlink, fifo, socket", "%s", bad_name);
	ck(badino == 0, "d_ino matches st_ino for every entry (incl. . and ..)", "%d mismatches", badino);
	close(sd);
}

static void test_seekdir(void)
{
	enum { N = 300 };
	long pos[N + 3];
	char names[N + 3][32], name[32];
	struct dirent *de;
	int sd = subdir("sk"), n = 0, i, bad = 0, order[N + 3];
	DIR *d;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry_%04d_%.*s", i, i % 17, "abcdefghijklmnopq");
		mkfile(sd, name, 0, 0);
	}
	d = opendir_at(sd);
	for (;;) {
		long p = telldir(d);

		de = readdir(d);
		if (!de || n >= N + 3)
			break;
		pos[n] = p;
		snprintf(names[n], sizeof(names[n]), "%.31s", de->d_name);
		n++;
	}
	ck_eq(n, N + 2, "readdir of 300 entries returns 302 (with . and ..)");
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		int j = (unsigned)(i * 2654435761u) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		int k = order[i];

		seekdir(d, pos[k]);
		de = readdir(d);
		if (!de || strcmp(de->d_name, names[k]))
			bad++;
	}
	ck(bad == 0, "seekdir(telldir) returns to the same entry, in random order", "%d of %d wrong", bad, n);
	rewinddir(d);
	for (i = 0; (de = readdir(d)); i++)
		;
	ck_eq(i, n, "rewinddir restarts the listing");
	seekdir(d, pos[n - 1]);
	readdir(d);
	ck(readdir(d) == NULL, "readdir after the last entry returns NULL", "got more");
	closedir(d);
	close(sd);
}

/*
 * POSIX: entries neither added nor removed since opendir() are returned
 * exactly once, even while the directory changes (hash-directory splits).
 */
static void test_readdir_stable(void)
{
	enum { N = 400, ADD = 3000 };
	static int seen_o[N], seen_n[ADD];
	char name[32];
	struct dirent *de;
	int sd = subdir("st"), i, added = 0, dup_o = 0, miss_o = 0, dup_n = 0, k;
	DIR *d;

	memset(seen_o, 0, sizeof(seen_o));
	memset(seen_n, 0, sizeof(seen_n));
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "o%04d", i);
		mkfile(sd, name, 0, 0);
	}
	d = opendir_at(sd);
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "o%d", &k) == 1 && k >= 0 && k < N)
			seen_o[k]++;
		else if (sscanf(de->d_name, "n%d", &k) == 1 && k >= 0 && k < ADD)
			seen_n[k]++;
		for (i = 0; i < 8 && added < ADD; i++) {
			snprintf(name, sizeof(name), "n%05d", added++);
			mkfile(sd, name, 0, 0);
		}
	}
	closedir(d);
	for (i = 0; i < N; i++) {
		dup_o += seen_o[i] > 1;
		miss_o += seen_o[i] == 0;
	}
	for (i = 0; i < ADD; i++)
		dup_n += seen_n[i] > 1;
	ck(miss_o == 0 && dup_o == 0, "readdir while inserting: old names returned exactly once",
	   "%d missing, %d duplicated", miss_o, dup_o);
	ck(dup_n == 0, "readdir while inserting: no new name returned twice", "%d duplicated", dup_n);

	/* Now remove each entry as it is returned: the rest must still come. */
	memset(seen_o, 0, sizeof(seen_o));
	memset(seen_n, 0, sizeof(seen_n));
	d = opendir_at(sd);
	dup_o = dup_n = 0;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "o%d", &k) == 1 && k >= 0 && k < N)
			seen_o[k]++;
		else if (sscanf(de->d_name, "n%d", &k) == 1 && k >= 0 && k < ADD)
			seen_n[k]++;
		else
			continue;
		unlinkat(sd, de->d_name, 0);
	}
	closedir(d);
	miss_o = 0;
	for (i = 0; i < N; i++) {
		dup_o += seen_o[i] > 1;
		miss_o += seen_o[i] == 0;
	}
	for (i = 0; i < added; i++) {
		dup_n += seen_n[i] > 1;
		miss_o += seen_n[i] == 0;
	}
	ck(miss_o == 0 && dup_o == 0 && dup_n == 0,
	   "readdir while deleting returned entries: every name exactly once",
	   "%d missing, %d duplicated", miss_o, dup_o + dup_n);
	d = opendir_at(sd);
	for (i = 0; (de = readdir(d));)
		i++;
	closedir(d);
	ck_eq(i, 2, "directory empty afterwards (only . and ..)");
	close(sd);
	ck_ok(unlinkat(dfd, "st", AT_REMOVEDIR), "rmdir the emptied directory");
}

/* ---- mmap ----------------------------------------------------------------------- */

static void test_mmap(void)
{
	size_t len = 3 * pagesz;
	unsigned char *w = xmalloc(len), *r = xmalloc(len), *m;
	struct stat st;
	int fd = openat(dfd, "mm", O_CREAT | O_RDWR, 0644);

	ftruncate(fd, len);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!ck(m != MAP_FAILED, "mmap shared writable", "%s", strerror(errno)))
		goto out;
	fill(w, len, 45);
	memcpy(m, w, len);
	ck_ok(msync(m, len, MS_SYNC), "msync MS_SYNC");
	ck_eq(read_all(fd, r, len, 0), len, "read() after mmap write");
	ck_mem(r, w, len, "read() sees data written through mmap");
	fstat(fd, &st);
	ck_eq(st.st_size, len, "mmap write does not change size");
	write_all(fd, "PWRITE", 6, pagesz + 10);
	ck(!memcmp(m + pagesz + 10, "PWRITE", 6), "mapping sees a later pwrite", "stale");
	munmap(m, len);
	close(fd);
	fd = openat(dfd, "mm", O_RDONLY);
	memcpy(w + pagesz + 10, "PWRITE", 6);
	read_all(fd, r, len, 0);
	ck_mem(r, w, len, "data intact after munmap and reopen");
	close(fd);

	/* A file extended by truncate maps zeros past the old end. */
	fd = openat(dfd, "mm2", O_CREAT | O_RDWR, 0644);
	write_all(fd, w, 100, 0);
	ftruncate(fd, len);
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (ck(m != MAP_FAILED, "mmap read of a truncate-extended file", "%s", strerror(errno))) {
		ck_mem(m, w, 100, "mapped data before the old end");
		ck_zero(m + 100, len - 100, "mapped region past the old end is zero");
		munmap(m, len);
	}
	close(fd);

	/* Shrink then map: the tail of the last page must be zero, not stale data. */
	fd = openat(dfd, "mm3", O_CREAT | O_RDWR, 0644);
	memset(w, 0xaa, pagesz);
	write_all(fd, w, pagesz, 0);
	fsync(fd);
	ftruncate(fd, 100);
	m = mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, 0);
	if (ck(m != MAP_FAILED, "mmap of a shrunk file", "%s", strerror(errno))) {
		ck_zero(m + 100, pagesz - 100, "page tail past EOF maps as zeros after shrink");
		munmap(m, pagesz);
	}
	ftruncate(fd, pagesz);
	read_all(fd, r, pagesz, 0);
	ck_zero(r + 100, pagesz - 100, "regrown tail reads zeros");
	close(fd);
out:
	free(w);
	free(r);
}

/* ---- O_APPEND / O_TRUNC ---------------------------------------------------------- */

static void test_append_trunc(void)
{
	struct timespec ts[2] = { { 946684800, 0 }, { 946684800, 0 } }, t0;
	char buf[32] = "";
	struct stat st;
	int a, b, fd;

	mkfile(dfd, "ap", 0, 0);
	a = openat(dfd, "ap", O_WRONLY | O_APPEND);
	b = openat(dfd, "ap", O_WRONLY | O_APPEND);
	write(a, "aaa", 3);
	write(b, "bb", 2);
	write(a, "c", 1);
	ck_eq(lseek(a, 0, SEEK_CUR), 6, "O_APPEND offset is the new end");
	lseek(a, 0, SEEK_SET);
	write(a, "d", 1);
	close(a);
	close(b);
	fd = openat(dfd, "ap", O_RDONLY);
	ck(read(fd, buf, sizeof(buf)) == 7 && !memcmp(buf, "aaabbcd", 7),
	   "O_APPEND writes from two fds interleave at the end, even after lseek", "got '%s'", buf);
	close(fd);

	utimensat(dfd, "ap", ts, 0);
	clock_gettime(CLOCK_REALTIME_COARSE, &t0);
	fd = openat(dfd, "ap", O_WRONLY | O_TRUNC);
	ck_ok(fd, "open O_TRUNC");
	fstat(fd, &st);
	ck_eq(st.st_size, 0, "O_TRUNC empties the file");
	ck(st.st_mtim.tv_sec >= t0.tv_sec - 1, "O_TRUNC updates mtime", "mtime %lld",
	   (long long)st.st_mtim.tv_sec);
	close(fd);
	fd = openat(dfd, "ap", O_RDONLY);
	ck_eq(read_all(fd, buf, sizeof(buf), 0), 0, "file reads empty after O_TRUNC");
	close(fd);
}

/* ---- main ------------------------------------------------------------------------ */

static int rm_cb(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	remove(p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = NULL;
	struct statvfs sv;
	bool keep = false;
	int i;

	root_checks = true;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-root-checks"))
			root_checks = false;
		else if (!strcmp(argv[i], "--other") && i + 1 < argc)
			other_dir = argv[++i];
		else if (!strcmp(argv[i], "--keep"))
			keep = true;
		else if (argv[i][0] != '-' && !base)
			base = argv[i];
		else
			base = NULL, i = argc;
	}
	if (!base) {
		fprintf(stderr, "usage: posix DIR [--no-root-checks] [--other DIR2] [--keep]\n");
		return 2;
	}
	root_checks = root_checks && geteuid() == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	pagesz = sysconf(_SC_PAGESIZE);
	snprintf(tdir, sizeof(tdir), "%s/posix.%d", base, (int)getpid());
	if (mkdir(tdir, 0755)) {
		fprintf(stderr, "mkdir %s: %s\n", tdir, strerror(errno));
		return 2;
	}
	dfd = open(tdir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || fstatvfs(dfd, &sv)) {
		fprintf(stderr, "open %s: %s\n", tdir, strerror(errno));
		return 2;
	}
	fs_bsize = sv.f_bsize;
	printf("# posix: testing in %s (f_bsize %lu, root checks %s)\n", tdir, fs_bsize,
	       root_checks ? "on" : "off");

	test_open_creat();
	test_read_write();
	test_seek_data_hole();
	test_large_offsets();
	test_truncate();
	test_fallocate();
	test_punch_zero();
	test_fallocate_rlimit();
	test_collapse_insert();
	test_inode_flags();
	test_posix_acl();
	test_fitrim();
	test_direct_io();
	test_fiemap();
	test_unlink();
	test_mkdir_rmdir();
	test_rmdir_open();
	test_rename_files();
	test_rename_dirs();
	test_renameat2();
	test_rename_whiteout();
	test_link();
	test_symlink();
	test_mknod();
	test_chmod_chown();
	test_setgid_dir();
	test_permissions();
	test_utimensat();
	test_statx_btime();
	test_time_updates();
	test_names();
	test_path_errors();
	test_exdev();
	test_xattr_user();
	test_xattr_trusted();
	test_sync_calls();
	test_statfs_accounting();
	test_unlinked_open();
	test_dir_nlink();
	test_readdir();
	test_seekdir();
	test_readdir_stable();
	test_mmap();
	test_append_trunc();

	close(dfd);
	if (!keep)
		nftw(tdir, rm_cb, 32, FTW_DEPTH | FTW_PHYS);
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
