// SPDX-License-Identifier: GPL-2.0
/*
 * sysfuzz - syscall and ioctl fuzzing of a mounted VexFS (issue 13's
 * "syscall/ioctl fuzzing" campaign; run under the KASAN/lockdep/kmemleak
 * kernel by tests/kunit/fs-debug.sh, where any splat fails the run).
 *
 *   sysfuzz refuse DIR CALLS SEED     one process: CALLS vector ioctls with
 *                                     random struct contents; every refused
 *                                     call must change nothing (STATS,
 *                                     statfs free blocks and inodes, the
 *                                     file's vector list and each vector's
 *                                     bytes)
 *   sysfuzz storm DIR PROCS CALLS SEED
 *                                     PROCS processes, CALLS random calls
 *                                     each on shared files: vector ioctls
 *                                     (valid and random), xattrs and the
 *                                     vector xattr view, create, write,
 *                                     read, mmap writes, truncate,
 *                                     fallocate, rename, link, unlink,
 *                                     mkdir, rmdir, symlink, readdir, fsync
 *   sysfuzz shutdown DIR PROCS SEED   PROCS processes as in storm while the
 *                                     parent shuts the filesystem down
 *                                     (VEXFS_IOC_SHUTDOWN, mode SEED % 3)
 *
 * Each (mode, seed, process) is reproducible in the sequence of calls it
 * makes (not in their interleaving). The storm checks only that the kernel
 * survives, answers every call and that no process hangs (alarm); the
 * caller runs fsck afterwards.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "../vm/vmtest.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rng() % n) : 0;
}

/* ---- argument memory ----------------------------------------------------- */

/*
 * The struct passed to an ioctl lives in arg_area: 2 pages, then a
 * PROT_NONE page, so a struct can be placed to end just before the guard.
 * Data buffers: data_area (64 KiB + guard), ro_page (read only).
 */
static uint8_t *arg_area, *data_area, *ro_page;
#define ARG_BYTES	8192
#define DATA_BYTES	65536

