// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq.c - implementation dispatch for the quantization and distance core.
 * Integer-only: this file only moves pointers around, so it can be called
 * from anywhere; the functions it dispatches to are FPU code (see vq.h).
 */
#include "vexfs/vq.h"

static struct vq_ops vq_cur;
static char vq_cur_name[48];
static bool vq_cur_set;

static void vq_name_append(char *dst, size_t len, const char *s)
{
	size_t o = strlen(dst);

	while (*s && o + 1 < len)
		dst[o++] = *s++;
	dst[o] = 0;
}

unsigned int vq_select_impl(unsigned int features)
{
	unsigned int want = VQ_FEAT_AVX2 | VQ_FEAT_FMA;

	vq_cur = vq_ops_scalar;
	vq_cur_name[0] = 0;
	vq_name_append(vq_cur_name, sizeof(vq_cur_name), "scalar");
#if defined(__x86_64__)
	if ((features & want) == want) {
		vq_cur = vq_ops_avx2;
		vq_cur_name[0] = 0;
		vq_name_append(vq_cur_name, sizeof(vq_cur_name), "avx2+fma");
		if (features & VQ_FEAT_F16C) {
			vq_name_append(vq_cur_name, sizeof(vq_cur_name), "+f16c");
		} else {
			vq_cur.f16_encode = vq_ops_scalar.f16_encode;
			vq_cur.f16_decode = vq_ops_scalar.f16_decode;
			vq_cur.l2sq_f16 = vq_ops_scalar.l2sq_f16;
			vq_cur.ip_f16 = vq_ops_scalar.ip_f16;
			vq_cur.f16_mq = vq_ops_scalar.f16_mq;
		}
		if (features & VQ_FEAT_POPCNT)
			vq_name_append(vq_cur_name, sizeof(vq_cur_name), "+popcnt");
		else
			vq_cur.hamming_scan = vq_ops_scalar.hamming_scan;
		if ((features & (VQ_FEAT_AVX512 | VQ_FEAT_F16C)) ==
		    (VQ_FEAT_AVX512 | VQ_FEAT_F16C)) {
			/*
			 * Only the SQ8 scan: measured on Zen 4 (bench/README.md),
			 * AVX-512 SQ8 L2 / IP scans ran at 76% / 92% of the probe
			 * against AVX2's 64% / 79%, while the f32 and f16 ones did
			 * not beat AVX2 (f32 d = 768: 78% against 99%; vectors at
			 * 32-byte offsets split every 64-byte load). Those stay in
			 * vq_ops_avx512, tested against the reference, unused.
			 */
			vq_cur.impl = vq_ops_avx512.impl;
			vq_cur.sq8_scan = vq_ops_avx512.sq8_scan;
			vq_cur.l2sq_u8 = vq_ops_avx512.l2sq_u8;
			vq_cur.ipkey_u8 = vq_ops_avx512.ipkey_u8;
			vq_cur.sq8_ip_mq = vq_ops_avx512.sq8_ip_mq;
			/* batches: the AVX2 single kernels' bits, 16 lanes at a time */
			vq_cur.f32_mq = vq_ops_avx512.f32_mq;
			vq_cur.f16_mq = vq_ops_avx512.f16_mq;
			vq_cur.f32_mq2 = vq_ops_avx512.f32_mq2;
			vq_cur.f16_mq2 = vq_ops_avx512.f16_mq2;
			vq_name_append(vq_cur_name, sizeof(vq_cur_name), "+avx512");
		}
	}
#endif
	vq_cur.name = vq_cur_name;
	vq_cur_set = true;
	return vq_cur.impl;
}

static inline const struct vq_ops *vq_ops_get(void)
{
	if (unlikely(!vq_cur_set))
		vq_select_impl(0);
	return &vq_cur;
}

const struct vq_ops *vq_active_ops(void)
{
	return vq_ops_get();
}

const char *vq_impl_name(void)
{
	return vq_ops_get()->name;
}

#ifndef __KERNEL__
unsigned int vq_cpu_features(void)
{
	unsigned int f = 0;

#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		f |= VQ_FEAT_AVX2;
	if (__builtin_cpu_supports("fma"))
		f |= VQ_FEAT_FMA;
	if (__builtin_cpu_supports("popcnt"))
		f |= VQ_FEAT_POPCNT;
	/* libgcc checks that the OS saves the ZMM and opmask state (XCR0) */
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl"))
		f |= VQ_FEAT_AVX512;
	/* GCC 12 has no "f16c" name for __builtin_cpu_supports: CPUID. */
	{
		unsigned int a = 1, b, c = 0, d;

		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		if (c & (1U << 29))
			f |= VQ_FEAT_F16C;
	}
#endif
	return f;
}
#endif

void vq_l2sq_scan(const float *q, const float *x, u32 d, size_t n, float *out)
{
	vq_ops_get()->l2sq_f32(q, x, d, n, out);
}

void vq_ip_scan(const float *q, const float *x, u32 d, size_t n, float *out)
{
	vq_ops_get()->ip_f32(q, x, d, n, out);
}

