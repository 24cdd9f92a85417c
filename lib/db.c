#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

#define DB_SQLSTATE_CHECK "23514"
#define DB_SQLSTATE_BAD_ENCODING "22021"
#define DB_SQLSTATE_NUMERIC_RANGE "22003"
#define DB_SQLSTATE_TEXT_REPR "22P02"

struct db {
	char			*conninfo;
	PGconn			*conn;
	const struct db_stmt	*stmts;
	size_t			 nstmts;
	bool			*prepared;
	bool			 connected;	/* once, ever */
	time_t			 down_logged;	/* last "cannot connect" line */
	unsigned long		 down_quiet;	/* failures not logged since */
	void			(*hook)(void *, enum db_event);
	void			*hook_arg;
};

static void
db_event(struct db *db, enum db_event ev)
{
	if (db->hook != NULL)
		db->hook(db->hook_arg, ev);
}

/* e, told to the hook when it is ERR_DB. */
static enum err
db_ret(struct db *db, enum err e)
{
	if (e == ERR_DB)
		db_event(db, DB_EVENT_ERROR);
	return e;
}

void
db_set_hook(struct db *db, void (*fn)(void *, enum db_event), void *arg)
{
	db->hook = fn;
	db->hook_arg = arg;
}

enum err
db_new(const char *conninfo, const struct db_stmt *stmts, size_t n,
    struct db **out)
{
	struct db *db;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return ERR_NOMEM;
	db->stmts = stmts;
	db->nstmts = n;
	if ((db->conninfo = strdup(conninfo)) == NULL ||
	    (db->prepared = calloc(n ? n : 1, sizeof(bool))) == NULL) {
		db_free(db);
		return ERR_NOMEM;
	}
	*out = db;
	return ERR_OK;
}

static void
db_disconnect(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	memset(db->prepared, 0, (db->nstmts ? db->nstmts : 1) *
	    sizeof(bool));
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db->conninfo);
	free(db->prepared);
	free(db);
}

/* A one-line error message from libpq, without its trailing newline. */
static const char *
db_errmsg(PGconn *conn, char *out, size_t len)
{
	const char *m = conn ? PQerrorMessage(conn) : "no connection";
	size_t	 n;

	if (snprintf(out, len, "%s", m) < 0)
		out[0] = '\0';
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	return out;
}

/* Server notices ("already exists, skipping") go to the debug log. */
static void
db_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("postgresql: %s", msg);
}

/*
 * True unless the server has closed the idle connection: read what is
 * waiting on the socket (a server going down sends an error, then closes)
 * until nothing is, or libpq has seen the end.  Costs one poll() when idle.
 */
static bool
db_alive(PGconn *conn)
{
	struct pollfd pfd;
	int	 i;

	for (i = 0; i < DB_ALIVE_READS; i++) {
		pfd.fd = PQsocket(conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0)
			return false;
		if (poll(&pfd, 1, 0) <= 0)
			break;
		if (PQconsumeInput(conn) == 0)
			return false;
	}
	return PQstatus(conn) == CONNECTION_OK;
}

/*
 * A failed connect, logged at most once per DB_DOWN_LOG_EVERY seconds
 * with how many were not: during an outage every request tries.
 */
static void
db_down(struct db *db, const char *what, const char *msg)
{
	time_t	 now = time(NULL);

	if (db->down_logged != 0 && now - db->down_logged < DB_DOWN_LOG_EVERY &&
	    now >= db->down_logged) {
		db->down_quiet++;
		return;
	}
	if (db->down_quiet > 0)
		log_err("%s: %s (and %lu more times in the last %lld s)", what,
		    msg, db->down_quiet, (long long)(now - db->down_logged));
	else
		log_err("%s: %s", what, msg);
	db->down_logged = now;
	db->down_quiet = 0;
}

