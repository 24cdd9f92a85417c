/*
 * The to-do pages: the list (filtered, searched, a page at a time), add,
 * done, delete, and the edit form with its conflict page.  They call the
 * task API with the session's access token (renew.c).  A change that
 * finds the session's tokens ended keeps the form as a draft (drafts.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "html.h"
#include "jsonp.h"
#include "jsonr.h"
#include "jwt.h"
#include "log.h"
#include "respond.h"
#include "webapp.h"

#define TASKS_JSON_DEPTH 8
#define TASKS_URL_MAX 2048
#define TASKS_AUTHZ_MAX (16 * 1024)
#define TASKS_PATH_MAX 64
#define TASKS_REQUEST_ID "X-Request-Id: "
#define TASKS_IF_MATCH "If-Match: \""
/*
 * The due date is a text field: a native date picker keeps the focus in
 * its own parts, where the focus ring does not show.
 */
#define TASKS_DUE_LABEL "Due <span class=\"muted\">(optional, " \
	"YYYY-MM-DD)</span>"
#define TASKS_DUE_INPUT "<input type=\"text\" id=\"due\" name=\"due\" " \
	"inputmode=\"numeric\" maxlength=\"10\" autocomplete=\"off\" " \
	"pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\""
#define TASKS_PAGE_SIZE 25		/* tasks on one page of the list */
#define TASKS_SEARCH_MAX 200		/* bytes of the search text */
#define TASKS_CURSOR_MAX 256		/* bytes of one API cursor */
#define TASKS_BACK_DEPTH 20		/* pages "Newer" can go back */
#define TASKS_VERSION_DIGITS 18
#define TASKS_DATE_LEN 10		/* YYYY-MM-DD */
#define TASKS_WRITE_SEEN 32		/* tokens whose scope is remembered */
#define TASKS_CURSOR_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789-_.~=+/:"

/*
 * The answers of tasks_can_write() in this process, for the exact token
 * each was given (the write scope is the configuration's): a session uses one access token for many
 * pages, and one process serves the pages of many sessions in turn.
 * The oldest entry goes first; a copy is wiped when it goes.  The
 * tokens are never logged.  They are compared with memcmp, not
 * crypto_streq: both sides come from the session store, never from a
 * request, so the time taken tells a client nothing.
 */
static struct {
	char		*access;	/* NULL: free */
	size_t		 len;
	bool		 yes;		/* grants w->cfg->write_scope */
} tasks_write_seen[TASKS_WRITE_SEEN];
static size_t	tasks_write_next;	/* the entry replaced next */

/*
 * Whether the access token grants the write scope.  Only to decide which
 * controls to show: the token is not verified here, the API decides.  A
 * token that is not a JWT (opaque to us) counts as writable.
 */
static bool
tasks_can_write(struct web *w, const char *access)
{
	struct jwt *jwt = NULL;
	size_t	 i, len = strlen(access);
	bool	 yes = true;

	for (i = 0; i < TASKS_WRITE_SEEN; i++)
		if (tasks_write_seen[i].access != NULL &&
		    tasks_write_seen[i].len == len &&
		    memcmp(tasks_write_seen[i].access, access, len) == 0)
			return tasks_write_seen[i].yes;
	if (jwt_parse(access, len, &jwt) == ERR_OK)
		yes = jwt_has_scope(jwt, w->cfg->write_scope);
	jwt_free(jwt);
	/* Out of memory: no entry, and the next page decodes again. */
	i = tasks_write_next;
	tasks_write_next = (i + 1) % TASKS_WRITE_SEEN;
	crypto_free_str(tasks_write_seen[i].access);
	tasks_write_seen[i].access = strdup(access);
	tasks_write_seen[i].len = len;
	tasks_write_seen[i].yes = yes;
	return yes;
}

/*
 * Call the API as the session's user: renew and retry once on 401.
 * ERR_OK with resp filled (any status); ERR_AUTH: sign in again;
 * ERR_UPSTREAM/ERR_DB: unavailable.  can_write (may be NULL): whether
 * the access token used grants the write scope.
 */
enum err
tasks_call(struct web *w, const struct session *s, const char *method,
    const char *path, const char *json, const char *if_match,
    struct httpc_resp *resp, bool *can_write)
{
	char	 url[TASKS_URL_MAX], *access = NULL, *proof = NULL;
	char	 rid[sizeof(TASKS_REQUEST_ID) + REQ_ID_MAX];
	char	 im[sizeof(TASKS_IF_MATCH) + TASKS_VERSION_DIGITS + 1];
	const char *hdrs[7], *id = log_request_id();
	size_t	 n;
	struct buf authz;
	struct dpopkey *dkey = NULL;
	enum renew_result tr;
	enum err e = ERR_UPSTREAM;
	int	 attempt;

