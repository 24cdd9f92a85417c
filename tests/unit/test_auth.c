/*
 * test_auth: tokens signed here with the test keys in tests/keys/ (as
 * tests/tools/mint-jwt does), verified by auth_verify against providers
 * whose discovery documents and keys a real local HTTP server (httpd.h)
 * serves: issuer, audience, expiry, lifetime, nonce, algorithms, unknown
 * and foreign keys, each key bound to its provider's issuer, unreachable
 * providers, several user flows; then what the programs read from a
 * verified token (scopes, the user claim list) and the cache of verified
 * tokens (tokencache) in front of it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "buf.h"
#include "httpc.h"
#include "jsonp.h"
#include "log.h"
#include "provider.h"
#include "tokencache.h"
#include "httpd.h"
#include "mint.h"
#include "tap.h"

#define NOW		((time_t)1700000000)
#define ISS_SUSI	"https://login.example/tenant/B2C_1_susi/v2.0/"
#define ISS_EDIT	"https://login.example/tenant/B2C_1_edit/v2.0/"
#define ISS_TENANT	"https://login.example/tenant-guid/v2.0/"
#define AUD		"api-client-id"
#define LEEWAY		60

static struct httpd srv;
static struct httpc *http;
static EVP_PKEY *rsa1, *rsa2, *ec, *evil;
static struct provider *prov[2];	/* susi (rsa-1, ec-1), edit (rsa-2) */
static struct provider *susi2;	/* issuer ISS_SUSI, edit's keys (rsa-2) */

/* RS256 (or ES256 for EC keys) token with kid over claims. */
static char *
tok(EVP_PKEY *pk, const char *kid, const char *claims)
{
	char	 hdr[256];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\","
	    "\"kid\":\"%s\"}", EVP_PKEY_is_a(pk, "EC") ? "ES256" : "RS256",
	    kid);
	return mint_jwt(hdr, claims, pk, false);
}

/* Claims with iss, aud, exp = NOW + ttl and extra members. */
static char *
claims(const char *iss, const char *aud, long ttl, const char *extra)
{
	static char c[1024];

	snprintf(c, sizeof(c), "{\"iss\":\"%s\",\"aud\":%s,\"sub\":\"s-1\","
	    "\"iat\":%lld,\"exp\":%lld%s}", iss, aud, (long long)NOW,
	    (long long)(NOW + ttl), extra);
	return c;
}

static enum err
verify(const struct auth_policy *pol, const char *t, time_t now,
    struct jwt **out, const char **why)
{
	if (t == NULL) {
		*out = NULL;
		*why = "mint failed";
		return ERR__MAX;
	}
	return auth_verify(pol, http, t, strlen(t), now, out, why);
}

/* Verify t and expect ERR_AUTH with reason want (NULL: any). */
static void
rejects(const struct auth_policy *pol, char *t, time_t now,
    const char *want, const char *what)
{
	struct jwt *j = (struct jwt *)&j;	/* not NULL: must be reset */
	const char *why = NULL;
	enum err e;

	e = verify(pol, t, now, &j, &why);
	ok(e == ERR_AUTH && j == NULL && why != NULL &&
	    (want == NULL || strcmp(why, want) == 0), "%s: refused (%s)",
	    what, why != NULL ? why : "no reason");
	free(t);
}

static void
accepts(const struct auth_policy *pol, char *t, time_t now,
    const char *what)
{
	struct jwt *j = NULL;
	const char *why = "unset";
	enum err e;

	e = verify(pol, t, now, &j, &why);
	ok(e == ERR_OK && j != NULL && why == NULL, "%s: accepted%s%s", what,
	    e != ERR_OK ? ": " : "", e != ERR_OK && why ? why : "");
	jwt_free(j);
	free(t);
}

