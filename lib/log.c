#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_MASK_PREFIX 4

static const char *log_prog = "todo-b2c";
static enum log_level log_max = LOG_LEVEL_INFO;

static const char *const log_names[LOG_LEVEL__MAX] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
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

void
log_write(enum log_level lvl, const char *func, const char *fmt, ...)
{
	char	 msg[LOG_LINE_MAX], out[LOG_LINE_MAX * 4 + 128];
	size_t	 i, o;
	int	 n;
	va_list	 ap;

	if (lvl > log_max || (unsigned)lvl >= LOG_LEVEL__MAX)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n = snprintf(out, sizeof(out), "%s[%ld]: %s: %s: ", log_prog,
	    (long)getpid(), log_names[lvl], func);
	if (n < 0 || (size_t)n >= sizeof(out))
		return;
	o = (size_t)n;
	for (i = 0; msg[i] != '\0' && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			n = snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
			if (n < 0 || (size_t)n >= sizeof(out) - o)
				break;
			o += (size_t)n;
		} else
			out[o++] = (char)c;
	}
	out[o++] = '\n';
	/* One write per record, so records from processes do not mix. */
	if (write(STDERR_FILENO, out, o) < 0)
		return;
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
