#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "assertion.h"
#include "crypto.h"
#include "jsonp.h"
#include "log.h"
#include "oidc.h"
#include "url.h"

#define OIDC_FORM_MAX (32 * 1024)
#define OIDC_CORRELATION_MAX 64
#define OIDC_ASSERTION_TYPE \
	"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static const struct {
	const char	*code;
	enum oidc_b2c	 which;
} oidc_b2c_codes[] = {
	{ "AADB2C90118", OIDC_B2C_FORGOT_PASSWORD },
	{ "AADB2C90091", OIDC_B2C_CANCELLED },
};

/* Append "SEPname=value" percent-encoded; *sep becomes '&'. */
static enum err
oidc_param(struct buf *b, char *sep, const char *name, const char *value)
{
	enum err e;

	if (value == NULL)
		return ERR_OK;
	if ((e = buf_addc(b, *sep)) != ERR_OK ||
	    (e = buf_adds(b, name)) != ERR_OK ||
	    (e = buf_addc(b, '=')) != ERR_OK ||
	    (e = url_encode(value, b)) != ERR_OK)
		return e;
	*sep = '&';
	return ERR_OK;
}

/* A libcurl URL API failure as ours. */
static enum err
oidc_curlu_err(CURLUcode rc)
{
	return rc == CURLUE_OUT_OF_MEMORY ? ERR_NOMEM : ERR_INPUT;
}

/*
 * Parse the absolute URL url into a new handle without its fragment:
 * an endpoint URL has none (RFC 6749 3.1), and parameters written
 * after one would never reach the server.
 */
static enum err
oidc_url_open(const char *url, CURLU **out)
{
	CURLUcode rc;

	if ((*out = curl_url()) == NULL)
		return ERR_NOMEM;
	if ((rc = curl_url_set(*out, CURLUPART_URL, url, 0)) == CURLUE_OK)
		rc = curl_url_set(*out, CURLUPART_FRAGMENT, NULL, 0);
	if (rc != CURLUE_OK) {
		curl_url_cleanup(*out);
		*out = NULL;
		return oidc_curlu_err(rc);
	}
	return ERR_OK;
}

/*
 * Append the URL of u to out (curl's copy is wiped: it may hold state)
 * and set *sep to the separator of the next query parameter.
 */
static enum err
oidc_url_put(CURLU *u, struct buf *out, char *sep)
{
	CURLUcode rc;
	char	*s = NULL;
	enum err e;

	rc = curl_url_get(u, CURLUPART_QUERY, &s, 0);
	if (rc != CURLUE_OK && rc != CURLUE_NO_QUERY)
		return oidc_curlu_err(rc);
	*sep = rc == CURLUE_OK ? '&' : '?';
	curl_free(s);
	s = NULL;
	if ((rc = curl_url_get(u, CURLUPART_URL, &s, 0)) != CURLUE_OK)
		return oidc_curlu_err(rc);
	e = buf_adds(out, s);
	OPENSSL_cleanse(s, strlen(s));
	curl_free(s);
	return e;
}

/*
 * endpoint, parsed by libcurl, with the name/value pairs of params
 * (NULL-terminated) added to its query.  The values are encoded by
 * url_encode rather than CURLU_URLENCODE, which writes a space as '+'
 * and lower-case hex, and out grows from the front, so a failure
 * leaves a prefix of the URL (test_nomem).
 */
static enum err
oidc_url_build(const char *endpoint, const char *const *params,
    struct buf *out)
{
	CURLU	*u = NULL;
	char	 sep;
	enum err e;
	size_t	 i;

	if ((e = oidc_url_open(endpoint, &u)) != ERR_OK)
		return e;
	e = oidc_url_put(u, out, &sep);
	for (i = 0; e == ERR_OK && params[i] != NULL; i += 2)
		e = oidc_param(out, &sep, params[i], params[i + 1]);
	curl_url_cleanup(u);
	return e;
}

