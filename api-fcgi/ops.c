/*
 * Operating the API: the access record and the metrics of every request,
 * /metrics (loopback only, or the bearer secret of metrics_token_file),
 * /healthz (alive) and /readyz (database and provider keys).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "api.h"
#include "jwt.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "respond.h"


static const char *const ops_routes[ROUTE__MAX + 1] = {
	[ROUTE_HEALTHZ] = "/healthz",
	[ROUTE_READYZ] = "/readyz",
	[ROUTE_METRICS] = "/metrics",
	[ROUTE_TASKS] = "/tasks",
	[ROUTE_TASK] = "/tasks/{id}",
	[ROUTE_OPENAPI] = "/openapi.json",
	[ROUTE_ME] = "/me",
	[ROUTE_ME_EXPORT] = "/me/export",
	[ROUTE__MAX] = "unmatched",
};
static const char *const ops_verdicts[AV__MAX] = {
	[AV_OK] = "ok",
	[AV_EXPIRED] = "expired",
	[AV_BAD_SIGNATURE] = "bad_signature",
	[AV_WRONG_AUDIENCE] = "wrong_audience",
	[AV_WRONG_ISSUER] = "wrong_issuer",
	[AV_UNKNOWN_KEY] = "unknown_key",
	[AV_SCOPE_MISSING] = "scope_missing",
	[AV_MALFORMED] = "malformed",
	[AV_PROVIDER_UNAVAILABLE] = "provider_unavailable",
	[AV_OTHER] = "other",
};
static const char *const ops_cache[2] = { "hit", "miss" };
static const char *const ops_documents[PROVIDER_FETCH__MAX] = {
	[PROVIDER_FETCH_DISCOVERY] = "discovery",
	[PROVIDER_FETCH_JWKS] = "jwks",
};
static const char *const ops_outcomes[2] = { "ok", "error" };

static const struct metrics_label ops_l_requests[] = {
	{ "route", ops_routes, ROUTE__MAX + 1 },
	{ "code", metrics_status_classes, METRICS_STATUS_CLASSES },
};
static const struct metrics_label ops_l_verdict[] = {
	{ "outcome", ops_verdicts, AV__MAX },
};
static const struct metrics_label ops_l_cache[] = {
	{ "result", ops_cache, 2 },
};
static const struct metrics_label ops_l_fetch[] = {
	{ "document", ops_documents, PROVIDER_FETCH__MAX },
	{ "outcome", ops_outcomes, 2 },
};
/* Seconds. */
static const double ops_buckets[] = { .001, .0025, .005, .01, .025, .05,
	.1, .25, .5, 1, 2.5, 5 };

static const struct metrics_def ops_defs[AM__MAX] = {
	[AM_REQUESTS] = { "todo_api_requests_total",
	    "Requests answered, by route template and status class.",
	    METRICS_COUNTER, ops_l_requests, 2, NULL, 0 },
	[AM_DURATION] = { "todo_api_request_duration_seconds",
	    "Time from accepting a request to its end, by route template.",
	    METRICS_HISTOGRAM, ops_l_requests, 1, ops_buckets,
	    sizeof(ops_buckets) / sizeof(ops_buckets[0]) },
	[AM_TOKENS] = { "todo_api_token_verifications_total",
	    "Bearer tokens judged, by outcome (a cached token counts too).",
	    METRICS_COUNTER, ops_l_verdict, 1, NULL, 0 },
	[AM_TOKEN_CACHE] = { "todo_api_token_cache_lookups_total",
	    "Lookups in the cache of verified tokens, by result.",
	    METRICS_COUNTER, ops_l_cache, 1, NULL, 0 },
	[AM_PROVIDER_FETCHES] = { "todo_api_provider_fetches_total",
	    "Discovery documents and JWK sets fetched, by outcome.",
	    METRICS_COUNTER, ops_l_fetch, 2, NULL, 0 },
	[AM_DB_ERRORS] = { "todo_api_db_errors_total",
	    "Database calls that failed (server down or statement refused).",
	    METRICS_COUNTER, NULL, 0, NULL, 0 },
	[AM_DB_RECONNECTS] = { "todo_api_db_reconnects_total",
	    "Database connections opened again after an earlier one.",
	    METRICS_COUNTER, NULL, 0, NULL, 0 },
};

