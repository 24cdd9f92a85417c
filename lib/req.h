/*
 * req: one FastCGI request: the parameters the server passed, a body
 * read under a cap, and response writing.  A struct req owns everything
 * allocated for its request and is reset once per accept-loop turn.
 *
 * Each request has an id: the client's X-Request-Id when it is
 * REQ_ID_MIN to REQ_ID_MAX bytes of [A-Za-z0-9._-], else a fresh random
 * one (REQ_ID_RANDOM_BYTES from getrandom, base64url).  Every response
 * carries it in X-Request-Id, and the log records written while the
 * request is served carry it too (log_request_begin).
 */
#ifndef TODO_REQ_H
#define TODO_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <fcgiapp.h>

#include "buf.h"
#include "err.h"

#define REQ_PATH_MAX 2048		/* longer paths are refused */
#define REQ_HEADERS_MAX 8192		/* response header bytes */
#define REQ_RETRY_AFTER "5"		/* seconds, on 503 */
#define REQ_ID_MIN 8			/* bytes of a client's id */
#define REQ_ID_MAX 64			/* the same as LOG_REQUEST_ID_MAX */
#define REQ_ID_RANDOM_BYTES 16		/* a fresh id: 22 base64url chars */

enum req_method {
	REQ_GET,
	REQ_HEAD,
	REQ_POST,
	REQ_PUT,
	REQ_PATCH,
	REQ_DELETE,
	REQ_OPTIONS,
	REQ_OTHER,
	REQ_METHOD__MAX
};

struct req {
	FCGX_Request	 fcgi;
	enum req_method	 method;
	char		*path;		/* SCRIPT_NAME + PATH_INFO */
	const char	*query;		/* "" when absent */
	struct buf	 body;
	bool		 body_read;	/* all CONTENT_LENGTH bytes read */
	struct buf	 headers;	/* extra response headers */
	bool		 responded;
	/* Set by the accept loop; read them with the functions below. */
	char		 id[REQ_ID_MAX + 1]; /* "" outside req_serve */
	int		 status;	/* sent, 0 before req_respond */
	const char	*route;		/* req_set_route(), else NULL */
	struct timespec	 start;		/* CLOCK_MONOTONIC, accept */
};

/*
 * The accept loop: answer requests on the FastCGI socket (fd 0 when
 * started by a web server) with handle(arg, req) until the server closes
 * it.  ERR_SYSTEM when FastCGI cannot start.
 */
enum err req_serve(void (*handle)(void *, struct req *), void *arg);
/*
 * The same, and after each request, once its response is sent (a 500
 * if handle() sent none) and the connection finished, done(arg, req):
 * where a program writes the access record and its metrics.  req_param
 * and the body are gone by then; the functions below still work.
 */
enum err req_serve_with(void (*handle)(void *, struct req *),
	    void (*done)(void *, const struct req *), void *arg);

/* The request id (see above); "" for a request not from req_serve. */
const char *req_request_id(const struct req *);
/* "GET", ..., "OTHER". */
const char *req_method_name(enum req_method);
/*
 * Name the route for the logs and metrics: a template such as
 * "/tasks/{id}", never the raw path.  Borrowed: a static string.
 */
void	 req_set_route(struct req *, const char *route);
const char *req_route(const struct req *);	/* or NULL */
/* The status sent (0 before a response), the time since the accept. */
int	 req_status(const struct req *);
double	 req_elapsed_ms(const struct req *);
/* log_access() for this request: method, route, status, duration. */
void	 req_log_access(const struct req *);

const char *req_param(const struct req *, const char *name);	/* or NULL */
/* Whether REMOTE_ADDR is a loopback address: 127.0.0.0/8, ::1, ::ffff:127.x. */
bool	 req_from_loopback(const struct req *);
/*
 * Whether a scrape of /metrics is allowed: with a secret (metrics_token_file)
 * the request must carry it as its bearer token, from anywhere (a proxy on
 * the same host makes every client look local); without one, loopback
 * clients only.
 */
bool	 req_metrics_allowed(const struct req *, const char *secret);
/* A small JSON answer, not cached; 503 adds Retry-After (health checks). */
void	 req_json_status(struct req *, int status, const char *json);
/*
 * The /metrics answer: Prometheus text of "m" (NULL: 503, the program runs
 * without its metrics file), at most "cap" bytes.
 */
struct metrics;
void	 req_metrics(struct req *, const struct metrics *m, size_t cap);
/*
 * Read the body, CONTENT_LENGTH bytes at most "max": ERR_NOMEM when the
 * declared or actual length is over "max" (413), ERR_INPUT when it is
 * malformed or the client sent less than it declared.
 */
enum err req_read_body(struct req *, size_t max);
/* True if the media type (parameters ignored) equals "type". */
bool	 req_content_type_is(const struct req *, const char *type);

/*
 * Add a response header; name and value must not hold CR or LF.
 * X-Request-Id is added by req_respond itself.
 */
enum err req_header(struct req *, const char *name, const char *value);
enum err req_headerf(struct req *, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send status, headers and body (HEAD: no body); once per request. */
enum err req_respond(struct req *, int status, const char *ctype,
	    const void *body, size_t len);

#endif
