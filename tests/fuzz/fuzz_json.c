/*
 * fuzz_json: jsonp_parse as used for request bodies, the typed
 * accessors, a serialize/re-parse round trip, and jwkset_parse on the
 * same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "jwk.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 init;
	struct json_object	*o = NULL, *again = NULL;
	struct jwkset		*set = NULL;
	const char		*s, *text;
	int64_t			 i;
	bool			 b;

	if (!init) {
		log_init("fuzz_json", LOG_LEVEL_ERR);
		init = true;
	}
	if (jsonp_parse((const char *)data, size, JSONP_DEPTH_MAX, &o) ==
	    ERR_OK) {
		(void)jsonp_string(o, "title", &s);
		(void)jsonp_bool(o, "done", &b);
		(void)jsonp_int64(o, "id", &i);
		/* What json-c writes, jsonp must read back. */
		text = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN);
		if (text == NULL || jsonp_parse(text, strlen(text),
		    JSONP_DEPTH_MAX, &again) != ERR_OK)
			abort();
		json_object_put(again);
		json_object_put(o);
	}
	if (jwkset_parse((const char *)data, size, &set) == ERR_OK) {
		if (jwkset_size(set) == 0)
			abort();
		jwkset_free(set);
	}
	return 0;
}
