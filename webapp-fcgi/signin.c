/*
 * Sign-in with OpenID Connect: the authorization code flow as a
 * confidential client with PKCE, state and nonce, one user flow (B2C
 * policy) at a time; the callback; sign-out.
 *
 * The callback works when the provider is another site.  A form_post
 * answer is a cross-site POST that carries no SameSite=Lax cookie, so it
 * only records the answer against its state and redirects to a GET of
 * the callback, a top-level navigation that does carry the cookie which
 * binds the sign-in to this browser.  The code never appears in a URL.
 * The answer's RFC 9207 iss is recorded with it and checked by the GET.
 * With PAR (RFC 9126, use_par) the request is pushed to the provider and
 * the browser carries only client_id and request_uri.  Sign-out sends a
 * state (logout.c checks it on the landing); the session keeps the
 * provider's sid for front- and back-channel logout (logout.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cookie.h"
#include "langtag.h"
#include "log.h"
#include "oidc.h"
#include "pkce.h"
#include "respond.h"
#include "webapp.h"

#define SIGNIN_CLAIM_MAX 256
#define SIGNIN_USER_CLAIMS "oid sub"	/* the user, in this order */

static const char signin_callback_path[] = "/signin/callback";

/* The configured user flow (B2C policy) name of f, or NULL. */
static const char *
signin_policy_name(struct web *w, enum flow f)
{
	switch (f) {
	case FLOW_SIGNIN:
		return w->cfg->signup_signin_policy;
	case FLOW_PROFILE:
		return w->cfg->edit_profile_policy;
	case FLOW_RESET:
		return w->cfg->reset_password_policy;
	default:
		return NULL;
	}
}

/* The flow whose policy name is "policy", or FLOW__MAX. */
static enum flow
signin_flow(struct web *w, const char *policy)
{
	size_t i;

	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL && strcmp(w->policies[i], policy) == 0)
			return (enum flow)i;
	return FLOW__MAX;
}

/* The browser's binding value: the existing cookie, or a new one. */
enum err
signin_browser(struct web *w, struct req *r, char **out)
{
	const char *hdr = req_param(r, "HTTP_COOKIE");
	char	*v = NULL;

	*out = NULL;
	if (hdr != NULL && cookie_get(hdr, w->auth_cookie, &v) == ERR_OK &&
	    strlen(v) == CRYPTO_SHA256_B64_LEN &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == CRYPTO_SHA256_B64_LEN) {
		*out = v;
		return ERR_OK;
	}
	crypto_free_str(v);
	return crypto_token(WEB_SECRET_BYTES, out);
}

enum err
signin_client(struct web *w, const struct provider *p,
    struct oidc_client *c)
{
	memset(c, 0, sizeof(*c));
	c->client_id = w->cfg->client_id;
	c->client_secret = w->secret;
	c->basic = provider_basic_auth(p);
	if (w->assertion == NULL)
		return ERR_OK;
	c->assertion = w->assertion;
	if (provider_assertion_alg(p, &c->assertion_alg) != ERR_OK) {
		log_err("client assertion: the provider takes neither PS256 "
		    "nor RS256 (token_endpoint_auth_signing_alg_values_"
		    "supported)");
		return ERR_UPSTREAM;
	}
	return ERR_OK;
}

/*
 * Where the browser goes to sign in (appended to url).  With PAR (RFC
 * 9126: use_par on, or auto and the provider offers it) the request is
 * pushed, authenticated as at the token endpoint, and the URL carries
 * client_id and request_uri only; else the whole request is in the URL.
 * ERR_UPSTREAM: the push failed, or use_par is on and the provider has
 * no PAR endpoint (logged).
 */
static enum err
signin_authz_url(struct web *w, struct req *r, struct provider *p,
    struct oidc_authz *az, struct buf *url)
{
	const char *authz = provider_endpoint(p, PROVIDER_AUTHORIZE);
	const char *par = provider_endpoint(p, PROVIDER_PAR);
	struct oidc_client client;
	struct buf tags;
	char	*request_uri = NULL;
	enum err e;

