/* test_jsonp: strict JSON input and typed member access. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonp.h"
#include "tap.h"

static enum err
parse_n(const char *s, size_t len, int depth)
{
	struct json_object	*o = NULL;
	enum err		 e;

	e = jsonp_parse(s, len, depth, &o);
	/* *out must be set exactly on success (null is json-c's NULL). */
	while (len > 0 && s[0] == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if ((e == ERR_OK) != (o != NULL) &&
	    !(e == ERR_OK && len == 4 && memcmp(s, "null", 4) == 0))
		e = ERR__MAX;
	json_object_put(o);
	return e;
}

static void
good(const char *s)
{
	char	 shown[128];
	size_t	 i;

	/* Keep the TAP line on one line. */
	for (i = 0; s[i] != '\0' && i < sizeof(shown) - 1; i++)
		shown[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	shown[i] = '\0';
	is_int(parse_n(s, strlen(s), JSONP_DEPTH_MAX), ERR_OK,
	    "accept %s", shown);
}

static void
bad(const char *s, const char *what)
{
	is_int(parse_n(s, strlen(s), JSONP_DEPTH_MAX), ERR_INPUT,
	    "reject %s", what);
}

/* A string value made of raw bytes. */
static void
str_bytes(const char *bytes, bool want, const char *what)
{
	struct buf b;

	buf_init(&b, 0);
	buf_addf(&b, "[\"%s\"]", bytes);
	is_int(parse_n(b.data, b.len, JSONP_DEPTH_MAX),
	    want ? ERR_OK : ERR_INPUT, "%s %s", want ? "accept" : "reject",
	    what);
	buf_free(&b);
}

static void
nest(int n, int depth, enum err want)
{
	struct buf	 b;
	int		 i;

	buf_init(&b, 0);
	for (i = 0; i < n; i++)
		buf_adds(&b, i % 2 ? "{\"a\":" : "[");
	buf_adds(&b, "1");
	for (i = n - 1; i >= 0; i--)
		buf_adds(&b, i % 2 ? "}" : "]");
	is_int(parse_n(b.data, b.len, depth), want,
	    "%d nested, max %d", n, depth);
	buf_free(&b);
}

static void
test_syntax(void)
{
	good("{}");
	good("[]");
	good(" \t\r\n{\"a\" : [1, -2.5e+3, 0, -0, 0.1, 1E2, true, false, "
	    "null, \"x\"]} \n");
	good("\"top-level string\"");
	good("42");
	good("-0.0e-0");
	good("true");
	good("null");
	good(" null ");
	good("{\"a\":{\"a\":{\"a\":1}}}");
	good("[{\"a\":1},{\"a\":2}]");
	good("{\"\":1}");
	good("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"");

	bad("", "empty");
	bad("   ", "whitespace only");
	bad("{", "unterminated object");
	bad("[1,]", "trailing comma in array");
	bad("{\"a\":1,}", "trailing comma in object");
	bad("[,1]", "leading comma");
	bad("{\"a\" 1}", "missing colon");
	bad("{a:1}", "unquoted key");
	bad("{'a':1}", "single quotes");
	bad("['a']", "single-quoted string");
	bad("[1] /* c */", "comment");
	bad("// c\n[1]", "line comment");
	bad("[1] [2]", "two values");
	bad("[1] x", "trailing garbage");
	bad("[NaN]", "NaN");
	bad("[Infinity]", "Infinity");
	bad("[-Infinity]", "-Infinity");
	bad("[01]", "leading zero");
	bad("[-01]", "negative leading zero");
	bad("[+1]", "plus sign");
	bad("[1.]", "trailing dot");
	bad("[.5]", "leading dot");
	bad("[1e]", "empty exponent");
	bad("[1e+]", "empty signed exponent");
	bad("[0x10]", "hex");
	bad("[1e400]", "double overflow");
	bad("[-1e400]", "negative double overflow");
	bad("[True]", "True");
	bad("[nul]", "nul");
	bad("[nulll]", "nulll");
	bad("\xef\xbb\xbf[1]", "BOM");
	bad("[1]\x1a", "trailing ctrl-z");
	bad("{\"a\":1 \"b\":2}", "missing comma");
	bad("[\"a\" \"b\"]", "missing comma in array");
	is_int(parse_n("[1]\0", 4, JSONP_DEPTH_MAX), ERR_INPUT,
	    "reject trailing NUL within len");
	is_int(parse_n("[1]xyz", 3, JSONP_DEPTH_MAX), ERR_OK,
	    "len honoured");
	is_int(parse_n("123456", 3, JSONP_DEPTH_MAX), ERR_OK,
	    "len honoured for a bare number");
	is_int(parse_n(NULL, 0, JSONP_DEPTH_MAX), ERR_INPUT, "reject NULL");
}

static void
test_strings(void)
{
	str_bytes("caf\xc3\xa9", true, "2-byte utf-8");
	str_bytes("\xe2\x82\xac", true, "3-byte utf-8");
	str_bytes("\xf0\x9f\x98\x80", true, "4-byte utf-8");
	str_bytes("\xf4\x8f\xbf\xbf", true, "U+10FFFF");
	str_bytes("\xef\xbf\xbf", true, "U+FFFF");
	str_bytes("\x7f", true, "DEL");
	str_bytes("\xc0\xaf", false, "overlong '/' (2 bytes)");
	str_bytes("\xc1\xbf", false, "overlong (C1)");
	str_bytes("\xe0\x80\xaf", false, "overlong '/' (3 bytes)");
	str_bytes("\xe0\x9f\xbf", false, "overlong U+07FF");
	str_bytes("\xf0\x80\x80\xaf", false, "overlong (4 bytes)");
	str_bytes("\xf0\x8f\xbf\xbf", false, "overlong U+FFFF");
	str_bytes("\xed\xa0\x80", false, "encoded surrogate D800");
	str_bytes("\xed\xbf\xbf", false, "encoded surrogate DFFF");
	str_bytes("\xf4\x90\x80\x80", false, "U+110000");
	str_bytes("\xf5\x80\x80\x80", false, "F5 lead");
	str_bytes("\xff", false, "FF");
	str_bytes("\x80", false, "lone continuation");
	str_bytes("\xc3", false, "truncated 2-byte");
	str_bytes("\xe2\x82", false, "truncated 3-byte");
	str_bytes("\xe2\x28\xa1", false, "bad continuation");
	str_bytes("a\tb", false, "raw tab");
	str_bytes("a\nb", false, "raw newline");
	str_bytes("\x01", false, "raw 0x01");
	str_bytes("\x1f", false, "raw 0x1f");
	str_bytes("\\u0000", false, "\\u0000");
	str_bytes("a\\u0000b", false, "\\u0000 inside");
	str_bytes("\\u0001", true, "\\u0001");
	str_bytes("\\uD800", false, "lone high surrogate");
	str_bytes("\\uDC00", false, "lone low surrogate");
	str_bytes("\\uD800x", false, "high surrogate then text");
	str_bytes("\\uD800\\u0041", false, "high surrogate then A");
	str_bytes("\\uD800\\uD800", false, "two high surrogates");
	str_bytes("\\uDBFF\\uDFFF", true, "max surrogate pair");
	str_bytes("\\u12", false, "short \\u");
	str_bytes("\\u12G4", false, "bad hex");
	str_bytes("\\x41", false, "\\x escape");
	str_bytes("\\'", false, "\\' escape");
	str_bytes("\\", false, "backslash at end");
	is_int(parse_n("[\"a\0b\"]", 7, JSONP_DEPTH_MAX), ERR_INPUT,
	    "reject raw NUL in a string");
	/* Bad bytes after a run of plain ones (the scan's fast path). */
	str_bytes(" !#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~\x7f", true,
	    "every plain byte class");
	str_bytes("plain text then\x01", false, "control after a run");
	str_bytes("plain text then\x1f", false, "0x1f after a run");
	str_bytes("plain text then\xc3(", false, "bad UTF-8 after a run");
	str_bytes("plain text then\xed\xa0\x80", false,
	    "surrogate after a run");
	str_bytes("run\xc3\xa9run\\n\xe2\x82\xacrun", true,
	    "runs between escapes and UTF-8");
	is_int(parse_n("[\"abcdef\"]", 7, JSONP_DEPTH_MAX), ERR_INPUT,
	    "reject a run cut by len before the quote");
	is_int(parse_n("\"abc\\", 5, JSONP_DEPTH_MAX), ERR_INPUT,
	    "reject a run then a backslash at the end");
}

static void
test_duplicates(void)
{
	bad("{\"a\":1,\"a\":2}", "duplicate member");
	bad("{\"a\":1,\"b\":2,\"a\":1}", "duplicate with same value");
	bad("{\"a\":1,\"\\u0061\":2}", "duplicate via \\u escape");
	bad("{\"\\/\":1,\"/\":2}", "duplicate via \\/");
	bad("{\"\xc3\xa9\":1,\"\\u00e9\":2}", "duplicate via utf-8 escape");
	bad("{\"x\":{\"a\":1,\"a\":2}}", "nested duplicate");
	bad("[{\"a\":1},{\"b\":1,\"b\":2}]", "duplicate in second object");
	bad("{\"a\":{\"p\":1,\"q\":2},\"a\":{\"r\":3}}",
	    "duplicate holding objects");
	bad("{\"a\":{\"p\":1},\"b\":{\"q\":1,\"q\":1},\"a\":{}}",
	    "two duplicates");
	bad("{\"a\":[],\"a\":{\"x\":1,\"y\":2}}", "duplicate array/object");
	bad("{\"\":1,\"\":2}", "duplicate empty name");
	good("{\"a\":1,\"A\":2}");
	good("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":1}}");
	good("[{\"a\":1},{\"a\":1}]");
}

static void
test_depth(void)
{
	nest(16, 16, ERR_OK);
	nest(17, 16, ERR_INPUT);
	nest(1, 1, ERR_OK);
	nest(2, 1, ERR_INPUT);
	nest(64, 64, ERR_OK);
	nest(65, 64, ERR_INPUT);
	nest(10000, 16, ERR_INPUT);
	is_int(parse_n("1", 1, 0), ERR_INPUT, "max_depth 0 refused");
	is_int(parse_n("1", 1, JSONP_DEPTH_LIMIT + 1), ERR_INPUT,
	    "max_depth above limit refused");
}

static void
test_access(void)
{
	struct json_object	*o = NULL;
	const char		*s;
	const char		*doc =
	    "{\"s\":\"str\",\"b\":true,\"f\":false,"
	    "\"i\":-42,\"big\":9223372036854775806,\"huge\":"
	    "9223372036854775808,\"neg\":-9223372036854775809,"
	    "\"max\":9223372036854775807,\"d\":1.5,\"e\":1.7e9,"
	    "\"z\":30.0,\"p53\":9007199254740992.0,\"n\":null,"
	    "\"si\":\"1\",\"a\":[1],\"o\":{},\"tiny\":1e-400}";
	int64_t			 i;
	bool			 b;

	if (!ok(jsonp_parse(doc, strlen(doc), JSONP_DEPTH_MAX, &o) ==
	    ERR_OK, "accessor document"))
		return;
	ok(jsonp_string(o, "s", &s) == ERR_OK && strcmp(s, "str") == 0,
	    "string");
	is_int(jsonp_string(o, "b", &s), ERR_INPUT, "bool is no string");
	is_int(jsonp_string(o, "n", &s), ERR_INPUT, "null is no string");
	is_int(jsonp_string(o, "x", &s), ERR_NOTFOUND, "absent string");
	is_int(jsonp_string(NULL, "s", &s), ERR_INPUT, "NULL object");
	{
		struct json_object *a;

		json_object_object_get_ex(o, "a", &a);
		is_int(jsonp_string(a, "s", &s), ERR_INPUT,
		    "array is no object");
	}
	ok(jsonp_bool(o, "b", &b) == ERR_OK && b, "true");
	ok(jsonp_bool(o, "f", &b) == ERR_OK && !b, "false");
	is_int(jsonp_bool(o, "i", &b), ERR_INPUT, "int is no bool");
	is_int(jsonp_bool(o, "s", &b), ERR_INPUT, "string is no bool");
	is_int(jsonp_bool(o, "x", &b), ERR_NOTFOUND, "absent bool");
	ok(jsonp_int64(o, "i", &i) == ERR_OK && i == -42, "int -42");
	ok(jsonp_int64(o, "big", &i) == ERR_OK &&
	    i == INT64_C(9223372036854775806), "int 2^63 - 2");
	is_int(jsonp_int64(o, "huge", &i), ERR_INPUT, "2^63 refused");
	is_int(jsonp_int64(o, "neg", &i), ERR_INPUT, "-2^63 - 1 refused");
	is_int(jsonp_int64(o, "max", &i), ERR_INPUT,
	    "INT64_MAX refused (saturation is ambiguous)");
	is_int(jsonp_int64(o, "d", &i), ERR_INPUT, "1.5 refused");
	ok(jsonp_int64(o, "e", &i) == ERR_OK && i == 1700000000,
	    "1.7e9 accepted as integral");
	ok(jsonp_int64(o, "z", &i) == ERR_OK && i == 30, "30.0 accepted");
	is_int(jsonp_int64(o, "p53", &i), ERR_INPUT, "2^53 as double refused");
	is_int(jsonp_int64(o, "si", &i), ERR_INPUT, "\"1\" refused");
	is_int(jsonp_int64(o, "b", &i), ERR_INPUT, "true refused");
	is_int(jsonp_int64(o, "n", &i), ERR_INPUT, "null refused");
	is_int(jsonp_int64(o, "a", &i), ERR_INPUT, "array refused");
	is_int(jsonp_int64(o, "o", &i), ERR_INPUT, "object refused");
	is_int(jsonp_int64(o, "x", &i), ERR_NOTFOUND, "absent int");
	ok(jsonp_int64(o, "tiny", &i) == ERR_OK && i == 0,
	    "1e-400 underflows to 0");
	json_object_put(o);
}
/*
 * Escaped surrogate pairs decode to their code point, also where json-c
 * 0.16 alone gives U+FFFD (U+1D800 .. U+1DFFF, found by fuzz_json's
 * comparison with jsonr), and nothing else in the text changes.
 */
static void
test_pairs(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"a\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80" },
		{ "{\"a\":\"\\ud835\\udfff\"}", "\xf0\x9d\x9f\xbf" },
		{ "{\"a\":\"\\ud836\\udc00\"}", "\xf0\x9d\xa0\x80" },
		{ "{\"a\":\"\\ud836\\uDE00\"}", "\xf0\x9d\xa8\x80" },
		{ "{\"a\":\"x\\ud837\\udfffy\"}", "x\xf0\x9d\xbf\xbfy" },
		{ "{\"a\":\"\\ud838\\udc00\"}", "\xf0\x9e\x80\x80" },
		{ "{\"a\":\"\\ud876\\uDe00\"}", "\xf0\xad\xa8\x80" },
		{ "{\"a\":\"\\udbf7\\udfff\"}", "\xf4\x8d\xbf\xbf" },
		{ "{\"a\":\"\\udbf8\\udc00\"}", "\xf4\x8e\x80\x80" },
		/* Not surrogates, though their low bits are 0x36, 0x37. */
		{ "{\"a\":\"\\ud836\\udc00\\uee36\\u0037\\u0436\"}",
		    "\xf0\x9d\xa0\x80\xee\xb8\xb6" "7\xd0\xb6" },
		/* An escaped backslash before "ud836": text, not a pair. */
		{ "{\"a\":\"\\\\ud836\\ud836\\udc00\", \"b\": \"\\\"\"}",
		    "\\ud836\xf0\x9d\xa0\x80" },
	};
	struct json_object *o;
	const char *got;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = NULL;
		got = NULL;
		if (jsonp_parse(cases[i].json, strlen(cases[i].json),
		    JSONP_DEPTH_MAX, &o) != ERR_OK ||
		    jsonp_string(o, "a", &got) != ERR_OK)
			got = "(refused)";
		is_str(got, cases[i].want, "pair case %zu decoded", i);
		json_object_put(o);
	}
	o = NULL;
	ok(jsonp_parse(cases[10].json, strlen(cases[10].json), JSONP_DEPTH_MAX,
	    &o) == ERR_OK && jsonp_string(o, "b", &got) == ERR_OK &&
	    strcmp(got, "\"") == 0, "  and the member after it intact");
	json_object_put(o);
}

int
main(void)
{
	test_syntax();
	test_strings();
	test_pairs();
	test_duplicates();
	test_depth();
	test_access();
	return tap_done();
}
