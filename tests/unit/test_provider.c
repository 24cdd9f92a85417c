/*
 * test_provider: the discovery document and JWK set fetched from a real
 * local HTTP server (httpd.h): what is taken from them, what makes them
 * unusable, the key cache, the rate-limited refetch for an unknown kid,
 * the periodic refresh and the last good keys kept while the provider
 * fails, and starting from a store (a fake one here; the PostgreSQL one
 * is test_provider_store).  Time is passed in, so nothing here waits.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "httpc.h"
#include "log.h"
#include "provider.h"
#include "httpd.h"
#include "mint.h"
#include "tap.h"

#define NOW		((time_t)1700000000)
#define ISSUER		"https://login.example/tfp/v2.0/"
#define DISCOVERY	"/.well-known/openid-configuration"

static struct httpd srv;
static struct httpc *http;
static EVP_PKEY *rsa1, *rsa2, *ec;

/* {"keys":[...]} with the listed keys (NULL-terminated kid list). */
static bool
put_keys(bool with_rsa1, bool with_rsa2, bool with_ec)
{
	struct buf b;
	bool	 good, first = true;

	buf_init(&b, 0);
	good = buf_adds(&b, "{\"keys\":[") == ERR_OK;
	if (good && with_rsa1) {
		good = mint_jwk(&b, rsa1, "rsa-1", "RS256");
		first = false;
	}
	if (good && with_rsa2) {
		good = (first || buf_addc(&b, ',') == ERR_OK) &&
		    mint_jwk(&b, rsa2, "rsa-2", NULL);
		first = false;
	}
	if (good && with_ec)
		good = (first || buf_addc(&b, ',') == ERR_OK) &&
		    mint_jwk(&b, ec, "ec-1", NULL);
	good = good && buf_adds(&b, "]}") == ERR_OK &&
	    httpd_put(&srv, "keys.json", b.data);
	buf_free(&b);
	return good;
}

/* A discovery document; extra is spliced in after the issuer. */
static bool
put_discovery(const char *name, const char *issuer, const char *jwks,
    const char *extra)
{
	struct buf b;
	bool	 good;

	buf_init(&b, 0);
	good = buf_addf(&b, "{\"issuer\":\"%s\",\"jwks_uri\":\"%s\"%s}",
	    issuer, jwks, extra) == ERR_OK && httpd_put(&srv, name, b.data);
	buf_free(&b);
	return good;
}

/* The client assertion's algorithm, from the document (issue 16). */
static void
test_assertion_alg(void)
{
	static const struct {
		const char	*list;		/* the member, or "" */
		enum err	 want;
		enum jwk_alg	 alg;
		const char	*what;
	} t[] = {
		{ "", ERR_OK, JWK_ALG_RS256, "no list: RS256" },
		{ "[\"RS256\",\"PS256\",\"ES256\"]", ERR_OK, JWK_ALG_PS256,
		    "PS256 listed: PS256" },
		{ "[\"HS256\",\"RS256\"]", ERR_OK, JWK_ALG_RS256,
		    "RS256 and HS256: RS256" },
		{ "[\"ES256\",\"EdDSA\"]", ERR_NOTFOUND, JWK_ALG_RS256,
		    "neither PS256 nor RS256: none" },
		{ "[]", ERR_NOTFOUND, JWK_ALG_RS256, "an empty list: none" },
		{ "\"PS256\"", ERR_OK, JWK_ALG_RS256,
		    "not an array: as no list" },
	};
	struct provider *p = NULL;
	char	 extra[256];
	enum jwk_alg alg;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(extra, sizeof(extra), "%s%s", *t[i].list ? ",\"token_"
		    "endpoint_auth_signing_alg_values_supported\":" : "",
		    t[i].list);
		put_discovery("algs", ISSUER, httpd_url(&srv, "/keys.json"),
		    extra);
		if (provider_new(httpd_url(&srv, "/algs"), &p) != ERR_OK ||
		    provider_load(p, http, NOW) != ERR_OK) {
			ok(false, "%s: loads", t[i].what);
			provider_free(p);
			continue;
		}
		ok(provider_assertion_alg(p, &alg) == t[i].want &&
		    (t[i].want != ERR_OK || alg == t[i].alg), "%s", t[i].what);
		provider_free(p);
		p = NULL;
	}
}

