#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

#include "bearer.h"
#include "log.h"
#include "metrics.h"
#include "req.h"

#define REQ_READ_CHUNK 8192
#define REQ_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789._-"

_Static_assert(REQ_ID_MAX == LOG_REQUEST_ID_MAX,
    "a request id must fit the log's request context");
_Static_assert((REQ_ID_RANDOM_BYTES * 4 + 2) / 3 <= REQ_ID_MAX &&
    (REQ_ID_RANDOM_BYTES * 4 + 2) / 3 >= REQ_ID_MIN,
    "a fresh id is a valid id");

static const char *const req_methods[REQ_METHOD__MAX] = {
	[REQ_GET] = "GET",
	[REQ_HEAD] = "HEAD",
	[REQ_POST] = "POST",
	[REQ_PUT] = "PUT",
	[REQ_PATCH] = "PATCH",
	[REQ_DELETE] = "DELETE",
	[REQ_OPTIONS] = "OPTIONS",
	[REQ_OTHER] = "OTHER",
};

static enum req_method
req_method_parse(const char *s)
{
	size_t i;

	if (s == NULL)
		return REQ_OTHER;
	for (i = 0; i < REQ_OTHER; i++)
		if (strcmp(s, req_methods[i]) == 0)
			return (enum req_method)i;
	return REQ_OTHER;
}

const char *
req_method_name(enum req_method m)
{
	return (unsigned)m < REQ_METHOD__MAX ? req_methods[m] : "OTHER";
}

/* Fill len bytes from the kernel's random source. */
static bool
req_random(unsigned char *p, size_t len)
{
	ssize_t	 n;
	size_t	 got = 0;
	int	 fd;

	while (got < len) {
		n = getrandom(p + got, len - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == len)
		return true;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	for (got = 0; got < len; got += (size_t)n)
		if ((n = read(fd, p + got, len - got)) <= 0)
			break;
	close(fd);
	return got == len;
}

/*
 * REQ_ID_RANDOM_BYTES random bytes for a request id, from a pool the
 * kernel fills REQ_ID_POOL ids at a time: one getrandom() per 64
 * requests instead of one each.  Ids are not secrets, only unique; the
 * programs never fork, so no two processes share a pool.
 */
#define REQ_ID_POOL 64
static bool
req_id_random(unsigned char out[REQ_ID_RANDOM_BYTES])
{
	static unsigned char pool[REQ_ID_POOL * REQ_ID_RANDOM_BYTES];
	static size_t left;

	if (left == 0) {
		if (!req_random(pool, sizeof(pool)))
			return false;
		left = sizeof(pool);
	}
	left -= REQ_ID_RANDOM_BYTES;
	memcpy(out, pool + left, REQ_ID_RANDOM_BYTES);
	return true;
}

/*
 * The request's id: the client's X-Request-Id when it is well formed,
 * else REQ_ID_RANDOM_BYTES random bytes in base64url.
 */
static void
req_id_choose(struct req *r)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	static unsigned long fallback;
	unsigned char rnd[REQ_ID_RANDOM_BYTES];
	const char *h;
	size_t	 n, i, o = 0;
	unsigned v;
	int	 bits = 0;

	h = req_param(r, "HTTP_X_REQUEST_ID");
	if (h != NULL && (n = strspn(h, REQ_ID_CHARS)) >= REQ_ID_MIN &&
	    n <= REQ_ID_MAX && h[n] == '\0') {
		memcpy(r->id, h, n + 1);
		return;
	}
	if (!req_id_random(rnd)) {
		/* Unique in this process at least; says it is not random. */
		log_err("no random bytes for a request id");
		snprintf(r->id, sizeof(r->id), "local-%ld-%lu-%lld",
		    (long)getpid(), ++fallback, (long long)r->start.tv_nsec);
		return;
	}
	for (i = 0, v = 0; i < sizeof(rnd); i++) {
		v = (v << 8) | rnd[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			r->id[o++] = b64[(v >> bits) & 0x3f];
		}
	}
	if (bits > 0)
		r->id[o++] = b64[(v << (6 - bits)) & 0x3f];
	r->id[o] = '\0';
}

/* Wait for the next request; false when the server closes the socket. */
static bool
req_accept(struct req *r)
{
	const char *sn, *pi;

	r->path = NULL;
	buf_init(&r->body, 0);
	r->body_read = false;
	buf_init(&r->headers, REQ_HEADERS_MAX);
	r->responded = false;
	r->id[0] = '\0';
	r->status = 0;
	r->route = NULL;
	if (FCGX_Accept_r(&r->fcgi) < 0)
		return false;
	if (clock_gettime(CLOCK_MONOTONIC, &r->start) == -1)
		memset(&r->start, 0, sizeof(r->start));
	req_id_choose(r);
	log_request_begin(r->id);
	r->method = req_method_parse(req_param(r, "REQUEST_METHOD"));
	if ((r->query = req_param(r, "QUERY_STRING")) == NULL)
		r->query = "";
	sn = req_param(r, "SCRIPT_NAME");
	pi = req_param(r, "PATH_INFO");
	if (sn == NULL)
		sn = "";
	if (pi == NULL)
		pi = "";
	if (strlen(sn) + strlen(pi) <= REQ_PATH_MAX) {
		size_t n = strlen(sn) + strlen(pi) + 1;

		if ((r->path = malloc(n)) != NULL)
			snprintf(r->path, n, "%s%s", sn, pi);
	}
	return true;
}

