// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl - attach, show, list and detach the vectors of files on a VexFS
 * filesystem, through the VEXFS_IOC_VEC_* ioctls of vexfs_ioctl.h; train PQ
 * codebooks (vq_pq_train of the shared core, in userspace) and install, list
 * and fetch them (VEXFS_IOC_CODEBOOK_ADD / _GET).
 *
 * Vectors are read from NumPy .npy files (format versions 1 to 3), .fvecs
 * files (le32 d then d float32, repeated), text (one vector per line, numbers
 * separated by blanks or commas) or JSON (an array of numbers, or an array of
 * such arrays). The parsers take a buffer and its length and never touch a
 * filesystem; "vexctl parse" runs them alone, as a dry run of attach.
 *
 * Exit status: 0 success, 1 error, 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vexfs_ioctl.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vexctl.h"

#define VC_LIST_PAGE	1024	/* ids per LIST call */
#define VC_NUM_MAX	400	/* longest number token accepted */
#define VC_U64_MAX	(~(u64)0)

/* ---- data types ------------------------------------------------------------ */

struct vc_dtype {
	const char *name;
	const char *npy;	/* descr written by get --out */
	u32 bits;		/* per element */
};

static const struct vc_dtype vc_dtypes[VEXFS_DT_MAX + 1] = {
	[VEXFS_DT_F32] = { "f32", "<f4", 32 },
	[VEXFS_DT_F16] = { "f16", "<f2", 16 },
	[VEXFS_DT_I8] = { "i8", "|i1", 8 },
	[VEXFS_DT_I16] = { "i16", "<i2", 16 },
	[VEXFS_DT_BIN] = { "bin", "|b1", 1 },
};

const char * const vc_comp_names[VEXFS_COMP_MAX + 1] = {
	[VEXFS_COMP_NONE] = "none",
	[VEXFS_COMP_SQ8] = "sq8",
	[VEXFS_COMP_SQ4] = "sq4",
	[VEXFS_COMP_PQ] = "pq",
	[VEXFS_COMP_F16] = "f16",
	[VEXFS_COMP_SPARSE] = "sparse",
};

static bool vc_dtype_ok(u32 dt)
{
	return dt >= 1 && dt <= VEXFS_DT_MAX;
}

const char *vc_dtype_name(u32 dt)
{
	static char buf[24];

	if (vc_dtype_ok(dt))
		return vc_dtypes[dt].name;
	snprintf(buf, sizeof(buf), "unknown(%u)", dt);
	return buf;
}

const char *vc_comp_name(u32 c)
{
	static char buf[24];

	if (c <= VEXFS_COMP_MAX)
		return vc_comp_names[c];
	snprintf(buf, sizeof(buf), "unknown(%u)", c);
	return buf;
}

/* Bytes of d elements of type dt (bin: bit-packed). */
static u32 vc_vec_bytes(u32 dt, u32 d)
{
	return (u32)(((u64)d * vc_dtypes[dt].bits + 7) / 8);
}

static int vc_dtype_parse(const char *s)
{
	static const struct { const char *name; int dt; } names[] = {
		{ "f32", VEXFS_DT_F32 }, { "float32", VEXFS_DT_F32 },
		{ "f16", VEXFS_DT_F16 }, { "float16", VEXFS_DT_F16 },
		{ "i8", VEXFS_DT_I8 }, { "int8", VEXFS_DT_I8 },
		{ "i16", VEXFS_DT_I16 }, { "int16", VEXFS_DT_I16 },
		{ "bin", VEXFS_DT_BIN }, { "binary", VEXFS_DT_BIN },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].dt;
	return 0;
}

static const char * const vc_fmt_names[] = {
	[VC_FMT_AUTO] = "auto",
	[VC_FMT_NPY] = "npy",
	[VC_FMT_FVECS] = "fvecs",
	[VC_FMT_TEXT] = "text",
	[VC_FMT_JSON] = "json",
};

static int vc_format_parse(const char *s)
{
	int i;

	if (!strcasecmp(s, "txt"))
		return VC_FMT_TEXT;
	for (i = VC_FMT_NPY; i <= VC_FMT_JSON; i++)
		if (!strcasecmp(s, vc_fmt_names[i]))
			return i;
	return -1;
}

/* ---- a set of parsed vectors ------------------------------------------------ */

/* struct vc_vecs: vexctl.h */

__attribute__((format(printf, 2, 3)))
static int vc_err(struct vc_vecs *vs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vs->err, sizeof(vs->err), fmt, ap);
	va_end(ap);
	return -1;
}

void vc_vecs_free(struct vc_vecs *vs)
{
	free(vs->data);
	vs->data = NULL;
	vs->n = vs->cap = 0;
}

/* Fix the dimension count, checking the record limits; where prefixes errors. */
static int vc_set_dims(struct vc_vecs *vs, u64 d, const char *where)
{
	u64 bytes;

	if (d == 0)
		return vc_err(vs, "%sa vector with 0 dimensions (at least 1 is needed)", where);
	if (d > VEXFS_VEC_MAX_DIMS)
		return vc_err(vs, "%s%llu dimensions: more than the maximum %u", where,
			      (unsigned long long)d, VEXFS_VEC_MAX_DIMS);
	bytes = vc_vec_bytes(vs->dtype, (u32)d);
	if (bytes > VEXFS_VEC_MAX_DATA)
		return vc_err(vs, "%s%llu dimensions of %s take %llu bytes: more than the "
				  "maximum %u bytes per vector%s",
			      where, (unsigned long long)d, vc_dtypes[vs->dtype].name,
			      (unsigned long long)bytes, VEXFS_VEC_MAX_DATA,
			      vs->dtype == VEXFS_DT_F32 && bytes <= 2 * VEXFS_VEC_MAX_DATA ?
			      " (--dtype f16 halves it)" : "");
	vs->d = (u32)d;
	vs->vbytes = (u32)bytes;
	return 0;
}

