/*
 * cookie: read one cookie from a Cookie request header and build
 * Set-Cookie header values (RFC 6265).
 *
 * Ownership: cookie_get's *value is malloc'd and owned by the caller;
 * it is usually a secret (session id): wipe it (crypto_free_str or
 * OPENSSL_cleanse) before free.  cookie_set appends to a caller-owned
 * struct buf.
 */
#ifndef TODO_COOKIE_H
#define TODO_COOKIE_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

#define COOKIE_HEADER_MAX	8192	/* bytes of a Cookie header */
#define COOKIE_COUNT_MAX	50	/* cookies in a Cookie header */
#define COOKIE_PAIR_MAX		4096	/* name + value we set */
#define COOKIE_PATH_MAX		1024
#define COOKIE_MAX_AGE_MAX	(400L * 24 * 60 * 60)	/* browsers' cap */
#define COOKIE_EXPIRED		"Thu, 01 Jan 1970 00:00:00 GMT"

/*
 * Value of the named cookie in a Cookie header ("a=b; c=d").
 *  ERR_NOTFOUND: header is NULL or holds no such cookie;
 *  ERR_INPUT:    the name occurs more than once (cookie tossing from
 *                a sibling domain or path: never pick one), the header
 *                is longer than COOKIE_HEADER_MAX, holds more than
 *                COOKIE_COUNT_MAX cookies or a piece without '=', the
 *                wanted value is not cookie-octets (after one pair of
 *                surrounding double quotes is stripped), or name is
 *                not a token.
 * Other cookies' values are not checked: they are not ours.  Names
 * are compared exactly (case-sensitive); whitespace around names and
 * values is dropped; empty pieces (";;") are skipped.
 */
enum err cookie_get(const char *header, const char *name, char **value);

enum cookie_samesite {
	COOKIE_SAMESITE_LAX = 0,	/* the default for zeroed attrs */
	COOKIE_SAMESITE_STRICT,
	COOKIE_SAMESITE_NONE,		/* requires secure */
	COOKIE_SAMESITE__MAX
};

struct cookie_attrs {
	const char		*path;		/* NULL: "/" */
	long			 max_age;	/* <0 session, 0 delete */
	bool			 secure;
	bool			 http_only;
	enum cookie_samesite	 samesite;
};

/* Path=/, session cookie, Secure, HttpOnly, SameSite=Lax. */
#define COOKIE_ATTRS_DEFAULT						\
	{ NULL, -1, true, true, COOKIE_SAMESITE_LAX }

/*
 * Append a Set-Cookie header value to out:
 *   name=value; Path=/; Max-Age=N; Secure; HttpOnly; SameSite=Lax
 * max_age < 0 leaves out Max-Age (session cookie); 0 deletes the
 * cookie (Max-Age=0 and an Expires in 1970); above COOKIE_MAX_AGE_MAX
 * is ERR_INPUT.  attrs NULL means COOKIE_ATTRS_DEFAULT.  No Domain
 * attribute is ever set (host-only cookies).
 * ERR_INPUT when name is not a token, value has a byte outside
 * cookie-octet (so no quoting, space, ',', ';', '\' or control), the
 * path does not start with '/' or has ';' or a control byte,
 * SameSite=None is asked without Secure, or a "__Secure-" / "__Host-"
 * prefixed name misses what its prefix demands.  On error out is left
 * as it was.
 */
enum err cookie_set(struct buf *out, const char *name, const char *value,
	    const struct cookie_attrs *attrs);

/* Grammar checks on their own. */
bool	 cookie_name_ok(const char *name);
bool	 cookie_value_ok(const char *value);

#endif