	/* The browser's languages (well-formed tags only) as ui_locales. */
	buf_init(&tags, 0);
	if (langtag_ui_locales(req_param(r, "HTTP_ACCEPT_LANGUAGE"), &tags) ==
	    ERR_OK && tags.len > 0)
		az->ui_locales = buf_str(&tags);
	if (strcmp(w->cfg->use_par, "off") == 0 ||
	    (par == NULL && strcmp(w->cfg->use_par, "auto") == 0)) {
		e = oidc_authorize_url(authz, az, url);
		goto out;
	}
	if (par == NULL) {
		log_err("use_par is on, but the provider offers no "
		    "pushed_authorization_request_endpoint");
		e = ERR_UPSTREAM;
		goto out;
	}
	if ((e = signin_client(w, p, &client)) == ERR_OK &&
	    (e = oidc_par(w->idp, par, &client, az, &request_uri)) == ERR_OK)
		e = oidc_par_url(authz, w->cfg->client_id, request_uri, url);
out:
	az->ui_locales = NULL;
	buf_free(&tags);
	free(request_uri);
	return e;
}

bool
signin_par_check(struct web *w, const struct provider *p, const char *label,
    FILE *out)
{
	if (strcmp(w->cfg->use_par, "on") != 0 ||
	    provider_endpoint(p, PROVIDER_PAR) != NULL)
		return true;
	fprintf(out, "%s: use_par is on, but the provider offers no "
	    "pushed_authorization_request_endpoint\n", label);
	return false;
}

/* Start the flow: record the request, send the browser to the provider. */
static void
signin_begin(struct web *w, struct req *r, const struct session *s,
    enum flow f, const char *return_to, bool retry)
{
	struct oidc_authz az;
	struct provider *p = w->flows[f];
	char	*browser = NULL, *state = NULL, *nonce = NULL;
	char	*verifier = NULL, *challenge = NULL;
	const char *endpoint;
	struct buf url;
	enum err e;

	buf_init(&url, 0);
	if (p == NULL) {
		web_error(w, r, s, 404, "Not offered",
		    "This sign-in flow is not offered here.");
		goto out;
	}
	if (provider_load(p, w->idp, time(NULL)) != ERR_OK ||
	    (endpoint = provider_endpoint(p, PROVIDER_AUTHORIZE)) == NULL) {
		web_error(w, r, s, 503, "Sign-in unavailable",
		    "The identity provider cannot be reached. Please try "
		    "again in a moment.");
		goto out;
	}
	if ((e = signin_browser(w, r, &browser)) != ERR_OK ||
	    (e = crypto_token(WEB_SECRET_BYTES, &state)) != ERR_OK ||
	    (e = crypto_token(WEB_SECRET_BYTES, &nonce)) != ERR_OK ||
	    (e = pkce_verifier_new(&verifier)) != ERR_OK ||
	    (e = pkce_challenge_s256(verifier, &challenge)) != ERR_OK) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	if ((e = store_auth_insert(w, state, browser, w->policies[f], nonce,
	    verifier, return_to, retry)) != ERR_OK) {
		web_error(w, r, s, e == ERR_DB || e == ERR_FORBIDDEN ? 503 :
		    500, "Sign-in unavailable", e == ERR_FORBIDDEN ? "Too "
		    "many sign-ins are in progress right now. Please try again "
		    "in a moment." : "Please try again in a moment.");
		goto out;
	}
	memset(&az, 0, sizeof(az));
	az.client_id = w->cfg->client_id;
	az.redirect_uri = w->cfg->redirect_uri;
	az.scope = w->scope;
	az.state = state;
	az.nonce = nonce;
	az.code_challenge = challenge;
	az.response_mode = "form_post";
	az.resource = w->cfg->api_resource;
	if ((e = signin_authz_url(w, r, p, &az, &url)) != ERR_OK) {
		web_error(w, r, s, e == ERR_UPSTREAM || e == ERR_AUTH ? 503 :
		    500, "Sign-in unavailable", "The identity provider cannot "
		    "take the sign-in request. Please try again in a moment.");
		goto out;
	}
	if (!web_set_cookie(w, r, w->auth_cookie, browser, WEB_STATE_TTL)) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	ops_count(w, WM_SIGNINS_STARTED, f);
	web_redirect(w, r, buf_str(&url));
out:
	buf_free(&url);
	crypto_free_str(browser);
	crypto_free_str(state);
	crypto_free_str(nonce);
	crypto_free_str(verifier);
	free(challenge);
}

