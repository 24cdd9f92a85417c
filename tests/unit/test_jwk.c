/*
 * test_jwk: JWK and JWKS validation, with Wycheproof's
 * json_web_key_test.json and hand-written hostile keys.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "buf.h"
#include "jsonp.h"
#include "jwk.h"
#include "jwt.h"
#include "log.h"
#include "tap.h"
#include "wycheproof.h"

/* Wycheproof's kid-rsa-sign and kid-ec-sign public keys. */
#define RSA_N \
	"kqGboBfAWttWPCA-0cGRgsY6SaYoIARt0B_PkaEcIq9HPYNdu9n6UuWHuuTH" \
	"rjF_ZoQW97r5HaAorNvrMEGTGdxCHZdEtkHvNVVmrtxTBLiQCbCozXhFoIrV" \
	"cr3qUBrdGnNn_M3jJi7Wg7p_-x62nS5gNG875oyheRkutHsQXikFZwsN3q_T" \
	"sPNOVlCiHy8mxzaFTUQGm-X8UYexFyAivlDSjgDJLAZSWfxd7k9Gxuwa3AUf" \
	"QqQcVcegmgKGCaErQ3qQbh1x7WB6iopE3_-GZ8HMAVtR9AmrVscqYsnjhaCe" \
	"hfAI0iKKs8zXr8tISc0ORbaalrkk03H1ZrsEnDKEWQ"
#define EC_X	"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY"
#define EC_Y	"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"
#define EC_Y_BAD "UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgnw"
#define RSA_KEY(extra) "{\"kty\":\"RSA\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\"" \
		extra "}"
#define EC_KEY(extra) "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X \
		"\",\"y\":\"" EC_Y "\"" extra "}"

/* jwk_from_json on a JSON text; *out may be NULL to discard. */
static enum err
key(const char *json, struct jwk **out)
{
	struct json_object	*o;
	struct jwk		*k = NULL;
	enum err		 e;

	if (out != NULL)
		*out = NULL;
	if ((e = jsonp_parse(json, strlen(json), JSONP_DEPTH_MAX, &o)) !=
	    ERR_OK)
		return e;
	e = jwk_from_json(o, &k);
	json_object_put(o);
	if (out != NULL)
		*out = k;
	else
		jwk_free(k);
	return e;
}

/* An RSA JWK whose modulus bytes went through edit(). */
static enum err
rsa_edit(void (*edit)(unsigned char *, size_t *), const char *e)
{
	unsigned char	*raw, big[1100];
	size_t		 len;
	struct buf	 n, j;
	enum err	 r = ERR_SYSTEM;

	buf_init(&n, 0);
	buf_init(&j, 0);
	if (b64url_decode(RSA_N, strlen(RSA_N), &raw, &len) != ERR_OK)
		return ERR_SYSTEM;
	memcpy(big, raw, len);
	free(raw);
	edit(big, &len);
	if (b64url_encode(big, len, &n) == ERR_OK &&
	    buf_addf(&j, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}",
	    buf_str(&n), e) == ERR_OK)
		r = key(j.data, NULL);
	buf_free(&n);
	buf_free(&j);
	return r;
}

static void
ed_none(unsigned char *p, size_t *len)
{
	(void)p;
	(void)len;
}

static void
ed_leading_zero(unsigned char *p, size_t *len)
{
	memmove(p + 1, p, *len);
	p[0] = 0;
	(*len)++;
}

static void
ed_even(unsigned char *p, size_t *len)
{
	p[*len - 1] &= 0xfe;
}

static void
ed_1024(unsigned char *p, size_t *len)
{
	*len = 128;
	p[*len - 1] |= 1;
}

static void
ed_2047(unsigned char *p, size_t *len)
{
	p[0] = 0x7f;
	(void)len;
}

static void
ed_8200(unsigned char *p, size_t *len)
{
	size_t i;

	for (i = *len; i < 1025; i++)
		p[i] = p[i % *len];
	*len = 1025;
	p[*len - 1] |= 1;
}

