// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_vq_pq.c - product quantization (training determinism, identical
 * results in every implementation, encoding = nearest centroid, ADC) and
 * the on-disk parameter blobs (round trip, CRC and bounds rejection).
 */
#include <math.h>
#define VT_SEED 42ULL
#include "vtest.h"
#include "vexfs/vq.h"

static unsigned int feats;


static float unif(void)
{
	return (float)((double)(vt_rnd() >> 11) / 4503599627370496.0 - 1.0);
}

enum { D = 24, M = 6, N = 1500 };
static float data[N * D];
static unsigned char scratch[1 << 20];

static void make_data(void)
{
	u32 i, k;

	/* 40 clusters with noise: k-means has structure to find */
	for (i = 0; i < N; i++) {
		u32 c = (u32)(vt_rnd() % 40);

		for (k = 0; k < D; k++)
			data[i * D + k] = (float)((c * 7 + k * 3) % 11) - 5.0f +
					  0.3f * unif();
	}
}

static int train(float *cent, u32 iters, u64 seed)
{
	struct vq_pq pq = { .d = D, .m = M, .cent_t = cent };

	return vq_pq_train(&pq, data, N, iters, seed, scratch, sizeof(scratch));
}

static void pq_setup(void)
{
	feats = vq_cpu_features();
	vq_select_impl(feats);
	make_data();
	VT_CHECK(vq_pq_train_scratch_size(D, M, N) <= sizeof(scratch));
}

static void pq_determinism(void)
{
	static float a[D * 256], b[D * 256], c[D * 256];

	VT_EQ(train(a, 8, 7), 0);
	VT_EQ(train(b, 8, 7), 0);
	VT_CHECK(!memcmp(a, b, sizeof(a)));
	VT_EQ(train(c, 8, 8), 0);
	VT_CHECK(memcmp(a, c, sizeof(a)) != 0);
	/* The scalar implementation trains exactly the same codebook. */
	vq_select_impl(0);
	VT_EQ(train(c, 8, 7), 0);
	vq_select_impl(feats);
	VT_CHECK(!memcmp(a, c, sizeof(a)));
}

static double quant_error(const float *cent)
{
	struct vq_pq pq = { D, M, D / M, (float *)cent };
	static u8 codes[N * M];
	static float y[N * D];
	double e = 0;
	u32 i;

	vq_pq_encode(&pq, data, codes, N);
	vq_pq_decode(&pq, codes, y, N);
	for (i = 0; i < N * D; i++)
		e += (data[i] - y[i]) * (data[i] - y[i]);
	return e / N;
}

static void pq_quality(void)
{
	static float c0[D * 256], c8[D * 256];
	double e0, e8;

	VT_EQ(train(c0, 0, 1), 0);	/* k-means++ only */
	VT_EQ(train(c8, 8, 1), 0);
	e0 = quant_error(c0);
	e8 = quant_error(c8);
	printf("# PQ mean squared error: init %.4f, 8 iterations %.4f\n", e0, e8);
	VT_CHECK(e8 <= e0);
	VT_CHECK(e8 < 0.05 * D);	/* noise var 0.03 per dim */
}

/* Encoding picks the nearest centroid (brute force in double). */
static void pq_encode_nearest(void)
{
	static float cent[D * 256];
	struct vq_pq pq = { D, M, D / M, cent };
	static u8 c0[N * M], c1[N * M];
	u32 i, j, c, k, bad = 0, dsub = D / M;

	VT_EQ(train(cent, 3, 99), 0);
	vq_pq_encode(&pq, data, c0, 200);
	vq_select_impl(0);
	vq_pq_encode(&pq, data, c1, 200);
	vq_select_impl(feats);
	VT_CHECK(!memcmp(c0, c1, 200 * M));
	for (i = 0; i < 200; i++) {
		for (j = 0; j < M; j++) {
			double best = INFINITY, dc;
			u32 bi = 0;

			for (c = 0; c < 256; c++) {
				double s = 0;

				for (k = 0; k < dsub; k++) {
					double t = data[i * D + j * dsub + k] -
						   cent[(j * dsub + k) * 256 + c];
					s += t * t;
				}
				if (s < best) {
					best = s;
					bi = c;
				}
			}
			if (bi != c0[i * M + j]) {	/* only near-ties may differ */
				dc = 0;
				for (k = 0; k < dsub; k++) {
					double t = data[i * D + j * dsub + k] -
						   cent[(j * dsub + k) * 256 + c0[i * M + j]];
					dc += t * t;
				}
				bad += dc > best * (1 + 1e-5) + 1e-9;
			}
		}
	}
	VT_EQ(bad, 0);
}

