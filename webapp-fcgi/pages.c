/* HTML: the home and claims pages, the stylesheet. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cookie.h"
#include "frame.h"
#include "html.h"
#include "jsonp.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

#define CLAIMS_DEPTH 8

static const char style_css[] =
":root{--fg:#1d2430;--muted:#4a5261;--bg:#f6f7f9;--card:#fff;"
"--line:#d9dde3;--accent:#1a4f9f;--accent-fg:#fff;--danger:#9c1c15;"
"--ok:#17602f;--focus:#1d2430}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\","
"Roboto,sans-serif;color:var(--fg);background:var(--bg)}\n"
"a{color:var(--accent)}\n"
":focus-visible{outline:3px solid var(--focus);outline-offset:2px}\n"
".skip{position:absolute;left:-10000px;top:.5rem;z-index:2;"
"background:var(--card);padding:.5rem 1rem;border:2px solid var(--fg);"
"border-radius:6px}\n"
".skip:focus{left:.5rem}\n"
"header{position:relative;display:flex;align-items:center;gap:.5rem 1rem;"
"padding:.6rem 1rem;background:var(--card);border-bottom:1px solid "
"var(--line)}\n"
"header .brand{font-weight:700;font-size:1.15rem;color:var(--fg);"
"text-decoration:none;margin-right:auto;padding:.2rem 0}\n"
"header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}\n"
"header nav a,header .signin{padding:.2rem 0}\n"
"header a[aria-current=page]{color:var(--fg);font-weight:700;"
"text-decoration-thickness:3px;text-underline-offset:.3em}\n"
".who{color:var(--muted)}\n"
"header .bar{display:flex;align-items:center;gap:.5rem 1rem}\n"
".menu{display:none}\n"
".menu summary{cursor:pointer;padding:.35rem .8rem;border:1px solid "
"var(--accent);border-radius:6px;color:var(--accent);font-weight:600;"
"list-style:none}\n"
".menu summary::-webkit-details-marker{display:none}\n"
".menu summary::after{content:\" \\25BE\"}\n"
".menu[open] summary::after{content:\" \\25B4\"}\n"
".menu .panel{position:absolute;right:0;left:0;top:100%;z-index:1;"
"background:var(--card);border-bottom:1px solid var(--line);"
"padding:.5rem 1rem 1rem;box-shadow:0 6px 12px rgba(0,0,0,.08)}\n"
".menu nav{flex-direction:column;gap:0}\n"
".menu nav a{display:block;padding:.5rem 0}\n"
".menu .who{display:block;margin:.5rem 0}\n"
"main{max-width:44rem;margin:1.5rem auto;padding:0 1rem}\n"
"main:focus{outline:0}\n"
"h1{font-size:1.6rem;margin:.2rem 0 1rem;line-height:1.25}\n"
".card{background:var(--card);border:1px solid var(--line);"
"border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem}\n"
".card>p:first-child{margin-top:0}\n.card>:last-child{margin-bottom:0}\n"
"form.inline{display:inline}\n"
"button,.button{font:inherit;padding:.45rem .9rem;border-radius:6px;"
"border:1px solid var(--accent);background:var(--accent);"
"color:var(--accent-fg);cursor:pointer;text-decoration:none;"
"display:inline-block;line-height:1.5}\n"
"button.secondary,.button.secondary{background:var(--card);"
"color:var(--accent)}\n"
"button.danger{background:var(--danger);border-color:var(--danger);"
"color:#fff}\n"
".quiet{margin-left:1rem}\n"
".actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1rem}\n"
"label{display:block;font-weight:600;margin-bottom:.25rem}\n"
"input[type=text],input[type=search]{font:inherit;"
"width:100%;padding:.45rem .6rem;border:1px solid #767f8c;"
"border-radius:6px}\n"
".add .date{flex:0 1 11rem}\n"
"form.edit .field,form.filter .field{margin-bottom:.75rem}\n"
"fieldset{border:0;margin:0 0 .5rem;padding:0}\n"
"legend{font-weight:600;padding:0;margin-bottom:.25rem}\n"
"label.choice{display:inline-block;font-weight:400;margin-right:1rem}\n"
"form.filter{border-bottom:1px solid var(--line);padding-bottom:.75rem;"
"margin-bottom:.5rem}\n"
".pager{display:flex;justify-content:space-between;gap:1rem;"
"padding-top:.75rem}\n"
".pager a[rel=next]{margin-left:auto}\n"
"ul.tasks .edit{padding:.45rem .25rem}\n"
".due{font-size:.875rem;color:var(--muted);flex-basis:100%}\n"
"h2{font-size:1.2rem;margin:.2rem 0 .75rem}\n"
"dl.version{margin:0 0 1rem}dl.version dt{font-weight:600}"
"dl.version dd{margin:0 0 .5rem;overflow-wrap:anywhere}\n"
"ul.sessions{list-style:none;margin:0;padding:0}\n"
"ul.sessions li{display:flex;flex-wrap:wrap;align-items:center;"
"gap:.4rem 1rem;padding:.6rem 0;border-bottom:1px solid var(--line)}\n"
"ul.sessions li:last-child{border-bottom:0}\n"
"ul.sessions .what{flex:1 1 100%}\n"
"ul.sessions .muted{flex:1 1 16rem}\n"
".add{display:flex;gap:.5rem;align-items:flex-end;flex-wrap:wrap}\n"
".add .field{flex:1 1 16rem}\n"
"ul.tasks{list-style:none;margin:0;padding:0}\n"
"ul.tasks li{display:flex;flex-wrap:wrap;align-items:center;"
"gap:.4rem .75rem;padding:.6rem 0;border-bottom:1px solid var(--line)}\n"
"ul.tasks li:last-child{border-bottom:0}\n"
"ul.tasks .text{flex:1 1 16rem;min-width:0;overflow-wrap:anywhere}\n"
"ul.tasks .done .text{text-decoration:line-through;color:var(--muted)}\n"
".status{font-size:.875rem;font-weight:600;color:var(--ok);"
"border:1px solid var(--ok);border-radius:1rem;padding:0 .6rem;"
"white-space:nowrap}\n"
"ul.tasks .delete{color:var(--danger);margin-left:.5rem;"
"padding:.45rem .25rem}\n"
".notice{border-left:4px solid var(--accent);padding:.5rem 1rem;"
"background:#eaf1fb}\n"
".error{border-left:4px solid var(--danger);padding:.5rem 1rem;"
"background:#fbeaea}\n"
".quote{font-size:1.15rem;font-weight:600;overflow-wrap:anywhere}\n"
".muted{color:var(--muted)}\n"
"dl.claims{margin:0}\n"
"dl.claims>div{padding:.6rem 0;border-bottom:1px solid var(--line)}\n"
"dl.claims>div:last-child{border-bottom:0}\n"
"dl.claims dt{font-weight:600}\n"
"dl.claims dt .what{font-weight:400;color:var(--muted)}\n"
"dl.claims dd{margin:.15rem 0 0;overflow-wrap:anywhere}\n"
"dl.claims ul{margin:0;padding-left:1.25rem}\n"
"code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;"
"font-size:.9em}\n"
".raw{display:block;color:var(--muted)}\n"
"@media (min-width:48rem){header .bar{display:flex}}\n"
"@media (max-width:47.99rem){header .bar{display:none}"
".menu{display:block}}\n"
/* Phones: the text on its own line, state at its right, actions below. */
"@media (max-width:40rem){ul.tasks li{display:grid;"
"grid-template-columns:1fr auto;align-items:center}"
"ul.tasks .text{grid-column:1;grid-row:1}"
"ul.tasks .status{grid-column:2;grid-row:1}"
"ul.tasks li form{grid-column:1;grid-row:2;justify-self:start}"
"ul.tasks .delete{grid-column:2;grid-row:2;justify-self:end}"
"ul.tasks .edit{grid-column:1;grid-row:3;justify-self:start}"
"ul.tasks .due{grid-column:2;grid-row:3;justify-self:end}}\n"
"@media (max-width:30rem){body{font-size:17px}"
"main{margin-top:1rem}h1{font-size:1.4rem}"
".card{padding:.85rem 1rem}}\n";

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
		if (strcmp(flash, "signedout") == 0 ||
		    strcmp(flash, "deleted") == 0)
			notice = flash;
		(void)web_set_cookie(w, r, w->notice_cookie, "", 0);
	}
	page_begin(w, &b, s, "Home");
	if (notice != NULL && strcmp(notice, "cancelled") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">Sign-in "
		    "was cancelled.</p>");
	else if (notice != NULL && strcmp(notice, "signedout") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">You are "
		    "signed out.</p>");
	else if (notice != NULL && strcmp(notice, "deleted") == 0)
		buf_adds(&b, "<p class=\"notice\" role=\"status\">Your "
		    "tasks and sessions were deleted, and you are signed out."
		    "</p>");
	if (s != NULL) {
		buf_adds(&b, "<h1>Welcome, ");
		page_text(&b, s->name);
		buf_adds(&b, "</h1><div class=\"card\"><p>Your to-do list "
		    "is one click away.</p><p><a class=\"button\" "
		    "href=\"/tasks\">Open my tasks</a></p></div>");
	} else {
		buf_adds(&b, "<h1>A private to-do list</h1>"
		    "<div class=\"card\"><p>Keep your own list of tasks and "
		    "reach it from any device.</p><p><a class=\"button\" "
		    "href=\"/signin\">Sign in</a></p><p class=\"muted\">New "
		    "here? Choose <strong>Sign up now</strong> on the sign-in "
		    "page to create your account with an email address and a "
		    "password.</p></div>");
	}
	page_end(&b);
	web_html(w, r, 200, &b);
	url_params_free(&q);
	free(flash);
}

