/*
 * The web app's PostgreSQL store: sign-in requests, sessions and the
 * encrypted token cache.  Only hashes of secrets are looked up; tokens
 * are sealed with AES-256-GCM bound to (session, kind), and so are the
 * secrets of a sign-in in flight (nonce, PKCE verifier, code), bound to
 * (state, kind).  A sealed value is "ID:" and the base64url of iv ||
 * ciphertext || tag, ID naming the key of cache_key_file that sealed it
 * (no "ID:" when that key has no id).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "log.h"
#include "webapp.h"

#define STORE_AAD_MAX 128
#define STORE_NUM_MAX 32
#define STORE_SQL_MAX 96

const struct db_stmt web_stmts[WSTMT__MAX] = {
	[WSTMT_HEALTH] = { "health", "SELECT 1", 0, true },
	/* Only while fewer than $8 sign-ins are in flight. */
	[WSTMT_AUTH_INSERT] = { "auth_insert",
	    "INSERT INTO webapp.auth_requests (state_hash, browser_hash, "
	    "policy, nonce, code_verifier, return_to, expires_at, retry) "
	    "SELECT $1, $2, $3, $4, $5, $6, now() + make_interval("
	    "secs => $7), $9::boolean WHERE (SELECT count(*) FROM "
	    "webapp.auth_requests WHERE expires_at > now()) < $8::bigint",
	    9, false },
	/* The browser's newest $2 sign-ins stay. */
	[WSTMT_AUTH_TRIM] = { "auth_trim",
	    "DELETE FROM webapp.auth_requests WHERE browser_hash = $1 "
	    "AND state_hash NOT IN (SELECT state_hash FROM "
	    "webapp.auth_requests WHERE browser_hash = $1 "
	    "ORDER BY created_at DESC, state_hash LIMIT $2::integer)", 2,
	    true },
	/* A form_post answer: recorded once, for the GET that follows. */
	[WSTMT_AUTH_RESULT] = { "auth_result",
	    "UPDATE webapp.auth_requests SET code = $2, error = $3, "
	    "error_description = $4, iss = $5 WHERE state_hash = $1 "
	    "AND code IS NULL AND error IS NULL AND expires_at > now()",
	    5, false },
	/* Only once the form_post step recorded the answer. */
	[WSTMT_AUTH_TAKE] = { "auth_take",
	    "DELETE FROM webapp.auth_requests WHERE state_hash = $1 "
	    "AND browser_hash = $2 AND expires_at > now() "
	    "AND (code IS NOT NULL OR error IS NOT NULL) RETURNING policy, "
	    "nonce, code_verifier, return_to, code, error, "
	    "error_description, retry, iss", 2, false },
	[WSTMT_SESSION_INSERT] = { "session_insert",
	    "INSERT INTO webapp.sessions (id_hash, csrf, issuer, subject, "
	    "name, claims, id_token, expires_at, retried, public_id) VALUES "
	    "($1, $2, $3, $4, $5, $6::jsonb, $7, now() + make_interval(secs "
	    "=> $8), $9::boolean, $10)", 10, false },
	/*
	 * One statement per request: the session if neither timeout has
	 * passed, its cached tokens, and a touch of last_seen_at (at most
	 * every WEB_TOUCH_EVERY seconds, to spare writes, or when the
	 * browser's User-Agent $4 or address $5 changed; NULL: not known).
	 */
	[WSTMT_SESSION_TOUCH] = { "session_touch",
	    "WITH s AS (SELECT id_hash, csrf, issuer, subject, name, "
	    "claims::text AS claims, last_seen_at, created_at, retried, "
	    "public_id, user_agent, ip FROM webapp.sessions "
	    "WHERE id_hash = $1 AND expires_at > now() "
	    "AND last_seen_at > now() - make_interval(secs => $2)), "
	    "touch AS (UPDATE webapp.sessions SET last_seen_at = now(), "
	    "user_agent = coalesce($4::text, user_agent), "
	    "ip = coalesce($5::text, ip) "
	    "WHERE id_hash = (SELECT id_hash FROM s) AND (last_seen_at < "
	    "now() - make_interval(secs => $3) OR user_agent IS DISTINCT "
	    "FROM coalesce($4::text, user_agent) OR ip IS DISTINCT FROM "
	    "coalesce($5::text, ip))) "
	    "SELECT s.csrf, s.issuer, s.subject, s.name, s.claims, "
	    "t.access_token, extract(epoch FROM t.access_expires_at)::bigint, "
	    "extract(epoch FROM s.created_at)::bigint, s.retried, "
	    "s.public_id "
	    "FROM s LEFT JOIN webapp.tokens t ON t.session_hash = s.id_hash",
	    5, true },
	[WSTMT_SESSION_DELETE] = { "session_delete",
	    "DELETE FROM webapp.sessions WHERE id_hash = $1", 1, true },
	[WSTMT_SESSION_UPDATE_CLAIMS] = { "session_update_claims",
	    "UPDATE webapp.sessions SET name = $2, claims = $3::jsonb, "
	    "id_token = coalesce($4, id_token) WHERE id_hash = $1", 4, true },
	[WSTMT_SESSION_ID_TOKEN] = { "session_id_token",
	    "SELECT id_token FROM webapp.sessions WHERE id_hash = $1", 1,
	    true },
	[WSTMT_TOKENS_UPSERT] = { "tokens_upsert",
	    "INSERT INTO webapp.tokens (session_hash, policy, access_token, "
	    "access_expires_at, refresh_token) VALUES ($1, $2, $3, "
	    "now() + make_interval(secs => $4), $5) "
	    "ON CONFLICT (session_hash) DO UPDATE SET policy = $2, "
	    "access_token = $3, access_expires_at = now() + "
	    "make_interval(secs => $4), refresh_token = coalesce($5, "
	    "webapp.tokens.refresh_token), updated_at = now()", 5, false },
	[WSTMT_TOKENS_LOCK] = { "tokens_lock",
	    "SELECT policy, access_token, extract(epoch FROM "
	    "access_expires_at)::bigint, refresh_token FROM webapp.tokens "
	    "WHERE session_hash = $1 FOR UPDATE", 1, false },
	[WSTMT_TOKENS_REPLACE] = { "tokens_replace",
	    "UPDATE webapp.tokens SET policy = $2, access_token = $3, "
	    "access_expires_at = to_timestamp($4), refresh_token = "
	    "coalesce($5, refresh_token), updated_at = now() "
	    "WHERE session_hash = $1 AND refresh_token = $6", 6, true },
	[WSTMT_TOKENS_DELETE] = { "tokens_delete",
	    "DELETE FROM webapp.tokens WHERE session_hash = $1", 1, true },
	[WSTMT_PURGE_SESSIONS] = { "purge_sessions",
	    "DELETE FROM webapp.sessions WHERE expires_at <= now() "
	    "OR last_seen_at <= now() - make_interval(secs => $1)", 1, true },
	[WSTMT_PURGE_AUTH] = { "purge_auth",
	    "DELETE FROM webapp.auth_requests WHERE expires_at <= now()", 0,
	    true },
	/* --sessions: no id, no token, nothing sealed. */
	[WSTMT_SESSIONS_LIST] = { "sessions_list",
	    "SELECT to_char(s.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    "to_char(s.last_seen_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    "to_char(s.expires_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    "s.expires_at > now() AND s.last_seen_at > now() - "
	    "make_interval(secs => $2), t.session_hash IS NOT NULL, s.issuer "
	    "FROM webapp.sessions s LEFT JOIN webapp.tokens t "
	    "ON t.session_hash = s.id_hash WHERE s.subject = $1 "
	    "ORDER BY s.created_at, s.last_seen_at", 2, true },
	/* The tokens go too: ON DELETE CASCADE. */
	[WSTMT_SESSIONS_REVOKE] = { "sessions_revoke",
	    "DELETE FROM webapp.sessions WHERE subject = $1", 1, true },
	[WSTMT_SESSIONS_COUNT] = { "sessions_count",
	    "SELECT count(*) FROM webapp.sessions WHERE expires_at > now() "
	    "AND last_seen_at > now() - make_interval(secs => $1)", 1, true },
	/* The sessions page: the user's own, active; $3 the asking one, first. */
	[WSTMT_USER_SESSIONS] = { "user_sessions",
	    "SELECT public_id, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI \"UTC\"'), to_char(last_seen_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), user_agent, ip, "
	    "id_hash = $3 FROM webapp.sessions WHERE subject = $1 "
	    "AND issuer = $2 AND expires_at > now() AND last_seen_at > "
	    "now() - make_interval(secs => $4) ORDER BY id_hash = $3 DESC, "
	    "last_seen_at DESC, public_id LIMIT $5::integer", 5, true },
	/* Never the asking session $4, never another user's. */
	[WSTMT_USER_SESSION_REVOKE] = { "user_session_revoke",
	    "DELETE FROM webapp.sessions WHERE public_id = $1 AND "
	    "subject = $2 AND issuer = $3 AND id_hash <> $4", 4, true },
	[WSTMT_USER_SESSIONS_OTHERS] = { "user_sessions_others",
	    "DELETE FROM webapp.sessions WHERE subject = $1 AND issuer = $2 "
	    "AND id_hash <> $3", 3, true },
	[WSTMT_USER_DRAFTS_DELETE] = { "user_drafts_delete",
	    "DELETE FROM webapp.drafts WHERE subject = $1 AND issuer = $2",
	    2, true },
	/* Ended or not (a draft made after it ended says whose it was). */
	[WSTMT_SESSION_SUBJECT] = { "session_subject",
	    "SELECT issuer, subject FROM webapp.sessions WHERE id_hash = $1",
	    1, true },
	[WSTMT_DRAFT_PUT] = { "draft_put",
	    "INSERT INTO webapp.drafts (browser_hash, issuer, subject, "
	    "task_id, body, expires_at) VALUES ($1, $2, $3, $4::bigint, $5, "
	    "now() + make_interval(secs => $6)) ON CONFLICT (browser_hash) "
	    "DO UPDATE SET issuer = $2, subject = $3, task_id = $4::bigint, "
	    "body = $5, created_at = now(), expires_at = now() + "
	    "make_interval(secs => $6)", 6, false },
	/* Single use; another user's draft is never given out. */
	[WSTMT_DRAFT_TAKE] = { "draft_take",
	    "DELETE FROM webapp.drafts WHERE browser_hash = $1 AND "
	    "expires_at > now() AND task_id IS NOT DISTINCT FROM $2::bigint "
	    "AND (subject IS NULL OR (subject = $3 AND issuer = $4)) "
	    "RETURNING body", 4, false },
	[WSTMT_PURGE_DRAFTS] = { "purge_drafts",
	    "DELETE FROM webapp.drafts WHERE expires_at <= now()", 0, true },
	/* logout.c: the provider's sid of a session, and ending sessions. */
	[WSTMT_SESSION_SET_SID] = { "session_set_sid",
	    "UPDATE webapp.sessions SET provider_sid = $2 WHERE id_hash = $1",
	    2, true },
	[WSTMT_LOGOUT_JTI_PURGE] = { "logout_jti_purge",
	    "DELETE FROM webapp.logout_jtis WHERE expires_at <= now()", 0,
	    true },
	/* No row inserted: the jti was seen (a replay). */
	[WSTMT_LOGOUT_JTI] = { "logout_jti",
	    "INSERT INTO webapp.logout_jtis (issuer, jti, expires_at) "
	    "VALUES ($1, $2, now() + make_interval(secs => $3)) "
	    "ON CONFLICT DO NOTHING", 3, false },
	/* The tokens go too: ON DELETE CASCADE.  $2 or $3 is not NULL. */
	[WSTMT_LOGOUT_END] = { "logout_end",
	    "DELETE FROM webapp.sessions WHERE issuer = $1 "
	    "AND ($2::text IS NULL OR provider_sid = $2) "
	    "AND ($3::text IS NULL OR claims->>'sub' = $3) "
	    "AND ($2::text IS NOT NULL OR $3::text IS NOT NULL)", 3, true },
	/* The session's DPoP key (RFC 9449), sealed. */
	[WSTMT_DPOP_PUT] = { "dpop_put",
	    "INSERT INTO webapp.dpop_keys (session_hash, private_key) "
	    "VALUES ($1, $2) ON CONFLICT (session_hash) DO UPDATE "
	    "SET private_key = EXCLUDED.private_key, created_at = now()", 2,
	    true },
	[WSTMT_DPOP_GET] = { "dpop_get",
	    "SELECT private_key FROM webapp.dpop_keys WHERE session_hash = $1",
	    1, true },
};

