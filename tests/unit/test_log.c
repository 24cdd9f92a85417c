#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "capture.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define REC_MAX		(LOG_LINE_MAX * 4 + 256)

static char	 rec[REC_MAX + 1];	/* the captured record(s) */
static size_t	 reclen;

/* Log msg with "%s" and capture the record. */
static void
logged(enum log_level lvl, const char *func, const char *msg)
{
	int saved = capture_begin(STDERR_FILENO);

	log_write(lvl, func, "%s", msg);
	reclen = capture_end(STDERR_FILENO, saved, rec, REC_MAX);
}

static bool
rec_is(const char *prog, const char *lvl, const char *func,
    const char *msg)
{
	char want[512];

	if (snprintf(want, sizeof(want), "%s[%ld]: %s: %s: %s\n", prog,
	    (long)getpid(), lvl, func, msg) >= (int)sizeof(want))
		return false;
	if (reclen == strlen(want) && memcmp(rec, want, reclen) == 0)
		return true;
	tap_diag("record: \"%.*s\"", (int)reclen, rec);
	tap_diag("wanted: \"%s\"", want);
	return false;
}

/* One record: exactly one newline, at the end. */
static bool
one_line(void)
{
	return reclen > 0 && rec[reclen - 1] == '\n' &&
	    memchr(rec, '\n', reclen - 1) == NULL &&
	    memchr(rec, '\r', reclen) == NULL;
}

static void
test_default(void)
{
	logged(LOG_LEVEL_INFO, __func__, "before log_init");
	ok(rec_is("todo-b2c", "info", "test_default", "before log_init"),
	    "default program name and level");
	logged(LOG_LEVEL_DEBUG, __func__, "hidden");
	is_int(reclen, 0, "default level hides debug");
}

static void
test_write(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "hello", "hello" },
		{ "", "" },
		{ "a\nb", "a\\x0ab" },
		{ "a\\b", "a\\x5cb" },
		{ "\\x0a", "\\x5cx0a" },	/* forged escape shown */
		{ "\r\n", "\\x0d\\x0a" },
		{ "\t", "\\x09" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "\x7f", "\\x7f" },
		{ "\x01\x1f", "\\x01\\x1f" },
		{ "fake\nprog[1]: error: x: forged", "fake\\x0aprog[1]: error: "
		    "x: forged" },
		{ "caf\xc3\xa9 \xff", "caf\xc3\xa9 \xff" },
		{ "%s %n %d", "%s %n %d" },
		{ "quote\" 'x' <y>", "quote\" 'x' <y>" },
	};
	size_t	 i;
	int	 saved;

	log_init("tlog", LOG_LEVEL_DEBUG);
	for (i = 0; i < NELEM(cases); i++) {
		logged(LOG_LEVEL_ERR, "myfunc", cases[i].in);
		ok(rec_is("tlog", "error", "myfunc", cases[i].out),
		    "escape case %zu", i);
		ok(one_line(), "escape case %zu: one line", i);
	}

	saved = capture_begin(STDERR_FILENO);
	log_write(LOG_LEVEL_WARN, "f", "n=%d s=%s z=%zu", -42, "x y",
	    (size_t)7);
	reclen = capture_end(STDERR_FILENO, saved, rec, REC_MAX);
	ok(rec_is("tlog", "warning", "f", "n=-42 s=x y z=7"),
	    "printf-style arguments");

	saved = capture_begin(STDERR_FILENO);
	log_err("via %s", "macro");
	reclen = capture_end(STDERR_FILENO, saved, rec, REC_MAX);
	ok(rec_is("tlog", "error", "test_write", "via macro"),
	    "log_err uses the caller's __func__");

	saved = capture_begin(STDERR_FILENO);
	log_debug("d");
	log_info("i");
	reclen = capture_end(STDERR_FILENO, saved, rec, REC_MAX);
	{
		char want[128];

		snprintf(want, sizeof(want), "tlog[%ld]: debug: test_write: d\n"
		    "tlog[%ld]: info: test_write: i\n", (long)getpid(),
		    (long)getpid());
		is_str(rec, want, "two calls, two records");
	}
}