static void
test_load(void)
{
	struct provider *p = NULL;
	char	 extra[512];
	const struct jwk *k;

	snprintf(extra, sizeof(extra), ",\"authorization_endpoint\":"
	    "\"https://login.example/authorize\",\"token_endpoint\":"
	    "\"%s/token\",\"end_session_endpoint\":"
	    "\"https://login.example/logout\","
	    "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\","
	    "\"client_secret_basic\"]", srv.base);
	ok(put_keys(true, false, true) &&
	    put_discovery("good", ISSUER, httpd_url(&srv, "/keys.json"),
	    extra), "a discovery document and keys");
	if (!ok(provider_new(httpd_url(&srv, "/good"), &p) == ERR_OK,
	    "provider_new"))
		return;
	ok(provider_issuer(p) == NULL, "no issuer before loading");
	ok(provider_find(p, "rsa-1", JWK_ALG_RS256) == NULL,
	    "no key before loading");
	is_int(provider_load(p, http, NOW), ERR_OK, "provider_load");
	is_str(provider_issuer(p), ISSUER, "the issuer");
	is_str(provider_endpoint(p, PROVIDER_AUTHORIZE),
	    "https://login.example/authorize", "the authorize endpoint");
	is_str(provider_endpoint(p, PROVIDER_TOKEN), httpd_url(&srv,
	    "/token"), "the token endpoint (loopback http allowed)");
	is_str(provider_endpoint(p, PROVIDER_END_SESSION),
	    "https://login.example/logout", "the end-session endpoint");
	ok(provider_endpoint(p, PROVIDER_ENDPOINT__MAX) == NULL,
	    "an endpoint out of range is NULL");
	ok(provider_basic_auth(p), "client_secret_basic listed");
	k = provider_find(p, "rsa-1", JWK_ALG_RS256);
	ok(k != NULL && strcmp(jwk_kid(k), "rsa-1") == 0,
	    "provider_find: rsa-1 RS256");
	ok(provider_find(p, "ec-1", JWK_ALG_ES256) != NULL,
	    "provider_find: ec-1 ES256");
	ok(provider_find(p, "rsa-1", JWK_ALG_PS256) == NULL,
	    "provider_find: not for another alg");
	ok(provider_find(p, "nope", JWK_ALG_RS256) == NULL,
	    "provider_find: not an unknown kid");
	is_int(httpd_hits(&srv, "/good"), 1, "the document fetched once");
	is_int(httpd_hits(&srv, "/keys.json"), 1, "the keys fetched once");
	is_int(provider_load(p, http, NOW + 100), ERR_OK,
	    "provider_load again");
	is_int(httpd_hits(&srv, "/good") + httpd_hits(&srv, "/keys.json"), 2,
	    "cached: nothing fetched again");
	provider_free(p);
	provider_free(NULL);

	/* Methods listed without basic; none listed means basic. */
	put_discovery("post", ISSUER, httpd_url(&srv, "/keys.json"),
	    ",\"token_endpoint_auth_methods_supported\":"
	    "[\"client_secret_post\"]");
	if (provider_new(httpd_url(&srv, "/post"), &p) == ERR_OK) {
		ok(provider_load(p, http, NOW) == ERR_OK &&
		    !provider_basic_auth(p), "client_secret_post only: no "
		    "basic authentication");
		ok(provider_endpoint(p, PROVIDER_TOKEN) == NULL,
		    "an endpoint not given is NULL");
		provider_free(p);
	}
	put_discovery("plain", ISSUER, httpd_url(&srv, "/keys.json"), "");
	if (provider_new(httpd_url(&srv, "/plain"), &p) == ERR_OK) {
		ok(provider_load(p, http, NOW) == ERR_OK &&
		    provider_basic_auth(p), "no methods listed: basic");
		provider_free(p);
	}
	test_assertion_alg();
}

/* provider_load on a fresh provider for path: its error. */
static enum err
load_err(const char *path)
{
	struct provider *p = NULL;
	enum err e;

	if (provider_new(httpd_url(&srv, path), &p) != ERR_OK)
		return ERR__MAX;
	e = provider_load(p, http, NOW);
	if (e == ERR_OK && provider_issuer(p) == NULL)
		e = ERR__MAX;
	provider_free(p);
	return e;
}

