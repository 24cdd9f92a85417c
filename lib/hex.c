#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "hex.h"

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum err
hex_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	size_t	 i;
	int	 hi, lo;

	if (len / 2 != outlen || len % 2 != 0)
		return ERR_INPUT;
	for (i = 0; i < outlen; i++) {
		hi = hex_digit((unsigned char)in[2 * i]);
		lo = hex_digit((unsigned char)in[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(out, outlen);
			return ERR_INPUT;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return ERR_OK;
}

long
hex_quad(const char *p)
{
	long	 v = 0;
	int	 i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hex_digit((unsigned char)p[i])) < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}
