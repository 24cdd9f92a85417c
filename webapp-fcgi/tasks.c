/*
 * The to-do pages: they call the task API with the session's access
 * token, renewing it with the refresh token when it is close to expiry
 * (one renewal at a time per session, under a PostgreSQL row lock).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "html.h"
#include "jsonp.h"
#include "jwt.h"
#include "log.h"
#include "oidc.h"
#include "respond.h"
#include "webapp.h"

#define TASKS_JSON_DEPTH 8
#define TASKS_URL_MAX 2048
#define TASKS_AUTHZ_MAX (16 * 1024)
#define TASKS_PATH_MAX 64
#define TASKS_REQUEST_ID "X-Request-Id: "

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
	ops_count(w, WM_REFRESH, e == ERR_OK ? WRF_OK : e == ERR_AUTH ?
	    WRF_REFUSED : WRF_ERROR);
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
 * Whether the access token grants the write scope.  Only to decide which
 * controls to show: the token is not verified here, the API decides.  A
 * token that is not a JWT (opaque to us) counts as writable.
 */
static bool
tasks_can_write(struct web *w, const char *access)
{
	struct jwt *jwt = NULL;
	bool	 yes = true;

	if (jwt_parse(access, strlen(access), &jwt) == ERR_OK)
		yes = jwt_has_scope(jwt, w->cfg->write_scope);
	jwt_free(jwt);
	return yes;
}

/*
 * Call the API as the session's user: renew and retry once on 401.
 * ERR_OK with resp filled (any status); ERR_AUTH: sign in again;
 * ERR_UPSTREAM/ERR_DB: unavailable.  can_write (may be NULL): whether
 * the access token used grants the write scope.
 */
