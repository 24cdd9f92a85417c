/*
 * todo-webapp.fcgi: the HTML front end.  Configuration, the accept loop,
 * the route table and the front-line checks (path, method, session).
 * Answers, the security headers every page carries, form and CSRF
 * checks are in respond.c; the routes in pages.c, signin.c and tasks.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "conf.h"
#include "cookie.h"
#include "log.h"
#include "migrate.h"
#include "provider_store.h"
#include "respond.h"
#include "webapp.h"

#define WEB_ENV_CONFIG "TODO_WEBAPP_CONFIG"
#define WEB_ENV_PREFIX "TODO_WEBAPP_"
#define WEB_POLICY_PLACEHOLDER "{policy}"
#define WEB_CALLBACK_PATH "/signin/callback"
#define WEB_ID_DIGITS_MAX 18
#define WEB_PATH_ID_MAX 64	/* bytes of a session handle in a path */
#define WEB_URL_MAX 2048

extern const struct migration webapp_migrations[];
extern const size_t webapp_migrations_count;

#define KEY(n, t, d, req, lo, hi, sec) \
	{ #n, (t), offsetof(struct web_config, n), (d), (req), (lo), (hi), \
	  (sec) }
static const struct conf_key web_keys[] = {
	KEY(database, CONF_STR, NULL, true, 0, 0, true),
	KEY(metadata_url, CONF_STR, NULL, true, 0, 0, false),
	KEY(issuer, CONF_STR, NULL, false, 0, 0, false),
	KEY(client_id, CONF_STR, NULL, true, 0, 0, false),
	KEY(client_secret, CONF_STR, NULL, false, 0, 0, true),
	KEY(client_secret_file, CONF_FILE, NULL, false, 0, 0, true),
	KEY(redirect_uri, CONF_STR, NULL, true, 0, 0, false),
	KEY(signup_signin_policy, CONF_STR, NULL, false, 0, 0, false),
	KEY(edit_profile_policy, CONF_STR, NULL, false, 0, 0, false),
	KEY(reset_password_policy, CONF_STR, NULL, false, 0, 0, false),
	KEY(api_url, CONF_STR, NULL, true, 0, 0, false),
	KEY(api_identifier, CONF_STR, NULL, false, 0, 0, false),
	KEY(read_scope, CONF_STR, "read", false, 0, 0, false),
	KEY(write_scope, CONF_STR, "write", false, 0, 0, false),
	KEY(api_resource, CONF_STR, NULL, false, 0, 0, false),
	KEY(use_par, CONF_STR, "auto", false, 0, 0, false),
	KEY(use_dpop, CONF_STR, "auto", false, 0, 0, false),
	KEY(cache_key_file, CONF_STR, NULL, true, 0, 0, false),
	KEY(session_idle_timeout, CONF_INT, "1800", false, 60, 2592000, false),
	KEY(session_max_lifetime, CONF_INT, "43200", false, 300, 31536000,
	    false),
	KEY(max_pending_signins, CONF_INT, "10000", false, 1, 10000000,
	    false),
	KEY(max_id_token_age, CONF_INT, "600", false, 60, 86400, false),
	KEY(cookie_secure, CONF_BOOL, "on", false, 0, 0, false),
	KEY(log_level, CONF_STR, "info", false, 0, 0, false),
	KEY(log_format, CONF_STR, "text", false, 0, 0, false),
	KEY(ca_file, CONF_STR, NULL, false, 0, 0, false),
	KEY(http_proxy, CONF_STR, NULL, false, 0, 0, false),
	KEY(metrics_dir, CONF_STR, METRICS_DIR_DEFAULT, false, 0, 0, false),
	KEY(metrics_token_file, CONF_FILE, NULL, false, 0, 0, true),
	KEY(provider_profile, CONF_STR, NULL, false, 0, 0, false),
	KEY(client_assertion_key_file, CONF_STR, NULL, false, 0, 0, false),
	KEY(client_assertion_cert_file, CONF_STR, NULL, false, 0, 0, false),
};
#undef KEY
#define WEB_NKEYS (sizeof(web_keys) / sizeof(web_keys[0]))

