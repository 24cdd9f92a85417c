#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "tokencache.h"

struct slot {
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	bool			 used;
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

void
tokencache_free(struct tokencache *c)
{
	if (c == NULL)
		return;
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static struct slot *
tokencache_slot(struct tokencache *c, const unsigned char *hash)
{
	size_t i;

	/* The hash is uniform: its first bytes pick the slot. */
	i = ((size_t)hash[0] << 8 | hash[1]) % TOKENCACHE_SLOTS;
	return &c->slots[i];
}

const struct tokencache_entry *
tokencache_get(struct tokencache *c, const char *token, size_t len,
    time_t now)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	struct slot	*s;

	crypto_sha256(token, len, hash);
	s = tokencache_slot(c, hash);
	if (!s->used || !crypto_equal(s->hash, hash, sizeof(hash)))
		return NULL;
	if (now >= s->e.until) {
		s->used = false;
		return NULL;
	}
	return &s->e;
}

const struct tokencache_entry *
tokencache_put(struct tokencache *c, const char *token, size_t len,
    const char *iss, const char *sub, unsigned scopes, time_t exp,
    time_t now)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	struct slot	*s;
	size_t		 ni = strlen(iss), ns = strlen(sub);

	if (ni > TOKENCACHE_ISS_MAX || ns > TOKENCACHE_SUB_MAX || exp <= now)
		return NULL;
	crypto_sha256(token, len, hash);
	s = tokencache_slot(c, hash);
	memcpy(s->hash, hash, sizeof(hash));
	memcpy(s->e.iss, iss, ni + 1);
	memcpy(s->e.sub, sub, ns + 1);
	s->e.scopes = scopes;
	s->e.until = exp < now + TOKENCACHE_TTL ? exp : now + TOKENCACHE_TTL;
	s->used = true;
	return &s->e;
}
