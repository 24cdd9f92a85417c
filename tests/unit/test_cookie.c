#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cookie.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_get(void)
{
	static const struct {
		const char	*header, *name;
		enum err	 want;
		const char	*value;
	} cases[] = {
		{ "sid=abc", "sid", ERR_OK, "abc" },
		{ "a=1; sid=abc; b=2", "sid", ERR_OK, "abc" },
		{ "a=1;sid=abc;b=2", "sid", ERR_OK, "abc" },
		{ "  sid = abc  ;", "sid", ERR_OK, "abc" },
		{ "\tsid=abc\t", "sid", ERR_OK, "abc" },
		{ "sid=\"abc\"", "sid", ERR_OK, "abc" },
		{ "sid=\"\"", "sid", ERR_OK, "" },
		{ "sid=", "sid", ERR_OK, "" },
		{ "sid=a=b", "sid", ERR_OK, "a=b" },
		{ "sid=-_.~!#$%&'()*+/:<=>?@[]^`{|}", "sid", ERR_OK,
		    "-_.~!#$%&'()*+/:<=>?@[]^`{|}" },
		{ ";;sid=abc;;", "sid", ERR_OK, "abc" },
		{ "SID=x; sid=abc", "sid", ERR_OK, "abc" },	/* exact */
		{ "xsid=1; sidx=2; sid=abc", "sid", ERR_OK, "abc" },
		{ "other=has space, comma\\; sid=ok", "sid", ERR_OK, "ok" },
		{ "other=\x01\x7f; sid=ok", "sid", ERR_OK, "ok" },
		{ "=nameless; sid=ok", "sid", ERR_OK, "ok" },
		{ "__Host-sid=v", "__Host-sid", ERR_OK, "v" },
		{ "", "sid", ERR_NOTFOUND, NULL },
		{ "   ", "sid", ERR_NOTFOUND, NULL },
		{ ";", "sid", ERR_NOTFOUND, NULL },
		{ "a=1; b=2", "sid", ERR_NOTFOUND, NULL },
		{ "sidx=1", "sid", ERR_NOTFOUND, NULL },
		{ "xsid=1", "sid", ERR_NOTFOUND, NULL },
		{ "a=sid=x", "sid", ERR_NOTFOUND, NULL },
		{ "sid=a; sid=b", "sid", ERR_INPUT, NULL },	/* tossing */
		{ "sid=a; sid=a", "sid", ERR_INPUT, NULL },
		{ "sid=a;sid=", "sid", ERR_INPUT, NULL },
		{ " sid =a; sid= b", "sid", ERR_INPUT, NULL },
		{ "sid", "sid", ERR_INPUT, NULL },		/* no '=' */
		{ "a=1; junk; sid=x", "sid", ERR_INPUT, NULL },
		{ "sid=a b", "sid", ERR_INPUT, NULL },
		{ "sid=a,b", "sid", ERR_INPUT, NULL },
		{ "sid=a\\b", "sid", ERR_INPUT, NULL },
		{ "sid=a\"b", "sid", ERR_INPUT, NULL },
		{ "sid=\"abc", "sid", ERR_INPUT, NULL },
		{ "sid=\"", "sid", ERR_INPUT, NULL },
		{ "sid=\"a\"b\"", "sid", ERR_INPUT, NULL },
		{ "sid=a\rb", "sid", ERR_INPUT, NULL },
		{ "sid=a\nSet-Cookie: x", "sid", ERR_INPUT, NULL },
		{ "sid=\x80\xff", "sid", ERR_INPUT, NULL },
		{ "sid=a\x7f", "sid", ERR_INPUT, NULL },
		{ "sid=abc", "", ERR_INPUT, NULL },		/* bad name */
		{ "sid=abc", "s d", ERR_INPUT, NULL },
		{ "sid=abc", "s;d", ERR_INPUT, NULL },
		{ "sid=abc", "s=d", ERR_INPUT, NULL },
	};
	struct buf	 b;
	char		*v = NULL;
	size_t		 i;
	enum err	 e;

	for (i = 0; i < NELEM(cases); i++) {
		e = cookie_get(cases[i].header, cases[i].name, &v);
		is_int(e, cases[i].want, "get case %zu: %s", i,
		    err_str(cases[i].want));
		if (cases[i].value != NULL)
			is_str(v, cases[i].value, "get case %zu: value", i);
		else
			ok(v == NULL, "get case %zu: no value", i);
		free(v);
		v = NULL;
	}
	is_int(cookie_get(NULL, "sid", &v), ERR_NOTFOUND, "get: no header");
	is_int(cookie_get("sid=1", NULL, &v), ERR_INPUT, "get: NULL name");

	/* COOKIE_COUNT_MAX cookies pass, one more does not. */
	buf_init(&b, 0);
	for (i = 0; i < COOKIE_COUNT_MAX - 1; i++)
		buf_addf(&b, "c%zu=%zu; ", i, i);
	buf_adds(&b, "sid=last");
	is_int(cookie_get(buf_str(&b), "sid", &v), ERR_OK,
	    "get: COOKIE_COUNT_MAX cookies");
	is_str(v, "last", "get: last of COOKIE_COUNT_MAX");
	free(v);
	v = NULL;
	buf_adds(&b, "; one=more");
	is_int(cookie_get(buf_str(&b), "sid", &v), ERR_INPUT,
	    "get: one cookie over COOKIE_COUNT_MAX");
	buf_free(&b);

	/* COOKIE_HEADER_MAX bytes pass, one more does not. */
	buf_init(&b, 0);
	buf_adds(&b, "sid=x; pad=");
	while (b.len < COOKIE_HEADER_MAX)
		buf_addc(&b, 'p');
	is_int(cookie_get(buf_str(&b), "sid", &v), ERR_OK,
	    "get: COOKIE_HEADER_MAX bytes");
	free(v);
	v = NULL;
	buf_addc(&b, 'p');
	is_int(cookie_get(buf_str(&b), "sid", &v), ERR_INPUT,
	    "get: over COOKIE_HEADER_MAX");
	ok(v == NULL, "get: no value when refused");
	buf_free(&b);
}

