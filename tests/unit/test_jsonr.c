/*
 * test_jsonr: reading JSON text without a tree.  It takes what jsonp
 * takes and refuses what jsonp refuses (but duplicate names, refused
 * where they are read), finds members by their decoded names, steps over
 * nested values, decodes strings and reads numbers as jsonp does.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "jsonp.h"
#include "jsonr.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static enum err
open_s(const char *s, struct jsonr *r)
{
	return jsonr_open(s, strlen(s), JSONP_DEPTH_MAX, r);
}

/* The decoded string of member name of the object text s, or "?". */
static const char *
member_str(const char *s, const char *name, struct buf *b)
{
	struct jsonr r, m;

	buf_reset(b);
	if (open_s(s, &r) != ERR_OK || jsonr_member(&r, name, &m) != ERR_OK ||
	    jsonr_string(&m, b) != ERR_OK)
		return "?";
	return buf_str(b);
}

static void
test_open_like_jsonp(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e3", "\"x\"", "true", "null",
		" { \"a\" : [ 1 , { \"b\" : null } ] } ",
		"{\"a\":\"\\ud83d\\ude00\"}",
	};
	static const char *const bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "NaN", "Infinity", "01",
		"+1", "1e400", "-1.0e999", "[1e309]", "\"\\u0000\"",
		"\"\\ud800\"", "\"\xc3\x28\"", "\"\xef\xbb\xbf\"x", "{} {}",
		"[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "'a'", "{a:1}",
		"\"tab\there\"",
	};
	struct json_object *o;
	struct jsonr r;
	size_t	 i;

	for (i = 0; i < NELEM(good); i++) {
		ok(open_s(good[i], &r) == ERR_OK, "takes %s", good[i]);
		o = NULL;
		ok(jsonp_parse(good[i], strlen(good[i]), JSONP_DEPTH_MAX, &o) ==
		    ERR_OK, "  and so does jsonp");
		json_object_put(o);
	}
	for (i = 0; i < NELEM(bad); i++) {
		ok(open_s(bad[i], &r) == ERR_INPUT, "refuses bad case %zu", i);
		o = NULL;
		ok(jsonp_parse(bad[i], strlen(bad[i]), JSONP_DEPTH_MAX, &o) ==
		    ERR_INPUT, "  and so does jsonp");
		json_object_put(o);
	}
	ok(jsonr_open("[1]", 3, 0, &r) == ERR_INPUT, "depth 0 refused");
	ok(jsonr_open(NULL, 0, 8, &r) == ERR_INPUT, "no text refused");
	ok(open_s(" [1, 2] \n", &r) == ERR_OK && r.len == 6 &&
	    memcmp(r.p, "[1, 2]", 6) == 0, "the root without whitespace");
}

