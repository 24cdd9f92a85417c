#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "buf.h"
#include "jwt.h"
#include "log.h"
#include "oidc.h"
#include "url.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define ENDPOINT	"https://tenant.b2clogin.com/tenant.onmicrosoft.com/" \
			"b2c_1_susi/oauth2/v2.0/authorize"
#define GUID		"0c8f1a3e-5b7d-4c2a-9e61-3f2b8d4a7c15"

static void
test_authorize_url(void)
{
	struct oidc_authz a = {
		.client_id = "c1d2-e3",
		.redirect_uri = "https://app.example/cb?x=1&y=2",
		.scope = "openid offline_access https://tenant/api/tasks.read",
		.state = "st ate&=",
		.nonce = "n+n/n",
		.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		.response_mode = "form_post",
	};
	struct oidc_authz	 none = { 0 }, evil = { 0 };
	struct url_params	 p;
	struct buf		 b;
	const char		*q;

	buf_init(&b, 0);
	is_int(oidc_authorize_url(ENDPOINT, &a, &b), ERR_OK, "authorize url");
	is_str(buf_str(&b), ENDPOINT "?client_id=c1d2-e3&response_type=code"
	    "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D2"
	    "&response_mode=form_post"
	    "&scope=openid%20offline_access%20https%3A%2F%2Ftenant%2Fapi%2F"
	    "tasks.read&state=st%20ate%26%3D&nonce=n%2Bn%2Fn"
	    "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	    "&code_challenge_method=S256", "authorize url: known answer");
	buf_free(&b);

	a.resource = "https://api.example/";
	a.prompt = "login";
	a.response_mode = NULL;
	buf_init(&b, 0);
	is_int(oidc_authorize_url(ENDPOINT "?p=B2C_1_susi", &a, &b), ERR_OK,
	    "authorize url with a query");
	q = buf_str(&b);
	ok(strncmp(q, ENDPOINT "?p=B2C_1_susi&client_id=c1d2-e3&",
	    strlen(ENDPOINT "?p=B2C_1_susi&client_id=c1d2-e3&")) == 0,
	    "existing '?': parameters follow with '&'");
	ok(strchr(q, '?') == strrchr(q, '?'), "existing '?': only one '?'");
	ok(strstr(q, "response_mode") == NULL, "NULL response_mode omitted");
	ok(strstr(q, "&code_challenge_method=S256&resource="
	    "https%3A%2F%2Fapi.example%2F&prompt=login") != NULL &&
	    strstr(q, "prompt=login") + strlen("prompt=login") == q + b.len,
	    "resource and prompt last");
	buf_free(&b);

	buf_init(&b, 0);
	is_int(oidc_authorize_url("https://idp/authorize", &none, &b),
	    ERR_OK, "all NULL");
	is_str(buf_str(&b), "https://idp/authorize?response_type=code"
	    "&code_challenge_method=S256",
	    "all NULL: only the fixed parameters");
	buf_free(&b);

	/* Hostile values round-trip through a strict query parser. */
	evil.client_id = "id&client_id=evil";
	evil.redirect_uri = "https://evil/?a=1#x";
	evil.scope = "openid#frag";
	evil.state = "a=b&c=d?e#f%00+ \"<>";
	evil.nonce = "\xc3\xa9\xe2\x82\xac";
	evil.code_challenge = "%41";
	evil.prompt = "none&prompt=login";
	buf_init(&b, 0);
	is_int(oidc_authorize_url("https://idp/authorize", &evil, &b), ERR_OK,
	    "hostile values");
	q = strchr(buf_str(&b), '?');
	ok(q != NULL && strcspn(q + 1, " \"<>#?+%") != strlen(q + 1) &&
	    strcspn(q + 1, " \"<>#?+") == strlen(q + 1),
	    "hostile values: no raw specials in the query");
	if (q != NULL && url_params_parse(q + 1, strlen(q + 1), false, &p) ==
	    ERR_OK) {
		is_int(p.n, 9, "hostile values: nine parameters");
		is_str(url_params_get(&p, "client_id"), evil.client_id,
		    "hostile client_id round trip");
		is_str(url_params_get(&p, "redirect_uri"), evil.redirect_uri,
		    "hostile redirect_uri round trip");
		is_str(url_params_get(&p, "scope"), evil.scope,
		    "hostile scope round trip");
		is_str(url_params_get(&p, "state"), evil.state,
		    "hostile state round trip");
		is_str(url_params_get(&p, "nonce"), evil.nonce,
		    "UTF-8 nonce round trip");
		is_str(url_params_get(&p, "code_challenge"), "%41",
		    "'%%' encoded");
		is_str(url_params_get(&p, "prompt"), evil.prompt,
		    "hostile prompt round trip");
		is_int(url_params_count(&p, "prompt"), 1,
		    "prompt not smuggled");
		is_int(url_params_count(&p, "client_id"), 1,
		    "client_id not smuggled");
		is_str(url_params_get(&p, "code_challenge_method"), "S256",
		    "code_challenge_method S256");
		url_params_free(&p);
	} else
		ok(false, "hostile values: query parses");
	buf_free(&b);

	evil.redirect_uri = "https://evil/\r\nLocation: x";
	evil.state = "\x01\x7f\xff";
	buf_init(&b, 0);
	is_int(oidc_authorize_url("https://idp/a", &evil, &b), ERR_OK,
	    "control bytes");
	ok(strstr(buf_str(&b), "&redirect_uri=https%3A%2F%2Fevil%2F%0D%0A"
	    "Location%3A%20x&") != NULL, "CR LF percent-encoded");
	ok(strstr(buf_str(&b), "&state=%01%7F%FF&") != NULL,
	    "control and high bytes percent-encoded");
	ok(strcspn(buf_str(&b), "\r\n\x01\x7f\xff") == b.len,
	    "no raw control bytes");
	buf_free(&b);

	buf_init(&b, 40);
	is_int(oidc_authorize_url(ENDPOINT, &a, &b), ERR_NOMEM,
	    "authorize url over the buffer cap");
	buf_free(&b);
}

/* Issue 15: endpoints with a query, a fragment, user info. */
static void
test_authorize_url_parsed(void)
{
	struct oidc_authz a = {
		.client_id = "cid",
		.state = "st",
		.nonce = "nn",
		.code_challenge = "cc",
	};
	static const struct {
		const char	*endpoint;
		const char	*want;		/* NULL: ERR_INPUT */
	} cases[] = {
		{ ENDPOINT "?p=B2C_1_susi", ENDPOINT "?p=B2C_1_susi&client_id=cid"
		    "&response_type=code&state=st&nonce=nn&code_challenge=cc"
		    "&code_challenge_method=S256" },
		{ ENDPOINT "#frag", ENDPOINT "?client_id=cid&response_type=code"
		    "&state=st&nonce=nn&code_challenge=cc"
		    "&code_challenge_method=S256" },
		{ ENDPOINT "?p=B2C_1_susi#frag?x=1", ENDPOINT "?p=B2C_1_susi"
		    "&client_id=cid&response_type=code&state=st&nonce=nn"
		    "&code_challenge=cc&code_challenge_method=S256" },
		{ "https://idp.example/a/authorize#?x=1&y=2",
		    "https://idp.example/a/authorize?client_id=cid"
		    "&response_type=code&state=st&nonce=nn&code_challenge=cc"
		    "&code_challenge_method=S256" },
		{ "https://u:p@idp.example:8443/authorize?a=1%202",
		    "https://u:p@idp.example:8443/authorize?a=1%202&client_id=cid"
		    "&response_type=code&state=st&nonce=nn&code_challenge=cc"
		    "&code_challenge_method=S256" },
		{ "/relative/authorize", NULL },
		{ "not a url at all", NULL },
	};
	struct buf	 b;
	size_t		 i;
	enum err	 e;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 0);
		e = oidc_authorize_url(cases[i].endpoint, &a, &b);
		if (cases[i].want == NULL)
			is_int(e, ERR_INPUT, "authorize url of \"%s\": "
			    "ERR_INPUT", cases[i].endpoint);
		else {
			is_int(e, ERR_OK, "authorize url of \"%s\"",
			    cases[i].endpoint);
			is_str(buf_str(&b), cases[i].want, "authorize url of "
			    "\"%s\": known answer", cases[i].endpoint);
		}
		buf_free(&b);
	}
}

