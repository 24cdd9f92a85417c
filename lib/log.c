#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "log.h"
#include "utf8.h"

#define LOG_MASK_PREFIX 4
#define LOG_TIME_SIZE 32	/* "2026-12-02T09:30:00.123Z" */
#define LOG_NUM_SIZE 64		/* a formatted number */
/* A text record: the head, the message and the fields, each escaped. */
#define LOG_OUT_MAX (LOG_LINE_MAX * 4 + \
	LOG_FIELDS_MAX * (LOG_FIELD_MAX * 4 + 32) + 256)
#define LOG_EVENT_MAX 64	/* bytes of an event name */

static const char *log_prog = "todo-b2c";
static enum log_level log_max = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static char log_rid[LOG_REQUEST_ID_MAX + 1];
static struct timespec log_rstart;

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
	int	 w;

	if ((unsigned)f->key >= LOG_KEY__MAX)
		return NULL;
	switch (log_keys[f->key].type) {
	case LOG_TYPE_INT:
		w = snprintf(tmp, LOG_NUM_SIZE, "%.0f", f->num);
		return w > 0 && w < LOG_NUM_SIZE ? tmp : NULL;
	case LOG_TYPE_MS:
		w = snprintf(tmp, LOG_NUM_SIZE, "%.3f", f->num < 0 ? 0 :
		    f->num);
		return w > 0 && w < LOG_NUM_SIZE ? tmp : NULL;
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

/* s as valid UTF-8 in out (size sz): bad bytes become U+FFFD. */
static const char *
log_utf8(const char *s, char *out, size_t sz)
{
	size_t	 i, o = 0, len = strlen(s), k;
	uint32_t cp;

	for (i = 0; i < len; i += k) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (k == 0) {
			if (o + 4 > sz)
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			k = 1;
		} else {
			if (o + k + 1 > sz)
				break;
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	out[o] = '\0';
	return out;
}

static bool
log_json_str(struct json_object *o, const char *key, const char *v)
{
	char	 clean[LOG_LINE_MAX * 3 + 1];
	struct json_object *s;

	if ((s = json_object_new_string(log_utf8(v, clean, sizeof(clean)))) ==
	    NULL)
		return false;
	if (json_object_object_add(o, key, s) != 0) {
		json_object_put(s);
		return false;
	}
	return true;
}

static bool
log_json_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return false;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static void
log_time(char out[LOG_TIME_SIZE])
{
	struct timespec ts;
	struct tm tm;
	size_t	 n;

	out[0] = '\0';
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL)
		return;
	if ((n = strftime(out, LOG_TIME_SIZE, "%Y-%m-%dT%H:%M:%S", &tm)) ==
	    0)
		return;
	if (snprintf(out + n, LOG_TIME_SIZE - n, ".%03ldZ",
	    ts.tv_nsec / 1000000) >= (int)(LOG_TIME_SIZE - n))
		out[0] = '\0';
}

/* The JSON record; false when json-c fails (the caller writes text). */
static bool
log_json(enum log_level lvl, const char *event, const char *func,
    const char *msg, const struct log_field *f, size_t nf)
{
	char	 t[LOG_TIME_SIZE], tmp[LOG_NUM_SIZE];
	char	 cut[LOG_FIELD_MAX + 1];
	struct json_object *o;
	struct iovec iov[2];
	const char *s, *v;
	size_t	 i;
	bool	 good;

	if ((o = json_object_new_object()) == NULL)
		return false;
	log_time(t);
	good = log_json_str(o, "time", t) &&
	    log_json_str(o, "level", log_names[lvl]) &&
	    log_json_str(o, "program", log_prog) &&
	    log_json_add(o, "pid", json_object_new_int64((int64_t)getpid()));
	if (good && log_rid[0] != '\0')
		good = log_json_str(o, "request_id", log_rid);
	else if (good)
		good = json_object_object_add(o, "request_id", NULL) == 0;
	good = good && log_json_str(o, "event", event) &&
	    log_json_str(o, "msg", msg);
	if (good && func != NULL)
		good = log_json_str(o, "func", func);
	for (i = 0; good && i < nf && i < LOG_FIELDS_MAX; i++) {
		if ((v = log_field_str(&f[i], tmp, cut)) == NULL)
			continue;
		switch (log_keys[f[i].key].type) {
		case LOG_TYPE_INT:
			good = log_json_add(o, log_keys[f[i].key].name,
			    json_object_new_int64((int64_t)f[i].num));
			break;
		case LOG_TYPE_MS:
			good = log_json_add(o, log_keys[f[i].key].name,
			    json_object_new_double_s(f[i].num < 0 ? 0 :
			    f[i].num, v));
			break;
		default:
			good = log_json_str(o, log_keys[f[i].key].name, v);
			break;
		}
	}
	if (good && (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) !=
	    NULL) {
		/* One write per record: records of processes do not mix. */
		iov[0].iov_base = (void *)(uintptr_t)s;
		iov[0].iov_len = strlen(s);
		iov[1].iov_base = (void *)(uintptr_t)"\n";
		iov[1].iov_len = 1;
		(void)writev(STDERR_FILENO, iov, 2);
	} else
		good = false;
	json_object_put(o);
	return good;
}

/* ---- records ------------------------------------------------------------- */

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
	log_event(LOG_LEVEL_INFO, "access", LOG_FIELDS(LOG_F_METHOD(method),
	    LOG_F_ROUTE(route), LOG_F_STATUS(status),
	    LOG_F_DURATION_MS(duration_ms)), "%s %s %d",
	    method != NULL ? method : "-", route != NULL ? route : "-",
	    status);
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