static void
test_alg(void)
{
	enum jwk_alg a;

	is_int(jwk_alg_parse("RS256", &a), ERR_OK, "RS256");
	is_int(a, JWK_ALG_RS256, "RS256 value");
	is_int(jwk_alg_parse("PS256", &a), ERR_OK, "PS256");
	is_int(a, JWK_ALG_PS256, "PS256 value");
	is_int(jwk_alg_parse("ES256", &a), ERR_OK, "ES256");
	is_int(a, JWK_ALG_ES256, "ES256 value");
	is_int(jwk_alg_parse("none", &a), ERR_INPUT, "none");
	is_int(jwk_alg_parse("HS256", &a), ERR_INPUT, "HS256");
	is_int(jwk_alg_parse("RS384", &a), ERR_INPUT, "RS384");
	is_int(jwk_alg_parse("rs256", &a), ERR_INPUT, "rs256");
	is_int(jwk_alg_parse("RS256 ", &a), ERR_INPUT, "RS256 + space");
	is_int(jwk_alg_parse("", &a), ERR_INPUT, "empty");
	is_int(jwk_alg_parse(NULL, &a), ERR_INPUT, "NULL");
	is_str(jwk_alg_name(JWK_ALG_RS256), "RS256", "name RS256");
	is_str(jwk_alg_name(JWK_ALG_PS256), "PS256", "name PS256");
	is_str(jwk_alg_name(JWK_ALG_ES256), "ES256", "name ES256");
	is_str(jwk_alg_name(JWK_ALG__MAX), "unknown", "name out of range");
}

