#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "migrate.h"

#define MIGRATE_SQL_MAX 512
#define MIGRATE_LOCK_KEY "7306422401"	/* pg_advisory_xact_lock key */

/* Format SQL text naming the program's schema (a constant identifier). */
#define MIGRATE_FMT(out, fmt, schema) \
	(snprintf((out), sizeof(out), (fmt), (schema)) >= (int)sizeof(out))

/* Is "name" recorded?  1 yes, 0 no, -1 error. */
static int
migrate_done(PGconn *c, const char *sel, const char *name)
{
	const char *const params[1] = { name };
	PGresult *res;
	int	 r;

	res = PQexecParams(c, sel, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_err("%s", PQerrorMessage(c));
		r = -1;
	} else
		r = PQntuples(res) > 0;
	PQclear(res);
	return r;
}

static enum err
migrate_one(struct db *db, const char *sel, const char *ins,
    const struct migration *m, bool *applied)
{
	const char *const params[1] = { m->name };
	PGconn	*c = db_conn(db);
	PGresult *res;
	enum err e = ERR_DB;
	int	 done;

	*applied = false;
	if (db_exec_sql(db, "BEGIN") != ERR_OK)
		return ERR_DB;
	if ((done = migrate_done(c, sel, m->name)) < 0)
		goto out;
	if (done) {
		e = ERR_OK;
		goto out;
	}
	if (db_exec_sql(db, m->sql) != ERR_OK) {
		log_err("migration %s failed", m->name);
		goto out;
	}
	res = PQexecParams(c, ins, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_err("%s", PQerrorMessage(c));
		PQclear(res);
		goto out;
	}
	PQclear(res);
	*applied = true;
	e = ERR_OK;
out:
	if (db_exec_sql(db, e == ERR_OK ? "COMMIT" : "ROLLBACK") != ERR_OK)
		e = ERR_DB;
	if (e != ERR_OK)
		*applied = false;
	return e;
}

enum err
migrate_run(struct db *db, const char *schema, const struct migration *m,
    size_t n, size_t *applied)
{
	char	 schema_sql[MIGRATE_SQL_MAX], table_sql[MIGRATE_SQL_MAX];
	char	 sel[MIGRATE_SQL_MAX], ins[MIGRATE_SQL_MAX];
	bool	 did;
	size_t	 i;
	enum err e;

	*applied = 0;
	if (MIGRATE_FMT(schema_sql, "CREATE SCHEMA IF NOT EXISTS %s",
	    schema) ||
	    MIGRATE_FMT(table_sql, "CREATE TABLE IF NOT EXISTS "
	    "%s.schema_migrations (version text PRIMARY KEY, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", schema) ||
	    MIGRATE_FMT(sel, "SELECT 1 FROM %s.schema_migrations "
	    "WHERE version = $1", schema) ||
	    MIGRATE_FMT(ins, "INSERT INTO %s.schema_migrations (version) "
	    "VALUES ($1)", schema))
		return ERR_SYSTEM;
	if ((e = db_connect(db)) != ERR_OK)
		return e;
	if (db_exec_sql(db, "SELECT pg_catalog.pg_advisory_lock("
	    MIGRATE_LOCK_KEY ")") != ERR_OK)
		return ERR_DB;
	if ((e = db_exec_sql(db, schema_sql)) != ERR_OK ||
	    (e = db_exec_sql(db, table_sql)) != ERR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((e = migrate_one(db, sel, ins, &m[i], &did)) != ERR_OK)
			goto out;
		if (did) {
			log_info("applied %s.%s", schema, m[i].name);
			(*applied)++;
		}
	}
out:
	if (db_exec_sql(db, "SELECT pg_catalog.pg_advisory_unlock("
	    MIGRATE_LOCK_KEY ")") != ERR_OK && e == ERR_OK)
		e = ERR_DB;
	return e;
}

int
migrate_main(struct db *db, const char *schema, const struct migration *m,
    size_t n)
{
	size_t applied;

	if (migrate_run(db, schema, m, n, &applied) != ERR_OK) {
		fprintf(stderr, "%s schema: migration failed\n", schema);
		return 1;
	}
	printf("%s schema: %zu migration(s) applied, %zu in all\n", schema,
	    applied, n);
	return 0;
}
