/*
 * The web app's PostgreSQL store: sign-in requests, sessions and the
 * encrypted token cache.  Only hashes of secrets are looked up; tokens
 * are sealed with AES-256-GCM bound to (session, kind).
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

const struct db_stmt web_stmts[WSTMT__MAX] = {
	[WSTMT_HEALTH] = { "health", "SELECT 1", 0, true },
	[WSTMT_AUTH_INSERT] = { "auth_insert",
	    "INSERT INTO webapp.auth_requests (state_hash, browser_hash, "
	    "policy, nonce, code_verifier, return_to, expires_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval("
	    "secs => $7))", 7, false },
	/* A form_post answer: recorded once, for the GET that follows. */
	[WSTMT_AUTH_RESULT] = { "auth_result",
	    "UPDATE webapp.auth_requests SET code = $2, error = $3, "
	    "error_description = $4 WHERE state_hash = $1 "
	    "AND code IS NULL AND error IS NULL AND expires_at > now()",
	    4, false },
	[WSTMT_AUTH_TAKE] = { "auth_take",
	    "DELETE FROM webapp.auth_requests WHERE state_hash = $1 "
	    "AND browser_hash = $2 AND expires_at > now() RETURNING policy, "
	    "nonce, code_verifier, return_to, code, error, "
	    "error_description", 2, false },
	[WSTMT_SESSION_INSERT] = { "session_insert",
	    "INSERT INTO webapp.sessions (id_hash, csrf, issuer, subject, "
	    "name, claims, id_token, expires_at) VALUES ($1, $2, $3, $4, "
	    "$5, $6::jsonb, $7, now() + make_interval(secs => $8))", 8,
	    false },
	/*
	 * One statement per request: the session if neither timeout has
	 * passed, its cached tokens, and a touch of last_seen_at (at most
	 * every WEB_TOUCH_EVERY seconds, to spare writes).
	 */
	[WSTMT_SESSION_TOUCH] = { "session_touch",
	    "WITH s AS (SELECT id_hash, csrf, issuer, subject, name, "
	    "claims::text AS claims, last_seen_at FROM webapp.sessions "
	    "WHERE id_hash = $1 AND expires_at > now() "
	    "AND last_seen_at > now() - make_interval(secs => $2)), "
	    "touch AS (UPDATE webapp.sessions SET last_seen_at = now() "
	    "WHERE id_hash = (SELECT id_hash FROM s) AND last_seen_at < "
	    "now() - make_interval(secs => $3)) "
	    "SELECT s.csrf, s.issuer, s.subject, s.name, s.claims, "
	    "t.access_token, extract(epoch FROM t.access_expires_at)::bigint "
	    "FROM s LEFT JOIN webapp.tokens t ON t.session_hash = s.id_hash",
	    3, true },
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
	[WSTMT_TOKENS_DELETE] = { "tokens_delete",
	    "DELETE FROM webapp.tokens WHERE session_hash = $1", 1, true },
	[WSTMT_PURGE_SESSIONS] = { "purge_sessions",
	    "DELETE FROM webapp.sessions WHERE expires_at <= now() "
	    "OR last_seen_at <= now() - make_interval(secs => $1)", 1, true },
	[WSTMT_PURGE_AUTH] = { "purge_auth",
	    "DELETE FROM webapp.auth_requests WHERE expires_at <= now()", 0,
	    true },
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

/* Seal a token for (id_hash, kind); base64url text for the database. */
static enum err
store_seal(struct web *w, const char *id_hash, const char *kind,
    const char *token, char **out)
{
	char	 aad[STORE_AAD_MAX];
	unsigned char *ct = NULL;
	size_t	 ctlen;
	enum err e;

	*out = NULL;
	if (token == NULL)
		return ERR_OK;
	if (snprintf(aad, sizeof(aad), "%s|%s", id_hash, kind) >=
	    (int)sizeof(aad))
		return ERR_SYSTEM;
	if ((e = crypto_seal(w->key, aad, strlen(aad), token, strlen(token),
	    &ct, &ctlen)) != ERR_OK)
		return e;
	e = b64url_encode_str(ct, ctlen, out);
	free(ct);
	return e;
}

static enum err
store_open(struct web *w, const char *id_hash, const char *kind,
    const char *sealed, char **out)
{
	char	 aad[STORE_AAD_MAX];
	unsigned char *ct = NULL, *pt = NULL;
	size_t	 ctlen, ptlen;
	enum err e;

	*out = NULL;
	if (sealed == NULL)
		return ERR_OK;
	if (snprintf(aad, sizeof(aad), "%s|%s", id_hash, kind) >=
	    (int)sizeof(aad))
		return ERR_SYSTEM;
	if ((e = b64url_decode(sealed, strlen(sealed), &ct, &ctlen)) !=
	    ERR_OK)
		return ERR_AUTH;
	e = crypto_open(w->key, aad, strlen(aad), ct, ctlen, &pt, &ptlen);
	free(ct);
	if (e != ERR_OK) {
		log_err("a cached %s token does not decrypt (key changed?)",
		    kind);
		return ERR_AUTH;
	}
	*out = (char *)pt;
	return ERR_OK;
}

enum err
store_auth_insert(struct web *w, const char *state, const char *browser,
    const char *policy, const char *nonce, const char *verifier,
    const char *return_to)
{
	char	*sh = store_hash(state), *bh = store_hash(browser);
	char	 ttl[STORE_NUM_MAX];
	const char *params[7];
	PGresult *res = NULL;
	enum err e = ERR_NOMEM;

	if (sh == NULL || bh == NULL)
		goto out;
	snprintf(ttl, sizeof(ttl), "%d", WEB_STATE_TTL);
	params[0] = sh;
	params[1] = bh;
	params[2] = policy;
	params[3] = nonce;
	params[4] = verifier;
	params[5] = return_to;
	params[6] = ttl;
	e = db_exec(w->db, &web_stmts[WSTMT_AUTH_INSERT], params, &res);
	PQclear(res);
out:
	free(sh);
	free(bh);
	return e;
}

