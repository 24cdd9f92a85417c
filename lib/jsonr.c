#include "config.h"

#include <string.h>

#include "hex.h"
#include "jsonp.h"
#include "jsonr.h"
#include "utf8.h"

/*
 * Everything below walks text that jsonp_validate() has accepted, so it
 * only steps over what the scan proved is there; it still never reads
 * past a value's end.
 */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

/* p at a string's opening quote: past its closing one. */
static const char *
string_end(const char *p, const char *end)
{
	const char *q, *b;

	for (p++; p < end; p = q + 1) {
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			break;
		/* Escaped by an odd run of backslashes (all inside). */
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q + 1;
	}
	return end;
}

/* The bytes a number is written with. */
static const unsigned char jsonr_num[256] = {
	['+'] = 1, ['-'] = 1, ['.'] = 1, ['e'] = 1, ['E'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

/* The bytes value_end() stops at inside an array or object. */
static const unsigned char jsonr_stop[256] = {
	['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

/* p at a value's first byte: past its last. */
static const char *
value_end(const char *p, const char *end)
{
	int	 depth = 0;

	switch (*p) {
	case '"':
		return string_end(p, end);
	case 't':
	case 'n':
		return p + 4 <= end ? p + 4 : end;
	case 'f':
		return p + 5 <= end ? p + 5 : end;
	case '[':
	case '{':
		break;
	default:
		while (p < end && jsonr_num[(unsigned char)*p])
			p++;
		return p;
	}
	while (p < end) {
		while (p < end && !jsonr_stop[(unsigned char)*p])
			p++;
		if (p >= end)
			break;
		switch (*p) {
		case '"':
			p = string_end(p, end);
			continue;
		case '[':
		case '{':
			depth++;
			break;
		default:
			if (--depth == 0)
				return p + 1;
			break;
		}
		p++;
	}
	return end;
}

/*
 * The next character of a string's contents at *pp (before stop) as
 * UTF-8 into out; its length (1..4).  Escapes are decoded, surrogate
 * pairs joined.
 */
static size_t
str_char(const char **pp, const char *stop, char out[UTF8_SEQ_MAX])
{
	const unsigned char *p = (const unsigned char *)*pp;
	unsigned long cp;
	size_t	 n;

	if (*p != '\\') {
		n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		if (n > (size_t)(stop - *pp))
			n = (size_t)(stop - *pp);
		memcpy(out, p, n);
		*pp += n;
		return n;
	}
	if (stop - *pp < 2) {
		*pp = stop;
		return 0;
	}
	*pp += 2;
	switch (p[1]) {
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: out[0] = (char)p[1]; return 1;	/* " \ / */
	}
	if (stop - *pp < 4) {
		*pp = stop;
		return 0;
	}
	cp = (unsigned long)hex_quad(*pp);	/* the scan checked them */
	*pp += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && stop - *pp >= 6) {
		cp = 0x10000 + ((cp - 0xd800) << 10) +
		    ((unsigned long)hex_quad(*pp + 2) - 0xdc00);
		*pp += 6;
	}
	return utf8_encode((uint32_t)cp, out);
}

/* Whether the string from q (at its quote) to stop (past it) is name. */
static bool
name_eq(const char *q, const char *stop, const char *name)
{
	char	 c[UTF8_SEQ_MAX];
	size_t	 n;

	q++;
	stop--;
	/* Most names differ at once (an escape may still match). */
	if (q < stop && *q != *name && *q != '\\')
		return false;
	if (memchr(q, '\\', (size_t)(stop - q)) == NULL)
		return strncmp(name, q, (size_t)(stop - q)) == 0 &&
		    name[stop - q] == '\0';
	while (q < stop) {
		/* c holds no NUL (no \u0000), so a short name differs. */
		if ((n = str_char(&q, stop, c)) == 0 ||
		    strncmp(name, c, n) != 0)
			return false;
		name += n;
	}
	return *name == '\0';
}

enum err
jsonr_open(const char *s, size_t len, int max_depth, struct jsonr *root)
{
	const char *p, *end = s + len;
	enum err e;

	root->p = NULL;
	root->len = 0;
	if ((e = jsonp_validate(s, len, max_depth)) != ERR_OK)
		return e;
	p = skip_ws(s, end);
	root->p = p;
	root->len = (size_t)(value_end(p, end) - p);
	return ERR_OK;
}

enum jsonr_type
jsonr_type(const struct jsonr *v)
{
	switch (v->len > 0 ? *v->p : 'n') {
	case 'n': return JSONR_NULL;
	case 'f': return JSONR_FALSE;
	case 't': return JSONR_TRUE;
	case '"': return JSONR_STRING;
	case '[': return JSONR_ARRAY;
	case '{': return JSONR_OBJECT;
	default: return JSONR_NUMBER;
	}
}

enum err
jsonr_members(const struct jsonr *v, const char *const *names, size_t n,
    struct jsonr *out)
{
	const char *p = v->p, *end = v->p + v->len, *key, *kend, *val;
	bool	 object = jsonr_type(v) == JSONR_OBJECT;
	size_t	 i;

	/* v may be one of out[]: read it first. */
	for (i = 0; i < n; i++) {
		out[i].p = NULL;
		out[i].len = 0;
	}
	if (!object)
		return ERR_INPUT;
	for (p = skip_ws(p + 1, end); p < end && *p == '"';) {
		key = p;
		kend = p = string_end(p, end);
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return ERR_INPUT;
		val = p = skip_ws(p + 1, end);
		if (p >= end)
			return ERR_INPUT;
		p = value_end(p, end);
		for (i = 0; i < n; i++)
			if (name_eq(key, kend, names[i])) {
				if (out[i].p != NULL)
					return ERR_INPUT;
				out[i].p = val;
				out[i].len = (size_t)(p - val);
			}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return ERR_OK;
}

enum err
jsonr_member(const struct jsonr *v, const char *name, struct jsonr *out)
{
	enum err e;

	if ((e = jsonr_members(v, &name, 1, out)) != ERR_OK)
		return e;
	return out->p != NULL ? ERR_OK : ERR_NOTFOUND;
}

enum err
jsonr_elements(const struct jsonr *v, struct jsonr_iter *it)
{
	if (jsonr_type(v) != JSONR_ARRAY)
		return ERR_INPUT;
	it->end = v->p + v->len;
	it->p = skip_ws(v->p + 1, it->end);
	return ERR_OK;
}

bool
jsonr_next(struct jsonr_iter *it, struct jsonr *out)
{
	const char *e;

	if (it->p >= it->end || *it->p == ']')
		return false;
	e = value_end(it->p, it->end);
	out->p = it->p;
	out->len = (size_t)(e - it->p);
	e = skip_ws(e, it->end);
	if (e < it->end && *e == ',')
		e = skip_ws(e + 1, it->end);
	it->p = e;
	return true;
}

enum err
jsonr_string(const struct jsonr *v, struct buf *out)
{
	const char *p, *stop, *bs;
	char	 c[UTF8_SEQ_MAX];
	size_t	 n;

	if (jsonr_type(v) != JSONR_STRING || v->len < 2)
		return ERR_INPUT;
	p = v->p + 1;
	stop = v->p + v->len - 1;
	if (buf_reserve(out, (size_t)(stop - p)) != ERR_OK)
		return out->err;
	while (p < stop) {
		/* Runs without an escape as they are, then one escape. */
		bs = memchr(p, '\\', (size_t)(stop - p));
		if (bs == NULL)
			bs = stop;
		(void)buf_add(out, p, (size_t)(bs - p));
		p = bs;
		if (p < stop && (n = str_char(&p, stop, c)) > 0)
			(void)buf_add(out, c, n);
	}
	return out->err;
}

enum err
jsonr_bool(const struct jsonr *v, bool *out)
{
	switch (jsonr_type(v)) {
	case JSONR_TRUE:
		*out = true;
		return ERR_OK;
	case JSONR_FALSE:
		*out = false;
		return ERR_OK;
	default:
		return ERR_INPUT;
	}
}

/* A number with a fraction or an exponent: integral, below 2^53. */
static enum err
jsonr_real(const struct jsonr *v, int64_t *out)
{
	double	 d;
	enum err e;

	if ((e = jsonp_number_text(v->p, v->len, &d)) != ERR_OK)
		return e;
	return jsonp_double_int64(d, out);
}

enum err
jsonr_int64(const struct jsonr *v, int64_t *out)
{
	const char *p = v->p, *end = v->p + v->len;
	uint64_t u = 0, lim;
	bool	 neg;

	if (jsonr_type(v) != JSONR_NUMBER)
		return ERR_INPUT;
	if (memchr(p, '.', v->len) != NULL || memchr(p, 'e', v->len) !=
	    NULL || memchr(p, 'E', v->len) != NULL)
		return jsonr_real(v, out);
	if ((neg = *p == '-'))
		p++;
	/* json-c saturates at the ends, so neither end value is taken. */
	lim = neg ? (uint64_t)INT64_MAX : (uint64_t)INT64_MAX - 1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || u > (lim - (uint64_t)(*p - '0')) /
		    10)
			return ERR_INPUT;
		u = u * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? -(int64_t)u : (int64_t)u;
	return ERR_OK;
}
