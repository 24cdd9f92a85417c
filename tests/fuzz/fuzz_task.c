/*
 * fuzz_task: a client's task body as the API checks it
 * (task_input_parse in api-fcgi/tasks.c: a JSON object with only
 * "text", 1 to API_TEXT_MAX characters of valid UTF-8, "done", a
 * boolean, and "due", a date or null), for creation (text required) and
 * for an update; and, on the input as text, the timestamp conversion of
 * the same file (task_time), its date check and list cursor, and the
 * If-Match parser (api-fcgi/etag.c).
 *
 * These functions are static in api-fcgi/tasks.c, so this file compiles
 * that file (and api-fcgi/respond.c and etag.c, which it calls)
 * itself; the rest is lib/.  Nothing here talks to a database.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../api-fcgi/etag.c"
#include "../../api-fcgi/respond.c"
#include "../../api-fcgi/tasks.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_input(struct req *r, bool need_text)
{
	struct json_object	*doc;
	struct task_input	 in;
	const char		*why = NULL;

	if (task_input_parse(r, need_text, &doc, &in, &why) == ERR_OK) {
		if (in.done < -1 || in.done > 1 ||
		    (in.text == NULL && in.done < 0 && !in.due_set) ||
		    (need_text && in.text == NULL) ||
		    (in.due != NULL && (!in.due_set ||
		    !task_date_ok(in.due))))
			abort();
		if (in.text != NULL && (in.text[0] == '\0' ||
		    !utf8_valid(in.text, strlen(in.text)) ||
		    utf8_count(in.text, strlen(in.text)) > API_TEXT_MAX))
			abort();
	} else if (why == NULL || *why == '\0')
		abort();
	json_object_put(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	struct req	 r;
	char		 out[TASK_TIME_LEN + 1], *s;
	char		 id[TASK_NUM_MAX], cur[TASK_CURSOR_LEN + 1];
	char		 sql[ETAG_SQL_MAX];
	struct etag_list l;

	if (!init) {
		log_init("fuzz_task", LOG_LEVEL_ERR);
		init = 1;
	}
	if (size > API_BODY_MAX)
		return 0;	/* task_read answers 413 first */
	memset(&r, 0, sizeof(r));
	buf_init(&r.body, API_BODY_MAX);
	if (buf_add(&r.body, data, size) != ERR_OK ||
	    buf_add(&r.body, "", 0) != ERR_OK)
		abort();
	check_input(&r, true);
	check_input(&r, false);
	buf_free(&r.body);

	if (size <= 64 && (s = strndup((const char *)data, size)) != NULL) {
		if (task_time(s, out) && (strlen(out) != TASK_TIME_LEN ||
		    out[10] != 'T' || out[TASK_TIME_LEN - 1] != 'Z'))
			abort();
		if (task_date_ok(s) && strlen(s) != TASK_DATE_LEN)
			abort();
		/* A cursor that decodes encodes back to itself. */
		if (task_cursor_decode(s, id) == ERR_OK &&
		    (task_cursor_encode(id, cur) != ERR_OK ||
		    strcmp(cur, s) != 0))
			abort();
		free(s);
	}
	if ((s = strndup((const char *)data, size)) != NULL) {
		if (etag_parse(s, &l) == ERR_OK && (l.n > ETAG_LIST_MAX ||
		    (!l.any && l.n == 0) ||
		    etag_versions_sql(&l, sql, sizeof(sql)) != ERR_OK))
			abort();
		free(s);
	}
	return 0;
}