/* Room for n vectors in total, zeroed. */
static int vc_reserve(struct vc_vecs *vs, size_t n)
{
	size_t cap = vs->cap ? vs->cap : 16;
	u8 *p;

	if (n <= vs->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if (cap > SIZE_MAX / vs->vbytes)
		return vc_err(vs, "too many vectors");
	p = realloc(vs->data, cap * vs->vbytes);
	if (!p)
		return vc_err(vs, "out of memory (%zu vectors of %u bytes)", cap, vs->vbytes);
	memset(p + vs->cap * vs->vbytes, 0, (cap - vs->cap) * vs->vbytes);
	vs->data = p;
	vs->cap = cap;
	return 0;
}

static u8 *vc_vec(const struct vc_vecs *vs, size_t i)
{
	return vs->data + i * vs->vbytes;
}

/* ---- element conversion ---------------------------------------------------- */

static u32 vc_f32_bits(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

static float vc_bits_f32(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

/*
 * binary64 -> binary16, rounded to nearest even once: round to odd into
 * binary32 (13 spare bits, so no second rounding can go wrong), then the
 * core's encoder. Returns false if the result is infinite.
 */
static bool vc_f64_to_f16(double x, u16 *out)
{
	float f = (float)x;
	u32 b = vc_f32_bits(f);
	u16 h;

	if (isinf(f))
		return false;
	if ((double)f != x) {
		if (fabs((double)f) > fabs(x))
			b--;		/* truncate towards zero ... */
		b |= 1;			/* ... and keep the lost bits as a sticky bit */
	}
	h = vq_f32_to_f16_bits(b);
	if ((h & 0x7fff) == 0x7c00)
		return false;
	*out = h;
	return true;
}

/*
 * Convert one value to an element of type dt (bits of a float, the integer,
 * or the bit). On failure writes the reason to why and returns -1.
 */
static int vc_conv(u32 dt, double x, u32 *out, char *why, size_t len)
{
	u16 h;
	float f;

	if (isnan(x)) {
		snprintf(why, len, "NaN is not allowed");
		return -1;
	}
	if (isinf(x)) {
		snprintf(why, len, "infinite values are not allowed");
		return -1;
	}
	switch (dt) {
	case VEXFS_DT_F32:
		f = (float)x;
		if (isinf(f)) {
			snprintf(why, len, "%.9g is out of range for f32", x);
			return -1;
		}
		*out = vc_f32_bits(f);
		return 0;
	case VEXFS_DT_F16:
		if (!vc_f64_to_f16(x, &h)) {
			snprintf(why, len, "%.9g is out of range for f16 (largest 65504)", x);
			return -1;
		}
		*out = h;
		return 0;
	case VEXFS_DT_I8:
	case VEXFS_DT_I16: {
		double lo = dt == VEXFS_DT_I8 ? -128 : -32768;
		double hi = dt == VEXFS_DT_I8 ? 127 : 32767;

		if (x != trunc(x)) {
			snprintf(why, len, "%.9g is not an integer (data type %s)", x,
				 vc_dtypes[dt].name);
			return -1;
		}
		if (x < lo || x > hi) {
			snprintf(why, len, "%.9g is out of range for %s (%.0f..%.0f)", x,
				 vc_dtypes[dt].name, lo, hi);
			return -1;
		}
		*out = (u32)(s32)x;
		return 0;
	}
	case VEXFS_DT_BIN:
		if (x != 0 && x != 1) {
			snprintf(why, len, "%.9g is not 0 or 1 (data type bin)", x);
			return -1;
		}
		*out = x == 1;
		return 0;
	}
	snprintf(why, len, "unknown data type %u", dt);
	return -1;
}

static void vc_put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static u16 vc_get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* Store element j of a vector (little-endian; bin: bit j % 8 of byte j / 8). */
static void vc_put(u32 dt, u8 *vec, u32 j, u32 v)
{
	switch (dt) {
	case VEXFS_DT_F32:
		vq_put_le32(vec + 4 * (size_t)j, v);
		break;
	case VEXFS_DT_F16:
	case VEXFS_DT_I16:
		vc_put16(vec + 2 * (size_t)j, (u16)v);
		break;
	case VEXFS_DT_I8:
		vec[j] = (u8)v;
		break;
	case VEXFS_DT_BIN:
		if (v)
			vec[j >> 3] |= (u8)(1U << (j & 7));
		break;
	}
}

/* Element j of a vector as a double (exact for every type). */
static double vc_get(u32 dt, const u8 *vec, u32 j)
{
	switch (dt) {
	case VEXFS_DT_F32:
		return vc_bits_f32(vq_get_le32(vec + 4 * (size_t)j));
	case VEXFS_DT_F16:
		return vc_bits_f32(vq_f16_to_f32_bits(vc_get16(vec + 2 * (size_t)j)));
	case VEXFS_DT_I8:
		return (s8)vec[j];
	case VEXFS_DT_I16:
		return (s16)vc_get16(vec + 2 * (size_t)j);
	case VEXFS_DT_BIN:
		return (vec[j >> 3] >> (j & 7)) & 1;
	}
	return 0;
}

/* ---- .npy ------------------------------------------------------------------ */

/* Source element types of binary inputs. */
enum vc_src {
	VC_SRC_F32,
	VC_SRC_F16,
	VC_SRC_F64,
	VC_SRC_I8,
	VC_SRC_I16,
	VC_SRC_U8,
	VC_SRC_BOOL,
};

static const u32 vc_src_size[] = {
	[VC_SRC_F32] = 4, [VC_SRC_F16] = 2, [VC_SRC_F64] = 8, [VC_SRC_I8] = 1,
	[VC_SRC_I16] = 2, [VC_SRC_U8] = 1, [VC_SRC_BOOL] = 1,
};

static double vc_src_get(enum vc_src k, const u8 *p)
{
	u64 b;

	switch (k) {
	case VC_SRC_F32:
		return vc_bits_f32(vq_get_le32(p));
	case VC_SRC_F16:
		return vc_bits_f32(vq_f16_to_f32_bits(vc_get16(p)));
	case VC_SRC_F64: {
		double x;

		b = get_unaligned_le64(p);
		memcpy(&x, &b, 8);
		return x;
	}
	case VC_SRC_I8:
		return (s8)*p;
	case VC_SRC_I16:
		return (s16)vc_get16(p);
	case VC_SRC_U8:
	case VC_SRC_BOOL:
		return *p;
	}
	return 0;
}

/*
 * Convert n vectors of cols source elements at src into vs (whose dtype and
 * dimensions are set). Errors name the vector and the element.
 */
static int vc_convert_src(struct vc_vecs *vs, const u8 *src, enum vc_src k, size_t n,
			  u32 cols, size_t stride)
{
	char why[160];
	size_t i;
	u32 j, v;

	if (vc_reserve(vs, n))
		return -1;
	for (i = 0; i < n; i++) {
		const u8 *s = src + i * stride;
		u8 *dst = vc_vec(vs, i);

		if (k == VC_SRC_U8) {		/* packed bits, taken as they are */
			memcpy(dst, s, cols);
			continue;
		}
		for (j = 0; j < cols; j++) {
			double x = vc_src_get(k, s + (size_t)j * vc_src_size[k]);

			if (vc_conv(vs->dtype, x, &v, why, sizeof(why)))
				return vc_err(vs, "vector %zu, element %u: %s", i, j, why);
			vc_put(vs->dtype, dst, j, v);
		}
	}
	vs->n = n;
	return 0;
}

struct vc_cur {
	const char *p, *end;
};

static void vc_cur_ws(struct vc_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' ||
				 *c->p == '\r'))
		c->p++;
}

static bool vc_cur_eat(struct vc_cur *c, char ch)
{
	vc_cur_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A Python string literal without escapes, into out. */
static bool vc_cur_str(struct vc_cur *c, char *out, size_t len)
{
	char q;
	size_t n = 0;

	vc_cur_ws(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return false;
	q = *c->p++;
	while (c->p < c->end && *c->p != q) {
		if (*c->p == '\\' || n + 1 >= len)
			return false;
		out[n++] = *c->p++;
	}
	if (c->p >= c->end)
		return false;
	c->p++;
	out[n] = 0;
	return true;
}

struct vc_npy {
	char descr[24];
	int fortran;		/* -1: missing */
	int ndim;		/* -1: missing */
	u64 shape[3];
};

/* The header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3,), } */
static int vc_npy_dict(struct vc_vecs *vs, const char *p, size_t len, struct vc_npy *h)
{
	struct vc_cur c = { p, p + len };
	bool have_descr = false;
	char key[32];

	h->fortran = -1;
	h->ndim = -1;
	if (!vc_cur_eat(&c, '{'))
		return vc_err(vs, "bad .npy header: expected a dictionary");
	for (;;) {
		if (vc_cur_eat(&c, '}'))
			break;
		if (!vc_cur_str(&c, key, sizeof(key)))
			return vc_err(vs, "bad .npy header: expected a key at header byte %zu",
				      (size_t)(c.p - p));
		if (!vc_cur_eat(&c, ':'))
			return vc_err(vs, "bad .npy header: expected ':' after '%s'", key);
		vc_cur_ws(&c);
		if (!strcmp(key, "descr") && !have_descr) {
			if (c.p < c.end && *c.p == '[')
				return vc_err(vs, "structured arrays are not supported (descr is "
						  "a list): save a plain numeric array");
			if (!vc_cur_str(&c, h->descr, sizeof(h->descr)))
				return vc_err(vs, "bad .npy header: 'descr' is not a short string");
			have_descr = true;
		} else if (!strcmp(key, "fortran_order") && h->fortran < 0) {
			if (c.end - c.p >= 4 && !memcmp(c.p, "True", 4)) {
				h->fortran = 1;
				c.p += 4;
			} else if (c.end - c.p >= 5 && !memcmp(c.p, "False", 5)) {
				h->fortran = 0;
				c.p += 5;
			} else {
				return vc_err(vs, "bad .npy header: 'fortran_order' is not True "
						  "or False");
			}
		} else if (!strcmp(key, "shape") && h->ndim < 0) {
			if (!vc_cur_eat(&c, '('))
				return vc_err(vs, "bad .npy header: 'shape' is not a tuple");
			h->ndim = 0;
			while (!vc_cur_eat(&c, ')')) {
				u64 v = 0;

				vc_cur_ws(&c);
				if (c.p >= c.end || !isdigit((unsigned char)*c.p))
					goto bad_shape;
				while (c.p < c.end && isdigit((unsigned char)*c.p)) {
					if (v > (VC_U64_MAX - 9) / 10)
						goto bad_shape;
					v = v * 10 + (u64)(*c.p++ - '0');
				}
				if (c.p < c.end && *c.p == 'L')	/* Python 2 long */
					c.p++;
				if (h->ndim < 3)
					h->shape[h->ndim] = v;
				if (h->ndim < 64)
					h->ndim++;
				if (!vc_cur_eat(&c, ',')) {
					if (!vc_cur_eat(&c, ')'))
						goto bad_shape;
					break;
				}
			}
		} else {
			return vc_err(vs, "bad .npy header: unexpected or repeated key '%s'", key);
		}
		if (!vc_cur_eat(&c, ',')) {
			if (!vc_cur_eat(&c, '}'))
				return vc_err(vs, "bad .npy header: expected ',' or '}' after '%s'",
					      key);
			break;
		}
	}
	vc_cur_ws(&c);
	if (c.p != c.end)
		return vc_err(vs, "bad .npy header: unexpected data after the dictionary");
	if (!have_descr || h->fortran < 0 || h->ndim < 0)
		return vc_err(vs, "bad .npy header: missing '%s'",
			      !have_descr ? "descr" : h->fortran < 0 ? "fortran_order" : "shape");
	return 0;
bad_shape:
	return vc_err(vs, "bad .npy header: 'shape' is not a tuple of integers");
}

/*
 * NumPy .npy (v1: le16 header length at 8; v2, v3: le32). 1-D shape (d,)
 * is one vector, 2-D (n, d) n vectors. want: the data type asked for (0 =
 * that of the array).
 */
static int vc_parse_npy(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
{
	static const struct { const char *t; enum vc_src k; u32 dt; } types[] = {
		{ "f4", VC_SRC_F32, VEXFS_DT_F32 },
		{ "f2", VC_SRC_F16, VEXFS_DT_F16 },
		{ "f8", VC_SRC_F64, 0 },
		{ "i1", VC_SRC_I8, VEXFS_DT_I8 },
		{ "i2", VC_SRC_I16, VEXFS_DT_I16 },
		{ "u1", VC_SRC_U8, 0 },
		{ "b1", VC_SRC_BOOL, VEXFS_DT_BIN },
	};
	struct vc_npy h;
	size_t pre, hlen, i;
	u64 n, cols, row, have;
	enum vc_src k = VC_SRC_F32;
	char bo, shape[64];
	u32 dt = 0;
	bool found = false;

	if (len < 10 || memcmp(buf, "\x93NUMPY", 6))
		return vc_err(vs, "not a NumPy .npy file (bad magic)");
	if (buf[6] == 1) {
		pre = 10;
		hlen = vc_get16(buf + 8);
	} else if (buf[6] == 2 || buf[6] == 3) {
		if (len < 12)
			return vc_err(vs, "truncated .npy header");
		pre = 12;
		hlen = vq_get_le32(buf + 8);
	} else {
		return vc_err(vs, "unsupported .npy format version %u.%u", buf[6], buf[7]);
	}
	if (hlen > len - pre)
		return vc_err(vs, "truncated .npy header (%zu bytes announced, %zu present)",
			      hlen, len - pre);
	if (vc_npy_dict(vs, (const char *)buf + pre, hlen, &h))
		return -1;

	bo = h.descr[0];
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		if (!strcmp(h.descr + 1, types[i].t)) {
			k = types[i].k;
			dt = types[i].dt;
			found = true;
			break;
		}
	}
	if (!found || !bo || !strchr("<>|", bo))
		return vc_err(vs, "unsupported .npy data type '%s' (supported: <f4 <f2 <f8 |i1 "
				  "<i2 |u1 |b1)",
			      h.descr);
	if (bo == '>' && vc_src_size[k] > 1)
		return vc_err(vs, "big-endian data ('%s') is not supported: save it "
				  "little-endian, e.g. arr.astype('<%s')",
			      h.descr, h.descr + 1);
	if (bo == '|' && vc_src_size[k] > 1)
		return vc_err(vs, "bad .npy data type '%s' (no byte order)", h.descr);
	if (h.fortran)
		return vc_err(vs, "Fortran-ordered arrays are not supported: save "
				  "np.ascontiguousarray(arr)");
	if (h.ndim == 0)
		return vc_err(vs, "0-dimensional array (a scalar): expected shape (d,) or (n, d)");
	if (h.ndim > 2)
		return vc_err(vs, "%d-dimensional array: expected shape (d,) or (n, d)", h.ndim);
	n = h.ndim == 1 ? 1 : h.shape[0];
	cols = h.shape[h.ndim - 1];

	if (k == VC_SRC_F64 && !want)
		return vc_err(vs, "float64 data ('%s'): give --dtype f32 or --dtype f16 to "
				  "convert it, or save arr.astype('<f4')",
			      h.descr);
	if (k == VC_SRC_U8 && want != VEXFS_DT_BIN)
		return vc_err(vs, "uint8 data ('%s') is only taken as packed bits, with --dtype "
				  "bin",
			      h.descr);
	vs->dtype = want ? want : dt;
	if (k == VC_SRC_U8) {
		if (cols > VEXFS_VEC_MAX_DIMS / 8 + 1)
			return vc_err(vs, "%llu bytes of packed bits: more than the maximum %u "
					  "dimensions",
				      (unsigned long long)cols, VEXFS_VEC_MAX_DIMS);
		if (vc_set_dims(vs, cols * 8, ""))
			return -1;
	} else if (vc_set_dims(vs, cols, "")) {
		return -1;
	}
	if (n == 0)
		return vc_err(vs, "no vectors (shape has 0 rows)");
	have = len - pre - hlen;
	row = cols * vc_src_size[k];
	if (h.ndim == 1)
		snprintf(shape, sizeof(shape), "(%llu,)", (unsigned long long)cols);
	else
		snprintf(shape, sizeof(shape), "(%llu, %llu)", (unsigned long long)n,
			 (unsigned long long)cols);
	if (n > have / row)
		return vc_err(vs, "truncated: shape %s of '%s' needs %llu x %llu data bytes, the "
				  "file has %llu",
			      shape, h.descr, (unsigned long long)n, (unsigned long long)row,
			      (unsigned long long)have);
	if (n * row < have)
		return vc_err(vs, "%llu bytes of unexpected data after the %s array",
			      (unsigned long long)(have - n * row), shape);
	return vc_convert_src(vs, buf + pre + hlen, k, n, (u32)cols, cols * vc_src_size[k]);
}

/* ---- .fvecs ---------------------------------------------------------------- */

/* Records of le32 d then d float32, every d equal, nothing left over. */
static int vc_parse_fvecs(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
{
	size_t off = 0, n = 0;
	s32 d0 = 0;

	vs->dtype = want ? want : VEXFS_DT_F32;
	if (!len)
		return vc_err(vs, "empty file: no vectors");
	while (off < len) {
		s32 d;
		char where[64];

		if (len - off < 4)
			return vc_err(vs, "truncated: %zu stray bytes after vector %zu (byte %zu)",
				      len - off, n ? n - 1 : 0, off);
		d = (s32)vq_get_le32(buf + off);
		if (!n) {
			if (d < 0)
				return vc_err(vs, "vector 0 (byte 0): invalid dimension count %d",
					      d);
			snprintf(where, sizeof(where), "vector 0: ");
			if (vc_set_dims(vs, (u64)d, where))
				return -1;
			d0 = d;
		} else if (d != d0) {
			return vc_err(vs, "vector %zu (byte %zu): %d dimensions, expected %d as "
					  "in vector 0",
				      n, off, d, d0);
		}
		if ((len - off - 4) / 4 < (size_t)d)
			return vc_err(vs, "truncated: vector %zu (byte %zu) needs %zu bytes, "
					  "only %zu left",
				      n, off, 4 + 4 * (size_t)d, len - off);
		off += 4 + 4 * (size_t)d;
		n++;
	}
	return vc_convert_src(vs, buf + 4, VC_SRC_F32, n, (u32)d0, 4 + 4 * (size_t)d0);
}

/* ---- text and JSON --------------------------------------------------------- */

/* 1-based line and column of byte off. */
static void vc_loc(const u8 *buf, size_t off, size_t *line, size_t *col)
{
	size_t i, l = 1, bol = 0;

	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			bol = i + 1;
		}
	}
	*line = l;
	*col = off - bol + 1;
}

static bool vc_is_digit(const u8 *p, const u8 *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/*
 * Length of the number at p, 0 if there is none. JSON: RFC 8259 syntax;
 * text also takes a leading '+', "5." and ".5".
 */
static size_t vc_numlen(const u8 *p, const u8 *end, bool json)
{
	const u8 *s = p;
	bool digits = false;

	if (s < end && (*s == '-' || (!json && *s == '+')))
		s++;
	if (json) {
		if (s < end && *s == '0')
			s++;
		else if (s < end && *s >= '1' && *s <= '9')
			while (vc_is_digit(s, end))
				s++;
		else
			return 0;
		if (s < end && *s == '.') {
			s++;
			if (!vc_is_digit(s, end))
				return 0;
			while (vc_is_digit(s, end))
				s++;
		}
	} else {
		for (; vc_is_digit(s, end); s++)
			digits = true;
		if (s < end && *s == '.')
			for (s++; vc_is_digit(s, end); s++)
				digits = true;
		if (!digits)
			return 0;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		const u8 *e = s + 1;

		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (!vc_is_digit(e, end))
			return 0;
		while (vc_is_digit(e, end))
			e++;
		s = e;
	}
	return (size_t)(s - p);
}

static bool vc_is_delim(const u8 *p, const u8 *end, bool json)
{
	if (p >= end)
		return true;
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',')
		return true;
	return json ? *p == ']' : (*p == '\v' || *p == '\f');
}

/* The offending token at p, printable, for messages. */
static const char *vc_token(const u8 *p, const u8 *end, bool json)
{
	static char out[80];
	size_t n = 0;

	if (p >= end)
		return "end of input";
	out[n++] = '\'';
	do {
		if (n > 40) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (*p >= 0x20 && *p < 0x7f && *p != '\'')
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02x", *p);
		p++;
	} while (!vc_is_delim(p, end, json) && !(json && (*p == '[' || *p == '{')));
	out[n++] = '\'';
	out[n] = 0;
	return out;
}

/* An error at byte off of buf: "line L, column C: ..." */
__attribute__((format(printf, 4, 5)))
static int vc_at_err(struct vc_vecs *vs, const u8 *buf, size_t off, const char *fmt, ...)
{
	size_t line, col, n;
	va_list ap;

	vc_loc(buf, off, &line, &col);
	n = (size_t)snprintf(vs->err, sizeof(vs->err), "line %zu, column %zu: ", line, col);
	va_start(ap, fmt);
	vsnprintf(vs->err + n, sizeof(vs->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Parse a number at buf[*off] and convert it to an element of vs->dtype.
 * Errors carry the line and column.
 */
static int vc_number(struct vc_vecs *vs, const u8 *buf, size_t len, size_t *off, bool json,
		     u32 *v)
{
	const u8 *p = buf + *off, *end = buf + len;
	size_t n = vc_numlen(p, end, json);
	char tmp[VC_NUM_MAX + 1], why[160];
	double x;

	if (p >= end)
		return vc_at_err(vs, buf, *off, "unexpected end of input, expected a number");
	if (!n || !vc_is_delim(p + n, end, json)) {
		const char *t = vc_token(p, end, json);
		const char *s = t + 1 + (t[1] == '-' || t[1] == '+');

		if (!strncasecmp(s, "nan", 3) || !strncasecmp(s, "inf", 3))
			return vc_at_err(vs, buf, *off,
					 "%s: NaN and infinite values are not allowed", t);
		return vc_at_err(vs, buf, *off, "%s is not a number", t);
	}
	if (n > VC_NUM_MAX)
		return vc_at_err(vs, buf, *off, "number longer than %d characters", VC_NUM_MAX);
	memcpy(tmp, p, n);
	tmp[n] = 0;
	errno = 0;
	x = strtod(tmp, NULL);
	if (errno == ERANGE && isinf(x))
		return vc_at_err(vs, buf, *off, "%s is out of range", tmp);
	if (vc_conv(vs->dtype, x, v, why, sizeof(why)))
		return vc_at_err(vs, buf, *off, "%s", why);
	*off += n;
	return 0;
}

/* Growable row of converted elements. */
struct vc_row {
	u32 *v;
	u32 n, cap;
};

static int vc_row_push(struct vc_vecs *vs, struct vc_row *r, u32 v, const u8 *buf, size_t off)
{
	if (r->n == VEXFS_VEC_MAX_DIMS)
		return vc_at_err(vs, buf, off, "more than the maximum %u dimensions",
				 VEXFS_VEC_MAX_DIMS);
	if (r->n == r->cap) {
		u32 cap = r->cap ? r->cap * 2 : 64;
		u32 *p = realloc(r->v, cap * sizeof(*p));

		if (!p)
			return vc_err(vs, "out of memory");
		r->v = p;
		r->cap = cap;
	}
	r->v[r->n++] = v;
	return 0;
}

/*
 * A row that started at byte off is complete: the first fixes d, the others
 * must match it.
 */
static int vc_row_done(struct vc_vecs *vs, struct vc_row *r, const u8 *buf, size_t off,
		       size_t *first)
{
	size_t line0, col;
	u8 *dst;
	u32 j;

	if (!vs->n) {
		if (vc_set_dims(vs, r->n, "")) {
			char why[sizeof(vs->err)];

			memcpy(why, vs->err, sizeof(why));
			return vc_at_err(vs, buf, off, "%s", why);
		}
		*first = off;
	} else if (r->n != vs->d) {
		vc_loc(buf, *first, &line0, &col);
		return vc_at_err(vs, buf, off, "vector %zu has %u value%s, expected %u like "
					       "vector 0 (line %zu)",
				 vs->n, r->n, r->n == 1 ? "" : "s", vs->d, line0);
	}
	if (vc_reserve(vs, vs->n + 1))
		return -1;
	dst = vc_vec(vs, vs->n);
	for (j = 0; j < r->n; j++)
		vc_put(vs->dtype, dst, j, r->v[j]);
	vs->n++;
	r->n = 0;
	return 0;
}

static bool vc_is_blank(u8 c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Text: one vector per line, numbers separated by blanks and/or one comma.
 * Empty lines and lines starting with '#' are skipped.
 */
static int vc_parse_text(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
{
	struct vc_row r = { 0 };
	size_t p = 0, first = 0;
	int ret = -1;

	vs->dtype = want ? want : VEXFS_DT_F32;
	while (p < len) {
		bool comma = false;	/* a value must follow */
		size_t bol = p;
		u32 v;

		while (p < len && vc_is_blank(buf[p]))
			p++;
		if (p < len && buf[p] == '#') {
			while (p < len && buf[p] != '\n')
				p++;
		}
		for (;;) {
			while (p < len && vc_is_blank(buf[p]))
				p++;
			if (p >= len || buf[p] == '\n') {
				if (comma) {
					vc_at_err(vs, buf, p, "missing value after ','");
					goto out;
				}
				break;
			}
			if (buf[p] == ',') {
				if (comma || !r.n) {
					vc_at_err(vs, buf, p, "missing value before ','");
					goto out;
				}
				comma = true;
				p++;
				continue;
			}
			if (vc_number(vs, buf, len, &p, false, &v) ||
			    vc_row_push(vs, &r, v, buf, p))
				goto out;
			comma = false;
		}
		if (r.n && vc_row_done(vs, &r, buf, bol, &first))
			goto out;
		if (p < len)
			p++;	/* the newline */
	}
	if (!vs->n) {
		vc_err(vs, "no vectors (the input has no numbers)");
		goto out;
	}
	ret = 0;
out:
	free(r.v);
	return ret;
}

static void vc_json_ws(const u8 *buf, size_t len, size_t *p)
{
	while (*p < len && (buf[*p] == ' ' || buf[*p] == '\t' || buf[*p] == '\n' ||
			    buf[*p] == '\r'))
		(*p)++;
}

/* The numbers of one array; the '[' at start is already consumed. */
static int vc_json_row(struct vc_vecs *vs, const u8 *buf, size_t len, size_t *p,
		       size_t start, struct vc_row *r, size_t *first)
{
	u32 v;

	vc_json_ws(buf, len, p);
	if (*p < len && buf[*p] == ']') {
		(*p)++;
		return vc_row_done(vs, r, buf, start, first);
	}
	for (;;) {
		vc_json_ws(buf, len, p);
		if (*p < len && buf[*p] == '[')
			return vc_at_err(vs, buf, *p, "expected a number, found an array (nested "
						      "too deep)");
		if (vc_number(vs, buf, len, p, true, &v) || vc_row_push(vs, r, v, buf, *p))
			return -1;
		vc_json_ws(buf, len, p);
		if (*p < len && buf[*p] == ']') {
			(*p)++;
			return vc_row_done(vs, r, buf, start, first);
		}
		if (*p >= len || buf[*p] != ',')
			return vc_at_err(vs, buf, *p, "expected ',' or ']', found %s",
					   vc_token(buf + *p, buf + len, true));
		(*p)++;
		vc_json_ws(buf, len, p);
		if (*p < len && buf[*p] == ']')
			return vc_at_err(vs, buf, *p, "trailing ',' before ']'");
	}
}

/* JSON: [1, 2, 3] (one vector) or [[1, 2], [3, 4]] (several). */
static int vc_parse_json(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
{
	struct vc_row r = { 0 };
	size_t p = 0, first = 0, start;
	int ret = -1;

	vs->dtype = want ? want : VEXFS_DT_F32;
	vc_json_ws(buf, len, &p);
	if (p >= len) {
		vc_err(vs, "empty input: expected a JSON array");
		goto out;
	}
	if (buf[p] != '[') {
		vc_at_err(vs, buf, p, "expected '[' (an array of numbers, or of arrays), found %s",
			    vc_token(buf + p, buf + len, true));
		goto out;
	}
	start = p++;
	vc_json_ws(buf, len, &p);
	if (p < len && buf[p] == ']') {
		vc_at_err(vs, buf, p, "empty array: no vectors");
		goto out;
	}
	if (p < len && buf[p] == '[') {
		for (;;) {
			vc_json_ws(buf, len, &p);
			if (p >= len || buf[p] != '[') {
				vc_at_err(vs, buf, p, "expected '[' (an array of vectors holds "
						      "only arrays), found %s",
					    vc_token(buf + p, buf + len, true));
				goto out;
			}
			start = p++;
			if (vc_json_row(vs, buf, len, &p, start, &r, &first))
				goto out;
			vc_json_ws(buf, len, &p);
			if (p < len && buf[p] == ']') {
				p++;
				break;
			}
			if (p >= len || buf[p] != ',') {
				vc_at_err(vs, buf, p, "expected ',' or ']', found %s",
					    vc_token(buf + p, buf + len, true));
				goto out;
			}
			p++;
			vc_json_ws(buf, len, &p);
			if (p < len && buf[p] == ']') {
				vc_at_err(vs, buf, p, "trailing ',' before ']'");
				goto out;
			}
		}
	} else if (vc_json_row(vs, buf, len, &p, start, &r, &first)) {
		goto out;
	}
	vc_json_ws(buf, len, &p);
	if (p < len) {
		vc_at_err(vs, buf, p, "unexpected data after the JSON array");
		goto out;
	}
	ret = 0;
out:
	free(r.v);
	return ret;
}

/* Parse buf in format fmt (not AUTO) into vs; want: --dtype or 0. */
static int vc_parse(const u8 *buf, size_t len, int fmt, u32 want, struct vc_vecs *vs)
{
	memset(vs, 0, sizeof(*vs));
	switch (fmt) {
	case VC_FMT_NPY:
		return vc_parse_npy(buf, len, want, vs);
	case VC_FMT_FVECS:
		return vc_parse_fvecs(buf, len, want, vs);
	case VC_FMT_TEXT:
		return vc_parse_text(buf, len, want, vs);
	case VC_FMT_JSON:
		return vc_parse_json(buf, len, want, vs);
	}
	return vc_err(vs, "unknown format");
}

/* The format from the name, else from the content; -1 if neither tells. */
static int vc_guess_format(const char *path, const u8 *buf, size_t len)
{
	static const struct { const char *ext; int fmt; } exts[] = {
		{ ".npy", VC_FMT_NPY }, { ".fvecs", VC_FMT_FVECS }, { ".json", VC_FMT_JSON },
		{ ".txt", VC_FMT_TEXT }, { ".text", VC_FMT_TEXT }, { ".csv", VC_FMT_TEXT },
		{ ".tsv", VC_FMT_TEXT },
	};
	const char *dot = strrchr(path, '.');
	size_t i = 0;

	if (dot && !strchr(dot, '/'))
		for (i = 0; i < ARRAY_SIZE(exts); i++)
			if (!strcasecmp(dot, exts[i].ext))
				return exts[i].fmt;
	i = 0;
	if (len >= 6 && !memcmp(buf, "\x93NUMPY", 6))
		return VC_FMT_NPY;
	while (i < len && isspace(buf[i]))
		i++;
	if (i < len && buf[i] == '[')
		return VC_FMT_JSON;
	return -1;
}

/* ---- small helpers --------------------------------------------------------- */

__attribute__((format(printf, 2, 3), noreturn))
void vc_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vx_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s%s--help' for more information.\n", vx_prog,
		cmd ? cmd : "", cmd ? " " : "");
	exit(VC_EXIT_USAGE);
}

/* Read a whole file ("-": standard input); what: "vector file", ... */
static u8 *vc_read_all(const char *path, const char *what, size_t *lenp)
{
	bool in = !strcmp(path, "-");
	int fd = in ? 0 : open(path, O_RDONLY);
	size_t len = 0, cap = 1 << 16;
	struct stat st;
	u8 *buf;

	if (fd < 0)
		vx_die("cannot open %s: %s", path, strerror(errno));
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
		vx_die("%s: is a directory, not a %s", path, what);
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		vx_die("%s: out of memory", path);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			u8 *p = realloc(buf, cap * 2);

			if (!p)
				vx_die("%s: out of memory", path);
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			vx_die("cannot read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!in)
		close(fd);
	*lenp = len;
	return buf;
}

/*
 * Read and parse a vector file; dies with the file's name on any error.
 * Returns the format.
 */
int vc_load(const char *path, int fmt, u32 want, struct vc_vecs *vs)
{
	size_t len;
	u8 *buf = vc_read_all(path, "vector file", &len);

	if (fmt == VC_FMT_AUTO) {
		const char *dot = strrchr(path, '.');

		if (dot && !strcasecmp(dot, ".npz"))
			vx_die("%s: .npz archives are not supported: np.save() one array to a "
			       ".npy file",
			       path);
		fmt = vc_guess_format(path, buf, len);
		if (fmt < 0)
			vx_die("%s: cannot tell the format from the name or the content: give "
			       "--format npy|fvecs|text|json",
			       path);
	}
	if (vc_parse(buf, len, fmt, want, vs))
		vx_die("%s: %s", path, vs->err);
	free(buf);
	return fmt;
}

void vc_json_str(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

u64 vc_parse_id(const char *cmd, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		vc_usage_err(cmd, "invalid vector id '%s'", s);
	v = strtoull(s, &end, 10);
	if (errno || *end)
		vc_usage_err(cmd, "invalid vector id '%s'", s);
	return v;
}

/*
 * What a failed vector or codebook ioctl means, for people. id: the vector
 * id (GET, DETACH), the codebook id (CB_GET; ATTACH: --codebook, 0 = the
 * newest of the vector's dimensions).
 */
const char *vc_ioctl_msg(int err, enum vc_op op, int fd, u64 id)
{
	static char buf[256];
	struct statfs sfs;
	bool write = op == VC_OP_ATTACH || op == VC_OP_DETACH;
	bool cb = op == VC_OP_CB_ADD || op == VC_OP_CB_GET;

	switch (err) {
	case ENOTTY:
		if (fstatfs(fd, &sfs) || sfs.f_type != VEXFS_SUPER_MAGIC)
			return op == VC_OP_STATS || cb ? "not a VexFS filesystem (ENOTTY)" :
			       "not a VexFS file (ENOTTY: it is not on a VexFS filesystem)";
		if (cb)
			return "this vexfs module has no PQ codebook calls (ENOTTY): module older "
			       "than vexctl?";
		return "this vexfs module does not know the call (ENOTTY): module older than "
		       "vexctl?";
	case EINVAL:
		if (op == VC_OP_ATTACH)
			return "the kernel rejected the vector (EINVAL: data type, dimensions, "
			       "size or metadata; sq8, sq4, f16, sparse and pq take f32 vectors "
			       "only, without NaN or infinity for sq and pq; a PQ codebook must "
			       "have the vector's dimensions)";
		if (op == VC_OP_CB_ADD)
			return "the kernel rejected the codebook (EINVAL: not a valid PQ codebook "
			       "blob, or more than 8192 dimensions)";
		return "invalid request (EINVAL)";
	case EOPNOTSUPP:
		if (op == VC_OP_CB_ADD)
			return "operation not supported (EOPNOTSUPP): the filesystem has no vector "
			       "store, or the blob's format version is unknown to this kernel";
		return "operation not supported (EOPNOTSUPP): the filesystem has no vector "
		       "store, or this kernel does not store that data type or compression";
	case EBADF:
		return write ? "file not open for writing (EBADF)" :
			       "file not open for reading (EBADF)";
	case EROFS:
		return "read-only filesystem (EROFS)";
	case ENOSPC:
		if (op == VC_OP_CB_ADD) {
			snprintf(buf, sizeof(buf), "no room for the codebook (ENOSPC): the "
						   "filesystem has the maximum %u codebooks, or no "
						   "run of contiguous free blocks that holds it",
				 VEXFS_CB_MAX);
			return buf;
		}
		snprintf(buf, sizeof(buf), "no space for the vector (ENOSPC): the filesystem is "
					   "full or the file has the maximum %u vectors",
			 VEXFS_VEC_MAX_PER_FILE);
		return buf;
	case EFBIG:
		if (op == VC_OP_CB_ADD)
			return "codebook too large for one journal transaction (EFBIG): train one "
			       "for fewer dimensions, or make the filesystem with a larger journal "
			       "(mkfs.vexfs -J)";
		break;
	case ENOENT:
		if (op == VC_OP_ATTACH && id)
			snprintf(buf, sizeof(buf), "no PQ codebook with id %llu (ENOENT): see "
						   "'vexctl codebooks'",
				 (unsigned long long)id);
		else if (op == VC_OP_ATTACH)
			snprintf(buf, sizeof(buf), "no PQ codebook for vectors of these dimensions "
						   "(ENOENT): install one with 'vexctl train'");
		else if (op == VC_OP_CB_GET)
			snprintf(buf, sizeof(buf), "no codebook with id %llu (ENOENT)",
				 (unsigned long long)id);
		else
			snprintf(buf, sizeof(buf), "no vector with id %llu on this file (ENOENT)",
				 (unsigned long long)id);
		return buf;
	case E2BIG:
		return "the kernel does not understand the request (E2BIG: ioctl structure size "
		       "mismatch between vexctl and vexfs.ko)";
	case EUCLEAN:
		if (cb)
			return "corrupt codebook (run fsck.vexfs)";
		return "corrupt vector record (run fsck.vexfs)";
	case EPERM:
		if (op == VC_OP_CB_ADD)
			return "operation not permitted (EPERM: installing a codebook needs "
			       "CAP_SYS_ADMIN)";
		return "operation not permitted (EPERM: immutable or append-only file)";
	case EIO:
		return "I/O error (EIO: the filesystem may have been shut down)";
	case EFAULT:
		return "bad address (EFAULT)";
	}
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	return buf;
}

/* Open the file a vector call applies to: a regular file. */
int vc_open_file(const char *path, bool rw)
{
	int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0 && errno == EISDIR)
		vx_die("%s: is a directory (vectors belong to regular files)", path);
	if (fd < 0)
		vx_die("cannot open %s%s: %s", path, rw ? " for writing" : "", strerror(errno));
	if (fstat(fd, &st))
		vx_die("cannot stat %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		vx_die("%s: is a directory (vectors belong to regular files)", path);
	if (!S_ISREG(st.st_mode))
		vx_die("%s: not a regular file (vectors belong to regular files)", path);
	return fd;
}

/* Open what a filesystem-wide call applies to: a regular file or a directory. */
static int vc_open_fs(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		vx_die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st))
		vx_die("cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		vx_die("%s: not a regular file or directory", path);
	return fd;
}

/* ---- printing vectors ------------------------------------------------------ */

/* Vector i's values: text separated by blanks (bin: a bit string), or JSON. */
static void vc_print_values(FILE *f, const struct vc_vecs *vs, size_t i, bool json)
{
	const u8 *v = vc_vec(vs, i);
	u32 j;

	if (json)
		fputc('[', f);
	for (j = 0; j < vs->d; j++) {
		double x = vc_get(vs->dtype, v, j);

		if (j && (json || vs->dtype != VEXFS_DT_BIN))
			fputs(json ? ", " : " ", f);
		switch (vs->dtype) {
		case VEXFS_DT_F32:
		case VEXFS_DT_F16:
			fprintf(f, "%.9g", x);
			break;
		default:
			fprintf(f, "%d", (int)x);
			break;
		}
	}
	if (json)
		fputc(']', f);
}

/* ---- commands -------------------------------------------------------------- */

const struct vc_cmd *vc_cur_cmd;

__attribute__((noreturn))
static void vc_cmd_help(const struct vc_cmd *c, int code)
{
	fprintf(code ? stderr : stdout, "Usage: %s %s", vx_prog, c->usage);
	exit(code);
}

/*
 * getopt_long over a command's arguments (argv[0] is the command). Returns
 * the option, -1 at the end; usage errors and --help do not return.
 */
int vc_getopt(int argc, char **argv, const char *shorts, const struct option *longs)
{
	int c = getopt_long(argc, argv, shorts, longs, NULL);

	if (c == 'h')
		vc_cmd_help(vc_cur_cmd, 0);
	if (c == '?') {
		if (optopt)
			vc_usage_err(vc_cur_cmd->name, "%s: unknown option '-%c'",
				     vc_cur_cmd->name, optopt);
		vc_usage_err(vc_cur_cmd->name, "%s: unknown option '%s'", vc_cur_cmd->name,
			     argv[optind - 1]);
	}
	if (c == ':')
		vc_usage_err(vc_cur_cmd->name, "%s: option '%s' needs an argument",
			     vc_cur_cmd->name, argv[optind - 1]);
	return c;
}

void vc_check_args(int have, int want_min, int want_max)
{
	if (have < want_min)
		vc_usage_err(vc_cur_cmd->name, "%s: missing argument", vc_cur_cmd->name);
	if (want_max >= 0 && have > want_max)
		vc_usage_err(vc_cur_cmd->name, "%s: too many arguments", vc_cur_cmd->name);
}

u32 vc_opt_dtype(const char *s)
{
	int dt = vc_dtype_parse(s);

	if (!dt)
		vc_usage_err(vc_cur_cmd->name, "unknown data type '%s' (f32, f16, i8, i16, bin)",
			     s);
	return (u32)dt;
}

int vc_opt_format(const char *s)
{
	int f = vc_format_parse(s);

	if (f < 0)
		vc_usage_err(vc_cur_cmd->name, "unknown format '%s' (npy, fvecs, text, json)", s);
	return f;
}

u32 vc_opt_comp(const char *s)
{
	u32 c;

	for (c = 0; c <= VEXFS_COMP_MAX; c++)
		if (!strcasecmp(s, vc_comp_names[c]))
			return c;
	vc_usage_err(vc_cur_cmd->name, "unknown compression '%s' (none, f16, sq8, sq4, pq, "
		     "sparse)", s);
}

/* A number option in [lo, hi]; name is the option as written, for messages. */
u64 vc_opt_num(const char *name, const char *s, u64 lo, u64 hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || !isdigit((unsigned char)*s) || v < lo || v > hi)
		vc_usage_err(vc_cur_cmd->name, "invalid %s '%s' (%llu..%llu)", name, s,
			     (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

/* vexctl parse PATH [--format F] [--dtype T] [--json] */
static int vc_cmd_parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, fmt = VC_FMT_AUTO;
	bool json = false;
	struct vc_vecs vs;
	u32 want = 0;
	size_t i;

	while ((c = vc_getopt(argc, argv, ":f:t:jh", longs)) != -1) {
		if (c == 'f')
			fmt = vc_opt_format(optarg);
		else if (c == 't')
			want = vc_opt_dtype(optarg);
		else if (c == 'j')
			json = true;
	}
	vc_check_args(argc - optind, 1, 1);
	fmt = vc_load(argv[optind], fmt, want, &vs);
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, argv[optind], SIZE_MAX);
		printf(", \"format\": \"%s\", \"n\": %zu, \"d\": %u, \"dtype\": \"%s\", "
		       "\"bytes_per_vector\": %u, \"vectors\": [",
		       vc_fmt_names[fmt], vs.n, vs.d, vc_dtypes[vs.dtype].name, vs.vbytes);
		for (i = 0; i < vs.n; i++) {
			if (i)
				printf(", ");
			vc_print_values(stdout, &vs, i, true);
		}
		printf("]}\n");
	} else {
		printf("format: %s\nn: %zu\nd: %u\ndtype: %s\nbytes per vector: %u\n",
		       vc_fmt_names[fmt], vs.n, vs.d, vc_dtypes[vs.dtype].name, vs.vbytes);
		for (i = 0; i < vs.n; i++) {
			printf("vector %zu: ", i);
			vc_print_values(stdout, &vs, i, false);
			putchar('\n');
		}
	}
	vc_vecs_free(&vs);
	return 0;
}

/* vexctl attach FILE --vector PATH [...] */
static int vc_cmd_attach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "dtype", required_argument, NULL, 't' },
		{ "model", required_argument, NULL, 'm' },
		{ "model-version", required_argument, NULL, 'M' },
		{ "confidence", required_argument, NULL, 'c' },
		{ "compress", required_argument, NULL, 'z' },
		{ "codebook", required_argument, NULL, 'K' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_vec_user_meta meta;
	const char *vpath = NULL, *file;
	int c, fd, fmt = VC_FMT_AUTO, ret = 0;
	bool json = false;
	struct vc_vecs vs;
	u64 *ids;
	u32 want = 0, comp = VEXFS_COMP_NONE, codebook = 0;
	size_t i, done = 0;

	memset(&meta, 0, sizeof(meta));
	while ((c = vc_getopt(argc, argv, ":v:f:t:m:M:c:z:jh", longs)) != -1) {
		char *end;

		switch (c) {
		case 'v':
			vpath = optarg;
			break;
		case 'f':
			fmt = vc_opt_format(optarg);
			break;
		case 't':
			want = vc_opt_dtype(optarg);
			break;
		case 'm':
			if (strlen(optarg) > sizeof(meta.model))
				vc_usage_err("attach", "model name '%s' is longer than %zu bytes",
					     optarg, sizeof(meta.model));
			memset(meta.model, 0, sizeof(meta.model));
			memcpy(meta.model, optarg, strlen(optarg));
			break;
		case 'M': {
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !isdigit((unsigned char)*optarg) || v > 0xffffffffULL)
				vc_usage_err("attach", "invalid model version '%s' (0..4294967295)",
					     optarg);
			meta.model_version = (u32)v;
			break;
		}
		case 'c': {
			double x;

			errno = 0;
			x = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(x >= 0 && x <= 1))
				vc_usage_err("attach",
					     "invalid confidence '%s' (a number from 0 to 1)",
					     optarg);
			meta.confidence = (u32)llround(x * VEXFS_VEC_CONFIDENCE_MAX);
			break;
		}
		case 'z':
			comp = vc_opt_comp(optarg);
			break;
		case 'K':
			codebook = (u32)vc_opt_num("codebook id", optarg, 1, VEXFS_CB_MAX);
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	if (!vpath)
		vc_usage_err("attach", "attach: --vector PATH is required");
	if (codebook && comp != VEXFS_COMP_PQ)
		vc_usage_err("attach", "attach: --codebook needs --compress pq");
	file = argv[optind];

	vc_load(vpath, fmt, want, &vs);
	if (vs.n > VEXFS_VEC_MAX_PER_FILE)
		vx_die("%s: %zu vectors: a file holds at most %u", vpath, vs.n,
		       VEXFS_VEC_MAX_PER_FILE);
	if (comp != VEXFS_COMP_NONE && vs.dtype != VEXFS_DT_F32)
		vx_die("%s: %s compression takes f32 vectors, these are %s (--dtype f32 "
		       "converts them)",
		       vpath, vc_comp_name(comp), vc_dtypes[vs.dtype].name);
	fd = vc_open_file(file, true);
	ids = vx_zalloc(vs.n * sizeof(*ids));
	for (i = 0; i < vs.n; i++) {
		struct vexfs_ioc_attach a;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.dtype = (u16)vs.dtype;
		a.compression = (u16)comp;
		a.dims = vs.d;
		a.data = (u64)(uintptr_t)vc_vec(&vs, i);
		a.data_len = vs.vbytes;
		a.codebook = codebook;
		a.meta = meta;
		if (ioctl(fd, VEXFS_IOC_VEC_ATTACH, &a)) {
			int err = errno;

			if (vs.n > 1 && (i || err == EINVAL))
				fprintf(stderr, "%s: %s: vector %zu of %zu from %s: %s\n", vx_prog,
					file, i, vs.n, vpath,
					vc_ioctl_msg(err, VC_OP_ATTACH, fd, codebook));
			else
				fprintf(stderr, "%s: %s: %s\n", vx_prog, file,
					vc_ioctl_msg(err, VC_OP_ATTACH, fd, codebook));
			if (done)
				fprintf(stderr, "%s: %s: %zu vector%s attached before the error\n",
					vx_prog, file, done, done == 1 ? " was" : "s were");
			ret = 1;
			break;
		}
		ids[done++] = a.vector_id;
		if (!json) {
			printf("%llu\n", (unsigned long long)a.vector_id);
			fflush(stdout);
		}
	}
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"ids\": [");
		for (i = 0; i < done; i++)
			printf("%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
		printf("]}\n");
	}
	free(ids);
	close(fd);
	vc_vecs_free(&vs);
	return ret;
}

static void vc_iso8601(u64 ns, char *out, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&s, &tm)) {
		snprintf(out, len, "?");
		return;
	}
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%09lluZ", (unsigned long long)(ns % 1000000000ULL));
}

/*
 * The values of a vector as GET returned them. GET without
 * VEXFS_VEC_GET_RAW decodes compressed vectors to dims x dtype; data still
 * in its stored form (a module that does not decode) is decoded here for
 * f16 and sparse compression. Returns 1 if it cannot be (SQ; PQ codes,
 * which need their codebook, are shown by the caller).
 */
static int vc_decode(const struct vexfs_vec_info *in, const u8 *data, u32 len,
		     struct vc_vecs *vs, const char *file)
{
	u32 j;

	memset(vs, 0, sizeof(*vs));
	if (in->dims == 0 || in->dims > VEXFS_VEC_MAX_DIMS || !vc_dtype_ok(in->dtype))
		vx_die("%s: vector %llu: the kernel reported %u dimensions of data type %u",
		       file, (unsigned long long)in->vector_id, in->dims, in->dtype);
	vs->d = in->dims;
	vs->n = 1;
	if (in->compression == VEXFS_COMP_NONE ||
	    len == vc_vec_bytes(in->dtype, in->dims)) {
		vs->dtype = in->dtype;
		vs->vbytes = vc_vec_bytes(in->dtype, in->dims);
		if (len != vs->vbytes)
			vx_die("%s: vector %llu: %u bytes of data for %u dimensions of %s "
			       "(expected %u)",
			       file, (unsigned long long)in->vector_id, len, in->dims,
			       vc_dtypes[in->dtype].name, vs->vbytes);
		vs->data = vx_zalloc(len);
		memcpy(vs->data, data, len);
		return 0;
	}
	if (in->compression != VEXFS_COMP_F16 && in->compression != VEXFS_COMP_SPARSE)
		return 1;
	vs->dtype = VEXFS_DT_F32;
	vs->vbytes = 4 * in->dims;
	vs->data = vx_zalloc(vs->vbytes);
	if (in->compression == VEXFS_COMP_F16) {
		if (len != 2 * in->dims)
			vx_die("%s: vector %llu: %u bytes of f16-compressed data for %u dimensions",
			       file, (unsigned long long)in->vector_id, len, in->dims);
		for (j = 0; j < in->dims; j++)
			vq_put_le32(vs->data + 4 * j, vq_f16_to_f32_bits(vc_get16(data + 2 * j)));
	} else {
		int nnz = vq_sparse_validate(data, len, in->dims);

		if (nnz < 0)
			vx_die("%s: vector %llu: invalid sparse data", file,
			       (unsigned long long)in->vector_id);
		for (j = 0; j < (u32)nnz; j++)
			vq_put_le32(vs->data + 4 * vq_get_le32(data + 4 + 4 * j),
				    vq_get_le32(data + 4 + 4 * (u32)nnz + 4 * j));
	}
	return 0;
}

/* Write vector 0 of vs to path, in the format its extension names. */
static void vc_write_out(const char *path, const struct vc_vecs *vs)
{
	const char *dot = strrchr(path, '.');
	FILE *f;
	u32 j;

	if (!dot || (strcasecmp(dot, ".npy") && strcasecmp(dot, ".fvecs") &&
		     strcasecmp(dot, ".txt") && strcasecmp(dot, ".json")))
		vx_die("%s: cannot tell the output format: use a .npy, .fvecs, .txt or .json name",
		       path);
	f = fopen(path, "wb");
	if (!f)
		vx_die("cannot create %s: %s", path, strerror(errno));
	if (!strcasecmp(dot, ".npy")) {
		char shape[16];

		snprintf(shape, sizeof(shape), "%u,", vs->d);
		vx_npy_header(f, vc_dtypes[vs->dtype].npy, shape);
		if (vs->dtype == VEXFS_DT_BIN)
			for (j = 0; j < vs->d; j++)
				fputc((int)vc_get(vs->dtype, vs->data, j), f);
		else
			fwrite(vs->data, 1, vs->vbytes, f);
	} else if (!strcasecmp(dot, ".fvecs")) {
		u8 b[4];

		vq_put_le32(b, vs->d);
		fwrite(b, 1, 4, f);
		for (j = 0; j < vs->d; j++) {
			vq_put_le32(b, vc_f32_bits((float)vc_get(vs->dtype, vs->data, j)));
			fwrite(b, 1, 4, f);
		}
	} else {
		bool json = !strcasecmp(dot, ".json");

		/* text and JSON files hold numbers, bits included */
		if (!json && vs->dtype == VEXFS_DT_BIN) {
			for (j = 0; j < vs->d; j++)
				fprintf(f, "%s%d", j ? " " : "",
					(int)vc_get(vs->dtype, vs->data, j));
		} else {
			vc_print_values(f, vs, 0, json);
		}
		fputc('\n', f);
	}
	if (ferror(f) | fclose(f))
		vx_die("cannot write %s: %s", path, strerror(errno));
}

/* The codes of a PQ stored form (GET_RAW): "c0 c1 ..." or a JSON array. */
static void vc_print_codes(FILE *f, const u8 *codes, u32 m, bool json)
{
	u32 j;

	if (json)
		fputc('[', f);
	for (j = 0; j < m; j++)
		fprintf(f, "%s%u", j ? (json ? ", " : " ") : "", codes[j]);
	if (json)
		fputc(']', f);
}

/* vexctl get FILE ID [--json] [--out PATH] [--raw] */
static int vc_cmd_get(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file, *out = NULL;
	struct vexfs_ioc_get g;
	struct vexfs_vec_info *in = &g.info;
	char created[48], modified[48], model[sizeof(in->meta.model) + 1];
	struct vc_vecs vs;
	bool json = false, raw = false, pq;
	u32 cap = VEXFS_VEC_MAX_DATA;
	int c, fd, tries, undecoded;
	u8 *buf;
	u64 id;

	while ((c = vc_getopt(argc, argv, ":jo:rh", longs)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'o')
			out = optarg;
		else if (c == 'r')
			raw = true;
	}
	vc_check_args(argc - optind, 2, 2);
	file = argv[optind];
	id = vc_parse_id("get", argv[optind + 1]);
	fd = vc_open_file(file, false);
	buf = vx_zalloc(cap);
	for (tries = 0;; tries++) {
		memset(&g, 0, sizeof(g));
		g.size = sizeof(g);
		g.flags = raw ? VEXFS_VEC_GET_RAW : 0;
		g.vector_id = id;
		g.data = (u64)(uintptr_t)buf;
		g.data_len = cap;
		if (!ioctl(fd, VEXFS_IOC_VEC_GET, &g))
			break;
		if (errno == ERANGE && tries < 4 && g.data_len > cap) {
			cap = g.data_len;	/* it grew: ask again with room for it */
			free(buf);
			buf = vx_zalloc(cap);
			continue;
		}
		vx_die("%s: vector %llu: %s", file, (unsigned long long)id,
		       vc_ioctl_msg(errno, VC_OP_GET, fd, id));
	}
	close(fd);
	if (g.data_len > cap)
		vx_die("%s: vector %llu: the kernel reported %u bytes of data for a %u-byte buffer",
		       file, (unsigned long long)id, g.data_len, cap);
	/* raw PQ: struct vexfs_pq_ref then m codes; decoding needs the codebook */
	pq = raw && in->compression == VEXFS_COMP_PQ;
	if (pq && g.data_len <= sizeof(struct vexfs_pq_ref))
		vx_die("%s: vector %llu: %u bytes of PQ data (at least %zu expected)", file,
		       (unsigned long long)id, g.data_len, sizeof(struct vexfs_pq_ref) + 1);
	undecoded = pq ? 1 : vc_decode(in, buf, g.data_len, &vs, file);
	if (out && undecoded)
		vx_die("%s: vector %llu is stored %s-compressed and cannot be decoded here%s",
		       file, (unsigned long long)id, vc_comp_name(in->compression),
		       raw ? " (without --raw the kernel decodes it)" : "");
	if (out)
		vc_write_out(out, &vs);

	vc_iso8601(in->created_ns, created, sizeof(created));
	vc_iso8601(in->modified_ns, modified, sizeof(modified));
	memcpy(model, in->meta.model, sizeof(in->meta.model));
	model[sizeof(in->meta.model)] = 0;
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"id\": %llu, \"inode\": %llu, \"dtype\": \"%s\", \"compression\": "
		       "\"%s\", \"dims\": %u, \"original_size\": %u, \"stored_size\": %u, ",
		       (unsigned long long)in->vector_id, (unsigned long long)in->file_inode,
		       vc_dtype_name(in->dtype), vc_comp_name(in->compression), in->dims,
		       in->original_size, in->stored_size);
		printf("\"created\": \"%s\", \"created_ns\": %llu, \"modified\": \"%s\", "
		       "\"modified_ns\": %llu, \"checksum\": \"0x%08x\", \"flags\": %u, "
		       "\"model\": ",
		       created, (unsigned long long)in->created_ns, modified,
		       (unsigned long long)in->modified_ns, in->checksum, in->flags);
		vc_json_str(stdout, model, sizeof(in->meta.model));
		printf(", \"model_version\": %u, \"confidence\": %.6f",
		       in->meta.model_version, in->meta.confidence / 1e6);
		if (pq) {
			printf(", \"codebook\": %u, \"blob_crc\": \"0x%08x\", \"codes\": ",
			       vq_get_le32(buf), vq_get_le32(buf + 4));
			vc_print_codes(stdout, buf + 8, g.data_len - 8, true);
		} else if (out) {
			printf(", \"out\": ");
			vc_json_str(stdout, out, SIZE_MAX);
		} else if (!undecoded) {
			printf(", \"values\": ");
			vc_print_values(stdout, &vs, 0, true);
		}
		printf("}\n");
	} else {
		size_t i;

		printf("id:              %llu\n", (unsigned long long)in->vector_id);
		printf("inode:           %llu\n", (unsigned long long)in->file_inode);
		printf("dtype:           %s\n", vc_dtype_name(in->dtype));
		printf("compression:     %s\n", vc_comp_name(in->compression));
		printf("dims:            %u\n", in->dims);
		printf("original size:   %u bytes\n", in->original_size);
		printf("stored size:     %u bytes\n", in->stored_size);
		printf("created:         %s\n", created);
		printf("modified:        %s\n", modified);
		printf("checksum:        0x%08x\n", in->checksum);
		if (in->flags)
			printf("flags:           0x%x\n", in->flags);
		printf("model:           ");
		for (i = 0; model[i]; i++) {
			unsigned char ch = (unsigned char)model[i];

			if (ch >= 0x20 && ch < 0x7f && ch != '\\')
				putchar(ch);
			else
				printf("\\x%02x", ch);
		}
		printf("\nmodel version:   %u\n", in->meta.model_version);
		printf("confidence:      %.6f\n", in->meta.confidence / 1e6);
		if (pq) {
			printf("codebook:        %u (blob crc 0x%08x)\n", vq_get_le32(buf),
			       vq_get_le32(buf + 4));
			printf("codes:           ");
			vc_print_codes(stdout, buf + 8, g.data_len - 8, false);
			putchar('\n');
		} else if (out) {
			printf("written to:      %s\n", out);
		} else if (undecoded) {
			printf("values:          (%s-compressed, %u bytes: not decoded here)\n",
			       vc_comp_name(in->compression), g.data_len);
		} else {
			printf("values:          ");
			vc_print_values(stdout, &vs, 0, false);
			putchar('\n');
		}
	}
	if (!undecoded)
		vc_vecs_free(&vs);
	free(buf);
	return 0;
}

