/*
 * conf: "key = value" files with '#' comment lines, described by a
 * table of keys.  Every key can be overridden by the environment
 * variable PREFIX + upper-case key (TODO_API_DATABASE, ...).  An empty
 * value means "not set".  Unknown keys, duplicate keys, missing required
 * keys and malformed values are errors naming the key and the line.
 */
#ifndef TODO_CONF_H
#define TODO_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CONF_LINE_MAX 4096
#define CONF_ERR_MAX 512

enum conf_type {
	CONF_STR,	/* char *, NULL when not set */
	CONF_INT,	/* long, within [min, max] */
	CONF_BOOL,	/* bool: on/off true/false yes/no 1/0 */
	CONF_FILE,	/* char *: the contents of the named file, trimmed */
	CONF_TYPE__MAX
};

struct conf_key {
	const char		*name;
	enum conf_type	 type;
	size_t			 offset;	/* into the program's struct */
	const char		*def;		/* default, as text; NULL: none */
	bool			 required;
	long			 min, max;	/* CONF_INT bounds */
	bool			 secret;	/* never echoed in messages */
};

/*
 * Fill the struct at "out" from the file at "path" (NULL: no file, the
 * environment and defaults only) and the environment.  On error,
 * "errbuf" holds a message such as "todo.conf:12: audience: required".
 */
enum err conf_load(const char *path, const char *env_prefix,
	    const struct conf_key *, size_t nkeys, void *out,
	    char *errbuf, size_t errlen);
/* Free the strings conf_load() stored in "out" (secrets wiped). */
void	 conf_free(const struct conf_key *, size_t nkeys, void *out);
/* Parse a boolean the way config files do. */
bool	 conf_bool_parse(const char *, bool *out);
/*
 * Read a whole small file (at most 64 KiB, no NUL byte, not empty) as a
 * CONF_FILE key does, trimmed of surrounding white space, into *out (the
 * caller wipes and frees it); *why (static) says what failed: ERR_SYSTEM
 * (cannot open or read, too large, a NUL byte), ERR_INPUT (empty).
 */
enum err conf_file_read(const char *path, char **out, const char **why);

#endif