static void
test_logout_url(void)
{
	static const struct {
		const char	*endpoint;
		const char	*hint;
		const char	*want;		/* NULL: ERR_INPUT */
	} cases[] = {
		{ "https://idp/t/b2c_1_susi/oauth2/v2.0/logout", "eyJ.e30.c2ln",
		    "https://idp/t/b2c_1_susi/oauth2/v2.0/logout"
		    "?post_logout_redirect_uri=https%3A%2F%2Fapp.example%3A8443"
		    "%2F&id_token_hint=eyJ.e30.c2ln&client_id=c%20id" },
		{ "https://idp/logout", NULL, "https://idp/logout"
		    "?post_logout_redirect_uri=https%3A%2F%2Fapp.example%3A8443"
		    "%2F&client_id=c%20id" },
		{ "https://idp/logout?p=B2C_1_susi", "h", "https://idp/logout"
		    "?p=B2C_1_susi&post_logout_redirect_uri=https%3A%2F%2F"
		    "app.example%3A8443%2F&id_token_hint=h&client_id=c%20id" },
		{ "https://idp/logout#x?y", "h", "https://idp/logout"
		    "?post_logout_redirect_uri=https%3A%2F%2Fapp.example%3A8443"
		    "%2F&id_token_hint=h&client_id=c%20id" },
		{ "logout", "h", NULL },
	};
	static const struct {
		const char	*url;
		const char	*want;		/* NULL: ERR_INPUT */
	} origins[] = {
		{ "https://app.example/signin/callback", "https://app.example/" },
		{ "http://127.0.0.1:8080/signin/callback",
		    "http://127.0.0.1:8080/" },
		{ "https://user:pw@app.example:8443/a/signin/callback?b=c#d",
		    "https://app.example:8443/" },
		{ "https://app.example#x/signin/callback", "https://app.example/" },
		{ "https://app.example?next=http://evil/signin/callback",
		    "https://app.example/" },
		{ "https://evil.example@app.example/signin/callback",
		    "https://app.example/" },
		{ "http://[::1]:8080/signin/callback", "http://[::1]:8080/" },
		{ "/signin/callback", NULL },
	};
	struct buf	 b;
	size_t		 i;
	enum err	 e;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 0);
		e = oidc_logout_url(cases[i].endpoint,
		    "https://app.example:8443/", cases[i].hint, "c id", NULL,
		    &b);
		if (cases[i].want == NULL)
			is_int(e, ERR_INPUT, "logout url of \"%s\": ERR_INPUT",
			    cases[i].endpoint);
		else
			is_str(e == ERR_OK ? buf_str(&b) : "(error)",
			    cases[i].want, "logout url of \"%s\"",
			    cases[i].endpoint);
		buf_free(&b);
	}
	for (i = 0; i < NELEM(origins); i++) {
		buf_init(&b, 0);
		e = oidc_origin_root(origins[i].url, &b);
		if (origins[i].want == NULL)
			is_int(e, ERR_INPUT, "origin of \"%s\": ERR_INPUT",
			    origins[i].url);
		else
			is_str(e == ERR_OK ? buf_str(&b) : "(error)",
			    origins[i].want, "origin of \"%s\"",
			    origins[i].url);
		buf_free(&b);
	}
	buf_init(&b, 10);
	is_int(oidc_origin_root("https://app.example/cb", &b), ERR_NOMEM,
	    "origin over the buffer cap");
	buf_free(&b);
}