static void
test_bad_documents(void)
{
	char	 path[64];

	is_int(load_err("/missing"), ERR_UPSTREAM, "discovery 404");
	is_int(load_err("/status/500"), ERR_UPSTREAM, "discovery 500");
	is_int(load_err("/redirect"), ERR_UPSTREAM,
	    "discovery redirect: not followed");
	is_int(httpd_hits(&srv, "/target"), 0, "the target never asked");
	snprintf(path, sizeof(path), "/big/%d", HTTPC_RESPONSE_MAX + 1);
	is_int(load_err(path), ERR_UPSTREAM, "discovery over the cap");
	httpd_put(&srv, "notjson", "issuer: x");
	is_int(load_err("/notjson"), ERR_UPSTREAM, "discovery not JSON");
	httpd_put(&srv, "array", "[1,2]");
	is_int(load_err("/array"), ERR_UPSTREAM, "discovery not an object");
	httpd_put(&srv, "dup", "{\"issuer\":\"a\",\"issuer\":\"b\","
	    "\"jwks_uri\":\"https://x.example/k\"}");
	is_int(load_err("/dup"), ERR_UPSTREAM, "discovery with a duplicate "
	    "member");
	httpd_put(&srv, "noiss", "{\"jwks_uri\":\"https://x.example/k\"}");
	is_int(load_err("/noiss"), ERR_UPSTREAM, "no issuer");
	put_discovery("emptyiss", "", httpd_url(&srv, "/keys.json"), "");
	is_int(load_err("/emptyiss"), ERR_UPSTREAM, "an empty issuer");
	httpd_put(&srv, "nojwks", "{\"issuer\":\"" ISSUER "\"}");
	is_int(load_err("/nojwks"), ERR_UPSTREAM, "no jwks_uri");
	put_discovery("httpjwks", ISSUER, "http://keys.example/k", "");
	is_int(load_err("/httpjwks"), ERR_UPSTREAM,
	    "a plain http jwks_uri off loopback");
	put_discovery("httpep", ISSUER, httpd_url(&srv, "/keys.json"),
	    ",\"token_endpoint\":\"http://login.example/token\"");
	is_int(load_err("/httpep"), ERR_UPSTREAM,
	    "a plain http endpoint off loopback");
	put_discovery("keys404", ISSUER, httpd_url(&srv, "/nokeys"), "");
	is_int(load_err("/keys404"), ERR_UPSTREAM, "the keys answer 404");
	httpd_put(&srv, "nousable.json", "{\"keys\":[{\"kty\":\"oct\","
	    "\"k\":\"c2VjcmV0\"}]}");
	put_discovery("nousable", ISSUER, httpd_url(&srv, "/nousable.json"),
	    "");
	is_int(load_err("/nousable"), ERR_UPSTREAM, "no usable key");
	snprintf(path, sizeof(path), "/big/%d", HTTPC_RESPONSE_MAX + 1);
	put_discovery("bigkeys", ISSUER, httpd_url(&srv, path), "");
	is_int(load_err("/bigkeys"), ERR_UPSTREAM, "keys over the cap");
}

