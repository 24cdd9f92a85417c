/*
 * test_req: FastCGI requests driven by records written by hand (RFC-less
 * but simple: the FastCGI 1.0 specification) on a Unix socket.  The
 * request functions run here on an accepted request; the accept loop
 * (req_serve) runs in a child with the socket as its fd 0, as a web
 * server starts it, and reports what it saw in its answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcgiapp.h>

#include "buf.h"
#include "log.h"
#include "req.h"
#include "tap.h"

#define FCGI_VERSION		1
#define FCGI_BEGIN_REQUEST	1
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_RESPONDER		1
#define FCGI_KEEP_CONN		1
#define FCGI_RECORD_MAX		65535
#define FCGI_REQUEST_ID		1
#define RESP_MAX		(256 * 1024)
#define BIG_BODY		20000	/* more than one read chunk */
#define RECV_TIMEOUT_S		10
#define TEST_DEADLINE_S		60

static char sock_path[108];
static int listen_fd = -1;

/* ---- a FastCGI client, by hand --------------------------------------- */

static bool
rec_add(struct buf *b, int type, const void *data, size_t len)
{
	unsigned char h[8];
	size_t	 n;

	do {
		n = len > FCGI_RECORD_MAX ? FCGI_RECORD_MAX : len;
		h[0] = FCGI_VERSION;
		h[1] = (unsigned char)type;
		h[2] = 0;
		h[3] = FCGI_REQUEST_ID;
		h[4] = (unsigned char)(n >> 8);
		h[5] = (unsigned char)(n & 0xff);
		h[6] = 0;
		h[7] = 0;
		if (buf_add(b, h, sizeof(h)) != ERR_OK ||
		    (n > 0 && buf_add(b, data, n) != ERR_OK))
			return false;
		data = (const char *)data + n;
		len -= n;
	} while (len > 0);
	return true;
}

static bool
nv_len(struct buf *b, size_t n)
{
	unsigned char l[4];

	if (n < 128) {
		l[0] = (unsigned char)n;
		return buf_add(b, l, 1) == ERR_OK;
	}
	l[0] = (unsigned char)(0x80 | (n >> 24));
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	return buf_add(b, l, 4) == ERR_OK;
}

/*
 * A whole request: BEGIN_REQUEST (with FCGI_KEEP_CONN when "keep"),
 * params ("NAME=value" strings, NULL terminated), empty PARAMS, the body
 * in STDIN, and, unless "open", the empty STDIN that ends it.
 */
static bool
request_build(struct buf *b, const char *const *params, const char *body,
    size_t bodylen, bool open, bool keep)
{
	unsigned char begin[8] = { 0, FCGI_RESPONDER, 0 };
	struct buf nv;
	const char *eq;
	size_t	 i;
	bool	 good;

	if (keep)
		begin[2] = FCGI_KEEP_CONN;
	buf_init(b, 0);
	buf_init(&nv, 0);
	good = rec_add(b, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	for (i = 0; good && params[i] != NULL; i++) {
		eq = strchr(params[i], '=');
		good = eq != NULL && nv_len(&nv, (size_t)(eq - params[i])) &&
		    nv_len(&nv, strlen(eq + 1)) &&
		    buf_add(&nv, params[i], (size_t)(eq - params[i])) ==
		    ERR_OK && buf_adds(&nv, eq + 1) == ERR_OK;
	}
	good = good && rec_add(b, FCGI_PARAMS, nv.data, nv.len) &&
	    rec_add(b, FCGI_PARAMS, NULL, 0);
	if (good && bodylen > 0)
		good = rec_add(b, FCGI_STDIN, body, bodylen);
	if (good && !open)
		good = rec_add(b, FCGI_STDIN, NULL, 0);
	buf_free(&nv);
	return good;
}

static int
client_connect(void)
{
	struct sockaddr_un sun;
	struct timeval tv = { RECV_TIMEOUT_S, 0 };
	int	 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool
write_all(int fd, const void *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			return false;
		}
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return true;
}

static bool
read_all(int fd, void *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return false;
		}
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return true;
}

/*
 * Read records until END_REQUEST: the STDOUT bytes go to out.  False
 * when the stream ends or breaks first.
 */
static bool
response_read(int fd, struct buf *out)
{
	unsigned char h[8], data[FCGI_RECORD_MAX + 255];
	size_t	 n;

	buf_init(out, RESP_MAX);
	for (;;) {
		if (!read_all(fd, h, sizeof(h)))
			return false;
		n = (size_t)h[4] << 8 | h[5];
		if (!read_all(fd, data, n + h[6]))
			return false;
		if (h[1] == FCGI_END_REQUEST)
			break;
		if (h[1] == FCGI_STDOUT && n > 0 &&
		    buf_add(out, data, n) != ERR_OK)
			return false;
	}
	if (out->data == NULL && buf_add(out, "", 0) != ERR_OK)
		return false;
	return true;
}

