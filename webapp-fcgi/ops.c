/*
 * Operating the web app: the access record and the metrics of every
 * request, /metrics (loopback only, or the bearer secret of
 * metrics_token_file), /healthz (alive), /readyz (database and provider
 * documents), and the administration commands (--purge, --sessions,
 * --revoke-sessions).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "health.h"
#include "log.h"
#include "metrics.h"
#include "oidc.h"
#include "respond.h"
#include "webapp.h"

#define OPS_B2C_PREFIX "AADB2C"
#define OPS_B2C_DIGITS 5

/* ---- the registry ------------------------------------------------------ */

static const char *const ops_routes[ROUTE__MAX + 1] = {
	[ROUTE_HOME] = "/",
	[ROUTE_SIGNIN] = "/signin",
	[ROUTE_CALLBACK] = "/signin/callback",
	[ROUTE_PROFILE] = "/profile",
	[ROUTE_PASSWORD] = "/password",
	[ROUTE_SIGNOUT] = "/signout",
	[ROUTE_TASKS] = "/tasks",
	[ROUTE_TASK_DONE] = "/tasks/{id}/done",
	[ROUTE_TASK_DELETE] = "/tasks/{id}/delete",
	[ROUTE_CLAIMS] = "/claims",
	[ROUTE_HEALTHZ] = "/healthz",
	[ROUTE_READYZ] = "/readyz",
	[ROUTE_METRICS] = "/metrics",
	[ROUTE_STYLE] = "/static/style.css",
	[ROUTE_TASK] = "/tasks/{id}",
	[ROUTE_SESSIONS] = "/sessions",
	[ROUTE_SESSION_REVOKE] = "/sessions/{id}/revoke",
	[ROUTE_SESSIONS_REVOKE_OTHERS] = "/sessions/revoke-others",
	[ROUTE_ACCOUNT] = "/account",
	[ROUTE_EXPORT_JSON] = "/account/export.json",
	[ROUTE_EXPORT_CSV] = "/account/export.csv",
	[ROUTE_ACCOUNT_DELETE] = "/account/delete",
	[ROUTE_SIGNOUT_FRONT] = "/signout/frontchannel",
	[ROUTE_SIGNOUT_BACK] = "/signout/backchannel",
	[ROUTE__MAX] = "unmatched",
};
static const char *const ops_flows[FLOW__MAX] = {
	[FLOW_SIGNIN] = "signin",
	[FLOW_PROFILE] = "profile",
	[FLOW_RESET] = "reset",
};
static const char *const ops_failures[WSF__MAX] = {
	[WSF_CANCELLED] = "cancelled",
	[WSF_PROVIDER_ERROR] = "provider_error",
	[WSF_CODE_REFUSED] = "code_refused",
	[WSF_ID_TOKEN] = "id_token_rejected",
	[WSF_EXPIRED] = "expired",
	[WSF_BAD_ANSWER] = "bad_answer",
	[WSF_UNAVAILABLE] = "unavailable",
	[WSF_OTHER] = "other",
};
/* The AADB2C codes counted apart; the last two: any other, none. */
static const char *const ops_b2c_codes[] = {
	"AADB2C90118",	/* forgot password */
	"AADB2C90091",	/* cancelled */
	"AADB2C90006",	/* redirect URI not registered */
	"AADB2C90057",	/* application not allowed this flow */
	"AADB2C90077",	/* no valid session for prompt=none */
	"AADB2C90079",	/* client secret wrong */
	"AADB2C90080",	/* grant expired */
	"AADB2C90088",	/* grant not issued for this endpoint */
	"AADB2C90090",	/* bad JWE header */
	"AADB2C90205",	/* scopes not granted */
	"AADB2C90208",	/* bad request */
	"AADB2C90273",	/* bad response from the user */
	"AADB2C99002",	/* user does not exist */
	"other",
	"none",
};
#define OPS_B2C_NCODES (sizeof(ops_b2c_codes) / sizeof(ops_b2c_codes[0]))
#define OPS_B2C_OTHER (OPS_B2C_NCODES - 2)
#define OPS_B2C_NONE (OPS_B2C_NCODES - 1)
static const char *const ops_refresh[WRF__MAX] = {
	[WRF_OK] = "ok",
	[WRF_REFUSED] = "refused",
	[WRF_ERROR] = "error",
};
static const char *const ops_documents[PROVIDER_FETCH__MAX] = {
	[PROVIDER_FETCH_DISCOVERY] = "discovery",
	[PROVIDER_FETCH_JWKS] = "jwks",
};
static const char *const ops_outcomes[2] = { "ok", "error" };

