#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "jsonp.h"
#include "logout_token.h"
#include "oidc.h"

/*
 * A string claim that must be absent or a non-empty string of at most
 * LOGOUT_TOKEN_CLAIM_MAX bytes: ERR_OK (*out NULL when absent), or
 * ERR_AUTH.
 */
static enum err
logout_token_str(struct json_object *claims, const char *name,
    const char **out)
{
	const char *v;

	*out = NULL;
	switch (jsonp_string(claims, name, &v)) {
	case ERR_NOTFOUND:
		return ERR_OK;
	case ERR_OK:
		if (*v != '\0' && strlen(v) <= LOGOUT_TOKEN_CLAIM_MAX) {
			*out = v;
			return ERR_OK;
		}
		/* FALLTHROUGH */
	default:
		return ERR_AUTH;
	}
}

enum err
logout_token_check(const struct jwt *jwt, time_t now, long max_age,
    long leeway, struct logout_claims *out, const char **why)
{
	struct json_object *claims = jwt_claims(jwt), *events, *ev;

	memset(out, 0, sizeof(*out));
	*why = "not a JSON object";
	if (claims == NULL)
		return ERR_AUTH;
	/* The same window as an id_token's. */
	if (oidc_id_token_iat(jwt, now, max_age, leeway, why) != ERR_OK)
		return ERR_AUTH;
	if (!json_object_object_get_ex(claims, "events", &events) ||
	    !json_object_is_type(events, json_type_object) ||
	    !json_object_object_get_ex(events, LOGOUT_TOKEN_EVENT, &ev) ||
	    !json_object_is_type(ev, json_type_object)) {
		*why = "no back-channel logout event";
		return ERR_AUTH;
	}
	if (json_object_object_get_ex(claims, "nonce", NULL)) {
		*why = "a nonce (not a logout token)";
		return ERR_AUTH;
	}
	if (logout_token_str(claims, "sid", &out->sid) != ERR_OK ||
	    logout_token_str(claims, "sub", &out->sub) != ERR_OK) {
		*why = "bad sid or sub";
		goto fail;
	}
	if (out->sid == NULL && out->sub == NULL) {
		*why = "neither sid nor sub";
		goto fail;
	}
	if (logout_token_str(claims, "jti", &out->jti) != ERR_OK ||
	    out->jti == NULL) {
		*why = "no jti";
		goto fail;
	}
	return ERR_OK;
fail:
	memset(out, 0, sizeof(*out));
	return ERR_AUTH;
}