/* ---- the request functions, on a request accepted here ----------------- */

/*
 * Send a request and accept it into r as req_serve would, with the
 * fields req_accept sets.  Returns the client's socket, or -1.
 */
static int
accept_one(struct req *r, const char *const *params, const char *body,
    size_t bodylen, bool open)
{
	struct buf b;
	const char *m;
	int	 fd;

	if (!request_build(&b, params, body, bodylen, open, true))
		return -1;
	if ((fd = client_connect()) == -1)
		goto out;
	/* Fits in the socket buffer: the accept below reads it. */
	if (!write_all(fd, b.data, b.len) ||
	    FCGX_InitRequest(&r->fcgi, listen_fd, 0) != 0 ||
	    FCGX_Accept_r(&r->fcgi) < 0) {
		close(fd);
		fd = -1;
		goto out;
	}
	m = req_param(r, "REQUEST_METHOD");
	r->method = m != NULL && strcmp(m, "HEAD") == 0 ? REQ_HEAD :
	    REQ_GET;
	r->path = NULL;
	r->query = "";
	buf_init(&r->body, 0);
	buf_init(&r->headers, REQ_HEADERS_MAX);
	r->responded = false;
out:
	buf_free(&b);
	return fd;
}

/*
 * Finish the request and read what it answered.  The connection was
 * kept (FCGI_KEEP_CONN), so the client closes first and libfcgi's
 * lingering close does not wait for it.
 */
static bool
finish_one(struct req *r, int fd, struct buf *resp)
{
	bool got;

	FCGX_Finish_r(&r->fcgi);
	buf_free(&r->body);
	buf_free(&r->headers);
	got = response_read(fd, resp);
	close(fd);
	FCGX_Free(&r->fcgi, 1);
	return got;
}

/* Run req_read_body on a request with CONTENT_LENGTH cl (NULL: none). */
static enum err
body_case(const char *cl, const char *body, size_t bodylen, size_t max,
    bool open, struct buf *got)
{
	char	 clp[64];
	const char *params[3] = { "REQUEST_METHOD=POST", NULL, NULL };
	struct req r;
	struct buf resp;
	enum err e;
	int	 fd;

	memset(&r, 0, sizeof(r));
	if (cl != NULL) {
		snprintf(clp, sizeof(clp), "CONTENT_LENGTH=%s", cl);
		params[1] = clp;
	}
	if ((fd = accept_one(&r, params, body, bodylen, open)) == -1)
		return ERR__MAX;
	if (open)	/* the client goes away without ending its body */
		shutdown(fd, SHUT_WR);
	e = req_read_body(&r, max);
	buf_init(got, 0);
	if (r.body.data != NULL)
		(void)buf_add(got, r.body.data, r.body.len);
	(void)req_respond(&r, 204, NULL, NULL, 0);
	finish_one(&r, fd, &resp);
	buf_free(&resp);
	return e;
}

static void
test_body(void)
{
	static const struct {
		const char	*cl;
		size_t		 max;
		enum err	 want;
		const char	*what;
	} bad[] = {
		{ "abc", 100, ERR_INPUT, "not a number" },
		{ "-1", 100, ERR_INPUT, "negative" },
		{ "+5", 100, ERR_INPUT, "a sign" },
		{ " 5", 100, ERR_INPUT, "a leading space" },
		{ "5 ", 100, ERR_INPUT, "a trailing space" },
		{ "5x", 100, ERR_INPUT, "trailing garbage" },
		{ "0x10", 100, ERR_INPUT, "hexadecimal" },
		{ "11", 10, ERR_NOMEM, "one over the cap" },
		{ "18446744073709551615", 100, ERR_NOMEM, "ULLONG_MAX" },
		{ "99999999999999999999999", 100, ERR_NOMEM, "overflow" },
	};
	char	 big[BIG_BODY];
	struct buf got;
	size_t	 i;
	enum err e;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = body_case(bad[i].cl, "0123456789", 10, bad[i].max, false,
		    &got);
		is_int(e, bad[i].want, "CONTENT_LENGTH \"%s\": %s", bad[i].cl,
		    bad[i].what);
		buf_free(&got);
	}
	e = body_case(NULL, NULL, 0, 100, false, &got);
	ok(e == ERR_OK && got.len == 0, "no CONTENT_LENGTH: empty body");
	buf_free(&got);
	e = body_case("", NULL, 0, 100, false, &got);
	ok(e == ERR_OK && got.len == 0, "empty CONTENT_LENGTH: empty body");
	buf_free(&got);
	e = body_case("0", NULL, 0, 100, false, &got);
	ok(e == ERR_OK && got.data != NULL && got.len == 0,
	    "CONTENT_LENGTH 0: an empty, terminated body");
	buf_free(&got);
	e = body_case("10", "0123456789", 10, 10, false, &got);
	ok(e == ERR_OK && got.len == 10 && strcmp(got.data, "0123456789") ==
	    0, "CONTENT_LENGTH equal to the cap: read whole");
	buf_free(&got);
	e = body_case("4", "0123456789", 10, 100, false, &got);
	ok(e == ERR_OK && got.len == 4 && strcmp(got.data, "0123") == 0,
	    "only CONTENT_LENGTH bytes are read");
	buf_free(&got);
	e = body_case("10", "01234", 5, 100, false, &got);
	is_int(e, ERR_INPUT, "the client sent less than it declared");
	buf_free(&got);
	e = body_case("10", "01234", 5, 100, true, &got);
	is_int(e, ERR_INPUT, "the client stopped mid-body");
	buf_free(&got);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	e = body_case("20000", big, sizeof(big), sizeof(big), false, &got);
	ok(e == ERR_OK && got.len == sizeof(big) &&
	    memcmp(got.data, big, sizeof(big)) == 0,
	    "a body of several chunks and records read whole");
	buf_free(&got);
}

