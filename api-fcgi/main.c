/*
 * todo-api.fcgi: the task API.  Configuration, the accept loop, the
 * route table and the front-line checks (path, method, bearer token and
 * scope).  Answers, and the one place where errors become HTTP statuses,
 * are in respond.c; the task routes in tasks.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "bearer.h"
#include "cli.h"
#include "conf.h"
#include "dpop.h"
#include "jsonp.h"
#include "log.h"
#include "migrate.h"
#include "provider_store.h"
#include "respond.h"
#include "tokencache.h"

#define API_ENV_CONFIG "TODO_API_CONFIG"
#define API_ENV_PREFIX "TODO_API_"
#define API_ID_DIGITS_MAX 18		/* always fits a bigint */
#define API_REALM "todo-b2c"
#define API_LIFETIME_MAX 2592000	/* max_token_lifetime cap, s (30 d) */

/* The only two things a 401 says about a token; the rest is logged. */
#define API_TOKEN_INVALID "the access token is not valid"
#define API_TOKEN_EXPIRED "the access token has expired"
#define API_DPOP_INVALID "the DPoP proof is not valid"
#define API_DPOP_KEY "the DPoP proof is not from the token's key"
#define API_DPOP_AGE_MAX 3600		/* dpop_max_age cap, s */

extern const struct migration api_migrations[];
extern const size_t api_migrations_count;