/* vexctl list FILE [--json] */
static int vc_cmd_list(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	u64 *ids = NULL, start = 0, total = 0;
	size_t n = 0, cap = 0, i;
	bool json = false;
	const char *file;
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	file = argv[optind];
	fd = vc_open_file(file, false);
	for (;;) {
		struct vexfs_ioc_list l;

		if (n + VC_LIST_PAGE > cap) {
			cap = cap ? cap * 2 : VC_LIST_PAGE;
			ids = realloc(ids, cap * sizeof(*ids));
			if (!ids)
				vx_die("out of memory");
		}
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.start_id = start;
		l.ids = (u64)(uintptr_t)(ids + n);
		l.capacity = VC_LIST_PAGE;
		if (ioctl(fd, VEXFS_IOC_VEC_LIST, &l))
			vx_die("%s: %s", file, vc_ioctl_msg(errno, VC_OP_LIST, fd, 0));
		if (l.count > VC_LIST_PAGE)
			vx_die("%s: the kernel returned %u ids for room for %u", file, l.count,
			       VC_LIST_PAGE);
		n += l.count;
		if (!start)
			total = l.total;
		if (!l.next_id)
			break;
		if (l.next_id <= start || (n && l.next_id <= ids[n - 1]))
			vx_die("%s: the kernel's list does not advance (next id %llu)", file,
			       (unsigned long long)l.next_id);
		start = l.next_id;
	}
	close(fd);
	if (json) {
		printf("{\"file\": ");
		vc_json_str(stdout, file, SIZE_MAX);
		printf(", \"total\": %llu, \"ids\": [", (unsigned long long)total);
		for (i = 0; i < n; i++)
			printf("%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
		printf("]}\n");
	} else {
		for (i = 0; i < n; i++)
			printf("%llu\n", (unsigned long long)ids[i]);
	}
	free(ids);
	return 0;
}

/* vexctl detach FILE ID... */
static int vc_cmd_detach(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file;
	int i, fd, ret = 0;
	u64 *ids;

	while (vc_getopt(argc, argv, ":h", longs) != -1)
		;
	vc_check_args(argc - optind, 2, -1);
	file = argv[optind];
	ids = vx_zalloc((size_t)argc * sizeof(*ids));
	for (i = optind + 1; i < argc; i++)
		ids[i] = vc_parse_id("detach", argv[i]);
	fd = vc_open_file(file, true);
	for (i = optind + 1; i < argc; i++) {
		struct vexfs_ioc_detach d;

		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.vector_id = ids[i];
		if (ioctl(fd, VEXFS_IOC_VEC_DETACH, &d)) {
			int err = errno;

			fprintf(stderr, "%s: %s: vector %llu: %s\n", vx_prog, file,
				(unsigned long long)ids[i],
				vc_ioctl_msg(err, VC_OP_DETACH, fd, ids[i]));
			ret = 1;
			if (err == ENOTTY || err == EROFS || err == EOPNOTSUPP || err == EIO)
				break;	/* the others would fail the same way */
		}
	}
	close(fd);
	free(ids);
	return ret;
}

/* vexctl stats PATH [--json] */
static int vc_cmd_stats(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_stats s;
	bool json = false;
	const char *path;
	char ratio[32];
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	fd = vc_open_fs(path);
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	if (ioctl(fd, VEXFS_IOC_VEC_STATS, &s))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_STATS, fd, 0));
	close(fd);
	if (s.live_bytes)
		snprintf(ratio, sizeof(ratio), "%.3f",
			 (double)s.alloc_bytes / (double)s.live_bytes);
	else
		snprintf(ratio, sizeof(ratio), json ? "null" : "-");
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"vectors\": %llu, \"files\": %llu, \"live_bytes\": %llu, "
		       "\"alloc_bytes\": %llu, \"chunks\": %llu, \"next_id\": %llu, "
		       "\"max_dims\": %u, \"max_data\": %u, \"block_size\": %u, \"ratio\": %s}\n",
		       (unsigned long long)s.vectors, (unsigned long long)s.files,
		       (unsigned long long)s.live_bytes, (unsigned long long)s.alloc_bytes,
		       (unsigned long long)s.chunks, (unsigned long long)s.next_id,
		       s.max_dims, s.max_data, s.block_size, ratio);
		return 0;
	}
	printf("vectors:          %llu\n", (unsigned long long)s.vectors);
	printf("files:            %llu\n", (unsigned long long)s.files);
	printf("live bytes:       %llu\n", (unsigned long long)s.live_bytes);
	printf("allocated bytes:  %llu\n", (unsigned long long)s.alloc_bytes);
	printf("chunks:           %llu\n", (unsigned long long)s.chunks);
	printf("next id:          %llu\n", (unsigned long long)s.next_id);
	printf("max dims:         %u\n", s.max_dims);
	printf("max data:         %u bytes\n", s.max_data);
	printf("block size:       %u\n", s.block_size);
	printf("allocated/live:   %s\n", ratio);
	return 0;
}

