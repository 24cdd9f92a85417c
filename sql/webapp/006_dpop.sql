-- DPoP (RFC 9449): the private key of each session whose tokens are bound to
-- a key (use_dpop), one P-256 key per session, sealed like the cached tokens
-- (AES-256-GCM bound to the session and the kind "dpop").  It goes with the
-- session.
CREATE TABLE webapp.dpop_keys (
	session_hash	text PRIMARY KEY
			REFERENCES webapp.sessions (id_hash) ON DELETE CASCADE,
	private_key	text NOT NULL,		-- sealed
	created_at	timestamptz NOT NULL DEFAULT now()
);
