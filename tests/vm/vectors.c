// SPDX-License-Identifier: GPL-2.0
/*
 * vectors.c - VM test of the vector store through its ioctls.
 *
 *   vectors fill DIR NFILES PERFILE     create DIR/fNNNNN and attach vectors
 *   vectors verify DIR NFILES PERFILE [--half]  read every vector back, compare
 *   vectors unlink-half DIR NFILES      unlink the odd-numbered files
 *   vectors badinput DIR OTHERDIR       the bad-input table (nothing changes)
 *   vectors semantics DIR               links, rename, truncate, permissions
 *   vectors stats DIR                   print STATS as key=value
 *   vectors race DIR SECONDS            4 processes on shared files at once
 *   vectors enospc DIR                  fill with vectors; a failing attach changes nothing
 *   vectors crashload DIR LOG           attach+fsync forever, logging acknowledged ids
 *   vectors crashverify DIR LOG         after a crash: acknowledged ones intact
 *   vectors pq DIR                      PQ codebooks (as root, on a fresh fs)
 *   vectors pqverify DIR [ro]           what pq left, after a remount
 *
 * Vector j of file k is deterministic (dtype, dims, data, metadata from a
 * PRNG seeded with k and j), so verify needs nothing but the arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "vmtest.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct vspec {
	uint16_t dtype;
	uint32_t dims;
	uint32_t len;
	uint8_t data[VEXFS_VEC_MAX_DATA];
	struct vexfs_vec_user_meta meta;
};

static uint32_t dtype_size(uint16_t dt, uint32_t dims)
{
	switch (dt) {
	case VEXFS_VEC_DT_F32: return dims * 4;
	case VEXFS_VEC_DT_F16:
	case VEXFS_VEC_DT_I16: return dims * 2;
	case VEXFS_VEC_DT_I8: return dims;
	default: return (dims + 7) / 8;
	}
}

static void make_vec(struct vspec *v, unsigned int k, unsigned int j)
{
	static const uint32_t dims[] = { 4, 16, 64, 100, 128, 384, 768, 1536 };
	uint32_t i;

	rng_state = ((uint64_t)k << 20) ^ j ^ 0x5eed;
	v->dtype = 1 + rng() % 5;
	v->dims = dims[rng() % 8];
	if (v->dtype == VEXFS_VEC_DT_BIN)
		v->dims *= 8;
	v->len = dtype_size(v->dtype, v->dims);
	for (i = 0; i < v->len; i++)
		v->data[i] = (uint8_t)rng();
	memset(&v->meta, 0, sizeof(v->meta));
	snprintf((char *)v->meta.model, sizeof(v->meta.model), "m%u", k % 7);
	v->meta.model_version = j;
	v->meta.confidence = (uint32_t)(rng() % 1000001);
}

static int attach(int fd, const struct vspec *v, uint64_t *id)
{
	struct vexfs_ioc_attach a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.dtype = v->dtype;
	a.dims = v->dims;
	a.data = (uintptr_t)v->data;
	a.data_len = v->len;
	a.meta = v->meta;
	if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a))
		return -errno;
	*id = a.vector_id;
	return 0;
}

static int get(int fd, uint64_t id, void *buf, uint32_t cap, struct vexfs_vec_info *info,
	       uint32_t *len)
{
	struct vexfs_ioc_get g;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.vector_id = id;
	g.data = (uintptr_t)buf;
	g.data_len = cap;
	if (ioctl(fd, VEXFS_IOC_VEC_GET, &g)) {
		int e = errno;

		*len = g.data_len;	/* ERANGE reports the size needed */
		return -e;
	}
	*info = g.info;
	*len = g.data_len;
	return 0;
}

static int list(int fd, uint64_t *ids, uint32_t cap, uint64_t start, uint32_t *count,
		uint64_t *next, uint64_t *total)
{
	struct vexfs_ioc_list l;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.start_id = start;
	l.ids = (uintptr_t)ids;
	l.capacity = cap;
	if (ioctl(fd, VEXFS_IOC_VEC_LIST, &l))
		return -errno;
	*count = l.count;
	*next = l.next_id;
	*total = l.total;
	return 0;
}

static int detach(int fd, uint64_t id)
{
	struct vexfs_ioc_detach d = { .size = sizeof(d), .vector_id = id };

	return ioctl(fd, VEXFS_IOC_VEC_DETACH, &d) ? -errno : 0;
}

static int stats(int fd, struct vexfs_ioc_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	return ioctl(fd, VEXFS_IOC_VEC_STATS, s) ? -errno : 0;
}

static int stats_path(const char *path, struct vexfs_ioc_stats *s)
{
	int fd = open(path, O_RDONLY), err;

	if (fd < 0)
		return -errno;
	err = stats(fd, s);
	close(fd);
	return err;
}

/* ---- fill / verify ------------------------------------------------------ */

static int do_fill(const char *dir, unsigned int nfiles, unsigned int per)
{
	static struct vspec v;
	unsigned int k, j, bad = 0;
	char path[4096];
	uint64_t id, last = 0;

	for (k = 0; k < nfiles; k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%05u", dir, k);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		if (fd < 0) {
			bad++;
			continue;
		}
		if (write(fd, path, strlen(path)) < 0)
			bad++;
		for (j = 0; j < per; j++) {
			int err;

			make_vec(&v, k, j);
			err = attach(fd, &v, &id);
			if (err || id <= last) {
				if (bad++ < 5)
					fprintf(stderr, "attach %s #%u: %s (id %llu)\n", path, j,
						strerror(-err), (unsigned long long)id);
				continue;
			}
			last = id;
		}
		close(fd);
	}
	ck(bad == 0, "fill: every attach succeeded with increasing ids", "%u failures", bad);
	return 0;
}

