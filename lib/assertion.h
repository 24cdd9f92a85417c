/*
 * assertion: client authentication with a certificate (private_key_jwt,
 * RFC 7523 2.2): the web app signs a short-lived JWT with its private
 * key and sends it to the token endpoint instead of a client secret.
 *
 * The JWT: header alg (PS256 or RS256), typ JWT, kid and x5t#S256 (the
 * SHA-256 thumbprint of the certificate, base64url, as Microsoft Entra
 * expects for PS256) and x5t (SHA-1 thumbprint, what Entra reads with
 * RS256); claims iss = sub = client_id, aud = the token endpoint, a
 * random jti, iat = nbf = now, exp = now + ASSERTION_LIFETIME.
 *
 * Ownership: assertion_load hands out a struct the caller frees with
 * assertion_free (it holds the private key); assertion_make a string
 * the caller wipes and frees (crypto_free_str).
 */
#ifndef TODO_ASSERTION_H
#define TODO_ASSERTION_H

#include <time.h>

#include "err.h"
#include "jwk.h"

#define ASSERTION_LIFETIME 120		/* seconds, RFC 7523 wants short */
#define ASSERTION_JTI_BYTES 24		/* random bytes of a jti */
#define ASSERTION_FILE_MAX (64 * 1024)	/* bytes of a PEM file */
#define ASSERTION_JWT_MAX (16 * 1024)	/* bytes of the assertion */

struct assertion;

/*
 * Read an RSA private key (PEM, unencrypted, at least JWK_RSA_BITS_MIN
 * bits) and its certificate (PEM), which must carry the same public
 * key.  ERR_SYSTEM when a file cannot be read, ERR_INPUT when it is not
 * what is expected (*why says which, static text), ERR_NOMEM.
 */
enum err assertion_load(const char *key_file, const char *cert_file,
	    struct assertion **out, const char **why);
void	 assertion_free(struct assertion *);
/* The certificate's SHA-256 thumbprint, base64url (the kid), borrowed. */
const char *assertion_thumbprint(const struct assertion *);
/* The certificate's notAfter as seconds since the epoch. */
time_t	 assertion_not_after(const struct assertion *);
/*
 * A fresh signed assertion for client_id at audience (the token
 * endpoint), signed with alg (JWK_ALG_RS256 or JWK_ALG_PS256; anything
 * else is ERR_INPUT).
 */
enum err assertion_make(const struct assertion *, enum jwk_alg alg,
	    const char *client_id, const char *audience, time_t now,
	    char **out);

#endif
