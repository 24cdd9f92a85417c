/* The task routes: validated input in, one statement, JSON out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "jsonp.h"
#include "log.h"
#include "respond.h"
#include "utf8.h"

/* Timestamps come as ISO text in UTC (db.c sets the session up so). */
#define TASK_COLUMNS "id, text, done, created_at, updated_at"
#define TASK_TIME_LEN 24		/* "2026-11-24T21:19:05.123Z" */

/* Every task statement has the owner ($owner_sub, $owner_iss) in it. */
const struct db_stmt api_stmts[STMT__MAX] = {
	[STMT_HEALTH] = { "health", "SELECT 1", 0, true },
	[STMT_TASK_LIST] = { "task_list",
	    "SELECT " TASK_COLUMNS " FROM api.tasks "
	    "WHERE owner_sub = $1 AND owner_iss = $2 ORDER BY id", 2, true },
	[STMT_TASK_GET] = { "task_get",
	    "SELECT " TASK_COLUMNS " FROM api.tasks "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3", 3, true },
	/*
	 * Nothing when the owner has API_TASKS_MAX tasks already; the
	 * function (sql/api/002_task_limit.sql) counts and inserts under a
	 * lock on the owner, so parallel inserts cannot pass the limit.
	 */
	[STMT_TASK_INSERT] = { "task_insert",
	    "SELECT " TASK_COLUMNS " FROM api.task_insert($1, $2, $3, "
	    "$4::boolean, $5::integer)", 5, false },
	[STMT_TASK_UPDATE] = { "task_update",
	    "UPDATE api.tasks SET text = coalesce($4, text), "
	    "done = coalesce($5::boolean, done), updated_at = now() "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3 "
	    "RETURNING " TASK_COLUMNS, 5, false },
	[STMT_TASK_DELETE] = { "task_delete",
	    "DELETE FROM api.tasks "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3", 3, false },
};

/* A validated task body: NULL / -1 for members that were absent. */
struct task_input {
	const char	*text;
	int		 done;		/* -1 absent, 0, 1 */
};

/*
 * PostgreSQL's ISO output of a timestamptz in UTC, "2026-11-24
 * 21:19:05.123456+00", as RFC 3339 with milliseconds.  Formatting here
 * costs less than to_char() in every row of the query.
 */
static bool
task_time(const char *pg, char out[TASK_TIME_LEN + 1])
{
	size_t	 i, n = strlen(pg);

	if (n < 22 || pg[10] != ' ' || pg[19] == '\0')
		return false;
	memcpy(out, pg, 19);
	out[10] = 'T';
	out[19] = '.';
	/* Up to three digits of the fraction, then zeros. */
	for (i = 0; i < 3; i++)
		out[20 + i] = pg[19] == '.' && i + 20 < n &&
		    pg[20 + i] >= '0' && pg[20 + i] <= '9' ? pg[20 + i] : '0';
	out[23] = 'Z';
	out[24] = '\0';
	return true;
}

/* Row i of a TASK_COLUMNS result as a JSON object, or NULL. */
static struct json_object *
task_json(const PGresult *res, int i)
{
	struct json_object *o;
	long long id;
	char	*end, created[TASK_TIME_LEN + 1], updated[TASK_TIME_LEN + 1];

	id = strtoll(PQgetvalue(res, i, 0), &end, 10);
	if (*end != '\0' || !task_time(PQgetvalue(res, i, 3), created) ||
	    !task_time(PQgetvalue(res, i, 4), updated) ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "id", json_object_new_int64(id)) ||
	    json_object_object_add(o, "text",
	    json_object_new_string(PQgetvalue(res, i, 1))) ||
	    json_object_object_add(o, "done",
	    json_object_new_boolean(PQgetvalue(res, i, 2)[0] == 't')) ||
	    json_object_object_add(o, "created_at",
	    json_object_new_string(created)) ||
	    json_object_object_add(o, "updated_at",
	    json_object_new_string(updated))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Characters (code points) in valid UTF-8 (jsonp_parse checked it). */
static size_t
utf8_chars(const char *s)
{
	return utf8_count(s, strlen(s));
}

/*
 * Check the body: a JSON object holding only "text" (1 to API_TEXT_MAX
 * characters) and "done" (boolean); "need_text" for creation.  On
 * ERR_INPUT, *why says what is wrong (for the client).  *doc owns the
 * strings in *in and is put by the caller.
 */
static enum err
task_input_parse(struct req *r, bool need_text, struct json_object **doc,
    struct task_input *in, const char **why)
{
	struct json_object_iterator it, end;
	const char *name;
	bool	 b;
	enum err e;

	*doc = NULL;
	in->text = NULL;
	in->done = -1;
	*why = "the body must be a JSON object";
	if (jsonp_parse(buf_str(&r->body), r->body.len, API_JSON_DEPTH,
	    doc) != ERR_OK || !json_object_is_type(*doc, json_type_object))
		return ERR_INPUT;
	it = json_object_iter_begin(*doc);
	end = json_object_iter_end(*doc);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		if (strcmp(name, "text") != 0 && strcmp(name, "done") != 0) {
			*why = "unknown member: only text and done may "
			    "be given";
			return ERR_INPUT;
		}
	}
	e = jsonp_string(*doc, "text", &in->text);
	if (e == ERR_INPUT) {
		*why = "text must be a string";
		return ERR_INPUT;
	}
	if (e == ERR_NOTFOUND && need_text) {
		*why = "text is required";
		return ERR_INPUT;
	}
	if (in->text != NULL && (in->text[0] == '\0' ||
	    utf8_chars(in->text) > API_TEXT_MAX)) {
		*why = "text must be 1 to 1000 characters";
		return ERR_INPUT;
	}
	e = jsonp_bool(*doc, "done", &b);
	if (e == ERR_INPUT) {
		*why = "done must be true or false";
		return ERR_INPUT;
	}
	if (e == ERR_OK)
		in->done = b;
	if (in->text == NULL && in->done < 0) {
		*why = "give text, done or both";
		return ERR_INPUT;
	}
	return ERR_OK;
}

/* Content type, size and syntax of a task body; answers on failure. */
static bool
task_read(struct req *r, bool need_text, struct json_object **doc,
    struct task_input *in)
{
	const char *why;
	enum err e;

	*doc = NULL;
	if (!req_content_type_is(r, "application/json")) {
		api_error(r, 415, "unsupported_media_type",
		    "send the task as application/json");
		return false;
	}
	if ((e = req_read_body(r, API_BODY_MAX)) != ERR_OK) {
		if (e == ERR_NOMEM)
			api_error(r, 413, "too_large",
			    "the body is larger than 64 KiB");
		else
			api_error(r, 400, "invalid_request",
			    "the body could not be read");
		return false;
	}
	if (task_input_parse(r, need_text, doc, in, &why) != ERR_OK) {
		api_error(r, 400, "invalid_request", why);
		return false;
	}
	return true;
}

/* Answer with the one task in res (or 404 when there is none). */
static void
task_answer(struct req *r, int status, const PGresult *res)
{
	struct json_object *o;

	if (PQntuples(res) != 1) {
		api_fail(r, ERR_NOTFOUND, NULL);
		return;
	}
	if ((o = task_json(res, 0)) == NULL) {
		api_fail(r, ERR_NOMEM, NULL);
		return;
	}
	api_json(r, status, o);
}

void
tasks_list(struct api *api, struct req *r, const struct api_user *u)
{
	const char *const params[] = { u->sub, u->iss };
	struct json_object *top = NULL, *arr, *t;
	PGresult *res = NULL;
	enum err e;
	int	 i, n;

	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_LIST], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	n = PQntuples(res);
	if ((top = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array_ext(n)) == NULL)
		goto nomem;
	if (json_object_object_add(top, "tasks", arr) != 0) {
		json_object_put(arr);
		goto nomem;
	}
	for (i = 0; i < n; i++) {
		if ((t = task_json(res, i)) == NULL)
			goto nomem;
		if (json_object_array_add(arr, t) != 0) {
			json_object_put(t);
			goto nomem;
		}
	}
	PQclear(res);
	api_json(r, 200, top);
	return;
nomem:
	PQclear(res);
	json_object_put(top);
	api_fail(r, ERR_NOMEM, NULL);
}

void
tasks_get(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	const char *const params[] = { id, u->sub, u->iss };
	PGresult *res = NULL;
	enum err e;

	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_GET], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	task_answer(r, 200, res);
	PQclear(res);
}

