/*
 * The to-do pages: they call the task API with the session's access
 * token, renewing it with the refresh token when it is close to expiry
 * (one renewal at a time per session, under a PostgreSQL row lock).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "jsonp.h"
#include "log.h"
#include "oidc.h"
#include "respond.h"
#include "webapp.h"

#define TASKS_JSON_DEPTH 8
#define TASKS_URL_MAX 2048
#define TASKS_AUTHZ_MAX (16 * 1024)

/* How getting a usable access token went. */
enum token_result {
	TOKEN_OK,
	TOKEN_SIGNIN,		/* no tokens or renewal refused: sign in */
	TOKEN_UNAVAILABLE,	/* provider or database down: 503 */
	TOKEN__MAX
};

/* Renew under the row lock; another process may have done it already. */
static enum token_result
tasks_renew(struct web *w, const struct session *s, bool force,
    char **access)
{
	struct oidc_client client;
	struct oidc_tokens tok;
	struct tokens t;
	struct provider *p = NULL;
	const char *endpoint;
	enum token_result res = TOKEN_UNAVAILABLE;
	enum err e;
	size_t	 i;

	memset(&tok, 0, sizeof(tok));
	memset(&t, 0, sizeof(t));
	if (db_exec_sql(w->db, "BEGIN") != ERR_OK)
		return TOKEN_UNAVAILABLE;
	if ((e = store_tokens_lock(w, s->id_hash, &t)) != ERR_OK) {
		res = e == ERR_DB ? TOKEN_UNAVAILABLE : TOKEN_SIGNIN;
		goto out;
	}
	if (!force && t.access_token != NULL &&
	    t.access_expires - time(NULL) > WEB_TOKEN_MARGIN) {
		*access = t.access_token;
		t.access_token = NULL;
		res = TOKEN_OK;
		goto out;
	}
	if (t.refresh_token == NULL) {
		res = TOKEN_SIGNIN;
		goto out;
	}
	for (i = 0; i < FLOW__MAX; i++)
		if (w->flows[i] != NULL && strcmp(w->policies[i],
		    t.policy) == 0)
			p = w->flows[i];
	if (p == NULL) {
		res = TOKEN_SIGNIN;
		goto out;
	}
	if (provider_load(p, w->idp, time(NULL)) != ERR_OK ||
	    (endpoint = provider_endpoint(p, PROVIDER_TOKEN)) == NULL)
		goto out;
	client.client_id = w->cfg->client_id;
	client.client_secret = w->secret;
	client.basic = provider_basic_auth(p);
	/* The user flow that issued the refresh token redeems it. */
	e = oidc_refresh(w->idp, endpoint, &client, t.refresh_token,
	    w->scope, w->cfg->api_resource, &tok);
	if (e == ERR_AUTH) {
		log_info("refresh refused (%s): signing in again", tok.error);
		(void)store_tokens_delete(w, s->id_hash);
		res = TOKEN_SIGNIN;
		goto out;
	}
	if (e != ERR_OK || tok.access_token == NULL)
		goto out;
	if (store_tokens_put(w, s->id_hash, t.policy, tok.access_token,
	    tok.expires_in, tok.refresh_token) != ERR_OK)
		goto out;
	*access = tok.access_token;
	tok.access_token = NULL;
	res = TOKEN_OK;
out:
	if (db_exec_sql(w->db, res == TOKEN_OK || res == TOKEN_SIGNIN ?
	    "COMMIT" : "ROLLBACK") != ERR_OK && res == TOKEN_OK) {
		crypto_free_str(*access);
		*access = NULL;
		res = TOKEN_UNAVAILABLE;
	}
	store_tokens_free(&t);
	oidc_tokens_free(&tok);
	return res;
}

/* A usable access token: the one loaded with the session, or a new one. */
static enum token_result
tasks_token(struct web *w, const struct session *s, char **access)
{
	*access = NULL;
	if (s->access_sealed != NULL &&
	    s->access_expires - time(NULL) > WEB_TOKEN_MARGIN &&
	    store_session_access(w, s, access) == ERR_OK)
		return TOKEN_OK;
	return tasks_renew(w, s, false, access);
}

/*
 * Call the API as the session's user: renew and retry once on 401.
 * ERR_OK with resp filled (any status); ERR_AUTH: sign in again;
 * ERR_UPSTREAM/ERR_DB: unavailable.
 */
