/*
 * replay: run a libFuzzer target over its seed corpus without
 * libFuzzer, so `make check` replays the corpora under any compiler.
 * Arguments are files or directories (not recursive); without any, the
 * target's own corpus, $srcdir/tests/fuzz/corpus/FUZZ_CORPUS (the name is
 * given at build time).  Prints TAP, one "ok" per input; a crash or
 * sanitizer report ends the run.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_INPUT_MAX (1024 * 1024)	/* bytes read per input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int replay_n, replay_failed;

static void
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*p;
	size_t	 len;

	replay_n++;
	if ((p = malloc(REPLAY_INPUT_MAX)) == NULL ||
	    (f = fopen(path, "rb")) == NULL) {
		printf("not ok %d - %s: cannot read\n", replay_n, path);
		replay_failed++;
		free(p);
		return;
	}
	len = fread(p, 1, REPLAY_INPUT_MAX, f);
	fclose(f);
	/* An exact-size copy lets ASan see reads past the end. */
	{
		uint8_t *q = malloc(len ? len : 1);

		if (q == NULL) {
			printf("not ok %d - %s: out of memory\n", replay_n,
			    path);
			replay_failed++;
			free(p);
			return;
		}
		memcpy(q, p, len);
		free(p);
		LLVMFuzzerTestOneInput(q, len);
		free(q);
	}
	printf("ok %d - %s (%zu bytes)\n", replay_n, path, len);
	fflush(stdout);
}

static void
replay_dir(const char *dir)
{
	struct dirent	**ents;
	char		  path[4096];
	struct stat	  st;
	int		  i, n, r;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		printf("not ok %d - %s: cannot list\n", ++replay_n, dir);
		replay_failed++;
		return;
	}
	for (i = 0; i < n; i++) {
		r = snprintf(path, sizeof(path), "%s/%s", dir,
		    ents[i]->d_name);
		if (r > 0 && (size_t)r < sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path);
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char *argv[])
{
	struct stat	st;
	char		dflt[4096];
	const char	*srcdir;
	int		i;

#ifdef FUZZ_CORPUS
	if (argc < 2) {
		if ((srcdir = getenv("srcdir")) == NULL)
			srcdir = ".";
		i = snprintf(dflt, sizeof(dflt), "%s/tests/fuzz/corpus/%s",
		    srcdir, FUZZ_CORPUS);
		if (i < 0 || (size_t)i >= sizeof(dflt)) {
			printf("Bail out! corpus path too long\n");
			return 1;
		}
		replay_dir(dflt);
	}
#else
	(void)dflt;
	(void)srcdir;
#endif
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			printf("not ok %d - %s: missing\n", ++replay_n,
			    argv[i]);
			replay_failed++;
		} else if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("1..%d\n", replay_n);
	return replay_failed ? 1 : 0;
}