static void
test_members(void)
{
	const char *doc = "{\"skip\": {\"tasks\": \"no\", \"s\": \"}\\\"{[\"},"
	    " \"arr\": [\"]\", {\"x\": [1, 2]}], \"n\": -12,"
	    " \"\\u0074asks\": \"found\", \"task\": \"prefix\","
	    " \"caf\\u00e9\": \"cafe\", \"t\": true, \"f\": false,"
	    " \"z\": null}";
	struct jsonr r, m;
	struct buf b;
	int64_t	 n;
	bool	 v;

	buf_init(&b, 0);
	ok(open_s(doc, &r) == ERR_OK, "the document opens");
	is_str(member_str(doc, "tasks", &b), "found",
	    "an escaped name matches, nested ones do not");
	is_str(member_str(doc, "task", &b), "prefix", "a prefix is another name");
	is_str(member_str(doc, "caf\xc3\xa9", &b), "cafe",
	    "\\u00e9 in a name is UTF-8 \xc3\xa9");
	ok(jsonr_member(&r, "tas", &m) == ERR_NOTFOUND, "no such member");
	ok(jsonr_member(&r, "", &m) == ERR_NOTFOUND, "no empty name");
	ok(jsonr_member(&r, "n", &m) == ERR_OK && jsonr_int64(&m, &n) ==
	    ERR_OK && n == -12, "a number after nested values: -12");
	ok(jsonr_member(&r, "t", &m) == ERR_OK && jsonr_bool(&m, &v) ==
	    ERR_OK && v, "true");
	ok(jsonr_member(&r, "f", &m) == ERR_OK && jsonr_bool(&m, &v) ==
	    ERR_OK && !v, "false");
	ok(jsonr_member(&r, "z", &m) == ERR_OK && jsonr_type(&m) ==
	    JSONR_NULL && jsonr_bool(&m, &v) == ERR_INPUT &&
	    jsonr_string(&m, &b) == ERR_INPUT, "null is no bool, no string");
	ok(jsonr_member(&r, "skip", &m) == ERR_OK && jsonr_type(&m) ==
	    JSONR_OBJECT && m.len == 29, "a nested object's whole text");
	ok(jsonr_member(&m, "s", &m) == ERR_OK && m.len == 7,
	    "a string holding brackets and an escaped quote");
	ok(jsonr_member(&r, "n", &m) == ERR_OK &&
	    jsonr_member(&m, "x", &m) == ERR_INPUT, "a number has no members");

	ok(open_s("{\"a\": 1, \"a\": 2}", &r) == ERR_OK &&
	    jsonr_member(&r, "a", &m) == ERR_INPUT,
	    "a duplicate name is refused where it is read");
	ok(open_s("{\"a\": 1, \"\\u0061\": 2, \"b\": 3}", &r) == ERR_OK &&
	    jsonr_member(&r, "a", &m) == ERR_INPUT &&
	    jsonr_member(&r, "b", &m) == ERR_OK,
	    "  also when escaped; other names still read");
	buf_free(&b);
}

static void
test_members_at_once(void)
{
	static const char *const names[] = { "b", "none", "a", "c" };
	struct jsonr r, m[4];
	int64_t	 a = 0, b = 0;

	ok(open_s("{\"a\": 1, \"x\": [{\"b\": 9}], \"b\": 2, \"c\": null}",
	    &r) == ERR_OK && jsonr_members(&r, names, 4, m) == ERR_OK,
	    "four names in one walk");
	ok(m[0].p != NULL && jsonr_int64(&m[0], &b) == ERR_OK && b == 2 &&
	    m[2].p != NULL && jsonr_int64(&m[2], &a) == ERR_OK && a == 1,
	    "each in its place (a %lld, b %lld)", (long long)a, (long long)b);
	ok(m[1].p == NULL && m[1].len == 0, "a name it lacks: no value");
	ok(m[3].p != NULL && jsonr_type(&m[3]) == JSONR_NULL,
	    "null is a value");
	ok(open_s("{\"c\": 1, \"a\": 1, \"c\": 2}", &r) == ERR_OK &&
	    jsonr_members(&r, names, 4, m) == ERR_INPUT,
	    "one of the names twice: refused");
	ok(open_s("[1]", &r) == ERR_OK && jsonr_members(&r, names, 4, m) ==
	    ERR_INPUT && m[0].p == NULL, "an array has no members");
}

static void
test_elements(void)
{
	static const enum jsonr_type want[] = { JSONR_NUMBER, JSONR_STRING,
	    JSONR_OBJECT, JSONR_NULL, JSONR_ARRAY };
	struct jsonr r, e;
	struct jsonr_iter it;
	size_t	 n = 0;
	bool	 all = true;

	ok(open_s("[ 1 , \"],\" , {\"x\": [1, 2]} ,null,[]]", &r) == ERR_OK &&
	    jsonr_elements(&r, &it) == ERR_OK, "an array");
	while (jsonr_next(&it, &e)) {
		all &= n < NELEM(want) && jsonr_type(&e) == want[n];
		n++;
	}
	ok(all && n == NELEM(want), "five elements of the right types (%zu)",
	    n);
	ok(!jsonr_next(&it, &e), "and no more");
	ok(open_s("[]", &r) == ERR_OK && jsonr_elements(&r, &it) == ERR_OK &&
	    !jsonr_next(&it, &e), "an empty array");
	ok(open_s("{}", &r) == ERR_OK && jsonr_elements(&r, &it) ==
	    ERR_INPUT, "an object is no array");
}