/* Does the request carry the cookie of a session that is still valid? */
static bool
signin_has_session(struct web *w, struct req *r)
{
	const char *hdr = req_param(r, "HTTP_COOKIE");
	struct session s;
	char	*sid = NULL;
	bool	 valid;

	if (hdr == NULL || cookie_get(hdr, w->session_cookie, &sid) != ERR_OK)
		return false;
	valid = store_session_get(w, sid, &s) == ERR_OK;
	store_session_free(&s);
	crypto_free_str(sid);
	return valid;
}

void
signin_redirect(struct web *w, struct req *r, const char *return_to)
{
	struct buf loc;

	buf_init(&loc, 0);
	buf_adds(&loc, "/signin?return_to=");
	url_encode(return_to, &loc);
	/* Signed in, yet sent to sign in: what it got does not work. */
	if (signin_has_session(w, r))
		buf_adds(&loc, "&again=1");
	if (loc.err != ERR_OK)
		web_error(w, r, NULL, 500, "Error", "Please try again.");
	else
		web_redirect(w, r, buf_str(&loc));
	buf_free(&loc);
}

/*
 * A session made moments ago by a sign-in that was itself sent straight
 * back (retried) is being sent to sign in once more: the app cannot use
 * what the provider gives it, and signing in again will not change
 * that.  Say what is wrong instead of going round again.
 */
static void
signin_loop(struct web *w, struct req *r, const struct session *s)
{
	if (s->access_sealed == NULL) {
		log_err("sign-in loop stopped: the provider signs the user in "
		    "but issues no access token for the API (scope %s)",
		    w->scope);
		web_error(w, r, s, 502, "Tasks unavailable", "You are signed "
		    "in, but the identity provider issued no access token "
		    "for the task service, so your tasks cannot be shown, "
		    "and signing in again will not help. The web app must be "
		    "granted the task API's read and write permissions (with "
		    "admin consent) and api_identifier must name that API: "
		    "please tell the site's administrator.");
	} else {
		log_err("sign-in loop stopped: the API refuses the access "
		    "tokens the provider has just issued");
		web_error(w, r, s, 502, "Tasks unavailable", "You are signed "
		    "in, but the task service refuses the access token the "
		    "identity provider has just issued, so your tasks cannot "
		    "be shown, and signing in again will not help. The task "
		    "API's audience, issuer or metadata_url do not match the "
		    "identity provider (its log says which check failed): "
		    "please tell the site's administrator.");
	}
}

void
signin_start(struct web *w, struct req *r, const struct session *s,
    enum flow f)
{
	struct url_params q = { NULL, 0 };
	const char *rt = NULL;
	bool	 again = false, retry;

	if (url_params_parse(r->query, strlen(r->query), false, &q) ==
	    ERR_OK) {
		rt = url_params_get(&q, "return_to");
		again = url_params_get(&q, "again") != NULL;
	}
	/*
	 * Sent back to sign in (signin_redirect's "again") by a session
	 * made moments ago: go round once more; if that session came from
	 * such a round already, stop.
	 */
	retry = again && f == FLOW_SIGNIN && s != NULL &&
	    time(NULL) - s->created < WEB_LOOP_WINDOW;
	if (retry && s->retried) {
		signin_loop(w, r, s);
		url_params_free(&q);
		return;
	}
	if (rt == NULL || !url_return_to_ok(rt))
		rt = f == FLOW_SIGNIN ? "/tasks" : "/";
	if (f == FLOW_PROFILE && s == NULL)
		signin_redirect(w, r, "/profile");
	else
		signin_begin(w, r, s, f, rt, retry);
	url_params_free(&q);
}

/* A string claim or NULL when absent or too long. */
static const char *
signin_claim(const struct jwt *jwt, const char *name)
{
	const char *v = jwt_claim_str(jwt, name);

	if (v == NULL || *v == '\0' || strlen(v) > SIGNIN_CLAIM_MAX)
		return NULL;
	return v;
}

