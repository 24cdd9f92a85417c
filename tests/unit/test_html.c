#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "tap.h"
#include "utf8.h"

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

/*
 * The byte-at-a-time escaper html_escape_n() replaced by its table: the
 * fast path must give the same bytes for every input.
 */
static void
ref_escape(struct buf *out, const unsigned char *s, size_t len)
{
	size_t	 i = 0, n;
	uint32_t cp;

	while (i < len && s[i] != '\0') {
		n = 1;
		if (s[i] == '&')
			buf_adds(out, "&amp;");
		else if (s[i] == '<')
			buf_adds(out, "&lt;");
		else if (s[i] == '>')
			buf_adds(out, "&gt;");
		else if (s[i] == '"')
			buf_adds(out, "&quot;");
		else if (s[i] == '\'')
			buf_adds(out, "&#39;");
		else if (s[i] >= 0x80) {
			n = utf8_decode(s + i, len - i, &cp);
			if (n > 0 && cp >= 0xa0)
				buf_add(out, s + i, n);
			else
				buf_adds(out, R);
			n = n > 0 ? n : 1;
		} else if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') || s[i] == 0x7f)
			buf_adds(out, R);
		else
			buf_addc(out, (char)s[i]);
		i += n;
	}
}

/* Random inputs, biased to markup, controls and UTF-8 lead bytes. */
static void
test_reference(void)
{
	static const unsigned char pick[] = { '&', '<', '>', '"', '\'', 'a',
	    ' ', '\t', '\n', '\r', 0x01, 0x1f, 0x7f, 0x80, 0x9f, 0xa0, 0xbf,
	    0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	    '\0' };
	unsigned char	 in[40];
	struct buf	 got, want;
	size_t		 i, k, len, bad = 0;
	unsigned	 seed = 12345;

	for (i = 0; i < 20000; i++) {
		len = i % sizeof(in);
		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			in[k] = (seed >> 16) % 3 == 0 ?
			    (unsigned char)(seed >> 8) :
			    pick[(seed >> 16) % sizeof(pick)];
		}
		buf_init(&got, 0);
		buf_init(&want, 0);
		if (html_escape_n(&got, (const char *)in, len) != ERR_OK)
			bad++;
		ref_escape(&want, in, len);
		if (got.len != want.len || memcmp(buf_str(&got),
		    buf_str(&want), got.len) != 0)
			bad++;
		buf_free(&got);
		buf_free(&want);
	}
	is_int(bad, 0, "20000 random inputs: same bytes as the reference");
}

static void
test_runs(void)
{
	struct buf	 b;
	char		 big[3000];

	buf_init(&b, 0);
	is_int(html_escape(&b, "&&<<>>\"\"''"), ERR_OK, "all special");
	is_str(buf_str(&b), "&amp;&amp;&lt;&lt;&gt;&gt;&quot;&quot;&#39;&#39;",
	    "all special: every byte an entity");
	buf_reset(&b);
	is_int(html_escape(&b, "\x01\x02\x7f\xc2\x80"), ERR_OK,
	    "all controls");
	is_str(buf_str(&b), R R R R, "all controls: U+FFFD each");
	buf_reset(&b);
	is_int(html_escape(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	    ERR_OK, "multibyte only");
	is_str(buf_str(&b), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "multibyte only: kept");
	buf_reset(&b);
	is_int(html_escape(&b, "ab\xc3\xa9" "cd<ef\xff" "gh"), ERR_OK, "mixed");
	is_str(buf_str(&b), "ab\xc3\xa9" "cd&lt;ef" R "gh", "mixed runs");
	buf_reset(&b);
	is_int(html_escape_n(&b, "abc\0\xff<", 6), ERR_OK, "NUL after run");
	is_str(buf_str(&b), "abc", "NUL after a run ends it");
	buf_reset(&b);
	is_int(html_escape_n(&b, "\0abc", 4), ERR_OK, "NUL first");
	is_int(b.len, 0, "NUL first: nothing");
	buf_reset(&b);
	is_int(html_escape_n(&b, "abc<", 3), ERR_OK, "run to len");
	is_str(buf_str(&b), "abc", "a run ending at len stops there");
	buf_reset(&b);
	is_int(html_escape_n(&b, "ab\xe2\x82\xac", 4), ERR_OK,
	    "sequence cut by len");
	is_str(buf_str(&b), "ab" R R, "cut sequence after a run");
	buf_free(&b);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1500] = '>';
	buf_init(&b, 0);
	is_int(html_escape(&b, big), ERR_OK, "long run");
	is_int(b.len, sizeof(big) - 1 + 3, "long run: one entity in it");
	ok(b.data != NULL && strncmp(b.data + 1500, "&gt;x", 5) == 0,
	    "long run: the entity in place");
	buf_free(&b);
	/* A run that does not fit: nothing of it is written. */
	buf_init(&b, 8);
	buf_adds(&b, "ab");
	is_int(html_escape(&b, "cdefghijk"), ERR_NOMEM, "run over the cap");
	is_str(buf_str(&b), "ab", "run over the cap: not written");
	buf_free(&b);
}

int
main(void)
{
	test_escape();
	test_edges();
	test_runs();
	test_reference();
	return tap_done();
}