static int do_verify(const char *dir, unsigned int nfiles, unsigned int per, bool half)
{
	static struct vspec v;
	static uint8_t buf[VEXFS_VEC_MAX_DATA];
	static uint64_t ids[VEXFS_VEC_MAX_PER_FILE];
	unsigned int k, j, bad = 0, checked = 0, gone = 0;
	char path[4096];

	for (k = 0; k < nfiles; k++) {
		uint64_t next, total;
		uint32_t count;
		int fd;

		snprintf(path, sizeof(path), "%s/f%05u", dir, k);
		fd = open(path, O_RDONLY);
		if (half && (k & 1)) {
			if (fd >= 0)
				bad++;
			else
				gone++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (fd < 0) {
			bad++;
			continue;
		}
		if (list(fd, ids, per + 1, 0, &count, &next, &total) || count != per ||
		    total != per || next) {
			if (bad++ < 5)
				fprintf(stderr, "list %s: count %u total %llu\n", path, count,
					(unsigned long long)total);
			close(fd);
			continue;
		}
		for (j = 0; j < per; j++) {
			struct vexfs_vec_info info;
			uint32_t len;

			make_vec(&v, k, j);
			if (get(fd, ids[j], buf, sizeof(buf), &info, &len) || len != v.len ||
			    info.dtype != v.dtype || info.dims != v.dims ||
			    info.compression != 0 || info.vector_id != ids[j] ||
			    memcmp(buf, v.data, len) || memcmp(&info.meta, &v.meta, sizeof(v.meta)) ||
			    info.created_ns == 0 || info.stored_size != v.len) {
				if (bad++ < 5)
					fprintf(stderr, "get %s #%u id %llu differs\n", path, j,
						(unsigned long long)ids[j]);
				continue;
			}
			checked++;
		}
		close(fd);
	}
	ck(bad == 0, "verify: every vector reads back byte for byte",
	   "%u mismatches (%u checked)", bad, checked);
	printf("# verified %u vectors%s\n", checked, half ? " (odd files gone)" : "");
	if (half)
		ck(gone == nfiles / 2, "verify: odd files are gone", "%u", gone);
	return 0;
}

static int do_unlink_half(const char *dir, unsigned int nfiles)
{
	unsigned int k, bad = 0;
	char path[4096];

	for (k = 1; k < nfiles; k += 2) {
		snprintf(path, sizeof(path), "%s/f%05u", dir, k);
		if (unlink(path))
			bad++;
	}
	ck(bad == 0, "unlink the odd files", "%u failures", bad);
	return 0;
}

/* ---- bad input ---------------------------------------------------------- */

static uint64_t total_of(const char *path);

static bool same_stats(const struct vexfs_ioc_stats *a, const struct vexfs_ioc_stats *b)
{
	return a->vectors == b->vectors && a->live_bytes == b->live_bytes &&
	       a->alloc_bytes == b->alloc_bytes && a->next_id == b->next_id &&
	       a->files == b->files;
}

static int attach_raw(int fd, struct vexfs_ioc_attach *a)
{
	return ioctl(fd, VEXFS_IOC_VEC_ATTACH, a) ? errno : 0;
}

static void bad_attach(int fd, const char *dir, const char *desc, int want,
		       void (*mod)(struct vexfs_ioc_attach *a))
{
	static float data[VEXFS_VEC_MAX_DIMS + 16];
	struct vexfs_ioc_stats s0, s1;
	struct vexfs_ioc_attach a;
	int e;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.dtype = VEXFS_VEC_DT_F32;
	a.dims = 8;
	a.data = (uintptr_t)data;
	a.data_len = 32;
	mod(&a);
	stats_path(dir, &s0);
	e = attach_raw(fd, &a);
	stats_path(dir, &s1);
	ck(e == want && same_stats(&s0, &s1), desc, "errno %d (%s), want %d; stats %s", e,
	   strerror(e), want, same_stats(&s0, &s1) ? "same" : "CHANGED");
}

static void m_dims0(struct vexfs_ioc_attach *a) { a->dims = 0; a->data_len = 0; }
static void m_dimsbig(struct vexfs_ioc_attach *a)
{
	a->dims = VEXFS_VEC_MAX_DIMS + 1;
	a->data_len = a->dims * 4;
}
static void m_toolarge(struct vexfs_ioc_attach *a) { a->dims = 8193; a->data_len = 8193 * 4; }
static void m_len(struct vexfs_ioc_attach *a) { a->data_len = 31; }
static void m_dtype0(struct vexfs_ioc_attach *a) { a->dtype = 0; }
static void m_dtype9(struct vexfs_ioc_attach *a) { a->dtype = 9; }
static void m_comp9(struct vexfs_ioc_attach *a) { a->compression = 9; }
static void m_null(struct vexfs_ioc_attach *a) { a->data = 0; }
static void m_badptr(struct vexfs_ioc_attach *a) { a->data = 0x10; }
static void m_kptr(struct vexfs_ioc_attach *a) { a->data = 0xffff888000000000ULL; }
static void m_flags(struct vexfs_ioc_attach *a) { a->flags = 1; }
static void m_cbnopq(struct vexfs_ioc_attach *a) { a->codebook = 1; }
static void m_size(struct vexfs_ioc_attach *a) { a->size = 8; }
static void m_conf(struct vexfs_ioc_attach *a) { a->meta.confidence = 1000001; }
static void m_resv(struct vexfs_ioc_attach *a) { a->meta.reserved = 1; }

static int do_badinput(const char *dir, const char *other)
{
	char path[4096], opath[4096];
	struct vexfs_ioc_stats s0, s1;
	static struct vspec v;
	uint64_t id, oid, ids[4], next, total;
	uint32_t count, len;
	struct vexfs_vec_info info;
	uint8_t buf[64];
	int fd, rfd, ofd, dfd, xfd, e;

	snprintf(path, sizeof(path), "%s/bad", dir);
	snprintf(opath, sizeof(opath), "%s/bad-other", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	ofd = open(opath, O_RDWR | O_CREAT, 0644);
	make_vec(&v, 1, 1);
	ck(fd >= 0 && ofd >= 0 && !attach(fd, &v, &id) && !attach(ofd, &v, &oid),
	   "badinput: setup", "%s", strerror(errno));

	bad_attach(fd, dir, "attach dims 0 -> EINVAL", EINVAL, m_dims0);
	bad_attach(fd, dir, "attach dims above 65536 -> EINVAL", EINVAL, m_dimsbig);
	bad_attach(fd, dir, "attach data above 32 KiB -> EINVAL", EINVAL, m_toolarge);
	bad_attach(fd, dir, "attach size != dims x dtype -> EINVAL", EINVAL, m_len);
	bad_attach(fd, dir, "attach dtype 0 -> EINVAL", EINVAL, m_dtype0);
	bad_attach(fd, dir, "attach unknown dtype -> EINVAL", EINVAL, m_dtype9);
	bad_attach(fd, dir, "attach unknown compression -> EINVAL", EINVAL, m_comp9);
	bad_attach(fd, dir, "attach NULL data -> EFAULT", EFAULT, m_null);
	bad_attach(fd, dir, "attach unmapped data pointer -> EFAULT", EFAULT, m_badptr);
	bad_attach(fd, dir, "attach kernel data pointer -> EFAULT", EFAULT, m_kptr);
	bad_attach(fd, dir, "attach unknown flags -> EINVAL", EINVAL, m_flags);
	bad_attach(fd, dir, "attach codebook without PQ -> EINVAL", EINVAL, m_cbnopq);
	bad_attach(fd, dir, "attach short size field -> EINVAL", EINVAL, m_size);
	bad_attach(fd, dir, "attach confidence above 1e6 -> EINVAL", EINVAL, m_conf);
	bad_attach(fd, dir, "attach reserved metadata -> EINVAL", EINVAL, m_resv);

	/* unaligned and NULL argument pointers */
	stats_path(dir, &s0);
	e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, NULL) ? errno : 0;
	ck(e == EFAULT, "attach NULL argument -> EFAULT", "%d", e);
	e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, (void *)0x10) ? errno : 0;
	ck(e == EFAULT, "attach unmapped argument -> EFAULT", "%d", e);
	{
		/* readable but not writable argument: refused before storing */
		static float d8[8];
		struct vexfs_ioc_attach *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memset(ro, 0, sizeof(*ro));
		ro->size = sizeof(*ro);
		ro->dtype = VEXFS_VEC_DT_F32;
		ro->dims = 8;
		ro->data = (uintptr_t)d8;
		ro->data_len = 32;
		mprotect(ro, 4096, PROT_READ);
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, ro) ? errno : 0;
		ck(e == EFAULT, "attach with a read-only argument -> EFAULT", "%d", e);
		munmap(ro, 4096);
	}
	{
		/* a larger struct with a zero tail is accepted, a nonzero tail is E2BIG */
		static float d8[8];
		struct { struct vexfs_ioc_attach a; uint64_t extra; } big;
		unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, VEXFS_IOC_MAGIC, 1, sizeof(big));

		memset(&big, 0, sizeof(big));
		big.a.size = sizeof(big);
		big.a.dtype = VEXFS_VEC_DT_F32;
		big.a.dims = 8;
		big.a.data = (uintptr_t)d8;
		big.a.data_len = 32;
		big.extra = 1;
		e = ioctl(fd, cmd, &big) ? errno : 0;
		ck(e == E2BIG, "attach from a newer ABI with unknown nonzero fields -> E2BIG", "%d", e);
		e = ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, VEXFS_IOC_MAGIC, 9, 16), &big) ? errno : 0;
		ck(e == ENOTTY, "unknown vector call number -> ENOTTY", "%d", e);
	}
	stats_path(dir, &s1);
	ck(same_stats(&s0, &s1), "stats unchanged after the argument cases", "changed");
	{
		static uint8_t raw[sizeof(struct vexfs_ioc_attach) + 8];
		struct vexfs_ioc_attach a;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = VEXFS_VEC_DT_I8;
		a.dims = 3;
		a.data = (uintptr_t)(raw + 1);	/* unaligned data is fine */
		a.data_len = 3;
		memcpy(raw + 1, &a, sizeof(a));	/* unaligned argument is fine too */
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, raw + 1) ? errno : 0;
		ck(e == 0, "attach with unaligned argument and data pointers works", "%d", e);
		if (!e) {
			memcpy(&a, raw + 1, sizeof(a));
			ck(!detach(fd, a.vector_id), "detach it", "%s", strerror(errno));
		}
	}

	/* flags, pad and size fields of the other calls */
	{
		struct vexfs_ioc_get g = { .size = sizeof(g), .vector_id = id, .flags = 2 };
		struct vexfs_ioc_list l = { .size = sizeof(l), .flags = 1 };
		struct vexfs_ioc_detach d = { .size = sizeof(d), .vector_id = id, .flags = 1 };
		struct vexfs_ioc_stats st = { .size = sizeof(st), .flags = 1 };

		stats_path(dir, &s0);
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		ck(e == EINVAL, "get unknown flags -> EINVAL", "%d", e);
		g.flags = 0;
		g.pad = 1;
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		ck(e == EINVAL, "get nonzero pad -> EINVAL", "%d", e);
		g.pad = 0;
		g.size = 4;
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		ck(e == EINVAL, "get short size field -> EINVAL", "%d", e);
		e = ioctl(fd, VEXFS_IOC_VEC_LIST, &l) ? errno : 0;
		ck(e == EINVAL, "list unknown flags -> EINVAL", "%d", e);
		e = ioctl(fd, VEXFS_IOC_VEC_DETACH, &d) ? errno : 0;
		ck(e == EINVAL, "detach unknown flags -> EINVAL", "%d", e);
		d.flags = 0;
		d.size = 8;
		e = ioctl(fd, VEXFS_IOC_VEC_DETACH, &d) ? errno : 0;
		ck(e == EINVAL, "detach short size field -> EINVAL", "%d", e);
		e = ioctl(fd, VEXFS_IOC_VEC_STATS, &st) ? errno : 0;
		ck(e == EINVAL, "stats unknown flags -> EINVAL", "%d", e);
		e = ioctl(fd, VEXFS_IOC_VEC_STATS, NULL) ? errno : 0;
		ck(e == EFAULT, "stats NULL argument -> EFAULT", "%d", e);
		stats_path(dir, &s1);
		ck(same_stats(&s0, &s1) && total_of(path) == 1,
		   "nothing changed by the bad get/list/detach/stats calls", "changed");
	}

	/* LIST */
	e = list(fd, ids, VEXFS_VEC_LIST_MAX + 1, 0, &count, &next, &total);
	ck(e == -EINVAL, "list capacity above 65536 -> EINVAL", "%d", e);
	e = list(fd, ids, 0x7fffffff, 0, &count, &next, &total);
	ck(e == -EINVAL, "list huge capacity -> EINVAL", "%d", e);
	e = list(fd, NULL, 4, 0, &count, &next, &total);
	ck(e == -EFAULT, "list NULL ids -> EFAULT", "%d", e);
	e = list(fd, (uint64_t *)0x10, 4, 0, &count, &next, &total);
	ck(e == -EFAULT, "list bad ids pointer -> EFAULT", "%d", e);
	e = list(fd, ids, 0, 0, &count, &next, &total);
	ck(e == 0 && count == 0 && total == 1, "list capacity 0 reports the total",
	   "%d %u %llu", e, count, (unsigned long long)total);

	/* GET / DETACH of ids that do not exist or belong to another file */
	e = get(fd, 0, buf, sizeof(buf), &info, &len);
	ck(e == -ENOENT, "get id 0 -> ENOENT", "%d", e);
	e = get(fd, 1ULL << 60, buf, sizeof(buf), &info, &len);
	ck(e == -ENOENT, "get id never issued -> ENOENT", "%d", e);
	e = get(fd, oid, buf, sizeof(buf), &info, &len);
	ck(e == -ENOENT, "get another file's id -> ENOENT", "%d", e);
	e = get(fd, id, buf, 1, &info, &len);
	ck(e == -ERANGE && len == v.len, "get into a short buffer -> ERANGE with the size",
	   "%d %u", e, len);
	e = get(fd, id, NULL, 0, &info, &len);
	ck(e == 0 && len == v.len && info.dims == v.dims, "get with no buffer reports the size",
	   "%d", e);
	e = get(fd, id, (void *)0x10, 1 << 20, &info, &len);
	ck(e == -EFAULT, "get bad buffer -> EFAULT", "%d", e);
	stats_path(dir, &s0);
	e = detach(fd, oid);
	ck(e == -ENOENT, "detach another file's id -> ENOENT", "%d", e);
	e = detach(fd, 1ULL << 60);
	ck(e == -ENOENT, "detach id never issued -> ENOENT", "%d", e);
	stats_path(dir, &s1);
	ck(same_stats(&s0, &s1), "stats unchanged after failed detaches", "changed");

	/* access modes */
	rfd = open(path, O_RDONLY);
	e = attach(rfd, &v, &id) ;
	ck(e == -EBADF, "attach on a read-only fd -> EBADF", "%d", e);
	e = detach(rfd, id);
	ck(e == -EBADF, "detach on a read-only fd -> EBADF", "%d", e);
	ids[0] = 0;
	e = list(rfd, ids, 4, 0, &count, &next, &total);
	ck(e == 0 && count == 1, "list on a read-only fd works", "%d", e);
	e = get(rfd, ids[0], buf, sizeof(buf), &info, &len);
	ck(e == -ERANGE || e == 0, "get on a read-only fd works", "%d", e);
	close(rfd);
	xfd = open(path, O_WRONLY);
	e = get(xfd, id, NULL, 0, &info, &len);
	ck(e == -EBADF, "get on a write-only fd -> EBADF", "%d", e);
	e = list(xfd, ids, 4, 0, &count, &next, &total);
	ck(e == -EBADF, "list on a write-only fd -> EBADF", "%d", e);
	close(xfd);

	/* a directory, and a file of another filesystem */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	e = attach(dfd, &v, &id);
	ck(e == -ENOTTY, "attach on a directory -> ENOTTY", "%d", e);
	ck(stats(dfd, &s0) == 0 && s0.max_dims == VEXFS_VEC_MAX_DIMS,
	   "stats on a directory works", "%s", strerror(errno));
	close(dfd);
	snprintf(path, sizeof(path), "%s/notvexfs", other);
	xfd = open(path, O_RDWR | O_CREAT, 0644);
	e = attach(xfd, &v, &id);
	ck(e == -ENOTTY, "attach on another filesystem's file -> ENOTTY", "%d", e);
	ck(stats(xfd, &s0) == -ENOTTY, "stats on another filesystem -> ENOTTY", "-");
	close(xfd);
	unlink(path);
	close(fd);
	close(ofd);
	return 0;
}

