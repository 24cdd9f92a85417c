#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BIG		(URL_FORM_MAX + 16)

static void
test_decode(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		bool		 plus;
		const char	*want;	/* NULL: ERR_INPUT */
	} cases[] = {
		{ "", 0, false, "" },
		{ "abc", 0, false, "abc" },
		{ "a%20b", 0, false, "a b" },
		{ "a+b", 0, false, "a+b" },
		{ "a+b", 0, true, "a b" },
		{ "a%2Bb", 0, true, "a+b" },
		{ "%2f%2F", 0, false, "//" },
		{ "%41%42%43", 0, false, "ABC" },
		{ "%c3%a9", 0, false, "\xc3\xa9" },
		{ "%ff", 0, false, "\xff" },
		{ "%25", 0, false, "%" },
		{ "%2525", 0, false, "%25" },
		{ "~-._", 0, false, "~-._" },
		{ "abc", 2, false, "ab" },		/* len respected */
		{ "a%2", 0, false, NULL },
		{ "a%", 0, false, NULL },
		{ "%", 0, false, NULL },
		{ "%zz", 0, false, NULL },
		{ "%g0", 0, false, NULL },
		{ "%0g", 0, false, NULL },
		{ "% 20", 0, false, NULL },
		{ "%+20", 0, true, NULL },
		{ "%-1", 0, false, NULL },
		{ "%2", 0, false, NULL },
		{ "a%20", 3, false, NULL },		/* escape cut by len */
		{ "%00", 0, false, NULL },
		{ "%0a", 0, false, NULL },
		{ "%0D", 0, false, NULL },
		{ "%1f", 0, false, NULL },
		{ "%7f", 0, false, NULL },
		{ "%7F", 0, false, NULL },
		{ "%09", 0, false, NULL },
		{ "a\nb", 0, false, NULL },
		{ "a\tb", 0, false, NULL },
		{ "a\x7f", 0, false, NULL },
		{ "a\0b", 3, false, NULL },		/* raw NUL inside len */
		{ "%80", 0, false, "\x80" },
		{ "%20", 0, false, " " },
	};
	char	*out = NULL, *big = NULL;
	size_t	 i, len;
	enum err e;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		e = url_decode(cases[i].in, len, cases[i].plus, &out);
		if (cases[i].want == NULL) {
			is_int(e, ERR_INPUT, "decode case %zu refused", i);
			ok(out == NULL, "decode case %zu: no output", i);
		} else {
			is_int(e, ERR_OK, "decode case %zu", i);
			is_str(out, cases[i].want, "decode case %zu value", i);
		}
		free(out);
		out = NULL;
	}
	is_int(url_decode(NULL, 0, false, &out), ERR_INPUT, "decode NULL");
	if ((big = malloc(BIG)) != NULL) {
		memset(big, 'a', BIG);
		is_int(url_decode(big, URL_FORM_MAX, false, &out), ERR_OK,
		    "decode URL_FORM_MAX bytes");
		ok(out != NULL && strlen(out) == URL_FORM_MAX,
		    "decode URL_FORM_MAX bytes: length");
		free(out);
		out = NULL;
		is_int(url_decode(big, URL_FORM_MAX + 1, false, &out),
		    ERR_INPUT, "decode over URL_FORM_MAX refused");
		free(big);
	}
}