	if (snprintf(url, sizeof(url), "%s%s", w->cfg->api_url, path) >=
	    (int)sizeof(url))
		return ERR_SYSTEM;
	if (if_match != NULL && snprintf(im, sizeof(im), TASKS_IF_MATCH
	    "%s\"", if_match) >= (int)sizeof(im))
		return ERR_SYSTEM;
	buf_init(&authz, TASKS_AUTHZ_MAX);
	/* DPoP: the session's key signs a proof for each call. */
	if (webdpop_load(w, s->id_hash, &dkey) != ERR_OK)
		goto out;
	for (attempt = 0; attempt < 2; attempt++) {
		tr = renew_access(w, s, attempt > 0, &access);
		if (tr == RENEW_SIGNIN) {
			e = ERR_AUTH;
			goto out;
		}
		if (tr != RENEW_OK) {
			e = ERR_UPSTREAM;
			goto out;
		}
		if (can_write != NULL)
			*can_write = tasks_can_write(w, access);
		free(proof);
		if (webdpop_api_header(dkey, method, url, access, &proof) !=
		    ERR_OK) {
			e = ERR_SYSTEM;
			goto out;
		}
		buf_reset(&authz);
		buf_adds(&authz, proof != NULL ? "Authorization: DPoP " :
		    "Authorization: Bearer ");
		buf_adds(&authz, access);
		crypto_free_str(access);
		access = NULL;
		if (authz.err != ERR_OK) {
			e = ERR_SYSTEM;
			goto out;
		}
		n = 0;
		hdrs[n++] = buf_str(&authz);
		if (proof != NULL)
			hdrs[n++] = proof;
		hdrs[n++] = "Accept: application/json";
		/* The API logs this request under the same id. */
		if (id != NULL && snprintf(rid, sizeof(rid), TASKS_REQUEST_ID
		    "%s", id) < (int)sizeof(rid))
			hdrs[n++] = rid;
		if (json != NULL)
			hdrs[n++] = "Content-Type: application/json";
		if (if_match != NULL)
			hdrs[n++] = im;
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
	webdpop_done(dkey, proof);
	return e;
}

/* Errors from tasks_call, and API statuses we do not expect. */
void
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
	{ "saved", "Task saved." },
};

/* What the list shows: ?show= (the default first), the API's done=. */
static const struct {
	const char	*name;
	const char	*label;
	const char	*done;		/* NULL: both */
} tasks_shows[] = {
	{ "all", "All", NULL },
	{ "open", "Open", "false" },
	{ "done", "Done", "true" },
};
#define TASKS_NSHOWS (sizeof(tasks_shows) / sizeof(tasks_shows[0]))

/* The list's query, checked: what it shows, the search, where it is. */
struct tasks_view {
	size_t		 show;		/* index in tasks_shows */
	const char	*q;		/* "" for none */
	const char	*cursor;	/* "" for the first page */
	const char	*back;		/* cursors of newer pages, or NULL */
	const char	*notice;	/* or NULL */
	bool		 draft;		/* restore the add form's draft */
};