/* What the well-known claims mean, for the claims page. */
static const struct {
	const char	*name;
	const char	*what;
} claims_known[] = {
	{ "iss", "Issuer: the identity provider that issued the token" },
	{ "sub", "Subject: your user id at the identity provider" },
	{ "oid", "Object id: your user id in the directory; your tasks are "
	    "filed under it" },
	{ "aud", "Audience: the application the token was issued to (this "
	    "app's client id)" },
	{ "azp", "Authorized party: the application that asked for the "
	    "token" },
	{ "exp", "Expires: the token is not accepted after this time" },
	{ "nbf", "Not before: the token is not accepted before this time" },
	{ "iat", "Issued at: when the token was made" },
	{ "auth_time", "Authentication time: when you last entered your "
	    "password" },
	{ "nonce", "Nonce: a random value that ties the token to this "
	    "sign-in" },
	{ "name", "Display name" },
	{ "given_name", "Given name" },
	{ "family_name", "Family name" },
	{ "email", "Email address" },
	{ "emails", "Email addresses of your account" },
	{ "idp", "Identity provider that holds your account, when it is not "
	    "a local one" },
	{ "tfp", "Trust framework policy: the user flow that signed you in" },
	{ "acr", "Authentication context: the user flow or level of the "
	    "sign-in" },
	{ "amr", "Authentication methods used" },
	{ "ver", "Version of the token format" },
	{ "tid", "Tenant id: the directory that issued the token" },
	{ "sid", "Session id at the identity provider" },
	{ "at_hash", "Access token hash: binds the access token to this "
	    "token" },
	{ "c_hash", "Code hash: binds the authorization code to this token" },
};

