/*
 * Logout that reaches every session: the provider ends the sessions of
 * a user, or of one provider session ("sid"), in PostgreSQL, so on every
 * node at once.
 *
 * - Back-channel (OpenID Connect Back-Channel Logout 1.0): the provider
 *   POSTs a signed logout token; it is verified like an id_token (keys,
 *   iss, aud, exp), then as a logout token (iat window, the event, no
 *   nonce, sid and/or sub), its jti is recorded once (a replay is
 *   refused), and the sessions it names end with their cached tokens.
 * - Front-channel (what Azure AD B2C and Entra External ID send): the
 *   provider's logout page frames GET /signout/frontchannel, with iss and
 *   sid (both, or neither: then the browser's own session ends).  Only
 *   this page may be framed, and only by the provider's origins.
 * - RP-initiated logout carries a state, kept in the notice cookie; the
 *   post-logout landing (GET /?state=) says "signed out" only when it
 *   matches, else shows the plain home page.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "cookie.h"
#include "frame.h"
#include "log.h"
#include "logout_token.h"
#include "respond.h"
#include "webapp.h"

#define LOGOUT_LEEWAY 60		/* seconds of clock skew */
#define LOGOUT_STATE_PREFIX "logout."	/* notice cookie: a logout in flight */
#define LOGOUT_NUM_MAX 32		/* bytes of a number as text */

/* ---- the store ------------------------------------------------------------ */

enum err
logout_remember_sid(struct web *w, const char *session_id, const char *sid)
{
	char	*hash = NULL;
	const char *params[2];
	PGresult *res = NULL;
	enum err e;

	if (sid == NULL)
		return ERR_OK;
	if ((e = crypto_sha256_b64url(session_id, &hash)) != ERR_OK)
		return e;
	params[0] = hash;
	params[1] = sid;
	e = db_exec(w->db, &web_stmts[WSTMT_SESSION_SET_SID], params, &res);
	PQclear(res);
	free(hash);
	return e;
}

/* End the sessions of (iss, sid and/or sub); *n: how many. */
static enum err
logout_end(struct web *w, const char *iss, const char *sid, const char *sub,
    long *n)
{
	const char *params[3] = { iss, sid, sub };
	PGresult *res = NULL;
	char	*end;
	enum err e;

	*n = 0;
	if (sid == NULL && sub == NULL)
		return ERR_INPUT;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_LOGOUT_END], params,
	    &res)) == ERR_OK) {
		*n = strtol(PQcmdTuples(res), &end, 10);
		if (*end != '\0')
			*n = 0;
	}
	PQclear(res);
	return e;
}

/*
 * Record the jti of a logout token of issuer iss, kept ttl seconds:
 * ERR_OK the first time, ERR_FORBIDDEN when it was seen before.
 */
static enum err
logout_jti_once(struct web *w, const char *iss, const char *jti, long ttl)
{
	char	 secs[LOGOUT_NUM_MAX];
	const char *params[3] = { iss, jti, secs };
	PGresult *res = NULL;
	enum err e;

	snprintf(secs, sizeof(secs), "%ld", ttl);
	if (db_exec(w->db, &web_stmts[WSTMT_LOGOUT_JTI_PURGE], NULL, &res) ==
	    ERR_OK)
		PQclear(res);
	res = NULL;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_LOGOUT_JTI], params,
	    &res)) == ERR_OK && strcmp(PQcmdTuples(res), "1") != 0)
		e = ERR_FORBIDDEN;
	PQclear(res);
	return e;
}

/* ---- RP-initiated logout's state ------------------------------------------ */

enum err
logout_state(struct web *w, struct req *r, char **state)
{
	struct buf v;
	enum err e;

	*state = NULL;
	if ((e = crypto_token(WEB_SECRET_BYTES, state)) != ERR_OK)
		return e;
	buf_init(&v, 0);
	buf_adds(&v, LOGOUT_STATE_PREFIX);
	buf_adds(&v, *state);
	if ((e = v.err) == ERR_OK && !web_set_cookie(w, r, w->notice_cookie,
	    buf_str(&v), WEB_NOTICE_TTL))
		e = ERR_SYSTEM;
	buf_free(&v);
	if (e != ERR_OK) {
		crypto_free_str(*state);
		*state = NULL;
	}
	return e;
}