static void
test_rsa(void)
{
	struct jwk *k;

	is_int(key(RSA_KEY(""), &k), ERR_OK, "rsa key");
	ok(k != NULL && jwk_allows(k, JWK_ALG_RS256), "no alg: RS256");
	ok(k != NULL && !jwk_allows(k, JWK_ALG_PS256), "no alg: not PS256");
	ok(k != NULL && !jwk_allows(k, JWK_ALG_ES256), "rsa: not ES256");
	ok(k != NULL && jwk_kid(k) == NULL, "no kid");
	jwk_free(k);
	is_int(key(RSA_KEY(",\"alg\":\"PS256\",\"kid\":\"k1\""), &k), ERR_OK,
	    "rsa key for PS256");
	ok(k != NULL && jwk_allows(k, JWK_ALG_PS256), "PS256 key: PS256");
	ok(k != NULL && !jwk_allows(k, JWK_ALG_RS256), "PS256 key: no RS256");
	is_str(k != NULL ? jwk_kid(k) : NULL, "k1", "kid kept");
	jwk_free(k);
	is_int(key(RSA_KEY(",\"alg\":\"RS256\",\"use\":\"sig\","
	    "\"key_ops\":[\"verify\"],\"x5c\":[\"junk\"],\"ext\":true"), NULL),
	    ERR_OK, "rsa key with use, key_ops, extras");
	is_int(key(RSA_KEY(",\"key_ops\":[\"sign\",\"verify\"]"), NULL),
	    ERR_OK, "key_ops sign+verify");

	is_int(key(RSA_KEY(",\"alg\":\"RS384\""), NULL), ERR_INPUT,
	    "alg RS384");
	is_int(key(RSA_KEY(",\"alg\":\"ES256\""), NULL), ERR_INPUT,
	    "rsa with alg ES256");
	is_int(key(RSA_KEY(",\"alg\":\"HS256\""), NULL), ERR_INPUT,
	    "rsa with alg HS256");
	is_int(key(RSA_KEY(",\"alg\":\"none\""), NULL), ERR_INPUT,
	    "rsa with alg none");
	is_int(key(RSA_KEY(",\"alg\":1"), NULL), ERR_INPUT, "alg a number");
	is_int(key(RSA_KEY(",\"use\":\"enc\""), NULL), ERR_INPUT, "use enc");
	is_int(key(RSA_KEY(",\"use\":\"SIG\""), NULL), ERR_INPUT, "use SIG");
	is_int(key(RSA_KEY(",\"use\":[\"sig\"]"), NULL), ERR_INPUT,
	    "use an array");
	is_int(key(RSA_KEY(",\"key_ops\":[\"sign\"]"), NULL), ERR_INPUT,
	    "key_ops sign only");
	is_int(key(RSA_KEY(",\"key_ops\":[]"), NULL), ERR_INPUT,
	    "key_ops empty");
	is_int(key(RSA_KEY(",\"key_ops\":\"verify\""), NULL), ERR_INPUT,
	    "key_ops a string");
	is_int(key(RSA_KEY(",\"key_ops\":[\"verify\",1]"), NULL), ERR_INPUT,
	    "key_ops with a number");
	is_int(key(RSA_KEY(",\"d\":\"AQAB\""), NULL), ERR_INPUT,
	    "private exponent present");
	is_int(key(RSA_KEY(",\"p\":\"AQAB\""), NULL), ERR_INPUT,
	    "prime present");
	is_int(key(RSA_KEY(",\"kid\":7"), NULL), ERR_INPUT, "kid a number");
	is_int(key("{\"kty\":\"rsa\",\"n\":\"" RSA_N "\",\"e\":\"AQAB\"}",
	    NULL), ERR_INPUT, "kty lower case");
	is_int(key("{\"kty\":\"oct\",\"k\":\"AAAA\"}", NULL), ERR_INPUT,
	    "kty oct");
	is_int(key("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" EC_X "\"}",
	    NULL), ERR_INPUT, "kty OKP");
	is_int(key("{\"n\":\"" RSA_N "\",\"e\":\"AQAB\"}", NULL), ERR_INPUT,
	    "no kty");
	is_int(key("{\"kty\":\"RSA\",\"e\":\"AQAB\"}", NULL), ERR_INPUT,
	    "no n");
	is_int(key("{\"kty\":\"RSA\",\"n\":\"" RSA_N "\"}", NULL), ERR_INPUT,
	    "no e");
	is_int(key("[]", NULL), ERR_INPUT, "not an object");
	ok(jwk_from_json(NULL, &k) == ERR_INPUT && k == NULL, "NULL object");

	/* exponents */
	is_int(rsa_edit(ed_none, "AQAB"), ERR_OK, "e 65537");
	is_int(rsa_edit(ed_none, "Aw"), ERR_OK, "e 3");
	is_int(rsa_edit(ed_none, "AQ"), ERR_INPUT, "e 1");
	is_int(rsa_edit(ed_none, "Ag"), ERR_INPUT, "e 2");
	is_int(rsa_edit(ed_none, "AQAA"), ERR_INPUT, "e 65536");
	is_int(rsa_edit(ed_none, "AAEAAQ"), ERR_INPUT, "e leading zero");
	is_int(rsa_edit(ed_none, "AA"), ERR_INPUT, "e 0");
	is_int(rsa_edit(ed_none, ""), ERR_INPUT, "e empty");
	is_int(rsa_edit(ed_none, "AQAB="), ERR_INPUT, "e padded");
	is_int(rsa_edit(ed_none, "AQAC"), ERR_INPUT, "e 65538");
	is_int(rsa_edit(ed_none, "AQAAAAAAAAAB"), ERR_INPUT, "e 9 bytes");
	is_int(rsa_edit(ed_none, RSA_N), ERR_INPUT, "e == n");
	/* moduli */
	is_int(rsa_edit(ed_leading_zero, "AQAB"), ERR_INPUT,
	    "n leading zero");
	is_int(rsa_edit(ed_even, "AQAB"), ERR_INPUT, "n even");
	is_int(rsa_edit(ed_1024, "AQAB"), ERR_INPUT, "n 1024 bits");
	is_int(rsa_edit(ed_2047, "AQAB"), ERR_INPUT, "n 2047 bits");
	is_int(rsa_edit(ed_8200, "AQAB"), ERR_INPUT, "n 8200 bits");
}