/* ---- semantics: links, rename, truncate, permissions, many per file ---- */

static uint64_t total_of(const char *path)
{
	uint64_t ids[1], next, total = ~0ULL;
	uint32_t count;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return ~0ULL;
	if (list(fd, ids, 0, 0, &count, &next, &total))
		total = ~0ULL;
	close(fd);
	return total;
}

static int do_semantics(const char *dir)
{
	char a[4096], b[4096], c[4096];
	struct vexfs_ioc_stats s0, s1;
	static struct vspec v;
	static uint64_t ids[3000];
	uint64_t id, next, total, start;
	uint32_t count, n;
	int fd, i, e;

	snprintf(a, sizeof(a), "%s/sem-a", dir);
	snprintf(b, sizeof(b), "%s/sem-b", dir);
	snprintf(c, sizeof(c), "%s/sem-c", dir);
	stats_path(dir, &s0);
	fd = open(a, O_RDWR | O_CREAT, 0644);
	for (i = 0; i < 3; i++) {
		make_vec(&v, 77, i);
		attach(fd, &v, &id);
	}
	ck(write(fd, "hello world", 11) == 11, "write data", "-");
	close(fd);
	ck(link(a, b) == 0 && total_of(b) == 3, "hard link shares the vectors", "%llu",
	   (unsigned long long)total_of(b));
	ck(rename(b, c) == 0 && total_of(c) == 3, "rename keeps them", "-");
	ck(truncate(c, 0) == 0 && total_of(a) == 3, "truncate leaves them", "-");
	ck(unlink(a) == 0 && total_of(c) == 3, "unlink of one link keeps them", "-");
	stats_path(dir, &s1);
	ck(s1.vectors == s0.vectors + 3, "stats count them once", "%llu vs %llu",
	   (unsigned long long)s1.vectors, (unsigned long long)s0.vectors);
	ck(unlink(c) == 0, "unlink the last link", "-");
	stats_path(dir, &s1);
	ck(s1.vectors == s0.vectors && s1.live_bytes == s0.live_bytes,
	   "last unlink frees the vectors", "%llu vs %llu", (unsigned long long)s1.vectors,
	   (unsigned long long)s0.vectors);

	/* an open-but-unlinked file keeps its vectors until close */
	fd = open(a, O_RDWR | O_CREAT, 0644);
	make_vec(&v, 78, 0);
	attach(fd, &v, &id);
	unlink(a);
	ck(total_of(a) == ~0ULL, "unlinked name gone", "-");
	{
		uint64_t one[2];

		e = list(fd, one, 2, 0, &count, &next, &total);
		ck(e == 0 && count == 1 && one[0] == id, "vectors readable through the open fd",
		   "%d", e);
	}
	close(fd);
	stats_path(dir, &s1);
	ck(s1.vectors == s0.vectors, "closing the unlinked file frees its vectors", "-");

	/* float16 compression: stored in half the bytes, read back as float32 */
	{
		float x[8] = { 1.0f, -2.5f, 0.3333333f, 65504.0f, 0.0f, 3.0f, 7.25f, 1e-3f };
		uint32_t want[8], raw[8], got[8];
		uint16_t codes[8], rcodes[8];
		struct vexfs_ioc_attach at;
		struct vexfs_ioc_get g;
		int k2;

		for (k2 = 0; k2 < 8; k2++) {
			memcpy(&raw[k2], &x[k2], 4);
			codes[k2] = vq_f32_to_f16_bits(raw[k2]);
			want[k2] = vq_f16_to_f32_bits(codes[k2]);
		}
		fd = open(a, O_RDWR | O_CREAT, 0644);
		memset(&at, 0, sizeof(at));
		at.size = sizeof(at);
		at.dtype = VEXFS_VEC_DT_F32;
		at.compression = VEXFS_VEC_COMP_F16;
		at.dims = 8;
		at.data = (uintptr_t)x;
		at.data_len = sizeof(x);
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
		ck(e == 0, "attach float32 with float16 compression", "%s", strerror(e));
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.vector_id = at.vector_id;
		g.data = (uintptr_t)got;
		g.data_len = sizeof(got);
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		ck(e == 0 && g.data_len == 32 && g.info.stored_size == 16 &&
		   g.info.original_size == 32 && g.info.compression == VEXFS_VEC_COMP_F16 &&
		   !memcmp(got, want, sizeof(want)),
		   "get decodes float16 to the float32 it rounds to (16 of 32 bytes stored)",
		   "%d len %u stored %u", e, g.data_len, g.info.stored_size);
		g.flags = VEXFS_VEC_GET_RAW;
		g.data = (uintptr_t)rcodes;
		g.data_len = sizeof(rcodes);
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		ck(e == 0 && g.data_len == 16 && !memcmp(rcodes, codes, 16),
		   "get raw returns the stored float16 codes", "%d len %u", e, g.data_len);
		at.dtype = VEXFS_VEC_DT_I16;
		at.data_len = 16;
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
		ck(e == EINVAL, "float16 compression of int16 -> EINVAL", "%d", e);
		at.dtype = VEXFS_VEC_DT_F32;
		at.data_len = 32;
		at.compression = VEXFS_VEC_COMP_PQ;
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
		ck(e == ENOENT, "PQ with no codebook of these dims -> ENOENT", "%d", e);
		/* SQ8 / SQ4: per-vector min and step, error <= step / 2 */
		for (k2 = 0; k2 < 2; k2++) {
			static float big[768], back[768];
			unsigned int bits = k2 ? 4 : 8, bad = 0, q;
			float lo = 1e30f, hi = -1e30f, step;

			rng_state = 99 + k2;
			for (q = 0; q < 768; q++) {
				big[q] = (float)((int64_t)(rng() % 2000001) - 1000000) / 1e6f;
				lo = big[q] < lo ? big[q] : lo;
				hi = big[q] > hi ? big[q] : hi;
			}
			step = (hi - lo) / ((1 << bits) - 1);
			at.compression = k2 ? VEXFS_VEC_COMP_SQ4 : VEXFS_VEC_COMP_SQ8;
			at.dims = 768;
			at.data = (uintptr_t)big;
			at.data_len = sizeof(big);
			e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
			memset(&g, 0, sizeof(g));
			g.size = sizeof(g);
			g.vector_id = at.vector_id;
			g.data = (uintptr_t)back;
			g.data_len = sizeof(back);
			if (!e)
				e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
			for (q = 0; q < 768; q++) {
				float err = back[q] - big[q];

				if (err < 0)
					err = -err;
				if (err > step * 0.5f * 1.0001f + 1e-7f)
					bad++;
			}
			ck(e == 0 && !bad && g.info.stored_size == 8 + (bits == 8 ? 768 : 384) &&
			   g.data_len == sizeof(big),
			   bits == 8 ? "SQ8: stored in 776 of 3072 bytes, error <= step/2" :
				       "SQ4: stored in 392 of 3072 bytes, error <= step/2",
			   "%d bad %u stored %u", e, bad, g.info.stored_size);
		}
		{
			/* sparse: 5 non-zeros of 1000 stored in 44 bytes, read back exactly */
			static float sp[1000], spb[1000];

			memset(sp, 0, sizeof(sp));
			sp[0] = 1.5f;
			sp[10] = -2.0f;
			sp[500] = 3.25e-3f;
			sp[998] = 7.0f;
			sp[999] = -1e-30f;
			at.compression = VEXFS_VEC_COMP_SPARSE;
			at.dims = 1000;
			at.data = (uintptr_t)sp;
			at.data_len = sizeof(sp);
			e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
			memset(&g, 0, sizeof(g));
			g.size = sizeof(g);
			g.vector_id = at.vector_id;
			g.data = (uintptr_t)spb;
			g.data_len = sizeof(spb);
			if (!e)
				e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
			ck(e == 0 && g.info.stored_size == 44 && g.data_len == sizeof(sp) &&
			   !memcmp(sp, spb, sizeof(sp)),
			   "sparse: 5 of 1000 values stored in 44 bytes, read back bit for bit",
			   "%d stored %u", e, g.info.stored_size);
			for (k2 = 0; k2 < 1000; k2++)
				sp[k2] = 1.0f;	/* dense: sparse form 8004 bytes, fine */
			e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
			ck(e == 0, "sparse of a dense vector is stored too", "%d", e);
		}
		{
			float nan[4] = { 1.0f, 0.0f / 0.0f, 2.0f, 3.0f };

			at.compression = VEXFS_VEC_COMP_SQ8;
			at.dims = 4;
			at.data = (uintptr_t)nan;
			at.data_len = sizeof(nan);
			e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
			ck(e == EINVAL, "SQ8 of a vector with NaN -> EINVAL", "%d", e);
		}
		close(fd);
		unlink(a);
	}

	/* paging through 2500 vectors */
	fd = open(a, O_RDWR | O_CREAT, 0644);
	rng_state = 1;
	for (i = 0, e = 0; i < 2500 && !e; i++) {
		uint8_t d[16];
		struct vexfs_ioc_attach at;

		memset(&at, 0, sizeof(at));
		at.size = sizeof(at);
		at.dtype = VEXFS_VEC_DT_I8;
		at.dims = 16;
		memset(d, i & 0xff, sizeof(d));
		at.data = (uintptr_t)d;
		at.data_len = 16;
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &at) ? errno : 0;
	}
	ck(e == 0, "attach 2500 vectors to one file", "%s", strerror(e));
	start = 0;
	n = 0;
	do {
		e = list(fd, ids + n, 1000, start, &count, &next, &total);
		if (e)
			break;
		n += count;
		start = next;
	} while (next && n < 3000);
	ck(!e && n == 2500 && total == 2500, "list pages of 1000 return all 2500 in order",
	   "%d %u", e, n);
	for (i = 1, e = 0; i < (int)n; i++)
		if (ids[i] <= ids[i - 1])
			e = 1;
	ck(!e, "ids ascending", "-");
	for (i = 0, e = 0; i < (int)n; i += 2)
		e |= detach(fd, ids[i]);
	ck(!e && total_of(a) == 1250, "detach every other one", "%llu",
	   (unsigned long long)total_of(a));
	close(fd);
	unlink(a);
	stats_path(dir, &s1);
	ck(s1.vectors == s0.vectors && s1.alloc_bytes == s0.alloc_bytes,
	   "all freed, chunks returned", "%llu/%llu bytes", (unsigned long long)s1.alloc_bytes,
	   (unsigned long long)s0.alloc_bytes);
	return 0;
}

