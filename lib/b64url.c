#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "b64url.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

enum err
b64url_encode(const void *in, size_t len, struct buf *out)
{
	const unsigned char	*p = in;
	char			 q[4];
	uint32_t		 v;
	size_t			 i, n;
	enum err		 e = ERR_OK;

	for (i = 0; i < len; i += 3) {
		n = len - i < 3 ? len - i : 3;
		v = (uint32_t)p[i] << 16;
		if (n > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (n > 2)
			v |= p[i + 2];
		q[0] = b64url_alphabet[(v >> 18) & 0x3f];
		q[1] = b64url_alphabet[(v >> 12) & 0x3f];
		q[2] = b64url_alphabet[(v >> 6) & 0x3f];
		q[3] = b64url_alphabet[v & 0x3f];
		if ((e = buf_add(out, q, n + 1)) != ERR_OK)
			goto out;
	}
	if (len == 0)
		e = buf_add(out, "", 0);
out:
	return e;
}

/* The 6-bit value of c, or -1 if c is not in the URL-safe alphabet. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

enum err
b64url_encode_str(const void *in, size_t len, char **out)
{
	struct buf b;
	enum err e;

	*out = NULL;
	buf_init(&b, len / 3 * 4 + 4);
	if ((e = b64url_encode(in, len, &b)) == ERR_OK &&
	    (*out = buf_steal(&b)) == NULL)
		e = ERR_NOMEM;
	buf_free(&b);
	return e;
}

enum err
b64url_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*p = NULL;
	uint32_t	 acc = 0;
	size_t		 i, n = 0, rem;
	int		 v;
	enum err	 e = ERR_INPUT;

	*out = NULL;
	*outlen = 0;
	rem = len % 4;
	if (len > B64URL_DECODE_MAX || rem == 1)
		goto out;
	if ((p = malloc(len / 4 * 3 + rem + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < len; i++) {
		if ((v = b64url_value((unsigned char)in[i])) < 0)
			goto out;
		acc = (acc << 6) | (uint32_t)v;
		if (i % 4 == 3) {
			p[n++] = (acc >> 16) & 0xff;
			p[n++] = (acc >> 8) & 0xff;
			p[n++] = acc & 0xff;
			acc = 0;
		}
	}
	if (rem == 2) {
		/* 12 bits: one byte, the low 4 bits must be zero. */
		if (acc & 0x0f)
			goto out;
		p[n++] = (acc >> 4) & 0xff;
	} else if (rem == 3) {
		/* 18 bits: two bytes, the low 2 bits must be zero. */
		if (acc & 0x03)
			goto out;
		p[n++] = (acc >> 10) & 0xff;
		p[n++] = (acc >> 2) & 0xff;
	}
	p[n] = '\0';
	*out = p;
	*outlen = n;
	p = NULL;
	e = ERR_OK;
out:
	free(p);
	return e;
}
