/*
 * assertion: client assertions (private_key_jwt, RFC 7523) signed with
 * the test-only client key, verified here with jwt.h against the
 * certificate's public key, and the refusals of assertion_load.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "assertion.h"
#include "crypto.h"
#include "jsonp.h"
#include "jwt.h"
#include "mint.h"
#include "tap.h"

#define NOW		((time_t)1700000000)
#define CLIENT		"00000000-0000-4000-a000-000000000001"
#define ENDPOINT	"https://contoso.ciamlogin.com/tid/oauth2/v2.0/token"
#define KEY		"test-only-client-assertion.key"
#define CERT		"test-only-client-assertion.crt"

static char path_key[1024], path_cert[1024], path_other[1024], path_ec[1024];

static void
paths(void)
{
	const char *d = getenv("srcdir");

	if (d == NULL || *d == '\0')
		d = ".";
	snprintf(path_key, sizeof(path_key), "%s/tests/keys/" KEY, d);
	snprintf(path_cert, sizeof(path_cert), "%s/tests/keys/" CERT, d);
	snprintf(path_other, sizeof(path_other),
	    "%s/tests/keys/test-only-rsa-1.pem", d);
	snprintf(path_ec, sizeof(path_ec),
	    "%s/tests/keys/test-only-ec-p256.pem", d);
}

/* The certificate's SHA-256 thumbprint, base64url, computed here. */
static char *
thumb(const EVP_MD *md)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char	*out = NULL;
	X509	*x = NULL;
	FILE	*f;

	if ((f = fopen(path_cert, "r")) == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x != NULL && X509_digest(x, md, dig, &n) == 1)
		(void)b64url_encode_str(dig, n, &out);
	X509_free(x);
	return out;
}

/* A JWK of the client key's public half, for jwt_verify. */
static struct jwk *
public_jwk(const char *alg)
{
	struct json_object *o = NULL;
	struct jwk *k = NULL;
	EVP_PKEY *pk = mint_key(KEY);
	struct buf b;

	buf_init(&b, 0);
	if (pk != NULL && mint_jwk(&b, pk, "k", alg) &&
	    jsonp_parse(b.data, b.len, 8, &o) == ERR_OK)
		(void)jwk_from_json(o, &k);
	json_object_put(o);
	buf_free(&b);
	EVP_PKEY_free(pk);
	return k;
}

