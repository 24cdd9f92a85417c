/*
 * auth: verify a JWT (access token or id_token) against the keys of a
 * list of trusted providers and the expected claims, and name its user.
 *
 * A key speaks only for its own issuer: a token is verified with the
 * keys of the providers whose discovery document names the token's
 * "iss" (the B2C user flows of one tenant share an issuer, so all their
 * keys serve it).  A configured issuer stands for every provider.
 */
#ifndef TODO_AUTH_H
#define TODO_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "httpc.h"
#include "jwt.h"
#include "provider.h"

#define AUTH_ISSUERS_MAX 16
#define AUTH_CLAIM_NAME_MAX 64		/* bytes of one user claim name */
#define AUTH_USER_CLAIMS_MAX 4		/* names in a user claim list */
#define AUTH_USER_MAX 256		/* bytes of the user claim's value */

struct auth_policy {
	struct provider	**providers;
	size_t		  nproviders;
	const char	 *issuer;	/* NULL: the providers' issuers */
	const char	 *audience;
	const char	 *nonce;	/* id_token only, else NULL */
	long		  leeway;
	long		  max_lifetime;	/* seconds of exp - iat; 0: any */
	bool		  require_at_jwt; /* header typ at+jwt (RFC 9068) */
};

/*
 * With require_at_jwt, the header's typ must be "at+jwt" or
 * "application/at+jwt" (any case), as RFC 9068 access tokens carry;
 * Microsoft's access tokens say "JWT" and need it off.
 *
 * ERR_OK and *out (caller jwt_free()s) for a good token; ERR_AUTH with
 * *why (static text, safe to log) for a bad one; ERR_UPSTREAM when no
 * provider that could vouch for the token could be loaded, so nothing
 * can be verified.
 */
enum err auth_verify(const struct auth_policy *, struct httpc *,
	    const char *token, size_t len, time_t now, struct jwt **out,
	    const char **why);

/*
 * Is list a valid user claim list: 1 to AUTH_USER_CLAIMS_MAX claim
 * names (letters, digits, "_", "-", ".", ":", at most
 * AUTH_CLAIM_NAME_MAX bytes each) separated by spaces?
 */
bool	 auth_user_claims_ok(const char *list);
/* Is typ (may be NULL) the RFC 9068 access token type? */
bool	 auth_typ_is_at_jwt(const char *typ);
/*
 * The user a verified token names: the first claim of the
 * space-separated list that is present.  A claim that is absent moves
 * on to the next name; one that is present must be a non-empty string
 * of at most AUTH_USER_MAX bytes, else ERR_AUTH (never the next name).
 * ERR_AUTH too when none is present.  *user is borrowed from the jwt;
 * *why (static, safe to log) says what failed.
 */
enum err auth_user(const struct jwt *, const char *list, const char **user,
	    const char **why);

#endif
