/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vmtest.h - check helper shared by the VM test programs: ck() prints
 * "ok N - desc" or "not ok N - desc: detail" and counts; the program ends
 * with "# vtest: P passed, F failed" (see vtest.h for the native tests).
 */
#ifndef VEXFS_VMTEST_H
#define VEXFS_VMTEST_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int n_pass, n_fail, n_test;

static bool __attribute__((format(printf, 3, 4), unused))
ck(bool cond, const char *desc, const char *fmt, ...)
{
	va_list ap;

	n_test++;
	if (cond) {
		n_pass++;
		printf("ok %d - %s\n", n_test, desc);
		return true;
	}
	n_fail++;
	printf("not ok %d - %s: ", n_test, desc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

#endif