static void
test_make(enum jwk_alg alg, const char *name)
{
	struct assertion *a = NULL;
	struct jwt *jwt = NULL, *again = NULL;
	struct jwk *k = public_jwk(alg == JWK_ALG_PS256 ? "PS256" : NULL);
	char	*s = NULL, *t = NULL, *x5t256 = thumb(EVP_sha256());
	char	*x5t = thumb(EVP_sha1());
	const char *why = NULL;
	int64_t	 iat = 0, exp = 0, nbf = 0;
	enum jwk_alg got;

	is_int(assertion_load(path_key, path_cert, &a, &why), ERR_OK,
	    "%s: the test key and its certificate load", name);
	if (a == NULL || k == NULL) {
		ok(false, "%s: fixtures", name);
		goto out;
	}
	is_str(assertion_thumbprint(a), x5t256, "%s: thumbprint is the "
	    "certificate's SHA-256, base64url", name);
	ok(assertion_not_after(a) > NOW, "%s: notAfter read", name);
	is_int(assertion_make(a, alg, CLIENT, ENDPOINT, NOW, &s), ERR_OK,
	    "%s: made", name);
	is_int(assertion_make(a, alg, CLIENT, ENDPOINT, NOW, &t), ERR_OK,
	    "%s: made again", name);
	if (s == NULL || t == NULL ||
	    jwt_parse(s, strlen(s), &jwt) != ERR_OK ||
	    jwt_parse(t, strlen(t), &again) != ERR_OK) {
		ok(false, "%s: parses", name);
		goto out;
	}
	ok(jwt_alg(jwt, &got) == ERR_OK && got == alg, "%s: header alg",
	    name);
	is_int(jwt_verify(jwt, k), ERR_OK, "%s: the signature verifies with "
	    "the certificate's key", name);
	is_str(jwt_header_str(jwt, "typ"), "JWT", "%s: typ JWT", name);
	is_str(jwt_kid(jwt), x5t256, "%s: kid is the thumbprint", name);
	is_str(jwt_header_str(jwt, "x5t#S256"), x5t256, "%s: x5t#S256",
	    name);
	is_str(jwt_header_str(jwt, "x5t"), x5t, "%s: x5t (SHA-1)", name);
	is_str(jwt_claim_str(jwt, "iss"), CLIENT, "%s: iss = client_id",
	    name);
	is_str(jwt_claim_str(jwt, "sub"), CLIENT, "%s: sub = client_id",
	    name);
	is_str(jwt_claim_str(jwt, "aud"), ENDPOINT, "%s: aud = token "
	    "endpoint", name);
	ok(jsonp_int64(jwt_claims(jwt), "iat", &iat) == ERR_OK &&
	    jsonp_int64(jwt_claims(jwt), "nbf", &nbf) == ERR_OK &&
	    jsonp_int64(jwt_claims(jwt), "exp", &exp) == ERR_OK &&
	    iat == NOW && nbf == NOW && exp - iat == ASSERTION_LIFETIME &&
	    exp - iat <= 300, "%s: iat, nbf now; exp within 5 minutes", name);
	ok(jwt_claim_str(jwt, "jti") != NULL &&
	    strlen(jwt_claim_str(jwt, "jti")) >= 32 &&
	    jwt_claim_str(again, "jti") != NULL &&
	    strcmp(jwt_claim_str(jwt, "jti"),
	    jwt_claim_str(again, "jti")) != 0, "%s: jti random and unique",
	    name);
out:
	jwt_free(jwt);
	jwt_free(again);
	jwk_free(k);
	crypto_free_str(s);
	crypto_free_str(t);
	free(x5t256);
	free(x5t);
	assertion_free(a);
}

static void
test_refused(void)
{
	struct assertion *a = NULL;
	const char *why = NULL;
	char	*s = NULL;

	is_int(assertion_load(path_other, path_cert, &a, &why), ERR_INPUT,
	    "a key that is not the certificate's: refused");
	ok(a == NULL && why != NULL && strstr(why, "not the key") != NULL,
	    "... and says why (%s)", why ? why : "");
	is_int(assertion_load(path_ec, path_cert, &a, &why), ERR_INPUT,
	    "an EC key: refused (RSA only)");
	is_int(assertion_load("/nonexistent/key.pem", path_cert, &a, &why),
	    ERR_SYSTEM, "a missing key file");
	is_int(assertion_load(path_key, path_key, &a, &why), ERR_INPUT,
	    "a key where the certificate should be");
	is_int(assertion_load(path_cert, path_cert, &a, &why), ERR_INPUT,
	    "a certificate where the key should be");
	if (assertion_load(path_key, path_cert, &a, &why) != ERR_OK) {
		ok(false, "load");
		return;
	}
	is_int(assertion_make(a, JWK_ALG_ES256, CLIENT, ENDPOINT, NOW, &s),
	    ERR_INPUT, "ES256 refused (RSA key)");
	ok(s == NULL, "... nothing made");
	is_int(assertion_make(a, JWK_ALG_RS256, "", ENDPOINT, NOW, &s),
	    ERR_INPUT, "empty client_id refused");
	is_int(assertion_make(a, JWK_ALG_RS256, CLIENT, NULL, NOW, &s),
	    ERR_INPUT, "no audience refused");
	assertion_free(a);
	assertion_free(NULL);
	ok(true, "assertion_free(NULL)");
}

int
main(void)
{
	paths();
	test_make(JWK_ALG_RS256, "RS256");
	test_make(JWK_ALG_PS256, "PS256");
	test_refused();
	return tap_done();
}
