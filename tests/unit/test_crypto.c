#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "b64url.h"
#include "crypto.h"
#include "hex.h"
#include "tap.h"

#define VEC_DIR		"/tests/vectors/"
#define PATH_LEN	4096
#define B64URL_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"abcdefghijklmnopqrstuvwxyz0123456789-_"
#define HEXKEY		"000102030405060708090a0b0c0d0e0f" \
			"101112131415161718191A1B1C1D1E1F"

/* A vector file under $srcdir (Automake), else under ".". */
static bool
vec_path(char *out, size_t sz, const char *name)
{
	const char	*dir;
	int		 n;

	if ((dir = getenv("srcdir")) == NULL || *dir == '\0')
		dir = ".";
	n = snprintf(out, sz, "%s%s%s", dir, VEC_DIR, name);
	return n >= 0 && (size_t)n < sz;
}

/* Decode hex into a malloc'd buffer (one spare byte so 0 is fine). */
static bool
unhex(const char *s, unsigned char **out, size_t *outlen)
{
	size_t		 len;
	unsigned char	*p;

	*out = NULL;
	*outlen = 0;
	if (s == NULL || (len = strlen(s)) % 2 != 0)
		return false;
	if ((p = malloc(len / 2 + 1)) == NULL)
		return false;
	if (hex_decode(s, len, p, len / 2) != ERR_OK) {
		free(p);
		return false;
	}
	*out = p;
	*outlen = len / 2;
	return true;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int(v);
}

