#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "httpc.h"
#include "log.h"
#include "provider_store.h"

enum ps_stmt {
	PS_READ,
	PS_SAVE,
	PS__MAX
};

/* Column values of the "document" column, by enum provider_fetch. */
static const char *const ps_documents[PROVIDER_FETCH__MAX] = {
	[PROVIDER_FETCH_DISCOVERY] = "discovery",
	[PROVIDER_FETCH_JWKS] = "jwks",
};

#define PS_STR_(x) #x
#define PS_STR(x) PS_STR_(x)

/*
 * Each statement: its name, the SQL before and after the schema, its
 * parameters.  PS_READ's columns: document, url, body, cache_control,
 * fetched_at in seconds.
 */
static const struct {
	const char	*name;
	const char	*head;
	const char	*tail;
	int		 nparams;
} ps_stmts[PS__MAX] = {
	[PS_READ] = { "provider_cache_read",
	    "SELECT document, url, body, cache_control, "
	    "EXTRACT(epoch FROM fetched_at)::bigint FROM ",
	    ".provider_cache ORDER BY fetched_at DESC LIMIT "
	    PS_STR(PROVIDER_STORE_ROWS_MAX), 0 },
	[PS_SAVE] = { "provider_cache_save", "INSERT INTO ",
	    ".provider_cache AS c (document, url, body, cache_control, "
	    "fetched_at) VALUES ($1, $2, $3, $4, "
	    "pg_catalog.to_timestamp($5::bigint)) "
	    "ON CONFLICT (document, url) DO UPDATE SET body = EXCLUDED.body, "
	    "cache_control = EXCLUDED.cache_control, "
	    "fetched_at = EXCLUDED.fetched_at "
	    "WHERE c.fetched_at <= EXCLUDED.fetched_at", 5 },
};

struct provider_store {
	char		*conninfo;
	char		 sql[PS__MAX][PROVIDER_STORE_SQL_MAX];
	struct db_stmt	 stmts[PS__MAX];
	PGresult	*rows;		/* the last read, or NULL */
	time_t		 read_at;
};

/* A schema name we make SQL with: lower-case letters and _ only. */
static bool
provider_store_schema_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");

	return n > 0 && n < PROVIDER_STORE_SCHEMA_MAX && s[n] == '\0';
}

enum err
provider_store_new(const char *conninfo, const char *schema,
    struct provider_store **out)
{
	struct provider_store *s;
	size_t	 i;
	int	 n;

	*out = NULL;
	if (!provider_store_schema_ok(schema))
		return ERR_INPUT;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_NOMEM;
	if ((s->conninfo = strdup(conninfo)) == NULL) {
		free(s);
		return ERR_NOMEM;
	}
	for (i = 0; i < PS__MAX; i++) {
		n = snprintf(s->sql[i], sizeof(s->sql[i]), "%s%s%s",
		    ps_stmts[i].head, schema, ps_stmts[i].tail);
		if (n < 0 || (size_t)n >= sizeof(s->sql[i])) {
			provider_store_free(s);
			return ERR_SYSTEM;
		}
		s->stmts[i].name = ps_stmts[i].name;
		s->stmts[i].sql = s->sql[i];
		s->stmts[i].nparams = ps_stmts[i].nparams;
		s->stmts[i].idempotent = true;
	}
	*out = s;
	return ERR_OK;
}

void
provider_store_free(struct provider_store *s)
{
	if (s == NULL)
		return;
	PQclear(s->rows);
	free(s->conninfo);
	free(s);
}

/* Run one statement on a connection of its own, closed again. */
static enum err
provider_store_exec(struct provider_store *s, enum ps_stmt st,
    const char *const *params, PGresult **res)
{
	struct db *db = NULL;
	enum err e;

	*res = NULL;
	if ((e = db_new(s->conninfo, s->stmts, PS__MAX, &db)) != ERR_OK)
		return e;
	e = db_exec(db, &s->stmts[st], params, res);
	db_free(db);
	return e;
}

