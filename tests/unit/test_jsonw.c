/*
 * test_jsonw: strings written directly as JSON, byte for byte as json-c
 * writes them (JSON_C_TO_STRING_NOSLASHESCAPE) for valid UTF-8, U+FFFD
 * for bytes that are not, and always parsed back by json-c.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "jsonw.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* What json-c writes for s (valid UTF-8), into out. */
static bool
jsonc_quote(const char *s, struct buf *out)
{
	struct json_object *o = json_object_new_string(s);
	const char *t;

	if (o == NULL)
		return false;
	t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	buf_reset(out);
	(void)buf_adds(out, t);
	json_object_put(o);
	return out->err == ERR_OK;
}

static void
test_like_jsonc(void)
{
	static const char *const cases[] = {
		"", "plain text", "a \"quoted\" word", "back\\slash",
		"a/b (not escaped)", "line\nbreak", "cr\rtab\tbs\bff\f",
		"\x01\x02\x1f", "del \x7f stays", "caf\xc3\xa9",
		"\xe2\x82\xac euro, \xf0\x9f\x98\x80 emoji",
		"</script><!--", "'single' & <html>",
	};
	struct buf got, want;
	size_t	 i;

	buf_init(&got, 0);
	buf_init(&want, 0);
	for (i = 0; i < NELEM(cases); i++) {
		buf_reset(&got);
		if (jsonw_str(&got, cases[i]) != ERR_OK ||
		    !jsonc_quote(cases[i], &want)) {
			ok(false, "case %zu: written", i);
			continue;
		}
		is_str(buf_str(&got), buf_str(&want),
		    "case %zu: as json-c writes it", i);
	}
	/* Every single byte value below 0x80, as json-c writes it. */
	{
		char	 s[2] = { 0, 0 };
		int	 c, bad = 0;

		for (c = 1; c < 0x80; c++) {
			s[0] = (char)c;
			buf_reset(&got);
			(void)jsonw_str(&got, s);
			if (!jsonc_quote(s, &want) ||
			    strcmp(buf_str(&got), buf_str(&want)) != 0)
				bad++;
		}
		is_int(bad, 0, "every ASCII byte: as json-c writes it");
	}
	buf_free(&got);
	buf_free(&want);
}

static void
test_not_utf8(void)
{
	static const struct {
		const char	*in;
		const char	*out;
		const char	*what;
	} cases[] = {
		{ "a\xff" "b", "\"a\xef\xbf\xbd" "b\"", "a lone 0xff" },
		{ "\xc3", "\"\xef\xbf\xbd\"", "a cut two-byte sequence" },
		{ "\xe2\x82", "\"\xef\xbf\xbd\xef\xbf\xbd\"",
		    "a cut three-byte sequence: one U+FFFD per byte" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"",
		    "an overlong '/'" },
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
		    "a surrogate" },
	};
	struct json_object *o;
	struct buf got;
	size_t	 i;

	buf_init(&got, 0);
	for (i = 0; i < NELEM(cases); i++) {
		buf_reset(&got);
		(void)jsonw_str(&got, cases[i].in);
		is_str(buf_str(&got), cases[i].out, "not UTF-8: %s",
		    cases[i].what);
		o = json_tokener_parse(buf_str(&got));
		ok(o != NULL && json_object_is_type(o, json_type_string),
		    "not UTF-8: %s: json-c parses the output", cases[i].what);
		json_object_put(o);
	}
	buf_free(&got);
}

static void
test_cap(void)
{
	struct buf b;

	buf_init(&b, 8);
	ok(jsonw_str(&b, "0123456789") != ERR_OK,
	    "a string past the buffer's cap: the buffer's error");
	buf_free(&b);
}

int
main(void)
{
	test_like_jsonc();
	test_not_utf8();
	test_cap();
	return tap_done();
}
