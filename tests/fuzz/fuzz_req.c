/*
 * fuzz_req: the FastCGI front line (lib/req.c over libfcgi): the input
 * is the byte stream a web server would send on one connection, any
 * records in any order (BEGIN_REQUEST, PARAMS, STDIN, GET_VALUES,
 * records of other requests or types), made a stream libfcgi frames
 * as written (see normalize() below: one request per connection, as
 * mod_fcgid and lighttpd send them).  req_serve() runs as
 * in the programs, on a listening Unix socket made its fd 0 and set
 * non-blocking, so it returns once the one connection is done; a
 * thread plays the web server: it writes the input, then reads and
 * drops whatever comes back until the program closes.
 *
 * The handler does what the two programs do with a request: parameters
 * (method, path, query, content type, cookie, authorization), the body
 * with CONTENT_LENGTH (64 KiB for JSON as the API, 16 KiB for forms as
 * the web app, then the form parsed), the query parsed, a header made
 * of a parameter, and an answer (or none: req_serve answers 500).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "buf.h"
#include "log.h"
#include "req.h"
#include "url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(256 * 1024)
#define FUZZ_API_MAX	(64 * 1024)	/* API_BODY_MAX */
#define FUZZ_FORM_MAX	(16 * 1024)	/* WEB_FORM_MAX */

#define FCGI_HEADER_LEN		8
#define FCGI_VERSION_1		1
#define FCGI_GET_VALUES		9
#define FCGI_NULL_REQUEST_ID	0
#define FCGI_BEGIN_REQUEST	1
#define FCGI_PARAMS		4
#define FCGI_KEEP_CONN		1
#define FCGI_BEGIN_BODY_LEN	8

/*
 * What libfcgi 2.4.2 (Debian 12, 2.4.2-2+deb12u1) does with some record
 * streams is libfcgi's business, not lib/req.c's, and only the web
 * server can provoke it (it writes the records; a client's bytes reach
 * them only framed and measured by it):
 *
 * - ReadParams() allocates nameLen + valueLen + 2 bytes, as the length
 *   fields say, before reading them: lengths near 2^31 wrap the int sum
 *   and its Malloc() asserts (the process aborts); other large ones
 *   allocate up to 2 GiB for a few bytes of input.
 * - ProcessManagementRecord() leaks 48 bytes for every management
 *   record (request id 0) of a type other than FCGI_GET_VALUES.
 * - It does not skip a BEGIN_REQUEST record's padding, reads on 8 bytes
 *   after a header of another version, and with FCGI_KEEP_CONN drops
 *   what it had read ahead of a finished request: from there on its
 *   idea of where records start is not the stream's.
 * - A BEGIN_REQUEST whose content is not 8 bytes long, met while it
 *   reads parameters, is a protocol error that ReadParams() does not
 *   check: the request goes on, and the next read takes the record's
 *   content for a header (the campaign reached a management record of
 *   type 0, and its leak, that way).
 * - It does not skip the padding of the empty PARAMS record that ends
 *   the parameters (switching to STDIN forgets it) and reads the
 *   padding as the next header: the campaign's second way to a
 *   management record of type 0.  A server has nothing to pad in an
 *   empty record.
 * - It skips the records of other request ids (and of any id before
 *   the first BEGIN_REQUEST), but one with no content leaves its skip
 *   flag set, so the content of the next record, of whatever request,
 *   is dropped too: the parameters it read are not the stream's (the
 *   campaign reached ReadParams()'s wrapping sum that way).  A server
 *   sends no record of another request on a connection it does not
 *   multiplex.
 * - For the same reason (ReadParams() ignores errors, and switching to
 *   STDIN forgets the record in hand), any protocol error while it
 *   reads the parameters misframes what follows: a record of the
 *   request with another type than PARAMS before the empty PARAMS, or
 *   an FCGI_GET_VALUES whose content is not whole name-value pairs.
 *   Servers send PARAMS, the empty PARAMS, then STDIN.
 *
 * So the input is first made a stream whose framing libfcgi follows:
 * version 1 everywhere, BEGIN_REQUEST records of 8 bytes without
 * padding, no padding on empty records, no FCGI_KEEP_CONN (one request
 * per connection), no management record but FCGI_GET_VALUES, no empty
 * record of another request id, and until
 * the first request's parameters end, none of its records but PARAMS
 * and no FCGI_GET_VALUES that is not whole pairs; a truncated last
 * record stays truncated.  Then
 * inputs whose parameters (the PARAMS records of the request's id, or a
 * GET_VALUES record) hold a name/value pair longer than the whole input
 * -- a length no honest web server sends -- are skipped.  That is better
 * than a LeakSanitizer suppression of libfcgi, which would also hide a
 * request that lib/req.c forgets to finish.
 */
static uint8_t	norm[FUZZ_MAX];

/*
 * The lengths of the name-value pair at *p (n bytes left), as
 * ReadParams() reads them; advances past the two length fields.  False
 * when the bytes end inside them.
 */