static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		bool		 good;
	} cases[] = {
		{ "", true },
		{ "plain ascii", true },
		{ "caf\xc3\xa9", true },
		{ "\xe2\x82\xac", true },		/* euro */
		{ "\xf0\x9f\x98\x80", true },		/* emoji */
		{ "\xef\xbf\xbd", true },		/* U+FFFD */
		{ "\xf4\x8f\xbf\xbf", true },		/* U+10FFFF */
		{ "\xed\x9f\xbf", true },		/* U+D7FF */
		{ "\xee\x80\x80", true },		/* U+E000 */
		{ "\xc3", false },			/* truncated */
		{ "\xe2\x82", false },
		{ "\xf0\x9f\x98", false },
		{ "\x80", false },			/* lone continuation */
		{ "\xbf", false },
		{ "\xc0\xaf", false },			/* overlong '/' */
		{ "\xc1\xbf", false },
		{ "\xe0\x80\xaf", false },		/* overlong */
		{ "\xe0\x9f\xbf", false },
		{ "\xf0\x80\x80\xaf", false },
		{ "\xf0\x8f\xbf\xbf", false },
		{ "\xed\xa0\x80", false },		/* surrogate D800 */
		{ "\xed\xbf\xbf", false },		/* surrogate DFFF */
		{ "\xf4\x90\x80\x80", false },		/* 0x110000 */
		{ "\xf5\x80\x80\x80", false },
		{ "\xf8\x88\x80\x80\x80", false },	/* 5-byte form */
		{ "\xfe", false },
		{ "\xff", false },
		{ "a\xc3(", false },			/* bad continuation */
		{ "\xe2\x28\xa1", false },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		ok(url_utf8_valid(cases[i].s, strlen(cases[i].s)) ==
		    cases[i].good, "utf8 case %zu is %s", i,
		    cases[i].good ? "valid" : "invalid");
	ok(url_utf8_valid("\xc3\xa9", 1) == false, "utf8: len cuts a char");
	ok(url_utf8_valid("a\0b", 3), "utf8: NUL is valid UTF-8");
}

static void
test_encode(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "abcXYZ019-._~", "abcXYZ019-._~" },
		{ "a b", "a%20b" },
		{ "a+b", "a%2Bb" },
		{ "/?#[]@!$&'()*,;=", "%2F%3F%23%5B%5D%40%21%24%26%27%28%29"
		    "%2A%2C%3B%3D" },
		{ "%", "%25" },
		{ "\xc3\xa9", "%C3%A9" },
		{ "\r\n", "%0D%0A" },
		{ "\x7f\xff", "%7F%FF" },
		{ "https://app.example/cb?x=1",
		    "https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1" },
	};
	struct buf	 b;
	char		*back = NULL;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 0);
		is_int(url_encode(cases[i].in, &b), ERR_OK, "encode %zu", i);
		is_str(buf_str(&b), cases[i].want, "encode %zu value", i);
		/* Round trip, where decoding accepts the bytes. */
		if (url_decode(buf_str(&b), b.len, false, &back) == ERR_OK)
			is_str(back, cases[i].in, "encode %zu round trip", i);
		free(back);
		back = NULL;
		buf_free(&b);
	}
	buf_init(&b, 5);
	is_int(url_encode("a b", &b), ERR_OK, "encode: exactly the cap");
	buf_free(&b);
	buf_init(&b, 4);
	is_int(url_encode("a b", &b), ERR_NOMEM, "encode: cap reached");
	buf_free(&b);
	buf_init(&b, 0);
	is_int(url_encode(NULL, &b), ERR_INPUT, "encode NULL");
	buf_free(&b);
}

