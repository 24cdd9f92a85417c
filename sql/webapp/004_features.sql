-- Issue 11: the sessions page and drafts that survive signing in again.
--
-- Each session gets a public handle, shown on the sessions page and used
-- to revoke it (never the cookie's secret nor its hash), and what the web
-- server saw of the browser last: its User-Agent and its address.
ALTER TABLE webapp.sessions
	ADD COLUMN public_id text,
	ADD COLUMN user_agent text,
	ADD COLUMN ip text;
UPDATE webapp.sessions
	SET public_id = encode(sha256(convert_to('public|' || id_hash ||
	    random()::text, 'UTF8')), 'hex');
ALTER TABLE webapp.sessions
	ALTER COLUMN public_id SET NOT NULL,
	ADD CONSTRAINT sessions_public_id_key UNIQUE (public_id);
CREATE INDEX sessions_user_idx ON webapp.sessions (subject, issuer);

-- What a person typed into the add or edit form when their session or
-- tokens had ended: one per browser (the sign-in binding cookie, hashed),
-- sealed with the cache key bound to that browser, kept minutes.
CREATE TABLE webapp.drafts (
	browser_hash	text PRIMARY KEY,
	issuer		text,		-- whose it was, when known
	subject		text,
	task_id		bigint,		-- NULL: the add form
	body		text NOT NULL,	-- sealed JSON: text, due, version
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL
);
CREATE INDEX drafts_expires_idx ON webapp.drafts (expires_at);
