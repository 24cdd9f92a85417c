/*
 * The task routes: validated input in, one statement, JSON out.  Lists
 * are pages in keyset order (newest first); tasks carry versions, which
 * are their ETags; creation may carry an Idempotency-Key.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "b64url.h"
#include "etag.h"
#include "jsonp.h"
#include "jsonw.h"
#include "log.h"
#include "respond.h"
#include "url.h"
#include "utf8.h"

/* Timestamps come as ISO text in UTC (db.c sets the session up so). */
#define TASK_COLUMNS "id, text, done, due, version, created_at, updated_at"
#define TASK_TIME_LEN 24		/* "2026-11-24T21:19:05.123Z" */
#define TASK_DATE_LEN 10		/* "2026-11-24" */
#define TASK_LIMIT_DEFAULT 50		/* tasks in a page */
#define TASK_LIMIT_MAX 200
#define TASK_LIMIT_DIGITS 3
#define TASK_CURSOR_BYTES 9		/* format byte, big-endian id */
#define TASK_CURSOR_LEN 12		/* its base64url characters */
#define TASK_CURSOR_FORMAT 1
#define TASK_KEY_MAX 64			/* Idempotency-Key characters */
#define TASK_NUM_MAX 24			/* bytes of a number as text */
#define TASK_LINK_MAX 4096		/* bytes of a Link; longer: none */
/*
 * A task body's cap: an export of 500 tasks of 1000 characters, each
 * escaped to 6 bytes at most, is under 3.2 MB.
 */
#define TASK_BODY_MAX (8 * 1024 * 1024)

/* The columns of TASK_COLUMNS, from where they start in a result. */
enum task_col {
	COL_ID,
	COL_TEXT,
	COL_DONE,
	COL_DUE,
	COL_VERSION,
	COL_CREATED,
	COL_UPDATED,
	COL__MAX
};

/*
 * Every task statement has the owner ($owner_sub, $owner_iss) in it.
 * The update and the delete check If-Match in their WHERE ($n: the
 * matching versions, NULL: no condition).  When one changes nothing
 * under If-Match, task_unchanged() looks the task up to tell 412 from
 * 404: the common case stays one plain statement.
 */
