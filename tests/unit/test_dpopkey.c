/*
 * test_dpopkey: the client side of DPoP: keys made, exported, read back,
 * and their proofs checked by the verifier (dpop.c, itself checked
 * against RFC 9449's examples in test_dpop) and by OpenSSL's thumbprint
 * of the same public key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "crypto.h"
#include "dpop.h"
#include "dpopkey.h"
#include "log.h"
#include "mint.h"
#include "tap.h"

#define URL	"http://127.0.0.1:8081/api/tasks"
#define NOW	1800000000

static void
expect(struct dpop_expect *ex, const char *htm, const char *token)
{
	memset(ex, 0, sizeof(*ex));
	ex->htm = htm;
	ex->htu = URL;
	ex->token = token;
	ex->token_len = token != NULL ? strlen(token) : 0;
	ex->max_age = DPOP_MAX_AGE_DEFAULT;
	ex->leeway = 60;
	ex->now = NOW;
}

int
main(void)
{
	struct dpopkey *k = NULL, *k2 = NULL, *k3 = NULL;
	struct dpop_expect ex;
	struct dpop_proof p, p2;
	const char *why;
	char	*text = NULL, *proof = NULL, *proof2 = NULL, *der64 = NULL;
	unsigned char *der = NULL;
	EVP_PKEY *rsa;
	int	 n;

	log_init("test_dpopkey", LOG_LEVEL_WARN);
	is_int(dpopkey_new(&k), ERR_OK, "a fresh key");
	if (k == NULL)
		return tap_done();
	is_int(strlen(dpopkey_jkt(k)), DPOP_JKT_LEN, "its thumbprint");
	is_int(dpopkey_new(&k2), ERR_OK, "another fresh key");
	ok(k2 != NULL && strcmp(dpopkey_jkt(k), dpopkey_jkt(k2)) != 0,
	    "two keys, two thumbprints");

	is_int(dpopkey_proof(k, "GET", URL "?limit=5#x", "the-token", NOW,
	    &proof), ERR_OK, "a proof for GET with a token");
	expect(&ex, "GET", "the-token");
	is_int(dpop_verify(proof, strlen(proof), &ex, &p, &why), ERR_OK,
	    "the verifier accepts it (htu without the query, ath)");
	is_str(p.jkt, dpopkey_jkt(k), "... from the key's thumbprint");
	ex.token = "another";
	ex.token_len = strlen("another");
	is_int(dpop_verify(proof, strlen(proof), &ex, &p, &why), ERR_AUTH,
	    "... not with another token");
	expect(&ex, "POST", "the-token");
	is_int(dpop_verify(proof, strlen(proof), &ex, &p, &why), ERR_AUTH,
	    "... not for another method");
	is_int(dpopkey_proof(k, "GET", URL, "the-token", NOW, &proof2),
	    ERR_OK, "a second proof");
	expect(&ex, "GET", "the-token");
	ok(dpop_verify(proof2, strlen(proof2), &ex, &p2, &why) == ERR_OK &&
	    strcmp(p.jti_hash, p2.jti_hash) != 0, "... with another jti");
	free(proof2);
	proof2 = NULL;
	is_int(dpopkey_proof(k, "POST", "https://idp.example/token", NULL,
	    NOW, &proof2), ERR_OK, "a proof for the token endpoint");
	ex.htm = "POST";
	ex.htu = "https://idp.example/token";
	ex.token = NULL;
	is_int(dpop_verify(proof2, strlen(proof2), &ex, &p, &why), ERR_OK,
	    "... verifies without ath");

	is_int(dpopkey_export(k, &text), ERR_OK, "export the private key");
	ok(text != NULL && strlen(text) <= DPOPKEY_EXPORT_MAX,
	    "... at most DPOPKEY_EXPORT_MAX characters");
	is_int(dpopkey_import(text, &k3), ERR_OK, "import it back");
	ok(k3 != NULL && strcmp(dpopkey_jkt(k3), dpopkey_jkt(k)) == 0,
	    "... the same key (thumbprint)");
	free(proof2);
	proof2 = NULL;
	if (k3 != NULL && dpopkey_proof(k3, "GET", URL, NULL, NOW, &proof2) ==
	    ERR_OK) {
		expect(&ex, "GET", NULL);
		ok(dpop_verify(proof2, strlen(proof2), &ex, &p, &why) ==
		    ERR_OK && strcmp(p.jkt, dpopkey_jkt(k)) == 0,
		    "the imported key signs proofs of the same key");
	} else
		ok(false, "the imported key signs proofs of the same key");
	dpopkey_free(k3);
	k3 = NULL;

	is_int(dpopkey_import("", &k3), ERR_INPUT, "import: empty refused");
	is_int(dpopkey_import("!!!", &k3), ERR_INPUT,
	    "import: not base64url refused");
	is_int(dpopkey_import("AAAA", &k3), ERR_INPUT,
	    "import: not a key refused");
	text[strlen(text) / 2] = text[strlen(text) / 2] == 'A' ? 'B' : 'A';
	ok(dpopkey_import(text, &k3) != ERR_OK ||
	    strcmp(dpopkey_jkt(k3), dpopkey_jkt(k)) != 0,
	    "import: a changed key is not the key");
	dpopkey_free(k3);
	k3 = NULL;
	rsa = mint_key("test-only-rsa-1.pem");
	if (rsa != NULL && (n = i2d_PrivateKey(rsa, &der)) > 0 &&
	    b64url_encode_str(der, (size_t)n, &der64) == ERR_OK)
		is_int(dpopkey_import(der64, &k3), ERR_INPUT,
		    "import: an RSA key refused (ES256 keys only)");
	else
		ok(false, "import: an RSA key refused (test key: srcdir)");
	OPENSSL_free(der);
	free(der64);
	EVP_PKEY_free(rsa);

	crypto_free_str(text);
	free(proof);
	free(proof2);
	dpopkey_free(k);
	dpopkey_free(k2);
	dpopkey_free(k3);
	return tap_done();
}
