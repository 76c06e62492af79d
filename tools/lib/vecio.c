// SPDX-License-Identifier: GPL-2.0
/*
 * vecio.c - vector files (vecio.h). Vectors are read from NumPy .npy files
 * (format versions 1 to 3), .fvecs files (le32 d then d float32, repeated),
 * text (one vector per line, numbers separated by blanks or commas) or JSON
 * (an array of numbers, or an array of such arrays), every value checked
 * and converted to the elements of one VexFS data type; one vector is
 * written back as .npy, .fvecs, text or JSON. The parsers take a buffer and
 * its length and never touch a filesystem; "vexctl parse" runs them alone,
 * as a dry run of attach. This file has the binary formats; the text and
 * JSON parsers are in vecio_text.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "vexfs/vexfs_fs.h"
#include "vexfs/vq.h"
#include "util.h"
#include "vecio.h"

#define VC_U64_MAX	(~(u64)0)

/* ---- data types ------------------------------------------------------------ */

struct vc_dtype {
	const char *name;
	const char *npy;	/* descr written by vc_write_out() (get --out) */
	u32 bits;		/* per element */
};

static const struct vc_dtype vc_dtypes[VEXFS_DT_MAX + 1] = {
	[VEXFS_DT_F32] = { "f32", "<f4", 32 },
	[VEXFS_DT_F16] = { "f16", "<f2", 16 },
	[VEXFS_DT_I8] = { "i8", "|i1", 8 },
	[VEXFS_DT_I16] = { "i16", "<i2", 16 },
	[VEXFS_DT_BIN] = { "bin", "|b1", 1 },
};

bool vc_dtype_ok(u32 dt)
{
	return dt >= 1 && dt <= VEXFS_DT_MAX;
}

const char *vc_dtype_npy(u32 dt)
{
	return vc_dtype_ok(dt) ? vc_dtypes[dt].npy : NULL;
}

const char *vc_dtype_name(u32 dt)
{
	static char buf[24];

	if (vc_dtype_ok(dt))
		return vc_dtypes[dt].name;
	snprintf(buf, sizeof(buf), "unknown(%u)", dt);
	return buf;
}

/* Bytes of d elements of type dt (bin: bit-packed). */
u32 vc_vec_bytes(u32 dt, u32 d)
{
	return (u32)(((u64)d * vc_dtypes[dt].bits + 7) / 8);
}

int vc_dtype_parse(const char *s)
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

const char *vc_format_name(int fmt)
{
	if (fmt < VC_FMT_AUTO || fmt > VC_FMT_JSON)
		return "unknown";
	return vc_fmt_names[fmt];
}

int vc_format_parse(const char *s)
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

/* struct vc_vecs, vc_vec(): vecio.h */

int vc_err(struct vc_vecs *vs, const char *fmt, ...)
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
int vc_set_dims(struct vc_vecs *vs, u64 d, const char *where)
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
int vc_reserve(struct vc_vecs *vs, size_t n)
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

/* ---- element conversion ---------------------------------------------------- */

/*
 * binary64 -> binary16, rounded to nearest even once: round to odd into
 * binary32 (13 spare bits, so no second rounding can go wrong), then the
 * core's encoder. Returns false if the result is infinite.
 */
bool vc_f64_to_f16(double x, u16 *out)
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
int vc_conv(u32 dt, double x, u32 *out, char *why, size_t len)
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

/* Store element j of a vector (little-endian; bin: bit j % 8 of byte j / 8). */
void vc_put(u32 dt, u8 *vec, u32 j, u32 v)
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
double vc_get(u32 dt, const u8 *vec, u32 j)
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

/* Parse buf in format fmt (not AUTO) into vs; want: --dtype or 0. */
int vc_parse(const u8 *buf, size_t len, int fmt, u32 want, struct vc_vecs *vs)
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
int vc_guess_format(const char *path, const u8 *buf, size_t len)
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

/* ---- reading a file -------------------------------------------------------- */

/* Read a whole file ("-": standard input); what: "vector file", ... */
u8 *vc_read_all(const char *path, const char *what, size_t *lenp)
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

/* ---- printing and writing vectors ------------------------------------------ */

/* Vector i's values: text separated by blanks (bin: a bit string), or JSON. */
void vc_print_values(FILE *f, const struct vc_vecs *vs, size_t i, bool json)
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

/* Write vector 0 of vs to path, in the format its extension names. */
void vc_write_out(const char *path, const struct vc_vecs *vs)
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