/* ---- PQ codebooks ---------------------------------------------------------- */

/* A PQ codebook blob (Documentation/quantization.rst, "Parameter blobs"). */
struct vc_blob {
	u8 *buf;
	size_t len;
	u32 d, m, crc;		/* set by vc_blob_check() */
};

/*
 * Check a blob as CODEBOOK_ADD will: vq_pq_load() (magic, version, kind, CRC,
 * sizes, m dividing d, every centroid finite), 1..VEXFS_CB_MAX_DIMS
 * dimensions and nothing after it. Returns NULL, or why it is not one.
 */
static const char *vc_blob_check(struct vc_blob *b)
{
	static char why[160];
	const struct vq_blob_hdr *h = (const void *)b->buf;
	struct vq_pq pq;
	float *cent;
	u32 d;
	int err;

	if (b->len < sizeof(*h)) {
		snprintf(why, sizeof(why), "%zu bytes: shorter than a blob header (%zu)", b->len,
			 sizeof(*h));
		return why;
	}
	if (le32_to_cpu(h->magic) != VQ_BLOB_MAGIC)
		return "not a vq parameter blob (bad magic)";
	if (le16_to_cpu(h->kind) != VQ_BLOB_KIND_PQ) {
		snprintf(why, sizeof(why), "a vq blob of kind %u, not a PQ codebook (kind %u)",
			 le16_to_cpu(h->kind), VQ_BLOB_KIND_PQ);
		return why;
	}
	d = le32_to_cpu(h->dim);
	if (!d || d > VEXFS_CB_MAX_DIMS) {
		snprintf(why, sizeof(why), "a codebook of %u dimensions: a filesystem keeps "
					   "codebooks of 1..%u", d, VEXFS_CB_MAX_DIMS);
		return why;
	}
	if (b->len != vq_pq_blob_size(d)) {
		snprintf(why, sizeof(why), "%zu bytes: a PQ codebook of %u dimensions has %zu",
			 b->len, d, vq_pq_blob_size(d));
		return why;
	}
	cent = vx_zalloc(vq_pq_codebook_floats(d) * sizeof(float));
	err = vq_pq_load(&pq, b->buf, b->len, cent, d);
	free(cent);
	if (err == -EOPNOTSUPP) {
		snprintf(why, sizeof(why), "unknown blob format version %u",
			 le16_to_cpu(h->version));
		return why;
	}
	if (err)
		return "corrupt PQ codebook (CRC, sizes, m, or a centroid that is NaN or "
		       "infinite)";
	b->d = d;
	b->m = pq.m;
	b->crc = le32_to_cpu(h->crc);
	return NULL;
}

