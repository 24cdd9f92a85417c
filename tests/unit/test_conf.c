#include "config.h"

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define PREFIX		"TCONF_"
#define CONF_FILE_LIMIT	(64 * 1024)	/* conf.c's CONF_FILE_MAX */

struct cfg {
	char	*name;
	char	*greeting;
	long	 port;
	long	 retries;
	bool	 debug;
	bool	 tls;
	char	*secret;
	char	*opt;
};

static const struct conf_key keys[] = {
	{ "name", CONF_STR, offsetof(struct cfg, name), NULL, true,
	    0, 0, false },
	{ "greeting", CONF_STR, offsetof(struct cfg, greeting), "hello",
	    false, 0, 0, false },
	{ "port", CONF_INT, offsetof(struct cfg, port), "8080", false,
	    1, 65535, false },
	{ "retries", CONF_INT, offsetof(struct cfg, retries), NULL, false,
	    -3, 10, false },
	{ "debug", CONF_BOOL, offsetof(struct cfg, debug), "off", false,
	    0, 0, false },
	{ "tls", CONF_BOOL, offsetof(struct cfg, tls), "yes", false,
	    0, 0, false },
	{ "secret_file", CONF_FILE, offsetof(struct cfg, secret), NULL,
	    false, 0, 0, true },
	{ "opt", CONF_STR, offsetof(struct cfg, opt), NULL, false,
	    0, 0, false },
};

static char	 errbuf[CONF_ERR_MAX];
static char	 visbuf[256];
static char	 lastpath[256];

/* Write "text" to a fresh temporary file; the caller unlinks it. */
static bool
tmpfile_write(const char *text, size_t len, char *path, size_t pathlen)
{
	const char	*dir = getenv("TMPDIR");
	FILE		*f = NULL;
	int		 fd, n;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	n = snprintf(path, pathlen, "%s/test_conf.XXXXXX", dir);
	if (n < 0 || (size_t)n >= pathlen)
		return false;
	if ((fd = mkstemp(path)) == -1)
		return false;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return false;
	}
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		unlink(path);
		return false;
	}
	if (fclose(f) != 0) {
		unlink(path);
		return false;
	}
	return true;
}

/* A printable form of s for test names. */
static const char *
vis(const char *s)
{
	size_t	 o = 0;
	int	 n;

	for (; *s != '\0' && o + 5 < sizeof(visbuf); s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f) {
			n = snprintf(visbuf + o, sizeof(visbuf) - o, "\\x%02x",
			    ch);
			if (n < 0 || (size_t)n >= sizeof(visbuf) - o)
				break;
			o += (size_t)n;
		} else
			visbuf[o++] = (char)ch;
	}
	visbuf[o] = '\0';
	return visbuf;
}

static void
env_clear(void)
{
	static const char *const names[] = { PREFIX "NAME", PREFIX "GREETING",
	    PREFIX "PORT", PREFIX "RETRIES", PREFIX "DEBUG", PREFIX "TLS",
	    PREFIX "SECRET_FILE", PREFIX "OPT", PREFIX "PIN",
	    PREFIX "WORKERS", PREFIX "LEVEL" };
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		unsetenv(names[i]);
}

/* Load "text" as a config file into *c (zeroed first). */
static enum err
load_with(const struct conf_key *k, size_t n, const char *text, void *c,
    size_t csize)
{
	enum err e;

	memset(c, 0, csize);
	memset(errbuf, 'Z', sizeof(errbuf));
	if (!tmpfile_write(text, strlen(text), lastpath, sizeof(lastpath)))
		return ERR__MAX;
	e = conf_load(lastpath, PREFIX, k, n, c, errbuf, sizeof(errbuf));
	unlink(lastpath);
	return e;
}

static enum err
load(const char *text, struct cfg *c)
{
	return load_with(keys, NELEM(keys), text, c, sizeof(*c));
}

/* errbuf contains "<path>:<line>: <rest>". */
static bool
msg_at(size_t line, const char *rest)
{
	char want[512];

	if (snprintf(want, sizeof(want), "%s:%zu: %s", lastpath, line,
	    rest) >= (int)sizeof(want))
		return false;
	if (strstr(errbuf, want) != NULL)
		return true;
	tap_diag("message \"%s\" lacks \"%s\"", errbuf, want);
	return false;
}

static bool
msg_has(const char *s)
{
	if (memchr(errbuf, '\0', sizeof(errbuf)) != NULL &&
	    strstr(errbuf, s) != NULL)
		return true;
	tap_diag("message \"%.*s\" lacks \"%s\"", (int)sizeof(errbuf) - 1,
	    errbuf, s);
	return false;
}