/*
 * True when the server has sent all of the request: no body (RFC 3875
 * 4.1.2: CONTENT_LENGTH absent, "" or 0), or a body read to its end, then
 * the end of the input, which servers send right after the parameters or
 * the body.  A body left unread: false without reading.  (A body sent
 * without a length, outside CGI's contract, reads as a byte, not as the
 * end: false too.)
 */
static bool
req_input_done(struct req *r)
{
	const char *cl;

	if (FCGX_HasSeenEOF(r->fcgi.in))
		return true;
	cl = req_param(r, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0 && !r->body_read)
		return false;
	return FCGX_GetChar(r->fcgi.in) == EOF;
}

/* Finish the request, tell done(), and free what it owns. */
static void
req_finish(struct req *r, void (*done)(void *, const struct req *),
    void *arg)
{
	if (!r->responded)
		req_respond(r, 500, "text/plain", "internal error\n", 15);
	/*
	 * libfcgi closes a connection with shutdown(), then reads until the
	 * server closes its end (at most 2 s), lest data the server is still
	 * sending reset the connection before it has read the answer.  When
	 * it has sent everything there is nothing to wait for: a plain
	 * close() (FCGX_Detach) saves that wait and three system calls.
	 */
	if (!r->fcgi.keepConnection && req_input_done(r))
		(void)FCGX_Detach(&r->fcgi);
	FCGX_Finish_r(&r->fcgi);
	if (done != NULL)
		done(arg, r);
	buf_free(&r->body);
	buf_free(&r->headers);
	free(r->path);
	r->path = NULL;
	r->route = NULL;
	r->id[0] = '\0';
	log_request_end();
}

const char *
req_request_id(const struct req *r)
{
	return r->id;
}

void
req_set_route(struct req *r, const char *route)
{
	r->route = route;
}

const char *
req_route(const struct req *r)
{
	return r->route;
}

int
req_status(const struct req *r)
{
	return r->status;
}

double
req_elapsed_ms(const struct req *r)
{
	struct timespec now;

	if ((r->start.tv_sec == 0 && r->start.tv_nsec == 0) ||
	    clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	return (double)(now.tv_sec - r->start.tv_sec) * 1000.0 +
	    (double)(now.tv_nsec - r->start.tv_nsec) / 1e6;
}

void
req_log_access(const struct req *r)
{
	log_access(req_method_name(r->method), r->route, r->status,
	    req_elapsed_ms(r));
}

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi.envp);
}

