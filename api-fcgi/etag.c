/* Entity tags: If-Match and If-None-Match parsing and comparison. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "etag.h"

/* etagc (RFC 9110 8.8.3): %x21 / %x23-7E / obs-text. */
static bool
etag_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

static const char *
etag_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

enum err
etag_parse(const char *value, struct etag_list *out)
{
	const char *p, *q;
	struct etag *t;

	memset(out, 0, sizeof(*out));
	p = etag_ows(value);
	if (*p == '*' && *etag_ows(p + 1) == '\0') {
		out->any = true;
		return ERR_OK;
	}
	for (;;) {
		/* Empty list elements are allowed (RFC 9110 5.6.1). */
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (out->n == ETAG_LIST_MAX)
			goto bad;
		t = &out->v[out->n];
		if (p[0] == 'W' && p[1] == '/') {
			t->weak = true;
			p += 2;
		}
		if (*p != '"')
			goto bad;
		for (q = ++p; etag_char((unsigned char)*q); q++)
			;
		if (*q != '"')
			goto bad;
		t->opaque = p;
		t->len = (size_t)(q - p);
		out->n++;
		p = etag_ows(q + 1);
		if (*p != ',' && *p != '\0')
			goto bad;
	}
	if (out->n == 0)
		goto bad;
	return ERR_OK;
bad:
	memset(out, 0, sizeof(*out));
	return ERR_INPUT;
}

bool
etag_match(const struct etag_list *l, const char *tag, bool weak_tag,
    bool weak_compare)
{
	size_t	 i, len = strlen(tag);

	if (l->any)
		return true;
	if (!weak_compare && weak_tag)
		return false;
	for (i = 0; i < l->n; i++)
		if ((weak_compare || !l->v[i].weak) && l->v[i].len == len &&
		    memcmp(l->v[i].opaque, tag, len) == 0)
			return true;
	return false;
}

/* A version: 1 to ETAG_VERSION_DIGITS digits, no leading zero. */
static bool
etag_is_version(const struct etag *t)
{
	size_t	 i;

	if (t->weak || t->len == 0 || t->len > ETAG_VERSION_DIGITS ||
	    t->opaque[0] == '0')
		return false;
	for (i = 0; i < t->len; i++)
		if (t->opaque[i] < '0' || t->opaque[i] > '9')
			return false;
	return true;
}

enum err
etag_versions_sql(const struct etag_list *l, char *out, size_t len)
{
	size_t	 i, at = 1;
	int	 n;

	if (len < 3)
		return ERR_NOMEM;
	out[0] = '{';
	for (i = 0; i < l->n; i++) {
		if (!etag_is_version(&l->v[i]))
			continue;
		n = snprintf(out + at, len - at, "%s%.*s", at > 1 ? "," : "",
		    (int)l->v[i].len, l->v[i].opaque);
		if (n < 0 || (size_t)n >= len - at)
			return ERR_NOMEM;
		at += (size_t)n;
	}
	if (at + 2 > len)
		return ERR_NOMEM;
	out[at] = '}';
	out[at + 1] = '\0';
	return ERR_OK;
}