/* The display name: "name", else the first of "emails", else "email". */
static const char *
signin_name(const struct jwt *jwt, const char *subject)
{
	struct json_object *emails, *first;
	const char *v;

	if ((v = signin_claim(jwt, "name")) != NULL)
		return v;
	if (json_object_object_get_ex(jwt_claims(jwt), "emails", &emails) &&
	    json_object_is_type(emails, json_type_array) &&
	    json_object_array_length(emails) > 0 &&
	    (first = json_object_array_get_idx(emails, 0)) != NULL &&
	    json_object_is_type(first, json_type_string))
		return json_object_get_string(first);
	if ((v = signin_claim(jwt, "email")) != NULL)
		return v;
	return subject;
}

/* The provider said no: forgot password, cancelled, or an error page. */
static void
signin_error(struct web *w, struct req *r, const struct session *s,
    const struct auth_request *a)
{
	struct buf msg;
	char	*corr;
	size_t	 n;
	const char *d = a->error_description ? a->error_description : "";

	ops_provider_error(w, a->error, d);
	switch (oidc_b2c_code(d)) {
	case OIDC_B2C_FORGOT_PASSWORD:
		if (w->flows[FLOW_RESET] != NULL) {
			signin_begin(w, r, s, FLOW_RESET, a->return_to,
			    a->retry);
			return;
		}
		break;
	case OIDC_B2C_CANCELLED:
		ops_signin_failed(w, WSF_CANCELLED);
		web_redirect(w, r, "/?notice=cancelled");
		return;
	default:
		break;
	}
	buf_init(&msg, 0);
	buf_adds(&msg, "The identity provider could not sign you in (");
	buf_adds(&msg, a->error);
	buf_adds(&msg, "). ");
	/* The first line of the description; the rest is diagnostics. */
	n = strcspn(d, "\r\n");
	buf_add(&msg, d, n);
	/* Entra (AADSTS...) names a trace id too: support asks for both. */
	if ((corr = oidc_ms_trace(d)) != NULL) {
		buf_adds(&msg, " Trace ID: ");
		buf_adds(&msg, corr);
		free(corr);
	}
	if ((corr = oidc_b2c_correlation(d)) != NULL) {
		buf_adds(&msg, " Correlation ID: ");
		buf_adds(&msg, corr);
		free(corr);
	}
	ops_signin_failed(w, WSF_PROVIDER_ERROR);
	web_error(w, r, s, 400, "Sign-in failed", buf_str(&msg));
	buf_free(&msg);
}

