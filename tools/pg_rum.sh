#!/usr/bin/env bash
# `make pg-rum`: install PostgreSQL's RUM extension (Debian/Ubuntu package postgresql-<major>-rum)
# on the local PostgreSQL server, so that search reads its best matches in rank order
# (caunoi/store/rum.py; migration 0019 then creates the extension and the index in each store).
# Idempotent; skips, saying why, where it cannot install: no apt-get, a server on another machine,
# no root. The server is CAUNOI_DATABASE_URL's, else the tests' (CAUNOI_TEST_PG_URL, 127.0.0.1:5432).
set -euo pipefail

url="${CAUNOI_DATABASE_URL:-${CAUNOI_TEST_PG_URL:-postgresql+psycopg://127.0.0.1:5432/test}}"
skip() { echo "pg-rum: skipped: $*"; exit 0; }

case "$url" in postgresql*) ;; *) skip "the store is not PostgreSQL ($url)" ;; esac
plain="postgresql://${url#*://}"
hostport="${plain#postgresql://}"
hostport="${hostport#*@}"
host="${hostport%%[:/?]*}"
case "$host" in 127.0.0.1 | localhost | ::1 | "") ;; *) skip "the server $host is not this machine: install postgresql-<major>-rum there" ;; esac
command -v psql > /dev/null || skip "no psql to ask the server its version"
major="$(psql "$plain" -Atc 'SHOW server_version_num' 2> /dev/null | cut -c1-2)" || true
[ -n "$major" ] || skip "no PostgreSQL answers at $plain"
if [ "$(psql "$plain" -Atc "SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'")" = 1 ]; then
  echo "pg-rum: the server (PostgreSQL $major) has the rum extension"
  exit 0
fi
command -v apt-get > /dev/null || skip "no apt-get: install the rum extension for PostgreSQL $major by hand (https://github.com/postgrespro/rum)"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo > /dev/null && sudo -n true 2> /dev/null || skip "not root (and no sudo): apt-get install postgresql-$major-rum as root"
  sudo="sudo -n"
fi
package="postgresql-$major-rum"
if ! apt-cache show "$package" > /dev/null 2>&1; then
  $sudo apt-get update -qq || skip "apt-get update failed: search works without $package, ranking every match"
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" \
  || skip "apt-get could not install $package: search works without it, ranking every match"
echo "pg-rum: installed $package; stores migrated before it get the index with \`caunoi stats --index-rum\`"