/* ADC with the L2 table equals the distance to the decoded vector. */
static void pq_adc(void)
{
	static float cent[D * 256], lut[M * 256], lut2[M * 256], y[N * D];
	struct vq_pq pq = { D, M, D / M, cent };
	static u8 codes[N * M];
	static float r0[N], r1[N], r2[N];
	float q[D];
	u32 i, bad = 0, bad_ip = 0;

	VT_EQ(train(cent, 2, 5), 0);
	vq_pq_encode(&pq, data, codes, N);
	vq_pq_decode(&pq, codes, y, N);
	for (i = 0; i < D; i++)
		q[i] = unif() * 5;
	VT_EQ(vq_pq_lut(&pq, VQ_METRIC_L2, q, lut), 0);
	vq_pq_adc_scan(lut, M, codes, N, r0);
	vq_ops_scalar.l2sq_f32(q, y, D, N, r1);
	vq_ops_scalar.pq_adc_scan(lut, M, codes, N, r2);
	VT_CHECK(!memcmp(r0, r2, sizeof(r0)));		/* bit-identical */
	for (i = 0; i < N; i++)
		bad += fabs(r0[i] - r1[i]) > 1e-5 * r1[i] + 1e-6;
	VT_EQ(bad, 0);
	VT_EQ(vq_pq_lut(&pq, VQ_METRIC_IP, q, lut2), 0);
	vq_pq_adc_scan(lut2, M, codes, N, r0);
	vq_ops_scalar.ip_f32(q, y, D, N, r1);
	for (i = 0; i < N; i++)
		bad_ip += fabs(r0[i] - r1[i]) > 1e-4 * (fabs(r1[i]) + 50);
	VT_EQ(bad_ip, 0);
	VT_EQ(vq_pq_lut(&pq, VQ_METRIC_COS, q, lut2), -EINVAL);
	/* odd n exercises the 4-at-a-time tail */
	vq_pq_adc_scan(lut, M, codes, 7, r0);
	vq_ops_scalar.pq_adc_scan(lut, M, codes, 7, r2);
	VT_CHECK(!memcmp(r0, r2, 7 * sizeof(float)));
}

/*
 * ADC of the active implementation equals the scalar reference bit for bit
 * for every shape its paths split on: m below, at and above the L1 table
 * size, m % 4 != 0, n around the 4 / 8 code steps and the 512-code blocks.
 */
static void pq_adc_shapes(void)
{
	static const u32 ms[] = { 1, 2, 3, 4, 5, 8, 12, 16, 28, 32, 33, 36, 64, 96, 100, 192 };
	static const size_t ns[] = { 0, 1, 3, 4, 5, 7, 8, 9, 100, 511, 512, 513, 1030, 2049 };
	float *lut = malloc(sizeof(float) * 192 * 256);
	float *r0 = malloc(sizeof(float) * 2050), *r1 = malloc(sizeof(float) * 2050);
	u8 *codes = malloc(192 * 2049 + 8);
	u32 a, b, bad = 0;
	size_t i;

	for (i = 0; i < 192 * 256; i++)
		lut[i] = unif() * 100 - 20;
	for (i = 0; i < 192 * 2049 + 8; i++)
		codes[i] = (u8)(unif() * 256);
	for (a = 0; a < sizeof(ms) / sizeof(ms[0]); a++) {
		for (b = 0; b < sizeof(ns) / sizeof(ns[0]); b++) {
			size_t n = ns[b];

			r0[n] = r1[n] = 12345.0f;	/* nothing past n is written */
			vq_pq_adc_scan(lut, ms[a], codes, n, r0);
			vq_ops_scalar.pq_adc_scan(lut, ms[a], codes, n, r1);
			if (memcmp(r0, r1, (n + 1) * sizeof(float))) {
				if (bad++ < 5)
					printf("# m %u n %zu differs\n", ms[a], n);
			}
		}
	}
	VT_EQ(bad, 0);
	free(lut);
	free(r0);
	free(r1);
	free(codes);
}

static void pq_train_errors(void)
{
	static float cent[D * 256];
	struct vq_pq pq = { .d = D, .m = M, .cent_t = cent };
	struct vq_pq bad = { .d = D, .m = 5, .cent_t = cent };

	VT_EQ(vq_pq_train(&pq, data, 255, 1, 1, scratch, sizeof(scratch)), -EINVAL);
	VT_EQ(vq_pq_train(&pq, data, N, 1, 1, scratch, 100), -ENOSPC);
	VT_EQ(vq_pq_train(&bad, data, N, 1, 1, scratch, sizeof(scratch)), -EINVAL);
	VT_EQ(vq_pq_check_dims(8, 0), -EINVAL);
	VT_EQ(vq_pq_check_dims(8, 16), -EINVAL);
	VT_EQ(vq_pq_check_dims(8, 8), 0);
}

