/*
 * fuzz_jwk: JWK set documents (jwkset_parse) and single keys
 * (jwk_from_json): key types, "use" and "key_ops", the RSA size,
 * exponent and ROCA checks, EC points (length, on the curve, not
 * infinity), kid handling and lookups.  A fixed message and signature
 * go through jwk_verify for every key and algorithm: no key the input
 * can describe may accept them.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "jwk.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(JWKSET_LEN_MAX + 64)

static const char fuzz_msg[] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0";

static void
check_key(const struct jwk *k, const struct jwkset *set)
{
	static unsigned char sig[1024];	/* all zero: never valid */
	const struct jwk *f;
	const char	*kid;
	enum jwk_alg	 a;

	kid = jwk_kid(k);
	if (kid != NULL && strlen(kid) > JWK_KID_MAX)
		abort();
	for (a = 0; a < JWK_ALG__MAX; a++) {
		(void)jwk_alg_name(a);
		if (jwk_allows(k, a) && jwk_verify(k, a, fuzz_msg,
		    sizeof(fuzz_msg) - 1, sig, a == JWK_ALG_ES256 ?
		    JWK_ES256_SIG_LEN : 256))
			abort();
		if (set != NULL && kid != NULL &&
		    (f = jwkset_find(set, kid, a)) != NULL &&
		    (!jwk_allows(f, a) || jwk_kid(f) == NULL ||
		    strcmp(jwk_kid(f), kid) != 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct jwkset		*set = NULL;
	struct json_object	*doc = NULL;
	struct jwk		*k = NULL;
	size_t			 i, n;

	if (!init) {
		log_init("fuzz_jwk", LOG_LEVEL_ERR);
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	if (jwkset_parse((const char *)data, size, &set) == ERR_OK) {
		n = jwkset_size(set);
		if (n == 0 || n > JWKSET_KEYS_MAX)
			abort();
		for (i = 0; i < n; i++)
			check_key(jwkset_get(set, i), set);
		(void)jwkset_find(set, NULL, JWK_ALG_RS256);
		(void)jwkset_find(set, "", JWK_ALG_ES256);
		jwkset_free(set);
	} else if (set != NULL)
		abort();
	/* The document itself as one key, as a "jwk" header carries it. */
	if (jsonp_parse((const char *)data, size, JSONP_DEPTH_MAX, &doc) ==
	    ERR_OK) {
		if (jwk_from_json(doc, &k) == ERR_OK) {
			check_key(k, NULL);
			jwk_free(k);
		} else if (k != NULL)
			abort();
		json_object_put(doc);
	}
	return 0;
}
