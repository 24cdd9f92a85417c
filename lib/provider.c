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
};

struct provider {
	char		*url;
	char		*issuer;
	char		*jwks_uri;
	char		*endpoints[PROVIDER_ENDPOINT__MAX];
	bool		 basic_auth;
	struct jwkset	*keys;
	time_t		 keys_fetched;	/* last success */
	long		 keys_ttl;	/* seconds they are good for */
	time_t		 keys_tried;	/* last attempt */
	time_t		 kid_refetched;	/* last refetch for an unknown kid */
	time_t		 meta_tried;
	void		(*hook)(void *, enum provider_fetch, bool);
	void		*hook_arg;
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

/* e, told to the hook as the outcome of fetching "what". */
static enum err
provider_told(struct provider *p, enum provider_fetch what, enum err e)
{
	if (p->hook != NULL)
		p->hook(p->hook_arg, what, e == ERR_OK);
	return e;
}

static enum err
provider_fetch_meta_once(struct provider *p, struct httpc *h)
{
	struct httpc_resp resp;
	struct json_object *doc = NULL, *methods, *m;
	const char *s;
	char	*issuer = NULL, *jwks = NULL, *ep[PROVIDER_ENDPOINT__MAX] = {0};
	bool	 basic = true;
	enum err e;
	size_t	 i;

	if ((e = provider_get(h, p->url, &resp)) != ERR_OK)
		return e;
	e = ERR_UPSTREAM;
	if (jsonp_parse(resp.body.data, resp.body.len, JSONP_DEPTH_MAX,
	    &doc) != ERR_OK || !json_object_is_type(doc, json_type_object)) {
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
provider_fetch_meta(struct provider *p, struct httpc *h)
{
	return provider_told(p, PROVIDER_FETCH_DISCOVERY,
	    provider_fetch_meta_once(p, h));
}

static enum err
provider_fetch_keys_once(struct provider *p, struct httpc *h, time_t now)
{
	struct httpc_resp resp;
	struct jwkset *set = NULL;
	enum err e;

	p->keys_tried = now;
	if ((e = provider_get(h, p->jwks_uri, &resp)) != ERR_OK)
		return e;
	if (jwkset_parse(resp.body.data, resp.body.len, &set) != ERR_OK) {
		log_err("%s: no usable keys", p->jwks_uri);
		httpc_resp_free(&resp);
		return ERR_UPSTREAM;
	}
	p->keys_ttl = provider_keys_ttl(resp.cache_control);
	httpc_resp_free(&resp);
	jwkset_free(p->keys);
	p->keys = set;
	p->keys_fetched = now;
	log_info("%s: %zu keys loaded, kept %ld s", p->jwks_uri,
	    jwkset_size(set), p->keys_ttl);
	return ERR_OK;
}

static enum err
provider_fetch_keys(struct provider *p, struct httpc *h, time_t now)
{
	return provider_told(p, PROVIDER_FETCH_JWKS,
	    provider_fetch_keys_once(p, h, now));
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
		if ((e = provider_fetch_meta(p, h)) != ERR_OK)
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
		if (provider_fetch_meta(p, h) == ERR_OK)
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