/* A "YYYY-MM-DD" that is a day of the calendar. */
static bool
tasks_date_ok(const char *d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 y, m, day;
	size_t	 i;

	if (strlen(d) != TASKS_DATE_LEN || d[4] != '-' || d[7] != '-')
		return false;
	for (i = 0; i < TASKS_DATE_LEN; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return false;
	y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
	    (d[3] - '0');
	m = (d[5] - '0') * 10 + (d[6] - '0');
	day = (d[8] - '0') * 10 + (d[9] - '0');
	if (y < 1 || m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
		return false;
	return m != 2 || day < 29 || (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0));
}

/* An API cursor we pass on: bounded, URL-safe, no comma (the back list). */
static bool
tasks_cursor_ok(const char *c, size_t max)
{
	size_t	 n = strlen(c);

	return n <= max && strspn(c, TASKS_CURSOR_CHARS) == n;
}

/* How many cursors the back list holds (the first page's is ""). */
static size_t
tasks_back_depth(const char *b)
{
	size_t	 n = 1;

	for (; *b != '\0'; b++)
		n += *b == ',';
	return n;
}

/* The back list: cursors joined by commas, each one valid. */
static bool
tasks_back_ok(const char *b)
{
	size_t	 n = strlen(b);

	return n <= (TASKS_CURSOR_MAX + 1) * TASKS_BACK_DEPTH &&
	    strspn(b, TASKS_CURSOR_CHARS ",") == n &&
	    tasks_back_depth(b) <= TASKS_BACK_DEPTH;
}

/* Parse the list's query; false (and a 400 page) on bad input. */
static bool
tasks_view_parse(struct web *w, struct req *r, const struct session *s,
    const struct url_params *q, struct tasks_view *v)
{
	const char *show = url_params_get(q, "show");
	size_t	 i;

	memset(v, 0, sizeof(*v));
	v->q = url_params_get(q, "q");
	v->cursor = url_params_get(q, "cursor");
	v->back = url_params_get(q, "back");
	v->notice = url_params_get(q, "notice");
	v->draft = url_params_get(q, "draft") != NULL;
	if (v->q == NULL)
		v->q = "";
	if (v->cursor == NULL)
		v->cursor = "";
	v->show = TASKS_NSHOWS;
	for (i = 0; i < TASKS_NSHOWS; i++)
		if (show == NULL || strcmp(show, tasks_shows[i].name) == 0) {
			v->show = i;
			break;
		}
	if (v->show == TASKS_NSHOWS || strlen(v->q) > TASKS_SEARCH_MAX ||
	    !url_utf8_valid(v->q, strlen(v->q)) ||
	    strpbrk(v->q, "\t\r\n") != NULL ||
	    !tasks_cursor_ok(v->cursor, TASKS_CURSOR_MAX) ||
	    url_params_dup(q, "show") || url_params_dup(q, "q") ||
	    url_params_dup(q, "cursor") || url_params_dup(q, "back") ||
	    (v->back != NULL && !tasks_back_ok(v->back))) {
		web_error(w, r, s, 400, "Bad address", "That list address "
		    "is not valid: show is all, open or done, and a search "
		    "is at most 200 characters on one line.");
		return false;
	}
	return true;
}

/*
 * "/tasks?show=...&q=...&cursor=...&back=..." for this view at another
 * cursor and back list (NULL: none), into b as an HTML attribute value.
 */
static void
tasks_view_link(struct buf *b, const struct tasks_view *v,
    const char *cursor, const char *back, size_t backlen)
{
	struct buf u;

	buf_init(&u, TASKS_URL_MAX * TASKS_BACK_DEPTH);
	buf_adds(&u, "/tasks?show=");
	buf_adds(&u, tasks_shows[v->show].name);
	if (*v->q != '\0') {
		buf_adds(&u, "&q=");
		url_encode(v->q, &u);
	}
	if (cursor != NULL && *cursor != '\0') {
		buf_adds(&u, "&cursor=");
		url_encode(cursor, &u);
	}
	if (back != NULL) {
		struct buf one;

		buf_init(&one, TASKS_URL_MAX * TASKS_BACK_DEPTH);
		buf_add(&one, back, backlen);
		buf_adds(&u, "&back=");
		url_encode(buf_str(&one), &u);
		if (one.err != ERR_OK)
			u.err = one.err;
		buf_free(&one);
	}
	if (u.err == ERR_OK)
		page_text(b, buf_str(&u));
	buf_free(&u);
}

/* Links to the newer page (the back list's last) and the older one. */
static void
tasks_pager(struct buf *b, const struct tasks_view *v, const char *next)
{
	const char *last, *from;
	struct buf nb;

	if (v->back == NULL && next == NULL)
		return;
	buf_adds(b, "<nav class=\"pager\" aria-label=\"Pages\">");
	if (v->back != NULL) {
		last = strrchr(v->back, ',');
		from = last != NULL ? last + 1 : v->back;
		buf_adds(b, "<a rel=\"prev\" id=\"newer\" href=\"");
		tasks_view_link(b, v, from, last != NULL ? v->back : NULL,
		    last != NULL ? (size_t)(last - v->back) : 0);
		buf_adds(b, "\">← Newer</a>");
	}
	if (next != NULL) {
		/* Older: this page's cursor joins the back list. */
		buf_init(&nb, TASKS_URL_MAX * TASKS_BACK_DEPTH);
		if (v->back != NULL) {
			/* Full: the oldest entry goes. */
			from = v->back;
			if (tasks_back_depth(v->back) >= TASKS_BACK_DEPTH)
				from = strchr(v->back, ',') + 1;
			buf_adds(&nb, from);
			buf_addc(&nb, ',');
		}
		buf_adds(&nb, v->cursor);
		buf_adds(b, "<a rel=\"next\" id=\"older\" href=\"");
		tasks_view_link(b, v, next, buf_str(&nb), nb.len);
		buf_adds(b, "\">Older →</a>");
		buf_free(&nb);
	}
	buf_adds(b, "</nav>");
}

/* The filter: a GET form, no script. */
static void
tasks_filter(struct buf *b, const struct tasks_view *v)
{
	size_t	 i;

	buf_adds(b, "<form class=\"filter\" method=\"get\" "
	    "action=\"/tasks\" role=\"search\"><fieldset><legend>Show"
	    "</legend>");
	for (i = 0; i < TASKS_NSHOWS; i++) {
		buf_adds(b, "<label class=\"choice\"><input type=\"radio\" "
		    "name=\"show\" value=\"");
		buf_adds(b, tasks_shows[i].name);
		buf_adds(b, i == v->show ? "\" checked> " : "\"> ");
		buf_adds(b, tasks_shows[i].label);
		buf_adds(b, "</label>");
	}
	buf_adds(b, "</fieldset><div class=\"field\"><label for=\"q\">"
	    "Search</label><input type=\"search\" id=\"q\" name=\"q\" "
	    "maxlength=\"200\" value=\"");
	page_text(b, v->q);
	buf_adds(b, "\"></div><button class=\"secondary\" type=\"submit\">"
	    "Apply</button></form>");
}

/* 403 from the API: the account may read but not change tasks. */
static void
tasks_forbidden(struct web *w, struct req *r)
{
	web_redirect(w, r, "/tasks?notice=readonly");
}

/* A task as the API answers it, as far as the pages show it. */
struct tasks_task {
	char		 id[32];		/* > 0 */
	char		 version[32];		/* "" when the API gave none */
	char		 due[TASKS_DATE_LEN + 1]; /* "" for none (or malformed) */
	bool		 done;
	struct buf	 text;			/* "" when not a string */
};

static void
tasks_task_init(struct tasks_task *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->text, WEB_PAGE_MAX);
}

static void
tasks_task_free(struct tasks_task *t)
{
	buf_free(&t->text);
}

/*
 * One task of the API's answer into t (read straight from the JSON text,
 * without a tree: the list page reads 20 of them on every view); false
 * if it is not an object with an id > 0, or has a name twice.
 */
/* n > 0 in decimal into out (32 bytes: room for any int64_t). */
static void
tasks_decimal(char out[32], int64_t n)
{
	char	 tmp[32];
	size_t	 i = 0, k = 0;

	do
		tmp[i++] = (char)('0' + n % 10);
	while ((n /= 10) > 0 && i < sizeof(tmp));
	while (i > 0)
		out[k++] = tmp[--i];
	out[k] = '\0';
}

static bool
tasks_task_read(const struct jsonr *v, struct tasks_task *t)
{
	static const char *const names[] = { "id", "done", "text",
	    "version", "due" };
	struct jsonr m[5];
	struct buf due;
	int64_t	 n;

	buf_reset(&t->text);
	t->version[0] = t->due[0] = '\0';
	t->done = false;
	if (jsonr_members(v, names, 5, m) != ERR_OK || m[0].p == NULL ||
	    jsonr_int64(&m[0], &n) != ERR_OK || n <= 0)
		return false;
	tasks_decimal(t->id, n);
	if (m[1].p != NULL)
		(void)jsonr_bool(&m[1], &t->done);
	if (m[2].p != NULL && jsonr_string(&m[2], &t->text) != ERR_OK)
		buf_reset(&t->text);
	if (m[3].p != NULL && jsonr_int64(&m[3], &n) == ERR_OK && n > 0)
		tasks_decimal(t->version, n);
	if (m[4].p != NULL) {
		buf_init(&due, sizeof(t->due));
		if (jsonr_string(&m[4], &due) == ERR_OK &&
		    tasks_date_ok(buf_str(&due)))
			memcpy(t->due, buf_str(&due), sizeof(t->due));
		buf_free(&due);
	}
	return true;
}

/* The due date of a row, if any. */
static void
tasks_row_due(struct buf *b, const struct tasks_task *t)
{
	if (*t->due != '\0') {
		buf_adds(b, "<span class=\"due\">Due ");
		page_text(b, t->due);
		buf_adds(b, "</span>");
	}
}

/*
 * One row: the text, a visible state, and (writable) its actions, whose
 * forms carry csrf (page_csrf()'s hidden input).
 */
static void
tasks_row(struct buf *b, const struct buf *csrf, const struct tasks_task *t,
    bool writable)
{
	const char *toggle, *id = t->id;
	bool	 done = t->done;
	struct buf et;

	/* The text, escaped once for its four places in the row. */
	buf_init(&et, WEB_PAGE_MAX);
	page_text(&et, buf_str(&t->text));
	buf_adds(b, done ? "<li class=\"done\">" : "<li>");
	buf_adds(b, "<span class=\"text\">");
	buf_addbuf(b, &et);
	buf_adds(b, "</span>");
	if (done)
		buf_adds(b, "<span class=\"status\">✓ Done</span>");
	if (!writable) {
		tasks_row_due(b, t);
		buf_adds(b, "</li>");
		goto out;
	}
	/*
	 * Each control names its task for screen readers; the name starts
	 * with the visible label.
	 */
	toggle = done ? "Mark as open" : "Mark as done";
	buf_adds(b, "<form class=\"inline\" method=\"post\" "
	    "action=\"/tasks/");
	buf_adds(b, id);
	buf_adds(b, "/done\">");
	buf_addbuf(b, csrf);
	buf_adds(b, done ? "<input type=\"hidden\" name=\"done\" "
	    "value=\"false\">" : "<input type=\"hidden\" name=\"done\" "
	    "value=\"true\">");
	buf_adds(b, "<button class=\"secondary\" type=\"submit\" "
	    "aria-label=\"");
	buf_adds(b, toggle);
	buf_adds(b, ": ");
	buf_addbuf(b, &et);
	buf_adds(b, "\">");
	buf_adds(b, toggle);
	buf_adds(b, "</button></form><a class=\"edit\" href=\"/tasks/");
	buf_adds(b, id);
	buf_adds(b, "\" aria-label=\"Edit: ");
	buf_addbuf(b, &et);
	buf_adds(b, "\">Edit</a><a class=\"delete\" href=\"/tasks/");
	buf_adds(b, id);
	buf_adds(b, "/delete\" aria-label=\"Delete: ");
	buf_addbuf(b, &et);
	buf_adds(b, "\">Delete</a>");
	tasks_row_due(b, t);
	buf_adds(b, "</li>");
out:
	buf_free(&et);
}

/* The note above a form filled in again from its draft. */
static void
tasks_draft_note(struct buf *b)
{
	buf_adds(b, "<p class=\"notice\" role=\"status\">You had to sign "
	    "in again before this was saved. Here is what you had typed: "
	    "it has not been saved yet. Check it and save it.</p>");
}

static void
tasks_render(struct web *w, struct req *r, const struct session *s,
    const struct tasks_view *v, const struct jsonr *list, const char *next,
    bool writable)
{
	const char *notice = v->notice;
	struct jsonr_iter it;
	struct jsonr e;
	struct tasks_task t;
	struct draft d;
	struct buf b, csrf;
	size_t	 i;
	bool	 refused, drafted, any;

	memset(&d, 0, sizeof(d));
	drafted = writable && v->draft && drafts_take(w, r, s, NULL, &d);
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
	if (drafted)
		tasks_draft_note(&b);
	if (writable) {
		buf_adds(&b, "<div class=\"card\"><form class=\"add\" "
		    "method=\"post\" action=\"/tasks\">");
		page_csrf(&b, s);
		buf_adds(&b, "<div class=\"field\"><label for=\"text\">New "
		    "task</label><input type=\"text\" id=\"text\" "
		    "name=\"text\" maxlength=\"1000\" required "
		    "autocomplete=\"off\"");
		if (drafted) {
			buf_adds(&b, " value=\"");
			page_text(&b, d.text);
			buf_adds(&b, "\"");
		}
		buf_adds(&b, "></div><div class=\"field date\"><label "
		    "for=\"due\">" TASKS_DUE_LABEL "</label>"
		    TASKS_DUE_INPUT);
		if (drafted && *d.due != '\0') {
			buf_adds(&b, " value=\"");
			page_text(&b, d.due);
			buf_adds(&b, "\"");
		}
		buf_adds(&b, "></div><button type=\"submit\">Add"
		    "</button></form></div>");
	} else
		buf_addf(&b, "<p class=\"notice\"%s>%sYour account may read "
		    "tasks but not change them: it has not been granted the "
		    "write permission. Ask an administrator if you need it."
		    "</p>", refused ? " role=\"status\"" : "", refused ?
		    "Nothing was changed. " : "");
	buf_adds(&b, "<div class=\"card\">");
	tasks_filter(&b, v);
	any = jsonr_elements(list, &it) == ERR_OK && jsonr_next(&it, &e);
	if (!any)
		buf_addf(&b, "<p class=\"muted\">%s</p>", *v->q != '\0' ||
		    v->show != 0 ? "No tasks match." : *v->cursor != '\0' ?
		    "No more tasks." : "Nothing to do yet.");
	else
		buf_adds(&b, "<ul class=\"tasks\">");
	/* Escaped once for the forms of every row. */
	buf_init(&csrf, WEB_PAGE_MAX);
	page_csrf(&csrf, s);
	tasks_task_init(&t);
	for (i = 0; any; i++, any = jsonr_next(&it, &e))
		if (tasks_task_read(&e, &t))
			tasks_row(&b, &csrf, &t, writable);
	tasks_task_free(&t);
	buf_free(&csrf);
	if (i > 0)
		buf_adds(&b, "</ul>");
	tasks_pager(&b, v, next);
	buf_adds(&b, "</div>");
	page_end(&b);
	web_html(w, r, 200, &b);
	drafts_free(&d);
}

/* The API's path for the view: /tasks?limit=N&done=&q=&cursor= */
static bool
tasks_view_path(const struct tasks_view *v, struct buf *p)
{
	buf_addf(p, "/tasks?limit=%d", TASKS_PAGE_SIZE);
	if (tasks_shows[v->show].done != NULL)
		buf_addf(p, "&done=%s", tasks_shows[v->show].done);
	if (*v->q != '\0') {
		buf_adds(p, "&q=");
		url_encode(v->q, p);
	}
	if (*v->cursor != '\0') {
		buf_adds(p, "&cursor=");
		url_encode(v->cursor, p);
	}
	return p->err == ERR_OK;
}

