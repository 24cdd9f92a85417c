/*
 * fuzz_dpop: DPoP proof verification (RFC 9449) as the API does it, with
 * fixed expectations (GET https://app.example/api/tasks, access token
 * "tok", now 1700000000).  Input: the proof, then optionally a newline
 * and a URL that is compared with the expected htu the way a proof's htu
 * is (dpop_htu_match), so both parsers see hostile text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpop.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NOW ((time_t)1700000000)
#define FUZZ_HTU "https://app.example/api/tasks"
#define FUZZ_URL_MAX 2048

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	struct dpop_expect	 ex;
	struct dpop_proof	 out;
	const char		*in = (const char *)data, *why, *nl;
	char			 url[FUZZ_URL_MAX + 1];
	size_t			 plen = size, ulen;

	if (!ready) {
		log_init("fuzz_dpop", LOG_LEVEL_ERR);
		ready = true;
	}
	if ((nl = memchr(in, '\n', size)) != NULL) {
		plen = (size_t)(nl - in);
		ulen = size - plen - 1;
		if (ulen <= FUZZ_URL_MAX && memchr(nl + 1, '\0', ulen) == NULL) {
			memcpy(url, nl + 1, ulen);
			url[ulen] = '\0';
			(void)dpop_htu_match(url, FUZZ_HTU);
			(void)dpop_htu_match(FUZZ_HTU, url);
		}
	}
	memset(&ex, 0, sizeof(ex));
	ex.htm = "GET";
	ex.htu = FUZZ_HTU;
	ex.token = "tok";
	ex.token_len = 3;
	ex.max_age = 300;
	ex.leeway = 60;
	ex.now = FUZZ_NOW;
	switch (dpop_verify(in, plen, &ex, &out, &why)) {
	case ERR_OK:
		/* A good proof names its key and its jti. */
		if (out.jkt[0] == '\0' || out.jti_hash[0] == '\0')
			abort();
		break;
	case ERR_AUTH:
		if (why == NULL)
			abort();	/* every refusal says why */
		break;
	default:
		break;
	}
	return 0;
}
