-- Tasks, one row per task; the owner is (issuer, user id).
CREATE SCHEMA IF NOT EXISTS api;

CREATE TABLE api.tasks (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	owner_iss	text NOT NULL CHECK (char_length(owner_iss) BETWEEN 1 AND 1024),
	owner_sub	text NOT NULL CHECK (char_length(owner_sub) BETWEEN 1 AND 256),
	text		text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
	done		boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- Every statement filters on the owner, and lists are in id order.
CREATE INDEX tasks_owner_id_idx ON api.tasks (owner_sub, owner_iss, id);