static void vc_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		vx_die("cannot create %s: %s", path, strerror(errno));
	fwrite(buf, 1, len, f);
	if (ferror(f) | fclose(f))
		vx_die("cannot write %s: %s", path, strerror(errno));
}

/*
 * CODEBOOK_GET of codebook @id (0: only the count). With @blob, the blob
 * too (allocated; its length in g->blob_len). Dies on any error.
 */
void vc_cb_get(int fd, const char *path, u32 id, struct vexfs_ioc_codebook_get *g,
		      u8 **blob)
{
	size_t max = vq_pq_blob_size(VEXFS_CB_MAX_DIMS);
	u32 cap = 0;
	u8 *buf = NULL;
	int tries;

	for (tries = 0;; tries++) {
		memset(g, 0, sizeof(*g));
		g->size = sizeof(*g);
		g->id = id;
		g->blob = (u64)(uintptr_t)buf;
		g->blob_len = cap;
		if (!ioctl(fd, VEXFS_IOC_CODEBOOK_GET, g)) {
			if (!blob || buf)
				break;
		} else if (errno != ERANGE || !blob) {
			if (id)
				vx_die("%s: codebook %u: %s", path, id,
				       vc_ioctl_msg(errno, VC_OP_CB_GET, fd, id));
			vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_GET, fd, id));
		}
		/* the size is known now: ask again with room for it */
		if (!g->blob_len || g->blob_len > max || g->blob_len <= cap || tries == 4)
			vx_die("%s: codebook %u: the kernel reported a blob of %u bytes", path, id,
			       g->blob_len);
		cap = g->blob_len;
		free(buf);
		buf = vx_zalloc(cap);
	}
	if (blob) {
		if (g->blob_len != cap)
			vx_die("%s: codebook %u: the kernel returned %u bytes for a %u-byte blob",
			       path, id, g->blob_len, cap);
		*blob = buf;
	}
}

