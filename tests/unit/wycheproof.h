/*
 * wycheproof.h: what the Wycheproof runners of test_jwk and test_jws
 * share: reading a vector file, decoding a vector's base64url JSON with
 * OpenSSL and json-c (not with the code under test), and the fixed table
 * of the algorithms this project supports.  Header-only, like tap.h.
 */
#ifndef TODO_WYCHEPROOF_H
#define TODO_WYCHEPROOF_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "jsonp.h"

#define VECTOR_DIR	"tests/vectors"
#define VECTOR_MAX	(4 * 1024 * 1024)

/* Read srcdir/tests/vectors/name into a NUL-terminated buffer. */
static inline char *
vector_read(const char *name, size_t *len)
{
	const char	*srcdir;
	char		 path[1024];
	FILE		*f;
	char		*p;
	int		 n;

	if ((srcdir = getenv("srcdir")) == NULL)
		srcdir = ".";
	n = snprintf(path, sizeof(path), "%s/%s/%s", srcdir, VECTOR_DIR,
	    name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((p = malloc(VECTOR_MAX + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(p, 1, VECTOR_MAX, f);
	fclose(f);
	p[*len] = '\0';
	return p;
}

/* A string member of o, or "" when it is absent or not a string. */
static inline const char *
str_member(struct json_object *o, const char *key)
{
	const char *s;

	return jsonp_string(o, key, &s) == ERR_OK ? s : "";
}

/* A string member of o, or NULL (json-c alone, for the vectors). */
static inline const char *
member_or_null(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static inline bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The JSON object in the first len bytes of s, base64url without padding:
 * decoded with OpenSSL and json-c, not with the code under test.  NULL if
 * it is not one.
 */
static inline struct json_object *
b64url_json(const char *s, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*o = NULL;
	unsigned char		*raw = NULL;
	char			*std = NULL;
	size_t			 i, padded;
	int			 n;

	if (len == 0 || len % 4 == 1 || len > VECTOR_MAX)
		return NULL;
	padded = (len + 3) / 4 * 4;
	if ((std = malloc(padded + 1)) == NULL ||
	    (raw = malloc(padded)) == NULL)
		goto out;
	for (i = 0; i < len; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (; i < padded; i++)
		std[i] = '=';
	std[padded] = '\0';
	if ((n = EVP_DecodeBlock(raw, (unsigned char *)std, (int)padded)) < 0)
		goto out;
	n -= (int)(padded - len);	/* EVP_DecodeBlock counts the pad */
	if ((tok = json_tokener_new()) == NULL)
		goto out;
	o = json_tokener_parse_ex(tok, (char *)raw, n);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
out:
	free(std);
	free(raw);
	return o;
}

/*
 * What this project supports, written down here rather than asked of
 * lib/jwk.c or lib/jwt.c (jwk.h: RSA keys RS256 unless their "alg" names
 * PS256, PS256 only if it does; EC P-256 keys ES256).  A "valid" vector
 * whose header alg and key fit a row must verify: if the library
 * silently dropped an algorithm, those vectors fail.
 */
static const struct supported {
	const char	*alg;		/* the JWS header's "alg" */
	const char	*kty;		/* the key's "kty" */
	const char	*crv;		/* the key's "crv", NULL: none */
	bool		 key_alg;	/* the key must name alg itself */
} supported[] = {
	{ "RS256", "RSA", NULL, false },
	{ "PS256", "RSA", NULL, true },
	{ "ES256", "EC", "P-256", false },
};
#define SUPPORTED_N	(sizeof(supported) / sizeof(supported[0]))

/* The supported row for the JWS header hdr's alg, or NULL. */
static inline const struct supported *
supported_row(struct json_object *hdr)
{
	const char	*alg;
	size_t		 i;

	if ((alg = member_or_null(hdr, "alg")) == NULL)
		return NULL;
	for (i = 0; i < SUPPORTED_N; i++)
		if (strcmp(alg, supported[i].alg) == 0)
			return &supported[i];
	return NULL;
}

/*
 * Does jwk fit row for the header hdr: its kty, crv and alg, and the
 * same kid when both have one?
 */
static inline bool
supported_key(const struct supported *row, struct json_object *hdr,
    struct json_object *jwk)
{
	const char	*kalg, *kid, *kkid;

	kalg = member_or_null(jwk, "alg");
	kid = member_or_null(hdr, "kid");
	kkid = member_or_null(jwk, "kid");
	return str_eq(member_or_null(jwk, "kty"), row->kty) &&
	    (row->crv == NULL || str_eq(member_or_null(jwk, "crv"),
	    row->crv)) &&
	    (row->key_alg ? str_eq(kalg, row->alg) :
	    kalg == NULL || str_eq(kalg, row->alg)) &&
	    (kid == NULL || kkid == NULL || strcmp(kid, kkid) == 0);
}

#endif
