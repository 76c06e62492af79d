// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fsx.c - seeded random file-operation checker. One file, an in-memory
 * shadow copy of what it must contain, and a reproducible sequence of mixed
 * operations: pwrite, read+compare, mmap read+compare, mmap write+msync,
 * truncate up/down, fallocate (mode 0 and KEEP_SIZE, disabled after the
 * first EOPNOTSUPP), PUNCH_HOLE, COLLAPSE_RANGE and INSERT_RANGE (by whole
 * blocks; each disabled after its first EOPNOTSUPP), fsync/fdatasync, fsync+fadvise(DONTNEED) (re-read from
 * disk), close+reopen. The file size is checked with fstat after every
 * operation; the whole file is compared every 1000 operations and at the end.
 * On the first mismatch the last 50 operations and the first differing
 * offset are printed and the program exits 1.
 *
 *   fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-p progress] FILE
 *
 *   -N ops       operations to run (default 100000)
 *   -S seed      random seed (default 1); the same seed replays the same ops
 *   -l maxlen    maximum file length in bytes (default 4 MiB)
 *   -o maxop     maximum length of one read/write/fallocate (default 256 KiB)
 *   -p progress  print a progress comment every N ops (default 10000, 0 = off)
 *
 * Sizes accept k/m suffixes. Output: one "ok"/"not ok" line per operation
 * category and for the size tracking and final comparison, then
 * "# vtest: P passed, F failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

enum op {
	OP_WRITE, OP_READ, OP_MAPREAD, OP_MAPWRITE, OP_TRUNCATE, OP_FALLOC, OP_FALLOC_KEEP,
	OP_PUNCH, OP_COLLAPSE, OP_INSERT, OP_FSYNC, OP_FDATASYNC, OP_INVALIDATE, OP_REOPEN, OP_FULLCHECK, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"write", "read", "mapread", "mapwrite", "truncate", "fallocate", "fallocate_keep_size",
	"punch_hole", "collapse_range", "insert_range",
	"fsync", "fdatasync", "invalidate", "reopen", "fullcheck",
};

/* Relative frequencies, out of 1000. */
static const int op_weight[NR_OPS] = {
	[OP_WRITE] = 220, [OP_READ] = 200, [OP_MAPREAD] = 110, [OP_MAPWRITE] = 110,
	[OP_TRUNCATE] = 110, [OP_FALLOC] = 60, [OP_FALLOC_KEEP] = 60, [OP_PUNCH] = 20,
	[OP_COLLAPSE] = 15, [OP_INSERT] = 15, [OP_FSYNC] = 20,
	[OP_FDATASYNC] = 20, [OP_INVALIDATE] = 15, [OP_REOPEN] = 25,
};

struct logent {
	unsigned long num;
	enum op op;
	off_t off, len;
	off_t size_before, size_after;
	const char *note;
};

#define LOGN 50

static struct logent oplog[LOGN];
static unsigned long nlogged;

static const char *fname;
static int fd = -1;
static unsigned char *shadow, *buf;
static off_t size;			/* expected file size */
static off_t maxlen = 4 << 20, maxop = 256 << 10;
static long pagesz;
static bool falloc_ok = true;
static bool shift_ok[NR_OPS] = { [OP_PUNCH] = true, [OP_COLLAPSE] = true, [OP_INSERT] = true };
static off_t fsbs = 4096;		/* the filesystem's block size (fstatvfs) */
static bool fadvise_ok = true;
static unsigned long done[NR_OPS], skipped[NR_OPS];
static unsigned long opnum;
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void logop(enum op op, off_t off, off_t len, off_t before, const char *note)
{
	struct logent *e = &oplog[nlogged++ % LOGN];

	e->num = opnum;
	e->op = op;
	e->off = off;
	e->len = len;
	e->size_before = before;
	e->size_after = size;
	e->note = note;
}

static void dump_log(void)
{
	unsigned long i = nlogged > LOGN ? nlogged - LOGN : 0;

	printf("# last %lu operations (op number, operation, offset, length, size before -> after):\n",
	       nlogged - i);
	for (; i < nlogged; i++) {
		struct logent *e = &oplog[i % LOGN];

		printf("#   %8lu %-20s off %10lld (0x%llx) len %8lld (0x%llx) size %lld -> %lld%s%s\n",
		       e->num, op_names[e->op], (long long)e->off, (long long)e->off,
		       (long long)e->len, (long long)e->len, (long long)e->size_before,
		       (long long)e->size_after, e->note ? " " : "", e->note ? e->note : "");
	}
}

