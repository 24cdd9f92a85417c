#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "bearer.h"

static const char *const bearer_schemes[BEARER_SCHEME__MAX] = {
	[BEARER_SCHEME_BEARER] = "Bearer",
	[BEARER_SCHEME_DPOP] = "DPoP",
};

/* RFC 6750 b64token, without the trailing "=" (strspn: every request). */
#define BEARER_B64TCHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-._~+/"

/* RFC 9110 tchar, for telling a scheme apart from what follows it. */
static bool
bearer_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

enum err
bearer_parse(const char *authorization, const char **token, size_t *len)
{
	enum bearer_scheme scheme;
	enum err	 e;

	e = bearer_parse_scheme(authorization, &scheme, token, len);
	if (e != ERR_NOTFOUND && scheme != BEARER_SCHEME_BEARER) {
		*token = NULL;
		*len = 0;
		e = ERR_NOTFOUND;
	}
	return e;
}

enum err
bearer_parse_scheme(const char *authorization, enum bearer_scheme *sch,
    const char **token, size_t *len)
{
	const char	*p = authorization, *scheme, *tok;
	size_t		 n;
	int		 i;
	enum err	 e = ERR_NOTFOUND;

	*sch = BEARER_SCHEME_BEARER;
	*token = NULL;
	*len = 0;
	if (p == NULL)
		goto out;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		goto out;
	/* From here on the header has credentials: errors are ERR_INPUT. */
	for (scheme = p; bearer_tchar((unsigned char)*p); p++)
		continue;
	if (p == scheme || (*p != ' ' && *p != '\0')) {
		e = ERR_INPUT;
		goto out;
	}
	for (i = 0; i < BEARER_SCHEME__MAX; i++)
		if ((size_t)(p - scheme) == strlen(bearer_schemes[i]) &&
		    strncasecmp(scheme, bearer_schemes[i],
		    strlen(bearer_schemes[i])) == 0)
			break;
	if (i == BEARER_SCHEME__MAX)
		goto out;	/* another scheme: no bearer token */
	*sch = (enum bearer_scheme)i;
	e = ERR_INPUT;
	if (*p != ' ')
		goto out;
	while (*p == ' ')
		p++;
	tok = p;
	p += strspn(p, BEARER_B64TCHARS);
	if (p == tok)
		goto out;
	while (*p == '=')
		p++;
	n = (size_t)(p - tok);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || n > BEARER_TOKEN_MAX)
		goto out;
	*token = tok;
	*len = n;
	e = ERR_OK;
out:
	return e;
}