#define KEY(n, t, d, req, lo, hi) \
	{ #n, (t), offsetof(struct api_config, n), (d), (req), (lo), (hi), false }
static const struct conf_key api_keys[] = {
	KEY(database, CONF_STR, NULL, true, 0, 0),
	KEY(metadata_url, CONF_STR, NULL, true, 0, 0),
	KEY(issuer, CONF_STR, NULL, false, 0, 0),
	KEY(audience, CONF_STR, NULL, true, 0, 0),
	KEY(read_scope, CONF_STR, "read", false, 0, 0),
	KEY(write_scope, CONF_STR, "write", false, 0, 0),
	KEY(user_claim, CONF_STR, NULL, false, 0, 0),
	KEY(clock_skew, CONF_INT, "60", false, 0, 600),
	KEY(max_token_lifetime, CONF_INT, "86400", false, 60, API_LIFETIME_MAX),
	KEY(dpop_max_age, CONF_INT, "300", false, 10, API_DPOP_AGE_MAX),
	KEY(base_path, CONF_STR, "/api", false, 0, 0),
	KEY(log_level, CONF_STR, "info", false, 0, 0),
	KEY(log_format, CONF_STR, "text", false, 0, 0),
	KEY(ca_file, CONF_STR, NULL, false, 0, 0),
	KEY(http_proxy, CONF_STR, NULL, false, 0, 0),
	KEY(metrics_dir, CONF_STR, METRICS_DIR_DEFAULT, false, 0, 0),
	{ "metrics_token_file", CONF_FILE, offsetof(struct api_config,
	    metrics_token_file), NULL, false, 0, 0, true },
	KEY(provider_profile, CONF_STR, NULL, false, 0, 0),
	KEY(require_at_jwt, CONF_STR, NULL, false, 0, 0),
};
#undef KEY
#define API_NKEYS (sizeof(api_keys) / sizeof(api_keys[0]))

enum scope_need {
	NEED_NONE,
	NEED_READ,
	NEED_WRITE
};

#define M(x) (1u << (x))
static const struct {
	const char	*allow;		/* the Allow header */
	unsigned	 methods;
} routes[ROUTE__MAX] = {
	[ROUTE_HEALTHZ] = { "GET, HEAD", M(REQ_GET) | M(REQ_HEAD) },
	[ROUTE_READYZ] = { "GET, HEAD", M(REQ_GET) | M(REQ_HEAD) },
	[ROUTE_METRICS] = { "GET, HEAD", M(REQ_GET) | M(REQ_HEAD) },
	[ROUTE_TASKS] = { "GET, HEAD, POST",
	    M(REQ_GET) | M(REQ_HEAD) | M(REQ_POST) },
	[ROUTE_TASK] = { "GET, HEAD, PATCH, DELETE",
	    M(REQ_GET) | M(REQ_HEAD) | M(REQ_PATCH) | M(REQ_DELETE) },
	[ROUTE_OPENAPI] = { "GET, HEAD", M(REQ_GET) | M(REQ_HEAD) },
	[ROUTE_ME] = { "DELETE", M(REQ_DELETE) },
	[ROUTE_ME_EXPORT] = { "GET, HEAD", M(REQ_GET) | M(REQ_HEAD) },
};
#undef M

/* ---- authentication ------------------------------------------------------ */

/*
 * Both schemes are accepted, so a 401 offers both (RFC 9449 7.1), in one
 * WWW-Authenticate header: Apache would merge two into one anyway.
 */
#define API_DPOP_OFFER ", DPoP algs=\"" DPOP_ALGS "\""
#define API_BEARER_OFFER ", Bearer realm=\"" API_REALM "\""

/*
 * status (401, or 400 for invalid_request) with the RFC 6750 challenge
 * (and on a 401 the DPoP one after it); error NULL for "no token at all".
 */
static void
api_challenge(struct req *r, int status, const char *error,
    const char *desc)
{
	const char *dpop = status == 401 ? API_DPOP_OFFER : "";

	if (error == NULL) {
		(void)req_headerf(r, "WWW-Authenticate",
		    "Bearer realm=\"" API_REALM "\"%s", dpop);
		api_error(r, status, "unauthorized", desc);
		return;
	}
	(void)req_headerf(r, "WWW-Authenticate", "Bearer realm=\"" API_REALM
	    "\", error=\"%s\", error_description=\"%s\"%s", error, desc,
	    dpop);
	api_error(r, status, error, desc);
}

/* A 401 for a request that used the DPoP scheme (RFC 9449 7.1). */
static void
api_dpop_challenge(struct req *r, const char *error, const char *desc)
{
	(void)req_headerf(r, "WWW-Authenticate", "DPoP realm=\"" API_REALM
	    "\", error=\"%s\", error_description=\"%s\", algs=\""
	    DPOP_ALGS "\"" API_BEARER_OFFER, error, desc);
	api_error(r, 401, error, desc);
}

/* A 401 for a request that used the Bearer scheme. */
static void
api_bearer_invalid(struct req *r, const char *error, const char *desc)
{
	api_challenge(r, 401, error, desc);
}

/* Scope bits remembered with a verified token. */
#define SCOPE_READ 0x1u
#define SCOPE_WRITE 0x2u

/*
 * RFC 9449 section 7: a token bound to a key (cnf.jkt) is good only with
 * the DPoP scheme and a proof from that key, one that is not bound only
 * with Bearer.  *bound says which it is.  Answers on failure.
 */
static bool
api_bound_ok(struct api *api, struct req *r, bool dpop,
    const struct jwt *jwt, const char *token, size_t len, time_t now,
    bool *bound)
{
	const char *jkt, *why;
	enum err e = ERR_INPUT;

	*bound = true;
	if (dpop_token_jkt(jwt, &jkt) != ERR_OK)
		why = "token cnf not understood";
	else if ((*bound = jkt != NULL) != dpop)
		why = dpop ? "token not dpop-bound, sent with the dpop scheme" :
		    "dpop-bound token sent as a bearer token";
	else if (!dpop || (e = api_dpop(api, r, token, len, jkt, now,
	    &why)) == ERR_OK)
		return true;
	log_info("rejected token: %s", why);
	if (e == ERR_DB || e == ERR_NOMEM || e == ERR_SYSTEM) {
		api_fail(r, e, NULL);
		return false;
	}
	ops_count(api, AM_TOKENS, ops_verdict(why));
	if (e == ERR_AUTH)
		api_dpop_challenge(r, "invalid_dpop_proof", API_DPOP_INVALID);
	else if (e == ERR_FORBIDDEN)
		api_dpop_challenge(r, "invalid_token", API_DPOP_KEY);
	else if (dpop)
		api_dpop_challenge(r, "invalid_token", API_TOKEN_INVALID);
	else
		api_challenge(r, 401, "invalid_token", API_TOKEN_INVALID);
	return false;
}

/*
 * Verify a token the cache does not know and remember what it grants
 * (not when it is DPoP-bound: each use needs its own proof).  Answers
 * on failure.  *jwt holds the strings *u points into when the token
 * could not be cached.
 */
static bool
api_verify(struct api *api, struct req *r, bool dpop, const char *token,
    size_t len, time_t now, struct jwt **jwt, struct api_user *u)
{
	const struct tokencache_entry *hit;
	const char *why;
	int64_t	 exp;
	bool	 bound;
	enum err e;

	e = auth_verify(&api->policy, api->http, token, len, now, jwt, &why);
	if (e == ERR_UPSTREAM) {
		ops_count(api, AM_TOKENS, AV_PROVIDER_UNAVAILABLE);
		api_fail(r, ERR_UPSTREAM, NULL);
		return false;
	}
	if (e == ERR_OK && (e = auth_user(*jwt, api->cfg->user_claim,
	    &u->sub, &why)) == ERR_OK && (u->iss = jwt_claim_str(*jwt,
	    "iss")) == NULL) {
		why = "no issuer";
		e = ERR_AUTH;
	}
	if (e != ERR_OK) {
		ops_count(api, AM_TOKENS, ops_verdict(why));
		log_info("rejected token: %s", why);
		(dpop ? api_dpop_challenge : api_bearer_invalid)(r,
		    "invalid_token", strcmp(why, JWT_WHY_EXPIRED) == 0 ?
		    API_TOKEN_EXPIRED : API_TOKEN_INVALID);
		return false;
	}
	if (!api_bound_ok(api, r, dpop, *jwt, token, len, now, &bound))
		return false;
	u->scopes = (jwt_has_scope(*jwt, api->cfg->read_scope) ?
	    SCOPE_READ : 0) | (jwt_has_scope(*jwt, api->cfg->write_scope) ?
	    SCOPE_WRITE : 0);
	/* Kept: the strings then outlive the jwt, else the jwt holds them. */
	if (!bound && jsonp_int64(jwt_claims(*jwt), "exp", &exp) == ERR_OK &&
	    (hit = tokencache_put(api->cache, token, len, u->iss, u->sub,
	    u->scopes, (time_t)exp, now)) != NULL) {
		u->iss = hit->iss;
		u->sub = hit->sub;
	}
	return true;
}

/*
 * Authenticate the caller (from the cache of verified tokens, else by
 * verifying the token) and check the scope; answers on failure.
 */
static bool
api_authenticate(struct api *api, struct req *r, enum scope_need need,
    struct jwt **jwt, struct api_user *u)
{
	const struct tokencache_entry *hit;
	const char *token, *scope;
	enum bearer_scheme scheme;
	time_t	 now = time(NULL);
	size_t	 len;
	enum err e;

	*jwt = NULL;
	e = bearer_parse_scheme(req_param(r, "HTTP_AUTHORIZATION"), &scheme,
	    &token, &len);
	if (e == ERR_NOTFOUND) {
		api_challenge(r, 401, NULL, "an access token is required");
		return false;
	}
	if (e != ERR_OK) {
		/* RFC 6750 3.1: a malformed request, not a bad token. */
		log_info("rejected request: malformed Authorization header");
		api_challenge(r, 400, "invalid_request",
		    "the Authorization header is malformed");
		return false;
	}
	/* The cache holds no bound token: DPoP always verifies. */
	hit = scheme == BEARER_SCHEME_DPOP ? NULL :
	    tokencache_get(api->cache, token, len, now);
	ops_count(api, AM_TOKEN_CACHE, hit != NULL ? 0 : 1);
	if (hit != NULL) {
		u->iss = hit->iss;
		u->sub = hit->sub;
		u->scopes = hit->scopes;
	} else if (!api_verify(api, r, scheme == BEARER_SCHEME_DPOP, token,
	    len, now, jwt, u))
		return false;
	scope = need == NEED_WRITE ? api->cfg->write_scope :
	    api->cfg->read_scope;
	if (!(u->scopes & (need == NEED_WRITE ? SCOPE_WRITE : SCOPE_READ))) {
		ops_count(api, AM_TOKENS, AV_SCOPE_MISSING);
		/* In the scheme the request used (RFC 6750 3.1, RFC 9449 7.1). */
		(void)req_headerf(r, "WWW-Authenticate", "%s realm=\""
		    API_REALM "\", error=\"insufficient_scope\", "
		    "scope=\"%s\"%s", scheme == BEARER_SCHEME_DPOP ? "DPoP" :
		    "Bearer", scope, scheme == BEARER_SCHEME_DPOP ?
		    ", algs=\"" DPOP_ALGS "\"" : "");
		api_error(r, 403, "insufficient_scope", need == NEED_WRITE ?
		    "the token does not grant the write scope" :
		    "the token does not grant the read scope");
		return false;
	}
	ops_count(api, AM_TOKENS, AV_OK);
	return true;
}

/* ---- routing ------------------------------------------------------------- */

/* A task id: 1 to API_ID_DIGITS_MAX digits, no leading zero. */
static bool
api_id_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= API_ID_DIGITS_MAX && s[n] == '\0' && s[0] != '0';
}

