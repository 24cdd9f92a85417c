/*
 * pkce: Proof Key for Code Exchange (RFC 7636), S256 only.
 *
 * Ownership: *out is malloc'd and owned by the caller.  A verifier is
 * a secret until the token request: wipe it (crypto_free_str) when
 * done.  The challenge may be freed with free().
 */
#ifndef TODO_PKCE_H
#define TODO_PKCE_H

#include <stdbool.h>

#include "err.h"

#define PKCE_VERIFIER_MIN	43	/* RFC 7636 4.1 */
#define PKCE_VERIFIER_MAX	128
#define PKCE_VERIFIER_BYTES	32	/* random bytes behind a new one */
#define PKCE_CHALLENGE_LEN	43	/* base64url(SHA-256), unpadded */
#define PKCE_METHOD		"S256"

/* 32 random bytes as a 43-character base64url verifier. */
enum err pkce_verifier_new(char **out);

/*
 * BASE64URL(SHA256(ASCII(verifier))).  ERR_INPUT unless verifier is
 * 43..128 characters of [A-Za-z0-9-._~] (RFC 7636 4.1).
 */
enum err pkce_challenge_s256(const char *verifier, char **out);

/* The verifier grammar check on its own. */
bool	 pkce_verifier_ok(const char *verifier);

#endif
