#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <xxhash.h>

#include "crypto.h"
#include "tokencache.h"

/*
 * The slot is picked by the token's XXH3 hash (not a cryptographic one);
 * the whole token is kept and compared in constant time, so a collision,
 * chosen or not, is only a miss.  (SHA-256 of the token cost 26k
 * instructions per API request, XXH3 a few hundred.)
 */
struct slot {
	char			*token;		/* NULL: free */
	size_t			 len;
	struct tokencache_entry	 e;
};

struct tokencache {
	struct slot	slots[TOKENCACHE_SLOTS];
};

enum err
tokencache_new(struct tokencache **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

static void
tokencache_clear(struct slot *s)
{
	if (s->token != NULL) {
		OPENSSL_cleanse(s->token, s->len);
		free(s->token);
	}
	OPENSSL_cleanse(s, sizeof(*s));
}

void
tokencache_free(struct tokencache *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < TOKENCACHE_SLOTS; i++)
		tokencache_clear(&c->slots[i]);
	free(c);
}

static struct slot *
tokencache_slot(struct tokencache *c, const char *token, size_t len)
{
	return &c->slots[XXH3_64bits(token, len) % TOKENCACHE_SLOTS];
}

const struct tokencache_entry *
tokencache_get(struct tokencache *c, const char *token, size_t len,
    time_t now)
{
	struct slot	*s = tokencache_slot(c, token, len);

	if (s->token == NULL || s->len != len ||
	    !crypto_equal(s->token, token, len))
		return NULL;
	if (now >= s->e.until) {
		tokencache_clear(s);
		return NULL;
	}
	return &s->e;
}

const struct tokencache_entry *
tokencache_put(struct tokencache *c, const char *token, size_t len,
    const char *iss, const char *sub, unsigned scopes, time_t exp,
    time_t now)
{
	struct slot	*s;
	size_t		 ni = strlen(iss), ns = strlen(sub);
	char		*copy;

	if (ni > TOKENCACHE_ISS_MAX || ns > TOKENCACHE_SUB_MAX ||
	    len > TOKENCACHE_TOKEN_MAX || exp <= now)
		return NULL;
	if ((copy = malloc(len ? len : 1)) == NULL)
		return NULL;
	memcpy(copy, token, len);
	s = tokencache_slot(c, token, len);
	tokencache_clear(s);
	s->token = copy;
	s->len = len;
	memcpy(s->e.iss, iss, ni + 1);
	memcpy(s->e.sub, sub, ns + 1);
	s->e.scopes = scopes;
	s->e.until = exp < now + TOKENCACHE_TTL ? exp : now + TOKENCACHE_TTL;
	return &s->e;
}
