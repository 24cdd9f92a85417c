#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "jsonp.h"
#include "log.h"
#include "provider.h"

static const char *const provider_endpoint_keys[PROVIDER_ENDPOINT__MAX] = {
	[PROVIDER_AUTHORIZE] = "authorization_endpoint",
	[PROVIDER_TOKEN] = "token_endpoint",
	[PROVIDER_END_SESSION] = "end_session_endpoint",
	[PROVIDER_PAR] = "pushed_authorization_request_endpoint",
};

struct provider {
	char		*url;
	char		*issuer;
	char		*jwks_uri;
	char		*endpoints[PROVIDER_ENDPOINT__MAX];
	bool		 basic_auth;
	bool		 iss_param;	/* RFC 9207 advertised */
	bool		 dpop_es256;	/* RFC 9449: DPoP proofs in ES256 */
	unsigned	 assert_algs;	/* 1 << enum jwk_alg listed for */
	bool		 assert_listed;	/* ... client assertions, or none */
	struct jwkset	*keys;
	time_t		 keys_fetched;	/* last success */
	long		 keys_ttl;	/* seconds they are good for */
	time_t		 keys_tried;	/* last attempt */
	time_t		 kid_refetched;	/* last refetch for an unknown kid */
	time_t		 meta_tried;
	void		(*hook)(void *, enum provider_fetch, bool);
	void		*hook_arg;
	enum err	(*load)(void *, enum provider_fetch, const char *,
			    struct provider_doc *);
	void		(*save)(void *, enum provider_fetch, const char *,
			    const struct provider_doc *);
	void		*store_arg;
};

