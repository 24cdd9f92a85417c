#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "utf8.h"

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
	while (i < len && s[i] != '\0') {
		if (s[i] >= 0x80) {
			n = utf8_decode(s + i, len - i, &cp);
			if (n > 0 && cp >= 0xa0) {
				i += n;
				continue;
			}
			/* A C1 control, or one bad byte: one U+FFFD. */
			n = n > 0 ? n : 1;
			rep = HTML_REPLACEMENT;
		} else if ((rep = html_entity(s[i])) != NULL) {
			n = 1;
		} else if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') || s[i] == 0x7f) {
			n = 1;
			rep = HTML_REPLACEMENT;
		} else {
			i++;
			continue;
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
