/*
 * api-fcgi entity tags (RFC 9110 8.8.3, 13.1): a task's strong tag is
 * its version, "N"; a list's is weak, W/"...".  This parses the
 * If-Match and If-None-Match headers and compares tags.
 *
 * Ownership: a struct etag_list points into the header string it was
 * parsed from (req_param: alive for the request) and owns nothing.
 */
#ifndef TODO_API_ETAG_H
#define TODO_API_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define ETAG_LIST_MAX 16	/* entity tags in one header; 400 above */
#define ETAG_VERSION_DIGITS 9	/* a version always fits an integer */
#define ETAG_SQL_MAX (ETAG_LIST_MAX * (ETAG_VERSION_DIGITS + 1) + 3)
				/* bytes of etag_versions_sql's array */

struct etag {
	bool		 weak;		/* W/ */
	const char	*opaque;	/* between the quotes */
	size_t		 len;
};

struct etag_list {
	bool		 any;		/* "*" */
	size_t		 n;
	struct etag	 v[ETAG_LIST_MAX];
};

/*
 * Parse an If-Match / If-None-Match value: "*" or a comma-separated
 * list of entity tags.  ERR_INPUT for anything else or more than
 * ETAG_LIST_MAX tags; *out is then empty.
 */
enum err etag_parse(const char *value, struct etag_list *out);
/*
 * Whether the list holds tag (the opaque part, without quotes): weak
 * comparison ignores W/ on both sides (If-None-Match), strong needs
 * both strong (If-Match).  "*" matches anything.
 */
bool	 etag_match(const struct etag_list *, const char *tag, bool weak_tag,
	    bool weak_compare);
/*
 * The strong tags that are versions ("1" to "999999999") as a
 * PostgreSQL integer array literal, "{3,4}" ("{}" when none), for an
 * UPDATE's or DELETE's WHERE.  ERR_NOMEM when len is too small.
 */
enum err etag_versions_sql(const struct etag_list *, char *out, size_t len);

#endif
