// SPDX-License-Identifier: GPL-2.0
/*
 * vecio_text.c - the text inputs of vecio.h: text (one vector per line,
 * numbers separated by blanks and/or one comma, '#' comments) and JSON (an
 * array of numbers, or an array of such arrays). Errors name the line and
 * column; every number is checked and converted as it is read.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "vexfs/vexfs_fs.h"
#include "vecio.h"

#define VC_NUM_MAX	400	/* longest number token accepted */

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
int vc_parse_text(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
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
int vc_parse_json(const u8 *buf, size_t len, u32 want, struct vc_vecs *vs)
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
