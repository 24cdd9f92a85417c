/* HTML: the page frame, the home and claims pages, the stylesheet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "html.h"
#include "jsonp.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

#define CLAIMS_DEPTH 8

static const char style_css[] =
":root{--fg:#1d2430;--muted:#5b6575;--bg:#f6f7f9;--card:#fff;"
"--line:#d9dde3;--accent:#1f5fbf;--accent-fg:#fff;--danger:#b3261e;"
"--ok:#1e7a3c}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\","
"Roboto,sans-serif;color:var(--fg);background:var(--bg)}\n"
"header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;"
"padding:.75rem 1rem;background:var(--card);border-bottom:1px solid "
"var(--line)}\n"
"header .brand{font-weight:700;font-size:1.15rem;color:var(--fg);"
"text-decoration:none;margin-right:auto}\n"
"nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}\n"
"a{color:var(--accent)}\n"
".who{color:var(--muted)}\n"
"main{max-width:44rem;margin:1.5rem auto;padding:0 1rem}\n"
"h1{font-size:1.6rem;margin:.2rem 0 1rem}\n"
".card{background:var(--card);border:1px solid var(--line);"
"border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}\n"
"form.inline{display:inline}\n"
"button,.button{font:inherit;padding:.45rem .9rem;border-radius:6px;"
"border:1px solid var(--accent);background:var(--accent);"
"color:var(--accent-fg);cursor:pointer;text-decoration:none;"
"display:inline-block}\n"
"button.secondary{background:var(--card);color:var(--accent)}\n"
"button.danger{background:var(--card);color:var(--danger);"
"border-color:var(--danger)}\n"
"button:focus-visible,a:focus-visible,input:focus-visible{outline:3px "
"solid #f0b400;outline-offset:2px}\n"
"label{display:block;font-weight:600;margin-bottom:.25rem}\n"
"input[type=text]{font:inherit;width:100%;padding:.45rem .6rem;"
"border:1px solid var(--line);border-radius:6px}\n"
".add{display:flex;gap:.5rem;align-items:flex-end;flex-wrap:wrap}\n"
".add .field{flex:1 1 16rem}\n"
"ul.tasks{list-style:none;margin:0;padding:0}\n"
"ul.tasks li{display:flex;align-items:center;gap:.75rem;padding:.6rem "
"0;border-bottom:1px solid var(--line)}\n"
"ul.tasks li:last-child{border-bottom:0}\n"
"ul.tasks .text{flex:1;overflow-wrap:anywhere}\n"
"ul.tasks .done .text{text-decoration:line-through;color:var(--muted)}\n"
".notice{border-left:4px solid var(--accent);padding:.5rem 1rem;"
"background:#eaf1fb}\n"
".error{border-left:4px solid var(--danger);padding:.5rem 1rem;"
"background:#fbeaea}\n"
"table{border-collapse:collapse;width:100%}\n"
"th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;"
"border-bottom:1px solid var(--line);overflow-wrap:anywhere}\n"
".muted{color:var(--muted)}\n"
"table.claims td:first-child{white-space:nowrap;font-weight:600}\n"
"@media (max-width:30rem){body{font-size:17px}"
"header .brand{width:100%}}\n";

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

void
page_begin(struct web *w, struct buf *b, const struct session *s,
    const char *title)
{
	buf_init(b, WEB_PAGE_MAX);
	buf_adds(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<link rel=\"stylesheet\" href=\"/static/style.css\">"
	    "<title>");
	page_text(b, title);
	buf_adds(b, " · todo-b2c</title></head>\n<body><header>"
	    "<a class=\"brand\" href=\"/\">todo-b2c</a><nav>");
	if (s != NULL) {
		buf_adds(b, "<a href=\"/tasks\">Tasks</a>"
		    "<a href=\"/claims\">Claims</a>");
		if (w->flows[FLOW_PROFILE] != NULL)
			buf_adds(b, "<a href=\"/profile\">Edit profile</a>");
		if (w->flows[FLOW_RESET] != NULL)
			buf_adds(b, "<a href=\"/password\">Reset password"
			    "</a>");
		buf_adds(b, "</nav><span class=\"who\">");
		page_text(b, s->name);
		buf_adds(b, "</span><form class=\"inline\" method=\"post\" "
		    "action=\"/signout\">");
		page_csrf(b, s);
		buf_adds(b, "<button class=\"secondary\" type=\"submit\">"
		    "Sign out</button></form>");
	} else
		buf_adds(b, "</nav><a class=\"button\" href=\"/signin\">"
		    "Sign in</a>");
	buf_adds(b, "</header>\n<main>");
}

void
page_end(struct buf *b)
{
	buf_adds(b, "</main></body></html>\n");
}

void
pages_home(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	const char *notice = NULL, *hdr = req_param(r, "HTTP_COOKIE");
	char	*flash = NULL;
	struct buf b;

	if (url_params_parse(r->query, strlen(r->query), false, &q) == ERR_OK)
		notice = url_params_get(&q, "notice");
	/* A notice left by sign-out, shown once. */
	if (s == NULL && hdr != NULL && cookie_get(hdr, w->notice_cookie,
	    &flash) == ERR_OK) {
		if (strcmp(flash, "signedout") == 0)
			notice = "signedout";
		(void)web_set_cookie(w, r, w->notice_cookie, "", 0);
	}
	page_begin(w, &b, s, "Home");
	if (notice != NULL && strcmp(notice, "cancelled") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">Sign-in "
		    "was cancelled.</p>");
	else if (notice != NULL && strcmp(notice, "signedout") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">You are "
		    "signed out.</p>");
	if (s != NULL) {
		buf_adds(&b, "<h1>Welcome, ");
		page_text(&b, s->name);
		buf_adds(&b, "</h1><div class=\"card\"><p>Your to-do list "
		    "is one click away.</p><p><a class=\"button\" "
		    "href=\"/tasks\">Open my tasks</a></p></div>");
	} else {
		buf_adds(&b, "<h1>A private to-do list</h1>"
		    "<div class=\"card\"><p>Sign in to keep your own list of "
		    "tasks, on any device.</p><p><a class=\"button\" href=\"/signin\">"
		    "Sign in or sign up</a></p></div>");
	}
	page_end(&b);
	web_html(w, r, 200, &b);
	url_params_free(&q);
	free(flash);
}

