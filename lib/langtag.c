/* langtag: Accept-Language to ui_locales (langtag.h). */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "langtag.h"

#define LANGTAG_ALPHA "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define LANGTAG_ALNUM LANGTAG_ALPHA "0123456789"
#define LANGTAG_SUBTAG_MAX 8

/* A language tag: 2-8 letters, then subtags of 1-8 letters or digits. */
static bool
langtag_ok(const char *t, size_t len)
{
	size_t	 i = 0, n;

	if (len == 0 || len > LANGTAG_TAG_MAX)
		return false;
	n = strspn(t, LANGTAG_ALPHA);
	if (n < 2 || n > LANGTAG_SUBTAG_MAX || n > len)
		return false;
	for (i = n; i < len; i += 1 + n) {
		if (t[i] != '-')
			return false;
		n = strspn(t + i + 1, LANGTAG_ALNUM);
		if (n == 0 || n > LANGTAG_SUBTAG_MAX || i + 1 + n > len)
			return false;
	}
	return true;
}

/* The weight of ";q=0", ";q=0.0..." is zero: the tag is refused. */
static bool
langtag_refused(const char *params, size_t len)
{
	const char *q;
	size_t	 i;

	for (q = params; q + 2 < params + len; q++)
		if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			if (q[2] != '0')
				return false;
			for (i = 3; q + i < params + len && q[i] != ';'; i++)
				if (q[i] != '.' && q[i] != '0' && q[i] != ' ')
					return false;
			return true;
		}
	return false;
}

enum err
langtag_ui_locales(const char *h, struct buf *out)
{
	const char *p, *end, *semi;
	size_t	 n, taken = 0, len;

	if (h == NULL || strlen(h) > LANGTAG_HEADER_MAX)
		return ERR_INPUT;
	for (p = h; *p != '\0' && taken < LANGTAG_MAX_TAGS; p = end) {
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		if (*end == ',')
			end++;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		semi = memchr(p, ';', len);
		n = semi ? (size_t)(semi - p) : len;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!langtag_ok(p, n) || (semi != NULL &&
		    langtag_refused(semi, len - (size_t)(semi - p))))
			continue;
		if (taken++ > 0)
			buf_addc(out, ' ');
		buf_add(out, p, n);
	}
	return out->err;
}
