/*
 * dpopkey: the client side of DPoP (RFC 9449): an ES256 (P-256) key pair
 * made for one session, its private half exported (to be sealed in the
 * session store) and read back, its thumbprint, and proofs signed with it
 * for the token endpoint and the API.
 *
 * Ownership: dpopkey_new and dpopkey_import hand out a key that the
 * caller dpopkey_free()s; every char ** out is malloc'd for the caller,
 * who wipes the exported key (crypto_free_str) and frees the proofs.
 */
#ifndef TODO_DPOPKEY_H
#define TODO_DPOPKEY_H

#include <stddef.h>
#include <time.h>

#include "err.h"

#define DPOPKEY_EXPORT_MAX	512	/* characters of an exported key */
#define DPOPKEY_JTI_BYTES	16	/* random bytes of a proof's jti */

struct dpopkey;

/* A fresh P-256 key pair.  ERR_SYSTEM when OpenSSL fails. */
enum err dpopkey_new(struct dpopkey **);
void	 dpopkey_free(struct dpopkey *);
/* Another handle on the same key (shared, counted), freed on its own. */
enum err dpopkey_dup(const struct dpopkey *, struct dpopkey **);
/* The private key as text (base64url of its DER), for sealing. */
enum err dpopkey_export(const struct dpopkey *, char **out);
/* The inverse; ERR_INPUT for anything but a P-256 private key. */
enum err dpopkey_import(const char *text, struct dpopkey **);
/* Its RFC 7638 thumbprint (what a bound token's cnf.jkt holds), borrowed. */
const char *dpopkey_jkt(const struct dpopkey *);
/*
 * A proof (RFC 9449 section 4.2) for a request of method htm to url
 * (its query and fragment left out of htu), iat now, a fresh random jti,
 * and with token (not NULL) its ath.  *out: a compact JWS, typ dpop+jwt,
 * alg ES256, the public jwk in its header.
 */
enum err dpopkey_proof(const struct dpopkey *, const char *htm,
	    const char *url, const char *token, time_t now, char **out);

#endif