/* Redeem the code, check the id_token, make or update the session. */
static void
signin_finish(struct web *w, struct req *r, const struct session *s,
    const struct auth_request *a, const char *code)
{
	struct oidc_client client;
	struct oidc_tokens tok;
	struct auth_policy pol;
	struct jwt *jwt = NULL;
	struct provider *p;
	struct dpopkey *dkey = NULL;
	const char *endpoint, *why, *iss, *sub, *name, *claims;
	char	*sid = NULL, *dproof = NULL;
	enum flow f;
	enum err e;

	memset(&tok, 0, sizeof(tok));
	if ((f = signin_flow(w, a->policy)) == FLOW__MAX) {
		ops_signin_failed(w, WSF_OTHER);
		web_error(w, r, s, 400, "Sign-in failed", "This sign-in flow "
		    "is no longer offered. Please sign in again.");
		goto out;
	}
	p = w->flows[f];
	if (provider_load(p, w->idp, time(NULL)) != ERR_OK ||
	    (endpoint = provider_endpoint(p, PROVIDER_TOKEN)) == NULL ||
	    signin_client(w, p, &client) != ERR_OK ||
	    webdpop_token_request(w, p, NULL, endpoint, &dkey, &dproof) !=
	    ERR_OK) {
		ops_signin_failed(w, WSF_UNAVAILABLE);
		web_error(w, r, s, 503, "Sign-in unavailable", "The identity "
		    "provider cannot be reached. Please try again.");
		goto out;
	}
	client.dpop = dproof;	/* DPoP: the tokens bound to a new key */
	e = oidc_redeem_code(w->idp, endpoint, &client, code, a->verifier,
	    w->cfg->redirect_uri, w->scope, w->cfg->api_resource, &tok);
	if (e == ERR_AUTH) {
		log_warn("code refused: %s", tok.error);
		ops_signin_failed(w, WSF_CODE_REFUSED);
		web_error(w, r, s, 400, "Sign-in failed", "The identity "
		    "provider refused the sign-in. Please sign in again.");
		goto out;
	}
	if (e != ERR_OK) {
		ops_signin_failed(w, WSF_UNAVAILABLE);
		web_error(w, r, s, 503, "Sign-in unavailable", "The identity "
		    "provider cannot be reached. Please try again.");
		goto out;
	}
	memset(&pol, 0, sizeof(pol));
	pol.providers = &w->flows[f];
	pol.nproviders = 1;
	pol.issuer = w->cfg->issuer;
	pol.audience = w->cfg->client_id;
	pol.nonce = a->nonce;
	pol.leeway = 60;
	why = "missing";
	e = ERR_AUTH;
	if (tok.id_token != NULL && (e = auth_verify(&pol, w->idp,
	    tok.id_token, strlen(tok.id_token), time(NULL), &jwt, &why)) ==
	    ERR_OK &&
	    (e = oidc_id_token_azp(jwt, w->cfg->client_id, &why)) == ERR_OK &&
	    (e = oidc_id_token_iat(jwt, time(NULL),
	    w->cfg->max_id_token_age, pol.leeway, &why)) == ERR_OK)
		e = oidc_id_token_flow(jwt, signin_policy_name(w, f), &why);
	if (e != ERR_OK) {
		log_warn("id_token rejected: %s", why);
		ops_signin_failed(w, e == ERR_UPSTREAM ? WSF_UNAVAILABLE :
		    WSF_ID_TOKEN);
		web_error(w, r, s, e == ERR_UPSTREAM ? 503 : 400,
		    "Sign-in failed", "The sign-in could not be verified. "
		    "Please sign in again.");
		goto out;
	}
	iss = jwt_claim_str(jwt, "iss");
	/* The user: "oid" (B2C, Entra), else "sub"; an "oid" that is there
	 * but not a non-empty string refuses the sign-in, never falls back. */
	if (auth_user(jwt, SIGNIN_USER_CLAIMS, &sub, &why) != ERR_OK) {
		log_warn("id_token rejected: %s", why);
		ops_signin_failed(w, WSF_ID_TOKEN);
		web_error(w, r, s, 400, "Sign-in failed", "The sign-in could "
		    "not be verified. Please sign in again.");
		goto out;
	}
	name = signin_name(jwt, sub);
	claims = json_object_to_json_string_ext(jwt_claims(jwt),
	    JSON_C_TO_STRING_PLAIN);
	/* Edit profile: same user, same session; the API tokens stay. */
	if (f == FLOW_PROFILE && s != NULL && strcmp(s->issuer, iss) == 0 &&
	    strcmp(s->subject, sub) == 0) {
		if ((e = store_session_update(w, s, name, claims,
		    tok.id_token)) != ERR_OK)
			goto fail;
		ops_count(w, WM_SIGNINS_COMPLETED, f);
		web_redirect(w, r, a->return_to);
		goto out;
	}
	/* A new session id at every sign-in: no fixation. */
	if ((e = store_session_new(w, iss, sub, name, claims, tok.id_token,
	    a->retry, &sid)) != ERR_OK)
		goto fail;
	/* The provider's session, for front- and back-channel logout. */
	if ((e = logout_remember_sid(w, sid, signin_claim(jwt, "sid"))) !=
	    ERR_OK)
		goto fail;
	if (s != NULL)
		(void)store_session_delete(w, s->id_hash);
	if (tok.access_token != NULL) {
		char *h = NULL;

		if ((e = crypto_sha256_b64url(sid, &h)) == ERR_OK &&
		    (e = webdpop_bind(w, h, dkey, &tok)) == ERR_OK)
			e = store_tokens_put(w, h, a->policy,
			    tok.access_token, tok.expires_in,
			    tok.refresh_token);
		free(h);
		if (e != ERR_OK)
			goto fail;
	}
	/* A browser-session cookie: gone when the browser closes. */
	if (!web_set_cookie(w, r, w->session_cookie, sid, -1)) {
		e = ERR_SYSTEM;
		goto fail;
	}
	log_info("signed in via %s", a->policy);
	ops_count(w, WM_SIGNINS_COMPLETED, f);
	web_redirect(w, r, a->return_to);
	goto out;
fail:
	ops_signin_failed(w, e == ERR_DB ? WSF_UNAVAILABLE : WSF_OTHER);
	web_error(w, r, s, e == ERR_DB ? 503 : 500, "Sign-in failed",
	    "Your session could not be saved. Please try again.");
out:
	crypto_free_str(sid);
	jwt_free(jwt);
	oidc_tokens_free(&tok);
	webdpop_done(dkey, dproof);
}

