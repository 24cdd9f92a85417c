/*
 * profile: what kind of OpenID provider the programs talk to, and what
 * follows from it (provider_profile in both configurations).
 *
 * - b2c: Azure AD B2C.  User flows (policies) in the path ({policy}),
 *   per-policy metadata and keys, the tenant-GUID issuer, tfp, AADB2C
 *   error codes, separate edit-profile and password-reset flows.
 * - external-id: Microsoft Entra External ID.  Issuer
 *   https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0, no policy in the
 *   path, one user flow (password reset inside sign-in, no edit-profile
 *   flow), v2 tokens with oid, tid and a per-application sub, AADSTS
 *   error codes with trace and correlation ids.
 * - generic: any standard provider: one issuer, sub names the user,
 *   scope claim, RFC 9068 access tokens (typ at+jwt).
 */
#ifndef TODO_PROFILE_H
#define TODO_PROFILE_H

#include <stdbool.h>

enum profile {
	PROFILE_B2C,
	PROFILE_EXTERNAL_ID,
	PROFILE_GENERIC,
	PROFILE__MAX
};

/* "b2c", "external-id", "generic" (exactly); false for anything else. */
bool	 profile_parse(const char *name, enum profile *out);
/* The configuration name of p, or "unknown". */
const char *profile_name(enum profile p);
/*
 * The profile a metadata URL (or a space-separated list of them, the
 * first decides) suggests: b2c for a *.b2clogin.com host or a path with
 * {policy} or a B2C_1 user flow (any case), external-id for a
 * *.ciamlogin.com host, else generic.
 */
enum profile profile_guess(const char *metadata_url);
/*
 * Whether the API requires access tokens of typ at+jwt (RFC 9068) by
 * default: on for generic, off for Microsoft's "typ": "JWT".
 */
bool	 profile_at_jwt_default(enum profile p);
/*
 * The claims that name the user by default, in order: "oid" for b2c
 * and external-id (sub is per application there), "oid sub" for
 * generic (sub when there is no oid).
 */
const char *profile_user_claim(enum profile p);
/* Whether the profile has user flows in the path ({policy}). */
bool	 profile_has_policies(enum profile p);
/*
 * Whether the token endpoint takes a client assertion (private_key_jwt,
 * RFC 7523): not B2C, which keeps client secrets.
 */
bool	 profile_client_assertion(enum profile p);

#endif
