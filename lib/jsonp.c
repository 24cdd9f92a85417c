#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "jsonp.h"
#include "utf8.h"

#define JSONP_COUNTS_MIN 64	/* first allocation of scan.counts */

/*
 * The validating scan.  counts[] receives the member count of every
 * object in the order their '{' appear; after json-c has built its
 * tree, a pre-order walk compares those counts with json-c's object
 * lengths.  json-c keeps one member per name, so any duplicate name
 * makes the first object that holds one come out shorter.
 */
struct scan {
	const unsigned char	*p;
	const unsigned char	*end;
	int			 depth;
	int			 max_depth;
	size_t			*counts;
	size_t			 ncounts;
	size_t			 capcounts;
	bool			 tree;	/* jsonp_parse: counts, json-c checks */
	bool			 astral_d8; /* see jsonp_astral_fix() */
	enum err		 err;	/* ERR_NOMEM overrides ERR_INPUT */
};

/*
 * json-c 0.16 decodes an escaped surrogate pair to U+FFFD when the low 16
 * bits of its code point look like a surrogate: U+xD800 .. U+xDFFF in
 * every plane above the first (U+1D800 .. U+1DFFF is Sutton SignWriting),
 * the pairs whose high half ends in 0x36 or 0x37 (\ud836, \ud877, ...
 * \udbf7).  The scan notes such pairs; jsonp_parse() then hands json-c a
 * copy where they are written as UTF-8.
 */
#define JSONP_ASTRAL_BAD(hi)	((hi) >= 0xd800 && (hi) <= 0xdbff && \
				    ((hi) & 0x3e) == 0x36)

static bool	scan_value(struct scan *);

static void
scan_ws(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
	    *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static bool
scan_literal(struct scan *sc, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, lit, n) != 0)
		return false;
	sc->p += n;
	return true;
}

static bool
scan_digits(struct scan *sc)
{
	const unsigned char *start = sc->p;

	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > start;
}

enum err
jsonp_number_text(const char *p, size_t n, double *out)
{
	char	 small[64], *copy = small;

	if (n >= sizeof(small) && (copy = malloc(n + 1)) == NULL)
		return ERR_NOMEM;
	memcpy(copy, p, n);
	copy[n] = '\0';
	*out = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return ERR_OK;
}

/*
 * Whether the number at p..end (a fraction or an exponent in it) is a
 * finite double, as json-c would read it.  jsonp_parse() leaves that to
 * its walk of json-c's tree.
 */
static bool
scan_finite(struct scan *sc, const unsigned char *p, const unsigned char *end)
{
	double	 d;

	if (jsonp_number_text((const char *)p, (size_t)(end - p), &d) !=
	    ERR_OK) {
		sc->err = ERR_NOMEM;
		return false;
	}
	return isfinite(d);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number(struct scan *sc)
{
	const unsigned char *start = sc->p;
	bool	 real = false;

	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p >= sc->end)
		return false;
	if (*sc->p == '0')
		sc->p++;
	else if (!scan_digits(sc))
		return false;
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		real = true;
		if (!scan_digits(sc))
			return false;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		real = true;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (!scan_digits(sc))
			return false;
	}
	/* "01" or "1x": the number must end at a delimiter. */
	if (sc->p < sc->end && ((*sc->p >= '0' && *sc->p <= '9') ||
	    (*sc->p >= 'a' && *sc->p <= 'z') ||
	    (*sc->p >= 'A' && *sc->p <= 'Z') || *sc->p == '.'))
		return false;
	return !real || sc->tree || scan_finite(sc, start, sc->p);
}

/* Four hex digits after "\u"; -1 if malformed. */
static long
scan_u4(struct scan *sc)
{
	long	 v;

	if (sc->end - sc->p < 4 || (v = hex_quad((const char *)sc->p)) < 0)
		return -1;
	sc->p += 4;
	return v;
}

