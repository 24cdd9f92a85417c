/*
 * oidc: the client side of OpenID Connect and OAuth 2.0 — the
 * authorization request and logout URLs, the token endpoint
 * (authorization code and refresh token grants), the id_token's azp
 * and Azure AD B2C's error descriptions.
 */
#ifndef TODO_OIDC_H
#define TODO_OIDC_H

#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "httpc.h"
#include "jwt.h"

#define OIDC_EXPIRES_IN_MAX (24L * 60 * 60 * 400)	/* sanity cap */
#define OIDC_EXPIRES_IN_DEFAULT 300L	/* when the provider omits it */
#define OIDC_ERROR_MAX 1024		/* bytes of an error description */

/* What the authorization request carries. */
struct oidc_authz {
	const char	*client_id;
	const char	*redirect_uri;
	const char	*scope;
	const char	*state;
	const char	*nonce;
	const char	*code_challenge;	/* S256 */
	const char	*response_mode;		/* "form_post", or NULL */
	const char	*resource;		/* RFC 8707, or NULL */
	const char	*prompt;		/* or NULL */
	const char	*ui_locales;		/* or NULL */
};

struct assertion;

/*
 * The client's credentials at the token endpoint: a secret, or with
 * assertion set a certificate (private_key_jwt, RFC 7523: a fresh
 * assertion signed with assertion_alg, aud the token endpoint, in
 * client_assertion; the secret and basic are not used then).
 */
struct oidc_client {
	const char	*client_id;
	const char	*client_secret;
	bool		 basic;		/* client_secret_basic, else _post */
	const struct assertion *assertion;	/* or NULL */
	enum jwk_alg	 assertion_alg;	/* RS256 or PS256 */
	const char	*dpop;	/* a DPoP proof (RFC 9449) for this call */
};

struct oidc_tokens {
	char	*access_token;
	char	*refresh_token;		/* or NULL */
	char	*id_token;		/* or NULL */
	long	 expires_in;		/* seconds */
	bool	 dpop;			/* token_type DPoP: the access token
					   is bound to the proof's key */
	char	*error;			/* on ERR_AUTH: "invalid_grant" ... */
	char	*error_description;
};

/*
 * Append to out the endpoint URL with the parameters added to its query
 * (percent-encoded, NULL ones left out) and its fragment dropped.
 * ERR_INPUT when endpoint is not an absolute URL libcurl parses.
 */
enum err oidc_authorize_url(const char *endpoint, const struct oidc_authz *,
	    struct buf *out);
/*
 * PAR (RFC 9126): push the authorization request a (its client_id goes
 * with the client's authentication, as at the token endpoint) and get
 * its request_uri (*request_uri: caller frees).  ERR_AUTH when the
 * provider refused it, ERR_UPSTREAM when it could not be reached or
 * answered nonsense (both logged).
 */
enum err oidc_par(struct httpc *, const char *endpoint,
	    const struct oidc_client *, const struct oidc_authz *a,
	    char **request_uri);
/* Parse a PAR endpoint answer into *(char **)request_uri (for tests). */
enum err oidc_par_parse(long status, const char *body, size_t len,
	    void *request_uri);
/* The authorization URL of a pushed request: client_id and request_uri. */
enum err oidc_par_url(const char *endpoint, const char *client_id,
	    const char *request_uri, struct buf *out);
/*
 * RP-initiated logout: append to out the end_session endpoint with
 * post_logout_redirect_uri, id_token_hint and state (each when not
 * NULL) and client_id, as oidc_authorize_url does.
 */
enum err oidc_logout_url(const char *endpoint,
	    const char *post_logout_redirect_uri, const char *id_token_hint,
	    const char *client_id, const char *state, struct buf *out);
/*
 * RFC 9207: the "iss" of an authorization response (NULL: absent)
 * against the issuer the request went to.  required: the provider
 * advertises authorization_response_iss_parameter_supported, so it must
 * be there; one that is there must equal issuer exactly (mix-up
 * defence).  ERR_OK, or ERR_AUTH with *why (static, safe to log).
 */
enum err oidc_response_iss(const char *iss, const char *issuer,
	    bool required, const char **why);
/*
 * Append the origin of the absolute URL url and "/" to out: scheme, host
 * and port as libcurl parses them (a port is kept even when it is the
 * default), without user info, path, query or fragment.
 */
enum err oidc_origin_root(const char *url, struct buf *out);
/*
 * The id_token's azp (OpenID Connect Core 3.1.3.7): when present it must
 * be client_id, and it must be present when aud has several values.
 * Call after jwt_check.  ERR_OK, or ERR_AUTH with *why (static, safe to
 * log).
 */
enum err oidc_id_token_azp(const struct jwt *, const char *client_id,
	    const char **why);
/*
 * The id_token's iat: required, not after now + leeway, and at most
 * max_age (+ leeway) seconds before now.  ERR_OK, or ERR_AUTH with *why.
 */
enum err oidc_id_token_iat(const struct jwt *, time_t now, long max_age,
	    long leeway, const char **why);
/*
 * The id_token's tfp and acr (Azure AD B2C name the user flow in one of
 * them), when present, must be policy (compared case-insensitively, as
 * B2C policy names are).  policy NULL: not checked.  ERR_OK, or ERR_AUTH
 * with *why.
 */
enum err oidc_id_token_flow(const struct jwt *, const char *policy,
	    const char **why);
/*
 * Redeem a code (verifier and redirect_uri needed) or a refresh token.
 * ERR_OK with tokens; ERR_AUTH when the provider refused (tok->error set);
 * ERR_UPSTREAM when it could not be reached or answered nonsense.
 * oidc_refresh answers ERR_AUTH only for invalid_grant (the refresh
 * token is no good); any other error (invalid_client,
 * unauthorized_client, 429, 5xx, time-outs) is ERR_UPSTREAM with
 * tok->error set when the provider named one, and is logged: the
 * caller keeps the refresh token and tries again later.
 */
enum err oidc_redeem_code(struct httpc *, const char *endpoint,
	    const struct oidc_client *, const char *code, const char *verifier,
	    const char *redirect_uri, const char *scope, const char *resource,
	    struct oidc_tokens *);
enum err oidc_refresh(struct httpc *, const char *endpoint,
	    const struct oidc_client *, const char *refresh_token,
	    const char *scope, const char *resource, struct oidc_tokens *);
/* Parse a token endpoint answer (exposed for tests). */
enum err oidc_tokens_parse(long status, const char *body, size_t len,
	    struct oidc_tokens *);
void	 oidc_tokens_free(struct oidc_tokens *);	/* wipes the tokens */

enum oidc_b2c {
	OIDC_B2C_NONE,			/* not a B2C code we handle apart */
	OIDC_B2C_FORGOT_PASSWORD,	/* AADB2C90118 */
	OIDC_B2C_CANCELLED,		/* AADB2C90091 */
	OIDC_B2C__MAX
};
/* Which B2C condition an error_description reports. */
enum oidc_b2c oidc_b2c_code(const char *error_description);
/*
 * The "Correlation ID: ..." of a B2C error description as a fresh string
 * (NULL when there is none, or on no memory).
 */
char	*oidc_b2c_correlation(const char *error_description);
/*
 * The "Trace ID: ..." of a Microsoft Entra (AADSTS) error description,
 * likewise; its "Correlation ID: ..." is oidc_b2c_correlation's.
 */
char	*oidc_ms_trace(const char *error_description);

#endif