static void
test_filter(void)
{
	static const struct {
		enum log_level	 max, lvl;
		bool		 shown;
	} cases[] = {
		{ LOG_LEVEL_ERR, LOG_LEVEL_ERR, true },
		{ LOG_LEVEL_ERR, LOG_LEVEL_WARN, false },
		{ LOG_LEVEL_ERR, LOG_LEVEL_DEBUG, false },
		{ LOG_LEVEL_WARN, LOG_LEVEL_ERR, true },
		{ LOG_LEVEL_WARN, LOG_LEVEL_WARN, true },
		{ LOG_LEVEL_WARN, LOG_LEVEL_INFO, false },
		{ LOG_LEVEL_WARN, LOG_LEVEL_DEBUG, false },
		{ LOG_LEVEL_INFO, LOG_LEVEL_INFO, true },
		{ LOG_LEVEL_INFO, LOG_LEVEL_DEBUG, false },
		{ LOG_LEVEL_DEBUG, LOG_LEVEL_DEBUG, true },
		{ LOG_LEVEL_DEBUG, LOG_LEVEL__MAX, false },
	};
	static const char *const names[] = { "error", "warning", "info",
	    "debug" };
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		log_init("tlog", cases[i].max);
		logged(cases[i].lvl, "f", "m");
		if (cases[i].shown)
			ok(rec_is("tlog", names[cases[i].lvl], "f", "m"),
			    "filter case %zu: written", i);
		else
			is_int(reclen, 0, "filter case %zu: nothing written",
			    i);
	}
	log_init("tlog", LOG_LEVEL_DEBUG);
	logged((enum log_level)-1, "f", "m");
	is_int(reclen, 0, "negative level: nothing written");
}

static void
test_long(void)
{
	char	*msg = NULL;
	size_t	 i, head;
	bool	 good;

	if ((msg = malloc(LOG_LINE_MAX * 3)) == NULL)
		return;
	log_init("tlog", LOG_LEVEL_DEBUG);
	head = (size_t)snprintf(NULL, 0, "tlog[%ld]: error: f: ",
	    (long)getpid());

	memset(msg, 'a', LOG_LINE_MAX * 3 - 1);
	msg[LOG_LINE_MAX * 3 - 1] = '\0';
	logged(LOG_LEVEL_ERR, "f", msg);
	ok(one_line(), "long message: one line");
	ok(reclen > head + LOG_LINE_MAX / 2 && reclen <= head + LOG_LINE_MAX,
	    "long message: cut near LOG_LINE_MAX");

	/* Every byte escaped: the record grows fourfold but stays whole. */
	memset(msg, '\n', LOG_LINE_MAX * 3 - 1);
	logged(LOG_LEVEL_ERR, "f", msg);
	ok(one_line(), "long run of newlines: one line");
	good = reclen > head && (reclen - head - 1) % 4 == 0 &&
	    reclen - head - 1 >= 4 * 100;
	for (i = head; good && i + 1 < reclen; i += 4)
		good = memcmp(rec + i, "\\x0a", 4) == 0;
	ok(good, "long run of newlines: only whole escapes");
	ok(reclen <= head + 4 * LOG_LINE_MAX + 1,
	    "long run of newlines: bounded");
	free(msg);
}

static void
test_mask(void)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789";
	char	 out[LOG_MASK_SIZE], want[64], s[sizeof(alpha)], win[6];
	char	*big = NULL;
	size_t	 len, i;
	const char *dots;
	bool	 good = true;

	ok(log_mask(NULL, out) == out, "mask returns out");
	is_str(out, "(none)", "mask NULL");
	is_str(log_mask("", out), "...(0)", "mask \"\"");
	is_str(log_mask("abc", out), "...(3)", "mask short");
	is_str(log_mask("abcdefghijklmnop", out), "...(16)",
	    "mask 16 bytes: no prefix");
	is_str(log_mask("abcdefghijklmnopq", out), "abcd...(17)",
	    "mask 17 bytes: four bytes");

	/* No length reveals more than four bytes, or any when short. */
	for (len = 0; len < sizeof(alpha); len++) {
		memcpy(s, alpha, len);
		s[len] = '\0';
		log_mask(s, out);
		snprintf(want, sizeof(want), "%.*s...(%zu)",
		    len > 16 ? 4 : 0, s, len);
		if (strcmp(out, want) != 0 ||
		    (dots = strstr(out, "...")) == NULL ||
		    (size_t)(dots - out) > 4 ||
		    (len <= 16 && dots != out)) {
			tap_diag("len %zu: \"%s\"", len, out);
			good = false;
		}
		for (i = 0; good && i + 5 <= len; i++) {
			memcpy(win, s + i, 5);
			win[5] = '\0';
			if (strstr(out, win) != NULL)
				good = false;
		}
	}
	ok(good, "mask: at most four bytes, none for 16 or fewer");

	if ((big = malloc(10 * 1000 * 1000 + 1)) != NULL) {
		memset(big, 'S', 10 * 1000 * 1000);
		big[10 * 1000 * 1000] = '\0';
		is_str(log_mask(big, out), "SSSS...(10000000)", "mask 10 MB");
		ok(strlen(out) < LOG_MASK_SIZE, "mask fits LOG_MASK_SIZE");
		free(big);
	}
}