static bool
scan_escape(struct scan *sc)
{
	long u, lo;

	if (sc->p >= sc->end)
		return false;
	switch (*sc->p++) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return true;
	case 'u':
		break;
	default:
		return false;
	}
	if ((u = scan_u4(sc)) <= 0)	/* malformed or \u0000 */
		return false;
	if (u >= 0xdc00 && u <= 0xdfff)
		return false;		/* lone low surrogate */
	if (u < 0xd800 || u > 0xdbff)
		return true;
	/* A high surrogate must be followed by an escaped low one. */
	if (sc->end - sc->p < 2 || sc->p[0] != '\\' || sc->p[1] != 'u')
		return false;
	sc->p += 2;
	lo = scan_u4(sc);
	if (JSONP_ASTRAL_BAD(u))
		sc->astral_d8 = true;
	return lo >= 0xdc00 && lo <= 0xdfff;
}

/*
 * 1 for the bytes a string holds as they are: 0x20..0x7f but '"' and
 * '\\'.  Control bytes, escapes, the closing quote and the first byte
 * of a multibyte sequence take the slow path in scan_string().
 */
static const unsigned char scan_plain[256] = {
	/* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x20 */ 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	/* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80 .. 0xff: 0 */
};

static bool
scan_string(struct scan *sc)
{
	const unsigned char	*p = sc->p + 1, *end = sc->end;
	uint32_t		 cp;
	size_t			 n;

	for (;;) {
		/*
		 * Locals: a store through sc->p could alias the bytes.  Four
		 * at a time while all four are plain, then one by one.
		 */
		while (end - p >= 4 && (scan_plain[p[0]] & scan_plain[p[1]] &
		    scan_plain[p[2]] & scan_plain[p[3]]))
			p += 4;
		while (p < end && scan_plain[*p])
			p++;
		sc->p = p;
		if (p >= end)
			return false;
		if (*sc->p == '"') {
			sc->p++;
			return true;
		}
		if (*sc->p == '\\') {
			sc->p++;
			if (!scan_escape(sc))
				return false;
		} else if (*sc->p < 0x20)
			return false;
		else if ((n = utf8_decode(sc->p, (size_t)(sc->end - sc->p),
		    &cp)) == 0)
			return false;
		else
			sc->p += n;
		p = sc->p;
	}
}

/* Reserve the next slot of counts[], returning its index. */
static bool
scan_count_push(struct scan *sc, size_t *idx)
{
	size_t	 cap;
	size_t	*p;

	if (sc->ncounts == sc->capcounts) {
		cap = sc->capcounts ? sc->capcounts * 2 : JSONP_COUNTS_MIN;
		if (cap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(sc->counts, cap * sizeof(*p))) == NULL) {
			sc->err = ERR_NOMEM;
			return false;
		}
		sc->counts = p;
		sc->capcounts = cap;
	}
	*idx = sc->ncounts;
	sc->counts[sc->ncounts++] = 0;
	return true;
}

static bool
scan_object(struct scan *sc)
{
	size_t	 idx = 0, n = 0;

	if (sc->tree && !scan_count_push(sc, &idx))
		return false;
	sc->p++;
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		return true;
	}
	for (;;) {
		if (sc->p >= sc->end || *sc->p != '"' || !scan_string(sc))
			return false;
		scan_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':')
			return false;
		sc->p++;
		if (!scan_value(sc))
			return false;
		n++;
		if (sc->p >= sc->end)
			return false;
		if (*sc->p == '}') {
			sc->p++;
			break;
		}
		if (*sc->p != ',')
			return false;
		sc->p++;
		scan_ws(sc);
	}
	if (sc->tree)
		sc->counts[idx] = n;
	return true;
}

static bool
scan_array(struct scan *sc)
{
	sc->p++;
	scan_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		return true;
	}
	for (;;) {
		if (!scan_value(sc))
			return false;
		if (sc->p >= sc->end)
			return false;
		if (*sc->p == ']') {
			sc->p++;
			return true;
		}
		if (*sc->p != ',')
			return false;
		sc->p++;
	}
}

/* A value with the whitespace around it. */
static bool
scan_value(struct scan *sc)
{
	bool ok;

	scan_ws(sc);
	if (sc->p >= sc->end)
		return false;
	switch (*sc->p) {
	case '{':
	case '[':
		if (sc->depth >= sc->max_depth)
			return false;
		sc->depth++;
		ok = *sc->p == '{' ? scan_object(sc) : scan_array(sc);
		sc->depth--;
		break;
	case '"':
		ok = scan_string(sc);
		break;
	case 't':
		ok = scan_literal(sc, "true");
		break;
	case 'f':
		ok = scan_literal(sc, "false");
		break;
	case 'n':
		ok = scan_literal(sc, "null");
		break;
	default:
		ok = (*sc->p == '-' || (*sc->p >= '0' && *sc->p <= '9')) &&
		    scan_number(sc);
		break;
	}
	if (ok)
		scan_ws(sc);
	return ok;
}