static bool
setup_providers(void)
{
	struct buf b;
	bool	 good;

	buf_init(&b, 0);
	good = buf_adds(&b, "{\"keys\":[") == ERR_OK &&
	    mint_jwk(&b, rsa1, "rsa-1", "RS256") &&
	    buf_addc(&b, ',') == ERR_OK && mint_jwk(&b, ec, "ec-1", NULL) &&
	    buf_adds(&b, "]}") == ERR_OK && httpd_put(&srv, "susi-keys",
	    b.data);
	buf_reset(&b);
	good = good && buf_adds(&b, "{\"keys\":[") == ERR_OK &&
	    mint_jwk(&b, rsa2, "rsa-2", NULL) &&
	    buf_adds(&b, "]}") == ERR_OK && httpd_put(&srv, "edit-keys",
	    b.data);
	buf_reset(&b);
	good = good && buf_addf(&b, "{\"issuer\":\"" ISS_SUSI "\","
	    "\"jwks_uri\":\"%s/susi-keys\"}", srv.base) == ERR_OK &&
	    httpd_put(&srv, "susi", b.data);
	buf_reset(&b);
	good = good && buf_addf(&b, "{\"issuer\":\"" ISS_EDIT "\","
	    "\"jwks_uri\":\"%s/edit-keys\"}", srv.base) == ERR_OK &&
	    httpd_put(&srv, "edit", b.data);
	/* Another flow of the susi tenant: same issuer, other keys. */
	buf_reset(&b);
	good = good && buf_addf(&b, "{\"issuer\":\"" ISS_SUSI "\","
	    "\"jwks_uri\":\"%s/edit-keys\"}", srv.base) == ERR_OK &&
	    httpd_put(&srv, "susi2", b.data);
	buf_free(&b);
	return good && provider_new(httpd_url(&srv, "/susi"), &prov[0]) ==
	    ERR_OK && provider_new(httpd_url(&srv, "/edit"), &prov[1]) ==
	    ERR_OK && provider_new(httpd_url(&srv, "/susi2"), &susi2) ==
	    ERR_OK;
}

/* Both providers, our audience, LEEWAY; nothing else. */
static void
pol_init(struct auth_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->providers = prov;
	pol->nproviders = 2;
	pol->audience = AUD;
	pol->leeway = LEEWAY;
}

static void
test_claims(const struct auth_policy *pol)
{
	const char *a = "\"" AUD "\"";

	accepts(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "RS256, susi flow");
	accepts(pol, tok(ec, "ec-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "ES256, susi flow");
	accepts(pol, tok(rsa2, "rsa-2", claims(ISS_EDIT, a, 600, "")), NOW,
	    "RS256, edit-profile flow (the second provider)");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_EDIT, a, 600, "")), NOW,
	    "unknown signing key",
	    "one provider's key under another provider's issuer");
	accepts(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "[\"other\",\"" AUD
	    "\"]", 600, "")), NOW, "aud an array holding ours");
	rejects(pol, tok(rsa1, "rsa-1", claims("https://evil.example/", a,
	    600, "")), NOW, "wrong issuer", "an issuer of no provider");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI "x", a, 600, "")),
	    NOW, "wrong issuer", "an issuer with a suffix");
	rejects(pol, tok(rsa1, "rsa-1", "{\"aud\":\"" AUD "\",\"exp\":"
	    "1700000600}"), NOW, "missing or bad issuer", "no issuer");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"other\"", 600,
	    "")), NOW, "wrong audience", "another audience");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "[\"a\",\"b\"]", 600,
	    "")), NOW, "wrong audience", "an audience list without ours");
	rejects(pol, tok(rsa1, "rsa-1", "{\"iss\":\"" ISS_SUSI "\","
	    "\"exp\":1700000600}"), NOW, "missing audience", "no audience");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, -LEEWAY - 1,
	    "")), NOW, "token expired", "expired beyond the leeway");
	accepts(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, -LEEWAY + 1,
	    "")), NOW, "expired within the leeway");
	rejects(pol, tok(rsa1, "rsa-1", "{\"iss\":\"" ISS_SUSI "\",\"aud\":\""
	    AUD "\"}"), NOW, "missing exp", "no exp");
	rejects(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600,
	    ",\"nbf\":1700000100")), NOW, "token not yet valid",
	    "nbf in the future");
	accepts(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600,
	    ",\"nbf\":1700000030")), NOW, "nbf within the leeway");
}

