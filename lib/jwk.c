#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "b64url.h"
#include "jsonp.h"
#include "jwk.h"
#include "log.h"

#define JWK_EC_PUB_LEN	(1 + 2 * JWK_EC_COORD_LEN) /* 04 || x || y */
#define JWK_EC_POINT_UNCOMPRESSED 0x04
#define JWK_ROCA_GENERATOR 65537

enum jwk_kty {
	JWK_KTY_RSA,
	JWK_KTY_EC,
	JWK_KTY__MAX
};

struct jwk {
	enum jwk_kty	 kty;
	char		*kid;		/* NULL if absent */
	bool		 has_alg;
	enum jwk_alg	 alg;		/* if has_alg */
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*tmpl;		/* set up for tmpl_alg */
	enum jwk_alg	 tmpl_alg;
	size_t		 siglen;	/* exact signature length */
};

struct jwkset {
	struct jwk	**keys;
	size_t		  nkeys;
};

static const char *const jwk_alg_names[JWK_ALG__MAX] = {
	[JWK_ALG_RS256] = "RS256",
	[JWK_ALG_PS256] = "PS256",
	[JWK_ALG_ES256] = "ES256",
};

/* Members that only a private key (or a symmetric one) carries. */
static const char *const jwk_private_members[] = {
	"d", "p", "q", "dp", "dq", "qi", "oth", "k",
};

/*
 * Small primes for the ROCA fingerprint (Nemec et al., CCS 2017):
 * Infineon moduli are, modulo each of these, in the subgroup that
 * 65537 generates.  A random modulus passes all with negligible
 * probability.
 */
static const unsigned int jwk_roca_primes[] = {
	3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61,
	67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137,
	139, 149, 151, 157, 163, 167,
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum err
jwk_alg_parse(const char *name, enum jwk_alg *out)
{
	size_t i;

	if (name == NULL)
		return ERR_INPUT;
	for (i = 0; i < JWK_ALG__MAX; i++)
		if (strcmp(name, jwk_alg_names[i]) == 0) {
			*out = (enum jwk_alg)i;
			return ERR_OK;
		}
	return ERR_INPUT;
}

const char *
jwk_alg_name(enum jwk_alg alg)
{
	if ((unsigned)alg >= JWK_ALG__MAX)
		return "unknown";
	return jwk_alg_names[alg];
}

void
jwk_free(struct jwk *k)
{
	if (k == NULL)
		return;
	EVP_MD_CTX_free(k->tmpl);
	EVP_PKEY_free(k->pkey);
	free(k->kid);
	free(k);
}

const char *
jwk_kid(const struct jwk *k)
{
	return k->kid;
}

/*
 * A base64url member holding an unsigned big-endian integer
 * (RFC 7518 2, "Base64urlUInt"): present, non-empty, no leading zero.
 */
static enum err
jwk_uint(struct json_object *obj, const char *key, BIGNUM **out,
    const char **why)
{
	const char	*s;
	unsigned char	*raw = NULL;
	size_t		 len;
	enum err	 e;

	*out = NULL;
	if ((e = jsonp_string(obj, key, &s)) != ERR_OK) {
		*why = "missing or non-string integer member";
		e = ERR_INPUT;
		goto out;
	}
	if ((e = b64url_decode(s, strlen(s), &raw, &len)) != ERR_OK) {
		*why = "bad base64url in integer member";
		goto out;
	}
	e = ERR_INPUT;
	if (len == 0 || raw[0] == 0) {
		*why = "empty integer or leading zero octet";
		goto out;
	}
	if ((*out = BN_bin2bn(raw, (int)len, NULL)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	e = ERR_OK;
out:
	free(raw);
	return e;
}

/* A base64url member of exactly len bytes into dst. */
static enum err
jwk_fixed(struct json_object *obj, const char *key, unsigned char *dst,
    size_t len, const char **why)
{
	const char	*s;
	unsigned char	*raw = NULL;
	size_t		 rawlen;
	enum err	 e;

	if ((e = jsonp_string(obj, key, &s)) != ERR_OK) {
		*why = "missing or non-string coordinate";
		e = ERR_INPUT;
		goto out;
	}
	if ((e = b64url_decode(s, strlen(s), &raw, &rawlen)) != ERR_OK) {
		*why = "bad base64url in coordinate";
		goto out;
	}
	if (rawlen != len) {
		*why = "coordinate of the wrong length";
		e = ERR_INPUT;
		goto out;
	}
	memcpy(dst, raw, len);
out:
	free(raw);
	return e;
}

/* Is n mod p, for every ROCA prime p, a power of 65537 mod p? */
static enum err
jwk_roca(const BIGNUM *n, bool *vulnerable)
{
	size_t		 i;
	BN_ULONG	 r;
	unsigned long	 x;
	bool		 in;

	*vulnerable = false;
	for (i = 0; i < NELEMS(jwk_roca_primes); i++) {
		if ((r = BN_mod_word(n, jwk_roca_primes[i])) ==
		    (BN_ULONG)-1)
			return ERR_SYSTEM;
		in = false;
		x = 1;
		do {
			if (x == r) {
				in = true;
				break;
			}
			x = x * JWK_ROCA_GENERATOR % jwk_roca_primes[i];
		} while (x != 1);
		if (!in)
			return ERR_OK;
	}
	*vulnerable = true;
	return ERR_OK;
}

/* Build pkey from params through EVP_PKEY_fromdata(). */
static enum err
jwk_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **pkey)
{
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	enum err	 e = ERR_NOMEM;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		goto out;
	e = ERR_INPUT;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	e = ERR_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return e;
}

static enum err
jwk_build_rsa(struct json_object *obj, struct jwk *k, const char **why)
{
	BIGNUM		*n = NULL, *ev = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	bool		 roca;
	int		 bits;
	enum err	 e;

	if ((e = jwk_uint(obj, "n", &n, why)) != ERR_OK ||
	    (e = jwk_uint(obj, "e", &ev, why)) != ERR_OK)
		goto out;
	e = ERR_INPUT;
	bits = BN_num_bits(n);
	if (bits < JWK_RSA_BITS_MIN || bits > JWK_RSA_BITS_MAX) {
		*why = "rsa modulus size out of bounds";
		goto out;
	}
	if (!BN_is_odd(n)) {
		*why = "even rsa modulus";
		goto out;
	}
	if (!BN_is_odd(ev) || BN_is_one(ev) ||
	    BN_num_bytes(ev) > JWK_RSA_E_BYTES_MAX || BN_cmp(ev, n) >= 0) {
		*why = "bad rsa public exponent";
		goto out;
	}
	if ((e = jwk_roca(n, &roca)) != ERR_OK)
		goto out;
	if (roca) {
		*why = "rsa modulus has the roca fingerprint";
		e = ERR_INPUT;
		goto out;
	}
	e = ERR_NOMEM;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ev))
		goto out;
	if ((e = jwk_fromdata("RSA", bld, &k->pkey)) != ERR_OK) {
		*why = "openssl refused the rsa key";
		goto out;
	}
	k->siglen = (size_t)BN_num_bytes(n);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(ev);
	return e;
}

