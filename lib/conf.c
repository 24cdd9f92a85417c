#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf.h"

#define CONF_FILE_MAX (64 * 1024)
#define CONF_KEYS_MAX 64
#define CONF_ENV_NAME_MAX 128

static void __attribute__((format(printf, 3, 4)))
conf_errf(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(errbuf, errlen, fmt, ap) < 0 && errlen > 0)
		errbuf[0] = '\0';
	va_end(ap);
}

bool
conf_bool_parse(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1" };
	static const char *const no[] = { "off", "false", "no", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static char *
conf_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Read a whole small file, trimmed of surrounding white space. */
static enum err
conf_read_file(const char *path, char **out, const char **why)
{
	FILE	*f = NULL;
	char	*data = NULL, *t;
	size_t	 n;
	enum err e = ERR_SYSTEM;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		*why = strerror(errno);
		goto out;
	}
	if ((data = malloc(CONF_FILE_MAX + 1)) == NULL) {
		e = ERR_NOMEM;
		*why = "out of memory";
		goto out;
	}
	n = fread(data, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f)) {
		*why = "read error";
		goto out;
	}
	if (n > CONF_FILE_MAX) {
		*why = "file too large";
		goto out;
	}
	data[n] = '\0';
	if (strlen(data) != n) {
		*why = "file contains a NUL byte";
		goto out;
	}
	t = conf_trim(data);
	if (*t == '\0') {
		*why = "file is empty";
		e = ERR_INPUT;
		goto out;
	}
	if ((*out = strdup(t)) == NULL) {
		e = ERR_NOMEM;
		*why = "out of memory";
		goto out;
	}
	e = ERR_OK;
out:
	if (data != NULL) {
		OPENSSL_cleanse(data, CONF_FILE_MAX + 1);
		free(data);
	}
	if (f != NULL)
		fclose(f);
	return e;
}

enum err
conf_file_read(const char *path, char **out, const char **why)
{
	return conf_read_file(path, out, why);
}

/* Store one textual value into its field.  "where" prefixes messages. */
static enum err
conf_set(const struct conf_key *k, const char *val, void *out,
    const char *where, char *errbuf, size_t errlen)
{
	char	*base = (char *)out + k->offset, *end, *copy = NULL;
	const char *why = NULL;
	long	 l;
	bool	 b;
	enum err e;

	switch (k->type) {
	case CONF_STR:
	case CONF_FILE:
		if (k->type == CONF_FILE) {
			e = conf_read_file(val, &copy, &why);
			if (e != ERR_OK) {
				conf_errf(errbuf, errlen, "%s%s: %s: %s",
				    where, k->name, val, why);
				return e;
			}
		} else if ((copy = strdup(val)) == NULL) {
			conf_errf(errbuf, errlen, "%s%s: out of memory", where,
			    k->name);
			return ERR_NOMEM;
		}
		if (*(char **)base != NULL) {
			OPENSSL_cleanse(*(char **)base,
			    strlen(*(char **)base));
			free(*(char **)base);
		}
		*(char **)base = copy;
		return ERR_OK;
	case CONF_INT:
		errno = 0;
		l = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' ||
		    !(isdigit((unsigned char)*val) || *val == '-') ||
		    l < k->min || l > k->max) {
			conf_errf(errbuf, errlen,
			    "%s%s: \"%s\" is not a whole number from %ld "
			    "to %ld", where, k->name, k->secret ? "(secret)" :
			    val, k->min, k->max);
			return ERR_INPUT;
		}
		*(long *)base = l;
		return ERR_OK;
	case CONF_BOOL:
		if (!conf_bool_parse(val, &b)) {
			conf_errf(errbuf, errlen, "%s%s: \"%s\" is not "
			    "on/off, true/false, yes/no or 1/0", where,
			    k->name, k->secret ? "(secret)" : val);
			return ERR_INPUT;
		}
		*(bool *)base = b;
		return ERR_OK;
	default:
		return ERR_SYSTEM;
	}
}

static const struct conf_key *
conf_find(const struct conf_key *keys, size_t nkeys, const char *name)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

