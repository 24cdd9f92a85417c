#include "config.h"

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "buf.h"
#include "jws.h"

#define JWS_SIG_MAX 1024	/* bytes of a signature: RSA up to 8192 bits */

/* Append base64url(JSON of o) to b. */
static enum err
jws_part(struct json_object *o, struct buf *b)
{
	const char	*s;
	size_t		 n;

	if ((s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &n)) == NULL)
		return ERR_NOMEM;
	return b64url_encode(s, n, b);
}

/* An ECDSA signature (DER) as r || s, each JWK_EC_COORD_LEN bytes. */
static enum err
jws_es256_raw(const unsigned char *der, size_t len,
    unsigned char rs[JWK_ES256_SIG_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig;
	enum err e = ERR_SYSTEM;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return ERR_SYSTEM;
	if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, JWK_EC_COORD_LEN) ==
	    JWK_EC_COORD_LEN && BN_bn2binpad(ECDSA_SIG_get0_s(sig),
	    rs + JWK_EC_COORD_LEN, JWK_EC_COORD_LEN) == JWK_EC_COORD_LEN)
		e = ERR_OK;
	ECDSA_SIG_free(sig);
	return e;
}

/* Sign b's content and append "." and the signature. */
static enum err
jws_append_sig(EVP_PKEY *key, enum jwk_alg alg, struct buf *b)
{
	unsigned char	 sig[JWS_SIG_MAX], rs[JWK_ES256_SIG_LEN];
	size_t		 len = sizeof(sig);
	EVP_MD_CTX	*mctx;
	EVP_PKEY_CTX	*pctx = NULL;
	enum err	 e = ERR_SYSTEM;

	if (b->err != ERR_OK)
		return b->err;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return ERR_NOMEM;
	if (EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, key) != 1)
		goto out;
	if (alg == JWK_ALG_PS256 && (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, JWK_PS256_SALT_LEN) != 1))
		goto out;
	if (EVP_DigestSign(mctx, sig, &len, (const unsigned char *)b->data,
	    b->len) != 1)
		goto out;
	if ((e = buf_addc(b, '.')) != ERR_OK)
		goto out;
	if (alg == JWK_ALG_ES256) {
		if ((e = jws_es256_raw(sig, len, rs)) == ERR_OK)
			e = b64url_encode(rs, sizeof(rs), b);
	} else
		e = b64url_encode(sig, len, b);
out:
	if (e == ERR_SYSTEM)
		ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	return e;
}

enum err
jws_sign(struct json_object *hdr, struct json_object *claims, EVP_PKEY *key,
    enum jwk_alg alg, size_t max, char **out)
{
	struct buf b;
	enum err e;

	*out = NULL;
	switch (alg) {
	case JWK_ALG_ES256:
		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
			return ERR_INPUT;
		break;
	case JWK_ALG_RS256:
	case JWK_ALG_PS256:
		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
			return ERR_INPUT;
		break;
	default:
		return ERR_INPUT;
	}
	buf_init(&b, max);
	if ((e = jws_part(hdr, &b)) == ERR_OK &&
	    (e = buf_addc(&b, '.')) == ERR_OK &&
	    (e = jws_part(claims, &b)) == ERR_OK &&
	    (e = jws_append_sig(key, alg, &b)) == ERR_OK &&
	    (*out = buf_steal(&b)) == NULL)
		e = ERR_NOMEM;
	buf_free(&b);
	return e;
}
