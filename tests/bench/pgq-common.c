/* tests/bench/pgq-common.c -- see pgq-common.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgq-common.h"

PGconn *
pgq_connect(const char *prog, const char *env, const struct pgq_stmt *stmts,
    int n)
{
	const char *conninfo = getenv(env);
	PGconn	*db;
	PGresult *res;
	int	 i;

	if (conninfo == NULL) {
		fprintf(stderr, "%s: %s is not set\n", prog, env);
		return NULL;
	}
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "%s: cannot connect: %s", prog,
		    PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		res = PQprepare(db, stmts[i].name, stmts[i].sql,
		    stmts[i].nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fprintf(stderr, "%s: cannot prepare %s: %s", prog,
			    stmts[i].name, PQerrorMessage(db));
			PQclear(res);
			PQfinish(db);
			return NULL;
		}
		PQclear(res);
	}
	return db;
}

PGresult *
pgq_exec(PGconn *db, const struct pgq_stmt *st, const char *const *params)
{
	PGresult *res;
	ExecStatusType s;

	res = PQexecPrepared(db, st->name, st->nparams, params, NULL, NULL, 0);
	s = PQresultStatus(res);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return res;
	fprintf(stderr, "pgq: %s: %s", st->name, PQerrorMessage(db));
	PQclear(res);
	/* A lost connection comes back; its statements do not: exit. */
	if (PQstatus(db) == CONNECTION_BAD)
		exit(1);
	return NULL;
}

void
pgq_next_user(char out[32])
{
	static unsigned next, users;
	const char *s;

	if (users == 0) {
		s = getenv("PGQ_USERS");
		users = s != NULL ? (unsigned)strtoul(s, NULL, 10) : 0;
		if (users == 0 || users > 999)
			users = 100;
		next = (unsigned)getpid() % users;
	}
	next = next % users + 1;
	snprintf(out, 32, "bench-user-%03u", next);
}

const char *
pgq_issuer(void)
{
	const char *s = getenv("PGQ_ISS");

	return s != NULL ? s : "";
}

int
pgq_buf_add(struct pgq_buf *b, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
pgq_buf_adds(struct pgq_buf *b, const char *s)
{
	return pgq_buf_add(b, s, strlen(s));
}

int
pgq_buf_add_html(struct pgq_buf *b, const char *s)
{
	const char *run = s, *rep;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (pgq_buf_add(b, run, (size_t)(s - run)) != 0 ||
		    pgq_buf_adds(b, rep) != 0)
			return -1;
		run = s + 1;
	}
	return pgq_buf_add(b, run, (size_t)(s - run));
}

void
pgq_buf_free(struct pgq_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct json_object *
pgq_task_json(const PGresult *res, int i)
{
	struct json_object *o, *due = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (!PQgetisnull(res, i, 3) &&
	    (due = json_object_new_string(PQgetvalue(res, i, 3))) == NULL) {
		json_object_put(o);
		return NULL;
	}
	if (json_object_object_add(o, "id",
	    json_object_new_int64(strtoll(PQgetvalue(res, i, 0), NULL, 10))) ||
	    json_object_object_add(o, "text",
	    json_object_new_string(PQgetvalue(res, i, 1))) ||
	    json_object_object_add(o, "done",
	    json_object_new_boolean(PQgetvalue(res, i, 2)[0] == 't')) ||
	    json_object_object_add(o, "due", due) ||
	    json_object_object_add(o, "version",
	    json_object_new_int64(strtoll(PQgetvalue(res, i, 4), NULL, 10))) ||
	    json_object_object_add(o, "created_at",
	    json_object_new_string(PQgetvalue(res, i, 5))) ||
	    json_object_object_add(o, "updated_at",
	    json_object_new_string(PQgetvalue(res, i, 6)))) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
pgq_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 502: return "Bad Gateway";
	default: return "Internal Server Error";
	}
}

int
pgq_reply(FCGX_Request *req, int status, const char *type, const char *extra,
    const char *body, size_t len)
{
	char	 head[512];
	int	 n;

	n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n", status,
	    pgq_reason(status), type, len, extra ? extra : "",
	    extra ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (FCGX_PutStr(head, n, req->out) != n)
		return -1;
	if (len > 0 && FCGX_PutStr(body, (int)len, req->out) != (int)len)
		return -1;
	return 0;
}

int
pgq_reply_json(FCGX_Request *req, int status, const char *extra,
    struct json_object *o)
{
	const char *s;
	size_t	 len;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return pgq_fail(req, 500);
	return pgq_reply(req, status, "application/json", extra, s, len);
}

int
pgq_fail(FCGX_Request *req, int status)
{
	const char *why = pgq_reason(status);

	return pgq_reply(req, status, "text/plain", NULL, why, strlen(why));
}

int
pgq_run(const char *prog, int (*serve)(FCGX_Request *, void *), void *arg)
{
	FCGX_Request	 req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "%s: cannot initialise libfcgi\n", prog);
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		if (serve(&req, arg) != 0)
			fprintf(stderr, "%s: write failed\n", prog);
		/*
		 * Close as lib/req.c does: without libfcgi's wait for the
		 * server's close once the input has ended (the bench sends
		 * no body it leaves unread), so that the limit and the
		 * programs measured against it share the transport.
		 */
		if (!req.keepConnection && FCGX_GetChar(req.in) == EOF)
			(void)FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	return 0;
}
