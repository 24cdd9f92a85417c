/*
 * fuzz_json: jsonp_parse as used for request bodies, the typed
 * accessors, a serialize/re-parse round trip, jsonr against jsonp (what
 * jsonp takes, jsonr takes and reads the same values from; what jsonr
 * refuses, jsonp refuses), and jwkset_parse on the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonp.h"
#include "jsonr.h"
#include "jwk.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_AT_ONCE	8	/* names read by one jsonr_members() */

/* Whether jsonr's value r is json-c's value o (NULL: the null). */
static bool
same(struct json_object *o, const struct jsonr *r)
{
	struct jsonr_iter it;
	struct jsonr	 m, ms[FUZZ_AT_ONCE];
	struct json_object *vals[FUZZ_AT_ONCE];
	const char	*names[FUZZ_AT_ONCE];
	struct buf	 s;
	int64_t		 a, b;
	enum err	 ea, eb;
	size_t		 i, n;
	bool		 eq;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return jsonr_type(r) == JSONR_NULL;
	case json_type_boolean:
		return jsonr_bool(r, &eq) == ERR_OK &&
		    eq == (json_object_get_boolean(o) != 0);
	case json_type_int:
	case json_type_double:
		if (jsonr_type(r) != JSONR_NUMBER)
			return false;
		ea = jsonp_get_int64(o, &a);
		eb = jsonr_int64(r, &b);
		return ea == eb && (ea != ERR_OK || a == b);
	case json_type_string:
		buf_init(&s, 0);
		eq = jsonr_string(r, &s) == ERR_OK &&
		    s.len == (size_t)json_object_get_string_len(o) &&
		    memcmp(buf_str(&s), json_object_get_string(o), s.len) == 0;
		buf_free(&s);
		return eq;
	case json_type_array:
		if (jsonr_elements(r, &it) != ERR_OK)
			return false;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!jsonr_next(&it, &m) ||
			    !same(json_object_array_get_idx(o, i), &m))
				return false;
		return !jsonr_next(&it, &m);
	case json_type_object:
		if (jsonr_type(r) != JSONR_OBJECT)
			return false;
		n = 0;
		{
			json_object_object_foreach(o, key, val) {
				if (jsonr_member(r, key, &m) != ERR_OK ||
				    !same(val, &m))
					return false;
				if (n < FUZZ_AT_ONCE) {
					names[n] = key;
					vals[n++] = val;
				}
			}
		}
		/* The first few names again, in one walk. */
		if (jsonr_members(r, names, n, ms) != ERR_OK)
			return false;
		for (i = 0; i < n; i++)
			if (ms[i].p == NULL || !same(vals[i], &ms[i]))
				return false;
		return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 init;
	struct json_object	*o = NULL, *again = NULL;
	struct jwkset		*set = NULL;
	struct jsonr		 r;
	enum err		 er;
	const char		*s, *text;
	int64_t			 i;
	bool			 b;

	if (!init) {
		log_init("fuzz_json", LOG_LEVEL_ERR);
		init = true;
	}
	er = jsonr_open((const char *)data, size, JSONP_DEPTH_MAX, &r);
	if (jsonp_parse((const char *)data, size, JSONP_DEPTH_MAX, &o) ==
	    ERR_OK) {
		if (er != ERR_OK || !same(o, &r))
			abort();
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