/* SHA-256 of a secret, as stored. */
static char *
store_hash(const char *secret)
{
	char *h = NULL;

	if (crypto_sha256_b64url(secret, &h) != ERR_OK)
		return NULL;
	return h;
}

static char *
store_dup(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return strdup(PQgetvalue(res, row, col));
}

/* Seal a secret for (bind, kind) with the newest key: text for the DB. */
static enum err
store_seal(struct web *w, const char *bind, const char *kind,
    const char *token, char **out)
{
	const char *id = w->keys.keys[0].id;
	char	 aad[STORE_AAD_MAX], *b64 = NULL;
	unsigned char *ct = NULL;
	size_t	 ctlen, n;
	enum err e;

	*out = NULL;
	if (token == NULL)
		return ERR_OK;
	if (snprintf(aad, sizeof(aad), "%s|%s", bind, kind) >=
	    (int)sizeof(aad))
		return ERR_SYSTEM;
	if ((e = crypto_seal(w->keys.keys[0].key, aad, strlen(aad), token,
	    strlen(token), &ct, &ctlen)) != ERR_OK)
		return e;
	e = b64url_encode_str(ct, ctlen, &b64);
	free(ct);
	if (e != ERR_OK || *id == '\0') {
		*out = b64;
		return e;
	}
	n = strlen(id) + 1 + strlen(b64) + 1;
	if ((*out = malloc(n)) == NULL)
		e = ERR_NOMEM;
	else
		snprintf(*out, n, "%s:%s", id, b64);
	free(b64);
	return e;
}

