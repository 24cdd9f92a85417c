/*
 * test_db: a real, throwaway PostgreSQL (pg.h): connecting and the
 * session set-up, prepared statements, errors mapped to enum err, the
 * reconnect after the server restarts, and the server being down.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pg.h"
#include "tap.h"

enum {
	ST_PING,
	ST_SHOW,
	ST_ADD,
	ST_GET,
	ST_COUNT,
	ST_BAD,
	ST__MAX
};

static const struct db_stmt stmts[ST__MAX] = {
	[ST_PING] = { "ping", "SELECT 1", 0, true },
	[ST_SHOW] = { "show", "SELECT pg_catalog.current_setting($1)", 1,
	    true },
	[ST_ADD] = { "add", "INSERT INTO t.items (id, v, n) VALUES "
	    "($1, $2, $3) RETURNING id", 3, false },
	[ST_GET] = { "get", "SELECT v, n FROM t.items WHERE id = $1", 1,
	    true },
	[ST_COUNT] = { "count", "SELECT count(*) FROM items", 0, true },
	[ST_BAD] = { "bad", "SELEC 1", 0, true },
};

static const struct db_stmt stray = { "stray", "SELECT 2", 0, true };

static struct pg pg;

/* A one-value statement's text, or NULL. */
static char *
one(struct db *db, int st, const char *arg)
{
	const char *const params[1] = { arg };
	PGresult *res = NULL;
	char	*s = NULL;

	if (db_exec(db, &stmts[st], params, &res) == ERR_OK &&
	    PQntuples(res) == 1)
		s = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return s;
}

static enum err
add(struct db *db, const char *id, const char *v, const char *n)
{
	const char *const params[3] = { id, v, n };
	PGresult *res = NULL;
	enum err e;

	e = db_exec(db, &stmts[ST_ADD], params, &res);
	PQclear(res);
	return e;
}

static void
is_setting(struct db *db, const char *name, const char *want)
{
	char *s = one(db, ST_SHOW, name);

	is_str(s, want, "session: %s", name);
	free(s);
}

static void
test_connect(struct db *db)
{
	PGresult *res = NULL;

	ok(db_conn(db) == NULL, "db_new does not connect");
	is_int(db_connect(db), ERR_OK, "db_connect");
	ok(db_conn(db) != NULL && PQstatus(db_conn(db)) == CONNECTION_OK,
	    "db_conn: the connection");
	is_int(db_connect(db), ERR_OK, "db_connect again: kept");
	is_setting(db, "search_path", "");
	is_setting(db, "TimeZone", "UTC");
	is_setting(db, "DateStyle", "ISO, MDY");
	is_setting(db, "statement_timeout", DB_STATEMENT_TIMEOUT);
	is_setting(db, "application_name", "todo-b2c");
	is_int(db_exec_sql(db, "CREATE SCHEMA t; CREATE TABLE t.items ("
	    "id int PRIMARY KEY, v text NOT NULL CHECK (length(v) <= 5), "
	    "n smallint)"), ERR_OK, "db_exec_sql: DDL");
	is_int(db_exec(db, &stmts[ST_PING], NULL, &res), ERR_OK,
	    "db_exec: ping");
	ok(res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK &&
	    strcmp(PQgetvalue(res, 0, 0), "1") == 0, "ping: one row, 1");
	PQclear(res);
}

static void
test_exec(struct db *db)
{
	PGresult *res = NULL;
	char	*s;

	is_int(add(db, "1", "abc", "7"), ERR_OK, "insert with parameters");
	is_int(add(db, "2", "x'y\"z", NULL), ERR_OK,
	    "quotes in a parameter, a NULL parameter");
	s = one(db, ST_GET, "2");
	is_str(s, "x'y\"z", "parameters are data, never SQL");
	free(s);
	is_int(db_exec(db, &stmts[ST_GET], (const char *const[]){ "9" },
	    &res), ERR_OK, "no row: ERR_OK");
	ok(res != NULL && PQntuples(res) == 0, "... and an empty result");
	PQclear(res);
	is_int(db_exec_sql(db, "SELECT 1"), ERR_OK, "db_exec_sql: a query");

	/* Errors the client caused are ERR_INPUT. */
	is_int(add(db, "3", "toolong", "1"), ERR_INPUT,
	    "a check constraint (23514): ERR_INPUT");
	is_int(add(db, "3", "ok", "x"), ERR_INPUT,
	    "invalid text for a number (22P02): ERR_INPUT");
	is_int(add(db, "3", "ok", "70000"), ERR_INPUT,
	    "a number out of range (22003): ERR_INPUT");
	is_int(add(db, "3", "\xc3\x28", "1"), ERR_INPUT,
	    "invalid UTF-8 (22021): ERR_INPUT");
	/* Anything else is ERR_DB. */
	is_int(add(db, "1", "dup", "1"), ERR_DB,
	    "a unique violation: ERR_DB");
	is_int(add(db, "4", NULL, "1"), ERR_DB, "a NOT NULL violation: "
	    "ERR_DB");
	res = (PGresult *)&res;
	is_int(db_exec(db, &stmts[ST_BAD], NULL, &res), ERR_DB,
	    "a statement that does not prepare: ERR_DB");
	ok(res == NULL, "... and no result");
	is_int(db_exec(db, &stmts[ST_COUNT], NULL, &res), ERR_DB,
	    "an unqualified table (empty search_path): ERR_DB");
	is_int(db_exec(db, &stray, NULL, &res), ERR_SYSTEM,
	    "a statement not in the table: ERR_SYSTEM");
	is_int(db_exec_sql(db, "SELEC 1"), ERR_DB, "db_exec_sql: bad SQL");
	is_int(add(db, "3", "fine", "3"), ERR_OK,
	    "the connection is still good after the errors");
	s = one(db, ST_PING, NULL);
	is_str(s, "1", "and prepared statements still work");
	free(s);
}

