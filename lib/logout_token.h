/*
 * logout_token: the claims of an OpenID Connect Back-Channel Logout 1.0
 * logout token (section 2.4).  The signature, "iss", "aud" and "exp" of a logout token are
 * checked first, by auth_verify(); logout_token_check() then checks what
 * only a logout token has.  Strings handed out are borrowed from the jwt
 * and live as long as it.
 */
#ifndef TODO_LOGOUT_TOKEN_H
#define TODO_LOGOUT_TOKEN_H

#include <stdbool.h>
#include <time.h>

#include "err.h"
#include "jwt.h"

#define LOGOUT_TOKEN_EVENT "http://schemas.openid.net/event/backchannel-logout"
#define LOGOUT_TOKEN_MAX_AGE 300	/* seconds: iat no older than this */
#define LOGOUT_TOKEN_CLAIM_MAX 256	/* bytes of sid, sub or jti */

/* What a good logout token names (borrowed from the jwt). */
struct logout_claims {
	const char	*sid;		/* or NULL */
	const char	*sub;		/* or NULL; never both NULL */
	const char	*jti;
};

/*
 * After auth_verify: iat required, not after now + leeway nor more than
 * max_age (+ leeway) seconds before now; "events" an object whose member
 * LOGOUT_TOKEN_EVENT is an object; no "nonce"; "sid" and/or "sub"
 * non-empty strings of at most LOGOUT_TOKEN_CLAIM_MAX bytes; "jti" one
 * too.  ERR_OK with *out filled, or ERR_AUTH with *why (static, safe to
 * log).
 */
enum err logout_token_check(const struct jwt *, time_t now, long max_age,
	    long leeway, struct logout_claims *out, const char **why);

#endif