static void
test_policy(void)
{
	struct auth_policy pol;
	const char *a = "\"" AUD "\"";

	pol_init(&pol);
	/* B2C: the configured issuer replaces the documents' issuers. */
	pol.issuer = ISS_TENANT;
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_TENANT, a, 600, "")), NOW,
	    "the configured issuer");
	accepts(&pol, tok(rsa2, "rsa-2", claims(ISS_TENANT, a, 600, "")), NOW,
	    "the configured issuer stands for every provider's keys");
	rejects(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "wrong issuer", "a document's issuer when one is configured");
	pol.issuer = NULL;
	/* id_token: the nonce. */
	pol.nonce = "n-0S6_WzA2Mj";
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600,
	    ",\"nonce\":\"n-0S6_WzA2Mj\"")), NOW, "the expected nonce");
	rejects(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600,
	    ",\"nonce\":\"n-0S6_WzA2Mk\"")), NOW, "wrong nonce",
	    "another nonce");
	rejects(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "missing or bad nonce", "no nonce");
	pol.nonce = NULL;
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600,
	    ",\"nonce\":\"x\"")), NOW, "a nonce not asked for is ignored");
	/* One provider only: the other's keys and issuer are foreign. */
	pol.nproviders = 1;
	rejects(&pol, tok(rsa2, "rsa-2", claims(ISS_SUSI, a, 600, "")), NOW,
	    "unknown signing key", "a key of an untrusted flow");
	rejects(&pol, tok(rsa1, "rsa-1", claims(ISS_EDIT, a, 600, "")), NOW,
	    "wrong issuer", "the issuer of an untrusted flow");
}

/*
 * A key speaks only for the issuer of the provider that serves it: each
 * case is a token signed by *key under kid with iss (and a nonce for an
 * id_token), verified by susi and edit, or by susi and susi2 (one
 * tenant's two flows: one issuer); why NULL: accepted.
 */
static void
test_issuer_binding(void)
{
	static const struct {
		EVP_PKEY	**key;
		const char	 *kid, *iss;
		bool		  one_tenant, id_token;
		const char	 *why, *what;
	} cases[] = {
		{ &rsa2, "rsa-2", ISS_SUSI, false, false, "unknown signing key",
		    "edit's key under susi's issuer" },
		{ &ec, "ec-1", ISS_EDIT, false, false, "unknown signing key",
		    "susi's EC key under edit's issuer" },
		{ &rsa2, "rsa-2", ISS_EDIT, false, false, NULL,
		    "edit's key under edit's issuer" },
		{ &rsa2, "rsa-2", ISS_SUSI, true, false, NULL,
		    "one issuer, two flows: the second flow's key" },
		{ &rsa1, "rsa-1", ISS_SUSI, true, false, NULL,
		    "one issuer, two flows: the first flow's key" },
		{ &rsa2, "rsa-2", ISS_EDIT, true, false, "wrong issuer",
		    "one issuer, two flows: an issuer neither names" },
		{ &rsa1, "rsa-1", ISS_EDIT, false, true, "unknown signing key",
		    "id_token: susi's key under edit's issuer" },
		{ &rsa1, "rsa-1", ISS_SUSI, false, true, NULL,
		    "id_token: susi's key under susi's issuer" },
	};
	struct provider *tenant[2];
	struct auth_policy pol;
	size_t	 i;
	char	*t;

	tenant[0] = prov[0];
	tenant[1] = susi2;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pol_init(&pol);
		if (cases[i].one_tenant)
			pol.providers = tenant;
		pol.nonce = cases[i].id_token ? "n-1" : NULL;
		t = tok(*cases[i].key, cases[i].kid, claims(cases[i].iss,
		    "\"" AUD "\"", 600, cases[i].id_token ?
		    ",\"nonce\":\"n-1\"" : ""));
		if (cases[i].why == NULL)
			accepts(&pol, t, NOW, cases[i].what);
		else
			rejects(&pol, t, NOW, cases[i].why, cases[i].what);
	}
}