const struct db_stmt api_stmts[STMT__MAX] = {
	[STMT_HEALTH] = { "health", "SELECT 1", 0, true },
	/* One page: the next one starts below the last id (no OFFSET). */
	[STMT_TASK_LIST] = { "task_list",
	    "SELECT " TASK_COLUMNS " FROM api.tasks "
	    "WHERE owner_sub = $1 AND owner_iss = $2 "
	    "AND id < coalesce($3::bigint, 9223372036854775807) "
	    "AND ($4::boolean IS NULL OR done = $4) "
	    "AND ($5::text IS NULL OR strpos(lower(text), lower($5)) > 0) "
	    "AND ($6::date IS NULL OR due < $6) "
	    "ORDER BY id DESC LIMIT $7::integer", 7, true },
	[STMT_TASK_GET] = { "task_get",
	    "SELECT " TASK_COLUMNS " FROM api.tasks "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3", 3, true },
	/*
	 * outcome, then the task.  Without a key, while the owner's bound
	 * in api.task_counts is below the limit: that row's n + 1 and the
	 * INSERT, no count (sql/api/007_task_counts.sql); no row when the
	 * bound is reached or missing.  Then, and with a key,
	 * api.task_create() counts, checks the key and inserts under the
	 * owner's locks, in a transaction of its own: in the same one, the
	 * bound's row lock taken first would deadlock with it.
	 */
	[STMT_TASK_CREATE_FAST] = { "task_create_fast",
	    "WITH c AS (UPDATE api.task_counts SET n = n + 1 "
	    "WHERE owner_sub = $1 AND owner_iss = $2 AND n < $6::integer "
	    "RETURNING 1) "
	    "INSERT INTO api.tasks (owner_sub, owner_iss, text, done, due) "
	    "SELECT $1, $2, $3, $4::boolean, $5::date FROM c "
	    "RETURNING 'created', " TASK_COLUMNS, 6, false },
	[STMT_TASK_INSERT] = { "task_create",
	    "SELECT outcome, " TASK_COLUMNS " FROM api.task_create($1, $2, "
	    "$3, $4::boolean, $5::date, $6::integer, $7)", 7, false },
	[STMT_TASK_UPDATE] = { "task_update",
	    "UPDATE api.tasks SET text = coalesce($4, text), "
	    "done = coalesce($5::boolean, done), "
	    "due = CASE WHEN $6::boolean THEN $7::date ELSE due END, "
	    "version = version + 1, updated_at = now() "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3 "
	    "AND ($8::integer[] IS NULL OR version = ANY ($8::integer[])) "
	    "RETURNING " TASK_COLUMNS, 8, false },
	[STMT_TASK_DELETE] = { "task_delete",
	    "DELETE FROM api.tasks "
	    "WHERE id = $1 AND owner_sub = $2 AND owner_iss = $3 "
	    "AND ($4::integer[] IS NULL OR version = ANY ($4::integer[])) "
	    "RETURNING version", 4, false },
	[STMT_TASK_EXPORT] = { "task_export",
	    "SELECT " TASK_COLUMNS " FROM api.tasks "
	    "WHERE owner_sub = $1 AND owner_iss = $2 ORDER BY id", 2, true },
	[STMT_ME_ERASE] = { "me_erase",
	    "WITH t AS (DELETE FROM api.tasks "
	    "WHERE owner_sub = $1 AND owner_iss = $2), "
	    "c AS (DELETE FROM api.task_counts "
	    "WHERE owner_sub = $1 AND owner_iss = $2) "
	    "DELETE FROM api.task_idempotency "
	    "WHERE owner_sub = $1 AND owner_iss = $2", 2, false },
	/* DPoP proof ids (api-fcgi/dpop.c): one row per key and jti. */
	[STMT_DPOP_JTI] = { "dpop_jti",
	    "INSERT INTO api.dpop_jti (jkt, jti_sha256, expires_at) "
	    "VALUES ($1, $2, pg_catalog.to_timestamp($3::bigint)) "
	    "ON CONFLICT DO NOTHING", 3, false },
	[STMT_DPOP_PURGE] = { "dpop_purge",
	    "DELETE FROM api.dpop_jti WHERE expires_at < pg_catalog.now()",
	    0, true },
};

/* A validated task body: NULL / -1 / false for members that were absent. */
struct task_input {
	const char	*text;
	int		 done;		/* -1 absent, 0, 1 */
	bool		 due_set;	/* "due" given */
	const char	*due;		/* YYYY-MM-DD, NULL: null */
};

/* A validated list query: NULL for absent filters. */
struct task_query {
	int		 limit;
	char		 before[TASK_NUM_MAX];	/* from the cursor; "" none */
	const char	*done;			/* "true" | "false" */
	const char	*q;
	const char	*due_before;
};

/*
 * PostgreSQL's ISO output of a timestamptz in UTC, "2026-11-24
 * 21:19:05.123456+00", as RFC 3339 with milliseconds.  Formatting here
 * costs less than to_char() in every row of the query.
 */
static bool
task_time(const char *pg, char out[TASK_TIME_LEN + 1])
{
	size_t	 i, n = strlen(pg);

	if (n < 22 || pg[10] != ' ' || pg[19] == '\0')
		return false;
	memcpy(out, pg, 19);
	out[10] = 'T';
	out[19] = '.';
	/* Up to three digits of the fraction, then zeros. */
	for (i = 0; i < 3; i++)
		out[20 + i] = pg[19] == '.' && i + 20 < n &&
		    pg[20 + i] >= '0' && pg[20 + i] <= '9' ? pg[20 + i] : '0';
	out[23] = 'Z';
	out[24] = '\0';
	return true;
}

/*
 * Whether s is an RFC 3339 full-date, YYYY-MM-DD, of a day that exists
 * (years 0001 to 9999, as PostgreSQL's date takes them).
 */
static bool
task_date_ok(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int	 i, y = 0, m, d;

	if (strlen(s) != TASK_DATE_LEN || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < TASK_DATE_LEN; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return m != 2 || d < 29 ||
	    ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

/* A bigint as PostgreSQL writes it: an optional '-', 1 to 19 digits. */
static bool
task_is_int(const char *s)
{
	size_t	 n;

	s += *s == '-';
	n = strspn(s, "0123456789");
	return n >= 1 && n <= 19 && s[n] == '\0';
}

/*
 * Row i of a result whose TASK_COLUMNS start at off, appended to b as a
 * JSON object (written directly: a json-c tree per row cost more than
 * the rest of a list request).  ERR_DB for a row that is not a task.
 */
static enum err
task_write(struct buf *b, const PGresult *res, int i, int off)
{
	const char *id = PQgetvalue(res, i, off + COL_ID);
	const char *version = PQgetvalue(res, i, off + COL_VERSION);
	char	 created[TASK_TIME_LEN + 1], updated[TASK_TIME_LEN + 1];

	if (!task_is_int(id) || !task_is_int(version) ||
	    !task_time(PQgetvalue(res, i, off + COL_CREATED), created) ||
	    !task_time(PQgetvalue(res, i, off + COL_UPDATED), updated))
		return ERR_DB;
	(void)buf_adds(b, "{\"id\":");
	(void)buf_adds(b, id);
	(void)buf_adds(b, ",\"text\":");
	(void)jsonw_str(b, PQgetvalue(res, i, off + COL_TEXT));
	(void)buf_adds(b, PQgetvalue(res, i, off + COL_DONE)[0] == 't' ?
	    ",\"done\":true,\"due\":" : ",\"done\":false,\"due\":");
	if (PQgetisnull(res, i, off + COL_DUE))
		(void)buf_adds(b, "null");
	else
		(void)jsonw_str(b, PQgetvalue(res, i, off + COL_DUE));
	(void)buf_adds(b, ",\"version\":");
	(void)buf_adds(b, version);
	(void)buf_adds(b, ",\"created_at\":\"");
	(void)buf_adds(b, created);
	(void)buf_adds(b, "\",\"updated_at\":\"");
	(void)buf_adds(b, updated);
	(void)buf_adds(b, "\"}");
	return b->err;		/* the first failed add, if any */
}

/* Characters (code points) in valid UTF-8 (jsonp_parse checked it). */
static size_t
utf8_chars(const char *s)
{
	return utf8_count(s, strlen(s));
}

/*
 * Check the body: a JSON object holding only "text" (1 to API_TEXT_MAX
 * characters), "done" (boolean) and "due" (YYYY-MM-DD or null);
 * "need_text" for creation, else at least one of them.  On ERR_INPUT,
 * *why says what is wrong (for the client).  *doc owns the strings in
 * *in and is put by the caller.
 */
static enum err
task_input_parse(struct req *r, bool need_text, struct json_object **doc,
    struct task_input *in, const char **why)
{
	struct json_object_iterator it, end;
	struct json_object *due;
	const char *name;
	bool	 b;
	enum err e;

	*doc = NULL;
	in->text = NULL;
	in->done = -1;
	in->due_set = false;
	in->due = NULL;
	*why = "the body must be a JSON object";
	if (jsonp_parse(buf_str(&r->body), r->body.len, API_JSON_DEPTH,
	    doc) != ERR_OK || !json_object_is_type(*doc, json_type_object))
		return ERR_INPUT;
	it = json_object_iter_begin(*doc);
	end = json_object_iter_end(*doc);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		if (strcmp(name, "text") != 0 && strcmp(name, "done") != 0 &&
		    strcmp(name, "due") != 0) {
			*why = "unknown member: only text, done and due may "
			    "be given";
			return ERR_INPUT;
		}
	}
	e = jsonp_string(*doc, "text", &in->text);
	if (e == ERR_INPUT) {
		*why = "text must be a string";
		return ERR_INPUT;
	}
	if (e == ERR_NOTFOUND && need_text) {
		*why = "text is required";
		return ERR_INPUT;
	}
	if (in->text != NULL && (in->text[0] == '\0' ||
	    utf8_chars(in->text) > API_TEXT_MAX)) {
		*why = "text must be 1 to 1000 characters";
		return ERR_INPUT;
	}
	e = jsonp_bool(*doc, "done", &b);
	if (e == ERR_INPUT) {
		*why = "done must be true or false";
		return ERR_INPUT;
	}
	if (e == ERR_OK)
		in->done = b;
	if (json_object_object_get_ex(*doc, "due", &due)) {
		in->due_set = true;
		if (due != NULL && (!json_object_is_type(due,
		    json_type_string) || !task_date_ok(in->due =
		    json_object_get_string(due)))) {
			*why = "due must be a date, YYYY-MM-DD, or null";
			return ERR_INPUT;
		}
	}
	if (in->text == NULL && in->done < 0 && !in->due_set) {
		*why = "give text, done or due (or some of them)";
		return ERR_INPUT;
	}
	return ERR_OK;
}

/* Content type, size and syntax of a task body; answers on failure. */
static bool
task_read(struct req *r, bool need_text, struct json_object **doc,
    struct task_input *in)
{
	const char *why;
	enum err e;

	*doc = NULL;
	if (!req_content_type_is(r, "application/json")) {
		api_error(r, 415, "unsupported_media_type",
		    "send the task as application/json");
		return false;
	}
	if ((e = req_read_body(r, API_BODY_MAX)) != ERR_OK) {
		if (e == ERR_NOMEM)
			api_error(r, 413, "too_large",
			    "the body is larger than 64 KiB");
		else
			api_error(r, 400, "invalid_request",
			    "the body could not be read");
		return false;
	}
	if (task_input_parse(r, need_text, doc, in, &why) != ERR_OK) {
		api_error(r, 400, "invalid_request", why);
		return false;
	}
	return true;
}

/*
 * The If-Match (if_match true) or If-None-Match header: *has false when
 * absent.  Answers 400 and returns false when it is malformed.
 */
static bool
task_precondition(struct req *r, bool if_match, struct etag_list *l,
    bool *has)
{
	const char *v;

	v = req_param(r, if_match ? "HTTP_IF_MATCH" : "HTTP_IF_NONE_MATCH");
	*has = v != NULL;
	if (v == NULL || etag_parse(v, l) == ERR_OK)
		return true;
	api_error(r, 400, "invalid_request", if_match ?
	    "If-Match must be * or a list of entity tags" :
	    "If-None-Match must be * or a list of entity tags");
	return false;
}

/*
 * If-Match as the versions an UPDATE or DELETE may change: *sql NULL
 * for none or "*".  Answers 400 and returns false when it is malformed.
 */
static bool
task_if_match(struct req *r, char out[ETAG_SQL_MAX], const char **sql)
{
	struct etag_list l;
	bool	 has;

	*sql = NULL;
	if (!task_precondition(r, true, &l, &has))
		return false;
	if (!has || l.any)
		return true;
	if (etag_versions_sql(&l, out, ETAG_SQL_MAX) != ERR_OK) {
		api_fail(r, ERR_SYSTEM, NULL);
		return false;
	}
	*sql = out;
	return true;
}

/* The ETag of row i (TASK_COLUMNS from off on): its version, "N". */
static void
task_etag(struct req *r, const PGresult *res, int i, int off)
{
	(void)req_headerf(r, "ETag", "\"%s\"",
	    PQgetvalue(res, i, off + COL_VERSION));
}

/*
 * Answer status with the one task in res (TASK_COLUMNS from off on) and
 * its ETag, or 404 when there is none.
 */
static void
task_answer(struct req *r, int status, const PGresult *res, int off)
{
	struct buf body;
	enum err e;

	if (PQntuples(res) != 1) {
		api_fail(r, ERR_NOTFOUND, NULL);
		return;
	}
	buf_init(&body, TASK_BODY_MAX);
	if ((e = task_write(&body, res, 0, off)) != ERR_OK) {
		api_fail(r, e, NULL);
		buf_free(&body);
		return;
	}
	task_etag(r, res, 0, off);
	api_json_text(r, status, body.data, body.len);
	buf_free(&body);
}

/* 412: the task has another version than If-Match names. */
static void
task_stale(struct req *r, const PGresult *res, int off)
{
	task_etag(r, res, 0, off);
	api_error(r, 412, "precondition_failed", "the task has changed: "
	    "If-Match does not name its current version");
}

/*
 * {"tasks":[the first n rows of res] appended to body, without the
 * closing '}' (a list page may add next_cursor).
 */
static enum err
task_array(const PGresult *res, int n, struct buf *body)
{
	enum err e;
	int	 i;

	/* Most rows take less: one allocation for a page. */
	if ((e = buf_reserve(body, 32 + (size_t)n * 256)) != ERR_OK)
		return e;
	(void)buf_adds(body, "{\"tasks\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)buf_addc(body, ',');
		if ((e = task_write(body, res, i, 0)) != ERR_OK)
			return e;
	}
	(void)buf_addc(body, ']');
	return body->err;
}

/* ---- the list: query, cursor, next link ---------------------------------- */

/* An opaque cursor: the last id of a page, base64url of 9 bytes. */
static enum err
task_cursor_encode(const char *id, char out[TASK_CURSOR_LEN + 1])
{
	unsigned char raw[TASK_CURSOR_BYTES];
	unsigned long long v;
	char	*end, *s = NULL;
	int	 i;

	v = strtoull(id, &end, 10);
	if (*end != '\0' || end == id)
		return ERR_SYSTEM;
	raw[0] = TASK_CURSOR_FORMAT;
	for (i = TASK_CURSOR_BYTES - 1; i > 0; i--, v >>= 8)
		raw[i] = (unsigned char)(v & 0xff);
	if (b64url_encode_str(raw, sizeof(raw), &s) != ERR_OK)
		return ERR_NOMEM;
	if (strlen(s) != TASK_CURSOR_LEN) {
		free(s);
		return ERR_SYSTEM;
	}
	memcpy(out, s, TASK_CURSOR_LEN + 1);
	free(s);
	return ERR_OK;
}

/* The id in a cursor as text, or ERR_INPUT for anything malformed. */
static enum err
task_cursor_decode(const char *c, char out[TASK_NUM_MAX])
{
	unsigned char *raw = NULL;
	unsigned long long v = 0;
	size_t	 len, i;
	enum err e = ERR_INPUT;
	int	 n;

	if (strlen(c) != TASK_CURSOR_LEN ||
	    b64url_decode(c, TASK_CURSOR_LEN, &raw, &len) != ERR_OK)
		goto out;
	if (len != TASK_CURSOR_BYTES || raw[0] != TASK_CURSOR_FORMAT ||
	    raw[1] > 0x7f)
		goto out;
	for (i = 1; i < len; i++)
		v = v << 8 | raw[i];
	if (v == 0)
		goto out;
	n = snprintf(out, TASK_NUM_MAX, "%llu", v);
	if (n > 0 && n < TASK_NUM_MAX)
		e = ERR_OK;
out:
	free(raw);
	return e;
}

/* limit: 1 to TASK_LIMIT_MAX, digits only, no leading zero. */
static bool
task_limit_parse(const char *s, int *out)
{
	size_t	 n = strspn(s, "0123456789");
	long	 v;
	char	*end;

	if (n == 0 || n > TASK_LIMIT_DIGITS || s[n] != '\0' || s[0] == '0')
		return false;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > TASK_LIMIT_MAX)
		return false;
	*out = (int)v;
	return true;
}

/*
 * Check the list's query: limit, cursor, done, q, due_before, each at
 * most once, nothing else.  *why says what is wrong on ERR_INPUT.
 * Strings in *qy are borrowed from *p.
 */
static enum err
task_query_parse(const struct req *r, struct url_params *p,
    struct task_query *qy, const char **why)
{
	static const char *const names[] = { "limit", "cursor", "done", "q",
	    "due_before" };
	const char *v;
	size_t	 i, j;

	memset(qy, 0, sizeof(*qy));
	qy->limit = TASK_LIMIT_DEFAULT;
	*why = "the query string is malformed";
	if (url_params_parse(r->query, strlen(r->query), false, p) != ERR_OK)
		return ERR_INPUT;
	for (i = 0; i < p->n; i++) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(p->v[i].name, names[j]) == 0)
				break;
		if (j == sizeof(names) / sizeof(names[0])) {
			*why = "unknown query parameter: only limit, cursor, "
			    "done, q and due_before may be given";
			return ERR_INPUT;
		}
		if (url_params_count(p, names[j]) > 1) {
			*why = "a query parameter is given twice";
			return ERR_INPUT;
		}
	}
	if ((v = url_params_get(p, "limit")) != NULL &&
	    !task_limit_parse(v, &qy->limit)) {
		*why = "limit must be 1 to 200";
		return ERR_INPUT;
	}
	if ((v = url_params_get(p, "cursor")) != NULL &&
	    task_cursor_decode(v, qy->before) != ERR_OK) {
		*why = "the cursor is not valid: use next_cursor as it came";
		return ERR_INPUT;
	}
	if ((v = url_params_get(p, "done")) != NULL) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			*why = "done must be true or false";
			return ERR_INPUT;
		}
		qy->done = v;
	}
	if ((v = url_params_get(p, "q")) != NULL && v[0] != '\0') {
		if (!url_utf8_valid(v, strlen(v)) ||
		    utf8_chars(v) > API_TEXT_MAX) {
			*why = "q must be at most 1000 characters of UTF-8";
			return ERR_INPUT;
		}
		qy->q = v;
	}
	if ((v = url_params_get(p, "due_before")) != NULL) {
		if (!task_date_ok(v)) {
			*why = "due_before must be a date, YYYY-MM-DD";
			return ERR_INPUT;
		}
		qy->due_before = v;
	}
	return ERR_OK;
}