/* ---- crash workload ----------------------------------------------------- */

static uint8_t *pq_random_blob(uint32_t d, uint32_t m, size_t *blen);
static int cb_add(int fd, const void *blob, size_t len, uint32_t *id);
static int cb_get(int fd, uint32_t id, void *buf, uint32_t cap,
		  struct vexfs_ioc_codebook_get *g);

/* Codebook c of the crash test: 16 + 8c dims (17 to 265 blocks of 1 KiB). */
static uint8_t *crash_blob(unsigned int c, size_t *len)
{
	return pq_random_blob(16 + 8 * c, 1, len);
}

static int do_crashload(const char *dir, const char *logpath)
{
	static struct vspec v;
	static uint64_t last[100];
	char path[4096];
	unsigned int k;
	uint64_t id = 0;
	FILE *log = fopen(logpath, "w");

	if (!log)
		return 1;
	for (k = 0;; k++) {
		unsigned int f = k % 100;
		int fd;

		snprintf(path, sizeof(path), "%s/c%03u", dir, f);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		if (fd < 0)
			return 1;
		/* detach some, so that frees are in flight at the crash too */
		if (k % 7 == 3 && last[f]) {
			/* intent first: a crash before the fsync may or may not keep it */
			fprintf(log, "P %llu\n", (unsigned long long)last[f]);
			fflush(log);
			fsync(fileno(log));
		}
		if (k % 7 == 3 && last[f] && detach(fd, last[f]) == 0 && fsync(fd) == 0) {
			fprintf(log, "D %llu\n", (unsigned long long)last[f]);
			fflush(log);
			fsync(fileno(log));
		}
		make_vec(&v, f, k / 100);
		if (attach(fd, &v, &id) == 0 && fsync(fd) == 0) {
			last[f] = id;
			fprintf(log, "A %u %u %llu\n", f, k / 100, (unsigned long long)id);
			fflush(log);
			fsync(fileno(log));
		}
		/* now and then a codebook (whole or absent after the crash) */
		if (k % 120 == 60 && k / 120 < VEXFS_CB_MAX) {
			size_t blen;
			uint8_t *blob = crash_blob(k / 120, &blen);

			fprintf(log, "Q %u\n", k / 120);
			fflush(log);
			fsync(fileno(log));
			if (cb_add(fd, blob, blen, NULL) == 0 && syncfs(fd) == 0) {
				fprintf(log, "C %u\n", k / 120);
				fflush(log);
				fsync(fileno(log));
			}
			free(blob);
		}
		close(fd);
		if (k == 50) {
			printf("VEXFS-CRASH-ARMED\n");
			fflush(stdout);
		}
	}
	return 0;
}

/*
 * After a crash: every acknowledged vector not acknowledged as detached is
 * there with its data; none acknowledged as detached is; every vector present
 * is whole and equals what make_vec() built for its file and sequence number
 * (model_version).
 */
