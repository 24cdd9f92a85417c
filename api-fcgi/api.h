/*
 * api-fcgi: what main.c and the route files share: limits, the
 * configuration, the process, the caller, the statements and the routes.
 * Answers are in respond.h.
 */
#ifndef TODO_API_H
#define TODO_API_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "httpc.h"
#include "metrics.h"
#include "profile.h"
#include "req.h"
#include "tokencache.h"

#define API_BODY_MAX (64 * 1024)	/* 413 above */
#define API_JSON_DEPTH 8
#define API_TEXT_MAX 1000		/* characters */
#define API_TASKS_MAX 500		/* tasks per user: a list stays < 1 MiB */
#define API_USER_MAX AUTH_USER_MAX	/* bytes of the user claim */
#define API_PROVIDERS_MAX AUTH_ISSUERS_MAX
#define API_METRICS_MAX (128 * 1024)	/* bytes of one /metrics answer */
#define API_METRICS_TOKEN_MIN 16	/* bytes of the metrics token */

struct api_config {
	char	*database;
	char	*metadata_url;
	char	*issuer;
	char	*audience;
	char	*read_scope;
	char	*write_scope;
	char	*user_claim;	/* claim names, space separated, in order */
	long	 clock_skew;
	long	 max_token_lifetime;	/* seconds of exp - iat */
	long	 dpop_max_age;	/* seconds a DPoP proof is good after iat */
	char	*base_path;
	char	*log_level;
	char	*log_format;	/* text | json */
	char	*ca_file;	/* PEM CAs for https calls; NULL: system */
	char	*http_proxy;	/* proxy URL; NULL: none */
	char	*metrics_dir;	/* where the shared metrics file is */
	char	*metrics_token_file; /* its contents: /metrics bearer */
	char	*provider_profile;	/* b2c | external-id | generic */
	char	*require_at_jwt;	/* on/off; NULL: the profile's */
};

/* The process: one database connection, one HTTP client, the providers. */
struct api {
	const struct api_config	*cfg;
	struct db		*db;
	struct httpc		*http;
	struct provider		*providers[API_PROVIDERS_MAX];
	size_t			 nproviders;
	struct auth_policy	 policy;
	struct tokencache	*cache;		/* verified tokens */
	struct metrics		*metrics;	/* NULL: not counting */
	enum profile		 profile;	/* provider_profile */
	time_t			 dpop_purged;	/* last purge of old jtis */
};

/* The authenticated caller of a request. */
struct api_user {
	const char	*iss;
	const char	*sub;
	unsigned	 scopes;	/* SCOPE_READ | SCOPE_WRITE */
};

/* Statements, indexed by enum api_stmt. */
enum api_stmt {
	STMT_HEALTH,
	STMT_TASK_LIST,
	STMT_TASK_GET,
	STMT_TASK_CREATE_FAST,
	STMT_TASK_INSERT,
	STMT_TASK_UPDATE,
	STMT_TASK_DELETE,
	STMT_TASK_EXPORT,
	STMT_ME_ERASE,
	STMT_DPOP_JTI,		/* dpop.c: remember a proof's jti */
	STMT_DPOP_PURGE,	/* dpop.c: forget the expired ones */
	STMT__MAX
};
extern const struct db_stmt api_stmts[STMT__MAX];

/* Routes (tasks.c).  id is a validated positive integer as text. */
void	tasks_list(struct api *, struct req *, const struct api_user *);
void	tasks_create(struct api *, struct req *, const struct api_user *);
void	tasks_get(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_update(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_delete(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_export(struct api *, struct req *, const struct api_user *);
void	tasks_erase(struct api *, struct req *, const struct api_user *);

/* Routes (openapi.c): the OpenAPI document, no token needed. */
void	openapi_serve(struct api *, struct req *);

/*
 * dpop.c: the DPoP proof (RFC 9449) that must come with a token bound to
 * the key whose thumbprint is jkt (its cnf.jkt): the DPoP header checked
 * against this request and token, its jti recorded in PostgreSQL.
 * ERR_OK; ERR_AUTH with *why (static, safe to log) for a missing or bad
 * proof or a replay; ERR_FORBIDDEN when the proof is good but from
 * another key than the token's; ERR_DB; ERR_NOMEM.
 */
#define API_DPOP_PURGE_INTERVAL 60	/* seconds between jti purges */
enum err api_dpop(struct api *, struct req *, const char *token, size_t len,
	    const char *jkt, time_t now, const char **why);

/* Routes (main.c matches them; ops.c names them in logs and metrics). */
enum route {
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_TASKS,
	ROUTE_TASK,
	ROUTE_OPENAPI,
	ROUTE_ME,
	ROUTE_ME_EXPORT,
	ROUTE__MAX		/* also: no route matched */
};

/* ops.c: access records, metrics, health. */
enum api_metric {
	AM_REQUESTS,		/* route, code */
	AM_DURATION,		/* route */
	AM_TOKENS,		/* outcome (enum api_verdict) */
	AM_TOKEN_CACHE,		/* result: 0 hit, 1 miss */
	AM_PROVIDER_FETCHES,	/* document, outcome */
	AM_DB_ERRORS,
	AM_DB_RECONNECTS,
	AM__MAX
};
/* How a bearer token was judged. */
enum api_verdict {
	AV_OK,
	AV_EXPIRED,
	AV_BAD_SIGNATURE,
	AV_WRONG_AUDIENCE,
	AV_WRONG_ISSUER,
	AV_UNKNOWN_KEY,
	AV_SCOPE_MISSING,
	AV_MALFORMED,
	AV_PROVIDER_UNAVAILABLE,
	AV_OTHER,
	AV__MAX
};
void	ops_route(struct req *, enum route);
/* The verdict for auth_verify's or auth_user's reason. */
enum api_verdict ops_verdict(const char *why);
void	ops_count(struct api *, enum api_metric, unsigned label);
void	ops_metrics_open(struct api *);		/* serve mode */
void	ops_done(void *, const struct req *);	/* req_serve_with's done */
void	ops_metrics(struct api *, struct req *);
void	ops_healthz(struct api *, struct req *);
void	ops_readyz(struct api *, struct req *);

/* ---- owners.c: moving tasks between owners ------------------------------- */
#define OWNERS_FILE_MAX (1024 * 1024)	/* bytes of a --map-owner file */
#define OWNERS_MAP_MAX 10000		/* mappings in one file */
/*
 * --map-owner FILE ("-": standard input): each line
 * OLD_ISS,OLD_OID,NEW_ISS,NEW_OID gives the old owner's tasks to the new
 * owner, all lines in one transaction; prints what it did; a second run
 * moves nothing.  The exit status.
 */
int	owners_map(struct api *, const char *file);

#endif
