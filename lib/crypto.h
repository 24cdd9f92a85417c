/*
 * crypto: random tokens, SHA-256, HMAC-SHA-256, constant-time
 * comparison and AES-256-GCM sealing (the token cache at rest), on
 * OpenSSL 3.
 *
 * Ownership: every char ** / unsigned char ** out parameter receives
 * a malloc'd buffer owned by the caller, and is set to NULL on error.
 * Buffers holding secrets (tokens, plaintext) should be wiped with
 * OPENSSL_cleanse() before free(); crypto_free_secret() does both.
 */
#ifndef TODO_CRYPTO_H
#define TODO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CRYPTO_KEY_LEN		32	/* AES-256 key, bytes */
#define CRYPTO_IV_LEN		12	/* GCM nonce used by crypto_seal */
#define CRYPTO_TAG_LEN		16	/* GCM tag used by crypto_seal */
#define CRYPTO_SHA256_LEN	32
#define CRYPTO_SHA256_HEX_LEN	64	/* without the NUL */
#define CRYPTO_SHA256_B64_LEN	43	/* unpadded base64url, no NUL */
#define CRYPTO_TOKEN_MAX	1024	/* largest nbytes for crypto_token */
#define CRYPTO_SEAL_MAX		(1024 * 1024)	/* largest plaintext */
#define CRYPTO_GCM_IV_MIN	1	/* low-level gcm: IV bytes */
#define CRYPTO_GCM_IV_MAX	128	/* OpenSSL 3's GCM_IV_MAX_SIZE */
#define CRYPTO_GCM_TAG_MIN	12	/* low-level gcm: tag bytes */
#define CRYPTO_GCM_TAG_MAX	16
#define CRYPTO_KEYFILE_MAX	128	/* bytes read from a key file */
#define CRYPTO_KEYS_MAX		8	/* keys in a key ring */
#define CRYPTO_KEY_ID_MAX	16	/* characters of a key id */
#define CRYPTO_KEYRING_FILE_MAX	2048	/* bytes read from a key ring file */

/* Fill out with len bytes from RAND_bytes; ERR_SYSTEM if it fails. */
enum err crypto_random(void *out, size_t len);

/*
 * nbytes (1..CRYPTO_TOKEN_MAX) random bytes as an unpadded base64url
 * string: session ids, CSRF tokens, state, nonce.
 */
enum err crypto_token(size_t nbytes, char **out);

void	 crypto_sha256(const void *in, size_t len,
	    unsigned char out[CRYPTO_SHA256_LEN]);
/* SHA-256 of the string in (without its NUL), base64url / lower hex. */
enum err crypto_sha256_b64url(const char *in, char **out);
enum err crypto_sha256_hex(const char *in, char **out);

enum err crypto_hmac_sha256(const void *key, size_t klen,
	    const void *msg, size_t mlen,
	    unsigned char out[CRYPTO_SHA256_LEN]);

/* Constant time in len (CRYPTO_memcmp). */
bool	 crypto_equal(const void *a, const void *b, size_t len);
/*
 * Constant time over the longer of the two strings; false if the
 * lengths differ or either is NULL.  The lengths themselves are not
 * hidden.
 */
bool	 crypto_streq(const char *a, const char *b);

/*
 * AES-256-GCM with a fresh random 96-bit IV.
 * *out = iv (12) || ciphertext (ptlen) || tag (16), *outlen its size.
 * aad may be NULL when aadlen is 0.
 */
enum err crypto_seal(const unsigned char key[CRYPTO_KEY_LEN],
	    const void *aad, size_t aadlen, const void *pt, size_t ptlen,
	    unsigned char **out, size_t *outlen);
/*
 * The inverse of crypto_seal.  ERR_AUTH when the input is shorter
 * than iv + tag or the tag does not verify.  *pt is NUL-terminated
 * (not counted in *ptlen); the caller wipes and frees it.
 */
enum err crypto_open(const unsigned char key[CRYPTO_KEY_LEN],
	    const void *aad, size_t aadlen, const void *in, size_t inlen,
	    unsigned char **pt, size_t *ptlen);

/*
 * Low-level AES-GCM with explicit parameters (for known-answer tests).
 * keylen 16, 24 or 32; ivlen CRYPTO_GCM_IV_MIN..MAX; taglen
 * CRYPTO_GCM_TAG_MIN..MAX; anything else is ERR_INPUT.
 * Encrypt writes ptlen bytes to ct (caller-provided, may be NULL when
 * ptlen is 0) and taglen bytes to tag.  Decrypt returns a malloc'd,
 * NUL-terminated *pt of ctlen bytes, or ERR_AUTH if the tag fails.
 */
enum err crypto_gcm_encrypt(const unsigned char *key, size_t keylen,
	    const unsigned char *iv, size_t ivlen,
	    const void *aad, size_t aadlen, const void *pt, size_t ptlen,
	    unsigned char *ct, unsigned char *tag, size_t taglen);
enum err crypto_gcm_decrypt(const unsigned char *key, size_t keylen,
	    const unsigned char *iv, size_t ivlen,
	    const void *aad, size_t aadlen, const void *ct, size_t ctlen,
	    const unsigned char *tag, size_t taglen,
	    unsigned char **pt);

/*
 * Read a key file: exactly 32 raw bytes, or exactly 64 hex digits
 * (either case) optionally followed by one "\n" or "\r\n".  Any other
 * size or content is ERR_INPUT; a file that cannot be opened or is not
 * a regular file is ERR_SYSTEM.  The file should be mode 0400/0600 and
 * owned by the program's user: a warning is logged when group or
 * others may read it (not an error, so packaging choices still work).
 * Intermediate copies are wiped.
 */
enum err crypto_key_load(const char *path, unsigned char key[CRYPTO_KEY_LEN]);

/*
 * A key ring: the token cache's keys, newest first.  keys[0] seals;
 * every key may open.  A key's id is 1..CRYPTO_KEY_ID_MAX characters of
 * [A-Za-z0-9_-], or "" for the one key of a file in the old formats.
 */
struct crypto_keyring {
	size_t	n;
	struct {
		char		id[CRYPTO_KEY_ID_MAX + 1];
		unsigned char	key[CRYPTO_KEY_LEN];
	} keys[CRYPTO_KEYS_MAX];
};

/*
 * Parse a key ring file's content: exactly 32 raw bytes (one key, id
 * ""); or text lines ("\n" or "\r\n"; empty lines and lines starting
 * with '#' ignored), each "ID:" followed by 64 hex digits, at most
 * CRYPTO_KEYS_MAX, ids distinct; or a single line of 64 hex digits (one
 * key, id "").  ERR_INPUT otherwise.  The ring is wiped on failure.
 */
enum err crypto_keyring_parse(const void *data, size_t len,
	    struct crypto_keyring *);
/*
 * Read a key ring file (at most CRYPTO_KEYRING_FILE_MAX bytes) and parse
 * it; the file checks and warnings are crypto_key_load's.
 */
enum err crypto_keyring_load(const char *path, struct crypto_keyring *);
/* The key with that id, or NULL. */
const unsigned char *crypto_keyring_find(const struct crypto_keyring *,
	    const char *id, size_t idlen);
/* Wipe the keys. */
void	 crypto_keyring_wipe(struct crypto_keyring *);

/* OPENSSL_cleanse(p, len) then free(p); NULL is a no-op. */
void	 crypto_free_secret(void *p, size_t len);
/* Same for a NUL-terminated string. */
void	 crypto_free_str(char *s);

#endif
