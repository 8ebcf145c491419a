#!/usr/bin/env bash
# Creates the iot database, its roles and its extensions. Idempotent: safe on every start.
# IOT_DB_NAME (default iot) names another database made the same way: `utils/stack.sh
# createdb` uses it for scratch databases (a benchmark's own tables).
#
# Shaped like the official postgres image's /docker-entrypoint-initdb.d scripts, so compose
# and Kubernetes mount this directory there; utils/stack.sh runs the same file against the
# private cluster on every `up` (through the unix socket, as the postgres superuser).
#
# Input (environment):
#   IOT_DB_OWNER_PASSWORD       role iot: owns database iot and its schema public; migrations
#   IOT_DB_APP_PASSWORD         role iot_app: the services; migrations grant it read/write
#   IOT_DB_READONLY_PASSWORD    role iot_readonly: Grafana
#   IOT_DB_MONITORING_PASSWORD  role iot_monitoring: member of pg_monitor (exporters)
#   POSTGRES_USER / POSTGRES_DB the superuser and its database (image defaults: postgres)
#   PGHOST / PGPORT             where to connect (unset in the image: its local socket)
#
# Passwords reach psql through \getenv (psql 15+), so they never appear in a process list
# or need shell quoting; ALTER ROLE runs every time so the roles always match the secrets.
set -euo pipefail

for var in IOT_DB_OWNER_PASSWORD IOT_DB_APP_PASSWORD IOT_DB_READONLY_PASSWORD IOT_DB_MONITORING_PASSWORD; do
  if [[ -z "${!var:-}" ]]; then
    echo "001-init.sh: $var is not set" >&2
    exit 1
  fi
done

superuser="${POSTGRES_USER:-postgres}"
maintenance_db="${POSTGRES_DB:-postgres}"
export IOT_DB_NAME="${IOT_DB_NAME:-iot}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$superuser" --dbname "$maintenance_db" <<'EOSQL'
\getenv owner_password IOT_DB_OWNER_PASSWORD
\getenv app_password IOT_DB_APP_PASSWORD
\getenv readonly_password IOT_DB_READONLY_PASSWORD
\getenv monitoring_password IOT_DB_MONITORING_PASSWORD
\getenv dbname IOT_DB_NAME

-- Roles: create if missing, then (re)set the password and attributes every time.
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY['iot', 'iot_app', 'iot_readonly', 'iot_monitoring']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE iot WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
ALTER ROLE iot_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER ROLE iot_readonly WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'readonly_password';
ALTER ROLE iot_monitoring WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'monitoring_password';
GRANT pg_monitor TO iot_monitoring;

-- CREATE DATABASE cannot run inside a DO block or a transaction, hence \gexec.
SELECT format('CREATE DATABASE %I OWNER iot', :'dbname')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname') \gexec
ALTER DATABASE :"dbname" OWNER TO iot;
-- Only our roles may connect to it.
REVOKE CONNECT, TEMPORARY ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO iot_app, iot_readonly, iot_monitoring;

\connect :dbname
ALTER SCHEMA public OWNER TO iot;
-- Nobody but the owner creates objects in public (the default since 15; stated for 14-).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO iot_app, iot_readonly;

-- Extensions need the superuser (iot is not one). TimescaleDB only where it is installed
-- and preloaded: CREATE EXTENSION fails otherwise.
CREATE EXTENSION IF NOT EXISTS postgis;
SELECT 'CREATE EXTENSION IF NOT EXISTS timescaledb'
 WHERE EXISTS (SELECT FROM pg_available_extensions WHERE name = 'timescaledb')
   AND current_setting('shared_preload_libraries') ~ '(^|[ ,])timescaledb($|[ ,])' \gexec
-- The Database dashboard's slowest statements, where the server preloads it; Grafana's role
-- reads every role's statements (pg_read_all_stats: statistics only, no table data).
SELECT 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
 WHERE current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])' \gexec
GRANT pg_read_all_stats TO iot_readonly;
EOSQL