static void __attribute__((noreturn, format(printf, 2, 3))) die_check(enum op op, const char *fmt, ...)
{
	int i, n = 0, nf = 0;
	va_list ap;

	/* Summaries of what ran fine, then the failure. */
	for (i = 0; i < NR_OPS; i++) {
		if (i == (int)op)
			continue;
		printf("ok %d - %s: %lu ops\n", ++n, op_names[i], done[i]);
	}
	printf("not ok %d - %s (op %lu, seed replay with -S): ", ++n, op_names[op], opnum);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nf++;
	dump_log();
	printf("# vtest: %d passed, %d failed\n", n - nf, nf);
	fflush(stdout);
	exit(1);
}

static void __attribute__((noreturn)) die_errno(enum op op, const char *what)
{
	die_check(op, "%s: %s", what, strerror(errno));
}

static void check_size(enum op op)
{
	struct stat st;

	if (fstat(fd, &st))
		die_errno(op, "fstat");
	if (st.st_size != size)
		die_check(op, "file size %lld after op, expected %lld", (long long)st.st_size, (long long)size);
}

/* Compare got[0..len) with the shadow at off: report the first difference. */
static void compare(enum op op, const unsigned char *got, off_t off, off_t len)
{
	off_t i, j;

	if (!memcmp(got, shadow + off, len))
		return;
	for (i = 0; i < len && got[i] == shadow[off + i]; i++)
		;
	for (j = i; j < len && got[j] != shadow[off + j]; j++)
		;
	die_check(op, "data mismatch at file offset %lld (0x%llx): got 0x%02x, expected 0x%02x; "
		  "%lld bad bytes in a row; compared [%lld, %lld), file size %lld",
		  (long long)(off + i), (long long)(off + i), got[i], shadow[off + i],
		  (long long)(j - i), (long long)off, (long long)(off + len), (long long)size);
}

static void full_check(enum op op)
{
	off_t pos = 0;

	while (pos < size) {
		ssize_t r = pread(fd, buf, size - pos > maxop ? maxop : size - pos, pos);

		if (r < 0)
			die_errno(op, "pread (full check)");
		if (r == 0)
			die_check(op, "short read at %lld, file size %lld", (long long)pos, (long long)size);
		compare(op, buf, pos, r);
		pos += r;
	}
	if (pread(fd, buf, 1, size) != 0)
		die_check(op, "read at EOF %lld returned data", (long long)size);
}

/* Fill [off, off+len) of the shadow with fresh random bytes. */
static void gen(off_t off, off_t len)
{
	off_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v = rnd();

		memcpy(shadow + off + i, &v, 8);
	}
	if (i < len) {
		uint64_t v = rnd();

		memcpy(shadow + off + i, &v, len - i);
	}
}

/* Offset and length, biased towards block alignment and tiny sizes now and then. */
static void pick(off_t limit, off_t *off, off_t *len)
{
	uint64_t r = rnd();
	off_t o = rnd_below(limit), l;

	if ((r & 3) == 0)
		o &= ~(off_t)4095;
	switch ((r >> 2) & 7) {
	case 0:
		l = 1 + rnd_below(16);
		break;
	case 1:
		l = 4096 * (1 + rnd_below(maxop / 4096 > 0 ? maxop / 4096 : 1));
		break;
	default:
		l = 1 + rnd_below(maxop);
		break;
	}
	if (l > maxop)
		l = maxop;
	if (o + l > limit)
		l = limit - o;
	*off = o;
	*len = l;
}

static void do_write(void)
{
	off_t off, len, before = size, pos;

	pick(maxlen, &off, &len);
	if (len == 0) {
		skipped[OP_WRITE]++;
		return;
	}
	if (off > size)
		memset(shadow + size, 0, off - size);
	gen(off, len);
	logop(OP_WRITE, off, len, before, NULL);
	for (pos = 0; pos < len;) {
		ssize_t w = pwrite(fd, shadow + off + pos, len - pos, off + pos);

		if (w <= 0)
			die_errno(OP_WRITE, "pwrite");
		pos += w;
	}
	if (off + len > size)
		size = off + len;
	oplog[(nlogged - 1) % LOGN].size_after = size;
	done[OP_WRITE]++;
}

