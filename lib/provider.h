/*
 * provider: one OpenID provider (one B2C user flow): its discovery
 * document and its JWK set, fetched lazily and cached.  An unknown key
 * id triggers at most one refetch per PROVIDER_REFETCH_MIN seconds; the
 * keys are refreshed when the JWK set's Cache-Control max-age says
 * (clamped to PROVIDER_KEYS_TTL_MIN..PROVIDER_KEYS_TTL_MAX; no-cache or
 * no-store: the minimum; no max-age: PROVIDER_REFRESH); the last good
 * document and keys are kept while the provider fails.
 *
 * With a store (provider_set_store), every document fetched is saved, and
 * a provider with nothing loaded starts from the stored pair (document and
 * the keys of its jwks_uri) before fetching, checked like fetched ones.
 * The pair counts as fetched when its older half was: stored keys within
 * their max-age are used without fetching; older ones are used as the last
 * good keys -- refreshed at once when the provider answers, kept while it
 * fails (retried every PROVIDER_REFETCH_MIN), as above.
 */
#ifndef TODO_PROVIDER_H
#define TODO_PROVIDER_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "err.h"
#include "httpc.h"
#include "jwk.h"

#define PROVIDER_REFETCH_MIN 60		/* seconds, unknown kid */
#define PROVIDER_RETRY_EMPTY 5		/* seconds, while nothing is cached */
#define PROVIDER_REFRESH 86400		/* seconds, key refresh w/o max-age */
#define PROVIDER_KEYS_TTL_MIN 300	/* seconds, shortest max-age used */
#define PROVIDER_KEYS_TTL_MAX 86400	/* seconds, longest max-age used */
#define PROVIDER_STORE_SKEW 300		/* seconds a stored fetch may be ahead */

enum provider_endpoint {
	PROVIDER_AUTHORIZE,
	PROVIDER_TOKEN,
	PROVIDER_END_SESSION,
	PROVIDER_PAR,		/* RFC 9126 pushed_authorization_request */
	PROVIDER_ENDPOINT__MAX
};

/* What provider_set_hook's function is told about. */
enum provider_fetch {
	PROVIDER_FETCH_DISCOVERY,	/* the discovery document */
	PROVIDER_FETCH_JWKS,		/* the JWK set */
	PROVIDER_FETCH__MAX
};

struct provider;

/* One document as fetched, on its way to or from a store. */
struct provider_doc {
	char	*body;		/* the JSON text, len bytes */
	size_t	 len;
	char	*cache_control;	/* the answer's Cache-Control; NULL: none */
	time_t	 fetched;	/* when it was fetched */
};

enum err provider_new(const char *metadata_url, struct provider **);
void	 provider_free(struct provider *);
/*
 * Call fn(arg, what, ok) after each fetch of the document or the keys
 * (ok: fetched and usable); fn NULL: none (the default).  For metrics.
 */
void	 provider_set_hook(struct provider *,
	    void (*fn)(void *, enum provider_fetch, bool ok), void *arg);
/*
 * Keep documents in a store (load and save NULL: none, the default).
 * save(arg, what, url, doc) after each successful fetch (doc borrowed);
 * load(arg, what, url, doc) fills doc, whose body and cache_control the
 * provider frees, or answers ERR_NOTFOUND (nothing stored) or ERR_DB.  The
 * store is asked while nothing is loaded, at most once per
 * PROVIDER_RETRY_EMPTY, like the provider itself.
 */
void	 provider_set_store(struct provider *,
	    enum err (*load)(void *, enum provider_fetch, const char *url,
	    struct provider_doc *),
	    void (*save)(void *, enum provider_fetch, const char *url,
	    const struct provider_doc *), void *arg);
/*
 * Make sure the document and keys are loaded (fetching if they are
 * missing or due for a refresh).  ERR_UPSTREAM when nothing is cached and
 * the provider cannot be reached or answers nonsense.
 */
enum err provider_load(struct provider *, struct httpc *, time_t now);
const char *provider_issuer(const struct provider *);	/* NULL: not loaded */
const char *provider_endpoint(const struct provider *, enum provider_endpoint);
/* Whether the token endpoint accepts client_secret_basic. */
bool	 provider_basic_auth(const struct provider *);
/*
 * Whether the document advertises
 * authorization_response_iss_parameter_supported (RFC 9207).
 */
bool	 provider_iss_param(const struct provider *);
/* Whether dpop_signing_alg_values_supported (RFC 9449) lists ES256. */
bool	 provider_dpop_es256(const struct provider *);
/*
 * The algorithm to sign client assertions with (private_key_jwt): PS256
 * when token_endpoint_auth_signing_alg_values_supported lists it, else
 * RS256 when it lists that or there is no list; ERR_NOTFOUND when the
 * list has neither.
 */
enum err provider_assertion_alg(const struct provider *, enum jwk_alg *);
/* The cached key for kid (may be NULL) and alg, or NULL; no fetching. */
const struct jwk *provider_find(struct provider *, const char *kid,
	    enum jwk_alg);
/*
 * The key for kid (may be NULL) and alg, refetching the keys once (rate
 * limited) when it is unknown.  NULL when there is none.
 */
const struct jwk *provider_key(struct provider *, struct httpc *,
	    const char *kid, enum jwk_alg, time_t now);

/*
 * How long keys served with this Cache-Control value (NULL: none) are
 * used before they are fetched again, in seconds (see above).
 */
long	 provider_keys_ttl(const char *cache_control);

/* --check-config: load it now and say how that went on "out". */
bool	 provider_check(struct provider *, struct httpc *, const char *label,
	    FILE *out);

#endif
