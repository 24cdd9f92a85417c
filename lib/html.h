/*
 * html: the one escaping function every dynamic string goes through
 * on its way into HTML text or a quoted attribute value.
 *
 * Output is appended to a caller-owned struct buf.  Not for inline
 * scripts, styles, unquoted attributes or URLs in href/src (check
 * those with url_return_to_ok or build them from escaped parts).
 */
#ifndef TODO_HTML_H
#define TODO_HTML_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define HTML_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/*
 * Append s escaped: & < > " ' become &amp; &lt; &gt; &quot; &#39;.
 * Tab, LF and CR are kept; other C0 controls, DEL, C1 controls
 * (U+0080..U+009F) and every byte that is not part of well-formed
 * UTF-8 (overlongs, surrogates, > U+10FFFF, truncated sequences) each
 * become U+FFFD.  A NUL ends the input.  ERR_INPUT for s NULL,
 * ERR_NOMEM when out's cap is reached; out then holds a prefix of the
 * escaped text (whole entities only) and must not be sent.
 */
enum err html_escape(struct buf *out, const char *s);
/* The same for at most len bytes of s. */
enum err html_escape_n(struct buf *out, const char *s, size_t len);

#endif
