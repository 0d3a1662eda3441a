#!/usr/bin/env bash
# run_history.sh: one acceptance history, end to end.
#
#   run_history.sh MIGC CC "LINK ARGS" DUMP CASE_DIR WORK_DIR PG_STATE_FILE
#
# CASE_DIR holds migrations/ (a real project's history translated to the
# language), expected.sqlite and expected.postgres (the live schema at head,
# as tests/histories/schema_dump prints it, reviewed against the original
# project's own schema) and optionally a file `irreversible` (the history
# cannot go down to 0; its content says why) and a directory data/:
#   data/V.sql, data/V.DIALECT.sql   rows written once version V is applied
#                                    (up --to V, then verify), as an
#                                    application would;
#   data/check.sql                   queries (one a line) run at head, their
#                                    rows compared with expected.data.DIALECT.
#   1. migc check --strict passes; migc build writes the plan once;
#   2. the plan is compiled and linked with the runtime (LINK ARGS: the
#      runtime and driver archives, libsqlite3, libpq, sanitizer flags);
#   3. per dialect, on a fresh SQLite file and a fresh PostgreSQL database:
#      up, verify, status --check, the schema compared with expected.<dialect>,
#      then (when reversible) down --to 0 --allow-data-loss leaves an empty
#      schema, and up + verify once more;
#   4. the exported SQL (`migc sql`, plain format) run by the tools people use
#      instead of the binary (psql; SQLite's own exec) on a fresh database
#      gives the same schema, and its down script (when reversible) empties it.
# With UPDATE=1 in the environment the expected files are rewritten instead
# of compared (review the diff before committing).
set -euo pipefail
migc=$1 cc=$2 link=$3 dump=$4 case_dir=$5 work=$6 pg_state=$7
name=$(basename "$case_dir")

fail() { echo "FAIL [$name]: $*" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/gen"

echo "+ migc check --strict"
"$migc" check --strict -d "$case_dir/migrations" || fail "migc check --strict failed"
echo "+ migc build"
"$migc" build --strict -d "$case_dir/migrations" -o "$work/gen" --name hist_plan \
  || fail "migc build failed"
cat >"$work/gen/main.c" <<'C'
#include "migc/migc.h"
#include "hist_plan.h"
int main(int argc, char **argv) { return migc_main(&hist_plan, argc, argv); }
C
# shellcheck disable=SC2086
"$cc" -std=c11 -O0 -I"$work/gen" -o "$work/migrate" "$work/gen/main.c" "$work/gen/hist_plan.c" $link \
  || fail "the generated plan does not compile or link"

compare() { # compare SUFFIX ACTUAL_FILE: ACTUAL_FILE against expected.SUFFIX
  local expected="$case_dir/expected.$1"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$2" "$expected"
    echo "updated $expected"
  elif [ ! -f "$expected" ]; then
    cat "$2"
    fail "$expected is missing (run with UPDATE=1, then review it)"
  elif ! diff -u "$expected" "$2"; then
    fail "the $1 schema at head differs from $expected"
  fi
}

run_dialect() { # run_dialect DIALECT URL DUMP_TARGET
  local d=$1 url=$2 target=$3
  run() { echo "+ [$d] migrate $*"; "$work/migrate" --database "$url" "$@"; }
  local f v
  if [ -d "$case_dir/data" ]; then
    for v in $(cd "$case_dir/data" && ls | grep -E '^[0-9]+(\.(sqlite|postgres))?\.sql$' | cut -d. -f1 | sort -nu); do
      run up --to "$v" || fail "[$d] up --to $v failed"
      run verify || fail "[$d] verify failed at version $v"
      for f in "$v.sql" "$v.$d.sql"; do
        [ -f "$case_dir/data/$f" ] || continue
        echo "+ [$d] data/$f"
        "$dump" "$d" "$target" --exec "$case_dir/data/$f" || fail "[$d] data/$f failed"
      done
    done
  fi
  run up || fail "[$d] up failed"
  run verify || fail "[$d] verify failed after up"
  run status --check || fail "[$d] status --check is not clean after up"
  "$dump" "$d" "$target" >"$work/schema.$d" || fail "[$d] schema_dump failed"
  compare "$d" "$work/schema.$d"
  if [ -f "$case_dir/data/check.sql" ]; then
    "$dump" "$d" "$target" --query "$case_dir/data/check.sql" >"$work/data.$d" || fail "[$d] data/check.sql failed"
    compare "data.$d" "$work/data.$d"
  fi
  if [ -f "$case_dir/irreversible" ]; then
    echo "[$d] irreversible history: $(head -n1 "$case_dir/irreversible")"
    return
  fi
  run down --to 0 --allow-data-loss || fail "[$d] down --to 0 failed"
  "$dump" "$d" "$target" >"$work/empty.$d" || fail "[$d] schema_dump failed"
  if [ -s "$work/empty.$d" ]; then
    cat "$work/empty.$d"
    fail "[$d] the schema is not empty after down --to 0"
  fi
  run up || fail "[$d] up after down --to 0 failed"
  run verify || fail "[$d] verify failed after the second up"
}

db="$work/hist.db"
run_dialect sqlite "sqlite:$db" "$db"

# shellcheck disable=SC1090
. "$pg_state"
pgdb="hist_${name}_$$"
psql "$URL" -qXc "CREATE DATABASE $pgdb" || fail "cannot create database $pgdb"
trap 'psql "$URL" -qXc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true' EXIT
pgurl="${URL%/*}/$pgdb"
run_dialect postgres "$pgurl" "$pgurl"
run_export() { # run_export DIALECT URL DUMP_TARGET (a fresh database)
  local d=$1 url=$2 target=$3 dir
  for dir in up down; do
    [ "$dir" = down ] && [ -f "$case_dir/irreversible" ] && break
    local flag=""
    [ "$dir" = down ] && flag=--down
    echo "+ [$d] migc sql $flag (exported $dir script)"
    "$migc" sql -d "$case_dir/migrations" --dialect "$d" $flag -o "$work/$dir.$d.sql" \
      || fail "[$d] migc sql $flag failed"
    if [ "$d" = sqlite ]; then
      "$dump" sqlite "$target" --exec "$work/$dir.$d.sql" || fail "[$d] the exported $dir script failed"
    else
      psql "$url" -qX -v ON_ERROR_STOP=1 -f "$work/$dir.$d.sql" >/dev/null \
        || fail "[$d] the exported $dir script failed in psql"
    fi
    "$dump" "$d" "$target" >"$work/export.$dir.$d" || fail "[$d] schema_dump failed"
    if [ "$dir" = up ]; then
      diff -u "$case_dir/expected.$d" "$work/export.up.$d" \
        || fail "[$d] the exported up script gives another schema than the binary"
    elif [ -s "$work/export.down.$d" ]; then
      cat "$work/export.down.$d"
      fail "[$d] the exported down script leaves a schema behind"
    fi
  done
}
[ "${UPDATE:-}" = 1 ] || {
  rm -f "$work/export.db"
  run_export sqlite "" "$work/export.db"
  psql "$URL" -qXc "CREATE DATABASE ${pgdb}_x" || fail "cannot create database ${pgdb}_x"
  trap 'psql "$URL" -qXc "DROP DATABASE IF EXISTS $pgdb" -c "DROP DATABASE IF EXISTS ${pgdb}_x" >/dev/null 2>&1 || true' EXIT
  run_export postgres "${URL%/*}/${pgdb}_x" "${URL%/*}/${pgdb}_x"
}
echo "ok [$name]"