static enum err
tasks_call(struct web *w, const struct session *s, const char *method,
    const char *path, const char *json, struct httpc_resp *resp,
    bool *can_write)
{
	char	 url[TASKS_URL_MAX], *access = NULL;
	char	 rid[sizeof(TASKS_REQUEST_ID) + REQ_ID_MAX];
	const char *hdrs[5], *id = log_request_id();
	size_t	 n;
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
		if (can_write != NULL)
			*can_write = tasks_can_write(w, access);
		buf_reset(&authz);
		buf_adds(&authz, "Authorization: Bearer ");
		buf_adds(&authz, access);
		crypto_free_str(access);
		access = NULL;
		if (authz.err != ERR_OK) {
			e = ERR_SYSTEM;
			goto out;
		}
		n = 0;
		hdrs[n++] = buf_str(&authz);
		hdrs[n++] = "Accept: application/json";
		/* The API logs this request under the same id. */
		if (id != NULL && snprintf(rid, sizeof(rid), TASKS_REQUEST_ID
		    "%s", id) < (int)sizeof(rid))
			hdrs[n++] = rid;
		if (json != NULL)
			hdrs[n++] = "Content-Type: application/json";
		hdrs[n] = NULL;
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

/*
 * The notices a change leaves for the list it redirects to (?notice=),
 * and what they say.
 */
static const struct {
	const char	*name;
	const char	*text;
} tasks_notices[] = {
	{ "readonly", "Nothing was changed: your account may read tasks but "
	    "not change them." },
	{ "deleted", "Task deleted." },
	{ "gone", "That task no longer exists." },
};

/* 403 from the API: the account may read but not change tasks. */
static void
tasks_forbidden(struct web *w, struct req *r)
{
	web_redirect(w, r, "/tasks?notice=readonly");
}

/* A task of the API's answer: its id, text and state; false if malformed. */
static bool
tasks_item(struct json_object *t, char *id, size_t idlen, const char **text,
    bool *done)
{
	struct json_object *v;

	if (!json_object_is_type(t, json_type_object) ||
	    !json_object_object_get_ex(t, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) <= 0)
		return false;
	snprintf(id, idlen, "%lld", (long long)json_object_get_int64(v));
	*done = json_object_object_get_ex(t, "done", &v) &&
	    json_object_get_boolean(v);
	*text = json_object_object_get_ex(t, "text", &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	return true;
}

/* One row: the text, a visible state, and (writable) its two actions. */
static void
tasks_row(struct buf *b, const struct session *s, struct json_object *t,
    bool writable)
{
	const char *text;
	char	 id[32];
	bool	 done;

	if (!tasks_item(t, id, sizeof(id), &text, &done))
		return;
	buf_adds(b, done ? "<li class=\"done\">" : "<li>");
	buf_adds(b, "<span class=\"text\">");
	page_text(b, text);
	buf_adds(b, "</span>");
	if (done)
		buf_adds(b, "<span class=\"status\">✓ Done</span>");
	if (!writable) {
		buf_adds(b, "</li>");
		return;
	}
	/*
	 * Each control names its task for screen readers; the name starts
	 * with the visible label.
	 */
	buf_addf(b, "<form class=\"inline\" method=\"post\" "
	    "action=\"/tasks/%s/done\">", id);
	page_csrf(b, s);
	buf_addf(b, "<input type=\"hidden\" name=\"done\" value=\"%s\">"
	    "<button class=\"secondary\" type=\"submit\" aria-label=\"%s: ",
	    done ? "false" : "true", done ? "Mark as open" : "Mark as done");
	page_text(b, text);
	buf_addf(b, "\">%s</button></form>", done ? "Mark as open" :
	    "Mark as done");
	buf_addf(b, "<a class=\"delete\" href=\"/tasks/%s/delete\" "
	    "aria-label=\"Delete: ", id);
	page_text(b, text);
	buf_adds(b, "\">Delete</a></li>");
}

static void
tasks_render(struct web *w, struct req *r, const struct session *s,
    struct json_object *list, bool writable)
{
	struct url_params q = { NULL, 0 };
	const char *notice = NULL;
	struct buf b;
	size_t	 i, n;
	bool	 refused;

	if (url_params_parse(r->query, strlen(r->query), false, &q) == ERR_OK)
		notice = url_params_get(&q, "notice");
	refused = notice != NULL && strcmp(notice, "readonly") == 0;
	page_begin(w, &b, s, "Tasks");
	buf_adds(&b, "<h1>My tasks</h1>");
	for (i = 0; notice != NULL && i < sizeof(tasks_notices) /
	    sizeof(tasks_notices[0]); i++)
		if (strcmp(notice, tasks_notices[i].name) == 0 &&
		    (writable || !refused)) {
			buf_adds(&b, "<p class=\"notice\" role=\"status\">");
			page_text(&b, tasks_notices[i].text);
			buf_adds(&b, "</p>");
		}
	if (writable) {
		buf_adds(&b, "<div class=\"card\"><form class=\"add\" "
		    "method=\"post\" action=\"/tasks\">");
		page_csrf(&b, s);
		buf_adds(&b, "<div class=\"field\"><label for=\"text\">New "
		    "task</label><input type=\"text\" id=\"text\" "
		    "name=\"text\" maxlength=\"1000\" required "
		    "autocomplete=\"off\"></div><button type=\"submit\">Add"
		    "</button></form></div>");
	} else
		buf_addf(&b, "<p class=\"notice\"%s>%sYour account may read "
		    "tasks but not change them: it has not been granted the "
		    "write permission. Ask an administrator if you need it."
		    "</p>", refused ? " role=\"status\"" : "", refused ?
		    "Nothing was changed. " : "");
	buf_adds(&b, "<div class=\"card\">");
	n = json_object_array_length(list);
	if (n == 0)
		buf_adds(&b, "<p class=\"muted\">Nothing to do yet.</p>");
	else
		buf_adds(&b, "<ul class=\"tasks\">");
	for (i = 0; i < n; i++)
		tasks_row(&b, s, json_object_array_get_idx(list, i), writable);
	if (n > 0)
		buf_adds(&b, "</ul>");
	buf_adds(&b, "</div>");
	page_end(&b);
	web_html(w, r, 200, &b);
	url_params_free(&q);
}

void
tasks_page(struct web *w, struct req *r, const struct session *s)
{
	struct httpc_resp resp;
	struct json_object *doc = NULL, *list;
	bool	 writable = true;
	enum err e;

	if ((e = tasks_call(w, s, "GET", "/tasks", NULL, &resp, &writable)) !=
	    ERR_OK) {
		tasks_trouble(w, r, s, e, "/tasks");
		return;
	}
	if (resp.status != 200 || jsonp_parse(buf_str(&resp.body),
	    resp.body.len, TASKS_JSON_DEPTH, &doc) != ERR_OK ||
	    !json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "tasks", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		log_err("api GET /tasks: status %ld", resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/tasks");
	} else
		tasks_render(w, r, s, list, writable);
	json_object_put(doc);
	httpc_resp_free(&resp);
}

/* Send one change to the API and go back to the list ("done" there). */
static void
tasks_change(struct web *w, struct req *r, const struct session *s,
    const char *method, const char *path, struct json_object *body,
    const char *done)
{
	struct httpc_resp resp;
	struct json_object *err = NULL, *d;
	const char *json = NULL;
	enum err e;

	if (body != NULL)
		json = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN);
	if ((e = tasks_call(w, s, method, path, json, &resp, NULL)) !=
	    ERR_OK) {
		tasks_trouble(w, r, s, e, "/tasks");
		return;
	}
	switch (resp.status) {
	case 200:
	case 201:
	case 204:
		web_redirect(w, r, done);
		break;
	case 404:	/* gone already (or never ours): the list says so */
		web_redirect(w, r, "/tasks?notice=gone");
		break;
	case 403:
		tasks_forbidden(w, r);
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
	tasks_change(w, r, s, "POST", "/tasks", body, "/tasks");
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
	char	 path[TASKS_PATH_MAX];

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
	tasks_change(w, r, s, "PATCH", path, body, "/tasks");
out:
	json_object_put(body);
	url_params_free(&f);
}

/* GET /tasks/{id}/delete: ask first (no script, so a page of its own). */
static void
tasks_delete_confirm(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct httpc_resp resp;
	struct json_object *doc = NULL;
	const char *text;
	char	 path[TASKS_PATH_MAX], tid[32];
	bool	 writable = true, done;
	struct buf b;
	enum err e;

	snprintf(path, sizeof(path), "/tasks/%s", id);
	if ((e = tasks_call(w, s, "GET", path, NULL, &resp, &writable)) !=
	    ERR_OK) {
		tasks_trouble(w, r, s, e, r->path);
		return;
	}
	if (resp.status == 404)
		web_redirect(w, r, "/tasks?notice=gone");
	else if (resp.status != 200 || jsonp_parse(buf_str(&resp.body),
	    resp.body.len, TASKS_JSON_DEPTH, &doc) != ERR_OK ||
	    !tasks_item(doc, tid, sizeof(tid), &text, &done)) {
		log_err("api GET %s: status %ld", path, resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, r->path);
	} else if (!writable)
		tasks_forbidden(w, r);
	else {
		page_begin(w, &b, s, "Delete task");
		buf_adds(&b, "<h1>Delete this task?</h1><div class=\"card\">"
		    "<p class=\"quote\">");
		page_text(&b, text);
		buf_addf(&b, "</p><p>It will be gone for good.</p>"
		    "<div class=\"actions\"><form class=\"inline\" "
		    "method=\"post\" action=\"/tasks/%s/delete\">", id);
		page_csrf(&b, s);
		buf_adds(&b, "<button class=\"danger\" type=\"submit\">"
		    "Delete task</button></form><a class=\"button secondary\" "
		    "href=\"/tasks\">Keep it</a></div></div>");
		page_end(&b);
		web_html(w, r, 200, &b);
	}
	json_object_put(doc);
	httpc_resp_free(&resp);
}

void
tasks_delete(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct url_params f = { NULL, 0 };
	char	 path[TASKS_PATH_MAX];

	if (r->method != REQ_POST) {
		tasks_delete_confirm(w, r, s, id);
		return;
	}
	if (web_form(w, r, &f) && web_csrf_ok(w, r, s, &f)) {
		snprintf(path, sizeof(path), "/tasks/%s", id);
		tasks_change(w, r, s, "DELETE", path, NULL,
		    "/tasks?notice=deleted");
	}
	url_params_free(&f);
}
