#include "config.h"

#include <string.h>

#include "auth.h"

enum err
auth_verify(const struct auth_policy *pol, struct httpc *h,
    const char *token, size_t len, time_t now, struct jwt **out,
    const char **why)
{
	const char *issuers[AUTH_ISSUERS_MAX];
	const struct jwk *key = NULL;
	struct jwt_expect ex;
	struct jwt *jwt = NULL;
	enum jwk_alg alg;
	size_t	 i, nloaded = 0, nissuers = 0;
	enum err e;

	*out = NULL;
	*why = "malformed token";
	if (jwt_parse(token, len, &jwt) != ERR_OK) {
		e = ERR_AUTH;
		goto out;
	}
	if (jwt_alg(jwt, &alg) != ERR_OK) {
		*why = "algorithm not allowed";
		e = ERR_AUTH;
		goto out;
	}
	for (i = 0; i < pol->nproviders; i++) {
		if (provider_load(pol->providers[i], h, now) != ERR_OK)
			continue;
		nloaded++;
		if (key == NULL)
			key = provider_find(pol->providers[i], jwt_kid(jwt),
			    alg);
		if (pol->issuer == NULL && nissuers < AUTH_ISSUERS_MAX)
			issuers[nissuers++] =
			    provider_issuer(pol->providers[i]);
	}
	if (nloaded == 0) {
		*why = "no identity provider reachable";
		e = ERR_UPSTREAM;
		goto out;
	}
	/* Unknown everywhere: a rotation, maybe. Refetch, rate limited. */
	for (i = 0; key == NULL && i < pol->nproviders; i++)
		key = provider_key(pol->providers[i], h, jwt_kid(jwt), alg,
		    now);
	if (key == NULL) {
		*why = "unknown signing key";
		e = ERR_AUTH;
		goto out;
	}
	if (jwt_verify(jwt, key) != ERR_OK) {
		*why = "bad signature";
		e = ERR_AUTH;
		goto out;
	}
	if (pol->issuer != NULL) {
		issuers[0] = pol->issuer;
		nissuers = 1;
	}
	memset(&ex, 0, sizeof(ex));
	ex.issuers = issuers;
	ex.nissuers = nissuers;
	ex.audience = pol->audience;
	ex.nonce = pol->nonce;
	ex.leeway = pol->leeway;
	ex.now = now;
	if ((e = jwt_check(jwt, &ex, why)) != ERR_OK) {
		e = ERR_AUTH;
		goto out;
	}
	*out = jwt;
	jwt = NULL;
	*why = NULL;
	e = ERR_OK;
out:
	jwt_free(jwt);
	return e;
}
