// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * annrace.c - the graph ANN index under concurrency (VM test program):
 *
 *   annrace DIR SECONDS
 *
 * Fills DIR with files of float32 vectors (16 dims, half of them stored
 * SQ8), creates the index, then for SECONDS four processes at once: one
 * attaches and detaches, one searches with VEXFS_SEARCH_APPROX, one unlinks
 * and re-creates files with vectors, one drops and creates the index again.
 * Every call must succeed or fail with an errno the race explains (ENOENT,
 * EEXIST, ECANCELED); approximate results must be well formed. Afterwards a
 * created index holds exactly the collection's vectors. Run under the
 * KASAN / lockdep kernel by tests/kunit/fs-debug.sh, and by tests/vm/ann.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vexfs/vexfs_ioctl.h"
#include "vmtest.h"

#define DIMS	16
#define FILES	8
#define PER	40

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void vec(float *x)
{
	int i;

	for (i = 0; i < DIMS; i++)
		x[i] = (float)(rnd() % 2000) / 100.0f - 10.0f;
}

static int attach(int fd, bool sq8, uint64_t *id)
{
	struct vexfs_ioc_attach a;
	float x[DIMS];

	vec(x);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.dtype = VEXFS_VEC_DT_F32;
	a.compression = sq8 ? VEXFS_VEC_COMP_SQ8 : VEXFS_VEC_COMP_NONE;
	a.dims = DIMS;
	a.data = (uintptr_t)x;
	a.data_len = sizeof(x);
	if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a))
		return -errno;
	*id = a.vector_id;
	return 0;
}

static int index_op(const char *dir, uint32_t op, struct vexfs_ioc_index *out)
{
	struct vexfs_ioc_index a;
	int fd = open(dir, O_RDONLY | O_DIRECTORY), err = 0;

	if (fd < 0)
		return -errno;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.op = op;
	if (op == VEXFS_INDEX_CREATE) {
		a.dims = DIMS;
		a.r = 16;
		a.ef_construction = 64;
		a.flags = VEXFS_INDEX_RANGE;
		{
			float lo = -10.0f, hi = 10.0f;

			memcpy(&a.lo, &lo, 4);
			memcpy(&a.hi, &hi, 4);
		}
	}
	if (ioctl(fd, VEXFS_IOC_INDEX, &a))
		err = -errno;
	if (out)
		*out = a;
	close(fd);
	return err;
}

/* an approximate search from @fd; -EPROTO when the results are malformed */
static int search(int fd, uint32_t k)
{
	static struct vexfs_search_result res[32];
	struct vexfs_ioc_search a;
	float q[DIMS];
	uint32_t i, prev = 0;
	bool ended = false;

	vec(q);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = VEXFS_SEARCH_APPROX;
	a.ef = 32;
	a.dtype = VEXFS_VEC_DT_F32;
	a.metric = VEXFS_SEARCH_METRIC_L2;
	a.dims = DIMS;
	a.nq = 1;
	a.k = k;
	a.queries = (uintptr_t)q;
	a.queries_len = sizeof(q);
	a.results = (uintptr_t)res;
	a.results_len = sizeof(res);
	if (ioctl(fd, VEXFS_IOC_SEARCH, &a))
		return -errno;
	for (i = 0; i < k; i++) {
		if (!res[i].vector_id) {
			ended = true;
			continue;
		}
		if (ended || !res[i].inode || res[i].distance < prev)
			return -EPROTO;
		prev = res[i].distance;
	}
	return 0;
}

static void path_of(char *p, size_t n, const char *dir, int i)
{
	snprintf(p, n, "%s/a%d", dir, i);
}

/* a file with @n vectors, created again */
static int refill(const char *dir, int i, int n)
{
	char p[4096];
	uint64_t id;
	int fd, k, err = 0;

	path_of(p, sizeof(p), dir, i);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	for (k = 0; k < n && !err; k++)
		err = attach(fd, k & 1, &id);
	close(fd);
	return err;
}