void
tasks_create(struct api *api, struct req *r, const struct api_user *u)
{
	struct json_object *doc = NULL;
	struct task_input in;
	const char *params[5];
	char	 max[16];
	PGresult *res = NULL;
	enum err e;

	if (!task_read(r, true, &doc, &in))
		goto out;
	snprintf(max, sizeof(max), "%d", API_TASKS_MAX);
	params[0] = u->sub;
	params[1] = u->iss;
	params[2] = in.text;
	params[3] = in.done > 0 ? "true" : "false";
	params[4] = max;
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_INSERT], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		goto out;
	}
	if (PQntuples(res) == 0) {
		api_error(r, 409, "too_many_tasks", "a list holds at most "
		    "500 tasks: delete some first");
		goto out;
	}
	if (req_headerf(r, "Location", "%s/%s", r->path,
	    PQgetvalue(res, 0, 0)) != ERR_OK) {
		api_fail(r, ERR_SYSTEM, NULL);
		goto out;
	}
	task_answer(r, 201, res);
out:
	PQclear(res);
	json_object_put(doc);
}

void
tasks_update(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	struct json_object *doc = NULL;
	struct task_input in;
	const char *params[5];
	PGresult *res = NULL;
	enum err e;

	if (!task_read(r, false, &doc, &in))
		goto out;
	params[0] = id;
	params[1] = u->sub;
	params[2] = u->iss;
	params[3] = in.text;
	params[4] = in.done < 0 ? NULL : in.done ? "true" : "false";
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_UPDATE], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		goto out;
	}
	task_answer(r, 200, res);
out:
	PQclear(res);
	json_object_put(doc);
}

void
tasks_delete(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	const char *const params[] = { id, u->sub, u->iss };
	PGresult *res = NULL;
	enum err e;

	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_DELETE], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	if (strcmp(PQcmdTuples(res), "1") != 0)
		api_fail(r, ERR_NOTFOUND, NULL);
	else
		req_respond(r, 204, NULL, NULL, 0);
	PQclear(res);
}