/* Claims whose value is a time (seconds since 1970). */
static bool
claims_is_time(const char *name)
{
	return strcmp(name, "exp") == 0 || strcmp(name, "nbf") == 0 ||
	    strcmp(name, "iat") == 0 || strcmp(name, "auth_time") == 0;
}

/* "2026-11-24 22:06:12 UTC (in 54 minutes)" */
static void
claims_time(struct buf *b, int64_t t, time_t now)
{
	static const struct {
		long		 secs;
		const char	*unit;
	} units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
	};
	struct tm tm;
	char	 when[64];
	time_t	 tt = (time_t)t;
	long long d;
	long	 n = 0;
	size_t	 i;

	if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof(when),
	    "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return;
	buf_adds(b, when);
	d = (long long)t - (long long)now;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if ((d < 0 ? -d : d) >= units[i].secs) {
			n = (long)((d < 0 ? -d : d) / units[i].secs);
			break;
		}
	if (n == 0)
		buf_adds(b, d < 0 ? " (less than a minute ago)" :
		    " (in less than a minute)");
	else
		buf_addf(b, " (%s%ld %s%s%s)", d < 0 ? "" : "in ", n,
		    units[i].unit, n == 1 ? "" : "s", d < 0 ? " ago" : "");
}

/* One claim value: times and lists made readable, the raw value kept. */
static void
claims_value(struct buf *b, const char *name, struct json_object *v)
{
	size_t	 i, n;

	if (json_object_is_type(v, json_type_string)) {
		page_text(b, json_object_get_string(v));
		return;
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		buf_adds(b, "<ul>");
		for (i = 0; i < n; i++) {
			buf_adds(b, "<li>");
			claims_value(b, "", json_object_array_get_idx(v, i));
			buf_adds(b, "</li>");
		}
		buf_adds(b, "</ul>");
		if (n == 0)
			buf_adds(b, "<span class=\"muted\">(empty list)</span>");
		return;
	}
	if (json_object_is_type(v, json_type_int) && claims_is_time(name)) {
		claims_time(b, json_object_get_int64(v), time(NULL));
		buf_adds(b, "<code class=\"raw\">");
		page_text(b, json_object_get_string(v));
		buf_adds(b, "</code>");
		return;
	}
	buf_adds(b, "<code>");
	page_text(b, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	buf_adds(b, "</code>");
}

void
pages_claims(struct web *w, struct req *r, const struct session *s)
{
	struct json_object *doc = NULL;
	struct buf b;
	size_t	 i;

	page_begin(w, &b, s, "Claims");
	buf_adds(&b, "<h1>Claims in your ID token</h1><p>What the identity "
	    "provider said about you when you signed in. Times are in UTC.</p>"
	    "<div class=\"card\"><dl class=\"claims\">");
	if (jsonp_parse(s->claims, strlen(s->claims), CLAIMS_DEPTH, &doc) ==
	    ERR_OK && json_object_is_type(doc, json_type_object)) {
		json_object_object_foreach(doc, key, val) {
			buf_adds(&b, "<div><dt><code>");
			page_text(&b, key);
			buf_adds(&b, "</code>");
			for (i = 0; i < sizeof(claims_known) /
			    sizeof(claims_known[0]); i++)
				if (strcmp(claims_known[i].name, key) == 0) {
					buf_adds(&b, " <span class=\"what\">"
					    "— ");
					page_text(&b, claims_known[i].what);
					buf_adds(&b, "</span>");
				}
			buf_adds(&b, "</dt><dd>");
			claims_value(&b, key, val);
			buf_adds(&b, "</dd></div>");
		}
	}
	buf_adds(&b, "</dl></div>");
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