static bool
pair_lengths(const uint8_t **p, size_t *n, size_t len[2])
{
	const uint8_t *q = *p;
	int	 k;

	for (k = 0; k < 2; k++) {
		if (*n < 1)
			return false;
		if (q[0] < 0x80) {
			len[k] = q[0];
			q++;
			(*n)--;
		} else {
			if (*n < 4)
				return false;
			len[k] = (size_t)(q[0] & 0x7f) << 24 |
			    (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
			q += 4;
			*n -= 4;
		}
	}
	*p = q;
	return true;
}

/* True if p[0..n) is whole name-value pairs. */
static bool
pairs_whole(const uint8_t *p, size_t n)
{
	size_t	 len[2];

	while (n > 0) {
		if (!pair_lengths(&p, &n, len) || len[0] + len[1] > n)
			return false;
		p += len[0] + len[1];
		n -= len[0] + len[1];
	}
	return true;
}

/* The first request, while its parameters are read. */
struct norm_state {
	unsigned	 cur;		/* its id; 0: no BEGIN_REQUEST yet */
	bool		 in_params;
};

/* Whether the record at p (avail bytes of input left) is kept. */
static bool
norm_keep(struct norm_state *st, const uint8_t *p, size_t avail)
{
	unsigned id = (unsigned)p[2] << 8 | p[3], type = p[1];
	size_t	 clen = (size_t)p[4] << 8 | p[5];

	if (id == FCGI_NULL_REQUEST_ID)
		return type == FCGI_GET_VALUES && (!st->in_params ||
		    (clen <= avail - FCGI_HEADER_LEN &&
		    pairs_whole(p + FCGI_HEADER_LEN, clen)));
	if (type == FCGI_BEGIN_REQUEST) {
		if (clen != FCGI_BEGIN_BODY_LEN)
			return false;
		if (st->cur == 0) {
			st->cur = id;
			st->in_params = true;
		}
		return true;
	}
	/*
	 * libfcgi skips the records of other requests, but an empty one
	 * leaves its skip flag set: the next record's content goes too.
	 */
	if (id != st->cur && clen == 0)
		return false;
	if (st->in_params && id == st->cur) {
		if (type != FCGI_PARAMS)
			return false;
		if (clen == 0)
			st->in_params = false;
	}
	return true;
}

static size_t
normalize(const uint8_t *p, size_t n)
{
	struct norm_state st = { 0, false };
	size_t	 len, clen, o = 0;

	while (n > 0) {
		if (n < FCGI_HEADER_LEN) {
			memcpy(norm + o, p, n);
			return o + n;
		}
		clen = (size_t)p[4] << 8 | p[5];
		len = FCGI_HEADER_LEN + clen + p[6];
		if (len > n)
			len = n;
		if (norm_keep(&st, p, n)) {
			memcpy(norm + o, p, len);
			norm[o] = FCGI_VERSION_1;
			if (clen == 0 && len > FCGI_HEADER_LEN) {
				norm[o + 6] = 0;
				len = FCGI_HEADER_LEN;
			}
			if (p[1] == FCGI_BEGIN_REQUEST) {
				norm[o + 6] = 0;
				if (len > FCGI_HEADER_LEN + clen)
					len = FCGI_HEADER_LEN + clen;
				if (len > FCGI_HEADER_LEN + 2)
					norm[o + FCGI_HEADER_LEN + 2] &=
					    (uint8_t)~FCGI_KEEP_CONN;
			}
			o += len;
		}
		len = FCGI_HEADER_LEN + clen + p[6];
		if (len >= n)
			break;
		p += len;
		n -= len;
	}
	return o;
}

static bool
params_lie(const uint8_t *p, size_t n, size_t total)
{
	size_t	 len[2];

	while (n > 0) {
		if (!pair_lengths(&p, &n, len))
			return false;
		if (len[0] + len[1] > total)
			return true;
		if (len[0] + len[1] >= n)
			return false;
		p += len[0] + len[1];
		n -= len[0] + len[1];
	}
	return false;
}

/* Over the normalized stream, framed as libfcgi frames it. */
static bool
libfcgi_trips(const uint8_t *p, size_t n)
{
	static uint8_t	 params[FUZZ_MAX];
	size_t		 len, clen, np = 0, total = n;
	unsigned	 id, cur = 0;

	while (n >= FCGI_HEADER_LEN) {
		id = (unsigned)p[2] << 8 | p[3];
		clen = (size_t)p[4] << 8 | p[5];
		if (clen > n - FCGI_HEADER_LEN)
			clen = n - FCGI_HEADER_LEN;
		if (id == FCGI_NULL_REQUEST_ID) {
			/* FCGI_GET_VALUES: read like parameters. */
			if (params_lie(p + FCGI_HEADER_LEN, clen, total))
				return true;
		} else if (p[1] == FCGI_BEGIN_REQUEST) {
			/* Later ones are refused (FCGI_CANT_MPX_CONN). */
			if (cur == 0)
				cur = id;
		} else if (p[1] == FCGI_PARAMS && id == cur) {
			if (clen == 0) {
				if (params_lie(params, np, total))
					return true;
				np = 0;
			} else if (np + clen <= sizeof(params)) {
				memcpy(params + np, p + FCGI_HEADER_LEN, clen);
				np += clen;
			}
		}
		len = FCGI_HEADER_LEN + clen + p[6];
		if (len >= n)
			break;
		p += len;
		n -= len;
	}
	return params_lie(params, np, total);
}

static struct sockaddr_un	fuzz_sun;
static socklen_t		fuzz_sunlen;

struct fuzz_client {
	int		 fd;
	const uint8_t	*data;
	size_t		 size;
};

/* The web server's side: send everything, then read until closed. */
static void *
client_run(void *arg)
{
	struct fuzz_client *c = arg;
	char	 sink[16384];
	size_t	 off = 0;
	ssize_t	 n;

	while (off < c->size) {
		n = send(c->fd, c->data + off, c->size - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* the program closed first */
		off += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	while ((n = read(c->fd, sink, sizeof(sink))) != 0)
		if (n < 0 && errno != EINTR)
			break;
	return NULL;
}

static void
check_params(const struct url_params *p)
{
	size_t i;

	if (p->n > URL_PARAMS_MAX)
		abort();
	for (i = 0; i < p->n; i++)
		if (p->v[i].name == NULL || p->v[i].value == NULL)
			abort();
}

static void
handle(void *arg, struct req *r)
{
	static const char *const names[] = { "REQUEST_METHOD",
	    "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE",
	    "CONTENT_LENGTH", "HTTP_COOKIE", "HTTP_AUTHORIZATION",
	    "HTTP_HOST", "REMOTE_ADDR", "HTTPS", "" };
	struct url_params p;
	const char *v;
	size_t	 i, max;
	bool	 form;
	enum err e;

	(*(unsigned *)arg)++;
	if ((unsigned)r->method >= REQ_METHOD__MAX || r->query == NULL ||
	    (r->path != NULL && strlen(r->path) > REQ_PATH_MAX) ||
	    r->responded)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)req_param(r, names[i]);
	if (url_params_parse(r->query, strlen(r->query), false, &p) ==
	    ERR_OK)
		check_params(&p);
	url_params_free(&p);

	form = req_content_type_is(r, "application/x-www-form-urlencoded");
	(void)req_content_type_is(r, "application/json");
	max = form ? FUZZ_FORM_MAX : FUZZ_API_MAX;
	e = req_read_body(r, max);
	if (r->body.len > max)
		abort();
	if (e == ERR_OK && form) {
		if (url_params_parse(buf_str(&r->body), r->body.len, true,
		    &p) == ERR_OK)
			check_params(&p);
		url_params_free(&p);
	}
	if ((v = req_param(r, "HTTP_X_FUZZ")) != NULL) {
		(void)req_header(r, "X-Fuzz", v);
		(void)req_headerf(r, "X-Fuzz-Len", "%zu", strlen(v));
	}
	if (strstr(r->query, "noanswer") != NULL)
		return;		/* req_serve answers 500 */
	if (r->method == REQ_HEAD || strstr(r->query, "empty") != NULL)
		(void)req_respond(r, 204, NULL, NULL, 0);
	else
		(void)req_respond(r, e == ERR_OK ? 200 : 400, "text/plain",
		    buf_str(&r->body), r->body.len > 512 ? 512 : r->body.len);
	if (req_respond(r, 200, NULL, NULL, 0) != ERR_SYSTEM)
		abort();	/* one answer per request */
}

static void
fuzz_init(void)
{
	int fd;

	log_init("fuzz_req", LOG_LEVEL_ERR);
	signal(SIGPIPE, SIG_IGN);
	memset(&fuzz_sun, 0, sizeof(fuzz_sun));
	fuzz_sun.sun_family = AF_UNIX;
	/* Abstract namespace: nothing to clean up. */
	snprintf(fuzz_sun.sun_path + 1, sizeof(fuzz_sun.sun_path) - 1,
	    "todo-b2c-fuzz_req.%ld", (long)getpid());
	fuzz_sunlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(fuzz_sun.sun_path + 1));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&fuzz_sun, fuzz_sunlen) == -1 ||
	    listen(fd, 4) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    dup2(fd, 0) == -1)
		abort();
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct fuzz_client	 c;
	pthread_t		 t;
	unsigned		 handled = 0;

	if (!init) {
		fuzz_init();
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	c.size = normalize(data, size);
	c.data = norm;
	if (libfcgi_trips(norm, c.size))
		return 0;
	if ((c.fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(c.fd, (struct sockaddr *)&fuzz_sun, fuzz_sunlen) == -1 ||
	    pthread_create(&t, NULL, client_run, &c) != 0)
		abort();
	if (req_serve(handle, &handled) != ERR_OK)
		abort();
	pthread_join(t, NULL);
	close(c.fd);
	return 0;
}