enum err
provider_new(const char *url, struct provider **out)
{
	struct provider *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ERR_NOMEM;
	if ((p->url = strdup(url)) == NULL) {
		free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return ERR_OK;
}

static void
provider_clear_meta(struct provider *p)
{
	size_t i;

	free(p->issuer);
	free(p->jwks_uri);
	p->issuer = p->jwks_uri = NULL;
	for (i = 0; i < PROVIDER_ENDPOINT__MAX; i++) {
		free(p->endpoints[i]);
		p->endpoints[i] = NULL;
	}
}

void
provider_free(struct provider *p)
{
	if (p == NULL)
		return;
	provider_clear_meta(p);
	jwkset_free(p->keys);
	free(p->url);
	free(p);
}

/* GET a JSON document; the body is left in resp. */
static enum err
provider_get(struct httpc *h, const char *url, struct httpc_resp *resp)
{
	static const char *const hdrs[] = { "Accept: application/json",
	    NULL };
	enum err e;

	if ((e = httpc_request(h, "GET", url, hdrs, NULL, 0, NULL, NULL,
	    resp)) != ERR_OK)
		return e;
	if (resp->status != 200) {
		log_err("GET %s: status %ld", url, resp->status);
		httpc_resp_free(resp);
		return ERR_UPSTREAM;
	}
	return ERR_OK;
}

void
provider_set_hook(struct provider *p,
    void (*fn)(void *, enum provider_fetch, bool), void *arg)
{
	p->hook = fn;
	p->hook_arg = arg;
}

void
provider_set_store(struct provider *p,
    enum err (*load)(void *, enum provider_fetch, const char *,
    struct provider_doc *),
    void (*save)(void *, enum provider_fetch, const char *,
    const struct provider_doc *), void *arg)
{
	p->load = load;
	p->save = save;
	p->store_arg = arg;
}

/* Hand a document just fetched and taken to the store, if any. */
static void
provider_save(struct provider *p, enum provider_fetch what, const char *url,
    struct httpc_resp *resp, time_t now)
{
	struct provider_doc d;

	if (p->save == NULL)
		return;
	d.body = resp->body.data;
	d.len = resp->body.len;
	d.cache_control = resp->cache_control;
	d.fetched = now;
	p->save(p->store_arg, what, url, &d);
}

/* e, told to the hook as the outcome of fetching "what". */
static enum err
provider_told(struct provider *p, enum provider_fetch what, enum err e)
{
	if (p->hook != NULL)
		p->hook(p->hook_arg, what, e == ERR_OK);
	return e;
}

/*
 * Parse and take the discovery document in body (fetched or stored);
 * ERR_UPSTREAM, and nothing changed, when it is unusable.
 */
static enum err
provider_meta_parse(struct provider *p, const char *body, size_t len)
{
	struct json_object *doc = NULL, *methods, *m;
	const char *s;
	char	*issuer = NULL, *jwks = NULL, *ep[PROVIDER_ENDPOINT__MAX] = {0};
	bool	 basic = true;
	enum err e = ERR_UPSTREAM;
	size_t	 i;

	if (jsonp_parse(body, len, JSONP_DEPTH_MAX, &doc) != ERR_OK ||
	    !json_object_is_type(doc, json_type_object)) {
		log_err("%s: not a JSON object", p->url);
		goto out;
	}
	if (jsonp_string(doc, "issuer", &s) != ERR_OK || *s == '\0' ||
	    (issuer = strdup(s)) == NULL) {
		log_err("%s: no issuer", p->url);
		goto out;
	}
	if (jsonp_string(doc, "jwks_uri", &s) != ERR_OK ||
	    !httpc_url_allowed(s) || (jwks = strdup(s)) == NULL) {
		log_err("%s: no usable jwks_uri", p->url);
		goto out;
	}
	for (i = 0; i < PROVIDER_ENDPOINT__MAX; i++) {
		if (jsonp_string(doc, provider_endpoint_keys[i], &s) !=
		    ERR_OK)
			continue;
		if (!httpc_url_allowed(s)) {
			log_err("%s: %s is not https", p->url,
			    provider_endpoint_keys[i]);
			goto out;
		}
		if ((ep[i] = strdup(s)) == NULL)
			goto out;
	}
	if (json_object_object_get_ex(doc,
	    "token_endpoint_auth_methods_supported", &methods) &&
	    json_object_is_type(methods, json_type_array)) {
		basic = false;
		for (i = 0; i < json_object_array_length(methods); i++) {
			m = json_object_array_get_idx(methods, i);
			if (json_object_is_type(m, json_type_string) &&
			    strcmp(json_object_get_string(m),
			    "client_secret_basic") == 0)
				basic = true;
		}
	}
	/* What client assertions (private_key_jwt) may be signed with. */
	p->assert_algs = 0;
	p->assert_listed = json_object_object_get_ex(doc,
	    "token_endpoint_auth_signing_alg_values_supported", &methods) &&
	    json_object_is_type(methods, json_type_array);
	for (i = 0; p->assert_listed && i < json_object_array_length(methods);
	    i++) {
		enum jwk_alg a;

		m = json_object_array_get_idx(methods, i);
		if (json_object_is_type(m, json_type_string) &&
		    jwk_alg_parse(json_object_get_string(m), &a) == ERR_OK)
			p->assert_algs |= 1u << a;
	}
	/* RFC 9449: the token endpoint binds tokens to ES256 DPoP keys. */
	p->dpop_es256 = false;
	if (json_object_object_get_ex(doc, "dpop_signing_alg_values_supported",
	    &methods) && json_object_is_type(methods, json_type_array))
		for (i = 0; i < json_object_array_length(methods); i++)
			if (json_object_is_type(m = json_object_array_get_idx(
			    methods, i), json_type_string) &&
			    strcmp(json_object_get_string(m), "ES256") == 0)
				p->dpop_es256 = true;
	/* RFC 9207: the authorization response carries iss. */
	p->iss_param = json_object_object_get_ex(doc,
	    "authorization_response_iss_parameter_supported", &m) &&
	    json_object_is_type(m, json_type_boolean) &&
	    json_object_get_boolean(m);
	provider_clear_meta(p);
	p->issuer = issuer;
	p->jwks_uri = jwks;
	memcpy(p->endpoints, ep, sizeof(ep));
	p->basic_auth = basic;
	issuer = jwks = NULL;
	memset(ep, 0, sizeof(ep));
	e = ERR_OK;
out:
	free(issuer);
	free(jwks);
	for (i = 0; i < PROVIDER_ENDPOINT__MAX; i++)
		free(ep[i]);
	json_object_put(doc);
	return e;
}

static enum err
provider_fetch_meta_once(struct provider *p, struct httpc *h, time_t now)
{
	struct httpc_resp resp;
	enum err e;

	if ((e = provider_get(h, p->url, &resp)) != ERR_OK)
		return e;
	if ((e = provider_meta_parse(p, resp.body.data, resp.body.len)) ==
	    ERR_OK)
		provider_save(p, PROVIDER_FETCH_DISCOVERY, p->url, &resp, now);
	httpc_resp_free(&resp);
	return e;
}

long
provider_keys_ttl(const char *cc)
{
	const char *d;
	char	*end;
	long	 maxage = -1, v;
	size_t	 n;
	bool	 nocache = false;

	/* Directives between commas; max-age=DIGITS, no-cache, no-store. */
	while (cc != NULL && *cc != '\0') {
		cc += strspn(cc, " \t,");
		d = cc;
		n = strcspn(cc, ",");
		cc += n;
		while (n > 0 && (d[n - 1] == ' ' || d[n - 1] == '\t'))
			n--;
		if ((n == 8 && strncasecmp(d, "no-cache", 8) == 0) ||
		    (n == 8 && strncasecmp(d, "no-store", 8) == 0))
			nocache = true;
		else if (n > 8 && strncasecmp(d, "max-age=", 8) == 0 &&
		    d[8] >= '0' && d[8] <= '9') {
			v = strtol(d + 8, &end, 10);
			if (end == d + n)
				maxage = v;
		}
	}
	if (nocache)
		return PROVIDER_KEYS_TTL_MIN;
	if (maxage < 0)
		return PROVIDER_REFRESH;
	return maxage < PROVIDER_KEYS_TTL_MIN ? PROVIDER_KEYS_TTL_MIN :
	    maxage > PROVIDER_KEYS_TTL_MAX ? PROVIDER_KEYS_TTL_MAX : maxage;
}

static enum err
provider_fetch_meta(struct provider *p, struct httpc *h, time_t now)
{
	return provider_told(p, PROVIDER_FETCH_DISCOVERY,
	    provider_fetch_meta_once(p, h, now));
}

/*
 * Parse and take the JWK set in body (fetched or stored), served with
 * Cache-Control cc and fetched then; ERR_UPSTREAM when it is unusable.
 */
static enum err
provider_keys_parse(struct provider *p, const char *body, size_t len,
    const char *cc, time_t fetched)
{
	struct jwkset *set = NULL;

	if (jwkset_parse(body, len, &set) != ERR_OK) {
		log_err("%s: no usable keys", p->jwks_uri);
		return ERR_UPSTREAM;
	}
	p->keys_ttl = provider_keys_ttl(cc);
	jwkset_free(p->keys);
	p->keys = set;
	p->keys_fetched = fetched;
	return ERR_OK;
}

static enum err
provider_fetch_keys_once(struct provider *p, struct httpc *h, time_t now)
{
	struct httpc_resp resp;
	enum err e;

	p->keys_tried = now;
	if ((e = provider_get(h, p->jwks_uri, &resp)) != ERR_OK)
		return e;
	if ((e = provider_keys_parse(p, resp.body.data, resp.body.len,
	    resp.cache_control, now)) == ERR_OK) {
		provider_save(p, PROVIDER_FETCH_JWKS, p->jwks_uri, &resp, now);
		log_info("%s: %zu keys loaded, kept %ld s", p->jwks_uri,
		    jwkset_size(p->keys), p->keys_ttl);
	}
	httpc_resp_free(&resp);
	return e;
}

static enum err
provider_fetch_keys(struct provider *p, struct httpc *h, time_t now)
{
	return provider_told(p, PROVIDER_FETCH_JWKS,
	    provider_fetch_keys_once(p, h, now));
}

static void
provider_doc_free(struct provider_doc *d)
{
	free(d->body);
	free(d->cache_control);
	memset(d, 0, sizeof(*d));
}

/*
 * One stored document, or false (logged when it was there but unusable:
 * a fetch time too far ahead; one ahead by less is taken as now).
 */
static bool
provider_stored(struct provider *p, enum provider_fetch what,
    const char *url, time_t now, struct provider_doc *d)
{
	memset(d, 0, sizeof(*d));
	if (p->load(p->store_arg, what, url, d) != ERR_OK)
		return false;
	if (d->fetched > now + PROVIDER_STORE_SKEW) {
		log_warn("%s: stored copy fetched %lld s in the future: "
		    "ignored", url, (long long)(d->fetched - now));
		provider_doc_free(d);
		return false;
	}
	if (d->fetched > now)
		d->fetched = now;
	return true;
}

/*
 * Nothing is loaded: start from the stored document and the keys of its
 * jwks_uri, both or neither (see provider.h for how old they may be).
 */
static void
provider_restore(struct provider *p, time_t now)
{
	struct provider_doc d;
	time_t	 fetched;

	if (p->load == NULL || !provider_stored(p, PROVIDER_FETCH_DISCOVERY,
	    p->url, now, &d))
		return;
	fetched = d.fetched;
	if (provider_meta_parse(p, d.body, d.len) != ERR_OK) {
		log_warn("%s: stored discovery document unusable: ignored",
		    p->url);
		provider_doc_free(&d);
		return;
	}
	provider_doc_free(&d);
	if (!provider_stored(p, PROVIDER_FETCH_JWKS, p->jwks_uri, now, &d)) {
		provider_clear_meta(p);
		return;
	}
	if (d.fetched < fetched)
		fetched = d.fetched;
	if (provider_keys_parse(p, d.body, d.len, d.cache_control,
	    fetched) != ERR_OK) {
		log_warn("%s: stored keys unusable: ignored", p->jwks_uri);
		provider_clear_meta(p);
	} else
		log_info("%s: document and %zu keys from the store, fetched "
		    "%lld s ago, kept %ld s", p->url, jwkset_size(p->keys),
		    (long long)(now - fetched), p->keys_ttl);
	provider_doc_free(&d);
}

enum err
provider_load(struct provider *p, struct httpc *h, time_t now)
{
	enum err e;

	if (p->issuer == NULL) {
		if (now - p->meta_tried < PROVIDER_RETRY_EMPTY &&
		    p->meta_tried != 0)
			return ERR_UPSTREAM;
		p->meta_tried = now;
		if (p->keys == NULL)
			provider_restore(p, now);
		if (p->issuer == NULL &&
		    (e = provider_fetch_meta(p, h, now)) != ERR_OK)
			return e;
	}
	if (p->keys == NULL) {
		if (now - p->keys_tried < PROVIDER_RETRY_EMPTY &&
		    p->keys_tried != 0)
			return ERR_UPSTREAM;
		return provider_fetch_keys(p, h, now);
	}
	if (now - p->keys_fetched >= p->keys_ttl &&
	    now - p->keys_tried >= PROVIDER_REFETCH_MIN) {
		/* Periodic refresh: the document too, keys may move. */
		p->meta_tried = now;
		if (provider_fetch_meta(p, h, now) == ERR_OK)
			(void)provider_fetch_keys(p, h, now);
		else
			p->keys_tried = now;
	}
	return ERR_OK;
}

const char *
provider_issuer(const struct provider *p)
{
	return p->issuer;
}

const char *
provider_endpoint(const struct provider *p, enum provider_endpoint ep)
{
	if ((unsigned)ep >= PROVIDER_ENDPOINT__MAX)
		return NULL;
	return p->endpoints[ep];
}

bool
provider_basic_auth(const struct provider *p)
{
	return p->basic_auth;
}

bool
provider_iss_param(const struct provider *p)
{
	return p->iss_param;
}

bool
provider_dpop_es256(const struct provider *p)
{
	return p->dpop_es256;
}

enum err
provider_assertion_alg(const struct provider *p, enum jwk_alg *out)
{
	*out = JWK_ALG_RS256;
	if (!p->assert_listed)
		return ERR_OK;
	if (p->assert_algs & (1u << JWK_ALG_PS256))
		*out = JWK_ALG_PS256;
	else if (!(p->assert_algs & (1u << JWK_ALG_RS256)))
		return ERR_NOTFOUND;
	return ERR_OK;
}

const struct jwk *
provider_find(struct provider *p, const char *kid, enum jwk_alg alg)
{
	if (p->keys == NULL)
		return NULL;
	return jwkset_find(p->keys, kid, alg);
}

const struct jwk *
provider_key(struct provider *p, struct httpc *h, const char *kid,
    enum jwk_alg alg, time_t now)
{
	const struct jwk *k;

	if (provider_load(p, h, now) != ERR_OK)
		return NULL;
	if ((k = jwkset_find(p->keys, kid, alg)) != NULL)
		return k;
	if (p->kid_refetched != 0 &&
	    now - p->kid_refetched < PROVIDER_REFETCH_MIN)
		return NULL;
	p->kid_refetched = now;
	log_info("%s: unknown key, fetching keys again", p->url);
	if (provider_fetch_keys(p, h, now) != ERR_OK)
		return NULL;
	return jwkset_find(p->keys, kid, alg);
}

bool
provider_check(struct provider *p, struct httpc *h, const char *label,
    FILE *out)
{
	if (provider_load(p, h, time(NULL)) != ERR_OK) {
		fprintf(out, "%s: %s: cannot load the discovery document and "
		    "keys\n", label, p->url);
		return false;
	}
	fprintf(out, "%s: %s: issuer %s\n", label, p->url, p->issuer);
	return true;
}
