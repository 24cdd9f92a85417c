/*
 * DPoP in the web app (RFC 9449): where the provider binds tokens to a
 * key, each session gets its own P-256 key (made at sign-in, kept sealed
 * in webapp.dpop_keys beside the sealed tokens), every token request
 * (the code, each refresh) carries a proof from it, and so does every
 * API call, with the access token's hash (ath).  A stolen token is then
 * worthless without the session's key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dpop.h"
#include "dpopkey.h"
#include "fnv.h"
#include "jwt.h"
#include "log.h"
#include "webapp.h"

#define WEBDPOP_HEADER "DPoP: "
#define WEBDPOP_ID_MAX 64	/* characters of a session's id hash */

/*
 * The keys of recently used sessions, per process, so that a page does
 * not read and unseal its session's key on every API call.  A session's
 * key never changes after sign-in (a refresh keeps it), and a session
 * that ends is refused by the session lookup before its key is asked
 * for; entries still expire so that little is kept in memory.
 */
#define WEBDPOP_CACHE_SLOTS 64
#define WEBDPOP_CACHE_TTL 300	/* seconds */

static struct {
	char		 id_hash[WEBDPOP_ID_MAX + 1];
	struct dpopkey	*key;	/* NULL: the session has no key */
	time_t		 at;
} webdpop_cache[WEBDPOP_CACHE_SLOTS];

static size_t
webdpop_slot(const char *id_hash)
{
	return (size_t)(fnv1a64(FNV1A64_INIT, id_hash, strlen(id_hash)) %
	    WEBDPOP_CACHE_SLOTS);
}

/* Load the session's key from the store: *key NULL when it has none. */
static enum err
webdpop_fetch(struct web *w, const char *id_hash, struct dpopkey **key)
{
	char	*text = NULL;
	enum err e;

	switch ((e = store_dpop_get(w, id_hash, &text))) {
	case ERR_OK:
		if ((e = dpopkey_import(text, key)) != ERR_OK)
			log_err("dpop: the session's key does not load: %s",
			    err_str(e));
		break;
	case ERR_NOTFOUND:
		e = ERR_OK;
		break;
	default:
		break;
	}
	crypto_free_str(text);
	return e;
}

enum err
webdpop_load(struct web *w, const char *id_hash, struct dpopkey **key)
{
	struct dpopkey *k = NULL;
	time_t	 now = time(NULL);
	size_t	 i, len;
	enum err e;

	*key = NULL;
	if (strcmp(w->cfg->use_dpop, "off") == 0)
		return ERR_OK;
	if ((len = strlen(id_hash)) > WEBDPOP_ID_MAX)	/* never: a hash */
		return webdpop_fetch(w, id_hash, key);
	i = webdpop_slot(id_hash);
	if (strcmp(webdpop_cache[i].id_hash, id_hash) != 0 ||
	    now - webdpop_cache[i].at >= WEBDPOP_CACHE_TTL ||
	    now < webdpop_cache[i].at) {
		if ((e = webdpop_fetch(w, id_hash, &k)) != ERR_OK)
			return e;
		dpopkey_free(webdpop_cache[i].key);
		memcpy(webdpop_cache[i].id_hash, id_hash, len + 1);
		webdpop_cache[i].key = k;
		webdpop_cache[i].at = now;
	}
	return webdpop_cache[i].key == NULL ? ERR_OK :
	    dpopkey_dup(webdpop_cache[i].key, key);
}

enum err
webdpop_token_request(struct web *w, const struct provider *p,
    const char *id_hash, const char *endpoint, struct dpopkey **key,
    char **proof)
{
	enum err e;

	*key = NULL;
	*proof = NULL;
	if (id_hash != NULL)
		e = webdpop_load(w, id_hash, key);
	else if (strcmp(w->cfg->use_dpop, "on") == 0 ||
	    (strcmp(w->cfg->use_dpop, "auto") == 0 && provider_dpop_es256(p)))
		e = dpopkey_new(key);
	else
		e = ERR_OK;
	if (e == ERR_OK && *key != NULL)
		e = dpopkey_proof(*key, "POST", endpoint, NULL, time(NULL),
		    proof);
	if (e != ERR_OK) {
		webdpop_done(*key, *proof);
		*key = NULL;
		*proof = NULL;
	}
	return e;
}

void
webdpop_done(struct dpopkey *key, char *proof)
{
	dpopkey_free(key);
	free(proof);
}

enum err
webdpop_bind(struct web *w, const char *id_hash, const struct dpopkey *key,
    const struct oidc_tokens *tok)
{
	char	*text = NULL;
	enum err e;

	if (key == NULL)
		return ERR_OK;
	if (!tok->dpop) {
		log_info("dpop: the provider issued bearer tokens");
		return ERR_OK;
	}
	if ((e = dpopkey_export(key, &text)) == ERR_OK)
		e = store_dpop_put(w, id_hash, text);
	crypto_free_str(text);
	return e;
}

/* Is access bound to a key: a JWT with cnf.jkt, or not a JWT at all? */
static bool
webdpop_bound(const char *access)
{
	struct jwt *jwt = NULL;
	const char *jkt = NULL;
	bool	 bound = true;

	if (jwt_parse(access, strlen(access), &jwt) == ERR_OK)
		bound = dpop_token_jkt(jwt, &jkt) == ERR_OK && jkt != NULL;
	jwt_free(jwt);
	return bound;
}

enum err
webdpop_api_header(const struct dpopkey *key, const char *method,
    const char *url, const char *access, char **header)
{
	struct buf b;
	char	*proof = NULL;
	enum err e;

	*header = NULL;
	if (key == NULL || !webdpop_bound(access))
		return ERR_OK;
	if ((e = dpopkey_proof(key, method, url, access, time(NULL),
	    &proof)) != ERR_OK)
		return e;
	buf_init(&b, DPOP_PROOF_MAX + sizeof(WEBDPOP_HEADER));
	(void)buf_adds(&b, WEBDPOP_HEADER);
	(void)buf_adds(&b, proof);
	if ((e = b.err) == ERR_OK && (*header = buf_steal(&b)) == NULL)
		e = ERR_NOMEM;
	buf_free(&b);
	free(proof);
	return e;
}