static bool
ctype_is(const char *ct, const char *type)
{
	char	 p[256];
	const char *params[2] = { p, NULL };
	struct req r;
	struct buf resp;
	bool	 is;
	int	 fd;

	memset(&r, 0, sizeof(r));
	if (ct != NULL)
		snprintf(p, sizeof(p), "CONTENT_TYPE=%s", ct);
	else
		snprintf(p, sizeof(p), "OTHER=x");
	if ((fd = accept_one(&r, params, NULL, 0, false)) == -1)
		return false;
	is = req_content_type_is(&r, type);
	(void)req_respond(&r, 204, NULL, NULL, 0);
	finish_one(&r, fd, &resp);
	buf_free(&resp);
	return is;
}

static void
test_params(void)
{
	static const char *const params[] = { "REQUEST_METHOD=GET",
	    "QUERY_STRING=a=1&b=2", "HTTP_X_EMPTY=", NULL };
	struct req r;
	struct buf resp;
	int	 fd;

	memset(&r, 0, sizeof(r));
	fd = accept_one(&r, params, NULL, 0, false);
	ok(fd != -1, "a request accepted");
	if (fd == -1)
		return;
	is_str(req_param(&r, "REQUEST_METHOD"), "GET", "req_param");
	is_str(req_param(&r, "QUERY_STRING"), "a=1&b=2",
	    "req_param: a value holding '='");
	is_str(req_param(&r, "HTTP_X_EMPTY"), "", "req_param: empty value");
	ok(req_param(&r, "HTTP_AUTHORIZATION") == NULL,
	    "req_param: absent is NULL");
	ok(req_param(&r, "request_method") == NULL,
	    "req_param: names are case-sensitive");
	(void)req_respond(&r, 204, NULL, NULL, 0);
	finish_one(&r, fd, &resp);
	buf_free(&resp);

	ok(ctype_is("application/json", "application/json"),
	    "content type: exact");
	ok(ctype_is("Application/JSON", "application/json"),
	    "content type: case-insensitive");
	ok(ctype_is("application/json; charset=utf-8", "application/json"),
	    "content type: parameters ignored");
	ok(ctype_is("  application/json \t;x=y", "application/json"),
	    "content type: spaces around");
	ok(!ctype_is("application/jsonx", "application/json"),
	    "content type: a longer type differs");
	ok(!ctype_is("application/js", "application/json"),
	    "content type: a shorter type differs");
	ok(!ctype_is("text/plain, application/json", "application/json"),
	    "content type: a list is not the type");
	ok(!ctype_is(NULL, "application/json"), "content type: absent");
}

/* Answer one request with respond(); returns the raw CGI response. */
static char *
respond_case(const char *method, void (*respond)(struct req *))
{
	char	 m[64];
	const char *params[2] = { m, NULL };
	struct req r;
	struct buf resp;
	int	 fd;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	memset(&r, 0, sizeof(r));
	if ((fd = accept_one(&r, params, NULL, 0, false)) == -1)
		return NULL;
	respond(&r);
	if (!finish_one(&r, fd, &resp)) {
		buf_free(&resp);
		return NULL;
	}
	return buf_steal(&resp);
}

static enum err headers_err[4], second_err;

static void
respond_json(struct req *r)
{
	headers_err[0] = req_header(r, "X-A", "1");
	headers_err[1] = req_headerf(r, "X-B", "%d-%s", 2, "two");
	headers_err[2] = req_header(r, "X-Evil", "a\r\nSet-Cookie: x=1");
	headers_err[3] = req_header(r, "X-Bad\n", "v");
	(void)req_respond(r, 200, "application/json", "{\"a\":1}", 7);
	second_err = req_respond(r, 500, "text/plain", "again", 5);
}

static void
respond_204(struct req *r)
{
	(void)req_respond(r, 204, "text/plain", "ignored", 7);
}