static void
test_params(void)
{
	struct url_params	 p;
	struct buf		 b;
	size_t			 i;
	enum err		 e;
	const char		*q;

	q = "code=abc%2Fdef&state=xyz&&flag&empty=&sp=a+b";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_OK,
	    "query parses");
	is_int(p.n, 5, "query: five pairs, empty piece skipped");
	is_str(url_params_get(&p, "code"), "abc/def", "query: code decoded");
	is_str(url_params_get(&p, "state"), "xyz", "query: state");
	is_str(url_params_get(&p, "flag"), "", "query: bare name is \"\"");
	is_str(url_params_get(&p, "empty"), "", "query: empty value");
	is_str(url_params_get(&p, "sp"), "a+b", "query: '+' kept in query");
	ok(url_params_get(&p, "missing") == NULL, "query: absent is NULL");
	ok(url_params_get(&p, "Code") == NULL, "query: names are exact");
	is_int(url_params_count(&p, "missing"), 0, "query: count absent");
	url_params_free(&p);
	is_int(p.n, 0, "free empties");
	url_params_free(&p);
	ok(p.v == NULL, "free twice is fine");

	q = "text=buy+milk+%26+eggs&csrf=t0k%2Dn";
	is_int(url_params_parse(q, strlen(q), true, &p), ERR_OK,
	    "form parses");
	is_str(url_params_get(&p, "text"), "buy milk & eggs",
	    "form: '+' is space, %%26 is '&'");
	is_str(url_params_get(&p, "csrf"), "t0k-n", "form: csrf");
	url_params_free(&p);

	q = "state=a&code=x&state=b";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_OK,
	    "duplicate names are stored");
	ok(url_params_get(&p, "state") == NULL, "duplicate: get is NULL");
	ok(url_params_dup(&p, "state"), "duplicate: reported");
	is_int(url_params_count(&p, "state"), 2, "duplicate: counted");
	ok(!url_params_dup(&p, "code"), "single: not a duplicate");
	is_str(url_params_get(&p, "code"), "x", "single: still there");
	url_params_free(&p);

	/* Encoded twins are duplicates too. */
	q = "state=a&st%61te=b";
	ok(url_params_parse(q, strlen(q), false, &p) == ERR_OK &&
	    url_params_get(&p, "state") == NULL &&
	    url_params_dup(&p, "state"), "duplicate via escape detected");
	url_params_free(&p);

	q = "a=1&b=2";
	is_int(url_params_parse(q, 3, false, &p), ERR_OK, "len respected");
	is_int(p.n, 1, "len respected: one pair");
	url_params_free(&p);

	q = "a=1&b=%00";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_INPUT,
	    "NUL in value refused");
	ok(p.n == 0 && p.v == NULL, "error leaves it empty");
	q = "a%0a=1";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_INPUT,
	    "LF in name refused");
	q = "d=AADB2C90118%3A+x%0D%0ACorrelation+ID%3A+y%09z";
	ok(url_params_parse(q, strlen(q), true, &p) == ERR_OK &&
	    url_params_get(&p, "d") != NULL &&
	    strcmp(url_params_get(&p, "d"),
	    "AADB2C90118: x\r\nCorrelation ID: y\tz") == 0,
	    "tab, CR and LF kept in a form value");
	url_params_free(&p);
	q = "d=a%01b";
	is_int(url_params_parse(q, strlen(q), true, &p), ERR_INPUT,
	    "other control bytes in a value refused");
	q = "a=%zz";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_INPUT,
	    "bad escape refused");
	q = "=x";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_INPUT,
	    "empty name refused");
	q = "a=1&=";
	is_int(url_params_parse(q, strlen(q), false, &p), ERR_INPUT,
	    "lone '=' refused");
	q = "a=b=c";
	ok(url_params_parse(q, strlen(q), false, &p) == ERR_OK &&
	    url_params_get(&p, "a") != NULL &&
	    strcmp(url_params_get(&p, "a"), "b=c") == 0,
	    "value may hold '='");
	url_params_free(&p);
	q = "a=1;b=2";
	ok(url_params_parse(q, strlen(q), false, &p) == ERR_OK &&
	    p.n == 1, "';' is not a separator");
	url_params_free(&p);
	q = "&&&";
	ok(url_params_parse(q, strlen(q), false, &p) == ERR_OK && p.n == 0,
	    "only separators: no pairs");
	url_params_free(&p);
	ok(url_params_parse("", 0, true, &p) == ERR_OK && p.n == 0,
	    "empty body: no pairs");
	url_params_free(&p);
	is_int(url_params_parse(NULL, 0, true, &p), ERR_INPUT, "NULL refused");

	buf_init(&b, 0);
	for (i = 0, e = ERR_OK; i < URL_PARAMS_MAX && e == ERR_OK; i++)
		e = buf_addf(&b, "p%zu=%zu&", i, i);
	is_int(url_params_parse(buf_str(&b), b.len, true, &p), ERR_OK,
	    "URL_PARAMS_MAX pairs accepted");
	is_int(p.n, URL_PARAMS_MAX, "URL_PARAMS_MAX pairs stored");
	url_params_free(&p);
	buf_adds(&b, "one=more");
	is_int(url_params_parse(buf_str(&b), b.len, true, &p), ERR_INPUT,
	    "one pair over URL_PARAMS_MAX refused");
	buf_adds(&b, "&&&&");
	is_int(url_params_parse(buf_str(&b), b.len, true, &p), ERR_INPUT,
	    "still refused with trailing empties");
	buf_free(&b);

	buf_init(&b, 0);
	buf_adds(&b, "a=");
	for (i = 0; i < URL_FORM_MAX; i++)
		buf_addc(&b, 'x');
	is_int(url_params_parse(buf_str(&b), b.len, true, &p), ERR_INPUT,
	    "body over URL_FORM_MAX refused");
	buf_free(&b);

	ok(url_params_get(NULL, "a") == NULL, "get on NULL params");
	url_params_free(NULL);	/* a no-op: must not crash */
}

