#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "b64url.h"
#include "crypto.h"
#include "hex.h"
#include "log.h"

static const char hexdigits[] = "0123456789abcdef";

enum err
crypto_random(void *out, size_t len)
{
	if (len == 0)
		return ERR_OK;
	if (len > INT_MAX)
		return ERR_INPUT;
	if (RAND_bytes(out, (int)len) != 1) {
		log_err("RAND_bytes failed");
		return ERR_SYSTEM;
	}
	return ERR_OK;
}

enum err
crypto_token(size_t nbytes, char **out)
{
	unsigned char	 raw[CRYPTO_TOKEN_MAX];
	enum err	 e;

	*out = NULL;
	if (nbytes == 0 || nbytes > sizeof(raw))
		return ERR_INPUT;
	if ((e = crypto_random(raw, nbytes)) != ERR_OK)
		goto out;
	e = b64url_encode_str(raw, nbytes, out);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return e;
}

void
crypto_sha256(const void *in, size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	SHA256(in, len, out);
}

enum err
crypto_sha256_b64url(const char *in, char **out)
{
	unsigned char md[CRYPTO_SHA256_LEN];

	*out = NULL;
	if (in == NULL)
		return ERR_INPUT;
	crypto_sha256(in, strlen(in), md);
	return b64url_encode_str(md, sizeof(md), out);
}

enum err
crypto_sha256_hex(const char *in, char **out)
{
	unsigned char	 md[CRYPTO_SHA256_LEN];
	char		*s;
	size_t		 i;

	*out = NULL;
	if (in == NULL)
		return ERR_INPUT;
	if ((s = malloc(CRYPTO_SHA256_HEX_LEN + 1)) == NULL)
		return ERR_NOMEM;
	crypto_sha256(in, strlen(in), md);
	for (i = 0; i < sizeof(md); i++) {
		s[2 * i] = hexdigits[md[i] >> 4];
		s[2 * i + 1] = hexdigits[md[i] & 0x0f];
	}
	s[CRYPTO_SHA256_HEX_LEN] = '\0';
	*out = s;
	return ERR_OK;
}

enum err
crypto_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	static const unsigned char	 empty[1];
	unsigned int			 olen = 0;

	if (klen > INT_MAX)
		return ERR_INPUT;
	/* OpenSSL treats a NULL key as "reuse"; give it a real pointer. */
	if (key == NULL || klen == 0)
		key = empty;
	if (msg == NULL)
		msg = empty;
	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &olen) ==
	    NULL || olen != CRYPTO_SHA256_LEN) {
		log_err("HMAC failed");
		return ERR_SYSTEM;
	}
	return ERR_OK;
}

bool
crypto_equal(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	uint64_t wx, wy, d = 0;
	size_t	 i;

	/*
	 * Constant time like CRYPTO_memcmp (no branch on the data), eight
	 * bytes at a time: the API compares whole bearer tokens with it on
	 * every request (CRYPTO_memcmp: 7k instructions for 700 bytes).
	 */
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&wx, x + i, 8);
		memcpy(&wy, y + i, 8);
		d |= wx ^ wy;
	}
	for (; i < len; i++)
		d |= (uint64_t)(x[i] ^ y[i]);
	return d == 0;
}

bool
crypto_streq(const char *a, const char *b)
{
	size_t		 la, lb, n, i;
	unsigned char	 diff = 0, ca, cb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	n = la > lb ? la : lb;
	for (i = 0; i < n; i++) {
		/* Read within bounds; a short string reads as NULs. */
		ca = (unsigned char)a[i < la ? i : la];
		cb = (unsigned char)b[i < lb ? i : lb];
		diff |= ca ^ cb;
	}
	return (diff == 0) & (la == lb);
}

static const EVP_CIPHER *
gcm_cipher(size_t keylen)
{
	switch (keylen) {
	case 16:
		return EVP_aes_128_gcm();
	case 24:
		return EVP_aes_192_gcm();
	case 32:
		return EVP_aes_256_gcm();
	default:
		return NULL;
	}
}

static bool
gcm_params_ok(size_t keylen, size_t ivlen, size_t aadlen, size_t len,
    size_t taglen)
{
	return gcm_cipher(keylen) != NULL &&
	    ivlen >= CRYPTO_GCM_IV_MIN && ivlen <= CRYPTO_GCM_IV_MAX &&
	    taglen >= CRYPTO_GCM_TAG_MIN && taglen <= CRYPTO_GCM_TAG_MAX &&
	    aadlen <= INT_MAX && len <= CRYPTO_SEAL_MAX;
}

enum err
crypto_gcm_encrypt(const unsigned char *key, size_t keylen,
    const unsigned char *iv, size_t ivlen, const void *aad, size_t aadlen,
    const void *pt, size_t ptlen, unsigned char *ct, unsigned char *tag,
    size_t taglen)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	 fin[CRYPTO_GCM_TAG_MAX];
	int		 n;
	enum err	 e = ERR_SYSTEM;

	if (!gcm_params_ok(keylen, ivlen, aadlen, ptlen, taglen))
		return ERR_INPUT;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	if (EVP_EncryptInit_ex(ctx, gcm_cipher(keylen), NULL, NULL, NULL)
	    != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen,
	    NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, iv) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (ptlen > 0 &&
	    (EVP_EncryptUpdate(ctx, ct, &n, pt, (int)ptlen) != 1 ||
	    (size_t)n != ptlen))
		goto out;
	/* GCM writes nothing here; fin only satisfies the API. */
	if (EVP_EncryptFinal_ex(ctx, fin, &n) != 1 || n != 0)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int)taglen,
	    tag) != 1)
		goto out;
	e = ERR_OK;
