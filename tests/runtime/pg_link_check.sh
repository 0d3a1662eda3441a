#!/usr/bin/env bash
# pg_link_check.sh RUNTIME_LIB PG_BINARY [SQLITE_ONLY_BINARY]: the drivers
# are separate libraries. The runtime library references neither client
# library; a PostgreSQL-only binary has libpq and no sqlite3; a SQLite-only
# binary has no libpq (symbols checked with nm, so static builds count too).
set -u
. "$(dirname "$0")/pg_lib.sh"
lib=$1 pg=$2 sq=${3:-}
NM=${NM:-nm}

syms() { "$NM" "$@" 2>/dev/null | awk '{ print $NF }'; }

n=$(syms "$lib" | grep -Ec '^(PQ[a-zA-Z]+|sqlite3_[a-z_0-9]+)$')
expect_eq "the runtime library names no libpq or sqlite3 symbol" "$n" 0
n=$(syms -D "$pg"; syms "$pg")
if printf '%s\n' "$n" | grep -q '^PQexec$'; then ok "the postgres binary uses libpq"; else fail "the postgres binary uses libpq"; fi
expect_eq "the postgres binary has no sqlite3" "$(printf '%s\n' "$n" | grep -c '^sqlite3_')" 0
if [ -n "$sq" ]; then
  n=$(syms -D "$sq"; syms "$sq")
  expect_eq "the sqlite-only binary has no libpq" "$(printf '%s\n' "$n" | grep -Ec '^PQ[a-zA-Z]+$')" 0
  if command -v ldd >/dev/null; then
    expect_eq "the sqlite-only binary loads no libpq" "$(ldd "$sq" 2>/dev/null | grep -c libpq)" 0
  fi
fi
pg_end
