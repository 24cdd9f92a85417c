#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "httpc.h"
#include "log.h"

struct httpc {
	CURL		*curl;
	const char	*ca_file;	/* borrowed; NULL: system store */
	const char	*proxy;		/* borrowed; NULL: no proxy */
	bool		 close_after;	/* no keep-alive */
	char		 errbuf[CURL_ERROR_SIZE];
};

struct httpc_ctx {
	struct httpc_resp *resp;
	bool	 overflow;
};

enum err
httpc_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ERR_SYSTEM;
	return ERR_OK;
}

enum err
httpc_new(struct httpc **out)
{
	struct httpc *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ERR_NOMEM;
	*out = h;
	return ERR_OK;
}

void
httpc_configure(struct httpc *h, const char *ca_file, const char *proxy)
{
	h->ca_file = ca_file;
	h->proxy = proxy;
}

void
httpc_keep_alive(struct httpc *h, bool on)
{
	h->close_after = !on;
}

void
httpc_free(struct httpc *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h);
}

void
httpc_resp_free(struct httpc_resp *r)
{
	buf_free_secret(&r->body);
	free(r->content_type);
	free(r->www_authenticate);
	free(r->cache_control);
	r->content_type = r->www_authenticate = r->cache_control = NULL;
}

static size_t
httpc_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_ctx *ctx = arg;

	if (buf_add(&ctx->resp->body, p, size * n) != ERR_OK) {
		ctx->overflow = true;
		return 0;
	}
	return size * n;
}

/* Keep the headers we use; everything else is dropped. */
static size_t
httpc_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_ctx *ctx = arg;
	size_t	 len = size * n, nl;
	char	**dst = NULL;
	const char *v;

	if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
		dst = &ctx->resp->content_type;
		v = p + 13;
	} else if (len > 17 && strncasecmp(p, "WWW-Authenticate:", 17) == 0) {
		dst = &ctx->resp->www_authenticate;
		v = p + 17;
	} else if (len > 14 && strncasecmp(p, "Cache-Control:", 14) == 0) {
		dst = &ctx->resp->cache_control;
		v = p + 14;
	} else
		return len;
	while (v < p + len && (*v == ' ' || *v == '\t'))
		v++;
	nl = (size_t)(p + len - v);
	while (nl > 0 && (v[nl - 1] == '\r' || v[nl - 1] == '\n'))
		nl--;
	free(*dst);
	*dst = strndup(v, nl);
	return len;
}

#define HTTPC_SET(h, opt, val) do {					\
	if (curl_easy_setopt((h)->curl, (opt), (val)) != CURLE_OK) {	\
		log_err("curl_easy_setopt %s failed", #opt);		\
		e = ERR_SYSTEM;						\
		goto out;						\
	}								\
} while (0)

enum err
httpc_request(struct httpc *h, const char *method, const char *url,
    const char *const *headers, const char *body, size_t bodylen,
    const char *user, const char *pass, struct httpc_resp *resp)
{
	struct curl_slist *hl = NULL, *tmp;
	struct httpc_ctx ctx;
	CURLcode rc;
	enum err e = ERR_UPSTREAM;
	size_t	 i;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, HTTPC_RESPONSE_MAX);
	ctx.resp = resp;
	ctx.overflow = false;
	if (h->curl == NULL) {
		if ((h->curl = curl_easy_init()) == NULL)
			return ERR_SYSTEM;
	} else
		curl_easy_reset(h->curl);
	h->errbuf[0] = '\0';
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(hl, headers[i])) == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		hl = tmp;
	}
	HTTPC_SET(h, CURLOPT_URL, url);
	HTTPC_SET(h, CURLOPT_PROTOCOLS_STR, "http,https");
	HTTPC_SET(h, CURLOPT_NOSIGNAL, 1L);
	HTTPC_SET(h, CURLOPT_ERRORBUFFER, h->errbuf);
	HTTPC_SET(h, CURLOPT_CONNECTTIMEOUT_MS, HTTPC_CONNECT_TIMEOUT_MS);
	HTTPC_SET(h, CURLOPT_TIMEOUT_MS, HTTPC_TIMEOUT_MS);
	HTTPC_SET(h, CURLOPT_FOLLOWLOCATION, 0L);
	HTTPC_SET(h, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTPC_SET(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL)
		HTTPC_SET(h, CURLOPT_CAINFO, h->ca_file);
	/* An empty proxy turns off the environment's proxy variables. */
	HTTPC_SET(h, CURLOPT_PROXY, h->proxy != NULL ? h->proxy : "");
	HTTPC_SET(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTPC_RESPONSE_MAX);
	HTTPC_SET(h, CURLOPT_WRITEFUNCTION, httpc_write_cb);
	HTTPC_SET(h, CURLOPT_WRITEDATA, &ctx);
	HTTPC_SET(h, CURLOPT_HEADERFUNCTION, httpc_header_cb);
	HTTPC_SET(h, CURLOPT_HEADERDATA, &ctx);
	HTTPC_SET(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	HTTPC_SET(h, CURLOPT_TCP_KEEPALIVE, 1L);
	HTTPC_SET(h, CURLOPT_FORBID_REUSE, h->close_after ? 1L : 0L);
	if (hl != NULL)
		HTTPC_SET(h, CURLOPT_HTTPHEADER, hl);
	if (user != NULL && pass != NULL) {
		HTTPC_SET(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		HTTPC_SET(h, CURLOPT_USERNAME, user);
		HTTPC_SET(h, CURLOPT_PASSWORD, pass);
	}
	if (body != NULL) {
		HTTPC_SET(h, CURLOPT_POSTFIELDS, body);
		HTTPC_SET(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bodylen);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		HTTPC_SET(h, CURLOPT_CUSTOMREQUEST, method);
	else if (strcmp(method, "GET") == 0)
		HTTPC_SET(h, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		log_err("%s %s: %s", method, url, ctx.overflow ?
		    "response too large" : (h->errbuf[0] ? h->errbuf :
		    curl_easy_strerror(rc)));
		e = ERR_UPSTREAM;
		goto out;
	}
	if (curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE,
	    &resp->status) != CURLE_OK) {
		e = ERR_UPSTREAM;
		goto out;
	}
	if (resp->body.data == NULL &&
	    (e = buf_add(&resp->body, "", 0)) != ERR_OK)
		goto out;
	e = ERR_OK;
out:
	/* Secrets may sit in the handle's options: never leave them. */
	if (h->curl != NULL)
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hl);
	if (e != ERR_OK) {
		if (h->curl != NULL)
			curl_easy_cleanup(h->curl);
		h->curl = NULL;
		httpc_resp_free(resp);
	}
	return e;
}

static bool
httpc_host_is_loopback(const char *host)
{
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return true;
	return strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") == strlen(host);
}

/*
 * Parse url with libcurl's URL API: false when it is not an absolute
 * URL; else whether the scheme is https and the host loopback.
 */
static bool
httpc_url_parts(const char *url, bool *https, bool *http, bool *loopback)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	bool	 ok = false;

	if ((u = curl_url()) == NULL)
		return false;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		*https = strcasecmp(scheme, "https") == 0;
		*http = strcasecmp(scheme, "http") == 0;
		*loopback = httpc_host_is_loopback(host);
		ok = true;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

bool
httpc_url_is_loopback(const char *url)
{
	bool https, http, loopback;

	return httpc_url_parts(url, &https, &http, &loopback) && loopback;
}

bool
httpc_url_allowed(const char *url)
{
	bool https, http, loopback;

	return httpc_url_parts(url, &https, &http, &loopback) &&
	    (https || (http && loopback));
}
