/*
 * migrate: apply numbered SQL migrations once each, in order, recorded
 * in SCHEMA.schema_migrations, under an advisory lock so concurrent runs
 * wait for each other.  Each migration runs in its own transaction.
 */
#ifndef TODO_MIGRATE_H
#define TODO_MIGRATE_H

#include <stddef.h>

#include "db.h"
#include "err.h"

struct migration {
	const char	*name;	/* "001_tasks" */
	const char	*sql;
};

/* "schema" is a constant identifier of the program, never input. */
enum err migrate_run(struct db *, const char *schema,
	    const struct migration *, size_t n, size_t *applied);

/* --migrate: run them, say what was done; returns the exit status. */
int	 migrate_main(struct db *, const char *schema,
	    const struct migration *, size_t n);

#endif