static bool	jsonp_check_tree(struct json_object *, const struct scan *,
		    size_t *, int);

/* A member or element: only containers and doubles need a look. */
static bool
jsonp_check_child(struct json_object *o, const struct scan *sc, size_t *i,
    int depth)
{
	switch (json_object_get_type(o)) {
	case json_type_object:
	case json_type_array:
		return jsonp_check_tree(o, sc, i, depth);
	case json_type_double:
		return isfinite(json_object_get_double(o));
	default:
		return true;
	}
}

/*
 * Pre-order walk of json-c's tree against the scan: object lengths
 * must match the scanned member counts, doubles must be finite.
 */
static bool
jsonp_check_tree(struct json_object *o, const struct scan *sc, size_t *i,
    int depth)
{
	size_t	 n, k;

	if (depth > sc->max_depth)
		return false;
	switch (json_object_get_type(o)) {
	case json_type_object:
		if (*i >= sc->ncounts ||
		    (size_t)json_object_object_length(o) != sc->counts[*i])
			return false;
		(*i)++;
		{
			json_object_object_foreach(o, key, val) {
				(void)key;
				if (!jsonp_check_child(val, sc, i, depth + 1))
					return false;
			}
		}
		return true;
	case json_type_array:
		n = json_object_array_length(o);
		for (k = 0; k < n; k++)
			if (!jsonp_check_child(json_object_array_get_idx(o, k),
			    sc, i, depth + 1))
				return false;
		return true;
	case json_type_double:
		return isfinite(json_object_get_double(o));
	default:
		return true;
	}
}

/* The validating scan of s, len; ERR_OK, ERR_INPUT or ERR_NOMEM. */
static enum err
scan_run(struct scan *sc, const char *s, size_t len, int max_depth,
    bool tree)
{
	memset(sc, 0, sizeof(*sc));
	if (s == NULL || len == 0 || len > JSONP_LEN_MAX ||
	    max_depth < 1 || max_depth > JSONP_DEPTH_LIMIT)
		return ERR_INPUT;
	sc->p = (const unsigned char *)s;
	sc->end = sc->p + len;
	sc->max_depth = max_depth;
	sc->tree = tree;
	sc->err = ERR_INPUT;
	if (!scan_value(sc) || sc->p != sc->end)
		return sc->err;
	return ERR_OK;
}

/*
 * A copy of the scanned text s, len with the pairs JSONP_ASTRAL_BAD()
 * names written as UTF-8 (4 bytes for 12); *out is malloc'ed, *outlen
 * its length.  Escapes only occur in strings, and each backslash starts
 * one, so the walk needs no other state.
 */
static enum err
jsonp_astral_fix(const char *s, size_t len, char **out, size_t *outlen)
{
	long	 hi, lo;
	uint32_t cp;
	size_t	 i = 0, o = 0;
	char	*d;

	if ((d = malloc(len)) == NULL)
		return ERR_NOMEM;
	while (i < len) {
		if (s[i] != '\\') {
			d[o++] = s[i++];
			continue;
		}
		if (i + 12 <= len && s[i + 1] == 'u' &&
		    JSONP_ASTRAL_BAD(hi = hex_quad(s + i + 2))) {
			lo = hex_quad(s + i + 8);
			cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) +
			    ((uint32_t)lo - 0xdc00);
			o += utf8_encode(cp, d + o);
			i += 12;
			continue;
		}
		/* Any other escape, as it is (its second byte too). */
		d[o++] = s[i++];
		if (i < len)
			d[o++] = s[i++];
	}
	*out = d;
	*outlen = o;
	return ERR_OK;
}

enum err
jsonp_validate(const char *s, size_t len, int max_depth)
{
	struct scan	 sc;
	enum err	 e;

	e = scan_run(&sc, s, len, max_depth, false);
	free(sc.counts);
	return e;
}

