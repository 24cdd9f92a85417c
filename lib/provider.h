/*
 * provider: one OpenID provider (one B2C user flow): its discovery
 * document and its JWK set, fetched lazily and cached.  An unknown key
 * id triggers at most one refetch per PROVIDER_REFETCH_MIN seconds; the
 * keys are refreshed when the JWK set's Cache-Control max-age says
 * (clamped to PROVIDER_KEYS_TTL_MIN..PROVIDER_KEYS_TTL_MAX; no-cache or
 * no-store: the minimum; no max-age: PROVIDER_REFRESH); the last good
 * document and keys are kept while the provider fails.
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

enum provider_endpoint {
	PROVIDER_AUTHORIZE,
	PROVIDER_TOKEN,
	PROVIDER_END_SESSION,
	PROVIDER_ENDPOINT__MAX
};

/* What provider_set_hook's function is told about. */
enum provider_fetch {
	PROVIDER_FETCH_DISCOVERY,	/* the discovery document */
	PROVIDER_FETCH_JWKS,		/* the JWK set */
	PROVIDER_FETCH__MAX
};

struct provider;

enum err provider_new(const char *metadata_url, struct provider **);
void	 provider_free(struct provider *);
/*
 * Call fn(arg, what, ok) after each fetch of the document or the keys
 * (ok: fetched and usable); fn NULL: none (the default).  For metrics.
 */
void	 provider_set_hook(struct provider *,
	    void (*fn)(void *, enum provider_fetch, bool ok), void *arg);
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
