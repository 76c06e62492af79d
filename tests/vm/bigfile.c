// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bigfile.c - write SIZE_MIB MiB of deterministic pseudo-random data in
 * 1 MiB chunks while hashing it, fsync, drop the file's cached pages
 * (posix_fadvise DONTNEED), read it back sequentially checking the hash and
 * every byte, then 1000 random 4 KiB reads (aligned and unaligned) against
 * regenerated data. Prints MB/s for the write and the read. The file is
 * removed when everything passed and kept for inspection otherwise.
 *
 *   bigfile FILE SIZE_MIB
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "vmtest.h"

#define CHUNK (1 << 20)
#define SALT 0x5eed0fb16f11e5ULL


static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The file's content: 8-byte word w (at offset 8w) is mix(w + SALT). */
static void gen(unsigned char *buf, uint64_t off, size_t len)
{
	uint64_t w = off / 8, v;
	size_t skip = off % 8, i = 0;

	if (skip) {
		v = mix(w++ + SALT);
		i = 8 - skip < len ? 8 - skip : len;
		memcpy(buf, (unsigned char *)&v + skip, i);
	}
	for (; i + 8 <= len; i += 8) {
		v = mix(w++ + SALT);
		memcpy(buf + i, &v, 8);
	}
	if (i < len) {
		v = mix(w + SALT);
		memcpy(buf + i, &v, len - i);
	}
}

/* A 64-bit running hash over 8-byte words (lengths are multiples of 8). */
static uint64_t hash_update(uint64_t h, const unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v;

		memcpy(&v, buf + i, 8);
		h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/* Fraction of the file's pages still in the page cache (informational). */
static double resident(int fd, off_t size)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t pages = (size + ps - 1) / ps, i, n = 0;
	unsigned char *vec;
	void *m;

	if (!size)
		return 0;
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	vec = malloc(pages);
	if (vec && !mincore(m, size, vec))
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	munmap(m, size);
	return (double)n / pages;
}

int main(int argc, char **argv)
{
	unsigned char *buf, *want, rb[4096], rw[4096];
	uint64_t hw = 0x1234, hr = 0x1234, rng = 42;
	long mib, k, bad_chunk = -1, bad_off = -1, nbad = 0;
	double t0, tw, tr, res;
	const char *path;
	off_t size;
	struct stat st;
	int fd, i, ok_writes = 1;
	ssize_t r;

	if (argc != 3 || (mib = strtol(argv[2], NULL, 0)) <= 0) {
		fprintf(stderr, "usage: bigfile FILE SIZE_MIB\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	path = argv[1];
	size = (off_t)mib * CHUNK;
	buf = aligned_alloc(4096, CHUNK);
	want = aligned_alloc(4096, CHUNK);
	if (!buf || !want) {
		perror("malloc");
		return 2;
	}
	printf("# bigfile %s: %ld MiB\n", path, mib);

	/* write */
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (!ck(fd >= 0, "create the file", "%s: %s", path, strerror(errno)))
		goto out;
	t0 = now();
	for (k = 0; k < mib; k++) {
		size_t done = 0;

		gen(buf, (uint64_t)k * CHUNK, CHUNK);
		hw = hash_update(hw, buf, CHUNK);
		while (done < CHUNK) {
			r = pwrite(fd, buf + done, CHUNK - done, (off_t)k * CHUNK + done);
			if (r <= 0)
				break;
			done += r;
		}
		if (done != CHUNK) {
			ok_writes = 0;
			ck(false, "write every 1 MiB chunk", "chunk %ld: %s", k, r < 0 ? strerror(errno) : "short write");
			break;
		}
	}
	if (ok_writes)
		ck(true, "write every 1 MiB chunk", " ");
	ck(fsync(fd) == 0, "fsync after writing", "%s", strerror(errno));
	tw = now() - t0;
	if (ok_writes)
		printf("# write: %ld MiB in %.2f s = %.1f MB/s (including fsync)\n", mib, tw,
		       size / 1e6 / tw);
	fstat(fd, &st);
	ck(st.st_size == size, "file size is SIZE_MIB MiB", "size %lld, expected %lld", (long long)st.st_size,
	   (long long)size);
	ck((off_t)st.st_blocks * 512 >= size, "st_blocks covers the data", "st_blocks %llu for %lld bytes",
	   (unsigned long long)st.st_blocks, (long long)size);
	ck(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "posix_fadvise DONTNEED", " ");
	ck(close(fd) == 0, "close after writing", "%s", strerror(errno));
	if (!ok_writes)
		goto out;

	/* sequential read back */
	fd = open(path, O_RDONLY);
	if (!ck(fd >= 0, "reopen for reading", "%s", strerror(errno)))
		goto out;
	res = resident(fd, size);
	printf("# page cache after fsync+DONTNEED: %.1f%% of the file resident\n", res * 100);
	t0 = now();
	for (k = 0; k < mib; k++) {
		size_t done = 0;
		long d;

		while (done < CHUNK) {
			r = pread(fd, buf + done, CHUNK - done, (off_t)k * CHUNK + done);
			if (r <= 0)
				break;
			done += r;
		}
		if (done != CHUNK) {
			ck(false, "read every 1 MiB chunk", "chunk %ld: %s", k, r < 0 ? strerror(errno) : "short read");
			close(fd);
			goto out;
		}
		hr = hash_update(hr, buf, CHUNK);
		gen(want, (uint64_t)k * CHUNK, CHUNK);
		d = first_diff(buf, want, CHUNK);
		if (d >= 0 && !nbad++) {
			bad_chunk = k;
			bad_off = (long)k * CHUNK + d;
		}
	}
	tr = now() - t0;
	ck(true, "read every 1 MiB chunk", " ");
	printf("# read: %ld MiB in %.2f s = %.1f MB/s\n", mib, tr, size / 1e6 / tr);
	ck(hr == hw, "hash of the data read equals hash of the data written", "read %016llx, written %016llx",
	   (unsigned long long)hr, (unsigned long long)hw);
	ck(nbad == 0, "every byte reads back as written", "%ld bad chunks, first chunk %ld at file offset %ld",
	   nbad, bad_chunk, bad_off);
	ck(pread(fd, buf, 1, size) == 0, "read at EOF returns 0", " ");

	/* random 4 KiB reads */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (i = 0, nbad = 0, bad_off = -1; i < 1000; i++) {
		uint64_t off = mix(rng++) % (size - sizeof(rb) + 1);
		size_t done = 0;

		if (i % 2 == 0)
			off &= ~4095ULL;
		while (done < sizeof(rb)) {
			r = pread(fd, rb + done, sizeof(rb) - done, off + done);
			if (r <= 0)
				break;
			done += r;
		}
		gen(rw, off, sizeof(rw));
		if ((done != sizeof(rb) || memcmp(rb, rw, sizeof(rb))) && !nbad++)
			bad_off = (long)off;
	}
	ck(nbad == 0, "1000 random 4 KiB reads (half unaligned) match", "%ld bad, first at offset %ld", nbad,
	   bad_off);
	ck(close(fd) == 0, "close after reading", "%s", strerror(errno));
out:
	if (n_fail == 0)
		ck(unlink(path) == 0, "remove the file", "%s", strerror(errno));
	else
		printf("# keeping %s for inspection\n", path);
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