bool
logout_landing(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	const char *state, *hdr = req_param(r, "HTTP_COOKIE");
	char	*kept = NULL;
	size_t	 n = strlen(LOGOUT_STATE_PREFIX);
	bool	 match;

	if (s != NULL || url_params_parse(r->query, strlen(r->query), false,
	    &q) != ERR_OK || (state = url_params_get(&q, "state")) == NULL) {
		url_params_free(&q);
		return false;
	}
	match = hdr != NULL && cookie_get(hdr, w->notice_cookie, &kept) ==
	    ERR_OK && strncmp(kept, LOGOUT_STATE_PREFIX, n) == 0 &&
	    crypto_streq(kept + n, state);
	if (!match)
		log_info("post-logout landing: state missing or not this "
		    "browser's");
	/* The home page says "signed out" once, only for our own logout. */
	(void)web_set_cookie(w, r, w->notice_cookie, match ? "signedout" : "",
	    match ? WEB_NOTICE_TTL : 0);
	web_redirect(w, r, "/");
	free(kept);
	url_params_free(&q);
	return true;
}

/* ---- front-channel ------------------------------------------------------- */

/* Is iss the issuer of one of the providers (or the configured one)? */
static bool
logout_issuer_known(struct web *w, const char *iss)
{
	const char *have;
	size_t	 i;

	if (w->cfg->issuer != NULL)
		return strcmp(iss, w->cfg->issuer) == 0;
	for (i = 0; i < FLOW__MAX; i++) {
		if (w->flows[i] == NULL ||
		    provider_load(w->flows[i], w->idp, time(NULL)) != ERR_OK)
			continue;
		if ((have = provider_issuer(w->flows[i])) != NULL &&
		    strcmp(have, iss) == 0)
			return true;
	}
	return false;
}

/* The framed answer: a short page saying what happened. */
static void
logout_framed(struct web *w, struct req *r, int status, const char *msg)
{
	struct buf b;

	page_begin(w, &b, NULL, "Signed out");
	buf_adds(&b, "<h1>");
	page_text(&b, status == 200 ? "Signed out" : "Not signed out");
	buf_adds(&b, "</h1><div class=\"card\"><p>");
	page_text(&b, msg);
	buf_adds(&b, "</p></div>");
	page_end(&b);
	web_html_framed(w, r, status, &b);
}

void
logout_frontchannel(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	const char *iss = NULL, *sid = NULL;
	long	 n = 0;
	enum err e = ERR_OK;

	if (url_params_parse(r->query, strlen(r->query), false, &q) !=
	    ERR_OK) {
		logout_framed(w, r, 400, "The logout request is malformed.");
		goto out;
	}
	iss = url_params_get(&q, "iss");
	sid = url_params_get(&q, "sid");
	if (iss != NULL || sid != NULL) {
		/* A sid alone could name anyone's session: iss goes with it. */
		if (iss == NULL || sid == NULL || *sid == '\0' ||
		    !logout_issuer_known(w, iss)) {
			log_warn("front-channel logout refused: %s",
			    iss == NULL || sid == NULL || *sid == '\0' ?
			    "iss and sid must come together" :
			    "iss is not this app's provider");
			logout_framed(w, r, 400, "This logout request does "
			    "not come from this app's identity provider.");
			goto out;
		}
		e = logout_end(w, iss, sid, NULL, &n);
	} else if (s != NULL) {
		if ((e = store_session_delete(w, s->id_hash)) == ERR_OK)
			n = 1;
		(void)web_set_cookie(w, r, w->session_cookie, "", 0);
	}
	if (e != ERR_OK) {
		logout_framed(w, r, 503, "The sign-out could not be recorded. "
		    "Please try again in a moment.");
		goto out;
	}
	log_info("front-channel logout: %ld session(s) ended", n);
	logout_framed(w, r, 200, "You are signed out of the to-do list.");
out:
	url_params_free(&q);
}

/* ---- back-channel -------------------------------------------------------- */

