/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vecio.h - vector files, for vexctl, the benchmarks and the tests: read
 * NumPy .npy (versions 1 to 3), .fvecs, text and JSON into a set of vectors
 * of one VexFS data type (VEXFS_DT_*), every value checked and converted;
 * write one vector as .npy, .fvecs, text or JSON; the data types' names and
 * sizes, and the conversion of values to elements (float16 rounded once).
 * vecio.c holds all but the text and JSON parsers (vecio_text.c).
 */
#ifndef _VEXFS_TOOLS_VECIO_H
#define _VEXFS_TOOLS_VECIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "vexfs/compat.h"

enum vc_format {
	VC_FMT_AUTO = 0,
	VC_FMT_NPY,
	VC_FMT_FVECS,
	VC_FMT_TEXT,
	VC_FMT_JSON,
};

/* A set of parsed vectors. */
struct vc_vecs {
	size_t n;		/* vectors */
	u32 d;			/* dimensions of each (0 until known) */
	u32 dtype;		/* VEXFS_DT_* */
	u32 vbytes;		/* bytes of one vector */
	u8 *data;		/* n * vbytes */
	size_t cap;		/* vectors allocated */
	char err[384];		/* why parsing failed */
};

/* ---- data types and formats ------------------------------------------------ */

bool vc_dtype_ok(u32 dt);
/* "f32", "f16", "i8", "i16", "bin"; "unknown(N)" for others. */
const char *vc_dtype_name(u32 dt);
/* The .npy descr of a data type's elements ("<f4", ...; bin: "|b1", one per bit). */
const char *vc_dtype_npy(u32 dt);
/* A data type's name (f32 or float32, ..., bin or binary; any case); 0 if none. */
int vc_dtype_parse(const char *s);
/* Bytes of d elements of type dt (bin: bit-packed). */
u32 vc_vec_bytes(u32 dt, u32 d);
/* "auto", "npy", "fvecs", "text", "json". */
const char *vc_format_name(int fmt);
/* A format's name (or "txt"); -1 if none. */
int vc_format_parse(const char *s);
/* The format from the name, else from the content; -1 if neither tells. */
int vc_guess_format(const char *path, const u8 *buf, size_t len);

/* ---- a set of vectors ------------------------------------------------------ */

static inline u8 *vc_vec(const struct vc_vecs *vs, size_t i)
{
	return vs->data + i * vs->vbytes;
}

void vc_vecs_free(struct vc_vecs *vs);

/* ---- element conversion ---------------------------------------------------- */

static inline u32 vc_f32_bits(float f)
{
	u32 b;

	memcpy(&b, &f, 4);
	return b;
}

static inline float vc_bits_f32(u32 b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static inline void vc_put16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline u16 vc_get16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

/* binary64 -> binary16, rounded to nearest even once; false if infinite. */
bool vc_f64_to_f16(double x, u16 *out);
/*
 * Convert one value to an element of type dt (bits of a float, the integer,
 * or the bit). On failure writes the reason to why and returns -1.
 */
int vc_conv(u32 dt, double x, u32 *out, char *why, size_t len);
/* Store element j of a vector (little-endian; bin: bit j % 8 of byte j / 8). */
void vc_put(u32 dt, u8 *vec, u32 j, u32 v);
/* Element j of a vector as a double (exact for every type). */
double vc_get(u32 dt, const u8 *vec, u32 j);

/* ---- reading --------------------------------------------------------------- */

/* Parse buf in format fmt (not AUTO) into vs; want: the data type or 0. */
int vc_parse(const u8 *buf, size_t len, int fmt, u32 want, struct vc_vecs *vs);
/* Read a whole file ("-": standard input; dies on errors); what: "vector file", ... */
u8 *vc_read_all(const char *path, const char *what, size_t *lenp);
/*
 * Read and parse a vector file; dies with the file's name on any error.
 * Returns the format.
 */
int vc_load(const char *path, int fmt, u32 want, struct vc_vecs *vs);

/* ---- writing --------------------------------------------------------------- */

/* Vector i's values: text separated by blanks (bin: a bit string), or JSON. */
void vc_print_values(FILE *f, const struct vc_vecs *vs, size_t i, bool json);
/* Write vector 0 of vs to path, in the format its extension names (dies on errors). */
void vc_write_out(const char *path, const struct vc_vecs *vs);

/* ---- between vecio.c and vecio_text.c -------------------------------------- */

/* Set vs->err; returns -1. */
__attribute__((format(printf, 2, 3)))
int vc_err(struct vc_vecs *vs, const char *fmt, ...);
/* Fix the dimension count, checking the record limits; where prefixes errors. */
int vc_set_dims(struct vc_vecs *vs, u64 d, const char *where);
/* Room for n vectors in total, zeroed. */
int vc_reserve(struct vc_vecs *vs, size_t n);
/* The text and JSON parsers of vc_parse(): vs zeroed, want the data type or 0. */
int vc_parse_text(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs);
int vc_parse_json(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs);

#endif
