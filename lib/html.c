#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "html.h"

/* Length of the well-formed UTF-8 sequence at s, else 0. */
static size_t
html_utf8_len(const unsigned char *s, size_t left, unsigned int *cpp)
{
	unsigned int	 cp, min;
	size_t		 n, k;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (left < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;	/* also stops at a NUL */
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cpp = cp;
	return n;
}

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
	unsigned int		 cp;
	enum err		 e = ERR_OK;

	if (s == NULL)
		return ERR_INPUT;
	/* Safe bytes collect in s[run..i) and are copied in one go. */
	while (i < len && s[i] != '\0') {
		if (s[i] >= 0x80) {
			n = html_utf8_len(s + i, len - i, &cp);
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
