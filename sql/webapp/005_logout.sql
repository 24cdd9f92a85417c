-- Issue 16: logout that reaches every session (front-channel and
-- back-channel logout) and the RFC 9207 iss of an authorization response.

-- The provider's session id (the id_token's "sid"), so that a logout
-- token or a front-channel logout naming it ends the session on every node;
-- a logout token naming only the user does so by the id_token's "sub"
-- (kept in claims; subject may be B2C's oid instead).
ALTER TABLE webapp.sessions ADD COLUMN provider_sid text;
CREATE INDEX sessions_provider_sid_idx
	ON webapp.sessions (issuer, provider_sid);
CREATE INDEX sessions_sub_idx ON webapp.sessions (issuer, (claims->>'sub'));

-- The iss of the form_post answer, checked with the code it came with.
ALTER TABLE webapp.auth_requests ADD COLUMN iss text;

-- Logout tokens already used (their jti, per issuer): a replay is refused.
-- Kept until the token could no longer be accepted anyway.
CREATE TABLE webapp.logout_jtis (
	issuer		text NOT NULL,
	jti		text NOT NULL,
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (issuer, jti)
);
CREATE INDEX logout_jtis_expires_idx ON webapp.logout_jtis (expires_at);
