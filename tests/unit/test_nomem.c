/*
 * test_nomem: allocation failure paths of lib/.
 *
 * Linked with GNU ld's --wrap for malloc, calloc, realloc, strdup and
 * strndup, so every such call made from libtodo.a's objects (and from
 * this file) lands in __wrap_* below.  Calls made inside shared
 * libraries (json-c, OpenSSL, libcurl, libc itself) are not wrapped and
 * never fail here: this test reaches our own failure paths only.
 *
 * For each function, allocation number n (0, 1, 2, ...) is made to
 * fail, either alone (NOMEM_ONCE) or with every later one
 * (NOMEM_FROM), until a run makes fewer than n + 1 allocations: that
 * run must succeed.  Every run that did hit a failure must return a
 * documented error and leave its outputs as the header says.  Run it
 * under valgrind to see leaks on those paths.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assertion.h"
#include "b64url.h"
#include "buf.h"
#include "conf.h"
#include "cookie.h"
#include "crypto.h"
#include "err.h"
#include "html.h"
#include "jsonp.h"
#include "jwk.h"
#include "jwt.h"
#include "log.h"
#include "oidc.h"
#include "pkce.h"
#include "provider_store.h"
#include "tokencache.h"
#include "url.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NOMEM_N_MAX	1000	/* runaway guard: allocations per call */
#define ERRBIT(e)	(1u << (unsigned)(e))

/* ---- the allocator ------------------------------------------------- */

enum nomem_mode {
	NOMEM_ONCE,	/* only allocation number fail_at fails */
	NOMEM_FROM,	/* it and every later one fail */
	NOMEM__MAX
};

static const char *const nomem_mode_names[NOMEM__MAX] = { "once", "from" };