static void
respond_empty(struct req *r)
{
	(void)req_respond(r, 404, NULL, NULL, 0);
}

static void
respond_odd(struct req *r)
{
	(void)req_header(r, "X-Tab", "a\tb");
	(void)req_respond(r, 418, "text/plain", "x", 1);
}

static void
respond_full(struct req *r)
{
	char	 v[1024];
	enum err e = ERR_OK;
	int	 i;

	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	for (i = 0; i < 2 * REQ_HEADERS_MAX / (int)sizeof(v) &&
	    e == ERR_OK; i++)
		e = req_header(r, "X-Fill", v);
	headers_err[0] = e;
	(void)req_respond(r, 200, "text/plain", "ok", 2);
}

static void
test_respond(void)
{
	char	*s;

	s = respond_case("GET", respond_json);
	ok(s != NULL, "a response read");
	is_str(s, "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 7\r\nX-A: 1\r\nX-B: 2-two\r\n\r\n{\"a\":1}",
	    "status, type, length, extra headers, body");
	is_int(headers_err[0], ERR_OK, "req_header");
	is_int(headers_err[1], ERR_OK, "req_headerf");
	is_int(headers_err[2], ERR_INPUT, "a CR LF in a value is refused");
	is_int(headers_err[3], ERR_INPUT, "a LF in a name is refused");
	is_int(second_err, ERR_SYSTEM, "a second response is refused");
	free(s);

	s = respond_case("HEAD", respond_json);
	is_str(s, "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 7\r\nX-A: 1\r\nX-B: 2-two\r\n\r\n",
	    "HEAD: the same headers, no body");
	free(s);

	s = respond_case("GET", respond_204);
	is_str(s, "Status: 204 No Content\r\n\r\n",
	    "204: no length, no type, no body");
	free(s);

	s = respond_case("GET", respond_empty);
	is_str(s, "Status: 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	    "no body: Content-Length 0");
	free(s);

	s = respond_case("GET", respond_odd);
	is_str(s, "Status: 418 Unknown\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 1\r\nX-Tab: a\tb\r\n\r\nx",
	    "an unknown status, a tab in a value");
	free(s);

	s = respond_case("GET", respond_full);
	is_int(headers_err[0], ERR_NOMEM, "headers stop at REQ_HEADERS_MAX");
	ok(s != NULL && strlen(s) < REQ_HEADERS_MAX + 256 &&
	    strstr(s, "X-Fill: \r") == NULL &&
	    strstr(s, "v\r\n\r\nok") != NULL,
	    "the response is still sent, with whole headers only");
	free(s);
}

/* ---- the accept loop, in a child ------------------------------------ */

static void
serve_handle(void *arg, struct req *r)
{
	char	 out[REQ_PATH_MAX + 256];
	int	 n;

	(void)arg;
	if (r->path != NULL && strcmp(r->path, "/silent") == 0)
		return;		/* req_finish answers 500 */
	if (r->path != NULL && strcmp(r->path, "/hdr") == 0)
		(void)req_header(r, "X-Once", "1");
	n = snprintf(out, sizeof(out), "method=%d path=%s query=%s",
	    (int)r->method, r->path != NULL ? r->path : "(null)", r->query);
	(void)req_respond(r, 200, "text/plain", out, (size_t)n);
}

static char *
serve_one(const char *const *params)
{
	struct buf b, resp;
	int	 fd;

	if (!request_build(&b, params, NULL, 0, false, false))
		return NULL;
	if ((fd = client_connect()) == -1) {
		buf_free(&b);
		return NULL;
	}
	if (!write_all(fd, b.data, b.len) || !response_read(fd, &resp)) {
		close(fd);
		buf_free(&b);
		return NULL;
	}
	close(fd);
	buf_free(&b);
	return buf_steal(&resp);
}

static bool
body_is(const char *resp, const char *want)
{
	const char *p;

	if (resp == NULL || (p = strstr(resp, "\r\n\r\n")) == NULL)
		return false;
	if (strcmp(p + 4, want) != 0) {
		tap_diag("got body \"%s\"", p + 4);
		return false;
	}
	return true;
}

/*
 * The accept loop with handle() in a child, the listening socket as its
 * fd 0 (as a web server starts it); its pid, or -1 (a failed test).
 */
static pid_t
serve_child(void (*handle)(void *, struct req *))
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		ok(false, "fork");
		return -1;
	}
	if (pid == 0) {
		if (dup2(listen_fd, 0) == -1)
			_exit(2);
		_exit(req_serve(handle, NULL) == ERR_OK ? 0 : 1);
	}
	return pid;
}