/*
 * The next page: next_cursor in body, and a Link header with the same
 * query but the new cursor, unless that is longer than TASK_LINK_MAX (a
 * long q): the client then has next_cursor.
 */
static enum err
task_next(struct req *r, const struct task_query *qy, const char *last_id,
    struct buf *body)
{
	char	 cursor[TASK_CURSOR_LEN + 1];
	struct buf link;
	enum err e;

	if ((e = task_cursor_encode(last_id, cursor)) != ERR_OK)
		return e;
	(void)buf_adds(body, ",\"next_cursor\":");
	if ((e = jsonw_str(body, cursor)) != ERR_OK)
		return e;
	buf_init(&link, TASK_LINK_MAX);
	(void)buf_addf(&link, "<%s?limit=%d&cursor=%s", r->path, qy->limit,
	    cursor);
	if (qy->done != NULL)
		(void)buf_addf(&link, "&done=%s", qy->done);
	if (qy->q != NULL) {
		(void)buf_adds(&link, "&q=");
		(void)url_encode(qy->q, &link);
	}
	if (qy->due_before != NULL)
		(void)buf_addf(&link, "&due_before=%s", qy->due_before);
	(void)buf_adds(&link, ">; rel=\"next\"");
	if (link.err == ERR_OK)
		e = req_header(r, "Link", buf_str(&link));
	else
		log_debug("next link longer than %d bytes: left out",
		    TASK_LINK_MAX);
	buf_free(&link);
	return e;
}

