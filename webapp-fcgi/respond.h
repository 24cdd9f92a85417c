/*
 * webapp-fcgi answers and the checks route handlers make first: every
 * page goes out through web_html() (or web_error(), web_redirect()) with
 * the security headers; a POST handler takes its form from web_form() and
 * checks it with web_csrf_ok() before it changes anything.
 */
#ifndef TODO_WEB_RESPOND_H
#define TODO_WEB_RESPOND_H

#include <stdbool.h>

#include "buf.h"
#include "req.h"
#include "url.h"

#define WEB_FORM_MAX (16 * 1024)	/* bytes of a posted form */

struct session;				/* webapp.h */
struct web;				/* webapp.h */

void	web_headers(struct web *, struct req *);
void	web_redirect(struct web *, struct req *, const char *location);
void	web_html(struct web *, struct req *, int status, struct buf *page);
/*
 * web_html for the front-channel logout page, which the provider frames:
 * its CSP's frame-ancestors names the provider's origins (every other
 * page: 'none' and X-Frame-Options DENY).
 */
void	web_html_framed(struct web *, struct req *, int status,
	    struct buf *page);
/*
 * An error page; "msg" is plain text (escaped here).  A title starting
 * "Sign-in failed" or "Sign-in expired" makes it web_signin_error()'s
 * page, coming back to /tasks.
 */
void	web_error(struct web *, struct req *, const struct session *,
	    int status, const char *title, const char *msg);
/*
 * A sign-in that did not complete: the signed-out header and a "Sign in
 * again" action that comes back to return_to (NULL or not a local path:
 * /tasks).
 */
void	web_signin_error(struct web *, struct req *, int status,
	    const char *title, const char *msg, const char *return_to);
/* Parse the posted form (415/413/400 answered on failure). */
bool	web_form(struct web *, struct req *, struct url_params *);
/* The form's csrf member must match the session's (403 on failure). */
bool	web_csrf_ok(struct web *, struct req *, const struct session *,
	    const struct url_params *);
bool	web_set_cookie(struct web *, struct req *, const char *name,
	    const char *value, long max_age);

#endif
