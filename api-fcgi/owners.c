/*
 * --map-owner: a user who moves to another provider (Azure AD B2C to
 * Entra External ID) keeps their tasks.  Tasks are owned by (issuer,
 * user claim); the new provider has another issuer and, usually, another
 * object id.  An administrator lists old owner -> new owner, one line
 * each:
 *
 *	# OLD_ISS,OLD_OID,NEW_ISS,NEW_OID
 *	https://contoso.b2clogin.com/<tid>/v2.0/,<b2c oid>,https://<tid>.ciamlogin.com/<tid>/v2.0,<new oid>
 *
 * and every line is applied in one transaction (all or nothing), under
 * the advisory locks task creation takes for both owners.  Running the
 * same file again moves nothing: the old owners have no tasks left.
 * The owner's Idempotency-Key records, when the schema has them, go with
 * the tasks they describe (they are deleted: they last a day anyway).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"

#define OWNERS_ISS_MAX 1024		/* as api.tasks.owner_iss */
#define OWNERS_FIELDS 4

enum owners_stmt {
	OSTMT_LOCK,
	OSTMT_MOVE,
	OSTMT_COUNT,
	OSTMT_HAS_TABLE,
	OSTMT_DROP_KEYS,
	OSTMT_DROP_COUNTS,
	OSTMT__MAX
};

static const struct db_stmt owners_stmts[OSTMT__MAX] = {
	[OSTMT_LOCK] = { "owners_lock",
	    "SELECT pg_catalog.pg_advisory_xact_lock("
	    "pg_catalog.hashtext($1), pg_catalog.hashtext($2))", 2, false },
	[OSTMT_MOVE] = { "owners_move",
	    "UPDATE api.tasks SET owner_iss = $3, owner_sub = $4 "
	    "WHERE owner_iss = $1 AND owner_sub = $2", 4, false },
	[OSTMT_COUNT] = { "owners_count",
	    "SELECT count(*) FROM api.tasks "
	    "WHERE owner_iss = $1 AND owner_sub = $2", 2, false },
	[OSTMT_HAS_TABLE] = { "owners_has_table",
	    "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, false },
	[OSTMT_DROP_KEYS] = { "owners_drop_keys",
	    "DELETE FROM api.task_idempotency "
	    "WHERE owner_iss = $1 AND owner_sub = $2", 2, false },
	/* Both owners count again at their next create (007_task_counts). */
	[OSTMT_DROP_COUNTS] = { "owners_drop_counts",
	    "DELETE FROM api.task_counts WHERE (owner_iss = $1 AND "
	    "owner_sub = $2) OR (owner_iss = $3 AND owner_sub = $4)", 4,
	    false },
};

/* One line: old issuer and user, new issuer and user (into the text). */
struct owners_map {
	const char	*f[OWNERS_FIELDS];
	size_t		 line;
};

/* Trim spaces and tabs around s in place. */
static char *
owners_trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* A field: non-empty, short enough, no control bytes. */
static bool
owners_field_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Parse the file's text (changed in place) into maps; false: printed. */
static bool
owners_parse(char *text, struct owners_map *maps, size_t *n)
{
	char	*line, *next, *p;
	size_t	 lineno = 0, i, j;

	*n = 0;
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		line = owners_trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if (*n == OWNERS_MAP_MAX) {
			fprintf(stderr, "map-owner: more than %d lines\n",
			    OWNERS_MAP_MAX);
			return false;
		}
		if (strchr(line, '"') != NULL) {
			fprintf(stderr, "map-owner: line %zu: quotes are not "
			    "taken (plain fields, no commas inside)\n",
			    lineno);
			return false;
		}
		maps[*n].line = lineno;
		/* Split at every comma: an empty field stays a field. */
		for (i = 0, p = line; p != NULL && i < OWNERS_FIELDS; i++) {
			maps[*n].f[i] = p;
			if ((p = strchr(p, ',')) != NULL)
				*p++ = '\0';
			maps[*n].f[i] = owners_trim((char *)maps[*n].f[i]);
		}
		if (i != OWNERS_FIELDS || p != NULL) {
			fprintf(stderr, "map-owner: line %zu: want "
			    "OLD_ISS,OLD_OID,NEW_ISS,NEW_OID\n", lineno);
			return false;
		}
		for (i = 0; i < OWNERS_FIELDS; i++)
			if (!owners_field_ok(maps[*n].f[i], i % 2 == 0 ?
			    OWNERS_ISS_MAX : API_USER_MAX)) {
				fprintf(stderr, "map-owner: line %zu: field "
				    "%zu is empty, too long or holds a "
				    "control character\n", lineno, i + 1);
				return false;
			}
		if (strcmp(maps[*n].f[0], maps[*n].f[2]) == 0 &&
		    strcmp(maps[*n].f[1], maps[*n].f[3]) == 0) {
			fprintf(stderr, "map-owner: line %zu: the old and the "
			    "new owner are the same\n", lineno);
			return false;
		}
		(*n)++;
	}
	/* An owner is moved once, and never both moved and a target. */
	for (i = 0; i < *n; i++)
		for (j = 0; j < *n; j++) {
			if (i != j && strcmp(maps[i].f[0], maps[j].f[0]) == 0 &&
			    strcmp(maps[i].f[1], maps[j].f[1]) == 0) {
				fprintf(stderr, "map-owner: lines %zu and %zu: "
				    "the same old owner twice\n",
				    maps[i].line, maps[j].line);
				return false;
			}
			if (strcmp(maps[i].f[2], maps[j].f[0]) == 0 &&
			    strcmp(maps[i].f[3], maps[j].f[1]) == 0) {
				fprintf(stderr, "map-owner: lines %zu and %zu: "
				    "a new owner is also an old owner (a "
				    "chain): map each to its final owner\n",
				    maps[i].line, maps[j].line);
				return false;
			}
		}
	return true;
}