static int child(const char *dir, int role, time_t end)
{
	char p[4096];
	uint64_t ids[64];
	int bad = 0, nid = 0, fd, err;
	long rounds = 0;

	seed += (uint64_t)role * 7919;
	while (time(NULL) < end && !bad) {
		rounds++;
		switch (role) {
		case 0:		/* attach and detach in file a0 */
			path_of(p, sizeof(p), dir, 0);
			fd = open(p, O_RDWR);
			if (fd < 0) {
				bad += errno != ENOENT;
				break;
			}
			if (nid < 64 && (rnd() & 1)) {
				err = attach(fd, rnd() & 1, &ids[nid]);
				bad += err != 0;
				nid += !err;
			} else if (nid) {
				struct vexfs_ioc_detach d = { .size = sizeof(d), .vector_id = ids[--nid] };

				bad += ioctl(fd, VEXFS_IOC_VEC_DETACH, &d) && errno != ENOENT;
			}
			close(fd);
			break;
		case 1:		/* approximate searches */
			fd = open(dir, O_RDONLY | O_DIRECTORY);
			if (fd < 0) {
				bad++;
				break;
			}
			err = search(fd, 1 + rnd() % 32);
			if (err)
				fprintf(stderr, "search: %s\n", strerror(-err));
			bad += err != 0;
			close(fd);
			break;
		case 2:		/* unlink and fill again files a1..a7 */
			path_of(p, sizeof(p), dir, 1 + rnd() % (FILES - 1));
			if (unlink(p) && errno != ENOENT)
				bad++;
			bad += refill(dir, 1 + rnd() % (FILES - 1), 1 + rnd() % PER) != 0;
			break;
		case 3:		/* drop and create the index */
			err = index_op(dir, VEXFS_INDEX_DROP, NULL);
			bad += err && err != -ENOENT;
			err = index_op(dir, VEXFS_INDEX_CREATE, NULL);
			bad += err && err != -EEXIST && err != -ECANCELED;
			usleep(200000);
			break;
		}
	}
	if (bad)
		fprintf(stderr, "role %d: %d unexplained errors (last errno %d)\n", role, bad, errno);
	printf("# role %d: %ld rounds\n", role, rounds);
	fflush(stdout);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct vexfs_ioc_index st;
	struct vexfs_ioc_stats vs;
	const char *dir;
	pid_t kids[4];
	int i, status, fd, err;
	time_t end;

	if (argc < 3) {
		fprintf(stderr, "usage: annrace DIR SECONDS\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST)
		return 1;
	for (i = 0, err = 0; i < FILES; i++)
		err |= refill(dir, i, PER);
	ck(!err, "files of vectors made", "%d", err);
	err = index_op(dir, VEXFS_INDEX_CREATE, &st);
	ck(!err && st.state == VEXFS_INDEX_READY && st.live >= FILES * PER,
	   "the index created over them", "err %d state %u live %llu", err, st.state,
	   (unsigned long long)st.live);
	end = time(NULL) + atoi(argv[2]);
	fflush(stdout);		/* the children print their own lines */
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(child(dir, i, end));
	}
	for (i = 0; i < 4; i++) {
		static const char *const what[] = { "attach and detach", "approximate search",
						    "unlink and refill", "drop and create" };
		char d[64];

		snprintf(d, sizeof(d), "%s beside the others", what[i]);
		ck(waitpid(kids[i], &status, 0) == kids[i] && WIFEXITED(status) &&
		   !WEXITSTATUS(status), d, "status 0x%x", status);
	}
	/* settled: a new index holds exactly the vectors */
	err = index_op(dir, VEXFS_INDEX_DROP, NULL);
	ck(!err || err == -ENOENT, "drop after the race", "%d", err);
	err = index_op(dir, VEXFS_INDEX_CREATE, &st);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	memset(&vs, 0, sizeof(vs));
	vs.size = sizeof(vs);
	if (fd < 0 || ioctl(fd, VEXFS_IOC_VEC_STATS, &vs))
		vs.vectors = ~0ULL;
	ck(!err && st.live == vs.vectors && st.nodes == st.live,
	   "created again: one live node per vector", "err %d live %llu nodes %llu vectors %llu",
	   err, (unsigned long long)st.live, (unsigned long long)st.nodes,
	   (unsigned long long)vs.vectors);
	ck(fd >= 0 && search(fd, 10) == 0, "and it answers", "fd %d", fd);
	if (fd >= 0)
		close(fd);
	printf("# vtest: %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