void vq_cos_scan(const float *q, const float *x, u32 d, size_t n, float *out)
{
	vq_ops_get()->cos_f32(q, x, d, n, out);
}

void vq_f16_encode(const float *x, __le16 *out, size_t cnt)
{
	vq_ops_get()->f16_encode(x, out, cnt);
}

void vq_f16_decode(const __le16 *in, float *x, size_t cnt)
{
	vq_ops_get()->f16_decode(in, x, cnt);
}

void vq_f16_scan(const float *q, const __le16 *c, u32 d, size_t n,
		 unsigned int metric, float *out)
{
	if (metric == VQ_METRIC_IP)
		vq_ops_get()->ip_f16(q, c, d, n, out);
	else
		vq_ops_get()->l2sq_f16(q, c, d, n, out);
}

void vq_sq_encode(const struct vq_sq *sq, const float *x, u8 *out, size_t n)
{
	if (sq->bits == 4)
		vq_ops_get()->sq4_encode(sq, x, out, n);
	else
		vq_ops_get()->sq8_encode(sq, x, out, n);
}

void vq_sq_scan(const struct vq_sq *sq, const struct vq_sq_query *qq,
		const u8 *c, size_t n, float *out)
{
	if (sq->bits == 4)
		vq_ops_get()->sq4_scan(qq, c, n, out);
	else
		vq_ops_get()->sq8_scan(qq, c, n, out);
}

void vq_f32_mq_scan(const float *q, size_t row, u32 nq, const float *x, u32 d,
		    unsigned int metric, float *out)
{
	const struct vq_ops *o = vq_ops_get();
	u32 j;

	if (o->f32_mq && metric != VQ_METRIC_COS) {
		o->f32_mq(q, row, nq, x, d, metric, out);
		return;
	}
	for (j = 0; j < nq; j++, q += row)
		(metric == VQ_METRIC_L2 ? o->l2sq_f32 : metric == VQ_METRIC_IP ? o->ip_f32 :
		 o->cos_f32)(q, x, d, 1, out + j);
}

void vq_f16_mq_scan(const float *q, size_t row, u32 nq, const __le16 *c, u32 d,
		    unsigned int metric, float *out)
{
	const struct vq_ops *o = vq_ops_get();
	u32 j;

	if (o->f16_mq) {
		o->f16_mq(q, row, nq, c, d, metric, out);
		return;
	}
	for (j = 0; j < nq; j++, q += row)
		vq_f16_scan(q, c, d, 1, metric, out + j);
}

void vq_f32_mq2_scan(const float *q, size_t row, u32 nq, const float *x, const float *y,
		     u32 d, unsigned int metric, float *ox, float *oy)
{
	const struct vq_ops *o = vq_ops_get();

	if (o->f32_mq2 && metric != VQ_METRIC_COS) {
		o->f32_mq2(q, row, nq, x, y, d, metric, ox, oy);
		return;
	}
	vq_f32_mq_scan(q, row, nq, x, d, metric, ox);
	vq_f32_mq_scan(q, row, nq, y, d, metric, oy);
}

void vq_f16_mq2_scan(const float *q, size_t row, u32 nq, const __le16 *x, const __le16 *y,
		     u32 d, unsigned int metric, float *ox, float *oy)
{
	const struct vq_ops *o = vq_ops_get();

	if (o->f16_mq2 && metric != VQ_METRIC_COS) {
		o->f16_mq2(q, row, nq, x, y, d, metric, ox, oy);
		return;
	}
	vq_f16_mq_scan(q, row, nq, x, d, metric, ox);
	vq_f16_mq_scan(q, row, nq, y, d, metric, oy);
}

void vq_sq_mq_scan(const struct vq_sq *sq, const struct vq_sq_query *qq, u32 nq,
		   const u8 *c, float *out)
{
	const struct vq_ops *o = vq_ops_get();
	void (*mq)(const struct vq_sq_query *qq, u32 nq, const u8 *c, float *out);
	u32 j;

	mq = sq->bits == 4 ? o->sq4_ip_mq : o->sq8_ip_mq;
	if (mq && nq && qq->metric == VQ_METRIC_IP) {
		mq(qq, nq, c, out);
		return;
	}
	for (j = 0; j < nq; j++)
		vq_sq_scan(sq, qq + j, c, 1, out + j);
}

void vq_pq_adc_scan(const float *lut, u32 m, const u8 *c, size_t n, float *out)
{
	vq_ops_get()->pq_adc_scan(lut, m, c, n, out);
}

void vq_hamming_scan(const u8 *q, const u8 *c, u32 nbytes, size_t n, u32 *out)
{
	vq_ops_get()->hamming_scan(q, c, nbytes, n, out);
}

void vq_l2sq_u8(const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	vq_ops_get()->l2sq_u8(q, c, d, n, out);
}

void vq_dist_u8(unsigned int kind, const u8 *q, const u8 *const *c, u32 d, u32 n, u32 *out)
{
	if (kind == VQ_U8_IP)
		vq_ops_get()->ipkey_u8(q, c, d, n, out);
	else
		vq_ops_get()->l2sq_u8(q, c, d, n, out);
}