/* ---- routes -------------------------------------------------------------- */

void
tasks_list(struct api *api, struct req *r, const struct api_user *u)
{
	struct url_params p = { NULL, 0 };
	struct task_query qy;
	struct etag_list inm;
	struct buf body;
	const char *params[7], *why;
	char	 limit[TASK_NUM_MAX];
	PGresult *res = NULL;
	bool	 has_inm;
	enum err e;
	int	 n;

	buf_init(&body, TASK_BODY_MAX);
	if (task_query_parse(r, &p, &qy, &why) != ERR_OK) {
		api_error(r, 400, "invalid_request", why);
		goto out;
	}
	if (!task_precondition(r, false, &inm, &has_inm))
		goto out;
	/* One row more than the page: whether there is a next one. */
	(void)snprintf(limit, sizeof(limit), "%d", qy.limit + 1);
	params[0] = u->sub;
	params[1] = u->iss;
	params[2] = qy.before[0] != '\0' ? qy.before : NULL;
	params[3] = qy.done;
	params[4] = qy.q;
	params[5] = qy.due_before;
	params[6] = limit;
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_LIST], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		goto out;
	}
	n = PQntuples(res);
	if ((e = task_array(res, n > qy.limit ? qy.limit : n, &body)) !=
	    ERR_OK || (n > qy.limit && (e = task_next(r, &qy,
	    PQgetvalue(res, qy.limit - 1, COL_ID), &body)) != ERR_OK) ||
	    (buf_addc(&body, '}'), (e = body.err) != ERR_OK)) {
		api_fail(r, e, NULL);
		goto out;
	}
	api_json_weak(r, body.data, body.len, has_inm ? &inm : NULL);