static enum err
store_open(struct web *w, const char *bind, const char *kind,
    const char *sealed, char **out)
{
	char	 aad[STORE_AAD_MAX];
	const unsigned char *key = NULL;
	const char *colon;
	unsigned char *ct = NULL, *pt = NULL;
	size_t	 ctlen, ptlen, i;
	enum err e = ERR_AUTH;

	*out = NULL;
	if (sealed == NULL)
		return ERR_OK;
	if (snprintf(aad, sizeof(aad), "%s|%s", bind, kind) >=
	    (int)sizeof(aad))
		return ERR_SYSTEM;
	if ((colon = strchr(sealed, ':')) != NULL &&
	    (key = crypto_keyring_find(&w->keys, sealed,
	    (size_t)(colon - sealed))) == NULL) {
		log_err("a cached %s value was sealed with key id \"%.*s\", "
		    "which cache_key_file no longer holds", kind,
		    (int)(colon - sealed < CRYPTO_KEY_ID_MAX ? colon - sealed :
		    CRYPTO_KEY_ID_MAX), sealed);
		return ERR_AUTH;
	}
	if (colon != NULL)
		sealed = colon + 1;
	if (b64url_decode(sealed, strlen(sealed), &ct, &ctlen) != ERR_OK)
		return ERR_AUTH;
	if (key != NULL)
		e = crypto_open(key, aad, strlen(aad), ct, ctlen, &pt, &ptlen);
	else	/* sealed before key ids: any key of the ring may open it */
		for (i = 0; i < w->keys.n && e != ERR_OK; i++)
			e = crypto_open(w->keys.keys[i].key, aad, strlen(aad),
			    ct, ctlen, &pt, &ptlen);
	free(ct);
	if (e != ERR_OK) {
		log_err("a cached %s value does not decrypt (key changed?)",
		    kind);
		return ERR_AUTH;
	}
	*out = (char *)pt;
	return ERR_OK;
}

