// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vq_f16.c - IEEE 754 binary16 <-> binary32 conversion with integer
 * operations only (no FPU needed, usable anywhere in the kernel). This is
 * the bit-exact reference: the F16C path in vq_avx2_simd.c must produce
 * the same bits for every input (see tests/user/test_vq_f16.c).
 */
#include "vexfs/vq.h"

/*
 * Round to nearest, ties to even. Overflow goes to infinity, values below
 * half the smallest subnormal (2^-25) to signed zero. A NaN keeps its sign
 * and the top 10 bits of its payload and is made quiet (as VCVTPS2PH does).
 */
u16 vq_f32_to_f16_bits(u32 f)
{
	u32 sign = (f >> 16) & 0x8000;
	u32 a = f & 0x7fffffff;
	u32 e, m, shift, q, rem, half;

	if (a >= 0x7f800000) {
		if (a == 0x7f800000)
			return sign | 0x7c00;
		return sign | 0x7e00 | ((a >> 13) & 0x3ff);
	}
	if (a >= 0x477ff000)		/* >= 65520: rounds to infinity */
		return sign | 0x7c00;
	if (a >= 0x38800000) {		/* >= 2^-14: normal binary16 */
		a -= 0x38000000;	/* exponent bias 127 -> 15 */
		a += 0xfff + ((a >> 13) & 1);
		return sign | (a >> 13);
	}
	if (a < 0x33000000)		/* < 2^-25 (the tie goes to even 0) */
		return sign;
	/* Subnormal result: count units of 2^-24. */
	e = a >> 23;			/* 102..112 */
	m = (a & 0x7fffff) | 0x800000;
	shift = 126 - e;		/* 14..24 */
	q = m >> shift;
	rem = m & ((1U << shift) - 1);
	half = 1U << (shift - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	return sign | q;		/* q == 0x400 is the smallest normal */
}

/* Exact. A NaN keeps sign and payload and is made quiet (as VCVTPH2PS). */
u32 vq_f16_to_f32_bits(u16 h)
{
	u32 sign = (u32)(h & 0x8000) << 16;
	u32 e = (h >> 10) & 0x1f;
	u32 m = h & 0x3ff;

	if (e == 0x1f)
		return sign | 0x7f800000 | (m << 13) | (m ? 0x400000 : 0);
	if (e)
		return sign | ((e + 112) << 23) | (m << 13);
	if (!m)
		return sign;
	e = 113;
	while (!(m & 0x400)) {
		m <<= 1;
		e--;
	}
	return sign | (e << 23) | ((m & 0x3ff) << 13);
}

void vq_f16_encode_ref(const float *x, __le16 *out, size_t cnt)
{
	size_t i;
	u32 b;

	for (i = 0; i < cnt; i++) {
		memcpy(&b, &x[i], 4);
		out[i] = cpu_to_le16(vq_f32_to_f16_bits(b));
	}
}

void vq_f16_decode_ref(const __le16 *in, float *x, size_t cnt)
{
	size_t i;
	u32 b;

	for (i = 0; i < cnt; i++) {
		b = vq_f16_to_f32_bits(le16_to_cpu(in[i]));
		memcpy(&x[i], &b, 4);
	}
}
