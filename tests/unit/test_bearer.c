/* test_bearer: the Authorization header's bearer token (RFC 6750). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bearer.h"
#include "tap.h"

static void
yes(const char *hdr, const char *want, const char *what)
{
	const char	*tok = NULL;
	size_t		 len = 0;
	enum err	 e;

	e = bearer_parse(hdr, &tok, &len);
	if (!ok(e == ERR_OK && len == strlen(want) && tok != NULL &&
	    memcmp(tok, want, len) == 0, "token from %s", what))
		tap_diag("err %d len %zu", (int)e, len);
	ok(e != ERR_OK || (tok >= hdr && tok + len <= hdr + strlen(hdr)),
	    "token points into the header (%s)", what);
}

static void
no(const char *hdr, enum err want, const char *what)
{
	const char	*tok = (const char *)1;
	size_t		 len = 1;

	is_int(bearer_parse(hdr, &tok, &len), want, "%s", what);
	ok(tok == NULL && len == 0, "outputs cleared (%s)", what);
}

static void
scheme_is(const char *hdr, enum bearer_scheme want, enum err wante,
    const char *what)
{
	enum bearer_scheme scheme;
	const char	*tok;
	size_t		 len;
	enum err	 e;

	e = bearer_parse_scheme(hdr, &scheme, &tok, &len);
	is_int(e, wante, "scheme: %s: result", what);
	if (e == ERR_OK)
		is_int(scheme, want, "scheme: %s: which", what);
	else
		ok(tok == NULL && len == 0, "scheme: %s: no token", what);
}

int
main(void)
{
	char	*big;
	size_t	 n;

	yes("Bearer abc", "abc", "simple");
	yes("bearer abc", "abc", "lower-case scheme");
	yes("BEARER abc", "abc", "upper-case scheme");
	yes("bEaReR abc", "abc", "mixed-case scheme");
	yes("Bearer   abc", "abc", "several spaces");
	yes("  Bearer abc", "abc", "leading spaces");
	yes("Bearer abc  \t", "abc", "trailing spaces and tab");
	yes("Bearer aZ09-._~+/", "aZ09-._~+/", "all b64token characters");
	yes("Bearer abc==", "abc==", "trailing '='");
	yes("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
	    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "a JWT");

	no(NULL, ERR_NOTFOUND, "no header");
	no("", ERR_NOTFOUND, "empty header");
	no("   ", ERR_NOTFOUND, "blank header");
	no("Basic dXNlcjpwYXNz", ERR_NOTFOUND, "Basic scheme");
	no("Digest username=\"x\"", ERR_NOTFOUND, "Digest scheme");
	no("Bearerabc", ERR_NOTFOUND, "no space: another scheme");
	no("Bearer-x abc", ERR_NOTFOUND, "scheme Bearer-x");
	no("DPoP abc", ERR_NOTFOUND, "DPoP scheme");

	no("Bearer", ERR_INPUT, "scheme only");
	no("Bearer ", ERR_INPUT, "scheme and space");
	no("Bearer    ", ERR_INPUT, "scheme and spaces");
	no("Bearer\tabc", ERR_INPUT, "tab after scheme");
	no("Bearer,abc", ERR_INPUT, "comma after scheme");
	no("Bearer abc def", ERR_INPUT, "two tokens");
	no("Bearer abc,def", ERR_INPUT, "comma in token");
	no("Bearer =abc", ERR_INPUT, "token starts with '='");
	no("Bearer abc=d", ERR_INPUT, "'=' inside token");
	no("Bearer abc\"", ERR_INPUT, "quote in token");
	no("Bearer \"abc\"", ERR_INPUT, "quoted token");
	no("Bearer abc\r\n", ERR_INPUT, "CRLF after token");
	no("Bearer abc\x01", ERR_INPUT, "control byte");
	no("Bearer ab\xc3\xa9", ERR_INPUT, "non-ASCII");
	no("Bearer abc; x", ERR_INPUT, "parameters");
	no("Bearer a%20b", ERR_INPUT, "percent");

	/* Bad credentials syntax is a malformed request (RFC 6750 3.1). */
	no("=abc", ERR_INPUT, "no scheme before the token");
	no("@Bearer abc", ERR_INPUT, "a scheme starting with '@'");
	no("\"Bearer\" abc", ERR_INPUT, "a quoted scheme");
	no("Basic,abc", ERR_INPUT, "comma after another scheme");
	no("Basic\tabc", ERR_INPUT, "tab after another scheme");
	no("Bearer abc, Bearer def", ERR_INPUT,
	    "two Authorization headers joined");

	/* bearer_parse_scheme: Bearer or DPoP (RFC 9449 7.1). */
	scheme_is("DPoP abc.def", BEARER_SCHEME_DPOP, ERR_OK, "DPoP scheme");
	scheme_is("dpop  abc ", BEARER_SCHEME_DPOP, ERR_OK,
	    "DPoP scheme in any case, spaces");
	scheme_is("Bearer abc", BEARER_SCHEME_BEARER, ERR_OK, "Bearer scheme");
	scheme_is("DPoP abc def", BEARER_SCHEME_DPOP, ERR_INPUT,
	    "DPoP with two tokens");
	scheme_is("DPoP", BEARER_SCHEME_DPOP, ERR_INPUT, "DPoP scheme only");
	scheme_is("DPoPx abc", BEARER_SCHEME_BEARER, ERR_NOTFOUND,
	    "scheme DPoPx");
	scheme_is("Basic abc", BEARER_SCHEME_BEARER, ERR_NOTFOUND,
	    "Basic scheme");
	no("DPoP abc def", ERR_NOTFOUND,
	    "bearer_parse: a malformed DPoP header is another scheme's");

	n = BEARER_TOKEN_MAX;
	if ((big = malloc(n + 16)) != NULL) {
		memcpy(big, "Bearer ", 7);
		memset(big + 7, 'a', n);
		big[7 + n] = '\0';
		yes(big, big + 7, "BEARER_TOKEN_MAX characters");
		big[7 + n] = 'a';
		big[8 + n] = '\0';
		no(big, ERR_INPUT, "BEARER_TOKEN_MAX + 1 characters");
		free(big);
	}
	return tap_done();
}