/* The authorization request's name/value pairs, NULL-terminated. */
#define OIDC_AUTHZ_PARAMS(a) { "client_id", (a)->client_id, \
	"response_type", "code", "redirect_uri", (a)->redirect_uri, \
	"response_mode", (a)->response_mode, "scope", (a)->scope, \
	"state", (a)->state, "nonce", (a)->nonce, \
	"code_challenge", (a)->code_challenge, \
	"code_challenge_method", "S256", "resource", (a)->resource, \
	"prompt", (a)->prompt, "ui_locales", (a)->ui_locales, NULL }

enum err
oidc_authorize_url(const char *endpoint, const struct oidc_authz *a,
    struct buf *out)
{
	const char *const params[] = OIDC_AUTHZ_PARAMS(a);

	return oidc_url_build(endpoint, params, out);
}

enum err
oidc_par_url(const char *endpoint, const char *client_id,
    const char *request_uri, struct buf *out)
{
	const char *const params[] = { "client_id", client_id,
	    "request_uri", request_uri, NULL };

	return oidc_url_build(endpoint, params, out);
}

enum err
oidc_logout_url(const char *endpoint, const char *post_logout_redirect_uri,
    const char *id_token_hint, const char *client_id, const char *state,
    struct buf *out)
{
	const char *const params[] = { "post_logout_redirect_uri",
	    post_logout_redirect_uri, "id_token_hint", id_token_hint,
	    "client_id", client_id, "state", state, NULL };

	return oidc_url_build(endpoint, params, out);
}

enum err
oidc_response_iss(const char *iss, const char *issuer, bool required,
    const char **why)
{
	if (iss == NULL) {
		if (!required)
			return ERR_OK;
		*why = "no iss in the authorization response";
		return ERR_AUTH;
	}
	if (issuer == NULL || strcmp(iss, issuer) != 0) {
		*why = "the authorization response's iss is another issuer";
		return ERR_AUTH;
	}
	return ERR_OK;
}

enum err
oidc_origin_root(const char *url, struct buf *out)
{
	static const CURLUPart drop[] = { CURLUPART_USER, CURLUPART_PASSWORD,
	    CURLUPART_OPTIONS, CURLUPART_QUERY };
	CURLU	*u = NULL;
	CURLUcode rc = CURLUE_OK;
	char	 sep;
	enum err e;
	size_t	 i;

	if ((e = oidc_url_open(url, &u)) != ERR_OK)
		return e;
	for (i = 0; rc == CURLUE_OK && i < sizeof(drop) / sizeof(drop[0]);
	    i++)
		rc = curl_url_set(u, drop[i], NULL, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_set(u, CURLUPART_PATH, "/", 0);
	e = rc == CURLUE_OK ? oidc_url_put(u, out, &sep) : oidc_curlu_err(rc);
	curl_url_cleanup(u);
	return e;
}

enum err
oidc_id_token_azp(const struct jwt *jwt, const char *client_id,
    const char **why)
{
	struct json_object *claims = jwt_claims(jwt), *aud;
	const char *azp;
	bool	 several;

	several = claims != NULL &&
	    json_object_object_get_ex(claims, "aud", &aud) &&
	    json_object_is_type(aud, json_type_array) &&
	    json_object_array_length(aud) > 1;
	switch (claims == NULL ? ERR_INPUT : jsonp_string(claims, "azp",
	    &azp)) {
	case ERR_NOTFOUND:
		if (!several)
			return ERR_OK;
		*why = "several audiences and no azp";
		return ERR_AUTH;
	case ERR_OK:
		if (client_id != NULL && strcmp(azp, client_id) == 0)
			return ERR_OK;
		*why = "azp is another client";
		return ERR_AUTH;
	default:
		*why = "bad azp";
		return ERR_AUTH;
	}
}

enum err
oidc_id_token_iat(const struct jwt *jwt, time_t now, long max_age,
    long leeway, const char **why)
{
	struct json_object *claims = jwt_claims(jwt);
	int64_t	 iat;

	switch (claims == NULL ? ERR_INPUT : jsonp_int64(claims, "iat",
	    &iat)) {
	case ERR_OK:
		break;
	case ERR_NOTFOUND:
		*why = "no iat";
		return ERR_AUTH;
	default:
		*why = "bad iat";
		return ERR_AUTH;
	}
	if (iat > (int64_t)now + leeway) {
		*why = "iat in the future";
		return ERR_AUTH;
	}
	if ((int64_t)now - iat > (int64_t)max_age + leeway) {
		*why = "issued too long ago";
		return ERR_AUTH;
	}
	return ERR_OK;
}

enum err
oidc_id_token_flow(const struct jwt *jwt, const char *policy,
    const char **why)
{
	static const char *const names[] = { "tfp", "acr" };
	struct json_object *claims = jwt_claims(jwt);
	const char *v;
	size_t	 i;

	if (policy == NULL)
		return ERR_OK;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		switch (claims == NULL ? ERR_INPUT : jsonp_string(claims,
		    names[i], &v)) {
		case ERR_NOTFOUND:
			continue;
		case ERR_OK:
			if (strcasecmp(v, policy) == 0)
				continue;
			/* FALLTHROUGH */
		default:
			*why = i == 0 ? "tfp is another user flow" :
			    "acr is another user flow";
			return ERR_AUTH;
		}
	}
	return ERR_OK;
}

