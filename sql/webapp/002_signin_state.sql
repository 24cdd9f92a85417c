-- Issue 9: bounded sign-in state, secrets at rest, the sign-in loop guard.
-- nonce, code_verifier and code are now AES-256-GCM sealed like the token
-- cache (the columns keep their names and type); sign-ins recorded in the
-- clear by 001 are dropped (they last ten minutes: the user starts again).
DELETE FROM webapp.auth_requests;

-- A sign-in started from a session that had just been made (a fresh
-- sign-in sent straight back to sign in), and the session it makes.
ALTER TABLE webapp.auth_requests
	ADD COLUMN retry boolean NOT NULL DEFAULT false;
ALTER TABLE webapp.sessions
	ADD COLUMN retried boolean NOT NULL DEFAULT false;

-- Each browser keeps its newest few pending sign-ins.
CREATE INDEX auth_requests_browser_idx
	ON webapp.auth_requests (browser_hash, created_at);
