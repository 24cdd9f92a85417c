/*
 * fnv: FNV-1a, 64 bits.  A fast hash for tables and change tags; not a
 * cryptographic one (never use it where someone may pick the input to
 * collide on purpose and gain by it).
 */
#ifndef TODO_FNV_H
#define TODO_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT 0xcbf29ce484222325ULL

static inline uint64_t
fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t	 i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif
