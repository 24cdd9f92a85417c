#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "langtag.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	static const struct {
		const char	*header;
		const char	*want;
	} cases[] = {
		{ "en-US,en;q=0.9", "en-US en" },
		{ "de", "de" },
		{ "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
		    "fr-CH fr en" },
		{ "*", "" },
		{ "", "" },
		{ "zh-Hant-TW", "zh-Hant-TW" },
		{ "en;q=0, de", "de" },
		{ "en;q=0.000, de;q=0.1", "de" },
		{ "e", "" },				/* too short */
		{ "abcdefghi", "" },			/* 9 letters */
		{ "en-", "" },
		{ "en--US", "" },
		{ "en_US", "" },
		{ "en US", "" },
		{ "1en", "" },
		{ "en\"><script>", "" },
		{ "en%20x", "" },
		{ "en&ui_locales=x", "" },
		{ "  pt-BR ;q=0.8 ,es", "pt-BR es" },
		{ ",,,en,,", "en" },
		{ "en-aaaaaaaa-bbbbbbbb-cccccccc-dddd-eee", "" },	/* > 35 */
		{ "x-private", "" },
	};
	struct buf b;
	char	 big[LANGTAG_HEADER_MAX + 2];
	size_t	 i;

	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 0);
		is_int(langtag_ui_locales(cases[i].header, &b), ERR_OK,
		    "case %zu: ok", i);
		is_str(buf_str(&b), cases[i].want, "case %zu: the tags kept",
		    i);
		buf_free(&b);
	}
	buf_init(&b, 0);
	is_int(langtag_ui_locales(NULL, &b), ERR_INPUT, "NULL refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(langtag_ui_locales(big, &b), ERR_INPUT, "a long header refused");
	is_int((int)b.len, 0, "and nothing written");
	buf_free(&b);
	return tap_done();
}