/* An id_token with these claims; the signature is never checked here. */
static struct jwt *
token(const char *claims)
{
	struct buf	 t;
	struct jwt	*jwt = NULL;
	static const char hdr[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

	buf_init(&t, 0);
	b64url_encode(hdr, strlen(hdr), &t);
	buf_addc(&t, '.');
	b64url_encode(claims, strlen(claims), &t);
	buf_adds(&t, ".c2ln");
	if (t.err != ERR_OK || jwt_parse(t.data, t.len, &jwt) != ERR_OK)
		jwt = NULL;
	buf_free(&t);
	return jwt;
}

static void
test_id_token_azp(void)
{
	static const struct {
		const char	*claims;
		enum err	 want;
		const char	*why;
	} cases[] = {
		{ "{\"aud\":\"cid\"}", ERR_OK, NULL },
		{ "{\"aud\":[\"cid\"]}", ERR_OK, NULL },
		{ "{\"aud\":\"cid\",\"azp\":\"cid\"}", ERR_OK, NULL },
		{ "{\"aud\":[\"cid\",\"api\"],\"azp\":\"cid\"}", ERR_OK,
		    NULL },
		{ "{\"aud\":\"cid\",\"azp\":\"other\"}", ERR_AUTH,
		    "azp is another client" },
		{ "{\"aud\":[\"cid\",\"other\"],\"azp\":\"other\"}",
		    ERR_AUTH, "azp is another client" },
		{ "{\"aud\":[\"cid\",\"other\"]}", ERR_AUTH,
		    "several audiences and no azp" },
		{ "{\"aud\":\"cid\",\"azp\":\"CID\"}", ERR_AUTH,
		    "azp is another client" },
		{ "{\"aud\":\"cid\",\"azp\":\"cid \"}", ERR_AUTH,
		    "azp is another client" },
		{ "{\"aud\":\"cid\",\"azp\":null}", ERR_AUTH, "bad azp" },
		{ "{\"aud\":\"cid\",\"azp\":[\"cid\"]}", ERR_AUTH,
		    "bad azp" },
		{ "{\"aud\":\"cid\",\"azp\":1}", ERR_AUTH, "bad azp" },
	};
	struct jwt	*jwt;
	const char	*why;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		if ((jwt = token(cases[i].claims)) == NULL) {
			ok(false, "azp: parse %s", cases[i].claims);
			continue;
		}
		why = NULL;
		is_int(oidc_id_token_azp(jwt, "cid", &why), cases[i].want,
		    "azp: %s", cases[i].claims);
		is_str(why, cases[i].why, "azp: %s: reason", cases[i].claims);
		jwt_free(jwt);
	}
	if ((jwt = token("{\"aud\":\"cid\",\"azp\":\"cid\"}")) != NULL) {
		why = NULL;
		is_int(oidc_id_token_azp(jwt, NULL, &why), ERR_AUTH,
		    "azp: no client id matches nothing");
		jwt_free(jwt);
	}
}

