/*
 * db: one PostgreSQL connection per process, prepared statements from a
 * static table, reconnection on demand.  The search_path is empty: every
 * statement schema-qualifies its tables.  Timestamps come out in UTC
 * (TimeZone=UTC, DateStyle=ISO).
 */
#ifndef TODO_DB_H
#define TODO_DB_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "err.h"

#define DB_CONNECT_TIMEOUT "3"		/* seconds, unless the conninfo says */
#define DB_STATEMENT_TIMEOUT "5s"
#define DB_PARAMS_MAX 16
#define DB_DOWN_LOG_EVERY 10	/* seconds between "cannot connect" lines */
#define DB_ALIVE_READS 4	/* reads of an idle socket before a statement */

struct db_stmt {
	const char	*name;		/* unique per program */
	const char	*sql;		/* $1..$n */
	int		 nparams;
	bool		 idempotent;	/* may be retried after a reconnect */
};

struct db;

/* What db_set_hook's function is told (for the programs' metrics). */
enum db_event {
	DB_EVENT_ERROR,		/* db_exec or db_exec_sql answered ERR_DB */
	DB_EVENT_RECONNECT,	/* a connection opened after an earlier one */
	DB_EVENT__MAX
};

/* Does not connect yet: the first statement does. */
enum err db_new(const char *conninfo, const struct db_stmt *, size_t n,
	    struct db **);
void	 db_free(struct db *);
/* Call fn(arg, event) on each event above; fn NULL: none (the default). */
void	 db_set_hook(struct db *, void (*fn)(void *, enum db_event),
	    void *arg);
/* Connect if needed; ERR_DB when PostgreSQL is unreachable. */
enum err db_connect(struct db *);
/*
 * Connect and prepare every statement now, before the first request, so
 * that a fresh process answers it as fast as the next one.  Stops at the
 * first failure (logged); what is left is done on first use as before.
 */
enum err db_warm(struct db *);
/*
 * Run a prepared statement.  On success *res holds a result with status
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK that the caller PQclear()s.
 * ERR_DB when the server is down or the statement failed; a check
 * constraint or invalid text is ERR_INPUT.
 */
enum err db_exec(struct db *, const struct db_stmt *, const char *const *params,
	    PGresult **res);
/* Run plain SQL text (migrations, BEGIN/COMMIT); no parameters. */
enum err db_exec_sql(struct db *, const char *sql);
PGconn	*db_conn(struct db *);		/* borrowed; NULL when down */
/* --check-config: run "ping" and say how that went on "out". */
bool	 db_check(struct db *, const struct db_stmt *ping, FILE *out);

#endif
