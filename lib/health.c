#include "config.h"

#include <time.h>

#include "health.h"

#define HEALTH_OK "{\"status\":\"ok\"}"
#define HEALTH_DOWN(why) "{\"status\":\"unavailable\",\"reason\":\"" why "\"}"

void
health_alive(struct req *r)
{
	req_json_status(r, 200, HEALTH_OK);
}

void
health_ready(struct req *r, struct db *db, const struct db_stmt *ping,
    struct provider *const *providers, size_t n, struct httpc *http)
{
	PGresult *res = NULL;
	enum err e;
	size_t	 i;

	e = db_exec(db, ping, NULL, &res);
	PQclear(res);
	if (e != ERR_OK) {
		req_json_status(r, 503, HEALTH_DOWN("database"));
		return;
	}
	for (i = 0; i < n; i++)
		if (providers[i] != NULL &&
		    provider_load(providers[i], http, time(NULL)) != ERR_OK) {
			req_json_status(r, 503, HEALTH_DOWN("provider"));
			return;
		}
	req_json_status(r, 200, HEALTH_OK);
}
