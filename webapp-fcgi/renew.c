/*
 * A usable access token for a session: the cached one, or a new one from
 * the refresh token, one renewal at a time per session (under a
 * PostgreSQL row lock).
 *
 * Faults it rides out:
 * - The provider does not answer: a still valid access token is used,
 *   and this process does not ask again for RENEW_BACKOFF seconds.
 * - Another process is renewing (and may be waiting for that provider):
 *   a still valid token is used after RENEW_LOCK_BUSY_MS.
 * - PostgreSQL goes away between the provider's answer and the store:
 *   the provider has rotated the refresh token, so the new pair is the
 *   only one left.  It is kept in this process ("unsaved") and written
 *   as soon as PostgreSQL answers, retried for RENEW_STORE_RETRY_MS in
 *   the request itself, then at the start of each later request.  The
 *   write replaces only the pair that was redeemed, so it never undoes a
 *   sign-out or a newer renewal.  Until it is stored, this process does
 *   not redeem the old refresh token again.
 */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "oidc.h"
#include "webapp.h"

#define RENEW_BACKOFF 30		/* seconds */
#define RENEW_KEEP_MIN 5		/* seconds a kept token must have left */
#define RENEW_LOCK_BUSY_MS 300L		/* then: wait this long for the lock */
#define RENEW_STORE_RETRY_MS 3000L	/* the request retries its store */
#define RENEW_STORE_PAUSE_MS 200	/* between those tries */
#define RENEW_UNSAVED_MAX 8		/* pairs waiting for PostgreSQL */
#define RENEW_UNSAVED_TTL 3600		/* seconds one waits at most */

/* A renewed pair PostgreSQL did not take yet. */
struct unsaved {
	char	*id_hash;
	char	*policy;
	char	*access;
	char	*refresh;	/* the new refresh token, or NULL */
	char	*old_sealed;	/* the stored refresh token it replaces */
	time_t	 expires;	/* of the access token */
	time_t	 since;
};

static struct unsaved renew_unsaved[RENEW_UNSAVED_MAX];
static size_t renew_nunsaved;
static time_t renew_failed;	/* the provider's last failure, here */

/* The still valid access token of t, moved to *access; false if none. */
static bool
renew_keep(struct tokens *t, char **access)
{
	if (t->access_token == NULL ||
	    t->access_expires - time(NULL) <= RENEW_KEEP_MIN)
		return false;
	*access = t->access_token;
	t->access_token = NULL;
	return true;
}

static void
renew_unsaved_drop(size_t i)
{
	struct unsaved *u = &renew_unsaved[i];

	free(u->id_hash);
	free(u->policy);
	crypto_free_str(u->access);
	crypto_free_str(u->refresh);
	free(u->old_sealed);
	renew_unsaved[i] = renew_unsaved[--renew_nunsaved];
	memset(&renew_unsaved[renew_nunsaved], 0, sizeof(*u));
}

static struct unsaved *
renew_unsaved_find(const char *id_hash)
{
	size_t	 i;

	for (i = 0; i < renew_nunsaved; i++)
		if (strcmp(renew_unsaved[i].id_hash, id_hash) == 0)
			return &renew_unsaved[i];
	return NULL;
}

/* Keep a copy of tok for id_hash until PostgreSQL has it. */
static void
renew_unsaved_add(const char *id_hash, const struct tokens *t,
    const struct oidc_tokens *tok)
{
	struct unsaved *u;
	size_t	 i, oldest = 0;

	if ((u = renew_unsaved_find(id_hash)) != NULL)
		renew_unsaved_drop((size_t)(u - renew_unsaved));
	if (renew_nunsaved == RENEW_UNSAVED_MAX) {
		for (i = 1; i < renew_nunsaved; i++)
			if (renew_unsaved[i].since < renew_unsaved[oldest].since)
				oldest = i;
		log_warn("too many renewed tokens waiting for postgresql: "
		    "the oldest pair is dropped (that session signs in "
		    "again)");
		renew_unsaved_drop(oldest);
	}
	u = &renew_unsaved[renew_nunsaved];
	u->id_hash = strdup(id_hash);
	u->policy = strdup(t->policy);
	u->old_sealed = strdup(t->refresh_sealed);
	u->access = strdup(tok->access_token);
	u->refresh = tok->refresh_token != NULL ?
	    strdup(tok->refresh_token) : NULL;
	u->expires = time(NULL) + tok->expires_in;
	u->since = time(NULL);
	renew_nunsaved++;
	if (u->id_hash == NULL || u->policy == NULL || u->old_sealed == NULL ||
	    u->access == NULL ||
	    (tok->refresh_token != NULL && u->refresh == NULL)) {
		log_err("out of memory: a renewed token pair is lost");
		renew_unsaved_drop(renew_nunsaved - 1);
	}
}