enum err
store_auth_insert(struct web *w, const char *state, const char *browser,
    const char *policy, const char *nonce, const char *verifier,
    const char *return_to, bool retry)
{
	char	*sh = store_hash(state), *bh = store_hash(browser);
	char	*sn = NULL, *sv = NULL;
	char	 ttl[STORE_NUM_MAX], cap[STORE_NUM_MAX], keep[STORE_NUM_MAX];
	const char *params[9];
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	if (sh == NULL || bh == NULL)
		goto out;
	if ((e = store_seal(w, sh, "nonce", nonce, &sn)) != ERR_OK ||
	    (e = store_seal(w, sh, "verifier", verifier, &sv)) != ERR_OK)
		goto out;
	snprintf(ttl, sizeof(ttl), "%d", WEB_STATE_TTL);
	snprintf(cap, sizeof(cap), "%ld", w->cfg->max_pending_signins);
	snprintf(keep, sizeof(keep), "%d", WEB_SIGNINS_PER_BROWSER);
	params[0] = sh;
	params[1] = bh;
	params[2] = policy;
	params[3] = sn;
	params[4] = sv;
	params[5] = return_to;
	params[6] = ttl;
	params[7] = cap;
	params[8] = retry ? "true" : "false";
	if ((e = db_exec(w->db, &web_stmts[WSTMT_AUTH_INSERT], params,
	    &res)) != ERR_OK)
		goto out;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		log_warn("%ld sign-ins in flight (max_pending_signins): "
		    "refusing another", w->cfg->max_pending_signins);
		e = ERR_FORBIDDEN;
		goto out;
	}
	PQclear(res);
	res = NULL;
	params[0] = bh;
	params[1] = keep;
	(void)db_exec(w->db, &web_stmts[WSTMT_AUTH_TRIM], params, &res);
out:
	PQclear(res);
	free(sh);
	free(bh);
	free(sn);
	free(sv);
	return e;
}

enum err
store_auth_result(struct web *w, const char *state, const char *code,
    const char *error, const char *desc, const char *iss)
{
	char	*sh = store_hash(state), *sc = NULL;
	const char *params[5];
	PGresult *res = NULL;
	enum err e;

	if (sh == NULL)
		return ERR_NOMEM;
	if ((e = store_seal(w, sh, "code", code, &sc)) != ERR_OK)
		goto out;
	params[0] = sh;
	params[1] = sc;
	params[2] = error;
	params[3] = desc;
	params[4] = iss;
	e = db_exec(w->db, &web_stmts[WSTMT_AUTH_RESULT], params, &res);
	if (e == ERR_OK && strcmp(PQcmdTuples(res), "1") != 0)
		e = ERR_NOTFOUND;
out:
	PQclear(res);
	free(sh);
	free(sc);
	return e;
}

void
store_auth_free(struct auth_request *a)
{
	free(a->policy);
	crypto_free_str(a->nonce);
	crypto_free_str(a->verifier);
	free(a->return_to);
	crypto_free_str(a->code);
	free(a->error);
	free(a->error_description);
	free(a->iss);
	memset(a, 0, sizeof(*a));
}

enum err
store_auth_take(struct web *w, const char *state, const char *browser,
    struct auth_request *a)
{
	char	*sh = store_hash(state), *bh = store_hash(browser);
	const char *params[2] = { sh, bh };
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	memset(a, 0, sizeof(*a));
	if (sh == NULL || bh == NULL)
		goto out;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_AUTH_TAKE], params, &res)) !=
	    ERR_OK)
		goto out;
	if (PQntuples(res) != 1) {
		e = ERR_NOTFOUND;
		goto out;
	}
	a->policy = store_dup(res, 0, 0);
	a->return_to = store_dup(res, 0, 3);
	a->error = store_dup(res, 0, 5);
	a->error_description = store_dup(res, 0, 6);
	a->retry = strcmp(PQgetvalue(res, 0, 7), "t") == 0;
	a->iss = store_dup(res, 0, 8);
	if (a->policy == NULL || a->return_to == NULL ||
	    (a->iss == NULL && !PQgetisnull(res, 0, 8))) {
		store_auth_free(a);
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = store_open(w, sh, "nonce", PQgetisnull(res, 0, 1) ? NULL :
	    PQgetvalue(res, 0, 1), &a->nonce)) != ERR_OK ||
	    (e = store_open(w, sh, "verifier", PQgetisnull(res, 0, 2) ?
	    NULL : PQgetvalue(res, 0, 2), &a->verifier)) != ERR_OK ||
	    (e = store_open(w, sh, "code", PQgetisnull(res, 0, 4) ? NULL :
	    PQgetvalue(res, 0, 4), &a->code)) != ERR_OK ||
	    a->nonce == NULL || a->verifier == NULL) {
		/* A key gone from cache_key_file: as good as expired. */
		store_auth_free(a);
		e = e == ERR_OK || e == ERR_AUTH ? ERR_NOTFOUND : e;
	}