static int do_crashverify(const char *dir, const char *logpath)
{
	static struct vspec v;
	static uint8_t buf[VEXFS_VEC_MAX_DATA];
	static uint64_t ids[VEXFS_VEC_MAX_PER_FILE];
	static unsigned long long aid[200000], did[200000];
	static unsigned long long pid[200000];
	static unsigned int afile[200000];
	unsigned int k, j, bad = 0, present = 0, na = 0, nd = 0, np = 0, i2, lost = 0, undead = 0;
	unsigned int cq = 0, cc = 0, ncb = 0, cbad = 0;
	unsigned long long id;
	char path[4096], tag[4];
	FILE *log = fopen(logpath, "r");

	for (k = 0; k < 100; k++) {
		uint64_t next, total;
		uint32_t count, i;
		int fd;

		snprintf(path, sizeof(path), "%s/c%03u", dir, k);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (list(fd, ids, VEXFS_VEC_MAX_PER_FILE, 0, &count, &next, &total)) {
			bad++;
			close(fd);
			continue;
		}
		for (i = 0; i < count; i++) {
			struct vexfs_vec_info info;
			uint32_t len;

			if (get(fd, ids[i], buf, sizeof(buf), &info, &len)) {
				if (bad++ < 5)
					printf("# %s id %llu unreadable\n", path,
					       (unsigned long long)ids[i]);
				continue;
			}
			make_vec(&v, k, info.meta.model_version);
			if (len != v.len || info.dims != v.dims || memcmp(buf, v.data, len)) {
				if (bad++ < 5)
					printf("# %s id %llu differs\n", path,
					       (unsigned long long)ids[i]);
				continue;
			}
			present++;
		}
		close(fd);
	}
	while (log && fscanf(log, "%3s", tag) == 1) {
		if (!strcmp(tag, "A") && fscanf(log, "%u %u %llu", &k, &j, &id) == 3 && na < 200000) {
			afile[na] = k;
			aid[na++] = id;
		} else if (!strcmp(tag, "D") && fscanf(log, "%llu", &id) == 1 && nd < 200000) {
			did[nd++] = id;
		} else if (!strcmp(tag, "P") && fscanf(log, "%llu", &id) == 1 && np < 200000) {
			pid[np++] = id;
		} else if (!strcmp(tag, "Q") && fscanf(log, "%u", &k) == 1) {
			cq = k + 1;
		} else if (!strcmp(tag, "C") && fscanf(log, "%u", &k) == 1) {
			cc = k + 1;
		}
	}
	/* codebooks: all acknowledged ones, none never tried, each whole */
	{
		struct vexfs_ioc_codebook_get g;
		int fd = open(dir, O_RDONLY);
		uint8_t *got = malloc(VEXFS_CB_MAX_DIMS * 1024 + 32);

		if (fd < 0 || cb_get(fd, 0, NULL, 0, &g)) {
			bad++;
		} else {
			ncb = g.count;
			for (k = 0; k < ncb; k++) {
				size_t blen;
				uint8_t *want = crash_blob(k, &blen);

				if (cb_get(fd, k + 1, got, VEXFS_CB_MAX_DIMS * 1024 + 32, &g) ||
				    g.blob_len != blen || memcmp(got, want, blen))
					cbad++;
				free(want);
			}
		}
		if (fd >= 0)
			close(fd);
		free(got);
	}
	printf("# %u codebooks present (%u acknowledged, %u tried), %u differ\n", ncb, cc, cq, cbad);
	if (ncb < cc || ncb > cq || cbad)
		bad++;
	for (i2 = 0; i2 < na; i2++) {
		struct vexfs_vec_info info;
		bool detached = false;
		unsigned int d;
		uint32_t len;
		int fd, e;

		bool maybe = false;

		for (d = 0; d < nd && !detached; d++)
			detached = did[d] == aid[i2];
		for (d = 0; d < np && !maybe; d++)
			maybe = pid[d] == aid[i2];
		snprintf(path, sizeof(path), "%s/c%03u", dir, afile[i2]);
		fd = open(path, O_RDONLY);
		e = fd < 0 ? -ENOENT : get(fd, aid[i2], buf, sizeof(buf), &info, &len);
		if (fd >= 0)
			close(fd);
		if (!detached && !maybe && e)
			lost++;
		if (detached && !e)
			undead++;
	}
	printf("# %u vectors present and whole; %u attaches and %u detaches acknowledged\n",
	       present, na, nd);
	if (bad || !na || lost || undead)
		printf("# crashverify: FAILED (%u bad, %u lost, %u detached but present)\n", bad,
		       lost, undead);
	else
		printf("# crashverify: ok\n");
	return 0;
}

/*
 * enospc DIR: on a full filesystem, attach until ENOSPC; the failing attach
 * must change nothing (stats equal before and after, retried 20 times with
 * sizes from 1 block to 8 blocks of data).
 */
static int do_enospc(const char *dir)
{
	static float d[8192];
	struct vexfs_ioc_stats s0, s1;
	struct statfs f0, f1;
	char path[4096];
	int fd, e = 0, n = 0, i, same = 1, enospc = 1;

	snprintf(path, sizeof(path), "%s/enospc", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	for (i = 0; i < 8192; i++)
		d[i] = (float)i;
	while (!e && n < 1000000) {
		struct vexfs_ioc_attach a;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = VEXFS_VEC_DT_F32;
		a.dims = 8192;
		a.data = (uintptr_t)d;
		a.data_len = sizeof(d);
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a) ? errno : 0;
		n++;
	}
	ck(e == ENOSPC, "attach until the filesystem is full ends in ENOSPC",
	   "%d after %d attaches", e, n);
	for (i = 0; i < 20; i++) {
		struct vexfs_ioc_attach a;
		u32 dims = 1024 * (1 + i % 8);

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = VEXFS_VEC_DT_F32;
		a.dims = dims;
		a.data = (uintptr_t)d;
		a.data_len = dims * 4;
		stats_path(dir, &s0);
		statfs(dir, &f0);
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a) ? errno : 0;
		stats_path(dir, &s1);
		statfs(dir, &f1);
		/* the vector store's counts, and the free blocks and inodes too */
		if (e && (!same_stats(&s0, &s1) || f0.f_bfree != f1.f_bfree ||
			  f0.f_ffree != f1.f_ffree))
			same = 0;
		if (e && e != ENOSPC)
			enospc = 0;
	}
	ck(same, "a failed attach on a full filesystem changes nothing (STATS, statfs)",
	   "stats or free blocks changed");
	ck(enospc, "... and fails with ENOSPC", "other errno");
	close(fd);
	return 0;
}

/*
 * SEARCH with a query shaped like @v (float32 for float vectors, @v's own
 * data otherwise) on @fd; checks the results are well formed (ids, then
 * zeros; best first). Returns 0 or -errno.
 */
static int search_like(int fd, const struct vspec *v, uint32_t flags, uint32_t k)
{
	static struct vexfs_search_result res[64];
	static float q[VEXFS_VEC_MAX_DATA / 2];
	struct vexfs_ioc_search a;
	uint32_t i, prev = 0;
	bool ended = false;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.dims = v->dims;
	a.nq = 1;
	a.k = k > 64 ? 64 : k;
	if (v->dtype == VEXFS_VEC_DT_F32 || v->dtype == VEXFS_VEC_DT_F16) {
		for (i = 0; i < v->dims; i++)
			q[i] = (float)(int)(i % 7) - 3.0f;
		a.dtype = VEXFS_VEC_DT_F32;
		a.queries = (uintptr_t)q;
		a.queries_len = v->dims * 4;
	} else {
		a.dtype = v->dtype;
		a.queries = (uintptr_t)v->data;
		a.queries_len = v->len;
	}
	a.metric = a.dtype == VEXFS_VEC_DT_BIN ? VEXFS_SEARCH_METRIC_HAMMING : VEXFS_SEARCH_METRIC_L2;
	a.results = (uintptr_t)res;
	a.results_len = sizeof(res);
	if (ioctl(fd, VEXFS_IOC_SEARCH, &a))
		return -errno;
	for (i = 0; i < a.k; i++) {
		if (!res[i].vector_id) {
			ended = true;
			continue;
		}
		/* L2 and Hamming distances are >= 0: their bits ascend with them */
		if (ended || !res[i].inode || res[i].distance < prev)
			return -EPROTO;
		prev = res[i].distance;
	}
	return 0;
}

/*
 * race DIR SECONDS: four processes attach, get, list, detach, read the xattr
 * view, unlink and recreate four shared files (and O_TMPFILEs, some given a
 * name by linkat) at once; every call must
 * succeed or fail with an errno the race explains (ENOENT for an id another
 * process detached, or a file another process unlinked).
 */
