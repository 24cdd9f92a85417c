/*
 * api-fcgi answers: JSON bodies with the headers every answer carries,
 * JSON errors, and the one map from enum err to an HTTP status.  The
 * route files and main.c's front-line checks answer through these.
 */
#ifndef TODO_API_RESPOND_H
#define TODO_API_RESPOND_H

#include <json-c/json.h>

#include "err.h"
#include "req.h"

/* Answer status with the JSON tree o, which this takes over (puts). */
void	api_json(struct req *, int status, struct json_object *o);
/* {"error": error, "error_description": description}; 503: Retry-After. */
void	api_error(struct req *, int status, const char *error,
	    const char *description);
/* The one map from enum err to an answer; description NULL: a default. */
void	api_fail(struct req *, enum err, const char *description);

#endif
