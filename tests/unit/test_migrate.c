/*
 * test_migrate: migrations on a real, throwaway PostgreSQL (pg.h):
 * applied once each and in order, a second run changes nothing, a
 * failing migration is rolled back and stops the run, and runs wait for
 * each other on the advisory lock.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "pg.h"
#include "tap.h"

#define SCHEMA		"mtest"
#define LOCK_KEY	"7306422401"	/* migrate.c's advisory lock */
#define WAIT_MS		1500		/* how long a blocked run is watched */

static const struct migration three[] = {
	{ "001_items", "CREATE TABLE mtest.items (id int PRIMARY KEY, "
	    "v text NOT NULL)" },
	{ "002_seed", "INSERT INTO mtest.items VALUES (1, 'one'), "
	    "(2, 'two')" },
	{ "003_more", "ALTER TABLE mtest.items ADD COLUMN n int; "
	    "INSERT INTO mtest.items VALUES (3, 'three', 3)" },
};

static const struct migration broken[] = {
	{ "001_items", "" },		/* recorded: not run again */
	{ "004_half", "CREATE TABLE mtest.half (x int); SELEC nonsense" },
	{ "005_after", "CREATE TABLE mtest.after (x int)" },
};

static struct pg pg;
static PGconn *peek;		/* a second connection, to look */

/* The text of a one-value query on the peek connection, or "(error)". */
static const char *
q(const char *sql)
{
	static char out[1024];
	PGresult *res = PQexec(peek, sql);

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(out, sizeof(out), "%s", PQgetvalue(res, 0, 0));
	else
		snprintf(out, sizeof(out), "(error)");
	PQclear(res);
	return out;
}

static void
test_apply(struct db *db)
{
	size_t	 applied = 99;

	is_int(migrate_run(db, SCHEMA, three, 2, &applied), ERR_OK,
	    "the first two migrations");
	is_int(applied, 2, "... both applied");
	is_str(q("SELECT string_agg(version, ',' ORDER BY version) FROM "
	    "mtest.schema_migrations"), "001_items,002_seed",
	    "... and recorded");
	is_str(q("SELECT count(*) FROM mtest.items"), "2", "... and run");
	is_str(q("SELECT count(*) FROM pg_catalog.pg_locks WHERE "
	    "locktype = 'advisory'"), "0", "the lock is released");

	is_int(migrate_run(db, SCHEMA, three, 2, &applied), ERR_OK,
	    "the same again");
	is_int(applied, 0, "... nothing applied");
	is_str(q("SELECT count(*) FROM mtest.schema_migrations"), "2",
	    "... the record unchanged");
	is_str(q("SELECT count(*) FROM mtest.items"), "2",
	    "... the data unchanged (the seed did not run twice)");

	is_int(migrate_run(db, SCHEMA, three, 3, &applied), ERR_OK,
	    "with a third migration");
	is_int(applied, 1, "... only the new one applied");
	is_str(q("SELECT string_agg(id::text, ',' ORDER BY id) FROM "
	    "mtest.items"), "1,2,3", "... in order, after the others");
	is_int(migrate_run(db, SCHEMA, three, 3, &applied), ERR_OK,
	    "all three again");
	is_int(applied, 0, "... idempotent");
	is_str(q("SELECT count(*) FROM mtest.schema_migrations"), "3",
	    "... three recorded");
}

static void
test_failure(struct db *db)
{
	size_t	 applied = 99;

	is_int(migrate_run(db, SCHEMA, broken, 3, &applied), ERR_DB,
	    "a failing migration: ERR_DB");
	is_int(applied, 0, "... nothing counted");
	is_str(q("SELECT count(*) FROM mtest.schema_migrations WHERE "
	    "version IN ('004_half', '005_after')"), "0",
	    "... neither it nor the next one recorded");
	is_str(q("SELECT count(*) FROM pg_catalog.pg_tables WHERE "
	    "schemaname = 'mtest' AND tablename IN ('half', 'after')"), "0",
	    "... its first statement rolled back, the next one not run");
	is_str(q("SELECT count(*) FROM pg_catalog.pg_locks WHERE "
	    "locktype = 'advisory'"), "0", "... the lock released");
	is_int(migrate_run(db, SCHEMA, three, 3, &applied), ERR_OK,
	    "the good ones still run afterwards");
	is_int(applied, 0, "... with nothing to do");
}