static void
test_cache(void)
{
	struct provider *p = NULL;
	const struct jwk *k;
	int	 d0, k0;

	put_keys(true, false, false);
	put_discovery("cache", ISSUER, httpd_url(&srv, "/keys.json"), "");
	if (!ok(provider_new(httpd_url(&srv, "/cache"), &p) == ERR_OK,
	    "a provider for the cache tests"))
		return;
	k0 = httpd_hits(&srv, "/keys.json");
	d0 = httpd_hits(&srv, "/cache");
	k = provider_key(p, http, "rsa-1", JWK_ALG_RS256, NOW);
	ok(k != NULL, "provider_key loads and finds rsa-1");
	is_int(httpd_hits(&srv, "/keys.json") - k0, 1, "keys fetched once");

	/* Rotation: rsa-2 appears; the unknown kid refetches once. */
	put_keys(true, true, false);
	k = provider_key(p, http, "rsa-2", JWK_ALG_RS256, NOW + 1);
	ok(k != NULL && strcmp(jwk_kid(k), "rsa-2") == 0,
	    "an unknown kid refetches the keys: rsa-2 found");
	is_int(httpd_hits(&srv, "/keys.json") - k0, 2, "one refetch");
	ok(provider_key(p, http, "nope", JWK_ALG_RS256, NOW + 2) == NULL,
	    "another unknown kid within PROVIDER_REFETCH_MIN: none");
	is_int(httpd_hits(&srv, "/keys.json") - k0, 2,
	    "... and no fetch (rate limited)");
	ok(provider_key(p, http, "nope", JWK_ALG_RS256,
	    NOW + 1 + PROVIDER_REFETCH_MIN) == NULL,
	    "after PROVIDER_REFETCH_MIN: still unknown");
	is_int(httpd_hits(&srv, "/keys.json") - k0, 3, "... after one fetch");
	ok(provider_key(p, http, "rsa-1", JWK_ALG_RS256, NOW + 200) != NULL,
	    "a known kid: no fetch");
	is_int(httpd_hits(&srv, "/keys.json") - k0, 3, "... none");

	/* The provider breaks: the last good keys stay. */
	httpd_put(&srv, "keys.json", NULL);
	httpd_put(&srv, "cache", NULL);
	ok(provider_key(p, http, "rsa-3", JWK_ALG_RS256, NOW + 300) == NULL,
	    "unknown kid while the keys are gone: none");
	ok(provider_find(p, "rsa-2", JWK_ALG_RS256) != NULL,
	    "... and the last good keys are kept");
	is_int(provider_load(p, http, NOW + 2 * PROVIDER_REFRESH), ERR_OK,
	    "refresh due while the provider fails: still ERR_OK");
	is_int(httpd_hits(&srv, "/cache") - d0, 2, "the refresh asked for the "
	    "document again");
	ok(provider_find(p, "rsa-1", JWK_ALG_RS256) != NULL,
	    "... and kept the keys");
	is_str(provider_issuer(p), ISSUER, "... and the document");
	is_int(provider_load(p, http, NOW + 2 * PROVIDER_REFRESH + 20), ERR_OK,
	    "within PROVIDER_REFETCH_MIN of a failed refresh");
	is_int(httpd_hits(&srv, "/cache") - d0, 2, "... nothing is asked");

	/* Back, with other keys: the periodic refresh takes them. */
	put_keys(false, true, true);
	put_discovery("cache", ISSUER, httpd_url(&srv, "/keys.json"), "");
	is_int(provider_load(p, http, NOW + 2 * PROVIDER_REFRESH + 100), ERR_OK,
	    "the periodic refresh");
	ok(provider_find(p, "rsa-1", JWK_ALG_RS256) == NULL &&
	    provider_find(p, "ec-1", JWK_ALG_ES256) != NULL,
	    "the refresh replaced the keys");
	provider_free(p);
}

static void
test_retry_empty(void)
{
	struct provider *p = NULL;
	int	 d0;

	httpd_put(&srv, "late", NULL);
	if (provider_new(httpd_url(&srv, "/late"), &p) != ERR_OK)
		return;
	d0 = httpd_hits(&srv, "/late");
	is_int(provider_load(p, http, NOW), ERR_UPSTREAM,
	    "nothing cached, the document is missing");
	put_keys(true, false, false);
	put_discovery("late", ISSUER, httpd_url(&srv, "/keys.json"), "");
	is_int(provider_load(p, http, NOW + PROVIDER_RETRY_EMPTY - 1),
	    ERR_UPSTREAM, "within PROVIDER_RETRY_EMPTY: not asked again");
	is_int(httpd_hits(&srv, "/late") - d0, 1, "... one fetch in all");
	ok(provider_key(p, http, "rsa-1", JWK_ALG_RS256,
	    NOW + PROVIDER_RETRY_EMPTY - 1) == NULL,
	    "provider_key: none while nothing is cached");
	is_int(provider_load(p, http, NOW + PROVIDER_RETRY_EMPTY),
	    ERR_OK, "after PROVIDER_RETRY_EMPTY: loaded");
	provider_free(p);
}

