-- Why this file exists: the services connect as iot_app (read and write rows, nothing else)
-- and Grafana as iot_readonly (read only); the owner iot, which runs these migrations, keeps
-- DDL to itself. The default privileges cover tables that later migrations create, as long as
-- they run as iot too. The roles are made by the stack's init script; where they do not
-- exist (the PGlite test) this does nothing.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'iot_app') THEN
    GRANT USAGE ON SCHEMA public TO iot_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO iot_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO iot_app;
    -- The services may read which migrations ran (readiness), never rewrite that history.
    REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM iot_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO iot_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO iot_app;
  END IF;

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'iot_readonly') THEN
    GRANT USAGE ON SCHEMA public TO iot_readonly;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO iot_readonly;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO iot_readonly;
  END IF;
END
$$;
