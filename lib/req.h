/*
 * req: one FastCGI request: the parameters the server passed, a body
 * read under a cap, and response writing.  A struct req owns everything
 * allocated for its request and is reset once per accept-loop turn.
 */
#ifndef TODO_REQ_H
#define TODO_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>

#include "buf.h"
#include "err.h"

#define REQ_PATH_MAX 2048		/* longer paths are refused */
#define REQ_HEADERS_MAX 8192		/* response header bytes */
#define REQ_RETRY_AFTER "5"		/* seconds, on 503 */

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
	struct buf	 headers;	/* extra response headers */
	bool		 responded;
};

/*
 * The accept loop: answer requests on the FastCGI socket (fd 0 when
 * started by a web server) with handle(arg, req) until the server closes
 * it.  ERR_SYSTEM when FastCGI cannot start.
 */
enum err req_serve(void (*handle)(void *, struct req *), void *arg);

const char *req_param(const struct req *, const char *name);	/* or NULL */
/*
 * Read the body, CONTENT_LENGTH bytes at most "max": ERR_NOMEM when the
 * declared or actual length is over "max" (413), ERR_INPUT when it is
 * malformed or the client sent less than it declared.
 */
enum err req_read_body(struct req *, size_t max);
/* True if the media type (parameters ignored) equals "type". */
bool	 req_content_type_is(const struct req *, const char *type);

/* Add a response header; name and value must not hold CR or LF. */
enum err req_header(struct req *, const char *name, const char *value);
enum err req_headerf(struct req *, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send status, headers and body (HEAD: no body); once per request. */
enum err req_respond(struct req *, int status, const char *ctype,
	    const void *body, size_t len);

#endif