static void
test_id_token_iat(void)
{
	static const struct {
		const char	*claims;
		enum err	 want;
		const char	*why;
	} cases[] = {
		{ "{\"iat\":100000}", ERR_OK, NULL },
		{ "{\"iat\":99400}", ERR_OK, NULL },		/* 600 s */
		{ "{\"iat\":99340}", ERR_OK, NULL },		/* + leeway */
		{ "{\"iat\":99339}", ERR_AUTH, "issued too long ago" },
		{ "{\"iat\":0}", ERR_AUTH, "issued too long ago" },
		{ "{\"iat\":100060}", ERR_OK, NULL },	/* leeway ahead */
		{ "{\"iat\":100061}", ERR_AUTH, "iat in the future" },
		{ "{\"sub\":\"x\"}", ERR_AUTH, "no iat" },
		{ "{\"iat\":\"100000\"}", ERR_AUTH, "bad iat" },
		{ "{\"iat\":null}", ERR_AUTH, "bad iat" },
		{ "{\"iat\":100000.5}", ERR_AUTH, "bad iat" },
	};
	struct jwt *jwt;
	const char *why;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((jwt = token(cases[i].claims)) == NULL) {
			ok(false, "iat: parse %s", cases[i].claims);
			continue;
		}
		why = NULL;
		is_int(oidc_id_token_iat(jwt, 100000, 600, 60, &why),
		    cases[i].want, "iat: %s", cases[i].claims);
		is_str(why, cases[i].why, "iat: %s: reason", cases[i].claims);
		jwt_free(jwt);
	}
}

static void
test_id_token_flow(void)
{
	static const struct {
		const char	*claims;
		const char	*policy;
		enum err	 want;
		const char	*why;
	} cases[] = {
		{ "{\"tfp\":\"B2C_1_susi\"}", "B2C_1_susi", ERR_OK, NULL },
		{ "{\"tfp\":\"b2c_1_SUSI\"}", "B2C_1_susi", ERR_OK, NULL },
		{ "{\"acr\":\"b2c_1_susi\"}", "B2C_1_susi", ERR_OK, NULL },
		{ "{\"sub\":\"x\"}", "B2C_1_susi", ERR_OK, NULL },
		{ "{\"tfp\":\"B2C_1_reset\"}", "B2C_1_susi", ERR_AUTH,
		    "tfp is another user flow" },
		{ "{\"acr\":\"B2C_1_reset\"}", "B2C_1_susi", ERR_AUTH,
		    "acr is another user flow" },
		{ "{\"tfp\":\"B2C_1_susi\",\"acr\":\"B2C_1_other\"}",
		    "B2C_1_susi", ERR_AUTH, "acr is another user flow" },
		{ "{\"tfp\":\"B2C_1_susi2\"}", "B2C_1_susi", ERR_AUTH,
		    "tfp is another user flow" },
		{ "{\"tfp\":1}", "B2C_1_susi", ERR_AUTH,
		    "tfp is another user flow" },
		{ "{\"tfp\":\"anything\"}", NULL, ERR_OK, NULL },
	};
	struct jwt *jwt;
	const char *why;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((jwt = token(cases[i].claims)) == NULL) {
			ok(false, "flow: parse %s", cases[i].claims);
			continue;
		}
		why = NULL;
		is_int(oidc_id_token_flow(jwt, cases[i].policy, &why),
		    cases[i].want, "flow: %s", cases[i].claims);
		is_str(why, cases[i].why, "flow: %s: reason", cases[i].claims);
		jwt_free(jwt);
	}
}

/* Parse body with status; copy into an exact-size heap block (no NUL). */
static enum err
parse(long status, const char *body, struct oidc_tokens *t)
{
	size_t	 len = strlen(body);
	char	*copy;
	enum err e;

	if ((copy = malloc(len ? len : 1)) == NULL)
		return ERR__MAX;
	memcpy(copy, body, len);
	e = oidc_tokens_parse(status, copy, len, t);
	free(copy);
	return e;
}

static bool
tokens_empty(const struct oidc_tokens *t)
{
	return t->access_token == NULL && t->refresh_token == NULL &&
	    t->id_token == NULL;
}

