/*
 * webapp-fcgi: what main.c and the route files share: limits, the
 * configuration, the process, the session, and each route file's
 * functions.  Answers and form checks are in respond.h.
 */
#ifndef TODO_WEBAPP_H
#define TODO_WEBAPP_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "cli.h"
#include "httpc.h"
#include "metrics.h"
#include "provider.h"
#include "req.h"
#include "url.h"

#define WEB_PAGE_MAX (1024 * 1024)	/* bytes of one HTML page */
#define WEB_STATE_TTL 600		/* seconds a sign-in may take */
#define WEB_TOKEN_MARGIN 60		/* renew access tokens this early */
#define WEB_PURGE_EVERY 300		/* seconds between purges */
#define WEB_TOUCH_EVERY 15		/* seconds between last_seen_at writes */
#define WEB_NOTICE_TTL 300		/* seconds the sign-out notice waits */
#define WEB_SECRET_BYTES 32		/* session ids, states, nonces */
#define WEB_TASK_TEXT_MAX 1000		/* characters, as the API */
#define WEB_SIGNINS_PER_BROWSER 5	/* pending sign-ins kept per browser */
#define WEB_LOOP_WINDOW 60		/* seconds: a sign-in sent straight back */
#define WEB_SESSIONS_GAUGE_TTL 5	/* seconds a session count is kept */
#define WEB_METRICS_MAX (256 * 1024)	/* bytes of one /metrics answer */
#define WEB_METRICS_TOKEN_MIN 16	/* bytes of the metrics token */
/*
 * Milliseconds a request waits for another process renewing the same
 * session's tokens: longer than that renewal's own call to the token
 * endpoint (HTTPC_TIMEOUT_MS), so the waiter sees its outcome.
 */
#define WEB_RENEW_WAIT_MS (HTTPC_TIMEOUT_MS + 2000L)

enum flow {
	FLOW_SIGNIN,
	FLOW_PROFILE,
	FLOW_RESET,
	FLOW__MAX
};

struct web_config {
	char	*database;
	char	*metadata_url;
	char	*issuer;
	char	*client_id;
	char	*client_secret;
	char	*client_secret_file;
	char	*redirect_uri;
	char	*signup_signin_policy;
	char	*edit_profile_policy;
	char	*reset_password_policy;
	char	*api_url;
	char	*api_identifier;
	char	*read_scope;
	char	*write_scope;
	char	*api_resource;
	char	*cache_key_file;
	long	 session_idle_timeout;
	long	 session_max_lifetime;
	long	 max_pending_signins;	/* sign-ins in flight, all browsers */
	long	 max_id_token_age;	/* seconds since the id_token's iat */
	bool	 cookie_secure;
	char	*log_level;
	char	*log_format;	/* text | json */
	char	*ca_file;	/* PEM CAs for https calls; NULL: system */
	char	*http_proxy;	/* proxy URL; NULL: none */
	char	*metrics_dir;	/* the shared metrics file's directory */
	char	*metrics_token_file;	/* its contents: the /metrics bearer */
};

/* The process: one database connection, one HTTP client per peer. */
struct web {
	const struct web_config	*cfg;
	struct db		*db;
	struct httpc		*idp;		/* the identity provider */
	struct httpc		*api;		/* the task API */
	struct provider		*flows[FLOW__MAX];	/* NULL: not offered */
	char			*policies[FLOW__MAX];	/* names, for the DB */
	const char		*secret;	/* client secret (borrowed) */
	char			*scope;		/* what sign-in requests */
	struct crypto_keyring	 keys;		/* token cache, newest first */
	const char		*session_cookie;
	const char		*auth_cookie;
	const char		*notice_cookie;	/* "signedout", across the provider */
	time_t			 purged;
	struct metrics		*metrics;	/* NULL: not counting */
	time_t			 sessions_counted; /* the gauge, last set */
};

/* A signed-in session, as loaded for one request. */
struct session {
	char		*id_hash;
	char		*csrf;
	char		*issuer;
	char		*subject;
	char		*name;
	char		*claims;	/* JSON text */
	char		*access_sealed;	/* cached access token, or NULL */
	time_t		 access_expires;
	time_t		 created;	/* sign-in time */
	bool		 retried;	/* made by a sign-in sent straight back */
};

