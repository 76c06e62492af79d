// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <errno.h>
#include "util.h"

const char *vx_prog = "vexfs";

void vx_die_code(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vx_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void vx_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vx_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

int vx_pread(int fd, void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int vx_pwrite(int fd, const void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

void *vx_zalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		vx_die("out of memory (%zu bytes)", n);
	return p;
}

int vx_parse_size(const char *s, u64 *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

void vx_npy_header(FILE *f, const char *descr, const char *shape)
{
	char h[160];
	int n = snprintf(h, sizeof(h), "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
			 descr, shape);

	while ((10 + n + 1) % 64)
		h[n++] = ' ';
	h[n++] = '\n';
	fwrite("\x93NUMPY\x01\x00", 1, 8, f);
	fputc(n & 0xff, f);
	fputc(n >> 8, f);
	fwrite(h, 1, (size_t)n, f);
}

double vx_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static int vx_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double vx_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), vx_cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
