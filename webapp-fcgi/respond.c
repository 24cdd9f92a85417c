/*
 * webapp-fcgi answers and the checks route handlers make first: the
 * headers every page carries, pages, error pages and redirects, the
 * posted form, its CSRF token, and cookies.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "frame.h"
#include "log.h"
#include "oidc.h"
#include "respond.h"
#include "webapp.h"

#define WEB_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
#define WEB_CSP_MAX 4096	/* bytes of the CSP header */
#define WEB_ORIGIN_MAX 1024	/* bytes of one origin */
#define WEB_SIGNIN_DEFAULT "/tasks"	/* "Sign in again" comes back here */

/* Add " origin" of url to the policy unless it is there already. */
static void
web_csp_origin(struct buf *csp, const char *url)
{
	struct buf o;
	const char *p;
	size_t	 n;

	buf_init(&o, WEB_ORIGIN_MAX);
	if (url == NULL || oidc_origin_root(url, &o) != ERR_OK || o.len < 2)
		goto out;
	n = o.len - 1;			/* without the final "/" */
	for (p = buf_str(csp); (p = strstr(p, " ")) != NULL; p++)
		if (strncmp(p + 1, o.data, n) == 0 &&
		    (p[n + 1] == ' ' || p[n + 1] == ';' || p[n + 1] == '\0'))
			goto out;
	buf_addc(csp, ' ');
	buf_add(csp, o.data, n);
out:
	buf_free(&o);
}

/* " origin" of each of the provider's pages the browser may come from. */
static void
web_csp_provider(struct web *w, struct buf *csp)
{
	size_t	 i;

	web_csp_origin(csp, w->cfg->metadata_url);
	for (i = 0; i < FLOW__MAX; i++) {
		if (w->flows[i] == NULL)
			continue;
		web_csp_origin(csp, provider_endpoint(w->flows[i],
		    PROVIDER_AUTHORIZE));
		web_csp_origin(csp, provider_endpoint(w->flows[i],
		    PROVIDER_END_SESSION));
	}
}

/*
 * Forms post to this site only, but a form's answer may redirect to the
 * provider: sign-out to its end_session endpoint, and a POST whose
 * session or tokens ended through /signin to its authorize endpoint.
 * Browsers check form-action along those redirects, so the provider's
 * origins are allowed too.  (Its form_post to our callback is governed
 * by the provider page's own policy, not by ours.)
 */
static void
web_csp(struct web *w, struct buf *csp)
{
	buf_adds(csp, WEB_CSP);
	web_csp_provider(w, csp);
}

/*
 * The provider's origins, space separated after "frame-ancestors" (none
 * known: 'none'), for the one page a provider frames: front-channel
 * logout.  Nothing else is allowed on it.
 */
static void
web_csp_framed(struct web *w, struct buf *csp)
{
	size_t	 n;

	buf_adds(csp, "default-src 'none'; style-src 'self'; img-src 'self'; "
	    "base-uri 'none'; form-action 'none'; frame-ancestors");
	n = csp->len;
	web_csp_provider(w, csp);
	if (csp->len == n)
		buf_adds(csp, " 'none'");
}

/*
 * The two policies depend on nothing but the configuration and these
 * strings: the metadata URL and each flow's authorize and end-session
 * endpoints (which a refetch of a provider's metadata may change).
 */
#define WEB_CSP_SOURCES (1 + 2 * FLOW__MAX)

/*
 * The process's policies, [0] for every page and [1] framed, and copies
 * of the sources they were made from: one entry, made again whenever a
 * source differs.  valid is false until both were built without error.
 */
static struct {
	bool		 valid;
	char		*src[WEB_CSP_SOURCES];	/* NULL: none */
	struct buf	 csp[2];
} web_csp_cache;

static void
web_csp_sources(struct web *w, const char *src[WEB_CSP_SOURCES])
{
	size_t	 i;

	src[0] = w->cfg->metadata_url;
	for (i = 0; i < FLOW__MAX; i++) {
		src[1 + 2 * i] = w->flows[i] == NULL ? NULL :
		    provider_endpoint(w->flows[i], PROVIDER_AUTHORIZE);
		src[2 + 2 * i] = w->flows[i] == NULL ? NULL :
		    provider_endpoint(w->flows[i], PROVIDER_END_SESSION);
	}
}

