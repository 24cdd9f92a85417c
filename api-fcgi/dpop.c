/*
 * DPoP at the API (RFC 9449 section 7): the proof that comes with a
 * DPoP-bound token, checked against this request as the web server
 * received it, and its jti recorded in PostgreSQL so that no process and
 * no node accepts it twice.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "api.h"
#include "buf.h"
#include "crypto.h"
#include "dpop.h"
#include "log.h"

#define API_DPOP_NUM_MAX 24		/* bytes of a time as text */

/*
 * The URL the client addressed, as RFC 9449 section 4.3 compares htu:
 * the scheme the web server was reached by, the Host it accepted (else
 * its own name and port) and the path of the request line, without the
 * query.
 */
static bool
api_dpop_url(struct req *r, struct buf *out)
{
	const char *https = req_param(r, "HTTPS");
	const char *scheme = req_param(r, "REQUEST_SCHEME");
	const char *host = req_param(r, "HTTP_HOST");
	const char *uri = req_param(r, "REQUEST_URI");
	const char *name, *port;

	if (scheme == NULL || (strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0))
		scheme = https != NULL && strcasecmp(https, "on") == 0 ?
		    "https" : "http";
	if (uri == NULL)
		uri = r->path;
	if (uri == NULL || uri[0] != '/')
		return false;
	if (host != NULL && host[0] != '\0')
		(void)buf_addf(out, "%s://%s", scheme, host);
	else if ((name = req_param(r, "SERVER_NAME")) != NULL &&
	    (port = req_param(r, "SERVER_PORT")) != NULL)
		(void)buf_addf(out, "%s://%s:%s", scheme, name, port);
	else
		return false;
	(void)buf_add(out, uri, strcspn(uri, "?#"));
	return out->err == ERR_OK;
}

/*
 * The one DPoP header (RFC 9449 4.3: not more than one).  Apache and
 * lighttpd join repeated headers with ", " (which dpop_verify refuses);
 * nginx before 1.23 passes each as a parameter of its own.
 */
static const char *
api_dpop_header(const struct req *r)
{
	char	**env;
	int	 n = 0;

	for (env = r->fcgi.envp; env != NULL && *env != NULL; env++)
		if (strncmp(*env, "HTTP_DPOP=", strlen("HTTP_DPOP=")) == 0)
			n++;
	return n == 1 ? req_param(r, "HTTP_DPOP") : NULL;
}

/* Delete the expired jtis, at most once per API_DPOP_PURGE_INTERVAL. */
static void
api_dpop_purge(struct api *api, time_t now)
{
	PGresult *res = NULL;

	if (now - api->dpop_purged < API_DPOP_PURGE_INTERVAL)
		return;
	api->dpop_purged = now;
	if (db_exec(api->db, &api_stmts[STMT_DPOP_PURGE], NULL, &res) ==
	    ERR_OK && strcmp(PQcmdTuples(res), "0") != 0)
		log_debug("dpop: %s expired proof ids deleted",
		    PQcmdTuples(res));
	PQclear(res);
}

enum err
api_dpop(struct api *api, struct req *r, const char *token, size_t len,
    const char *jkt, time_t now, const char **why)
{
	struct dpop_expect ex;
	struct dpop_proof p;
	struct buf url;
	const char *proof, *params[3];
	char	 expires[API_DPOP_NUM_MAX];
	PGresult *res = NULL;
	enum err e = ERR_AUTH;

	buf_init(&url, DPOP_HTU_MAX);
	*why = "no dpop proof header, or more than one";
	if ((proof = api_dpop_header(r)) == NULL)
		goto out;
	*why = "request url too long or unknown";
	if (!api_dpop_url(r, &url))
		goto out;
	memset(&ex, 0, sizeof(ex));
	ex.htm = req_param(r, "REQUEST_METHOD");
	ex.htu = buf_str(&url);
	ex.token = token;
	ex.token_len = len;
	ex.max_age = api->cfg->dpop_max_age;
	ex.leeway = api->cfg->clock_skew;
	ex.now = now;
	*why = "no request method";
	if (ex.htm == NULL)
		goto out;
	if ((e = dpop_verify(proof, strlen(proof), &ex, &p, why)) != ERR_OK)
		goto out;
	/* Checked before the jti is spent: a refused proof spends nothing. */
	*why = "dpop proof key is not the token's (cnf.jkt)";
	if (!crypto_streq(p.jkt, jkt)) {
		e = ERR_FORBIDDEN;
		goto out;
	}
	api_dpop_purge(api, now);
	if (snprintf(expires, sizeof(expires), "%lld",
	    (long long)p.expires) >= (int)sizeof(expires)) {
		e = ERR_SYSTEM;
		goto out;
	}
	params[0] = p.jkt;
	params[1] = p.jti_hash;
	params[2] = expires;
	*why = "database";
	if ((e = db_exec(api->db, &api_stmts[STMT_DPOP_JTI], params,
	    &res)) != ERR_OK) {
		e = ERR_DB;
		goto out;
	}
	*why = "dpop proof replayed (jti seen before)";
	e = strcmp(PQcmdTuples(res), "1") == 0 ? ERR_OK : ERR_AUTH;
out:
	PQclear(res);
	buf_free(&url);
	return e;
}
