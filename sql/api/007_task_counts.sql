-- The per-user task limit without counting on every create.
--
-- api.task_counts holds, per owner, a number n that is never below the
-- owner's task count: every create through the API adds 1 to it in the
-- same statement, under the row's lock, and deletes leave it as it is.
-- So while n < p_max a create can go ahead at once (the API's fast
-- path: one UPDATE of this row and the INSERT, no count).  When n has
-- reached p_max, or the owner has no row yet, api.task_create() counts
-- the owner's tasks exactly, under the owner's advisory lock and this
-- row's lock, sets n to that count and refuses or creates: a refusal is
-- always exact, and a list that was full and lost some tasks fills up
-- again.  Cost: two row writes per create instead of a count of up to
-- p_max rows (and the rows deleted but not yet vacuumed) in a function.
--
-- Rows written into api.tasks by hand are not counted: after such an
-- INSERT, delete the owners' rows here (DELETE FROM api.task_counts),
-- and their next create counts again.  Deleting tasks by hand needs
-- nothing.
CREATE TABLE api.task_counts (
	owner_sub	text NOT NULL,
	owner_iss	text NOT NULL,
	n		integer NOT NULL CHECK (n >= 0),
	PRIMARY KEY (owner_sub, owner_iss)
);

-- As in 005_task_features.sql, and the count row kept: locked before
-- the count (a fast-path create holds only that lock, so it is either
-- committed and counted, or waits and then sees the new n), set to
-- the count after it.
CREATE OR REPLACE FUNCTION api.task_create(p_sub text, p_iss text,
    p_text text, p_done boolean, p_due date, p_max integer, p_key text)
RETURNS TABLE (outcome text, id bigint, text text, done boolean, due date,
    version integer, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
	k	api.task_idempotency%ROWTYPE;
	t	api.tasks%ROWTYPE;
	counted	integer;
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
	INSERT INTO api.task_counts AS c (owner_sub, owner_iss, n)
	    VALUES (p_sub, p_iss, 0) ON CONFLICT DO NOTHING;
	PERFORM 1 FROM api.task_counts c
	    WHERE c.owner_sub = p_sub AND c.owner_iss = p_iss FOR UPDATE;
	SELECT count(*) INTO counted FROM api.tasks a
	    WHERE a.owner_sub = p_sub AND a.owner_iss = p_iss;
	IF counted >= p_max THEN
		UPDATE api.task_counts c SET n = counted
		    WHERE c.owner_sub = p_sub AND c.owner_iss = p_iss;
		RETURN QUERY SELECT 'full'::text, NULL::bigint, NULL::text,
		    NULL::boolean, NULL::date, NULL::integer,
		    NULL::timestamptz, NULL::timestamptz;
		RETURN;
	END IF;
	INSERT INTO api.tasks (owner_sub, owner_iss, text, done, due)
	    VALUES (p_sub, p_iss, p_text, p_done, p_due) RETURNING * INTO t;
	UPDATE api.task_counts c SET n = counted + 1
	    WHERE c.owner_sub = p_sub AND c.owner_iss = p_iss;
	IF p_key IS NOT NULL THEN
		INSERT INTO api.task_idempotency VALUES (p_sub, p_iss, p_key,
		    t.id, t.text, t.done, t.due, t.version, t.created_at,
		    t.updated_at);
	END IF;
	RETURN QUERY SELECT 'created'::text, t.id, t.text, t.done, t.due,
	    t.version, t.created_at, t.updated_at;
END
$$;