static void do_read(void)
{
	off_t off, len, want, pos;

	pick(size + 1, &off, &len);		/* may start exactly at EOF */
	logop(OP_READ, off, len, size, NULL);
	want = off >= size ? 0 : (off + len > size ? size - off : len);
	for (pos = 0; pos < want;) {
		ssize_t r = pread(fd, buf + pos, len - pos, off + pos);

		if (r < 0)
			die_errno(OP_READ, "pread");
		if (r == 0)
			die_check(OP_READ, "short read: %lld of %lld bytes at %lld", (long long)pos,
				  (long long)want, (long long)off);
		pos += r;
	}
	if (pos > want)
		die_check(OP_READ, "read %lld bytes at %lld, file size %lld", (long long)pos,
			  (long long)off, (long long)size);
	compare(OP_READ, buf, off, want);
	if (len > 0 && off + len >= size && pread(fd, buf, 1, size) != 0)
		die_check(OP_READ, "read at EOF returned data");
	done[OP_READ]++;
}

static void do_mapread(void)
{
	off_t off, len, pg, mlen, i;
	unsigned char *m;

	if (size == 0) {
		skipped[OP_MAPREAD]++;
		return;
	}
	pick(size, &off, &len);
	if (len == 0) {
		skipped[OP_MAPREAD]++;
		return;
	}
	logop(OP_MAPREAD, off, len, size, NULL);
	pg = off & ~(off_t)(pagesz - 1);
	mlen = off + len - pg;
	m = mmap(NULL, mlen, PROT_READ, MAP_SHARED, fd, pg);
	if (m == MAP_FAILED)
		die_errno(OP_MAPREAD, "mmap");
	compare(OP_MAPREAD, m + (off - pg), off, len);
	/* Mapping the last partial page: the part past EOF must read as zeros. */
	if (off + len == size && size % pagesz) {
		off_t tail = pagesz - size % pagesz;

		munmap(m, mlen);
		mlen += tail;
		m = mmap(NULL, mlen, PROT_READ, MAP_SHARED, fd, pg);
		if (m == MAP_FAILED)
			die_errno(OP_MAPREAD, "mmap (EOF page)");
		for (i = 0; i < tail; i++)
			if (m[off + len - pg + i])
				die_check(OP_MAPREAD, "byte 0x%02x at %lld past EOF %lld in the last page, expected 0",
					  m[off + len - pg + i], (long long)(size + i), (long long)size);
	}
	munmap(m, mlen);
	done[OP_MAPREAD]++;
}

static void do_mapwrite(void)
{
	off_t off, len, pg, mlen, before = size;
	unsigned char *m;

	pick(maxlen, &off, &len);
	if (len == 0) {
		skipped[OP_MAPWRITE]++;
		return;
	}
	logop(OP_MAPWRITE, off, len, before, NULL);
	if (off + len > size) {
		if (ftruncate(fd, off + len))
			die_errno(OP_MAPWRITE, "ftruncate (extend for mapwrite)");
		memset(shadow + size, 0, off + len - size);
		size = off + len;
		oplog[(nlogged - 1) % LOGN].size_after = size;
	}
	gen(off, len);
	pg = off & ~(off_t)(pagesz - 1);
	mlen = off + len - pg;
	m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	if (m == MAP_FAILED)
		die_errno(OP_MAPWRITE, "mmap");
	memcpy(m + (off - pg), shadow + off, len);
	if (msync(m, mlen, MS_SYNC))
		die_errno(OP_MAPWRITE, "msync");
	munmap(m, mlen);
	done[OP_MAPWRITE]++;
}

static void do_truncate(void)
{
	off_t before = size, n;
	uint64_t r = rnd();

	switch (r & 63) {
	case 0:
		n = 0;
		break;
	case 1 ... 8:
		n = rnd_below(maxlen + 1) & ~(off_t)4095;
		break;
	case 9 ... 24:
		/* small moves around the current size */
		n = size + (off_t)rnd_below(2 * 8192 + 1) - 8192;
		n = n < 0 ? 0 : n > maxlen ? maxlen : n;
		break;
	default:
		n = rnd_below(maxlen + 1);
		break;
	}
	logop(OP_TRUNCATE, n, 0, before, n > size ? "grow" : "shrink");
	if (ftruncate(fd, n))
		die_errno(OP_TRUNCATE, "ftruncate");
	if (n > size)
		memset(shadow + size, 0, n - size);
	size = n;
	oplog[(nlogged - 1) % LOGN].size_after = size;
	done[OP_TRUNCATE]++;
}

