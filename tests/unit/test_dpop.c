/*
 * test_dpop: DPoP proof verification (RFC 9449), JWK thumbprints
 * (RFC 7638) and htu matching, with the RFCs' published examples and
 * proofs signed here from the test-only keys (tests/unit/mint.h, OpenSSL
 * directly, not the code under test).  The signature algorithms
 * themselves are checked against Wycheproof in test_jws and test_jwk.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "dpop.h"
#include "jsonp.h"
#include "jwt.h"
#include "log.h"
#include "mint.h"
#include "tap.h"

/* RFC 7638 section 3.1: an RSA key and its thumbprint. */
#define RFC7638_N \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1" \
	"RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5" \
	"n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8K" \
	"JZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQF" \
	"h6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJz" \
	"KnqDKgw"
#define RFC7638_JKT "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

/* RFC 9449 section 4.1 (Figures 2 and 3): a proof for the token
 * endpoint, and section 6.1 (Figure 9): its key's thumbprint. */
#define RFC9449_X	"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"
#define RFC9449_Y	"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"
#define RFC9449_JKT	"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
#define RFC9449_PROOF \
	"eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwie" \
	"CI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5Ij" \
	"oiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI" \
	"6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0" \
	"dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNj" \
	"E2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY" \
	"-FNyJK70nfbV37xRZT3Lg"
#define RFC9449_IAT	1562262616
#define RFC9449_HTU	"https://server.example.com/token"
/* RFC 9449 section 7.1 (Figures 12 and 13): a token and its ath. */
#define RFC9449_TOKEN	"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
#define RFC9449_ATH	"fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"

#define HTU	"https://api.example.com/api/tasks"
#define NOW	1800000000

static enum err
thumb(const char *json, char out[DPOP_JKT_LEN + 1])
{
	struct json_object *o;
	enum err e;

	out[0] = '\0';
	if ((e = jsonp_parse(json, strlen(json), JSONP_DEPTH_MAX, &o)) !=
	    ERR_OK)
		return e;
	e = dpop_thumbprint(o, out);
	json_object_put(o);
	return e;
}

static void
expect_init(struct dpop_expect *ex, const char *htm, const char *htu,
    const char *token, time_t now)
{
	memset(ex, 0, sizeof(*ex));
	ex->htm = htm;
	ex->htu = htu;
	ex->token = token;
	ex->token_len = token != NULL ? strlen(token) : 0;
	ex->max_age = DPOP_MAX_AGE_DEFAULT;
	ex->leeway = 60;
	ex->now = now;
}

/* dpop_verify on a string; the reason for the log in *why. */
static enum err
verify(const char *proof, const struct dpop_expect *ex,
    struct dpop_proof *out, const char **why)
{
	return dpop_verify(proof, proof != NULL ? strlen(proof) : 0, ex, out,
	    why);
}

/*
 * A proof signed with pk: header {"typ":typ,"alg":alg,"jwk":JWK extra}
 * (typ NULL: none), the payload as given.  Caller frees.
 */
static char *
proof(EVP_PKEY *pk, bool pss, const char *typ, const char *alg,
    const char *jwk_extra, const char *payload)
{
	struct buf jwk, hdr;
	char	*out = NULL;

	buf_init(&jwk, 0);
	buf_init(&hdr, 0);
	if (!mint_jwk(&jwk, pk, "k", NULL))
		goto out;
	/* Splice jwk_extra before the JWK's closing brace. */
	jwk.data[jwk.len - 1] = '\0';
	if (buf_addf(&hdr, "{%s%s%s\"alg\":\"%s\",\"jwk\":%s%s}}",
	    typ ? "\"typ\":\"" : "", typ ? typ : "", typ ? "\"," : "", alg,
	    jwk.data, jwk_extra) != ERR_OK)
		goto out;
	out = mint_jwt(hdr.data, payload, pk, pss);
out:
	buf_free(&jwk);
	buf_free(&hdr);
	return out;
}

/* A payload with jti, htm, htu, iat and extra members. */
static const char *
claims(const char *htm, const char *htu, long iat, const char *extra)
{
	static char b[4096];
	static int n;

	if (snprintf(b, sizeof(b), "{\"jti\":\"j-%d\",\"htm\":\"%s\","
	    "\"htu\":\"%s\",\"iat\":%ld%s}", ++n, htm, htu, iat,
	    extra) >= (int)sizeof(b))
		return "{}";
	return b;
}

