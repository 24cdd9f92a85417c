#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "utf8.h"

/*
 * 1 for the bytes copied as they are: printable ASCII but & < > " ',
 * and tab, LF and CR.  Everything else (NUL, the other C0 controls, the
 * five markup characters, DEL and every byte of 0x80 and above) takes
 * the slow path in html_escape_n().
 */
static const unsigned char html_plain[256] = {
	/* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
	/* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x20 */ 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
	/* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	/* 0x80 .. 0xff: 0 */
};

static const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

enum err
html_escape_n(struct buf *out, const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	const char		*rep;
	size_t			 i = 0, run = 0, n;
	uint32_t		 cp;
	enum err		 e = ERR_OK;

	if (s == NULL)
		return ERR_INPUT;
	/* Safe bytes collect in s[run..i) and are copied in one go. */
	for (;;) {
		/* Four at a time while all four are plain, then one by one. */
		while (len - i >= 4 && (html_plain[s[i]] &
		    html_plain[s[i + 1]] & html_plain[s[i + 2]] &
		    html_plain[s[i + 3]]))
			i += 4;
		while (i < len && html_plain[s[i]])
			i++;
		if (i == len || s[i] == '\0')
			break;
		if (s[i] >= 0x80) {
			n = utf8_decode(s + i, len - i, &cp);
			if (n > 0 && cp >= 0xa0) {
				i += n;
				continue;
			}
			/* A C1 control, or one bad byte: one U+FFFD. */
			n = n > 0 ? n : 1;
			rep = HTML_REPLACEMENT;
		} else {
			/* Markup, or a control byte (not tab, LF, CR). */
			n = 1;
			if ((rep = html_entity(s[i])) == NULL)
				rep = HTML_REPLACEMENT;
		}
		if (i > run && (e = buf_add(out, s + run, i - run)) != ERR_OK)
			goto out;
		if ((e = buf_adds(out, rep)) != ERR_OK)
			goto out;
		i += n;
		run = i;
	}
	if (i > run)
		e = buf_add(out, s + run, i - run);
out:
	return e;
}

enum err
html_escape(struct buf *out, const char *s)
{
	if (s == NULL)
		return ERR_INPUT;
	return html_escape_n(out, s, strlen(s));
}