/* One claim value as text: strings bare, the rest as JSON. */
static void
claims_value(struct buf *b, struct json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		page_text(b, json_object_get_string(v));
	else
		page_text(b, json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
}

void
pages_claims(struct web *w, struct req *r, const struct session *s)
{
	struct json_object *doc = NULL;
	struct buf b;

	page_begin(w, &b, s, "Claims");
	buf_adds(&b, "<h1>Claims in your ID token</h1><div class=\"card\">"
	    "<table class=\"claims\"><thead><tr><th scope=\"col\">Claim</th>"
	    "<th scope=\"col\">Value</th></tr></thead><tbody>");
	if (jsonp_parse(s->claims, strlen(s->claims), CLAIMS_DEPTH, &doc) ==
	    ERR_OK && json_object_is_type(doc, json_type_object)) {
		json_object_object_foreach(doc, key, val) {
			buf_adds(&b, "<tr><td>");
			page_text(&b, key);
			buf_adds(&b, "</td><td>");
			claims_value(&b, val);
			buf_adds(&b, "</td></tr>");
		}
	}
	buf_adds(&b, "</tbody></table></div>");
	page_end(&b);
	json_object_put(doc);
	web_html(w, r, 200, &b);
}

void
pages_style(struct web *w, struct req *r)
{
	(void)w;
	(void)req_header(r, "Cache-Control", "public, max-age=3600");
	(void)req_header(r, "X-Content-Type-Options", "nosniff");
	req_respond(r, 200, "text/css; charset=utf-8", style_css,
	    sizeof(style_css) - 1);
}