static void
test_thumbprint(void)
{
	char	 jkt[DPOP_JKT_LEN + 1];

	is_int(thumb("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":\"AQAB\","
	    "\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}", jkt), ERR_OK,
	    "RFC 7638 3.1: thumbprint of the example RSA key");
	is_str(jkt, RFC7638_JKT, "RFC 7638 3.1: the published thumbprint");
	is_int(thumb("{\"e\":\"AQAB\",\"kid\":\"x\",\"n\":\"" RFC7638_N
	    "\",\"use\":\"sig\",\"kty\":\"RSA\"}", jkt), ERR_OK,
	    "thumbprint: members in another order, others added");
	is_str(jkt, RFC7638_JKT, "thumbprint: only the required members count");
	is_int(thumb("{\"kty\":\"EC\",\"x\":\"" RFC9449_X "\",\"y\":\""
	    RFC9449_Y "\",\"crv\":\"P-256\"}", jkt), ERR_OK,
	    "RFC 9449 6.1: thumbprint of the example EC key");
	is_str(jkt, RFC9449_JKT, "RFC 9449 6.1: the published jkt");
	is_int(thumb("{\"kty\":\"EC\",\"x\":\"" RFC9449_X "\",\"crv\":"
	    "\"P-256\"}", jkt), ERR_INPUT, "thumbprint: EC without y refused");
	is_int(thumb("{\"kty\":\"RSA\",\"n\":\"" RFC7638_N "\",\"e\":1}",
	    jkt), ERR_INPUT, "thumbprint: a non-string e refused");
	is_int(thumb("{\"kty\":\"oct\",\"k\":\"AAAA\"}", jkt), ERR_INPUT,
	    "thumbprint: kty oct refused");
	is_str(jkt, "", "thumbprint: nothing written on failure");
}

static void
test_htu(void)
{
	static const struct {
		const char *htu, *url;
		bool	 same;
		const char *what;
	} c[] = {
		{ HTU, HTU, true, "the same URL" },
		{ "HTTPS://API.Example.COM/api/tasks", HTU, true,
		    "scheme and host in upper case" },
		{ "https://api.example.com:443/api/tasks", HTU, true,
		    "the default port written out" },
		{ "http://127.0.0.1:8081/api/tasks", "http://127.0.0.1:8081"
		    "/api/tasks", true, "a loopback URL with its port" },
		{ "http://127.0.0.1/api/tasks", "http://127.0.0.1:80"
		    "/api/tasks", true, "http's default port" },
		{ HTU "?x=1#frag", HTU, true, "query and fragment ignored" },
		{ HTU, HTU "?limit=5", true, "the request's query ignored" },
		{ "https://api.example.com/api/%74asks", HTU, true,
		    "an encoded unreserved character decoded" },
		{ "https://api.example.com/a%2fb", "https://api.example.com"
		    "/a%2Fb", true, "percent-encoding hex case" },
		{ "https://api.example.com/api/x/../tasks", HTU, true,
		    "dot segments removed" },
		{ "https://api.example.com", "https://api.example.com/", true,
		    "an empty path is /" },
		{ "https://api.example.com/a%2Fb", "https://api.example.com"
		    "/a/b", false, "an encoded slash is not a slash" },
		{ "http://api.example.com/api/tasks", HTU, false,
		    "http is not https" },
		{ "https://api.example.com:8443/api/tasks", HTU, false,
		    "another port" },
		{ "https://evil.example.com/api/tasks", HTU, false,
		    "another host" },
		{ "https://api.example.com/api/tasks/", HTU, false,
		    "a trailing slash" },
		{ "https://api.example.com/API/tasks", HTU, false,
		    "path case matters" },
		{ "https://u:p@api.example.com/api/tasks", HTU, false,
		    "user info refused" },
		{ "ftp://api.example.com/api/tasks", "ftp://api.example.com"
		    "/api/tasks", false, "not http(s)" },
		{ "/api/tasks", HTU, false, "a relative htu" },
		{ "", HTU, false, "an empty htu" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ok(dpop_htu_match(c[i].htu, c[i].url) == c[i].same,
		    "htu: %s: %s", c[i].what, c[i].same ? "match" : "no match");
	ok(!dpop_htu_match(NULL, HTU), "htu: NULL does not match");
}

static void
test_rfc_example(void)
{
	struct dpop_expect ex;
	struct dpop_proof p;
	const char *why;
	char	*bad;

	expect_init(&ex, "POST", RFC9449_HTU, NULL, RFC9449_IAT);
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_OK,
	    "RFC 9449 4.1: the example proof verifies");
	is_str(p.jkt, RFC9449_JKT, "RFC 9449: its key's thumbprint is the "
	    "published jkt");
	is_int(strlen(p.jti_hash), CRYPTO_SHA256_HEX_LEN,
	    "RFC 9449: the jti is handed out hashed");
	is_int(p.expires, RFC9449_IAT + DPOP_MAX_AGE_DEFAULT + 60,
	    "RFC 9449: remembered until iat + max_age + leeway");
	ex.htm = "GET";
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_AUTH,
	    "example proof: another method refused");
	is_str(why, "proof htm does not match the request method",
	    "example proof: the reason names htm");
	is_str(p.jkt, "", "example proof: nothing handed out on failure");
	ex.htm = "POST";
	ex.htu = "https://server.example.com/authorize";
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_AUTH,
	    "example proof: another URL refused");
	ex.htu = RFC9449_HTU;
	ex.now = RFC9449_IAT + DPOP_MAX_AGE_DEFAULT + 61;
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_AUTH,
	    "example proof: refused once older than max_age + leeway");
	is_str(why, "proof too old", "example proof: too old");
	ex.now = RFC9449_IAT + DPOP_MAX_AGE_DEFAULT + 60;
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_OK,
	    "example proof: accepted at the last second");
	ex.now = RFC9449_IAT - 61;
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_AUTH,
	    "example proof: iat beyond the leeway in the future refused");
	ex.now = RFC9449_IAT;
	ex.token = RFC9449_TOKEN;
	ex.token_len = strlen(RFC9449_TOKEN);
	is_int(verify(RFC9449_PROOF, &ex, &p, &why), ERR_AUTH,
	    "example proof: no ath, so not good with an access token");
	is_str(why, "proof ath missing or not a string", "... the reason");
	ex.token = NULL;
	bad = strdup(RFC9449_PROOF);
	bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
	is_int(verify(bad, &ex, &p, &why), ERR_AUTH,
	    "example proof: a changed signature refused");
	free(bad);
	is_int(verify(RFC9449_PROOF ", " RFC9449_PROOF, &ex, &p, &why),
	    ERR_AUTH, "two proofs (a repeated DPoP header) refused");
	is_int(verify("", &ex, &p, &why), ERR_AUTH, "an empty proof refused");
	is_int(verify(NULL, &ex, &p, &why), ERR_AUTH, "no proof refused");
}

