/*
 * mint-jwt -- TEST-ONLY token and JWK set maker for the integration tests.
 *
 *   mint-jwt --key FILE [--kid K] [--alg ALG] [--ttl SECONDS]
 *            (--claims JSON | --raw-claims TEXT) [--header JSON]
 *	prints a compact JWS.  ALG is RS256 (default), PS256, ES256, none or
 *	HS256.  HS256 uses the bytes of FILE as the HMAC secret: give it the
 *	RSA public key PEM for the classic algorithm-confusion attack.
 *	--ttl sets "iat" to now and "exp" to now + SECONDS unless the claims
 *	already carry them.  --header merges members into the header; a null
 *	member removes one ("kid": null).  --raw-claims signs TEXT verbatim
 *	(for malformed or duplicate-key payloads).
 *
 *   mint-jwt --jwks KEYFILE:KID[:ALG] [KEYFILE:KID[:ALG] ...]
 *	prints {"keys":[...]} with the public halves (RSA n/e, EC P-256 x/y),
 *	"use":"sig", and "alg" when given.
 *
 * Standalone on purpose (OpenSSL 3 + json-c only): it must not share code
 * with the verifier it tests.  Never use it or its keys in production.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#define MINT_FILE_MAX	(1024 * 1024)
#define MINT_EC_COORD	32	/* P-256 coordinate and r/s length */

enum alg {
	ALG_RS256,
	ALG_PS256,
	ALG_ES256,
	ALG_HS256,
	ALG_NONE,
	ALG__MAX
};

static const char *const alg_names[ALG__MAX] = {
	"RS256", "PS256", "ES256", "HS256", "none"
};

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list	 ap;

	fputs("mint-jwt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void
usage(void)
{
	fputs("usage: mint-jwt --key FILE [--kid K] [--alg RS256|PS256|ES256|"
	    "none|HS256]\n"
	    "                [--ttl SECONDS] (--claims JSON | --raw-claims TEXT)"
	    " [--header JSON]\n"
	    "       mint-jwt --jwks KEYFILE:KID[:ALG] ...\n", stderr);
	exit(2);
}

static enum alg
alg_parse(const char *s)
{
	int	 i;

	for (i = 0; i < ALG__MAX; i++)
		if (strcmp(s, alg_names[i]) == 0)
			return (enum alg)i;
	die("unknown alg %s", s);
}

/* Reads a whole file; *len gets its size.  The result is NUL-terminated. */
static unsigned char *
file_read(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*p;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	if ((p = malloc(MINT_FILE_MAX + 1)) == NULL)
		die("out of memory");
	n = fread(p, 1, MINT_FILE_MAX + 1, f);
	if (ferror(f) || n > MINT_FILE_MAX)
		die("%s: read error or too large", path);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

static EVP_PKEY *
key_load(const char *path)
{
	FILE		*f;
	EVP_PKEY	*pk;

	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (pk == NULL) {
		rewind(f);
		pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (pk == NULL)
		die("%s: not a PEM key", path);
	return pk;
}

/* Base64url without padding; returns a malloc'd string. */
static char *
b64url(const unsigned char *in, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char		*out, *o;
	size_t		 i;
	unsigned long	 v;

	if ((out = malloc(len / 3 * 4 + 5)) == NULL)
		die("out of memory");
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
	}
	*o = '\0';
	return out;
}

static char *
b64url_bn(const BIGNUM *bn, int pad)
{
	unsigned char	 buf[1024];
	int		 n;

	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	if (n <= 0 || (size_t)n > sizeof(buf))
		die("bignum too large");
	return b64url(buf, (size_t)n);
}

static json_object *
json_parse_object(const char *text, const char *what)
{
	json_object	*o;

	o = json_tokener_parse(text);
	if (o == NULL || !json_object_is_type(o, json_type_object))
		die("%s: not a JSON object", what);
	return o;
}

/* Converts a DER ECDSA signature to JOSE r||s. */
static void
ecdsa_der_to_jose(const unsigned char *der, size_t len, unsigned char *out)
{
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *s;
	const unsigned char *p = der;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		die("bad ECDSA signature");
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, MINT_EC_COORD) != MINT_EC_COORD ||
	    BN_bn2binpad(s, out + MINT_EC_COORD, MINT_EC_COORD) !=
	    MINT_EC_COORD)
		die("bad ECDSA signature size");
	ECDSA_SIG_free(sig);
}

