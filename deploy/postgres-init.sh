#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory: one login role and one database per service.
# Each service's role owns its database and nothing else; no other role but the superuser may connect to
# it, so a service cannot read another's tables (DESIGN.md: each service owns its own database).
set -euo pipefail

for service in registry matching appreciation reporting; do
    variable="${service^^}_DB_PASSWORD"
    password="${!variable:?set $variable}"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"service" TO :"service";
SQL
done
