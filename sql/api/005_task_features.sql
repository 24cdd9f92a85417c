-- Issue 11: due dates, versions (ETags, If-Match) and idempotent creation.
--
-- version starts at 1 and every UPDATE of the API adds 1 in the same
-- statement, whose WHERE also holds the If-Match check, so a stale
-- write changes nothing.  due is an optional calendar date.
ALTER TABLE api.tasks
	ADD COLUMN due date,
	ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- One row per (owner, Idempotency-Key) for 24 hours: the key's first
-- answer, a copy of the task as it was created (a repeat answers with
-- it even after the task changed or went), and the request it answered
-- (text, done, due are the task's own columns: a repeat with other
-- values is refused).  The primary key is the unique constraint that
-- keeps two concurrent repeats from creating two tasks.
CREATE TABLE api.task_idempotency (
	owner_sub	text NOT NULL,
	owner_iss	text NOT NULL,
	key		text NOT NULL CHECK (key ~ '^[!-~]{1,64}$'),
	id		bigint NOT NULL,
	text		text NOT NULL,
	done		boolean NOT NULL,
	due		date,
	version		integer NOT NULL,
	created_at	timestamptz NOT NULL,
	updated_at	timestamptz NOT NULL,
	PRIMARY KEY (owner_sub, owner_iss, key)
);

-- Create a task, at most p_max per owner (as api.task_insert), and with
-- a key (p_key not NULL) at most one per owner and key in 24 hours.
-- outcome: 'created' (the new row), 'repeat' (the first answer's row),
-- 'mismatch' (the key was used for another request), 'full' (the
-- owner has p_max tasks).  The owner's advisory lock (the one
-- api.task_insert takes) orders a key's concurrent repeats; the
-- primary key of api.task_idempotency would refuse a second row anyway.
CREATE FUNCTION api.task_create(p_sub text, p_iss text, p_text text,
    p_done boolean, p_due date, p_max integer, p_key text)
RETURNS TABLE (outcome text, id bigint, text text, done boolean, due date,
    version integer, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
	k	api.task_idempotency%ROWTYPE;
	t	api.tasks%ROWTYPE;
BEGIN
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(p_iss),
	    pg_catalog.hashtext(p_sub));
	IF p_key IS NOT NULL THEN
		DELETE FROM api.task_idempotency i
		    WHERE i.owner_sub = p_sub AND i.owner_iss = p_iss
		    AND i.created_at < pg_catalog.now() - interval '24 hours';
		SELECT * INTO k FROM api.task_idempotency i
		    WHERE i.owner_sub = p_sub AND i.owner_iss = p_iss
		    AND i.key = p_key;
		IF FOUND THEN
			RETURN QUERY SELECT CASE WHEN k.text = p_text AND
			    k.done = p_done AND k.due IS NOT DISTINCT FROM p_due
			    THEN 'repeat' ELSE 'mismatch' END, k.id, k.text,
			    k.done, k.due, k.version, k.created_at,
			    k.updated_at;
			RETURN;
		END IF;
	END IF;
	IF (SELECT count(*) FROM api.tasks a
	    WHERE a.owner_sub = p_sub AND a.owner_iss = p_iss) >= p_max THEN
		RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::text,
		    NULL::boolean, NULL::date, NULL::integer,
		    NULL::timestamptz, NULL::timestamptz;
		RETURN;
	END IF;
	INSERT INTO api.tasks (owner_sub, owner_iss, text, done, due)
	    VALUES (p_sub, p_iss, p_text, p_done, p_due) RETURNING * INTO t;
	IF p_key IS NOT NULL THEN
		INSERT INTO api.task_idempotency VALUES (p_sub, p_iss, p_key,
		    t.id, t.text, t.done, t.due, t.version, t.created_at,
		    t.updated_at);
	END IF;
	RETURN QUERY SELECT 'created'::text, t.id, t.text, t.done, t.due,
	    t.version, t.created_at, t.updated_at;
END
$$;