static struct json_object *
load_vectors(const char *name, struct json_object **groups)
{
	char			 path[PATH_LEN];
	struct json_object	*root;

	*groups = NULL;
	if (!vec_path(path, sizeof(path), name))
		return NULL;
	if ((root = json_object_from_file(path)) == NULL) {
		tap_diag("cannot read %s", path);
		return NULL;
	}
	if (!json_object_object_get_ex(root, "testGroups", groups) ||
	    !json_object_is_type(*groups, json_type_array)) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

struct counts {
	int	valid, invalid, acceptable, acc_pass, skipped, failed;
};

static void
count_verdict(struct counts *c, const char *result, bool passed, int tcid)
{
	if (strcmp(result, "valid") == 0) {
		c->valid++;
		if (!passed) {
			c->failed++;
			tap_diag("tcId %d: valid case rejected", tcid);
		}
	} else if (strcmp(result, "invalid") == 0) {
		c->invalid++;
		if (passed) {
			c->failed++;
			tap_diag("tcId %d: invalid case accepted", tcid);
		}
	} else {
		c->acceptable++;
		if (passed)
			c->acc_pass++;
	}
}

/*
 * One AES-GCM case.  Accepted means: decryption succeeds with the
 * expected plaintext, and encryption (when parameters allow it)
 * reproduces ct and tag.
 */
static bool
gcm_case(struct json_object *t, size_t keybits, bool *bad, bool *skip)
{
	unsigned char	*key = NULL, *iv = NULL, *aad = NULL, *msg = NULL;
	unsigned char	*ct = NULL, *tag = NULL, *pt = NULL, *ct2 = NULL;
	unsigned char	 tag2[CRYPTO_GCM_TAG_MAX];
	size_t		 klen, ivlen, aadlen, mlen, ctlen, taglen;
	bool		 pass = false;
	enum err	 e;

	*bad = true;
	*skip = false;
	if (!unhex(jstr(t, "key"), &key, &klen) ||
	    !unhex(jstr(t, "iv"), &iv, &ivlen) ||
	    !unhex(jstr(t, "aad"), &aad, &aadlen) ||
	    !unhex(jstr(t, "msg"), &msg, &mlen) ||
	    !unhex(jstr(t, "ct"), &ct, &ctlen) ||
	    !unhex(jstr(t, "tag"), &tag, &taglen) ||
	    klen * 8 != keybits)
		goto out;
	*bad = false;
	e = crypto_gcm_decrypt(key, klen, iv, ivlen, aad, aadlen, ct, ctlen,
	    tag, taglen, &pt);
	/*
	 * OpenSSL 3 caps GCM IVs at 128 bytes; longer ones must be
	 * refused as bad input, and are counted as skipped.
	 */
	if (ivlen > CRYPTO_GCM_IV_MAX) {
		*skip = true;
		if (e != ERR_INPUT) {
			*bad = true;
			tap_diag("long IV (%zu bytes) not refused", ivlen);
		}
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (pt == NULL || ctlen != mlen || memcmp(pt, msg, mlen) != 0 ||
	    pt[mlen] != '\0')
		goto out;
	if ((ct2 = malloc(mlen + 1)) == NULL)
		goto out;
	e = crypto_gcm_encrypt(key, klen, iv, ivlen, aad, aadlen, msg, mlen,
	    ct2, tag2, taglen);
	if (e != ERR_OK || memcmp(ct2, ct, ctlen) != 0 ||
	    memcmp(tag2, tag, taglen) != 0)
		goto out;
	pass = true;
out:
	free(key);
	free(iv);
	free(aad);
	free(msg);
	free(ct);
	free(tag);
	free(pt);
	free(ct2);
	return pass;
}

static void
test_gcm_vectors(void)
{
	struct json_object	*root, *groups, *g, *tests, *t;
	struct counts		 c;
	size_t			 i, j;
	int			 keybits, total = 0, malformed = 0;
	bool			 bad, skip, pass;
	const char		*res;

	memset(&c, 0, sizeof(c));
	root = load_vectors("aes_gcm_test.json", &groups);
	if (!ok(root != NULL, "aes-gcm: vector file loaded"))
		return;
	for (i = 0; i < json_object_array_length(groups); i++) {
		g = json_object_array_get_idx(groups, i);
		keybits = jint(g, "keySize");
		if (!json_object_object_get_ex(g, "tests", &tests))
			continue;
		for (j = 0; j < json_object_array_length(tests); j++) {
			t = json_object_array_get_idx(tests, j);
			total++;
			if ((res = jstr(t, "result")) == NULL) {
				malformed++;
				continue;
			}
			if (keybits != 128 && keybits != 192 &&
			    keybits != 256) {
				c.skipped++;
				continue;
			}
			pass = gcm_case(t, (size_t)keybits, &bad, &skip);
			if (bad)
				malformed++;
			if (skip)
				c.skipped++;
			else
				count_verdict(&c, res, pass, jint(t, "tcId"));
		}
	}
	tap_diag("aes-gcm: %d cases: %d valid, %d invalid, %d acceptable "
	    "(%d accepted), %d skipped (key or IV size OpenSSL lacks)",
	    total, c.valid, c.invalid, c.acceptable, c.acc_pass, c.skipped);
	is_int(malformed, 0, "aes-gcm: every case parsed");
	ok(total >= 300, "aes-gcm: file holds the expected number of cases");
	is_int(c.failed, 0, "aes-gcm: every valid case decrypts and "
	    "re-encrypts, every invalid case fails");
	json_object_put(root);
}

static bool
hmac_case(struct json_object *t, int tagbits, bool *bad)
{
	unsigned char	*key = NULL, *msg = NULL, *tag = NULL;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	size_t		 klen, mlen, taglen;
	bool		 pass = false;

	*bad = true;
	if (!unhex(jstr(t, "key"), &key, &klen) ||
	    !unhex(jstr(t, "msg"), &msg, &mlen) ||
	    !unhex(jstr(t, "tag"), &tag, &taglen) ||
	    tagbits <= 0 || tagbits % 8 != 0 ||
	    (size_t)tagbits / 8 > sizeof(mac))
		goto out;
	*bad = false;
	/* A tag of the wrong length is a failed verification. */
	if (taglen != (size_t)tagbits / 8)
		goto out;
	if (crypto_hmac_sha256(key, klen, msg, mlen, mac) != ERR_OK)
		goto out;
	pass = crypto_equal(mac, tag, taglen);
out:
	free(key);
	free(msg);
	free(tag);
	return pass;
}

static void
test_hmac_vectors(void)
{
	struct json_object	*root, *groups, *g, *tests, *t;
	struct counts		 c;
	size_t			 i, j;
	int			 tagbits, total = 0, malformed = 0;
	bool			 bad;
	const char		*res;

	memset(&c, 0, sizeof(c));
	root = load_vectors("hmac_sha256_test.json", &groups);
	if (!ok(root != NULL, "hmac-sha256: vector file loaded"))
		return;
	for (i = 0; i < json_object_array_length(groups); i++) {
		g = json_object_array_get_idx(groups, i);
		tagbits = jint(g, "tagSize");
		if (!json_object_object_get_ex(g, "tests", &tests))
			continue;
		for (j = 0; j < json_object_array_length(tests); j++) {
			t = json_object_array_get_idx(tests, j);
			total++;
			if ((res = jstr(t, "result")) == NULL) {
				malformed++;
				continue;
			}
			count_verdict(&c, res, hmac_case(t, tagbits, &bad),
			    jint(t, "tcId"));
			if (bad)
				malformed++;
		}
	}
	tap_diag("hmac-sha256: %d cases: %d valid, %d invalid, "
	    "%d acceptable (%d accepted)", total, c.valid, c.invalid,
	    c.acceptable, c.acc_pass);
	is_int(malformed, 0, "hmac-sha256: every case parsed");
	ok(total >= 170, "hmac-sha256: file holds the expected number of "
	    "cases");
	is_int(c.failed, 0, "hmac-sha256: every case matches its verdict");
	json_object_put(root);
}

static void
test_gcm_params(void)
{
	unsigned char	 key[32] = { 0 }, iv[CRYPTO_GCM_IV_MAX + 1] = { 0 };
	unsigned char	 tag[16], ct[4];
	unsigned char	*pt = NULL;

	is_int(crypto_gcm_encrypt(key, 31, iv, 12, NULL, 0, "abcd", 4, ct,
	    tag, 16), ERR_INPUT, "gcm: 31-byte key refused");
	is_int(crypto_gcm_encrypt(key, 32, iv, 0, NULL, 0, "abcd", 4, ct,
	    tag, 16), ERR_INPUT, "gcm: empty IV refused");
	is_int(crypto_gcm_encrypt(key, 32, iv, 12, NULL, 0, "abcd", 4, ct,
	    tag, 8), ERR_INPUT, "gcm: 8-byte tag refused");
	is_int(crypto_gcm_encrypt(key, 32, iv, 12, NULL, 0, "abcd", 4, ct,
	    tag, 17), ERR_INPUT, "gcm: 17-byte tag refused");
	is_int(crypto_gcm_encrypt(key, 32, iv, 12, NULL, 0, "abcd", 4, ct,
	    tag, 16), ERR_OK, "gcm: encrypt with good parameters");
	is_int(crypto_gcm_decrypt(key, 32, iv, 12, NULL, 0, ct, 4, tag, 16,
	    &pt), ERR_OK, "gcm: decrypt what was encrypted");
	ok(pt != NULL && memcmp(pt, "abcd", 5) == 0, "gcm: plaintext back");
	free(pt);
	pt = NULL;
	/* A GCM tag truncated to 12 bytes is its 12-byte prefix. */
	ok(crypto_gcm_decrypt(key, 32, iv, 12, NULL, 0, ct, 4, tag, 12,
	    &pt) == ERR_OK && pt != NULL, "gcm: 12-byte tag prefix verifies");
	free(pt);
	pt = NULL;
	tag[11] ^= 0x40;
	is_int(crypto_gcm_decrypt(key, 32, iv, 12, NULL, 0, ct, 4, tag, 12,
	    &pt), ERR_AUTH, "gcm: altered 12-byte tag does not verify");
	ok(pt == NULL, "gcm: no plaintext on failure");
	is_int(crypto_gcm_decrypt(key, 32, iv, 12, NULL, 0, ct, 4, tag, 16,
	    &pt), ERR_AUTH, "gcm: altered 16-byte tag does not verify");
	is_int(crypto_gcm_decrypt(key, 32, iv, 0, NULL, 0, ct, 4, tag, 16,
	    &pt), ERR_INPUT, "gcm: decrypt with empty IV refused");
	is_int(crypto_gcm_encrypt(key, 32, iv, CRYPTO_GCM_IV_MAX, NULL, 0,
	    "abcd", 4, ct, tag, 16), ERR_OK, "gcm: longest IV accepted");
	is_int(crypto_gcm_encrypt(key, 32, iv, CRYPTO_GCM_IV_MAX + 1, NULL,
	    0, "abcd", 4, ct, tag, 16), ERR_INPUT, "gcm: longer IV refused");
}

static bool
contains(const unsigned char *hay, size_t len, const char *needle)
{
	size_t i, n = strlen(needle);

	for (i = 0; n <= len && i <= len - n; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

static void
test_seal(void)
{
	unsigned char	 key[CRYPTO_KEY_LEN], key2[CRYPTO_KEY_LEN];
	unsigned char	*box = NULL, *box2 = NULL, *pt = NULL, *copy = NULL;
	size_t		 boxlen = 0, box2len = 0, ptlen = 0, i;
	const char	*msg = "refresh_token=abc.def.ghi";
	const char	*aad = "session:42";
	const size_t	 pos[] = { 0, CRYPTO_IV_LEN - 1, CRYPTO_IV_LEN,
	    CRYPTO_IV_LEN + 5, 0 /* last byte, set below */ };
	const char	*where[] = { "iv first", "iv last", "ct first",
	    "ct middle", "tag last" };
	enum err	 e;

	ok(crypto_random(key, sizeof(key)) == ERR_OK &&
	    crypto_random(key2, sizeof(key2)) == ERR_OK, "random keys");
	key2[0] = key[0] ^ 1;
	e = crypto_seal(key, aad, strlen(aad), msg, strlen(msg), &box,
	    &boxlen);
	is_int(e, ERR_OK, "seal");
	is_int(boxlen, CRYPTO_IV_LEN + strlen(msg) + CRYPTO_TAG_LEN,
	    "seal: iv || ct || tag length");
	if (box == NULL)
		return;
	ok(!contains(box, boxlen, msg),
	    "seal: plaintext does not appear in the box");
	e = crypto_open(key, aad, strlen(aad), box, boxlen, &pt, &ptlen);
	is_int(e, ERR_OK, "open");
	ok(pt != NULL && ptlen == strlen(msg) &&
	    strcmp((char *)pt, msg) == 0, "open: round trip, NUL-terminated");
	crypto_free_secret(pt, ptlen + 1);
	pt = NULL;

	e = crypto_seal(key, aad, strlen(aad), msg, strlen(msg), &box2,
	    &box2len);
	ok(e == ERR_OK && box2len == boxlen &&
	    memcmp(box, box2, CRYPTO_IV_LEN) != 0 &&
	    memcmp(box, box2, boxlen) != 0,
	    "seal: a fresh IV every time");
	free(box2);

	if ((copy = malloc(boxlen)) == NULL)
		return;
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		size_t p = i == 4 ? boxlen - 1 : pos[i];

		memcpy(copy, box, boxlen);
		copy[p] ^= 0x01;
		e = crypto_open(key, aad, strlen(aad), copy, boxlen, &pt,
		    &ptlen);
		is_int(e, ERR_AUTH, "open: flipped bit in %s -> ERR_AUTH",
		    where[i]);
		ok(pt == NULL && ptlen == 0, "open: no output after %s",
		    where[i]);
		free(pt);
		pt = NULL;
	}
	is_int(crypto_open(key, "session:43", 10, box, boxlen, &pt, &ptlen),
	    ERR_AUTH, "open: other aad -> ERR_AUTH");
	is_int(crypto_open(key, NULL, 0, box, boxlen, &pt, &ptlen),
	    ERR_AUTH, "open: missing aad -> ERR_AUTH");
	is_int(crypto_open(key2, aad, strlen(aad), box, boxlen, &pt, &ptlen),
	    ERR_AUTH, "open: other key -> ERR_AUTH");
	is_int(crypto_open(key, aad, strlen(aad), box, boxlen - 1, &pt,
	    &ptlen), ERR_AUTH, "open: one byte short -> ERR_AUTH");
	is_int(crypto_open(key, aad, strlen(aad), box,
	    CRYPTO_IV_LEN + CRYPTO_TAG_LEN - 1, &pt, &ptlen), ERR_AUTH,
	    "open: shorter than iv + tag -> ERR_AUTH");
	is_int(crypto_open(key, aad, strlen(aad), box, 0, &pt, &ptlen),
	    ERR_AUTH, "open: empty -> ERR_AUTH");
	is_int(crypto_open(key, aad, strlen(aad), NULL, 0, &pt, &ptlen),
	    ERR_AUTH, "open: NULL -> ERR_AUTH");
	/* Append a byte: the tag moves, so this must fail too. */
	free(copy);
	if ((copy = malloc(boxlen + 1)) == NULL)
		goto out;
	memcpy(copy, box, boxlen);
	copy[boxlen] = 0;
	is_int(crypto_open(key, aad, strlen(aad), copy, boxlen + 1, &pt,
	    &ptlen), ERR_AUTH, "open: one byte appended -> ERR_AUTH");
	ok(pt == NULL, "open: no output on any failure");
	free(box);
	box = NULL;

	/* Empty plaintext is legal and still authenticated. */
	e = crypto_seal(key, NULL, 0, "", 0, &box, &boxlen);
	ok(e == ERR_OK && boxlen == CRYPTO_IV_LEN + CRYPTO_TAG_LEN,
	    "seal: empty plaintext");
	e = crypto_open(key, NULL, 0, box, boxlen, &pt, &ptlen);
	ok(e == ERR_OK && ptlen == 0 && pt != NULL && pt[0] == '\0',
	    "open: empty plaintext");
	free(pt);
	pt = NULL;
	if (box != NULL)
		box[boxlen - 1] ^= 0x80;
	is_int(crypto_open(key, NULL, 0, box, boxlen, &pt, &ptlen),
	    ERR_AUTH, "open: empty plaintext, bad tag -> ERR_AUTH");
	is_int(crypto_seal(key, NULL, 0, "", (size_t)CRYPTO_SEAL_MAX + 1,
	    &box2, &box2len), ERR_INPUT, "seal: over CRYPTO_SEAL_MAX refused");
out:
	free(box);
	free(copy);
}

static bool
b64url_alphabet(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(B64URL_CHARS, *s) == NULL)
			return false;
	return true;
}

static void
test_encodings(void)
{
	static const struct {
		const char *in, *out;
	} rfc4648[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" }, { "\xfb\xff", "-_8" },
		{ "\xff\xfe\xfd", "__79" }, { "\x3e\x3f", "Pj8" },
	};
	unsigned char	 md[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	unsigned char	*want = NULL;
	size_t		 i, wlen;
	char		*s = NULL, *t = NULL;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		ok(b64url_encode_str(rfc4648[i].in, strlen(rfc4648[i].in),
		    &s) == ERR_OK, "b64url \"%s\" encodes", rfc4648[i].out);
		is_str(s, rfc4648[i].out, "b64url known answer %zu", i);
		free(s);
		s = NULL;
	}

	crypto_sha256("abc", 3, md);
	unhex("ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", &want, &wlen);
	ok(want != NULL && memcmp(md, want, sizeof(md)) == 0,
	    "sha256(\"abc\") FIPS 180-2 known answer");
	free(want);
	want = NULL;
	ok(crypto_sha256_hex("abc", &s) == ERR_OK, "sha256 hex");
	is_str(s, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", "sha256 hex of \"abc\"");
	free(s);
	ok(crypto_sha256_b64url("abc", &s) == ERR_OK, "sha256 b64url");
	is_str(s, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
	    "sha256 b64url of \"abc\"");
	free(s);
	ok(crypto_sha256_hex("", &s) == ERR_OK, "sha256 hex of \"\"");
	is_str(s, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855", "sha256 of the empty string");
	free(s);
	s = NULL;
	is_int(crypto_sha256_hex(NULL, &s), ERR_INPUT, "sha256 hex of NULL");
	is_int(crypto_sha256_b64url(NULL, &s), ERR_INPUT,
	    "sha256 b64url of NULL");

	/* RFC 4231 test case 2. */
	ok(crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28,
	    mac) == ERR_OK, "hmac rfc 4231 #2 computes");
	unhex("5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843", &want, &wlen);
	ok(want != NULL && crypto_equal(mac, want, sizeof(mac)),
	    "hmac rfc 4231 #2 known answer");
	free(want);
	ok(crypto_hmac_sha256(NULL, 0, NULL, 0, mac) == ERR_OK,
	    "hmac with empty key and message");

	ok(crypto_token(32, &s) == ERR_OK, "token(32)");
	ok(s != NULL && strlen(s) == 43 && b64url_alphabet(s),
	    "token(32) is 43 base64url chars");
	ok(crypto_token(32, &t) == ERR_OK && t != NULL && strcmp(s, t) != 0,
	    "two tokens differ");
	crypto_free_str(s);
	crypto_free_str(t);
	ok(crypto_token(1, &s) == ERR_OK && s != NULL && strlen(s) == 2,
	    "token(1) is 2 chars");
	free(s);
	is_int(crypto_token(0, &s), ERR_INPUT, "token(0) refused");
	ok(s == NULL, "token(0) leaves NULL");
	is_int(crypto_token(CRYPTO_TOKEN_MAX + 1, &s), ERR_INPUT,
	    "token over CRYPTO_TOKEN_MAX refused");
	is_int(crypto_random(md, 0), ERR_OK, "random of 0 bytes");
}

static void
test_compare(void)
{
	ok(crypto_equal("abc", "abc", 3), "equal: same");
	ok(!crypto_equal("abc", "abd", 3), "equal: last byte differs");
	ok(!crypto_equal("\x00" "bc", "\x01" "bc", 3), "equal: first byte");
	ok(crypto_equal("x", "y", 0), "equal: zero length");
	{
		unsigned char a[41], b[41];
		size_t	 len, at, bad = 0;

		/* Every length 1-41 (words and tails), a difference anywhere. */
		for (len = 1; len <= sizeof(a); len++) {
			memset(a, 0x5a, len);
			memcpy(b, a, len);
			if (!crypto_equal(a, b, len))
				bad++;
			for (at = 0; at < len; at++) {
				b[at] ^= 0x80;
				if (crypto_equal(a, b, len))
					bad++;
				b[at] ^= 0x81;
				if (crypto_equal(a, b, len))
					bad++;
				b[at] ^= 0x01;
			}
		}
		is_int((long)bad, 0, "equal: lengths 1-41, one bit or byte "
		    "off anywhere");
	}
	ok(crypto_streq("token", "token"), "streq: same");
	ok(crypto_streq("", ""), "streq: both empty");
	ok(!crypto_streq("token", "toke"), "streq: prefix");
	ok(!crypto_streq("toke", "token"), "streq: longer");
	ok(!crypto_streq("token", "tokeN"), "streq: case");
	ok(!crypto_streq("", "a"), "streq: empty vs one");
	ok(!crypto_streq(NULL, "a"), "streq: NULL left");
	ok(!crypto_streq("a", NULL), "streq: NULL right");
	ok(!crypto_streq(NULL, NULL), "streq: both NULL");
}

static bool
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	fd;
	bool	good;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return false;
	good = write(fd, data, len) == (ssize_t)len;
	return close(fd) == 0 && good;
}

static void
test_key_load(void)
{
	static const char hex[] = HEXKEY;
	static const struct {
		const char	*what;
		const char	*data;
		size_t		 len;
		enum err	 want;
	} cases[] = {
		{ "64 hex", HEXKEY, 64, ERR_OK },
		{ "64 hex + LF", HEXKEY "\n", 65, ERR_OK },
		{ "64 hex + CRLF", HEXKEY "\r\n", 66, ERR_OK },
		{ "63 hex", HEXKEY, 63, ERR_INPUT },
		{ "64 hex + 2 LF", HEXKEY "\n\n", 66, ERR_INPUT },
		{ "64 hex + space", HEXKEY " ", 65, ERR_INPUT },
		{ "64 hex + CR", HEXKEY "\r", 65, ERR_INPUT },
		{ "66 hex", HEXKEY "00", 66, ERR_INPUT },
		{ "empty", "", 0, ERR_INPUT },
		{ "31 bytes", HEXKEY, 31, ERR_INPUT },
		{ "33 bytes", HEXKEY, 33, ERR_INPUT },
		{ "bad hex digit",
		    "g00102030405060708090a0b0c0d0e0f"
		    "101112131415161718191a1b1c1d1e1", 64, ERR_INPUT },
		{ "hex with 0x",
		    "0x0102030405060708090a0b0c0d0e0f"
		    "101112131415161718191a1b1c1d1e1f", 64, ERR_INPUT },
	};
	unsigned char	 key[CRYPTO_KEY_LEN], raw[CRYPTO_KEY_LEN], big[4096];
	char		 dir[PATH_LEN], path[PATH_LEN];
	const char	*tmp;
	size_t		 i;
	int		 n;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(dir, sizeof(dir), "%s/test_crypto.XXXXXX", tmp);
	if (!ok(n > 0 && (size_t)n < sizeof(dir) && mkdtemp(dir) != NULL,
	    "key: temporary directory"))
		return;
	n = snprintf(path, sizeof(path), "%s/key", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;

	for (i = 0; i < CRYPTO_KEY_LEN; i++)
		raw[i] = (unsigned char)i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(key, 0xaa, sizeof(key));
		ok(write_file(path, cases[i].data, cases[i].len, 0600),
		    "key: write %s", cases[i].what);
		is_int(crypto_key_load(path, key), cases[i].want,
		    "key: %s", cases[i].what);
		if (cases[i].want == ERR_OK)
			ok(memcmp(key, raw, sizeof(key)) == 0,
			    "key: %s decodes to 00..1f", cases[i].what);
		unlink(path);
	}

	/* 32 raw bytes, including NUL and newline bytes. */
	ok(write_file(path, raw, sizeof(raw), 0600), "key: write raw");
	memset(key, 0, sizeof(key));
	is_int(crypto_key_load(path, key), ERR_OK, "key: 32 raw bytes");
	ok(memcmp(key, raw, sizeof(key)) == 0, "key: raw bytes kept as is");
	unlink(path);

	memset(big, 'a', sizeof(big));
	ok(write_file(path, big, sizeof(big), 0600), "key: write big");
	is_int(crypto_key_load(path, key), ERR_INPUT, "key: 4096 bytes");
	unlink(path);

	/* Readable by others: still loads (a warning is logged). */
	ok(write_file(path, hex, 64, 0644), "key: write 0644");
	if (chmod(path, 0644) == 0)
		is_int(crypto_key_load(path, key), ERR_OK,
		    "key: 0644 loads with a warning");
	unlink(path);

	is_int(crypto_key_load(path, key), ERR_SYSTEM, "key: missing file");
	is_int(crypto_key_load(dir, key), ERR_SYSTEM, "key: a directory");
	is_int(crypto_key_load(NULL, key), ERR_INPUT, "key: NULL path");
	is_int(crypto_key_load("/dev/null", key), ERR_SYSTEM,
	    "key: not a regular file");
	rmdir(dir);
}

static void
test_keyring(void)
{
	static const char k1[] = "000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f";
	static const char k2[] = "FFFEFDFCFBFAF9F8F7F6F5F4F3F2F1F0"
	    "EFEEEDECEBEAE9E8E7E6E5E4E3E2E1E0";
	static const struct {
		const char	*what;
		const char	*text;
		enum err	 want;
		size_t		 n;
		const char	*id0;
	} cases[] = {
		{ "one bare hex line", "%1\n", ERR_OK, 1, "" },
		{ "bare hex, no newline", "%1", ERR_OK, 1, "" },
		{ "bare hex, CRLF", "%1\r\n", ERR_OK, 1, "" },
		{ "one id", "k1:%1\n", ERR_OK, 1, "k1" },
		{ "two, newest first", "k2:%2\nk1:%1\n", ERR_OK, 2, "k2" },
		{ "comments and blank lines", "# keys\n\nk2:%2\r\n\n"
		    "# old\nk1:%1", ERR_OK, 2, "k2" },
		{ "16-character id", "abcdefghij_-0123:%1\n", ERR_OK, 1,
		    "abcdefghij_-0123" },
		{ "17-character id", "abcdefghij_-01234:%1\n", ERR_INPUT, 0,
		    NULL },
		{ "empty id", ":%1\n", ERR_INPUT, 0, NULL },
		{ "id with a dot", "k.1:%1\n", ERR_INPUT, 0, NULL },
		{ "duplicate id", "k1:%2\nk1:%1\n", ERR_INPUT, 0, NULL },
		{ "bare line among ids", "k2:%2\n%1\n", ERR_INPUT, 0, NULL },
		{ "two bare lines", "%2\n%1\n", ERR_INPUT, 0, NULL },
		{ "short key", "k1:0001\n", ERR_INPUT, 0, NULL },
		{ "bad hex", "k1:g%1\n", ERR_INPUT, 0, NULL },
		{ "space after the key", "k1:%1 \n", ERR_INPUT, 0, NULL },
		{ "only comments", "# nothing\n\n", ERR_INPUT, 0, NULL },
		{ "empty", "", ERR_INPUT, 0, NULL },
		{ "nine keys", "a:%1\nb:%1\nc:%1\nd:%1\ne:%1\nf:%1\ng:%1\n"
		    "h:%1\ni:%1\n", ERR_INPUT, 0, NULL },
		{ "eight keys", "a:%1\nb:%1\nc:%1\nd:%1\ne:%1\nf:%1\ng:%1\n"
		    "h:%2\n", ERR_OK, 8, "a" },
	};
	struct crypto_keyring ring;
	unsigned char raw[CRYPTO_KEY_LEN];
	char	 text[1024];
	const char *p;
	size_t	 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* %1 and %2 stand for the two keys' hex. */
		for (n = 0, p = cases[i].text; *p != '\0' && n < 900; p++) {
			if (p[0] == '%' && (p[1] == '1' || p[1] == '2')) {
				memcpy(text + n, p[1] == '1' ? k1 : k2, 64);
				n += 64;
				p++;
			} else
				text[n++] = *p;
		}
		memset(&ring, 0xaa, sizeof(ring));
		is_int(crypto_keyring_parse(text, n, &ring), cases[i].want,
		    "keyring: %s", cases[i].what);
		is_int((int)ring.n, (int)cases[i].n, "keyring: %s: keys",
		    cases[i].what);
		if (cases[i].id0 != NULL && ring.n > 0)
			is_str(ring.keys[0].id, cases[i].id0,
			    "keyring: %s: first id", cases[i].what);
	}
	n = 0;
	memcpy(text, "k2:", 3);
	memcpy(text + 3, k2, 64);
	text[67] = '\n';
	memcpy(text + 68, "k1:", 3);
	memcpy(text + 71, k1, 64);
	ok(crypto_keyring_parse(text, 135, &ring) == ERR_OK && ring.n == 2,
	    "keyring: two keys parse");
	for (i = 0; i < CRYPTO_KEY_LEN; i++)
		raw[i] = (unsigned char)i;
	ok(crypto_keyring_find(&ring, "k1", 2) != NULL &&
	    memcmp(crypto_keyring_find(&ring, "k1", 2), raw, 32) == 0,
	    "keyring: k1 found, its bytes 00..1f");
	ok(ring.keys[0].key[0] == 0xff && ring.keys[0].key[31] == 0xe0,
	    "keyring: k2 first, hex upper case decoded");
	ok(crypto_keyring_find(&ring, "k3", 2) == NULL,
	    "keyring: an unknown id is not found");
	ok(crypto_keyring_find(&ring, "k", 1) == NULL,
	    "keyring: a prefix of an id is not found");
	crypto_keyring_wipe(&ring);
	is_int((int)ring.n, 0, "keyring: wiped");
	/* 32 raw bytes: one key without an id, as crypto_key_load. */
	is_int(crypto_keyring_parse(raw, sizeof(raw), &ring), ERR_OK,
	    "keyring: 32 raw bytes");
	ok(ring.n == 1 && ring.keys[0].id[0] == '\0' &&
	    memcmp(ring.keys[0].key, raw, 32) == 0,
	    "keyring: raw bytes, one key, no id");
	is_int(crypto_keyring_parse(NULL, 0, &ring), ERR_INPUT,
	    "keyring: NULL");
	is_int(crypto_keyring_load("/nonexistent/key", &ring), ERR_SYSTEM,
	    "keyring: missing file");
}

int
main(void)
{
	test_gcm_vectors();
	test_hmac_vectors();
	test_gcm_params();
	test_seal();
	test_encodings();
	test_compare();
	test_key_load();
	test_keyring();
	return tap_done();
}
