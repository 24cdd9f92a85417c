/*
 * provider: one OpenID provider (one B2C user flow): its discovery
 * document and its JWK set, fetched lazily and cached.  An unknown key
 * id triggers at most one refetch per PROVIDER_REFETCH_MIN seconds; the
 * keys are refreshed every PROVIDER_REFRESH seconds; the last good
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
#define PROVIDER_REFRESH 86400		/* seconds, periodic key refresh */

enum provider_endpoint {
	PROVIDER_AUTHORIZE,
	PROVIDER_TOKEN,
	PROVIDER_END_SESSION,
	PROVIDER_ENDPOINT__MAX
};

struct provider;

enum err provider_new(const char *metadata_url, struct provider **);
void	 provider_free(struct provider *);
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

/* --check-config: load it now and say how that went on "out". */
bool	 provider_check(struct provider *, struct httpc *, const char *label,
	    FILE *out);

#endif