enum err
db_connect(struct db *db)
{
	/* Later keys win: the conninfo, last, may override our defaults. */
	const char *const keys[] = { "connect_timeout", "options",
	    "application_name", "dbname", NULL };
	const char *const vals[] = { DB_CONNECT_TIMEOUT,
	    "-c search_path= -c TimeZone=UTC -c DateStyle=ISO "
	    "-c statement_timeout=" DB_STATEMENT_TIMEOUT,
	    "todo-b2c", db->conninfo, NULL };
	char	 msg[256];
	PGresult *res;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		/*
		 * A server that went away while this process was idle (a
		 * restart, a failover) has closed the socket: notice it now,
		 * before a statement that could not be retried is sent.
		 */
		if (db_alive(db->conn))
			return ERR_OK;
		log_warn("postgresql connection closed while idle: "
		    "reconnecting");
	}
	db_disconnect(db);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		db_down(db, "cannot connect to postgresql",
		    db_errmsg(db->conn, msg, sizeof(msg)));
		db_disconnect(db);
		return ERR_DB;
	}
	PQsetNoticeProcessor(db->conn, db_notice, NULL);
	/* Belt and braces: "options" may be overridden by the conninfo. */
	res = PQexec(db->conn, "SELECT pg_catalog.set_config("
	    "'search_path', '', false), pg_catalog.set_config('TimeZone', "
	    "'UTC', false), pg_catalog.set_config('DateStyle', 'ISO', false)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_down(db, "cannot set up the postgresql session",
		    db_errmsg(db->conn, msg, sizeof(msg)));
		PQclear(res);
		db_disconnect(db);
		return ERR_DB;
	}
	PQclear(res);
	if (db->down_logged != 0) {
		if (db->down_quiet > 0)
			log_info("postgresql reachable again (%lu failed "
			    "connects not logged)", db->down_quiet);
		else
			log_info("postgresql reachable again");
		db->down_logged = 0;
		db->down_quiet = 0;
	}
	if (db->connected)
		db_event(db, DB_EVENT_RECONNECT);
	db->connected = true;
	return ERR_OK;
}

PGconn *
db_conn(struct db *db)
{
	return db->conn;
}

static enum err
db_prepare(struct db *db, const struct db_stmt *st)
{
	size_t	 i = (size_t)(st - db->stmts);
	char	 msg[256];
	PGresult *res;

	if (i >= db->nstmts)
		return ERR_SYSTEM;
	if (db->prepared[i])
		return ERR_OK;
	res = PQprepare(db->conn, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_err("prepare %s: %s", st->name,
		    db_errmsg(db->conn, msg, sizeof(msg)));
		PQclear(res);
		return ERR_DB;
	}
	PQclear(res);
	db->prepared[i] = true;
	return ERR_OK;
}

/* Map a failed result to an error; input-caused failures are ERR_INPUT. */
static enum err
db_result_err(struct db *db, const struct db_stmt *st, PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char	 msg[256];

	if (state != NULL && (strcmp(state, DB_SQLSTATE_CHECK) == 0 ||
	    strcmp(state, DB_SQLSTATE_BAD_ENCODING) == 0 ||
	    strcmp(state, DB_SQLSTATE_NUMERIC_RANGE) == 0 ||
	    strcmp(state, DB_SQLSTATE_TEXT_REPR) == 0))
		return ERR_INPUT;
	log_err("%s: %s", st->name, db_errmsg(db->conn, msg, sizeof(msg)));
	return ERR_DB;
}

enum err
db_exec(struct db *db, const struct db_stmt *st, const char *const *params,
    PGresult **out)
{
	PGresult *res = NULL;
	ExecStatusType s;
	enum err e;
	int	 attempt;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((e = db_connect(db)) != ERR_OK ||
		    (e = db_prepare(db, st)) != ERR_OK) {
			if (db->conn != NULL &&
			    PQstatus(db->conn) != CONNECTION_OK) {
				db_disconnect(db);
				if (attempt == 0)
					continue;
			}
			return db_ret(db, e);
		}
		res = PQexecPrepared(db->conn, st->name, st->nparams,
		    params, NULL, NULL, 0);
		s = PQresultStatus(res);
		if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
			*out = res;
			return ERR_OK;
		}
		if (PQstatus(db->conn) == CONNECTION_OK) {
			e = db_result_err(db, st, res);
			PQclear(res);
			return db_ret(db, e);
		}
		/* The connection broke (a restart): retry only if safe. */
		PQclear(res);
		log_warn("postgresql connection lost during %s", st->name);
		db_disconnect(db);
		if (!st->idempotent)
			return db_ret(db, ERR_DB);
	}
	return db_ret(db, ERR_DB);
}

enum err
db_warm(struct db *db)
{
	enum err e;
	size_t	 i;

	if ((e = db_connect(db)) != ERR_OK)
		return e;
	for (i = 0; i < db->nstmts; i++)
		if ((e = db_prepare(db, &db->stmts[i])) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
db_exec_sql(struct db *db, const char *sql)
{
	PGresult *res;
	ExecStatusType s;
	char	 msg[512];
	enum err e;

	if ((e = db_connect(db)) != ERR_OK)
		return db_ret(db, e);
	res = PQexec(db->conn, sql);
	s = PQresultStatus(res);
	PQclear(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		log_err("%s", db_errmsg(db->conn, msg, sizeof(msg)));
		return db_ret(db, ERR_DB);
	}
	return ERR_OK;
}

bool
db_check(struct db *db, const struct db_stmt *ping, FILE *out)
{
	PGresult *res = NULL;
	enum err e;

	e = db_exec(db, ping, NULL, &res);
	PQclear(res);
	if (e != ERR_OK) {
		fprintf(out, "database: cannot connect or query\n");
		return false;
	}
	return true;
}
