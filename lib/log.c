#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "jsonw.h"
#include "log.h"

#define LOG_MASK_PREFIX 4
#define LOG_TIME_SIZE 32	/* "2026-12-02T09:30:00.123Z" */
#define LOG_NUM_SIZE 64		/* a formatted number */
#define LOG_NUM_LIMIT 1e12	/* numbers written: |n| below this */
/* A text record: the head, the message and the fields, each escaped. */
#define LOG_OUT_MAX (LOG_LINE_MAX * 4 + \
	LOG_FIELDS_MAX * (LOG_FIELD_MAX * 4 + 32) + 256)
/* A JSON record: every byte of the message and fields escaped as \u00XX. */
#define LOG_JSON_MAX (LOG_LINE_MAX * 6 + \
	LOG_FIELDS_MAX * (LOG_FIELD_MAX * 6 + 64) + 512)
#define LOG_EVENT_MAX 64	/* bytes of an event name */

static const char *log_prog = "todo-b2c";
static enum log_level log_max = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static char log_rid[LOG_REQUEST_ID_MAX + 1];
static struct timespec log_rstart;
static pid_t log_pid;

static const char *const log_names[LOG_LEVEL__MAX] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const char *const log_format_names[LOG_FORMAT__MAX] = {
	[LOG_FORMAT_TEXT] = "text",
	[LOG_FORMAT_JSON] = "json",
};

enum log_type {
	LOG_TYPE_STR,
	LOG_TYPE_INT,
	LOG_TYPE_MS,
	LOG_TYPE_USER
};

static const struct {
	const char	*name;
	enum log_type	 type;
} log_keys[LOG_KEY__MAX] = {
	[LOG_KEY_METHOD] = { "method", LOG_TYPE_STR },
	[LOG_KEY_ROUTE] = { "route", LOG_TYPE_STR },
	[LOG_KEY_STATUS] = { "status", LOG_TYPE_INT },
	[LOG_KEY_DURATION_MS] = { "duration_ms", LOG_TYPE_MS },
	[LOG_KEY_USER] = { "user", LOG_TYPE_USER },
	[LOG_KEY_B2C_CORRELATION_ID] = { "b2c_correlation_id",
	    LOG_TYPE_STR },
	[LOG_KEY_PROVIDER_ERROR] = { "provider_error", LOG_TYPE_STR },
};

void
log_init(const char *prog, enum log_level lvl)
{
	log_prog = prog;
	log_max = lvl;
}

bool
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

bool
log_format_parse(const char *s, enum log_format *out)
{
	size_t i;

	for (i = 0; i < LOG_FORMAT__MAX; i++)
		if (strcmp(s, log_format_names[i]) == 0) {
			*out = (enum log_format)i;
			return true;
		}
	return false;
}

void
log_set_format(enum log_format f)
{
	if ((unsigned)f < LOG_FORMAT__MAX)
		log_fmt = f;
}

/* ---- the request context ------------------------------------------------- */

static bool
log_id_ok(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	return n > 0 && n <= LOG_REQUEST_ID_MAX && id[n] == '\0';
}

void
log_request_begin(const char *id)
{
	log_rid[0] = '\0';
	if (log_id_ok(id))
		memcpy(log_rid, id, strlen(id) + 1);
	if (clock_gettime(CLOCK_MONOTONIC, &log_rstart) == -1)
		memset(&log_rstart, 0, sizeof(log_rstart));
}

void
log_request_end(void)
{
	log_rid[0] = '\0';
	memset(&log_rstart, 0, sizeof(log_rstart));
}

const char *
log_request_id(void)
{
	return log_rid[0] != '\0' ? log_rid : NULL;
}

double
log_request_elapsed_ms(void)
{
	struct timespec now;

	if ((log_rstart.tv_sec == 0 && log_rstart.tv_nsec == 0) ||
	    clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	return (double)(now.tv_sec - log_rstart.tv_sec) * 1000.0 +
	    (double)(now.tv_nsec - log_rstart.tv_nsec) / 1e6;
}

/* ---- text ---------------------------------------------------------------- */

/*
 * Append s to out (at *o, size sz), control bytes and the backslash as
 * \xNN, and, when "quoted", '"' too.  Stops before a cut escape.
 */
static void
log_esc(char *out, size_t sz, size_t *o, const char *s, bool quoted)
{
	size_t	 i;
	int	 n;

	for (i = 0; s[i] != '\0' && *o + 5 < sz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\' ||
		    (quoted && c == '"')) {
			n = snprintf(out + *o, sz - *o, "\\x%02x", c);
			if (n < 0 || (size_t)n >= sz - *o)
				break;
			*o += (size_t)n;
		} else
			out[(*o)++] = (char)c;
	}
}