static void *map_guarded(size_t bytes)
{
	uint8_t *p = mmap(NULL, bytes + 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	mprotect(p + bytes, 4096, PROT_NONE);
	return p;
}

static void setup_memory(void)
{
	uint32_t i;

	arg_area = map_guarded(ARG_BYTES);
	data_area = map_guarded(DATA_BYTES);
	ro_page = map_guarded(4096);
	for (i = 0; i < DATA_BYTES; i++)
		data_area[i] = (uint8_t)rng();
	mprotect(ro_page, 4096, PROT_READ);
}

/* A pointer for a __u64 field: mostly a valid buffer, sometimes a bad one. */
static uint64_t rnd_ptr(uint32_t len)
{
	switch (rnd(16)) {
	case 0: return 0;
	case 1: return 0x10;
	case 2: return 0xffff888000000000ULL;		/* kernel memory */
	case 3: return (uintptr_t)ro_page;		/* not writable */
	case 4: return (uintptr_t)(data_area + DATA_BYTES - (len && len < DATA_BYTES ? len / 2 : 1));
	case 5: return ~0ULL - 7;
	default:
		if (len > DATA_BYTES)
			len = DATA_BYTES;
		return (uintptr_t)(data_area + rnd(DATA_BYTES - len + 1));
	}
}

static uint32_t rnd_u32(uint32_t typical)
{
	static const uint32_t edge[] = { 0, 1, 2, 3, 7, 8, 255, 256, 4095, 4096, 4097,
					 32768, 65535, 65536, 65537, 0x7fffffff,
					 0x80000000, 0xffffffff };

	switch (rnd(8)) {
	case 0: return edge[rnd(sizeof(edge) / sizeof(edge[0]))];
	case 1: return (uint32_t)rng();
	case 2: return typical + rnd(3) - 1;
	default: return typical;
	}
}

/*
 * Copy the struct s (its real size n) into arg_area and damage it: each
 * 32-bit word is kept, or with probability 1/heat replaced by an edge value;
 * the size field is sometimes wrong. The output pointer at offset out (0:
 * none) is never damaged: a successful call could then write into the
 * fuzzer's own memory (its buffers end at guard pages). Returns the struct's
 * address.
 */
static void *place(const void *s, uint32_t n, uint32_t heat, uint32_t out)
{
	uint8_t *p;
	uint32_t i, size = n;

	switch (rnd(12)) {
	case 0: size = n - 4 - rnd(n - 4); break;		/* short: EINVAL */
	case 1: size = n + 8 * (1 + rnd(4)); break;		/* longer, tail below */
	case 2: size = 4096 + 1 + rnd(65536); break;		/* E2BIG */
	}
	if (size <= ARG_BYTES && !rnd(3))
		p = arg_area + ARG_BYTES - (size > n ? size : n);	/* at the guard */
	else
		p = arg_area;
	memset(arg_area, 0, ARG_BYTES);
	memcpy(p, s, n);
	if (size > n && p + size <= arg_area + ARG_BYTES && rnd(2))
		p[n + rnd(size - n)] = 1 + rnd(255);		/* nonzero tail: E2BIG */
	for (i = 4; i + 4 <= n; i += 4)
		if (heat && !rnd(heat) && (!out || i < out || i >= out + 8)) {
			uint32_t v = rnd_u32(0);

			memcpy(p + i, &v, 4);
		}
	memcpy(p, &size, 4);
	return p;
}

/* ---- valid templates ------------------------------------------------------ */

static uint32_t dt_size(uint16_t dt, uint32_t dims)
{
	switch (dt) {
	case VEXFS_VEC_DT_F32: return dims * 4;
	case VEXFS_VEC_DT_F16:
	case VEXFS_VEC_DT_I16: return dims * 2;
	case VEXFS_VEC_DT_I8: return dims;
	default: return (dims + 7) / 8;
	}
}

static void make_attach(struct vexfs_ioc_attach *a)
{
	static const uint32_t dims[] = { 1, 3, 8, 16, 64, 128, 384, 768 };
	uint32_t i;

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->dtype = 1 + rnd(5);
	a->dims = dims[rnd(8)];
	if (a->dtype == VEXFS_VEC_DT_BIN)
		a->dims *= 8;
	a->data_len = dt_size(a->dtype, a->dims);
	a->data = (uintptr_t)data_area;
	if (a->dtype == VEXFS_VEC_DT_F32) {
		float *f = (float *)data_area;

		for (i = 0; i < a->dims; i++)
			f[i] = (float)(int32_t)rnd(2000) / 100.0f - 10.0f;
		if (rnd(3) == 0)
			a->compression = (uint16_t[]){ VEXFS_VEC_COMP_F16, VEXFS_VEC_COMP_SQ8,
						       VEXFS_VEC_COMP_SQ4, VEXFS_VEC_COMP_SPARSE,
						       VEXFS_VEC_COMP_PQ }[rnd(5)];
	}
	snprintf((char *)a->meta.model, sizeof(a->meta.model), "m%u", rnd(3));
	a->meta.confidence = rnd(1000001);
}

static void make_search(struct vexfs_ioc_search *s, struct vexfs_search_result *res,
			uint32_t cap)
{
	static const uint32_t dims[] = { 1, 3, 8, 16, 64, 128, 384, 768 };
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->dtype = (uint16_t[]){ VEXFS_VEC_DT_F32, VEXFS_VEC_DT_I8, VEXFS_VEC_DT_I16,
				 VEXFS_VEC_DT_BIN }[rnd(4)];
	s->metric = s->dtype == VEXFS_VEC_DT_BIN ? VEXFS_SEARCH_METRIC_HAMMING : rnd(3);
	s->dims = dims[rnd(8)] * (s->dtype == VEXFS_VEC_DT_BIN ? 8 : 1);
	s->nq = 1 + rnd(4);
	s->k = 1 + rnd(16);
	s->queries_len = s->nq * dt_size(s->dtype, s->dims);
	s->queries = (uintptr_t)(data_area + 32768);	/* results go at the start */
	if (s->dtype == VEXFS_VEC_DT_F32)
		for (i = 0; i < s->queries_len / 4; i++)
			((float *)(data_area + 32768))[i] = (float)rnd(100) / 10.0f;
	if (rnd(4) == 0)
		s->flags |= VEXFS_SEARCH_FS;
	if (rnd(3) == 0)
		snprintf((char *)s->model, sizeof(s->model), "m%u", rnd(3));
	while (s->nq * s->k > cap)
		s->k = s->k / 2 + 1, s->nq = 1;
	s->results = (uintptr_t)res;
	s->results_len = s->nq * s->k * sizeof(*res);
}

/* ---- one fuzzed vector ioctl --------------------------------------------- */

static const char *const ioc_names[] = {
	"attach", "get", "list", "detach", "stats", "cb_add", "cb_get", "search",
	"paths", "unknown",
};

/*
 * Issue one vector ioctl with a (mostly) plausible, randomly damaged struct
 * on fd. known: some ids that exist. heat: 0 = valid template, higher =
 * fewer damaged fields. Returns the index into ioc_names; *err = errno or 0.
 */
static unsigned int fuzz_ioctl(int fd, const uint64_t *known, uint32_t nknown,
			       uint32_t heat, int *err, bool mutating)
{
	/* output buffers: data_area, whose end is a guard page */
	struct vexfs_search_result *res = (struct vexfs_search_result *)data_area;
	uint64_t *ids = (uint64_t *)data_area;
	unsigned int op = rnd(10);
	uint64_t id = nknown && rnd(4) ? known[rnd(nknown)] : rng() % 4096;
	unsigned long nr = VEXFS_IOC_VEC_STATS;
	void *p;

	if (!mutating && (op == 0 || op == 3 || op == 5))
		op = 4;
	switch (op) {
	case 0: {
		struct vexfs_ioc_attach a;

		make_attach(&a);
		if (heat && !rnd(3))
			a.data = rnd_ptr(a.data_len);
		p = place(&a, sizeof(a), heat, 0);
		nr = VEXFS_IOC_VEC_ATTACH;
		break;
	}
	case 1: {
		struct vexfs_ioc_get g = { .size = sizeof(g), .vector_id = id };

		g.flags = rnd(2) ? VEXFS_VEC_GET_RAW : 0;
		g.data_len = rnd(3) ? DATA_BYTES : rnd_u32(64);
		g.data = rnd(6) ? (uintptr_t)data_area : rnd_ptr(g.data_len);
		p = place(&g, sizeof(g), heat, offsetof(struct vexfs_ioc_get, data));
		nr = VEXFS_IOC_VEC_GET;
		break;
	}
	case 2: {
		struct vexfs_ioc_list l = { .size = sizeof(l), .ids = (uintptr_t)ids, .capacity = 64 };

		l.start_id = rnd(2) ? 0 : id;
		if (heat && !rnd(3)) {
			l.capacity = rnd_u32(64);
			l.ids = rnd_ptr(l.capacity * 8);
		}
		p = place(&l, sizeof(l), heat, offsetof(struct vexfs_ioc_list, ids));
		nr = VEXFS_IOC_VEC_LIST;
		break;
	}
	case 3: {
		struct vexfs_ioc_detach d = { .size = sizeof(d), .vector_id = id };

		p = place(&d, sizeof(d), heat, 0);
		nr = VEXFS_IOC_VEC_DETACH;
		break;
	}
	case 4: {
		struct vexfs_ioc_stats s = { .size = sizeof(s) };

		p = place(&s, sizeof(s), heat, 0);
		nr = VEXFS_IOC_VEC_STATS;
		break;
	}
	case 5: {
		struct vexfs_ioc_codebook_add c = { .size = sizeof(c) };

		c.blob_len = rnd_u32(1024);
		c.blob = rnd_ptr(c.blob_len);
		p = place(&c, sizeof(c), heat, 0);
		nr = VEXFS_IOC_CODEBOOK_ADD;
		break;
	}
	case 6: {
		struct vexfs_ioc_codebook_get c = { .size = sizeof(c), .id = rnd(3) };

		c.blob_len = rnd(2) ? DATA_BYTES : rnd_u32(64);
		c.blob = rnd(2) ? (uintptr_t)data_area : rnd_ptr(c.blob_len);
		p = place(&c, sizeof(c), heat, offsetof(struct vexfs_ioc_codebook_get, blob));
		break;
	}
	case 7: {
		struct vexfs_ioc_search s;

		make_search(&s, res, 64);
		if (rnd(8) == 0) {
			s.flags |= VEXFS_SEARCH_LIKE;
			s.like_id = id;
			s.nq = 1;
			s.dtype = 0;
			s.queries = 0;
			s.queries_len = 0;
		}
		if (heat && !rnd(3))
			s.results = rnd_ptr(s.results_len);
		p = place(&s, sizeof(s), heat, offsetof(struct vexfs_ioc_search, results));
		nr = VEXFS_IOC_SEARCH;
		break;
	}
	case 8: {
		struct vexfs_ioc_paths q = { .size = sizeof(q), .buf = (uintptr_t)data_area,
					     .buf_len = 4096 };
		struct stat st;

		q.inode = fstat(fd, &st) == 0 && rnd(2) ? st.st_ino : rnd(64);
		q.flags = rnd(2) ? VEXFS_PATHS_ALL : 0;
		q.generation = rnd(4) ? 0 : (uint32_t)rng();
		p = place(&q, sizeof(q), heat, offsetof(struct vexfs_ioc_paths, buf));
		nr = VEXFS_IOC_INO_PATHS;
		break;
	}
	default: {
		/* unknown numbers of the magic, random sizes and directions */
		uint32_t dir = rnd(4), sz = rnd(512);

		memset(arg_area, 0, ARG_BYTES);
		p = arg_area;
		nr = _IOC(dir, VEXFS_IOC_MAGIC, 10 + rnd(246), sz);
		if (rnd(2))
			nr = _IOC(dir, VEXFS_IOC_MAGIC, 1 + rnd(9), sz);
		if (!mutating && (_IOC_NR(nr) == 1 || _IOC_NR(nr) == 4 || _IOC_NR(nr) == 6))
			nr = VEXFS_IOC_VEC_STATS;
		break;
	}
	}
	*err = ioctl(fd, nr, p) ? errno : 0;
	return op;
}

/* ---- refuse: a refused call changes nothing -------------------------------- */

#define SNAP_IDS 64
struct snap {
	struct vexfs_ioc_stats st;
	uint64_t bfree, ffree;
	uint64_t ids[SNAP_IDS];
	uint32_t n;
	uint64_t total;
	uint32_t crc[SNAP_IDS];
};

static uint32_t fold(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int take_snap(int fd, const char *dir, struct snap *s)
{
	static uint8_t buf[VEXFS_VEC_MAX_DATA];
	struct vexfs_ioc_list l = { .size = sizeof(l), .ids = (uintptr_t)s->ids,
				    .capacity = SNAP_IDS };
	struct statfs sf;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->st.size = sizeof(s->st);
	if (ioctl(fd, VEXFS_IOC_VEC_STATS, &s->st) || ioctl(fd, VEXFS_IOC_VEC_LIST, &l) ||
	    statfs(dir, &sf))
		return -errno;
	s->bfree = sf.f_bfree;
	s->ffree = sf.f_ffree;
	s->n = l.count;
	s->total = l.total;
	for (i = 0; i < s->n; i++) {
		struct vexfs_ioc_get g = { .size = sizeof(g), .vector_id = s->ids[i],
					   .flags = VEXFS_VEC_GET_RAW, .data = (uintptr_t)buf,
					   .data_len = sizeof(buf) };

		if (ioctl(fd, VEXFS_IOC_VEC_GET, &g))
			return -errno;
		s->crc[i] = fold(buf, g.data_len) ^ fold((uint8_t *)&g.info, sizeof(g.info));
	}
	return 0;
}

static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	if (a->bfree != b->bfree)
		return "statfs free blocks";
	if (a->ffree != b->ffree)
		return "statfs free inodes";
	if (a->st.vectors != b->st.vectors || a->st.files != b->st.files ||
	    a->st.live_bytes != b->st.live_bytes || a->st.alloc_bytes != b->st.alloc_bytes ||
	    a->st.chunks != b->st.chunks)
		return "STATS";
	if (a->st.next_id != b->st.next_id)
		return "STATS next_id";
	if (a->n != b->n || a->total != b->total || memcmp(a->ids, b->ids, a->n * 8))
		return "the file's vector list";
	if (memcmp(a->crc, b->crc, a->n * 4))
		return "a vector's bytes or header";
	return NULL;
}

static int do_refuse(const char *dir, unsigned long calls, unsigned long seed)
{
	static const char *const names[] = { "r0", "r1", "r2", "r3" };
	unsigned long i, refused = 0, bad = 0, byop[10] = { 0 }, okop[10] = { 0 };
	char path[4096];
	int fds[4], k, err;
	struct snap s0, s1;

	rng_state = seed * 0x100000001b3ULL + 1;
	setup_memory();
	for (k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		fds[k] = open(path, O_RDWR | O_CREAT, 0644);
		if (fds[k] < 0) {
			ck(false, "refuse: setup", "%s: %s", path, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < calls; i++) {
		int fd = fds[rnd(4)];
		unsigned int op;
		const char *d;

		syncfs(fd);	/* settle what earlier successful calls left to commit */
		if (take_snap(fd, dir, &s0)) {
			ck(false, "refuse: snapshot", "call %lu: %s", i, strerror(errno));
			return 1;
		}
		/* keep the files small: detach the oldest beyond 12 vectors */
		if (s0.n > 12) {
			struct vexfs_ioc_detach dt = { .size = sizeof(dt), .vector_id = s0.ids[0] };

			ioctl(fd, VEXFS_IOC_VEC_DETACH, &dt);
			continue;
		}
		op = fuzz_ioctl(fd, s0.ids, s0.n, 1 + rnd(6), &err, true);
		if (!err) {
			okop[op]++;
			continue;
		}
		refused++;
		byop[op]++;
		take_snap(fd, dir, &s1);
		d = snap_diff(&s0, &s1);
		if (d && bad++ < 10)
			ck(false, "refuse: a refused call changed nothing",
			   "seed %lu call %lu: %s refused with %s changed %s", seed, i,
			   ioc_names[op], strerror(err), d);
	}
	printf("# refuse: %lu calls, %lu refused and checked, %lu changed something\n",
	       calls, refused, bad);
	for (k = 0; k < 10; k++)
		printf("#   %-8s refused %lu, succeeded %lu\n", ioc_names[k], byop[k], okop[k]);
	ck(bad == 0, "refuse: every refused vector ioctl left STATS, statfs and the vectors unchanged",
	   "%lu of %lu", bad, refused);
	ck(refused > calls / 4, "refuse: most calls were refused (the fuzzer damages structs)",
	   "%lu of %lu", refused, calls);
	for (k = 0; k < 4; k++)
		close(fds[k]);
	return 0;
}

/* ---- storm: random calls from several processes ---------------------------- */

#define NNAMES 24
static const char *sdir;
static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static void rnd_path(char *p, size_t n)
{
	static const char *const sub[] = { "", "a/", "b/", "a/c/" };

	snprintf(p, n, "%s/%sn%u", sdir, sub[rnd(4)], rnd(NNAMES));
}

static int open_some(int flags)
{
	char p[4096];

	rnd_path(p, sizeof(p));
	return open(p, flags | (rnd(3) ? 0 : O_CREAT), 0644);
}

static long xattr_view(const char *p)
{
	uint8_t v[sizeof(struct vexfs_vec_xattr) + 512];
	struct vexfs_vec_xattr *h = (struct vexfs_vec_xattr *)v;
	char name[64];
	uint32_t dims = 1 + rnd(128), i;

	snprintf(name, sizeof(name), "user." VEXFS_VEC_XATTR_PREFIX "%05u", rnd(6));
	switch (rnd(4)) {
	case 0:
		memset(v, 0, sizeof(v));
		h->vx_magic = VEXFS_VEC_XATTR_MAGIC;
		h->vx_dtype = VEXFS_VEC_DT_I8;
		h->vx_dims = dims;
		h->vx_data_len = dims;
		for (i = 0; i < dims; i++)
			v[sizeof(*h) + i] = (uint8_t)rng();
		if (rnd(3) == 0)
			v[rnd(sizeof(*h))] ^= 1 << rnd(8);
		return setxattr(p, name, v, sizeof(*h) + (rnd(4) ? dims : rnd(512)),
				rnd(3) ? 0 : XATTR_CREATE);
	case 1:
		return getxattr(p, name, v, rnd(2) ? sizeof(v) : rnd(64));
	case 2:
		return removexattr(p, name);
	default:
		return listxattr(p, (char *)v, rnd(2) ? sizeof(v) : rnd(32));
	}
}

/* per kind of call: how many succeeded and failed, summed over processes */
#define NOPS 18
static const char *const op_names[NOPS] = {
	"ioctl", "ioctl", "ioctl", "write", "read", "mmap", "truncate", "fallocate",
	"rename", "link", "unlink", "mkdir/rmdir", "symlink", "readdir", "xattr",
	"vec-xattr", "stat/chmod", "tmpfile",
};
static unsigned long *op_ok, *op_err;

static bool one_call(int op)
{
	static uint8_t buf[65536];
	char p[4096], q[4096];
	long r = -1;
	int fd, err;

	switch (op) {
	case 0: case 1: case 2: {	/* vector ioctls, valid and damaged */
		uint64_t ids[16];
		struct vexfs_ioc_list l = { .size = sizeof(l), .ids = (uintptr_t)ids, .capacity = 16 };

		if (rnd(4)) {
			fd = open_some(rnd(4) ? O_RDWR : O_RDONLY);
		} else {	/* STATS, SEARCH and INO_PATHS on a directory */
			snprintf(p, sizeof(p), "%s%s", sdir, rnd(2) ? "" : "/a");
			fd = open(p, O_RDONLY | O_DIRECTORY);
		}
		if (fd < 0)
			break;
		if (ioctl(fd, VEXFS_IOC_VEC_LIST, &l))
			l.count = 0;
		fuzz_ioctl(fd, ids, l.count, rnd(3) ? 0 : 1 + rnd(8), &err, true);
		r = err ? -1 : 0;
		close(fd);
		break;
	}
	case 3:			/* write */
		fd = open_some(O_WRONLY | (rnd(4) ? 0 : O_APPEND) | (rnd(8) ? 0 : O_TRUNC));
		if (fd < 0)
			break;
		r = pwrite(fd, data_area, 1 + rnd(rnd(2) ? 4096 : 65536),
			   rnd(2) ? rnd(1 << 20) : rnd(8192));
		if (r >= 0 && !rnd(6))
			r = rnd(2) ? fsync(fd) : fdatasync(fd);
		close(fd);
		break;
	case 4:			/* read */
		fd = open_some(O_RDONLY);
		if (fd < 0)
			break;
		r = pread(fd, buf, 1 + rnd(sizeof(buf)), rnd(1 << 20));
		close(fd);
		break;
	case 5: {		/* mmap write (a truncate may race: SIGBUS is expected) */
		size_t len = 4096 * (1 + rnd(4));
		uint8_t *m;

		fd = open_some(O_RDWR);
		if (fd < 0)
			break;
		if (rnd(2) && ftruncate(fd, len))
			r = -1;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			if (!sigsetjmp(bus_jmp, 1)) {
				m[rnd(len)] = (uint8_t)rng();
				r = rnd(2) ? msync(m, len, MS_SYNC) : 0;
			}
			munmap(m, len);
		}
		close(fd);
		break;
	}
	case 6:			/* truncate */
		rnd_path(p, sizeof(p));
		r = truncate(p, rnd(2) ? rnd(4096) : rnd(4 << 20));
		break;
	case 7:			/* fallocate */
		fd = open_some(O_RDWR);
		if (fd < 0)
			break;
		r = fallocate(fd, rnd(2) ? FALLOC_FL_KEEP_SIZE : 0, rnd(1 << 20), 1 + rnd(1 << 20));
		close(fd);
		break;
	case 8:			/* rename, sometimes over an existing name or exchanging */
		rnd_path(p, sizeof(p));
		rnd_path(q, sizeof(q));
		r = renameat2(AT_FDCWD, p, AT_FDCWD, q,
			      rnd(4) ? 0 : (rnd(2) ? RENAME_NOREPLACE : RENAME_EXCHANGE));
		break;
	case 9:
		rnd_path(p, sizeof(p));
		rnd_path(q, sizeof(q));
		r = link(p, q);
		break;
	case 10:
		rnd_path(p, sizeof(p));
		r = unlink(p);
		break;
	case 11:
		rnd_path(p, sizeof(p));
		r = rnd(2) ? mkdir(p, 0755) : rmdir(p);
		break;
	case 12:
		rnd_path(p, sizeof(p));
		r = symlink(rnd(2) ? "target" :
			    "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5/6/7/8/9/"
			    "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z", p);
		break;
	case 13: {		/* readdir of one of the directories */
		static const char *const sub[] = { "", "/a", "/b", "/a/c" };
		DIR *d;

		snprintf(p, sizeof(p), "%s%s", sdir, sub[rnd(4)]);
		d = opendir(p);
		if (d) {
			while (readdir(d))
				;
			closedir(d);
			r = 0;
		}
		break;
	}
	case 14: {		/* user xattrs */
		char name[32];

		rnd_path(p, sizeof(p));
		snprintf(name, sizeof(name), "user.x%u", rnd(8));
		switch (rnd(4)) {
		case 0: r = setxattr(p, name, data_area, rnd(2) ? rnd(64) : rnd(4000), 0); break;
		case 1: r = getxattr(p, name, buf, rnd(2) ? sizeof(buf) : rnd(16)); break;
		case 2: r = removexattr(p, name); break;
		default: r = listxattr(p, (char *)buf, sizeof(buf));
		}
		break;
	}
	case 15:
		rnd_path(p, sizeof(p));
		r = xattr_view(p);
		break;
	case 16: {		/* stat, chmod */
		struct stat st;

		rnd_path(p, sizeof(p));
		r = rnd(2) ? stat(p, &st) : chmod(p, 0600 | rnd(0200));
		break;
	}
	default:		/* O_TMPFILE, written, sometimes linked */
		snprintf(p, sizeof(p), "%s/a", sdir);
		fd = open(p, O_TMPFILE | O_RDWR, 0600);
		if (fd < 0)
			break;
		r = pwrite(fd, data_area, 1 + rnd(8192), 0);
		if (r >= 0 && rnd(2)) {
			char fdp[64];

			snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", fd);
			rnd_path(q, sizeof(q));
			r = linkat(AT_FDCWD, fdp, AT_FDCWD, q, AT_SYMLINK_FOLLOW);
		}
		close(fd);
	}
	return r >= 0;
}

/* set by the parent once the filesystem is shut down (shared mapping) */
static volatile int *stopped;

static void storm_child(unsigned long seed, unsigned int proc, unsigned long calls)
{
	unsigned long i, after = 0;

	rng_state = (seed << 8 | proc) * 0x9e3779b97f4a7c15ULL + 7;
	setup_memory();
	signal(SIGBUS, on_bus);
	alarm(1200);			/* a hang ends the child with SIGALRM */
	for (i = 0; i < calls && after < 500; i++) {
		unsigned int op = rnd(NOPS);

		__atomic_fetch_add(one_call(op) ? &op_ok[op] : &op_err[op], 1, __ATOMIC_RELAXED);
		after += *stopped;	/* 500 more calls on the dead filesystem */
	}
	_exit(0);
}

static int run_storm(const char *dir, unsigned int procs, unsigned long calls,
		     unsigned long seed, bool shutdown)
{
	char p[4096];
	unsigned int k, bad = 0;
	pid_t pid[64];
	int st;

	sdir = dir;
	snprintf(p, sizeof(p), "%s/a", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/b", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/c", dir);
	mkdir(p, 0755);
	if (procs > 64)
		procs = 64;
	stopped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stopped == MAP_FAILED)
		return 1;
	op_ok = (unsigned long *)stopped + 8;
	op_err = op_ok + NOPS;
	for (k = 0; k < procs; k++) {
		pid[k] = fork();
		if (pid[k] == 0)
			storm_child(seed, k, calls);
	}
	if (shutdown) {
		uint32_t how;
		int fd;

		rng_state = seed;
		how = seed % 3;		/* FULLSYNC, METASYNC, NOLOGFLUSH */
		usleep(200000 + rnd(2000000));
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		ck(fd >= 0 && ioctl(fd, VEXFS_IOC_SHUTDOWN, &how) == 0,
		   "shutdown: VEXFS_IOC_SHUTDOWN during the storm", "mode %u: %s", how,
		   strerror(errno));
		if (fd >= 0)
			close(fd);
		*stopped = 1;
	}
	for (k = 0; k < procs; k++) {
		if (waitpid(pid[k], &st, 0) != pid[k] || !WIFEXITED(st) || WEXITSTATUS(st)) {
			bad++;
			printf("# process %u: %s %d\n", k, WIFSIGNALED(st) ? "signal" : "status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
	}
	printf("# %s: %u processes x %lu calls (seed %lu); succeeded / failed:\n",
	       shutdown ? "shutdown" : "storm", procs, calls, seed);
	for (k = 2; k < NOPS; k++) {
		unsigned long ok = op_ok[k], err = op_err[k];

		if (k == 2)	/* the three ioctl slots */
			ok += op_ok[0] + op_ok[1], err += op_err[0] + op_err[1];
		printf("#   %-12s %8lu %8lu\n", op_names[k], ok, err);
	}
	ck(bad == 0, shutdown ? "shutdown: every process finished its calls" :
	   "storm: every process finished its calls (no hang, no signal)", "%u failed", bad);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "refuse"))
		do_refuse(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	else if (argc == 6 && !strcmp(argv[1], "storm"))
		run_storm(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
			  strtoul(argv[5], NULL, 0), false);
	else if (argc == 5 && !strcmp(argv[1], "shutdown"))
		run_storm(argv[2], strtoul(argv[3], NULL, 0), 100000, strtoul(argv[4], NULL, 0),
			  true);
	else {
		fprintf(stderr, "usage: sysfuzz refuse DIR CALLS SEED | storm DIR PROCS CALLS SEED |"
			" shutdown DIR PROCS SEED\n");
		return 2;
	}
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