/* max_lifetime: exp - iat, or exp - now without iat. */
static void
test_lifetime(void)
{
	struct auth_policy pol;
	char	 c[512];

	pol_init(&pol);
	pol.max_lifetime = 3600;
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"" AUD "\"", 3600,
	    "")), NOW, "lifetime: exp - iat = max_lifetime");
	rejects(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"" AUD "\"", 3601,
	    "")), NOW, "token lifetime too long",
	    "lifetime: exp - iat = max_lifetime + 1");
	snprintf(c, sizeof(c), "{\"iss\":\"" ISS_SUSI "\",\"aud\":\"" AUD
	    "\",\"iat\":%lld,\"exp\":%lld}", (long long)NOW - 7200,
	    (long long)NOW + 60);
	rejects(&pol, tok(rsa1, "rsa-1", c), NOW, "token lifetime too long",
	    "lifetime: issued two hours ago, valid another minute");
	snprintf(c, sizeof(c), "{\"iss\":\"" ISS_SUSI "\",\"aud\":\"" AUD
	    "\",\"exp\":%lld}", (long long)NOW + 3601);
	rejects(&pol, tok(rsa1, "rsa-1", c), NOW, "token lifetime too long",
	    "lifetime: no iat, exp - now = max_lifetime + 1");
	snprintf(c, sizeof(c), "{\"iss\":\"" ISS_SUSI "\",\"aud\":\"" AUD
	    "\",\"exp\":%lld}", (long long)NOW + 3600);
	accepts(&pol, tok(rsa1, "rsa-1", c), NOW,
	    "lifetime: no iat, exp - now = max_lifetime");
	snprintf(c, sizeof(c), "{\"iss\":\"" ISS_SUSI "\",\"aud\":\"" AUD
	    "\",\"iat\":-9007199254740991,\"exp\":%lld}", (long long)NOW + 60);
	rejects(&pol, tok(rsa1, "rsa-1", c), NOW, "token lifetime too long",
	    "lifetime: an iat far in the past");
	pol.max_lifetime = 0;
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"" AUD "\"",
	    400000, "")), NOW, "lifetime: max_lifetime 0 checks nothing");
}

static void
test_keys(const struct auth_policy *pol)
{
	const char *a = "\"" AUD "\"";
	char	*t, *dot;
	int	 k0, k1;

	rejects(pol, tok(evil, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "bad signature", "a foreign key under a trusted kid");
	rejects(pol, tok(rsa2, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "bad signature", "another flow's key under this flow's kid");
	t = tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, ""));
	if (t != NULL && (dot = strrchr(t, '.')) != NULL)
		dot[5] = dot[5] == 'A' ? 'B' : 'A';
	rejects(pol, t, NOW, "bad signature", "a changed signature");
	rejects(pol, mint_jwt("{\"alg\":\"PS256\",\"kid\":\"rsa-1\"}",
	    claims(ISS_SUSI, a, 600, ""), rsa1, true), NOW,
	    "unknown signing key", "PS256 with an RS256 key");
	rejects(pol, mint_jwt("{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}",
	    claims(ISS_SUSI, a, 600, ""), rsa1, false), NOW,
	    "algorithm not allowed", "HS256");
	rejects(pol, mint_jwt("{\"alg\":\"RS384\",\"kid\":\"rsa-1\"}",
	    claims(ISS_SUSI, a, 600, ""), rsa1, false), NOW,
	    "algorithm not allowed", "RS384");
	rejects(pol, strdup("not.a.token"), NOW, "malformed token",
	    "garbage");
	rejects(pol, strdup(""), NOW, "malformed token", "empty");
	rejects(pol, mint_jwt("{\"alg\":\"RS256\",\"kid\":\"rsa-1\","
	    "\"crit\":[\"exp\"]}", claims(ISS_SUSI, a, 600, ""), rsa1, false),
	    NOW, "malformed token", "a crit header");

	/*
	 * An unknown kid refetches the keys, at most once a minute, of the
	 * providers of the token's issuer only.
	 */
	k0 = httpd_hits(&srv, "/susi-keys");
	k1 = httpd_hits(&srv, "/edit-keys");
	rejects(pol, tok(evil, "new-key", claims(ISS_SUSI, a, 600, "")),
	    NOW + PROVIDER_REFETCH_MIN + 1, "unknown signing key",
	    "an unknown kid, a minute after the last refetch");
	is_int(httpd_hits(&srv, "/susi-keys") - k0, 1,
	    "... made the issuer's provider refetch its keys");
	is_int(httpd_hits(&srv, "/edit-keys") - k1, 0,
	    "... and no other provider");
	rejects(pol, tok(evil, "new-key-2", claims(ISS_SUSI, a, 600, "")),
	    NOW + PROVIDER_REFETCH_MIN + 2, "unknown signing key",
	    "another unknown kid at once");
	is_int(httpd_hits(&srv, "/susi-keys") + httpd_hits(&srv,
	    "/edit-keys") - k0 - k1, 1, "... fetched nothing (rate limited)");
	k0 = httpd_hits(&srv, "/susi-keys");
	accepts(pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, "")),
	    NOW + PROVIDER_REFETCH_MIN + 3, "a known key");
	is_int(httpd_hits(&srv, "/susi-keys") - k0, 0,
	    "... from the cached keys, nothing fetched");
}