/*
 * RFC 9207 (mix-up defence): the answer's iss must be the issuer of the
 * provider the request went to; required when the provider advertises
 * it.  false: refused (answered here).
 */
static bool
signin_iss_ok(struct web *w, struct req *r, const struct session *s,
    const struct auth_request *a)
{
	enum flow f = signin_flow(w, a->policy);
	const char *why;

	if (f == FLOW__MAX)		/* signin_finish says so */
		return true;
	if (provider_load(w->flows[f], w->idp, time(NULL)) != ERR_OK) {
		ops_signin_failed(w, WSF_UNAVAILABLE);
		web_error(w, r, s, 503, "Sign-in unavailable", "The identity "
		    "provider cannot be reached. Please try again.");
		return false;
	}
	if (oidc_response_iss(a->iss, provider_issuer(w->flows[f]),
	    provider_iss_param(w->flows[f]), &why) == ERR_OK)
		return true;
	log_warn("callback refused: %s", why);
	ops_signin_failed(w, WSF_BAD_ANSWER);
	web_error(w, r, s, 400, "Sign-in failed", "The answer did not come "
	    "from the identity provider this sign-in was sent to. Please "
	    "sign in again.");
	return false;
}

/* POST (form_post): record the answer and come back as a GET. */
static void
signin_callback_post(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	const char *state, *code, *error;
	struct buf loc;
	enum err e;

	buf_init(&loc, 0);
	if (!web_form(w, r, &f))
		goto out;
	state = url_params_get(&f, "state");
	code = url_params_get(&f, "code");
	error = url_params_get(&f, "error");
	if (state == NULL || (code == NULL) == (error == NULL)) {
		ops_signin_failed(w, WSF_BAD_ANSWER);
		web_error(w, r, s, 400, "Sign-in failed", "The answer from "
		    "the identity provider is incomplete.");
		goto out;
	}
	/* RFC 9207's iss is checked with the answer, by the GET below. */
	e = store_auth_result(w, state, code, error,
	    url_params_get(&f, "error_description"), url_params_get(&f, "iss"));
	if (e == ERR_NOTFOUND) {
		ops_signin_failed(w, WSF_EXPIRED);
		web_error(w, r, s, 400, "Sign-in expired", "This sign-in has "
		    "expired or was already used. Please sign in again.");
		goto out;
	}
	if (e != ERR_OK) {
		ops_signin_failed(w, WSF_UNAVAILABLE);
		web_error(w, r, s, 503, "Sign-in unavailable",
		    "Please try again in a moment.");
		goto out;
	}
	buf_adds(&loc, signin_callback_path);
	buf_adds(&loc, "?state=");
	url_encode(state, &loc);
	if (loc.err != ERR_OK)
		web_error(w, r, s, 500, "Error", "Please try again.");
	else
		web_redirect(w, r, buf_str(&loc));
out:
	buf_free(&loc);
	url_params_free(&f);
}

