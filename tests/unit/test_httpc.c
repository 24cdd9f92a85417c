/*
 * test_httpc: requests to a real local HTTP server (httpd.h): statuses,
 * headers in and out, methods and bodies, basic authentication, the
 * response cap, no redirects, the timeout, an unreachable peer and the
 * handle dropped after it; the environment's proxy variables ignored
 * unless a proxy is configured; then the URL checks.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "httpc.h"
#include "log.h"
#include "httpd.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct httpd srv;

static enum err
get(struct httpc *h, const char *path, struct httpc_resp *resp)
{
	return httpc_request(h, "GET", httpd_url(&srv, path), NULL, NULL, 0,
	    NULL, NULL, resp);
}

static void
test_get(struct httpc *h)
{
	struct httpc_resp resp;
	enum err e;

	ok(httpd_put(&srv, "doc.json", "{\"a\":1}"), "a document to serve");
	e = get(h, "/doc.json", &resp);
	ok(e == ERR_OK && resp.status == 200, "GET: 200");
	ok(e == ERR_OK && resp.body.len == 7 &&
	    strcmp(resp.body.data, "{\"a\":1}") == 0, "GET: the body");
	is_str(e == ERR_OK ? resp.content_type : NULL, "application/json",
	    "GET: the Content-Type, trimmed");
	ok(e == ERR_OK && resp.www_authenticate == NULL,
	    "GET: no WWW-Authenticate");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	ok(httpd_put(&srv, "doc.json.headers", "Cache-Control: public, "
	    "max-age=600\r\n"), "a Cache-Control header to send");
	e = get(h, "/doc.json", &resp);
	is_str(e == ERR_OK ? resp.cache_control : NULL, "public, max-age=600",
	    "GET: the Cache-Control, trimmed");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	httpd_put(&srv, "doc.json.headers", NULL);
	e = get(h, "/doc.json", &resp);
	ok(e == ERR_OK && resp.cache_control == NULL, "GET: no Cache-Control");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	e = get(h, "/status/401", &resp);
	ok(e == ERR_OK && resp.status == 401, "a 401 is ERR_OK, status set");
	is_str(e == ERR_OK ? resp.www_authenticate : NULL,
	    "Bearer error=\"x\"", "the WWW-Authenticate header kept");
	is_str(e == ERR_OK ? resp.body.data : NULL, "status/401",
	    "the body of a non-200");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	e = get(h, "/status/503", &resp);
	ok(e == ERR_OK && resp.status == 503, "a 503 is ERR_OK, status set");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	e = get(h, "/missing", &resp);
	ok(e == ERR_OK && resp.status == 404, "a 404 is ERR_OK, status set");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	e = get(h, "/status/204", &resp);
	ok(e == ERR_OK && resp.status == 204 && resp.body.data != NULL,
	    "an answer always has a terminated body");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
}

static void
test_request(struct httpc *h)
{
	static const char *const hdrs[] = { "Accept: application/json",
	    "X-Test: one two", NULL };
	struct httpc_resp resp;
	const char *b;
	enum err e;

	e = httpc_request(h, "POST", httpd_url(&srv, "/echo"), hdrs,
	    "a=1&b=2", 7, "user", "pa:ss", &resp);
	b = e == ERR_OK ? resp.body.data : "";
	ok(e == ERR_OK && resp.status == 200, "POST: 200");
	ok(strncmp(b, "POST /echo HTTP/1.1\r\n", 21) == 0, "POST: the method");
	ok(strstr(b, "\r\nAccept: application/json\r\n") != NULL &&
	    strstr(b, "\r\nX-Test: one two\r\n") != NULL,
	    "POST: the caller's headers sent");
	/* base64("user:pa:ss") */
	ok(strstr(b, "\r\nAuthorization: Basic dXNlcjpwYTpzcw==\r\n") != NULL,
	    "POST: basic authentication");
	ok(strstr(b, "\r\nUser-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION
	    "\r\n") != NULL, "POST: our User-Agent");
	ok(strstr(b, "\r\nContent-Length: 7\r\n") != NULL &&
	    strstr(b, "\r\n\r\na=1&b=2") != NULL, "POST: the body");
	is_str(e == ERR_OK ? resp.content_type : NULL,
	    "text/plain; charset=x", "POST: a Content-Type with parameters");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	/* The same handle, reset: nothing of the POST is left. */
	e = get(h, "/echo", &resp);
	b = e == ERR_OK ? resp.body.data : "";
	ok(strncmp(b, "GET /echo ", 10) == 0 &&
	    strstr(b, "Authorization") == NULL &&
	    strstr(b, "X-Test") == NULL && strstr(b, "a=1") == NULL,
	    "GET after POST on the same handle: no header, body or "
	    "credentials left over");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	e = httpc_request(h, "DELETE", httpd_url(&srv, "/echo"), NULL, NULL,
	    0, "user", NULL, &resp);
	b = e == ERR_OK ? resp.body.data : "";
	ok(strncmp(b, "DELETE /echo ", 13) == 0, "DELETE: a custom method");
	ok(strstr(b, "Authorization") == NULL,
	    "a user without a password: no authentication");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	e = httpc_request(h, "PUT", httpd_url(&srv, "/echo"), NULL, "{}", 2,
	    NULL, NULL, &resp);
	b = e == ERR_OK ? resp.body.data : "";
	ok(strncmp(b, "PUT /echo ", 10) == 0 && strstr(b, "\r\n\r\n{}"),
	    "PUT with a body");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
}