static void pq_blob(void)
{
	static float cent[D * 256], back[D * 256];
	static u8 blob[32 + D * 256 * 4], copy[sizeof(blob)];
	struct vq_pq pq = { D, M, D / M, cent }, pq2;
	size_t len = vq_pq_blob_size(D), i;
	u32 bad = 0;

	VT_EQ(len, sizeof(blob));
	VT_EQ(train(cent, 1, 3), 0);
	VT_EQ(vq_pq_store(&pq, blob, len), (int)len);
	VT_EQ(vq_pq_store(&pq, blob, len - 1), -ENOSPC);
	/* layout: header, then centroid c of subspace j at (j*256+c)*dsub */
	VT_EQ(vq_get_le32(blob), VQ_BLOB_MAGIC);
	VT_CHECK(!memcmp(blob, "VXVQ", 4));
	VT_EQ(vq_get_le32(blob + 32 + 4 * ((1 * 256 + 3) * 4 + 2)),
	      *(u32 *)&cent[(1 * 4 + 2) * 256 + 3]);
	VT_EQ(vq_pq_load(&pq2, blob, len, back, D), 0);
	VT_CHECK(!memcmp(cent, back, sizeof(cent)));
	VT_EQ(pq2.d, D);
	VT_EQ(pq2.m, M);
	VT_EQ(pq2.dsub, D / M);
	VT_EQ(vq_pq_load(&pq2, blob, len, back, D - 1), -EOVERFLOW);
	VT_EQ(vq_pq_load(&pq2, blob, len - 1, back, D), -EUCLEAN);
	VT_EQ(vq_pq_load(&pq2, blob, 31, back, D), -EUCLEAN);
	/* any single flipped bit is caught (every header byte, some payload) */
	for (i = 0; i < len; i += (i < 64 ? 1 : 997)) {
		memcpy(copy, blob, len);
		copy[i] ^= 1U << (i % 8);
		bad += vq_pq_load(&pq2, copy, len, back, D) != -EUCLEAN;
	}
	VT_EQ(bad, 0);
}

/* Re-seal a modified header so only the semantic checks can fire. */
static void reseal(u8 *b, size_t len)
{
	struct vq_blob_hdr h;
	u32 crc;

	memcpy(&h, b, sizeof(h));
	h.crc = 0;
	memcpy(b, &h, sizeof(h));
	crc = vexfs_crc32c(~0U, b, len);
	vq_put_le32(b + 28, crc);
}

static void blob_semantics(void)
{
	static float cent[D * 256], back[D * 256], vmin[D], step[D], v2[D], s2[D];
	static u8 blob[32 + D * 256 * 4], copy[sizeof(blob)];
	struct vq_pq pq = { D, M, D / M, cent }, pq2;
	struct vq_sq sq = { D, 4, vmin, step }, sq2;
	size_t len = vq_pq_blob_size(D), slen = vq_sq_blob_size(D), i;
	u32 bad = 0;

	VT_EQ(train(cent, 1, 3), 0);
	VT_EQ(vq_pq_store(&pq, blob, len), (int)len);
	memcpy(copy, blob, len);
	reseal(copy, len);
	VT_CHECK(!memcmp(copy, blob, len));	/* reseal is the format's CRC */
	copy[4] = 2;				/* version 2 */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EOPNOTSUPP);
	memcpy(copy, blob, len);
	vq_put_le32(copy + 12, 5);		/* m = 5 does not divide 24 */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EUCLEAN);
	memcpy(copy, blob, len);
	vq_put_le32(copy + 16, 16);		/* ksub */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EUCLEAN);
	memcpy(copy, blob, len);
	vq_put_le32(copy + 24, 1);		/* reserved */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EUCLEAN);
	memcpy(copy, blob, len);
	vq_put_le32(copy + 32 + 4 * 77, 0x7fc00000);	/* NaN centroid */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EUCLEAN);
	memcpy(copy, blob, len);
	vq_put_le32(copy + 20, 0xfffffff0);	/* payload_len beyond buffer */
	reseal(copy, len);
	VT_EQ(vq_pq_load(&pq2, copy, len, back, D), -EUCLEAN);

	/* SQ blob */
	for (i = 0; i < D; i++) {
		vmin[i] = unif();
		step[i] = fabsf(unif());
	}
	VT_EQ(vq_sq_store(&sq, blob, slen), (int)slen);
	VT_EQ(vq_sq_load(&sq2, blob, slen, v2, s2, D), 0);
	VT_EQ(sq2.bits, 4);
	VT_CHECK(!memcmp(v2, vmin, sizeof(v2)) && !memcmp(s2, step, sizeof(s2)));
	VT_EQ(vq_pq_load(&pq2, blob, slen, back, D), -EUCLEAN);	/* wrong kind */
	for (i = 0; i < slen; i++) {
		memcpy(copy, blob, slen);
		copy[i] ^= 0x80;
		bad += vq_sq_load(&sq2, copy, slen, v2, s2, D) != -EUCLEAN;
	}
	VT_EQ(bad, 0);
	memcpy(copy, blob, slen);
	vq_put_le32(copy + 32 + 4 * (D + 3), 0xbf800000);	/* step -1 */
	reseal(copy, slen);
	VT_EQ(vq_sq_load(&sq2, copy, slen, v2, s2, D), -EUCLEAN);
}

VT_MAIN("vq_pq",
	VT_CASE(pq_setup),
	VT_CASE(pq_determinism),
	VT_CASE(pq_quality),
	VT_CASE(pq_encode_nearest),
	VT_CASE(pq_adc),
	VT_CASE(pq_adc_shapes),
	VT_CASE(pq_train_errors),
	VT_CASE(pq_blob),
	VT_CASE(blob_semantics))