static const struct metrics_label ops_l_requests[] = {
	{ "route", ops_routes, ROUTE__MAX + 1 },
	{ "code", metrics_status_classes, METRICS_STATUS_CLASSES },
};
static const struct metrics_label ops_l_flow[] = {
	{ "flow", ops_flows, FLOW__MAX },
};
static const struct metrics_label ops_l_reason[] = {
	{ "reason", ops_failures, WSF__MAX },
};
static const struct metrics_label ops_l_b2c[] = {
	{ "code", ops_b2c_codes, OPS_B2C_NCODES },
};
static const struct metrics_label ops_l_refresh[] = {
	{ "outcome", ops_refresh, WRF__MAX },
};
static const struct metrics_label ops_l_fetch[] = {
	{ "document", ops_documents, PROVIDER_FETCH__MAX },
	{ "outcome", ops_outcomes, 2 },
};
/* Seconds. */
static const double ops_buckets[] = { .005, .01, .025, .05, .1, .25, .5, 1,
	2.5, 5, 10 };

static const struct metrics_def ops_defs[WM__MAX] = {
	[WM_REQUESTS] = { "todo_webapp_requests_total",
	    "Requests answered, by route template and status class.",
	    METRICS_COUNTER, ops_l_requests, 2, NULL, 0 },
	[WM_DURATION] = { "todo_webapp_request_duration_seconds",
	    "Time from accepting a request to its end, by route template.",
	    METRICS_HISTOGRAM, ops_l_requests, 1, ops_buckets,
	    sizeof(ops_buckets) / sizeof(ops_buckets[0]) },
	[WM_SIGNINS_STARTED] = { "todo_webapp_signins_started_total",
	    "Browsers sent to the identity provider, by user flow.",
	    METRICS_COUNTER, ops_l_flow, 1, NULL, 0 },
	[WM_SIGNINS_COMPLETED] = { "todo_webapp_signins_completed_total",
	    "Sign-ins that made or updated a session, by user flow.",
	    METRICS_COUNTER, ops_l_flow, 1, NULL, 0 },
	[WM_SIGNINS_FAILED] = { "todo_webapp_signins_failed_total",
	    "Sign-ins that did not complete, by reason.",
	    METRICS_COUNTER, ops_l_reason, 1, NULL, 0 },
	[WM_B2C_ERRORS] = { "todo_webapp_b2c_errors_total",
	    "Errors the identity provider answered, by AADB2C code.",
	    METRICS_COUNTER, ops_l_b2c, 1, NULL, 0 },
	[WM_REFRESH] = { "todo_webapp_refresh_grants_total",
	    "Refresh-token grants, by outcome.",
	    METRICS_COUNTER, ops_l_refresh, 1, NULL, 0 },
	[WM_SESSIONS_ACTIVE] = { "todo_webapp_sessions_active",
	    "Sessions neither timeout has ended (from PostgreSQL, a few "
	    "seconds old at most).", METRICS_GAUGE, NULL, 0, NULL, 0 },
	[WM_PROVIDER_FETCHES] = { "todo_webapp_provider_fetches_total",
	    "Discovery documents and JWK sets fetched, by outcome.",
	    METRICS_COUNTER, ops_l_fetch, 2, NULL, 0 },
	[WM_DB_ERRORS] = { "todo_webapp_db_errors_total",
	    "Database calls that failed (server down or statement refused).",
	    METRICS_COUNTER, NULL, 0, NULL, 0 },
	[WM_DB_RECONNECTS] = { "todo_webapp_db_reconnects_total",
	    "Database connections opened again after an earlier one.",
	    METRICS_COUNTER, NULL, 0, NULL, 0 },
};

static const struct metrics_spec ops_spec = { "todo_webapp", "todo-webapp",
	PACKAGE_VERSION, ops_defs, WM__MAX };

/* ---- counting ---------------------------------------------------------- */

void
ops_route(struct req *r, enum route rt)
{
	req_set_route(r, ops_routes[(unsigned)rt <= ROUTE__MAX ? rt :
	    ROUTE__MAX]);
}

void
ops_count(struct web *w, enum web_metric m, unsigned label)
{
	unsigned l[1] = { label };

	if ((unsigned)m < WM__MAX)
		metrics_inc(w->metrics, m, ops_defs[m].nlabels ? l : NULL);
}

void
ops_signin_failed(struct web *w, enum web_signin_failure why)
{
	ops_count(w, WM_SIGNINS_FAILED, why);
}

/* The index of the AADB2C code in d, OPS_B2C_OTHER or OPS_B2C_NONE. */
static unsigned
ops_b2c_index(const char *d, char code[sizeof(OPS_B2C_PREFIX) +
    OPS_B2C_DIGITS])
{
	const char *p;
	size_t	 i, n = strlen(OPS_B2C_PREFIX);

	code[0] = '\0';
	if (d == NULL || (p = strstr(d, OPS_B2C_PREFIX)) == NULL ||
	    strspn(p + n, "0123456789") < OPS_B2C_DIGITS)
		return OPS_B2C_NONE;
	memcpy(code, p, n + OPS_B2C_DIGITS);
	code[n + OPS_B2C_DIGITS] = '\0';
	for (i = 0; i < OPS_B2C_OTHER; i++)
		if (strcmp(code, ops_b2c_codes[i]) == 0)
			return (unsigned)i;
	return OPS_B2C_OTHER;
}