out:
	PQclear(res);
	free(sh);
	free(bh);
	return e;
}

void
store_session_free(struct session *s)
{
	free(s->id_hash);
	crypto_free_str(s->csrf);
	free(s->issuer);
	free(s->subject);
	free(s->name);
	free(s->claims);
	free(s->access_sealed);
	free(s->public_id);
	memset(s, 0, sizeof(*s));
}

enum err
store_session_new(struct web *w, const char *issuer, const char *subject,
    const char *name, const char *claims, const char *id_token,
    bool retried, char **session_id)
{
	char	*id = NULL, *hash = NULL, *csrf = NULL, *sealed = NULL;
	char	*pub = NULL, life[STORE_NUM_MAX];
	const char *params[10];
	PGresult *res = NULL;
	enum err e;

	*session_id = NULL;
	if ((e = crypto_token(WEB_SECRET_BYTES, &id)) != ERR_OK ||
	    (e = crypto_token(WEB_SECRET_BYTES, &csrf)) != ERR_OK ||
	    (e = crypto_token(WEB_PUBLIC_ID_BYTES, &pub)) != ERR_OK)
		goto out;
	if ((hash = store_hash(id)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = store_seal(w, hash, "id", id_token, &sealed)) != ERR_OK)
		goto out;
	snprintf(life, sizeof(life), "%ld", w->cfg->session_max_lifetime);
	params[0] = hash;
	params[1] = csrf;
	params[2] = issuer;
	params[3] = subject;
	params[4] = name;
	params[5] = claims;
	params[6] = sealed;
	params[7] = life;
	params[8] = retried ? "true" : "false";
	params[9] = pub;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSION_INSERT], params,
	    &res)) != ERR_OK)
		goto out;
	*session_id = id;
	id = NULL;
out:
	PQclear(res);
	crypto_free_str(id);
	crypto_free_str(csrf);
	free(hash);
	free(sealed);
	free(pub);
	return e;
}

enum err
store_session_get(struct web *w, const char *session_id, struct session *s)
{
	return store_session_get_seen(w, session_id, NULL, NULL, s);
}

enum err
store_session_get_seen(struct web *w, const char *session_id,
    const char *user_agent, const char *ip, struct session *s)
{
	char	 idle[STORE_NUM_MAX], touch[STORE_NUM_MAX], *end;
	const char *params[5];
	PGresult *res = NULL;
	enum err e;

	memset(s, 0, sizeof(*s));
	if ((s->id_hash = store_hash(session_id)) == NULL)
		return ERR_NOMEM;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	snprintf(touch, sizeof(touch), "%d", WEB_TOUCH_EVERY);
	params[0] = s->id_hash;
	params[1] = idle;
	params[2] = touch;
	params[3] = user_agent;
	params[4] = ip;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSION_TOUCH], params,
	    &res)) != ERR_OK)
		goto out;
	if (PQntuples(res) != 1) {
		e = ERR_NOTFOUND;
		goto out;
	}
	s->csrf = store_dup(res, 0, 0);
	s->issuer = store_dup(res, 0, 1);
	s->subject = store_dup(res, 0, 2);
	s->name = store_dup(res, 0, 3);
	s->claims = store_dup(res, 0, 4);
	s->public_id = store_dup(res, 0, 9);
	if (s->csrf == NULL || s->issuer == NULL || s->subject == NULL ||
	    s->name == NULL || s->claims == NULL || s->public_id == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	s->created = (time_t)strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	s->retried = strcmp(PQgetvalue(res, 0, 8), "t") == 0;
	/* The cached access token, still sealed: opened when used. */
	if (!PQgetisnull(res, 0, 5) && !PQgetisnull(res, 0, 6)) {
		s->access_sealed = store_dup(res, 0, 5);
		s->access_expires = (time_t)strtoll(PQgetvalue(res, 0, 6), &end,
		    10);
		if (*end != '\0' || s->access_sealed == NULL) {
			free(s->access_sealed);
			s->access_sealed = NULL;
		}
	}
out:
	PQclear(res);
	if (e != ERR_OK)
		store_session_free(s);
	return e;
}

enum err
store_session_access(struct web *w, const struct session *s, char **access)
{
	*access = NULL;
	if (s->access_sealed == NULL)
		return ERR_NOTFOUND;
	return store_open(w, s->id_hash, "access", s->access_sealed, access);
}

/* Run statement st, whose one parameter is the session's hash. */
static enum err
store_exec_hash(struct web *w, enum web_stmt st, const char *id_hash)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	enum err e;

	e = db_exec(w->db, &web_stmts[st], params, &res);
	PQclear(res);
	return e;
}

enum err
store_session_delete(struct web *w, const char *id_hash)
{
	return store_exec_hash(w, WSTMT_SESSION_DELETE, id_hash);
}

