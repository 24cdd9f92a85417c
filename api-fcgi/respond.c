/*
 * api-fcgi answers: JSON bodies, JSON errors, and the one place where
 * errors become HTTP statuses.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <xxhash.h>

#include "respond.h"

static void
api_common_headers(struct req *r)
{
	(void)req_header(r, "Cache-Control", "no-store");
	(void)req_header(r, "X-Content-Type-Options", "nosniff");
}

void
api_json_text(struct req *r, int status, const char *s, size_t len)
{
	api_common_headers(r);
	req_respond(r, status, "application/json", s, len);
}

void
api_json(struct req *r, int status, struct json_object *o)
{
	const char *s;
	size_t	 len;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		api_json_text(r, 500, "{\"error\":\"server_error\"}", 23);
	else
		api_json_text(r, status, s, len);
	json_object_put(o);
}

void
api_not_modified(struct req *r)
{
	api_common_headers(r);
	req_respond(r, 304, NULL, NULL, 0);
}

void
api_json_weak(struct req *r, const char *s, size_t len,
    const struct etag_list *inm)
{
	char	 tag[API_LIST_TAG_LEN + 1];

	/*
	 * A change tag, not a secret: the body's XXH3 (64 bits) is enough,
	 * at a tenth of a byte-wise hash's cost.
	 */
	(void)snprintf(tag, sizeof(tag), "%016" PRIx64,
	    (uint64_t)XXH3_64bits(s, len));
	api_common_headers(r);
	(void)req_headerf(r, "ETag", "W/\"%s\"", tag);
	if (inm != NULL && etag_match(inm, tag, true, true))
		req_respond(r, 304, NULL, NULL, 0);
	else
		req_respond(r, 200, "application/json", s, len);
}

void
api_error(struct req *r, int status, const char *error, const char *desc)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "error",
	    json_object_new_string(error)) != 0 ||
	    json_object_object_add(o, "error_description",
	    json_object_new_string(desc)) != 0) {
		json_object_put(o);
		req_respond(r, 500, NULL, NULL, 0);
		return;
	}
	if (status == 503)
		(void)req_header(r, "Retry-After", REQ_RETRY_AFTER);
	api_json(r, status, o);
}

/* The one map from enum err to an HTTP answer. */
void
api_fail(struct req *r, enum err e, const char *desc)
{
	switch (e) {
	case ERR_INPUT:
		api_error(r, 400, "invalid_request",
		    desc ? desc : "the request is malformed");
		break;
	case ERR_AUTH:
		api_error(r, 401, "invalid_token",
		    desc ? desc : "the access token is not valid");
		break;
	case ERR_FORBIDDEN:
		api_error(r, 403, "forbidden", desc ? desc : "forbidden");
		break;
	case ERR_NOTFOUND:
		api_error(r, 404, "not_found", desc ? desc : "no such task");
		break;
	case ERR_DB:
		api_error(r, 503, "temporarily_unavailable",
		    "the database is unavailable, try again shortly");
		break;
	case ERR_UPSTREAM:
		api_error(r, 503, "temporarily_unavailable",
		    "the identity provider is unavailable, try again shortly");
		break;
	default:
		api_error(r, 500, "server_error", "internal error");
		break;
	}
}
