/* test_b64url: RFC 4648 known answers and strict decoding. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "buf.h"
#include "tap.h"

#define ROUNDTRIP_MAX 300

static void
enc(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	is_int(b64url_encode(in, len, &b), ERR_OK, "encode \"%s\"", want);
	if (!ok(strcmp(buf_str(&b), want) == 0, "encode \"%s\": text",
	    want))
		tap_diag("got \"%s\"", buf_str(&b));
	buf_free(&b);
}

/* Decode must give exactly want (wantlen bytes). */
static void
dec_ok(const char *in, const char *want, size_t wantlen)
{
	unsigned char	*out;
	size_t		 len;

	if (!ok(b64url_decode(in, strlen(in), &out, &len) == ERR_OK,
	    "decode \"%s\"", in))
		return;
	ok(len == wantlen && memcmp(out, want, wantlen) == 0 &&
	    out[len] == '\0', "decode \"%s\": bytes and NUL", in);
	free(out);
}

static void
dec_bad(const char *in, size_t len, const char *what)
{
	unsigned char	*out = (unsigned char *)"x";
	size_t		 outlen = 7;

	ok(b64url_decode(in, len, &out, &outlen) == ERR_INPUT &&
	    out == NULL && outlen == 0, "reject %s", what);
}

int
main(void)
{
	unsigned char	 all[256], *out;
	struct buf	 b;
	size_t		 i, n, len, bad = 0;
	int		 accepted;

	/* RFC 4648 section 10, without padding */
	enc("", 0, "");
	enc("f", 1, "Zg");
	enc("fo", 2, "Zm8");
	enc("foo", 3, "Zm9v");
	enc("foob", 4, "Zm9vYg");
	enc("fooba", 5, "Zm9vYmE");
	enc("foobar", 6, "Zm9vYmFy");
	enc("\xfb\xff", 2, "-_8");
	enc("\xfb\xef\xbe", 3, "----");
	enc("\xff\xff\xff", 3, "____");
	enc("\0\0", 2, "AAA");
	dec_ok("", "", 0);
	dec_ok("Zg", "f", 1);
	dec_ok("Zm8", "fo", 2);
	dec_ok("Zm9v", "foo", 3);
	dec_ok("Zm9vYmFy", "foobar", 6);
	dec_ok("-_8", "\xfb\xff", 2);
	dec_ok("AAA", "\0\0", 2);
	/* RFC 7515 appendix A.1 header */
	dec_ok("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
	    "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", 30);

	dec_bad("Zg==", 4, "padding");
	dec_bad("Zg=", 3, "one pad");
	dec_bad("Zm9v=", 5, "pad after full group");
	dec_bad("+/8", 3, "standard alphabet");
	dec_bad("Zm9 v", 5, "space");
	dec_bad("Zm9v\n", 5, "newline");
	dec_bad("Z", 1, "length 1");
	dec_bad("Zm9vY", 5, "length 5");
	dec_bad("Zh", 2, "non-zero trailing bits (4)");
	dec_bad("Zm9", 3, "non-zero trailing bits (2)");
	dec_bad("Zm8\0", 4, "NUL within len");
	dec_bad("Zm\xc3\xa9", 4, "non-ASCII");
	dec_bad("Zm9v.", 5, "dot");

	/* len is honoured: "Zm9vYg" cut to 4 */
	ok(b64url_decode("Zm9vYg", 4, &out, &len) == ERR_OK && len == 3 &&
	    memcmp(out, "foo", 3) == 0, "decode honours len");
	free(out);

	/* Every single character: exactly the 64 alphabet ones work. */
	accepted = 0;
	for (i = 1; i < 256; i++) {
		char two[3];

		two[0] = (char)i;
		two[1] = 'A';
		two[2] = '\0';
		if (b64url_decode(two, 2, &out, &len) == ERR_OK) {
			accepted++;
			free(out);
		}
	}
	is_int(accepted, 64, "64 characters decode (with 'A' after)");

	/* Each canonical 2- and 3-char tail: only zero low bits. */
	for (i = 0, n = 0; i < 64; i++) {
		char t[3] = { 'A', 0, 0 };

		t[1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_"[i];
		if (b64url_decode(t, 2, &out, &len) == ERR_OK) {
			n++;
			free(out);
		}
	}
	is_int(n, 4, "4 of 64 second characters are canonical");

	/* Round trip of all lengths over all byte values. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(255 - i);
	buf_init(&b, 0);
	for (n = 0; n <= ROUNDTRIP_MAX; n++) {
		const unsigned char *src = all + (n % 7);
		size_t m = n > sizeof(all) - 7 ? sizeof(all) - 7 : n;

		buf_reset(&b);
		if (b64url_encode(src, m, &b) != ERR_OK ||
		    b.len != (m * 4 + 2) / 3 ||
		    b64url_decode(b.data, b.len, &out, &len) != ERR_OK) {
			bad++;
			continue;
		}
		if (len != m || memcmp(out, src, m) != 0)
			bad++;
		free(out);
	}
	is_int(bad, 0, "round trips of lengths 0..%d", ROUNDTRIP_MAX);
	buf_free(&b);

	/* Output cap: encode reports ERR_NOMEM. */
	buf_init(&b, 10);
	is_int(b64url_encode(all, 30, &b), ERR_NOMEM, "encode past cap");
	buf_free(&b);
	dec_bad("AAAA", (size_t)B64URL_DECODE_MAX + 4, "over decode max");
	return tap_done();
}