static void
test_level_parse(void)
{
	static const struct {
		const char	*s;
		int		 want;	/* -1: refused */
	} cases[] = {
		{ "error", LOG_LEVEL_ERR },
		{ "warning", LOG_LEVEL_WARN },
		{ "info", LOG_LEVEL_INFO },
		{ "debug", LOG_LEVEL_DEBUG },
		{ "", -1 }, { "warn", -1 }, { "err", -1 }, { "errors", -1 },
		{ "ERROR", -1 }, { "Info", -1 }, { "debug ", -1 },
		{ " debug", -1 }, { "info\n", -1 }, { "0", -1 }, { "3", -1 },
		{ "trace", -1 }, { "notice", -1 },
	};
	enum log_level	 l;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		l = LOG_LEVEL__MAX;
		if (cases[i].want < 0)
			ok(!log_level_parse(cases[i].s, &l),
			    "level case %zu refused", i);
		else
			ok(log_level_parse(cases[i].s, &l) &&
			    (int)l == cases[i].want, "level \"%s\"",
			    cases[i].s);
	}
}


/* ---- formats, request context, events ------------------------------------ */

#define BIG_MAX		(64 * 1024)

static char	 big[BIG_MAX + 1];
static size_t	 biglen;

#define CAPTURE(stmt) do {						\
	int saved_ = capture_begin(STDERR_FILENO);			\
	stmt;								\
	biglen = capture_end(STDERR_FILENO, saved_, big, BIG_MAX);	\
} while (0)

/* The captured text is "prog[pid]: " + rest. */
static bool
big_is(const char *rest)
{
	char want[4096];

	if (snprintf(want, sizeof(want), "tlog[%ld]: %s", (long)getpid(),
	    rest) >= (int)sizeof(want))
		return false;
	if (biglen == strlen(want) && memcmp(big, want, biglen) == 0)
		return true;
	tap_diag("record: \"%.*s\"", (int)biglen, big);
	tap_diag("wanted: \"%s\"", want);
	return false;
}

static bool
big_one_line(void)
{
	return biglen > 0 && big[biglen - 1] == '\n' &&
	    memchr(big, '\n', biglen - 1) == NULL &&
	    memchr(big, '\r', biglen) == NULL;
}

static void
test_format_parse(void)
{
	enum log_format f = LOG_FORMAT__MAX;

	ok(log_format_parse("text", &f) && f == LOG_FORMAT_TEXT,
	    "format \"text\"");
	ok(log_format_parse("json", &f) && f == LOG_FORMAT_JSON,
	    "format \"json\"");
	ok(!log_format_parse("JSON", &f) && !log_format_parse("", &f) &&
	    !log_format_parse("json ", &f) && !log_format_parse("logfmt", &f),
	    "other formats refused");
}

static void
test_context(void)
{
	char	 id64[LOG_REQUEST_ID_MAX + 2];

	log_init("tlog", LOG_LEVEL_DEBUG);
	log_set_format(LOG_FORMAT_TEXT);
	ok(log_request_id() == NULL, "no request id outside a request");
	is_int((long long)log_request_elapsed_ms(), 0,
	    "no elapsed time outside a request");
	log_request_begin("abcDEF012._-");
	is_str(log_request_id(), "abcDEF012._-", "the request id is kept");
	ok(log_request_elapsed_ms() >= 0, "elapsed time counts");
	CAPTURE(log_info("in %s", "request"));
	ok(big_is("info: test_context: [abcDEF012._-] in request\n"),
	    "text: the request id before the message");
	CAPTURE(log_write(LOG_LEVEL_ERR, "f", "a\nb"));
	ok(big_is("error: f: [abcDEF012._-] a\\x0ab\n"),
	    "text: escaped message after the id");
	log_request_end();
	ok(log_request_id() == NULL, "log_request_end clears the id");
	CAPTURE(log_info("after"));
	ok(big_is("info: test_context: after\n"),
	    "text: no id after the request");

	log_request_begin("bad id\n");
	ok(log_request_id() == NULL, "an id with a space and LF is not used");
	log_request_begin("");
	ok(log_request_id() == NULL, "an empty id is not used");
	log_request_begin("a]b");
	ok(log_request_id() == NULL, "an id with ']' is not used");
	memset(id64, 'x', sizeof(id64) - 1);
	id64[LOG_REQUEST_ID_MAX] = '\0';
	log_request_begin(id64);
	ok(log_request_id() != NULL &&
	    strlen(log_request_id()) == LOG_REQUEST_ID_MAX,
	    "an id of LOG_REQUEST_ID_MAX bytes is kept");
	id64[LOG_REQUEST_ID_MAX] = 'x';
	id64[LOG_REQUEST_ID_MAX + 1] = '\0';
	log_request_begin(id64);
	ok(log_request_id() == NULL, "a longer id is not used");
	log_request_begin(NULL);
	ok(log_request_id() == NULL, "a NULL id is not used");
	log_request_end();
}