/* What db_set_hook's function was told, by event. */
static unsigned events[DB_EVENT__MAX];

static void
count_event(void *arg, enum db_event ev)
{
	(void)arg;
	if ((unsigned)ev < DB_EVENT__MAX)
		events[ev]++;
}

static void
test_restart(struct db *db)
{
	PGconn	*before = db_conn(db);
	char	*s;

	db_set_hook(db, count_event, NULL);

	if (!ok(pg_ctl(&pg, "restart"), "pg_ctl restart"))
		return;
	s = one(db, ST_GET, "1");
	is_str(s, "abc", "an idempotent statement after a restart: "
	    "reconnected, prepared again, run");
	free(s);
	ok(db_conn(db) != NULL && db_conn(db) != before,
	    "a new connection");
	is_setting(db, "search_path", "");
	is_int(add(db, "4", "four", "4"), ERR_OK,
	    "a non-idempotent statement, prepared on the new connection");

	if (!ok(pg_ctl(&pg, "restart"), "pg_ctl restart again"))
		return;
	is_int(add(db, "5", "five", "5"), ERR_OK,
	    "a non-idempotent statement after a restart while idle: the "
	    "closed connection is noticed before sending, so it runs");
	s = one(db, ST_GET, "5");
	is_str(s, "five", "... once");
	free(s);

	if (!ok(pg_ctl(&pg, "stop"), "pg_ctl stop"))
		return;
	is_int(add(db, "6", "six", "6"), ERR_DB, "server down: ERR_DB");
	ok(one(db, ST_PING, NULL) == NULL, "server down: no answer");
	is_int(db_connect(db), ERR_DB, "server down: db_connect ERR_DB");
	ok(db_conn(db) == NULL, "server down: no connection");
	is_int(db_exec_sql(db, "SELECT 1"), ERR_DB,
	    "server down: db_exec_sql ERR_DB");
	is_int(events[DB_EVENT_RECONNECT], 2, "hook: two reconnects told");
	is_int(events[DB_EVENT_ERROR], 3, "hook: each ERR_DB of db_exec and "
	    "db_exec_sql told once");
	if (!ok(pg_ctl(&pg, "start"), "pg_ctl start"))
		return;
	s = one(db, ST_GET, "5");
	is_str(s, "five", "server back: reconnected");
	free(s);
	is_int(events[DB_EVENT_RECONNECT], 3, "hook: and that reconnect");
	db_set_hook(db, NULL, NULL);
}

static void
test_check(struct db *db)
{
	char	 out[256];
	FILE	*f;

	memset(out, 0, sizeof(out));
	if ((f = fmemopen(out, sizeof(out), "w")) == NULL)
		return;
	ok(db_check(db, &stmts[ST_PING], f), "db_check: up");
	fclose(f);
	is_str(out, "", "db_check: says nothing when up");
	pg_ctl(&pg, "stop");
	if ((f = fmemopen(out, sizeof(out), "w")) == NULL)
		return;
	ok(!db_check(db, &stmts[ST_PING], f), "db_check: down");
	fclose(f);
	is_str(out, "database: cannot connect or query\n",
	    "db_check: what it says");
	pg_ctl(&pg, "start");
}

static void
test_conninfo(void)
{
	struct db *db = NULL;
	char	 ci[1024];

	/* The conninfo may override our defaults; the session set-up not. */
	snprintf(ci, sizeof(ci), "%s application_name=mine "
	    "options='-c search_path=public'", pg.conninfo);
	if (db_new(ci, stmts, ST__MAX, &db) != ERR_OK)
		return;
	is_setting(db, "application_name", "mine");
	is_setting(db, "search_path", "");
	db_free(db);
	snprintf(ci, sizeof(ci), "host=%s/nowhere dbname=postgres "
	    "user=postgres", pg.dir);
	if (db_new(ci, stmts, ST__MAX, &db) != ERR_OK)
		return;
	is_int(db_connect(db), ERR_DB, "no server at that socket: ERR_DB");
	ok(db_conn(db) == NULL, "... and no connection");
	db_free(db);
	db_free(NULL);
	ok(true, "db_free(NULL) is a no-op");
}

int
main(void)
{
	struct db *db = NULL;

	log_init("test_db", LOG_LEVEL_ERR);
	alarm(180);
	if (!ok(pg_start(&pg), "a throwaway PostgreSQL at %s", pg.dir))
		goto out;
	if (!ok(db_new(pg.conninfo, stmts, ST__MAX, &db) == ERR_OK &&
	    db != NULL, "db_new"))
		goto out;
	test_connect(db);
	test_exec(db);
	test_restart(db);
	test_check(db);
	test_conninfo();
out:
	db_free(db);
	pg_stop(&pg);
	return tap_done();
}
