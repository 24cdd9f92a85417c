#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "b64url.h"
#include "buf.h"
#include "dpop.h"
#include "hex.h"
#include "jsonp.h"
#include "jwk.h"

#define DPOP_NORM_MAX	(3 * DPOP_HTU_MAX)	/* a normalised URL */
#define DPOP_JWK_JSON_MAX (4 * 1024)		/* thumbprint input */

/* base64url characters and exactly two dots: one compact JWS. */
static bool
dpop_compact_ok(const char *s, size_t len)
{
	size_t	 i, dots = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return false;
	}
	return dots == 2;
}

/* The proof's JOSE header as JSON (jwt.h keeps its own to itself). */
static enum err
dpop_header(const char *proof, size_t len, struct json_object **hdr)
{
	const char	*dot;
	unsigned char	*raw = NULL;
	size_t		 rawlen;
	enum err	 e;

	*hdr = NULL;
	if ((dot = memchr(proof, '.', len)) == NULL)
		return ERR_INPUT;
	if ((e = b64url_decode(proof, (size_t)(dot - proof), &raw,
	    &rawlen)) != ERR_OK)
		goto out;
	if ((e = jsonp_parse((const char *)raw, rawlen, JWT_DEPTH_MAX,
	    hdr)) != ERR_OK)
		goto out;
	if (!json_object_is_type(*hdr, json_type_object)) {
		json_object_put(*hdr);
		*hdr = NULL;
		e = ERR_INPUT;
	}
out:
	free(raw);
	return e;
}

/*
 * The proof's key from the header's jwk, for alg.  A JWK names no alg
 * more often than not; jwk.h then allows RSA keys RS256 only, so for a
 * PS256 proof the JWK is read as if it said "alg":"PS256".
 */
static enum err
dpop_key(struct json_object *jwk, enum jwk_alg alg, struct jwk **key,
    const char **why)
{
	struct json_object *copy = NULL;
	const char	*name;
	enum err	 e = ERR_INPUT;

	*key = NULL;
	*why = "proof has no jwk object";
	if (!json_object_is_type(jwk, json_type_object))
		goto out;
	switch (jsonp_string(jwk, "alg", &name)) {
	case ERR_NOTFOUND:
		if (alg != JWK_ALG_PS256)
			break;
		e = ERR_NOMEM;
		if (json_object_deep_copy(jwk, &copy, NULL) != 0 ||
		    json_object_object_add(copy, "alg",
		    json_object_new_string("PS256")) != 0)
			goto out;
		jwk = copy;
		break;
	case ERR_OK:
		*why = "jwk alg differs from the proof's";
		if (strcmp(name, jwk_alg_name(alg)) != 0)
			goto out;
		break;
	default:
		*why = "jwk alg not a string";
		goto out;
	}
	*why = "jwk is not a public key we accept (private members?)";
	if ((e = jwk_from_json(jwk, key)) != ERR_OK) {
		if (e == ERR_INPUT || e == ERR_SYSTEM)
			e = ERR_INPUT;
		goto out;
	}
	*why = NULL;
out:
	json_object_put(copy);
	return e;
}

/*
 * The keys of recent proofs, per process: a client signs every proof with
 * the same key, and building the key from its JWK costs more than the
 * signature check.  An entry is found by the SHA-256 of the jwk member's
 * exact text and the alg, so only a byte-identical JWK (the same public
 * key, no other members) gets the key jwk_from_json made for it.
 */
#define DPOP_KEY_SLOTS 32

static struct {
	unsigned char	 id[CRYPTO_SHA256_LEN];
	enum jwk_alg	 alg;
	struct jwk	*key;		/* owned */
} dpop_keys[DPOP_KEY_SLOTS];

/* The key for jwk and alg, borrowed from the cache (NULL: not made). */
static enum err
dpop_key_cached(struct json_object *jwk, enum jwk_alg alg,
    struct jwk **key, const char **why)
{
	unsigned char	 id[CRYPTO_SHA256_LEN];
	const char	*text;
	size_t		 len, i;
	struct jwk	*k;
	enum err	 e;

	*key = NULL;
	if (!json_object_is_type(jwk, json_type_object))
		return dpop_key(jwk, alg, key, why);	/* says why */
	if ((text = json_object_to_json_string_length(jwk,
	    JSON_C_TO_STRING_PLAIN, &len)) == NULL)
		return ERR_NOMEM;
	crypto_sha256(text, len, id);
	i = ((size_t)id[0] << 8 | id[1]) % DPOP_KEY_SLOTS;
	if (dpop_keys[i].key != NULL && dpop_keys[i].alg == alg &&
	    memcmp(dpop_keys[i].id, id, sizeof(id)) == 0) {
		*key = dpop_keys[i].key;
		*why = NULL;
		return ERR_OK;
	}
	if ((e = dpop_key(jwk, alg, &k, why)) != ERR_OK)
		return e;
	jwk_free(dpop_keys[i].key);
	memcpy(dpop_keys[i].id, id, sizeof(id));
	dpop_keys[i].alg = alg;
	dpop_keys[i].key = *key = k;
	return ERR_OK;
}

