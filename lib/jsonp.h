/*
 * jsonp: strict JSON input (RFC 8259) on top of json-c.
 *
 * json-c alone accepts NaN, Infinity, comments-free but lax numbers,
 * invalid UTF-8 in some modes, and keeps the last of duplicate member
 * names silently.  jsonp_parse() runs its own validating scan first
 * and rejects all of that, then lets json-c build the tree.
 */
#ifndef TODO_JSONP_H
#define TODO_JSONP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "err.h"

#define JSONP_DEPTH_MAX		16	/* default nesting */
#define JSONP_DEPTH_LIMIT	64	/* largest max_depth accepted */
#define JSONP_LEN_MAX		(16 * 1024 * 1024)	/* input bytes */
#define JSONP_INT_EXACT		(INT64_C(1) << 53) /* see jsonp_int64 */

/*
 * Parse len bytes at s (need not be NUL-terminated) as one JSON value.
 * Rejected with ERR_INPUT: anything but exactly one value with optional
 * surrounding whitespace; invalid UTF-8 (overlongs, surrogates, above
 * U+10FFFF); raw control characters or \u0000 in strings; lone
 * surrogate escapes; NaN, Infinity, leading zeros, '+', numbers that
 * overflow a double; trailing commas, comments, single quotes, a BOM;
 * more than max_depth nested arrays/objects (1..JSONP_DEPTH_LIMIT);
 * any object with two members of the same (decoded) name.
 * ERR_NOMEM on allocation failure.  On ERR_OK the caller owns *out
 * and releases it with json_object_put(); the JSON value null gives
 * *out == NULL (json-c's null).  On error *out is NULL.
 */
enum err jsonp_parse(const char *s, size_t len, int max_depth,
    struct json_object **out);

/*
 * The same checks without the tree, but for duplicate member names
 * (those need the decoded names; jsonr looks for them where it reads):
 * ERR_OK, ERR_INPUT or ERR_NOMEM.
 */
enum err jsonp_validate(const char *s, size_t len, int max_depth);

/*
 * Typed member access on an object.  ERR_NOTFOUND if obj has no such
 * member, ERR_INPUT if obj is not an object or the member has the
 * wrong type (JSON null is a wrong type, not absence).  *out is only
 * written on ERR_OK; strings are borrowed from obj.
 */
enum err jsonp_string(struct json_object *obj, const char *key,
    const char **out);
enum err jsonp_bool(struct json_object *obj, const char *key, bool *out);

/*
 * Integers only: 1.5, "1", true are ERR_INPUT, and so are integers
 * outside int64_t (json-c saturates those silently, so the two end
 * values INT64_MIN and INT64_MAX are refused too).  A number written
 * with a fraction or exponent (1.7e9, 30.0) is accepted when its value
 * is integral and its magnitude is below JSONP_INT_EXACT (2^53), so
 * that NumericDate claims from any encoder work.
 */
enum err jsonp_int64(struct json_object *obj, const char *key,
    int64_t *out);

/* The same check on a value rather than a member. */
enum err jsonp_get_int64(struct json_object *val, int64_t *out);
/* The same check on a double (a number with a fraction or exponent). */
enum err jsonp_double_int64(double d, int64_t *out);

/* The number text p, n (as the scan took it) read as json-c reads it. */
enum err jsonp_number_text(const char *p, size_t n, double *out);

#endif
