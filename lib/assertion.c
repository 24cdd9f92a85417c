#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "assertion.h"
#include "b64url.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "jws.h"

#define ASSERTION_SHA1_LEN 20

struct assertion {
	EVP_PKEY	*key;
	char		*x5t_s256;	/* SHA-256 thumbprint, base64url */
	char		*x5t;		/* SHA-1 thumbprint, base64url */
	time_t		 not_after;
};

void
assertion_free(struct assertion *a)
{
	if (a == NULL)
		return;
	EVP_PKEY_free(a->key);
	free(a->x5t_s256);
	free(a->x5t);
	free(a);
}

/* A PEM file as a memory BIO. */
static enum err
assertion_read(const char *path, BIO **out)
{
	const char *why;
	char	*text = NULL;
	enum err e;

	*out = NULL;
	if ((e = conf_file_read(path, &text, &why)) != ERR_OK)
		return e;
	/* A copy: the BIO's pages are cleared when it is freed. */
	if ((*out = BIO_new(BIO_s_mem())) == NULL)
		e = ERR_NOMEM;
	else if (BIO_puts(*out, text) != (int)strlen(text)) {
		BIO_free(*out);
		*out = NULL;
		e = ERR_NOMEM;
	}
	crypto_free_str(text);
	return e;
}

/* The certificate's DER digest with md, base64url. */
static enum err
assertion_thumb(X509 *cert, const EVP_MD *md, char **out)
{
	unsigned char dig[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	*out = NULL;
	if (X509_digest(cert, md, dig, &n) != 1)
		return ERR_SYSTEM;
	return b64url_encode_str(dig, n, out);
}

enum err
assertion_load(const char *key_file, const char *cert_file,
    struct assertion **out, const char **why)
{
	struct assertion *a = NULL;
	BIO	*kb = NULL, *cb = NULL;
	X509	*cert = NULL;
	EVP_PKEY *pub = NULL;
	struct tm tm;
	const ASN1_TIME *na;
	enum err e;

	*out = NULL;
	*why = "cannot read the key file";
	if ((e = assertion_read(key_file, &kb)) != ERR_OK)
		goto out;
	*why = "cannot read the certificate file";
	if ((e = assertion_read(cert_file, &cb)) != ERR_OK)
		goto out;
	e = ERR_NOMEM;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto out;
	e = ERR_INPUT;
	*why = "the key file holds no unencrypted PEM private key";
	if ((a->key = PEM_read_bio_PrivateKey(kb, NULL, NULL, (void *)""))
	    == NULL)
		goto out;
	*why = "the key is not an RSA key of at least 2048 bits";
	if (!EVP_PKEY_is_a(a->key, "RSA") ||
	    EVP_PKEY_get_bits(a->key) < JWK_RSA_BITS_MIN ||
	    EVP_PKEY_get_bits(a->key) > JWK_RSA_BITS_MAX)
		goto out;
	*why = "the certificate file holds no PEM certificate";
	if ((cert = PEM_read_bio_X509(cb, NULL, NULL, NULL)) == NULL)
		goto out;
	*why = "the certificate is not the key's";
	if ((pub = X509_get_pubkey(cert)) == NULL ||
	    EVP_PKEY_eq(a->key, pub) != 1)
		goto out;
	*why = "the certificate has no usable notAfter";
	if ((na = X509_get0_notAfter(cert)) == NULL ||
	    ASN1_TIME_to_tm(na, &tm) != 1)
		goto out;
	a->not_after = timegm(&tm);
	*why = "cannot compute the certificate's thumbprints";
	if ((e = assertion_thumb(cert, EVP_sha256(), &a->x5t_s256)) !=
	    ERR_OK || (e = assertion_thumb(cert, EVP_sha1(), &a->x5t)) !=
	    ERR_OK)
		goto out;
	*out = a;
	a = NULL;
	*why = NULL;
	e = ERR_OK;
out:
	EVP_PKEY_free(pub);
	X509_free(cert);
	BIO_free(cb);
	BIO_free(kb);	/* a memory BIO: its pages held the key, cleared */
	assertion_free(a);
	return e;
}

const char *
assertion_thumbprint(const struct assertion *a)
{
	return a->x5t_s256;
}

time_t
assertion_not_after(const struct assertion *a)
{
	return a->not_after;
}

/* Add member k = v (a new json-c value, NULL on no memory): false on none. */
static bool
assertion_add(struct json_object *o, const char *k, struct json_object *v)
{
	if (v == NULL)
		return false;
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

/* The header's and the claims' members; false on no memory. */
static bool
assertion_members(struct json_object *hdr, struct json_object *claims,
    const struct assertion *a, enum jwk_alg alg, const char *client_id,
    const char *audience, const char *jti, time_t now)
{
	const char *const h[][2] = { { "alg", jwk_alg_name(alg) },
	    { "typ", "JWT" }, { "kid", a->x5t_s256 },
	    { "x5t#S256", a->x5t_s256 }, { "x5t", a->x5t } };
	const char *const c[][2] = { { "iss", client_id },
	    { "sub", client_id }, { "aud", audience }, { "jti", jti } };
	size_t	 i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (!assertion_add(hdr, h[i][0], json_object_new_string(
		    h[i][1])))
			return false;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!assertion_add(claims, c[i][0], json_object_new_string(
		    c[i][1])))
			return false;
	return assertion_add(claims, "iat", json_object_new_int64(now)) &&
	    assertion_add(claims, "nbf", json_object_new_int64(now)) &&
	    assertion_add(claims, "exp", json_object_new_int64(now +
	    ASSERTION_LIFETIME));
}

enum err
assertion_make(const struct assertion *a, enum jwk_alg alg,
    const char *client_id, const char *audience, time_t now, char **out)
{
	struct json_object *hdr = NULL, *claims = NULL;
	char	*jti = NULL;
	enum err e;

	*out = NULL;
	if ((alg != JWK_ALG_RS256 && alg != JWK_ALG_PS256) ||
	    client_id == NULL || *client_id == '\0' || audience == NULL ||
	    *audience == '\0')
		return ERR_INPUT;
	if ((e = crypto_token(ASSERTION_JTI_BYTES, &jti)) != ERR_OK)
		goto out;
	e = ERR_NOMEM;
	if ((hdr = json_object_new_object()) == NULL ||
	    (claims = json_object_new_object()) == NULL ||
	    !assertion_members(hdr, claims, a, alg, client_id, audience, jti,
	    now))
		goto out;
	e = jws_sign(hdr, claims, a->key, alg, ASSERTION_JWT_MAX, out);
out:
	json_object_put(hdr);
	json_object_put(claims);
	crypto_free_str(jti);
	return e;
}
