-- Why this file exists: TimescaleDB is optional. Where the server has it, every later
-- migration turns its time-series tables into hypertables with compression and retention;
-- where it does not (the local stack), the same files take the plain PostgreSQL path.
--
-- In production the superuser's init script creates the extension before migrations run as
-- the (non-superuser) owner `iot`; this only covers a server where TimescaleDB is installed
-- but not yet created in this database. `IF NOT EXISTS` checks for the extension before it
-- checks privileges, so an owner without the privilege passes when it already exists.
-- PostGIS is created by 0005_target_location.sql, which the runner gates on it.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
     OR NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    RETURN;
  END IF;
  BEGIN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
  EXCEPTION WHEN insufficient_privilege THEN
    -- Failing here is deliberate: going on would build plain tables that never become
    -- hypertables, silently, on a server where TimescaleDB was meant to be used.
    RAISE EXCEPTION 'TimescaleDB is installed but not created in database %, and role % may not create it',
      current_database(), current_user
      USING HINT = 'As a superuser: CREATE EXTENSION timescaledb; then run the migrations again.';
  END;
END
$$;
