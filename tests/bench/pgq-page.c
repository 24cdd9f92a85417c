/*
 * pgq-page -- the design limit of the web app's GET /tasks
 * (tests/bench/run): a bare FastCGI responder that, per request, looks the
 * session of the todo_session (or __Host-todo_session) cookie up with one
 * query (by its SHA-256, base64url, as the web app stores it), makes one
 * HTTP call with libcurl (a kept-alive connection) to pgq through the same
 * server (PGQ_URL), parses its JSON with json-c and answers the tasks as
 * an HTML page.  403 without a known session, 502 when pgq fails.
 * Environment: see pgq-common.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/sha.h>

#include "pgq-common.h"

struct page {
	PGconn		*db;
	CURL		*curl;
	struct pgq_buf	 in;	/* pgq's answer */
};

static const struct pgq_stmt pgq_session = { "session_get",
    "SELECT name FROM webapp.sessions "
    "WHERE id_hash = $1 AND expires_at > now()", 1 };

/* The session cookie's value hashed as webapp-fcgi/store.c does, or -1. */
static int
session_hash(const char *cookies, char out[64])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char md[SHA256_DIGEST_LENGTH];
	const char *p = cookies, *v;
	size_t	 i, n, o = 0;
	unsigned long w;

	for (;;) {
		if (p == NULL || (p = strstr(p, "todo_session=")) == NULL)
			return -1;
		if (p == cookies || p[-1] == ' ' || p[-1] == ';' ||
		    p[-1] == '-')
			break;
		p++;
	}
	v = p + strlen("todo_session=");
	n = strcspn(v, "; ");
	SHA256((const unsigned char *)v, n, md);
	for (i = 0; i + 2 < sizeof(md); i += 3) {
		w = (unsigned long)md[i] << 16 | md[i + 1] << 8 | md[i + 2];
		out[o++] = b64[w >> 18 & 63];
		out[o++] = b64[w >> 12 & 63];
		out[o++] = b64[w >> 6 & 63];
		out[o++] = b64[w & 63];
	}
	/* 32 = 30 + 2 bytes left: three characters, no padding. */
	w = (unsigned long)md[i] << 16 | md[i + 1] << 8;
	out[o++] = b64[w >> 18 & 63];
	out[o++] = b64[w >> 12 & 63];
	out[o++] = b64[w >> 6 & 63];
	out[o] = '\0';
	return 0;
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	return pgq_buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

/* GET PGQ_URL into pg->in; its JSON, or NULL. */
static struct json_object *
fetch_tasks(struct page *pg)
{
	long	 code = 0;

	pg->in.len = 0;
	if (curl_easy_perform(pg->curl) != CURLE_OK ||
	    curl_easy_getinfo(pg->curl, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK || code != 200 || pg->in.len == 0)
		return NULL;
	return json_tokener_parse(pg->in.p);
}

static int
render(struct pgq_buf *out, const char *name, struct json_object *doc)
{
	struct json_object *arr, *t, *text;
	size_t	 i, n;

	if (!json_object_object_get_ex(doc, "tasks", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return -1;
	if (pgq_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>Tasks</title></head><body>"
	    "<header><p>Signed in as ") != 0 ||
	    pgq_buf_add_html(out, name) != 0 ||
	    pgq_buf_adds(out, "</p></header><main><h1>Tasks</h1><ul>\n") != 0)
		return -1;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(t, "text", &text))
			return -1;
		if (pgq_buf_adds(out, "<li>") != 0 ||
		    pgq_buf_add_html(out, json_object_get_string(text)) != 0 ||
		    pgq_buf_adds(out, "</li>\n") != 0)
			return -1;
	}
	return pgq_buf_adds(out, "</ul></main></body></html>\n");
}

static int
serve(FCGX_Request *req, void *arg)
{
	struct page *pg = arg;
	struct pgq_buf out = { NULL, 0, 0 };
	struct json_object *doc;
	const char *params[1];
	char	 hash[64], *name;
	PGresult *res;
	int	 rc;

	if (session_hash(FCGX_GetParam("HTTP_COOKIE", req->envp), hash) != 0)
		return pgq_fail(req, 403);
	params[0] = hash;
	if ((res = pgq_exec(pg->db, &pgq_session, params)) == NULL)
		return pgq_fail(req, 500);
	if (PQntuples(res) != 1) {
		PQclear(res);
		return pgq_fail(req, 403);
	}
	if ((doc = fetch_tasks(pg)) == NULL) {
		PQclear(res);
		return pgq_fail(req, 502);
	}
	name = PQgetvalue(res, 0, 0);
	rc = render(&out, name, doc);
	PQclear(res);
	json_object_put(doc);
	if (rc != 0)
		rc = pgq_fail(req, 500);
	else
		rc = pgq_reply(req, 200, "text/html; charset=utf-8", NULL,
		    out.p, out.len);
	pgq_buf_free(&out);
	return rc;
}

int
main(void)
{
	struct page pg = { NULL, NULL, { NULL, 0, 0 } };
	const char *url = getenv("PGQ_URL");
	int	 rc;

	if (url == NULL) {
		fputs("pgq-page: PGQ_URL is not set\n", stderr);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (pg.curl = curl_easy_init()) == NULL ||
	    curl_easy_setopt(pg.curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(pg.curl, CURLOPT_WRITEFUNCTION, on_data) !=
	    CURLE_OK ||
	    curl_easy_setopt(pg.curl, CURLOPT_WRITEDATA, &pg.in) != CURLE_OK ||
	    curl_easy_setopt(pg.curl, CURLOPT_TIMEOUT_MS, 5000L) != CURLE_OK ||
	    curl_easy_setopt(pg.curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK) {
		fputs("pgq-page: cannot initialise libcurl\n", stderr);
		return 1;
	}
	if ((pg.db = pgq_connect("pgq-page", "PGQ_PAGE_DB", &pgq_session,
	    1)) == NULL)
		return 1;
	rc = pgq_run("pgq-page", serve, &pg);
	PQfinish(pg.db);
	curl_easy_cleanup(pg.curl);
	pgq_buf_free(&pg.in);
	return rc;
}