/* base64url(SHA-256(len bytes at s)) equals b64? */
static enum err
dpop_hash_is(const char *s, size_t len, const char *b64, bool *same)
{
	unsigned char	 dig[CRYPTO_SHA256_LEN];
	char		*enc = NULL;
	enum err	 e;

	*same = false;
	crypto_sha256(s, len, dig);
	if ((e = b64url_encode_str(dig, sizeof(dig), &enc)) != ERR_OK)
		return e;
	*same = crypto_streq(enc, b64);
	free(enc);
	return ERR_OK;
}

/* The claims checks of RFC 9449 section 4.3, items 8 to 12. */
static enum err
dpop_claims(struct json_object *claims, const struct dpop_expect *ex,
    struct dpop_proof *out, const char **why)
{
	const char	*jti, *htm, *htu, *ath;
	char		*hex = NULL;
	int64_t		 iat;
	bool		 same;
	enum err	 e = ERR_AUTH;

	*why = "proof jti missing or bad";
	if (jsonp_string(claims, "jti", &jti) != ERR_OK || *jti == '\0' ||
	    strlen(jti) > DPOP_JTI_MAX)
		goto out;
	*why = "proof htm does not match the request method";
	if (jsonp_string(claims, "htm", &htm) != ERR_OK ||
	    strcmp(htm, ex->htm) != 0)
		goto out;
	*why = "proof htu does not match the request url";
	if (jsonp_string(claims, "htu", &htu) != ERR_OK ||
	    !dpop_htu_match(htu, ex->htu))
		goto out;
	*why = "proof iat missing or not an integer";
	if (jsonp_int64(claims, "iat", &iat) != ERR_OK)
		goto out;
	*why = "proof iat in the future";
	if (iat > (int64_t)ex->now + ex->leeway)
		goto out;
	*why = "proof too old";
	if (iat < (int64_t)ex->now - ex->max_age - ex->leeway)
		goto out;
	if (ex->token != NULL) {
		*why = "proof ath missing or not a string";
		if (jsonp_string(claims, "ath", &ath) != ERR_OK)
			goto out;
		if ((e = dpop_hash_is(ex->token, ex->token_len, ath,
		    &same)) != ERR_OK)
			goto out;
		e = ERR_AUTH;
		*why = "proof ath does not match the access token";
		if (!same)
			goto out;
	}
	if ((e = crypto_sha256_hex(jti, &hex)) != ERR_OK)
		goto out;
	memcpy(out->jti_hash, hex, CRYPTO_SHA256_HEX_LEN);
	out->jti_hash[CRYPTO_SHA256_HEX_LEN] = '\0';
	out->expires = (time_t)(iat + ex->max_age + ex->leeway);
	*why = NULL;
	e = ERR_OK;
out:
	free(hex);
	return e;
}

enum err
dpop_verify(const char *proof, size_t len, const struct dpop_expect *ex,
    struct dpop_proof *out, const char **why)
{
	struct json_object *hdr = NULL, *jwk;
	struct jwt	*jwt = NULL;
	struct jwk	*key = NULL;	/* borrowed from dpop_keys */
	const char	*typ;
	enum jwk_alg	 alg;
	enum err	 e = ERR_AUTH;

	memset(out, 0, sizeof(*out));
	*why = "proof malformed";
	if (proof == NULL || len == 0 || len > DPOP_PROOF_MAX ||
	    !dpop_compact_ok(proof, len))
		goto out;
	if ((e = jwt_parse(proof, len, &jwt)) != ERR_OK ||
	    (e = dpop_header(proof, len, &hdr)) != ERR_OK) {
		if (e != ERR_NOMEM)
			e = ERR_AUTH;
		goto out;
	}
	e = ERR_AUTH;
	*why = "proof typ is not dpop+jwt";
	if (jsonp_string(hdr, "typ", &typ) != ERR_OK ||
	    strcmp(typ, DPOP_TYP) != 0)
		goto out;
	*why = "proof alg not allowed";
	if (jwt_alg(jwt, &alg) != ERR_OK)
		goto out;
	*why = "proof has no jwk object";
	if (!json_object_object_get_ex(hdr, "jwk", &jwk))
		goto out;
	if ((e = dpop_key_cached(jwk, alg, &key, why)) != ERR_OK) {
		if (e != ERR_NOMEM)
			e = ERR_AUTH;
		goto out;
	}
	e = ERR_AUTH;
	*why = "proof signature does not verify with its jwk";
	if (jwt_verify(jwt, key) != ERR_OK)
		goto out;
	if ((e = dpop_claims(jwt_claims(jwt), ex, out, why)) != ERR_OK)
		goto out;
	*why = "proof jwk has no thumbprint";
	if ((e = dpop_thumbprint(jwk, out->jkt)) != ERR_OK) {
		if (e != ERR_NOMEM)
			e = ERR_AUTH;
		goto out;
	}
	*why = NULL;
out:
	if (e != ERR_OK)
		memset(out, 0, sizeof(*out));
	jwt_free(jwt);
	json_object_put(hdr);
	return e;
}