static void
test_limits(struct httpc *h)
{
	struct httpc_resp resp;
	char	 path[64];
	time_t	 t0;
	enum err e;

	snprintf(path, sizeof(path), "/big/%d", HTTPC_RESPONSE_MAX);
	e = get(h, path, &resp);
	ok(e == ERR_OK && resp.body.len == HTTPC_RESPONSE_MAX,
	    "a body of exactly HTTPC_RESPONSE_MAX bytes");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	snprintf(path, sizeof(path), "/big/%d", HTTPC_RESPONSE_MAX + 1);
	e = get(h, path, &resp);
	is_int(e, ERR_UPSTREAM, "one byte more, declared: ERR_UPSTREAM");
	ok(resp.body.data == NULL && resp.content_type == NULL,
	    "nothing is left in the response after a failure");
	snprintf(path, sizeof(path), "/stream/%d", HTTPC_RESPONSE_MAX + 1);
	e = get(h, path, &resp);
	is_int(e, ERR_UPSTREAM, "one byte more, undeclared: ERR_UPSTREAM");
	snprintf(path, sizeof(path), "/stream/%d", 3 * HTTPC_RESPONSE_MAX);
	e = get(h, path, &resp);
	is_int(e, ERR_UPSTREAM, "a much larger stream: ERR_UPSTREAM");
	e = get(h, "/stream/10", &resp);
	ok(e == ERR_OK && resp.body.len == 10,
	    "the handle works again after a failure");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	e = get(h, "/redirect", &resp);
	ok(e == ERR_OK && resp.status == 302, "a redirect is not followed");
	is_int(httpd_hits(&srv, "/target"), 0, "the target was never asked");
	if (e == ERR_OK)
		httpc_resp_free(&resp);

	/* HTTPC_TIMEOUT_MS is a constant: this takes that long. */
	t0 = time(NULL);
	e = get(h, "/slow", &resp);
	is_int(e, ERR_UPSTREAM, "a slow answer times out: ERR_UPSTREAM");
	ok(time(NULL) - t0 >= HTTPC_TIMEOUT_MS / 1000 - 1 &&
	    time(NULL) - t0 <= HTTPC_TIMEOUT_MS / 1000 + 3,
	    "after HTTPC_TIMEOUT_MS (%lld s)", (long long)(time(NULL) - t0));
}

static void
test_unreachable(struct httpc *h)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	struct httpc_resp resp;
	char	 url[128];
	int	 fd;
	enum err e;

	/* A port that was free a moment ago: refused. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		ok(false, "a free port");
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sin.sin_port));
	close(fd);
	e = httpc_request(h, "GET", url, NULL, NULL, 0, NULL, NULL, &resp);
	is_int(e, ERR_UPSTREAM, "connection refused: ERR_UPSTREAM");
	e = httpc_request(h, "GET", "ftp://127.0.0.1/x", NULL, NULL, 0, NULL,
	    NULL, &resp);
	is_int(e, ERR_UPSTREAM, "ftp: not an allowed protocol");
	e = httpc_request(h, "GET", "file:///etc/passwd", NULL, NULL, 0,
	    NULL, NULL, &resp);
	is_int(e, ERR_UPSTREAM, "file: not an allowed protocol");
	e = httpc_request(h, "GET", "not a url", NULL, NULL, 0, NULL, NULL,
	    &resp);
	is_int(e, ERR_UPSTREAM, "not a URL: ERR_UPSTREAM");
	e = get(h, "/status/200", &resp);
	ok(e == ERR_OK && resp.status == 200,
	    "a new connection after the failures");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
}

/* Plain libcurl, defaults: does it take the environment's proxy? */
static bool
curl_env_proxy_used(const char *url)
{
	CURL	*c;
	CURLcode rc = CURLE_FAILED_INIT;

	if ((c = curl_easy_init()) != NULL &&
	    curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_NOBODY, 1L) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L) == CURLE_OK)
		rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return rc == CURLE_COULDNT_CONNECT;
}

