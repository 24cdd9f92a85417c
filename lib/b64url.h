/*
 * b64url: base64url without padding (RFC 4648 section 5, RFC 7515
 * section 2), strict on input.
 */
#ifndef TODO_B64URL_H
#define TODO_B64URL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Largest input b64url_decode() accepts, in characters. */
#define B64URL_DECODE_MAX (16 * 1024 * 1024)

/*
 * Append the encoding of len bytes at in to out, without '=' padding.
 * ERR_NOMEM if out's cap is reached (out then holds a partial result).
 */
enum err b64url_encode(const void *in, size_t len, struct buf *out);

/* The same as a fresh string (*out malloc'd, the caller frees). */
enum err b64url_encode_str(const void *in, size_t len, char **out);

/*
 * Decode len characters at in.  Strict: URL-safe alphabet only, no
 * padding, no whitespace, len % 4 == 1 rejected, unused trailing bits
 * must be zero (so every byte string has exactly one encoding).
 * On ERR_OK *out is a malloc'd buffer of *outlen bytes plus a NUL
 * (not counted) that the caller frees; on error *out is NULL.
 */
enum err b64url_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen);

#endif