static void
test_ec(void)
{
	struct jwk *k;

	is_int(key(EC_KEY(",\"alg\":\"ES256\",\"kid\":\"e\""), &k), ERR_OK,
	    "ec key");
	ok(k != NULL && jwk_allows(k, JWK_ALG_ES256), "ec: ES256");
	ok(k != NULL && !jwk_allows(k, JWK_ALG_RS256), "ec: not RS256");
	ok(k != NULL && !jwk_allows(k, JWK_ALG_PS256), "ec: not PS256");
	jwk_free(k);
	is_int(key(EC_KEY(""), NULL), ERR_OK, "ec key without alg");
	is_int(key(EC_KEY(",\"alg\":\"RS256\""), NULL), ERR_INPUT,
	    "ec with alg RS256");
	is_int(key(EC_KEY(",\"alg\":\"ES384\""), NULL), ERR_INPUT,
	    "ec with alg ES384");
	is_int(key(EC_KEY(",\"d\":\"" EC_X "\""), NULL), ERR_INPUT,
	    "ec private key");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X
	    "\",\"y\":\"" EC_Y_BAD "\"}", NULL), ERR_INPUT, "point off curve");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" EC_X
	    "\",\"y\":\"" EC_Y "\"}", NULL), ERR_INPUT, "crv P-384");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"" EC_X
	    "\",\"y\":\"" EC_Y "\"}", NULL), ERR_INPUT, "crv secp256k1");
	is_int(key("{\"kty\":\"EC\",\"x\":\"" EC_X "\",\"y\":\"" EC_Y "\"}",
	    NULL), ERR_INPUT, "no crv");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X "\"}",
	    NULL), ERR_INPUT, "no y");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" EC_X
	    "\",\"y\":\"" EC_Y "A\"}", NULL), ERR_INPUT, "y length 1 mod 4");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA" EC_X
	    "\",\"y\":\"" EC_Y "\"}", NULL), ERR_INPUT, "x 33 bytes");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"N0xi21hshyvBp7"
	    "I167sbE_bXqyqkAPfefdklMO7wY\",\"y\":\"" EC_Y "\"}", NULL),
	    ERR_INPUT, "x short");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", NULL),
	    ERR_INPUT, "point (0, 0)");
	is_int(key("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":1,\"y\":2}", NULL),
	    ERR_INPUT, "numeric coordinates");
}

/* jwkset_parse on a text. */
static enum err
set(const char *json, struct jwkset **out)
{
	return jwkset_parse(json, strlen(json), out);
}