static char *
sign(enum alg alg, const char *keyfile, const char *input)
{
	EVP_PKEY	*pk = NULL;
	EVP_MD_CTX	*ctx = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	unsigned char	*secret, sig[1024], jose[2 * MINT_EC_COORD];
	unsigned int	 hlen;
	size_t		 slen, seclen;
	char		*out;

	if (alg == ALG_NONE)
		return strdup("");
	if (alg == ALG_HS256) {
		secret = file_read(keyfile, &seclen);
		if (HMAC(EVP_sha256(), secret, (int)seclen,
		    (const unsigned char *)input, strlen(input), sig,
		    &hlen) == NULL)
			die("HMAC failed");
		free(secret);
		return b64url(sig, hlen);
	}

	pk = key_load(keyfile);
	if ((alg == ALG_ES256) != (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC))
		die("%s: key type does not fit %s", keyfile, alg_names[alg]);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		die("out of memory");
	if (EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), NULL, pk) != 1)
		die("DigestSignInit failed");
	if (alg == ALG_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST)
	    != 1))
		die("PSS setup failed");
	slen = sizeof(sig);
	if (EVP_DigestSign(ctx, sig, &slen, (const unsigned char *)input,
	    strlen(input)) != 1)
		die("DigestSign failed");
	if (alg == ALG_ES256) {
		ecdsa_der_to_jose(sig, slen, jose);
		out = b64url(jose, sizeof(jose));
	} else
		out = b64url(sig, slen);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return out;
}

