#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "cookie.h"

#define COOKIE_PREFIX_SECURE	"__Secure-"
#define COOKIE_PREFIX_HOST	"__Host-"

static const char *const samesite_names[COOKIE_SAMESITE__MAX] = {
	[COOKIE_SAMESITE_LAX] = "Lax",
	[COOKIE_SAMESITE_STRICT] = "Strict",
	[COOKIE_SAMESITE_NONE] = "None",
};

/* RFC 7230 tchar. */
static bool
cookie_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 6265 4.1.1 cookie-octet. */
static bool
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

static bool
cookie_ws(char c)
{
	return c == ' ' || c == '\t';
}

bool
cookie_name_ok(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0')
		return false;
	for (p = name; *p != '\0'; p++)
		if (!cookie_tchar((unsigned char)*p))
			return false;
	return true;
}

static bool
cookie_octets_ok(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!cookie_octet((unsigned char)v[i]))
			return false;
	return true;
}

bool
cookie_value_ok(const char *value)
{
	return value != NULL && cookie_octets_ok(value, strlen(value));
}

enum err
cookie_get(const char *header, const char *name, char **value)
{
	const char	*p, *end, *semi, *eq, *n0, *n1, *v0, *v1;
	const char	*found = NULL;
	size_t		 flen = 0, nlen, count = 0;
	char		*s;
	enum err	 e = ERR_INPUT;

	*value = NULL;
	if (!cookie_name_ok(name))
		goto out;
	if (header == NULL) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if (strnlen(header, COOKIE_HEADER_MAX + 1) > COOKIE_HEADER_MAX)
		goto out;
	nlen = strlen(name);
	end = header + strlen(header);
	for (p = header; p < end; p = semi + 1) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		for (n0 = p; n0 < semi && cookie_ws(*n0); n0++)
			continue;
		if (n0 == semi)
			continue;		/* empty piece */
		if (++count > COOKIE_COUNT_MAX)
			goto out;
		if ((eq = memchr(n0, '=', (size_t)(semi - n0))) == NULL)
			goto out;
		for (n1 = eq; n1 > n0 && cookie_ws(n1[-1]); n1--)
			continue;
		if ((size_t)(n1 - n0) != nlen || memcmp(n0, name, nlen) != 0)
			continue;
		if (found != NULL)
			goto out;		/* tossed duplicate */
		for (v0 = eq + 1; v0 < semi && cookie_ws(*v0); v0++)
			continue;
		for (v1 = semi; v1 > v0 && cookie_ws(v1[-1]); v1--)
			continue;
		found = v0;
		flen = (size_t)(v1 - v0);
	}
	if (found == NULL) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if (flen >= 2 && found[0] == '"' && found[flen - 1] == '"') {
		found++;
		flen -= 2;
	}
	if (!cookie_octets_ok(found, flen))
		goto out;
	if ((s = malloc(flen + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	memcpy(s, found, flen);
	s[flen] = '\0';
	*value = s;
	e = ERR_OK;
out:
	return e;
}

static bool
cookie_path_ok(const char *path)
{
	size_t i;

	if (path[0] != '/')
		return false;
	for (i = 0; path[i] != '\0'; i++) {
		if (i >= COOKIE_PATH_MAX)
			return false;
		if ((unsigned char)path[i] < 0x20 ||
		    (unsigned char)path[i] >= 0x7f || path[i] == ';')
			return false;
	}
	return true;
}

enum err
cookie_set(struct buf *out, const char *name, const char *value,
    const struct cookie_attrs *attrs)
{
	static const struct cookie_attrs def = COOKIE_ATTRS_DEFAULT;
	struct buf	 b;
	const char	*path;
	enum err	 e = ERR_INPUT;

	buf_init(&b, COOKIE_HEADER_MAX);
	if (attrs == NULL)
		attrs = &def;
	path = attrs->path != NULL ? attrs->path : "/";
	if (!cookie_name_ok(name) || !cookie_value_ok(value) ||
	    strlen(name) + strlen(value) > COOKIE_PAIR_MAX ||
	    !cookie_path_ok(path) ||
	    attrs->max_age > COOKIE_MAX_AGE_MAX ||
	    (unsigned)attrs->samesite >= COOKIE_SAMESITE__MAX)
		goto out;
	if (attrs->samesite == COOKIE_SAMESITE_NONE && !attrs->secure)
		goto out;
	/* RFC 6265bis 4.1.3: the prefixes, matched case-insensitively. */
	if (strncasecmp(name, COOKIE_PREFIX_SECURE,
	    strlen(COOKIE_PREFIX_SECURE)) == 0 && !attrs->secure)
		goto out;
	if (strncasecmp(name, COOKIE_PREFIX_HOST,
	    strlen(COOKIE_PREFIX_HOST)) == 0 &&
	    (!attrs->secure || strcmp(path, "/") != 0))
		goto out;

	if ((e = buf_addf(&b, "%s=%s; Path=%s", name, value, path)) !=
	    ERR_OK)
		goto out;
	if (attrs->max_age == 0)
		e = buf_adds(&b, "; Max-Age=0; Expires=" COOKIE_EXPIRED);
	else if (attrs->max_age > 0)
		e = buf_addf(&b, "; Max-Age=%ld", attrs->max_age);
	if (e == ERR_OK && attrs->secure)
		e = buf_adds(&b, "; Secure");
	if (e == ERR_OK && attrs->http_only)
		e = buf_adds(&b, "; HttpOnly");
	if (e == ERR_OK)
		e = buf_addf(&b, "; SameSite=%s",
		    samesite_names[attrs->samesite]);
	if (e == ERR_OK)
		e = buf_add(out, b.data, b.len);
out:
	/* The value is usually a session id. */
	buf_free_secret(&b);
	return e;
}
