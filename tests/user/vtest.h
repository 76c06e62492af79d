/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vtest.h - minimal native unit-test harness for the shared core.
 *
 * Each tests/user/test_*.c defines test functions and lists them with
 * VT_MAIN(...). Every VT_CHECK counts as one assertion; a test function is
 * one case. Output is TAP ("ok N - name" / "not ok N - name") and a closing
 * "# vtest: N passed, M failed" line that scripts/check.sh sums.
 */
#ifndef VEXFS_VTEST_H
#define VEXFS_VTEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vt_case_failed;

#define VT_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		vt_case_failed = 1;					\
	}								\
} while (0)

#define VT_CHECK_MSG(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: check failed: %s: ",		\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		vt_case_failed = 1;					\
	}								\
} while (0)

#define VT_EQ(a, b) VT_CHECK_MSG((a) == (b), "%lld != %lld",		\
				 (long long)(a), (long long)(b))

/*
 * splitmix64: the tests' reproducible random numbers. A test that wants its
 * own sequence defines VT_SEED before including this header.
 */
#ifndef VT_SEED
#define VT_SEED 1ULL
#endif
static inline unsigned long long vt_rnd(void)
{
	static unsigned long long state = VT_SEED;
	unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct vt_case {
	const char *name;
	void (*fn)(void);
};

static inline int vt_run(const char *suite, const struct vt_case *c, int n)
{
	int i, passed = 0, failed = 0;

	printf("# suite %s\n1..%d\n", suite, n);
	for (i = 0; i < n; i++) {
		vt_case_failed = 0;
		c[i].fn();
		printf("%s %d - %s\n", vt_case_failed ? "not ok" : "ok", i + 1,
		       c[i].name);
		if (vt_case_failed)
			failed++;
		else
			passed++;
	}
	printf("# vtest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define VT_CASE(fn) { #fn, fn }
#define VT_MAIN(suite, ...)						\
int main(void)								\
{									\
	static const struct vt_case cases[] = { __VA_ARGS__ };		\
	return vt_run(suite, cases, (int)(sizeof(cases) / sizeof(cases[0]))); \
}

#endif
