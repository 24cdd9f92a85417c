/*
 * test_utf8: the strict decoder against the cases of Markus Kuhn's
 * "UTF-8 decoder capability and stress test" (the section numbers are
 * his), then exhaustively against an encoder written here.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BAD		UINT32_MAX	/* want: not well-formed */
#define UNTOUCHED	0xdeadbeefu	/* *cp before a failing decode */

struct kuhn {
	const char	*what;
	const char	*bytes;
	size_t		 len;		/* 0: strlen */
	uint32_t	 cp;		/* the first code point, or BAD */
};

/* Sections 1, 2 and 5.3: well-formed, one code point each. */
static const struct kuhn good[] = {
	{ "2.1.1 first 1-byte U+0000", "\x00", 1, 0x0 },
	{ "2.1.2 first 2-byte U+0080", "\xc2\x80", 0, 0x80 },
	{ "2.1.3 first 3-byte U+0800", "\xe0\xa0\x80", 0, 0x800 },
	{ "2.1.4 first 4-byte U+10000", "\xf0\x90\x80\x80", 0, 0x10000 },
	{ "2.2.1 last 1-byte U+007F", "\x7f", 0, 0x7f },
	{ "2.2.2 last 2-byte U+07FF", "\xdf\xbf", 0, 0x7ff },
	{ "2.2.3 last 3-byte U+FFFF", "\xef\xbf\xbf", 0, 0xffff },
	{ "2.3.1 U+D7FF", "\xed\x9f\xbf", 0, 0xd7ff },
	{ "2.3.2 U+E000", "\xee\x80\x80", 0, 0xe000 },
	{ "2.3.3 U+FFFD", "\xef\xbf\xbd", 0, 0xfffd },
	{ "2.3.4 U+10FFFF", "\xf4\x8f\xbf\xbf", 0, 0x10ffff },
	{ "5.3.1 noncharacter U+FFFE", "\xef\xbf\xbe", 0, 0xfffe },
	{ "5.3.2 noncharacter U+FFFF", "\xef\xbf\xbf", 0, 0xffff },
	{ "5.3.3 noncharacter U+FDD0", "\xef\xb7\x90", 0, 0xfdd0 },
	{ "5.3.3 noncharacter U+FDEF", "\xef\xb7\xaf", 0, 0xfdef },
	{ "5.3.4 noncharacter U+1FFFE", "\xf0\x9f\xbf\xbe", 0, 0x1fffe },
	{ "5.3.4 noncharacter U+10FFFF-1", "\xf4\x8f\xbf\xbe", 0, 0x10fffe },
	{ "ASCII letter", "A", 0, 'A' },
	{ "U+00E9", "\xc3\xa9", 0, 0xe9 },
	{ "U+20AC", "\xe2\x82\xac", 0, 0x20ac },
	{ "U+1F600", "\xf0\x9f\x98\x80", 0, 0x1f600 },
};