/* ---- store.c: PostgreSQL ------------------------------------------------- */
enum web_stmt {
	WSTMT_HEALTH,
	WSTMT_AUTH_INSERT,
	WSTMT_AUTH_RESULT,
	WSTMT_AUTH_TAKE,
	WSTMT_SESSION_INSERT,
	WSTMT_SESSION_TOUCH,
	WSTMT_SESSION_DELETE,
	WSTMT_SESSION_UPDATE_CLAIMS,
	WSTMT_SESSION_ID_TOKEN,
	WSTMT_TOKENS_UPSERT,
	WSTMT_TOKENS_LOCK,
	WSTMT_TOKENS_DELETE,
	WSTMT_PURGE_SESSIONS,
	WSTMT_PURGE_AUTH,
	WSTMT_AUTH_TRIM,
	WSTMT_SESSIONS_LIST,
	WSTMT_SESSIONS_REVOKE,
	WSTMT_SESSIONS_COUNT,
	WSTMT__MAX
};
extern const struct db_stmt web_stmts[WSTMT__MAX];

struct auth_request {
	char	*policy;
	char	*nonce;
	char	*verifier;
	char	*return_to;
	char	*code;			/* from a form_post, or NULL */
	char	*error;
	char	*error_description;
	bool	 retry;			/* started from a fresh session */
};

struct tokens {
	char	*policy;
	char	*access_token;		/* NULL when missing */
	time_t	 access_expires;
	char	*refresh_token;		/* NULL when missing */
};

/*
 * Record a sign-in (nonce and verifier sealed).  Keeps this browser's
 * newest WEB_SIGNINS_PER_BROWSER; ERR_FORBIDDEN when max_pending_signins
 * are in flight already.
 */
enum err store_auth_insert(struct web *, const char *state,
	    const char *browser, const char *policy, const char *nonce,
	    const char *verifier, const char *return_to, bool retry);
enum err store_auth_result(struct web *, const char *state, const char *code,
	    const char *error, const char *desc);
/* Take (single use) the request for state made by this browser. */
enum err store_auth_take(struct web *, const char *state,
	    const char *browser, struct auth_request *);
void	 store_auth_free(struct auth_request *);

enum err store_session_new(struct web *, const char *issuer,
	    const char *subject, const char *name, const char *claims,
	    const char *id_token, bool retried, char **session_id);
enum err store_session_get(struct web *, const char *session_id,
	    struct session *);
/* Open the session's cached access token (ERR_NOTFOUND: none). */
enum err store_session_access(struct web *, const struct session *,
	    char **access);
enum err store_session_delete(struct web *, const char *id_hash);
enum err store_session_update(struct web *, const struct session *,
	    const char *name, const char *claims, const char *id_token);
enum err store_session_id_token(struct web *, const struct session *,
	    char **id_token);
void	 store_session_free(struct session *);

enum err store_tokens_put(struct web *, const char *id_hash,
	    const char *policy, const char *access, long expires_in,
	    const char *refresh);
/*
 * Inside a transaction: the tokens, locked (SELECT ... FOR UPDATE),
 * waiting up to WEB_RENEW_WAIT_MS for another process renewing them.
 */
enum err store_tokens_lock(struct web *, const char *id_hash,
	    struct tokens *);
enum err store_tokens_delete(struct web *, const char *id_hash);
void	 store_tokens_free(struct tokens *);
/* At most every WEB_PURGE_EVERY seconds: store_purge_now, logged. */
void	 store_purge(struct web *);
/* Delete expired sessions and sign-in requests now; how many of each. */
enum err store_purge_now(struct web *, long *sessions, long *signins);
/*
 * The sessions of user (webapp.sessions.subject), oldest first, one
 * line each on out: created, last seen, expires, whether tokens are
 * cached, the issuer; no ids.  *n: how many.
 */
enum err store_sessions_list(struct web *, const char *user, FILE *out,
	    long *n);
/* Delete the user's sessions (their cached tokens go with them). */
enum err store_sessions_revoke(struct web *, const char *user, long *n);
/* Sessions neither timeout has ended. */
enum err store_sessions_count(struct web *, long *n);

