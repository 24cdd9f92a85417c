#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "profile.h"

#define PROFILE_URL_MAX 2048	/* bytes of the URL looked at */

static const char *const profile_names[PROFILE__MAX] = {
	[PROFILE_B2C] = "b2c",
	[PROFILE_EXTERNAL_ID] = "external-id",
	[PROFILE_GENERIC] = "generic",
};

bool
profile_parse(const char *name, enum profile *out)
{
	size_t i;

	for (i = 0; name != NULL && i < PROFILE__MAX; i++)
		if (strcmp(name, profile_names[i]) == 0) {
			*out = (enum profile)i;
			return true;
		}
	return false;
}

const char *
profile_name(enum profile p)
{
	return (unsigned)p < PROFILE__MAX ? profile_names[p] : "unknown";
}

/* Is host suffix itself or a name below it (case-insensitive)? */
static bool
profile_host_in(const char *host, const char *suffix)
{
	size_t h = strlen(host), s = strlen(suffix);

	if (h == s)
		return strcasecmp(host, suffix) == 0;
	return h > s && host[h - s - 1] == '.' &&
	    strcasecmp(host + h - s, suffix) == 0;
}

/* Does s hold needle, ignoring case? */
static bool
profile_has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return true;
	return false;
}

enum profile
profile_guess(const char *url)
{
	char	 first[PROFILE_URL_MAX + 1];
	char	*host = NULL;
	CURLU	*u = NULL;
	size_t	 n;
	enum profile p = PROFILE_GENERIC;

	if (url == NULL)
		return p;
	url += strspn(url, " \t");
	n = strcspn(url, " \t");
	if (n > PROFILE_URL_MAX)
		return p;
	memcpy(first, url, n);
	first[n] = '\0';
	if (profile_has(first, n, "{policy}") || profile_has(first, n,
	    "/b2c_1"))
		return PROFILE_B2C;
	if ((u = curl_url()) == NULL)
		return p;
	if (curl_url_set(u, CURLUPART_URL, first, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (profile_host_in(host, "b2clogin.com"))
			p = PROFILE_B2C;
		else if (profile_host_in(host, "ciamlogin.com"))
			p = PROFILE_EXTERNAL_ID;
	}
	curl_free(host);
	curl_url_cleanup(u);
	return p;
}

bool
profile_at_jwt_default(enum profile p)
{
	return p == PROFILE_GENERIC;
}

const char *
profile_user_claim(enum profile p)
{
	return p == PROFILE_GENERIC ? "oid sub" : "oid";
}

bool
profile_has_policies(enum profile p)
{
	return p == PROFILE_B2C;
}

bool
profile_client_assertion(enum profile p)
{
	return p != PROFILE_B2C;
}
