// SPDX-License-Identifier: GPL-2.0
/*
 * vq_glue.c - kernel side of the shared quantization core: picks the SIMD
 * implementation once at module load from the boot CPU's features. Callers
 * of the float kernels wrap them in kernel_fpu_begin()/kernel_fpu_end()
 * (see vexfs_vq_fpu_usable()).
 */
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include "vexfs.h"
#include "vexfs/vq.h"

unsigned int vexfs_vq_features(void)
{
	unsigned int f = 0;

	if (!cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM, NULL))
		return 0;
	if (boot_cpu_has(X86_FEATURE_AVX2))
		f |= VQ_FEAT_AVX2;
	if (boot_cpu_has(X86_FEATURE_FMA))
		f |= VQ_FEAT_FMA;
	if (boot_cpu_has(X86_FEATURE_F16C))
		f |= VQ_FEAT_F16C;
	if (boot_cpu_has(X86_FEATURE_POPCNT))
		f |= VQ_FEAT_POPCNT;
	return f;
}

void vexfs_vq_init(void)
{
	vq_select_impl(vexfs_vq_features());
	pr_info("vexfs: vector kernels: %s\n", vq_impl_name());
}