/* Install a checked blob; returns its id. Dies on any error. */
static u32 vc_cb_add(int fd, const char *path, const struct vc_blob *b)
{
	struct vexfs_ioc_codebook_add a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.blob = (u64)(uintptr_t)b->buf;
	a.blob_len = (u32)b->len;
	if (ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_ADD, fd, 0));
	if (!a.id || a.id > VEXFS_CB_MAX)
		vx_die("%s: the kernel returned codebook id %u", path, a.id);
	return a.id;
}

/*
 * Before training for minutes: is PATH on VexFS, with room for a codebook
 * and the right to add one? An ADD without a blob fails with EPERM before
 * its length is checked (EINVAL), so it tells without storing anything.
 */
static void vc_cb_probe(int fd, const char *path)
{
	struct vexfs_ioc_codebook_get g;
	struct vexfs_ioc_codebook_add a;

	vc_cb_get(fd, path, 0, &g, NULL);
	if (g.count >= VEXFS_CB_MAX)
		vx_die("%s: the filesystem already has the maximum %u codebooks", path,
		       VEXFS_CB_MAX);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	if (ioctl(fd, VEXFS_IOC_CODEBOOK_ADD, &a) && (errno == EPERM || errno == EROFS))
		vx_die("%s: %s", path, vc_ioctl_msg(errno, VC_OP_CB_ADD, fd, 0));
}