void
ops_provider_error(struct web *w, const char *error, const char *desc)
{
	char	 code[sizeof(OPS_B2C_PREFIX) + OPS_B2C_DIGITS], *corr;
	unsigned i;

	i = ops_b2c_index(desc, code);
	ops_count(w, WM_B2C_ERRORS, i);
	corr = desc != NULL ? oidc_b2c_correlation(desc) : NULL;
	log_event(LOG_LEVEL_WARN, "provider_error", LOG_FIELDS(
	    LOG_F_PROVIDER_ERROR(code[0] != '\0' ? code : error),
	    LOG_F_B2C_CORRELATION_ID(corr)),
	    "the identity provider answered %s", error ? error : "an error");
	free(corr);
}

static void
ops_db_event(void *arg, enum db_event ev)
{
	struct web *w = arg;

	ops_count(w, ev == DB_EVENT_RECONNECT ? WM_DB_RECONNECTS :
	    WM_DB_ERRORS, 0);
}

static void
ops_fetch_event(void *arg, enum provider_fetch what, bool ok)
{
	struct web *w = arg;
	unsigned l[2] = { what, ok ? 0 : 1 };

	metrics_inc(w->metrics, WM_PROVIDER_FETCHES, l);
}

void
ops_metrics_open(struct web *w)
{
	char	 err[METRICS_ERR_MAX];
	size_t	 i;

	if (metrics_open(w->cfg->metrics_dir, &ops_spec, &w->metrics, err,
	    sizeof(err)) != ERR_OK) {
		log_err("%s: serving without metrics", err);
		return;
	}
	db_set_hook(w->db, ops_db_event, w);
	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL)
			provider_set_hook(w->flows[i], ops_fetch_event, w);
}

void
ops_done(void *arg, const struct req *r)
{
	struct web *w = arg;
	const char *route = req_route(r);
	double	 ms = req_elapsed_ms(r);
	unsigned i;

	log_access(req_method_name(r->method), route, req_status(r), ms);
	for (i = 0; i < ROUTE__MAX && ops_routes[i] != route; i++)
		continue;
	metrics_request(w->metrics, WM_REQUESTS, WM_DURATION, i, req_status(r), ms);
}

/* ---- /metrics, /healthz, /readyz --------------------------------------- */

void
ops_metrics(struct web *w, struct req *r)
{
	time_t	 now = time(NULL);
	long	 n;

	if (!req_metrics_allowed(r, w->cfg->metrics_token_file)) {
		web_error(w, r, NULL, 404, "Not found", "There is no such "
		    "page.");
		return;
	}
	if (w->metrics == NULL) {
		req_metrics(r, NULL, 0);
		return;
	}
	if (now - w->sessions_counted >= WEB_SESSIONS_GAUGE_TTL) {
		w->sessions_counted = now;
		if (store_sessions_count(w, &n) == ERR_OK)
			metrics_set(w->metrics, WM_SESSIONS_ACTIVE, NULL,
			    (double)n);
	}
	req_metrics(r, w->metrics, WEB_METRICS_MAX);
}

void
ops_healthz(struct web *w, struct req *r)
{
	(void)w;
	health_alive(r);
}

void
ops_readyz(struct web *w, struct req *r)
{
	health_ready(r, w->db, &web_stmts[WSTMT_HEALTH], w->flows, FLOW__MAX,
	    w->idp);
}

/* ---- administration ------------------------------------------------------ */

int
ops_admin(struct web *w, enum cli_mode mode, const char *user)
{
	const char *what = "--purge";
	long	 a = 0, b = 0;
	enum err e;

	switch (mode) {
	case CLI_PURGE:
		if ((e = store_purge_now(w, &a, &b)) == ERR_OK)
			printf("purged %ld expired sessions and %ld expired "
			    "sign-in requests\n", a, b);
		break;
	case CLI_SESSIONS:
		what = "--sessions";
		if ((e = store_sessions_list(w, user, stdout, &a)) == ERR_OK)
			printf("%ld sessions of user %s\n", a, user);
		break;
	case CLI_REVOKE_SESSIONS:
		what = "--revoke-sessions";
		if ((e = store_sessions_revoke(w, user, &a)) == ERR_OK) {
			printf("revoked %ld sessions of user %s (their cached "
			    "tokens deleted with them)\n", a, user);
			log_event(LOG_LEVEL_INFO, "sessions_revoked",
			    LOG_FIELDS(LOG_F_USER(user)), "revoked %ld "
			    "sessions", a);
		}
		break;
	default:
		e = ERR_INPUT;
		break;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "todo-webapp: %s: %s\n", what, e == ERR_DB ?
		    "the database cannot be reached or refused the statement" :
		    err_str(e));
		return 1;
	}
	return 0;
}