static int do_race(const char *dir, int secs)
{
	int p, bad = 0, status;
	pid_t kids[4];
	char sub[4200];

	for (p = 0; p < 2; p++) {
		snprintf(sub, sizeof(sub), "%s/s%d", dir, p);
		if (mkdir(sub, 0755) && errno != EEXIST)
			bad++;
	}

	for (p = 0; p < 4; p++) {
		kids[p] = fork();
		if (kids[p] == 0) {
			static struct vspec v;
			static uint8_t buf[VEXFS_VEC_MAX_DATA + 64];
			uint64_t ids[64], next, total, id;
			time_t end = time(NULL) + secs;
			unsigned int it = 0, errs = 0;
			char path[4096];

			while (time(NULL) < end) {
				struct vexfs_vec_info info;
				uint32_t count, len, i;
				int fd, e;

				snprintf(path, sizeof(path), "%s/r%u", dir, (it + p) % 4);
				fd = open(path, O_RDWR | O_CREAT, 0644);
				if (fd < 0) {
					errs++;
					continue;
				}
				make_vec(&v, p, it);
				if (attach(fd, &v, &id))
					errs++;
				e = list(fd, ids, 64, 0, &count, &next, &total);
				for (i = 0; !e && i < count; i++) {
					e = get(fd, ids[i], buf, sizeof(buf), &info, &len);
					if (e == -ENOENT)
						e = 0;
					if (!e && (it + i) % 3 == 0) {
						e = detach(fd, ids[i]);
						if (e == -ENOENT)
							e = 0;
					}
				}
				if (e)
					errs++;
				if (fgetxattr(fd, "user.vexfs.vec.00000", buf, sizeof(buf)) < 0 &&
				    errno != ENODATA)
					errs++;
				/* searches of the whole filesystem and of this file */
				e = search_like(fd, &v, VEXFS_SEARCH_FS, 1 + it % 64);
				if (!e)
					e = search_like(fd, &v, 0, 8);
				if (e) {
					fprintf(stderr, "race: search: %s\n", strerror(-e));
					errs++;
				}
				/*
				 * parent pointers: hard links into s0, moved to s1 and
				 * back, unlinked, while subtree searches of s0, s1 and
				 * DIR run (any link inside a scope counts)
				 */
				{
					char l0[4200], l1[4200], sd[4200];
					int dfd;

					snprintf(l0, sizeof(l0), "%s/s0/l%d_%u", dir, p, it % 3);
					snprintf(l1, sizeof(l1), "%s/s1/l%d_%u", dir, p, it % 3);
					snprintf(sd, sizeof(sd), "%s/s%u", dir, it % 2);
					/* ENOENT: another process unlinked path */
					if (link(path, l0) && errno != EEXIST && errno != ENOENT) {
						fprintf(stderr, "race: link: %s\n", strerror(errno));
						errs++;
					}
					if (it % 2 && rename(l0, l1) && errno != ENOENT) {
						fprintf(stderr, "race: rename: %s\n", strerror(errno));
						errs++;
					}
					if (it % 5 == 4 && unlink(l1) && errno != ENOENT) {
						fprintf(stderr, "race: unlink: %s\n", strerror(errno));
						errs++;
					}
					dfd = open(it % 3 ? sd : dir, O_RDONLY | O_DIRECTORY);
					e = dfd < 0 ? -errno : search_like(dfd, &v, 0, 1 + it % 32);
					if (e) {
						fprintf(stderr, "race: subtree search: %s\n", strerror(-e));
						errs++;
					}
					if (dfd >= 0)
						close(dfd);
				}
				/*
				 * O_TMPFILE: a vector on a file with no link (on the
				 * orphan list), then every other time linkat into s0
				 * (EEXIST: an earlier one is there) or a close that frees it
				 */
				if (it % 7 == 3) {
					char tp[64], tl[4200];
					int tfd = open(dir, O_TMPFILE | O_RDWR, 0644);

					if (tfd < 0) {
						fprintf(stderr, "race: O_TMPFILE: %s\n", strerror(errno));
						errs++;
					} else {
						if (attach(tfd, &v, &id))
							errs++;
						snprintf(tp, sizeof(tp), "/proc/self/fd/%d", tfd);
						snprintf(tl, sizeof(tl), "%s/s0/t%d_%u", dir, p, it % 3);
						if (it % 2 && linkat(AT_FDCWD, tp, AT_FDCWD, tl, AT_SYMLINK_FOLLOW) &&
						    errno != EEXIST) {
							fprintf(stderr, "race: linkat: %s\n", strerror(errno));
							errs++;
						}
						close(tfd);
					}
				}
				if (it % 50 == 49)
					unlink(path);
				close(fd);
				it++;
			}
			_exit(errs ? 1 : 0);
		}
	}
	/* a fifth process searches in a loop and is killed mid-search, twice */
	for (p = 0; p < 2; p++) {
		pid_t s = fork();

		if (s == 0) {
			static struct vspec v;
			int fd = open(dir, O_RDONLY | O_DIRECTORY);

			make_vec(&v, 1, 1);
			for (;;)	/* the second one searches DIR's subtree */
				search_like(fd, &v, p ? 0 : VEXFS_SEARCH_FS, 64);
		}
		sleep(1 + p);
		kill(s, SIGKILL);
		waitpid(s, &status, 0);
		if (!WIFSIGNALED(status))
			bad++;
	}
	for (p = 0; p < 4; p++) {
		waitpid(kids[p], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	ck(bad == 0, "race: 4 processes on shared files (with searches) and 2 searchers killed, no unexplained error",
	   "%d failed", bad);
	return 0;
}

/* ---- PQ codebooks ---------------------------------------------------------- */

#define PQ_N	1024		/* training vectors */

/* Clustered data: 16 centres, small noise; deterministic for @seed. */
static void pq_data(float *x, size_t n, uint32_t d, uint64_t seed)
{
	static float ctr[16][128];
	size_t i;
	uint32_t j;

	rng_state = seed;
	for (i = 0; i < 16; i++)
		for (j = 0; j < d; j++)
			ctr[i][j] = (float)((int64_t)(rng() % 2001) - 1000) / 250.0f;
	for (i = 0; i < n; i++) {
		uint64_t c = rng() % 16;

		for (j = 0; j < d; j++)
			x[i * d + j] = ctr[c][j] + (float)((int64_t)(rng() % 201) - 100) / 400.0f;
	}
}

/* Train a codebook (deterministic) and return its blob in *blob. */
static struct vq_pq *pq_train(uint32_t d, uint32_t m, uint64_t seed, uint8_t **blob, size_t *blen)
{
	struct vq_pq *pq = calloc(1, sizeof(*pq));
	float *x = malloc(sizeof(float) * PQ_N * d);
	size_t sl = vq_pq_train_scratch_size(d, m, PQ_N);
	void *scratch = malloc(sl);

	pq->d = d;
	pq->m = m;
	pq->dsub = d / m;
	pq->cent_t = malloc(sizeof(float) * vq_pq_codebook_floats(d));
	pq_data(x, PQ_N, d, seed);
	if (vq_pq_train(pq, x, PQ_N, 8, seed, scratch, sl)) {
		fprintf(stderr, "vq_pq_train failed\n");
		exit(1);
	}
	*blen = vq_pq_blob_size(d);
	*blob = malloc(*blen);
	vq_pq_store(pq, *blob, *blen);
	free(x);
	free(scratch);
	return pq;
}

/* A random (untrained) codebook blob of d dims: for size limits only. */
static uint8_t *pq_random_blob(uint32_t d, uint32_t m, size_t *blen)
{
	struct vq_pq pq = { .d = d, .m = m, .dsub = d / m };
	size_t i, n = vq_pq_codebook_floats(d);
	uint8_t *b;

	pq.cent_t = malloc(sizeof(float) * n);
	rng_state = d * 7 + m;
	for (i = 0; i < n; i++)
		pq.cent_t[i] = (float)(rng() % 1000) / 1000.0f;
	*blen = vq_pq_blob_size(d);
	b = malloc(*blen);
	vq_pq_store(&pq, b, *blen);
	free(pq.cent_t);
	return b;
}

static int cb_add(int fd, const void *blob, size_t len, uint32_t *id)
{
	struct vexfs_ioc_codebook_add a = { .size = sizeof(a), .blob = (uintptr_t)blob,
					    .blob_len = (uint32_t)len };
	int e = ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a) ? errno : 0;

	if (id)
		*id = a.id;
	return e;
}

static int cb_get(int fd, uint32_t id, void *buf, uint32_t cap, struct vexfs_ioc_codebook_get *g)
{
	memset(g, 0, sizeof(*g));
	g->size = sizeof(*g);
	g->id = id;
	g->blob = (uintptr_t)buf;
	g->blob_len = cap;
	return ioctl(fd, VEXFS_IOC_CODEBOOK_GET, g) ? errno : 0;
}

static int pq_attach(int fd, const float *x, uint32_t d, uint32_t cb, uint64_t *id)
{
	struct vexfs_ioc_attach a;
	int e;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.dtype = VEXFS_VEC_DT_F32;
	a.compression = VEXFS_VEC_COMP_PQ;
	a.dims = d;
	a.data = (uintptr_t)x;
	a.data_len = d * 4;
	a.codebook = cb;
	e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a) ? errno : 0;
	if (id)
		*id = a.vector_id;
	return e;
}

/*
 * Check vectors [0, n) of @path (PQ, codebook @cbid of @pq, blob CRC @crc)
 * against @x: raw codes equal vq_pq_encode's, decoded equals vq_pq_decode's.
 */
