/*
 * tokencache: what verifying a bearer token found, remembered with the
 * token until the token expires (at most TOKENCACHE_TTL seconds), so a
 * client that sends the same token again costs a fast hash and a
 * constant-time comparison instead of a signature check and two
 * JSON parses.  Direct mapped, fixed size, per process; a collision
 * evicts.  The tokens are wiped when evicted and when the cache is freed.
 */
#ifndef TODO_TOKENCACHE_H
#define TODO_TOKENCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

#define TOKENCACHE_SLOTS 512
#define TOKENCACHE_TTL 300		/* seconds an entry is trusted at most */
#define TOKENCACHE_ISS_MAX 1024
#define TOKENCACHE_SUB_MAX 256
#define TOKENCACHE_TOKEN_MAX 8192	/* longer tokens are not kept */

/* What a verified token grants. */
struct tokencache_entry {
	char		iss[TOKENCACHE_ISS_MAX + 1];
	char		sub[TOKENCACHE_SUB_MAX + 1];
	unsigned	scopes;		/* the caller's bits */
	time_t		until;		/* min(exp, added + TTL) */
};

struct tokencache;

enum err tokencache_new(struct tokencache **);
void	 tokencache_free(struct tokencache *);
/* The entry for token, valid at now; NULL when there is none. */
const struct tokencache_entry *tokencache_get(struct tokencache *,
	    const char *token, size_t len, time_t now);
/*
 * Remember a verified token; returns its entry (borrowed, valid until
 * the next put), or NULL when the token has expired or a field is too
 * long to keep.
 */
const struct tokencache_entry *tokencache_put(struct tokencache *,
	    const char *token, size_t len, const char *iss, const char *sub,
	    unsigned scopes, time_t exp, time_t now);

#endif
