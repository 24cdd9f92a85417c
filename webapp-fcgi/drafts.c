/*
 * Drafts: what a person typed into the add or edit form when their
 * session or tokens had ended, kept across signing in again.  The draft
 * is sealed with the cache key bound to this browser's sign-in binding
 * (the auth cookie signin.c sets), lives WEB_DRAFT_TTL seconds, is one
 * per browser, and is given back once, to the same user (when known),
 * filling the same form again: it is never submitted for them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "jsonp.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

#define DRAFTS_JSON_DEPTH 2
#define DRAFTS_RETURN_MAX 64		/* bytes of "/tasks/{id}?draft=1" */

void
drafts_free(struct draft *d)
{
	free(d->text);
	free(d->due);
	free(d->version);
	memset(d, 0, sizeof(*d));
}

/* {"text":..., "due":..., "version":...} of the form; NULL if unusable. */
static char *
drafts_json(const struct url_params *f)
{
	static const char *const fields[] = { "text", "due", "version" };
	struct json_object *o;
	const char *v;
	char	*out = NULL;
	size_t	 i;

	v = url_params_get(f, "text");
	if (v == NULL || *v == '\0' || !url_utf8_valid(v, strlen(v)))
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = url_params_get(f, fields[i]);
		if (v == NULL || !url_utf8_valid(v, strlen(v)))
			continue;
		if (json_object_object_add(o, fields[i],
		    json_object_new_string(v)) != 0)
			goto out;
	}
	out = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(o);
	return out;
}

void
drafts_signin(struct web *w, struct req *r, const struct session *s,
    const char *id, const struct url_params *f)
{
	const char *hdr = req_param(r, "HTTP_COOKIE");
	char	*browser = NULL, *json = NULL, *sid = NULL;
	char	*iss = NULL, *sub = NULL, back[DRAFTS_RETURN_MAX];
	enum err e = ERR_NOMEM;

	if (id != NULL)
		snprintf(back, sizeof(back), "/tasks/%s?draft=1", id);
	else
		snprintf(back, sizeof(back), "/tasks?draft=1");
	if ((json = drafts_json(f)) == NULL)
		goto out;
	/* Whose it is: the session's user, or the ended session's. */
	if (s == NULL && hdr != NULL &&
	    cookie_get(hdr, w->session_cookie, &sid) == ERR_OK)
		(void)store_session_owner(w, sid, &iss, &sub);
	if ((e = signin_browser(w, r, &browser)) != ERR_OK ||
	    (e = store_draft_put(w, browser, s ? s->issuer : iss,
	    s ? s->subject : sub, id, json)) != ERR_OK)
		goto out;
	if (!web_set_cookie(w, r, w->auth_cookie, browser, WEB_DRAFT_TTL))
		e = ERR_SYSTEM;
out:
	if (e != ERR_OK) {
		log_warn("draft not kept: %s", err_str(e));
		if (id != NULL)
			snprintf(back, sizeof(back), "/tasks/%s", id);
		else
			snprintf(back, sizeof(back), "/tasks");
	} else
		log_info("draft kept for sign-in");
	signin_redirect(w, r, back);
	crypto_free_str(browser);
	crypto_free_str(json);
	crypto_free_str(sid);
	free(iss);
	free(sub);
}

void
drafts_signin_form(struct web *w, struct req *r, const char *id)
{
	struct url_params f = { NULL, 0 };
	const char *site = req_param(r, "HTTP_SEC_FETCH_SITE");

	/*
	 * Without a session there is no CSRF token to check: a form posted
	 * from another site is not kept (the browser says where it came
	 * from), so nobody can plant a draft in someone else's browser.
	 */
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0) {
		signin_redirect(w, r, "/tasks");
		return;
	}
	if (web_form(w, r, &f))
		drafts_signin(w, r, NULL, id, &f);
	url_params_free(&f);
}

bool
drafts_take(struct web *w, struct req *r, const struct session *s,
    const char *id, struct draft *d)
{
	const char *hdr = req_param(r, "HTTP_COOKIE"), *v;
	struct json_object *o = NULL;
	char	*browser = NULL, *json = NULL;
	bool	 ok = false;

	memset(d, 0, sizeof(*d));
	if (hdr == NULL || cookie_get(hdr, w->auth_cookie, &browser) != ERR_OK)
		return false;
	if (store_draft_take(w, browser, s, id, &json) != ERR_OK ||
	    json == NULL)
		goto out;
	if (jsonp_parse(json, strlen(json), DRAFTS_JSON_DEPTH, &o) != ERR_OK ||
	    jsonp_string(o, "text", &v) != ERR_OK ||
	    (d->text = strdup(v)) == NULL)
		goto out;
	d->due = strdup(jsonp_string(o, "due", &v) == ERR_OK ? v : "");
	if (jsonp_string(o, "version", &v) == ERR_OK)
		d->version = strdup(v);
	ok = d->due != NULL;
out:
	if (!ok)
		drafts_free(d);
	json_object_put(o);
	crypto_free_str(browser);
	crypto_free_str(json);
	return ok;
}