static enum err
jwk_build_ec(struct json_object *obj, struct jwk *k, const char **why)
{
	unsigned char	 pub[JWK_EC_PUB_LEN];
	const char	*crv;
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	enum err	 e;

	if (jsonp_string(obj, "crv", &crv) != ERR_OK ||
	    strcmp(crv, "P-256") != 0) {
		*why = "ec curve missing or not p-256";
		e = ERR_INPUT;
		goto out;
	}
	pub[0] = JWK_EC_POINT_UNCOMPRESSED;
	if ((e = jwk_fixed(obj, "x", pub + 1, JWK_EC_COORD_LEN, why)) !=
	    ERR_OK ||
	    (e = jwk_fixed(obj, "y", pub + 1 + JWK_EC_COORD_LEN,
	    JWK_EC_COORD_LEN, why)) != ERR_OK)
		goto out;
	e = ERR_NOMEM;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pub, sizeof(pub)))
		goto out;
	if ((e = jwk_fromdata("EC", bld, &k->pkey)) != ERR_OK) {
		*why = "ec point not on the curve";
		goto out;
	}
	/* On the curve, not infinity, in the prime-order group. */
	e = ERR_NOMEM;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL)
		goto out;
	e = ERR_INPUT;
	if (EVP_PKEY_public_check(ctx) != 1) {
		*why = "ec public key check failed";
		goto out;
	}
	k->siglen = JWK_ES256_SIG_LEN;
	e = ERR_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	return e;
}

/* "use" and "key_ops", if present, must allow verification. */
static bool
jwk_usable(struct json_object *obj, const char **why)
{
	struct json_object	*ops, *op;
	const char		*use;
	size_t			 i, n;
	bool			 verify = false;

	switch (jsonp_string(obj, "use", &use)) {
	case ERR_NOTFOUND:
		break;
	case ERR_OK:
		if (strcmp(use, "sig") == 0)
			break;
		/* FALLTHROUGH */
	default:
		*why = "use is not sig";
		return false;
	}
	if (!json_object_object_get_ex(obj, "key_ops", &ops))
		return true;
	if (!json_object_is_type(ops, json_type_array)) {
		*why = "key_ops is not an array";
		return false;
	}
	n = json_object_array_length(ops);
	for (i = 0; i < n; i++) {
		op = json_object_array_get_idx(ops, i);
		if (!json_object_is_type(op, json_type_string)) {
			*why = "key_ops member is not a string";
			return false;
		}
		if (strcmp(json_object_get_string(op), "verify") == 0)
			verify = true;
	}
	if (!verify)
		*why = "key_ops lacks verify";
	return verify;
}