static void do_fallocate(enum op op)
{
	off_t off, len, before = size;
	int mode = op == OP_FALLOC_KEEP ? FALLOC_FL_KEEP_SIZE : 0;

	pick(maxlen, &off, &len);
	if (!falloc_ok || len == 0) {
		skipped[op]++;
		return;
	}
	logop(op, off, len, before, NULL);
	if (fallocate(fd, mode, off, len)) {
		if (errno == EOPNOTSUPP && done[OP_FALLOC] + done[OP_FALLOC_KEEP] == 0) {
			printf("# fallocate not supported: disabled\n");
			falloc_ok = false;
			skipped[op]++;
			return;
		}
		die_errno(op, "fallocate");
	}
	if (!mode && off + len > size) {
		memset(shadow + size, 0, off + len - size);
		size = off + len;
		oplog[(nlogged - 1) % LOGN].size_after = size;
	}
	done[op]++;
}

/*
 * PUNCH_HOLE | KEEP_SIZE anywhere; COLLAPSE_RANGE and INSERT_RANGE by whole
 * blocks inside the file. Each is disabled after a first EOPNOTSUPP.
 */
static void do_shift(enum op op)
{
	off_t off, len, before = size, nb = size / fsbs;
	int mode;

	if (op == OP_PUNCH) {
		pick(maxlen, &off, &len);
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	} else if (op == OP_COLLAPSE) {
		if (nb < 2) {
			skipped[op]++;
			return;
		}
		off = rnd_below(nb - 1) * fsbs;
		/* off + len < size */
		len = (1 + rnd_below(((size - 1) / fsbs - off / fsbs) > 0 ?
				     (size - 1) / fsbs - off / fsbs : 1)) * fsbs;
		mode = FALLOC_FL_COLLAPSE_RANGE;
	} else {
		if (nb < 1 || size + fsbs > maxlen) {
			skipped[op]++;
			return;
		}
		off = rnd_below(nb) * fsbs;
		len = (1 + rnd_below((maxlen - size) / fsbs)) * fsbs;
		if (len > maxop)
			len = maxop / fsbs > 0 ? maxop / fsbs * fsbs : fsbs;
		mode = FALLOC_FL_INSERT_RANGE;
	}
	if (!shift_ok[op] || len == 0 || (op == OP_COLLAPSE && off + len >= size)) {
		skipped[op]++;
		return;
	}
	logop(op, off, len, before, NULL);
	if (fallocate(fd, mode, off, len)) {
		if (errno == EOPNOTSUPP && done[op] == 0) {
			printf("# %s not supported: disabled\n", op_names[op]);
			shift_ok[op] = false;
			skipped[op]++;
			return;
		}
		die_errno(op, "fallocate");
	}
	if (op == OP_PUNCH) {
		if (off < size)
			memset(shadow + off, 0, (off + len < size ? off + len : size) - off);
	} else if (op == OP_COLLAPSE) {
		memmove(shadow + off, shadow + off + len, size - off - len);
		size -= len;
	} else {
		memmove(shadow + off + len, shadow + off, size - off);
		memset(shadow + off, 0, len);
		size += len;
	}
	oplog[(nlogged - 1) % LOGN].size_after = size;
	done[op]++;
}

static void reopen(enum op op)
{
	if (fd >= 0 && close(fd))
		die_errno(op, "close");
	fd = open(fname, O_RDWR);
	if (fd < 0)
		die_errno(op, "open");
}