static void
test_tokens_ok(void)
{
	struct oidc_tokens t;

	is_int(parse(200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\","
	    "\"expires_in\":3600,\"refresh_token\":\"rt\",\"id_token\":\"it\","
	    "\"scope\":\"openid\",\"not_before\":1700000000}", &t), ERR_OK,
	    "full answer");
	is_str(t.access_token, "at", "access_token");
	is_str(t.refresh_token, "rt", "refresh_token");
	is_str(t.id_token, "it", "id_token");
	is_int(t.expires_in, 3600, "expires_in");
	ok(t.error == NULL && t.error_description == NULL, "no error");
	oidc_tokens_free(&t);
	ok(tokens_empty(&t), "free clears");
	oidc_tokens_free(&t);
	ok(tokens_empty(&t), "free twice is fine");

	is_int(parse(200, "{\"access_token\":\"at\",\"token_type\":\"Bearer\"}",
	    &t), ERR_OK, "no expires_in");
	is_int(t.expires_in, OIDC_EXPIRES_IN_DEFAULT, "expires_in default");
	ok(t.refresh_token == NULL && t.id_token == NULL,
	    "absent tokens NULL");
	oidc_tokens_free(&t);

	is_int(parse(200, "{\"id_token\":\"it\",\"token_type\":\"bearer\","
	    "\"expires_in\":1}", &t), ERR_OK, "id_token only, bearer");
	ok(t.access_token == NULL && t.id_token != NULL && t.expires_in == 1,
	    "id_token only: fields");
	oidc_tokens_free(&t);

	is_int(parse(200, "{\"access_token\":\"at\",\"token_type\":\"BEARER\","
	    "\"expires_in\":3600.0}", &t), ERR_OK, "integral 3600.0");
	is_int(t.expires_in, 3600, "integral 3600.0: value");
	ok(!t.dpop, "token_type Bearer: not DPoP-bound");
	oidc_tokens_free(&t);

	/* RFC 9449 5: token_type DPoP, the token bound to the proof's key. */
	is_int(parse(200, "{\"access_token\":\"at\",\"token_type\":\"DPoP\","
	    "\"expires_in\":60}", &t), ERR_OK, "token_type DPoP");
	ok(t.dpop, "token_type DPoP: DPoP-bound");
	oidc_tokens_free(&t);
	is_int(parse(200, "{\"access_token\":\"at\",\"token_type\":\"dpop\"}",
	    &t), ERR_OK, "token_type dpop (any case)");
	ok(t.dpop, "token_type dpop: DPoP-bound");
	oidc_tokens_free(&t);

	{
		char body[128];

		snprintf(body, sizeof(body), "{\"access_token\":\"at\","
		    "\"expires_in\":%ld}", OIDC_EXPIRES_IN_MAX);
		is_int(parse(200, body, &t), ERR_OK, "expires_in at the cap");
		is_int(t.expires_in, OIDC_EXPIRES_IN_MAX, "cap value");
		oidc_tokens_free(&t);
		snprintf(body, sizeof(body), "{\"access_token\":\"at\","
		    "\"expires_in\":%ld}", OIDC_EXPIRES_IN_MAX + 1);
		is_int(parse(200, body, &t), ERR_UPSTREAM,
		    "expires_in over the cap");
		ok(tokens_empty(&t), "over the cap: nothing kept");
		oidc_tokens_free(&t);
	}

	/* len is respected: trailing bytes past len are not read. */
	{
		const char *s = "{\"access_token\":\"at\"}GARBAGE";

		is_int(oidc_tokens_parse(200, s, 21, &t), ERR_OK,
		    "len respected");
		oidc_tokens_free(&t);
	}
}

static void
test_tokens_bad(void)
{
	static const char *const bodies[] = {
		/* expires_in */
		"{\"access_token\":\"a\",\"expires_in\":0}",
		"{\"access_token\":\"a\",\"expires_in\":-1}",
		"{\"access_token\":\"a\",\"expires_in\":\"3600\"}",
		"{\"access_token\":\"a\",\"expires_in\":1.5}",
		"{\"access_token\":\"a\",\"expires_in\":null}",
		"{\"access_token\":\"a\",\"expires_in\":true}",
		"{\"access_token\":\"a\",\"expires_in\":[3600]}",
		"{\"access_token\":\"a\",\"expires_in\":1e300}",
		"{\"access_token\":\"a\",\"expires_in\":9223372036854775807}",
		"{\"access_token\":\"a\",\"expires_in\":99999999999999999999}",
		"{\"access_token\":\"a\",\"expires_in\":NaN}",
		"{\"access_token\":\"a\",\"expires_in\":Infinity}",
		/* token_type */
		"{\"access_token\":\"a\",\"token_type\":\"MAC\"}",
		"{\"access_token\":\"a\",\"token_type\":\"DPoPx\"}",
		"{\"access_token\":\"a\",\"token_type\":\"\"}",
		"{\"access_token\":\"a\",\"token_type\":\"Bearer \"}",
		"{\"access_token\":\"a\",\"token_type\":\"Bearerx\"}",
		"{\"access_token\":\"a\",\"token_type\":\"Beare\"}",
		"{\"access_token\":\"a\",\"token_type\":5}",
		"{\"access_token\":\"a\",\"token_type\":null}",
		"{\"access_token\":\"a\",\"token_type\":[\"Bearer\"]}",
		/* tokens */
		"{\"token_type\":\"Bearer\",\"expires_in\":3600}",
		"{\"refresh_token\":\"r\"}",
		"{}",
		"{\"access_token\":5}",
		"{\"access_token\":null}",
		"{\"access_token\":[\"a\"]}",
		"{\"access_token\":\"a\",\"id_token\":{}}",
		"{\"access_token\":\"a\",\"refresh_token\":false}",
		"{\"error\":\"invalid_grant\"}",
		/* duplicates */
		"{\"access_token\":\"a\",\"access_token\":\"b\"}",
		"{\"access_token\":\"a\",\"expires_in\":1,\"expires_in\":2}",
		"{\"access_token\":\"a\",\"token_type\":\"MAC\","
		    "\"token_type\":\"Bearer\"}",
		"{\"access_token\":\"a\",\"acc\\u0065ss_token\":\"b\"}",
		/* not a JSON object */
		"",
		" ",
		"[]",
		"[{\"access_token\":\"a\"}]",
		"\"access_token\"",
		"42",
		"null",
		"{",
		"{\"access_token\":\"a\"",
		"{\"access_token\":\"a\"} x",
		"{\"access_token\":\"a\"}{}",
		"{'access_token':'a'}",
		"{\"access_token\":\"a\",}",
		"{\"access_token\":\"a\\u0000b\"}",
		"{\"access_token\":\"\xc0\xaf\"}",
		"<html><body>Service Unavailable</body></html>",
		"access_token=a&token_type=Bearer",
	};
	struct oidc_tokens	 t;
	size_t			 i;
	char			*big = NULL;
	enum err		 e;

	for (i = 0; i < NELEM(bodies); i++) {
		e = parse(200, bodies[i], &t);
		is_int(e, ERR_UPSTREAM, "bad 200 body %zu refused", i);
		if (!ok(tokens_empty(&t), "bad 200 body %zu: no tokens", i))
			tap_diag("body: %s", bodies[i]);
		oidc_tokens_free(&t);
	}

	/* A token longer than the form cap. */
	if ((big = malloc(40 * 1024)) != NULL) {
		memcpy(big, "{\"access_token\":\"", 17);
		memset(big + 17, 'a', 40 * 1024 - 17 - 3);
		memcpy(big + 40 * 1024 - 3, "\"}", 3);
		is_int(parse(200, big, &t), ERR_UPSTREAM, "overlong token");
		ok(tokens_empty(&t), "overlong token: nothing kept");
		oidc_tokens_free(&t);
		free(big);
	}
}

