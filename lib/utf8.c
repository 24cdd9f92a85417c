#include "config.h"

#include "utf8.h"

#define UTF8_CONT_LO 0x80		/* continuation bytes: 10xxxxxx */
#define UTF8_CONT_HI 0xbf

size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	 lo = UTF8_CONT_LO, hi = UTF8_CONT_HI;
	uint32_t	 c;
	size_t		 n, i;

	if (len == 0)
		return 0;
	/* The RFC 3629 table: the second byte's range is what varies. */
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;		/* continuation, c0, c1, f5..ff */
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	c = c << 6 | (s[1] & 0x3f);
	for (i = 2; i < n; i++) {
		if (s[i] < UTF8_CONT_LO || s[i] > UTF8_CONT_HI)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

bool
utf8_valid(const char *s, size_t len)
{
	return utf8_count(s, len) != SIZE_MAX;
}

size_t
utf8_count(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, count = 0;
	uint32_t		 cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return SIZE_MAX;
		i += n;
		count++;
	}
	return count;
}

size_t
utf8_encode(uint32_t cp, char out[UTF8_SEQ_MAX])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}
