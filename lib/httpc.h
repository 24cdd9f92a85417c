/*
 * httpc: an HTTP client for one peer (identity provider, API) on top of
 * one reused libcurl handle: keep-alive, timeouts, TLS verification on,
 * no redirects, a response size cap.  The handle is dropped after a
 * transport failure so a broken connection is never reused.
 */
#ifndef TODO_HTTPC_H
#define TODO_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define HTTPC_CONNECT_TIMEOUT_MS 3000L
#define HTTPC_TIMEOUT_MS 10000L
#define HTTPC_RESPONSE_MAX (1024 * 1024)
#define HTTPC_HEADERS_MAX 8

struct httpc;

struct httpc_resp {
	long		 status;
	struct buf	 body;		/* capped at HTTPC_RESPONSE_MAX */
	char		*content_type;	/* or NULL */
	char		*www_authenticate; /* or NULL */
	char		*cache_control;	/* or NULL (the last one received) */
};

/* Once per process, before any other call. */
enum err httpc_global_init(void);
enum err httpc_new(struct httpc **);
void	 httpc_free(struct httpc *);
/*
 * Where to go: "ca_file" is a PEM bundle of the CAs trusted for https
 * (NULL: the system's store); "proxy" a proxy URL (NULL: none, whatever
 * http_proxy/https_proxy/no_proxy in the environment say).  Both are
 * borrowed and must outlive the client.
 */
void	 httpc_configure(struct httpc *, const char *ca_file,
	    const char *proxy);
/*
 * Whether a connection stays open for the next request (the default)
 * or is closed after each answer.  The provider is called a few times
 * per user and hour, and drops idle connections within seconds: a kept
 * one would mostly sit half-closed, a descriptor held until the next
 * call.
 */
void	 httpc_keep_alive(struct httpc *, bool);

/*
 * One request.  "headers" is a NULL-terminated list of "Name: value"
 * lines (may be NULL); "body" may be NULL for none.  "user"/"pass" set
 * HTTP basic authentication when non-NULL.  ERR_UPSTREAM when the peer
 * could not be reached or the answer was too large; any HTTP status is
 * ERR_OK with resp->status set.
 */
enum err httpc_request(struct httpc *, const char *method, const char *url,
	    const char *const *headers, const char *body, size_t bodylen,
	    const char *user, const char *pass, struct httpc_resp *resp);
void	 httpc_resp_free(struct httpc_resp *);

/* True for http://127.x, [::1] and localhost URLs (development). */
bool	 httpc_url_is_loopback(const char *url);
/* https://, or http:// on a loopback host; a parseable absolute URL. */
bool	 httpc_url_allowed(const char *url);

#endif
