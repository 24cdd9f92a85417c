/*
 * My data: the account page, the download of the user's tasks as JSON or
 * CSV (from the API's GET /me/export), and deleting everything: the
 * tasks through the API (DELETE /me), then every session of the user
 * here (their cached tokens and drafts with them), then signing out at
 * the provider.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "jsonp.h"
#include "log.h"
#include "oidc.h"
#include "respond.h"
#include "webapp.h"

#define ACCOUNT_JSON_DEPTH 8
#define ACCOUNT_CONFIRM "DELETE"	/* what the person types */
#define ACCOUNT_FILE_MAX (4 * 1024 * 1024)	/* bytes of a download */

/* The columns of the CSV download, in order. */
static const char *const account_columns[] = {
	"id", "text", "done", "due", "created_at", "updated_at",
};
#define ACCOUNT_NCOLUMNS (sizeof(account_columns) / sizeof(account_columns[0]))

void
account_page(struct web *w, struct req *r, const struct session *s)
{
	struct buf b;

	page_begin(w, &b, s, "My data");
	buf_adds(&b, "<h1>My data</h1><div class=\"card\"><h2>Download my "
	    "tasks</h2><p>Everything stored about your tasks, as a file.</p>"
	    "<div class=\"actions\"><a class=\"button secondary\" "
	    "href=\"/account/export.json\" download>Download as JSON</a>"
	    "<a class=\"button secondary\" href=\"/account/export.csv\" "
	    "download>Download as CSV (spreadsheet)</a></div></div>"
	    "<div class=\"card\"><h2>Delete my data</h2><p>This deletes "
	    "every task of yours and ends every session you have here, on "
	    "every device, then signs you out. Your account at the identity "
	    "provider stays. It cannot be undone.</p>"
	    "<form method=\"post\" action=\"/account/delete\">");
	page_csrf(&b, s);
	buf_adds(&b, "<div class=\"field\"><label for=\"confirm\">Type "
	    ACCOUNT_CONFIRM " to confirm</label><input type=\"text\" "
	    "id=\"confirm\" name=\"confirm\" required autocomplete=\"off\" "
	    "aria-describedby=\"confirm-help\"><p class=\"muted\" "
	    "id=\"confirm-help\">In capital letters, as shown.</p></div>"
	    "<button class=\"danger\" type=\"submit\">Delete my data</button>"
	    "</form></div>");
	page_end(&b);
	web_html(w, r, 200, &b);
}

/*
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote, CR or
 * LF; a cell a spreadsheet would read as a formula (= + - @ tab CR
 * first) starts with a quote mark instead.
 */
static void
account_csv_cell(struct buf *b, const char *v)
{
	bool	 formula = strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0';
	const char *p;

	if (!formula && strpbrk(v, ",\"\r\n") == NULL) {
		buf_adds(b, v);
		return;
	}
	buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (p = v; *p != '\0'; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* The tasks as CSV, a header line first, CRLF line ends. */
static void
account_csv(struct buf *b, struct json_object *tasks)
{
	struct json_object *t, *v;
	size_t	 i, j, n = json_object_array_length(tasks);

	for (j = 0; j < ACCOUNT_NCOLUMNS; j++) {
		buf_adds(b, account_columns[j]);
		buf_adds(b, j + 1 < ACCOUNT_NCOLUMNS ? "," : "\r\n");
	}
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(tasks, i);
		if (!json_object_is_type(t, json_type_object))
			continue;
		for (j = 0; j < ACCOUNT_NCOLUMNS; j++) {
			if (json_object_object_get_ex(t, account_columns[j],
			    &v) && v != NULL)
				account_csv_cell(b, json_object_get_string(v));
			buf_adds(b, j + 1 < ACCOUNT_NCOLUMNS ? "," : "\r\n");
		}
	}
}

void
account_export(struct web *w, struct req *r, const struct session *s,
    bool csv)
{
	struct httpc_resp resp;
	struct json_object *doc = NULL, *tasks;
	struct buf b;
	enum err e;

	buf_init(&b, ACCOUNT_FILE_MAX);
	if ((e = tasks_call(w, s, "GET", "/me/export", NULL, NULL, &resp,
	    NULL)) != ERR_OK) {
		tasks_trouble(w, r, s, e, "/account");
		goto out;
	}
	if (resp.status != 200 || jsonp_parse(buf_str(&resp.body),
	    resp.body.len, ACCOUNT_JSON_DEPTH, &doc) != ERR_OK ||
	    !json_object_object_get_ex(doc, "tasks", &tasks) ||
	    !json_object_is_type(tasks, json_type_array)) {
		log_err("api GET /me/export: status %ld", resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/account");
		goto resp;
	}
	if (csv)
		account_csv(&b, tasks);
	else {
		buf_adds(&b, json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		buf_addc(&b, '\n');
	}
	if (b.err != ERR_OK) {
		web_error(w, r, s, 500, "Download failed", "The file could "
		    "not be made. Please try again.");
		goto resp;
	}
	web_headers(w, r);
	(void)req_header(r, "Content-Disposition", csv ? "attachment; "
	    "filename=\"todo-tasks.csv\"" : "attachment; "
	    "filename=\"todo-tasks.json\"");
	req_respond(r, 200, csv ? "text/csv; charset=utf-8; header=present" :
	    "application/json; charset=utf-8", b.data, b.len);
resp:
	httpc_resp_free(&resp);
out:
	json_object_put(doc);
	buf_free(&b);
}

void
account_delete(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	struct httpc_resp resp;
	const char *confirm;
	char	*id_token = NULL;
	long	 n;
	enum err e;

	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	confirm = url_params_get(&f, "confirm");
	if (confirm == NULL || strcmp(confirm, ACCOUNT_CONFIRM) != 0) {
		web_error(w, r, s, 400, "Nothing deleted", "To delete your "
		    "data, type " ACCOUNT_CONFIRM " in capital letters in the "
		    "box. Nothing was deleted.");
		goto out;
	}
	if ((e = tasks_call(w, s, "DELETE", "/me", NULL, NULL, &resp,
	    NULL)) != ERR_OK) {
		tasks_trouble(w, r, s, e, "/account");
		goto out;
	}
	if (resp.status == 403) {
		web_error(w, r, s, 403, "Nothing deleted", "Your account may "
		    "read tasks but not change them, so they cannot be "
		    "deleted from here. Ask an administrator.");
		goto resp;
	}
	if (resp.status != 204 && resp.status != 200) {
		log_err("api DELETE /me: status %ld", resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/account");
		goto resp;
	}
	(void)store_session_id_token(w, s, &id_token);
	if (store_user_sessions_end(w, s, true, &n) != ERR_OK) {
		web_error(w, r, s, 503, "Sessions not ended", "Your tasks "
		    "were deleted, but your sessions could not be ended. "
		    "Please sign out, or try again in a moment.");
		goto resp;
	}
	log_info("the user deleted their data: tasks and %ld sessions", n);
	(void)web_set_cookie(w, r, w->session_cookie, "", 0);
	(void)web_set_cookie(w, r, w->notice_cookie, "deleted",
	    WEB_NOTICE_TTL);
	signin_provider_signout(w, r, id_token, NULL, "/?notice=deleted");
resp:
	httpc_resp_free(&resp);
out:
	crypto_free_str(id_token);
	url_params_free(&f);
}