enum err
jsonp_parse(const char *s, size_t len, int max_depth,
    struct json_object **out)
{
	struct scan		 sc;
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL;
	enum json_tokener_error	 jerr;
	size_t			 i = 0, end;
	char			*fixed = NULL;
	enum err		 e;

	*out = NULL;
	if ((e = scan_run(&sc, s, len, max_depth, true)) != ERR_OK)
		goto out;
	if (sc.astral_d8) {
		if ((e = jsonp_astral_fix(s, len, &fixed, &len)) != ERR_OK)
			goto out;
		s = fixed;
	}
	e = ERR_INPUT;

	/* json-c counts the top level as one more level than we do. */
	if ((tok = json_tokener_new_ex(max_depth + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	/*
	 * The scan has checked the UTF-8, more strictly than json-c's
	 * JSON_TOKENER_VALIDATE_UTF8 would (a tenth of json-c's time).
	 */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	if (o == NULL && jerr == json_tokener_continue) {
		/* A bare number or literal ends at the NUL. */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	} else if (o != NULL) {
		for (end = json_tokener_get_parse_end(tok); end < len; end++)
			if (s[end] != ' ' && s[end] != '\t' &&
			    s[end] != '\r' && s[end] != '\n') {
				jerr = json_tokener_error_parse_unexpected;
				break;
			}
	}
	if (jerr != json_tokener_success)
		goto out;
	/* o == NULL here is the JSON value null, which json-c maps to NULL. */
	if (!jsonp_check_tree(o, &sc, &i, 0) || i != sc.ncounts)
		goto out;
	*out = o;
	o = NULL;
	e = ERR_OK;
out:
	json_object_put(o);
	if (tok != NULL)	/* json-c 0.16 does not accept NULL */
		json_tokener_free(tok);
	free(sc.counts);
	free(fixed);
	return e;
}

/* The member key of obj: ERR_OK, ERR_NOTFOUND or ERR_INPUT. */
static enum err
jsonp_member(struct json_object *obj, const char *key,
    struct json_object **val)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return ERR_INPUT;
	if (!json_object_object_get_ex(obj, key, val))
		return ERR_NOTFOUND;
	return ERR_OK;
}

enum err
jsonp_string(struct json_object *obj, const char *key, const char **out)
{
	struct json_object	*v;
	enum err		 e;

	if ((e = jsonp_member(obj, key, &v)) != ERR_OK)
		return e;
	if (!json_object_is_type(v, json_type_string))
		return ERR_INPUT;
	*out = json_object_get_string(v);
	return ERR_OK;
}

enum err
jsonp_bool(struct json_object *obj, const char *key, bool *out)
{
	struct json_object	*v;
	enum err		 e;

	if ((e = jsonp_member(obj, key, &v)) != ERR_OK)
		return e;
	if (!json_object_is_type(v, json_type_boolean))
		return ERR_INPUT;
	*out = json_object_get_boolean(v) != 0;
	return ERR_OK;
}

enum err
jsonp_get_int64(struct json_object *v, int64_t *out)
{
	int64_t	 i;

	if (json_object_is_type(v, json_type_int)) {
		/* json-c saturates out-of-range integers. */
		i = json_object_get_int64(v);
		if (i == INT64_MAX || i == INT64_MIN)
			return ERR_INPUT;
		*out = i;
		return ERR_OK;
	}
	if (json_object_is_type(v, json_type_double))
		return jsonp_double_int64(json_object_get_double(v), out);
	return ERR_INPUT;
}

enum err
jsonp_double_int64(double d, int64_t *out)
{
	int64_t	 i;

	if (!isfinite(d) || d >= (double)JSONP_INT_EXACT ||
	    d <= -(double)JSONP_INT_EXACT)
		return ERR_INPUT;
	i = (int64_t)d;
	if ((double)i != d)
		return ERR_INPUT;	/* a fraction */
	*out = i;
	return ERR_OK;
}

enum err
jsonp_int64(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object	*v;
	enum err		 e;

	if ((e = jsonp_member(obj, key, &v)) != ERR_OK)
		return e;
	return jsonp_get_int64(v, out);
}