static void
log_put(char *out, size_t sz, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n + 2 > sz)
		return;
	memcpy(out + *o, s, n);
	*o += n;
}

/* ---- fields -------------------------------------------------------------- */

/* v / 10^decimals in decimal, with that many decimals, in out. */
static const char *
log_itoa(long long v, int decimals, char out[LOG_NUM_SIZE])
{
	char	 rev[LOG_NUM_SIZE];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;
	size_t	 n = 0, o = 0;
	int	 d = 0;

	do {
		if (decimals > 0 && d++ == decimals)
			rev[n++] = '.';
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0 || d < decimals);
	if (decimals > 0 && d == decimals)
		rev[n++] = '.', rev[n++] = '0';
	if (v < 0)
		out[o++] = '-';
	while (n > 0)
		out[o++] = rev[--n];
	out[o] = '\0';
	return out;
}

/* A value that looks like a JWT (or a JWE): header.payload.signature. */
static bool
log_jwt_shaped(const char *s)
{
	const char *dot;

	return strncmp(s, "eyJ", 3) == 0 && (dot = strchr(s, '.')) != NULL &&
	    strchr(dot + 1, '.') != NULL;
}

/*
 * The string a field is written as: the value cut at LOG_FIELD_MAX
 * bytes, a user's hash, a mask for a token; NULL when the field is
 * left out.  Numbers are formatted into tmp.
 */
static const char *
log_field_str(const struct log_field *f, char tmp[LOG_NUM_SIZE],
    char cut[LOG_FIELD_MAX + 1])
{
	size_t	 n;

	if ((unsigned)f->key >= LOG_KEY__MAX)
		return NULL;
	/*
	 * Numbers (statuses, milliseconds) without printf, every record;
	 * one that is not finite or beyond LOG_NUM_LIMIT is left out.
	 */
	if ((log_keys[f->key].type == LOG_TYPE_INT ||
	    log_keys[f->key].type == LOG_TYPE_MS) && !(f->num > -LOG_NUM_LIMIT &&
	    f->num < LOG_NUM_LIMIT))
		return NULL;
	switch (log_keys[f->key].type) {
	case LOG_TYPE_INT:
		return log_itoa(f->num < 0 ? -(long long)(0.5 - f->num) :
		    (long long)(f->num + 0.5), 0, tmp);
	case LOG_TYPE_MS:
		return log_itoa(f->num < 0 ? 0 :
		    (long long)(f->num * 1000 + 0.5), 3, tmp);
	case LOG_TYPE_USER:
		if (f->str == NULL)
			return NULL;
		return log_user_hash(f->str, tmp);
	case LOG_TYPE_STR:
	default:
		if (f->str == NULL)
			return NULL;
		if (log_jwt_shaped(f->str))
			return log_mask(f->str, tmp);
		n = strlen(f->str);
		if (n > LOG_FIELD_MAX)
			n = LOG_FIELD_MAX;
		memcpy(cut, f->str, n);
		cut[n] = '\0';
		return cut;
	}
}

/* ---- json ---------------------------------------------------------------- */

static void
log_time(char out[LOG_TIME_SIZE])
{
	/* The seconds part is formatted once per second. */
	static char sec[LOG_TIME_SIZE];
	static size_t secn;
	static time_t secs = -1;
	struct timespec ts;
	struct tm tm;
	long	 ms;

	out[0] = '\0';
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return;
	if (ts.tv_sec != secs) {
		secs = -1;
		if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
		    (secn = strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S",
		    &tm)) == 0 || secn + sizeof(".000Z") > LOG_TIME_SIZE)
			return;
		secs = ts.tv_sec;
	}
	ms = ts.tv_nsec / 1000000;
	memcpy(out, sec, secn);
	out[secn] = '.';
	out[secn + 1] = (char)('0' + ms / 100 % 10);
	out[secn + 2] = (char)('0' + ms / 10 % 10);
	out[secn + 3] = (char)('0' + ms % 10);
	memcpy(out + secn + 4, "Z", 2);
}