/* A JSON answer of the back-channel endpoint: {} or an error. */
static void
logout_json(struct req *r, int status, const char *error, const char *desc)
{
	struct json_object *o = json_object_new_object();
	const char *text = NULL;

	(void)req_header(r, "Cache-Control", "no-store");
	(void)req_header(r, "X-Content-Type-Options", "nosniff");
	if (status == 503)
		(void)req_header(r, "Retry-After", REQ_RETRY_AFTER);
	if (o != NULL && error != NULL &&
	    (json_object_object_add(o, "error",
	    json_object_new_string(error)) != 0 ||
	    json_object_object_add(o, "error_description",
	    json_object_new_string(desc)) != 0)) {
		json_object_put(o);
		o = NULL;
	}
	if (o == NULL || (text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)) == NULL)
		req_respond(r, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15);
	else
		req_respond(r, status, "application/json", text,
		    strlen(text));
	json_object_put(o);
}

/* Verify the logout token; *jwt (caller frees) and *c on ERR_OK. */
static enum err
logout_verify(struct web *w, const char *token, struct jwt **jwt,
    struct logout_claims *c, const char **why)
{
	struct provider *provs[FLOW__MAX];
	struct auth_policy pol;
	time_t	 now = time(NULL);
	size_t	 i, n = 0;
	enum err e;

	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL)
			provs[n++] = w->flows[i];
	memset(&pol, 0, sizeof(pol));
	pol.providers = provs;
	pol.nproviders = n;
	pol.issuer = w->cfg->issuer;
	pol.audience = w->cfg->client_id;
	pol.leeway = LOGOUT_LEEWAY;
	if ((e = auth_verify(&pol, w->idp, token, strlen(token), now, jwt,
	    why)) != ERR_OK)
		return e;
	if ((e = logout_token_check(*jwt, now, LOGOUT_TOKEN_MAX_AGE,
	    LOGOUT_LEEWAY, c, why)) != ERR_OK) {
		jwt_free(*jwt);
		*jwt = NULL;
	}
	return e;
}

void
logout_backchannel(struct web *w, struct req *r)
{
	struct url_params f = { NULL, 0 };
	struct logout_claims c;
	struct jwt *jwt = NULL;
	const char *token, *why = "malformed", *iss;
	long	 n = 0;
	enum err e;

	if (!req_content_type_is(r, "application/x-www-form-urlencoded") ||
	    req_read_body(r, WEB_FORM_MAX) != ERR_OK ||
	    url_params_parse(buf_str(&r->body), r->body.len, true, &f) !=
	    ERR_OK || (token = url_params_get(&f, "logout_token")) == NULL ||
	    *token == '\0') {
		log_warn("back-channel logout: no logout_token form");
		logout_json(r, 400, "invalid_request", "A form with a "
		    "logout_token is expected.");
		goto out;
	}
	if ((e = logout_verify(w, token, &jwt, &c, &why)) != ERR_OK) {
		log_warn("back-channel logout: logout token rejected: %s",
		    e == ERR_UPSTREAM ? "provider unavailable" : why);
		if (e == ERR_UPSTREAM)
			logout_json(r, 503, "temporarily_unavailable", "The "
			    "identity provider's keys cannot be loaded.");
		else
			logout_json(r, 400, "invalid_request", "The logout "
			    "token is not valid.");
		goto out;
	}
	iss = jwt_claim_str(jwt, "iss");
	e = logout_jti_once(w, iss, c.jti, LOGOUT_TOKEN_MAX_AGE +
	    2 * LOGOUT_LEEWAY);
	if (e == ERR_FORBIDDEN) {
		log_warn("back-channel logout: logout token replayed");
		logout_json(r, 400, "invalid_request", "The logout token was "
		    "used already.");
		goto out;
	}
	if (e != ERR_OK || (e = logout_end(w, iss, c.sid, c.sub, &n)) !=
	    ERR_OK) {
		logout_json(r, 503, "temporarily_unavailable", "Please try "
		    "again in a moment.");
		goto out;
	}
	log_info("back-channel logout: %ld session(s) ended (by %s)", n,
	    c.sid != NULL ? "sid" : "sub");
	logout_json(r, 200, NULL, NULL);
out:
	jwt_free(jwt);
	url_params_free(&f);
}
