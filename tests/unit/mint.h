/*
 * mint.h: JWK sets and signed JWTs made from the test-only keys in
 * tests/keys/ with OpenSSL directly (not with the code under test), for
 * the unit tests.  Header-only, like tap.h.
 */
#ifndef TODO_MINT_H
#define TODO_MINT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "buf.h"

#define MINT_EC_COORD	32

/* srcdir/tests/keys/name, or NULL. */
static inline EVP_PKEY *
mint_key(const char *name)
{
	const char *srcdir = getenv("srcdir");
	char	 path[1024];
	EVP_PKEY *pk;
	FILE	*f;

	if (srcdir == NULL)
		srcdir = ".";
	if (snprintf(path, sizeof(path), "%s/tests/keys/%s", srcdir, name) >=
	    (int)sizeof(path) || (f = fopen(path, "r")) == NULL)
		return NULL;
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return pk;
}

static inline bool
mint_bn(EVP_PKEY *pk, const char *param, int pad, struct buf *out)
{
	unsigned char tmp[1024];
	BIGNUM	*bn = NULL;
	int	 n;
	bool	 good;

	if (EVP_PKEY_get_bn_param(pk, param, &bn) != 1)
		return false;
	n = pad ? BN_bn2binpad(bn, tmp, pad) : BN_bn2bin(bn, tmp);
	good = n > 0 && b64url_encode(tmp, (size_t)n, out) == ERR_OK;
	BN_free(bn);
	return good;
}

/* Append the public JWK of pk ("alg" omitted when NULL) to b. */
static inline bool
mint_jwk(struct buf *b, EVP_PKEY *pk, const char *kid, const char *alg)
{
	struct buf x, y;
	bool	 good = false;

	buf_init(&x, 0);
	buf_init(&y, 0);
	if (EVP_PKEY_is_a(pk, "RSA")) {
		if (mint_bn(pk, OSSL_PKEY_PARAM_RSA_N, 0, &x) &&
		    mint_bn(pk, OSSL_PKEY_PARAM_RSA_E, 0, &y))
			good = buf_addf(b, "{\"kty\":\"RSA\",\"kid\":\"%s\","
			    "\"use\":\"sig\",\"n\":\"%s\",\"e\":\"%s\"%s%s%s}",
			    kid, x.data, y.data, alg ? ",\"alg\":\"" : "",
			    alg ? alg : "", alg ? "\"" : "") == ERR_OK;
	} else if (mint_bn(pk, OSSL_PKEY_PARAM_EC_PUB_X, MINT_EC_COORD, &x) &&
	    mint_bn(pk, OSSL_PKEY_PARAM_EC_PUB_Y, MINT_EC_COORD, &y))
		good = buf_addf(b, "{\"kty\":\"EC\",\"kid\":\"%s\","
		    "\"use\":\"sig\",\"crv\":\"P-256\",\"x\":\"%s\","
		    "\"y\":\"%s\"}", kid, x.data, y.data) == ERR_OK;
	buf_free(&x);
	buf_free(&y);
	return good;
}

/*
 * The DER ECDSA signature of *siglen bytes in sig turned, in place, into
 * JWS's raw r || s of 2 * MINT_EC_COORD bytes (P-256).  False if it is
 * not one.
 */
static inline bool
mint_es256_raw(unsigned char *sig, size_t *siglen)
{
	unsigned char rs[2 * MINT_EC_COORD];
	const unsigned char *p = sig;
	ECDSA_SIG *es;
	bool	 good;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)*siglen)) == NULL)
		return false;
	good = BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, MINT_EC_COORD) ==
	    MINT_EC_COORD && BN_bn2binpad(ECDSA_SIG_get0_s(es),
	    rs + MINT_EC_COORD, MINT_EC_COORD) == MINT_EC_COORD;
	ECDSA_SIG_free(es);
	if (good) {
		memcpy(sig, rs, sizeof(rs));
		*siglen = sizeof(rs);
	}
	return good;
}

/*
 * header.payload.signature, signed with pk: RS256 for RSA keys (PS256
 * when pss), ES256 for EC keys.  A malloc'd string or NULL.
 */
static inline char *
mint_jwt(const char *header, const char *payload, EVP_PKEY *pk, bool pss)
{
	struct buf b;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[1024];
	size_t	 siglen = sizeof(sig);
	char	*out = NULL;

	buf_init(&b, 0);
	if (b64url_encode(header, strlen(header), &b) != ERR_OK ||
	    buf_addc(&b, '.') != ERR_OK ||
	    b64url_encode(payload, strlen(payload), &b) != ERR_OK)
		goto out;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, pk) != 1)
		goto out;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1))
		goto out;
	if (EVP_DigestSign(mctx, sig, &siglen, (unsigned char *)b.data,
	    b.len) != 1)
		goto out;
	if (EVP_PKEY_is_a(pk, "EC") && !mint_es256_raw(sig, &siglen))
		goto out;
	if (buf_addc(&b, '.') != ERR_OK ||
	    b64url_encode(sig, siglen, &b) != ERR_OK)
		goto out;
	out = buf_steal(&b);
out:
	EVP_MD_CTX_free(mctx);
	buf_free(&b);
	return out;
}

#endif
