#include "config.h"

/*
 * fuzz_log: log records written from hostile text, in both formats.
 * Input: the first byte picks the format (bit 0: JSON) and the level;
 * the rest, split at '\n', is the message and up to three field values
 * (method, route, a correlation id).  The record is captured (stderr to
 * a temporary file) and must be exactly one line without a raw control
 * byte; a JSON record must parse with json-c, its "msg" be the message
 * as lib/log cleans it (cut to LOG_LINE_MAX - 1 bytes, each byte that is
 * not part of valid UTF-8 as U+FFFD), and every field be a string.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "capture.h"
#include "log.h"
#include "utf8.h"

#define FUZZ_MAX	(LOG_LINE_MAX * 3)
#define FUZZ_OUT	(LOG_LINE_MAX * 32)

static char out[FUZZ_OUT + 1];

/* The message as lib/log's JSON writer must carry it. */
static char *
expected_msg(const char *msg)
{
	size_t	 len = strlen(msg), i, k, o = 0;
	uint32_t cp;
	char	*e;

	if (len > LOG_LINE_MAX - 1)
		len = LOG_LINE_MAX - 1;
	if ((e = malloc(len * 3 + 1)) == NULL)
		abort();
	for (i = 0; i < len; i += k) {
		k = utf8_decode((const unsigned char *)msg + i, len - i, &cp);
		if (k == 0) {
			memcpy(e + o, "\xef\xbf\xbd", 3);
			o += 3;
			k = 1;
		} else {
			memcpy(e + o, msg + i, k);
			o += k;
		}
	}
	e[o] = '\0';
	return e;
}

static void
check_line(size_t n)
{
	size_t	 i;

	if (n == 0 || out[n - 1] != '\n')
		abort();
	for (i = 0; i + 1 < n; i++)
		if ((unsigned char)out[i] < 0x20)
			abort();
}

static void
check_json(const char *msg)
{
	struct json_object *o, *v;
	struct json_object_iterator it, end;
	char	*want;

	if ((o = json_tokener_parse(out)) == NULL ||
	    !json_object_is_type(o, json_type_object))
		abort();
	if (!json_object_object_get_ex(o, "msg", &v) ||
	    !json_object_is_type(v, json_type_string))
		abort();
	want = expected_msg(msg);
	if (strcmp(json_object_get_string(v), want) != 0)
		abort();
	free(want);
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		v = json_object_iter_peek_value(&it);
		if (strcmp(json_object_iter_peek_name(&it), "pid") == 0 ||
		    strcmp(json_object_iter_peek_name(&it), "status") == 0 ||
		    strcmp(json_object_iter_peek_name(&it), "duration_ms") == 0)
			continue;
		if (strcmp(json_object_iter_peek_name(&it), "request_id") == 0 &&
		    v == NULL)
			continue;
		if (!json_object_is_type(v, json_type_string))
			abort();
	}
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool opened;
	char	*s, *part[4] = { NULL, NULL, NULL, NULL }, *nl;
	bool	 json;
	size_t	 i, n;
	int	 saved;

	if (size == 0 || size > FUZZ_MAX)
		return 0;
	if (!opened && !(opened = capture_open()))
		abort();
	json = (data[0] & 1) != 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	part[0] = s;
	for (i = 1; i < 4 && (nl = strchr(part[i - 1], '\n')) != NULL; i++) {
		*nl = '\0';
		part[i] = nl + 1;
	}
	log_init("fuzz", LOG_LEVEL_DEBUG);
	log_set_format(json ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
	if ((saved = capture_begin(2)) == -1)
		abort();
	log_event((enum log_level)(data[0] >> 1 & 3), "access", LOG_FIELDS(
	    LOG_F_METHOD(part[1]), LOG_F_ROUTE(part[2]),
	    LOG_F_B2C_CORRELATION_ID(part[3]), LOG_F_STATUS(data[0]),
	    LOG_F_DURATION_MS((double)size / 7)), "%s", part[0]);
	n = capture_end(2, saved, out, FUZZ_OUT);
	check_line(n);
	if (json)
		check_json(part[0]);
	free(s);
	return 0;
}