#define M(x) (1u << (x))
#define GET (M(REQ_GET) | M(REQ_HEAD))
#define POST M(REQ_POST)
static const struct {
	const char	*path;		/* NULL: matched by hand */
	unsigned	 methods;
	const char	*allow;
	bool		 session;	/* a signed-in session is required */
} routes[ROUTE__MAX] = {
	[ROUTE_HOME] = { "/", GET, "GET, HEAD", false },
	[ROUTE_SIGNIN] = { "/signin", GET, "GET, HEAD", false },
	[ROUTE_CALLBACK] = { WEB_CALLBACK_PATH, GET | POST,
	    "GET, HEAD, POST", false },
	[ROUTE_PROFILE] = { "/profile", GET, "GET, HEAD", false },
	[ROUTE_PASSWORD] = { "/password", GET, "GET, HEAD", false },
	[ROUTE_SIGNOUT] = { "/signout", POST, "POST", false },
	[ROUTE_TASKS] = { "/tasks", GET | POST, "GET, HEAD, POST", true },
	[ROUTE_TASK_DONE] = { NULL, POST, "POST", true },
	[ROUTE_TASK_DELETE] = { NULL, GET | POST, "GET, HEAD, POST", true },
	[ROUTE_CLAIMS] = { "/claims", GET, "GET, HEAD", true },
	[ROUTE_HEALTHZ] = { "/healthz", GET, "GET, HEAD", false },
	[ROUTE_READYZ] = { "/readyz", GET, "GET, HEAD", false },
	[ROUTE_METRICS] = { "/metrics", GET, "GET, HEAD", false },
	[ROUTE_STYLE] = { "/static/style.css", GET, "GET, HEAD", false },
	[ROUTE_TASK] = { NULL, GET | POST, "GET, HEAD, POST", true },
	[ROUTE_SESSIONS] = { "/sessions", GET, "GET, HEAD", true },
	[ROUTE_SESSION_REVOKE] = { NULL, POST, "POST", true },
	[ROUTE_SESSIONS_REVOKE_OTHERS] = { "/sessions/revoke-others", POST,
	    "POST", true },
	[ROUTE_ACCOUNT] = { "/account", GET, "GET, HEAD", true },
	[ROUTE_EXPORT_JSON] = { "/account/export.json", GET, "GET, HEAD",
	    true },
	[ROUTE_EXPORT_CSV] = { "/account/export.csv", GET, "GET, HEAD", true },
	[ROUTE_ACCOUNT_DELETE] = { "/account/delete", POST, "POST", true },
	[ROUTE_SIGNOUT_FRONT] = { "/signout/frontchannel", GET, "GET, HEAD",
	    false },
	[ROUTE_SIGNOUT_BACK] = { "/signout/backchannel", POST, "POST",
	    false },
};
#undef GET
#undef POST
#undef M

/* ---- routing ------------------------------------------------------------- */

/*
 * "/tasks/{id}/{verb}" ("/tasks/{id}" for verb "") with a positive id of
 * at most 18 digits.
 */
static bool
web_task_path(const char *path, const char *verb, char *id, size_t idlen)
{
	size_t n;

	if (strncmp(path, "/tasks/", 7) != 0)
		return false;
	path += 7;
	n = strspn(path, "0123456789");
	if (n == 0 || n > WEB_ID_DIGITS_MAX || path[0] == '0' ||
	    (*verb == '\0' ? path[n] != '\0' : path[n] != '/' ||
	    strcmp(path + n + 1, verb) != 0) || n >= idlen)
		return false;
	memcpy(id, path, n);
	id[n] = '\0';
	return true;
}

