/*
 * log: records on stderr (the web server's error log), one line each,
 * in one of two formats chosen at start (log_set_format):
 *
 *   text  prog[pid]: level: function: [request-id] message
 *         prog[pid]: level: event: [request-id] message key=value ...
 *   json  {"time":"2026-12-02T09:30:00.123Z","level":"info",
 *         "program":"todo-api","pid":42,"request_id":"...",
 *         "event":"access","msg":"...", ...the event's fields}
 *
 * The "[request-id] " part (text) and "request_id" (json, null outside
 * a request) come from the request context, log_request_begin() to
 * log_request_end().  Control bytes are escaped in text; JSON is built
 * with json-c and invalid UTF-8 is replaced by U+FFFD.  Never pass a
 * secret: use log_mask().  A field value shaped like a JWT is masked,
 * and LOG_F_USER is written as a short hash only.
 */
#ifndef TODO_LOG_H
#define TODO_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL__MAX
};

enum log_format {
	LOG_FORMAT_TEXT,	/* the default */
	LOG_FORMAT_JSON,
	LOG_FORMAT__MAX
};

#define LOG_MASK_SIZE 32	/* room for log_mask()'s output */
#define LOG_LINE_MAX 2048	/* longer messages are cut, in bytes */
#define LOG_FIELD_MAX 256	/* longer field values are cut, in bytes */
#define LOG_FIELDS_MAX 8	/* fields of one event; more are dropped */
#define LOG_REQUEST_ID_MAX 64	/* bytes of a request id */
#define LOG_USER_HASH_LEN 12	/* hex digits of log_user_hash() */
#define LOG_USER_HASH_SIZE (LOG_USER_HASH_LEN + 1)

void	log_init(const char *prog, enum log_level);
/* "error", "warning", "info" or "debug"; false for anything else. */
bool	log_level_parse(const char *, enum log_level *);
/* "text" or "json"; false for anything else. */
bool	log_format_parse(const char *, enum log_format *);
void	log_set_format(enum log_format);
void	log_write(enum log_level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "abcd…(123)": a short prefix and the length, safe to log. */
const char *log_mask(const char *secret, char out[LOG_MASK_SIZE]);
/*
 * The first LOG_USER_HASH_LEN hex digits of SHA-256(user): names a user
 * in the logs without the identifier.  "-" when user is NULL or the
 * hash cannot be computed.
 */
const char *log_user_hash(const char *user, char out[LOG_USER_HASH_SIZE]);

/*
 * The request context: records written between the two calls carry
 * the request id.  An id that is not 1 to LOG_REQUEST_ID_MAX bytes of
 * [A-Za-z0-9._-] is not used (records then carry none).  The id is
 * copied; begin also starts the clock of log_request_elapsed_ms().
 */
void	log_request_begin(const char *id);
void	log_request_end(void);
const char *log_request_id(void);	/* NULL outside a request */
double	log_request_elapsed_ms(void);	/* since begin; 0 outside */

/*
 * The optional fields of an event.  The key fixes the type and the
 * JSON member name; build fields with the LOG_F_ macros below.
 */
enum log_key {
	LOG_KEY_METHOD,			/* "method": "GET" */
	LOG_KEY_ROUTE,			/* "route": a template, not a path */
	LOG_KEY_STATUS,			/* "status": an integer */
	LOG_KEY_DURATION_MS,		/* "duration_ms": 3 decimals */
	LOG_KEY_USER,			/* "user": log_user_hash() of it */
	LOG_KEY_B2C_CORRELATION_ID,	/* "b2c_correlation_id" */
	LOG_KEY_PROVIDER_ERROR,		/* "provider_error": a code */
	LOG_KEY__MAX
};

struct log_field {
	enum log_key	 key;
	const char	*str;	/* string keys; NULL: field left out */
	double		 num;	/* status, duration_ms */
};

#define LOG_F_METHOD(s)	((struct log_field){ LOG_KEY_METHOD, (s), 0 })
#define LOG_F_ROUTE(s)	((struct log_field){ LOG_KEY_ROUTE, (s), 0 })
#define LOG_F_STATUS(n)	((struct log_field){ LOG_KEY_STATUS, NULL, (n) })
#define LOG_F_DURATION_MS(ms) \
	((struct log_field){ LOG_KEY_DURATION_MS, NULL, (ms) })
#define LOG_F_USER(s)	((struct log_field){ LOG_KEY_USER, (s), 0 })
#define LOG_F_B2C_CORRELATION_ID(s) \
	((struct log_field){ LOG_KEY_B2C_CORRELATION_ID, (s), 0 })
#define LOG_F_PROVIDER_ERROR(s) \
	((struct log_field){ LOG_KEY_PROVIDER_ERROR, (s), 0 })
/* "fields, nfields" for log_event() from a list of LOG_F_ values. */
#define LOG_FIELDS(...) \
	((const struct log_field[]){ __VA_ARGS__ }), \
	(sizeof((const struct log_field[]){ __VA_ARGS__ }) / \
	sizeof(struct log_field))
#define LOG_NOFIELDS	NULL, 0

/*
 * One event: "event" names it ([a-z0-9_], e.g. "provider_error"), the
 * message says it for a person (fmt may be NULL: no message).
 *   log_event(LOG_LEVEL_WARN, "token_refused",
 *       LOG_FIELDS(LOG_F_PROVIDER_ERROR(code)), "the code was refused");
 */
void	log_event(enum log_level, const char *event,
	    const struct log_field *, size_t nfields, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/*
 * The access record of a request, at info: event "access", message
 * "METHOD ROUTE STATUS", fields method, route (NULL: left out), status
 * and duration_ms.
 */
void	log_access(const char *method, const char *route, int status,
	    double duration_ms);

#define log_err(...)	log_write(LOG_LEVEL_ERR, __func__, __VA_ARGS__)
#define log_warn(...)	log_write(LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define log_info(...)	log_write(LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define log_debug(...)	log_write(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)

#endif