static void
test_unreachable(void)
{
	struct provider *down[2] = { NULL, NULL };
	struct auth_policy pol;
	struct jwt *j = NULL;
	const char *why = NULL;
	const char *a = "\"" AUD "\"";
	char	*t;

	if (provider_new(httpd_url(&srv, "/down-1"), &down[0]) != ERR_OK ||
	    provider_new(httpd_url(&srv, "/down-2"), &down[1]) != ERR_OK)
		goto out;
	memset(&pol, 0, sizeof(pol));
	pol.providers = down;
	pol.nproviders = 2;
	pol.audience = AUD;
	t = tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, ""));
	ok(verify(&pol, t, NOW, &j, &why) == ERR_UPSTREAM && j == NULL &&
	    why != NULL && strcmp(why, "no identity provider reachable") == 0,
	    "no provider reachable: ERR_UPSTREAM");
	free(t);
	rejects(&pol, strdup("x.y"), NOW, "malformed token",
	    "a malformed token is refused before any provider is asked");
	/* One down, one up: the token's issuer may be the one down. */
	provider_free(down[1]);
	down[1] = prov[0];
	pol.leeway = LEEWAY;
	t = tok(rsa2, "rsa-2", claims(ISS_EDIT, a, 600, ""));
	ok(verify(&pol, t, NOW, &j, &why) == ERR_UPSTREAM && j == NULL,
	    "an issuer no reachable provider names, one provider down: "
	    "ERR_UPSTREAM");
	free(t);
	down[1] = NULL;
	if (provider_new(httpd_url(&srv, "/down-2"), &down[1]) != ERR_OK)
		goto out;
	/* One down, one up: verified by the one that answers. */
	provider_free(down[1]);
	down[1] = prov[0];
	pol.leeway = LEEWAY;
	accepts(&pol, tok(rsa1, "rsa-1", claims(ISS_SUSI, a, 600, "")), NOW,
	    "one provider down, the other verifies");
	down[1] = NULL;
out:
	provider_free(down[0]);
	provider_free(down[1]);
}

/* What api-fcgi reads from a verified token, and its verified cache. */
static void
test_grants(const struct auth_policy *pol)
{
	const struct tokencache_entry *hit;
	struct tokencache *cache = NULL;
	struct jwt *j = NULL;
	const char *why, *user;
	int64_t	 exp;
	char	*t;

	t = tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"" AUD "\"", 600,
	    ",\"oid\":\"o-42\",\"scp\":\"read write.all\""));
	if (!ok(verify(pol, t, NOW, &j, &why) == ERR_OK,
	    "a token with scp and oid")) {
		free(t);
		return;
	}
	ok(jwt_has_scope(j, "read"), "scp: read granted");
	ok(!jwt_has_scope(j, "write"), "scp: write not granted by write.all");
	ok(!jwt_has_scope(j, "Read"), "scp: matched case-sensitively");
	ok(!jwt_has_scope(j, "read write.all"), "scp: one word at a time");
	user = jwt_claim_str(j, "oid");
	is_str(user, "o-42", "user claim oid");
	is_str(jwt_claim_str(j, "sub"), "s-1", "sub beside it");
	is_str(jwt_claim_str(j, "iss"), ISS_SUSI, "iss of the verified token");

	/* Remembered by the token until exp. */
	ok(tokencache_new(&cache) == ERR_OK, "tokencache_new");
	ok(jsonp_int64(jwt_claims(j), "exp", &exp) == ERR_OK &&
	    exp == NOW + 600, "exp of the verified token");
	hit = tokencache_put(cache, t, strlen(t), jwt_claim_str(j, "iss"),
	    user, 1u, (time_t)exp, NOW);
	ok(hit != NULL && strcmp(hit->sub, "o-42") == 0,
	    "the verified grant cached");
	hit = tokencache_get(cache, t, strlen(t), NOW + 299);
	ok(hit != NULL && hit->scopes == 1u && strcmp(hit->iss, ISS_SUSI) ==
	    0, "the same token again: from the cache");
	ok(tokencache_get(cache, t, strlen(t) - 1, NOW) == NULL,
	    "another token: not in the cache");
	ok(tokencache_get(cache, t, strlen(t), NOW + 600) == NULL,
	    "at exp: gone from the cache");
	jwt_free(j);
	free(t);

	t = tok(rsa1, "rsa-1", claims(ISS_SUSI, "\"" AUD "\"", 600,
	    ",\"scope\":[\"read\",\"write\"]"));
	if (verify(pol, t, NOW, &j, &why) == ERR_OK) {
		ok(jwt_has_scope(j, "read") && jwt_has_scope(j, "write"),
		    "scope as an array (RFC 9068)");
		ok(jwt_claim_str(j, "oid") == NULL &&
		    strcmp(jwt_claim_str(j, "sub"), "s-1") == 0,
		    "no oid: the user is sub");
		jwt_free(j);
	} else
		ok(false, "a token with a scope array: %s", why);
	free(t);
	tokencache_free(cache);
}