enum err
conf_load(const char *path, const char *env_prefix,
    const struct conf_key *keys, size_t nkeys, void *out,
    char *errbuf, size_t errlen)
{
	FILE	*f = NULL;
	char	 line[CONF_LINE_MAX + 2], where[CONF_LINE_MAX];
	char	 envname[CONF_ENV_NAME_MAX], *p, *eq, *name, *val;
	const char *env;
	bool	 seen[CONF_KEYS_MAX] = { false };	/* in the file */
	bool	 set[CONF_KEYS_MAX] = { false };	/* has a value */
	const struct conf_key *k;
	size_t	 i, j, lineno = 0;
	enum err e = ERR_INPUT;

	errbuf[0] = '\0';
	if (nkeys > CONF_KEYS_MAX) {
		conf_errf(errbuf, errlen, "too many configuration keys");
		return ERR_SYSTEM;
	}
	/* Defaults first. */
	for (i = 0; i < nkeys; i++) {
		if (keys[i].def == NULL)
			continue;
		if ((e = conf_set(&keys[i], keys[i].def, out, "default ",
		    errbuf, errlen)) != ERR_OK)
			goto out;
		set[i] = true;
	}
	if (path != NULL) {
		if ((f = fopen(path, "r")) == NULL) {
			conf_errf(errbuf, errlen, "%s: %s", path,
			    strerror(errno));
			e = ERR_SYSTEM;
			goto out;
		}
		while (fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			if (snprintf(where, sizeof(where), "%s:%zu: ", path,
			    lineno) >= (int)sizeof(where)) {
				e = ERR_INPUT;
				conf_errf(errbuf, errlen, "path too long");
				goto out;
			}
			if (strchr(line, '\n') == NULL && !feof(f)) {
				conf_errf(errbuf, errlen,
				    "%sline too long", where);
				e = ERR_INPUT;
				goto out;
			}
			p = conf_trim(line);
			if (*p == '\0' || *p == '#')
				continue;
			if ((eq = strchr(p, '=')) == NULL) {
				conf_errf(errbuf, errlen, "%sexpected "
				    "\"key = value\"", where);
				e = ERR_INPUT;
				goto out;
			}
			*eq = '\0';
			name = conf_trim(p);
			val = conf_trim(eq + 1);
			if ((k = conf_find(keys, nkeys, name)) == NULL) {
				conf_errf(errbuf, errlen,
				    "%s%s: unknown key", where, name);
				e = ERR_INPUT;
				goto out;
			}
			j = (size_t)(k - keys);
			if (seen[j]) {
				conf_errf(errbuf, errlen,
				    "%s%s: given twice", where, name);
				e = ERR_INPUT;
				goto out;
			}
			seen[j] = true;
			if (*val == '\0')
				continue;	/* empty: not set */
			if ((e = conf_set(k, val, out, where, errbuf,
			    errlen)) != ERR_OK)
				goto out;
			set[j] = true;
		}
		if (ferror(f)) {
			conf_errf(errbuf, errlen, "%s: read error", path);
			e = ERR_SYSTEM;
			goto out;
		}
	}
	/* The environment overrides the file. */
	for (i = 0; i < nkeys; i++) {
		k = &keys[i];
		if (snprintf(envname, sizeof(envname), "%s%s", env_prefix,
		    k->name) >= (int)sizeof(envname)) {
			e = ERR_SYSTEM;
			goto out;
		}
		for (p = envname; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		if ((env = getenv(envname)) == NULL || *env == '\0')
			continue;
		if (snprintf(where, sizeof(where), "environment %s: ",
		    envname) >= (int)sizeof(where)) {
			e = ERR_SYSTEM;
			goto out;
		}
		if ((e = conf_set(k, env, out, where, errbuf, errlen)) !=
		    ERR_OK)
			goto out;
		set[i] = true;
	}
	for (i = 0; i < nkeys; i++) {
		if (keys[i].required && !set[i]) {
			conf_errf(errbuf, errlen, "%s%s%s: required but "
			    "not set", path ? path : "", path ? ": " : "",
			    keys[i].name);
			e = ERR_INPUT;
			goto out;
		}
	}
	e = ERR_OK;
out:
	if (f != NULL)
		fclose(f);
	return e;
}

void
conf_free(const struct conf_key *keys, size_t nkeys, void *out)
{
	size_t	 i;
	char	**p;

	for (i = 0; i < nkeys; i++) {
		if (keys[i].type != CONF_STR && keys[i].type != CONF_FILE)
			continue;
		p = (char **)((char *)out + keys[i].offset);
		if (*p != NULL) {
			OPENSSL_cleanse(*p, strlen(*p));
			free(*p);
			*p = NULL;
		}
	}
}