static void
test_check(void)
{
	struct provider *p = NULL;
	char	 out[1024], want[1024];
	FILE	*f;

	put_discovery("check", ISSUER, httpd_url(&srv, "/keys.json"), "");
	if (provider_new(httpd_url(&srv, "/check"), &p) != ERR_OK ||
	    (f = fmemopen(out, sizeof(out), "w")) == NULL)
		return;
	ok(provider_check(p, http, "metadata_url", f), "provider_check: ok");
	fclose(f);
	snprintf(want, sizeof(want), "metadata_url: %s: issuer " ISSUER "\n",
	    httpd_url(&srv, "/check"));
	is_str(out, want, "provider_check: what it says");
	provider_free(p);
	if (provider_new(httpd_url(&srv, "/gone"), &p) != ERR_OK ||
	    (f = fmemopen(out, sizeof(out), "w")) == NULL)
		return;
	ok(!provider_check(p, http, "metadata_url", f),
	    "provider_check: unreachable");
	fclose(f);
	snprintf(want, sizeof(want), "metadata_url: %s: cannot load the "
	    "discovery document and keys\n", httpd_url(&srv, "/gone"));
	is_str(out, want, "provider_check: what it says then");
	provider_free(p);
}

/*
 * Keys served with Cache-Control cc (NULL: none) are used until ttl
 * seconds after they were fetched, and fetched again then.
 */
static void
keys_kept(const char *cc, long ttl, const char *what)
{
	struct provider *p = NULL;
	char	 hdr[128];
	int	 k0;

	snprintf(hdr, sizeof(hdr), "Cache-Control: %s\r\n", cc ? cc : "");
	if (!ok(put_keys(true, false, false) && put_discovery("ttl", ISSUER,
	    httpd_url(&srv, "/keys.json"), "") && httpd_put(&srv,
	    "keys.json.headers", cc != NULL ? hdr : NULL) &&
	    provider_new(httpd_url(&srv, "/ttl"), &p) == ERR_OK,
	    "%s: a provider", what))
		return;
	k0 = httpd_hits(&srv, "/keys.json");
	ok(provider_load(p, http, NOW) == ERR_OK &&
	    httpd_hits(&srv, "/keys.json") - k0 == 1, "%s: keys loaded", what);
	ok(provider_load(p, http, NOW + ttl - 1) == ERR_OK &&
	    httpd_hits(&srv, "/keys.json") - k0 == 1,
	    "%s: still used after %ld s", what, ttl - 1);
	ok(provider_load(p, http, NOW + ttl) == ERR_OK &&
	    httpd_hits(&srv, "/keys.json") - k0 == 2,
	    "%s: fetched again after %ld s", what, ttl);
	provider_free(p);
	httpd_put(&srv, "keys.json.headers", NULL);
}

/* The JWK set's Cache-Control max-age, clamped, sets the refresh. */
static void
test_max_age(void)
{
	keys_kept("public, max-age=600", 600, "max-age=600");
	keys_kept("max-age=10", PROVIDER_KEYS_TTL_MIN,
	    "max-age=10 (below the minimum)");
	keys_kept("max-age=31536000", PROVIDER_KEYS_TTL_MAX,
	    "max-age of a year (above the maximum)");
	keys_kept("no-cache", PROVIDER_KEYS_TTL_MIN, "no-cache");
	keys_kept(NULL, PROVIDER_REFRESH, "no Cache-Control");

	is_int(provider_keys_ttl("max-age=3600"), 3600, "ttl: max-age=3600");
	is_int(provider_keys_ttl("Public,MAX-AGE=7200 "), 7200,
	    "ttl: case and spaces");
	is_int(provider_keys_ttl("max-age=0"), PROVIDER_KEYS_TTL_MIN,
	    "ttl: max-age=0: the minimum");
	is_int(provider_keys_ttl("no-store, max-age=3600"),
	    PROVIDER_KEYS_TTL_MIN, "ttl: no-store wins");
	is_int(provider_keys_ttl("max-age=99999999999999999999"),
	    PROVIDER_KEYS_TTL_MAX, "ttl: a huge max-age: the maximum");
	is_int(provider_keys_ttl("max-age=12x"), PROVIDER_REFRESH,
	    "ttl: a malformed max-age is ignored");
	is_int(provider_keys_ttl("max-age=-5"), PROVIDER_REFRESH,
	    "ttl: a negative max-age is ignored");
	is_int(provider_keys_ttl("s-maxage=600"), PROVIDER_REFRESH,
	    "ttl: s-maxage is not max-age");
	is_int(provider_keys_ttl(NULL), PROVIDER_REFRESH, "ttl: no header");
}