/* The user the claim list names in a token with extra claims. */
static void
user_is(const struct auth_policy *pol, const char *list, const char *extra,
    const char *want, const char *what)
{
	struct jwt *j = NULL;
	const char *why = NULL, *user = (const char *)&j;
	char	 c[1024];
	char	*t;
	enum err e = ERR__MAX;

	snprintf(c, sizeof(c), "{\"iss\":\"" ISS_SUSI "\",\"aud\":\"" AUD
	    "\",\"exp\":%lld%s}", (long long)NOW + 600, extra);
	t = tok(rsa1, "rsa-1", c);
	if (verify(pol, t, NOW, &j, &why) == ERR_OK)
		e = auth_user(j, list, &user, &why);
	if (want != NULL)
		ok(e == ERR_OK && user != NULL && strcmp(user, want) == 0 &&
		    why == NULL, "user claim \"%s\": %s: %s", list, what, want);
	else
		ok(e == ERR_AUTH && user == NULL && why != NULL,
		    "user claim \"%s\": %s: refused (%s)", list, what,
		    why != NULL ? why : "no reason");
	jwt_free(j);
	free(t);
}

static void
test_user(const struct auth_policy *pol)
{
	char	 big[AUTH_USER_MAX + 32], want[AUTH_USER_MAX + 1];

	user_is(pol, "oid", ",\"oid\":\"o-1\",\"sub\":\"s-1\"", "o-1",
	    "oid and sub");
	user_is(pol, "oid", ",\"sub\":\"s-1\"", NULL,
	    "sub only: no silent fallback");
	user_is(pol, "sub", ",\"oid\":\"o-1\",\"sub\":\"s-1\"", "s-1",
	    "sub named");
	user_is(pol, "oid sub", ",\"sub\":\"s-1\"", "s-1",
	    "oid absent: the next name");
	user_is(pol, "oid sub", ",\"oid\":\"o-1\",\"sub\":\"s-1\"", "o-1",
	    "both present: the first");
	user_is(pol, "  oid   sub ", ",\"sub\":\"s-1\"", "s-1",
	    "extra spaces");
	user_is(pol, "oid sub", ",\"oid\":42,\"sub\":\"s-1\"", NULL,
	    "oid a number: never skipped");
	user_is(pol, "oid sub", ",\"oid\":[\"o-1\"],\"sub\":\"s-1\"", NULL,
	    "oid an array: never skipped");
	user_is(pol, "oid sub", ",\"oid\":\"\",\"sub\":\"s-1\"", NULL,
	    "oid empty: never skipped");
	user_is(pol, "oid sub", ",\"oid\":null,\"sub\":\"s-1\"", NULL,
	    "oid null: never skipped");
	user_is(pol, "oid sub", ",\"oid\":{},\"sub\":\"s-1\"", NULL,
	    "oid an object: never skipped");
	user_is(pol, "oid sub", ",\"name\":\"n\"", NULL, "none present");
	snprintf(big, sizeof(big), ",\"oid\":\"%0*d\"", AUTH_USER_MAX + 1, 0);
	user_is(pol, "oid sub", big, NULL, "oid longer than AUTH_USER_MAX");
	snprintf(big, sizeof(big), ",\"oid\":\"%0*d\"", AUTH_USER_MAX, 0);
	snprintf(want, sizeof(want), "%0*d", AUTH_USER_MAX, 0);
	user_is(pol, "oid", big, want, "oid of AUTH_USER_MAX bytes");

	ok(auth_user_claims_ok("oid"), "claim list: oid");
	ok(auth_user_claims_ok("oid sub"), "claim list: oid sub");
	ok(auth_user_claims_ok("a b c d"), "claim list: four names");
	ok(!auth_user_claims_ok("a b c d e"), "claim list: five names");
	ok(!auth_user_claims_ok(""), "claim list: empty");
	ok(!auth_user_claims_ok("   "), "claim list: blank");
	ok(!auth_user_claims_ok("oid,sub"), "claim list: a comma");
	ok(!auth_user_claims_ok("oid\tsub"), "claim list: a tab");
	ok(!auth_user_claims_ok("o\"id"), "claim list: a quote");
}