static void pq_check_file(const char *path, const struct vq_pq *pq, const float *x,
			  uint32_t n, uint32_t cbid, uint32_t crc, const char *what)
{
	uint8_t codes[256], raw[8 + 256];
	float want[128], got[128];
	struct vexfs_ioc_list l;
	struct vexfs_ioc_get g;
	uint64_t ids[64];
	uint32_t i, badraw = 0, baddec = 0, badinfo = 0;
	int fd = open(path, O_RDONLY), e;
	char desc[256];

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.ids = (uintptr_t)ids;
	l.capacity = 64;
	e = fd < 0 ? errno : ioctl(fd, VEXFS_IOC_VEC_LIST, &l) ? errno : 0;
	snprintf(desc, sizeof(desc), "%s: %u PQ vectors listed", what, n);
	if (!ck(e == 0 && l.count == n, desc, "%d count %u", e, l.count)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (i = 0; i < n; i++) {
		vq_pq_encode(pq, x + (size_t)i * pq->d, codes, 1);
		vq_pq_decode(pq, codes, want, 1);
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.vector_id = ids[i];
		g.flags = VEXFS_VEC_GET_RAW;
		g.data = (uintptr_t)raw;
		g.data_len = sizeof(raw);
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		if (e || g.data_len != 8 + pq->m || vq_get_le32(raw) != cbid ||
		    vq_get_le32(raw + 4) != crc || memcmp(raw + 8, codes, pq->m))
			badraw++;
		if (g.info.compression != VEXFS_VEC_COMP_PQ || g.info.stored_size != 8 + pq->m ||
		    g.info.original_size != pq->d * 4 || g.info.dims != pq->d)
			badinfo++;
		g.flags = 0;
		g.data = (uintptr_t)got;
		g.data_len = sizeof(got);
		e = ioctl(fd, VEXFS_IOC_VEC_GET, &g) ? errno : 0;
		if (e || g.data_len != pq->d * 4 || memcmp(got, want, pq->d * 4))
			baddec++;
	}
	close(fd);
	snprintf(desc, sizeof(desc), "%s: raw = codebook %u, its CRC, the nearest-centroid codes", what, cbid);
	ck(!badraw, desc, "%u of %u differ", badraw, n);
	snprintf(desc, sizeof(desc), "%s: header says PQ, %u of %u bytes stored", what, 8 + pq->m, pq->d * 4);
	ck(!badinfo, desc, "%u of %u differ", badinfo, n);
	snprintf(desc, sizeof(desc), "%s: GET decodes to the centroids, bit for bit", what);
	ck(!baddec, desc, "%u of %u differ", baddec, n);
}

/*
 * pq DIR: install two trained codebooks (64-d m=8, 64-d m=16) and one 32-d,
 * attach PQ vectors, check codes and decoding against the same core run
 * here, the bad-input table of CODEBOOK_ADD / GET and PQ ATTACH, the xattr
 * view, 31 codebooks at most, and the journal size limit.
 * pqverify DIR: after a remount, the same checks on what pq left.
 */
static struct vq_pq *pq_a, *pq_b;
static uint8_t *blob_a, *blob_b;
static size_t blen_a, blen_b;
static float *xa, *xb;

static void pq_setup(void)
{
	vq_select_impl(vq_cpu_features());
	pq_a = pq_train(64, 8, 11, &blob_a, &blen_a);
	pq_b = pq_train(64, 16, 12, &blob_b, &blen_b);
	xa = malloc(sizeof(float) * 64 * 64);
	xb = malloc(sizeof(float) * 64 * 64);
	pq_data(xa, 64, 64, 101);
	pq_data(xb, 64, 64, 102);
}

static uint32_t blob_crc(const uint8_t *b)
{
	return vq_get_le32(b + 28);
}

static void do_pqverify(const char *dir, bool first, bool ro)
{
	struct vexfs_ioc_codebook_get g;
	char path[4096];
	uint8_t *buf = malloc(blen_a);
	int fd = open(dir, O_RDONLY), e;

	e = cb_get(fd, 1, buf, blen_a, &g);
	ck(e == 0 && g.count >= 3 && g.blob_len == blen_a && !memcmp(buf, blob_a, blen_a) &&
	   g.dims == 64 && g.m == 8 && g.blob_crc == blob_crc(blob_a),
	   first ? "codebook 1 reads back as installed" : "codebook 1 survives the remount",
	   "%d count %u len %u", e, g.count, g.blob_len);
	close(fd);
	snprintf(path, sizeof(path), "%s/pq.a", dir);
	pq_check_file(path, pq_a, xa, 20, 1, blob_crc(blob_a), first ? "codebook 1" : "remounted, codebook 1");
	snprintf(path, sizeof(path), "%s/pq.b", dir);
	pq_check_file(path, pq_b, xb, 20, 2, blob_crc(blob_b), first ? "newest (2)" : "remounted, codebook 2");
	snprintf(path, sizeof(path), "%s/pq.copy", dir);
	pq_check_file(path, pq_a, xa, 1, 1, blob_crc(blob_a), first ? "xattr copy" : "remounted, xattr copy");
	if (ro) {
		fd = open(dir, O_RDONLY);
		e = cb_add(fd, blob_a, blen_a, NULL);
		ck(e == EROFS, "codebook add on a read-only mount -> EROFS", "%d", e);
		close(fd);
	}
	free(buf);
}

static void do_pq(const char *dir)
{
	struct vexfs_ioc_codebook_get g;
	struct vexfs_ioc_codebook_add ca;
	struct vexfs_ioc_stats s0, s1;
	uint8_t *bad, *small, *big;
	size_t slen, blen;
	uint32_t id = 0, i, n;
	uint64_t vid;
	char path[4096], value[512];
	ssize_t vlen;
	int dfd = open(dir, O_RDONLY), fd, e;
	pid_t pid;
	int st;

	ck(dfd >= 0, "open the mount point", "%d", errno);
	e = cb_get(dfd, 0, NULL, 0, &g);
	ck(e == 0 && g.count == 0, "a new filesystem has no codebooks", "%d count %u", e, g.count);
	snprintf(path, sizeof(path), "%s/pq.a", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	e = pq_attach(fd, xa, 64, 0, NULL);
	ck(e == ENOENT, "PQ attach without a codebook -> ENOENT", "%d", e);

	/* CODEBOOK_ADD bad input: nothing is installed */
	stats_path(dir, &s0);
	bad = malloc(blen_a);
	memcpy(bad, blob_a, blen_a);
	bad[100] ^= 1;
	e = cb_add(dfd, bad, blen_a, NULL);
	ck(e == EINVAL, "codebook with a bad CRC -> EINVAL", "%d", e);
	memcpy(bad, blob_a, blen_a);
	{
		size_t wl;
		uint8_t *wide = pq_random_blob(512, 1, &wl);

		e = cb_add(dfd, wide, wl, NULL);
		ck(e == EINVAL, "codebook with 512-dim subspaces (over 256) -> EINVAL", "%d", e);
		free(wide);
	}
	e = cb_add(dfd, bad, blen_a - 1, NULL);
	ck(e == EINVAL, "codebook one byte short -> EINVAL", "%d", e);
	e = cb_add(dfd, bad, 16, NULL);
	ck(e == EINVAL, "codebook shorter than its header -> EINVAL", "%d", e);
	e = cb_add(dfd, NULL, blen_a, NULL);
	ck(e == EFAULT, "codebook NULL pointer -> EFAULT", "%d", e);
	e = cb_add(dfd, (void *)16, blen_a, NULL);
	ck(e == EFAULT, "codebook bad pointer -> EFAULT", "%d", e);
	memset(&ca, 0, sizeof(ca));
	ca.size = sizeof(ca);
	ca.flags = 1;
	ca.blob = (uintptr_t)blob_a;
	ca.blob_len = (uint32_t)blen_a;
	e = ioctl(dfd, VEXFS_IOC_CODEBOOK_ADD, &ca) ? errno : 0;
	ck(e == EINVAL, "codebook flags -> EINVAL", "%d", e);
	ca.flags = 0;
	ca.size = 8;
	e = ioctl(dfd, VEXFS_IOC_CODEBOOK_ADD, &ca) ? errno : 0;
	ck(e == EINVAL, "codebook struct size too small -> EINVAL", "%d", e);
	pid = fork();
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		_exit(cb_add(dfd, blob_a, blen_a, NULL));
	}
	waitpid(pid, &st, 0);
	ck(WIFEXITED(st) && WEXITSTATUS(st) == EPERM, "codebook add as a user -> EPERM",
	   "status %d", st);
	e = cb_get(dfd, 0, NULL, 0, &g);
	stats_path(dir, &s1);
	ck(e == 0 && g.count == 0 && !memcmp(&s0, &s1, sizeof(s0)),
	   "refused codebooks installed nothing", "count %u", g.count);

	/* install, read back */
	e = cb_add(dfd, blob_a, blen_a, &id);
	ck(e == 0 && id == 1, "install a 64-d m=8 codebook: id 1", "%d id %u", e, id);
	small = malloc(blen_a);
	e = cb_get(dfd, 1, small, (uint32_t)blen_a - 1, &g);
	ck(e == ERANGE && g.blob_len == blen_a, "codebook get into a short buffer -> ERANGE and the size",
	   "%d len %u", e, g.blob_len);
	e = cb_get(dfd, 2, small, (uint32_t)blen_a, &g);
	ck(e == ENOENT, "codebook get of an unknown id -> ENOENT", "%d", e);
	cb_get(dfd, 1, NULL, 0, &g);
	g.flags = 1;
	e = ioctl(dfd, VEXFS_IOC_CODEBOOK_GET, &g) ? errno : 0;
	ck(e == EINVAL, "codebook get flags -> EINVAL", "%d", e);
	g.flags = 0;
	g.size = 8;
	e = ioctl(dfd, VEXFS_IOC_CODEBOOK_GET, &g) ? errno : 0;
	ck(e == EINVAL, "codebook get struct size too small -> EINVAL", "%d", e);
	e = cb_get(dfd, 1, (void *)16, (uint32_t)blen_a, &g);
	ck(e == EFAULT, "codebook get into a bad pointer -> EFAULT", "%d", e);
	free(small);

	/* PQ attach */
	for (i = 0, e = 0; i < 20 && !e; i++)
		e = pq_attach(fd, xa + i * 64, 64, i % 2 ? 1 : 0, NULL);
	ck(e == 0, "attach 20 PQ vectors (codebook 0 = newest of 64 dims, and 1)", "%d", e);
	stats_path(dir, &s0);
	e = pq_attach(fd, xa, 32, 1, NULL);
	ck(e == EINVAL, "PQ with a codebook of other dims -> EINVAL", "%d", e);
	e = pq_attach(fd, xa, 32, 0, NULL);
	ck(e == ENOENT, "PQ with no codebook of these dims -> ENOENT", "%d", e);
	e = pq_attach(fd, xa, 64, 9, NULL);
	ck(e == ENOENT, "PQ with an unknown codebook -> ENOENT", "%d", e);
	{
		float nan[64];

		memcpy(nan, xa, sizeof(nan));
		nan[5] = 0.0f / 0.0f;
		e = pq_attach(fd, nan, 64, 1, NULL);
		ck(e == EINVAL, "PQ of a vector with NaN -> EINVAL", "%d", e);
	}
	{
		struct vexfs_ioc_attach a;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = VEXFS_VEC_DT_F16;
		a.compression = VEXFS_VEC_COMP_PQ;
		a.dims = 64;
		a.data = (uintptr_t)xa;
		a.data_len = 128;
		e = ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a) ? errno : 0;
		ck(e == EINVAL, "PQ of a float16 vector -> EINVAL", "%d", e);
	}
	stats_path(dir, &s1);
	ck(!memcmp(&s0, &s1, sizeof(s0)), "refused PQ attaches changed nothing", "vectors %llu -> %llu",
	   (unsigned long long)s0.vectors, (unsigned long long)s1.vectors);
	close(fd);

	/* a second 64-d codebook becomes the newest; a 32-d one does not */
	e = cb_add(dfd, blob_b, blen_b, &id);
	ck(e == 0 && id == 2, "install a second 64-d codebook (m=16): id 2", "%d id %u", e, id);
	small = pq_random_blob(32, 4, &slen);
	e = cb_add(dfd, small, slen, &id);
	ck(e == 0 && id == 3, "install a 32-d codebook: id 3", "%d id %u", e, id);
	snprintf(path, sizeof(path), "%s/pq.b", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	for (i = 0, e = 0; i < 20 && !e; i++)
		e = pq_attach(fd, xb + i * 64, 64, 0, NULL);
	ck(e == 0, "attach 20 more with codebook 0", "%d", e);
	e = pq_attach(fd, xb, 32, 0, &vid);
	ck(e == 0, "a 32-d PQ vector picks the 32-d codebook", "%d", e);
	{
		struct vexfs_ioc_detach d = { .size = sizeof(d), .vector_id = vid };

		ck(ioctl(fd, VEXFS_IOC_VEC_DETACH, &d) == 0, "detach it", "%d", errno);
	}
	close(fd);

	/* xattr view: the stored form moves within the filesystem */
	snprintf(path, sizeof(path), "%s/pq.a", dir);
	vlen = getxattr(path, "user.vexfs.vec.00000", value, sizeof(value));
	ck(vlen == 64 + 8 + 8, "xattr of a PQ vector: header + ref + 8 codes", "%zd", vlen);
	snprintf(path, sizeof(path), "%s/pq.copy", dir);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	close(fd);
	if (vlen > 0) {
		value[64 + 4] ^= 1;	/* the codebook CRC */
		e = setxattr(path, "user.vexfs.vec.00000", value, vlen, 0) ? errno : 0;
		ck(e == EINVAL, "xattr naming another codebook's CRC -> EINVAL", "%d", e);
		value[64 + 4] ^= 1;
		value[64] = 3;		/* codebook 3 is 32-d */
		e = setxattr(path, "user.vexfs.vec.00000", value, vlen, 0) ? errno : 0;
		ck(e == EINVAL, "xattr naming a codebook of other dims -> EINVAL", "%d", e);
		value[64] = 1;
		e = setxattr(path, "user.vexfs.vec.00000", value, vlen, 0) ? errno : 0;
		ck(e == 0, "xattr copy of a PQ vector", "%d", e);
	}

	do_pqverify(dir, true, false);

	/* size limit: one journal transaction; 31 codebooks */
	big = pq_random_blob(8192, 1024, &blen);
	e = cb_add(dfd, big, blen, &id);
	ck(e == EFBIG, "an 8 MiB codebook does not fit one transaction of the 16 MiB journal -> EFBIG",
	   "%d", e);
	free(big);
	big = pq_random_blob(8193, 1, &blen);
	e = cb_add(dfd, big, blen, &id);
	ck(e == EINVAL, "a codebook of 8193 dims -> EINVAL", "%d", e);
	free(big);
	big = pq_random_blob(1024, 128, &blen);
	e = cb_add(dfd, big, blen, &id);
	ck(e == 0 && id == 4, "a 1 MiB codebook (1024-d) fits", "%d id %u", e, id);
	free(big);
	for (n = 5, e = 0; n <= VEXFS_CB_MAX && !e; n++) {
		big = pq_random_blob(8 + n, 1, &blen);
		e = cb_add(dfd, big, blen, &id);
		free(big);
	}
	ck(e == 0 && id == VEXFS_CB_MAX, "install up to 31 codebooks", "%d id %u", e, id);
	e = cb_add(dfd, small, slen, &id);
	ck(e == ENOSPC, "the 32nd -> ENOSPC", "%d", e);
	e = cb_get(dfd, 0, NULL, 0, &g);
	ck(e == 0 && g.count == VEXFS_CB_MAX, "count says 31", "%d %u", e, g.count);
	free(small);
	free(bad);
	close(dfd);
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "fill"))
		do_fill(argv[2], atoi(argv[3]), atoi(argv[4]));
	else if (argc >= 5 && !strcmp(argv[1], "verify"))
		do_verify(argv[2], atoi(argv[3]), atoi(argv[4]), argc > 5);
	else if (argc >= 6 && !strcmp(argv[1], "bulk")) {
		/* bulk DIR NVECTORS PERFILE DIMS: float32 vectors, for benchmarks */
		unsigned long n = strtoul(argv[3], NULL, 0), per = strtoul(argv[4], NULL, 0), i;
		static float d[VEXFS_VEC_MAX_DATA / 4];
		struct vexfs_ioc_attach a;
		char path[4096];
		int fd = -1;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = VEXFS_VEC_DT_F32;
		a.dims = strtoul(argv[5], NULL, 0);
		a.data = (uintptr_t)d;
		a.data_len = a.dims * 4;
		for (i = 0; i < n; i++) {
			if (i % per == 0) {
				if (fd >= 0)
					close(fd);
				snprintf(path, sizeof(path), "%s/b%07lu", argv[2], i / per);
				fd = open(path, O_RDWR | O_CREAT, 0644);
			}
			d[i % a.dims] = (float)i;
			if (fd < 0 || ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a)) {
				perror("attach");
				return 1;
			}
		}
		if (fd >= 0)
			close(fd);
		return 0;
	} else if (argc >= 3 && !strcmp(argv[1], "enospc"))
		do_enospc(argv[2]);
	else if (argc >= 4 && !strcmp(argv[1], "race"))
		do_race(argv[2], atoi(argv[3]));
	else if (argc >= 4 && !strcmp(argv[1], "unlink-half"))
		do_unlink_half(argv[2], atoi(argv[3]));
	else if (argc >= 4 && !strcmp(argv[1], "badinput"))
		do_badinput(argv[2], argv[3]);
	else if (argc >= 3 && !strcmp(argv[1], "semantics"))
		do_semantics(argv[2]);
	else if (argc >= 3 && !strcmp(argv[1], "pq")) {
		pq_setup();
		do_pq(argv[2]);
	} else if (argc >= 3 && !strcmp(argv[1], "pqverify")) {
		pq_setup();
		do_pqverify(argv[2], false, argc > 3 && !strcmp(argv[3], "ro"));
	}
	else if (argc >= 3 && !strcmp(argv[1], "try-attach")) {
		/* exit status = errno of one attach (0 = attached) */
		static struct vspec v;
		uint64_t id;
		int fd = open(argv[2], O_RDONLY), err;

		if (fd < 0)
			return 255;
		make_vec(&v, 3, 3);
		err = attach(fd, &v, &id);
		if (err == -EBADF) {
			close(fd);
			fd = open(argv[2], O_RDWR);
			err = fd < 0 ? -errno : attach(fd, &v, &id);
		}
		printf("%s\n", err ? strerror(-err) : "attached");
		return -err;
	} else if (argc >= 4 && !strcmp(argv[1], "crashload"))
		return do_crashload(argv[2], argv[3]);
	else if (argc >= 4 && !strcmp(argv[1], "crashverify"))
		return do_crashverify(argv[2], argv[3]);
	else if (argc >= 3 && !strcmp(argv[1], "stats")) {
		struct vexfs_ioc_stats s;

		if (stats_path(argv[2], &s))
			return 1;
		printf("vectors=%llu files=%llu live_bytes=%llu alloc_bytes=%llu chunks=%llu next_id=%llu\n",
		       (unsigned long long)s.vectors, (unsigned long long)s.files,
		       (unsigned long long)s.live_bytes, (unsigned long long)s.alloc_bytes,
		       (unsigned long long)s.chunks, (unsigned long long)s.next_id);
		return 0;
	} else {
		fprintf(stderr, "usage: see the comment at the top of tests/vm/vectors.c\n");
		return 2;
	}
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail != 0;
}
