/*
 * capture.h: catch what a function writes to stdout or stderr, through
 * a temporary file, for the unit tests.  Header-only, like tap.h.
 */
#ifndef TODO_CAPTURE_H
#define TODO_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int capture_tmpfd = -1;

/* Create the (already unlinked) temporary file once. */
static inline bool
capture_open(void)
{
	const char	*dir = getenv("TMPDIR");
	char		 path[256];
	int		 n;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	n = snprintf(path, sizeof(path), "%s/capture.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	if ((capture_tmpfd = mkstemp(path)) == -1)
		return false;
	unlink(path);
	return true;
}

/* Send fd (1 or 2) to the emptied file; returns the saved fd, or -1. */
static inline int
capture_begin(int fd)
{
	int saved;

	fflush(stdout);
	fflush(stderr);
	if (ftruncate(capture_tmpfd, 0) == -1 ||
	    lseek(capture_tmpfd, 0, SEEK_SET) == -1)
		return -1;
	if ((saved = dup(fd)) == -1)
		return -1;
	if (dup2(capture_tmpfd, fd) == -1) {
		close(saved);
		return -1;
	}
	return saved;
}

/* Restore fd and read what was written into out (max bytes, + NUL). */
static inline size_t
capture_end(int fd, int saved, char *out, size_t max)
{
	ssize_t n;

	out[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	if (saved == -1)
		return 0;
	dup2(saved, fd);
	close(saved);
	if (lseek(capture_tmpfd, 0, SEEK_SET) == -1)
		return 0;
	if ((n = read(capture_tmpfd, out, max)) <= 0)
		return 0;
	out[n] = '\0';
	return (size_t)n;
}

#endif