static void
test_strings(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "\"\"", "" },
		{ "\"plain\"", "plain" },
		{ "\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d" },
		{ "\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t" },
		{ "\"\\u0041\\u00e9\\u20ac\"", "A\xc3\xa9\xe2\x82\xac" },
		{ "\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!" },
		{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "\"<script>&'\"", "<script>&'" },
	};
	struct json_object *o;
	struct jsonr r;
	struct buf b;
	size_t	 i;

	buf_init(&b, 0);
	for (i = 0; i < NELEM(cases); i++) {
		buf_reset(&b);
		ok(open_s(cases[i].json, &r) == ERR_OK &&
		    jsonr_string(&r, &b) == ERR_OK, "string case %zu", i);
		is_str(buf_str(&b), cases[i].want, "  decoded");
		o = NULL;
		if (jsonp_parse(cases[i].json, strlen(cases[i].json),
		    JSONP_DEPTH_MAX, &o) == ERR_OK)
			is_str(buf_str(&b), json_object_get_string(o),
			    "  as json-c decodes it");
		else
			ok(false, "  jsonp takes it");
		json_object_put(o);
	}
	buf_free(&b);
	buf_init(&b, 4);
	ok(open_s("\"0123456789\"", &r) == ERR_OK &&
	    jsonr_string(&r, &b) != ERR_OK, "past the buffer's cap: an error");
	buf_free(&b);
	ok(open_s("12", &r) == ERR_OK && jsonr_string(&r, &b) == ERR_INPUT,
	    "a number is no string");
}

static void
test_int64(void)
{
	static const struct {
		const char	*json;
		bool		 good;
		int64_t		 want;
	} cases[] = {
		{ "0", true, 0 }, { "-0", true, 0 }, { "42", true, 42 },
		{ "-7", true, -7 },
		{ "9223372036854775806", true, INT64_MAX - 1 },
		{ "9223372036854775807", false, 0 },
		{ "-9223372036854775807", true, -INT64_MAX },
		{ "-9223372036854775808", false, 0 },
		{ "99999999999999999999", false, 0 },
		{ "1e2", true, 100 }, { "1.0", true, 1 }, { "-2.5e1", true, -25 },
		{ "1.5", false, 0 }, { "9007199254740991.0", true,
		    INT64_C(9007199254740991) },
		{ "9007199254740992.0", false, 0 },
		{ "1e-400", true, 0 },
		{ "\"1\"", false, 0 }, { "true", false, 0 },
	};
	struct json_object *o;
	struct jsonr r;
	int64_t	 got, want;
	size_t	 i;
	bool	 good;

	for (i = 0; i < NELEM(cases); i++) {
		got = -1;
		good = open_s(cases[i].json, &r) == ERR_OK &&
		    jsonr_int64(&r, &got) == ERR_OK;
		ok(good == cases[i].good && (!good || got == cases[i].want),
		    "%s: %s", cases[i].json, cases[i].good ? "read" :
		    "refused");
		o = NULL;
		want = -1;
		(void)jsonp_parse(cases[i].json, strlen(cases[i].json),
		    JSONP_DEPTH_MAX, &o);
		ok((jsonp_get_int64(o, &want) == ERR_OK) == good &&
		    (!good || want == got), "  as jsonp reads it");
		json_object_put(o);
	}
}

int
main(void)
{
	test_open_like_jsonp();
	test_members();
	test_members_at_once();
	test_elements();
	test_strings();
	test_int64();
	return tap_done();
}
