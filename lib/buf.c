#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

#define BUF_MIN_CAP 64

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
	if (b->max > BUF_MAX_LIMIT)
		b->max = BUF_MAX_LIMIT;
	b->err = ERR_OK;
}

/* Record the first failure only. */
static enum err
buf_fail(struct buf *b, enum err e)
{
	if (b->err == ERR_OK)
		b->err = e;
	return e;
}

/* Make room for n more bytes plus the terminating NUL. */
static enum err
buf_grow(struct buf *b, size_t n)
{
	size_t	 need, cap;
	char	*p;

	if (n > b->max || b->len > b->max - n)
		return buf_fail(b, ERR_NOMEM);
	need = b->len + n + 1;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap ? b->cap : BUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->data, cap)) == NULL)
		return buf_fail(b, ERR_NOMEM);
	b->data = p;
	b->cap = cap;
	return ERR_OK;
}

enum err
buf_reserve(struct buf *b, size_t n)
{
	enum err e;

	if ((e = buf_grow(b, n)) != ERR_OK)
		return e;
	b->data[b->len] = '\0';	/* a fresh buffer's first allocation */
	return ERR_OK;
}

enum err
buf_add(struct buf *b, const void *p, size_t n)
{
	enum err e;

	/* Room already (cap never exceeds max + 1): no checks to make. */
	if (n < b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return ERR_OK;
	}
	if ((e = buf_grow(b, n)) != ERR_OK)
		return e;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum err
buf_addbuf(struct buf *b, const struct buf *src)
{
	if (src->err != ERR_OK)
		return buf_fail(b, src->err);
	return buf_add(b, buf_str(src), src->len);
}

enum err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

/*
 * Formats into the room the buffer has; only a result longer than that
 * is formatted a second time, after growing.
 */
enum err
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	size_t	 room;
	int	 n;
	enum err e;

	/* cap never exceeds max + 1: what fits in the room is within max. */
	room = b->data != NULL ? b->cap - b->len : 0;
	va_copy(ap2, ap);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		return ERR_OK;
	}
	if (b->data != NULL)
		b->data[b->len] = '\0';	/* undo a cut attempt */
	if (n < 0)
		return buf_fail(b, ERR_SYSTEM);
	if ((e = buf_grow(b, (size_t)n)) != ERR_OK)
		return e;
	if (vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap) != n) {
		b->data[b->len] = '\0';
		return buf_fail(b, ERR_SYSTEM);
	}
	b->len += (size_t)n;
	return ERR_OK;
}

enum err
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	enum err e;

	va_start(ap, fmt);
	e = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return e;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *
buf_steal(struct buf *b)
{
	char *p;

	p = b->data;
	if (p == NULL)
		p = strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = ERR_OK;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free_secret(struct buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}
