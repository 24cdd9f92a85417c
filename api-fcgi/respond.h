/*
 * api-fcgi answers: JSON bodies with the headers every answer carries,
 * JSON errors, and the one map from enum err to an HTTP status.  The
 * route files and main.c's front-line checks answer through these.
 */
#ifndef TODO_API_RESPOND_H
#define TODO_API_RESPOND_H

#include <json-c/json.h>

#include "err.h"
#include "etag.h"
#include "req.h"

#define API_LIST_TAG_LEN 16	/* hex digits of a list's weak ETag */

/* Answer status with the JSON tree o, which this takes over (puts). */
void	api_json(struct req *, int status, struct json_object *o);
/* The same with a JSON text already written (len bytes of s). */
void	api_json_text(struct req *, int status, const char *s, size_t len);
/*
 * 200 with the JSON text s (len bytes) and a weak ETag of its bytes, or
 * 304 without a body when inm (the parsed If-None-Match, NULL: none)
 * holds that tag.
 */
void	api_json_weak(struct req *, const char *s, size_t len,
	    const struct etag_list *inm);
/* 304 Not Modified with the ETag header already added. */
void	api_not_modified(struct req *);
/* {"error": error, "error_description": description}; 503: Retry-After. */
void	api_error(struct req *, int status, const char *error,
	    const char *description);
/* The one map from enum err to an answer; description NULL: a default. */
void	api_fail(struct req *, enum err, const char *description);

#endif
