#!/usr/bin/env bash
# run_scripts.sh: `migc sql` plain scripts applied with the databases' own
# clients, as a user of the export would: the up script, then the down
# script, must run without an error (sqlite3 -bail, psql ON_ERROR_STOP),
# SQLite's foreign_key_check must report nothing, and the down script must
# leave no table behind (unless the history has an irreversible migration).
#
#   run_scripts.sh MIGC CASES_DIR sqlite SCRATCH_DIR CASE...
#   run_scripts.sh MIGC CASES_DIR postgres PG_STATE_FILE CASE...
set -euo pipefail
migc=$1 cases=$2 dialect=$3 where=$4
shift 4
fail=0
for c in "$@"; do
  dir=$cases/$c/migrations
  up=$("$migc" sql --dialect "$dialect" -d "$dir" 2>/dev/null)
  down=$("$migc" sql --dialect "$dialect" --down -d "$dir" 2>/dev/null)
  if [ "$dialect" = sqlite ]; then
    db=$where/script_$c.db
    rm -f "$db"
    out=$(printf '%s\n' "$up" | sqlite3 -bail "$db" 2>&1) || { echo "FAIL $c: up script: $out"; fail=1; continue; }
    [ -z "$out" ] || { echo "FAIL $c: up script printed (foreign_key_check?): $out"; fail=1; }
    out=$(printf '%s\n' "$down" | sqlite3 -bail "$db" 2>&1) || { echo "FAIL $c: down script: $out"; fail=1; continue; }
    left=$(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
  else
    # shellcheck disable=SC1090
    . "$where"
    db="migc_script_$$_$c"
    psql "$URL" -qXc "CREATE DATABASE $db" >/dev/null
    url="${URL%/*}/$db"
    out=$(printf '%s\n' "$up" | psql "$url" -qX -v ON_ERROR_STOP=1 -o /dev/null 2>&1) \
      || { echo "FAIL $c: up script: $out"; fail=1; psql "$URL" -qXc "DROP DATABASE $db"; continue; }
    out=$(printf '%s\n' "$down" | psql "$url" -qX -v ON_ERROR_STOP=1 -o /dev/null 2>&1) \
      || { echo "FAIL $c: down script: $out"; fail=1; psql "$URL" -qXc "DROP DATABASE $db"; continue; }
    left=$(psql "$url" -qAtX -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    psql "$URL" -qXc "DROP DATABASE $db"
  fi
  if ! grep -q "irreversible" <<<"$down" && [ "$left" != 0 ]; then
    echo "FAIL $c: $left tables left after the down script"; fail=1
  fi
  [ $fail = 0 ] && echo "ok: $c"
done
exit $fail
