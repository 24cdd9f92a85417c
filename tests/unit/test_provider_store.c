/*
 * test_provider_store: the provider documents kept in a throwaway
 * PostgreSQL (pg.h), in the table of the real migration
 * (sql/api/004_provider_cache.sql, under $srcdir): what is saved comes
 * back, an older fetch never replaces a newer one, unusable rows and a
 * server that is down are an answer, never a crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "provider_store.h"
#include "pg.h"
#include "tap.h"

#define URL_DOC		"https://login.example/t/b2c_1_susi/v2.0/" \
			    ".well-known/openid-configuration"
#define URL_KEYS	"https://login.example/t/discovery/v2.0/keys"
#define DOC		"{\"issuer\":\"https://login.example/t/v2.0/\"}"
#define KEYS		"{\"keys\":[]}"
#define T0		((time_t)1700000000)

static struct pg pg;

/* Run the SQL of FILE (under $srcdir) as the superuser. */
static bool
run_file(struct db *db, const char *file)
{
	const char *dir = getenv("srcdir");
	char	 path[512], chunk[4096];
	struct buf b;
	FILE	*f;
	size_t	 n;
	bool	 good;

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : ".", file);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		(void)buf_add(&b, chunk, n);
	fclose(f);
	good = b.err == ERR_OK && db_exec_sql(db, buf_str(&b)) == ERR_OK;
	buf_free(&b);
	return good;
}

static void
doc_free(struct provider_doc *d)
{
	free(d->body);
	free(d->cache_control);
	memset(d, 0, sizeof(*d));
}

/* A fresh store (no snapshot of an earlier read). */
static struct provider_store *
store(void)
{
	struct provider_store *s = NULL;

	if (provider_store_new(pg.conninfo, "api", &s) != ERR_OK)
		return NULL;
	return s;
}

static void
test_new(void)
{
	struct provider_store *s = NULL;
	const char *bad[] = { "", "API", "api; drop table x", "a.b",
	    "abcdefghijklmnopqrstuvwxyzabcdefg" };
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(provider_store_new("", bad[i], &s) == ERR_INPUT &&
		    s == NULL, "provider_store_new refuses schema \"%s\"",
		    bad[i]);
	provider_store_free(NULL);
	ok(true, "provider_store_free(NULL) is a no-op");
}

static void
test_roundtrip(void)
{
	struct provider_store *s;
	struct provider_doc d, in;

	if (!ok((s = store()) != NULL, "a store"))
		return;
	is_int(provider_store_load(s, PROVIDER_FETCH_DISCOVERY, URL_DOC, &d),
	    ERR_NOTFOUND, "nothing stored yet");
	memset(&in, 0, sizeof(in));
	in.body = DOC;
	in.len = strlen(DOC);
	in.fetched = T0;
	is_int(provider_store_save(s, PROVIDER_FETCH_DISCOVERY, URL_DOC, &in),
	    ERR_OK, "save the document (no Cache-Control)");
	in.body = KEYS;
	in.len = strlen(KEYS);
	in.cache_control = "public, max-age=600";
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_OK, "save the keys");
	is_int(provider_store_load(s, PROVIDER_FETCH_DISCOVERY, URL_DOC, &d),
	    ERR_NOTFOUND, "a read within PROVIDER_STORE_SNAPSHOT: the "
	    "snapshot it took");
	provider_store_free(s);

	s = store();
	is_int(provider_store_load(s, PROVIDER_FETCH_DISCOVERY, URL_DOC, &d),
	    ERR_OK, "load the document");
	ok(d.body != NULL && strcmp(d.body, DOC) == 0 && d.len == strlen(DOC),
	    "... its body");
	ok(d.cache_control == NULL && d.fetched == T0,
	    "... no Cache-Control, the fetch time");
	doc_free(&d);
	is_int(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d),
	    ERR_OK, "load the keys");
	ok(d.body != NULL && strcmp(d.body, KEYS) == 0 &&
	    d.cache_control != NULL &&
	    strcmp(d.cache_control, "public, max-age=600") == 0,
	    "... body and Cache-Control");
	doc_free(&d);
	is_int(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_DOC, &d),
	    ERR_NOTFOUND, "the document's URL holds no keys");
	is_int(provider_store_load(s, PROVIDER_FETCH__MAX, URL_DOC, &d),
	    ERR_NOTFOUND, "an unknown kind: nothing");

	/* Another process fetched earlier, but stores later: kept newer. */
	in.body = "{\"keys\":[1]}";
	in.len = strlen(in.body);
	in.fetched = T0 - 10;
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_OK, "save an older fetch");
	in.body = "with\0nul";
	in.len = 8;
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_INPUT, "a body with a NUL byte is not stored");
	in.len = 0;
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_INPUT, "an empty body is not stored");
	provider_store_free(s);
	s = store();
	ok(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d) ==
	    ERR_OK && strcmp(d.body, KEYS) == 0 && d.fetched == T0,
	    "the newer fetch stays");
	doc_free(&d);
	provider_store_free(s);
}