/* A whole decimal number of seconds, as PostgreSQL prints a bigint. */
static bool
provider_store_time(const char *v, time_t *t)
{
	long long n;
	char	*end;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || n < 0)
		return false;
	*t = (time_t)n;
	return true;
}

/*
 * Row i of the snapshot into doc, checked: its body's size and text, its
 * time.  The JSON itself is checked by the provider, as when fetched.
 */
static enum err
provider_store_row(const PGresult *rows, int i, const char *url,
    struct provider_doc *doc)
{
	const char *body = PQgetvalue(rows, i, 2);
	size_t	 len = (size_t)PQgetlength(rows, i, 2);

	if (len == 0 || len > HTTPC_RESPONSE_MAX || strlen(body) != len ||
	    !provider_store_time(PQgetvalue(rows, i, 4), &doc->fetched)) {
		log_warn("%s: stored copy unusable: ignored", url);
		return ERR_NOTFOUND;
	}
	if ((doc->body = strdup(body)) == NULL)
		return ERR_NOMEM;
	doc->len = len;
	if (!PQgetisnull(rows, i, 3) &&
	    (doc->cache_control = strdup(PQgetvalue(rows, i, 3))) == NULL) {
		free(doc->body);
		doc->body = NULL;
		return ERR_NOMEM;
	}
	return ERR_OK;
}

enum err
provider_store_load(struct provider_store *s, enum provider_fetch what,
    const char *url, struct provider_doc *doc)
{
	time_t	 now = time(NULL);
	enum err e;
	int	 i;

	memset(doc, 0, sizeof(*doc));
	if ((unsigned)what >= PROVIDER_FETCH__MAX)
		return ERR_NOTFOUND;
	if (s->rows == NULL || now - s->read_at >= PROVIDER_STORE_SNAPSHOT ||
	    now < s->read_at) {
		PQclear(s->rows);
		s->rows = NULL;
		if ((e = provider_store_exec(s, PS_READ, NULL, &s->rows)) !=
		    ERR_OK) {
			log_warn("cannot read the stored provider documents");
			return e;
		}
		s->read_at = now;
	}
	if (PQnfields(s->rows) != 5)
		return ERR_NOTFOUND;
	for (i = 0; i < PQntuples(s->rows); i++)
		if (strcmp(PQgetvalue(s->rows, i, 0), ps_documents[what]) == 0 &&
		    strcmp(PQgetvalue(s->rows, i, 1), url) == 0)
			return provider_store_row(s->rows, i, url, doc);
	return ERR_NOTFOUND;
}

enum err
provider_store_save(struct provider_store *s, enum provider_fetch what,
    const char *url, const struct provider_doc *doc)
{
	const char *params[5];
	char	 t[32];
	PGresult *res = NULL;
	enum err e;
	int	 n;

	if ((unsigned)what >= PROVIDER_FETCH__MAX || doc->body == NULL ||
	    doc->len == 0 || doc->len > HTTPC_RESPONSE_MAX ||
	    strlen(doc->body) != doc->len)
		return ERR_INPUT;
	n = snprintf(t, sizeof(t), "%lld", (long long)doc->fetched);
	if (n < 0 || (size_t)n >= sizeof(t))
		return ERR_SYSTEM;
	params[0] = ps_documents[what];
	params[1] = url;
	params[2] = doc->body;
	params[3] = doc->cache_control;
	params[4] = t;
	e = provider_store_exec(s, PS_SAVE, params, &res);
	PQclear(res);
	if (e != ERR_OK)
		log_warn("%s: cannot store it: %s", url, err_str(e));
	return e;
}

/* The provider's hooks (provider_set_store). */
static enum err
provider_store_load_cb(void *arg, enum provider_fetch what, const char *url,
    struct provider_doc *doc)
{
	return provider_store_load(arg, what, url, doc);
}

static void
provider_store_save_cb(void *arg, enum provider_fetch what, const char *url,
    const struct provider_doc *doc)
{
	(void)provider_store_save(arg, what, url, doc);
}

void
provider_store_attach(struct provider_store *s,
    struct provider *const *providers, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (providers[i] != NULL)
			provider_set_store(providers[i],
			    provider_store_load_cb, provider_store_save_cb, s);
}
