/*
 * httpd.h: a tiny HTTP/1.1 server for the unit tests, header-only like
 * tap.h.  A forked child listens on 127.0.0.1 on an ephemeral port and
 * forks once per connection.  It serves the files of a scratch
 * directory (GET /x is the file DIR/x, 404 when missing) and a few canned
 * answers:
 *
 *	/slow		waits (up to HTTPD_SLOW_MAX_S) until the client leaves
 *	/big/N		N bytes of 'x' with a Content-Length
 *	/stream/N	N bytes of 'x' with no length, ended by closing
 *	/redirect	302 to /target
 *	/status/N	status N, body "status N"
 *	/echo		the request as received, as the body
 *
 * and answers with "Connection: close".  A file DIR/x.headers, when there
 * is one, holds extra header lines ("Name: value\r\n") sent with
 * DIR/x.  Every request line is appended
 * to DIR/requests.log, so a test can count what was fetched.
 */
#ifndef TODO_HTTPD_H
#define TODO_HTTPD_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define HTTPD_REQ_MAX		65536	/* request bytes read */
#define HTTPD_SLOW_MAX_S	30
#define HTTPD_LOG		"requests.log"

struct httpd {
	pid_t	 pid;
	int	 port;
	char	 dir[256];
	char	 base[64];	/* "http://127.0.0.1:PORT" */
};

static inline bool
httpd_write(int fd, const void *p, size_t n)
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

static inline void
httpd_answer(int fd, int status, const char *extra, const char *body,
    size_t len, bool with_length)
{
	char	 head[512];
	int	 n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\n%s"
	    "Connection: close\r\n", status, extra != NULL ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	if (with_length) {
		if (!httpd_write(fd, head, (size_t)n))
			return;
		n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n",
		    len);
	} else
		n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	if (!httpd_write(fd, head, (size_t)n))
		return;
	httpd_write(fd, body, len);
}

/* N bytes of 'x'. */
static inline void
httpd_big(int fd, const char *arg, bool with_length)
{
	char	*end, *b;
	unsigned long n;

	n = strtoul(arg, &end, 10);
	if (*end != '\0' || (b = malloc(n + 1)) == NULL)
		return;
	memset(b, 'x', n);
	httpd_answer(fd, 200, "Content-Type: text/plain\r\n", b, n,
	    with_length);
	free(b);
}