static void
test_basic(void)
{
	struct cfg c;

	is_int(load("name = alice\n", &c), ERR_OK, "minimal file");
	is_str(c.name, "alice", "minimal: name");
	is_str(c.greeting, "hello", "minimal: string default");
	is_int(c.port, 8080, "minimal: int default");
	is_int(c.retries, 0, "minimal: int without default untouched");
	ok(!c.debug, "minimal: bool default off");
	ok(c.tls, "minimal: bool default yes");
	ok(c.secret == NULL, "minimal: file key not set");
	ok(c.opt == NULL, "minimal: optional string NULL");
	is_str(errbuf, "", "minimal: no message");
	conf_free(keys, NELEM(keys), &c);
	ok(c.name == NULL && c.greeting == NULL, "conf_free clears");
	conf_free(keys, NELEM(keys), &c);
	ok(c.name == NULL, "conf_free twice is fine");

	is_int(load("# a comment\n\n   \n\t# indented comment\n"
	    "name=bob\n  port   =   443  \n debug\t=\tYES\r\n"
	    "greeting = hi there \t\n", &c), ERR_OK,
	    "comments, blanks, spaces, CRLF");
	is_str(c.name, "bob", "no spaces around '='");
	is_int(c.port, 443, "spaces around key and value");
	ok(c.debug, "tabs around '=', CRLF line end");
	is_str(c.greeting, "hi there", "inner space kept, trailing trimmed");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = a=b#c # not a comment\n", &c), ERR_OK,
	    "value with '=' and '#'");
	is_str(c.name, "a=b#c # not a comment", "value with '=' and '#' kept");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = x", &c), ERR_OK, "last line without newline");
	is_str(c.name, "x", "last line without newline: value");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = x\nopt =\ngreeting =   \nport=\n", &c), ERR_OK,
	    "empty values");
	ok(c.opt == NULL, "empty value: not set");
	is_str(c.greeting, "hello", "empty value: default stays");
	is_int(c.port, 8080, "empty int: default stays");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("", &c), ERR_INPUT, "empty file: required key missing");
	ok(msg_has("name") && msg_has("required"),
	    "required missing: message names the key");
	ok(msg_has(lastpath), "required missing: message names the file");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name =\n", &c), ERR_INPUT, "required key empty");
	ok(msg_has("name: required"), "required empty: message");
	conf_free(keys, NELEM(keys), &c);
}

static void
test_errors(void)
{
	struct cfg c;

	is_int(load("name = x\n\nbogus = 1\n", &c), ERR_INPUT, "unknown key");
	ok(msg_at(3, "bogus: unknown key"), "unknown key: file:line: key");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("Name = x\n", &c), ERR_INPUT, "keys are case-sensitive");
	ok(msg_at(1, "Name: unknown key"), "case: message");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = x\nmy key = 1\n", &c), ERR_INPUT,
	    "key with a space");
	ok(msg_at(2, "my key: unknown key"), "key with a space: message");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("= x\n", &c), ERR_INPUT, "empty key");
	ok(msg_at(1, ": unknown key"), "empty key: file:line: (no name)");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = a\n# x\nname = b\n", &c), ERR_INPUT,
	    "duplicate key");
	ok(msg_at(3, "name: given twice"), "duplicate: file:line: key");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = a\nopt =\nopt = x\n", &c), ERR_INPUT,
	    "duplicate key after an empty value");
	ok(msg_at(3, "opt: given twice"), "duplicate after empty: message");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = a\njust some words\n", &c), ERR_INPUT,
	    "line without '='");
	ok(msg_at(2, "expected \"key = value\""), "line without '=': file:line");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name\n", &c), ERR_INPUT, "bare key without '='");
	ok(msg_at(1, "expected \"key = value\""), "bare key: file:line");
	conf_free(keys, NELEM(keys), &c);

	memset(&c, 0, sizeof(c));
	is_int(conf_load("/nonexistent/dir/x.conf", PREFIX, keys, NELEM(keys),
	    &c, errbuf, sizeof(errbuf)), ERR_SYSTEM, "missing config file");
	ok(msg_has("/nonexistent/dir/x.conf"), "missing file: path named");
	conf_free(keys, NELEM(keys), &c);

	memset(&c, 0, sizeof(c));
	is_int(conf_load("/", PREFIX, keys, NELEM(keys), &c, errbuf,
	    sizeof(errbuf)), ERR_SYSTEM, "config path is a directory");
	conf_free(keys, NELEM(keys), &c);
}

