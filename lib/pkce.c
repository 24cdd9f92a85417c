#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "crypto.h"
#include "pkce.h"

/* unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool
pkce_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

bool
pkce_verifier_ok(const char *verifier)
{
	size_t i;

	if (verifier == NULL)
		return false;
	for (i = 0; verifier[i] != '\0'; i++) {
		if (i >= PKCE_VERIFIER_MAX ||
		    !pkce_unreserved((unsigned char)verifier[i]))
			return false;
	}
	return i >= PKCE_VERIFIER_MIN;
}

enum err
pkce_verifier_new(char **out)
{
	return crypto_token(PKCE_VERIFIER_BYTES, out);
}

enum err
pkce_challenge_s256(const char *verifier, char **out)
{
	*out = NULL;
	if (!pkce_verifier_ok(verifier))
		return ERR_INPUT;
	return crypto_sha256_b64url(verifier, out);
}