void
tasks_page(struct web *w, struct req *r, const struct session *s)
{
	struct url_params q = { NULL, 0 };
	static const char *const names[] = { "tasks", "next_cursor" };
	struct httpc_resp resp;
	struct jsonr doc, m[2];
	struct tasks_view v;
	const char *next = NULL;
	struct buf path, cursor;
	bool	 writable = true;
	enum err e;

	memset(&resp, 0, sizeof(resp));
	buf_init(&path, TASKS_URL_MAX);
	buf_init(&cursor, TASKS_CURSOR_MAX + 1);
	/* The filter is a GET form: '+' is a space, as in a posted form. */
	if (url_params_parse(r->query, strlen(r->query), true, &q) !=
	    ERR_OK) {
		web_error(w, r, s, 400, "Bad address", "That list address "
		    "is not valid.");
		goto out;
	}
	if (!tasks_view_parse(w, r, s, &q, &v))
		goto out;
	if (!tasks_view_path(&v, &path)) {
		web_error(w, r, s, 400, "Bad address", "That list address "
		    "is too long.");
		goto out;
	}
	if ((e = tasks_call(w, s, "GET", buf_str(&path), NULL, NULL, &resp,
	    &writable)) != ERR_OK) {
		tasks_trouble(w, r, s, e, "/tasks");
		goto out;
	}
	if (resp.status != 200 || jsonr_open(buf_str(&resp.body),
	    resp.body.len, TASKS_JSON_DEPTH, &doc) != ERR_OK ||
	    jsonr_members(&doc, names, 2, m) != ERR_OK ||
	    jsonr_type(&m[0]) != JSONR_ARRAY) {
		log_err("api GET /tasks: status %ld", resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, "/tasks");
		goto out;
	}
	if (m[1].p != NULL && jsonr_string(&m[1], &cursor) == ERR_OK &&
	    cursor.len > 0 && tasks_cursor_ok(buf_str(&cursor),
	    TASKS_CURSOR_MAX))
		next = buf_str(&cursor);
	tasks_render(w, r, s, &v, &m[0], next, writable);
out:
	httpc_resp_free(&resp);
	buf_free(&cursor);
	buf_free(&path);
	url_params_free(&q);
}

/* The edit form as posted: the task, what it should say, its version. */
struct tasks_edit {
	const char	*id;
	const char	*text;
	const char	*due;		/* "" for none */
	const char	*version;
};

static void	tasks_conflict(struct web *, struct req *,
		    const struct session *, const struct tasks_edit *);

/*
 * Send one change to the API and go back to the list ("done" there).
 * form: the add or edit form, kept as a draft when the session's tokens
 * have ended (NULL: nothing worth keeping); ed: the edit, whose 412 is
 * the conflict page.
 */