/* "/sessions/{handle}/revoke": a session's public handle, base64url. */
static bool
web_session_path(const char *path, char *handle, size_t len)
{
	size_t n;

	if (strncmp(path, "/sessions/", 10) != 0)
		return false;
	path += 10;
	n = strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");
	if (n == 0 || n >= len || strcmp(path + n, "/revoke") != 0)
		return false;
	memcpy(handle, path, n);
	handle[n] = '\0';
	return true;
}

static enum route
web_route(const char *path, char *id, size_t idlen)
{
	size_t i;

	for (i = 0; i < ROUTE__MAX; i++)
		if (routes[i].path != NULL && strcmp(routes[i].path, path) ==
		    0)
			return (enum route)i;
	if (web_task_path(path, "done", id, idlen))
		return ROUTE_TASK_DONE;
	if (web_task_path(path, "delete", id, idlen))
		return ROUTE_TASK_DELETE;
	if (web_task_path(path, "", id, idlen))
		return ROUTE_TASK;
	if (web_session_path(path, id, idlen))
		return ROUTE_SESSION_REVOKE;
	return ROUTE__MAX;
}

/* The session named by the cookie, if any and still valid. */
static bool
web_session(struct web *w, struct req *r, struct session *s, bool *db_down)
{
	const char *hdr = req_param(r, "HTTP_COOKIE");
	char	*sid = NULL, ua[WEB_USER_AGENT_MAX + 1], ip[WEB_IP_MAX + 1];
	enum err e;

	*db_down = false;
	if (hdr == NULL || cookie_get(hdr, w->session_cookie, &sid) != ERR_OK)
		return false;
	sessions_client(r, ua, sizeof(ua), ip, sizeof(ip));
	e = store_session_get_seen(w, sid, *ua ? ua : NULL, *ip ? ip : NULL,
	    s);
	crypto_free_str(sid);
	if (e == ERR_DB)
		*db_down = true;
	return e == ERR_OK;
}