/* ---- pages.c: HTML (the frame is frame.h) ------------------------------ */
void	pages_home(struct web *, struct req *, const struct session *);
void	pages_claims(struct web *, struct req *, const struct session *);
void	pages_style(struct web *, struct req *);

/* ---- signin.c: OpenID Connect ---------------------------------------------- */
void	signin_start(struct web *, struct req *, const struct session *,
	    enum flow);
void	signin_callback(struct web *, struct req *, const struct session *);
void	signin_signout(struct web *, struct req *, const struct session *);
/* Send the browser to sign in, coming back to return_to afterwards. */
void	signin_redirect(struct web *, struct req *, const char *return_to);

/* ---- main.c: the routes (ops.c names them in the logs and metrics) ------- */
enum route {
	ROUTE_HOME,
	ROUTE_SIGNIN,
	ROUTE_CALLBACK,
	ROUTE_PROFILE,
	ROUTE_PASSWORD,
	ROUTE_SIGNOUT,
	ROUTE_TASKS,
	ROUTE_TASK_DONE,
	ROUTE_TASK_DELETE,
	ROUTE_CLAIMS,
	ROUTE_HEALTHZ,
	ROUTE_READYZ,
	ROUTE_METRICS,
	ROUTE_STYLE,
	ROUTE__MAX		/* also: no route matched */
};

/* ---- ops.c: logs, metrics, health, administration ------------------------ */
/* The metrics of the web app (ops.c's table), and their label values. */
enum web_metric {
	WM_REQUESTS,		/* route, code */
	WM_DURATION,		/* route */
	WM_SIGNINS_STARTED,	/* flow */
	WM_SIGNINS_COMPLETED,	/* flow */
	WM_SIGNINS_FAILED,	/* reason */
	WM_B2C_ERRORS,		/* code */
	WM_REFRESH,		/* outcome */
	WM_SESSIONS_ACTIVE,
	WM_PROVIDER_FETCHES,	/* document, outcome */
	WM_DB_ERRORS,
	WM_DB_RECONNECTS,
	WM__MAX
};
enum web_signin_failure {
	WSF_CANCELLED,		/* the user cancelled at the provider */
	WSF_PROVIDER_ERROR,	/* the provider answered an error */
	WSF_CODE_REFUSED,	/* the token endpoint refused the code */
	WSF_ID_TOKEN,		/* the id_token did not verify */
	WSF_EXPIRED,		/* unknown, used or expired sign-in */
	WSF_BAD_ANSWER,		/* incomplete or misdelivered answer */
	WSF_UNAVAILABLE,	/* provider or database unreachable */
	WSF_OTHER,
	WSF__MAX
};
enum web_refresh {
	WRF_OK,
	WRF_REFUSED,		/* invalid_grant: sign in again */
	WRF_ERROR,		/* unreachable or another error */
	WRF__MAX
};
/* Name the request's route (ROUTE__MAX: none matched) by its template. */
void	ops_route(struct req *, enum route);
/* Count one (metric, first label index[, second]). */
void	ops_count(struct web *, enum web_metric, unsigned label);
void	ops_signin_failed(struct web *, enum web_signin_failure);
/* A provider's error: counted by AADB2C code, logged with its ids. */
void	ops_provider_error(struct web *, const char *error,
	    const char *description);
/* Start counting (serve mode): the hooks on db and providers. */
void	ops_metrics_open(struct web *);
void	ops_done(void *, const struct req *);	/* req_serve_with's done */
void	ops_metrics(struct web *, struct req *);
void	ops_healthz(struct web *, struct req *);
void	ops_readyz(struct web *, struct req *);
/* --purge, --sessions USER, --revoke-sessions USER: exit status. */
int	ops_admin(struct web *, enum cli_mode, const char *user);

/* ---- tasks.c: the to-do pages ---------------------------------------------- */
void	tasks_page(struct web *, struct req *, const struct session *);
void	tasks_add(struct web *, struct req *, const struct session *);
void	tasks_done(struct web *, struct req *, const struct session *,
	    const char *id);
void	tasks_delete(struct web *, struct req *, const struct session *,
	    const char *id);

#endif