/* Sections 2 to 5: not well-formed at the first byte. */
static const struct kuhn bad[] = {
	{ "2.1.5 first 5-byte U+200000", "\xf8\x88\x80\x80\x80", 0, BAD },
	{ "2.1.6 first 6-byte U+4000000", "\xfc\x84\x80\x80\x80\x80", 0,
	    BAD },
	{ "2.2.4 last 4-byte U+1FFFFF", "\xf7\xbf\xbf\xbf", 0, BAD },
	{ "2.2.5 last 5-byte U+3FFFFFF", "\xfb\xbf\xbf\xbf\xbf", 0, BAD },
	{ "2.2.6 last 6-byte U+7FFFFFFF", "\xfd\xbf\xbf\xbf\xbf\xbf", 0,
	    BAD },
	{ "2.3.5 U+110000", "\xf4\x90\x80\x80", 0, BAD },
	{ "3.1.1 first continuation 0x80", "\x80", 0, BAD },
	{ "3.1.2 last continuation 0xbf", "\xbf", 0, BAD },
	{ "3.1.3 2 continuations", "\x80\xbf", 0, BAD },
	{ "3.1.4 3 continuations", "\x80\xbf\x80", 0, BAD },
	{ "3.1.5 4 continuations", "\x80\xbf\x80\xbf", 0, BAD },
	{ "3.1.6 5 continuations", "\x80\xbf\x80\xbf\x80", 0, BAD },
	{ "3.1.7 6 continuations", "\x80\xbf\x80\xbf\x80\xbf", 0, BAD },
	{ "3.1.8 7 continuations", "\x80\xbf\x80\xbf\x80\xbf\x80", 0, BAD },
	{ "3.3.1 2-byte c0 missing its last byte", "\xc0", 0, BAD },
	{ "3.3.2 3-byte e0 80 missing its last byte", "\xe0\x80", 0, BAD },
	{ "3.3.3 4-byte f0 80 80 missing its last byte", "\xf0\x80\x80", 0,
	    BAD },
	{ "3.3.4 5-byte missing its last byte", "\xf8\x80\x80\x80", 0, BAD },
	{ "3.3.5 6-byte missing its last byte", "\xfc\x80\x80\x80\x80", 0,
	    BAD },
	{ "3.3.6 2-byte U+07FF missing its last byte", "\xdf", 0, BAD },
	{ "3.3.7 3-byte U+FFFF missing its last byte", "\xef\xbf", 0, BAD },
	{ "3.3.8 4-byte U+1FFFFF missing its last byte", "\xf7\xbf\xbf", 0,
	    BAD },
	{ "3.3.9 5-byte missing its last byte", "\xfb\xbf\xbf\xbf", 0, BAD },
	{ "3.3.10 6-byte missing its last byte", "\xfd\xbf\xbf\xbf\xbf", 0,
	    BAD },
	{ "3.3 2-byte U+0080 missing its last byte", "\xc2", 0, BAD },
	{ "3.3 3-byte U+0800 missing its last byte", "\xe0\xa0", 0, BAD },
	{ "3.3 4-byte U+10000 missing its last byte", "\xf0\x90\x80", 0,
	    BAD },
	{ "3.3 4-byte U+10FFFF missing its last byte", "\xf4\x8f\xbf", 0,
	    BAD },
	{ "3.3 3-byte sequence cut by a NUL", "\xe2\x82\x00", 3, BAD },
	{ "3.3 2-byte sequence cut by ASCII", "\xc3" "A", 0, BAD },
	{ "3.4 the 3.3 sequences concatenated",
	    "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80"
	    "\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", 0,
	    BAD },
	{ "3.5.1 fe", "\xfe", 0, BAD },
	{ "3.5.2 ff", "\xff", 0, BAD },
	{ "3.5.3 fe fe ff ff", "\xfe\xfe\xff\xff", 0, BAD },
	{ "4.1.1 overlong '/' c0 af", "\xc0\xaf", 0, BAD },
	{ "4.1.2 overlong '/' e0 80 af", "\xe0\x80\xaf", 0, BAD },
	{ "4.1.3 overlong '/' f0 80 80 af", "\xf0\x80\x80\xaf", 0, BAD },
	{ "4.1.4 overlong '/' 5 bytes", "\xf8\x80\x80\x80\xaf", 0, BAD },
	{ "4.1.5 overlong '/' 6 bytes", "\xfc\x80\x80\x80\x80\xaf", 0, BAD },
	{ "4.2.1 maximum overlong U+007F c1 bf", "\xc1\xbf", 0, BAD },
	{ "4.2.2 maximum overlong U+07FF e0 9f bf", "\xe0\x9f\xbf", 0, BAD },
	{ "4.2.3 maximum overlong U+FFFF f0 8f bf bf", "\xf0\x8f\xbf\xbf", 0,
	    BAD },
	{ "4.2.4 maximum overlong 5 bytes", "\xf8\x87\xbf\xbf\xbf", 0, BAD },
	{ "4.2.5 maximum overlong 6 bytes", "\xfc\x83\xbf\xbf\xbf\xbf", 0,
	    BAD },
	{ "4.3.1 overlong NUL c0 80", "\xc0\x80", 0, BAD },
	{ "4.3.2 overlong NUL e0 80 80", "\xe0\x80\x80", 0, BAD },
	{ "4.3.3 overlong NUL f0 80 80 80", "\xf0\x80\x80\x80", 0, BAD },
	{ "4.3.4 overlong NUL 5 bytes", "\xf8\x80\x80\x80\x80", 0, BAD },
	{ "4.3.5 overlong NUL 6 bytes", "\xfc\x80\x80\x80\x80\x80", 0, BAD },
	{ "5.1.1 U+D800", "\xed\xa0\x80", 0, BAD },
	{ "5.1.2 U+DB7F", "\xed\xad\xbf", 0, BAD },
	{ "5.1.3 U+DB80", "\xed\xae\x80", 0, BAD },
	{ "5.1.4 U+DBFF", "\xed\xaf\xbf", 0, BAD },
	{ "5.1.5 U+DC00", "\xed\xb0\x80", 0, BAD },
	{ "5.1.6 U+DF80", "\xed\xbe\x80", 0, BAD },
	{ "5.1.7 U+DFFF", "\xed\xbf\xbf", 0, BAD },
	{ "5.2.1 U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", 0, BAD },
	{ "5.2.2 U+D800 U+DFFF", "\xed\xa0\x80\xed\xbf\xbf", 0, BAD },
	{ "5.2.3 U+DB7F U+DC00", "\xed\xad\xbf\xed\xb0\x80", 0, BAD },
	{ "5.2.4 U+DB7F U+DFFF", "\xed\xad\xbf\xed\xbf\xbf", 0, BAD },
	{ "5.2.5 U+DB80 U+DC00", "\xed\xae\x80\xed\xb0\x80", 0, BAD },
	{ "5.2.6 U+DB80 U+DFFF", "\xed\xae\x80\xed\xbf\xbf", 0, BAD },
	{ "5.2.7 U+DBFF U+DC00", "\xed\xaf\xbf\xed\xb0\x80", 0, BAD },
	{ "5.2.8 U+DBFF U+DFFF", "\xed\xaf\xbf\xed\xbf\xbf", 0, BAD },
};

