/*
 * jwk: JSON Web Keys (RFC 7517, 7518) for signature verification only:
 * RSA (RS256, PS256) and EC P-256 (ES256) public keys.
 */
#ifndef TODO_JWK_H
#define TODO_JWK_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

enum jwk_alg {
	JWK_ALG_RS256,
	JWK_ALG_PS256,
	JWK_ALG_ES256,
	JWK_ALG__MAX
};

#define JWK_RSA_BITS_MIN	2048	/* smaller moduli are refused */
#define JWK_RSA_BITS_MAX	8192	/* verification cost cap */
#define JWK_RSA_E_BYTES_MAX	8	/* public exponent size cap */
#define JWK_EC_COORD_LEN	32	/* P-256 x and y, exactly */
#define JWK_ES256_SIG_LEN	64	/* r || s (RFC 7518 3.4) */
#define JWK_PS256_SALT_LEN	32	/* RFC 7518 3.5: hash size */
#define JWK_KID_MAX		256	/* longer kids are refused */
#define JWKSET_KEYS_MAX		64	/* larger sets are refused */
#define JWKSET_LEN_MAX		(256 * 1024) /* bytes of JWKS JSON */

struct jwk;
struct jwkset;

/*
 * "RS256", "PS256", "ES256" (case-sensitive).  ERR_INPUT for anything
 * else: "none", HS*, RS384, ...
 */
enum err	 jwk_alg_parse(const char *name, enum jwk_alg *out);
/* The JOSE name, or "unknown". */
const char	*jwk_alg_name(enum jwk_alg);

/*
 * Build a public key from one JWK object.  ERR_INPUT when it is not
 * usable for verification here: kty other than RSA/EC; "use" other
 * than "sig"; "key_ops" without "verify"; "alg" not one we support
 * for the kty; private members (d, p, q, dp, dq, qi, oth, k); kid not
 * a string or longer than JWK_KID_MAX; base64url not strict or with
 * leading zero octets; RSA modulus outside JWK_RSA_BITS_MIN..MAX or
 * even, exponent even or < 3 or >= n, or a ROCA-fingerprinted modulus
 * (CVE-2017-15361); EC curve other than P-256, coordinates not 32
 * bytes, point not on the curve.  ERR_NOMEM / ERR_SYSTEM on library
 * failure.  The OpenSSL key is built once here.  The caller owns *out
 * (jwk_free); obj is not kept.
 */
enum err	 jwk_from_json(struct json_object *obj, struct jwk **out);
void		 jwk_free(struct jwk *);
/* The key's kid, borrowed, NULL if it has none. */
const char	*jwk_kid(const struct jwk *);

/*
 * Parse a JWKS document {"keys":[...]} of len bytes (need not be
 * NUL-terminated).  Unusable keys (see jwk_from_json) are skipped and
 * logged; so are all keys sharing a kid with another key in the set
 * (ambiguous, as Wycheproof expects).  ERR_INPUT for malformed JSON,
 * no "keys" array, more than JWKSET_KEYS_MAX entries, len above
 * JWKSET_LEN_MAX, or no usable key at all.  The caller owns *out
 * (jwkset_free).
 */
enum err	 jwkset_parse(const char *json, size_t len,
		    struct jwkset **out);
void		 jwkset_free(struct jwkset *);
/* The number of usable keys. */
size_t		 jwkset_size(const struct jwkset *);
/* The i-th usable key (borrowed), NULL if i is out of range. */
const struct jwk *jwkset_get(const struct jwkset *, size_t i);

/*
 * The key with this kid that allows alg.  With kid NULL: the only key
 * in the set that allows alg, if there is exactly one.  NULL if none.
 * Borrowed: valid until jwkset_free().
 */
const struct jwk *jwkset_find(const struct jwkset *, const char *kid,
		    enum jwk_alg alg);

/*
 * RSA keys: RS256 unless the JWK's alg names PS256; PS256 only if it
 * does (a key is bound to one algorithm).  EC P-256 keys: ES256.
 */
bool		 jwk_allows(const struct jwk *, enum jwk_alg);

/*
 * Verify sig over msg.  ES256 signatures are r || s (64 bytes); RSA
 * signatures must be exactly the modulus length; PS256 uses MGF1 with
 * SHA-256 and a 32-byte salt.  false on any failure, including
 * !jwk_allows(key, alg).
 */
bool		 jwk_verify(const struct jwk *, enum jwk_alg,
		    const void *msg, size_t msglen, const void *sig,
		    size_t siglen);

#endif
