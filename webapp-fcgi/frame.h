/* frame: the HTML frame of every page (frame.c). */
#ifndef TODO_WEBAPP_FRAME_H
#define TODO_WEBAPP_FRAME_H

#include "buf.h"
#include "webapp.h"

/* Bytes allocated for a page up front: the list of one page of tasks. */
#define WEB_PAGE_ROOM (32 * 1024)

void	page_begin(struct web *, struct buf *, const struct session *,
	    const char *title);
void	page_end(struct buf *);
void	page_text(struct buf *, const char *);		/* escaped */
void	page_csrf(struct buf *, const struct session *);	/* hidden input */

#endif
