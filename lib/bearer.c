#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "bearer.h"

#define BEARER_SCHEME "Bearer"

static bool
bearer_b64tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

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
	const char	*p = authorization, *scheme, *tok;
	size_t		 n;
	enum err	 e = ERR_NOTFOUND;

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
	if ((size_t)(p - scheme) != strlen(BEARER_SCHEME) ||
	    strncasecmp(scheme, BEARER_SCHEME, strlen(BEARER_SCHEME)) != 0)
		goto out;	/* another scheme: no bearer token */
	e = ERR_INPUT;
	if (*p != ' ')
		goto out;
	while (*p == ' ')
		p++;
	for (tok = p; bearer_b64tchar((unsigned char)*p); p++)
		continue;
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
