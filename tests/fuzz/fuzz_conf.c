/*
 * fuzz_conf: the configuration file reader (conf_load) over a small key
 * table with every type: strings (one of them secret), a bounded
 * integer with a default, a boolean, a required key, and a CONF_FILE
 * key.  The input is the file, written to a memfd and read through
 * /proc/self/fd/N; one key also comes from the environment, which
 * overrides the file.  CONF_FILE reads the file it names, so that key
 * is only in the table when the input holds no '/': then it can only
 * name files of a scratch directory this target fills (a secret, an
 * empty one, one with a NUL, one too large) and is made the working
 * directory for the call.
 */
#define _GNU_SOURCE
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(64 * 1024)
#define FUZZ_BIG	(64 * 1024 + 1)	/* one byte over CONF_FILE_MAX */
#define FUZZ_SECRET	"fuzz-secret-value"

struct fuzz_conf {
	char	*database;
	char	*client_secret;
	char	*issuer;
	long	 clock_skew;
	long	 port;
	bool	 debug;
	char	*key_file;
};

#define KEY(n, t, f, d, r, lo, hi, s) \
	{ n, t, offsetof(struct fuzz_conf, f), d, r, lo, hi, s }
static const struct conf_key fuzz_keys[] = {
	KEY("database", CONF_STR, database, NULL, true, 0, 0, false),
	KEY("client_secret", CONF_STR, client_secret, NULL, false, 0, 0, true),
	KEY("issuer", CONF_STR, issuer, "https://issuer.example/", false, 0,
	    0, false),
	KEY("clock_skew", CONF_INT, clock_skew, "60", false, 0, 3600, false),
	KEY("port", CONF_INT, port, NULL, false, -1, 65535, true),
	KEY("debug", CONF_BOOL, debug, "off", false, 0, 0, false),
	KEY("key_file", CONF_FILE, key_file, NULL, false, 0, 0, true),
};
#define NKEYS		(sizeof(fuzz_keys) / sizeof(fuzz_keys[0]))

static char	scratch[64];
static int	cwd_fd = -1;

static void
scratch_put(const char *name, const char *data, size_t len)
{
	char	 path[128];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0)
		abort();
}

static void
scratch_clean(void)
{
	static const char *const names[] = { "secret", "empty", "nul", "big" };
	char	 path[128];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		unlink(path);
	}
	rmdir(scratch);
}

static void
fuzz_init(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		*big;

	log_init("fuzz_conf", LOG_LEVEL_ERR);
	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 32)
		tmp = "/tmp";
	snprintf(scratch, sizeof(scratch), "%s/fuzz_conf.XXXXXX", tmp);
	if (mkdtemp(scratch) == NULL)
		abort();
	atexit(scratch_clean);
	scratch_put("secret", "  " FUZZ_SECRET "\n", strlen(FUZZ_SECRET) + 3);
	scratch_put("empty", " \n\t\n", 4);
	scratch_put("nul", "ab\0cd", 5);
	if ((big = malloc(FUZZ_BIG)) == NULL)
		abort();
	memset(big, 'k', FUZZ_BIG);
	scratch_put("big", big, FUZZ_BIG);
	free(big);
	if ((cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		abort();
	/* The environment overrides the file for this key. */
	setenv("FUZZCONF_CLOCK_SKEW", "30", 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct fuzz_conf	 c;
	char			 path[64], err[CONF_ERR_MAX];
	size_t			 nkeys = NKEYS;
	bool			 files;
	enum err		 e;
	int			 fd;

	if (!init) {
		fuzz_init();
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	if ((fd = memfd_create("fuzz_conf", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	files = memchr(data, '/', size) == NULL;
	if (!files)
		nkeys--;	/* no key_file */
	else if (chdir(scratch) != 0)
		abort();
	memset(&c, 0, sizeof(c));
	memset(err, 'x', sizeof(err));
	e = conf_load(path, "FUZZCONF_", fuzz_keys, nkeys, &c, err,
	    sizeof(err));
	if (files && fchdir(cwd_fd) != 0)
		abort();
	close(fd);
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (e == ERR_OK) {
		if (c.database == NULL || c.issuer == NULL ||
		    c.clock_skew != 30 || c.port < -1 || c.port > 65535)
			abort();
		if (c.key_file != NULL && (!files ||
		    strcmp(c.key_file, FUZZ_SECRET) != 0))
			abort();
	} else {
		if (err[0] == '\0')
			abort();
		/* Messages never echo a secret file's contents. */
		if (strstr(err, FUZZ_SECRET) != NULL &&
		    memmem(data, size, FUZZ_SECRET, strlen(FUZZ_SECRET)) ==
		    NULL)
			abort();
	}
	conf_free(fuzz_keys, nkeys, &c);
	return 0;
}
