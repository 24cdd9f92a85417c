/*
 * provider_store: the discovery documents and JWK sets a program fetched,
 * kept in PostgreSQL (SCHEMA.provider_cache, one row per document and
 * URL) so that a process started while the provider is unreachable can
 * start from them (provider.h says how old they may be).  Public
 * documents only: nothing secret is stored.
 *
 * The store uses its own connection, opened for each read or write and
 * closed again: never inside a transaction of the program, never held.
 * A read fetches every row at once and answers the loads of the next
 * PROVIDER_STORE_SNAPSHOT seconds from that (one connection when a
 * process starts, however many providers it has).
 */
#ifndef TODO_PROVIDER_STORE_H
#define TODO_PROVIDER_STORE_H

#include <stddef.h>

#include "err.h"
#include "provider.h"

#define PROVIDER_STORE_SNAPSHOT 5	/* seconds one read is used */
#define PROVIDER_STORE_ROWS_MAX 256	/* rows read at most, newest first */
#define PROVIDER_STORE_SCHEMA_MAX 32	/* bytes of the schema name */
#define PROVIDER_STORE_SQL_MAX 640	/* bytes of one statement */

struct provider_store;

/*
 * conninfo: the program's database; schema: a constant identifier of the
 * program ("api", "webapp"), never input.  Does not connect yet.
 */
enum err provider_store_new(const char *conninfo, const char *schema,
	    struct provider_store **);
void	 provider_store_free(struct provider_store *);
/* Keep the documents of these providers (NULL entries skipped). */
void	 provider_store_attach(struct provider_store *,
	    struct provider *const *, size_t n);
/*
 * The stored document "what" of url into doc (body and cache_control
 * are the caller's, to free()).  ERR_NOTFOUND when there is none or the
 * row is unusable (logged), ERR_DB when PostgreSQL fails.
 */
enum err provider_store_load(struct provider_store *, enum provider_fetch,
	    const char *url, struct provider_doc *);
/* Store a document just fetched; failures are logged, nothing more. */
enum err provider_store_save(struct provider_store *, enum provider_fetch,
	    const char *url, const struct provider_doc *);

#endif
