/*
 * webapp-fcgi answers and the checks route handlers make first: the
 * headers every page carries, pages, error pages and redirects, the
 * posted form, its CSRF token, and cookies.
 */
#include "config.h"

#include "cookie.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

#define WEB_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"base-uri 'none'; frame-ancestors 'none'"

void
web_headers(struct web *w, struct req *r)
{
	(void)w;
	(void)req_header(r, "Content-Security-Policy", WEB_CSP);
	(void)req_header(r, "X-Frame-Options", "DENY");
	(void)req_header(r, "Referrer-Policy", "no-referrer");
	(void)req_header(r, "X-Content-Type-Options", "nosniff");
	(void)req_header(r, "Cache-Control", "no-store");
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

void
web_html(struct web *w, struct req *r, int status, struct buf *page)
{
	web_headers(w, r);
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
web_error(struct web *w, struct req *r, const struct session *s, int status,
    const char *title, const char *msg)
{
	struct buf b;

	page_begin(w, &b, s, title);
	buf_adds(&b, "<h1>");
	page_text(&b, title);
	buf_adds(&b, "</h1><div class=\"card\"><p class=\"error\" "
	    "role=\"alert\">");
	page_text(&b, msg);
	buf_adds(&b, "</p><p><a href=\"/\">Home</a>");
	if (s != NULL)
		buf_adds(&b, " · <a href=\"/tasks\">My tasks</a>");
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