static void
test_set(void)
{
	struct jwkset	*s;
	struct buf	 b;
	size_t		 i;

	is_int(set("{\"keys\":[" RSA_KEY(",\"kid\":\"a\"") ","
	    EC_KEY(",\"kid\":\"b\"") "," RSA_KEY(",\"kid\":\"c\","
	    "\"alg\":\"PS256\"") "]}", &s), ERR_OK, "three-key set");
	is_int(jwkset_size(s), 3, "three usable");
	ok(jwkset_find(s, "a", JWK_ALG_RS256) != NULL, "find a RS256");
	ok(jwkset_find(s, "a", JWK_ALG_PS256) == NULL, "a not PS256");
	ok(jwkset_find(s, "c", JWK_ALG_PS256) != NULL, "find c PS256");
	ok(jwkset_find(s, "b", JWK_ALG_ES256) == jwkset_get(s, 1),
	    "find b ES256 is key 1");
	ok(jwkset_find(s, "B", JWK_ALG_ES256) == NULL, "kid case-sensitive");
	ok(jwkset_find(s, "d", JWK_ALG_RS256) == NULL, "unknown kid");
	ok(jwkset_find(s, NULL, JWK_ALG_RS256) == jwkset_get(s, 0),
	    "no kid: the only RS256 key");
	ok(jwkset_find(s, NULL, JWK_ALG_ES256) == jwkset_get(s, 1),
	    "no kid: the only ES256 key");
	ok(jwkset_get(s, 3) == NULL, "get out of range");
	jwkset_free(s);

	is_int(set("{\"keys\":[" RSA_KEY("") "," RSA_KEY(",\"kid\":\"x\"")
	    "]}", &s), ERR_OK, "two RS256 keys");
	ok(jwkset_find(s, NULL, JWK_ALG_RS256) == NULL,
	    "no kid, two candidates: none");
	ok(jwkset_find(s, "x", JWK_ALG_RS256) != NULL, "by kid still");
	jwkset_free(s);

	is_int(set("{\"keys\":[" RSA_KEY(",\"kid\":\"a\"") ","
	    EC_KEY(",\"kid\":\"a\"") "," RSA_KEY(",\"kid\":\"b\"") "]}", &s),
	    ERR_OK, "shared kid");
	is_int(jwkset_size(s), 1, "both keys with the shared kid dropped");
	ok(jwkset_find(s, "a", JWK_ALG_RS256) == NULL &&
	    jwkset_find(s, "a", JWK_ALG_ES256) == NULL, "kid a gone");
	jwkset_free(s);
	is_int(set("{\"keys\":[" RSA_KEY(",\"kid\":\"a\"") ","
	    RSA_KEY(",\"kid\":\"a\"") "]}", &s), ERR_INPUT,
	    "only a shared kid: no usable key");

	is_int(set("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"},"
	    RSA_KEY(",\"use\":\"enc\"") "," EC_KEY(",\"kid\":\"ok\"") "]}",
	    &s), ERR_OK, "unusable keys skipped");
	is_int(jwkset_size(s), 1, "one usable");
	jwkset_free(s);
	is_int(set("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}", &s),
	    ERR_INPUT, "no usable key");
	ok(s == NULL, "no set on error");
	is_int(set("{\"keys\":[]}", &s), ERR_INPUT, "empty keys");
	is_int(set("{\"keys\":{}}", &s), ERR_INPUT, "keys an object");
	is_int(set("{\"key\":[" RSA_KEY("") "]}", &s), ERR_INPUT, "no keys");
	is_int(set("[" RSA_KEY("") "]", &s), ERR_INPUT, "bare array");
	is_int(set("{\"keys\":[" RSA_KEY("") "]", &s), ERR_INPUT,
	    "truncated json");
	is_int(set("{\"keys\":[" RSA_KEY("") "],\"keys\":[]}", &s), ERR_INPUT,
	    "duplicate keys member");
	is_int(set("{\"keys\":[" RSA_KEY("") ",]}", &s), ERR_INPUT,
	    "trailing comma");
	is_int(jwkset_parse(NULL, 0, &s), ERR_INPUT, "NULL");

	buf_init(&b, 0);
	buf_adds(&b, "{\"keys\":[");
	for (i = 0; i < JWKSET_KEYS_MAX + 1; i++)
		buf_addf(&b, "%s{\"kty\":\"oct\"}", i ? "," : "");
	buf_adds(&b, "]}");
	is_int(set(b.data, &s), ERR_INPUT, "JWKSET_KEYS_MAX + 1 entries");
	buf_free(&b);
	ok(jwkset_size(NULL) == 0, "size of NULL");
	ok(jwkset_find(NULL, "a", JWK_ALG_RS256) == NULL, "find in NULL");
	jwkset_free(NULL);
	jwk_free(NULL);
}

/* The group's key set: public if given, else private. */
static struct jwkset *
group_set(struct json_object *g)
{
	struct json_object	*ks;
	struct jwkset		*s;
	const char		*txt;

	if (!json_object_object_get_ex(g, "public", &ks) &&
	    !json_object_object_get_ex(g, "private", &ks))
		return NULL;
	txt = json_object_to_json_string_ext(ks, JSON_C_TO_STRING_PLAIN);
	if (jwkset_parse(txt, strlen(txt), &s) != ERR_OK)
		return NULL;
	return s;
}