/* ---- a store in memory (provider_set_store) -------------------------- */

#define FAKE_MAX 8

static struct fake {
	enum provider_fetch what;
	char	*url;
	char	*body;
	char	*cc;
	time_t	 fetched;
} fake[FAKE_MAX];
static size_t nfake;
static int fake_saves, fake_loads;
static bool fake_down;		/* load answers ERR_DB */

static void
fake_clear(void)
{
	size_t i;

	for (i = 0; i < nfake; i++) {
		free(fake[i].url);
		free(fake[i].body);
		free(fake[i].cc);
	}
	memset(fake, 0, sizeof(fake));
	nfake = 0;
	fake_saves = fake_loads = 0;
	fake_down = false;
}

static struct fake *
fake_find(enum provider_fetch what, const char *url)
{
	size_t i;

	for (i = 0; i < nfake; i++)
		if (fake[i].what == what && strcmp(fake[i].url, url) == 0)
			return &fake[i];
	return NULL;
}

/* Put (replace) a row; body NULL leaves the row as it is but its time. */
static void
fake_put(enum provider_fetch what, const char *url, const char *body,
    const char *cc, time_t fetched)
{
	struct fake *f;

	if ((f = fake_find(what, url)) == NULL) {
		if (nfake == FAKE_MAX)
			return;
		f = &fake[nfake++];
		f->what = what;
		f->url = strdup(url);
	}
	if (body != NULL) {
		free(f->body);
		free(f->cc);
		f->body = strdup(body);
		f->cc = cc ? strdup(cc) : NULL;
	}
	f->fetched = fetched;
}

static enum err
fake_load(void *arg, enum provider_fetch what, const char *url,
    struct provider_doc *d)
{
	struct fake *f;

	(void)arg;
	fake_loads++;
	if (fake_down)
		return ERR_DB;
	if ((f = fake_find(what, url)) == NULL)
		return ERR_NOTFOUND;
	d->body = strdup(f->body);
	d->len = strlen(f->body);
	d->cache_control = f->cc ? strdup(f->cc) : NULL;
	d->fetched = f->fetched;
	return ERR_OK;
}

static void
fake_save(void *arg, enum provider_fetch what, const char *url,
    const struct provider_doc *d)
{
	(void)arg;
	fake_saves++;
	if (strlen(d->body) == d->len)
		fake_put(what, url, d->body, d->cache_control, d->fetched);
}

/* A provider for /path with the fake store. */
static struct provider *
stored_provider(const char *path)
{
	struct provider *p = NULL;

	if (provider_new(httpd_url(&srv, path), &p) != ERR_OK)
		return NULL;
	provider_set_store(p, fake_load, fake_save, NULL);
	return p;
}

/* Hits on the provider's two documents so far. */
static int
store_hits(void)
{
	return httpd_hits(&srv, "/stored") + httpd_hits(&srv, "/keys.json");
}

static void
test_store_save(void)
{
	struct provider *p;
	struct fake *d, *k;
	char	 url[512];

	fake_clear();
	put_keys(true, false, false);
	httpd_put(&srv, "keys.json.headers", "Cache-Control: max-age=600\r\n");
	put_discovery("stored", ISSUER, httpd_url(&srv, "/keys.json"), "");
	if (!ok((p = stored_provider("/stored")) != NULL, "store: a provider"))
		return;
	is_int(provider_load(p, http, NOW), ERR_OK, "store: empty, fetched");
	is_int(fake_saves, 2, "store: both documents saved");
	snprintf(url, sizeof(url), "%s", httpd_url(&srv, "/stored"));
	d = fake_find(PROVIDER_FETCH_DISCOVERY, url);
	k = fake_find(PROVIDER_FETCH_JWKS, httpd_url(&srv, "/keys.json"));
	ok(d != NULL && d->fetched == NOW && strstr(d->body, ISSUER) != NULL,
	    "store: the document under its URL, with the fetch time");
	ok(k != NULL && k->fetched == NOW && strstr(k->body, "rsa-1") !=
	    NULL && k->cc != NULL && strcmp(k->cc, "max-age=600") == 0,
	    "store: the keys under jwks_uri, with Cache-Control");
	ok(provider_key(p, http, "rsa-2", JWK_ALG_RS256, NOW + 1) == NULL &&
	    fake_saves == 3, "store: a refetch for an unknown kid saved too");
	provider_free(p);
	httpd_put(&srv, "keys.json.headers", NULL);
}

