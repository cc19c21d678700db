-- deploy/postgres/roles.sql: the database and its two roles, run once by a PostgreSQL superuser:
--   psql -v owner_password="'…'" -v app_password="'…'" -f deploy/postgres/roles.sql
-- pcrs_owner owns the schema and is used only by the migration step (`Pcrs.Silo migrate`, pcrs-migrate.service).
-- pcrs_app is what silos and web fronts connect as: it reads and writes rows, creates nothing, drops nothing.
-- (Not under deploy/sql: those files are the versioned migrations compiled into the binaries.)
CREATE ROLE pcrs_owner LOGIN PASSWORD :owner_password;
CREATE ROLE pcrs_app LOGIN PASSWORD :app_password CONNECTION LIMIT 400;
CREATE DATABASE pcrs OWNER pcrs_owner;
\connect pcrs
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pcrs_app;
-- Tables and sequences the migrations create later, as pcrs_owner, are open to pcrs_app for rows only.
ALTER DEFAULT PRIVILEGES FOR ROLE pcrs_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pcrs_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pcrs_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO pcrs_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pcrs_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO pcrs_app;