void
oidc_tokens_free(struct oidc_tokens *t)
{
	char **p[] = { &t->access_token, &t->refresh_token, &t->id_token,
	    &t->error, &t->error_description };
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		if (*p[i] != NULL) {
			OPENSSL_cleanse(*p[i], strlen(*p[i]));
			free(*p[i]);
			*p[i] = NULL;
		}
	}
}

/* Copy an optional string member; ERR_INPUT when it is not a string. */
static enum err
oidc_dup(struct json_object *doc, const char *key, size_t max, char **out)
{
	const char *s;
	enum err e;

	*out = NULL;
	if ((e = jsonp_string(doc, key, &s)) == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK || strlen(s) > max)
		return ERR_INPUT;
	if ((*out = strdup(s)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
oidc_tokens_parse(long status, const char *body, size_t len,
    struct oidc_tokens *t)
{
	struct json_object *doc = NULL;
	const char *type;
	int64_t	 exp;
	enum err e = ERR_UPSTREAM;

	memset(t, 0, sizeof(*t));
	t->expires_in = OIDC_EXPIRES_IN_DEFAULT;
	if ((e = jsonp_parse(body, len, JSONP_DEPTH_MAX, &doc)) != ERR_OK ||
	    !json_object_is_type(doc, json_type_object)) {
		if (e != ERR_NOMEM) {
			log_err("token endpoint: status %ld, not a JSON "
			    "object", status);
			e = ERR_UPSTREAM;
		}
		goto out;
	}
	e = ERR_UPSTREAM;	/* until the answer is known good */
	if (status != 200) {
		if ((e = oidc_dup(doc, "error", OIDC_ERROR_MAX, &t->error)) !=
		    ERR_OK || t->error == NULL ||
		    (e = oidc_dup(doc, "error_description", OIDC_ERROR_MAX,
		    &t->error_description)) != ERR_OK) {
			if (e != ERR_NOMEM) {
				log_err("token endpoint: status %ld without "
				    "an error", status);
				e = ERR_UPSTREAM;
			}
			goto out;
		}
		/* 5xx is the provider's trouble, not the grant's. */
		e = status >= 500 ? ERR_UPSTREAM : ERR_AUTH;
		goto out;
	}
	switch (jsonp_string(doc, "token_type", &type)) {
	case ERR_NOTFOUND:
		break;
	case ERR_OK:
		if (strcasecmp(type, "Bearer") == 0)
			break;
		/* RFC 9449 5: bound to the key of the request's proof. */
		if ((t->dpop = strcasecmp(type, "DPoP") == 0))
			break;
		/* FALLTHROUGH */
	default:
		log_err("token endpoint: token_type is not Bearer or DPoP");
		goto out;
	}
	if ((e = oidc_dup(doc, "access_token", OIDC_FORM_MAX,
	    &t->access_token)) != ERR_OK ||
	    (e = oidc_dup(doc, "refresh_token", OIDC_FORM_MAX,
	    &t->refresh_token)) != ERR_OK ||
	    (e = oidc_dup(doc, "id_token", OIDC_FORM_MAX, &t->id_token)) !=
	    ERR_OK) {
		if (e != ERR_NOMEM) {
			log_err("token endpoint: malformed token members");
			e = ERR_UPSTREAM;
		}
		goto out;
	}
	e = ERR_UPSTREAM;
	if ((t->access_token != NULL && *t->access_token == '\0') ||
	    (t->refresh_token != NULL && *t->refresh_token == '\0') ||
	    (t->id_token != NULL && *t->id_token == '\0')) {
		log_err("token endpoint: an empty token");
		goto out;
	}
	if (t->access_token == NULL && t->id_token == NULL) {
		log_err("token endpoint: no token in the answer");
		goto out;
	}
	e = jsonp_int64(doc, "expires_in", &exp);
	if (e == ERR_OK) {
		if (exp <= 0 || exp > OIDC_EXPIRES_IN_MAX) {
			log_err("token endpoint: expires_in out of range");
			e = ERR_UPSTREAM;
			goto out;
		}
		t->expires_in = (long)exp;
	} else if (e != ERR_NOTFOUND) {
		log_err("token endpoint: expires_in is not a number");
		e = ERR_UPSTREAM;
		goto out;
	}
	e = ERR_OK;
out:
	json_object_put(doc);
	if (e != ERR_OK && e != ERR_AUTH) {
		char *error = t->error, *desc = t->error_description;

		t->error = t->error_description = NULL;
		oidc_tokens_free(t);
		t->error = error;
		t->error_description = desc;
	}
	return e;
}

/* oidc_tokens_parse as an oidc_reader's parse. */
static enum err
oidc_tokens_read(long status, const char *body, size_t len, void *t)
{
	return oidc_tokens_parse(status, body, len, t);
}

/*
 * How the answer of a client-authenticated POST is read: the token
 * endpoint's by oidc_tokens_parse, the PAR endpoint's by oidc_par_parse.
 */
struct oidc_reader {
	enum err	(*parse)(long status, const char *body, size_t len,
			    void *out);
	void		*out;
};

/*
 * POST the form (credentials added), with the DPoP proof dpop when not
 * NULL, and parse the answer.
 */
static enum err
oidc_token_post(struct httpc *h, const char *endpoint, struct buf *form,
    const char *user, const char *pass, const char *dpop,
    const struct oidc_reader *t)
{
	const char *hdrs[] = {
	    "Content-Type: application/x-www-form-urlencoded",
	    "Accept: application/json", NULL, NULL };
	struct httpc_resp resp;
	struct buf proof;
	enum err e;

	buf_init(&proof, OIDC_FORM_MAX);
	if (dpop != NULL) {
		(void)buf_addf(&proof, "DPoP: %s", dpop);
		if (proof.err != ERR_OK) {
			buf_free(&proof);
			return proof.err;
		}
		hdrs[2] = buf_str(&proof);
	}
	e = httpc_request(h, "POST", endpoint, hdrs, form->data, form->len,
	    user, pass, &resp);
	buf_free(&proof);
	if (e != ERR_OK)
		return ERR_UPSTREAM;
	e = t->parse(resp.status, buf_str(&resp.body), resp.body.len, t->out);
	httpc_resp_free(&resp);
	return e;
}

/* private_key_jwt (RFC 7523 2.2): a fresh assertion for this endpoint. */
static enum err
oidc_token_assert(struct httpc *h, const char *endpoint,
    const struct oidc_client *c, struct buf *form,
    const struct oidc_reader *t)
{
	char	*jwt = NULL;
	char	 sep = '&';
	enum err e;

	if ((e = assertion_make(c->assertion, c->assertion_alg, c->client_id,
	    endpoint, time(NULL), &jwt)) != ERR_OK) {
		log_err("client assertion: cannot sign one: %s", err_str(e));
		return e;
	}
	if ((e = oidc_param(form, &sep, "client_id", c->client_id)) ==
	    ERR_OK && (e = oidc_param(form, &sep, "client_assertion_type",
	    OIDC_ASSERTION_TYPE)) == ERR_OK &&
	    (e = oidc_param(form, &sep, "client_assertion", jwt)) == ERR_OK)
		e = oidc_token_post(h, endpoint, form, NULL, NULL, c->dpop, t);
	crypto_free_str(jwt);
	return e;
}

/*
 * POST a form to the token (or PAR) endpoint, authenticated as the
 * client, and parse the answer.
 */
static enum err
oidc_token_call(struct httpc *h, const char *endpoint,
    const struct oidc_client *c, struct buf *form,
    const struct oidc_reader *t)
{
	struct buf id, secret;
	char	 sep = '&';
	enum err e;

	if (c->assertion != NULL)
		return oidc_token_assert(h, endpoint, c, form, t);
	if (!c->basic) {
		if ((e = oidc_param(form, &sep, "client_id", c->client_id)) !=
		    ERR_OK || (e = oidc_param(form, &sep, "client_secret",
		    c->client_secret)) != ERR_OK)
			return e;
		return oidc_token_post(h, endpoint, form, NULL, NULL,
		    c->dpop, t);
	}
	/*
	 * client_secret_basic: RFC 6749 2.3.1 wants both form-encoded
	 * before they go into the header.
	 */
	buf_init(&id, OIDC_FORM_MAX);
	buf_init(&secret, OIDC_FORM_MAX);
	if ((e = url_encode(c->client_id, &id)) == ERR_OK &&
	    (e = url_encode(c->client_secret, &secret)) == ERR_OK)
		e = oidc_token_post(h, endpoint, form, buf_str(&id),
		    buf_str(&secret), c->dpop, t);
	buf_free(&id);
	buf_free_secret(&secret);
	return e;
}

/*
 * A token request: "grant_type=GRANT" and the name/value pairs in
 * "params" (NULL-terminated; a NULL value is left out).
 */
static enum err
oidc_grant(struct httpc *h, const char *endpoint, const struct oidc_client *c,
    const char *grant, const char *const *params, struct oidc_tokens *t)
{
	const struct oidc_reader rd = { oidc_tokens_read, t };
	struct buf form;
	char	 sep = '&';
	enum err e;
	size_t	 i;

	memset(t, 0, sizeof(*t));
	buf_init(&form, OIDC_FORM_MAX);
	buf_adds(&form, "grant_type=");
	url_encode(grant, &form);
	for (i = 0; params[i] != NULL; i += 2)
		oidc_param(&form, &sep, params[i], params[i + 1]);
	/* A failed add sticks in form.err: one check for the form. */
	if ((e = form.err) == ERR_OK)
		e = oidc_token_call(h, endpoint, c, &form, &rd);
	buf_free_secret(&form);
	return e;
}

enum err
oidc_redeem_code(struct httpc *h, const char *endpoint,
    const struct oidc_client *c, const char *code, const char *verifier,
    const char *redirect_uri, const char *scope, const char *resource,
    struct oidc_tokens *t)
{
	const char *const params[] = { "code", code, "code_verifier",
	    verifier, "redirect_uri", redirect_uri, "scope", scope,
	    "resource", resource, NULL };

	return oidc_grant(h, endpoint, c, "authorization_code", params, t);
}

enum err
oidc_refresh(struct httpc *h, const char *endpoint,
    const struct oidc_client *c, const char *refresh_token,
    const char *scope, const char *resource, struct oidc_tokens *t)
{
	const char *const params[] = { "refresh_token", refresh_token,
	    "scope", scope, "resource", resource, NULL };
	enum err e;

	e = oidc_grant(h, endpoint, c, "refresh_token", params, t);
	if (e == ERR_AUTH && (t->error == NULL ||
	    strcmp(t->error, "invalid_grant") != 0)) {
		/* Our trouble or the provider's, not the grant's: keep it. */
		log_warn("token endpoint: refresh answered %s: the refresh "
		    "token is kept, try again later", t->error ? t->error :
		    "an error");
		e = ERR_UPSTREAM;
	} else if (e == ERR_UPSTREAM && t->error != NULL)
		log_warn("token endpoint: refresh answered %s (provider "
		    "trouble): the refresh token is kept", t->error);
	return e;
}

enum err
oidc_par_parse(long status, const char *body, size_t len, void *out)
{
	struct json_object *doc = NULL;
	const char *v = NULL;
	char	**request_uri = out;
	enum err e;

	*request_uri = NULL;
	if ((e = jsonp_parse(body, len, JSONP_DEPTH_MAX, &doc)) != ERR_OK ||
	    !json_object_is_type(doc, json_type_object)) {
		log_err("PAR endpoint: status %ld, not a JSON object", status);
		e = e == ERR_NOMEM ? e : ERR_UPSTREAM;
		goto out;
	}
	if (status != 201 && status != 200) {
		const char *d = NULL;

		if (jsonp_string(doc, "error", &v) != ERR_OK ||
		    strlen(v) > OIDC_ERROR_MAX)
			v = "no error named";
		if (jsonp_string(doc, "error_description", &d) != ERR_OK ||
		    strlen(d) > OIDC_ERROR_MAX)
			d = "";
		log_err("PAR endpoint: status %ld, %s: %s", status, v, d);
		e = status >= 400 && status < 500 ? ERR_AUTH : ERR_UPSTREAM;
		goto out;
	}
	e = ERR_UPSTREAM;
	if (jsonp_string(doc, "request_uri", &v) != ERR_OK || *v == '\0' ||
	    strlen(v) > OIDC_FORM_MAX) {
		log_err("PAR endpoint: no request_uri in the answer");
		goto out;
	}
	e = (*request_uri = strdup(v)) == NULL ? ERR_NOMEM : ERR_OK;
out:
	json_object_put(doc);
	return e;
}

enum err
oidc_par(struct httpc *h, const char *endpoint, const struct oidc_client *c,
    const struct oidc_authz *a, char **request_uri)
{
	const char *const params[] = OIDC_AUTHZ_PARAMS(a);
	const struct oidc_reader rd = { oidc_par_parse, request_uri };
	struct buf form;
	char	 sep = '&';
	enum err e;
	size_t	 i;

	*request_uri = NULL;
	buf_init(&form, OIDC_FORM_MAX);
	/*
	 * client_id is a parameter of the request (RFC 9126 2.1), which
	 * oidc_token_call adds itself except for client_secret_basic.
	 */
	buf_adds(&form, "response_type=code");
	if (c->basic && c->assertion == NULL)
		oidc_param(&form, &sep, "client_id", c->client_id);
	for (i = 4; params[i] != NULL; i += 2)
		oidc_param(&form, &sep, params[i], params[i + 1]);
	if ((e = form.err) == ERR_OK)
		e = oidc_token_call(h, endpoint, c, &form, &rd);
	buf_free_secret(&form);
	return e;
}

enum oidc_b2c
oidc_b2c_code(const char *desc)
{
	size_t i, n;

	if (desc == NULL)
		return OIDC_B2C_NONE;
	/* The code leads the description: "AADB2C90118: The user ..." */
	while (*desc == ' ')
		desc++;
	for (i = 0; i < sizeof(oidc_b2c_codes) / sizeof(oidc_b2c_codes[0]);
	    i++) {
		n = strlen(oidc_b2c_codes[i].code);
		if (strncmp(desc, oidc_b2c_codes[i].code, n) == 0 &&
		    !isalnum((unsigned char)desc[n]))
			return oidc_b2c_codes[i].which;
	}
	return OIDC_B2C_NONE;
}

/* The id after label ("Correlation ID:") in desc, as a fresh string. */
static char *
oidc_desc_id(const char *desc, const char *label)
{
	const char *p;
	size_t	 n;

	if (desc == NULL || (p = strstr(desc, label)) == NULL)
		return NULL;
	p += strlen(label);
	while (*p == ' ')
		p++;
	n = strspn(p, "0123456789abcdefABCDEF-");
	if (n == 0 || n > OIDC_CORRELATION_MAX || strspn(p, "-") == n)
		return NULL;
	return strndup(p, n);
}

char *
oidc_b2c_correlation(const char *desc)
{
	return oidc_desc_id(desc, "Correlation ID:");
}

char *
oidc_ms_trace(const char *desc)
{
	return oidc_desc_id(desc, "Trace ID:");
}