out:
	if (e != ERR_OK)
		log_err("aes-gcm encryption failed");
	EVP_CIPHER_CTX_free(ctx);
	return e;
}

enum err
crypto_gcm_decrypt(const unsigned char *key, size_t keylen,
    const unsigned char *iv, size_t ivlen, const void *aad, size_t aadlen,
    const void *ct, size_t ctlen, const unsigned char *tag, size_t taglen,
    unsigned char **pt)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*p = NULL, tagbuf[CRYPTO_GCM_TAG_MAX];
	int		 n;
	enum err	 e = ERR_SYSTEM;

	*pt = NULL;
	if (!gcm_params_ok(keylen, ivlen, aadlen, ctlen, taglen))
		return ERR_INPUT;
	if ((p = malloc(ctlen + 1)) == NULL ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	/* The tag control takes a non-const pointer. */
	memcpy(tagbuf, tag, taglen);
	if (EVP_DecryptInit_ex(ctx, gcm_cipher(keylen), NULL, NULL, NULL)
	    != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen,
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, iv) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1)
		goto out;
	if (ctlen > 0 &&
	    (EVP_DecryptUpdate(ctx, p, &n, ct, (int)ctlen) != 1 ||
	    (size_t)n != ctlen))
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, (int)taglen,
	    tagbuf) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, p + ctlen, &n) != 1 || n != 0) {
		e = ERR_AUTH;
		goto out;
	}
	p[ctlen] = '\0';
	*pt = p;
	p = NULL;
	e = ERR_OK;
out:
	crypto_free_secret(p, ctlen + 1);
	EVP_CIPHER_CTX_free(ctx);
	return e;
}

enum err
crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
    size_t aadlen, const void *pt, size_t ptlen, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*buf = NULL;
	size_t		 len;
	enum err	 e;

	*out = NULL;
	*outlen = 0;
	if (ptlen > CRYPTO_SEAL_MAX)
		return ERR_INPUT;
	len = CRYPTO_IV_LEN + ptlen + CRYPTO_TAG_LEN;
	if ((buf = malloc(len)) == NULL)
		return ERR_NOMEM;
	if ((e = crypto_random(buf, CRYPTO_IV_LEN)) != ERR_OK)
		goto out;
	e = crypto_gcm_encrypt(key, CRYPTO_KEY_LEN, buf, CRYPTO_IV_LEN,
	    aad, aadlen, pt, ptlen, buf + CRYPTO_IV_LEN,
	    buf + CRYPTO_IV_LEN + ptlen, CRYPTO_TAG_LEN);
	if (e != ERR_OK)
		goto out;
	*out = buf;
	*outlen = len;
	buf = NULL;
out:
	crypto_free_secret(buf, len);
	return e;
}

enum err
crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
    size_t aadlen, const void *in, size_t inlen, unsigned char **pt,
    size_t *ptlen)
{
	const unsigned char	*p = in;
	size_t			 ctlen;
	enum err		 e;

	*pt = NULL;
	*ptlen = 0;
	if (in == NULL || inlen < CRYPTO_IV_LEN + CRYPTO_TAG_LEN)
		return ERR_AUTH;
	ctlen = inlen - CRYPTO_IV_LEN - CRYPTO_TAG_LEN;
	if (ctlen > CRYPTO_SEAL_MAX)
		return ERR_AUTH;
	e = crypto_gcm_decrypt(key, CRYPTO_KEY_LEN, p, CRYPTO_IV_LEN,
	    aad, aadlen, p + CRYPTO_IV_LEN, ctlen,
	    p + CRYPTO_IV_LEN + ctlen, CRYPTO_TAG_LEN, pt);
	if (e == ERR_OK)
		*ptlen = ctlen;
	return e;
}

/*
 * Read at most max bytes of a key file into raw (max + 1 bytes, so that
 * a larger file shows as len > max).  The file must be a regular file;
 * a warning when group or others may read it.
 */
