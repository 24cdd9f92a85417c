/*
 * The sessions page: the signed-in user's own active sessions (when it
 * began, when it was last used, the browser and the address the web
 * server saw), each with a public handle (never the cookie's secret nor
 * its hash) to end it; ending one deletes its cached tokens with it.
 * Every statement has the user in its WHERE: another user's session
 * answers like a missing one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

/* User-Agent products, the first found names the browser. */
static const struct {
	const char	*token;
	const char	*name;
} sessions_browsers[] = {
	{ "Edg/", "Edge" },
	{ "OPR/", "Opera" },
	{ "Firefox/", "Firefox" },
	{ "HeadlessChrome/", "Chrome (headless)" },
	{ "Chrome/", "Chrome" },
	{ "Safari/", "Safari" },
	{ "curl/", "curl" },
};
static const struct {
	const char	*token;
	const char	*name;
} sessions_systems[] = {
	{ "Android", "Android" },
	{ "iPhone", "iOS" },
	{ "iPad", "iPadOS" },
	{ "Windows", "Windows" },
	{ "Mac OS X", "macOS" },
	{ "CrOS", "ChromeOS" },
	{ "Linux", "Linux" },
};

void
sessions_browser(struct buf *b, const char *ua)
{
	const char *browser = NULL, *os = NULL;
	size_t	 i;

	if (ua == NULL || *ua == '\0') {
		buf_adds(b, "Unknown browser");
		return;
	}
	for (i = 0; browser == NULL && i < sizeof(sessions_browsers) /
	    sizeof(sessions_browsers[0]); i++)
		if (strstr(ua, sessions_browsers[i].token) != NULL)
			browser = sessions_browsers[i].name;
	for (i = 0; os == NULL && i < sizeof(sessions_systems) /
	    sizeof(sessions_systems[0]); i++)
		if (strstr(ua, sessions_systems[i].token) != NULL)
			os = sessions_systems[i].name;
	buf_adds(b, browser ? browser : "Another browser");
	if (os != NULL) {
		buf_adds(b, " on ");
		buf_adds(b, os);
	}
}

void
sessions_page(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	struct user_session *l = NULL;
	const char *notice = NULL;
	struct buf b;
	size_t	 i, n = 0, others = 0;
	enum err e;

	if ((e = store_user_sessions(w, s, &l, &n)) != ERR_OK) {
		web_error(w, r, s, e == ERR_DB ? 503 : 500, "Sessions "
		    "unavailable", "Your sessions cannot be listed right now. "
		    "Please try again in a moment.");
		return;
	}
	if (url_params_parse(r->query, strlen(r->query), false, &q) == ERR_OK)
		notice = url_params_get(&q, "notice");
	page_begin(w, &b, s, "Sessions");
	buf_adds(&b, "<h1>Where you are signed in</h1>");
	if (notice != NULL && strcmp(notice, "ended") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">The session "
		    "was ended.</p>");
	else if (notice != NULL && strcmp(notice, "others") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">Every other "
		    "session was ended.</p>");
	else if (notice != NULL && strcmp(notice, "gone") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">That session "
		    "had ended already.</p>");
	buf_adds(&b, "<p>Each browser you signed in with on this site. End a "
	    "session you do not recognise: that browser must sign in again."
	    " Times are in UTC; the address is the one this site saw."
	    "</p><div class=\"card\"><ul class=\"sessions\">");
	for (i = 0; i < n; i++) {
		buf_adds(&b, "<li><span class=\"what\"><strong>");
		sessions_browser(&b, l[i].user_agent);
		buf_adds(&b, "</strong>");
		if (l[i].current)
			buf_adds(&b, " <span class=\"status\">This one</span>");
		buf_adds(&b, "</span><span class=\"muted\">Signed in ");
		page_text(&b, l[i].created);
		buf_adds(&b, " · last seen ");
		page_text(&b, l[i].last_seen);
		buf_adds(&b, " · address ");
		page_text(&b, l[i].ip ? l[i].ip : "unknown");
		buf_adds(&b, "</span>");
		if (!l[i].current) {
			others++;
			buf_adds(&b, "<form class=\"inline\" method=\"post\" "
			    "action=\"/sessions/");
			page_text(&b, l[i].public_id);
			buf_adds(&b, "/revoke\">");
			page_csrf(&b, s);
			buf_adds(&b, "<button class=\"secondary\" "
			    "type=\"submit\" aria-label=\"End session: ");
			sessions_browser(&b, l[i].user_agent);
			buf_adds(&b, ", last seen ");
			page_text(&b, l[i].last_seen);
			buf_adds(&b, "\">End session</button></form>");
		}
		buf_adds(&b, "</li>");
	}
	buf_adds(&b, "</ul></div>");
	if (others > 0) {
		buf_adds(&b, "<form method=\"post\" "
		    "action=\"/sessions/revoke-others\">");
		page_csrf(&b, s);
		buf_adds(&b, "<button class=\"danger\" type=\"submit\">End "
		    "every other session</button></form>");
	} else
		buf_adds(&b, "<p class=\"muted\">You are signed in nowhere "
		    "else.</p>");
	page_end(&b);
	web_html(w, r, 200, &b);
	store_user_sessions_free(l, n);
	url_params_free(&q);
}

void
sessions_revoke(struct web *w, struct req *r, const struct session *s,
    const char *public_id)
{
	struct url_params f = { NULL, 0 };
	enum err e;

	if (web_form(w, r, &f) && web_csrf_ok(w, r, s, &f)) {
		e = store_user_session_revoke(w, s, public_id);
		if (e == ERR_OK) {
			log_info("a session of the user was ended from the "
			    "sessions page");
			web_redirect(w, r, "/sessions?notice=ended");
		} else if (e == ERR_NOTFOUND)
			web_redirect(w, r, "/sessions?notice=gone");
		else
			web_error(w, r, s, 503, "Not ended", "The session "
			    "could not be ended. Please try again in a "
			    "moment.");
	}
	url_params_free(&f);
}

void
sessions_revoke_others(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	long	 n;

	if (web_form(w, r, &f) && web_csrf_ok(w, r, s, &f)) {
		if (store_user_sessions_end(w, s, false, &n) == ERR_OK) {
			log_info("%ld other sessions of the user ended", n);
			web_redirect(w, r, "/sessions?notice=others");
		} else
			web_error(w, r, s, 503, "Not ended", "The sessions "
			    "could not be ended. Please try again in a "
			    "moment.");
	}
	url_params_free(&f);
}

void
sessions_client(const struct req *r, char *ua, size_t ualen, char *ip,
    size_t iplen)
{
	const char *u = req_param(r, "HTTP_USER_AGENT");
	const char *a = req_param(r, "REMOTE_ADDR");
	size_t	 i, n = 0;

	ua[0] = ip[0] = '\0';
	/* Printable ASCII only: PostgreSQL wants UTF-8, the page text. */
	for (i = 0; u != NULL && u[i] != '\0' && n + 1 < ualen; i++)
		if (u[i] >= 0x20 && u[i] < 0x7f)
			ua[n++] = u[i];
	ua[n] = '\0';
	if (a != NULL && strlen(a) < iplen &&
	    strspn(a, "0123456789abcdefABCDEF:.") == strlen(a))
		memcpy(ip, a, strlen(a) + 1);
}
