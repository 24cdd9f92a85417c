#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define R		HTML_REPLACEMENT

static void
test_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "a & b", "a &amp; b" },
		{ "<script>alert(1)</script>",
		    "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"onmouseover=x", "&quot;onmouseover=x" },
		{ "' onfocus='x", "&#39; onfocus=&#39;x" },
		{ "&amp;", "&amp;amp;" },
		{ "&#60;", "&amp;#60;" },
		{ "</textarea><img src=x onerror=alert(1)>",
		    "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;" },
		{ "a/b=c`d", "a/b=c`d" },
		{ "tab\tnl\ncr\r", "tab\tnl\ncr\r" },
		{ "bell\a", "bell" R },
		{ "\x01\x1f\x7f", R R R },
		{ "esc\x1b[31m", "esc" R "[31m" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac 5", "\xe2\x82\xac 5" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xc2\xa0nbsp", "\xc2\xa0nbsp" },
		{ "\xef\xbf\xbd", "\xef\xbf\xbd" },
		{ "\xe2\x80\xae" "rtl", "\xe2\x80\xae" "rtl" },
		{ "\xc2\x80\xc2\x9f", R R },		/* C1 controls */
		{ "\xc2\x85", R },			/* NEL */
		{ "\xff", R },
		{ "\xfe\xff", R R },
		{ "\x80x", R "x" },
		{ "\xc3", R },				/* truncated */
		{ "\xc3<", R "&lt;" },
		{ "\xe2\x82", R R },
		{ "\xe2\x82<", R R "&lt;" },
		{ "\xc0\xbc", R R },			/* overlong '<' */
		{ "\xc0\xaf", R R },
		{ "\xe0\x80\xbc", R R R },
		{ "\xf0\x80\x80\xbc", R R R R },
		{ "\xed\xa0\x80", R R R },		/* surrogate */
		{ "\xf4\x90\x80\x80", R R R R },	/* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", R R R R R },
		{ "ok\xc3(", "ok" R "(" },
	};
	struct buf	b;
	size_t		i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 0);
		is_int(html_escape(&b, cases[i].in), ERR_OK, "escape %zu", i);
		is_str(buf_str(&b), cases[i].want, "escape %zu output", i);
		buf_free(&b);
	}
}

static void
test_edges(void)
{
	static const char	 all[] = "&<>\"'";
	struct buf		 b;
	char			 bytes[256];
	size_t			 i;
	bool			 clean;

	buf_init(&b, 0);
	is_int(html_escape_n(&b, "a\0<b>", 5), ERR_OK, "NUL inside len");
	is_str(buf_str(&b), "a", "NUL ends the string");
	buf_reset(&b);
	is_int(html_escape_n(&b, "<abc>", 3), ERR_OK, "len respected");
	is_str(buf_str(&b), "&lt;ab", "only len bytes escaped");
	buf_reset(&b);
	is_int(html_escape_n(&b, "\xc3\xa9", 1), ERR_OK, "len cuts UTF-8");
	is_str(buf_str(&b), R, "cut sequence is U+FFFD");
	buf_reset(&b);
	is_int(html_escape_n(&b, "x", 0), ERR_OK, "len 0");
	is_int(b.len, 0, "len 0 appends nothing");
	is_int(html_escape(&b, NULL), ERR_INPUT, "NULL refused");

	buf_adds(&b, "<p>");
	is_int(html_escape(&b, "a<b"), ERR_OK, "appends");
	is_str(buf_str(&b), "<p>a&lt;b", "appends after existing text");
	buf_free(&b);

	/* Every byte value: no raw markup character survives. */
	for (i = 1; i < sizeof(bytes); i++)
		bytes[i - 1] = (char)i;
	bytes[sizeof(bytes) - 1] = '\0';
	buf_init(&b, 0);
	is_int(html_escape(&b, bytes), ERR_OK, "all 255 byte values");
	clean = b.data != NULL && strpbrk(b.data, "<>\"'") == NULL;
	for (i = 0; clean && i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 && b.data[i] != '\t' &&
		    b.data[i] != '\n' && b.data[i] != '\r')
			clean = false;
	ok(clean, "all byte values: no markup or control byte left");
	buf_free(&b);

	/* Cap: an error, and only whole entities were written. */
	buf_init(&b, 16);
	buf_adds(&b, "keep");
	is_int(html_escape(&b, all), ERR_NOMEM, "cap reached");
	is_str(buf_str(&b), "keep&amp;&lt;", "whole entities before the cap");
	buf_free(&b);
	buf_init(&b, 4);
	is_int(html_escape(&b, "&"), ERR_NOMEM, "cap on a fresh buffer");
	is_int(b.len, 0, "fresh buffer stays empty");
	buf_free(&b);
}

int
main(void)
{
	test_escape();
	test_edges();
	return tap_done();
}