static void
test_ints(void)
{
	static const struct {
		const char	*v;
		bool		 good;
		long		 want;
	} cases[] = {
		{ "1", true, 1 },
		{ "65535", true, 65535 },
		{ "80", true, 80 },
		{ "0", false, 0 },		/* below min */
		{ "65536", false, 0 },		/* above max */
		{ "-1", false, 0 },
		{ "12x", false, 0 },
		{ "x12", false, 0 },
		{ "12 3", false, 0 },
		{ "1.5", false, 0 },
		{ "1e3", false, 0 },
		{ "0x50", false, 0 },
		{ "--1", false, 0 },
		{ "- 1", false, 0 },
		{ "99999999999999999999", false, 0 },
		{ "-99999999999999999999", false, 0 },
		{ "9223372036854775807", false, 0 },
		{ "9223372036854775808", false, 0 },
		{ "80\x01", false, 0 },
		{ "\xef\xbc\x98\xef\xbc\x90", false, 0 },	/* fullwidth */
	};
	struct cfg	 c;
	char		 text[128];
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		snprintf(text, sizeof(text), "name = x\nport = %s\n",
		    cases[i].v);
		if (cases[i].good) {
			is_int(load(text, &c), ERR_OK, "port \"%s\"",
			    vis(cases[i].v));
			is_int(c.port, cases[i].want, "port \"%s\" value",
			    vis(cases[i].v));
		} else {
			is_int(load(text, &c), ERR_INPUT, "port \"%s\" refused",
			    vis(cases[i].v));
			ok(msg_at(2, "port: "), "port \"%s\": file:line: key",
			    vis(cases[i].v));
		}
		conf_free(keys, NELEM(keys), &c);
	}
	is_int(load("name = x\nretries = -3\n", &c), ERR_OK, "negative min");
	is_int(c.retries, -3, "negative min: value");
	conf_free(keys, NELEM(keys), &c);
	is_int(load("name = x\nretries = -4\n", &c), ERR_INPUT,
	    "below negative min");
	ok(msg_has("from -3 to 10"), "bounds in the message");
	conf_free(keys, NELEM(keys), &c);
}

static void
test_bools(void)
{
	static const struct {
		const char	*v;
		int		 want;	/* -1: refused */
	} cases[] = {
		{ "on", 1 }, { "off", 0 }, { "true", 1 }, { "false", 0 },
		{ "yes", 1 }, { "no", 0 }, { "1", 1 }, { "0", 0 },
		{ "ON", 1 }, { "Off", 0 }, { "TRUE", 1 }, { "fAlSe", 0 },
		{ "YeS", 1 }, { "NO", 0 },
		{ "", -1 }, { "2", -1 }, { "-1", -1 }, { "01", -1 },
		{ "y", -1 }, { "n", -1 }, { "t", -1 }, { "f", -1 },
		{ "onn", -1 }, { "of", -1 }, { "truee", -1 }, { "yes ", -1 },
		{ " no", -1 }, { "enable", -1 }, { "disabled", -1 },
		{ "0x1", -1 }, { "yes\n", -1 }, { "n\xc3\xb6", -1 },
	};
	struct cfg	 c;
	size_t		 i;
	bool		 b;

	for (i = 0; i < NELEM(cases); i++) {
		b = cases[i].want != 1;
		if (cases[i].want < 0)
			ok(!conf_bool_parse(cases[i].v, &b),
			    "bool \"%s\" refused", vis(cases[i].v));
		else
			ok(conf_bool_parse(cases[i].v, &b) &&
			    b == (cases[i].want == 1), "bool \"%s\" is %s",
			    vis(cases[i].v), cases[i].want ? "true" : "false");
	}
	is_int(load("name = x\ndebug = On\ntls = nO\n", &c), ERR_OK,
	    "bools in a file");
	ok(c.debug && !c.tls, "bools in a file: values");
	conf_free(keys, NELEM(keys), &c);
	is_int(load("name = x\n\ndebug = maybe\n", &c), ERR_INPUT,
	    "bad bool in a file");
	ok(msg_at(3, "debug: "), "bad bool: file:line: key");
	conf_free(keys, NELEM(keys), &c);
}