static size_t
kuhn_len(const struct kuhn *k)
{
	return k->len != 0 ? k->len : strlen(k->bytes);
}

static void
test_good(void)
{
	uint32_t cp;
	size_t	 i, len, n;
	bool	 cut_ok;

	for (i = 0; i < NELEM(good); i++) {
		len = kuhn_len(&good[i]);
		cp = UNTOUCHED;
		n = utf8_decode((const unsigned char *)good[i].bytes, len,
		    &cp);
		ok(n == len && cp == good[i].cp, "%s: %zu bytes, U+%04X",
		    good[i].what, n, (unsigned)cp);
		ok(utf8_valid(good[i].bytes, len) &&
		    utf8_count(good[i].bytes, len) == 1, "%s: valid, 1 char",
		    good[i].what);
		/* Every shorter length is a truncated sequence. */
		cut_ok = true;
		for (n = 1; n < len; n++) {
			cp = UNTOUCHED;
			if (utf8_decode((const unsigned char *)good[i].bytes,
			    n, &cp) != 0 || cp != UNTOUCHED ||
			    utf8_valid(good[i].bytes, n))
				cut_ok = false;
		}
		ok(cut_ok, "%s: refused when cut short", good[i].what);
	}
}

static void
test_bad(void)
{
	uint32_t cp;
	size_t	 i, len, n;

	for (i = 0; i < NELEM(bad); i++) {
		len = kuhn_len(&bad[i]);
		cp = UNTOUCHED;
		n = utf8_decode((const unsigned char *)bad[i].bytes, len, &cp);
		ok(n == 0 && cp == UNTOUCHED && !utf8_valid(bad[i].bytes,
		    len) && utf8_count(bad[i].bytes, len) == SIZE_MAX,
		    "%s: refused", bad[i].what);
	}
}

/* 3.1.9 and 3.2: each byte alone, and each lead byte before a space. */
static void
test_lonely(void)
{
	unsigned char b[2];
	uint32_t cp;
	unsigned c, nbad;

	nbad = 0;
	for (c = 0x80; c <= 0xbf; c++) {
		b[0] = (unsigned char)c;
		if (utf8_decode(b, 1, &cp) != 0)
			nbad++;
	}
	is_int(nbad, 0, "3.1.9 all 64 continuation bytes alone refused");
	nbad = 0;
	for (c = 0xc0; c <= 0xff; c++) {
		b[0] = (unsigned char)c;
		b[1] = ' ';
		if (utf8_decode(b, 2, &cp) != 0 ||
		    utf8_valid((const char *)b, 2))
			nbad++;
	}
	is_int(nbad, 0, "3.2 all lead bytes c0..ff followed by a space "
	    "refused");
	nbad = 0;
	for (c = 0; c < 0x80; c++) {
		b[0] = (unsigned char)c;
		if (utf8_decode(b, 1, &cp) != 1 || cp != c)
			nbad++;
	}
	is_int(nbad, 0, "every ASCII byte is one code point");
	cp = UNTOUCHED;
	ok(utf8_decode((const unsigned char *)"A", 0, &cp) == 0 &&
	    cp == UNTOUCHED, "nothing to decode: 0");
}

