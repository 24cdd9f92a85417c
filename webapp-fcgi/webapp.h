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

#include "assertion.h"
#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "cli.h"
#include "httpc.h"
#include "metrics.h"
#include "oidc.h"
#include "profile.h"
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
#define WEB_DRAFT_TTL 900		/* seconds a draft waits for sign-in */
#define WEB_PUBLIC_ID_BYTES 16		/* random bytes of a session handle */
#define WEB_USER_AGENT_MAX 256		/* bytes of a User-Agent kept */
#define WEB_IP_MAX 64			/* bytes of an address kept */
#define WEB_USER_SESSIONS_MAX 100	/* rows of the sessions page */
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
	char	*use_par;	/* auto | on | off: PAR (RFC 9126) */
	char	*use_dpop;	/* auto | on | off: DPoP (RFC 9449) */
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
	char	*provider_profile;	/* b2c | external-id | generic */
	char	*client_assertion_key_file;	/* private_key_jwt key (PEM) */
	char	*client_assertion_cert_file;	/* ... and its certificate */
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
	struct assertion	*assertion;	/* or a certificate (profile.c) */
	enum profile		 profile;	/* provider_profile */
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
	char		*public_id;	/* the sessions page's handle */
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
	WSTMT_TOKENS_REPLACE,
	WSTMT_TOKENS_DELETE,
	WSTMT_PURGE_SESSIONS,
	WSTMT_PURGE_AUTH,
	WSTMT_AUTH_TRIM,
	WSTMT_SESSIONS_LIST,
	WSTMT_SESSIONS_REVOKE,
	WSTMT_SESSIONS_COUNT,
	WSTMT_USER_SESSIONS,
	WSTMT_USER_SESSION_REVOKE,
	WSTMT_USER_SESSIONS_OTHERS,
	WSTMT_USER_DRAFTS_DELETE,
	WSTMT_SESSION_SUBJECT,
	WSTMT_DRAFT_PUT,
	WSTMT_DRAFT_TAKE,
	WSTMT_PURGE_DRAFTS,
	WSTMT_SESSION_SET_SID,		/* logout.c */
	WSTMT_LOGOUT_JTI_PURGE,
	WSTMT_LOGOUT_JTI,
	WSTMT_LOGOUT_END,
	WSTMT_DPOP_PUT,			/* the session's DPoP key */
	WSTMT_DPOP_GET,
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
	char	*iss;			/* the answer's (RFC 9207), or NULL */
	bool	 retry;			/* started from a fresh session */
};

struct tokens {
	char	*policy;
	char	*access_token;		/* NULL when missing */
	time_t	 access_expires;
	char	*refresh_token;		/* NULL when missing */
	char	*refresh_sealed;	/* as stored; NULL when missing */
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
	    const char *error, const char *desc, const char *iss);
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
 * waiting up to wait_ms for another process renewing them (ERR_DB when
 * it is still at it, or the database fails).
 */
enum err store_tokens_lock(struct web *, const char *id_hash, long wait_ms,
	    struct tokens *);
enum err store_tokens_delete(struct web *, const char *id_hash);
/*
 * Replace the tokens whose stored refresh token is old_sealed (a renewal
 * that could not be stored at once); *replaced false when the session
 * has ended or been renewed since, and nothing was written.
 */
enum err store_tokens_replace(struct web *, const char *id_hash,
	    const char *policy, const char *access, time_t access_expires,
	    const char *refresh, const char *old_sealed, bool *replaced);
/*
 * The session's DPoP private key (dpopkey_export's text), sealed;
 * store_dpop_get: ERR_NOTFOUND when it has none, *key wiped by the caller
 * (crypto_free_str).
 */
enum err store_dpop_put(struct web *, const char *id_hash, const char *key);
enum err store_dpop_get(struct web *, const char *id_hash, char **key);
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
/*
 * store_session_get, also recording what the web server saw of the
 * browser (user_agent and ip already cleaned; NULL: keep).
 */
enum err store_session_get_seen(struct web *, const char *session_id,
	    const char *user_agent, const char *ip, struct session *);
/* One row of the sessions page (no id, no hash). */
struct user_session {
	char	*public_id;
	char	*created;		/* "YYYY-MM-DD HH:MM UTC" */
	char	*last_seen;
	char	*user_agent;		/* or NULL */
	char	*ip;			/* or NULL */
	bool	 current;		/* the session asking */
};
/* The active sessions of s's user, s first, then by last use (*n). */
enum err store_user_sessions(struct web *, const struct session *,
	    struct user_session **list, size_t *n);
