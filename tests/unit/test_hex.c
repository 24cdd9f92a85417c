/* test_hex: hex digits and fixed-length decoding, good and bad input. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hex.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define OUT_MAX		32

static void
test_digit(void)
{
	unsigned nbad = 0;
	int	 c, want;

	for (c = 0; c < 256; c++) {
		if (c >= '0' && c <= '9')
			want = c - '0';
		else if (c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		else
			want = -1;
		if (hex_digit(c) != want)
			nbad++;
	}
	is_int(nbad, 0, "hex_digit: every byte value");
	is_int(hex_digit('0'), 0, "hex_digit '0'");
	is_int(hex_digit('9'), 9, "hex_digit '9'");
	is_int(hex_digit('a'), 10, "hex_digit 'a'");
	is_int(hex_digit('F'), 15, "hex_digit 'F'");
	is_int(hex_digit('g'), -1, "hex_digit 'g'");
	is_int(hex_digit('/'), -1, "hex_digit '/' (just below '0')");
	is_int(hex_digit(':'), -1, "hex_digit ':' (just above '9')");
	is_int(hex_digit('@'), -1, "hex_digit '@' (just below 'A')");
	is_int(hex_digit('`'), -1, "hex_digit '`' (just below 'a')");
	is_int(hex_digit(0), -1, "hex_digit NUL");
	is_int(hex_digit(-1), -1, "hex_digit EOF");
	is_int(hex_digit(0x100 + '1'), -1, "hex_digit out of byte range");
}

static void
test_decode_good(void)
{
	static const struct {
		const char		*in;
		const unsigned char	*want;
		size_t			 n;
	} cases[] = {
		{ "", (const unsigned char *)"", 0 },
		{ "00", (const unsigned char *)"\x00", 1 },
		{ "ff", (const unsigned char *)"\xff", 1 },
		{ "FF", (const unsigned char *)"\xff", 1 },
		{ "0123456789abcdef", (const unsigned char *)
		    "\x01\x23\x45\x67\x89\xab\xcd\xef", 8 },
		{ "0123456789ABCDEF", (const unsigned char *)
		    "\x01\x23\x45\x67\x89\xab\xcd\xef", 8 },
		{ "dEaDbEeF", (const unsigned char *)"\xde\xad\xbe\xef", 4 },
		/* A 32-byte key, as in cache_key_file. */
		{ "000102030405060708090a0b0c0d0e0f"
		  "101112131415161718191a1b1c1d1e1f", (const unsigned char *)
		  "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
		  "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
		  "\x1c\x1d\x1e\x1f", 32 },
	};
	unsigned char out[OUT_MAX];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		memset(out, 0xaa, sizeof(out));
		ok(hex_decode(cases[i].in, strlen(cases[i].in), out,
		    cases[i].n) == ERR_OK && memcmp(out, cases[i].want,
		    cases[i].n) == 0, "decode \"%s\"", cases[i].in);
		ok(cases[i].n == OUT_MAX || out[cases[i].n] == 0xaa,
		    "decode \"%s\": nothing written past outlen",
		    cases[i].in);
	}
	/* len counts: a NUL inside the given length is a bad digit. */
	memset(out, 0, sizeof(out));
	ok(hex_decode("4142ffff", 4, out, 2) == ERR_OK &&
	    memcmp(out, "AB", 2) == 0, "decode reads only len bytes");
}

static bool
wiped(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
test_decode_bad(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		size_t		 outlen;
		const char	*what;
	} cases[] = {
		{ "0", 0, 1, "odd length, too short" },
		{ "abc", 0, 1, "odd length, too long" },
		{ "abc", 0, 2, "odd length, outlen rounded up" },
		{ "abcd", 0, 1, "too long for outlen" },
		{ "ab", 0, 2, "too short for outlen" },
		{ "g0", 0, 1, "bad high digit" },
		{ "0g", 0, 1, "bad low digit" },
		{ "0x", 0, 1, "0x prefix" },
		{ " 1", 0, 1, "leading space" },
		{ "1 ", 0, 1, "trailing space" },
		{ "-1", 0, 1, "sign" },
		{ "a\0", 2, 1, "NUL digit" },
		{ "\xc3\xa9", 0, 1, "non-ASCII" },
		{ "00112233445566778899aabbccddeeXX", 0, 16,
		    "bad digit in the last byte" },
	};
	unsigned char out[OUT_MAX];
	size_t	 i, len;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		ok(hex_decode(cases[i].in, len, out, cases[i].outlen) ==
		    ERR_INPUT, "refuse: %s", cases[i].what);
	}
	/* A bad digit late in the input wipes what was decoded before. */
	memset(out, 0xaa, sizeof(out));
	ok(hex_decode("00112233445566778899aabbccddeeXX", 32, out, 16) ==
	    ERR_INPUT && wiped(out, 16), "a bad digit wipes out");
	memset(out, 0xaa, sizeof(out));
	ok(hex_decode("ffffffzz", 8, out, 4) == ERR_INPUT && wiped(out, 4) &&
	    out[4] == 0xaa, "the wipe stays inside outlen");
}

static void
test_quad(void)
{
	is_int(hex_quad("d836"), 0xd836, "hex_quad: d836");
	is_int(hex_quad("DE00"), 0xde00, "hex_quad: DE00");
	is_int(hex_quad("0000"), 0, "hex_quad: 0000");
	is_int(hex_quad("fFfF"), 0xffff, "hex_quad: fFfF");
	is_int(hex_quad("12g4"), -1, "hex_quad: a bad digit");
	is_int(hex_quad("12\0004"), -1, "hex_quad: stops at a NUL");
}

int
main(void)
{
	test_digit();
	test_quad();
	test_decode_good();
	test_decode_bad();
	return tap_done();
}