static enum err
tasks_call(struct web *w, const struct session *s, const char *method,
    const char *path, const char *json, struct httpc_resp *resp)
{
	char	 url[TASKS_URL_MAX], *access = NULL;
	const char *hdrs[4];
	struct buf authz;
	enum token_result tr;
	enum err e = ERR_UPSTREAM;
	int	 attempt;

	if (snprintf(url, sizeof(url), "%s%s", w->cfg->api_url, path) >=
	    (int)sizeof(url))
		return ERR_SYSTEM;
	buf_init(&authz, TASKS_AUTHZ_MAX);
	for (attempt = 0; attempt < 2; attempt++) {
		tr = attempt == 0 ? tasks_token(w, s, &access) :
		    tasks_renew(w, s, true, &access);
		if (tr == TOKEN_SIGNIN) {
			e = ERR_AUTH;
			goto out;
		}
		if (tr != TOKEN_OK) {
			e = ERR_UPSTREAM;
			goto out;
		}
		buf_reset(&authz);
		buf_adds(&authz, "Authorization: Bearer ");
		buf_adds(&authz, access);
		crypto_free_str(access);
		access = NULL;
		if (authz.err != ERR_OK) {
			e = ERR_SYSTEM;
			goto out;
		}
		hdrs[0] = buf_str(&authz);
		hdrs[1] = "Accept: application/json";
		hdrs[2] = json ? "Content-Type: application/json" : NULL;
		hdrs[3] = NULL;
		if ((e = httpc_request(w->api, method, url, hdrs, json,
		    json ? strlen(json) : 0, NULL, NULL, resp)) != ERR_OK)
			goto out;
		if (resp->status != 401)
			goto out;
		log_info("api said 401: renewing the token once");
		httpc_resp_free(resp);
	}
	e = ERR_AUTH;
out:
	buf_free_secret(&authz);
	crypto_free_str(access);
	return e;
}

/* Errors from tasks_call, and API statuses we do not expect. */
static void
tasks_trouble(struct web *w, struct req *r, const struct session *s,
    enum err e, const char *return_to)
{
	if (e == ERR_AUTH)
		signin_redirect(w, r, return_to);
	else
		web_error(w, r, s, 503, "Tasks unavailable", "The task "
		    "service cannot be reached right now. Please try again "
		    "in a moment.");
}

/* 403 from the API: the account may read but not change tasks. */
static void
tasks_forbidden(struct web *w, struct req *r, const struct session *s)
{
	web_error(w, r, s, 403, "Read-only account", "Your account may "
	    "read tasks but not change them: it has not been granted the "
	    "write permission. Ask an administrator if you need it.");
}

static void
tasks_render(struct web *w, struct req *r, const struct session *s,
    struct json_object *list)
{
	struct json_object *t, *v;
	const char *text;
	struct buf b;
	char	 id[32];
	size_t	 i, n;
	bool	 done;

	page_begin(w, &b, s, "Tasks");
	buf_adds(&b, "<h1>My tasks</h1><div class=\"card\">"
	    "<form class=\"add\" method=\"post\" action=\"/tasks\">");
	page_csrf(&b, s);
	buf_adds(&b, "<div class=\"field\"><label for=\"text\">New task"
	    "</label><input type=\"text\" id=\"text\" name=\"text\" "
	    "maxlength=\"1000\" required autocomplete=\"off\"></div>"
	    "<button type=\"submit\">Add</button></form></div>"
	    "<div class=\"card\">");
	n = json_object_array_length(list);
	if (n == 0)
		buf_adds(&b, "<p class=\"muted\">Nothing to do yet.</p>");
	else
		buf_adds(&b, "<ul class=\"tasks\">");
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(list, i);
		if (!json_object_is_type(t, json_type_object) ||
		    !json_object_object_get_ex(t, "id", &v) ||
		    !json_object_is_type(v, json_type_int))
			continue;
		snprintf(id, sizeof(id), "%lld",
		    (long long)json_object_get_int64(v));
		done = json_object_object_get_ex(t, "done", &v) &&
		    json_object_get_boolean(v);
		text = json_object_object_get_ex(t, "text", &v) &&
		    json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		buf_adds(&b, done ? "<li class=\"done\">" : "<li>");
		buf_adds(&b, "<span class=\"text\">");
		page_text(&b, text);
		buf_adds(&b, "</span>");
		/* Each button names its task for screen readers. */
		buf_addf(&b, "<form class=\"inline\" method=\"post\" "
		    "action=\"/tasks/%s/done\">", id);
		page_csrf(&b, s);
		buf_addf(&b, "<input type=\"hidden\" name=\"done\" "
		    "value=\"%s\"><button class=\"secondary\" type=\"submit\" "
		    "aria-label=\"%s: ", done ? "false" : "true",
		    done ? "Not done" : "Done");
		page_text(&b, text);
		buf_addf(&b, "\">%s</button></form>", done ? "Undo" : "Done");
		buf_addf(&b, "<form class=\"inline\" method=\"post\" "
		    "action=\"/tasks/%s/delete\">", id);
		page_csrf(&b, s);
		buf_adds(&b, "<button class=\"danger\" type=\"submit\" "
		    "aria-label=\"Delete: ");
		page_text(&b, text);
		buf_adds(&b, "\">Delete</button></form></li>");
	}
	if (n > 0)
		buf_adds(&b, "</ul>");
	buf_adds(&b, "</div>");
	page_end(&b);
	web_html(w, r, 200, &b);
}