static int
mint(const char *keyfile, const char *kid, enum alg alg, long ttl,
    const char *claims, const char *raw_claims, const char *header)
{
	json_object	*hdr, *body = NULL, *extra;
	const char	*ptext;
	char		*h64, *p64, *input, *sig;
	size_t		 n;
	time_t		 now = time(NULL);

	if (keyfile == NULL && alg != ALG_NONE)
		die("--key is required for %s", alg_names[alg]);
	hdr = json_object_new_object();
	json_object_object_add(hdr, "alg",
	    json_object_new_string(alg_names[alg]));
	json_object_object_add(hdr, "typ", json_object_new_string("JWT"));
	if (kid != NULL)
		json_object_object_add(hdr, "kid",
		    json_object_new_string(kid));
	if (header != NULL) {
		extra = json_parse_object(header, "--header");
		json_object_object_foreach(extra, k, v) {
			if (v == NULL)
				json_object_object_del(hdr, k);
			else
				json_object_object_add(hdr, k,
				    json_object_get(v));
		}
		json_object_put(extra);
	}

	if (raw_claims != NULL)
		ptext = raw_claims;
	else {
		body = json_parse_object(claims != NULL ? claims : "{}",
		    "--claims");
		if (ttl >= 0) {
			if (!json_object_object_get_ex(body, "iat", NULL))
				json_object_object_add(body, "iat",
				    json_object_new_int64(now));
			if (!json_object_object_get_ex(body, "exp", NULL))
				json_object_object_add(body, "exp",
				    json_object_new_int64(now + ttl));
		}
		ptext = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}

	h64 = b64url((const unsigned char *)json_object_to_json_string_ext(
	    hdr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	    strlen(json_object_to_json_string_ext(hdr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
	p64 = b64url((const unsigned char *)ptext, strlen(ptext));
	n = strlen(h64) + strlen(p64) + 2;
	if ((input = malloc(n)) == NULL)
		die("out of memory");
	if (snprintf(input, n, "%s.%s", h64, p64) >= (int)n)
		die("internal: token truncated");
	sig = sign(alg, keyfile, input);
	printf("%s.%s\n", input, sig);

	free(sig);
	free(input);
	free(h64);
	free(p64);
	json_object_put(hdr);
	json_object_put(body);
	return 0;
}

static void
jwk_add_bn(json_object *jwk, EVP_PKEY *pk, const char *param,
    const char *name, int pad)
{
	BIGNUM	*bn = NULL;
	char	*s;

	if (EVP_PKEY_get_bn_param(pk, param, &bn) != 1)
		die("cannot read key parameter %s", param);
	s = b64url_bn(bn, pad);
	json_object_object_add(jwk, name, json_object_new_string(s));
	free(s);
	BN_free(bn);
}

static json_object *
jwk_make(const char *spec)
{
	json_object	*jwk;
	EVP_PKEY	*pk;
	char		*copy, *file, *kid, *alg;

	if ((copy = strdup(spec)) == NULL)
		die("out of memory");
	file = copy;
	if ((kid = strchr(file, ':')) == NULL)
		die("--jwks %s: want KEYFILE:KID[:ALG]", spec);
	*kid++ = '\0';
	if ((alg = strchr(kid, ':')) != NULL)
		*alg++ = '\0';

	pk = key_load(file);
	jwk = json_object_new_object();
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		json_object_object_add(jwk, "kty",
		    json_object_new_string("RSA"));
		jwk_add_bn(jwk, pk, OSSL_PKEY_PARAM_RSA_N, "n", 0);
		jwk_add_bn(jwk, pk, OSSL_PKEY_PARAM_RSA_E, "e", 0);
		break;
	case EVP_PKEY_EC:
		json_object_object_add(jwk, "kty",
		    json_object_new_string("EC"));
		json_object_object_add(jwk, "crv",
		    json_object_new_string("P-256"));
		jwk_add_bn(jwk, pk, OSSL_PKEY_PARAM_EC_PUB_X, "x",
		    MINT_EC_COORD);
		jwk_add_bn(jwk, pk, OSSL_PKEY_PARAM_EC_PUB_Y, "y",
		    MINT_EC_COORD);
		break;
	default:
		die("%s: only RSA and EC P-256 keys", file);
	}
	json_object_object_add(jwk, "kid", json_object_new_string(kid));
	json_object_object_add(jwk, "use", json_object_new_string("sig"));
	if (alg != NULL && *alg != '\0')
		json_object_object_add(jwk, "alg",
		    json_object_new_string(alg));
	EVP_PKEY_free(pk);
	free(copy);
	return jwk;
}

static int
jwks(int argc, char *argv[], int i)
{
	json_object	*set, *keys;

	set = json_object_new_object();
	keys = json_object_new_array();
	json_object_object_add(set, "keys", keys);
	for (; i < argc; i++)
		json_object_array_add(keys, jwk_make(argv[i]));
	printf("%s\n", json_object_to_json_string_ext(set,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(set);
	return 0;
}

static long
ttl_parse(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		die("--ttl %s: not an integer", s);
	return v;
}

int
main(int argc, char *argv[])
{
	const char	*key = NULL, *kid = NULL, *claims = NULL;
	const char	*raw = NULL, *header = NULL;
	enum alg	 alg = ALG_RS256;
	long		 ttl = -1;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--jwks") == 0)
			return jwks(argc, argv, i + 1);
		if (strcmp(argv[i], "--help") == 0)
			usage();
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--key") == 0)
			key = argv[++i];
		else if (strcmp(argv[i], "--kid") == 0)
			kid = argv[++i];
		else if (strcmp(argv[i], "--alg") == 0)
			alg = alg_parse(argv[++i]);
		else if (strcmp(argv[i], "--claims") == 0)
			claims = argv[++i];
		else if (strcmp(argv[i], "--raw-claims") == 0)
			raw = argv[++i];
		else if (strcmp(argv[i], "--header") == 0)
			header = argv[++i];
		else if (strcmp(argv[i], "--ttl") == 0)
			ttl = ttl_parse(argv[++i]);
		else
			usage();
	}
	if (claims != NULL && raw != NULL)
		die("--claims and --raw-claims exclude each other");
	return mint(key, kid, alg, ttl, claims, raw, header);
}