void	 store_user_sessions_free(struct user_session *, size_t n);
/* End one (public_id) of s's user's other sessions; ERR_NOTFOUND. */
enum err store_user_session_revoke(struct web *, const struct session *,
	    const char *public_id);
/*
 * End s's user's other sessions; all = true: s too, and the user's
 * drafts.  *n: how many sessions.
 */
enum err store_user_sessions_end(struct web *, const struct session *,
	    bool all, long *n);
/* The user of a session by its id, even an ended one (NULL: unknown). */
enum err store_session_owner(struct web *, const char *session_id,
	    char **issuer, char **subject);
/*
 * A draft of the add (task_id NULL) or edit form, sealed to the browser
 * binding; one per browser, WEB_DRAFT_TTL seconds.
 */
enum err store_draft_put(struct web *, const char *browser,
	    const char *issuer, const char *subject, const char *task_id,
	    const char *json);
/*
 * Take (single use) the browser's draft for task_id (NULL: the add
 * form) if it was s's user's or nobody's: *json NULL when none.
 */
enum err store_draft_take(struct web *, const char *browser,
	    const struct session *, const char *task_id, char **json);

/* ---- pages.c: HTML (the frame is frame.h) ------------------------------ */
void	pages_home(struct web *, struct req *, const struct session *);
void	pages_claims(struct web *, struct req *, const struct session *);
void	pages_style(struct web *, struct req *);

/* ---- signin.c: OpenID Connect ---------------------------------------------- */
void	signin_start(struct web *, struct req *, const struct session *,
	    enum flow);
void	signin_callback(struct web *, struct req *, const struct session *);
void	signin_signout(struct web *, struct req *, const struct session *);
/*
 * Send the browser to the provider's end_session_endpoint (id_token as
 * the hint, state if not NULL, back to redirect_uri's origin), or to
 * fallback when the provider has none or cannot be reached.
 */
void	signin_provider_signout(struct web *, struct req *,
	    const char *id_token, const char *state, const char *fallback);
/* --check-config: use_par on needs the provider's PAR endpoint. */
bool	signin_par_check(struct web *, const struct provider *,
	    const char *label, FILE *out);
/* Send the browser to sign in, coming back to return_to afterwards. */
void	signin_redirect(struct web *, struct req *, const char *return_to);
/*
 * The app's credentials at provider p's token endpoint: the client
 * secret, or a client assertion (private_key_jwt) signed as p allows.
 * ERR_UPSTREAM (logged) when p takes neither PS256 nor RS256.
 */
enum err signin_client(struct web *, const struct provider *p,
	    struct oidc_client *);
/* The browser's sign-in binding value: its cookie's, or a new one. */
enum err signin_browser(struct web *, struct req *, char **out);

/* ---- dpop.c: tokens bound to a key of the session (DPoP, RFC 9449) ------ */
struct dpopkey;
/*
 * The key and the proof for a call to provider p's token endpoint: with
 * id_hash NULL (a sign-in) a new key when use_dpop is on, or auto and p
 * lists ES256 in dpop_signing_alg_values_supported; else (a refresh) the
 * session's key, if it has one.  *key and *proof NULL: no DPoP.  Free
 * both with webdpop_done.  ERR_DB, ERR_SYSTEM, ERR_NOMEM.
 */
enum err webdpop_token_request(struct web *, const struct provider *p,
	    const char *id_hash, const char *endpoint, struct dpopkey **key,
	    char **proof);
void	webdpop_done(struct dpopkey *, char *proof);
/* After a sign-in: keep key with the session when tok is bound to it. */
enum err webdpop_bind(struct web *, const char *id_hash,
	    const struct dpopkey *key, const struct oidc_tokens *tok);
/* The session's key (*key NULL: none, or use_dpop off); ERR_DB. */
enum err webdpop_load(struct web *, const char *id_hash,
	    struct dpopkey **key);
/*
 * For an API call with access: *header "DPoP: <proof>" (method, url,
 * ath) when key is not NULL and access is bound (a JWT with cnf.jkt, or
 * an opaque token), else NULL.  The caller frees *header.
 */
enum err webdpop_api_header(const struct dpopkey *key, const char *method,
	    const char *url, const char *access, char **header);

/* ---- logout.c: logout that reaches every session ------------------------ */
/* Remember the provider's session id (the id_token's sid) of a session. */
enum err logout_remember_sid(struct web *, const char *session_id,
	    const char *sid);
/*
 * RP-initiated logout: a fresh state for the end_session request, kept
 * in the notice cookie for the post-logout landing (*state: caller
 * frees; NULL with ERR_OK never).
 */