void
tasks_page(struct web *w, struct req *r, const struct session *s)
{
	struct httpc_resp resp;
	struct json_object *doc = NULL, *list;
	enum err e;

	if ((e = tasks_call(w, s, "GET", "/tasks", NULL, &resp)) != ERR_OK) {
		tasks_trouble(w, r, s, e, "/tasks");
		return;
	}
	if (resp.status == 403)
		tasks_forbidden(w, r, s);
	else if (resp.status != 200 || jsonp_parse(buf_str(&resp.body),
	    resp.body.len, TASKS_JSON_DEPTH, &doc) != ERR_OK ||
	    !json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "tasks", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		log_err("api GET /tasks: status %ld", resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/tasks");
	} else
		tasks_render(w, r, s, list);
	json_object_put(doc);
	httpc_resp_free(&resp);
}

/* Send one change to the API and go back to the list. */
static void
tasks_change(struct web *w, struct req *r, const struct session *s,
    const char *method, const char *path, struct json_object *body)
{
	struct httpc_resp resp;
	struct json_object *err = NULL, *d;
	const char *json = NULL;
	enum err e;

	if (body != NULL)
		json = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN);
	if ((e = tasks_call(w, s, method, path, json, &resp)) != ERR_OK) {
		tasks_trouble(w, r, s, e, "/tasks");
		return;
	}
	switch (resp.status) {
	case 200:
	case 201:
	case 204:
	case 404:	/* gone already: the list shows the truth */
		web_redirect(w, r, "/tasks");
		break;
	case 403:
		tasks_forbidden(w, r, s);
		break;
	case 400:
	case 409:
		/* The API's description is safe plain text; escaped anyway. */
		if (jsonp_parse(buf_str(&resp.body), resp.body.len,
		    TASKS_JSON_DEPTH, &err) == ERR_OK &&
		    json_object_is_type(err, json_type_object) &&
		    json_object_object_get_ex(err, "error_description", &d) &&
		    json_object_is_type(d, json_type_string))
			web_error(w, r, s, 400, "Not saved",
			    json_object_get_string(d));
		else
			web_error(w, r, s, 400, "Not saved", "The task was "
			    "not accepted.");
		break;
	default:
		log_err("api %s %s: status %ld", method, path, resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/tasks");
		break;
	}
	json_object_put(err);
	httpc_resp_free(&resp);
}

void
tasks_add(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	struct json_object *body = NULL;
	const char *text;

	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	text = url_params_get(&f, "text");
	if (text == NULL || *text == '\0' ||
	    !url_utf8_valid(text, strlen(text))) {
		web_error(w, r, s, 400, "Not saved", "Write the task first: "
		    "1 to 1000 characters.");
		goto out;
	}
	if ((body = json_object_new_object()) == NULL ||
	    json_object_object_add(body, "text",
	    json_object_new_string(text)) != 0) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	tasks_change(w, r, s, "POST", "/tasks", body);
out:
	json_object_put(body);
	url_params_free(&f);
}

void
tasks_done(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct url_params f = { NULL, 0 };
	struct json_object *body = NULL;
	const char *done;
	char	 path[64];

	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	done = url_params_get(&f, "done");
	if (done == NULL || (strcmp(done, "true") != 0 &&
	    strcmp(done, "false") != 0)) {
		web_error(w, r, s, 400, "Not saved", "The form was "
		    "incomplete.");
		goto out;
	}
	snprintf(path, sizeof(path), "/tasks/%s", id);
	if ((body = json_object_new_object()) == NULL ||
	    json_object_object_add(body, "done",
	    json_object_new_boolean(strcmp(done, "true") == 0)) != 0) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	tasks_change(w, r, s, "PATCH", path, body);
out:
	json_object_put(body);
	url_params_free(&f);
}

void
tasks_delete(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct url_params f = { NULL, 0 };
	char	 path[64];

	if (web_form(w, r, &f) && web_csrf_ok(w, r, s, &f)) {
		snprintf(path, sizeof(path), "/tasks/%s", id);
		tasks_change(w, r, s, "DELETE", path, NULL);
	}
	url_params_free(&f);
}
