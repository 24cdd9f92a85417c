/*
 * jwt: compact JWS (RFC 7515) carrying JWT claims (RFC 7519),
 * verified with keys from jwk.h and checked against expectations.
 *
 * Order of use: jwt_parse, jwt_verify (or jwt_verify_set), jwt_check;
 * read claims only after both succeeded.
 */
#ifndef TODO_JWT_H
#define TODO_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "err.h"
#include "jwk.h"

#define JWT_LEN_MAX		16384	/* bytes of compact form */
#define JWT_DEPTH_MAX		8	/* JSON nesting, header/claims */
#define JWT_LEEWAY_MAX		300	/* jwt_check's leeway cap, s */

/* jwt_check's reason for a token past its exp (compare with strcmp). */
#define JWT_WHY_EXPIRED		"token expired"

/* jwt_parse_ex() flags. */
#define JWT_PARSE_OPAQUE	0x01	/* payload need not be JSON */

struct jwt;

/*
 * Parse len bytes of compact serialization (need not be
 * NUL-terminated): exactly three non-empty base64url parts (strict,
 * see b64url_decode), header and payload strict JSON objects
 * (jsonp_parse, depth JWT_DEPTH_MAX), header "alg" a string, "kid"
 * a string if present, no "crit" (no extension is understood),
 * jku/x5u/jwk/x5c ignored: keys only ever come from the caller.
 * ERR_INPUT on any violation or len > JWT_LEN_MAX, ERR_NOMEM.
 * The caller owns *out (jwt_free); nothing points into compact.
 * Does not verify anything.
 */
enum err	 jwt_parse(const char *compact, size_t len, struct jwt **out);
/*
 * As jwt_parse; with JWT_PARSE_OPAQUE the payload is kept as bytes
 * (jwt_payload) and may be empty, and there are no claims: jwt_check
 * fails, jwt_claims returns NULL.  For plain JWS (test vectors).
 */
enum err	 jwt_parse_ex(const char *compact, size_t len, int flags,
		    struct jwt **out);
void		 jwt_free(struct jwt *);

/* Header "kid", borrowed, NULL if absent. */
const char	*jwt_kid(const struct jwt *);
/* A string member of the header, borrowed; NULL if absent or not one. */
const char	*jwt_header_str(const struct jwt *, const char *name);
/* Header "alg": ERR_INPUT for none, HS256 and anything unsupported. */
enum err	 jwt_alg(const struct jwt *, enum jwk_alg *out);
/* The decoded payload, borrowed (NUL-terminated, not counted). */
const unsigned char *jwt_payload(const struct jwt *, size_t *len);

/*
 * ERR_OK if the signature over header.payload verifies with key under
 * the header's alg, which the key must allow (jwk_allows); else
 * ERR_AUTH.
 */
enum err	 jwt_verify(const struct jwt *, const struct jwk *key);
/*
 * Pick the key from set by the header's kid and alg (jwkset_find) and
 * verify.  ERR_AUTH for an unsupported alg or a bad signature,
 * ERR_NOTFOUND if no key matches (the caller may refetch the set
 * once, then treat it as ERR_AUTH).
 */
enum err	 jwt_verify_set(const struct jwt *, const struct jwkset *set);

struct jwt_expect {
	const char *const *issuers;	/* iss must equal one exactly */
	size_t		   nissuers;
	const char	  *audience;	/* aud (string or array) has it */
	const char	  *nonce;	/* NULL: not checked */
	long		   leeway;	/* seconds, 0..JWT_LEEWAY_MAX */
	long		   max_lifetime; /* seconds; 0: not checked */
	time_t		   now;
};

/*
 * Check the claims: exp required (integer NumericDate, see
 * jsonp_int64) and now < exp + leeway; nbf and iat, if present,
 * integers and not after now + leeway; with max_lifetime, exp - iat
 * (exp - now when there is no iat) at most max_lifetime; iss a string
 * equal to one of
 * the issuers; aud a string or a non-empty array of strings containing
 * audience; sub a string if present; nonce, if expected, a string
 * equal to it.  ERR_OK, or ERR_AUTH with *why (if why is not NULL) a
 * static lower-case reason for the log, such as JWT_WHY_EXPIRED.
 */
enum err	 jwt_check(const struct jwt *, const struct jwt_expect *,
		    const char **why);

/* The claims object, borrowed; NULL for JWT_PARSE_OPAQUE tokens. */
struct json_object *jwt_claims(const struct jwt *);
/* A string claim, borrowed; NULL if absent or not a string. */
const char	*jwt_claim_str(const struct jwt *, const char *name);
/*
 * Does the token grant scope?  Taken from "scp" (Azure AD B2C) if
 * present, else "scope" (RFC 9068): a space-separated string, or an
 * array of strings; matched whole and case-sensitively ("read" matches
 * neither "readonly" nor "Read").  false for an empty scope or one
 * containing a space.
 */
bool		 jwt_has_scope(const struct jwt *, const char *scope);

#endif