/* Match the path below base_path; *id points into path for ROUTE_TASK. */
static enum route
api_route(const struct api *api, const char *path, const char **id)
{
	const char *base = api->cfg->base_path, *p;
	size_t	 n = strlen(base);

	*id = NULL;
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (strncmp(path, base, n) != 0)
		return ROUTE__MAX;
	p = path + n;
	if (strcmp(p, "/healthz") == 0)
		return ROUTE_HEALTHZ;
	if (strcmp(p, "/readyz") == 0)
		return ROUTE_READYZ;
	if (strcmp(p, "/metrics") == 0)
		return ROUTE_METRICS;
	if (strcmp(p, "/tasks") == 0)
		return ROUTE_TASKS;
	if (strcmp(p, "/openapi.json") == 0)
		return ROUTE_OPENAPI;
	if (strcmp(p, "/me") == 0)
		return ROUTE_ME;
	if (strcmp(p, "/me/export") == 0)
		return ROUTE_ME_EXPORT;
	if (strncmp(p, "/tasks/", 7) == 0 && api_id_ok(p + 7)) {
		*id = p + 7;
		return ROUTE_TASK;
	}
	return ROUTE__MAX;
}

/* The accept loop's handler: one request. */
static void
api_handle(void *arg, struct req *r)
{
	struct api *api = arg;
	struct api_user u;
	struct jwt *jwt = NULL;
	const char *id;
	enum route rt;
	enum scope_need need;

	ops_route(r, ROUTE__MAX);
	if (r->path == NULL) {
		api_error(r, 414, "invalid_request", "the path is too long");
		return;
	}
	if ((rt = api_route(api, r->path, &id)) == ROUTE__MAX) {
		api_error(r, 404, "not_found", "no such resource");
		return;
	}
	ops_route(r, rt);
	if ((unsigned)r->method >= 32 ||
	    !(routes[rt].methods & (1u << r->method))) {
		(void)req_header(r, "Allow", routes[rt].allow);
		api_error(r, 405, "method_not_allowed",
		    "that method is not allowed here");
		return;
	}
	switch (rt) {
	case ROUTE_HEALTHZ:
		ops_healthz(api, r);
		return;
	case ROUTE_READYZ:
		ops_readyz(api, r);
		return;
	case ROUTE_METRICS:
		ops_metrics(api, r);
		return;
	case ROUTE_OPENAPI:
		openapi_serve(api, r);
		return;
	default:
		break;
	}
	need = (r->method == REQ_GET || r->method == REQ_HEAD) ?
	    NEED_READ : NEED_WRITE;
	if (!api_authenticate(api, r, need, &jwt, &u))
		goto out;
	switch (r->method) {
	case REQ_GET:
	case REQ_HEAD:
		if (rt == ROUTE_TASKS)
			tasks_list(api, r, &u);
		else if (rt == ROUTE_ME_EXPORT)
			tasks_export(api, r, &u);
		else
			tasks_get(api, r, &u, id);
		break;
	case REQ_POST:
		tasks_create(api, r, &u);
		break;
	case REQ_PATCH:
		tasks_update(api, r, &u, id);
		break;
	case REQ_DELETE:
		if (rt == ROUTE_ME)
			tasks_erase(api, r, &u);
		else
			tasks_delete(api, r, &u, id);
		break;
	default:
		api_fail(r, ERR_SYSTEM, NULL);
		break;
	}
out:
	jwt_free(jwt);
}

