/* tokencache: hits, misses, expiry, the TTL cap, limits. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tokencache.h"

int
main(void)
{
	struct tokencache *c = NULL;
	const struct tokencache_entry *e;
	char	 iss[TOKENCACHE_ISS_MAX + 2], tok[64];
	const char *t1 = "aaa.bbb.ccc", *t2 = "aaa.bbb.ccd";
	time_t	 now = 1700000000;
	int	 i, hits;

	ok(tokencache_new(&c) == ERR_OK && c != NULL, "new");
	ok(tokencache_get(c, t1, strlen(t1), now) == NULL, "empty: miss");
	e = tokencache_put(c, t1, strlen(t1), "https://iss/", "user-1", 3,
	    now + 60, now);
	ok(e != NULL && strcmp(e->sub, "user-1") == 0, "put returns the entry");
	e = tokencache_get(c, t1, strlen(t1), now + 1);
	ok(e != NULL, "hit");
	if (e != NULL) {
		is_str(e->iss, "https://iss/", "hit: issuer");
		is_str(e->sub, "user-1", "hit: user");
		is_int(e->scopes, 3, "hit: scopes");
	}
	ok(tokencache_get(c, t2, strlen(t2), now + 1) == NULL,
	    "a token one byte apart: miss");
	ok(tokencache_get(c, t1, strlen(t1) - 1, now + 1) == NULL,
	    "a prefix of the token: miss");
	ok(tokencache_get(c, t1, strlen(t1), now + 60) == NULL,
	    "at exp: miss");
	ok(tokencache_get(c, t1, strlen(t1), now + 1) == NULL,
	    "an expired entry is dropped");

	ok(tokencache_put(c, t1, strlen(t1), "i", "u", 1, now + 86400, now) !=
	    NULL, "put a long-lived token");
	ok(tokencache_get(c, t1, strlen(t1), now + TOKENCACHE_TTL - 1) != NULL,
	    "TTL cap: still there before it");
	ok(tokencache_get(c, t1, strlen(t1), now + TOKENCACHE_TTL) == NULL,
	    "TTL cap: gone at it, although exp is later");

	ok(tokencache_put(c, t1, strlen(t1), "i", "u", 1, now, now) == NULL,
	    "an expired token is not kept");
	memset(iss, 'x', sizeof(iss) - 1);
	iss[sizeof(iss) - 1] = '\0';
	ok(tokencache_put(c, t1, strlen(t1), iss, "u", 1, now + 60, now) ==
	    NULL, "an issuer over the limit is not kept");

	/* More tokens than slots: collisions evict, never confuse. */
	for (i = 0; i < 4 * TOKENCACHE_SLOTS; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		tokencache_put(c, tok, strlen(tok), "i", tok, (unsigned)i,
		    now + 60, now);
	}
	hits = 0;
	for (i = 0; i < 4 * TOKENCACHE_SLOTS; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		e = tokencache_get(c, tok, strlen(tok), now);
		if (e == NULL)
			continue;
		hits++;
		if (strcmp(e->sub, tok) != 0 || e->scopes != (unsigned)i)
			break;
	}
	is_int(i, 4 * TOKENCACHE_SLOTS, "every hit is the token's own entry");
	ok(hits > 0 && hits <= TOKENCACHE_SLOTS, "at most one entry a slot "
	    "(%d hits)", hits);
	/*
	 * Same length, same last bytes (so the same slot): the other token
	 * must miss, never get the first one's entry.
	 */
	{
		char	 a[200], b[200], big[TOKENCACHE_TOKEN_MAX + 2];

		memset(a, 'a', sizeof(a));
		memset(b, 'b', 100);
		memcpy(b + 100, a + 100, 100);
		ok(tokencache_put(c, a, sizeof(a), "i", "owner-a", 3, now + 60,
		    now) != NULL, "a token with a known tail is kept");
		ok(tokencache_get(c, b, sizeof(b), now) == NULL,
		    "another token with the same tail and length: a miss");
		ok((e = tokencache_get(c, a, sizeof(a), now)) != NULL &&
		    strcmp(e->sub, "owner-a") == 0, "the first still hits");
		memset(big, 'x', sizeof(big));
		ok(tokencache_put(c, big, TOKENCACHE_TOKEN_MAX + 1, "i", "u", 1,
		    now + 60, now) == NULL, "a token over the limit is not kept");
		ok(tokencache_put(c, big, TOKENCACHE_TOKEN_MAX, "i", "u", 1,
		    now + 60, now) != NULL, "one at the limit is");
	}
	tokencache_free(c);
	tokencache_free(NULL);
	return tap_done();
}
