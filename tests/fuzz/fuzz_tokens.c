/*
 * fuzz_tokens: the token endpoint's answer (oidc_tokens_parse), as a
 * success (200) and as the errors a provider sends (400, 401, 500),
 * then the B2C error-code and correlation-id helpers on whatever
 * error_description it yields.  Checks what the callers rely on: a
 * success holds a non-empty access or id token and a sane expires_in,
 * ERR_AUTH comes with an error, and a failure leaves no token behind.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "oidc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1024 * 1024)	/* HTTPC_RESPONSE_MAX */

static const long fuzz_status[] = { 200, 400, 401, 500 };

static void
check_str(const char *s, size_t max)
{
	if (s != NULL && (*s == '\0' || strlen(s) > max))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct oidc_tokens	 t;
	char			*corr;
	size_t			 i;
	enum err		 e;

	if (!init) {
		log_init("fuzz_tokens", LOG_LEVEL_ERR);
		init = 1;
	}
	if (size > FUZZ_MAX)
		return 0;
	for (i = 0; i < sizeof(fuzz_status) / sizeof(fuzz_status[0]); i++) {
		e = oidc_tokens_parse(fuzz_status[i], (const char *)data, size,
		    &t);
		if (e == ERR_OK) {
			if (fuzz_status[i] != 200 ||
			    (t.access_token == NULL && t.id_token == NULL) ||
			    t.expires_in <= 0 ||
			    t.expires_in > OIDC_EXPIRES_IN_MAX)
				abort();
			check_str(t.access_token, SIZE_MAX);
			check_str(t.refresh_token, SIZE_MAX);
			check_str(t.id_token, SIZE_MAX);
		} else {
			if (t.access_token != NULL || t.refresh_token != NULL ||
			    t.id_token != NULL)
				abort();
			if (e == ERR_AUTH && (fuzz_status[i] == 200 ||
			    fuzz_status[i] >= 500 || t.error == NULL))
				abort();
		}
		if (t.error != NULL && strlen(t.error) > OIDC_ERROR_MAX)
			abort();
		if (t.error_description != NULL &&
		    strlen(t.error_description) > OIDC_ERROR_MAX)
			abort();
		if ((unsigned)oidc_b2c_code(t.error_description) >=
		    OIDC_B2C__MAX)
			abort();
		if ((corr = oidc_b2c_correlation(t.error_description)) !=
		    NULL) {
			if (*corr == '\0')
				abort();
			free(corr);
		}
		oidc_tokens_free(&t);
	}
	return 0;
}