static void
test_bad_rows(struct db *db)
{
	struct provider_store *s;
	struct provider_doc d;

	ok(db_exec_sql(db, "UPDATE api.provider_cache SET fetched_at = "
	    "'1960-01-01' WHERE document = 'jwks'") == ERR_OK,
	    "a row fetched before 1970");
	s = store();
	is_int(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d),
	    ERR_NOTFOUND, "... is ignored");
	ok(d.body == NULL, "... and nothing handed out");
	provider_store_free(s);
	ok(db_exec_sql(db, "INSERT INTO api.provider_cache VALUES ('jwks', "
	    "'x', 'y', NULL, now()), ('discovery', 'x', 'y', NULL, now())") ==
	    ERR_OK && db_exec_sql(db, "DROP TABLE api.provider_cache") ==
	    ERR_OK, "the table dropped");
	s = store();
	is_int(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d),
	    ERR_DB, "no table: ERR_DB");
	provider_store_free(s);
	ok(run_file(db, "sql/api/004_provider_cache.sql"),
	    "the table again");
}

static void
test_down(void)
{
	struct provider_store *s;
	struct provider_doc d, in;

	if (!ok(pg_ctl(&pg, "stop"), "pg_ctl stop"))
		return;
	s = store();
	is_int(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d),
	    ERR_DB, "PostgreSQL down: load says ERR_DB");
	memset(&in, 0, sizeof(in));
	in.body = KEYS;
	in.len = strlen(KEYS);
	in.fetched = T0;
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_DB, "... save too");
	if (!ok(pg_ctl(&pg, "start"), "pg_ctl start"))
		goto out;
	is_int(provider_store_save(s, PROVIDER_FETCH_JWKS, URL_KEYS, &in),
	    ERR_OK, "back: save works");
	provider_store_free(s);
	s = store();
	ok(provider_store_load(s, PROVIDER_FETCH_JWKS, URL_KEYS, &d) ==
	    ERR_OK && d.fetched == T0, "... and load");
	doc_free(&d);
out:
	provider_store_free(s);
}

int
main(void)
{
	struct db *db = NULL;

	log_init("test_provider_store", LOG_LEVEL_ERR);
	alarm(180);
	test_new();
	if (!ok(pg_start(&pg), "a throwaway PostgreSQL at %s", pg.dir) ||
	    !ok(db_new(pg.conninfo, NULL, 0, &db) == ERR_OK &&
	    db_exec_sql(db, "CREATE SCHEMA api") == ERR_OK &&
	    run_file(db, "sql/api/004_provider_cache.sql"),
	    "the migration (srcdir)"))
		goto out;
	test_roundtrip();
	test_bad_rows(db);
	test_down();
out:
	db_free(db);
	pg_stop(&pg);
	return tap_done();
}
