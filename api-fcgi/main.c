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
#include "jsonp.h"
#include "log.h"
#include "migrate.h"
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
	KEY(user_claim, CONF_STR, "oid", false, 0, 0),
	KEY(clock_skew, CONF_INT, "60", false, 0, 600),
	KEY(max_token_lifetime, CONF_INT, "86400", false, 60, API_LIFETIME_MAX),
	KEY(base_path, CONF_STR, "/api", false, 0, 0),
	KEY(log_level, CONF_STR, "info", false, 0, 0),
	KEY(log_format, CONF_STR, "text", false, 0, 0),
	KEY(ca_file, CONF_STR, NULL, false, 0, 0),
	KEY(http_proxy, CONF_STR, NULL, false, 0, 0),
	KEY(metrics_dir, CONF_STR, METRICS_DIR_DEFAULT, false, 0, 0),
	{ "metrics_token_file", CONF_FILE, offsetof(struct api_config,
	    metrics_token_file), NULL, false, 0, 0, true },
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
};
#undef M

/* ---- authentication ------------------------------------------------------ */

/*
 * status (401, or 400 for invalid_request) with the RFC 6750 challenge;
 * error NULL for "no token at all".
 */
static void
api_challenge(struct req *r, int status, const char *error,
    const char *desc)
{
	if (error == NULL) {
		(void)req_header(r, "WWW-Authenticate",
		    "Bearer realm=\"" API_REALM "\"");
		api_error(r, status, "unauthorized", desc);
		return;
	}
	(void)req_headerf(r, "WWW-Authenticate", "Bearer realm=\"" API_REALM
	    "\", error=\"%s\", error_description=\"%s\"", error, desc);
	api_error(r, status, error, desc);
}

/* Scope bits remembered with a verified token. */
#define SCOPE_READ 0x1u
#define SCOPE_WRITE 0x2u

/*
 * Verify a token the cache does not know and remember what it grants.
 * Answers on failure.  *jwt holds the strings *u points into when the
 * token could not be cached.
 */
static bool
api_verify(struct api *api, struct req *r, const char *token, size_t len,
    time_t now, struct jwt **jwt, struct api_user *u)
{
	const struct tokencache_entry *hit;
	const char *why;
	int64_t	 exp;
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
		api_challenge(r, 401, "invalid_token",
		    strcmp(why, JWT_WHY_EXPIRED) == 0 ? API_TOKEN_EXPIRED :
		    API_TOKEN_INVALID);
		return false;
	}
	u->scopes = (jwt_has_scope(*jwt, api->cfg->read_scope) ?
	    SCOPE_READ : 0) | (jwt_has_scope(*jwt, api->cfg->write_scope) ?
	    SCOPE_WRITE : 0);
	/* Kept: the strings then outlive the jwt, else the jwt holds them. */
	if (jsonp_int64(jwt_claims(*jwt), "exp", &exp) == ERR_OK &&
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
	time_t	 now = time(NULL);
	size_t	 len;
	enum err e;

	*jwt = NULL;
	e = bearer_parse(req_param(r, "HTTP_AUTHORIZATION"), &token, &len);
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
	hit = tokencache_get(api->cache, token, len, now);
	ops_count(api, AM_TOKEN_CACHE, hit != NULL ? 0 : 1);
	if (hit != NULL) {
		u->iss = hit->iss;
		u->sub = hit->sub;
		u->scopes = hit->scopes;
	} else if (!api_verify(api, r, token, len, now, jwt, u))
		return false;
	scope = need == NEED_WRITE ? api->cfg->write_scope :
	    api->cfg->read_scope;
	if (!(u->scopes & (need == NEED_WRITE ? SCOPE_WRITE : SCOPE_READ))) {
		ops_count(api, AM_TOKENS, AV_SCOPE_MISSING);
		(void)req_headerf(r, "WWW-Authenticate", "Bearer realm=\""
		    API_REALM "\", error=\"insufficient_scope\", "
		    "scope=\"%s\"", scope);
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
	const char *path;
	char	 err[CONF_ERR_MAX];
	enum log_level lvl = LOG_LEVEL_INFO;
	enum log_format fmt = LOG_FORMAT_TEXT;
	enum cli_mode mode;
	int	 rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(&api, 0, sizeof(api));
	log_init("todo-api", LOG_LEVEL_INFO);
	if ((rc = cli_start(&prog, argc, argv, &mode, &path)) >= 0)
		return rc;
	rc = 1;
	if (conf_load(path, API_ENV_PREFIX, api_keys, API_NKEYS, &cfg, err,
	    sizeof(err)) != ERR_OK || !api_config_check(&cfg, err,
	    sizeof(err))) {
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
	else {
		ops_metrics_open(&api);
		rc = req_serve_with(api_handle, ops_done, &api) == ERR_OK ? 0 :
		    1;
	}
out:
	api_free(&api);
	conf_free(api_keys, API_NKEYS, &cfg);
	return rc;
}