enum err
store_session_update(struct web *w, const struct session *s,
    const char *name, const char *claims, const char *id_token)
{
	char	*sealed = NULL;
	const char *params[4];
	PGresult *res = NULL;
	enum err e;

	if ((e = store_seal(w, s->id_hash, "id", id_token, &sealed)) !=
	    ERR_OK)
		return e;
	params[0] = s->id_hash;
	params[1] = name;
	params[2] = claims;
	params[3] = sealed;
	e = db_exec(w->db, &web_stmts[WSTMT_SESSION_UPDATE_CLAIMS], params,
	    &res);
	PQclear(res);
	free(sealed);
	return e;
}

enum err
store_session_id_token(struct web *w, const struct session *s,
    char **id_token)
{
	const char *params[1] = { s->id_hash };
	PGresult *res = NULL;
	enum err e;

	*id_token = NULL;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSION_ID_TOKEN], params,
	    &res)) != ERR_OK)
		return e;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		e = store_open(w, s->id_hash, "id", PQgetvalue(res, 0, 0),
		    id_token);
	PQclear(res);
	return e;
}

/* The row count of a DELETE or UPDATE, or -1. */
static long
store_count(PGresult *res)
{
	const char *t = PQcmdTuples(res);
	char	*end;
	long	 n;

	n = strtol(t, &end, 10);
	return *t == '\0' || *end != '\0' || n < 0 ? -1 : n;
}

/*
 * Seal access and refresh and run st (tokens_upsert or tokens_replace:
 * hash, policy, access, expiry, refresh, the replaced refresh token);
 * *rows: how many rows it wrote.
 */
static enum err
store_tokens_write(struct web *w, enum web_stmt st, const char *id_hash,
    const char *policy, const char *access, const char *expiry,
    const char *refresh, const char *old_sealed, long *rows)
{
	char	*sa = NULL, *sr = NULL;
	const char *params[6];
	PGresult *res = NULL;
	enum err e;

	*rows = 0;
	if ((e = store_seal(w, id_hash, "access", access, &sa)) != ERR_OK ||
	    (e = store_seal(w, id_hash, "refresh", refresh, &sr)) != ERR_OK)
		goto out;
	params[0] = id_hash;
	params[1] = policy;
	params[2] = sa;
	params[3] = expiry;
	params[4] = sr;
	params[5] = old_sealed;
	if ((e = db_exec(w->db, &web_stmts[st], params, &res)) == ERR_OK)
		*rows = store_count(res);
out:
	PQclear(res);
	free(sa);
	free(sr);
	return e;
}

enum err
store_tokens_put(struct web *w, const char *id_hash, const char *policy,
    const char *access, long expires_in, const char *refresh)
{
	char	 exp[STORE_NUM_MAX];
	long	 rows;

	snprintf(exp, sizeof(exp), "%ld", expires_in);
	return store_tokens_write(w, WSTMT_TOKENS_UPSERT, id_hash, policy,
	    access, exp, refresh, NULL, &rows);
}

void
store_tokens_free(struct tokens *t)
{
	free(t->policy);
	free(t->refresh_sealed);
	crypto_free_str(t->access_token);
	crypto_free_str(t->refresh_token);
	memset(t, 0, sizeof(*t));
}

enum err
store_tokens_lock(struct web *w, const char *id_hash, long wait_ms,
    struct tokens *t)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	char	*end, sql[STORE_SQL_MAX];
	enum err e;

	memset(t, 0, sizeof(*t));
	/*
	 * Another process renewing these tokens holds the row while it
	 * calls the token endpoint: wait for it (bounded), then use what it
	 * stored, rather than failing on the connection's statement_timeout.
	 */
	snprintf(sql, sizeof(sql), "SET LOCAL lock_timeout = %ld", wait_ms);
	if ((e = db_exec_sql(w->db, sql)) != ERR_OK)
		return e;
	snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %ld",
	    wait_ms + 1000);
	if ((e = db_exec_sql(w->db, sql)) != ERR_OK)
		return e;
	e = db_exec(w->db, &web_stmts[WSTMT_TOKENS_LOCK], params, &res);
	if (db_exec_sql(w->db, "SET LOCAL statement_timeout = '"
	    DB_STATEMENT_TIMEOUT "'") != ERR_OK && e == ERR_OK)
		e = ERR_DB;
	if (e != ERR_OK) {
		PQclear(res);
		return e;
	}
	if (PQntuples(res) != 1) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if ((t->policy = store_dup(res, 0, 0)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if (!PQgetisnull(res, 0, 2)) {
		t->access_expires = (time_t)strtoll(PQgetvalue(res, 0, 2),
		    &end, 10);
		if (*end != '\0')
			t->access_expires = 0;	/* treated as expired */
	}
	if ((e = store_open(w, id_hash, "access",
	    PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1),
	    &t->access_token)) != ERR_OK ||
	    (e = store_open(w, id_hash, "refresh",
	    PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3),
	    &t->refresh_token)) != ERR_OK)
		goto out;
	if (!PQgetisnull(res, 0, 3) &&
	    (t->refresh_sealed = store_dup(res, 0, 3)) == NULL)
		e = ERR_NOMEM;
