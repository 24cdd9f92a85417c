/*
 * dpop: Demonstrating Proof of Possession (RFC 9449) on the verifying
 * side: checking a DPoP proof JWT against the request it came with, the
 * JWK thumbprint (RFC 7638) that binds a token to a key, and the access
 * token's "cnf"."jkt" claim.  Replay protection (the proof's jti) needs
 * state shared by every process and is the caller's: dpop_verify hands
 * out what to remember.
 *
 * Nothing here allocates memory that outlives a call.
 */
#ifndef TODO_DPOP_H
#define TODO_DPOP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "crypto.h"
#include "err.h"
#include "jwt.h"

#define DPOP_PROOF_MAX		8192	/* bytes of one proof (RSA 8192) */
#define DPOP_JTI_MAX		256	/* bytes of a proof's jti */
#define DPOP_JKT_LEN		CRYPTO_SHA256_B64_LEN /* a thumbprint */
#define DPOP_HTU_MAX		2048	/* bytes of htu and request URL */
#define DPOP_MAX_AGE_DEFAULT	300	/* seconds a proof is good for */
#define DPOP_TYP		"dpop+jwt"
/* The proof algorithms, as a DPoP challenge's algs="..." lists them. */
#define DPOP_ALGS		"ES256 PS256 RS256"

/* What the proof must match. */
struct dpop_expect {
	const char	*htm;		/* the request method */
	const char	*htu;		/* the request URL, no query */
	const char	*token;		/* access token (ath), NULL: none */
	size_t		 token_len;
	long		 max_age;	/* seconds after iat */
	long		 leeway;	/* clock skew, seconds */
	time_t		 now;
};

/* What a good proof says, for the binding and the replay check. */
struct dpop_proof {
	char		 jkt[DPOP_JKT_LEN + 1];	/* the key's thumbprint */
	char		 jti_hash[CRYPTO_SHA256_HEX_LEN + 1]; /* SHA-256 */
	time_t		 expires;	/* after this, iat refuses it */
};

/*
 * Verify len bytes of proof (the DPoP header's value; need not be
 * NUL-terminated) per RFC 9449 section 4.3: one compact JWS of
 * base64url characters and two dots (a repeated header, which a web
 * server joins with ", ", fails here), at most DPOP_PROOF_MAX bytes;
 * header typ "dpop+jwt", alg ES256, PS256 or RS256, jwk a public key
 * (jwk_from_json: no private members) that allows alg and verifies
 * the signature; claims jti (1..DPOP_JTI_MAX bytes), htm equal to
 * ex->htm, htu matching ex->htu (dpop_htu_match), iat an integer no
 * later than now + leeway and no earlier than now - max_age - leeway,
 * and, with ex->token, ath equal to base64url(SHA-256(token)).
 * ERR_OK and *out filled; ERR_AUTH with *why (static, lower case, safe
 * to log) for a bad proof; ERR_NOMEM.
 */
enum err dpop_verify(const char *proof, size_t len,
	    const struct dpop_expect *ex, struct dpop_proof *out,
	    const char **why);

/*
 * The RFC 7638 thumbprint of a public JWK: base64url(SHA-256) of the
 * required members in lexicographic order without white space (EC:
 * crv, kty, x, y; RSA: e, kty, n).  ERR_INPUT if a required member is
 * missing or not a string, or kty is neither EC nor RSA.
 */
enum err dpop_thumbprint(struct json_object *jwk,
	    char out[DPOP_JKT_LEN + 1]);

/*
 * Do two http(s) URLs name the same resource, as RFC 9449 section 4.3
 * compares htu: query and fragment ignored; scheme and host compared
 * without regard to case; a missing port is the scheme's default; an
 * empty path is "/"; dot segments removed; percent-encodings compared
 * after decoding unreserved characters and with upper-case hex.  false
 * if either does not parse, is not http or https, or has user info.
 */
bool	 dpop_htu_match(const char *htu, const char *url);

/*
 * The token's binding: *jkt (borrowed from the jwt) is its "cnf"."jkt",
 * or NULL when the token has no "cnf" (not bound).  ERR_INPUT when cnf
 * is there but not an object, or jkt is missing (a binding we do not
 * understand, such as x5t#S256) or is not a DPOP_JKT_LEN-character
 * string.
 */
enum err dpop_token_jkt(const struct jwt *, const char **jkt);

#endif