/*
 * A digest-verify context initialized for (pkey, alg): copying it is
 * much cheaper than EVP_DigestVerifyInit() for every token.
 */
static EVP_MD_CTX *
jwk_verify_ctx(EVP_PKEY *pkey, enum jwk_alg alg)
{
	EVP_MD_CTX	*mctx;
	EVP_PKEY_CTX	*pctx = NULL;

	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestVerifyInit(mctx, &pctx, EVP_sha256(), NULL,
	    pkey) != 1)
		goto fail;
	if (alg == JWK_ALG_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, JWK_PS256_SALT_LEN) != 1))
		goto fail;
	return mctx;
fail:
	EVP_MD_CTX_free(mctx);
	return NULL;
}

/* jwk_from_json() with the reason for a refusal. */
static enum err
jwk_build(struct json_object *obj, struct jwk **out, const char **why)
{
	struct jwk	*k = NULL;
	const char	*kty, *alg, *kid;
	size_t		 i;
	enum err	 e = ERR_INPUT;

	*out = NULL;
	*why = "not a json object";
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		goto out;
	for (i = 0; i < NELEMS(jwk_private_members); i++)
		if (json_object_object_get_ex(obj, jwk_private_members[i],
		    NULL)) {
			*why = "private or symmetric key material";
			goto out;
		}
	if (!jwk_usable(obj, why))
		goto out;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	*why = "kty missing or not supported";
	if (jsonp_string(obj, "kty", &kty) != ERR_OK)
		goto out;
	if (strcmp(kty, "RSA") == 0)
		k->kty = JWK_KTY_RSA;
	else if (strcmp(kty, "EC") == 0)
		k->kty = JWK_KTY_EC;
	else
		goto out;

	switch (jsonp_string(obj, "alg", &alg)) {
	case ERR_NOTFOUND:
		break;
	case ERR_OK:
		*why = "alg not supported for this kty";
		if (jwk_alg_parse(alg, &k->alg) != ERR_OK)
			goto out;
		if ((k->kty == JWK_KTY_EC) != (k->alg == JWK_ALG_ES256))
			goto out;
		k->has_alg = true;
		break;
	default:
		*why = "alg is not a string";
		goto out;
	}

	switch (jsonp_string(obj, "kid", &kid)) {
	case ERR_NOTFOUND:
		break;
	case ERR_OK:
		*why = "kid too long";
		if (strlen(kid) > JWK_KID_MAX)
			goto out;
		if ((k->kid = strdup(kid)) == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		break;
	default:
		*why = "kid is not a string";
		goto out;
	}

	if (k->kty == JWK_KTY_RSA)
		e = jwk_build_rsa(obj, k, why);
	else
		e = jwk_build_ec(obj, k, why);
	if (e != ERR_OK)
		goto out;
	k->tmpl_alg = k->kty == JWK_KTY_EC ? JWK_ALG_ES256 :
	    k->has_alg ? k->alg : JWK_ALG_RS256;
	if ((k->tmpl = jwk_verify_ctx(k->pkey, k->tmpl_alg)) == NULL) {
		*why = "openssl cannot verify with this key";
		e = ERR_SYSTEM;
		goto out;
	}
	*out = k;
	k = NULL;
out:
	if (e != ERR_OK)
		ERR_clear_error();
	jwk_free(k);
	return e;
}

enum err
jwk_from_json(struct json_object *obj, struct jwk **out)
{
	const char *why;

	return jwk_build(obj, out, &why);
}

bool
jwk_allows(const struct jwk *k, enum jwk_alg alg)
{
	if (k == NULL)
		return false;
	switch (alg) {
	case JWK_ALG_RS256:
		return k->kty == JWK_KTY_RSA &&
		    (!k->has_alg || k->alg == JWK_ALG_RS256);
	case JWK_ALG_PS256:
		return k->kty == JWK_KTY_RSA && k->has_alg &&
		    k->alg == JWK_ALG_PS256;
	case JWK_ALG_ES256:
		return k->kty == JWK_KTY_EC;
	default:
		return false;
	}
}

/* r || s to a DER ECDSA-Sig-Value; *der is OPENSSL_free()d. */
static bool
jwk_ecdsa_der(const unsigned char *sig, unsigned char **der, int *derlen)
{
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	bool		 ok = false;

	*der = NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, JWK_EC_COORD_LEN, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + JWK_EC_COORD_LEN, JWK_EC_COORD_LEN,
	    NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((*derlen = i2d_ECDSA_SIG(es, der)) <= 0)
		goto out;
	ok = true;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

bool
jwk_verify(const struct jwk *k, enum jwk_alg alg, const void *msg,
    size_t msglen, const void *sig, size_t siglen)
{
	EVP_MD_CTX	*mctx = NULL;
	unsigned char	*der = NULL;
	int		 derlen;
	bool		 ok = false;

	if (!jwk_allows(k, alg) || sig == NULL || siglen != k->siglen ||
	    (msg == NULL && msglen > 0))
		goto out;
	if (alg == JWK_ALG_ES256) {
		if (!jwk_ecdsa_der(sig, &der, &derlen))
			goto out;
		sig = der;
		siglen = (size_t)derlen;
	}
	/* jwk_allows() means alg is the one the template was made for. */
	if (alg != k->tmpl_alg || (mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_MD_CTX_copy_ex(mctx, k->tmpl) != 1)
		goto out;
	ok = EVP_DigestVerify(mctx, sig, siglen, msg, msglen) == 1;
out:
	if (!ok)
		ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return ok;
}

void
jwkset_free(struct jwkset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nkeys; i++)
		jwk_free(set->keys[i]);
	free(set->keys);
	free(set);
}

size_t
jwkset_size(const struct jwkset *set)
{
	return set == NULL ? 0 : set->nkeys;
}

const struct jwk *
jwkset_get(const struct jwkset *set, size_t i)
{
	if (set == NULL || i >= set->nkeys)
		return NULL;
	return set->keys[i];
}

/* Drop every key whose kid another key of the set also has. */
static void
jwkset_drop_shared_kids(struct jwkset *set)
{
	bool	 shared[JWKSET_KEYS_MAX] = { false };
	size_t	 i, j, n;

	for (i = 0; i < set->nkeys; i++)
		for (j = i + 1; j < set->nkeys; j++)
			if (set->keys[i]->kid != NULL &&
			    set->keys[j]->kid != NULL &&
			    strcmp(set->keys[i]->kid,
			    set->keys[j]->kid) == 0)
				shared[i] = shared[j] = true;
	for (i = n = 0; i < set->nkeys; i++) {
		if (shared[i]) {
			log_info("skipping key kid %s: kid not unique",
			    set->keys[i]->kid);
			jwk_free(set->keys[i]);
		} else
			set->keys[n++] = set->keys[i];
	}
	set->nkeys = n;
}

enum err
jwkset_parse(const char *json, size_t len, struct jwkset **out)
{
	struct json_object	*root = NULL, *keys;
	struct jwkset		*set = NULL;
	struct jwk		*k;
	const char		*why, *kid;
	size_t			 i, n;
	enum err		 e = ERR_INPUT;

	*out = NULL;
	if (len > JWKSET_LEN_MAX)
		goto out;
	if ((e = jsonp_parse(json, len, JSONP_DEPTH_MAX, &root)) != ERR_OK)
		goto out;
	e = ERR_INPUT;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		goto out;
	if ((n = json_object_array_length(keys)) > JWKSET_KEYS_MAX)
		goto out;
	e = ERR_NOMEM;
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (n > 0 && (set->keys = calloc(n, sizeof(*set->keys))) == NULL))
		goto out;
	for (i = 0; i < n; i++) {
		e = jwk_build(json_object_array_get_idx(keys, i), &k, &why);
		if (e == ERR_OK) {
			set->keys[set->nkeys++] = k;
			continue;
		}
		if (e != ERR_INPUT)
			goto out;
		if (jsonp_string(json_object_array_get_idx(keys, i), "kid",
		    &kid) != ERR_OK)
			kid = "(none)";
		log_info("skipping key %zu kid %.64s: %s", i, kid, why);
	}
	jwkset_drop_shared_kids(set);
	e = ERR_INPUT;
	if (set->nkeys == 0)
		goto out;
	*out = set;
	set = NULL;
	e = ERR_OK;
out:
	jwkset_free(set);
	json_object_put(root);
	return e;
}

const struct jwk *
jwkset_find(const struct jwkset *set, const char *kid, enum jwk_alg alg)
{
	const struct jwk	*found = NULL;
	size_t			 i;

	if (set == NULL)
		return NULL;
	for (i = 0; i < set->nkeys; i++) {
		if (!jwk_allows(set->keys[i], alg))
			continue;
		if (kid != NULL) {
			if (set->keys[i]->kid != NULL &&
			    strcmp(set->keys[i]->kid, kid) == 0)
				return set->keys[i];
			continue;
		}
		if (found != NULL)
			return NULL;	/* ambiguous without a kid */
		found = set->keys[i];
	}
	return found;
}