static void do_op(enum op op)
{
	switch (op) {
	case OP_WRITE:
		do_write();
		break;
	case OP_READ:
		do_read();
		break;
	case OP_MAPREAD:
		do_mapread();
		break;
	case OP_MAPWRITE:
		do_mapwrite();
		break;
	case OP_TRUNCATE:
		do_truncate();
		break;
	case OP_FALLOC:
	case OP_FALLOC_KEEP:
		do_fallocate(op);
		break;
	case OP_PUNCH:
	case OP_COLLAPSE:
	case OP_INSERT:
		do_shift(op);
		break;
	case OP_FSYNC:
		logop(op, 0, 0, size, NULL);
		if (fsync(fd))
			die_errno(op, "fsync");
		done[op]++;
		break;
	case OP_FDATASYNC:
		logop(op, 0, 0, size, NULL);
		if (fdatasync(fd))
			die_errno(op, "fdatasync");
		done[op]++;
		break;
	case OP_INVALIDATE:
		/* Write back and drop the cached pages: later reads come from disk. */
		logop(op, 0, 0, size, NULL);
		if (fsync(fd))
			die_errno(op, "fsync");
		if (fadvise_ok) {
			int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

			if (e == ENOSYS) {
				/* a kernel without fadvise (tiny config): fsync only */
				printf("# posix_fadvise not available: invalidate is fsync only\n");
				fadvise_ok = false;
			} else if (e) {
				errno = e;
				die_errno(op, "posix_fadvise");
			}
		}
		done[op]++;
		break;
	case OP_REOPEN:
		logop(op, 0, 0, size, NULL);
		reopen(op);
		done[op]++;
		break;
	case OP_FULLCHECK:
		logop(op, 0, size, size, NULL);
		full_check(op);
		done[op]++;
		break;
	case NR_OPS:
		break;
	}
}

static enum op choose(void)
{
	int r = rnd_below(1000), i;

	for (i = 0; i < NR_OPS; i++) {
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return OP_READ;
}

static long long parse_size(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 0);

	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	else if (*end)
		return -1;
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: fsx [-N ops] [-S seed] [-l maxlen] [-o maxop] [-p progress] FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long nops = 100000, progress = 10000, seed = 1;
	struct timespec t0, t1;
	int c, i, n = 0, total = 0;
	double secs;

	while ((c = getopt(argc, argv, "N:S:l:o:p:")) != -1) {
		switch (c) {
		case 'N':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			maxlen = parse_size(optarg);
			break;
		case 'o':
			maxop = parse_size(optarg);
			break;
		case 'p':
			progress = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || maxlen <= 0 || maxop <= 0)
		usage();
	if (maxop > maxlen)
		maxop = maxlen;
	fname = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	pagesz = sysconf(_SC_PAGESIZE);
	rng = seed * 0x2545f4914f6cdd1dULL + 1;
	shadow = calloc(1, maxlen + pagesz);
	buf = calloc(1, maxlen + pagesz);
	if (!shadow || !buf) {
		perror("calloc");
		return 2;
	}
	fd = open(fname, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", fname, strerror(errno));
		return 2;
	}
	{
		struct statvfs sv;

		if (!fstatvfs(fd, &sv) && sv.f_bsize)
			fsbs = sv.f_bsize;
	}
	printf("# fsx %s: %lu ops, seed %lu, maxlen %lld, maxop %lld, block %lld\n", fname, nops,
	       seed, (long long)maxlen, (long long)maxop, (long long)fsbs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (opnum = 1; opnum <= nops; opnum++) {
		enum op op = opnum % 1000 == 0 ? OP_FULLCHECK : choose();

		do_op(op);
		check_size(op);
		if (progress && opnum % progress == 0)
			printf("# %lu ops done, size %lld\n", opnum, (long long)size);
	}
	opnum = nops;
	reopen(OP_FULLCHECK);
	check_size(OP_FULLCHECK);
	full_check(OP_FULLCHECK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (i = 0; i < NR_OPS; i++) {
		total += done[i];
		if (i == OP_FULLCHECK)
			continue;
		if (((i == OP_FALLOC || i == OP_FALLOC_KEEP) && !falloc_ok) ||
		    ((i == OP_PUNCH || i == OP_COLLAPSE || i == OP_INSERT) && !shift_ok[i]))
			printf("ok %d - %s: %lu ops # SKIP not supported\n", ++n, op_names[i], done[i]);
		else
			printf("ok %d - %s: %lu ops verified (%lu no-ops)\n", ++n, op_names[i], done[i],
			       skipped[i]);
	}
	printf("ok %d - file size matched fstat after all %lu ops\n", ++n, nops);
	printf("ok %d - whole-file comparison every 1000 ops (%lu) and at the end\n", ++n, done[OP_FULLCHECK]);
	printf("# %d ops in %.1f s (%.0f ops/s)\n", total, secs, total / (secs > 0 ? secs : 1));
	printf("# vtest: %d passed, 0 failed\n", n);
	close(fd);
	return 0;
}