static void
test_long_lines(void)
{
	struct cfg	 c;
	char		*text = NULL;
	size_t		 n;

	if ((text = malloc(CONF_LINE_MAX + 64)) == NULL)
		return;
	/* "name = xxxx\n": CONF_LINE_MAX bytes before the newline. */
	memcpy(text, "name = ", 7);
	memset(text + 7, 'x', CONF_LINE_MAX - 7);
	text[CONF_LINE_MAX] = '\n';
	text[CONF_LINE_MAX + 1] = '\0';
	is_int(load(text, &c), ERR_OK, "line of CONF_LINE_MAX bytes");
	ok(c.name != NULL && strlen(c.name) == CONF_LINE_MAX - 7,
	    "line of CONF_LINE_MAX bytes: value whole");
	conf_free(keys, NELEM(keys), &c);

	text[CONF_LINE_MAX] = '\0';
	is_int(load(text, &c), ERR_OK,
	    "last line of CONF_LINE_MAX bytes, no newline");
	conf_free(keys, NELEM(keys), &c);

	text[CONF_LINE_MAX] = 'x';
	text[CONF_LINE_MAX + 1] = '\n';
	text[CONF_LINE_MAX + 2] = '\0';
	is_int(load(text, &c), ERR_INPUT, "line one byte too long");
	ok(msg_at(1, "line too long"), "line too long: file:line");
	ok(c.name == NULL, "line too long: nothing stored");
	conf_free(keys, NELEM(keys), &c);

	text[CONF_LINE_MAX + 1] = '\0';
	is_int(load(text, &c), ERR_INPUT,
	    "last line one byte too long, no newline");
	conf_free(keys, NELEM(keys), &c);

	n = CONF_LINE_MAX + 40;
	memset(text, '#', n);
	memcpy(text + n, "\nname=x\n", 9);
	is_int(load(text, &c), ERR_INPUT, "overlong comment refused too");
	conf_free(keys, NELEM(keys), &c);
	free(text);
}

static void
test_env(void)
{
	struct cfg c;

	setenv(PREFIX "PORT", "9090", 1);
	setenv(PREFIX "NAME", "from-env", 1);
	is_int(load("name = from-file\nport = 443\n", &c), ERR_OK,
	    "env override");
	is_int(c.port, 9090, "env beats the file (int)");
	is_str(c.name, "from-env", "env beats the file (string)");
	conf_free(keys, NELEM(keys), &c);
	env_clear();

	setenv(PREFIX "GREETING", "", 1);
	is_int(load("name = n\ngreeting = g\n", &c), ERR_OK,
	    "empty env variable");
	is_str(c.greeting, "g", "empty env variable: ignored");
	conf_free(keys, NELEM(keys), &c);
	env_clear();

	setenv("tconf_port", "1", 1);
	is_int(load("name = n\n", &c), ERR_OK, "lower-case variable");
	is_int(c.port, 8080, "variable name is upper-case only");
	conf_free(keys, NELEM(keys), &c);
	unsetenv("tconf_port");

	setenv(PREFIX "NAME", "n", 1);
	is_int(load("", &c), ERR_OK, "required key from the environment");
	is_str(c.name, "n", "required key from the environment: value");
	conf_free(keys, NELEM(keys), &c);

	setenv(PREFIX "PORT", "70000", 1);
	is_int(load("", &c), ERR_INPUT, "bad env value");
	ok(msg_has(PREFIX "PORT") && msg_has("port"),
	    "bad env value: message names the variable and key");
	conf_free(keys, NELEM(keys), &c);
	setenv(PREFIX "PORT", "80 ", 1);
	is_int(load("", &c), ERR_INPUT, "env int with trailing space");
	conf_free(keys, NELEM(keys), &c);
	unsetenv(PREFIX "PORT");

	setenv(PREFIX "DEBUG", "perhaps", 1);
	is_int(load("", &c), ERR_INPUT, "bad env bool");
	ok(msg_has(PREFIX "DEBUG"), "bad env bool: variable named");
	conf_free(keys, NELEM(keys), &c);
	env_clear();

	/* No file at all. */
	memset(&c, 0, sizeof(c));
	is_int(conf_load(NULL, PREFIX, keys, NELEM(keys), &c, errbuf,
	    sizeof(errbuf)), ERR_INPUT, "path NULL, required key missing");
	ok(msg_has("name: required"), "path NULL: message names the key");
	ok(errbuf[0] != ':' && strstr(errbuf, "(null)") == NULL,
	    "path NULL: no file in the message");
	conf_free(keys, NELEM(keys), &c);

	setenv(PREFIX "NAME", "env-only", 1);
	setenv(PREFIX "RETRIES", "7", 1);
	memset(&c, 0, sizeof(c));
	is_int(conf_load(NULL, PREFIX, keys, NELEM(keys), &c, errbuf,
	    sizeof(errbuf)), ERR_OK, "path NULL, env only");
	is_str(c.name, "env-only", "env only: string");
	is_int(c.retries, 7, "env only: int");
	is_int(c.port, 8080, "env only: default");
	conf_free(keys, NELEM(keys), &c);
	env_clear();
}