out:
	PQclear(res);
	if (e != ERR_OK)
		store_tokens_free(t);
	return e;
}


enum err
store_tokens_replace(struct web *w, const char *id_hash, const char *policy,
    const char *access, time_t access_expires, const char *refresh,
    const char *old_sealed, bool *replaced)
{
	char	 exp[STORE_NUM_MAX];
	long	 rows;
	enum err e;

	snprintf(exp, sizeof(exp), "%lld", (long long)access_expires);
	e = store_tokens_write(w, WSTMT_TOKENS_REPLACE, id_hash, policy,
	    access, exp, refresh, old_sealed, &rows);
	*replaced = e == ERR_OK && rows > 0;
	return e;
}

enum err
store_tokens_delete(struct web *w, const char *id_hash)
{
	return store_exec_hash(w, WSTMT_TOKENS_DELETE, id_hash);
}

enum err
store_purge_now(struct web *w, long *sessions, long *signins)
{
	char	 idle[STORE_NUM_MAX];
	const char *params[1] = { idle };
	PGresult *res = NULL;
	enum err e;

	*sessions = *signins = 0;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_PURGE_SESSIONS], params,
	    &res)) != ERR_OK)
		return e;
	*sessions = store_count(res);
	PQclear(res);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_PURGE_AUTH], NULL, &res)) !=
	    ERR_OK)
		return e;
	*signins = store_count(res);
	PQclear(res);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_PURGE_DRAFTS], NULL, &res)) !=
	    ERR_OK)
		return e;
	PQclear(res);
	return ERR_OK;
}

void
store_purge(struct web *w)
{
	time_t	 now = time(NULL);
	long	 ns, na;

	if (now - w->purged < WEB_PURGE_EVERY)
		return;
	w->purged = now;
	(void)store_purge_now(w, &ns, &na);
	if (ns > 0)
		log_info("purged %ld expired sessions", ns);
	if (na > 0)
		log_info("purged %ld expired sign-in requests", na);
}

enum err
store_sessions_list(struct web *w, const char *user, FILE *out, long *n)
{
	char	 idle[STORE_NUM_MAX];
	const char *params[2] = { user, idle };
	PGresult *res = NULL;
	enum err e;
	int	 i;

	*n = 0;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSIONS_LIST], params,
	    &res)) != ERR_OK)
		return e;
	for (i = 0; i < PQntuples(res); i++)
		fprintf(out, "created %s  last seen %s  expires %s  %s  %s  "
		    "issuer %s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    strcmp(PQgetvalue(res, i, 3), "t") == 0 ? "active" :
		    "ended", strcmp(PQgetvalue(res, i, 4), "t") == 0 ?
		    "tokens cached" : "no tokens", PQgetvalue(res, i, 5));
	*n = PQntuples(res);
	PQclear(res);
	return ERR_OK;
}

enum err
store_sessions_revoke(struct web *w, const char *user, long *n)
{
	const char *params[1] = { user };
	PGresult *res = NULL;
	enum err e;

	*n = 0;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSIONS_REVOKE], params,
	    &res)) != ERR_OK)
		return e;
	*n = store_count(res);
	PQclear(res);
	return ERR_OK;
}

enum err
store_sessions_count(struct web *w, long *n)
{
	char	 idle[STORE_NUM_MAX], *end;
	const char *params[1] = { idle };
	PGresult *res = NULL;
	enum err e;

	*n = 0;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSIONS_COUNT], params,
	    &res)) != ERR_OK)
		return e;
	e = ERR_DB;
	if (PQntuples(res) == 1) {
		*n = strtol(PQgetvalue(res, 0, 0), &end, 10);
		if (*end == '\0' && *n >= 0)
			e = ERR_OK;
	}
	PQclear(res);
	return e;
}

/* ---- the sessions page ----------------------------------------------- */

void
store_user_sessions_free(struct user_session *list, size_t n)
{
	size_t	 i;

	for (i = 0; list != NULL && i < n; i++) {
		free(list[i].public_id);
		free(list[i].created);
		free(list[i].last_seen);
		free(list[i].user_agent);
		free(list[i].ip);
	}
	free(list);
}

enum err
store_user_sessions(struct web *w, const struct session *s,
    struct user_session **list, size_t *n)
{
	char	 idle[STORE_NUM_MAX], cap[STORE_NUM_MAX];
	const char *params[5] = { s->subject, s->issuer, s->id_hash, idle,
	    cap };
	struct user_session *l = NULL;
	PGresult *res = NULL;
	enum err e;
	int	 i, rows;

