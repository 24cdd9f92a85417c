#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "b64url.h"
#include "jsonp.h"
#include "jwt.h"

#define JWT_PARTS 3

struct jwt {
	struct json_object	*header;
	struct json_object	*claims;	/* NULL when opaque */
	unsigned char		*payload;
	size_t			 payloadlen;
	unsigned char		*sig;
	size_t			 siglen;
	char			*input;		/* header.payload */
	size_t			 inputlen;
	const char		*alg;		/* in header */
	const char		*kid;		/* in header, or NULL */
};

void
jwt_free(struct jwt *t)
{
	if (t == NULL)
		return;
	json_object_put(t->header);
	json_object_put(t->claims);
	free(t->payload);
	free(t->sig);
	free(t->input);
	free(t);
}

/* Decode part as a strict JSON object. */
static enum err
jwt_json(const unsigned char *s, size_t len, struct json_object **out)
{
	enum err e;

	if ((e = jsonp_parse((const char *)s, len, JWT_DEPTH_MAX, out)) !=
	    ERR_OK)
		return e;
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return ERR_INPUT;
	}
	return ERR_OK;
}

enum err
jwt_parse_ex(const char *compact, size_t len, int flags, struct jwt **out)
{
	struct jwt	*t = NULL;
	const char	*part[JWT_PARTS];
	size_t		 partlen[JWT_PARTS];
	unsigned char	*hdr = NULL;
	size_t		 hdrlen, i, n;
	enum err	 e = ERR_INPUT;

	*out = NULL;
	if (compact == NULL || len > JWT_LEN_MAX)
		goto out;
	/* Exactly two dots; JSON serialization has none. */
	part[0] = compact;
	for (i = n = 0; i < len; i++)
		if (compact[i] == '.') {
			if (n == JWT_PARTS - 1)
				goto out;
			partlen[n] = (size_t)(compact + i - part[n]);
			part[++n] = compact + i + 1;
		}
	if (n != JWT_PARTS - 1)
		goto out;
	partlen[n] = (size_t)(compact + len - part[n]);
	if (partlen[0] == 0 || partlen[2] == 0 ||
	    (partlen[1] == 0 && !(flags & JWT_PARSE_OPAQUE)))
		goto out;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if ((e = b64url_decode(part[0], partlen[0], &hdr, &hdrlen)) !=
	    ERR_OK ||
	    (e = b64url_decode(part[1], partlen[1], &t->payload,
	    &t->payloadlen)) != ERR_OK ||
	    (e = b64url_decode(part[2], partlen[2], &t->sig,
	    &t->siglen)) != ERR_OK)
		goto out;
	if ((e = jwt_json(hdr, hdrlen, &t->header)) != ERR_OK)
		goto out;
	if (!(flags & JWT_PARSE_OPAQUE) &&
	    (e = jwt_json(t->payload, t->payloadlen, &t->claims)) != ERR_OK)
		goto out;

	e = ERR_INPUT;
	if (jsonp_string(t->header, "alg", &t->alg) != ERR_OK)
		goto out;
	switch (jsonp_string(t->header, "kid", &t->kid)) {
	case ERR_OK:
		break;
	case ERR_NOTFOUND:
		t->kid = NULL;
		break;
	default:
		goto out;
	}
	if (json_object_object_get_ex(t->header, "crit", NULL))
		goto out;

	t->inputlen = partlen[0] + 1 + partlen[1];
	if ((t->input = malloc(t->inputlen + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	memcpy(t->input, compact, t->inputlen);
	t->input[t->inputlen] = '\0';
	*out = t;
	t = NULL;
	e = ERR_OK;
out:
	free(hdr);
	jwt_free(t);
	return e;
}

enum err
jwt_parse(const char *compact, size_t len, struct jwt **out)
{
	return jwt_parse_ex(compact, len, 0, out);
}

const char *
jwt_kid(const struct jwt *t)
{
	return t->kid;
}

const char *
jwt_header_str(const struct jwt *t, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(t->header, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

enum err
jwt_alg(const struct jwt *t, enum jwk_alg *out)
{
	return jwk_alg_parse(t->alg, out);
}

const unsigned char *
jwt_payload(const struct jwt *t, size_t *len)
{
	*len = t->payloadlen;
	return t->payload;
}

enum err
jwt_verify(const struct jwt *t, const struct jwk *key)
{
	enum jwk_alg alg;

	if (key == NULL || jwt_alg(t, &alg) != ERR_OK)
		return ERR_AUTH;
	if (!jwk_verify(key, alg, t->input, t->inputlen, t->sig, t->siglen))
		return ERR_AUTH;
	return ERR_OK;
}

enum err
jwt_verify_set(const struct jwt *t, const struct jwkset *set)
{
	const struct jwk	*key;
	enum jwk_alg		 alg;

	if (jwt_alg(t, &alg) != ERR_OK)
		return ERR_AUTH;
	if ((key = jwkset_find(set, t->kid, alg)) == NULL)
		return ERR_NOTFOUND;
	return jwt_verify(t, key);
}

struct json_object *
jwt_claims(const struct jwt *t)
{
	return t->claims;
}

const char *
jwt_claim_str(const struct jwt *t, const char *name)
{
	const char *s;

	if (t->claims == NULL || jsonp_string(t->claims, name, &s) != ERR_OK)
		return NULL;
	return s;
}

/* Does aud (string or array of strings) contain want?  -1: malformed. */
static int
jwt_aud_has(struct json_object *aud, const char *want)
{
	struct json_object	*v;
	size_t			 i, n;
	int			 found = 0;

	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), want) == 0;
	if (!json_object_is_type(aud, json_type_array))
		return -1;
	if ((n = json_object_array_length(aud)) == 0)
		return -1;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(aud, i);
		if (!json_object_is_type(v, json_type_string))
			return -1;
		if (strcmp(json_object_get_string(v), want) == 0)
			found = 1;
	}
	return found;
}

/* A NumericDate member: 1 present, 0 absent, -1 malformed. */
static int
jwt_date(struct json_object *claims, const char *name, int64_t *out)
{
	switch (jsonp_int64(claims, name, out)) {
	case ERR_OK:
		return 1;
	case ERR_NOTFOUND:
		return 0;
	default:
		return -1;
	}
}

enum err
jwt_check(const struct jwt *t, const struct jwt_expect *x,
    const char **why)
{
	struct json_object	*aud;
	const char		*iss, *nonce, *sub, *reason;
	int64_t			 exp, nbf, iat, now, leeway;
	size_t			 i;
	int			 r;
	enum err		 e = ERR_AUTH;

	reason = "no claims";
	if (t->claims == NULL || x == NULL)
		goto out;
	leeway = x->leeway < 0 ? 0 : x->leeway > JWT_LEEWAY_MAX ?
	    JWT_LEEWAY_MAX : x->leeway;
	now = (int64_t)x->now;

	reason = "missing exp";
	if ((r = jwt_date(t->claims, "exp", &exp)) == 0)
		goto out;
	reason = "bad exp";
	if (r < 0)
		goto out;
	reason = JWT_WHY_EXPIRED;
	if (now - leeway >= exp)
		goto out;
	reason = "bad nbf";
	if ((r = jwt_date(t->claims, "nbf", &nbf)) < 0)
		goto out;
	reason = "token not yet valid";
	if (r > 0 && nbf > now + leeway)
		goto out;
	reason = "bad iat";
	if ((r = jwt_date(t->claims, "iat", &iat)) < 0)
		goto out;
	reason = "token issued in the future";
	if (r > 0 && iat > now + leeway)
		goto out;
	/* Subtracted as unsigned: no overflow whatever exp and iat are. */
	reason = "token lifetime too long";
	if (x->max_lifetime > 0 && (r > 0 ?
	    (exp > iat && (uint64_t)exp - (uint64_t)iat >
	    (uint64_t)x->max_lifetime) :
	    (exp > now && (uint64_t)exp - (uint64_t)now >
	    (uint64_t)x->max_lifetime)))
		goto out;

	reason = "missing or bad issuer";
	if (jsonp_string(t->claims, "iss", &iss) != ERR_OK)
		goto out;
	reason = "wrong issuer";
	for (i = 0; i < x->nissuers; i++)
		if (x->issuers[i] != NULL && strcmp(iss, x->issuers[i]) == 0)
			break;
	if (i == x->nissuers)
		goto out;

	reason = "missing audience";
	if (!json_object_object_get_ex(t->claims, "aud", &aud))
		goto out;
	reason = "bad audience";
	if ((r = x->audience == NULL ? -1 : jwt_aud_has(aud, x->audience)) < 0)
		goto out;
	reason = "wrong audience";
	if (r == 0)
		goto out;

	reason = "bad subject";
	if (jsonp_string(t->claims, "sub", &sub) == ERR_INPUT)
		goto out;

	if (x->nonce != NULL) {
		reason = "missing or bad nonce";
		if (jsonp_string(t->claims, "nonce", &nonce) != ERR_OK)
			goto out;
		reason = "wrong nonce";
		if (strlen(nonce) != strlen(x->nonce) ||
		    CRYPTO_memcmp(nonce, x->nonce, strlen(nonce)) != 0)
			goto out;
	}
	e = ERR_OK;
out:
	if (e != ERR_OK && why != NULL)
		*why = reason;
	return e;
}

/* Is scope one of the space-separated words of list? */
static bool
jwt_scope_in(const char *list, const char *scope, size_t len)
{
	const char	*p = list, *w;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		w = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if ((size_t)(p - w) == len && memcmp(w, scope, len) == 0)
			return true;
	}
	return false;
}

bool
jwt_has_scope(const struct jwt *t, const char *scope)
{
	struct json_object	*v, *s;
	size_t			 i, n, len;

	if (t->claims == NULL || scope == NULL ||
	    (len = strlen(scope)) == 0 || strchr(scope, ' ') != NULL)
		return false;
	if (!json_object_object_get_ex(t->claims, "scp", &v) &&
	    !json_object_object_get_ex(t->claims, "scope", &v))
		return false;
	if (json_object_is_type(v, json_type_string))
		return jwt_scope_in(json_object_get_string(v), scope, len);
	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(v, i);
		if (json_object_is_type(s, json_type_string) &&
		    strcmp(json_object_get_string(s), scope) == 0)
			return true;
	}
	return false;
}