static bool
web_csp_cache_fresh(const char *src[WEB_CSP_SOURCES])
{
	size_t	 i;

	if (!web_csp_cache.valid)
		return false;
	for (i = 0; i < WEB_CSP_SOURCES; i++)
		if (src[i] == NULL ? web_csp_cache.src[i] != NULL :
		    web_csp_cache.src[i] == NULL ||
		    strcmp(src[i], web_csp_cache.src[i]) != 0)
			return false;
	return true;
}

/* Build both policies into the cache; false (cache empty) on failure. */
static bool
web_csp_cache_fill(struct web *w, const char *src[WEB_CSP_SOURCES])
{
	size_t	 i;
	bool	 ok = true;

	web_csp_cache.valid = false;
	for (i = 0; i < WEB_CSP_SOURCES; i++) {
		free(web_csp_cache.src[i]);
		web_csp_cache.src[i] = NULL;
		if (src[i] != NULL &&
		    (web_csp_cache.src[i] = strdup(src[i])) == NULL)
			ok = false;
	}
	for (i = 0; i < 2; i++) {
		buf_free(&web_csp_cache.csp[i]);
		buf_init(&web_csp_cache.csp[i], WEB_CSP_MAX);
	}
	web_csp(w, &web_csp_cache.csp[0]);
	web_csp_framed(w, &web_csp_cache.csp[1]);
	web_csp_cache.valid = ok && web_csp_cache.csp[0].err == ERR_OK &&
	    web_csp_cache.csp[1].err == ERR_OK;
	return web_csp_cache.valid;
}

/* The cached policy for this answer, or NULL when it cannot be cached. */
static const char *
web_csp_cached(struct web *w, bool framed)
{
	const char *src[WEB_CSP_SOURCES];

	web_csp_sources(w, src);
	if (!web_csp_cache_fresh(src) && !web_csp_cache_fill(w, src))
		return NULL;
	return buf_str(&web_csp_cache.csp[framed ? 1 : 0]);
}

/* The headers of every answer; framed: the front-channel logout page's. */
static void
web_headers_as(struct web *w, struct req *r, bool framed)
{
	const char *policy;

	/* Out of memory building the cache: the strict fixed policy. */
	if ((policy = web_csp_cached(w, framed)) == NULL)
		policy = WEB_CSP;
	(void)req_header(r, "Content-Security-Policy", policy);
	(void)req_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	/* X-Frame-Options cannot name an origin: the framed CSP does. */
	if (!framed)
		(void)req_header(r, "X-Frame-Options", "DENY");
	(void)req_header(r, "Referrer-Policy", "no-referrer");
	(void)req_header(r, "X-Content-Type-Options", "nosniff");
	(void)req_header(r, "Cache-Control", "no-store");
}

void
web_headers(struct web *w, struct req *r)
{
	web_headers_as(w, r, false);
}

void
web_redirect(struct web *w, struct req *r, const char *location)
{
	web_headers(w, r);
	if (req_header(r, "Location", location) != ERR_OK) {
		req_respond(r, 500, NULL, NULL, 0);
		return;
	}
	req_respond(r, 303, NULL, NULL, 0);
}

/* An HTML page with the headers (framed: web_html_framed's). */
static void
web_page(struct web *w, struct req *r, int status, struct buf *page,
    bool framed)
{
	web_headers_as(w, r, framed);
	if (page->err != ERR_OK) {
		log_err("page could not be built: %s", err_str(page->err));
		req_respond(r, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15);
	} else {
		if (status == 503)
			(void)req_header(r, "Retry-After", REQ_RETRY_AFTER);
		req_respond(r, status, "text/html; charset=utf-8", page->data,
		    page->len);
	}
	buf_free(page);
}

void
web_html(struct web *w, struct req *r, int status, struct buf *page)
{
	web_page(w, r, status, page, false);
}