	*list = NULL;
	*n = 0;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	snprintf(cap, sizeof(cap), "%d", WEB_USER_SESSIONS_MAX);
	if ((e = db_exec(w->db, &web_stmts[WSTMT_USER_SESSIONS], params,
	    &res)) != ERR_OK)
		return e;
	rows = PQntuples(res);
	if (rows > 0 && (l = calloc((size_t)rows, sizeof(*l))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < rows; i++) {
		l[i].public_id = store_dup(res, i, 0);
		l[i].created = store_dup(res, i, 1);
		l[i].last_seen = store_dup(res, i, 2);
		l[i].user_agent = store_dup(res, i, 3);
		l[i].ip = store_dup(res, i, 4);
		l[i].current = strcmp(PQgetvalue(res, i, 5), "t") == 0;
		if (l[i].public_id == NULL || l[i].created == NULL ||
		    l[i].last_seen == NULL || (l[i].user_agent == NULL &&
		    !PQgetisnull(res, i, 3)) || (l[i].ip == NULL &&
		    !PQgetisnull(res, i, 4))) {
			store_user_sessions_free(l, (size_t)rows);
			l = NULL;
			e = ERR_NOMEM;
			goto out;
		}
	}
	*list = l;
	*n = (size_t)rows;
out:
	PQclear(res);
	return e;
}

enum err
store_user_session_revoke(struct web *w, const struct session *s,
    const char *public_id)
{
	const char *params[4] = { public_id, s->subject, s->issuer,
	    s->id_hash };
	PGresult *res = NULL;
	enum err e;

	if ((e = db_exec(w->db, &web_stmts[WSTMT_USER_SESSION_REVOKE],
	    params, &res)) == ERR_OK && store_count(res) != 1)
		e = ERR_NOTFOUND;
	PQclear(res);
	return e;
}

enum err
store_user_sessions_end(struct web *w, const struct session *s, bool all,
    long *n)
{
	const char *params[3] = { s->subject, s->issuer, all ? "" :
	    s->id_hash };
	PGresult *res = NULL;
	enum err e;

	*n = 0;
	if (all && (e = db_exec(w->db, &web_stmts[WSTMT_USER_DRAFTS_DELETE],
	    params, &res)) != ERR_OK)
		return e;
	PQclear(res);
	res = NULL;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_USER_SESSIONS_OTHERS],
	    params, &res)) == ERR_OK)
		*n = store_count(res);
	PQclear(res);
	return e;
}

enum err
store_session_owner(struct web *w, const char *session_id, char **issuer,
    char **subject)
{
	char	*h = store_hash(session_id);
	const char *params[1] = { h };
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	*issuer = *subject = NULL;
	if (h == NULL)
		return e;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_SESSION_SUBJECT], params,
	    &res)) != ERR_OK)
		goto out;
	if (PQntuples(res) == 1) {
		*issuer = store_dup(res, 0, 0);
		*subject = store_dup(res, 0, 1);
		if (*issuer == NULL || *subject == NULL) {
			free(*issuer);
			free(*subject);
			*issuer = *subject = NULL;
			e = ERR_NOMEM;
		}
	}
out:
	PQclear(res);
	free(h);
	return e;
}

/* ---- drafts ------------------------------------------------------------ */

enum err
store_draft_put(struct web *w, const char *browser, const char *issuer,
    const char *subject, const char *task_id, const char *json)
{
	char	*bh = store_hash(browser), *sealed = NULL;
	char	 ttl[STORE_NUM_MAX];
	const char *params[6];
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	if (bh == NULL)
		goto out;
	if ((e = store_seal(w, bh, "draft", json, &sealed)) != ERR_OK)
		goto out;
	snprintf(ttl, sizeof(ttl), "%d", WEB_DRAFT_TTL);
	params[0] = bh;
	params[1] = subject != NULL ? issuer : NULL;
	params[2] = issuer != NULL ? subject : NULL;
	params[3] = task_id;
	params[4] = sealed;
	params[5] = ttl;
	e = db_exec(w->db, &web_stmts[WSTMT_DRAFT_PUT], params, &res);
out:
	PQclear(res);
	free(bh);
	crypto_free_str(sealed);
	return e;
}

enum err
store_draft_take(struct web *w, const char *browser, const struct session *s,
    const char *task_id, char **json)
{
	char	*bh = store_hash(browser);
	const char *params[4] = { bh, task_id, s->subject, s->issuer };
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	*json = NULL;
	if (bh == NULL)
		return e;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_DRAFT_TAKE], params,
	    &res)) != ERR_OK)
		goto out;
	/* A draft sealed with a key since removed is as good as gone. */
	if (PQntuples(res) == 1 && store_open(w, bh, "draft",
	    PQgetvalue(res, 0, 0), json) != ERR_OK)
		*json = NULL;
out:
	PQclear(res);
	free(bh);
	return e;
}

enum err
store_dpop_put(struct web *w, const char *id_hash, const char *key)
{
	const char *params[2];
	char	*sealed = NULL;
	PGresult *res = NULL;
	enum err e;

	if ((e = store_seal(w, id_hash, "dpop", key, &sealed)) != ERR_OK)
		return e;
	params[0] = id_hash;
	params[1] = sealed;
	e = db_exec(w->db, &web_stmts[WSTMT_DPOP_PUT], params, &res);
	PQclear(res);
	free(sealed);
	return e;
}

enum err
store_dpop_get(struct web *w, const char *id_hash, char **key)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	enum err e;

	*key = NULL;
	if ((e = db_exec(w->db, &web_stmts[WSTMT_DPOP_GET], params, &res)) !=
	    ERR_OK)
		return e;
	e = PQntuples(res) == 1 ? store_open(w, id_hash, "dpop",
	    PQgetvalue(res, 0, 0), key) : ERR_NOTFOUND;
	PQclear(res);
	return e;
}
