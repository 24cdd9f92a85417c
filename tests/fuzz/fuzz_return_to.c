#include "config.h"

/*
 * fuzz_return_to: the open-redirect guard.  Whatever it accepts must
 * stay a same-origin path however often it is percent-decoded: one
 * leading '/', no "//" or "/\" at the start, no backslash, control
 * byte or space anywhere.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#define FUZZ_MAX	(URL_RETURN_TO_MAX + 64)
#define DECODE_ROUNDS	3

static void
check_path(const char *s, size_t len, bool raw)
{
	size_t i;

	if (len == 0 || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		abort();
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '\\')
			abort();
		/* Raw (undecoded) paths are printable ASCII only. */
		if (raw && ((unsigned char)s[i] > 0x7e || s[i] == ' '))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = NULL, *d = NULL, *next;
	int	 round;

	if (size > FUZZ_MAX || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!url_return_to_ok(s))
		goto out;
	if (memchr(data, '\0', size) == NULL && strlen(s) > URL_RETURN_TO_MAX)
		abort();
	check_path(s, strlen(s), true);
	/* A second consumer that decodes (once or more) sees a path. */
	if (url_decode(s, strlen(s), false, &d) != ERR_OK)
		abort();
	for (round = 0; round < DECODE_ROUNDS; round++) {
		check_path(d, strlen(d), false);
		if (url_decode(d, strlen(d), false, &next) != ERR_OK)
			break;
		free(d);
		d = next;
	}
out:
	free(d);
	free(s);
	return 0;
}