/*
 * The JSON record, written directly (a json-c object per record cost
 * more than the rest of a logged request): strings as valid UTF-8 (bad
 * bytes become U+FFFD), escaped as json-c escapes them.  The buffer holds
 * the worst case; false if it did not (the caller writes text).
 */
struct log_jout {
	char	*p;
	size_t	 sz;
	size_t	 o;
	bool	 full;
};

static void
log_jput(struct log_jout *j, const char *s, size_t n)
{
	if (j->full || n > j->sz - j->o) {
		j->full = true;
		return;
	}
	memcpy(j->p + j->o, s, n);
	j->o += n;
}

static void
log_jput_cb(void *arg, const char *s, size_t n)
{
	log_jput(arg, s, n);
}

static void
log_jstr(struct log_jout *j, const char *s)
{
	jsonw_quote(s, strlen(s), log_jput_cb, j);
}

/* ,"key": */
static void
log_jkey(struct log_jout *j, const char *key)
{
	log_jput(j, ",\"", 2);
	log_jput(j, key, strlen(key));
	log_jput(j, "\":", 2);
}

static bool
log_json(enum log_level lvl, const char *event, const char *func,
    const char *msg, const struct log_field *f, size_t nf)
{
	char	 out[LOG_JSON_MAX], t[LOG_TIME_SIZE], tmp[LOG_NUM_SIZE];
	char	 cut[LOG_FIELD_MAX + 1];
	struct log_jout j = { out, sizeof(out) - 1, 0, false };
	const char *v;
	size_t	 i;

	log_time(t);
	log_jput(&j, "{\"time\":", 8);
	log_jstr(&j, t);
	log_jkey(&j, "level");
	log_jstr(&j, log_names[lvl]);
	log_jkey(&j, "program");
	log_jstr(&j, log_prog);
	log_jput(&j, ",\"pid\":", 7);
	if (log_pid == 0)	/* a syscall: once (the programs never fork) */
		log_pid = getpid();
	log_itoa((long long)log_pid, 0, tmp);
	log_jput(&j, tmp, strlen(tmp));
	log_jkey(&j, "request_id");
	if (log_rid[0] != '\0')
		log_jstr(&j, log_rid);
	else
		log_jput(&j, "null", 4);
	log_jkey(&j, "event");
	log_jstr(&j, event);
	log_jkey(&j, "msg");
	log_jstr(&j, msg);
	if (func != NULL) {
		log_jkey(&j, "func");
		log_jstr(&j, func);
	}
	for (i = 0; i < nf && i < LOG_FIELDS_MAX; i++) {
		if ((v = log_field_str(&f[i], tmp, cut)) == NULL)
			continue;
		log_jkey(&j, log_keys[f[i].key].name);
		switch (log_keys[f[i].key].type) {
		case LOG_TYPE_INT:
		case LOG_TYPE_MS:
			log_jput(&j, v, strlen(v));	/* a number */
			break;
		default:
			log_jstr(&j, v);
			break;
		}
	}
	log_jput(&j, "}\n", 2);
	if (j.full)
		return false;
	/* One write per record: records of processes do not mix. */
	if (write(STDERR_FILENO, out, j.o) < 0)
		return true;	/* nowhere else to say so */
	return true;
}

static void
log_record(enum log_level lvl, const char *event, const char *func,
    const char *msg, const struct log_field *f, size_t nf)
{
	char	 out[LOG_OUT_MAX], tmp[LOG_NUM_SIZE];
	char	 cut[LOG_FIELD_MAX + 1];
	const char *v;
	size_t	 i, o;
	int	 n;

	if (log_fmt == LOG_FORMAT_JSON &&
	    log_json(lvl, event, func, msg, f, nf))
		return;
	n = snprintf(out, sizeof(out), "%s[%ld]: %s: %s: ", log_prog,
	    (long)getpid(), log_names[lvl], func != NULL ? func : event);
	if (n < 0 || (size_t)n >= sizeof(out))
		return;
	o = (size_t)n;
	if (log_rid[0] != '\0') {
		log_put(out, sizeof(out), &o, "[");
		log_put(out, sizeof(out), &o, log_rid);
		log_put(out, sizeof(out), &o, "] ");
	}
	log_esc(out, sizeof(out), &o, msg, false);
	for (i = 0; i < nf && i < LOG_FIELDS_MAX; i++) {
		if ((v = log_field_str(&f[i], tmp, cut)) == NULL)
			continue;
		if (o > 0 && out[o - 1] != ' ')
			log_put(out, sizeof(out), &o, " ");
		log_put(out, sizeof(out), &o, log_keys[f[i].key].name);
		log_put(out, sizeof(out), &o, "=");
		if (*v == '\0' || strpbrk(v, " \"=") != NULL) {
			log_put(out, sizeof(out), &o, "\"");
			log_esc(out, sizeof(out), &o, v, true);
			log_put(out, sizeof(out), &o, "\"");
		} else
			log_esc(out, sizeof(out), &o, v, false);
	}
	out[o++] = '\n';
	/* One write per record, so records from processes do not mix. */
	if (write(STDERR_FILENO, out, o) < 0)
		return;
}

