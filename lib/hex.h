/* hex: hexadecimal digits (key files, percent-escapes, JSON \u escapes). */
#ifndef TODO_HEX_H
#define TODO_HEX_H

#include <stddef.h>

#include "err.h"

/* The value of one hex digit (either case), or -1. */
int	 hex_digit(int c);

/* The value of the four hex digits at p (a JSON \uXXXX), or -1. */
long	 hex_quad(const char *p);
/*
 * Decode exactly 2 * outlen hex digits from "in" (len bytes) into out.
 * ERR_INPUT when len is not 2 * outlen or a digit is bad; out is then
 * wiped.
 */
enum err hex_decode(const char *in, size_t len, unsigned char *out,
	    size_t outlen);

#endif
