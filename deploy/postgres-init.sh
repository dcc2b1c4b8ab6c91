#!/usr/bin/env bash
# First start of the PostgreSQL container: the application role Varco connects with. It owns
# nothing; Varco (as varco_owner) migrates and grants it what it needs at every start.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$VARCO_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE varco_app LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE varco TO varco_app;
SQL