static void
test_file_keys(void)
{
	struct cfg	 c;
	char		 sec[256], other[256], text[1024], *big = NULL;
	static const char nul[] = "abc\0def";

	if (!tmpfile_write("  \t s3cr3t-value \n\n", 19, sec, sizeof(sec))) {
		ok(false, "secret file written");
		return;
	}
	snprintf(text, sizeof(text), "name = x\nsecret_file = %s\n", sec);
	is_int(load(text, &c), ERR_OK, "CONF_FILE");
	is_str(c.secret, "s3cr3t-value", "CONF_FILE: contents trimmed");
	conf_free(keys, NELEM(keys), &c);
	ok(c.secret == NULL, "CONF_FILE: freed");

	if (!tmpfile_write("other", 5, other, sizeof(other)))
		ok(false, "CONF_FILE from the environment: temporary file");
	else {
		setenv(PREFIX "SECRET_FILE", sec, 1);
		snprintf(text, sizeof(text), "name=x\nsecret_file=%s\n",
		    other);
		is_int(load(text, &c), ERR_OK,
		    "CONF_FILE from the environment");
		is_str(c.secret, "s3cr3t-value",
		    "CONF_FILE: the environment's file wins");
		conf_free(keys, NELEM(keys), &c);
		unsetenv(PREFIX "SECRET_FILE");
		unlink(other);
	}
	unlink(sec);

	if (!tmpfile_write("a b\nc d", 7, sec, sizeof(sec)))
		ok(false, "CONF_FILE, two lines: temporary file");
	else {
		snprintf(text, sizeof(text), "name=x\nsecret_file=%s\n", sec);
		is_int(load(text, &c), ERR_OK, "CONF_FILE, two lines");
		is_str(c.secret, "a b\nc d", "CONF_FILE: inner bytes kept");
		conf_free(keys, NELEM(keys), &c);
		unlink(sec);
	}

	is_int(load("name = x\n\nsecret_file = /nonexistent/secret\n", &c),
	    ERR_SYSTEM, "CONF_FILE missing");
	ok(msg_at(3, "secret_file: /nonexistent/secret"),
	    "CONF_FILE missing: file:line: key: path");
	ok(c.secret == NULL, "CONF_FILE missing: not set");
	conf_free(keys, NELEM(keys), &c);

	is_int(load("name = x\nsecret_file = /\n", &c), ERR_SYSTEM,
	    "CONF_FILE is a directory");
	conf_free(keys, NELEM(keys), &c);

	if (!tmpfile_write("secret", 6, sec, sizeof(sec)))
		ok(false, "CONF_FILE unreadable: temporary file");
	else {
		if (geteuid() != 0 && chmod(sec, 0) == 0) {
			snprintf(text, sizeof(text), "name=x\nsecret_file=%s\n",
			    sec);
			is_int(load(text, &c), ERR_SYSTEM,
			    "CONF_FILE unreadable");
			ok(msg_has("secret_file"), "unreadable: key named");
			conf_free(keys, NELEM(keys), &c);
		} else
			tap_diag("running as root: unreadable file skipped");
		unlink(sec);
	}

	if (!tmpfile_write(nul, sizeof(nul) - 1, sec, sizeof(sec)))
		ok(false, "CONF_FILE with a NUL: temporary file");
	else {
		snprintf(text, sizeof(text), "name=x\nsecret_file=%s\n", sec);
		ok(load(text, &c) != ERR_OK, "CONF_FILE with a NUL refused");
		conf_free(keys, NELEM(keys), &c);
		unlink(sec);
	}

	if ((big = malloc(CONF_FILE_LIMIT + 1)) == NULL)
		ok(false, "CONF_FILE limit: memory");
	else {
		memset(big, 'k', CONF_FILE_LIMIT + 1);
		if (!tmpfile_write(big, CONF_FILE_LIMIT, sec, sizeof(sec)))
			ok(false, "CONF_FILE at the limit: temporary file");
		else {
			snprintf(text, sizeof(text),
			    "name=x\nsecret_file=%s\n", sec);
			is_int(load(text, &c), ERR_OK,
			    "CONF_FILE at the limit");
			ok(c.secret != NULL &&
			    strlen(c.secret) == CONF_FILE_LIMIT,
			    "CONF_FILE at the limit: whole");
			conf_free(keys, NELEM(keys), &c);
			unlink(sec);
		}
		if (!tmpfile_write(big, CONF_FILE_LIMIT + 1, sec,
		    sizeof(sec)))
			ok(false, "CONF_FILE over the limit: temporary file");
		else {
			snprintf(text, sizeof(text),
			    "name=x\nsecret_file=%s\n", sec);
			ok(load(text, &c) != ERR_OK,
			    "CONF_FILE over the limit refused");
			conf_free(keys, NELEM(keys), &c);
			unlink(sec);
		}
		free(big);
	}
}

