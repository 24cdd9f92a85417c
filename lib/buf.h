/*
 * buf: a growable byte string with a hard cap that is always
 * NUL-terminated.  The struct is public so buffers can live on the
 * stack; fields are read-only for callers.  The first failure sticks in
 * "err", so a page can be built with many adds and checked once.
 */
#ifndef TODO_BUF_H
#define TODO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define BUF_MAX_DEFAULT (1024 * 1024)	/* cap when 0 is given */
#define BUF_MAX_LIMIT (SIZE_MAX / 4)	/* larger caps are lowered to it */

struct buf {
	char	*data;	/* NULL until the first add; then NUL-terminated */
	size_t	 len;
	size_t	 cap;	/* allocated bytes */
	size_t	 max;	/* largest len allowed */
	enum err err;	/* first failure of an add, sticky */
};

void	 buf_init(struct buf *, size_t max);
/*
 * Room for n more bytes, allocated now: no reallocation until the
 * buffer holds more than len + n bytes.  Refused like an add of n bytes.
 */
enum err buf_reserve(struct buf *, size_t n);
enum err buf_add(struct buf *, const void *, size_t);
enum err buf_adds(struct buf *, const char *);
enum err buf_addc(struct buf *, char);
/* src's bytes; a failed src (its err set) fails b with the same err. */
enum err buf_addbuf(struct buf *, const struct buf *src);
enum err buf_addf(struct buf *, const char *, ...)
	__attribute__((format(printf, 2, 3)));
enum err buf_vaddf(struct buf *, const char *, va_list)
	__attribute__((format(printf, 2, 0)));
const char *buf_str(const struct buf *);	/* "" when empty */
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
char	*buf_steal(struct buf *);		/* caller frees; buf reset */
void	 buf_free(struct buf *);
void	 buf_free_secret(struct buf *);		/* wipes before free */

#endif
