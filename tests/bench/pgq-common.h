/*
 * tests/bench/pgq-common.h -- what the design-limit baselines (pgq,
 * pgq-write, pgq-page) share: one kept PostgreSQL connection with
 * prepared statements, the rotating bench user, a growing byte buffer,
 * task rows as JSON, and one FastCGI answer.  Benchmark tools only: no
 * token, no limits, configuration from the environment (tests/bench/run
 * sets it):
 *
 *   PGQ_DB       libpq conninfo for the API's statements (as todo_api)
 *   PGQ_PAGE_DB  libpq conninfo for the session lookup (as todo_webapp)
 *   PGQ_ISS      the tasks' owner_iss (the provider's issuer)
 *   PGQ_USERS    how many bench users (bench-user-001 ...) rotate (100)
 *   PGQ_URL      pgq-page: the URL of pgq through the same server
 */
#ifndef PGQ_COMMON_H
#define PGQ_COMMON_H

#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>
#include <libpq-fe.h>

/* The columns of the API's task statements (api-fcgi/tasks.c). */
#define PGQ_TASK_COLUMNS \
	"id, text, done, due, version, created_at, updated_at"

struct pgq_stmt {
	const char	*name;
	const char	*sql;
	int		 nparams;
};

/* A growing, NUL-terminated byte buffer. */
struct pgq_buf {
	char	*p;
	size_t	 len, cap;
};

/*
 * Connects with the conninfo in the environment variable ENV and
 * prepares the n statements; NULL (and a line on stderr) on failure.
 */
PGconn	*pgq_connect(const char *prog, const char *env,
	    const struct pgq_stmt *stmts, int n);
/*
 * Runs a prepared statement; NULL if it did not succeed (the connection
 * is reset when it was lost).  The caller PQclear()s the result.
 */
PGresult *pgq_exec(PGconn *db, const struct pgq_stmt *st,
	    const char *const *params);
/* The next bench user, "bench-user-NNN", rotating through PGQ_USERS. */
void	 pgq_next_user(char out[32]);
/* The issuer: PGQ_ISS, or "" when unset. */
const char *pgq_issuer(void);

int	 pgq_buf_add(struct pgq_buf *b, const char *s, size_t n);
int	 pgq_buf_adds(struct pgq_buf *b, const char *s);
/* s with &<>"' escaped for HTML text and attribute values. */
int	 pgq_buf_add_html(struct pgq_buf *b, const char *s);
void	 pgq_buf_free(struct pgq_buf *b);

/* Row i of a PGQ_TASK_COLUMNS result as a JSON object, or NULL. */
struct json_object *pgq_task_json(const PGresult *res, int i);

/*
 * One answer: status line, Content-Type, an optional extra header line
 * (without CRLF, or NULL) and the body.  0, or -1 if the write failed.
 */
int	 pgq_reply(FCGX_Request *req, int status, const char *type,
	    const char *extra, const char *body, size_t len);
/* A JSON object as the answer (put afterwards). */
int	 pgq_reply_json(FCGX_Request *req, int status, const char *extra,
	    struct json_object *o);
/* A short plain-text error answer. */
int	 pgq_fail(FCGX_Request *req, int status);

/*
 * The accept loop on fd 0: serve(req, arg) for every request.  Returns
 * the process's exit status.
 */
int	 pgq_run(const char *prog, int (*serve)(FCGX_Request *, void *),
	    void *arg);

#endif
