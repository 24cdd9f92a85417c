/*
 * jsonw: JSON text written directly, for the hot paths (the API's task
 * bodies, the JSON log) where building a json-c tree per answer costs
 * more than the rest of the request.  Strings come out as json-c writes
 * them with JSON_C_TO_STRING_NOSLASHESCAPE: '"', '\\' and control bytes
 * escaped (\n \r \t \b \f, else \u00XX), everything else as it is,
 * except that bytes which are not UTF-8 become U+FFFD, so the output is
 * always valid JSON.
 */
#ifndef TODO_JSONW_H
#define TODO_JSONW_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Where the text goes: put(arg, bytes, n), in order. */
typedef void (*jsonw_put_fn)(void *arg, const char *, size_t);

/* The string s (len bytes), quoted and escaped. */
void	 jsonw_quote(const char *s, size_t len, jsonw_put_fn put, void *arg);

/* The same into b; b's sticky error. */
enum err jsonw_str(struct buf *b, const char *s);

#endif