static void
test_signed(void)
{
	EVP_PKEY *ec = mint_key("test-only-ec-p256.pem");
	EVP_PKEY *rsa = mint_key("test-only-rsa-1.pem");
	struct dpop_expect ex;
	struct dpop_proof p;
	struct buf big;
	const char *why;
	char	*t, ath[128], jwkjkt[DPOP_JKT_LEN + 1];
	struct buf jwk;

	if (!ok(ec != NULL && rsa != NULL, "the test keys load (srcdir)"))
		return;
	expect_init(&ex, "GET", HTU, RFC9449_TOKEN, NOW);
	snprintf(ath, sizeof(ath), ",\"ath\":\"%s\"", RFC9449_ATH);

	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_OK,
	    "ES256 proof with RFC 9449 7.1's ath for its token verifies");
	buf_init(&jwk, 0);
	(void)mint_jwk(&jwk, ec, "k", NULL);
	is_int(thumb(jwk.data, jwkjkt), ERR_OK, "the EC key's thumbprint");
	is_str(p.jkt, jwkjkt, "the proof's jkt is its key's thumbprint");
	buf_free(&jwk);
	ex.token = "another-token";
	ex.token_len = strlen(ex.token);
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "the same proof with another access token refused (ath)");
	is_str(why, "proof ath does not match the access token",
	    "... the reason names ath");
	ex.token = NULL;
	is_int(verify(t, &ex, &p, &why), ERR_OK,
	    "without an access token ath is not checked (token endpoint)");
	ex.token = RFC9449_TOKEN;
	ex.token_len = strlen(RFC9449_TOKEN);
	free(t);

	t = proof(rsa, false, "dpop+jwt", "RS256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_OK, "RS256 proof verifies");
	free(t);
	t = proof(rsa, true, "dpop+jwt", "PS256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_OK,
	    "PS256 proof verifies (jwk without alg)");
	free(t);
	t = proof(rsa, true, "dpop+jwt", "PS256", ",\"alg\":\"PS256\"",
	    claims("GET", HTU, NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_OK,
	    "PS256 proof verifies (jwk alg PS256)");
	free(t);
	t = proof(rsa, true, "dpop+jwt", "PS256", ",\"alg\":\"RS256\"",
	    claims("GET", HTU, NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "jwk alg RS256 under a PS256 proof refused");
	free(t);
	t = proof(rsa, true, "dpop+jwt", "RS256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "a PSS signature under alg RS256 refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "RS256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "an EC key under alg RS256 refused");
	free(t);

	t = proof(ec, false, "JWT", "ES256", "", claims("GET", HTU, NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "typ JWT refused");
	is_str(why, "proof typ is not dpop+jwt", "... the reason names typ");
	free(t);
	t = proof(ec, false, "DPoP+JWT", "ES256", "", claims("GET", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "typ in another case "
	    "refused");
	free(t);
	t = proof(ec, false, NULL, "ES256", "", claims("GET", HTU, NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "no typ refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256",
	    ",\"d\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
	    claims("GET", HTU, NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "a private key (d) in the jwk refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("POST", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "htm POST for a GET refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("get", HTU, NOW,
	    ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "htm in lower case refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("GET",
	    "https://api.example.com/api/tasks/1", NOW, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "htu of another path "
	    "refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("GET", HTU,
	    NOW - DPOP_MAX_AGE_DEFAULT - 61, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "an expired iat refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", claims("GET", HTU,
	    NOW + 61, ath));
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "a future iat refused");
	free(t);
	t = mint_jwt("{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"kty\":"
	    "\"EC\",\"crv\":\"P-256\",\"x\":\"" RFC9449_X "\",\"y\":\""
	    RFC9449_Y "\"}}", claims("GET", HTU, NOW, ath), ec, false);
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "signed by another key than the jwk's refused");
	is_str(why, "proof signature does not verify with its jwk",
	    "... the reason names the signature");
	free(t);
	t = mint_jwt("{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\"}",
	    claims("GET", HTU, NOW, ath), ec, false);
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "no jwk refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", "{\"htm\":\"GET\","
	    "\"htu\":\"" HTU "\",\"iat\":1800000000,\"ath\":\"" RFC9449_ATH
	    "\"}");
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "no jti refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", "{\"jti\":\"\","
	    "\"htm\":\"GET\",\"htu\":\"" HTU "\",\"iat\":1800000000,"
	    "\"ath\":\"" RFC9449_ATH "\"}");
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "an empty jti refused");
	free(t);
	t = proof(ec, false, "dpop+jwt", "ES256", "", "{\"jti\":\"j\","
	    "\"htm\":\"GET\",\"htu\":\"" HTU "\",\"iat\":\"1800000000\","
	    "\"ath\":\"" RFC9449_ATH "\"}");
	is_int(verify(t, &ex, &p, &why), ERR_AUTH, "iat as a string refused");
	free(t);
	buf_init(&big, 0);
	(void)buf_adds(&big, "{\"jti\":\"");
	while (big.len < DPOP_PROOF_MAX)
		(void)buf_adds(&big, "xxxxxxxxxxxxxxxx");
	(void)buf_addf(&big, "\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%d}",
	    HTU, NOW);
	t = proof(ec, false, "dpop+jwt", "ES256", "", big.data);
	is_int(verify(t, &ex, &p, &why), ERR_AUTH,
	    "a proof over DPOP_PROOF_MAX bytes refused");
	free(t);
	buf_free(&big);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
}

static void
test_token_jkt(void)
{
	static const struct {
		const char *claims;
		enum err e;
		const char *jkt;
		const char *what;
	} c[] = {
		{ "{\"sub\":\"a\"}", ERR_OK, NULL, "no cnf: not bound" },
		{ "{\"cnf\":{\"jkt\":\"" RFC9449_JKT "\"}}", ERR_OK, RFC9449_JKT,
		    "cnf.jkt: bound" },
		{ "{\"cnf\":\"x\"}", ERR_INPUT, NULL, "cnf not an object" },
		{ "{\"cnf\":{\"x5t#S256\":\"" RFC9449_JKT "\"}}", ERR_INPUT,
		    NULL, "cnf without jkt (another binding)" },
		{ "{\"cnf\":{\"jkt\":\"short\"}}", ERR_INPUT, NULL,
		    "cnf.jkt of the wrong length" },
		{ "{\"cnf\":{\"jkt\":5}}", ERR_INPUT, NULL, "cnf.jkt a number" },
	};
	EVP_PKEY *ec = mint_key("test-only-ec-p256.pem");
	struct jwt *jwt;
	const char *jkt;
	char	*t;
	size_t	 i;

	for (i = 0; ec != NULL && i < sizeof(c) / sizeof(c[0]); i++) {
		t = mint_jwt("{\"alg\":\"ES256\"}", c[i].claims, ec, false);
		if (t == NULL || jwt_parse(t, strlen(t), &jwt) != ERR_OK) {
			ok(false, "token: %s: mint and parse", c[i].what);
			free(t);
			continue;
		}
		is_int(dpop_token_jkt(jwt, &jkt), c[i].e, "token: %s", c[i].what);
		is_str(jkt, c[i].jkt, "token: %s: jkt", c[i].what);
		jwt_free(jwt);
		free(t);
	}
	EVP_PKEY_free(ec);
}

int
main(void)
{
	log_init("test_dpop", LOG_LEVEL_WARN);
	test_thumbprint();
	test_htu();
	test_rfc_example();
	test_signed();
	test_token_jkt();
	return tap_done();
}