static void
test_event_text(void)
{
	char	 longv[LOG_FIELD_MAX * 2], want[LOG_FIELD_MAX * 2];

	log_init("tlog", LOG_LEVEL_DEBUG);
	log_set_format(LOG_FORMAT_TEXT);
	CAPTURE(log_event(LOG_LEVEL_WARN, "provider_error",
	    LOG_FIELDS(LOG_F_PROVIDER_ERROR("AADB2C90118"),
	    LOG_F_B2C_CORRELATION_ID("c0ffee-1234")), "the user %s",
	    "forgot"));
	ok(big_is("warning: provider_error: the user forgot "
	    "provider_error=AADB2C90118 b2c_correlation_id=c0ffee-1234\n"),
	    "text event: message and fields");

	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    LOG_F_PROVIDER_ERROR("two words"), LOG_F_METHOD(""),
	    LOG_F_ROUTE("a=b"), LOG_F_B2C_CORRELATION_ID("q\"\n\\")),
	    NULL));
	ok(big_is("info: x: provider_error=\"two words\" method=\"\" "
	    "route=\"a=b\" b2c_correlation_id=\"q\\x22\\x0a\\x5c\"\n"),
	    "text event: quoting and escapes, no message");
	ok(big_one_line(), "text event: one line");

	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    LOG_F_STATUS(404), LOG_F_DURATION_MS(1.23456),
	    LOG_F_METHOD(NULL)), "m"));
	ok(big_is("info: x: m status=404 duration_ms=1.235\n"),
	    "text event: numbers; a NULL string is left out");

	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    LOG_F_USER("alice")), "u"));
	ok(big_is("info: x: u user=2bd806c97f0e\n"),
	    "text event: the user as SHA-256's first 12 hex digits");

	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    LOG_F_PROVIDER_ERROR("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	    "bmF0dXJlLWJ5dGVz")), "t"));
	ok(big_is("info: x: t provider_error=eyJh...(57)\n"),
	    "text event: a JWT-shaped value is masked");

	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	snprintf(want, sizeof(want), "info: x: route=%.*s\n", LOG_FIELD_MAX,
	    longv);
	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    LOG_F_ROUTE(longv)), NULL));
	ok(big_is(want), "text event: a value is cut at LOG_FIELD_MAX");

	CAPTURE(log_event(LOG_LEVEL_INFO, "Bad Name\n", LOG_NOFIELDS, "m"));
	ok(big_is("info: event: m\n"), "text event: a bad name is replaced");
	CAPTURE(log_event(LOG_LEVEL_INFO, "x", (const struct log_field *)NULL,
	    3, "m"));
	ok(big_is("info: x: m\n"), "text event: NULL fields");
	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_FIELDS(
	    ((struct log_field){ (enum log_key)99, "v", 0 })), "m"));
	ok(big_is("info: x: m\n"), "text event: an unknown key is dropped");

	log_init("tlog", LOG_LEVEL_WARN);
	CAPTURE(log_event(LOG_LEVEL_INFO, "x", LOG_NOFIELDS, "m"));
	is_int(biglen, 0, "text event: filtered by level");
	CAPTURE(log_access("GET", "/tasks/{id}", 200, 5));
	is_int(biglen, 0, "access: at info, filtered at warning");
	log_init("tlog", LOG_LEVEL_DEBUG);

	log_request_begin("req-00000001");
	CAPTURE(log_access("PATCH", "/tasks/{id}", 204, 12.3456));
	ok(big_is("info: access: [req-00000001] PATCH /tasks/{id} 204 "
	    "method=PATCH route=/tasks/{id} status=204 duration_ms=12.346\n"),
	    "text access record");
	CAPTURE(log_access("GET", NULL, 404, -1));
	ok(big_is("info: access: [req-00000001] GET - 404 method=GET "
	    "status=404 duration_ms=0.000\n"),
	    "text access record: no route, negative duration");
	log_request_end();
}