/* The accept loop's handler: one request. */
static void
web_handle(void *arg, struct req *r)
{
	struct web *w = arg;
	struct session sess, *s = NULL;
	char	 id[WEB_PATH_ID_MAX + 1];	/* a task id or session handle */
	enum route rt;
	bool	 down;

	memset(&sess, 0, sizeof(sess));
	ops_route(r, ROUTE__MAX);
	if (r->path == NULL) {
		web_error(w, r, NULL, 414, "Address too long", "That address "
		    "is too long.");
		return;
	}
	if ((rt = web_route(r->path, id, sizeof(id))) == ROUTE__MAX) {
		web_error(w, r, NULL, 404, "Not found", "There is no such "
		    "page.");
		return;
	}
	ops_route(r, rt);
	if ((unsigned)r->method >= 32 ||
	    !(routes[rt].methods & (1u << r->method))) {
		(void)req_header(r, "Allow", routes[rt].allow);
		web_error(w, r, NULL, 405, "Method not allowed", "That is not "
		    "allowed here.");
		return;
	}
	if (rt == ROUTE_STYLE) {
		pages_style(w, r);
		return;
	}
	switch (rt) {
	case ROUTE_HEALTHZ:
		ops_healthz(w, r);
		return;
	case ROUTE_READYZ:
		ops_readyz(w, r);
		return;
	case ROUTE_METRICS:
		ops_metrics(w, r);
		return;
	default:
		break;
	}
	if (rt == ROUTE_SIGNOUT_BACK) {	/* the provider, no browser */
		logout_backchannel(w, r);
		return;
	}
	store_purge(w);
	renew_flush(w);
	if (web_session(w, r, &sess, &down))
		s = &sess;
	else if (down) {
		web_error(w, r, NULL, 503, "Unavailable", "The service is "
		    "unavailable right now. Please try again in a moment.");
		return;
	}
	if (routes[rt].session && s == NULL && r->method == REQ_POST &&
	    (rt == ROUTE_TASKS || rt == ROUTE_TASK)) {
		/* What was typed waits for the sign-in (drafts.c). */
		drafts_signin_form(w, r, rt == ROUTE_TASK ? id : NULL);
		return;
	}
	if (routes[rt].session && s == NULL) {
		signin_redirect(w, r, r->method == REQ_GET ? r->path : "/tasks");
		return;
	}
	switch (rt) {
	case ROUTE_HOME:
		if (!logout_landing(w, r, s))
			pages_home(w, r, s);
		break;
	case ROUTE_SIGNOUT_FRONT:
		logout_frontchannel(w, r, s);
		break;
	case ROUTE_SIGNIN:
		signin_start(w, r, s, FLOW_SIGNIN);
		break;
	case ROUTE_PROFILE:
		signin_start(w, r, s, FLOW_PROFILE);
		break;
	case ROUTE_PASSWORD:
		signin_start(w, r, s, FLOW_RESET);
		break;
	case ROUTE_CALLBACK:
		signin_callback(w, r, s);
		break;
	case ROUTE_SIGNOUT:
		signin_signout(w, r, s);
		break;
	case ROUTE_TASKS:
		if (r->method == REQ_POST)
			tasks_add(w, r, s);
		else
			tasks_page(w, r, s);
		break;
	case ROUTE_TASK_DONE:
		tasks_done(w, r, s, id);
		break;
	case ROUTE_TASK_DELETE:
		tasks_delete(w, r, s, id);
		break;
	case ROUTE_TASK:
		tasks_edit(w, r, s, id);
		break;
	case ROUTE_SESSIONS:
		sessions_page(w, r, s);
		break;
	case ROUTE_SESSION_REVOKE:
		sessions_revoke(w, r, s, id);
		break;
	case ROUTE_SESSIONS_REVOKE_OTHERS:
		sessions_revoke_others(w, r, s);
		break;
	case ROUTE_ACCOUNT:
		account_page(w, r, s);
		break;
	case ROUTE_EXPORT_JSON:
	case ROUTE_EXPORT_CSV:
		account_export(w, r, s, rt == ROUTE_EXPORT_CSV);
		break;
	case ROUTE_ACCOUNT_DELETE:
		account_delete(w, r, s);
		break;
	case ROUTE_CLAIMS:
		pages_claims(w, r, s);
		break;
	default:
		web_error(w, r, s, 500, "Error", "Please try again.");
		break;
	}
	store_session_free(&sess);
}

/* ---- start-up ------------------------------------------------------------ */