static void
test_strings(void)
{
	static const char kosme[] = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc"
	    "\xce\xb5";
	static const char mixed[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";

	ok(utf8_valid(kosme, strlen(kosme)), "1 kosme is valid");
	is_int(utf8_count(kosme, strlen(kosme)), 5, "1 kosme is 5 chars");
	is_int(utf8_count(mixed, strlen(mixed)), 5, "1 to 4 byte mix: 5 "
	    "chars");
	ok(utf8_valid("", 0) && utf8_count("", 0) == 0, "empty: valid, 0");
	ok(utf8_valid("a\0b", 3) && utf8_count("a\0b", 3) == 3,
	    "NUL bytes inside are U+0000");
	ok(!utf8_valid("abc\xed\xa0\x80", 6), "a surrogate at the end");
	ok(!utf8_valid("\xc3\xa9\x80", 3), "a stray continuation after a "
	    "good sequence");
	ok(!utf8_valid("\xce\xba\xe1\xbd", 4), "a string cut mid-sequence");
}

/* The reference: RFC 3629 encoding of cp into b; its length. */
static size_t
encode(uint32_t cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static void
test_exhaustive(void)
{
	unsigned char	 b[UTF8_SEQ_MAX];
	uint32_t	 c, cp;
	unsigned long	 nbad = 0, n2 = 0, n3 = 0, n4 = 0;
	unsigned	 x, y, z, w;
	size_t		 n;

	/* Every scalar value round-trips; surrogates cannot be encoded. */
	for (c = 0; c <= UTF8_CP_MAX; c++) {
		n = encode(c, b);
		cp = UNTOUCHED;
		if (c >= 0xd800 && c <= 0xdfff) {
			if (utf8_decode(b, n, &cp) != 0)
				nbad++;
		} else if (utf8_decode(b, n, &cp) != n || cp != c)
			nbad++;
	}
	is_int(nbad, 0, "every code point round-trips, no surrogate does");
	/* Every 2-, 3- and 4-byte input: only the encodings are taken. */
	for (x = 0x80; x <= 0xff; x++)
		for (y = 0; y <= 0xff; y++) {
			b[0] = (unsigned char)x;
			b[1] = (unsigned char)y;
			if (utf8_decode(b, 2, &cp) == 2)
				n2++;
		}
	is_int(n2, 0x800 - 0x80, "2 bytes: exactly U+0080..U+07FF taken");
	for (x = 0xe0; x <= 0xef; x++)
		for (y = 0; y <= 0xff; y++)
			for (z = 0; z <= 0xff; z++) {
				b[0] = (unsigned char)x;
				b[1] = (unsigned char)y;
				b[2] = (unsigned char)z;
				if (utf8_decode(b, 3, &cp) == 3)
					n3++;
			}
	is_int(n3, 0x10000 - 0x800 - 0x800, "3 bytes: exactly "
	    "U+0800..U+FFFF less the surrogates taken");
	for (x = 0xf0; x <= 0xff; x++)
		for (y = 0x80; y <= 0xbf; y++)
			for (z = 0x80; z <= 0xbf; z++)
				for (w = 0x80; w <= 0xbf; w++) {
					b[0] = (unsigned char)x;
					b[1] = (unsigned char)y;
					b[2] = (unsigned char)z;
					b[3] = (unsigned char)w;
					if (utf8_decode(b, 4, &cp) == 4)
						n4++;
				}
	is_int(n4, 0x110000 - 0x10000, "4 bytes: exactly "
	    "U+10000..U+10FFFF taken");
}

/* Every scalar value encodes to what utf8_decode() reads back. */
static void
test_encode(void)
{
	char	 b[UTF8_SEQ_MAX];
	uint32_t cp, back, nbad = 0;
	size_t	 n;

	for (cp = 0; cp <= UTF8_CP_MAX; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_encode(cp, b);
		if (utf8_decode((const unsigned char *)b, n, &back) != n ||
		    back != cp)
			nbad++;
	}
	is_int(nbad, 0, "utf8_encode: every scalar value round-trips");
	ok(utf8_encode(0x1da00, b) == 4 && memcmp(b, "\xf0\x9d\xa8\x80", 4) ==
	    0, "utf8_encode: U+1DA00 is f0 9d a8 80");
}

int
main(void)
{
	test_good();
	test_encode();
	test_bad();
	test_lonely();
	test_strings();
	test_exhaustive();
	return tap_done();
}