void
signin_callback(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	struct auth_request a;
	const char *state, *code, *error, *hdr;
	char	*browser = NULL;
	enum err e;

	memset(&a, 0, sizeof(a));
	if (r->method == REQ_POST) {
		signin_callback_post(w, r, s);
		return;
	}
	if (url_params_parse(r->query, strlen(r->query), false, &q) !=
	    ERR_OK || (state = url_params_get(&q, "state")) == NULL) {
		ops_signin_failed(w, WSF_BAD_ANSWER);
		web_error(w, r, s, 400, "Sign-in failed", "The answer from "
		    "the identity provider is incomplete.");
		goto out;
	}
	/*
	 * The app asks for response_mode=form_post: an answer in the query
	 * string did not come the way it was asked for.  Refused before the
	 * sign-in is looked up, so it stays usable and nothing is redeemed.
	 */
	if (url_params_get(&q, "code") != NULL ||
	    url_params_get(&q, "error") != NULL) {
		log_warn("callback: an answer in the query string refused "
		    "(form_post was asked for)");
		ops_signin_failed(w, WSF_BAD_ANSWER);
		web_error(w, r, s, 400, "Sign-in failed", "The answer from "
		    "the identity provider did not come as it was asked for. "
		    "Please sign in again.");
		goto out;
	}
	hdr = req_param(r, "HTTP_COOKIE");
	if (hdr == NULL || cookie_get(hdr, w->auth_cookie, &browser) !=
	    ERR_OK) {
		ops_signin_failed(w, WSF_EXPIRED);
		web_error(w, r, s, 400, "Sign-in expired", "This sign-in did "
		    "not start in this browser, or cookies are off. Please "
		    "sign in again.");
		goto out;
	}
	if ((e = store_auth_take(w, state, browser, &a)) != ERR_OK) {
		ops_signin_failed(w, e == ERR_NOTFOUND ? WSF_EXPIRED :
		    WSF_UNAVAILABLE);
		if (e == ERR_NOTFOUND)
			web_error(w, r, s, 400, "Sign-in expired", "This "
			    "sign-in has expired or was already used. Please "
			    "sign in again.");
		else
			web_error(w, r, s, 503, "Sign-in unavailable",
			    "Please try again in a moment.");
		goto out;
	}
	/* Only what the form_post step recorded. */
	code = a.code;
	error = a.error;
	if (!signin_iss_ok(w, r, s, &a))
		;
	else if (error != NULL)
		signin_error(w, r, s, &a);
	else if (code != NULL)
		signin_finish(w, r, s, &a, code);
	else {
		ops_signin_failed(w, WSF_BAD_ANSWER);
		web_error(w, r, s, 400, "Sign-in failed", "The answer from "
		    "the identity provider is incomplete.");
	}
out:
	store_auth_free(&a);
	crypto_free_str(browser);
	url_params_free(&q);
}

void
signin_provider_signout(struct web *w, struct req *r, const char *id_token,
    const char *state, const char *fallback)
{
	struct provider *p = w->flows[FLOW_SIGNIN];
	const char *endpoint;
	struct buf loc, back;

	buf_init(&loc, 0);
	buf_init(&back, 0);
	if (p == NULL || provider_load(p, w->idp, time(NULL)) != ERR_OK ||
	    (endpoint = provider_endpoint(p, PROVIDER_END_SESSION)) == NULL ||
	    oidc_origin_root(w->cfg->redirect_uri, &back) != ERR_OK ||
	    oidc_logout_url(endpoint, buf_str(&back), id_token,
	    w->cfg->client_id, state, &loc) != ERR_OK)
		web_redirect(w, r, fallback);
	else
		web_redirect(w, r, buf_str(&loc));
	buf_free(&back);
	buf_free_secret(&loc);
}

void
signin_signout(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	char	*id_token = NULL, *state = NULL;

	if (s == NULL) {
		web_redirect(w, r, "/");
		goto out;
	}
	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	(void)store_session_id_token(w, s, &id_token);
	if (store_session_delete(w, s->id_hash) != ERR_OK) {
		web_error(w, r, s, 503, "Sign-out failed", "Please try again "
		    "in a moment.");
		goto out;
	}
	(void)web_set_cookie(w, r, w->session_cookie, "", 0);
	/*
	 * The provider sends the browser back to the origin of redirect_uri
	 * with the state, which logout_state keeps in the notice cookie:
	 * the landing says there it is signed out (logout_landing).
	 */
	if (logout_state(w, r, &state) != ERR_OK)
		web_redirect(w, r, "/?notice=signedout");
	else
		signin_provider_signout(w, r, id_token, state,
		    "/?notice=signedout");
out:
	crypto_free_str(id_token);
	crypto_free_str(state);
	url_params_free(&f);
}
