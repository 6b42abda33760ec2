-- The rights of the role the application runs as, on PostgreSQL.
--
-- Run as the OWNER role (the one that ran `manage.py migrate`), after every migrate, for
-- example: psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f docs/postgresql-app-role.sql
-- The application role (here clinic_app; create it once with
--   CREATE ROLE clinic_app LOGIN PASSWORD '...';
-- ) owns nothing: it cannot alter or drop a table, disable a trigger, or TRUNCATE. It may read
-- and write rows; the triggers on sealed tables (signed records, the audit trail) refuse it any
-- change to a sealed row, and it may only insert into the audit trail.

GRANT USAGE ON SCHEMA public TO clinic_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clinic_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO clinic_app;
-- The audit trail: append only, by privilege as well as by trigger.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM clinic_app;