out:
	buf_free(&body);
	PQclear(res);
	url_params_free(&p);
}

void
tasks_get(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	const char *const params[] = { id, u->sub, u->iss };
	struct etag_list inm;
	PGresult *res = NULL;
	bool	 has_inm;
	enum err e;

	if (!task_precondition(r, false, &inm, &has_inm))
		return;
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_GET], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	if (has_inm && PQntuples(res) == 1 && etag_match(&inm,
	    PQgetvalue(res, 0, COL_VERSION), false, true)) {
		task_etag(r, res, 0, 0);
		api_not_modified(r);
	} else
		task_answer(r, 200, res, 0);
	PQclear(res);
}

/* Idempotency-Key: 1 to TASK_KEY_MAX visible ASCII characters. */
static bool
task_key_ok(const char *k)
{
	size_t	 i;

	for (i = 0; k[i] != '\0'; i++)
		if (i == TASK_KEY_MAX || k[i] < '!' || k[i] > '~')
			return false;
	return i > 0;
}

void
tasks_create(struct api *api, struct req *r, const struct api_user *u)
{
	struct json_object *doc = NULL;
	struct task_input in;
	const char *params[7], *key, *outcome;
	char	 max[TASK_NUM_MAX];
	PGresult *res = NULL;
	enum err e;

	key = req_param(r, "HTTP_IDEMPOTENCY_KEY");
	if (key != NULL && !task_key_ok(key)) {
		api_error(r, 400, "invalid_request", "Idempotency-Key must be "
		    "1 to 64 visible ASCII characters");
		goto out;
	}
	if (!task_read(r, true, &doc, &in))
		goto out;
	(void)snprintf(max, sizeof(max), "%d", API_TASKS_MAX);
	params[0] = u->sub;
	params[1] = u->iss;
	params[2] = in.text;
	params[3] = in.done > 0 ? "true" : "false";
	params[4] = in.due;
	params[5] = max;
	params[6] = key;
	if (params[6] == NULL && (e = db_exec(api->db,
	    &api_stmts[STMT_TASK_CREATE_FAST], params, &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		goto out;
	}
	if (res == NULL || PQntuples(res) == 0) {
		PQclear(res);
		res = NULL;
		if ((e = db_exec(api->db, &api_stmts[STMT_TASK_INSERT],
		    params, &res)) != ERR_OK) {
			api_fail(r, e, NULL);
			goto out;
		}
	}
	outcome = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
	if (strcmp(outcome, "full") == 0) {
		api_error(r, 409, "too_many_tasks", "a list holds at most "
		    "500 tasks: delete some first");
		goto out;
	}
	if (strcmp(outcome, "mismatch") == 0) {
		api_error(r, 422, "idempotency_key_reused", "this "
		    "Idempotency-Key came with another task in the last 24 "
		    "hours: use a new key for a new task");
		goto out;
	}
	if (strcmp(outcome, "created") != 0 && strcmp(outcome, "repeat") != 0) {
		api_fail(r, ERR_SYSTEM, NULL);
		goto out;
	}
	if (req_headerf(r, "Location", "%s/%s", r->path,
	    PQgetvalue(res, 0, 1 + COL_ID)) != ERR_OK) {
		api_fail(r, ERR_SYSTEM, NULL);
		goto out;
	}
	task_answer(r, 201, res, 1);
out:
	PQclear(res);
	json_object_put(doc);
}

/*
 * An update or delete changed nothing.  Without If-Match (versions
 * NULL) the task is not there: 404.  Under it, 412 with the current
 * ETag if the task is there, else 404.  params: id, owner_sub, owner_iss.
 */
static void
task_unchanged(struct api *api, struct req *r, const char *const *params,
    const char *versions)
{
	PGresult *res = NULL;
	enum err e;

	if (versions == NULL) {
		api_fail(r, ERR_NOTFOUND, NULL);
		return;
	}
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_GET], params,
	    &res)) != ERR_OK)
		api_fail(r, e, NULL);
	else if (PQntuples(res) != 1)
		api_fail(r, ERR_NOTFOUND, NULL);
	else
		task_stale(r, res, 0);
	PQclear(res);
}