static void
test_tokens_error(void)
{
	struct oidc_tokens	 t;
	char			*body = NULL;

	is_int(parse(400, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADB2C90080: The provided grant has expired. Please "
	    "re-authenticate and try again.\\r\\nCorrelation ID: " GUID
	    "\\r\\nTimestamp: 2024-05-01 10:11:12Z\\r\\n\"}", &t), ERR_AUTH,
	    "400 invalid_grant is ERR_AUTH");
	is_str(t.error, "invalid_grant", "400: error set");
	ok(t.error_description != NULL &&
	    strncmp(t.error_description, "AADB2C90080: ", 13) == 0 &&
	    strstr(t.error_description, "\r\nCorrelation ID: " GUID) != NULL,
	    "400: error_description decoded");
	ok(tokens_empty(&t), "400: no tokens");
	oidc_tokens_free(&t);
	ok(t.error == NULL && t.error_description == NULL,
	    "free clears error");

	is_int(parse(401, "{\"error\":\"invalid_client\"}", &t), ERR_AUTH,
	    "401 invalid_client");
	ok(t.error != NULL && t.error_description == NULL,
	    "401: no description");
	oidc_tokens_free(&t);

	is_int(parse(400, "{\"error\":\"invalid_grant\",\"access_token\":"
	    "\"at\",\"expires_in\":60}", &t), ERR_AUTH,
	    "400 with tokens in the body");
	ok(tokens_empty(&t), "400: tokens of an error answer ignored");
	oidc_tokens_free(&t);

	is_int(parse(500, "{\"error\":\"server_error\"}", &t), ERR_UPSTREAM,
	    "500 is ERR_UPSTREAM");
	ok(tokens_empty(&t), "500: no tokens");
	oidc_tokens_free(&t);
	is_int(parse(503, "{\"error\":\"temporarily_unavailable\","
	    "\"error_description\":\"x\"}", &t), ERR_UPSTREAM, "503");
	oidc_tokens_free(&t);

	is_int(parse(500, "<html><body>Internal Server Error</body></html>",
	    &t), ERR_UPSTREAM, "500 HTML");
	ok(t.error == NULL && tokens_empty(&t), "500 HTML: nothing set");
	oidc_tokens_free(&t);
	is_int(parse(400, "<html>Bad Request</html>", &t), ERR_UPSTREAM,
	    "400 HTML is ERR_UPSTREAM");
	ok(t.error == NULL, "400 HTML: no error");
	oidc_tokens_free(&t);
	is_int(parse(502, "", &t), ERR_UPSTREAM, "502 empty body");
	oidc_tokens_free(&t);

	is_int(parse(400, "{}", &t), ERR_UPSTREAM, "400 without error");
	oidc_tokens_free(&t);
	is_int(parse(400, "{\"error_description\":\"x\"}", &t), ERR_UPSTREAM,
	    "400 with only a description");
	oidc_tokens_free(&t);
	is_int(parse(400, "{\"error\":5}", &t), ERR_UPSTREAM,
	    "400 error not a string");
	oidc_tokens_free(&t);
	is_int(parse(400, "{\"error\":null}", &t), ERR_UPSTREAM,
	    "400 error null");
	oidc_tokens_free(&t);
	is_int(parse(400, "{\"error\":\"x\",\"error_description\":[]}", &t),
	    ERR_UPSTREAM, "400 description not a string");
	oidc_tokens_free(&t);
	is_int(parse(400, "{\"error\":\"a\",\"error\":\"b\"}", &t),
	    ERR_UPSTREAM, "400 duplicate error");
	oidc_tokens_free(&t);
	is_int(parse(400, "[\"invalid_grant\"]", &t), ERR_UPSTREAM,
	    "400 array");
	oidc_tokens_free(&t);

	if ((body = malloc(OIDC_ERROR_MAX + 64)) != NULL) {
		memcpy(body, "{\"error\":\"", 10);
		memset(body + 10, 'e', OIDC_ERROR_MAX);
		memcpy(body + 10 + OIDC_ERROR_MAX, "\"}", 3);
		is_int(parse(400, body, &t), ERR_AUTH, "error of the max size");
		ok(t.error != NULL && strlen(t.error) == OIDC_ERROR_MAX,
		    "error of the max size kept");
		oidc_tokens_free(&t);
		memcpy(body + 10 + OIDC_ERROR_MAX, "e\"}", 4);
		is_int(parse(400, body, &t), ERR_UPSTREAM,
		    "error over the max size");
		oidc_tokens_free(&t);
		free(body);
	}
}

