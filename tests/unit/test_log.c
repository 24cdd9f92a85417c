#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	close(capture_tmpfd);
	return tap_done();
}
