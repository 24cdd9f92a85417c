/*
 * bearer: the token of an HTTP "Authorization: Bearer" header
 * (RFC 6750 section 2.1).
 */
#ifndef TODO_BEARER_H
#define TODO_BEARER_H

#include <stddef.h>

#include "err.h"

#define BEARER_TOKEN_MAX 16384	/* longest token, = JWT_LEN_MAX */

/*
 * authorization is the header value (NULL if the header is absent).
 * Accepted: optional leading spaces/tabs, the scheme "Bearer" in any
 * case, one or more spaces, a b64token (1*(ALPHA / DIGIT / "-" / "." /
 * "_" / "~" / "+" / "/") *"="), optional trailing spaces/tabs.
 * ERR_OK: *token points into authorization (no allocation, not
 * NUL-terminated at *len).  ERR_NOTFOUND: no header, an empty one, or
 * another scheme followed by a space or nothing (no bearer token).
 * ERR_INPUT (RFC 6750 invalid_request): no scheme where one must be, a
 * scheme followed by anything but a space, or a Bearer scheme with a
 * missing, malformed (two tokens, say) or longer than BEARER_TOKEN_MAX
 * token.
 */
enum err bearer_parse(const char *authorization, const char **token,
    size_t *len);

/* The schemes that carry an access token. */
enum bearer_scheme {
	BEARER_SCHEME_BEARER,	/* RFC 6750 */
	BEARER_SCHEME_DPOP,	/* RFC 9449 section 7.1: a DPoP-bound token */
	BEARER_SCHEME__MAX
};

/*
 * bearer_parse for either scheme, "Bearer" or "DPoP" (any case), whose
 * token has the same syntax; *scheme says which.  ERR_NOTFOUND for any
 * other scheme.
 */
enum err bearer_parse_scheme(const char *authorization,
    enum bearer_scheme *scheme, const char **token, size_t *len);

#endif