void
tasks_update(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	struct json_object *doc = NULL;
	struct task_input in;
	const char *params[8];
	char	 versions[ETAG_SQL_MAX];
	PGresult *res = NULL;
	enum err e;

	if (!task_if_match(r, versions, &params[7]) ||
	    !task_read(r, false, &doc, &in))
		goto out;
	params[0] = id;
	params[1] = u->sub;
	params[2] = u->iss;
	params[3] = in.text;
	params[4] = in.done < 0 ? NULL : in.done ? "true" : "false";
	params[5] = in.due_set ? "true" : "false";
	params[6] = in.due;
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_UPDATE], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		goto out;
	}
	if (PQntuples(res) != 1)
		task_unchanged(api, r, params, params[7]);
	else
		task_answer(r, 200, res, 0);
out:
	PQclear(res);
	json_object_put(doc);
}

void
tasks_delete(struct api *api, struct req *r, const struct api_user *u,
    const char *id)
{
	const char *params[4];
	char	 versions[ETAG_SQL_MAX];
	PGresult *res = NULL;
	enum err e;

	if (!task_if_match(r, versions, &params[3]))
		return;
	params[0] = id;
	params[1] = u->sub;
	params[2] = u->iss;
	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_DELETE], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	/* The delete returns the version alone (column 0). */
	if (PQntuples(res) != 1)
		task_unchanged(api, r, params, params[3]);
	else {
		task_etag(r, res, 0, -COL_VERSION);
		req_respond(r, 204, NULL, NULL, 0);
	}
	PQclear(res);
}

void
tasks_export(struct api *api, struct req *r, const struct api_user *u)
{
	const char *const params[] = { u->sub, u->iss };
	struct buf body;
	PGresult *res = NULL;
	enum err e;

	if ((e = db_exec(api->db, &api_stmts[STMT_TASK_EXPORT], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	buf_init(&body, TASK_BODY_MAX);
	if ((e = task_array(res, PQntuples(res), &body)) != ERR_OK ||
	    (buf_addc(&body, '}'), (e = body.err) != ERR_OK))
		api_fail(r, e, NULL);
	else
		api_json_text(r, 200, body.data, body.len);
	buf_free(&body);
	PQclear(res);
}

void
tasks_erase(struct api *api, struct req *r, const struct api_user *u)
{
	const char *const params[] = { u->sub, u->iss };
	PGresult *res = NULL;
	enum err e;

	if ((e = db_exec(api->db, &api_stmts[STMT_ME_ERASE], params,
	    &res)) != ERR_OK) {
		api_fail(r, e, NULL);
		return;
	}
	log_info("erased every task of a user on request");
	req_respond(r, 204, NULL, NULL, 0);
	PQclear(res);
}
