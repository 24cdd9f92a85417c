/*
 * frame: the HTML frame every page of the web app shares -- head, header with
 * the navigation, skip link, footer -- and the two helpers pages use inside
 * it.  Depends on nothing of the program but its types, so that the
 * response helpers (respond.c) and the pages (pages.c, tasks.c) both build
 * on it without depending on each other in a circle.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "html.h"
#include "log.h"

void
page_text(struct buf *b, const char *s)
{
	if (html_escape(b, s ? s : "") != ERR_OK)
		log_err("page too large");
}

void
page_csrf(struct buf *b, const struct session *s)
{
	buf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(b, s->csrf);
	buf_adds(b, "\">");
}

/* A navigation link; the one whose label is the page's title is current. */
static void
page_link(struct buf *b, const char *href, const char *label,
    const char *title)
{
	buf_adds(b, "<a href=\"");
	buf_adds(b, href);
	buf_adds(b, strcmp(label, title) == 0 ?
	    "\" aria-current=\"page\">" : "\">");
	buf_adds(b, label);
	buf_adds(b, "</a>");
}

/*
 * The signed-in navigation, the name and sign-out: what goes inside its
 * <div>, into an empty nav (built once, shown twice).
 */
static void
page_nav(struct web *w, struct buf *nav, const struct session *s,
    const char *title)
{
	buf_adds(nav, "<nav aria-label=\"Main\">");
	page_link(nav, "/tasks", "Tasks", title);
	page_link(nav, "/claims", "Claims", title);
	page_link(nav, "/sessions", "Sessions", title);
	page_link(nav, "/account", "My data", title);
	if (w->flows[FLOW_PROFILE] != NULL)
		page_link(nav, "/profile", "Edit profile", title);
	if (w->flows[FLOW_RESET] != NULL)
		page_link(nav, "/password", "Reset password", title);
	buf_adds(nav, "</nav><span class=\"who\">");
	page_text(nav, s->name);
	buf_adds(nav, "</span><form class=\"inline\" method=\"post\" "
	    "action=\"/signout\">");
	page_csrf(nav, s);
	buf_adds(nav, "<button class=\"secondary\" type=\"submit\">"
	    "Sign out</button></form></div>");
}

/*
 * The frame: a skip link, the header, <main>.  Signed in, the header
 * holds the navigation twice, one copy shown at a time by the stylesheet:
 * in a row on wide screens, behind a "Menu" disclosure (<details>, no
 * script) on narrow ones.
 */
void
page_begin(struct web *w, struct buf *b, const struct session *s,
    const char *title)
{
	struct buf nav;

	buf_init(b, WEB_PAGE_MAX);
	buf_reserve(b, WEB_PAGE_ROOM);
	buf_adds(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/static/style.css\">"
	    "<title>");
	page_text(b, title);
	buf_adds(b, " · todo-b2c</title></head>\n<body>"
	    "<a class=\"skip\" href=\"#main\">Skip to main content</a>"
	    "<header><a class=\"brand\" href=\"/\"");
	if (strcmp(title, "Home") == 0)
		buf_adds(b, " aria-current=\"page\"");
	buf_adds(b, ">todo-b2c</a>");
	if (s != NULL) {
		buf_init(&nav, WEB_PAGE_MAX);
		page_nav(w, &nav, s, title);
		buf_adds(b, "<div class=\"bar\">");
		buf_addbuf(b, &nav);
		buf_adds(b, "<details class=\"menu\"><summary>Menu</summary>"
		    "<div class=\"panel\">");
		buf_addbuf(b, &nav);
		buf_adds(b, "</details>");
		buf_free(&nav);
	} else
		buf_adds(b, "<a class=\"signin\" href=\"/signin\">Sign in</a>");
	buf_adds(b, "</header>\n<main id=\"main\" tabindex=\"-1\">");
}

void
page_end(struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
}