static void
test_serve(void)
{
	static const char *const get[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/api", "PATH_INFO=/tasks/1", "QUERY_STRING=x=1",
	    NULL };
	static const char *const del[] = { "REQUEST_METHOD=DELETE",
	    "SCRIPT_NAME=/api/tasks", NULL };
	static const char *const brew[] = { "REQUEST_METHOD=BREW",
	    "PATH_INFO=/pot", NULL };
	static const char *const none[] = { "X=1", NULL };
	static const char *const hdr[] = { "REQUEST_METHOD=POST",
	    "PATH_INFO=/hdr", NULL };
	static const char *const silent[] = { "REQUEST_METHOD=GET",
	    "PATH_INFO=/silent", NULL };
	static const char *const lower[] = { "REQUEST_METHOD=get", NULL };
	char	 want[64], lp[REQ_PATH_MAX + 64];
	const char *longp[3] = { "REQUEST_METHOD=GET", lp, NULL };
	char	*s;
	pid_t	 pid;
	int	 status;

	if ((pid = serve_child(serve_handle)) == -1)
		return;
	s = serve_one(get);
	snprintf(want, sizeof(want), "method=%d path=/api/tasks/1 query=x=1",
	    REQ_GET);
	ok(body_is(s, want), "serve: GET, path = SCRIPT_NAME + PATH_INFO, "
	    "query");
	free(s);
	s = serve_one(del);
	snprintf(want, sizeof(want), "method=%d path=/api/tasks query=",
	    REQ_DELETE);
	ok(body_is(s, want), "serve: DELETE, no PATH_INFO, query \"\"");
	free(s);
	s = serve_one(brew);
	snprintf(want, sizeof(want), "method=%d path=/pot query=", REQ_OTHER);
	ok(body_is(s, want), "serve: an unknown method is REQ_OTHER");
	free(s);
	s = serve_one(lower);
	snprintf(want, sizeof(want), "method=%d path= query=", REQ_OTHER);
	ok(body_is(s, want), "serve: methods are case-sensitive");
	free(s);
	s = serve_one(none);
	snprintf(want, sizeof(want), "method=%d path= query=", REQ_OTHER);
	ok(body_is(s, want), "serve: no method, no path");
	free(s);
	s = serve_one(hdr);
	ok(s != NULL && strstr(s, "X-Once: 1\r\n") != NULL,
	    "serve: a header for this request");
	free(s);
	s = serve_one(get);
	ok(s != NULL && strstr(s, "X-Once") == NULL,
	    "serve: the next request starts with no extra headers");
	free(s);
	s = serve_one(silent);
	ok(s != NULL && strncmp(s, "Status: 500 ", 12) == 0 &&
	    body_is(s, "internal error\n"),
	    "serve: a handler that does not answer gets a 500");
	free(s);
	snprintf(lp, sizeof(lp), "PATH_INFO=/%0*d", REQ_PATH_MAX - 1, 0);
	s = serve_one(longp);
	snprintf(want, sizeof(want), "method=%d path=/0", REQ_GET);
	ok(s != NULL && strstr(s, want) != NULL,
	    "serve: a path of REQ_PATH_MAX bytes is kept");
	free(s);
	snprintf(lp, sizeof(lp), "PATH_INFO=/%0*d", REQ_PATH_MAX, 0);
	s = serve_one(longp);
	snprintf(want, sizeof(want), "method=%d path=(null) query=", REQ_GET);
	ok(body_is(s, want), "serve: a longer path is NULL");
	free(s);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	/* Not a FastCGI socket on fd 0: the loop ends at once. */
	if ((pid = fork()) == -1) {
		ok(false, "fork");
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null == -1 || dup2(null, 0) == -1)
			_exit(2);
		_exit(req_serve(serve_handle, NULL) == ERR_OK ? 0 : 1);
	}
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0,
	    "serve: returns ERR_OK when fd 0 accepts nothing");
}


/* ---- closing: outright once the input has ended, else lingering -------- */

static void
close_handle(void *arg, struct req *r)
{
	(void)arg;
	if (r->path != NULL && strcmp(r->path, "/read") == 0 &&
	    req_read_body(r, 64) != ERR_OK) {
		(void)req_respond(r, 400, "text/plain", "bad\n", 4);
		return;
	}
	(void)req_respond(r, 200, "text/plain", "ok\n", 3);
}

/*
 * Send one request (the connection not kept), read the answer, then the
 * end of the stream, then write one byte.  1: the write failed with
 * EPIPE, the server had closed its socket outright; 0: it went through,
 * the server still reads (libfcgi's lingering close: shutdown, then read
 * until the client closes); -1: something else failed.
 */
static int
closed_outright(const char *const *params, const char *body, size_t len)
{
	struct buf b, resp;
	char	 c;
	int	 fd, ret = -1;

	buf_init(&resp, 0);
	if (!request_build(&b, params, body, len, false, false))
		return -1;
	if ((fd = client_connect()) != -1) {
		if (write_all(fd, b.data, b.len) && response_read(fd, &resp) &&
		    read(fd, &c, 1) == 0) {
			if (send(fd, "x", 1, MSG_NOSIGNAL) == 1)
				ret = 0;
			else if (errno == EPIPE)
				ret = 1;
		}
		close(fd);
	}
	buf_free(&resp);
	buf_free(&b);
	return ret;
}