/* Try once to store every unsaved pair; true when none is left. */
static bool
renew_unsaved_store(struct web *w)
{
	struct unsaved *u;
	bool	 replaced;
	size_t	 i = 0;

	while (i < renew_nunsaved) {
		u = &renew_unsaved[i];
		if (time(NULL) - u->since > RENEW_UNSAVED_TTL) {
			log_warn("a renewed token pair waited %d s for "
			    "postgresql: dropped", RENEW_UNSAVED_TTL);
			renew_unsaved_drop(i);
			continue;
		}
		if (store_tokens_replace(w, u->id_hash, u->policy, u->access,
		    u->expires, u->refresh, u->old_sealed, &replaced) !=
		    ERR_OK)
			return false;	/* still down: keep them all */
		if (replaced)
			log_info("renewed tokens stored after postgresql "
			    "came back");
		else
			log_info("renewed tokens not stored: the session "
			    "ended or was renewed since");
		renew_unsaved_drop(i);
	}
	return true;
}

static long
renew_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000L +
	    (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

void
renew_flush(struct web *w)
{
	if (renew_nunsaved > 0)
		(void)renew_unsaved_store(w);
}

/*
 * The renewed pair in tok could not be stored (PostgreSQL went away):
 * keep it, and retry for a while.
 */
static void
renew_store_late(struct web *w, const char *id_hash, const struct tokens *t,
    const struct oidc_tokens *tok)
{
	struct timespec t0;

	log_warn("renewed tokens not stored (postgresql failed): kept in "
	    "this process and retried");
	renew_unsaved_add(id_hash, t, tok);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!renew_unsaved_store(w) &&
	    renew_ms_since(&t0) < RENEW_STORE_RETRY_MS)
		(void)poll(NULL, 0, RENEW_STORE_PAUSE_MS);
}

/*
 * A session whose renewed pair is still here: store it now, or use its
 * access token.  False when there is none.
 */
static bool
renew_unsaved_use(struct web *w, const char *id_hash,
    enum renew_result *res, char **access)
{
	struct unsaved *u;

	if (renew_unsaved_find(id_hash) == NULL)
		return false;
	(void)renew_unsaved_store(w);
	if ((u = renew_unsaved_find(id_hash)) == NULL)
		return false;	/* stored (or obsolete): go on as usual */
	*res = RENEW_UNAVAILABLE;
	/* Not the old refresh token again: the provider has rotated it. */
	if (u->expires - time(NULL) > RENEW_KEEP_MIN &&
	    (*access = strdup(u->access)) != NULL)
		*res = RENEW_OK;
	return true;
}