/* Read FILE ("-": standard input) whole into a string. */
static enum err
owners_read(const char *file, char **out)
{
	FILE	*f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char	*text = NULL;
	size_t	 n;
	enum err e = ERR_SYSTEM;

	*out = NULL;
	if (f == NULL)
		return ERR_SYSTEM;
	if ((text = malloc(OWNERS_FILE_MAX + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	n = fread(text, 1, OWNERS_FILE_MAX + 1, f);
	if (ferror(f))
		goto out;
	e = ERR_INPUT;
	if (n > OWNERS_FILE_MAX || memchr(text, '\0', n) != NULL)
		goto out;
	text[n] = '\0';
	*out = text;
	text = NULL;
	e = ERR_OK;
out:
	free(text);
	if (f != stdin)
		fclose(f);
	return e;
}

/* Run st with params; *rows: the affected or first-cell count. */
static enum err
owners_exec(struct db *db, enum owners_stmt st, const char *const *params,
    long *rows)
{
	PGresult *res = NULL;
	const char *v;
	char	*end;
	enum err e;

	if ((e = db_exec(db, &owners_stmts[st], params, &res)) != ERR_OK)
		return e;
	if (rows != NULL) {
		v = PQresultStatus(res) == PGRES_TUPLES_OK ? (PQntuples(res) ==
		    1 ? PQgetvalue(res, 0, 0) : "") : PQcmdTuples(res);
		if (strcmp(v, "t") == 0)
			*rows = 1;
		else if (strcmp(v, "f") == 0)
			*rows = 0;
		else {
			*rows = strtol(v, &end, 10);
			if (end == v || *end != '\0')
				e = ERR_DB;
		}
	}
	PQclear(res);
	return e;
}

/* Apply the maps inside the open transaction; prints each move. */
static enum err
owners_apply(struct db *db, const struct owners_map *maps, size_t n,
    long *moved)
{
	static const char *const keys_table[] = { "api.task_idempotency" };
	static const char *const counts_table[] = { "api.task_counts" };
	long	 rows, total, keys = 0, counts = 0;
	size_t	 i;
	enum err e;

	*moved = 0;
	if ((e = owners_exec(db, OSTMT_HAS_TABLE, keys_table, &keys)) !=
	    ERR_OK ||
	    (e = owners_exec(db, OSTMT_HAS_TABLE, counts_table, &counts)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		const char *const *f = maps[i].f;

		/* Both owners, in one order for every line: no deadlock. */
		if ((e = owners_exec(db, OSTMT_LOCK, f, NULL)) != ERR_OK ||
		    (e = owners_exec(db, OSTMT_LOCK, f + 2, NULL)) != ERR_OK ||
		    (e = owners_exec(db, OSTMT_MOVE, f, &rows)) != ERR_OK ||
		    (keys && (e = owners_exec(db, OSTMT_DROP_KEYS, f,
		    NULL)) != ERR_OK) ||
		    (counts && (e = owners_exec(db, OSTMT_DROP_COUNTS, f,
		    NULL)) != ERR_OK) ||
		    (e = owners_exec(db, OSTMT_COUNT, f + 2, &total)) !=
		    ERR_OK)
			return e;
		printf("line %zu: %ld task%s moved from %s %s to %s %s "
		    "(who now has %ld)\n", maps[i].line, rows, rows == 1 ?
		    "" : "s", f[0], f[1], f[2], f[3], total);
		if (total > API_TASKS_MAX)
			printf("line %zu: note: %s %s now has more than %d "
			    "tasks: they can delete but not add\n",
			    maps[i].line, f[2], f[3], API_TASKS_MAX);
		*moved += rows;
	}
	return ERR_OK;
}

int
owners_map(struct api *api, const char *file)
{
	struct owners_map *maps = NULL;
	struct db *db = NULL;
	char	*text = NULL;
	size_t	 n = 0;
	long	 moved = 0;
	enum err e;
	int	 rc = 1;

	if ((e = owners_read(file, &text)) != ERR_OK) {
		fprintf(stderr, "map-owner: %s: %s\n", file, e == ERR_INPUT ?
		    "too large, or holds a NUL byte" : "cannot read it");
		goto out;
	}
	if ((maps = calloc(OWNERS_MAP_MAX, sizeof(*maps))) == NULL) {
		fprintf(stderr, "map-owner: out of memory\n");
		goto out;
	}
	if (!owners_parse(text, maps, &n))
		goto out;
	if (db_new(api->cfg->database, owners_stmts, OSTMT__MAX, &db) !=
	    ERR_OK) {
		fprintf(stderr, "map-owner: out of memory\n");
		goto out;
	}
	if ((e = db_exec_sql(db, "BEGIN")) == ERR_OK &&
	    (e = owners_apply(db, maps, n, &moved)) == ERR_OK)
		e = db_exec_sql(db, "COMMIT");
	if (e != ERR_OK) {
		(void)db_exec_sql(db, "ROLLBACK");
		fprintf(stderr, "map-owner: the database failed (see the log "
		    "above): nothing was changed\n");
		goto out;
	}
	printf("map-owner: %zu mapping%s, %ld task%s moved, committed\n", n,
	    n == 1 ? "" : "s", moved, moved == 1 ? "" : "s");
	log_info("map-owner: %zu mappings, %ld tasks moved", n, moved);
	rc = 0;
out:
	db_free(db);
	free(maps);
	free(text);
	return rc;
}
