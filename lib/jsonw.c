#include "config.h"

#include <stdint.h>
#include <string.h>

#include "jsonw.h"
#include "utf8.h"

void
jsonw_quote(const char *s, size_t len, jsonw_put_fn put, void *arg)
{
	static const char hex[] = "0123456789abcdef";
	/* The two-character escapes, as json-c writes them. */
	static const char pairs[] = "\"\"\\\\\nn\rr\tt\bb\ff";
	const unsigned char *u = (const unsigned char *)s;
	const char *q;
	char	 two[2] = { '\\', 0 };
	char	 esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t	 i = 0, run, k;
	uint32_t cp;

	put(arg, "\"", 1);
	while (i < len) {
		for (run = i; run < len && u[run] >= 0x20 && u[run] < 0x80 &&
		    u[run] != '"' && u[run] != '\\'; run++)
			;
		if (run > i)
			put(arg, s + i, run - i);
		if ((i = run) == len)
			break;
		if (u[i] >= 0x80) {
			if ((k = utf8_decode(u + i, len - i, &cp)) == 0) {
				put(arg, "\xef\xbf\xbd", 3);
				k = 1;
			} else
				put(arg, s + i, k);
			i += k;
			continue;
		}
		/* u[i] is '"', '\\' or a control byte here. */
		if ((q = memchr(pairs, u[i], sizeof(pairs) - 1)) != NULL) {
			two[1] = q[1];
			put(arg, two, sizeof(two));
		} else {
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 0xf];
			put(arg, esc, sizeof(esc));
		}
		i++;
	}
	put(arg, "\"", 1);
}

static void
jsonw_buf_put(void *arg, const char *s, size_t n)
{
	(void)buf_add(arg, s, n);
}

enum err
jsonw_str(struct buf *b, const char *s)
{
	jsonw_quote(s, strlen(s), jsonw_buf_put, b);
	return b->err;
}
