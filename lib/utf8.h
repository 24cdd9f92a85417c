/*
 * utf8: the one strict UTF-8 decoder (RFC 3629): no overlong forms, no
 * UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequences.  Noncharacters such as U+FFFE are valid.
 */
#ifndef TODO_UTF8_H
#define TODO_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_SEQ_MAX 4			/* bytes in the longest sequence */
#define UTF8_CP_MAX 0x10ffffu		/* the last code point */

/*
 * Decode the sequence at s (len bytes available): the number of bytes
 * it takes (1 to UTF8_SEQ_MAX) with *cp set, or 0 when it is not
 * well-formed or len is 0 (*cp is then untouched).  A NUL is U+0000.
 */
size_t	 utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
/* cp (at most UTF8_CP_MAX, not a surrogate) as UTF-8 into out: 1..4. */
size_t	 utf8_encode(uint32_t cp, char out[UTF8_SEQ_MAX]);
/* Whether all len bytes are well-formed UTF-8 (NUL bytes included). */
bool	 utf8_valid(const char *s, size_t len);
/* The number of code points in len bytes, or SIZE_MAX when not valid. */
size_t	 utf8_count(const char *s, size_t len);

#endif