/* ---- start-up ------------------------------------------------------------ */

/*
 * provider_profile (given, or guessed from metadata_url) and the
 * defaults that follow: user_claim, require_at_jwt.
 */
static bool
api_profile_setup(struct api *api, struct api_config *cfg, char *err,
    size_t len)
{
	api->profile = profile_guess(cfg->metadata_url);
	if (cfg->provider_profile != NULL &&
	    !profile_parse(cfg->provider_profile, &api->profile)) {
		snprintf(err, len, "provider_profile: \"%s\" is not b2c, "
		    "external-id or generic", cfg->provider_profile);
		return false;
	}
	api->policy.require_at_jwt = profile_at_jwt_default(api->profile);
	if (cfg->require_at_jwt != NULL && !conf_bool_parse(
	    cfg->require_at_jwt, &api->policy.require_at_jwt)) {
		snprintf(err, len, "require_at_jwt: \"%s\" is not on or off",
		    cfg->require_at_jwt);
		return false;
	}
	if (cfg->user_claim == NULL && (cfg->user_claim =
	    strdup(profile_user_claim(api->profile))) == NULL) {
		snprintf(err, len, "out of memory");
		return false;
	}
	return true;
}

/* Checks conf_load() cannot make; the message names the key. */
static bool
api_config_check(const struct api_config *cfg, char *err, size_t len)
{
	enum log_level lvl;
	enum log_format fmt;

	if (!log_level_parse(cfg->log_level, &lvl)) {
		snprintf(err, len, "log_level: \"%s\" is not error, warning, "
		    "info or debug", cfg->log_level);
		return false;
	}
	if (!log_format_parse(cfg->log_format, &fmt)) {
		snprintf(err, len, "log_format: \"%s\" is not text or json",
		    cfg->log_format);
		return false;
	}
	if (cfg->metrics_token_file != NULL &&
	    strlen(cfg->metrics_token_file) < API_METRICS_TOKEN_MIN) {
		snprintf(err, len, "metrics_token_file: the secret must be at "
		    "least %d bytes", API_METRICS_TOKEN_MIN);
		return false;
	}
	if (cfg->base_path[0] != '/') {
		snprintf(err, len, "base_path: must start with /");
		return false;
	}
	if (strpbrk(cfg->write_scope, " \t") != NULL ||
	    strpbrk(cfg->read_scope, " \t") != NULL) {
		snprintf(err, len, "read_scope, write_scope: one scope each, "
		    "without spaces");
		return false;
	}
	if (!auth_user_claims_ok(cfg->user_claim)) {
		snprintf(err, len, "user_claim: \"%s\" is not 1 to %d claim "
		    "names separated by spaces", cfg->user_claim,
		    AUTH_USER_CLAIMS_MAX);
		return false;
	}
	return true;
}

