-- The per-user task limit, race-free: task_insert() holds a transaction
-- advisory lock on the owner while it counts and inserts, so parallel
-- inserts of one owner take turns and never pass the limit.  In READ
-- COMMITTED each statement inside the function takes a new snapshot,
-- so the count sees the rows the previous holder of the lock committed
-- (a lock taken inside one plain INSERT ... SELECT would not: its
-- snapshot is older than the lock).  Returns the new row, or no row
-- when the owner has p_max tasks already.
CREATE FUNCTION api.task_insert(p_sub text, p_iss text, p_text text,
    p_done boolean, p_max integer)
RETURNS SETOF api.tasks
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
BEGIN
	-- The two-key form: apart from migrate's one-key lock.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(p_iss),
	    pg_catalog.hashtext(p_sub));
	IF (SELECT count(*) FROM api.tasks
	    WHERE owner_sub = p_sub AND owner_iss = p_iss) >= p_max THEN
		RETURN;
	END IF;
	RETURN QUERY INSERT INTO api.tasks (owner_sub, owner_iss, text, done)
	    VALUES (p_sub, p_iss, p_text, p_done) RETURNING *;
END
$$;
