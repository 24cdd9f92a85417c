/*
 * pgq -- the design limit of GET /api/tasks (tests/bench/run): a bare
 * FastCGI responder with one kept PostgreSQL connection that runs the
 * API's list statement (the same shape, one prepared statement) for the
 * next bench user and answers the rows as JSON built with json-c.  No
 * token, no limits, no logs.  Environment: see pgq-common.h.
 */
#include <stdio.h>

#include "pgq-common.h"

/*
 * api-fcgi/tasks.c's STMT_TASK_LIST, as GET /api/tasks without a query
 * runs it: no cursor, no filters, one row more than the default page.
 */
static const struct pgq_stmt pgq_list = { "task_list",
    "SELECT " PGQ_TASK_COLUMNS " FROM api.tasks "
    "WHERE owner_sub = $1 AND owner_iss = $2 "
    "AND id < coalesce($3::bigint, 9223372036854775807) "
    "AND ($4::boolean IS NULL OR done = $4) "
    "AND ($5::text IS NULL OR strpos(lower(text), lower($5)) > 0) "
    "AND ($6::date IS NULL OR due < $6) "
    "ORDER BY id DESC LIMIT $7::integer", 7 };
#define PGQ_PAGE_ROWS "51"	/* tasks.c's TASK_LIMIT_DEFAULT + 1 */

static int
serve(FCGX_Request *req, void *arg)
{
	PGconn	*db = arg;
	char	 user[32];
	const char *params[7] = { NULL, NULL, NULL, NULL, NULL, NULL,
	    PGQ_PAGE_ROWS };
	struct json_object *top = NULL, *arr, *t;
	PGresult *res;
	int	 i, n, rc;

	pgq_next_user(user);
	params[0] = user;
	params[1] = pgq_issuer();
	if ((res = pgq_exec(db, &pgq_list, params)) == NULL)
		return pgq_fail(req, 500);
	n = PQntuples(res);
	if ((top = json_object_new_object()) == NULL ||
	    (arr = json_object_new_array_ext(n)) == NULL)
		goto fail;
	if (json_object_object_add(top, "tasks", arr) != 0) {
		json_object_put(arr);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((t = pgq_task_json(res, i)) == NULL)
			goto fail;
		if (json_object_array_add(arr, t) != 0) {
			json_object_put(t);
			goto fail;
		}
	}
	PQclear(res);
	rc = pgq_reply_json(req, 200, NULL, top);
	json_object_put(top);
	return rc;
fail:
	PQclear(res);
	json_object_put(top);
	return pgq_fail(req, 500);
}

int
main(void)
{
	PGconn	*db;
	int	 rc;

	if ((db = pgq_connect("pgq", "PGQ_DB", &pgq_list, 1)) == NULL)
		return 1;
	rc = pgq_run("pgq", serve, db);
	PQfinish(db);
	return rc;
}
