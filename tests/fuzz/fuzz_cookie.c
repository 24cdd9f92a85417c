#include "config.h"

/*
 * fuzz_cookie: cookie_get on hostile Cookie headers, cookie_set on
 * hostile names and values.  Input: the first byte picks the cookie
 * name, the rest is the header; cookie_set gets the bytes split at
 * the first '\n' as name and value.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cookie.h"

#define FUZZ_MAX	(2 * COOKIE_HEADER_MAX)

static const char *const names[] = {
	"sid", "__Host-sid", "csrf", "a", "x",
};

/* Invariants a returned value must satisfy; abort() is a finding. */
static void
check_value(const char *v)
{
	if (!cookie_value_ok(v))
		abort();
}

static void
check_set(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 ||
		    (unsigned char)b->data[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cookie_attrs attrs = COOKIE_ATTRS_DEFAULT;
	struct buf	 b;
	char		*s = NULL, *v = NULL, *nl;
	const char	*name;
	enum err	 e;

	if (size == 0 || size > FUZZ_MAX)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	e = cookie_get(s, name, &v);
	if (e == ERR_OK)
		check_value(v);
	else if (v != NULL)
		abort();
	free(v);
	v = NULL;
	/* The header used as a name must not crash either. */
	e = cookie_get("sid=1; a=2", s, &v);
	if (e == ERR_OK)
		check_value(v);
	free(v);

	buf_init(&b, 0);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		e = cookie_set(&b, s, nl + 1, &attrs);
	} else
		e = cookie_set(&b, name, s, NULL);
	if (e == ERR_OK)
		check_set(&b);
	else if (b.len != 0)
		abort();
	buf_free(&b);
	free(s);
	return 0;
}
