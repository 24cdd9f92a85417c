/*
 * pgq-write -- the design limit of POST + DELETE /api/tasks
 * (tests/bench/run): a bare FastCGI responder with one kept PostgreSQL
 * connection.  POST (a JSON body with "text", parsed with json-c): one
 * INSERT for the next bench user, answered 201 with the task as JSON and
 * Location: REQUEST_URI/bench-user-NNN/ID.  DELETE .../bench-user-NNN/ID:
 * one DELETE, 204 (404 when nothing was deleted).  No token, no limits.
 * Under .../cap/ (case L4c) the INSERT is the API's own creation
 * statement (the per-user task cap: the owner's bound in
 * api.task_counts raised with the INSERT, api.task_create() when it is
 * reached), to tell the database's share of the API's cost from the
 * program's.
 * Environment: see pgq-common.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgq-common.h"

#define PGQ_BODY_MAX 65536

enum { ST_INSERT, ST_INSERT_CAP, ST_INSERT_COUNT, ST_DELETE, ST__MAX };

static const struct pgq_stmt stmts[ST__MAX] = {
	[ST_INSERT] = { "task_insert",
	    "INSERT INTO api.tasks (owner_sub, owner_iss, text, done) "
	    "VALUES ($1, $2, $3, false) RETURNING " PGQ_TASK_COLUMNS, 3 },
	/* api-fcgi/tasks.c's STMT_TASK_INSERT without a key, cap 500. */
	/*
	 * api-fcgi/tasks.c's STMT_TASK_CREATE_FAST, cap 500, then (no row:
	 * the bound reached or missing) its STMT_TASK_INSERT without a key,
	 * in a transaction of its own as there.
	 */
	[ST_INSERT_CAP] = { "task_insert_cap",
	    "WITH c AS (UPDATE api.task_counts SET n = n + 1 "
	    "WHERE owner_sub = $1 AND owner_iss = $2 AND n < 500 "
	    "RETURNING 1) "
	    "INSERT INTO api.tasks (owner_sub, owner_iss, text, done) "
	    "SELECT $1, $2, $3, false FROM c RETURNING " PGQ_TASK_COLUMNS, 3 },
	[ST_INSERT_COUNT] = { "task_insert_count",
	    "SELECT " PGQ_TASK_COLUMNS " FROM api.task_create($1, $2, $3, "
	    "false, NULL::date, 500, NULL)", 3 },
	/* api-fcgi/tasks.c's STMT_TASK_DELETE. */
	[ST_DELETE] = { "task_delete",
	    "DELETE FROM api.tasks "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3", 3 },
};

/* The request body (at most PGQ_BODY_MAX bytes) as JSON, or NULL. */
static struct json_object *
read_json(FCGX_Request *req)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	struct json_object *o;
	char	*body;
	long	 n;

	n = cl != NULL ? strtol(cl, NULL, 10) : 0;
	if (n <= 0 || n > PGQ_BODY_MAX || (body = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (FCGX_GetStr(body, (int)n, req->in) != (int)n) {
		free(body);
		return NULL;
	}
	body[n] = '\0';
	o = json_tokener_parse(body);
	free(body);
	return o;
}

static int
create(FCGX_Request *req, PGconn *db)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", req->envp);
	struct json_object *doc, *text, *task;
	const char *params[3];
	char	 user[32], loc[512];
	PGresult *res;
	int	 rc;
	bool	 cap;

	if ((doc = read_json(req)) == NULL)
		return pgq_fail(req, 400);
	if (!json_object_object_get_ex(doc, "text", &text) ||
	    !json_object_is_type(text, json_type_string)) {
		json_object_put(doc);
		return pgq_fail(req, 400);
	}
	pgq_next_user(user);
	params[0] = user;
	params[1] = pgq_issuer();
	params[2] = json_object_get_string(text);
	cap = uri != NULL && strstr(uri, "/cap/") != NULL;
	res = pgq_exec(db, &stmts[cap ? ST_INSERT_CAP : ST_INSERT], params);
	if (cap && res != NULL && PQntuples(res) == 0) {
		PQclear(res);
		res = pgq_exec(db, &stmts[ST_INSERT_COUNT], params);
	}
	json_object_put(doc);
	if (res == NULL)
		return pgq_fail(req, 500);
	task = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ?
	    pgq_task_json(res, 0) : NULL;
	rc = snprintf(loc, sizeof(loc), "Location: %s%s%s/%s",
	    uri ? uri : "", uri && uri[0] && uri[strlen(uri) - 1] == '/' ?
	    "" : "/", user, task ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	if (task == NULL || rc < 0 || (size_t)rc >= sizeof(loc)) {
		json_object_put(task);
		return pgq_fail(req, 500);
	}
	rc = pgq_reply_json(req, 201, loc, task);
	json_object_put(task);
	return rc;
}

static int
delete(FCGX_Request *req, PGconn *db)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", req->envp);
	const char *u, *id, *params[3];
	char	 user[32];
	PGresult *res;
	size_t	 n;
	int	 rc;

	if (uri == NULL || (u = strstr(uri, "/bench-user-")) == NULL ||
	    (id = strchr(u + 1, '/')) == NULL ||
	    (n = (size_t)(id - u - 1)) >= sizeof(user) ||
	    id[1] == '\0' || strspn(id + 1, "0123456789") != strlen(id + 1))
		return pgq_fail(req, 404);
	memcpy(user, u + 1, n);
	user[n] = '\0';
	params[0] = id + 1;
	params[1] = user;
	params[2] = pgq_issuer();
	if ((res = pgq_exec(db, &stmts[ST_DELETE], params)) == NULL)
		return pgq_fail(req, 500);
	if (strcmp(PQcmdTuples(res), "1") == 0)
		rc = pgq_reply(req, 204, "text/plain", NULL, "", 0);
	else
		rc = pgq_fail(req, 404);
	PQclear(res);
	return rc;
}

static int
serve(FCGX_Request *req, void *arg)
{
	const char *m = FCGX_GetParam("REQUEST_METHOD", req->envp);

	if (m != NULL && strcmp(m, "POST") == 0)
		return create(req, arg);
	if (m != NULL && strcmp(m, "DELETE") == 0)
		return delete(req, arg);
	return pgq_fail(req, 405);
}

int
main(void)
{
	PGconn	*db;
	int	 rc;

	if ((db = pgq_connect("pgq-write", "PGQ_DB", stmts, ST__MAX)) == NULL)
		return 1;
	rc = pgq_run("pgq-write", serve, db);
	PQfinish(db);
	return rc;
}
