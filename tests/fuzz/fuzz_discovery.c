/*
 * fuzz_discovery: the OpenID discovery document, as provider_load()
 * reads it (lib/provider.c: issuer, jwks_uri, the endpoints and their
 * URL policy, token_endpoint_auth_methods_supported), then the key
 * fetch, lookups, the unknown-kid refetch and the periodic refresh
 * that parses the document again over the loaded one.
 *
 * The parser is a static function behind HTTP, so this file compiles
 * lib/provider.c itself with httpc_request() renamed to a stand-in
 * that answers the metadata URL with the input and any other URL with
 * a fixed key set.  The rest of lib/ (httpc_url_allowed() included)
 * is the real one.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Before any header declares it. */
#define httpc_request fuzz_httpc_request
#include "../../lib/provider.c"
#undef httpc_request

#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(256 * 1024)
#define FUZZ_URL	"https://login.example/tenant/v2.0/.well-known/" \
			"openid-configuration"
#define FUZZ_NOW	((time_t)1700000000)

static const char fuzz_jwks[] = "{\"keys\":["
	"{\"kty\":\"EC\",\"kid\":\"kid-ec-sign\",\"crv\":\"P-256\","
	"\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
	"\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\"}]}";

static const uint8_t	*fuzz_data;
static size_t		 fuzz_size;
static unsigned		 fuzz_fetches;

enum err
fuzz_httpc_request(struct httpc *h, const char *method, const char *url,
    const char *const *headers, const char *body, size_t bodylen,
    const char *user, const char *pass, struct httpc_resp *resp)
{
	enum err e;

	(void)h;
	(void)headers;
	(void)body;
	(void)bodylen;
	(void)user;
	(void)pass;
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, HTTPC_RESPONSE_MAX);
	if (strcmp(method, "GET") != 0 || !httpc_url_allowed(url))
		abort();	/* provider.c asks only for allowed URLs */
	fuzz_fetches++;
	resp->status = 200;
	if (strcmp(url, FUZZ_URL) == 0)
		e = buf_add(&resp->body, fuzz_data, fuzz_size);
	else
		e = buf_adds(&resp->body, fuzz_jwks);
	if (e != ERR_OK)
		httpc_resp_free(resp);
	return e;
}

static void
check_loaded(struct provider *p)
{
	const char	*s;
	size_t		 i;

	if ((s = provider_issuer(p)) == NULL || *s == '\0' ||
	    p->jwks_uri == NULL || !httpc_url_allowed(p->jwks_uri))
		abort();
	for (i = 0; i < PROVIDER_ENDPOINT__MAX; i++)
		if ((s = provider_endpoint(p, (enum provider_endpoint)i)) !=
		    NULL && !httpc_url_allowed(s))
			abort();
	if (provider_endpoint(p, PROVIDER_ENDPOINT__MAX) != NULL)
		abort();
	(void)provider_basic_auth(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	struct provider	*p;
	unsigned	 i;

	if (!init) {
		log_init("fuzz_discovery", LOG_LEVEL_ERR);
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	fuzz_data = data;
	fuzz_size = size;
	fuzz_fetches = 0;
	if (provider_new(FUZZ_URL, &p) != ERR_OK)
		abort();
	if (provider_load(p, NULL, FUZZ_NOW) == ERR_OK) {
		check_loaded(p);
		/* (jwks_uri may name the document itself: then no kid.) */
		if (strcmp(p->jwks_uri, FUZZ_URL) != 0 &&
		    (provider_find(p, "kid-ec-sign", JWK_ALG_ES256) == NULL ||
		    provider_key(p, NULL, "kid-ec-sign", JWK_ALG_ES256,
		    FUZZ_NOW) == NULL))
			abort();
		/* An unknown kid: one refetch, then none for a while. */
		if (provider_key(p, NULL, "other", JWK_ALG_RS256,
		    FUZZ_NOW + 1) != NULL ||
		    provider_key(p, NULL, "other", JWK_ALG_RS256,
		    FUZZ_NOW + 2) != NULL)
			abort();
		/* A day later the document is read again over this one. */
		if (provider_load(p, NULL, FUZZ_NOW + PROVIDER_REFRESH) !=
		    ERR_OK)
			abort();
		check_loaded(p);
	} else {
		/* The document, or the keys it names, were refused. */
		if (provider_issuer(p) == NULL ? fuzz_fetches != 1 :
		    fuzz_fetches != 2 || strcmp(p->jwks_uri, FUZZ_URL) != 0)
			abort();
		/* Within the retry delay nothing is fetched again. */
		i = fuzz_fetches;
		if (provider_load(p, NULL, FUZZ_NOW + 1) == ERR_OK ||
		    fuzz_fetches != i)
			abort();
	}
	provider_free(p);
	return 0;
}