void
log_write(enum log_level lvl, const char *func, const char *fmt, ...)
{
	char	 msg[LOG_LINE_MAX];
	int	 n;
	va_list	 ap;

	if (lvl > log_max || (unsigned)lvl >= LOG_LEVEL__MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_record(lvl, "log", func != NULL ? func : "-", msg, NULL, 0);
}

/* An event name as given when it is [a-z0-9_], 1 to LOG_EVENT_MAX. */
static const char *
log_event_name(const char *event)
{
	size_t n;

	if (event == NULL)
		return "event";
	n = strspn(event, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return n > 0 && n <= LOG_EVENT_MAX && event[n] == '\0' ? event :
	    "event";
}

void
log_event(enum log_level lvl, const char *event, const struct log_field *f,
    size_t nf, const char *fmt, ...)
{
	char	 msg[LOG_LINE_MAX];
	int	 n;
	va_list	 ap;

	if (lvl > log_max || (unsigned)lvl >= LOG_LEVEL__MAX)
		return;
	msg[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		n = vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
	}
	if (f == NULL)
		nf = 0;
	log_record(lvl, log_event_name(event), NULL, msg, f, nf);
}

void
log_access(const char *method, const char *route, int status,
    double duration_ms)
{
	const struct log_field f[] = { LOG_F_METHOD(method),
	    LOG_F_ROUTE(route), LOG_F_STATUS(status),
	    LOG_F_DURATION_MS(duration_ms) };
	char	 msg[LOG_LINE_MAX], num[LOG_NUM_SIZE];
	struct log_jout m = { msg, sizeof(msg) - 1, 0, false };

	if (LOG_LEVEL_INFO > log_max)
		return;
	/* "GET /tasks 200", without printf: one of these per request. */
	log_jput(&m, method != NULL ? method : "-", strlen(method != NULL ?
	    method : "-"));
	log_jput(&m, " ", 1);
	log_jput(&m, route != NULL ? route : "-", strlen(route != NULL ?
	    route : "-"));
	log_jput(&m, " ", 1);
	log_itoa(status, 0, num);
	log_jput(&m, num, strlen(num));
	msg[m.full ? 0 : m.o] = '\0';
	log_record(LOG_LEVEL_INFO, "access", NULL, msg, f,
	    sizeof(f) / sizeof(f[0]));
}

const char *
log_mask(const char *secret, char out[LOG_MASK_SIZE])
{
	size_t	 len;
	int	 n;

	if (secret == NULL) {
		snprintf(out, LOG_MASK_SIZE, "(none)");
		return out;
	}
	len = strlen(secret);
	n = snprintf(out, LOG_MASK_SIZE, "%.*s...(%zu)",
	    len > 4 * LOG_MASK_PREFIX ? LOG_MASK_PREFIX : 0, secret, len);
	if (n < 0)
		out[0] = '\0';
	return out;
}

const char *
log_user_hash(const char *user, char out[LOG_USER_HASH_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t	 i;

	memcpy(out, "-", 2);
	if (user == NULL || EVP_Digest(user, strlen(user), md, &mdlen,
	    EVP_sha256(), NULL) != 1 || mdlen * 2 < LOG_USER_HASH_LEN)
		return out;
	for (i = 0; i < LOG_USER_HASH_LEN; i++)
		out[i] = hex[(md[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[LOG_USER_HASH_LEN] = '\0';
	return out;
}
