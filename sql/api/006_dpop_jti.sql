-- DPoP proofs seen (RFC 9449 section 11.1): a proof's jti is accepted once
-- per key, by whichever process or node sees it first; the insert that finds
-- the row already there is a replay.  jti_sha256 is the SHA-256 (hex) of the
-- client's jti, so a row has a fixed size whatever the client sends.  A row
-- is needed only while the proof's iat is inside the accepted window
-- (expires_at); the API deletes the expired rows now and then.
CREATE TABLE api.dpop_jti (
	jkt		text NOT NULL CHECK (length(jkt) = 43),
	jti_sha256	text NOT NULL CHECK (length(jti_sha256) = 64),
	expires_at	timestamptz NOT NULL,
	PRIMARY KEY (jkt, jti_sha256)
);
CREATE INDEX dpop_jti_expires_idx ON api.dpop_jti (expires_at);
