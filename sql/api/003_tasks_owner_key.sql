-- The owner leads the primary key: an owner's tasks form one key range, so
-- the table can be distributed by owner (Citus: distribute on owner_sub,
-- with owner_iss and id in the key) without changing a statement: every
-- statement on api.tasks names the owner.  The old index has the same
-- columns in the same order, so no plan changes.
ALTER TABLE api.tasks DROP CONSTRAINT tasks_pkey;
ALTER TABLE api.tasks ADD CONSTRAINT tasks_pkey
	PRIMARY KEY (owner_sub, owner_iss, id);
DROP INDEX api.tasks_owner_id_idx;
