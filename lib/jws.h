/*
 * jws: make a compact JWS (RFC 7515) of a JSON header and JSON claims,
 * signed with a private key: ES256 (P-256, the signature as r || s,
 * RFC 7518 3.4), RS256 or PS256.  What the web app signs: DPoP proofs
 * (lib/dpopkey) and client assertions (lib/assertion).  Verifying is
 * lib/jwt's.
 */
#ifndef TODO_JWS_H
#define TODO_JWS_H

#include <stddef.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "err.h"
#include "jwk.h"

/*
 * base64url(hdr) "." base64url(claims) "." base64url(signature) in *out
 * (the caller frees), at most max bytes (0: no limit).  The header's
 * "alg" is the caller's to set, to alg's name.  ERR_INPUT for another
 * alg or a key of the wrong type, ERR_NOMEM, ERR_SYSTEM.
 */
enum err jws_sign(struct json_object *hdr, struct json_object *claims,
	    EVP_PKEY *key, enum jwk_alg alg, size_t max, char **out);

#endif