static void
test_store_restore(void)
{
	struct provider *p;
	char	 url[512];
	int	 h0;

	/* The store from test_store_save; the provider is gone. */
	snprintf(url, sizeof(url), "%s", httpd_url(&srv, "/stored"));
	httpd_put(&srv, "stored", NULL);
	httpd_put(&srv, "keys.json", NULL);
	h0 = store_hits();
	if ((p = stored_provider("/stored")) == NULL)
		return;
	is_int(provider_load(p, http, NOW + 599), ERR_OK,
	    "restore: loaded from the store, provider down");
	is_str(provider_issuer(p), ISSUER, "restore: the stored issuer");
	ok(provider_find(p, "rsa-1", JWK_ALG_RS256) != NULL,
	    "restore: the stored key");
	is_int(store_hits() - h0, 0, "restore: within max-age, nothing asked");
	provider_free(p);

	/* Older than max-age: used, refreshed at once, kept while down. */
	h0 = store_hits();
	p = stored_provider("/stored");
	is_int(provider_load(p, http, NOW + 600), ERR_OK,
	    "restore: past max-age, provider down: still ERR_OK");
	is_int(store_hits() - h0, 1, "restore: ... after asking the provider");
	ok(provider_key(p, http, "rsa-1", JWK_ALG_RS256, NOW + 601) != NULL,
	    "restore: ... and the stored keys verify");
	is_int(provider_load(p, http, NOW + 600 + PROVIDER_REFETCH_MIN - 1),
	    ERR_OK, "restore: within PROVIDER_REFETCH_MIN");
	is_int(store_hits() - h0, 1, "restore: ... nothing asked");
	put_keys(false, true, false);
	put_discovery("stored", ISSUER, httpd_url(&srv, "/keys.json"), "");
	is_int(provider_load(p, http, NOW + 600 + PROVIDER_REFETCH_MIN),
	    ERR_OK, "restore: the provider is back");
	ok(provider_find(p, "rsa-2", JWK_ALG_RS256) != NULL &&
	    provider_find(p, "rsa-1", JWK_ALG_RS256) == NULL,
	    "restore: ... the refresh replaced the stored keys");
	ok(fake_find(PROVIDER_FETCH_JWKS, httpd_url(&srv,
	    "/keys.json"))->fetched == NOW + 600 + PROVIDER_REFETCH_MIN,
	    "restore: ... and stored them");
	provider_free(p);

	/* The pair is as old as its older half. */
	fake_put(PROVIDER_FETCH_DISCOVERY, url, NULL, NULL, NOW);
	fake_put(PROVIDER_FETCH_JWKS, httpd_url(&srv, "/keys.json"), NULL,
	    NULL, NOW + PROVIDER_REFRESH);
	h0 = store_hits();
	p = stored_provider("/stored");
	is_int(provider_load(p, http, NOW + PROVIDER_REFRESH), ERR_OK,
	    "restore: an old document with new keys");
	is_int(store_hits() - h0, 2, "restore: ... both fetched again");
	provider_free(p);
	httpd_put(&srv, "keys.json", NULL);
	httpd_put(&srv, "stored", NULL);
}

/* A provider for /stored, down, started from what the fake holds. */
static enum err
restore_err(time_t now)
{
	struct provider *p;
	enum err e;

	if ((p = stored_provider("/stored")) == NULL)
		return ERR__MAX;
	e = provider_load(p, http, now);
	if (e == ERR_OK && provider_find(p, "rsa-2", JWK_ALG_RS256) == NULL)
		e = ERR__MAX;
	provider_free(p);
	return e;
}

