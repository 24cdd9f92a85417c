#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "hex.h"
#include "url.h"
#include "utf8.h"

static const char hexupper[] = "0123456789ABCDEF";

static bool
url_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * The byte a well-formed "%XX" at s[0..2] stands for, else -1.  s[2]
 * is read only when s[1] is a hex digit, so a NUL-terminated string
 * may pass left = 3.
 */
static int
url_escape_at(const char *s, size_t left)
{
	int hi, lo;

	if (left < 3 || s[0] != '%')
		return -1;
	if ((hi = hex_digit((unsigned char)s[1])) < 0 ||
	    (lo = hex_digit((unsigned char)s[2])) < 0)
		return -1;
	return hi << 4 | lo;
}

/*
 * Percent-decode; control bytes are refused, except tab, CR and LF when
 * "text" is set (form and query values: multi-line text such as a B2C
 * error_description).
 */
static enum err
url_decode_ex(const char *in, size_t len, bool plus_is_space, bool text,
    char **out)
{
	char		*s = NULL;
	size_t		 i, o = 0;
	int		 c;
	enum err	 e = ERR_INPUT;

	*out = NULL;
	if (in == NULL || len > URL_FORM_MAX)
		goto out;
	if ((s = malloc(len + 1)) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c == '%') {
			if ((c = url_escape_at(in + i, len - i)) < 0)
				goto out;
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (url_ctl((unsigned char)c) && !(text && (c == '\t' ||
		    c == '\r' || c == '\n')))
			goto out;
		s[o++] = (char)c;
	}
	s[o] = '\0';
	*out = s;
	s = NULL;
	e = ERR_OK;
out:
	if (s != NULL) {
		OPENSSL_cleanse(s, len + 1);
		free(s);
	}
	return e;
}

enum err
url_decode(const char *in, size_t len, bool plus_is_space, char **out)
{
	return url_decode_ex(in, len, plus_is_space, false, out);
}

bool
url_utf8_valid(const char *s, size_t len)
{
	return utf8_valid(s, len);
}

enum err
url_encode(const char *in, struct buf *out)
{
	const unsigned char	*p;
	char			 esc[3];
	enum err		 e = ERR_OK;

	if (in == NULL)
		return ERR_INPUT;
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (url_unreserved(*p)) {
			e = buf_addc(out, (char)*p);
		} else {
			esc[0] = '%';
			esc[1] = hexupper[*p >> 4];
			esc[2] = hexupper[*p & 0x0f];
			e = buf_add(out, esc, sizeof(esc));
		}
		if (e != ERR_OK)
			break;
	}
	return e;
}

static void
url_param_clear(struct url_param *p)
{
	free(p->name);
	if (p->value != NULL) {
		OPENSSL_cleanse(p->value, strlen(p->value));
		free(p->value);
	}
	p->name = p->value = NULL;
}

void
url_params_free(struct url_params *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++)
		url_param_clear(&ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

enum err
url_params_parse(const char *query, size_t len, bool form,
    struct url_params *out)
{
	struct url_param	 p = { NULL, NULL };
	const char		*piece, *end, *amp, *eq;
	size_t			 plen;
	enum err		 e = ERR_INPUT;

	out->v = NULL;
	out->n = 0;
	if (query == NULL || len > URL_FORM_MAX)
		goto out;
	if ((out->v = calloc(URL_PARAMS_MAX, sizeof(*out->v))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	end = query + len;
	for (piece = query; piece < end; piece = amp + 1) {
		if ((amp = memchr(piece, '&', (size_t)(end - piece))) == NULL)
			amp = end;
		if ((plen = (size_t)(amp - piece)) == 0)
			continue;
		if (out->n == URL_PARAMS_MAX) {
			e = ERR_INPUT;
			goto out;
		}
		if ((eq = memchr(piece, '=', plen)) == NULL)
			eq = amp;
		if (eq == piece) {
			e = ERR_INPUT;
			goto out;
		}
		if ((e = url_decode(piece, (size_t)(eq - piece), form,
		    &p.name)) != ERR_OK)
			goto out;
		if (eq == amp)
			e = url_decode("", 0, form, &p.value);
		else
			e = url_decode_ex(eq + 1, (size_t)(amp - eq - 1), form,
			    true, &p.value);
		if (e != ERR_OK)
			goto out;
		out->v[out->n++] = p;
		p.name = p.value = NULL;
	}
	e = ERR_OK;
out:
	url_param_clear(&p);
	if (e != ERR_OK)
		url_params_free(out);
	return e;
}

size_t
url_params_count(const struct url_params *ps, const char *name)
{
	size_t i, n = 0;

	if (ps == NULL || name == NULL)
		return 0;
	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			n++;
	return n;
}

bool
url_params_dup(const struct url_params *ps, const char *name)
{
	return url_params_count(ps, name) > 1;
}

const char *
url_params_get(const struct url_params *ps, const char *name)
{
	const char	*found = NULL;
	size_t		 i;

	if (ps == NULL || name == NULL)
		return NULL;
	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->v[i].name, name) != 0)
			continue;
		if (found != NULL)
			return NULL;
		found = ps->v[i].value;
	}
	return found;
}

/* RFC 3986 pchar / "/" / "?" / "#", and '%' (checked separately). */
static bool
url_path_char(unsigned char c)
{
	return url_unreserved(c) ||
	    (c != '\0' && strchr("!$&'()*+,;=:@/?#%", c) != NULL);
}

bool
url_return_to_ok(const char *path)
{
	size_t	i;
	int	c;

	if (path == NULL || path[0] != '/' || path[1] == '/' ||
	    path[1] == '\\' ||
	    strnlen(path, URL_RETURN_TO_MAX + 1) > URL_RETURN_TO_MAX)
		return false;
	for (i = 0; path[i] != '\0'; i++) {
		c = (unsigned char)path[i];
		if (!url_path_char((unsigned char)c))
			return false;
		if (c != '%')
			continue;
		if ((c = url_escape_at(path + i, 3)) < 0)
			return false;
		if (c == '/' || c == '\\' || c == '%' ||
		    url_ctl((unsigned char)c))
			return false;
		i += 2;
	}
	return true;
}