static void
test_lock(void)
{
	static const struct migration later[] = {
		{ "006_later", "CREATE TABLE mtest.later (x int)" },
	};
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct db *db2 = NULL;
	PGresult *res;
	size_t	 applied;
	pid_t	 pid;
	int	 status, i;
	bool	 waited = true;

	res = PQexec(peek, "SELECT pg_catalog.pg_advisory_lock(" LOCK_KEY
	    ")");
	ok(PQresultStatus(res) == PGRES_TUPLES_OK,
	    "another session holds the migration lock");
	PQclear(res);
	fflush(stdout);
	if ((pid = fork()) == -1)
		return;
	if (pid == 0) {
		if (db_new(pg.conninfo, NULL, 0, &db2) != ERR_OK)
			_exit(2);
		_exit(migrate_run(db2, SCHEMA, later, 1, &applied) ==
		    ERR_OK && applied == 1 ? 0 : 1);
	}
	for (i = 0; i < WAIT_MS / 100; i++) {
		nanosleep(&ts, NULL);
		if (waitpid(pid, &status, WNOHANG) != 0) {
			waited = false;
			break;
		}
	}
	ok(waited, "a run waits while the lock is held");
	is_str(q("SELECT count(*) FROM pg_catalog.pg_locks WHERE "
	    "locktype = 'advisory' AND NOT granted"), "1",
	    "... on the advisory lock");
	is_str(q("SELECT count(*) FROM pg_catalog.pg_tables WHERE "
	    "schemaname = 'mtest' AND tablename = 'later'"), "0",
	    "... having done nothing");
	res = PQexec(peek, "SELECT pg_catalog.pg_advisory_unlock(" LOCK_KEY
	    ")");
	PQclear(res);
	ok(waited && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "released: the run goes on and "
	    "applies its migration");
	is_str(q("SELECT count(*) FROM mtest.schema_migrations WHERE "
	    "version = '006_later'"), "1", "... recorded");
}

static void
test_main(struct db *db)
{
	char	 out[512];
	int	 saved, rc;

	if (!capture_open())
		return;
	saved = capture_begin(1);
	rc = migrate_main(db, SCHEMA, three, 3);
	capture_end(1, saved, out, sizeof(out) - 1);
	is_int(rc, 0, "migrate_main: exit status 0");
	is_str(out, "mtest schema: 0 migration(s) applied, 3 in all\n",
	    "migrate_main: what it says");
	saved = capture_begin(2);
	rc = migrate_main(db, SCHEMA, broken, 3);
	capture_end(2, saved, out, sizeof(out) - 1);
	is_int(rc, 1, "migrate_main: a failure is exit status 1");
	ok(strstr(out, "mtest schema: migration failed\n") != NULL,
	    "migrate_main: says so on stderr");
}

int
main(void)
{
	struct db *db = NULL;
	size_t	 applied;

	log_init("test_migrate", LOG_LEVEL_ERR);
	alarm(120);
	if (!ok(pg_start(&pg), "a throwaway PostgreSQL at %s", pg.dir))
		goto out;
	peek = PQconnectdb(pg.conninfo);
	if (!ok(PQstatus(peek) == CONNECTION_OK, "a second connection") ||
	    !ok(db_new(pg.conninfo, NULL, 0, &db) == ERR_OK, "db_new"))
		goto out;
	test_apply(db);
	test_failure(db);
	test_lock();
	test_main(db);
	pg_ctl(&pg, "stop");
	is_int(migrate_run(db, SCHEMA, three, 3, &applied), ERR_DB,
	    "server down: ERR_DB");
out:
	PQfinish(peek);
	db_free(db);
	pg_stop(&pg);
	return tap_done();
}
