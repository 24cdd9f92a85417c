#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "jsonp.h"

/*
 * May provider p vouch for a token whose iss is iss?  A configured
 * issuer (already matched) stands for every provider.
 */
static bool
auth_speaks_for(const struct auth_policy *pol, struct provider *p,
    const char *iss)
{
	const char *pi;

	if (pol->issuer != NULL)
		return true;
	return (pi = provider_issuer(p)) != NULL && strcmp(iss, pi) == 0;
}

enum err
auth_verify(const struct auth_policy *pol, struct httpc *h,
    const char *token, size_t len, time_t now, struct jwt **out,
    const char **why)
{
	struct provider *trusted[AUTH_ISSUERS_MAX];
	const struct jwk *key = NULL;
	struct jwt_expect ex;
	struct jwt *jwt = NULL;
	enum jwk_alg alg;
	const char *iss;
	size_t	 i, nloaded = 0, ntrusted = 0;
	enum err e = ERR_AUTH;

	*out = NULL;
	*why = "malformed token";
	if (jwt_parse(token, len, &jwt) != ERR_OK)
		goto out;
	*why = "algorithm not allowed";
	if (jwt_alg(jwt, &alg) != ERR_OK)
		goto out;
	*why = "typ is not at+jwt";
	if (pol->require_at_jwt &&
	    !auth_typ_is_at_jwt(jwt_header_str(jwt, "typ")))
		goto out;
	/* Not verified yet: only used to pick the keys that may speak. */
	*why = "missing or bad issuer";
	if ((iss = jwt_claim_str(jwt, "iss")) == NULL)
		goto out;
	*why = "wrong issuer";
	if (pol->issuer != NULL && strcmp(iss, pol->issuer) != 0)
		goto out;
	for (i = 0; i < pol->nproviders; i++) {
		if (provider_load(pol->providers[i], h, now) != ERR_OK)
			continue;
		nloaded++;
		if (ntrusted < AUTH_ISSUERS_MAX &&
		    auth_speaks_for(pol, pol->providers[i], iss))
			trusted[ntrusted++] = pol->providers[i];
	}
	if (ntrusted == 0) {
		/* The issuer's provider may be among those that are down. */
		if (nloaded < pol->nproviders) {
			*why = "no identity provider reachable";
			e = ERR_UPSTREAM;
		} else
			*why = "wrong issuer";
		goto out;
	}
	for (i = 0; key == NULL && i < ntrusted; i++)
		key = provider_find(trusted[i], jwt_kid(jwt), alg);
	/* Unknown: a rotation, maybe.  Refetch, rate limited. */
	for (i = 0; key == NULL && i < ntrusted; i++)
		key = provider_key(trusted[i], h, jwt_kid(jwt), alg, now);
	*why = "unknown signing key";
	if (key == NULL)
		goto out;
	*why = "bad signature";
	if (jwt_verify(jwt, key) != ERR_OK)
		goto out;
	memset(&ex, 0, sizeof(ex));
	ex.issuers = &iss;
	ex.nissuers = 1;
	ex.audience = pol->audience;
	ex.nonce = pol->nonce;
	ex.leeway = pol->leeway;
	ex.max_lifetime = pol->max_lifetime;
	ex.now = now;
	if (jwt_check(jwt, &ex, why) != ERR_OK)
		goto out;
	*out = jwt;
	jwt = NULL;
	*why = NULL;
	e = ERR_OK;
out:
	jwt_free(jwt);
	return e;
}

bool
auth_typ_is_at_jwt(const char *typ)
{
	return typ != NULL && (strcasecmp(typ, "at+jwt") == 0 ||
	    strcasecmp(typ, "application/at+jwt") == 0);
}

/* The next name of list at *p into name; false at the end or if bad. */
static bool
auth_next_name(const char **p, char name[AUTH_CLAIM_NAME_MAX + 1])
{
	const char *s = *p;
	size_t	 n;

	while (*s == ' ')
		s++;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.:");
	if (n == 0 || n > AUTH_CLAIM_NAME_MAX || (s[n] != ' ' && s[n] != '\0'))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	*p = s + n;
	return true;
}

bool
auth_user_claims_ok(const char *list)
{
	char	 name[AUTH_CLAIM_NAME_MAX + 1];
	size_t	 n = 0;

	while (*list != '\0') {
		if (strspn(list, " ") == strlen(list))
			break;
		if (!auth_next_name(&list, name) ||
		    ++n > AUTH_USER_CLAIMS_MAX)
			return false;
	}
	return n > 0;
}

enum err
auth_user(const struct jwt *jwt, const char *list, const char **user,
    const char **why)
{
	struct json_object *claims = jwt_claims(jwt);
	char	 name[AUTH_CLAIM_NAME_MAX + 1];
	const char *s;
	enum err e = ERR_AUTH;

	*user = NULL;
	*why = "bad user claim list";
	while (claims != NULL && strspn(list, " ") != strlen(list)) {
		if (!auth_next_name(&list, name))
			goto out;
		switch (jsonp_string(claims, name, &s)) {
		case ERR_NOTFOUND:
			continue;
		case ERR_OK:
			*why = "user claim empty or too long";
			if (*s == '\0' || strlen(s) > AUTH_USER_MAX)
				goto out;
			*user = s;
			*why = NULL;
			e = ERR_OK;
			goto out;
		default:
			*why = "user claim not a string";
			goto out;
		}
	}
	*why = "no user claim";
out:
	return e;
}