/*
 * A dead proxy in the environment: libcurl alone would use it, httpc
 * does not; a proxy configured with httpc_configure is used (and, dead,
 * fails the request).
 */
static void
test_proxy(void)
{
	static const char *const vars[] = { "http_proxy", "HTTP_PROXY",
	    "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
	struct httpc *p = NULL;
	struct httpc_resp resp;
	const char *dead = "http://127.0.0.1:1";
	size_t	 i;
	enum err e;

	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	for (i = 0; i < NELEM(vars); i++)
		setenv(vars[i], dead, 1);
	if (!ok(httpd_put(&srv, "p.json", "{}") && httpc_new(&p) == ERR_OK,
	    "proxy: a document and a new client"))
		goto out;
	ok(curl_env_proxy_used(httpd_url(&srv, "/p.json")),
	    "proxy: plain libcurl goes to the dead proxy of http_proxy");
	e = httpc_request(p, "GET", httpd_url(&srv, "/p.json"), NULL, NULL, 0,
	    NULL, NULL, &resp);
	ok(e == ERR_OK && resp.status == 200 && strcmp(resp.body.data,
	    "{}") == 0, "proxy: httpc ignores http_proxy and friends: 200");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	httpc_configure(p, NULL, dead);
	e = httpc_request(p, "GET", httpd_url(&srv, "/p.json"), NULL, NULL, 0,
	    NULL, NULL, &resp);
	is_int(e, ERR_UPSTREAM, "proxy: the configured dead proxy is used and "
	    "fails");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
	httpc_configure(p, NULL, NULL);
	e = httpc_request(p, "GET", httpd_url(&srv, "/p.json"), NULL, NULL, 0,
	    NULL, NULL, &resp);
	ok(e == ERR_OK && resp.status == 200, "proxy: none configured again: "
	    "200");
	if (e == ERR_OK)
		httpc_resp_free(&resp);
out:
	for (i = 0; i < NELEM(vars); i++)
		unsetenv(vars[i]);
	httpc_free(p);
}

static void
test_urls(void)
{
	static const struct {
		const char	*url;
		bool		 loopback, allowed;
	} cases[] = {
		{ "https://login.example.com/x", false, true },
		{ "HTTPS://login.example.com/x", false, true },
		{ "http://login.example.com/x", false, false },
		{ "http://127.0.0.1:8080/x", true, true },
		{ "http://127.1.2.3/", true, true },
		{ "http://localhost/", true, true },
		{ "http://LOCALHOST:80/", true, true },
		{ "http://[::1]:9000/", true, true },
		{ "https://127.0.0.1/", true, true },
		{ "http://127.0.0.1.evil.example/", false, false },
		{ "http://128.0.0.1/", false, false },
		{ "http://localhost.example/", false, false },
		{ "http://evil.example/?127.0.0.1", false, false },
		{ "http://127.0.0.1@evil.example/", false, false },
		{ "ftp://127.0.0.1/", true, false },
		{ "file:///etc/passwd", false, false },
		{ "javascript:alert(1)", false, false },
		{ "//127.0.0.1/x", false, false },
		{ "/relative", false, false },
		{ "", false, false },
	};
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		is_int(httpc_url_is_loopback(cases[i].url), cases[i].loopback,
		    "loopback \"%s\"", cases[i].url);
		is_int(httpc_url_allowed(cases[i].url), cases[i].allowed,
		    "allowed \"%s\"", cases[i].url);
	}
}

int
main(void)
{
	struct httpc *h = NULL;

	log_init("test_httpc", LOG_LEVEL_ERR);
	alarm(120);	/* a hang fails the test */
	if (!ok(httpd_start(&srv), "a local HTTP server") ||
	    !ok(httpc_global_init() == ERR_OK, "httpc_global_init") ||
	    !ok(httpc_new(&h) == ERR_OK && h != NULL, "httpc_new"))
		goto out;
	test_get(h);
	test_request(h);
	test_unreachable(h);
	test_limits(h);
	test_proxy();
	test_urls();
	httpc_free(NULL);
	ok(true, "httpc_free(NULL) is a no-op");
out:
	httpc_free(h);
	httpd_stop(&srv);
	return tap_done();
}
