#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "pkce.h"
#include "tap.h"

#define LONG_LEN	200
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define B64URL_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"abcdefghijklmnopqrstuvwxyz0123456789-_"

static void
test_known_answer(void)
{
	char *c = NULL;

	/* RFC 7636 appendix B. */
	is_int(pkce_challenge_s256(RFC7636_VERIFIER, &c), ERR_OK,
	    "rfc 7636 appendix B verifier accepted");
	is_str(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	    "rfc 7636 appendix B challenge");
	free(c);
}

static void
test_new(void)
{
	char	*v = NULL, *w = NULL, *c = NULL;
	size_t	 i;
	bool	 alpha = true;

	is_int(pkce_verifier_new(&v), ERR_OK, "new verifier");
	ok(v != NULL && strlen(v) == PKCE_VERIFIER_MIN,
	    "new verifier has 43 chars");
	for (i = 0; v != NULL && v[i] != '\0'; i++)
		if (strchr(B64URL_CHARS, v[i]) == NULL)
			alpha = false;
	ok(alpha, "new verifier is base64url");
	ok(pkce_verifier_ok(v), "new verifier passes the grammar");
	is_int(pkce_challenge_s256(v, &c), ERR_OK, "challenge of new verifier");
	ok(c != NULL && strlen(c) == PKCE_CHALLENGE_LEN,
	    "challenge has 43 chars");
	ok(c != NULL && v != NULL && strcmp(c, v) != 0,
	    "challenge differs from verifier");
	is_int(pkce_verifier_new(&w), ERR_OK, "second verifier");
	ok(v != NULL && w != NULL && strcmp(v, w) != 0, "verifiers differ");
	crypto_free_str(v);
	crypto_free_str(w);
	free(c);
}

static void
test_grammar(void)
{
	static const struct {
		const char	*what, *v;
		bool		 good;
	} cases[] = {
		{ "42 chars", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",
		    false },
		{ "43 chars", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    true },
		{ "all unreserved punctuation",
		    "-._~-._~-._~-._~-._~-._~-._~-._~-._~-._~abc", true },
		{ "plus", "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    false },
		{ "slash", "dBjftJeZ4CVP/mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    false },
		{ "padding", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=",
		    false },
		{ "space", "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    false },
		{ "percent", "dBjftJeZ4CVP%2DB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    false },
		{ "newline", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\n",
		    false },
		{ "utf-8", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEj\xc3\xa9",
		    false },
		{ "high byte",
		    "\xff" "BjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		    false },
		{ "empty", "", false },
	};
	char	 buf[LONG_LEN + 1], *c = NULL;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(pkce_challenge_s256(cases[i].v, &c),
		    cases[i].good ? ERR_OK : ERR_INPUT, "verifier: %s",
		    cases[i].what);
		ok(cases[i].good == (c != NULL), "verifier: %s: output",
		    cases[i].what);
		free(c);
		c = NULL;
	}
	is_int(pkce_challenge_s256(NULL, &c), ERR_INPUT, "verifier: NULL");

	memset(buf, 'a', sizeof(buf));
	buf[PKCE_VERIFIER_MAX] = '\0';
	is_int(pkce_challenge_s256(buf, &c), ERR_OK, "verifier: 128 chars");
	free(c);
	c = NULL;
	buf[PKCE_VERIFIER_MAX] = 'a';
	buf[PKCE_VERIFIER_MAX + 1] = '\0';
	is_int(pkce_challenge_s256(buf, &c), ERR_INPUT, "verifier: 129 chars");
	buf[LONG_LEN] = '\0';
	is_int(pkce_challenge_s256(buf, &c), ERR_INPUT, "verifier: 200 chars");
	ok(c == NULL, "verifier: no output when refused");
}

int
main(void)
{
	test_known_answer();
	test_new();
	test_grammar();
	return tap_done();
}