static void
test_return_to(void)
{
	static const struct {
		const char	*path;
		bool		 good;
	} cases[] = {
		{ "/", true },
		{ "/tasks", true },
		{ "/tasks?x=1#f", true },
		{ "/tasks/42/edit", true },
		{ "/a/b/../c", true },
		{ "/search?q=caf%C3%A9&x=%3F%26", true },
		{ "/x%20y", true },
		{ "/~user/a-b_c.d", true },
		{ "/p:q@r!$&'()*+,;=", true },
		{ "/javascript:alert(1)", true },	/* a path */
		{ "/%2e%2e/x", true },			/* still this origin */
		{ "//evil.com", false },
		{ "///evil.com", false },
		{ "/\\evil.com", false },
		{ "\\\\evil", false },
		{ "\\/evil", false },
		{ "/x\\y", false },
		{ "/%2fevil.com", false },
		{ "/%2Fevil", false },
		{ "/%5cevil", false },
		{ "/%5Cevil", false },
		{ "/a/%2f/b", false },
		{ "/%252fevil.com", false },		/* double encoding */
		{ "/%25", false },
		{ "/%", false },
		{ "/%2", false },
		{ "/%zz", false },
		{ "/%0d%0aSet-Cookie:x", false },
		{ "/%00", false },
		{ "/%09/evil.com", false },
		{ "/%7f", false },
		{ "http://evil", false },
		{ "https:/evil", false },
		{ "https:evil", false },
		{ "javascript:alert(1)", false },
		{ "JaVaScRiPt:alert(1)", false },
		{ "data:text/html,x", false },
		{ "/tasks\r\nSet-Cookie: x", false },
		{ "/tasks\nx", false },
		{ "/\t/evil.com", false },
		{ "/ /evil.com", false },
		{ "", false },
		{ "tasks", false },
		{ " /x", false },
		{ "/x y", false },
		{ "/x\"y", false },
		{ "/x<script>", false },
		{ "/x`y", false },
		{ "/x{y}", false },
		{ "/x|y", false },
		{ "/x^y", false },
		{ "/[::1]", false },
		{ "/caf\xc3\xa9", false },		/* raw non-ASCII */
		{ "/\x7f", false },
		{ "/\xe2\x80\xae", false },
		{ "?x=//evil", false },
		{ "#/evil", false },
		{ ".", false },
		{ "./x", false },
	};
	char	 buf[URL_RETURN_TO_MAX + 2];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++)
		ok(url_return_to_ok(cases[i].path) == cases[i].good,
		    "return_to case %zu %s", i,
		    cases[i].good ? "accepted" : "refused");
	ok(!url_return_to_ok(NULL), "return_to NULL refused");

	memset(buf, 'a', sizeof(buf));
	buf[0] = '/';
	buf[URL_RETURN_TO_MAX] = '\0';
	ok(url_return_to_ok(buf), "return_to of URL_RETURN_TO_MAX bytes");
	buf[URL_RETURN_TO_MAX] = 'a';
	buf[URL_RETURN_TO_MAX + 1] = '\0';
	ok(!url_return_to_ok(buf), "return_to one byte longer refused");
	/* An escape straddling the end. */
	buf[URL_RETURN_TO_MAX - 2] = '%';
	buf[URL_RETURN_TO_MAX - 1] = '4';
	buf[URL_RETURN_TO_MAX] = '1';
	ok(!url_return_to_ok(buf), "return_to long with escape refused");
}

int
main(void)
{
	test_decode();
	test_utf8();
	test_encode();
	test_params();
	test_return_to();
	return tap_done();
}
