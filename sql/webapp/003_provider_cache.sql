-- The provider's discovery documents and JWK sets as last fetched (public
-- documents, nothing secret), so that a process started while the
-- provider is unreachable still signs users in and out (lib/provider_store.c).
-- One row per document and URL; a row is checked like a fetched document
-- when it is read, so deleting rows is always safe.
CREATE TABLE webapp.provider_cache (
	document	text NOT NULL CHECK (document IN ('discovery', 'jwks')),
	url		text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
	body		text NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 1048576),
	cache_control	text CHECK (char_length(cache_control) <= 1024),
	fetched_at	timestamptz NOT NULL,
	PRIMARY KEY (document, url)
);