enum err logout_state(struct web *, struct req *, char **state);
/*
 * GET / with a state: the post-logout landing checks it against the
 * notice cookie.  false when the request is not one (then it is the
 * home page).
 */
bool	logout_landing(struct web *, struct req *, const struct session *);
/* GET /signout/frontchannel: OpenID Connect Front-Channel Logout. */
void	logout_frontchannel(struct web *, struct req *,
	    const struct session *);
/* POST /signout/backchannel: OpenID Connect Back-Channel Logout. */
void	logout_backchannel(struct web *, struct req *);

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
	ROUTE_TASK,
	ROUTE_SESSIONS,
	ROUTE_SESSION_REVOKE,
	ROUTE_SESSIONS_REVOKE_OTHERS,
	ROUTE_ACCOUNT,
	ROUTE_EXPORT_JSON,
	ROUTE_EXPORT_CSV,
	ROUTE_ACCOUNT_DELETE,
	ROUTE_SIGNOUT_FRONT,
	ROUTE_SIGNOUT_BACK,
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

/* ---- renew.c: the session's access token --------------------------------- */
enum renew_result {
	RENEW_OK,
	RENEW_SIGNIN,		/* no tokens or renewal refused: sign in */
	RENEW_UNAVAILABLE,	/* provider or database down: 503 */
	RENEW__MAX
};

/*
 * A usable access token for s in *access (crypto_free_str): the cached
 * one, or (force, or close to expiry) a new one from the refresh token.
 */
enum renew_result renew_access(struct web *, const struct session *s,
	    bool force, char **access);
/* Store renewed tokens PostgreSQL could not take before; cheap if none. */
void	renew_flush(struct web *);

/* ---- tasks.c: the to-do pages ---------------------------------------------- */
void	tasks_page(struct web *, struct req *, const struct session *);
void	tasks_add(struct web *, struct req *, const struct session *);
void	tasks_done(struct web *, struct req *, const struct session *,
	    const char *id);
void	tasks_delete(struct web *, struct req *, const struct session *,
	    const char *id);
/* GET /tasks/{id}: the edit form; POST: save it (If-Match). */
void	tasks_edit(struct web *, struct req *, const struct session *,
	    const char *id);
/*
 * Call the task API as s's user (path below api_url; if_match: the
 * version or NULL), renewing the token once on 401.  ERR_OK with resp
 * filled (any status); ERR_AUTH: sign in again; else unavailable.
 */
enum err tasks_call(struct web *, const struct session *, const char *method,
	    const char *path, const char *json, const char *if_match,
	    struct httpc_resp *resp, bool *can_write);
/* tasks_call's failures: sign in (return_to) or a 503 page. */
void	tasks_trouble(struct web *, struct req *, const struct session *,
	    enum err, const char *return_to);

/* ---- drafts.c: forms kept across signing in again --------------------- */
/* A draft of the add (id NULL) or edit form. */
struct draft {
	char	*text;
	char	*due;		/* YYYY-MM-DD or "" */
	char	*version;	/* the edit form's, or NULL */
};
/*
 * Keep what the form f holds for this browser and send it to sign in,
 * coming back to the form (s: the session whose tokens ended, or NULL).
 */
void	drafts_signin(struct web *, struct req *, const struct session *,
	    const char *id, const struct url_params *f);
/* POST without a session: read the form (no CSRF token to check). */
void	drafts_signin_form(struct web *, struct req *, const char *id);
/* The browser's draft for the form (id NULL: add), taken: false if none. */
bool	drafts_take(struct web *, struct req *, const struct session *,
	    const char *id, struct draft *);
void	drafts_free(struct draft *);

/* ---- sessions.c: the user's own sessions ------------------------------ */
void	sessions_page(struct web *, struct req *, const struct session *);
void	sessions_revoke(struct web *, struct req *, const struct session *,
	    const char *public_id);
void	sessions_revoke_others(struct web *, struct req *,
	    const struct session *);
/*
 * What the web server saw of the browser, cleaned for storing: its
 * User-Agent (printable ASCII, cut) and REMOTE_ADDR; "" when absent.
 */
void	sessions_client(const struct req *, char *ua, size_t ualen, char *ip,
	    size_t iplen);
/* A User-Agent as "Firefox on Linux" (b). */
void	sessions_browser(struct buf *, const char *user_agent);

/* ---- account.c: my data --------------------------------------------------- */
void	account_page(struct web *, struct req *, const struct session *);
void	account_export(struct web *, struct req *, const struct session *,
	    bool csv);
void	account_delete(struct web *, struct req *, const struct session *);

#endif