static inline void
httpd_file(int fd, const char *dir, const char *path)
{
	char	 p[512], *body;
	char	 extra[256] = "Content-Type: application/json\r\n";
	struct stat st;
	FILE	*f;
	size_t	 n;
	int	 k;

	k = snprintf(p, sizeof(p), "%s%s.headers", dir, path);
	if (k > 0 && (size_t)k < sizeof(p) && (f = fopen(p, "rb")) != NULL) {
		n = strlen(extra);
		n += fread(extra + n, 1, sizeof(extra) - 1 - n, f);
		extra[n] = '\0';
		fclose(f);
	}

	k = snprintf(p, sizeof(p), "%s%s", dir, path);
	if (k < 0 || (size_t)k >= sizeof(p) || strstr(path, "..") != NULL ||
	    (f = fopen(p, "rb")) == NULL) {
		httpd_answer(fd, 404, NULL, "not found", 9, true);
		return;
	}
	if (fstat(fileno(f), &st) == -1 ||
	    (body = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return;
	}
	n = fread(body, 1, (size_t)st.st_size, f);
	fclose(f);
	httpd_answer(fd, 200, extra, body, n, true);
	free(body);
}

/* Serve one connection. */
static inline void
httpd_conn(int fd, const char *dir)
{
	static char req[HTTPD_REQ_MAX + 1];
	char	 path[1024], logp[512], *hend, *cl, *sp, *end;
	size_t	 got = 0, want, n;
	long	 status;
	ssize_t	 r;
	struct pollfd pfd;
	FILE	*log;

	/* Read the head, then a body of Content-Length bytes. */
	while (got < HTTPD_REQ_MAX) {
		if ((r = read(fd, req + got, HTTPD_REQ_MAX - got)) <= 0)
			return;
		got += (size_t)r;
		req[got] = '\0';
		if ((hend = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		want = (size_t)(hend + 4 - req);
		if ((cl = strstr(req, "\r\nContent-Length:")) != NULL &&
		    cl < hend)
			want += strtoul(cl + 17, &end, 10);
		if (got >= want)
			break;
	}
	/* The request target: between the first two spaces. */
	if ((sp = strchr(req, ' ')) == NULL ||
	    (n = strcspn(sp + 1, " \r\n")) == 0 || n >= sizeof(path))
		return;
	memcpy(path, sp + 1, n);
	path[n] = '\0';
	snprintf(logp, sizeof(logp), "%s/" HTTPD_LOG, dir);
	if ((log = fopen(logp, "a")) != NULL) {
		fprintf(log, "%.*s\n", (int)strcspn(req, "\r\n"), req);
		fclose(log);
	}
	if (strcmp(path, "/slow") == 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, HTTPD_SLOW_MAX_S * 1000);
		httpd_answer(fd, 200, NULL, "late", 4, true);
	} else if (strncmp(path, "/big/", 5) == 0)
		httpd_big(fd, path + 5, true);
	else if (strncmp(path, "/stream/", 8) == 0)
		httpd_big(fd, path + 8, false);
	else if (strcmp(path, "/redirect") == 0)
		httpd_answer(fd, 302, "Location: /target\r\n", "moved", 5,
		    true);
	else if (strncmp(path, "/status/", 8) == 0 &&
	    (status = strtol(path + 8, &end, 10)) >= 100 && status <= 999 &&
	    *end == '\0')
		httpd_answer(fd, (int)status, "Content-Type: text/plain\r\n"
		    "WWW-Authenticate: Bearer error=\"x\"\r\n", path + 1,
		    strlen(path + 1), true);
	else if (strcmp(path, "/echo") == 0)
		httpd_answer(fd, 200, "Content-Type: text/plain; charset=x\r\n",
		    req, got, true);
	else
		httpd_file(fd, dir, path);
}

/* Start the server on a fresh scratch directory.  False on failure. */
static inline bool
httpd_start(struct httpd *h)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	const char *tmp = getenv("TMPDIR");
	int	 lfd, fd, null;

	memset(h, 0, sizeof(*h));
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(h->dir, sizeof(h->dir), "%s/httpd.XXXXXX", tmp);
	if (mkdtemp(h->dir) == NULL)
		return false;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return false;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		close(lfd);
		return false;
	}
	h->port = ntohs(sin.sin_port);
	snprintf(h->base, sizeof(h->base), "http://127.0.0.1:%d", h->port);
	fflush(stdout);
	if ((h->pid = fork()) == -1) {
		close(lfd);
		return false;
	}
	if (h->pid == 0) {
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);	/* no zombies */
		signal(SIGPIPE, SIG_IGN);
		if ((null = open("/dev/null", O_RDWR)) != -1) {
			dup2(null, 1);
			dup2(null, 2);
		}
		for (;;) {
			if ((fd = accept(lfd, NULL, NULL)) == -1)
				continue;
			if (fork() == 0) {
				close(lfd);
				httpd_conn(fd, h->dir);
				shutdown(fd, SHUT_WR);
				close(fd);
				_exit(0);
			}
			close(fd);
		}
	}
	setpgid(h->pid, h->pid);
	close(lfd);
	return true;
}

/* base + path, in a static buffer (one at a time). */
static inline const char *
httpd_url(const struct httpd *h, const char *path)
{
	static char url[512];

	snprintf(url, sizeof(url), "%s%s", h->base, path);
	return url;
}

/* Write DIR/name (text NULL: remove it). */
static inline bool
httpd_put(const struct httpd *h, const char *name, const char *text)
{
	char	 p[512];
	FILE	*f;
	bool	 good;

	snprintf(p, sizeof(p), "%s/%s", h->dir, name);
	if (text == NULL)
		return unlink(p) == 0 || errno == ENOENT;
	if ((f = fopen(p, "wb")) == NULL)
		return false;
	good = fputs(text, f) >= 0;
	return fclose(f) == 0 && good;
}

/* How many requests named path (exactly) were received so far. */
static inline int
httpd_hits(const struct httpd *h, const char *path)
{
	char	 p[512], line[2048], want[1100];
	FILE	*f;
	int	 n = 0;

	snprintf(p, sizeof(p), "%s/" HTTPD_LOG, h->dir);
	snprintf(want, sizeof(want), " %s ", path);
	if ((f = fopen(p, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			n++;
	fclose(f);
	return n;
}

/* Stop the server and its connections; remove the directory. */
static inline void
httpd_stop(struct httpd *h)
{
	char	 cmd[300];
	int	 status;

	if (h->pid > 0) {
		kill(-h->pid, SIGKILL);
		waitpid(h->pid, &status, 0);
		h->pid = 0;
	}
	if (h->dir[0] == '/' && snprintf(cmd, sizeof(cmd), "rm -rf '%s'",
	    h->dir) < (int)sizeof(cmd))
		(void)!system(cmd);
}

#endif