static struct json_object *
big_json(void)
{
	struct json_object *o;

	if (!big_one_line())
		return NULL;
	big[biglen - 1] = '\0';
	o = json_tokener_parse(big);
	big[biglen - 1] = '\n';
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		tap_diag("not a JSON object: %.*s", (int)biglen, big);
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
jtime_ok(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	if (t == NULL || strlen(t) != sizeof(pat) - 1)
		return false;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? t[i] < '0' || t[i] > '9' : t[i] != pat[i])
			return false;
	return true;
}

static void
test_json(void)
{
	struct json_object *o, *v;
	char	*msg;

	log_init("tlog", LOG_LEVEL_DEBUG);
	log_set_format(LOG_FORMAT_JSON);
	CAPTURE(log_err("plain %d", 1));
	ok((o = big_json()) != NULL, "json: log_err is one JSON object");
	ok(jtime_ok(jstr(o, "time")), "json: time is RFC 3339 UTC with ms");
	is_str(jstr(o, "level"), "error", "json: level");
	is_str(jstr(o, "program"), "tlog", "json: program");
	ok(json_object_object_get_ex(o, "pid", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) == (int64_t)getpid(), "json: pid");
	ok(json_object_object_get_ex(o, "request_id", &v) && v == NULL,
	    "json: request_id null outside a request");
	is_str(jstr(o, "event"), "log", "json: a plain record's event");
	is_str(jstr(o, "msg"), "plain 1", "json: msg");
	is_str(jstr(o, "func"), "test_json", "json: func");
	ok(strncmp(big, "{\"time\":", 8) == 0, "json: time first");
	json_object_put(o);

	log_request_begin("Rid-12345678");
	CAPTURE(log_event(LOG_LEVEL_WARN, "token_refused", LOG_FIELDS(
	    LOG_F_PROVIDER_ERROR("invalid_grant"),
	    LOG_F_B2C_CORRELATION_ID("a\"b\\c\n\x01</"),
	    LOG_F_USER("alice"), LOG_F_STATUS(400),
	    LOG_F_DURATION_MS(0.5)), "bad \xff byte \"q\" \t"));
	ok((o = big_json()) != NULL, "json: an event is one JSON object");
	is_str(jstr(o, "request_id"), "Rid-12345678", "json: request_id");
	is_str(jstr(o, "event"), "token_refused", "json: event");
	is_str(jstr(o, "level"), "warning", "json: warning");
	is_str(jstr(o, "msg"), "bad \xef\xbf\xbd byte \"q\" \t",
	    "json: invalid UTF-8 replaced, quotes and tab kept");
	is_str(jstr(o, "provider_error"), "invalid_grant",
	    "json: provider_error");
	is_str(jstr(o, "b2c_correlation_id"), "a\"b\\c\n\x01</",
	    "json: escapes read back");
	is_str(jstr(o, "user"), "2bd806c97f0e", "json: user hashed");
	ok(json_object_object_get_ex(o, "status", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int(v) == 400, "json: status is an integer");
	ok(json_object_object_get_ex(o, "duration_ms", &v) &&
	    json_object_is_type(v, json_type_double) &&
	    json_object_get_double(v) == 0.5, "json: duration_ms a number");
	ok(strstr(big, "\"duration_ms\":0.500") != NULL,
	    "json: duration_ms with 3 decimals");
	ok(json_object_object_get_ex(o, "func", &v) == 0,
	    "json: an event has no func");
	ok(strstr(big, "alice") == NULL, "json: the user's id not written");
	ok(memchr(big, '\x01', biglen) == NULL &&
	    memchr(big, '\t', biglen) == NULL,
	    "json: no raw control byte");
	json_object_put(o);

	CAPTURE(log_access("GET", "/tasks", 200, 3.25));
	ok((o = big_json()) != NULL, "json: access record");
	is_str(jstr(o, "event"), "access", "json access: event");
	is_str(jstr(o, "level"), "info", "json access: info");
	is_str(jstr(o, "method"), "GET", "json access: method");
	is_str(jstr(o, "route"), "/tasks", "json access: route");
	is_str(jstr(o, "msg"), "GET /tasks 200", "json access: msg");
	ok(json_object_object_get_ex(o, "status", &v) &&
	    json_object_get_int(v) == 200, "json access: status");
	json_object_put(o);
	log_request_end();

	/* A long message of bad bytes: cut, still one valid object. */
	if ((msg = malloc(LOG_LINE_MAX * 2)) != NULL) {
		memset(msg, 0xfe, LOG_LINE_MAX * 2 - 1);
		msg[LOG_LINE_MAX * 2 - 1] = '\0';
		CAPTURE(log_err("%s", msg));
		ok((o = big_json()) != NULL && jstr(o, "msg") != NULL &&
		    strlen(jstr(o, "msg")) == 3 * (LOG_LINE_MAX - 1),
		    "json: a long message of bad bytes, cut, valid");
		json_object_put(o);
		free(msg);
	}
	CAPTURE(log_debug("tab\tnl\ncr\r"));
	ok((o = big_json()) != NULL && strcmp(jstr(o, "msg"),
	    "tab\tnl\ncr\r") == 0, "json: control bytes escaped, one line");
	json_object_put(o);

	/* Every byte: control bytes read back, ASCII kept, lone high bytes
	 * replaced; a valid multibyte character kept whole. */
	{
		char	 all[300], want[900];
		size_t	 a = 0, w = 0;
		int	 c;

		for (c = 1; c < 0x80; c++)
			all[a++] = want[w++] = (char)c;
		for (c = 0x80; c < 0x100; c++) {
			all[a++] = (char)c;
			memcpy(want + w, "\xef\xbf\xbd", 3);
			w += 3;
		}
		memcpy(all + a, "\xc3\xa9", 2);	/* U+00E9 */
		memcpy(want + w, "\xc3\xa9", 2);
		all[a + 2] = want[w + 2] = '\0';
		CAPTURE(log_info("%s", all));
		ok((o = big_json()) != NULL && jstr(o, "msg") != NULL &&
		    strcmp(jstr(o, "msg"), want) == 0,
		    "json: bytes 1-255 read back (high ones as U+FFFD)");
		json_object_put(o);
	}
	CAPTURE(log_event(LOG_LEVEL_INFO, "access", LOG_FIELDS(
	    LOG_F_STATUS(200), LOG_F_DURATION_MS(0.0 / 0.0)), "nan"));
	ok((o = big_json()) != NULL &&
	    !json_object_object_get_ex(o, "duration_ms", &v) &&
	    json_object_object_get_ex(o, "status", &v),
	    "json: a duration that is not a number is left out");
	json_object_put(o);

	{
		static const struct { double ms; const char *want; } d[] = {
			{ 3.25, "\"duration_ms\":3.250," },
			{ 0, "\"duration_ms\":0.000," },
			{ 0.0004, "\"duration_ms\":0.000," },
			{ 0.0006, "\"duration_ms\":0.001," },
			{ -2, "\"duration_ms\":0.000," },
			{ 1234.5678, "\"duration_ms\":1234.568," },
			{ 99999.9999, "\"duration_ms\":100000.000," },
		};
		size_t	 i;

		for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
			CAPTURE(log_event(LOG_LEVEL_INFO, "access", LOG_FIELDS(
			    LOG_F_DURATION_MS(d[i].ms), LOG_F_STATUS(-404)),
			    "x"));
			ok(strstr(big, d[i].want) != NULL &&
			    strstr(big, "\"status\":-404}") != NULL,
			    "json: duration %g written as %s", d[i].ms,
			    d[i].want);
		}
	}

	log_set_format((enum log_format)42);
	CAPTURE(log_info("still json"));
	ok(big[0] == '{', "an unknown format is ignored");
	log_set_format(LOG_FORMAT_TEXT);
	CAPTURE(log_info("text again"));
	ok(big_is("info: test_json: text again\n"), "back to text");
}

static void
test_user_hash(void)
{
	char	 out[LOG_USER_HASH_SIZE];

	is_str(log_user_hash("alice", out), "2bd806c97f0e",
	    "user hash: SHA-256 prefix");
	is_str(log_user_hash("", out), "e3b0c44298fc", "user hash: empty");
	is_str(log_user_hash(NULL, out), "-", "user hash: NULL");
}

int
main(void)
{
	if (!capture_open()) {
		ok(false, "temporary file");
		return tap_done();
	}
	test_default();
	test_write();
	test_filter();
	test_long();
	test_mask();
	test_level_parse();
	test_format_parse();
	test_context();
	test_event_text();
	test_json();
	test_user_hash();
	close(capture_tmpfd);
	return tap_done();
}
