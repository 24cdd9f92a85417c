/*
 * test_etag: api-fcgi/etag.c, If-Match and If-None-Match parsing, weak
 * and strong comparison, and the versions an UPDATE's WHERE may match.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../api-fcgi/etag.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_parse(void)
{
	static const char *const good[] = { "*", " * ", "\"1\"",
	    "W/\"1\"", "\"1\", \"2\"", "\"1\",W/\"2\" ,\t\"x\"", ",\"1\",,",
	    "\"\"", "\"a!#~\"" };
	static const char *const bad[] = { "", " ", ",", "1", "\"1", "W/1",
	    "w/\"1\"", "\"1\" \"2\"", "**", "*, \"1\"", "\"a\"b\"",
	    "\"a b\"", "\"a\x7f\"", "W/ \"1\"", "\"1\";" };
	struct etag_list l;
	char	 many[256];
	size_t	 i, at = 0;

	for (i = 0; i < NELEM(good); i++)
		is_int(etag_parse(good[i], &l), ERR_OK, "parse '%s'", good[i]);
	for (i = 0; i < NELEM(bad); i++) {
		is_int(etag_parse(bad[i], &l), ERR_INPUT, "refuse '%s'",
		    bad[i]);
		ok(!l.any && l.n == 0, "refused '%s': the list is empty",
		    bad[i]);
	}
	etag_parse("\"1\", W/\"22\"", &l);
	ok(l.n == 2 && !l.v[0].weak && l.v[1].weak && l.v[1].len == 2 &&
	    memcmp(l.v[1].opaque, "22", 2) == 0, "two tags, the second weak");
	for (i = 0; i < ETAG_LIST_MAX; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at, "\"1\",");
	is_int(etag_parse(many, &l), ERR_OK, "%d tags", ETAG_LIST_MAX);
	(void)snprintf(many + at, sizeof(many) - at, "\"1\"");
	is_int(etag_parse(many, &l), ERR_INPUT, "%d tags: too many",
	    ETAG_LIST_MAX + 1);
}

static void
test_match(void)
{
	struct etag_list l;

	etag_parse("\"1\", W/\"2\"", &l);
	ok(etag_match(&l, "1", false, false), "strong \"1\" matches \"1\"");
	ok(!etag_match(&l, "2", false, false), "strong: W/\"2\" never matches");
	ok(etag_match(&l, "2", false, true), "weak: W/\"2\" matches \"2\"");
	ok(!etag_match(&l, "1", true, false), "strong: a weak tag never matches");
	ok(etag_match(&l, "1", true, true), "weak: a weak tag matches");
	ok(!etag_match(&l, "3", false, true), "\"3\" is not there");
	ok(!etag_match(&l, "11", false, true), "\"11\" is not \"1\"");
	etag_parse("*", &l);
	ok(etag_match(&l, "7", false, false), "* matches anything");
}

static void
test_versions(void)
{
	struct etag_list l;
	char	 sql[ETAG_SQL_MAX], small[4];
	char	 many[512];
	size_t	 i, at = 0;

	etag_parse("\"3\", W/\"4\", \"x\", \"05\", \"0\", \"1234567890\", "
	    "\"999999999\", \"7\"", &l);
	is_int(etag_versions_sql(&l, sql, sizeof(sql)), ERR_OK, "versions");
	is_str(sql, "{3,999999999,7}", "only strong, well-formed versions");
	etag_parse("\"x\"", &l);
	etag_versions_sql(&l, sql, sizeof(sql));
	is_str(sql, "{}", "no version: an empty array");
	etag_parse("\"12\", \"34\"", &l);
	is_int(etag_versions_sql(&l, small, sizeof(small)), ERR_NOMEM,
	    "too small a buffer");
	for (i = 0; i < ETAG_LIST_MAX; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at,
		    "\"999999999\",");
	etag_parse(many, &l);
	is_int(etag_versions_sql(&l, sql, sizeof(sql)), ERR_OK,
	    "ETAG_SQL_MAX holds %d of the longest versions", ETAG_LIST_MAX);
}

int
main(void)
{
	test_parse();
	test_match();
	test_versions();
	return tap_done();
}