static bool		 nomem_armed;
static enum nomem_mode	 nomem_mode;
static long		 nomem_fail_at;
static long		 nomem_allocs;		/* made while armed */
static long		 nomem_injected;	/* failures handed out */

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
char	*__real_strdup(const char *);
char	*__real_strndup(const char *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
char	*__wrap_strdup(const char *);
char	*__wrap_strndup(const char *, size_t);

/* Should this allocation fail? */
static bool
nomem_fail(void)
{
	long n;

	if (!nomem_armed)
		return false;
	n = nomem_allocs++;
	if (n == nomem_fail_at ||
	    (nomem_mode == NOMEM_FROM && n > nomem_fail_at)) {
		nomem_injected++;
		errno = ENOMEM;
		return true;
	}
	return false;
}

void *
__wrap_malloc(size_t n)
{
	return nomem_fail() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return nomem_fail() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return nomem_fail() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return nomem_fail() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return nomem_fail() ? NULL : __real_strndup(s, n);
}

/* ---- the driver ---------------------------------------------------- */

/*
 * One function under test.  call() runs armed and keeps its outputs in
 * file-scope variables; check() and clean() run unarmed.
 */
struct nomem_case {
	const char	*name;
	enum err	(*call)(void);
	bool		(*check)(enum err);	/* outputs as the header says */
	void		(*clean)(void);
	enum err	 want;		/* the result with no failure */
	unsigned	 fail_ok;	/* ERRBITs accepted on failure */
};

static void
nomem_case_run(const struct nomem_case *c, enum nomem_mode mode)
{
	const char	*m = nomem_mode_names[mode];
	long		 n, fails = 0;
	enum err	 e;
	bool		 good;

	for (n = 0; n <= NOMEM_N_MAX; n++) {
		nomem_mode = mode;
		nomem_fail_at = n;
		nomem_allocs = nomem_injected = 0;
		nomem_armed = true;
		e = c->call();
		nomem_armed = false;
		if (nomem_injected == 0) {
			/* Fewer than n + 1 allocations: nothing failed. */
			good = e == c->want && c->check(e);
			if (!ok(good, "%s (%s): succeeds with %ld allocations",
			    c->name, m, nomem_allocs))
				tap_diag("got %s, want %s", err_str(e),
				    err_str(c->want));
			c->clean();
			break;
		}
		fails++;
		good = e != c->want && (c->fail_ok & ERRBIT(e)) != 0 &&
		    c->check(e);
		if (!ok(good, "%s (%s): allocation %ld fails cleanly",
		    c->name, m, n))
			tap_diag("got %s", err_str(e));
		else if (e != ERR_NOMEM)
			tap_diag("reported as %s", err_str(e));
		c->clean();
	}
	ok(n <= NOMEM_N_MAX, "%s (%s): finite allocations", c->name, m);
	ok(fails > 0, "%s (%s): %ld failure(s) injected", c->name, m, fails);
}

static void
nomem_run(const struct nomem_case *c)
{
	nomem_case_run(c, NOMEM_ONCE);
	nomem_case_run(c, NOMEM_FROM);
}

/* Is the buffer's text a NUL-terminated prefix of want? */
static bool
buf_prefix_of(const struct buf *b, const char *want, size_t wantlen)
{
	if (b->len > wantlen)
		return false;
	if (b->data == NULL)
		return b->len == 0;
	return b->data[b->len] == '\0' &&
	    memcmp(b->data, want, b->len) == 0;
}

static bool
buf_is(const struct buf *b, const char *want, size_t wantlen)
{
	return b->len == wantlen && b->err == ERR_OK &&
	    buf_prefix_of(b, want, wantlen);
}

/* ---- buf ----------------------------------------------------------- */

#define BUF_CHUNKS	300

static struct buf	 t_buf;
static char		 t_buf_want[BUF_CHUNKS * 10 + 1];
static size_t		 t_buf_wantlen;

static void
buf_chunks_want(void)
{
	size_t	 i, o = 0;
	int	 n;

	for (i = 0; i < BUF_CHUNKS; i++) {
		switch (i % 3) {
		case 0:
			memcpy(t_buf_want + o, "0123456789", 10);
			o += 10;
			break;
		case 1:
			t_buf_want[o++] = 'x';
			break;
		default:
			n = snprintf(t_buf_want + o, sizeof(t_buf_want) - o,
			    "%03zu|", i);
			o += (size_t)n;
			break;
		}
	}
	t_buf_want[o] = '\0';
	t_buf_wantlen = o;
}

static enum err
buf_call(void)
{
	size_t	 i;
	enum err e = ERR_OK;

	buf_init(&t_buf, 0);
	for (i = 0; i < BUF_CHUNKS && e == ERR_OK; i++) {
		switch (i % 3) {
		case 0:
			e = buf_add(&t_buf, "0123456789", 10);
			break;
		case 1:
			e = buf_addc(&t_buf, 'x');
			break;
		default:
			e = buf_addf(&t_buf, "%03zu|", i);
			break;
		}
	}
	return e;
}

static bool
buf_check(enum err e)
{
	if (e == ERR_OK)
		return buf_is(&t_buf, t_buf_want, t_buf_wantlen) &&
		    strcmp(buf_str(&t_buf), t_buf_want) == 0;
	/* What was added before the failure is intact; err sticks. */
	return t_buf.err == e && buf_prefix_of(&t_buf, t_buf_want,
	    t_buf_wantlen) && strlen(buf_str(&t_buf)) == t_buf.len;
}

static void
buf_clean(void)
{
	buf_free(&t_buf);
}

static char	*t_steal;

static enum err
buf_steal_call(void)
{
	buf_init(&t_buf, 0);
	t_steal = buf_steal(&t_buf);
	return t_steal == NULL ? ERR_NOMEM : ERR_OK;
}

static bool
buf_steal_check(enum err e)
{
	if (t_buf.data != NULL || t_buf.len != 0)
		return false;
	return e == ERR_OK ? strcmp(t_steal, "") == 0 : t_steal == NULL;
}

static void
buf_steal_clean(void)
{
	free(t_steal);
	t_steal = NULL;
	buf_free(&t_buf);
}

/* ---- b64url -------------------------------------------------------- */

static unsigned char	 t_raw[300];
static struct buf	 t_b64_want;
static struct buf	 t_b64;

static enum err
b64_encode_call(void)
{
	buf_init(&t_b64, 0);
	return b64url_encode(t_raw, sizeof(t_raw), &t_b64);
}

static bool
b64_encode_check(enum err e)
{
	if (e == ERR_OK)
		return buf_is(&t_b64, t_b64_want.data, t_b64_want.len);
	/* "out then holds a partial result". */
	return t_b64.err == ERR_NOMEM &&
	    buf_prefix_of(&t_b64, t_b64_want.data, t_b64_want.len);
}

static void
b64_encode_clean(void)
{
	buf_free(&t_b64);
}

static unsigned char	*t_dec;
static size_t		 t_declen;

static enum err
b64_decode_call(void)
{
	t_dec = (unsigned char *)"junk";
	t_declen = 99;
	return b64url_decode(t_b64_want.data, t_b64_want.len, &t_dec,
	    &t_declen);
}

static bool
b64_decode_check(enum err e)
{
	if (e == ERR_OK)
		return t_dec != NULL && t_declen == sizeof(t_raw) &&
		    memcmp(t_dec, t_raw, sizeof(t_raw)) == 0 &&
		    t_dec[t_declen] == '\0';
	return t_dec == NULL && t_declen == 0;
}

static void
b64_decode_clean(void)
{
	free(t_dec);
	t_dec = NULL;
}

/* ---- jsonp --------------------------------------------------------- */

/* Well past JSONP_COUNTS_MIN, so the scan's counts grow. */
#define JSON_OBJECTS	40

static struct buf		 t_json_doc;
static struct json_object	*t_json;

static enum err
jsonp_call(void)
{
	t_json = (struct json_object *)&t_json;	/* must become NULL */
	return jsonp_parse(t_json_doc.data, t_json_doc.len, JSONP_DEPTH_MAX,
	    &t_json);
}

static bool
jsonp_check(enum err e)
{
	struct json_object *a;

	if (e != ERR_OK)
		return t_json == NULL;
	return json_object_is_type(t_json, json_type_object) &&
	    json_object_object_get_ex(t_json, "a", &a) &&
	    json_object_array_length(a) == JSON_OBJECTS;
}

static void
jsonp_clean(void)
{
	json_object_put(t_json);
	t_json = NULL;
}

/* ---- jwk, jwt ------------------------------------------------------ */

/* tests/fuzz/corpus/json/jwks, the RSA signing key alone. */
#define JWKS_ONE							\
	"{\"keys\": [{\"alg\": \"RS256\", \"use\": \"sig\", \"n\": "	\
	"\"kqGboBfAWttWPCA-0cGRgsY6SaYoIARt0B_PkaEcIq9HPYNdu9n6UuWHuuTH" \
	"rjF_ZoQW97r5HaAorNvrMEGTGdxCHZdEtkHvNVVmrtxTBLiQCbCozXhFoIrVcr" \
	"3qUBrdGnNn_M3jJi7Wg7p_-x62nS5gNG875oyheRkutHsQXikFZwsN3q_TsPNO" \
	"VlCiHy8mxzaFTUQGm-X8UYexFyAivlDSjgDJLAZSWfxd7k9Gxuwa3AUfQqQcVc" \
	"egmgKGCaErQ3qQbh1x7WB6iopE3_-GZ8HMAVtR9AmrVscqYsnjhaCehfAI0iKK" \
	"s8zXr8tISc0ORbaalrkk03H1ZrsEnDKEWQ\", \"e\": \"AQAB\", "	\
	"\"kid\": \"kid-rsa-sign\", \"kty\": \"RSA\"}]}"

/* The same with an EC key before it and a second RSA key after it. */
#define JWKS_THREE							\
	"{\"keys\": [{\"alg\": \"ES256\", \"use\": \"sig\", \"x\": "	\
	"\"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY\", \"y\": "	\
	"\"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw\", \"crv\": "	\
	"\"P-256\", \"kid\": \"kid-ec-sign\", \"kty\": \"EC\"}, "	\
	"{\"alg\": \"RS256\", \"use\": \"sig\", \"n\": "		\
	"\"kqGboBfAWttWPCA-0cGRgsY6SaYoIARt0B_PkaEcIq9HPYNdu9n6UuWHuuTH" \
	"rjF_ZoQW97r5HaAorNvrMEGTGdxCHZdEtkHvNVVmrtxTBLiQCbCozXhFoIrVcr" \
	"3qUBrdGnNn_M3jJi7Wg7p_-x62nS5gNG875oyheRkutHsQXikFZwsN3q_TsPNO" \
	"VlCiHy8mxzaFTUQGm-X8UYexFyAivlDSjgDJLAZSWfxd7k9Gxuwa3AUfQqQcVc" \
	"egmgKGCaErQ3qQbh1x7WB6iopE3_-GZ8HMAVtR9AmrVscqYsnjhaCehfAI0iKK" \
	"s8zXr8tISc0ORbaalrkk03H1ZrsEnDKEWQ\", \"e\": \"AQAB\", "	\
	"\"kid\": \"kid-rsa-sign\", \"kty\": \"RSA\"}, "		\
	"{\"kty\": \"RSA\", \"alg\": \"RS256\", \"n\": "		\
	"\"orRRoH0KpfluRVZxUTVQUUqKW0YuvvcXCU-h_ugiJOY3-XRtP3yv0xh42AMl" \
	"tu9aFwD2WQO0aUKeidbqyIRQl7WrOTGJ25JRLtincRoSU_rNIPecFegkfz0-Qu" \
	"RuSMmOJUov6XZTE6A-_48X4aApOXofomqNzib0kO2BKZYV2YFMItphBCjgnH2W" \
	"WFlCZvXAIdD87KCNlFoSvoLeTR7Oa0wDFFtdNJXU7VQR64eNrwX9evw-Ca2g8R" \
	"JkIvWQl1oZaYFvSGmLy7obTZyuedRg2Pn4Xnl1AF2bwixOWsD3waRdElaaYoB9" \
	"O5oC5aUw53MGb0U9H1tMLpz3ggKD90K51Q\", \"e\": \"AQAB\", "	\
	"\"kid\": \"RS256_2048\"}]}"

/* tests/fuzz/corpus/jws/rs256_valid, signed by kid-rsa-sign. */
#define JWT_RS256							\
	"eyJhbGciOiJSUzI1NiIsImtpZCI6ImtpZC1yc2Etc2lnbiIsInR5cCI6IkpXVC" \
	"J9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLyIsImF1ZCI6ImFwaTo" \
	"vL3RvZG8iLCJzdWIiOiJ1MSIsImV4cCI6MTcwMDAwMzYwMCwibmJmIjoxNjk5O" \
	"Tk5MDAwLCJpYXQiOjE2OTk5OTkwMDAsIm5vbmNlIjoibjAiLCJzY3AiOiJyZWF" \
	"kIHdyaXRlIn0.Jr2qfCdNKSY8RbxBvyYi-ec-Db0L_Kg8uVn9rkSE2MhlB1ETC" \
	"qFTP9OvLne_sSGs0vWRTb4td-E3Wxp6B_SkY0xfA1ndF7cD587H_X-HYWUrc5S" \
	"MqAYvQ9FABj-W_Ia0JLQM_96cjdt16F6IcJ8PvDzWp2j8cqH2_Ufy05Y0Pu80S" \
	"BZi3Wc3y5SFk2Vg9UBC3pNB4eLRzpVxjbj0FjA4Carytaa1UQxEoORvrIGdfd1" \
	"VckLFQNWzQIovPeuZ2b1suUfHDvclJXxCMumAqX-r42biXdFZBWV7e7IJjlUTd" \
	"I8eb5VKM_s2W2DAAWDhxdRutUqCvTqYl-8jTAjPchY_PQ"

static struct jwkset	*t_set, *t_keys;	/* t_keys: parsed unarmed */
static const char	*t_jwks;
static size_t		 t_jwks_n;

static enum err
jwkset_call(void)
{
	t_set = (struct jwkset *)&t_set;	/* must become NULL on error */
	return jwkset_parse(t_jwks, strlen(t_jwks), &t_set);
}

static bool
jwkset_check(enum err e)
{
	const struct jwk *k;

	if (e != ERR_OK)
		return t_set == NULL;
	k = jwkset_find(t_set, "kid-rsa-sign", JWK_ALG_RS256);
	return jwkset_size(t_set) == t_jwks_n && k != NULL &&
	    strcmp(jwk_kid(k), "kid-rsa-sign") == 0;
}

static void
jwkset_clean(void)
{
	jwkset_free(t_set);
	t_set = NULL;
}

static struct jwt	*t_jwt;

static enum err
jwt_call(void)
{
	t_jwt = (struct jwt *)&t_jwt;
	return jwt_parse(JWT_RS256, strlen(JWT_RS256), &t_jwt);
}

static bool
jwt_check_out(enum err e)
{
	const char *sub;

	if (e != ERR_OK)
		return t_jwt == NULL;
	sub = jwt_claim_str(t_jwt, "sub");
	return jwt_kid(t_jwt) != NULL &&
	    strcmp(jwt_kid(t_jwt), "kid-rsa-sign") == 0 &&
	    sub != NULL && strcmp(sub, "u1") == 0 &&
	    jwt_verify_set(t_jwt, t_keys) == ERR_OK;
}

static void
jwt_clean(void)
{
	jwt_free(t_jwt);
	t_jwt = NULL;
}

/* ---- url ----------------------------------------------------------- */

#define FORM	"code=abc%2Fdef&state=xyz&&flag&sp=a+b&d=x%0D%0Ay"

static struct url_params	 t_params;

static enum err
params_call(void)
{
	return url_params_parse(FORM, strlen(FORM), true, &t_params);
}

static bool
params_check(enum err e)
{
	const char *v;

	if (e != ERR_OK)
		return t_params.v == NULL && t_params.n == 0;
	return t_params.n == 5 &&
	    (v = url_params_get(&t_params, "code")) != NULL &&
	    strcmp(v, "abc/def") == 0 &&
	    (v = url_params_get(&t_params, "flag")) != NULL &&
	    strcmp(v, "") == 0 &&
	    (v = url_params_get(&t_params, "sp")) != NULL &&
	    strcmp(v, "a b") == 0 &&
	    (v = url_params_get(&t_params, "d")) != NULL &&
	    strcmp(v, "x\r\ny") == 0;
}

static void
params_clean(void)
{
	url_params_free(&t_params);
}

/* The char ** output of several cases. */
static char	*t_str;

static void
str_clean(void)
{
	free(t_str);
	t_str = NULL;
}

static bool
str_check(enum err e, const char *want)
{
	if (e != ERR_OK)
		return t_str == NULL;
	return t_str != NULL && strcmp(t_str, want) == 0;
}

static enum err
decode_call(void)
{
	t_str = (char *)"junk";
	return url_decode("a%20b+c%C3%A9", strlen("a%20b+c%C3%A9"), true,
	    &t_str);
}

static bool
decode_check(enum err e)
{
	return str_check(e, "a b c\xc3\xa9");
}

/* ---- cookie -------------------------------------------------------- */

static enum err
cookie_get_call(void)
{
	t_str = (char *)"junk";
	return cookie_get("a=1; sid = \"abc-DEF_123\" ;b=2", "sid", &t_str);
}

static bool
cookie_get_check(enum err e)
{
	return str_check(e, "abc-DEF_123");
}

/* Already in out before the call. */
#define COOKIE_OUT	"Set-Cookie: "

static struct buf	 t_cookie;
static char		 t_cookie_val[201];
static char		 t_cookie_want[512];
static const char	*t_cookie_data;	/* out->data before the call */

static enum err
cookie_set_call(void)
{
	static const struct cookie_attrs attrs = { "/app", 3600, true, true,
	    COOKIE_SAMESITE_STRICT };

	return cookie_set(&t_cookie, "__Secure-sid", t_cookie_val, &attrs);
}

static bool
cookie_set_check(enum err e)
{
	size_t want = strlen(t_cookie_want);

	if (e == ERR_OK)
		return buf_is(&t_cookie, t_cookie_want, want);
	/* "On error out is left as it was." */
	return t_cookie.data == t_cookie_data &&
	    t_cookie.len == strlen(COOKIE_OUT) &&
	    strcmp(t_cookie.data, COOKIE_OUT) == 0;
}

static void
cookie_set_clean(void)
{
	buf_free(&t_cookie);
	buf_init(&t_cookie, 0);
	buf_adds(&t_cookie, COOKIE_OUT);	/* unarmed: cannot fail */
	t_cookie_data = t_cookie.data;
}

/* ---- html ---------------------------------------------------------- */

/* Entities, a control byte, UTF-8, a C1 control and a stray byte. */
#define HTML_CHUNK	"<a href=\"x\">&'\x01" "caf\xc3\xa9 \xc2\x85\xff|"

static char		 t_html_in[2048];
static struct buf	 t_html_want, t_html;

static enum err
html_call(void)
{
	buf_init(&t_html, 0);
	return html_escape(&t_html, t_html_in);
}

/* Every '&' in the text starts a whole entity. */
static bool
html_whole_entities(const struct buf *b)
{
	const char *p, *s = buf_str(b);

	for (p = s; (p = strchr(p, '&')) != NULL; p++)
		if (strchr(p, ';') == NULL)
			return false;
	return true;
}

static bool
html_check(enum err e)
{
	if (e == ERR_OK)
		return buf_is(&t_html, t_html_want.data, t_html_want.len);
	/* "out then holds a prefix of the escaped text (whole entities)". */
	return t_html.err == ERR_NOMEM &&
	    buf_prefix_of(&t_html, t_html_want.data, t_html_want.len) &&
	    html_whole_entities(&t_html);
}

static void
html_clean(void)
{
	buf_free(&t_html);
}

/* ---- crypto, pkce -------------------------------------------------- */

static const unsigned char t_key[CRYPTO_KEY_LEN] =
    "0123456789abcdef0123456789abcde";
static const char	 t_pt[] = "the token cache, at rest";
static unsigned char	*t_sealed, *t_opened;
static size_t		 t_sealedlen, t_openedlen;
static unsigned char	*t_box;		/* sealed unarmed */
static size_t		 t_boxlen;

static enum err
token_call(void)
{
	t_str = (char *)"junk";
	return crypto_token(32, &t_str);
}

static bool
token_check(enum err e)
{
	if (e != ERR_OK)
		return t_str == NULL;
	return t_str != NULL && strlen(t_str) == 43 &&
	    strspn(t_str, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == 43;
}

static enum err
seal_call(void)
{
	t_sealed = (unsigned char *)"junk";
	t_sealedlen = 99;
	return crypto_seal(t_key, "aad", 3, t_pt, sizeof(t_pt), &t_sealed,
	    &t_sealedlen);
}

static bool
seal_check(enum err e)
{
	unsigned char	*pt = NULL;
	size_t		 ptlen = 0;
	bool		 good;

	if (e != ERR_OK)
		return t_sealed == NULL && t_sealedlen == 0;
	if (t_sealedlen != CRYPTO_IV_LEN + sizeof(t_pt) + CRYPTO_TAG_LEN)
		return false;
	good = crypto_open(t_key, "aad", 3, t_sealed, t_sealedlen, &pt,
	    &ptlen) == ERR_OK && ptlen == sizeof(t_pt) &&
	    memcmp(pt, t_pt, ptlen) == 0;
	crypto_free_secret(pt, ptlen);
	return good;
}

static void
seal_clean(void)
{
	free(t_sealed);
	t_sealed = NULL;
}

static enum err
open_call(void)
{
	t_opened = (unsigned char *)"junk";
	t_openedlen = 99;
	return crypto_open(t_key, "aad", 3, t_box, t_boxlen, &t_opened,
	    &t_openedlen);
}

static bool
open_check(enum err e)
{
	if (e != ERR_OK)
		return t_opened == NULL && t_openedlen == 0;
	return t_openedlen == sizeof(t_pt) &&
	    memcmp(t_opened, t_pt, sizeof(t_pt)) == 0 &&
	    t_opened[t_openedlen] == '\0';
}

static void
open_clean(void)
{
	crypto_free_secret(t_opened, t_openedlen);
	t_opened = NULL;
}

static enum err
sha256_hex_call(void)
{
	t_str = (char *)"junk";
	return crypto_sha256_hex("abc", &t_str);
}

static bool
sha256_hex_check(enum err e)
{
	return str_check(e, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static enum err
verifier_call(void)
{
	t_str = (char *)"junk";
	return pkce_verifier_new(&t_str);
}

static bool
verifier_check(enum err e)
{
	if (e != ERR_OK)
		return t_str == NULL;
	return pkce_verifier_ok(t_str) && strlen(t_str) == 43;
}

static enum err
challenge_call(void)
{
	t_str = (char *)"junk";
	/* RFC 7636 appendix B. */
	return pkce_challenge_s256(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &t_str);
}

static bool
challenge_check(enum err e)
{
	return str_check(e, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

/* ---- oidc ---------------------------------------------------------- */

#define AUTHZ_ENDPOINT	"https://tenant.b2clogin.example/tenant." \
			"onmicrosoft.com/oauth2/v2.0/authorize" \
			"?p=B2C_1_signin"

static const struct oidc_authz t_authz = {
	"00000000-0000-0000-0000-000000000001",
	"https://app.example/auth/callback",
	"openid offline_access https://tenant.onmicrosoft.com/api/tasks.read",
	"state-0123456789abcdef0123456789abcdef0123456789",
	"nonce-0123456789abcdef0123456789abcdef0123456789",
	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
	"form_post",
	"https://api.example/",
	"login",
	"fr-CA de",
};
static struct buf	 t_url_want, t_url;

static enum err
authz_call(void)
{
	buf_init(&t_url, 0);
	return oidc_authorize_url(AUTHZ_ENDPOINT, &t_authz, &t_url);
}

static bool
authz_check(enum err e)
{
	if (e == ERR_OK)
		return buf_is(&t_url, t_url_want.data, t_url_want.len);
	return t_url.err == ERR_NOMEM &&
	    buf_prefix_of(&t_url, t_url_want.data, t_url_want.len);
}

static void
authz_clean(void)
{
	buf_free(&t_url);
}

#define TOKENS_OK							\
	"{\"token_type\":\"Bearer\",\"access_token\":\"at-1\","		\
	"\"refresh_token\":\"rt-2\",\"id_token\":\"it-3\","		\
	"\"expires_in\":3600,\"scope\":\"openid\"}"
#define TOKENS_ERR							\
	"{\"error\":\"invalid_grant\",\"error_description\":"		\
	"\"AADB2C90080: The provided grant has expired.\\r\\n"		\
	"Correlation ID: 0f1e2d3c-4b5a\"}"

static struct oidc_tokens	 t_tok;

static bool
tokens_none(void)
{
	return t_tok.access_token == NULL && t_tok.refresh_token == NULL &&
	    t_tok.id_token == NULL;
}

static enum err
tokens_ok_call(void)
{
	return oidc_tokens_parse(200, TOKENS_OK, strlen(TOKENS_OK), &t_tok);
}

static bool
tokens_ok_check(enum err e)
{
	if (e != ERR_OK)
		return tokens_none();
	return t_tok.access_token != NULL && t_tok.refresh_token != NULL &&
	    t_tok.id_token != NULL &&
	    strcmp(t_tok.access_token, "at-1") == 0 &&
	    strcmp(t_tok.refresh_token, "rt-2") == 0 &&
	    strcmp(t_tok.id_token, "it-3") == 0 &&
	    t_tok.expires_in == 3600 && t_tok.error == NULL;
}

#define PAR_OK "{\"expires_in\":60,\"request_uri\":\"urn:ietf:params:oauth:" \
	"request_uri:abc\"}"

static enum err
par_call(void)
{
	t_str = (char *)"junk";
	return oidc_par_parse(201, PAR_OK, strlen(PAR_OK), &t_str);
}

static bool
par_check(enum err e)
{
	return str_check(e, "urn:ietf:params:oauth:request_uri:abc");
}

static enum err
tokens_err_call(void)
{
	return oidc_tokens_parse(400, TOKENS_ERR, strlen(TOKENS_ERR), &t_tok);
}

static bool
tokens_err_check(enum err e)
{
	if (e != ERR_AUTH)
		return tokens_none();
	return tokens_none() && t_tok.error != NULL &&
	    strcmp(t_tok.error, "invalid_grant") == 0 &&
	    t_tok.error_description != NULL &&
	    oidc_b2c_code(t_tok.error_description) == OIDC_B2C_NONE;
}

static void
tokens_clean(void)
{
	oidc_tokens_free(&t_tok);
}

static enum err
correlation_call(void)
{
	t_str = oidc_b2c_correlation("AADB2C90091: cancelled\r\n"
	    "Correlation ID: 0f1e2d3c-4b5a\r\nTimestamp: 2024-01-01");
	return t_str == NULL ? ERR_NOMEM : ERR_OK;
}

static bool
correlation_check(enum err e)
{
	return str_check(e, "0f1e2d3c-4b5a");
}

/* ---- conf ---------------------------------------------------------- */

#define CONF_PREFIX	"TNOMEM_"

struct cfg {
	char	*name;
	char	*greeting;
	long	 port;
	bool	 debug;
	char	*secret;
	char	*opt;
};

static const struct conf_key t_conf_keys[] = {
	{ "name", CONF_STR, offsetof(struct cfg, name), NULL, true,
	    0, 0, false },
	{ "greeting", CONF_STR, offsetof(struct cfg, greeting), "hello",
	    false, 0, 0, false },
	{ "port", CONF_INT, offsetof(struct cfg, port), "8080", false,
	    1, 65535, false },
	{ "debug", CONF_BOOL, offsetof(struct cfg, debug), "off", false,
	    0, 0, false },
	{ "secret", CONF_FILE, offsetof(struct cfg, secret), NULL, true,
	    0, 0, true },
	{ "opt", CONF_STR, offsetof(struct cfg, opt), NULL, false,
	    0, 0, false },
};
static char		 t_conf_path[256], t_secret_path[256];
static char		 t_conf_err[CONF_ERR_MAX];
static struct cfg	 t_cfg;

static enum err
conf_call(void)
{
	memset(&t_cfg, 0, sizeof(t_cfg));
	memset(t_conf_err, 'x', sizeof(t_conf_err) - 1);
	t_conf_err[sizeof(t_conf_err) - 1] = '\0';
	return conf_load(t_conf_path, CONF_PREFIX, t_conf_keys,
	    NELEM(t_conf_keys), &t_cfg, t_conf_err, sizeof(t_conf_err));
}

static bool
conf_check(enum err e)
{
	if (e != ERR_OK) {
		/* "On error, errbuf holds a message". */
		if (t_conf_err[0] == '\0')
			tap_diag("conf_load: %s with an empty message",
			    err_str(e));
		return t_conf_err[0] != '\0';
	}
	return t_cfg.name != NULL && strcmp(t_cfg.name, "todo") == 0 &&
	    t_cfg.greeting != NULL && strcmp(t_cfg.greeting, "hi there") == 0 &&
	    t_cfg.port == 8443 && t_cfg.debug &&
	    t_cfg.secret != NULL && strcmp(t_cfg.secret, "s3cret") == 0 &&
	    t_cfg.opt != NULL && strcmp(t_cfg.opt, "from-env") == 0;
}

static void
conf_clean(void)
{
	/* Whatever was stored before a failure is the caller's to free. */
	conf_free(t_conf_keys, NELEM(t_conf_keys), &t_cfg);
}

/* Write text to a fresh temporary file named into path. */
static bool
conf_tmpfile(const char *text, char *path, size_t pathlen)
{
	const char	*dir = getenv("TMPDIR");
	FILE		*f;
	int		 fd, n;
	bool		 good;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	n = snprintf(path, pathlen, "%s/test_nomem.XXXXXX", dir);
	if (n < 0 || (size_t)n >= pathlen || (fd = mkstemp(path)) == -1)
		return false;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return false;
	}
	good = fputs(text, f) != EOF;
	if (fclose(f) != 0 || !good) {
		unlink(path);
		return false;
	}
	return true;
}

/* ---- tokencache ---------------------------------------------------- */

static struct tokencache	*t_cache;

static enum err
cache_call(void)
{
	t_cache = (struct tokencache *)&t_cache;
	return tokencache_new(&t_cache);
}

static bool
cache_check(enum err e)
{
	const struct tokencache_entry *te;

	if (e != ERR_OK)
		return t_cache == NULL;
	if (t_cache == NULL ||
	    !tokencache_put(t_cache, "tok", 3, "iss", "sub", 1, 2000, 1000))
		return false;
	te = tokencache_get(t_cache, "tok", 3, 1001);
	return te != NULL && strcmp(te->sub, "sub") == 0;
}

static void
cache_clean(void)
{
	tokencache_free(t_cache);
	t_cache = NULL;
}

/* ---- provider_store ------------------------------------------------ */

static struct provider_store	*t_store;

static enum err
store_call(void)
{
	t_store = (struct provider_store *)&t_store;
	return provider_store_new("host=/nonexistent", "api", &t_store);
}

static bool
store_check(enum err e)
{
	return (e == ERR_OK) == (t_store != NULL);
}

static void
store_clean(void)
{
	provider_store_free(t_store);
	t_store = NULL;
}

/* ---- assertion (issue 16) --------------------------------------------- */

static struct assertion	*t_assertion;	/* what load made */
static struct assertion	*t_assertion_key;	/* loaded unarmed, for make */

/* srcdir/tests/keys/name into path. */
static const char *
assertion_path(char *path, size_t len, const char *name)
{
	const char *d = getenv("srcdir");

	snprintf(path, len, "%s/tests/keys/%s", d != NULL && *d ? d : ".",
	    name);
	return path;
}

static enum err
assertion_load_call(void)
{
	char	 k[1024], c[1024];
	const char *why;

	t_assertion = (struct assertion *)&t_assertion;
	return assertion_load(assertion_path(k, sizeof(k),
	    "test-only-client-assertion.key"), assertion_path(c, sizeof(c),
	    "test-only-client-assertion.crt"), &t_assertion, &why);
}

static bool
assertion_load_check(enum err e)
{
	if (e != ERR_OK)
		return t_assertion == NULL;
	return t_assertion != NULL &&
	    strlen(assertion_thumbprint(t_assertion)) == CRYPTO_SHA256_B64_LEN;
}

static void
assertion_load_clean(void)
{
	assertion_free(t_assertion);
	t_assertion = NULL;
}

static enum err
assertion_make_call(void)
{
	t_str = (char *)"junk";
	return t_assertion_key == NULL ? ERR_SYSTEM :
	    assertion_make(t_assertion_key, JWK_ALG_PS256, "client",
	    "https://login.example/token", 1700000000, &t_str);
}

static bool
assertion_make_check(enum err e)
{
	if (e != ERR_OK)
		return t_str == NULL;
	return t_str != NULL && strncmp(t_str, "eyJ", 3) == 0 &&
	    strchr(t_str, '.') != NULL;
}

/* ---- setup --------------------------------------------------------- */

#define NOMEM	ERRBIT(ERR_NOMEM)

static const struct nomem_case cases[] = {
	{ "buf_add/addc/addf growth", buf_call, buf_check, buf_clean,
	    ERR_OK, NOMEM },
	{ "buf_steal (empty)", buf_steal_call, buf_steal_check,
	    buf_steal_clean, ERR_OK, NOMEM },
	{ "b64url_encode", b64_encode_call, b64_encode_check,
	    b64_encode_clean, ERR_OK, NOMEM },
	{ "b64url_decode", b64_decode_call, b64_decode_check,
	    b64_decode_clean, ERR_OK, NOMEM },
	{ "jsonp_parse", jsonp_call, jsonp_check, jsonp_clean,
	    ERR_OK, NOMEM },
	{ "url_params_parse", params_call, params_check, params_clean,
	    ERR_OK, NOMEM },
	{ "url_decode", decode_call, decode_check, str_clean,
	    ERR_OK, NOMEM },
	{ "cookie_get", cookie_get_call, cookie_get_check, str_clean,
	    ERR_OK, NOMEM },
	{ "cookie_set", cookie_set_call, cookie_set_check, cookie_set_clean,
	    ERR_OK, NOMEM },
	{ "html_escape", html_call, html_check, html_clean,
	    ERR_OK, NOMEM },
	{ "crypto_token", token_call, token_check, str_clean,
	    ERR_OK, NOMEM },
	{ "crypto_sha256_hex", sha256_hex_call, sha256_hex_check, str_clean,
	    ERR_OK, NOMEM },
	{ "crypto_seal", seal_call, seal_check, seal_clean,
	    ERR_OK, NOMEM },
	{ "crypto_open", open_call, open_check, open_clean,
	    ERR_OK, NOMEM },
	{ "pkce_verifier_new", verifier_call, verifier_check, str_clean,
	    ERR_OK, NOMEM },
	{ "pkce_challenge_s256", challenge_call, challenge_check, str_clean,
	    ERR_OK, NOMEM },
	{ "oidc_authorize_url", authz_call, authz_check, authz_clean,
	    ERR_OK, NOMEM },
	{ "oidc_tokens_parse (200)", tokens_ok_call, tokens_ok_check,
	    tokens_clean, ERR_OK, NOMEM },
	{ "oidc_tokens_parse (400)", tokens_err_call, tokens_err_check,
	    tokens_clean, ERR_AUTH, NOMEM },
	{ "oidc_par_parse", par_call, par_check, str_clean, ERR_OK, NOMEM },
	{ "oidc_b2c_correlation", correlation_call, correlation_check,
	    str_clean, ERR_OK, NOMEM },
	{ "tokencache_new", cache_call, cache_check, cache_clean,
	    ERR_OK, NOMEM },
	{ "provider_store_new", store_call, store_check, store_clean,
	    ERR_OK, NOMEM },
	{ "assertion_load", assertion_load_call, assertion_load_check,
	    assertion_load_clean, ERR_OK, NOMEM },
};

/* With the key main() loaded, unarmed. */
static const struct nomem_case assertion_make_case = {
    "assertion_make", assertion_make_call, assertion_make_check, str_clean,
    ERR_OK, NOMEM };
static const struct nomem_case jwkset_one_case = {
    "jwkset_parse (one RSA key)", jwkset_call, jwkset_check, jwkset_clean,
    ERR_OK, NOMEM };
static const struct nomem_case jwkset_three_case = {
    "jwkset_parse (EC and two RSA keys)", jwkset_call, jwkset_check,
    jwkset_clean, ERR_OK, NOMEM };
static const struct nomem_case jwt_case = { "jwt_parse",
    jwt_call, jwt_check_out, jwt_clean, ERR_OK, NOMEM };
static const struct nomem_case conf_case = { "conf_load",
    conf_call, conf_check, conf_clean, ERR_OK, NOMEM };

/* Reference outputs and inputs, built unarmed. */
static bool
setup(void)
{
	char	 text[512];
	size_t	 i;
	int	 n;

	buf_chunks_want();
	for (i = 0; i < sizeof(t_raw); i++)
		t_raw[i] = (unsigned char)(i * 7 + 3);
	buf_init(&t_b64_want, 0);
	if (b64url_encode(t_raw, sizeof(t_raw), &t_b64_want) != ERR_OK)
		return false;

	buf_init(&t_json_doc, 0);
	buf_adds(&t_json_doc, "{\"a\":[");
	for (i = 0; i < JSON_OBJECTS; i++)
		buf_addf(&t_json_doc, "%s{\"k%zu\":%zu,\"s\":\"caf\xc3\xa9\"}",
		    i ? "," : "", i, i);
	buf_adds(&t_json_doc, "],\"b\":{\"c\":{\"d\":[null,true,1.5]}}}");
	if (t_json_doc.err != ERR_OK)
		return false;

	memset(t_cookie_val, 'v', sizeof(t_cookie_val) - 1);
	n = snprintf(t_cookie_want, sizeof(t_cookie_want), "%s__Secure-sid=%s;"
	    " Path=/app; Max-Age=3600; Secure; HttpOnly; SameSite=Strict",
	    COOKIE_OUT, t_cookie_val);
	if (n < 0 || (size_t)n >= sizeof(t_cookie_want))
		return false;
	cookie_set_clean();

	for (i = 0; i + sizeof(HTML_CHUNK) <= sizeof(t_html_in);
	    i += sizeof(HTML_CHUNK) - 1)
		memcpy(t_html_in + i, HTML_CHUNK, sizeof(HTML_CHUNK));
	buf_init(&t_html_want, 0);
	if (html_escape(&t_html_want, t_html_in) != ERR_OK)
		return false;

	buf_init(&t_url_want, 0);
	if (oidc_authorize_url(AUTHZ_ENDPOINT, &t_authz, &t_url_want) !=
	    ERR_OK)
		return false;

	if (crypto_seal(t_key, "aad", 3, t_pt, sizeof(t_pt), &t_box,
	    &t_boxlen) != ERR_OK)
		return false;

	if (jwkset_parse(JWKS_ONE, strlen(JWKS_ONE), &t_keys) != ERR_OK)
		return false;

	if (!conf_tmpfile("s3cret\n", t_secret_path, sizeof(t_secret_path)))
		return false;
	n = snprintf(text, sizeof(text), "# test_nomem\nname = todo\n"
	    "greeting = hi there\nport = 8443\ndebug = yes\n"
	    "secret = %s\n", t_secret_path);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    !conf_tmpfile(text, t_conf_path, sizeof(t_conf_path)))
		return false;
	if (setenv(CONF_PREFIX "OPT", "from-env", 1) == -1)
		return false;
	return true;
}

static void
teardown(void)
{
	buf_free(&t_b64_want);
	buf_free(&t_json_doc);
	buf_free(&t_cookie);
	buf_free(&t_html_want);
	buf_free(&t_url_want);
	free(t_box);
	jwkset_free(t_keys);
	if (t_conf_path[0] != '\0')
		unlink(t_conf_path);
	if (t_secret_path[0] != '\0')
		unlink(t_secret_path);
}

int
main(void)
{
	size_t i;

	log_init("test_nomem", LOG_LEVEL_ERR);
	if (!ok(setup(), "setup")) {
		teardown();
		return tap_done();
	}

	/* The wrapper is in place: a failure reaches lib/. */
	nomem_mode = NOMEM_ONCE;
	nomem_fail_at = 0;
	nomem_allocs = nomem_injected = 0;
	nomem_armed = true;
	t_str = (char *)"junk";
	i = url_decode("x", 1, false, &t_str) == ERR_NOMEM;
	nomem_armed = false;
	if (!ok(i && nomem_injected == 1 && t_str == NULL,
	    "--wrap reaches libtodo.a"))
		tap_diag("link with -Wl,--wrap=malloc,... after libtodo.a");
	str_clean();

	for (i = 0; i < NELEM(cases); i++)
		nomem_run(&cases[i]);

	t_jwks = JWKS_ONE;
	t_jwks_n = 1;
	nomem_run(&jwkset_one_case);
	t_jwks = JWKS_THREE;
	t_jwks_n = 3;
	nomem_run(&jwkset_three_case);
	nomem_run(&jwt_case);
	nomem_run(&conf_case);
	if (assertion_load_call() == ERR_OK) {
		t_assertion_key = t_assertion;
		t_assertion = NULL;
	}
	nomem_run(&assertion_make_case);
	assertion_free(t_assertion_key);

	teardown();
	return tap_done();
}