static void
test_b2c_code(void)
{
	static const struct {
		const char	*s;
		enum oidc_b2c	 want;
	} cases[] = {
		{ "AADB2C90118: The user has forgotten their password.\r\n"
		    "Correlation ID: " GUID "\r\nTimestamp: 2024-05-01 "
		    "10:11:12Z\r\n", OIDC_B2C_FORGOT_PASSWORD },
		{ "AADB2C90091: The user has cancelled entering self-asserted "
		    "information.", OIDC_B2C_CANCELLED },
		{ "AADB2C90118", OIDC_B2C_FORGOT_PASSWORD },
		{ "  AADB2C90118: x", OIDC_B2C_FORGOT_PASSWORD },
		{ "AADB2C90091", OIDC_B2C_CANCELLED },
		{ "AADB2C901180", OIDC_B2C_NONE },
		{ "AADB2C901180: x", OIDC_B2C_NONE },
		{ "AADB2C90118a", OIDC_B2C_NONE },
		{ "AADB2C900910", OIDC_B2C_NONE },
		{ "AADB2C9011", OIDC_B2C_NONE },
		{ "AADB2C9011: x", OIDC_B2C_NONE },
		{ "aadb2c90118: x", OIDC_B2C_NONE },
		{ "xAADB2C90118: x", OIDC_B2C_NONE },
		{ "Error AADB2C90118: x", OIDC_B2C_NONE },
		{ "The user said AADB2C90091", OIDC_B2C_NONE },
		{ "AADB2C90080: The provided grant has expired.",
		    OIDC_B2C_NONE },
		{ "AADB2C90077: User does not have an existing session.",
		    OIDC_B2C_NONE },
		{ "AADB2C99002: x", OIDC_B2C_NONE },
		{ "AADB2C", OIDC_B2C_NONE },
		{ "", OIDC_B2C_NONE },
		{ "  ", OIDC_B2C_NONE },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		is_int(oidc_b2c_code(cases[i].s), cases[i].want,
		    "b2c code case %zu", i);
	is_int(oidc_b2c_code(NULL), OIDC_B2C_NONE, "b2c code NULL");
}

static void
test_b2c_correlation(void)
{
	static const struct {
		const char	*s;
		const char	*want;
	} cases[] = {
		{ "AADB2C90118: The user has forgotten their password.\r\n"
		    "Correlation ID: " GUID "\r\nTimestamp: 2024-05-01 "
		    "10:11:12Z\r\n", GUID },
		{ "Correlation ID: " GUID, GUID },
		{ "Correlation ID:" GUID, GUID },
		{ "Correlation ID:    " GUID "\r\n", GUID },
		{ "Correlation ID: 0C8F1A3E-5B7D-4C2A-9E61-3F2B8D4A7C15",
		    "0C8F1A3E-5B7D-4C2A-9E61-3F2B8D4A7C15" },
		{ "Correlation ID: " GUID "<script>alert(1)</script>", GUID },
		{ "Correlation ID: " GUID "\r\nCorrelation ID: 1234", GUID },
		{ "AADB2C90118: x", NULL },
		{ "", NULL },
		{ "Correlation ID: ", NULL },
		{ "Correlation ID:", NULL },
		{ "Correlation ID: \r\n" GUID, NULL },
		{ "Correlation ID: <script>", NULL },
		{ "Correlation ID: xyz", NULL },
		{ "Correlation ID: %30", NULL },
		{ "correlation id: " GUID, NULL },
		{ "Correlation  ID: " GUID, NULL },
		{ "CorrelationID: " GUID, NULL },
		/* 65 characters: over OIDC_CORRELATION_MAX. */
		{ "Correlation ID: " GUID "-" "0123456789abcdef0123456789ab",
		    NULL },
		{ "Correlation ID: " GUID GUID GUID, NULL },
	};
	char	*got;
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		got = oidc_b2c_correlation(cases[i].s);
		is_str(got, cases[i].want, "correlation case %zu", i);
		free(got);
	}
	ok(oidc_b2c_correlation(NULL) == NULL, "correlation NULL");
	got = oidc_b2c_correlation("Correlation ID: " GUID "-"
	    "0123456789abcdef0123456789a");
	ok(got != NULL && strlen(got) == 64, "correlation of 64 characters");
	free(got);
}

/* Entra's AADSTS descriptions carry a trace id beside the correlation id. */
static void
test_ms_trace(void)
{
	static const char desc[] = "AADSTS65004: User declined to consent "
	    "to access the app.\r\nTrace ID: 1b2c3d4e-0000-4000-8000-"
	    "00000000aaaa\r\nCorrelation ID: " GUID "\r\nTimestamp: "
	    "2026-12-03 01:02:03Z";
	char	*got;

	got = oidc_ms_trace(desc);
	is_str(got, "1b2c3d4e-0000-4000-8000-00000000aaaa", "trace id");
	free(got);
	got = oidc_b2c_correlation(desc);
	is_str(got, GUID, "AADSTS: the correlation id, not the trace id");
	free(got);
	ok(oidc_ms_trace("AADB2C90118: x\r\nCorrelation ID: " GUID) ==
	    NULL, "B2C: no trace id");
	ok(oidc_ms_trace("Trace ID: <script>") == NULL, "trace id: hex only");
	ok(oidc_ms_trace(NULL) == NULL, "trace id of NULL");
	is_int(oidc_b2c_code(desc), OIDC_B2C_NONE, "AADSTS is no B2C code");
}