bool
req_from_loopback(const struct req *r)
{
	const char *addr = req_param(r, "REMOTE_ADDR");
	struct in_addr a4;
	struct in6_addr a6;

	if (addr == NULL)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

enum err
req_read_body(struct req *r, size_t max)
{
	const char *cl;
	char	*end, chunk[REQ_READ_CHUNK];
	unsigned long long n;
	size_t	 want, got;
	int	 rd;
	enum err e;

	buf_init(&r->body, max);
	cl = req_param(r, "CONTENT_LENGTH");
	if (cl == NULL || *cl == '\0')
		return ERR_OK;
	if (*cl < '0' || *cl > '9')
		return ERR_INPUT;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0')
		return n == ULLONG_MAX ? ERR_NOMEM : ERR_INPUT;
	if (n > max)
		return ERR_NOMEM;
	want = (size_t)n;
	for (got = 0; got < want; got += (size_t)rd) {
		size_t c = want - got < sizeof(chunk) ?
		    want - got : sizeof(chunk);

		rd = FCGX_GetStr(chunk, (int)c, r->fcgi.in);
		if (rd <= 0)
			return ERR_INPUT;
		if ((e = buf_add(&r->body, chunk, (size_t)rd)) != ERR_OK)
			return e;
	}
	r->body_read = true;
	if (r->body.data == NULL && (e = buf_add(&r->body, "", 0)) != ERR_OK)
		return e;
	return ERR_OK;
}

bool
req_content_type_is(const struct req *r, const char *type)
{
	const char *ct;
	size_t	 n = strlen(type);

	if ((ct = req_param(r, "CONTENT_TYPE")) == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static bool
req_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return true;
}

enum err
req_header(struct req *r, const char *name, const char *value)
{
	enum err e;

	if (!req_header_safe(name) || !req_header_safe(value)) {
		log_err("refusing header %s with control bytes", name);
		return ERR_INPUT;
	}
	/* All of it or nothing: never half a header line. */
	if (strlen(name) + strlen(value) + 4 >
	    r->headers.max - r->headers.len) {
		log_err("no room for header %s", name);
		return ERR_NOMEM;
	}
	if ((e = buf_adds(&r->headers, name)) != ERR_OK ||
	    (e = buf_add(&r->headers, ": ", 2)) != ERR_OK ||
	    (e = buf_adds(&r->headers, value)) != ERR_OK ||
	    (e = buf_add(&r->headers, "\r\n", 2)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err
req_headerf(struct req *r, const char *name, const char *fmt, ...)
{
	struct buf v;
	va_list	 ap;
	enum err e;

	buf_init(&v, REQ_HEADERS_MAX);
	va_start(ap, fmt);
	e = buf_vaddf(&v, fmt, ap);
	va_end(ap);
	if (e == ERR_OK)
		e = req_header(r, name, buf_str(&v));
	buf_free(&v);
	return e;
}

static const char *
req_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

enum err
req_respond(struct req *r, int status, const char *ctype, const void *body,
    size_t len)
{
	char	 head[256];
	int	 n;

	if (r->responded)
		return ERR_SYSTEM;
	r->responded = true;
	r->status = status;
	if (status == 204 || status == 304)
		len = 0;
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n", status,
	    req_status_text(status));
	if (n < 0 || (size_t)n >= sizeof(head))
		return ERR_SYSTEM;
	if (FCGX_PutStr(head, n, r->fcgi.out) != n)
		return ERR_SYSTEM;
	if (ctype != NULL && len > 0) {
		n = snprintf(head, sizeof(head), "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n", ctype, len);
		if (n < 0 || (size_t)n >= sizeof(head))
			return ERR_SYSTEM;
		if (FCGX_PutStr(head, n, r->fcgi.out) != n)
			return ERR_SYSTEM;
	} else if (status != 204 && status != 304) {
		if (FCGX_PutS("Content-Length: 0\r\n", r->fcgi.out) < 0)
			return ERR_SYSTEM;
	}
	if (r->headers.len > 0 && FCGX_PutStr(r->headers.data,
	    (int)r->headers.len, r->fcgi.out) != (int)r->headers.len)
		return ERR_SYSTEM;
	if (r->id[0] != '\0') {
		n = snprintf(head, sizeof(head), "X-Request-Id: %s\r\n", r->id);
		if (n < 0 || (size_t)n >= sizeof(head))
			return ERR_SYSTEM;
		if (FCGX_PutStr(head, n, r->fcgi.out) != n)
			return ERR_SYSTEM;
	}
	if (FCGX_PutStr("\r\n", 2, r->fcgi.out) != 2)
		return ERR_SYSTEM;
	if (r->method != REQ_HEAD && len > 0 &&
	    FCGX_PutStr(body, (int)len, r->fcgi.out) != (int)len)
		return ERR_SYSTEM;
	return ERR_OK;
}

enum err
req_serve(void (*handle)(void *, struct req *), void *arg)
{
	return req_serve_with(handle, NULL, arg);
}

enum err
req_serve_with(void (*handle)(void *, struct req *),
    void (*done)(void *, const struct req *), void *arg)
{
	struct req r;

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0) {
		log_err("cannot initialise FastCGI");
		return ERR_SYSTEM;
	}
	memset(&r, 0, sizeof(r));
	if (FCGX_InitRequest(&r.fcgi, 0, 0) != 0) {
		log_err("cannot initialise a FastCGI request");
		return ERR_SYSTEM;
	}
	while (req_accept(&r)) {
		handle(arg, &r);
		req_finish(&r, done, arg);
	}
	return ERR_OK;
}

bool
req_metrics_allowed(const struct req *r, const char *secret)
{
	const char *tok;
	size_t	 len;

	if (secret == NULL)
		return req_from_loopback(r);
	if (bearer_parse(req_param(r, "HTTP_AUTHORIZATION"), &tok, &len) !=
	    ERR_OK)
		return false;
	return len == strlen(secret) && CRYPTO_memcmp(tok, secret, len) == 0;
}

void
req_json_status(struct req *r, int status, const char *json)
{
	(void)req_header(r, "Cache-Control", "no-store");
	if (status == 503)
		(void)req_header(r, "Retry-After", REQ_RETRY_AFTER);
	req_respond(r, status, "application/json", json, strlen(json));
}

void
req_metrics(struct req *r, const struct metrics *m, size_t cap)
{
	struct buf b;

	if (m == NULL) {
		req_json_status(r, 503, "{\"status\":\"unavailable\","
		    "\"reason\":\"metrics\"}");
		return;
	}
	buf_init(&b, cap);
	if (metrics_render(m, &b) != ERR_OK || b.err != ERR_OK) {
		log_err("cannot render the metrics");
		req_respond(r, 500, "text/plain", "internal error\n", 15);
	} else {
		(void)req_header(r, "Cache-Control", "no-store");
		req_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8",
		    b.data, b.len);
	}
	buf_free(&b);
}