static void
tasks_change(struct web *w, struct req *r, const struct session *s,
    const char *method, const char *path, struct json_object *body,
    const char *done, const struct url_params *form,
    const struct tasks_edit *ed)
{
	struct httpc_resp resp;
	struct json_object *err = NULL, *d;
	const char *json = NULL;
	enum err e;

	if (body != NULL)
		json = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN);
	if ((e = tasks_call(w, s, method, path, json, ed ? ed->version : NULL,
	    &resp, NULL)) != ERR_OK) {
		if (e == ERR_AUTH && form != NULL)
			drafts_signin(w, r, s, ed ? ed->id : NULL, form);
		else
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
	case 412:
		if (ed != NULL) {
			tasks_conflict(w, r, s, ed);
			break;
		}
		/* FALLTHROUGH */
	case 400:
	case 409:
	case 422:
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

/* The text of a form: 1 to WEB_TASK_TEXT_MAX characters of UTF-8. */
static bool
tasks_text_ok(const char *text)
{
	const unsigned char *p;
	size_t	 chars = 0;

	if (text == NULL || *text == '\0' ||
	    !url_utf8_valid(text, strlen(text)))
		return false;
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		chars += (*p & 0xc0) != 0x80;
	return chars <= WEB_TASK_TEXT_MAX;
}

/* {"text": ..., "due": ... or null}; NULL when out of memory. */
static struct json_object *
tasks_body(const char *text, const char *due)
{
	struct json_object *body;

	if ((body = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(body, "text",
	    json_object_new_string(text)) != 0 ||
	    (due != NULL && json_object_object_add(body, "due", *due ?
	    json_object_new_string(due) : NULL) != 0)) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

void
tasks_add(struct web *w, struct req *r, const struct session *s)
{
	struct url_params f = { NULL, 0 };
	struct json_object *body = NULL;
	const char *text, *due;

	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	text = url_params_get(&f, "text");
	due = url_params_get(&f, "due");
	if (!tasks_text_ok(text)) {
		web_error(w, r, s, 400, "Not saved", "Write the task first: "
		    "1 to 1000 characters.");
		goto out;
	}
	if (due != NULL && *due != '\0' && !tasks_date_ok(due)) {
		web_error(w, r, s, 400, "Not saved", "The due date must be a "
		    "day of the calendar, as YYYY-MM-DD.");
		goto out;
	}
	/* The API is asked about "due" only when one was given. */
	if ((body = tasks_body(text, due != NULL && *due != '\0' ? due :
	    NULL)) == NULL) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	tasks_change(w, r, s, "POST", "/tasks", body, "/tasks", &f, NULL);
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
	tasks_change(w, r, s, "PATCH", path, body, "/tasks", NULL, NULL);
out:
	json_object_put(body);
	url_params_free(&f);
}

/*
 * GET /tasks/{id} from the API: t the task (ERR_OK), ERR_NOTFOUND
 * (gone: answered), or another failure (answered).
 */
static enum err
tasks_fetch(struct web *w, struct req *r, const struct session *s,
    const char *id, struct tasks_task *t, bool *writable)
{
	struct httpc_resp resp;
	struct jsonr doc;
	char	 path[TASKS_PATH_MAX];
	enum err e;

	snprintf(path, sizeof(path), "/tasks/%s", id);
	if ((e = tasks_call(w, s, "GET", path, NULL, NULL, &resp,
	    writable)) != ERR_OK) {
		tasks_trouble(w, r, s, e, r->path);
		return e;
	}
	if (resp.status == 404) {
		web_redirect(w, r, "/tasks?notice=gone");
		e = ERR_NOTFOUND;
	} else if (resp.status != 200 || jsonr_open(buf_str(&resp.body),
	    resp.body.len, TASKS_JSON_DEPTH, &doc) != ERR_OK ||
	    !tasks_task_read(&doc, t)) {
		log_err("api GET %s: status %ld", path, resp.status);
		tasks_trouble(w, r, s, ERR_UPSTREAM, r->path);
		e = ERR_UPSTREAM;
	}
	httpc_resp_free(&resp);
	return e;
}

/* GET /tasks/{id}/delete: ask first (no script, so a page of its own). */
static void
tasks_delete_confirm(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct tasks_task t;
	bool	 writable = true;
	struct buf b;

	tasks_task_init(&t);
	if (tasks_fetch(w, r, s, id, &t, &writable) != ERR_OK)
		goto out;
	if (!writable)
		tasks_forbidden(w, r);
	else {
		page_begin(w, &b, s, "Delete task");
		buf_adds(&b, "<h1>Delete this task?</h1><div class=\"card\">"
		    "<p class=\"quote\">");
		page_text(&b, buf_str(&t.text));
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
out:
	tasks_task_free(&t);
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
		    "/tasks?notice=deleted", NULL, NULL);
	}
	url_params_free(&f);
}

/* ---- edit ------------------------------------------------------------- */

/* The edit form, filled with text and due, sending version. */
static void
tasks_edit_form(struct buf *b, const struct session *s, const char *id,
    const char *text, const char *due, const char *version,
    const char *submit)
{
	buf_addf(b, "<form class=\"edit\" method=\"post\" "
	    "action=\"/tasks/%s\">", id);
	page_csrf(b, s);
	buf_adds(b, "<input type=\"hidden\" name=\"version\" value=\"");
	page_text(b, version);
	buf_adds(b, "\"><div class=\"field\"><label for=\"text\">Task"
	    "</label><input type=\"text\" id=\"text\" name=\"text\" "
	    "maxlength=\"1000\" required autocomplete=\"off\" value=\"");
	page_text(b, text);
	buf_adds(b, "\"></div><div class=\"field date\"><label for=\"due\">"
	    TASKS_DUE_LABEL "</label>" TASKS_DUE_INPUT " value=\"");
	page_text(b, due);
	buf_adds(b, "\"></div><div class=\"actions\"><button "
	    "type=\"submit\">");
	page_text(b, submit);
	buf_adds(b, "</button><a class=\"button secondary\" href=\"/tasks\">"
	    "Cancel</a></div></form>");
}

/* GET /tasks/{id}: the form, filled from the API or from a draft. */
static void
tasks_edit_page(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct url_params q = { NULL, 0 };
	struct tasks_task t;
	struct draft d;
	bool	 writable = true, drafted = false;
	struct buf b;

	memset(&d, 0, sizeof(d));
	tasks_task_init(&t);
	if (url_params_parse(r->query, strlen(r->query), false, &q) != ERR_OK)
		memset(&q, 0, sizeof(q));
	if (tasks_fetch(w, r, s, id, &t, &writable) != ERR_OK)
		goto out;
	if (!writable) {
		tasks_forbidden(w, r);
		goto out;
	}
	if (url_params_get(&q, "draft") != NULL)
		drafted = drafts_take(w, r, s, id, &d);
	page_begin(w, &b, s, "Edit task");
	buf_adds(&b, "<h1>Edit task</h1>");
	if (drafted)
		tasks_draft_note(&b);
	buf_adds(&b, "<div class=\"card\">");
	/* A draft keeps the version it was typed against: a change made
	 * meanwhile still shows the conflict page. */
	tasks_edit_form(&b, s, id, drafted ? d.text : buf_str(&t.text),
	    drafted ? d.due : t.due, drafted && d.version ? d.version :
	    t.version, "Save");
	buf_addf(&b, "<p class=\"muted\">%s</p></div>", t.done ? "This task "
	    "is done." : "This task is open.");
	page_end(&b);
	web_html(w, r, 200, &b);
out:
	drafts_free(&d);
	tasks_task_free(&t);
	url_params_free(&q);
}

/* One version of a task in the conflict page. */
static void
tasks_version_card(struct buf *b, const char *title, const char *text,
    const char *due)
{
	buf_adds(b, "<h2>");
	page_text(b, title);
	buf_adds(b, "</h2><dl class=\"version\"><dt>Task</dt><dd>");
	page_text(b, text);
	buf_adds(b, "</dd><dt>Due</dt><dd>");
	page_text(b, *due != '\0' ? due : "none");
	buf_adds(b, "</dd></dl>");
}

/*
 * 412: the task changed since the form was loaded.  Nothing was saved;
 * both versions side by side, and a choice.
 */
static void
tasks_conflict(struct web *w, struct req *r, const struct session *s,
    const struct tasks_edit *ed)
{
	struct tasks_task t;
	bool	 writable = true;
	struct buf b;

	tasks_task_init(&t);
	if (tasks_fetch(w, r, s, ed->id, &t, &writable) != ERR_OK)
		goto out;
	page_begin(w, &b, s, "Changed in another window");
	buf_adds(&b, "<h1>Changed in another window</h1><p class=\"error\" "
	    "role=\"alert\">This task was changed somewhere else (in another "
	    "window or on another device) after you opened it. Your change "
	    "was not saved. Compare the two versions and choose.</p>"
	    "<div class=\"card\" id=\"yours\">");
	tasks_version_card(&b, "Your version", ed->text, ed->due);
	buf_addf(&b, "<form method=\"post\" action=\"/tasks/%s\">", ed->id);
	page_csrf(&b, s);
	buf_adds(&b, "<input type=\"hidden\" name=\"version\" value=\"");
	page_text(&b, t.version);
	buf_adds(&b, "\"><input type=\"hidden\" name=\"text\" value=\"");
	page_text(&b, ed->text);
	buf_adds(&b, "\"><input type=\"hidden\" name=\"due\" value=\"");
	page_text(&b, ed->due);
	buf_adds(&b, "\"><button type=\"submit\">Save my version</button>"
	    "</form></div><div class=\"card\" id=\"current\">");
	tasks_version_card(&b, "The current version", buf_str(&t.text),
	    t.due);
	buf_addf(&b, "<div class=\"actions\"><a class=\"button secondary\" "
	    "href=\"/tasks\">Keep the current version</a><a href=\"/tasks/%s\">"
	    "Edit the current version</a></div></div>", ed->id);
	page_end(&b);
	web_html(w, r, 409, &b);
out:
	tasks_task_free(&t);
}

/* POST /tasks/{id}: save the form with If-Match. */
static void
tasks_edit_save(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	struct url_params f = { NULL, 0 };
	struct json_object *body = NULL;
	struct tasks_edit ed;
	char	 path[TASKS_PATH_MAX];
	size_t	 n;

	if (!web_form(w, r, &f) || !web_csrf_ok(w, r, s, &f))
		goto out;
	ed.id = id;
	ed.text = url_params_get(&f, "text");
	ed.due = url_params_get(&f, "due");
	ed.version = url_params_get(&f, "version");
	if (ed.due == NULL)
		ed.due = "";
	n = ed.version ? strlen(ed.version) : 0;
	if (n == 0 || n > TASKS_VERSION_DIGITS || ed.version[0] == '0' ||
	    strspn(ed.version, "0123456789") != n) {
		web_error(w, r, s, 400, "Not saved", "The form was "
		    "incomplete: reload the task and try again.");
		goto out;
	}
	if (!tasks_text_ok(ed.text)) {
		web_error(w, r, s, 400, "Not saved", "Write the task first: "
		    "1 to 1000 characters.");
		goto out;
	}
	if (*ed.due != '\0' && !tasks_date_ok(ed.due)) {
		web_error(w, r, s, 400, "Not saved", "The due date must be a "
		    "day of the calendar, as YYYY-MM-DD.");
		goto out;
	}
	if ((body = tasks_body(ed.text, ed.due)) == NULL) {
		web_error(w, r, s, 500, "Error", "Please try again.");
		goto out;
	}
	snprintf(path, sizeof(path), "/tasks/%s", id);
	tasks_change(w, r, s, "PATCH", path, body, "/tasks?notice=saved", &f,
	    &ed);
out:
	json_object_put(body);
	url_params_free(&f);
}

void
tasks_edit(struct web *w, struct req *r, const struct session *s,
    const char *id)
{
	if (r->method == REQ_POST)
		tasks_edit_save(w, r, s, id);
	else
		tasks_edit_page(w, r, s, id);
}
