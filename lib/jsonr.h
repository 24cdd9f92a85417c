/*
 * jsonr: values read straight out of JSON text, without a tree.
 *
 * For answers read on every page (the API's task list): building a
 * json-c tree and freeing it cost the web app more than the rest of the
 * page.  jsonr_open() runs jsonp's validating scan (jsonp_validate(): RFC
 * 8259, strict, see jsonp.h) and keeps only the text; reading walks it.
 *
 * Duplicate member names: a member read with jsonr_member() is ERR_INPUT
 * when its name occurs twice in that object (names compared decoded, as
 * jsonp_parse() does).  Names that are never read are not looked at.
 *
 * A struct jsonr is one value's text inside the buffer given to
 * jsonr_open(), which must outlive it; nothing is allocated but the
 * strings jsonr_string() appends to the caller's buffer.
 */
#ifndef TODO_JSONR_H
#define TODO_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct jsonr {
	const char	*p;		/* the value's first byte */
	size_t		 len;		/* up to its last byte */
};

enum jsonr_type {
	JSONR_NULL,
	JSONR_FALSE,
	JSONR_TRUE,
	JSONR_NUMBER,
	JSONR_STRING,
	JSONR_ARRAY,
	JSONR_OBJECT
};

/* The elements of an array, in order (jsonr_elements, jsonr_next). */
struct jsonr_iter {
	const char	*p;		/* at the next element, or at ']' */
	const char	*end;
};

/*
 * Validate len bytes at s (need not be NUL-terminated) as one JSON value
 * of at most max_depth nested arrays/objects, as jsonp_parse() would
 * (ERR_INPUT, ERR_NOMEM); *root is the value, without the whitespace
 * around it.
 */
enum err jsonr_open(const char *s, size_t len, int max_depth,
	    struct jsonr *root);

enum jsonr_type jsonr_type(const struct jsonr *);

/*
 * The member name of an object: ERR_NOTFOUND if it has none, ERR_INPUT
 * if v is not an object or has two members of that name.
 */
enum err jsonr_member(const struct jsonr *v, const char *name,
	    struct jsonr *out);
/*
 * n members in one walk of the object: out[i] for names[i], or p NULL
 * (len 0) when it has none; ERR_INPUT as above, for any of the names.
 */
enum err jsonr_members(const struct jsonr *v, const char *const *names,
	    size_t n, struct jsonr *out);

/* Start on an array's elements: ERR_INPUT if v is not an array. */
enum err jsonr_elements(const struct jsonr *v, struct jsonr_iter *it);
/* The next element into *out; false after the last. */
bool	 jsonr_next(struct jsonr_iter *it, struct jsonr *out);

/*
 * Typed values.  A string is appended to out decoded (UTF-8, never a NUL:
 * the scan refuses \u0000); ERR_INPUT if v is another type, or out's
 * error (ERR_NOMEM, ERR_INPUT past its max).  Integers as jsonp_get_int64()
 * reads them: no fraction, inside int64_t but for its two end values, or
 * written with a fraction or exponent but integral and below 2^53.
 */
enum err jsonr_string(const struct jsonr *v, struct buf *out);
enum err jsonr_bool(const struct jsonr *v, bool *out);
enum err jsonr_int64(const struct jsonr *v, int64_t *out);

#endif
