/*
 * webapp-fcgi: what main.c and the route files share: limits, the
 * configuration, the process, the session, and each route file's
 * functions.  Answers and form checks are in respond.h.
 */
#ifndef TODO_WEBAPP_H
#define TODO_WEBAPP_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "httpc.h"
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
	bool	 cookie_secure;
	char	*log_level;
	char	*ca_file;	/* PEM CAs for https calls; NULL: system */
	char	*http_proxy;	/* proxy URL; NULL: none */
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
	unsigned char		 key[CRYPTO_KEY_LEN];	/* token cache */
	const char		*session_cookie;
	const char		*auth_cookie;
	const char		*notice_cookie;	/* "signedout", across the provider */
	time_t			 purged;
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
};

struct tokens {
	char	*policy;
	char	*access_token;		/* NULL when missing */
	time_t	 access_expires;
	char	*refresh_token;		/* NULL when missing */
};

enum err store_auth_insert(struct web *, const char *state,
	    const char *browser, const char *policy, const char *nonce,
	    const char *verifier, const char *return_to);
enum err store_auth_result(struct web *, const char *state, const char *code,
	    const char *error, const char *desc);
/* Take (single use) the request for state made by this browser. */
enum err store_auth_take(struct web *, const char *state,
	    const char *browser, struct auth_request *);
void	 store_auth_free(struct auth_request *);

enum err store_session_new(struct web *, const char *issuer,
	    const char *subject, const char *name, const char *claims,
	    const char *id_token, char **session_id);
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
/* Inside a transaction: the tokens, locked (SELECT ... FOR UPDATE). */
enum err store_tokens_lock(struct web *, const char *id_hash,
	    struct tokens *);
enum err store_tokens_delete(struct web *, const char *id_hash);
void	 store_tokens_free(struct tokens *);
void	 store_purge(struct web *);

/* ---- pages.c: HTML ----------------------------------------------------- */
void	page_begin(struct web *, struct buf *, const struct session *,
	    const char *title);
void	page_end(struct buf *);
void	page_text(struct buf *, const char *);		/* escaped */
void	page_csrf(struct buf *, const struct session *);	/* hidden input */
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

/* ---- tasks.c: the to-do pages ---------------------------------------------- */
void	tasks_page(struct web *, struct req *, const struct session *);
void	tasks_add(struct web *, struct req *, const struct session *);
void	tasks_done(struct web *, struct req *, const struct session *,
	    const char *id);
void	tasks_delete(struct web *, struct req *, const struct session *,
	    const char *id);

#endif
