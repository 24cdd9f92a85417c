/*
 * fuzz_jws: compact JWS/JWT parsing, verification against a fixed key
 * set (Wycheproof's kid-rsa-sign and kid-ec-sign public keys, the RSA
 * one also as PS256) and claim checks.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwk.h"
#include "jwt.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NOW ((time_t)1700000000)

#define FUZZ_RSA_N \
	"kqGboBfAWttWPCA-0cGRgsY6SaYoIARt0B_PkaEcIq9HPYNdu9n6UuWHuuTHrjF_Zo" \
	"QW97r5HaAorNvrMEGTGdxCHZdEtkHvNVVmrtxTBLiQCbCozXhFoIrVcr3qUBrdGnNn" \
	"_M3jJi7Wg7p_-x62nS5gNG875oyheRkutHsQXikFZwsN3q_TsPNOVlCiHy8mxzaFTU" \
	"QGm-X8UYexFyAivlDSjgDJLAZSWfxd7k9Gxuwa3AUfQqQcVcegmgKGCaErQ3qQbh1x" \
	"7WB6iopE3_-GZ8HMAVtR9AmrVscqYsnjhaCehfAI0iKKs8zXr8tISc0ORbaalrkk03" \
	"H1ZrsEnDKEWQ"

static const char fuzz_jwks[] = "{\"keys\":["
	"{\"kty\":\"RSA\",\"kid\":\"kid-rsa-sign\",\"alg\":\"RS256\","
	"\"use\":\"sig\",\"n\":\"" FUZZ_RSA_N "\",\"e\":\"AQAB\"},"
	"{\"kty\":\"RSA\",\"kid\":\"kid-rsa-pss\",\"alg\":\"PS256\","
	"\"n\":\"" FUZZ_RSA_N "\",\"e\":\"AQAB\"},"
	"{\"kty\":\"EC\",\"kid\":\"kid-ec-sign\",\"crv\":\"P-256\","
	"\"x\":\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\","
	"\"y\":\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\"}]}";

static const char *const fuzz_issuers[] = { "https://issuer.example/" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwkset	*set;
	struct jwt_expect	 x;
	struct jwt		*t = NULL;
	const unsigned char	*payload;
	const char		*why;
	enum jwk_alg		 alg;
	size_t			 len;

	if (set == NULL) {
		log_init("fuzz_jws", LOG_LEVEL_ERR);
		if (jwkset_parse(fuzz_jwks, strlen(fuzz_jwks), &set) !=
		    ERR_OK || jwkset_size(set) != 3)
			abort();
	}
	memset(&x, 0, sizeof(x));
	x.issuers = fuzz_issuers;
	x.nissuers = 1;
	x.audience = "api://todo";
	x.nonce = "n0";
	x.leeway = 60;
	x.now = FUZZ_NOW;

	if (jwt_parse((const char *)data, size, &t) == ERR_OK) {
		(void)jwt_kid(t);
		(void)jwt_alg(t, &alg);
		(void)jwt_verify_set(t, set);
		(void)jwt_check(t, &x, &why);
		(void)jwt_claim_str(t, "sub");
		(void)jwt_has_scope(t, "read");
		if (jwt_claims(t) == NULL)
			abort();
		jwt_free(t);
	}
	if (jwt_parse_ex((const char *)data, size, JWT_PARSE_OPAQUE, &t) ==
	    ERR_OK) {
		payload = jwt_payload(t, &len);
		if (payload == NULL || payload[len] != '\0')
			abort();
		(void)jwt_verify_set(t, set);
		if (jwt_check(t, &x, &why) != ERR_AUTH)
			abort();
		jwt_free(t);
	}
	return 0;
}
