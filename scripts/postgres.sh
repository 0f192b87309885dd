#!/usr/bin/env bash
# Starts a local PostgreSQL for the server's tests, installing it from Debian when missing,
# and prints the URL of a test role that may create databases (one database per test).
set -euo pipefail

say() { printf '\033[1mpostgres:\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! command -v pg_lsclusters >/dev/null; then
  say "installing postgresql from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

cluster=$(pg_lsclusters --no-header | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  say "creating cluster $version/main"
  as_root pg_createcluster "$version" main >&2
  cluster=$(pg_lsclusters --no-header | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  say "starting cluster $version/$name on port $port"
  as_root pg_ctlcluster "$version" "$name" start >&2
fi

if ! as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'chatout_test'" | grep -q 1; then
  say "creating role chatout_test"
  as_postgres psql -p "$port" -qc "CREATE ROLE chatout_test LOGIN CREATEDB PASSWORD 'chatout_test'" >&2
fi
# A test that ends while its pool is still opening a connection leaves a backend waiting for
# the startup packet, and DROP DATABASE waits for such backends: up to authentication_timeout
# (60 s by default) per test database. Tests connect on loopback, so 5 s is plenty.
if [ "$(as_postgres psql -p "$port" -qtAc "SHOW authentication_timeout")" != "5s" ]; then
  say "setting authentication_timeout to 5s"
  as_postgres psql -p "$port" -qc "ALTER SYSTEM SET authentication_timeout = '5s'" >&2
  as_postgres psql -p "$port" -qc "SELECT pg_reload_conf()" >&2
fi
echo "postgres://chatout_test:chatout_test@127.0.0.1:$port/postgres"
