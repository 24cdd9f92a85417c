/*
 * fuzz_authz: bearer_parse of an Authorization header value, then the
 * token through jwt_parse as the API does.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bearer.h"
#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_HEADER_MAX (64 * 1024)	/* web servers cap headers */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*hdr;
	const char	*tok;
	struct jwt	*t;
	size_t		 len, i;

	if (size > FUZZ_HEADER_MAX || (hdr = malloc(size + 1)) == NULL)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';	/* headers are C strings; NULs cut them */
	if (bearer_parse(hdr, &tok, &len) == ERR_OK) {
		if (tok < hdr || len == 0 || len > BEARER_TOKEN_MAX ||
		    tok + len > hdr + strlen(hdr))
			abort();
		for (i = 0; i < len; i++)
			if (strchr("\"\\ \t,;", tok[i]) != NULL ||
			    (unsigned char)tok[i] <= 0x20 ||
			    (unsigned char)tok[i] >= 0x7f)
				abort();
		if (jwt_parse(tok, len, &t) == ERR_OK)
			jwt_free(t);
	}
	free(hdr);
	return 0;
}