static const struct metrics_spec ops_spec = { "todo_api", "todo-api",
	PACKAGE_VERSION, ops_defs, AM__MAX };

void
ops_route(struct req *r, enum route rt)
{
	req_set_route(r, ops_routes[(unsigned)rt <= ROUTE__MAX ? rt :
	    ROUTE__MAX]);
}

/* What auth_verify's or auth_user's reason means for the metrics. */
enum api_verdict
ops_verdict(const char *why)
{
	static const struct {
		const char	*why;
		enum api_verdict v;
	} map[] = {
		{ JWT_WHY_EXPIRED, AV_EXPIRED },
		{ "bad signature", AV_BAD_SIGNATURE },
		{ "wrong audience", AV_WRONG_AUDIENCE },
		{ "missing audience", AV_WRONG_AUDIENCE },
		{ "bad audience", AV_WRONG_AUDIENCE },
		{ "wrong issuer", AV_WRONG_ISSUER },
		{ "missing or bad issuer", AV_WRONG_ISSUER },
		{ "no issuer", AV_WRONG_ISSUER },
		{ "unknown signing key", AV_UNKNOWN_KEY },
		{ "malformed token", AV_MALFORMED },
		{ "algorithm not allowed", AV_MALFORMED },
	};
	size_t	 i;

	for (i = 0; why != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(why, map[i].why) == 0)
			return map[i].v;
	return AV_OTHER;
}

void
ops_count(struct api *api, enum api_metric m, unsigned label)
{
	unsigned l[1] = { label };

	if ((unsigned)m < AM__MAX)
		metrics_inc(api->metrics, m, ops_defs[m].nlabels ? l : NULL);
}

static void
ops_db_event(void *arg, enum db_event ev)
{
	ops_count(arg, ev == DB_EVENT_RECONNECT ? AM_DB_RECONNECTS :
	    AM_DB_ERRORS, 0);
}

static void
ops_fetch_event(void *arg, enum provider_fetch what, bool ok)
{
	struct api *api = arg;
	unsigned l[2] = { what, ok ? 0 : 1 };

	metrics_inc(api->metrics, AM_PROVIDER_FETCHES, l);
}

void
ops_metrics_open(struct api *api)
{
	char	 err[METRICS_ERR_MAX];
	size_t	 i;

	if (metrics_open(api->cfg->metrics_dir, &ops_spec, &api->metrics,
	    err, sizeof(err)) != ERR_OK) {
		log_err("%s: serving without metrics", err);
		return;
	}
	db_set_hook(api->db, ops_db_event, api);
	for (i = 0; i < api->nproviders; i++)
		provider_set_hook(api->providers[i], ops_fetch_event, api);
}

void
ops_done(void *arg, const struct req *r)
{
	struct api *api = arg;
	const char *route = req_route(r);
	double	 ms = req_elapsed_ms(r);
	unsigned i;

	log_access(req_method_name(r->method), route, req_status(r), ms);
	for (i = 0; i < ROUTE__MAX && ops_routes[i] != route; i++)
		continue;
	metrics_request(api->metrics, AM_REQUESTS, AM_DURATION, i, req_status(r), ms);
}

void
ops_metrics(struct api *api, struct req *r)
{
	if (!req_metrics_allowed(r, api->cfg->metrics_token_file)) {
		api_error(r, 404, "not_found", "no such resource");
		return;
	}
	req_metrics(r, api->metrics, API_METRICS_MAX);
}

void
ops_healthz(struct api *api, struct req *r)
{
	(void)api;
	health_alive(r);
}

void
ops_readyz(struct api *api, struct req *r)
{
	health_ready(r, api->db, &api_stmts[STMT_HEALTH], api->providers,
	    api->nproviders, api->http);
}