/* PAR (RFC 9126): the answer of the endpoint, the URL that follows. */
static void
test_par(void)
{
	static const struct {
		long		 status;
		const char	*body;
		enum err	 want;
	} bad[] = {
		{ 201, "{\"expires_in\":60}", ERR_UPSTREAM },
		{ 201, "{\"request_uri\":\"\"}", ERR_UPSTREAM },
		{ 201, "{\"request_uri\":7}", ERR_UPSTREAM },
		{ 201, "[\"request_uri\"]", ERR_UPSTREAM },
		{ 201, "not json", ERR_UPSTREAM },
		{ 201, "{\"request_uri\":\"a\",\"request_uri\":\"b\"}",
		    ERR_UPSTREAM },
		{ 400, "{\"error\":\"invalid_request\"}", ERR_AUTH },
		{ 401, "{\"error\":\"invalid_client\",\"request_uri\":\"u\"}",
		    ERR_AUTH },
		{ 500, "{\"error\":\"server_error\"}", ERR_UPSTREAM },
		{ 302, "{}", ERR_UPSTREAM },
	};
	const char *ok_body = "{\"expires_in\":60,\"request_uri\":"
	    "\"urn:ietf:params:oauth:request_uri:abc\"}";
	char	*uri = NULL;
	struct buf b;
	size_t	 i;

	is_int(oidc_par_parse(201, ok_body, strlen(ok_body), &uri), ERR_OK,
	    "PAR answer 201: accepted");
	is_str(uri ? uri : "(null)", "urn:ietf:params:oauth:request_uri:abc",
	    "PAR answer: request_uri");
	free(uri);
	uri = NULL;
	is_int(oidc_par_parse(200, ok_body, strlen(ok_body), &uri), ERR_OK,
	    "PAR answer 200: accepted");
	free(uri);
	for (i = 0; i < NELEM(bad); i++) {
		uri = (char *)"x";
		is_int(oidc_par_parse(bad[i].status, bad[i].body,
		    strlen(bad[i].body), &uri), bad[i].want,
		    "PAR answer %ld %s: refused", bad[i].status, bad[i].body);
		ok(uri == NULL, "PAR answer %zu: no request_uri", i);
	}
	buf_init(&b, 0);
	is_int(oidc_par_url(ENDPOINT "?p=B2C_1_susi", "c id",
	    "urn:ietf:params:oauth:request_uri:a&b", &b), ERR_OK, "PAR url");
	is_str(buf_str(&b), ENDPOINT "?p=B2C_1_susi&client_id=c%20id"
	    "&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aa%26b",
	    "PAR url: client_id and request_uri only, encoded");
	buf_free(&b);
}

/* RFC 9207: the iss of an authorization response. */
static void
test_response_iss(void)
{
	const char *why = NULL, *iss = "https://idp.example/tenant/v2.0/";

	is_int(oidc_response_iss(iss, iss, true, &why), ERR_OK,
	    "iss: advertised, present, equal: accepted");
	is_int(oidc_response_iss(iss, iss, false, &why), ERR_OK,
	    "iss: not advertised, present, equal: accepted");
	is_int(oidc_response_iss(NULL, iss, false, &why), ERR_OK,
	    "iss: not advertised, absent: accepted");
	why = NULL;
	is_int(oidc_response_iss(NULL, iss, true, &why), ERR_AUTH,
	    "iss: advertised, absent: refused");
	ok(why != NULL && strstr(why, "no iss") != NULL, "and says why");
	is_int(oidc_response_iss("https://evil.example/", iss, true, &why),
	    ERR_AUTH, "iss: advertised, another issuer: refused");
	is_int(oidc_response_iss("https://evil.example/", iss, false, &why),
	    ERR_AUTH, "iss: not advertised, another issuer: refused");
	is_int(oidc_response_iss("https://idp.example/tenant/v2.0", iss, false,
	    &why), ERR_AUTH, "iss: compared exactly (no trailing /)");
	is_int(oidc_response_iss(iss, NULL, false, &why), ERR_AUTH,
	    "iss: no issuer known: refused");
}

int
main(void)
{
	/* oidc logs its refusals; keep them (stderr), but terse. */
	log_init("test_oidc", LOG_LEVEL_ERR);
	test_authorize_url();
	test_authorize_url_parsed();
	test_logout_url();
	test_response_iss();
	test_par();
	test_id_token_azp();
	test_id_token_iat();
	test_id_token_flow();
	test_tokens_ok();
	test_tokens_bad();
	test_tokens_error();
	test_b2c_code();
	test_b2c_correlation();
	test_ms_trace();
	return tap_done();
}