static void
test_close(void)
{
	static const char *const get0[] = { "REQUEST_METHOD=GET",
	    "CONTENT_LENGTH=0", NULL };
	static const char *const get[] = { "REQUEST_METHOD=GET", NULL };
	static const char *const getempty[] = { "REQUEST_METHOD=GET",
	    "CONTENT_LENGTH=", NULL };
	static const char *const read5[] = { "REQUEST_METHOD=POST",
	    "PATH_INFO=/read", "CONTENT_LENGTH=5", NULL };
	static const char *const unread5[] = { "REQUEST_METHOD=POST",
	    "PATH_INFO=/other", "CONTENT_LENGTH=5", NULL };
	pid_t	 pid;
	int	 status;

	if ((pid = serve_child(close_handle)) == -1)
		return;
	is_int(closed_outright(get0, NULL, 0), 1, "close: no body "
	    "(CONTENT_LENGTH 0): closed outright, no lingering wait");
	is_int(closed_outright(read5, "hello", 5), 1, "close: a body read to "
	    "its end: closed outright");
	is_int(closed_outright(unread5, "hello", 5), 0, "close: a body left "
	    "unread: libfcgi's lingering close reads it away");
	is_int(closed_outright(get, NULL, 0), 1, "close: no CONTENT_LENGTH "
	    "(no body, RFC 3875): closed outright");
	is_int(closed_outright(getempty, NULL, 0), 1, "close: CONTENT_LENGTH "
	    "\"\" (nginx without a body): closed outright");
	is_int(closed_outright(get, "hello", 5), 0, "close: a body sent "
	    "without CONTENT_LENGTH: lingering close");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* ---- request ids, the done hook, the access record ------------------ */

static int done_fd = -1;	/* the child's end of the report pipe */

/* An unlinked temporary file, or -1. */
static int
tmp_file(void)
{
	const char *tmp = getenv("TMPDIR");
	char	 path[256];
	int	 fd, n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(path, sizeof(path), "%s/test_req.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof(path) || (fd = mkstemp(path)) == -1)
		return -1;
	unlink(path);
	return fd;
}

static void
ids_handle(void *arg, struct req *r)
{
	char	 out[256];
	int	 n;

	(void)arg;
	if (r->path != NULL && strcmp(r->path, "/silent") == 0)
		return;		/* req_finish answers 500 */
	if (r->path != NULL && strncmp(r->path, "/r/", 3) == 0)
		req_set_route(r, "/r/{x}");
	log_info("inside %s", r->path != NULL ? r->path : "-");
	n = snprintf(out, sizeof(out), "id=%s", req_request_id(r));
	(void)req_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
ids_done(void *arg, const struct req *r)
{
	char	 out[256];
	int	 n;

	(void)arg;
	req_log_access(r);
	n = snprintf(out, sizeof(out), "%d %s %s %s\n", req_status(r),
	    req_route(r) != NULL ? req_route(r) : "(none)",
	    req_request_id(r), req_elapsed_ms(r) >= 0 ? "ms" : "neg");
	if (n > 0 && write(done_fd, out, (size_t)n) != n)
		_exit(3);
}

/* The X-Request-Id value of a raw response, copied into out. */
static bool
resp_id(const char *resp, char *out, size_t len)
{
	const char *p, *e;

	out[0] = '\0';
	if (resp == NULL || (p = strstr(resp, "\r\nX-Request-Id: ")) == NULL ||
	    (e = strstr(p + 2, "\r\n")) == NULL ||
	    (size_t)(e - p - 16) >= len)
		return false;
	memcpy(out, p + 16, (size_t)(e - p - 16));
	out[e - p - 16] = '\0';
	/* Only one. */
	return strstr(e, "\r\nX-Request-Id: ") == NULL;
}

static size_t
lines_in(const char *s)
{
	size_t n = 0;

	for (; (s = strchr(s, '\n')) != NULL; s++)
		n++;
	return n;
}

static bool
fresh_id(const char *id)
{
	return strlen(id) == 22 && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") == 22;
}

static void
test_ids(void)
{
	static const struct {
		const char	*hdr;	/* X-Request-Id; NULL: none */
		bool		 kept;
		const char	*what;
	} cases[] = {
		{ NULL, false, "no X-Request-Id: a fresh id" },
		{ "abcdefgh", true, "8 characters: kept" },
		{ "Az09._-Az09._-", true, "every allowed character: kept" },
		{ "0123456789012345678901234567890123456789012345678901234567"
		    "890123", true, "64 characters: kept" },
		{ "abcdefg", false, "7 characters: replaced" },
		{ "0123456789012345678901234567890123456789012345678901234567"
		    "8901234", false, "65 characters: replaced" },
		{ "", false, "empty: replaced" },
		{ "abcdefgh ijk", false, "a space: replaced" },
		{ "abcdefgh\tij", false, "a tab: replaced" },
		{ "abcdefgh/ijk", false, "a slash: replaced" },
		{ "abcdefgh\"x", false, "a quote: replaced" },
		{ "abcdefgh%0d%0aSet-Cookie:x", false,
		    "an encoded CR LF: replaced" },
		{ "caf\xc3\xa9-1234", false, "UTF-8: replaced" },
	};
	char	 hp[256], id[128], body[160], first[128], logbuf[16384];
	char	 report[4096];
	const char *params[4];
	char	*s;
	pid_t	 pid;
	size_t	 i, rn = 0;
	ssize_t	 n;
	int	 status, pfd[2], logfd;
	bool	 good;

	logfd = tmp_file();
	if (logfd == -1 || pipe(pfd) == -1) {
		ok(false, "a log file and a pipe");
		return;
	}
	if ((pid = fork()) == -1) {
		ok(false, "fork");
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		done_fd = pfd[1];
		if (dup2(listen_fd, 0) == -1 || dup2(logfd, 2) == -1)
			_exit(2);
		log_init("test_req", LOG_LEVEL_INFO);
		_exit(req_serve_with(ids_handle, ids_done, NULL) == ERR_OK ?
		    0 : 1);
	}
	close(pfd[1]);
	first[0] = '\0';
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		params[0] = "REQUEST_METHOD=GET";
		params[1] = "PATH_INFO=/r/1";
		params[2] = NULL;
		if (cases[i].hdr != NULL) {
			snprintf(hp, sizeof(hp), "HTTP_X_REQUEST_ID=%s",
			    cases[i].hdr);
			params[2] = hp;
		}
		params[3] = NULL;
		s = serve_one(params);
		good = resp_id(s, id, sizeof(id));
		snprintf(body, sizeof(body), "id=%s", id);
		good = good && body_is(s, body);
		if (cases[i].kept)
			good = good && strcmp(id, cases[i].hdr) == 0;
		else
			good = good && fresh_id(id) && strcmp(id, first) != 0;
		if (!cases[i].kept && first[0] == '\0')
			snprintf(first, sizeof(first), "%s", id);
		if (!ok(good, "request id: %s", cases[i].what))
			tap_diag("id \"%s\"", id);
		free(s);
	}


	params[0] = "REQUEST_METHOD=POST";
	params[1] = "PATH_INFO=/silent";
	params[2] = "HTTP_X_REQUEST_ID=silent-0001";
	params[3] = NULL;
	s = serve_one(params);
	ok(s != NULL && strncmp(s, "Status: 500 ", 12) == 0 &&
	    resp_id(s, id, sizeof(id)) && strcmp(id, "silent-0001") == 0,
	    "request id: on the 500 req_serve sends too");
	free(s);
	params[1] = "PATH_INFO=/other";
	params[2] = NULL;
	s = serve_one(params);
	ok(resp_id(s, id, sizeof(id)) && fresh_id(id),
	    "request id: a request with no route set");
	free(s);

	/*
	 * The hook runs once per request, after the answer: wait for its
	 * lines (the test's alarm bounds the wait), then stop the child.
	 */
	report[0] = '\0';
	while (lines_in(report) < sizeof(cases) / sizeof(cases[0]) + 2 &&
	    rn < sizeof(report) - 1 &&
	    (n = read(pfd[0], report + rn, sizeof(report) - 1 - rn)) > 0) {
		rn += (size_t)n;
		report[rn] = '\0';
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	close(pfd[0]);
	is_int(lines_in(report), sizeof(cases) / sizeof(cases[0]) + 2,
	    "done: once per request");
	ok(strstr(report, "200 /r/{x} abcdefgh ms\n") != NULL,
	    "done: status, route, id, elapsed");
	ok(strstr(report, "500 (none) silent-0001 ms\n") != NULL,
	    "done: the 500 req_serve sent, no route");

	if (lseek(logfd, 0, SEEK_SET) == -1 ||
	    (n = read(logfd, logbuf, sizeof(logbuf) - 1)) < 0)
		n = 0;
	logbuf[n] = '\0';
	close(logfd);
	ok(strstr(logbuf, ": info: ids_handle: [abcdefgh] inside /r/1\n") !=
	    NULL, "log: a handler's record carries the request id");
	ok(strstr(logbuf, ": info: access: [abcdefgh] GET /r/{x} 200 "
	    "method=GET route=/r/{x} status=200 duration_ms=") != NULL,
	    "log: the access record");
	ok(strstr(logbuf, ": info: access: [silent-0001] POST - 500 "
	    "method=POST status=500 duration_ms=") != NULL,
	    "log: the access record of a 500");
	if (!ok(strstr(logbuf, "abcdefgh%0d") == NULL &&
	    strstr(logbuf, "Set-Cookie") == NULL,
	    "log: a refused client id is not logged"))
		tap_diag("%s", logbuf);
}

/* Fresh ids come from a pool of 64: 150 cross two refills. */
static void
test_ids_unique(void)
{
	static char many[150][32];
	const char *params[] = { "REQUEST_METHOD=GET", "PATH_INFO=/r/1",
	    NULL };
	char	*s;
	pid_t	 pid;
	size_t	 i, j;
	int	 status;
	bool	 good = true;

	if ((pid = fork()) == -1) {
		ok(false, "fork");
		return;
	}
	if (pid == 0) {
		if ((done_fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(listen_fd, 0) == -1 || dup2(done_fd, 2) == -1)
			_exit(2);
		log_init("test_req", LOG_LEVEL_ERR);
		_exit(req_serve_with(ids_handle, ids_done, NULL) == ERR_OK ?
		    0 : 1);
	}
	for (i = 0; i < sizeof(many) / sizeof(many[0]) && good; i++) {
		s = serve_one(params);
		good = resp_id(s, many[i], sizeof(many[i])) &&
		    fresh_id(many[i]);
		for (j = 0; j < i && good; j++)
			good = strcmp(many[j], many[i]) != 0;
		free(s);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (!ok(good, "request id: 150 fresh ids, all different"))
		tap_diag("at %zu: %s", i - 1, many[i - 1]);
}

static void
respond_with_id(struct req *r)
{
	memcpy(r->id, "the-id-123", 11);
	(void)req_header(r, "X-A", "1");
	(void)req_respond(r, 200, "text/plain", "ok", 2);
}

static void
test_respond_id(void)
{
	char	*s;

	s = respond_case("GET", respond_with_id);
	is_str(s, "Status: 200 OK\r\nContent-Type: text/plain\r\n"
	    "Content-Length: 2\r\nX-A: 1\r\nX-Request-Id: the-id-123\r\n\r\n"
	    "ok", "req_respond writes X-Request-Id after the extra headers");
	free(s);
	s = respond_case("GET", respond_204);
	is_str(s, "Status: 204 No Content\r\n\r\n",
	    "no id (not from req_serve): no header");
	free(s);
	is_str(req_method_name(REQ_PATCH), "PATCH", "req_method_name");
	is_str(req_method_name(REQ_METHOD__MAX), "OTHER",
	    "req_method_name out of range");
}

static bool
listen_init(void)
{
	struct sockaddr_un sun;
	const char *tmp = getenv("TMPDIR");
	int	 n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(sock_path, sizeof(sock_path), "%s/test_req.%ld.sock",
	    tmp, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(sock_path))
		return false;
	unlink(sock_path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock_path, sizeof(sun.sun_path));
	if ((listen_fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(listen_fd, 16) == -1)
		return false;
	return FCGX_Init() == 0;
}

/* req_from_loopback on REMOTE_ADDR: loopback v4, v6, v4-mapped only. */
static void
test_loopback(void)
{
	static const struct {
		const char	*addr;		/* NULL: none sent */
		bool		 loop;
	} cases[] = {
		{ "127.0.0.1", true }, { "127.255.0.9", true },
		{ "::1", true }, { "::ffff:127.0.0.1", true },
		{ "128.0.0.1", false }, { "10.0.0.1", false },
		{ "192.0.2.7", false }, { "::2", false },
		{ "::ffff:192.0.2.7", false }, { "localhost", false },
		{ "127.0.0.1 ", false }, { "", false }, { NULL, false },
	};
	char	 p[64];
	const char *params[3];
	struct req r;
	struct buf resp;
	size_t	 i;
	int	 fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		params[0] = "REQUEST_METHOD=GET";
		params[1] = NULL;
		params[2] = NULL;
		if (cases[i].addr != NULL) {
			snprintf(p, sizeof(p), "REMOTE_ADDR=%s", cases[i].addr);
			params[1] = p;
		}
		if ((fd = accept_one(&r, params, NULL, 0, false)) == -1) {
			ok(false, "loopback case %zu: accepted", i);
			continue;
		}
		is_int(req_from_loopback(&r), cases[i].loop,
		    "req_from_loopback(%s)", cases[i].addr ? cases[i].addr :
		    "(none)");
		(void)req_respond(&r, 204, NULL, NULL, 0);
		finish_one(&r, fd, &resp);
		buf_free(&resp);
	}
}

int
main(void)
{
	log_init("test_req", LOG_LEVEL_ERR);
	alarm(TEST_DEADLINE_S);	/* a hung read fails the test */
	signal(SIGPIPE, SIG_IGN);
	if (!ok(listen_init(), "a FastCGI socket at %s", sock_path))
		return tap_done();
	test_params();
	test_body();
	test_respond();
	test_serve();
	test_close();
	test_respond_id();
	test_ids();
	test_ids_unique();
	test_loopback();
	close(listen_fd);
	unlink(sock_path);
	return tap_done();
}
