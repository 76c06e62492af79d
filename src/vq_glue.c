// SPDX-License-Identifier: GPL-2.0
/*
 * vq_glue.c - kernel side of the shared quantization core: picks the SIMD
 * implementation once at module load from the boot CPU's features. Callers
 * of the float kernels wrap them in kernel_fpu_begin()/kernel_fpu_end()
 * (see vexfs_vq_fpu_usable()).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
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
	if (boot_cpu_has(X86_FEATURE_AVX512F) && boot_cpu_has(X86_FEATURE_AVX512BW) &&
	    boot_cpu_has(X86_FEATURE_AVX512VL) &&
	    cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512, NULL))
		f |= VQ_FEAT_AVX512;
	return f;
}

void vexfs_vq_init(void)
{
	vq_select_impl(vexfs_vq_features());
	pr_info("vexfs: vector kernels: %s\n", vq_impl_name());
}

/*
 * The SQ8 / SQ4 record codec (vq_sqv_*) for the vector store: the scratch is
 * allocated before, and the FPU section covers one vector (<= 8192 floats).
 */
int vexfs_vq_sqv(bool encode, const void *in, u32 dims, u32 bits, void *out)
{
	float *scratch = kvmalloc_array(2 * (size_t)dims, sizeof(float), GFP_KERNEL);
	int err = 0;

	if (!scratch)
		return -ENOMEM;
	kernel_fpu_begin();
	if (encode)
		err = vq_sqv_encode(in, dims, bits, scratch, out);
	else
		vq_sqv_decode(in, dims, bits, scratch, out);
	kernel_fpu_end();
	kvfree(scratch);
	return err;
}
