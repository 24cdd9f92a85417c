#include "config.h"

/*
 * fuzz_form: url_params_parse (form and query), url_decode,
 * url_encode and url_utf8_valid on hostile bytes.  Checks that
 * decoded names hold no NUL or control byte and values none but tab,
 * CR and LF, that
 * url_params_get agrees with url_params_count, and that
 * decode(encode(x)) == x.  Form values end up in HTML, so the same
 * bytes go through html_escape_n: its output must be valid UTF-8
 * without markup characters.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "url.h"

#define FUZZ_MAX	(URL_FORM_MAX + 64)

/* No control byte; in values (text) tab, CR and LF are allowed. */
static void
check_bytes(const char *s, bool text)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 || *s == 0x7f) &&
		    !(text && (*s == '\t' || *s == '\r' || *s == '\n')))
			abort();
}

static void
check_str(const char *s)
{
	check_bytes(s, false);
}

static void
check_params(const struct url_params *p)
{
	size_t		 i, n;
	const char	*v;

	if (p->n > URL_PARAMS_MAX)
		abort();
	for (i = 0; i < p->n; i++) {
		if (p->v[i].name == NULL || p->v[i].name[0] == '\0' ||
		    p->v[i].value == NULL)
			abort();
		check_str(p->v[i].name);
		check_bytes(p->v[i].value, true);
		n = url_params_count(p, p->v[i].name);
		v = url_params_get(p, p->v[i].name);
		if (n == 0 || (n == 1) != (v != NULL) ||
		    (n > 1) != url_params_dup(p, p->v[i].name))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url_params	 p;
	struct buf		 b;
	const char		*in = (const char *)data;
	char			*dec = NULL, *back = NULL;

	if (size > FUZZ_MAX)
		return 0;
	if (url_params_parse(in, size, true, &p) == ERR_OK)
		check_params(&p);
	else if (p.n != 0 || p.v != NULL)
		abort();
	url_params_free(&p);
	if (url_params_parse(in, size, false, &p) == ERR_OK)
		check_params(&p);
	url_params_free(&p);

	buf_init(&b, 0);
	if (html_escape_n(&b, in, size) != ERR_OK)
		abort();
	if (!url_utf8_valid(buf_str(&b), b.len) ||
	    strpbrk(buf_str(&b), "<>\"'") != NULL)
		abort();
	buf_free(&b);

	if (url_decode(in, size, true, &dec) != ERR_OK) {
		if (dec != NULL)
			abort();
		return 0;
	}
	check_str(dec);
	buf_init(&b, 0);
	if (url_encode(dec, &b) != ERR_OK)
		abort();
	/*
	 * Encoding grows the text: past URL_FORM_MAX, url_decode refuses
	 * it (a 64 KiB form of '&' and '=' encodes to more than 64 KiB).
	 */
	if (b.len > URL_FORM_MAX) {
		if (url_decode(buf_str(&b), b.len, false, &back) !=
		    ERR_INPUT || back != NULL)
			abort();
	} else if (url_decode(buf_str(&b), b.len, false, &back) != ERR_OK ||
	    strcmp(back, dec) != 0)
		abort();
	buf_free(&b);
	free(back);
	free(dec);
	return 0;
}