static void vc_json_blob(const struct vc_blob *b)
{
	printf("\"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", \"bytes\": %zu", b->d, b->m,
	       b->crc, b->len);
}

static u64 vc_splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int vc_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Default subspaces: the divisor m of d whose sub-vectors (d / m dimensions)
 * are closest to 8 (m = d / 8 when 8 divides d); ties go to the larger m.
 */
static u32 vc_default_m(u32 d)
{
	u32 m, best = d, bestdist = ~0U;

	for (m = d; m >= 1; m--) {
		u32 ds = d / m, dist = ds > 8 ? ds - 8 : 8 - ds;

		if (d % m == 0 && dist < bestdist) {
			bestdist = dist;
			best = m;
		}
	}
	return best;
}

/* vexctl train FS-PATH --vectors FILE [options] */
static int vc_cmd_train(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "vectors", required_argument, NULL, 'v' },
		{ "format", required_argument, NULL, 'f' },
		{ "subspaces", required_argument, NULL, 'm' },
		{ "iters", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "sample", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *vpath = NULL, *out = NULL, *path;
	u64 seed = 1, sample = 65536, rng;
	u32 m = 0, iters = 25, d, j, id = 0;
	int c, fd = -1, fmt = VC_FMT_AUTO, err;
	size_t n, ns, i, *idx, scratch_len;
	struct vq_pq pq;
	struct vc_blob b;
	struct vc_vecs vs;
	bool json = false;
	double mse = 0;
	void *scratch;
	float *x;

	while ((c = vc_getopt(argc, argv, ":v:f:m:o:jh", longs)) != -1) {
		switch (c) {
		case 'v':
			vpath = optarg;
			break;
		case 'f':
			fmt = vc_opt_format(optarg);
			break;
		case 'm':
			m = (u32)vc_opt_num("number of subspaces", optarg, 1, VEXFS_CB_MAX_DIMS);
			break;
		case 'i':
			iters = (u32)vc_opt_num("iteration count", optarg, 0, 10000);
			break;
		case 's':
			seed = vc_opt_num("seed", optarg, 0, VC_U64_MAX);
			break;
		case 'S':
			sample = vc_opt_num("sample size", optarg, VQ_PQ_KSUB, 0x7fffffff);
			break;
		case 'o':
			out = optarg;
			break;
		case 'j':
			json = true;
			break;
		}
	}
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	if (!vpath)
		vc_usage_err("train", "train: --vectors FILE is required");
	if (!strcmp(path, "-") && !out)
		vc_usage_err("train", "train: with FS-PATH '-' nothing is installed: give --out "
			     "BLOB");
	if (strcmp(path, "-")) {
		fd = vc_open_fs(path);
		vc_cb_probe(fd, path);
	}

	vc_load(vpath, fmt, VEXFS_DT_F32, &vs);
	d = vs.d;
	if (d > VEXFS_CB_MAX_DIMS)
		vx_die("%s: %u dimensions: codebooks have at most %u", vpath, d,
		       VEXFS_CB_MAX_DIMS);
	if (!m)
		m = vc_default_m(d);
	else if (vq_pq_check_dims(d, m))
		vc_usage_err("train", "train: %u subspaces do not divide the %u dimensions of %s",
			     m, d, vpath);
	if (vs.n < VQ_PQ_KSUB)
		vx_die("%s: %zu vector%s: PQ training needs at least %u (one per centroid)", vpath,
		       vs.n, vs.n == 1 ? "" : "s", VQ_PQ_KSUB);
	n = vs.n;

	/* a seeded sample of at most --sample vectors, in file order */
	ns = n < sample ? n : (size_t)sample;
	idx = vx_zalloc(n * sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = i;
	rng = seed;
	for (i = 0; ns < n && i < ns; i++) {
		size_t k = i + (size_t)(vc_splitmix64(&rng) % (n - i)), t = idx[i];

		idx[i] = idx[k];
		idx[k] = t;
	}
	qsort(idx, ns, sizeof(*idx), vc_cmp_size);
	x = vx_zalloc(ns * d * sizeof(float));
	for (i = 0; i < ns; i++) {
		const u8 *v = vc_vec(&vs, idx[i]);

		for (j = 0; j < d; j++)
			x[i * d + j] = vc_bits_f32(vq_get_le32(v + 4 * (size_t)j));
	}
	free(idx);
	vc_vecs_free(&vs);

	pq.d = d;
	pq.m = m;
	pq.dsub = d / m;
	pq.cent_t = vx_zalloc(vq_pq_codebook_floats(d) * sizeof(float));
	scratch_len = vq_pq_train_scratch_size(d, m, ns);
	scratch = vx_zalloc(scratch_len);
	err = vq_pq_train(&pq, x, ns, iters, seed, scratch, scratch_len);
	if (err)
		vx_die("%s: PQ training failed: %s", vpath, strerror(-err));
	free(scratch);

	/* mean squared reconstruction error over the sample, 256 vectors at a time */
	{
		u8 *codes = vx_zalloc((size_t)VQ_PQ_KSUB * m);
		float *y = vx_zalloc((size_t)VQ_PQ_KSUB * d * sizeof(float));
		size_t k, cnt;

		for (i = 0; i < ns; i += cnt) {
			cnt = ns - i < VQ_PQ_KSUB ? ns - i : VQ_PQ_KSUB;
			vq_pq_encode(&pq, x + i * d, codes, cnt);
			vq_pq_decode(&pq, codes, y, cnt);
			for (k = 0; k < cnt * d; k++) {
				double e = (double)x[i * d + k] - y[k];

				mse += e * e;
			}
		}
		mse /= (double)ns;
		free(codes);
		free(y);
	}
	free(x);

	b.len = vq_pq_blob_size(d);
	b.buf = vx_zalloc(b.len);
	err = vq_pq_store(&pq, b.buf, b.len);
	if (err < 0 || (size_t)err != b.len)
		vx_die("%s: cannot write the codebook blob: %s", vpath, strerror(-err));
	free(pq.cent_t);
	if (vc_blob_check(&b))
		vx_die("%s: the trained codebook is not valid (%s): are the values too large "
		       "for float32?",
		       vpath, vc_blob_check(&b));
	if (out)
		vc_write_file(out, b.buf, b.len);
	if (fd >= 0) {
		id = vc_cb_add(fd, path, &b);
		close(fd);
	}
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		if (id)
			printf(", \"id\": %u", id);
		else
			printf(", \"id\": null");
		printf(", \"out\": ");
		if (out)
			vc_json_str(stdout, out, SIZE_MAX);
		else
			printf("null");
		printf(", \"vectors\": %zu, \"trained_on\": %zu, \"iters\": %u, \"seed\": %llu, "
		       "\"mse\": %.9g, ",
		       n, ns, iters, (unsigned long long)seed, mse);
		vc_json_blob(&b);
		printf("}\n");
	} else if (id) {
		printf("%u\n", id);
	}
	free(b.buf);
	return 0;
}

/* vexctl codebook add FS-PATH BLOB [--json] */
static int vc_cmd_cb_add(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path, *bpath, *why;
	bool json = false;
	struct vc_blob b;
	int c, fd;
	u32 id;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 2, 2);
	path = argv[optind];
	bpath = argv[optind + 1];
	b.buf = vc_read_all(bpath, "codebook blob", &b.len);
	why = vc_blob_check(&b);
	if (why)
		vx_die("%s: %s", bpath, why);
	fd = vc_open_fs(path);
	id = vc_cb_add(fd, path, &b);
	close(fd);
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"blob\": ");
		vc_json_str(stdout, bpath, SIZE_MAX);
		printf(", \"id\": %u, ", id);
		vc_json_blob(&b);
		printf("}\n");
	} else {
		printf("%u\n", id);
	}
	free(b.buf);
	return 0;
}

/* vexctl codebook get FS-PATH ID [--out BLOB] [--json] */
static int vc_cmd_cb_get(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_codebook_get g;
	const char *path, *out = NULL, *why;
	struct vc_blob b = { 0 };
	bool json = false;
	int c, fd;
	u32 id;

	while ((c = vc_getopt(argc, argv, ":o:jh", longs)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'o')
			out = optarg;
	}
	vc_check_args(argc - optind, 2, 2);
	path = argv[optind];
	id = (u32)vc_opt_num("codebook id", argv[optind + 1], 1, VEXFS_CB_MAX);
	fd = vc_open_fs(path);
	vc_cb_get(fd, path, id, &g, out ? &b.buf : NULL);
	close(fd);
	if (out) {
		b.len = g.blob_len;
		why = vc_blob_check(&b);
		if (why)
			vx_die("%s: codebook %u: the kernel returned a bad blob: %s", path, id,
			       why);
		if (b.d != g.dims || b.m != g.m || b.crc != g.blob_crc)
			vx_die("%s: codebook %u: the blob (%u dims, m %u, crc 0x%08x) does not "
			       "match what the kernel reports (%u, %u, 0x%08x)",
			       path, id, b.d, b.m, b.crc, g.dims, g.m, g.blob_crc);
		vc_write_file(out, b.buf, b.len);
		free(b.buf);
	}
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"id\": %u, \"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", "
		       "\"bytes\": %u, \"out\": ",
		       id, g.dims, g.m, g.blob_crc, g.blob_len);
		if (out)
			vc_json_str(stdout, out, SIZE_MAX);
		else
			printf("null");
		printf("}\n");
		return 0;
	}
	printf("id:              %u\n", id);
	printf("dims:            %u\n", g.dims);
	printf("m:               %u\n", g.m);
	printf("blob crc:        0x%08x\n", g.blob_crc);
	printf("bytes:           %u\n", g.blob_len);
	if (out)
		printf("written to:      %s\n", out);
	return 0;
}

/* vexctl codebooks FS-PATH [--json] (also "codebook list") */
static int vc_cmd_codebooks(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct vexfs_ioc_codebook_get g[VEXFS_CB_MAX + 1];
	const char *path;
	bool json = false;
	u32 n, id;
	int c, fd;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	path = argv[optind];
	fd = vc_open_fs(path);
	vc_cb_get(fd, path, 0, &g[0], NULL);
	n = g[0].count;
	if (n > VEXFS_CB_MAX)
		vx_die("%s: the kernel reported %u codebooks (at most %u exist)", path, n,
		       VEXFS_CB_MAX);
	for (id = 1; id <= n; id++)
		vc_cb_get(fd, path, id, &g[id], NULL);
	close(fd);
	if (json) {
		printf("{\"path\": ");
		vc_json_str(stdout, path, SIZE_MAX);
		printf(", \"count\": %u, \"codebooks\": [", n);
		for (id = 1; id <= n; id++)
			printf("%s{\"id\": %u, \"dims\": %u, \"m\": %u, \"blob_crc\": \"0x%08x\", "
			       "\"bytes\": %u}",
			       id > 1 ? ", " : "", id, g[id].dims, g[id].m, g[id].blob_crc,
			       g[id].blob_len);
		printf("]}\n");
		return 0;
	}
	printf("%-3s %6s %6s  %-10s  %9s\n", "id", "dims", "m", "blob crc", "bytes");
	for (id = 1; id <= n; id++)
		printf("%-3u %6u %6u  0x%08x  %9u\n", id, g[id].dims, g[id].m, g[id].blob_crc,
		       g[id].blob_len);
	return 0;
}

