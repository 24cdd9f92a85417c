/*
 * api-fcgi: what main.c and the route files share: limits, the
 * configuration, the process, the caller, the statements and the routes.
 * Answers are in respond.h.
 */
#ifndef TODO_API_H
#define TODO_API_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "httpc.h"
#include "req.h"
#include "tokencache.h"

#define API_BODY_MAX (64 * 1024)	/* 413 above */
#define API_JSON_DEPTH 8
#define API_TEXT_MAX 1000		/* characters */
#define API_TASKS_MAX 500		/* tasks per user: a list stays < 1 MiB */
#define API_USER_MAX 256		/* bytes of the user claim */
#define API_PROVIDERS_MAX AUTH_ISSUERS_MAX

struct api_config {
	char	*database;
	char	*metadata_url;
	char	*issuer;
	char	*audience;
	char	*read_scope;
	char	*write_scope;
	char	*user_claim;
	long	 clock_skew;
	char	*base_path;
	char	*log_level;
	char	*ca_file;	/* PEM CAs for https calls; NULL: system */
	char	*http_proxy;	/* proxy URL; NULL: none */
};

/* The process: one database connection, one HTTP client, the providers. */
struct api {
	const struct api_config	*cfg;
	struct db		*db;
	struct httpc		*http;
	struct provider		*providers[API_PROVIDERS_MAX];
	size_t			 nproviders;
	struct auth_policy	 policy;
	struct tokencache	*cache;		/* verified tokens */
};

/* The authenticated caller of a request. */
struct api_user {
	const char	*iss;
	const char	*sub;
	unsigned	 scopes;	/* SCOPE_READ | SCOPE_WRITE */
};

/* Statements, indexed by enum api_stmt. */
enum api_stmt {
	STMT_HEALTH,
	STMT_TASK_LIST,
	STMT_TASK_GET,
	STMT_TASK_INSERT,
	STMT_TASK_UPDATE,
	STMT_TASK_DELETE,
	STMT__MAX
};
extern const struct db_stmt api_stmts[STMT__MAX];

/* Routes (tasks.c).  id is a validated positive integer as text. */
void	tasks_list(struct api *, struct req *, const struct api_user *);
void	tasks_create(struct api *, struct req *, const struct api_user *);
void	tasks_get(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_update(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_delete(struct api *, struct req *, const struct api_user *,
	    const char *id);
void	tasks_health(struct api *, struct req *);

#endif