enum err
store_auth_result(struct web *w, const char *state, const char *code,
    const char *error, const char *desc)
{
	char	*sh = store_hash(state);
	const char *params[4] = { sh, code, error, desc };
	PGresult *res = NULL;
	enum err e;

	if (sh == NULL)
		return ERR_NOMEM;
	e = db_exec(w->db, &web_stmts[WSTMT_AUTH_RESULT], params, &res);
	if (e == ERR_OK && strcmp(PQcmdTuples(res), "1") != 0)
		e = ERR_NOTFOUND;
	PQclear(res);
	free(sh);
	return e;
}

void
store_auth_free(struct auth_request *a)
{
	free(a->policy);
	free(a->nonce);
	crypto_free_str(a->verifier);
	free(a->return_to);
	crypto_free_str(a->code);
	free(a->error);
	free(a->error_description);
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
	a->nonce = store_dup(res, 0, 1);
	a->verifier = store_dup(res, 0, 2);
	a->return_to = store_dup(res, 0, 3);
	a->code = store_dup(res, 0, 4);
	a->error = store_dup(res, 0, 5);
	a->error_description = store_dup(res, 0, 6);
	if (a->policy == NULL || a->nonce == NULL || a->verifier == NULL ||
	    a->return_to == NULL) {
		store_auth_free(a);
		e = ERR_NOMEM;
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
	memset(s, 0, sizeof(*s));
}

enum err
store_session_new(struct web *w, const char *issuer, const char *subject,
    const char *name, const char *claims, const char *id_token,
    char **session_id)
{
	char	*id = NULL, *hash = NULL, *csrf = NULL, *sealed = NULL;
	char	 life[STORE_NUM_MAX];
	const char *params[8];
	PGresult *res = NULL;
	enum err e;

	*session_id = NULL;
	if ((e = crypto_token(WEB_SECRET_BYTES, &id)) != ERR_OK ||
	    (e = crypto_token(WEB_SECRET_BYTES, &csrf)) != ERR_OK)
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
	return e;
}

enum err
store_session_get(struct web *w, const char *session_id, struct session *s)
{
	char	 idle[STORE_NUM_MAX], touch[STORE_NUM_MAX], *end;
	const char *params[3];
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
	if (s->csrf == NULL || s->issuer == NULL || s->subject == NULL ||
	    s->name == NULL || s->claims == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
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

enum err
store_session_delete(struct web *w, const char *id_hash)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	enum err e;

	e = db_exec(w->db, &web_stmts[WSTMT_SESSION_DELETE], params, &res);
	PQclear(res);
	return e;
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

enum err
store_tokens_put(struct web *w, const char *id_hash, const char *policy,
    const char *access, long expires_in, const char *refresh)
{
	char	*sa = NULL, *sr = NULL, exp[STORE_NUM_MAX];
	const char *params[5];
	PGresult *res = NULL;
	enum err e;

	if ((e = store_seal(w, id_hash, "access", access, &sa)) != ERR_OK ||
	    (e = store_seal(w, id_hash, "refresh", refresh, &sr)) != ERR_OK)
		goto out;
	snprintf(exp, sizeof(exp), "%ld", expires_in);
	params[0] = id_hash;
	params[1] = policy;
	params[2] = sa;
	params[3] = exp;
	params[4] = sr;
	e = db_exec(w->db, &web_stmts[WSTMT_TOKENS_UPSERT], params, &res);
out:
	PQclear(res);
	free(sa);
	free(sr);
	return e;
}

void
store_tokens_free(struct tokens *t)
{
	free(t->policy);
	crypto_free_str(t->access_token);
	crypto_free_str(t->refresh_token);
	memset(t, 0, sizeof(*t));
}

enum err
store_tokens_lock(struct web *w, const char *id_hash, struct tokens *t)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	char	*end;
	enum err e;

	memset(t, 0, sizeof(*t));
	if ((e = db_exec(w->db, &web_stmts[WSTMT_TOKENS_LOCK], params,
	    &res)) != ERR_OK)
		return e;
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
out:
	PQclear(res);
	if (e != ERR_OK)
		store_tokens_free(t);
	return e;
}

enum err
store_tokens_delete(struct web *w, const char *id_hash)
{
	const char *params[1] = { id_hash };
	PGresult *res = NULL;
	enum err e;

	e = db_exec(w->db, &web_stmts[WSTMT_TOKENS_DELETE], params, &res);
	PQclear(res);
	return e;
}

/* Now and then, drop expired sessions and sign-in requests. */
void
store_purge(struct web *w)
{
	char	 idle[STORE_NUM_MAX];
	const char *params[1] = { idle };
	PGresult *res = NULL;
	time_t	 now = time(NULL);

	if (now - w->purged < WEB_PURGE_EVERY)
		return;
	w->purged = now;
	snprintf(idle, sizeof(idle), "%ld", w->cfg->session_idle_timeout);
	if (db_exec(w->db, &web_stmts[WSTMT_PURGE_SESSIONS], params, &res) ==
	    ERR_OK && strcmp(PQcmdTuples(res), "0") != 0)
		log_info("purged %s expired sessions", PQcmdTuples(res));
	PQclear(res);
	res = NULL;
	if (db_exec(w->db, &web_stmts[WSTMT_PURGE_AUTH], NULL, &res) ==
	    ERR_OK && strcmp(PQcmdTuples(res), "0") != 0)
		log_info("purged %s expired sign-in requests",
		    PQcmdTuples(res));
	PQclear(res);
}