static enum err
crypto_keyfile_read(const char *path, unsigned char *raw, size_t max,
    size_t *lenp)
{
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd;
	enum err	 e = ERR_OK;

	*lenp = 0;
	if (path == NULL)
		return ERR_INPUT;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		log_err("%s: %s", path, strerror(errno));
		return ERR_SYSTEM;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_err("%s: not a regular file", path);
		e = ERR_SYSTEM;
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warn("%s: key file is accessible by group or others",
		    path);
	while (len < max + 1) {
		r = read(fd, raw + len, max + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_err("%s: %s", path, strerror(errno));
			e = ERR_SYSTEM;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*lenp = len;
out:
	close(fd);
	return e;
}

enum err
crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_LEN])
{
	unsigned char	 raw[CRYPTO_KEYFILE_MAX + 1];
	size_t		 len = 0;
	enum err	 e;

	if ((e = crypto_keyfile_read(path, raw, CRYPTO_KEYFILE_MAX, &len)) !=
	    ERR_OK)
		goto out;
	e = ERR_INPUT;
	if (len == CRYPTO_KEY_LEN) {
		memcpy(key, raw, CRYPTO_KEY_LEN);
		e = ERR_OK;
		goto out;
	}
	/* Hex form: 64 digits, then nothing, "\n" or "\r\n". */
	if (len == 2 * CRYPTO_KEY_LEN + 1 && raw[len - 1] == '\n')
		len--;
	else if (len == 2 * CRYPTO_KEY_LEN + 2 && raw[len - 2] == '\r' &&
	    raw[len - 1] == '\n')
		len -= 2;
	if (len != 2 * CRYPTO_KEY_LEN) {
		log_err("%s: key file must hold 32 bytes or 64 hex digits",
		    path);
		goto out;
	}
	if (hex_decode((const char *)raw, len, key, CRYPTO_KEY_LEN) !=
	    ERR_OK) {
		log_err("%s: bad hex digit in key file", path);
		goto out;
	}
	e = ERR_OK;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return e;
}

static bool
crypto_key_id_ok(const char *id, size_t len)
{
	return len >= 1 && len <= CRYPTO_KEY_ID_MAX && strspn(id,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") >= len;
}

enum err
crypto_keyring_parse(const void *data, size_t len,
    struct crypto_keyring *ring)
{
	const char *p = data, *end = p + len, *nl, *colon;
	size_t	 n, idlen, lines = 0;
	bool	 bare = false;

	memset(ring, 0, sizeof(*ring));
	if (data == NULL)
		return ERR_INPUT;
	if (len == CRYPTO_KEY_LEN) {
		memcpy(ring->keys[0].key, data, CRYPTO_KEY_LEN);
		ring->n = 1;
		return ERR_OK;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#')
			goto next;
		lines++;
		if (memchr(p, '\0', n) != NULL || ring->n == CRYPTO_KEYS_MAX)
			goto bad;
		colon = memchr(p, ':', n);
		if (colon == NULL) {		/* a bare 64-hex line */
			if (n != 2 * CRYPTO_KEY_LEN)
				goto bad;
			bare = true;
			idlen = 0;
		} else {
			idlen = (size_t)(colon - p);
			if (!crypto_key_id_ok(p, idlen) ||
			    n - idlen - 1 != 2 * CRYPTO_KEY_LEN ||
			    crypto_keyring_find(ring, p, idlen) != NULL)
				goto bad;
			memcpy(ring->keys[ring->n].id, p, idlen);
			ring->keys[ring->n].id[idlen] = '\0';
		}
		if (hex_decode(p + n - 2 * CRYPTO_KEY_LEN, 2 * CRYPTO_KEY_LEN,
		    ring->keys[ring->n].key, CRYPTO_KEY_LEN) != ERR_OK)
			goto bad;
		ring->n++;
next:
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	/* A bare key only alone: an id-less key among others is ambiguous. */
	if (ring->n == 0 || (bare && lines != 1))
		goto bad;
	return ERR_OK;
bad:
	crypto_keyring_wipe(ring);
	return ERR_INPUT;
}

enum err
crypto_keyring_load(const char *path, struct crypto_keyring *ring)
{
	unsigned char	*raw;
	size_t		 len = 0;
	enum err	 e;

	memset(ring, 0, sizeof(*ring));
	if ((raw = malloc(CRYPTO_KEYRING_FILE_MAX + 1)) == NULL)
		return ERR_NOMEM;
	if ((e = crypto_keyfile_read(path, raw, CRYPTO_KEYRING_FILE_MAX,
	    &len)) == ERR_OK) {
		if (len > CRYPTO_KEYRING_FILE_MAX)
			e = ERR_INPUT;
		else
			e = crypto_keyring_parse(raw, len, ring);
		if (e != ERR_OK)
			log_err("%s: must hold 32 bytes, 64 hex digits, or "
			    "lines of ID:64-hex-digits (at most %d)", path,
			    CRYPTO_KEYS_MAX);
	}
	crypto_free_secret(raw, CRYPTO_KEYRING_FILE_MAX + 1);
	return e;
}

const unsigned char *
crypto_keyring_find(const struct crypto_keyring *ring, const char *id,
    size_t idlen)
{
	size_t i;

	for (i = 0; i < ring->n; i++)
		if (strlen(ring->keys[i].id) == idlen &&
		    memcmp(ring->keys[i].id, id, idlen) == 0)
			return ring->keys[i].key;
	return NULL;
}

void
crypto_keyring_wipe(struct crypto_keyring *ring)
{
	OPENSSL_cleanse(ring, sizeof(*ring));
	ring->n = 0;
}

void
crypto_free_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
crypto_free_str(char *s)
{
	if (s == NULL)
		return;
	crypto_free_secret(s, strlen(s));
}
