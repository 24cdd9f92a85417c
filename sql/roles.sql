-- todo-b2c: least-privilege runtime roles.  Run by todo-b2c-setup-db (and
-- the tests) as the owner of both schemas, after both programs' --migrate:
--   psql -v api_role=todo_api -v webapp_role=todo_webapp -f roles.sql
-- The API's role reaches only schema api, the web app's only schema webapp;
-- neither may create anything.  Tables added by later migrations (run by
-- the same owner) get the same grants through the default privileges.

REVOKE ALL ON SCHEMA api FROM PUBLIC;
REVOKE ALL ON SCHEMA webapp FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA api TO :"api_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA api
	TO :"api_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA api TO :"api_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA api
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"api_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA api
	GRANT USAGE, SELECT ON SEQUENCES TO :"api_role";

GRANT USAGE ON SCHEMA webapp TO :"webapp_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA webapp
	TO :"webapp_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA webapp TO :"webapp_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA webapp
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"webapp_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA webapp
	GRANT USAGE, SELECT ON SEQUENCES TO :"webapp_role";