/* A fresh string with the first {policy} replaced by policy. */
static char *
web_flow_url(const char *url, const char *policy)
{
	const char *p = strstr(url, WEB_POLICY_PLACEHOLDER);
	struct buf b;

	buf_init(&b, WEB_URL_MAX);
	if (p == NULL)
		buf_adds(&b, url);
	else {
		buf_add(&b, url, (size_t)(p - url));
		buf_adds(&b, policy);
		buf_adds(&b, p + strlen(WEB_POLICY_PLACEHOLDER));
	}
	if (b.err != ERR_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* "openid offline_access <identifier>/<read> <identifier>/<write>" */
static char *
web_scope(const struct web_config *c)
{
	const char *id = c->api_identifier ? c->api_identifier : "";
	const char *sep = *id && id[strlen(id) - 1] != '/' ? "/" : "";
	struct buf b;

	buf_init(&b, WEB_URL_MAX);
	buf_addf(&b, "openid offline_access %s%s%s %s%s%s", id, sep,
	    c->read_scope, id, sep, c->write_scope);
	if (b.err != ERR_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static bool
web_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/*
 * provider_profile (given, or guessed from metadata_url) and what it
 * allows: the policy keys, and the client's credentials (exactly one of
 * a secret, a secret file, or a key and certificate).
 */
static bool
web_setup_profile(struct web *w, const struct web_config *c, char *err,
    size_t len)
{
	const char *why = NULL;
	bool	 cert = c->client_assertion_key_file != NULL ||
	    c->client_assertion_cert_file != NULL;
	int	 n = (c->client_secret != NULL) +
	    (c->client_secret_file != NULL) + cert;

	w->profile = profile_guess(c->metadata_url);
	if (c->provider_profile != NULL && !profile_parse(c->provider_profile,
	    &w->profile)) {
		snprintf(err, len, "provider_profile: \"%s\" is not b2c, "
		    "external-id or generic", c->provider_profile);
		return false;
	}
	if (!profile_has_policies(w->profile) && (strstr(c->metadata_url,
	    WEB_POLICY_PLACEHOLDER) != NULL || c->edit_profile_policy !=
	    NULL || c->reset_password_policy != NULL)) {
		snprintf(err, len, "provider_profile %s: no {policy} in "
		    "metadata_url, and no edit_profile_policy or "
		    "reset_password_policy (one user flow; password reset "
		    "is part of sign-in)", profile_name(w->profile));
		return false;
	}
	if (n != 1) {
		snprintf(err, len, "client_secret, client_secret_file, "
		    "client_assertion_key_file: give exactly one");
		return false;
	}
	w->secret = c->client_secret ? c->client_secret :
	    c->client_secret_file;
	if (!cert)
		return true;
	if (!profile_client_assertion(w->profile)) {
		snprintf(err, len, "client_assertion_key_file: Azure AD B2C "
		    "takes no certificate credentials (provider_profile "
		    "b2c): use client_secret_file");
		return false;
	}
	if (c->client_assertion_key_file == NULL ||
	    c->client_assertion_cert_file == NULL) {
		snprintf(err, len, "client_assertion_key_file, "
		    "client_assertion_cert_file: give both");
		return false;
	}
	if (assertion_load(c->client_assertion_key_file,
	    c->client_assertion_cert_file, &w->assertion, &why) != ERR_OK) {
		snprintf(err, len, "client_assertion_key_file, "
		    "client_assertion_cert_file: %s, %s: %s",
		    c->client_assertion_key_file,
		    c->client_assertion_cert_file, why);
		return false;
	}
	if (assertion_not_after(w->assertion) < time(NULL))
		log_warn("client_assertion_cert_file: %s: the certificate "
		    "has expired", c->client_assertion_cert_file);
	return true;
}

/* Checks conf_load() cannot make, and what follows from the keys. */
static bool
web_setup(struct web *w, const struct web_config *c, char *err, size_t len)
{
	const char *pol[FLOW__MAX] = { c->signup_signin_policy,
	    c->edit_profile_policy, c->reset_password_policy };
	static const char *const polkey[FLOW__MAX] = { "signup_signin_policy",
	    "edit_profile_policy", "reset_password_policy" };
	bool	 placeholder = strstr(c->metadata_url,
	    WEB_POLICY_PLACEHOLDER) != NULL;
	enum log_level lvl;
	enum log_format fmt;
	char	*url;
	size_t	 i;

	if (!log_level_parse(c->log_level, &lvl)) {
		snprintf(err, len, "log_level: \"%s\" is not error, warning, "
		    "info or debug", c->log_level);
		return false;
	}
	if (!log_format_parse(c->log_format, &fmt)) {
		snprintf(err, len, "log_format: \"%s\" is not text or json",
		    c->log_format);
		return false;
	}
	log_init("todo-webapp", lvl);
	log_set_format(fmt);
	if (c->metrics_token_file != NULL &&
	    strlen(c->metrics_token_file) < WEB_METRICS_TOKEN_MIN) {
		snprintf(err, len, "metrics_token_file: the secret must be at "
		    "least %d bytes", WEB_METRICS_TOKEN_MIN);
		return false;
	}
	if (!web_setup_profile(w, c, err, len))
		return false;
	if (crypto_keyring_load(c->cache_key_file, &w->keys) != ERR_OK) {
		snprintf(err, len, "cache_key_file: %s: cannot read 32 bytes, "
		    "64 hex digits, or lines of ID:64-hex-digits (newest "
		    "first) from it", c->cache_key_file);
		return false;
	}
	if (!httpc_url_allowed(c->redirect_uri) ||
	    !web_ends_with(c->redirect_uri, WEB_CALLBACK_PATH)) {
		snprintf(err, len, "redirect_uri: must be an https:// URL (http:"
		    "// only on loopback) ending in " WEB_CALLBACK_PATH);
		return false;
	}
	if (!c->cookie_secure && !httpc_url_is_loopback(c->redirect_uri)) {
		snprintf(err, len, "cookie_secure: off is only for plain-http "
		    "development on a loopback redirect_uri");
		return false;
	}
	if (!httpc_url_allowed(c->api_url)) {
		snprintf(err, len, "api_url: must be https:// (http:// only "
		    "on loopback)");
		return false;
	}
	if (placeholder && pol[FLOW_SIGNIN] == NULL) {
		snprintf(err, len, "signup_signin_policy: required when "
		    "metadata_url has a {policy} placeholder");
		return false;
	}
	for (i = 0; i < FLOW__MAX; i++) {
		if (!placeholder && i != FLOW_SIGNIN && pol[i] != NULL) {
			snprintf(err, len, "%s: needs a {policy} placeholder "
			    "in metadata_url", polkey[i]);
			return false;
		}
		if (i != FLOW_SIGNIN && pol[i] == NULL)
			continue;
		w->policies[i] = strdup(pol[i] ? pol[i] : "default");
		url = web_flow_url(c->metadata_url, pol[i] ? pol[i] : "");
		if (w->policies[i] == NULL || url == NULL) {
			free(url);
			snprintf(err, len, "out of memory");
			return false;
		}
		if (!httpc_url_allowed(url) ||
		    provider_new(url, &w->flows[i]) != ERR_OK) {
			snprintf(err, len, "metadata_url: %s: must be https:// "
			    "(http:// only on loopback)", url);
			free(url);
			return false;
		}
		free(url);
	}
	if (strcmp(c->use_par, "auto") != 0 && strcmp(c->use_par, "on") != 0 &&
	    strcmp(c->use_par, "off") != 0) {
		snprintf(err, len, "use_par: \"%s\" is not auto, on or off",
		    c->use_par);
		return false;
	}
	if (strcmp(c->use_dpop, "auto") != 0 &&
	    strcmp(c->use_dpop, "on") != 0 && strcmp(c->use_dpop, "off") != 0) {
		snprintf(err, len, "use_dpop: \"%s\" is not auto, on or off",
		    c->use_dpop);
		return false;
	}
	if ((w->scope = web_scope(c)) == NULL) {
		snprintf(err, len, "out of memory");
		return false;
	}
	w->session_cookie = c->cookie_secure ? "__Host-todo_session" :
	    "todo_session";
	w->auth_cookie = c->cookie_secure ? "__Host-todo_auth" : "todo_auth";
	w->notice_cookie = c->cookie_secure ? "__Host-todo_notice" :
	    "todo_notice";
	return true;
}

static void
web_free(struct web *w)
{
	size_t i;

	for (i = 0; i < FLOW__MAX; i++) {
		provider_free(w->flows[i]);
		free(w->policies[i]);
	}
	free(w->scope);
	assertion_free(w->assertion);
	db_free(w->db);
	metrics_close(w->metrics);
	httpc_free(w->idp);
	httpc_free(w->api);
	crypto_keyring_wipe(&w->keys);
}

/* --check-config: fetch what the configuration points at. */
static int
web_check(struct web *w)
{
	size_t	 i;
	bool	 good = true;
	enum jwk_alg alg;

	printf("provider_profile: %s (%s)\n", profile_name(w->profile),
	    w->cfg->provider_profile != NULL ? "configured" :
	    "guessed from metadata_url");
	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL)
			good &= provider_check(w->flows[i], w->idp,
			    w->policies[i], stdout) &&
			    signin_par_check(w, w->flows[i], w->policies[i],
			    stdout);
	if (w->assertion != NULL && w->flows[FLOW_SIGNIN] != NULL &&
	    provider_issuer(w->flows[FLOW_SIGNIN]) != NULL) {
		if (provider_assertion_alg(w->flows[FLOW_SIGNIN], &alg) ==
		    ERR_OK)
			printf("client credentials: certificate %s, client "
			    "assertions signed %s\n",
			    assertion_thumbprint(w->assertion),
			    jwk_alg_name(alg));
		else {
			printf("client credentials: the provider takes client "
			    "assertions signed neither PS256 nor RS256\n");
			good = false;
		}
	}
	good &= db_check(w->db, &web_stmts[WSTMT_HEALTH], stdout);
	if (access(w->cfg->metrics_dir, W_OK | X_OK) != 0)
		printf("metrics_dir: %s: %s (the web app would serve without "
		    "metrics)\n", w->cfg->metrics_dir, strerror(errno));
	if (!good)
		return 1;
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct cli_prog prog = { "todo-webapp",
	    "todo-webapp.fcgi", WEB_ENV_CONFIG, "The todo-b2c web app: HTML "
	    "pages, OpenID Connect sign-in, sessions in PostgreSQL." };
	struct web_config cfg;
	struct web w;
	struct cli_args a;
	struct provider_store *store = NULL;
	const char *path;
	char	 err[CONF_ERR_MAX];
	int	 rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&w, 0, sizeof(w));
	log_init("todo-webapp", LOG_LEVEL_INFO);
	if ((rc = cli_start_args(&prog, true, argc, argv, &a)) >= 0)
		return rc;
	path = a.config;
	rc = 1;
	if (conf_load(path, WEB_ENV_PREFIX, web_keys, WEB_NKEYS, &cfg, err,
	    sizeof(err)) != ERR_OK) {
		fprintf(stderr, "todo-webapp: %s\n", err);
		goto out;
	}
	w.cfg = &cfg;
	if (!web_setup(&w, &cfg, err, sizeof(err))) {
		fprintf(stderr, "todo-webapp: %s: %s\n", path, err);
		goto out;
	}
	if (httpc_global_init() != ERR_OK || httpc_new(&w.idp) != ERR_OK ||
	    httpc_new(&w.api) != ERR_OK ||
	    db_new(cfg.database, web_stmts, WSTMT__MAX, &w.db) != ERR_OK) {
		fprintf(stderr, "todo-webapp: out of memory\n");
		goto out;
	}
	httpc_configure(w.idp, cfg.ca_file, cfg.http_proxy);
	httpc_keep_alive(w.idp, false);
	httpc_configure(w.api, cfg.ca_file, cfg.http_proxy);
	switch (a.mode) {
	case CLI_CHECK_CONFIG:
		rc = web_check(&w);
		break;
	case CLI_MIGRATE:
		rc = migrate_main(w.db, "webapp", webapp_migrations,
		    webapp_migrations_count);
		break;
	case CLI_PURGE:
	case CLI_SESSIONS:
	case CLI_REVOKE_SESSIONS:
		rc = ops_admin(&w, a.mode, a.user);
		break;
	default:
		if (provider_store_new(cfg.database, "webapp", &store) !=
		    ERR_OK) {
			fprintf(stderr, "todo-webapp: out of memory\n");
			break;
		}
		provider_store_attach(store, w.flows, FLOW__MAX);
		ops_metrics_open(&w);
		/* The session and token statements, before the first page. */
		(void)db_warm(w.db);
		rc = req_serve_with(web_handle, ops_done, &w) == ERR_OK ? 0 :
		    1;
		break;
	}
out:
	web_free(&w);
	provider_store_free(store);
	conf_free(web_keys, WEB_NKEYS, &cfg);
	return rc;
}
