/*
 * log: single-line records on stderr (the web server's error log).
 * Control bytes are escaped; never pass a secret, use log_mask().
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

#define LOG_MASK_SIZE 32	/* room for log_mask()'s output */
#define LOG_LINE_MAX 2048	/* longer records are cut */

void	log_init(const char *prog, enum log_level);
/* "error", "warning", "info" or "debug"; false for anything else. */
bool	log_level_parse(const char *, enum log_level *);
void	log_write(enum log_level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "abcd…(123)": a short prefix and the length, safe to log. */
const char *log_mask(const char *secret, char out[LOG_MASK_SIZE]);

#define log_err(...)	log_write(LOG_LEVEL_ERR, __func__, __VA_ARGS__)
#define log_warn(...)	log_write(LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define log_info(...)	log_write(LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define log_debug(...)	log_write(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)

#endif
