#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "b64url.h"
#include "buf.h"
#include "crypto.h"
#include "dpop.h"
#include "dpopkey.h"
#include "jwk.h"
#include "jws.h"

#define DPOPKEY_PROOF_MAX	DPOP_PROOF_MAX
#define DPOPKEY_DER_MAX		256	/* bytes of an EC private key DER */
#define DPOPKEY_GROUP_MAX	64

struct dpopkey {
	EVP_PKEY		*pkey;
	struct json_object	*jwk;	/* the public JWK */
	char			 jkt[DPOP_JKT_LEN + 1];
};

void
dpopkey_free(struct dpopkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	json_object_put(k->jwk);
	free(k);
}

enum err
dpopkey_dup(const struct dpopkey *k, struct dpopkey **out)
{
	struct dpopkey *d;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ERR_NOMEM;
	if (EVP_PKEY_up_ref(k->pkey) != 1) {
		free(d);
		return ERR_SYSTEM;
	}
	d->pkey = k->pkey;
	d->jwk = json_object_get(k->jwk);
	memcpy(d->jkt, k->jkt, sizeof(d->jkt));
	*out = d;
	return ERR_OK;
}

/* One coordinate of the public point as a JWK member. */
static enum err
dpopkey_coord(EVP_PKEY *pkey, const char *param, struct json_object *jwk,
    const char *name)
{
	unsigned char	 raw[JWK_EC_COORD_LEN];
	BIGNUM		*bn = NULL;
	char		*enc = NULL;
	enum err	 e = ERR_SYSTEM;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1 ||
	    BN_bn2binpad(bn, raw, sizeof(raw)) != (int)sizeof(raw))
		goto out;
	if ((e = b64url_encode_str(raw, sizeof(raw), &enc)) != ERR_OK)
		goto out;
	e = json_object_object_add(jwk, name, json_object_new_string(enc)) ==
	    0 ? ERR_OK : ERR_NOMEM;
out:
	free(enc);
	BN_free(bn);
	return e;
}

/* Take pkey over: check it is P-256, make its JWK and thumbprint. */
static enum err
dpopkey_wrap(EVP_PKEY *pkey, struct dpopkey **out)
{
	struct dpopkey	*k = NULL;
	char		 group[DPOPKEY_GROUP_MAX];
	size_t		 glen;
	enum err	 e = ERR_INPUT;

	*out = NULL;
	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) != 1 ||
	    strcmp(group, SN_X9_62_prime256v1) != 0) {
		EVP_PKEY_free(pkey);
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pkey);
		e = ERR_NOMEM;
		goto out;
	}
	k->pkey = pkey;
	e = ERR_NOMEM;
	if ((k->jwk = json_object_new_object()) == NULL ||
	    json_object_object_add(k->jwk, "kty",
	    json_object_new_string("EC")) != 0 ||
	    json_object_object_add(k->jwk, "crv",
	    json_object_new_string("P-256")) != 0)
		goto out;
	if ((e = dpopkey_coord(pkey, OSSL_PKEY_PARAM_EC_PUB_X, k->jwk,
	    "x")) != ERR_OK || (e = dpopkey_coord(pkey,
	    OSSL_PKEY_PARAM_EC_PUB_Y, k->jwk, "y")) != ERR_OK ||
	    (e = dpop_thumbprint(k->jwk, k->jkt)) != ERR_OK)
		goto out;
	*out = k;
	k = NULL;
out:
	if (e != ERR_OK)
		ERR_clear_error();
	dpopkey_free(k);
	return e;
}

enum err
dpopkey_new(struct dpopkey **out)
{
	EVP_PKEY *pkey;

	*out = NULL;
	if ((pkey = EVP_EC_gen(SN_X9_62_prime256v1)) == NULL) {
		ERR_clear_error();
		return ERR_SYSTEM;
	}
	return dpopkey_wrap(pkey, out);
}

enum err
dpopkey_export(const struct dpopkey *k, char **out)
{
	unsigned char	*der = NULL;
	int		 n;
	enum err	 e;

	*out = NULL;
	if ((n = i2d_PrivateKey(k->pkey, &der)) <= 0) {
		ERR_clear_error();
		return ERR_SYSTEM;
	}
	e = b64url_encode_str(der, (size_t)n, out);
	OPENSSL_clear_free(der, (size_t)n);
	return e;
}

enum err
dpopkey_import(const char *text, struct dpopkey **out)
{
	unsigned char	*der = NULL;
	const unsigned char *p;
	EVP_PKEY	*pkey;
	size_t		 len;
	enum err	 e;

	*out = NULL;
	if (strlen(text) > DPOPKEY_EXPORT_MAX)
		return ERR_INPUT;
	if ((e = b64url_decode(text, strlen(text), &der, &len)) != ERR_OK)
		return e;
	p = der;
	e = ERR_INPUT;
	if (len <= DPOPKEY_DER_MAX && (pkey = d2i_PrivateKey(EVP_PKEY_EC,
	    NULL, &p, (long)len)) != NULL) {
		if (p == der + len)
			e = dpopkey_wrap(pkey, out);	/* takes pkey */
		else
			EVP_PKEY_free(pkey);
	}
	ERR_clear_error();
	crypto_free_secret(der, len);
	return e;
}

const char *
dpopkey_jkt(const struct dpopkey *k)
{
	return k->jkt;
}

/* Add a string member; false when out of memory. */
static bool
dpopkey_put(struct json_object *o, const char *name, const char *v,
    size_t len)
{
	return json_object_object_add(o, name,
	    json_object_new_string_len(v, (int)len)) == 0;
}

enum err
dpopkey_proof(const struct dpopkey *k, const char *htm, const char *url,
    const char *token, time_t now, char **out)
{
	struct json_object *hdr = NULL, *claims = NULL;
	unsigned char	 dig[CRYPTO_SHA256_LEN];
	char		*jti = NULL, *ath = NULL;
	enum err	 e = ERR_NOMEM;

	*out = NULL;
	if (token != NULL) {
		crypto_sha256(token, strlen(token), dig);
		if ((e = b64url_encode_str(dig, sizeof(dig), &ath)) != ERR_OK)
			goto out;
	}
	if ((e = crypto_token(DPOPKEY_JTI_BYTES, &jti)) != ERR_OK)
		goto out;
	e = ERR_NOMEM;
	if ((hdr = json_object_new_object()) == NULL ||
	    (claims = json_object_new_object()) == NULL ||
	    !dpopkey_put(hdr, "typ", DPOP_TYP, strlen(DPOP_TYP)) ||
	    !dpopkey_put(hdr, "alg", "ES256", strlen("ES256")) ||
	    json_object_object_add(hdr, "jwk", json_object_get(k->jwk)) != 0 ||
	    !dpopkey_put(claims, "jti", jti, strlen(jti)) ||
	    !dpopkey_put(claims, "htm", htm, strlen(htm)) ||
	    !dpopkey_put(claims, "htu", url, strcspn(url, "?#")) ||
	    json_object_object_add(claims, "iat",
	    json_object_new_int64((int64_t)now)) != 0 ||
	    (ath != NULL && !dpopkey_put(claims, "ath", ath, strlen(ath))))
		goto out;
	e = jws_sign(hdr, claims, k->pkey, JWK_ALG_ES256, DPOPKEY_PROOF_MAX,
	    out);
out:
	free(jti);
	free(ath);
	json_object_put(hdr);
	json_object_put(claims);
	return e;
}