/* Error after strings were stored: conf_free must release them. */
static void
test_free_after_error(void)
{
	struct cfg c;

	is_int(load("name = kept\nopt = also\ngreeting = g\nport = x\n", &c),
	    ERR_INPUT, "error after strings were set");
	ok(c.name != NULL && c.opt != NULL, "strings kept for conf_free");
	conf_free(keys, NELEM(keys), &c);
	ok(c.name == NULL && c.opt == NULL && c.greeting == NULL,
	    "conf_free after an error (no leak under ASan)");
}

struct cfg2 {
	long	 pin;
	bool	 flag;
	long	 workers;
	long	 level;
};

static void
test_other_tables(void)
{
	static const struct conf_key secret_keys[] = {
		{ "pin", CONF_INT, offsetof(struct cfg2, pin), NULL, false,
		    0, 9999, true },
		{ "flag", CONF_BOOL, offsetof(struct cfg2, flag), NULL, false,
		    0, 0, true },
	};
	static const struct conf_key req_int[] = {
		{ "workers", CONF_INT, offsetof(struct cfg2, workers), NULL,
		    true, 1, 64, false },
	};
	static const struct conf_key bad_def[] = {
		{ "level", CONF_INT, offsetof(struct cfg2, level), "0",
		    false, 1, 5, false },
	};
	struct conf_key	 many[CONF_ERR_MAX / 4];
	struct cfg2	 c;
	size_t		 i;

	/* conf.h: secret keys are "never echoed in messages". */
	is_int(load_with(secret_keys, NELEM(secret_keys), "pin = 12x34zz\n",
	    &c, sizeof(c)), ERR_INPUT, "secret int malformed");
	ok(msg_at(1, "pin: \"(secret)\" is not a whole number") &&
	    strstr(errbuf, "12x34zz") == NULL,
	    "secret int: value not echoed");
	is_int(load_with(secret_keys, NELEM(secret_keys), "flag = hunter2\n",
	    &c, sizeof(c)), ERR_INPUT, "secret bool malformed");
	ok(msg_at(1, "flag: \"(secret)\" is not on/off") &&
	    strstr(errbuf, "hunter2") == NULL,
	    "secret bool: value not echoed");

	/* conf.h: "missing required keys ... are errors". */
	c.workers = -1;
	is_int(load_with(req_int, NELEM(req_int), "# nothing\n", &c,
	    sizeof(c)), ERR_INPUT, "required int missing");
	ok(msg_has("workers"), "required int missing: key named");
	is_int(load_with(req_int, NELEM(req_int), "workers = 4\n", &c,
	    sizeof(c)), ERR_OK, "required int given");
	is_int(c.workers, 4, "required int given: value");

	is_int(load_with(bad_def, NELEM(bad_def), "", &c, sizeof(c)),
	    ERR_INPUT, "default out of bounds");
	ok(msg_has("default") && msg_has("level"),
	    "default out of bounds: message");

	memset(many, 0, sizeof(many));
	for (i = 0; i < NELEM(many); i++) {
		many[i].name = "k";
		many[i].type = CONF_BOOL;
	}
	memset(&c, 0, sizeof(c));
	ok(conf_load(NULL, PREFIX, many, NELEM(many), &c, errbuf,
	    sizeof(errbuf)) != ERR_OK, "too many keys refused");
}

int
main(void)
{
	env_clear();
	test_basic();
	test_errors();
	test_ints();
	test_bools();
	test_long_lines();
	test_env();
	test_file_keys();
	test_free_after_error();
	test_other_tables();
	return tap_done();
}
