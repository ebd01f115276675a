#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster and make the role and database the test
# suite uses (PAAS_TEST_POSTGRES_URL in the Makefile). Idempotent.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "start-postgres: PostgreSQL is not installed (scripts/setup-host.sh --postgres installs it)" >&2
  exit 1
fi

# The newest installed major version, and its "main" cluster (created if absent).
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  echo "start-postgres: starting PostgreSQL $version"
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q && break
  sleep 1
done

psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'paas'")" != "1" ]; then
  psql_admin -c "CREATE ROLE paas LOGIN PASSWORD 'paas'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'paas_test'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE paas_test OWNER paas"
fi
echo "start-postgres: PostgreSQL $version ready (database paas_test, role paas)"
