/*
 * langtag: the browser's Accept-Language as OpenID Connect ui_locales
 * (a space-separated list of BCP 47 language tags, most wanted first).
 * Only well-formed tags pass (letters, digits and hyphens in the shape
 * of a language tag); weights are dropped, "*" and q=0 are left out.
 */
#ifndef TODO_LANGTAG_H
#define TODO_LANGTAG_H

#include "buf.h"
#include "err.h"

#define LANGTAG_MAX_TAGS 3	/* tags passed on, at most */
#define LANGTAG_TAG_MAX 35	/* bytes of one tag */
#define LANGTAG_HEADER_MAX 512	/* bytes of Accept-Language looked at */

/*
 * Append the ui_locales value for an Accept-Language header to out
 * (nothing when none is usable: check out->len).  ERR_INPUT for NULL
 * or a header longer than LANGTAG_HEADER_MAX; ERR_NOMEM from the buf.
 */
enum err langtag_ui_locales(const char *accept_language, struct buf *out);

#endif