/* Split metadata_url on spaces into providers. */
static enum err
api_providers(struct api *api, char *err, size_t len)
{
	char	*list, *p, *save = NULL;
	enum err e = ERR_OK;

	if ((list = strdup(api->cfg->metadata_url)) == NULL)
		return ERR_NOMEM;
	for (p = strtok_r(list, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (!httpc_url_allowed(p)) {
			snprintf(err, len, "metadata_url: %s: must be https:// "
			    "(http:// only for loopback hosts)", p);
			e = ERR_INPUT;
			break;
		}
		if (api->nproviders == API_PROVIDERS_MAX) {
			snprintf(err, len, "metadata_url: more than %d URLs",
			    API_PROVIDERS_MAX);
			e = ERR_INPUT;
			break;
		}
		if ((e = provider_new(p, &api->providers[api->nproviders])) !=
		    ERR_OK)
			break;
		api->nproviders++;
	}
	free(list);
	if (e == ERR_OK && api->nproviders == 0) {
		snprintf(err, len, "metadata_url: no URL given");
		e = ERR_INPUT;
	}
	return e;
}

static void
api_free(struct api *api)
{
	size_t i;

	for (i = 0; i < api->nproviders; i++)
		provider_free(api->providers[i]);
	db_free(api->db);
	httpc_free(api->http);
	tokencache_free(api->cache);
	metrics_close(api->metrics);
}

/* --check-config: fetch what the configuration points at. */
/*
 * Before the first request: the database connection, every statement
 * prepared, the providers' documents and keys (from the store, else
 * fetched).  A failure here is logged and left to the first request,
 * which tries again as it always did.
 */
static void
api_warm(struct api *api)
{
	time_t	 now = time(NULL);
	size_t	 i;

	(void)db_warm(api->db);
	for (i = 0; i < api->nproviders; i++)
		(void)provider_load(api->providers[i], api->http, now);
}

static int
api_check(struct api *api)
{
	size_t	 i;
	bool	 good = true;

	for (i = 0; i < api->nproviders; i++)
		good &= provider_check(api->providers[i], api->http,
		    "metadata_url", stdout);
	good &= db_check(api->db, &api_stmts[STMT_HEALTH], stdout);
	if (access(api->cfg->metrics_dir, W_OK | X_OK) != 0)
		printf("metrics_dir: %s: %s (the API would serve without "
		    "metrics)\n", api->cfg->metrics_dir, strerror(errno));
	printf("provider_profile: %s (%s)\n", profile_name(api->profile),
	    api->cfg->provider_profile != NULL ? "configured" :
	    "guessed from metadata_url");
	printf("require_at_jwt: %s (%s)\n", api->policy.require_at_jwt ?
	    "on: access tokens must have typ at+jwt (RFC 9068)" :
	    "off: typ JWT accepted, as Microsoft issues",
	    api->cfg->require_at_jwt != NULL ? "configured" :
	    "the profile's default");
	printf("user_claim: %s (the first of these claims present names the "
	    "user; oid fits Azure AD B2C and Entra ID, sub other "
	    "providers)\n", api->cfg->user_claim);
	printf("max_token_lifetime: %ld seconds\n",
	    api->cfg->max_token_lifetime);
	if (!good)
		return 1;
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct cli_prog prog = { "todo-api", "todo-api.fcgi",
	    API_ENV_CONFIG, "The todo-b2c task API: JSON over FastCGI, "
	    "secured by OAuth 2.0 bearer tokens." };
	struct api_config cfg;
	struct api api;
	struct provider_store *store = NULL;
	const char *path;
	char	 err[CONF_ERR_MAX];
	enum log_level lvl = LOG_LEVEL_INFO;
	enum log_format fmt = LOG_FORMAT_TEXT;
	struct cli_args a;
	enum cli_mode mode;
	int	 rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&api, 0, sizeof(api));
	log_init("todo-api", LOG_LEVEL_INFO);
	if ((rc = cli_start_args(&prog, false, argc, argv, &a)) >= 0)
		return rc;
	mode = a.mode;
	path = a.config;
	rc = 1;
	if (conf_load(path, API_ENV_PREFIX, api_keys, API_NKEYS, &cfg, err,
	    sizeof(err)) != ERR_OK || !api_profile_setup(&api, &cfg, err,
	    sizeof(err)) || !api_config_check(&cfg, err, sizeof(err))) {
		fprintf(stderr, "todo-api: %s\n", err);
		goto out;
	}
	(void)log_level_parse(cfg.log_level, &lvl);
	(void)log_format_parse(cfg.log_format, &fmt);
	log_init("todo-api", lvl);
	log_set_format(fmt);
	api.cfg = &cfg;
	if (httpc_global_init() != ERR_OK || httpc_new(&api.http) != ERR_OK ||
	    tokencache_new(&api.cache) != ERR_OK ||
	    db_new(cfg.database, api_stmts, STMT__MAX, &api.db) != ERR_OK) {
		fprintf(stderr, "todo-api: out of memory\n");
		goto out;
	}
	httpc_configure(api.http, cfg.ca_file, cfg.http_proxy);
	httpc_keep_alive(api.http, false);
	if (api_providers(&api, err, sizeof(err)) != ERR_OK) {
		fprintf(stderr, "todo-api: %s: %s\n", path, err);
		goto out;
	}
	api.policy.providers = api.providers;
	api.policy.nproviders = api.nproviders;
	api.policy.issuer = cfg.issuer;
	api.policy.audience = cfg.audience;
	api.policy.leeway = cfg.clock_skew;
	api.policy.max_lifetime = cfg.max_token_lifetime;
	if (mode == CLI_CHECK_CONFIG)
		rc = api_check(&api);
	else if (mode == CLI_MIGRATE)
		rc = migrate_main(api.db, "api", api_migrations,
		    api_migrations_count);
	else if (mode == CLI_MAP_OWNER)
		rc = owners_map(&api, a.file);
	else if (provider_store_new(cfg.database, "api", &store) != ERR_OK)
		fprintf(stderr, "todo-api: out of memory\n");
	else {
		provider_store_attach(store, api.providers, api.nproviders);
		ops_metrics_open(&api);
		api_warm(&api);
		rc = req_serve_with(api_handle, ops_done, &api) == ERR_OK ? 0 :
		    1;
	}
out:
	api_free(&api);
	provider_store_free(store);
	conf_free(api_keys, API_NKEYS, &cfg);
	return rc;
}