static void
test_store_bad(void)
{
	char	 url[512], keys[512];
	struct fake *k;
	char	*good;

	snprintf(url, sizeof(url), "%s", httpd_url(&srv, "/stored"));
	snprintf(keys, sizeof(keys), "%s", httpd_url(&srv, "/keys.json"));
	if ((k = fake_find(PROVIDER_FETCH_JWKS, keys)) == NULL ||
	    (good = strdup(k->body)) == NULL) {
		ok(false, "bad rows: the stored keys from before");
		return;
	}
	fake_put(PROVIDER_FETCH_DISCOVERY, url, NULL, NULL, NOW);
	fake_put(PROVIDER_FETCH_JWKS, keys, NULL, NULL, NOW);
	is_int(restore_err(NOW), ERR_OK, "bad rows: the good pair works");

	fake_down = true;
	is_int(restore_err(NOW), ERR_UPSTREAM, "bad rows: the store fails");
	fake_down = false;

	fake_put(PROVIDER_FETCH_JWKS, keys, "{\"keys\":[{\"kty\":\"oct\"}]}",
	    NULL, NOW);
	is_int(restore_err(NOW), ERR_UPSTREAM, "bad rows: no usable key");
	fake_put(PROVIDER_FETCH_JWKS, keys, "{\"keys\":", NULL, NOW);
	is_int(restore_err(NOW), ERR_UPSTREAM, "bad rows: keys cut short");
	fake_put(PROVIDER_FETCH_JWKS, keys, good, "max-age=x, no-cache,,",
	    NOW);
	is_int(restore_err(NOW), ERR_OK, "bad rows: odd Cache-Control: used");
	fake_put(PROVIDER_FETCH_JWKS, keys, good, NULL,
	    NOW + PROVIDER_STORE_SKEW + 1);
	is_int(restore_err(NOW), ERR_UPSTREAM,
	    "bad rows: keys fetched in the future");
	fake_put(PROVIDER_FETCH_JWKS, keys, good, NULL,
	    NOW + PROVIDER_STORE_SKEW);
	is_int(restore_err(NOW), ERR_OK,
	    "bad rows: keys a little ahead (clocks differ): used");
	fake_put(PROVIDER_FETCH_JWKS, keys, good, NULL, NOW);

	fake_put(PROVIDER_FETCH_DISCOVERY, url, "[]", NULL, NOW);
	is_int(restore_err(NOW), ERR_UPSTREAM, "bad rows: not an object");
	fake_put(PROVIDER_FETCH_DISCOVERY, url, "{\"issuer\":\"" ISSUER "\","
	    "\"jwks_uri\":\"http://keys.example/k\"}", NULL, NOW);
	is_int(restore_err(NOW), ERR_UPSTREAM,
	    "bad rows: a plain http jwks_uri off loopback");
	fake_put(PROVIDER_FETCH_DISCOVERY, url, "{\"issuer\":\"" ISSUER "\","
	    "\"jwks_uri\":\"https://other.example/keys\"}", NULL, NOW);
	is_int(restore_err(NOW), ERR_UPSTREAM,
	    "bad rows: a document whose jwks_uri has no stored keys");
	free(good);
	fake_clear();
}

int
main(void)
{
	log_init("test_provider", LOG_LEVEL_ERR);
	alarm(120);
	rsa1 = mint_key("test-only-rsa-1.pem");
	rsa2 = mint_key("test-only-rsa-2.pem");
	ec = mint_key("test-only-ec-p256.pem");
	if (!ok(rsa1 != NULL && rsa2 != NULL && ec != NULL,
	    "the test keys from tests/keys") ||
	    !ok(httpd_start(&srv), "a local HTTP server") ||
	    !ok(httpc_global_init() == ERR_OK && httpc_new(&http) == ERR_OK,
	    "an HTTP client"))
		goto out;
	test_load();
	test_bad_documents();
	test_cache();
	test_retry_empty();
	test_check();
	test_max_age();
	test_store_save();
	test_store_restore();
	test_store_bad();
out:
	fake_clear();
	httpc_free(http);
	httpd_stop(&srv);
	EVP_PKEY_free(rsa1);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	return tap_done();
}
