/*
 * logout_token: the claims of a back-channel logout token, known good
 * tokens and each way a token may be wrong.  The signature is
 * auth_verify's (test_auth, integration tests); these tokens carry a
 * dummy one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "buf.h"
#include "jwt.h"
#include "logout_token.h"
#include "tap.h"

#define NOW		1800000000L
#define LEEWAY		60L
#define HEADER		"{\"alg\":\"RS256\",\"typ\":\"logout+jwt\"}"
#define EVENTS		"\"events\":{\"" LOGOUT_TOKEN_EVENT "\":{}}"

/* Check the claims (JSON object members, without braces) at NOW. */
static enum err
check(const char *members, struct logout_claims *c, const char **why)
{
	struct buf t, payload;
	struct jwt *jwt = NULL;
	enum err e;

	buf_init(&t, 0);
	buf_init(&payload, 0);
	buf_adds(&payload, "{");
	buf_adds(&payload, members);
	buf_adds(&payload, "}");
	b64url_encode(HEADER, strlen(HEADER), &t);
	buf_addc(&t, '.');
	b64url_encode(payload.data, payload.len, &t);
	buf_adds(&t, ".c2lnbmF0dXJl");
	*why = "(not parsed)";
	memset(c, 0, sizeof(*c));
	if ((e = jwt_parse(buf_str(&t), t.len, &jwt)) == ERR_OK)
		e = logout_token_check(jwt, NOW, LOGOUT_TOKEN_MAX_AGE, LEEWAY, c,
		    why);
	else
		e = ERR_INPUT;
	/* Borrowed strings die with the jwt: compare them before. */
	if (e == ERR_OK) {
		ok(c->jti != NULL, "jti handed out");
		tap_diag("sid %s sub %s jti %s", c->sid ? c->sid : "-",
		    c->sub ? c->sub : "-", c->jti);
	}
	jwt_free(jwt);
	buf_free(&t);
	buf_free(&payload);
	return e;
}

static void
test_good(void)
{
	struct logout_claims c;
	const char *why;

	is_int(check("\"iat\":1800000000,\"jti\":\"j1\",\"sid\":\"s1\","
	    "\"sub\":\"u1\"," EVENTS, &c, &why), ERR_OK,
	    "sid and sub: accepted");
	is_int(check("\"iat\":1800000000,\"jti\":\"j1\",\"sid\":\"s1\","
	    EVENTS, &c, &why), ERR_OK, "sid only: accepted");
	is_int(check("\"iat\":1800000000,\"jti\":\"j1\",\"sub\":\"u1\","
	    EVENTS, &c, &why), ERR_OK, "sub only: accepted");
	is_int(check("\"iat\":1799999700,\"jti\":\"j1\",\"sub\":\"u1\","
	    EVENTS, &c, &why), ERR_OK, "issued max_age ago: accepted");
	is_int(check("\"iat\":1800000050,\"jti\":\"j1\",\"sub\":\"u1\","
	    EVENTS, &c, &why), ERR_OK, "iat within the leeway ahead: accepted");
	is_int(check("\"iat\":1800000000,\"jti\":\"j1\",\"sub\":\"u1\","
	    "\"events\":{\"" LOGOUT_TOKEN_EVENT "\":{},\"urn:other\":{}}",
	    &c, &why), ERR_OK, "another event beside it: accepted");
}

static void
test_bad(void)
{
	static const struct {
		const char *members, *why, *what;
	} cases[] = {
		{ "\"jti\":\"j\",\"sid\":\"s\"," EVENTS, "no iat", "no iat" },
		{ "\"iat\":\"1800000000\",\"jti\":\"j\",\"sid\":\"s\","
		    EVENTS, "bad iat", "iat a string" },
		{ "\"iat\":1800000061,\"jti\":\"j\",\"sid\":\"s\"," EVENTS,
		    "iat in the future", "iat past the leeway ahead" },
		{ "\"iat\":1799999639,\"jti\":\"j\",\"sid\":\"s\"," EVENTS,
		    "issued too long ago", "iat older than max_age + leeway" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"s\"",
		    "no back-channel logout event", "no events" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"s\","
		    "\"events\":{}", "no back-channel logout event",
		    "events without the logout event" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"s\","
		    "\"events\":{\"" LOGOUT_TOKEN_EVENT "\":true}",
		    "no back-channel logout event", "the event not an object" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"s\","
		    "\"events\":[\"" LOGOUT_TOKEN_EVENT "\"]",
		    "no back-channel logout event", "events an array" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"s\","
		    "\"nonce\":\"n\"," EVENTS, "a nonce (not a logout token)",
		    "a nonce (an id_token)" },
		{ "\"iat\":1800000000,\"jti\":\"j\"," EVENTS,
		    "neither sid nor sub", "neither sid nor sub" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sid\":\"\"," EVENTS,
		    "bad sid or sub", "sid empty" },
		{ "\"iat\":1800000000,\"jti\":\"j\",\"sub\":7," EVENTS,
		    "bad sid or sub", "sub a number" },
		{ "\"iat\":1800000000,\"sid\":\"s\"," EVENTS, "no jti",
		    "no jti" },
		{ "\"iat\":1800000000,\"jti\":\"\",\"sid\":\"s\"," EVENTS,
		    "no jti", "jti empty" },
		{ "\"iat\":1800000000,\"jti\":[\"j\"],\"sid\":\"s\"," EVENTS,
		    "no jti", "jti an array" },
	};
	struct logout_claims c;
	const char *why;
	char	 longsid[LOGOUT_TOKEN_CLAIM_MAX + 256];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(check(cases[i].members, &c, &why), ERR_AUTH,
		    "%s: refused", cases[i].what);
		is_str(why, cases[i].why, "%s: says why", cases[i].what);
		ok(c.sid == NULL && c.sub == NULL && c.jti == NULL,
		    "%s: nothing handed out", cases[i].what);
	}
	snprintf(longsid, sizeof(longsid), "\"iat\":1800000000,\"jti\":\"j\","
	    "\"sid\":\"%0*d\"," EVENTS, LOGOUT_TOKEN_CLAIM_MAX + 1, 0);
	is_int(check(longsid, &c, &why), ERR_AUTH, "a sid too long: refused");
}

int
main(void)
{
	test_good();
	test_bad();
	return tap_done();
}