/* Renew under the row lock; another process may have done it already. */
static enum renew_result
renew_locked(struct web *w, const struct session *s, bool force,
    char **access)
{
	struct oidc_client client;
	struct oidc_tokens tok;
	struct tokens t;
	struct provider *p = NULL;
	struct dpopkey *dkey = NULL;
	char	*dproof = NULL;
	const char *endpoint;
	enum renew_result res = RENEW_UNAVAILABLE;
	bool	 can_keep, busy = false, renewed = false;
	enum err e;
	size_t	 i;

	memset(&tok, 0, sizeof(tok));
	memset(&t, 0, sizeof(t));
	/*
	 * While the session's access token is still valid, do not queue
	 * behind another process renewing it (it may be waiting for a
	 * provider that does not answer): use the token.
	 */
	can_keep = !force && s->access_sealed != NULL &&
	    s->access_expires - time(NULL) > RENEW_KEEP_MIN;
	if (db_exec_sql(w->db, "BEGIN") != ERR_OK)
		return RENEW_UNAVAILABLE;
	if ((e = store_tokens_lock(w, s->id_hash, can_keep ?
	    RENEW_LOCK_BUSY_MS : WEB_RENEW_WAIT_MS, &t)) != ERR_OK) {
		res = e == ERR_DB ? RENEW_UNAVAILABLE : RENEW_SIGNIN;
		busy = e == ERR_DB && can_keep;
		goto out;
	}
	if (!force && t.access_token != NULL &&
	    t.access_expires - time(NULL) > WEB_TOKEN_MARGIN) {
		*access = t.access_token;
		t.access_token = NULL;
		res = RENEW_OK;
		goto out;
	}
	if (t.refresh_token == NULL) {
		res = RENEW_SIGNIN;
		goto out;
	}
	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL && strcmp(w->policies[i],
		    t.policy) == 0)
			p = w->flows[i];
	if (p == NULL) {
		res = RENEW_SIGNIN;
		goto out;
	}
	if (!force && time(NULL) - renew_failed < RENEW_BACKOFF &&
	    renew_keep(&t, access)) {
		log_info("renewal put off (the provider failed %lld s ago): "
		    "the access token is still valid",
		    (long long)(time(NULL) - renew_failed));
		res = RENEW_OK;
		goto out;
	}
	if (provider_load(p, w->idp, time(NULL)) != ERR_OK ||
	    (endpoint = provider_endpoint(p, PROVIDER_TOKEN)) == NULL ||
	    signin_client(w, p, &client) != ERR_OK ||
	    webdpop_token_request(w, p, s->id_hash, endpoint, &dkey,
	    &dproof) != ERR_OK)
		goto failed;
	client.dpop = dproof;	/* DPoP: the session's key, if it has one */
	/* The user flow that issued the refresh token redeems it. */
	e = oidc_refresh(w->idp, endpoint, &client, t.refresh_token,
	    w->scope, w->cfg->api_resource, &tok);
	ops_count(w, WM_REFRESH, e == ERR_OK ? WRF_OK : e == ERR_AUTH ?
	    WRF_REFUSED : WRF_ERROR);
	if (e == ERR_AUTH) {
		log_info("refresh refused (%s): signing in again", tok.error);
		(void)store_tokens_delete(w, s->id_hash);
		res = RENEW_SIGNIN;
		goto out;
	}
	if (e != ERR_OK || tok.access_token == NULL)
		goto failed;
	renewed = true;
	res = RENEW_OK;
	if (store_tokens_put(w, s->id_hash, t.policy, tok.access_token,
	    tok.expires_in, tok.refresh_token) != ERR_OK)
		res = RENEW_UNAVAILABLE;
	goto out;
failed:
	/* The provider did not answer: keep a still valid token, if any. */
	renew_failed = time(NULL);
	if (!force && renew_keep(&t, access)) {
		log_info("renewal failed: the access token is still valid, "
		    "used until it expires");
		res = RENEW_OK;
	}
out:
	if (db_exec_sql(w->db, res == RENEW_UNAVAILABLE ? "ROLLBACK" :
	    "COMMIT") != ERR_OK && res == RENEW_OK)
		res = RENEW_UNAVAILABLE;
	if (renewed) {
		/* The provider answered: its pair is the only one now. */
		if (res != RENEW_OK)
			renew_store_late(w, s->id_hash, &t, &tok);
		res = RENEW_OK;
		*access = tok.access_token;
		tok.access_token = NULL;
	} else if (res != RENEW_OK) {
		crypto_free_str(*access);
		*access = NULL;
	}
	store_tokens_free(&t);
	oidc_tokens_free(&tok);
	webdpop_done(dkey, dproof);
	if (busy && store_session_access(w, s, access) == ERR_OK) {
		log_info("renewal busy in another process: the access token "
		    "is still valid");
		res = RENEW_OK;
	}
	return res;
}

enum renew_result
renew_access(struct web *w, const struct session *s, bool force,
    char **access)
{
	enum renew_result res;

	*access = NULL;
	if (renew_unsaved_use(w, s->id_hash, &res, access))
		return res;
	if (!force && s->access_sealed != NULL &&
	    s->access_expires - time(NULL) > WEB_TOKEN_MARGIN &&
	    store_session_access(w, s, access) == ERR_OK)
		return RENEW_OK;
	return renew_locked(w, s, force, access);
}