/* vexctl codebook show BLOB [--json]: a blob file, without a filesystem */
static int vc_cmd_cb_show(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bpath, *why;
	bool json = false;
	struct vc_blob b;
	int c;

	while ((c = vc_getopt(argc, argv, ":jh", longs)) != -1)
		if (c == 'j')
			json = true;
	vc_check_args(argc - optind, 1, 1);
	bpath = argv[optind];
	b.buf = vc_read_all(bpath, "codebook blob", &b.len);
	why = vc_blob_check(&b);
	if (why)
		vx_die("%s: %s", bpath, why);
	if (json) {
		printf("{\"blob\": ");
		vc_json_str(stdout, bpath, SIZE_MAX);
		printf(", ");
		vc_json_blob(&b);
		printf(", \"dsub\": %u, \"ksub\": %u}\n", b.d / b.m, VQ_PQ_KSUB);
	} else {
		printf("dims:            %u\n", b.d);
		printf("m:               %u (%u dimensions each, %u centroids)\n", b.m, b.d / b.m,
		       VQ_PQ_KSUB);
		printf("blob crc:        0x%08x\n", b.crc);
		printf("bytes:           %zu\n", b.len);
	}
	free(b.buf);
	return 0;
}

static const struct vc_cmd vc_cb_cmds[] = {
	{ "codebook add", vc_cmd_cb_add,
	  "codebook add FS-PATH BLOB [--json]\n"
	  "Install the PQ codebook in the file BLOB (as written by 'vexctl train --out') on\n"
	  "the VexFS filesystem holding FS-PATH and print its id. Needs CAP_SYS_ADMIN.\n"
	  "Codebooks cannot be removed; a filesystem holds up to 31.\n"
	  "  -j, --json               print {\"path\", \"blob\", \"id\", \"dims\", \"m\", ...}\n" },
	{ "codebook get", vc_cmd_cb_get,
	  "codebook get FS-PATH ID [--out BLOB] [--json]\n"
	  "Show codebook ID of the filesystem holding FS-PATH: dims, m, blob CRC, bytes.\n"
	  "  -o, --out BLOB           also write its blob to BLOB\n"
	  "  -j, --json               one JSON object\n" },
	{ "codebook list", vc_cmd_codebooks,
	  "codebook list FS-PATH [--json]\n"
	  "Same as 'vexctl codebooks FS-PATH'.\n" },
	{ "codebook show", vc_cmd_cb_show,
	  "codebook show BLOB [--json]\n"
	  "Check a codebook blob file as CODEBOOK_ADD would and print its dims, m, CRC and\n"
	  "size, without a filesystem.\n" },
};

/* vexctl codebook add|get|list|show ... */
static int vc_cmd_codebook(int argc, char **argv)
{
	const struct vc_cmd *self = vc_cur_cmd;
	size_t i;

	if (argc < 2)
		vc_usage_err("codebook", "codebook: missing subcommand (add, get, list, show)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		vc_cmd_help(self, 0);
	for (i = 0; i < ARRAY_SIZE(vc_cb_cmds); i++) {
		if (strcmp(argv[1], vc_cb_cmds[i].name + strlen("codebook ")))
			continue;
		vc_cur_cmd = &vc_cb_cmds[i];
		optind = 1;
		return vc_cb_cmds[i].run(argc - 1, argv + 1);
	}
	vc_usage_err("codebook", "codebook: unknown subcommand '%s' (add, get, list, show)",
		     argv[1]);
}

static const struct vc_cmd vc_cmds[] = {
	{ "attach", vc_cmd_attach,
	  "attach FILE --vector PATH [options]\n"
	  "Attach the vector(s) in PATH to FILE (one ATTACH each) and print the new ids.\n"
	  "  -v, --vector PATH        vectors to attach ('-': standard input)\n"
	  "  -f, --format FMT         npy, fvecs, text or json (default: from PATH's\n"
	  "                           extension .npy .fvecs .txt .csv .json, or its content)\n"
	  "  -t, --dtype TYPE         store as f32, f16, i8, i16 or bin (default: the\n"
	  "                           array's type; f32 for fvecs, text and JSON)\n"
	  "  -m, --model NAME         model name (up to 16 bytes)\n"
	  "      --model-version N    model version (0..4294967295)\n"
	  "  -c, --confidence X       confidence from 0 to 1 (stored in millionths)\n"
	  "  -z, --compress C         store compressed: none (default), f16, sq8, sq4,\n"
	  "                           sparse or pq (all but none take f32 vectors)\n"
	  "      --codebook ID        with --compress pq: the codebook (default: the newest\n"
	  "                           one of the vectors' dimensions; see 'vexctl codebooks')\n"
	  "  -j, --json               print {\"file\": ..., \"ids\": [...]}\n"
	  "Inputs: .npy 1-D (d,) is one vector, 2-D (n, d) n vectors (<f4 <f2 |i1 <i2 |b1;\n"
	  "<f8 with --dtype; |u1 as packed bits with --dtype bin); .fvecs: le32 d, d float32,\n"
	  "repeated; text: one vector per line, numbers separated by blanks or commas;\n"
	  "JSON: [x, ...] or [[x, ...], ...]. Limits: 1..65536 dimensions, 32768 bytes each.\n" },
	{ "get", vc_cmd_get,
	  "get FILE ID [--json] [--out PATH] [--raw]\n"
	  "Show vector ID of FILE: its header and its values (compressed vectors decoded by\n"
	  "the kernel; PQ vectors as their centroids).\n"
	  "  -j, --json               one JSON object\n"
	  "  -o, --out PATH           write the vector to PATH (.npy, .fvecs, .txt or .json)\n"
	  "                           instead of printing its values\n"
	  "  -r, --raw                the stored form (GET_RAW): for PQ the codebook id, its\n"
	  "                           blob CRC and the m codes\n" },
	{ "list", vc_cmd_list,
	  "list FILE [--json]\n"
	  "Print the ids of FILE's vectors, one per line.\n"
	  "  -j, --json               print {\"file\": ..., \"total\": N, \"ids\": [...]}\n" },
	{ "detach", vc_cmd_detach,
	  "detach FILE ID...\n"
	  "Remove vectors from FILE.\n" },
	{ "stats", vc_cmd_stats,
	  "stats PATH [--json]\n"
	  "Show the vector store of the VexFS filesystem holding PATH (a file or directory).\n"
	  "  -j, --json               one JSON object\n" },
	{ "parse", vc_cmd_parse,
	  "parse PATH [--format FMT] [--dtype TYPE] [--json]\n"
	  "Dry run: parse and print what would be attached, without a filesystem\n"
	  "(n, d, dtype and the values). Options as for attach.\n" },
	{ "train", vc_cmd_train,
	  "train FS-PATH --vectors FILE [options]\n"
	  "Train a PQ codebook on the vectors in FILE (n x d, n >= 256, d <= 8192; read as\n"
	  "f32), install it on the VexFS filesystem holding FS-PATH (CODEBOOK_ADD, needs\n"
	  "CAP_SYS_ADMIN) and print its id. FS-PATH '-': install nothing (needs --out).\n"
	  "  -v, --vectors FILE       training vectors ('-': standard input)\n"
	  "  -f, --format FMT         npy, fvecs, text or json (default: as for attach)\n"
	  "  -m, --subspaces M        subspaces = code bytes per vector; must divide d\n"
	  "                           (default: sub-vectors of about 8 dimensions, d/8)\n"
	  "      --iters N            k-means iterations after k-means++ (default 25)\n"
	  "      --seed S             random seed (default 1): the same input, options and\n"
	  "                           seed give the same codebook, byte for byte\n"
	  "      --sample N           train on a seeded sample of at most N vectors\n"
	  "                           (default 65536, at least 256)\n"
	  "  -o, --out BLOB           also write the codebook blob to BLOB\n"
	  "  -j, --json               print {\"id\", \"dims\", \"m\", \"blob_crc\", \"mse\", ...}\n"
	  "Training runs here, not in the kernel: O(iters x n x 256 x d) operations.\n" },
	{ "search", vc_cmd_search, vc_search_usage },
	{ "codebooks", vc_cmd_codebooks,
	  "codebooks FS-PATH [--json]\n"
	  "List the PQ codebooks of the VexFS filesystem holding FS-PATH: id, dims, m\n"
	  "(code bytes per vector), blob CRC and size.\n"
	  "  -j, --json               print {\"path\", \"count\", \"codebooks\": [...]}\n" },
	{ "codebook", vc_cmd_codebook,
	  "codebook add|get|list|show ...\n"
	  "  codebook add FS-PATH BLOB        install a codebook blob, print its id\n"
	  "  codebook get FS-PATH ID [--out BLOB]\n"
	  "                                   show a codebook, optionally save its blob\n"
	  "  codebook list FS-PATH            same as 'vexctl codebooks'\n"
	  "  codebook show BLOB               check a blob file (no filesystem)\n"
	  "'vexctl codebook SUBCOMMAND --help' for the options.\n" },
};

__attribute__((noreturn))
static void vc_help(int code)
{
	FILE *f = code ? stderr : stdout;

	fprintf(f,
		"Usage: vexctl COMMAND [ARGS] [OPTIONS]\n"
		"Manage the vectors attached to files of a VexFS filesystem and its PQ codebooks.\n"
		"\n"
		"Commands:\n"
		"  attach FILE --vector PATH   attach the vector(s) in PATH to FILE and print\n"
		"                              their ids\n"
		"  get FILE ID                 show a vector's header and values\n"
		"  list FILE                   ids of FILE's vectors\n"
		"  detach FILE ID...           remove vectors from FILE\n"
		"  stats PATH                  the filesystem's vector store\n"
		"  parse PATH                  dry run: parse and print what would be attached,\n"
		"                              without a filesystem\n"
		"  train FS-PATH --vectors F   train a PQ codebook on F and install it\n"
		"  search PATH --vector Q      exact k nearest neighbours of Q among the stored\n"
		"                              vectors (of a file, or the whole filesystem)\n"
		"  codebooks FS-PATH           the filesystem's PQ codebooks\n"
		"  codebook add|get|list|show  install, fetch, list a codebook; check a blob\n"
		"\n"
		"  -h, --help                  this help ('vexctl COMMAND --help': a command's)\n"
		"  -V, --version               print the version\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
	exit(code);
}

int main(int argc, char **argv)
{
	const char *name;
	size_t i;

	vx_prog = "vexctl";
	vq_select_impl(vq_cpu_features());
	if (argc < 2)
		vc_help(VC_EXIT_USAGE);
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		vc_help(0);
	if (!strcmp(name, "-V") || !strcmp(name, "--version")) {
		printf("vexctl (VexFS format %d)\n", VEXFS_FORMAT_VERSION);
		return 0;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3)
			vc_help(0);
		name = argv[2];
		for (i = 0; argc > 3 && i < ARRAY_SIZE(vc_cb_cmds); i++)
			if (!strcmp(name, "codebook") &&
			    !strcmp(argv[3], vc_cb_cmds[i].name + strlen("codebook ")))
				vc_cmd_help(&vc_cb_cmds[i], 0);
		for (i = 0; i < ARRAY_SIZE(vc_cmds); i++)
			if (!strcmp(name, vc_cmds[i].name))
				vc_cmd_help(&vc_cmds[i], 0);
		vc_usage_err(NULL, "unknown command '%s'", name);
	}
	for (i = 0; i < ARRAY_SIZE(vc_cmds); i++) {
		if (strcmp(name, vc_cmds[i].name))
			continue;
		vc_cur_cmd = &vc_cmds[i];
		optind = 1;
		return vc_cmds[i].run(argc - 1, argv + 1);
	}
	if (name[0] == '-')
		vc_usage_err(NULL, "unknown option '%s'", name);
	vc_usage_err(NULL, "unknown command '%s'", name);
}