/* RS256 token with kid rsa-1 and header typ (NULL: none). */
static char *
tok_typ(const char *typ, const char *claims_json)
{
	char	 hdr[256];

	if (typ == NULL)
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\","
		    "\"kid\":\"rsa-1\"}");
	else
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\","
		    "\"typ\":\"%s\",\"kid\":\"rsa-1\"}", typ);
	return mint_jwt(hdr, claims_json, rsa1, false);
}

/* require_at_jwt (issue 16): RFC 9068's typ, off for Microsoft's JWT. */
static void
test_typ(struct auth_policy *pol)
{
	const char *c = claims(ISS_SUSI, "\"" AUD "\"", 600, "");

	pol->require_at_jwt = false;
	accepts(pol, tok_typ("JWT", c), NOW, "typ JWT, at+jwt not required");
	accepts(pol, tok_typ(NULL, c), NOW, "no typ, at+jwt not required");
	accepts(pol, tok_typ("at+jwt", c), NOW, "typ at+jwt, not required");
	pol->require_at_jwt = true;
	accepts(pol, tok_typ("at+jwt", c), NOW, "typ at+jwt, required");
	accepts(pol, tok_typ("application/at+jwt", c), NOW,
	    "typ application/at+jwt, required");
	accepts(pol, tok_typ("AT+JWT", c), NOW, "typ AT+JWT (any case)");
	rejects(pol, tok_typ("JWT", c), NOW, "typ is not at+jwt",
	    "typ JWT, at+jwt required");
	rejects(pol, tok_typ(NULL, c), NOW, "typ is not at+jwt",
	    "no typ, at+jwt required");
	rejects(pol, tok_typ("at+jwt ", c), NOW, "typ is not at+jwt",
	    "typ at+jwt with a space");
	rejects(pol, tok_typ("jwt+at", c), NOW, "typ is not at+jwt",
	    "typ jwt+at");
	pol->require_at_jwt = false;
	ok(auth_typ_is_at_jwt("at+jwt") && !auth_typ_is_at_jwt(NULL) &&
	    !auth_typ_is_at_jwt("") && !auth_typ_is_at_jwt("at+jwt2"),
	    "auth_typ_is_at_jwt");
}

int
main(void)
{
	struct auth_policy pol;

	log_init("test_auth", LOG_LEVEL_ERR);
	alarm(120);
	rsa1 = mint_key("test-only-rsa-1.pem");
	rsa2 = mint_key("test-only-rsa-2.pem");
	ec = mint_key("test-only-ec-p256.pem");
	evil = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!ok(rsa1 != NULL && rsa2 != NULL && ec != NULL && evil != NULL,
	    "the test keys, and a foreign one") ||
	    !ok(httpd_start(&srv), "a local HTTP server") ||
	    !ok(httpc_global_init() == ERR_OK && httpc_new(&http) == ERR_OK,
	    "an HTTP client") ||
	    !ok(setup_providers(), "two providers (user flows) served"))
		goto out;
	pol_init(&pol);
	test_claims(&pol);
	test_policy();
	test_issuer_binding();
	test_lifetime();
	test_keys(&pol);
	test_unreachable();
	test_grants(&pol);
	test_user(&pol);
	test_typ(&pol);
out:
	provider_free(susi2);
	provider_free(prov[0]);
	provider_free(prov[1]);
	httpc_free(http);
	httpd_stop(&srv);
	EVP_PKEY_free(rsa1);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(evil);
	return tap_done();
}
