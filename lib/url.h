/*
 * url: percent-coding (RFC 3986), query strings and
 * application/x-www-form-urlencoded bodies, and the open-redirect
 * guard for return_to paths.
 *
 * Ownership: url_decode's *out and everything inside a struct
 * url_params belong to the caller; free them with free() and
 * url_params_free().  Strings returned by url_params_get() are
 * borrowed from the struct and live until url_params_free().
 */
#ifndef TODO_URL_H
#define TODO_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define URL_PARAMS_MAX		64		/* pairs in one query or form */
#define URL_FORM_MAX		(64 * 1024)	/* bytes of query or form */
#define URL_RETURN_TO_MAX	2048		/* bytes of a return_to path */

/*
 * Percent-decode len bytes of in into a malloc'd, NUL-terminated
 * *out.  With plus_is_space, '+' becomes ' ' (forms).  ERR_INPUT for
 * a malformed escape ("%", "%4", "%zz") and for a NUL or control
 * byte (0x00-0x1f, 0x7f), raw or decoded.  Bytes >= 0x80 pass
 * through: check url_utf8_valid() where text is expected.
 */
enum err url_decode(const char *in, size_t len, bool plus_is_space,
	    char **out);

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
bool	 url_utf8_valid(const char *s, size_t len);

/*
 * Append the percent-encoding of in to out: RFC 3986 unreserved
 * characters (ALPHA DIGIT - . _ ~) as they are, every other byte as
 * %XX with upper-case hex.  ERR_NOMEM when out's cap is reached.
 */
enum err url_encode(const char *in, struct buf *out);

struct url_param {
	char	*name;		/* decoded, never empty */
	char	*value;		/* decoded, "" when absent */
};

struct url_params {
	struct url_param	*v;
	size_t			 n;
};

/*
 * Parse a query string (form = false) or a form body (form = true,
 * '+' is a space), len bytes at most URL_FORM_MAX.  Pairs are split
 * on '&'; empty pieces are skipped; "name" alone has the value "".
 * ERR_INPUT for an empty name ("=x"), a bad escape, a control byte in
 * a name, one other than tab, CR or LF in a value (B2C's
 * error_description spans lines), or more than URL_PARAMS_MAX pairs.  Repeated names
 * are kept.  On error *out is empty.  Values are wiped on free, since
 * they carry codes, state and CSRF tokens.
 */
enum err url_params_parse(const char *query, size_t len, bool form,
	    struct url_params *out);

/*
 * The value of name, or NULL when name is absent OR occurs more than
 * once: a duplicated security parameter (code, state, csrf) must be
 * treated as bad input, never resolved by taking the first or last.
 * Tell the two cases apart with url_params_count().
 */
const char *url_params_get(const struct url_params *, const char *name);
size_t	 url_params_count(const struct url_params *, const char *name);
bool	 url_params_dup(const struct url_params *, const char *name);
void	 url_params_free(struct url_params *);	/* NULL is fine */

/*
 * Open-redirect guard: true only for a same-origin absolute path
 * that can be sent as a Location without further checks:
 *  - 1..URL_RETURN_TO_MAX bytes, starting with exactly one '/'
 *    (so never "//host", "/\host", "scheme:..." or a relative path);
 *  - only characters RFC 3986 allows in a path, query or fragment
 *    (unreserved, sub-delims, ":@/?#" and '%'): no space, control
 *    byte, backslash, quote, '<', '>', or byte >= 0x80;
 *  - every '%' starts a well-formed %XX that does not decode to '/',
 *    '\', '%' (double encoding) or a control byte, so no decoding
 *    step can turn the path into "//host"; other escapes (UTF-8
 *    "%C3%A9", "%3F", "%20") are allowed.
 * No normalisation is done; "/../x" stays on this origin anyway.
 */
bool	 url_return_to_ok(const char *path);

#endif