static void
test_set(void)
{
	const struct cookie_attrs def = COOKIE_ATTRS_DEFAULT;
	struct cookie_attrs	 a = def;
	struct buf		 b;
	char			 big[COOKIE_PAIR_MAX + 2];

	buf_init(&b, 0);
	is_int(cookie_set(&b, "sid", "abc", &a), ERR_OK, "set: default");
	is_str(buf_str(&b), "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
	    "set: default attributes");
	buf_reset(&b);
	is_int(cookie_set(&b, "sid", "abc", NULL), ERR_OK, "set: NULL attrs");
	is_str(buf_str(&b), "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
	    "set: NULL attrs are the default");
	buf_reset(&b);

	a.max_age = 3600;
	a.samesite = COOKIE_SAMESITE_STRICT;
	a.path = "/app";
	is_int(cookie_set(&b, "csrf", "t-1", &a), ERR_OK, "set: max-age");
	is_str(buf_str(&b), "csrf=t-1; Path=/app; Max-Age=3600; Secure; "
	    "HttpOnly; SameSite=Strict", "set: max-age, path, strict");
	buf_reset(&b);

	a.max_age = 0;
	a.path = NULL;
	a.samesite = COOKIE_SAMESITE_LAX;
	is_int(cookie_set(&b, "sid", "", &a), ERR_OK, "set: delete");
	is_str(buf_str(&b), "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan "
	    "1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax",
	    "set: delete has Max-Age=0 and a past Expires");
	buf_reset(&b);

	a.max_age = -1;
	a.secure = false;
	a.http_only = false;
	is_int(cookie_set(&b, "dev", "1", &a), ERR_OK, "set: plain http dev");
	is_str(buf_str(&b), "dev=1; Path=/; SameSite=Lax",
	    "set: no Secure, no HttpOnly");
	buf_reset(&b);

	a.secure = true;
	a.samesite = COOKIE_SAMESITE_NONE;
	is_int(cookie_set(&b, "x", "1", &a), ERR_OK, "set: None with Secure");
	is_str(buf_str(&b), "x=1; Path=/; Secure; SameSite=None",
	    "set: SameSite=None");
	buf_reset(&b);
	a.secure = false;
	is_int(cookie_set(&b, "x", "1", &a), ERR_INPUT,
	    "set: SameSite=None without Secure refused");
	a.samesite = COOKIE_SAMESITE__MAX;
	a.secure = true;
	is_int(cookie_set(&b, "x", "1", &a), ERR_INPUT,
	    "set: bad SameSite refused");
	a.samesite = COOKIE_SAMESITE_LAX;

	is_int(cookie_set(&b, "__Host-sid", "v", &a), ERR_OK,
	    "set: __Host- with Secure and Path=/");
	buf_reset(&b);
	a.path = "/app";
	is_int(cookie_set(&b, "__Host-sid", "v", &a), ERR_INPUT,
	    "set: __Host- with another path refused");
	a.path = NULL;
	a.secure = false;
	is_int(cookie_set(&b, "__Host-sid", "v", &a), ERR_INPUT,
	    "set: __Host- without Secure refused");
	is_int(cookie_set(&b, "__host-sid", "v", &a), ERR_INPUT,
	    "set: __host- (any case) without Secure refused");
	is_int(cookie_set(&b, "__Secure-sid", "v", &a), ERR_INPUT,
	    "set: __Secure- without Secure refused");
	a.secure = true;
	is_int(cookie_set(&b, "__Secure-sid", "v", &a), ERR_OK,
	    "set: __Secure- with Secure");
	buf_reset(&b);

	is_int(cookie_set(&b, "sid", "a;b", &a), ERR_INPUT, "set: ';' value");
	is_int(cookie_set(&b, "sid", "a b", &a), ERR_INPUT, "set: space");
	is_int(cookie_set(&b, "sid", "a,b", &a), ERR_INPUT, "set: comma");
	is_int(cookie_set(&b, "sid", "a\"b", &a), ERR_INPUT, "set: quote");
	is_int(cookie_set(&b, "sid", "a\\b", &a), ERR_INPUT, "set: backslash");
	is_int(cookie_set(&b, "sid", "a\r\nSet-Cookie: x=y", &a), ERR_INPUT,
	    "set: CRLF injection in value");
	is_int(cookie_set(&b, "sid", "\xc3\xa9", &a), ERR_INPUT,
	    "set: non-ASCII value");
	is_int(cookie_set(&b, "sid", NULL, &a), ERR_INPUT, "set: NULL value");
	is_int(cookie_set(&b, "", "v", &a), ERR_INPUT, "set: empty name");
	is_int(cookie_set(&b, NULL, "v", &a), ERR_INPUT, "set: NULL name");
	is_int(cookie_set(&b, "s=d", "v", &a), ERR_INPUT, "set: '=' in name");
	is_int(cookie_set(&b, "s d", "v", &a), ERR_INPUT, "set: space name");
	is_int(cookie_set(&b, "s;d", "v", &a), ERR_INPUT, "set: ';' name");
	is_int(cookie_set(&b, "s(d)", "v", &a), ERR_INPUT, "set: '(' name");
	is_int(cookie_set(&b, "s\nd", "v", &a), ERR_INPUT, "set: LF name");
	a.path = "app";
	is_int(cookie_set(&b, "sid", "v", &a), ERR_INPUT, "set: relative path");
	a.path = "/a;Domain=evil.com";
	is_int(cookie_set(&b, "sid", "v", &a), ERR_INPUT,
	    "set: attribute injection via path");
	a.path = "/a\r\nX: y";
	is_int(cookie_set(&b, "sid", "v", &a), ERR_INPUT, "set: CRLF path");
	a.path = NULL;
	a.max_age = COOKIE_MAX_AGE_MAX;
	is_int(cookie_set(&b, "sid", "v", &a), ERR_OK, "set: largest max-age");
	buf_reset(&b);
	a.max_age = COOKIE_MAX_AGE_MAX + 1;
	is_int(cookie_set(&b, "sid", "v", &a), ERR_INPUT,
	    "set: max-age over the cap");
	is_int(b.len, 0, "set: nothing appended on errors");
	a = def;

	memset(big, 'v', sizeof(big));
	big[COOKIE_PAIR_MAX - 3] = '\0';
	is_int(cookie_set(&b, "sid", big, &a), ERR_OK,
	    "set: name + value of COOKIE_PAIR_MAX");
	buf_reset(&b);
	big[COOKIE_PAIR_MAX - 3] = 'v';
	big[COOKIE_PAIR_MAX - 2] = '\0';
	is_int(cookie_set(&b, "sid", big, &a), ERR_INPUT,
	    "set: one byte over COOKIE_PAIR_MAX");

	/* Appends to what is there. */
	buf_adds(&b, "Set-Cookie: ");
	is_int(cookie_set(&b, "a", "1", &a), ERR_OK, "set: appends");
	is_str(buf_str(&b), "Set-Cookie: a=1; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax", "set: appended value");
	buf_free(&b);

	buf_init(&b, 10);
	is_int(cookie_set(&b, "sid", "abc", &a), ERR_NOMEM,
	    "set: out's cap reached");
	is_int(b.len, 0, "set: out untouched when its cap is reached");
	buf_free(&b);

	ok(cookie_name_ok("a") && !cookie_name_ok("") && !cookie_name_ok(NULL),
	    "cookie_name_ok");
	ok(cookie_value_ok("") && !cookie_value_ok(" ") &&
	    !cookie_value_ok(NULL), "cookie_value_ok");
}

int
main(void)
{
	test_get();
	test_set();
	return tap_done();
}
