/*
 * auth: verify a JWT (access token or id_token) against the keys of a
 * list of trusted providers and the expected claims.
 */
#ifndef TODO_AUTH_H
#define TODO_AUTH_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "httpc.h"
#include "jwt.h"
#include "provider.h"

#define AUTH_ISSUERS_MAX 16

struct auth_policy {
	struct provider	**providers;
	size_t		  nproviders;
	const char	 *issuer;	/* NULL: the providers' issuers */
	const char	 *audience;
	const char	 *nonce;	/* id_token only, else NULL */
	long		  leeway;
};

/*
 * ERR_OK and *out (caller jwt_free()s) for a good token; ERR_AUTH with
 * *why (static text, safe to log) for a bad one; ERR_UPSTREAM when no
 * provider could be loaded, so nothing can be verified.
 */
enum err auth_verify(const struct auth_policy *, struct httpc *,
	    const char *token, size_t len, time_t now, struct jwt **out,
	    const char **why);

#endif
