-- Sign-in requests in flight, sessions and their encrypted token cache.
-- Secrets are never stored in the clear: session ids, states and browser
-- bindings as SHA-256 (base64url), tokens as AES-256-GCM (base64url of
-- iv || ciphertext || tag, bound to the session and the token kind).
CREATE SCHEMA IF NOT EXISTS webapp;

CREATE TABLE webapp.auth_requests (
	state_hash	text PRIMARY KEY,
	browser_hash	text NOT NULL,
	policy		text NOT NULL,
	nonce		text NOT NULL,
	code_verifier	text NOT NULL,
	return_to	text NOT NULL,
	code		text,		-- a form_post answer waiting for its GET
	error		text,
	error_description text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX auth_requests_expires_idx ON webapp.auth_requests (expires_at);

CREATE TABLE webapp.sessions (
	id_hash		text PRIMARY KEY,
	csrf		text NOT NULL,
	issuer		text NOT NULL,
	subject		text NOT NULL,
	name		text NOT NULL,
	claims		jsonb NOT NULL,
	id_token	text,		-- encrypted, for id_token_hint at sign-out
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON webapp.sessions (expires_at);
CREATE INDEX sessions_seen_idx ON webapp.sessions (last_seen_at);

CREATE TABLE webapp.tokens (
	session_hash	text PRIMARY KEY
			REFERENCES webapp.sessions (id_hash) ON DELETE CASCADE,
	policy		text NOT NULL,	-- the user flow that issued them
	access_token	text,		-- encrypted
	access_expires_at timestamptz,
	refresh_token	text,		-- encrypted
	updated_at	timestamptz NOT NULL DEFAULT now()
);
