/*
 * GET /openapi.json: the OpenAPI 3.1 document of this API, from
 * api-fcgi/openapi.json (compiled in by api-fcgi/json2c.sh), with its
 * server URL set to the configured base_path.
 */
#include "config.h"

#include <string.h>

#include "api.h"
#include "log.h"
#include "respond.h"

extern const char openapi_doc[];
extern const size_t openapi_doc_len;

/* servers: [{"url": base_path without its trailing slashes}]. */
static enum err
openapi_servers(struct json_object *doc, const char *base)
{
	struct json_object *servers, *server;
	size_t	 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((servers = json_object_new_array()) == NULL)
		return ERR_NOMEM;
	if (json_object_object_add(doc, "servers", servers) != 0) {
		json_object_put(servers);
		return ERR_NOMEM;
	}
	if ((server = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	if (json_object_array_add(servers, server) != 0) {
		json_object_put(server);
		return ERR_NOMEM;
	}
	if (json_object_object_add(server, "url", n == 0 ?
	    json_object_new_string("/") :
	    json_object_new_string_len(base, (int)n)) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

void
openapi_serve(struct api *api, struct req *r)
{
	struct json_tokener *tok;
	struct json_object *doc = NULL;

	if ((tok = json_tokener_new()) == NULL) {
		api_fail(r, ERR_NOMEM, NULL);
		return;
	}
	doc = json_tokener_parse_ex(tok, openapi_doc, (int)openapi_doc_len);
	json_tokener_free(tok);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		log_err("the compiled-in OpenAPI document is not a JSON object");
		json_object_put(doc);
		api_fail(r, ERR_SYSTEM, NULL);
		return;
	}
	if (openapi_servers(doc, api->cfg->base_path) != ERR_OK) {
		json_object_put(doc);
		api_fail(r, ERR_NOMEM, NULL);
		return;
	}
	api_json(r, 200, doc);
}