/*
 * Does a key of the group's set ("keys" of public, else private) fit the
 * supported row for the header hdr (same kid when both have one)?  The
 * row is returned in *row; NULL when the header's alg is not in the list.
 */
static bool
vector_supported(struct json_object *hdr, struct json_object *g,
    const struct supported **row)
{
	struct json_object	*set, *keys;
	size_t			 i;

	if ((*row = supported_row(hdr)) == NULL ||
	    (!json_object_object_get_ex(g, "public", &set) &&
	    !json_object_object_get_ex(g, "private", &set)) ||
	    !json_object_object_get_ex(set, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		return false;
	for (i = 0; i < json_object_array_length(keys); i++)
		if (supported_key(*row, hdr,
		    json_object_array_get_idx(keys, i)))
			return true;
	return false;
}

static void
test_vectors(void)
{
	const char		*file = "json_web_key_test.json";
	struct json_object	*root = NULL, *groups, *g, *tests, *t, *hdr;
	const struct supported	*row;
	struct jwkset		*s;
	struct jwt		*jwt;
	const char		*jws, *res, *dot;
	char			*txt;
	size_t			 len, gi, ti, n = 0, acc = 0, rej = 0;
	size_t			 unsup = 0, nohdr = 0;
	bool			 want, got, valid;

	txt = vector_read(file, &len);
	if (txt == NULL || jsonp_parse(txt, len, JSONP_DEPTH_MAX, &root) !=
	    ERR_OK) {
		ok(false, "%s: loaded", file);
		free(txt);
		return;
	}
	free(txt);
	json_object_object_get_ex(root, "testGroups", &groups);
	for (gi = 0; gi < json_object_array_length(groups); gi++) {
		g = json_object_array_get_idx(groups, gi);
		s = group_set(g);
		json_object_object_get_ex(g, "tests", &tests);
		for (ti = 0; ti < json_object_array_length(tests); ti++) {
			t = json_object_array_get_idx(tests, ti);
			jws = str_member(t, "jws");
			res = str_member(t, "result");
			valid = strcmp(res, "valid") == 0;
			want = false;
			if (valid) {
				dot = strchr(jws, '.');
				hdr = b64url_json(jws, dot != NULL ?
				    (size_t)(dot - jws) : strlen(jws));
				if (hdr == NULL)
					nohdr++;
				want = hdr != NULL &&
				    vector_supported(hdr, g, &row);
				json_object_put(hdr);
			}
			got = false;
			if (s != NULL && jwt_parse_ex(jws, strlen(jws),
			    JWT_PARSE_OPAQUE, &jwt) == ERR_OK) {
				got = jwt_verify_set(jwt, s) == ERR_OK;
				jwt_free(jwt);
			}
			n++;
			if (want)
				acc++;
			else if (valid)
				unsup++;
			else
				rej++;
			ok(got == want, "%s: tc %d %s (%s): %s", file,
			    json_object_get_int(json_object_object_get(t,
			    "tcId")), res, str_member(t, "comment"),
			    want ? "accepted" : "rejected");
		}
		jwkset_free(s);
	}
	is_int(n, json_object_get_int(json_object_object_get(root,
	    "numberOfTests")), "%s: every test case run", file);
	is_int(nohdr, 0, "%s: every valid vector's header decodes", file);
	tap_diag("%s: %zu valid accepted, %zu valid with unsupported alg "
	    "rejected, %zu invalid rejected", file, acc, unsup, rej);
	json_object_put(root);
}

int
main(void)
{
	log_init("test_jwk", LOG_LEVEL_WARN);
	test_alg();
	test_rsa();
	test_ec();
	test_set();
	test_vectors();
	return tap_done();
}