enum err
dpop_thumbprint(struct json_object *jwk, char out[DPOP_JKT_LEN + 1])
{
	static const char *const ec[] = { "crv", "kty", "x", "y", NULL };
	static const char *const rsa[] = { "e", "kty", "n", NULL };
	struct json_object *o = NULL;
	const char *const *m;
	const char	*kty, *v, *json;
	unsigned char	 dig[CRYPTO_SHA256_LEN];
	char		*enc = NULL;
	size_t		 n;
	enum err	 e = ERR_INPUT;

	out[0] = '\0';
	if (jsonp_string(jwk, "kty", &kty) != ERR_OK)
		goto out;
	if (strcmp(kty, "EC") == 0)
		m = ec;
	else if (strcmp(kty, "RSA") == 0)
		m = rsa;
	else
		goto out;
	/* json-c keeps the order members are added in. */
	if ((o = json_object_new_object()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (; *m != NULL; m++) {
		if (jsonp_string(jwk, *m, &v) != ERR_OK) {
			e = ERR_INPUT;
			goto out;
		}
		if (json_object_object_add(o, *m,
		    json_object_new_string(v)) != 0) {
			e = ERR_NOMEM;
			goto out;
		}
	}
	e = ERR_NOMEM;
	if ((json = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &n)) == NULL)
		goto out;
	e = ERR_INPUT;
	if (n > DPOP_JWK_JSON_MAX)
		goto out;
	crypto_sha256(json, n, dig);
	if ((e = b64url_encode_str(dig, sizeof(dig), &enc)) != ERR_OK)
		goto out;
	e = ERR_SYSTEM;
	if (strlen(enc) != DPOP_JKT_LEN)
		goto out;
	memcpy(out, enc, DPOP_JKT_LEN + 1);
	e = ERR_OK;
out:
	free(enc);
	json_object_put(o);
	return e;
}

static bool
dpop_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Append a path with its percent-encodings normalised (RFC 3986 6.2.2). */
static void
dpop_path_norm(const char *p, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	int	 hi, lo;

	if (*p == '\0')
		(void)buf_addc(out, '/');
	for (; *p != '\0'; p++) {
		if (*p == '%' && (hi = hex_digit((unsigned char)p[1])) >= 0 &&
		    (lo = hex_digit((unsigned char)p[2])) >= 0) {
			if (dpop_unreserved((unsigned char)(hi << 4 | lo)))
				(void)buf_addc(out, (char)(hi << 4 | lo));
			else {
				(void)buf_addc(out, '%');
				(void)buf_addc(out, hex[hi]);
				(void)buf_addc(out, hex[lo]);
			}
			p += 2;
		} else
			(void)buf_addc(out, *p);
	}
}

static void
dpop_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* url as "scheme://host:port/path", normalised; false if unusable. */
static bool
dpop_url_norm(const char *url, struct buf *out)
{
	CURLU	*u = NULL;
	char	*scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char	*user = NULL, *pass = NULL;
	bool	 ok = false;

	if (strlen(url) > DPOP_HTU_MAX || (u = curl_url()) == NULL)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) !=
	    CURLUE_NO_PASSWORD ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	dpop_lower(scheme);
	dpop_lower(host);
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		goto out;
	(void)buf_addf(out, "%s://%s:%s", scheme, host, port);
	dpop_path_norm(path, out);
	ok = buf_str(out)[0] != '\0' && out->err == ERR_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return ok;
}

bool
dpop_htu_match(const char *htu, const char *url)
{
	struct buf a, b;
	bool	 same;

	buf_init(&a, DPOP_NORM_MAX);
	buf_init(&b, DPOP_NORM_MAX);
	same = htu != NULL && url != NULL && dpop_url_norm(htu, &a) &&
	    dpop_url_norm(url, &b) && strcmp(buf_str(&a), buf_str(&b)) == 0;
	buf_free(&a);
	buf_free(&b);
	return same;
}

enum err
dpop_token_jkt(const struct jwt *jwt, const char **jkt)
{
	struct json_object *claims, *cnf;

	*jkt = NULL;
	if ((claims = jwt_claims(jwt)) == NULL ||
	    !json_object_object_get_ex(claims, "cnf", &cnf))
		return ERR_OK;
	if (!json_object_is_type(cnf, json_type_object) ||
	    jsonp_string(cnf, "jkt", jkt) != ERR_OK ||
	    strlen(*jkt) != DPOP_JKT_LEN) {
		*jkt = NULL;
		return ERR_INPUT;
	}
	return ERR_OK;
}