void
web_html_framed(struct web *w, struct req *r, int status, struct buf *page)
{
	web_page(w, r, status, page, true);
}

void
web_signin_error(struct web *w, struct req *r, int status, const char *title,
    const char *msg, const char *return_to)
{
	struct buf b;

	if (return_to == NULL || !url_return_to_ok(return_to))
		return_to = WEB_SIGNIN_DEFAULT;
	/* Whatever session there is, this sign-in did not give one. */
	page_begin(w, &b, NULL, title);
	buf_adds(&b, "<h1>");
	page_text(&b, title);
	buf_adds(&b, "</h1><div class=\"card\"><p class=\"error\" "
	    "role=\"alert\">");
	page_text(&b, msg);
	buf_adds(&b, "</p><p><a class=\"button\" href=\"/signin?return_to=");
	url_encode(return_to, &b);
	buf_adds(&b, "\">Sign in again</a></p><p class=\"muted\">Or go "
	    "back to the <a href=\"/\">home page</a>.</p></div>");
	page_end(&b);
	web_html(w, r, status, &b);
}

void
web_error(struct web *w, struct req *r, const struct session *s, int status,
    const char *title, const char *msg)
{
	struct buf b;

	if (strncmp(title, "Sign-in failed", 14) == 0 ||
	    strncmp(title, "Sign-in expired", 15) == 0) {
		web_signin_error(w, r, status, title, msg, NULL);
		return;
	}
	page_begin(w, &b, s, title);
	buf_adds(&b, "<h1>");
	page_text(&b, title);
	buf_adds(&b, "</h1><div class=\"card\"><p class=\"error\" "
	    "role=\"alert\">");
	page_text(&b, msg);
	buf_adds(&b, "</p><p>");
	if (s != NULL)
		buf_adds(&b, "<a class=\"button\" href=\"/tasks\">Back to my "
		    "tasks</a> <a class=\"quiet\" href=\"/\">Home</a>");
	else
		buf_adds(&b, "<a class=\"button\" href=\"/\">Home page</a>");
	buf_adds(&b, "</p></div>");
	page_end(&b);
	web_html(w, r, status, &b);
}

bool
web_form(struct web *w, struct req *r, struct url_params *f)
{
	enum err e;

	if (!req_content_type_is(r, "application/x-www-form-urlencoded")) {
		web_error(w, r, NULL, 415, "Unsupported form", "Forms must be "
		    "sent as application/x-www-form-urlencoded.");
		return false;
	}
	if ((e = req_read_body(r, WEB_FORM_MAX)) != ERR_OK) {
		web_error(w, r, NULL, e == ERR_NOMEM ? 413 : 400,
		    "Form rejected", e == ERR_NOMEM ? "The form is too "
		    "large." : "The form could not be read.");
		return false;
	}
	if (url_params_parse(buf_str(&r->body), r->body.len, true, f) !=
	    ERR_OK) {
		web_error(w, r, NULL, 400, "Form rejected", "The form is "
		    "malformed.");
		return false;
	}
	return true;
}

bool
web_csrf_ok(struct web *w, struct req *r, const struct session *s,
    const struct url_params *f)
{
	const char *t = url_params_get(f, "csrf");

	if (t != NULL && s != NULL && crypto_streq(t, s->csrf))
		return true;
	log_warn("csrf token missing or wrong on %s", r->path);
	web_error(w, r, s, 403, "Request refused", "This form has expired "
	    "or did not come from this site. Go back, reload the page and "
	    "try again.");
	return false;
}

bool
web_set_cookie(struct web *w, struct req *r, const char *name,
    const char *value, long max_age)
{
	struct cookie_attrs a = COOKIE_ATTRS_DEFAULT;
	struct buf b;
	bool	 ok;

	a.max_age = max_age;
	a.secure = w->cfg->cookie_secure;
	buf_init(&b, 0);
	ok = cookie_set(&b, name, value, &a) == ERR_OK &&
	    req_header(r, "Set-Cookie", buf_str(&b)) == ERR_OK;
	buf_free_secret(&b);
	return ok;
}
